#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Every encapsulation through real decoders.  mixed_traffic.py's capture
# (802.1Q and QinQ tags, frames of every size up to 1514 bytes; ENCAPS_REPEAT
# times over, 8 by default: enough for the two workers' bursts to overlap)
# is split between two rx queues of one net_pcap port, polled by two
# workers; encaps.ini has one session per collector and one
# collector per net_pcap port: vxlan over IPv4, geneve over IPv4 and IPv6,
# gre over IPv4 (key and sequence numbers) and IPv6 (sequence numbers),
# erspan2 over IPv4 (snaplen 128: some copies cut) and IPv6, erspan3 over
# IPv4 and IPv6 (a fwd:tx source, so the direction bit is set, snaplen 200),
# none, and none with vlan = 42.  mirror_oracle.py verify-encaps then
# checks every copy from its raw bytes (outer headers, every field, the
# inner frame = the original up to snaplen, sequence numbers 0..N-1 across
# both workers, the T bit on exactly the cut copies, ERSPAN III timestamps
# within the run), again through tshark (gre.*, erspan.*, geneve.vni,
# vxlan.vni, vlan.id; nothing malformed or in error that the original is
# not on its own), and the stats JSON (ports, sessions, collectors.<name>
# packets, bytes, next_seq) against what the files hold.
#
# Environment: DPMIRROR (default: build/dpmirror under the source root),
# DPM_SRCDIR, ENCAPS_LCORES (EAL lcore option; default two workers on the
# two first CPUs: --lcores 0@0,1@0,2@1).
# Exit: 0 pass, 1 fail, 77 skip (tshark or scapy for /usr/bin/python3
# missing).

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
py=/usr/bin/python3
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

if ! command -v tshark >/dev/null 2>&1; then
	echo "encaps: SKIP: tshark not found"
	exit 77
fi
if ! [ -x "$py" ] || ! "$py" -c 'import scapy.all' >/dev/null 2>&1; then
	echo "encaps: SKIP: scapy for $py not found"
	exit 77
fi
if ! [ -x "$dpmirror" ]; then
	echo "encaps: FAIL: dpmirror binary not found at $dpmirror (set DPMIRROR)"
	exit 1
fi

work=$(mktemp -d /tmp/dpm-encaps.XXXXXX)
prefix="dpm-enc-$$"
pid=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	[ -n "$pid" ] && stop_pid "$pid" KILL
	lib_rm_rundir "$prefix"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_logs() {
	echo "--- dpmirror stdout (last 30 lines)"
	tail -n 30 "$work/dpmirror.out"
	echo "--- dpmirror stderr (last 30 lines)"
	tail -n 30 "$work/dpmirror.err"
}

# The decoder against an encoder of its own (scapy's) first.
if "$py" "$here/mirror_oracle.py" --encap-self-test; then
	ok "the oracle's encapsulation decoder passes its self-test"
else
	bad "the oracle's encapsulation decoder fails its self-test"
	summary encaps
	exit 1
fi

cd "$work" || exit 1
cp "$here/encaps.ini" encaps.ini
# Frames shorter than an Ethernet header are left out: where an RSPAN tag
# would go in them is not defined.
"$py" - "$here" "${ENCAPS_REPEAT:-8}" <<'EOF' || exit 1
import sys
sys.path.insert(0, sys.argv[1])
import mixed_traffic
frames = ([f for f in mixed_traffic.build(20240611) if len(f) >= 14] *
          int(sys.argv[2]))
for q in (0, 1):
    mixed_traffic.write_pcap("in%d.pcap" % q, frames[q::2])
print("encaps: %d frames, %d per rx queue, %d longer than 128 bytes" %
      (len(frames), len(frames) // 2, sum(len(f) > 128 for f in frames)))
EOF
n_in=$(($("$py" "$here/mirror_oracle.py" count-frames in0.pcap) +
	$("$py" "$here/mirror_oracle.py" count-frames in1.pcap)))

# shellcheck disable=SC2206  # the EAL's lcore option, split into words
lcores=(${ENCAPS_LCORES:---lcores 0@0,1@0,2@1})
t0=$(date +%s.%N)
"$dpmirror" --no-huge -m 1024 --no-pci --file-prefix "$prefix" \
	"${lcores[@]}" --log-level '*:notice' -- -c encaps.ini \
	--stats-json stats.json >dpmirror.out 2>dpmirror.err &
pid=$!
if ! lib_wait_started dpmirror.out "$pid"; then
	show_logs
	bad "dpmirror started with encaps.ini"
	summary encaps
	exit 1
fi
ok "dpmirror started: $(grep -m1 '^dpmirror: .* worker(s)' dpmirror.out)"

# Wait until every frame of both files has been received (30 s at most).
rx=-1
deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$deadline" ]; do
	stats_now "$pid" stats.json || break
	rx=$("$py" "$here/mirror_oracle.py" rx-packets stats.json in)
	[ "$rx" = "$n_in" ] && break
	sleep 0.2
done
check "dpmirror received $rx/$n_in frames" [ "$rx" = "$n_in" ]
rc=0
stop_pid "$pid" TERM || rc=$?
pid=
t1=$(date +%s.%N)
if ! check "dpmirror exited 0 after SIGTERM (got $rc)" [ "$rc" -eq 0 ]; then
	show_logs
fi

if "$py" "$here/mirror_oracle.py" verify-encaps --config encaps.ini \
	--stats stats.json --workdir "$work" --t0 "$t0" --t1 "$t1" \
	>verify.log 2>&1; then
	cat verify.log
	ok "mirror_oracle.py verify-encaps"
else
	cat verify.log
	show_logs
	bad "mirror_oracle.py verify-encaps"
fi

# compare_frames.py --decap, the other reader: every ICMP, DNS and web
# frame of worker 0's input comes out of each tunnel of worker 0.
for c in vx4 gn6 gre4 e2v6 e3v4; do
	if out=$("$py" "$here/compare_frames.py" in0.pcap "$c.0.pcap" --decap \
		--proto icmp --proto udp:53 --proto tcp:80 --min 50 2>&1); then
		ok "compare_frames --decap $c: $(echo "$out" | tr '\n' ';')"
	else
		bad "compare_frames --decap $c: $(echo "$out" | tr '\n' ';')"
	fi
done

summary encaps
