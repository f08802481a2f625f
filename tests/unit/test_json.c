/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The strict JSON reader of dpmirrorctl (cli/cli_json.h): what RFC 8259
 * allows is read into the right tree, what it does not is refused with
 * the offset of the offending byte, nesting is bounded, and the writer
 * prints back what it read (numbers exactly as received).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cli_json.h"

static struct cli_json *
parse(const char *s)
{
	struct cli_json_error err;
	struct cli_json *v;

	v = cli_json_parse(s, strlen(s), CLI_JSON_MAX_DEPTH, &err);
	if (v == NULL)
		print_error("unexpected parse error at %zu: %s (input %s)\n",
			    err.offset, err.msg, s);
	return v;
}

/* S must be refused, at byte OFFSET, with a message containing WHAT. */
static void
refused(const char *s, size_t len, size_t offset, const char *what)
{
	struct cli_json_error err;
	struct cli_json *v;

	v = cli_json_parse(s, len, CLI_JSON_MAX_DEPTH, &err);
	if (v != NULL) {
		print_error("accepted: %.*s\n", (int)len, s);
		cli_json_free(v);
		fail();
	}
	if (strstr(err.msg, what) == NULL || err.offset != offset) {
		print_error("input %.*s: error at %zu '%s', expected at %zu "
			    "'%s'\n",
			    (int)len, s, err.offset, err.msg, offset, what);
		fail();
	}
}

static void
test_values(void **state)
{
	struct cli_json *v;
	uint64_t u;
	int64_t i;
	double d;

	(void)state;
	v = parse(" {\"a\": [1, -2, 3.5e2, true, false, null, \"x\"],"
		  "\t\"b\": {}, \"c\": [] }\n");
	assert_non_null(v);
	assert_int_equal(v->type, CLI_JSON_OBJECT);
	assert_int_equal(v->n, 3);
	assert_string_equal(v->keys[0], "a");
	assert_string_equal(v->keys[2], "c");
	assert_int_equal(cli_json_get(v, "a")->n, 7);
	assert_true(cli_json_u64(cli_json_get(v, "a")->items[0], &u));
	assert_int_equal(u, 1);
	/* -2 is no u64, but an i64; 3.5e2 neither, but a double. */
	assert_false(cli_json_u64(cli_json_get(v, "a")->items[1], &u));
	assert_true(cli_json_i64(cli_json_get(v, "a")->items[1], &i));
	assert_int_equal(i, -2);
	assert_false(cli_json_i64(cli_json_get(v, "a")->items[2], &i));
	assert_true(cli_json_double(cli_json_get(v, "a")->items[2], &d));
	assert_true(d == 350.0);
	assert_int_equal(cli_json_get(v, "a")->items[3]->type, CLI_JSON_TRUE);
	assert_int_equal(cli_json_get(v, "a")->items[4]->type, CLI_JSON_FALSE);
	assert_int_equal(cli_json_get(v, "a")->items[5]->type, CLI_JSON_NULL);
	assert_string_equal(cli_json_get(v, "a")->items[6]->str, "x");
	assert_int_equal(cli_json_get(v, "b")->type, CLI_JSON_OBJECT);
	assert_int_equal(cli_json_get(v, "b")->n, 0);
	assert_int_equal(cli_json_get(v, "c")->type, CLI_JSON_ARRAY);
	assert_null(cli_json_get(v, "d"));
	assert_null(cli_json_get(cli_json_get(v, "a"), "a"));
	cli_json_free(v);

	/* Scalars alone are values too. */
	v = parse("0");
	assert_non_null(v);
	assert_true(cli_json_u64(v, &u));
	assert_int_equal(u, 0);
	cli_json_free(v);
	v = parse("\"\"");
	assert_non_null(v);
	assert_string_equal(v->str, "");
	cli_json_free(v);
}

