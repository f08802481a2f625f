/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_telemetry.h>

#include "ctl_telemetry.h"

static struct ctl_reload *tel_r;

/*
 * An rte_tel_data sink for the statistics schema (ctl_stats_emit_*):
 * values go into the innermost open dict; open() starts a nested dict,
 * close() adds it to its parent.
 */
#define TEL_DEPTH 4

struct tel_out {
	struct rte_tel_data *d[TEL_DEPTH];
	char name[TEL_DEPTH][3 * CFG_NAME_MAX];
	unsigned int depth;
	int err;
};

static void
tel_u64(void *ctx, const char *name, uint64_t v)
{
	struct tel_out *t = ctx;

	if (rte_tel_data_add_dict_u64(t->d[t->depth], name, v) != 0)
		t->err = -EINVAL;
}

/*
 * DPDK 22.11 takes only A-Z a-z 0-9 _ and / in a dict key, while an object
 * name may also hold '-' and '.': every other byte is written as '/' and
 * two lowercase hex digits ("web-1" is "web/2d1"), which no name can hold
 * as it is, so the key reads back without doubt.
 */
static const char *
tel_key(const char *name, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *name != '\0' && n + 4 < len; name++) {
		unsigned char c = (unsigned char)*name;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_') {
			buf[n++] = (char)c;
			continue;
		}
		buf[n++] = '/';
		buf[n++] = hex[c >> 4];
		buf[n++] = hex[c & 0xf];
	}
	buf[n] = '\0';
	return buf;
}

static void
tel_str(void *ctx, const char *name, const char *v)
{
	struct tel_out *t = ctx;

	if (rte_tel_data_add_dict_string(t->d[t->depth], name, v) != 0)
		t->err = -EINVAL;
}

static void
tel_open(void *ctx, const char *name)
{
	struct tel_out *t = ctx;
	struct rte_tel_data *c;

	if (t->depth + 1 >= TEL_DEPTH || (c = rte_tel_data_alloc()) == NULL) {
		t->err = -ENOMEM;
		return;
	}
	rte_tel_data_start_dict(c);
	t->depth++;
	t->d[t->depth] = c;
	tel_key(name, t->name[t->depth], sizeof(t->name[0]));
}

static void
tel_close(void *ctx)
{
	struct tel_out *t = ctx;

	if (t->depth == 0)
		return;
	if (rte_tel_data_add_dict_container(t->d[t->depth - 1],
					    t->name[t->depth], t->d[t->depth],
					    0) != 0) {
		rte_tel_data_free(t->d[t->depth]);
		t->err = -EINVAL;
	}
	t->depth--;
}

static const struct ctl_stats_sink tel_sink = {
	.u64 = tel_u64,
	.str = tel_str,
	.open = tel_open,
	.close = tel_close,
};

/* Take the reload's lock when the workers run; false (lock not held)
 * otherwise. */
static bool
tel_lock(void)
{
	if (tel_r == NULL)
		return false;
	pthread_mutex_lock(&tel_r->lock);
	if (tel_r->live && tel_r->cfg != NULL)
		return true;
	pthread_mutex_unlock(&tel_r->lock);
	return false;
}

static void
tel_unlock(void)
{
	pthread_mutex_unlock(&tel_r->lock);
}

/*
 * A reply is one buffer of 16 KB (MAX_OUTPUT_LEN of DPDK 22.11's
 * telemetry.c); what does not fit is left out without a word.  The sizer
 * counts what the reply would take in the telemetry's compact JSON
 * ("name":value, with commas and braces), so that /dpmirror/stats can
 * leave out whole objects itself, and say so, rather than lose some.
 */
#define TEL_REPLY_MAX	 (16 * 1024)
#define TEL_REPLY_PREFIX 64 /* {"/dpmirror/stats": ... } and slack */

struct tel_size {
	size_t n;
};

static void
size_u64(void *ctx, const char *name, uint64_t v)
{
	struct tel_size *z = ctx;
	char buf[24];

	z->n += strlen(name) + 4 +
		(size_t)snprintf(buf, sizeof(buf), "%" PRIu64, v);
}

