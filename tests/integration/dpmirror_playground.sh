#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpmirror and the kernel path end to end in the playground, with the Linux
# vxlan device on the far host (h2) as the receiver:
#   a. the seed's experiment with dpmirrorctl alone: kernel mirror of h1's
#      eth0 (ingress, egress, both) to vxlan0, seen on h2's eth1 and vxlan0
#   b. dpmirror inline between h1 and its bridge on net_af_packet ports
#   c. dpmirror in tap mode fed by the span port
#   d. dpmirror inline on net_tap ports
#   e. dpmirror inline on net_virtio_user ports (vhost-user, with a
#      dpdk-testpmd bridging to the veths), when hugepages can be set up
#   f. after each case, no namespace, link or qdisc with the prefix remains
#   g. dpmirror's control thread brings up [playground] and [kernel NAME]
#      from its config and removes them at exit
# Root only (exit 77 otherwise).  Traffic stays in 198.18.0.0/15, in
# namespaces this script makes; every wait is bounded.
set -uo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "dpmirror_playground: skipped, needs root"
	exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
top=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
DPMIRROR=${DPMIRROR:-$top/build/dpmirror}
CTL=${DPMIRRORCTL:-$top/build/dpmirrorctl}
PY=/usr/bin/python3
for t in tcpdump ping "$PY"; do
	if ! command -v "$t" >/dev/null; then
		echo "dpmirror_playground: skipped, $t is missing"
		exit 77
	fi
done

P=pd$(printf %04d $((RANDOM % 10000)))
work=$(mktemp -d /tmp/dpm-pgd.XXXXXX)
# dpmirror's and dpmirrorctl's locks go here, not to /run/dpmirror.
export DPMIRROR_RUNDIR=$work/run
pids=()
# ok, bad, check, summary; lib_huge_reserve / lib_huge_restore
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

snapshot() { # what exists that a test could leave behind
	ip netns list | awk '{print $1}' | sort
	ip -br link | awk '{print $1}' | sed 's/@.*//' | sort
	tc qdisc show | grep -v '^qdisc noqueue' | sort
}

kill_all() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 1 30); do
		local alive=0
		for p in "${pids[@]}"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ $alive -eq 0 ] && break
		sleep 0.1
	done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	pids=()
}

