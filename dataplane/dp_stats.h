/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_STATS_H
#define DPMIRROR_DP_STATS_H

/*
 * Counters kept by each worker in its own cache lines and summed by the
 * control thread.  Drop reasons, and the counters of each port, session
 * and worker, are X-macro lists, so that the structs, the control
 * thread's sums and the names published (ctrl/ctl_stats.h) can never
 * drift apart.
 */

#include <stdint.h>

#include <rte_common.h>

#include "dp_limits.h"

/* X(enum suffix, name in stats) */
#define DP_DROP_REASONS(X)                                                     \
	X(SAMPLED_OUT, "sampled_out")                                          \
	X(RATE_LIMITED, "rate_limited")                                        \
	X(NO_MBUF, "no_mbuf")                                                  \
	X(TX_FULL, "tx_full")                                                  \
	X(TOO_BIG, "too_big")                                                  \
	/* the collector's next-hop MAC is not known (remote_mac = auto) */    \
	X(NO_NEIGHBOR, "no_neighbor")                                          \
	/* encap = none with a vlan: the frame is shorter than an Ethernet     \
	 * header, so there is no place for the tag */                         \
	X(RUNT, "runt")

enum dp_drop {
#define DP_DROP_ENUM(e, s) DP_DROP_##e,
	DP_DROP_REASONS(DP_DROP_ENUM)
#undef DP_DROP_ENUM
		DP_DROP_MAX
};

extern const char *const dp_drop_names[DP_DROP_MAX];

/*
 * The raw counters, one X-macro list per object, expanded into the structs
 * below (one uint64_t per entry, in list order: a worker's writes stay
 * plain stores into its own cache lines) and into the control thread's
 * sums (ctl_stats.c).  X(name, order): order IN for the counter of what
 * arrived (rx, matched), OUT for the counters of what became of it; a
 * snapshot reads OUT before IN (see dp_ctr_add_rel below).
 */

/* Per port, kept by each worker. */
#define DP_PORT_COUNTERS(X)                                                    \
	X(rx_packets, IN)                                                      \
	X(rx_bytes, IN)                                                        \
	/* originals sent out of this port (inline) */                         \
	X(fwd_packets, OUT)                                                    \
	X(fwd_bytes, OUT)                                                      \
	/* originals the tx queue refused */                                   \
	X(fwd_dropped, OUT)                                                    \
	/* copies sent out of this port */                                     \
	X(mirror_packets, OUT)                                                 \
	X(mirror_bytes, OUT)                                                   \
	/* copies the tx queue refused */                                      \
	X(mirror_dropped, OUT)                                                 \
	/* originals freed after mirroring (tap mode, or inline on a port      \
	 * with no peer) */                                                    \
	X(tap_consumed, OUT)                                                   \
	/* frames dropped on receipt: their mbuf chain is inconsistent (see    \
	 * dp_worker.h); neither forwarded nor mirrored, bytes not counted */  \
	X(rx_invalid, OUT)                                                     \
	/* frames received on a port that is mirrored or that copies leave     \
	 * by, which are copies this process sent (recognised by their outer   \
	 * header): freed, neither forwarded nor mirrored; their bytes are in  \
	 * rx_bytes */                                                         \
	X(own_copies, OUT)

/* Per session, kept by each worker; then dropped[DP_DROP_MAX] by reason. */
#define DP_SESSION_COUNTERS(X)                                                 \
	X(matched, IN)                                                         \
	X(mirrored, OUT)                                                       \
	/* bytes of the copies, outer header included */                       \
	X(mirrored_bytes, OUT)

/* Per collector slot, kept by each worker: the copies its tx queue took
 * (bytes with the outer header). */
#define DP_COLLECTOR_COUNTERS(X)                                               \
	X(packets, OUT)                                                        \
	X(bytes, OUT)

/* Per worker. */
#define DP_WORKER_COUNTERS(X)                                                  \
	/* packets received by this worker */                                  \
	X(packets, IN)                                                         \
	/* TSC cycles spent in bursts that had packets */                      \
	X(busy_cycles, IN)                                                     \
	X(loops, IN)

#define DP_CTR_FIELD(name, order) uint64_t name;

struct dp_port_counters {
	DP_PORT_COUNTERS(DP_CTR_FIELD)
};

struct dp_session_counters {
	DP_SESSION_COUNTERS(DP_CTR_FIELD)
	uint64_t dropped[DP_DROP_MAX];
};

struct dp_worker_counters {
	DP_WORKER_COUNTERS(DP_CTR_FIELD)
};

struct dp_collector_counters {
	DP_COLLECTOR_COUNTERS(DP_CTR_FIELD)
};

/*
 * Every counter is written by one worker and read by the control thread at
 * any time, so it only ever grows: a worker adds with one atomic store
 * (dp_ctr_add), the control thread reads with a relaxed atomic load
 * (dp_ctr_read).  Outcome counters (a session's mirrored and dropped, a
 * port's forwarded, dropped and consumed) are added with release order
 * after the counter of what they are outcomes of (matched, rx_packets):
 * a reader that loads the outcomes, then issues an acquire fence, then
 * loads the input counter, never sees more outcomes than inputs.
 */
static inline void
dp_ctr_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n,
			 __ATOMIC_RELAXED);
}

static inline void
dp_ctr_add_rel(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n,
			 __ATOMIC_RELEASE);
}

static inline uint64_t
dp_ctr_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* One worker's counters; written by that worker only. */
struct dp_stats {
	struct dp_worker_counters w;
	struct dp_port_counters port[DP_MAX_PORTS];
	struct dp_session_counters sess[DP_MAX_SESSIONS];
	struct dp_collector_counters coll[DP_MAX_COLL_SLOTS];
} __rte_cache_aligned;

#endif /* DPMIRROR_DP_STATS_H */
