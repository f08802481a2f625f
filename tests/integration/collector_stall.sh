#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A collector that stops taking copies must not starve the others.
#
# dpmirror forwards a replayed capture (net_pcap infinite_rx -> net_null)
# and mirrors it to two collectors: a healthy net_null port (session all)
# and a net_virtio_user port whose vhost-user peer is a dpdk-testpmd
# (session snap), with a small mirror pool (1024 mbufs) that the virtio
# ring (1024 descriptors) could hold entirely.  Drivers like virtio give a
# sent mbuf back only in a later tx burst on its queue, so when testpmd is
# stopped (SIGSTOP) the ring keeps the copies sent to it; dpmirror sizes its
# copy queues so that they never hold the whole pool.  Checked:
#   - with testpmd stopped, session all keeps getting copies, session snap's
#     are counted (tx_full or no_mbuf);
#   - after SIGCONT, session snap mirrors again;
#   - at exit every counter adds up and nothing forwarded was lost.
# Needs root, dpdk-testpmd and 2 MB hugepages (reserved here, and given
# back); skips (77) otherwise.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
py=/usr/bin/python3
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "collector_stall: SKIP: needs root (hugepages)"
	exit 77
fi
if ! command -v dpdk-testpmd >/dev/null 2>&1; then
	echo "collector_stall: SKIP: dpdk-testpmd not found"
	exit 77
fi

work=$(mktemp -d /tmp/dpm-cstall.XXXXXX)
tp_prefix="dpm-cs-tp-$$"
dp_prefix="dpm-cs-dp-$$"
tp=
dp=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	[ -n "$tp" ] && kill -CONT "$tp" 2>/dev/null
	[ -n "$dp" ] && stop_pid "$dp" KILL
	[ -n "$tp" ] && stop_pid "$tp" TERM
	rm -rf "$work" "/var/run/dpdk/$tp_prefix" "/var/run/dpdk/$dp_prefix"
	lib_huge_restore "$tp_prefix" "$dp_prefix"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! lib_huge_reserve 200; then
	echo "collector_stall: SKIP: 2 MB hugepages cannot be set up here"
	exit 77
fi

# 64 flows of 200-byte UDP frames.
"$py" "$here/udp_flows.py" "$work/in.pcap" --src 198.18.1.1 --dst 198.18.0.0

cat >"$work/stall.ini" <<EOF
[dpmirror]
mode = inline
burst = 32
mirror_pool = 1024
stats_interval = 0
[port in]
device = net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1
peer = fwd
[port fwd]
device = net_null0,no-rx=1
[port sink]
device = net_null1,no-rx=1
[port vio]
device = net_virtio_user0,path=$work/vh.sock,queue_size=1024
[collector healthy]
port = sink
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
vni = 100
[collector stalling]
port = vio
remote_ip = 198.18.1.4
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:04
vni = 200
[session all]
sources = in:rx
collector = healthy
[session snap]
sources = in:rx
collector = stalling
snaplen = 128
EOF

# testpmd forwards on lcore 0 (rxonly: it takes and frees every copy),
# dpmirror's worker runs on lcore 1.
dpdk-testpmd -l 0,1 --main-lcore 1 --file-prefix "$tp_prefix" -m 128 \
	--huge-dir /dev/hugepages --single-file-segments --no-pci \
	--log-level '*:warning' \
	--vdev "net_vhost0,iface=$work/vh.sock,client=0" \
	-- --forward-mode=rxonly --auto-start --stats-period 3600 \
	--total-num-mbufs=4096 --no-mlockall </dev/null >"$work/tp.log" 2>&1 &
tp=$!
for _ in $(seq 1 100); do
	[ -S "$work/vh.sock" ] && break
	sleep 0.1
done
[ -S "$work/vh.sock" ] || {
	cat "$work/tp.log"
	echo "collector_stall: FAIL: testpmd made no vhost-user socket"
	exit 1
}

"$dpmirror" -l 0,1 --file-prefix "$dp_prefix" -m 256 \
	--huge-dir /dev/hugepages --single-file-segments --no-pci \
	--log-level '*:notice' -- -c "$work/stall.ini" \
	--stats-json "$work/stats.json" >"$work/dp.out" 2>"$work/dp.err" &
dp=$!

# value FILE SESSION KEY: a session counter (or a drop reason).
value() {
	"$py" -c 'import json, sys
s = json.load(open(sys.argv[1]))["sessions"][sys.argv[2]]
print(s.get(sys.argv[3], s["dropped"].get(sys.argv[3], -1)))' "$@"
}
snap() { # NAME: a snapshot into $work/NAME.json
	stats_now "$dp" "$work/stats.json" &&
		cp "$work/stats.json" "$work/$1.json"
}

sleep 3
if ! snap a; then
	cat "$work/dp.err"
	echo "collector_stall: FAIL: dpmirror is not running"
	exit 1
fi
kill -STOP "$tp"
sleep 0.5
snap b
sleep 3
snap c
kill -CONT "$tp"
sleep 2
snap d
sleep 3
snap e

all_b=$(value "$work/b.json" all mirrored)
all_c=$(value "$work/c.json" all mirrored)
check "testpmd stopped: session all keeps getting copies ($all_b -> $all_c)" \
	[ "$all_c" -gt "$all_b" ]
held_b=$(($(value "$work/b.json" snap tx_full) + $(value "$work/b.json" snap no_mbuf)))
held_c=$(($(value "$work/c.json" snap tx_full) + $(value "$work/c.json" snap no_mbuf)))
check "testpmd stopped: session snap's copies are counted as dropped ($held_b -> $held_c)" \
	[ "$held_c" -gt "$held_b" ]
no_mbuf_all=$(($(value "$work/c.json" all no_mbuf) - $(value "$work/b.json" all no_mbuf)))
check "testpmd stopped: session all loses no copy for want of an mbuf (+$no_mbuf_all)" \
	[ "$no_mbuf_all" -eq 0 ]
snap_d=$(value "$work/d.json" snap mirrored)
snap_e=$(value "$work/e.json" snap mirrored)
check "testpmd running again: session snap mirrors again ($snap_d -> $snap_e)" \
	[ "$snap_e" -gt "$snap_d" ]

rc=0
stop_pid "$dp" INT || rc=$?
dp=
check "dpmirror exits 0 on SIGINT" [ "$rc" -eq 0 ]
if "$py" - "$work/stats.json" <<'EOF'; then ok "at exit: matched = mirrored + dropped per session, rx = forwarded"; else bad "at exit: the counters add up"; fi
import json, sys
s = json.load(open(sys.argv[1]))
bad = []
for n, c in s["sessions"].items():
    if c["matched"] != c["mirrored"] + sum(c["dropped"].values()):
        bad.append("session %s: %s" % (n, c))
p = s["ports"]
if p["in"]["rx_packets"] != p["fwd"]["fwd_packets"] + p["in"]["rx_invalid"] \
        + p["in"]["own_copies"] \
        or p["fwd"]["fwd_dropped"] != 0:
    bad.append("ports: %s %s" % (p["in"], p["fwd"]))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
check "dpmirror removed its runtime directory" \
	[ ! -e "/var/run/dpdk/$dp_prefix" ]
summary collector_stall
