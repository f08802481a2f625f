/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics: the counters real bursts leave in the workers, summed into a
 * snapshot and published as the text block and the JSON of DESIGN section
 * 5, must account for every packet (README, Statistics):
 *   per port, rx_packets = rx_invalid + own_copies + what became of the
 *   rest: the peer's fwd_packets + fwd_dropped (inline), or tap_consumed
 *   (tap, or inline without a peer);
 *   per session, matched = mirrored + the drops by reason;
 *   tx_packets = fwd_packets + mirror_packets, tx_dropped = fwd_dropped +
 *   mirror_dropped, and what the port's tx queue holds is tx_packets.
 * These are checked on the values read back from the JSON and the text,
 * against what the test sent and what left each port.  Then collector
 * counters and sequence numbers across live reloads (ctl_reload_run with
 * the workers on their own threads), the JSON file writer, and the exact
 * layout of both outputs.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "cfg.h"
#include "ctl_port.h"
#include "ctl_reload.h"
#include "ctl_ruleset.h"
#include "ctl_stats.h"
#include "dp_worker.h"
#include "eal_test.h"

/* ctl_reload.c logs with the control thread's log type, which dpmirror's
 * main.c registers. */
int dpm_ctrl_logtype;

/* ---- A dataplane on net_ring ports, two workers ---------------------- */

#define RIG_PORTS   4
#define RIG_WORKERS 2

struct rig {
	struct cfg *cfg;
	struct ctl_ports ports;
	struct dp_ruleset *rs;
	struct dp_shared sh;
	struct dp_worker *w[RIG_WORKERS];
	struct rte_ring *txr[RIG_PORTS];
	struct rte_ring *rxr[RIG_PORTS]; /* what a port receives */
	struct rte_mempool *pkt_pool, *mirror_pool, *clone_pool;
	uint64_t sent[RIG_PORTS]; /* frames handed to a worker, per port */
	uint64_t left[RIG_PORTS]; /* frames taken from each port's tx ring */
};

static unsigned int rig_seq;

/* A started net_ring port whose tx ring (RING_SIZE slots) the test reads;
 * its rx ring into *RXR.  Workers on their own threads may send on the
 * same tx queue: the tx ring takes several producers. */
static struct rte_ring *
rig_port(unsigned int i, unsigned int ring_size, struct rte_mempool *mp,
	 uint16_t *port_id, struct rte_ring **rxr)
{
	struct rte_ring *rx, *tx;
	struct rte_eth_conf conf;
	char name[64];
	int id;

	snprintf(name, sizeof(name), "srx%u_%u", rig_seq, i);
	rx = rte_ring_create(name, 64, SOCKET_ID_ANY,
			     RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "stx%u_%u", rig_seq, i);
	tx = rte_ring_create(name, ring_size, SOCKET_ID_ANY, RING_F_SC_DEQ);
	assert_non_null(rx);
	assert_non_null(tx);
	snprintf(name, sizeof(name), "net_ring_s%u_%u", rig_seq, i);
	id = rte_eth_from_rings(name, &rx, 1, &tx, 1, SOCKET_ID_ANY);
	assert_true(id >= 0);
	memset(&conf, 0, sizeof(conf));
	assert_int_equal(rte_eth_dev_configure((uint16_t)id, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup((uint16_t)id, 0, 64,
						SOCKET_ID_ANY, NULL, mp),
			 0);
	assert_int_equal(rte_eth_tx_queue_setup((uint16_t)id, 0, 64,
						SOCKET_ID_ANY, NULL),
			 0);
	assert_int_equal(rte_eth_dev_start((uint16_t)id), 0);
	*port_id = (uint16_t)id;
	*rxr = rx;
	return tx;
}

/*
 * Load INI (its ports in the order of the file), build the ruleset and two
 * workers: worker 0 receives on the ports in WORKER0 (a bit set), worker 1
 * on the others.  RING[i] is the tx ring size of port i, MTU[i] its MTU;
 * the mirror pool has MIRROR_MBUFS mbufs.
 */
static void
rig_up(struct rig *r, const char *ini, const unsigned int *ring,
       const uint16_t *mtu, unsigned int mirror_mbufs, uint64_t worker0)
{
	uint64_t port_workers[DP_MAX_PORTS] = { 0 };
	struct cfg_errors errs;
	struct dpm_err e;
	char name[32];
	unsigned int i;

	memset(r, 0, sizeof(*r));
	rig_seq++;
	memset(&errs, 0, sizeof(errs));
	r->cfg = cfg_load_buffer("rig.ini", ini, strlen(ini), &errs);
	if (r->cfg == NULL)
		fail_msg("config rejected: %s", errs.msg[0]);
	assert_true(r->cfg->n_ports <= RIG_PORTS);

	snprintf(name, sizeof(name), "spkt%u", rig_seq);
	r->pkt_pool = rte_pktmbuf_pool_create(name, 1024, 0, 0,
					      RTE_MBUF_DEFAULT_BUF_SIZE,
					      SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "smir%u", rig_seq);
	r->mirror_pool = rte_pktmbuf_pool_create(name, mirror_mbufs, 0, 0,
						 RTE_MBUF_DEFAULT_BUF_SIZE,
						 SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "scln%u", rig_seq);
	r->clone_pool =
		rte_pktmbuf_pool_create(name, 1024, 0, 0, 0, SOCKET_ID_ANY);
	assert_non_null(r->pkt_pool);
	assert_non_null(r->mirror_pool);
	assert_non_null(r->clone_pool);

	r->ports.n = r->cfg->n_ports;
	for (i = 0; i < r->cfg->n_ports; i++) {
		struct ctl_port *p = &r->ports.p[i];

		r->txr[i] = rig_port(i, ring[i], r->pkt_pool, &p->port_id,
				     &r->rxr[i]);
		p->name = r->cfg->ports[i].name;
		p->mtu = mtu[i];
		p->multiseg = true;
		p->mac.addr_bytes[0] = 0x02;
		p->mac.addr_bytes[5] = (uint8_t)(0x20 + i);
		port_workers[i] = (worker0 >> i) & 1 ? 1 : 2;
	}
	r->rs = ctl_ruleset_build(r->cfg, &r->ports, port_workers, rig_seq,
				  &e);
	if (r->rs == NULL)
		fail_msg("ruleset: %s", e.msg);

	r->sh.mode = r->cfg->mode == CFG_MODE_TAP ? DP_MODE_TAP
						   : DP_MODE_INLINE;
	r->sh.burst = 64;
	r->sh.n_ports = (uint16_t)r->cfg->n_ports;
	for (i = 0; i < r->cfg->n_ports; i++) {
		r->sh.port[i].port_id = r->ports.p[i].port_id;
		r->sh.port[i].peer = (int16_t)r->cfg->ports[i].peer;
	}
	r->sh.mirror_pool = r->mirror_pool;
	r->sh.clone_pool = r->clone_pool;
	r->sh.ruleset = r->rs;
	for (i = 0; i < RIG_WORKERS; i++) {
		r->w[i] = rte_zmalloc("w", sizeof(*r->w[i]),
				      RTE_CACHE_LINE_SIZE);
		assert_non_null(r->w[i]);
		dp_worker_init(r->w[i], &r->sh, 1 + i, i);
		dp_worker_adopt(r->w[i], r->rs);
	}
}

/* Take what port P transmitted off its ring; keep up to MAX in OUT (the
 * rest is freed) and return how many were kept. */
static unsigned int
rig_take(struct rig *r, unsigned int p, struct rte_mbuf **out,
	 unsigned int max)
{
	struct rte_mbuf *m[64];
	unsigned int n, i, kept = 0;

	while ((n = rte_ring_dequeue_burst(r->txr[p], (void **)m, 64,
					   NULL)) > 0) {
		r->left[p] += n;
		for (i = 0; i < n; i++) {
			if (kept < max)
				out[kept++] = m[i];
			else
				rte_pktmbuf_free(m[i]);
		}
	}
	return kept;
}

/* Receive N frames PKTS on port P: a burst of the worker polling P. */
static void
rig_rx(struct rig *r, uint64_t worker0, unsigned int p,
       struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_worker *w = r->w[(worker0 >> p) & 1 ? 0 : 1];

	r->sent[p] += n;
	dp_worker_burst(w, r->rs, (uint16_t)p, pkts, n);
	dp_worker_flush(w);
}

static void
rig_down(struct rig *r)
{
	unsigned int i;

	for (i = 0; i < r->cfg->n_ports; i++) {
		rig_take(r, i, NULL, 0);
		rte_eth_dev_stop(r->ports.p[i].port_id);
		rte_eth_dev_close(r->ports.p[i].port_id);
	}
	/* Every original, copy and clone came back. */
	assert_int_equal(rte_mempool_in_use_count(r->pkt_pool), 0);
	assert_int_equal(rte_mempool_in_use_count(r->mirror_pool), 0);
	assert_int_equal(rte_mempool_in_use_count(r->clone_pool), 0);
	for (i = 0; i < RIG_WORKERS; i++)
		rte_free(r->w[i]);
	ctl_ruleset_free(r->rs);
	cfg_free(r->cfg);
	rte_mempool_free(r->pkt_pool);
	rte_mempool_free(r->mirror_pool);
	rte_mempool_free(r->clone_pool);
}

/* An Ethernet/IPv4 TCP (PROTO 6) or UDP (17) frame of LEN bytes (>= 54)
 * to DPORT from MP, or NULL when MP is empty.  No cmocka assertion: other
 * threads than the test's call it. */
static struct rte_mbuf *
frame4_from(struct rte_mempool *mp, uint8_t proto, uint16_t dport,
	    uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, len);
	memcpy(p, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00",
	       14);
	p[14] = 0x45;
	p[16] = (uint8_t)((len - 14) >> 8);
	p[17] = (uint8_t)(len - 14);
	p[22] = 64;
	p[23] = proto;
	memcpy(p + 26, "\xc6\x12\x00\x02\xc6\x12\x00\x03", 8);
	p[34] = 0x04;
	p[35] = 0xd2;
	p[36] = (uint8_t)(dport >> 8);
	p[37] = (uint8_t)dport;
	p[46] = 0x50;
	return m;
}

