#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# meson install into a DESTDIR puts every file where it belongs, and each
# one works:
#   - the two binaries (executable, --version), the man pages dpmirror(8),
#     dpmirrorctl(8), dpmirror.ini(5), every config/*.ini as an example,
#     dpmirror@.service and the bash completion of dpmirrorctl;
#   - the unit passes systemd-analyze verify.  verify checks that the
#     ExecStart/ExecStartPre binaries exist, and the installed unit names
#     them at PREFIX/bin, which is inside DESTDIR here: it verifies a copy
#     whose paths point into DESTDIR (nothing else changed), as instance
#     dpmirror@check.service (a template itself cannot be loaded); it
#     also runs man(1) on each Documentation= page, found through MANPATH
#     in DESTDIR;
#   - each page renders with man -l (MANWIDTH=80) and groff -ww -z -man
#     reports no warning; dpmirror.ini(5) names every key of the
#     configuration's key tables;
#   - sourced in bash, the completion completes "dpmirrorctl k" to kernel.
# Needs meson, systemd-analyze, man and groff; skips (77) otherwise.  No
# root needed; nothing is installed outside a temporary directory.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
builddir=$(dirname "$dpmirror") # dpmirror is built at the top
py=/usr/bin/python3
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

for tool in meson systemd-analyze man groff; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "install: SKIP: $tool not found"
		exit 77
	fi
done

work=$(mktemp -d /tmp/dpm-install.XXXXXX)
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
dest=$work/dest

if ! meson install -C "$builddir" --no-rebuild --destdir "$dest" \
	--quiet >"$work/install.log" 2>&1; then
	cat "$work/install.log"
	echo "install: FAIL: meson install --destdir failed"
	exit 1
fi
ok "meson install --destdir $dest"

# The directories as configured (meson introspect), and where systemd and
# bash-completion look (their pkg-config files), as meson.build asks.
read -r prefix bindir datadir mandir < <(meson introspect "$builddir" \
	--buildoptions | "$py" -c 'import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"], o["bindir"], o["datadir"], o["mandir"])')
abs() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
bindir=$(abs "$bindir")
datadir=$(abs "$datadir")
mandir=$(abs "$mandir")
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
[ -n "$unitdir" ] || unitdir=$prefix/lib/systemd/system
compdir=$(pkg-config --define-variable=datadir="$datadir" \
	--variable=completionsdir bash-completion 2>/dev/null)
[ -n "$compdir" ] || compdir=$datadir/bash-completion/completions
examples=$datadir/doc/dpmirror/examples
unit=$dest$unitdir/dpmirror@.service
comp=$dest$compdir/dpmirrorctl

for f in "$bindir/dpmirror" "$bindir/dpmirrorctl"; do
	check "installed, executable: $f" [ -x "$dest$f" ]
done
check "installed dpmirror --version runs" "$dest$bindir/dpmirror" --version
check "installed dpmirrorctl --version runs" \
	"$dest$bindir/dpmirrorctl" --version
pages=("$mandir/man8/dpmirror.8" "$mandir/man8/dpmirrorctl.8"
	"$mandir/man5/dpmirror.ini.5")
for f in "${pages[@]}" "$unitdir/dpmirror@.service" \
	"$compdir/dpmirrorctl"; do
	check "installed: $f" [ -s "$dest$f" ]
