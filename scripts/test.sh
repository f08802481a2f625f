#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The one test command: install dependencies, build with warnings as errors,
# run every suite, then the unit suite again under ASan/UBSan, then a short
# fuzz run.  Integration suites need root; as another user they are skipped.
# A test or step that is skipped (exit 77: no root, a tool missing) is
# counted as skipped, never as passed; the last line gives all three counts.
#
#   scripts/test.sh            everything
#   FUZZ_SECONDS=0 scripts/test.sh   skip the fuzz run
set -uo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

passed=0
failed=0
skipped=0
failures=()
skips=()
log=$(mktemp /tmp/dpmirror-test.XXXXXX)
trap 'rm -f "$log"' EXIT

# Run one step.  A step that runs a meson test suite counts its tests (from
# meson's "Ok:" / "Fail:" / "Skipped:" lines, which integration_asan and
# integration print too); any other step counts as one test, skipped when
# it exits 77.  A step that exits 77 is reported as skipped, never as ok.
step() {
	local name=$1 rc ok bad skip
	shift
	echo
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	ok=$(awk '/^Ok:/ { n += $2 } END { print n + 0 }' "$log")
	bad=$(awk '/^(Fail|Timeout|Unexpected Pass):/ { n += $NF } END { print n + 0 }' "$log")
	skip=$(awk '/^Skipped:/ { n += $2 } END { print n + 0 }' "$log")
	if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && [ "$skip" -eq 0 ]; then
		case $rc in
		0) ok=1 ;;
		77) skip=1 ;;
		*) bad=1 ;;
		esac
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ "$bad" -eq 0 ]; then
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	skipped=$((skipped + skip))
	if [ "$bad" -ne 0 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; }; then
		failures+=("$name")
		echo "=== $name: FAILED"
	elif [ "$rc" -eq 77 ] || { [ "$ok" -eq 0 ] && [ "$skip" -ne 0 ]; }; then
		skips+=("$name")
		echo "=== $name: skipped"
	elif [ "$skip" -ne 0 ]; then
		skips+=("$name (some)")
		echo "=== $name: ok, $skip skipped"
	else
		echo "=== $name: ok"
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

# The sanitizer build uses clang (the main build gcc): two compilers see
# the code, and code whose meaning depends on one of them (the order in
# which arguments are evaluated, say) shows up in one of the two runs.
build_asan() {
	if [ -f build-asan/build.ninja ] &&
		! grep -q '^ command = clang ' build-asan/build.ninja; then
		rm -rf build-asan
	fi
	CC=clang setup build-asan -Dwerror=true -Dtests=enabled \
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

# dpmirror and dpmirrorctl themselves under ASan/UBSan: the command line,
# the pcap test and the life-cycle test (locks, kill -9, runtime
# directories).  Scripts that need root skip themselves (exit 77) as
# another user.  Prints meson's "Ok:" / "Fail:" / "Skipped:" lines so that
# step() counts each script; exits 77 when every script skipped itself.
integration_asan() {
	local t rc ok=0 bad=0 skip=0
	for t in cli_help.sh check_cli.sh pcap_mirror.sh lifecycle.sh \
		big_frames.sh collector_stall.sh dry_run.sh kernel_table.sh \
		expr_filter.sh \
		reload.sh neighbor.sh encaps.sh collect.sh scaling.sh; do
		echo "--- $t with the ASan/UBSan binaries"
		DPMIRROR=$top/build-asan/dpmirror \
		DPMIRRORCTL=$top/build-asan/dpmirrorctl DPM_SRCDIR=$top \
		ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			timeout 900 "tests/integration/$t" \
			"$top/build-asan/tests/integration/kernel_table"
		rc=$?
		case $rc in
		0) ok=$((ok + 1)) ;;
		77)
			echo "$t: skipped"
			skip=$((skip + 1))
			;;
		*)
			echo "$t: FAILED (exit $rc)"
			bad=$((bad + 1))
			;;
		esac
	done
	echo "Ok: $ok"
	echo "Fail: $bad"
	echo "Skipped: $skip"
	[ "$bad" -eq 0 ] || return 1
	[ "$ok" -eq 0 ] && [ "$skip" -gt 0 ] && return 77
	return 0
}

# What the integration suites may not leave behind.
net_state() {
	ip -all netns list 2>/dev/null | awk '{print $1}' | sort
	ip -br link 2>/dev/null | awk '{print $1}' | sort
}

