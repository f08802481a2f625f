/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include "dp_encap.h"
#include "dp_flow.h"
#include "dp_mirror.h"
#include "dp_worker.h"

void
dp_worker_init(struct dp_worker *w, struct dp_shared *sh, unsigned int lcore,
	       unsigned int id)
{
	memset(w, 0, sizeof(*w));
	w->sh = sh;
	w->lcore = lcore;
	w->id = id;
	w->ruleset_gen = UINT64_MAX;
	w->mirror_pool = sh->mirror_pool;
	w->clone_pool = sh->clone_pool;
	w->hdr_pool = sh->hdr_pool != NULL ? sh->hdr_pool : sh->mirror_pool;
	w->mbuf_rearm = dp_mirror_rearm_word();
	/* Matches no epoch of a ruleset: the first adopt starts them all. */
	memset(w->sample_epoch, 0xff, sizeof(w->sample_epoch));
	memset(w->meter_epoch, 0xff, sizeof(w->meter_epoch));
}

/* Hand the buffered copies for dp port P to its mirror tx queue.  What the
 * queue takes counts as mirrored for its session; what it refuses is freed
 * and counted as tx_full. */
static void
mirbuf_flush(struct dp_worker *w, uint16_t p)
{
	struct dp_mirbuf *b = &w->mir[p];
	struct dp_port_counters *pc = &w->stats.port[p];
	uint32_t smask;
	uint16_t sent, i;

	if (b->n == 0)
		return;
	sent = rte_eth_tx_burst(w->sh->port[p].port_id, w->mirror_txq[p],
				b->pkts, b->n);
	for (i = sent; i < b->n; i++) {
		uint8_t s = b->sess[i];

		b->s_n[s]--;
		b->s_bytes[s] -= b->len[i];
		b->bytes -= b->len[i];
		dp_ctr_add_rel(&w->stats.sess[s].dropped[DP_DROP_TX_FULL], 1);
		rte_pktmbuf_free(b->pkts[i]);
	}
	for (smask = b->smask; smask != 0; smask &= smask - 1) {
		uint32_t s = (uint32_t)__builtin_ctz(smask);
		struct dp_session_counters *sc = &w->stats.sess[s];

		if (b->s_n[s] != 0) {
			dp_ctr_add(&sc->mirrored_bytes, b->s_bytes[s]);
			dp_ctr_add_rel(&sc->mirrored, b->s_n[s]);
		}
		b->s_n[s] = 0;
		b->s_bytes[s] = 0;
	}
	/* Per collector slot, a run of copies at a time. */
	for (i = 0; i < sent;) {
		uint8_t cs = b->cslot[i];
		uint64_t bytes = 0;
		uint16_t j = i;

		while (j < sent && b->cslot[j] == cs)
			bytes += b->len[j++];
		dp_ctr_add(&w->stats.coll[cs].bytes, bytes);
		dp_ctr_add(&w->stats.coll[cs].packets, (uint64_t)(j - i));
		i = j;
	}
	dp_ctr_add(&pc->mirror_packets, sent);
	dp_ctr_add(&pc->mirror_bytes, b->bytes);
	if (sent < b->n)
		dp_ctr_add(&pc->mirror_dropped, b->n - sent);
	/* A queue that took nothing is full: for the next bursts, count
	 * the copies for it as tx_full without building them, so that a
	 * dead collector costs the originals nothing. */
	if (sent == 0)
		w->mir_backoff[p] = DP_MIR_BACKOFF;
	b->n = 0;
	b->smask = 0;
	b->bytes = 0;
}

void
dp_worker_flush(struct dp_worker *w)
{
	uint16_t p;

	for (p = 0; p < w->sh->n_ports; p++) {
		if (w->mir_backoff[p] > 0)
			w->mir_backoff[p]--;
		mirbuf_flush(w, p);
	}
}

