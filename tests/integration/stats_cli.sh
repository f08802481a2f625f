#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# dpmirrorctl stats and dpmirrorctl reload (DESIGN sections 3, 5 and 8),
# which read a dpmirror's DPDK telemetry socket without an EAL.
#
# First against fake_telemetry.py, a stand-in socket answering from the
# recorded replies in tests/data/telemetry/stats_reply.json:
#   - no process, a stale socket, a process without the commands (null),
#     one that closes at once (10 clients), replies that are not JSON or
#     answer another command: exit 2 with a message naming the socket;
#   - --json is the object of section 5 rebuilt from the fixture's reply
#     (which dpdk-telemetry.py shows as it is): names with '-' and '.'
#     decoded from telemetry's "/XX", duration_s with its fraction,
#     workers an array; --prometheus passes `promtool check metrics` and
#     carries the fixture's values under the decoded names; the text block
#     shows them in dpmirror's layout, rates from two reads; --watch
#     redraws on a terminal and appends otherwise;
#   - a reply that left workers and ports out ("omitted"): ports fetched
#     one by one, workers said to be missing, exit 0;
#   - a reply longer than the greeting's max_output_len, or than 1 MiB:
#     refused with a message;
#   - reload: applied (exit 0, the new generation and latency), refused
#     (exit 2, every error whole, also past 127 bytes, and how many more
#     dpmirror did not keep), no verdict in time (exit 2), a pid that is
#     not the socket's is never signalled.
# Then against a real dpmirror on pcap vdevs (no hugepages), with sessions
# named web-1 and b.x: text, --json against dpdk-telemetry.py and equal to
# the --stats-json file, --prometheus through promtool, each with the
# decoded names; reload applied, refused for a bad file (every problem
# whole; the running configuration stays) and for a port-level change.
#
# Environment: DPMIRROR, DPMIRRORCTL, DPM_SRCDIR (see meson.build).
# Exit 0 pass, 1 fail, 77 skip (python3, promtool or dpdk-telemetry.py
# missing).

set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${DPM_SRCDIR:-$(cd "$here/../.." && pwd)}
ctl=${DPMIRRORCTL:-$src/build/dpmirrorctl}
dpm=${DPMIRROR:-$src/build/dpmirror}
# Absolute: the real part runs in a directory of its own.
ctl=$(realpath "$ctl")
dpm=$(realpath "$dpm")
py=/usr/bin/python3
fake=$here/fake_telemetry.py
fixture=$src/tests/data/telemetry/stats_reply.json
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

for tool in "$py" promtool dpdk-telemetry.py; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "stats_cli: SKIP: $tool not found (scripts/bootstrap.sh" \
			"installs it)"
		exit 77
	fi
done
teltool=$(command -v dpdk-telemetry.py)

if [ "$(id -u)" -eq 0 ]; then
	rundir=/var/run/dpdk
else
	rundir=${XDG_RUNTIME_DIR:-/tmp}/dpdk
fi

tmp=$(mktemp -d /tmp/dpm-stats-cli.XXXXXX)
fake_pid=
dpm_pid=
victim=
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	local p
	for p in $fake_pid $dpm_pid $victim; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	# Only the runtime directories of this test's prefixes.
	rm -rf "$rundir/dsc$$" "$rundir"/dsc$$-*
	rm -rf "$tmp"
}
trap cleanup EXIT

# run PROG ARGS...: sets rc, out, err.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# fake NAME ARGS...: a fake telemetry socket with --file-prefix
# dsc$$-NAME; sets P.
fake() {
	local name=$1 _
	shift
	stop_fake
	P=dsc$$-$name
	"$py" "$fake" --prefix "$P" --fixture "$fixture" "$@" \
		>"$tmp/fake-$name.out" 2>"$tmp/fake-$name.err" &
	fake_pid=$!
	for _ in $(seq 1 50); do
		grep -q ready "$tmp/fake-$name.out" 2>/dev/null && return 0
		sleep 0.1
	done
	bad "fake telemetry socket $name did not start: $(cat "$tmp/fake-$name.err")"
	return 1
}

stop_fake() {
	if [ -n "$fake_pid" ]; then
		kill -TERM "$fake_pid" 2>/dev/null
		wait "$fake_pid" 2>/dev/null
		fake_pid=
	fi
}

# expect_fail WHAT WORDS ARGS...: `dpmirrorctl ARGS` exits 2 with WORDS
# and the socket path on stderr, nothing on stdout.
expect_fail() {
	local what=$1 words=$2
	shift 2
	run "$ctl" "$@"
	if [ "$rc" -eq 2 ] && [[ "$err" == *"$words"* ]] &&
		[[ "$err" == *"$rundir/$P/dpdk_telemetry.v2"* ]] &&
		[ -z "$out" ]; then
		ok "$what: exit 2: ${err%%$'\n'*}"
	else
		bad "$what: exit $rc, stdout '${out:0:80}', stderr '$err'"
	fi
}

# ---- No process, or not the right one --------------------------------

