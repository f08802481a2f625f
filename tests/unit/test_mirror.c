/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's mirror path end to end, below the EAL ports: a config is
 * loaded and compiled into a ruleset, packets go through dp_worker_burst()
 * and the copies and forwarded originals are read back from net_ring ports.
 * Checks what leaves, in which order, and that every packet is accounted
 * for: per session matched = mirrored + sum(dropped), and no mbuf leaks.
 */
#define _GNU_SOURCE
#include <sched.h>
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
#include <pthread.h>

#include "cfg.h"
#include "ctl_port.h"
#include "ctl_ruleset.h"
#include "ctl_stats.h"
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
	struct dpm_err err;
	char name[32];
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
	f->rs = ctl_ruleset_build(f->cfg, &f->ports, one_worker, seq, &err);
	if (f->rs == NULL)
		fail_msg("ruleset: %s", err.msg);

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
	static uint8_t buf[80000];
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

/* The rate tests' clock: TSC cycles of MS milliseconds after a start. */
#define RATE_T0 (1ULL << 40)
static uint64_t
rate_ms(uint64_t ms)
{
	return RATE_T0 + ms * (rte_get_tsc_hz() / 1000);
}

/* Put session S's rate meter on W in a known state: TOKENS bytes in its
 * bucket at its last update, at time AT (TSC cycles). */
static void
meter_at(struct dp_worker *w, unsigned int s, uint64_t tokens, uint64_t at)
{
	w->meter[s].tc = tokens;
	w->meter[s].te = 0;
	w->meter[s].time = at;
}

/* One burst of 64 frames of 1000 bytes (copies of 1050) through a session
 * capped at 8 kbit/s, at time NOW; returns how many copies left, after
 * checking that the others were counted rate_limited. */
static unsigned int
rate_burst(struct fixture *f, uint64_t now)
{
	const struct dp_session_counters *c = &f->w->stats.sess[0];
	uint64_t mirrored = c->mirrored;
	uint64_t limited = c->dropped[DP_DROP_RATE_LIMITED];
	struct rte_mbuf *pk[64], *out[64];
	unsigned int i, n;

	for (i = 0; i < 64; i++)
		pk[i] = tcp4(f, 80, 1000, (uint8_t)i);
	dp_worker_burst_at(f->w, f->rs, 0, pk, 64, now);
	dp_worker_flush(f->w);
	n = drain(f->txr[1], out, 64);
	assert_int_equal(n, 64); /* the cap never touches the originals */
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f->txr[2], out, 64);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(c->mirrored - mirrored, n);
	assert_int_equal(c->dropped[DP_DROP_RATE_LIMITED] - limited, 64 - n);
	return n;
}

/*
 * rate = 8K: 1000 bytes/s, a bucket of 18200 bytes (at least two jumbo
 * copies, see ctl_ruleset.c).  Each copy takes 1050 bytes.  Time is passed
 * in (dp_worker_burst_at), so every count is exact: the meter credits
 * 1000 bytes for each second between its last update and the burst.
 */
