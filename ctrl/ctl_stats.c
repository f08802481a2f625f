/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_ether.h>

#include "ctl_stats.h"
#include "dp_worker.h"

_Static_assert(CTL_MAC_STR_LEN == RTE_ETHER_ADDR_FMT_SIZE,
	       "a MAC's text fits ctl_collector_stats.mac");
_Static_assert(CFG_MAX_COLLECTORS <= CTL_MAX_COLLECTORS,
	       "a snapshot has room for every collector");

#define FIELD_ENTRY(type, n, v, l, w, sl)                                      \
	{.name = #n,                                                           \
	 .off = offsetof(type, n),                                             \
	 .label = l,                                                           \
	 .width = w,                                                           \
	 .slot = sl},
#define PORT_FIELD(n, v, l, w, sl)                                             \
	FIELD_ENTRY(struct ctl_port_stats, n, v, l, w, sl)
#define SESSION_FIELD(n, v, l, w, sl)                                          \
	FIELD_ENTRY(struct ctl_session_stats, n, v, l, w, sl)
#define COLLECTOR_FIELD(n, v, l, w, sl)                                        \
	FIELD_ENTRY(struct ctl_collector_stats, n, v, l, w, sl)
#define WORKER_FIELD(n, v, l, w, sl)                                           \
	FIELD_ENTRY(struct ctl_worker_stats, n, v, l, w, sl)
#define CONFIG_FIELD(n, v, l, w, sl)                                           \
	FIELD_ENTRY(struct ctl_config_stats, n, v, l, w, sl)

const struct ctl_stats_field ctl_port_fields[] = {CTL_PORT_STATS(PORT_FIELD)};
const unsigned int ctl_port_n_fields = RTE_DIM(ctl_port_fields);
const struct ctl_stats_field ctl_session_fields[] = {
	CTL_SESSION_STATS(SESSION_FIELD)};
const unsigned int ctl_session_n_fields = RTE_DIM(ctl_session_fields);
const struct ctl_stats_field ctl_collector_fields[] = {
	CTL_COLLECTOR_STATS(COLLECTOR_FIELD)};
const unsigned int ctl_collector_n_fields = RTE_DIM(ctl_collector_fields);
const struct ctl_stats_field ctl_worker_fields[] = {
	CTL_WORKER_STATS(WORKER_FIELD)};
const unsigned int ctl_worker_n_fields = RTE_DIM(ctl_worker_fields);
const struct ctl_stats_field ctl_config_fields[] = {
	CTL_CONFIG_STATS(CONFIG_FIELD)};
const unsigned int ctl_config_n_fields = RTE_DIM(ctl_config_fields);

bool
ctl_stats_coll_has_seq(const struct cfg_collector *cc)
{
	return (cc->encap == CFG_ENCAP_GRE && cc->seq) ||
	       cc->encap == CFG_ENCAP_ERSPAN2 || cc->encap == CFG_ENCAP_ERSPAN3;
}

void
ctl_stats_coll_desc(char *buf, size_t len, const char *encap,
		    const char *remote_ip, const char *port, unsigned int vlan)
{
	if (strcmp(encap, "none") != 0)
		snprintf(buf, len, "%s -> %s", encap, remote_ip);
	else if (vlan != 0)
		snprintf(buf, len, "none vlan %u -> port %s", vlan, port);
	else
		snprintf(buf, len, "none -> port %s", port);
}

static void
coll_begin(struct ctl_coll_info *ci, const struct cfg *cfg, unsigned int i)
{
	const struct cfg_collector *cc = &cfg->collectors[i];
	char ip[64];

	ci->name = cc->name;
	ci->slot = i;
	ci->has_seq = ctl_stats_coll_has_seq(cc);
	cfg_addr_str(&cc->remote_ip, ip, sizeof(ip));
	ctl_stats_coll_desc(ci->desc, sizeof(ci->desc),
			    cfg_encap_name(cc->encap), ip,
			    cfg->ports[cc->port].name, cc->vlan);
	ci->neighbor = cc->remote_mac_auto ? "pending" : "static";
	ci->no_next_hop = cc->encap == CFG_ENCAP_NONE;
	if (ci->no_next_hop)
		ci->mac[0] = '\0';
	else
		rte_ether_format_addr(
			ci->mac, sizeof(ci->mac),
			(const struct rte_ether_addr *)cc->remote_mac);
}

