# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Helpers shared by the integration tests (and scripts/soak.sh's kin):
# sourced, never run.  Nothing here starts or leaves anything behind by
# itself; the hugepage helpers record what they changed so that
# lib_huge_restore undoes exactly that.

# ---- verdicts: "ok   what" / "FAIL what", counted ----
lib_passed=0
lib_failed=0

ok() {
	echo "ok   $*"
	lib_passed=$((lib_passed + 1))
}

bad() {
	echo "FAIL $*"
	lib_failed=$((lib_failed + 1))
}

# check WHAT CMD...: ok when CMD succeeds, FAIL otherwise.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

# summary NAME: print the counts; the exit status to use.
summary() {
	echo "$1: $lib_passed passed, $lib_failed failed"
	[ "$lib_failed" -eq 0 ]
}

# ---- processes ----

# True once process PID catches SIGUSR1 (bit 10 of SigCgt): sending it
# before dpmirror installs its handler would kill it.
catches_usr1() {
	local mask
	mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null) ||
		return 1
	[ -n "$mask" ] && (( (16#$mask >> 9) & 1 ))
}

# stats_now PID FILE: have dpmirror PID rewrite its --stats-json FILE now
# (SIGUSR1) and wait, at most 10 s, until the new file is in place (it is
# replaced by rename: a new inode).  1 when it did not come.
stats_now() {
	local pid=$1 file=$2 before _
	for _ in $(seq 1 100); do
		catches_usr1 "$pid" && break
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	before=$(stat -c %i "$file" 2>/dev/null || echo none)
	kill -USR1 "$pid" 2>/dev/null || return 1
	for _ in $(seq 1 100); do
		[ "$(stat -c %i "$file" 2>/dev/null || echo none)" != "$before" ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# lib_rm_rundir PREFIX...: remove the EAL runtime directory of each file
# prefix (/var/run/dpdk as root, $XDG_RUNTIME_DIR/dpdk otherwise).
lib_rm_rundir() {
	local base=/var/run/dpdk p
	[ "$(id -u)" -eq 0 ] || base=${XDG_RUNTIME_DIR:-/tmp}/dpdk
	for p in "$@"; do rm -rf "${base:?}/$p"; done
}

# stop_pid PID [SIGNAL]: SIGNAL (TERM), then KILL after 10 s; reaps it
# and returns its exit status (137 when it had to be killed).
stop_pid() {
	local pid=$1 sig=${2:-TERM} rc=0 _
	kill -"$sig" "$pid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || rc=$?
	return $rc
}

# ---- hugepages (virtio-user and vhost-user share memory through them) ----
lib_huge_before=
lib_huge_set=
lib_huge_mounted=

# lib_huge_reserve PAGES: make sure PAGES free 2 MB hugepages exist and a
# hugetlbfs is mounted on /dev/hugepages; 1 when that cannot be done.
lib_huge_reserve() {
	local want=$1 free
	lib_huge_before=$(sysctl -n vm.nr_hugepages)
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	if [ "$free" -lt "$want" ]; then
		sysctl -qw vm.nr_hugepages=$((lib_huge_before + want - free)) \
			2>/dev/null || return 1
		lib_huge_set=1
		free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
		[ "$free" -ge "$want" ] || return 1
	fi
	if ! awk '$2 == "/dev/hugepages" && $3 == "hugetlbfs" {f = 1}
		END {exit !f}' /proc/mounts; then
		mkdir -p /dev/hugepages
		mount -t hugetlbfs nodev /dev/hugepages || return 1
		lib_huge_mounted=1
	fi
}

# lib_huge_restore [PREFIX...]: remove the hugepage files whose names start
# with a PREFIX given (DPDK names them after the --file-prefix), and undo
# what lib_huge_reserve changed.
lib_huge_restore() {
	local p
	for p in "$@"; do
		[ -n "$p" ] && rm -f /dev/hugepages/"$p"* 2>/dev/null
	done
	if [ -n "$lib_huge_mounted" ]; then
		umount /dev/hugepages 2>/dev/null
		lib_huge_mounted=
	fi
	if [ -n "$lib_huge_set" ]; then
		sysctl -qw vm.nr_hugepages="$lib_huge_before"
		lib_huge_set=
	fi
}

# ---- a running dpmirror ----

# lib_wait_started LOG PID [TENTHS]: true once dpmirror's start line
# ("dpmirror: N port(s), ... worker(s) ...") is in LOG; false when PID
# exits first or after TENTHS tenths of a second (default 150).
lib_wait_started() {
	for _ in $(seq 1 "${3:-150}"); do
		grep -qs '^dpmirror: .* worker(s)' "$1" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	grep -qs '^dpmirror: .* worker(s)' "$1"
}

# lib_coll TELEMETRY PREFIX NAME: "STATE MAC" of /dpmirror/collectors,NAME
# as DPDK's dpdk-telemetry.py (path TELEMETRY) reads it from --file-prefix
# PREFIX; nothing when there is no answer.
lib_coll() {
	printf '/dpmirror/collectors,%s\n' "$3" |
		"$1" -f "$2" 2>/dev/null |
		/usr/bin/python3 -c 'import json, sys
for l in sys.stdin:
    l = l.strip()
    if l.startswith("{") and "/dpmirror/collectors" in l:
        d = list(json.loads(l).values())[0]
        print(d["neighbor"], d["mac"])' 2>/dev/null
}

# lib_wait_coll TELEMETRY PREFIX NAME "STATE MAC" SECONDS: true once
# lib_coll says so; else say what it said last.
lib_wait_coll() {
	local got
	for _ in $(seq 1 $(($5 * 5))); do
		got=$(lib_coll "$1" "$2" "$3")
		[ "$got" = "$4" ] && return 0
		sleep 0.2
	done
	echo "  /dpmirror/collectors,$3: '$got', want '$4'"
	return 1
}
