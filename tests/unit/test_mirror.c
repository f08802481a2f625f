/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's mirror path end to end, below the EAL ports: a config is
 * loaded and compiled into a ruleset, packets go through dp_worker_burst()
 * and the copies and forwarded originals are read back from net_ring ports.
 * Checks what leaves, in which order, and that every packet is accounted
 * for: per session matched = mirrored + sum(dropped), and no mbuf leaks.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "cfg.h"
#include "ctl_port.h"
#include "ctl_ruleset.h"
#include "dp_worker.h"
#include "eal_test.h"

#define NPORTS 3 /* a (receives), b (a's peer), c (collector egress) */

struct fixture {
	struct cfg *cfg;
	struct ctl_ports ports;
	struct dp_ruleset *rs;
	struct dp_shared sh;
	struct dp_worker *w;
	struct rte_ring *txr[NPORTS];
	struct rte_mempool *pkt_pool;
	struct rte_mempool *mirror_pool;
	struct rte_mempool *clone_pool;
};

static unsigned int seq;
static bool c_multiseg = true; /* does port c take chained mbufs */
/* Worker 0 polls every port. */
static const uint64_t one_worker[DP_MAX_PORTS] = { 1, 1, 1 };

static struct rte_ring *
ring_port(const char *tag, unsigned int size, struct rte_mempool *mp,
	  uint16_t *port_id)
{
	char name[64];
	struct rte_ring *rx, *tx;
	struct rte_eth_conf conf;
	int id;

	snprintf(name, sizeof(name), "r%s%u", tag, seq);
	rx = rte_ring_create(name, 64, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "t%s%u", tag, seq);
	tx = rte_ring_create(name, size, SOCKET_ID_ANY,
			     RING_F_SP_ENQ | RING_F_SC_DEQ);
	assert_non_null(rx);
	assert_non_null(tx);
	snprintf(name, sizeof(name), "net_ring_%s%u", tag, seq);
	id = rte_eth_from_rings(name, &rx, 1, &tx, 1, SOCKET_ID_ANY);
	assert_true(id >= 0);
	memset(&conf, 0, sizeof(conf));
	assert_int_equal(rte_eth_dev_configure((uint16_t)id, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup((uint16_t)id, 0, 64, SOCKET_ID_ANY,
						NULL, mp), 0);
	assert_int_equal(rte_eth_tx_queue_setup((uint16_t)id, 0, 64, SOCKET_ID_ANY,
						NULL), 0);
	assert_int_equal(rte_eth_dev_start((uint16_t)id), 0);
	*port_id = (uint16_t)id;
	return tx;
}

/* Load INI (ports a, b, c in that order), compile, wire a worker. */
static void
fixture_up(struct fixture *f, const char *ini, unsigned int ring_c,
	   unsigned int mirror_mbufs, uint16_t mtu_c)
{
	char path[] = "/tmp/dpm-test-mirror-XXXXXX";
	struct cfg_errors errs;
	char err[512], name[32];
	unsigned int i;
	int fd;

	memset(f, 0, sizeof(*f));
	seq++;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, ini, strlen(ini)), (ssize_t)strlen(ini));
	close(fd);
	memset(&errs, 0, sizeof(errs));
	f->cfg = cfg_load(path, &errs);
	unlink(path);
	if (f->cfg == NULL)
		fail_msg("config rejected: %s", errs.msg[0]);
	assert_int_equal(f->cfg->n_ports, NPORTS);

	snprintf(name, sizeof(name), "pkt%u", seq);
	f->pkt_pool = rte_pktmbuf_pool_create(name, 1024, 0, 0,
					      RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "mir%u", seq);
	f->mirror_pool = rte_pktmbuf_pool_create(name, mirror_mbufs, 0, 0,
						 RTE_MBUF_DEFAULT_BUF_SIZE,
						 SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "cln%u", seq);
	f->clone_pool = rte_pktmbuf_pool_create(name, 1024, 0, 0, 0, SOCKET_ID_ANY);
	assert_non_null(f->pkt_pool);
	assert_non_null(f->mirror_pool);
	assert_non_null(f->clone_pool);

	f->ports.n = NPORTS;
	for (i = 0; i < NPORTS; i++) {
		struct ctl_port *p = &f->ports.p[i];
		const char *tag = i == 0 ? "a" : i == 1 ? "b" : "c";

		f->txr[i] = ring_port(tag, i == 2 ? ring_c : 1024, f->pkt_pool,
				     &p->port_id);
		p->name = f->cfg->ports[i].name;
		p->mtu = i == 2 ? mtu_c : 1500;
		p->multiseg = i == 2 ? c_multiseg : true;
		memset(p->mac.addr_bytes, 0, 6);
		p->mac.addr_bytes[0] = 0x02;
		p->mac.addr_bytes[5] = (uint8_t)(0x10 + i);
	}
	f->rs = ctl_ruleset_build(f->cfg, &f->ports, one_worker, seq, err,
				  sizeof(err));
	if (f->rs == NULL)
		fail_msg("ruleset: %s", err);

	f->sh.mode = f->cfg->mode == CFG_MODE_TAP ? DP_MODE_TAP : DP_MODE_INLINE;
	f->sh.burst = 64;
	f->sh.n_ports = NPORTS;
	for (i = 0; i < NPORTS; i++) {
		f->sh.port[i].port_id = f->ports.p[i].port_id;
		f->sh.port[i].peer = (int16_t)f->cfg->ports[i].peer;
	}
	f->sh.mirror_pool = f->mirror_pool;
	f->sh.clone_pool = f->clone_pool;
	f->sh.ruleset = f->rs;
	f->w = rte_zmalloc("w", sizeof(*f->w), RTE_CACHE_LINE_SIZE);
	assert_non_null(f->w);
	dp_worker_init(f->w, &f->sh, 1, 0);
	dp_worker_adopt(f->w, f->rs);
}

