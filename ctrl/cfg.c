/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Configuration loader and validator (DESIGN section 4).
 *
 * The file is parsed by rte_cfgfile.  That library silently ignores some
 * lines (text without '=', text after a section's ']') and refuses whole
 * files for others (a line too long, a key before any section) without
 * saying why, so a first pass over the raw lines reproduces its line
 * classification only to explain those cases.  Everything else is checked
 * on the sections and entries rte_cfgfile returns.
 *
 * Checking runs in two passes over the sections.  The first classifies
 * every section header and registers the names of valid ones, so that
 * references may point forward in the file.  The second checks the entries
 * kind by kind in dependency order (dpmirror, ports, collectors, filters,
 * sessions), so a check that depends on another section (a tx source needs
 * a port whose peer it is; a peer needs inline mode) sees its final value.
 * Each message carries its position in the file and the messages are
 * sorted by it at the end, so they come out in file order.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "cfg.h"

/* rte_cfgfile reads lines into a buffer of this size (see its load code). */
#define CFG_LINE_BUF (CFG_NAME_LEN + CFG_VALUE_LEN + 4)
/* Longest line, newline excluded, that rte_cfgfile accepts. */
#define CFG_LINE_MAX (CFG_LINE_BUF - 2)

#define CFG_MAX_RATE	 400000000000ULL /* 400G bits/s */
#define CFG_RULE_NUM_MAX 999999

#define CFG_NAME_CHARS "1..31 characters of A-Z a-z 0-9 _ . -"
#define CFG_VALID_SECTIONS                                                     \
	"[dpmirror], [port NAME], [collector NAME], [session NAME], "          \
	"[filter NAME]"

enum cfg_kind {
	CFG_KIND_DPMIRROR = 0,
	CFG_KIND_PORT,
	CFG_KIND_COLLECTOR,
	CFG_KIND_FILTER,
	CFG_KIND_SESSION,
	CFG_KIND_COUNT,
};

static const char *const cfg_kind_names[CFG_KIND_COUNT] = {
	[CFG_KIND_DPMIRROR] = "dpmirror",   [CFG_KIND_PORT] = "port",
	[CFG_KIND_COLLECTOR] = "collector", [CFG_KIND_FILTER] = "filter",
	[CFG_KIND_SESSION] = "session",
};

/* One section as rte_cfgfile returned it. */
struct cfg_section {
	char name[CFG_NAME_LEN]; /* between the brackets, as written */
	int kind;		 /* enum cfg_kind, -1 = unknown */
	int obj;		 /* object index, -1 = rejected */
	int n_ents;
	struct rte_cfgfile_entry *ents;
	int *first; /* first entry with the same key */
};

/* One message and its position in the file, for sorting. */
struct cfg_msg {
	int sec; /* section index; -1 before any, INT_MAX = whole file */
	int ent; /* -1 = header, 2k+1 = entry k, 2k = line before it */
	unsigned int seq; /* order of discovery, breaks ties */
	char text[CFG_ERR_LEN];
};

struct cfg_ctx {
	struct cfg *cfg;
	struct cfg_msg *msgs;
	unsigned int n_msgs;
	unsigned int cap_msgs;
	bool nomem;
	struct cfg_section *secs;
	int n_secs;
	int cur;	  /* section being checked */
	int dpmirror_sec; /* index of [dpmirror], -1 = none */
	bool mode_known;  /* false when mode has a bad value */
	unsigned int n_rules;
	bool rules_full; /* the CFG_MAX_RULES error was reported */
};

/*
 * Messages.
 */

static void __attribute__((format(printf, 4, 5)))
cfg_msg(struct cfg_ctx *c, int sec, int ent, const char *fmt, ...)
{
	struct cfg_msg *m;
	va_list ap;

	if (c->n_msgs == c->cap_msgs) {
		unsigned int cap = c->cap_msgs == 0 ? 16 : 2 * c->cap_msgs;

		m = realloc(c->msgs, cap * sizeof(*m));
		if (m == NULL) {
			c->nomem = true;
			return;
		}
		c->msgs = m;
		c->cap_msgs = cap;
	}
	m = &c->msgs[c->n_msgs];
	m->sec = sec;
	m->ent = ent;
	m->seq = c->n_msgs;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
	c->n_msgs++;
}

/* A problem with entry k of the current section: "[s] key = value: why". */
static void __attribute__((format(printf, 3, 4)))
cfg_bad(struct cfg_ctx *c, int k, const char *fmt, ...)
{
	const struct cfg_section *s = &c->secs[c->cur];
	char why[CFG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	cfg_msg(c, c->cur, 2 * k + 1, "[%s] %s = %s: %s", s->name,
		s->ents[k].name, s->ents[k].value, why);
}

/* A required key absent from the current section. */
static void
cfg_missing(struct cfg_ctx *c, const char *key, const char *hint)
{
	cfg_msg(c, c->cur, INT_MAX, "[%s] %s: missing required key; %s",
		c->secs[c->cur].name, key, hint);
}

static int
cfg_msg_cmp(const void *a, const void *b)
{
	const struct cfg_msg *x = a;
	const struct cfg_msg *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->ent != y->ent)
		return x->ent < y->ent ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

/*
 * Small parsers.
 */

static char *
cfg_strip(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Decimal digits only: no sign, no base prefix, no trailing text. */
static int
cfg_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		unsigned int d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Parse entry k as a number in lo..hi; report and return false if not. */
static bool
cfg_number(struct cfg_ctx *c, int k, uint64_t lo, uint64_t hi, uint64_t *out)
{
	const char *val = c->secs[c->cur].ents[k].value;
	uint64_t v = 0;
	int ret;

	ret = cfg_parse_u64(val, &v);
	if (ret == -EINVAL) {
		cfg_bad(c, k, "not a decimal number; valid: %lu..%lu",
			(unsigned long)lo, (unsigned long)hi);
		return false;
	}
	if (ret < 0 || v < lo || v > hi) {
		cfg_bad(c, k, "out of range; valid: %lu..%lu",
			(unsigned long)lo, (unsigned long)hi);
		return false;
	}
	*out = v;
	return true;
}

int
cfg_parse_rate(const char *s, uint64_t *out)
{
	char digits[32];
	uint64_t v, mult = 1;
	size_t n;
	int ret;

	if (s == NULL || out == NULL)
		return -EINVAL;
	n = strlen(s);
	if (n == 0 || n >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, s, n + 1);
	switch (digits[n - 1]) {
	case 'K':
	case 'k':
		mult = 1000ULL;
		break;
	case 'M':
	case 'm':
		mult = 1000000ULL;
		break;
	case 'G':
	case 'g':
		mult = 1000000000ULL;
		break;
	default:
		break;
	}
	if (mult != 1)
		digits[n - 1] = '\0';
	ret = cfg_parse_u64(digits, &v);
	if (ret < 0)
		return ret;
	if (v > CFG_MAX_RATE / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

static bool
cfg_valid_name(const char *s)
{
	size_t n = strlen(s);
	size_t i;

	if (n == 0 || n >= CFG_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-')
			return false;
	}
	return true;
}

/* IPv4 or IPv6 address without a prefix length; 0 or -EINVAL. */
static int
cfg_parse_addr(const char *s, struct cfg_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = 6;
		return 0;
	}
	return -EINVAL;
}

static const char *
cfg_family_name(uint8_t family)
{
	return family == 4 ? "IPv4" : "IPv6";
}

static void
cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, buf,
		      (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/* "xx:xx:xx:xx:xx:xx", hexadecimal, either case; 0 or -EINVAL. */
static int
cfg_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	if (strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		char hex[3] = {p[0], p[1], '\0'};

		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]))
			return -EINVAL;
		if (i < 5 && p[2] != ':')
			return -EINVAL;
		mac[i] = (uint8_t)strtoul(hex, NULL, 16);
	}
	return 0;
}

