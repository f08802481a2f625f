#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Messages that say what would work:
#   - dpmirror without --no-huge on a machine with no free hugepages (made
#     so here, and given back) fails naming both ways out: --no-huge -m 1024
#     or reserving hugepages (vm.nr_hugepages, a hugetlbfs mount); as a
#     user other than root it says hugepages need root; and the suggested
#     --no-huge -m 1024 does start it;
#   - the MTU notices name the Linux interface of a net_af_packet port: a
#     collector's egress port whose MTU cannot carry full-size copies, and
#     a port whose configured mtu the driver cannot take.
# Needs root and iproute2; skips (77) otherwise.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "messages: SKIP: needs root (hugepage settings, netns)"
	exit 77
fi
if ! command -v ip >/dev/null 2>&1; then
	echo "messages: SKIP: ip (iproute2) not found"
	exit 77
fi

work=$(mktemp -d /tmp/dpm-messages.XXXXXX)
chmod 755 "$work" # read by an unprivileged user below
prefix="dpm-msg-$$"
ns="dpm-msg-$$"
huge_before=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	[ -n "$huge_before" ] && sysctl -qw vm.nr_hugepages="$huge_before"
	ip netns del "$ns" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
	rm -rf "/var/run/dpdk/$prefix" "/var/run/dpdk/$prefix-u"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

has() { grep -qF -- "$1" "$2"; }
not_has() { ! grep -qF -- "$1" "$2"; }
quiet() { "$@" >/dev/null 2>&1; }

# ---- EAL without hugepages ----
cat >"$work/null.ini" <<EOF
[dpmirror]
stats_interval = 0
mirror_pool = 2048
[port in]
device = net_null0,no-rx=1
peer = fwd
[port fwd]
device = net_null1,no-rx=1
[port out]
device = net_null2,no-rx=1
[collector c1]
port = out
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
vni = 100
[session s]
sources = in:rx
collector = c1
EOF
chmod 644 "$work/null.ini"

free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
if [ "$free" -ne 0 ]; then
	huge_before=$(sysctl -n vm.nr_hugepages)
	sysctl -qw vm.nr_hugepages=0
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
fi
check "no free hugepages during this case (HugePages_Free $free)" \
	[ "$free" -eq 0 ]

rc=0
"$dpmirror" -l 0,1 --file-prefix "$prefix" --no-pci -- \
	-c "$work/null.ini" --dry-run >"$work/huge.out" 2>"$work/huge.err" ||
	rc=$?
grep 'dpmirror: error' "$work/huge.err" | sed 's/^/  /'
check "without hugepages: exit 1 (rc $rc)" [ "$rc" -eq 1 ]
check "without hugepages: says none are free" \
	has "no free hugepages (HugePages_Free is 0" "$work/huge.err"
check "without hugepages: suggests --no-huge -m 1024" \
	has 'add --no-huge -m 1024 before "--"' "$work/huge.err"
check "without hugepages: suggests reserving them" \
	has "sysctl -w vm.nr_hugepages=256" "$work/huge.err"
check "without hugepages: suggests a hugetlbfs mount" \
	has "mount -t hugetlbfs nodev /dev/hugepages" "$work/huge.err"

if command -v runuser >/dev/null 2>&1; then
	rc=0
	runuser -u nobody -- "$dpmirror" -l 0,1 --file-prefix "$prefix-u" \
		--no-pci -- -c "$work/null.ini" --dry-run \
		>"$work/user.out" 2>"$work/user.err" || rc=$?
	grep 'dpmirror: error' "$work/user.err" | sed 's/^/  /'
	check "as nobody: exit 1 (rc $rc)" [ "$rc" -eq 1 ]
	check "as nobody: says hugepages need root, suggests --no-huge" \
		has "hugepages need root.  Run as root, or run without hugepages: add --no-huge -m 1024" \
		"$work/user.err"
fi

rc=0
"$dpmirror" -l 0,1 --file-prefix "$prefix" --no-huge -m 1024 --no-pci -- \
	-c "$work/null.ini" --dry-run >"$work/nohuge.out" 2>&1 || rc=$?
check "the suggestion works: with --no-huge -m 1024 the dry run passes (rc $rc)" \
	[ "$rc" -eq 0 ]
check "with --no-huge: no hugepage advice" \
	not_has "HugePages_Free" "$work/nohuge.out"

# ---- MTU notices name the Linux interface ----
ip netns add "$ns" || {
	bad "ip netns add $ns"
	summary messages
	exit 1
}
ip -n "$ns" link add dpmmsg-o type veth peer name dpmmsg-p &&
	ip -n "$ns" link add dpmmsg-q type veth peer name dpmmsg-r &&
	for l in dpmmsg-o dpmmsg-p dpmmsg-q dpmmsg-r; do
		ip -n "$ns" link set "$l" up || exit 1
	done
check "veth pairs in $ns" quiet ip -n "$ns" link show dpmmsg-q

cat >"$work/mtu.ini" <<EOF
[dpmirror]
stats_interval = 0
mirror_pool = 2048
[port in]
device = net_null0,no-rx=1
peer = fwd
[port fwd]
device = net_null1,no-rx=1
; copies leave by dpmmsg-o, MTU 1500: no room for the VxLAN headers
[port out]
device = net_af_packet0,iface=dpmmsg-o
; more than af_packet's own frame size: taken as the interface's MTU
[port big]
device = net_af_packet1,iface=dpmmsg-q
mtu = 9000
[collector c1]
port = out
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
vni = 100
[session s]
sources = in:rx
collector = c1
EOF

rc=0
ip netns exec "$ns" "$dpmirror" -l 0,1 --file-prefix "$prefix" \
	--no-huge -m 1024 --no-pci -- -c "$work/mtu.ini" --dry-run \
	>"$work/mtu.out" 2>&1 || rc=$?
grep -E "collector c1:|port big:" "$work/mtu.out" | sed 's/^/  /'
check "MTU case: the dry run passes (rc $rc)" [ "$rc" -eq 0 ]
check "collector notice names port out's Linux interface dpmmsg-o" \
	grep -qE "collector c1: port out \(Linux interface dpmmsg-o\) (has MTU 1500|takes no multi-segment)" \
	"$work/mtu.out"
check "mtu notice names port big's Linux interface dpmmsg-q and the command" \
	has "its Linux interface dpmmsg-q carries: check it does (ip link set dev dpmmsg-q mtu 9000)" \
	"$work/mtu.out"
check "no notice speaks of a placeholder interface" \
	not_has "IFACE" "$work/mtu.out"
summary messages
