/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_WORKERS_H
#define DPMIRROR_CTL_WORKERS_H

/*
 * The workers of the dpmirror process: which lcores run the worker loop,
 * their struct dp_worker, which (port, rx queue) pairs each one polls,
 * which tx queue each one uses on every port, and which workers poll each
 * port.  Control thread only, before the workers are launched and after
 * they have stopped.
 *
 * Worker i runs on lcore lcore[i] and is RCU thread i.  The rx queues of
 * the polled ports are dealt out round robin over the workers, in port
 * order then queue order, the count carried on from one port to the next:
 * with two workers, ports A (2 queues) and B (1 queue) give worker 0
 * A/0 and B/0, worker 1 A/1.  On every port, worker i sends forwarded
 * originals on tx queue i * txq_stride + fwd_ofs and copies on
 * i * txq_stride + mir_ofs (struct ctl_port, set by ctl_ports_setup).
 */

#include <stdint.h>

#include "ctl_port.h"
#include "dp_worker.h"
#include "dpm_err.h"

#define CTL_WORKERS_MAX DP_MAX_WORKERS

struct ctl_workers {
	unsigned int n;			      /* worker lcores */
	unsigned int lcore[CTL_WORKERS_MAX];  /* lcore of worker i */
	struct dp_worker *w[CTL_WORKERS_MAX]; /* NULL until allocated */
	/* Bit i of port_workers[p]: worker i polls a queue of dp port p. */
	uint64_t port_workers[DP_MAX_PORTS];
};

/*
 * Take the N lcores LCORES as the workers (nothing allocated yet).
 * Refuses N = 0 and N > CTL_WORKERS_MAX (-EINVAL, the message says which
 * -l would do).
 */
int ctl_workers_init(struct ctl_workers *ws, const unsigned int *lcores,
		     unsigned int n, struct dpm_err *e);

/* ctl_workers_init with every worker lcore of the EAL (all but the main
 * one, which is the control thread). */
int ctl_workers_init_eal(struct ctl_workers *ws, struct dpm_err *e);

/*
 * Allocate and initialise each worker's struct dp_worker on the NUMA
 * socket of its lcore, sharing SH.  0, or -ENOMEM (then nothing is left
 * allocated).
 */
int ctl_workers_alloc(struct ctl_workers *ws, struct dp_shared *sh,
		      struct dpm_err *e);

/*
 * Give every rx queue of every polled port of PORTS to a worker (see
 * above), set each worker's tx queues, and fill port_workers.  Refuses
 * (-EINVAL, naming the port and its rx_queues) a layout in which no port
 * is polled or a worker would poll more than DP_MAX_RXQ queues; then the
 * workers poll nothing.  Allocated workers only.
 */
int ctl_workers_assign(struct ctl_workers *ws, const struct ctl_ports *ports,
		       struct dpm_err *e);

/* Free the workers' state; the lcores stay.  Idempotent. */
void ctl_workers_free(struct ctl_workers *ws);

_Static_assert(CTL_WORKERS_MAX <=
		       DP_MEMBER_BITS(struct ctl_workers, port_workers[0]),
	       "every worker has its bit in a port's set of workers");

#endif /* DPMIRROR_CTL_WORKERS_H */
