/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_memcpy.h>

#include "dp_mirror.h"

struct rte_mbuf *
dp_mirror_make(struct rte_mbuf *pkt, uint32_t inner_len, int kind,
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
	m = dp_mirror_build(pkt, inner_len, kind, t, m0, clone_mp);
	if (likely(m != NULL))
		dp_mirror_finish(t, m, pk);
	return m;
}
