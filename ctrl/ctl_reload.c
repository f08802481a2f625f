/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>

#include "ctl_log.h"
#include "ctl_reload.h"
#include "ctl_ruleset.h"

/* ---- session slots ---- */

#define SLOTS_ALL ((uint32_t)((1ull << DP_MAX_SESSIONS) - 1))

void
ctl_slots_init(struct ctl_slots *sl, const struct cfg *cfg)
{
	unsigned int i;

	memset(sl, 0, sizeof(*sl));
	for (i = 0; i < cfg->n_sessions && i < DP_MAX_SESSIONS; i++)
		snprintf(sl->name[i], sizeof(sl->name[i]), "%s",
			 cfg->sessions[i].name);
}

/* The slot of NAME in a table of N slot names ("" = free), or -1. */
static int
slot_of_name(const char (*names)[CFG_NAME_MAX], int n, const char *name)
{
	int s;

	for (s = 0; s < n; s++)
		if (names[s][0] != '\0' && strcmp(names[s], name) == 0)
			return s;
	return -1;
}

int
ctl_slots_plan(const struct ctl_slots *cur, const struct cfg *next,
	       struct ctl_slot_plan *plan)
{
	uint32_t used = 0, taken = 0, s;
	unsigned int i;

	memset(plan, 0, sizeof(*plan));
	if (next->n_sessions > DP_MAX_SESSIONS)
		return -ENOSPC;
	for (s = 0; s < DP_MAX_SESSIONS; s++)
		if (cur->name[s][0] != '\0')
			used |= 1u << s;
	/* Kept sessions first: they hold their slots whatever the order. */
	for (i = 0; i < next->n_sessions; i++) {
		int k = slot_of_name(cur->name, DP_MAX_SESSIONS,
				     next->sessions[i].name);

		plan->slot[i] = k;
		if (k >= 0) {
			plan->kept |= 1u << k;
			taken |= 1u << k;
		}
	}
	plan->retired = used & ~plan->kept;
	for (i = 0; i < next->n_sessions; i++) {
		uint32_t clean = ~(used | taken) & SLOTS_ALL;
		uint32_t retired = plan->retired & ~taken;
		int k;

		if (plan->slot[i] >= 0)
			continue;
		if (clean != 0) {
			k = __builtin_ctz(clean);
		} else if (retired != 0) {
			k = __builtin_ctz(retired);
			plan->late |= 1u << i;
		} else {
			return -ENOSPC; /* not reached: n_sessions fits */
		}
		plan->slot[i] = k;
		plan->added |= 1u << k;
		taken |= 1u << k;
	}
	return 0;
}

void
ctl_slots_apply(const struct ctl_slot_plan *plan, const struct cfg *next,
		struct ctl_slots *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < next->n_sessions; i++)
		if (plan->slot[i] >= 0 && plan->slot[i] < DP_MAX_SESSIONS)
			snprintf(out->name[plan->slot[i]], sizeof(out->name[0]),
				 "%s", next->sessions[i].name);
}

void
ctl_reload_epochs(const struct dp_ruleset *old, struct dp_ruleset *new,
		  uint32_t kept)
{
	uint32_t m;

	for (m = kept; m != 0; m &= m - 1) {
		unsigned int s = (unsigned int)__builtin_ctz(m);
		const struct dp_session *o = &old->sess[s];
		struct dp_session *n = &new->sess[s];

		if (s >= old->n_sessions || s >= new->n_sessions)
			continue;
		if (o->sample == n->sample)
			n->sample_epoch = o->sample_epoch;
		if (memcmp(&o->rate, &n->rate, sizeof(n->rate)) == 0)
			n->meter_epoch = o->meter_epoch;
	}
}

/* ---- collector slots ---- */

static inline bool
mask_has(const uint64_t *m, unsigned int s)
{
	return (m[s / 64] >> (s % 64)) & 1;
}

static inline void
mask_set(uint64_t *m, unsigned int s)
{
	m[s / 64] |= 1ull << (s % 64);
}

