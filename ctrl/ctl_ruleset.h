/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_RULESET_H
#define DPMIRROR_CTL_RULESET_H

/*
 * Building and freeing the immutable dp_ruleset the workers read (see
 * dataplane/dp_ruleset.h).  Control thread only.
 */

#include <stddef.h>

#include "cfg.h"
#include "ctl_port.h"
#include "dp_ruleset.h"
#include "dpm_err.h"

/*
 * Build a ruleset for CFG over the set-up PORTS, with the ACL contexts of
 * each of the ports' socket indexes (ports->n_sock; one, on any socket,
 * when 0).  PORT_WORKERS[p] is the set of workers (bit w = worker w, up to
 * 64) that receive on port p: a session's rate cap is one bucket those of
 * its traffic share (dp_rate.h: each may keep one grant unspent, which the
 * bucket's depth leaves room for).  GENERATION must
 * differ from the ruleset it replaces.  A collector with remote_mac = auto
 * whose remote_mac is still zero (its next hop not resolved, see
 * ctl_neigh.h) gets no_neighbor: its copies are dropped and counted.
 * Returns NULL with a message in E.
 */
struct dp_ruleset *ctl_ruleset_build(const struct cfg *cfg,
				     const struct ctl_ports *ports,
				     const uint64_t *port_workers,
				     uint64_t generation, struct dpm_err *e);

/*
 * The same with session I of CFG in slot SLOT[I] (its dp_session, its
 * bit in the session masks, its ACL category and the workers' counters;
 * SLOT NULL: slot I), so that a session keeps its slot across reloads.  A
 * session whose slot is negative is left out of this ruleset.  Every
 * session's sample_epoch and meter_epoch is GENERATION (its sampler and
 * meter start afresh); a reload carries a kept session's epochs over
 * (ctl_reload.c).  Collector I of CFG takes slot CSLOT[I] (its counters
 * and its sequence numbers; CSLOT NULL: slot I), each < DP_MAX_COLL_SLOTS.
 */
struct dp_ruleset *ctl_ruleset_build_slots(const struct cfg *cfg,
					   const int *slot, const int *cslot,
					   const struct ctl_ports *ports,
					   const uint64_t *port_workers,
					   uint64_t generation,
					   struct dpm_err *e);

/* Free a ruleset no worker can reach any more; NULL is accepted. */
void ctl_ruleset_free(struct dp_ruleset *rs);

#endif /* DPMIRROR_CTL_RULESET_H */