static struct rte_mbuf *
frame4(struct rig *r, uint8_t proto, uint16_t dport, uint32_t len)
{
	struct rte_mbuf *m = frame4_from(r->pkt_pool, proto, dport, len);

	assert_non_null(m);
	return m;
}

/* What dpmirror publishes for the rig now: the snapshot of both workers
 * and the devices, as the JSON and the text block (after taking what the
 * ports sent off their rings). */
static struct ctl_snapshot *
rig_snapshot(struct rig *r, char **json, char **text)
{
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	size_t len = 0;
	unsigned int i;
	FILE *f;

	assert_non_null(s);
	for (i = 0; i < r->cfg->n_ports; i++)
		rig_take(r, i, NULL, 0);
	ctl_snapshot_begin(s, r->cfg, 1.0);
	for (i = 0; i < RIG_WORKERS; i++)
		ctl_snapshot_add(s, &r->w[i]->stats, r->w[i]->lcore);
	ctl_snapshot_seq(s, r->sh.seq);
	for (i = 0; i < r->cfg->n_ports; i++) {
		struct rte_eth_stats es;

		assert_int_equal(rte_eth_stats_get(r->ports.p[i].port_id, &es),
				 0);
		ctl_snapshot_device(s, i, es.imissed, es.ierrors, es.oerrors);
	}
	f = open_memstream(json, &len);
	assert_non_null(f);
	ctl_stats_json(f, s);
	fclose(f);
	f = open_memstream(text, &len);
	assert_non_null(f);
	ctl_stats_print(f, s, NULL);
	fclose(f);
	return s;
}

/* The number after `"KEY": ` in the object `"OBJ": {` of JSON J (nested
 * objects included). */
static uint64_t
jget(const char *j, const char *obj, const char *key)
{
	char pat[96];
	const char *p;
	size_t klen;
	int depth = 1;

	snprintf(pat, sizeof(pat), "\"%s\": {", obj);
	p = strstr(j, pat);
	if (p == NULL)
		fail_msg("no object \"%s\" in the JSON:\n%s", obj, j);
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	klen = strlen(pat);
	for (p = strchr(p, '{') + 1; *p != '\0' && depth > 0; p++) {
		if (*p == '{')
			depth++;
		else if (*p == '}')
			depth--;
		else if (strncmp(p, pat, klen) == 0 &&
			 isdigit((unsigned char)p[klen]))
			return strtoull(p + klen, NULL, 10);
	}
	fail_msg("no \"%s\" in \"%s\" in the JSON:\n%s", key, obj, j);
	return 0;
}

/* The number after LABEL in the block of text T that HEADER starts. */
static uint64_t
tget(const char *t, const char *header, const char *label)
{
	const char *p = strstr(t, header), *end;

	if (p == NULL)
		fail_msg("no \"%s\" in the text:\n%s", header, t);
	end = strstr(p + 1, "\n\n");
	p = strstr(p, label);
	if (p == NULL || (end != NULL && p > end))
		fail_msg("no \"%s\" under \"%s\" in the text:\n%s", label,
			 header, t);
	return strtoull(p + strlen(label), NULL, 10);
}

#define JP(obj, key) jget(json, (obj), #key)

/*
 * The identities of the README on what was published, for a rig whose
 * ports are named in PORT[] and sessions in SESS[]: every check compares
 * numbers from the JSON (and the text) with each other and with what the
 * test itself saw go in and out; the bytes of a port's copies, which the
 * JSON does not publish, come from the snapshot SNAP.
 */
static void
check_published(struct rig *r, const struct ctl_snapshot *snap,
		const char *json, const char *text)
{
	uint64_t expect_fwd[RIG_PORTS] = { 0 };
	uint64_t mirrored = 0, tx_full = 0, mirror_packets = 0;
	uint64_t mirror_dropped = 0;
	unsigned int i, k, d;

	for (i = 0; i < r->cfg->n_ports; i++) {
		const char *p = r->cfg->ports[i].name;
		int peer = r->cfg->ports[i].peer;
		uint64_t rest = JP(p, rx_packets) - JP(p, rx_invalid) -
				JP(p, own_copies);

		assert_true(JP(p, rx_invalid) + JP(p, own_copies) <=
			    JP(p, rx_packets));
		/* Received: what the test handed to the worker. */
		assert_int_equal(JP(p, rx_packets), r->sent[i]);
		if (r->cfg->mode == CFG_MODE_INLINE && peer >= 0) {
			expect_fwd[peer] += rest;
			assert_int_equal(JP(p, tap_consumed), 0);
		} else {
			assert_int_equal(JP(p, tap_consumed), rest);
		}
		/* The derived counters, and what really left the port. */
		assert_int_equal(JP(p, tx_packets),
				 JP(p, fwd_packets) + JP(p, mirror_packets));
		assert_int_equal(JP(p, tx_dropped),
				 JP(p, fwd_dropped) + JP(p, mirror_dropped));
		assert_int_equal(JP(p, tx_packets), r->left[i]);
		mirror_packets += JP(p, mirror_packets);
		mirror_dropped += JP(p, mirror_dropped);
	}
	for (i = 0; i < r->cfg->n_ports; i++) {
		const char *p = r->cfg->ports[i].name;

		assert_int_equal(JP(p, fwd_packets) + JP(p, fwd_dropped),
				 expect_fwd[i]);
	}
	for (k = 0; k < r->cfg->n_sessions; k++) {
		const char *s = r->cfg->sessions[k].name;
		uint64_t out = JP(s, mirrored);

		for (d = 0; d < DP_DROP_MAX; d++)
			out += jget(json, s, dp_drop_names[d]);
		assert_int_equal(JP(s, matched), out);
		mirrored += JP(s, mirrored);
		tx_full += JP(s, tx_full);
	}
	/* What the sessions sent and lost to full queues is what the ports
	 * sent and had refused. */
	assert_int_equal(mirrored, mirror_packets);
	assert_int_equal(tx_full, mirror_dropped);
	/* What each port sent as copies is what its collectors sent. */
	for (i = 0; i < r->cfg->n_ports; i++) {
		const char *p = r->cfg->ports[i].name;
		uint64_t pk = 0, by = 0;

		for (k = 0; k < r->cfg->n_collectors; k++) {
			const char *c = r->cfg->collectors[k].name;

			if (r->cfg->collectors[k].port != (int)i)
				continue;
			pk += JP(c, packets);
			by += JP(c, bytes);
		}
		assert_int_equal(pk, JP(p, mirror_packets));
		assert_int_equal(by, snap->port[i].mirror_bytes);
	}

	/* The text block shows the same values as the JSON. */
	for (i = 0; i < r->cfg->n_ports; i++) {
		char header[64];

		snprintf(header, sizeof(header), "NIC statistics for port %-8s",
			 r->cfg->ports[i].name);
		for (k = 0; k < ctl_port_n_fields; k++) {
			const struct ctl_stats_field *f = &ctl_port_fields[k];

			if (f->label != NULL)
				assert_int_equal(tget(text, header, f->label),
						 jget(json, r->cfg->ports[i].name,
						      f->name));
		}
	}
	for (i = 0; i < r->cfg->n_sessions; i++) {
		const char *s = r->cfg->sessions[i].name;
		char header[64], label[32];

		snprintf(header, sizeof(header), "Mirror session %-8s", s);
		for (k = 0; k < ctl_session_n_fields; k++) {
			const struct ctl_stats_field *f =
				&ctl_session_fields[k];

			assert_int_equal(tget(text, header, f->label),
					 jget(json, s, f->name));
		}
		for (d = 0; d < DP_DROP_MAX; d++) {
			snprintf(label, sizeof(label), " %s=", dp_drop_names[d]);
			assert_int_equal(tget(text, header, label),
					 jget(json, s, dp_drop_names[d]));
		}
	}
	for (i = 0; i < r->cfg->n_collectors; i++) {
		const char *c = r->cfg->collectors[i].name;
		char header[64];

		snprintf(header, sizeof(header), "Collector %s ", c);
		for (k = 0; k < ctl_collector_n_fields; k++) {
			const struct ctl_stats_field *f =
				&ctl_collector_fields[k];

			if (strcmp(f->name, "next_seq") == 0 &&
			    !ctl_stats_coll_has_seq(&r->cfg->collectors[i]))
				continue;
			assert_int_equal(tget(text, header, f->label),
					 jget(json, c, f->name));
		}
	}
}