void
ctl_snapshot_begin(struct ctl_snapshot *s, const struct cfg *cfg, double t)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->t = t;
	s->n_ports = cfg->n_ports;
	s->n_sessions = cfg->n_sessions;
	s->n_collectors =
		RTE_MIN(cfg->n_collectors, (unsigned int)CTL_MAX_COLLECTORS);
	for (i = 0; i < cfg->n_ports; i++)
		s->port_name[i] = cfg->ports[i].name;
	for (i = 0; i < cfg->n_sessions; i++) {
		s->session_name[i] = cfg->sessions[i].name;
		s->session_slot[i] = i;
	}
	for (i = 0; i < s->n_collectors; i++)
		coll_begin(&s->coll_info[i], cfg, i);
}

void
ctl_snapshot_coll_slots(struct ctl_snapshot *s, const int *cslot)
{
	unsigned int i;

	for (i = 0; i < s->n_collectors; i++)
		if (cslot[i] >= 0 && cslot[i] < DP_MAX_COLL_SLOTS)
			s->coll_info[i].slot = (unsigned int)cslot[i];
}

void
ctl_snapshot_seq(struct ctl_snapshot *s, const struct dp_seq *seq)
{
	unsigned int i;

	for (i = 0; i < s->n_collectors; i++)
		if (s->coll_info[i].has_seq)
			s->coll[i].next_seq =
				__atomic_load_n(&seq[s->coll_info[i].slot].next,
						__ATOMIC_RELAXED);
}

void
ctl_snapshot_neigh(struct ctl_snapshot *s, unsigned int i, const uint8_t *mac,
		   const char *state)
{
	struct ctl_coll_info *ci;

	if (i >= s->n_collectors || s->coll_info[i].no_next_hop)
		return;
	ci = &s->coll_info[i];
	if (state != NULL)
		ci->neighbor = state;
	if (mac != NULL)
		rte_ether_format_addr(ci->mac, sizeof(ci->mac),
				      (const struct rte_ether_addr *)mac);
}

void
ctl_snapshot_slots(struct ctl_snapshot *s, const int *slot)
{
	unsigned int i;

	for (i = 0; i < s->n_sessions; i++)
		if (slot[i] >= 0 && slot[i] < DP_MAX_SESSIONS)
			s->session_slot[i] = (unsigned int)slot[i];
}

/* ADD_IN and ADD_OUT, expanded over a DP_*_COUNTERS list, add into T the
 * counters of C of that order (IN or OUT, see dp_stats.h). */
#define ADD_IF_IN_IN(name) t->name += dp_ctr_read(&c->name);
#define ADD_IF_IN_OUT(name)
#define ADD_IF_OUT_IN(name)
#define ADD_IF_OUT_OUT(name) t->name += dp_ctr_read(&c->name);
#define ADD_IN(name, order)  ADD_IF_IN_##order(name)
#define ADD_OUT(name, order) ADD_IF_OUT_##order(name)

