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
	[ -n "${tcpdump_pid:-}" ] && stop_pid "$tcpdump_pid" KILL
	[ -n "${ns:-}" ] && ip netns del "$ns" 2>/dev/null
	lib_rm_rundir "$prefix" "$prefix-u6"
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

# ---- The outer UDP checksum of IPv6 VxLAN and Geneve copies ----
# in0.pcap again, in tap mode, one worker: udp6_checksum = zero (VxLAN:
# every checksum 0), compute (Geneve) and not given on a port without the
# offload (VxLAN: computed), both valid for tshark; offload on net_pcap,
# which does not offer it, refused at start naming port and driver; and,
# where net_tap offers the offload, offload on a tap in a namespace of
# this test, captured there and valid too.
n0=$("$py" "$here/mirror_oracle.py" count-frames in0.pcap)
# u6_coll NAME ENCAP N [LINE]: collector NAME on port o-NAME, fd00:1::N,
# with LINE (a key = value) if given, and a session mirroring in to it.
u6_coll() {
	printf '[collector %s]\nport = o-%s\nencap = %s\n' "$1" "$1" "$2"
	printf 'remote_ip = fd00:1::%s\nlocal_ip = fd00:1::10\n' "$3"
	printf 'remote_mac = 02:00:00:00:01:%s\nvni = %s\n' "$3" "$3"
	[ -n "${4:-}" ] && printf '%s\n' "$4"
	printf '[session s-%s]\nsources = in:rx\ncollector = %s\n' "$1" "$1"
}
{
	printf '[dpmirror]\nmode = tap\nmirror_pool = 65536\n'
	printf 'stats_interval = 0\n[port in]\n'
	printf 'device = net_pcap20,rx_pcap=in0.pcap\n'
	i=21
	for c in z c a; do
		printf '[port o-%s]\ndevice = net_pcap%d,tx_pcap=u6%s.pcap\n' \
			"$c" "$i" "$c"
		printf 'mtu = 9000\n'
		i=$((i + 1))
	done
	u6_coll z vxlan 21 'udp6_checksum = zero'
	u6_coll c geneve 22 'udp6_checksum = compute'
	u6_coll a vxlan 23
} >udp6.ini
sed 's/^udp6_checksum = zero$/udp6_checksum = offload/' udp6.ini \
	>udp6-offload.ini

