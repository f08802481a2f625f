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
 * Each section kind is described by a table (cfg_kinds[], after the checks):
 * where its objects live in struct cfg, and one row per key that says how the
 * value is checked, where it is stored and its default.  One generic
 * dispatcher checks every section against its table and builds the "valid
 * keys" list of its messages from the same table.
 *
 * Checking runs in two passes over the sections.  The first classifies
 * every section header and registers the names of valid ones, so that
 * references may point forward in the file.  The second checks the entries
 * kind by kind in table order (dpmirror, ports, collectors, sessions,
 * filters), so a check that depends on another section (a tx source needs
 * a port whose peer it is; a peer needs inline mode) sees its final value.
 * Each message carries its position in the file and the messages are
 * sorted by it at the end, so they come out in file order.
 *
 * The file is read once, into memory (cfg_read_file): the line pass reads
 * those bytes, and rte_cfgfile, which only loads files by name, is given
 * the same bytes in an anonymous memory file.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, memfd_create */
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Indexes into cfg_kinds[]; sections are checked in this order. */
enum cfg_kind {
	CFG_KIND_DPMIRROR = 0,
	CFG_KIND_PORT,
	CFG_KIND_COLLECTOR,
	CFG_KIND_SESSION,
	CFG_KIND_FILTER,
	CFG_KIND_PLAYGROUND,
	CFG_KIND_KERNEL,
	CFG_KIND_COUNT,
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
	int cur;	 /* section being checked */
	bool mode_known; /* false when mode has a bad value */
	unsigned int n_rules;
	bool rules_full;       /* the CFG_MAX_RULES error was reported */
	uint8_t *rule_nums;    /* rule numbers seen in the current filter */
	unsigned int rule_cap; /* room in the current filter's rules */
};

/* A word a key accepts, and the value stored for it. */
struct cfg_word {
	const char *word;
	int value; /* -1: known, but not supported yet */
};

/* One key of a section kind; a table of them ends with a NULL name. */
struct cfg_key {
	const char *name;
	/* Check entry k as this key, store it into obj; report problems. */
	void (*check)(struct cfg_ctx *c, int k, const struct cfg_key *key,
		      void *obj);
	const char *missing; /* non-NULL: the key is required; how to give it */
	const char *shown;   /* how "valid keys" lists it, if not as name */
	bool prefix;	     /* the key is name and more, e.g. "rule 10" */
	/* The field of the object, if any, and its default if not 0. */
	size_t off;
	size_t size;
	int64_t dflt;
	/* cfg_check_number: lo..hi, and 0 too when zero is set. */
	uint64_t lo, hi;
	bool zero;
	/*
	 * cfg_check_number: what is valid, when not just "lo..hi";
	 * cfg_check_ref: what else is valid, said after the defined names.
	 */
	const char *valid;
	int ref; /* cfg_check_ref: the kind of object named */
	/*
	 * cfg_check_word: the words, ending with a NULL word, and what a
	 * value that is none of them is, e.g. "unknown mode".
	 */
	const struct cfg_word *words;
	const char *unknown;
};

/* The field a key stores into. */
#define CFG_FIELD(type, field)                                                 \
	.off = offsetof(type, field), .size = RTE_SIZEOF_FIELD(type, field)
/* A decimal number in lo..hi, stored into a field. */
#define CFG_NUMBER(type, field, min, max)                                      \
	.check = cfg_check_number, CFG_FIELD(type, field), .lo = (min),        \
	.hi = (max)

/* A section kind. */
struct cfg_kind_def {
	const char *name; /* the first word of the header */
	bool named;	  /* [kind NAME], else [kind] at most once */
	bool required;	  /* at least one section is required */
	const struct cfg_key *keys;
	/*
	 * The objects: an array in struct cfg and its count.  An unnamed kind
	 * has one object at off, 0 for fields of struct cfg itself.
	 */
	size_t off;
	size_t size;
	size_t count_off;
	unsigned int max;
	void (*done)(struct cfg_ctx *c, void *obj); /* after all entries */
};

/* The array of named objects ARRAY counted by COUNT in struct cfg. */
#define CFG_OBJECTS(array, count)                                              \
	.off = offsetof(struct cfg, array),                                    \
	.size = sizeof(((struct cfg *)0)->array[0]),                           \
	.count_off = offsetof(struct cfg, count),                              \
	.max = RTE_DIM(((struct cfg *)0)->array)

/* Every named object starts with its name; see cfg_find(). */
_Static_assert(offsetof(struct cfg_port, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_collector, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_session, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_filter, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_kernel, name) == 0, "name first");

static const struct cfg_kind_def cfg_kinds[CFG_KIND_COUNT];

/*
 * Messages.
 */

const char *
cfg_escape(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return buf;
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[8];
		size_t el;

		if (ch == '\r' || ch == '\n' || ch == '\t')
			el = (size_t)snprintf(esc, sizeof(esc), "\\%c",
					      ch == '\r'   ? 'r'
					      : ch == '\n' ? 'n'
							   : 't');
		else if (ch < 0x20 || ch == 0x7f)
			el = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", ch);
		else
			el = (size_t)snprintf(esc, sizeof(esc), "%c", ch);
		if (n + el >= len)
			break;
		memcpy(buf + n, esc, el);
		n += el;
	}
	buf[n] = '\0';
	return buf;
}

/*
 * Record a message.  Keys, values, section names and lines are the user's
 * text: their control bytes are escaped, so that a CR or an escape sequence
 * cannot hide or rewrite what the message says.
 */
