#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live reload under traffic, and the telemetry commands.
#
# dpmirror forwards a replayed capture (net_pcap infinite_rx -> net_null,
# inline) and mirrors it to net_null collectors: session "all" mirrors
# everything (to c0, erspan2), sessions f1 and f-2.x (sampled, rate-capped;
# f-2.x to c3, gre with key and seq) have filters that change at every
# reload, a session named after the reload (n1, n2, ...) replaces the
# previous one, and filler sessions that match nothing bring the count to
# the limit of 16 at some reloads, so that a new session must take the slot
# of a removed one.  Every collector's template changes at every reload
# (vni, session_id, key), none of their names does but the 64th's: it is
# r0, r1, ... (gre, seq = yes), a new name every second reload, the limit
# of 64 collectors always reached.  A new rN gets no copies during the
# reload that adds it (session nK matches nothing at even K) and all of
# them during the next (nK mirrors everything at odd K).  RELOADS reloads
# by SIGHUP (20 here); after each, read through the telemetry socket:
#   - the generation moved on;
#   - no counter of a session, collector (packets, bytes, next_seq) or
#     port that kept its name went down, and c0 and c3 kept their slots;
#   - for every collector with sequence numbers, packets <= next_seq
#     (a copy takes its number before the queue takes it);
#   - the new session started at zero: it has matched no more than the
#     port received since just before the signal;
#   - a new rN starts at packets, bytes and next_seq 0, and from r2 on it
#     takes the slot r(N-2) left two reloads earlier, after that one had
#     counted copies and taken sequence numbers (a removed collector's
#     slot is zeroed, then given to a later new one).
# A file with an error leaves the configuration in force (generation
# unchanged, reloads_failed + 1, the error in /dpmirror/config and on
# stderr); a port-level change is refused naming the key.  At the end
# (SIGINT): rx_packets of the input port = fwd_packets of its peer (no
# original lost), matched = mirrored + dropped for every session, c0's and
# c3's packets and bytes are what their only sessions mirrored through all
# the reloads and their next_seq is packets + tx_full (the sequence went on
# across every reload, never restarted), and the last rN, added by the
# last reload, is still at 0.
# /dpmirror/* answer through DPDK's own dpdk-telemetry.py as well.
#
# Two workers by default (lcores 1 and 2, both on CPU 1; the second has no
# rx queue but must still report quiescent), so that every reload's
# rte_rcu_qsbr_synchronize waits out more than one.  RELOAD_LCORES sets the
# EAL's lcore option instead; RELOADS=N and RELOAD_REPORT=1
# (scripts/reload_bench.sh, which runs one worker) change the count and
# print the latency figures.  Needs root (the EAL's runtime directory
# under /var/run/dpdk, where dpdk-telemetry.py looks); no hugepages.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
py=/usr/bin/python3
telemetry=${DPDK_TELEMETRY:-/usr/bin/dpdk-telemetry.py}
reloads=${RELOADS:-20}
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "reload: SKIP: needs root (/var/run/dpdk)"
	exit 77
fi
if [ ! -x "$telemetry" ]; then
	echo "reload: SKIP: $telemetry not found (Debian package dpdk)"
	exit 77
fi

work=$(mktemp -d /tmp/dpm-reload.XXXXXX)
prefix="dpm-rl-$$"
dp=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	[ -n "$dp" ] && stop_pid "$dp" KILL
	rm -rf "$work" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 64 flows of 200-byte UDP frames, destination ports 1024..1087.
"$py" "$here/udp_flows.py" "$work/in.pcap" --src 198.18.0.1 --dst 198.18.0.2 \
	--sport 40000+i --dport 1024+i

# The driver writes each configuration into $work/run.ini (the -c file),
# signals dpmirror and checks what telemetry says.  Its first argument is
# "write" (the first file only) or "drive".
cat >"$work/driver.py" <<'EOF'
import json, os, re, signal, socket, statistics, sys, time

mode, work, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
reloads = int(os.environ.get("RELOADS", "20"))
report = os.environ.get("RELOAD_REPORT") == "1"
ini = os.path.join(work, "run.ini")