done
for f in "$srcdir"/config/*.ini; do
	check "installed example: $examples/${f##*/}" \
		cmp -s "$f" "$dest$examples/${f##*/}"
done

# ---- the unit ----
grep -E '^(Exec|After|Wants|Restart)' "$unit" | sed 's/^/  /'
check "unit: ExecStart runs $bindir/dpmirror on /etc/dpmirror/%i.ini" \
	grep -q "^ExecStart=$bindir/dpmirror .* -- -c /etc/dpmirror/%i.ini" \
	"$unit"
# dpmirrorctl reload exits 2 on a refused reload: systemctl reload fails.
check "unit: ExecReload runs dpmirrorctl reload on the instance's socket" \
	grep -qx "ExecReload=$bindir/dpmirrorctl reload --file-prefix dpmirror-%i" \
	"$unit"
check "unit: after dpdk.service" grep -q '^After=.*dpdk.service' "$unit"
check "unit: wants dpdk.service" grep -q '^Wants=.*dpdk.service' "$unit"
check "unit: wants and is after network-online.target" \
	grep -q '^Wants=.*network-online.target' "$unit"
check "unit: after network-online.target" \
	grep -q '^After=.*network-online.target' "$unit"
check "unit: Restart=on-failure" grep -qx 'Restart=on-failure' "$unit"
check "unit: exit 2 (a refused configuration) is not restarted" \
	grep -qx 'RestartPreventExitStatus=2' "$unit"
# not CMD...: CMD fails (for check).
not() { ! "$@"; }
# An ExecStartPre exiting 2 is not covered by RestartPreventExitStatus:
# on-failure would restart it every RestartSec forever.
check "unit: no ExecStartPre" not grep -q '^ExecStartPre=' "$unit"
# The start limit belongs to [Unit] (ignored, with a warning, in
# [Service]): restarts of any other failure stop after a burst.
check "unit: StartLimitIntervalSec and StartLimitBurst in [Unit]" \
	"$py" -c 'import sys
sec = None
found = set()
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("["):
        sec = line
    elif line.startswith("StartLimit"):
        found.add((sec, line.split("=")[0]))
sys.exit(0 if found == {("[Unit]", "StartLimitIntervalSec"),
                        ("[Unit]", "StartLimitBurst")} else 1)' "$unit"
mkdir -p "$work/units"
sed "s|$bindir/|$dest$bindir/|g" "$unit" >"$work/units/dpmirror@check.service"
# Documentation=man:... is checked with man(1): the installed pages.
if MANPATH=$dest$mandir systemd-analyze verify \
	"$work/units/dpmirror@check.service" >"$work/verify.out" 2>&1; then
	ok "systemd-analyze verify dpmirror@check.service"
else
	sed 's/^/  /' "$work/verify.out"
	bad "systemd-analyze verify dpmirror@check.service"
fi
# verify must fail when a binary is missing: that is what the copy is for.
sed "s|$bindir/dpmirror |$dest/nonexistent/dpmirror |" "$unit" \
	>"$work/units/dpmirror@missing.service"
MANPATH=$dest$mandir systemd-analyze verify \
	"$work/units/dpmirror@missing.service" >"$work/missing.out" 2>&1
check "systemd-analyze verify refuses the unit with a missing ExecStart" \
	grep -q "$dest/nonexistent/dpmirror" "$work/missing.out"

# ---- the man pages ----
for f in "${pages[@]}"; do
	page=$dest$f
	name=${f##*/}
	name=${name%.*}
	groff -ww -z -man "$page" >"$work/groff.out" 2>&1
	check "groff -ww -z -man $name: no warning" [ ! -s "$work/groff.out" ]
	sed 's/^/  /' "$work/groff.out"
	MANWIDTH=80 man -l "$page" >"$work/$name.txt" 2>"$work/man.err"
	check "man -l $name renders its NAME section" \
		grep -q "^ *$name - " "$work/$name.txt"
	check "man -l $name: no message on stderr" [ ! -s "$work/man.err" ]
	width=$(wc -L <"$work/$name.txt")
	check "man -l $name: no line wider than 80 columns ($width)" \
		[ "$width" -le 80 ]
done
# Every key of the configuration's tables is documented: the key names of
# cfg/*.c's key tables, read from the source.
keys=$(sed -n '/^\(static \)\?const struct cfg_key cfg_.*_keys\[\] = {/,/^};/p' \
	"$srcdir"/cfg/*.c | grep -o '^	{"[a-z_]*"' | tr -d '\t{"' | sort -u)
missing=
for k in $keys; do
	grep -q "^ *$k \(N \)\?= " "$work/dpmirror.ini.txt" ||
		missing="$missing $k"
done
check "dpmirror.ini(5) documents all $(echo "$keys" | wc -w) keys of the key tables${missing:+ (missing:$missing)}" \
	[ -z "$missing" ]
check "the key tables were found in cfg/*.c" [ -n "$keys" ]

# ---- bash completion ----
got=$(bash --norc --noprofile -c '. "$1"
COMP_WORDS=(dpmirrorctl k); COMP_CWORD=1
_dpmirrorctl; echo "${COMPREPLY[*]}"' _ "$comp" 2>&1)
check "completion: dpmirrorctl k<TAB> -> kernel (got '$got')" \
	[ "$got" = kernel ]
got=$(bash --norc --noprofile -c '. "$1"; complete -p dpmirrorctl' _ \
	"$comp" 2>&1)
check "completion: registered for dpmirrorctl ($got)" \
	[ "$got" = "complete -F _dpmirrorctl dpmirrorctl" ]
got=$(bash --norc --noprofile -c '. "$1"
COMP_WORDS=(dpmirrorctl kernel add --dir); COMP_CWORD=3
_dpmirrorctl; echo "${COMPREPLY[*]}"' _ "$comp" 2>&1)
check "completion: dpmirrorctl kernel add --dir<TAB> -> --direction (got '$got')" \
	[ "$got" = --direction ]
summary install
