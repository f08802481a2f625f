/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live reload, the parts that need no running process: where sessions go
 * (slots kept by name, new ones in clean slots first, retired slots only
 * after they are zeroed), where collectors go (slots kept by name, new
 * ones in slots the running configuration does not hold, removed ones
 * zeroed and free from the next reload on), what a reload refuses as
 * needing a restart, how a kept session's sampler and meter survive
 * (epochs, dp_worker_adopt), and how a snapshot reads sessions and
 * collectors by slot.  No EAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfg.h"
#include "ctl_reload.h"
#include "ctl_stats.h"
#include "dp_ruleset.h"
#include "dp_worker.h"

/* ctl_reload.c logs with the control thread's log type, which dpmirror's
 * main.c registers. */
int dpm_ctrl_logtype;

/* A valid file: three ports, one collector, sessions named in NAMES
 * (space separated), each mirroring p0:rx, with filter f on those whose
 * name starts with 'f'.  EXTRA is appended (more sections). */
static struct cfg *
make_cfg(const char *dpm, const char *ports, const char *names,
	 const char *extra)
{
	static char text[16384];
	char list[512], *tok, *save = NULL;
	struct cfg_errors *errs = calloc(1, sizeof(*errs));
	struct cfg *c;
	size_t n;

	assert_non_null(errs);
	n = (size_t)snprintf(text, sizeof(text),
			     "[dpmirror]\n%s\n%s"
			     "[collector c1]\nport = out\n"
			     "remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
			     "remote_mac = 02:00:00:00:01:03\nvni = 100\n"
			     "[filter f]\nrule 10 = accept proto udp\n",
			     dpm, ports);
	snprintf(list, sizeof(list), "%s", names);
	for (tok = strtok_r(list, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save))
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[session %s]\nsources = p0:rx\n"
				      "collector = c1\n%s",
				      tok, tok[0] == 'f' ? "filter = f\n" : "");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", extra);
	c = cfg_load_buffer("test.ini", text, n, errs);
	if (c == NULL) {
		cfg_errors_print(stderr, "test.ini", errs);
		fail_msg("the test configuration does not load");
	}
	free(errs);
	return c;
}

/* Three ports and EXTRA (the collectors and sessions). */
static struct cfg *
make_cfg_colls(const char *extra)
{
	static char text[40000];
	struct cfg_errors *errs = calloc(1, sizeof(*errs));
	struct cfg *c;
	int n;

	assert_non_null(errs);
	n = snprintf(text, sizeof(text),
		     "[dpmirror]\nmode = inline\n"
		     "[port p0]\ndevice = net_null0\npeer = p1\n"
		     "[port p1]\ndevice = net_null1\npeer = p0\n"
		     "[port out]\ndevice = net_null2\n%s",
		     extra);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	c = cfg_load_buffer("test.ini", text, (size_t)n, errs);
	if (c == NULL) {
		cfg_errors_print(stderr, "test.ini", errs);
		fail_msg("the test configuration does not load");
	}
	free(errs);
	return c;
}

#define DPM_DEFAULT "mode = inline\n"
#define PORTS_3                                                                \
	"[port p0]\ndevice = net_null0\npeer = p1\n"                           \
	"[port p1]\ndevice = net_null1\npeer = p0\n"                           \
	"[port out]\ndevice = net_null2\n"

static struct cfg *
sessions_cfg(const char *names)
{
	return make_cfg(DPM_DEFAULT, PORTS_3, names, "");
}

static int
slot_of(const struct ctl_slot_plan *p, const struct cfg *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->n_sessions; i++)
		if (strcmp(c->sessions[i].name, name) == 0)
			return p->slot[i];
	fail_msg("no session %s", name);
	return -1;
}

/* Kept sessions keep their slots whatever their order in the file; a
 * removed one's slot is retired; a new one takes a slot never used. */
