/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_WORKER_H
#define DPMIRROR_DP_WORKER_H

/*
 * The worker loop: one per worker lcore, owning a set of (port, rx queue)
 * pairs and, on every port, its own tx queue for forwarded originals and
 * its own tx queue for copies.
 *
 * Set up by the control thread (dp_worker_init); then only the worker
 * writes its struct dp_worker, except `stats`, which the control thread
 * reads (64-bit counters, each written by one thread).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_acl.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dp_acl.h"
#include "dp_limits.h"
#include "dp_parse.h"
#include "dp_ruleset.h"
#include "dp_stats.h"

/* Bursts without copies to a full tx queue (one that took nothing). */
#define DP_MIR_BACKOFF 64

enum dp_mode {
	DP_MODE_INLINE = 0,
	DP_MODE_TAP,
};

/* Ports and pools, fixed for the life of the process. */
struct dp_port {
	uint16_t port_id; /* ethdev port id */
	int16_t peer;	  /* dp index of the inline peer, -1 = none */
	/* The port's RSS hash is symmetric (the control thread set a
	 * symmetric Toeplitz key): a packet that carries it needs no flow
	 * hash of its own. */
	uint8_t rss_sym;
};

/* A collector slot's next GRE sequence number: workers reserve a block of
 * numbers with one atomic add per burst.  One cache line each. */
struct dp_seq {
	uint32_t next;
} __rte_cache_aligned;

/* ERSPAN III timestamps, in 100 ns units of UTC modulo 2^32: at TSC tsc0
 * it was base, and mult / 2^32 units pass per TSC cycle. */
struct dp_clock {
	uint64_t tsc0;
	uint64_t base;
	uint64_t mult;
};

struct dp_shared {
	enum dp_mode mode;
	uint16_t burst;
	uint16_t n_ports;
	struct dp_port port[DP_MAX_PORTS];
	/* The pools of socket index 0; dp_worker_init gives each worker
	 * these, the control thread then its own socket's (dp_worker). */
	struct rte_mempool *mirror_pool;
	struct rte_mempool *clone_pool;
	struct rte_mempool *hdr_pool; /* NULL: headers from mirror_pool */
	struct rte_rcu_qsbr *qsbr;
	struct dp_ruleset *ruleset; /* swapped by the control thread */
	struct dp_seq seq[DP_MAX_COLL_SLOTS];
	/* Each session slot's rate cap, shared by its workers (dp_rate.h). */
	struct dp_rate_bucket rate[DP_MAX_SESSIONS];
	/* The clock of ERSPAN III timestamps is ts[ts_cur].  The control
	 * thread sets it against the wall clock now and then: it fills the
	 * other entry, flips ts_cur (release), then waits for a grace period
	 * (sh->qsbr) before it fills that one again, so that a worker reads
	 * one whole entry, once per burst. */
	struct dp_clock ts[2];
	uint32_t ts_cur;
	volatile int quit;
};

struct dp_rxq {
	uint16_t port; /* dp index */
	uint16_t queue;
};

/* Copies waiting for one egress port.  They count as mirrored only when
 * the tx burst takes them (so a counter never has to be taken back): until
 * then each session's share is kept here. */
struct dp_mirbuf {
	uint16_t n;
	uint32_t smask; /* sessions with copies in pkts[] */
	struct rte_mbuf *pkts[DP_MIRBUF];
	uint8_t sess[DP_MIRBUF];
	uint8_t cslot[DP_MIRBUF]; /* the collector slot of each copy */
	uint32_t len[DP_MIRBUF];
	uint64_t bytes;			   /* sum of len[] */
	uint32_t s_n[DP_MAX_SESSIONS];	   /* copies per session */
	uint64_t s_bytes[DP_MAX_SESSIONS]; /* their bytes */
};

/* One copy decided on (sampled in, a collector picked, size, rate and
 * queue checked) and not yet built: the burst is planned first, so that
 * its mbufs are taken in one go and its sequence numbers reserved in one
 * block per collector before any copy leaves. */
struct dp_plan {
	uint16_t pkt;	/* index in the burst */
	uint8_t sess;	/* session slot */
	uint8_t coll;	/* index into the ruleset's coll[] */
	uint16_t sport; /* outer UDP source port */
	uint8_t kind;	/* enum dp_mirror_kind */
	uint32_t inner; /* bytes of the original carried */
	uint32_t frame; /* bytes of the copy */
};

struct dp_worker {
	struct dp_stats stats; /* read by the control thread */

