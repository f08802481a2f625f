/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_KN_PLAYGROUND_H
#define DPMIRROR_KN_PLAYGROUND_H

/*
 * The playground: the seed's topology with network namespaces instead of
 * containers, addresses from 198.18.0.0/15 only.  Every object carries the
 * prefix P (1..8 characters of [a-z0-9]), so `down` removes exactly what
 * `up` made and nothing else.
 *
 *   root namespace                       netns P-h1 / P-h2
 *   P-br0  bridge 198.18.0.1/24          eth0 198.18.0.2/24 / .3  (P-h1e0 /
 * P-h2e0) P-br1  bridge 198.18.1.1/24, mtu 1600 eth1 198.18.1.2/24 / .3 (P-h1e1
 * / P-h2e1) P-h2: vxlan0 id 100 local 198.18.1.3 remote 198.18.1.2 dev eth1
 * dstport 4789
 *
 * Fixed MACs (so configs can name them): h1 eth0 02:00:00:00:00:02,
 * h2 eth0 02:00:00:00:00:03, h1 eth1 02:00:00:00:01:02,
 * h2 eth1 02:00:00:00:01:03.  The eth1 network has MTU 1600 end to end,
 * so copies of full-size frames fit (seed section 3.1).
 *
 * Attachment points for dpmirror, all in the root namespace:
 * - inline: with inline mode, P-h1e0 is left off P-br0 and a veth pair
 *   P-dpb <-> P-dpbr (P-dpbr on P-br0) is made: dpmirror forwards between
 *   P-h1e0 and P-dpb.  Without it, P-h1e0 is on P-br0 (the seed's wiring).
 * - span (tap mode): veth pair P-span <-> P-spanx; a clsact qdisc on
 *   P-h1e0 mirrors its ingress and egress to P-spanx, so P-span receives a
 *   copy of everything h1 sends and receives on eth0.
 * - egress to the tunnel network: veth pair P-out <-> P-outb, P-outb on
 *   P-br1, mtu 1600: dpmirror sends copies from 198.18.1.10 out of P-out
 *   to h2 (198.18.1.3, 02:00:00:00:01:03), whose vxlan0 decapsulates them.
 *   P-out has the fixed MAC 02:00:00:00:01:0a.
 *
 * Every link gets IPv6 addr_gen_mode none, so no link-local address, DAD
 * or router solicitation adds noise to captures.
 */

#include <stdbool.h>
#include <stdio.h>

#include "kn.h"

#define KN_PG_PREFIX_MAX     8
#define KN_PG_DEFAULT_PREFIX "dpm"

struct kn_pg_opts {
	const char *prefix; /* default KN_PG_DEFAULT_PREFIX */
	bool inline_mode;   /* wire h1 eth0 through P-h1e0 <-> P-dpb */
	FILE *log; /* one line per change and a summary; NULL = quiet */
};

/* 0 when PREFIX is usable, else -EINVAL with a message. */
int kn_pg_check_prefix(const char *prefix, struct dpm_err *e);

/*
 * Bring the playground up.  Idempotent: what exists and matches is kept,
 * and attributes are set only where they differ, so a second call changes
 * nothing.  An object that exists with the wrong shape (another kind, a
 * veth with another peer, a vxlan0 with other parameters) is reported with
 * what to do: `playground down` first, or, for an object up did not make,
 * delete it by hand.  Up with the other wiring than the existing one
 * re-wires: to inline, P-h1e0 leaves P-br0 and P-dpb <-> P-dpbr is added;
 * to seed, that pair is deleted and P-h1e0 goes back on P-br0.  On
 * failure, what this call created is removed again and master changes it
 * made are reverted (other attribute fixes on kept objects and a deleted
 * inline pair are not restored).  The span mirror (kn_tc) is not fatal:
 * when it cannot be installed, a warning goes to stderr, the rest stays
 * up and status reports it.
 */
int kn_playground_up(const struct kn_pg_opts *o, struct dpm_err *e);

/*
 * Remove every namespace and link the playground with PREFIX made (the
 * links of its tables, only when they have the kind up makes); returns how
 * many objects were removed (0: there was nothing).  A link with one of
 * the playground's names but another kind is left alone, and then -EEXIST
 * says so once everything else is gone.
 */
int kn_playground_down(const char *prefix, struct dpm_err *e);

/* Print each object and its state.  Returns 0 when all is up, 1 when
 * something is missing or down, negative errno on error. */
int kn_playground_status(const char *prefix, FILE *out, struct dpm_err *e);

#endif /* DPMIRROR_KN_PLAYGROUND_H */
