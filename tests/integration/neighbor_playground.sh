#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# remote_mac = auto in the playground (dpmirrorctl playground up): dpmirror
# in tap mode on the span port P-span, copies out of P-out (net_af_packet,
# qpairs=2: a queue pair for the worker's copies, one for the control
# thread) to h2, whose kernel answers ARP and Neighbour Discovery on eth1:
#   c4  VXLAN over IPv4 to 198.18.1.3 (VNI 100: h2's vxlan0 takes them)
#   c6  VXLAN over IPv6 to fd00:1::3, an address this script gives eth1
#       (VNI 6: h2's vx6, which this script adds, takes them)
# Checked, while h1 pings the host 50 times a second:
#   - /dpmirror/collectors,c4 and ,c6 (dpdk-telemetry.py) say "resolved"
#     with h2's eth1 MAC 02:00:00:00:01:03; the log names the change;
#   - h2's eth1 MAC changes under traffic (arp_notify and ndisc_notify
#     announce it): both collectors follow it, in the telemetry and the
#     log, without a restart;
#   - every copy h2's eth1 captured decodes as VXLAN (tshark) from P-out's
#     MAC and local_ip, with the collector's VNI and an inner Ethernet
#     frame; at least 20 copies of pings per collector go to the old MAC,
#     then 20 to the new one, none to the old one after the first to the
#     new one, none to a zero MAC;
#   - h2's vxlan0 and vx6 decapsulate the copies (its kernel took them);
#   - at exit (SIGINT), per session matched = mirrored + dropped;
#   - after playground down no namespace or link with the prefix remains.
# Root only (exit 77 otherwise); about 7 s.  Addresses in 198.18.0.0/15
# and fd00::/8, in namespaces the playground makes and removes.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
DPMIRROR=${DPMIRROR:-$top/build/dpmirror}
CTL=${DPMIRRORCTL:-$top/build/dpmirrorctl}
PY=/usr/bin/python3
telemetry=${DPDK_TELEMETRY:-/usr/bin/dpdk-telemetry.py}
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "neighbor_playground: skipped, needs root"
	exit 77
fi
for t in tcpdump tshark ping "$PY" "$telemetry"; do
	if ! command -v "$t" >/dev/null; then
		echo "neighbor_playground: skipped, $t is missing"
		exit 77
	fi
done

P=np$(printf %04d $((RANDOM % 10000)))
H1=$P-h1
H2=$P-h2
prefix=dpm-$P
work=$(mktemp -d /tmp/dpm-npg.XXXXXX)
export DPMIRROR_RUNDIR=$work/run
MAC1=02:00:00:00:01:03 # the playground's fixed MAC of h2's eth1
MAC2=02:00:00:00:01:33
OUTMAC=02:00:00:00:01:0A # P-out's
dp=
bg=()

leftovers() { # namespaces and links with the prefix
	{
		ip netns list | awk '{print $1}'
		ip -br link | awk '{print $1}' | sed 's/@.*//'
	} | grep "^$P-"
}

# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	local p
	[ -n "$dp" ] && stop_pid "$dp" KILL
	for p in "${bg[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$CTL" playground down --prefix "$P" >/dev/null 2>&1
	rm -rf "/var/run/dpdk/$prefix"
	[ -n "${DPM_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the playground, and h2's eth1 made to announce a MAC change ----
setup() {
	"$CTL" playground up --prefix "$P" >"$work/pg.log" 2>&1 &&
		ip netns exec "$H2" sysctl -qw net.ipv4.conf.eth1.arp_notify=1 &&
		ip netns exec "$H2" sysctl -qw net.ipv6.conf.eth1.ndisc_notify=1 &&
		ip -n "$H2" addr add fd00:1::3/64 dev eth1 nodad &&
		ip -n "$H2" link add vx6 type vxlan id 6 local fd00:1::3 \
			dev eth1 dstport 4789 &&
		ip -n "$H2" link set dev vx6 up
}
if ! setup; then
	cat "$work/pg.log"
	bad "playground up, h2's eth1 with fd00:1::3 and arp_notify / ndisc_notify, vx6"
	summary neighbor_playground
	exit 1
fi
ok "playground $P up; h2's eth1 has 198.18.1.3, fd00:1::3 and MAC $MAC1; vx6 (VNI 6 over IPv6)"

cat >"$work/np.ini" <<EOF
[dpmirror]
mode = tap
stats_interval = 0
[port span]
device = net_af_packet0,iface=$P-span
[port out]
device = net_af_packet1,iface=$P-out,qpairs=2
mtu = 1600
[collector c4]
port = out
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = auto
vni = 100
[collector c6]
port = out
remote_ip = fd00:1::3
local_ip = fd00:1::10
remote_mac = auto
vni = 6
[session s4]
sources = span:rx
collector = c4
[session s6]
sources = span:rx
collector = c6
EOF
check "dpmirrorctl check accepts the configuration" \
	"$CTL" check "$work/np.ini"

# capture NAME IFACE SNAPLEN: in h2, in the background, bounded.
capture() {
	ip netns exec "$H2" timeout 60 tcpdump --immediate-mode -i "$2" -U -n \
		-s "$3" -w "$work/$1.pcap" >"$work/$1.tcpdump" 2>&1 &
	bg+=($!)
	for _ in $(seq 1 50); do
		grep -q "listening on" "$work/$1.tcpdump" && return 0
		sleep 0.1
	done
	cat "$work/$1.tcpdump"
	return 1
}
capture eth1 eth1 256 || bad "tcpdump on h2's eth1"
capture vx vxlan0 256 || bad "tcpdump on h2's vxlan0"
capture vx6 vx6 256 || bad "tcpdump on h2's vx6"

"$DPMIRROR" --no-huge -m 512 --no-pci -l 0,1 --file-prefix "$prefix" \
	--log-level '*:notice' -- -c "$work/np.ini" \
	--stats-json "$work/stats.json" >"$work/dp.log" 2>&1 &
dp=$!
if ! lib_wait_started "$work/dp.log" "$dp"; then
	cat "$work/dp.log"
	bad "dpmirror starts on $P-span and $P-out with two remote_mac = auto collectors"
	dp=
	summary neighbor_playground
	exit 1
fi
ok "dpmirror starts on $P-span and $P-out with two remote_mac = auto collectors"

# h1 pings the host (P-br0) 50 times a second for the whole test: the span
# port sees each request and reply.
ip netns exec "$H1" timeout 40 ping -q -i 0.02 198.18.0.1 >/dev/null 2>&1 &
bg+=($!)

# coll NAME, wait_coll NAME "STATE MAC" SECONDS: lib.sh's, for this dpmirror.
coll() { lib_coll "$telemetry" "$prefix" "$1"; }
wait_coll() { lib_wait_coll "$telemetry" "$prefix" "$@"; }

# logged NAME NEXT-HOP FROM TO: dpmirror's line for that change.
logged() {
	grep -qF "collector $1: next hop $2 on port out: MAC $3 -> $4, resolved" \
		"$work/dp.log"
}

check "c4 (IPv4, ARP): /dpmirror/collectors,c4 says resolved $MAC1" \
	wait_coll c4 "resolved $MAC1" 5
check "c6 (IPv6, ND): /dpmirror/collectors,c6 says resolved $MAC1" \
	wait_coll c6 "resolved $MAC1" 5
for c in c4 c6; do
	printf '/dpmirror/collectors,%s\n' "$c" |
		"$telemetry" -f "$prefix" 2>/dev/null | grep '^{' >"$work/$c.json"
done
check "the log says c4: MAC none -> $MAC1" \
	logged c4 198.18.1.3 none "$MAC1"
check "the log says c6: MAC none -> $MAC1" \
	logged c6 fd00:1::3 none "$MAC1"
sleep 1

# h2's eth1 changes its MAC under traffic; the kernel announces it.
ip -n "$H2" link set dev eth1 address "$MAC2"
check "c4 follows h2's new MAC $MAC2 without a restart" \
	wait_coll c4 "resolved $MAC2" 5
check "c6 follows h2's new MAC $MAC2 without a restart" \
	wait_coll c6 "resolved $MAC2" 5
check "the log says c4: MAC $MAC1 -> $MAC2" \
	logged c4 198.18.1.3 "$MAC1" "$MAC2"
check "the log says c6: MAC $MAC1 -> $MAC2" \
	logged c6 fd00:1::3 "$MAC1" "$MAC2"
check "dpmirror is the same process throughout (pid $dp)" \
	kill -0 "$dp"
sleep 1

kill -INT "${bg[3]}" 2>/dev/null
sleep 0.3
rc=0
stop_pid "$dp" INT || rc=$?
dp=
check "dpmirror exits 0 on SIGINT" [ "$rc" -eq 0 ]
sleep 0.5
kill -INT "${bg[0]}" "${bg[1]}" "${bg[2]}" 2>/dev/null
wait "${bg[0]}" "${bg[1]}" "${bg[2]}" 2>/dev/null
bg=()

# Every frame to UDP port 4789 that h2's eth1 saw (not an ICMP error
# quoting one), as tshark decodes it: outer Ethernet, outer IP source,
# VXLAN VNI, the protocols of the frame, inner ICMP type (h1's pings; h1
# may also send ARP or IGMP while the span port listens).
tshark -r "$work/eth1.pcap" -Y 'udp.dstport == 4789 && !icmpv6 && !(icmp.type == 3)' \
	-T fields -E occurrence=f -e eth.dst -e eth.src -e ip.src -e ipv6.src \
	-e vxlan.vni -e frame.protocols -e icmp.type \
	>"$work/eth1.txt" 2>"$work/tshark.err"
check "tshark reads h2's eth1 capture" [ -s "$work/eth1.txt" ]
check "the copies reach h2 at its MAC and follow its change; all VXLAN; nothing to 00:00:00:00:00:00" \
	"$PY" - "$work/eth1.txt" "$MAC1" "$MAC2" "$OUTMAC" <<'EOF'
import sys
path, m1, m2, src = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].lower()
m1, m2 = m1.lower(), m2.lower()
# VNI: collector, its local_ip, the field with the outer source address
want = {"100": ("c4", "198.18.1.10", 2), "6": ("c6", "fd00:1::10", 3)}
seq = {"c4": [], "c6": []}      # destination MACs of each one's copies
echo = {"c4": [], "c6": []}     # ... of those that carry a ping
ok = True
bad = 0
def fail(msg):
    global ok, bad
    ok = False
    bad += 1
    if bad <= 5:
        print("  " + msg)
