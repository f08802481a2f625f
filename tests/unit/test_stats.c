/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics accounting: worker counters summed into a snapshot, the
 * testpmd-style text (rates from deltas) and the JSON of DESIGN section 5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_of_workers),
		cmocka_unit_test(test_json_keys_and_values),
		cmocka_unit_test(test_text_rates_since_last),
		cmocka_unit_test(test_json_file_atomic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
