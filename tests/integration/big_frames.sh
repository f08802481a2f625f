#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Frames over 64 KiB (BIG TCP / GRO super-frames: IPv4 and IPv6, plain and
# inside VxLAN and Geneve) and their neighbours through dpmirror on
# net_pcap ports.  net_pcap delivers such frames as long mbuf chains, and
# for some lengths as chains whose pkt_len disagrees with their segments
# (it keeps 16 bits of the length).  dpmirror must not crash: it forwards
# every consistent chain untouched, drops the others counted as
# rx_invalid, and mirrors what it forwards (copy, clone or too_big) with
# every counter adding up.
#
# Environment: DPMIRROR (default: build/dpmirror under the source root),
# DPM_SRCDIR.  Exit: 0 pass, 1 fail, 77 skip (no scapy or tshark).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
py=/usr/bin/python3
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh" # catches_usr1
prefix="dpm-big-$$"

if ! command -v tshark >/dev/null 2>&1; then
	echo "big_frames: SKIP: tshark not found"
	exit 77
fi
if ! "$py" -c 'import scapy.all' >/dev/null 2>&1; then
	echo "big_frames: SKIP: scapy for $py not found"
	exit 77
fi

work=$(mktemp -d /tmp/dpm-big-frames.XXXXXX)
pid=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$work"; rm -rf "/var/run/dpdk/$prefix"
}
trap cleanup EXIT

fail() {
	echo "big_frames: FAIL: $*"
	if [ -f "$work/dpmirror.err" ]; then
		echo "--- dpmirror stderr (last 20 lines)"
		tail -n 20 "$work/dpmirror.err"
	fi
	exit 1
}

cd "$work"
"$py" - <<'EOF'
from scapy.all import Ether, IP, IPv6, TCP, UDP, VXLAN, Raw, wrpcap
from scapy.contrib.geneve import GENEVE

e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")


def pad(p, n, tag):
    body = bytes((tag + i * 7) & 0xff for i in range(n - len(p)))
    return bytes(p / Raw(body))


def tcp4(n, tag):
    # Over 64 KiB the IPv4 total length cannot say it: 0, as BIG TCP does.
    ln = n - 14 if n - 14 <= 65535 else 0
    return pad(e / IP(src="198.18.0.1", dst="198.18.0.2", len=ln) /
               TCP(sport=40000, dport=80, flags="A"), n, tag)


def tcp6(n, tag):
    pl = n - 54 if n - 54 <= 65535 else 0
    return pad(e / IPv6(src="fd00::1", dst="fd00::2", plen=pl) /
               TCP(sport=40000, dport=443, flags="A"), n, tag)


inner = e / IP(src="198.18.0.3", dst="198.18.0.4", len=0) / TCP(dport=80)
frames = [
    pad(e / IP(src="198.18.0.1", dst="198.18.0.2") / UDP(sport=40000, dport=7777), 64, 1),
    tcp4(66000, 2),
    tcp6(70000, 3),
    pad(e / IP(src="198.18.1.1", dst="198.18.1.2", len=0) /
        UDP(sport=49200, dport=4789, len=0) / VXLAN(vni=7, flags=8) / inner,
        66000, 4),
    pad(e / IPv6(src="fd00::5", dst="fd00::6", plen=0) /
        UDP(sport=49200, dport=6081, len=0) / GENEVE(vni=9, proto=0x6558) /
        inner, 70000, 5),
    tcp4(65535, 6),
    tcp6(65536, 7),
    tcp4(131072, 8),
    tcp4(9000, 9),
    tcp6(8950, 10),
    tcp4(1514, 11),
    tcp6(1515, 12),
    tcp4(60, 13),
]
wrpcap("in.pcap", [Ether(f) for f in frames], snaplen=262144)
EOF
n_in=13

cat >big.ini <<EOF
[dpmirror]
mode = inline
stats_interval = 0
[port in]
device = net_pcap0,rx_pcap=$work/in.pcap
peer = fwd
[port fwd]
device = net_pcap1,tx_pcap=$work/fwd.pcap
[port mir]
device = net_pcap2,tx_pcap=$work/mir.pcap
tx_multiseg = yes
mtu = 9000
[collector c4]
port = mir
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
vni = 100
[collector c6]
port = mir
remote_ip = fd00:1::3
local_ip = fd00:1::10
remote_mac = 02:00:00:00:01:03
vni = 200
[session all]
sources = in:rx
collector = c4
[session cut]
sources = in:rx
collector = c6
snaplen = 200
EOF

rx_of() {
	"$py" -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["ports"]["in"]["rx_packets"])
except Exception: print(-1)' stats.json
}

"$dpmirror" --no-huge -m 512 --no-pci --file-prefix "$prefix" -l 0,1 \
	--log-level '*:notice' -- -c big.ini --stats-json stats.json \
	>dpmirror.out 2>dpmirror.err &
