#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Context figures for the benchmark: what DPDK's own ACL test program,
# dpdk-test-acl, measures for rte_acl on this machine, to set beside the
# ACL share of dpmirror's per-packet cost.  No traffic at all: dpdk-test-acl
# builds an rte_acl context from a rule file and classifies 5-tuples read
# from a trace file in memory, on one lcore (-l 0), without hugepages.
#
# For 100, 1 000 and 10 000 rules it measures:
#   build     wall time from the start of rte_acl_create() to the end of
#             rte_acl_build() (reading the rule file included), taken from
#             time stamps put on dpdk-test-acl's output lines as they come;
#   classify  dpdk-test-acl's own report of ITER passes over the trace, 256
#             tuples per rte_acl_classify() call, one category: TSC cycles
#             per packet and packets per second (shown as Mpps);
#   memory    the runtime size of the built context, from rte_acl's log;
# with the default classify method (the best one rte_acl picks for this CPU
# and the EAL's SIMD bitwidth, as dpmirror's contexts use) and, for
# contrast, --alg=scalar.  Each configuration runs REPS times; the table
# shows medians and the spread of the rate (other load on the machine shows
# up there).
#
# Input (generated here, deterministic): N rules in ClassBench format with
# IPv4 src/dst prefixes inside 198.18.0.0/15 (some wildcards), port ranges
# and TCP/UDP/any proto; per rule set, a trace in which every other tuple
# is drawn from a random rule (so it matches) and the rest are random.
# Before the timed runs, a prefix of each trace is classified with
# per-packet output and compared with a first-match reference computed
# here, so the files are known to mean what they should.
#
#   scripts/bench_acl.sh          100, 1000, 10000 rules, 100 000 tuples,
#                                 20 passes, 3 runs each (~30 s)
#   scripts/bench_acl.sh --quick  100 rules, 10 000 tuples, 1 run (a CI
#                                 smoke run, ~2 s)
# Environment: ALGS ("default scalar"; also sse, avx2, avx512x16 ...),
# ITER (passes over the trace), REPS (runs per configuration), LCORE (0),
# DPDK_TEST_ACL (the binary; default dpdk-test-acl from PATH).
# The whole script stops with an error past 100 s.
set -euo pipefail

PY=/usr/bin/python3
ACL=${DPDK_TEST_ACL:-dpdk-test-acl}
ALGS=${ALGS:-default scalar}
LCORE=${LCORE:-0}
BUDGET=100	# seconds for the whole script, split over the runs

if [ "${1:-}" = "--quick" ]; then
	RULES="100"
	TRACES=10000
	ITER=${ITER:-20}
	REPS=${REPS:-1}
