/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_RATE_H
#define DPMIRROR_DP_RATE_H

/*
 * A session's rate cap, shared by every worker that mirrors for it.
 *
 * One token bucket per session slot (struct dp_rate_bucket, in dp_shared)
 * holds the session's credit as a virtual time: the bucket is empty at
 * TSC `tat` and fills at the session's rate up to `depth` cycles' worth.
 * A worker does not go to it for every copy: it takes a grant of bytes
 * (at least `quantum`, or what the copy needs) with one compare-and-swap
 * and spends the grant locally (struct dp_rate_local, per worker and
 * session).  A worker refused at TSC `now` does not look at the bucket
 * again until its `now` changes, so a burst costs a session at most one
 * successful and one failed look at the shared line.  No lock, no
 * allocation, no system call; a compare-and-swap that loses to another
 * worker is simply retried with the value it saw.
 *
 * The promise: over any interval of T seconds the bytes of the copies
 * passed are at most rate x T + burst.  What a worker holds unspent is at
 * most one quantum, so the shared bucket is burst - n_workers x quantum
 * deep; one worker that receives all of the traffic can take the whole
 * rate, and a grant left with an idle worker costs the others at most one
 * quantum.
 *
 * Restarts: the bucket carries the epoch (dp_session.meter_epoch) it was
 * filled for.  A worker adopting a ruleset whose epoch for the slot
 * differs from its own calls dp_rate_adopt: the first worker that sees a
 * newer epoch fills the bucket again, the others find it done; an older
 * epoch (a worker that was slow to see a ruleset already replaced) never
 * restarts it.  A reload that keeps a session's rate keeps its epoch, and
 * the bucket goes on as it was.
 *
 * dp_rate_prof_init runs on the control thread, when a ruleset is built;
 * dp_rate_adopt and dp_rate_take on workers.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

/* A session's cap, as the workers apply it: immutable, in the ruleset. */
struct dp_rate_prof {
	/* TSC cycles per byte in fixed point, `shift` fractional bits;
	 * 0 = no cap. */
	uint64_t cpb;
	uint64_t depth;	  /* the shared bucket's depth, in TSC cycles */
	uint32_t quantum; /* bytes a worker takes from the bucket at once */
	uint8_t shift;
	uint64_t burst;	   /* bytes: the bound's burst (informative) */
	uint64_t rate_bps; /* as configured (informative) */
};

/* The shared state of one session slot: one cache line. */
struct dp_rate_bucket {
	uint64_t tat;	/* empty at this TSC; 0 = full */
	uint64_t epoch; /* the meter_epoch it was last filled for */
} __rte_cache_aligned;

/* One worker's state for one session slot. */
struct dp_rate_local {
	uint64_t left; /* bytes of its grant not yet spent */
	uint64_t dry;  /* `now` of its last refusal */
};

/* Cycles that N bytes cost at profile P, rounded up. */
static inline uint64_t
dp_rate_cost(const struct dp_rate_prof *p, uint64_t n)
{
	unsigned __int128 c = (unsigned __int128)n * p->cpb;

	return (uint64_t)((c + (((unsigned __int128)1 << p->shift) - 1)) >>
			  p->shift);
}

/* Whole bytes that C cycles pay for at profile P, rounded down. */
static inline uint64_t
dp_rate_bytes(const struct dp_rate_prof *p, uint64_t c)
{
	return (uint64_t)(((unsigned __int128)c << p->shift) / p->cpb);
}

/* The least grant a worker asks for: a burst of copies of full-sized
 * frames, so that a burst costs one atomic. */
#define DP_RATE_QUANTUM 65536

/*
 * Fill P for a cap of RATE_BPS bits/s (0: none) with a burst of BURST
 * bytes, on a TSC of TSC_HZ, shared by N_WORKERS workers (at least 1).
 * The quantum is 50 us at the rate or DP_RATE_QUANTUM, whichever is more,
 * but at most a quarter of the burst per worker, and at least 64 bytes.
 * -1 when the burst cannot hold what the workers may keep plus one frame
 * of MAX_FRAME bytes; then P has no cap.
 */