/* ---- Conservation on what real bursts produce ------------------------ */

/*
 * Inline, a <-> b, copies out of c (a short ring: tx_full) and d (a small
 * MTU: too_big; the mirror pool runs dry while d's ring holds the copies:
 * no_mbuf); sampling and a rate cap; a short ring on a (fwd_dropped);
 * frames with broken chains (rx_invalid) and copies come back
 * (own_copies).  Worker 0 receives on a, worker 1 on b.
 */
static void
test_conservation_inline(void **state)
{
	static const char ini[] =
		"[dpmirror]\nmode = inline\ncopy_max = 256\n"
		"[port a]\ndevice = net_ring_a\npeer = b\n"
		"[port b]\ndevice = net_ring_b\npeer = a\n"
		"[port c]\ndevice = net_ring_c\n"
		"[port d]\ndevice = net_ring_d\n"
		"[collector cc]\nport = c\nremote_ip = 198.18.1.3\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
		"vni = 100\n"
		"[collector cd]\nport = d\nremote_ip = fd00:1::3\n"
		"local_ip = fd00:1::10\nremote_mac = 02:00:00:00:01:03\n"
		"vni = 200\n"
		"[session both]\nsources = a:rx b:rx\ncollector = cc\n"
		"[session web]\nsources = a:rx\ncollector = cd\nfilter = web\n"
		"[session third]\nsources = b:rx\ncollector = cd\nsample = 3\n"
		"snaplen = 100\n"
		"[session capped]\nsources = a:tx\ncollector = cc\nrate = 1M\n"
		"[filter web]\nrule 10 = accept proto tcp dport 80\n"
		"default = reject\n";
	static const unsigned int ring[RIG_PORTS] = { 32, 1024, 16, 1024 };
	static const uint16_t mtu[RIG_PORTS] = { 1500, 1500, 9000, 600 };
	const uint64_t worker0 = 1u << 0; /* a */
	struct rte_mbuf *pk[64], *copies[8];
	struct ctl_snapshot *s;
	char *json, *text;
	unsigned int round, i, n;
	struct rig r;

	(void)state;
	rig_up(&r, ini, ring, mtu, 96, worker0);
	for (round = 0; round < 4; round++) {
		/* a: web and not web, small and too big for d */
		for (i = 0; i < 40; i++)
			pk[i] = frame4(&r, i % 3 ? 6 : 17, i % 2 ? 80 : 53,
				       i % 5 == 0 ? 1000 : 60 + 7 * i);
		/* two broken chains */
		pk[40] = frame4(&r, 6, 80, 100);
		pk[40]->pkt_len = 3000;
		pk[41] = frame4(&r, 6, 80, 100);
		pk[41]->pkt_len = 0;
		pk[41]->data_len = 0;
		rig_rx(&r, worker0, 0, pk, 42);
		/* b: 50 frames, more than a's ring holds */
		for (i = 0; i < 50; i++)
			pk[i] = frame4(&r, 6, 443, 1000);
		rig_rx(&r, worker0, 1, pk, 50);
		/* a's originals left b; c's ring is emptied every other
		 * round; d's is not (copies held there drain the pool) */
		rig_take(&r, 1, NULL, 0);
		rig_take(&r, 0, NULL, 0);
		if (round % 2 == 1) {
			n = rig_take(&r, 2, copies, RTE_DIM(copies));
			/* copies come back in on a and on b */
			rig_rx(&r, worker0, 0, copies, (uint16_t)(n / 2));
			rig_rx(&r, worker0, 1, copies + n / 2,
			       (uint16_t)(n - n / 2));
			rig_take(&r, 1, NULL, 0);
			rig_take(&r, 0, NULL, 0);
		}
	}
	s = rig_snapshot(&r, &json, &text);
	check_published(&r, s, json, text);

	/* Each identity above had something to account for. */
	assert_true(JP("a", rx_invalid) > 0);
	assert_true(JP("a", own_copies) > 0 && JP("b", own_copies) > 0);
	assert_true(JP("a", fwd_dropped) > 0);
	assert_true(JP("c", mirror_dropped) > 0);
	assert_true(JP("web", too_big) > 0);
	assert_true(JP("web", no_mbuf) + JP("third", no_mbuf) > 0);
	assert_true(JP("third", sampled_out) > 0);
	assert_true(JP("capped", rate_limited) > 0);
	assert_true(JP("both", tx_full) > 0);
	/* Both workers are in the sums. */
	assert_int_equal(s->n_workers, 2);
	assert_non_null(strstr(json, "\"workers\": [ { \"lcore\": 1, "));
	assert_non_null(strstr(json, "}, { \"lcore\": 2, "));
	free(json);
	free(text);
	free(s);
	rig_down(&r);
}

/* Tap mode: every original is freed after mirroring (tap_consumed). */
static void
test_conservation_tap(void **state)
{
	static const char ini[] =
		"[dpmirror]\nmode = tap\n"
		"[port span1]\ndevice = net_ring_a\n"
		"[port span2]\ndevice = net_ring_b\n"
		"[port out]\ndevice = net_ring_c\n"
		"[collector cc]\nport = out\nremote_ip = 198.18.1.3\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
		"vni = 100\n"
		"[session all]\nsources = span1:rx span2:rx\ncollector = cc\n"
		"[session udp]\nsources = span2:rx\ncollector = cc\nfilter = udp\n"
		"sample = 2\n"
		"[filter udp]\nrule 10 = accept proto udp\ndefault = reject\n";
	static const unsigned int ring[RIG_PORTS] = { 64, 64, 64, 64 };
	static const uint16_t mtu[RIG_PORTS] = { 1500, 1500, 1500, 1500 };
	const uint64_t worker0 = 1u << 0; /* span1 */
	struct rte_mbuf *pk[64];
	struct ctl_snapshot *s;
	char *json, *text;
	unsigned int round, i;
	struct rig r;

	(void)state;
	rig_up(&r, ini, ring, mtu, 512, worker0);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 30; i++)
			pk[i] = frame4(&r, 6, 80, 64 + i);
		pk[30] = frame4(&r, 6, 80, 100);
		pk[30]->data_len = 20; /* pkt_len 100 in 20 bytes */
		rig_rx(&r, worker0, 0, pk, 31);
		for (i = 0; i < 40; i++)
			pk[i] = frame4(&r, i % 2 ? 17 : 6, 53, 80);
		rig_rx(&r, worker0, 1, pk, 40);
		if (round != 1) /* round 1 fills out's ring: tx_full */
			rig_take(&r, 2, NULL, 0);
	}
	s = rig_snapshot(&r, &json, &text);
	check_published(&r, s, json, text);
	assert_true(JP("span1", tap_consumed) > 0);
	assert_true(JP("span1", rx_invalid) > 0);
	assert_true(JP("udp", sampled_out) > 0);
	assert_true(JP("all", tx_full) > 0);
	assert_int_equal(JP("span1", fwd_packets) + JP("span2", fwd_packets), 0);
	free(json);
	free(text);
	free(s);
	rig_down(&r);
}

/*
 * Collector counters from real bursts on two workers: span1 (worker 0)
 * and span2 (worker 1) both mirror to g (gre, seq = yes), span1 also to
 * e (erspan2 over IPv6), span2 to v (vxlan).  Each collector's packets and
 * bytes (outer header included) are the sums over both workers; next_seq
 * is published for g and e only, and, with no copy refused, is the number
 * of copies sent, consecutive across the workers.
 */
