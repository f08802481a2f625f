/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_ACL_H
#define DPMIRROR_CTL_ACL_H

/*
 * The rule compiler: turns the filters and sessions of a validated config
 * into the IPv4 and IPv6 rte_acl contexts the workers classify against
 * (keys and field layouts in dataplane/dp_acl.h).  Control thread only;
 * needs an initialised EAL (rte_acl allocates from DPDK memory).
 *
 * Session i is ACL category i (or the slot it is given, see
 * ctl_acl_build_slots).  The rules of a filter are added once with a
 * category mask of every session that uses the filter; priorities follow
 * the rule order (first match wins).  A session without a filter gets no
 * rules and a default of accept.
 *
 * Placement: a rule naming src or dst goes to the context of its address
 * family only; any other rule goes to both.  A rule naming any of
 * proto/src/dst/sport/dport requires the context's IP flag (DP_KEY_F_IP4 or
 * DP_KEY_F_IP6) in the key, and DP_KEY_F_PORTS too if it names a port; a
 * rule naming none of them (only vlan, or nothing) leaves the flags free
 * and so also matches non-IP frames.  An unnamed vlan is the range
 * 0..0xffff, which includes untagged (DP_VLAN_NONE); `vlan N` is N..N.
 *
 * Both contexts are always built, so the workers may classify against
 * either: a context no filter rule lands in gets one guard rule (category 0,
 * lowest priority) whose flags demand DP_KEY_F_IP4 and DP_KEY_F_IP6 at
 * once, which no key carries, so it never matches and every result stays 0.
 * The classify algorithm is rte_acl_create()'s default: the best one the
 * CPU and the EAL's max SIMD bitwidth allow.
 */

#include <stdint.h>

#include <rte_acl.h>

#include "cfg.h"
#include "dpm_err.h"

struct ctl_acl {
	struct rte_acl_ctx *v4; /* IPv4 and non-IP packets */
	struct rte_acl_ctx *v6; /* IPv6 packets */
	uint32_t n_categories;	/* for rte_acl_classify: 1 for one slot,
				 * else a multiple of
				 * RTE_ACL_RESULTS_MULTIPLIER >= n_sessions */
	uint32_t empty; /* bit 0: v4 has no rule (but the guard), 1: v6 */
	uint32_t n_sessions;
	uint32_t
		dflt_accept; /* bit i: session i accepts what no rule matched */
};

/*
 * Build both contexts for CFG.  NAME makes the rte_acl context names unique
 * (two rulesets may exist at once during a reload).  Returns 0, or a
 * negative errno with a message in E naming the filter or rule at fault.
 * The contexts are "<NAME>-v4" and "<NAME>-v6" (-ENAMETOOLONG past
 * RTE_ACL_NAMESIZE - 1 bytes, -EEXIST if one is still in use).  On failure
 * nothing is left allocated and *ACL is zeroed.
 */
int ctl_acl_build(const struct cfg *cfg, const char *name, struct ctl_acl *acl,
		  struct dpm_err *e);

/*
 * The same with session I as category SLOT[I] (SLOT NULL: category I), so
 * that a session keeps its category across reloads; a session whose slot
 * is negative is left out.  n_sessions is then the highest slot + 1; a
 * category no session has gets no rule and a default of reject, so it
 * never accepts.
 */
int ctl_acl_build_slots(const struct cfg *cfg, const int *slot,
			const char *name, struct ctl_acl *acl,
			struct dpm_err *e);

/*
 * The same with both contexts in the memory of NUMA socket SOCKET
 * (SOCKET_ID_ANY: wherever there is room), for the workers of that socket:
 * ctl_acl_build and ctl_acl_build_slots take SOCKET_ID_ANY.
 */
int ctl_acl_build_on(const struct cfg *cfg, const int *slot, const char *name,
		     int socket, struct ctl_acl *acl, struct dpm_err *e);

/* Free what ctl_acl_build made; safe on a zeroed or partly built struct. */
void ctl_acl_free(struct ctl_acl *acl);

#endif /* DPMIRROR_CTL_ACL_H */