static void
test_rate_limit(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session s]\nsources = a:rx\ncollector = c4\nrate = 8K\n";
	struct fixture f;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	assert_int_equal(f.w->meter_prof[0].cbs, 18200);
	/* A full bucket at t = 0: 17 copies (17850 bytes), 350 bytes left. */
	meter_at(f.w, 0, 18200, rate_ms(0));
	assert_int_equal(rate_burst(&f, rate_ms(0)), 17);
	/* No time passed since: nothing. */
	assert_int_equal(rate_burst(&f, rate_ms(0)), 0);
	/* 700 ms later: 350 + 700 = 1050 bytes, exactly one copy. */
	assert_int_equal(rate_burst(&f, rate_ms(700)), 1);
	/* 1 ms short of the next copy: 0 + 1049 bytes, none. */
	assert_int_equal(rate_burst(&f, rate_ms(1749)), 0);
	/* The millisecond that completes it: one. */
	assert_int_equal(rate_burst(&f, rate_ms(1750)), 1);
	/* Empty, then 3.675 s: 3675 bytes, three copies, 525 left. */
	meter_at(f.w, 0, 0, rate_ms(10000));
	assert_int_equal(rate_burst(&f, rate_ms(13675)), 3);
	/* 5.25 s more: 525 + 5250 = 5775 bytes, five copies. */
	assert_int_equal(rate_burst(&f, rate_ms(18925)), 5);
	/* An hour later: no more than the bucket holds. */
	assert_int_equal(rate_burst(&f, rate_ms(18925 + 3600 * 1000)), 17);
	assert_int_equal(f.w->stats.sess[0].matched, 8 * 64);
	assert_int_equal(f.w->stats.sess[0].mirrored,
			 17 + 0 + 1 + 0 + 1 + 3 + 5 + 17);
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

/*
 * Chains as drivers deliver them: 1, 2 and 33 segments, odd segment
 * lengths, zero-length segments, pkt_len from 60 to 70 000.
 */

#define BIG_ROOM 36000 /* data room of the chain pool's mbufs */

/* A frame of LEN bytes (Ethernet/IPv4/TCP to port 80 when LEN allows)
 * into REF; bytes after the headers carry a pattern from TAG. */
static void
frame_bytes(uint8_t *ref, uint32_t len, uint8_t tag)
{
	static const uint8_t hdr[54] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
		0x45, 0, 0x05, 0xdc, 0, 0, 0x40, 0, 64, 6, 0, 0,
		198, 18, 0, 2, 198, 18, 0, 3,
		0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x10,
		0x20, 0, 0, 0, 0, 0,
	};
	uint32_t i;

	for (i = 0; i < len; i++)
		ref[i] = i < sizeof(hdr) ? hdr[i] : (uint8_t)(tag + i * 7);
}

/* An mbuf chain from MP holding REF's LEN bytes in NSEG segments of the
 * lengths SEG (which sum to LEN). */
static struct rte_mbuf *
make_chain(struct rte_mempool *mp, const uint8_t *ref, const uint32_t *seg,
	   unsigned int nseg)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t off = 0;
	unsigned int i;

	for (i = 0; i < nseg; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		char *p;

		assert_non_null(m);
		p = rte_pktmbuf_append(m, (uint16_t)seg[i]);
		assert_non_null(p);
		memcpy(p, ref + off, seg[i]);
		off += seg[i];
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += seg[i];
		}
		last = m;
	}
	return head;
}

/* Split LEN into NSEG odd-looking segment lengths, none over BIG_ROOM;
 * with several segments, segment 1 and the one before last are empty
 * when there are enough of them. */
static void
split(uint32_t len, unsigned int nseg, uint32_t *seg)
{
	uint32_t left = len;
	unsigned int i, live = nseg;

	if (nseg >= 5)
		live = nseg - 2;
	for (i = 0; i < nseg; i++) {
		uint32_t n;

		if (nseg >= 5 && (i == 1 || i == nseg - 2)) {
			seg[i] = 0;
			continue;
		}
		live--;
		if (live == 0) {
			n = left;
		} else {
			n = left / (live + 1);
			n += (i * 13) % 7; /* uneven */
			if (n > left - live)
				n = left - live;
			if (n == 0)
				n = 1;
		}
		assert_true(n <= BIG_ROOM);
		seg[i] = n;
		left -= n;
	}
	assert_int_equal(left, 0);
}

