/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CFG_INTERNAL_H
#define DPMIRROR_CFG_INTERNAL_H

/*
 * What the files of cfg/ share and nothing outside cfg/ may use: the
 * checking context, the key and section-kind tables, and the functions
 * that one file defines for the others.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
	/*
	 * In a kind with a variant key (cfg_kind_def.variant): the values of
	 * that key this key belongs to, bit (1 << value) each; 0 = all.  A
	 * key given in a section whose variant it does not belong to is
	 * refused unchecked, and is not required there.
	 */
	uint32_t in;
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
	/*
	 * The key, one of keys and checked by its words, whose value selects
	 * which other keys a section may have (see cfg_key.in), wherever it
	 * stands in the section; absent: its default.  NULL: no variants.
	 */
	const char *variant;
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

/*
 * cfg_engine.c: messages (cfg_bad names the current section's entry k:
 * "[section] key = value: why"), objects by kind, file input, and the
 * generic checks named by the key tables.
 */
void cfg_msg(struct cfg_ctx *c, int sec, int ent, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void cfg_bad(struct cfg_ctx *c, int k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cfg_msg_cmp(const void *a, const void *b);
void cfg_append(char *buf, size_t len, const char *s);
const char *cfg_val(const struct cfg_ctx *c, int k);
const char *cfg_value_of(const struct cfg_ctx *c, const char *key);
int cfg_entry(const struct cfg_ctx *c, const char *key);
void *cfg_obj(struct cfg *cfg, int kind, unsigned int i);
unsigned int *cfg_count(struct cfg *cfg, int kind);
int cfg_find(struct cfg *cfg, int kind, const char *name);
void cfg_defaults(void *obj, int kind);
int cfg_register(struct cfg *cfg, int kind, const char *name);
void cfg_kind_title(int kind, char *buf, size_t len);
int cfg_ref(struct cfg_ctx *c, int k, int kind, const char *name, bool say_name,
	    const char *tail);
void cfg_too_big(struct cfg_ctx *c, const char *name, const char *size);
int cfg_read_file(struct cfg_ctx *c, const char *path, char **data,
		  size_t *size);
int cfg_parse_bytes(struct cfg_ctx *c, const char *path, const char *data,
		    size_t size, struct rte_cfgfile **file);
int cfg_read_sections(struct cfg_ctx *c, struct rte_cfgfile *file);
void cfg_check_section(struct cfg_ctx *c);
bool cfg_number(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj);
void cfg_check_number(struct cfg_ctx *c, int k, const struct cfg_key *key,
		      void *obj);
bool cfg_word(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj);
void cfg_check_word(struct cfg_ctx *c, int k, const struct cfg_key *key,
		    void *obj);
void cfg_check_ref(struct cfg_ctx *c, int k, const struct cfg_key *key,
		   void *obj);

/* cfg_lint.c: the raw line pass; 1 when rte_cfgfile would refuse DATA. */
int cfg_lint(struct cfg_ctx *c, char *data, size_t size);

/* cfg_rule.c: the [filter] rule grammar and expressions. */
int cfg_parse_rule(const char *text, struct cfg_rule *r, char *why, size_t wl);
void cfg_check_rule(struct cfg_ctx *c, int k, const struct cfg_key *key,
		    void *obj);
void cfg_check_expression(struct cfg_ctx *c, int k, const struct cfg_key *key,
			  void *obj);
void cfg_filter_done(struct cfg_ctx *c, void *obj);

/* cfg_kernel.c: the [playground] and [kernel NAME] sections. */
extern const struct cfg_key cfg_playground_keys[];
extern const struct cfg_key cfg_kernel_keys[];
void cfg_kernel_done(struct cfg_ctx *c, void *obj);
void cfg_playground_done(struct cfg_ctx *c, void *obj);

/* cfg.c: the section kinds, in checking order. */
extern const struct cfg_kind_def cfg_kinds[CFG_KIND_COUNT];

#endif /* DPMIRROR_CFG_INTERNAL_H */