def rot(k):
    """The name of the 64th collector in the file of reload K."""
    return "r%d" % (k // 2)

def config(k, bad=None):
    """The file of reload K (0: the first)."""
    out = ["[dpmirror]", "mode = inline", "burst = 32",
           "mirror_pool = 16384", "stats_interval = 0"]
    if bad == "port":
        out[2] = "burst = 64"
    out += ["[port in]",
            "device = net_pcap0,rx_pcap=%s/in.pcap,infinite_rx=1" % work,
            "peer = fwd",
            "[port fwd]", "device = net_null0,no-rx=1",
            "[port sink]",
            "device = net_null1,no-rx=1" if bad != "port"
            else "device = net_null2,no-rx=1"]
    for c in range(63):
        out += ["[collector c%d]" % c, "port = sink",
                "remote_ip = 198.18.1.%d" % (c + 3),
                "local_ip = 198.18.1.1",
                "remote_mac = 02:00:00:00:01:%02x" % c]
        if c == 0:
            out += ["encap = erspan2", "session_id = %d" % (k % 3)]
        elif c == 3:
            out += ["encap = gre", "key = %d" % (100 + k % 3), "seq = yes"]
        else:
            out.append("vni = %d" % (100 + c + (k % 3)))
    out += ["[collector %s]" % rot(k), "port = sink", "encap = gre",
            "seq = yes", "remote_ip = 198.18.1.66", "local_ip = 198.18.1.1",
            "remote_mac = 02:00:00:00:01:3f"]
    lo = 1024 + (k * 7) % 48
    out += ["[filter fa]", "rule 10 = accept proto udp dport %d-%d" % (lo, lo + 15),
            "[filter fb]", "rule 10 = reject proto udp dport %d" % (1024 + k % 64),
            "rule 20 = accept proto udp",
            "[filter none]", "rule 10 = accept proto tcp"]
    if bad == "file":
        out += ["[filter oops]", "rule 10 = accept proto udp dport 99999"]
    sess = [("all", "c0", None, 1, 0), ("f1", "c1 c2", "fa", 3, 0),
            ("f-2.x", "c3", "fb", 1, 200000000)]
    if k > 0:
        sess.append(("n%d" % k, rot(k), "none" if k % 2 == 0 else None,
                     1, 0))
    fillers = 12 if k % 3 == 1 else 10
    sess += [("z%d" % i, "c%d" % (5 + i), "none", 1, 0)
             for i in range(fillers)]
    for name, coll, flt, sample, rate in sess:
        out += ["[session %s]" % name, "sources = in:rx",
                "collector = %s" % coll, "sample = %d" % sample]
        if flt:
            out.append("filter = %s" % flt)
        if rate:
            out.append("rate = %d" % rate)
    tmp = ini + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out) + "\n")
    os.rename(tmp, ini)
    return [s[0] for s in sess]

if mode == "write":
    config(0)
    sys.exit(0)

pid = int(sys.argv[4])
sock_path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
fails = []
largest = {}

def fail(msg):
    fails.append(msg)
    print("FAIL " + msg, flush=True)

def ok(msg):
    print("ok   " + msg, flush=True)

class Tel:
    def __init__(self):
        for _ in range(100):
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                self.s.connect(sock_path)
                break
            except OSError:
                self.s.close()
                time.sleep(0.1)
        else:
            raise SystemExit("no telemetry socket at " + sock_path)
        info = json.loads(self.s.recv(1024).decode())
        self.max = info["max_output_len"]

    def raw(self, cmd):
        self.s.send(cmd.encode())
        return self.s.recv(self.max * 2)

    def __call__(self, cmd):
        raw = self.raw(cmd)
        key = cmd.split(",")[0]
        largest[key] = max(largest.get(key, 0), len(raw))
        reply = json.loads(raw.decode())[key]
        if key == "/dpmirror/stats" and reply is not None:
            # Keys hold only A-Z a-z 0-9 _ /: other bytes are /XX.
            for kind in ("ports", "sessions", "collectors"):
                if kind in reply:
                    reply[kind] = {unkey(k): v
                                   for k, v in reply[kind].items()}
        return reply