static void
test_slots_keep_by_name(void **state)
{
	struct cfg *a = sessions_cfg("a b c");
	struct cfg *b = sessions_cfg("c a d");
	struct ctl_slots cur, next;
	struct ctl_slot_plan p;

	(void)state;
	ctl_slots_init(&cur, a);
	assert_int_equal(ctl_slots_plan(&cur, b, &p), 0);
	assert_int_equal(slot_of(&p, b, "a"), 0);
	assert_int_equal(slot_of(&p, b, "c"), 2);
	assert_int_equal(slot_of(&p, b, "d"), 3); /* not b's slot 1 */
	assert_int_equal(p.kept, 0x5);
	assert_int_equal(p.retired, 0x2);
	assert_int_equal(p.added, 0x8);
	assert_int_equal(p.late, 0);
	ctl_slots_apply(&p, b, &next);
	assert_string_equal(next.name[0], "a");
	assert_string_equal(next.name[1], "");
	assert_string_equal(next.name[2], "c");
	assert_string_equal(next.name[3], "d");

	/* The next reload: b's old slot 1 is clean again and is the lowest
	 * free one. */
	cfg_free(a);
	a = sessions_cfg("a c d e");
	assert_int_equal(ctl_slots_plan(&next, a, &p), 0);
	assert_int_equal(slot_of(&p, a, "e"), 1);
	assert_int_equal(p.retired, 0);
	assert_int_equal(p.late, 0);
	cfg_free(a);
	cfg_free(b);
}

/* A session renamed is a removed one and a new one: the new name starts
 * in another slot, at zero. */
static void
test_slots_rename_is_new(void **state)
{
	struct cfg *a = sessions_cfg("web dns");
	struct cfg *b = sessions_cfg("web dns2");
	struct ctl_slots cur;
	struct ctl_slot_plan p;

	(void)state;
	ctl_slots_init(&cur, a);
	assert_int_equal(ctl_slots_plan(&cur, b, &p), 0);
	assert_int_equal(slot_of(&p, b, "web"), 0);
	assert_int_equal(slot_of(&p, b, "dns2"), 2);
	assert_int_equal(p.retired, 0x2);
	cfg_free(a);
	cfg_free(b);
}

/* At the limit, a new session can only take a retired slot: it is late
 * (published after the slot is zeroed). */
static void
test_slots_full_swap_is_late(void **state)
{
	char names[512] = "", names2[512] = "";
	struct ctl_slots cur;
	struct ctl_slot_plan p;
	struct cfg *a, *b;
	unsigned int i;
	size_t n = 0, m = 0;

	(void)state;
	for (i = 0; i < DP_MAX_SESSIONS; i++) {
		n += (size_t)snprintf(names + n, sizeof(names) - n, "s%u ", i);
		m += (size_t)snprintf(names2 + m, sizeof(names2) - m,
				      i == 5 ? "x%u " : "s%u ", i);
	}
	a = sessions_cfg(names);
	b = sessions_cfg(names2);
	ctl_slots_init(&cur, a);
	assert_int_equal(ctl_slots_plan(&cur, b, &p), 0);
	assert_int_equal(slot_of(&p, b, "x5"), 5);
	assert_int_equal(p.retired, 1u << 5);
	assert_int_equal(p.late, 1u << 5); /* session index 5 of b */
	assert_int_equal(p.kept, 0xffffu & ~(1u << 5));
	cfg_free(a);
	cfg_free(b);
}

static void
test_slots_too_many(void **state)
{
	struct cfg *a = sessions_cfg("a");
	struct ctl_slots cur;
	struct ctl_slot_plan p;

	(void)state;
	ctl_slots_init(&cur, a);
	a->n_sessions = DP_MAX_SESSIONS + 1;
	assert_int_equal(ctl_slots_plan(&cur, a, &p), -ENOSPC);
	a->n_sessions = 1;
	cfg_free(a);
}

static bool
has_msg(const struct cfg_errors *e, const char *msg)
{
	unsigned int i;

	for (i = 0; i < e->n && i < CFG_ERR_MAX; i++)
		if (strcmp(e->msg[i], msg) == 0)
			return true;
	for (i = 0; i < e->n && i < CFG_ERR_MAX; i++)
		print_message("  got: %s\n", e->msg[i]);
	return false;
}

/* Port-level and [dpmirror] keys are refused, each naming the key and the
 * change; the rest of the file may change freely. */