void
ctl_snapshot_add(struct ctl_snapshot *s, const struct dp_stats *st,
		 unsigned int lcore)
{
	unsigned int i, r;

	/* Outcomes first, inputs after an acquire fence (see dp_stats.h):
	 * a snapshot never shows more forwarded than received, nor more
	 * mirrored and dropped than matched. */
	for (i = 0; i < s->n_ports; i++) {
		const struct dp_port_counters *c = &st->port[i];
		struct ctl_port_totals *t = &s->port[i];

		DP_PORT_COUNTERS(ADD_OUT)
	}
	for (i = 0; i < s->n_sessions; i++) {
		const struct dp_session_counters *c =
			&st->sess[s->session_slot[i]];
		struct dp_session_counters *t = &s->sess[i];

		DP_SESSION_COUNTERS(ADD_OUT)
		for (r = 0; r < DP_DROP_MAX; r++)
			t->dropped[r] += dp_ctr_read(&c->dropped[r]);
	}
	for (i = 0; i < s->n_collectors; i++) {
		const struct dp_collector_counters *c =
			&st->coll[s->coll_info[i].slot];
		struct ctl_coll_totals *t = &s->coll[i];

		DP_COLLECTOR_COUNTERS(ADD_OUT)
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (i = 0; i < s->n_ports; i++) {
		const struct dp_port_counters *c = &st->port[i];
		struct ctl_port_totals *t = &s->port[i];

		DP_PORT_COUNTERS(ADD_IN)
	}
	for (i = 0; i < s->n_sessions; i++) {
		const struct dp_session_counters *c =
			&st->sess[s->session_slot[i]];
		struct dp_session_counters *t = &s->sess[i];

		DP_SESSION_COUNTERS(ADD_IN)
	}
	if (s->n_workers < CTL_MAX_WORKERS) {
		const struct dp_worker_counters *c = &st->w;
		struct dp_worker_counters *t = &s->worker[s->n_workers];

		s->lcore[s->n_workers] = lcore;
		DP_WORKER_COUNTERS(ADD_OUT)
		DP_WORKER_COUNTERS(ADD_IN)
		s->n_workers++;
	}
}

void
ctl_snapshot_device(struct ctl_snapshot *s, unsigned int port, uint64_t missed,
		    uint64_t errors, uint64_t oerrors)
{
	s->port[port].rx_missed = missed;
	s->port[port].rx_errors = errors;
	s->port[port].tx_errors = oerrors;
}

#define FINAL(name, value, label, width, slot) out->name = (value);

void
ctl_stats_port(const struct ctl_snapshot *s, unsigned int i,
	       struct ctl_port_stats *out)
{
	const struct ctl_port_totals *t = &s->port[i];

	CTL_PORT_STATS(FINAL)
}

void
ctl_stats_session(const struct ctl_snapshot *s, unsigned int i,
		  struct ctl_session_stats *out)
{
	const struct dp_session_counters *c = &s->sess[i];
	unsigned int r;

	CTL_SESSION_STATS(FINAL)
	for (r = 0; r < DP_DROP_MAX; r++)
		out->dropped[r] = c->dropped[r];
}

void
ctl_stats_collector(const struct ctl_snapshot *s, unsigned int i,
		    struct ctl_collector_stats *out)
{
	const struct ctl_coll_totals *c = &s->coll[i];
	const struct ctl_coll_info *ci = &s->coll_info[i];

	CTL_COLLECTOR_STATS(FINAL)
	out->has_seq = ci->has_seq;
	if (!ci->has_seq)
		out->next_seq = 0;
	memcpy(out->mac, ci->mac, sizeof(out->mac));
	out->neighbor = ci->neighbor;
}

void
ctl_stats_worker(const struct ctl_snapshot *s, unsigned int i,
		 struct ctl_worker_stats *out)
{
	const struct dp_worker_counters *w = &s->worker[i];
	const uint64_t lcore = s->lcore[i];

	CTL_WORKER_STATS(FINAL)
}

void
ctl_stats_config(const struct ctl_snapshot *s, struct ctl_config_stats *out)
{
	const struct ctl_config_counters *g = &s->config;

	CTL_CONFIG_STATS(FINAL)
}

static void
emit_fields(const void *obj, const struct ctl_stats_field *fields,
	    unsigned int n, const struct ctl_stats_sink *sink, void *ctx)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		sink->u64(ctx, fields[k].name,
			  ctl_stats_value(obj, &fields[k]));
}

void
ctl_stats_emit_port(const struct ctl_port_stats *ps,
		    const struct ctl_stats_sink *sink, void *ctx)
{
	emit_fields(ps, ctl_port_fields, ctl_port_n_fields, sink, ctx);
}

void
ctl_stats_emit_session(const struct ctl_session_stats *ss,
		       const struct ctl_stats_sink *sink, void *ctx)
{
	unsigned int r;

	emit_fields(ss, ctl_session_fields, ctl_session_n_fields, sink, ctx);
	sink->open(ctx, "dropped");
	for (r = 0; r < DP_DROP_MAX; r++)
		sink->u64(ctx, dp_drop_names[r], ss->dropped[r]);
	sink->close(ctx);
}

/* Whether collector field F is published for CS: next_seq only where
 * there is one. */
