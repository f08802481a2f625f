/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's mirror path end to end, below the EAL ports: a config is
 * loaded and compiled into a ruleset, packets go through dp_worker_burst()
 * and the copies and forwarded originals are read back from net_ring ports.
 * Checks what leaves, in which order, and that every packet is accounted
 * for: per session matched = mirrored + sum(dropped), and no mbuf leaks.
 * Collectors of every encapsulation: GRE and ERSPAN sequence numbers over
 * two workers, the per-packet ERSPAN fields (T, VLAN, CoS, D, index,
 * timestamp), the collector counters, and none with and without a tag.
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
#include "dp_flow.h"
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
	struct rte_mempool *hdr_pool;
};

static unsigned int seq;
static bool c_multiseg = true; /* does port c take chained mbufs */
static unsigned int clone_n = 1024; /* indirect mbufs in the clone pool */
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
	f->clone_pool =
		rte_pktmbuf_pool_create(name, clone_n, 0, 0, 0, SOCKET_ID_ANY);
	assert_non_null(f->pkt_pool);
	assert_non_null(f->mirror_pool);
	assert_non_null(f->clone_pool);
	snprintf(name, sizeof(name), "hdr%u", seq);
	f->hdr_pool = rte_pktmbuf_pool_create(name, mirror_mbufs, 0, 0,
					      RTE_PKTMBUF_HEADROOM + 128,
					      SOCKET_ID_ANY);
	assert_non_null(f->hdr_pool);

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
	f->sh.hdr_pool = f->hdr_pool;
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
	assert_int_equal(rte_mempool_in_use_count(f->hdr_pool), 0);
	rte_free(f->w);
	ctl_ruleset_free(f->rs);
	cfg_free(f->cfg);
	rte_mempool_free(f->pkt_pool);
	rte_mempool_free(f->mirror_pool);
	rte_mempool_free(f->clone_pool);
	rte_mempool_free(f->hdr_pool);
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

/* Put session S's shared rate bucket in a known state: full (AT 0) or
 * empty at TSC AT; and W's grant of it spent. */
static void
bucket_at(struct fixture *f, unsigned int s, uint64_t at)
{
	f->sh.rate[s].tat = at;
	f->w->rate[s].left = 0;
	f->w->rate[s].dry = UINT64_MAX;
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
 * rate = 8K: 1000 bytes/s, a burst of 18200 bytes (at least two jumbo
 * copies, see ctl_ruleset.c), of which a worker may hold one grant of a
 * quarter (4550 bytes) unspent: the shared bucket is 13650 bytes deep.
 * Each copy takes 1050 bytes.  Time is passed in (dp_worker_burst_at), so
 * every count is exact: the bucket gains 1000 bytes a second.
 */
static void
test_rate_limit(void **state)
{
	static const char ini[] = PORTS_INLINE COLL4
		"[session s]\nsources = a:rx\ncollector = c4\nrate = 8K\n";
	struct fixture f;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	assert_int_equal(f.rs->sess[0].rate.burst, 18200);
	assert_int_equal(f.rs->sess[0].rate.quantum, 4550);
	/* A full bucket at t = 0: 13 copies (13650 bytes), nothing left. */
	bucket_at(&f, 0, 0);
	assert_int_equal(rate_burst(&f, rate_ms(0)), 13);
	/* No time passed since: nothing. */
	assert_int_equal(rate_burst(&f, rate_ms(0)), 0);
	/* 700 ms later: 700 bytes, not a whole copy. */
	assert_int_equal(rate_burst(&f, rate_ms(700)), 0);
	/* 1 ms short of the next copy: 1049 bytes, none. */
	assert_int_equal(rate_burst(&f, rate_ms(1049)), 0);
	/* 1 ms past it: one, with 1 byte to spare. */
	assert_int_equal(rate_burst(&f, rate_ms(1051)), 1);
	/* Empty, then 3.675 s: 3675 bytes, three copies, 525 left. */
	bucket_at(&f, 0, rate_ms(10000));
	assert_int_equal(rate_burst(&f, rate_ms(13675)), 3);
	/* 5.25 s more: 525 + 5250 = 5775 bytes, five copies. */
	assert_int_equal(rate_burst(&f, rate_ms(18925)), 5);
	/* An hour later: no more than the bucket holds (and 525 left). */
	assert_int_equal(rate_burst(&f, rate_ms(18925 + 3600 * 1000)), 13);
	assert_int_equal(f.w->stats.sess[0].matched, 8 * 64);
	assert_int_equal(f.w->stats.sess[0].mirrored,
			 13 + 0 + 0 + 0 + 1 + 3 + 5 + 13);
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

/* ------------------------------------------------------------------ */
/* Collectors of every encapsulation: sequence numbers, per-packet     */
/* ERSPAN fields, collector counters.                                  */

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Index of the collector called NAME in F's configuration (and ruleset). */
static unsigned int
coll_index(const struct fixture *f, const char *name)
{
	unsigned int i;

	for (i = 0; i < f->cfg->n_collectors; i++)
		if (strcmp(f->cfg->collectors[i].name, name) == 0)
			return i;
	fail_msg("no collector %s", name);
	return 0;
}

/* The collector of F whose copies start like P (LEN bytes): the one whose
 * template dp_encap_own takes it for, on egress port 2; -1 for none. */
static int
copy_collector(const struct fixture *f, const uint8_t *p, uint32_t len)
{
	unsigned int i;
	int found = -1;

	for (i = 0; i < f->rs->n_coll; i++) {
		if (!dp_encap_own(&f->rs->coll[i].tmpl, p, len))
			continue;
		assert_int_equal(found, -1); /* one collector only */
		found = (int)i;
	}
	return found;
}

/*
 * Compare the outer header of copy P (flat, LEN bytes) with the one
 * collector K's template writes for the description PK (whose inner_len
 * is the copy's); the UDP source port is the flow's (read from the copy,
 * checked for its range) and over IPv6 the UDP checksum must verify.
 */
static void
check_outer(const struct fixture *f, unsigned int k, const uint8_t *p,
	    uint32_t len, struct dp_encap_pkt pk)
{
	const struct dp_encap_tmpl *t = &f->rs->coll[k].tmpl;
	uint8_t e[DP_ENCAP_MAX_HDR], got[DP_ENCAP_MAX_HDR];
	int udp = t->type == DP_ENCAP_VXLAN || t->type == DP_ENCAP_GENEVE;

	assert_int_equal(len, t->len + pk.inner_len);
	memcpy(got, p, t->len);
	if (udp) {
		pk.sport = rd16(p + t->l4_ofs);
		assert_true(pk.sport >= 49152);
	}
	if (udp && t->family == 6) {
		check_udp6(p, len);
		got[t->l4_ofs + 6] = 0;
		got[t->l4_ofs + 7] = 0;
	}
	dp_encap_write_pkt(t, e, &pk);
	assert_memory_equal(got, e, t->len);
}

/* The whole of M, flat, into REF. */
static void
read_ref(const struct rte_mbuf *m, uint8_t *ref)
{
	const void *q = rte_pktmbuf_read(m, 0, m->pkt_len, ref);

	assert_non_null(q);
	if (q != ref)
		memcpy(ref, q, m->pkt_len);
}

/* An Ethernet/IPv4/TCP frame of LEN bytes behind the VLAN tags TAGS
 * (TPID << 16 | TCI each, the outermost first). */
static struct rte_mbuf *
tagged4(struct fixture *f, uint32_t len, uint8_t tag, const uint32_t *tags,
	unsigned int n_tags)
{
	struct rte_mbuf *m = tcp4(f, 80, len - 4 * n_tags, tag);
	uint8_t *p;
	unsigned int i;

	p = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)(4 * n_tags));
	assert_non_null(p);
	memmove(p, p + 4 * n_tags, 12);
	for (i = 0; i < n_tags; i++) {
		p[12 + 4 * i] = (uint8_t)(tags[i] >> 24);
		p[13 + 4 * i] = (uint8_t)(tags[i] >> 16);
		p[14 + 4 * i] = (uint8_t)(tags[i] >> 8);
		p[15 + 4 * i] = (uint8_t)tags[i];
	}
	return m;
}