def unkey(k):
    return re.sub(r"/([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), k)

tel = Tel()

def wait_live():
    for _ in range(100):
        if tel("/dpmirror/stats") is not None:
            return True
        time.sleep(0.1)
    return False

if not wait_live():
    fail("/dpmirror/stats answers once the workers run")
    sys.exit(1)

def counters(st):
    """Every counter of a stats reply, keyed (kind, name, counter)."""
    out = {}
    for p, c in st["ports"].items():
        for k, v in c.items():
            out[("port", p, k)] = v
    for s, c in st["sessions"].items():
        for k, v in c.items():
            if k == "dropped":
                for r, n in v.items():
                    out[("session", s, "dropped." + r)] = n
            else:
                out[("session", s, k)] = v
    for n, c in st.get("collectors", {}).items():
        for k in ("packets", "bytes", "next_seq"):
            if k in c:
                out[("collector", n, k)] = c[k]
    return out

def slot(name):
    o = tel("/dpmirror/collectors," + name)
    return None if o is None else o["slot"]

def wait_config(pred, what):
    for _ in range(200):
        c = tel("/dpmirror/config")
        if c is not None and pred(c):
            return c
        time.sleep(0.02)
    fail("timed out waiting for " + what)
    return tel("/dpmirror/config")

time.sleep(0.5)
cfg0 = tel("/dpmirror/config")
if cfg0["generation"] == 1 and cfg0["last_reload"]["result"] == "none":
    ok("/dpmirror/config before any reload: generation 1, result none")
else:
    fail("/dpmirror/config before any reload: %s" % cfg0)

latencies = []
publish = []
mono_checked = 0
live_checked = 0
coll_fails = len(fails)
seq_checked = 0
reused = 0
last_seen = {}   # a removed rN: (its slot, its counters just before)
for k in range(1, reloads + 1):
    sb = {n: slot(n) for n in ("c0", "c3", rot(k - 1))}
    before = tel("/dpmirror/stats")
    gen = tel("/dpmirror/config")["generation"]
    names = config(k)
    os.kill(pid, signal.SIGHUP)
    c = wait_config(lambda c: c["generation"] > gen or
                    c["reloads_failed"] > cfg0["reloads_failed"],
                    "reload %d" % k)
    after = tel("/dpmirror/stats")
    if c["generation"] != gen + 1 or c["last_reload"]["result"] != "ok":
        fail("reload %d: generation %d -> %d, result %s %s" %
             (k, gen, c["generation"], c["last_reload"]["result"],
              c["last_reload"]["errors"]))
        continue
    latencies.append(c["last_reload"]["latency_us"])
    publish.append(c["last_reload"]["publish_us"])
    if set(after["sessions"]) != set(names):
        fail("reload %d: sessions %s, want %s" %
             (k, sorted(after["sessions"]), sorted(names)))
    if after["config"]["generation"] != gen + 1:
        fail("reload %d: stats config.generation %s" % (k, after["config"]))
    b, a = counters(before), counters(after)
    down = [(key, b[key], a[key]) for key in b
            if key in a and a[key] < b[key]]
    kept = [key for key in b if key in a]
    mono_checked += len(kept)
    if down:
        fail("reload %d: counters went down: %s" % (k, down[:5]))
    # Collectors (DESIGN section 5): kept ones keep their slot, counters
    # and sequence; a new one starts at 0, in the slot of one removed
    # earlier once there is one.
    sa = {n: slot(n) for n in ("c0", "c3", rot(k))}
    for st in (before, after):
        if "collectors" not in st:
            fail("reload %d: /dpmirror/stats left the collectors out (%s)"
                 % (k, st.get("omitted")))
            continue
        for cname, cc in st["collectors"].items():
            if "next_seq" not in cc:
                continue
            seq_checked += 1
            if cc["packets"] > cc["next_seq"]:
                fail("reload %d: collector %s: packets %d > next_seq %d" %
                     (k, cname, cc["packets"], cc["next_seq"]))
    for cname in ("c0", "c3"):
        if sa[cname] is None or sa[cname] != sb[cname]:
            fail("reload %d: collector %s in slot %s, before in %s" %
                 (k, cname, sa[cname], sb[cname]))
    old, new_r = rot(k - 1), rot(k)
    if old == new_r:
        if sa[new_r] != sb[new_r]:
            fail("reload %d: kept collector %s moved from slot %s to %s" %
                 (k, new_r, sb[new_r], sa[new_r]))
    else:
        last_seen[old] = (sb[old], before.get("collectors", {}).get(old))
        if slot(old) is not None or old in after.get("collectors", {}):
            fail("reload %d: removed collector %s still listed" % (k, old))
        nc = after.get("collectors", {}).get(new_r)
        if (nc is None or nc["packets"] != 0 or nc["bytes"] != 0 or
                nc.get("next_seq") != 0):
            fail("reload %d: new collector %s (slot %s) does not start at "
                 "0: %s" % (k, new_r, sa[new_r], nc))
        if k >= 4:
            prev = rot(k - 4)
            ps, pc = last_seen.get(prev, (None, None))
            if sa[new_r] is None or sa[new_r] != ps:
                fail("reload %d: new collector %s took slot %s, not slot "
                     "%s that %s left" % (k, new_r, sa[new_r], ps, prev))
            elif (pc is None or pc["packets"] == 0 or
                  pc.get("next_seq", 0) == 0):
                fail("reload %d: %s, the previous holder of slot %s, had "
                     "counted nothing: %s" % (k, prev, ps, pc))
            else:
                reused += 1
    # Live, a copy still buffered is matched but not yet mirrored: never
    # the other way round (outcomes are read before inputs).
    for st in (before, after):
        for sname, sc in st["sessions"].items():
            out = sc["mirrored"] + sum(sc["dropped"].values())
            if out > sc["matched"]:
                fail("reload %d: session %s mirrored + dropped %d > "
                     "matched %d" % (k, sname, out, sc["matched"]))
    live_checked += len(before["sessions"]) + len(after["sessions"])
    gone = [s for s in before["sessions"] if s not in names]
    if any(s in after["sessions"] for s in gone):
        fail("reload %d: removed sessions still listed" % k)
    new = "n%d" % k
    rx_delta = after["ports"]["in"]["rx_packets"] - before["ports"]["in"]["rx_packets"]
    m = after["sessions"][new]["matched"]
    # (matched is read just after rx_packets: a burst or two more.)
    if m > rx_delta + 64:
        fail("reload %d: new session %s starts at %d, more than the %d "
             "packets received since the signal" % (k, new, m, rx_delta))

if latencies and not any(f.startswith("reload ") for f in fails):
    ok("%d reloads by SIGHUP: generation +1 each, sessions as in the file, "
       "%d counter readings of kept sessions, collectors and ports never "
       "went down, each new session started at zero; %d live readings "
       "with mirrored + dropped <= matched" % (reloads, mono_checked,
                                               live_checked))
    ok("collectors: c0 and c3 kept their slots through %d reloads; %d "
       "readings with packets <= next_seq; each new rN started at 0, %d "
       "of them in the slot of an earlier one that had counted copies" %
       (reloads, seq_checked, reused))
if reloads >= 4 and reused == 0 and len(fails) == coll_fails:
    fail("no new collector took the slot of a removed one")

# A file with an error: refused, nothing changes.
c = tel("/dpmirror/config")
gen, failed = c["generation"], c["reloads_failed"]
config(reloads + 1, bad="file")
os.kill(pid, signal.SIGHUP)
c = wait_config(lambda c: c["reloads_failed"] > failed, "the invalid file")
errs = c["last_reload"]["errors"]
if (c["generation"] == gen and c["reloads_failed"] == failed + 1 and
        c["last_reload"]["result"] == "failed" and
        any("[filter oops] rule 10" in e for e in errs)):
    ok("an invalid file is refused: generation stays %d, reloads_failed %d, "
       "error in /dpmirror/config: %s" % (gen, failed + 1, errs[0]))
else:
    fail("invalid file: %s" % c)
whole = tel("/dpmirror/reload_errors")
if "[filter oops] rule 10" in whole and whole.split("\n")[0].endswith("65535"):
    ok("/dpmirror/reload_errors has the message whole (%d bytes)" %
       len(whole.split("\n")[0]))
else:
    fail("/dpmirror/reload_errors: %r" % whole)
st = tel("/dpmirror/stats")
if set(st["sessions"]) == set(names):
    ok("the sessions in force are those of the last good file")
else:
    fail("after the invalid file: sessions %s" % sorted(st["sessions"]))

# A port-level change: refused naming the keys.
config(reloads + 1, bad="port")
os.kill(pid, signal.SIGHUP)
c = wait_config(lambda c: c["reloads_failed"] > failed + 1, "the port change")
errs = c["last_reload"]["errors"]
want = ["[dpmirror] burst = 32 -> 64: needs a restart",
        "[port sink] device = net_null1,no-rx=1 -> net_null2,no-rx=1: "
        "needs a restart"]
if c["generation"] == gen and all(w in errs for w in want):
    ok("a port-level change is refused naming the keys: %s" % "; ".join(errs))
else:
    fail("port change: %s" % c)

# Back to a good file, so the process ends on a valid configuration.
config(reloads + 2)
os.kill(pid, signal.SIGHUP)
wait_config(lambda c: c["generation"] > gen, "the last good file")

# The per-object commands.
sl = tel("/dpmirror/sessions")
so = tel("/dpmirror/sessions,all")
sd = tel("/dpmirror/sessions,f-2.x")
raw = tel.raw("/dpmirror/stats").decode()
co = tel("/dpmirror/collectors,c1")
po = tel("/dpmirror/ports,in")
ve = tel("/dpmirror/version")
if ("all" in sl and so["name"] == "all" and "matched" in so["stats"] and
        co["remote_mac"] == "02:00:00:00:01:01" and
        co["mac"] == "02:00:00:00:01:01" and co["neighbor"] == "static" and co["vni"] >= 101 and
        po["peer"] == "fwd" and "rx_packets" in po["stats"] and
        sd["name"] == "f-2.x" and sd["rate"] == 200000000 and
        '"f/2d2/2ex":' in raw and
        ve["pid"] == pid and tel("/dpmirror/sessions,nosuch") is None and
        len(tel("/dpmirror/collectors")) == 64):
    ok("/dpmirror/sessions, sessions,NAME, collectors,NAME, ports,NAME, "
       "version answer; an unknown name answers null; session f-2.x is "
       "the key f/2d2/2ex in /dpmirror/stats")
else:
    fail("objects: %s %s %s %s %s" % (sl, so, co, po, ve))

print("largest replies (bytes, 16 sessions, 64 collectors): " +
      ", ".join("%s %d" % kv for kv in sorted(largest.items())))
if max(largest.values()) >= tel.max:
    fail("a reply reached the %d-byte limit" % tel.max)
if report and latencies:
    q = sorted(latencies)
    print("reload latency (SIGHUP to every worker on the new ruleset), "
          "%d reloads: min %d us, median %d us, p90 %d us, max %d us" %
          (len(q), q[0], statistics.median(q), q[int(len(q) * 0.9) - 1],
           q[-1]))
    q = sorted(publish)
    print("  of which publish + rte_rcu_qsbr_synchronize (the workers' "
          "part): min %d us, median %d us, max %d us" %
          (q[0], statistics.median(q), q[-1]))
with open(os.path.join(work, "latency.txt"), "w") as f:
    f.write(" ".join(str(x) for x in latencies) + "\n")
sys.exit(1 if fails else 0)
EOF

"$py" "$work/driver.py" write "$work" "$prefix" || exit 1

lcores=${RELOAD_LCORES:---lcores 0@0,1@1,2@1}
# Workers = lcores but the main one: 2 by default, 1 with -l 0,1.
case $lcores in
"-l 0,1") n_workers=1 ;;
"--lcores 0@0,1@1,2@1") n_workers=2 ;;
*) n_workers=${RELOAD_WORKERS:?set RELOAD_WORKERS with RELOAD_LCORES} ;;
esac
# shellcheck disable=SC2086 # the lcore option is two words
"$dpmirror" --no-huge -m 512 --no-pci --file-prefix "$prefix" $lcores \
	--log-level '*:notice' -- -c "$work/run.ini" \
	--stats-json "$work/stats.json" >"$work/dp.out" 2>"$work/dp.err" &
