#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The kernel mirror (dpmirrorctl kernel add|del|show), the seed's ping test:
# two namespaces kt<pid>-a and kt<pid>-b joined by a traffic veth pair t0
# (198.18.0.0/24) and an underlay veth pair u0 (198.18.1.0/24, MTU 1600);
# b has a vxlan0 (VNI 100) made here with ip as the receiver.  dpmirrorctl
# mirrors a's t0 into a's own vxlan0; b pings a (5 echo requests, bounded)
# and the test checks what b's u0 and vxlan0 see, the counters of
# 'kernel show' against 'tc -s filter show', matches, refusals (the other
# tunnels' options, and the tunnel kinds this kernel lacks: the module is
# named), and that del or a refused add leaves 'tc qdisc show', t0's
# filters and 'ip -d link' exactly as they were.  The
# fixture is built with ip/tc here (only the product code must not).
#
# ARP and IPv6 are kept off the wire (static neighbours, IPv6 disabled) so
# that the only packets on t0 are the ones each check sends.
#
# Environment: DPMIRRORCTL (default: build/dpmirrorctl under the source
# root), DPM_SRCDIR.  Exit: 0 pass, 1 fail, 77 skip (not root, tools
# missing).

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
ctl=${DPMIRRORCTL:-$srcdir/build/dpmirrorctl}

if [ "$(id -u)" != 0 ]; then
	echo "kernel_tc: SKIP: needs root"
	exit 77
fi
for tool in ip tc tcpdump tshark ping timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "kernel_tc: SKIP: $tool not found"
		exit 77
	fi
done
if ! [ -x "$ctl" ]; then
	echo "kernel_tc: FAIL: dpmirrorctl not found at $ctl (set DPMIRRORCTL)"
	echo "kernel_tc: 0 passed, 1 failed"
	exit 1
fi

A=kt$$-a
B=kt$$-b
work=$(mktemp -d /tmp/kernel_tc.XXXXXX)
cap_pids=()

cleanup() {
	local p
	for p in "${cap_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# ok, bad, check, summary
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# expect_eq DESCRIPTION GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		bad "$1: got '$2', want '$3'"
	fi
}
# expect_in DESCRIPTION FILE STRING: FILE contains STRING.
expect_in() {
	if grep -qF -- "$3" "$2"; then
		ok "$1"
	else
		bad "$1: '$3' not in: $(cat "$2")"
	fi
}

# ---- fixture ----
set -e
for n in "$A" "$B"; do
	ip netns add "$n"
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$n" link set lo up
done
ip link add t0 netns "$A" type veth peer name t0 netns "$B"
ip link add u0 netns "$A" type veth peer name u0 netns "$B"
for n in "$A" "$B"; do
	ip -n "$n" link set t0 up
	ip -n "$n" link set u0 mtu 1600 up
done
ip -n "$A" addr add 198.18.0.1/24 dev t0
ip -n "$B" addr add 198.18.0.2/24 dev t0
ip -n "$A" addr add 198.18.1.1/24 dev u0
ip -n "$B" addr add 198.18.1.2/24 dev u0
mac() { ip -n "$1" -br link show dev "$2" | awk '{print $3}'; }
ip -n "$A" neigh replace 198.18.0.2 lladdr "$(mac "$B" t0)" dev t0 nud permanent
ip -n "$B" neigh replace 198.18.0.1 lladdr "$(mac "$A" t0)" dev t0 nud permanent
ip -n "$A" neigh replace 198.18.1.2 lladdr "$(mac "$B" u0)" dev u0 nud permanent
ip -n "$B" neigh replace 198.18.1.1 lladdr "$(mac "$A" u0)" dev u0 nud permanent
ip -n "$B" link add vxlan0 type vxlan id 100 local 198.18.1.2 \
	remote 198.18.1.1 dev u0 dstport 4789
ip -n "$B" link set vxlan0 up
# A spare veth pair in a, the target of a filter that is not ours.
ip -n "$A" link add s0 type veth peer name s1
ip -n "$A" link set s0 up
ip -n "$A" link set s1 up
set +e

ADD=(kernel add --netns "$A" --dev t0 --remote 198.18.1.2 --local 198.18.1.1
	--vni 100 --underlay u0)
GRE=(kernel add --netns "$A" --dev t0 --remote 198.18.1.2 --local 198.18.1.1
	--underlay u0)