#define PORTS_PAIR                                                            \
	"[port a]\ndevice = net_ring_a\npeer = b\n"                            \
	"[port b]\ndevice = net_ring_b\npeer = a\n"                            \
	"[port c]\ndevice = net_ring_c\n"
/* Collector addresses on port c, the remote's last byte LAST. */
#define ADDR4X(last)                                                          \
	"port = c\nremote_ip = 198.18.1." last "\nlocal_ip = 198.18.1.10\n"  \
	"remote_mac = 02:00:00:00:01:03\n"
#define ADDR6X(last)                                                          \
	"port = c\nremote_ip = fd00:1::" last "\nlocal_ip = fd00:1::10\n"    \
	"remote_mac = 02:00:00:00:01:03\n"
#define ADDR4 ADDR4X("3")
#define ADDR6 ADDR6X("3")

/* One burst of N frames (lengths cycling over a few) from worker W on port
 * a; returns how many. */
static unsigned int
seq_burst(struct fixture *f, struct dp_worker *w, unsigned int n,
	  unsigned int salt)
{
	struct rte_mbuf *pk[64];
	unsigned int i;

	assert_true(n <= 64);
	for (i = 0; i < n; i++)
		pk[i] = tcp4(f, 80, 60 + (salt * 7 + i * 13) % 300,
			     (uint8_t)(salt + i));
	dp_worker_burst(w, f->rs, 0, pk, (uint16_t)n);
	return n;
}

/* What one collector saw: its copies' sequence numbers as each worker
 * sent them. */
struct seq_log {
	uint32_t seq[2][2048];
	unsigned int n[2];
	uint64_t bytes;
};

/* Drain ring c after worker WI's flush: every copy is checked against its
 * collector's template and its sequence number logged. */
static void
seq_drain(struct fixture *f, unsigned int wi, struct seq_log *log,
	  unsigned int n_coll)
{
	static uint8_t buf[20000];
	struct rte_mbuf *out[256];
	unsigned int n, i;

	while ((n = drain(f->txr[2], out, 256)) > 0) {
		for (i = 0; i < n; i++) {
			const uint8_t *p;
			struct dp_encap_pkt pk;
			const struct dp_encap_tmpl *t;
			int k;

			p = rte_pktmbuf_read(out[i], 0, out[i]->pkt_len, buf);
			assert_non_null(p);
			k = copy_collector(f, p, out[i]->pkt_len);
			assert_true(k >= 0 && (unsigned int)k < n_coll);
			t = &f->rs->coll[k].tmpl;
			memset(&pk, 0, sizeof(pk));
			pk.inner_len = out[i]->pkt_len - t->len;
			if (dp_encap_has_seq(t)) {
				pk.seq = rd32(p + t->seq_ofs);
				assert_true(log[k].n[wi] < 2048);
				log[k].seq[wi][log[k].n[wi]++] = pk.seq;
			} else {
				log[k].n[wi]++;
			}
			log[k].bytes += out[i]->pkt_len;
			check_outer(f, (unsigned int)k, p, out[i]->pkt_len, pk);
		}
		rte_pktmbuf_free_bulk(out, n);
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The sequence numbers of LOG: per worker increasing, all together exactly
 * 0..N-1. */
static void
check_seq_log(const struct seq_log *log, unsigned int n)
{
	static uint32_t all[4096];
	unsigned int w, i, m = 0;

	for (w = 0; w < 2; w++) {
		for (i = 0; i < log->n[w]; i++) {
			if (i > 0)
				assert_true(log->seq[w][i] > log->seq[w][i - 1]);
			all[m++] = log->seq[w][i];
		}
	}
	assert_int_equal(m, n);
	qsort(all, m, sizeof(all[0]), cmp_u32);
	for (i = 0; i < m; i++)
		assert_int_equal(all[i], i);
}

/*
 * Two workers share the collectors: their interleaved bursts, flushed in
 * either order, number every copy of a collector with sequence numbers
 * that together are exactly 0..N-1, each worker's increasing, a burst's a
 * block of consecutive ones.  Collectors without sequence numbers leave
 * theirs at 0.  The collector counters count what the tx queue took.
 */
static void
test_seq_two_workers(void **state)
{
	static const char ini[] = PORTS_PAIR
		"[collector e2]\nencap = erspan2\nsession_id = 5\n" ADDR4
		"[collector g6]\nencap = gre\nkey = 7\nseq = yes\n" ADDR6
		"[collector gn]\nencap = gre\n" ADDR6X("4") "ttl = 9\n"
		"[collector v4]\n" ADDR4 "vni = 3\n"
		"[collector gv6]\nencap = geneve\nvni = 77\n" ADDR6
		"[collector e3]\nencap = erspan3\nsession_id = 1023\n" ADDR6
		"[session s_e2]\nsources = a:rx\ncollector = e2\n"
		"[session s_g6]\nsources = a:rx\ncollector = g6\nsnaplen = 64\n"
		"[session s_gn]\nsources = a:rx\ncollector = gn\n"
		"[session s_v4]\nsources = a:rx\ncollector = v4\n"
		"[session s_gv6]\nsources = a:rx\ncollector = gv6\n"
		"[session s_e3]\nsources = a:rx\ncollector = e3\n";
	static struct seq_log log[6];
	struct fixture f;
	struct dp_worker *w[2];
	struct rte_mbuf *out[256];
	unsigned int r, k, n, total = 0, n_ring = 0;
	uint64_t pk_sum, by_sum;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 9000);
	memset(log, 0, sizeof(log));
	w[0] = f.w;
	w[1] = rte_zmalloc("w1", sizeof(*w[1]), RTE_CACHE_LINE_SIZE);
	assert_non_null(w[1]);
	dp_worker_init(w[1], &f.sh, 2, 1);
	dp_worker_adopt(w[1], f.rs);
	assert_string_equal(f.cfg->collectors[0].name, "e2");
	for (r = 0; r < 12; r++) {
		unsigned int n0 = 1 + (r * 5) % 17, n1 = 1 + (r * 11) % 13;

		/* both bursts take their numbers before either is sent */
		total += seq_burst(&f, w[0], n0, r);
		total += seq_burst(&f, w[1], n1, r + 100);
		if (r % 2) {
			dp_worker_flush(w[1]);
			seq_drain(&f, 1, log, 6);
			dp_worker_flush(w[0]);
			seq_drain(&f, 0, log, 6);
		} else {
			dp_worker_flush(w[0]);
			seq_drain(&f, 0, log, 6);
			dp_worker_flush(w[1]);
			seq_drain(&f, 1, log, 6);
		}
		n = drain(f.txr[1], out, 256);
		rte_pktmbuf_free_bulk(out, n);
	}
	for (k = 0; k < 6; k++) {
		const struct dp_collector *dc = &f.rs->coll[k];

		assert_int_equal(log[k].n[0] + log[k].n[1], total);
		pk_sum = w[0]->stats.coll[dc->slot].packets +
			 w[1]->stats.coll[dc->slot].packets;
		by_sum = w[0]->stats.coll[dc->slot].bytes +
			 w[1]->stats.coll[dc->slot].bytes;
		assert_int_equal(pk_sum, total);
		assert_int_equal(by_sum, log[k].bytes);
		assert_int_equal(w[0]->stats.coll[dc->slot].packets,
				 log[k].n[0]);
		n_ring += log[k].n[0] + log[k].n[1];
		if (dp_encap_has_seq(&dc->tmpl)) {
			check_seq_log(&log[k], total);
			assert_int_equal(
				__atomic_load_n(&f.sh.seq[dc->slot].next,
						__ATOMIC_RELAXED),
				total);
		} else {
			assert_int_equal(f.sh.seq[dc->slot].next, 0);
		}
	}
	/* e2, g6 and e3 number their copies; gn, v4 and gv6 do not */
	assert_true(dp_encap_has_seq(&f.rs->coll[coll_index(&f, "e2")].tmpl));
	assert_true(dp_encap_has_seq(&f.rs->coll[coll_index(&f, "g6")].tmpl));
	assert_true(dp_encap_has_seq(&f.rs->coll[coll_index(&f, "e3")].tmpl));
	assert_false(dp_encap_has_seq(&f.rs->coll[coll_index(&f, "gn")].tmpl));
	assert_int_equal(f.rs->coll[coll_index(&f, "v4")].tmpl.len, 50);
	assert_int_equal(f.rs->coll[coll_index(&f, "g6")].tmpl.len, 66);
	assert_int_equal(f.rs->coll[coll_index(&f, "e3")].tmpl.len, 74);
	assert_int_equal(w[0]->stats.port[2].mirror_packets +
				 w[1]->stats.port[2].mirror_packets,
			 n_ring);
	/* each burst's copies of one collector are a block of consecutive
	 * numbers */
	for (k = 0; k < 2; k++) {
		unsigned int i = 0, b;

		for (r = 0; r < 12; r++) {
			unsigned int nb = k == 0 ? 1 + (r * 5) % 17
						 : 1 + (r * 11) % 13;

			for (b = 1; b < nb; b++)
				assert_int_equal(log[0].seq[k][i + b],
						 log[0].seq[k][i] + b);
			i += nb;
		}
		assert_int_equal(i, log[0].n[k]);
	}
	rte_free(w[1]);
	fixture_down(&f);
}

/* Two workers on two threads at the same time, in tap mode (no tx in a
 * burst): every copy still gets its own number. */
struct seq_thread {
	struct dp_worker *w;
	struct fixture *f;
	struct rte_mbuf **pk;
	unsigned int rounds, per;
};

static void *
seq_thread_main(void *arg)
{
	struct seq_thread *st = arg;
	unsigned int r;

	for (r = 0; r < st->rounds; r++)
		dp_worker_burst(st->w, st->f->rs, 0, st->pk + r * st->per,
				(uint16_t)st->per);
	return NULL;
}

static void
test_seq_threads(void **state)
{
	static const char ini[] = "[dpmirror]\nmode = tap\n"
		"[port a]\ndevice = net_ring_a\n"
		"[port b]\ndevice = net_ring_b\n"
		"[port c]\ndevice = net_ring_c\n"
		"[collector e2]\nencap = erspan2\n" ADDR4
		"[session s]\nsources = a:rx\ncollector = e2\n";
	enum { ROUNDS = 30, PER = 8 };
	static struct rte_mbuf *pk[2][ROUNDS * PER];
	static struct seq_log log[1];
	struct fixture f;
	struct seq_thread th[2];
	pthread_attr_t attr;
	cpu_set_t cpus;
	pthread_t tid[2];
	struct dp_worker *w1;
	unsigned int i, k;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	memset(log, 0, sizeof(log));
	w1 = rte_zmalloc("w1", sizeof(*w1), RTE_CACHE_LINE_SIZE);
	assert_non_null(w1);
	dp_worker_init(w1, &f.sh, 2, 1);
	dp_worker_adopt(w1, f.rs);
	for (k = 0; k < 2; k++)
		for (i = 0; i < ROUNDS * PER; i++)
			pk[k][i] = tcp4(&f, 80, 64 + i % 50, (uint8_t)i);
	CPU_ZERO(&cpus);
	for (i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &cpus);
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus), 0);
	for (k = 0; k < 2; k++) {
		th[k].w = k == 0 ? f.w : w1;
		th[k].f = &f;
		th[k].pk = pk[k];
		th[k].rounds = ROUNDS;
		th[k].per = PER;
		assert_int_equal(pthread_create(&tid[k], &attr, seq_thread_main,
						&th[k]), 0);
	}
	pthread_attr_destroy(&attr);
	for (k = 0; k < 2; k++)
		pthread_join(tid[k], NULL);
	dp_worker_flush(f.w);
	seq_drain(&f, 0, log, 1);
	dp_worker_flush(w1);
	seq_drain(&f, 1, log, 1);
	assert_int_equal(log[0].n[0], ROUNDS * PER);
	assert_int_equal(log[0].n[1], ROUNDS * PER);
	check_seq_log(&log[0], 2 * ROUNDS * PER);
	assert_int_equal(f.sh.seq[f.rs->coll[0].slot].next, 2 * ROUNDS * PER);
	rte_free(w1);
	fixture_down(&f);
}

