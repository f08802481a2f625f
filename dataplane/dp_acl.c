/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Field layouts of the two ACL contexts (keys in dp_acl.h).
 *
 * rte_acl reads the first field as one byte and every other field through
 * 4-byte input groups (input_index): fields sharing a group must cover its
 * 4 consecutive bytes.  sport and dport share one group, vlan and flags
 * another; an IPv6 address is four 32-bit MASK fields, one group each.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_acl.h>

#include "dp_acl.h"

/* The layouts below rely on these offsets: a change must fail the build. */
_Static_assert(offsetof(struct dp_acl_key4, src) == 4, "key4 src");
_Static_assert(offsetof(struct dp_acl_key4, dst) == 8, "key4 dst");
_Static_assert(offsetof(struct dp_acl_key4, sport) == 12, "key4 sport");
_Static_assert(offsetof(struct dp_acl_key4, vlan) == 16, "key4 vlan");
_Static_assert(sizeof(struct dp_acl_key4) == 20, "key4 size");
_Static_assert(offsetof(struct dp_acl_key6, src) == 4, "key6 src");
_Static_assert(offsetof(struct dp_acl_key6, dst) == 20, "key6 dst");
_Static_assert(offsetof(struct dp_acl_key6, sport) == 36, "key6 sport");
_Static_assert(offsetof(struct dp_acl_key6, vlan) == 40, "key6 vlan");
_Static_assert(sizeof(struct dp_acl_key6) == 44, "key6 size");

#define DP_FIELD(t, sz, fi, ii, ofs)                                           \
	{                                                                      \
		.type = (t), .size = (sz), .field_index = (fi),                \
		.input_index = (ii), .offset = (ofs),                          \
	}

/* One 32-bit slice W of an IPv6 address field (src or dst) of key6. */
#define DP_FIELD6_ADDR(fi, ii, member, w)                                      \
	DP_FIELD(RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), (fi), (ii),        \
		 offsetof(struct dp_acl_key6, member) +                        \
			 (w) * sizeof(uint32_t))

const struct rte_acl_field_def dp_acl_defs4[DP_ACL4_NUM_FIELDS] = {
	[DP_ACL4_PROTO] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_BITMASK, sizeof(uint8_t),
			 DP_ACL4_PROTO, 0, offsetof(struct dp_acl_key4, proto)),
	[DP_ACL4_SRC] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), DP_ACL4_SRC,
			 1, offsetof(struct dp_acl_key4, src)),
	[DP_ACL4_DST] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), DP_ACL4_DST,
			 2, offsetof(struct dp_acl_key4, dst)),
	[DP_ACL4_SPORT] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t),
			 DP_ACL4_SPORT, 3, offsetof(struct dp_acl_key4, sport)),
	[DP_ACL4_DPORT] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t),
			 DP_ACL4_DPORT, 3, offsetof(struct dp_acl_key4, dport)),
	[DP_ACL4_VLAN] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t),
			 DP_ACL4_VLAN, 4, offsetof(struct dp_acl_key4, vlan)),
	[DP_ACL4_FLAGS] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_BITMASK, sizeof(uint16_t),
			 DP_ACL4_FLAGS, 4, offsetof(struct dp_acl_key4, flags)),
};

const struct rte_acl_field_def dp_acl_defs6[DP_ACL6_NUM_FIELDS] = {
	[DP_ACL6_PROTO] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_BITMASK, sizeof(uint8_t),
			 DP_ACL6_PROTO, 0, offsetof(struct dp_acl_key6, proto)),
	[DP_ACL6_SRC0] = DP_FIELD6_ADDR(DP_ACL6_SRC0, 1, src, 0),
	[DP_ACL6_SRC1] = DP_FIELD6_ADDR(DP_ACL6_SRC1, 2, src, 1),
	[DP_ACL6_SRC2] = DP_FIELD6_ADDR(DP_ACL6_SRC2, 3, src, 2),
	[DP_ACL6_SRC3] = DP_FIELD6_ADDR(DP_ACL6_SRC3, 4, src, 3),
	[DP_ACL6_DST0] = DP_FIELD6_ADDR(DP_ACL6_DST0, 5, dst, 0),
	[DP_ACL6_DST1] = DP_FIELD6_ADDR(DP_ACL6_DST1, 6, dst, 1),
	[DP_ACL6_DST2] = DP_FIELD6_ADDR(DP_ACL6_DST2, 7, dst, 2),
	[DP_ACL6_DST3] = DP_FIELD6_ADDR(DP_ACL6_DST3, 8, dst, 3),
	[DP_ACL6_SPORT] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t),
			 DP_ACL6_SPORT, 9, offsetof(struct dp_acl_key6, sport)),
	[DP_ACL6_DPORT] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t),
			 DP_ACL6_DPORT, 9, offsetof(struct dp_acl_key6, dport)),
	[DP_ACL6_VLAN] =
		DP_FIELD(RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t),
			 DP_ACL6_VLAN, 10, offsetof(struct dp_acl_key6, vlan)),
	[DP_ACL6_FLAGS] = DP_FIELD(RTE_ACL_FIELD_TYPE_BITMASK, sizeof(uint16_t),
				   DP_ACL6_FLAGS, 10,
				   offsetof(struct dp_acl_key6, flags)),
};