static void
test_integers(void **state)
{
	struct cli_json *v;
	uint64_t u;
	int64_t i;
	double d;

	(void)state;
	v = parse("18446744073709551615");
	assert_true(cli_json_u64(v, &u));
	assert_true(u == UINT64_MAX);
	assert_false(cli_json_i64(v, &i));
	cli_json_free(v);
	/* One more than UINT64_MAX is no u64 (but still a double). */
	v = parse("18446744073709551616");
	assert_false(cli_json_u64(v, &u));
	assert_true(cli_json_double(v, &d));
	cli_json_free(v);
	v = parse("-9223372036854775808");
	assert_true(cli_json_i64(v, &i));
	assert_true(i == INT64_MIN);
	cli_json_free(v);
	v = parse("-9223372036854775809");
	assert_false(cli_json_i64(v, &i));
	cli_json_free(v);
	/* A fraction or an exponent makes it no integer, even if whole. */
	v = parse("1.0");
	assert_false(cli_json_u64(v, &u));
	cli_json_free(v);
	v = parse("1e3");
	assert_false(cli_json_u64(v, &u));
	assert_true(cli_json_double(v, &d));
	assert_true(d == 1000.0);
	cli_json_free(v);
	/* Beyond a double. */
	v = parse("1e400");
	assert_false(cli_json_double(v, &d));
	cli_json_free(v);
	/* Not a number at all. */
	v = parse("\"12\"");
	assert_false(cli_json_u64(v, &u));
	assert_false(cli_json_double(v, &d));
	cli_json_free(v);
	assert_false(cli_json_u64(NULL, &u));
}

