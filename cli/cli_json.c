/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli_json.h"

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	unsigned int depth, max_depth;
	struct cli_json_error *err;
	bool failed;
};

static void __attribute__((format(printf, 2, 3)))
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	if (p->err == NULL)
		return;
	p->err->offset = p->pos;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
}

/* A byte for a message: printable ASCII as itself, else its code. */
static const char *
shown(int c, char buf[8])
{
	if (c >= 0x21 && c <= 0x7e && c != '\'')
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "0x%02x", (unsigned int)c & 0xff);
	return buf;
}

static void
skip_ws(struct parser *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
		p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int
peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static struct cli_json *
new_value(struct parser *p, enum cli_json_type type)
{
	struct cli_json *v = calloc(1, sizeof(*v));

	if (v == NULL)
		fail(p, "out of memory");
	else
		v->type = type;
	return v;
}

void
cli_json_free(struct cli_json *v)
{
	unsigned int i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		cli_json_free(v->items[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

static struct cli_json *parse_value(struct parser *p);

/* The literal WORD (true, false, null) at the current position. */
static struct cli_json *
parse_word(struct parser *p, const char *word, enum cli_json_type type)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
		fail(p, "invalid literal: expected '%s'", word);
		return NULL;
	}
	p->pos += n;
	return new_value(p, type);
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static struct cli_json *
parse_number(struct parser *p)
{
	size_t start = p->pos;
	struct cli_json *v;

	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0') {
		p->pos++;
		if (is_digit(peek(p))) {
			fail(p, "invalid number: leading zero");
			return NULL;
		}
	} else if (is_digit(peek(p))) {
		while (is_digit(peek(p)))
			p->pos++;
	} else {
		fail(p, "invalid number: a digit must follow '-'");
		return NULL;
	}
	if (peek(p) == '.') {
		p->pos++;
		if (!is_digit(peek(p))) {
			fail(p, "invalid number: a digit must follow '.'");
			return NULL;
		}
		while (is_digit(peek(p)))
			p->pos++;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!is_digit(peek(p))) {
			fail(p, "invalid number: the exponent has no digit");
			return NULL;
		}
		while (is_digit(peek(p)))
			p->pos++;
	}
	v = new_value(p, CLI_JSON_NUMBER);
	if (v == NULL)
		return NULL;
	v->str = strndup(p->s + start, p->pos - start);
	if (v->str == NULL) {
		fail(p, "out of memory");
		free(v);
		return NULL;
	}
	return v;
}

static int
hex4(struct parser *p, unsigned int *out)
{
	unsigned int i, x = 0;

	for (i = 0; i < 4; i++) {
		int c = peek(p);

		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (unsigned int)(c - 'A' + 10);
		else {
			fail(p, "invalid \\u escape: 4 hex digits expected");
			return -1;
		}
		p->pos++;
	}
	*out = x;
	return 0;
}

/* Append code point CP as UTF-8 to OUT (room for 4 bytes is there). */
static size_t
put_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The length of the well-formed UTF-8 sequence at the current position
 * (its first byte is >= 0x80), or 0: overlong forms, surrogates and code
 * points above U+10FFFF are not well formed (RFC 3629).
 */
static size_t
utf8_len(const struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->s + p->pos;
	size_t left = p->len - p->pos, n, i;
	unsigned int cp, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A string at the current position (on its opening quote): the decoded
 * bytes, NUL-terminated, or NULL. */
static char *
parse_string(struct parser *p)
{
	size_t start = p->pos + 1, end, n = 0;
	char *out;

	/* Decoding never makes a string longer than its source: room for
	 * the bytes up to the closing quote (a backslash escapes the byte
	 * after it), not for the rest of the input, which would make a
	 * reply of many strings cost the square of its length. */
	for (end = start; end < p->len && p->s[end] != '"'; end++)
		if (p->s[end] == '\\')
			end++;
	out = malloc((end < p->len ? end : p->len) - start + 1);
	if (out == NULL) {
		fail(p, "out of memory");
		return NULL;
	}
	p->pos++;
	for (;;) {
		int c = peek(p);
		char b[8];

		if (c < 0) {
			fail(p, "unterminated string (started at byte %zu)",
			     start - 1);
			break;
		}
		if (c == '"') {
			p->pos++;
			out[n] = '\0';
			return out;
		}
		if (c < 0x20) {
			fail(p,
			     "control character %s in a string: it must be "
			     "escaped",
			     shown(c, b));
			break;
		}
		if (c >= 0x80) {
			size_t k = utf8_len(p);

			if (k == 0) {
				fail(p, "invalid UTF-8 in a string");
				break;
			}
			memcpy(out + n, p->s + p->pos, k);
			n += k;
			p->pos += k;
			continue;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			p->pos++;
			continue;
		}
		p->pos++;
		c = peek(p);
		switch (c) {
		case '"':
		case '\\':
		case '/':
			out[n++] = (char)c;
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u': {
			unsigned int cp, lo;

			p->pos++;
			if (hex4(p, &cp) != 0)
				goto error;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				fail(p, "invalid \\u escape: lone low "
					"surrogate");
				goto error;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p->len - p->pos < 2 ||
				    p->s[p->pos] != '\\' ||
				    p->s[p->pos + 1] != 'u') {
					fail(p, "invalid \\u escape: high "
						"surrogate without its low "
						"half");
					goto error;
				}
				p->pos += 2;
				if (hex4(p, &lo) != 0)
					goto error;
				if (lo < 0xdc00 || lo > 0xdfff) {
					fail(p, "invalid \\u escape: high "
						"surrogate without its low "
						"half");
					goto error;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			}
			if (cp == 0) {
				fail(p, "\\u0000 in a string is not "
					"accepted");
				goto error;
			}
			/* \uXXXX (6 bytes) never decodes to more than 3
			 * bytes, a surrogate pair (12) to more than 4. */
			n += put_utf8(out + n, cp);
			continue;
		}
		case -1:
			fail(p, "unterminated string (started at byte %zu)",
			     start - 1);
			goto error;
		default:
			fail(p,
			     "invalid escape \\%s in a string (valid: \\\" "
			     "\\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
			     shown(c, b));
			goto error;
		}
		p->pos++;
	}
error:
	free(out);
	return NULL;
}

