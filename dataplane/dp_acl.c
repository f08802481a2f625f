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

/* Field F of key4 or key6 (size and offset those of its MEMBER), of
 * rte_acl type T, read through input group II. */
#define DP_FIELD4(f, t, ii, member)                                            \
	[DP_ACL4_##f] = DP_FIELD(RTE_ACL_FIELD_TYPE_##t,                       \
				 sizeof(((struct dp_acl_key4 *)0)->member),    \
				 DP_ACL4_##f, (ii),                            \
				 offsetof(struct dp_acl_key4, member))
#define DP_FIELD6(f, t, ii, member)                                            \
	[DP_ACL6_##f] = DP_FIELD(RTE_ACL_FIELD_TYPE_##t,                       \
				 sizeof(((struct dp_acl_key6 *)0)->member),    \
				 DP_ACL6_##f, (ii),                            \
				 offsetof(struct dp_acl_key6, member))

/* Slice W (0..3, 32 bits each) of IPv6 address MEMBER of key6 as field F. */
#define DP_FIELD6_ADDR(f, ii, member, w)                                       \
	[DP_ACL6_##f] = DP_FIELD(                                              \
		RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), DP_ACL6_##f, (ii),  \
		offsetof(struct dp_acl_key6, member) + (w) * sizeof(uint32_t))

/* One row per field; fields of one input group share a group number. */
/* clang-format off */
const struct rte_acl_field_def dp_acl_defs4[DP_ACL4_NUM_FIELDS] = {
	/*        field   type     group  member */
	DP_FIELD4(PROTO,  BITMASK, 0,     proto),
	DP_FIELD4(SRC,    MASK,    1,     src),
	DP_FIELD4(DST,    MASK,    2,     dst),
	DP_FIELD4(SPORT,  RANGE,   3,     sport),
	DP_FIELD4(DPORT,  RANGE,   3,     dport),
	DP_FIELD4(VLAN,   RANGE,   4,     vlan),
	DP_FIELD4(FLAGS,  BITMASK, 4,     flags),
};

const struct rte_acl_field_def dp_acl_defs6[DP_ACL6_NUM_FIELDS] = {
	/*             field  type     group  member  slice */
	DP_FIELD6(     PROTO, BITMASK, 0,     proto),
	DP_FIELD6_ADDR(SRC0,           1,     src,    0),
	DP_FIELD6_ADDR(SRC1,           2,     src,    1),
	DP_FIELD6_ADDR(SRC2,           3,     src,    2),
	DP_FIELD6_ADDR(SRC3,           4,     src,    3),
	DP_FIELD6_ADDR(DST0,           5,     dst,    0),
	DP_FIELD6_ADDR(DST1,           6,     dst,    1),
	DP_FIELD6_ADDR(DST2,           7,     dst,    2),
	DP_FIELD6_ADDR(DST3,           8,     dst,    3),
	DP_FIELD6(     SPORT, RANGE,   9,     sport),
	DP_FIELD6(     DPORT, RANGE,   9,     dport),
	DP_FIELD6(     VLAN,  RANGE,   10,    vlan),
	DP_FIELD6(     FLAGS, BITMASK, 10,    flags),
};
/* clang-format on */
