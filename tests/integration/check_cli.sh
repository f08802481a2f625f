#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `dpmirrorctl check` and the command-line surface of dpmirrorctl and
# dpmirror.  Exit 0 = pass, 1 = fail, 77 = skip.  The cases that run
# dpmirror start an EAL (--no-huge, file prefix hc-cli-PID, removed at the
# end) only where they test it; the cases marked (root) run commands as user
# nobody and are skipped without root.
#
#   DPMIRROR     path of the dpmirror binary (default: build/dpmirror; its
#                cases are skipped when it is missing)
#   DPMIRRORCTL  path of the dpmirrorctl binary (default: build/dpmirrorctl)
#   DPM_SRCDIR   source root (default: two levels above this script)
#
# Cases:
#   - every config/*.ini is valid: exit 0 and "FILE: valid (...)" on stdout;
#   - every tests/data/cfg/bad/*.ini is refused: exit 2, nothing on stdout,
#     and the stderr text contains what its first line `; expect: TEXT` says;
#   - remote_mac = auto with IPv4 and IPv6 next hops: exit 0; next_hop with
#     a fixed remote_mac: exit 2 naming next_hop;
#   - a file that does not exist: exit 2 with "cannot read";
#   - usage errors (no command, unknown command, check without FILE, check
#     with two files): exit 1 with the usage on stderr;
#   - -h, --help and help: exit 0 with the usage (listing check) on stdout;
#   - check of what is not a regular file (/dev/zero, a FIFO, a directory)
#     or is over the 4 MiB limit: exit 2 at once, saying so;
#   - control bytes in arguments and in a file are echoed escaped;
#   - dpmirror --stats-interval that is not a decimal 0..3600 ('', ' 5',
#     '-0', '+5', '5 ', 20 digits, ...): refused before the EAL starts;
#   - dpmirrorctl kernel add with bad numbers: usage errors (exit 1) before
#     anything touches the kernel;
#   - dpmirror --stats-json - writes the JSON to stdout, the text to stderr;
#   - dpmirror --stats-json into a missing directory, onto a symbolic link
#     or a directory: exit 2 at start, naming the path;
#   - dpmirror -m 64 with pools that need more: the message says how many MB
#     they need and which -m would do, and that -m does;
#   - (root) playground up and kernel add as nobody: refused with a hint to
#     run as root, and nothing left behind.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
ctl=${DPMIRRORCTL:-$srcdir/build/dpmirrorctl}
dpm=${DPMIRROR:-$srcdir/build/dpmirror}
prefix=hc-cli-$$

if [ ! -x "$ctl" ]; then
	echo "check_cli: SKIP: no dpmirrorctl at $ctl (set DPMIRRORCTL)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_cli.XXXXXX") || exit 1
rundir=
cleanup() {
	rm -rf "$tmp" "/var/run/dpdk/$prefix" "${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix" \
		${rundir:+"$rundir"}
}
trap cleanup EXIT

# ok, bad, check, summary
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