static void
size_str(void *ctx, const char *name, const char *v)
{
	struct tel_size *z = ctx;

	z->n += strlen(name) + strlen(v) + 6;
}

static void
size_open(void *ctx, const char *name)
{
	struct tel_size *z = ctx;
	char key[3 * CFG_NAME_MAX + 4];

	z->n += strlen(tel_key(name, key, sizeof(key))) + 6;
}

static void
size_close(void *ctx)
{
	(void)ctx;
}

static const struct ctl_stats_sink size_sink = {
	.u64 = size_u64,
	.str = size_str,
	.open = size_open,
	.close = size_close,
};

/* What /dpmirror/stats leaves out to fit one reply, in this order. */
#define OMIT_WORKERS	0x1
#define OMIT_COLLECTORS 0x2
#define OMIT_PORTS	0x4

struct stats_size {
	size_t ports, sessions, collectors, workers;
};

/* The bytes each part of the stats reply of S takes. */
static void
stats_sizes(const struct ctl_snapshot *s, struct stats_size *sz)
{
	struct tel_size z;
	unsigned int i;

	memset(&z, 0, sizeof(z));
	for (i = 0; i < s->n_ports; i++) {
		struct ctl_port_stats ps;

		ctl_stats_port(s, i, &ps);
		size_open(&z, s->port_name[i]);
		ctl_stats_emit_port(&ps, &size_sink, &z);
	}
	sz->ports = z.n;
	z.n = 0;
	for (i = 0; i < s->n_sessions; i++) {
		struct ctl_session_stats ss;

		ctl_stats_session(s, i, &ss);
		size_open(&z, s->session_name[i]);
		ctl_stats_emit_session(&ss, &size_sink, &z);
	}
	sz->sessions = z.n;
	z.n = 0;
	for (i = 0; i < s->n_collectors; i++) {
		struct ctl_collector_stats cs;

		ctl_stats_collector(s, i, &cs);
		size_open(&z, s->coll_info[i].name);
		ctl_stats_emit_collector(&cs, &size_sink, &z);
	}
	sz->collectors = z.n;
	z.n = 0;
	for (i = 0; i < s->n_workers; i++) {
		struct ctl_worker_stats ws;

		ctl_stats_worker(s, i, &ws);
		size_open(&z, "00");
		ctl_stats_emit_worker(&ws, &size_sink, &z);
	}
	sz->workers = z.n;
}

/* "omitted": the parts OMIT names, in the order they are left out. */
static const char *
omit_words(unsigned int omit)
{
	switch (omit) {
	case OMIT_WORKERS:
		return "workers";
	case OMIT_WORKERS | OMIT_COLLECTORS:
		return "workers collectors";
	default:
		return "workers collectors ports";
	}
}

/* The section 5 object into D (a dict started by the caller), without
 * what OMIT says (then "omitted" lists it). */
static int
stats_into(struct rte_tel_data *d, const struct ctl_snapshot *s,
	   unsigned int omit)
{
	struct tel_out t;
	struct ctl_config_stats cs;
	char key[16];
	unsigned int i;

	memset(&t, 0, sizeof(t));
	t.d[0] = d;
	rte_tel_data_add_dict_u64(d, "duration_s", (uint64_t)s->t);
	rte_tel_data_add_dict_u64(d, "duration_us", (uint64_t)(s->t * 1e6));
	if (omit != 0)
		rte_tel_data_add_dict_string(d, "omitted", omit_words(omit));

	if (omit & OMIT_PORTS)
		goto sessions;
	tel_open(&t, "ports");
	for (i = 0; i < s->n_ports; i++) {
		struct ctl_port_stats ps;

		ctl_stats_port(s, i, &ps);
		tel_open(&t, s->port_name[i]);
		ctl_stats_emit_port(&ps, &tel_sink, &t);
		tel_close(&t);
	}
	tel_close(&t);

sessions:
	tel_open(&t, "sessions");
	for (i = 0; i < s->n_sessions; i++) {
		struct ctl_session_stats ss;

		ctl_stats_session(s, i, &ss);
		tel_open(&t, s->session_name[i]);
		ctl_stats_emit_session(&ss, &tel_sink, &t);
		tel_close(&t);
	}
	tel_close(&t);

	if (omit & OMIT_COLLECTORS)
		goto workers;
	tel_open(&t, "collectors");
	for (i = 0; i < s->n_collectors; i++) {
		struct ctl_collector_stats co;

		ctl_stats_collector(s, i, &co);
		tel_open(&t, s->coll_info[i].name);
		ctl_stats_emit_collector(&co, &tel_sink, &t);
		tel_close(&t);
	}
	tel_close(&t);

workers:
	if (omit & OMIT_WORKERS)
		goto config;
	tel_open(&t, "workers");
	for (i = 0; i < s->n_workers; i++) {
		struct ctl_worker_stats ws;

		ctl_stats_worker(s, i, &ws);
		snprintf(key, sizeof(key), "%u", i);
		tel_open(&t, key);
		ctl_stats_emit_worker(&ws, &tel_sink, &t);
		tel_close(&t);
	}
	tel_close(&t);

config:
	ctl_stats_config(s, &cs);
	tel_open(&t, "config");
	ctl_stats_emit_config(&cs, &tel_sink, &t);
	tel_close(&t);
	return t.err;
}