static void
test_check_refuses_restart_keys(void **state)
{
	struct cfg *a = make_cfg(DPM_DEFAULT,
				 "[port p0]\ndevice = net_null0\npeer = p1\n"
				 "mtu = 9000\n"
				 "[port p1]\ndevice = net_null1\npeer = p0\n"
				 "[port out]\ndevice = net_null2\n",
				 "s1", "");
	struct cfg *b;
	struct cfg_errors *e = calloc(1, sizeof(*e));

	(void)state;
	assert_non_null(e);
	b = make_cfg("mode = inline\nburst = 64\nmirror_pool = 8192\n",
		     "[port p0]\ndevice = net_null0\npeer = p1\nmtu = 1500\n"
		     "[port p1]\ndevice = net_null1\npeer = p0\n"
		     "rx_queues = 2\n"
		     "[port out]\ndevice = net_null7\n",
		     "s1", "");
	assert_int_equal(ctl_reload_check(a, b, e), 5);
	assert_true(has_msg(e, "[port p0] mtu = 9000 -> 1500: needs a restart"));
	assert_true(has_msg(e, "[dpmirror] burst = 32 -> 64: needs a restart"));
	assert_true(has_msg(e, "[dpmirror] mirror_pool = 16384 -> 8192: needs "
			       "a restart"));
	assert_true(has_msg(e, "[port p1] rx_queues = 1 -> 2: needs a "
			       "restart"));
	assert_true(has_msg(e, "[port out] device = net_null2 -> net_null7: "
			       "needs a restart"));
	cfg_free(b);

	/* The mode (tap takes no peers). */
	memset(e, 0, sizeof(*e));
	{
		struct cfg *t = make_cfg("mode = tap\n",
					 "[port p0]\ndevice = net_null0\n"
					 "[port out]\ndevice = net_null2\n",
					 "s1", "");
		struct cfg *i = make_cfg(DPM_DEFAULT,
					 "[port p0]\ndevice = net_null0\n"
					 "[port out]\ndevice = net_null2\n",
					 "s1", "");

		assert_int_equal(ctl_reload_check(t, i, e), 1);
		assert_true(has_msg(e, "[dpmirror] mode = tap -> inline: needs "
				       "a restart"));
		cfg_free(t);
		cfg_free(i);
	}

	/* A port more, a port less. */
	memset(e, 0, sizeof(*e));
	b = make_cfg(DPM_DEFAULT,
		     "[port p0]\ndevice = net_null0\npeer = p1\nmtu = 9000\n"
		     "[port p1]\ndevice = net_null1\npeer = p0\n"
		     "[port out]\ndevice = net_null2\n"
		     "[port out2]\ndevice = net_null3\n",
		     "s1", "");
	assert_int_equal(ctl_reload_check(a, b, e), 1);
	assert_true(has_msg(e, "[port out2]: a new port; the set of ports "
			       "needs a restart"));
	cfg_free(b);
	memset(e, 0, sizeof(*e));
	b = make_cfg(DPM_DEFAULT,
		     "[port p0]\ndevice = net_null0\nmtu = 9000\n"
		     "[port out]\ndevice = net_null2\n",
		     "s1", "");
	assert_true(ctl_reload_check(a, b, e) >= 1);
	assert_true(has_msg(e, "[port p1]: removed; the set of ports needs a "
			       "restart"));
	cfg_free(b);

	/* Sessions, filters, collectors, copy_max and stats_interval
	 * change live. */
	memset(e, 0, sizeof(*e));
	b = make_cfg("mode = inline\ncopy_max = 256\nstats_interval = 5\n",
		     "[port p0]\ndevice = net_null0\npeer = p1\nmtu = 9000\n"
		     "[port p1]\ndevice = net_null1\npeer = p0\n"
		     "[port out]\ndevice = net_null2\n",
		     "f1 f2 s9",
		     "[collector c2]\nport = out\nremote_ip = 198.18.1.4\n"
		     "local_ip = 198.18.1.10\n"
		     "remote_mac = 02:00:00:00:01:04\nvni = 7\n");
	assert_int_equal(ctl_reload_check(a, b, e), 0);
	assert_int_equal(e->n, 0);
	cfg_free(b);
	cfg_free(a);
	free(e);
}

/* [port] lcores decides the queue assignment made at start: adding,
 * changing or removing it needs a restart; the same list is no change. */
