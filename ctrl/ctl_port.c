/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "ctl_log.h"
#include "ctl_port.h"
#include "dp_worker.h"

#define NB_RXD	   1024
#define NB_TXD	   1024
#define POOL_CACHE 256
/* Descriptors of the control thread's queues on a neigh port: it sends a
 * few requests a second and receives what the port's MAC gets. */
#define NB_CTL_D 256

/* The ethdev name a device string probes: everything before the first ','. */
static void
dev_name_of(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

/*
 * For the vdevs that open a Linux interface by name (net_af_packet,
 * net_pcap), the first of its iface, rx_iface, rx_iface_in or tx_iface
 * values that names no interface in this network namespace, into MISSING;
 * false when all exist (or the device names none).  net_tap makes its
 * interface itself and is not looked at.
 */
static bool
iface_missing(const char *device, char *missing, size_t len)
{
	static const char *const keys[] = {
		"iface=", "rx_iface=", "rx_iface_in=", "tx_iface="};
	const char *a;
	unsigned int k;

	if (strncmp(device, "net_af_packet", 13) != 0 &&
	    strncmp(device, "net_pcap", 8) != 0)
		return false;
	for (a = strchr(device, ','); a != NULL; a = strchr(a, ',')) {
		a++;
		for (k = 0; k < RTE_DIM(keys); k++) {
			size_t kl = strlen(keys[k]), vl;

			if (strncmp(a, keys[k], kl) != 0)
				continue;
			vl = strcspn(a + kl, ",");
			if (vl == 0 || vl >= IF_NAMESIZE || vl >= len)
				continue;
			memcpy(missing, a + kl, vl);
			missing[vl] = '\0';
			if (if_nametoindex(missing) == 0)
				return true;
		}
	}
	return false;
}

static int
probe_one(const struct cfg *cfg, const struct cfg_port *cp, struct ctl_port *p,
	  struct dpm_err *e)
{
	char ifname[IF_NAMESIZE], hint[128] = "";
	size_t pl;
	int rc;

	dev_name_of(cp->device, p->devname, sizeof(p->devname));
	if (rte_eth_dev_get_port_by_name(p->devname, &p->port_id) == 0)
		return 0; /* already probed, e.g. by EAL's -a */
	if (iface_missing(cp->device, ifname, sizeof(ifname))) {
		/* The playground's interfaces exist only once it is up:
		 * dpmirror brings it up at start, --dry-run does not. */
		pl = strlen(cfg->playground.prefix);
		if (cfg->playground.present &&
		    strncmp(ifname, cfg->playground.prefix, pl) == 0 &&
		    ifname[pl] == '-')
			snprintf(hint, sizeof(hint),
				 " (the [playground] makes it: run "
				 "dpmirrorctl playground up --prefix %s%s "
				 "first)",
				 cfg->playground.prefix,
				 cfg->playground.inline_mode ? " --inline"
							     : "");
		return dpm_fail(e, ENODEV,
				"[port %s] device = %s: no interface %s in "
				"dpmirror's network namespace; create it or "
				"name an existing one%s",
				cp->name, cp->device, ifname, hint);
	}
	rc = rte_dev_probe(cp->device);
	if (rc < 0 && rc != -EEXIST)
		return dpm_fail(
			e, rc,
			"[port %s] device = %s: the driver could not "
			"attach the device (see the EAL log above); "
			"check that the interface, PCI address or file "
			"it names exists, that the driver name is right "
			"(net_af_packet, net_tap, net_pcap, ... or a "
			"PCI address) and that its arguments are valid",
			cp->name, cp->device);
	if (rte_eth_dev_get_port_by_name(p->devname, &p->port_id) != 0) {
		p->port_id = RTE_MAX_ETHPORTS;
		/* Do not leave the device we attached behind. */
		if (rc == 0)
			rte_eal_hotplug_remove("vdev", p->devname);
		return dpm_fail(e, ENODEV,
				"[port %s] device = %s: probed, but no ethdev "
				"port named '%s' appeared; write the device as "
				"its driver names it, without a bus prefix "
				"(e.g. net_af_packet0,iface=eth0 or "
				"0000:03:00.0)",
				cp->name, cp->device, p->devname);
	}
	p->probed = rc == 0;
	return 0;
}

/*
 * How to get N queues of a vdev with fewer, by its driver: into BUF, ""
 * when the driver has no such argument.
 */
static const char *
queues_hint(const char *driver, unsigned int n, char *buf, size_t len)
{
	buf[0] = '\0';
	if (strcmp(driver, "net_af_packet") == 0)
		snprintf(buf, len, " or add qpairs=%u to the device string", n);
	else if (strcmp(driver, "net_virtio_user") == 0)
		snprintf(buf, len, " or add queues=%u to the device string", n);
	return buf;
}

/* Which ports the workers poll and which need forward/copy tx queues. */
static void
port_roles(const struct cfg *cfg, bool *polled, bool *fwd, bool *mir,
	   bool *neigh)
{
	unsigned int i, j;

	memset(polled, 0, sizeof(bool) * CFG_MAX_PORTS);
	memset(fwd, 0, sizeof(bool) * CFG_MAX_PORTS);
	memset(mir, 0, sizeof(bool) * CFG_MAX_PORTS);
	memset(neigh, 0, sizeof(bool) * CFG_MAX_PORTS);
	for (i = 0; i < cfg->n_ports; i++) {
		if (cfg->mode == CFG_MODE_INLINE && cfg->ports[i].peer >= 0) {
			polled[i] = true;
			fwd[cfg->ports[i].peer] = true;
		}
	}
	for (i = 0; i < cfg->n_sessions; i++) {
		const struct cfg_session *s = &cfg->sessions[i];

		for (j = 0; j < s->n_sources; j++)
			if (s->sources[j].dir & CFG_DIR_RX)
				polled[s->sources[j].port] = true;
	}
	for (i = 0; i < cfg->n_collectors; i++) {
		mir[cfg->collectors[i].port] = true;
		if (cfg->collectors[i].remote_mac_auto)
			neigh[cfg->collectors[i].port] = true;
	}
}

/*
 * Descriptors of each copy tx queue.  Most drivers (virtio, NICs) give a
 * sent mbuf back to its pool only in a later tx burst on the same queue,
 * and a worker sends on a collector's queue only when it has made a copy
 * for it.  If the copy queues together could hold the whole mirror pool,
 * a collector that stops taking copies (a stalled peer) would keep every
 * mbuf, no copy could be made for any collector, and its queue would never
 * be cleaned: mirroring would stop for good.  So the copy queues together
 * hold at most what the pool has beyond the workers' own needs (their
 * mempool caches and one burst's worth of copies each).
 */
#define COPY_TXD_MIN 64

static int
copy_queue_size(const struct cfg *cfg, unsigned int n_workers, const bool *mir,
		uint16_t *txd, struct dpm_err *e)
{
	unsigned int i, n_ports = 0, queues, reserve, per_queue, need;

	for (i = 0; i < cfg->n_ports; i++)
		n_ports += mir[i] ? 1 : 0;
	*txd = NB_TXD;
	if (n_ports == 0)
		return 0;
	queues = n_ports * n_workers;
	reserve = n_workers * (POOL_CACHE * 3 / 2 + DP_MIRBUF);
	per_queue = cfg->mirror_pool > reserve
			    ? (cfg->mirror_pool - reserve) / queues
			    : 0;
	if (per_queue < COPY_TXD_MIN) {
		need = reserve + queues * COPY_TXD_MIN;
		return dpm_fail(
			e, EINVAL,
			"[dpmirror] mirror_pool = %u: too small for %u "
			"worker(s) sending copies out of %u port(s): the "
			"workers need %u mbufs of their own and each of the "
			"%u copy tx queues at least %u, or one stalled "
			"collector could hold every mbuf; give mirror_pool "
			"= %u or more (%u for full %u-descriptor queues)",
			cfg->mirror_pool, n_workers, n_ports, reserve, queues,
			COPY_TXD_MIN, need, reserve + queues * NB_TXD, NB_TXD);
	}
	if (per_queue >= NB_TXD)
		return 0;
	*txd = (uint16_t)rte_align32prevpow2(per_queue);
	RTE_LOG(NOTICE, DPM_CTRL,
		"copy tx queues get %u descriptors each (%u queues), so that "
		"a stalled collector cannot hold the whole mirror_pool of %u; "
		"give mirror_pool = %u or more for %u\n",
		*txd, queues, cfg->mirror_pool, reserve + queues * NB_TXD,
		NB_TXD);
	return 0;
}

/* The symmetric Toeplitz key (0x6d5a repeated: a flow's two directions
 * hash alike) of LEN bytes into KEY. */
static void
rss_key_symmetric(uint8_t *key, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		key[i] = i % 2 ? 0x5a : 0x6d;
}

/*
 * Whether the started port PORT_ID hashes with the symmetric key of LEN
 * bytes and the hash types HF asked for: read back, as drivers may
 * program RSS again at start or keep a key of their own.  Only then do
 * workers take the NIC's hash as the flow hash.
 */
static bool
rss_key_took(uint16_t port_id, unsigned int len, uint64_t hf)
{
	uint8_t want[CTL_RSS_KEY_MAX], got[CTL_RSS_KEY_MAX];
	struct rte_eth_rss_conf rc;

	rss_key_symmetric(want, len);
	memset(&rc, 0, sizeof(rc));
	rc.rss_key = got;
	rc.rss_key_len = (uint8_t)len;
	if (rte_eth_dev_rss_hash_conf_get(port_id, &rc) != 0)
		return false;
	return rc.rss_key_len == len && memcmp(got, want, len) == 0 &&
	       rc.rss_hf == hf;
}

static int
configure_one(const struct cfg_port *cp, struct ctl_port *p,
	      unsigned int n_workers, bool fwd, bool mir, uint16_t mir_txd,
	      uint32_t mirror_pool, struct rte_mempool *rx_pool,
	      struct rte_mempool *neigh_pool, struct dpm_err *e)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint8_t rss_key[CTL_RSS_KEY_MAX];
	char hint[96];
	uint16_t nb_rxd = NB_RXD, nb_txd = NB_TXD, nb_mird = mir_txd, q;
	uint16_t nb_ctld = NB_CTL_D, nb_ctltx = NB_CTL_D, n_wtxq;
	unsigned int per_worker = (fwd ? 1 : 0) + (mir ? 1 : 0);
	uint32_t overhead;
	bool assumed_mtu;
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0)
		return dpm_fail(e, rc,
				"[port %s] device = %s: cannot read device "
				"info (%s)",
				cp->name, cp->device, rte_strerror(-rc));
	p->n_rxq = cp->rx_queues;
	if (p->n_rxq > info.max_rx_queues)
		return dpm_fail(e, EINVAL,
				"[port %s] rx_queues = %u: %s (%s) offers at "
				"most %u rx queue%s; give rx_queues = %u%s",
				cp->name, cp->rx_queues, p->devname,
				info.driver_name, info.max_rx_queues,
				info.max_rx_queues == 1 ? "" : "s",
				info.max_rx_queues,
				queues_hint(info.driver_name, cp->rx_queues,
					    hint, sizeof(hint)));
	p->fwd_ofs = 0;
	p->mir_ofs = (uint16_t)(per_worker == 2 ? 1 : 0);
	if (per_worker == 0) {
		/* Nothing is ever sent here; one queue keeps drivers happy. */
		p->txq_stride = 0;
		p->n_txq = 1;
	} else if (n_workers * per_worker > info.max_tx_queues) {
		return dpm_fail(
			e, EINVAL,
			"[port %s] device = %s: %u worker(s) need %u "
			"tx queues here (one per worker%s), %s offers "
			"%u; use fewer worker lcores (-l)%s%s",
			cp->name, cp->device, n_workers, n_workers * per_worker,
			per_worker == 2 ? " for forwarded originals and one "
					  "for copies, which never share"
					: "",
			info.driver_name, info.max_tx_queues,
			per_worker == 2 ? ", another port for the "
					  "collector"
					: "",
			queues_hint(info.driver_name, n_workers * per_worker,
				    hint, sizeof(hint)));
	} else {
		p->txq_stride = (uint16_t)per_worker;
		p->n_txq = (uint16_t)(n_workers * per_worker);
	}
	n_wtxq = p->n_txq;
	if (p->neigh) {
		/* The control thread's own queues: it never shares one with
		 * a worker.  An rx queue only if one is to spare: it polls
		 * the port's others too. */
		if (n_workers * per_worker + 1 > info.max_tx_queues)
			return dpm_fail(
				e, EINVAL,
				"[port %s] device = %s: %u worker(s) and the "
				"control thread, which resolves the next hop "
				"of a collector with remote_mac = auto here, "
				"need %u tx queues, %s offers %u; give the "
				"collector a fixed remote_mac%s%s",
				cp->name, cp->device, n_workers,
				n_workers * per_worker + 1, info.driver_name,
				info.max_tx_queues,
				n_workers > 1 ? ", use fewer worker lcores (-l)"
					      : "",
				queues_hint(info.driver_name,
					    n_workers * per_worker + 1, hint,
					    sizeof(hint)));
		p->ctl_txq = (uint16_t)(n_workers * per_worker);
		p->n_txq = (uint16_t)(n_workers * per_worker + 1);
		if (p->n_rxq < info.max_rx_queues)
			p->n_rxq++;
	}

	memset(&conf, 0, sizeof(conf));
	if (p->n_rxq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
		/* The hash in each mbuf, to be the flow hash (rss_sym), with
		 * a symmetric key given at configure: drivers program RSS
		 * from it when they start. */
		if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH) &&
		    info.hash_key_size > 0 &&
		    info.hash_key_size <= CTL_RSS_KEY_MAX &&
		    conf.rx_adv_conf.rss_conf.rss_hf != 0) {
			rss_key_symmetric(rss_key, info.hash_key_size);
			conf.rx_adv_conf.rss_conf.rss_key = rss_key;
			conf.rx_adv_conf.rss_conf.rss_key_len =
				info.hash_key_size;
			conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
		}
	}
	/* A device whose driver cannot take the MTU (net_af_packet: the
	 * kernel interface has it, DPDK's view stays 1500) is taken at its
	 * word: the configured MTU sizes the copies sent out of it. */
	overhead =
		info.max_mtu != UINT16_MAX && info.max_rx_pktlen > info.max_mtu
			? info.max_rx_pktlen - info.max_mtu
			: RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
	assumed_mtu = cp->mtu != 0 && (cp->mtu > info.max_mtu ||
				       cp->mtu + overhead > info.max_rx_pktlen);
	/* Only a packet socket hands frames to the kernel whatever DPDK's
	 * MTU: other drivers refuse what exceeds it, so say so now. */
	if (assumed_mtu && strcmp(info.driver_name, "net_af_packet") != 0)
		return dpm_fail(e, EINVAL,
				"[port %s] mtu = %u: %s (%s) takes frames of "
				"at most %u bytes, an MTU of %u; give mtu = %u "
				"or less (and the sessions that send copies "
				"here a snaplen so that copies fit), or a "
				"device that carries larger frames",
				cp->name, cp->mtu, p->devname, info.driver_name,
				info.max_rx_pktlen,
				info.max_rx_pktlen - overhead,
				info.max_rx_pktlen - overhead);
	if (cp->mtu != 0 && cp->mtu < info.min_mtu)
		return dpm_fail(e, EINVAL,
				"[port %s] mtu = %u: %s (%s) takes an MTU of "
				"at least %u; give mtu = %u or more",
				cp->name, cp->mtu, p->devname, info.driver_name,
				info.min_mtu, info.min_mtu);
	if (cp->mtu != 0 && !assumed_mtu)
		conf.rxmode.mtu = cp->mtu;
	if ((info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) &&
	    cp->tx_multiseg != CFG_MULTISEG_NO) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		p->multiseg = true;
	}
	/* Copies' outer IPv4 checksum: the NIC's job where it offers it. */
	if (mir && (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		p->hw_ip_cksum = true;
	}
	/* IPv6 copies' outer UDP checksum: decided by udp6_offload(). */
	if (p->hw_udp_cksum)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	if (!p->multiseg && cp->tx_multiseg == CFG_MULTISEG_YES) {
		/* The operator vouches for a driver that sends chains but
		 * does not advertise it (net_null, net_pcap, ...). */
		p->multiseg = true;
	}
	if (cp->mtu > RTE_MBUF_DEFAULT_DATAROOM - RTE_ETHER_HDR_LEN -
			      RTE_ETHER_CRC_LEN &&
	    (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
		p->scatter = true;
	}

	rc = rte_eth_dev_configure(p->port_id, p->n_rxq, p->n_txq, &conf);
	if (rc != 0)
		return dpm_fail(e, rc,
				"[port %s] device = %s: configure with %u rx / "
				"%u tx queues%s failed (%s)",
				cp->name, cp->device, p->n_rxq, p->n_txq,
				cp->mtu ? " and the configured mtu" : "",
				rte_strerror(-rc));
	p->configured = true;
	/* Copies only (no chains, so no clones): the PMD may put them back
	 * in their pool in bulk, without a look at each. */
	if (mir && !p->multiseg &&
	    (info.tx_queue_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE))
		p->fast_free = true;
	rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, NULL, &nb_mird);
	rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_ctld, &nb_ctltx);
	if (mir && nb_mird > mir_txd)
		return dpm_fail(e, EINVAL,
				"[dpmirror] mirror_pool = %u: [port %s] device "
				"= %s takes at least %u descriptors per tx "
				"queue, more than the %u each copy queue may "
				"hold of this pool; give a larger mirror_pool",
				mirror_pool, cp->name, cp->device, nb_mird,
				mir_txd);
	for (q = 0; q < p->n_rxq; q++) {
		bool ctl = q >= cp->rx_queues; /* the control thread's */

		rc = rte_eth_rx_queue_setup(p->port_id, q,
					    ctl ? nb_ctld : nb_rxd,
					    rte_eth_dev_socket_id(p->port_id),
					    NULL, ctl ? neigh_pool : rx_pool);
		if (rc != 0)
			goto queue_fail;
	}
	for (q = 0; q < p->n_txq; q++) {
		struct rte_eth_txconf txc = info.default_txconf;
		uint16_t nb = nb_txd;

		txc.offloads = conf.txmode.offloads;
		/* A copy queue holds at most its share of the mirror pool. */
		if (q >= n_wtxq)
			nb = nb_ctltx;
		else if (mir && q % p->txq_stride == p->mir_ofs) {
			nb = nb_mird;
			if (p->fast_free)
				txc.offloads |=
					RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
		}
		rc = rte_eth_tx_queue_setup(p->port_id, q, nb,
					    rte_eth_dev_socket_id(p->port_id),
					    &txc);
		if (rc != 0)
			goto queue_fail;
	}
	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0)
		return dpm_fail(e, rc,
				"[port %s] device = %s: start failed (%s)",
				cp->name, cp->device, rte_strerror(-rc));
	p->started = true;
	if (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_RSS_HASH) {
		p->rss_sym = rss_key_took(p->port_id, info.hash_key_size,
					  conf.rx_adv_conf.rss_conf.rss_hf);
		p->rss_hf = conf.rx_adv_conf.rss_conf.rss_hf;
	}
	if (p->polled) {
		rc = rte_eth_promiscuous_enable(p->port_id);
		if (rc != 0 && rc != -ENOTSUP)
			RTE_LOG(NOTICE, DPM_CTRL,
				"port %s: promiscuous mode not enabled (%s)\n",
				cp->name, rte_strerror(-rc));
	}
	if (rte_eth_dev_get_mtu(p->port_id, &p->mtu) != 0)
		p->mtu = RTE_ETHER_MTU;
	if (assumed_mtu) {
		char ifname[IF_NAMESIZE];

		/* Name the Linux interface the driver sends through, the
		 * one whose MTU decides. */
		if (info.if_index != 0 &&
		    if_indextoname(info.if_index, ifname) != NULL)
			RTE_LOG(NOTICE, DPM_CTRL,
				"port %s: the driver keeps MTU %u (frames of "
				"at most %u bytes); taking mtu = %u as the "
				"size its Linux interface %s carries: check "
				"it does (ip link set dev %s mtu %u)\n",
				cp->name, p->mtu, info.max_rx_pktlen, cp->mtu,
				ifname, ifname, cp->mtu);
		else
			RTE_LOG(NOTICE, DPM_CTRL,
				"port %s: the driver keeps MTU %u (frames of "
				"at most %u bytes); taking mtu = %u as the "
				"size the interface behind %s carries: check "
				"it does\n",
				cp->name, p->mtu, info.max_rx_pktlen, cp->mtu,
				p->devname);
		p->mtu = cp->mtu;
	}
	rte_eth_macaddr_get(p->port_id, &p->mac);
	return 0;