dp=$!

if RELOADS=$reloads "$py" "$work/driver.py" drive "$work" "$prefix" "$dp"; then
	ok "reload driver"
else
	bad "reload driver (dpmirror stderr below)"
	tail -20 "$work/dp.err"
fi
check "the invalid file's error is on dpmirror's stderr" \
	grep -q "error: \[filter oops\] rule 10" "$work/dp.err"

# DPDK's own client, as an operator would use it.
out=$(printf '/dpmirror/stats\n/dpmirror/version\n/dpmirror/config\n' |
	"$telemetry" -f "$prefix" 2>&1)
if "$py" - "$dp" <<EOF; then ok "dpdk-telemetry.py -f $prefix shows /dpmirror/stats, version and config"; else bad "dpdk-telemetry.py: $out"; fi
import json, sys
lines = [json.loads(l) for l in """$out""".splitlines() if l.startswith("{")]
st = lines[0]["/dpmirror/stats"]
ve = lines[1]["/dpmirror/version"]
cf = lines[2]["/dpmirror/config"]
assert set(st) >= {"duration_s", "ports", "sessions", "workers", "config"}, st.keys()
assert set(st["ports"]["in"]) >= {"rx_packets", "rx_bytes", "tx_packets",
    "tx_bytes", "rx_missed", "rx_errors", "tx_dropped"}
