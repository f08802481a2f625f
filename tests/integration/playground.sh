#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `dpmirrorctl playground up|down|status`: the veth/netns lab of DESIGN
# section 6, checked with real traffic and without dpmirror.
# Needs root.  Exit 0 = pass, 1 = fail, 77 = skip.
#
#   DPMIRRORCTL  path of the dpmirrorctl binary (default: build/dpmirrorctl)
#   DPM_SRCDIR   source root (default: two levels above this script)
#
# The prefix is pgNNNN (random), never the default "dpm", which a user may
# have up.  Traffic stays on 198.18.0.0/15; pings from the root namespace
# are bound to the playground's bridge (-I), so another playground with the
# same addresses cannot answer them.  Cases:
#   - an invalid prefix is a usage error (exit 1) and changes nothing;
#   - up: exit 0; h1 <-> h2 pings on eth0 and eth1, host (198.18.0.1) -> h1;
#     1600-byte frames pass on the eth1 network; the fixed MACs;
#   - a second up changes nothing: exit 0, "nothing changed", and
#     `ip -br link`, `ip netns list` and the hosts' addresses are identical;
#   - status: exit 0, "all up", names the bridges, veths, vxlan0 and the
#     span filters of both directions;
#   - the span port: with the tc mirror on P-h1e0, tcpdump on P-span sees
#     the echo requests and replies of host -> h1 pings;
#   - h2's vxlan0 accepts a VXLAN packet (vni 100, port 4789) made by scapy
#     and sent out of P-out from 198.18.1.10, not its configured remote:
#     tcpdump on vxlan0 in h2 sees the inner ICMP frame;
#   - up --inline re-wires: P-dpb/P-dpbr appear, P-h1e0 leaves P-br0, so
#     host -> h1 and h2 -> h1 on eth0 FAIL (nothing forwards P-h1e0 <->
#     P-dpb yet) while eth1 still works; status says "inline wiring";
#   - up without --inline re-wires back: P-dpb is gone, host -> h1 works;
#   - down: exit 0; `ip netns list` and `ip -br link` are exactly as before
#     the test; a second down says "nothing to remove" (exit 0); status
#     then exits 1;
#   - a failed up rolls back: with a veth named P-br0 (early conflict) or
#     a bridge named P-outb (late conflict, after namespaces, bridges and
#     host veths were made), up exits 2 naming the link and its kind, and
#     afterwards only that link differs from the state before; down leaves
#     it alone;
#   - up and down hold the playground's lock only while they work: no lock
#     file is left in $DPMIRROR_RUNDIR (a temporary directory here).
# PG_TOLERATE_OTHERS=1 lets lines of `ip -br link` / `ip netns list` that
# do not carry this test's prefix differ (for hosts where other tests make
# their own links at the same time); by default the comparison is exact.
# An EXIT trap runs down and deletes leftovers even when a case fails.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
ctl=${DPMIRRORCTL:-$srcdir/build/dpmirrorctl}
py=/usr/bin/python3

if [ "$(id -u)" -ne 0 ]; then
	echo "playground: SKIP: needs root"
	exit 77
fi
if [ ! -x "$ctl" ]; then
	echo "playground: SKIP: no dpmirrorctl at $ctl (set DPMIRRORCTL)"
	exit 77
fi
for tool in ip ping tcpdump timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "playground: SKIP: $tool is not installed"
		exit 77
	fi
done

# A prefix no link or namespace uses yet (bounded number of tries).
P=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	cand=pg$(printf '%04d' $((RANDOM % 10000)))
	if ! ip -br link | grep -q "^$cand-" &&
		! ip netns list | grep -q "^$cand-"; then
		P=$cand
		break
	fi
done
if [ -z "$P" ]; then
	echo "playground: SKIP: no free pgNNNN prefix found"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/playground.XXXXXX") || exit 1
# up and down take the playground's lock: here, not in /run/dpmirror.
export DPMIRROR_RUNDIR=$tmp/run
bg_pids=()