queue_fail:
	return dpm_fail(e, rc,
			"[port %s] device = %s: queue %u setup failed (%s)",
			cp->name, cp->device, q, rte_strerror(-rc));
}

static int
min_page_walk(const struct rte_memseg_list *msl, void *arg)
{
	uint64_t *min = arg;

	if (msl->page_sz != 0 && (*min == 0 || msl->page_sz < *min))
		*min = msl->page_sz;
	return 0;
}

/*
 * The page an mbuf may not cross (rte_mempool_populate_default: objects
 * must be IOVA-contiguous): the smallest page of the EAL's memory, the
 * system page with --no-huge.
 */
static uint64_t
pool_page_size(void)
{
	uint64_t pg = 0;

	if (rte_eal_has_hugepages())
		rte_memseg_list_walk(min_page_walk, &pg);
	if (pg == 0)
		pg = (uint64_t)sysconf(_SC_PAGESIZE);
	return pg;
}

/*
 * Bytes a pktmbuf pool of N mbufs with DATA_ROOM bytes of data each takes:
 * the objects (header, mbuf and data, trailer: rte_mempool_calc_obj_size)
 * laid out whole in pages of PG bytes as the mempool library does (on 4 KB
 * pages, one 2 KB-buffer mbuf per page), the ring that holds them and the
 * pool header with its per-lcore caches.
 */