void
dp_worker_adopt(struct dp_worker *w, const struct dp_ruleset *rs)
{
	uint32_t s;

	for (s = 0; s < rs->n_sessions; s++) {
		const struct dp_session *se = &rs->sess[s];

		if (se->sample_epoch != w->sample_epoch[s]) {
			w->sample_cnt[s] = 0;
			w->sample_epoch[s] = se->sample_epoch;
		}
		if (se->meter_epoch == w->meter_epoch[s])
			continue;
		w->meter_epoch[s] = se->meter_epoch;
		/* A new cap (or a new session in the slot): drop this
		 * worker's grant; the first worker to see the epoch fills
		 * the shared bucket again. */
		dp_rate_adopt(&w->sh->rate[s], &w->rate[s], se->meter_epoch);
	}
	w->ruleset_gen = rs->generation;
}

/* Write the outer header of the built copy M of plan entry PL (received
 * on PORT) and queue it for its egress port. */
static __rte_always_inline void
plan_emit(struct dp_worker *w, const struct dp_ruleset *rs,
	  const struct dp_plan *pl, struct rte_mbuf *m, struct rte_mbuf *pkt,
	  uint16_t port, uint32_t ts)
{
	const struct dp_collector *c = &rs->coll[pl->coll];
	struct dp_encap_pkt pk;
	struct dp_mirbuf *b;

	/* Only the fields the template's type writes. */
	pk.inner_len = pl->inner;
	pk.sport = pl->sport;
	if (dp_encap_has_seq(&c->tmpl))
		pk.seq = w->seq_next[pl->coll]++;
	if (c->tmpl.ers_ofs != 0) {
		const struct dp_meta *md = &w->meta[pl->pkt];
		const int16_t peer = w->sh->port[port].peer;

		pk.tagged = md->n_vlans != 0;
		pk.tci = 0;
		if (pk.tagged) {
			const uint8_t *f =
				rte_pktmbuf_mtod(pkt, const uint8_t *);

			pk.tci = (uint16_t)(f[RTE_ETHER_HDR_LEN] << 8 |
					    f[RTE_ETHER_HDR_LEN + 1]);
		}
		pk.truncated = pl->inner < pkt->pkt_len;
		pk.egress = (rs->egress[port] >> pl->sess) & 1;
		pk.timestamp = ts;
		pk.index = pk.egress && peer >= 0 ? (uint32_t)peer : port;
	}
	dp_mirror_finish(&c->tmpl, m, &pk);
	b = &w->mir[c->port];
	if (unlikely(b->n == DP_MIRBUF))
		mirbuf_flush(w, c->port);
	b->pkts[b->n] = m;
	b->sess[b->n] = pl->sess;
	b->cslot[b->n] = (uint8_t)c->slot;
	b->len[b->n] = pl->frame;
	b->n++;
	b->bytes += pl->frame;
	b->s_n[pl->sess]++;
	b->s_bytes[pl->sess] += pl->frame;
	b->smask |= 1u << pl->sess;
}

/* Take N raw mbufs from MP into M (in one go when the pool has them
 * all; else one at a time, NULL for those it has not) and make them
 * fresh. */
static inline void
take_raw(struct dp_worker *w, struct rte_mempool *mp, struct rte_mbuf **m,
	 uint16_t n)
{
	uint16_t k;

	if (n == 0)
		return;
	if (likely(rte_mempool_get_bulk(mp, (void **)m, n) == 0)) {
		dp_mirror_rearm(m, n, w->mbuf_rearm);
		return;
	}
	for (k = 0; k < n; k++) {
		if (rte_mempool_get(mp, (void **)&m[k]) != 0)
			m[k] = NULL;
		else
			dp_mirror_rearm(&m[k], 1, w->mbuf_rearm);
	}
}

/* Build the planned copies: exactly the mbufs they need (whole ones for
 * copies, small ones for the headers of clones), then each copy or clone.
 * With no collector that numbers its copies, each is finished and queued
 * as it is built; otherwise the sequence numbers of those built are
 * reserved first (one block per collector, with one atomic add), then
 * their outer headers written.  Only copies that were built take a
 * number. */
static void
plan_run(struct dp_worker *w, const struct dp_ruleset *rs, uint16_t port,
	 struct rte_mbuf **pkts, uint32_t ts)
{
	const uint16_t n = w->n_plan;
	const uint16_t n_copy = w->n_plan_copy;
	const uint16_t n_hdr = w->n_plan_hdr;
	const int seqs = rs->seqs;
	uint64_t seq_mask = 0;
	uint16_t k, ic = 0, ih = 0;

