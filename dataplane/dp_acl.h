/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_ACL_H
#define DPMIRROR_DP_ACL_H

/*
 * ACL keys: the bytes rte_acl_classify() looks at, built from a dp_meta.
 * Two contexts: IPv4 (which also takes non-IP frames, with flags = 0) and
 * IPv6.  rte_acl compares key fields as network-order (big-endian) values,
 * so every multi-byte field is stored big-endian; rule values are host order.
 *
 * One category per session.  A rule's userdata is DP_ACL_ACCEPT or
 * DP_ACL_REJECT; result 0 in a category means no rule of that session's
 * filter matched, and the filter's default applies.
 */

#include <stdint.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>

#include "dp_limits.h"
#include "dp_parse.h"

/* One category per session. */
_Static_assert(DP_MAX_SESSIONS <= RTE_ACL_MAX_CATEGORIES,
	       "every session has its own rte_acl category");

#define DP_ACL_ACCEPT 1u
#define DP_ACL_REJECT 2u

/* flags field bits */
#define DP_KEY_F_IP4   0x0001 /* an IPv4 packet (v4 context only) */
#define DP_KEY_F_IP6   0x0002 /* an IPv6 packet (v6 context only) */
#define DP_KEY_F_PORTS 0x0004 /* sport/dport are valid */

/* rte_acl wants the first field one byte long, then 4-byte input groups. */
struct dp_acl_key4 {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src[4];
	uint8_t dst[4];
	rte_be16_t sport;
	rte_be16_t dport;
	rte_be16_t vlan; /* DP_VLAN_NONE when untagged */
	rte_be16_t flags;
};

struct dp_acl_key6 {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src[16];
	uint8_t dst[16];
	rte_be16_t sport;
	rte_be16_t dport;
	rte_be16_t vlan;
	rte_be16_t flags;
};

enum {
	DP_ACL4_PROTO,
	DP_ACL4_SRC,
	DP_ACL4_DST,
	DP_ACL4_SPORT,
	DP_ACL4_DPORT,
	DP_ACL4_VLAN,
	DP_ACL4_FLAGS,
	DP_ACL4_NUM_FIELDS
};

enum {
	DP_ACL6_PROTO,
	DP_ACL6_SRC0,
	DP_ACL6_SRC1,
	DP_ACL6_SRC2,
	DP_ACL6_SRC3,
	DP_ACL6_DST0,
	DP_ACL6_DST1,
	DP_ACL6_DST2,
	DP_ACL6_DST3,
	DP_ACL6_SPORT,
	DP_ACL6_DPORT,
	DP_ACL6_VLAN,
	DP_ACL6_FLAGS,
	DP_ACL6_NUM_FIELDS
};

RTE_ACL_RULE_DEF(dp_acl_rule4, DP_ACL4_NUM_FIELDS);
RTE_ACL_RULE_DEF(dp_acl_rule6, DP_ACL6_NUM_FIELDS);

/* Field layouts for rte_acl_build() (defined in dp_acl.c). */
extern const struct rte_acl_field_def dp_acl_defs4[DP_ACL4_NUM_FIELDS];
extern const struct rte_acl_field_def dp_acl_defs6[DP_ACL6_NUM_FIELDS];

/* Key of an IPv4 or non-IP packet (m->l3 != DP_L3_IPV6).  Every byte is
 * written, without a memset. */
static inline void
dp_acl_key4_build(const struct dp_meta *m, struct dp_acl_key4 *k)
{
	uint16_t f = 0;

	memset(k->pad, 0, sizeof(k->pad));
	k->vlan = rte_cpu_to_be_16(m->vlan);
	if (m->l3 == DP_L3_IPV4) {
		f = DP_KEY_F_IP4;
		k->proto = m->proto;
		memcpy(k->src, m->src, 4);
		memcpy(k->dst, m->dst, 4);
	} else {
		k->proto = 0;
		memset(k->src, 0, 8);
	}
	if (m->has_ports && m->l3 == DP_L3_IPV4) {
		f |= DP_KEY_F_PORTS;
		k->sport = rte_cpu_to_be_16(m->sport);
		k->dport = rte_cpu_to_be_16(m->dport);
	} else {
		k->sport = 0;
		k->dport = 0;
	}
	k->flags = rte_cpu_to_be_16(f);
}

/* Key of an IPv6 packet (m->l3 == DP_L3_IPV6). */
static inline void
dp_acl_key6_build(const struct dp_meta *m, struct dp_acl_key6 *k)
{
	uint16_t f = DP_KEY_F_IP6;

	memset(k->pad, 0, sizeof(k->pad));
	k->proto = m->proto;
	k->vlan = rte_cpu_to_be_16(m->vlan);
	memcpy(k->src, m->src, 16);
	memcpy(k->dst, m->dst, 16);
	if (m->has_ports) {
		f |= DP_KEY_F_PORTS;
		k->sport = rte_cpu_to_be_16(m->sport);
		k->dport = rte_cpu_to_be_16(m->dport);
	} else {
		k->sport = 0;
		k->dport = 0;
	}
	k->flags = rte_cpu_to_be_16(f);
}

/*
 * Sessions (bit i = session i) whose filter accepts a packet, from the
 * packet's N_CAT category results and the mask of sessions whose filter
 * default is accept (or that have no filter).
 */
static inline uint32_t
dp_acl_accepted(const uint32_t *res, uint32_t n_sessions, uint32_t dflt_accept)
{
	uint32_t mask = 0, i;

	for (i = 0; i < n_sessions; i++) {
		uint32_t r = res[i];

		if (r == DP_ACL_ACCEPT || (r == 0 && (dflt_accept >> i) & 1))
			mask |= 1u << i;
	}
	return mask;
}

#endif /* DPMIRROR_DP_ACL_H */