# run ARGS...: run dpmirrorctl, bounded in time; sets rc, out, err.
run() {
	timeout 10 "$ctl" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# Valid example configurations.
n_good=0
for f in "$srcdir"/config/*.ini; do
	[ -e "$f" ] || continue
	n_good=$((n_good + 1))
	name="good $(basename "$f")"
	run check "$f"
	if [ "$rc" -ne 0 ]; then
		bad "$name: exit $rc, want 0: $err"
	elif [[ "$out" != "$f: valid ("*" ports, "*" collectors, "*" sessions, "*" filters, "*" rules)" ]]; then
		bad "$name: unexpected output: $out"
	elif [ -n "$err" ]; then
		bad "$name: unexpected stderr: $err"
	else
		ok "$name: $out"
	fi
done
if [ "$n_good" -eq 0 ]; then
	bad "no config/*.ini found under $srcdir"
fi

# Broken configurations, each naming the text its first message must hold.
n_bad=0
for f in "$srcdir"/tests/data/cfg/bad/*.ini; do
	[ -e "$f" ] || continue
	n_bad=$((n_bad + 1))
	name="bad $(basename "$f")"
	first=$(head -n 1 "$f")
	expect=${first#"; expect: "}
	if [ "$expect" = "$first" ] || [ -z "$expect" ]; then
		bad "$name: first line is not '; expect: TEXT'"
		continue
	fi
	run check "$f"
	if [ "$rc" -ne 2 ]; then
		bad "$name: exit $rc, want 2"
	elif [ -n "$out" ]; then
		bad "$name: unexpected stdout: $out"
	elif ! grep -qF -- "$f: error: " "$tmp/err"; then
		bad "$name: no '$f: error: ' line on stderr: $err"
	elif ! grep -qF -- "$expect" "$tmp/err"; then
		bad "$name: stderr lacks '$expect': $err"
	else
		ok "$name: $(head -n 1 "$tmp/err")"
	fi
done
if [ "$n_bad" -lt 12 ]; then
	bad "only $n_bad tests/data/cfg/bad/*.ini cases, want at least 12"
fi

# remote_mac = auto: IPv4 and IPv6 next hops on a port of their own are
# valid; next_hop without auto is refused naming the key.
cat >"$tmp/auto.ini" <<'EOF'
[port p0]
device = net_null0
peer = p1
[port p1]
device = net_null1
peer = p0
[port out]
device = net_null2
[collector c4]
port = out
remote_ip = 198.18.2.3
local_ip = 198.18.1.10
remote_mac = auto
next_hop = 198.18.1.1
[collector c6]
port = out
remote_ip = fd00:1::3
local_ip = fd00:1::10
remote_mac = auto
[session s1]
sources = p0:rx p1:rx
collector = c4 c6
EOF
run check "$tmp/auto.ini"
if [ "$rc" -eq 0 ] && [[ "$out" == *"valid (3 ports, 2 collectors"* ]]; then
	ok "remote_mac = auto: $out"
else
	bad "remote_mac = auto: exit $rc, want 0: $out $err"
fi
sed 's/^remote_mac = auto$/remote_mac = 02:00:00:00:01:03/' "$tmp/auto.ini" >"$tmp/nh.ini"
run check "$tmp/nh.ini"
if [ "$rc" -eq 2 ] && [ -z "$out" ] &&
	[[ "$err" == *"[collector c4] next_hop = 198.18.1.1: next_hop is only for remote_mac = auto"* ]]; then
	ok "next_hop without auto: exit 2, $err"
else
	bad "next_hop without auto: exit $rc, want 2 naming next_hop: $out $err"
fi

# A file that cannot be read.
run check "$tmp/does-not-exist.ini"
if [ "$rc" -eq 2 ] && [[ "$err" == *"cannot read $tmp/does-not-exist.ini: No such file"* ]]; then
	ok "missing file: exit 2, $err"
else
	bad "missing file: exit $rc, want 2 with 'cannot read': $err"
fi

# Usage errors: exit 1, a message and the usage on stderr.
usage_case() {
	local name=$1
	shift
	run "$@"
	if [ "$rc" -eq 1 ] && [[ "$err" == *"usage:"* ]] && [[ "$err" == *"check [--] FILE"* ]] && [ -z "$out" ]; then
		ok "usage error ($name): exit 1"
	else
		bad "usage error ($name): exit $rc, want 1 with usage on stderr: $err"
	fi
}
usage_case "no command"
usage_case "unknown command" frobnicate
usage_case "check without FILE" check
usage_case "check with two files" check "$srcdir/config/pcap-demo.ini" extra

# Help: exit 0, usage on stdout listing check.
for h in -h --help help; do
	run "$h"
	if [ "$rc" -eq 0 ] && [[ "$out" == *"usage:"* ]] && [[ "$out" == *"check [--] FILE"* ]]; then
		ok "help ($h): exit 0"
	else
		bad "help ($h): exit $rc, want 0 with usage on stdout"
	fi
done

# What is not a regular file, or is too large: refused at once (run is
# bounded by timeout 10: a read that never ends fails with 124).
mkfifo "$tmp/fifo.ini"
truncate -s $((4 * 1024 * 1024 + 1)) "$tmp/big.ini"
for c in "/dev/zero|a character device, not a regular file" \
	"$tmp/fifo.ini|a FIFO (named pipe), not a regular file" \
	"$tmp|a directory, not a regular file" \
	"$tmp/big.ini|4194305 bytes, over the limit of 4 MiB"; do
	f=${c%%|*}
	want=${c#*|}
	run check "$f"
	if [ "$rc" -eq 2 ] && [ -z "$out" ] && [[ "$err" == *"cannot read $f: $want"* ]]; then
		ok "check $f: exit 2, $err"
	else
		bad "check $f: exit $rc, want 2 with 'cannot read $f: $want': $err"
	fi
done

# Control bytes in arguments and in the file are shown escaped.
has_raw_control() {
	LC_ALL=C grep -q '[[:cntrl:]]' <<<"$1"
}
run $'\e[31mfrob\r'
if [ "$rc" -eq 1 ] && [[ "$err" == *"unknown command '\\x1b[31mfrob\\r'"* ]] &&
	! has_raw_control "$(tr -d '\n' <"$tmp/err")"; then
	ok "unknown command with control bytes: shown escaped"
else
	bad "unknown command with control bytes: exit $rc, want 1 with '\\x1b[31mfrob\\r': $(cat -A "$tmp/err" | head -n 2)"
fi
printf '[dpmirror]\nbur\rst = 5\nmode = \033[2Jtap\n' >"$tmp/ctl.ini"
run check "$tmp/ctl.ini"
if [ "$rc" -eq 2 ] && [[ "$err" == *'[dpmirror] bur\rst = 5: unknown key'* ]] &&
	[[ "$err" == *'[dpmirror] mode = \x1b[2Jtap: unknown mode'* ]] &&
	! has_raw_control "$(tr -d '\n' <"$tmp/err")"; then
	ok "check: control bytes of keys and values shown escaped"
else
	bad "check: control bytes not escaped: $(cat -A "$tmp/err" | head -n 3)"
fi
run kernel add --dev $'et\th0' --remote 198.18.1.3
if [ "$rc" -eq 1 ] && [[ "$err" == *"device et\\th0: not an interface name"* ]] && ! has_raw_control "$(tr -d '\n' <"$tmp/err")"; then
	ok "kernel --dev with a tab: shown escaped"
else
	bad "kernel --dev with a tab: exit $rc: $(cat -A "$tmp/err" | head -n 2)"
fi

# dpmirrorctl kernel add: numbers are decimal digits in range, refused
# (exit 1) with the message a [kernel] section gets for the same value,
# before anything touches the kernel (the namespace does not exist:
# reaching the kernel would fail with exit 2 instead).
kargs=(kernel add --netns "hcnone$$" --dev eth0 --remote 198.18.1.3
	--local 198.18.1.2 --vni 100 --underlay eth1)
for c in "--vni|" "--vni| 5" "--vni|-0" "--vni|+5" "--vni|5 " "--vni|0x10" \
	"--vni|1e3" "--vni|5abc" "--vni|16777216" "--vni|99999999999999999999" \
	"--dstport|0" "--dstport|+4789" "--dstport|65536" "--sport|-1" \
	"--sport|80 " "--dport|0x50" "--dport|65536" "--proto|+6" "--proto|256" \
	"--proto| 6" "--src|198.18.0.0/+24" "--src|198.18.0.0/ 24" \
	"--src|198.18.0.0/" "--src|198.18.0.0/33" "--dst|fd00::/0x10" \
	"--dst|fd00::/129"; do
	opt=${c%%|*}
	val=${c#*|}
	case $opt in
	--vni) what="VXLAN network identifier $val" ;;
	--dstport) what="VXLAN destination port $val" ;;
	*) what="${opt#--} $val" ;;
	esac
	run "${kargs[@]}" "$opt" "$val"
	if [ "$rc" -eq 1 ] && [ -z "$out" ] &&
		[[ "$err" == "dpmirrorctl kernel: $what"* ]]; then
		ok "kernel add $opt '$val': refused"
	else
		bad "kernel add $opt '$val': exit $rc, want 1 naming '$what': $err"
	fi
done

# dpmirror: a valid configuration on pcap files in $tmp.
have_dpm=0
if [ -x "$dpm" ] && /usr/bin/python3 - "$tmp/in.pcap" 2>/dev/null <<'EOF'; then
import sys
from scapy.all import Ether, IP, UDP, wrpcap
wrpcap(sys.argv[1], [Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
	IP(src="198.18.0.1", dst="198.18.0.2") / UDP(sport=1000 + i, dport=53) /
	(b"x" * 32) for i in range(8)])
EOF
	have_dpm=1
	cat >"$tmp/pcap.ini" <<EOF
[dpmirror]
mirror_pool = 16384
stats_interval = 0
[port in]
device = net_pcap0,rx_pcap=$tmp/in.pcap
peer = fwd
[port fwd]
device = net_pcap1,tx_pcap=$tmp/fwd.pcap
[port out]
device = net_pcap2,tx_pcap=$tmp/mirror.pcap
[collector c1]
port = out
remote_ip = 198.18.1.3
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:03
[session s1]
sources = in:rx
collector = c1
EOF
else
	echo "check_cli: dpmirror cases skipped: no dpmirror at $dpm or no scapy"
fi

# run_dpm [-m MB] [-s SIGNAL SECONDS] APP-ARGS...: dpmirror with the EAL
# options of this test, bounded in time; sets rc, out, err.
run_dpm() {
	local mem=512 sig=TERM secs=10
	if [ "$1" = -m ]; then
		mem=$2
		shift 2
	fi
	if [ "$1" = -s ]; then
		sig=$2
		secs=$3
		shift 3
	fi
	(cd "$tmp" && timeout --preserve-status -s "$sig" "$secs" "$dpm" --no-huge -m "$mem" \
		--no-pci -l 0,1 --file-prefix "$prefix" -- "$@") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# No EAL started: no EAL line, no runtime directory.
no_eal() {
	[[ "$err$out" != *"EAL:"* ]] && [ ! -e "/var/run/dpdk/$prefix" ]
}

if [ "$have_dpm" -eq 1 ]; then
	for v in "" " 5" "-0" "+5" "5 " "99999999999999999999" "0x10" "3601"; do
		run_dpm -c "$tmp/pcap.ini" --stats-interval "$v"
		if [ "$rc" -ne 0 ] && [[ "$err" == *"--stats-interval '$v': "*"0..3600"* ]] && no_eal; then
			ok "dpmirror --stats-interval '$v': exit $rc before the EAL"
		else
			bad "dpmirror --stats-interval '$v': exit $rc, want non-zero with the message and no EAL: $err"
		fi
	done

	mkdir "$tmp/dir.json"
	ln -s "$tmp/victim.json" "$tmp/link.json"
	for c in "$tmp/missing/s.json|its directory $tmp/missing does not exist" \
		"$tmp/link.json|is a symbolic link" \
		"$tmp/dir.json|is a directory"; do
		f=${c%%|*}
		want=${c#*|}
		run_dpm -c "$tmp/pcap.ini" --stats-json "$f"
		if [ "$rc" -eq 2 ] && [[ "$err" == *"--stats-json $f: $want"* ]] && no_eal &&
			[ ! -e "$tmp/victim.json" ]; then
			ok "dpmirror --stats-json $f: exit 2 at start: $err"
		else
			bad "dpmirror --stats-json $f: exit $rc, want 2 with '$want' before the EAL: $err"
		fi
	done

	# Pools larger than the EAL's memory: say how much, and what -m.
	run_dpm -m 64 -c "$tmp/pcap.ini"
	m=$(grep -o -- '-m [0-9]*' "$tmp/err" | head -n 1 | cut -d' ' -f2)
	if [ "$rc" -ne 0 ] && [[ "$err" == *"cannot create the mbuf pools: they need about "*" MB"* ]] &&
		[[ "$err" == *"MB free"* ]] && [ -n "$m" ]; then
		ok "dpmirror -m 64: exit $rc: $(grep -o 'cannot create.*' "$tmp/err")"
		run_dpm -m "$m" -s INT 4 -c "$tmp/pcap.ini" --stats-json "$tmp/s.json"
		if [ "$rc" -eq 0 ] && [ -s "$tmp/s.json" ]; then
			ok "dpmirror -m $m (the suggested value): runs, exit 0"
		else
			bad "dpmirror -m $m (the suggested value): exit $rc: $err"
		fi
	else
		bad "dpmirror -m 64: exit $rc, want non-zero saying how many MB and which -m: $err"
	fi

	# --stats-json -: the objects on stdout (a stream jq reads), the text
	# block on stderr.
	run_dpm -s INT 3 -c "$tmp/pcap.ini" --stats-json - --stats-interval 1
	n=$(jq -s 'length' <<<"$out" 2>/dev/null)
	rx=$(jq -s '.[-1].ports.in.rx_packets' <<<"$out" 2>/dev/null)
	if [ "$rc" -eq 0 ] && [ "${n:-0}" -ge 1 ] && [ "$rx" = 8 ] &&
		[[ "$err" == *"RX-packets"* ]] && [[ "$out" != *"RX-packets"* ]]; then
		ok "dpmirror --stats-json -: $n object(s) on stdout (rx_packets $rx), the text on stderr"
	else
		bad "dpmirror --stats-json -: exit $rc, $n object(s), rx_packets '$rx': $out $err"
	fi
	rm -rf "/var/run/dpdk/$prefix"
fi

# (root) Without root, a hint to run as root, and nothing left behind.
# The playground's lock directory is one nobody may write (an empty one of
# this test's), so that up gets as far as the kernel.
if [ "$(id -u)" -eq 0 ] &&
	[ "$(setpriv --reuid=65534 --regid=65534 --clear-groups -- id -u 2>/dev/null)" = 65534 ]; then
	rundir=$(mktemp -d "${TMPDIR:-/tmp}/hc-cli-run.XXXXXX") && chmod 0777 "$rundir"
	nobody() {
		(cd / && DPMIRROR_RUNDIR=$rundir timeout 10 \
			setpriv --reuid=65534 --regid=65534 --clear-groups -- "$ctl" "$@") \
			>"$tmp/out" 2>"$tmp/err"
		rc=$?
		err=$(cat "$tmp/err")
	}
	leftovers() {
		{
			ls /run/netns 2>/dev/null
			ip -o link show 2>/dev/null | awk -F': ' '{print $2}'
		} | grep -E '^hcz' | tr '\n' ' '
	}
	nobody playground up --prefix hcz
	left=$(leftovers)
	if [ "$rc" -ne 0 ] && [[ "$err" == *"CAP_NET_ADMIN"*"run as root"* ]] && [ -z "$left" ]; then
		ok "playground up as nobody: exit $rc: $err"
	else
		bad "playground up as nobody: exit $rc, want non-zero with 'CAP_NET_ADMIN ... run as root' and nothing left (left: $left): $err"
	fi
	nobody kernel add --dev lo --remote 198.18.1.3 --local 198.18.1.2 --vni 100 \
		--underlay lo --name hczvx0 --ignore-mtu
	left=$(leftovers)
	if [ "$rc" -eq 2 ] && [[ "$err" == *"CAP_NET_ADMIN"*"run as root"* ]] && [ -z "$left" ]; then
		ok "kernel add as nobody: exit 2: $err"
	else
		bad "kernel add as nobody: exit $rc, want 2 with 'CAP_NET_ADMIN ... run as root' and nothing left (left: $left): $err"
	fi
	rm -rf "$rundir"
else
	echo "check_cli: the cases run as nobody are skipped (not root, or no setpriv)"
fi

summary check_cli
