#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpmirror's life cycle: what it owns, what it refuses, what it leaves.
#   1. a dpmirror with [playground] (keep = no) killed with SIGKILL leaves
#      the playground and a stale lock; the next run takes the playground
#      over and removes it at its clean exit.  A playground that was up
#      before (dpmirrorctl playground up) is adopted, also by the run after
#      a killed adopter, and left up.
#   2. while one dpmirror owns the playground, a second one with the same
#      [playground] prefix is refused naming the first's pid, before it
#      touches anything; `dpmirrorctl playground down` (and up) too.
#   3. two dpmirror on the same af_packet interfaces (a veth pair made
#      here): the second exits non-zero naming the port, the device and
#      the first's pid, and nothing is forwarded twice.
#   4. a clean exit (SIGINT) leaves no /var/run/dpdk/<file-prefix> and no
#      lock file; a SIGKILLed instance's stale locks (and runtime
#      directory) are taken over by the next start.
# Root only (exit 77 otherwise).  The lock directory is DPMIRROR_RUNDIR in a
# temporary directory, never /run/dpmirror.  Prefix lcNNNN for everything
# (playground, links, namespaces, EAL file prefixes); traffic only on
# 198.18.20.0/24; every wait is bounded; an EXIT trap removes everything.
#
#   DPMIRROR, DPMIRRORCTL  the binaries (default build/dpmirror, ...)
#   DPM_SRCDIR             the source root
set -uo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "lifecycle: skipped, needs root"
	exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
top=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
DPMIRROR=${DPMIRROR:-$top/build/dpmirror}
CTL=${DPMIRRORCTL:-$top/build/dpmirrorctl}
for t in ip ping timeout "$DPMIRROR" "$CTL"; do
	if ! command -v "$t" >/dev/null; then
		echo "lifecycle: skipped, $t is missing"
		exit 77
	fi
done

P=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	cand=lc$(printf '%04d' $((RANDOM % 10000)))
	if ! ip -br link | grep -q "^$cand-" &&
		! ip netns list | grep -q "^$cand-" &&
		! ls -d /var/run/dpdk/"$cand"-* >/dev/null 2>&1; then
		P=$cand
		break
	fi
done
if [ -z "$P" ]; then
	echo "lifecycle: skipped, no free lcNNNN prefix"
	exit 77
fi

work=$(mktemp -d /tmp/dpm-lc.XXXXXX)
RUN=$work/run # does not exist yet: dpmirror creates it
export DPMIRROR_RUNDIR=$RUN
DPDK_RUN=/var/run/dpdk
pids=()
# ok, bad, check, summary, stop_pid
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

