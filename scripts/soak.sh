#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The soak test (as root; not run in CI):
#
#   scripts/soak.sh [MINUTES]        (default 10)
#
# One dpmirror process runs for MINUTES at full speed, inline: a net_pcap
# port replaying (infinite_rx) a capture of mixed IPv4/IPv6 TCP/UDP/ICMP
# flows of many sizes (some longer than copy_max, so copies are clones) is
# forwarded to a net_null port, and five sessions copy it:
#
#   all    mirror everything          -> cnull  (net_null: a healthy collector)
#   filt   [filter] rule lines        -> cstall (net_af_packet over a veth)
#   samp   sample = 4                 -> cnull
#   snap   snaplen = 128              -> cpool  (net_virtio_user to a testpmd)
#   rate   rate = 20M (far below the offered rate) -> cnull
#
# Faults come from outside the process, once a minute each:
#
#   stall  (s 15-20 of every minute) the dpmirror side of cstall's veth is
#          set down: DPDK's af_packet tx returns short when poll() reports
#          POLLERR on a down link, so session filt must count tx_full while
#          the link is down, and mirror again once it is up.
#   pool   (s 35-40 of every minute) the testpmd behind cpool (net_vhost,
#          rxonly) is SIGSTOPped: the virtio ring stops draining and holds
#          dpmirror's copies, out of the small mirror pool (1024 mbufs; the
#          virtio device could hold 1024).  Session snap must count the
#          copies refused (tx_full) or left without an mbuf (no_mbuf), the
#          healthy collector's session all must keep getting copies all
#          along (dpmirror sizes copy queues so that a stalled collector
#          holds at most its share of the pool), and after SIGCONT session
#          snap must mirror again.
#   rate   always on: session rate's rate_limited grows every minute and its
#          mirrored bytes stay under the cap.
#
# A fault that does not bite is a failure of the soak, not a pass.
#
# Every second the script sends SIGUSR1 (once /proc/PID/status shows it is
# caught), waits for --stats-json to be replaced (a new inode) and checks
# the snapshot:
#   - no counter (per port, per session and drop reason, per worker) is
#     lower than in the previous snapshot;
#   - per session: mirrored + sum(dropped) <= matched;
#   - the inline pair: 0 <= in.rx_packets - (fwd.fwd_packets +
#     fwd.fwd_dropped + in.rx_invalid + in.own_copies) <= burst * workers.  A worker adds a
#     burst to rx_packets when it receives it and its outcome (forwarded or
#     dropped) after the tx burst, and the snapshot loads outcomes before
#     inputs (dp_stats.h), so at most the one burst a worker is in the middle
#     of is in flight;
#   - what snapshot k counted as received or matched is accounted for
#     (forwarded / dropped / invalid, mirrored / dropped) in snapshot k+1,
#     but for at most one burst per worker;
#   - the rate cap holds: rate's mirrored_bytes <= rate/8 * duration + the
#     meter's burst size.
# At the end dpmirror is stopped with SIGINT and its final JSON must hold
# exactly: matched = mirrored + sum(dropped) per session, in.rx_packets =
# fwd.fwd_packets + fwd.fwd_dropped + in.rx_invalid + in.own_copies, no
# original lost (fwd_dropped, rx_invalid and own_copies 0: net_null takes
# everything, net_pcap gives sane mbufs, no copy comes back), per collector
# port mirror_packets = the sum of its sessions' mirrored.  One summary line; exit 0 on pass, 1 on any violation.
#
# Everything it creates carries the prefix sk<4 digits>: a network
# namespace, a veth pair, the DPDK file prefixes (runtime directories and
# hugepage files); it reserves 2 MB hugepages (and mounts hugetlbfs on
# /dev/hugepages) only when needed, and undoes all of it on exit, also on
# Ctrl-C.  No traffic leaves the machine; addresses are 198.18.0.0/15 (and
# 2001:2::/48, its IPv6 counterpart, inside the capture only).
#
# Environment: DPMIRROR (default build/dpmirror), SOAK_KEEP=1 (keep the work
# directory); for investigation only, SOAK_MIRROR_POOL (default 1024) and
# SOAK_VIRTIO_QSIZE (cpool's queue_size, default 1024).
set -uo pipefail

MINUTES=${1:-10}
if ! [[ "$MINUTES" =~ ^[0-9]+$ ]] || [ "$MINUTES" -lt 1 ] ||
	[ "$MINUTES" -gt 1440 ]; then
	echo "usage: $0 [MINUTES]   (1..1440, default 10)" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "soak: needs root (veth, netns, hugepages)" >&2
	exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
DPMIRROR=${DPMIRROR:-$top/build/dpmirror}
PY=/usr/bin/python3
if ! [ -x "$DPMIRROR" ]; then
	echo "soak: no dpmirror at $DPMIRROR: build it (meson setup build &&" \
		"ninja -C build) or set DPMIRROR" >&2
	exit 2
fi
for t in dpdk-testpmd ip sysctl mount "$PY"; do
	if ! command -v "$t" >/dev/null; then
		echo "soak: $t is missing (scripts/bootstrap.sh installs it)" >&2
		exit 2
	fi