/*
 * Append V (and KEY, for an object) to container C.  The arrays grow by
 * doubling (their capacity is implied by N: 4, then the next power of
 * two), so that a long array or object costs O(n), not O(n^2) copies.
 */
static int
grow_append(struct cli_json *c, char *key, struct cli_json *v)
{
	struct cli_json **items;
	char **keys;

	if (c->n == 0 || (c->n >= 4 && (c->n & (c->n - 1)) == 0)) {
		size_t cap = c->n == 0 ? 4 : 2 * (size_t)c->n;

		if (cap > UINT_MAX)
			return -1;
		items = realloc(c->items, cap * sizeof(*items));
		if (items == NULL)
			return -1;
		c->items = items;
		if (c->type == CLI_JSON_OBJECT) {
			keys = realloc(c->keys, cap * sizeof(*keys));
			if (keys == NULL)
				return -1;
			c->keys = keys;
		}
	}
	if (c->type == CLI_JSON_OBJECT)
		c->keys[c->n] = key;
	c->items[c->n++] = v;
	return 0;
}

static int
append(struct parser *p, struct cli_json *c, char *key, struct cli_json *v)
{
	if (grow_append(c, key, v) == 0)
		return 0;
	fail(p, "out of memory");
	return -1;
}

struct cli_json *
cli_json_new(enum cli_json_type type, const char *str)
{
	struct cli_json *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->type = type;
	if ((type == CLI_JSON_NUMBER || type == CLI_JSON_STRING) &&
	    (v->str = strdup(str != NULL ? str : "")) == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

int
cli_json_add(struct cli_json *c, const char *key, struct cli_json *v)
{
	char *k = NULL;

	if (c == NULL || v == NULL ||
	    (c->type != CLI_JSON_OBJECT && c->type != CLI_JSON_ARRAY))
		goto fail;
	if (c->type == CLI_JSON_OBJECT &&
	    (key == NULL || (k = strdup(key)) == NULL))
		goto fail;
	if (grow_append(c, k, v) == 0)
		return 0;
fail:
	free(k);
	cli_json_free(v);
	return -1;
}

struct cli_json *
cli_json_take(struct cli_json *obj, const char *key)
{
	struct cli_json *v;
	unsigned int i;

	if (obj == NULL || obj->type != CLI_JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->n && strcmp(obj->keys[i], key) != 0; i++)
		;
	if (i == obj->n)
		return NULL;
	v = obj->items[i];
	free(obj->keys[i]);
	memmove(&obj->items[i], &obj->items[i + 1],
		(obj->n - i - 1) * sizeof(obj->items[0]));
	memmove(&obj->keys[i], &obj->keys[i + 1],
		(obj->n - i - 1) * sizeof(obj->keys[0]));
	obj->n--;
	return v;
}

/*
 * The member names of one object being read, hashed (open addressing,
 * at most half full), so that finding a duplicate costs O(1) per member
 * rather than a scan of those before it.  A slot holds 1 + the member's
 * index, 0 when empty.
 */
struct keyset {
	unsigned int *slot;
	size_t cap; /* a power of two, or 0 */
};

static size_t
key_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 32));
}

