#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Benchmark dpmirror side by side with dpdk-testpmd's io forwarding, on the
# same lcores (-l 0,1: the main lcore and one worker), the same vdevs and the
# same traffic, in the same run.  Traffic: net_pcap replaying (infinite_rx)
# a capture of 1024 IPv4/UDP flows; sinks: net_null.  Each scenario runs the
# two programs alternately, REPS times, and reports medians:
#
#   S1 inline, one session whose 1000-rule filter matches nothing
#   S2 tap, mirror everything, 64-byte frames, VxLAN to one collector
#      (dpmirror's rate counts the copies it sent)
#   S3 inline, mirror everything (every packet forwarded and copied), 64 B
#   S4 as S3 with 1500-byte frames (clones that share the original)
#   S5 inline, four sessions each selecting a different quarter of the flows
#   S6 as S3, but the collector port never drains (a net_ring nobody reads):
#      forwarding must not suffer (compared with S1), no original lost
#   S7 as S3 with a GRE collector (key and sequence numbers)
#   S8 as S3 with an ERSPAN II collector
#   S9 as S1, but the filter is a tcpdump expression (rte_bpf) that matches
#      nothing; printed beside S1
#   (S3, S7 and S8 are printed once more side by side: the cost of each
#   encapsulation, no target; they should cost about the same)
#
# Ratio = dpmirror's rate / testpmd's rate.  Cycles per packet come from the
# worker's busy_cycles / packets in dpmirror's --stats-json.
#
# Then, informationally:
#   - the copy-versus-clone crossover: S3 at 128..1500-byte frames with
#     every copy a copy (copy_max = 2048) and every copy a clone that
#     shares the original (copy_max = 0);
#   - as root, the kernel tc + mirred + vxlan path against dpmirror on
#     net_af_packet ports, on the same playground veths, with the same
#     iperf3 UDP flood towards h1: how many packets per second each mirrors.
#
#   scripts/bench.sh              the full run, as root (about 10 minutes)
#   scripts/bench.sh --smoke      S1 and S3 once, 1 s each, --no-huge and
#                                 --no-ovs: checks that the machinery works
#                                 and prints the table
#   scripts/bench.sh --table      the tables only (SCENARIOS), without the
#                                 crossover and the kernel path
#   --no-ovs                      without the OVS-DPDK column (never installs
#                                 Open vSwitch)
#   --no-huge                     all three programs on --no-huge memory
#                                 instead of 2 MB hugepages
#
# OVS-DPDK (scripts/bench_ovs.sh, as root): Debian's openvswitch-switch-dpdk,
# installed when missing, runs F (forwarding only), S2, S3 and S4 with its
# own ovsdb-server and ovs-vswitchd beside testpmd and dpmirror; these four
# are printed again as a three-column table with dpmirror / OVS ratios.
#   F  inline forwarding only: dpmirror's one session listens on the port
#      that nothing arrives on (fwd:rx), so in -> fwd is not classified
#
# Memory: by default the run reserves 2 MB hugepages (vm.nr_hugepages),
# mounts hugetlbfs at /dev/hugepages if nothing is mounted there, and puts
# both back when it ends, failed or interrupted; --no-huge leaves them alone.
# Environment: REPS (3), SECS (3, measured seconds per run), SCENARIOS
# (F S1 .. S9), BUILD_DIR (build: where dpmirror is built).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
PY=/usr/bin/python3
REPS=${REPS:-3}
SECS=${SECS:-3}
SCENARIOS=${SCENARIOS-F S1 S2 S3 S4 S5 S6 S7 S8 S9}
BUILD_DIR=${BUILD_DIR:-build}
mode=full
ovs=yes
huge=yes
for a in "$@"; do
	case $a in
	--smoke)
		mode=smoke
		REPS=1
		SECS=1
		SCENARIOS="S1 S3"
		ovs=no
		huge=no
		;;
	--table) mode=table ;;
	--no-ovs) ovs=no ;;
	--no-huge) huge=no ;;
	*)
		echo "bench: unknown option $a (expected --smoke, --table, --no-ovs, --no-huge)" >&2
		exit 2
		;;
	esac