/* Read the ERSPAN fields of copy P made from template T. */
struct ers {
	uint32_t ver, vlan, cos, en_bso, t, sid, index, ts, p, ft, hw, d, gra,
		o, sgt, reserved;
};

static struct ers
ers_read(const struct dp_encap_tmpl *t, const uint8_t *p)
{
	const uint8_t *e = p + t->ers_ofs;
	uint32_t w0 = rd32(e), w1 = rd32(e + 4);
	struct ers r;

	memset(&r, 0, sizeof(r));
	assert_true(t->ers_ofs != 0);
	r.ver = w0 >> 28;
	r.vlan = (w0 >> 16) & 0xfff;
	r.cos = (w0 >> 13) & 7;
	r.en_bso = (w0 >> 11) & 3;
	r.t = (w0 >> 10) & 1;
	r.sid = w0 & 0x3ff;
	if (t->type == DP_ENCAP_ERSPAN2) {
		r.reserved = w1 >> 20;
		r.index = w1 & 0xfffff;
	} else {
		uint32_t w2 = rd32(e + 8);

		r.ts = w1;
		r.sgt = w2 >> 16;
		r.p = (w2 >> 15) & 1;
		r.ft = (w2 >> 10) & 0x1f;
		r.hw = (w2 >> 4) & 0x3f;
		r.d = (w2 >> 3) & 1;
		r.gra = (w2 >> 1) & 3;
		r.o = w2 & 1;
	}
	return r;
}

/*
 * The T bit is set exactly on the copies a snaplen cut, clone or copy,
 * over both families; VLAN, CoS and En come from the original's outermost
 * tag (802.1Q or 802.1ad), and are 0 for an untagged frame.
 */