snapshot() {
	{
		tc -n "$A" qdisc show dev t0
		tc -n "$A" filter show dev t0 ingress
		tc -n "$A" filter show dev t0 egress
		ip -n "$A" -d link
	} >"$1" 2>&1
}

# Sum of the 'packets' (or 'bytes') column of show's DIR lines.
show_count() {
	"$ctl" kernel show --netns "$A" --dev t0 | awk -v d="$1" -v k="$2" '
		$1 == d { for (i = 1; i < NF; i++) if ($i == k) s += $(i + 1) }
		END { print s + 0 }'
}
# Sum of tc's "Sent B bytes P pkt" for the filters at PREF on hook DIR.
tc_count() {
	tc -n "$A" -s filter show dev t0 "$1" pref "$2" | awk -v k="$3" '
		/Sent/ { s += (k == "bytes" ? $2 : $4) } END { print s + 0 }'
}

ping5() {
	ip netns exec "$B" timeout 10 ping -q -c 5 -i 0.2 -W 1 198.18.0.1 \
		>/dev/null 2>&1
}

# capture_start NAME DEV: tcpdump in b on DEV into $work/NAME.pcap.
capture_start() {
	local i
	ip netns exec "$B" timeout 30 tcpdump -n -U --immediate-mode -i "$2" \
		-w "$work/$1.pcap" >/dev/null 2>"$work/$1.err" &
	cap_pids+=($!)
	for i in $(seq 50); do
		grep -q "listening on" "$work/$1.err" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "tcpdump on $2 did not start: $(cat "$work/$1.err")"
}
capture_stop() {
	local p
	sleep 0.5
	for p in "${cap_pids[@]}"; do
		kill -INT "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	cap_pids=()
}
# pcap_count NAME FILTER: frames of $work/NAME.pcap matching FILTER.
pcap_count() {
	tshark -n -r "$work/$1.pcap" -Y "$2" -T fields -e frame.number \
		2>/dev/null | wc -l
}

# ---- usage and refusals ----
"$ctl" kernel -h >"$work/out" 2>&1
expect_eq "kernel -h exits 0" "$?" 0
expect_in "kernel -h shows the add synopsis" "$work/out" "--direction ingress|egress|both"

"$ctl" "${ADD[@]}" --direction sideways >"$work/out" 2>&1
expect_eq "bad --direction exits 1" "$?" 1
expect_in "bad --direction is named" "$work/out" "dpmirrorctl kernel: direction sideways: give ingress, egress or both"

"$ctl" "${ADD[@]}" --vni 16777216 >"$work/out" 2>&1
expect_eq "bad --vni exits 1" "$?" 1
expect_in "bad --vni is named" "$work/out" "VXLAN network identifier 16777216 is not a number in 0..16777215"

"$ctl" "${ADD[@]}" --sport 80 >"$work/out" 2>&1
expect_eq "--sport without --proto exits 1" "$?" 1
expect_in "--sport without --proto says what to add" "$work/out" "sport 80 without proto"

snapshot "$work/before"

"$ctl" kernel add --netns "$A" --dev eth9 --remote 198.18.1.2 \
	--local 198.18.1.1 --vni 100 --underlay u0 >"$work/out" 2>&1
expect_eq "missing device exits 2" "$?" 2
expect_in "missing device message" "$work/out" "no device eth9 in netns $A"

"$ctl" "${ADD[@]}" --encap gretap >"$work/out" 2>&1
expect_eq "--encap gretap with --vni exits 1" "$?" 1
expect_in "--vni with gretap names the keys gretap takes" "$work/out" \
	"vni 100 does not go with encap gretap: vni is for vxlan and geneve; encap gretap takes remote, local and key"
"$ctl" "${GRE[@]}" --encap gretap --key 4294967296 >"$work/out" 2>&1
expect_eq "--key 4294967296 exits 1" "$?" 1
expect_in "--key out of range is named" "$work/out" "GRE key 4294967296 is not a number in 0..4294967295"
"$ctl" "${GRE[@]}" --encap erspan --session-id 1024 >"$work/out" 2>&1
expect_eq "--session-id 1024 exits 1" "$?" 1
expect_in "--session-id out of range is named" "$work/out" "ERSPAN session ID 1024 is not a number in 0..1023"
"$ctl" "${GRE[@]}" --encap ip6gretap >"$work/out" 2>&1
expect_eq "ip6gretap over IPv4 exits 1" "$?" 1
expect_in "ip6gretap over IPv4 says which encap fits" "$work/out" \
	"remote 198.18.1.2 is IPv4 but ip6gretap tunnels are IPv6; use encap gretap for IPv4"