static void
test_check_lcores_restart(void **state)
{
	struct cfg *a = make_cfg(DPM_DEFAULT,
				 "[port p0]\ndevice = net_null0\npeer = p1\n"
				 "lcores = 2,3\n"
				 "[port p1]\ndevice = net_null1\npeer = p0\n"
				 "[port out]\ndevice = net_null2\n",
				 "s1", "");
	struct cfg *b;
	struct cfg_errors *e = calloc(1, sizeof(*e));

	(void)state;
	assert_non_null(e);
	b = make_cfg(DPM_DEFAULT,
		     "[port p0]\ndevice = net_null0\npeer = p1\n"
		     "lcores = 2-3\n"
		     "[port p1]\ndevice = net_null1\npeer = p0\n"
		     "[port out]\ndevice = net_null2\n",
		     "s1", "");
	assert_int_equal(ctl_reload_check(a, b, e), 0);
	cfg_free(b);

	memset(e, 0, sizeof(*e));
	b = make_cfg(DPM_DEFAULT,
		     "[port p0]\ndevice = net_null0\npeer = p1\n"
		     "lcores = 3,2\n"
		     "[port p1]\ndevice = net_null1\npeer = p0\n"
		     "lcores = 4\n"
		     "[port out]\ndevice = net_null2\n",
		     "s1", "");
	assert_int_equal(ctl_reload_check(a, b, e), 2);
	assert_true(has_msg(e, "[port p0] lcores = 2,3 -> 3,2: needs a "
			       "restart"));
	assert_true(has_msg(e, "[port p1] lcores = (none) -> 4: needs a "
			       "restart"));
	cfg_free(b);

	memset(e, 0, sizeof(*e));
	b = sessions_cfg("s1");
	assert_int_equal(ctl_reload_check(a, b, e), 1);
	assert_true(has_msg(e, "[port p0] lcores = 2,3 -> (none): needs a "
			       "restart"));
	cfg_free(b);
	cfg_free(a);
	free(e);
}

/* Ports listed in another order are no change: the new file's ports are
 * put back in the running order, every index renumbered. */
static void
test_check_port_order(void **state)
{
	struct cfg *a = sessions_cfg("s1");
	struct cfg *b = make_cfg(DPM_DEFAULT,
				 "[port out]\ndevice = net_null2\n"
				 "[port p1]\ndevice = net_null1\npeer = p0\n"
				 "[port p0]\ndevice = net_null0\npeer = p1\n",
				 "s1", "");
	struct cfg_errors *e = calloc(1, sizeof(*e));
	unsigned int i;

	(void)state;
	assert_non_null(e);
	assert_int_equal(b->collectors[0].port, 0); /* "out" first */
	assert_int_equal(ctl_reload_check(a, b, e), 0);
	for (i = 0; i < a->n_ports; i++) {
		assert_string_equal(b->ports[i].name, a->ports[i].name);
		assert_int_equal(b->ports[i].peer, a->ports[i].peer);
	}
	assert_string_equal(b->ports[b->collectors[0].port].name, "out");
	assert_string_equal(b->ports[b->sessions[0].sources[0].port].name,
			    "p0");
	cfg_free(a);
	cfg_free(b);
	free(e);
}

/* A kept session keeps its sampler epoch while its sample is unchanged,
 * its meter epoch while its profile is unchanged. */
static void
test_epochs_carried(void **state)
{
	struct dp_ruleset *o = calloc(1, sizeof(*o));
	struct dp_ruleset *n = calloc(1, sizeof(*n));

	(void)state;
	assert_non_null(o);
	assert_non_null(n);
	o->n_sessions = n->n_sessions = 4;
	for (unsigned int s = 0; s < 4; s++) {
		o->sess[s].sample = 4;
		o->sess[s].sample_epoch = 1;
		o->sess[s].meter_epoch = 1;
		o->sess[s].rate.cpb = 1000;
		n->sess[s] = o->sess[s];
		n->sess[s].sample_epoch = 9;
		n->sess[s].meter_epoch = 9;
	}
	n->sess[1].sample = 8;		 /* sampler restarts */
	n->sess[2].rate.cpb = 500; /* cap restarts */
	n->sess[3].rate.cpb = 0;   /* cap removed */
	ctl_reload_epochs(o, n, 0x7);	 /* slot 3 is not kept */
	assert_int_equal(n->sess[0].sample_epoch, 1);
	assert_int_equal(n->sess[0].meter_epoch, 1);
	assert_int_equal(n->sess[1].sample_epoch, 9);
	assert_int_equal(n->sess[1].meter_epoch, 1);
	assert_int_equal(n->sess[2].sample_epoch, 1);
	assert_int_equal(n->sess[2].meter_epoch, 9);
	assert_int_equal(n->sess[3].sample_epoch, 9);
	assert_int_equal(n->sess[3].meter_epoch, 9);
	free(o);
	free(n);
}