/* Verify the outer UDP checksum of an IPv6-encapsulated copy P (flat). */
static void
check_udp6(const uint8_t *p, uint32_t len)
{
	uint32_t sum = 0, i;
	uint32_t ulen = len - 54;

	/* pseudo header: addresses, length, next header */
	for (i = 22; i < 54; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	sum += ulen >> 16;
	sum += ulen & 0xffff;
	sum += 17;
	for (i = 54; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	assert_int_equal(sum, 0xffff);
}

static void
test_chains(void **state)
{
	static const char ini[] = "[dpmirror]\ncopy_max = 1518\n" PORTS_INLINE
		COLL4 COLL6
		"[session all]\nsources = a:rx\ncollector = c4\n"
		"[session cut]\nsources = a:rx\ncollector = c4\nsnaplen = 100\n"
		"[session cut6]\nsources = a:rx\ncollector = c6\n"
		"snaplen = 3000\n";
	static const uint32_t lens[] = { 60, 61, 1514, 1515, 2049, 3001, 8963,
					 8964, 9001, 65535, 65536, 66000, 70000 };
	static const unsigned int nsegs[] = { 1, 2, 33 };
	static uint8_t ref[70000];
	static uint8_t buf[80000];
	struct rte_mempool *big;
	struct fixture f;
	struct rte_mbuf *pk[1], *out[8];
	uint32_t seg[33];
	unsigned int li, si, n, k;
	uint64_t too_big = 0, sent = 0;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 9000);
	big = rte_pktmbuf_pool_create("chains", 128, 0, 0,
				      BIG_ROOM + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	assert_non_null(big);
	for (li = 0; li < RTE_DIM(lens); li++) {
		for (si = 0; si < RTE_DIM(nsegs); si++) {
			uint32_t len = lens[li], inner;
			const uint8_t *p;

			if (nsegs[si] == 1 && len > BIG_ROOM)
				continue;
			frame_bytes(ref, len, (uint8_t)(li * 3 + si));
			split(len, nsegs[si], seg);
			pk[0] = make_chain(big, ref, seg, nsegs[si]);
			assert_int_equal(pk[0]->pkt_len, len);
			dp_worker_burst(f.w, f.rs, 0, pk, 1);
			dp_worker_flush(f.w);

			/* The original, untouched. */
			n = drain(f.txr[1], out, 8);
			assert_int_equal(n, 1);
			assert_ptr_equal(out[0], pk[0]);
			assert_int_equal(out[0]->pkt_len, len);
			assert_int_equal(out[0]->nb_segs, nsegs[si]);
			p = rte_pktmbuf_read(out[0], 0, len, buf);
			assert_non_null(p);
			assert_memory_equal(p, ref, len);
			rte_pktmbuf_free(out[0]);

			/* Copies: all (unless too big for MTU 9000), cut, cut6. */
			n = drain(f.txr[2], out, 8);
			k = 0;
			if (50 + len <= 9014) {
				check_copy(out[k], ref, len, 50);
				assert_int_equal(out[k]->nb_segs == 1,
						 len <= 1518);
				k++;
			} else {
				too_big++;
			}
			assert_int_equal(check_copy(out[k], ref,
						    RTE_MIN(len, 100u), 50), 100);
			assert_int_equal(out[k]->nb_segs, 1);
			k++;
			inner = RTE_MIN(len, 3000u);
			assert_int_equal(out[k]->pkt_len, 70 + inner);
			p = rte_pktmbuf_read(out[k], 0, 70 + inner, buf);
			assert_non_null(p);
			assert_memory_equal(p + 70, ref, inner);
			check_udp6(p, 70 + inner);
			k++;
			assert_int_equal(n, k);
			sent += n;
			rte_pktmbuf_free_bulk(out, n);
		}
	}
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_TOO_BIG], too_big);
	assert_true(too_big >= 6);
	assert_int_equal(f.w->stats.port[2].mirror_packets, sent);
	assert_int_equal(f.w->stats.port[0].rx_invalid, 0);
	check_accounting(&f);
	/* Every chain segment came back. */
	assert_int_equal(rte_mempool_in_use_count(big), 0);
	fixture_down(&f);
	rte_mempool_free(big);
}