static unsigned int
drain(struct rte_ring *r, struct rte_mbuf **out, unsigned int max)
{
	return rte_ring_dequeue_burst(r, (void **)out, max, NULL);
}

static void
fixture_down(struct fixture *f)
{
	struct rte_mbuf *m[256];
	unsigned int i, n;

	for (i = 0; i < NPORTS; i++) {
		while ((n = drain(f->txr[i], m, 256)) > 0)
			rte_pktmbuf_free_bulk(m, n);
		rte_eth_dev_stop(f->ports.p[i].port_id);
		rte_eth_dev_close(f->ports.p[i].port_id);
	}
	/* Nothing may leak: every copy, clone and original came back. */
	assert_int_equal(rte_mempool_in_use_count(f->pkt_pool), 0);
	assert_int_equal(rte_mempool_in_use_count(f->mirror_pool), 0);
	assert_int_equal(rte_mempool_in_use_count(f->clone_pool), 0);
	rte_free(f->w);
	ctl_ruleset_free(f->rs);
	cfg_free(f->cfg);
	rte_mempool_free(f->pkt_pool);
	rte_mempool_free(f->mirror_pool);
	rte_mempool_free(f->clone_pool);
}

/* An Ethernet/IPv4/TCP frame of LEN bytes (>= 54) to DPORT; the payload
 * bytes carry TAG so frames can be told apart. */