/* The slot of KEY in K: where it is, or the empty one where it would go. */
static size_t
keyset_find(const struct keyset *k, char *const *keys, const char *key)
{
	size_t i = key_hash(key) & (k->cap - 1);

	while (k->slot[i] != 0 && strcmp(keys[k->slot[i] - 1], key) != 0)
		i = (i + 1) & (k->cap - 1);
	return i;
}

/* Make room in K for N + 1 of the names KEYS[0..N-1]; -1 out of memory. */
static int
keyset_reserve(struct keyset *k, char *const *keys, unsigned int n)
{
	unsigned int *old = k->slot;
	size_t cap, i;

	if (2 * ((size_t)n + 1) <= k->cap)
		return 0;
	cap = k->cap == 0 ? 16 : 2 * k->cap;
	k->slot = calloc(cap, sizeof(*k->slot));
	if (k->slot == NULL) {
		k->slot = old;
		return -1;
	}
	k->cap = cap;
	for (i = 0; i < n; i++)
		k->slot[keyset_find(k, keys, keys[i])] = (unsigned int)i + 1;
	free(old);
	return 0;
}

static struct cli_json *
parse_container(struct parser *p, bool object)
{
	int close = object ? '}' : ']';
	struct keyset ks = {NULL, 0};
	struct cli_json *c;

	if (p->depth >= p->max_depth) {
		fail(p, "nesting deeper than %u arrays and objects",
		     p->max_depth);
		return NULL;
	}
	c = new_value(p, object ? CLI_JSON_OBJECT : CLI_JSON_ARRAY);
	if (c == NULL)
		return NULL;
	p->depth++;
	p->pos++;
	skip_ws(p);
	if (peek(p) == close) {
		p->pos++;
		p->depth--;
		return c;
	}
	for (;;) {
		struct cli_json *v;
		char *key = NULL;
		char b[8];
		int ch;

		skip_ws(p);
		if (object) {
			size_t at = p->pos, slot;

			if (peek(p) != '"') {
				if (peek(p) == '}')
					fail(p, "trailing comma in an object");
				else if (peek(p) < 0)
					fail(p, "unterminated object");
				else
					fail(p,
					     "a member name (a string) "
					     "expected, found %s",
					     shown(peek(p), b));
				goto error;
			}
			key = parse_string(p);
			if (key == NULL)
				goto error;
			if (keyset_reserve(&ks, c->keys, c->n) != 0) {
				fail(p, "out of memory");
				free(key);
				goto error;
			}
			slot = keyset_find(&ks, c->keys, key);
			if (ks.slot[slot] != 0) {
				p->pos = at;
				fail(p,
				     "duplicate member \"%.64s\" in an "
				     "object",
				     key);
				free(key);
				goto error;
			}
			skip_ws(p);
			if (peek(p) != ':') {
				fail(p, "':' expected after a member name");
				free(key);
				goto error;
			}
			p->pos++;
			skip_ws(p);
		} else if (peek(p) == ']') {
			fail(p, "trailing comma in an array");
			goto error;
		}
		v = parse_value(p);
		if (v == NULL) {
			free(key);
			goto error;
		}
		if (append(p, c, key, v) != 0) {
			free(key);
			cli_json_free(v);
			goto error;
		}
		if (object)
			ks.slot[keyset_find(&ks, c->keys, key)] = c->n;
		skip_ws(p);
		ch = peek(p);
		if (ch == ',') {
			p->pos++;
			continue;
		}
		if (ch == close) {
			p->pos++;
			break;
		}
		if (ch < 0)
			fail(p, "unterminated %s", object ? "object" : "array");
		else
			fail(p, "',' or '%c' expected, found %s", close,
			     shown(ch, b));
		goto error;
	}
	p->depth--;
	free(ks.slot);
	return c;
error:
	free(ks.slot);
	cli_json_free(c);
	return NULL;
}