# u6_check FILE WANT SESSION: the first (outer) UDP checksum of every
# frame of FILE: all 0 (WANT = zero) or all valid (WANT = good); as many
# frames as SESSION mirrored (u6.json), at least one.
u6_check() {
	local f=$1 want=$2 n bad_n m
	m=$("$py" -c 'import json, sys
print(json.load(open("u6.json"))["sessions"][sys.argv[1]]["mirrored"])' \
		"$3" 2>/dev/null)
	if [ "$want" = zero ]; then
		tshark -r "$f" -T fields -E occurrence=f -e udp.checksum \
			>"$f.ck" 2>/dev/null
		bad_n=$(grep -vc '^0x0000$' "$f.ck")
	else
		tshark -r "$f" -o udp.check_checksum:TRUE -T fields \
			-E occurrence=f -e udp.checksum.status >"$f.ck" \
			2>/dev/null
		bad_n=$(grep -vc '^1$' "$f.ck")
	fi
	n=$(wc -l <"$f.ck")
	check "udp6_checksum: $f: $n copies ($3 mirrored ${m:-?} of $n0), \
$bad_n whose outer UDP checksum is not $want" \
		[ "$n/$bad_n" = "${m:-x}/0" -a "$n" -gt 0 ]
}

# u6_run INI [NETNS]: run dpmirror on INI until in0.pcap is read; 1 when
# it did not start (its stderr in u6.err).
u6_run() {
	local run=() rx=-1 rc=0
	[ -n "${2:-}" ] && run=(ip netns exec "$2")
	"${run[@]}" "$dpmirror" --no-huge -m 512 --no-pci \
		--file-prefix "$prefix-u6" --lcores 0@0,1@1 \
		--log-level '*:notice' -- -c "$1" --stats-json u6.json \
		>u6.out 2>u6.err &
	pid=$!
	if ! lib_wait_started u6.out "$pid"; then
		stop_pid "$pid" KILL
		pid=
		lib_rm_rundir "$prefix-u6"
		return 1
	fi
	deadline=$((SECONDS + 20))
	while [ "$SECONDS" -lt "$deadline" ]; do
		stats_now "$pid" u6.json || break
		rx=$("$py" "$here/mirror_oracle.py" rx-packets u6.json in)
		[ "$rx" = "$n0" ] && break
		sleep 0.2
	done
	check "udp6_checksum: $1: dpmirror received $rx/$n0 frames" \
		[ "$rx" = "$n0" ]
	stop_pid "$pid" TERM || rc=$?
	pid=
	lib_rm_rundir "$prefix-u6"
	check "udp6_checksum: $1: dpmirror exited 0 (got $rc)" [ "$rc" -eq 0 ]
}

if u6_run udp6.ini; then
	u6_check u6z.pcap zero s-z
	u6_check u6c.pcap good s-c
	u6_check u6a.pcap good s-a
else
	tail -n 5 u6.err
	bad "udp6_checksum: dpmirror started with udp6.ini"
fi

rc=0
"$dpmirror" --no-huge -m 512 --no-pci --file-prefix "$prefix-u6" \
	--lcores 0@0,1@1 --log-level '*:notice' -- -c udp6-offload.ini \
	--dry-run >u6.out 2>u6.err || rc=$?
lib_rm_rundir "$prefix-u6"
msg=$(grep -m1 'udp6_checksum = offload' u6.err)
named=no
grep -q 'port o-z (net_pcap21, driver net_pcap) .*give udp6_checksum = compute' \
	<<<"$msg" && named=yes
check "udp6_checksum = offload on net_pcap refused (exit $rc; port, \
driver and compute named: $named): $msg" [ "$rc" -ne 0 -a "$named" = yes ]

# offload on net_tap, which computes the checksum itself where it offers
# the offload: a tap made beforehand (ip tuntap; net_tap attaches to it),
# so that tcpdump captures from the first copy.
ns=
if ! command -v tcpdump >/dev/null 2>&1; then
	echo "note: udp6_checksum = offload on net_tap not tried: no tcpdump"
elif ! ip netns add "dpm-enc6-$$" 2>/dev/null; then
	echo "note: udp6_checksum = offload on net_tap not tried: no netns"
else
	ns=dpm-enc6-$$
	if ! ip netns exec "$ns" ip tuntap add dev dpm-u6t mode tap \
		multi_queue || ! ip netns exec "$ns" ip link set dpm-u6t up; then
		bad "udp6_checksum: a tap dpm-u6t in $ns"
	fi
	{
		printf '[dpmirror]\nmode = tap\nstats_interval = 0\n'
		printf '[port in]\ndevice = net_pcap20,rx_pcap=in0.pcap\n'
		printf '[port o-t]\ndevice = net_tap20,iface=dpm-u6t\n'
		u6_coll t vxlan 24 'udp6_checksum = offload'
		printf 'snaplen = 1400\n'
	} >udp6-tap.ini
	ip netns exec "$ns" tcpdump -U -n -i dpm-u6t -w u6t.pcap \
		'ip6 and udp port 4789' 2>tcpdump.err &
	tcpdump_pid=$!
	for _ in $(seq 1 50); do
		grep -q listening tcpdump.err 2>/dev/null && break
		sleep 0.1
	done
	if u6_run udp6-tap.ini "$ns"; then
		sleep 0.5
		stop_pid "$tcpdump_pid" INT
		tcpdump_pid=
		u6_check u6t.pcap good s-t
	else
		stop_pid "$tcpdump_pid" INT
		tcpdump_pid=
		if grep -q 'does not offer the UDP checksum offload' u6.err
		then
			echo "note: net_tap here does not offer the UDP" \
				"checksum offload: $(grep -m1 udp6_ u6.err)"
		else
			tail -n 5 u6.err
			bad "udp6_checksum: dpmirror started with udp6-tap.ini"
		fi
	fi
	ip netns exec "$ns" ip link del dpm-u6t 2>/dev/null
	ip netns del "$ns"
	ns=
fi

summary encaps