static bool
cfg_mac_is_zero(const uint8_t mac[6])
{
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0;
}

/* Join n names found at first, first + stride, ... into buf. */
static void
cfg_join_names(char *buf, size_t len, const char *first, size_t stride,
	       unsigned int n)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s",
				 i == 0 ? "" : ", ", first + i * stride);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (n == 0)
		snprintf(buf, len, "(none)");
}

/*
 * Objects by name.
 */

static int
cfg_find(const struct cfg *cfg, int kind, const char *name)
{
	unsigned int i;

	switch (kind) {
	case CFG_KIND_PORT:
		for (i = 0; i < cfg->n_ports; i++)
			if (strcmp(cfg->ports[i].name, name) == 0)
				return (int)i;
		break;
	case CFG_KIND_COLLECTOR:
		for (i = 0; i < cfg->n_collectors; i++)
			if (strcmp(cfg->collectors[i].name, name) == 0)
				return (int)i;
		break;
	case CFG_KIND_FILTER:
		for (i = 0; i < cfg->n_filters; i++)
			if (strcmp(cfg->filters[i].name, name) == 0)
				return (int)i;
		break;
	case CFG_KIND_SESSION:
		for (i = 0; i < cfg->n_sessions; i++)
			if (strcmp(cfg->sessions[i].name, name) == 0)
				return (int)i;
		break;
	default:
		break;
	}
	return -1;
}

static void
cfg_port_names(const struct cfg *cfg, char *buf, size_t len)
{
	cfg_join_names(buf, len, cfg->ports[0].name, sizeof(cfg->ports[0]),
		       cfg->n_ports);
}

/* Register a new object; returns its index or -1 when the kind is full. */
static int
cfg_register(struct cfg *cfg, int kind, const char *name)
{
	unsigned int i;

	switch (kind) {
	case CFG_KIND_PORT: {
		struct cfg_port *p;

		if (cfg->n_ports == CFG_MAX_PORTS)
			return -1;
		i = cfg->n_ports++;
		p = &cfg->ports[i];
		snprintf(p->name, sizeof(p->name), "%s", name);
		p->peer = -1;
		p->rx_queues = 1;
		p->mtu = 0;
		return (int)i;
	}
	case CFG_KIND_COLLECTOR: {
		struct cfg_collector *col;

		if (cfg->n_collectors == CFG_MAX_COLLECTORS)
			return -1;
		i = cfg->n_collectors++;
		col = &cfg->collectors[i];
		snprintf(col->name, sizeof(col->name), "%s", name);
		col->port = -1;
		col->encap = CFG_ENCAP_VXLAN;
		col->vni = 0;
		col->dst_port = 4789;
		col->ttl = 64;
		col->dscp = 0;
		return (int)i;
	}
	case CFG_KIND_FILTER: {
		struct cfg_filter *f;

		if (cfg->n_filters == CFG_MAX_FILTERS)
			return -1;
		i = cfg->n_filters++;
		f = &cfg->filters[i];
		snprintf(f->name, sizeof(f->name), "%s", name);
		f->dflt = CFG_REJECT;
		return (int)i;
	}
	case CFG_KIND_SESSION: {
		struct cfg_session *s;

		if (cfg->n_sessions == CFG_MAX_SESSIONS)
			return -1;
		i = cfg->n_sessions++;
		s = &cfg->sessions[i];
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->filter = -1;
		s->snaplen = 0;
		s->sample = 1;
		s->rate_bps = 0;
		return (int)i;
	}
	default:
		return -1;
	}
}

static unsigned int
cfg_kind_max(int kind)
{
	switch (kind) {
	case CFG_KIND_PORT:
		return CFG_MAX_PORTS;
	case CFG_KIND_COLLECTOR:
		return CFG_MAX_COLLECTORS;
	case CFG_KIND_FILTER:
		return CFG_MAX_FILTERS;
	case CFG_KIND_SESSION:
		return CFG_MAX_SESSIONS;
	default:
		return 1;
	}
}

/*
 * Raw line pass: explain what rte_cfgfile would ignore or refuse.
 * Returns -1 when the file cannot be read, 1 when rte_cfgfile would refuse
 * it, 0 otherwise.
 */
static int
cfg_lint(struct cfg_ctx *c, const char *path)
{
	char sec_name[CFG_NAME_LEN] = "";
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned int lineno = 0;
	int sec = -1;
	int ents = 0;
	int result = 0;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		cfg_msg(c, -1, -1, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while ((got = getline(&line, &cap, f)) != -1) {
		size_t len = (size_t)got;
		char where[CFG_NAME_LEN + 32];
		char *text;
		char *pos;

		lineno++;
		if (sec >= 0)
			snprintf(where, sizeof(where), "[%s] line %u", sec_name,
				 lineno);
		else
			snprintf(where, sizeof(where), "line %u", lineno);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > CFG_LINE_MAX) {
			cfg_msg(c, sec, 2 * ents,
				"%s: line too long (%zu characters); at most "
				"%d",
				where, len, CFG_LINE_MAX);
			result = 1;
			continue;
		}
		/* The first ';' not preceded by a backslash starts a comment.
		 */
		pos = memchr(line, ';', len);
		if (pos != NULL && (pos == line || pos[-1] != '\\'))
			*pos = '\0';
		text = cfg_strip(line);
		if (*text == '\0')
			continue;
		if (text[0] == '[') {
			char *end = strchr(text, ']');

			sec++;
			ents = 0;
			if (end == NULL) {
				cfg_msg(c, sec, -1,
					"line %u: %s: no closing ']'; write "
					"[kind name]",
					lineno, text);
				result = 1;
				continue;
			}
			*end = '\0';
			snprintf(sec_name, sizeof(sec_name), "%s",
				 cfg_strip(text + 1));
			if (*cfg_strip(end + 1) != '\0')
				cfg_msg(c, sec, -1,
					"[%s] line %u: text after ']': %s; put "
					"keys on their own lines as key = "
					"value",
					sec_name, lineno, cfg_strip(end + 1));
			continue;
		}
		pos = strchr(text, '=');
		if (pos == NULL) {
			cfg_msg(c, sec, 2 * ents,
				"%s: %s: not a [section] header nor a key = "
				"value line; comments start with ';'",
				where, text);
			continue;
		}
		if (sec < 0) {
			cfg_msg(c, sec, 2 * ents,
				"%s: %s: key = value before any section; start "
				"with a section such as [dpmirror] or [port "
				"NAME]",
				where, text);
			result = 1;
			continue;
		}
		*pos = '\0';
		if (*cfg_strip(text) == '\0')
			cfg_msg(c, sec, 2 * ents,
				"%s: = %s: missing key before '='; write key = "
				"value",
				where, cfg_strip(pos + 1));
		else if (strlen(cfg_strip(text)) >= CFG_NAME_LEN)
			cfg_msg(c, sec, 2 * ents,
				"%s: key %s is too long; keys have at most %d "
				"characters",
				where, cfg_strip(text), CFG_NAME_LEN - 1);
		else if (strlen(cfg_strip(pos + 1)) >= CFG_VALUE_LEN)
			cfg_msg(c, sec, 2 * ents,
				"%s: the value of %s is too long (%zu "
				"characters); at most %d",
				where, cfg_strip(text),
				strlen(cfg_strip(pos + 1)), CFG_VALUE_LEN - 1);
		ents++;
	}
	if (ferror(f)) {
		cfg_msg(c, -1, -1, "cannot read %s: %s", path, strerror(errno));
		result = -1;
	}
	free(line);
	fclose(f);
	return result;
}