/* Inconsistent chains are dropped and counted before anything reads
 * them; the consistent frames around them go through as usual. */
static void
test_invalid_chains(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session s]\nsources = a:rx\ncollector = c4\n";
	static uint8_t ref[8000];
	struct rte_mempool *big;
	struct fixture f;
	struct rte_mbuf *pk[16], *out[32], *m, *cyc;
	uint32_t seg[3];
	unsigned int n, i, bad = 0, good = 0;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	big = rte_pktmbuf_pool_create("badchains", 64, 0, 0,
				      2048 + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	assert_non_null(big);
	frame_bytes(ref, sizeof(ref), 9);

	pk[good + bad] = tcp4(&f, 80, 100, 1), good++;
	/* net_pcap's 16-bit truncation: pkt_len 66000, one 2048-byte seg */
	seg[0] = 2048;
	m = make_chain(big, ref, seg, 1);
	m->pkt_len = 66000;
	pk[good + bad] = m, bad++;
	/* pkt_len beyond the three segments' 4464 bytes */
	seg[0] = 2048, seg[1] = 2048, seg[2] = 368;
	m = make_chain(big, ref, seg, 3);
	m->pkt_len = 70000;
	pk[good + bad] = m, bad++;
	pk[good + bad] = tcp4(&f, 80, 200, 2), good++;
	/* pkt_len short of the segments */
	seg[0] = 100, seg[1] = 100;
	m = make_chain(big, ref, seg, 2);
	m->pkt_len = 150;
	pk[good + bad] = m, bad++;
	/* nb_segs says 2, the chain has 3 */
	seg[0] = 100, seg[1] = 100, seg[2] = 100;
	m = make_chain(big, ref, seg, 3);
	m->nb_segs = 2;
	m->pkt_len = 200;
	pk[good + bad] = m, bad++;
	/* nb_segs says 3, the chain has 2 */
	seg[0] = 100, seg[1] = 100;
	m = make_chain(big, ref, seg, 2);
	m->nb_segs = 3;
	pk[good + bad] = m, bad++;
	/* zero length */
	m = rte_pktmbuf_alloc(big);
	assert_non_null(m);
	pk[good + bad] = m, bad++;
	/* a segment's data past its buffer */
	seg[0] = 60, seg[1] = 60;
	m = make_chain(big, ref, seg, 2);
	m->next->data_len = m->next->buf_len;
	m->pkt_len = 60u + m->next->buf_len;
	pk[good + bad] = m, bad++;
	/* a one-segment frame longer than its buffer */
	seg[0] = 60;
	m = make_chain(big, ref, seg, 1);
	m->data_len = m->pkt_len = m->buf_len;
	pk[good + bad] = m, bad++;
	/* nb_segs 0 */
	seg[0] = 60;
	m = make_chain(big, ref, seg, 1);
	m->nb_segs = 0;
	pk[good + bad] = m, bad++;
	pk[good + bad] = tcp4(&f, 80, 300, 3), good++;
	/* a consistent two-segment chain between them */
	seg[0] = 1000, seg[1] = 999;
	pk[good + bad] = make_chain(big, ref, seg, 2), good++;

	/* next pointers that loop: dropped, and left alone (not freed) */
	seg[0] = 60, seg[1] = 60;
	cyc = make_chain(big, ref, seg, 2);
	cyc->next->next = cyc;
	pk[good + bad] = cyc, bad++;
	dp_worker_burst(f.w, f.rs, 0, pk, (uint16_t)(good + bad));
	dp_worker_flush(f.w);
	cyc->next->next = NULL; /* the test frees it */
	rte_pktmbuf_free(cyc);
	n = drain(f.txr[1], out, 32);
	assert_int_equal(n, good);
	assert_int_equal(out[0]->pkt_len, 100);
	assert_int_equal(out[1]->pkt_len, 200);
	assert_int_equal(out[2]->pkt_len, 300);
	assert_int_equal(out[3]->pkt_len, 1999);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], out, 32); /* the 1999-byte frame is too big */
	assert_int_equal(n, good - 1);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_TOO_BIG], 1);
	assert_int_equal(f.w->stats.port[0].rx_packets, good + bad);
	assert_int_equal(f.w->stats.port[0].rx_invalid, bad);
	assert_int_equal(f.w->stats.port[0].rx_bytes, 100 + 200 + 300 + 1999);
	assert_int_equal(f.w->stats.port[1].fwd_packets, good);
	assert_int_equal(f.w->stats.sess[0].matched, good);
	check_accounting(&f);
	for (i = 0; i < 2; i++) /* a burst of nothing but invalid frames */
		pk[i] = rte_pktmbuf_alloc(big);
	dp_worker_burst(f.w, f.rs, 0, pk, 2);
	dp_worker_flush(f.w);
	assert_int_equal(f.w->stats.port[0].rx_invalid, bad + 2);
	assert_int_equal(drain(f.txr[1], out, 32), 0);
	assert_int_equal(rte_mempool_in_use_count(big), 0);
	fixture_down(&f);
	rte_mempool_free(big);
}