static struct rte_mbuf *
tcp4(struct fixture *f, uint16_t dport, uint32_t len, uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(f->pkt_pool);
	uint8_t *p;
	uint32_t i;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(p);
	memset(p, 0, len);
	memcpy(p, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	p[14] = 0x45;
	p[16] = (uint8_t)((len - 14) >> 8);
	p[17] = (uint8_t)(len - 14);
	p[22] = 64;
	p[23] = 6;
	memcpy(p + 26, "\xc6\x12\x00\x02\xc6\x12\x00\x03", 8);
	p[34] = 0x04;
	p[35] = 0xd2;
	p[36] = (uint8_t)(dport >> 8);
	p[37] = (uint8_t)dport;
	p[46] = 0x50;
	for (i = 54; i < len; i++)
		p[i] = (uint8_t)(tag + i);
	return m;
}

static void
check_accounting(const struct fixture *f)
{
	unsigned int s, r;

	for (s = 0; s < f->cfg->n_sessions; s++) {
		const struct dp_session_counters *c = &f->w->stats.sess[s];
		uint64_t sum = c->mirrored;

		for (r = 0; r < DP_DROP_MAX; r++)
			sum += c->dropped[r];
		assert_int_equal(c->matched, sum);
	}
}

/* Compare copy C against outer-header length HL + the first INNER bytes
 * of REF (a flat copy of the original), and return the VNI. */
static uint32_t
check_copy(struct rte_mbuf *c, const uint8_t *ref, uint32_t inner,
	   uint32_t hl)
{
	uint8_t buf[4096];
	const uint8_t *p;

	assert_int_equal(c->pkt_len, hl + inner);
	assert_true(c->pkt_len <= sizeof(buf));
	p = rte_pktmbuf_read(c, 0, c->pkt_len, buf);
	assert_non_null(p);
	assert_memory_equal(p + hl, ref, inner);
	assert_int_equal(p[hl - 8], 0x08); /* VxLAN I flag */
	return ((uint32_t)p[hl - 4] << 16) | ((uint32_t)p[hl - 3] << 8) |
	       p[hl - 2];
}

#define PORTS_INLINE                                                          \
	"[port a]\ndevice = net_ring_a\npeer = b\n"                            \
	"[port b]\ndevice = net_ring_b\n"                                      \
	"[port c]\ndevice = net_ring_c\n"
#define COLL4                                                                 \
	"[collector c4]\nport = c\nremote_ip = 198.18.1.3\n"                   \
	"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\nvni = 100\n"
#define COLL6                                                                 \
	"[collector c6]\nport = c\nremote_ip = fd00:1::3\n"                    \
	"local_ip = fd00:1::10\nremote_mac = 02:00:00:00:01:03\nvni = 200\n"

static void
test_inline_forward_and_mirror(void **state)
{
	static const char ini[] = "[dpmirror]\nmode = inline\ncopy_max = 256\n"
		PORTS_INLINE
		COLL4 COLL6
		"[session web]\nsources = a:rx\ncollector = c4\nfilter = web\n"
		"[session all]\nsources = a:rx\ncollector = c6\nsnaplen = 64\n"
		"[filter web]\nrule 10 = accept proto tcp dport 80\n";
	static const uint16_t dports[10] = { 80, 22, 80, 22, 80,
					     22, 80, 22, 80, 22 };
	struct fixture f;
	struct rte_mbuf *pk[10], *out[64];
	uint8_t ref[10][1500];
	uint32_t len[10];
	unsigned int i, n, k;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 9000);
	for (i = 0; i < 10; i++) {
		len[i] = i == 4 ? 1400 : 60 + 10 * i; /* one clone-sized frame */
		pk[i] = tcp4(&f, dports[i], len[i], (uint8_t)i);
		memcpy(ref[i], rte_pktmbuf_mtod(pk[i], uint8_t *), len[i]);
	}
	dp_worker_burst(f.w, f.rs, 0, pk, 10);
	dp_worker_flush(f.w);

	/* Originals reach the peer untouched and in order. */
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++) {
		assert_int_equal(out[i]->pkt_len, len[i]);
		assert_memory_equal(rte_pktmbuf_mtod(out[i], uint8_t *), ref[i],
				    len[i]);
	}
	rte_pktmbuf_free_bulk(out, n);

	/* Copies: per packet, web (if dport 80) then all, in order. */
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 15);
	for (i = 0, k = 0; i < 10; i++) {
		if (dports[i] == 80) {
			assert_int_equal(check_copy(out[k], ref[i], len[i], 50), 100);
			if (len[i] > f.cfg->copy_max)
				assert_int_equal(out[k]->nb_segs, 2); /* clone */
			else
				assert_int_equal(out[k]->nb_segs, 1);
			k++;
		}
		assert_int_equal(check_copy(out[k], ref[i], RTE_MIN(len[i], 64u), 70),
				 200);
		k++;
	}
	rte_pktmbuf_free_bulk(out, n);

	assert_int_equal(f.w->stats.sess[0].matched, 5);
	assert_int_equal(f.w->stats.sess[0].mirrored, 5);
	assert_int_equal(f.w->stats.sess[1].matched, 10);
	assert_int_equal(f.w->stats.sess[1].mirrored, 10);
	assert_int_equal(f.w->stats.sess[1].mirrored_bytes, 70 + 60 + 9 * (70 + 64));
	assert_int_equal(f.w->stats.port[0].rx_packets, 10);
	assert_int_equal(f.w->stats.port[1].fwd_packets, 10);
	assert_int_equal(f.w->stats.port[2].mirror_packets, 15);
	check_accounting(&f);
	fixture_down(&f);
}

