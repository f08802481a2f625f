#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Help and version of both programs.  Needs no root, no EAL, no device.
# Exit 0 = pass, 1 = fail.
#
#   - every dpmirrorctl command (and every kernel/playground action) takes
#     -h and --help: exit 0, its own usage on stdout ("usage: dpmirrorctl
#     COMMAND [ACTION]", an action's without the other actions' lines),
#     nothing on stderr, and nothing done;
#   - `dpmirrorctl help COMMAND` prints exactly what `COMMAND --help` does;
#     `help` alone the top-level page; `help nosuch` exit 1;
#   - `check -- FILE` reads a file whose name starts with '-'; `check -x`
#     is a usage error (exit 1), not "cannot read -x"; so are bad options
#     of stats and reload (exit 1, naming the option, before any socket
#     is looked for);
#   - `--version` of dpmirrorctl and dpmirror print the program's name and
#     the version in meson.build, exit 0; dpmirror -h/--help exit 0.

set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
ctl=${DPMIRRORCTL:-$src/build/dpmirrorctl}
dpm=${DPMIRROR:-$src/build/dpmirror}
ctl=$(realpath "$ctl")
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run PROG ARGS...: sets rc, out, err.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

version=$(sed -n "s/^[[:space:]]*version: '\([^']*\)'.*/\1/p" "$src/meson.build" | head -1)
[ -n "$version" ] || { echo "cli_help: no version in meson.build"; exit 1; }

for cmd in check playground "playground up" "playground down" \
	"playground status" kernel "kernel add" "kernel del" "kernel show" \
	stats reload; do
	first=${cmd%% *}
	for h in -h --help; do
		# shellcheck disable=SC2086
		run "$ctl" $cmd $h
		# An action's help is that action's alone.
		others=0
		if [ "$cmd" != "$first" ]; then
			others=$(grep -c "dpmirrorctl $first [a-z]" <<<"$out" |
				tr -d ' ')
			others=$((others - $(grep -c "dpmirrorctl $cmd " <<<"$out")))
		fi
		if [ "$rc" -eq 0 ] && [ -z "$err" ] && [ "$others" -eq 0 ] &&
			[[ "$out" == "usage: dpmirrorctl $cmd"* ]]; then
			ok "dpmirrorctl $cmd $h: exit 0, its usage on stdout"
		else
			bad "dpmirrorctl $cmd $h: exit $rc, stdout '${out%%$'\n'*}', stderr '$err'"
		fi
	done
	# shellcheck disable=SC2086
	run "$ctl" $first --help
	want=$out
	run "$ctl" help "$first"
	if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
		ok "dpmirrorctl help $first = $first --help"
	else
		bad "dpmirrorctl help $first: exit $rc, differs from $first --help"
	fi
done

run "$ctl" help
if [ "$rc" -eq 0 ] && [[ "$out" == "usage: dpmirrorctl COMMAND"* ]] &&
	[[ "$out" == *"help COMMAND"* ]]; then
	ok "dpmirrorctl help: the top-level page"
else
	bad "dpmirrorctl help: exit $rc: $out"
fi
run "$ctl" help nosuch
if [ "$rc" -eq 1 ] && [[ "$err" == *"unknown command 'nosuch'"* ]]; then
	ok "dpmirrorctl help nosuch: exit 1, names it"
else
	bad "dpmirrorctl help nosuch: exit $rc: $err"
fi

run "$ctl" check -x
if [ "$rc" -eq 1 ] && [[ "$err" == *"unknown option -x"* ]] &&
	[[ "$err" != *"cannot read"* ]]; then
	ok "check -x: usage error, not a file"
else
	bad "check -x: exit $rc: $err"
fi
cp "$src/config/tap-span.ini" "$tmp/-h"
(cd "$tmp" && "$ctl" check -- -h >out2 2>err2)
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^-h: valid' "$tmp/out2"; then
	ok "check -- -h reads the file called -h"
else
	bad "check -- -h: exit $rc: $(cat "$tmp/out2" "$tmp/err2")"
fi

# stats and reload: a bad option is a usage error (exit 1) that names it,
# before any socket is looked for.
for args in "stats --json --prometheus" "stats --watch 0" "stats --watch x" \
	"stats --watch" "stats --prometheus --watch 1" "stats --file-prefix a/b" \
	"stats --nosuch" "reload --timeout 0" "reload --timeout" "reload extra" \
	"reload --file-prefix a/b"; do
	# shellcheck disable=SC2086
	run "$ctl" $args
	word=${args#* }
	word=${word%% *}
	if [ "$rc" -eq 1 ] && [[ "$err" == *"$word"* ]] &&
		[[ "$err" == *"usage: dpmirrorctl ${args%% *}"* ]] &&
		[[ "$err" != *"does not exist"* ]]; then
		ok "dpmirrorctl $args: usage error naming $word"
	else
		bad "dpmirrorctl $args: exit $rc: ${err%%$'\n'*}"
	fi
done

for v in --version version; do
	run "$ctl" $v
	if [ "$rc" -eq 0 ] && [ "$out" = "dpmirrorctl $version" ]; then
		ok "dpmirrorctl $v: $out"
	else
		bad "dpmirrorctl $v: exit $rc, '$out', want 'dpmirrorctl $version'"
	fi
done

if [ -x "$dpm" ]; then
	run "$dpm" --version
	if [ "$rc" -eq 0 ] && [ "$out" = "dpmirror $version" ]; then
		ok "dpmirror --version: $out"
	else
		bad "dpmirror --version: exit $rc, '$out' '$err', want 'dpmirror $version'"
	fi
	for h in -h --help; do
		run "$dpm" $h
		if [ "$rc" -eq 0 ] && [[ "$out" == *"usage"* ]]; then
			ok "dpmirror $h: exit 0, usage on stdout"
		else
			bad "dpmirror $h: exit $rc: $out $err"
		fi
	done
else
	bad "dpmirror not found at $dpm"
fi

summary cli_help
