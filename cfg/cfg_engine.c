/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The key engine: messages and their order, the objects of each section
 * kind, reading the file, the per-section key index, and the generic checks
 * (number, word, reference) that the key tables of cfg.c, cfg_rule.c and
 * cfg_kernel.c name.  See cfg.c for how a file is checked.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, memfd_create */
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "cfg_internal.h"

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
void __attribute__((format(printf, 4, 5)))
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
void __attribute__((format(printf, 3, 4)))
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

int
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
void
cfg_append(char *buf, size_t len, const char *s)
{
	size_t used = strlen(buf);

	if (used + 1 < len)
		snprintf(buf + used, len - used, "%s%s", used == 0 ? "" : ", ",
			 s);
}

/* The value of entry k of the current section. */
const char *
cfg_val(const struct cfg_ctx *c, int k)
{
	return c->secs[c->cur].ents[k].value;
}

/*
 * Objects by kind and name.
 */

/* Object i of a kind; the singleton kinds have only object 0. */
void *
cfg_obj(struct cfg *cfg, int kind, unsigned int i)
{
	return (char *)cfg + cfg_kinds[kind].off + i * cfg_kinds[kind].size;
}

unsigned int *
cfg_count(struct cfg *cfg, int kind)
{
	return (unsigned int *)((char *)cfg + cfg_kinds[kind].count_off);
}

int
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
void
cfg_defaults(void *obj, int kind)
{
	const struct cfg_key *key;

	for (key = cfg_kinds[kind].keys; key->name != NULL; key++)
		cfg_store(obj, key, (uint64_t)key->dflt);
}

/* Register a new named object; returns its index or -1 when all are used. */
int
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
void
cfg_kind_title(int kind, char *buf, size_t len)
{
	snprintf(buf, len, "[%s%s]", cfg_kinds[kind].name,
		 cfg_kinds[kind].named ? " NAME" : "");
}

/*
 * Look NAME up among the objects of a kind.  When there is none, report
 * "no such KIND[ NAME]; defined KINDs: ...TAIL" on entry k and return -1.
 */
int
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