static void
test_collectors_two_workers(void **state)
{
	static const char ini[] =
		"[dpmirror]\nmode = tap\n"
		"[port span1]\ndevice = net_ring_a\n"
		"[port span2]\ndevice = net_ring_b\n"
		"[port out]\ndevice = net_ring_c\n"
		"[collector g]\nport = out\nencap = gre\nseq = yes\nkey = 9\n"
		"remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:03\n"
		"[collector e]\nport = out\nencap = erspan2\nsession_id = 3\n"
		"remote_ip = fd00:1::3\nlocal_ip = fd00:1::10\n"
		"remote_mac = 02:00:00:00:01:03\n"
		"[collector v]\nport = out\nremote_ip = 198.18.1.4\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:04\n"
		"vni = 7\n"
		"[session sg]\nsources = span1:rx span2:rx\ncollector = g\n"
		"[session se]\nsources = span1:rx\ncollector = e\n"
		"[session sv]\nsources = span2:rx\ncollector = v\n";
	static const unsigned int ring[RIG_PORTS] = { 64, 64, 1024, 64 };
	static const uint16_t mtu[RIG_PORTS] = { 1500, 1500, 1500, 1500 };
	const uint64_t worker0 = 1u << 0; /* span1 */
	uint64_t len1 = 0, len2 = 0, n1 = 0, n2 = 0;
	struct rte_mbuf *pk[64];
	struct ctl_snapshot *s;
	char *json, *text;
	unsigned int round, i;
	struct rig r;

	(void)state;
	rig_up(&r, ini, ring, mtu, 1024, worker0);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 20; i++) {
			pk[i] = frame4(&r, 6, 80, 64 + 3 * i);
			len1 += 64 + 3 * i;
		}
		rig_rx(&r, worker0, 0, pk, 20);
		n1 += 20;
		for (i = 0; i < 30; i++) {
			pk[i] = frame4(&r, 17, 53, 100 + i);
			len2 += 100 + i;
		}
		rig_rx(&r, worker0, 1, pk, 30);
		n2 += 30;
		rig_take(&r, 2, NULL, 0);
	}
	/* Each worker counted its own copies for g. */
	assert_int_equal(r.w[0]->stats.coll[0].packets, n1);
	assert_int_equal(r.w[1]->stats.coll[0].packets, n2);
	s = rig_snapshot(&r, &json, &text);
	check_published(&r, s, json, text);
	assert_int_equal(JP("sg", mirrored), n1 + n2);
	assert_int_equal(JP("g", packets), n1 + n2);
	/* gre: 14 + 20 + 4 + key 4 + seq 4 outside each frame */
	assert_int_equal(JP("g", bytes), len1 + len2 + (n1 + n2) * 46);
	assert_int_equal(JP("g", next_seq), n1 + n2);
	assert_int_equal(JP("e", packets), n1);
	/* erspan2 over IPv6: 14 + 40 + 8 + 8 */
	assert_int_equal(JP("e", bytes), len1 + n1 * 70);
	assert_int_equal(JP("e", next_seq), n1);
	assert_int_equal(JP("v", packets), n2);
	assert_int_equal(JP("v", bytes), len2 + n2 * 50);
	/* no sequence number for vxlan: no next_seq at all */
	assert_non_null(strstr(json, "\"v\": { \"packets\": 90, "
				     "\"bytes\": "));
	assert_null(strstr(strstr(json, "\"v\": {"), "next_seq"));
	assert_non_null(strstr(text, "  Collector g (gre -> 198.18.1.3): "
				     "TX-packets: 150  TX-bytes: "));
	assert_non_null(strstr(text, "  Next-seq: 150\n"));
	assert_non_null(strstr(text, "  Collector e (erspan2 -> fd00:1::3): "
				     "TX-packets: 60  TX-bytes: "));
	free(json);
	free(text);
	free(s);
	rig_down(&r);
}

/* ---- Collector counters across live reloads -------------------------- */

/*
 * The real reload path (ctl_reload_run: the file read again, slots
 * planned, the ruleset published, rte_rcu_qsbr_synchronize, retired slots
 * zeroed) with both workers in dp_worker_main on their own threads, under
 * traffic all along.  A: x (gre, key 1, seq) mirrors span1, y (erspan2)
 * span2.  B: y removed, x mirrors both ports.  C: v (gre, key 2, seq) is
 * new and takes y's slot; its session mirrors TCP from span2, and span2
 * carries only UDP until the test sends LIVE_TCP TCP frames.  A watcher
 * thread reads the workers' counters all along: x's (per worker) and its
 * sequence number never go down, and y's slot reads 0 in every worker
 * (and its sequence number 0) from the end of B's ctl_reload_run until
 * the TCP frames go out.  The copies that leave carry x's sequence numbers
 * once each, below next_seq, across both reloads, and v's from 0.
 */

#define LIVE_LEN      100	  /* bytes of every original */
#define LIVE_SEQ_BITS (1u << 21) /* sequence numbers recorded per key */
#define LIVE_FEED_MAX (1u << 20) /* originals per port at most */
#define LIVE_TCP      300	  /* TCP frames for v */
#define LIVE_STEP     500	  /* copies for x between two steps */
#define LIVE_SAMPLES  200	  /* watcher readings per checked phase */

enum live_phase {
	LIVE_A = 0,	/* y has the slot */
	LIVE_B,		/* y removed: its slot reads 0 */
	LIVE_C,		/* v has it, nothing matched yet: 0 too */
	LIVE_V,		/* v's copies */
	LIVE_PHASES,
};

struct live {
	struct rig r;
	struct ctl_workers ws;
	struct ctl_reload rl;
	pthread_t worker[RIG_WORKERS], traffic, watcher;
	volatile int stop_feed, stop_traffic, stop_watch;
	volatile int phase;
	volatile unsigned int tcp_todo; /* TCP frames still to send on span2 */
	unsigned int xslot, yslot;	/* x's slot, y's (then v's) */
	/* Traffic thread: the copies that left port out. */
	uint64_t seen[3], seen_bytes[3], dup[3], beyond[3], other;
	uint64_t *bits[3]; /* 0: key 1 (x), 1: key 2 (v), 2: erspan2 (y) */
	/* Watcher. */
	uint64_t samples[LIVE_PHASES];
	uint64_t x_down, slot_dirty;
	uint64_t dirty_val;
};

/* The file ctl_reload_run reads; removed at exit if a failed assertion
 * left it. */
static char live_path[64];

static void
live_unlink(void)
{
	if (live_path[0] != '\0')
		unlink(live_path);
	live_path[0] = '\0';
}

static uint64_t
ld(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static void *
live_worker(void *arg)
{
	dp_worker_main(arg);
	return NULL;
}

/* Mark sequence number SEQ of copy kind K. */
static void
live_mark(struct live *l, unsigned int k, uint32_t seq, uint32_t len)
{
	uint64_t *b = l->bits[k];

	l->seen[k]++;
	l->seen_bytes[k] += len;
	if (seq >= LIVE_SEQ_BITS) {
		l->beyond[k]++;
		return;
	}
	if ((b[seq / 64] >> (seq % 64)) & 1)
		l->dup[k]++;
	b[seq / 64] |= 1ull << (seq % 64);
}

/* Read what port out sent: eth, IPv4 (20 bytes), GRE. */
static void
live_drain(struct live *l)
{
	struct rte_mbuf *m[64];
	unsigned int n, i;

	while ((n = rte_ring_dequeue_burst(l->r.txr[2], (void **)m, 64,
					   NULL)) > 0) {
		l->r.left[2] += n;
		for (i = 0; i < n; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(m[i], uint8_t *);
			uint16_t flags, proto;
			uint32_t key;

			if (m[i]->data_len < 46 || p[12] != 0x08 ||
			    p[13] != 0x00 || p[23] != 47) {
				l->other++;
				rte_pktmbuf_free(m[i]);
				continue;
			}
			flags = (uint16_t)(p[34] << 8 | p[35]);
			proto = (uint16_t)(p[36] << 8 | p[37]);
			key = (uint32_t)p[38] << 24 | (uint32_t)p[39] << 16 |
			      (uint32_t)p[40] << 8 | p[41];
			if (proto == 0x6558 && flags == 0x3000 &&
			    (key == 1 || key == 2))
				live_mark(l, key - 1,
					  (uint32_t)p[42] << 24 |
						  (uint32_t)p[43] << 16 |
						  (uint32_t)p[44] << 8 | p[45],
					  m[i]->pkt_len);
			else if (proto == 0x88be && flags == 0x1000)
				live_mark(l, 2, key, m[i]->pkt_len);
			else
				l->other++;
			rte_pktmbuf_free(m[i]);
		}
	}
}

/* Feed span1 and span2 with UDP (and span2 with the TCP frames asked
 * for) until stop_feed; drain port out until stop_traffic. */
static void *
live_traffic(void *arg)
{
	struct live *l = arg;
	struct rte_mbuf *m[32];
	unsigned int p, i, n, k;

	while (!l->stop_traffic) {
		for (p = 0; p < 2 && !l->stop_feed; p++) {
			/* Read once: the test sets it only while it is 0. */
			unsigned int todo = p == 1 ? l->tcp_todo : 0;

			if (l->r.sent[p] >= LIVE_FEED_MAX)
				continue;
			for (n = 0; n < 32; n++) {
				bool tcp = todo > n;

				m[n] = frame4_from(l->r.pkt_pool,
						   tcp ? 6 : 17,
						   (uint16_t)(1024 + n),
						   LIVE_LEN);
				if (m[n] == NULL)
					break;
			}
			k = rte_ring_enqueue_burst(l->r.rxr[p], (void **)m, n,
						   NULL);
			for (i = k; i < n; i++)
				rte_pktmbuf_free(m[i]);
			if (todo != 0)
				l->tcp_todo = todo - (todo < k ? todo : k);
			l->r.sent[p] += k;
		}
		live_drain(l);
		sched_yield();
	}
	live_drain(l);
	return NULL;
}

/* Read the workers' counters of x's and y's slots over and over. */
static void *
live_watch(void *arg)
{
	struct live *l = arg;
	uint64_t last[RIG_WORKERS][2], last_seq = 0;
	unsigned int i;

	memset(last, 0, sizeof(last));
	while (!l->stop_watch) {
		int ph = __atomic_load_n(&l->phase, __ATOMIC_ACQUIRE);
		uint64_t dirty = 0, seq;

		for (i = 0; i < RIG_WORKERS; i++) {
			const struct dp_collector_counters *c =
				l->r.w[i]->stats.coll;
			uint64_t pk = ld(&c[l->xslot].packets);
			uint64_t by = ld(&c[l->xslot].bytes);

			if (pk < last[i][0] || by < last[i][1])
				l->x_down++;
			last[i][0] = pk;
			last[i][1] = by;
			dirty |= ld(&c[l->yslot].packets) |
				 ld(&c[l->yslot].bytes);
		}
		seq = __atomic_load_n(&l->r.sh.seq[l->xslot].next,
				      __ATOMIC_RELAXED);
		if (seq < last_seq)
			l->x_down++;
		last_seq = seq;
		dirty |= __atomic_load_n(&l->r.sh.seq[l->yslot].next,
					 __ATOMIC_RELAXED);
		/* Only a reading wholly within one phase counts. */
		if (__atomic_load_n(&l->phase, __ATOMIC_ACQUIRE) != ph)
			continue;
		l->samples[ph]++;
		if ((ph == LIVE_B || ph == LIVE_C) && dirty != 0) {
			l->slot_dirty++;
			l->dirty_val = dirty;
		}
		sched_yield();
	}
	return NULL;
}

static uint64_t
live_coll(struct live *l, unsigned int slot, bool bytes)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < RIG_WORKERS; i++)
		n += ld(bytes ? &l->r.w[i]->stats.coll[slot].bytes
			      : &l->r.w[i]->stats.coll[slot].packets);
	return n;
}