static uint64_t
pool_bytes(unsigned int n, unsigned int data_room, uint64_t pg)
{
	uint64_t obj = rte_mempool_calc_obj_size(
		(uint32_t)(sizeof(struct rte_mbuf) + data_room), 0, NULL);
	uint64_t per_page = obj <= pg ? pg / obj : 0;
	uint64_t objs;
	struct rte_mempool *mp = NULL;

	if (per_page == 0) /* objects of several pages each */
		objs = (uint64_t)n * RTE_ALIGN_CEIL(obj, pg);
	else
		objs = (n + per_page - 1) / per_page * pg + obj;
	return objs + (uint64_t)rte_ring_get_memsize(rte_align32pow2(n + 1)) +
	       RTE_MEMPOOL_HEADER_SIZE(mp, POOL_CACHE) +
	       sizeof(struct rte_pktmbuf_pool_private);
}

/* Megabytes, rounded up (what is needed) or down (what is free). */
#define MB(bytes)      ((unsigned int)(((bytes) + (1u << 20) - 1) >> 20))
#define MB_DOWN(bytes) ((unsigned int)((bytes) >> 20))

/* Free every pool of PORTS (those made so far); idempotent. */
static void
pools_free(struct ctl_ports *ports)
{
	unsigned int i;

	for (i = 0; i < DP_MAX_SOCKETS; i++) {
		rte_mempool_free(ports->hdr_pool[i]);
		rte_mempool_free(ports->clone_pool[i]);
		rte_mempool_free(ports->mirror_pool[i]);
		ports->hdr_pool[i] = ports->clone_pool[i] = NULL;
		ports->mirror_pool[i] = NULL;
	}
	for (i = 0; i < CFG_MAX_PORTS; i++) {
		rte_mempool_free(ports->rx_pool[i]);
		ports->rx_pool[i] = NULL;
	}
	rte_mempool_free(ports->neigh_pool);
	ports->neigh_pool = NULL;
}

