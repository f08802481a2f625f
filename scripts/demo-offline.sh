#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The offline demo (no root needed): a capture of mixed traffic goes through dpmirror
# (pcap in -> forwarded pcap + mirrored pcap out) with config/pcap-demo.ini,
# then the statistics and the first mirrored frames, decoded by tshark.
# Runs without hugepages, NIC or root (root only to install dependencies).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
PY=/usr/bin/python3

if [ ! -x build/dpmirror ]; then
	echo "demo: building dpmirror first"
	scripts/bootstrap.sh
	[ -f build/build.ninja ] || meson setup build >/dev/null
	ninja -C build >/dev/null
fi

work=$(mktemp -d /tmp/dpmirror-demo.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	# dpmirror removes its EAL runtime directory at a clean exit; make
	# sure of it (as root /var/run/dpdk, else the user's runtime dir).
	if [ "$(id -u)" -eq 0 ]; then
		rm -rf "/var/run/dpdk/dpm-demo-$$"
	else
		rm -rf "${XDG_RUNTIME_DIR:-/tmp}/dpdk/dpm-demo-$$"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp config/pcap-demo.ini "$work/"
cd "$work"
frames=$($PY "$top/scripts/demo_traffic.py" demo-in.pcap)
echo "demo: generated $frames frames of mixed traffic (demo-in.pcap):"
tshark -r demo-in.pcap 2>/dev/null | sed 's/^/    /' | head -n 12
echo "    ..."
echo
echo "demo: dpmirror --no-huge --no-pci -l 0,1 -- -c config/pcap-demo.ini"
"$top/build/dpmirror" --no-huge -m 512 --no-pci -l 0,1 \
	--file-prefix "dpm-demo-$$" --log-level '*:warning' \
	-- -c pcap-demo.ini --stats-json stats.json --stats-interval 0 \
	>dpmirror.log 2>&1 &
pid=$!

# The capture is read once: wait until every frame was received, then stop.
for _ in $(seq 1 100); do
	sleep 0.2
	kill -0 "$pid" 2>/dev/null || break
	kill -USR1 "$pid"
	sleep 0.1
	[ -f stats.json ] || continue
	rx=$($PY -c 'import json,sys; print(json.load(open("stats.json"))["ports"]["in"]["rx_packets"])')
	[ "$rx" -ge "$frames" ] && break
done
kill -TERM "$pid" 2>/dev/null || true
rc=0
wait "$pid" || rc=$?
pid=
sed -n '/stopping; totals/,$p' dpmirror.log
if [ $rc -ne 0 ]; then
	echo "demo: dpmirror exited with $rc:" >&2
	cat dpmirror.log >&2
	exit 1
fi

echo
echo "demo: the first mirrored frames (demo-mirror.pcap), as tshark decodes them:"
printf '    %-3s %-23s %-9s %s\n' "#" "outer UDP sport > dport" "VNI" "inner frame"
tshark -r demo-mirror.pcap -c 30 -T fields -E separator=/t -E occurrence=f \
	-e frame.number -e udp.srcport -e udp.dstport -e vxlan.vni \
	-e _ws.col.Source -e _ws.col.Destination -e _ws.col.Protocol \
	-e _ws.col.Info 2>/dev/null |
	awk -F'\t' '{ printf "    %-3s %5s > %-15s %-9s %s > %s %s %s\n",
		$1, $2, $3, $4, $5, $6, $7, $8 }'
echo
echo "demo: one copy in full:"
tshark -r demo-mirror.pcap -c 1 -V 2>/dev/null |
	grep -E '^(Ethernet|Internet|User|Virtual|Frame|Transmission)|VXLAN Network|Flags: 0x08|Source Port|Destination Port|Time to Live|Hop Limit' |
	sed 's/^/    /'
echo
$PY - "$frames" <<'PYEOF'
import json, sys
frames = int(sys.argv[1])
s = json.load(open("stats.json"))
p = s["ports"]
print("demo: summary")
print(f"    frames in {frames}, received {p['in']['rx_packets']}, "
      f"forwarded {p['fwd']['tx_packets']}, copies sent {p['out']['tx_packets']}")
for name, c in s["sessions"].items():
    d = sum(c["dropped"].values())
    ok = "ok" if c["matched"] == c["mirrored"] + d else "MISMATCH"
    print(f"    session {name:5s}: matched {c['matched']:3d} = mirrored "
          f"{c['mirrored']:3d} + dropped {d} ({ok})")
PYEOF