static unsigned int
mask_count(const uint64_t *m)
{
	unsigned int w, n = 0;

	for (w = 0; w < CTL_COLL_SLOT_WORDS; w++)
		n += (unsigned int)__builtin_popcountll(m[w]);
	return n;
}

void
ctl_coll_slots_init(struct ctl_coll_slots *sl, const struct cfg *cfg)
{
	unsigned int i;

	memset(sl, 0, sizeof(*sl));
	for (i = 0; i < cfg->n_collectors && i < DP_MAX_COLL_SLOTS; i++)
		snprintf(sl->name[i], sizeof(sl->name[i]), "%s",
			 cfg->collectors[i].name);
}

int
ctl_coll_slots_plan(const struct ctl_coll_slots *cur, const struct cfg *next,
		    struct ctl_coll_plan *plan)
{
	uint64_t taken[CTL_COLL_SLOT_WORDS];
	unsigned int i, s, w;

	memset(plan, 0, sizeof(*plan));
	memset(taken, 0, sizeof(taken));
	if (next->n_collectors > DP_MAX_COLLECTORS)
		return -ENOSPC;
	/* A slot held in CUR is taken for this plan, kept or not: a removed
	 * collector's slot is clean only after this reload zeroes it. */
	for (s = 0; s < DP_MAX_COLL_SLOTS; s++)
		if (cur->name[s][0] != '\0')
			mask_set(taken, s);
	for (i = 0; i < next->n_collectors; i++) {
		int k = slot_of_name(cur->name, DP_MAX_COLL_SLOTS,
				     next->collectors[i].name);

		plan->slot[i] = k;
		if (k >= 0)
			mask_set(plan->kept, (unsigned int)k);
	}
	for (w = 0; w < CTL_COLL_SLOT_WORDS; w++)
		plan->retired[w] = taken[w] & ~plan->kept[w];
	s = 0;
	for (i = 0; i < next->n_collectors; i++) {
		if (plan->slot[i] >= 0)
			continue;
		while (s < DP_MAX_COLL_SLOTS && mask_has(taken, s))
			s++;
		if (s == DP_MAX_COLL_SLOTS)
			return -ENOSPC; /* not reached: 2 slots a collector */
		plan->slot[i] = (int)s;
		mask_set(plan->added, s);
		mask_set(taken, s);
	}
	return 0;
}

void
ctl_coll_slots_apply(const struct ctl_coll_plan *plan, const struct cfg *next,
		     struct ctl_coll_slots *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < next->n_collectors; i++)
		if (plan->slot[i] >= 0 && plan->slot[i] < DP_MAX_COLL_SLOTS)
			snprintf(out->name[plan->slot[i]], sizeof(out->name[0]),
				 "%s", next->collectors[i].name);
}

void
ctl_coll_slots_zero(const struct ctl_workers *ws, struct dp_shared *sh,
		    const uint64_t *mask)
{
	unsigned int i, s;

	for (s = 0; s < DP_MAX_COLL_SLOTS; s++) {
		if (!mask_has(mask, s))
			continue;
		for (i = 0; i < ws->n; i++) {
			struct dp_collector_counters *c =
				&ws->w[i]->stats.coll[s];

#define ZERO_CTR(name, order) __atomic_store_n(&c->name, 0, __ATOMIC_RELAXED);
			DP_COLLECTOR_COUNTERS(ZERO_CTR)
#undef ZERO_CTR
		}
		__atomic_store_n(&sh->seq[s].next, 0, __ATOMIC_RELAXED);
	}
}

/* ---- what needs a restart ---- */

static void __attribute__((format(printf, 2, 3)))
add_err(struct cfg_errors *errs, const char *fmt, ...)
{
	va_list ap;

	if (errs->n < CFG_ERR_MAX) {
		va_start(ap, fmt);
		vsnprintf(errs->msg[errs->n], sizeof(errs->msg[0]), fmt, ap);
		va_end(ap);
	}
	errs->n++;
}

