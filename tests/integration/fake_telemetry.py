#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A stand-in for a dpmirror's DPDK telemetry socket (protocol v2, as
DPDK 22.11's lib/telemetry/telemetry.c serves it), answering from recorded
replies, for the tests of `dpmirrorctl stats` and `dpmirrorctl reload`.

The socket is RUNDIR/dpdk/PREFIX/dpdk_telemetry.v2 (RUNDIR /var/run for
root, else $XDG_RUNTIME_DIR or /tmp, as the EAL picks it), SOCK_SEQPACKET.
On connect: {"version", "pid", "max_output_len"}; then one reply message
{"<cmd>": data} per command message "<cmd>[,param]", data null for an
unknown command.

--fixture FILE: a JSON object, command -> recorded reply data.  The
server keeps /dpmirror/config, /dpmirror/version and the "config" member
of /dpmirror/stats consistent with its own state: its pid, and the
generation and reload counters that SIGHUP moves (--reload):
  ok     after --delay s, generation and reloads_ok + 1, last_reload ok
  fail   after --delay s, reloads_failed + 1, last_reload failed with
         two errors
  none   SIGHUP is ignored (a dpmirror that never answers)
--grow N: every /dpmirror/stats read after the first adds N to each
integer counter of ports, sessions (and their drops), workers and
collectors, and 1 s to the duration.
--mode: normal; null (every command answers null, as a dpmirror without
telemetry commands does); close (accept, then close without a greeting:
DPDK's answer when it already serves 10 clients); garbage (replies that
are not JSON); wrongkey (a reply under another command's name).
--version-pid N: the pid /dpmirror/version gives (default: the real one).

Prints "ready" on stdout once listening; removes its directory on
SIGTERM/SIGINT.
"""

import argparse
import copy
import json
import os
import signal
import socket
import sys
import threading
import time

MAX_OUTPUT_LEN = 16384


def runtime_dir(prefix):
    if os.getuid() == 0:
        base = "/var/run"
    else:
        base = os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


class State:
    def __init__(self, args):
        with open(args.fixture) as f:
            self.replies = json.load(f)
        self.args = args
        self.lock = threading.Lock()
        self.stats_reads = 0
        cfg = self.replies.get("/dpmirror/config", {})
        self.generation = cfg.get("generation", 1)
        self.ok = cfg.get("reloads_ok", 0)
        self.failed = cfg.get("reloads_failed", 0)
        self.last = cfg.get("last_reload", {"time": 0, "result": "none",
                                            "latency_us": 0,
                                            "n_errors": 0, "errors": []})

    def reload(self):
        with self.lock:
            now = int(time.time())
            if self.args.reload == "ok":
                self.generation += 1
                self.ok += 1
                self.last = {"time": now, "result": "ok",
                             "latency_us": 1234, "n_errors": 0,
                             "errors": []}
            elif self.args.reload == "fail":
                self.failed += 1
                errs = ["mixed.ini: error: [session web] filter = nosuch: "
                        "no [filter nosuch]; define it or name one of "
                        "web, v6src",
                        "mixed.ini: error: [port in] device: changed; "
                        "a port-level key needs a restart"]
                self.last = {"time": now, "result": "failed",
                             "latency_us": 0, "n_errors": len(errs),
                             "errors": errs}

    def config(self):
        c = copy.deepcopy(self.replies.get("/dpmirror/config", {}))
        c.update({"generation": self.generation, "reloads_ok": self.ok,
                  "reloads_failed": self.failed,
                  "last_reload": copy.deepcopy(self.last)})
        return c

    def stats(self):
        s = copy.deepcopy(self.replies["/dpmirror/stats"])
        n = self.stats_reads
        self.stats_reads += 1
        g = self.args.grow * n
        if g:
            def grow(obj):
                for k, v in obj.items():
                    if isinstance(v, dict):
                        grow(v)
                    elif isinstance(v, int) and k not in ("lcore",
                                                          "next_seq"):
                        obj[k] = v + g
            for part in ("ports", "sessions", "workers", "collectors"):
                if part in s:
                    grow(s[part])
            s["duration_s"] = s.get("duration_s", 0) + n
            if "duration_us" in s:
                s["duration_us"] += n * 1000000
        s["config"] = {"generation": self.generation,
                       "reloads_ok": self.ok,
                       "reloads_failed": self.failed}
        return s

    def answer(self, msg):
        cmd, _, param = msg.partition(",")
        mode = self.args.mode
        if mode == "garbage":
            return '{"%s": {"ports": [1, 2,' % cmd
        with self.lock:
            if mode == "null":
                data = None
            elif cmd == "/dpmirror/stats":
                data = self.stats()
            elif cmd == "/dpmirror/config":
                data = self.config()
            elif cmd == "/dpmirror/version":
                data = dict(self.replies.get("/dpmirror/version", {}))
                data["pid"] = self.args.version_pid or os.getpid()
            elif cmd == "/":
                data = sorted(list(self.replies) + ["/", "/info"])
            elif cmd == "/info":
                data = {"version": "DPDK 22.11.0", "pid": os.getpid(),
                        "max_output_len": MAX_OUTPUT_LEN}
            elif param and cmd in ("/dpmirror/ports", "/dpmirror/sessions",
                                   "/dpmirror/collectors"):
                data = self.replies.get(cmd + "," + param)
            else:
                data = self.replies.get(cmd)
        key = "/other" if mode == "wrongkey" else cmd
        return json.dumps({key: data}, separators=(",", ":"))


def serve_client(state, conn):
    try:
        conn.send(json.dumps({"version": "DPDK 22.11.0",
                              "pid": os.getpid(),
                              "max_output_len": MAX_OUTPUT_LEN},
                             separators=(",", ":")).encode())
        while True:
            msg = conn.recv(1024)
            if not msg:
                break
            conn.send(state.answer(msg.decode()).encode())
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--mode", default="normal",
                    choices=["normal", "null", "close", "garbage",
                             "wrongkey"])
    ap.add_argument("--reload", default="ok", choices=["ok", "fail", "none"])
    ap.add_argument("--delay", type=float, default=0.3)
    ap.add_argument("--grow", type=int, default=0)
    ap.add_argument("--version-pid", type=int, default=0)
    args = ap.parse_args()

    state = State(args)
    rundir = runtime_dir(args.prefix)
    os.makedirs(rundir, exist_ok=True)
    path = os.path.join(rundir, "dpdk_telemetry.v2")
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.bind(path)
    sock.listen(4)

    def on_term(signum, frame):
        try:
            os.unlink(path)
            os.rmdir(rundir)
        except OSError:
            pass
        os._exit(0)

    def on_hup(signum, frame):
        if args.reload != "none":
            threading.Timer(args.delay, state.reload).start()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGHUP, on_hup)
    print("ready", flush=True)
    while True:
        conn, _ = sock.accept()
        if args.mode == "close":
            conn.close()
            continue
        threading.Thread(target=serve_client, args=(state, conn),
                         daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