assert set(st["sessions"]["all"]["dropped"]) >= {"sampled_out",
    "rate_limited", "no_mbuf", "tx_full", "too_big"}
assert st["workers"]["0"]["lcore"] == 1
assert len(st["workers"]) == int("$n_workers"), st["workers"]
assert st["config"]["generation"] == cf["generation"]
assert ve["pid"] == int(sys.argv[1]), ve
assert cf["last_reload"]["result"] == "ok"
EOF

rc=0
stop_pid "$dp" INT || rc=$?
dp=
check "dpmirror exits 0 on SIGINT" [ "$rc" -eq 0 ]
# The last good file (reload RELOADS + 2) adds rN, quiet, when that is
# even.
last_r=
[ $((reloads % 2)) -eq 0 ] && last_r="r$(((reloads + 2) / 2))"
if "$py" - "$work/stats.json" "$last_r" <<'EOF'; then ok "at exit: rx_packets = fwd_packets (no original lost), matched = mirrored + dropped per session, c0 and c3 counted all their sessions mirrored and their sequence never restarted, the last new collector is at 0"; else bad "at exit: the counters add up"; fi
import json, sys
s = json.load(open(sys.argv[1]))
last = sys.argv[2]
bad = []
for n, c in s["sessions"].items():
    if c["matched"] != c["mirrored"] + sum(c["dropped"].values()):
        bad.append("session %s: %s" % (n, c))