static void
test_erspan_truncated_vlan(void **state)
{
	static const char ini[] = "[dpmirror]\ncopy_max = 256\n" PORTS_PAIR
		"[collector e2]\nencap = erspan2\nsession_id = 300\n" ADDR4
		"[collector e3]\nencap = erspan3\nsession_id = 301\n" ADDR6
		"[collector w2]\nencap = erspan2\nsession_id = 302\n" ADDR6
		"[session cut2]\nsources = a:rx\ncollector = e2\nsnaplen = 100\n"
		"[session cut3]\nsources = a:rx\ncollector = e3\nsnaplen = 100\n"
		"[session whole]\nsources = a:rx\ncollector = w2\n";
	/* PCP 5 VID 42; QinQ, outer PCP 3 VID 20; DEI set, VID 4095 */
	static const uint32_t q1[] = { 0x8100a02a };
	static const uint32_t q2[] = { 0x88a86014, 0x8100e00a };
	static const uint32_t q3[] = { 0x81001fff };
	static const struct {
		uint32_t len;
		const uint32_t *tags;
		unsigned int n_tags;
		uint32_t vlan, cos;
	} fr[] = {
		{ 60, NULL, 0, 0, 0 },	   { 99, NULL, 0, 0, 0 },
		{ 100, NULL, 0, 0, 0 },	   { 101, NULL, 0, 0, 0 },
		{ 1500, NULL, 0, 0, 0 },   { 2500, NULL, 0, 0, 0 },
		{ 100, q1, 1, 42, 5 },	   { 1400, q1, 1, 42, 5 },
		{ 90, q2, 2, 20, 3 },	   { 300, q2, 2, 20, 3 },
		{ 120, q3, 1, 4095, 0 },
	};
	enum { NF = sizeof(fr) / sizeof(fr[0]) };
	static uint8_t ref[NF][2600], buf[4000];
	struct rte_mbuf *pk[NF], *out[64];
	struct fixture f;
	unsigned int i, n, j, cut = 0;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 9000);
	for (i = 0; i < NF; i++) {
		if (fr[i].len == 2500) {
			pk[i] = tcp4(&f, 80, 1500, (uint8_t)i);
			chain(&f, pk[i], 1000);
		} else {
			pk[i] = tagged4(&f, fr[i].len, (uint8_t)i, fr[i].tags,
					fr[i].n_tags);
		}
		assert_int_equal(pk[i]->pkt_len, fr[i].len);
		read_ref(pk[i], ref[i]);
	}
	dp_worker_burst(f.w, f.rs, 0, pk, NF);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, NF);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 3 * NF);
	for (j = 0; j < n; j++) {
		const uint8_t *p = rte_pktmbuf_read(out[j], 0, out[j]->pkt_len,
						    buf);
		int k = copy_collector(&f, p, out[j]->pkt_len);
		const struct dp_encap_tmpl *t;
		struct dp_encap_pkt d;
		struct ers e;
		uint32_t snap;

		assert_true(k >= 0);
		t = &f.rs->coll[k].tmpl;
		i = j / 3; /* per frame: cut2, cut3, whole */
		snap = k == (int)coll_index(&f, "w2") ? 0 : 100;
		e = ers_read(t, p);
		memset(&d, 0, sizeof(d));
		d.inner_len = snap != 0 && fr[i].len > snap ? snap : fr[i].len;
		d.truncated = d.inner_len < fr[i].len;
		d.tagged = fr[i].n_tags != 0;
		d.tci = fr[i].n_tags ? (uint16_t)fr[i].tags[0] : 0;
		d.seq = rd32(p + t->seq_ofs);
		d.index = 0; /* port a */
		if (t->type == DP_ENCAP_ERSPAN3)
			d.timestamp = e.ts;
		check_outer(&f, (unsigned int)k, p, out[j]->pkt_len, d);
		assert_memory_equal(p + t->len, ref[i], d.inner_len);
		/* and the fields read back as the draft lays them out */
		assert_int_equal(e.t, d.truncated);
		assert_int_equal(e.vlan, fr[i].vlan);
		assert_int_equal(e.cos, fr[i].cos);
		if (t->type == DP_ENCAP_ERSPAN2) {
			assert_int_equal(e.ver, 1);
			assert_int_equal(e.en_bso, fr[i].n_tags ? 3 : 0);
			assert_int_equal(e.index, 0);
			assert_int_equal(e.reserved, 0);
		} else {
			assert_int_equal(e.ver, 2);
			assert_int_equal(e.en_bso, 0);
			assert_int_equal(e.gra, 1);
			assert_int_equal(e.p, 1);
			assert_int_equal(e.d, 0);
		}
		assert_int_equal(e.sid, 300 + (unsigned int)k);
		cut += e.t;
	}
	/* the cut ones: 101, 1500, 2500, 1400, 300 and 120 bytes, by cut2
	 * and cut3 each */
	assert_int_equal(cut, 2 * 6);
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);
}

/*
 * The direction bit and the index: a copy made for a port:rx source is
 * ingress (D 0, index the receiving port); one made only because of a
 * port:tx source is egress (D 1, index the port the source names, the
 * receiving port's peer).  A session that wants the frame as both is
 * ingress.  The ERSPAN III timestamp is the burst's time in 100 ns units
 * of the clock in dp_shared, modulo 2^32.
 */
static void
test_erspan_direction(void **state)
{
	static const char ini[] = PORTS_PAIR
		"[collector k0]\nencap = erspan2\n"
		"session_id = 100\n" ADDR4X("20")
		"[collector k1]\nencap = erspan3\n"
		"session_id = 101\n" ADDR4X("21")
		"[collector k2]\nencap = erspan2\n"
		"session_id = 102\n" ADDR6X("22")
		"[collector k3]\nencap = erspan3\n"
		"session_id = 103\n" ADDR6X("23")
		"[collector k4]\nencap = erspan2\n"
		"session_id = 104\n" ADDR4X("24")
		"[collector k5]\nencap = erspan3\n"
		"session_id = 105\n" ADDR4X("25")
		"[session in2]\nsources = a:rx\ncollector = k0\n"
		"[session in3]\nsources = a:rx\ncollector = k1\n"
		"[session out2]\nsources = b:tx\ncollector = k2\n"
		"[session out3]\nsources = b:tx\ncollector = k3\n"
		"[session both2]\nsources = a:both\ncollector = k4\n"
		"[session both3]\nsources = a:both b:tx\ncollector = k5\n";
	/* per collector k: D and index of a frame received on a, on b */
	static const struct {
		int copies_a, d_a, idx_a, copies_b, d_b, idx_b;
	} want[6] = {
		{ 1, 0, 0, 0, 0, 0 }, /* in2 */
		{ 1, 0, 0, 0, 0, 0 }, /* in3 */
		{ 1, 1, 1, 0, 0, 0 }, /* out2: a's frames leave by b */
		{ 1, 1, 1, 0, 0, 0 }, /* out3 */
		{ 1, 0, 0, 1, 1, 0 }, /* both2: b's frames leave by a */
		{ 1, 0, 0, 1, 1, 0 }, /* both3: a:rx and b:tx, ingress */
	};
	const uint64_t hz_cycles = 1000;
	struct rte_mbuf *pk[4], *out[64];
	static uint8_t buf[4000];
	struct fixture f;
	unsigned int i, n, j, port, seen[6][2];
	uint64_t now;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	memset(seen, 0, sizeof(seen));
	for (port = 0; port < 2; port++) {
		uint32_t want_ts;

		/* 1.5 units per cycle from 0x1fffffff0: past a wrap */
		f.sh.ts[0].tsc0 = RATE_T0;
		f.sh.ts[0].base = 0x1fffffff0ull;
		f.sh.ts[0].mult = 3ull << 31;
		now = RATE_T0 + hz_cycles * (port + 1);
		want_ts = (uint32_t)(0x1fffffff0ull + 1500 * (port + 1));
		for (i = 0; i < 4; i++)
			pk[i] = tcp4(&f, 80, 100 + i, (uint8_t)i);
		dp_worker_burst_at(f.w, f.rs, (uint16_t)port, pk, 4, now);
		dp_worker_flush(f.w);
		n = drain(f.txr[1 - port], out, 64);
		assert_int_equal(n, 4);
		rte_pktmbuf_free_bulk(out, n);
		n = drain(f.txr[2], out, 64);
		for (j = 0; j < n; j++) {
			const uint8_t *p = rte_pktmbuf_read(
				out[j], 0, out[j]->pkt_len, buf);
			int k = copy_collector(&f, p, out[j]->pkt_len);
			const struct dp_encap_tmpl *t;
			struct dp_encap_pkt d;
			struct ers e;

			assert_true(k >= 0 && k < 6);
			t = &f.rs->coll[k].tmpl;
			e = ers_read(t, p);
			seen[k][port]++;
			assert_int_equal(e.sid, 100 + (unsigned int)k);
			memset(&d, 0, sizeof(d));
			d.inner_len = out[j]->pkt_len - t->len;
			d.seq = rd32(p + t->seq_ofs);
			if (port == 0) {
				d.egress = (uint8_t)want[k].d_a;
				d.index = (uint32_t)want[k].idx_a;
			} else {
				d.egress = (uint8_t)want[k].d_b;
				d.index = (uint32_t)want[k].idx_b;
			}
			if (t->type == DP_ENCAP_ERSPAN3) {
				d.timestamp = want_ts;
				assert_int_equal(e.ts, want_ts);
				assert_int_equal(e.d, d.egress);
			} else {
				assert_int_equal(e.index, d.index);
				d.egress = 0;
			}
			check_outer(&f, (unsigned int)k, p, out[j]->pkt_len,
				    d);
		}
		rte_pktmbuf_free_bulk(out, n);
	}
	for (j = 0; j < 6; j++) {
		assert_int_equal(seen[j][0], 4 * want[j].copies_a);
		assert_int_equal(seen[j][1], 4 * want[j].copies_b);
	}
	/* With a still clock, the timestamp is the base's low 32 bits. */
	f.sh.ts[0].mult = 0;
	f.sh.ts[0].base = 0xabcdef0123456789ull;
	pk[0] = tcp4(&f, 80, 100, 1);
	dp_worker_burst_at(f.w, f.rs, 0, pk, 1, RATE_T0 + 123456789);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 6);
	for (j = 0; j < n; j++) {
		const uint8_t *p = rte_pktmbuf_read(out[j], 0, out[j]->pkt_len,
						    buf);
		int k = copy_collector(&f, p, out[j]->pkt_len);

		assert_true(k >= 0);
		if (f.rs->coll[k].tmpl.type == DP_ENCAP_ERSPAN3)
			assert_int_equal(ers_read(&f.rs->coll[k].tmpl, p).ts,
					 0x23456789);
	}
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);
}