static const char *
mode_name(enum cfg_mode m)
{
	return m == CFG_MODE_TAP ? "tap" : "inline";
}

static const char *
multiseg_name(int m)
{
	return m == CFG_MULTISEG_YES  ? "yes"
	       : m == CFG_MULTISEG_NO ? "no"
				      : "auto";
}

/* A port's lcores as written (2,3), "(none)" without them. */
static const char *
lcores_text(const struct cfg_port *p, char *buf, size_t len)
{
	unsigned int i;
	size_t o = 0;

	snprintf(buf, len, "(none)");
	for (i = 0; i < p->n_lcores && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "",
				      p->lcores[i]);
	return buf;
}

static const char *
peer_name(const struct cfg *c, int peer)
{
	return peer >= 0 ? c->ports[peer].name : "(none)";
}

static int
port_index(const struct cfg *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->n_ports; i++)
		if (strcmp(c->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Put NEXT's ports in the order of OLD's: NEXT's port j goes to OLD's
 * index of the same name, PERM[j]. */
static void
reorder_ports(struct cfg *next, const int *perm)
{
	struct cfg_port tmp[CFG_MAX_PORTS];
	unsigned int i, j;

	for (j = 0; j < next->n_ports; j++) {
		tmp[perm[j]] = next->ports[j];
		if (tmp[perm[j]].peer >= 0)
			tmp[perm[j]].peer = perm[tmp[perm[j]].peer];
	}
	memcpy(next->ports, tmp, next->n_ports * sizeof(tmp[0]));
	for (i = 0; i < next->n_collectors; i++)
		next->collectors[i].port = perm[next->collectors[i].port];
	for (i = 0; i < next->n_sessions; i++)
		for (j = 0; j < next->sessions[i].n_sources; j++)
			next->sessions[i].sources[j].port =
				perm[next->sessions[i].sources[j].port];
}

static void
check_ports(const struct cfg *old, struct cfg *next, struct cfg_errors *errs)
{
	char a[CFG_DEVICE_MAX + 8], b[CFG_DEVICE_MAX + 8];
	int perm[CFG_MAX_PORTS];
	unsigned int i, n0 = errs->n;
	bool moved = false;

	for (i = 0; i < old->n_ports; i++)
		if (port_index(next, old->ports[i].name) < 0)
			add_err(errs,
				"[port %s]: removed; the set of ports needs a "
				"restart",
				old->ports[i].name);
	for (i = 0; i < next->n_ports; i++) {
		perm[i] = port_index(old, next->ports[i].name);
		if (perm[i] < 0)
			add_err(errs,
				"[port %s]: a new port; the set of ports needs "
				"a restart",
				next->ports[i].name);
		else if (perm[i] != (int)i)
			moved = true;
	}
	if (errs->n != n0)
		return;
	for (i = 0; i < next->n_ports; i++) {
		const struct cfg_port *o = &old->ports[perm[i]];
		const struct cfg_port *n = &next->ports[i];

		if (strcmp(o->device, n->device) != 0)
			add_err(errs,
				"[port %s] device = %s -> %s: needs a restart",
				n->name, cfg_escape(o->device, a, sizeof(a)),
				cfg_escape(n->device, b, sizeof(b)));
		if (strcmp(peer_name(old, o->peer), peer_name(next, n->peer)) !=
		    0)
			add_err(errs,
				"[port %s] peer = %s -> %s: needs a restart",
				n->name, peer_name(old, o->peer),
				peer_name(next, n->peer));
		if (o->rx_queues != n->rx_queues)
			add_err(errs,
				"[port %s] rx_queues = %u -> %u: needs a "
				"restart",
				n->name, o->rx_queues, n->rx_queues);
		if (o->mtu != n->mtu)
			add_err(errs,
				"[port %s] mtu = %u -> %u: needs a restart",
				n->name, o->mtu, n->mtu);
		if (o->tx_multiseg != n->tx_multiseg)
			add_err(errs,
				"[port %s] tx_multiseg = %s -> %s: needs a "
				"restart",
				n->name, multiseg_name(o->tx_multiseg),
				multiseg_name(n->tx_multiseg));
		if (o->n_lcores != n->n_lcores ||
		    memcmp(o->lcores, n->lcores,
			   n->n_lcores * sizeof(n->lcores[0])) != 0)
			add_err(errs,
				"[port %s] lcores = %s -> %s: needs a restart",
				n->name, lcores_text(o, a, sizeof(a)),
				lcores_text(n, b, sizeof(b)));
	}
	if (errs->n == n0 && moved)
		reorder_ports(next, perm);
}

static void
check_kernel(const struct cfg *old, const struct cfg *next,
	     struct cfg_errors *errs)
{
	const struct cfg_playground *po = &old->playground,
				    *pn = &next->playground;
	unsigned int i, j;

	if (po->present != pn->present)
		add_err(errs,
			"[playground]: %s; the playground is set up at start: "
			"needs a restart",
			pn->present ? "added" : "removed");
	else if (po->present && strcmp(po->prefix, pn->prefix) != 0)
		add_err(errs, "[playground] prefix = %s -> %s: needs a restart",
			po->prefix, pn->prefix);
	else if (po->present && po->inline_mode != pn->inline_mode)
		add_err(errs, "[playground] inline = %s -> %s: needs a restart",
			po->inline_mode ? "yes" : "no",
			pn->inline_mode ? "yes" : "no");
	else if (po->present && po->keep != pn->keep)
		add_err(errs, "[playground] keep = %s -> %s: needs a restart",
			po->keep ? "yes" : "no", pn->keep ? "yes" : "no");

	for (i = 0; i < old->n_kernels; i++) {
		for (j = 0; j < next->n_kernels; j++)
			if (strcmp(old->kernels[i].name,
				   next->kernels[j].name) == 0)
				break;
		if (j == next->n_kernels)
			add_err(errs,
				"[kernel %s]: removed; kernel mirrors are set "
				"up at start: needs a restart",
				old->kernels[i].name);
		else if (memcmp(&old->kernels[i], &next->kernels[j],
				sizeof(old->kernels[i])) != 0)
			add_err(errs,
				"[kernel %s]: changed; kernel mirrors are set "
				"up at start: needs a restart",
				old->kernels[i].name);
	}
	for (j = 0; j < next->n_kernels; j++) {
		for (i = 0; i < old->n_kernels; i++)
			if (strcmp(old->kernels[i].name,
				   next->kernels[j].name) == 0)
				break;
		if (i == old->n_kernels)
			add_err(errs,
				"[kernel %s]: a new kernel mirror; kernel "
				"mirrors are set up at start: needs a restart",
				next->kernels[j].name);
	}
}

unsigned int
ctl_reload_check(const struct cfg *old, struct cfg *next,
		 struct cfg_errors *errs)
{
	unsigned int n0 = errs->n;

	if (old->mode != next->mode)
		add_err(errs, "[dpmirror] mode = %s -> %s: needs a restart",
			mode_name(old->mode), mode_name(next->mode));
	if (old->burst != next->burst)
		add_err(errs, "[dpmirror] burst = %u -> %u: needs a restart",
			old->burst, next->burst);
	if (old->mirror_pool != next->mirror_pool)
		add_err(errs,
			"[dpmirror] mirror_pool = %u -> %u: needs a restart",
			old->mirror_pool, next->mirror_pool);
	check_ports(old, next, errs);
	check_kernel(old, next, errs);
	return errs->n - n0;
}

/* ---- the configuration in force ---- */

void
ctl_reload_init(struct ctl_reload *r, const char *file, const struct cfg *boot,
		struct dp_shared *sh, struct dp_ruleset **rs,
		const struct ctl_ports *ports, const struct ctl_workers *ws)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->file = file;
	r->boot = boot;
	r->sh = sh;
	r->rs = rs;
	r->ports = ports;
	r->ws = ws;
	/* The running configuration is never changed in place through
	 * BOOT: a reload replaces r->cfg. */
	r->cfg = (struct cfg *)(uintptr_t)boot;
	r->rs_gen = (*rs)->generation;
	ctl_slots_init(&r->slots, boot);
	for (i = 0; i < boot->n_sessions; i++)
		r->slot[i] = (int)i;
	ctl_coll_slots_init(&r->cslots, boot);
	for (i = 0; i < boot->n_collectors; i++)
		r->cslot[i] = (int)i;
	r->st.generation = 1;
}

void
ctl_reload_set_neigh(struct ctl_reload *r, ctl_reload_neigh_fn fn)
{
	pthread_mutex_lock(&r->lock);
	r->neigh = fn;
	pthread_mutex_unlock(&r->lock);
}

void
ctl_reload_set_prepare(struct ctl_reload *r, ctl_reload_prepare_fn fn,
		       void *arg)
{
	r->prepare = fn;
	r->prepare_arg = arg;
}

void
ctl_reload_set_live(struct ctl_reload *r, bool live, uint64_t start_tsc)
{
	pthread_mutex_lock(&r->lock);
	r->live = live;
	if (live)
		r->start_tsc = start_tsc;
	pthread_mutex_unlock(&r->lock);
}

void
ctl_reload_snapshot(struct ctl_reload *r, struct ctl_snapshot *s)
{
	const struct ctl_ports *ports = r->ports;
	double t = 0;
	unsigned int i;

	if (r->start_tsc != 0)
		t = (double)(rte_rdtsc() - r->start_tsc) /
		    (double)rte_get_tsc_hz();
	ctl_snapshot_begin(s, r->cfg, t);
	ctl_snapshot_slots(s, r->slot);
	ctl_snapshot_coll_slots(s, r->cslot);
	s->config.generation = r->st.generation;
	s->config.reloads_ok = r->st.reloads_ok;
	s->config.reloads_failed = r->st.reloads_failed;
	for (i = 0; i < r->ws->n; i++)
		ctl_snapshot_add(s, &r->ws->w[i]->stats, r->ws->w[i]->lcore);
	/* After the copies counted: every copy counted took its number
	 * before it was counted. */
	ctl_snapshot_seq(s, r->sh->seq);
	for (i = 0; r->neigh != NULL && i < s->n_collectors; i++) {
		const char *state = NULL;
		uint8_t mac[6];

		if (r->neigh(r->cfg, i, mac, &state))
			ctl_snapshot_neigh(s, i, mac, state);
	}
	for (i = 0; i < ports->n; i++) {
		struct rte_eth_stats es;

		if (rte_eth_stats_get(ports->p[i].port_id, &es) == 0)
			ctl_snapshot_device(s, i, es.imissed, es.ierrors,
					    es.oerrors);
	}
}

/* Zero the counters of the slots in MASK in every worker.  Only once no
 * worker can reach a ruleset that uses them (after the synchronize), and
 * before one that gives them to a new session is published: the release
 * store of that ruleset orders these stores before the worker's first
 * count. */
static void
zero_slots(const struct ctl_workers *ws, uint32_t mask)
{
	unsigned int i, r;
	uint32_t m;

	for (i = 0; i < ws->n; i++) {
		for (m = mask; m != 0; m &= m - 1) {
			struct dp_session_counters *c =
				&ws->w[i]->stats.sess[__builtin_ctz(m)];

#define ZERO_CTR(name, order) __atomic_store_n(&c->name, 0, __ATOMIC_RELAXED);
			DP_SESSION_COUNTERS(ZERO_CTR)
#undef ZERO_CTR
			for (r = 0; r < DP_DROP_MAX; r++)
				__atomic_store_n(&c->dropped[r], 0,
						 __ATOMIC_RELAXED);
		}
	}
}

/* Publish RS, wait until every worker has left the ruleset it replaces,
 * and free that one. */
static void
publish(struct ctl_reload *r, struct dp_ruleset *rs)
{
	struct dp_ruleset *old = *r->rs;

	__atomic_store_n(&r->sh->ruleset, rs, __ATOMIC_RELEASE);
	*r->rs = rs;
	r->rs_gen = rs->generation;
	/* Workers that are not running (none launched, or stopped) hold no
	 * reference; rte_rcu_qsbr_synchronize skips offline threads. */
	rte_rcu_qsbr_synchronize(r->sh->qsbr, RTE_QSBR_THRID_INVALID);
	ctl_ruleset_free(old);
}

/* Record a refused reload: ERRS on stderr and in the status. */
static void
refuse(struct ctl_reload *r, const struct cfg_errors *errs)
{
	unsigned int i, n = errs->n < CFG_ERR_MAX ? errs->n : CFG_ERR_MAX;

	cfg_errors_print(stderr, r->file, errs);
	pthread_mutex_lock(&r->lock);
	r->st.reloads_failed++;
	r->st.time = (int64_t)time(NULL);
	r->st.result = CTL_RELOAD_FAILED;
	r->st.n_errors = errs->n;
	for (i = 0; i < n && i < CTL_RELOAD_ERR_MAX; i++)
		snprintf(r->st.errors[i], sizeof(r->st.errors[i]), "%s",
			 errs->msg[i]);
	pthread_mutex_unlock(&r->lock);
	RTE_LOG(WARNING, DPM_CTRL,
		"reload of %s refused (%u problem(s)); generation %" PRIu64
		" stays in force\n",
		r->file, errs->n, r->st.generation);
}

int
ctl_reload_run(struct ctl_reload *r, uint64_t signal_tsc)
{
	struct dp_ruleset *first = NULL, *full = NULL;
	struct cfg_errors *errs;
	struct ctl_slot_plan plan;
	struct ctl_coll_plan cplan;
	struct ctl_slots slots;
	struct ctl_coll_slots *cslots = NULL;
	struct cfg *next, *old;
	struct dpm_err e;
	int first_slot[CFG_MAX_SESSIONS];
	uint64_t done, t_pub;
	unsigned int i;

	if (signal_tsc == 0)
		signal_tsc = rte_rdtsc();
	errs = calloc(1, sizeof(*errs));
	cslots = malloc(sizeof(*cslots));
	if (errs == NULL || cslots == NULL) {
		RTE_LOG(ERR, DPM_CTRL, "reload: out of memory\n");
		free(errs);
		free(cslots);
		return -1;
	}
	next = cfg_load(r->file, errs);
	if (next == NULL)
		goto refused;
	if (ctl_reload_check(r->cfg, next, errs) != 0)
		goto refused;
	if (ctl_slots_plan(&r->slots, next, &plan) != 0) {
		add_err(errs, "%u sessions, at most %u are supported",
			next->n_sessions, DP_MAX_SESSIONS);
		goto refused;
	}
	if (ctl_coll_slots_plan(&r->cslots, next, &cplan) != 0) {
		add_err(errs, "%u collectors, at most %u are supported",
			next->n_collectors, DP_MAX_COLLECTORS);
		goto refused;
	}

	if (r->prepare != NULL &&
	    r->prepare(next, r->cfg, r->prepare_arg, &e) != 0) {
		add_err(errs, "%s", e.msg);
		goto refused;
	}

	/* Everything is built before anything is published, so that a
	 * failure leaves the running configuration as it was. */
	if (plan.late != 0) {
		for (i = 0; i < next->n_sessions; i++)
			first_slot[i] =
				(plan.late >> i) & 1 ? -1 : plan.slot[i];
		first = ctl_ruleset_build_slots(next, first_slot, cplan.slot,
						r->ports, r->ws->port_workers,
						r->rs_gen + 1, &e);
		if (first == NULL)
			goto build_failed;
		ctl_reload_epochs(*r->rs, first, plan.kept);
	}
	full = ctl_ruleset_build_slots(next, plan.slot, cplan.slot, r->ports,
				       r->ws->port_workers,
				       r->rs_gen + (first != NULL ? 2 : 1), &e);
	if (full == NULL)
		goto build_failed;
	ctl_reload_epochs(first != NULL ? first : *r->rs, full, plan.kept);
	ctl_slots_apply(&plan, next, &slots);
	ctl_coll_slots_apply(&cplan, next, cslots);

	/* Readers (telemetry) wait while sessions change slots, so that no
	 * one sees a retired slot's counters zeroed under its old name. */
	pthread_mutex_lock(&r->lock);
	t_pub = rte_rdtsc();
	if (first != NULL) {
		publish(r, first);
		zero_slots(r->ws, plan.retired);
		publish(r, full);
	} else {
		publish(r, full);
		zero_slots(r->ws, plan.retired);
	}
	/* No ruleset a worker can reach names a removed collector's slot
	 * any more; the next reload may give it to a new one. */
	ctl_coll_slots_zero(r->ws, r->sh, cplan.retired);
	done = rte_rdtsc();
	old = r->cfg;
	r->cfg = next;
	r->slots = slots;
	memset(r->slot, 0, sizeof(r->slot));
	for (i = 0; i < next->n_sessions; i++)
		r->slot[i] = plan.slot[i];
	r->cslots = *cslots;
	memset(r->cslot, 0, sizeof(r->cslot));
	for (i = 0; i < next->n_collectors; i++)
		r->cslot[i] = cplan.slot[i];
	r->st.generation++;
	r->st.reloads_ok++;
	r->st.time = (int64_t)time(NULL);
	r->st.result = CTL_RELOAD_OK;
	r->st.latency_us = (done - signal_tsc) * 1000000 / rte_get_tsc_hz();
	r->st.publish_us = (done - t_pub) * 1000000 / rte_get_tsc_hz();
	r->st.n_errors = 0;
	pthread_mutex_unlock(&r->lock);

	if (old != r->boot)
		cfg_free(old);
	free(errs);
	free(cslots);
	RTE_LOG(NOTICE, DPM_CTRL,
		"reload of %s: generation %" PRIu64 " in force after %" PRIu64
		" us; sessions kept %d, added %d, removed %d%s; collectors "
		"kept %u, added %u, removed %u\n",
		r->file, r->st.generation, r->st.latency_us,
		__builtin_popcount(plan.kept), __builtin_popcount(plan.added),
		__builtin_popcount(plan.retired),
		plan.late != 0 ? " (in two steps: a new session took the "
				 "slot of a removed one)"
			       : "",
		mask_count(cplan.kept), mask_count(cplan.added),
		mask_count(cplan.retired));
	return 0;

build_failed:
	add_err(errs, "%s", e.msg);
	ctl_ruleset_free(first);
refused:
	refuse(r, errs);
	cfg_free(next);
	free(errs);
	free(cslots);
	return -1;
}

int
ctl_reload_rebuild(struct ctl_reload *r, struct dpm_err *e)
{
	struct dp_ruleset *rs;
	uint32_t kept = 0;
	unsigned int i;

	for (i = 0; i < r->cfg->n_sessions; i++)
		kept |= 1u << r->slot[i];
	rs = ctl_ruleset_build_slots(r->cfg, r->slot, r->cslot, r->ports,
				     r->ws->port_workers, r->rs_gen + 1, e);
	if (rs == NULL)
		return -EINVAL;
	ctl_reload_epochs(*r->rs, rs, kept);
	publish(r, rs);
	return 0;
}

void
ctl_reload_fini(struct ctl_reload *r)
{
	pthread_mutex_lock(&r->lock);
	r->live = false;
	if (r->cfg != r->boot)
		cfg_free(r->cfg);
	r->cfg = NULL;
	pthread_mutex_unlock(&r->lock);
}