	w->n_plan = 0;
	w->n_plan_copy = 0;
	w->n_plan_hdr = 0;
	take_raw(w, w->mirror_pool, w->raw_copy, n_copy);
	take_raw(w, w->hdr_pool, w->raw_hdr, n_hdr);

	/* spare[k] becomes the built copy, NULL when there is none. */
	for (k = 0; k < n; k++) {
		const struct dp_plan *pl = &w->plan[k];
		const struct dp_collector *c = &rs->coll[pl->coll];
		struct rte_mbuf *pkt = pkts[pl->pkt];
		struct rte_mbuf *m0 =
			pl->kind == DP_MIRROR_COPY    ? w->raw_copy[ic++]
			: pl->kind == DP_MIRROR_STEAL ? pkt
						      : w->raw_hdr[ih++];

		if (likely(m0 != NULL))
			m0 = dp_mirror_build(pkt, pl->inner, pl->kind, &c->tmpl,
					     m0, w->clone_pool);
		w->spare[k] = m0;
		if (unlikely(m0 == NULL)) {
			dp_ctr_add_rel(&w->stats.sess[pl->sess]
						.dropped[DP_DROP_NO_MBUF],
				       1);
			continue;
		}
		if (!seqs) {
			plan_emit(w, rs, pl, m0, pkt, port, ts);
			continue;
		}
		if (dp_encap_has_seq(&c->tmpl)) {
			w->seq_n[pl->coll]++;
			seq_mask |= 1ull << pl->coll;
		}
	}
	if (!seqs)
		return;
	while (seq_mask != 0) {
		uint32_t c = (uint32_t)__builtin_ctzll(seq_mask);

		seq_mask &= seq_mask - 1;
		w->seq_next[c] = __atomic_fetch_add(
			&w->sh->seq[rs->coll[c].slot].next,
			(uint32_t)w->seq_n[c], __ATOMIC_RELAXED);
		w->seq_n[c] = 0;
	}
	for (k = 0; k < n; k++)
		if (likely(w->spare[k] != NULL))
			plan_emit(w, rs, &w->plan[k], w->spare[k],
				  pkts[w->plan[k].pkt], port, ts);
}

/* One (packet, session) hit: sample, pick a collector, check size, rate
 * and queue, and plan the copy (built by plan_run). */