/* Data room of a clone's header mbuf: the outer headers, in front of an
 * original it shares by reference count. */
#define HDR_DATA_ROOM (RTE_PKTMBUF_HEADROOM + 128)

/*
 * A pool could not be created: release those that were, then say what
 * they all need (the receive pools of N_MBUFS[i] mbufs, the mirror, clone
 * and header pools of each socket), what the EAL has free, and what to do
 * about it.
 */
static void
pool_error(const struct cfg *cfg, struct ctl_ports *ports,
	   const unsigned int *n_mbufs, struct dpm_err *e)
{
	struct rte_malloc_socket_stats st;
	uint64_t pg = pool_page_size();
	uint64_t rx = 0, used, per_k, total, need;
	uint64_t mirror =
		pool_bytes(cfg->mirror_pool, RTE_MBUF_DEFAULT_BUF_SIZE, pg);
	uint64_t clone = pool_bytes(cfg->mirror_pool, 0, pg);
	uint64_t hdr = pool_bytes(cfg->mirror_pool, HDR_DATA_ROOM, pg);
	unsigned int m, i, n_rx = 0, n_sock = RTE_MAX(ports->n_sock, 1u);

	for (i = 0; i < ports->n_rx; i++) {
		rx += pool_bytes(n_mbufs[i], RTE_MBUF_DEFAULT_BUF_SIZE, pg);
		n_rx += n_mbufs[i];
	}
	need = rx + n_sock * (mirror + clone + hdr);
	pools_free(ports);
	memset(&st, 0, sizeof(st));
	rte_malloc_get_socket_stats((int)rte_socket_id(), &st);
	used = st.heap_totalsz_bytes - st.heap_freesz_bytes;
	/* What is in use already, the pools, and 64 MB for what the ports,
	 * rulesets and workers allocate next; in steps of 64 MB. */
	total = used + need + (64u << 20);
	m = (MB(total) + 63) / 64 * 64;
	per_k = n_sock * (mirror + clone + hdr) * 1024 / cfg->mirror_pool;
	dpm_fail(e, ENOMEM,
		 "cannot create the mbuf pools: they need about %u MB "
		 "(dpm_rx %u mbufs %u MB, and on each of %u NUMA socket(s) "
		 "with workers dpm_mirror %u mbufs %u MB, dpm_clone %u mbufs "
		 "%u MB, dpm_hdr %u mbufs %u MB), and the EAL has %u MB free "
		 "(largest block %u MB, %u MB in use); give the EAL more "
		 "memory, e.g. -m %u with --no-huge (or that much in "
		 "hugepages), or lower [dpmirror] mirror_pool (now %u; each "
		 "1024 mirror mbufs take about %u MB with their clone and "
		 "header mbufs)",
		 MB(need), n_rx, MB(rx), n_sock, cfg->mirror_pool, MB(mirror),
		 cfg->mirror_pool, MB(clone), cfg->mirror_pool, MB(hdr),
		 MB_DOWN(st.heap_freesz_bytes), MB_DOWN(st.greatest_free_size),
		 MB(used), m, cfg->mirror_pool, MB(per_k));
}

