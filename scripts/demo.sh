#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The main job, live: dpmirror brings up the veth/netns playground
# (config/demo-live.ini), sits inline in front of host h1, and mirrors
# everything h1 sends and receives, VxLAN-encapsulated, to host h2, whose
# Linux vxlan device decapsulates the copies, and so does dpmirrorctl
# collect into a pcap of plain frames.  Real traffic flows through it
# for about ten seconds (ping, HTTP, a UDP request/response) with live
# statistics; then the copies as h2 saw them and a summary that reconciles
# what was sent, forwarded and mirrored.  Everything is removed at the end,
# also on Ctrl-C.  Needs root; without it, runs scripts/demo-offline.sh.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
PY=/usr/bin/python3
PREFIX=demo
H1=198.18.0.2
SECONDS_OF_TRAFFIC=${DEMO_SECONDS:-10}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: the live demo needs root (network namespaces);" \
		"running the offline demo instead"
	exec scripts/demo-offline.sh
fi

if [ ! -x build/dpmirror ] || [ ! -x build/dpmirrorctl ]; then
	echo "demo: building dpmirror first"
	scripts/bootstrap.sh || exit 1
	[ -f build/build.ninja ] || meson setup build >/dev/null || exit 1
	ninja -C build >/dev/null || exit 1
fi
DPMIRROR=$top/build/dpmirror
CTL=$top/build/dpmirrorctl

if ip netns list | grep -q "^$PREFIX-"; then
	echo "demo: a playground with prefix '$PREFIX' is already up; remove" \
		"it first: $CTL playground down --prefix $PREFIX" >&2
	exit 1
fi