/* A copy counts as mirrored when its tx burst took it, so the counter
 * never goes down; until the flush the copy is in flight. */
static void
test_mirrored_counted_when_sent(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session s]\nsources = a:rx\ncollector = c4\n";
	const struct dp_session_counters *c;
	struct fixture f;
	struct rte_mbuf *pk[40], *out[64];
	unsigned int i, n;

	(void)state;
	fixture_up(&f, ini, 16, 1024, 1500); /* the ring holds 15 */
	c = &f.w->stats.sess[0];
	for (i = 0; i < 40; i++)
		pk[i] = tcp4(&f, 80, 100, (uint8_t)i);
	dp_worker_burst(f.w, f.rs, 0, pk, 40);
	assert_int_equal(c->matched, 40);
	assert_int_equal(c->mirrored, 0); /* in flight, not yet sent */
	assert_int_equal(c->mirrored_bytes, 0);
	assert_int_equal(c->dropped[DP_DROP_TX_FULL], 0);
	dp_worker_flush(f.w);
	assert_int_equal(c->mirrored, 15);
	assert_int_equal(c->mirrored_bytes, 15 * 150);
	assert_int_equal(c->dropped[DP_DROP_TX_FULL], 25);
	n = drain(f.txr[1], out, 64);
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);
}

/* A reader on another thread, as the control thread does: every counter
 * only grows, and a snapshot never shows more outcomes than inputs. */
struct reader {
	struct fixture *f;
	struct cfg *cfg;
	volatile int stop;
	unsigned long snapshots, violations;
	char first[160];
};