static int
cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const size_t room = TEL_REPLY_MAX - TEL_REPLY_PREFIX - 512;
	struct stats_size sz;
	struct ctl_snapshot *s;
	unsigned int omit = 0;
	int rc;

	(void)cmd;
	(void)params;
	s = malloc(sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	if (!tel_lock()) {
		free(s);
		return -EAGAIN;
	}
	ctl_reload_snapshot(tel_r, s);
	stats_sizes(s, &sz);
	/* Sessions always; then workers, collectors and ports while they
	 * fit.  The per-object commands give ports and collectors one by
	 * one. */
	if (sz.ports + sz.sessions + sz.collectors + sz.workers > room)
		omit |= OMIT_WORKERS;
	if (sz.ports + sz.sessions + sz.collectors > room)
		omit |= OMIT_COLLECTORS;
	if (sz.ports + sz.sessions > room)
		omit |= OMIT_PORTS;
	rte_tel_data_start_dict(d);
	rc = stats_into(d, s, omit);
	tel_unlock();
	free(s);
	return rc;
}

/* The list forms: the names of the objects of one kind. */
enum tel_kind { TEL_PORTS, TEL_SESSIONS, TEL_COLLECTORS };

static const char *
kind_name(const struct cfg *c, enum tel_kind k, unsigned int i)
{
	switch (k) {
	case TEL_PORTS:
		return i < c->n_ports ? c->ports[i].name : NULL;
	case TEL_SESSIONS:
		return i < c->n_sessions ? c->sessions[i].name : NULL;
	default:
		return i < c->n_collectors ? c->collectors[i].name : NULL;
	}
}

static int
find(const struct cfg *c, enum tel_kind k, const char *name)
{
	const char *n;
	unsigned int i;

	for (i = 0; (n = kind_name(c, k, i)) != NULL; i++)
		if (strcmp(n, name) == 0)
			return (int)i;
	return -1;
}

static void
list_names(const struct cfg *c, enum tel_kind k, struct rte_tel_data *d)
{
	const char *n;
	unsigned int i;

	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (i = 0; (n = kind_name(c, k, i)) != NULL; i++)
		rte_tel_data_add_array_string(d, n);
}

static void
add_str_array(struct rte_tel_data *d, const char *name, const char *const *v,
	      unsigned int n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	unsigned int i;

	if (a == NULL)
		return;
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (i = 0; i < n; i++)
		rte_tel_data_add_array_string(a, v[i]);
	if (rte_tel_data_add_dict_container(d, name, a, 0) != 0)
		rte_tel_data_free(a);
}