static void
test_tx_full_never_hurts_forwarding(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session s]\nsources = a:rx\ncollector = c4\n";
	struct fixture f;
	struct rte_mbuf *pk[40], *out[64];
	unsigned int i, n;

	(void)state;
	fixture_up(&f, ini, 16, 1024, 1500); /* the ring holds 15 */
	for (i = 0; i < 40; i++)
		pk[i] = tcp4(&f, 80, 100, (uint8_t)i);
	dp_worker_burst(f.w, f.rs, 0, pk, 40);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, 40);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.sess[0].matched, 40);
	assert_int_equal(f.w->stats.sess[0].mirrored, 15);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_TX_FULL], 25);
	assert_int_equal(f.w->stats.port[2].mirror_dropped, 25);
	assert_int_equal(f.w->stats.port[1].fwd_dropped, 0);
	check_accounting(&f);
	fixture_down(&f);
}

static void
test_empty_pool_never_hurts_forwarding(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session s]\nsources = a:rx\ncollector = c4\n";
	struct fixture f;
	struct rte_mbuf *pk[20], *out[64];
	unsigned int i, n;

	(void)state;
	fixture_up(&f, ini, 1024, 8, 1500); /* 8 mirror mbufs */
	for (i = 0; i < 20; i++)
		pk[i] = tcp4(&f, 80, 100, (uint8_t)i);
	dp_worker_burst(f.w, f.rs, 0, pk, 20);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, 20);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.sess[0].mirrored, 8);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_NO_MBUF], 12);
	check_accounting(&f);
	fixture_down(&f);
}

static void
test_sample_snaplen_too_big(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session one_in_3]\nsources = a:rx\ncollector = c4\n"
		"sample = 3\n"
		"[session cut]\nsources = a:rx\ncollector = c4\nsnaplen = 1400\n";
	struct fixture f;
	struct rte_mbuf *pk[10], *out[64];
	uint8_t ref[10][1514];
	uint32_t len;
	unsigned int i, n;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	for (i = 0; i < 10; i++) {
		/* odd frames are full size: their whole copy would not fit
		 * MTU 1500, but cut to 1400 bytes it does */
		len = i % 2 ? 1514 : 200;
		pk[i] = tcp4(&f, 80, len, (uint8_t)i);
		memcpy(ref[i], rte_pktmbuf_mtod(pk[i], uint8_t *), len);
	}
	dp_worker_burst(f.w, f.rs, 0, pk, 10);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, 10);
	rte_pktmbuf_free_bulk(out, n);

	/* one_in_3 takes packets 0, 3, 6, 9; 3 and 9 are too big. */
	assert_int_equal(f.w->stats.sess[0].matched, 10);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_SAMPLED_OUT], 6);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_TOO_BIG], 2);
	assert_int_equal(f.w->stats.sess[0].mirrored, 2);
	assert_int_equal(f.w->stats.sess[1].mirrored, 10);
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 12);
	/* order: p0 one_in_3, p0 cut, p1 cut, p2 cut, p3 cut, ... p6 x2 */
	check_copy(out[0], ref[0], 200, 50);
	check_copy(out[1], ref[0], 200, 50);
	check_copy(out[2], ref[1], 1400, 50);
	check_copy(out[7], ref[6], 200, 50);
	check_copy(out[8], ref[6], 200, 50);
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);
}