done
if ! "$PY" -c 'import scapy.all' >/dev/null 2>&1; then
	echo "soak: scapy for $PY is missing (scripts/bootstrap.sh)" >&2
	exit 2
fi

# What exists whose name starts with $1: network namespaces, links, EAL
# runtime directories, hugepage files.
objects_named() {
	{
		ip netns list | awk '{print $1}'
		ip -br link | awk '{print $1}' | sed 's/@.*//'
		ls /var/run/dpdk 2>/dev/null
		awk '$3 == "hugetlbfs" {print $2}' /proc/mounts |
			while read -r d; do ls "$d" 2>/dev/null; done
	} | grep "^$1" | tr '\n' ' '
}

# Names: everything this run creates starts with $ID, a name nothing has.
ID=
for _ in $(seq 1 20); do
	ID=sk$(printf %04d $((RANDOM % 10000)))
	[ -z "$(objects_named "$ID")" ] && break
	ID=
done
if [ -z "$ID" ]; then
	echo "soak: no free sk<4 digits> name found" >&2
	exit 1
fi
NS=$ID                  # the collector's network namespace
VA=${ID}a               # veth end dpmirror sends on (root namespace)
VB=${ID}b               # veth end in $NS
DP_PREFIX=${ID}dp       # EAL file prefixes
TP_PREFIX=${ID}tp
HUGE_NEED=320           # 2 MB pages: dpmirror -m 256, testpmd -m 128 (+slack)
BURST=32
MIRROR_POOL=${SOAK_MIRROR_POOL:-1024} # default: the validator's minimum
QSIZE=${SOAK_VIRTIO_QSIZE:-1024}
RATE_BPS=20000000       # session rate's cap, 20M

work=$(mktemp -d /tmp/sk-soak.XXXXXX)
export DPMIRROR_RUNDIR=$work/run # dpmirror's port locks, not /run/dpmirror
dp_pid=
tp_pid=
huge_before=
huge_set=
huge_mounted=
huge_mkdir=
hugedir=

log() { echo "soak: $*"; }

# stop PID SIGNAL SECONDS: signal it, wait (bounded) for it to go; SIGKILL
# if it does not.  Returns 0 when it went by itself.
stop_pid() {
	local pid=$1 sig=$2 secs=$3 i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -"$sig" "$pid" 2>/dev/null
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		# A zombie child has exited: reap it.
		if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then
			wait "$pid" 2>/dev/null
			return 0
		fi
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 1
}

# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	# Whatever the monitor was doing: testpmd running, the link up, so
	# that dpmirror's virtio-user teardown gets its answers.
	[ -n "$tp_pid" ] && kill -CONT "$tp_pid" 2>/dev/null
	ip link set "$VA" up 2>/dev/null
	stop_pid "$dp_pid" INT 30 || log "dpmirror did not stop within 30 s: killed"
	dp_pid=
	stop_pid "$tp_pid" INT 15 || log "testpmd did not stop within 15 s: killed"
	tp_pid=
	ip netns del "$NS" 2>/dev/null
	ip link del "$VA" 2>/dev/null
	rm -rf /var/run/dpdk/"$DP_PREFIX" /var/run/dpdk/"$TP_PREFIX"
	[ -n "$hugedir" ] && rm -f "$hugedir/$DP_PREFIX"map_* "$hugedir/$TP_PREFIX"map_*
	if [ -n "$huge_set" ]; then
		local now
		now=$(sysctl -n vm.nr_hugepages)
		if [ "$now" = "$huge_set" ]; then
			sysctl -qw vm.nr_hugepages="$huge_before"
		else
			log "vm.nr_hugepages is $now, not the $huge_set set here:" \
				"someone else changed it meanwhile; left as is" \
				"(it was $huge_before before)"
		fi
	fi
	if [ -n "$huge_mounted" ] && ! umount /dev/hugepages 2>/dev/null; then
		log "cannot unmount the hugetlbfs mounted on /dev/hugepages" \
			"(in use by another process?); left mounted"
	elif [ -n "$huge_mkdir" ]; then
		rmdir /dev/hugepages 2>/dev/null
	fi
	# Say so if anything of this run is left.
	local left
	left=$(objects_named "$ID")
	[ -n "$left" ] && log "warning: left behind: $left"
	if [ -n "${SOAK_KEEP:-}" ]; then
		log "kept $work"
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- the capture: mixed flows, sizes 60..1900 (some > copy_max) ----
"$PY" - "$work/in.pcap" <<'EOF' || exit 1
import random, sys
from scapy.all import (ARP, ICMP, IP, TCP, UDP, Ether, ICMPv6EchoRequest,
                       IPv6, Raw, wrpcap)