	unsigned int lcore;
	unsigned int id; /* 0..n_workers-1, the RCU thread id */
	struct dp_shared *sh;
	/* This worker's socket: its index into the ruleset's per-socket
	 * ACL contexts, and the pools it takes copies from (copies: whole
	 * mirror mbufs; clones: indirect mbufs; headers of clones that
	 * share the original: small mbufs). */
	uint8_t sidx;
	struct rte_mempool *mirror_pool;
	struct rte_mempool *clone_pool;
	struct rte_mempool *hdr_pool;
	uint16_t n_rxq;
	struct dp_rxq rxq[DP_MAX_RXQ];
	uint16_t fwd_txq[DP_MAX_PORTS];	   /* tx queue for originals */
	uint16_t mirror_txq[DP_MAX_PORTS]; /* tx queue for copies */

	/* Per-session state local to this worker, by slot; the epochs are
	 * those of dp_session it was last (re)started for. */
	uint64_t ruleset_gen;
	uint64_t sample_epoch[DP_MAX_SESSIONS];
	uint64_t meter_epoch[DP_MAX_SESSIONS];
	/* Matches still to skip before the next one a sampled session
	 * mirrors (0: mirror the next). */
	uint64_t sample_cnt[DP_MAX_SESSIONS];
	/* This worker's grant of each slot's shared rate cap. */
	struct dp_rate_local rate[DP_MAX_SESSIONS];

	/* Scratch for one burst. */
	struct dp_mirbuf mir[DP_MAX_PORTS];
	struct rte_mbuf *pkts[DP_MAX_BURST];
	struct dp_meta meta[DP_MAX_BURST];
	struct dp_acl_key4 key4[DP_MAX_BURST];
	struct dp_acl_key6 key6[DP_MAX_BURST];
	const uint8_t *kp4[DP_MAX_BURST];
	const uint8_t *kp6[DP_MAX_BURST];
	uint32_t res4[DP_MAX_BURST * RTE_ACL_MAX_CATEGORIES];
	uint32_t res6[DP_MAX_BURST * RTE_ACL_MAX_CATEGORIES];
	uint32_t hit[DP_MAX_BURST];	/* sessions that want packet i */
	uint64_t bpf_rc[DP_MAX_BURST];	/* an expression's verdicts */
	uint16_t own_idx[DP_MAX_BURST]; /* packets that are our own copies */
	uint16_t n_own;
	uint16_t mir_backoff[DP_MAX_PORTS]; /* >0: that port's queue was full */
	/* The planned copies, and a mirror mbuf for each (NULL: none). */
	uint16_t n_plan;
	uint16_t n_plan_copy; /* of them copies */
	uint16_t n_plan_hdr;  /* and clones (the others steal originals) */
	/* Tap mode: packets of the burst that became their own copy (not
	 * to be freed with the others), and how many. */
	uint16_t n_stolen;
	uint8_t stolen[DP_MAX_BURST];
	struct dp_plan plan[DP_MAX_SPARE];
	struct rte_mbuf *spare[DP_MAX_SPARE];
	/* Raw mbufs for them: whole ones for copies, small ones for the
	 * headers of clones; and the rearm word that makes them fresh. */
	struct rte_mbuf *raw_copy[DP_MAX_SPARE];
	struct rte_mbuf *raw_hdr[DP_MAX_SPARE];
	uint64_t mbuf_rearm;
	/* Per collector (ruleset index): copies with a sequence number in
	 * the plan, then the next number to give. */
	uint16_t seq_n[DP_MAX_COLLECTORS];
	uint32_t seq_next[DP_MAX_COLLECTORS];
} __rte_cache_aligned;

/* A worker's session masks have a bit per session, and its counts and
 * indexes reach the sizes of the arrays they walk. */
_Static_assert(DP_MAX_SESSIONS <= DP_MEMBER_BITS(struct dp_mirbuf, smask),
	       "dp_mirbuf.smask has a bit per session");
_Static_assert(DP_MAX_SESSIONS <= DP_MEMBER_BITS(struct dp_worker, hit[0]),
	       "dp_worker.hit[] has a bit per session");
_Static_assert(DP_MAX_SESSIONS - 1 <= DP_MEMBER_MAX(struct dp_mirbuf, sess[0]),
	       "a session index fits dp_mirbuf.sess[]");
_Static_assert(DP_MIRBUF <= DP_MEMBER_MAX(struct dp_mirbuf, n),
	       "dp_mirbuf.n counts up to DP_MIRBUF");
_Static_assert(DP_MAX_BURST <= DP_MEMBER_MAX(struct dp_worker, n_own),
	       "dp_worker.n_own counts up to DP_MAX_BURST");
