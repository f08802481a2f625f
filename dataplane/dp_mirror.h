/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_MIRROR_H
#define DPMIRROR_DP_MIRROR_H

/*
 * Building one encapsulated copy of a packet (or, for none, a plain or
 * tagged one).
 *
 * Copy: a new mbuf from the mirror pool holding the outer header and the
 * first INNER_LEN bytes of the original (for small frames and frames cut by
 * snaplen).  Clone: a header mbuf from the mirror pool holding only the
 * outer header, chained in front of an indirect mbuf (rte_pktmbuf_clone)
 * that shares the original's data, as in DPDK's ipv4_multicast example;
 * cheaper for large frames, needs an egress port that takes multi-segment
 * tx.  The original is never written.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "dp_encap.h"

/* The most inner bytes one copy holds: a mirror mbuf's data room less its
 * headroom (the outer header goes in the headroom). */
#define DP_MIRROR_COPY_MAX (RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM)

/* Copy LEN bytes from the start of the (possibly chained) PKT to DST. */
static inline void
dp_mirror_copy_bits(const struct rte_mbuf *pkt, uint8_t *dst, uint32_t len)
{
	const struct rte_mbuf *seg = pkt;

	while (len > 0 && seg != NULL) {
		uint32_t n = RTE_MIN(len, (uint32_t)seg->data_len);

		rte_memcpy(dst, rte_pktmbuf_mtod(seg, const uint8_t *), n);
		dst += n;
		len -= n;
		seg = seg->next;
	}
}

/* none: the MAC addresses that go in front of its tag. */
#define DP_MIRROR_NONE_SPLIT (2 * RTE_ETHER_ADDR_LEN)