for l in open(path):
    f = (l.rstrip("\n").split("\t") + [""] * 7)[:7]
    dst, esrc, vni, protos, icmp = f[0], f[1], f[4], f[5], f[6]
    if vni not in want:
        fail("not a copy of c4 or c6 (VXLAN VNI 100 / 6): %r" % f)
        continue
    name, lip, col = want[vni]
    if esrc != src or f[col] != lip:
        fail("%s: from %s %s, want %s %s" % (name, esrc, f[col], src, lip))
    if ":udp:vxlan:eth:ethertype:" not in protos:
        fail("%s: not an Ethernet frame in VXLAN: %s" % (name, protos))
    if dst == "00:00:00:00:00:00":
        fail("%s: a copy to 00:00:00:00:00:00" % name)
    elif dst not in (m1, m2):
        fail("%s: a copy to %s, neither %s nor %s" % (name, dst, m1, m2))
    seq[name].append(dst)
    if icmp in ("0", "8"):
        echo[name].append(dst)
for name, s in seq.items():
    n1, n2 = echo[name].count(m1), echo[name].count(m2)
    first2 = s.index(m2) if m2 in s else len(s)
    late1 = s[first2:].count(m1)
    print("  %s: %d copies (%d of pings to %s, then %d to %s); %d to the "
          "old MAC after the first to the new one" %
          (name, len(s), n1, m1, n2, m2, late1))
    if n1 < 20 or n2 < 20:
        fail("%s: fewer than 20 copies of pings to either MAC" % name)
    if late1:
        fail("%s: copies to the old MAC after the switch" % name)
sys.exit(0 if ok else 1)
EOF
check "h2's vxlan0 decapsulated c4's copies (at least 40 ICMP frames)" \
	test "$(tshark -r "$work/vx.pcap" -Y icmp 2>/dev/null | wc -l)" -ge 40
check "h2's vx6 decapsulated c6's copies (at least 40 ICMP frames)" \
	test "$(tshark -r "$work/vx6.pcap" -Y icmp 2>/dev/null | wc -l)" -ge 40

check "at exit: matched = mirrored + dropped per session, copies sent" \
	"$PY" - "$work/stats.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["sessions"]
ok = len(s) == 2
for name, c in sorted(s.items()):
    d = c["dropped"]
    print("  %s: matched %d mirrored %d dropped %s" %
          (name, c["matched"], c["mirrored"], d))
    if c["matched"] != c["mirrored"] + sum(d.values()) or \
            c["mirrored"] < 100:
        ok = False
    if d["no_mbuf"] or d["tx_full"] or d["too_big"] or d["rate_limited"]:
        ok = False
sys.exit(0 if ok else 1)
EOF

check "the telemetry reply of c6 has remote_mac auto, its next hop, the MAC and the state" \
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))["/dpmirror/collectors"]
assert d["remote_mac"] == "auto" and d["next_hop"] == "fd00:1::3", d
assert d["local_mac"] == sys.argv[3], d
assert d["neighbor"] == "resolved" and d["mac"] == sys.argv[2], d' \
	"$work/c6.json" "$MAC1" "$OUTMAC"

"$CTL" playground down --prefix "$P" >/dev/null 2>&1
check "after playground down nothing with prefix $P is left" \
	[ -z "$(leftovers)" ]
if [ "$lib_failed" -ne 0 ]; then
	echo "---- dpmirror log"
	cat "$work/dp.log"
fi
summary neighbor_playground
