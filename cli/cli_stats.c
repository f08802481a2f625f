/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * dpmirrorctl stats: the statistics of a running dpmirror (DESIGN sections
 * 5 and 8), read from its telemetry socket (/dpmirror/stats), without an
 * EAL.  Three renderings of the one object:
 *   - text: the testpmd-style block dpmirror prints itself, laid out from
 *     the same schema tables (ctl_stats.h), with a timestamp; rates come
 *     from two successive reads;
 *   - --json: the object --stats-json writes (section 5), on one line:
 *     rebuilt from what the socket can carry (see section5 below);
 *   - --prometheus: the text exposition format, one family per counter.
 * The text and Prometheus renderings walk the object they received, so a
 * counter the process adds later appears without a change here; the
 * schema only decides where the text block shows the counters it knows.
 */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_json.h"
#include "cli_telemetry.h"
#include "ctl_stats.h"

#define STATS_CMD   "/dpmirror/stats"
#define MAX_WATCH_S 86400.0
/* Without --watch, the text rates are taken over this interval. */
#define ONE_SHOT_S 1.0

static const char *prog = "dpmirrorctl";

static void
stats_usage(FILE *out)
{
	fprintf(out,
		"usage: %s stats [--file-prefix P] [--json | --prometheus] "
		"[--watch SEC]\n"
		"       %s stats -h | --help\n"
		"\n"
		"Reads the statistics of the running dpmirror started with "
		"--file-prefix P\n"
		"(default %s) from its DPDK telemetry socket, "
		"/var/run/dpdk/P/dpdk_telemetry.v2\n"
		"for root, $XDG_RUNTIME_DIR/dpdk/P/... for anyone else.  It "
		"needs no EAL and\n"
		"no hugepages, only access to that socket.\n"
		"\n"
		"  (default)     the testpmd-style block of dpmirror's own "
		"periodic output,\n"
		"                with a timestamp; the rates are measured "
		"over two reads %.0f s\n"
		"                apart (over SEC with --watch)\n"
		"  --json        the statistics object (DESIGN section 5), "
		"the same as\n"
		"                dpmirror's --stats-json file, compact, on one "
		"line\n"
		"  --prometheus  the Prometheus text exposition format: "
		"dpmirror_* families,\n"
		"                counters with _total, labels port, session, "
		"collector, reason,\n"
		"                worker (for node_exporter's textfile "
		"collector or a scraper)\n"
		"  --watch SEC   read again every SEC seconds until "
		"interrupted; the text\n"
		"                block is redrawn in place on a terminal, "
		"appended otherwise;\n"
		"                --json prints one line per read (not with "
		"--prometheus)\n"
		"\n"
		"Exit 0, 1 usage error, 2 no dpmirror answered (the message "
		"names the socket).\n",
		prog, prog, CLI_TEL_DEFAULT_PREFIX, ONE_SHOT_S);
}

int
cli_usage_error(void (*usage)(FILE *), const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return CLI_EXIT_USAGE;
}

#define stats_usage_error(fmt, ...)                                            \
	cli_usage_error(stats_usage, "%s: stats: " fmt, prog, ##__VA_ARGS__)

int
cli_parse_seconds(const char *opt, const char *s, double max, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(s, &end);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || !(x > 0) || x > max) {
		fprintf(stderr,
			"%s: %s %.64s: not a number of seconds; give a "
			"decimal number above 0 and at most %.0f\n",
			prog, opt, s, max);
		return -1;
	}
	*out = x;
	return 0;
}

int
cli_opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

/* ---- Values of the object ------------------------------------------- */

/* V as an unsigned integer: a JSON integer, or a string of one (DPDK
 * 22.11 telemetry has no floating point type, so a process may send
 * numbers as strings). */
static bool
get_u64(const struct cli_json *v, uint64_t *out)
{
	char *end;

	if (v == NULL)
		return false;
	if (v->type == CLI_JSON_NUMBER)
		return cli_json_u64(v, out);
	if (v->type != CLI_JSON_STRING || v->str[0] < '0' || v->str[0] > '9')
		return false;
	errno = 0;
	*out = strtoull(v->str, &end, 10);
	return errno == 0 && *end == '\0';
}

/* V as a number: a JSON number, or a string of one. */
static bool
get_double(const struct cli_json *v, double *out)
{
	char *end;
	double x;

	if (v == NULL)
		return false;
	if (v->type == CLI_JSON_NUMBER)
		return cli_json_double(v, out);
	if (v->type != CLI_JSON_STRING || v->str[0] == '\0')
		return false;
	errno = 0;
	x = strtod(v->str, &end);
	if (errno != 0 || *end != '\0' || !isfinite(x))
		return false;
	*out = x;
	return true;
}

/* The workers' running time in ST: duration_us where the process gives
 * it (DPDK 22.11 telemetry has no floating point, so duration_s is whole
 * seconds there), else duration_s. */
