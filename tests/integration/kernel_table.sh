#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The kernel mirror's rules, one table through its three front ends (the
# configuration, dpmirrorctl kernel add, the library): kernel_table.c runs
# each case through all three in a namespace made here, with veth devices
# t0 (the mirrored device, MTU 1500), u0 (an underlay, MTU 9000) and u1
# (an underlay too small for VXLAN, MTU 1500), each with its peer t0p, u0p,
# u1p, and checks the verdicts, the messages and that nothing is left
# behind.  Which tunnel kinds the kernel lacks is probed here with ip
# (KTAB_MISSING): their valid cases must be refused naming the module.
# The namespace goes on EXIT.
#
# Usage: kernel_table.sh KERNEL_TABLE (the test program).  Environment:
# DPMIRRORCTL.  Exit: 0 pass, 1 fail, 77 skip (not root, ip missing).

set -u

prog=${1:-}
ctl=${DPMIRRORCTL:-}

if [ "$(id -u)" != 0 ]; then
	echo "kernel_table: SKIP: needs root"
	exit 77
fi
if ! command -v ip >/dev/null 2>&1 || ! command -v tc >/dev/null 2>&1; then
	echo "kernel_table: SKIP: ip or tc not found"
	exit 77
fi
if ! [ -x "$prog" ] || ! [ -x "$ctl" ]; then
	echo "kernel_table: FAIL: give the test program and set DPMIRRORCTL"
	exit 1
fi

NS=ktab$$
cleanup() {
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT

set -e
ip netns add "$NS"
ip -n "$NS" link set lo up
for d in t0:1500 u0:9000 u1:1500; do
	ip -n "$NS" link add "${d%:*}" mtu "${d#*:}" type veth \
		peer name "${d%:*}p" mtu "${d#*:}"
	ip -n "$NS" link set "${d%:*}" up
	ip -n "$NS" link set "${d%:*}p" up
done
# The tunnel kinds this kernel cannot create (no module, not built in):
# kernel_table expects their valid cases refused, naming the module.
missing=
for k in "geneve id 1 remote 198.18.1.3" \
	"gretap local 198.18.1.2 remote 198.18.1.3" \
	"ip6gretap local fd00:1::2 remote fd00:1::3" \
	"erspan local 198.18.1.2 remote 198.18.1.3 seq key 1 erspan_ver 1" \
	"ip6erspan local fd00:1::2 remote fd00:1::3 seq key 1 erspan_ver 1"; do
	# shellcheck disable=SC2086  # the words of the link's parameters
	if ip -n "$NS" link add kprobe0 type $k 2>/dev/null; then
		ip -n "$NS" link del kprobe0
	else
		missing="$missing ${k%% *}"
	fi
done
set +e
echo "kernel_table: link kinds this kernel lacks:${missing:- none}"
export KTAB_MISSING="$missing"

timeout 110 "$prog" "$NS" "$ctl"
rc=$?
left=$(ip -n "$NS" -o link show | grep -cv -E ': (lo|t0p?|u0p?|u1p?)[:@]')
if [ "$left" != 0 ]; then
	echo "kernel_table: FAIL: links left in $NS: $(ip -n "$NS" -o link show)"
	rc=1
fi
exit $rc
