# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2154
# Open vSwitch with DPDK (Debian's openvswitch-switch-dpdk) as the third
# program of scripts/bench.sh, which sources this file.  Each run starts its
# own ovsdb-server and ovs-vswitchd under $work/ovs (own database, sockets,
# pid files and logs; a system OVS is never touched), inside a network
# namespace of its own (the bridges' internal ports are tap devices), and
# stops them by PID.  One PMD thread on lcore 1, the worker's core; the main
# thread on lcore 0, as testpmd and dpmirror.
#
# Bridges (datapath_type=netdev):
#   br-int: in (net_pcap, infinite_rx), fwd (net_null), vx0 (vxlan, VNI 100,
#           remote 198.18.1.3, as dpmirror's collector c1)
#   br-phy: ul (net_null, the underlay); its internal port holds
#           198.18.1.10/24, routed with ovs/route/add and the collector's MAC
#           set with tnl/neigh/set (userspace tunnelling: tnl_push)
# Flows per scenario:
#   F   in_port=in,actions=output:fwd (by port number: in 1, fwd 2, vx0 3)
#   S3, S4  as F, and a Mirror select_all=true, output_port=vx0
#   S2  in_port=in,actions=output:vx0
# Needs from bench.sh: $work, $dpdk_run, $SECS, frames_of, and the memory
# settings: OVS_EXTRA (EAL options for dpdk-extra), OVS_MEM (other_config
# assignments).

OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
ovs_dir=
ovs_ns=
ovsdb_pid=
vswitchd_pid=