static bool
coll_has(const struct ctl_collector_stats *cs, const struct ctl_stats_field *f)
{
	return cs->has_seq ||
	       f->off != offsetof(struct ctl_collector_stats, next_seq);
}

void
ctl_stats_emit_collector(const struct ctl_collector_stats *cs,
			 const struct ctl_stats_sink *sink, void *ctx)
{
	unsigned int k;

	for (k = 0; k < ctl_collector_n_fields; k++)
		if (coll_has(cs, &ctl_collector_fields[k]))
			sink->u64(
				ctx, ctl_collector_fields[k].name,
				ctl_stats_value(cs, &ctl_collector_fields[k]));
	sink->str(ctx, "mac", cs->mac);
	sink->str(ctx, "neighbor", cs->neighbor);
}

void
ctl_stats_emit_worker(const struct ctl_worker_stats *ws,
		      const struct ctl_stats_sink *sink, void *ctx)
{
	emit_fields(ws, ctl_worker_fields, ctl_worker_n_fields, sink, ctx);
}

void
ctl_stats_emit_config(const struct ctl_config_stats *cs,
		      const struct ctl_stats_sink *sink, void *ctx)
{
	emit_fields(cs, ctl_config_fields, ctl_config_n_fields, sink, ctx);
}

uint64_t
ctl_stats_rate(uint64_t now, uint64_t before, double dt)
{
	if (dt <= 0 || now < before)
		return 0;
	return (uint64_t)((double)(now - before) / dt);
}

/* ctl_stats_getter of a struct of final values. */
static bool
final_value(const void *obj, const struct ctl_stats_field *f, uint64_t *v)
{
	*v = ctl_stats_value(obj, f);
	return true;
}

void
ctl_stats_text_cells(FILE *f, const void *obj,
		     const struct ctl_stats_field *fields, unsigned int n,
		     ctl_stats_getter get)
{
	int slot, last = -1;
	unsigned int k;

	for (k = 0; k < n; k++)
		last = RTE_MAX(last, fields[k].slot);
	for (slot = 0; slot <= last; slot++) {
		char value[32];
		uint64_t x;

		for (k = 0; k < n && fields[k].slot != slot; k++)
			;
		fputs(slot % 3 == 0 ? "  " : " ", f);
		if (k < n) {
			if (get(obj, &fields[k], &x))
				snprintf(value, sizeof(value), "%" PRIu64, x);
			else
				snprintf(value, sizeof(value), "-");
			fprintf(f, "%s%-*s", fields[k].label, fields[k].width,
				value);
		}
		if (slot % 3 == 2 || slot == last)
			fputc('\n', f);
	}
}

/* The rate of counter NAME of FIELDS from PREV (NULL: from 0) to CUR. */
static uint64_t
text_rate(const struct ctl_stats_field *fields, unsigned int n,
	  const char *name, const void *cur, const void *prev, double dt,
	  ctl_stats_getter get)
{
	uint64_t c = 0, p = 0;
	unsigned int k;

	for (k = 0; k < n && strcmp(fields[k].name, name) != 0; k++)
		;
	if (k == n || !get(cur, &fields[k], &c))
		return 0;
	if (prev != NULL && !get(prev, &fields[k], &p))
		p = 0;
	return ctl_stats_rate(c, p, dt);
}

void
ctl_stats_text_port(FILE *f, const char *name, const char *period, double dt,
		    const void *cur, const void *prev, ctl_stats_getter get)
{
	const struct ctl_stats_field *pf = ctl_port_fields;
	unsigned int n = ctl_port_n_fields;

	fprintf(f,
		"\n  ######################## NIC statistics for "
		"port %-8s ########################\n",
		name);
	ctl_stats_text_cells(f, cur, pf, n, get);
	fprintf(f, "\n  Throughput (%s)\n", period);
	fprintf(f, "  Rx-pps: %12" PRIu64 "          Rx-bps: %12" PRIu64 "\n",
		text_rate(pf, n, "rx_packets", cur, prev, dt, get),
		8 * text_rate(pf, n, "rx_bytes", cur, prev, dt, get));
	fprintf(f, "  Tx-pps: %12" PRIu64 "          Tx-bps: %12" PRIu64 "\n",
		text_rate(pf, n, "tx_packets", cur, prev, dt, get),
		8 * text_rate(pf, n, "tx_bytes", cur, prev, dt, get));
	fprintf(f, "  ##########################################"
		   "##################################\n");
}