/*
 * Counters and sequence numbers when the collector's queue fills: the
 * collector counts only what the queue took (bytes with the outer
 * header); a copy built and refused keeps its number (a gap the collector
 * sees as loss); a copy not built (the queue backed off) takes none.
 */
static void
test_collector_counters_gaps(void **state)
{
	static const char ini[] = PORTS_INLINE
		"[collector e2]\nencap = erspan2\n" ADDR4
		"[session s]\nsources = a:rx\ncollector = e2\n";
	struct fixture f;
	struct rte_mbuf *pk[20], *out[64];
	static uint8_t buf[4000];
	const struct dp_collector *dc;
	unsigned int i, n, round;

	(void)state;
	fixture_up(&f, ini, 16, 1024, 1500); /* the ring holds 15 */
	dc = &f.rs->coll[0];
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 20; i++)
			pk[i] = tcp4(&f, 80, 100, (uint8_t)i);
		dp_worker_burst(f.w, f.rs, 0, pk, 20);
		dp_worker_flush(f.w);
		n = drain(f.txr[1], out, 64);
		rte_pktmbuf_free_bulk(out, n);
		/* built: 20, 20 (the queue took none), then none */
		assert_int_equal(f.sh.seq[dc->slot].next, round == 0 ? 20 : 40);
		assert_int_equal(f.w->stats.coll[dc->slot].packets, 15);
		assert_int_equal(f.w->stats.coll[dc->slot].bytes, 15 * 150);
	}
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 15);
	for (i = 0; i < n; i++) {
		const uint8_t *p = rte_pktmbuf_read(out[i], 0, out[i]->pkt_len,
						    buf);

		assert_int_equal(rd32(p + dc->tmpl.seq_ofs), i);
	}
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.port[2].mirror_packets, 15);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_TX_FULL], 45);
	check_accounting(&f);
	fixture_down(&f);
}

/*
 * none: the original out of the collector's port as it is, or with one
 * 802.1Q tag (PCP 0, DEI 0, the VID) after the source MAC; copies and
 * clones, cut or whole, a first segment too short for the MACs; a plain
 * copy may be the MTU + 18 bytes, one 802.1Q tag's allowance (the one
 * added, or the original's): from a 1500 MTU port a 1514-byte frame
 * leaves as 1518 bytes with the tag, a 1515-byte one only untagged, and a
 * longer copy is too big.
 */
static void
test_none_collectors(void **state)
{
	static const char ini[] = "[dpmirror]\ncopy_max = 256\n" PORTS_INLINE
		"[collector n42]\nport = c\nencap = none\nvlan = 42\n"
		"[collector n0]\nport = c\nencap = none\n"
		"[collector n4094]\nport = c\nencap = none\nvlan = 4094\n"
		"[session s42]\nsources = a:rx\ncollector = n42\n"
		"[session s0]\nsources = a:rx\ncollector = n0\n"
		"[session s4094]\nsources = a:rx\ncollector = n4094\n"
		"snaplen = 80\n"
		"[session s0cut]\nsources = a:rx\ncollector = n0\n"
		"snaplen = 1000\n";
	static const uint32_t lens[] = { 60, 100, 1400, 1514, 1515, 2500, 207,
					 1207 };
	enum { NF = sizeof(lens) / sizeof(lens[0]), NS = 4 };
	static uint8_t ref[NF][2600], buf[4000], e[4000];
	/* per session: its collector, that one's VLAN, the snaplen */
	static const unsigned int coll[NS] = { 0, 1, 2, 1 };
	static const uint16_t vlans[NS] = { 42, 0, 4094, 0 };
	static const uint32_t snaps[NS] = { 0, 0, 80, 1000 };
	static const unsigned int want_too_big[NS] = { 2, 1, 0, 0 }; /* 1515: only untagged */
	struct rte_mbuf *pk[NF], *out[64];
	uint64_t bytes[3] = { 0, 0, 0 }, packets[3] = { 0, 0, 0 };
	uint64_t s_bytes[NS] = { 0, 0, 0, 0 };
	struct fixture f;
	unsigned int i, n, j, s, too_big[NS] = { 0, 0, 0, 0 };

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	for (i = 0; i < 3; i++) {
		assert_int_equal(f.rs->coll[i].tmpl.type, DP_ENCAP_NONE);
		assert_int_equal(f.rs->coll[i].tmpl.len, i == 1 ? 0 : 4);
	}
	/* Copies without an outer header leave by c: c is not checked for
	 * own copies on their account. */
	assert_false(f.rs->own_ports & (1u << 2));
	for (i = 0; i < NF; i++) {
		if (lens[i] == 2500) {
			pk[i] = tcp4(&f, 80, 1500, (uint8_t)i);
			chain(&f, pk[i], 1000);
		} else if (lens[i] == 207 || lens[i] == 1207) {
			/* the MACs split over the first two segments */
			static const uint32_t seg[2][2] = { { 7, 200 },
							    { 7, 1200 } };

			frame_bytes(ref[i], lens[i], (uint8_t)i);
			pk[i] = make_chain(f.pkt_pool, ref[i],
					   seg[lens[i] == 1207], 2);
		} else {
			pk[i] = tcp4(&f, 80, lens[i], (uint8_t)i);
		}
		assert_int_equal(pk[i]->pkt_len, lens[i]);
		read_ref(pk[i], ref[i]);
	}
	dp_worker_burst(f.w, f.rs, 0, pk, NF);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, NF);
	for (i = 0; i < n; i++) {
		const uint8_t *p = rte_pktmbuf_read(out[i], 0, lens[i], buf);

		assert_non_null(p);
		assert_memory_equal(p, ref[i], lens[i]);
	}
	rte_pktmbuf_free_bulk(out, n);

	/* In order: per frame s42, s0, s4094, s0cut, those not too big. */
	n = drain(f.txr[2], out, 64);
	j = 0;
	for (i = 0; i < NF; i++) {
		for (s = 0; s < NS; s++) {
			uint32_t inner = snaps[s] && lens[i] > snaps[s]
						 ? snaps[s]
						 : lens[i];
			uint32_t want = inner + (vlans[s] ? 4 : 0);
			const uint8_t *p;

			if (want > 1518) {
				too_big[s]++;
				continue;
			}
			assert_true(j < n);
			assert_int_equal(out[j]->pkt_len, want);
			p = rte_pktmbuf_read(out[j], 0, want, buf);
			assert_non_null(p);
			if (vlans[s]) {
				memcpy(e, ref[i], 12);
				e[12] = 0x81;
				e[13] = 0x00;
				e[14] = (uint8_t)(vlans[s] >> 8);
				e[15] = (uint8_t)vlans[s];
				memcpy(e + 16, ref[i] + 12, inner - 12);
			} else {
				memcpy(e, ref[i], inner);
			}
			if (memcmp(p, e, want) != 0)
				fail_msg("frame %u (%u bytes), session %u: "
					 "the copy differs",
					 i, lens[i], s);
			packets[coll[s]]++;
			bytes[coll[s]] += want;
			s_bytes[s] += want;
			j++;
		}
	}
	assert_int_equal(n, j);
	rte_pktmbuf_free_bulk(out, n);
	for (s = 0; s < NS; s++) {
		assert_int_equal(too_big[s], want_too_big[s]);
		assert_int_equal(f.w->stats.sess[s].dropped[DP_DROP_TOO_BIG],
				 too_big[s]);
		assert_int_equal(f.w->stats.sess[s].mirrored_bytes, s_bytes[s]);
	}
	for (i = 0; i < 3; i++) {
		const struct dp_collector *dc = &f.rs->coll[i];

		assert_int_equal(f.w->stats.coll[dc->slot].packets, packets[i]);
		assert_int_equal(f.w->stats.coll[dc->slot].bytes, bytes[i]);
		/* no sequence numbers */
		assert_int_equal(f.sh.seq[dc->slot].next, 0);
	}
	check_accounting(&f);
	fixture_down(&f);
}