static inline void
mirror_one(struct dp_worker *w, const struct dp_ruleset *rs, uint32_t s,
	   uint16_t i, struct rte_mbuf *pkt, uint32_t hash, uint64_t now,
	   int only)
{
	const struct dp_session *se = &rs->sess[s];
	struct dp_session_counters *sc = &w->stats.sess[s];
	const struct dp_collector *c;
	struct dp_plan *pl;
	uint32_t inner, frame, ci;

	dp_ctr_add(&sc->matched, 1);
	if (se->sample > 1) {
		/* Count down: no division per match. */
		if (w->sample_cnt[s] != 0) {
			w->sample_cnt[s]--;
			dp_ctr_add_rel(&sc->dropped[DP_DROP_SAMPLED_OUT], 1);
			return;
		}
		w->sample_cnt[s] = se->sample - 1;
	}
	/* hash * n_coll / 2^32: the flow's collector without a division. */
	ci = se->coll[se->n_coll == 1
			      ? 0
			      : (uint32_t)(((uint64_t)hash * se->n_coll) >>
					   32)];
	c = &rs->coll[ci];
	if (unlikely(c->no_neighbor)) {
		dp_ctr_add_rel(&sc->dropped[DP_DROP_NO_NEIGHBOR], 1);
		return;
	}
	inner = pkt->pkt_len;
	if (se->snaplen != 0 && se->snaplen < inner)
		inner = se->snaplen;
	if (unlikely(inner < c->min_inner)) {
		dp_ctr_add_rel(&sc->dropped[DP_DROP_RUNT], 1);
		return;
	}
	frame = c->tmpl.len + inner;
	if (unlikely(frame > c->max_frame)) {
		dp_ctr_add_rel(&sc->dropped[DP_DROP_TOO_BIG], 1);
		return;
	}
	if (se->rate.cpb != 0 && !dp_rate_take(&w->sh->rate[s], &w->rate[s],
					       &se->rate, frame, now)) {
		dp_ctr_add_rel(&sc->dropped[DP_DROP_RATE_LIMITED], 1);
		return;
	}
	if (unlikely(w->mir_backoff[c->port] != 0)) {
		dp_ctr_add_rel(&sc->dropped[DP_DROP_TX_FULL], 1);
		dp_ctr_add(&w->stats.port[c->port].mirror_dropped, 1);
		return;
	}
	pl = &w->plan[w->n_plan++];
	/* Frames longer than copy_max, where the port sends chains, share
	 * the original; those that cannot (cut by snaplen, chained, none)
	 * are copied while one mirror mbuf holds them, as that is cheaper
	 * than an indirect clone, and cloned beyond.  A none clone keeps
	 * the MAC addresses in its header mbuf, so they must be in the
	 * original's first segment. */
	pl->kind = DP_MIRROR_COPY;
	/* Tap mode, the packet's only copy: the original itself, unless
	 * the copy is ERSPAN (its fields are read from the original after
	 * the build). */
	if (only && c->tmpl.ers_ofs == 0 &&
	    dp_mirror_can_steal(pkt, inner, &c->tmpl, c->clone_ok)) {
		pl->kind = DP_MIRROR_STEAL;
		w->stolen[i] = 1;
		w->n_stolen++;
	} else if (c->clone_ok && inner > rs->copy_max &&
		   pkt->data_len >= RTE_ETHER_HDR_LEN) {
		if (dp_mirror_can_share(pkt, inner, &c->tmpl))
			pl->kind = DP_MIRROR_SHARE;
		else if (inner > DP_MIRROR_COPY_MAX)
			pl->kind = DP_MIRROR_CLONE;
	}
	w->n_plan_copy += pl->kind == DP_MIRROR_COPY;
	w->n_plan_hdr +=
		pl->kind == DP_MIRROR_CLONE || pl->kind == DP_MIRROR_SHARE;
	pl->pkt = i;
	pl->sess = (uint8_t)s;
	pl->coll = (uint8_t)ci;
	pl->sport = dp_encap_sport(hash);
	pl->inner = inner;
	pl->frame = frame;
}

/* ERSPAN III timestamp at TSC NOW: 100 ns units of UTC, modulo 2^32. */
static inline uint32_t
encap_timestamp(const struct dp_shared *sh, uint64_t now)
{
	const struct dp_clock *k =
		&sh->ts[__atomic_load_n(&sh->ts_cur, __ATOMIC_ACQUIRE) & 1];
	uint64_t d = now - k->tsc0;

	return (uint32_t)(k->base +
			  (uint64_t)(((unsigned __int128)d * k->mult) >> 32));
}

/* Whether M carries the outer header of one of the collectors (called
 * only for frames own_meta let through, which are rare). */
static inline int
own_copy(const struct dp_ruleset *rs, const struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t i;

	for (i = 0; i < rs->n_coll; i++)
		if (dp_encap_own(&rs->coll[i].tmpl, f, m->data_len))
			return 1;
	return 0;
}

/* The parsed frame MD may be one of this process's own copies: untagged
 * UDP to a collector's destination port, or untagged GRE when some
 * collector sends GRE.  (own_copy decides: a frame is
 * an own copy when both say so, wherever it is looked at.) */
static inline int
own_meta(const struct dp_ruleset *rs, const struct dp_meta *md)
{
	uint32_t i;

	if (md->n_vlans != 0)
		return 0;
	if (md->proto == IPPROTO_GRE)
		return rs->own_gre;
	if (likely(md->proto != IPPROTO_UDP))
		return 0;
	for (i = 0; i < rs->n_own_dports; i++)
		if (md->dport == rs->own_dport[i])
			return 1;
	return 0;
}

/* Run the expression of each session in MASK over the burst (not over
 * this process's own copies, listed in w->own_idx[]) and add the packets
 * it matches to w->hit[]; returns how many hits were added. */