static bool
get_duration(const struct cli_json *st, double *out)
{
	uint64_t us;

	if (get_u64(cli_json_get(st, "duration_us"), &us)) {
		*out = (double)us / 1e6;
		return true;
	}
	return get_double(cli_json_get(st, "duration_s"), out);
}

/* The value of counter NAME of OBJ in PREV (0 when absent). */
static uint64_t
u64_of(const struct cli_json *obj, const char *name)
{
	uint64_t x = 0;

	get_u64(cli_json_get(obj, name), &x);
	return x;
}

/* ---- Text ------------------------------------------------------------ */

/* ctl_stats_getter of a JSON object: its member named as F. */
static bool
json_value(const void *obj, const struct ctl_stats_field *f, uint64_t *v)
{
	return get_u64(cli_json_get(obj, f->name), v);
}

/* Every member of OBJ that is a number or a string, " name=value". */
static void
text_members(FILE *f, const struct cli_json *obj, const char *skip)
{
	unsigned int i;

	for (i = 0; obj != NULL && obj->type == CLI_JSON_OBJECT && i < obj->n;
	     i++) {
		const struct cli_json *v = obj->items[i];

		if (skip != NULL && strcmp(obj->keys[i], skip) == 0)
			continue;
		if (v->type == CLI_JSON_NUMBER || v->type == CLI_JSON_STRING)
			fprintf(f, " %s=%s", obj->keys[i], v->str);
	}
}

static void
text_header(FILE *f, const struct cli_tel *t, const struct cli_json *st)
{
	const struct cli_json *cfg = cli_json_get(st, "config");
	char when[64];
	struct tm tm;
	time_t now;
	double dur;
	uint64_t gen;

	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
	fprintf(f, "dpmirror --file-prefix %s (pid %d) at %s", t->prefix,
		(int)t->pid, when);
	if (get_duration(st, &dur))
		fprintf(f, ", running %.1f s", dur);
	if (get_u64(cli_json_get(cfg, "generation"), &gen))
		fprintf(f,
			", configuration generation %" PRIu64
			" (reloads ok %" PRIu64 ", failed %" PRIu64 ")",
			gen, u64_of(cfg, "reloads_ok"),
			u64_of(cfg, "reloads_failed"));
	fputc('\n', f);
}

/* The string member KEY of OBJ, or NULL. */
static const char *
str_of(const struct cli_json *obj, const char *key)
{
	const struct cli_json *v = cli_json_get(obj, key);

	return v != NULL && v->type == CLI_JSON_STRING ? v->str : NULL;
}

/* What dpmirror's text block says of collector NAME in parentheses
 * ("erspan2 -> 198.18.1.3"), from /dpmirror/collectors,NAME into BUF;
 * "" when the process does not say. */
static void
coll_desc(struct cli_tel *t, const char *name, char *buf, size_t len)
{
	const char *encap, *remote, *port;
	struct cli_json *one;
	char cmd[1024], err[256];
	uint64_t vlan = 0;

	buf[0] = '\0';
	snprintf(cmd, sizeof(cmd), "/dpmirror/collectors,%s", name);
	if (cli_tel_query(t, cmd, &one, err, sizeof(err)) != 0)
		return;
	encap = str_of(one, "encap");
	remote = str_of(one, "remote_ip");
	port = str_of(one, "port");
	get_u64(cli_json_get(one, "vlan"), &vlan);
	if (encap != NULL && (remote != NULL || port != NULL))
		ctl_stats_coll_desc(
			buf, len, encap, remote != NULL ? remote : "?",
			port != NULL ? port : "?", (unsigned int)vlan);
	cli_json_free(one);
}

