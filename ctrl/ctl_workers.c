/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ctl_workers.h"

int
ctl_workers_init(struct ctl_workers *ws, const unsigned int *lcores,
		 unsigned int n, struct dpm_err *e)
{
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
	unsigned int i, q, w, next = 0, total = 0;

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
		if (!p->polled)
			continue;
		for (q = 0; q < p->n_rxq; q++) {
			struct dp_worker *wk = ws->w[next];

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
			ws->port_workers[i] |= 1ull << next;
			next = (next + 1) % ws->n;
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
