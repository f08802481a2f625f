#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Expression filters against tcpdump itself.  expr_filter.py writes one
# capture (mixed_traffic.py's frames plus TCP flag combinations, TTLs,
# VLAN 100/200 and QinQ, port range edges, ICMP/ICMPv6 types, HTTP
# requests, broadcast, sizes around the `len` bounds) and three
# configurations: dpmirror in tap mode reads the capture once from a
# net_pcap port, and each of up to 15 sessions (an `expression` filter,
# sources = in:rx) sends its copies to an `encap = none` collector on a
# net_pcap port of its own, so that each file holds exactly the frames its
# session mirrored.  Each file must equal, frame by frame and byte for
# byte, what `tcpdump -r in.pcap -w - EXPR` writes, and each session's
# matched and mirrored counters that count.  The third run puts a rule
# (rte_acl) session and a session without a filter beside the expression
# sessions on the same source, so that every burst goes through both
# classifiers.  Then bad expressions: `dpmirrorctl check` exits 2 naming
# the section and key and carrying libpcap's own message (as tcpdump
# prints it for the same expression).
#
# Environment: DPMIRROR, DPMIRRORCTL (default: build/ under the source
# root), DPM_SRCDIR.
# Exit: 0 pass, 1 fail, 77 skip (tcpdump or scapy for /usr/bin/python3
# missing).

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
dpmirrorctl=${DPMIRRORCTL:-$srcdir/build/dpmirrorctl}
py=/usr/bin/python3
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

if ! command -v tcpdump >/dev/null 2>&1; then
	echo "expr_filter: SKIP: tcpdump not found"
	exit 77
fi
if ! [ -x "$py" ] || ! "$py" -c 'import scapy.all' >/dev/null 2>&1; then
	echo "expr_filter: SKIP: scapy for $py not found"
	exit 77
fi
for b in "$dpmirror" "$dpmirrorctl"; do
	if ! [ -x "$b" ]; then
		echo "expr_filter: FAIL: $b not found (set DPMIRROR, DPMIRRORCTL)"
		exit 1
	fi
done

work=$(mktemp -d /tmp/dpm-expr.XXXXXX)
prefix="dpm-expr-$$"
pid=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	[ -n "$pid" ] && stop_pid "$pid" KILL
	lib_rm_rundir "$prefix"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$py" "$here/expr_filter.py" prepare "$work" || exit 1
n_in=$("$py" "$here/mirror_oracle.py" count-frames "$work/in.pcap")

# run NAME: dpmirror on NAME/dpmirror.ini until every frame of in.pcap is
# received, then SIGTERM (the final stats JSON is written at exit).
run() {
	local dir=$work/$1 rx=-1 rc=0 deadline
	cd "$dir" || return 1
	if ! "$dpmirrorctl" check dpmirror.ini >check.out 2>&1; then
		cat check.out
		bad "$1: dpmirrorctl check accepts dpmirror.ini"
		return 1
	fi
	"$dpmirror" --no-huge -m 1024 --no-pci -l 0,1 --file-prefix "$prefix" \
		--log-level '*:notice' -- -c dpmirror.ini \
		--stats-json stats.json >dpmirror.out 2>dpmirror.err &
	pid=$!
	if ! lib_wait_started dpmirror.out "$pid"; then
		tail -n 20 dpmirror.out dpmirror.err
		stop_pid "$pid" KILL
		pid=
		bad "$1: dpmirror started"
		return 1
	fi
	deadline=$((SECONDS + 20))
	while [ "$SECONDS" -lt "$deadline" ]; do
		stats_now "$pid" stats.json || break
		rx=$("$py" "$here/mirror_oracle.py" rx-packets stats.json in)
		[ "$rx" = "$n_in" ] && break
		sleep 0.1
	done
	stop_pid "$pid" TERM || rc=$?
	pid=
	if [ "$rc" -ne 0 ] || [ "$rx" != "$n_in" ]; then
		tail -n 20 dpmirror.out dpmirror.err
		bad "$1: dpmirror received $rx of $n_in frames and exited $rc"
		return 1
	fi
	ok "$1: dpmirror received all $n_in frames and exited 0"
}

# verify RUN: expr_filter.py's verdicts, counted here.
n_expr=0
n_same=0
n_frames=0
verify() {
	local out
	out=$("$py" "$here/expr_filter.py" verify "$work" "$1" 2>&1)
	echo "$out"
	n_expr=$((n_expr + $(grep -cE "^(ok  |FAIL) $1 e[0-9]+ '" <<<"$out")))
	n_same=$((n_same + $(grep -cE "^ok   $1 e[0-9]+ '.*, 0 differences$" \
		<<<"$out")))
	n_frames=$((n_frames + $(sed -nE \
		"s/^ok   $1 e[0-9]+ '.*: ([0-9]+) frames mirrored, .*/\\1/p" \
		<<<"$out" | awk '{ n += $1 } END { print n + 0 }')))
	lib_passed=$((lib_passed + $(grep -c '^ok ' <<<"$out")))
	lib_failed=$((lib_failed + $(grep -c '^FAIL ' <<<"$out")))
	if ! grep -q '^ok \|^FAIL ' <<<"$out" ||
		! tail -n 1 <<<"$out" | grep -q ', 0 check(s) failed$'; then
		bad "$1: expr_filter.py verify ran to its end"
	fi
}

for r in run1 run2 run3; do
	run "$r" && verify "$r"
done

echo "expr_filter: $n_same of $n_expr expressions mirrored exactly what tcpdump prints ($n_frames frames, 0 differences in those)"
check "at least 30 expressions, each the same as tcpdump" \
	[ "$n_expr" -ge 30 ] && [ "$n_same" -eq "$n_expr" ]

# Bad expressions: refused by the checker with libpcap's message, which is
# what tcpdump prints for the same expression after "tcpdump: ".
cd "$work" || exit 1
while IFS= read -r e; do
	want=$(tcpdump -d "$e" 2>&1 >/dev/null | sed -n 's/^tcpdump: //p')
	if [ -z "$want" ]; then
		bad "tcpdump refuses '$e'"
		continue
	fi
	cat >bad.ini <<-INI
		[port in]
		device = net_pcap0,rx_pcap=in.pcap
		[port out]
		device = net_pcap1,tx_pcap=out.pcap
		[collector c]
		port = out
		encap = none
		[session s]
		sources = in:rx
		collector = c
		filter = bad
		[filter bad]
		expression = $e
	INI
	rc=0
	"$dpmirrorctl" check bad.ini >bad.out 2>&1 || rc=$?
	if [ "$rc" -eq 2 ] && grep -qF -- "$want" bad.out &&
		grep -qF '[filter bad] expression' bad.out; then
		ok "check refuses '$e' (exit 2): $(head -n 1 bad.out)"
	else
		bad "check on '$e': exit $rc, want 2 with [filter bad] expression and '$want': $(cat bad.out)"
	fi
done <<'EOF'
tcp and and port 80
vlan 5000
net 198.18.0.1/24
tcp port eighty-eight
ip6 host 198.18.0.1
EOF

summary expr_filter