done
if [ "$ovs" = yes ] && [ "$(id -u)" -ne 0 ]; then
	echo "bench: OVS-DPDK column skipped: it needs root (network namespace, tap ports)"
	ovs=no
fi
if [ "$huge" = yes ] && [ "$(id -u)" -ne 0 ]; then
	echo "bench: reserving hugepages needs root: run as root, or pass --no-huge" >&2
	exit 1
fi

# BUILD_DIR relative to the source tree, as the rest of the script uses it.
case "$BUILD_DIR" in
/*) BUILD_DIR=$(realpath --relative-to="$top" "$BUILD_DIR") ;;
esac
if [ "$BUILD_DIR" != build ] && [ ! -x "$top/$BUILD_DIR/dpmirror" ]; then
	echo "bench: $BUILD_DIR/dpmirror is missing (BUILD_DIR)" >&2
	exit 1
fi
if [ "$BUILD_DIR" = build ] && [ ! -x build/dpmirror ]; then
	scripts/bootstrap.sh || exit 1
	[ -f build/build.ninja ] || meson setup build >/dev/null || exit 1
	ninja -C build >/dev/null || exit 1
fi
command -v dpdk-testpmd >/dev/null || {
	echo "bench: dpdk-testpmd is missing (Debian package dpdk)" >&2
	exit 1
}

work=$(mktemp -d /tmp/dpmirror-bench.XXXXXX)
pid=
# The EAL runtime directories of this run's file prefixes (bench-*-$$):
# testpmd leaves its own, and so does a dpmirror killed here.
if [ "$(id -u)" -eq 0 ]; then
	dpdk_run=/var/run/dpdk
else
	dpdk_run=${XDG_RUNTIME_DIR:-/tmp}/dpdk
fi
. "$top/scripts/bench_ovs.sh"
HP=/sys/kernel/mm/hugepages/hugepages-2048kB
hp_orig=
hp_mounted=
hp_mkdir=
# The programs run in command substitutions (subshells): each leaves its
# PID in $work/*.pid for as long as it runs, for an interrupted run to stop.
# Stop PID and wait until it is gone: TERM first (timeout passes it on to
# testpmd, which KILL would orphan), KILL after 5 s.
stop_pid() {
	local p=$1
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
	kill -TERM "$p" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null
	for _ in $(seq 1 20); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.1
	done
}
stop_pidfiles() {
	local f
	for f in "$work"/*.pid; do
		[ -f "$f" ] || continue
		stop_pid "$(cat "$f")"
		rm -f "$f"
	done
	# Whatever of this run's programs is still there (by file prefix).
	pkill -KILL -f -- "--file-prefix bench-(tp|dp|k)-$$"'( |$)' 2>/dev/null
	for _ in $(seq 1 20); do
		pgrep -f -- "--file-prefix bench-(tp|dp|k)-$$"'( |$)' >/dev/null || break
		sleep 0.1
	done
}
cleanup() {
	stop_pid "$pid"
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	stop_pidfiles
	ovs_stop
	rm -rf "$dpdk_run/bench-tp-$$" "$dpdk_run/bench-dp-$$" \
		"$dpdk_run/bench-k-$$"
	if [ -d /dev/hugepages ]; then
		rm -f /dev/hugepages/bench-tp-$$map_* \
			/dev/hugepages/bench-dp-$$map_* \
			/dev/hugepages/bench-k-$$map_*
	fi
	if [ -n "$hp_mounted" ]; then
		umount /dev/hugepages 2>/dev/null ||
			echo "bench: /dev/hugepages is in use by another process: left mounted" >&2
		hp_mounted=
	fi
	[ -n "$hp_mkdir" ] && rmdir /dev/hugepages 2>/dev/null
	hp_mkdir=
	# Put vm.nr_hugepages back.  A test that reserves and restores its own
	# pages at the same time may have taken ours for its "before" and put
	# them back after we had ours: the pages in use now are not ours (our
	# programs are gone), and only those stay.
	if [ -n "$hp_orig" ]; then
		local now used
		now=$(cat "$HP/nr_hugepages")
		used=$((now - $(cat "$HP/free_hugepages")))
		[ "$used" -lt "$hp_orig" ] && used=$hp_orig
		[ "$now" != "$used" ] && echo "$used" >"$HP/nr_hugepages"
		[ "$used" != "$hp_orig" ] &&
			echo "bench: vm.nr_hugepages left at $used, not the $hp_orig it was: other programs use $used pages now" >&2
		hp_orig=
	fi
	[ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 2 MB pages for one program at a time: -m 1024 (testpmd, dpmirror) or
# dpdk-socket-mem 1024 (OVS), and room for the EAL's own.
HP_PAGES=640
# Makes sure hugetlbfs is mounted on /dev/hugepages and HP_PAGES pages are
# free; called again before every run, because a test that reserved and
# restores its own pages at the same time may have taken them back.
hp_ensure() {
	local free
	[ "$huge" = yes ] || return 0
	if ! grep -qs '^[^ ]* /dev/hugepages hugetlbfs ' /proc/mounts; then
		if [ ! -d /dev/hugepages ]; then
			mkdir /dev/hugepages && hp_mkdir=1
		fi
		mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages || {
			echo "bench: could not mount hugetlbfs at /dev/hugepages; pass --no-huge" >&2
			return 1
		}
		hp_mounted=1
	fi
	free=$(cat "$HP/free_hugepages")
	[ "$free" -ge "$HP_PAGES" ] && return 0
	[ -z "$hp_orig" ] && hp_orig=$(cat "$HP/nr_hugepages")
	echo $(($(cat "$HP/nr_hugepages") + HP_PAGES - free)) >"$HP/nr_hugepages"
	free=$(cat "$HP/free_hugepages")
	if [ "$free" -lt "$HP_PAGES" ]; then
		echo "bench: could reserve only $free of $HP_PAGES free 2 MB hugepages (memory short or fragmented): free some memory (echo 3 > /proc/sys/vm/drop_caches may help), or pass --no-huge" >&2
		return 1
	fi
}
if [ "$huge" = yes ]; then
	if [ ! -w "$HP/nr_hugepages" ]; then
		echo "bench: $HP/nr_hugepages is not there or not writable: no 2 MB hugepages on this kernel; pass --no-huge" >&2
		exit 1
	fi
	hp_ensure || exit 1
	EAL_MEM=(-m 1024 --huge-unlink)
	# OVS adds --in-memory itself (no hugepage files at all).
	OVS_EXTRA=()
	OVS_MEM=(other_config:dpdk-socket-mem=1024
		other_config:dpdk-socket-limit=1024)
	MEM_LABEL="2 MB hugepages ($HP_PAGES free for the run)"
else
	EAL_MEM=(--no-huge -m 1024)
	# --no-huge is legacy memory to the EAL, which OVS's default
	# --in-memory contradicts unless told.
	OVS_EXTRA=(--no-huge -m 1024 --legacy-mem)
	OVS_MEM=()
	MEM_LABEL="--no-huge (anonymous 4 kB pages)"
fi
if [ "$ovs" = yes ]; then
	ovs_install || exit 1
fi

EAL=("${EAL_MEM[@]}" --no-pci -l 0,1 --log-level '*:warning')
# Let rte_acl use its AVX-512 classify methods where the CPU has them (the
# EAL's default caps vector code at 256 bits); both programs get the same.
if grep -qw avx512f /proc/cpuinfo; then
	EAL+=(--force-max-simd-bitwidth=512)
fi

# The traffic: 1024 UDP flows, 198.18.1.x:port -> 198.18.0.(0..255):9.
"$PY" - "$work" <<'EOF'
import struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF
def frame(i, size):
    payload = bytes(size - 42)
    udp = struct.pack("!HHHH", 1024 + i, 9, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17,
                     0, bytes([198, 18, 1, i // 256 + 1]),
                     bytes([198, 18, 0, i % 256]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
    return eth + ip + udp
for size, name in ((60, "f64.pcap"), (1514, "f1500.pcap"), (128, "f128.pcap"),
                   (256, "f256.pcap"), (512, "f512.pcap"),
                   (1024, "f1024.pcap")):
    with open(f"{sys.argv[1]}/{name}", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(1024):
            fr = frame(i, size)
            f.write(struct.pack("<IIII", 0, i, len(fr), len(fr)) + fr)
EOF

# Configurations.  $1: mode, $2: frames pcap, $3: collector device,
# [$4: the collector's encapsulation lines, default VxLAN VNI 100],
# then the sessions (and filters) as text on stdin.
config() {
	cat <<EOF
[dpmirror]
mode = $1
burst = 32
mirror_pool = 16384
stats_interval = 0
[port in]
device = net_pcap0,rx_pcap=$work/$2,infinite_rx=1
$([ "$1" = inline ] && echo "peer = fwd")
[port fwd]
device = net_null0,no-rx=1
[port out]
device = $3
mtu = 9000
; net_null sends chained mbufs but does not advertise it: let copies of
; long frames be clones there too.
tx_multiseg = yes
[collector c1]
port = out
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
${4:-vni = 100}
EOF
	cat
}

NULL_OUT="net_null1,no-rx=1"
session_all() { printf '[session all]\nsources = in:rx\ncollector = c1\n'; }

config inline f64.pcap "$NULL_OUT" >"$work/S1.ini" <<EOF
[session none]
sources = in:rx
collector = c1
filter = nothing
[filter nothing]
$(for i in $(seq 1 1000); do
	echo "rule $i = accept proto tcp dst 198.19.$((i / 250)).$((i % 250))/32 dport $i"
done)
default = reject
EOF
# F: forwarding only.  dpmirror needs a session; this one listens on fwd,
# where nothing arrives (fwd is polled for its peer anyway, as testpmd
# polls both ports), so nothing that comes in on in is classified.
printf '[session idle]\nsources = fwd:rx\ncollector = c1\n' |
	config inline f64.pcap "$NULL_OUT" >"$work/F.ini"
session_all | config tap f64.pcap "$NULL_OUT" >"$work/S2.ini"
session_all | config inline f64.pcap "$NULL_OUT" >"$work/S3.ini"
session_all | config inline f1500.pcap "$NULL_OUT" >"$work/S4.ini"
config inline f64.pcap "$NULL_OUT" >"$work/S5.ini" <<EOF
$(for q in 0 1 2 3; do
	printf '[session q%d]\nsources = in:rx\ncollector = c1\nfilter = q%d\n' $q $q
	printf '[filter q%d]\nrule 1 = accept dst 198.18.0.%d/26\n' $q $((q * 64))
done)
EOF
session_all | config inline f64.pcap "net_ring0" >"$work/S6.ini"
session_all | config inline f64.pcap "$NULL_OUT" \
	"$(printf 'encap = gre\nkey = 100\nseq = yes')" >"$work/S7.ini"
session_all | config inline f64.pcap "$NULL_OUT" \
	"$(printf 'encap = erspan2\nsession_id = 100')" >"$work/S8.ini"
# S9: the traffic is UDP to 198.18.0.0/24, so the expression goes through
# the EtherType, the protocol and the destination address before it fails.
config inline f64.pcap "$NULL_OUT" >"$work/S9.ini" <<EOF
[session none]
sources = in:rx
collector = c1
filter = nothing
[filter nothing]
expression = (tcp or udp) and dst net 198.19.0.0/16 and dst portrange 1-1000
EOF
# The collector of S6 is a net_ring: nothing reads it, so it fills up.

frames_of() { grep -q f1500 "$work/$1.ini" && echo f1500.pcap || echo f64.pcap; }

# testpmd io forwarding, in -> null; prints Rx-pps over SECS seconds.
run_testpmd() { # scenario
	local f
	f=$(frames_of "$1")
	{
		sleep 2
		echo "show port stats 0"
		sleep "$SECS"
		echo "show port stats 0"
		echo "quit"
	} | timeout $((SECS + 30)) dpdk-testpmd "${EAL[@]}" \
		--file-prefix "bench-tp-$$" \
		--vdev "net_pcap0,rx_pcap=$work/$f,infinite_rx=1" \
		--vdev "net_null0,no-rx=1" \
		-- -i --forward-mode=io --auto-start --total-num-mbufs=16384 \
		>"$work/tp.log" 2>&1 &
	# timeout passes a TERM on to testpmd.
	echo $! >"$work/tp.pid"
	wait $!
	rm -f "$work/tp.pid"
	awk '/Rx-pps:/ { v = $2 } END { print v + 0 }' "$work/tp.log"
}

# dpmirror: two SIGUSR1 snapshots SECS apart; prints the JSON figures.
snap() { # out-file
	rm -f "$work/stats.json"
	kill -USR1 "$pid"
	for _ in $(seq 1 50); do
		[ -s "$work/stats.json" ] && break
		sleep 0.05
	done
	cp "$work/stats.json" "$1"
}

run_dpmirror() { # scenario
	"$top/$BUILD_DIR/dpmirror" "${EAL[@]}" --file-prefix "bench-dp-$$" \
		-- -c "$work/$1.ini" --stats-json "$work/stats.json" \
		>"$work/dp.log" 2>&1 &
	pid=$!
	echo "$pid" >"$work/dp.pid"
	for _ in $(seq 1 200); do
		grep -q '^dpmirror: .* worker(s)' "$work/dp.log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if ! kill -0 "$pid" 2>/dev/null; then
		cat "$work/dp.log" >&2
		pid=
		rm -f "$work/dp.pid"
		echo "0 0 0 0 0 0"
		return
	fi
	sleep 1
	snap "$work/a.json"
	sleep "$SECS"
	snap "$work/b.json"
	kill -TERM "$pid"
	wait "$pid"
	pid=
	rm -f "$work/dp.pid"
	"$PY" - "$work/a.json" "$work/b.json" <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
dt = b["duration_s"] - a["duration_s"]
d = lambda f: f(b) - f(a)
rx = d(lambda s: s["ports"]["in"]["rx_packets"]) / dt
fwd = d(lambda s: s["ports"]["fwd"]["fwd_packets"]) / dt
fwd_lost = d(lambda s: s["ports"]["fwd"]["fwd_dropped"])
mir = d(lambda s: sum(x["mirrored"] for x in s["sessions"].values())) / dt
drop = d(lambda s: sum(x["dropped"][k] for x in s["sessions"].values()
                       for k in ("no_mbuf", "tx_full", "too_big")))
pk = d(lambda s: sum(w["packets"] for w in s["workers"]))
cy = d(lambda s: sum(w["busy_cycles"] for w in s["workers"]))
print(f"{rx:.0f} {fwd:.0f} {mir:.0f} {drop} {fwd_lost} {cy / pk if pk else 0:.1f}")
EOF
}

echo "bench: $REPS run(s) of ${SECS} s per program and scenario; lcores 0 (main) and 1 (worker)"
echo "bench: memory: $MEM_LABEL"
[ "$ovs" = yes ] && echo "bench: OVS-DPDK: $("$OVS_VSWITCHD" --version | tr '\n' ' ')"
results=$work/results.txt
ovs_results=$work/ovs-results.txt
: >"$results"
: >"$ovs_results"
for s in $SCENARIOS; do
	# F is there for the three-column table only.
	[ "$s" = F ] && [ "$ovs" = no ] && continue
	for r in $(seq 1 "$REPS"); do
		hp_ensure || exit 1
		tp=$(run_testpmd "$s")
		case "$ovs:$s" in
		yes:F | yes:S2 | yes:S3 | yes:S4)
			ov=$(run_ovs "$s")
			echo "$s $r ovs: in_rx_pps fwd_tx_pps copies_pps copies_dropped = $ov"
			echo "$s $tp $ov" >>"$ovs_results"
			;;
		esac
		dp=$(run_dpmirror "$s")
		echo "$s $r testpmd_pps=$tp dpmirror: rx_pps fwd_pps mirrored_pps copies_dropped fwd_lost cycles_per_pkt = $dp"
		echo "$s $tp $dp" >>"$results"
	done
done
if [ "$ovs" = yes ] && grep -q '^S3 ' "$ovs_results"; then
	hp_ensure || exit 1
	ovs_prove || exit 1
fi

"$PY" - "$results" "$ovs_results" "$MEM_LABEL" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    s, tp, rx, fwd, mir, drop, lost, cy = line.split()
    rows.setdefault(s, []).append((float(tp), float(rx), float(fwd),
                                   float(mir), int(drop), int(lost),
                                   float(cy)))
med = lambda xs: statistics.median(xs)
what = {"S1": "inline, 1000-rule filter, no match",
        "S2": "tap, mirror all, 64 B (copies)",
        "S3": "inline, mirror all, 64 B",
        "S4": "inline, mirror all, 1500 B",
        "S5": "inline, 4 sessions, a quarter each",
        "S6": "as S3, collector never drains",
        "S7": "as S3, GRE (key, seq) collector",
        "S8": "as S3, ERSPAN II collector",
        "S9": "inline, expression filter, no match"}
target = {"S1": 0.75, "S2": 0.60, "S3": 0.50, "S4": 0.80, "S5": 0.45}
print()
print(f"memory: {sys.argv[3]}")
print(f"{'scenario':<41} {'testpmd':>8} {'dpmirror':>9} {'ratio':>6} "
      f"{'target':>6} {'cyc/pkt':>8} {'copies':>8}")
print(f"{'':<41} {'Mpps':>8} {'Mpps':>9} {'':>6} {'':>6} {'':>8} "
      f"{'dropped':>8}")
s1_fwd = s1_ratio = None
s1_tab = None
for s in sorted(x for x in rows if x in what):
    r = rows[s]
    tp = med([x[0] for x in r])
    # S2 counts copies; the others what dpmirror received (and forwarded).
    dp = med([x[3] if s == "S2" else x[1] for x in r])
    ratio = dp / tp if tp else 0
    fwd = med([x[2] for x in r])
    if s == "S1":
        s1_fwd = fwd
        s1_ratio = med([x[2] / x[0] for x in r if x[0]])
        s1_tab = ratio
    tgt = target.get(s)
    tgt_txt = f"{tgt:.2f}" if tgt else "-"
    print(f"{s + ' ' + what[s]:<41} {tp / 1e6:8.3f} {dp / 1e6:9.3f} "
          f"{ratio:6.2f} {tgt_txt:>6} {med([x[6] for x in r]):8.1f} "
          f"{max(x[4] for x in r):8d}")
    if s == "S6":
        lost = max(x[5] for x in r)
        rel = fwd / s1_fwd if s1_fwd else 0
        # The same, each against testpmd in its own runs: load on the
        # machine that changes between S1 and S6 cancels out.
        rel_tp = (med([x[2] / x[0] for x in r if x[0]]) / s1_ratio
                  if s1_ratio else 0)
        print(f"{'   S6 forwarding vs S1 forwarding':<41} {'':>8} "
              f"{fwd / 1e6:9.3f} {rel:6.2f} {'0.90':>6}   "
              f"originals lost: {lost}")
        print(f"{'   ... each against its testpmd runs':<41} {'':>8} "
              f"{'':>9} {rel_tp:6.2f} {'0.90':>6}")
    if s == "S9" and s1_tab:
        # The expression's ratio beside the 1000 rules' (S1), both as in
        # the rows above.
        print(f"{'   S9 ratio beside S1 ratio':<41} {'':>8} {'':>9} "
              f"{ratio:6.2f} {'':>6}   S1 {s1_tab:.2f}, "
              f"S9/S1 {ratio / s1_tab:.2f}")
enc = [(s, n) for s, n in (("S3", "vxlan"), ("S7", "gre key+seq"),
                           ("S8", "erspan2")) if s in rows]
if len(enc) > 1:
    print()
    print("forward + mirror all, 64 B, by the collector's encapsulation")
    print(f"{'':<22}" + "".join(f"{n + ' (' + s + ')':>18}" for s, n in enc))
    for label, f, fmt in (
            ("testpmd Mpps", lambda r: med([x[0] for x in r]) / 1e6, ".3f"),
            ("dpmirror Mpps", lambda r: med([x[1] for x in r]) / 1e6, ".3f"),
            ("ratio (per run, median)",
             lambda r: med([x[1] / x[0] for x in r if x[0]]),
             ".2f"),
            ("cycles per packet", lambda r: med([x[6] for x in r]), ".1f"),
            ("copies dropped", lambda r: max(x[4] for x in r), "d")):
        print(f"{label:<22}" + "".join(format(f(rows[s]), ">18" + fmt)
                                       for s, _ in enc))

# testpmd, OVS-DPDK and dpmirror.  OVS's rate: packets received on in (for
# tap, copies its underlay port sent); each testpmd run is followed by
# OVS's and dpmirror's.
ovs = {}
for line in open(sys.argv[2]):
    s, tp, rx, fwd, cp, drop = line.split()
    ovs.setdefault(s, []).append((float(tp), float(rx), float(fwd),
                                  float(cp), int(drop)))
three = [("F", "forwarding only", 1.75),
         ("S3", "forward + mirror all, 64 B", 3.0),
         ("S4", "forward + mirror all, 1500 B", 3.0),
         ("S2", "tap, mirror all, 64 B", 2.0)]
if ovs:
    print()
    print(f"testpmd, OVS-DPDK and dpmirror, one forwarding core each; memory: "
          f"{sys.argv[3]}")
    print(f"{'':<29} {'testpmd':>8} {'OVS-DPDK':>9} {'dpmirror':>9} "
          f"{'dpm/OVS':>8} {'target':>6} {'dpm/tp':>7}  OVS sent / received")
    print(f"{'':<29} {'Mpps':>8} {'Mpps':>9} {'Mpps':>9}")
    for s, name, tgt in three:
        if s not in rows:
            continue
        r = rows[s]
        tp = med([x[0] for x in r])
        dp = med([x[3] if s == "S2" else x[1] for x in r])
        o = ovs.get(s)
        if o:
            ov = med([x[3] if s == "S2" else x[1] for x in o])
            rx = med([x[1] for x in o])
            fw = med([x[2] for x in o]) / rx if rx else 0
            cp = med([x[3] for x in o]) / rx if rx else 0
            sent = {"F": f"fwd {fw:.3f}", "S2": f"copies {cp:.3f}"}.get(
                s, f"fwd {fw:.3f}, copies {cp:.3f}")
            drop = max(x[4] for x in o)
            if drop:
                sent += f", {drop} copies dropped"
            ov_txt = f"{ov / 1e6:9.3f}"
            rel = f"{dp / ov:8.2f}" if ov else f"{'-':>8}"
        else:
            ov_txt, rel, sent = f"{'-':>9}", f"{'-':>8}", "(not run)"
        print(f"{name:<29} {tp / 1e6:8.3f} {ov_txt} {dp / 1e6:9.3f} {rel} "
              f"{tgt:6.2f} {dp / tp if tp else 0:7.2f}  {sent}")
EOF

case $mode in smoke | table) exit 0 ;; esac

# ---- the copy-versus-clone crossover ----
echo
echo "copy versus clone: S3 (inline, mirror all) by frame size, dpmirror cycles per packet (median of $((REPS + 2)))"
printf '%-10s %10s %10s   %s\n' "frame" "copy" "clone" "cheaper"
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
XREPS=$((REPS + 2))
for size in 128 256 512 1024 1500; do
	for cm in 2048 0; do
		sed -e "s/f64.pcap/f$size.pcap/" \
			-e "s/^stats_interval = 0/stats_interval = 0\ncopy_max = $cm/" \
			"$work/S3.ini" >"$work/X$cm.ini"
	done
	copy=""
	clone=""
	# Alternate the two so that drifts in the machine's load hit both.
	for _ in $(seq 1 "$XREPS"); do
		hp_ensure || exit 1
		copy="$copy $(run_dpmirror X2048 | awk '{ print $6 }')"
		clone="$clone $(run_dpmirror X0 | awk '{ print $6 }')"
	done
	echo "$size $(echo "$copy" | median) $(echo "$clone" | median)" |
		awk '{ printf "%-10s %10.1f %10.1f   %s\n", $1 " B", $2, $3, ($2 <= $3 ? "copy" : "clone") }'
done
echo "(dpmirror copies frames up to [dpmirror] copy_max bytes, default 256, and clones longer ones: a header mbuf chained to the original)"

# ---- the kernel path against dpmirror on af_packet, same veths ----
if [ "$(id -u)" -ne 0 ] || ! command -v iperf3 >/dev/null; then
	echo
	echo "kernel path vs dpmirror: skipped (needs root and iperf3)"
	exit 0
fi
CTL=$top/$BUILD_DIR/dpmirrorctl
P=bk$(printf %04d $((RANDOM % 10000)))
iperf_pid=
kcleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=
	# timeout passes the signal on to its iperf3 server.
	[ -n "$iperf_pid" ] && kill "$iperf_pid" 2>/dev/null &&
		wait "$iperf_pid" 2>/dev/null
	"$CTL" playground down --prefix "$P" >/dev/null 2>&1
	cleanup
}
trap kcleanup EXIT

vx_rx() { ip netns exec "$P-h2" cat /sys/class/net/vxlan0/statistics/rx_packets; }
flood() { # prints the packets per second the client sent
	iperf3 -c 198.18.0.2 -u -b 0 -l 64 -t 3 -J 2>/dev/null |
		"$PY" -c 'import json, sys
j = json.load(sys.stdin).get("end", {}).get("sum")
print(round(j["packets"] / j["seconds"]) if j and j["seconds"] else 0)'
}

echo
echo "kernel path vs dpmirror on net_af_packet: iperf3 UDP (64 B payload, 3 s) from the host to h1, mirrored to h2"
"$CTL" playground up --prefix "$P" >/dev/null || exit 1
ip netns exec "$P-h1" timeout 60 iperf3 -s -B 198.18.0.2 >/dev/null 2>&1 &
iperf_pid=$!
sleep 0.5
"$CTL" kernel add --netns "$P-h1" --dev eth0 --direction ingress \
	--remote 198.18.1.3 --local 198.18.1.2 --vni 100 --underlay eth1 \
	>/dev/null || exit 1
a=$(vx_rx)
sent=$(flood)
b=$(vx_rx)
"$CTL" kernel del --netns "$P-h1" --dev eth0 >/dev/null
printf '  %-34s offered %8s pps, mirrored %8s pps\n' \
	"kernel tc + mirred + vxlan:" "$sent" "$(((b - a) / 3))"

"$CTL" playground up --prefix "$P" --inline >/dev/null || exit 1
{
	echo "[port h1]"
	echo "device = net_af_packet0,iface=$P-h1e0"
	echo "peer = br"
	echo "[port br]"
	echo "device = net_af_packet1,iface=$P-dpb"
	echo "peer = h1"
	echo "[port out]"
	echo "device = net_af_packet2,iface=$P-out"
	echo "mtu = 1600"
	echo "[collector h2]"
	echo "port = out"
	echo "remote_ip = 198.18.1.3"
	echo "local_ip = 198.18.1.10"
	echo "remote_mac = 02:00:00:00:01:03"
	echo "vni = 100"
	echo "[session to-h1]"
	echo "sources = br:rx"
	echo "collector = h2"
} >"$work/K.ini"
hp_ensure || exit 1
"$top/$BUILD_DIR/dpmirror" "${EAL[@]}" --file-prefix "bench-k-$$" \
	-- -c "$work/K.ini" --stats-json "$work/k.json" >"$work/k.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	grep -q '^dpmirror: .* worker(s)' "$work/k.log" && break
	sleep 0.1
done
sleep 1
a=$(vx_rx)
sent=$(flood)
b=$(vx_rx)
kill -TERM "$pid"
wait "$pid"
pid=
printf '  %-34s offered %8s pps, mirrored %8s pps\n' \
	"dpmirror inline on af_packet:" "$sent" "$(((b - a) / 3))"
echo "  (2 cores shared by iperf3, the kernel and dpmirror's polling worker: compare with care)"