# gretap, erspan and geneve: where the kernel lacks the link kind (no
# module, not built in; probed with ip), add exits 2 naming the module and
# leaves t0 and the links as they were; where it has it, add and del work.
for c in "gretap|ip_gre|local 198.18.1.1 remote 198.18.1.2|--local 198.18.1.1" \
	"erspan|ip_gre|local 198.18.1.1 remote 198.18.1.2 seq key 1 erspan_ver 1|--local 198.18.1.1 --session-id 7" \
	"geneve|geneve|id 1 remote 198.18.1.2|--vni 100"; do
	IFS='|' read -r kind module params opts <<<"$c"
	# shellcheck disable=SC2086  # the words of the link's parameters
	if ip -n "$B" link add kprobe0 type $kind $params 2>/dev/null; then
		ip -n "$B" link del kprobe0
		have=1
	else
		have=0
	fi
	snapshot "$work/kind_before"
	# shellcheck disable=SC2086  # the encap's own options
	"$ctl" kernel add --netns "$A" --dev t0 --remote 198.18.1.2 \
		--underlay u0 --encap "$kind" $opts >"$work/out" 2>&1
	rc=$?
	if [ "$have" = 0 ]; then
		expect_eq "--encap $kind without the module exits 2" "$rc" 2
		expect_in "--encap $kind names the module to load" "$work/out" \
			"this kernel has no $kind links (module $module is neither loaded nor built in); load it with \`modprobe $module\`"
	else
		expect_eq "--encap $kind on a kernel that has it exits 0" "$rc" 0
		"$ctl" kernel del --netns "$A" --dev t0 >"$work/out" 2>&1
		expect_eq "del of the $kind mirror exits 0" "$?" 0
	fi
	snapshot "$work/kind_after"
	if cmp -s "$work/kind_before" "$work/kind_after"; then
		ok "--encap $kind left t0 and the links as they were"
	else
		bad "--encap $kind changed something: $(diff "$work/kind_before" "$work/kind_after")"
	fi
done

ip -n "$A" link set u0 mtu 1520
"$ctl" "${ADD[@]}" >"$work/out" 2>&1
expect_eq "underlay MTU 1520 < 1500 + 50 exits 2" "$?" 2
expect_in "MTU message names the underlay and its MTU" "$work/out" "the underlay u0 has MTU 1520"
expect_in "MTU message names the device and its MTU" "$work/out" "t0's 1500-byte packets"
expect_in "MTU message gives the fix" "$work/out" "ip -n $A link set dev u0 mtu 1550"
"$ctl" "${ADD[@]}" --ignore-mtu >"$work/out" 2>&1
expect_eq "--ignore-mtu overrides the MTU check" "$?" 0
"$ctl" kernel del --netns "$A" --dev t0 >"$work/out" 2>&1
expect_eq "del after --ignore-mtu exits 0" "$?" 0
ip -n "$A" link set u0 mtu 1600

ip -n "$A" link add vxlan0 type vxlan id 200 local 198.18.1.1 \
	remote 198.18.1.2 dev u0 dstport 4789
"$ctl" "${ADD[@]}" >"$work/out" 2>&1
expect_eq "existing vxlan0 with another VNI exits 2" "$?" 2
expect_in "existing vxlan0 message" "$work/out" "vni 200 (not 100)"
ip -n "$A" link del vxlan0

snapshot "$work/after"
if cmp -s "$work/before" "$work/after"; then
	ok "refused adds left t0 and the links as they were"
else
	bad "refused adds changed something: $(diff "$work/before" "$work/after")"
fi

# ---- ingress, match all: the seed's test ----
snapshot "$work/before"
"$ctl" "${ADD[@]}" --direction ingress >"$work/out" 2>&1
expect_eq "add ingress exits 0" "$?" 0
expect_eq "ingress alone uses the ingress qdisc" \
	"$(tc -n "$A" qdisc show dev t0 | grep -c '^qdisc ingress ffff:')" 1
