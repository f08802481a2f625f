#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `dpmirrorctl check` and the command-line surface of dpmirrorctl.
# Needs no root and no EAL.  Exit 0 = pass, 1 = fail, 77 = skip.
#
#   DPMIRRORCTL  path of the dpmirrorctl binary (default: build/dpmirrorctl)
#   DPM_SRCDIR   source root (default: two levels above this script)
#
# Cases:
#   - every config/*.ini is valid: exit 0 and "FILE: valid (...)" on stdout;
#   - every tests/data/cfg/bad/*.ini is refused: exit 2, nothing on stdout,
#     and the stderr text contains what its first line `; expect: TEXT` says;
#   - a file that does not exist: exit 2 with "cannot read";
#   - usage errors (no command, unknown command, check without FILE, check
#     with two files): exit 1 with the usage on stderr;
#   - -h, --help and help: exit 0 with the usage (listing check) on stdout.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
ctl=${DPMIRRORCTL:-$srcdir/build/dpmirrorctl}

if [ ! -x "$ctl" ]; then
	echo "check_cli: SKIP: no dpmirrorctl at $ctl (set DPMIRRORCTL)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

ok() {
	echo "PASS: $1"
	passed=$((passed + 1))
}

ko() {
	echo "FAIL: $1"
	failed=$((failed + 1))
}

# run ARGS...: run dpmirrorctl, bounded in time; sets rc, out, err.
run() {
	timeout 10 "$ctl" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# Valid example configurations.
n_good=0
for f in "$srcdir"/config/*.ini; do
	[ -e "$f" ] || continue
	n_good=$((n_good + 1))
	name="good $(basename "$f")"
	run check "$f"
	if [ "$rc" -ne 0 ]; then
		ko "$name: exit $rc, want 0: $err"
	elif [[ "$out" != "$f: valid ("*" ports, "*" collectors, "*" sessions, "*" filters, "*" rules)" ]]; then
		ko "$name: unexpected output: $out"
	elif [ -n "$err" ]; then
		ko "$name: unexpected stderr: $err"
	else
		ok "$name: $out"
	fi
done
if [ "$n_good" -eq 0 ]; then
	ko "no config/*.ini found under $srcdir"
fi

# Broken configurations, each naming the text its first message must hold.
n_bad=0
for f in "$srcdir"/tests/data/cfg/bad/*.ini; do
	[ -e "$f" ] || continue
	n_bad=$((n_bad + 1))
	name="bad $(basename "$f")"
	first=$(head -n 1 "$f")
	expect=${first#"; expect: "}
	if [ "$expect" = "$first" ] || [ -z "$expect" ]; then
		ko "$name: first line is not '; expect: TEXT'"
		continue
	fi
	run check "$f"
	if [ "$rc" -ne 2 ]; then
		ko "$name: exit $rc, want 2"
	elif [ -n "$out" ]; then
		ko "$name: unexpected stdout: $out"
	elif ! grep -qF -- "$f: error: " "$tmp/err"; then
		ko "$name: no '$f: error: ' line on stderr: $err"
	elif ! grep -qF -- "$expect" "$tmp/err"; then
		ko "$name: stderr lacks '$expect': $err"
	else
		ok "$name: $(head -n 1 "$tmp/err")"
	fi
done
if [ "$n_bad" -lt 12 ]; then
	ko "only $n_bad tests/data/cfg/bad/*.ini cases, want at least 12"
fi

# A file that cannot be read.
run check "$tmp/does-not-exist.ini"
if [ "$rc" -eq 2 ] && [[ "$err" == *"cannot read $tmp/does-not-exist.ini: No such file"* ]]; then
	ok "missing file: exit 2, $err"
else
	ko "missing file: exit $rc, want 2 with 'cannot read': $err"
fi

# Usage errors: exit 1, a message and the usage on stderr.
usage_case() {
	local name=$1
	shift
	run "$@"
	if [ "$rc" -eq 1 ] && [[ "$err" == *"usage:"* ]] && [[ "$err" == *"check FILE"* ]] && [ -z "$out" ]; then
		ok "usage error ($name): exit 1"
	else
		ko "usage error ($name): exit $rc, want 1 with usage on stderr: $err"
	fi
}
usage_case "no command"
usage_case "unknown command" frobnicate
usage_case "check without FILE" check
usage_case "check with two files" check "$srcdir/config/pcap-demo.ini" extra

# Help: exit 0, usage on stdout listing check.
for h in -h --help help; do
	run "$h"
	if [ "$rc" -eq 0 ] && [[ "$out" == *"usage:"* ]] && [[ "$out" == *"check FILE"* ]]; then
		ok "help ($h): exit 0"
	else
		ko "help ($h): exit $rc, want 0 with usage on stdout"
	fi
done

echo "check_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