/* The block for CUR, rates since PREV over DT seconds. */
static void
text_block(FILE *f, struct cli_tel *t, const struct cli_json *cur,
	   const struct cli_json *prev, double dt)
{
	const struct cli_json *ports = cli_json_get(cur, "ports");
	const struct cli_json *sessions = cli_json_get(cur, "sessions");
	const struct cli_json *colls = cli_json_get(cur, "collectors");
	const struct cli_json *workers = cli_json_get(cur, "workers");
	const struct cli_json *omitted = cli_json_get(cur, "omitted");
	char period[48];
	unsigned int i;

	text_header(f, t, cur);
	snprintf(period, sizeof(period), "over the last %.1f s", dt);
	for (i = 0; ports != NULL && i < ports->n; i++) {
		const struct cli_json *c = ports->items[i];
		const struct cli_json *p = cli_json_get(
			cli_json_get(prev, "ports"), ports->keys[i]);

		ctl_stats_text_port(f, ports->keys[i], period, dt, c, p,
				    json_value);
	}
	for (i = 0; sessions != NULL && i < sessions->n; i++) {
		const struct cli_json *c = sessions->items[i];
		const struct cli_json *p = cli_json_get(
			cli_json_get(prev, "sessions"), sessions->keys[i]);

		ctl_stats_text_session(f, sessions->keys[i], dt, c, p,
				       json_value);
		text_members(f, cli_json_get(c, "dropped"), NULL);
		fputc('\n', f);
	}
	if (colls != NULL && colls->type == CLI_JSON_OBJECT && colls->n > 0) {
		fputc('\n', f);
		for (i = 0; i < colls->n; i++) {
			const struct cli_json *c = colls->items[i];
			char desc[CTL_COLL_DESC_LEN];

			coll_desc(t, colls->keys[i], desc, sizeof(desc));
			ctl_stats_text_collector(f, colls->keys[i], desc, c,
						 json_value, str_of(c, "mac"),
						 str_of(c, "neighbor"));
		}
	}
	/* An array in --stats-json, an object keyed by index in telemetry
	 * (which cannot nest an array of objects). */
	if (workers != NULL &&
	    (workers->type == CLI_JSON_ARRAY ||
	     workers->type == CLI_JSON_OBJECT) &&
	    workers->n > 0) {
		fprintf(f, "\n  Workers\n");
		for (i = 0; i < workers->n; i++) {
			const struct cli_json *w = workers->items[i];
			const struct cli_json *lc = cli_json_get(w, "lcore");
			uint64_t pk = u64_of(w, "packets");

			fprintf(f, "  lcore %-6s",
				lc != NULL && lc->str != NULL ? lc->str : "?");
			text_members(f, w, "lcore");
			if (pk > 0)
				fprintf(f, " cycles/packet=%.0f",
					(double)u64_of(w, "busy_cycles") /
						(double)pk);
			fputc('\n', f);
		}
	}
	if (omitted != NULL && omitted->type == CLI_JSON_ARRAY &&
	    omitted->n > 0) {
		fprintf(f, "\n  Left out of the reply by dpmirror:");
		for (i = 0; i < omitted->n; i++)
			if (omitted->items[i]->type == CLI_JSON_STRING)
				fprintf(f, " %s", omitted->items[i]->str);
		fputc('\n', f);
	}
	fflush(f);
}

/* ---- Prometheus ------------------------------------------------------ */

/* What the families of one kind of object are called and described as. */
struct prom_help {
	const char *key;
	const char *help;
	bool gauge;
};

static const struct prom_help port_help[] = {
	{"rx_packets", "Packets received on the port.", false},
	{"rx_bytes", "Bytes received on the port.", false},
	{"tx_packets", "Packets sent on the port: forwarded and copies.",
	 false},
	{"tx_bytes", "Bytes sent on the port: forwarded and copies.", false},
	{"rx_missed", "Packets the device dropped for want of rx buffers.",
	 false},
	{"rx_errors", "Erroneous packets received, as the device counts.",
	 false},
	{"tx_dropped", "Packets the tx queue refused: forwarded and copies.",
	 false},
	{"tx_errors", "Failed transmissions, as the device counts.", false},
	{"fwd_packets", "Originals forwarded out of the port (inline).", false},
	{"fwd_bytes", "Bytes of originals forwarded out of the port.", false},
	{"fwd_dropped", "Originals the tx queue refused.", false},
	{"mirror_packets", "Copies sent out of the port.", false},
	{"mirror_bytes", "Bytes of copies sent out of the port.", false},
	{"mirror_dropped", "Copies the tx queue refused.", false},
	{"tap_consumed", "Originals freed after mirroring (tap mode).", false},
	{"rx_invalid", "Frames dropped on receipt: inconsistent mbuf chain.",
	 false},
	{"own_copies", "Copies of this process received back, freed.", false},
	{NULL, NULL, false},
};

static const struct prom_help session_help[] = {
	{"matched", "Packets the session's sources and filter matched.", false},
	{"mirrored", "Copies of matched packets sent to a collector.", false},
	{"mirrored_bytes", "Bytes of the copies, outer header included.",
	 false},
	{NULL, NULL, false},
};

static const struct prom_help worker_help[] = {
	{"packets", "Packets received by the worker.", false},
	{"busy_cycles", "TSC cycles the worker spent on bursts with packets.",
	 false},
	{"loops", "Polling loops of the worker.", false},
	{NULL, NULL, false},
};

static const struct prom_help collector_help[] = {
	{"packets", "Copies sent to the collector.", false},
	{"bytes", "Bytes of the copies sent to the collector.", false},
	{"next_seq", "Sequence number of the next copy (GRE, ERSPAN).", true},
	{NULL, NULL, false},
};

static const struct prom_help config_help[] = {
	{"generation", "Generation of the running configuration.", true},
	{"reloads_ok", "Reloads applied.", false},
	{"reloads_failed", "Reloads refused; the configuration stayed.", false},
	{NULL, NULL, false},
};

static const struct prom_help *
help_of(const struct prom_help *table, const char *key)
{
	for (; table->key != NULL; table++)
		if (strcmp(table->key, key) == 0)
			return table;
	return NULL;
}

