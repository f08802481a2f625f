#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpmirror --dry-run: every port probed as configured, the ruleset and ACL
# built, everything released, exit 0; or exit 2 naming the key.
#   1. every file in config/ passes in the setup it is meant for:
#      - the playground files (a [playground] section, or ports on the
#        interfaces of `dpmirrorctl playground up` with prefix dpm) after
#        `dpmirrorctl playground up [--inline] --prefix PREFIX`, in the
#        root namespace, the playground taken down again afterwards;
#      - the others in a network namespace made here, holding the Linux
#        interfaces they name (veth pairs) and the pcap files they read;
#        PCI devices absent from this machine are replaced by net_null.
#      multi-session.ini also with two workers.
#   2. broken variants that `dpmirrorctl check` accepts exit 2 with one
#      message naming [section] key = value: rx_queues beyond the device's
#      queues, mtu beyond net_tap's frames, a mirror_pool too small for
#      two workers (enough for one), tx queues for three workers, an
#      interface that does not exist; demo-live.ini without its
#      playground says to bring it up, and the dry run does not.
#   3. after each run: no /var/run/dpdk/<file-prefix>, no lock file, no
#      namespace or link that was not there before.
#   4. --version and -h exit 0.
# Root only (exit 77 otherwise); exit 77 too when a playground prefix the
# files use (dpm, demo) is up already.  No traffic is sent.
#
#   DPMIRROR, DPMIRRORCTL  the binaries (default build/dpmirror, ...)
#   DPM_SRCDIR             the source root
set -uo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "dry_run: skipped, needs root"
	exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
top=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
DPMIRROR=${DPMIRROR:-$top/build/dpmirror}
CTL=${DPMIRRORCTL:-$top/build/dpmirrorctl}
for t in ip "$DPMIRROR" "$CTL"; do
	if ! command -v "$t" >/dev/null; then
		echo "dry_run: skipped, $t is missing"
		exit 77
	fi
done
for pg in dpm demo; do
	if ip -br link | awk '{print $1}' | grep -q "^$pg-" ||
		ip netns list | awk '{print $1}' | grep -q "^$pg-"; then
		echo "dry_run: skipped, the playground prefix $pg is in use"
		exit 77
	fi
done

P=dr$(printf %04d $((RANDOM % 10000)))
NS=$P-ns
work=$(mktemp -d /tmp/dpm-dry.XXXXXX)
RUN=$work/run # dpmirror's locks; created by dpmirror
export DPMIRROR_RUNDIR=$RUN
DPDK_RUN=/var/run/dpdk
pg_prefix=
# ok, bad, check, summary
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

cleanup() {
	[ -n "$pg_prefix" ] &&
		"$CTL" playground down --prefix "$pg_prefix" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	rm -rf "$DPDK_RUN/$P"-*
	if [ -n "${DPM_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What a run could leave behind, in the root namespace and in $NS: in the
# root namespace only the names the files in config/ and this test use
# (dpm-*, demo-*, veth-*, $P*), so that other work on the machine cannot
# make a run look guilty.
ours='^(dpm-|demo-|veth-|'"$P"')'
snapshot() {
	ip netns list | awk '{print $1}' | grep -E "$ours|^$NS\$" | sort
	ip -br link | awk '{print $1}' | sed 's/@.*//' | grep -E "$ours" | sort
	if ip netns list | awk '{print $1}' | grep -qx "$NS"; then
		echo "in $NS:"
		ip -n "$NS" -br link | awk '{print $1}' | sed 's/@.*//' | sort
	fi
}

n=0
out=
err=
rc=
# dry [--ns] [--workers N] CONFIG: dpmirror --dry-run on CONFIG (in $NS
# with --ns), N workers (1); sets rc, out, err; checks that nothing is
# left behind.
dry() {
	local wrap=() lcores=(-l "0,1") before after fp
	while [ $# -gt 1 ]; do
		case $1 in
		--ns) wrap=(ip netns exec "$NS") ;;
		--workers)
			shift
			case $1 in
			1) lcores=(-l "0,1") ;;
			2) lcores=(--lcores '0@0,(1,2)@0') ;;
			3) lcores=(--lcores '0@0,(1-3)@0') ;;
			esac
			;;
		esac
		shift
	done
	n=$((n + 1))
	fp=$P-$n
	before=$(snapshot)
	"${wrap[@]}" timeout 60 "$DPMIRROR" --no-huge -m 1024 --no-pci \
		"${lcores[@]}" --file-prefix "$fp" -- -c "$1" --dry-run \
		>"$work/out.$n" 2>"$work/err.$n"
	rc=$?
	out=$(cat "$work/out.$n")
	err=$(grep -v '^EAL: \|^TELEMETRY: ' "$work/err.$n")
	after=$(snapshot)
	if [ -e "$DPDK_RUN/$fp" ]; then
		bad "run $n ($1): left $DPDK_RUN/$fp"
	elif [ -n "$(ls -A "$RUN" 2>/dev/null)" ]; then
		bad "run $n ($1): left lock files: $(ls -A "$RUN")"
	elif [ "$before" != "$after" ]; then
		bad "run $n ($1): namespaces or links changed:" \
			"$(diff <(echo "$before") <(echo "$after") | grep '^[<>]')"
	else
		ok "run $n ($(basename "$1")): nothing left behind"
	fi
}