_Static_assert(DP_MAX_SPARE <= DP_MEMBER_MAX(struct dp_worker, n_plan),
	       "dp_worker.n_plan counts up to DP_MAX_SPARE");
_Static_assert(DP_MAX_SPARE <= DP_MEMBER_MAX(struct dp_worker, seq_n[0]),
	       "dp_worker.seq_n[] counts up to DP_MAX_SPARE");
_Static_assert(DP_MAX_BURST - 1 <= DP_MEMBER_MAX(struct dp_plan, pkt),
	       "a packet index fits dp_plan.pkt");
_Static_assert(DP_MAX_SESSIONS - 1 <= DP_MEMBER_MAX(struct dp_plan, sess),
	       "a session slot fits dp_plan.sess");
_Static_assert(DP_MAX_COLLECTORS - 1 <= DP_MEMBER_MAX(struct dp_plan, coll),
	       "a collector index fits dp_plan.coll");
_Static_assert(DP_MAX_COLL_SLOTS - 1 <=
		       DP_MEMBER_MAX(struct dp_mirbuf, cslot[0]),
	       "a collector slot fits dp_mirbuf.cslot[]");
_Static_assert(DP_MAX_COLLECTORS <= 64,
	       "a burst's collectors with sequence numbers fit a uint64_t");
_Static_assert(DP_MAX_RXQ <= DP_MEMBER_MAX(struct dp_worker, n_rxq),
	       "dp_worker.n_rxq counts up to DP_MAX_RXQ");
_Static_assert(DP_MAX_PORTS - 1 <= DP_MEMBER_MAX(struct dp_rxq, port),
	       "a port index fits dp_rxq.port");

/* Prepare W for lcore LCORE with RCU id ID (control thread). */
void dp_worker_init(struct dp_worker *w, struct dp_shared *sh,
		    unsigned int lcore, unsigned int id);

/* Take RS as the worker's ruleset: restart the sampling counter of each
 * session slot whose sample_epoch changed, and the meter (bucket full, the
 * new profile) of each whose meter_epoch changed; other slots keep their
 * sampler's phase and their meter's bucket.  The worker loop calls it
 * whenever the ruleset generation changes.  No allocation, no lock. */
void dp_worker_adopt(struct dp_worker *w, const struct dp_ruleset *rs);

/* The worker loop; ARG is a struct dp_worker.  Returns 0 when sh->quit. */
int dp_worker_main(void *arg);

/*
 * Process one received burst of N packets from dp port PORT: classify,
 * mirror, then forward (inline) or free (tap).  Exposed for unit tests;
 * dp_worker_main calls it.  Copies are left in w->mir until
 * dp_worker_flush().  The mbufs and PKTS are the worker's from then on:
 * where the originals are not forwarded (tap mode, or a port without a
 * peer) a packet's only copy may be the original itself, its outer
 * header written in its headroom.
 *
 * A received mbuf is used only when its chain is consistent: nb_segs
 * segments linked by `next` and ending there, each segment's data inside
 * its buffer, the segments' data_len summing to pkt_len, and pkt_len not 0
 * (for a one-segment mbuf, pkt_len = data_len: its next pointer is not
 * looked at, as nothing past the first segment is read; only a clone that
 * would share the mbuf checks that it is NULL).
 * Any other (a driver that truncated pkt_len to 16 bits, say) is freed
 * and counted as rx_invalid of PORT, before anything reads its data.  A
 * consistent chain of any length (beyond 64 KiB too) is forwarded as it
 * is and mirrored as a copy, a clone, or counted too_big.
 *
 * On a port that is mirrored or that copies leave by (rs->own_ports), a
 * frame that is one of this process's own copies come back (its first
 * segment starts with a collector's outer header, dp_encap_own) is freed
 * and counted as own_copies of PORT: never mirrored again, never forwarded.
 */
void dp_worker_burst_at(struct dp_worker *w, const struct dp_ruleset *rs,
			uint16_t port, struct rte_mbuf **pkts, uint16_t n,
			uint64_t now);

/* dp_worker_burst_at at the current TSC.  NOW, in TSC cycles, is the time
 * the sessions' rate meters see (the poll loop passes the time it read
 * before rx; tests pass any time they like). */
static inline void
dp_worker_burst(struct dp_worker *w, const struct dp_ruleset *rs, uint16_t port,
		struct rte_mbuf **pkts, uint16_t n)
{
	dp_worker_burst_at(w, rs, port, pkts, n, rte_rdtsc());
}

/* Transmit the buffered copies of every port. */
void dp_worker_flush(struct dp_worker *w);

#endif /* DPMIRROR_DP_WORKER_H */
