/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ctl_workers.h"

int
ctl_workers_init(struct ctl_workers *ws, const unsigned int *lcores,
		 unsigned int n, struct dpm_err *e)
{
	int socket[CTL_WORKERS_MAX], rc;
	unsigned int i;

	memset(ws, 0, sizeof(*ws));
	if (n == 0)
		return dpm_fail(e, EINVAL,
				"no worker lcore: give the EAL at least two "
				"lcores, e.g. -l 0,1 (the first runs the "
				"control thread, every other one a worker)");
	if (n > CTL_WORKERS_MAX)
		return dpm_fail(e, EINVAL,
				"%u worker lcores; at most %u are supported: "
				"give the EAL fewer, e.g. -l 0-%u",
				n, CTL_WORKERS_MAX, CTL_WORKERS_MAX);
	memcpy(ws->lcore, lcores, n * sizeof(lcores[0]));
	ws->n = n;
	for (i = 0; i < n; i++)
		socket[i] = (int)rte_lcore_to_socket_id(lcores[i]);
	rc = ctl_workers_set_sockets(ws, socket, e);
	if (rc != 0)
		ws->n = 0;
	return rc;
}

int
ctl_workers_set_sockets(struct ctl_workers *ws, const int *socket,
			struct dpm_err *e)
{
	char list[128] = "";
	unsigned int i, j, n = 0;
	size_t o = 0;

	ws->n_sock = 0;
	for (i = 0; i < ws->n; i++) {
		ws->socket[i] = socket[i];
		for (j = 0; j < n && j < DP_MAX_SOCKETS; j++)
			if (ws->sock[j] == socket[i])
				break;
		if (j < n) {
			ws->sidx[i] = (uint8_t)j;
			continue;
		}
		if (n < DP_MAX_SOCKETS) {
			ws->sock[n] = socket[i];
			ws->sidx[i] = (uint8_t)n;
		}
		if (o < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o,
					      "%s%d", n > 0 ? ", " : "",
					      socket[i]);
		n++;
	}
	if (n > DP_MAX_SOCKETS)
		return dpm_fail(e, EINVAL,
				"the worker lcores are on %u NUMA sockets "
				"(%s); at most %u are supported: give the "
				"EAL worker lcores (-l) on at most %u sockets",
				n, list, DP_MAX_SOCKETS, DP_MAX_SOCKETS);
	ws->n_sock = n;
	return 0;
}

int
ctl_workers_init_eal(struct ctl_workers *ws, struct dpm_err *e)
{
	unsigned int lcores[CTL_WORKERS_MAX + 1], lcore, n = 0;

	RTE_LCORE_FOREACH_WORKER (lcore) {
		if (n <= CTL_WORKERS_MAX)
			lcores[n] = lcore;
		n++;
	}
	return ctl_workers_init(ws, lcores, n, e);
}

int
ctl_workers_alloc(struct ctl_workers *ws, struct dp_shared *sh,
		  struct dpm_err *e)
{
	unsigned int i;

	for (i = 0; i < ws->n; i++) {
		ws->w[i] = rte_zmalloc_socket(
			"dpm_worker", sizeof(struct dp_worker),
			RTE_CACHE_LINE_SIZE,
			(int)rte_lcore_to_socket_id(ws->lcore[i]));
		if (ws->w[i] == NULL) {
			ctl_workers_free(ws);
			return dpm_fail(e, ENOMEM,
					"out of DPDK memory for the state of "
					"%u workers (%zu bytes each); give "
					"the EAL more memory (-m)",
					ws->n, sizeof(struct dp_worker));
		}
		dp_worker_init(ws->w[i], sh, ws->lcore[i], i);
	}
	return 0;
}

void
ctl_workers_use_pools(struct ctl_workers *ws, const struct ctl_ports *ports)
{
	unsigned int i;

	for (i = 0; i < ws->n; i++) {
		struct dp_worker *w = ws->w[i];
		unsigned int x = ws->sidx[i];

		if (w == NULL || x >= ports->n_sock)
			continue;
		w->sidx = (uint8_t)x;
		w->mirror_pool = ports->mirror_pool[x];
		w->clone_pool = ports->clone_pool[x];
		w->hdr_pool = ports->hdr_pool[x];
	}
}

/* The worker on lcore LCORE, or -1. */
static int
worker_of(const struct ctl_workers *ws, unsigned int lcore)
{
	unsigned int i;

	for (i = 0; i < ws->n; i++)
		if (ws->lcore[i] == lcore)
			return (int)i;
	return -1;
}

/* "2,3" for LIST of N lcores, into BUF. */
static const char *
lcore_list(const unsigned int *list, unsigned int n, char *buf, size_t len)
{
	unsigned int i;
	size_t o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "",
				      list[i]);
	return buf;
}

/*
 * The workers that may poll port P, in the order its queues go to them,
 * into CAND; how many, or -EINVAL (message in E) for a port whose lcores
 * names one that is not a worker.  LISTED: CAND is P's lcores, in order,
 * not a subset to go round robin over.
 */