# Installs the package when missing (quietly; only when OVS is to be run).
ovs_install() {
	[ -x "$OVS_VSWITCHD" ] && [ -f "$OVS_SCHEMA" ] && return 0
	echo "bench: installing openvswitch-switch-dpdk for the OVS-DPDK column"
	# The package's own services are not wanted running: the bench
	# starts its own daemons.  policy-rc.d keeps them from starting
	# (unless the machine already has a policy of its own).
	local policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d &&
			chmod 755 /usr/sbin/policy-rc.d && policy=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		openvswitch-switch-dpdk >/dev/null 2>&1
	local rc=$?
	[ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
	[ "$rc" -eq 0 ] || {
		echo "bench: could not install openvswitch-switch-dpdk; run apt-get install openvswitch-switch-dpdk, or pass --no-ovs" >&2
		return 1
	}
	[ -x "$OVS_VSWITCHD" ] || {
		echo "bench: $OVS_VSWITCHD is missing after installing openvswitch-switch-dpdk; pass --no-ovs" >&2
		return 1
	}
}

vsctl() { ovs-vsctl --db="unix:$ovs_dir/db.sock" --timeout=30 "$@"; }
appctl() { ovs-appctl -t "$ovs_dir/vswitchd.ctl" --timeout=30 "$@"; }
ofctl() { ovs-ofctl -O OpenFlow13 "$@"; }

# Stops this run's daemons by PID and removes their files.  The PIDs come
# from the daemons' pid files as well: a run in a command substitution
# (a subshell) that was interrupted leaves its variables behind.
ovs_stop() {
	local d=$work/ovs p name f
	for name in vswitchd ovsdb-server; do
		if [ "$name" = vswitchd ]; then
			p=$vswitchd_pid
		else
			p=$ovsdb_pid
		fi
		for f in "$d/$name.pid" "$d/$name.started"; do
			[ -z "$p" ] && [ -f "$f" ] && p=$(cat "$f")
		done
		[ -n "$p" ] || continue
		kill -TERM "$p" 2>/dev/null
		for _ in $(seq 1 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		for _ in $(seq 1 20); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		wait "$p" 2>/dev/null
	done
	vswitchd_pid=
	ovsdb_pid=
	ip netns pids "bench-ovs-$$" >/dev/null 2>&1 &&
		ip netns del "bench-ovs-$$"
	ovs_ns=
	rm -rf "$dpdk_run/bench-ovs-$$" "$d"
	[ -d /dev/hugepages ] && rm -f /dev/hugepages/bench-ovs-$$map_*
	ovs_dir=
}

# Starts ovsdb-server and ovs-vswitchd with DPDK and builds the bridges and
# the scenario's flows.  $1: the rx pcap, $2: "" for a net_null underlay,
# or a pcap to write (the capture run; the rx pcap then plays once), $3: the
# scenario.
ovs_start() { # rx-pcap tx-pcap scenario
	local rx="net_pcap0,rx_pcap=$1" ul="net_null1,no-rx=1"
	if [ -n "$2" ]; then
		ul="net_pcap1,tx_pcap=$2"
	else
		rx="$rx,infinite_rx=1"
	fi
	ovs_dir=$work/ovs
	mkdir -p "$ovs_dir"
	export OVS_RUNDIR=$ovs_dir OVS_DBDIR=$ovs_dir OVS_LOGDIR=$ovs_dir \
		OVS_SYSCONFDIR=$ovs_dir OVS_PKGDATADIR=/usr/share/openvswitch
	ovsdb-tool create "$ovs_dir/conf.db" "$OVS_SCHEMA" || return 1
	ovsdb-server "$ovs_dir/conf.db" --remote="punix:$ovs_dir/db.sock" \
		--pidfile="$ovs_dir/ovsdb-server.pid" \
		--unixctl="$ovs_dir/ovsdb-server.ctl" \
		--log-file="$ovs_dir/ovsdb-server.log" -vconsole:off \
		>/dev/null 2>&1 &
	ovsdb_pid=$!
	echo "$ovsdb_pid" >"$ovs_dir/ovsdb-server.started"
	for _ in $(seq 1 100); do
		[ -S "$ovs_dir/db.sock" ] && break
		sleep 0.05
	done
	vsctl --no-wait init &&
		vsctl --no-wait set Open_vSwitch . \
			other_config:dpdk-init=true \
			other_config:dpdk-lcore-mask=0x1 \
			other_config:pmd-cpu-mask=0x2 \
			other_config:dpdk-extra="--no-pci --file-prefix=bench-ovs-$$ ${OVS_EXTRA[*]}" \
			other_config:max-idle=60000 \
			"${OVS_MEM[@]}" ||
		return 1
	ovs_ns=bench-ovs-$$
	ip netns add "$ovs_ns" || return 1
	# No IPv6 chatter from br-phy's tap into the underlay.
	ip netns exec "$ovs_ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
	ip netns exec "$ovs_ns" "$OVS_VSWITCHD" "unix:$ovs_dir/db.sock" \
		--pidfile="$ovs_dir/vswitchd.pid" \
		--unixctl="$ovs_dir/vswitchd.ctl" \
		--log-file="$ovs_dir/vswitchd.log" -vconsole:off \
		>/dev/null 2>&1 &
	vswitchd_pid=$!
	echo "$vswitchd_pid" >"$ovs_dir/vswitchd.started"
	for _ in $(seq 1 300); do
		[ "$(vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ] && break
		kill -0 "$vswitchd_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ "$(vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null)" != true ]; then
		echo "bench: ovs-vswitchd did not initialise DPDK:" >&2
		tail -n 20 "$ovs_dir/vswitchd.log" >&2
		return 1
	fi
	vsctl add-br br-phy -- set Bridge br-phy datapath_type=netdev \
		-- add-port br-phy ul -- set Interface ul type=dpdk \
		options:dpdk-devargs="$ul" mtu_request=1600 \
		-- add-br br-int -- set Bridge br-int datapath_type=netdev \
		-- add-port br-int fwd -- set Interface fwd type=dpdk \
		options:dpdk-devargs=net_null0,no-rx=1 ofport_request=2 \
		-- add-port br-int vx0 -- set Interface vx0 type=vxlan \
		options:remote_ip=198.18.1.3 options:key=100 ofport_request=3 ||
		return 1
	ip netns exec "$ovs_ns" ip addr add 198.18.1.10/24 dev br-phy &&
		ip netns exec "$ovs_ns" ip link set br-phy up || return 1
	# ovs-vswitchd learns br-phy's address from netlink, a moment later;
	# until then the route has no source address and is refused.
	local ok=
	for _ in $(seq 1 50); do
		appctl ovs/route/add 198.18.1.3/32 br-phy >/dev/null 2>&1 &&
			ok=1 && break
		sleep 0.1
	done
	[ -n "$ok" ] || {
		echo "bench: OVS refused the route to 198.18.1.3 via br-phy" >&2
		return 1
	}
	appctl tnl/neigh/set br-phy 198.18.1.3 02:00:00:00:01:03 >/dev/null ||
		return 1
	ofctl del-flows "unix:$ovs_dir/br-phy.mgmt" &&
		ofctl add-flow "unix:$ovs_dir/br-phy.mgmt" \
			"in_port=LOCAL,actions=output:ul" &&
		ofctl del-flows "unix:$ovs_dir/br-int.mgmt" || return 1
	# The traffic starts when its port does: flows first.
	ovs_flows "$3" &&
		vsctl add-port br-int in -- set Interface in type=dpdk \
			options:dpdk-devargs="$rx" ofport_request=1 || return 1
	local st
	for p in in fwd ul; do
		st=$(vsctl get Interface "$p" error 2>/dev/null)
		if [ -n "$st" ] && [ "$st" != "[]" ]; then
			echo "bench: OVS port $p: $st" >&2
			return 1
		fi
	done
}

# The scenario's flows (and mirror) on br-int, by port number (in 1, fwd
# 2, vx0 3): in is added after them.
ovs_flows() { # scenario
	local br="unix:$ovs_dir/br-int.mgmt"
	case $1 in
	F) ofctl add-flow "$br" "in_port=1,actions=output:2" ;;
	S3 | S4)
		ofctl add-flow "$br" "in_port=1,actions=output:2" &&
			vsctl -- --id=@p get Port vx0 \
				-- --id=@m create Mirror name=all select_all=true \
				output_port=@p -- set Bridge br-int mirrors=@m \
				>/dev/null
		;;
	S2) ofctl add-flow "$br" "in_port=1,actions=output:3" ;;
	*) return 1 ;;
	esac
}