capture_start u0_in u0
capture_start vx vxlan0
ping5
capture_stop
expect_eq "show: ingress packets = 5 echo requests" "$(show_count ingress packets)" 5
expect_eq "tc -s agrees on packets" "$(tc_count ingress 4900 pkt)" 5
expect_eq "tc -s agrees on bytes" "$(tc_count ingress 4900 bytes)" \
	"$(show_count ingress bytes)"
expect_eq "b's u0 sees 5 VXLAN VNI 100 from 198.18.1.1 with echo requests" \
	"$(pcap_count u0_in 'vxlan.vni == 100 && ip.src == 198.18.1.1 && ip.dst == 198.18.1.2 && udp.dstport == 4789 && icmp.type == 8 && ip.src == 198.18.0.2')" 5
expect_eq "b's u0 sees no other VXLAN" \
	"$(pcap_count u0_in 'vxlan && !(icmp.type == 8)')" 0
expect_eq "b's vxlan0 sees the 5 inner echo requests" \
	"$(pcap_count vx 'icmp.type == 8 && ip.src == 198.18.0.2 && ip.dst == 198.18.0.1')" 5
"$ctl" kernel show --netns "$A" --dev t0 >"$work/out" 2>&1
expect_in "show prints the filter" "$work/out" "ingress pref 4900  match all  -> vxlan0"
# Without --dev: every device of the namespace that has a mirror, and only
# those (the loopback, u0 and vxlan0 have none).
"$ctl" kernel show --netns "$A" >"$work/out" 2>&1
expect_eq "show without --dev exits 0" "$?" 0
expect_in "show without --dev lists t0's mirror" "$work/out" \
	"t0 in netns $A: qdisc ingress, 1 mirror filter"
expect_eq "show without --dev lists no other device" \
	"$(grep -c ' in netns .*mirror filter' "$work/out")" 1
expect_in "show prints the vxlan link" "$work/out" \
	"vxlan0: vxlan id 100 local 198.18.1.1 remote 198.18.1.2 dev u0 dstport 4789 mtu 1550 up"
"$ctl" "${ADD[@]}" --direction ingress >"$work/out" 2>&1
expect_eq "a second add on the same hook exits 2" "$?" 2
"$ctl" "${ADD[@]}" --direction egress >"$work/out" 2>&1
expect_eq "egress next to the ingress qdisc exits 2" "$?" 2
expect_in "the ingress/clsact conflict is explained" "$work/out" "already has an ingress qdisc"
"$ctl" kernel del --netns "$A" --dev t0 >"$work/out" 2>&1
expect_eq "del exits 0" "$?" 0
snapshot "$work/after"
if cmp -s "$work/before" "$work/after"; then
	ok "del left tc qdisc/filters of t0 and ip link as before"
else
	bad "del did not restore: $(diff "$work/before" "$work/after")"
fi
"$ctl" kernel del --netns "$A" --dev t0 >"$work/out" 2>&1
expect_eq "a second del exits 2 (nothing to delete)" "$?" 2

# ---- egress ----
"$ctl" "${ADD[@]}" --direction egress >"$work/out" 2>&1
expect_eq "add egress exits 0" "$?" 0
expect_eq "egress uses clsact" \
	"$(tc -n "$A" qdisc show dev t0 | grep -c '^qdisc clsact ffff:')" 1
capture_start u0_out u0
ping5
capture_stop
expect_eq "show: egress packets = 5 echo replies" "$(show_count egress packets)" 5
expect_eq "tc -s agrees (egress)" "$(tc_count egress 4902 pkt)" 5
expect_eq "b's u0 sees the 5 mirrored echo replies" \
	"$(pcap_count u0_out 'vxlan.vni == 100 && icmp.type == 0 && ip.src == 198.18.0.1')" 5
"$ctl" kernel del --netns "$A" --dev t0 --direction egress >"$work/out" 2>&1
expect_eq "del --direction egress exits 0" "$?" 0
snapshot "$work/after"
cmp -s "$work/before" "$work/after" && ok "egress del restored t0" ||
	bad "egress del did not restore: $(diff "$work/before" "$work/after")"

