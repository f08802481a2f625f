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

seed ipv4_tcp "${macs}0800450000281234400040060000${ip4src}${ip4dst}${tcp}"
seed ipv4_opts "${macs}0800470000301234000040060000${ip4src}${ip4dst}0101070704000000${tcp}"
seed ipv4_frag "${macs}08004500001c123420b940110000${ip4src}${ip4dst}0011223344556677"
seed qinq_udp "${macs}88a8b00a8100001408004500001c1234000040110000${ip4src}${ip4dst}${udp}"
seed ipv6_ext "${macs}86dd6000000000440040${ip6src}${ip6dst}3c000104000000002b01010c0000000000000000000000000602040000000000${ip6dst}${tcp}"
seed ipv6_frag "${macs}86dd6000000000102c40${ip6src}${ip6dst}110000010000beef${udp}"
seed ipv6_ah "${macs}86dd60000000002c3340${ip6src}${ip6dst}060400000000100000000001000000000000000000000000${tcp}"
seed arp "${macs}08060001080006040001020000000001${ip4src}000000000000${ip4dst}"

log=$work/fuzz.log
rc=0
"$build/tests/fuzz/fuzz_parse" -max_total_time="$secs" -print_final_stats=1 \
	-artifact_prefix="$build/fuzz-artifacts/" "$corpus" > "$log" 2>&1 || rc=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" -ne 0 ]; then
	tail -n 40 "$log" >&2
	echo "fuzz_parse FAILED (exit $rc) after ${execs:-?} executions;" \
		"crashing input in $build/fuzz-artifacts/" >&2
	exit 1
fi
echo "fuzz_parse: ${execs:-?} executions in ${secs}s, no crash"
