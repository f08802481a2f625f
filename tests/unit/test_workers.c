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

#include <rte_acl.h>

#include "cfg.h"
#include "ctl_ruleset.h"
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

/* Worker sockets get indexes in the order of their first worker;
 * SOCKET_ID_ANY is one more socket; more than DP_MAX_SOCKETS is refused
 * naming the limit. */
static void
test_socket_indexes(void **state)
{
	const int four[4] = {1, 0, 1, SOCKET_ID_ANY};
	int nine[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	workers(&ws, 4);
	/* The unit tests' lcores are all on socket 0. */
	assert_int_equal(ws.n_sock, 1);
	assert_int_equal(ws.sock[0], 0);
	assert_int_equal(ctl_workers_set_sockets(&ws, four, &e), 0);
	assert_int_equal(ws.n_sock, 3);
	assert_int_equal(ws.sock[0], 1);
	assert_int_equal(ws.sock[1], 0);
	assert_int_equal(ws.sock[2], SOCKET_ID_ANY);
	assert_int_equal(ws.sidx[0], 0);
	assert_int_equal(ws.sidx[1], 1);
	assert_int_equal(ws.sidx[2], 0);
	assert_int_equal(ws.sidx[3], 2);
	ctl_workers_free(&ws);

	workers(&ws, 9);
	assert_int_equal(ctl_workers_set_sockets(&ws, nine, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "on 9 NUMA sockets (0, 1, 2, 3, 4, 5, "
				      "6, 7, 8)"));
	assert_non_null(strstr(e.msg, "at most 8"));
	assert_int_equal(ws.n_sock, 0);
	nine[8] = 7; /* eight sockets: the most */
	assert_int_equal(ctl_workers_set_sockets(&ws, nine, &e), 0);
	assert_int_equal(ws.n_sock, 8);
	assert_int_equal(ws.sidx[8], 7);
	ctl_workers_free(&ws);
}

/* Four workers, two on fake socket 0 and two on fake socket 1: a port's
 * queues go round robin over the workers of its socket; a port of an
 * unknown socket, or of a socket without workers, over all of them. */
static void
test_numa_assign(void **state)
{
	const int sockets[4] = {0, 0, 1, 1};
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "A", true, 4, 1, 0, 0);
	port(&ports, 1, "B", true, 4, 1, 0, 0);
	port(&ports, 2, "C", true, 2, 1, 0, 0);
	port(&ports, 3, "D", true, 2, 1, 0, 0);
	ports.p[0].socket = 0;
	ports.p[1].socket = 1;
	ports.p[2].socket = SOCKET_ID_ANY;
	ports.p[3].socket = 2;
	workers(&ws, 4);
	assert_int_equal(ctl_workers_set_sockets(&ws, sockets, &e), 0);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	polls(&ws, 0, 3, 0u, 0u, 0u, 2u, 2u, 0u);
	polls(&ws, 1, 3, 0u, 1u, 0u, 3u, 2u, 1u);
	polls(&ws, 2, 3, 1u, 0u, 1u, 2u, 3u, 0u);
	polls(&ws, 3, 3, 1u, 1u, 1u, 3u, 3u, 1u);
	assert_int_equal(ws.port_workers[0], 0x3);
	assert_int_equal(ws.port_workers[1], 0xc);
	assert_int_equal(ws.port_workers[2], 0x3);
	assert_int_equal(ws.port_workers[3], 0xc);
	ctl_workers_free(&ws);

	/* Every worker on socket 1, the port on 0: all of them. */
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "A", true, 3, 1, 0, 0);
	workers(&ws, 2);
	ws.socket[0] = ws.socket[1] = 1;
	assert_int_equal(ctl_workers_set_sockets(&ws, ws.socket, &e), 0);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	polls(&ws, 0, 2, 0u, 0u, 0u, 2u);
	polls(&ws, 1, 1, 0u, 1u);
	ctl_workers_free(&ws);
}

/* [port] lcores: queue q goes to lcores[q % n], whatever the sockets, and
 * the round robin of the other ports carries on as if it were not there. */