cleanup() {
	kill_all
	ip link del "$P-bra" 2>/dev/null
	"$CTL" playground down --prefix "$P" >/dev/null 2>&1
	# EAL runtime directories: testpmd's, and a killed dpmirror's.
	rm -rf /var/run/dpdk/dpm-"$P"-*
	lib_huge_restore "dpm-$P-"
	[ -n "${DPM_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

before=$(snapshot)

pg_up() {
	if ! "$CTL" playground up --prefix "$P" "$@" >"$work/pg.log" 2>&1; then
		cat "$work/pg.log"
		return 1
	fi
}

pg_down_and_check() { # f.
	local case=$1
	kill_all
	ip link del "$P-bra" 2>/dev/null
	"$CTL" playground down --prefix "$P" >/dev/null 2>&1
	check "$case: nothing with prefix $P left (netns, links, qdiscs)" \
		[ "$(snapshot)" = "$before" ]
}

# capture NAME NETNS IFACE: tcpdump in the background, bounded.
capture() {
	local name=$1 ns=$2 ifc=$3
	if [ -n "$ns" ]; then
		ip netns exec "$ns" timeout 120 tcpdump --immediate-mode -i "$ifc" -U -n -s 0 \
			-w "$work/$name.pcap" >"$work/$name.tcpdump" 2>&1 &
	else
		timeout 120 tcpdump --immediate-mode -i "$ifc" -U -n -s 0 -w "$work/$name.pcap" \
			>"$work/$name.tcpdump" 2>&1 &
	fi
	pids+=($!)
	for _ in $(seq 1 50); do
		grep -q "listening on" "$work/$name.tcpdump" && return 0
		sleep 0.1
	done
	cat "$work/$name.tcpdump"
	return 1
}

stop_captures() {
	sleep 0.5
	local p
	for p in "${pids[@]}"; do
		if grep -qs tcpdump "/proc/$p/cmdline" ||
			grep -qs timeout "/proc/$p/cmdline"; then
			kill -INT "$p" 2>/dev/null
		fi
	done
	sleep 0.5
}

# start_dpmirror NAME CONFIG [EAL options...]
dp_pid=
start_dpmirror() {
	local name=$1 cfg=$2
	shift 2
	"$DPMIRROR" "$@" -l 0,1 --file-prefix "dpm-$P-$name" \
		--log-level '*:notice' -- -c "$cfg" \
		--stats-json "$work/$name.json" --stats-interval 0 \
		>"$work/$name.log" 2>&1 &
	dp_pid=$!
	pids+=($dp_pid)
	lib_wait_started "$work/$name.log" "$dp_pid" && return 0
	echo "dpmirror did not start:"
	cat "$work/$name.log"
	return 1
}

stop_dpmirror() {
	kill -TERM "$dp_pid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$dp_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$dp_pid" 2>/dev/null; then
		kill -KILL "$dp_pid"
		echo "dpmirror did not stop within 10 s"
		return 1
	fi
	wait "$dp_pid"
}

# The counters of a run add up: per session matched = mirrored + dropped
# (and nothing dropped), per inline port rx = forwarded by its peer.
stats_add_up() { # JSON A B (A and B: inline port pair, or "-")
	"$PY" - "$@" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
a, b = sys.argv[2], sys.argv[3]
ok = True
for name, c in s["sessions"].items():
    d = sum(c["dropped"].values())
    if c["matched"] != c["mirrored"] + d or c["mirrored"] == 0:
        print(f"session {name}: matched {c['matched']} mirrored "
              f"{c['mirrored']} dropped {c['dropped']}")
        ok = False
    if c["dropped"]["no_mbuf"] or c["dropped"]["tx_full"] or \
            c["dropped"]["too_big"]:
        print(f"session {name}: unexpected drops {c['dropped']}")
        ok = False
p = s["ports"]
if a != "-":
    for x, y in ((a, b), (b, a)):
        if p[x]["rx_packets"] != p[y]["fwd_packets"] or p[y]["fwd_dropped"]:
            print(f"port {x} rx {p[x]['rx_packets']} != {y} forwarded "
                  f"{p[y]['fwd_packets']} (+{p[y]['fwd_dropped']} dropped)")
            ok = False
if not ok:
    print(json.dumps(p))
sys.exit(0 if ok else 1)
EOF
}

# A collector on the tunnel network: h2's eth1, vxlan VNI 100.
collector_ini() { # PORT-DEVICE-STRING
	cat <<EOF
[port out]
device = $1
mtu = 1600
[collector h2]
port = out
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
vni = 100
dst_port = 4789
EOF
}

inline_ini() { # DEV-A DEV-B DEV-OUT
	cat <<EOF
[dpmirror]
mode = inline
[port a]
device = $1
peer = b
[port b]
device = $2
peer = a
$(collector_ini "$3")
[session h1]
sources = a:rx b:rx
collector = h2
EOF
}

# Traffic through h1's eth0 from the host side: ping and an HTTP fetch.
traffic_and_verify() { # CASE JSON-NAME PORT-A PORT-B
	local case=$1 name=$2
	mkdir -p "$work/www"
	head -c 200000 /dev/urandom >"$work/www/blob"
	ip netns exec "$P-h1" timeout 60 "$PY" -m http.server 8080 \
		--bind 198.18.0.2 --directory "$work/www" \
		>"$work/http.log" 2>&1 &
	pids+=($!)
	capture h1 "$P-h1" eth0 || return 1
	capture vx "$P-h2" vxlan0 || return 1
	check "$case: ping 198.18.0.2 (h1) through dpmirror" \
		ping -c 5 -i 0.2 -W 2 -q 198.18.0.2
	local want got
	want=$(sha256sum "$work/www/blob" | cut -d' ' -f1)
	for _ in $(seq 1 20); do
		got=$("$PY" -c 'import hashlib, urllib.request
d = urllib.request.urlopen("http://198.18.0.2:8080/blob", timeout=10).read()
print(hashlib.sha256(d).hexdigest())' 2>/dev/null) && break
		sleep 0.2
	done
	check "$case: a 200 kB HTTP transfer from h1 arrives intact" \
		[ "$got" = "$want" ]
	stop_captures
	check "$case: h2's vxlan0 got every echo request and reply, byte-exact" \
		"$PY" "$here/compare_frames.py" "$work/h1.pcap" "$work/vx.pcap" \
		--proto icmp-request --proto icmp-reply --min 10 --echo 5
	check "$case: h2's vxlan0 got every TCP frame of the transfer, byte-exact" \
		"$PY" "$here/compare_frames.py" "$work/h1.pcap" "$work/vx.pcap" \
		--proto tcp:8080 --min 20
	check "$case: dpmirror exits 0 on SIGTERM" stop_dpmirror
	check "$case: counters add up" stats_add_up "$work/$name.json" "$3" "$4"
}

# ---- a. the seed's experiment with dpmirrorctl alone ----
case_a() {
	pg_up || { bad "a: playground up"; return; }
	local dir
	for dir in ingress egress both; do
		if ! "$CTL" kernel add --netns "$P-h1" --dev eth0 \
			--direction "$dir" --remote 198.18.1.3 \
			--local 198.18.1.2 --vni 100 --dstport 4789 \
			--underlay eth1 >"$work/k.log" 2>&1; then
			cat "$work/k.log"
			bad "a/$dir: kernel add"
			continue
		fi
		capture e1 "$P-h2" eth1 || return
		capture vx "$P-h2" vxlan0 || return
		capture h1 "$P-h1" eth0 || return
		ping -c 4 -i 0.2 -W 2 -q 198.18.0.2 >/dev/null
		stop_captures
		# The seed's capture shape on h2's eth1.
		tcpdump -nn -r "$work/e1.pcap" 2>/dev/null >"$work/e1.txt"
		local want_req=0 want_rep=0
		case $dir in
		ingress) want_req=4 ;;
		egress) want_rep=4 ;;
		both) want_req=4 want_rep=4 ;;
		esac
		check "a/$dir: h2 eth1 sees $want_req requests and $want_rep replies as 'IP 198.18.1.2.* > 198.18.1.3.4789: VXLAN, flags [I] (0x08), vni 100'" \
			"$PY" - "$work/e1.txt" "$want_req" "$want_rep" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
req = rep = 0
for i, l in enumerate(lines):
    if not re.search(r"IP 198\.18\.1\.2\.\d+ > 198\.18\.1\.3\.4789: "
                     r"VXLAN, flags \[I\] \(0x08\), vni 100", l):
        continue
    inner = lines[i + 1] if i + 1 < len(lines) else ""
    if "ICMP echo request" in inner:
        req += 1
    if "ICMP echo reply" in inner:
        rep += 1
ok = req == int(sys.argv[2]) and rep == int(sys.argv[3])
if not ok:
    print("\n".join(lines[:12]))
sys.exit(0 if ok else 1)
EOF
		local sel=() none=()
		case $dir in
		ingress) sel=(--proto icmp-request) none=(--absent icmp-reply) ;;
		egress) sel=(--proto icmp-reply) none=(--absent icmp-request) ;;
		both) sel=(--proto icmp --echo 4) ;;
		esac
		check "a/$dir: h2's vxlan0 got the same inner frames, byte-exact" \
			"$PY" "$here/compare_frames.py" "$work/h1.pcap" \
			"$work/vx.pcap" --min 4 "${sel[@]}" "${none[@]}"
		"$CTL" kernel show --netns "$P-h1" --dev eth0 >"$work/show.txt" 2>&1
		check "a/$dir: kernel show counts >= 4 mirrored packets per filter" \
			awk '/ packets / { for (i = 1; i < NF; i++)
				if ($i == "packets") { n++; if ($(i + 1) < 4) bad = 1 } }
				END { exit !(n > 0 && !bad) }' "$work/show.txt"
		check "a/$dir: kernel del" \
			"$CTL" kernel del --netns "$P-h1" --dev eth0
		kill_all
	done
	pg_down_and_check a
}