static uint64_t
live_sess(struct live *l, unsigned int slot, int drop)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < RIG_WORKERS; i++) {
		const struct dp_session_counters *c =
			&l->r.w[i]->stats.sess[slot];

		n += ld(drop < 0 ? &c->mirrored : &c->dropped[drop]);
	}
	return n;
}

static uint32_t
live_seq(struct live *l, unsigned int slot)
{
	return __atomic_load_n(&l->r.sh.seq[slot].next, __ATOMIC_RELAXED);
}

/* Slot of the collector (COLL) or session NAME in the configuration in
 * force. */
static unsigned int
live_slot(struct live *l, bool coll, const char *name)
{
	const struct cfg *c = l->rl.cfg;
	unsigned int i;

	if (coll) {
		for (i = 0; i < c->n_collectors; i++)
			if (strcmp(c->collectors[i].name, name) == 0)
				return (unsigned int)l->rl.cslot[i];
	} else {
		for (i = 0; i < c->n_sessions; i++)
			if (strcmp(c->sessions[i].name, name) == 0)
				return (unsigned int)l->rl.slot[i];
	}
	fail_msg("no %s %s in force", coll ? "collector" : "session", name);
	return 0;
}

static void
live_write(const char *text)
{
	FILE *f = fopen(live_path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Wait (5 s at most) until x has counted LIVE_STEP more copies and the
 * watcher has read PHASE LIVE_SAMPLES times. */
static void
live_wait(struct live *l, int phase)
{
	uint64_t from = live_coll(l, l->xslot, false);
	unsigned int i;

	for (i = 0; i < 5000; i++) {
		if (live_coll(l, l->xslot, false) >= from + LIVE_STEP &&
		    l->samples[phase] >= LIVE_SAMPLES)
			return;
		usleep(1000);
	}
	fail_msg("phase %d: x %" PRIu64 " -> %" PRIu64 " copies, %" PRIu64
		 " watcher readings", phase, from,
		 live_coll(l, l->xslot, false), l->samples[phase]);
}

/* The published snapshot of the configuration in force, as JSON. */
static char *
live_json(struct live *l)
{
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	char *json = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(s);
	ctl_reload_snapshot(&l->rl, s);
	f = open_memstream(&json, &len);
	assert_non_null(f);
	ctl_stats_json(f, s);
	fclose(f);
	free(s);
	return json;
}

#define LIVE_PORTS                                                             \
	"[dpmirror]\nmode = tap\n"                                             \
	"[port span1]\ndevice = net_ring_a\n"                                  \
	"[port span2]\ndevice = net_ring_b\n"                                  \
	"[port out]\ndevice = net_ring_c\n"
#define LIVE_X(ttl)                                                            \
	"[collector x]\nport = out\nencap = gre\nkey = 1\nseq = yes\n"         \
	"ttl = " ttl "\nremote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"      \
	"remote_mac = 02:00:00:00:01:03\n"

static void
test_collectors_live_reload(void **state)
{
	static const char ini_a[] =
		LIVE_PORTS LIVE_X("64")
		"[collector y]\nport = out\nencap = erspan2\nsession_id = 5\n"
		"remote_ip = 198.18.1.4\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:04\n"
		"[session sx]\nsources = span1:rx\ncollector = x\n"
		"[session sy]\nsources = span2:rx\ncollector = y\n";
	static const char ini_b[] =
		LIVE_PORTS LIVE_X("32")
		"[session sx]\nsources = span1:rx span2:rx\ncollector = x\n";
	static const char ini_c[] =
		LIVE_PORTS LIVE_X("16")
		"[collector v]\nport = out\nencap = gre\nkey = 2\nseq = yes\n"
		"remote_ip = 198.18.1.5\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:05\n"
		"[filter tcp]\nrule 10 = accept proto tcp\n"
		"[session sx]\nsources = span1:rx span2:rx\ncollector = x\n"
		"[session sv]\nsources = span2:rx\nfilter = tcp\n"
		"collector = v\n";
	static const unsigned int ring[RIG_PORTS] = { 64, 64, 4096, 64 };
	static const uint16_t mtu[RIG_PORTS] = { 1500, 1500, 1500, 1500 };
	const uint64_t worker0 = 1u << 0; /* span1; worker 1 span2 */
	uint64_t x_pk[4], x_seq[4], y_pk, y_seq, xp, xn, vp, vn, full;
	unsigned int i, k, sx, sv;
	/* struct dp_shared (in the rig) is cache-line aligned. */
	struct live *l = aligned_alloc(RTE_CACHE_LINE_SIZE,
				       RTE_ALIGN_CEIL(sizeof(*l),
						      RTE_CACHE_LINE_SIZE));
	size_t qsz;
	char *json;
	int fd;

	(void)state;
	assert_non_null(l);
	memset(l, 0, sizeof(*l));
	for (k = 0; k < 3; k++) {
		l->bits[k] = calloc(LIVE_SEQ_BITS / 64, sizeof(uint64_t));
		assert_non_null(l->bits[k]);
	}
	rig_up(&l->r, ini_a, ring, mtu, 2048, worker0);
	snprintf(live_path, sizeof(live_path), "/tmp/dpm-unit-reload-XXXXXX");
	fd = mkstemp(live_path);
	assert_true(fd >= 0);
	close(fd);
	atexit(live_unlink);
	live_write(ini_a);

	qsz = rte_rcu_qsbr_get_memsize(RIG_WORKERS);
	l->r.sh.qsbr = rte_zmalloc("qsbr", qsz, RTE_CACHE_LINE_SIZE);
	assert_non_null(l->r.sh.qsbr);
	assert_int_equal(rte_rcu_qsbr_init(l->r.sh.qsbr, RIG_WORKERS), 0);
	l->ws.n = RIG_WORKERS;
	for (i = 0; i < RIG_WORKERS; i++) {
		struct dp_worker *w = l->r.w[i];

		l->ws.lcore[i] = w->lcore;
		l->ws.w[i] = w;
		w->n_rxq = 1;
		w->rxq[0].port = (uint16_t)i; /* span1, span2 */
		w->rxq[0].queue = 0;
	}
	for (i = 0; i < l->r.cfg->n_ports; i++)
		l->ws.port_workers[i] = (worker0 >> i) & 1 ? 1 : 2;
	ctl_reload_init(&l->rl, live_path, l->r.cfg, &l->r.sh, &l->r.rs,
			&l->r.ports, &l->ws);
	l->xslot = live_slot(l, true, "x");
	l->yslot = live_slot(l, true, "y");

	for (i = 0; i < RIG_WORKERS; i++)
		assert_int_equal(pthread_create(&l->worker[i], NULL,
						live_worker, l->r.w[i]),
				 0);
	assert_int_equal(pthread_create(&l->traffic, NULL, live_traffic, l),
			 0);
	assert_int_equal(pthread_create(&l->watcher, NULL, live_watch, l), 0);

	/* A: both counting. */
	live_wait(l, LIVE_A);
	for (i = 0; i < 5000 && (live_coll(l, l->yslot, false) < LIVE_STEP ||
				 live_seq(l, l->yslot) == 0);
	     i++)
		usleep(1000);
	x_pk[0] = live_coll(l, l->xslot, false);
	x_seq[0] = live_seq(l, l->xslot);
	y_pk = live_coll(l, l->yslot, false);
	y_seq = live_seq(l, l->yslot);
	assert_true(y_pk >= LIVE_STEP);
	assert_true(y_seq >= y_pk);

	/* B: y removed under traffic; from the return on, its slot is 0. */
	live_write(ini_b);
	assert_int_equal(ctl_reload_run(&l->rl, 0), 0);
	__atomic_store_n(&l->phase, LIVE_B, __ATOMIC_RELEASE);
	assert_int_equal(live_slot(l, true, "x"), l->xslot);
	assert_int_equal(live_coll(l, l->yslot, false), 0);
	assert_int_equal(live_coll(l, l->yslot, true), 0);
	assert_int_equal(live_seq(l, l->yslot), 0);
	x_pk[1] = live_coll(l, l->xslot, false);
	x_seq[1] = live_seq(l, l->xslot);
	live_wait(l, LIVE_B);

	/* C: v takes the slot y left, and starts at 0 there. */
	live_write(ini_c);
	assert_int_equal(ctl_reload_run(&l->rl, 0), 0);
	__atomic_store_n(&l->phase, LIVE_C, __ATOMIC_RELEASE);
	assert_int_equal(live_slot(l, true, "x"), l->xslot);
	assert_int_equal(live_slot(l, true, "v"), l->yslot);
	x_pk[2] = live_coll(l, l->xslot, false);
	x_seq[2] = live_seq(l, l->xslot);
	json = live_json(l);
	assert_int_equal(JP("v", packets), 0);
	assert_int_equal(JP("v", bytes), 0);
	assert_int_equal(JP("v", next_seq), 0);
	assert_true(JP("x", packets) >= x_pk[2]);
	assert_true(JP("x", next_seq) >= JP("x", packets));
	assert_null(strstr(json, "\"y\": {"));
	free(json);
	live_wait(l, LIVE_C);

	/* v's copies. */
	__atomic_store_n(&l->phase, LIVE_V, __ATOMIC_RELEASE);
	l->tcp_todo = LIVE_TCP;
	for (i = 0; i < 5000 && l->tcp_todo != 0; i++)
		usleep(1000);
	assert_int_equal(l->tcp_todo, 0);
	x_pk[3] = live_coll(l, l->xslot, false);
	x_seq[3] = live_seq(l, l->xslot);

	/* Everything received is processed, every copy drained. */
	l->stop_feed = 1;
	for (i = 0; i < 5000; i++) {
		uint64_t got = 0, sent = 0;
		unsigned int p, w;

		for (p = 0; p < 2; p++) {
			sent += __atomic_load_n(&l->r.sent[p],
						__ATOMIC_ACQUIRE);
			for (w = 0; w < RIG_WORKERS; w++)
				got += ld(&l->r.w[w]->stats.port[p].rx_packets);
		}
		if (got == sent)
			break;
		usleep(1000);
	}
	l->r.sh.quit = 1;
	for (i = 0; i < RIG_WORKERS; i++)
		pthread_join(l->worker[i], NULL);
	l->stop_traffic = 1;
	pthread_join(l->traffic, NULL);
	l->stop_watch = 1;
	pthread_join(l->watcher, NULL);

	/* x kept counting through both reloads. */
	for (k = 1; k < 4; k++) {
		assert_true(x_pk[k] >= x_pk[k - 1]);
		assert_true(x_seq[k] >= x_seq[k - 1]);
	}
	assert_int_equal(l->x_down, 0);
	/* y's slot read 0 from B's return until v's copies. */
	if (l->slot_dirty != 0)
		fail_msg("y's slot read %" PRIu64 " times non-zero (0x%" PRIx64
			 ") after B retired it",
			 l->slot_dirty, l->dirty_val);
	assert_true(l->samples[LIVE_B] >= LIVE_SAMPLES);
	assert_true(l->samples[LIVE_C] >= LIVE_SAMPLES);

	/* x's copies carry each number once, below next_seq; the numbers
	 * not seen are those of copies the queue refused. */
	sx = live_slot(l, false, "sx");
	xp = live_coll(l, l->xslot, false);
	xn = live_seq(l, l->xslot);
	full = live_sess(l, sx, DP_DROP_TX_FULL);
	assert_true(xp >= x_pk[3]);
	assert_int_equal(xp, live_sess(l, sx, -1));
	assert_int_equal(xn, xp + full);
	assert_int_equal(l->seen[0], xp);
	assert_int_equal(l->seen_bytes[0], live_coll(l, l->xslot, true));
	assert_int_equal(l->seen_bytes[0], xp * (LIVE_LEN + 46));
	assert_int_equal(l->dup[0], 0);
	assert_int_equal(l->beyond[0], 0);
	assert_true(xn < LIVE_SEQ_BITS);
	for (k = (unsigned int)xn; k < LIVE_SEQ_BITS; k++)
		assert_false((l->bits[0][k / 64] >> (k % 64)) & 1);

	/* v: its copies from 0 on, all of the TCP frames. */
	sv = live_slot(l, false, "sv");
	vp = live_coll(l, l->yslot, false);
	vn = live_seq(l, l->yslot);
	full = live_sess(l, sv, DP_DROP_TX_FULL);
	assert_int_equal(vp, live_sess(l, sv, -1));
	for (i = 0, k = 0; i < RIG_WORKERS; i++)
		k += (unsigned int)ld(&l->r.w[i]->stats.sess[sv].matched);
	assert_int_equal(k, LIVE_TCP);
	assert_true(vp > 0);
	assert_int_equal(vn, vp + full);
	assert_int_equal(l->seen[1], vp);
	assert_int_equal(l->seen_bytes[1], live_coll(l, l->yslot, true));
	assert_int_equal(l->dup[1], 0);
	assert_int_equal(l->beyond[1], 0);
	for (k = 0; k < (unsigned int)vn; k++)
		if (!((l->bits[1][k / 64] >> (k % 64)) & 1))
			assert_true(full > 0);
	for (k = (unsigned int)vn; k < 64 * 64; k++)
		assert_false((l->bits[1][k / 64] >> (k % 64)) & 1);
	/* y's copies: each number once. */
	assert_true(l->seen[2] >= y_pk);
	assert_int_equal(l->dup[2], 0);
	assert_int_equal(l->other, 0);
	print_message("live reloads: x %" PRIu64 " copies (next_seq %" PRIu64
		      "), y %" PRIu64 " before B, v %" PRIu64
		      "; watcher readings A %" PRIu64 " B %" PRIu64
		      " C %" PRIu64 " V %" PRIu64 "\n",
		      xp, xn, l->seen[2], vp, l->samples[LIVE_A],
		      l->samples[LIVE_B], l->samples[LIVE_C],
		      l->samples[LIVE_V]);

	ctl_reload_fini(&l->rl);
	pthread_mutex_destroy(&l->rl.lock);
	live_unlink();
	rte_free(l->r.sh.qsbr);
	rig_down(&l->r);
	for (k = 0; k < 3; k++)
		free(l->bits[k]);
	free(l);
}

/* ---- Layout of the outputs ------------------------------------------- */

static struct cfg *
two_port_cfg(void)
{
	struct cfg *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->n_ports = 2;
	strcpy(c->ports[0].name, "p0");
	strcpy(c->ports[1].name, "p1");
	c->n_sessions = 2;
	strcpy(c->sessions[0].name, "s1");
	strcpy(c->sessions[1].name, "web");
	return c;
}

static void
fill(struct dp_stats *st, uint64_t k)
{
	memset(st, 0, sizeof(*st));
	st->w.packets = 100 * k;
	st->w.busy_cycles = 1000 * k;
	st->port[0].rx_packets = 100 * k;
	st->port[0].rx_bytes = 6400 * k;
	st->port[1].fwd_packets = 90 * k;
	st->port[1].fwd_bytes = 5760 * k;
	st->port[1].fwd_dropped = 10 * k;
	st->port[1].mirror_packets = 5 * k;
	st->port[1].mirror_bytes = 570 * k;
	st->sess[0].matched = 20 * k;
	st->sess[0].mirrored = 5 * k;
	st->sess[0].mirrored_bytes = 570 * k;
	st->sess[0].dropped[DP_DROP_SAMPLED_OUT] = 10 * k;
	st->sess[0].dropped[DP_DROP_TX_FULL] = 3 * k;
	st->sess[0].dropped[DP_DROP_TOO_BIG] = 2 * k;
}

static char *
render(void (*fn)(FILE *, const struct ctl_snapshot *),
       const struct ctl_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, s);
	fclose(f);
	return buf;
}

/* ctl_stats_print of S with no previous snapshot. */
static char *
render_print(const struct ctl_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	ctl_stats_print(f, s, NULL);
	fclose(f);
	return buf;
}

static void
test_json_keys_and_values(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	struct dp_stats a;
	char *j;
	int depth = 0;
	const char *p;

	(void)state;
	fill(&a, 1);
	ctl_snapshot_begin(s, c, 12.5);
	ctl_snapshot_add(s, &a, 1);
	j = render(ctl_stats_json, s);
	/* Every contract key of DESIGN section 5 is there. */
	assert_non_null(strstr(j, "\"duration_s\": 12.500"));
	assert_non_null(strstr(j, "\"p0\": { \"rx_packets\": 100, \"rx_bytes\": 6400"));
	assert_non_null(strstr(j, "\"tx_packets\": 95, \"tx_bytes\": 6330"));
	assert_non_null(strstr(j, "\"rx_missed\": 0"));
	assert_non_null(strstr(j, "\"rx_errors\": 0"));
	assert_non_null(strstr(j, "\"tx_dropped\": 10"));
	assert_non_null(strstr(j, "\"s1\": { \"matched\": 20, \"mirrored\": 5, "
				  "\"mirrored_bytes\": 570"));
	assert_non_null(strstr(j, "\"sampled_out\": 10, \"rate_limited\": 0, "
				  "\"no_mbuf\": 0, \"tx_full\": 3, "
				  "\"too_big\": 2"));
	assert_non_null(strstr(j, "\"web\": { \"matched\": 0"));
	assert_non_null(strstr(j, "\"workers\": [ { \"lcore\": 1, "
				  "\"packets\": 100, \"busy_cycles\": 1000 } ]"));
	for (p = j; *p; p++) {
		if (*p == '{' || *p == '[')
			depth++;
		if (*p == '}' || *p == ']')
			depth--;
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
	free(j);
	free(s);
	free(c);
}

static void
test_text_rates_since_last(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s0 = calloc(1, sizeof(*s0));
	struct ctl_snapshot *s1 = calloc(1, sizeof(*s1));
	struct dp_stats a;
	char *t = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	fill(&a, 1);
	ctl_snapshot_begin(s0, c, 1.0);
	ctl_snapshot_add(s0, &a, 1);
	fill(&a, 3);
	ctl_snapshot_begin(s1, c, 3.0);
	ctl_snapshot_add(s1, &a, 1);
	f = open_memstream(&t, &len);
	ctl_stats_print(f, s1, s0);
	fclose(f);
	/* p0 received 200 more packets of 64 B in 2 s: 100 pps, 51200 bps */
	assert_non_null(strstr(t, "NIC statistics for port p0"));
	assert_non_null(strstr(t, "RX-packets: 300"));
	assert_non_null(strstr(t, "Rx-pps:          100          Rx-bps:        51200"));
	assert_non_null(strstr(t, "Mirror session s1"));
	assert_non_null(strstr(t, "Matched: 60"));
	assert_non_null(strstr(t, "tx_full=9"));
	free(t);
	free(s0);
	free(s1);
	free(c);
}

/*
 * The collectors' object and lines from a snapshot: counters from each
 * collector's slot summed over two workers, next_seq only for gre with
 * seq = yes, erspan2 and erspan3 (from dp_shared.seq[slot]), the MAC and
 * neighbour state as the file gives them until told otherwise, none for
 * encap = none.
 */
static void
test_collectors_layout(void **state)
{
	static const char ini[] =
		"[dpmirror]\nmode = tap\n"
		"[port a]\ndevice = net_null0\n"
		"[port out]\ndevice = net_null1\n"
		"[collector cv]\nport = out\nremote_ip = 198.18.1.3\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
		"vni = 100\n"
		"[collector cg]\nport = out\nencap = gre\nkey = 7\nseq = yes\n"
		"remote_ip = 198.18.1.4\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:04\n"
		"[collector cgn]\nport = out\nencap = gre\n"
		"remote_ip = 198.18.1.5\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:05\n"
		"[collector e2]\nport = out\nencap = erspan2\n"
		"remote_ip = fd00:1::3\nlocal_ip = fd00:1::10\n"
		"remote_mac = auto\nsession_id = 5\n"
		"[collector e3]\nport = out\nencap = erspan3\n"
		"remote_ip = 198.18.1.6\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:06\n"
		"[collector span]\nport = out\nencap = none\nvlan = 42\n"
		"[session s1]\nsources = a:rx\n"
		"collector = cv cg cgn e2 e3 span\n";
	/* Collector i in slot cslot[i]. */
	static const int cslot[6] = { 3, 70, 5, 9, 127, 1 };
	static const bool has_seq[6] = { false, true, false, true, true, false };
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0x0e, 0x02 };
	struct dp_stats *st[2];
	struct dp_seq *seq;
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	struct cfg_errors errs;
	struct cfg *c;
	unsigned int i, w;
	char *j, *t;
	const char *p;
	int depth = 0;

	(void)state;
	assert_non_null(s);
	memset(&errs, 0, sizeof(errs));
	c = cfg_load_buffer("layout.ini", ini, strlen(ini), &errs);
	if (c == NULL)
		fail_msg("config rejected: %s", errs.msg[0]);
	for (i = 0; i < 6; i++)
		assert_int_equal(ctl_stats_coll_has_seq(&c->collectors[i]),
				 has_seq[i]);
	seq = aligned_alloc(64, DP_MAX_COLL_SLOTS * sizeof(*seq));
	assert_non_null(seq);
	memset(seq, 0, DP_MAX_COLL_SLOTS * sizeof(*seq));
	for (w = 0; w < 2; w++) {
		st[w] = aligned_alloc(64, sizeof(*st[w]));
		assert_non_null(st[w]);
		memset(st[w], 0, sizeof(*st[w]));
		for (i = 0; i < 6; i++) {
			st[w]->coll[cslot[i]].packets = (w + 1) * (i + 1);
			st[w]->coll[cslot[i]].bytes = (w + 1) * 1000 * (i + 1);
		}
		/* slots no collector holds: not counted */
		st[w]->coll[0].packets = 999;
		st[w]->coll[2].packets = 999;
	}
	for (i = 0; i < 6; i++)
		seq[cslot[i]].next = 100 + (uint32_t)i;
	seq[2].next = 555;

	ctl_snapshot_begin(s, c, 2.0);
	assert_int_equal(s->n_collectors, 6);
	assert_string_equal(s->coll_info[3].neighbor, "pending");
	assert_string_equal(s->coll_info[3].mac, "00:00:00:00:00:00");
	ctl_snapshot_coll_slots(s, cslot);
	ctl_snapshot_add(s, st[0], 1);
	ctl_snapshot_add(s, st[1], 2);
	ctl_snapshot_seq(s, seq);
	ctl_snapshot_neigh(s, 3, mac, "resolved");
	ctl_snapshot_neigh(s, 5, mac, "resolved"); /* none: no next hop */
	for (i = 0; i < 6; i++) {
		assert_int_equal(s->coll[i].packets, 3 * (i + 1));
		assert_int_equal(s->coll[i].bytes, 3000 * (i + 1));
		assert_int_equal(s->coll[i].next_seq,
				 has_seq[i] ? 100 + i : 0);
	}

	j = render(ctl_stats_json, s);
	assert_non_null(strstr(j, "\"collectors\": {\n"
				  "    \"cv\": { \"packets\": 3, \"bytes\": 3000, "
				  "\"mac\": \"02:00:00:00:01:03\", "
				  "\"neighbor\": \"static\" },\n"
				  "    \"cg\": { \"packets\": 6, \"bytes\": 6000, "
				  "\"next_seq\": 101, "
				  "\"mac\": \"02:00:00:00:01:04\", "
				  "\"neighbor\": \"static\" },\n"
				  "    \"cgn\": { \"packets\": 9, \"bytes\": 9000, "
				  "\"mac\": \"02:00:00:00:01:05\", "
				  "\"neighbor\": \"static\" },\n"
				  "    \"e2\": { \"packets\": 12, \"bytes\": 12000, "
				  "\"next_seq\": 103, "
				  "\"mac\": \"02:00:00:00:0E:02\", "
				  "\"neighbor\": \"resolved\" },\n"
				  "    \"e3\": { \"packets\": 15, \"bytes\": 15000, "
				  "\"next_seq\": 104, "
				  "\"mac\": \"02:00:00:00:01:06\", "
				  "\"neighbor\": \"static\" },\n"
				  "    \"span\": { \"packets\": 18, \"bytes\": 18000, "
				  "\"mac\": \"\", \"neighbor\": \"static\" } },\n"
				  "  \"workers\": ["));
	/* After the sessions, before the workers. */
	assert_true(strstr(j, "\"sessions\": {") < strstr(j, "\"collectors\""));
	for (p = j; *p; p++) {
		if (*p == '{' || *p == '[')
			depth++;
		if (*p == '}' || *p == ']')
			depth--;
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);

	t = render_print(s);
	assert_non_null(strstr(t, "\n\n  Collector cv (vxlan -> 198.18.1.3): "
				  "TX-packets: 3  TX-bytes: 3000\n"
				  "  Collector cg (gre -> 198.18.1.4): "
				  "TX-packets: 6  TX-bytes: 6000  Next-seq: 101\n"
				  "  Collector cgn (gre -> 198.18.1.5): "
				  "TX-packets: 9  TX-bytes: 9000\n"
				  "  Collector e2 (erspan2 -> fd00:1::3): "
				  "TX-packets: 12  TX-bytes: 12000  Next-seq: 103"
				  "  Next-hop: 02:00:00:00:0E:02 resolved\n"
				  "  Collector e3 (erspan3 -> 198.18.1.6): "
				  "TX-packets: 15  TX-bytes: 15000  Next-seq: 104\n"
				  "  Collector span (none vlan 42 -> port out): "
				  "TX-packets: 18  TX-bytes: 18000\n"));
	free(t);
	free(j);
	for (w = 0; w < 2; w++)
		free(st[w]);
	free(seq);
	free(s);
	cfg_free(c);
}

static void
test_json_file_atomic(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	char dir[] = "/tmp/dpm-stats-XXXXXX", path[128], buf[64];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.json", dir);
	ctl_snapshot_begin(s, c, 1);
	assert_int_equal(ctl_stats_json_file(path, s), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_int_equal(strncmp(buf, "{ \"duration_s\"", 14), 0);
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* no temp file left behind */
	snprintf(path, sizeof(path), "%s/missing/s.json", dir);
	assert_true(ctl_stats_json_file(path, s) < 0);
	free(s);
	free(c);
}

/*
 * A JSON syntax check (RFC 8259's grammar): each function returns the end
 * of what it parsed, or NULL.
 */
static const char *json_value(const char *p, int depth);

static const char *
json_ws(const char *p)
{
	while (p != NULL && (*p == ' ' || *p == '\n' || *p == '\t' ||
			     *p == '\r'))
		p++;
	return p;
}

static const char *
json_string(const char *p)
{
	if (p == NULL || *p != '"')
		return NULL;
	for (p++; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL; /* the end, or a raw control byte */
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			if (!isxdigit((unsigned char)p[1]) ||
			    !isxdigit((unsigned char)p[2]) ||
			    !isxdigit((unsigned char)p[3]) ||
			    !isxdigit((unsigned char)p[4]))
				return NULL;
			p += 4;
		} else if (*p == '\0' || strchr("\"\\/bfnrt", *p) == NULL) {
			return NULL;
		}
	}
	return p + 1;
}

static const char *
json_digits(const char *p)
{
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	return p;
}

static const char *
json_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if ((p = json_digits(p)) == NULL)
		return NULL;
	if (*p == '.' && (p = json_digits(p + 1)) == NULL)
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = json_digits(p);
	}
	return p;
}

