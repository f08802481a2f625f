#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the libFuzzer harness of the packet parser with clang and run it.
#
#   scripts/fuzz.sh [SECONDS]     (default 20)
#
# The build goes to build-fuzz/ in the source tree (FUZZ_BUILD_DIR
# overrides it).  The run starts from a small seed corpus of valid frames
# written to a temporary directory; a crashing input is kept in
# BUILD/fuzz-artifacts/.  Exits non-zero on any crash or invariant failure.
set -euo pipefail

secs=${1:-20}
case "$secs" in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

src=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$src/build-fuzz}

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=true -Dtests=disabled
fi
ninja -C "$build" tests/fuzz/fuzz_parse

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus=$work/corpus
mkdir -p "$corpus" "$build/fuzz-artifacts"

# Write the hex string $2 as the binary seed file $1.
seed() {
	printf '%b' "$(printf '%s' "$2" | sed 's/../\\x&/g')" > "$corpus/$1"
}

macs=020000000002020000000001
ip4src=c6120001
ip4dst=c6120002
ip6src=fd000000000000000000000000000001
ip6dst=fd000000000000000000000000000002
tcp=303900500000000100000000500200ff00000000
udp=1388138900080000

ip4tcp=4500002812344000400600
ip4opt=470000301234000040060000
ip4frag=4500001c123420b940110000
ip4udp=4500001c123400004011
seed ipv4_tcp "${macs}0800${ip4tcp}00${ip4src}${ip4dst}${tcp}"
seed ipv4_opts "${macs}0800${ip4opt}${ip4src}${ip4dst}0101070704000000${tcp}"
seed ipv4_frag "${macs}0800${ip4frag}${ip4src}${ip4dst}0011223344556677"
seed qinq_udp "${macs}88a8b00a810000140800${ip4udp}0000${ip4src}${ip4dst}${udp}"
# IPv6: hop-by-hop (8), destination options (16), routing (24), TCP.
hbh=3c00010400000000
dst=2b01010c000000000000000000000000
rh=0602040000000000${ip6dst}
seed ipv6_ext "${macs}86dd6000000000440040${ip6src}${ip6dst}${hbh}${dst}${rh}${tcp}"
seed ipv6_frag "${macs}86dd6000000000102c40${ip6src}${ip6dst}110000010000beef${udp}"
ah=060400000000100000000001000000000000000000000000
seed ipv6_ah "${macs}86dd60000000002c3340${ip6src}${ip6dst}${ah}${tcp}"
arp=0001080006040001020000000001${ip4src}000000000000${ip4dst}
seed arp "${macs}0806${arp}"

log=$work/fuzz.log
rc=0
"$build/tests/fuzz/fuzz_parse" -max_total_time="$secs" \
	-print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/" \
	"$corpus" > "$log" 2>&1 || rc=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" -ne 0 ]; then
	tail -n 40 "$log" >&2
	echo "fuzz_parse FAILED (exit $rc) after ${execs:-?} executions;" \
		"crashing input in $build/fuzz-artifacts/" >&2
	exit 1
fi
echo "fuzz_parse: ${execs:-?} executions in ${secs}s, no crash"