work=$(mktemp -d /tmp/dpmirror-live.XXXXXX)
dp_pid=
helpers=()
cleanup() {
	local p
	for p in "${helpers[@]}"; do kill "$p" 2>/dev/null; done
	if [ -n "$dp_pid" ] && kill -0 "$dp_pid" 2>/dev/null; then
		kill -TERM "$dp_pid"
		for _ in $(seq 1 100); do
			kill -0 "$dp_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$dp_pid" 2>/dev/null
	fi
	# dpmirror removes the playground it made, and its EAL runtime
	# directory; make sure of both (also after a kill).
	"$CTL" playground down --prefix "$PREFIX" >/dev/null 2>&1
	rm -rf "/var/run/dpdk/dpm-demo-$$"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted, cleaning up"; exit 130' INT TERM

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "1. dpmirror starts, brings up the playground and sits inline in front of h1"
cat <<EOF
   host (198.18.0.1) -- $PREFIX-br0 -- $PREFIX-dpbr|$PREFIX-dpb =[dpmirror]= $PREFIX-h1e0 -- h1 eth0 ($H1)
                                                      |
                                            copies -> $PREFIX-out -- $PREFIX-br1 -- h2 eth1 (198.18.1.3) -> vxlan0
EOF
"$DPMIRROR" --no-huge -m 512 --no-pci -l 0,1 --file-prefix "dpm-demo-$$" \
	--log-level '*:warning' -- -c config/demo-live.ini \
	--stats-json "$work/stats.json" >"$work/dpmirror.log" 2>&1 &
dp_pid=$!
for _ in $(seq 1 150); do
	grep -q '^dpmirror: .* worker(s)' "$work/dpmirror.log" && break
	if ! kill -0 "$dp_pid" 2>/dev/null; then
		cat "$work/dpmirror.log"
		echo "demo: dpmirror did not start" >&2
		exit 1
	fi
	sleep 0.1
done
grep '^dpmirror: ' "$work/dpmirror.log" | sed 's/^/   /'

# What h2 sees on its tunnel network, as in the seed's experiment; and
# the copies decapsulated to plain frames by dpmirrorctl collect.
ip netns exec "$PREFIX-h2" timeout 60 tcpdump --immediate-mode -nn -U \
	-i eth1 -w "$work/h2-eth1.pcap" udp port 4789 >/dev/null 2>&1 &
helpers+=($!)
ip netns exec "$PREFIX-h2" timeout 60 "$CTL" collect -i eth1 \
	-w "$work/h2-plain.pcap" 2>"$work/collect.log" &
helpers+=($!)

# Servers on h1: a small web site and a UDP echo service.
mkdir -p "$work/www"
for i in $(seq 1 200); do echo "line $i of the page h1 serves"; done \
	>"$work/www/index.html"
ip netns exec "$PREFIX-h1" timeout 60 "$PY" -m http.server 8080 \
	--bind "$H1" --directory "$work/www" >/dev/null 2>&1 &
helpers+=($!)
ip netns exec "$PREFIX-h1" timeout 60 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.0.2", 33333))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(b"echo: " + data, peer)' >/dev/null 2>&1 &
helpers+=($!)
sleep 1

say "2. traffic through dpmirror for ${SECONDS_OF_TRAFFIC} s: ping, HTTP, UDP (live statistics)"
tail -n 0 -f "$work/dpmirror.log" &
tail_pid=$!
helpers+=($tail_pid)
n_ping=$SECONDS_OF_TRAFFIC
ping -c "$n_ping" -i 1 -W 2 -q "$H1" >"$work/ping.txt" 2>&1 &
ping_pid=$!
http_ok=0
http_n=0
udp_ok=0
udp_n=0
end=$((SECONDS + SECONDS_OF_TRAFFIC))
while [ $SECONDS -lt $end ]; do
	http_n=$((http_n + 1))
	"$PY" -c 'import urllib.request
d = urllib.request.urlopen("http://198.18.0.2:8080/index.html", timeout=3).read()
assert d.startswith(b"line 1 ")' 2>/dev/null && http_ok=$((http_ok + 1))
	udp_n=$((udp_n + 1))
	"$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"hello h1", ("198.18.0.2", 33333))
assert s.recv(2048) == b"echo: hello h1"' 2>/dev/null && udp_ok=$((udp_ok + 1))
	sleep 1
done
wait "$ping_pid"
ping_rx=$(awk '/packets transmitted/ { print $4 }' "$work/ping.txt")
sleep 1
kill "$tail_pid" 2>/dev/null

# A snapshot with no traffic in flight, and h2's own count of what its
# vxlan0 decapsulated, before dpmirror stops and removes the playground.
rm -f "$work/stats.json"
kill -USR1 "$dp_pid"
for _ in $(seq 1 50); do
	[ -s "$work/stats.json" ] && break
	sleep 0.1
done
cp "$work/stats.json" "$work/snapshot.json" 2>/dev/null
vx_rx=$(ip netns exec "$PREFIX-h2" cat /sys/class/net/vxlan0/statistics/rx_packets)
for p in "${helpers[@]}"; do kill "$p" 2>/dev/null; done
helpers=()
sleep 0.5
for _ in $(seq 1 30); do
	grep -q '^collect: done' "$work/collect.log" && break
	sleep 0.1
done

say "3. the mirrored packets as h2 saw them on eth1 (VxLAN, decapsulated by vxlan0)"
tcpdump -nn -r "$work/h2-eth1.pcap" 2>/dev/null >"$work/h2-eth1.txt"
for what in "ICMP echo" "HTTP: GET" "HTTP/1.0 200" "\.33333: UDP" "\.33333 > "; do
	grep -B1 -m 2 -E "$what" "$work/h2-eth1.txt" | grep -v '^--$' |
		sed 's/^/   /'
done
echo "   ... ($(grep -c 'VXLAN' "$work/h2-eth1.txt") VxLAN packets in all)"

say "3b. the same copies as 'dpmirrorctl collect -i eth1' on h2 wrote them: plain frames"
tcpdump -nn -r "$work/h2-plain.pcap" 2>/dev/null | grep -m 2 'ICMP echo' |
	sed 's/^/   /'
grep -E '^collect: (vxlan|skipped|done)' "$work/collect.log" | sed 's/^/   /'
coll_n=$(tcpdump -r "$work/h2-plain.pcap" 2>/dev/null | wc -l)

say "4. dpmirror stops: final statistics, and the playground is removed"
kill -TERM "$dp_pid"
rc=0
wait "$dp_pid" || rc=$?
dp_pid=
sed -n '/stopping; totals/,$p' "$work/dpmirror.log" | sed 's/^/   /' | head -n 48
left=$(ip netns list | grep -c "^$PREFIX-" || true)

say "5. summary"
"$PY" - "$work/snapshot.json" "$vx_rx" "$n_ping" "${ping_rx:-0}" \
	"$http_n" "$http_ok" "$udp_n" "$udp_ok" "$rc" "$left" "$coll_n" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
vx_rx, n_ping, ping_rx, http_n, http_ok, udp_n, udp_ok, rc, left, coll_n = \
    map(int, sys.argv[2:])
p, ses = s["ports"], s["sessions"]["h1"]
drops = sum(ses["dropped"].values())
ok = True
def line(text, good):
    global ok
    ok = ok and good
    print(f"   {'ok  ' if good else 'FAIL'} {text}")
line(f"sent: {n_ping} pings ({ping_rx} answered), {http_n} HTTP fetches "
     f"({http_ok} ok), {udp_n} UDP requests ({udp_ok} answered)",
     ping_rx == n_ping and http_ok == http_n and udp_ok == udp_n)
line(f"forwarded h1 -> bridge: received {p['h1']['rx_packets']} on h1, "
     f"sent {p['br']['fwd_packets']} on br, dropped {p['br']['fwd_dropped']}",
     p["h1"]["rx_packets"] == p["br"]["fwd_packets"] + p["br"]["fwd_dropped"]
     and p["br"]["fwd_dropped"] == 0)
line(f"forwarded bridge -> h1: received {p['br']['rx_packets']} on br, "
     f"sent {p['h1']['fwd_packets']} on h1, dropped {p['h1']['fwd_dropped']}",
     p["br"]["rx_packets"] == p["h1"]["fwd_packets"] + p["h1"]["fwd_dropped"]
     and p["h1"]["fwd_dropped"] == 0)
line(f"mirrored: session h1 matched {ses['matched']} = mirrored "
     f"{ses['mirrored']} + dropped {drops}; every frame h1 saw: "
     f"{p['h1']['rx_packets'] + p['br']['rx_packets']}",
     ses["matched"] == ses["mirrored"] + drops and
     ses["matched"] == p["h1"]["rx_packets"] + p["br"]["rx_packets"])
line(f"received: h2's vxlan0 decapsulated {vx_rx} frames = the "
     f"{ses['mirrored']} copies dpmirror sent", vx_rx == ses["mirrored"])
line(f"collected: dpmirrorctl collect on h2 wrote {coll_n} plain frames = "
     f"the {ses['mirrored']} copies", coll_n == ses["mirrored"])
line(f"dpmirror exited with {rc}; playground namespaces left: {left}",
     rc == 0 and left == 0)
sys.exit(0 if ok else 1)
EOF