/* The members of an object ('}') or the elements of an array (']'). */
static const char *
json_list(const char *p, char end, int depth)
{
	p = json_ws(p + 1);
	if (*p == end)
		return p + 1;
	for (;;) {
		if (end == '}') {
			p = json_ws(json_string(json_ws(p)));
			if (p == NULL || *p != ':')
				return NULL;
			p++;
		}
		p = json_ws(json_value(p, depth + 1));
		if (p == NULL)
			return NULL;
		if (*p == end)
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
}

static const char *
json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (p == NULL || depth > 32)
		return NULL;
	switch (*p) {
	case '{':
		return json_list(p, '}', depth);
	case '[':
		return json_list(p, ']', depth);
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return json_number(p);
	}
}

static bool
json_valid(const char *s)
{
	const char *end = json_ws(json_value(s, 0));

	return end != NULL && *end == '\0';
}

static char *
slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *in = fopen(path, "r");
	FILE *out = open_memstream(&buf, &len);
	int ch;

	assert_non_null(in);
	assert_non_null(out);
	while ((ch = fgetc(in)) != EOF)
		fputc(ch, out);
	fclose(in);
	fclose(out);
	return buf;
}

/* The names in DIR, sorted, as "a b c". */
static void
dir_names(const char *dir, char *buf, size_t len)
{
	struct dirent **list;
	int i, n;

	n = scandir(dir, &list, NULL, alphasort);
	assert_true(n >= 0);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") != 0 &&
		    strcmp(list[i]->d_name, "..") != 0)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] != '\0' ? " " : "", list[i]->d_name);
		free(list[i]);
	}
	free(list);
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Remove PATH and, if it is a directory, what is in it; links not followed. */
static void
remove_tree(const char *path)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			char sub[512];

			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			remove_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* A fresh directory for a test in *state, removed afterwards, also when
 * the test fails. */