# ---- b. dpmirror inline on net_af_packet ----
case_b() {
	pg_up --inline || { bad "b: playground up --inline"; return; }
	inline_ini "net_af_packet0,iface=$P-h1e0" "net_af_packet1,iface=$P-dpb" \
		"net_af_packet2,iface=$P-out" >"$work/b.ini"
	if start_dpmirror b "$work/b.ini" --no-huge -m 512 --no-pci; then
		traffic_and_verify b b a b
	else
		bad "b: dpmirror starts on af_packet ports"
	fi
	pg_down_and_check b
}

# ---- c. tap mode fed by the span port ----
case_c() {
	pg_up || { bad "c: playground up"; return; }
	cat >"$work/c.ini" <<EOF
[dpmirror]
mode = tap
[port span]
device = net_af_packet0,iface=$P-span
$(collector_ini "net_af_packet1,iface=$P-out")
[session h1]
sources = span:rx
collector = h2
EOF
	if start_dpmirror c "$work/c.ini" --no-huge -m 512 --no-pci; then
		capture h1 "$P-h1" eth0 || return
		capture vx "$P-h2" vxlan0 || return
		check "c: ping h1 (not through dpmirror)" \
			ping -c 5 -i 0.2 -W 2 -q 198.18.0.2
		stop_captures
		check "c: h2's vxlan0 got every echo request and reply, byte-exact" \
			"$PY" "$here/compare_frames.py" "$work/h1.pcap" \
			"$work/vx.pcap" --proto icmp-request --proto icmp-reply --min 10 \
			--echo 5
		check "c: dpmirror exits 0 on SIGTERM" stop_dpmirror
		check "c: counters add up" stats_add_up "$work/c.json" - -
	else
		bad "c: dpmirror starts on the span port"
	fi
	pg_down_and_check c
}