elif [ $# -eq 0 ]; then
	RULES="100 1000 10000"
	TRACES=100000
	ITER=${ITER:-20}
	REPS=${REPS:-3}
else
	echo "usage: $0 [--quick]" >&2
	exit 2
fi

die() {
	echo "bench_acl: $*" >&2
	exit 1
}

if ! command -v "$ACL" >/dev/null 2>&1; then
	die "$ACL not found (Debian package dpdk; scripts/bootstrap.sh installs it)"
fi
[ -x "$PY" ] || die "$PY not found"
command -v stdbuf >/dev/null 2>&1 || die "stdbuf (coreutils) not found"

prefix=dpm-bench-acl-$$
if [ "$(id -u)" -eq 0 ]; then
	rundir=/var/run/dpdk/$prefix
else
	rundir=${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix
fi
work=$(mktemp -d /tmp/dpmirror-bench-acl.XXXXXX)
cleanup() {
	rm -rf "$work" "$rundir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

EAL=(--no-huge -m 1024 --no-pci -l "$LCORE" --file-prefix "$prefix"
	--no-telemetry --log-level=lib.acl:debug)

# Rule files rules-N, traces trace-N and, for a prefix of each trace, the
# expected results in expect-N: one line per tuple, the 0-based index of the
# first matching rule (dpdk-test-acl's priorities fall with the line
# number), or 4294967295 for none.
# shellcheck disable=SC2086
$PY - "$work" "$TRACES" $RULES <<'EOF' || die "generating the rule and trace files failed"
import random
import sys

work, ntrace, sizes = sys.argv[1], int(sys.argv[2]), [int(a) for a in sys.argv[3:]]
BASE = (198 << 24) | (18 << 16)	# 198.18.0.0/15
NOMATCH = 0xffffffff

def dotted(a):
	return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)

def prefix(r, anyp):
	if r.random() < anyp:
		return 0, 0
	plen = r.choice((15, 16, 20, 22, 24, 24, 26, 28, 30, 32, 32))
	mask = (0xffffffff << (32 - plen)) & 0xffffffff
	return (BASE | r.getrandbits(17)) & mask, plen

def port_range(r, kind):
	x = r.random()
	if kind == "src":
		if x < 0.8:
			return 0, 65535
		if x < 0.9:
			return 1024, 65535
		p = r.randint(1, 65535)
		return p, p
	if x < 0.5:
		p = r.choice((22, 53, 80, 123, 443, 514, 2055, 4789, 6343, 8080))
		return p, p
	if x < 0.8:
		lo = r.randint(1, 60000)
		return lo, lo + r.randint(1, 5000)
	return 0, 65535

def proto(r):
	x = r.random()
	return (6, 255) if x < 0.45 else (17, 255) if x < 0.8 else (0, 0)

def inside(r, a, plen):
	# A random address of the prefix (of 198.18.0.0/15 for a wildcard).
	if plen == 0:
		return BASE | r.getrandbits(17)
	return a | (r.getrandbits(32) & (0xffffffff >> plen))

def matches(rule, t):
	(sa, sl), (da, dl), (spl, sph), (dpl, dph), (pv, pm) = rule
	s, d, sp, dp, p = t
	sm = (0xffffffff << (32 - sl)) & 0xffffffff
	dm = (0xffffffff << (32 - dl)) & 0xffffffff
	return (s & sm == sa and d & dm == da and spl <= sp <= sph
		and dpl <= dp <= dph and p & pm == pv & pm)

for n in sizes:
	r = random.Random(n)
	rules = [(prefix(r, 0.25), prefix(r, 0.10), port_range(r, "src"),
		  port_range(r, "dst"), proto(r)) for _ in range(n)]
	with open("%s/rules-%d" % (work, n), "w") as f:
		for (sa, sl), (da, dl), (spl, sph), (dpl, dph), (pv, pm) in rules:
			f.write("@%s/%d %s/%d %d : %d %d : %d %d/0x%02x\n" % (
				dotted(sa), sl, dotted(da), dl, spl, sph, dpl, dph, pv, pm))
	trace = []
	for i in range(ntrace):
		if i % 2 == 0:
			(sa, sl), (da, dl), (spl, sph), (dpl, dph), (pv, pm) = r.choice(rules)
			t = (inside(r, sa, sl), inside(r, da, dl), r.randint(spl, sph),
			     r.randint(dpl, dph),
			     pv if pm else r.choice((6, 17)))
		else:
			t = (BASE | r.getrandbits(17), BASE | r.getrandbits(17),
			     r.randint(0, 65535), r.randint(0, 65535), r.choice((1, 6, 17)))
		trace.append(t)
	with open("%s/trace-%d" % (work, n), "w") as f:
		for t in trace:
			f.write("%d %d %d %d %d\n" % t)
	# A reference for a prefix of the trace, at about 2e6 rule checks.
	ncheck = max(16, min(2000, ntrace, 2000000 // n))
	with open("%s/expect-%d" % (work, n), "w") as f:
		for t in trace[:ncheck]:
			res = next((j for j, rule in enumerate(rules) if matches(rule, t)), NOMATCH)
			f.write("%d\n" % res)
EOF

# Run dpdk-test-acl with the given application arguments; its output, each
# line prefixed with a monotonic time stamp in seconds, goes to the file $1.
# Fails (with the output tail) if dpdk-test-acl fails or runs out of time.
run_acl() {
	local out=$1 left rc
	shift
	left=$((BUDGET - SECONDS))
	[ "$left" -gt 0 ] || die "out of time (${BUDGET} s) before: $*"
	[ "$left" -le 30 ] || left=30
	set +e
	timeout "$left" stdbuf -oL -eL "$ACL" "${EAL[@]}" -- "$@" 2>&1 |
		$PY -u -c '
import sys, time
for line in sys.stdin:
	sys.stdout.write("%.6f %s" % (time.monotonic(), line))
' >"$out"
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -ne 0 ]; then
		tail -n 15 "$out" | cut -d" " -f2- >&2
		if [ "$rc" -eq 124 ]; then
			die "dpdk-test-acl timed out after ${left} s: $*"
		fi
		die "dpdk-test-acl failed (exit $rc): $*"
	fi
}

echo "bench_acl: DPDK $(dpkg-query -W -f='${Version}' dpdk 2>/dev/null || echo '?')," \
	"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
	"$(nproc) CPUs"
echo "bench_acl: $ACL ${EAL[*]} -- --rulesf=rules-N --rulenum=N --tracef=trace-N --tracenum=$TRACES --iter=$ITER --verbose=0 [--alg=ALG]"
echo

# Check the meaning of the files: per-packet results against the reference.
# A trace file must not hold more tuples than --tracenum: dpdk-test-acl
# 22.11 then reads one tuple past its trace buffer (and may crash).
for n in $RULES; do
	k=$(wc -l <"$work/expect-$n")
	head -n "$k" "$work/trace-$n" >"$work/ctrace-$n"
	run_acl "$work/check-$n.log" --rulesf="$work/rules-$n" --rulenum="$n" \
		--tracef="$work/ctrace-$n" --tracenum="$k" --verbose=3
	sed -n 's/.*ipv4_5tuple: [0-9]*, category: 0, result: \([0-9]*\)$/\1/p' \
		"$work/check-$n.log" >"$work/got-$n"
	if ! cmp -s "$work/got-$n" "$work/expect-$n"; then
		diff "$work/expect-$n" "$work/got-$n" | head -n 10 >&2
		die "$n rules: dpdk-test-acl's results differ from the first-match reference"
	fi
	hit=$(grep -vc '^4294967295$' "$work/got-$n" || true)
	echo "check: $n rules: the first $k tuples of trace-$n give the reference" \
		"results ($hit of them match a rule)"
done
echo

rows="$work/rows"
for n in $RULES; do
	for alg in $ALGS; do
		algarg=()
		[ "$alg" = default ] || algarg=(--alg="$alg")
		for rep in $(seq 1 "$REPS"); do
			log="$work/run-$n-$alg-$rep.log"
			run_acl "$log" --rulesf="$work/rules-$n" --rulenum="$n" \
				--tracef="$work/trace-$n" --tracenum="$TRACES" \
				--iter="$ITER" --verbose=0 "${algarg[@]}"
			echo "--- $n rules, --alg=$alg, run $rep of $REPS:" \
				"dpdk-test-acl's lines with the figures"
			grep -E 'total: [0-9]+ bytes|rte_acl_build\(|  alg=|num_tries=|search_ip5tuples ' \
				"$log" | cut -d" " -f2- | sed 's/^/    /'
			# One tab-separated row per run: rules, method, tries,
			# runtime bytes, build s, packets, cycles/pkt, pkt/s.
			awk -v n="$n" -v alg="$alg" '
				/dump_config:/ { t0 = $1 }
				/rte_acl_build\(/ { t1 = $1; ok = ($NF == 0) }
				/ total: [0-9]+ bytes/ { mem = $3 }
				/^[0-9.]+ +alg=/ { split($2, a, "="); used = a[2] }
				/num_tries=/ { split($2, a, "="); tries = a[2] }
				/search_ip5tuples +@lcore/ {
					for (i = 1; i <= NF; i++) {
						if ($i == "pkts,") pkts = $(i - 1)
						if ($i == "cycles/pkt,") cpp = $(i - 1)
						if ($i == "pkt/sec") pps = $(i - 1)
					}
				}
				END {
					if (!ok || t0 == "" || pkts == "" || pps + 0 == 0)
						exit 1
					split("default scalar sse avx2 neon altivec " \
					      "avx512x16 avx512x32", names, " ")
					m = (alg == "default") ? "default=" names[used + 1] : alg
					printf "%s\t%s\t%s\t%s\t%.6f\t%s\t%s\t%s\n", n, m,
					       tries, mem, t1 - t0, pkts, cpp, pps
				}' "$log" >>"$rows" ||
				die "$n rules, --alg=$alg: could not read the figures from dpdk-test-acl's output"
		done
	done
done

echo
echo "dpdk-test-acl on lcore $LCORE, $TRACES-tuple trace x $ITER passes," \
	"1 category, 256 tuples per classify call;"
echo "medians of $REPS run(s) (Mpps range: slowest-fastest run):"
$PY - "$rows" <<'EOF'
import statistics
import sys

groups = {}
for line in open(sys.argv[1]):
	n, m, tries, mem, bld, pkts, cpp, pps = line.split("\t")
	groups.setdefault((int(n), m), []).append(
		(tries, int(mem), float(bld), int(pkts), float(cpp), float(pps)))
fmt = "%-6s %-18s %5s %8s %9s %8s %11s %10s %7s %13s"
print(fmt % ("rules", "method", "tries", "mem KiB", "build ms", "packets",
	     "classify ms", "cycles/pkt", "Mpps", "Mpps range"))
for (n, m), runs in groups.items():
	def med(i):
		return statistics.median(r[i] for r in runs)
	pps = [r[5] for r in runs]
	print(fmt % (n, m, runs[0][0], "%.0f" % (runs[0][1] / 1024),
		     "%.1f" % (med(2) * 1000), runs[0][3],
		     "%.2f" % (runs[0][3] / med(5) * 1000), "%.2f" % med(4),
		     "%.2f" % (med(5) / 1e6),
		     "%.2f-%.2f" % (min(pps) / 1e6, max(pps) / 1e6)))
EOF