/* The shared cap (dp_rate.h) is part of the meter: a kept session whose
 * rate profile changes restarts it, one whose profile is the same keeps
 * the epoch, and with it the shared bucket. */
static void
test_epochs_rate(void **state)
{
	struct dp_ruleset *o = calloc(1, sizeof(*o));
	struct dp_ruleset *n = calloc(1, sizeof(*n));
	unsigned int s;

	(void)state;
	assert_non_null(o);
	assert_non_null(n);
	o->n_sessions = n->n_sessions = 3;
	for (s = 0; s < 3; s++) {
		o->sess[s].meter_epoch = 2;
		assert_int_equal(dp_rate_prof_init(&o->sess[s].rate, 80000000,
						   500000, 2500000000ull, 2,
						   9118),
				 0);
		n->sess[s] = o->sess[s];
		n->sess[s].meter_epoch = 5;
	}
	/* Another rate, the same rate shared by more workers. */
	assert_int_equal(dp_rate_prof_init(&n->sess[1].rate, 40000000, 500000,
					   2500000000ull, 2, 9118),
			 0);
	assert_int_equal(dp_rate_prof_init(&n->sess[2].rate, 80000000, 500000,
					   2500000000ull, 4, 9118),
			 0);
	ctl_reload_epochs(o, n, 0x7);
	assert_int_equal(n->sess[0].meter_epoch, 2);
	assert_int_equal(n->sess[1].meter_epoch, 5);
	assert_int_equal(n->sess[2].meter_epoch, 5);
	free(o);
	free(n);
}

/* The worker restarts a slot's sampler or rate cap only when its epoch
 * changes; the first adopt starts them all.  The cap's bucket is shared
 * (dp_shared.rate[]): a new epoch fills it and drops the worker's grant. */
static void
test_adopt_keeps_state(void **state)
{
	struct dp_worker *w = aligned_alloc(64, sizeof(*w));
	struct dp_ruleset *rs = calloc(1, sizeof(*rs));
	struct dp_shared sh;

	(void)state;
	assert_non_null(w);
	assert_non_null(rs);
	memset(&sh, 0, sizeof(sh));
	dp_worker_init(w, &sh, 1, 0);
	rs->generation = 1;
	rs->n_sessions = 2;
	rs->sess[0].sample = 4;
	rs->sess[0].sample_epoch = 1;
	rs->sess[0].meter_epoch = 1;
	assert_int_equal(dp_rate_prof_init(&rs->sess[0].rate, 8000, 18200,
					   1000000000, 1, 9118),
			 0);
	rs->sess[1].sample_epoch = 1;
	rs->sess[1].meter_epoch = 1;
	w->sample_cnt[0] = 77; /* whatever was there before */
	w->rate[0].left = 99;
	dp_worker_adopt(w, rs);
	assert_int_equal(w->sample_cnt[0], 0);
	assert_int_equal(w->rate[0].left, 0);
	assert_int_equal(sh.rate[0].epoch, 1);
	assert_int_equal(w->ruleset_gen, 1);

	/* Traffic moves the state on; a new ruleset with the same epochs
	 * leaves it. */
	w->sample_cnt[0] = 3;
	w->rate[0].left = 5;
	sh.rate[0].tat = 12345;
	rs->generation = 2;
	dp_worker_adopt(w, rs);
	assert_int_equal(w->sample_cnt[0], 3);
	assert_int_equal(w->rate[0].left, 5);
	assert_int_equal(sh.rate[0].tat, 12345);
	assert_int_equal(w->ruleset_gen, 2);

	/* A new sampler epoch restarts the count only. */
	rs->generation = 3;
	rs->sess[0].sample_epoch = 3;
	dp_worker_adopt(w, rs);
	assert_int_equal(w->sample_cnt[0], 0);
	assert_int_equal(w->rate[0].left, 5);
	assert_int_equal(sh.rate[0].tat, 12345);

	/* A new meter epoch fills the shared bucket (tat 0) and drops the
	 * worker's grant. */
	w->sample_cnt[0] = 2;
	rs->generation = 4;
	rs->sess[0].meter_epoch = 4;
	dp_worker_adopt(w, rs);
	assert_int_equal(w->sample_cnt[0], 2);
	assert_int_equal(w->rate[0].left, 0);
	assert_int_equal(sh.rate[0].tat, 0);
	assert_int_equal(sh.rate[0].epoch, 4);
	free(rs);
	free(w);
}