static void
violation(struct reader *r, const char *what, uint64_t a, uint64_t b)
{
	if (r->violations++ == 0)
		snprintf(r->first, sizeof(r->first), "%s: %llu vs %llu", what,
			 (unsigned long long)a, (unsigned long long)b);
}

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct ctl_snapshot *prev = calloc(1, sizeof(*prev));
	struct ctl_snapshot *cur = calloc(1, sizeof(*cur));
	unsigned int i, d;

	if (prev == NULL || cur == NULL)
		abort();
	while (!r->stop) {
		ctl_snapshot_begin(cur, r->cfg, 0);
		ctl_snapshot_add(cur, &r->f->w->stats, 1);
		for (i = 0; i < cur->n_sessions; i++) {
			const struct dp_session_counters *c = &cur->sess[i];
			const struct dp_session_counters *p = &prev->sess[i];
			uint64_t out = c->mirrored;

			for (d = 0; d < DP_DROP_MAX; d++) {
				out += c->dropped[d];
				if (c->dropped[d] < p->dropped[d])
					violation(r, "dropped fell", c->dropped[d],
						  p->dropped[d]);
			}
			if (out > c->matched)
				violation(r, "mirrored + dropped > matched", out,
					  c->matched);
			if (c->matched < p->matched || c->mirrored < p->mirrored ||
			    c->mirrored_bytes < p->mirrored_bytes)
				violation(r, "session counter fell", c->mirrored,
					  p->mirrored);
		}
		for (i = 0; i < cur->n_ports; i++) {
			const struct ctl_port_totals *c = &cur->port[i];
			const struct ctl_port_totals *p = &prev->port[i];

			if (c->rx_packets < p->rx_packets ||
			    c->fwd_packets < p->fwd_packets ||
			    c->mirror_packets < p->mirror_packets ||
			    c->mirror_dropped < p->mirror_dropped ||
			    c->fwd_dropped < p->fwd_dropped)
				violation(r, "port counter fell", c->mirror_packets,
					  p->mirror_packets);
		}
		if (cur->port[1].fwd_packets + cur->port[1].fwd_dropped >
		    cur->port[0].rx_packets)
			violation(r, "forwarded > received",
				  cur->port[1].fwd_packets, cur->port[0].rx_packets);
		memcpy(prev, cur, sizeof(*prev));
		r->snapshots++;
	}
	free(prev);
	free(cur);
	return NULL;
}

static void
test_counters_monotonic_under_reads(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session s]\nsources = a:rx\ncollector = c4\n"
		"[session half]\nsources = a:rx\ncollector = c4\nsample = 2\n";
	struct fixture f;
	struct reader r;
	struct rte_mbuf *pk[32], *out[64];
	pthread_attr_t attr;
	cpu_set_t cpus;
	pthread_t tid;
	unsigned int round, i, n;

	(void)state;
	fixture_up(&f, ini, 64, 1024, 1500); /* the collector ring fills */
	memset(&r, 0, sizeof(r));
	r.f = &f;
	r.cfg = f.cfg;
	/* The EAL pinned this thread to one CPU; let the reader run on any
	 * other, truly at the same time. */
	CPU_ZERO(&cpus);
	for (i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &cpus);
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus), 0);
	assert_int_equal(pthread_create(&tid, &attr, reader_main, &r), 0);
	pthread_attr_destroy(&attr);
	for (round = 0; round < 5000 || r.snapshots < 1000; round++) {
		for (i = 0; i < 32; i++)
			pk[i] = tcp4(&f, 80, 60 + (round + i) % 200, (uint8_t)i);
		dp_worker_burst(f.w, f.rs, 0, pk, 32);
		dp_worker_flush(f.w);
		n = drain(f.txr[1], out, 64);
		rte_pktmbuf_free_bulk(out, n);
		if (round % 3 == 0) { /* the collector drains now and then */
			while ((n = drain(f.txr[2], out, 64)) > 0)
				rte_pktmbuf_free_bulk(out, n);
		}
		if (round > 100000)
			break;
	}
	r.stop = 1;
	pthread_join(tid, NULL);
	if (r.violations != 0)
		fail_msg("%lu violations in %lu snapshots; first: %s",
			 r.violations, r.snapshots, r.first);
	assert_true(r.snapshots >= 1000);
	/* Both outcomes happened while the reader read. */
	assert_true(f.w->stats.sess[0].mirrored > 0);
	assert_true(f.w->stats.sess[0].dropped[DP_DROP_TX_FULL] > 0);
	check_accounting(&f);
	fixture_down(&f);
}

/* Copies that come back in on a port that is mirrored or that copies leave
 * by are dropped, counted as own_copies: never mirrored again, never
 * forwarded to the other side.  Elsewhere frames go through untouched. */