# ---- both ----
"$ctl" "${ADD[@]}" --direction both >"$work/out" 2>&1
expect_eq "add both exits 0" "$?" 0
ping5
expect_eq "both: ingress packets 5" "$(show_count ingress packets)" 5
expect_eq "both: egress packets 5" "$(show_count egress packets)" 5
"$ctl" kernel del --netns "$A" --dev t0 --direction ingress >"$work/out" 2>&1
expect_eq "del --direction ingress of both exits 0" "$?" 0
expect_eq "the egress filter stays" "$(show_count egress packets)" 5
expect_eq "vxlan0 stays while the egress filter uses it" \
	"$(ip -n "$A" -br link show dev vxlan0 2>/dev/null | wc -l)" 1
"$ctl" kernel del --netns "$A" --dev t0 >"$work/out" 2>&1
expect_eq "del of the rest exits 0" "$?" 0
snapshot "$work/after"
cmp -s "$work/before" "$work/after" && ok "both: del restored t0" ||
	bad "both: del did not restore: $(diff "$work/before" "$work/after")"

# ---- matches ----
# match_case DESCRIPTION WANT ARGS...: ping 5 times through a mirror of
# ingress with ARGS and compare the mirrored count with WANT.
match_case() {
	local desc=$1 want=$2
	shift 2
	if ! "$ctl" "${ADD[@]}" "$@" >"$work/out" 2>&1; then
		bad "$desc: add failed: $(cat "$work/out")"
		return
	fi
	ping5
	expect_eq "$desc" "$(show_count ingress packets)" "$want"
	"$ctl" kernel del --netns "$A" --dev t0 >/dev/null 2>&1
}
match_case "--proto icmp mirrors the 5 pings" 5 --proto icmp
match_case "--proto udp mirrors none of the pings" 0 --proto udp
match_case "--src 198.18.0.2/32 mirrors them" 5 --proto icmp --src 198.18.0.2/32
match_case "--src 198.18.0.128/25 mirrors none" 0 --src 198.18.0.128/25
match_case "--dst 198.18.0.0/24 mirrors them" 5 --dst 198.18.0.0/24

"$ctl" "${ADD[@]}" --proto udp --dport 5000 >"$work/out" 2>&1
expect_eq "add --proto udp --dport 5000 exits 0" "$?" 0
for port in 5000 5001 5002; do
	ip netns exec "$B" timeout 5 bash -c \
		"echo x >/dev/udp/198.18.0.1/$port" 2>/dev/null
done
expect_eq "--dport 5000 mirrors only the datagram to 5000" \
	"$(show_count ingress packets)" 1
"$ctl" kernel show --netns "$A" --dev t0 >"$work/out" 2>&1
expect_in "show describes the match" "$work/out" "match ip proto udp dport 5000"
"$ctl" kernel del --netns "$A" --dev t0 >/dev/null 2>&1
snapshot "$work/after"
cmp -s "$work/before" "$work/after" && ok "matches: del restored t0" ||
	bad "matches: del did not restore: $(diff "$work/before" "$work/after")"

# ---- someone else's qdisc and filter ----
tc -n "$A" qdisc add dev t0 handle ffff: ingress
tc -n "$A" filter add dev t0 parent ffff: protocol ip pref 49152 u32 \
	match ip protocol 1 0xff action mirred egress mirror dev s0
snapshot "$work/before"
"$ctl" "${ADD[@]}" --direction ingress >"$work/out" 2>&1
expect_eq "add next to a foreign filter exits 0" "$?" 0
ping5
expect_eq "our filter counts the 5 pings" "$(show_count ingress packets)" 5
expect_eq "the foreign filter behind ours still sees them" \
	"$(tc_count ingress 49152 pkt)" 5
"$ctl" kernel del --netns "$A" --dev t0 >"$work/out" 2>&1
expect_eq "del next to a foreign filter exits 0" "$?" 0
snapshot "$work/after"
if cmp -s "$work/before" "$work/after"; then
	ok "del kept the foreign qdisc and filter"
else
	bad "del touched the foreign qdisc/filter: $(diff "$work/before" "$work/after")"
fi
tc -n "$A" qdisc del dev t0 ingress
"$ctl" kernel show --netns "$A" >"$work/out" 2>&1
expect_eq "show without --dev and no mirror exits 0" "$?" 0
expect_in "show without --dev says there is none" "$work/out" \
	"no mirror filters in netns $A"

summary kernel_tc