static inline struct rte_mbuf *
dp_mirror_copy_in(struct rte_mbuf *pkt, uint32_t inner_len,
		  const struct dp_encap_tmpl *t, struct rte_mbuf *m)
{
	uint8_t *p;

	/* A raw mbuf (dp_mirror_rearm) still has its last use's lengths:
	 * its room is counted from data_off alone. */
	if (unlikely(rte_pktmbuf_headroom(m) < t->len ||
		     (uint32_t)m->buf_len - m->data_off < inner_len)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	dp_mirror_copy_bits(pkt, p, inner_len);
	m->data_off -= t->len;
	m->data_len = (uint16_t)(inner_len + t->len);
	m->pkt_len = m->data_len;
	return m;
}

/* Cut the (indirect) chain C to its first LEN bytes. */
static inline void
dp_mirror_trim_chain(struct rte_mbuf *c, uint32_t len)
{
	struct rte_mbuf *seg = c;
	uint32_t left = len;
	uint16_t nb = 1;

	while (seg->data_len < left && seg->next != NULL) {
		left -= seg->data_len;
		seg = seg->next;
		nb++;
	}
	seg->data_len = (uint16_t)left;
	if (seg->next != NULL) {
		rte_pktmbuf_free(seg->next);
		seg->next = NULL;
	}
	c->nb_segs = nb;
	c->pkt_len = len;
}

/*
 * The header mbuf HDR holds the outer header; for none it holds the
 * original's MAC addresses (and the tag), and the clone starts behind
 * them.  The caller makes sure that PKT's first segment holds them.
 */
static inline struct rte_mbuf *
dp_mirror_clone_in(struct rte_mbuf *pkt, uint32_t inner_len,
		   const struct dp_encap_tmpl *t, struct rte_mbuf *hdr,
		   struct rte_mempool *clone_mp)
{
	const uint32_t split =
		t->type == DP_ENCAP_NONE ? DP_MIRROR_NONE_SPLIT : 0;
	struct rte_mbuf *c;

	c = rte_pktmbuf_clone(pkt, clone_mp);
	if (unlikely(c == NULL)) {
		rte_pktmbuf_free(hdr);
		return NULL;
	}
	if (inner_len < c->pkt_len)
		dp_mirror_trim_chain(c, inner_len);
	if (split != 0) {
		rte_memcpy(rte_pktmbuf_mtod_offset(hdr, uint8_t *, t->len),
			   rte_pktmbuf_mtod(c, const uint8_t *), split);
		rte_pktmbuf_adj(c, (uint16_t)split);
	}
	hdr->next = c;
	hdr->nb_segs = (uint16_t)(c->nb_segs + 1);
	hdr->data_len = (uint16_t)(t->len + split);
	hdr->pkt_len = hdr->data_len + c->pkt_len;
	return hdr;
}

/*
 * A clone that shares the original itself: HDR (from the small header
 * pool) holds the outer header and is chained in front of PKT, whose
 * reference count goes up by one.  Only for a whole (not cut), direct,
 * one-segment original: nothing of PKT is written, so the original can
 * still be forwarded, and PKT goes back to its pool when the last of its
 * transmissions is done.  Not for none (its header mbuf would hold the
 * original's MAC addresses).
 */
static inline struct rte_mbuf *
dp_mirror_share_in(struct rte_mbuf *pkt, const struct dp_encap_tmpl *t,
		   struct rte_mbuf *hdr)
{
	rte_mbuf_refcnt_update(pkt, 1);
	hdr->next = pkt;
	hdr->nb_segs = 2;
	hdr->data_len = t->len;
	hdr->pkt_len = (uint32_t)t->len + pkt->pkt_len;
	return hdr;
}

/* Whether PKT may be shared by a clone of INNER_LEN bytes of it.  Its
 * next pointer must be NULL: the clone's chain goes on through it (and
 * freeing the clone walks it), whatever nb_segs says. */
static inline int
dp_mirror_can_share(const struct rte_mbuf *pkt, uint32_t inner_len,
		    const struct dp_encap_tmpl *t)
{
	return inner_len == pkt->pkt_len && pkt->nb_segs == 1 &&
	       pkt->next == NULL && RTE_MBUF_DIRECT(pkt) &&
	       t->type != DP_ENCAP_NONE;
}

/*
 * In tap mode the original goes nowhere but into its copy: when it is
 * its only copy, the original itself becomes the copy, the outer header
 * put in its headroom (and the frame cut to INNER_LEN, which only a
 * one-segment original may need).  No mbuf taken, no byte copied, none
 * freed.  The caller checks dp_mirror_can_steal.
 */
static inline struct rte_mbuf *
dp_mirror_steal_in(struct rte_mbuf *pkt, uint32_t inner_len,
		   const struct dp_encap_tmpl *t)
{
	if (inner_len < pkt->pkt_len) {
		pkt->data_len = (uint16_t)inner_len;
		pkt->pkt_len = inner_len;
	}
	pkt->data_off = (uint16_t)(pkt->data_off - t->len);
	pkt->data_len = (uint16_t)(pkt->data_len + t->len);
	pkt->pkt_len += t->len;
	/* What rx said about the original is not for the copy's tx. */
	pkt->ol_flags = 0;
	return pkt;
}

/* Whether PKT, wholly this process's, may become its own copy of
 * INNER_LEN bytes behind T (CHAINS: the egress port sends chains). */
static inline int
dp_mirror_can_steal(const struct rte_mbuf *pkt, uint32_t inner_len,
		    const struct dp_encap_tmpl *t, int chains)
{
	return rte_mbuf_refcnt_read(pkt) == 1 && RTE_MBUF_DIRECT(pkt) &&
	       rte_pktmbuf_headroom(pkt) >= t->len &&
	       (pkt->nb_segs == 1 || (chains && inner_len == pkt->pkt_len));
}

/* How a copy is made (dp_mirror_build). */
enum dp_mirror_kind {
	DP_MIRROR_COPY = 0,  /* the bytes copied into one mirror mbuf */
	DP_MIRROR_CLONE = 1, /* a header mbuf + an indirect mbuf */
	DP_MIRROR_SHARE = 2, /* a header mbuf + the original, refcounted */
	DP_MIRROR_STEAL = 3, /* the original itself (tap mode) */
};

/*
 * dp_mirror_make in two steps, for a caller that numbers only the copies
 * it could build: dp_mirror_build lays out the copy or clone in M0 (not
 * NULL; freed on failure) with room for the outer header, and returns it
 * or NULL; dp_mirror_finish then writes the outer header for PK (and sets
 * the checksum offload flags or computes the IPv6 UDP checksum).
 */
static inline struct rte_mbuf *
dp_mirror_build(struct rte_mbuf *pkt, uint32_t inner_len, int kind,
		const struct dp_encap_tmpl *t, struct rte_mbuf *m0,
		struct rte_mempool *clone_mp)
{
	if (kind == DP_MIRROR_STEAL)
		return dp_mirror_steal_in(pkt, inner_len, t);
	if (kind == DP_MIRROR_SHARE)
		return dp_mirror_share_in(pkt, t, m0);
	if (kind == DP_MIRROR_CLONE)
		return dp_mirror_clone_in(pkt, inner_len, t, m0, clone_mp);
	return dp_mirror_copy_in(pkt, inner_len, t, m0);
}

/* The 8 bytes from data_off to port: the mbuf's rearm_data. */
#define DP_MBUF_REARM_OFS offsetof(struct rte_mbuf, data_off)
_Static_assert(offsetof(struct rte_mbuf, port) + sizeof(uint16_t) -
			       DP_MBUF_REARM_OFS ==
		       sizeof(uint64_t),
	       "data_off, refcnt, nb_segs and port make one 8-byte word");

/* Make the raw mbufs M[0..N-1], just taken from a pool of pktmbufs, fresh
 * packets as rte_pktmbuf_reset would, but in a few stores each: REARM is
 * the rearm_data word of a fresh mbuf (dp_mirror_rearm_word).  A pool's
 * free mbufs already have next NULL (rte_pktmbuf_free leaves them so);
 * pkt_len and data_len keep their last use's values until the build sets
 * them, so nothing may read them before. */
static inline void
dp_mirror_rearm(struct rte_mbuf **m, uint16_t n, uint64_t rearm)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		memcpy((uint8_t *)m[i] + DP_MBUF_REARM_OFS, &rearm,
		       sizeof(rearm));
		m[i]->ol_flags = 0;
		m[i]->packet_type = 0;
	}
}

