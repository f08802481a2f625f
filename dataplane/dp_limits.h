/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_LIMITS_H
#define DPMIRROR_DP_LIMITS_H

/*
 * The sizes of the dataplane's arrays, in one place.
 *
 * cfg/cfg.h takes its limits from here (or asserts that they fit), so that
 * a configuration the validator accepts always fits the arrays the workers
 * index.  Plain C, no DPDK header: the configuration side includes it too.
 * Where a limit is also the width of a bit mask or of an index field, the
 * header that declares that field asserts that it fits (dp_ruleset.h,
 * dp_worker.h, dp_acl.h), so that neither can change without the other.
 */

#include <limits.h>

/* Ports: dp port indexes, per-port counters, tx queues and masks. */
#define DP_MAX_PORTS 16

/* Mirror sessions: one rte_acl category and one mask bit each. */
#define DP_MAX_SESSIONS 16

/* Collectors (outer header templates) over all sessions. */
#define DP_MAX_COLLECTORS 64

/* Collector slots: a collector keeps its slot (its counters and its
 * sequence numbers) across reloads for as long as it keeps its name; a
 * removed collector's slot is free again only after it was zeroed.  Twice
 * the collectors, so that any new configuration finds slots that neither
 * the running one holds nor a reload is still retiring. */
#define DP_MAX_COLL_SLOTS (2 * DP_MAX_COLLECTORS)

/* Collectors one session load-balances over. */
#define DP_MAX_SESSION_COLLECTORS 8

/* Worker lcores: one rte_rcu_qsbr thread id and one statistics slot each;
 * the control side keeps, per port, a 64-bit set of the workers polling
 * it (ctl_workers.h asserts that they fit). */
/* NUMA sockets with their own mirror pools and ACL contexts (a worker
 * uses its socket's: dp_worker.sidx indexes them, not the socket id). */
#define DP_MAX_SOCKETS 8

#define DP_MAX_WORKERS 64

/* (port, rx queue) pairs one worker polls. */
#define DP_MAX_RXQ 64

/* Packets one rx burst may hold (the largest `burst` accepted). */
#define DP_MAX_BURST 512

/* Copies buffered per egress port before a tx burst. */
#define DP_MIRBUF 256

/* Mirror mbufs taken in bulk for one burst's copies. */
#define DP_MAX_SPARE 512

/*
 * Session masks (uint32_t: ruleset want[], filtered, dflt_accept, a
 * packet's hits, a mirror buffer's smask) and port masks (own_ports) are
 * this many bits wide.
 */
#define DP_MASK_BITS 32

/* How many bits member MEMBER of struct type TYPE holds. */
#define DP_MEMBER_BITS(type, member) (sizeof(((type *)0)->member) * CHAR_BIT)

/* The largest value unsigned member MEMBER of struct type TYPE holds. */
#define DP_MEMBER_MAX(type, member)                                            \
	((1ull << (DP_MEMBER_BITS(type, member) - 1)) * 2 - 1)

_Static_assert(DP_MAX_SESSIONS <= DP_MASK_BITS,
	       "every session needs its bit in a session mask");
_Static_assert(DP_MAX_PORTS <= DP_MASK_BITS,
	       "every port needs its bit in a port mask");
_Static_assert(DP_MAX_SESSION_COLLECTORS <= DP_MAX_COLLECTORS,
	       "a session's collectors are among all collectors");

#endif /* DPMIRROR_DP_LIMITS_H */
