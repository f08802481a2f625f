#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the libFuzzer harnesses with clang and run each for SECONDS: the
# packet parser (fuzz_parse), the whole burst path on net_ring ports
# (fuzz_burst: parse, classify, mirror, encap, tx, with conservation and
# leak checks after every input), the configuration loader on arbitrary
# text (fuzz_cfg, from the example configurations and the test ones, with
# a dictionary of the format's words) and dpmirrorctl collect's
# decapsulator and sequence tracker (fuzz_decap, from a frame of every
# tunnel kind).
#
#   scripts/fuzz.sh [SECONDS]     (default 20, per harness)
#
# The build goes to build-fuzz/ in the source tree (FUZZ_BUILD_DIR
# overrides it).  The run starts from a small seed corpus of valid frames
# written to a temporary directory; a crashing input is kept in
# BUILD/fuzz-artifacts/.  Exits non-zero on any crash or invariant failure;
# 77 (skipped) when clang is not installed.
set -euo pipefail

secs=${1:-20}
case "$secs" in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: skipped: clang not found (scripts/bootstrap.sh installs it)"
	exit 77
fi

src=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$src/build-fuzz}

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=true -Dtests=disabled
fi
ninja -C "$build" tests/fuzz/fuzz_parse tests/fuzz/fuzz_burst \
	tests/fuzz/fuzz_cfg tests/fuzz/fuzz_decap

work=$(mktemp -d)
# fuzz_burst starts an EAL (--file-prefix dpm-fuzz-burst, --no-shconf).
trap 'rm -rf "$work" /var/run/dpdk/dpm-fuzz-burst' EXIT
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

# Run harness $1 on corpus $2 for $secs seconds (more libFuzzer options
# after them); report its executions and coverage.
run() {
	local name=$1 dir=$2 log=$work/$1.log rc=0 execs cov
	shift 2

	"$build/tests/fuzz/$name" -max_total_time="$secs" \
		-print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/" \
		"$@" "$dir" > "$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	cov=$(grep -oE '(DONE|#[0-9]+) +cov: [0-9]+ ft: [0-9]+' "$log" |
		tail -n 1 | sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+)/\1 edges, \2 features/')
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$log" >&2
		echo "$name FAILED (exit $rc) after ${execs:-?} executions;" \
			"crashing input in $build/fuzz-artifacts/" >&2
		return 1
	fi
	echo "$name: ${execs:-?} executions in ${secs}s, coverage ${cov:-?}," \
		"no crash"
}

# fuzz_burst's inputs: variant, faults, then bursts of frame recipes.
burst=$work/burst
mkdir -p "$burst"
printf '\x00\x00\x00\x20\x00\x00\x00\x40\x01\x02\x03\x00\x01\x00' > "$burst/plain"
printf '\x05\x13\x01\x10\x04\x07\x10\x00\x20\x05\x06\x01\x00\x02\x11' > "$burst/faults"
printf '\x02\x30\x02\x08\x01\x0f\x40\x00\x30\x02\x04\x00\x50\x00' > "$burst/chains"
# Inputs that once found a bug stay in the corpus.
cp "$src"/tests/fuzz/corpus/burst/* "$burst"/

# fuzz_cfg's: every example configuration and every test one (valid and
# refused), and the seeds of corpus/cfg/ (sections no example has).
cfgs=$work/cfg
mkdir -p "$cfgs"
for d in "$src/config" "$src/tests/data/cfg" "$src/tests/integration" \
	"$src/tests/fuzz/corpus/cfg"; do
	[ -d "$d" ] || continue
	find "$d" -name '*.ini' -type f | while read -r f; do
		cp "$f" "$cfgs/$(printf '%s' "${f#"$src"/}" | tr '/' '_')"
	done
done

# fuzz_decap's: one frame of every tunnel kind, both outer families,
# around the same inner frame (an IPv4 TCP segment).
decap=$work/decap
mkdir -p "$decap"
inner="${macs}0800${ip4tcp}00${ip4src}${ip4dst}${tcp}"
# Write the hex strings after $1, joined, as the binary seed file $1.
dseed() {
	local name=$1 hex
	shift
	hex=$(printf '%s' "$@")
	printf '%b' "$(printf '%s' "$hex" | sed 's/../\\x&/g')" > "$decap/$name"
}
dseed vxlan4 "${macs}0800" "4500005a0000400040110000${ip4src}${ip4dst}" \
	"c00712b500460000" "0800000000006400" "$inner"
dseed geneve6 "${macs}86dd" "6000000000461140${ip6src}${ip6dst}" \
	"c00717c100460000" "0000655800000700" "$inner"
dseed gre4_key_seq "${macs}0800" "4500005600004000402f0000${ip4src}${ip4dst}" \
	"300065580000000500000001" "$inner"
dseed gre6 "${macs}86dd" "60000000003a2f40${ip6src}${ip6dst}" "00006558" "$inner"
dseed erspan2_6_tagged "${macs}8100006486dd" \
	"6000000000462f40${ip6src}${ip6dst}" "100088be00000007" \
	"1000014100000003" "$inner"
dseed erspan3_4 "${macs}0800" "4500005e00004000402f0000${ip4src}${ip4dst}" \
	"100022eb00000009" "2000000c123456780000800a" "$inner"

rc=0
run fuzz_parse "$corpus" || rc=1
run fuzz_burst "$burst" || rc=1
run fuzz_cfg "$cfgs" -dict="$src/tests/fuzz/cfg.dict" || rc=1
run fuzz_decap "$decap" || rc=1
exit $rc
