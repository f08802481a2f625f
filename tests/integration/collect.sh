#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# dpmirrorctl collect end to end:
#   1. round trip: dpmirror (one worker, net_pcap) mirrors mixed_traffic.py's
#      capture twice over to one collector per encapsulation and outer
#      family (vxlan, vxlan on port 8472, geneve, gre with key and sequence
#      numbers, with sequence numbers alone, with a key alone, erspan2,
#      erspan3; IPv4 and IPv6; snaplen on some); collect -r of each file
#      gives back exactly the original frames, in order, up to the
#      session's snaplen, and a report line with the tunnel's addresses,
#      id, frames, bytes, truncated (ERSPAN T) and lost/reordered/dup 0;
#      ERSPAN III frames carry dpmirror's time stamps (within the run),
#      the others keep the capture time; an outer 802.1Q tag changes
#      nothing; a VxLAN header cut short is counted malformed;
#   2. injected loss: frames deleted with editcap from gre (IPv4, IPv6),
#      erspan2 and erspan3 captures are reported lost, exactly as many;
#      two frames swapped: lost 0, reordered >= 1; one repeated: dup 1;
#   3. --split: one file per tunnel (kind and id), each with that tunnel's
#      frames, the plain frames counted as not-tunnel (so are VxLAN frames
#      on 8472 without --port 8472); -c N stops after N frames; -w -
#      pipes into tcpdump -r -; bad input and options exit 2 and 1 naming
#      what is wrong, leaving no output file behind;
#   4. live, in the playground (root): dpmirror inline in front of h1
#      mirrors to h2 in VxLAN and ERSPAN II; collect -i eth1 inside h2
#      (--duration, --stats) writes a pcap that tshark reads as the
#      ping, HTTP and UDP traffic, byte-exact to what h1 saw; a second
#      collect with --split ends on SIGINT with its files and report.
# Environment: DPMIRROR, DPMIRRORCTL, DPM_SRCDIR.  Exit 0 pass, 1 fail,
# 77 skip (tshark, editcap, tcpdump or scapy missing).  About 30 s.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
CTL=${DPMIRRORCTL:-$srcdir/build/dpmirrorctl}
py=/usr/bin/python3
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

for t in tshark editcap mergecap tcpdump; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "collect: SKIP: $t not found"
		exit 77
	fi
done
if ! [ -x "$py" ] || ! "$py" -c 'import scapy.all' >/dev/null 2>&1; then
	echo "collect: SKIP: scapy for $py not found"
	exit 77
fi
for b in "$dpmirror" "$CTL"; do
	if ! [ -x "$b" ]; then
		echo "collect: FAIL: $b not found (set DPMIRROR / DPMIRRORCTL)"
		exit 1
	fi
done

work=$(mktemp -d /tmp/dpm-collect.XXXXXX)
prefix="dpm-col-$$"
P=co$(printf %04d $((RANDOM % 10000)))
export DPMIRROR_RUNDIR=$work/run
pids=()
pg=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do stop_pid "$p" KILL >/dev/null 2>&1; done
	[ -n "$pg" ] && "$CTL" playground down --prefix "$P" >/dev/null 2>&1
	lib_rm_rundir "$prefix" "$prefix-live"
	if [ -n "${DPM_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$work" || exit 1

# ---- 1. round trip -------------------------------------------------------

# name encap remote local id-key id snaplen
tunnels="vx4 vxlan 198.18.1.3 198.18.1.10 vni 100 0
vx6 vxlan fd00:1::3 fd00:1::10 vni 4096 0
gn4 geneve 198.18.1.4 198.18.1.10 vni 7000 96
gn6 geneve fd00:1::4 fd00:1::10 vni 16777215 0
gre4 gre 198.18.1.5 198.18.1.10 key 3735928559 0
gre6 gre fd00:1::5 fd00:1::10 - - 0
grek gre 198.18.1.8 198.18.1.10 key 5 0
e2v4 erspan2 198.18.1.6 198.18.1.10 session_id 1023 128
e2v6 erspan2 fd00:1::6 fd00:1::10 session_id 5 0
e3v4 erspan3 198.18.1.7 198.18.1.10 session_id 300 0
e3v6 erspan3 fd00:1::7 fd00:1::10 session_id 0 200"

{
	cat <<EOF
[dpmirror]
mode = inline
burst = 32
mirror_pool = 65536
stats_interval = 0

[port in]
device = net_pcap0,rx_pcap=in.pcap
peer = fwd

[port fwd]
device = net_pcap1,tx_pcap=fwd.pcap
EOF
	n=2
	while read -r name encap rip lip k v snap; do
		cat <<EOF

[port o-$name]
device = net_pcap$n,tx_pcap=$name.pcap
mtu = 9000

[collector $name]
port = o-$name
encap = $encap
remote_ip = $rip
local_ip = $lip
remote_mac = 02:00:00:00:01:$(printf %02x "$n")
local_mac = 02:00:00:00:02:$(printf %02x "$n")
EOF
		[ "$k" != - ] && echo "$k = $v"
		[ "$name" = vx6 ] && echo "dst_port = 8472"
		case $name in gre4 | gre6) echo "seq = yes" ;; esac
		cat <<EOF

[session s-$name]
sources = in:rx
collector = $name
EOF
		[ "$snap" != 0 ] && echo "snaplen = $snap"
		n=$((n + 1))
	done <<<"$tunnels"
} >collect.ini

