#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# pcap in -> dpmirror -> pcap out.  mixed_traffic.py writes in.pcap;
# dpmirror (net_pcap ports, no hugepages, no root) forwards it to fwd.pcap
# and writes the VxLAN copies of the sessions of mixed.ini to out.pcap;
# mirror_oracle.py computes independently what both pcaps and the stats
# JSON must hold and compares.  The oracle's own self-test runs first.
#
# Environment: DPMIRROR (default: build/dpmirror under the source root),
# DPM_SRCDIR (default: two levels above this script).
# Exit: 0 pass, 1 fail, 77 skip (tshark or scapy for /usr/bin/python3
# missing).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
itdir=$srcdir/tests/integration
py=/usr/bin/python3
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh" # catches_usr1

if ! command -v tshark >/dev/null 2>&1; then
	echo "pcap_mirror: SKIP: tshark not found"
	exit 77
fi
if ! [ -x "$py" ] || ! "$py" -c 'import scapy.all' >/dev/null 2>&1; then
	echo "pcap_mirror: SKIP: scapy for $py not found"
	exit 77
fi

fail() {
	echo "pcap_mirror: FAIL: $*"
	echo "pcap_mirror: 0 passed, 1 failed"
	exit 1
}

echo "pcap_mirror: oracle self-test"
if ! "$py" "$itdir/mirror_oracle.py" --self-test; then
	fail "the oracle's self-test failed; its verdict cannot be trusted"
fi

if ! [ -x "$dpmirror" ]; then
	fail "dpmirror binary not found at $dpmirror (set DPMIRROR)"
fi

work=$(mktemp -d /tmp/dpm-pcap-mirror.XXXXXX)
pid=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

cd "$work"
"$py" "$itdir/mixed_traffic.py" in.pcap
cp "$itdir/mixed.ini" mixed.ini
n_in=$("$py" "$itdir/mirror_oracle.py" count-frames in.pcap)
in_port=in

show_logs() {
	echo "--- dpmirror stdout (last 30 lines)"
	tail -n 30 dpmirror.out || true
	echo "--- dpmirror stderr (last 30 lines)"
	tail -n 30 dpmirror.err || true
}


"$dpmirror" --no-huge -m 512 --no-pci --file-prefix "dpm-it-$$" -l 0,1 \
	--log-level '*:notice' -- -c mixed.ini --stats-json stats.json \
	--stats-interval 1 >dpmirror.out 2>dpmirror.err &
pid=$!

# Poll: SIGUSR1 makes dpmirror rewrite stats.json; wait until every frame
# of in.pcap has been received.  Bounded at 30 s.
rx=-1
deadline=$((SECONDS + 30))
while :; do
	if ! kill -0 "$pid" 2>/dev/null; then
		rc=0
		wait "$pid" || rc=$?
		pid=
		show_logs
		fail "dpmirror exited early with status $rc (rx_packets $rx/$n_in)"
	fi
	if catches_usr1 "$pid"; then
		kill -USR1 "$pid" 2>/dev/null || true
	fi
	sleep 0.2
	rx=$("$py" "$itdir/mirror_oracle.py" rx-packets stats.json "$in_port")
	if [ "$rx" = "$n_in" ]; then
		break
	fi
	if [ "$SECONDS" -ge "$deadline" ]; then
		show_logs
		fail "in.rx_packets is $rx after 30 s, expected $n_in"
	fi
done
echo "pcap_mirror: dpmirror received $rx/$n_in frames, stopping it"

kill -TERM "$pid"
rc=0
deadline=$((SECONDS + 20))
while kill -0 "$pid" 2>/dev/null; do
	if [ "$SECONDS" -ge "$deadline" ]; then
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=
		show_logs
		fail "dpmirror did not exit within 20 s of SIGTERM"
	fi
	sleep 0.1
done
wait "$pid" || rc=$?
pid=
if [ "$rc" -ne 0 ]; then
	show_logs
	fail "dpmirror exited with status $rc after SIGTERM, expected 0"
fi

# The verdict comes last, after dpmirror's logs when there is a failure.
rc=0
"$py" "$itdir/mirror_oracle.py" verify --config mixed.ini \
	--in in.pcap --fwd fwd.pcap --out out.pcap --stats stats.json \
	--workdir "$work" >verify.log 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	show_logs
fi
cat verify.log
if [ "$rc" -ne 0 ]; then
	exit 1
fi
exit 0
