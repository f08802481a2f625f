#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# dpdk-dumpcap captures on a running dpmirror's ports (rte_pdump).
#
# dpmirror runs on hugepages (dpdk-dumpcap is a secondary process: it maps
# the primary's memory, which a --no-huge primary has none of to share),
# forwarding a replayed capture (net_pcap infinite_rx -> net_null) and
# mirroring it in VxLAN to a collector on a net_null port.  Checked:
#   - dpdk-dumpcap -D lists every port of dpmirror by device name;
#   - N packets captured on the collector's egress port by device name are
#     all VxLAN copies with the collector's outer fields (tshark);
#   - N packets captured on the input port by port index are originals;
#   - dpmirror keeps running, exits 0 and its counters add up.
# Needs root, dpdk-dumpcap, tshark and 2 MB hugepages (reserved here and
# given back); skips (77) otherwise.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
dpmirror=${DPMIRROR:-$srcdir/build/dpmirror}
py=/usr/bin/python3
N=${DUMPCAP_N:-50}
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "dumpcap: SKIP: needs root (hugepages)"
	exit 77
fi
for tool in dpdk-dumpcap tshark; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "dumpcap: SKIP: $tool not found"
		exit 77
	fi
done

work=$(mktemp -d /tmp/dpm-dumpcap.XXXXXX)
prefix="dpm-dc-$$"
dp=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	[ -n "$dp" ] && stop_pid "$dp" KILL
	[ -n "${KEEP:-}" ] || rm -rf "$work"
	rm -rf "/var/run/dpdk/$prefix"
	lib_huge_restore "$prefix"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! lib_huge_reserve 300; then
	echo "dumpcap: SKIP: 2 MB hugepages cannot be set up here"
	exit 77
fi

# 64 flows of 200-byte UDP frames, 198.18.0.1 -> 198.18.0.100+i.
"$py" "$here/udp_flows.py" "$work/in.pcap" --src 198.18.0.1 --dst 198.18.0.100

cat >"$work/dc.ini" <<EOF
[dpmirror]
mode = inline
mirror_pool = 4096
stats_interval = 0
[port in]
device = net_pcap0,rx_pcap=$work/in.pcap,infinite_rx=1
peer = fwd
[port fwd]
device = net_null0,no-rx=1
[port sink]
device = net_null1,no-rx=1
[collector c1]
port = sink
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
local_mac = 02:00:00:00:01:0a
vni = 4242
[session all]
sources = in:rx
collector = c1
EOF

"$dpmirror" -l 0,1 --file-prefix "$prefix" -m 256 \
	--huge-dir /dev/hugepages --single-file-segments --no-pci \
	--log-level '*:notice' -- -c "$work/dc.ini" \
	--stats-json "$work/stats.json" >"$work/dp.out" 2>"$work/dp.err" &
dp=$!
for _ in $(seq 1 100); do
	grep -q "port(s)" "$work/dp.out" 2>/dev/null && break
	kill -0 "$dp" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q "port(s)" "$work/dp.out" 2>/dev/null; then
	cat "$work/dp.err"
	echo "dumpcap: FAIL: dpmirror did not start"
	exit 1
fi
not_in() { ! grep -qF "$1" "$2"; }
check "dpmirror reports no capture (rte_pdump) failure" \
	not_in "capture (rte_pdump) not available" "$work/dp.err"

# dumpcap ARGS...: dpdk-dumpcap on dpmirror's prefix, bounded in time.
dumpcap() {
	timeout 30 dpdk-dumpcap --file-prefix="$prefix" "$@"
}

dumpcap -D >"$work/list.txt" 2>"$work/list.err"
rc=$?
echo "--- dpdk-dumpcap -D"
cat "$work/list.txt"
check "dpdk-dumpcap -D exits 0 (rc $rc)" [ "$rc" -eq 0 ]
for d in net_pcap0 net_null0 net_null1; do
	check "dpdk-dumpcap -D lists $d" grep -qw "$d" "$work/list.txt"
done
# The port index of the input port, as -D numbers it ("0. net_pcap0").
in_id=$(awk '$2 == "net_pcap0" { sub(/\.$/, "", $1); print $1 }' \
	"$work/list.txt")