/* A key as a part of a metric or label name: [a-zA-Z0-9_]. */
static void
prom_name_part(char *out, size_t len, const char *key)
{
	size_t i;

	for (i = 0; key[i] != '\0' && i + 1 < len; i++)
		out[i] = ((key[i] >= 'a' && key[i] <= 'z') ||
			  (key[i] >= 'A' && key[i] <= 'Z') ||
			  (key[i] >= '0' && key[i] <= '9'))
				 ? key[i]
				 : '_';
	out[i] = '\0';
}

/* A label value, escaped as the exposition format says. */
static void
prom_label_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* A sample's value: V as the number it is (false: not a number). */
static bool
prom_value(FILE *f, const struct cli_json *v)
{
	double x;

	if (!get_double(v, &x))
		return false;
	if (v->type == CLI_JSON_NUMBER)
		fputs(v->str, f);
	else
		fprintf(f, "%.17g", x);
	return true;
}

static bool
is_numeric(const struct cli_json *v)
{
	double x;

	return get_double(v, &x);
}

static void
prom_family(FILE *f, const char *name, bool gauge, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		gauge ? "gauge" : "counter");
}

/* The keys of the members of the objects in OBJS (an object of objects,
 * or an array of objects) whose values are numbers, each once, in the
 * order first seen.  KEYS has room for MAX. */
static unsigned int
numeric_keys(const struct cli_json *objs, const char **keys, unsigned int max)
{
	unsigned int i, j, k, n = 0;

	for (i = 0; objs != NULL && i < objs->n; i++) {
		const struct cli_json *o = objs->items[i];

		for (j = 0; o->type == CLI_JSON_OBJECT && j < o->n; j++) {
			if (!is_numeric(o->items[j]))
				continue;
			for (k = 0; k < n && strcmp(keys[k], o->keys[j]) != 0;
			     k++)
				;
			if (k == n && n < max)
				keys[n++] = o->keys[j];
		}
	}
	return n;
}

#define PROM_MAX_KEYS 128

/*
 * One family per numeric member of the objects in OBJS (DESIGN section
 * 5): dpmirror_KIND_KEY[_total]{LABEL="name"}.  The name of each object is
 * its member NAME_KEY when given (then not a family of its own), else its
 * key in OBJS, else its index.
 */
static void
prom_objects(FILE *f, const struct cli_json *objs, const char *kind,
	     const char *label, const char *name_key,
	     const struct prom_help *table)
{
	const char *keys[PROM_MAX_KEYS];
	unsigned int i, k, n;

	if (objs == NULL ||
	    (objs->type != CLI_JSON_OBJECT && objs->type != CLI_JSON_ARRAY))
		return;
	n = numeric_keys(objs, keys, PROM_MAX_KEYS);
	for (k = 0; k < n; k++) {
		const struct prom_help *h = help_of(table, keys[k]);
		char part[64], name[128], help[160];
		bool gauge = h != NULL && h->gauge;

		if (name_key != NULL && strcmp(keys[k], name_key) == 0)
			continue;
		prom_name_part(part, sizeof(part), keys[k]);
		snprintf(name, sizeof(name), "dpmirror_%s_%s%s", kind, part,
			 gauge ? "" : "_total");
		if (h == NULL)
			snprintf(help, sizeof(help),
				 "Counter %s of each %s, as the statistics "
				 "object names it.",
				 part, kind);
		prom_family(f, name, gauge, h != NULL ? h->help : help);
		for (i = 0; i < objs->n; i++) {
			const struct cli_json *o = objs->items[i];
			const struct cli_json *v = cli_json_get(o, keys[k]);
			const struct cli_json *id;
			char idx[16];

			if (v == NULL || !is_numeric(v))
				continue;
			fprintf(f, "%s{%s=\"", name, label);
			id = name_key != NULL ? cli_json_get(o, name_key)
					      : NULL;
			if (id != NULL && id->str != NULL) {
				prom_label_value(f, id->str);
			} else if (objs->type == CLI_JSON_OBJECT) {
				prom_label_value(f, objs->keys[i]);
			} else {
				snprintf(idx, sizeof(idx), "%u", i);
				fputs(idx, f);
			}
			fputs("\"} ", f);
			prom_value(f, v);
			fputc('\n', f);
		}
	}
}

/* dpmirror_session_dropped_total{session, reason}. */
static void
prom_dropped(FILE *f, const struct cli_json *sessions)
{
	unsigned int i, j;
	bool any = false;

	for (i = 0; sessions != NULL && i < sessions->n; i++) {
		const struct cli_json *d =
			cli_json_get(sessions->items[i], "dropped");

		for (j = 0; d != NULL && d->type == CLI_JSON_OBJECT && j < d->n;
		     j++) {
			if (!is_numeric(d->items[j]))
				continue;
			if (!any)
				prom_family(f, "dpmirror_session_dropped_total",
					    false,
					    "Matched packets not mirrored, by "
					    "reason.");
			any = true;
			fputs("dpmirror_session_dropped_total{session=\"", f);
			prom_label_value(f, sessions->keys[i]);
			fputs("\",reason=\"", f);
			prom_label_value(f, d->keys[j]);
			fputs("\"} ", f);
			prom_value(f, d->items[j]);
			fputc('\n', f);
		}
	}
}