static void
test_own_copies_never_mirrored(void **state)
{
	static const char ini[] = "[dpmirror]\ncopy_max = 256\n" PORTS_INLINE
		COLL4 COLL6
		"[collector cb]\nport = b\nremote_ip = 198.18.1.4\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:04\n"
		"dst_port = 8472\n" /* two ports: every frame is looked at */
		"[session s1]\nsources = a:rx\ncollector = c4\n"
		"[session s2]\nsources = a:rx\ncollector = c6\nsnaplen = 80\n"
		"[session watch_c]\nsources = c:rx\ncollector = cb\n";
	struct fixture f;
	struct rte_mbuf *pk[16], *out[64], *copies[8];
	unsigned int i, n;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 9000);
	for (i = 0; i < 4; i++)
		pk[i] = tcp4(&f, 80, i == 3 ? 1000 : 100, (uint8_t)i);
	dp_worker_burst(f.w, f.rs, 0, pk, 4);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, 4);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], copies, 8); /* 8 copies, one a clone */
	assert_int_equal(n, 8);

	/* Back in on c (copies leave by c; watch_c mirrors it), between two
	 * other frames: only those two are mirrored and consumed. */
	pk[0] = tcp4(&f, 80, 100, 7);
	for (i = 0; i < 4; i++)
		pk[1 + i] = copies[i];
	pk[5] = tcp4(&f, 80, 100, 8);
	dp_worker_burst(f.w, f.rs, 2, pk, 6);
	dp_worker_flush(f.w);
	assert_int_equal(f.w->stats.port[2].own_copies, 4);
	assert_int_equal(f.w->stats.port[2].tap_consumed, 2);
	assert_int_equal(f.w->stats.sess[2].matched, 2);
	assert_int_equal(f.w->stats.sess[2].mirrored, 2);
	n = drain(f.txr[1], out, 64); /* watch_c's two copies, on b */
	assert_int_equal(n, 2);
	rte_pktmbuf_free_bulk(out, n);

	/* Back in on a (mirrored, forwarding to b): dropped, not forwarded,
	 * not mirrored; the frame after them goes through. */
	for (i = 0; i < 4; i++)
		pk[i] = copies[4 + i];
	pk[4] = tcp4(&f, 80, 100, 9);
	dp_worker_burst(f.w, f.rs, 0, pk, 5);
	dp_worker_flush(f.w);
	assert_int_equal(f.w->stats.port[0].own_copies, 4);
	assert_int_equal(f.w->stats.port[0].rx_packets, 4 + 5);
	assert_int_equal(f.w->stats.port[1].fwd_packets, 4 + 1);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, 1);
	assert_int_equal(out[0]->pkt_len, 100);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.sess[0].matched, 4 + 1);
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 2); /* s1 and s2 of the last frame only */
	rte_pktmbuf_free_bulk(out, n);

	/* A copy addressed to another tunnel endpoint is just a frame. */
	pk[0] = tcp4(&f, 80, 100, 10);
	dp_worker_burst(f.w, f.rs, 0, pk, 1);
	dp_worker_flush(f.w);
	n = drain(f.txr[2], copies, 8);
	assert_int_equal(n, 2);
	rte_pktmbuf_free(copies[1]);
	rte_pktmbuf_mtod(copies[0], uint8_t *)[33] ^= 1; /* outer dst IP */
	n = drain(f.txr[1], out, 64);
	rte_pktmbuf_free_bulk(out, n);
	dp_worker_burst(f.w, f.rs, 0, copies, 1);
	dp_worker_flush(f.w);
	assert_int_equal(f.w->stats.port[0].own_copies, 4);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, 1);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], out, 64);
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);
}

/*
 * remote_mac = auto: until the next hop's MAC is in the configuration, the
 * collector's copies are dropped as no_neighbor (after sampling, which
 * decides first), nothing is built or sent for it and the other sessions
 * and the originals are untouched; a ruleset built once the MAC is filled
 * in sends the copies to that MAC.
 */