"$py" - "$here" <<'EOF' || exit 1
import sys
sys.path.insert(0, sys.argv[1])
import mixed_traffic
frames = [f for f in mixed_traffic.build(20240611) if len(f) >= 14] * 2
mixed_traffic.write_pcap("in.pcap", frames)
EOF
n_in=$("$py" "$here/mirror_oracle.py" count-frames in.pcap)

t0=$(date +%s.%N)
"$dpmirror" --no-huge -m 1024 --no-pci --file-prefix "$prefix" -l 0,1 \
	--log-level '*:notice' -- -c collect.ini --stats-json stats.json \
	>dpmirror.out 2>&1 &
dp_pid=$!
pids+=("$dp_pid")
if ! lib_wait_started dpmirror.out "$dp_pid"; then
	tail -n 30 dpmirror.out
	bad "dpmirror started with collect.ini"
	summary collect
	exit 1
fi
rx=-1
deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$deadline" ]; do
	stats_now "$dp_pid" stats.json || break
	rx=$("$py" "$here/mirror_oracle.py" rx-packets stats.json in)
	[ "$rx" = "$n_in" ] && break
	sleep 0.2
done
check "dpmirror received $rx/$n_in frames" [ "$rx" = "$n_in" ]
rc=0
stop_pid "$dp_pid" TERM || rc=$?
t1=$(date +%s.%N)
check "dpmirror exited 0 after SIGTERM (got $rc)" [ "$rc" -eq 0 ]