/* NAME is SIZE (e.g. "4194305 bytes"): over CFG_FILE_MAX. */
void
cfg_too_big(struct cfg_ctx *c, const char *name, const char *size)
{
	cfg_msg(c, -1, -1,
		"cannot read %s: %s, over the limit of %u MiB (%u bytes) for a "
		"configuration file",
		name, size, CFG_FILE_MAX >> 20, CFG_FILE_MAX);
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
int
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
		char what[32];

		snprintf(what, sizeof(what), "%lld bytes",
			 (long long)st.st_size);
		cfg_too_big(c, path, what);
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
		char what[32];

		snprintf(what, sizeof(what), "more than %u bytes",
			 CFG_FILE_MAX);
		cfg_too_big(c, path, what);
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
int
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

/*
 * A decimal number in key->lo..key->hi, or 0 when key->zero is set;
 * returns false when it is not.
 */
bool
cfg_number(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	char range[48];
	uint64_t v = 0;
	int ret;

	ret = cfg_parse_u64(cfg_val(c, k), &v);
	if (ret == 0 &&
	    ((v >= key->lo && v <= key->hi) || (key->zero && v == 0))) {
		cfg_store(obj, key, v);
		return true;
	}
	snprintf(range, sizeof(range), "%lu..%lu", (unsigned long)key->lo,
		 (unsigned long)key->hi);
	cfg_bad(c, k, "%s; valid: %s",
		ret == -EINVAL ? "not a decimal number" : "out of range",
		key->valid != NULL ? key->valid : range);
	return false;
}

void
cfg_check_number(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	cfg_number(c, k, key, obj);
}

/* One of key->words; returns false when it is not. */
bool
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

void
cfg_check_word(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	cfg_word(c, k, key, obj);
}

/* The name of an object of kind key->ref; its index is stored. */
void
cfg_check_ref(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	int idx = cfg_ref(c, k, key->ref, cfg_val(c, k), false,
			  key->valid != NULL ? key->valid : "");

	if (idx >= 0)
		cfg_store(obj, key, (uint64_t)idx);
}

/* The value of the first entry of the current section with this key. */
const char *
cfg_value_of(const struct cfg_ctx *c, const char *key)
{
	const struct cfg_section *s = &c->secs[c->cur];
	int k;

	for (k = 0; k < s->n_ents; k++)
		if (strcmp(s->ents[k].name, key) == 0)
			return s->ents[k].value;
	return "";
}

/* The index of the first entry KEY of the current section, or -1. */
int
cfg_entry(const struct cfg_ctx *c, const char *key)
{
	const struct cfg_section *s = &c->secs[c->cur];
	int k;

	for (k = 0; k < s->n_ents; k++)
		if (strcmp(s->ents[k].name, key) == 0)
			return k;
	return -1;
}

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

/*
 * Variants: a key (a collector's encap) that selects which other keys a
 * section may have, wherever it stands in the section.
 */

/* The word of KEY's words that stands for VALUE, or "?". */
static const char *
cfg_word_of(const struct cfg_key *key, int value)
{
	const struct cfg_word *w;

	for (w = key->words; w->word != NULL; w++)
		if (w->value == value)
			return w->word;
	return "?";
}

/*
 * The variant of the current section: the value of its variant key (its
 * first entry, or its default when absent), or -1 when the kind has no
 * variants or the value is not one of the key's words (that is reported
 * where the key is checked).  *GIVEN: the key was in the section.
 */
static int
cfg_variant(const struct cfg_ctx *c, const struct cfg_key **vkey, bool *given)
{
	const struct cfg_section *s = &c->secs[c->cur];
	const struct cfg_kind_def *def = &cfg_kinds[s->kind];
	const struct cfg_word *w;
	int k;

	*vkey = NULL;
	*given = false;
	if (def->variant == NULL)
		return -1;
	*vkey = cfg_key_find(def->keys, def->variant);
	for (k = 0; k < s->n_ents; k++)
		if (strcmp(s->ents[k].name, def->variant) == 0)
			break;
	if (k == s->n_ents)
		return (int)(*vkey)->dflt;
	*given = true;
	for (w = (*vkey)->words; w->word != NULL; w++)
		if (strcmp(s->ents[k].value, w->word) == 0)
			return w->value >= 0 && w->value < 32 ? w->value : -1;
	return -1;
}

/* Whether KEY belongs to VARIANT (a bit of key->in). */
static bool
cfg_key_in(const struct cfg_key *key, int variant)
{
	return key->in == 0 ||
	       (variant >= 0 && (key->in & (1u << variant)) != 0);
}

/*
 * "not a key of encap = vxlan; its keys are port, encap, ...; remove key
 * or set encap = gre": entry k names KEY, which does not belong to the
 * section's VARIANT (the value of VKEY).
 */
static void
cfg_foreign_key(struct cfg_ctx *c, int k, const struct cfg_key *key,
		const struct cfg_key *vkey, int variant, bool given)
{
	const struct cfg_kind_def *def = &cfg_kinds[c->secs[c->cur].kind];
	const char *vname = cfg_word_of(vkey, variant);
	char keys[CFG_ERR_LEN] = "";
	char fits[CFG_ERR_LEN] = "";
	char dflt[64] = "";
	const struct cfg_word *w;
	const struct cfg_key *o;
	unsigned int n = 0, i = 0;

	for (o = def->keys; o->name != NULL; o++)
		if (cfg_key_in(o, variant))
			cfg_append(keys, sizeof(keys),
				   o->shown != NULL ? o->shown : o->name);
	/* The variants KEY belongs to, as "a, b or c". */
	for (w = vkey->words; w->word != NULL; w++)
		if (w->value >= 0 && w->value < 32 &&
		    (key->in & (1u << w->value)) != 0)
			n++;
	for (w = vkey->words; w->word != NULL; w++) {
		size_t used = strlen(fits);

		if (w->value < 0 || w->value >= 32 ||
		    (key->in & (1u << w->value)) == 0)
			continue;
		i++;
		snprintf(fits + used, sizeof(fits) - used, "%s%s",
			 i == 1	  ? ""
			 : i == n ? " or "
				  : ", ",
			 w->word);
	}
	if (!given)
		snprintf(dflt, sizeof(dflt), " (%s is %s when not given)",
			 def->variant, vname);
	cfg_bad(c, k,
		"not a key of %s = %s; its keys are %s; remove %s or "
		"set %s = %s%s",
		def->variant, vname, keys, c->secs[c->cur].ents[k].name,
		def->variant, fits, dflt);
}

/* Check every entry of the current section against its kind's keys. */
void
cfg_check_section(struct cfg_ctx *c)
{
	const struct cfg_section *s = &c->secs[c->cur];
	const struct cfg_kind_def *def = &cfg_kinds[s->kind];
	void *obj = cfg_obj(c->cfg, s->kind, (unsigned int)s->obj);
	const struct cfg_key *key, *vkey;
	uint64_t given = 0; /* bit i: def->keys[i] was given (< 64 keys) */
	bool vgiven;
	int variant, k;

	variant = cfg_variant(c, &vkey, &vgiven);
	for (k = 0; k < s->n_ents && !c->nomem; k++) {
		if (cfg_dup_key(c, k))
			continue;
		key = cfg_key_find(def->keys, s->ents[k].name);
		if (key == NULL) {
			cfg_unknown_key(c, k, s->kind);
			continue;
		}
		given |= 1ULL << (key - def->keys);
		/* With an unknown variant every key is checked as usual. */
		if (variant >= 0 && !cfg_key_in(key, variant)) {
			cfg_foreign_key(c, k, key, vkey, variant, vgiven);
			continue;
		}
		key->check(c, k, key, obj);
	}
	if (def->done != NULL)
		def->done(c, obj);
	/* A key of some variants only is required only when the variant is
	 * known and it is one of them. */
	for (key = def->keys; key->name != NULL; key++)
		if (key->missing != NULL &&
		    (given & (1ULL << (key - def->keys))) == 0 &&
		    cfg_key_in(key, variant))
			cfg_missing(c, key->name, key->missing);
}

/*
 * Driver.
 */

int
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