/* On a port whose RSS hash is symmetric (dp_port.rss_sym) a packet that
 * carries one is hashed by it: the outer UDP source port comes from it,
 * and the collector is hash * n / 2^32 of the session's; a packet
 * without the flag still gets dp_flow_hash. */
static void
test_rss_hash_used(void **state)
{
	static const char ini[] =
		PORTS_INLINE
		"[collector x]\n" ADDR4X("3") "[collector y]\n" ADDR4X("4")
		"[session s]\nsources = a:rx\ncollector = x, y\n";
	static const uint32_t rss[4] = { 0x00001234u, 0x7fffffffu,
					 0x80000000u, 0xfedc0abcu };
	struct fixture f;
	struct rte_mbuf *pk[5], *out[16];
	struct dp_meta md;
	unsigned int i, n;
	uint32_t h;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	f.sh.port[0].rss_sym = 1;
	for (i = 0; i < 5; i++) {
		pk[i] = tcp4(&f, 80, 100, (uint8_t)i);
		if (i < 4) {
			pk[i]->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
			pk[i]->hash.rss = rss[i];
		}
	}
	dp_parse(rte_pktmbuf_mtod(pk[4], const uint8_t *), pk[4]->data_len,
		 &md);
	h = dp_flow_hash(&md, rte_pktmbuf_mtod(pk[4], const uint8_t *),
			 pk[4]->data_len);
	dp_worker_burst(f.w, f.rs, 0, pk, 5);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 16);
	assert_int_equal(n, 5);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], out, 16);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++) {
		const uint8_t *b = rte_pktmbuf_mtod(out[i], const uint8_t *);
		uint32_t hi = i < 4 ? rss[i] : h;
		uint16_t sport = (uint16_t)(b[34] << 8 | b[35]);
		/* remote_ip 198.18.1.3 (x) or .4 (y) */
		unsigned int coll = b[33] == 3 ? 0 : 1;

		assert_int_equal(sport, 49152u | (hi & 0x3fffu));
		assert_int_equal(coll, (uint32_t)(((uint64_t)hi * 2) >> 32));
	}
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);
}

/* A family no rule is about is not classified: its packets get each
 * filter's default.  Here the rules are all IPv6, the traffic IPv4: the
 * accepting default mirrors every packet, the rejecting one none; the
 * IPv4 context is marked empty. */
static void
test_empty_family_defaults(void **state)
{
	static const char ini[] =
		PORTS_INLINE COLL4
		"[session yes]\nsources = a:rx\ncollector = c4\nfilter = y\n"
		"[session no]\nsources = a:rx\ncollector = c4\nfilter = n\n"
		"[filter y]\nrule 1 = reject dst fd00::1/128\ndefault = accept\n"
		"[filter n]\nrule 1 = accept dst fd00::1/128\n";
	struct fixture f;
	struct rte_mbuf *pk[16], *out[64];
	unsigned int i, n;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 1500);
	assert_int_equal(f.rs->acl_empty, 1);
	assert_int_equal(f.rs->n_categories, 4);
	for (i = 0; i < 16; i++)
		pk[i] = tcp4(&f, 80, 100, (uint8_t)i);
	dp_worker_burst(f.w, f.rs, 0, pk, 16);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	assert_int_equal(n, 16);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 16);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(f.w->stats.sess[0].matched, 16);
	assert_int_equal(f.w->stats.sess[1].matched, 0);
	check_accounting(&f);
	fixture_down(&f);
}

/* Mirror mbufs are taken raw from their pool and made fresh by a few
 * stores: one that held a long copy before must hold the next as well
 * (its old lengths must not count). */
static void
test_raw_mbufs_reused(void **state)
{
	static const char ini[] = "[dpmirror]\ncopy_max = 2048\n" PORTS_INLINE
				  "[collector v]\n" ADDR4
				  "[session s]\nsources = a:rx\ncollector = v\n";
	struct fixture f;
	struct rte_mbuf *pk[32], *out[64];
	unsigned int i, r, n;

	(void)state;
	c_multiseg = true;
	fixture_up(&f, ini, 1024, 64, 9000);
	for (r = 0; r < 6; r++) {
		for (i = 0; i < 32; i++)
			pk[i] = tcp4(&f, 80, r % 2 ? 1400 : 60 + 8 * i,
				     (uint8_t)i);
		dp_worker_burst(f.w, f.rs, 0, pk, 32);
		dp_worker_flush(f.w);
		n = drain(f.txr[1], out, 64);
		assert_int_equal(n, 32);
		rte_pktmbuf_free_bulk(out, n);
		n = drain(f.txr[2], out, 64);
		assert_int_equal(n, 32);
		for (i = 0; i < n; i++) {
			assert_int_equal(out[i]->nb_segs, 1);
			assert_int_equal(out[i]->pkt_len,
					 50 + (r % 2 ? 1400 : 60 + 8 * i));
			assert_int_equal(out[i]->data_len, out[i]->pkt_len);
			assert_int_equal(out[i]->ol_flags & ~RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
		}
		rte_pktmbuf_free_bulk(out, n);
	}
	assert_int_equal(f.w->stats.sess[0].mirrored, 6 * 32);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_NO_MBUF], 0);
	check_accounting(&f);
	fixture_down(&f);
}