P=dsc$$-none
for cmd in stats reload; do
	expect_fail "$cmd with no such process" \
		"no dpmirror with --file-prefix $P: $rundir/$P/dpdk_telemetry.v2 does not exist; is it running, and with that --file-prefix?" \
		$cmd --file-prefix "$P"
done

# A socket file left behind by a process that is gone.
P=dsc$$-stale
mkdir -p "$rundir/$P"
"$py" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1])' "$rundir/$P/dpdk_telemetry.v2"
expect_fail "stats on a stale socket" "nothing listens on" \
	stats --file-prefix "$P"
rm -rf "${rundir:?}/$P"

fake null --mode null
expect_fail "stats from a process without the commands" \
	"answered null to /dpmirror/stats" stats --file-prefix "$P"
expect_fail "reload of a process without the commands" \
	"answered null to /dpmirror/version" reload --file-prefix "$P"
fake close --mode close
expect_fail "stats when the process closes at once" \
	"closed the connection" stats --file-prefix "$P" --json
fake garbage --mode garbage
expect_fail "stats with a reply that is not JSON" "is not valid JSON" \
	stats --file-prefix "$P" --prometheus
fake wrongkey --mode wrongkey
expect_fail "stats with a reply to another command" \
	'is not {"/dpmirror/stats": ...}' stats --file-prefix "$P" --json

# ---- The recorded replies ---------------------------------------------

fake fixture
run "$ctl" stats --file-prefix "$P" --json
printf '%s\n' "$out" >"$tmp/ctl.json"
echo /dpmirror/stats | "$py" "$teltool" -f "$P" >"$tmp/tel.json" 2>&1
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/ctl.json")" -eq 1 ] &&
	"$py" - "$tmp/ctl.json" "$fixture" "$tmp/tel.json" <<'EOF'
