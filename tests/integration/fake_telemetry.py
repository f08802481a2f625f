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
--omit LIST: leave the members LIST (comma-separated, e.g. workers,ports)
out of /dpmirror/stats and name them under "omitted", as dpmirror does
when one reply would pass 16 KB: an array of names, or with --omit-string
one string of names separated by spaces.
--max-output-len N: the greeting's max_output_len (default 16384).
--pad N: add a string member of N bytes to /dpmirror/stats (a reply
larger than a client accepts).

The per-object commands /dpmirror/ports,NAME and /dpmirror/sessions,NAME
answer {"name": NAME, "stats": ...} from the fixture's /dpmirror/stats,
whose keys hold names as dpmirror writes them ('/' and two hex digits for
a byte outside [A-Za-z0-9_]).  /dpmirror/reload_errors gives the errors of
the last refused reload whole, one per line, while /dpmirror/config cuts
each at 127 bytes, as DPDK 22.11 cuts strings in an array.  --reload
failmany refuses with 20 problems of which 16 are kept, as dpmirror keeps
them.

Prints "ready" on stdout once listening; removes its directory on
SIGTERM/SIGINT.
"""

import argparse
import copy
import json
import os
import re
import signal
import socket
import sys
import threading
import time

MAX_OUTPUT_LEN = 16384
# DPDK 22.11 (RTE_TEL_MAX_STRING_LEN): a string in an array is cut to this.
ARRAY_STRING_MAX = 127
# dpmirror's CTL_RELOAD_ERR_MAX: problems kept of one refused reload.
ERRORS_KEPT = 16


def tel_key(name):
    """A name as dpmirror writes it in a telemetry dict key."""
    return re.sub(r"[^A-Za-z0-9_]",
                  lambda m: "/%02x" % ord(m.group(0)), name)


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
        self.errors = []

    def reload(self):
        with self.lock:
            now = int(time.time())
            if self.args.reload == "ok":
                self.generation += 1
                self.ok += 1
                self.last = {"time": now, "result": "ok",
                             "latency_us": 1234, "n_errors": 0,
                             "errors": []}
            elif self.args.reload in ("fail", "failmany"):
                self.failed += 1
                filters = ", ".join("filter_number_%02d" % i
                                    for i in range(12))
                errs = ["mixed.ini: error: [session web] filter = nosuch: "
                        "no [filter nosuch]; define it or name one of "
                        "web, v6src",
                        "mixed.ini: error: [port in] device: changed; "
                        "a port-level key needs a restart",
                        "mixed.ini: error: [session lb] filter = nosuch2: "
                        "no [filter nosuch2]; valid: " + filters]
                n = len(errs)
                if self.args.reload == "failmany":
                    errs += ["mixed.ini: error: [collector c%d] ttl = "
                             "99999: out of range; valid: 1..255" % i
                             for i in range(ERRORS_KEPT - len(errs))]
                    n = ERRORS_KEPT + 4
                self.errors = errs
                self.last = {"time": now, "result": "failed",
                             "latency_us": 0, "n_errors": n,
                             "errors": [e[:ARRAY_STRING_MAX]
                                        for e in errs]}

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
        omit = [w for w in self.args.omit.split(",") if w]
        if omit:
            for w in omit:
                s.pop(w, None)
            s["omitted"] = (" ".join(omit) if self.args.omit_string
                            else omit)
        if self.args.pad:
            s["pad"] = "x" * self.args.pad
        return s

    def one(self, kind, name):
        """/dpmirror/KIND,NAME: the object's stats from the fixture."""
        objs = self.replies["/dpmirror/stats"].get(kind, {})
        if tel_key(name) not in objs:
            return None
        return {"name": name, "stats": copy.deepcopy(objs[tel_key(name)])}

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
            elif cmd == "/dpmirror/reload_errors":
                data = "\n".join(self.errors)
            elif param and cmd in ("/dpmirror/ports", "/dpmirror/sessions"):
                data = self.one(cmd[len("/dpmirror/"):], param)
            elif cmd == "/dpmirror/version":
                data = dict(self.replies.get("/dpmirror/version", {}))
                data["pid"] = self.args.version_pid or os.getpid()
            elif cmd == "/":
                data = sorted(list(self.replies) + ["/", "/info"])
            elif cmd == "/info":
                data = {"version": "DPDK 22.11.0", "pid": os.getpid(),
                        "max_output_len": self.args.max_output_len}
            elif param and cmd in ("/dpmirror/ports", "/dpmirror/sessions",
                                   "/dpmirror/collectors"):
                data = self.replies.get(cmd + "," + param)
            else:
                data = self.replies.get(cmd)
        key = "/other" if mode == "wrongkey" else cmd
        return json.dumps({key: data}, separators=(",", ":"))


def serve_client(state, conn):
    try:
        if state.args.pad:
            # Room for a message larger than the default send buffer
            # (as root; otherwise the send fails and the client sees
            # the connection close).
            conn.setsockopt(socket.SOL_SOCKET, 32,  # SO_SNDBUFFORCE
                            4 * state.args.pad)
        conn.send(json.dumps({"version": "DPDK 22.11.0",
                              "pid": os.getpid(),
                              "max_output_len":
                                  state.args.max_output_len},
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
    ap.add_argument("--reload", default="ok",
                    choices=["ok", "fail", "failmany", "none"])
    ap.add_argument("--delay", type=float, default=0.3)
    ap.add_argument("--grow", type=int, default=0)
    ap.add_argument("--version-pid", type=int, default=0)
    ap.add_argument("--omit", default="")
    ap.add_argument("--omit-string", action="store_true")
    ap.add_argument("--max-output-len", type=int, default=MAX_OUTPUT_LEN)
    ap.add_argument("--pad", type=int, default=0)
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