# Wire ports that dpmirror created itself (tap/virtio-user interfaces):
# A with h1's eth0 on a bridge of this test's own, B on P-br0, OUT on P-br1.
wire_taps() { # IF-A IF-B [IF-OUT]
	local i
	for i in "$@"; do
		for _ in $(seq 1 50); do
			ip link show "$i" >/dev/null 2>&1 && break
			sleep 0.1
		done
	done
	# The test's own bridge: no IPv6, so it sends nothing of its own to h1
	# (frames that never pass dpmirror).
	ip link add "$P-bra" type bridge &&
		sysctl -qw "net.ipv6.conf.$P-bra.disable_ipv6=1" &&
		ip link set "$P-bra" up &&
		ip link set "$P-h1e0" nomaster &&
		ip link set "$P-h1e0" master "$P-bra" &&
		ip link set "$1" master "$P-bra" &&
		ip link set "$1" up &&
		ip link set "$2" master "$P-br0" &&
		ip link set "$2" up || return 1
	[ $# -lt 3 ] && return 0
	ip link set "$3" mtu 1600 &&
		ip link set "$3" master "$P-br1" &&
		ip link set "$3" up
}

# ---- d. inline on net_tap ----
case_d() {
	pg_up --inline || { bad "d: playground up --inline"; return; }
	# The copies leave on af_packet: DPDK's net_tap sends frames of at
	# most 1522 bytes, too small for a full frame plus the outer header.
	inline_ini "net_tap0,iface=$P-ta" "net_tap1,iface=$P-tb" \
		"net_af_packet0,iface=$P-out" >"$work/d.ini"
	if start_dpmirror d "$work/d.ini" --no-huge -m 512 --no-pci; then
		if wire_taps "$P-ta" "$P-tb"; then
			traffic_and_verify d d a b
		else
			bad "d: wire the tap interfaces"
		fi
	else
		bad "d: dpmirror starts on net_tap ports"
	fi
	pg_down_and_check d
}

# ---- e. inline on net_virtio_user (vhost-user to a testpmd) ----
case_e() {
	if ! command -v dpdk-testpmd >/dev/null; then
		echo "skip e: dpdk-testpmd is missing"
		return
	fi
	if ! lib_huge_reserve 400; then
		echo "skip e: hugepages cannot be set up here" \
			"(vm.nr_hugepages / hugetlbfs mount failed)"
		return
	fi
	pg_up --inline || { bad "e: playground up --inline"; return; }
	# testpmd bridges each vhost-user socket to a veth: vhost0 <-> P-h1e0,
	# vhost1 <-> P-dpb, vhost2 <-> P-out.
	dpdk-testpmd -l 0,1 --file-prefix "dpm-$P-tp" -m 256 --no-pci \
		--vdev "net_vhost0,iface=$work/vh0.sock,client=0" \
		--vdev "net_af_packet0,iface=$P-h1e0" \
		--vdev "net_vhost1,iface=$work/vh1.sock,client=0" \
		--vdev "net_af_packet1,iface=$P-dpb" \
		--vdev "net_vhost2,iface=$work/vh2.sock,client=0" \
		--vdev "net_af_packet2,iface=$P-out" \
		-- --forward-mode=io --port-topology=paired --auto-start \
		--total-num-mbufs=8192 --stats-period 5 --no-mlockall </dev/null >"$work/tp.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 100); do
		[ -S "$work/vh2.sock" ] && break
		sleep 0.1
	done
	inline_ini "net_virtio_user0,path=$work/vh0.sock" \
		"net_virtio_user1,path=$work/vh1.sock" \
		"net_virtio_user2,path=$work/vh2.sock" >"$work/e.ini"
	if start_dpmirror e "$work/e.ini" -m 256 --no-pci \
		--single-file-segments; then
		traffic_and_verify e e a b
	else
		cat "$work/tp.log"
		bad "e: dpmirror starts on net_virtio_user ports"
	fi
	pg_down_and_check e
}

# ---- g. the control thread sets up [playground] and [kernel] itself ----
case_g() {
	cat >"$work/g.ini" <<EOF2
[playground]
prefix = $P
inline = yes
[kernel h2eth0]
netns = $P-h2
dev = eth0
direction = ingress
remote = 198.18.1.2
local = 198.18.1.3
vni = 200
underlay = eth1
vxlan_name = vxmir
match = proto icmp
$(inline_ini "net_af_packet0,iface=$P-h1e0" "net_af_packet1,iface=$P-dpb" \
		"net_af_packet2,iface=$P-out")
EOF2
	if ! start_dpmirror g "$work/g.ini" --no-huge -m 512 --no-pci; then
		bad "g: dpmirror brings up the playground and the kernel mirror"
		pg_down_and_check g
		return
	fi
	check "g: the playground is up while dpmirror runs" \
		"$CTL" playground status --prefix "$P"
	"$CTL" kernel show --netns "$P-h2" --dev eth0 >"$work/g.show" 2>&1
	check "g: the [kernel] mirror is in place in $P-h2 (icmp to vxmir)" \
		grep -q "icmp.*-> vxmir" "$work/g.show"
	check "g: its vxlan link vxmir has the configured parameters" \
		grep -q "vxmir: vxlan id 200 local 198.18.1.3 remote 198.18.1.2 dev eth1" \
		"$work/g.show"
	check "g: ping h1 through dpmirror in the playground it made" \
		ping -c 3 -i 0.2 -W 2 -q 198.18.0.2
	check "g: dpmirror exits 0 on SIGTERM" stop_dpmirror
	check "g: at exit dpmirror removed the playground and the mirror" \
		[ "$(snapshot)" = "$before" ]
	pg_down_and_check g

	# A [kernel] section that cannot be set up: dpmirror refuses to start
	# and leaves nothing behind, not even the playground it made.
	sed 's/^dev = eth0$/dev = eth9/' "$work/g.ini" >"$work/g2.ini"
	"$DPMIRROR" --no-huge -m 512 --no-pci -l 0,1 --file-prefix "dpm-$P-g2" \
		-- -c "$work/g2.ini" >"$work/g2.log" 2>&1
	check "g: a [kernel] section naming a missing device: exit 1" \
		[ $? -eq 1 ]
	check "g: ... with a message naming the section and the device" \
		grep -q "kernel h2eth0.*eth9" "$work/g2.log"
	check "g: ... and nothing left behind" [ "$(snapshot)" = "$before" ]
}

cases=${DPM_PG_CASES:-a b c d e g}
for c in $cases; do
	echo "--- case $c"
	"case_$c"
done

summary dpmirror_playground