import json, re, sys
ctl = json.load(open(sys.argv[1]))
fixture = json.load(open(sys.argv[2]))["/dpmirror/stats"]
tel = json.load(open(sys.argv[3]))["/dpmirror/stats"]
# Section 5 from the telemetry reply, by the rules of ctl_telemetry.c.
dec = lambda k: re.sub(r"/([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), k)
want = {"duration_s": fixture["duration_us"] / 1e6}
for k in ("ports", "sessions", "collectors", "workers", "config"):
    v = fixture[k]
    if k == "workers":
        v = [v[str(i)] for i in range(len(v))]
    elif k != "config":
        v = {dec(n): o for n, o in v.items()}
    want[k] = v
names = ["web-1", "b.x"]
ok = (ctl == want and list(ctl) == list(want) and tel == fixture and
      all(n in ctl["sessions"] for n in names) and
      "tap-0.1" in ctl["ports"] and "lb-1.b" in ctl["collectors"] and
      '"duration_s":12.5' in open(sys.argv[1]).read())
sys.exit(0 if ok else 1)
EOF
then
	ok "stats --json: one line, the fixture's object as section 5 (names web-1, b.x, tap-0.1, lb-1.b decoded, duration_s 12.5, workers an array); dpdk-telemetry.py shows the reply as sent"
else
	bad "stats --json: exit $rc, $(head -c 200 "$tmp/ctl.json") vs $(head -c 200 "$tmp/tel.json")"
fi

# check_prom WHAT FILE JSON: FILE passes promtool, each family has one
# HELP and one TYPE, counters end in _total, and every counter of JSON
# (the object of DESIGN section 5) is there with its value.
check_prom() {
	local what=$1 file=$2 json=$3 msg
	if msg=$(promtool check metrics <"$file" 2>&1); then
		ok "$what: promtool check metrics passes"
	else
		bad "$what: promtool check metrics: $msg"
	fi
	if msg=$("$py" - "$file" "$json" 2>&1 <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read()
st = json.load(open(sys.argv[2]))
help_, type_, samples = {}, {}, {}
for line in text.splitlines():
    m = re.match(r'# (HELP|TYPE) (\S+) (.*)$', line)
    if m:
        d = help_ if m.group(1) == "HELP" else type_
        if m.group(2) in d:
            sys.exit("two %s lines for %s" % (m.group(1), m.group(2)))
        d[m.group(2)] = m.group(3)
        continue
    m = re.match(r'([a-z_]+)(\{[^}]*\})? (\S+)$', line)
    if not m:
        sys.exit("not a sample: %r" % line)
    if m.group(1) not in type_:
        sys.exit("sample before its TYPE: %r" % line)
    samples[(m.group(1), m.group(2) or "")] = float(m.group(3))
for name, t in type_.items():
    if name not in help_:
        sys.exit("no HELP for " + name)
    if (t == "counter") != name.endswith("_total"):
        sys.exit("%s is a %s" % (name, t))
    if not name.startswith("dpmirror_"):
        sys.exit(name + " lacks the dpmirror_ prefix")
# Names as dpmirror writes them in telemetry keys, decoded.
dec = lambda k: re.sub(r"/([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), k)
for part in ("ports", "sessions", "collectors"):
    if part in st:
        st[part] = {dec(k): v for k, v in st[part].items()}
want = {}
for p, c in st["ports"].items():
    for k, v in c.items():
        want[("dpmirror_port_%s_total" % k, '{port="%s"}' % p)] = v
for s, c in st["sessions"].items():
    for k, v in c.items():
        if k == "dropped":
            for r, n in v.items():
                want[("dpmirror_session_dropped_total",
                      '{session="%s",reason="%s"}' % (s, r))] = n
        else:
            want[("dpmirror_session_%s_total" % k, '{session="%s"}' % s)] = v
workers = st["workers"]
if isinstance(workers, dict):
    workers = list(workers.values())
for w in workers:
    for k, v in w.items():
        if k != "lcore":
            want[("dpmirror_worker_%s_total" % k,
                  '{worker="%d"}' % w["lcore"])] = v
for k, v in st.get("config", {}).items():
    want[("dpmirror_config_" + k + ("" if k == "generation" else "_total"),
          "")] = v
for c, o in st.get("collectors", {}).items():
    for k, v in o.items():
        if k in ("mac", "neighbor"):
            continue
        want[("dpmirror_collector_" + k + ("" if k == "next_seq" else "_total"),
              '{collector="%s"}' % c)] = v
    want[("dpmirror_collector_info",
          '{collector="%s",mac="%s",neighbor="%s"}'
          % (c, o["mac"], o["neighbor"]))] = 1
dur = st["duration_us"] / 1e6 if "duration_us" in st else st["duration_s"]
# The JSON may come from a later read than the exposition: every counter
# of a dpmirror whose input is done stays, but its duration moves on.
d = samples.get(("dpmirror_duration_seconds", ""))
if d is None or not (0 <= dur - d < 5):
    sys.exit("dpmirror_duration_seconds is %s, the JSON says %s" % (d, dur))
for key, v in want.items():
    if samples.get(key) != float(v):
        sys.exit("%s%s is %s, the JSON says %s" % (key[0], key[1],
                 samples.get(key), v))
print("%d families, %d samples, %d checked against the JSON" %
      (len(type_), len(samples), len(want) + 1))
EOF
	); then
		ok "$what: $msg"
	else
		bad "$what: $msg"
	fi
}

run "$ctl" stats --file-prefix "$P" --prometheus
printf '%s\n' "$out" >"$tmp/prom.txt"
"$py" -c 'import json, sys
print(json.dumps(json.load(open(sys.argv[1]))["/dpmirror/stats"]))' \
	"$fixture" >"$tmp/fixture-stats.json"
if [ "$rc" -eq 0 ]; then
	check_prom "stats --prometheus (fixture)" "$tmp/prom.txt" \
		"$tmp/fixture-stats.json"
else
	bad "stats --prometheus: exit $rc: $err"
fi
for line in 'dpmirror_port_rx_packets_total{port="in"} 370' \
	'dpmirror_session_dropped_total{session="everything",reason="sampled_out"} 246' \
	'dpmirror_worker_busy_cycles_total{worker="1"} 1532230' \
	'dpmirror_collector_packets_total{collector="web4"} 116' \
	'dpmirror_collector_info{collector="v6",mac="02:00:00:00:01:06",neighbor="resolved"} 1' \
	'dpmirror_duration_seconds 12.500000' \
	'dpmirror_port_rx_packets_total{port="tap-0.1"} 17' \
	'dpmirror_session_matched_total{session="web-1"} 41' \
	'dpmirror_session_dropped_total{session="web-1",reason="rate_limited"} 1' \
	'dpmirror_session_mirrored_total{session="b.x"} 7' \
	'dpmirror_collector_next_seq{collector="lb-1.b"} 5' \
	'dpmirror_collector_info{collector="lb-1.b",mac="02:00:00:00:01:0b",neighbor="pending"} 1' \
	'# TYPE dpmirror_config_generation gauge'; do
	if grep -qxF "$line" "$tmp/prom.txt"; then
		ok "stats --prometheus: $line"
	else
		bad "stats --prometheus: no line '$line'"
	fi
done

# The text block: dpmirror's cells, a timestamp, rates over 1 s of the
# fixture's unchanging counters: 0.
run "$ctl" stats --file-prefix "$P"
if [ "$rc" -eq 0 ] &&
	grep -qE "^dpmirror --file-prefix $P \(pid $fake_pid\) at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} .*, running 12.5 s, configuration generation 1" <<<"$out" &&
	grep -qF "NIC statistics for port in       ####" <<<"$out" &&
	grep -qxF "  RX-packets: 370        RX-missed: 0          RX-bytes:  69944" <<<"$out" &&
	grep -qxF "  TX-packets: 699        TX-dropped: 0         TX-bytes:  135167" <<<"$out" &&
	grep -qxF "  Matched: 370          Mirrored: 124          Mirrored-bytes: 32850" <<<"$out" &&
	grep -qxF "  Mirrored-pps: 0       Dropped: sampled_out=246 rate_limited=0 no_mbuf=0 tx_full=0 too_big=0 no_neighbor=0" <<<"$out" &&
	grep -qxF "  Rx-pps:            0          Rx-bps:            0" <<<"$out" &&
	grep -qxF "  Collector v6: TX-packets: 84  TX-bytes: 13046  Next-seq: 0  Next-hop: 02:00:00:00:01:06 resolved" <<<"$out" &&
	grep -qxF "  Collector web4: TX-packets: 116  TX-bytes: 33958  Next-seq: 0" <<<"$out" &&
	grep -qF "NIC statistics for port tap-0.1  ####" <<<"$out" &&
	grep -qF " Mirror session web-1    " <<<"$out" &&
	grep -qF " Mirror session b.x      " <<<"$out" &&
	grep -qxF "  Collector lb-1.b: TX-packets: 33  TX-bytes: 3300  Next-seq: 5  Next-hop: 02:00:00:00:01:0b pending" <<<"$out" &&
	! grep -qF "/2" <<<"$out"; then
	ok "stats: the text block with a timestamp, dpmirror's cells, names decoded"
else
	bad "stats: exit $rc: $out $err"
fi

# Counters growing by 100 a read, the duration by 1 s: 100 pps.
fake grow --grow 100
run "$ctl" stats --file-prefix "$P"
if [ "$rc" -eq 0 ] &&
	[ "$(grep -cxF "  Rx-pps:          100          Rx-bps:          800" <<<"$out")" -eq 4 ] &&
	[ "$(grep -cF "Mirrored-pps: 100 " <<<"$out")" -eq 9 ] &&
	grep -qF "Throughput (over the last 1.0 s)" <<<"$out" &&
	grep -qxF "  RX-packets: 470        RX-missed: 100        RX-bytes:  70044" <<<"$out"; then
	ok "stats: rates from two reads (100 pps, 800 bps on each port)"
else
	bad "stats: rates: exit $rc: $out $err"
fi

# --watch: appended when not a terminal, stopped by SIGINT with exit 0.
run timeout --preserve-status -s INT 1.6 "$ctl" stats --file-prefix "$P" \
	--watch 0.4
n=$(grep -c "^dpmirror --file-prefix" <<<"$out")
if [ "$rc" -eq 0 ] && [ "$n" -ge 2 ] && ! grep -q $'\033' <<<"$out"; then
	ok "stats --watch 0.4 to a pipe: $n blocks appended, no escapes, exit 0 on SIGINT"
else
	bad "stats --watch to a pipe: exit $rc, $n blocks: $err"
fi
run timeout --preserve-status -s INT 1.6 "$ctl" stats --file-prefix "$P" \
	--json --watch 0.4
if [ "$rc" -eq 0 ] && "$py" - "$tmp/out" <<'EOF'
import json, sys
rx = [json.loads(l)["ports"]["in"]["rx_packets"] for l in open(sys.argv[1])]
sys.exit(0 if len(rx) >= 2 and rx == sorted(rx) and rx[0] < rx[-1] else 1)
EOF
then
	ok "stats --json --watch: one object a line, growing"
else
	bad "stats --json --watch: exit $rc: ${out:0:200} $err"
fi
if command -v script >/dev/null 2>&1; then
	script -qfec "timeout --preserve-status -s INT 1.6 $ctl stats --file-prefix $P --watch 0.4" \
		/dev/null >"$tmp/tty.out" 2>&1
	rc=$?
	n=$(grep -c $'\033\[H\033\[2J' "$tmp/tty.out")
	if [ "$rc" -eq 0 ] && [ "$n" -ge 2 ]; then
		ok "stats --watch on a terminal: redrawn in place ($n clears)"
	else
		bad "stats --watch on a terminal: exit $rc, $n clears"
	fi
fi

# ---- A reply that left objects out --------------------------------------

# dpmirror leaves out workers, then ports, when one reply would pass 16
# KB, and lists them under "omitted" (an array here, a string of names
# in the second run): ports come one by one from /dpmirror/ports,NAME.
for form in array string; do
	if [ "$form" = string ]; then
		fake omit-$form --omit workers,ports --omit-string
	else
		fake omit-$form --omit workers,ports
	fi
	run "$ctl" stats --file-prefix "$P" --json
	printf '%s\n' "$out" >"$tmp/omit.json"
	if [ "$rc" -eq 0 ] &&
		[[ "$err" == *"left workers out of /dpmirror/stats"* ]] &&
		"$py" - "$tmp/omit.json" "$fixture" <<'EOF'
import json, re, sys
ctl = json.load(open(sys.argv[1]))
fixture = json.load(open(sys.argv[2]))["/dpmirror/stats"]
dec = lambda k: re.sub(r"/([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), k)
ports = {dec(n): o for n, o in fixture["ports"].items()}
sys.exit(0 if ctl["ports"] == ports and list(ctl["ports"]) == list(ports)
         and ctl["omitted"] == ["workers"] and "workers" not in ctl
         and len(ctl["sessions"]) == 9 else 1)
EOF
	then
		ok "stats --json with workers and ports omitted ($form): ports fetched by name (tap-0.1 too), \"omitted\": [\"workers\"], a note on stderr"
	else
		bad "stats --json with objects omitted ($form): exit $rc, $(head -c 300 "$tmp/omit.json"), $err"
	fi
done
run "$ctl" stats --file-prefix "$P"
if [ "$rc" -eq 0 ] && grep -qF "NIC statistics for port tap-0.1" <<<"$out" &&
	grep -qxF "  Left out of the reply by dpmirror: workers" <<<"$out" &&
	[ "$(grep -c "left workers out" <<<"$err")" -eq 1 ]; then
	ok "stats (text) with objects omitted: ports shown, workers said to be left out"
else
	bad "stats (text) with objects omitted: exit $rc: ${out:0:300} $err"
fi
run "$ctl" stats --file-prefix "$P" --prometheus
printf '%s\n' "$out" >"$tmp/omit-prom.txt"
if [ "$rc" -eq 0 ] && promtool check metrics <"$tmp/omit-prom.txt" >/dev/null 2>&1 &&
	grep -qxF 'dpmirror_port_rx_packets_total{port="tap-0.1"} 17' "$tmp/omit-prom.txt"; then
	ok "stats --prometheus with objects omitted: passes promtool, ports there"
else
	bad "stats --prometheus with objects omitted: exit $rc: $err"
fi

# Replies larger than the client accepts: the greeting's max_output_len,
# and never more than 1 MiB whatever the greeting says.
fake small --max-output-len 2048
expect_fail "stats with a reply longer than max_output_len" \
	"bytes, more than the 2048 accepted" stats --file-prefix "$P" --json
if [ "$(id -u)" -eq 0 ]; then
	fake huge --max-output-len 4194304 --pad 1200000
	expect_fail "stats with a reply of more than 1 MiB" \
		"bytes, more than the 1048576 accepted" \
		stats --file-prefix "$P" --json
fi

# ---- Reload against the fake ------------------------------------------

fake reload-ok --reload ok
for gen in 2 3; do
	run "$ctl" reload --file-prefix "$P"
	if [ "$rc" -eq 0 ] &&
		[ "$out" = "reloaded: generation $gen (latency 1234 us)" ]; then
		ok "reload applied: exit 0, $out"
	else
		bad "reload applied: exit $rc, '$out', '$err'"
	fi
done
fake reload-fail --reload fail
run "$ctl" reload --file-prefix "$P"
if [ "$rc" -eq 2 ] && [ -z "$out" ] &&
	[[ "$err" == *"refused by dpmirror pid $fake_pid; the running configuration (generation 1) stays"* ]] &&
	[[ "$err" == *"[session web] filter = nosuch: no [filter nosuch]"* ]] &&
	[[ "$err" == *"[port in] device: changed; a port-level key needs a restart"* ]] &&
	grep -qE '^  mixed.ini: error: \[session lb\] filter = nosuch2: no \[filter nosuch2\]; valid: filter_number_00, .*, filter_number_11$' <<<"$err" &&
	[ "$(grep -c "^  mixed.ini: error: " <<<"$err")" -eq 3 ] &&
	! grep -q "more not shown" <<<"$err"; then
	ok "reload refused: exit 2, the three errors whole (one of $(grep -m1 nosuch2 <<<"$err" | wc -c) bytes)"
else
	bad "reload refused: exit $rc, '$out', '$err'"
fi
fake reload-many --reload failmany
run "$ctl" reload --file-prefix "$P"
if [ "$rc" -eq 2 ] &&
	[ "$(grep -c "^  mixed.ini: error: " <<<"$err")" -eq 16 ] &&
	grep -qxF "  (4 more not shown)" <<<"$err" &&
	grep -qF "filter_number_11" <<<"$err"; then
	ok "reload refused with 20 problems: the 16 dpmirror keeps, whole, then (4 more not shown)"
else
	bad "reload refused with 20 problems: exit $rc, '$err'"
fi
fake reload-none --reload none
start=$SECONDS
run "$ctl" reload --file-prefix "$P" --timeout 1
if [ "$rc" -eq 2 ] && [[ "$err" == *"no verdict from dpmirror pid $fake_pid within 1 s"* ]] &&
	[ $((SECONDS - start)) -le 4 ]; then
	ok "reload without a verdict: exit 2 after --timeout 1"
else
	bad "reload without a verdict: exit $rc after $((SECONDS - start)) s: $err"
fi
# A /dpmirror/version pid that is not the socket's: nobody is signalled.
sleep 60 &
victim=$!
fake wrong-pid --version-pid "$victim"
run "$ctl" reload --file-prefix "$P"
if [ "$rc" -eq 2 ] && [[ "$err" == *"not signalling"* ]] &&
	kill -0 "$victim" 2>/dev/null; then
	ok "reload with a pid that is not the socket's: exit 2, nothing signalled"
else
	bad "reload with a foreign pid: exit $rc: $err"
fi
kill "$victim" 2>/dev/null
wait "$victim" 2>/dev/null
victim=
stop_fake

# ---- A real dpmirror ----------------------------------------------------

if ! [ -x "$dpm" ]; then
	bad "dpmirror not found at $dpm"
	summary stats_cli
	exit
fi
if ! "$py" -c 'import scapy.all' >/dev/null 2>&1; then
	echo "stats_cli: the real dpmirror part needs scapy; not run"
	summary stats_cli
	exit
fi
P=dsc$$
work=$tmp/real
mkdir -p "$work"
cd "$work" || exit 1
"$py" "$here/mixed_traffic.py" in.pcap >/dev/null
cp "$here/mixed.ini" mixed.ini
# Names that telemetry keys cannot hold as they are ('-', '.').
cat >>mixed.ini <<'EOF'

[session web-1]
sources = in:rx
collector = rej4
filter = udp

[session b.x]
sources = in:rx
collector = all8472 gre-1.s ers2 span

[collector gre-1.s]
port = out
encap = gre
key = 5
seq = yes
remote_ip = 198.18.1.8
local_ip = 198.18.1.10
remote_mac = 02:00:00:00:01:09

[collector ers2]
port = out
encap = erspan2
session_id = 7
remote_ip = fd00:1::8
local_ip = fd00:1::10
remote_mac = 02:00:00:00:01:0a

[collector span]
port = out
encap = none
vlan = 42
EOF
"$dpm" --no-huge -m 512 --no-pci --file-prefix "$P" -l 0,1 \
	--log-level '*:notice' -- -c mixed.ini --stats-json stats.json \
	--stats-interval 0 >dpmirror.out 2>dpmirror.err &
dpm_pid=$!

# Until every frame of in.pcap is counted (bounded: 30 s).
rx=
deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$dpm_pid" 2>/dev/null; do
	if "$ctl" stats --file-prefix "$P" --json >live.json 2>live.err; then
		rx=$("$py" -c 'import json, sys
print(json.load(open(sys.argv[1]))["ports"]["in"]["rx_packets"])' live.json)
		[ "$rx" = 370 ] && break
	fi
	sleep 0.2
done
if [ "$rx" = 370 ]; then
	ok "dpmirror: stats --json answers, in.rx_packets = 370"
else
	# Nothing after this can pass.
	bad "dpmirror: stats --json: rx_packets '$rx': $(cat live.err)"
	echo "--- dpmirror stderr (last 20 lines)"
	tail -n 20 dpmirror.err
	summary stats_cli
	exit
fi

run "$ctl" stats --file-prefix "$P"
if [ "$rc" -eq 0 ] &&
	grep -qE "^dpmirror --file-prefix $P \(pid $dpm_pid\) at " <<<"$out" &&
	grep -qE "^  RX-packets: 370 +RX-missed: 0 +RX-bytes:  [0-9]+$" <<<"$out" &&
	[ "$(grep -c "Mirror session" <<<"$out")" -eq 9 ] &&
	grep -qF " Mirror session web-1    " <<<"$out" &&
	grep -qF " Mirror session b.x      " <<<"$out"; then
	ok "dpmirror: stats, text: 3 ports, 9 sessions (web-1, b.x), RX-packets 370"
	printf '%s\n' "$out" >"$tmp/real-text.txt"
else
	bad "dpmirror: stats, text: exit $rc: ${out:0:300} $err"
fi

# --json = the --stats-json file written on SIGUSR1 right after: the same
# keys in the same order, the same names, the same values (the pcap is
# read whole, so only the durations and the workers' busy cycles and
# loops still move); dpdk-telemetry.py shows the same counters under the
# encoded names.
run "$ctl" stats --file-prefix "$P" --json
printf '%s\n' "$out" >ctl.json
echo /dpmirror/stats | "$py" "$teltool" -f "$P" >tel.json 2>&1
stats_now "$dpm_pid" stats.json
if [ "$rc" -eq 0 ] && msg=$("$py" - ctl.json tel.json stats.json 2>&1 <<'EOF'
import json, sys
import re
ctl = json.load(open(sys.argv[1]))
tel = json.load(open(sys.argv[2]))["/dpmirror/stats"]
fil = json.load(open(sys.argv[3]))

def shape(o):
    """The keys, in order, all the way down."""
    if isinstance(o, dict):
        return [(k, shape(v)) for k, v in o.items()]
    if isinstance(o, list):
        return [shape(v) for v in o]
    return type(o).__name__

if shape(ctl) != shape(fil):
    sys.exit("--json and the --stats-json file differ in shape: %s vs %s"
             % (shape(ctl), shape(fil)))
for o in (ctl, fil):
    if not isinstance(o["duration_s"], float):
        sys.exit("duration_s is not a number with decimals: %r"
                 % o["duration_s"])
    o.pop("duration_s")
    for w in o["workers"]:
        w.pop("busy_cycles", None)
        w.pop("loops", None)
if ctl != fil:
    sys.exit("--json differs from the --stats-json file: %s vs %s"
             % (ctl, fil))
for n in ("web-1", "b.x"):
    if n not in ctl["sessions"]:
        sys.exit("no session %s in --json" % n)
dec = lambda k: re.sub(r"/([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), k)
if {dec(k): v for k, v in tel["sessions"].items()} != ctl["sessions"] or \
        "web/2d1" not in tel["sessions"]:
    sys.exit("dpdk-telemetry.py's sessions differ from --json's")
print("%d ports, %d sessions (web-1 %d matched, b.x %d), %d workers"
      % (len(ctl["ports"]), len(ctl["sessions"]),
         ctl["sessions"]["web-1"]["matched"],
         ctl["sessions"]["b.x"]["matched"], len(ctl["workers"])))
EOF
); then
	ok "dpmirror: stats --json = the --stats-json file ($msg)"
else
	bad "dpmirror: stats --json: exit $rc: ${msg:-} $(head -c 300 tel.json)"
fi

# The collectors (DESIGN section 5): every one of the file, what each
# port sent as copies is what its collectors sent, next_seq only for gre
# with seq = yes and erspan2, and there the number of copies sent (none
# was refused); the text block's lines and the per-collector telemetry
# command say the same.
echo /dpmirror/collectors,gre-1.s | "$py" "$teltool" -f "$P" >tel-g.json 2>&1
echo /dpmirror/collectors,span | "$py" "$teltool" -f "$P" >tel-span.json 2>&1
if msg=$("$py" - ctl.json "$tmp/real-text.txt" tel-g.json tel-span.json 2>&1 <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read().splitlines()
tg = json.load(open(sys.argv[3]))["/dpmirror/collectors"]
ts = json.load(open(sys.argv[4]))["/dpmirror/collectors"]
cs = st["collectors"]
names = ["web4", "v6", "vlan4", "all8472", "rej4", "icmp6", "lb1", "lb2",
         "gre-1.s", "ers2", "span"]
if list(cs) != names:
    sys.exit("collectors %s, want %s" % (list(cs), names))
if list(st)[:4] != ["duration_s", "ports", "sessions", "collectors"]:
    sys.exit("collectors not after sessions: %s" % list(st))
if sum(c["packets"] for c in cs.values()) != st["ports"]["out"]["mirror_packets"]:
    sys.exit("collectors sent %d, port out %d" % (
        sum(c["packets"] for c in cs.values()),
        st["ports"]["out"]["mirror_packets"]))
for n, c in cs.items():
    seq = n in ("gre-1.s", "ers2")
    if ("next_seq" in c) != seq:
        sys.exit("%s: next_seq %s" % (n, "missing" if seq else "present"))
    if seq and c["next_seq"] != c["packets"]:
        sys.exit("%s: next_seq %d, %d copies sent" % (n, c["next_seq"],
                                                      c["packets"]))
    if list(c)[-2:] != ["mac", "neighbor"] or c["neighbor"] != "static":
        sys.exit("%s: %s" % (n, c))
for n in ("gre-1.s", "ers2", "span"):
    if cs[n]["packets"] == 0:
        sys.exit("nothing sent to %s" % n)
if cs["span"]["mac"] != "" or cs["gre-1.s"]["mac"].lower() != "02:00:00:00:01:09":
    sys.exit("macs: %s %s" % (cs["span"]["mac"], cs["gre-1.s"]["mac"]))
g, e, sp = cs["gre-1.s"], cs["ers2"], cs["span"]
want = [
    "  Collector gre-1.s (gre -> 198.18.1.8): TX-packets: %d  TX-bytes: %d  Next-seq: %d"
    % (g["packets"], g["bytes"], g["next_seq"]),
    "  Collector ers2 (erspan2 -> fd00:1::8): TX-packets: %d  TX-bytes: %d  Next-seq: %d"
    % (e["packets"], e["bytes"], e["next_seq"]),
    "  Collector span (none vlan 42 -> port out): TX-packets: %d  TX-bytes: %d"
    % (sp["packets"], sp["bytes"]),
    "  Collector web4 (vxlan -> 198.18.1.3): TX-packets: %d  TX-bytes: %d"
    % (cs["web4"]["packets"], cs["web4"]["bytes"]),
]
for w in want:
    if w not in text:
        sys.exit("no line %r in the text block" % w)
# The per-collector command: the keys its encap takes, and its counters.
if (tg["encap"] != "gre" or tg["key"] != 5 or tg["seq"] != "yes" or
        "vni" in tg or "dst_port" in tg or "session_id" in tg or
        tg["stats"] != g or tg["remote_ip"] != "198.18.1.8"):
    sys.exit("/dpmirror/collectors,gre-1.s: %s" % tg)
if (ts["encap"] != "none" or ts["vlan"] != 42 or "remote_ip" in ts or
        "remote_mac" in ts or "vni" in ts or ts["stats"] != sp):
    sys.exit("/dpmirror/collectors,span: %s" % ts)
print("%d collectors, %d copies; gre-1.s next_seq %d, ers2 %d, span %d"
      % (len(cs), st["ports"]["out"]["mirror_packets"], g["next_seq"],
         e["next_seq"], sp["packets"]))
EOF
); then
	ok "dpmirror: collectors in --json, the text block and /dpmirror/collectors,NAME ($msg)"
else
	bad "dpmirror: collectors: $msg"
fi

run "$ctl" stats --file-prefix "$P" --prometheus
printf '%s\n' "$out" >prom.txt
"$ctl" stats --file-prefix "$P" --json >now.json
if [ "$rc" -eq 0 ]; then
	check_prom "dpmirror: stats --prometheus" prom.txt now.json
	if grep -qE '^dpmirror_session_matched_total\{session="web-1"\} [0-9]+$' prom.txt &&
		grep -qE '^dpmirror_session_matched_total\{session="b.x"\} 370$' prom.txt; then
		ok "dpmirror: stats --prometheus: sessions web-1 and b.x by their names"
	else
		bad "dpmirror: stats --prometheus: no web-1 or b.x: $(grep session_matched prom.txt)"
	fi
	if grep -qE '^dpmirror_collector_packets_total\{collector="gre-1.s"\} [1-9][0-9]*$' prom.txt &&
		grep -qE '^dpmirror_collector_next_seq\{collector="ers2"\} [1-9][0-9]*$' prom.txt &&
		grep -qxF '# TYPE dpmirror_collector_bytes_total counter' prom.txt &&
		! grep -qF 'dpmirror_collector_next_seq{collector="span"}' prom.txt; then
		ok "dpmirror: stats --prometheus: collector counters (gre-1.s, ers2's next_seq, none for span)"
	else
		bad "dpmirror: stats --prometheus: collectors: $(grep collector prom.txt | head -20)"
	fi
else
	bad "dpmirror: stats --prometheus: exit $rc: $err"
fi

# Reload: the same file, a changed filter, a bad file, a port change.
# gen_of: the generation /dpmirror/config gives now.
gen_of() {
	echo /dpmirror/config | "$py" "$teltool" -f "$P" 2>/dev/null |
		"$py" -c 'import json, sys
c = json.load(sys.stdin)["/dpmirror/config"]
print(c["generation"], c["reloads_ok"], c["reloads_failed"])'
}
g0=$(gen_of)
run "$ctl" reload --file-prefix "$P"
if [ "$rc" -eq 0 ] &&
	[[ "$out" =~ ^reloaded:\ generation\ ([0-9]+)\ \(latency\ [0-9]+\ us\)$ ]] &&
	[ "${BASH_REMATCH[1]}" -eq $((${g0%% *} + 1)) ]; then
	ok "dpmirror: reload of the same file: exit 0, $out"
else
	bad "dpmirror: reload: exit $rc, '$out', '$err' (before: $g0)"
fi
sed -i 's/^filter = web$/filter = icmp/' mixed.ini
run "$ctl" reload --file-prefix "$P"
if [ "$rc" -eq 0 ] && [[ "$out" == "reloaded: generation "* ]]; then
	ok "dpmirror: reload of a changed filter: exit 0, $out"
else
	bad "dpmirror: reload of a changed filter: exit $rc, '$out', '$err'"
fi
g1=$(gen_of)
sed -i 's/^filter = icmp$/filter = nosuch/' mixed.ini
run "$ctl" reload --file-prefix "$P"
g2=$(gen_of)
if [ "$rc" -eq 2 ] && [ -z "$out" ] && [[ "$err" == *"nosuch"* ]] &&
	grep -qE '^  \[session web\] filter = nosuch: .{60,}, udp \(or omit filter to mirror everything\)$' <<<"$err" &&
	[ "${g2%% *}" = "${g1%% *}" ] &&
	"$ctl" stats --file-prefix "$P" --json >after.json &&
	[ "$("$py" -c 'import json, sys
print(len(json.load(open(sys.argv[1]))["sessions"]))' after.json)" = 9 ]; then
	ok "dpmirror: reload of a bad file: exit 2, every problem whole ($(grep -m1 "filter = nosuch" <<<"$err" | wc -c) bytes, past DPDK's 127); generation ${g2%% *} and 9 sessions stay"
else
	bad "dpmirror: reload of a bad file: exit $rc, '$out', '$err' ($g1 -> $g2)"
fi
sed -i 's/^filter = nosuch$/filter = web/' mixed.ini
sed -i 's/^mtu = 9000$/mtu = 8000/' mixed.ini
run "$ctl" reload --file-prefix "$P"
if [ "$rc" -eq 2 ] && [[ "$err" == *"restart"* ]]; then
	ok "dpmirror: reload of a port change: exit 2: $(grep -m1 restart <<<"$err" | sed 's/^ *//')"
else
	bad "dpmirror: reload of a port change: exit $rc, '$out', '$err'"
fi

kill -TERM "$dpm_pid"
rc=0
deadline=$((SECONDS + 20))
while kill -0 "$dpm_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
	sleep 0.1
done
if kill -0 "$dpm_pid" 2>/dev/null; then
	bad "dpmirror did not exit within 20 s of SIGTERM"
	kill -9 "$dpm_pid"
fi
wait "$dpm_pid" || rc=$?
dpm_pid=
check "dpmirror exits 0 on SIGTERM (status $rc)" [ "$rc" -eq 0 ]
run "$ctl" stats --file-prefix "$P"
if [ "$rc" -eq 2 ] && [[ "$err" == *"$rundir/$P/dpdk_telemetry.v2"* ]]; then
	ok "stats after dpmirror exited: exit 2: $err"
else
	bad "stats after dpmirror exited: exit $rc: $err"
fi

summary stats_cli
