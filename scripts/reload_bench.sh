#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The live-reload measurement: RELOADS (100) reloads by SIGHUP while
# dpmirror forwards a replayed capture as fast as it can (net_pcap
# infinite_rx -> net_null, inline) and mirrors it to net_null collectors:
# a mirror-all session, filtered sessions whose filters change at each
# reload, a session replaced at each reload, fillers up to the limit of
# 16 sessions at some reloads (tests/integration/reload.sh, which this
# runs with RELOADS and RELOAD_REPORT=1).  Prints the originals lost, the
# conservation per session at exit, and the reload latency that dpmirror
# measures itself (last_reload.latency_us of /dpmirror/config: from the
# SIGHUP to the return of rte_rcu_qsbr_synchronize, every worker on the
# new ruleset).
#
#   scripts/reload_bench.sh [BUILD_DIR]     as root; BUILD_DIR: build
#
# Exit 0 when every check of the run passed.

set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$top/build}
if [ ! -x "$build/dpmirror" ]; then
	echo "reload_bench: no $build/dpmirror; build first (meson setup" \
		"$build && ninja -C $build) or give the build directory" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "reload_bench: run as root (the EAL's runtime directory and" \
		"its telemetry socket live under /var/run/dpdk)" >&2
	exit 2
fi
echo "reload_bench: ${RELOADS:-100} reloads under full load, $(nproc) CPUs," \
	"dpmirror $("$build/dpmirror" --version | awk '{ print $2 }')"
RELOAD_LCORES=${RELOAD_LCORES:--l 0,1} \
	RELOADS=${RELOADS:-100} RELOAD_REPORT=1 DPMIRROR=$build/dpmirror \
	DPM_SRCDIR=$top "$top/tests/integration/reload.sh"