static void
test_rate_limit(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session s]\nsources = a:rx\ncollector = c4\nrate = 1M\n";
	struct fixture f;
	struct rte_mbuf *pk[64], *out[64];
	unsigned int i, n;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	for (i = 0; i < 64; i++)
		pk[i] = tcp4(&f, 80, 1000, (uint8_t)i);
	dp_worker_burst(f.w, f.rs, 0, pk, 64);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, 64);
	rte_pktmbuf_free_bulk(out, n);
	/* 1 Mbit/s allows a burst of about 18 kB: 17 copies of 1050 B. */
	assert_true(f.w->stats.sess[0].mirrored >= 10);
	assert_true(f.w->stats.sess[0].mirrored <= 20);
	assert_int_equal(f.w->stats.sess[0].mirrored +
				 f.w->stats.sess[0].dropped[DP_DROP_RATE_LIMITED],
			 64);
	check_accounting(&f);
	fixture_down(&f);
}

static void
test_tap_mode_frees_originals(void **state)
{
	static const char ini[] = "[dpmirror]\nmode = tap\ncopy_max = 256\n"
		"[port a]\ndevice = net_ring_a\n"
		"[port b]\ndevice = net_ring_b\n"
		"[port c]\ndevice = net_ring_c\n" COLL4
		"[session s]\nsources = a:rx\ncollector = c4\n";
	struct fixture f;
	struct rte_mbuf *pk[8], *out[64];
	unsigned int i, n;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	for (i = 0; i < 8; i++)
		pk[i] = tcp4(&f, 80, 1000, (uint8_t)i); /* clones */
	dp_worker_burst(f.w, f.rs, 0, pk, 8);
	dp_worker_flush(f.w);
	assert_int_equal(drain(f.txr[1], out, 64), 0);
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 8);
	/* The clones still hold the originals' data after they were freed. */
	assert_int_equal(rte_mempool_in_use_count(f.pkt_pool), 8);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.port[0].tap_consumed, 8);
	check_accounting(&f);
	fixture_down(&f);
}

static void
test_tx_direction(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session out_of_b]\nsources = b:tx\ncollector = c4\n"
		"[session into_b]\nsources = b:rx\ncollector = c4\n";
	struct fixture f;
	struct rte_mbuf *pk[4], *out[64];
	unsigned int i, n;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	for (i = 0; i < 4; i++)
		pk[i] = tcp4(&f, 80, 100, (uint8_t)i);
	/* Received on a, so transmitted on b: out_of_b sees them. */
	dp_worker_burst(f.w, f.rs, 0, pk, 4);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, 4);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 4);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.sess[0].mirrored, 4);
	assert_int_equal(f.w->stats.sess[1].matched, 0);
	check_accounting(&f);
	fixture_down(&f);
}

/* A collector whose queue stays full: once a flush sends nothing, the next
 * bursts count their copies as tx_full without building them. */
static void
test_dead_collector_backoff(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session s]\nsources = a:rx\ncollector = c4\n";
	struct fixture f;
	struct rte_mbuf *pk[40], *out[64];
	unsigned int i, n, round, in_use;

	(void)state;
	fixture_up(&f, ini, 16, 1024, 1500); /* the ring holds 15 */
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 20; i++)
			pk[i] = tcp4(&f, 80, 100, (uint8_t)i);
		in_use = rte_mempool_in_use_count(f.mirror_pool);
		dp_worker_burst(f.w, f.rs, 0, pk, 20);
		dp_worker_flush(f.w);
		n = drain(f.txr[1], out, 64);
		assert_int_equal(n, 20); /* originals always go through */
		rte_pktmbuf_free_bulk(out, n);
		if (round == 2) /* backing off: no copy was even built */
			assert_int_equal(rte_mempool_in_use_count(f.mirror_pool),
					 in_use);
	}
	/* round 0: 15 sent; round 1: the queue took nothing; round 2: none
	 * built.  Every copy is still accounted for. */
	assert_int_equal(f.w->stats.sess[0].matched, 60);
	assert_int_equal(f.w->stats.sess[0].mirrored, 15);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_TX_FULL], 45);
	assert_int_equal(f.w->stats.port[2].mirror_dropped, 45);
	assert_int_equal(f.w->stats.port[1].fwd_packets, 60);
	check_accounting(&f);
	fixture_down(&f);
}