/*
 * First pass: section headers.
 */

static void
cfg_classify(struct cfg_ctx *c, int i)
{
	struct cfg_section *s = &c->secs[i];
	char kind_word[CFG_NAME_LEN];
	const char *name = NULL;
	size_t klen;
	int kind;
	int obj;

	s->kind = -1;
	s->obj = -1;
	klen = strcspn(s->name, " \t");
	memcpy(kind_word, s->name, klen);
	kind_word[klen] = '\0';
	if (s->name[klen] != '\0')
		name = s->name + klen + 1;

	for (kind = 0; kind < CFG_KIND_COUNT; kind++)
		if (strcmp(kind_word, cfg_kind_names[kind]) == 0)
			break;
	if (kind == CFG_KIND_COUNT) {
		if (s->name[0] == '\0')
			cfg_msg(c, i, -1,
				"[]: empty section name; valid "
				"sections: " CFG_VALID_SECTIONS);
		else
			cfg_msg(c, i, -1,
				"[%s]: unknown section kind %s; valid "
				"sections: " CFG_VALID_SECTIONS,
				s->name, kind_word);
		return;
	}
	s->kind = kind;

	if (kind == CFG_KIND_DPMIRROR) {
		if (name != NULL)
			cfg_msg(c, i, -1,
				"[%s]: the dpmirror section takes no name; "
				"write [dpmirror]",
				s->name);
		else if (c->dpmirror_sec >= 0)
			cfg_msg(c, i, -1,
				"[%s]: duplicate section; [dpmirror] may "
				"appear only once",
				s->name);
		else {
			c->dpmirror_sec = i;
			s->obj = 0;
		}
		return;
	}

	if (name == NULL) {
		cfg_msg(c, i, -1,
			"[%s]: missing name; write [%s NAME], NAME "
			"= " CFG_NAME_CHARS,
			s->name, kind_word);
		return;
	}
	if (!cfg_valid_name(name)) {
		cfg_msg(c, i, -1,
			"[%s]: bad name %s; a name is " CFG_NAME_CHARS, s->name,
			name);
		return;
	}
	if (cfg_find(c->cfg, kind, name) >= 0) {
		cfg_msg(c, i, -1,
			"[%s]: duplicate section; [%s] is already defined "
			"above",
			s->name, s->name);
		return;
	}
	obj = cfg_register(c->cfg, kind, name);
	if (obj < 0) {
		cfg_msg(c, i, -1, "[%s]: too many %s sections; at most %u",
			s->name, kind_word, cfg_kind_max(kind));
		return;
	}
	s->obj = obj;
}

/*
 * True when entry k must be skipped: its key is empty (the line pass has
 * reported it) or an earlier entry of the section has the same key (reported
 * here).
 */
static bool
cfg_dup_key(struct cfg_ctx *c, int k)
{
	const struct cfg_section *s = &c->secs[c->cur];
	int j = s->first[k];

	if (s->ents[k].name[0] == '\0')
		return true;
	if (j == k)
		return false;
	cfg_bad(c, k,
		"duplicate key (already set to %s above); give each key once",
		s->ents[j].value);
	return true;
}

/* An entry's key and position, sorted to find repeated keys. */
struct cfg_key_pos {
	const char *key;
	int pos;
};