pid=$!
deadline=$((SECONDS + 30))
rx=-1
while [ "$rx" != "$n_in" ]; do
	if ! kill -0 "$pid" 2>/dev/null; then
		rc=0
		wait "$pid" || rc=$?
		pid=
		fail "dpmirror died with status $rc before reading every frame"
	fi
	[ "$SECONDS" -lt "$deadline" ] ||
		fail "in.rx_packets is $rx after 30 s, expected $n_in"
	catches_usr1 "$pid" && kill -USR1 "$pid" 2>/dev/null
	sleep 0.2
	rx=$(rx_of)
done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || fail "dpmirror exited with status $rc, expected 0"
[ ! -e "/var/run/dpdk/$prefix" ] ||
	fail "dpmirror left its runtime directory /var/run/dpdk/$prefix"

"$py" - "$n_in" <<'EOF'
import json, struct, subprocess, sys
from scapy.all import Ether, IP, IPv6, VXLAN

n_in = int(sys.argv[1])
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what + (": " + detail if detail else ""))


def records(path):
    """(bytes, original length) of each record; scapy's reader cuts at 64K."""
    with open(path, "rb") as f:
        data = f.read()
    end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, cap, wire = struct.unpack(end + "IIII", data[off:off + 16])
        out.append((data[off + 16:off + 16 + cap], wire))
        off += 16 + cap
    return out


inp = [d for d, _ in records("in.pcap")]
fwd = records("fwd.pcap")
mir = records("mir.pcap")
st = json.load(open("stats.json"))
p, s = st["ports"], st["sessions"]
inv = p["in"]["rx_invalid"]

check("in.rx_packets = %d" % n_in, p["in"]["rx_packets"] == n_in,
      str(p["in"]["rx_packets"]))
check("every frame forwarded or counted rx_invalid",
      p["fwd"]["fwd_packets"] + inv == n_in,
      "fwd %d + invalid %d" % (p["fwd"]["fwd_packets"], inv))
check("fwd.pcap holds the forwarded frames", len(fwd) == p["fwd"]["fwd_packets"],
      "%d records" % len(fwd))
# Forwarded frames are input frames, in order, whole (net_pcap's writer
# keeps at most 16128 bytes of a chained frame, but records its length).
k = 0
dropped = []
for i, f in enumerate(inp):
    if k < len(fwd) and fwd[k][1] == len(f) and f.startswith(fwd[k][0]) \
            and len(fwd[k][0]) >= min(len(f), 16128):
        k += 1
    else:
        dropped.append(i)
check("forwarded frames are the input's, in order, untouched", k == len(fwd),
      "matched %d of %d" % (k, len(fwd)))
check("only frames over 64 KiB may be dropped",
      all(len(inp[i]) > 65535 for i in dropped),
      "dropped lengths %s" % [len(inp[i]) for i in dropped])
check("the dropped ones are the rx_invalid ones", len(dropped) == inv,
      "%d vs %d" % (len(dropped), inv))
check("frames up to 65535 bytes all forwarded",
      sum(1 for f in inp if len(f) <= 65535) <=
      sum(1 for _, w in fwd if w <= 65535))

fwd_lens = [w for _, w in fwd]
for name, sess in s.items():
    d = sess["dropped"]
    check("session %s: matched = forwarded frames" % name,
          sess["matched"] == len(fwd), str(sess["matched"]))
    check("session %s: matched = mirrored + dropped" % name,
          sess["matched"] == sess["mirrored"] + sum(d.values()))
big = sum(1 for w in fwd_lens if w + 50 > 9014)
check("session all: copies of frames over MTU 9000 are too_big",
      s["all"]["dropped"]["too_big"] == big and
      s["all"]["mirrored"] == len(fwd) - big,
      json.dumps(s["all"]))
check("session cut: every frame mirrored (cut to 200)",
      s["cut"]["mirrored"] == len(fwd), json.dumps(s["cut"]))
check("mir.pcap holds every copy",
      len(mir) == s["all"]["mirrored"] + s["cut"]["mirrored"],
      "%d records" % len(mir))

# Each copy: outer header to its collector, inner = the frame's prefix.
src = [inp[i] for i in range(len(inp)) if i not in dropped]
ok_all = ok_cut = 0
problems = []
for data, wire in mir:
    pkt = Ether(data)
    vx = pkt.getlayer(VXLAN)
    if vx is None:
        problems.append("a copy without VxLAN")
        continue
    inner = bytes(vx.payload)
    if vx.vni == 100 and IP in pkt and any(inner == f for f in src):
        ok_all += 1
    elif vx.vni == 200 and IPv6 in pkt and any(inner == f[:200] for f in src):
        ok_cut += 1
    else:
        problems.append("vni %s, %d inner bytes match no frame" %
                        (vx.vni, len(inner)))
check("copies of session all carry whole frames", ok_all == s["all"]["mirrored"],
      "; ".join(problems[:3]))
check("copies of session cut carry 200-byte prefixes",
      ok_cut == s["cut"]["mirrored"], "; ".join(problems[:3]))
out = subprocess.run(["tshark", "-r", "mir.pcap", "-Y",
                      "vxlan.vni == 100 && _ws.malformed"],
                     capture_output=True, text=True)
check("tshark: no malformed whole-frame copy",
      out.returncode == 0 and out.stdout.strip() == "",
      out.stdout[:200] + out.stderr[:200])
print("big_frames: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