/*
 * The pools: mirror, clone and header pools on each socket index's socket,
 * and a receive pool on each socket the ports are on, sized by the ports
 * there (PER_PORT[i] mbufs for port i, SLACK more per pool).
 */
/* A pktmbuf pool on SOCKET, or where the EAL has memory when that socket
 * has none left (a socket without hugepages): slower, but running. */
static struct rte_mempool *
pool_on(const char *name, unsigned int n, uint16_t room, int socket)
{
	struct rte_mempool *mp;

	mp = rte_pktmbuf_pool_create(name, n, POOL_CACHE, 0, room, socket);
	if (mp == NULL && socket != SOCKET_ID_ANY && rte_errno == ENOMEM)
		mp = rte_pktmbuf_pool_create(name, n, POOL_CACHE, 0, room,
					     SOCKET_ID_ANY);
	return mp;
}

static int
pools_create(const struct cfg *cfg, struct ctl_ports *ports,
	     const unsigned int *per_port, unsigned int slack,
	     struct dpm_err *e)
{
	unsigned int n_mbufs[CFG_MAX_PORTS], i, j;
	char name[RTE_MEMPOOL_NAMESIZE];

	memset(n_mbufs, 0, sizeof(n_mbufs));
	for (i = 0; i < ports->n; i++) {
		int s = ports->p[i].socket;

		if (s == SOCKET_ID_ANY)
			s = ports->sock[0];
		for (j = 0; j < ports->n_rx; j++)
			if (ports->rx_sock[j] == s)
				break;
		if (j == ports->n_rx) {
			ports->rx_sock[j] = s;
			ports->n_rx++;
			n_mbufs[j] = slack;
		}
		n_mbufs[j] += per_port[i];
	}
	for (j = 0; j < ports->n_rx; j++) {
		if (j == 0)
			snprintf(name, sizeof(name), "dpm_rx");
		else
			snprintf(name, sizeof(name), "dpm_rx_%d",
				 ports->rx_sock[j]);
		ports->rx_pool[j] =
			pool_on(name, n_mbufs[j], RTE_MBUF_DEFAULT_BUF_SIZE,
				ports->rx_sock[j]);
		if (ports->rx_pool[j] == NULL)
			goto fail;
	}
	for (i = 0; i < ports->n_sock; i++) {
		/* Socket index 0's keep the names they always had. */
		char sfx[8] = "";

		if (i > 0)
			snprintf(sfx, sizeof(sfx), "_%u", i);
		snprintf(name, sizeof(name), "dpm_mirror%s", sfx);
		ports->mirror_pool[i] =
			pool_on(name, cfg->mirror_pool,
				RTE_MBUF_DEFAULT_BUF_SIZE, ports->sock[i]);
		snprintf(name, sizeof(name), "dpm_clone%s", sfx);
		ports->clone_pool[i] =
			pool_on(name, cfg->mirror_pool, 0, ports->sock[i]);
		snprintf(name, sizeof(name), "dpm_hdr%s", sfx);
		ports->hdr_pool[i] = pool_on(name, cfg->mirror_pool,
					     HDR_DATA_ROOM, ports->sock[i]);
		if (ports->mirror_pool[i] == NULL ||
		    ports->clone_pool[i] == NULL || ports->hdr_pool[i] == NULL)
			goto fail;
	}
	return 0;
fail:
	pool_error(cfg, ports, n_mbufs, e);
	return -ENOMEM;
}

