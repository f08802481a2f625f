/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics accounting: worker counters summed into a snapshot, the
 * testpmd-style text (rates from deltas) and the JSON of DESIGN section 5.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_stats.h"

static struct cfg *
two_port_cfg(void)
{
	struct cfg *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->n_ports = 2;
	strcpy(c->ports[0].name, "p0");
	strcpy(c->ports[1].name, "p1");
	c->n_sessions = 2;
	strcpy(c->sessions[0].name, "s1");
	strcpy(c->sessions[1].name, "web");
	return c;
}

static void
fill(struct dp_stats *st, uint64_t k)
{
	memset(st, 0, sizeof(*st));
	st->w.packets = 100 * k;
	st->w.busy_cycles = 1000 * k;
	st->port[0].rx_packets = 100 * k;
	st->port[0].rx_bytes = 6400 * k;
	st->port[1].fwd_packets = 90 * k;
	st->port[1].fwd_bytes = 5760 * k;
	st->port[1].fwd_dropped = 10 * k;
	st->port[1].mirror_packets = 5 * k;
	st->port[1].mirror_bytes = 570 * k;
	st->sess[0].matched = 20 * k;
	st->sess[0].mirrored = 5 * k;
	st->sess[0].mirrored_bytes = 570 * k;
	st->sess[0].dropped[DP_DROP_SAMPLED_OUT] = 10 * k;
	st->sess[0].dropped[DP_DROP_TX_FULL] = 3 * k;
	st->sess[0].dropped[DP_DROP_TOO_BIG] = 2 * k;
}

static char *
render(void (*fn)(FILE *, const struct ctl_snapshot *),
       const struct ctl_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, s);
	fclose(f);
	return buf;
}

static void
test_sum_of_workers(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	struct dp_stats a, b;
	unsigned int r;
	uint64_t sum;

	(void)state;
	fill(&a, 1);
	fill(&b, 2);
	ctl_snapshot_begin(s, c, 2.5);
	ctl_snapshot_add(s, &a, 1);
	ctl_snapshot_add(s, &b, 3);
	ctl_snapshot_device(s, 0, 7, 1, 0);
	assert_int_equal(s->n_workers, 2);
	assert_int_equal(s->lcore[1], 3);
	assert_int_equal(s->port[0].rx_packets, 300);
	assert_int_equal(s->port[0].rx_missed, 7);
	assert_int_equal(s->port[1].tx_packets, 3 * 95);
	assert_int_equal(s->port[1].tx_bytes, 3 * (5760 + 570));
	assert_int_equal(s->sess[0].matched, 60);
	sum = s->sess[0].mirrored;
	for (r = 0; r < DP_DROP_MAX; r++)
		sum += s->sess[0].dropped[r];
	assert_int_equal(s->sess[0].matched, sum);
	free(s);
	free(c);
}