static void
test_strings(void **state)
{
	struct cli_json *v;

	(void)state;
	v = parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
	assert_non_null(v);
	assert_string_equal(v->str, "a\"b\\c/d\b\f\n\r\t");
	cli_json_free(v);
	/* \u escapes become UTF-8: 1, 2, 3 bytes, and a surrogate pair
	 * (U+1F600) 4. */
	v = parse("\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"");
	assert_non_null(v);
	assert_string_equal(v->str, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	cli_json_free(v);
	/* Raw UTF-8 passes as it is. */
	v = parse("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	assert_non_null(v);
	assert_string_equal(v->str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	cli_json_free(v);
}

#define REFUSED(s, off, what) refused(s, sizeof(s) - 1, off, what)

static void
test_malformed(void **state)
{
	(void)state;
	REFUSED("", 0, "end of the input");
	REFUSED("   ", 3, "end of the input");
	REFUSED("{", 1, "unterminated object");
	REFUSED("[1,", 3, "end of the input");
	REFUSED("[1 2]", 3, "',' or ']' expected");
	REFUSED("{\"a\" 1}", 5, "':' expected");
	REFUSED("{\"a\":1,}", 7, "trailing comma in an object");
	REFUSED("[1,]", 3, "trailing comma in an array");
	REFUSED("{a:1}", 1, "member name");
	REFUSED("{'a':1}", 1, "member name");
	REFUSED("{\"a\":1,\"a\":2}", 7, "duplicate member \"a\"");
	REFUSED("01", 1, "leading zero");
	REFUSED("-", 1, "a digit must follow '-'");
	REFUSED("+1", 0, "a value expected");
	REFUSED("1.", 2, "a digit must follow '.'");
	REFUSED(".5", 0, "a value expected");
	REFUSED("1e", 2, "exponent");
	REFUSED("NaN", 0, "a value expected");
	REFUSED("Infinity", 0, "a value expected");
	REFUSED("tru", 0, "expected 'true'");
	REFUSED("nul", 0, "expected 'null'");
	REFUSED("1 2", 2, "after the value");
	REFUSED("{} x", 3, "after the value");
	REFUSED("/* c */ 1", 0, "a value expected");
	REFUSED("[1] // c", 4, "after the value");
	REFUSED("\"abc", 4, "unterminated string");
	REFUSED("\"a\\", 3, "unterminated string");
	REFUSED("\"a\nb\"", 2, "control character");
	REFUSED("\"a\tb\"", 2, "control character");
	REFUSED("\"\\x41\"", 2, "invalid escape");
	REFUSED("\"\\u12G4\"", 5, "4 hex digits");
	REFUSED("\"\\u0000\"", 7, "\\u0000");
	REFUSED("\"\\ud83d\"", 7, "high surrogate without its low");
	REFUSED("\"\\ud83d\\u0041\"", 13, "high surrogate without its low");
	REFUSED("\"\\ude00\"", 7, "lone low surrogate");
	/* Invalid UTF-8: a lone continuation byte, an overlong '/', a
	 * UTF-8-encoded surrogate, a truncated sequence, beyond U+10FFFF. */
	REFUSED("\"\x80\"", 1, "invalid UTF-8");
	REFUSED("\"\xc0\xaf\"", 1, "invalid UTF-8");
	REFUSED("\"\xed\xa0\x80\"", 1, "invalid UTF-8");
	REFUSED("\"\xe2\x82\"", 1, "invalid UTF-8");
	REFUSED("\"\xf4\x90\x80\x80\"", 1, "invalid UTF-8");
	/* A NUL byte inside the given length is no white space. */
	REFUSED("1\0", 1, "after the value");
	REFUSED("\"a\0b\"", 2, "control character");
}

/* The reader never reads past the length it is given. */
static void
test_length_bound(void **state)
{
	struct cli_json_error err;
	struct cli_json *v;
	char *buf;

	(void)state;
	/* "[1, 2]" cut after "[1": the rest of the buffer is not read. */
	v = cli_json_parse("[1, 2]", 2, CLI_JSON_MAX_DEPTH, &err);
	assert_null(v);
	assert_int_equal(err.offset, 2);
	/* A string whose closing quote lies beyond LEN, in a heap block of
	 * exactly LEN bytes (ASan sees a read past it). */
	buf = malloc(4);
	assert_non_null(buf);
	memcpy(buf, "\"abc", 4);
	v = cli_json_parse(buf, 4, CLI_JSON_MAX_DEPTH, &err);
	assert_null(v);
	assert_non_null(strstr(err.msg, "unterminated string"));
	memcpy(buf, "tru", 3);
	v = cli_json_parse(buf, 3, CLI_JSON_MAX_DEPTH, &err);
	assert_null(v);
	free(buf);
	/* A NULL error pointer is fine. */
	assert_null(cli_json_parse("[", 1, CLI_JSON_MAX_DEPTH, NULL));
}

/*
 * An object of 50,000 members (and an array of as many elements): read
 * whole and right, a duplicate found however far apart the two are.
 * Finding duplicates by scanning the members before each one took
 * seconds at 20,000; the time is printed, not asserted.
 */
#define MANY_KEYS 50000

static char *
many_keys(unsigned int n, int dup_of)
{
	size_t cap = (size_t)n * 24 + 16, len = 0;
	char *s = malloc(cap);
	unsigned int i;

	assert_non_null(s);
	s[len++] = '{';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(
			s + len, cap - len, "%s\"k%u\":%u", i ? "," : "",
			dup_of >= 0 && i == n - 1 ? (unsigned int)dup_of : i,
			i);
	s[len++] = '}';
	s[len] = '\0';
	return s;
}

static void
test_many_keys(void **state)
{
	struct cli_json_error err;
	struct timespec t0, t1;
	struct cli_json *v;
	const struct cli_json *m;
	char key[16], *s;
	uint64_t x;
	unsigned int i;
	size_t len, at;

	(void)state;
	s = many_keys(MANY_KEYS, -1);
	len = strlen(s);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	v = cli_json_parse(s, len, CLI_JSON_MAX_DEPTH, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(v);
	assert_int_equal(v->type, CLI_JSON_OBJECT);
	assert_int_equal(v->n, MANY_KEYS);
	for (i = 0; i < MANY_KEYS; i += 997) {
		snprintf(key, sizeof(key), "k%u", i);
		assert_string_equal(v->keys[i], key);
		assert_true(cli_json_u64(v->items[i], &x));
		assert_int_equal(x, i);
	}
	m = cli_json_get(v, "k49999");
	assert_non_null(m);
	assert_true(cli_json_u64(m, &x));
	assert_int_equal(x, 49999);
	print_message("%u members, %zu bytes, read in %.3f s\n", MANY_KEYS,
		      len,
		      (double)(t1.tv_sec - t0.tv_sec) +
			      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	cli_json_free(v);
	free(s);

	/* The last member repeats the first: refused at the last name. */
	s = many_keys(MANY_KEYS, 0);
	len = strlen(s);
	at = (size_t)(strrchr(s, ',') - s) + 1;
	refused(s, len, at, "duplicate member \"k0\"");
	free(s);
	/* ... and one in the middle, near its twin. */
	s = many_keys(MANY_KEYS, MANY_KEYS - 2);
	refused(s, strlen(s), (size_t)(strrchr(s, ',') - s) + 1,
		"duplicate member \"k49998\"");
	free(s);

	/* An array as long. */
	s = malloc((size_t)MANY_KEYS * 8 + 4);
	assert_non_null(s);
	len = 0;
	s[len++] = '[';
	for (i = 0; i < MANY_KEYS; i++)
		len += (size_t)sprintf(s + len, "%s%u", i ? "," : "", i % 1000);
	s[len++] = ']';
	v = cli_json_parse(s, len, CLI_JSON_MAX_DEPTH, &err);
	assert_non_null(v);
	assert_int_equal(v->n, MANY_KEYS);
	assert_true(cli_json_u64(v->items[MANY_KEYS - 1], &x));
	assert_int_equal(x, (MANY_KEYS - 1) % 1000);
	cli_json_free(v);
	free(s);
}

/* N nested arrays: "[[[...]]]". */
static char *
nested(unsigned int n)
{
	char *s = malloc(2 * n + 1);
	unsigned int i;

	assert_non_null(s);
	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[2 * n - 1 - i] = ']';
	}
	s[2 * n] = '\0';
	return s;
}

static void
test_depth(void **state)
{
	struct cli_json_error err;
	struct cli_json *v;
	char *s;

	(void)state;
	/* MAX_DEPTH levels are fine, one more is refused, at the bracket
	 * that opens it. */
	s = nested(8);
	v = cli_json_parse(s, strlen(s), 8, &err);
	assert_non_null(v);
	cli_json_free(v);
	v = cli_json_parse(s, strlen(s), 7, &err);
	assert_null(v);
	assert_int_equal(err.offset, 7);
	assert_non_null(strstr(err.msg, "nesting deeper than 7"));
	free(s);
	/* Objects count as well as arrays. */
	v = cli_json_parse("{\"a\":{\"b\":[{}]}}", 16, 3, &err);
	assert_null(v);
	assert_non_null(strstr(err.msg, "nesting deeper than 3"));
	/* A hostile reply, far deeper than any stack would take without
	 * the bound. */
	s = nested(1000000);
	v = cli_json_parse(s, strlen(s), CLI_JSON_MAX_DEPTH, &err);
	assert_null(v);
	assert_int_equal(err.offset, CLI_JSON_MAX_DEPTH);
	free(s);
	/* Depth 0: scalars only. */
	v = cli_json_parse("[]", 2, 0, &err);
	assert_null(v);
	v = cli_json_parse("7", 1, 0, &err);
	assert_non_null(v);
	cli_json_free(v);
}

static char *
written(const struct cli_json *v, unsigned int indent)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	cli_json_write(f, v, indent);
	fclose(f);
	return out;
}

static void
test_write(void **state)
{
	const char *in =
		"{\"duration_s\":12.500,\"n\":18446744073709551615,"
		"\"s\":\"q\\\"\\\\\\n\\u0001\xc3\xa9\",\"a\":[1,-0,2E+3],"
		"\"o\":{},\"e\":[],\"t\":true,\"f\":false,\"z\":null}";
	struct cli_json *v, *w;
	char *out;

	(void)state;
	v = parse(in);
	assert_non_null(v);
	/* Compact: byte for byte what was read (numbers as written,
	 * \u0001 as the writer escapes it). */
	out = written(v, 0);
	assert_string_equal(out, in);
	free(out);
	/* Indented: parses back to the same compact text. */
	out = written(v, 2);
	assert_non_null(strstr(out, "\n  \"duration_s\": 12.500,\n"));
	w = parse(out);
	assert_non_null(w);
	free(out);
	out = written(w, 0);
	assert_string_equal(out, in);
	free(out);
	cli_json_free(w);
	cli_json_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