static void
test_no_neighbor(void **state)
{
	static const char ini[] = PORTS_INLINE COLL6
		"[collector auto]\nport = c\nremote_ip = 198.18.1.3\n"
		"local_ip = 198.18.1.10\nremote_mac = auto\nvni = 300\n"
		"[session a]\nsources = a:rx\ncollector = auto\nsample = 2\n"
		"[session f]\nsources = a:rx\ncollector = c6\n";
	static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x07, 0x07 };
	struct dp_ruleset *rs2;
	struct rte_mbuf *pk[10], *out[64];
	uint8_t ref[10][100];
	struct dpm_err err;
	struct fixture f;
	unsigned int i, n, k;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	assert_true(f.cfg->collectors[1].remote_mac_auto);
	assert_true(f.rs->coll[1].no_neighbor);
	assert_false(f.rs->coll[0].no_neighbor);
	for (i = 0; i < 10; i++) {
		pk[i] = tcp4(&f, 80, 100, (uint8_t)i);
		memcpy(ref[i], rte_pktmbuf_mtod(pk[i], uint8_t *), 100);
	}
	dp_worker_burst(f.w, f.rs, 0, pk, 10);
	dp_worker_flush(f.w);
	assert_int_equal(drain(f.txr[1], out, 64), 10);
	rte_pktmbuf_free_bulk(out, 10);
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 10); /* session f's only */
	for (i = 0; i < n; i++)
		assert_int_equal(check_copy(out[i], ref[i], 100, 70), 200);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.sess[0].matched, 10);
	assert_int_equal(f.w->stats.sess[0].mirrored, 0);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_SAMPLED_OUT], 5);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_NO_NEIGHBOR], 5);
	assert_int_equal(f.w->stats.sess[1].mirrored, 10);
	assert_int_equal(f.w->stats.sess[1].dropped[DP_DROP_NO_NEIGHBOR], 0);
	assert_int_equal(f.w->stats.port[2].mirror_packets, 10);
	check_accounting(&f);

	/* The next hop answered: its MAC in the configuration, a new
	 * ruleset, copies to it (the sampler keeps its phase: packets 0, 2,
	 * 4, 6 and 8 of this burst). */
	memcpy(f.cfg->collectors[1].remote_mac, mac, 6);
	rs2 = ctl_ruleset_build(f.cfg, &f.ports, one_worker,
				f.rs->generation + 1, &err);
	assert_non_null(rs2);
	assert_false(rs2->coll[1].no_neighbor);
	rs2->sess[0].sample_epoch = f.rs->sess[0].sample_epoch;
	ctl_ruleset_free(f.rs);
	f.rs = rs2;
	for (i = 0; i < 10; i++) {
		pk[i] = tcp4(&f, 80, 100, (uint8_t)(i + 10));
		memcpy(ref[i], rte_pktmbuf_mtod(pk[i], uint8_t *), 100);
	}
	dp_worker_burst(f.w, f.rs, 0, pk, 10);
	dp_worker_flush(f.w);
	assert_int_equal(drain(f.txr[1], out, 64), 10);
	rte_pktmbuf_free_bulk(out, 10);
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 15);
	for (i = 0, k = 0; i < 10; i++) {
		if (i % 2 == 0) {
			assert_int_equal(check_copy(out[k], ref[i], 100, 50),
					 300);
			assert_memory_equal(rte_pktmbuf_mtod(out[k], uint8_t *),
					    mac, 6);
			k++;
		}
		assert_int_equal(check_copy(out[k], ref[i], 100, 70), 200);
		k++;
	}
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.sess[0].mirrored, 5);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_NO_NEIGHBOR], 5);
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
		cmocka_unit_test(test_chains),
		cmocka_unit_test(test_invalid_chains),
		cmocka_unit_test(test_mirrored_counted_when_sent),
		cmocka_unit_test(test_counters_monotonic_under_reads),
		cmocka_unit_test(test_own_copies_never_mirrored),
		cmocka_unit_test(test_no_neighbor),
	};
	int rc;

	if (eal_test_init() != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