# verify_roundtrip NAME PLAIN.pcap REPORT [--tagged]: PLAIN holds in.pcap's
# frames up to the snaplen, in order, with the right times; REPORT has the
# tunnel's line with the right numbers.
verify_roundtrip() {
	local name=$1 plain=$2 rep=$3
	local line
	line=$(grep "^$name " <<<"$tunnels")
	# shellcheck disable=SC2086
	"$py" - "$here" "$plain" "$rep" "$name.pcap" "$t0" "$t1" $line <<'EOF'
import re, struct, sys
sys.path.insert(0, sys.argv[1])
plain, rep, wire, t0, t1 = sys.argv[2:7]
name, encap, rip, lip, k, v, snap = sys.argv[7:14]
snap = int(snap)

def records(path):
    d = open(path, "rb").read()
    e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = d[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    out, off = [], 24
    while off + 16 <= len(d):
        s, f, cl, ol = struct.unpack(e + "IIII", d[off:off + 16])
        out.append((s * 10**9 + (f if nano else f * 1000), ol,
                    d[off + 16:off + 16 + cl]))
        off += 16 + cl
    return out, nano

src, _ = records("in.pcap")
got, nano = records(plain)
want = [f[:snap] if snap else f for _, _, f in src]
errs = []
if not nano:
    errs.append("not a nanosecond pcap")
if [f for _, _, f in got] != want:
    bad = next((i for i, (a, b) in enumerate(zip(got, want)) if a[2] != b),
               min(len(got), len(want)))
    errs.append(f"{len(got)} frames, want {len(want)}; first difference "
                f"at frame {bad}")
# Lengths: a cut ERSPAN copy knows only its captured bytes.
if any(ol != len(f) for _, ol, f in got):
    errs.append("a frame's length differs from its captured length")
wt, _ = records(wire)
if encap == "erspan3":
    lo, hi = int(float(t0) * 1e9) - 10**9, int(float(t1) * 1e9) + 10**9
    if not all(lo <= t <= hi for t, _, _ in got):
        errs.append("ERSPAN III times outside the run")
    if len(set(t for t, _, _ in got)) < 2:
        errs.append("ERSPAN III times all equal")
elif [t for t, _, _ in got] != [t for t, _, _ in wt]:
    errs.append("frame times differ from the capture times")
erspan = encap.startswith("erspan")
seq = erspan or name in ("gre4", "gre6")
n = len(want)
nbytes = sum(len(f) for f in want)
trunc = sum(1 for _, _, f in src if snap and len(f) > snap) if erspan else 0
ident = v if k != "-" else "-"
kind = encap
lp = r"(?:lost|reordered|dup) "
exp = (f"collect: {kind} {lip} -> {rip} id {ident}: frames {n} bytes "
       f"{nbytes} truncated {trunc} lost {0 if seq else '-'} reordered "
       f"{0 if seq else '-'} dup {0 if seq else '-'}")
lines = [l for l in open(rep).read().splitlines()
         if re.match(r"collect: [a-z]", l) and " -> " in l]
if lines != [exp]:
    errs.append(f"report {lines}, want [{exp!r}]")
if errs:
    print(f"{name}: " + "; ".join(errs))
    sys.exit(1)
print(f"{name}: {n} frames ({trunc} cut) as sent, report as expected")
EOF
}

for name in $(awk '{print $1}' <<<"$tunnels"); do
	ports=()
	[ "$name" = vx6 ] && ports=(--port 8472)
	"$CTL" collect -r "$name.pcap" -w "$name.plain.pcap" "${ports[@]}" \
		2>"$name.rep"
	rc=$?
	if [ "$rc" -eq 0 ] && out=$(verify_roundtrip "$name" "$name.plain.pcap" \
		"$name.rep"); then
		ok "round trip $out"
	else
		bad "round trip $name: exit $rc: ${out:-}; $(tr '\n' '|' <"$name.rep")"
	fi
	out=
done

# An outer 802.1Q tag, and a VxLAN header cut short (malformed).
"$py" - <<'EOF'
import struct
d = open("vx4.pcap", "rb").read()
out, off, first = [d[:24]], 24, None
while off + 16 <= len(d):
    s, f, cl, ol = struct.unpack("<IIII", d[off:off + 16])
    fr = d[off + 16:off + 16 + cl]
    if first is None:
        first = (s, f, fr)
    t = fr[:12] + b"\x81\x00\x00\x2a" + fr[12:]
    out.append(struct.pack("<IIII", s, f, len(t), len(t)) + t)
    off += 16 + cl
# eth 14 + ip 20 + udp 8 + 4 bytes of VxLAN header, lengths to match
s, f, fr = first
ip = bytearray(fr[14:34])
ip[2:4] = struct.pack("!H", 32)
ip[10:12] = b"\0\0"
c = sum(struct.unpack("!10H", bytes(ip)))
c = (c & 0xffff) + (c >> 16)
ip[10:12] = struct.pack("!H", ~((c & 0xffff) + (c >> 16)) & 0xffff)
udp = bytearray(fr[34:42])
udp[4:6] = struct.pack("!H", 12)
udp[6:8] = b"\0\0"
short = fr[:14] + bytes(ip) + bytes(udp) + fr[42:46]
out.append(struct.pack("<IIII", s, f, len(short), len(short)) + short)
open("vx4tag.pcap", "wb").write(b"".join(out))
EOF
"$CTL" collect -r vx4tag.pcap -w vx4tag.plain.pcap 2>vx4tag.rep
rc=$?
check "an outer 802.1Q tag: the same plain frames (exit $rc)" \
	eval '[ "$rc" -eq 0 ] && cmp -s <(tail -c +25 vx4tag.plain.pcap) <(tail -c +25 vx4.plain.pcap)'
check "a VxLAN header cut short: malformed 1, not-tunnel 0" \
	grep -q '^collect: skipped: not-tunnel 0 malformed 1$' vx4tag.rep

# ---- 2. injected loss ------------------------------------------------------

# Delete 114 frames (3 single ones, a run of 11, a run of 100: longer
# than the reorder window) from each; editcap writes pcapng.
for name in gre4 gre6 e2v4 e3v6; do
	editcap "$name.pcap" "$name.del.pcap" 5 17 40 100-110 200-299 \
		>/dev/null 2>&1
	n=$(capinfos -c -M -T -r "$name.del.pcap" | awk '{print $2}')
	"$CTL" collect -r "$name.del.pcap" -w "$name.del.plain.pcap" \
		2>"$name.del.rep"
	rc=$?
	line=$(grep ' -> ' "$name.del.rep")
	if [ "$rc" -eq 0 ] && [ "$n" -eq $((n_in - 114)) ] &&
		[[ "$line" == *": frames $n bytes "*" lost 114 reordered 0 dup 0" ]]; then
		ok "$name: 114 of $n_in frames deleted, reported: ${line#*: }"
	else
		bad "$name: 114 of $n_in deleted ($n left), exit $rc: $line"
	fi
done

# Swap frames 10 and 12 (no loss, reordered); repeat frame 30 (dup).
"$py" - <<'EOF'
import struct
for name in ("gre4", "e2v6"):
    d = open(name + ".pcap", "rb").read()
    recs, off = [], 24
    while off + 16 <= len(d):
        cl = struct.unpack("<I", d[off + 8:off + 12])[0]
        recs.append(d[off:off + 16 + cl])
        off += 16 + cl
    r = list(recs)
    r[10], r[12] = r[12], r[10]
    open(name + ".swap.pcap", "wb").write(d[:24] + b"".join(r))
    r = recs[:31] + [recs[30]] + recs[31:]
    open(name + ".dup.pcap", "wb").write(d[:24] + b"".join(r))
EOF
for name in gre4 e2v6; do
	"$CTL" collect -r "$name.swap.pcap" -w swap.plain.pcap 2>swap.rep
	rc=$?
	line=$(grep ' -> ' swap.rep)
	if [ "$rc" -eq 0 ] && [[ "$line" =~ lost\ 0\ reordered\ [1-9][0-9]*\ dup\ 0$ ]]; then
		ok "$name: two frames swapped: ${line#*: }"
	else
		bad "$name: two frames swapped, exit $rc: $line"
	fi
	"$CTL" collect -r "$name.dup.pcap" -w dup.plain.pcap 2>dup.rep
	rc=$?
	line=$(grep ' -> ' dup.rep)
	check "$name: a frame repeated: lost 0 reordered 0 dup 1 (exit $rc: ${line#*: })" \
		eval '[ "$rc" -eq 0 ] && [[ "$line" == *" lost 0 reordered 0 dup 1" ]]'
done

# ---- 3. --split, -c, -w -, bad input ---------------------------------------

split_files="vx4 vxlan-100
vx6 vxlan-4096
gn6 geneve-16777215
gre4 gre-key-3735928559
gre6 gre
grek gre-key-5
e2v4 erspan2-1023
e3v6 erspan3-0"
# shellcheck disable=SC2046
mergecap -F nsecpcap -a -w all.pcap $(awk '{print $1 ".pcap"}' <<<"$split_files") \
	in.pcap
"$CTL" collect -r all.pcap -w split --split --port 8472 2>split.rep
rc=$?
check "--split: exit 0 ($rc), the directory made" [ "$rc" -eq 0 ] && [ -d split ]
want=$(awk '{print $2 ".pcap"}' <<<"$split_files" | sort | tr '\n' ' ')
have=$(cd split && find . -type f -printf '%f\n' | sort | tr '\n' ' ')
check "--split: one file per tunnel: $have" [ "$have" = "$want" ]
while read -r name file; do
	check "--split: $file.pcap = $name's plain frames" \
		cmp -s <(tail -c +25 "split/$file.pcap") \
		<(tail -c +25 "$name.plain.pcap")
done <<<"$split_files"
check "--split: in.pcap's $n_in frames counted as not-tunnel" \
	grep -q "^collect: skipped: not-tunnel $n_in malformed 0$" split.rep
"$CTL" collect -r all.pcap -w nosplit.pcap 2>nosplit.rep
check "without --port 8472 the VxLAN frames to 8472 are not-tunnel too" \
	grep -q "^collect: skipped: not-tunnel $((2 * n_in)) malformed 0$" \
	nosplit.rep

"$CTL" collect -r gre4.pcap -w c10.pcap -c 10 2>c10.rep
rc=$?
n=$("$py" "$here/mirror_oracle.py" count-frames c10.pcap)
check "-c 10: exit $rc, $n frames written, done (-c reached)" \
	eval '[ "$rc" -eq 0 ] && [ "$n" -eq 10 ] && grep -q "done (-c reached)" c10.rep'

"$CTL" collect -r e3v4.pcap -w - 2>pipe.rep |
	tcpdump --time-stamp-precision=nano -nn -r - -w piped.pcap 2>/dev/null
check "-w - | tcpdump -r -: tcpdump reads e3v4's plain frames as written" \
	cmp -s <(tail -c +25 piped.pcap) <(tail -c +25 e3v4.plain.pcap)

# expect_fail RC WORDS ARGS...: collect ARGS exits RC, stderr has WORDS.
expect_fail() {
	local want=$1 words=$2 err rc
	shift 2
	err=$("$CTL" collect "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq "$want" ] && [[ "$err" == *"$words"* ]]; then
		ok "collect $*: exit $rc, '${err%%$'\n'*}'"
	else
		bad "collect $*: exit $rc (want $want), '${err%%$'\n'*}' (want '$words')"
	fi
}
expect_fail 2 "-r $work/nosuch.pcap: No such file" -r "$work/nosuch.pcap" -w x1.pcap
check "no output file made for a missing input" [ ! -e x1.pcap ]
expect_fail 2 "a pcap or pcapng capture is needed" -r collect.ini -w x2.pcap
expect_fail 2 "cannot write /nonexistent/x.pcap" -r vx4.pcap -w /nonexistent/x.pcap
expect_fail 2 "is a directory" -r vx4.pcap -w split
expect_fail 2 "not a directory" -r vx4.pcap -w vx4.plain.pcap --split
expect_fail 2 "nosuch0: no such interface" -i nosuch0 -w x3.pcap
expect_fail 1 "no output" -r vx4.pcap
expect_fail 1 "no input" -w x.pcap
expect_fail 1 "exclude each other" -r vx4.pcap -i lo -w x.pcap
expect_fail 1 "-c 0" -r vx4.pcap -w x.pcap -c 0
expect_fail 1 "--port 70000" -r vx4.pcap -w x.pcap --port 70000
expect_fail 1 "--duration x" -r vx4.pcap -w x.pcap --duration x
expect_fail 1 "unknown argument '--nosuch'" -r vx4.pcap -w x.pcap --nosuch

# ---- 4. live in the playground -----------------------------------------------

live() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "live: skipped, needs root"
		return
	fi
	if ! "$CTL" playground up --prefix "$P" --inline >pg.log 2>&1; then
		cat pg.log
		bad "playground up --prefix $P --inline"
		return
	fi
	pg=1
	cat >live.ini <<EOF
[dpmirror]
mode = inline
stats_interval = 0
[port a]
device = net_af_packet0,iface=$P-h1e0
peer = b
[port b]
device = net_af_packet1,iface=$P-dpb
peer = a
[port out]
device = net_af_packet2,iface=$P-out
mtu = 1600
[collector vx]
port = out
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
vni = 100
[collector e2]
port = out
encap = erspan2
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
session_id = 5
[session s-vx]
sources = a:rx b:rx
collector = vx
[session s-e2]
sources = a:rx b:rx
collector = e2
EOF
	"$dpmirror" --no-huge -m 512 --no-pci -l 0,1 \
		--file-prefix "$prefix-live" --log-level '*:notice' -- \
		-c live.ini --stats-json live.json >live.log 2>&1 &
	local dpl=$!
	pids+=("$dpl")
	if ! lib_wait_started live.log "$dpl"; then
		cat live.log
		bad "dpmirror starts inline in the playground"
		return
	fi
	# The original frames as h1 sees them, and the two collects in h2.
	ip netns exec "$P-h1" timeout 60 tcpdump --immediate-mode -U -n -s 0 \
		-i eth0 -w h1.pcap >h1.tcpdump 2>&1 &
	local tcpd=$!
	pids+=("$tcpd")
	ip netns exec "$P-h2" timeout 60 "$CTL" collect -i eth1 \
		-w live.pcap --duration 8 --stats 2 2>live.rep &
	local col=$!
	pids+=("$col")
	ip netns exec "$P-h2" timeout 60 "$CTL" collect -i eth1 \
		-w livesplit --split 2>livesplit.rep &
	local cols=$!
	pids+=("$cols")
	for _ in $(seq 1 50); do
		grep -q 'listening on' h1.tcpdump && grep -q 'listening on' live.rep &&
			grep -q 'listening on' livesplit.rep && break
		sleep 0.1
	done
	check "collect -i eth1 in $P-h2 started: $(head -n 1 live.rep)" \
		grep -q '^collect: listening on eth1, writing live.pcap$' live.rep

	mkdir -p www
	head -c 30000 /dev/urandom | base64 >www/page.txt
	ip netns exec "$P-h1" timeout 30 "$py" -m http.server 8080 \
		--bind 198.18.0.2 --directory www >http.log 2>&1 &
	pids+=($!)
	ip netns exec "$P-h1" timeout 30 "$py" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.0.2", 33333))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(b"echo: " + data, peer)' >/dev/null 2>&1 &
	pids+=($!)
	check "ping 198.18.0.2 (h1) through dpmirror" \
		ping -c 5 -i 0.2 -W 2 -q 198.18.0.2
	"$py" - <<'EOF' >traffic.log 2>&1
import socket, time, urllib.request
http = udp = 0
for i in range(30):
    try:
        d = urllib.request.urlopen("http://198.18.0.2:8080/page.txt",
                                   timeout=2).read()
        http += len(d) > 30000
        break
    except OSError:
        time.sleep(0.1)
for i in range(3):
    d = urllib.request.urlopen("http://198.18.0.2:8080/page.txt",
                               timeout=2).read()
    http += len(d) > 30000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for i in range(5):
    s.sendto(b"hello h1 %d" % i, ("198.18.0.2", 33333))
    udp += s.recv(2048) == b"echo: hello h1 %d" % i
print(f"http {http} udp {udp}")
EOF
	check "4 HTTP fetches and 5 UDP requests answered ($(cat traffic.log))" \
		grep -q '^http 4 udp 5$' traffic.log
	sleep 0.5
	local rc=0
	stop_pid "$cols" INT || rc=$?
	check "collect --split ended on SIGINT with exit 0 ($rc)" [ "$rc" -eq 0 ]
	check "collect --split: 'done (interrupted (SIGINT))'" \
		grep -q 'done (interrupted (SIGINT))' livesplit.rep
	have=$(cd livesplit 2>/dev/null && ls | tr '\n' ' ')
	check "collect --split: livesplit/ has $have" \
		[ "$have" = "erspan2-5.pcap vxlan-100.pcap " ]
	rc=0
	for _ in $(seq 1 120); do
		kill -0 "$col" 2>/dev/null || break
		sleep 0.1
	done
	wait "$col" || rc=$?
	check "collect --duration 8 ended by itself with exit 0 ($rc)" \
		eval '[ "$rc" -eq 0 ] && grep -q "done (--duration reached)" live.rep'
	check "the capture dropped nothing: $(grep '^collect: capture:' live.rep)" \
		grep -q '^collect: capture: received [1-9][0-9]* dropped 0 ' live.rep
	check "--stats 2 printed periodic lines" \
		grep -q '^collect: [0-9.]* s: vxlan 198.18.1.10 -> 198.18.1.3 id 100: ' \
		live.rep
	stop_pid "$tcpd" INT
	local vx e2
	vx=$(grep '^collect: vxlan 198.18.1.10 -> 198.18.1.3 id 100: ' live.rep)
	e2=$(grep '^collect: erspan2 198.18.1.10 -> 198.18.1.3 id 5: ' live.rep)
	echo "  $vx"
	echo "  $e2"
	check "the report: vxlan VNI 100 and erspan2 session 5, as many frames, lost 0" \
		"$py" - "$vx" "$e2" <<'EOF'
import sys
vx, e2 = sys.argv[1], sys.argv[2]
f = lambda l, k: l.split(f" {k} ")[1].split()[0]
sys.exit(0 if vx and e2 and int(f(vx, "frames")) > 20 and
         f(vx, "frames") == f(e2, "frames") and f(e2, "lost") == "0" and
         f(e2, "truncated") == "0" else 1)
EOF
	# live.pcap holds every frame twice (the VxLAN and the ERSPAN copy),
	# which tshark's TCP analysis takes for retransmissions: HTTP is
	# counted by its bytes there, and dissected in one tunnel's file.
	local icmp http udp tun f
	icmp=$(tshark -r live.pcap -Y 'icmp.type == 8 && ip.dst == 198.18.0.2' 2>/dev/null | wc -l)
	http=$(tshark -r live.pcap -Y 'tcp.dstport == 8080 && frame contains "GET /page.txt HTTP/1.1"' 2>/dev/null | wc -l)
	udp=$(tshark -r live.pcap -Y 'udp.port == 33333' 2>/dev/null | wc -l)
	tun=$(tshark -r live.pcap -Y 'vxlan || erspan || gre' 2>/dev/null | wc -l)
	check "tshark reads live.pcap as the traffic: $icmp echo requests (10), $http GETs (8), $udp UDP (20), $tun tunnel frames (0)" \
		eval '[ "$icmp" -eq 10 ] && [ "$http" -eq 8 ] && [ "$udp" -eq 20 ] && [ "$tun" -eq 0 ]'
	for f in vxlan-100 erspan2-5; do
		# One GET and one 200 per TCP connection, counted by
		# connection: a retransmitted segment (a slow machine) must
		# not make tshark count an exchange twice, or not at all.
		http=$(( $(tshark -r "livesplit/$f.pcap" -o tcp.analyze_sequence_numbers:FALSE \
			-Y 'http.request.method == "GET"' -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l) +
			$(tshark -r "livesplit/$f.pcap" -o tcp.analyze_sequence_numbers:FALSE \
			-Y 'http.response.code == 200' -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l) ))
		icmp=$(tshark -r "livesplit/$f.pcap" -Y 'icmp.type == 0 || icmp.type == 8' 2>/dev/null | wc -l)
		udp=$(tshark -r "livesplit/$f.pcap" -Y 'udp.port == 33333' 2>/dev/null | wc -l)
		check "tshark reads livesplit/$f.pcap as the traffic: $http HTTP GETs and 200s (8), $icmp pings and replies (10), $udp UDP (10)" \
			eval '[ "$http" -eq 8 ] && [ "$icmp" -eq 10 ] && [ "$udp" -eq 10 ]'
	done
	check "live.pcap has every ping frame h1 saw, byte-exact" \
		"$py" "$here/compare_frames.py" h1.pcap live.pcap \
		--proto icmp-request --proto icmp-reply --min 10 --echo 5
	check "live.pcap has every TCP and UDP frame h1 saw, byte-exact" \
		"$py" "$here/compare_frames.py" h1.pcap live.pcap \
		--proto tcp:8080 --proto udp:33333 --min 30
	check "livesplit/vxlan-100.pcap has every ping frame h1 saw" \
		"$py" "$here/compare_frames.py" h1.pcap livesplit/vxlan-100.pcap \
		--proto icmp --echo 5
	rc=0
	stop_pid "$dpl" TERM || rc=$?
	check "dpmirror exits 0 on SIGTERM ($rc)" [ "$rc" -eq 0 ]
	"$CTL" playground down --prefix "$P" >/dev/null 2>&1
	pg=
	check "playground $P removed" \
		eval '! ip netns list | grep -q "^$P-"'
}
live

summary collect
