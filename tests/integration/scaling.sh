#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Four workers on one core: the mechanics of scaling, not its speed.  The
# EAL runs four worker lcores on the one worker CPU (--lcores
# '0@0,(1-4)@1'); a net_pcap port with four rx queues (one rx_pcap file
# each: 1000, 1250, 1500 and 1750 numbered UDP frames of 60..1514 bytes,
# a different count per queue so that a count names its queue) forwards
# inline to a net_pcap port and is mirrored whole to a GRE collector with
# sequence numbers on a third net_pcap port.  Each worker writes its own
# tx_pcap file on each port (worker i: the file given i-th).  Checked:
#   - every queue is polled, each by one worker: the per-worker packet
#     counters of --stats-json are the four queues' counts, and worker i's
#     forwarded file and its copies hold one queue's frames, in order;
#   - counters conserve: in rx = fwd tx + fwd tx_dropped, matched =
#     mirrored + every drop reason, the collector's packets and next_seq
#     = mirrored, nothing dropped;
#   - no copy is duplicated or lost: the GRE sequence numbers of the four
#     copy files (tshark) are 0..N-1, each exactly once, and the frames
#     dpmirrorctl collect -r takes out of them are the N originals, each
#     byte for byte exactly once; so are the forwarded frames.
# Environment: DPMIRROR, DPMIRRORCTL (default: build/ under the source
# root), DPM_SRCDIR, SCALING_LCORES (the EAL lcore option).
# Exit: 0 pass, 1 fail, 77 skip (tshark missing, fewer than 2 CPUs).
# About 10 s.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
ctl=${DPMIRRORCTL:-$srcdir/build/dpmirrorctl}
py=/usr/bin/python3
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

if ! command -v tshark >/dev/null 2>&1; then
	echo "scaling: SKIP: tshark not found"
	exit 77
fi
if [ "$(nproc)" -lt 2 ]; then
	echo "scaling: SKIP: needs 2 CPUs (the main lcore and the workers')"
	exit 77
fi
for b in "$dpmirror" "$ctl"; do
	if ! [ -x "$b" ]; then
		echo "scaling: FAIL: $b not found (set DPMIRROR, DPMIRRORCTL)"
		exit 1
	fi
done

work=$(mktemp -d /tmp/dpm-scaling.XXXXXX)
prefix="dpm-scale-$$"
pid=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	[ -n "$pid" ] && stop_pid "$pid" KILL
	lib_rm_rundir "$prefix"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_logs() {
	echo "--- dpmirror stdout (last 30 lines)"
	tail -n 30 "$work/dpmirror.out"
	echo "--- dpmirror stderr (last 30 lines)"
	tail -n 30 "$work/dpmirror.err"
}

cd "$work" || exit 1

# The frames: Ethernet, IPv4 198.18.0.(q+1) -> 198.18.1.1, UDP 1000+q ->
# 2000, a payload that names queue and number ("q=2 n=000017"), padded to
# a length that varies with the number.
"$py" - <<'EOF' || exit 1
import struct