static int
candidates(const struct ctl_workers *ws, const struct ctl_port *p,
	   unsigned int *cand, bool *listed, struct dpm_err *e)
{
	char have[CTL_WORKERS_MAX * 4 + 1], given[CTL_WORKERS_MAX * 4 + 1];
	unsigned int i, n = 0, lc[CTL_WORKERS_MAX];
	int w;

	*listed = p->n_lcores > 0;
	if (*listed) {
		for (i = 0; i < p->n_lcores; i++)
			lc[i] = p->lcores[i];
		for (i = 0; i < p->n_lcores; i++) {
			w = worker_of(ws, p->lcores[i]);
			if (w >= 0) {
				cand[n++] = (unsigned int)w;
				continue;
			}
			return dpm_fail(
				e, EINVAL,
				"[port %s] lcores = %s: lcore %u is %s; the "
				"worker lcores are %s: name some of those, or "
				"give the EAL lcore %u as a worker (-l)",
				p->name,
				lcore_list(lc, p->n_lcores, given,
					   sizeof(given)),
				p->lcores[i],
				p->lcores[i] == rte_get_main_lcore()
					? "the main lcore, which runs the "
					  "control thread"
					: "not a worker lcore of this EAL",
				lcore_list(ws->lcore, ws->n, have,
					   sizeof(have)),
				p->lcores[i]);
		}
		return (int)n;
	}
	if (p->socket != SOCKET_ID_ANY)
		for (i = 0; i < ws->n; i++)
			if (ws->socket[i] == p->socket)
				cand[n++] = i;
	if (n == 0) /* no worker on its socket: any will do */
		for (i = 0; i < ws->n; i++)
			cand[n++] = i;
	return (int)n;
}

/* Undo ctl_workers_assign's rx side: no worker polls anything. */
static void
unassign(struct ctl_workers *ws)
{
	unsigned int i;

	for (i = 0; i < ws->n; i++)
		if (ws->w[i] != NULL)
			ws->w[i]->n_rxq = 0;
	memset(ws->port_workers, 0, sizeof(ws->port_workers));
}

int
ctl_workers_assign(struct ctl_workers *ws, const struct ctl_ports *ports,
		   struct dpm_err *e)
{
	unsigned int i, q, w, next = 0, total = 0, cand[CTL_WORKERS_MAX];
	bool in[CTL_WORKERS_MAX], listed;
	int n_cand;

	if (ports->n > DP_MAX_PORTS)
		return dpm_fail(e, EINVAL, "%u ports, at most %u are supported",
				ports->n, DP_MAX_PORTS);
	for (w = 0; w < ws->n; w++)
		if (ws->w[w] == NULL)
			return dpm_fail(e, EINVAL,
					"worker %u has no state: allocate the "
					"workers first",
					w);
	unassign(ws);
	for (i = 0; i < ports->n; i++) {
		const struct ctl_port *p = &ports->p[i];

		for (w = 0; w < ws->n; w++) {
			ws->w[w]->fwd_txq[i] =
				(uint16_t)(w * p->txq_stride + p->fwd_ofs);
			ws->w[w]->mirror_txq[i] =
				(uint16_t)(w * p->txq_stride + p->mir_ofs);
		}
		if (!p->polled) {
			if (p->n_lcores == 0)
				continue;
			unassign(ws);
			return dpm_fail(e, EINVAL,
					"[port %s] lcores: no worker receives "
					"on port %s (it is no session's rx "
					"source and forwards to no peer); "
					"remove lcores there",
					p->name, p->name);
		}
		n_cand = candidates(ws, p, cand, &listed, e);
		if (n_cand < 0) {
			unassign(ws);
			return n_cand;
		}
		memset(in, 0, sizeof(in));
		for (w = 0; w < (unsigned int)n_cand; w++)
			in[cand[w]] = true;
		for (q = 0; q < p->n_rxq; q++) {
			struct dp_worker *wk;
			unsigned int pick;

			if (listed) {
				pick = cand[q % (unsigned int)n_cand];
			} else {
				/* The round robin's next worker that may
				 * poll this port. */
				while (!in[next])
					next = (next + 1) % ws->n;
				pick = next;
				next = (next + 1) % ws->n;
			}
			wk = ws->w[pick];

			if (wk->n_rxq == DP_MAX_RXQ) {
				unsigned int all = total;
				unsigned int j;

				for (j = i; j < ports->n; j++)
					if (ports->p[j].polled)
						all += ports->p[j].n_rxq -
						       (j == i ? q : 0);
				unassign(ws);
				return dpm_fail(
					e, EINVAL,
					"[port %s] rx_queues = %u: %u "
					"worker(s) "
					"would poll %u rx queues, more than "
					"%u each; give fewer rx_queues or "
					"more worker lcores (at least %u)",
					p->name, p->n_rxq, ws->n, all,
					DP_MAX_RXQ,
					(all + DP_MAX_RXQ - 1) / DP_MAX_RXQ);
			}
			wk->rxq[wk->n_rxq].port = (uint16_t)i;
			wk->rxq[wk->n_rxq].queue = (uint16_t)q;
			wk->n_rxq++;
			ws->port_workers[i] |= 1ull << pick;
			total++;
		}
	}
	if (total == 0)
		return dpm_fail(e, EINVAL,
				"[session] sources: no port to receive on: "
				"no port is a session's rx source%s; add "
				"PORT:rx to the sources of a [session]",
				ports->n > 0 ? " or forwards to a peer" : "");
	return 0;
}

void
ctl_workers_free(struct ctl_workers *ws)
{
	unsigned int i;

	for (i = 0; i < ws->n; i++) {
		rte_free(ws->w[i]);
		ws->w[i] = NULL;
	}
	memset(ws->port_workers, 0, sizeof(ws->port_workers));
}
