/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared rate cap (dataplane/dp_rate.h): a clock given by hand, where
 * every byte passed can be predicted; then real threads on the monotonic
 * clock (nanoseconds as the TSC), one with 90 % of the traffic and one
 * with 10 %, and one thread alone: the bytes passed stay within
 * rate x T + burst and reach at least 90 % of it (a loaded machine may
 * leave a thread off its core for a while).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dp_rate.h"

#define NS_HZ 1000000000ull

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_HZ + (uint64_t)ts.tv_nsec;
}

/* A cap of 8 Mbit/s (1 byte per microsecond on a 1 GHz clock), a burst of
 * 50000 bytes, one worker: the quantum is a quarter of the burst, 12500
 * bytes, so a full bucket passes 37500 bytes, 37 copies of 1000. */
static void
test_fake_clock(void **state)
{
	struct dp_rate_bucket b;
	struct dp_rate_local l;
	struct dp_rate_prof p;
	uint64_t t, passed = 0, tat, offered;
	unsigned int i;

	(void)state;
	memset(&b, 0, sizeof(b));
	memset(&l, 0, sizeof(l));
	assert_int_equal(dp_rate_prof_init(&p, 8000000, 50000, NS_HZ, 1, 9118),
			 0);
	assert_int_equal(p.quantum, 12500);
	assert_int_equal(dp_rate_cost(&p, 1000), 1000000);
	assert_int_equal(p.depth, 37500000);
	dp_rate_adopt(&b, &l, 1);
	assert_int_equal(b.epoch, 1);

	t = 5000;
	while (dp_rate_take(&b, &l, &p, 1000, t))
		passed += 1000;
	assert_int_equal(passed, 37000);
	/* Three grants of 12500 bytes, 37000 spent: 500 are left with the
	 * worker, enough for a small copy.  Refused once in this burst, the
	 * shared line is not looked at again until the time moves. */
	assert_int_equal(l.left, 500);
	assert_true(dp_rate_take(&b, &l, &p, 64, t));
	tat = b.tat;
	assert_int_equal(l.dry, t);
	assert_false(dp_rate_take(&b, &l, &p, 600, t));
	assert_int_equal(b.tat, tat);

	/* 10 s in steps of 100 us, 5 copies offered per step (50 times the
	 * rate): never above rate x t + burst, and in the end short of it
	 * by at most what the bucket keeps back for the worker's grant and
	 * the grant it holds, and a copy. */
	offered = 0;
	for (i = 1; i <= 100000; i++) {
		unsigned int k;

		t = 5000 + (uint64_t)i * 100000;
		for (k = 0; k < 5; k++, offered++)
			if (dp_rate_take(&b, &l, &p, 1000, t))
				passed += 1000;
		if (passed > (t - 5000) / 1000 + 50000)
			fail_msg("at %llu ns: %llu bytes passed, more than "
				 "%llu",
				 (unsigned long long)t,
				 (unsigned long long)passed,
				 (unsigned long long)((t - 5000) / 1000 +
						      50000));
	}
	assert_true(passed >= 10000000 + 50000 - 2 * 12500 - 1000);
	assert_true(passed < offered * 1000 / 10);

	/* The same epoch again (a reload that keeps the rate), or an older
	 * one (a worker slow to see a newer ruleset): the bucket goes on,
	 * empty as it is.  A newer epoch fills it. */
	dp_rate_adopt(&b, &l, 1);
	assert_false(dp_rate_take(&b, &l, &p, 1000, t));
	dp_rate_adopt(&b, &l, 0);
	assert_int_equal(b.epoch, 1);
	assert_false(dp_rate_take(&b, &l, &p, 1000, t));
	dp_rate_adopt(&b, &l, 7);
	assert_int_equal(b.epoch, 7);
	passed = 0;
	while (dp_rate_take(&b, &l, &p, 1000, t))
		passed += 1000;
	assert_int_equal(passed, 37000);

	/* A grant is what the copy needs or a quantum, whichever is more;
	 * what the copy leaves of it stays with the worker. */
	dp_rate_adopt(&b, &l, 8);
	assert_true(dp_rate_take(&b, &l, &p, 600, t));
	assert_int_equal(l.left, 11900);
	assert_true(dp_rate_take(&b, &l, &p, 11000, t));
	assert_int_equal(l.left, 900);
	assert_true(dp_rate_take(&b, &l, &p, 13000, t)); /* a grant more */
	assert_int_equal(l.left, 400);
	/* 37500 - 2 x 12500 = 12500 bytes left in the bucket and 400 with
	 * the worker: a copy of 12901 does not fit, one of 12900 takes them
	 * all. */
	assert_false(dp_rate_take(&b, &l, &p, 12901, t));
	assert_true(dp_rate_take(&b, &l, &p, 12900, t + 1));
	assert_int_equal(l.left, 0);
}

/* Profiles: no cap, and a burst that cannot hold what the workers keep
 * and one frame. */