cleanup() {
	local pid l ns

	for pid in "${bg_pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	"$ctl" playground down --prefix "$P" >/dev/null 2>&1
	for l in $(ip -br link | awk '{print $1}' | sed 's/@.*//' |
		grep "^$P-"); do
		ip link del "$l" 2>/dev/null
	done
	for ns in "$P-h1" "$P-h2"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# ok, bad, check, summary
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

# check_not NAME CMD...: pass when CMD fails.
check_not() {
	local name=$1

	shift
	if "$@"; then
		bad "$name"
	else
		ok "$name"
	fi
}

# run ARGS...: dpmirrorctl, bounded in time; sets rc, out, err.
run() {
	timeout 30 "$ctl" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

snapshot() {
	ip -br link >"$tmp/$1.link"
	ip netns list >"$tmp/$1.netns"
}

# same A B: the snapshots A and B are identical (diff shown when not).
# With PG_TOLERATE_OTHERS=1, lines that do not name this test's prefix may
# differ (other processes adding or removing their own links meanwhile).
same() {
	local d

	d=$(diff "$tmp/$1.link" "$tmp/$2.link"
		diff "$tmp/$1.netns" "$tmp/$2.netns")
	[ -z "$d" ] && return 0
	echo "$d"
	if [ "${PG_TOLERATE_OTHERS:-0}" = 1 ] &&
		! grep '^[<>]' <<<"$d" | grep -q "$P-"; then
		echo "note: only objects of other processes differ"
		return 0
	fi
	return 1
}

# pings: ping_ns NS DST / ping_host DEV DST, two tries, one second each.
ping_ns() {
	ip netns exec "$1" ping -n -q -c 2 -W 1 "$2" >/dev/null 2>&1
}

ping_host() {
	ping -n -q -c 2 -W 1 -I "$1" "$2" >/dev/null 2>&1
}

# ping_df NS DST: 1600-byte IPv4 packets, do not fragment.
ping_df() {
	ip netns exec "$1" ping -n -q -c 2 -W 1 -M do -s 1572 "$2" \
		>/dev/null 2>&1
}

link_exists() {
	ip link show "$1" >/dev/null 2>&1
}

# capture_start NAME NS IF COUNT FILTER...: tcpdump in the background (NS
# "" = the root namespace), at most 8 s and COUNT packets; waits until it
# listens.  capture_wait NAME then waits for it to finish.
capture_start() {
	local name=$1 ns=$2 ifc=$3 count=$4 i

	shift 4
	if [ -n "$ns" ]; then
		ip netns exec "$ns" timeout 8 tcpdump -i "$ifc" -nn -U \
			-c "$count" -w "$tmp/$name.pcap" "$@" \
			2>"$tmp/$name.err" &
	else
		timeout 8 tcpdump -i "$ifc" -nn -U -c "$count" \
			-w "$tmp/$name.pcap" "$@" 2>"$tmp/$name.err" &
	fi
	bg_pids+=($!)
	eval "cap_$name=$!"
	for i in $(seq 1 50); do
		grep -q "listening on" "$tmp/$name.err" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

capture_wait() {
	local pid

	eval "pid=\$cap_$1"
	wait "$pid" 2>/dev/null
	tcpdump -nn -r "$tmp/$1.pcap" 2>/dev/null >"$tmp/$1.txt"
}

# in_ns NS CMD...: run CMD in netns NS.
in_ns() {
	ip netns exec "$@"
}

snapshot before

# ---- usage errors change nothing ----
run playground up --prefix Bad_Prefix
check "invalid prefix: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "invalid prefix: the message says why" \
	grep -q "not valid" <<<"$err"
run playground up --prefix toolongprefix
check "9-character prefix refused (exit $rc)" [ "$rc" -eq 1 ]
run playground sideways --prefix "$P"
check "unknown subcommand: exit 1 (got $rc)" [ "$rc" -eq 1 ]
run playground down --prefix "$P" --inline
check "down --inline: exit 1 (got $rc)" [ "$rc" -eq 1 ]
run playground -h
check "playground -h: exit 0 with the usage" \
	[ "$rc" -eq 0 -a -n "$(grep 'playground up' <<<"$out")" ]
snapshot after_usage
check "usage errors leave links and namespaces alone" same before after_usage

# ---- up ----
run playground up --prefix "$P"
check "up: exit 0 (got $rc: $err)" [ "$rc" -eq 0 ]
check "up: says it created the objects" grep -q "created bridge $P-br0" \
	<<<"$out"
if grep -q "warning" <<<"$err"; then
	echo "note: $err"
fi

check "h1 -> h2 on eth0" ping_ns "$P-h1" 198.18.0.3
check "h2 -> h1 on eth0" ping_ns "$P-h2" 198.18.0.2
check "h1 -> h2 on eth1" ping_ns "$P-h1" 198.18.1.3
check "h2 -> h1 on eth1" ping_ns "$P-h2" 198.18.1.2
check "host (198.18.0.1) -> h1" ping_host "$P-br0" 198.18.0.2
check "host (198.18.1.1) -> h2 on eth1" ping_host "$P-br1" 198.18.1.3
check "1600-byte frames pass h1 -> h2 on eth1" \
	ping_df "$P-h1" 198.18.1.3
check_not "eth0 keeps mtu 1500 (1600-byte frames refused)" \
	ping_df "$P-h1" 198.18.0.3
mac_h1e0=$(in_ns "$P-h1" cat /sys/class/net/eth0/address)
mac_h2e1=$(in_ns "$P-h2" cat /sys/class/net/eth1/address)
mac_out=$(cat "/sys/class/net/$P-out/address" 2>/dev/null)
check "fixed MACs (h1 eth0 $mac_h1e0, h2 eth1 $mac_h2e1, out $mac_out)" \
	[ "$mac_h1e0" = 02:00:00:00:00:02 -a "$mac_h2e1" = 02:00:00:00:01:03 \
	-a "$mac_out" = 02:00:00:00:01:0a ]
check "no IPv6 link-local address on the playground's links" \
	[ -z "$(ip -6 -br addr show dev "$P-br0"; in_ns "$P-h1" ip -6 -br addr show dev eth0)" ]

# ---- idempotence ----
snapshot up1
in_ns "$P-h1" ip -br addr >"$tmp/h1addr.1"
in_ns "$P-h2" ip -br addr >"$tmp/h2addr.1"
run playground up --prefix "$P"
check "second up: exit 0 (got $rc: $err)" [ "$rc" -eq 0 ]
check "second up: nothing changed" grep -q "nothing changed" <<<"$out"
snapshot up2
in_ns "$P-h1" ip -br addr >"$tmp/h1addr.2"
in_ns "$P-h2" ip -br addr >"$tmp/h2addr.2"
check "second up: ip -br link and ip netns list unchanged" same up1 up2
check "second up: h1's addresses unchanged" \
	cmp -s "$tmp/h1addr.1" "$tmp/h1addr.2"
check "second up: h2's addresses unchanged" \
	cmp -s "$tmp/h2addr.1" "$tmp/h2addr.2"

# ---- status ----
run playground status --prefix "$P"
check "status: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "status: all up" grep -q "playground $P: all up" <<<"$out"
check "status: seed wiring" grep -q "seed wiring" <<<"$out"
for obj in "netns *$P-h1 " "netns *$P-h2 " "bridge *$P-br0 " \
	"bridge *$P-br1 " "veth *$P-h1e0 " "veth *$P-h1/eth0 " \
	"veth *$P-h2/eth1 " "veth *$P-span " "veth *$P-outb " \
	"vxlan *$P-h2/vxlan0 .*id 100"; do
	check "status shows /$obj/" grep -q "$obj" <<<"$out"
done
check "status: h2 eth1 has 198.18.1.3/24 and mtu 1600" \
	grep -q "$P-h2/eth1 .*mtu 1600.*198.18.1.3/24" <<<"$out"
check "status: span filters of both directions with counters" \
	[ -n "$(grep "span .*ingress.*$P-spanx.*packets" <<<"$out")" -a \
	-n "$(grep "span .*egress.*$P-spanx.*packets" <<<"$out")" ]

# ---- the span port (tc mirror of P-h1e0) ----
if capture_start span "" "$P-span" 4 icmp and host 198.18.0.2; then
	ping_host "$P-br0" 198.18.0.2
	in_ns "$P-h1" ping -n -q -c 1 -W 1 198.18.0.1 >/dev/null 2>&1
	capture_wait span
	check "span: P-span sees the echo requests to h1" \
		grep -q "198.18.0.1 > 198.18.0.2: ICMP echo request" \
		"$tmp/span.txt"
	check "span: P-span sees h1's echo replies" \
		grep -q "198.18.0.2 > 198.18.0.1: ICMP echo reply" \
		"$tmp/span.txt"
else
	bad "span: tcpdump on $P-span did not start: $(cat "$tmp/span.err")"
fi

# ---- h2's vxlan0 accepts copies from 198.18.1.10 ----
if ! "$py" -c 'import scapy.layers.vxlan' >/dev/null 2>&1; then
	echo "SKIP: vxlan0: no scapy for $py"
elif capture_start vx "$P-h2" vxlan0 1 icmp; then
	timeout 20 "$py" - "$P-out" <<'EOF' >"$tmp/scapy.out" 2>&1
import sys
from scapy.all import Ether, IP, UDP, ICMP, sendp, conf
from scapy.layers.vxlan import VXLAN
conf.verb = 0
inner = (Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:03") /
         IP(src="198.18.0.2", dst="198.18.0.3") / ICMP(id=0x4d50, seq=7))
outer = (Ether(src="02:00:00:00:01:0a", dst="02:00:00:00:01:03") /
         IP(src="198.18.1.10", dst="198.18.1.3") /
         UDP(sport=49153, dport=4789) / VXLAN(flags=0x08, vni=100) / inner)
sendp(outer, iface=sys.argv[1], count=3, inter=0.2)
EOF
	capture_wait vx
	check "vxlan0 in h2 decapsulates a copy sent from 198.18.1.10" \
		grep -q "198.18.0.2 > 198.18.0.3: ICMP echo request, id 19792, seq 7" \
		"$tmp/vx.txt"
else
	bad "vxlan0: tcpdump in $P-h2 did not start: $(cat "$tmp/vx.err")"
fi

# ---- inline wiring ----
run playground up --prefix "$P" --inline
check "up --inline: exit 0 (got $rc: $err)" [ "$rc" -eq 0 ]
check "up --inline: P-dpb exists" link_exists "$P-dpb"
check "up --inline: P-dpbr exists" link_exists "$P-dpbr"
check "up --inline: P-h1e0 is off P-br0" \
	[ -z "$(ip -o link show "$P-h1e0" | grep -o "master [^ ]*")" ]
check "up --inline: P-dpbr is on P-br0" \
	grep -q "master $P-br0 " <<<"$(ip -o link show "$P-dpbr")"
check_not "inline, nothing forwarding: host -> h1 on eth0 fails" \
	ping_host "$P-br0" 198.18.0.2
check_not "inline, nothing forwarding: h2 -> h1 on eth0 fails" \
	ping_ns "$P-h2" 198.18.0.2
check "inline: h1 -> h2 on eth1 still works" ping_ns "$P-h1" 198.18.1.3
check "inline: h2 -> host on eth0 still works" ping_ns "$P-h2" 198.18.0.1
run playground status --prefix "$P"
check "inline status: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "inline status: says inline wiring and shows P-dpb" \
	[ -n "$(grep "inline wiring" <<<"$out")" -a \
	-n "$(grep "veth *$P-dpb " <<<"$out")" ]
run playground up --prefix "$P" --inline
check "second up --inline: nothing changed" \
	[ "$rc" -eq 0 -a -n "$(grep "nothing changed" <<<"$out")" ]

# ---- back to the seed wiring ----
run playground up --prefix "$P"
check "up after --inline: exit 0 (got $rc: $err)" [ "$rc" -eq 0 ]
check_not "up after --inline: P-dpb is gone" link_exists "$P-dpb"
check "up after --inline: host -> h1 works again" \
	ping_host "$P-br0" 198.18.0.2
snapshot rewired
check "re-wired back: links as after the first up" same up1 rewired

# ---- down ----
run playground down --prefix "$P"
check "down: exit 0 (got $rc: $err)" [ "$rc" -eq 0 ]
check "down: says what it removed" grep -q "removed" <<<"$out"
snapshot down1
check "down: ip netns list and ip -br link exactly as before" \
	same before down1
run playground down --prefix "$P"
check "down again: exit 0 and nothing to remove" \
	[ "$rc" -eq 0 -a -n "$(grep "nothing to remove" <<<"$out")" ]
run playground status --prefix "$P"
check "status with nothing up: exit 1 (got $rc)" [ "$rc" -eq 1 ]

# ---- failed up rolls back ----
# P-br0 as a veth (not a bridge) stops up early; P-outb as a bridge (not
# a veth) stops it late, after namespaces, bridges and four veths.
for conflict in br0:veth outb:bridge; do
	kind=${conflict#*:}
	conflict=${conflict%:*}
	if [ "$kind" = veth ]; then
		ip link add "$P-$conflict" type veth peer name "$P-cfx"
	else
		ip link add "$P-$conflict" type "$kind"
	fi
	snapshot "dummy_$conflict"
	run playground up --prefix "$P"
	check "conflict $P-$conflict: up exits 2 (got $rc)" [ "$rc" -eq 2 ]
	check "conflict $P-$conflict: the error names it and its kind" \
		grep -q "$P-$conflict exists as a $kind link" <<<"$err"
	snapshot "rolled_$conflict"
	check "conflict $P-$conflict: rolled back, nothing new is left" \
		same "dummy_$conflict" "rolled_$conflict"
	run playground down --prefix "$P"
	check "conflict $P-$conflict: down leaves it alone" \
		link_exists "$P-$conflict"
	check "conflict $P-$conflict: down says so (exit 2, got $rc)" \
		[ "$rc" -eq 2 -a -n "$(grep "left $P-$conflict (a $kind" <<<"$err")" ]
	ip link del "$P-$conflict"
done
snapshot final
check "at the end: ip netns list and ip -br link exactly as before" \
	same before final
check "up and down took their lock in \$DPMIRROR_RUNDIR and left no file" \
	[ -d "$DPMIRROR_RUNDIR" -a -z "$(ls -A "$DPMIRROR_RUNDIR" 2>/dev/null)" ]

summary playground