# passes NAME: the last run exited 0 with its summary.
passes() {
	if [ "$rc" -eq 0 ] && grep -q '^dpmirror: dry run: it would start' \
		<<<"$out"; then
		ok "$1: exit 0 ($(head -1 <<<"$out" | sed 's/.*: //'))"
	else
		bad "$1: exit $rc, expected 0"
		printf '%s\n%s\n' "$out" "$err" | sed 's/^/     /'
	fi
}

# refused NAME KEY [TEXT]: the last run exited 2 with exactly one error
# line, starting with KEY and holding TEXT.
refused() {
	local lines
	lines=$(grep -c '^dpmirror: error: ' <<<"$err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] &&
		grep -qF "dpmirror: error: $2" <<<"$err" &&
		grep -qF -- "${3:-$2}" <<<"$err"; then
		ok "$1: exit 2, $(grep '^dpmirror: error: ' <<<"$err" |
			cut -c18-100)..."
	else
		bad "$1: exit $rc, expected 2 naming '$2' ${3:+and '$3'}"
		printf '%s\n%s\n' "$out" "$err" | sed 's/^/     /'
	fi
}

# checked NAME FILE: dpmirrorctl check accepts FILE (so only a dry run
# finds what is wrong with it).
checked() {
	if "$CTL" check "$2" >/dev/null 2>&1; then
		ok "$1: dpmirrorctl check accepts it"
	else
		bad "$1: dpmirrorctl check refuses it: $("$CTL" check "$2" 2>&1)"
	fi
}

pg_up() { # PREFIX [--inline]
	pg_prefix=$1
	shift
	if ! "$CTL" playground up --prefix "$pg_prefix" "$@" \
		>"$work/pg.log" 2>&1; then
		bad "playground up --prefix $pg_prefix $*: $(cat "$work/pg.log")"
		return 1
	fi
}

pg_down() {
	"$CTL" playground down --prefix "$pg_prefix" >/dev/null 2>&1 ||
		bad "playground down --prefix $pg_prefix"
	pg_prefix=
}

# ---- 4. --version, -h ----
v=$("$DPMIRROR" --version)
check "--version exits 0 and prints 'dpmirror VERSION' ($v)" \
	grep -qE '^dpmirror [0-9]+\.[0-9]+\.[0-9]+$' <<<"$v"
check "-h exits 0 and shows --dry-run" \
	bash -c '"$1" -h | grep -q -- --dry-run' _ "$DPMIRROR"
check "-- --help exits 0" bash -c '"$1" -- --help >/dev/null' _ "$DPMIRROR"

# ---- 1. every file in config/, in its setup ----
ip netns add "$NS" || {
	bad "cannot make namespace $NS"
	summary dry_run
	exit
}
ip -n "$NS" link set lo up
# The Linux interfaces the non-playground files name, as veth pairs.
for l in veth-a veth-b dpm-out veth-east veth-west veth-mon; do
	ip -n "$NS" link add "$l" type veth peer name "$l-p" &&
		ip -n "$NS" link set "$l" up && ip -n "$NS" link set "$l-p" up ||
		bad "cannot make $l in $NS"
done
ip -n "$NS" link set dpm-out mtu 1600
ip -n "$NS" link set veth-mon mtu 1600
# pcap-demo.ini reads demo-in.pcap from the working directory (an empty
# capture: a pcap header only) and writes its outputs beside it.
mkdir -p "$work/pcap"
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' \
	>"$work/pcap/demo-in.pcap"

