#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# remote_mac = auto end to end (DESIGN section 8, Neighbours).
#
# Two namespaces this script makes: h1 sends ICMP echo requests into
# dpmirror's port "a" (net_af_packet, tap mode); h2's kernel is the next
# hop of three collectors on port "out" (net_af_packet, qpairs=2: one
# queue pair for the worker's copies, one for the control thread):
#   c4  VXLAN over IPv4 to 198.18.1.3, resolved by ARP
#   c6  VXLAN over IPv6 to fd00:1::3, resolved by Neighbour Discovery
#   cx  VXLAN to 198.18.1.99 by next_hop 198.18.1.98, which nobody has at
#       first: its copies are counted as no_neighbor, the entry goes
#       pending -> failed, and once h2 takes 198.18.1.98 it is found again
#       without a restart.
# Checked:
#   - /dpmirror/collectors,c4 and ,c6 (dpdk-telemetry.py) say "resolved"
#     with h2's MAC, cx "failed" with no MAC; the log names each change;
#   - copies of c4 and c6 reach h2 addressed to h2's MAC; no frame is ever
#     sent to 00:00:00:00:00:00;
#   - h2's MAC changes while traffic flows (arp_notify and ndisc_notify
#     announce it): both collectors follow it without a restart, and from
#     the first copy to the new MAC on, none goes to the old one;
#   - a reload keeps the MACs resolved (ctl_neigh_carry): no no_neighbor
#     drop across it;
#   - at exit, for every session matched = mirrored + dropped; cx's copies
#     before its next hop answered are dropped as no_neighbor.
# Root only (exit 77 otherwise); about 25 s.  Addresses in 198.18.0.0/15
# and fd00::/8, namespaces and links removed on exit.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
DPMIRROR=${DPMIRROR:-$top/build/dpmirror}
PY=/usr/bin/python3
telemetry=${DPDK_TELEMETRY:-/usr/bin/dpdk-telemetry.py}
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "neighbor: skipped, needs root"
	exit 77
fi
for t in tcpdump ping "$PY" "$telemetry"; do
	if ! command -v "$t" >/dev/null; then
		echo "neighbor: skipped, $t is missing"
		exit 77
	fi
done

P=nb$(printf %04d $((RANDOM % 10000)))
H1=$P-h1
H2=$P-h2
prefix=dpm-$P
work=$(mktemp -d /tmp/dpm-neigh.XXXXXX)
export DPMIRROR_RUNDIR=$work/run
MAC1=02:00:00:00:02:01
MAC2=02:00:00:00:02:02
dp=
bg=()

# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	local p
	[ -n "$dp" ] && stop_pid "$dp" KILL
	for p in "${bg[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip link del "$P-a" 2>/dev/null
	ip link del "$P-o" 2>/dev/null
	ip netns del "$H1" 2>/dev/null
	ip netns del "$H2" 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix"
	[ -n "${DPM_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the namespaces ----
setup() {
	ip netns add "$H1" && ip netns add "$H2" &&
		ip link add "$P-a" type veth peer name eth0 netns "$H1" &&
		ip link add "$P-o" type veth peer name eth0 netns "$H2" || return 1
	# dpmirror's side: no addresses, no IPv6 chatter of its own.
	for l in "$P-a" "$P-o"; do
		sysctl -qw "net.ipv6.conf.$l.disable_ipv6=1" &&
			ip link set dev "$l" up || return 1
	done
	ip -n "$H1" addr add 198.18.0.2/24 dev eth0 &&
		ip -n "$H1" link set dev eth0 up &&
		ip -n "$H1" neigh add 198.18.0.1 lladdr 02:00:00:00:00:01 \
			dev eth0 nud permanent || return 1
	# h2 announces a changed MAC by gratuitous ARP and unsolicited NA.
	ip netns exec "$H2" sysctl -qw net.ipv4.conf.eth0.arp_notify=1 &&
		ip netns exec "$H2" sysctl -qw net.ipv6.conf.eth0.ndisc_notify=1 &&
		ip -n "$H2" link set dev eth0 address "$MAC1" &&
		ip -n "$H2" addr add 198.18.1.3/24 dev eth0 &&
		ip -n "$H2" addr add fd00:1::3/64 dev eth0 nodad &&
		ip -n "$H2" link set dev eth0 up
}
if ! setup; then
	bad "namespaces and links set up"
	summary neighbor
	exit 1
fi

cat >"$work/nb.ini" <<EOF
[dpmirror]
mode = tap
stats_interval = 0
[port a]
device = net_af_packet0,iface=$P-a
[port out]
device = net_af_packet1,iface=$P-o,qpairs=2
[collector c4]
port = out
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = auto
vni = 4
[collector c6]
port = out
remote_ip = fd00:1::3
local_ip = fd00:1::10
remote_mac = auto
vni = 6
[collector cx]
port = out
remote_ip = 198.18.1.99
local_ip = 198.18.1.10
remote_mac = auto
next_hop = 198.18.1.98
vni = 9
[session s4]
sources = a:rx
collector = c4
[session s6]
sources = a:rx
collector = c6
[session sx]
sources = a:rx
collector = cx
EOF

# Everything h2's eth0 receives, with its Ethernet header.
ip netns exec "$H2" timeout 60 tcpdump --immediate-mode -i eth0 -U -n \
	-s 128 -w "$work/h2.pcap" >"$work/tcpdump.log" 2>&1 &
bg+=($!)
for _ in $(seq 1 50); do
	grep -q "listening on" "$work/tcpdump.log" && break
	sleep 0.1
done

"$DPMIRROR" --no-huge -m 512 --no-pci -l 0,1 --file-prefix "$prefix" \
	--log-level '*:notice' -- -c "$work/nb.ini" \
	--stats-json "$work/stats.json" >"$work/dp.log" 2>&1 &
dp=$!
if ! lib_wait_started "$work/dp.log" "$dp"; then
	cat "$work/dp.log"
	bad "dpmirror starts with three remote_mac = auto collectors"
	dp=
	summary neighbor
	exit 1
fi
ok "dpmirror starts with three remote_mac = auto collectors"

# 50 echo requests a second from h1 through port a, for the whole test.
ip netns exec "$H1" timeout 50 ping -q -i 0.02 198.18.0.1 >/dev/null 2>&1 &
bg+=($!)

# coll NAME, wait_coll NAME "STATE MAC" SECONDS: lib.sh's, for this dpmirror.
coll() { lib_coll "$telemetry" "$prefix" "$1"; }
wait_coll() { lib_wait_coll "$telemetry" "$prefix" "$@"; }

check "c4 (IPv4, ARP): /dpmirror/collectors,c4 says resolved $MAC1" \
	wait_coll c4 "resolved $MAC1" 5
check "c6 (IPv6, ND): /dpmirror/collectors,c6 says resolved $MAC1" \
	wait_coll c6 "resolved $MAC1" 5
check "cx (next hop 198.18.1.98 silent): pending, then failed after 3 tries" \
	wait_coll cx "failed 00:00:00:00:00:00" 8
printf '/dpmirror/collectors,c4\n' | "$telemetry" -f "$prefix" 2>/dev/null |
	grep '^{' >"$work/c4.json"
check "the log says c4, c6 and cx changed (MAC none -> ...)" \
	grep -q "collector c4: next hop 198.18.1.3 on port out: MAC none -> $MAC1, resolved" "$work/dp.log"
check "  ... c6 by ND" \
	grep -q "collector c6: next hop fd00:1::3 on port out: MAC none -> $MAC1, resolved" "$work/dp.log"
check "  ... cx failed" \
	grep -q "collector cx: next hop 198.18.1.98 on port out: no answer, failed (its copies are dropped as no_neighbor)" "$work/dp.log"
sleep 1

# h2's MAC changes under traffic: dpmirror hears the announcements.
ip -n "$H2" link set dev eth0 address "$MAC2"
check "c4 follows h2's new MAC $MAC2 without a restart" \
	wait_coll c4 "resolved $MAC2" 5
check "  ... and says so in the log" \
	grep -q "collector c4: next hop 198.18.1.3 on port out: MAC $MAC1 -> $MAC2, resolved" "$work/dp.log"
check "c6 follows h2's new MAC $MAC2 without a restart" \
	wait_coll c6 "resolved $MAC2" 5
sleep 1

# A reload (c6's VNI changes) keeps what was resolved: no copy of s4 or
# s6 is dropped as no_neighbor across it.
nn() { # SESSION: its no_neighbor count
	printf '/dpmirror/sessions,%s\n' "$1" |
		"$telemetry" -f "$prefix" 2>/dev/null |
		"$PY" -c 'import json, sys
for l in sys.stdin:
    if l.startswith("{") and "/dpmirror/sessions" in l:
        print(list(json.loads(l).values())[0]["stats"]["dropped"]["no_neighbor"])'
}
gen() {
	printf '/dpmirror/config\n' | "$telemetry" -f "$prefix" 2>/dev/null |
		"$PY" -c 'import json, sys
for l in sys.stdin:
    if l.startswith("{") and "/dpmirror/config" in l:
        print(list(json.loads(l).values())[0]["generation"])'
}
nn4=$(nn s4)
nn6=$(nn s6)
sed -i 's/^vni = 6$/vni = 66/' "$work/nb.ini"
kill -HUP "$dp"
for _ in $(seq 1 50); do
	[ "$(gen)" = 2 ] && break
	sleep 0.1
done
check "reload: generation 2 in force" [ "$(gen)" = 2 ]
check "reload: c4 and c6 keep their MAC at once" \
	[ "$(coll c4)/$(coll c6)" = "resolved $MAC2/resolved $MAC2" ]
sleep 0.5
a4=$(nn s4)
a6=$(nn s6)
# A collector that had to resolve again would log "MAC none -> ..." anew.
check "reload: c4 and c6 were not resolved again (one 'MAC none' line each)" \
	test "$(grep -c 'collector c[46]: next hop .*: MAC none -> ' "$work/dp.log")" = 2
check "reload: no copy dropped as no_neighbor across it (s4 $nn4 -> $a4, s6 $nn6 -> $a6)" \
	test -n "$nn4" -a "$nn4" = "$a4" -a "$nn6" = "$a6"

# The silent next hop appears: found again within the failed retry time.
ip -n "$H2" addr add 198.18.1.98/24 dev eth0
check "cx is found again once 198.18.1.98 answers" \
	wait_coll cx "resolved $MAC2" 8
sleep 1

kill -INT "${bg[1]}" 2>/dev/null
sleep 0.3
rc=0
stop_pid "$dp" INT || rc=$?
dp=
check "dpmirror exits 0 on SIGINT" [ "$rc" -eq 0 ]
sleep 0.5
kill -INT "${bg[0]}" 2>/dev/null
wait "${bg[0]}" 2>/dev/null
bg=()

check "the copies reach h2 at its MAC and follow its change; nothing to 00:00:00:00:00:00" \
	"$PY" - "$work/h2.pcap" "$MAC1" "$MAC2" <<'EOF'
import struct, sys
path, m1, m2 = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(path, "rb").read()
assert struct.unpack("<I", data[:4])[0] == 0xa1b2c3d4, "pcap magic"
off = 24
seq = {"4": [], "6": [], "x": []}   # destination MACs of each one's copies
zero = other = 0
while off + 16 <= len(data):
    _, _, incl, _ = struct.unpack("<IIII", data[off:off + 16])
    f = data[off + 16:off + 16 + incl]
    off += 16 + incl
    dst = f[0:6].hex(":")
    if dst == "00:00:00:00:00:00":
        zero += 1
    et = struct.unpack("!H", f[12:14])[0]
    key = None
    if et == 0x0800 and f[23] == 17 and struct.unpack("!H", f[36:38])[0] == 4789:
        key = "x" if f[30:34] == bytes([198, 18, 1, 99]) else "4"
    elif et == 0x86dd and f[20] == 17 and struct.unpack("!H", f[56:58])[0] == 4789:
        key = "6"
    if key is None:
        continue
    if dst not in (m1, m2):
        other += 1
    seq[key].append(dst)
ok = True
def fail(msg):
    global ok
    print("  " + msg)
    ok = False
if zero:
    fail("%d frames to 00:00:00:00:00:00" % zero)
if other:
    fail("%d copies to neither %s nor %s" % (other, m1, m2))
for k in ("4", "6"):
    s = seq[k]
    n1, n2 = s.count(m1), s.count(m2)
    first2 = s.index(m2) if m2 in s else len(s)
    late1 = s[first2:].count(m1)
    print("  c%s: %d copies to %s, then %d to %s (%d to the old MAC after "
          "the first to the new one)" % (k, n1, m1, n2, m2, late1))
    if n1 < 20 or n2 < 20:
        fail("c%s: too few copies to either MAC" % k)
    if late1:
        fail("c%s: copies to the old MAC after the switch" % k)
print("  cx: %d copies, to %s" % (len(seq["x"]), sorted(set(seq["x"]))))
if len(seq["x"]) < 10 or set(seq["x"]) != {m2}:
    fail("cx: its copies once found again should reach %s" % m2)
sys.exit(0 if ok else 1)
EOF

check "at exit: matched = mirrored + dropped, no_neighbor counted for cx's copies before it answered" \
	"$PY" - "$work/stats.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["sessions"]
ok = True
for name, c in s.items():
    d = c["dropped"]
    print("  %s: matched %d mirrored %d dropped %s" %
          (name, c["matched"], c["mirrored"], d))
    if c["matched"] != c["mirrored"] + sum(d.values()) or c["matched"] == 0:
        ok = False
    if d["no_mbuf"] or d["tx_full"] or d["too_big"] or d["rate_limited"]:
        ok = False
# cx: about 8 s without a MAC (3 tries, then up to 5 s failed) at 50/s.
if s["sx"]["dropped"]["no_neighbor"] < 100 or s["sx"]["mirrored"] < 10:
    ok = False
for n in ("s4", "s6"):
    if s[n]["mirrored"] < 100:
        ok = False
sys.exit(0 if ok else 1)
EOF

check "telemetry reply of a resolved collector has its MAC, next hop and state" \
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))["/dpmirror/collectors"]
assert d["remote_mac"] == "auto" and d["next_hop"] == "198.18.1.3", d
assert d["neighbor"] == "resolved" and d["mac"] == sys.argv[2], d' \
	"$work/c4.json" "$MAC1"
if [ "$lib_failed" -ne 0 ]; then
	echo "---- dpmirror log"
	cat "$work/dp.log"
fi
summary neighbor
