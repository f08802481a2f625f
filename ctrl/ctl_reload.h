/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_RELOAD_H
#define DPMIRROR_CTL_RELOAD_H

/*
 * Live reload (DESIGN sections 3 and 8): the configuration in force, and
 * how a new one replaces it without stopping the workers.
 *
 * On SIGHUP (and so on `dpmirrorctl reload`) the control thread reads the
 * -c file again with cfg_load and validates it in full.  A file with any
 * problem, or one that changes what only a restart can change (the set of
 * ports or any [port] key, [dpmirror] mode, burst or mirror_pool,
 * [playground], a [kernel] mirror), is refused: the running configuration
 * stays, every problem goes to stderr and into the reload status, and
 * reloads_failed grows.  Sessions, filters, collectors (every field),
 * snaplen, sample, rate, copy_max and stats_interval change live: the new
 * ruleset is built off the fast path, published with one atomic store,
 * rte_rcu_qsbr_synchronize waits until every worker has left the old one,
 * and only then is the old one freed.
 *
 * Session slots.  Everything per session on the fast path (dp_session, the
 * session masks, the ACL category, each worker's counters, sampler and
 * meter) is indexed by a slot, not by the session's place in the file.  A
 * session keeps its slot for as long as it keeps its name, so its counters
 * continue across reloads; its sampler keeps its phase while its sample is
 * unchanged and its meter its bucket while its meter profile is unchanged
 * (dp_session's epochs).  A removed session's slot is zeroed in every
 * worker only after the synchronize that retires it, before any session
 * takes it: a new session starts at zero.  A new session takes a slot
 * that is free and clean; when there is none (the file swaps one session
 * for another at the limit of DP_MAX_SESSIONS), the reload publishes in
 * two steps: first without the new sessions that need a retired slot,
 * then, once those slots are zeroed, with them.
 *
 * Collector slots.  A collector's counters (each worker's stats.coll[])
 * and its sequence numbers (dp_shared.seq[]) are indexed by a slot, which
 * it keeps for as long as it keeps its name (its outer header template is
 * rebuilt from the file at every reload).  A new collector takes the
 * lowest slot that the configuration in force does not hold; a removed
 * collector's slot is zeroed (counters in every worker, sequence number)
 * after the synchronize that retires it, within the same reload, and is
 * free from the next reload on.  There are twice as many slots as
 * collectors, so a reload always finds free, clean slots and never
 * publishes in two steps for a collector.
 *
 * Threads: ctl_reload_init, ctl_reload_run, ctl_reload_rebuild and
 * ctl_reload_fini run on the control thread only, which alone changes the
 * state below; it takes LOCK to change what other threads read (cfg, slot,
 * st).  Telemetry callbacks (ctl_telemetry.c) take LOCK to read.  Workers
 * never take it: they see the ruleset only.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "ctl_port.h"
#include "ctl_stats.h"
#include "ctl_workers.h"
#include "dp_ruleset.h"
#include "dp_worker.h"
#include "dpm_err.h"

/* ---- session slots (pure functions, no EAL) ---- */

/* Which session holds each slot: its name, "" for a free slot. */
struct ctl_slots {
	char name[DP_MAX_SESSIONS][CFG_NAME_MAX];
};

/* Where the sessions of a new configuration go. */
struct ctl_slot_plan {
	int slot[CFG_MAX_SESSIONS]; /* slot of the new file's session i */
	uint32_t kept;		    /* slots whose session keeps its name */
	uint32_t added;		    /* slots taken by a new session */
	uint32_t retired; /* slots of removed sessions: zeroed after the
			   * synchronize that retires them */
	uint32_t late;	  /* bit i: new session i takes a retired slot,
			   * so it joins only after they are zeroed */
};

/* Session i of CFG in slot i (the configuration started with). */
void ctl_slots_init(struct ctl_slots *sl, const struct cfg *cfg);

/*
 * Plan the slots of NEXT's sessions given the slots in use, CUR: a
 * session whose name is in CUR keeps its slot; a new one takes the lowest
 * slot that is free in CUR, else the lowest retired one (and is late).
 * 0, or -ENOSPC when NEXT has more than DP_MAX_SESSIONS sessions.
 */
int ctl_slots_plan(const struct ctl_slots *cur, const struct cfg *next,
		   struct ctl_slot_plan *plan);

/* The slots once PLAN is in force for NEXT. */
void ctl_slots_apply(const struct ctl_slot_plan *plan, const struct cfg *next,
		     struct ctl_slots *out);