tested=()
for f in "$top"/config/*.ini; do
	name=$(basename "$f")
	tested+=("$name")
	pg=$(awk -F'[=;]' '/^\[playground\]/ {s = 1; next} /^\[/ {s = 0}
		s && $1 ~ /^prefix[ \t]*$/ {gsub(/[ \t]/, "", $2); print $2}' "$f")
	if grep -q '^\[playground\]' "$f"; then
		[ -n "$pg" ] || pg=dpm
		inl=()
		grep -qE '^inline[ \t]*=[ \t]*yes' "$f" && inl=(--inline)
		# dpmirror brings its [playground] up itself; a dry run does not,
		# and says so at the first port on one of its interfaces.
		first=$(awk '/^\[port / {p = $0; sub(/^\[port /, "", p)
			sub(/\].*/, "", p)} p != "" && /^device[ \t]*=/ {
			d = $0; sub(/^device[ \t]*=[ \t]*/, "", d)
			sub(/[ \t]*;.*/, "", d); print "[port " p "] device = " d
			exit}' "$f")
		dry "$f"
		refused "$name without its playground" "$first: " \
			"playground up --prefix $pg ${inl[*]}"
		pg_up "$pg" "${inl[@]}" || continue
		dry "$f"
		passes "$name (playground $pg up)"
		pg_down
	elif grep -qE '^device[ \t]*=[ \t]*net_af_packet[0-9]*,iface=dpm-(h1e0|span)' \
		"$f"; then
		inl=()
		grep -q 'iface=dpm-h1e0' "$f" && inl=(--inline)
		pg_up dpm "${inl[@]}" || continue
		dry "$f"
		passes "$name (playground dpm${inl[*]:+ ${inl[*]}})"
		pg_down
	elif grep -qE '^device[ \t]*=[ \t]*[0-9a-fA-F]{4}:' "$f"; then
		# PCI devices: as they are where this machine has them, else
		# net_null in their place.
		cp "$f" "$work/$name"
		k=0
		for pci in $(sed -nE 's/^device[ \t]*=[ \t]*([0-9a-fA-F:.]+).*/\1/p' "$f"); do
			if [ ! -e "/sys/bus/pci/devices/$pci" ]; then
				sed -i "s/^device\([ \t]*\)=\([ \t]*\)$pci/device\1=\2net_null$k/" \
					"$work/$name"
				k=$((k + 1))
			fi
		done
		if [ $k -gt 0 ]; then
			# --no-pci: only when every PCI device was replaced
			dry --ns "$work/$name"
			passes "$name (net_null for its $k PCI device(s))"
		else
			bad "$name: PCI devices present; run it by hand"
		fi
	else
		cd "$work/pcap" || exit 1
		dry --ns "$f"
		cd - >/dev/null || exit 1
		passes "$name"
	fi
done
check "every file in config/ was run (${#tested[@]}: ${tested[*]})" \
	test "${#tested[@]}" -ge 7

ms=$top/config/multi-session.ini
dry --ns --workers 2 "$ms"
passes "multi-session.ini with two workers"
check "multi-session.ini: two workers poll east" \
	grep -q '^  \[port east\] .*2 rx / 2 tx queue(s).*polled by 2 worker(s)' \
	<<<"$out"

# ---- 2. what dpmirrorctl check accepts and a start would refuse ----
# The device of the old multi-session.ini: two rx queues, one packet socket.
sed 's/,qpairs=2//' "$ms" >"$work/rxq.ini"
checked "rx_queues = 2 without qpairs" "$work/rxq.ini"
dry --ns "$work/rxq.ini"
refused "rx_queues = 2 without qpairs" "[port east] rx_queues = 2: " \
	"give rx_queues = 1 or add qpairs=2 to the device string"

# A jumbo MTU on net_tap, which takes 1522-byte frames.
sed 's/^device = net_af_packet2,iface=veth-mon,qpairs=2/device = net_tap0,iface=dpm-mon/; s/^mtu = 1600/mtu = 9000/' \
	"$ms" >"$work/mtu.ini"
checked "mtu = 9000 on net_tap" "$work/mtu.ini"
dry --ns "$work/mtu.ini"
refused "mtu = 9000 on net_tap" "[port mon] mtu = 9000: " "give mtu = "

# A mirror pool enough for one worker, not for two.
sed 's/^mirror_pool = .*/mirror_pool = 1200/' "$ms" >"$work/pool.ini"
checked "mirror_pool = 1200" "$work/pool.ini"
dry --ns "$work/pool.ini"
passes "mirror_pool = 1200 with one worker"
dry --ns --workers 2 "$work/pool.ini"
refused "mirror_pool = 1200 with two workers" \
	"[dpmirror] mirror_pool = 1200: " "give mirror_pool = 1408 or more"

# Three workers need three tx queues on each side of the pair.
dry --ns --workers 3 "$ms"
refused "multi-session.ini with three workers" \
	"[port east] device = net_af_packet0,iface=veth-east,qpairs=2: " \
	"add qpairs=3"

# An interface that does not exist.
sed 's/iface=veth-west/iface=veth-nope/' "$ms" >"$work/noif.ini"
checked "iface=veth-nope" "$work/noif.ini"
dry --ns "$work/noif.ini"
refused "a missing interface" \
	"[port west] device = net_af_packet1,iface=veth-nope,qpairs=2: " \
	"no interface veth-nope"

summary dry_run