static uint32_t
run_expressions(struct dp_worker *w, const struct dp_ruleset *rs, uint32_t mask,
		struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t added = 0;
	uint16_t i, j;

	do {
		uint32_t s = (uint32_t)__builtin_ctz(mask);

		mask &= mask - 1;
		rte_bpf_exec_burst(rs->bpf[s], (void **)pkts, w->bpf_rc, n);
		for (i = 0, j = 0; i < n; i++) {
			if (unlikely(j < w->n_own && w->own_idx[j] == i)) {
				j++;
				continue;
			}
			if (w->bpf_rc[i] != 0) {
				w->hit[i] |= 1u << s;
				added++;
			}
		}
	} while (mask != 0);
	return added;
}

/* The flow hash of M (parsed into MD): the NIC's where the port gives a
 * symmetric one, else dp_flow_hash.  Either is the same for both
 * directions of a flow. */
static inline uint32_t
pkt_hash(int rss_sym, const struct rte_mbuf *m, const struct dp_meta *md)
{
	if (rss_sym && (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH))
		return m->hash.rss;
	return dp_flow_hash(md, rte_pktmbuf_mtod(m, const uint8_t *),
			    m->data_len);
}

/* Whether what PORT receives is forwarded to its peer (inline mode);
 * otherwise dp_worker_burst_at consumes the originals (and an original
 * may become its own copy).  One test for both, so they cannot differ. */
static inline int
forwards(const struct dp_shared *sh, uint16_t port)
{
	return sh->mode == DP_MODE_INLINE && sh->port[port].peer >= 0;
}

/* Packets whose data is prefetched ahead of the one being parsed. */
#define DP_PREFETCH_AHEAD 4

/* Prefetch the first packets' data, before the loop that parses them
 * (which then prefetches DP_PREFETCH_AHEAD ahead). */
static inline void
prefetch_warm(struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n && i < DP_PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
}

/* Parse, key and classify the burst; then mirror every accepted hit.
 * With GUARD, a frame that is one of this process's own copies is listed
 * in w->own_idx[] (w->n_own of them, in order) and wanted by no session. */
