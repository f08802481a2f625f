/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CLI_JSON_H
#define DPMIRROR_CLI_JSON_H

/*
 * A small strict JSON reader (RFC 8259) for the replies of a telemetry
 * socket, and the writer that prints a parsed value back.
 *
 * The reader takes a buffer and its length (it never reads past LEN and
 * needs no terminating NUL) and builds a tree of values, or returns NULL
 * with the byte offset and a sentence saying what was wrong.  Strict means
 * what RFC 8259 does not allow is refused: comments, trailing commas,
 * single quotes, leading zeros or '+', NaN and Infinity, control
 * characters and invalid UTF-8 in strings, unknown escapes, lone UTF-16
 * surrogates, anything after the value but white space.  Also refused:
 * duplicate keys in one object (a reply whose meaning depends on which
 * duplicate wins is not trusted), "\u0000" (strings are C strings), and
 * nesting deeper than MAX_DEPTH arrays and objects (so that a hostile
 * reply cannot exhaust the stack).
 *
 * Numbers keep the text they were written with, so that the writer
 * prints them exactly as received; cli_json_u64, cli_json_i64 and
 * cli_json_double convert it.  Objects keep their members in the order
 * received.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Default bound on nesting for callers with no better idea. */
#define CLI_JSON_MAX_DEPTH 32

enum cli_json_type {
	CLI_JSON_NULL,
	CLI_JSON_FALSE,
	CLI_JSON_TRUE,
	CLI_JSON_NUMBER,
	CLI_JSON_STRING,
	CLI_JSON_ARRAY,
	CLI_JSON_OBJECT,
};

struct cli_json {
	enum cli_json_type type;
	/* NUMBER: the number as written; STRING: the decoded string (UTF-8,
	 * no NUL inside); NULL otherwise. */
	char *str;
	/* ARRAY, OBJECT: the elements or member values, in order. */
	struct cli_json **items;
	/* OBJECT: the member names, keys[i] names items[i]. */
	char **keys;
	unsigned int n;
};

struct cli_json_error {
	size_t offset; /* of the byte where the problem was found */
	char msg[160]; /* what was wrong there */
};

/*
 * Parse the LEN bytes at TEXT as one JSON value (white space around it is
 * allowed).  The tree, to free with cli_json_free, or NULL with ERR
 * filled (ERR may be NULL): malformed input, nesting deeper than
 * MAX_DEPTH, or out of memory.
 */
struct cli_json *cli_json_parse(const char *text, size_t len,
				unsigned int max_depth,
				struct cli_json_error *err);

/* Free V and everything under it; NULL is fine. */
void cli_json_free(struct cli_json *v);

/* The value of member KEY of object OBJ, or NULL (OBJ is NULL or not an
 * object, or has no such member). */
const struct cli_json *cli_json_get(const struct cli_json *obj,
				    const char *key);

/*
 * Building a tree.  cli_json_new: a value of TYPE; STR is the text of a
 * NUMBER (not checked: a number as the caller formatted it) or the
 * string of a STRING, ignored otherwise; NULL when out of memory.
 * cli_json_add: append V to array or object C (KEY copied; ignored for
 * an array); V belongs to C then, or is freed on failure (-1: out of
 * memory, C not a container).  A duplicate KEY is the caller's to avoid.
 * cli_json_take: remove member KEY of OBJ and return its value (the
 * caller's to free), or NULL when there is none.
 */
struct cli_json *cli_json_new(enum cli_json_type type, const char *str);
int cli_json_add(struct cli_json *c, const char *key, struct cli_json *v);
struct cli_json *cli_json_take(struct cli_json *obj, const char *key);

/*
 * Conversions of a NUMBER.  cli_json_u64: true when V is an integer
 * written without fraction or exponent in 0..UINT64_MAX; cli_json_i64:
 * the same for INT64_MIN..INT64_MAX; cli_json_double: any number (a
 * number beyond the range of a double is refused).  False and *OUT
 * untouched otherwise (V NULL, not a number, out of range).
 */
bool cli_json_u64(const struct cli_json *v, uint64_t *out);
bool cli_json_i64(const struct cli_json *v, int64_t *out);
bool cli_json_double(const struct cli_json *v, double *out);

/*
 * Print V as JSON on F: compact (no white space at all, as a DPDK
 * telemetry reply is), or with INDENT spaces per level and one member
 * per line when INDENT > 0.  Strings are escaped as RFC 8259 requires;
 * numbers are printed as received.
 */
void cli_json_write(FILE *f, const struct cli_json *v, unsigned int indent);

/* Print S as a JSON string (quotes included) on F. */
void cli_json_write_string(FILE *f, const char *s);

#endif /* DPMIRROR_CLI_JSON_H */
