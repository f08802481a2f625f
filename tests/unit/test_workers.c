/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker bookkeeping (ctl_workers.h): how many worker lcores are taken,
 * which (port, rx queue) pairs each worker polls, its tx queues on every
 * port, which workers poll each port, and the layouts that are refused.
 * Ports are described by hand (struct ctl_ports as ctl_ports_setup leaves
 * it); the workers' state comes from an EAL without hugepages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_workers.h"
#include "eal_test.h"

static struct dp_shared sh;

/* Port I of PORTS: its name, whether it is polled, its rx queues and the
 * tx queue layout (stride, offsets of forward and copy queues). */
static void
port(struct ctl_ports *ports, unsigned int i, const char *name, bool polled,
     uint16_t n_rxq, uint16_t stride, uint16_t fwd_ofs, uint16_t mir_ofs)
{
	struct ctl_port *p = &ports->p[i];

	p->name = name;
	p->polled = polled;
	p->n_rxq = n_rxq;
	p->txq_stride = stride;
	p->fwd_ofs = fwd_ofs;
	p->mir_ofs = mir_ofs;
	if (ports->n <= i)
		ports->n = i + 1;
}

/* N workers on lcores 1..N, allocated. */
static void
workers(struct ctl_workers *ws, unsigned int n)
{
	unsigned int lcores[CTL_WORKERS_MAX], i;
	struct dpm_err e;

	for (i = 0; i < n; i++)
		lcores[i] = i + 1;
	if (ctl_workers_init(ws, lcores, n, &e) != 0)
		fail_msg("init %u: %s", n, e.msg);
	if (ctl_workers_alloc(ws, &sh, &e) != 0)
		fail_msg("alloc %u: %s", n, e.msg);
}

/* Worker W polls exactly the pairs given (port, queue, port, queue...),
 * in that order. */
static void
polls(const struct ctl_workers *ws, unsigned int w, unsigned int n, ...)
{
	const struct dp_worker *wk = ws->w[w];
	unsigned int i;
	va_list ap;

	if (wk->n_rxq != n)
		fail_msg("worker %u polls %u queues, expected %u", w,
			 wk->n_rxq, n);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		unsigned int p = va_arg(ap, unsigned int);
		unsigned int q = va_arg(ap, unsigned int);

		if (wk->rxq[i].port != p || wk->rxq[i].queue != q)
			fail_msg("worker %u, rx %u: port %u queue %u, "
				 "expected port %u queue %u",
				 w, i, wk->rxq[i].port, wk->rxq[i].queue, p,
				 q);
	}
	va_end(ap);
}

static void
nothing_polled(const struct ctl_workers *ws)
{
	unsigned int i;

	for (i = 0; i < ws->n; i++)
		assert_int_equal(ws->w[i]->n_rxq, 0);
	for (i = 0; i < DP_MAX_PORTS; i++)
		assert_int_equal(ws->port_workers[i], 0);
}

