/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_RULESET_H
#define DPMIRROR_DP_RULESET_H

/*
 * The ruleset: everything a worker needs to decide and build copies, in one
 * immutable object reached through a single pointer.  The control thread
 * builds a new one off the fast path and swaps the pointer; workers report
 * quiescent states to an rte_rcu_qsbr variable once per loop, so the old
 * object is freed only when no worker can still be reading it.
 *
 * Read by workers under RCU; built and freed by the control thread only.
 */

#include <stdint.h>

#include <rte_acl.h>
#include <rte_bpf.h>

#include "dp_encap.h"
#include "dp_limits.h"
#include "dp_rate.h"
#include "dp_stats.h"

struct dp_collector {
	struct dp_encap_tmpl tmpl;
	uint16_t port;	    /* dp port index of the egress port */
	uint8_t clone_ok;   /* the egress port takes multi-segment tx */
	uint32_t max_frame; /* largest frame the egress port sends: MTU + 14 */
	uint32_t min_inner; /* shorter originals are dropped as runt */
	/* remote_mac = auto and the next hop's MAC not (or no longer) known:
	 * the template has no destination, every copy for this collector is
	 * dropped as no_neighbor.  A resolved MAC comes in a new ruleset. */
	uint8_t no_neighbor;
	/* Slot of the collector's counters (dp_stats.coll[]) and sequence
	 * numbers (dp_shared.seq[]): kept across reloads with its name. */
	uint16_t slot;
};

struct dp_session {
	uint32_t snaplen; /* 0 = whole frame */
	uint32_t sample;  /* 1 = every match */
	uint8_t n_coll;
	uint8_t coll[DP_MAX_SESSION_COLLECTORS]; /* indexes into coll[] */
	/* The cap shared by the session's workers (dp_rate.h): rate.cpb
	 * != 0 when there is one; its bucket is dp_shared's for this slot. */
	struct dp_rate_prof rate;
	/* A worker restarts this slot's sampler (its count) or its cap
	 * (its grant dropped, the shared bucket of `rate` filled again by
	 * dp_rate_adopt) when the epoch differs from the one it last took;
	 * a session kept across a reload with the same sample, or the same
	 * rate profile, keeps its epoch, and with it the sampler's phase
	 * and the bucket.  0 in a free slot. */
	uint64_t sample_epoch;
	uint64_t meter_epoch;
};

struct dp_ruleset {
	uint64_t generation; /* changes with every new ruleset */
	/* The ACL contexts of each socket index (dp_worker.sidx): one copy
	 * of the same rules in each socket's memory; [0] always exists. */
	struct rte_acl_ctx *acl4[DP_MAX_SOCKETS]; /* IPv4, non-IP packets */
	struct rte_acl_ctx *acl6[DP_MAX_SOCKETS]; /* IPv6 packets */
	uint32_t n_categories; /* results per packet in classify output */
	/* Bit 0: acl4 holds no rule of any session, bit 1: acl6: packets of
	 * that family are not classified, every filter's default decides. */
	uint32_t acl_empty;
	/* Session slots: sess[], the session masks, the ACL categories and
	 * the workers' per-session counters are indexed by slot, which a
	 * session keeps across reloads (ctrl/ctl_reload.h).  n_sessions is
	 * the highest slot in use + 1; a free slot below it wants nothing
	 * and accepts nothing. */
	uint32_t n_sessions;
	uint32_t dflt_accept; /* bit s: slot s's filter default */
	uint32_t filtered;    /* bit s: slot s's session has a filter */
	/* Of filtered, the slots whose filter is a pcap-filter expression:
	 * the program bpf[s] decides (interpreted: ctrl/ctl_bpf.h says why
	 * not JIT-compiled), the ACL gives them nothing. */
	uint32_t bpf_mask;
	struct rte_bpf *bpf[DP_MAX_SESSIONS];
	/* Slots interested in what port p receives: their rx sources, and
	 * in inline mode the tx sources of p's peer. */
	uint32_t want[DP_MAX_PORTS];
	/* Of want[p], the slots that want what p receives only as its
	 * peer's tx (ERSPAN III direction bit: egress). */
	uint32_t egress[DP_MAX_PORTS];
	/* Own copies coming back (dp_encap_own): bit p of own_ports says
	 * that frames received on port p are checked, because p is mirrored
	 * or some collector sends out of it; own_dport[] holds the
	 * collectors' distinct UDP destination ports (host order), for a
	 * first test on a parsed frame. */
	uint32_t own_ports;
	uint32_t n_own_dports;
	uint16_t own_dport[DP_MAX_COLLECTORS];
	/* Some collector sends GRE (gre, erspan2, erspan3): every frame
	 * received on own_ports is looked at. */
	uint8_t own_gre;
	/* Some collector is erspan3: copies carry a timestamp. */
	uint8_t timestamps;
	/* Some collector numbers its copies (GRE sequence numbers). */
	uint8_t seqs;
	/* Frames up to this length are copied, longer ones cloned when
	 * possible. */
	uint32_t copy_max;
	struct dp_session sess[DP_MAX_SESSIONS];
	struct dp_collector coll[DP_MAX_COLLECTORS];
	uint32_t n_coll;
};

/* Every session has its bit in the session masks, every port its bit in
 * own_ports, and every collector index fits a session's coll[]. */
_Static_assert(DP_MAX_SESSIONS <= DP_MEMBER_BITS(struct dp_ruleset, want[0]),
	       "want[] has a bit per session");
_Static_assert(DP_MAX_SESSIONS <= DP_MEMBER_BITS(struct dp_ruleset, egress[0]),
	       "egress[] has a bit per session");
_Static_assert(DP_MAX_COLL_SLOTS - 1 <=
		       DP_MEMBER_MAX(struct dp_collector, slot),
	       "a collector slot fits dp_collector.slot");
_Static_assert(DP_MAX_SESSIONS <= DP_MEMBER_BITS(struct dp_ruleset, bpf_mask),
	       "bpf_mask has a bit per session");
_Static_assert(DP_MAX_SESSIONS <= DP_MEMBER_BITS(struct dp_ruleset, filtered),
	       "filtered has a bit per session");
_Static_assert(DP_MAX_SESSIONS <=
		       DP_MEMBER_BITS(struct dp_ruleset, dflt_accept),
	       "dflt_accept has a bit per session");
_Static_assert(DP_MAX_PORTS <= DP_MEMBER_BITS(struct dp_ruleset, own_ports),
	       "own_ports has a bit per port");
_Static_assert(DP_MAX_COLLECTORS - 1 <=
		       DP_MEMBER_MAX(struct dp_session, coll[0]),
	       "a collector index fits dp_session.coll[]");
_Static_assert(DP_MAX_SESSION_COLLECTORS <=
		       DP_MEMBER_MAX(struct dp_session, n_coll),
	       "dp_session.n_coll counts up to DP_MAX_SESSION_COLLECTORS");

#endif /* DPMIRROR_DP_RULESET_H */