def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def frame(q, n):
    size = 60 + (n * 37 + q * 11) % 1455
    tag = b"q=%d n=%06d " % (q, n)
    pay = (tag * (size // len(tag) + 1))[:size - 42]
    udp = struct.pack("!HHHH", 1000 + q, 2000, 8 + len(pay), 0) + pay
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n & 0xffff,
                     0, 64, 17, 0, bytes([198, 18, 0, q + 1]),
                     bytes([198, 18, 1, 1]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = (bytes([0x02, 0, 0, 0, 1, 1]) + bytes([0x02, 0, 0, 0, 0, q + 1]) +
           b"\x08\x00")
    return eth + ip + udp

for q in range(4):
    with open("q%d.pcap" % q, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for n in range(1000 + 250 * q):
            b = frame(q, n)
            f.write(struct.pack("<IIII", 1, n, len(b), len(b)) + b)
EOF

cat >scaling.ini <<'EOF'
[dpmirror]
mode = inline
burst = 32
mirror_pool = 65536
stats_interval = 0

[port in]
device = net_pcap0,rx_pcap=q0.pcap,rx_pcap=q1.pcap,rx_pcap=q2.pcap,rx_pcap=q3.pcap
rx_queues = 4
peer = fwd

[port fwd]
device = net_pcap1,tx_pcap=fwd.0.pcap,tx_pcap=fwd.1.pcap,tx_pcap=fwd.2.pcap,tx_pcap=fwd.3.pcap

[port coll]
device = net_pcap2,tx_pcap=coll.0.pcap,tx_pcap=coll.1.pcap,tx_pcap=coll.2.pcap,tx_pcap=coll.3.pcap
mtu = 9000

[collector c]
port = coll
encap = gre
seq = yes
key = 12
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
local_mac = 02:00:00:00:02:01

[session all]
sources = in:rx
collector = c
EOF
n_in=$((1000 + 1250 + 1500 + 1750))

# shellcheck disable=SC2206  # the EAL's lcore option, split into words
lcores=(${SCALING_LCORES:---lcores 0@0,(1-4)@1})
t0=$SECONDS
"$dpmirror" --no-huge -m 1024 --no-pci --file-prefix "$prefix" \
	"${lcores[@]}" --log-level '*:notice' -- -c scaling.ini \
	--stats-json stats.json >dpmirror.out 2>dpmirror.err &
pid=$!
if ! lib_wait_started dpmirror.out "$pid"; then
	show_logs
	bad "dpmirror started with four workers"
	summary scaling
	exit 1
fi
started=$(grep -m1 '^dpmirror: .* worker(s)' dpmirror.out)
check "dpmirror started four workers: $started" \
	grep -q ' 4 worker(s)' <<<"$started"

# Until every frame of the four files has been received (20 s at most).
rx=-1
deadline=$((SECONDS + 20))
while [ "$SECONDS" -lt "$deadline" ]; do
	stats_now "$pid" stats.json || break
	rx=$("$py" -c 'import json, sys
print(json.load(open(sys.argv[1]))["ports"]["in"]["rx_packets"])' \
		stats.json 2>/dev/null)
	[ "$rx" = "$n_in" ] && break
	sleep 0.2
done
check "dpmirror received $rx/$n_in frames" [ "$rx" = "$n_in" ]
rc=0
stop_pid "$pid" TERM || rc=$?
pid=
if ! check "dpmirror exited 0 after SIGTERM (got $rc)" [ "$rc" -eq 0 ]; then
	show_logs
fi

# The copies as tshark reads them: GRE sequence number of each.
for w in 0 1 2 3; do
	if ! tshark -r "coll.$w.pcap" -T fields -e gre.sequence_number \
		>"seq.$w.txt" 2>"seq.$w.err"; then
		cat "seq.$w.err"
		bad "tshark reads coll.$w.pcap"
	fi
	"$ctl" collect -r "coll.$w.pcap" -w "plain.$w.pcap" \
		2>"collect.$w.rep"
	check "collect -r coll.$w.pcap: $(tr '\n' ' ' <"collect.$w.rep")" \
		[ -s "plain.$w.pcap" ]
done

if "$py" - "$n_in" >verify.log 2>&1 <<'EOF'; then
import json, struct, sys

n_in = int(sys.argv[1])
fails = 0

def check(what, cond):
    global fails
    print(("ok   " if cond else "FAIL ") + what)
    fails += 0 if cond else 1

def frames(path):
    """The frames of a classic pcap file (micro- or nanosecond)."""
    with open(path, "rb") as f:
        b = f.read()
    magic = struct.unpack("<I", b[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        raise ValueError("%s: not a little-endian pcap file" % path)
    out, o = [], 24
    while o + 16 <= len(b):
        incl = struct.unpack("<I", b[o + 8:o + 12])[0]
        out.append(b[o + 16:o + 16 + incl])
        o += 16 + incl
    return out

queues = [frames("q%d.pcap" % q) for q in range(4)]
orig = {}
for q in range(4):
    for f in queues[q]:
        orig[f] = orig.get(f, 0) + 1
check("the %d input frames are distinct" % n_in,
      len(orig) == n_in and sum(len(x) for x in queues) == n_in)

st = json.load(open("stats.json"))
workers = st["workers"]
check("--stats-json has 4 workers (lcores %s)" %
      [w["lcore"] for w in workers], len(workers) == 4)

# Worker i: its forwarded file and its copies hold one queue's frames in
# order, and its packet counter is that queue's count.
seen_q = []
for i, w in enumerate(workers[:4]):
    fwd = frames("fwd.%d.pcap" % i)
    plain = frames("plain.%d.pcap" % i)
    q = next((q for q in range(4) if queues[q] == fwd), None)
    check("worker %d (lcore %d): fwd.%d.pcap is queue %s's %d frames, "
          "in order" % (i, w["lcore"], i, q, len(fwd)), q is not None)
    if q is None:
        continue
    seen_q.append(q)
    check("worker %d: packets %d = queue %d's %d frames" %
          (i, w["packets"], q, len(queues[q])),
          w["packets"] == len(queues[q]) and w["packets"] > 0)
    check("worker %d: its copies (collect -r coll.%d.pcap) are queue %d's "
          "%d frames, in order" % (i, i, q, len(plain)), plain == queues[q])
check("every queue is polled, each by one worker (%s)" % seen_q,
      sorted(seen_q) == [0, 1, 2, 3])

# Conservation.
p_in, p_fwd, p_coll = (st["ports"][p] for p in ("in", "fwd", "coll"))
check("in rx %d = fwd tx %d + fwd tx_dropped %d" %
      (p_in["rx_packets"], p_fwd["tx_packets"], p_fwd["tx_dropped"]),
      p_in["rx_packets"] == p_fwd["tx_packets"] + p_fwd["tx_dropped"])
check("in rx_missed %d, rx_errors %d" %
      (p_in["rx_missed"], p_in["rx_errors"]),
      p_in["rx_missed"] == 0 and p_in["rx_errors"] == 0)
s = st["sessions"]["all"]
drops = sum(s["dropped"].values())
check("session: matched %d = mirrored %d + dropped %d %s" %
      (s["matched"], s["mirrored"], drops, s["dropped"]),
      s["matched"] == s["mirrored"] + drops)
check("session: matched %d = %d frames, nothing dropped" %
      (s["matched"], n_in), s["matched"] == n_in and drops == 0)
c = st["collectors"]["c"]
check("collector: packets %d, next_seq %d = mirrored %d; coll tx %d" %
      (c["packets"], c["next_seq"], s["mirrored"], p_coll["tx_packets"]),
      c["packets"] == s["mirrored"] and c["next_seq"] == s["mirrored"] and
      p_coll["tx_packets"] == s["mirrored"])

# No copy duplicated or lost: sequence numbers and inner frames.
seqs = []
for i in range(4):
    with open("seq.%d.txt" % i) as f:
        seqs += [int(l) for l in f if l.strip()]
check("GRE sequence numbers of the 4 copy files: %d, each of 0..%d "
      "(mirrored - 1) exactly once" % (len(seqs), s["mirrored"] - 1),
      sorted(seqs) == list(range(s["mirrored"])))
for name, files in (("copies (collect -r)", "plain.%d.pcap"),
                    ("forwarded originals", "fwd.%d.pcap")):
    got = {}
    for i in range(4):
        for f in frames(files % i):
            got[f] = got.get(f, 0) + 1
    dup = sum(1 for f in got if got[f] > 1)
    lost = sum(1 for f in orig if f not in got)
    extra = sum(1 for f in got if f not in orig)
    check("%s: %d frames, every original byte for byte exactly once "
          "(duplicated %d, lost %d, unknown %d)" %
          (name, sum(got.values()), dup, lost, extra),
          got == orig)
sys.exit(1 if fails else 0)
EOF
	ok "the copies and counters of four workers check out"
else
	bad "the copies and counters of four workers check out"
fi
sed 's/^/  /' verify.log
grep -q '^FAIL' verify.log && show_logs
echo "scaling: $((SECONDS - t0)) s"
summary scaling