/* dpmirror_collector_info{collector, KEY="value"...} 1 for the string
 * members of each collector (its MAC, its neighbour state). */
static void
prom_collector_info(FILE *f, const struct cli_json *colls)
{
	unsigned int i, j;
	bool any = false;

	for (i = 0;
	     colls != NULL && colls->type == CLI_JSON_OBJECT && i < colls->n;
	     i++) {
		const struct cli_json *c = colls->items[i];
		bool labels = false;

		for (j = 0; c->type == CLI_JSON_OBJECT && j < c->n; j++)
			if (c->items[j]->type == CLI_JSON_STRING &&
			    !is_numeric(c->items[j]))
				labels = true;
		if (!labels)
			continue;
		if (!any)
			prom_family(f, "dpmirror_collector_info", true,
				    "The collector's next-hop MAC and its "
				    "state (static, resolved, pending, "
				    "failed); always 1.");
		any = true;
		fputs("dpmirror_collector_info{collector=\"", f);
		prom_label_value(f, colls->keys[i]);
		fputc('"', f);
		for (j = 0; j < c->n; j++) {
			char part[64];

			if (c->items[j]->type != CLI_JSON_STRING ||
			    is_numeric(c->items[j]))
				continue;
			prom_name_part(part, sizeof(part), c->keys[j]);
			fprintf(f, ",%s=\"", part);
			prom_label_value(f, c->items[j]->str);
			fputc('"', f);
		}
		fputs("} 1\n", f);
	}
}

static void
prom_scalars(FILE *f, const struct cli_json *obj, const char *kind,
	     const struct prom_help *table)
{
	unsigned int j;

	for (j = 0; obj != NULL && obj->type == CLI_JSON_OBJECT && j < obj->n;
	     j++) {
		const struct prom_help *h = help_of(table, obj->keys[j]);
		char part[64], name[128], help[160];
		bool gauge = h == NULL || h->gauge;

		if (!is_numeric(obj->items[j]))
			continue;
		prom_name_part(part, sizeof(part), obj->keys[j]);
		snprintf(name, sizeof(name), "dpmirror_%s_%s%s", kind, part,
			 gauge ? "" : "_total");
		if (h == NULL)
			snprintf(help, sizeof(help),
				 "Value %s of the %s, as the statistics "
				 "object names it.",
				 part, kind);
		prom_family(f, name, gauge, h != NULL ? h->help : help);
		fprintf(f, "%s ", name);
		prom_value(f, obj->items[j]);
		fputc('\n', f);
	}
}

static void
prometheus(FILE *f, const struct cli_json *st)
{
	const struct cli_json *sessions = cli_json_get(st, "sessions");
	double dur;

	if (get_duration(st, &dur)) {
		prom_family(f, "dpmirror_duration_seconds", true,
			    "Time the workers have been running.");
		fprintf(f, "dpmirror_duration_seconds %.6f\n", dur);
	}
	prom_scalars(f, cli_json_get(st, "config"), "config", config_help);
	prom_objects(f, cli_json_get(st, "ports"), "port", "port", NULL,
		     port_help);
	prom_objects(f, sessions, "session", "session", NULL, session_help);
	prom_dropped(f, sessions);
	prom_objects(f, cli_json_get(st, "collectors"), "collector",
		     "collector", NULL, collector_help);
	prom_collector_info(f, cli_json_get(st, "collectors"));
	prom_objects(f, cli_json_get(st, "workers"), "worker", "worker",
		     "lcore", worker_help);
	fflush(f);
}