static void __attribute__((format(printf, 4, 5)))
cfg_msg(struct cfg_ctx *c, int sec, int ent, const char *fmt, ...)
{
	char raw[CFG_ERR_LEN];
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
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	cfg_escape(raw, m->text, sizeof(m->text));
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

/* Append s to the list in buf, after ", " unless it is the first. */
static void
cfg_append(char *buf, size_t len, const char *s)
{
	size_t used = strlen(buf);

	if (used + 1 < len)
		snprintf(buf + used, len - used, "%s%s", used == 0 ? "" : ", ",
			 s);
}

/* The value of entry k of the current section. */
static const char *
cfg_val(const struct cfg_ctx *c, int k)
{
	return c->secs[c->cur].ents[k].value;
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
int
cfg_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
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

int
cfg_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v;
	int ret;

	ret = cfg_parse_u64(s, &v);
	if (ret < 0)
		return ret;
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
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

/*
 * Objects by kind and name.
 */

/* Object i of a kind; the singleton kinds have only object 0. */
static void *
cfg_obj(struct cfg *cfg, int kind, unsigned int i)
{
	return (char *)cfg + cfg_kinds[kind].off + i * cfg_kinds[kind].size;
}

static unsigned int *
cfg_count(struct cfg *cfg, int kind)
{
	return (unsigned int *)((char *)cfg + cfg_kinds[kind].count_off);
}

static int
cfg_find(struct cfg *cfg, int kind, const char *name)
{
	unsigned int i;

	for (i = 0; i < *cfg_count(cfg, kind); i++)
		if (strcmp((const char *)cfg_obj(cfg, kind, i), name) == 0)
			return (int)i;
	return -1;
}

/* Store v into the field of obj that key names. */
static void
cfg_store(void *obj, const struct cfg_key *key, uint64_t v)
{
	char *p = (char *)obj + key->off;

	switch (key->size) {
	case sizeof(uint8_t):
		*(uint8_t *)p = (uint8_t)v;
		break;
	case sizeof(uint16_t):
		*(uint16_t *)p = (uint16_t)v;
		break;
	case sizeof(uint32_t):
		*(uint32_t *)p = (uint32_t)v;
		break;
	case sizeof(uint64_t):
		*(uint64_t *)p = v;
		break;
	default:
		break;
	}
}

/* Give a new object of a kind the defaults of its keys. */
static void
cfg_defaults(void *obj, int kind)
{
	const struct cfg_key *key;

	for (key = cfg_kinds[kind].keys; key->name != NULL; key++)
		cfg_store(obj, key, (uint64_t)key->dflt);
}

/* Register a new named object; returns its index or -1 when all are used. */
static int
cfg_register(struct cfg *cfg, int kind, const char *name)
{
	unsigned int *n = cfg_count(cfg, kind);
	void *obj;

	if (*n == cfg_kinds[kind].max)
		return -1;
	obj = cfg_obj(cfg, kind, *n);
	snprintf(obj, CFG_NAME_MAX, "%s", name);
	cfg_defaults(obj, kind);
	return (int)(*n)++;
}

/* "[port NAME]" or "[dpmirror]". */
static void
cfg_kind_title(int kind, char *buf, size_t len)
{
	snprintf(buf, len, "[%s%s]", cfg_kinds[kind].name,
		 cfg_kinds[kind].named ? " NAME" : "");
}

/*
 * Look NAME up among the objects of a kind.  When there is none, report
 * "no such KIND[ NAME]; defined KINDs: ...TAIL" on entry k and return -1.
 */
static int
cfg_ref(struct cfg_ctx *c, int k, int kind, const char *name, bool say_name,
	const char *tail)
{
	const char *kname = cfg_kinds[kind].name;
	char names[CFG_ERR_LEN] = "";
	unsigned int i;
	int idx;

	idx = cfg_find(c->cfg, kind, name);
	if (idx >= 0)
		return idx;
	for (i = 0; i < *cfg_count(c->cfg, kind); i++)
		cfg_append(names, sizeof(names),
			   (const char *)cfg_obj(c->cfg, kind, i));
	if (i == 0)
		snprintf(names, sizeof(names), "(none)");
	cfg_bad(c, k, "no such %s%s%s; defined %ss: %s%s", kname,
		say_name ? " " : "", say_name ? name : "", kname, names, tail);
	return -1;
}

/* What a file that is not a regular file is, for a message. */
static const char *
cfg_file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO (named pipe)";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a special file";
}

/*
 * Read PATH into *data (NUL-terminated, *size bytes; free it).  The path is
 * resolved once, with O_PATH, which opens nothing for reading: no FIFO
 * blocks and no device driver runs before fstat has shown a regular file of
 * at most CFG_FILE_MAX bytes.  That same file is then read through its
 * descriptor (/proc/self/fd), never more than CFG_FILE_MAX + 1 bytes, since
 * a file may grow meanwhile and files in /proc have no size.  Returns 0, or
 * -1 with the message recorded.
 */
static int
cfg_read_file(struct cfg_ctx *c, const char *path, char **data, size_t *size)
{
	char self[32];
	struct stat st;
	char *buf = NULL;
	size_t n = 0, cap;
	int pfd, fd = -1, rc = -1;

	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0) {
		cfg_msg(c, -1, -1, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(pfd, &st) != 0) {
		cfg_msg(c, -1, -1, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_msg(c, -1, -1,
			"cannot read %s: %s, not a regular file; give the "
			"path of a configuration file",
			path, cfg_file_kind(st.st_mode));
		goto out;
	}
	if (st.st_size > (off_t)CFG_FILE_MAX) {
		cfg_msg(c, -1, -1,
			"cannot read %s: %lld bytes, over the limit of %u MiB "
			"(%u bytes) for a configuration file",
			path, (long long)st.st_size, CFG_FILE_MAX >> 20,
			CFG_FILE_MAX);
		goto out;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int err = errno;

		cfg_msg(c, -1, -1, "cannot read %s: %s%s", path, strerror(err),
			err == ENOENT ? " (through /proc/self/fd: is /proc "
					"mounted?)"
				      : "");
		goto out;
	}
	/* Room for the size fstat gave, growing if the file grows meanwhile,
	 * up to one byte over the limit (which is then refused). */
	cap = (size_t)st.st_size + 2;
	buf = malloc(cap);
	if (buf == NULL) {
		c->nomem = true;
		goto out;
	}
	while (n <= CFG_FILE_MAX) {
		ssize_t got;

		if (n + 1 == cap) {
			size_t more =
				RTE_MIN(2 * cap, (size_t)CFG_FILE_MAX + 2);
			char *bigger = realloc(buf, more);

			if (bigger == NULL) {
				c->nomem = true;
				goto out;
			}
			buf = bigger;
			cap = more;
		}
		got = read(fd, buf + n,
			   RTE_MIN(cap - 1, (size_t)CFG_FILE_MAX + 1) - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			cfg_msg(c, -1, -1, "cannot read %s: %s", path,
				strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > CFG_FILE_MAX) {
		cfg_msg(c, -1, -1,
			"cannot read %s: more than %u bytes, over the limit of "
			"%u MiB (%u bytes) for a configuration file",
			path, CFG_FILE_MAX, CFG_FILE_MAX >> 20, CFG_FILE_MAX);
		goto out;
	}
	buf[n] = '\0';
	*data = buf;
	*size = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	close(pfd);
	return rc;
}

/*
 * rte_cfgfile loads files by name only: give it DATA in an anonymous memory
 * file, so that it parses exactly the bytes the line pass checks.  *FILE is
 * what rte_cfgfile returned (NULL: it refused the text).  Returns 0, or -1
 * with a message when the memory file could not be made.
 */
static int
cfg_parse_bytes(struct cfg_ctx *c, const char *path, const char *data,
		size_t size, struct rte_cfgfile **file)
{
	struct rte_cfgfile_parameters params = {
		.comment_character = ';',
	};
	char self[32];
	size_t done = 0;
	int fd;

	*file = NULL;
	fd = memfd_create("dpmirror-cfg", MFD_CLOEXEC);
	if (fd < 0)
		goto fail;
	while (done < size) {
		ssize_t put = write(fd, data + done, size - done);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0) {
			if (put == 0)
				errno = EIO;
			goto fail;
		}
		done += (size_t)put;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	*file = rte_cfgfile_load_with_params(self, CFG_FLAG_EMPTY_VALUES,
					     &params);
	close(fd);
	return 0;
fail:
	cfg_msg(c, -1, -1, "cannot read %s: no memory file for rte_cfgfile: %s",
		path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * Raw line pass over the file's bytes (changed in place): explain what
 * rte_cfgfile would ignore or refuse.  Returns 1 when rte_cfgfile would
 * refuse the file, 0 otherwise.
 */
static int
cfg_lint(struct cfg_ctx *c, char *data, size_t size)
{
	char sec_name[CFG_NAME_LEN] = "";
	size_t off = 0;
	unsigned int lineno = 0;
	int sec = -1;
	int ents = 0;
	int result = 0;

	while (off < size) {
		char *line = data + off;
		char *nl = memchr(line, '\n', size - off);
		size_t len = nl != NULL ? (size_t)(nl - line) : size - off;
		char where[CFG_NAME_LEN + 32];
		char *text;
		char *pos;

		/* data[size] is '\0': the last line ends either way. */
		off += len + (nl != NULL ? 1 : 0);
		line[len] = '\0';
		lineno++;
		if (sec >= 0)
			snprintf(where, sizeof(where), "[%s] line %u", sec_name,
				 lineno);
		else
			snprintf(where, sizeof(where), "line %u", lineno);
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
	char valid[CFG_ERR_LEN] = "";
	char title[CFG_NAME_LEN];
	const char *name = NULL;
	size_t klen;
	int kind, j, obj;

	s->kind = -1;
	s->obj = -1;
	klen = strcspn(s->name, " \t");
	memcpy(kind_word, s->name, klen);
	kind_word[klen] = '\0';
	if (s->name[klen] != '\0')
		name = s->name + klen + 1;

	for (kind = 0; kind < CFG_KIND_COUNT; kind++)
		if (strcmp(kind_word, cfg_kinds[kind].name) == 0)
			break;
	if (kind == CFG_KIND_COUNT) {
		for (kind = 0; kind < CFG_KIND_COUNT; kind++) {
			cfg_kind_title(kind, title, sizeof(title));
			cfg_append(valid, sizeof(valid), title);
		}
		if (s->name[0] == '\0')
			cfg_msg(c, i, -1,
				"[]: empty section name; valid sections: %s",
				valid);
		else
			cfg_msg(c, i, -1,
				"[%s]: unknown section kind %s; valid "
				"sections: %s",
				s->name, kind_word, valid);
		return;
	}
	s->kind = kind;

	if (!cfg_kinds[kind].named) {
		for (j = 0; j < i; j++)
			if (c->secs[j].kind == kind && c->secs[j].obj >= 0)
				break;
		if (name != NULL)
			cfg_msg(c, i, -1,
				"[%s]: the %s section takes no name; write "
				"[%s]",
				s->name, kind_word, kind_word);
		else if (j < i)
			cfg_msg(c, i, -1,
				"[%s]: duplicate section; [%s] may appear "
				"only once",
				s->name, kind_word);
		else
			s->obj = 0;
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
			s->name, kind_word, cfg_kinds[kind].max);
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
 * Second pass: generic checks of values, used by the key tables.
 */

/* A decimal number in key->lo..key->hi, or 0 when key->zero is set. */
static void
cfg_check_number(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	char range[48];
	uint64_t v = 0;
	int ret;

	ret = cfg_parse_u64(cfg_val(c, k), &v);
	if (ret == 0 &&
	    ((v >= key->lo && v <= key->hi) || (key->zero && v == 0))) {
		cfg_store(obj, key, v);
		return;
	}
	snprintf(range, sizeof(range), "%lu..%lu", (unsigned long)key->lo,
		 (unsigned long)key->hi);
	cfg_bad(c, k, "%s; valid: %s",
		ret == -EINVAL ? "not a decimal number" : "out of range",
		key->valid != NULL ? key->valid : range);
}

/* One of key->words; returns false when it is not. */
static bool
cfg_word(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	const char *val = cfg_val(c, k);
	const struct cfg_word *w, *found = NULL;
	char valid[CFG_ERR_LEN] = "";

	for (w = key->words; w->word != NULL; w++) {
		if (strcmp(val, w->word) == 0)
			found = w;
		if (w->value >= 0)
			cfg_append(valid, sizeof(valid), w->word);
	}
	if (found != NULL && found->value >= 0) {
		cfg_store(obj, key, (uint64_t)found->value);
		return true;
	}
	if (found != NULL)
		cfg_bad(c, k, "not supported yet; valid: %s", valid);
	else if (key->unknown != NULL)
		cfg_bad(c, k, "%s; valid: %s", key->unknown, valid);
	else
		cfg_bad(c, k, "valid: %s", valid);
	return false;
}

static void
cfg_check_word(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	cfg_word(c, k, key, obj);
}

/* The name of an object of kind key->ref; its index is stored. */
static void
cfg_check_ref(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	int idx = cfg_ref(c, k, key->ref, cfg_val(c, k), false,
			  key->valid != NULL ? key->valid : "");

	if (idx >= 0)
		cfg_store(obj, key, (uint64_t)idx);
}

/*
 * Second pass: keys that need more than a number, a word or a name.
 */

/* [dpmirror] mode; later checks rely on cfg->mode only when it is valid. */
static void
cfg_check_mode(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	if (!cfg_word(c, k, key, obj))
		c->mode_known = false;
}

static void
cfg_check_device(struct cfg_ctx *c, int k,
		 const struct cfg_key *key __rte_unused, void *obj)
{
	struct cfg_port *p = obj;
	const char *val = cfg_val(c, k);

	if (*val == '\0')
		cfg_bad(c, k,
			"empty device; give an EAL device such as "
			"0000:3b:00.0 or net_tap0,iface=dpm0");
	else if (strlen(val) >= CFG_DEVICE_MAX)
		cfg_bad(c, k, "device too long; at most %d characters",
			CFG_DEVICE_MAX - 1);
	else
		snprintf(p->device, sizeof(p->device), "%s", val);
}

static void
cfg_check_peer(struct cfg_ctx *c, int k, const struct cfg_key *key __rte_unused,
	       void *obj)
{
	struct cfg_port *p = obj;
	int peer = cfg_ref(c, k, CFG_KIND_PORT, cfg_val(c, k), false, "");

	if (peer < 0)
		return;
	if (peer == c->secs[c->cur].obj)
		cfg_bad(c, k,
			"a port cannot be its own peer; name another port");
	else if (c->mode_known && c->cfg->mode != CFG_MODE_INLINE)
		cfg_bad(c, k,
			"peer is only for mode = inline; in tap mode originals "
			"are not forwarded, remove peer or set mode = inline");
	else
		p->peer = peer;
}

/* The value of the first entry of the current section with this key. */
static const char *
cfg_value_of(const struct cfg_ctx *c, const char *key)
{
	const struct cfg_section *s = &c->secs[c->cur];
	int k;

	for (k = 0; k < s->n_ents; k++)
		if (strcmp(s->ents[k].name, key) == 0)
			return s->ents[k].value;
	return "";
}

/*
 * [collector] remote_ip and local_ip: unicast addresses of one family.  A bad
 * one keeps family 0; a mismatch is reported on the later of the two.
 */
static void
cfg_check_ip(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	struct cfg_collector *col = obj;
	bool remote = strcmp(key->name, "remote_ip") == 0;
	struct cfg_addr *a = remote ? &col->remote_ip : &col->local_ip;
	const struct cfg_addr *b = remote ? &col->local_ip : &col->remote_ip;
	const char *other = remote ? "local_ip" : "remote_ip";
	const char *why = NULL;

	if (cfg_parse_addr(cfg_val(c, k), a) < 0) {
		cfg_bad(c, k,
			"not an IP address; give an IPv4 (198.18.1.3) or IPv6 "
			"(fd00:1::3) address without /len");
		return;
	}
	if ((a->family == 4 && a->bytes[0] == 0 && a->bytes[1] == 0 &&
	     a->bytes[2] == 0 && a->bytes[3] == 0) ||
	    (a->family == 6 && memcmp(a->bytes, (uint8_t[16]){0}, 16) == 0))
		why = "unspecified";
	else if ((a->family == 4 && (a->bytes[0] & 0xf0) == 0xe0) ||
		 (a->family == 6 && a->bytes[0] == 0xff))
		why = "multicast";
	else if (a->family == 4 && a->bytes[0] == 255 && a->bytes[1] == 255 &&
		 a->bytes[2] == 255 && a->bytes[3] == 255)
		why = "broadcast";
	if (why != NULL) {
		cfg_bad(c, k, "%s address; give a unicast address", why);
		a->family = 0;
	} else if (b->family != 0 && b->family != a->family) {
		cfg_bad(c, k,
			"%s address, but %s = %s is %s; use two IPv4 or two "
			"IPv6 addresses",
			cfg_family_name(a->family), other,
			cfg_value_of(c, other), cfg_family_name(b->family));
	}
}

static void
cfg_check_mac(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	struct cfg_collector *col = obj;
	bool remote = strcmp(key->name, "remote_mac") == 0;
	uint8_t *mac = remote ? col->remote_mac : col->local_mac;
	const char *val = cfg_val(c, k);

	if (remote && strcmp(val, "auto") == 0)
		cfg_bad(c, k,
			"ARP/ND resolution is not supported yet; give the next "
			"hop's MAC as xx:xx:xx:xx:xx:xx");
	else if (cfg_parse_mac(val, mac) < 0)
		cfg_bad(c, k,
			"not a MAC address; write xx:xx:xx:xx:xx:xx "
			"(hexadecimal)");
	else if (cfg_mac_is_zero(mac))
		cfg_bad(c, k, "all-zero MAC address; give the %s",
			remote ? "next hop's MAC"
			       : "source MAC, or omit local_mac to use the "
				 "port's own");
	else if (!remote && (mac[0] & 1) != 0)
		cfg_bad(c, k,
			"group (multicast) MAC cannot be a source address; "
			"give a unicast MAC");
	else if (!remote)
		col->local_mac_set = true;
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

/* [filter] rule N: a number not used before in the filter, a valid rule. */
static void
cfg_check_rule(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	const char *num = c->secs[c->cur].ents[k].name + strlen(key->name);
	struct cfg_filter *f = obj;
	char why[CFG_ERR_LEN];
	struct cfg_rule r;
	uint64_t n;

	if (c->rule_nums == NULL) {
		c->rule_nums = calloc(CFG_RULE_NUM_MAX / 8 + 1, 1);
		if (c->rule_nums == NULL) {
			c->nomem = true;
			return;
		}
	}
	if (num[0] != ' ' || cfg_parse_u64(num + 1, &n) < 0 || n < 1 ||
	    n > CFG_RULE_NUM_MAX) {
		cfg_bad(c, k,
			"bad rule key; write rule N, one space, N = 1..%d",
			CFG_RULE_NUM_MAX);
		return;
	}
	/* Numbers of bad rules count too. */
	if ((c->rule_nums[n / 8] & (1u << (n % 8))) != 0) {
		cfg_bad(c, k,
			"rule number %lu is defined twice; give each rule its "
			"own number",
			(unsigned long)n);
		return;
	}
	c->rule_nums[n / 8] |= (uint8_t)(1u << (n % 8));
	memset(&r, 0, sizeof(r));
	r.number = (uint32_t)n;
	if (cfg_parse_rule(cfg_val(c, k), &r, why, sizeof(why)) < 0) {
		cfg_bad(c, k, "%s", why);
		return;
	}
	if (c->n_rules == CFG_MAX_RULES) {
		if (!c->rules_full)
			cfg_bad(c, k,
				"too many rules; at most %d over all filters",
				CFG_MAX_RULES);
		c->rules_full = true;
		return;
	}
	if (f->n_rules == c->rule_cap) {
		unsigned int ncap = c->rule_cap == 0 ? 8 : 2 * c->rule_cap;
		struct cfg_rule *nr;

		nr = realloc(f->rules, ncap * sizeof(*nr));
		if (nr == NULL) {
			c->nomem = true;
			return;
		}
		f->rules = nr;
		c->rule_cap = ncap;
	}
	f->rules[f->n_rules++] = r;
	c->n_rules++;
}

/* After a filter's keys: sort its rules; forget its rule numbers. */
static void
cfg_filter_done(struct cfg_ctx *c, void *obj)
{
	struct cfg_filter *f = obj;

	free(c->rule_nums);
	c->rule_nums = NULL;
	c->rule_cap = 0;
	if (f->n_rules > 1)
		qsort(f->rules, f->n_rules, sizeof(f->rules[0]), cfg_rule_cmp);
}

/*
 * Sessions.
 */

static void
cfg_check_sources(struct cfg_ctx *c, int k,
		  const struct cfg_key *key __rte_unused, void *obj)
{
	struct cfg_session *sess = obj;
	struct cfg *cfg = c->cfg;
	char buf[CFG_VALUE_LEN];
	char *save = NULL;
	char *tok;
	bool any = false;

	snprintf(buf, sizeof(buf), "%s", cfg_val(c, k));
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
		port = cfg_ref(c, k, CFG_KIND_PORT, tok, true, "");
		if (port < 0)
			continue;
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
cfg_check_collectors(struct cfg_ctx *c, int k,
		     const struct cfg_key *key __rte_unused, void *obj)
{
	struct cfg_session *sess = obj;
	char buf[CFG_VALUE_LEN];
	char *save = NULL;
	char *tok;
	unsigned int n_tok = 0;

	snprintf(buf, sizeof(buf), "%s", cfg_val(c, k));
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,\t", &save))
		n_tok++;
	snprintf(buf, sizeof(buf), "%s", cfg_val(c, k));
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,\t", &save)) {
		unsigned int i;
		bool dup = false;
		int col;

		/* A lone name need not be repeated in the message. */
		col = cfg_ref(c, k, CFG_KIND_COLLECTOR, tok, n_tok > 1, "");
		if (col < 0)
			continue;
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
	if (n_tok == 0)
		cfg_bad(c, k,
			"no collector; name 1..%d collectors, e.g. collector = "
			"c1",
			CFG_MAX_SESSION_COLLECTORS);
}

/*
 * After a session's keys: it must not mirror what comes in on a port one
 * of its own collectors sends on (C), or the copies that come back there (a
 * packet socket, a switch mirroring that port) would be mirrored again:
 * neither C:rx, nor X:tx where C's peer is X (X's tx is what C receives).
 * Reported on the sources entry, once per such source and collector.
 */
static void
cfg_session_done(struct cfg_ctx *c, void *obj)
{
	const struct cfg_section *s = &c->secs[c->cur];
	const struct cfg_session *sess = obj;
	unsigned int i, j;
	int k;

	for (k = 0; k < s->n_ents; k++)
		if (strcmp(s->ents[k].name, "sources") == 0)
			break;
	if (k == s->n_ents)
		return; /* reported as missing */
	for (j = 0; j < sess->n_collectors; j++) {
		const struct cfg_collector *col =
			&c->cfg->collectors[sess->collectors[j]];
		const char *cport;
		int cpeer;

		if (col->port < 0)
			continue; /* its port is reported where it is named */
		cport = c->cfg->ports[col->port].name;
		cpeer = c->cfg->ports[col->port].peer;

		for (i = 0; i < sess->n_sources; i++) {
			const struct cfg_source *src = &sess->sources[i];
			const char *sport = c->cfg->ports[src->port].name;

			if ((src->dir & CFG_DIR_RX) && src->port == col->port)
				cfg_bad(c, k,
					"port %s is where collector %s sends "
					"its copies ([collector %s] port = "
					"%s); "
					"a session must not mirror its own "
					"collector's port, or the copies are "
					"mirrored again; remove %s from "
					"sources "
					"or give %s another port",
					cport, col->name, col->name, cport,
					cport, col->name);
			else if ((src->dir & CFG_DIR_TX) && cpeer >= 0 &&
				 src->port == cpeer)
				cfg_bad(c, k,
					"%s:tx is what port %s receives (its "
					"peer is %s), and %s is where "
					"collector "
					"%s sends its copies ([collector %s] "
					"port = %s); a session must not mirror "
					"what its own collector's port "
					"receives, "
					"or the copies are mirrored again; "
					"mirror %s:rx only, or give %s another "
					"port",
					sport, cport, sport, cport, col->name,
					col->name, cport, sport, col->name);
		}
	}
}

static void
cfg_check_rate(struct cfg_ctx *c, int k, const struct cfg_key *key __rte_unused,
	       void *obj)
{
	struct cfg_session *sess = obj;
	uint64_t v = 0;
	int ret;

	ret = cfg_parse_rate(cfg_val(c, k), &v);
	if (ret < 0)
		cfg_bad(c, k,
			"%s; valid: 0 (no cap) or bits/s up to 400G, decimal "
			"with an optional K, M or G suffix (x1000, either "
			"case)",
			ret == -ERANGE ? "above the maximum 400G"
				       : "not a rate");
	else
		sess->rate_bps = v;
}

/*
 * The section kinds: their keys, with defaults, and their objects.
 */

static const struct cfg_word cfg_mode_words[] = {
	{"inline", CFG_MODE_INLINE},
	{"tap", CFG_MODE_TAP},
	{NULL, 0},
};

static const struct cfg_word cfg_encap_words[] = {
	{"vxlan", CFG_ENCAP_VXLAN},
	{"gre", -1},
	{"erspan2", -1},
	{"erspan3", -1},
	{"geneve", -1},
	{NULL, 0},
};

/* A network interface name: 1..15 characters, no '/', ':' or space. */
static void
cfg_check_ifname(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	const char *val = cfg_val(c, k);
	size_t n = strlen(val);

	if (n == 0 || n >= CFG_IFNAME_MAX || strpbrk(val, "/: \t") != NULL)
		cfg_bad(c, k,
			"not an interface name; give 1..%d characters without "
			"'/', ':' or spaces, e.g. eth0",
			CFG_IFNAME_MAX - 1);
	else
		snprintf((char *)obj + key->off, key->size, "%s", val);
}

/* A network namespace name as in /run/netns (ip netns list). */
static void
cfg_check_netns(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	const char *val = cfg_val(c, k);
	size_t n = strlen(val);

	if (n == 0 || n >= key->size || strchr(val, '/') != NULL ||
	    strcmp(val, ".") == 0 || strcmp(val, "..") == 0)
		cfg_bad(c, k,
			"not a namespace name; give the name 'ip netns list' "
			"shows (1..%zu characters, no '/'), or omit netns for "
			"dpmirror's own",
			key->size - 1);
	else
		snprintf((char *)obj + key->off, key->size, "%s", val);
}

/* The playground prefix: 1..8 of [a-z0-9]. */
static void
cfg_check_pg_prefix(struct cfg_ctx *c, int k, const struct cfg_key *key,
		    void *obj)
{
	const char *val = cfg_val(c, k);
	size_t n = strlen(val), i;

	for (i = 0; i < n; i++)
		if (!islower((unsigned char)val[i]) &&
		    !isdigit((unsigned char)val[i]))
			break;
	if (n == 0 || n > CFG_PG_PREFIX_MAX || i < n)
		cfg_bad(c, k,
			"not a playground prefix; give 1..%d characters of "
			"a-z and 0-9, e.g. dpm",
			CFG_PG_PREFIX_MAX);
	else
		snprintf((char *)obj + key->off, key->size, "%s", val);
}

/* remote/local of a [kernel] section: unicast, one family. */
static void
cfg_check_kaddr(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	struct cfg_kernel *kn = obj;
	bool remote = strcmp(key->name, "remote") == 0;
	struct cfg_addr *a = remote ? &kn->remote : &kn->local;
	const struct cfg_addr *b = remote ? &kn->local : &kn->remote;

	if (cfg_parse_addr(cfg_val(c, k), a) < 0) {
		cfg_bad(c, k,
			"not an IP address; give an IPv4 (198.18.1.3) or IPv6 "
			"(fd00:1::3) address without /len");
		return;
	}
	if (b->family != 0 && b->family != a->family)
		cfg_bad(c, k,
			"%s address, but %s = %s is %s; use two IPv4 or two "
			"IPv6 addresses",
			cfg_family_name(a->family), remote ? "local" : "remote",
			cfg_value_of(c, remote ? "local" : "remote"),
			cfg_family_name(b->family));
}

/* match of a [kernel] section: the rule words after accept, with exact
 * ports and no vlan (what a u32 filter matches). */
static void
cfg_check_kmatch(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	struct cfg_kernel *kn = obj;
	char text[CFG_VALUE_LEN + 8], why[CFG_ERR_LEN];
	struct cfg_rule *r = &kn->match;

	(void)key;
	snprintf(text, sizeof(text), "accept %s", cfg_val(c, k));
	memset(r, 0, sizeof(*r));
	if (cfg_parse_rule(text, r, why, sizeof(why)) < 0) {
		cfg_bad(c, k, "%s", why);
		return;
	}
	if ((r->has_sport && r->sport_lo != r->sport_hi) ||
	    (r->has_dport && r->dport_lo != r->dport_hi))
		cfg_bad(c, k,
			"port ranges cannot be matched by the kernel's u32 "
			"filter; give one port, e.g. dport 80");
	else if (r->vlan >= 0)
		cfg_bad(c, k,
			"vlan is not matched by the kernel mirror; use proto, "
			"src, dst, sport and dport");
	else
		kn->has_match = true;
}

static void
cfg_kernel_done(struct cfg_ctx *c, void *obj)
{
	struct cfg_kernel *kn = obj;

	(void)c;
	if (kn->vxlan_name[0] == '\0')
		snprintf(kn->vxlan_name, sizeof(kn->vxlan_name), "vxlan0");
}

static void
cfg_playground_done(struct cfg_ctx *c, void *obj)
{
	struct cfg_playground *pg = obj;

	(void)c;
	pg->present = true;
	if (pg->prefix[0] == '\0')
		snprintf(pg->prefix, sizeof(pg->prefix), "dpm");
}

static const struct cfg_word cfg_yesno_words[] = {
	{"yes", 1},
	{"no", 0},
	{NULL, 0},
};

static const struct cfg_word cfg_kdir_words[] = {
	{"ingress", CFG_KDIR_INGRESS},
	{"egress", CFG_KDIR_EGRESS},
	{"both", CFG_KDIR_BOTH},
	{NULL, 0},
};

/* Known to the kernel path: the kernel says at start whether it can. */
static const struct cfg_word cfg_kencap_words[] = {
	{"vxlan", CFG_KENCAP_VXLAN},
	{"gretap", CFG_KENCAP_GRETAP},
	{"geneve", CFG_KENCAP_GENEVE},
	{"erspan", CFG_KENCAP_ERSPAN},
	{NULL, 0},
};

static const struct cfg_word cfg_multiseg_words[] = {
	{"auto", CFG_MULTISEG_AUTO},
	{"yes", CFG_MULTISEG_YES},
	{"no", CFG_MULTISEG_NO},
	{NULL, 0},
};

static const struct cfg_word cfg_action_words[] = {
	{"accept", CFG_ACCEPT},
	{"reject", CFG_REJECT},
	{NULL, 0},
};

static const struct cfg_key cfg_dpmirror_keys[] = {
	{"mode", cfg_check_mode, CFG_FIELD(struct cfg, mode),
	 .dflt = CFG_MODE_INLINE, .words = cfg_mode_words,
	 .unknown = "unknown mode"},
	{"burst", CFG_NUMBER(struct cfg, burst, 1, 512), .dflt = 32},
	{"mirror_pool", CFG_NUMBER(struct cfg, mirror_pool, 1024, 1048576),
	 .dflt = 16384},
	{"stats_interval", CFG_NUMBER(struct cfg, stats_interval, 0, 3600),
	 .dflt = 1},
	{"copy_max", CFG_NUMBER(struct cfg, copy_max, 0, 2048), .dflt = 1518},
	{.name = NULL},
};

static const struct cfg_key cfg_port_keys[] = {
	{"device", cfg_check_device,
	 .missing = "give the EAL device, e.g. device = net_tap0,iface=dpm0"},
	{"peer", cfg_check_peer, CFG_FIELD(struct cfg_port, peer), .dflt = -1},
	{"rx_queues", CFG_NUMBER(struct cfg_port, rx_queues, 1, 64), .dflt = 1},
	{"tx_multiseg", cfg_check_word, CFG_FIELD(struct cfg_port, tx_multiseg),
	 .words = cfg_multiseg_words, .unknown = "not auto, yes or no"},
	{"mtu", CFG_NUMBER(struct cfg_port, mtu, 68, 9702), .zero = true,
	 .valid = "68..9702, or 0 to keep the device's MTU"},
	{.name = NULL},
};

static const struct cfg_key cfg_collector_keys[] = {
	{"port", cfg_check_ref, CFG_FIELD(struct cfg_collector, port),
	 .dflt = -1, .ref = CFG_KIND_PORT,
	 .missing = "name the egress port of the copies, e.g. port = out"},
	{"encap", cfg_check_word, CFG_FIELD(struct cfg_collector, encap),
	 .dflt = CFG_ENCAP_VXLAN, .words = cfg_encap_words,
	 .unknown = "unknown encapsulation"},
	{"remote_ip", cfg_check_ip,
	 .missing = "give the collector's IPv4 or IPv6 address"},
	{"local_ip", cfg_check_ip,
	 .missing = "give the source address of the tunnel, same family as "
		    "remote_ip"},
	{"remote_mac", cfg_check_mac,
	 .missing = "give the next hop's MAC as xx:xx:xx:xx:xx:xx"},
	{"local_mac", .check = cfg_check_mac},
	{"vni", CFG_NUMBER(struct cfg_collector, vni, 0, 16777215)},
	{"dst_port", CFG_NUMBER(struct cfg_collector, dst_port, 1, 65535),
	 .dflt = 4789},
	{"ttl", CFG_NUMBER(struct cfg_collector, ttl, 1, 255), .dflt = 64},
	{"dscp", CFG_NUMBER(struct cfg_collector, dscp, 0, 63)},
	{.name = NULL},
};

static const struct cfg_key cfg_session_keys[] = {
	{"sources", cfg_check_sources,
	 .missing = "list port:direction pairs, e.g. sources = p0:rx"},
	{"collector", cfg_check_collectors,
	 .missing = "name the collector(s) to send copies to, e.g. "
		    "collector = c1"},
	{"filter", cfg_check_ref, CFG_FIELD(struct cfg_session, filter),
	 .dflt = -1, .ref = CFG_KIND_FILTER,
	 .valid = " (or omit filter to mirror everything)"},
	{"snaplen", CFG_NUMBER(struct cfg_session, snaplen, 14, 65535),
	 .zero = true, .valid = "0 (whole frame) or 14..65535"},
	{"sample", CFG_NUMBER(struct cfg_session, sample, 1, 2147483647),
	 .dflt = 1},
	{"rate", .check = cfg_check_rate},
	{.name = NULL},
};

static const struct cfg_key cfg_filter_keys[] = {
	{"rule", cfg_check_rule, .prefix = true,
	 .shown = "rule N (N = 1.." RTE_STR(CFG_RULE_NUM_MAX) ")"},
	{"default", cfg_check_word, CFG_FIELD(struct cfg_filter, dflt),
	 .dflt = CFG_REJECT, .words = cfg_action_words},
	{.name = NULL},
};

static const struct cfg_key cfg_playground_keys[] = {
	{"prefix", cfg_check_pg_prefix,
	 CFG_FIELD(struct cfg_playground, prefix)},
	{"inline", cfg_check_word,
	 CFG_FIELD(struct cfg_playground, inline_mode),
	 .words = cfg_yesno_words, .unknown = "not yes or no"},
	{"keep", cfg_check_word, CFG_FIELD(struct cfg_playground, keep),
	 .words = cfg_yesno_words, .unknown = "not yes or no"},
	{.name = NULL},
};

static const struct cfg_key cfg_kernel_keys[] = {
	{"netns", cfg_check_netns, CFG_FIELD(struct cfg_kernel, netns)},
	{"dev", cfg_check_ifname, CFG_FIELD(struct cfg_kernel, dev),
	 .missing = "name the device whose traffic is mirrored, e.g. "
		    "dev = eth0"},
	{"direction", cfg_check_word, CFG_FIELD(struct cfg_kernel, dir),
	 .dflt = CFG_KDIR_INGRESS, .words = cfg_kdir_words,
	 .unknown = "unknown direction"},
	{"encap", cfg_check_word, CFG_FIELD(struct cfg_kernel, encap),
	 .dflt = CFG_KENCAP_VXLAN, .words = cfg_kencap_words,
	 .unknown = "unknown encapsulation"},
	{"remote", cfg_check_kaddr,
	 .missing = "give the far end of the tunnel, e.g. remote = "
		    "198.18.1.3"},
	{"local", cfg_check_kaddr,
	 .missing = "give the local end of the tunnel, same family as "
		    "remote"},
	{"vni", CFG_NUMBER(struct cfg_kernel, vni, 0, 16777215),
	 .missing = "give the VxLAN network identifier, e.g. vni = 100"},
	{"dst_port", CFG_NUMBER(struct cfg_kernel, dst_port, 1, 65535),
	 .dflt = 4789},
	{"underlay", cfg_check_ifname, CFG_FIELD(struct cfg_kernel, underlay)},
	{"vxlan_name", cfg_check_ifname,
	 CFG_FIELD(struct cfg_kernel, vxlan_name)},
	{"match", .check = cfg_check_kmatch},
	{"ignore_mtu", cfg_check_word, CFG_FIELD(struct cfg_kernel, ignore_mtu),
	 .words = cfg_yesno_words, .unknown = "not yes or no"},
	{.name = NULL},
};

/* In this order: the valid sections list and the checking order. */
static const struct cfg_kind_def cfg_kinds[CFG_KIND_COUNT] = {
	[CFG_KIND_DPMIRROR] = {.name = "dpmirror", .keys = cfg_dpmirror_keys},
	[CFG_KIND_PORT] = {.name = "port",
			   .named = true,
			   .required = true,
			   .keys = cfg_port_keys,
			   CFG_OBJECTS(ports, n_ports)},
	[CFG_KIND_COLLECTOR] = {.name = "collector",
				.named = true,
				.required = true,
				.keys = cfg_collector_keys,
				CFG_OBJECTS(collectors, n_collectors)},
	[CFG_KIND_SESSION] = {.name = "session",
			      .named = true,
			      .required = true,
			      .keys = cfg_session_keys,
			      CFG_OBJECTS(sessions, n_sessions),
			      .done = cfg_session_done},
	[CFG_KIND_FILTER] = {.name = "filter",
			     .named = true,
			     .keys = cfg_filter_keys,
			     CFG_OBJECTS(filters, n_filters),
			     .done = cfg_filter_done},
	[CFG_KIND_PLAYGROUND] = {.name = "playground",
				 .keys = cfg_playground_keys,
				 .off = offsetof(struct cfg, playground),
				 .done = cfg_playground_done},
	[CFG_KIND_KERNEL] = {.name = "kernel",
			     .named = true,
			     .keys = cfg_kernel_keys,
			     CFG_OBJECTS(kernels, n_kernels),
			     .done = cfg_kernel_done},
};

/*
 * Second pass: the dispatcher.
 */

static const struct cfg_key *
cfg_key_find(const struct cfg_key *key, const char *name)
{
	for (; key->name != NULL; key++)
		if (key->prefix
			    ? strncmp(name, key->name, strlen(key->name)) == 0
			    : strcmp(name, key->name) == 0)
			return key;
	return NULL;
}

/* "unknown key; valid keys in [port NAME]: device, peer, ..." */
static void
cfg_unknown_key(struct cfg_ctx *c, int k, int kind)
{
	const struct cfg_key *key;
	char valid[CFG_ERR_LEN] = "";
	char title[CFG_NAME_LEN];

	cfg_kind_title(kind, title, sizeof(title));
	for (key = cfg_kinds[kind].keys; key->name != NULL; key++)
		cfg_append(valid, sizeof(valid),
			   key->shown != NULL ? key->shown : key->name);
	cfg_bad(c, k, "unknown key; valid keys in %s: %s", title, valid);
}

/* Check every entry of the current section against its kind's keys. */
static void
cfg_check_section(struct cfg_ctx *c)
{
	const struct cfg_section *s = &c->secs[c->cur];
	const struct cfg_kind_def *def = &cfg_kinds[s->kind];
	void *obj = cfg_obj(c->cfg, s->kind, (unsigned int)s->obj);
	const struct cfg_key *key;
	uint64_t given = 0; /* bit i: def->keys[i] was given (< 64 keys) */
	int k;

	for (k = 0; k < s->n_ents && !c->nomem; k++) {
		if (cfg_dup_key(c, k))
			continue;
		key = cfg_key_find(def->keys, s->ents[k].name);
		if (key == NULL) {
			cfg_unknown_key(c, k, s->kind);
			continue;
		}
		given |= 1ULL << (key - def->keys);
		key->check(c, k, key, obj);
	}
	if (def->done != NULL)
		def->done(c, obj);
	for (key = def->keys; key->name != NULL; key++)
		if (key->missing != NULL &&
		    (given & (1ULL << (key - def->keys))) == 0)
			cfg_missing(c, key->name, key->missing);
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
	char title[CFG_NAME_LEN];
	int kind, i;

	for (i = 0; i < c->n_secs; i++)
		cfg_classify(c, i);

	for (kind = 0; kind < CFG_KIND_COUNT; kind++) {
		for (i = 0; i < c->n_secs && !c->nomem; i++) {
			if (c->secs[i].kind != kind || c->secs[i].obj < 0)
				continue;
			c->cur = i;
			cfg_check_section(c);
		}
	}

	for (kind = 0; kind < CFG_KIND_COUNT; kind++) {
		if (!cfg_kinds[kind].required || *cfg_count(c->cfg, kind) > 0)
			continue;
		cfg_kind_title(kind, title, sizeof(title));
		cfg_msg(c, INT_MAX, 0,
			"no %s section; at least one %s is required", title,
			cfg_kinds[kind].name);
	}
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
	struct cfg_ctx c;
	struct rte_cfgfile *file = NULL;
	struct cfg *cfg;
	char *data = NULL;
	size_t size = 0;
	unsigned int i;
	int kind, ret;

	memset(&c, 0, sizeof(c));
	c.mode_known = true;
	if (errs != NULL)
		errs->n = 0;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		c.nomem = true;
		goto out;
	}
	/* The unnamed sections have their defaults even when absent. */
	for (kind = 0; kind < CFG_KIND_COUNT; kind++)
		if (!cfg_kinds[kind].named)
			cfg_defaults(cfg_obj(cfg, kind, 0), kind);
	c.cfg = cfg;

	if (path == NULL) {
		cfg_msg(&c, -1, -1, "no configuration file given");
		goto out;
	}
	if (cfg_read_file(&c, path, &data, &size) != 0)
		goto out;
	/* rte_cfgfile gets the bytes as read: the line pass changes them. */
	if (cfg_parse_bytes(&c, path, data, size, &file) != 0)
		goto out;
	if (cfg_lint(&c, data, size) != 0)
		goto out;
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
	free(data);
	for (ret = 0; ret < c.n_secs; ret++) {
		free(c.secs[ret].ents);
		free(c.secs[ret].first);
	}
	free(c.secs);
	free(c.msgs);
	return cfg;
}
