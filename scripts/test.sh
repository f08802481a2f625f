#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The one test command: install dependencies, build with warnings as errors,
# run every suite, then the unit suite again under ASan/UBSan, then a short
# fuzz run.  Integration suites need root; as another user they are skipped.
#
#   scripts/test.sh            everything
#   FUZZ_SECONDS=0 scripts/test.sh   skip the fuzz run
set -uo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

passed=0
failed=0
failures=()
log=$(mktemp /tmp/dpmirror-test.XXXXXX)
trap 'rm -f "$log"' EXIT

# Run one step.  A step that runs a meson test suite counts its tests (from
# meson's "Ok:" / "Fail:" lines); any other step counts as one test.
step() {
	local name=$1 rc ok bad
	shift
	echo
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	ok=$(awk '/^Ok:/ { n += $2 } END { print n + 0 }' "$log")
	bad=$(awk '/^(Fail|Timeout|Unexpected Pass):/ { n += $NF } END { print n + 0 }' "$log")
	if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
		if [ "$rc" -eq 0 ]; then ok=1; else bad=1; fi
	elif [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$rc" -eq 0 ]; then
		echo "=== $name: ok"
	else
		failures+=("$name")
		echo "=== $name: FAILED"
	fi
	return "$rc"
}

setup() { # builddir [meson options...]
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1
	else
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
	fi || {
		cat "$dir.setup.log"
		return 1
	}
}

build() {
	setup build -Dwerror=true -Dtests=enabled && ninja -C build
}

build_asan() {
	setup build-asan -Dwerror=true -Dtests=enabled \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug && ninja -C build-asan
}

unit() {
	meson test -C build --suite unit --print-errorlogs --num-processes 1
}

unit_asan() {
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --suite unit --print-errorlogs \
		--num-processes 1
}

# The dpmirror process itself under ASan/UBSan, on the pcap test.
integration_asan() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "integration-asan: skipped, needs root"
		return 0
	fi
	DPMIRROR=$top/build-asan/dpmirror DPMIRRORCTL=$top/build-asan/dpmirrorctl \
	DPM_SRCDIR=$top ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		tests/integration/pcap_mirror.sh
}

# What the integration suites may not leave behind.
net_state() {
	ip -all netns list 2>/dev/null | awk '{print $1}' | sort
	ip -br link 2>/dev/null | awk '{print $1}' | sort
}

integration() {
	local before rc
	if [ "$(id -u)" -ne 0 ]; then
		echo "integration: skipped, needs root"
		return 0
	fi
	before=$(net_state)
	meson test -C build --suite integration --print-errorlogs \
		--num-processes 1
	rc=$?
	if [ "$(net_state)" != "$before" ]; then
		echo "integration: namespaces or links differ after the suite:"
		diff <(echo "$before") <(net_state)
		return 1
	fi
	echo "integration: ip -all netns and ip link are as before the suite"
	return $rc
}

# Benchmarks are not tests: a smoke run only, asserting that the scripts
# still measure something and print their tables.
bench_smoke() {
	local out
	out=$(scripts/bench.sh --smoke 2>&1) || { echo "$out"; return 1; }
	echo "$out" | tail -n 5
	echo "$out" | grep -Eq '^S1 .* [0-9]+\.[0-9]+ +[0-9]+\.[0-9]+ +[0-9]+\.[0-9]+' &&
		echo "$out" | grep -Eq '^S3 ' || {
		echo "bench-smoke: no table"
		return 1
	}
	out=$(scripts/bench_acl.sh --quick 2>&1) || { echo "$out"; return 1; }
	echo "$out" | tail -n 3
}

fuzz() {
	if [ "$FUZZ_SECONDS" = 0 ]; then
		echo "fuzz: skipped (FUZZ_SECONDS=0)"
		return 0
	fi
	scripts/fuzz.sh "$FUZZ_SECONDS"
}

if step bootstrap scripts/bootstrap.sh && step build build; then
	step unit unit
	step integration integration
	if step build-asan build_asan; then
		step unit-asan unit_asan
		step integration-asan integration_asan
	fi
	step fuzz fuzz
	step bench-smoke bench_smoke
fi

echo
if [ $failed -gt 0 ]; then
	echo "failed steps: ${failures[*]}"
fi
echo "test.sh: $passed passed, $failed failed"
[ $failed -eq 0 ]