static void
classify_and_mirror(struct dp_worker *w, const struct dp_ruleset *rs,
		    uint16_t port, uint32_t want, int guard,
		    struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	const uint32_t ncat = rs->n_categories;
	uint16_t n4 = 0, n6 = 0, i;
	uint32_t n_hits = 0, ts;
	uint16_t n_own = 0, j;
	/* The first test of own copies, (dport & gmask) == gport: the
	 * collectors' destination port when they share one (a frame without
	 * ports has 0); every frame when they do not, or when some
	 * collector sends GRE; none without GUARD. */
	const uint32_t gmask =
		guard && (rs->n_own_dports > 1 || rs->own_gre) ? 0 : 0xffffu;
	const uint32_t gport = !guard	    ? 0x10000u
			       : gmask != 0 ? rs->own_dport[0]
					    : 0;
	const int rss_sym = w->sh->port[port].rss_sym;
	const uint32_t empty = rs->acl_empty;
	/* What a family without rules gives each packet: the defaults. */
	const uint32_t dflt = rs->dflt_accept & want;
	const uint32_t n_dflt = (uint32_t)__builtin_popcount(dflt);
	/* A packet's only copy may be the original itself where the
	 * originals are not forwarded. */
	const int consumed = !forwards(w->sh, port);
	int only;

	if ((want & rs->filtered & ~rs->bpf_mask) == 0) {
		/* No wanted session has a filter of rules: each takes every
		 * packet, but for those with an expression (below).  Parse
		 * only for the flow hash; no keys, no classify. */
		const uint32_t all = want & ~rs->filtered;

		prefetch_warm(pkts, n);
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];

			if (i + DP_PREFETCH_AHEAD < n)
				rte_prefetch0(rte_pktmbuf_mtod(
					pkts[i + DP_PREFETCH_AHEAD], void *));
			dp_parse(rte_pktmbuf_mtod(m, const uint8_t *),
				 m->data_len, &w->meta[i]);
			if (unlikely((w->meta[i].dport & gmask) == gport) &&
			    own_meta(rs, &w->meta[i]) && own_copy(rs, m)) {
				w->hit[i] = 0;
				w->own_idx[n_own++] = i;
				continue;
			}
			w->hit[i] = all;
		}
		w->n_own = n_own;
		n_hits = (uint32_t)(n - n_own) *
			 (uint32_t)__builtin_popcount(all);
		goto expressions;
	}
	prefetch_warm(pkts, n);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_meta *md = &w->meta[i];

		if (i + DP_PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(
				pkts[i + DP_PREFETCH_AHEAD], void *));
		dp_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, md);
		if (unlikely((md->dport & gmask) == gport) &&
		    own_meta(rs, md) && own_copy(rs, m)) {
			w->own_idx[n_own++] = i;
			continue;
		}
		if (md->l3 == DP_L3_IPV6) {
			if (!(empty & 2)) {
				dp_acl_key6_build(md, &w->key6[n6]);
				w->kp6[n6] = (const uint8_t *)&w->key6[n6];
				n6++;
			}
		} else if (!(empty & 1)) {
			dp_acl_key4_build(md, &w->key4[n4]);
			w->kp4[n4] = (const uint8_t *)&w->key4[n4];
			n4++;
		}
	}
	if (n4 > 0)
		rte_acl_classify(rs->acl4[w->sidx], w->kp4, w->res4, n4, ncat);
	if (n6 > 0)
		rte_acl_classify(rs->acl6[w->sidx], w->kp6, w->res6, n6, ncat);

	w->n_own = n_own;
	/* Which sessions want each packet, and how many copies in all. */
	for (i = 0, n4 = 0, n6 = 0, j = 0; i < n; i++) {
		const uint32_t *res;
		uint32_t hit;

		if (unlikely(j < n_own && w->own_idx[j] == i)) {
			w->hit[i] = 0;
			j++;
			continue;
		}
		if (w->meta[i].l3 == DP_L3_IPV6) {
			if (empty & 2) {
				w->hit[i] = dflt;
				n_hits += n_dflt;
				continue;
			}
			res = &w->res6[(uint32_t)n6++ * ncat];
		} else {
			if (empty & 1) {
				w->hit[i] = dflt;
				n_hits += n_dflt;
				continue;
			}
			res = &w->res4[(uint32_t)n4++ * ncat];
		}
		hit = dp_acl_accepted(res, rs->n_sessions, rs->dflt_accept) &
		      want;
		w->hit[i] = hit;
		n_hits += (uint32_t)__builtin_popcount(hit);
	}
expressions:
	if (unlikely((want & rs->bpf_mask) != 0))
		n_hits += run_expressions(w, rs, want & rs->bpf_mask, pkts, n);
	if (n_hits == 0)
		return;

	ts = rs->timestamps ? encap_timestamp(w->sh, now) : 0;
	/* Walk in receive order so copies leave in the order packets came;
	 * build them a plan at a time. */
	w->n_plan = 0;
	for (i = 0; i < n; i++) {
		uint32_t hit = w->hit[i], hash;

		if (hit == 0)
			continue;
		/* Hashed here, for hits only, rather than in the parse pass:
		 * measured, the early hash cost more than it saved (its
		 * store and load, and a call where it is inlined here). */
		hash = pkt_hash(rss_sym, pkts[i], &w->meta[i]);
		only = consumed && (hit & (hit - 1)) == 0;
		do {
			uint32_t s = (uint32_t)__builtin_ctz(hit);

			hit &= hit - 1;
			if (unlikely(w->n_plan == DP_MAX_SPARE))
				plan_run(w, rs, port, pkts, ts);
			mirror_one(w, rs, s, i, pkts[i], hash, now, only);
		} while (hit != 0);
	}
	if (w->n_plan != 0)
		plan_run(w, rs, port, pkts, ts);
	/* The originals that became their copies are no longer the
	 * burst's: NULL in PKTS (rte_pktmbuf_free_bulk skips them). */
	if (w->n_stolen != 0) {
		for (i = 0; i < n; i++)
			if (w->stolen[i]) {
				w->stolen[i] = 0;
				pkts[i] = NULL;
			}
		w->n_stolen = 0;
	}
}