/* Whole frames longer than copy_max are cloned by sharing the original:
 * a small header mbuf chained in front of it, its reference count up by
 * one, nothing of it written; cut by snaplen they are copies.
 * Inline the forwarded original and the copy are the same mbuf; in tap
 * mode the original lives on in its copy after the worker is done. */
static void
test_share_clones(void **state)
{
	static const char inl[] = "[dpmirror]\ncopy_max = 256\n" PORTS_INLINE
				  "[collector v]\n" ADDR4
				  "[session s]\nsources = a:rx\ncollector = v\n";
	static const char tap[] =
		"[dpmirror]\nmode = tap\ncopy_max = 256\n"
		"[port a]\ndevice = net_ring_a\n[port b]\ndevice = net_ring_b\n"
		"[port c]\ndevice = net_ring_c\n[collector v]\n" ADDR4
		"[session s]\nsources = a:rx\ncollector = v\n";
	static const char cut[] = "[dpmirror]\ncopy_max = 256\n" PORTS_INLINE
				  "[collector v]\n" ADDR4
				  "[session s]\nsources = a:rx\ncollector = v\n"
				  "snaplen = 1000\n";
	struct fixture f;
	struct rte_mbuf *pk[8], *fwd[8], *out[16];
	unsigned int i, n, j;

	(void)state;
	c_multiseg = true;
	fixture_up(&f, inl, 1024, 64, 9000);
	for (i = 0; i < 8; i++)
		pk[i] = tcp4(&f, 80, 1400, (uint8_t)i);
	dp_worker_burst(f.w, f.rs, 0, pk, 8);
	dp_worker_flush(f.w);
	assert_int_equal(drain(f.txr[1], fwd, 8), 8);
	n = drain(f.txr[2], out, 16);
	assert_int_equal(n, 8);
	/* 8 originals, no copy of their bytes anywhere. */
	assert_int_equal(rte_mempool_in_use_count(f.pkt_pool), 8);
	assert_int_equal(rte_mempool_in_use_count(f.mirror_pool), 0);
	assert_int_equal(rte_mempool_in_use_count(f.clone_pool), 0);
	assert_int_equal(rte_mempool_in_use_count(f.hdr_pool), 8);
	for (i = 0; i < n; i++) {
		assert_ptr_equal(out[i]->pool, f.hdr_pool);
		assert_int_equal(out[i]->nb_segs, 2);
		assert_ptr_equal(out[i]->next, fwd[i]);
		assert_int_equal(out[i]->data_len, 50);
		assert_int_equal(out[i]->pkt_len, 50 + 1400);
		assert_int_equal(rte_mbuf_refcnt_read(fwd[i]), 2);
		assert_int_equal(fwd[i]->pkt_len, 1400);
		assert_int_equal(fwd[i]->nb_segs, 1);
		assert_null(fwd[i]->next);
	}
	/* The forwarded originals go first; the copies still hold them. */
	rte_pktmbuf_free_bulk(fwd, 8);
	assert_int_equal(rte_mempool_in_use_count(f.pkt_pool), 8);
	for (i = 0; i < n; i++) {
		const uint8_t *b = rte_pktmbuf_mtod(out[i]->next, const uint8_t *);

		for (j = 54; j < 1400; j++)
			if (b[j] != (uint8_t)(i + j))
				fail_msg("copy %u byte %u: %u", i, j, b[j]);
	}
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(rte_mempool_in_use_count(f.pkt_pool), 0);
	check_accounting(&f);
	fixture_down(&f);

	/* Tap mode, one copy per packet: the original itself becomes the
	 * copy, its outer header in its headroom. */
	fixture_up(&f, tap, 1024, 64, 9000);
	for (i = 0; i < 8; i++)
		pk[i] = tcp4(&f, 80, 1400, (uint8_t)(i + 20));
	memcpy(fwd, pk, sizeof(fwd));
	dp_worker_burst(f.w, f.rs, 0, pk, 8);
	dp_worker_flush(f.w);
	n = drain(f.txr[2], out, 16);
	assert_int_equal(n, 8);
	assert_int_equal(rte_mempool_in_use_count(f.pkt_pool), 8);
	assert_int_equal(rte_mempool_in_use_count(f.hdr_pool), 0);
	assert_int_equal(rte_mempool_in_use_count(f.mirror_pool), 0);
	for (i = 0; i < n; i++) {
		const uint8_t *b = rte_pktmbuf_mtod(out[i], const uint8_t *);

		assert_ptr_equal(out[i], fwd[i]);
		assert_int_equal(out[i]->nb_segs, 1);
		assert_int_equal(out[i]->data_len, 50 + 1400);
		assert_int_equal(out[i]->pkt_len, 50 + 1400);
		assert_int_equal(rte_mbuf_refcnt_read(out[i]), 1);
		assert_int_equal(b[50 + 100], (uint8_t)(i + 20 + 100));
		/* outer IPv4 total length: 20 + 8 + 8 + 1400 */
		assert_int_equal(b[16] << 8 | b[17], 1436);
	}
	assert_int_equal(f.w->stats.port[0].tap_consumed, 8);
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);

	/* Cut by snaplen, they cannot share: one mirror mbuf holds them,
	 * so they are copies (cheaper than indirect clones). */
	fixture_up(&f, cut, 1024, 64, 9000);
	for (i = 0; i < 8; i++)
		pk[i] = tcp4(&f, 80, 1400, (uint8_t)i);
	dp_worker_burst(f.w, f.rs, 0, pk, 8);
	dp_worker_flush(f.w);
	assert_int_equal(drain(f.txr[1], fwd, 8), 8);
	n = drain(f.txr[2], out, 16);
	assert_int_equal(n, 8);
	assert_int_equal(rte_mempool_in_use_count(f.clone_pool), 0);
	assert_int_equal(rte_mempool_in_use_count(f.mirror_pool), 8);
	for (i = 0; i < n; i++) {
		assert_int_equal(out[i]->pkt_len, 50 + 1000);
		assert_int_equal(out[i]->nb_segs, 1);
		assert_int_equal(rte_mbuf_refcnt_read(fwd[i]), 1);
		assert_int_equal(fwd[i]->pkt_len, 1400);
	}
	rte_pktmbuf_free_bulk(fwd, 8);
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);
}

/* When an original may become its own copy (tap mode): only when it is
 * the packet's only copy, not for ERSPAN (whose fields are read from the
 * original after the build); cut to snaplen when one segment. */