static void
add_mac(struct rte_tel_data *d, const char *name, const uint8_t *mac)
{
	char buf[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(buf, sizeof(buf),
			      (const struct rte_ether_addr *)mac);
	rte_tel_data_add_dict_string(d, name, buf);
}

static void
add_addr(struct rte_tel_data *d, const char *name, const struct cfg_addr *a)
{
	char buf[64];

	cfg_addr_str(a, buf, sizeof(buf));
	rte_tel_data_add_dict_string(d, name, buf);
}

static void
port_obj(const struct cfg *c, unsigned int i, const struct ctl_snapshot *s,
	 struct rte_tel_data *d)
{
	const struct cfg_port *cp = &c->ports[i];
	const struct ctl_port *p = &tel_r->ports->p[i];
	struct ctl_port_stats ps;
	struct tel_out t;

	rte_tel_data_add_dict_string(d, "name", cp->name);
	rte_tel_data_add_dict_string(d, "device", cp->device);
	rte_tel_data_add_dict_string(d, "devname", p->devname);
	rte_tel_data_add_dict_u64(d, "port_id", p->port_id);
	rte_tel_data_add_dict_string(
		d, "peer", cp->peer >= 0 ? c->ports[cp->peer].name : "");
	rte_tel_data_add_dict_u64(d, "rx_queues", p->n_rxq);
	rte_tel_data_add_dict_u64(d, "tx_queues", p->n_txq);
	rte_tel_data_add_dict_u64(d, "mtu", p->mtu);
	rte_tel_data_add_dict_string(d, "multiseg", p->multiseg ? "yes" : "no");
	add_mac(d, "mac", p->mac.addr_bytes);
	memset(&t, 0, sizeof(t));
	t.d[0] = d;
	ctl_stats_port(s, i, &ps);
	tel_open(&t, "stats");
	ctl_stats_emit_port(&ps, &tel_sink, &t);
	tel_close(&t);
}

static void
session_obj(const struct cfg *c, unsigned int i, const struct ctl_snapshot *s,
	    struct rte_tel_data *d)
{
	const struct cfg_session *cs = &c->sessions[i];
	const char *v[CFG_MAX_SOURCES];
	char src[CFG_MAX_SOURCES][CFG_NAME_MAX + 8];
	struct ctl_session_stats ss;
	struct tel_out t;
	unsigned int j;

	rte_tel_data_add_dict_string(d, "name", cs->name);
	rte_tel_data_add_dict_u64(d, "slot", (uint64_t)tel_r->slot[i]);
	for (j = 0; j < cs->n_sources; j++) {
		uint8_t dir = cs->sources[j].dir;

		snprintf(src[j], sizeof(src[j]), "%s:%s",
			 c->ports[cs->sources[j].port].name,
			 dir == (CFG_DIR_RX | CFG_DIR_TX) ? "both"
			 : dir == CFG_DIR_TX		  ? "tx"
							  : "rx");
		v[j] = src[j];
	}
	add_str_array(d, "sources", v, cs->n_sources);
	for (j = 0; j < cs->n_collectors; j++)
		v[j] = c->collectors[cs->collectors[j]].name;
	add_str_array(d, "collectors", v, cs->n_collectors);
	rte_tel_data_add_dict_string(
		d, "filter",
		cs->filter >= 0 ? c->filters[cs->filter].name : "");
	rte_tel_data_add_dict_u64(d, "snaplen", cs->snaplen);
	rte_tel_data_add_dict_u64(d, "sample", cs->sample);
	rte_tel_data_add_dict_u64(d, "rate", cs->rate_bps);
	memset(&t, 0, sizeof(t));
	t.d[0] = d;
	ctl_stats_session(s, i, &ss);
	tel_open(&t, "stats");
	ctl_stats_emit_session(&ss, &tel_sink, &t);
	tel_close(&t);
}

static void
collector_obj(const struct cfg *c, unsigned int i, const struct ctl_snapshot *s,
	      struct rte_tel_data *d)
{
	const struct cfg_collector *cc = &c->collectors[i];
	const struct ctl_port *p = &tel_r->ports->p[cc->port];
	struct ctl_collector_stats cs;
	struct tel_out t;

	ctl_stats_collector(s, i, &cs);
	rte_tel_data_add_dict_string(d, "name", cc->name);
	rte_tel_data_add_dict_u64(d, "slot", (uint64_t)tel_r->cslot[i]);
	rte_tel_data_add_dict_string(d, "port", c->ports[cc->port].name);
	rte_tel_data_add_dict_string(d, "encap", cfg_encap_name(cc->encap));
	/* The keys the collector's encapsulation takes (DESIGN section 4). */
	if (cc->encap != CFG_ENCAP_NONE) {
		add_addr(d, "remote_ip", &cc->remote_ip);
		add_addr(d, "local_ip", &cc->local_ip);
		if (cc->remote_mac_auto) {
			rte_tel_data_add_dict_string(d, "remote_mac", "auto");
			if (cc->next_hop.family != 0)
				add_addr(d, "next_hop", &cc->next_hop);
			else
				add_addr(d, "next_hop", &cc->remote_ip);
		} else {
			add_mac(d, "remote_mac", cc->remote_mac);
		}
		add_mac(d, "local_mac",
			cc->local_mac_set ? cc->local_mac : p->mac.addr_bytes);
		rte_tel_data_add_dict_u64(d, "ttl", cc->ttl);
		rte_tel_data_add_dict_u64(d, "dscp", cc->dscp);
	}
	switch (cc->encap) {
	case CFG_ENCAP_VXLAN:
	case CFG_ENCAP_GENEVE:
		rte_tel_data_add_dict_u64(d, "vni", cc->vni);
		rte_tel_data_add_dict_u64(d, "dst_port", cc->dst_port);
		break;
	case CFG_ENCAP_GRE:
		if (cc->key_set)
			rte_tel_data_add_dict_u64(d, "key", cc->key);
		rte_tel_data_add_dict_string(d, "seq", cc->seq ? "yes" : "no");
		break;
	case CFG_ENCAP_ERSPAN2:
	case CFG_ENCAP_ERSPAN3:
		rte_tel_data_add_dict_u64(d, "session_id", cc->session_id);
		break;
	case CFG_ENCAP_NONE:
		if (cc->vlan != 0)
			rte_tel_data_add_dict_u64(d, "vlan", cc->vlan);
		break;
	}
	rte_tel_data_add_dict_string(d, "mac", cs.mac);
	rte_tel_data_add_dict_string(d, "neighbor", cs.neighbor);
	memset(&t, 0, sizeof(t));
	t.d[0] = d;
	tel_open(&t, "stats");
	ctl_stats_emit_collector(&cs, &tel_sink, &t);
	tel_close(&t);
}

static int
cmd_object(enum tel_kind k, const char *params, struct rte_tel_data *d)
{
	struct ctl_snapshot *s = NULL;
	const struct cfg *c;
	int i, rc = 0;

	if (params != NULL && params[0] != '\0') {
		s = malloc(sizeof(*s));
		if (s == NULL)
			return -ENOMEM;
	}
	if (!tel_lock()) {
		free(s);
		return -EAGAIN;
	}
	c = tel_r->cfg;
	if (params == NULL || params[0] == '\0') {
		list_names(c, k, d);
		goto out;
	}
	i = find(c, k, params);
	if (i < 0) {
		rc = -ENOENT;
		goto out;
	}
	rte_tel_data_start_dict(d);
	ctl_reload_snapshot(tel_r, s);
	if (k == TEL_PORTS)
		port_obj(c, (unsigned int)i, s, d);
	else if (k == TEL_SESSIONS)
		session_obj(c, (unsigned int)i, s, d);
	else
		collector_obj(c, (unsigned int)i, s, d);
out:
	tel_unlock();
	free(s);
	return rc;
}

static int
cmd_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return cmd_object(TEL_PORTS, params, d);
}