/* The rx pool of port P's socket. */
static struct rte_mempool *
rx_pool_of(const struct ctl_ports *ports, const struct ctl_port *p)
{
	int s = p->socket == SOCKET_ID_ANY ? ports->sock[0] : p->socket;
	unsigned int j;

	for (j = 0; j < ports->n_rx; j++)
		if (ports->rx_sock[j] == s)
			return ports->rx_pool[j];
	return ports->rx_pool[0];
}

/*
 * The outer UDP checksum of IPv6 VxLAN and Geneve copies: the NIC's job on
 * the ports of such collectors where it offers it, unless every one of
 * them there says compute or zero.  udp6_checksum = offload on a port
 * without the offload is refused.  Sets hw_udp_cksum, which
 * configure_one() enables and collector_build() reads.
 */
static int
udp6_offload(const struct cfg *cfg, struct ctl_ports *ports, struct dpm_err *e)
{
	unsigned int i;

	for (i = 0; i < cfg->n_collectors; i++) {
		const struct cfg_collector *cc = &cfg->collectors[i];
		struct ctl_port *p = &ports->p[cc->port];
		struct rte_eth_dev_info info;
		int rc;

		if ((cc->encap != CFG_ENCAP_VXLAN &&
		     cc->encap != CFG_ENCAP_GENEVE) ||
		    cc->remote_ip.family != 6 ||
		    cc->udp6_checksum == CFG_UDP6_COMPUTE ||
		    cc->udp6_checksum == CFG_UDP6_ZERO)
			continue;
		rc = rte_eth_dev_info_get(p->port_id, &info);
		if (rc != 0)
			return dpm_fail(e, rc,
					"[port %s] device = %s: cannot read "
					"device info (%s)",
					cfg->ports[cc->port].name,
					cfg->ports[cc->port].device,
					rte_strerror(-rc));
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM)
			p->hw_udp_cksum = true;
		else if (cc->udp6_checksum == CFG_UDP6_OFFLOAD)
			return dpm_fail(e, EINVAL,
					"[collector %s] udp6_checksum = "
					"offload: port %s (%s, driver %s) "
					"does not offer the UDP checksum "
					"offload; give udp6_checksum = "
					"compute (the workers sum each copy) "
					"or zero (RFC 6935)",
					cc->name, cfg->ports[cc->port].name,
					p->devname, info.driver_name);
	}
	return 0;
}