/* Append a second segment of EXTRA bytes to M (a chained original). */
static void
chain(struct fixture *f, struct rte_mbuf *m, uint16_t extra)
{
	struct rte_mbuf *s = rte_pktmbuf_alloc(f->pkt_pool);
	uint8_t *p;
	uint16_t i;

	assert_non_null(s);
	p = (uint8_t *)rte_pktmbuf_append(s, extra);
	assert_non_null(p);
	for (i = 0; i < extra; i++)
		p[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(rte_pktmbuf_chain(m, s), 0);
}

static void
test_clone_cut_by_snaplen(void **state)
{
	static const char ini[] = "[dpmirror]\ncopy_max = 256\n" PORTS_INLINE
		COLL4 "[session cut]\nsources = a:rx\ncollector = c4\n"
		"snaplen = 2100\n";
	struct fixture f;
	struct rte_mbuf *pk[2], *out[8];
	uint8_t ref[3000];
	unsigned int n;

	(void)state;
	c_multiseg = true;
	fixture_up(&f, ini, 1024, 1024, 9000);
	/* A 2500-byte original in two segments, and a 1400-byte one. */
	pk[0] = tcp4(&f, 80, 1500, 1);
	chain(&f, pk[0], 1000);
	pk[1] = tcp4(&f, 80, 1400, 2);
	assert_true(rte_pktmbuf_read(pk[0], 0, 2500, ref) == ref);
	dp_worker_burst(f.w, f.rs, 0, pk, 2);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 8);
	assert_int_equal(n, 2);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], out, 8);
	assert_int_equal(n, 2);
	/* cut at 2100 bytes: a header mbuf and two indirect segments */
	assert_int_equal(out[0]->nb_segs, 3);
	check_copy(out[0], ref, 2100, 50);
	assert_int_equal(out[1]->nb_segs, 2);
	assert_int_equal(out[1]->pkt_len, 50 + 1400);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.sess[0].mirrored, 2);
	check_accounting(&f);
	fixture_down(&f);
}

static void
test_flat_copy_limit(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session s]\nsources = a:rx\ncollector = c4\n";
	struct fixture f;
	struct rte_mbuf *pk[2], *out[8];
	unsigned int n;

	(void)state;
	c_multiseg = false; /* port c sends flat frames only */
	fixture_up(&f, ini, 1024, 1024, 9000);
	c_multiseg = true;
	pk[0] = tcp4(&f, 80, 1500, 1);
	chain(&f, pk[0], 1000); /* 2500 bytes: more than one mirror mbuf */
	pk[1] = tcp4(&f, 80, 1500, 2);
	dp_worker_burst(f.w, f.rs, 0, pk, 2);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 8);
	assert_int_equal(n, 2);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], out, 8);
	assert_int_equal(n, 1);
	assert_int_equal(out[0]->nb_segs, 1); /* a flat copy */
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_TOO_BIG], 1);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_NO_MBUF], 0);
	check_accounting(&f);
	fixture_down(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_forward_and_mirror),
		cmocka_unit_test(test_tx_full_never_hurts_forwarding),
		cmocka_unit_test(test_empty_pool_never_hurts_forwarding),
		cmocka_unit_test(test_sample_snaplen_too_big),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_tap_mode_frees_originals),
		cmocka_unit_test(test_tx_direction),
		cmocka_unit_test(test_clone_cut_by_snaplen),
		cmocka_unit_test(test_flat_copy_limit),
		cmocka_unit_test(test_dead_collector_backoff),
	};
	int rc;

	if (eal_test_init() != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