# The datapath's port counters, all in one reply (so that they are taken
# at the same moment): prints "time in_rx fwd_tx ul_tx ul_tx_dropped".
ovs_snap() {
	local t
	t=$(date +%s.%N)
	appctl dpctl/show -s | awk -v t="$t" '
		/^  port [0-9]+: / { name = $3 }
		/^    RX packets:/ { split($2, a, ":"); rx[name] = a[2] }
		/^    TX packets:/ { split($2, a, ":"); tx[name] = a[2]
			split($4, b, ":"); drop[name] = b[2] }
		END { print t, rx["in"] + 0, tx["fwd"] + 0, tx["ul"] + 0, drop["ul"] + 0 }'
}

# One measured run; prints "in_rx_pps fwd_tx_pps copies_pps copies_dropped"
# (copies: what the underlay port sent, dropped: what it could not).
run_ovs() { # scenario
	local a b
	if ! ovs_start "$work/$(frames_of "$1")" "" "$1"; then
		[ -n "$ovs_dir" ] && tail -n 20 "$ovs_dir/vswitchd.log" >&2
		ovs_stop
		echo "0 0 0 0"
		return
	fi
	sleep 2
	a=$(ovs_snap)
	sleep "$SECS"
	b=$(ovs_snap)
	# What the datapath does in forward + mirror (for ovs_prove).
	[ "$1" = S3 ] && appctl dpctl/dump-flows >"$work/ovs-flows.txt" 2>&1
	ovs_stop
	echo "$a $b" | awk '{ dt = $6 - $1
		printf "%.0f %.0f %.0f %d\n", ($7 - $2) / dt, ($8 - $3) / dt, ($9 - $4) / dt, $10 - $5 }'
}
OVS_CAP_FRAMES=1024

# Proof that OVS encapsulates: the datapath flows of forward + mirror, and
# a short run with the underlay port writing a pcap, decoded by tshark.
ovs_prove() {
	local cap=$work/ovs-ul.pcap n
	echo
	echo "OVS-DPDK encapsulation check (forward + mirror all, 64 B):"
	if ! grep -q 'tnl_push(' "$work/ovs-flows.txt" 2>/dev/null; then
		echo "bench: OVS's datapath flows have no tnl_push:" >&2
		cat "$work/ovs-flows.txt" >&2 2>/dev/null
		return 1
	fi
	grep 'tnl_push(' "$work/ovs-flows.txt" | head -n 1 |
		sed -e 's/^/  dpctl flow: /' -e 's/\(.\{400\}\).*/\1 .../'
	rm -f "$cap"
	if ! ovs_start "$work/f64.pcap" "$cap" S3; then
		ovs_stop
		echo "bench: the OVS capture run did not start" >&2
		return 1
	fi
	# The frames play once; OVS sets up its datapath flow on the first.
	sleep 2
	ovs_stop
	if ! command -v tshark >/dev/null; then
		echo "bench: tshark is missing (Debian package tshark): cannot decode OVS's frames" >&2
		return 1
	fi
	# One line per frame: outer and inner addresses, ports, VNI, length.
	tshark -r "$cap" -T fields -E separator=' ' -e ip.src -e ip.dst \
		-e udp.dstport -e vxlan.vni -e frame.len 2>/dev/null |
		awk '{ split($1, s, ","); split($2, d, ","); split($3, p, ",")
			if ($4 == 100 && d[1] == "198.18.1.3" && p[1] == 4789 &&
			    d[2] ~ /^198\.1[89]\./) {
				if (!n++)
					first = sprintf("outer %s > %s udp %s vni %s, inner %s > %s, %s bytes", s[1], d[1], p[1], $4, s[2], d[2], $5)
			}
		}
		END { print NR + 0, n + 0; print first }' >"$work/ovs-cap.txt"
	read -r total n <"$work/ovs-cap.txt"
	if [ "${n:-0}" -eq 0 ]; then
		echo "bench: no VxLAN frame (VNI 100, inner 198.18.x) in what OVS sent on its underlay port" >&2
		tshark -r "$cap" -c 5 2>&1 | sed 's/^/  /' >&2
		return 1
	fi
	echo "  captured on the underlay ($OVS_CAP_FRAMES frames played once): $total frame(s), $n VxLAN VNI 100 to 198.18.1.3 with an inner 198.18.x packet; the first:"
	echo "  $(sed -n 2p "$work/ovs-cap.txt")"
}