cleanup() {
	local p l ns
	for p in "${pids[@]}"; do stop_pid "$p"; done
	"$CTL" playground down --prefix "$P" >/dev/null 2>&1
	for l in $(ip -br link | awk '{print $1}' | sed 's/@.*//' | grep "^$P-"); do
		ip link del "$l" 2>/dev/null
	done
	for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$DPDK_RUN/$P"-*
	if [ -n "${DPM_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What this test may leave: nothing with its prefix.
ours() {
	ip netns list | awk '{print $1}' | grep "^$P-"
	ip -br link | awk '{print $1}' | sed 's/@.*//' | grep "^$P-"
}
nothing_left() {
	local l
	l=$(ours)
	[ -z "$l" ] && return 0
	echo "left: $l"
	return 1
}
no_locks() {
	local l
	l=$(ls -A "$RUN" 2>/dev/null)
	[ -z "$l" ] && return 0
	echo "lock files: $l"
	return 1
}
no_rundir() { # FILE-PREFIX
	[ ! -e "$DPDK_RUN/$1" ] && return 0
	echo "left: $DPDK_RUN/$1:" "$DPDK_RUN/$1"/*
	return 1
}
pg_up() { "$CTL" playground status --prefix "$P" >/dev/null 2>&1; }
lock_says() { # NAME "PID STATE": the lock file's line
	local got
	got=$(cat "$RUN/$1.lock" 2>/dev/null)
	[ "$got" = "$2" ] && return 0
	echo "$RUN/$1.lock: '$got', expected '$2'"
	return 1
}

# start NAME CONFIG: dpmirror in the background with EAL file prefix
# $P-NAME; waits until it runs (0) or exits (1).  Sets dp_pid.
dp_pid=
start() {
	local name=$1 cfg=$2
	"$DPMIRROR" --no-huge -m 512 --no-pci -l 0,1 --file-prefix "$P-$name" \
		--log-level '*:notice' -- -c "$cfg" --stats-interval 0 \
		>"$work/$name.log" 2>&1 &
	dp_pid=$!
	pids+=("$dp_pid")
	lib_wait_started "$work/$name.log" "$dp_pid" 600
}
started() { # NAME PID
	if start "$@"; then return 0; fi
	cat "$work/$1.log"
	return 1
}

# stop PID SIGNAL: send it, wait (at most 30 s); the exit status.
stop() {
	local p=$1 sig=$2
	kill "-$sig" "$p" 2>/dev/null
	for _ in $(seq 1 300); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		echo "pid $p did not exit within 30 s of SIG$sig"
		kill -KILL "$p"
		{ wait "$p"; } 2>/dev/null
		return 99
	fi
	{ wait "$p"; } 2>/dev/null # no "Killed" notice
}
clean_exit() { stop "$1" INT; }
stop_extra() {
	[ -n "$extra_pid" ] && stop "$extra_pid" KILL >/dev/null
	extra_pid=
}

# refused NAME CONFIG PATTERN: a dpmirror that must exit non-zero, without
# initialising the EAL, with PATTERN (grep -E) in what it says.  One that
# starts instead is left running (extra_pid) until stop_extra, so that the
# checks after it see what two instances do.
extra_pid=
refused() {
	local name=$1 cfg=$2 pat=$3 rc
	if start "$name" "$cfg"; then
		echo "it started (pid $dp_pid)"
		extra_pid=$dp_pid
		return 1
	fi
	wait "$dp_pid"
	rc=$?
	if [ "$rc" -eq 0 ] || ! grep -Eq -- "$pat" "$work/$name.log"; then
		echo "exit $rc:"
		cat "$work/$name.log"
		return 1
	fi
	no_rundir "$P-$name"
}

# ---- configurations ----
# [playground] with net_null ports (they lock no wire): only the
# playground is shared between two runs of it.
cat >"$work/pg.ini" <<EOF
[playground]
prefix = $P
inline = no
keep = no
[dpmirror]
mode = tap
stats_interval = 0
[port in]
device = net_null0,no-rx=1
[port out]
device = net_null1,no-rx=1
[collector c1]
port = out
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
vni = 100
[session s1]
sources = in:rx
collector = c1
EOF

# Inline between two veths whose far ends are in namespaces $P-n1 and
# $P-n2 (198.18.20.1 and .2); copies to a net_null sink.
cat >"$work/wire.ini" <<EOF
[dpmirror]
mode = inline
stats_interval = 0
[port a]
device = net_af_packet0,iface=$P-a
peer = b
[port b]
device = net_af_packet1,iface=$P-b
peer = a
[port out]
device = net_null0,no-rx=1
[collector c1]
port = out
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
vni = 100
[session s1]
sources = a:rx b:rx
collector = c1
EOF

# ---- 1. kill -9 leftovers ----
case_1() {
	local a b rc
	echo "--- 1. a SIGKILLed owner's playground is taken over and removed"
	if ! started k1 "$work/pg.ini"; then
		bad "1: dpmirror with [playground] starts"
		return
	fi
	a=$dp_pid
	check "1: $RUN was created with mode 755" \
		[ "$(stat -c %a "$RUN" 2>/dev/null)" = 755 ]
	check "1: the playground is up" pg_up
	check "1: the lock names pid $a as its creator" \
		lock_says "playground-$P" "$a created"
	stop "$a" KILL
	check "1: after SIGKILL the playground is still up" pg_up
	check "1: ... and the stale lock file is still there" \
		lock_says "playground-$P" "$a created"
	rm -rf "${DPDK_RUN:?}/$P-k1"
	if ! started k2 "$work/pg.ini"; then
		bad "1: the next dpmirror starts"
		return
	fi
	b=$dp_pid
	check "1: the next run took the playground over (lock: $b created)" \
		lock_says "playground-$P" "$b created"
	clean_exit "$b"
	rc=$?
	check "1: it exits 0 on SIGINT (got $rc)" [ "$rc" -eq 0 ]
	check "1: at its exit it removed the playground (keep = no)" \
		nothing_left
	check "1: ... and its lock file" no_locks
	check "1: ... and /var/run/dpdk/$P-k2" no_rundir "$P-k2"

	echo "--- 1b. a playground that was up before is adopted, also after a SIGKILL"
	if ! "$CTL" playground up --prefix "$P" >"$work/up.log" 2>&1; then
		cat "$work/up.log"
		bad "1b: dpmirrorctl playground up"
		return
	fi
	if ! started k3 "$work/pg.ini"; then
		bad "1b: dpmirror starts on the playground that is up"
		return
	fi
	a=$dp_pid
	check "1b: the lock says adopted ($a adopted)" \
		lock_says "playground-$P" "$a adopted"
	stop "$a" KILL
	rm -rf "${DPDK_RUN:?}/$P-k3"
	if ! started k4 "$work/pg.ini"; then
		bad "1b: the next dpmirror starts"
		return
	fi
	b=$dp_pid
	check "1b: the next run adopts it again ($b adopted)" \
		lock_says "playground-$P" "$b adopted"
	clean_exit "$b"
	rc=$?
	check "1b: it exits 0 (got $rc)" [ "$rc" -eq 0 ]
	check "1b: the adopted playground is left up" pg_up
	check "1b: ... without a lock file" no_locks
	check "1b: dpmirrorctl playground down removes it" \
		"$CTL" playground down --prefix "$P"
	check "1b: nothing left" nothing_left
}

# ---- 2. a live owner's playground is refused ----
case_2() {
	local a rc
	echo "--- 2. a playground a live dpmirror owns is refused"
	if ! started o1 "$work/pg.ini"; then
		bad "2: the first dpmirror starts"
		return
	fi
	a=$dp_pid
	check "2: a second dpmirror with the same [playground] is refused naming pid $a" \
		refused o2 "$work/pg.ini" \
		"error: \[playground\] prefix = $P: in use by dpmirror pid $a; stop it or choose another prefix"
	check "2: the first still runs" kill -0 "$a"
	check "2: the playground is still up" pg_up
	"$CTL" playground down --prefix "$P" >"$work/down.out" 2>"$work/down.err"
	rc=$?
	check "2: dpmirrorctl playground down is refused (exit 2, got $rc) naming pid $a" \
		[ "$rc" -eq 2 -a -n "$(grep "in use by dpmirror pid $a" "$work/down.err")" ]
	check "2: ... and the playground is still up" pg_up
	"$CTL" playground up --prefix "$P" --inline >/dev/null 2>"$work/up.err"
	rc=$?
	check "2: dpmirrorctl playground up is refused too (exit 2, got $rc)" \
		[ "$rc" -eq 2 -a -n "$(grep "in use by dpmirror pid $a" "$work/up.err")" ]
	check "2: ... and the wiring is unchanged (no $P-dpb)" \
		[ -z "$(ip -br link | grep "^$P-dpb")" ]
	stop_extra
	clean_exit "$a"
	rc=$?
	check "2: the owner exits 0 (got $rc)" [ "$rc" -eq 0 ]
	check "2: ... and removed its playground" nothing_left
	check "2: ... and its lock" no_locks
}

# ---- 3. and 4. two instances on one wire; what an exit leaves ----
make_wire() {
	local i
	for i in 1 2; do
		ip netns add "$P-n$i" || return 1
	done
	ip link add "$P-a" type veth peer name eth0 netns "$P-n1" &&
		ip link add "$P-b" type veth peer name eth0 netns "$P-n2" ||
		return 1
	for i in a b; do
		sysctl -qw "net.ipv6.conf.$P-$i.disable_ipv6=1"
		ip link set "$P-$i" up || return 1
	done
	for i in 1 2; do
		ip -n "$P-n$i" link set lo up &&
			ip netns exec "$P-n$i" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
			ip -n "$P-n$i" addr add "198.18.20.$i/24" dev eth0 &&
			ip -n "$P-n$i" link set eth0 up || return 1
	done
}

# ping_once N: N echo requests n1 -> n2 through dpmirror; every one is
# answered, none twice.
ping_once() {
	local out
	out=$(ip netns exec "$P-n1" ping -n -c "$1" -i 0.2 -W 2 198.18.20.2 2>&1)
	if grep -q "$1 packets transmitted, $1 received" <<<"$out" &&
		! grep -q "DUP\|duplicates" <<<"$out"; then
		return 0
	fi
	echo "$out" | tail -n 4
	return 1
}

case_3_4() {
	local a b c d rc lk
	echo "--- 3. two dpmirror on the same af_packet interfaces"
	if ! make_wire; then
		bad "3: make the veth pairs"
		return
	fi
	if ! started w1 "$work/wire.ini"; then
		bad "3: the first dpmirror starts on $P-a and $P-b"
		return
	fi
	a=$dp_pid
	lk=$(stat -L -c %i /proc/self/ns/net) # the network namespace's inode
	check "3: it locked both interfaces (lock files name pid $a)" \
		[ "$(cat "$RUN/dev-if-$lk-$P-a.lock" 2>/dev/null)" = "$a" -a \
		"$(cat "$RUN/dev-if-$lk-$P-b.lock" 2>/dev/null)" = "$a" ]
	check "3: ping through it (warms ARP)" ping_once 3
	check "3: a second one on the same interfaces exits non-zero naming the port, device and pid $a" \
		refused w2 "$work/wire.ini" \
		"error: \[port a\] device = net_af_packet0,iface=$P-a: in use by dpmirror pid $a"
	check "3: nothing is forwarded twice (5 pings, 5 replies, no DUP)" \
		ping_once 5
	check "3: the first still runs" kill -0 "$a"
	stop_extra

	echo "--- 4. what an exit leaves"
	clean_exit "$a"
	rc=$?
	check "4: SIGINT: exit 0 (got $rc)" [ "$rc" -eq 0 ]
	check "4: ... no /var/run/dpdk/$P-w1 left" no_rundir "$P-w1"
	check "4: ... no lock file left" no_locks
	if ! started w3 "$work/wire.ini"; then
		bad "4: a dpmirror starts again on the wire"
		return
	fi
	c=$dp_pid
	stop "$c" KILL
	check "4: a SIGKILLed instance leaves its lock files (stale)" \
		[ "$(cat "$RUN/dev-if-$lk-$P-a.lock" 2>/dev/null)" = "$c" ]
	check "4: ... and its runtime directory" [ -d "$DPDK_RUN/$P-w3" ]
	if ! started w3 "$work/wire.ini"; then
		bad "4: the next start takes the stale locks over"
		return
	fi
	d=$dp_pid
	ok "4: the next start (same file prefix) runs despite the stale locks"
	check "4: ... and the lock files name it (pid $d)" \
		[ "$(cat "$RUN/dev-if-$lk-$P-a.lock" 2>/dev/null)" = "$d" -a \
		"$(cat "$RUN/dev-if-$lk-$P-b.lock" 2>/dev/null)" = "$d" ]
	check "4: it forwards, once" ping_once 3
	clean_exit "$d"
	rc=$?
	check "4: it exits 0 on SIGINT (got $rc)" [ "$rc" -eq 0 ]
	check "4: ... and removed the runtime directory the killed one left" \
		no_rundir "$P-w3"
	check "4: ... and no lock file is left" no_locks
	ip link del "$P-a"
	ip link del "$P-b"
	ip netns del "$P-n1"
	ip netns del "$P-n2"
	check "4: nothing with prefix $P left" nothing_left
}

cases=${DPM_LC_CASES:-1 2 3_4}
for c in $cases; do
	"case_$c"
done
# Whatever a case left is removed by the trap; this run must not need it.
check "no dpmirror of this test still runs" \
	[ -z "$(for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && echo "$p"; done)" ]
check "no /var/run/dpdk/$P-* left" \
	[ -z "$(ls -d "$DPDK_RUN/$P"-* 2>/dev/null)" ]

summary lifecycle