static inline int
dp_rate_prof_init(struct dp_rate_prof *p, uint64_t rate_bps, uint64_t burst,
		  uint64_t tsc_hz, unsigned int n_workers, uint32_t max_frame)
{
	unsigned __int128 cpb;
	uint64_t q, keep;
	unsigned int shift = 32;

	memset(p, 0, sizeof(*p));
	if (rate_bps == 0)
		return 0;
	if (n_workers == 0)
		n_workers = 1;
	/* cycles per byte = tsc_hz * 8 / rate: as many fractional bits as
	 * leave the product with a byte count (up to 2^40) in 128 bits and
	 * cpb itself in 63. */
	for (;;) {
		cpb = ((unsigned __int128)tsc_hz * 8 << shift) / rate_bps;
		if (cpb < ((unsigned __int128)1 << 63) || shift == 0)
			break;
		shift--;
	}
	if (cpb >= ((unsigned __int128)1 << 63) || cpb == 0)
		return -1;
	q = RTE_MAX(rate_bps / 8 / 20000, (uint64_t)DP_RATE_QUANTUM);
	q = RTE_MIN(q, burst / 4 / n_workers);
	q = RTE_MAX(q, (uint64_t)64);
	keep = q * n_workers;
	if (burst < keep + max_frame)
		return -1;
	p->cpb = (uint64_t)cpb;
	p->shift = (uint8_t)shift;
	p->quantum = (uint32_t)q;
	p->burst = burst;
	p->rate_bps = rate_bps;
	p->depth = dp_rate_cost(p, burst - keep);
	return 0;
}

/*
 * A worker takes the ruleset whose epoch for this slot is EPOCH (one that
 * differs from the one it had): drop its grant, and fill the shared bucket
 * again unless a worker did so for this epoch or a newer one already.
 * (The epoch is published before the bucket is filled: a grant another
 * worker takes in between is lost to the refill, so a restart may let at
 * most one bucket's depth more pass, once.)
 */
static inline void
dp_rate_adopt(struct dp_rate_bucket *b, struct dp_rate_local *l, uint64_t epoch)
{
	uint64_t cur = __atomic_load_n(&b->epoch, __ATOMIC_ACQUIRE);

	l->left = 0;
	l->dry = UINT64_MAX;
	while (cur < epoch) {
		if (__atomic_compare_exchange_n(&b->epoch, &cur, epoch, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			__atomic_store_n(&b->tat, 0, __ATOMIC_RELEASE);
			break;
		}
	}
}

/* The slow path of dp_rate_take: a grant from the shared bucket. */
static inline bool
dp_rate_grant(struct dp_rate_bucket *b, struct dp_rate_local *l,
	      const struct dp_rate_prof *p, uint32_t len, uint64_t now)
{
	uint64_t need = len - l->left;
	uint64_t want = RTE_MAX(need, (uint64_t)p->quantum);
	uint64_t tat = __atomic_load_n(&b->tat, __ATOMIC_RELAXED);
	uint64_t credit, cost, got, next;
	int64_t d;

	for (;;) {
		d = (int64_t)(now - tat);
		if (tat == 0 || d >= (int64_t)p->depth)
			credit = p->depth;
		else if (d <= 0)
			credit = 0;
		else
			credit = (uint64_t)d;
		got = want;
		cost = dp_rate_cost(p, got);
		if (cost > credit) {
			/* Less than a grant there: all of it, if the copy
			 * fits. */
			got = dp_rate_bytes(p, credit);
			if (got < need) {
				l->dry = now;
				return false;
			}
			cost = dp_rate_cost(p, got);
		}
		next = now - credit + cost;
		if (next == 0)
			next = 1;
		if (__atomic_compare_exchange_n(&b->tat, &tat, next, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			break;
	}
	l->left = l->left + got - len;
	return true;
}

/*
 * May a copy of LEN bytes pass at TSC NOW (the burst's time, not earlier
 * than the times this worker gave before)?  If so it is counted against
 * the cap.  P must have a cap (p->cpb != 0).
 */
static __rte_always_inline bool
dp_rate_take(struct dp_rate_bucket *b, struct dp_rate_local *l,
	     const struct dp_rate_prof *p, uint32_t len, uint64_t now)
{
	if (likely(l->left >= len)) {
		l->left -= len;
		return true;
	}
	if (l->dry == now)
		return false;
	return dp_rate_grant(b, l, p, len, now);
}

#endif /* DPMIRROR_DP_RATE_H */