void
ctl_stats_text_session(FILE *f, const char *name, double dt, const void *cur,
		       const void *prev, ctl_stats_getter get)
{
	fprintf(f,
		"\n  ---------------------- Mirror session %-8s "
		"----------------------\n",
		name);
	ctl_stats_text_cells(f, cur, ctl_session_fields, ctl_session_n_fields,
			     get);
	fprintf(f, "  Mirrored-pps: %-7" PRIu64 " Dropped:",
		text_rate(ctl_session_fields, ctl_session_n_fields, "mirrored",
			  cur, prev, dt, get));
}

void
ctl_stats_text_collector(FILE *f, const char *name, const char *desc,
			 const void *cur, ctl_stats_getter get, const char *mac,
			 const char *neighbor)
{
	const struct ctl_stats_field *cf = ctl_collector_fields;
	unsigned int k, n = ctl_collector_n_fields;
	int slot;

	fprintf(f, "  Collector %s", name);
	if (desc != NULL && desc[0] != '\0')
		fprintf(f, " (%s)", desc);
	fputc(':', f);
	for (slot = 0; slot < (int)n; slot++) {
		uint64_t x;

		for (k = 0; k < n && cf[k].slot != slot; k++)
			;
		if (k < n && get(cur, &cf[k], &x))
			fprintf(f, "%s%s%-*" PRIu64, slot == 0 ? " " : "  ",
				cf[k].label, cf[k].width, x);
	}
	if (neighbor != NULL && strcmp(neighbor, "static") != 0)
		fprintf(f, "  Next-hop: %s %s",
			mac != NULL && mac[0] != '\0' ? mac : "-", neighbor);
	fputc('\n', f);
}

/* ctl_stats_getter of a struct ctl_collector_stats: next_seq only where
 * there is one. */
static bool
collector_value(const void *obj, const struct ctl_stats_field *f, uint64_t *v)
{
	if (!coll_has(obj, f))
		return false;
	*v = ctl_stats_value(obj, f);
	return true;
}

void
ctl_stats_print(FILE *f, const struct ctl_snapshot *cur,
		const struct ctl_snapshot *prev)
{
	double dt = cur->t - (prev != NULL ? prev->t : 0);
	unsigned int i, r;

	for (i = 0; i < cur->n_ports; i++) {
		struct ctl_port_stats c, p;

		ctl_stats_port(cur, i, &c);
		if (prev != NULL)
			ctl_stats_port(prev, i, &p);
		ctl_stats_text_port(f, cur->port_name[i], "since last show", dt,
				    &c, prev != NULL ? &p : NULL, final_value);
	}
	for (i = 0; i < cur->n_sessions; i++) {
		struct ctl_session_stats c, p;

		ctl_stats_session(cur, i, &c);
		if (prev != NULL)
			ctl_stats_session(prev, i, &p);
		ctl_stats_text_session(f, cur->session_name[i], dt, &c,
				       prev != NULL ? &p : NULL, final_value);
		for (r = 0; r < DP_DROP_MAX; r++)
			fprintf(f, " %s=%" PRIu64, dp_drop_names[r],
				c.dropped[r]);
		fprintf(f, "\n");
	}
	if (cur->n_collectors > 0)
		fputc('\n', f);
	for (i = 0; i < cur->n_collectors; i++) {
		struct ctl_collector_stats c;

		ctl_stats_collector(cur, i, &c);
		ctl_stats_text_collector(f, cur->coll_info[i].name,
					 cur->coll_info[i].desc, &c,
					 collector_value, c.mac, c.neighbor);
	}
	fflush(f);
}

/*
 * The JSON sink: members of an object are written on one line,
 * `{ "a": 1, "b": { "c": 2 } }`.
 */
#define JSON_MAX_DEPTH 4

struct json_out {
	FILE *f;
	unsigned int depth;
	bool first[JSON_MAX_DEPTH];
};

static void
json_sep(struct json_out *j)
{
	fputs(j->first[j->depth] ? " " : ", ", j->f);
	j->first[j->depth] = false;
}