static void
test_profiles(void **state)
{
	struct dp_rate_prof p;

	(void)state;
	assert_int_equal(dp_rate_prof_init(&p, 0, 50000, NS_HZ, 4, 9118), 0);
	assert_int_equal(p.cpb, 0);
	assert_int_equal(dp_rate_prof_init(&p, 8000000, 9000, NS_HZ, 1, 9118),
			 -1);
	assert_int_equal(p.cpb, 0);
	/* 10 Gbit/s on a 2.5 GHz TSC: 2 cycles per byte; 50 us are 62500
	 * bytes, less than the least quantum; 16 workers keep 16 of them
	 * out of a burst of 62.5 MB. */
	assert_int_equal(dp_rate_prof_init(&p, 10000000000ull, 62500000,
					   2500000000ull, 16, 9118),
			 0);
	assert_int_equal(p.quantum, DP_RATE_QUANTUM);
	assert_int_equal(dp_rate_cost(&p, 1000), 2000);
	assert_int_equal(p.depth, 2 * (62500000 - 16 * DP_RATE_QUANTUM));
	/* 100 Gbit/s: 50 us are 625000 bytes. */
	assert_int_equal(dp_rate_prof_init(&p, 100000000000ull, 625000000,
					   2500000000ull, 16, 9118),
			 0);
	assert_int_equal(p.quantum, 625000);
	/* 1 bit/s: the fixed point gives up fractional bits, not range. */
	assert_int_equal(dp_rate_prof_init(&p, 1, 18200, 3000000000ull, 1,
					   9118),
			 0);
	assert_true(p.shift < 32);
	assert_int_equal(dp_rate_cost(&p, 1), 24000000000ull);
	assert_int_equal(p.quantum, 18200 / 4);
	/* 64 workers with a burst of two jumbo frames: what they may keep
	 * (a quarter of the burst over them) still leaves room for one. */
	assert_int_equal(dp_rate_prof_init(&p, 8000000, 18200, NS_HZ, 64,
					   9118),
			 0);
	assert_int_equal(p.quantum, 18200 / 4 / 64);
	/* 2000 workers: they would keep 64 bytes each, more than the burst
	 * has beside a frame. */
	assert_int_equal(dp_rate_prof_init(&p, 8000000, 18200, NS_HZ, 2000,
					   9118),
			 -1);
}

struct runner {
	struct dp_rate_bucket *b;
	const struct dp_rate_prof *p;
	unsigned int per_round; /* copies offered per burst */
	uint64_t until;		/* stop at this time */
	volatile int *go;
	uint64_t passed, last;
};

static void *
run(void *arg)
{
	struct runner *r = arg;
	struct dp_rate_local l;
	uint32_t x = r->per_round * 2654435761u;
	uint64_t t;
	unsigned int k;

	memset(&l, 0, sizeof(l));
	l.dry = UINT64_MAX;
	while (__atomic_load_n(r->go, __ATOMIC_ACQUIRE) == 0)
		;
	for (;;) {
		t = now_ns();
		if (t >= r->until)
			break;
		for (k = 0; k < r->per_round; k++) {
			uint32_t len;

			x = x * 1103515245u + 12345u;
			len = 64 + (x >> 8) % 1437; /* 64..1500 */
			if (dp_rate_take(r->b, &l, r->p, len, t))
				r->passed += len;
		}
		r->last = t;
	}
	return NULL;
}

/*
 * N threads (N = 1 or 2) offering PER_ROUND[i] copies per burst for 1 s
 * to a cap of 400 Mbit/s with a burst of 200 ms of it, shared by two
 * workers: the bytes passed are at most rate x T + burst and at least 90 %
 * of it.  (A bucket that fills while no thread runs loses what overflows;
 * 200 ms rides out what a busy machine's scheduler does to a thread.)
 */
static void
share(unsigned int n, const unsigned int *per_round)
{
	const uint64_t rate = 400000000, burst = rate / 8 / 5;
	struct dp_rate_bucket b;
	struct dp_rate_prof p;
	struct dp_rate_local l0;
	struct runner r[2];
	pthread_t th[2];
	volatile int go = 0;
	uint64_t start, end = 0, passed = 0, bound;
	unsigned int i;

	memset(&b, 0, sizeof(b));
	memset(&l0, 0, sizeof(l0));
	assert_int_equal(dp_rate_prof_init(&p, rate, burst, NS_HZ, 2, 9118),
			 0);
	dp_rate_adopt(&b, &l0, 1);
	start = now_ns();
	for (i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].b = &b;
		r[i].p = &p;
		r[i].per_round = per_round[i];
		r[i].until = start + NS_HZ;
		r[i].go = &go;
		assert_int_equal(pthread_create(&th[i], NULL, run, &r[i]), 0);
	}
	/* The bucket is full from the start on: count from here. */
	start = now_ns();
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		passed += r[i].passed;
		if (r[i].last > end)
			end = r[i].last;
	}
	bound = (end - start) * (rate / 8) / NS_HZ + burst;
	printf("# %u thread(s): %llu bytes passed in %.3f s, bound %llu "
	       "(%.2f %%)",
	       n, (unsigned long long)passed, (double)(end - start) / NS_HZ,
	       (unsigned long long)bound, 100.0 * (double)passed / bound);
	for (i = 0; i < n; i++)
		printf(", thread %u %llu", i, (unsigned long long)r[i].passed);
	printf("\n");
	assert_true(end > start);
	assert_true(passed <= bound);
	assert_true(passed >= bound / 100 * 90);
}

static void
test_two_threads_90_10(void **state)
{
	const unsigned int per_round[2] = {9, 1};

	(void)state;
	share(2, per_round);
}

static void
test_one_thread_whole_rate(void **state)
{
	const unsigned int per_round[1] = {8};

	(void)state;
	share(1, per_round);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_clock),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_two_threads_90_10),
		cmocka_unit_test(test_one_thread_whole_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