static int
cmd_sessions(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return cmd_object(TEL_SESSIONS, params, d);
}

static int
cmd_collectors(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return cmd_object(TEL_COLLECTORS, params, d);
}

static const char *
result_name(enum ctl_reload_result r)
{
	return r == CTL_RELOAD_OK	? "ok"
	       : r == CTL_RELOAD_FAILED ? "failed"
					: "none";
}

static int
cmd_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ctl_reload_status *st;
	struct rte_tel_data *last, *errs;
	unsigned int i;

	(void)cmd;
	(void)params;
	last = rte_tel_data_alloc();
	errs = rte_tel_data_alloc();
	if (last == NULL || errs == NULL) {
		rte_tel_data_free(last);
		rte_tel_data_free(errs);
		return -ENOMEM;
	}
	if (!tel_lock()) {
		rte_tel_data_free(last);
		rte_tel_data_free(errs);
		return -EAGAIN;
	}
	st = &tel_r->st;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "file", tel_r->file);
	rte_tel_data_add_dict_u64(d, "generation", st->generation);
	rte_tel_data_add_dict_u64(d, "reloads_ok", st->reloads_ok);
	rte_tel_data_add_dict_u64(d, "reloads_failed", st->reloads_failed);
	rte_tel_data_start_dict(last);
	rte_tel_data_add_dict_u64(last, "time", (uint64_t)st->time);
	rte_tel_data_add_dict_string(last, "result", result_name(st->result));
	rte_tel_data_add_dict_u64(last, "latency_us", st->latency_us);
	rte_tel_data_add_dict_u64(last, "publish_us", st->publish_us);
	rte_tel_data_add_dict_u64(last, "n_errors", st->n_errors);
	rte_tel_data_start_array(errs, RTE_TEL_STRING_VAL);
	for (i = 0; i < st->n_errors && i < CTL_RELOAD_ERR_MAX; i++)
		rte_tel_data_add_array_string(errs, st->errors[i]);
	tel_unlock();
	if (rte_tel_data_add_dict_container(last, "errors", errs, 0) != 0)
		rte_tel_data_free(errs);
	if (rte_tel_data_add_dict_container(d, "last_reload", last, 0) != 0)
		rte_tel_data_free(last);
	return 0;
}