static void
test_init_counts(void **state)
{
	unsigned int lcores[CTL_WORKERS_MAX + 1], i;
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	for (i = 0; i <= CTL_WORKERS_MAX; i++)
		lcores[i] = 10 + i;
	assert_int_equal(ctl_workers_init(&ws, lcores, 0, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no worker lcore"));
	assert_non_null(strstr(e.msg, "-l 0,1"));
	assert_int_equal(ws.n, 0);

	assert_int_equal(ctl_workers_init(&ws, lcores, CTL_WORKERS_MAX + 1, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "65 worker lcores"));
	assert_non_null(strstr(e.msg, "at most 64"));
	assert_int_equal(ws.n, 0);

	assert_int_equal(ctl_workers_init(&ws, lcores, CTL_WORKERS_MAX, &e), 0);
	assert_int_equal(ws.n, CTL_WORKERS_MAX);
	assert_int_equal(ws.lcore[0], 10);
	assert_int_equal(ws.lcore[63], 73);
	assert_null(ws.w[0]);

	/* The unit tests' EAL has one lcore, the main one: no worker. */
	assert_int_equal(ctl_workers_init_eal(&ws, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no worker lcore"));
}

static void
test_alloc(void **state)
{
	struct ctl_workers ws;
	unsigned int i;

	(void)state;
	workers(&ws, 3);
	for (i = 0; i < 3; i++) {
		assert_non_null(ws.w[i]);
		assert_int_equal(ws.w[i]->id, i);
		assert_int_equal(ws.w[i]->lcore, i + 1);
		assert_ptr_equal(ws.w[i]->sh, &sh);
		assert_int_equal((uintptr_t)ws.w[i] % RTE_CACHE_LINE_SIZE, 0);
	}
	ctl_workers_free(&ws);
	for (i = 0; i < 3; i++)
		assert_null(ws.w[i]);
	ctl_workers_free(&ws); /* idempotent */
}

/* An inline pair, one queue each, one worker: it polls both. */
static void
test_one_worker_pair(void **state)
{
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "a", true, 1, 1, 0, 0);
	port(&ports, 1, "b", true, 1, 1, 0, 0);
	workers(&ws, 1);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	polls(&ws, 0, 2, 0u, 0u, 1u, 0u);
	assert_int_equal(ws.port_workers[0], 1);
	assert_int_equal(ws.port_workers[1], 1);
	assert_int_equal(ws.w[0]->fwd_txq[0], 0);
	assert_int_equal(ws.w[0]->fwd_txq[1], 0);
	ctl_workers_free(&ws);
}

/* The round robin carries on from one port to the next (the example of
 * ctl_workers.h): A has 2 queues, B 1, two workers. */
static void
test_round_robin_across_ports(void **state)
{
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "A", true, 2, 1, 0, 0);
	port(&ports, 1, "B", true, 1, 1, 0, 0);
	workers(&ws, 2);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	polls(&ws, 0, 2, 0u, 0u, 1u, 0u);
	polls(&ws, 1, 1, 0u, 1u);
	assert_int_equal(ws.port_workers[0], 0x3);
	assert_int_equal(ws.port_workers[1], 0x1);

	/* Three workers, 4 + 3 queues: 0,1,2 on A, 0 on A again, then B. */
	ctl_workers_free(&ws);
	port(&ports, 0, "A", true, 4, 1, 0, 0);
	port(&ports, 1, "B", true, 3, 1, 0, 0);
	workers(&ws, 3);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	polls(&ws, 0, 3, 0u, 0u, 0u, 3u, 1u, 2u);
	polls(&ws, 1, 2, 0u, 1u, 1u, 0u);
	polls(&ws, 2, 2, 0u, 2u, 1u, 1u);
	assert_int_equal(ws.port_workers[0], 0x7);
	assert_int_equal(ws.port_workers[1], 0x7);
	ctl_workers_free(&ws);
}

/* Unpolled ports (a collector's egress) get no rx queue, but every worker
 * gets its tx queues there; a port that shares one queue per worker for
 * both roles, and one nothing is sent on, are laid out as ctl_port says. */
static void
test_tx_queues(void **state)
{
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;
	unsigned int w;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	/* in: polled, forwards and carries copies: 2 tx queues per worker */
	port(&ports, 0, "in", true, 1, 2, 0, 1);
	/* tap: polled, nothing is ever sent on it */
	port(&ports, 1, "tap", true, 1, 0, 0, 0);
	/* out: copies only, not polled */
	port(&ports, 2, "out", false, 1, 1, 0, 0);
	workers(&ws, 3);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	polls(&ws, 0, 1, 0u, 0u);
	polls(&ws, 1, 1, 1u, 0u);
	polls(&ws, 2, 0);
	assert_int_equal(ws.port_workers[0], 0x1);
	assert_int_equal(ws.port_workers[1], 0x2);
	assert_int_equal(ws.port_workers[2], 0);
	for (w = 0; w < 3; w++) {
		assert_int_equal(ws.w[w]->fwd_txq[0], 2 * w);
		assert_int_equal(ws.w[w]->mirror_txq[0], 2 * w + 1);
		assert_int_equal(ws.w[w]->fwd_txq[1], 0);
		assert_int_equal(ws.w[w]->mirror_txq[1], 0);
		assert_int_equal(ws.w[w]->fwd_txq[2], w);
		assert_int_equal(ws.w[w]->mirror_txq[2], w);
	}
	ctl_workers_free(&ws);
}

/* More workers than queues: the last ones poll nothing and are in no
 * port's set. */
static void
test_idle_workers(void **state)
{
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "span", true, 2, 1, 0, 0);
	port(&ports, 1, "out", false, 1, 1, 0, 0);
	workers(&ws, 4);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	polls(&ws, 0, 1, 0u, 0u);
	polls(&ws, 1, 1, 0u, 1u);
	polls(&ws, 2, 0);
	polls(&ws, 3, 0);
	assert_int_equal(ws.port_workers[0], 0x3);
	assert_int_equal(ws.port_workers[1], 0);
	ctl_workers_free(&ws);
}

/* 64 workers, the most: worker 63 is bit 63 of the port's set. */
static void
test_64_workers(void **state)
{
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;
	unsigned int w;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "nic", true, 64, 1, 0, 0);
	port(&ports, 1, "nic2", true, 1, 1, 0, 0);
	workers(&ws, 64);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	for (w = 1; w < 64; w++)
		polls(&ws, w, 1, 0u, w);
	polls(&ws, 0, 2, 0u, 0u, 1u, 0u);
	assert_true(ws.port_workers[0] == UINT64_MAX);
	assert_int_equal(ws.port_workers[1], 1);
	ctl_workers_free(&ws);
}