/* The rearm_data word of a fresh mbuf with the default headroom. */
static inline uint64_t
dp_mirror_rearm_word(void)
{
	struct rte_mbuf mb;
	uint64_t w;

	memset(&mb, 0, sizeof(mb));
	mb.data_off = RTE_PKTMBUF_HEADROOM;
	mb.nb_segs = 1;
	mb.port = RTE_MBUF_PORT_INVALID;
	rte_mbuf_refcnt_set(&mb, 1);
	memcpy(&w, (const uint8_t *)&mb + DP_MBUF_REARM_OFS, sizeof(w));
	return w;
}

static inline void
dp_mirror_finish(const struct dp_encap_tmpl *t, struct rte_mbuf *m,
		 const struct dp_encap_pkt *pk)
{
	dp_encap_write_pkt(t, rte_pktmbuf_mtod(m, uint8_t *), pk);
	if (t->hw_ip_cksum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->l3_len = sizeof(struct rte_ipv4_hdr);
	}
	if (t->family == 6 &&
	    (t->type == DP_ENCAP_VXLAN || t->type == DP_ENCAP_GENEVE)) {
		if (t->udp6_csum == DP_UDP6_COMPUTE) {
			dp_encap_udp6_csum(t, m);
		} else if (t->udp6_csum == DP_UDP6_OFFLOAD) {
			/* The NIC wants the pseudo-header sum in the field. */
			struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(
				m, struct rte_ipv6_hdr *, t->l3_ofs);
			struct rte_udp_hdr *udp =
				(struct rte_udp_hdr *)(ip + 1);

			m->ol_flags |=
				RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
			m->l2_len = RTE_ETHER_HDR_LEN;
			m->l3_len = sizeof(struct rte_ipv6_hdr);
			udp->dgram_cksum = rte_ipv6_phdr_cksum(ip, m->ol_flags);
		}
		/* DP_UDP6_ZERO: the template's 0 stays. */
	}
}

/*
 * Make a copy (KIND DP_MIRROR_COPY) or clone (DP_MIRROR_CLONE, or
 * DP_MIRROR_SHARE where dp_mirror_can_share) of PKT's first INNER_LEN
 * bytes behind T's outer header, its per-packet fields from PK (whose
 * inner_len is INNER_LEN; a clone cut by snaplen shares only the first
 * INNER_LEN bytes).  A copy must fit one mirror mbuf: INNER_LEN <=
 * DP_MIRROR_COPY_MAX (the caller checks).  A none copy with a tag needs
 * INNER_LEN >= 14, and as a clone the original's MAC addresses in its
 * first segment (the caller checks both).
 * M0 is a fresh mbuf from the mirror pool to build in (taken in bulk by
 * the caller), or NULL to take one from MP here.  On failure M0 is freed.
 * Returns the new packet, or NULL when a pool is empty.
 */
struct rte_mbuf *dp_mirror_make(struct rte_mbuf *pkt, uint32_t inner_len,
				int kind, const struct dp_encap_tmpl *t,
				const struct dp_encap_pkt *pk,
				struct rte_mbuf *m0, struct rte_mempool *mp,
				struct rte_mempool *clone_mp);

#endif /* DPMIRROR_DP_MIRROR_H */