static void
json_u64(void *ctx, const char *name, uint64_t value)
{
	struct json_out *j = ctx;

	json_sep(j);
	fprintf(j->f, "\"%s\": %" PRIu64, name, value);
}

/* VALUE holds no '"' or '\\' (a MAC, a state name). */
static void
json_str(void *ctx, const char *name, const char *value)
{
	struct json_out *j = ctx;

	json_sep(j);
	fprintf(j->f, "\"%s\": \"%s\"", name, value);
}

static void
json_open(void *ctx, const char *name)
{
	struct json_out *j = ctx;

	json_sep(j);
	fprintf(j->f, "\"%s\": {", name);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->first[++j->depth] = true;
}

static void
json_close(void *ctx)
{
	struct json_out *j = ctx;

	fputs(" }", j->f);
	if (j->depth > 0)
		j->depth--;
}

static const struct ctl_stats_sink json_sink = {
	.u64 = json_u64,
	.str = json_str,
	.open = json_open,
	.close = json_close,
};

void
ctl_stats_json(FILE *f, const struct ctl_snapshot *s)
{
	struct json_out j = {.f = f};
	struct ctl_config_stats cs;
	unsigned int i;

	fprintf(f, "{ \"duration_s\": %.3f,\n  \"ports\": {", s->t);
	for (i = 0; i < s->n_ports; i++) {
		struct ctl_port_stats ps;

		ctl_stats_port(s, i, &ps);
		fprintf(f, "%s\n    \"%s\": {", i ? "," : "", s->port_name[i]);
		j.depth = 0;
		j.first[0] = true;
		ctl_stats_emit_port(&ps, &json_sink, &j);
		fputs(" }", f);
	}
	fprintf(f, " },\n  \"sessions\": {");
	for (i = 0; i < s->n_sessions; i++) {
		struct ctl_session_stats ss;

		ctl_stats_session(s, i, &ss);
		fprintf(f, "%s\n    \"%s\": {", i ? "," : "",
			s->session_name[i]);
		j.depth = 0;
		j.first[0] = true;
		ctl_stats_emit_session(&ss, &json_sink, &j);
		fputs(" }", f);
	}
	fprintf(f, " },\n  \"collectors\": {");
	for (i = 0; i < s->n_collectors; i++) {
		struct ctl_collector_stats co;

		ctl_stats_collector(s, i, &co);
		fprintf(f, "%s\n    \"%s\": {", i ? "," : "",
			s->coll_info[i].name);
		j.depth = 0;
		j.first[0] = true;
		ctl_stats_emit_collector(&co, &json_sink, &j);
		fputs(" }", f);
	}
	fprintf(f, " },\n  \"workers\": [");
	for (i = 0; i < s->n_workers; i++) {
		struct ctl_worker_stats ws;

		ctl_stats_worker(s, i, &ws);
		fprintf(f, "%s {", i ? "," : "");
		j.depth = 0;
		j.first[0] = true;
		ctl_stats_emit_worker(&ws, &json_sink, &j);
		fputs(" }", f);
	}
	ctl_stats_config(s, &cs);
	fprintf(f, " ],\n  \"config\": {");
	j.depth = 0;
	j.first[0] = true;
	ctl_stats_emit_config(&cs, &json_sink, &j);
	fprintf(f, " } }\n");
}

int
ctl_stats_json_file(const char *path, const struct ctl_snapshot *s)
{
	char tmp[PATH_MAX];
	struct stat st;
	FILE *f;
	int fd, rc = 0;

	/* What rename would replace must be a regular file (or nothing): a
	 * symbolic link planted at PATH is refused, not replaced. */
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return -ELOOP;
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		if (!S_ISREG(st.st_mode))
			return -EINVAL;
	} else if (errno != ENOENT) {
		return -errno;
	}
	/* The temporary file: beside PATH (rename stays in one file
	 * system), under an unpredictable name, created exclusively
	 * (mkstemp: O_CREAT | O_EXCL), so nothing planted there is followed
	 * or overwritten. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) != 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		return rc;
	}
	ctl_stats_json(f, s);
	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		rc = errno != 0 ? -errno : -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}
