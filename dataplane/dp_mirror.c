/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_memcpy.h>

#include "dp_mirror.h"

/* Copy LEN bytes from the start of the (possibly chained) PKT to DST. */
static inline void
copy_bits(const struct rte_mbuf *pkt, uint8_t *dst, uint32_t len)
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
#define NONE_SPLIT (2 * RTE_ETHER_ADDR_LEN)

static inline struct rte_mbuf *
make_copy(struct rte_mbuf *pkt, uint32_t inner_len,
	  const struct dp_encap_tmpl *t, struct rte_mbuf *m)
{
	uint8_t *p;

	if (unlikely(rte_pktmbuf_headroom(m) < t->len ||
		     rte_pktmbuf_tailroom(m) < inner_len)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	copy_bits(pkt, p, inner_len);
	m->data_off -= t->len;
	m->data_len = (uint16_t)(inner_len + t->len);
	m->pkt_len = m->data_len;
	return m;
}

/* Cut the (indirect) chain C to its first LEN bytes. */
static inline void
trim_chain(struct rte_mbuf *c, uint32_t len)
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
make_clone(struct rte_mbuf *pkt, uint32_t inner_len,
	   const struct dp_encap_tmpl *t, struct rte_mbuf *hdr,
	   struct rte_mempool *clone_mp)
{
	const uint32_t split = t->type == DP_ENCAP_NONE ? NONE_SPLIT : 0;
	struct rte_mbuf *c;

	c = rte_pktmbuf_clone(pkt, clone_mp);
	if (unlikely(c == NULL)) {
		rte_pktmbuf_free(hdr);
		return NULL;
	}
	if (inner_len < c->pkt_len)
		trim_chain(c, inner_len);
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

struct rte_mbuf *
dp_mirror_build(struct rte_mbuf *pkt, uint32_t inner_len, int clone,
		const struct dp_encap_tmpl *t, struct rte_mbuf *m0,
		struct rte_mempool *clone_mp)
{
	if (clone)
		return make_clone(pkt, inner_len, t, m0, clone_mp);
	return make_copy(pkt, inner_len, t, m0);
}

void
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

struct rte_mbuf *
dp_mirror_make(struct rte_mbuf *pkt, uint32_t inner_len, int clone,
	       const struct dp_encap_tmpl *t, const struct dp_encap_pkt *pk,
	       struct rte_mbuf *m0, struct rte_mempool *mp,
	       struct rte_mempool *clone_mp)
{
	struct rte_mbuf *m;

	if (m0 == NULL) {
		m0 = rte_pktmbuf_alloc(mp);
		if (unlikely(m0 == NULL))
			return NULL;
	}
	m = dp_mirror_build(pkt, inner_len, clone, t, m0, clone_mp);
	if (likely(m != NULL))
		dp_mirror_finish(t, m, pk);
	return m;
}
