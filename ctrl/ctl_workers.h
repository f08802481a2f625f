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
 * the polled ports are dealt out round robin, in port order then queue
 * order, the count carried on from one port to the next: with two
 * workers, ports A (2 queues) and B (1 queue) give worker 0 A/0 and B/0,
 * worker 1 A/1.  A port's queues go to the workers on its NUMA socket
 * (ctl_port.socket) when there are any, to all workers when there are
 * none or the socket is unknown (SOCKET_ID_ANY): the round robin then
 * skips the workers of other sockets.  A port with lcores (its [port]
 * key) gives queue q to the worker on lcore lcores[q % n_lcores] instead.
 * On every port, worker i sends forwarded originals on tx queue
 * i * txq_stride + fwd_ofs and copies on i * txq_stride + mir_ofs
 * (struct ctl_port, set by ctl_ports_setup).
 *
 * Sockets: the sockets of the workers' lcores get indexes 0, 1, ... in
 * the order of the first worker on each (sidx[], sock[]): the index of a
 * worker's socket picks its pools (ctl_ports) and its ACL contexts (the
 * ruleset's acl4[] and acl6[]).
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
	int socket[CTL_WORKERS_MAX];   /* NUMA socket of worker i's lcore */
	uint8_t sidx[CTL_WORKERS_MAX]; /* index of that socket */
	unsigned int n_sock;	       /* sockets with workers */
	int sock[DP_MAX_SOCKETS];      /* socket id of each index */
};

/*
 * Take the N lcores LCORES as the workers (nothing allocated yet), on the
 * sockets rte_lcore_to_socket_id gives (ctl_workers_set_sockets).
 * Refuses N = 0 and N > CTL_WORKERS_MAX (-EINVAL, the message says which
 * -l would do), and lcores on more than DP_MAX_SOCKETS sockets.
 */
int ctl_workers_init(struct ctl_workers *ws, const unsigned int *lcores,
		     unsigned int n, struct dpm_err *e);

/*
 * Worker i's lcore is on NUMA socket SOCKET[i] (SOCKET_ID_ANY counts as a
 * socket of its own): fill socket[], sidx[], sock[] and n_sock.  -EINVAL
 * naming the limit when the workers are on more than DP_MAX_SOCKETS
 * sockets; then ws->n_sock is 0.
 */
int ctl_workers_set_sockets(struct ctl_workers *ws, const int *socket,
			    struct dpm_err *e);

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
 * Give each allocated worker the pools of its socket index (sidx, the
 * mirror, clone and header pools of ctl_ports); ports set up without
 * sockets (n_sock 0) leave what dp_worker_init gave.
 */
void ctl_workers_use_pools(struct ctl_workers *ws,
			   const struct ctl_ports *ports);

/*
 * Give every rx queue of every polled port of PORTS to a worker (see
 * above), set each worker's tx queues, and fill port_workers.  Refuses
 * (-EINVAL, naming the port and its rx_queues or lcores) a layout in
 * which no port is polled, a worker would poll more than DP_MAX_RXQ
 * queues, a port's lcores names an lcore that is no worker (the message
 * lists the worker lcores) or a port no worker receives on; then the
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