# c0 and c3 kept their names (and their only sessions, all and f-2.x,
# theirs) through every reload: whatever a reload had lost or restarted
# shows here.
col = s["collectors"]
for cn, sn in (("c0", "all"), ("c3", "f-2.x")):
    c, se = col[cn], s["sessions"][sn]
    tx_full = se["dropped"]["tx_full"]
    if (c["packets"] == 0 or c["packets"] != se["mirrored"] or
            c["bytes"] != se["mirrored_bytes"] or
            c["next_seq"] != c["packets"] + tx_full):
        bad.append("collector %s: %s, session %s: %s" % (cn, c, sn, se))
    print("  collector %s: packets %d = session %s mirrored, next_seq %d = "
          "packets + tx_full %d" % (cn, c["packets"], sn, c["next_seq"],
                                    tx_full))
if col["c1"]["packets"] + col["c2"]["packets"] != s["sessions"]["f1"]["mirrored"]:
    bad.append("collectors c1 + c2 %d, session f1 mirrored %d" %
               (col["c1"]["packets"] + col["c2"]["packets"],
                s["sessions"]["f1"]["mirrored"]))
if last and (last not in col or col[last]["packets"] != 0 or
             col[last]["bytes"] != 0 or col[last]["next_seq"] != 0):
    bad.append("collector %s: %s" % (last, col.get(last)))
p = s["ports"]
if p["in"]["rx_packets"] != p["fwd"]["fwd_packets"] or \
        p["fwd"]["fwd_dropped"] != 0 or p["in"]["rx_packets"] == 0:
    bad.append("ports: %s %s" % (p["in"], p["fwd"]))
print("  in: rx_packets %d, fwd: fwd_packets %d, originals lost %d; "
      "config %s" % (p["in"]["rx_packets"], p["fwd"]["fwd_packets"],
                     p["in"]["rx_packets"] - p["fwd"]["fwd_packets"],
                     s["config"]))
for n in ("all", "f1", "f-2.x"):
    c = s["sessions"][n]
    print("  session %s: matched %d = mirrored %d + dropped %d" %
          (n, c["matched"], c["mirrored"], sum(c["dropped"].values())))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
check "dpmirror removed its runtime directory" \
	[ ! -e "/var/run/dpdk/$prefix" ]
summary reload