static void
test_lcores_override(void **state)
{
	const int sockets[4] = {0, 0, 1, 1};
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "A", true, 3, 1, 0, 0);
	port(&ports, 1, "B", true, 2, 1, 0, 0);
	ports.p[0].socket = 0;
	ports.p[0].lcores[0] = 4; /* worker 3, socket 1 */
	ports.p[0].lcores[1] = 3; /* worker 2, socket 1 */
	ports.p[0].n_lcores = 2;
	ports.p[1].socket = 0;
	workers(&ws, 4);
	assert_int_equal(ctl_workers_set_sockets(&ws, sockets, &e), 0);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	polls(&ws, 3, 2, 0u, 0u, 0u, 2u);
	polls(&ws, 2, 1, 0u, 1u);
	polls(&ws, 0, 1, 1u, 0u);
	polls(&ws, 1, 1, 1u, 1u);
	assert_int_equal(ws.port_workers[0], 0xc);
	assert_int_equal(ws.port_workers[1], 0x3);
	ctl_workers_free(&ws);
}

/* Refused: lcores naming the main lcore, an lcore that is no worker, or
 * given on a port no worker receives on; nothing is left assigned. */
static void
test_lcores_refused(void **state)
{
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "in", true, 2, 1, 0, 0);
	port(&ports, 1, "in2", true, 2, 1, 0, 0);
	ports.p[1].lcores[0] = 2;
	ports.p[1].lcores[1] = 9;
	ports.p[1].n_lcores = 2;
	workers(&ws, 3);
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "[port in2] lcores = 2,9: lcore 9 is "
				      "not a worker lcore of this EAL; the "
				      "worker lcores are 1,2,3"));
	nothing_polled(&ws);

	ports.p[1].lcores[1] = 0;
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "[port in2] lcores = 2,0: lcore 0 is "
				      "the main lcore"));
	nothing_polled(&ws);

	ports.p[1].n_lcores = 1;
	port(&ports, 2, "out", false, 1, 1, 0, 0);
	ports.p[2].lcores[0] = 1;
	ports.p[2].n_lcores = 1;
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "[port out] lcores: no worker receives "
				      "on port out"));
	assert_non_null(strstr(e.msg, "remove lcores"));
	nothing_polled(&ws);

	ports.p[2].n_lcores = 0;
	assert_int_equal(ctl_workers_assign(&ws, &ports, &e), 0);
	polls(&ws, 1, 3, 0u, 1u, 1u, 0u, 1u, 1u);
	ctl_workers_free(&ws);
}

/* Each worker takes the pools of its socket index. */
static void
test_use_pools(void **state)
{
	const int sockets[3] = {4, 2, 4};
	struct rte_mempool *fake = (struct rte_mempool *)&sh;
	struct ctl_ports ports;
	struct ctl_workers ws;
	struct dpm_err e;
	unsigned int i;

	(void)state;
	memset(&ports, 0, sizeof(ports));
	workers(&ws, 3);
	/* No sockets in the ports: what dp_worker_init gave stays. */
	ctl_workers_use_pools(&ws, &ports);
	assert_null(ws.w[0]->mirror_pool);
	assert_int_equal(ctl_workers_set_sockets(&ws, sockets, &e), 0);
	ports.n_sock = 2;
	for (i = 0; i < 2; i++) {
		ports.mirror_pool[i] = fake + 3 * i;
		ports.clone_pool[i] = fake + 3 * i + 1;
		ports.hdr_pool[i] = fake + 3 * i + 2;
	}
	ctl_workers_use_pools(&ws, &ports);
	for (i = 0; i < 3; i++) {
		unsigned int x = i == 1 ? 1 : 0;

		assert_int_equal(ws.w[i]->sidx, x);
		assert_ptr_equal(ws.w[i]->mirror_pool, fake + 3 * x);
		assert_ptr_equal(ws.w[i]->clone_pool, fake + 3 * x + 1);
		assert_ptr_equal(ws.w[i]->hdr_pool, fake + 3 * x + 2);
	}
	ctl_workers_free(&ws);
}

/* The ruleset has the same ACL contexts for every socket index of the
 * ports, and frees them all; one that cannot be made fails the build and
 * leaves none behind.  A rate cap becomes the
 * shared bucket's profile. */
