/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_TELEMETRY_H
#define DPMIRROR_CTL_TELEMETRY_H

/*
 * dpmirror's telemetry commands (DESIGN sections 3 and 8), answered on
 * the EAL's telemetry socket (<runtime dir>/dpdk_telemetry.v2), so that
 * `dpdk-telemetry.py -f PREFIX` and `dpmirrorctl stats` read them:
 *
 *   /dpmirror/stats        the section 5 object, as --stats-json writes it
 *                          (see the two differences below)
 *   /dpmirror/ports        ["p0", ...]        /dpmirror/ports,NAME
 *   /dpmirror/sessions     ["s1", ...]        /dpmirror/sessions,NAME
 *   /dpmirror/collectors   ["c1", ...]        /dpmirror/collectors,NAME
 *                          (the keys its encap takes, "mac", "neighbor"
 *                          and "stats", its section 5 object)
 *   /dpmirror/config       {"file", "generation", "reloads_ok",
 *                           "reloads_failed", "last_reload": {"time",
 *                           "result", "latency_us", "publish_us",
 *                           "n_errors", "errors": [...]}}
 *   /dpmirror/reload_errors  the problems of the last refused reload,
 *                          whole, in one string, one per line ("errors"
 *                          of /dpmirror/config cuts each at 127 bytes,
 *                          as DPDK 22.11 does every string in an array)
 *   /dpmirror/version      {"version", "pid"}
 *
 * DPDK 22.11's telemetry takes only A-Z a-z 0-9 _ and / in a key, so a
 * port or session name used as a key in /dpmirror/stats has every other
 * byte written as '/' and two lowercase hex digits ("web-1" is the key
 * "web/2d1"; no name holds a '/').  Names given as values (the lists,
 * "name" members) and as command parameters are as configured.
 *
 * DPDK 22.11's telemetry has no floating-point value and cannot nest an
 * array of objects, so /dpmirror/stats gives "duration_s" in whole seconds
 * with "duration_us" beside it, and "workers" as an object keyed by worker
 * index ("0", "1", ...) whose members are the --stats-json array's
 * elements.  A reply is at most 16 KB: the per-object commands take a
 * name, and the lists give names only.  Should the statistics of every
 * port, session, collector and worker not fit (many workers, collectors
 * with long names, large counters), /dpmirror/stats leaves out
 * "workers", then "collectors", then "ports", and names what it left out
 * in "omitted" ("workers", "workers collectors" or "workers collectors
 * ports"); /dpmirror/ports,NAME and /dpmirror/collectors,NAME still give
 * each one.  With 16 sessions, 64 collectors (names of 3 to 8
 * characters), 3 ports and 1 worker the reply is about 9 KB.
 *
 * A command before the workers run, or after they stopped, answers null
 * (as an unknown command does).  An unknown NAME answers null too.
 *
 * The callbacks run on the EAL's telemetry threads; they read the
 * configuration in force and the reload status under the reload's lock
 * (ctl_reload.h) and the counters with relaxed atomic loads, never
 * touching the workers.
 */

#include <stddef.h>

#include "cfg.h"
#include "ctl_reload.h"

/*
 * Register the commands, answering from R (which must outlive the
 * process's telemetry: a static object).  Once per process; 0 or a
 * negative errno.
 */
int ctl_telemetry_init(struct ctl_reload *r);

#endif /* DPMIRROR_CTL_TELEMETRY_H */
