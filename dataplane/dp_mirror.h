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

#include <rte_mbuf.h>

#include "dp_encap.h"

/* The most inner bytes one copy holds: a mirror mbuf's data room less its
 * headroom (the outer header goes in the headroom). */
#define DP_MIRROR_COPY_MAX (RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM)

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
/*
 * dp_mirror_make in two steps, for a caller that numbers only the copies
 * it could build: dp_mirror_build lays out the copy or clone in M0 (not
 * NULL; freed on failure) with room for the outer header, and returns it
 * or NULL; dp_mirror_finish then writes the outer header for PK (and sets
 * the checksum offload flags or computes the IPv6 UDP checksum).
 */
struct rte_mbuf *dp_mirror_build(struct rte_mbuf *pkt, uint32_t inner_len,
				 int clone, const struct dp_encap_tmpl *t,
				 struct rte_mbuf *m0,
				 struct rte_mempool *clone_mp);
void dp_mirror_finish(const struct dp_encap_tmpl *t, struct rte_mbuf *m,
		      const struct dp_encap_pkt *pk);

struct rte_mbuf *dp_mirror_make(struct rte_mbuf *pkt, uint32_t inner_len,
				int clone, const struct dp_encap_tmpl *t,
				const struct dp_encap_pkt *pk,
				struct rte_mbuf *m0, struct rte_mempool *mp,
				struct rte_mempool *clone_mp);

#endif /* DPMIRROR_DP_MIRROR_H */