static int
tmpdir_setup(void **state)
{
	char *dir = strdup("/tmp/dpm-stats-XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int
tmpdir_teardown(void **state)
{
	remove_tree(*state);
	free(*state);
	return 0;
}

/* A snapshot with ports, sessions and a worker, as dpmirror writes it. */
static struct ctl_snapshot *
json_snapshot(struct cfg *c)
{
	struct ctl_snapshot *s = calloc(1, sizeof(*s));
	struct dp_stats a;

	assert_non_null(s);
	fill(&a, 7);
	ctl_snapshot_begin(s, c, 3.25);
	ctl_snapshot_add(s, &a, 1);
	ctl_snapshot_device(s, 1, 1, 2, 3);
	return s;
}

/* A normal write: valid JSON, mode 0644 whatever the umask, no temp left. */
static void
test_json_file_valid_0644(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = json_snapshot(c);
	const char *dir = *state;
	char path[128], names[256];
	struct stat st;
	mode_t old;
	char *text;
	int i;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	for (i = 0; i < 2; i++) { /* the second replaces the first */
		old = umask(077);
		assert_int_equal(ctl_stats_json_file(path, s), 0);
		umask(old);
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		if ((st.st_mode & 07777) != 0644)
			fail_msg("mode %04o, want 0644",
				 (unsigned int)(st.st_mode & 07777));
		text = slurp(path);
		if (!json_valid(text))
			fail_msg("not valid JSON: %s", text);
		assert_non_null(strstr(text, "\"sessions\": {"));
		free(text);
	}
	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, "s.json");
	free(s);
	free(c);
}

/*
 * A symbolic link planted at the temporary name the writer once used
 * (PATH.tmp.PID, predictable) is neither followed nor replaced: the file
 * it points to stays as it was.
 */
static void
test_json_file_planted_temp_symlink(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = json_snapshot(c);
	const char *dir = *state;
	char path[128], victim[128], planted[160], names[256];
	struct stat st;
	char *text;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(planted, sizeof(planted), "%s.tmp.%ld", path,
		 (long)getpid());
	write_text(victim, "precious\n");
	assert_int_equal(symlink(victim, planted), 0);

	assert_int_equal(ctl_stats_json_file(path, s), 0);
	text = slurp(victim);
	assert_string_equal(text, "precious\n");
	free(text);
	assert_int_equal(lstat(planted, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	text = slurp(path);
	assert_true(json_valid(text));
	free(text);
	dir_names(dir, names, sizeof(names));
	snprintf(victim, sizeof(victim), "s.json s.json.tmp.%ld victim",
		 (long)getpid());
	assert_string_equal(names, victim);
	free(s);
	free(c);
}

/*
 * PATH itself a symbolic link (to a file, or dangling), a directory or a
 * FIFO: refused, and left as it was.
 */
static void
test_json_file_refuses_links_and_specials(void **state)
{
	struct cfg *c = two_port_cfg();
	struct ctl_snapshot *s = json_snapshot(c);
	const char *dir = *state;
	char path[128], victim[128], missing[128], names[256];
	struct stat st;
	char *text;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	write_text(victim, "precious\n");

	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(ctl_stats_json_file(path, s), -ELOOP);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	text = slurp(victim);
	assert_string_equal(text, "precious\n");
	free(text);
	unlink(path);

	assert_int_equal(symlink(missing, path), 0);
	assert_int_equal(ctl_stats_json_file(path, s), -ELOOP);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(missing, &st), -1);
	unlink(path);

	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(ctl_stats_json_file(path, s), -EISDIR);
	assert_int_equal(rmdir(path), 0);

	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(ctl_stats_json_file(path, s), -EINVAL);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	unlink(path);

	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, "victim"); /* no temporary left behind */
	free(s);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conservation_inline),
		cmocka_unit_test(test_conservation_tap),
		cmocka_unit_test(test_collectors_two_workers),
		cmocka_unit_test(test_collectors_live_reload),
		cmocka_unit_test(test_collectors_layout),
		cmocka_unit_test(test_json_keys_and_values),
		cmocka_unit_test(test_text_rates_since_last),
		cmocka_unit_test(test_json_file_atomic),
		cmocka_unit_test_setup_teardown(test_json_file_valid_0644,
						tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(
			test_json_file_planted_temp_symlink, tmpdir_setup,
			tmpdir_teardown),
		cmocka_unit_test_setup_teardown(
			test_json_file_refuses_links_and_specials, tmpdir_setup,
			tmpdir_teardown),
	};

	int rc;

	if (eal_test_init() != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