static void
test_json_keys_and_values(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	struct dp_stats a;
	char *j;
	int depth = 0;
	const char *p;

	(void)state;
	fill(&a, 1);
	ctl_snapshot_begin(s, c, 12.5);
	ctl_snapshot_add(s, &a, 1);
	j = render(ctl_stats_json, s);
	/* Every contract key of DESIGN section 5 is there. */
	assert_non_null(strstr(j, "\"duration_s\": 12.500"));
	assert_non_null(strstr(j, "\"p0\": { \"rx_packets\": 100, \"rx_bytes\": 6400"));
	assert_non_null(strstr(j, "\"tx_packets\": 95, \"tx_bytes\": 6330"));
	assert_non_null(strstr(j, "\"rx_missed\": 0"));
	assert_non_null(strstr(j, "\"rx_errors\": 0"));
	assert_non_null(strstr(j, "\"tx_dropped\": 10"));
	assert_non_null(strstr(j, "\"s1\": { \"matched\": 20, \"mirrored\": 5, "
				  "\"mirrored_bytes\": 570"));
	assert_non_null(strstr(j, "\"sampled_out\": 10, \"rate_limited\": 0, "
				  "\"no_mbuf\": 0, \"tx_full\": 3, "
				  "\"too_big\": 2"));
	assert_non_null(strstr(j, "\"web\": { \"matched\": 0"));
	assert_non_null(strstr(j, "\"workers\": [ { \"lcore\": 1, "
				  "\"packets\": 100, \"busy_cycles\": 1000 } ]"));
	for (p = j; *p; p++) {
		if (*p == '{' || *p == '[')
			depth++;
		if (*p == '}' || *p == ']')
			depth--;
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
	free(j);
	free(s);
	free(c);
}

static void
test_text_rates_since_last(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s0 = calloc(1, sizeof(*s0));
	struct ctl_snapshot *s1 = calloc(1, sizeof(*s1));
	struct dp_stats a;
	char *t = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	fill(&a, 1);
	ctl_snapshot_begin(s0, c, 1.0);
	ctl_snapshot_add(s0, &a, 1);
	fill(&a, 3);
	ctl_snapshot_begin(s1, c, 3.0);
	ctl_snapshot_add(s1, &a, 1);
	f = open_memstream(&t, &len);
	ctl_stats_print(f, s1, s0);
	fclose(f);
	/* p0 received 200 more packets of 64 B in 2 s: 100 pps, 51200 bps */
	assert_non_null(strstr(t, "NIC statistics for port p0"));
	assert_non_null(strstr(t, "RX-packets: 300"));
	assert_non_null(strstr(t, "Rx-pps:          100          Rx-bps:        51200"));
	assert_non_null(strstr(t, "Mirror session s1"));
	assert_non_null(strstr(t, "Matched: 60"));
	assert_non_null(strstr(t, "tx_full=9"));
	free(t);
	free(s0);
	free(s1);
	free(c);
}

static void
test_json_file_atomic(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	char dir[] = "/tmp/dpm-stats-XXXXXX", path[128], buf[64];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.json", dir);
	ctl_snapshot_begin(s, c, 1);
	assert_int_equal(ctl_stats_json_file(path, s), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_int_equal(strncmp(buf, "{ \"duration_s\"", 14), 0);
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* no temp file left behind */
	snprintf(path, sizeof(path), "%s/missing/s.json", dir);
	assert_true(ctl_stats_json_file(path, s) < 0);
	free(s);
	free(c);
}

/*
 * A JSON syntax check (RFC 8259's grammar): each function returns the end
 * of what it parsed, or NULL.
 */
static const char *json_value(const char *p, int depth);

static const char *
json_ws(const char *p)
{
	while (p != NULL && (*p == ' ' || *p == '\n' || *p == '\t' ||
			     *p == '\r'))
		p++;
	return p;
}

static const char *
json_string(const char *p)
{
	if (p == NULL || *p != '"')
		return NULL;
	for (p++; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL; /* the end, or a raw control byte */
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			if (!isxdigit((unsigned char)p[1]) ||
			    !isxdigit((unsigned char)p[2]) ||
			    !isxdigit((unsigned char)p[3]) ||
			    !isxdigit((unsigned char)p[4]))
				return NULL;
			p += 4;
		} else if (*p == '\0' || strchr("\"\\/bfnrt", *p) == NULL) {
			return NULL;
		}
	}
	return p + 1;
}

static const char *
json_digits(const char *p)
{
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	return p;
}

static const char *
json_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if ((p = json_digits(p)) == NULL)
		return NULL;
	if (*p == '.' && (p = json_digits(p + 1)) == NULL)
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = json_digits(p);
	}
	return p;
}

/* The members of an object ('}') or the elements of an array (']'). */
static const char *
json_list(const char *p, char end, int depth)
{
	p = json_ws(p + 1);
	if (*p == end)
		return p + 1;
	for (;;) {
		if (end == '}') {
			p = json_ws(json_string(json_ws(p)));
			if (p == NULL || *p != ':')
				return NULL;
			p++;
		}
		p = json_ws(json_value(p, depth + 1));
		if (p == NULL)
			return NULL;
		if (*p == end)
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
}

static const char *
json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (p == NULL || depth > 32)
		return NULL;
	switch (*p) {
	case '{':
		return json_list(p, '}', depth);
	case '[':
		return json_list(p, ']', depth);
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return json_number(p);
	}
}

static bool
json_valid(const char *s)
{
	const char *end = json_ws(json_value(s, 0));

	return end != NULL && *end == '\0';
}

static char *
slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *in = fopen(path, "r");
	FILE *out = open_memstream(&buf, &len);
	int ch;

	assert_non_null(in);
	assert_non_null(out);
	while ((ch = fgetc(in)) != EOF)
		fputc(ch, out);
	fclose(in);
	fclose(out);
	return buf;
}