rnd = random.Random(20240601)
sizes = [60, 64, 128, 256, 512, 1024, 1400, 1514, 1600, 1800, 1900]
frames = []
for i in range(640):
    size, f, kind = sizes[i % len(sizes)], i % 16, i % 8
    eth = Ether(src="02:00:00:00:00:%02x" % (f + 1),
                dst="02:00:00:00:01:%02x" % (f + 1))
    v4 = lambda s, d: IP(src="198.18.%s" % s, dst="198.18.%s" % d)
    v6 = IPv6(src="2001:2::%x" % (10 + f), dst="2001:2:0:1::%x" % (100 + f))
    if kind in (0, 1):      # web: filt takes these
        p = eth / v4("0.%d" % (10 + f), "0.%d" % (100 + f)) / \
            TCP(sport=40000 + f, dport=(80, 443)[kind], flags="PA", seq=i)
    elif kind == 2:
        p = eth / v4("2.%d" % (10 + f), "0.%d" % (100 + f)) / \
            UDP(sport=5000 + f, dport=9000)
    elif kind == 3:
        p = eth / v4("0.%d" % (10 + f), "2.%d" % (100 + f)) / ICMP(id=f, seq=i)
    elif kind == 4:
        p = eth / v6 / TCP(sport=41000 + f, dport=443, flags="PA")
    elif kind == 5:
        p = eth / v6 / UDP(sport=6000 + f, dport=4500)
    elif kind == 6:
        p = eth / v6 / ICMPv6EchoRequest(id=f, seq=i)
    else:
        p = eth / v4("1.%d" % (10 + f), "0.%d" % (100 + f)) / \
            UDP(sport=7000 + f, dport=9999)
    if size > len(p):
        p = p / Raw(bytes(rnd.getrandbits(8) for _ in range(size - len(p))))
    frames.append(p)
frames.append(Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff") /
              ARP(psrc="198.18.0.10", pdst="198.18.0.100"))
wrpcap(sys.argv[1], frames)
EOF

# ---- hugepages (virtio-user and vhost-user share memory through them) ----
hugedir=$(awk '$3 == "hugetlbfs" && $4 !~ /pagesize=1G/ {print $2; exit}' /proc/mounts)
if [ -z "$hugedir" ]; then
	if ! [ -d /dev/hugepages ]; then
		mkdir /dev/hugepages && huge_mkdir=1
	fi
	mount -t hugetlbfs nodev /dev/hugepages || {
		log "cannot mount hugetlbfs on /dev/hugepages"
		exit 1
	}
	huge_mounted=1
	hugedir=/dev/hugepages
fi
# Free and not reserved by a process that has mapped but not touched them.
huge_avail() { awk '/^HugePages_Free:/ {f = $2} /^HugePages_Rsvd:/ {r = $2}
	END {print f - r}' /proc/meminfo; }
huge_free=$(huge_avail)
if [ "$huge_free" -lt "$HUGE_NEED" ]; then
	huge_before=$(sysctl -n vm.nr_hugepages)
	sysctl -qw vm.nr_hugepages=$((huge_before + HUGE_NEED - huge_free))
	# What the kernel could give: restored at exit if still so.
	huge_set=$(sysctl -n vm.nr_hugepages)
	huge_free=$(huge_avail)
	if [ "$huge_free" -lt "$HUGE_NEED" ]; then
		log "only $huge_free free 2 MB hugepages with vm.nr_hugepages" \
			"= $huge_set; need $HUGE_NEED"
		exit 1
	fi
fi

# ---- the stalled collector's veth: $VA here, $VB in $NS ----
if ! { ip netns add "$NS" &&
	ip link add "$VA" mtu 2000 address 02:00:00:00:03:0a type veth \
		peer name "$VB" mtu 2000 address 02:00:00:00:03:03 &&
	ip link set "$VB" netns "$NS" &&
	sysctl -qw "net.ipv6.conf.$VA.disable_ipv6=1" &&
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$VB.disable_ipv6=1" &&
	ip link set "$VA" up &&
	ip -n "$NS" link set "$VB" up; }; then
	log "cannot set up namespace $NS and veth $VA/$VB"
	exit 1
fi

# ---- the vhost-user peer: testpmd, rxonly; its forwarding lcore is 0 ----
dpdk-testpmd -l 0,1 --main-lcore 1 --file-prefix "$TP_PREFIX" -m 128 \
	--huge-dir "$hugedir" --single-file-segments --no-pci \
	--log-level '*:warning' \
	--vdev "net_vhost0,iface=$work/vh.sock,client=0" \
	-- --forward-mode=rxonly --auto-start --stats-period 3600 \
	--total-num-mbufs=4096 --no-mlockall </dev/null >"$work/testpmd.log" 2>&1 &
tp_pid=$!
for _ in $(seq 1 150); do
	[ -S "$work/vh.sock" ] && break
	kill -0 "$tp_pid" 2>/dev/null || break
	sleep 0.1
done
if ! [ -S "$work/vh.sock" ]; then
	log "testpmd did not create $work/vh.sock:"
	tail -n 20 "$work/testpmd.log"
	exit 1
fi

# ---- dpmirror ----
cat >"$work/soak.ini" <<EOF
[dpmirror]
mode = inline
burst = $BURST
mirror_pool = $MIRROR_POOL
stats_interval = 0

[port in]
device = net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1
peer = fwd
[port fwd]
device = net_null0,no-rx=1
[port nul]
device = net_null1,no-rx=1
mtu = 9000
tx_multiseg = yes
[port stl]
device = net_af_packet0,iface=$VA
mtu = 2000
[port vio]
device = net_virtio_user0,path=$work/vh.sock,queue_size=$QSIZE
mtu = 2000

[collector cnull]
port = nul
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
vni = 100
[collector cstall]
port = stl
remote_ip = 198.18.3.3
local_ip = 198.18.3.10
remote_mac = 02:00:00:00:03:03
vni = 200
[collector cpool]
port = vio
remote_ip = 198.18.4.3
local_ip = 198.18.4.10
remote_mac = 02:00:00:00:04:03
vni = 300

[session all]
sources = in:rx
collector = cnull
[session filt]
sources = in:rx
collector = cstall
filter = web
[session samp]
sources = in:rx
collector = cnull
sample = 4
[session snap]
sources = in:rx
collector = cpool
snaplen = 128
[session rate]
sources = in:rx
collector = cnull
rate = $RATE_BPS

[filter web]
rule 10 = accept proto tcp dst 198.18.0.0/24 dport 80-443
rule 20 = accept proto tcp dst 2001:2::/48 dport 443
rule 30 = accept proto icmp
rule 40 = reject src 198.18.1.0/24
rule 50 = accept proto udp src 2001:2::/48
default = reject
EOF
mkdir -p "$DPMIRROR_RUNDIR"
"$DPMIRROR" -l 0,1 --file-prefix "$DP_PREFIX" -m 256 --huge-dir "$hugedir" \
	--single-file-segments --no-pci --log-level '*:notice' \
	-- -c "$work/soak.ini" --stats-json "$work/stats.json" \
	--stats-interval 0 >"$work/dpmirror.log" 2>&1 &
dp_pid=$!
started=
for _ in $(seq 1 300); do
	if grep -q '^dpmirror: .* worker(s)' "$work/dpmirror.log"; then
		started=1
		break
	fi
	kill -0 "$dp_pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$started" ]; then
	log "dpmirror did not start:"
	tail -n 30 "$work/dpmirror.log"
	exit 1