# The copies' egress port, by device name.
dumpcap -i net_null1 -c "$N" -w "$work/copies.pcapng" \
	>"$work/dc1.out" 2>&1
rc=$?
cat "$work/dc1.out"
check "dpdk-dumpcap -i net_null1 -c $N exits 0 (rc $rc)" [ "$rc" -eq 0 ]
tshark -r "$work/copies.pcapng" -d udp.port==4789,vxlan -T fields \
	-E separator=' ' -e eth.src -e eth.dst -e ip.src -e ip.dst \
	-e udp.dstport -e vxlan.vni \
	>"$work/copies.txt" 2>"$work/tshark.err"
n=$(wc -l <"$work/copies.txt")
# dpdk-dumpcap stops at the end of the burst that reaches N.
check "tshark decodes at least $N copies from the egress capture ($n)" \
	[ "$n" -ge "$N" ]
# Outer, then inner values (tshark joins them with ","): eth.src eth.dst
# ip.src ip.dst udp.dstport vxlan.vni.
wrong=$(awk '$1 !~ /^02:00:00:00:01:0a,02:00:00:00:00:01$/ ||
	$2 !~ /^02:00:00:00:01:03,02:00:00:00:00:02$/ ||
	$3 != "198.18.1.10,198.18.0.1" ||
	$4 !~ /^198\.18\.1\.3,198\.18\.0\.1[0-9][0-9]$/ ||
	$5 != "4789,9" || $6 != 4242' "$work/copies.txt" | head -3)
[ "$n" -gt 0 ] || wrong="no copy"
check "every copy is VxLAN (VNI 4242, UDP 4789) from 198.18.1.10 to 198.18.1.3, MACs of the collector${wrong:+: $wrong}" \
	[ -z "$wrong" ]
head -n 2 "$work/copies.txt" | sed 's/^/  /'

# The input port, by port index: originals, no tunnel.
if [ -n "$in_id" ]; then
	dumpcap -i "$in_id" -c "$N" -w "$work/in.pcapng" >"$work/dc2.out" 2>&1
	rc=$?
	check "dpdk-dumpcap -i $in_id (net_pcap0) -c $N exits 0 (rc $rc)" \
		[ "$rc" -eq 0 ]
	tshark -r "$work/in.pcapng" -T fields -E separator=' ' \
		-e ip.src -e ip.dst -e udp.dstport >"$work/in.txt" 2>/dev/null
	n=$(wc -l <"$work/in.txt")
	wrong=$(awk '$1 != "198.18.0.1" || $2 !~ /^198\.18\.0\./ || $3 != 9' \
		"$work/in.txt" | head -3)
	[ "$n" -ge "$N" ] || wrong="$wrong (count $n)"
	check "at least $N originals captured on the input port, none tunnelled ($n)${wrong:+: $wrong}" \
		[ -z "$wrong" ]
else
	bad "dpdk-dumpcap -D gives net_pcap0 no port index"
fi

check "dpmirror still runs after both captures" kill -0 "$dp"
rc=0
stop_pid "$dp" INT || rc=$?
dp=
check "dpmirror exits 0 on SIGINT (rc $rc)" [ "$rc" -eq 0 ]
if "$py" - "$work/stats.json" <<'EOF'; then ok "at exit: matched = mirrored + dropped, rx = forwarded"; else bad "at exit: the counters add up"; fi
import json, sys
s = json.load(open(sys.argv[1]))
c = s["sessions"]["all"]
p = s["ports"]
ok = c["matched"] > 0 and \
    c["matched"] == c["mirrored"] + sum(c["dropped"].values()) and \
    p["in"]["rx_packets"] == p["fwd"]["fwd_packets"] + p["in"]["rx_invalid"] \
    + p["in"]["own_copies"]
if not ok:
    print("  ", c, p["in"], p["fwd"])
sys.exit(0 if ok else 1)
EOF
check "dpmirror removed its runtime directory" \
	[ ! -e "/var/run/dpdk/$prefix" ]
summary dumpcap