/* The cheap test of a one-segment mbuf; chains take chain_ok().  Its next
 * pointer (in the mbuf's second cache line) is not read: with nb_segs 1
 * and pkt_len = data_len nothing past the first segment is ever read. */
static inline int
flat_ok(const struct rte_mbuf *m)
{
	return m->nb_segs == 1 && m->pkt_len == m->data_len &&
	       m->data_len != 0 &&
	       (uint32_t)m->data_off + m->data_len <= m->buf_len;
}

/* Whether M's chain is consistent (see dp_worker_burst in dp_worker.h).
 * Like DPDK's rte_mbuf_check, but it never walks more than nb_segs
 * segments and it also bounds each segment's data by its buffer. */
static int
chain_ok(const struct rte_mbuf *m)
{
	const struct rte_mbuf *seg = m;
	uint64_t sum = 0;
	uint16_t i;

	if (m->nb_segs == 0)
		return 0;
	for (i = 0; i < m->nb_segs; i++) {
		if (seg == NULL ||
		    (uint32_t)seg->data_off + seg->data_len > seg->buf_len)
			return 0;
		sum += seg->data_len;
		seg = seg->next;
	}
	return seg == NULL && sum == m->pkt_len && sum != 0;
}

/* Free an inconsistent chain, unless it is longer than any chain can be
 * (its next pointers loop): then freeing would never end or free a
 * segment twice, and it is left alone. */
static void
free_invalid(struct rte_mbuf *m)
{
	const struct rte_mbuf *seg = m;
	uint32_t n = 0;

	while (seg != NULL && n <= UINT16_MAX) {
		seg = seg->next;
		n++;
	}
	if (seg == NULL)
		rte_pktmbuf_free(m);
}

/* Free the inconsistent mbufs of PKTS, keep the others in order; returns
 * how many are kept and their bytes in *BYTES. */
static uint16_t
drop_invalid(struct dp_worker *w, uint16_t port, struct rte_mbuf **pkts,
	     uint16_t n, uint64_t *bytes)
{
	uint16_t i, k = 0;

	*bytes = 0;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (flat_ok(m) || chain_ok(m)) {
			pkts[k++] = m;
			*bytes += m->pkt_len;
		} else {
			free_invalid(m);
		}
	}
	dp_ctr_add_rel(&w->stats.port[port].rx_invalid, n - k);
	return k;
}

/* Free the frames of PKTS listed in w->own_idx[] (this process's own
 * copies, counted as own_copies of PORT), keep the others in order;
 * returns how many are kept and takes the freed ones' bytes off *BYTES. */
static uint16_t
drop_own_copies(struct dp_worker *w, uint16_t port, struct rte_mbuf **pkts,
		uint16_t n, uint64_t *bytes)
{
	uint16_t i, j = 0, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (j == w->n_own || w->own_idx[j] != i) {
			pkts[k++] = m;
			continue;
		}
		j++;
		*bytes -= m->pkt_len;
		rte_pktmbuf_free(m);
	}
	dp_ctr_add_rel(&w->stats.port[port].own_copies, n - k);
	return k;
}

/* List this process's own copies in w->own_idx[] on a port no session
 * mirrors (classify_and_mirror lists them on the others). */
static void
find_own_copies(struct dp_worker *w, const struct dp_ruleset *rs,
		struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, n_own = 0;

	prefetch_warm(pkts, n);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + DP_PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(
				pkts[i + DP_PREFETCH_AHEAD], void *));
		dp_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
			 &w->meta[i]);
		if (unlikely(own_meta(rs, &w->meta[i])) && own_copy(rs, m))
			w->own_idx[n_own++] = i;
	}
	w->n_own = n_own;
}

