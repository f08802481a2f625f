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

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
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

	if (unlikely(rte_pktmbuf_headroom(m) < t->len ||
		     rte_pktmbuf_tailroom(m) < inner_len)) {
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
 * dp_mirror_make in two steps, for a caller that numbers only the copies
 * it could build: dp_mirror_build lays out the copy or clone in M0 (not
 * NULL; freed on failure) with room for the outer header, and returns it
 * or NULL; dp_mirror_finish then writes the outer header for PK (and sets
 * the checksum offload flags or computes the IPv6 UDP checksum).
 */
static inline struct rte_mbuf *
dp_mirror_build(struct rte_mbuf *pkt, uint32_t inner_len, int clone,
		const struct dp_encap_tmpl *t, struct rte_mbuf *m0,
		struct rte_mempool *clone_mp)
{
	if (clone)
		return dp_mirror_clone_in(pkt, inner_len, t, m0, clone_mp);
	return dp_mirror_copy_in(pkt, inner_len, t, m0);
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
	    (t->type == DP_ENCAP_VXLAN || t->type == DP_ENCAP_GENEVE))
		dp_encap_udp6_csum(t, m);
}

/*
 * Make a copy (CLONE == 0) or clone (CLONE != 0) of PKT's first INNER_LEN
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
				int clone, const struct dp_encap_tmpl *t,
				const struct dp_encap_pkt *pk,
				struct rte_mbuf *m0, struct rte_mempool *mp,
				struct rte_mempool *clone_mp);

#endif /* DPMIRROR_DP_MIRROR_H */
