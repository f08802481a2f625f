/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_PORT_H
#define DPMIRROR_CTL_PORT_H

/*
 * Ports of the dpmirror process: probe each configured device string,
 * configure queues (RSS across workers where the device has it), mempools,
 * MTU and offloads, start, and undo all of it.  Control thread only.
 *
 * Every worker gets, on every port, one tx queue for forwarded originals
 * (when some port forwards to it) and one for copies (when a collector
 * sends out of it).  A device with too few tx queues for both shares one
 * queue per worker, with a notice.
 *
 * A port that some collector with remote_mac = auto sends out of (no
 * worker receives on it: cfg checks that) also gets queues for the
 * control thread, which resolves the next hop there (ctl_neigh.h): one
 * extra tx queue, ctl_txq, its own; and one extra rx queue when the
 * device has one to spare.  The control thread polls every rx queue of
 * such a port (no worker does), so that an answer spread to any of them
 * by RSS or a packet socket's fanout is seen.  The frames it sends and
 * the extra rx queue use a small pool of their own, neigh_pool.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mempool.h>

#include "cfg.h"
#include "dp_limits.h"
#include "dpm_err.h"

/* The longest RSS key dpmirror sets (drivers have 40 or 52 bytes). */
#define CTL_RSS_KEY_MAX 128

struct ctl_port {
	const char *name; /* the config's port name */
	uint16_t port_id;
	bool probed; /* rte_dev_probe'd by us: remove at exit */
	bool configured, started;
	bool polled;	  /* some worker receives on it */
	bool multiseg;	  /* tx takes chained mbufs */
	bool scatter;	  /* rx may deliver chained mbufs */
	bool hw_ip_cksum; /* tx computes IPv4 header checksums (copies) */
	/* tx computes UDP checksums (IPv6 VxLAN and Geneve copies) */
	bool hw_udp_cksum;
	/* rx delivers an RSS hash computed with a symmetric key: both
	 * directions of a flow hash alike, so workers use it as the flow
	 * hash (dp_port.rss_sym). */
	bool rss_sym;
	uint64_t rss_hf; /* the hash types asked for, when rss_sym */
	/* Copy queues free with RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE: the port
	 * takes no chains, so no clone goes there, only copies from one
	 * pool per queue with a reference count of 1. */
	bool fast_free;
	uint16_t n_rxq;
	uint16_t n_txq;
	uint16_t mtu;
	struct rte_ether_addr mac;
	/* tx queue of worker w: fwd at w * txq_stride + fwd_ofs, copies at
	 * w * txq_stride + mir_ofs (equal when they share). */
	uint16_t txq_stride, fwd_ofs, mir_ofs;
	/* A remote_mac = auto collector sends out of it: the control thread
	 * receives on rx queues 0..n_rxq-1 and sends on ctl_txq. */
	bool neigh;
	uint16_t ctl_txq;
	char devname[RTE_ETH_NAME_MAX_LEN];
	/* NUMA socket of the device (rte_eth_dev_socket_id; SOCKET_ID_ANY:
	 * unknown), and the lcores its rx queues go to ([port] lcores; 0:
	 * the workers of its socket, ctl_workers.h). */
	int socket;
	uint16_t lcores[CFG_MAX_PORT_LCORES];
	unsigned int n_lcores;
};

struct ctl_ports {
	unsigned int n;
	struct ctl_port p[CFG_MAX_PORTS];
	/* The pools of each socket index, on that socket (sock[i]): whole
	 * copies, the indirect mbufs of clones, and the small header mbufs
	 * of clones that share the original.  Index 0's are dp_shared's. */
	unsigned int n_sock;
	int sock[DP_MAX_SOCKETS];
	struct rte_mempool *mirror_pool[DP_MAX_SOCKETS];
	struct rte_mempool *clone_pool[DP_MAX_SOCKETS];
	struct rte_mempool *hdr_pool[DP_MAX_SOCKETS];
	/* Receive pools, one per socket the ports are on (rx_sock[i]). */
	unsigned int n_rx;
	int rx_sock[CFG_MAX_PORTS];
	struct rte_mempool *rx_pool[CFG_MAX_PORTS];
	struct rte_mempool *neigh_pool; /* NULL: no port is neigh */
};

/*
 * Probe, configure and start every port of CFG for N_WORKERS workers on
 * the N_SOCK NUMA sockets SOCK (socket index i is SOCK[i], ctl_workers'
 * sidx; N_SOCK 0: one, the control thread's): mirror, clone and header
 * pools on each, and each port's rx queues fed from a pool on the port's
 * socket (socket index 0's when the device does not say).
 * Returns 0, or a negative errno with a message in E naming the section,
 * the key and its value ("[port p0] rx_queues = 2: ...") and what would
 * work; then everything done so far has been undone.  An interface that a
 * net_af_packet or net_pcap device names and that does not exist is
 * refused before the device is probed (-ENODEV).
 */
int ctl_ports_setup(const struct cfg *cfg, unsigned int n_workers,
		    const int *sock, unsigned int n_sock,
		    struct ctl_ports *ports, struct dpm_err *e);

/* Stop, close and remove the ports; free the pools.  Idempotent. */
void ctl_ports_teardown(struct ctl_ports *ports);

#endif /* DPMIRROR_CTL_PORT_H */