/* A snapshot reads session i from its slot; the config counters go into
 * the JSON as "config". */
static void
test_snapshot_by_slot(void **state)
{
	struct cfg *c = sessions_cfg("a b");
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	struct dp_stats *st = aligned_alloc(64, sizeof(*st));
	int slot[CFG_MAX_SESSIONS] = {7, 2};
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(s);
	assert_non_null(st);
	memset(st, 0, sizeof(*st));
	st->sess[7].matched = 70;
	st->sess[7].mirrored = 60;
	st->sess[2].matched = 20;
	st->sess[0].matched = 999; /* slot 0 is nobody's */
	ctl_snapshot_begin(s, c, 1.0);
	ctl_snapshot_slots(s, slot);
	s->config.generation = 3;
	s->config.reloads_ok = 2;
	s->config.reloads_failed = 1;
	ctl_snapshot_add(s, st, 1);
	assert_int_equal(s->sess[0].matched, 70);
	assert_int_equal(s->sess[0].mirrored, 60);
	assert_int_equal(s->sess[1].matched, 20);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	ctl_stats_json(f, s);
	fclose(f);
	assert_non_null(strstr(text, "\"a\": { \"matched\": 70"));
	assert_non_null(strstr(text, "\"config\": { \"generation\": 3, "
				     "\"reloads_ok\": 2, "
				     "\"reloads_failed\": 1 } }"));
	free(text);
	free(st);
	free(s);
	cfg_free(c);
}

/* ---- collector slots ---- */

/* A valid file whose collectors are named in NAMES (space separated),
 * each a vxlan collector on port out; session s1 sends to the first,
 * session s2 (when there are two or more) to the second. */
static struct cfg *
colls_cfg(const char *names)
{
	static char extra[32768];
	char list[2048], *tok, *save = NULL;
	char first[2][CFG_NAME_MAX] = {"", ""};
	unsigned int k = 0;
	size_t n = 0;

	snprintf(list, sizeof(list), "%s", names);
	for (tok = strtok_r(list, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save), k++) {
		if (k < 2)
			snprintf(first[k], sizeof(first[k]), "%s", tok);
		n += (size_t)snprintf(extra + n, sizeof(extra) - n,
				      "[collector %s]\nport = out\n"
				      "remote_ip = 198.18.1.%u\n"
				      "local_ip = 198.18.1.250\n"
				      "remote_mac = 02:00:00:00:01:03\n"
				      "vni = %u\n",
				      tok, 1 + k % 200, 100 + k);
	}
	n += (size_t)snprintf(extra + n, sizeof(extra) - n,
			      "[session s1]\nsources = p0:rx\ncollector = %s\n",
			      first[0]);
	if (first[1][0] != '\0')
		snprintf(extra + n, sizeof(extra) - n,
			 "[session s2]\nsources = p0:rx\ncollector = %s\n",
			 first[1]);
	return make_cfg_colls(extra);
}

static int
cslot_of(const struct ctl_coll_plan *p, const struct cfg *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->n_collectors; i++)
		if (strcmp(c->collectors[i].name, name) == 0)
			return p->slot[i];
	fail_msg("no collector %s", name);
	return -1;
}

static bool
bit(const uint64_t *m, unsigned int s)
{
	return (m[s / 64] >> (s % 64)) & 1;
}

static unsigned int
bits(const uint64_t *m)
{
	unsigned int w, n = 0;

	for (w = 0; w < CTL_COLL_SLOT_WORDS; w++)
		n += (unsigned int)__builtin_popcountll(m[w]);
	return n;
}

/* Kept collectors keep their slots whatever their order in the file; a
 * removed one's slot is retired, and not given to a new one by the same
 * reload; the next reload may. */