static void
test_ruleset_per_socket(void **state)
{
	static const char ini[] =
		"[port p0]\ndevice = net_null0\n"
		"[port out]\ndevice = net_null1\n"
		"[collector c1]\nport = out\nremote_ip = 198.18.1.3\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
		"[session s1]\nsources = p0:rx\ncollector = c1\n"
		"rate = 100M\nfilter = f\n"
		"[filter f]\nrule 10 = accept proto udp\n";
	static struct cfg_errors errs;
	const uint64_t two[DP_MAX_PORTS] = {0x3};
	struct rte_acl_param prm;
	struct rte_acl_ctx *taken;
	struct ctl_ports ports;
	struct dp_ruleset *rs;
	struct dpm_err e;
	struct cfg *cfg;

	(void)state;
	cfg = cfg_load_buffer("numa.ini", ini, sizeof(ini) - 1, &errs);
	assert_non_null(cfg);
	memset(&ports, 0, sizeof(ports));
	port(&ports, 0, "p0", true, 1, 1, 0, 0);
	port(&ports, 1, "out", false, 1, 1, 0, 0);
	ports.p[0].mtu = ports.p[1].mtu = 1500;
	ports.n_sock = 2;
	ports.sock[0] = 0;
	ports.sock[1] = SOCKET_ID_ANY;
	rs = ctl_ruleset_build(cfg, &ports, two, 7, &e);
	if (rs == NULL)
		fail_msg("build: %s", e.msg);
	assert_non_null(rs->acl4[0]);
	assert_non_null(rs->acl6[0]);
	assert_non_null(rs->acl4[1]);
	assert_non_null(rs->acl6[1]);
	assert_ptr_not_equal(rs->acl4[0], rs->acl4[1]);
	assert_null(rs->acl4[2]);
	assert_ptr_equal(rte_acl_find_existing("dpm7-v4"), rs->acl4[0]);
	assert_ptr_equal(rte_acl_find_existing("dpm7-s1-v6"), rs->acl6[1]);
	/* 100 Mbit/s shared by two workers: grants of the least quantum,
	 * the bucket 50 ms deep less the two grants they may hold. */
	assert_int_not_equal(rs->sess[0].rate.cpb, 0);
	assert_int_equal(rs->sess[0].rate.quantum, DP_RATE_QUANTUM);
	assert_int_equal(rs->sess[0].rate.depth,
			 dp_rate_cost(&rs->sess[0].rate,
				      100000000 / 8 / 20 - 2 * DP_RATE_QUANTUM));
	assert_int_equal(rs->sess[0].rate.rate_bps, 100000000);
	ctl_ruleset_free(rs);
	assert_null(rte_acl_find_existing("dpm7-v4"));
	assert_null(rte_acl_find_existing("dpm7-s1-v4"));
	assert_null(rte_acl_find_existing("dpm7-s1-v6"));

	/* Socket index 1's context cannot be made (its name is taken):
	 * index 0's, made already, go too. */
	memset(&prm, 0, sizeof(prm));
	prm.name = "dpm8-s1-v4";
	prm.socket_id = SOCKET_ID_ANY;
	prm.rule_size = RTE_ACL_RULE_SZ(1);
	prm.max_rule_num = 1;
	taken = rte_acl_create(&prm);
	assert_non_null(taken);
	rs = ctl_ruleset_build(cfg, &ports, two, 8, &e);
	assert_null(rs);
	assert_non_null(strstr(e.msg, "\"dpm8-s1-v4\" already exists"));
	assert_null(rte_acl_find_existing("dpm8-v4"));
	assert_null(rte_acl_find_existing("dpm8-v6"));
	rte_acl_free(taken);
	cfg_free(cfg);
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
		cmocka_unit_test(test_socket_indexes),
		cmocka_unit_test(test_numa_assign),
		cmocka_unit_test(test_lcores_override),
		cmocka_unit_test(test_lcores_refused),
		cmocka_unit_test(test_use_pools),
		cmocka_unit_test(test_ruleset_per_socket),
	};

	if (eal_test_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