fi
# SIGUSR1 before the handler is installed would kill it (bit 10 of SigCgt).
catches_usr1() {
	local mask
	mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null) ||
		return 1
	[ -n "$mask" ] && (((16#$mask >> 9) & 1))
}
for _ in $(seq 1 100); do
	catches_usr1 "$dp_pid" && break
	sleep 0.1
done
if ! catches_usr1 "$dp_pid"; then
	log "dpmirror does not catch SIGUSR1 (SigCgt); cannot take snapshots"
	exit 1
fi
workers=$(sed -n 's/^dpmirror: .*, \([0-9]*\) worker(s).*/\1/p' "$work/dpmirror.log")
log "$MINUTES min: dpmirror $dp_pid (prefix $DP_PREFIX), testpmd $tp_pid" \
	"(prefix $TP_PREFIX), netns $NS, veth $VA; work $work"

# ---- the monitor: snapshots, checks, the fault schedule ----
cat >"$work/soak.py" <<'EOF'
import json, os, signal, subprocess, sys, time

(mode, state_path) = sys.argv[1:3]
P = dict(a.split("=", 1) for a in sys.argv[3:])
DP = int(P["dp"])
TP = int(P["tp"])
STATS = P["stats"]
VETH = P["veth"]
BURST = int(P["burst"])
WORKERS = max(1, int(P["workers"] or 1))
TOL = BURST * WORKERS            # packets one burst per worker may hold
RATE = int(P["rate"])            # bits/s of session rate
# rte_meter srTCM committed burst size dpmirror configures per worker
# (ctl_ruleset.c): max(cir / 20, 2 * 9100) bytes, cir = rate / 8 / workers.
CBS = max(RATE // 8 // WORKERS // 20, 2 * 9100) * WORKERS

IN, FWD, COLL_PORT = "in", "fwd", {"nul": ("all", "samp", "rate"),
                                   "stl": ("filt",), "vio": ("snap",)}
STALL_S, POOL_S, RATE_S, ALL_S = "filt", "snap", "rate", "all"
MAX_SHOWN = 25


def fmt(x):
    x = float(x)
    if abs(x) < 1000:
        return "%d" % x
    m, e = ("%.1e" % x).split("e")
    return "%se%d" % (m, int(e))


class Soak:
    def __init__(self):
        self.violations = 0
        self.shown = []
        self.snaps = 0
        self.prev = None
        self.prev_flat = None
        self.events = {"stall": [], "pool": []}
        self.max_gap = 0
        self.max_sess_gap = 0

    def bad(self, msg):
        self.violations += 1
        if len(self.shown) < MAX_SHOWN:
            self.shown.append(msg)
            print("soak: VIOLATION: " + msg, flush=True)
        elif len(self.shown) == MAX_SHOWN:
            self.shown.append("(more violations not shown)")
            print("soak: (further violations counted, not shown)", flush=True)

    def dump(self):
        st = {k: getattr(self, k) for k in
              ("violations", "shown", "snaps", "prev", "events",
               "max_gap", "max_sess_gap")}
        with open(state_path + ".tmp", "w") as f:
            json.dump(st, f)
        os.replace(state_path + ".tmp", state_path)

    @classmethod
    def load(cls):
        s = cls()
        with open(state_path) as f:
            for k, v in json.load(f).items():
                setattr(s, k, v)
        s.prev_flat = flatten(s.prev) if s.prev else None
        return s


def flatten(s):
    out = {"duration_s": s["duration_s"]}
    for p, c in s["ports"].items():
        for k, v in c.items():
            out["port %s %s" % (p, k)] = v
    for n, c in s["sessions"].items():
        for k, v in c.items():
            if k == "dropped":
                for r, x in v.items():
                    out["session %s dropped.%s" % (n, r)] = x
            else:
                out["session %s %s" % (n, k)] = v
    for w in s["workers"]:
        for k, v in w.items():
            if k != "lcore":
                out["worker %s %s" % (w["lcore"], k)] = v
    return out


def dropped(s, n):
    return sum(s["sessions"][n]["dropped"].values())


def fwd_out(s):
    return (s["ports"][FWD]["fwd_packets"] + s["ports"][FWD]["fwd_dropped"] +
            s["ports"][IN].get("rx_invalid", 0) +
            s["ports"][IN].get("own_copies", 0))


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def check(soak, s, final=False):
    """The invariants of one snapshot, and against the one before."""
    where = "final" if final else "snapshot %d (t=%.1f s)" % (
        soak.snaps, s["duration_s"])
    flat = flatten(s)
    prev = soak.prev
    if soak.prev_flat is not None:
        for k, v in soak.prev_flat.items():
            if k not in flat:
                soak.bad("%s: %s disappeared" % (where, k))
            elif flat[k] < v:
                soak.bad("%s: %s fell from %d to %d" % (where, k, v, flat[k]))
    # Per session: never more outcomes than matches.
    for n, c in s["sessions"].items():
        out = c["mirrored"] + dropped(s, n)
        if final:
            if out != c["matched"]:
                soak.bad("%s: session %s matched %d != mirrored %d + dropped"
                         " %d (%s)" % (where, n, c["matched"], c["mirrored"],
                                       dropped(s, n), c["dropped"]))
        elif out > c["matched"]:
            soak.bad("%s: session %s mirrored %d + dropped %d > matched %d"
                     % (where, n, c["mirrored"], dropped(s, n), c["matched"]))
        else:
            soak.max_sess_gap = max(soak.max_sess_gap, c["matched"] - out)
        # What the previous snapshot counted as matched is resolved now.
        if prev is not None and not final and \
                out < prev["sessions"][n]["matched"] - TOL:
            soak.bad("%s: session %s: mirrored + dropped %d, still short of"
                     " the %d matched one snapshot (%.1f s) before by more"
                     " than %d" % (where, n, out,
                                   prev["sessions"][n]["matched"],
                                   s["duration_s"] - prev["duration_s"], TOL))
    # The inline pair: received = forwarded + dropped + invalid + own
    # copies come back.
    rx, out = s["ports"][IN]["rx_packets"], fwd_out(s)
    gap = rx - out
    if final:
        if gap != 0:
            soak.bad("%s: in.rx_packets %d != fwd.fwd_packets %d + "
                     "fwd.fwd_dropped %d + in.rx_invalid %d" %
                     (where, rx, s["ports"][FWD]["fwd_packets"],
                      s["ports"][FWD]["fwd_dropped"],
                      s["ports"][IN].get("rx_invalid", 0)))
    elif gap < 0 or gap > TOL:
        soak.bad("%s: in.rx_packets %d - (fwd + fwd_dropped + rx_invalid) %d"
                 " = %d, outside [0, %d]" % (where, rx, out, gap, TOL))
    soak.max_gap = max(soak.max_gap, gap)
    if prev is not None and not final and \
            out < prev["ports"][IN]["rx_packets"] - TOL:
        soak.bad("%s: forwarded + dropped + invalid %d, still short of the "
                 "%d received one snapshot before by more than %d" %
                 (where, out, prev["ports"][IN]["rx_packets"], TOL))
    # Workers count a burst before the port does, and are read after it.
    wp = sum(w["packets"] for w in s["workers"])
    if wp < rx or (final and wp != rx):
        soak.bad("%s: workers' packets %d %s in.rx_packets %d" %
                 (where, wp, "!=" if final else "<", rx))
    # Originals: net_null takes every packet, net_pcap's mbufs are sane.
    for k, p in (("fwd_dropped", FWD), ("rx_invalid", IN),
                 ("own_copies", IN)):
        v = s["ports"][p].get(k, 0)
        if v and (prev is None or v > prev["ports"][p].get(k, 0)):
            soak.bad("%s: %s.%s = %d: originals lost" % (where, p, k, v))
    # The rate cap holds.
    r = s["sessions"][RATE_S]
    cap = RATE / 8 * s["duration_s"] * 1.01 + CBS
    if r["mirrored_bytes"] > cap:
        soak.bad("%s: session %s mirrored %d bytes in %.1f s, over its cap "
                 "(%d bytes incl. the meter's burst)" %
                 (where, RATE_S, r["mirrored_bytes"], s["duration_s"], cap))
    if final:
        for port, sess in COLL_PORT.items():
            m = sum(s["sessions"][n]["mirrored"] for n in sess)
            if s["ports"][port]["mirror_packets"] != m:
                soak.bad("%s: port %s mirror_packets %d != its sessions' "
                         "mirrored %d" % (where, port,
                                          s["ports"][port]["mirror_packets"],
                                          m))
    soak.prev, soak.prev_flat = s, flat


def take(soak, timeout=15.0):
    """SIGUSR1, wait until the JSON file is replaced, read it."""
    try:
        fd = os.open(STATS, os.O_RDONLY)   # keeps the old inode in use
        old = os.fstat(fd).st_ino
    except FileNotFoundError:
        fd, old = None, None
    try:
        try:
            os.kill(DP, signal.SIGUSR1)
        except ProcessLookupError:
            return None, "dpmirror exited"
        end = time.monotonic() + timeout
        while True:
            try:
                if os.stat(STATS).st_ino != old:
                    break
            except FileNotFoundError:
                pass
            if not alive(DP):
                return None, "dpmirror exited"
            if time.monotonic() > end:
                return None, "no new --stats-json %.0f s after SIGUSR1" % timeout
            time.sleep(0.01)
    finally:
        if fd is not None:
            os.close(fd)
    with open(STATS) as f:
        s = json.load(f)
    soak.snaps += 1
    return s, None


def sess(s, n, k):
    c = s["sessions"][n]
    return c[k] if k in c else c["dropped"][k]


def link(up):
    subprocess.run(["ip", "link", "set", VETH, "up" if up else "down"],
                   check=True, timeout=20)


def monitor(minutes):
    soak = Soak()
    n_ticks = minutes * 60
    # Per minute m (tick 60m+...): the stall at 15-20, the pool at 35-40;
    # recovery measured from +3 s to +8 s after each.  Events that would
    # not end 10 s before the end of the run are not started.
    plan = {}
    for m in range(minutes):
        for kind, t0 in (("stall", 15), ("pool", 35)):
            t = 60 * m + t0
            if t + 15 <= n_ticks:
                plan.setdefault(t - 5, []).append((kind, "H"))
                plan.setdefault(t, []).append((kind, "start"))
                plan.setdefault(t + 5, []).append((kind, "end"))
                plan.setdefault(t + 8, []).append((kind, "C"))
                plan.setdefault(t + 13, []).append((kind, "D"))
    open_ev = {}
    healthy = {}
    minute_start = None
    t0 = time.monotonic()
    misses = 0
    try:
        for tick in range(n_ticks + 1):
            delay = t0 + tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -120:
                soak.bad("snapshots fell %.0f s behind the schedule at tick "
                         "%d: giving up" % (-delay, tick))
                break
            s, err = take(soak)
            if s is None:
                if not alive(DP):
                    soak.bad("dpmirror exited during the run (tick %d)" % tick)
                    break
                misses += 1
                soak.bad("tick %d: %s" % (tick, err))
                # A fault ends on time even without its snapshot (the event
                # is then not judged); none starts.
                for kind, what in plan.get(tick, []):
                    if what == "end" and open_ev.pop(kind, None) is not None:
                        if kind == "stall":
                            link(True)
                        else:
                            os.kill(TP, signal.SIGCONT)
                if misses >= 5:
                    soak.bad("dpmirror stopped answering SIGUSR1: giving up")
                    break
                continue
            check(soak, s)
            for kind, what in plan.get(tick, []):
                n = STALL_S if kind == "stall" else POOL_S
                if what == "H":
                    healthy[kind] = sess(s, n, "mirrored")
                    continue
                if what == "start":
                    h = healthy.pop(kind, None)
                    if h is not None and sess(s, n, "mirrored") <= h:
                        soak.bad("%s at t=%.0f s: session %s mirrored "
                                 "nothing in the 5 s before the fault, its "
                                 "collector healthy (mirrored %d; no_mbuf "
                                 "%d, tx_full %d)" %
                                 (kind, s["duration_s"], n, h,
                                  sess(s, n, "no_mbuf"),
                                  sess(s, n, "tx_full")))
                    ev = {"t": s["duration_s"],
                          "a": {"tx_full": sess(s, n, "tx_full"),
                                "no_mbuf": sum(sess(s, x, "no_mbuf")
                                               for x in s["sessions"]),
                                "mirrored": sess(s, n, "mirrored"),
                                "healthy": sess(s, ALL_S, "mirrored")}}
                    open_ev[kind] = ev
                    if kind == "stall":
                        link(False)
                    else:
                        os.kill(TP, signal.SIGSTOP)
                    continue
                ev = open_ev.get(kind)
                if ev is None:
                    continue
                if what == "end":
                    ev["b"] = {"tx_full": sess(s, n, "tx_full"),
                               "no_mbuf": sum(sess(s, x, "no_mbuf")
                                              for x in s["sessions"]),
                               "mirrored": sess(s, n, "mirrored"),
                               "healthy": sess(s, ALL_S, "mirrored")}
                    if kind == "stall":
                        link(True)
                    else:
                        os.kill(TP, signal.SIGCONT)
                elif what == "C":
                    ev["c"] = {"mirrored": sess(s, n, "mirrored"),
                               "tx_full": sess(s, n, "tx_full"),
                               "no_mbuf": sess(s, n, "no_mbuf"),
                               "all": {x: sess(s, x, "mirrored")
                                       for x in s["sessions"]}}
                elif what == "D":
                    ev["d"] = {"mirrored": sess(s, n, "mirrored"),
                               "tx_full": sess(s, n, "tx_full"),
                               "no_mbuf": sess(s, n, "no_mbuf"),
                               "all": {x: sess(s, x, "mirrored")
                                       for x in s["sessions"]}}
                    judge(soak, kind, n, ev)
                    soak.events[kind].append(ev["verdict"])
                    del open_ev[kind]
            if tick % 60 == 0:
                if minute_start is not None:
                    progress(soak, minute_start, s, tick // 60, minutes)
                minute_start = s
            soak.dump()
    finally:
        # Never leave a fault on: testpmd running, the link up.
        try:
            os.kill(TP, signal.SIGCONT)
        except OSError:
            pass
        try:
            link(True)
        except Exception:
            pass
        soak.dump()
    return soak


def judge(soak, kind, n, ev):
    a, b, c, d = ev["a"], ev["b"], ev["c"], ev["d"]
    at = "%s at t=%.0f s" % (kind, ev["t"])
    v = {"t": ev["t"], "bit": True, "recovered": True}
    if kind == "stall":
        grew = b["tx_full"] - a["tx_full"]
        v["grew"] = grew
        if grew <= 0:
            v["bit"] = False
            soak.bad("%s: session %s's tx_full did not grow while %s was "
                     "down (%d -> %d): the fault did not bite" %
                     (at, n, VETH, a["tx_full"], b["tx_full"]))
    else:
        # The stopped peer's ring fills with copies: they are held there,
        # the rest are refused (tx_full) or find no mbuf (no_mbuf).  The
        # ring holds at most its share of the mirror pool, so the healthy
        # collector's session must keep getting copies all along.
        v["tx_full"] = b["tx_full"] - a["tx_full"]
        v["no_mbuf"] = b["no_mbuf"] - a["no_mbuf"]
        grew = v["tx_full"] + v["no_mbuf"]
        v["grew"] = grew
        if grew <= 0:
            v["bit"] = False
            soak.bad("%s: neither session %s's tx_full nor no_mbuf grew "
                     "while testpmd was stopped: the fault did not bite" %
                     (at, n))
        if b["healthy"] <= a["healthy"]:
            v["bit"] = False
            soak.bad("%s: session %s (a healthy collector) mirrored "
                     "nothing while testpmd was stopped: the stalled "
                     "collector starved the mirror pool (no_mbuf +%d)" %
                     (at, ALL_S, v["no_mbuf"]))
    v["after"] = d["mirrored"] - c["mirrored"]
    v["after_tx_full"] = d["tx_full"] - c["tx_full"]
    v["after_no_mbuf"] = d["no_mbuf"] - c["no_mbuf"]
    if d["mirrored"] <= c["mirrored"]:
        v["recovered"] = False
        idle = sorted(x for x in d["all"] if d["all"][x] <= c["all"][x])
        soak.bad("%s: session %s did not recover: mirrored %d -> %d from 3 "
                 "to 8 s after the fault ended (tx_full +%d, no_mbuf +%d);"
                 " sessions not mirroring at all then: %s" %
                 (at, n, c["mirrored"], d["mirrored"], v["after_tx_full"],
                  v["after_no_mbuf"], ", ".join(idle) or "none"))
    ev["verdict"] = v


def progress(soak, a, b, m, minutes):
    dt = max(b["duration_s"] - a["duration_s"], 1e-9)
    rx = b["ports"][IN]["rx_packets"] - a["ports"][IN]["rx_packets"]
    mir = sum(b["sessions"][x]["mirrored"] - a["sessions"][x]["mirrored"]
              for x in b["sessions"])
    rl = sess(b, RATE_S, "rate_limited") - sess(a, RATE_S, "rate_limited")
    if rl <= 0:
        soak.bad("minute %d: session %s's rate_limited did not grow (%d)" %
                 (m, RATE_S, sess(b, RATE_S, "rate_limited")))
    ev = lambda k: ("%s %s" % ("ok" if soak.events[k][-1]["bit"] and
                               soak.events[k][-1]["recovered"] else "BAD",
                               fmt(soak.events[k][-1]["grew"]))
                    if soak.events[k] else "-")
    print("soak: [%d/%d min] rx %s (%.2f Mpps), mirrored %s, stall %s, "
          "pool %s, rate_limited +%s, violations %d" %
          (m, minutes, fmt(rx), rx / dt / 1e6, fmt(mir), ev("stall"),
           ev("pool"), fmt(rl), soak.violations), flush=True)


def final(minutes, rc, monrc):
    soak = Soak.load()
    if monrc != 0:
        soak.bad("the monitor failed (status %d): see above" % monrc)
    try:
        with open(STATS) as f:
            s = json.load(f)
    except (OSError, ValueError) as e:
        s = None
        soak.bad("final: no final --stats-json (%s)" % e)
    if rc != 0:
        soak.bad("final: dpmirror exited with status %d after SIGINT" % rc)
    if s is not None and soak.prev is not None and \
            s["duration_s"] < soak.prev["duration_s"]:
        soak.bad("final: the final JSON is older than the last snapshot")
        s = None
    if s is not None:
        check(soak, s, final=True)
    for kind in ("stall", "pool"):
        if not soak.events[kind]:
            soak.bad("no %s fault was injected and judged" % kind)
    if s is not None:
        rl = sess(s, RATE_S, "rate_limited")
        if rl <= 0:
            soak.bad("final: session %s's rate_limited is 0: the rate cap "
                     "never bit" % RATE_S)
        dur = s["duration_s"]
        rx = s["ports"][IN]["rx_packets"]
        mir = sum(c["mirrored"] for c in s["sessions"].values())
        lost = rx - s["ports"][FWD]["fwd_packets"]
    else:
        dur = rx = mir = lost = rl = 0
    st = soak.events["stall"]
    po = soak.events["pool"]
    info = []
    if soak.max_gap:
        info.append("largest in-flight gap rx-fwd %d, matched-(mirrored+"
                    "dropped) %d" % (soak.max_gap, soak.max_sess_gap))
    else:
        info.append("largest in-flight gap matched-(mirrored+dropped) %d" %
                    soak.max_sess_gap)
    if any(e["after_tx_full"] for e in st):
        info.append("stall: tx_full still grew 3-8 s after link up in %d of"
                    " %d" % (sum(1 for e in st if e["after_tx_full"]),
                             len(st)))
    if po:
        info.append("pool: while stopped session snap tx_full +%s, "
                    "no_mbuf (all sessions) +%s" %
                    (fmt(sum(e.get("tx_full", 0) for e in po)),
                     fmt(sum(e.get("no_mbuf", 0) for e in po))))
    if s is not None:
        info.append("collectors got: cpool %s of %s (testpmd rx), cstall %s "
                    "of %s (veth rx in the namespace)" %
                    (P.get("tp_rx", "?"), s["ports"]["vio"]["mirror_packets"],
                     P.get("ns_rx", "?"), s["ports"]["stl"]["mirror_packets"]))
    print("soak: " + "; ".join(info))
    verdict = "PASS" if soak.violations == 0 else "FAIL"
    print("soak: %d min, %d snapshots, rx %s (%.1f Mpps), mirrored %s, "
          "fwd_lost %d, faults: stall %dx tx_full +%s, pool %dx held +%s,"
          " rate_limited +%s, violations %d: %s" %
          (minutes, soak.snaps, fmt(rx), rx / dur / 1e6 if dur else 0,
           fmt(mir), lost, len(st), fmt(sum(e["grew"] for e in st)),
           len(po), fmt(sum(e["grew"] for e in po)), fmt(rl),
           soak.violations, verdict), flush=True)
    return 0 if soak.violations == 0 else 1


try:
    if mode == "monitor":
        monitor(int(P["minutes"]))
        sys.exit(0)
    sys.exit(final(int(P["minutes"]), int(P["rc"]), int(P["monrc"])))
except KeyboardInterrupt:
    sys.exit(130)
EOF

args=(dp="$dp_pid" tp="$tp_pid" stats="$work/stats.json" veth="$VA"
	burst="$BURST" workers="$workers" rate="$RATE_BPS" minutes="$MINUTES")
"$PY" "$work/soak.py" monitor "$work/state.json" "${args[@]}"
mon_rc=$?
[ "$mon_rc" -ge 128 ] && exit "$mon_rc"

# ---- stop dpmirror (SIGINT), bounded; then the final checks ----
kill -CONT "$tp_pid" 2>/dev/null
ip link set "$VA" up 2>/dev/null
dp_rc=0
if kill -0 "$dp_pid" 2>/dev/null; then
	kill -INT "$dp_pid"
	for _ in $(seq 1 300); do
		[ "$(awk '{print $3}' "/proc/$dp_pid/stat" 2>/dev/null)" = Z ] && break
		kill -0 "$dp_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ "$(awk '{print $3}' "/proc/$dp_pid/stat" 2>/dev/null)" != Z ] &&
		kill -0 "$dp_pid" 2>/dev/null; then
		log "VIOLATION: dpmirror did not exit within 30 s of SIGINT"
		kill -KILL "$dp_pid" 2>/dev/null
		dp_rc=124
		wait "$dp_pid" 2>/dev/null
	else
		wait "$dp_pid"
		dp_rc=$?
	fi
else
	wait "$dp_pid"
	dp_rc=$?
fi
dp_pid=
if [ "$dp_rc" -ne 0 ]; then
	log "dpmirror's last lines:"
	tail -n 15 "$work/dpmirror.log"
fi
# What the collectors received, for the record: testpmd's rx (it prints its
# totals when it stops) and the namespace's veth.
ns_rx=$(ip netns exec "$NS" cat "/sys/class/net/$VB/statistics/rx_packets" 2>/dev/null)
stop_pid "$tp_pid" INT 15 || log "testpmd did not stop within 15 s: killed"
tp_pid=
tp_rx=$(awk '/RX-total:/ { v = $NF } END { print v }' "$work/testpmd.log")
"$PY" "$work/soak.py" final "$work/state.json" "${args[@]}" rc="$dp_rc" \
	monrc="$mon_rc" tp_rx="${tp_rx:-?}" ns_rx="${ns_rx:-?}"
exit $?