/* The problems of the last refused reload as one string, one per line:
 * an array holds strings of at most 127 bytes, a lone string 8 KB. */
static int
cmd_reload_errors(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ctl_reload_status *st;
	char *buf;
	size_t n = 0;
	unsigned int i;

	(void)cmd;
	(void)params;
	buf = malloc(RTE_TEL_MAX_SINGLE_STRING_LEN);
	if (buf == NULL)
		return -ENOMEM;
	buf[0] = '\0';
	if (!tel_lock()) {
		free(buf);
		return -EAGAIN;
	}
	st = &tel_r->st;
	for (i = 0; i < st->n_errors && i < CTL_RELOAD_ERR_MAX; i++) {
		int w = snprintf(buf + n, RTE_TEL_MAX_SINGLE_STRING_LEN - n,
				 "%s%s", i > 0 ? "\n" : "", st->errors[i]);

		if (w < 0 || (size_t)w >= RTE_TEL_MAX_SINGLE_STRING_LEN - n)
			break;
		n += (size_t)w;
	}
	tel_unlock();
	rte_tel_data_string(d, buf);
	free(buf);
	return 0;
}

static int
cmd_version(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", DPM_VERSION);
	rte_tel_data_add_dict_int(d, "pid", (int)getpid());
	return 0;
}

int
ctl_telemetry_init(struct ctl_reload *r)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{"/dpmirror/stats", cmd_stats,
		 "The statistics object of --stats-json (duration_s in whole "
		 "seconds, duration_us, workers keyed by index). No "
		 "parameters"},
		{"/dpmirror/ports", cmd_ports,
		 "Port names; with a name (/dpmirror/ports,NAME), that port "
		 "and its counters"},
		{"/dpmirror/sessions", cmd_sessions,
		 "Session names; with a name, that session and its counters"},
		{"/dpmirror/collectors", cmd_collectors,
		 "Collector names; with a name, that collector's fields, next "
		 "hop and counters"},
		{"/dpmirror/config", cmd_config,
		 "The configuration file, its generation and the last "
		 "reload. No parameters"},
		{"/dpmirror/reload_errors", cmd_reload_errors,
		 "The problems of the last refused reload, whole, one per "
		 "line. No parameters"},
		{"/dpmirror/version", cmd_version,
		 "dpmirror's version and pid. No parameters"},
	};
	unsigned int i;
	int rc;

	tel_r = r;
	for (i = 0; i < RTE_DIM(cmds); i++) {
		rc = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn,
						cmds[i].help);
		if (rc != 0)
			return rc;
	}
	return 0;
}