int
ctl_ports_setup(const struct cfg *cfg, unsigned int n_workers, const int *sock,
		unsigned int n_sock, struct ctl_ports *ports, struct dpm_err *e)
{
	bool polled[CFG_MAX_PORTS], fwd[CFG_MAX_PORTS], mir[CFG_MAX_PORTS];
	bool neigh[CFG_MAX_PORTS];
	unsigned int i, n_neigh = 0, n_mir, per_port[CFG_MAX_PORTS];
	uint16_t mir_txd;
	int rc;

	memset(ports, 0, sizeof(*ports));
	if (n_sock > DP_MAX_SOCKETS)
		return dpm_fail(e, EINVAL,
				"workers on %u NUMA sockets; at most %u are "
				"supported",
				n_sock, DP_MAX_SOCKETS);
	ports->n_sock = n_sock > 0 ? n_sock : 1;
	for (i = 0; i < ports->n_sock; i++)
		ports->sock[i] = n_sock > 0 ? sock[i] : (int)rte_socket_id();
	port_roles(cfg, polled, fwd, mir, neigh);
	for (i = 0; i < cfg->n_ports; i++) {
		unsigned int j;

		ports->p[i].name = cfg->ports[i].name;
		ports->p[i].polled = polled[i];
		ports->p[i].neigh = neigh[i];
		n_neigh += neigh[i] ? 1 : 0;
		ports->p[i].port_id = RTE_MAX_ETHPORTS;
		ports->n = i + 1;
		rc = probe_one(cfg, &cfg->ports[i], &ports->p[i], e);
		if (rc != 0)
			goto fail;
		for (j = 0; j < i; j++) {
			if (ports->p[j].port_id != ports->p[i].port_id)
				continue;
			rc = dpm_fail(
				e, EINVAL,
				"[port %s] device = %s: the same device as "
				"[port %s]; each port needs a device of its "
				"own",
				cfg->ports[i].name, cfg->ports[i].device,
				cfg->ports[j].name);
			ports->p[i].port_id = RTE_MAX_ETHPORTS;
			goto fail;
		}
		ports->p[i].socket = rte_eth_dev_socket_id(ports->p[i].port_id);
		memcpy(ports->p[i].lcores, cfg->ports[i].lcores,
		       sizeof(ports->p[i].lcores));
		ports->p[i].n_lcores = cfg->ports[i].n_lcores;
		per_port[i] = cfg->ports[i].rx_queues * NB_RXD +
			      2 * n_workers * NB_TXD;
	}
	rc = copy_queue_size(cfg, n_workers, mir, &mir_txd, e);
	if (rc != 0)
		goto fail;
	/* A clone that shares the original holds a received mbuf until the
	 * copy is sent: a collector that never drains holds a copy queue's
	 * worth, and a worker's copy buffer as much, of a port's originals.
	 * Enough for that, so that no collector starves the receive side. */
	for (i = 0, n_mir = 0; i < cfg->n_ports; i++)
		n_mir += mir[i] ? 1 : 0;
	for (i = 0; i < cfg->n_ports; i++)
		if (polled[i])
			per_port[i] +=
				n_mir * n_workers * (mir_txd + DP_MIRBUF);

	rc = pools_create(cfg, ports, per_port,
			  n_workers * (DP_RX_SLACK + POOL_CACHE) + 1024, e);
	if (rc != 0)
		goto fail;
	if (n_neigh > 0) {
		/* Each neigh port's extra rx ring full, its tx ring full,
		 * and a few in the control thread's hands. */
		ports->neigh_pool = rte_pktmbuf_pool_create(
			"dpm_neigh", n_neigh * 2 * NB_CTL_D + 256, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
		if (ports->neigh_pool == NULL) {
			rc = dpm_fail(e, ENOMEM,
				      "cannot create the pool of %u mbufs "
				      "for the neighbour queues of remote_mac "
				      "= auto (%s); give the EAL more memory "
				      "(-m)",
				      n_neigh * 2 * NB_CTL_D + 256,
				      rte_strerror(rte_errno));
			goto fail;
		}
	}
	rc = udp6_offload(cfg, ports, e);
	if (rc != 0)
		goto fail;
	for (i = 0; i < cfg->n_ports; i++) {
		rc = configure_one(&cfg->ports[i], &ports->p[i], n_workers,
				   fwd[i], mir[i], mir_txd, cfg->mirror_pool,
				   rx_pool_of(ports, &ports->p[i]),
				   ports->neigh_pool, e);
		if (rc != 0)
			goto fail;
	}
	for (i = 0; i < cfg->n_ports; i++) {
		int peer = cfg->ports[i].peer;

		if (cfg->mode != CFG_MODE_INLINE || peer < 0 ||
		    !ports->p[i].scatter || ports->p[peer].multiseg)
			continue;
		RTE_LOG(WARNING, DPM_CTRL,
			"port %s receives frames in several segments (mtu %u) "
			"but its peer %s cannot send them; lower [port %s] "
			"mtu to %u or use a peer device with multi-segment "
			"tx\n",
			cfg->ports[i].name, cfg->ports[i].mtu,
			cfg->ports[peer].name, cfg->ports[i].name,
			RTE_MBUF_DEFAULT_DATAROOM - RTE_ETHER_HDR_LEN -
				RTE_ETHER_CRC_LEN);
	}
	return 0;
fail:
	ctl_ports_teardown(ports);
	return rc;
}

void
ctl_ports_teardown(struct ctl_ports *ports)
{
	unsigned int i;

	for (i = 0; i < ports->n; i++) {
		struct ctl_port *p = &ports->p[i];
		struct rte_eth_dev_info info;

		if (p->port_id >= RTE_MAX_ETHPORTS)
			continue;

		if (p->started)
			rte_eth_dev_stop(p->port_id);
		if (p->configured || p->probed) {
			if (p->probed &&
			    rte_eth_dev_info_get(p->port_id, &info) == 0 &&
			    info.device != NULL) {
				rte_eth_dev_close(p->port_id);
				rte_dev_remove(info.device);
			} else {
				rte_eth_dev_close(p->port_id);
			}
		}
		p->started = p->configured = p->probed = false;
	}
	ports->n = 0;
	pools_free(ports);
	ports->n_rx = 0;
}