static struct cli_json *
parse_value(struct parser *p)
{
	struct cli_json *v;
	char b[8];
	int c;

	skip_ws(p);
	c = peek(p);
	switch (c) {
	case '{':
		return parse_container(p, true);
	case '[':
		return parse_container(p, false);
	case '"': {
		char *s = parse_string(p);

		if (s == NULL)
			return NULL;
		v = new_value(p, CLI_JSON_STRING);
		if (v == NULL)
			free(s);
		else
			v->str = s;
		return v;
	}
	case 't':
		return parse_word(p, "true", CLI_JSON_TRUE);
	case 'f':
		return parse_word(p, "false", CLI_JSON_FALSE);
	case 'n':
		return parse_word(p, "null", CLI_JSON_NULL);
	case -1:
		fail(p, "a value expected, found the end of the input");
		return NULL;
	default:
		if (c == '-' || is_digit(c))
			return parse_number(p);
		fail(p, "a value expected, found %s", shown(c, b));
		return NULL;
	}
}

struct cli_json *
cli_json_parse(const char *text, size_t len, unsigned int max_depth,
	       struct cli_json_error *err)
{
	struct parser p = {
		.s = text,
		.len = len,
		.max_depth = max_depth,
		.err = err,
	};
	struct cli_json *v;

	if (err != NULL) {
		err->offset = 0;
		err->msg[0] = '\0';
	}
	if (text == NULL)
		p.len = 0;
	v = parse_value(&p);
	if (v == NULL) {
		if (!p.failed)
			fail(&p, "out of memory");
		return NULL;
	}
	skip_ws(&p);
	if (p.pos < p.len) {
		char b[8];

		fail(&p, "%s after the value: one value only",
		     shown(peek(&p), b));
		cli_json_free(v);
		return NULL;
	}
	return v;
}

const struct cli_json *
cli_json_get(const struct cli_json *obj, const char *key)
{
	unsigned int i;

	if (obj == NULL || obj->type != CLI_JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

static bool
is_integer_text(const char *s)
{
	return strpbrk(s, ".eE") == NULL;
}

bool
cli_json_u64(const struct cli_json *v, uint64_t *out)
{
	unsigned long long x;
	char *end;

	if (v == NULL || v->type != CLI_JSON_NUMBER || !is_integer_text(v->str))
		return false;
	if (v->str[0] == '-')
		/* "-0" is zero; anything else negative is out of range. */
		return strcmp(v->str, "-0") == 0 ? (*out = 0, true) : false;
	errno = 0;
	x = strtoull(v->str, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = x;
	return true;
}

bool
cli_json_i64(const struct cli_json *v, int64_t *out)
{
	long long x;
	char *end;

	if (v == NULL || v->type != CLI_JSON_NUMBER || !is_integer_text(v->str))
		return false;
	errno = 0;
	x = strtoll(v->str, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = x;
	return true;
}

bool
cli_json_double(const struct cli_json *v, double *out)
{
	char *end;
	double x;

	if (v == NULL || v->type != CLI_JSON_NUMBER)
		return false;
	errno = 0;
	x = strtod(v->str, &end);
	if (*end != '\0' || isinf(x) || (errno == ERANGE && x != 0))
		return false;
	*out = x;
	return true;
}

void
cli_json_write_string(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	fputc('"', f);
	for (; *u != '\0'; u++) {
		switch (*u) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (*u < 0x20)
				fprintf(f, "\\u%04x", *u);
			else
				fputc(*u, f);
		}
	}
	fputc('"', f);
}

static void
newline(FILE *f, unsigned int indent, unsigned int level)
{
	if (indent == 0)
		return;
	fprintf(f, "\n%*s", (int)(indent * level), "");
}

static void
write_value(FILE *f, const struct cli_json *v, unsigned int indent,
	    unsigned int level)
{
	unsigned int i;

	switch (v->type) {
	case CLI_JSON_NULL:
		fputs("null", f);
		break;
	case CLI_JSON_FALSE:
		fputs("false", f);
		break;
	case CLI_JSON_TRUE:
		fputs("true", f);
		break;
	case CLI_JSON_NUMBER:
		fputs(v->str, f);
		break;
	case CLI_JSON_STRING:
		cli_json_write_string(f, v->str);
		break;
	case CLI_JSON_ARRAY:
	case CLI_JSON_OBJECT:
		fputc(v->type == CLI_JSON_OBJECT ? '{' : '[', f);
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				fputc(',', f);
			newline(f, indent, level + 1);
			if (v->type == CLI_JSON_OBJECT) {
				cli_json_write_string(f, v->keys[i]);
				fputs(indent > 0 ? ": " : ":", f);
			}
			write_value(f, v->items[i], indent, level + 1);
		}
		if (v->n > 0)
			newline(f, indent, level);
		fputc(v->type == CLI_JSON_OBJECT ? '}' : ']', f);
		break;
	}
}

void
cli_json_write(FILE *f, const struct cli_json *v, unsigned int indent)
{
	write_value(f, v, indent, 0);
}