integration() {
	local before rc n
	if [ "$(id -u)" -ne 0 ]; then
		# Each test of the suite counts as skipped.
		n=$(meson test -C build --suite integration --list 2>/dev/null |
			grep -c ' / ')
		[ "${n:-0}" -gt 0 ] || n=1
		echo "integration: skipped, needs root"
		echo "Skipped: $n"
		return 77
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

# What no step may leave behind: EAL runtime directories, namespaces,
# links, and processes of the kinds the tests and scripts start.
dpdk_rundir() {
	if [ "$(id -u)" -eq 0 ]; then
		echo /var/run/dpdk
	else
		echo "${XDG_RUNTIME_DIR:-/tmp}/dpdk"
	fi
}
leftover_procs() { # "PID COMMAND ARGS" of processes tests start
	ps -eo pid=,comm=,args= | awk '
		$2 ~ /^(dpmirror|dpmirrorctl|dpdk-testpmd|dpdk-test-acl|tcpdump|tshark|dumpcap|iperf3|tcpreplay)$/ ||
		($2 ~ /^python3/ && / (-m http\.server|[^ ]*demo_traffic|.*198\.18\.)/) { print }' |
		sort
}
state() {
	local d
	d=$(dpdk_rundir)
	ls -1A "$d" 2>/dev/null | sed "s|^|dpdk-runtime-dir $d/|"
	ip -all netns list 2>/dev/null | awk '{print "netns " $1}'
	ip -br link 2>/dev/null | awk '{print "link " $1}'
	leftover_procs | sed 's/^ */process /'
}
state_before=

record_state() {
	state_before=$(state | sort)
	echo "recorded: $(grep -c '^dpdk' <<<"$state_before") EAL runtime" \
		"directories, $(grep -c '^netns' <<<"$state_before") namespaces," \
		"$(grep -c '^link' <<<"$state_before") links," \
		"$(grep -c '^process' <<<"$state_before") processes of the watched kinds"
}

leftovers() {
	local new
	# A process a test has just signalled may take a moment to go.
	for _ in $(seq 1 10); do
		new=$(comm -13 <(echo "$state_before") <(state | sort))
		[ -z "$new" ] && break
		sleep 0.5
	done
	if [ -n "$new" ]; then
		echo "leftovers: what the steps left behind (absent before them):"
		echo "$new" | sed 's/^/  /'
		return 1
	fi
	echo "leftovers: no new EAL runtime directory, namespace, link or process"
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
	# Both programs measured something in S1 and S3 (testpmd's and
	# dpmirror's Mpps are the 6th and 5th figures from the end).
	echo "$out" | awk '/^S[13] [^0-9]/ {
			n++
			if ($(NF - 5) + 0 <= 0 || $(NF - 4) + 0 <= 0)
				bad = 1
		}
		END { exit !(n == 2 && !bad) }' || {
		echo "bench-smoke: a program measured no traffic in S1 or S3"
		return 1
	}
	# The smoke run stays off hugepages and never runs Open vSwitch.
	if echo "$out" | grep -Eq '^S[0-9F]+ [0-9]+ ovs:|OVS-DPDK:'; then
		echo "bench-smoke: --smoke ran OVS-DPDK"
		return 1
	fi
	echo "$out" | grep -q '^bench: memory: --no-huge' || {
		echo "bench-smoke: --smoke did not run on --no-huge memory"
		return 1
	}
	out=$(scripts/bench_acl.sh --quick 2>&1) || { echo "$out"; return 1; }
	echo "$out" | tail -n 3
}

fuzz() {
	if [ "$FUZZ_SECONDS" = 0 ]; then
		echo "fuzz: skipped (FUZZ_SECONDS=0)"
		return 77
	fi
	scripts/fuzz.sh "$FUZZ_SECONDS"
}

if step bootstrap scripts/bootstrap.sh && step build build; then
	record_state
	step unit unit
	step integration integration
	if step build-asan build_asan; then
		step unit-asan unit_asan
		step integration-asan integration_asan
	fi
	step fuzz fuzz
	step bench-smoke bench_smoke
	step leftovers leftovers
fi

echo
if [ $failed -gt 0 ]; then
	echo "failed steps: ${failures[*]}"
fi
if [ $skipped -gt 0 ]; then
	echo "steps with skipped tests: ${skips[*]}"
fi
echo "test.sh: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