/* ---- Reading --------------------------------------------------------- */

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep S seconds; false when a signal asked to stop. */
static bool
nap(double s)
{
	struct timespec ts = {
		.tv_sec = (time_t)s,
		.tv_nsec = (long)((s - floor(s)) * 1e9),
	};

	while (!stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return !stop;
}

/* ---- The reply as the object of section 5 ---------------------------- */

/*
 * DPDK 22.11 telemetry shapes /dpmirror/stats to what it can carry: dict
 * keys only of [A-Za-z0-9_/] (dpmirror writes any other byte of a name as
 * '/' and two lowercase hex digits: "web-1" is "web/2d1"), no floating
 * point (duration_s whole seconds, duration_us beside it), no array of
 * objects (workers keyed "0", "1", ...), 16 KB a reply (then "omitted"
 * names what was left out; /dpmirror/ports,NAME, /dpmirror/sessions,NAME
 * and /dpmirror/collectors,NAME give it one object at a time).  read_stats
 * undoes all of it, so that every rendering sees the object --stats-json
 * writes.
 */

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undo the "/XX" escape of a name, in place (the name only shrinks).  A
 * '/' not followed by two lowercase hex digits, or one that would give a
 * NUL, is left as it is: no name dpmirror accepts holds '/'. */
static void
decode_name(char *s)
{
	char *o = s;

	while (*s != '\0') {
		int hi, lo;

		if (s[0] == '/' && (hi = hex_digit(s[1])) >= 0 &&
		    (lo = hex_digit(s[2])) >= 0 && (hi | lo) != 0) {
			*o++ = (char)(hi << 4 | lo);
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

static void
decode_keys(struct cli_json *obj)
{
	unsigned int i;

	for (i = 0; obj != NULL && obj->type == CLI_JSON_OBJECT && i < obj->n;
	     i++)
		decode_name(obj->keys[i]);
}

/* The objects of KIND ("ports", "sessions", "collectors") one by one: the
 * "stats" member of /dpmirror/KIND,NAME for each name /dpmirror/KIND lists,
 * into an object keyed by name.  A name that no longer answers (removed by a
 * reload in between) is skipped. */
static struct cli_json *
fetch_objects(struct cli_tel *t, const char *kind, char *err, size_t errlen)
{
	struct cli_json *names = NULL, *out = NULL, *one, *st;
	char cmd[1024];
	unsigned int i;

	snprintf(cmd, sizeof(cmd), "/dpmirror/%s", kind);
	if (cli_tel_get(t, cmd, CLI_JSON_ARRAY, &names, err, errlen) != 0)
		return NULL;
	out = cli_json_new(CLI_JSON_OBJECT, NULL);
	if (out == NULL)
		goto nomem;
	for (i = 0; i < names->n; i++) {
		const struct cli_json *name = names->items[i];

		if (name->type != CLI_JSON_STRING) {
			snprintf(err, errlen,
				 "%s: the reply to /dpmirror/%s is not an "
				 "array of names",
				 t->path, kind);
			goto fail;
		}
		snprintf(cmd, sizeof(cmd), "/dpmirror/%s,%s", kind, name->str);
		if (cli_tel_query(t, cmd, &one, err, errlen) != 0)
			goto fail;
		if (one->type == CLI_JSON_NULL) {
			cli_json_free(one);
			continue;
		}
		st = cli_json_take(one, "stats");
		cli_json_free(one);
		if (st == NULL || st->type != CLI_JSON_OBJECT) {
			cli_json_free(st);
			snprintf(err, errlen,
				 "%s: the reply to %.200s has no \"stats\" "
				 "object",
				 t->path, cmd);
			goto fail;
		}
		if (cli_json_get(out, name->str) != NULL) {
			cli_json_free(st);
			continue;
		}
		if (cli_json_add(out, name->str, st) != 0)
			goto nomem;
	}
	cli_json_free(names);
	return out;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	cli_json_free(names);
	cli_json_free(out);
	return NULL;
}

/* workers keyed by index ("0", "1", ...) back to an array in index
 * order; anything else as it is. */
static struct cli_json *
workers_array(struct cli_json *w)
{
	struct cli_json *a;
	unsigned int i, k;

	if (w == NULL || w->type != CLI_JSON_OBJECT)
		return w;
	a = cli_json_new(CLI_JSON_ARRAY, NULL);
	if (a == NULL)
		return w;
	for (k = 0; k < w->n; k++) {
		char key[16];
		struct cli_json *v;

		snprintf(key, sizeof(key), "%u", k);
		v = cli_json_take(w, key);
		if (v == NULL)
			break;
		if (cli_json_add(a, NULL, v) != 0)
			break;
	}
	/* Keys that are not the indexes 0..n-1: after them, as received. */
	for (i = 0; i < w->n; i++) {
		struct cli_json *v = w->items[i];

		w->items[i] = NULL;
		if (cli_json_add(a, NULL, v) != 0)
			break;
	}
	cli_json_free(w);
	return a;
}

/* Move member KEY of FROM (if any) to the end of TO; -1 out of memory. */
static int
move_member(struct cli_json *to, struct cli_json *from, const char *key)
{
	struct cli_json *v = cli_json_take(from, key);

	if (v == NULL)
		return 0;
	return cli_json_add(to, key, v);
}

/* The words of "omitted" (a string of names separated by spaces, or an
 * array of names) into LEFT, an array of strings. */
static int
omitted_names(const struct cli_json *om, struct cli_json *left)
{
	unsigned int i;

	if (om == NULL)
		return 0;
	if (om->type == CLI_JSON_STRING) {
		char *copy = strdup(om->str), *save = NULL, *w;
		int rc = 0;

		if (copy == NULL)
			return -1;
		for (w = strtok_r(copy, " ,", &save); w != NULL && rc == 0;
		     w = strtok_r(NULL, " ,", &save))
			rc = cli_json_add(left, NULL,
					  cli_json_new(CLI_JSON_STRING, w));
		free(copy);
		return rc;
	}
	for (i = 0; om->type == CLI_JSON_ARRAY && i < om->n; i++)
		if (om->items[i]->type == CLI_JSON_STRING &&
		    cli_json_add(left, NULL,
				 cli_json_new(CLI_JSON_STRING,
					      om->items[i]->str)) != 0)
			return -1;
	return 0;
}

static bool omitted_said;

/*
 * RAW (the reply, consumed) as the object of section 5 into *OUT:
 * duration_s with its fraction, then ports, sessions, collectors, workers
 * (an array), config, then any other member as received; names decoded;
 * what the reply left out fetched object by object, or, where there is no
 * command for it (workers), still listed under "omitted" and said once
 * on stderr.
 */
static int
section5(struct cli_tel *t, struct cli_json *raw, struct cli_json **out,
	 char *err, size_t errlen)
{
	static const char *const order[] = {"ports", "sessions", "collectors",
					    "workers", "config"};
	struct cli_json *o = NULL, *left = NULL, *kept = NULL, *v;
	unsigned int i;
	uint64_t us;
	char num[32];

	*out = NULL;
	left = cli_json_new(CLI_JSON_ARRAY, NULL);
	kept = cli_json_new(CLI_JSON_ARRAY, NULL);
	o = cli_json_new(CLI_JSON_OBJECT, NULL);
	if (left == NULL || kept == NULL || o == NULL ||
	    omitted_names(cli_json_get(raw, "omitted"), left) != 0)
		goto nomem;
	cli_json_free(cli_json_take(raw, "omitted"));
	decode_keys((struct cli_json *)cli_json_get(raw, "ports"));
	decode_keys((struct cli_json *)cli_json_get(raw, "sessions"));
	decode_keys((struct cli_json *)cli_json_get(raw, "collectors"));
	for (i = 0; i < left->n; i++) {
		const char *kind = left->items[i]->str;

		if ((strcmp(kind, "ports") == 0 ||
		     strcmp(kind, "sessions") == 0 ||
		     strcmp(kind, "collectors") == 0) &&
		    cli_json_get(raw, kind) == NULL) {
			v = fetch_objects(t, kind, err, errlen);
			if (v == NULL)
				goto fail;
			if (cli_json_add(raw, kind, v) != 0)
				goto nomem;
			continue;
		}
		if (cli_json_add(kept, NULL,
				 cli_json_new(CLI_JSON_STRING, kind)) != 0)
			goto nomem;
	}

	if (get_u64(cli_json_get(raw, "duration_us"), &us)) {
		snprintf(num, sizeof(num), "%" PRIu64 ".%06" PRIu64,
			 us / 1000000, us % 1000000);
		if (cli_json_add(o, "duration_s",
				 cli_json_new(CLI_JSON_NUMBER, num)) != 0)
			goto nomem;
		cli_json_free(cli_json_take(raw, "duration_s"));
		cli_json_free(cli_json_take(raw, "duration_us"));
	} else if (move_member(o, raw, "duration_s") != 0) {
		goto nomem;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		v = cli_json_take(raw, order[i]);
		if (v == NULL)
			continue;
		if (strcmp(order[i], "workers") == 0)
			v = workers_array(v);
		if (cli_json_add(o, order[i], v) != 0)
			goto nomem;
	}
	while (raw->n > 0) {
		char *key = strdup(raw->keys[0]);

		if (key == NULL || move_member(o, raw, key) != 0) {
			free(key);
			goto nomem;
		}
		free(key);
	}
	if (kept->n > 0) {
		if (!omitted_said) {
			fprintf(stderr,
				"%s: stats: note: dpmirror pid %d left ", prog,
				(int)t->pid);
			for (i = 0; i < kept->n; i++)
				fprintf(stderr, "%s%s", i ? ", " : "",
					kept->items[i]->str);
			fprintf(stderr,
				" out of %s (one reply would pass DPDK's "
				"16 KB) and no command gives %s one by one; "
				"not shown\n",
				STATS_CMD, kept->n > 1 ? "them" : "it");
			omitted_said = true;
		}
		if (cli_json_add(o, "omitted", kept) != 0) {
			kept = NULL;
			goto nomem;
		}
		kept = NULL;
	}
	cli_json_free(kept);
	cli_json_free(left);
	cli_json_free(raw);
	*out = o;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	cli_json_free(kept);
	cli_json_free(left);
	cli_json_free(o);
	cli_json_free(raw);
	return -1;
}

/* /dpmirror/stats, checked to be the object of DESIGN section 5 and
 * made it (section5). */
static int
read_stats(struct cli_tel *t, struct cli_json **st)
{
	const struct cli_json *ports, *sessions;
	struct cli_json *raw;
	char err[512];

	*st = NULL;
	if (cli_tel_get(t, STATS_CMD, CLI_JSON_OBJECT, &raw, err,
			sizeof(err)) != 0 ||
	    section5(t, raw, st, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: stats: %s\n", prog, err);
		return -1;
	}
	ports = cli_json_get(*st, "ports");
	sessions = cli_json_get(*st, "sessions");
	if (ports == NULL || ports->type != CLI_JSON_OBJECT ||
	    sessions == NULL || sessions->type != CLI_JSON_OBJECT) {
		fprintf(stderr,
			"%s: stats: %s: the reply to %s has no \"ports\" and "
			"\"sessions\" objects; not the statistics of DESIGN "
			"section 5\n",
			prog, t->path, STATS_CMD);
		cli_json_free(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

/* The seconds between two reads: the workers' own clock when both carry
 * duration_s, else this process's. */
static double
interval(const struct cli_json *cur, const struct cli_json *prev, double t_cur,
	 double t_prev)
{
	double a, b;

	if (get_duration(cur, &a) && get_duration(prev, &b) && a > b)
		return a - b;
	return t_cur - t_prev;
}

enum stats_format { FMT_TEXT, FMT_JSON, FMT_PROMETHEUS };

int
cli_stats(int argc, char **argv)
{
	const char *prefix = CLI_TEL_DEFAULT_PREFIX, *val;
	enum stats_format fmt = FMT_TEXT;
	struct cli_json *cur = NULL, *prev = NULL;
	bool tty = isatty(STDOUT_FILENO), first = true;
	struct sigaction sa = {.sa_handler = on_signal};
	double watch = 0, t_cur, t_prev;
	char err[512], path[108];
	struct cli_tel t;
	int i, r;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			stats_usage(stdout);
			return CLI_EXIT_OK;
		}
		if ((r = cli_opt_value(argc, argv, &i, "--file-prefix",
				       &val)) != 0) {
			if (r < 0)
				return stats_usage_error(
					"--file-prefix needs a "
					"value (P)");
			prefix = val;
			if (cli_tel_path(prefix, path, sizeof(path), err,
					 sizeof(err)) != 0)
				return stats_usage_error("%s", err);
		} else if ((r = cli_opt_value(argc, argv, &i, "--watch",
					      &val)) != 0) {
			if (r < 0)
				return stats_usage_error(
					"--watch needs a value "
					"(SEC)");
			if (cli_parse_seconds("stats: --watch", val,
					      MAX_WATCH_S, &watch) != 0) {
				stats_usage(stderr);
				return CLI_EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--json") == 0 ||
			   strcmp(argv[i], "--prometheus") == 0) {
			enum stats_format want =
				argv[i][2] == 'j' ? FMT_JSON : FMT_PROMETHEUS;

			if (fmt != FMT_TEXT && fmt != want)
				return stats_usage_error(
					"%s", "--json and --prometheus "
					      "exclude each other; give one");
			fmt = want;
		} else {
			return stats_usage_error(
				"unknown argument '%.64s'; see the options "
				"below",
				argv[i]);
		}
	}
	if (fmt == FMT_PROMETHEUS && watch > 0)
		return stats_usage_error(
			"%s", "--watch with --prometheus: an exposition is "
			      "read whole by one scrape; run it once per "
			      "scrape (e.g. from a timer writing the textfile "
			      "collector's file)");

	if (cli_tel_open(&t, prefix, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: stats: %s\n", prog, err);
		return CLI_EXIT_FAIL;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (read_stats(&t, &cur) != 0)
		goto fail;
	t_cur = now_s();
	for (;;) {
		if (fmt == FMT_JSON) {
			cli_json_write(stdout, cur, 0);
			fputc('\n', stdout);
			fflush(stdout);
		} else if (fmt == FMT_PROMETHEUS) {
			prometheus(stdout, cur);
		} else if (prev != NULL) {
			if (tty && watch > 0)
				fputs("\033[H\033[2J", stdout);
			else if (!first)
				fputc('\n', stdout);
			text_block(stdout, &t, cur, prev,
				   interval(cur, prev, t_cur, t_prev));
			first = false;
		}
		if (ferror(stdout)) {
			fprintf(stderr, "%s: stats: writing the output: %s\n",
				prog, strerror(errno));
			goto fail;
		}
		/* Text needs a second read for its rates, even once. */
		if (fmt != FMT_TEXT || prev != NULL)
			if (watch == 0)
				break;
		if (!nap(watch > 0 ? watch : ONE_SHOT_S))
			break;
		cli_json_free(prev);
		prev = cur;
		t_prev = t_cur;
		if (read_stats(&t, &cur) != 0)
			goto fail;
		t_cur = now_s();
	}
	cli_json_free(prev);
	cli_json_free(cur);
	cli_tel_close(&t);
	return CLI_EXIT_OK;
fail:
	cli_json_free(prev);
	cli_json_free(cur);
	cli_tel_close(&t);
	return CLI_EXIT_FAIL;
}