/*
 * The sampler and meter epochs of NEW's sessions in the slots of KEPT
 * (bit s) are carried over from OLD where the session's sample (for the
 * sampler) or its meter (rate cap on or off, and the same profile) is
 * unchanged, so that the workers keep that state (dp_worker_adopt).
 */
void ctl_reload_epochs(const struct dp_ruleset *old, struct dp_ruleset *new,
		       uint32_t kept);

/*
 * What a reload from OLD to NEXT would change that needs a restart: one
 * message per key appended to ERRS, e.g.
 *   "[port p0] mtu = 9000 -> 1500: needs a restart"
 *   "[port p3]: a new port: the set of ports needs a restart"
 * Ports that are only listed in another order are put back in OLD's order
 * in NEXT (with every port index of NEXT renumbered), since the workers'
 * queues are per port index.  Returns the number of messages.
 */
unsigned int ctl_reload_check(const struct cfg *old, struct cfg *next,
			      struct cfg_errors *errs);

/* ---- collector slots (pure functions, no EAL) ---- */

#define CTL_COLL_SLOT_WORDS ((DP_MAX_COLL_SLOTS + 63) / 64)

/* Which collector holds each slot: its name, "" for a free slot. */
struct ctl_coll_slots {
	char name[DP_MAX_COLL_SLOTS][CFG_NAME_MAX];
};

/* Where the collectors of a new configuration go; bit s of a mask is bit
 * s % 64 of word s / 64. */
struct ctl_coll_plan {
	int slot[CFG_MAX_COLLECTORS]; /* slot of the new file's collector i */
	uint64_t kept[CTL_COLL_SLOT_WORDS];    /* collectors keeping a name */
	uint64_t added[CTL_COLL_SLOT_WORDS];   /* taken by a new collector */
	uint64_t retired[CTL_COLL_SLOT_WORDS]; /* of removed collectors: zeroed
						* after the synchronize */
};

/* Collector i of CFG in slot i (the configuration started with). */
void ctl_coll_slots_init(struct ctl_coll_slots *sl, const struct cfg *cfg);

/*
 * Plan the slots of NEXT's collectors given the slots in use, CUR: a
 * collector whose name is in CUR keeps its slot; a new one takes the
 * lowest slot free in CUR.  0, or -ENOSPC when NEXT has more than
 * DP_MAX_COLLECTORS collectors.
 */
int ctl_coll_slots_plan(const struct ctl_coll_slots *cur,
			const struct cfg *next, struct ctl_coll_plan *plan);

/* The slots once PLAN is in force for NEXT. */
void ctl_coll_slots_apply(const struct ctl_coll_plan *plan,
			  const struct cfg *next, struct ctl_coll_slots *out);

/* Zero the collector slots in MASK: the counters of every worker of WS
 * and the sequence numbers in SH.  Only once no worker can reach a
 * ruleset that uses them (after the synchronize that retired them). */
void ctl_coll_slots_zero(const struct ctl_workers *ws, struct dp_shared *sh,
			 const uint64_t *mask);

/* ---- the configuration in force ---- */

/* Problems of the last failed reload kept for telemetry. */
#define CTL_RELOAD_ERR_MAX 16

enum ctl_reload_result {
	CTL_RELOAD_NONE = 0, /* no reload yet */
	CTL_RELOAD_OK,
	CTL_RELOAD_FAILED,
};

struct ctl_reload_status {
	uint64_t generation; /* 1: the configuration started with; +1 per
			      * reload applied */
	uint64_t reloads_ok;
	uint64_t reloads_failed;
	int64_t time; /* unix seconds of the last reload, 0: none */
	enum ctl_reload_result result;
	/* The last reload applied: from the signal to the return of the
	 * last rte_rcu_qsbr_synchronize, every worker on the new ruleset. */
	uint64_t latency_us;
	/* Of which: from the first publish to that return (the workers'
	 * part; the rest is reading, checking and building). */
	uint64_t publish_us;
	/* The last failed reload's problems (errors[] holds the first
	 * CTL_RELOAD_ERR_MAX of n_errors), without the "FILE: error: ". */
	unsigned int n_errors;
	char errors[CTL_RELOAD_ERR_MAX][CFG_ERR_LEN];
};

/*
 * Called by ctl_reload_run with NEXT, the new file validated and found
 * fit for a live change, before its ruleset is built, to fill in what the
 * file leaves to the running process (say, the next-hop MACs resolved so
 * far for remote_mac = auto, from CUR).  0, or a negative errno with a
 * message in E: the reload is then refused with that message.
 */