void
dp_worker_burst_at(struct dp_worker *w, const struct dp_ruleset *rs,
		   uint16_t port, struct rte_mbuf **pkts, uint16_t n,
		   uint64_t now)
{
	const struct dp_shared *sh = w->sh;
	struct dp_port_counters *pc = &w->stats.port[port];
	uint32_t want = rs->want[port];
	int16_t peer = sh->port[port].peer;
	uint64_t bytes = 0;
	uint16_t i;
	int flat = 1, guard;

	for (i = 0; i < n; i++) {
		flat &= flat_ok(pkts[i]);
		bytes += pkts[i]->pkt_len;
	}
	dp_ctr_add(&pc->rx_packets, n);
	if (unlikely(!flat)) {
		n = drop_invalid(w, port, pkts, n, &bytes);
		if (n == 0)
			return;
	}
	dp_ctr_add(&pc->rx_bytes, bytes);

	/* Own copies are found as frames are parsed (or, where nothing is
	 * mirrored, on their own), then never go round again, nor out of
	 * the other side. */
	guard = (rs->own_ports >> port) & 1;
	if (want != 0)
		classify_and_mirror(w, rs, port, want, guard, pkts, n, now);
	else if (guard)
		find_own_copies(w, rs, pkts, n);
	if (guard && unlikely(w->n_own != 0)) {
		n = drop_own_copies(w, port, pkts, n, &bytes);
		if (n == 0)
			return;
	}

	if (forwards(sh, port)) {
		struct dp_port_counters *qc = &w->stats.port[peer];
		uint16_t sent;

		sent = rte_eth_tx_burst(sh->port[peer].port_id,
					w->fwd_txq[peer], pkts, n);
		if (unlikely(sent < n)) {
			/* The queue is full: drop the rest, never wait.  Only
			 * the unsent mbufs are still ours to read. */
			for (i = sent; i < n; i++)
				bytes -= pkts[i]->pkt_len;
			rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
			dp_ctr_add_rel(&qc->fwd_dropped, n - sent);
		}
		dp_ctr_add(&qc->fwd_bytes, bytes);
		dp_ctr_add_rel(&qc->fwd_packets, sent);
	} else {
		/* NULL where an original became its copy (skipped). */
		rte_pktmbuf_free_bulk(pkts, n);
		dp_ctr_add_rel(&pc->tap_consumed, n);
	}
}

int
dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp_shared *sh = w->sh;
	const uint16_t burst = sh->burst;
	uint16_t q = 0;
	int pending = 0;

	if (w->n_rxq == 0)
		return 0;
	rte_rcu_qsbr_thread_register(sh->qsbr, w->id);
	rte_rcu_qsbr_thread_online(sh->qsbr, w->id);

	while (!sh->quit) {
		const struct dp_ruleset *rs;
		const struct dp_rxq *rq = &w->rxq[q];
		uint64_t t0;
		uint16_t n;

		if (++q == w->n_rxq)
			q = 0;
		dp_ctr_add(&w->stats.w.loops, 1);
		rs = __atomic_load_n(&sh->ruleset, __ATOMIC_ACQUIRE);
		if (unlikely(rs->generation != w->ruleset_gen))
			dp_worker_adopt(w, rs);

		t0 = rte_rdtsc();
		n = rte_eth_rx_burst(sh->port[rq->port].port_id, rq->queue,
				     w->pkts, burst);
		if (n > 0) {
			dp_ctr_add(&w->stats.w.packets, n);
			dp_worker_burst_at(w, rs, rq->port, w->pkts, n, t0);
			pending = 1;
		}
		/* Copies go out per full buffer (plan_emit) and at the end
		 * of each round over the rx queues, not after every burst. */
		if (q == 0 && pending) {
			dp_worker_flush(w);
			pending = 0;
			dp_ctr_add(&w->stats.w.busy_cycles, rte_rdtsc() - t0);
		} else if (n > 0) {
			dp_ctr_add(&w->stats.w.busy_cycles, rte_rdtsc() - t0);
		}
		/* Not while copies of this round wait in the buffers: they
		 * are counted in collector slots that a grace period may
		 * retire. */
		if (!pending)
			rte_rcu_qsbr_quiescent(sh->qsbr, w->id);
	}
	if (pending)
		dp_worker_flush(w);
	rte_rcu_qsbr_thread_offline(sh->qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(sh->qsbr, w->id);
	return 0;
}