static int
cfg_key_pos_cmp(const void *a, const void *b)
{
	const struct cfg_key_pos *x = a;
	const struct cfg_key_pos *y = b;
	int r = strcmp(x->key, y->key);

	if (r != 0)
		return r;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Fill s->first: for each entry, the index of the first entry of the
 * section with the same key.  Sorting keeps this O(n log n) for filters
 * with thousands of rules.
 */
static int
cfg_index_keys(struct cfg_section *s)
{
	size_t n = (size_t)(s->n_ents > 0 ? s->n_ents : 1);
	struct cfg_key_pos *order;
	int i;

	s->first = calloc(n, sizeof(*s->first));
	order = calloc(n, sizeof(*order));
	if (s->first == NULL || order == NULL) {
		free(order);
		return -ENOMEM;
	}
	for (i = 0; i < s->n_ents; i++) {
		order[i].key = s->ents[i].name;
		order[i].pos = i;
	}
	qsort(order, (size_t)s->n_ents, sizeof(order[0]), cfg_key_pos_cmp);
	for (i = 0; i < s->n_ents; i++) {
		if (i > 0 && strcmp(order[i].key, order[i - 1].key) == 0)
			s->first[order[i].pos] = s->first[order[i - 1].pos];
		else
			s->first[order[i].pos] = order[i].pos;
	}
	free(order);
	return 0;
}

/*
 * Second pass: one function per kind.
 */

static void
cfg_check_dpmirror(struct cfg_ctx *c)
{
	const struct cfg_section *s = &c->secs[c->cur];
	struct cfg *cfg = c->cfg;
	uint64_t v = 0;
	int k;

	for (k = 0; k < s->n_ents; k++) {
		const char *key = s->ents[k].name;
		const char *val = s->ents[k].value;

		if (cfg_dup_key(c, k))
			continue;
		if (strcmp(key, "mode") == 0) {
			if (strcmp(val, "inline") == 0) {
				cfg->mode = CFG_MODE_INLINE;
			} else if (strcmp(val, "tap") == 0) {
				cfg->mode = CFG_MODE_TAP;
			} else {
				cfg_bad(c, k,
					"unknown mode; valid: inline, tap");
				c->mode_known = false;
			}
		} else if (strcmp(key, "burst") == 0) {
			if (cfg_number(c, k, 1, 512, &v))
				cfg->burst = (uint32_t)v;
		} else if (strcmp(key, "mirror_pool") == 0) {
			if (cfg_number(c, k, 1024, 1048576, &v))
				cfg->mirror_pool = (uint32_t)v;
		} else if (strcmp(key, "stats_interval") == 0) {
			if (cfg_number(c, k, 0, 3600, &v))
				cfg->stats_interval = (uint32_t)v;
		} else {
			cfg_bad(c, k,
				"unknown key; valid keys in [dpmirror]: mode, "
				"burst, mirror_pool, stats_interval");
		}
	}
}

static void
cfg_check_port(struct cfg_ctx *c)
{
	const struct cfg_section *s = &c->secs[c->cur];
	struct cfg *cfg = c->cfg;
	struct cfg_port *p = &cfg->ports[s->obj];
	bool has_device = false;
	char names[CFG_ERR_LEN];
	uint64_t v = 0;
	int k;

	for (k = 0; k < s->n_ents; k++) {
		const char *key = s->ents[k].name;
		const char *val = s->ents[k].value;

		if (cfg_dup_key(c, k))
			continue;
		if (strcmp(key, "device") == 0) {
			has_device = true;
			if (*val == '\0')
				cfg_bad(c, k,
					"empty device; give an EAL device such "
					"as 0000:3b:00.0 or "
					"net_tap0,iface=dpm0");
			else if (strlen(val) >= CFG_DEVICE_MAX)
				cfg_bad(c, k,
					"device too long; at most %d "
					"characters",
					CFG_DEVICE_MAX - 1);
			else
				snprintf(p->device, sizeof(p->device), "%s",
					 val);
		} else if (strcmp(key, "peer") == 0) {
			int peer = cfg_find(cfg, CFG_KIND_PORT, val);

			if (peer < 0) {
				cfg_port_names(cfg, names, sizeof(names));
				cfg_bad(c, k, "no such port; defined ports: %s",
					names);
			} else if (peer == s->obj) {
				cfg_bad(c, k,
					"a port cannot be its own peer; name "
					"another port");
			} else if (c->mode_known &&
				   cfg->mode != CFG_MODE_INLINE) {
				cfg_bad(c, k,
					"peer is only for mode = inline; in "
					"tap mode originals are not forwarded, "
					"remove peer or set mode = inline");
			} else {
				p->peer = peer;
			}
		} else if (strcmp(key, "rx_queues") == 0) {
			if (cfg_number(c, k, 1, 64, &v))
				p->rx_queues = (uint16_t)v;
		} else if (strcmp(key, "mtu") == 0) {
			int ret = cfg_parse_u64(val, &v);

			if (ret < 0 || (v != 0 && (v < 68 || v > 9702)))
				cfg_bad(c, k,
					"%s; valid: 68..9702, or 0 to keep the "
					"device's MTU",
					ret == -EINVAL ? "not a decimal number"
						       : "out of range");
			else
				p->mtu = (uint16_t)v;
		} else {
			cfg_bad(c, k,
				"unknown key; valid keys in [port NAME]: "
				"device, peer, rx_queues, mtu");
		}
	}
	if (!has_device)
		cfg_missing(c, "device",
			    "give the EAL device, e.g. device = "
			    "net_tap0,iface=dpm0");
}

/* Parse a collector address key; returns true when usable. */
static bool
cfg_collector_ip(struct cfg_ctx *c, int k, struct cfg_addr *a)
{
	const char *val = c->secs[c->cur].ents[k].value;

	if (cfg_parse_addr(val, a) < 0) {
		cfg_bad(c, k,
			"not an IP address; give an IPv4 (198.18.1.3) or IPv6 "
			"(fd00:1::3) address without /len");
		return false;
	}
	if ((a->family == 4 && a->bytes[0] == 0 && a->bytes[1] == 0 &&
	     a->bytes[2] == 0 && a->bytes[3] == 0) ||
	    (a->family == 6 && memcmp(a->bytes, (uint8_t[16]){0}, 16) == 0)) {
		cfg_bad(c, k, "unspecified address; give a unicast address");
		return false;
	}
	if ((a->family == 4 && (a->bytes[0] & 0xf0) == 0xe0) ||
	    (a->family == 6 && a->bytes[0] == 0xff)) {
		cfg_bad(c, k, "multicast address; give a unicast address");
		return false;
	}
	if (a->family == 4 && a->bytes[0] == 255 && a->bytes[1] == 255 &&
	    a->bytes[2] == 255 && a->bytes[3] == 255) {
		cfg_bad(c, k, "broadcast address; give a unicast address");
		return false;
	}
	return true;
}

static void
cfg_check_collector(struct cfg_ctx *c)
{
	const struct cfg_section *s = &c->secs[c->cur];
	struct cfg *cfg = c->cfg;
	struct cfg_collector *col = &cfg->collectors[s->obj];
	bool has_port = false, has_rmac = false;
	int k_remote = -1, k_local = -1;
	bool ok_remote = false, ok_local = false;
	char names[CFG_ERR_LEN];
	uint64_t v = 0;
	int k;

	for (k = 0; k < s->n_ents; k++) {
		const char *key = s->ents[k].name;
		const char *val = s->ents[k].value;

		if (cfg_dup_key(c, k))
			continue;
		if (strcmp(key, "port") == 0) {
			int port = cfg_find(cfg, CFG_KIND_PORT, val);

			has_port = true;
			if (port < 0) {
				cfg_port_names(cfg, names, sizeof(names));
				cfg_bad(c, k, "no such port; defined ports: %s",
					names);
			} else {
				col->port = port;
			}
		} else if (strcmp(key, "encap") == 0) {
			if (strcmp(val, "vxlan") == 0)
				col->encap = CFG_ENCAP_VXLAN;
			else if (strcmp(val, "gre") == 0 ||
				 strcmp(val, "erspan2") == 0 ||
				 strcmp(val, "erspan3") == 0 ||
				 strcmp(val, "geneve") == 0)
				cfg_bad(c, k,
					"not supported yet; valid: vxlan");
			else
				cfg_bad(c, k,
					"unknown encapsulation; valid: vxlan");
		} else if (strcmp(key, "remote_ip") == 0) {
			k_remote = k;
			ok_remote = cfg_collector_ip(c, k, &col->remote_ip);
		} else if (strcmp(key, "local_ip") == 0) {
			k_local = k;
			ok_local = cfg_collector_ip(c, k, &col->local_ip);
		} else if (strcmp(key, "remote_mac") == 0 ||
			   strcmp(key, "local_mac") == 0) {
			bool remote = key[0] == 'r';
			uint8_t *mac =
				remote ? col->remote_mac : col->local_mac;

			if (remote)
				has_rmac = true;
			if (remote && strcmp(val, "auto") == 0)
				cfg_bad(c, k,
					"ARP/ND resolution is not supported "
					"yet; give the next hop's MAC as "
					"xx:xx:xx:xx:xx:xx");
			else if (cfg_parse_mac(val, mac) < 0)
				cfg_bad(c, k,
					"not a MAC address; write "
					"xx:xx:xx:xx:xx:xx (hexadecimal)");
			else if (cfg_mac_is_zero(mac))
				cfg_bad(c, k,
					"all-zero MAC address; give the %s",
					remote ? "next hop's MAC"
					       : "source MAC, or omit "
						 "local_mac to use the port's "
						 "own");
			else if (!remote && (mac[0] & 1) != 0)
				cfg_bad(c, k,
					"group (multicast) MAC cannot be a "
					"source address; give a unicast MAC");
			else if (!remote)
				col->local_mac_set = true;
		} else if (strcmp(key, "vni") == 0) {
			if (cfg_number(c, k, 0, 16777215, &v))
				col->vni = (uint32_t)v;
		} else if (strcmp(key, "dst_port") == 0) {
			if (cfg_number(c, k, 1, 65535, &v))
				col->dst_port = (uint16_t)v;
		} else if (strcmp(key, "ttl") == 0) {
			if (cfg_number(c, k, 1, 255, &v))
				col->ttl = (uint8_t)v;
		} else if (strcmp(key, "dscp") == 0) {
			if (cfg_number(c, k, 0, 63, &v))
				col->dscp = (uint8_t)v;
		} else {
			cfg_bad(c, k,
				"unknown key; valid keys in [collector NAME]: "
				"port, encap, remote_ip, local_ip, remote_mac, "
				"local_mac, vni, dst_port, ttl, dscp");
		}
	}
	if (ok_remote && ok_local &&
	    col->remote_ip.family != col->local_ip.family) {
		int later = k_local > k_remote ? k_local : k_remote;
		int other = later == k_local ? k_remote : k_local;

		cfg_bad(c, later,
			"%s address, but %s = %s is %s; use two IPv4 or two "
			"IPv6 addresses",
			cfg_family_name(later == k_local
						? col->local_ip.family
						: col->remote_ip.family),
			s->ents[other].name, s->ents[other].value,
			cfg_family_name(later == k_local
						? col->remote_ip.family
						: col->local_ip.family));
	}
	if (!has_port)
		cfg_missing(
			c, "port",
			"name the egress port of the copies, e.g. port = out");
	if (k_remote < 0)
		cfg_missing(c, "remote_ip",
			    "give the collector's IPv4 or IPv6 address");
	if (k_local < 0)
		cfg_missing(c, "local_ip",
			    "give the source address of the tunnel, same "
			    "family as remote_ip");
	if (!has_rmac)
		cfg_missing(c, "remote_mac",
			    "give the next hop's MAC as xx:xx:xx:xx:xx:xx");
}

/*
 * Filter rules.
 */

enum cfg_rule_word {
	CFG_W_PROTO = 0,
	CFG_W_SRC,
	CFG_W_DST,
	CFG_W_SPORT,
	CFG_W_DPORT,
	CFG_W_VLAN,
	CFG_W_COUNT,
};

static const char *const cfg_rule_words[CFG_W_COUNT] = {
	"proto", "src", "dst", "sport", "dport", "vlan",
};

static const struct {
	const char *name;
	int proto;
} cfg_protos[] = {
	{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmpv6", 58}, {"sctp", 132},
};

/* "<addr>[/<len>]" with no host bits set beyond the prefix. */
static int
cfg_parse_cidr(const char *word, const char *s, struct cfg_addr *a,
	       uint8_t *plen, char *why, size_t wl)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct cfg_addr canon;
	char canon_str[INET6_ADDRSTRLEN];
	const char *slash;
	unsigned int max, len, i;
	uint64_t v = 0;

	if (strlen(s) >= sizeof(buf)) {
		snprintf(why, wl, "%s %s: not an address; write %s ADDR[/LEN]",
			 word, s, word);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(s, '/');
	if (slash != NULL)
		buf[slash - s] = '\0';
	if (cfg_parse_addr(buf, a) < 0) {
		snprintf(why, wl,
			 "%s %s: not an address; write %s ADDR[/LEN] with an "
			 "IPv4 or IPv6 address",
			 word, s, word);
		return -1;
	}
	max = a->family == 4 ? 32 : 128;
	len = max;
	if (slash != NULL) {
		if (cfg_parse_u64(slash + 1, &v) < 0 || v > max) {
			snprintf(why, wl,
				 "%s %s: bad prefix length; valid: /0../%u for "
				 "%s",
				 word, s, max, cfg_family_name(a->family));
			return -1;
		}
		len = (unsigned int)v;
	}
	canon = *a;
	for (i = 0; i < max / 8; i++) {
		unsigned int bits = len > 8 * i ? len - 8 * i : 0;

		if (bits < 8)
			canon.bytes[i] &= (uint8_t)(0xff00 >> bits);
	}
	if (memcmp(canon.bytes, a->bytes, sizeof(a->bytes)) != 0) {
		cfg_addr_str(&canon, canon_str, sizeof(canon_str));
		snprintf(why, wl,
			 "%s %s: host bits set beyond the /%u prefix; did you "
			 "mean %s/%u",
			 word, s, len, canon_str, len);
		return -1;
	}
	*plen = (uint8_t)len;
	return 0;
}

static int
cfg_parse_range(const char *word, const char *s, uint16_t *lo, uint16_t *hi,
		char *why, size_t wl)
{
	char buf[32];
	char *dash;
	uint64_t a, b;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (cfg_parse_u64(buf, &a) < 0 || a > 65535)
		goto bad;
	b = a;
	if (dash != NULL && (cfg_parse_u64(dash + 1, &b) < 0 || b > 65535))
		goto bad;
	if (a > b) {
		snprintf(why, wl, "%s %s: reversed range; write %s %lu-%lu",
			 word, s, word, (unsigned long)b, (unsigned long)a);
		return -1;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
bad:
	snprintf(why, wl,
		 "%s %s: not a port or range; valid: N or N-M with 0 <= N <= M "
		 "<= 65535",
		 word, s);
	return -1;
}

/* Parse the text of one rule into r; on error fill why and return -1. */
static int
cfg_parse_rule(const char *text, struct cfg_rule *r, char *why, size_t wl)
{
	char buf[CFG_VALUE_LEN];
	const char *arg_txt[CFG_W_COUNT] = {NULL};
	char *save = NULL;
	char *w;
	uint64_t v = 0;
	unsigned int i;

	r->action = CFG_REJECT;
	r->proto = -1;
	r->vlan = -1;
	r->family = 0;
	snprintf(buf, sizeof(buf), "%s", text);
	w = strtok_r(buf, " \t", &save);
	if (w == NULL) {
		snprintf(why, wl,
			 "empty rule; write accept|reject followed by any of "
			 "proto, src, dst, sport, dport, vlan");
		return -1;
	}
	if (strcmp(w, "accept") == 0) {
		r->action = CFG_ACCEPT;
	} else if (strcmp(w, "reject") == 0) {
		r->action = CFG_REJECT;
	} else {
		snprintf(why, wl, "a rule starts with accept or reject, not %s",
			 w);
		return -1;
	}

	while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
		const char *arg;
		int word;

		for (word = 0; word < CFG_W_COUNT; word++)
			if (strcmp(w, cfg_rule_words[word]) == 0)
				break;
		if (word == CFG_W_COUNT) {
			snprintf(why, wl,
				 "unknown word %s; valid: proto, src, dst, "
				 "sport, dport, vlan",
				 w);
			return -1;
		}
		if (arg_txt[word] != NULL) {
			snprintf(why, wl,
				 "%s given twice; each word at most once per "
				 "rule",
				 w);
			return -1;
		}
		arg = strtok_r(NULL, " \t", &save);
		if (arg == NULL) {
			snprintf(why, wl, "%s needs a value", w);
			return -1;
		}
		arg_txt[word] = arg;
		switch (word) {
		case CFG_W_PROTO:
			r->proto = -1;
			for (i = 0; i < RTE_DIM(cfg_protos); i++)
				if (strcmp(arg, cfg_protos[i].name) == 0)
					r->proto = cfg_protos[i].proto;
			if (r->proto < 0) {
				if (cfg_parse_u64(arg, &v) < 0 || v > 255) {
					snprintf(why, wl,
						 "proto %s: unknown protocol; "
						 "valid: tcp, udp, icmp, "
						 "icmpv6, sctp or 0..255",
						 arg);
					return -1;
				}
				r->proto = (int)v;
			}
			break;
		case CFG_W_SRC:
			if (cfg_parse_cidr(w, arg, &r->src, &r->src_len, why,
					   wl) < 0)
				return -1;
			r->has_src = true;
			break;
		case CFG_W_DST:
			if (cfg_parse_cidr(w, arg, &r->dst, &r->dst_len, why,
					   wl) < 0)
				return -1;
			r->has_dst = true;
			break;
		case CFG_W_SPORT:
			if (cfg_parse_range(w, arg, &r->sport_lo, &r->sport_hi,
					    why, wl) < 0)
				return -1;
			r->has_sport = true;
			break;
		case CFG_W_DPORT:
			if (cfg_parse_range(w, arg, &r->dport_lo, &r->dport_hi,
					    why, wl) < 0)
				return -1;
			r->has_dport = true;
			break;
		case CFG_W_VLAN:
			if (cfg_parse_u64(arg, &v) < 0 || v > 4095) {
				snprintf(why, wl,
					 "vlan %s: not a VLAN ID; valid: "
					 "0..4095",
					 arg);
				return -1;
			}
			r->vlan = (int)v;
			break;
		default:
			break;
		}
	}

	if (r->has_src && r->has_dst && r->src.family != r->dst.family) {
		snprintf(why, wl,
			 "src %s is %s but dst %s is %s; a rule matches one "
			 "address family",
			 arg_txt[CFG_W_SRC], cfg_family_name(r->src.family),
			 arg_txt[CFG_W_DST], cfg_family_name(r->dst.family));
		return -1;
	}
	if (r->has_src)
		r->family = r->src.family;
	else if (r->has_dst)
		r->family = r->dst.family;
	if ((r->has_sport || r->has_dport) && r->proto >= 0 && r->proto != 6 &&
	    r->proto != 17 && r->proto != 132) {
		snprintf(why, wl,
			 "%s with proto %s, which has no ports; ports need "
			 "proto tcp, udp or sctp (or no proto)",
			 r->has_sport ? "sport" : "dport",
			 arg_txt[CFG_W_PROTO]);
		return -1;
	}
	if (r->proto == 1 && r->family == 6) {
		snprintf(why, wl,
			 "proto %s with an IPv6 address; use proto icmpv6 for "
			 "IPv6",
			 arg_txt[CFG_W_PROTO]);
		return -1;
	}
	if (r->proto == 58 && r->family == 4) {
		snprintf(why, wl,
			 "proto %s with an IPv4 address; use proto icmp for "
			 "IPv4",
			 arg_txt[CFG_W_PROTO]);
		return -1;
	}
	return 0;
}

static int
cfg_rule_cmp(const void *a, const void *b)
{
	const struct cfg_rule *x = a;
	const struct cfg_rule *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

static void
cfg_check_filter(struct cfg_ctx *c)
{
	const struct cfg_section *s = &c->secs[c->cur];
	struct cfg_filter *f = &c->cfg->filters[s->obj];
	unsigned int cap = 0;
	uint8_t *nums; /* bitmap of rule numbers seen, even of bad rules */
	char why[CFG_ERR_LEN];
	int k;

	nums = calloc(CFG_RULE_NUM_MAX / 8 + 1, 1);
	if (nums == NULL) {
		c->nomem = true;
		return;
	}
	for (k = 0; k < s->n_ents; k++) {
		const char *key = s->ents[k].name;
		const char *val = s->ents[k].value;
		struct cfg_rule r;
		uint64_t n;

		if (cfg_dup_key(c, k))
			continue;
		if (strcmp(key, "default") == 0) {
			if (strcmp(val, "accept") == 0)
				f->dflt = CFG_ACCEPT;
			else if (strcmp(val, "reject") == 0)
				f->dflt = CFG_REJECT;
			else
				cfg_bad(c, k, "valid: accept, reject");
			continue;
		}
		if (strncmp(key, "rule", 4) != 0) {
			cfg_bad(c, k,
				"unknown key; valid keys in [filter NAME]: "
				"rule N (N = 1..%d), default",
				CFG_RULE_NUM_MAX);
			continue;
		}
		if (key[4] != ' ' || cfg_parse_u64(key + 5, &n) < 0 || n < 1 ||
		    n > CFG_RULE_NUM_MAX) {
			cfg_bad(c, k,
				"bad rule key; write rule N, one space, N = "
				"1..%d",
				CFG_RULE_NUM_MAX);
			continue;
		}
		if ((nums[n / 8] & (1u << (n % 8))) != 0) {
			cfg_bad(c, k,
				"rule number %lu is defined twice; give each "
				"rule its own number",
				(unsigned long)n);
			continue;
		}
		nums[n / 8] |= (uint8_t)(1u << (n % 8));
		memset(&r, 0, sizeof(r));
		r.number = (uint32_t)n;
		if (cfg_parse_rule(val, &r, why, sizeof(why)) < 0) {
			cfg_bad(c, k, "%s", why);
			continue;
		}
		if (c->n_rules == CFG_MAX_RULES) {
			if (!c->rules_full)
				cfg_bad(c, k,
					"too many rules; at most %d over all "
					"filters",
					CFG_MAX_RULES);
			c->rules_full = true;
			continue;
		}
		if (f->n_rules == cap) {
			unsigned int ncap = cap == 0 ? 8 : 2 * cap;
			struct cfg_rule *nr;

			nr = realloc(f->rules, ncap * sizeof(*nr));
			if (nr == NULL) {
				c->nomem = true;
				break;
			}
			f->rules = nr;
			cap = ncap;
		}
		f->rules[f->n_rules++] = r;
		c->n_rules++;
	}
	free(nums);
	if (f->n_rules > 1)
		qsort(f->rules, f->n_rules, sizeof(f->rules[0]), cfg_rule_cmp);
}

/*
 * Sessions.
 */

static void
cfg_session_sources(struct cfg_ctx *c, int k, struct cfg_session *sess)
{
	struct cfg *cfg = c->cfg;
	char buf[CFG_VALUE_LEN];
	char names[CFG_ERR_LEN];
	char *save = NULL;
	char *tok;
	bool any = false;

	snprintf(buf, sizeof(buf), "%s", c->secs[c->cur].ents[k].value);
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,\t", &save)) {
		char *colon = strchr(tok, ':');
		const char *dir_txt;
		uint8_t dir;
		unsigned int i;
		int port;
		bool dup = false;

		any = true;
		if (colon == NULL) {
			cfg_bad(c, k,
				"%s has no direction; write %s:rx, %s:tx or "
				"%s:both",
				tok, tok, tok, tok);
			continue;
		}
		*colon = '\0';
		dir_txt = colon + 1;
		port = cfg_find(cfg, CFG_KIND_PORT, tok);
		if (port < 0) {
			cfg_port_names(cfg, names, sizeof(names));
			cfg_bad(c, k, "no such port %s; defined ports: %s", tok,
				names);
			continue;
		}
		if (strcmp(dir_txt, "rx") == 0) {
			dir = CFG_DIR_RX;
		} else if (strcmp(dir_txt, "tx") == 0) {
			dir = CFG_DIR_TX;
		} else if (strcmp(dir_txt, "both") == 0) {
			dir = CFG_DIR_RX | CFG_DIR_TX;
		} else {
			cfg_bad(c, k,
				"%s:%s: unknown direction %s; valid: rx, tx, "
				"both",
				tok, dir_txt, dir_txt);
			continue;
		}
		for (i = 0; i < sess->n_sources; i++)
			if (sess->sources[i].port == port)
				dup = true;
		if (dup) {
			cfg_bad(c, k,
				"port %s is listed twice; list each port once "
				"(%s:both for rx and tx)",
				tok, tok);
			continue;
		}
		if ((dir & CFG_DIR_TX) != 0 && c->mode_known) {
			bool fed = false;

			for (i = 0; i < cfg->n_ports; i++)
				if (cfg->ports[i].peer == port)
					fed = true;
			if (cfg->mode != CFG_MODE_INLINE) {
				cfg_bad(c, k,
					"%s:%s needs mode = inline (tap mode "
					"transmits no originals); use %s:rx",
					tok, dir_txt, tok);
				continue;
			}
			if (!fed) {
				cfg_bad(c, k,
					"%s:%s: no port forwards to %s (no "
					"[port] has peer = %s), so nothing is "
					"transmitted there to mirror; use "
					"%s:rx or set a peer",
					tok, dir_txt, tok, tok, tok);
				continue;
			}
		}
		if (sess->n_sources == CFG_MAX_SOURCES) {
			cfg_bad(c, k, "too many sources; at most %d",
				CFG_MAX_SOURCES);
			break;
		}
		sess->sources[sess->n_sources].port = port;
		sess->sources[sess->n_sources].dir = dir;
		sess->n_sources++;
	}
	if (!any)
		cfg_bad(c, k,
			"no sources; list port:direction pairs such as p0:rx "
			"p1:both");
}

static void
cfg_session_collectors(struct cfg_ctx *c, int k, struct cfg_session *sess)
{
	struct cfg *cfg = c->cfg;
	char buf[CFG_VALUE_LEN];
	char names[CFG_ERR_LEN];
	char *save = NULL;
	char *tok;
	unsigned int n_tok = 0;
	bool any = false;

	snprintf(buf, sizeof(buf), "%s", c->secs[c->cur].ents[k].value);
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,\t", &save))
		n_tok++;
	snprintf(buf, sizeof(buf), "%s", c->secs[c->cur].ents[k].value);
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,\t", &save)) {
		unsigned int i;
		bool dup = false;
		int col;

		any = true;
		col = cfg_find(cfg, CFG_KIND_COLLECTOR, tok);
		if (col < 0) {
			cfg_join_names(
				names, sizeof(names), cfg->collectors[0].name,
				sizeof(cfg->collectors[0]), cfg->n_collectors);
			if (n_tok == 1)
				cfg_bad(c, k,
					"no such collector; defined "
					"collectors: %s",
					names);
			else
				cfg_bad(c, k,
					"no such collector %s; defined "
					"collectors: %s",
					tok, names);
			continue;
		}
		for (i = 0; i < sess->n_collectors; i++)
			if (sess->collectors[i] == col)
				dup = true;
		if (dup) {
			cfg_bad(c, k,
				"collector %s is listed twice; list each "
				"collector once",
				tok);
			continue;
		}
		if (sess->n_collectors == CFG_MAX_SESSION_COLLECTORS) {
			cfg_bad(c, k,
				"too many collectors; a session load-balances "
				"over at most %d",
				CFG_MAX_SESSION_COLLECTORS);
			break;
		}
		sess->collectors[sess->n_collectors++] = col;
	}
	if (!any)
		cfg_bad(c, k,
			"no collector; name 1..%d collectors, e.g. collector = "
			"c1",
			CFG_MAX_SESSION_COLLECTORS);
}

static void
cfg_check_session(struct cfg_ctx *c)
{
	const struct cfg_section *s = &c->secs[c->cur];
	struct cfg *cfg = c->cfg;
	struct cfg_session *sess = &cfg->sessions[s->obj];
	bool has_sources = false, has_collector = false;
	char names[CFG_ERR_LEN];
	uint64_t v = 0;
	int k, ret;

	for (k = 0; k < s->n_ents; k++) {
		const char *key = s->ents[k].name;
		const char *val = s->ents[k].value;

		if (cfg_dup_key(c, k))
			continue;
		if (strcmp(key, "sources") == 0) {
			has_sources = true;
			cfg_session_sources(c, k, sess);
		} else if (strcmp(key, "collector") == 0) {
			has_collector = true;
			cfg_session_collectors(c, k, sess);
		} else if (strcmp(key, "filter") == 0) {
			int f = cfg_find(cfg, CFG_KIND_FILTER, val);

			if (f < 0) {
				cfg_join_names(names, sizeof(names),
					       cfg->filters[0].name,
					       sizeof(cfg->filters[0]),
					       cfg->n_filters);
				cfg_bad(c, k,
					"no such filter; defined filters: %s "
					"(or omit filter to mirror everything)",
					names);
			} else {
				sess->filter = f;
			}
		} else if (strcmp(key, "snaplen") == 0) {
			ret = cfg_parse_u64(val, &v);
			if (ret < 0 || (v != 0 && (v < 14 || v > 65535)))
				cfg_bad(c, k,
					"%s; valid: 0 (whole frame) or "
					"14..65535",
					ret == -EINVAL ? "not a decimal number"
						       : "out of range");
			else
				sess->snaplen = (uint32_t)v;
		} else if (strcmp(key, "sample") == 0) {
			if (cfg_number(c, k, 1, 2147483647, &v))
				sess->sample = (uint32_t)v;
		} else if (strcmp(key, "rate") == 0) {
			ret = cfg_parse_rate(val, &v);
			if (ret < 0)
				cfg_bad(c, k,
					"%s; valid: 0 (no cap) or bits/s up to "
					"400G, decimal with an optional K, M "
					"or G suffix (x1000)",
					ret == -ERANGE
						? "above the maximum 400G"
						: "not a rate");
			else
				sess->rate_bps = v;
		} else {
			cfg_bad(c, k,
				"unknown key; valid keys in [session NAME]: "
				"sources, collector, filter, snaplen, sample, "
				"rate");
		}
	}
	if (!has_sources)
		cfg_missing(c, "sources",
			    "list port:direction pairs, e.g. sources = p0:rx");
	if (!has_collector)
		cfg_missing(c, "collector",
			    "name the collector(s) to send copies to, e.g. "
			    "collector = c1");
}

/*
 * Driver.
 */

static int
cfg_read_sections(struct cfg_ctx *c, struct rte_cfgfile *file)
{
	int i, n;

	n = rte_cfgfile_num_sections(file, NULL, 0);
	if (n <= 0)
		return 0;
	c->secs = calloc((size_t)n, sizeof(*c->secs));
	if (c->secs == NULL)
		return -ENOMEM;
	c->n_secs = n;
	for (i = 0; i < n; i++) {
		struct cfg_section *s = &c->secs[i];
		int ne;

		ne = rte_cfgfile_section_num_entries_by_index(file, s->name, i);
		if (ne < 0)
			return -EINVAL;
		s->ents = calloc((size_t)(ne > 0 ? ne : 1), sizeof(*s->ents));
		if (s->ents == NULL)
			return -ENOMEM;
		s->n_ents = rte_cfgfile_section_entries_by_index(
			file, i, s->name, s->ents, ne);
		if (s->n_ents < 0)
			return -EINVAL;
		if (cfg_index_keys(s) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void
cfg_check_all(struct cfg_ctx *c)
{
	static const int order[] = {
		CFG_KIND_DPMIRROR, CFG_KIND_PORT,    CFG_KIND_COLLECTOR,
		CFG_KIND_FILTER,   CFG_KIND_SESSION,
	};
	struct cfg *cfg = c->cfg;
	unsigned int o;
	int i;

	for (i = 0; i < c->n_secs; i++)
		cfg_classify(c, i);

	for (o = 0; o < RTE_DIM(order); o++) {
		for (i = 0; i < c->n_secs && !c->nomem; i++) {
			if (c->secs[i].kind != order[o] || c->secs[i].obj < 0)
				continue;
			c->cur = i;
			switch (order[o]) {
			case CFG_KIND_DPMIRROR:
				cfg_check_dpmirror(c);
				break;
			case CFG_KIND_PORT:
				cfg_check_port(c);
				break;
			case CFG_KIND_COLLECTOR:
				cfg_check_collector(c);
				break;
			case CFG_KIND_FILTER:
				cfg_check_filter(c);
				break;
			case CFG_KIND_SESSION:
				cfg_check_session(c);
				break;
			default:
				break;
			}
		}
	}

	if (cfg->n_ports == 0)
		cfg_msg(c, INT_MAX, 0,
			"no [port NAME] section; at least one port is "
			"required");
	if (cfg->n_collectors == 0)
		cfg_msg(c, INT_MAX, 0,
			"no [collector NAME] section; at least one collector "
			"is required");
	if (cfg->n_sessions == 0)
		cfg_msg(c, INT_MAX, 0,
			"no [session NAME] section; at least one session is "
			"required");
}

void
cfg_free(struct cfg *cfg)
{
	unsigned int i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_filters; i++)
		free(cfg->filters[i].rules);
	free(cfg);
}

struct cfg *
cfg_load(const char *path, struct cfg_errors *errs)
{
	struct rte_cfgfile_parameters params = {
		.comment_character = ';',
	};
	struct cfg_ctx c;
	struct rte_cfgfile *file = NULL;
	struct cfg *cfg;
	unsigned int i;
	int lint, ret;

	memset(&c, 0, sizeof(c));
	c.dpmirror_sec = -1;
	c.mode_known = true;
	if (errs != NULL)
		errs->n = 0;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		c.nomem = true;
		goto out;
	}
	cfg->mode = CFG_MODE_INLINE;
	cfg->burst = 32;
	cfg->mirror_pool = 16384;
	cfg->stats_interval = 1;
	c.cfg = cfg;

	if (path == NULL) {
		cfg_msg(&c, -1, -1, "no configuration file given");
		goto out;
	}
	lint = cfg_lint(&c, path);
	if (lint != 0)
		goto out;
	file = rte_cfgfile_load_with_params(path, CFG_FLAG_EMPTY_VALUES,
					    &params);
	if (file == NULL) {
		cfg_msg(&c, -1, -1, "cannot parse %s as an INI file", path);
		goto out;
	}
	ret = cfg_read_sections(&c, file);
	if (ret == -ENOMEM) {
		c.nomem = true;
		goto out;
	} else if (ret < 0) {
		cfg_msg(&c, -1, -1, "cannot parse %s as an INI file", path);
		goto out;
	}
	cfg_check_all(&c);

out:
	if (c.nomem)
		cfg_msg(&c, INT_MAX, INT_MAX, "out of memory");
	if (c.n_msgs > 0 || c.nomem) {
		cfg_free(cfg);
		cfg = NULL;
		qsort(c.msgs, c.n_msgs, sizeof(c.msgs[0]), cfg_msg_cmp);
		if (errs != NULL) {
			errs->n = c.n_msgs > 0 ? c.n_msgs : 1;
			for (i = 0; i < c.n_msgs && i < CFG_ERR_MAX; i++)
				snprintf(errs->msg[i], sizeof(errs->msg[i]),
					 "%s", c.msgs[i].text);
			if (c.n_msgs == 0)
				snprintf(errs->msg[0], sizeof(errs->msg[0]),
					 "out of memory");
		}
	}
	if (file != NULL)
		rte_cfgfile_close(file);
	for (ret = 0; ret < c.n_secs; ret++) {
		free(c.secs[ret].ents);
		free(c.secs[ret].first);
	}
	free(c.secs);
	free(c.msgs);
	return cfg;
}
