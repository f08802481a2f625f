/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_STATS_H
#define DPMIRROR_DP_STATS_H

/*
 * Counters kept by each worker in its own cache lines and summed by the
 * control thread.  Drop reasons are one X-macro list so that the enum and
 * the names printed in the stats text and JSON can never drift apart.
 */

#include <stdint.h>

#include <rte_common.h>

/* X(enum suffix, name in stats) */
#define DP_DROP_REASONS(X)                                                     \
	X(SAMPLED_OUT, "sampled_out")                                          \
	X(RATE_LIMITED, "rate_limited")                                        \
	X(NO_MBUF, "no_mbuf")                                                  \
	X(TX_FULL, "tx_full")                                                  \
	X(TOO_BIG, "too_big")

enum dp_drop {
#define DP_DROP_ENUM(e, s) DP_DROP_##e,
	DP_DROP_REASONS(DP_DROP_ENUM)
#undef DP_DROP_ENUM
		DP_DROP_MAX
};

extern const char *const dp_drop_names[DP_DROP_MAX];

#define DP_MAX_PORTS	16
#define DP_MAX_SESSIONS 16

struct dp_port_counters {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t fwd_packets; /* originals sent out of this port (inline) */
	uint64_t fwd_bytes;
	uint64_t fwd_dropped;	 /* originals the tx queue refused */
	uint64_t mirror_packets; /* copies sent out of this port */
	uint64_t mirror_bytes;
	uint64_t mirror_dropped; /* copies the tx queue refused */
	uint64_t tap_consumed;	 /* originals freed after mirroring (tap mode,
				  * or inline on a port with no peer) */
	uint64_t rx_invalid;	 /* frames dropped on receipt: their mbuf chain
				  * is inconsistent (see dp_worker.h); neither
				  * forwarded nor mirrored, bytes not counted */
	uint64_t own_copies;	 /* frames received on a port that is mirrored
				  * or that copies leave by, which are copies
				  * this process sent (recognised by their outer
				  * header): freed, neither forwarded nor
				  * mirrored; their bytes are in rx_bytes */
};

struct dp_session_counters {
	uint64_t matched;
	uint64_t mirrored;
	uint64_t
		mirrored_bytes; /* bytes of the copies, outer header included */
	uint64_t dropped[DP_DROP_MAX];
};

struct dp_worker_counters {
	uint64_t packets;     /* packets received by this worker */
	uint64_t busy_cycles; /* TSC cycles spent in bursts that had packets */
	uint64_t loops;
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
} __rte_cache_aligned;

#endif /* DPMIRROR_DP_STATS_H */