static void
test_tap_steal_cases(void **state)
{
#define TAP_PORTS                                                             \
	"[dpmirror]\nmode = tap\n[port a]\ndevice = net_ring_a\n"           \
	"[port b]\ndevice = net_ring_b\n[port c]\ndevice = net_ring_c\n"
	static const char two[] = TAP_PORTS "[collector v]\n" ADDR4
		"[session s]\nsources = a:rx\ncollector = v\n"
		"[session t]\nsources = a:rx\ncollector = v\n";
	static const char ers[] = TAP_PORTS "[collector e]\nencap = erspan2\n" ADDR4
		"[session s]\nsources = a:rx\ncollector = e\n";
	static const char cut[] = TAP_PORTS "[collector v]\n" ADDR4
		"[session s]\nsources = a:rx\ncollector = v\nsnaplen = 100\n";
#undef TAP_PORTS
	struct fixture f;
	struct rte_mbuf *pk[4], *orig[4], *out[16];
	unsigned int i, n;

	(void)state;
	/* Two sessions: two copies of each packet, neither the original. */
	fixture_up(&f, two, 1024, 64, 9000);
	for (i = 0; i < 4; i++)
		pk[i] = tcp4(&f, 80, 200, (uint8_t)i);
	memcpy(orig, pk, sizeof(orig));
	dp_worker_burst(f.w, f.rs, 0, pk, 4);
	dp_worker_flush(f.w);
	n = drain(f.txr[2], out, 16);
	assert_int_equal(n, 8);
	for (i = 0; i < n; i++) {
		assert_ptr_equal(out[i]->pool, f.mirror_pool);
		assert_int_equal(out[i]->pkt_len, 50 + 200);
	}
	/* The originals went back to their pool. */
	assert_int_equal(rte_mempool_in_use_count(f.pkt_pool), 0);
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);

	/* ERSPAN: a copy. */
	fixture_up(&f, ers, 1024, 64, 9000);
	for (i = 0; i < 4; i++)
		pk[i] = tcp4(&f, 80, 200, (uint8_t)i);
	dp_worker_burst(f.w, f.rs, 0, pk, 4);
	dp_worker_flush(f.w);
	n = drain(f.txr[2], out, 16);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		assert_ptr_equal(out[i]->pool, f.mirror_pool);
	assert_int_equal(rte_mempool_in_use_count(f.pkt_pool), 0);
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);

	/* snaplen 100: the original, cut. */
	fixture_up(&f, cut, 1024, 64, 9000);
	for (i = 0; i < 4; i++)
		pk[i] = tcp4(&f, 80, 600, (uint8_t)i);
	memcpy(orig, pk, sizeof(orig));
	dp_worker_burst(f.w, f.rs, 0, pk, 4);
	dp_worker_flush(f.w);
	n = drain(f.txr[2], out, 16);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		const uint8_t *b = rte_pktmbuf_mtod(out[i], const uint8_t *);

		assert_ptr_equal(out[i], orig[i]);
		assert_int_equal(out[i]->data_len, 50 + 100);
		assert_int_equal(out[i]->pkt_len, 50 + 100);
		/* the inner frame's own IPv4 total length is untouched */
		assert_int_equal(b[50 + 16] << 8 | b[50 + 17], 600 - 14);
	}
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(rte_mempool_in_use_count(f.pkt_pool), 0);
	check_accounting(&f);
	fixture_down(&f);
}

/* The clone pool runs dry: the copies that could not be built are
 * no_mbuf and take no sequence number, so the collector sees no gap.
 * (Chained originals longer than a mirror mbuf are clones through
 * indirect mbufs from the clone pool; others would share or be copied.) */
static void
test_seq_no_gap_when_clone_fails(void **state)
{
	static const char ini[] = "[dpmirror]\ncopy_max = 256\n" PORTS_INLINE
				  "[collector e2]\nencap = erspan2\n" ADDR4
				  "[session s]\nsources = a:rx\ncollector = e2\n";
	/* ERSPAN II over IPv4: the GRE sequence number follows Ethernet,
	 * IPv4 and the GRE flags and protocol. */
	const unsigned int seq_at = 14 + 20 + 4;
	struct fixture f;
	struct rte_mbuf *pk[8], *out[64];
	const struct dp_collector *dc;
	unsigned int i, n;

	(void)state;
	c_multiseg = true;
	clone_n = 8; /* two segments: two indirect mbufs a clone */
	fixture_up(&f, ini, 1024, 1024, 9000);
	clone_n = 1024;
	dc = &f.rs->coll[0];
	for (i = 0; i < 8; i++) {
		struct rte_mbuf *tail = tcp4(&f, 80, 1500, (uint8_t)i);

		pk[i] = tcp4(&f, 80, 1500, (uint8_t)i);
		pk[i]->next = tail;
		pk[i]->nb_segs = 2;
		pk[i]->pkt_len += tail->pkt_len;
	}
	dp_worker_burst(f.w, f.rs, 0, pk, 8);
	dp_worker_flush(f.w);
	n = drain(f.txr[1], out, 64);
	rte_pktmbuf_free_bulk(out, n);
	n = drain(f.txr[2], out, 64);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		assert_true(RTE_MBUF_CLONED(out[i]->next));
	assert_int_equal(f.w->stats.sess[0].mirrored, 4);
	assert_int_equal(f.w->stats.sess[0].dropped[DP_DROP_NO_MBUF], 4);
	assert_int_equal(f.sh.seq[dc->slot].next, 4);
	assert_int_equal(f.w->stats.coll[dc->slot].packets, 4);
	for (i = 0; i < n; i++) {
		const uint8_t *b = rte_pktmbuf_mtod(out[i], const uint8_t *);

		assert_int_equal((uint32_t)b[seq_at] << 24 |
					 (uint32_t)b[seq_at + 1] << 16 |
					 (uint32_t)b[seq_at + 2] << 8 |
					 b[seq_at + 3],
				 i);
	}
	rte_pktmbuf_free_bulk(out, n);
	check_accounting(&f);
	fixture_down(&f);
}

/*
 * A pcap-filter expression and a filter of rules on the same source, in
 * the same bursts: each session mirrors what its filter takes.
 */
static void
test_expression_beside_rules(void **state)
{
	static const char ini[] =
		PORTS_INLINE COLL4
		"[session expr]\nsources = a:rx\ncollector = c4\n"
		"filter = x\n"
		"[session rules]\nsources = a:rx\ncollector = c4\n"
		"filter = r\n"
		"[filter x]\nexpression = tcp dst port 22 or greater 1000\n"
		"[filter r]\nrule 10 = accept proto tcp dport 80\n";
	static const uint16_t dports[8] = { 80, 22, 443, 22, 80, 443, 22, 80 };
	static const uint32_t lens[8] = { 60, 60, 60, 1200, 1200, 70, 80, 90 };
	struct fixture f;
	struct rte_mbuf *pk[8], *out[64];
	unsigned int i, n, want_x = 0, want_r = 0, round;

	(void)state;
	fixture_up(&f, ini, 1024, 1024, 9000);
	assert_int_equal(f.rs->bpf_mask, 1u << 0);
	assert_non_null(f.rs->bpf[0]);
	for (i = 0; i < 8; i++) {
		want_x += dports[i] == 22 || lens[i] >= 1000;
		want_r += dports[i] == 80;
	}
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 8; i++)
			pk[i] = tcp4(&f, dports[i], lens[i], (uint8_t)i);
		dp_worker_burst(f.w, f.rs, 0, pk, 8);
		dp_worker_flush(f.w);
		n = drain(f.txr[1], out, 64);
		assert_int_equal(n, 8);
		rte_pktmbuf_free_bulk(out, n);
		n = drain(f.txr[2], out, 64);
		assert_int_equal(n, want_x + want_r);
		rte_pktmbuf_free_bulk(out, n);
		assert_int_equal(f.w->stats.sess[0].mirrored,
				 (round + 1) * want_x);
		assert_int_equal(f.w->stats.sess[1].mirrored,
				 (round + 1) * want_r);
		assert_int_equal(f.w->stats.sess[0].matched,
				 (round + 1) * want_x);
	}
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
		cmocka_unit_test(test_seq_two_workers),
		cmocka_unit_test(test_seq_threads),
		cmocka_unit_test(test_erspan_truncated_vlan),
		cmocka_unit_test(test_erspan_direction),
		cmocka_unit_test(test_collector_counters_gaps),
		cmocka_unit_test(test_none_collectors),
		cmocka_unit_test(test_rss_hash_used),
		cmocka_unit_test(test_empty_family_defaults),
		cmocka_unit_test(test_raw_mbufs_reused),
		cmocka_unit_test(test_share_clones),
		cmocka_unit_test(test_tap_steal_cases),
		cmocka_unit_test(test_seq_no_gap_when_clone_fails),
		cmocka_unit_test(test_expression_beside_rules),
	};
	int rc;

	if (eal_test_init() != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