typedef int (*ctl_reload_prepare_fn)(struct cfg *next, const struct cfg *cur,
				     void *arg, struct dpm_err *e);

/*
 * What the process knows of collector COLL of CFG's next hop beyond the
 * file (remote_mac = auto): its MAC (6 bytes into MAC) and STATE, one of
 * "static", "resolved", "pending" or "failed".  False: nothing beyond
 * the file.  Called with the reload's lock held; it must not block.
 */
typedef bool (*ctl_reload_neigh_fn)(const struct cfg *cfg, unsigned int coll,
				    uint8_t *mac, const char **state);

struct ctl_reload {
	/* Fixed by ctl_reload_init. */
	const char *file;	/* the -c file */
	const struct cfg *boot; /* started with; the caller's */
	struct dp_shared *sh;	/* ruleset pointer, qsbr */
	struct dp_ruleset **rs; /* the published ruleset's owner */
	const struct ctl_ports *ports;
	const struct ctl_workers *ws;
	ctl_reload_prepare_fn prepare; /* NULL: none (ctl_reload_set_prepare) */
	void *prepare_arg;
	ctl_reload_neigh_fn neigh; /* NULL: none (ctl_reload_set_neigh) */

	pthread_mutex_t lock;
	bool live;	    /* the workers run: readers may snapshot */
	uint64_t start_tsc; /* when the workers were launched */
	struct cfg *cfg;    /* in force: BOOT or one this owns; NULL after
			     * ctl_reload_fini */
	uint64_t rs_gen;    /* generation of the ruleset published last */
	struct ctl_slots slots;
	int slot[CFG_MAX_SESSIONS]; /* slot of cfg's session i */
	struct ctl_coll_slots cslots;
	int cslot[CFG_MAX_COLLECTORS]; /* slot of cfg's collector i */
	struct ctl_reload_status st;
};

/*
 * Take over the configuration BOOT (kept by the caller until after
 * ctl_reload_fini) and the ruleset *RS built from it with generation 1,
 * session i in slot i and collector i in slot i, which the workers of SH
 * will read.
 */
void ctl_reload_init(struct ctl_reload *r, const char *file,
		     const struct cfg *boot, struct dp_shared *sh,
		     struct dp_ruleset **rs, const struct ctl_ports *ports,
		     const struct ctl_workers *ws);

/* Have FN (ARG passed through) called by every reload; NULL: none. */
void ctl_reload_set_prepare(struct ctl_reload *r, ctl_reload_prepare_fn fn,
			    void *arg);

/* Have FN say what snapshots show of the collectors' next hops (MAC and
 * neighbour state); NULL: the file's word. */
void ctl_reload_set_neigh(struct ctl_reload *r, ctl_reload_neigh_fn fn);

/* The workers were launched at START_TSC (LIVE true) or have stopped. */
void ctl_reload_set_live(struct ctl_reload *r, bool live, uint64_t start_tsc);

/*
 * Reload the -c file (see the top of this file).  SIGNAL_TSC is when the
 * request came (the TSC the signal handler read; 0: now), for latency_us.
 * 0 when applied; -1 when refused (the problems are on stderr and in
 * r->st).
 */
int ctl_reload_run(struct ctl_reload *r, uint64_t signal_tsc);

/*
 * Publish a new ruleset built from the configuration in force, with the
 * same slots and every sampler and meter kept, after something the
 * ruleset derives from it changed (a collector's resolved MAC, say: change
 * r->cfg under r->lock first).  The same RCU swap as a reload; the
 * generation, the counters and the reload status are not touched.  0, or
 * a negative errno with a message in E (then nothing changed).
 */
int ctl_reload_rebuild(struct ctl_reload *r, struct dpm_err *e);

/*
 * A snapshot of every counter as the configuration in force names them
 * (sessions and collectors by slot, the collectors' sequence numbers and
 * next hops), and of the configuration's own counters.  Every
 * caller holds r->lock: it reads the devices' counters (rte_eth_stats_get),
 * which two threads must not do on one port at once.
 */
void ctl_reload_snapshot(struct ctl_reload *r, struct ctl_snapshot *s);

/* Free a configuration this owns; then r->cfg is NULL (readers check it,
 * under r->lock) and r->lock stays usable.  The published ruleset is the
 * caller's (*rs). */
void ctl_reload_fini(struct ctl_reload *r);

#endif /* DPMIRROR_CTL_RELOAD_H */