static void
test_coll_slots_keep_by_name(void **state)
{
	struct cfg *a = colls_cfg("x y z");
	struct cfg *b = colls_cfg("z x w");
	struct cfg *c;
	struct ctl_coll_slots cur, next, third;
	struct ctl_coll_plan p;

	(void)state;
	ctl_coll_slots_init(&cur, a);
	assert_string_equal(cur.name[1], "y");
	assert_int_equal(ctl_coll_slots_plan(&cur, b, &p), 0);
	assert_int_equal(cslot_of(&p, b, "x"), 0);
	assert_int_equal(cslot_of(&p, b, "z"), 2);
	assert_int_equal(cslot_of(&p, b, "w"), 3); /* not y's slot 1 */
	assert_true(bit(p.kept, 0) && bit(p.kept, 2));
	assert_int_equal(bits(p.kept), 2);
	assert_true(bit(p.retired, 1));
	assert_int_equal(bits(p.retired), 1);
	assert_true(bit(p.added, 3));
	assert_int_equal(bits(p.added), 1);
	ctl_coll_slots_apply(&p, b, &next);
	assert_string_equal(next.name[0], "x");
	assert_string_equal(next.name[1], "");
	assert_string_equal(next.name[2], "z");
	assert_string_equal(next.name[3], "w");

	/* The next reload: y's old slot 1 is free again, the lowest. */
	c = colls_cfg("x z w v");
	assert_int_equal(ctl_coll_slots_plan(&next, c, &p), 0);
	assert_int_equal(cslot_of(&p, c, "v"), 1);
	assert_int_equal(bits(p.retired), 0);
	ctl_coll_slots_apply(&p, c, &third);
	assert_string_equal(third.name[1], "v");
	cfg_free(a);
	cfg_free(b);
	cfg_free(c);
}

/* DP_MAX_COLLECTORS collectors, all replaced at once, twice: the new ones
 * take the other half of the slots, then the first half again. */
static void
test_coll_slots_full_swap(void **state)
{
	char names[3][1024];
	struct ctl_coll_slots cur, next;
	struct ctl_coll_plan p;
	struct cfg *c[3];
	unsigned int i, r;
	size_t n[3] = {0, 0, 0};

	(void)state;
	for (r = 0; r < 3; r++)
		for (i = 0; i < DP_MAX_COLLECTORS; i++)
			n[r] += (size_t)snprintf(names[r] + n[r],
						 sizeof(names[r]) - n[r],
						 "%c%u ", "abc"[r], i);
	for (r = 0; r < 3; r++) {
		c[r] = colls_cfg(names[r]);
		assert_int_equal(c[r]->n_collectors, DP_MAX_COLLECTORS);
	}
	ctl_coll_slots_init(&cur, c[0]);
	assert_int_equal(ctl_coll_slots_plan(&cur, c[1], &p), 0);
	for (i = 0; i < DP_MAX_COLLECTORS; i++)
		assert_int_equal(p.slot[i], DP_MAX_COLLECTORS + (int)i);
	assert_int_equal(bits(p.retired), DP_MAX_COLLECTORS);
	assert_int_equal(bits(p.added), DP_MAX_COLLECTORS);
	ctl_coll_slots_apply(&p, c[1], &next);
	assert_int_equal(ctl_coll_slots_plan(&next, c[2], &p), 0);
	for (i = 0; i < DP_MAX_COLLECTORS; i++)
		assert_int_equal(p.slot[i], (int)i);
	for (r = 0; r < 3; r++)
		cfg_free(c[r]);
}

static void
test_coll_slots_too_many(void **state)
{
	struct cfg *a = colls_cfg("x");
	struct ctl_coll_slots cur;
	struct ctl_coll_plan p;

	(void)state;
	ctl_coll_slots_init(&cur, a);
	a->n_collectors = DP_MAX_COLLECTORS + 1;
	assert_int_equal(ctl_coll_slots_plan(&cur, a, &p), -ENOSPC);
	a->n_collectors = 1;
	cfg_free(a);
}

/*
 * Counters across reloads, as ctl_reload_run moves them: x is kept (its
 * counters and sequence number go on), y is removed (its slot zeroed in
 * every worker after the synchronize) and the next reload gives y's slot
 * to a new collector, which starts at zero.
 */