/* Refused: nothing to receive on. */
static void
test_refuse_nothing_polled(void **state)
{
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "out", false, 1, 1, 0, 0);
	workers(&ws, 2);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no port to receive on"));
	assert_non_null(strstr(e.msg, "[session] sources: "));
	nothing_polled(&ws);
	ctl_workers_free(&ws);
}

/* Refused: a worker would poll more than DP_MAX_RXQ queues; the message
 * names the port, its rx_queues and how many workers would do, and no
 * worker is left half assigned. */
static void
test_refuse_too_many_queues(void **state)
{
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "big", true, DP_MAX_RXQ + 1, 1, 0, 0);
	workers(&ws, 1);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "[port big] rx_queues = 65"));
	assert_non_null(strstr(e.msg, "would poll 65 rx queues"));
	assert_non_null(strstr(e.msg, "at least 2"));
	nothing_polled(&ws);
	ctl_workers_free(&ws);

	/* Two workers: 64 + 64 fit exactly, one more queue does not, and
	 * the port that overflows is the one named. */
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "a", true, 64, 1, 0, 0);
	port(&ports, 1, "b", true, 64, 1, 0, 0);
	workers(&ws, 2);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	assert_int_equal(ws.w[0]->n_rxq, DP_MAX_RXQ);
	assert_int_equal(ws.w[1]->n_rxq, DP_MAX_RXQ);
	port(&ports, 2, "c", true, 1, 1, 0, 0);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "[port c] rx_queues = 1"));
	assert_non_null(strstr(e.msg, "would poll 129 rx queues"));
	assert_non_null(strstr(e.msg, "at least 3"));
	nothing_polled(&ws);
	ctl_workers_free(&ws);
}

/* Assigning twice gives the same layout, not twice the queues; workers
 * without state are refused. */
static void
test_reassign(void **state)
{
	unsigned int lcores[2] = {1, 2};
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "a", true, 3, 1, 0, 0);
	workers(&ws, 2);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	polls(&ws, 0, 2, 0u, 0u, 0u, 2u);
	polls(&ws, 1, 1, 0u, 1u);
	ctl_workers_free(&ws);

	assert_int_equal(ctl_workers_init(&ws, lcores, 2, &e), 0);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "allocate the workers first"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_counts),
		cmocka_unit_test(test_alloc),
		cmocka_unit_test(test_one_worker_pair),
		cmocka_unit_test(test_round_robin_across_ports),
		cmocka_unit_test(test_tx_queues),
		cmocka_unit_test(test_idle_workers),
		cmocka_unit_test(test_64_workers),
		cmocka_unit_test(test_refuse_nothing_polled),
		cmocka_unit_test(test_refuse_too_many_queues),
		cmocka_unit_test(test_reassign),
	};

	if (eal_test_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