/* The names in DIR, sorted, as "a b c". */
static void
dir_names(const char *dir, char *buf, size_t len)
{
	struct dirent **list;
	int i, n;

	n = scandir(dir, &list, NULL, alphasort);
	assert_true(n >= 0);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") != 0 &&
		    strcmp(list[i]->d_name, "..") != 0)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] != '\0' ? " " : "", list[i]->d_name);
		free(list[i]);
	}
	free(list);
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Remove PATH and, if it is a directory, what is in it; links not followed. */
static void
remove_tree(const char *path)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			char sub[512];

			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			remove_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* A fresh directory for a test in *state, removed afterwards, also when
 * the test fails. */
static int
tmpdir_setup(void **state)
{
	char *dir = strdup("/tmp/dpm-stats-XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int
tmpdir_teardown(void **state)
{
	remove_tree(*state);
	free(*state);
	return 0;
}

/* A snapshot with ports, sessions and a worker, as dpmirror writes it. */
static struct ctl_snapshot *
json_snapshot(struct cfg *c)
{
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	struct dp_stats a;

	assert_non_null(s);
	fill(&a, 7);
	ctl_snapshot_begin(s, c, 3.25);
	ctl_snapshot_add(s, &a, 1);
	ctl_snapshot_device(s, 1, 1, 2, 3);
	return s;
}

/* A normal write: valid JSON, mode 0644 whatever the umask, no temp left. */
static void
test_json_file_valid_0644(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = json_snapshot(c);
	const char *dir = *state;
	char path[128], names[256];
	struct stat st;
	mode_t old;
	char *text;
	int i;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	for (i = 0; i < 2; i++) { /* the second replaces the first */
		old = umask(077);
		assert_int_equal(ctl_stats_json_file(path, s), 0);
		umask(old);
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		if ((st.st_mode & 07777) != 0644)
			fail_msg("mode %04o, want 0644",
				 (unsigned int)(st.st_mode & 07777));
		text = slurp(path);
		if (!json_valid(text))
			fail_msg("not valid JSON: %s", text);
		assert_non_null(strstr(text, "\"sessions\": {"));
		free(text);
	}
	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, "s.json");
	free(s);
	free(c);
}

/*
 * A symbolic link planted at the temporary name the writer once used
 * (PATH.tmp.PID, predictable) is neither followed nor replaced: the file
 * it points to stays as it was.
 */
static void
test_json_file_planted_temp_symlink(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = json_snapshot(c);
	const char *dir = *state;
	char path[128], victim[128], planted[160], names[256];
	struct stat st;
	char *text;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(planted, sizeof(planted), "%s.tmp.%ld", path,
		 (long)getpid());
	write_text(victim, "precious\n");
	assert_int_equal(symlink(victim, planted), 0);

	assert_int_equal(ctl_stats_json_file(path, s), 0);
	text = slurp(victim);
	assert_string_equal(text, "precious\n");
	free(text);
	assert_int_equal(lstat(planted, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	text = slurp(path);
	assert_true(json_valid(text));
	free(text);
	dir_names(dir, names, sizeof(names));
	snprintf(victim, sizeof(victim), "s.json s.json.tmp.%ld victim",
		 (long)getpid());
	assert_string_equal(names, victim);
	free(s);
	free(c);
}

/*
 * PATH itself a symbolic link (to a file, or dangling), a directory or a
 * FIFO: refused, and left as it was.
 */
static void
test_json_file_refuses_links_and_specials(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = json_snapshot(c);
	const char *dir = *state;
	char path[128], victim[128], missing[128], names[256];
	struct stat st;
	char *text;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	write_text(victim, "precious\n");

	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(ctl_stats_json_file(path, s), -ELOOP);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	text = slurp(victim);
	assert_string_equal(text, "precious\n");
	free(text);
	unlink(path);

	assert_int_equal(symlink(missing, path), 0);
	assert_int_equal(ctl_stats_json_file(path, s), -ELOOP);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(missing, &st), -1);
	unlink(path);

	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(ctl_stats_json_file(path, s), -EISDIR);
	assert_int_equal(rmdir(path), 0);

	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(ctl_stats_json_file(path, s), -EINVAL);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	unlink(path);

	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, "victim"); /* no temporary left behind */
	free(s);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_of_workers),
		cmocka_unit_test(test_json_keys_and_values),
		cmocka_unit_test(test_text_rates_since_last),
		cmocka_unit_test(test_json_file_atomic),
		cmocka_unit_test_setup_teardown(test_json_file_valid_0644,
						tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(
			test_json_file_planted_temp_symlink, tmpdir_setup,
			tmpdir_teardown),
		cmocka_unit_test_setup_teardown(
			test_json_file_refuses_links_and_specials, tmpdir_setup,
			tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