static void
test_coll_counters_across_reloads(void **state)
{
	struct cfg *a = colls_cfg("x y");
	struct cfg *b = colls_cfg("x");
	struct cfg *c = colls_cfg("x v");
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	struct dp_shared *sh = aligned_alloc(64, sizeof(*sh));
	struct ctl_workers ws;
	struct ctl_coll_slots cur, next;
	struct ctl_coll_plan p;
	unsigned int i;

	(void)state;
	assert_non_null(s);
	assert_non_null(sh);
	memset(sh, 0, sizeof(*sh));
	memset(&ws, 0, sizeof(ws));
	ws.n = 2;
	for (i = 0; i < ws.n; i++) {
		ws.w[i] = aligned_alloc(64, sizeof(*ws.w[i]));
		assert_non_null(ws.w[i]);
		memset(ws.w[i], 0, sizeof(*ws.w[i]));
		ws.w[i]->lcore = 1 + i;
		/* x in slot 0, y in slot 1, as the start puts them */
		ws.w[i]->stats.coll[0].packets = 10 * (i + 1);
		ws.w[i]->stats.coll[0].bytes = 1000 * (i + 1);
		ws.w[i]->stats.coll[1].packets = 7;
		ws.w[i]->stats.coll[1].bytes = 700;
	}
	sh->seq[0].next = 30;
	sh->seq[1].next = 14;

	/* a -> b: y removed; its slot zeroed once the workers left a's
	 * ruleset. */
	ctl_coll_slots_init(&cur, a);
	assert_int_equal(ctl_coll_slots_plan(&cur, b, &p), 0);
	assert_true(bit(p.retired, 1));
	ctl_coll_slots_zero(&ws, sh, p.retired);
	ctl_coll_slots_apply(&p, b, &next);
	for (i = 0; i < ws.n; i++) {
		assert_int_equal(ws.w[i]->stats.coll[1].packets, 0);
		assert_int_equal(ws.w[i]->stats.coll[1].bytes, 0);
		assert_int_equal(ws.w[i]->stats.coll[0].packets, 10 * (i + 1));
	}
	assert_int_equal(sh->seq[1].next, 0);
	assert_int_equal(sh->seq[0].next, 30);

	/* b -> c: v takes slot 1, which y left zeroed; x goes on. */
	cur = next;
	assert_int_equal(ctl_coll_slots_plan(&cur, c, &p), 0);
	assert_int_equal(cslot_of(&p, c, "x"), 0);
	assert_int_equal(cslot_of(&p, c, "v"), 1);
	assert_int_equal(bits(p.retired), 0);
	ctl_snapshot_begin(s, c, 1.0);
	ctl_snapshot_coll_slots(s, p.slot);
	for (i = 0; i < ws.n; i++)
		ctl_snapshot_add(s, &ws.w[i]->stats, ws.w[i]->lcore);
	assert_int_equal(s->n_collectors, 2);
	assert_string_equal(s->coll_info[0].name, "x");
	assert_int_equal(s->coll[0].packets, 30);
	assert_int_equal(s->coll[0].bytes, 3000);
	assert_string_equal(s->coll_info[1].name, "v");
	assert_int_equal(s->coll[1].packets, 0);
	assert_int_equal(s->coll[1].bytes, 0);

	for (i = 0; i < ws.n; i++)
		free(ws.w[i]);
	free(sh);
	free(s);
	cfg_free(a);
	cfg_free(b);
	cfg_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_keep_by_name),
		cmocka_unit_test(test_slots_rename_is_new),
		cmocka_unit_test(test_slots_full_swap_is_late),
		cmocka_unit_test(test_slots_too_many),
		cmocka_unit_test(test_check_refuses_restart_keys),
		cmocka_unit_test(test_check_port_order),
		cmocka_unit_test(test_check_lcores_restart),
		cmocka_unit_test(test_epochs_rate),
		cmocka_unit_test(test_epochs_carried),
		cmocka_unit_test(test_adopt_keeps_state),
		cmocka_unit_test(test_snapshot_by_slot),
		cmocka_unit_test(test_coll_slots_keep_by_name),
		cmocka_unit_test(test_coll_slots_full_swap),
		cmocka_unit_test(test_coll_slots_too_many),
		cmocka_unit_test(test_coll_counters_across_reloads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
