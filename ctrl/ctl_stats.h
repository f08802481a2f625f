/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_STATS_H
#define DPMIRROR_CTL_STATS_H

/*
 * Statistics of the dpmirror process (DESIGN section 5, a contract): the
 * testpmd-style text block and the --stats-json object.  The control
 * thread sums the workers' counters into a snapshot; rates are computed
 * from the difference between two snapshots.
 */

#include <stdint.h>
#include <stdio.h>

#include "cfg.h"
#include "dp_stats.h"

#define CTL_MAX_WORKERS 128

struct ctl_port_totals {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes; /* originals forwarded + copies sent */
	uint64_t fwd_packets, fwd_bytes, fwd_dropped;
	uint64_t mirror_packets, mirror_bytes, mirror_dropped;
	uint64_t tap_consumed;
	uint64_t rx_invalid, own_copies;
	uint64_t rx_missed, rx_errors, tx_errors; /* from the device */
};

struct ctl_snapshot {
	double t; /* seconds since the workers started */
	unsigned int n_ports, n_sessions, n_workers;
	const char *port_name[DP_MAX_PORTS];
	const char *session_name[DP_MAX_SESSIONS];
	struct ctl_port_totals port[DP_MAX_PORTS];
	struct dp_session_counters sess[DP_MAX_SESSIONS];
	unsigned int lcore[CTL_MAX_WORKERS];
	struct dp_worker_counters worker[CTL_MAX_WORKERS];
};

/*
 * Add one worker's counters (ST, running on LCORE) into S.  Call
 * ctl_snapshot_begin first and ctl_snapshot_device per port after.
 */
void ctl_snapshot_begin(struct ctl_snapshot *s, const struct cfg *cfg,
			double t);
void ctl_snapshot_add(struct ctl_snapshot *s, const struct dp_stats *st,
		      unsigned int lcore);
void ctl_snapshot_device(struct ctl_snapshot *s, unsigned int port,
			 uint64_t missed, uint64_t errors, uint64_t oerrors);

/* The testpmd-style block for CUR, rates since PREV (NULL: since start). */
void ctl_stats_print(FILE *f, const struct ctl_snapshot *cur,
		     const struct ctl_snapshot *prev);

/* The JSON object of DESIGN section 5. */
void ctl_stats_json(FILE *f, const struct ctl_snapshot *s);

/*
 * Write the JSON to PATH atomically: into a new file of mode 0644 with an
 * unpredictable name beside PATH (mkstemp), then renamed over PATH.  0 or
 * -errno: -ELOOP when PATH is a symbolic link, -EISDIR a directory,
 * -EINVAL another file that is not a regular file (each left as it is).
 */
int ctl_stats_json_file(const char *path, const struct ctl_snapshot *s);

#endif /* DPMIRROR_CTL_STATS_H */
