/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the whole burst path: frames and mbuf chains made
 * from the input go through dp_worker_burst() and dp_worker_flush() (parse,
 * classify, mirror, encap, tx) on net_ring ports, under one of a set of
 * valid rulesets built at start from generated configurations (sessions,
 * filters, snaplen, sample, rate caps, collectors of every encapsulation
 * (vxlan, geneve, gre with and without key and sequence numbers, erspan2,
 * erspan3 over both families; none with and without a VLAN tag), load
 * balancing, ports that carry copies and are mirrored too).  The input also
 * picks faults: a collector queue that is full, a mirror pool that is empty.
 *
 * After each input every transmitted mbuf is read back and checked:
 * - what was forwarded is exactly the consistent frames, in order, untouched;
 *   the inconsistent chains the harness made are counted as rx_invalid;
 * - every copy carries a valid outer header and, inside, the prefix of one
 *   of the frames (its session's snaplen), in receive order; the header is
 *   the one its collector's template writes for that frame (ERSPAN VLAN,
 *   CoS, T, D and index from the frame, its session and its port), GRE
 *   and ERSPAN sequence numbers grow per collector within what was
 *   reserved; a none copy is the frame, with its tag when it has one;
 * - per session matched = mirrored + dropped, the copies on the rings are
 *   the mirrored ones, and per port the counters add up;
 * - no mbuf leaks from any pool.
 * The data room of each original segment outside its data is poisoned for
 * ASan, so a read past a segment by the fast path is caught as it happens
 * (but for the headroom of an original that is not forwarded: it may
 * become its own copy, its outer header written there).
 *
 * The harness compiles the dataplane and the ruleset builder itself, so
 * they are instrumented; DPDK's libraries are linked as they are.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "cfg.h"
#include "ctl_port.h"
#include "ctl_ruleset.h"
#include "dp_parse.h"
#include "dp_worker.h"
#include "fuzz_check.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#endif
#endif
#ifndef POISON
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The control thread's log type, registered by main.c in dpmirror. */
int dpm_ctrl_logtype;


#define NPORTS	   4 /* a <-> b inline pair, c and d carry copies */
#define NVARIANTS  24
#define RING_SIZE  1024
#define SEG_ROOM   4096 /* data room of an original's segment */
#define MAX_FRAMES 128	/* per input */
#define MAX_SEGS   48
#define MAX_LEN	   72000
#define MAX_BURSTS 4

static const char *const port_names[NPORTS] = {"a", "b", "c", "d"};

static struct rte_mempool *pkt_pool, *mirror_pool, *clone_pool;
static struct rte_ring *txr[NPORTS];
static uint16_t port_ids[NPORTS];
static struct rte_mbuf dummy; /* fills a collector ring to stall it */

/* A ruleset and what the checks need to know of its configuration. */
struct variant {
	struct cfg *cfg;
	struct dp_ruleset *rs;
	int coll_session[64]; /* the session of each collector */
	/* The collector with encap = none, or -1: the only one sending out
	 * of port d, which no session mirrors. */
	int none_coll;
	bool own_port[NPORTS]; /* mirrored, or copies leave by it */
};
static struct variant variants[NVARIANTS];
static struct dp_shared shared;
static struct dp_worker *worker;

/* What the harness made for one frame. */
struct frame {
	struct rte_mbuf *m;
	uint8_t *ref; /* the bytes, len of them */
	uint32_t len;
	uint16_t port; /* received on */
	uint32_t first; /* bytes in the first segment */
	int valid;
	int own; /* one of the process's own copies, come back */
	int copies_seen;
};
static struct frame frames[MAX_FRAMES];
static uint8_t refbuf[MAX_FRAMES][MAX_LEN];
static uint8_t readbuf[MAX_LEN + 256];

/* ---- a small deterministic generator ---- */

static uint64_t rng_state;

static uint32_t
rng(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

static uint32_t
pick(uint32_t n)
{
	return n == 0 ? 0 : rng() % n;
}

/* ---- configurations ---- */

struct text {
	char buf[16384];
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	CHECK(n >= 0 && (size_t)n < sizeof(t->buf) - t->len);
	t->len += (size_t)n;
}

/* A prefix of FAMILY (4 or 6). */
static const char *
cidr(int family)
{
	static const char *const c4[] = {"198.18.0.0/24", "198.18.0.2/32",
					 "198.18.0.0/15", "198.18.1.0/25",
					 "0.0.0.0/0"};
	static const char *const c6[] = {"fd00::/64", "fd00::2/128",
					 "fd00::/8", "::/0"};

	return family == 4 ? c4[pick(RTE_DIM(c4))] : c6[pick(RTE_DIM(c6))];
}

static void
gen_filter(struct text *t, unsigned int f)
{
	static const char *const protos[] = {"tcp", "udp", "sctp", "icmp",
					     "icmpv6", "47"};
	unsigned int r, n = 1 + pick(6);

	add(t, "[filter f%u]\n", f);
	for (r = 0; r < n; r++) {
		int family = pick(3) == 0 ? 0 : pick(2) ? 4 : 6;
		int proto = pick(2) ? (int)pick(RTE_DIM(protos)) : -1;

		/* icmp is IPv4's, icmpv6 IPv6's */
		if ((proto == 3 && family == 6) || (proto == 4 && family == 4))
			proto = 0;
		add(t, "rule %u = %s", 10 * (r + 1),
		    pick(3) == 0 ? "reject" : "accept");
		if (proto >= 0)
			add(t, " proto %s", protos[proto]);
		if (family != 0 && pick(2))
			add(t, " src %s", cidr(family));
		if (family != 0 && pick(2))
			add(t, " dst %s", cidr(family));
		if (proto <= 2 && pick(3) == 0) {
			uint32_t lo = pick(3) ? 80 : pick(65536);
			uint32_t hi = lo + pick(1000);

			add(t, " dport %u-%u", lo, hi > 65535 ? 65535 : hi);
		}
		if (pick(5) == 0)
			add(t, " vlan %u", pick(2) ? 10 : pick(4096));
		add(t, "\n");
	}
	add(t, "default = %s\n", pick(2) ? "accept" : "reject");
}

/* A valid configuration for variant V.  Collector k has the remote
 * address 198.18.1.(100 + k) or fd00:1::(100 + k), a vni of 1000 + k where
 * it has one, and belongs to one session, recorded in VAR.  In one variant
 * of three collector 0 is a none collector, alone on port d. */
static void
gen_config(unsigned int v, struct text *t, struct variant *var)
{
	static const unsigned int snaps[] = {0, 0, 14, 60, 100, 1000, 3000};
	static const char *const rates[] = {"0", "0", "0", "1M", "100M"};
	static const unsigned int copy_max[] = {0, 128, 1518, 2048};
	static struct text filters;
	bool tap = v % 4 == 3;
	unsigned int n_sess = 1 + pick(5), s, coll = 0;
	bool with_none;

	memset(t, 0, sizeof(*t));
	memset(&filters, 0, sizeof(filters));
	rng_state = 0x9e3779b97f4a7c15ULL * (v + 1);
	with_none = pick(3) == 0;
	var->none_coll = with_none ? 0 : -1;
	add(t, "[dpmirror]\nmode = %s\ncopy_max = %u\nmirror_pool = 1024\n",
	    tap ? "tap" : "inline", copy_max[pick(RTE_DIM(copy_max))]);
	add(t, "[port a]\ndevice = net_ring_a\n%s", tap ? "" : "peer = b\n");
	add(t, "[port b]\ndevice = net_ring_b\n%s", tap ? "" : "peer = a\n");
	add(t, "[port c]\ndevice = net_ring_c\n[port d]\ndevice = net_ring_d\n");
	for (s = 0; s < n_sess; s++) {
		unsigned int n_coll = 1 + (pick(3) == 0), k, p;
		uint8_t egress = 0; /* ports this session's collectors use */
		const char *sep = "";

		add(t, "[session s%u]\ncollector =", s);
		for (k = 0; k < n_coll; k++) {
			add(t, " k%u", coll + k);
			egress |= (uint8_t)(1u << (2 + (coll + k) % 2));
		}
		/* with a none collector (on d), every other is on c, and no
		 * session mirrors d */
		if (with_none)
			egress |= 1u << 2 | 1u << 3;
		add(t, "\nsources = ");
		for (p = 0; p < NPORTS; p++) {
			static const char *const dirs[] = {"rx", "tx", "both"};
			unsigned int dir = tap || p >= 2 ? 0 : pick(3);

			/* Never a port of its own collectors; port a always,
			 * so no session is left without a source. */
			if ((egress >> p) & 1)
				continue;
			if (p > 0 && pick(2) == 0)
				continue;
			add(t, "%s%s:%s", sep, port_names[p], dirs[dir]);
			sep = " ";
		}
		add(t, "\nsnaplen = %u\nsample = %u\nrate = %s\n",
		    snaps[pick(RTE_DIM(snaps))], 1 + (pick(3) == 0) * pick(3),
		    rates[pick(RTE_DIM(rates))]);
		if (pick(2)) {
			add(t, "filter = f%u\n", s);
			gen_filter(&filters, s);
		}
		for (k = 0; k < n_coll; k++, coll++) {
			static const char *const encs[] = {
				"vxlan", "geneve", "gre", "erspan2", "erspan3"};
			bool six = pick(2);
			unsigned int e = pick(RTE_DIM(encs));

			var->coll_session[coll] = (int)s;
			if (with_none && coll == 0) {
				add(t, "[collector k0]\nport = d\n"
				       "encap = none\n");
				if (pick(2))
					add(t, "vlan = %u\n",
					    pick(2) ? 42 : 1 + pick(4094));
				continue;
			}
			add(t, "[collector k%u]\nport = %s\nencap = %s\n", coll,
			    coll % 2 && !with_none ? "d" : "c", encs[e]);
			if (six)
				add(t, "remote_ip = fd00:1::%u\n"
				       "local_ip = fd00:1::10\n",
				    100 + coll);
			else
				add(t, "remote_ip = 198.18.1.%u\n"
				       "local_ip = 198.18.1.10\n",
				    100 + coll);
			add(t, "remote_mac = 02:00:00:00:01:03\n");
			if (e <= 1)
				add(t, "vni = %u\n", 1000 + coll);
			if (e == 2 && pick(2))
				add(t, "key = %u\n",
				    pick(2) ? rng() : 1000 + coll);
			if (e == 2 && pick(2))
				add(t, "seq = yes\n");
			if (e >= 3)
				add(t, "session_id = %u\n", pick(1024));
		}
	}
	add(t, "%s", filters.buf);
}

static void
build_variant(unsigned int v)
{
	struct variant *var = &variants[v];
	struct ctl_ports ports;
	static const uint64_t one_worker[DP_MAX_PORTS] = {1, 1, 1, 1};
	struct cfg_errors *errs;
	struct text *t;
	char path[] = "/tmp/dpm-fuzz-burst-XXXXXX";
	struct dpm_err err;
	unsigned int i;
	int fd;

	t = calloc(1, sizeof(*t));
	errs = calloc(1, sizeof(*errs));
	CHECK(t != NULL && errs != NULL);
	memset(var->coll_session, -1, sizeof(var->coll_session));
	gen_config(v, t, var);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, t->buf, t->len) == (ssize_t)t->len);
	close(fd);
	var->cfg = cfg_load(path, errs);
	unlink(path);
	if (var->cfg == NULL) {
		fprintf(stderr, "variant %u: %s\n%s\n", v, errs->msg[0], t->buf);
		abort();
	}
	for (i = 0; i < var->cfg->n_sessions; i++) {
		const struct cfg_session *cs = &var->cfg->sessions[i];
		unsigned int j, q;

		for (j = 0; j < cs->n_sources; j++) {
			if (cs->sources[j].dir & CFG_DIR_RX)
				var->own_port[cs->sources[j].port] = true;
			if (cs->sources[j].dir & CFG_DIR_TX)
				for (q = 0; q < NPORTS; q++)
					if (var->cfg->ports[q].peer ==
					    cs->sources[j].port)
						var->own_port[q] = true;
		}
	}
	/* A none copy has no outer header to recognise: its port is not
	 * looked at on its account. */
	for (i = 0; i < var->cfg->n_collectors; i++)
		if (var->cfg->collectors[i].encap != CFG_ENCAP_NONE)
			var->own_port[var->cfg->collectors[i].port] = true;
	memset(&ports, 0, sizeof(ports));
	ports.n = NPORTS;
	for (i = 0; i < NPORTS; i++) {
		struct ctl_port *p = &ports.p[i];

		p->name = var->cfg->ports[i].name;
		p->port_id = port_ids[i];
		p->mtu = i == 3 ? 1500 : 9000;
		p->multiseg = i != 3; /* d sends flat copies only */
		p->mac.addr_bytes[0] = 0x02;
		p->mac.addr_bytes[5] = (uint8_t)(0x10 + i);
	}
	var->rs = ctl_ruleset_build(var->cfg, &ports, one_worker, v + 1, &err);
	if (var->rs == NULL) {
		fprintf(stderr, "variant %u: %s\n", v, err.msg);
		abort();
	}
	free(t);
	free(errs);
}

/* ---- EAL, pools, ports ---- */

static uint16_t
ring_port(unsigned int i)
{
	struct rte_eth_conf conf;
	struct rte_ring *rx;
	char name[32];
	int id;

	snprintf(name, sizeof(name), "fzrx%u", i);
	rx = rte_ring_create(name, 64, SOCKET_ID_ANY,
			     RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "fztx%u", i);
	txr[i] = rte_ring_create(name, RING_SIZE, SOCKET_ID_ANY,
				 RING_F_SP_ENQ | RING_F_SC_DEQ);
	CHECK(rx != NULL && txr[i] != NULL);
	snprintf(name, sizeof(name), "net_ring_fz%s", port_names[i]);
	id = rte_eth_from_rings(name, &rx, 1, &txr[i], 1, SOCKET_ID_ANY);
	CHECK(id >= 0);
	memset(&conf, 0, sizeof(conf));
	CHECK(rte_eth_dev_configure((uint16_t)id, 1, 1, &conf) == 0);
	CHECK(rte_eth_rx_queue_setup((uint16_t)id, 0, 64, SOCKET_ID_ANY, NULL,
				     pkt_pool) == 0);
	CHECK(rte_eth_tx_queue_setup((uint16_t)id, 0, 64, SOCKET_ID_ANY,
				     NULL) == 0);
	CHECK(rte_eth_dev_start((uint16_t)id) == 0);
	return (uint16_t)id;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = {
		(char *)"fuzz_burst", (char *)"--no-huge", (char *)"-m",
		(char *)"512", (char *)"--no-pci", (char *)"--no-shconf",
		(char *)"--no-telemetry", (char *)"--file-prefix",
		(char *)"dpm-fuzz-burst", (char *)"-l", (char *)"0",
		(char *)"--log-level", (char *)"*:error", NULL,
	};
	unsigned int i;

	(void)argc;
	(void)argv;
	CHECK(rte_eal_init((int)RTE_DIM(eal) - 1, eal) >= 0);
	pkt_pool = rte_pktmbuf_pool_create("fz_pkt", 8192, 0, 0,
					   SEG_ROOM + RTE_PKTMBUF_HEADROOM,
					   SOCKET_ID_ANY);
	mirror_pool = rte_pktmbuf_pool_create("fz_mir", 1024, 0, 0,
					      RTE_MBUF_DEFAULT_BUF_SIZE,
					      SOCKET_ID_ANY);
	clone_pool = rte_pktmbuf_pool_create("fz_cln", 8192, 0, 0, 0,
					     SOCKET_ID_ANY);
	CHECK(pkt_pool != NULL && mirror_pool != NULL && clone_pool != NULL);
	for (i = 0; i < NPORTS; i++)
		port_ids[i] = ring_port(i);
	for (i = 0; i < NVARIANTS; i++)
		build_variant(i);
	worker = rte_zmalloc("fz_worker", sizeof(*worker), RTE_CACHE_LINE_SIZE);
	CHECK(worker != NULL);
	shared.burst = 64;
	shared.n_ports = NPORTS;
	shared.mirror_pool = mirror_pool;
	shared.clone_pool = clone_pool;
	return 0;
}

/* ---- inputs ---- */

struct input {
	const uint8_t *d;
	size_t n, pos;
};

static uint32_t
in_byte(struct input *in)
{
	return in->pos < in->n ? in->d[in->pos++] : 0;
}

static uint32_t
in_u16(struct input *in)
{
	uint32_t hi = in_byte(in);

	return hi << 8 | in_byte(in);
}

/* The first bytes of a frame: one of a few shapes that the generated
 * filters can match, with addresses and ports from the input. */
static uint32_t
frame_head(struct input *in, uint8_t *p, uint32_t shape)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
	uint8_t x = (uint8_t)in_byte(in), y = (uint8_t)in_byte(in);
	uint32_t dport = (in_byte(in) & 1) ? 80 : in_u16(in), o = 12;
	int six = 0;

	memcpy(p, macs, 12);
	switch (shape) {
	case 3: /* VLAN 10 */
		memcpy(p + o, "\x81\x00\x00\x0a", 4);
		o += 4;
		break;
	case 4: /* QinQ */
		memcpy(p + o, "\x88\xa8\x00\x14\x81\x00\x00\x0a", 8);
		o += 8;
		six = 1;
		break;
	case 2:
		six = 1;
		break;
	case 5: /* ARP */
		memcpy(p + o, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01", 10);
		return o + 10;
	case 7:
		return 0;
	default:
		break;
	}
	if (six) {
		memcpy(p + o, "\x86\xdd\x60\x00\x00\x00\x00\x40", 8);
		p[o + 8] = shape == 4 ? 17 : 6;
		p[o + 9] = 64;
		memset(p + o + 10, 0, 32);
		p[o + 10] = 0xfd;
		p[o + 25] = x;
		p[o + 26] = 0xfd;
		p[o + 41] = y;
		o += 42;
	} else {
		static const uint8_t ip[12] = {0x08, 0x00, 0x45, 0, 0x05, 0xdc,
					       0,    0,	   0x40, 0, 64,	  6};

		memcpy(p + o, ip, 12);
		if (shape == 1)
			p[o + 11] = 17;
		if (shape == 3)
			p[o + 11] = 1;
		if (shape == 6) { /* a non-first fragment */
			p[o + 8] = 0x20;
			p[o + 9] = 0xb9;
		}
		memcpy(p + o + 12, "\x00\x00\xc6\x12\x00", 5);
		p[o + 17] = x;
		memcpy(p + o + 18, "\xc6\x12\x00", 3);
		p[o + 21] = y;
		o += 22;
	}
	p[o] = 0x04;
	p[o + 1] = 0xd2;
	p[o + 2] = (uint8_t)(dport >> 8);
	p[o + 3] = (uint8_t)dport;
	return o + 4;
}

/* The outer header collector K of VAR writes (its copies come back); a
 * none collector's copies are plain frames. */
static uint32_t
copy_head(struct input *in, const struct variant *var, uint32_t k,
	  uint8_t *p)
{
	const struct dp_encap_tmpl *t;

	k %= var->cfg->n_collectors;
	t = &var->rs->coll[k].tmpl;
	if (t->type == DP_ENCAP_NONE)
		return frame_head(in, p, 0);
	memcpy(p, t->hdr, t->len);
	/* an IP length as a copy of 1500 bytes has it */
	if (t->family == 4) {
		p[16] = 0x05;
		p[17] = 0xdc;
	} else {
		p[18] = 0x05;
		p[19] = 0xb4;
	}
	if (t->type == DP_ENCAP_VXLAN || t->type == DP_ENCAP_GENEVE)
		p[t->l4_ofs] = 0xc0;
	return t->len;
}

/* Make frame F from the input: its bytes, then an mbuf chain holding
 * them, consistent or (on the input's say) not.  Shape 8 is one of the
 * variant's own copies. */
static int
make_frame(struct input *in, const struct variant *var, struct frame *f,
	   uint8_t *ref)
{
	uint32_t shape = in_byte(in), kind = in_byte(in), len, nseg, i;
	uint32_t seg[MAX_SEGS], left, off, head, edits;
	struct rte_mbuf *segs[MAX_SEGS];

	len = in_u16(in);
	if ((kind & 7) == 7)
		len = 60000 + len % (MAX_LEN - 60000);
	else
		len = 1 + len % 9100;
	nseg = 1 + in_byte(in) % MAX_SEGS;
	if ((len + SEG_ROOM - 1) / SEG_ROOM > nseg)
		nseg = (len + SEG_ROOM - 1) / SEG_ROOM;
	if (nseg > MAX_SEGS)
		return -1;
	for (i = 0; i < len; i++)
		ref[i] = (uint8_t)(i * 31 + shape);
	if (shape % 9 == 8)
		head = copy_head(in, var, in_byte(in), readbuf);
	else
		head = frame_head(in, readbuf, shape % 9);
	memcpy(ref, readbuf, RTE_MIN(head, len));
	/* A few bytes of the frame straight from the input. */
	edits = in_byte(in) % 8;
	for (i = 0; i < edits; i++) {
		uint32_t at = in_byte(in) % 80;

		if (at < len)
			ref[at] = (uint8_t)in_byte(in);
	}
	/* Segment lengths: uneven, some empty, none over the room. */
	left = len;
	for (i = 0; i < nseg; i++) {
		uint32_t rest = nseg - i - 1, n;

		if (rest == 0) {
			n = left;
		} else {
			n = in_byte(in) % 4 == 0 ? 0 : 1 + in_u16(in) % SEG_ROOM;
			if (n > left)
				n = left;
			/* what the other segments can still hold */
			if (left - n > rest * SEG_ROOM)
				n = left - rest * SEG_ROOM;
		}
		seg[i] = n;
		left -= n;
	}
	if (seg[nseg - 1] > SEG_ROOM)
		return -1;
	if (rte_pktmbuf_alloc_bulk(pkt_pool, segs, nseg) != 0)
		return -1;
	for (i = 0, off = 0; i < nseg; i++) {
		struct rte_mbuf *m = segs[i];
		uint8_t *buf = m->buf_addr;

		UNPOISON(buf, m->buf_len);
		m->data_len = (uint16_t)seg[i];
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), ref + off, seg[i]);
		off += seg[i];
		POISON(buf, m->data_off);
		POISON(buf + m->data_off + seg[i],
		       m->buf_len - m->data_off - seg[i]);
		if (i > 0)
			segs[i - 1]->next = m;
	}
	segs[0]->nb_segs = (uint16_t)nseg;
	segs[0]->pkt_len = len;
	f->first = seg[0];
	f->valid = 1;
	switch ((kind >> 3) & 15) { /* now and then, a lie */
	case 1: /* a driver that kept 16 bits of the length */
		if (len > 65535)
			segs[0]->pkt_len = len & 0xffff, f->valid = 0;
		break;
	case 2:
		segs[0]->pkt_len = len + 1 + in_byte(in);
		f->valid = 0;
		break;
	case 3:
		if (len > 1)
			segs[0]->pkt_len = len - 1 - in_byte(in) % (len - 1);
		f->valid = segs[0]->pkt_len == len;
		break;
	case 4:
		segs[0]->nb_segs = (uint16_t)(nseg + 1);
		f->valid = 0;
		break;
	case 5:
		/* One segment by nb_segs, whole by pkt_len: what is read is
		 * all there, next is not looked at (dp_worker.h). */
		segs[0]->nb_segs = (uint16_t)(nseg - 1);
		f->valid = nseg == 2 && segs[0]->data_len == len;
		break;
	default:
		break;
	}
	f->m = segs[0];
	f->ref = ref;
	f->len = len;
	f->copies_seen = 0;
	return 0;
}

/* Read M whole into readbuf; returns its length. */
static uint32_t
read_all(const struct rte_mbuf *m)
{
	const uint8_t *p;

	CHECK(m->pkt_len <= sizeof(readbuf));
	p = rte_pktmbuf_read(m, 0, m->pkt_len, readbuf);
	CHECK(p != NULL);
	if (p != readbuf)
		memcpy(readbuf, p, m->pkt_len);
	return m->pkt_len;
}

static uint32_t
ones_sum(const uint8_t *p, uint32_t len, uint32_t sum)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Check the outer header of one copy (now in readbuf, LEN bytes) that
 * left by port R, and find its collector, *COLL; returns its session.  A
 * none copy with a tag has the tag taken out (readbuf + 4 on is then the
 * inner frame); a frame too short for a tag after its MACs (under 14
 * bytes) gets no tagged copy (it is dropped as runt), so *RUNT is always
 * 0 here: every copy is matched by its bytes. */
static int
check_copy(const struct variant *var, unsigned int r, uint32_t len,
	   uint32_t *inner_len, int *coll, int *runt)
{
	const uint8_t *p = readbuf;
	const struct dp_encap_tmpl *t;
	uint32_t ulen, k;
	int s, found = -1;

	*runt = 0;
	for (k = 0; k < var->cfg->n_collectors; k++) {
		t = &var->rs->coll[k].tmpl;
		if ((unsigned int)var->cfg->collectors[k].port != r ||
		    t->type == DP_ENCAP_NONE || !dp_encap_own(t, p, len))
			continue;
		CHECK(found < 0);
		found = (int)k;
	}
	if (found < 0) {
		/* port d carries nothing else when there is a none one */
		CHECK(var->none_coll >= 0 && r == 3);
		found = var->none_coll;
		t = &var->rs->coll[found].tmpl;
		/* A frame under 14 bytes gets no tagged copy (runt). */
		CHECK(t->len == 0 || len >= t->len + 14u);
		if (t->len != 0) {
			uint16_t vid = var->cfg->collectors[found].vlan;

			CHECK(len >= 16 && p[12] == 0x81 && p[13] == 0x00 &&
			      p[14] == (vid >> 8) && p[15] == (vid & 0xff));
			memmove(readbuf + 4, readbuf, 12);
		}
	} else {
		t = &var->rs->coll[found].tmpl;
		CHECK(len >= t->len);
		if (t->family == 4) {
			CHECK((uint32_t)(p[16] << 8 | p[17]) == len - 14);
			CHECK(fold(ones_sum(p + 14, 20, 0)) == 0xffff);
		} else {
			CHECK((uint32_t)(p[18] << 8 | p[19]) == len - 54);
		}
		if (t->type == DP_ENCAP_VXLAN || t->type == DP_ENCAP_GENEVE) {
			ulen = (uint32_t)(p[t->l4_ofs + 4] << 8 |
					  p[t->l4_ofs + 5]);
			CHECK(ulen == len - t->l4_ofs);
			if (t->family == 6)
				CHECK(fold(ones_sum(p + 54, ulen,
						    ones_sum(p + 22, 32,
							     17 + ulen))) ==
				      0xffff);
		}
	}
	s = var->coll_session[found];
	CHECK(s >= 0 && (unsigned int)s < var->cfg->n_sessions);
	*inner_len = len - t->len;
	*coll = found;
	return s;
}

/* Whether copy P of INNER bytes of frame F, made for session S by
 * collector K, has the outer header K's template writes for the frame's
 * description; with SAY, what differs is printed. */
static int
check_outer(const struct variant *var, int k, int s, const struct frame *f,
	    const uint8_t *p, uint32_t inner, int say)
{
	const struct dp_encap_tmpl *t = &var->rs->coll[k].tmpl;
	uint8_t e[DP_ENCAP_MAX_HDR], got[DP_ENCAP_MAX_HDR];
	struct dp_encap_pkt pk;
	struct dp_meta md;
	int16_t peer = var->cfg->ports[f->port].peer;

	if (t->type == DP_ENCAP_NONE)
		return 1;
	memset(&pk, 0, sizeof(pk));
	memcpy(got, p, t->len);
	pk.inner_len = inner;
	if (t->type == DP_ENCAP_VXLAN || t->type == DP_ENCAP_GENEVE) {
		pk.sport = (uint16_t)(p[t->l4_ofs] << 8 | p[t->l4_ofs + 1]);
		if (pk.sport < 49152)
			return 0;
		if (t->family == 6)
			got[t->l4_ofs + 6] = got[t->l4_ofs + 7] = 0;
	}
	if (dp_encap_has_seq(t))
		pk.seq = rd32(p + t->seq_ofs);
	/* ERSPAN: the outermost tag the worker parsed in the first segment,
	 * the cut, the direction of the session's interest in the port */
	dp_parse(f->ref, f->first, &md);
	pk.tagged = md.n_vlans != 0;
	if (pk.tagged)
		pk.tci = (uint16_t)(f->ref[14] << 8 | f->ref[15]);
	pk.truncated = inner < f->len;
	pk.egress = (var->rs->egress[f->port] >> s) & 1;
	pk.index = pk.egress && peer >= 0 ? (uint32_t)peer : f->port;
	pk.timestamp = 0; /* the clock in shared stands at 0 */
	dp_encap_write_pkt(t, e, &pk);
	if (memcmp(got, e, t->len) != 0) {
		uint32_t i;

		for (i = 0; got[i] == e[i]; i++)
			;
		if (say)
			fprintf(stderr, "copy of collector k%d (type %u) of a "
					"frame received on port %u: header "
					"byte %u is 0x%02x, want 0x%02x\n",
				k, t->type, f->port, i, got[i], e[i]);
		return 0;
	}
	return 1;
}

/* Drain ring R: check every copy against the frames, in receive order
 * per ring; returns how many copies, adds their bytes per session.  The
 * sequence numbers of each collector grow, from SEQ0 (what was next when
 * the input began) to below what is next now. */
static unsigned int
drain_copies(const struct variant *var, unsigned int r, unsigned int nf,
	     uint64_t *sess_copies, uint64_t *sess_bytes, const uint32_t *seq0)
{
	int64_t last[64];
	struct rte_mbuf *m;
	unsigned int next = 0, n = 0, k;

	for (k = 0; k < 64; k++)
		last[k] = -1;
	while (rte_ring_sc_dequeue(txr[r], (void **)&m) == 0) {
		uint32_t len, inner, snap, want;
		const struct dp_encap_tmpl *t;
		unsigned int f, first_f;
		int s, c, runt;

		if (m == &dummy)
			continue;
		len = read_all(m);
		s = check_copy(var, r, len, &inner, &c, &runt);
		snap = var->cfg->sessions[s].snaplen;
		/* The earliest frame from NEXT on that this is a copy of:
		 * its bytes, a port the session wants, the header its
		 * description calls for (frames alike but for their port
		 * make different ERSPAN headers). */
		for (f = next, first_f = nf; f < nf; f++) {
			if (!frames[f].valid || frames[f].own ||
			    !((var->rs->want[frames[f].port] >> s) & 1))
				continue;
			want = snap != 0 && snap < frames[f].len ? snap
								 : frames[f].len;
			if (want != inner ||
			    (!runt && memcmp(readbuf + len - inner,
					     frames[f].ref, inner) != 0))
				continue;
			if (first_f == nf)
				first_f = f;
			if (check_outer(var, c, s, &frames[f], readbuf, inner,
					0))
				break;
		}
		if (f == nf && first_f < nf) {
			check_outer(var, c, s, &frames[first_f], readbuf,
				    inner, 1);
			abort();
		}
		if (f == nf) {
			fprintf(stderr, "copy of %u bytes on ring %u (session "
					"%d) matches no frame\n",
				len, r, s);
			abort();
		}
		t = &var->rs->coll[c].tmpl;
		if (dp_encap_has_seq(t)) {
			uint32_t sq = rd32(readbuf + t->seq_ofs);
			uint32_t end = __atomic_load_n(
				&shared.seq[var->rs->coll[c].slot].next,
				__ATOMIC_RELAXED);

			CHECK(sq - seq0[c] < end - seq0[c]);
			CHECK(last[c] < 0 || sq - seq0[c] > (uint32_t)last[c]);
			last[c] = sq - seq0[c];
		}
		next = f;
		frames[f].copies_seen++;
		sess_copies[s]++;
		sess_bytes[s] += len;
		n++;
		rte_pktmbuf_free(m);
	}
	return n;
}

/* Whether frame F, received on PORT, is one of the process's own copies
 * as the README defines them: its first segment parses as untagged UDP to
 * a collector's destination port, or untagged GRE (the parser, fuzzed on
 * its own, says), and starts with the outer header that collector writes
 * (source MAC of its port, its EtherType, IPv4 without options, its IP
 * protocol, its addresses, and its UDP destination port or GRE protocol
 * type).  A none collector's copies have no such header. */
static int
ref_own(const struct variant *var, uint16_t port, const struct frame *f)
{
	uint32_t first = f->m->data_len, k;
	const uint8_t *p = f->ref;
	struct dp_meta md;

	if (!var->own_port[port])
		return 0;
	dp_parse(p, first, &md);
	if (md.l3 == DP_L3_OTHER || md.n_vlans != 0)
		return 0;
	if (md.proto != 17 && md.proto != 47)
		return 0;
	for (k = 0; k < var->cfg->n_collectors; k++) {
		const struct cfg_collector *c = &var->cfg->collectors[k];
		const struct dp_encap_tmpl *t = &var->rs->coll[k].tmpl;
		const uint8_t *h = t->hdr;
		const uint8_t mac[6] = {2, 0, 0, 0, 0, (uint8_t)(0x10 + c->port)};
		uint8_t proto = c->encap == CFG_ENCAP_VXLAN ||
					c->encap == CFG_ENCAP_GENEVE
				? 17
				: 47;
		/* UDP destination port, GRE protocol type */
		const uint8_t *type = h + t->l4_ofs + 2;

		if (c->encap == CFG_ENCAP_NONE || md.proto != proto ||
		    memcmp(p + 6, mac, 6) != 0 || first < t->len)
			continue;
		if (proto == 17 && (!md.has_ports || md.dport != c->dst_port))
			continue;
		if (c->remote_ip.family == 4 && p[12] == 0x08 &&
		    p[13] == 0x00 && p[14] == 0x45 && p[23] == proto &&
		    memcmp(p + 26, c->local_ip.bytes, 4) == 0 &&
		    memcmp(p + 30, c->remote_ip.bytes, 4) == 0 &&
		    memcmp(p + 36, type, 2) == 0)
			return 1;
		if (c->remote_ip.family == 6 && p[12] == 0x86 &&
		    p[13] == 0xdd && p[20] == proto &&
		    memcmp(p + 22, c->local_ip.bytes, 16) == 0 &&
		    memcmp(p + 38, c->remote_ip.bytes, 16) == 0 &&
		    memcmp(p + 56, type, 2) == 0)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {.d = data, .n = size, .pos = 0};
	struct rte_mbuf *held[1024], *burst[MAX_FRAMES], *m;
	uint64_t sess_copies[DP_MAX_SESSIONS] = {0};
	uint64_t sess_bytes[DP_MAX_SESSIONS] = {0};
	const struct variant *var;
	unsigned int n_held = 0, stall, nf = 0, nb, b, i, s, r, port_copies;
	unsigned int sent_valid = 0, invalid[NPORTS] = {0};
	unsigned int valid_rx[NPORTS] = {0}, own[NPORTS] = {0};
	uint32_t flags, seq0[64];

	if (size < 4)
		return -1;
	var = &variants[in_byte(&in) % NVARIANTS];
	flags = in_byte(&in);

	shared.mode = var->cfg->mode == CFG_MODE_TAP ? DP_MODE_TAP
						      : DP_MODE_INLINE;
	for (i = 0; i < NPORTS; i++) {
		shared.port[i].port_id = port_ids[i];
		shared.port[i].peer = (int16_t)var->cfg->ports[i].peer;
	}
	shared.ruleset = var->rs;
	for (i = 0; i < var->rs->n_coll; i++)
		seq0[i] = shared.seq[var->rs->coll[i].slot].next;
	dp_worker_init(worker, &shared, 1, 0);
	dp_worker_adopt(worker, var->rs);

	/* Faults: an empty (or nearly empty) mirror pool, full collector
	 * queues. */
	if (flags & 3) {
		n_held = (flags & 3) == 1 ? 1024 : (flags & 3) == 2 ? 1020 : 900;
		while (n_held > 0 &&
		       rte_mempool_get_bulk(mirror_pool, (void **)held, n_held) !=
			       0)
			n_held--;
	}
	stall = (flags >> 2) & 3;
	for (r = 2; r < NPORTS && stall != 0; r++) {
		unsigned int k = stall == 1 ? RING_SIZE - 1
					    : RING_SIZE - 1 - 4 * stall;

		for (i = 0; i < k; i++)
			CHECK(rte_ring_sp_enqueue(txr[r], &dummy) == 0);
	}

	nb = 1 + (flags >> 4) % MAX_BURSTS;
	for (b = 0; b < nb && in.pos < in.n; b++) {
		uint16_t port = (uint16_t)(in_byte(&in) % NPORTS);
		unsigned int want = 1 + in_byte(&in) % 48, k = 0;

		while (k < want && nf < MAX_FRAMES && in.pos < in.n) {
			struct frame *f = &frames[nf];

			if (make_frame(&in, var, f, refbuf[nf]) != 0)
				break;
			f->port = port;
			/* Where originals are not forwarded (tap mode, a port
			 * without a peer) an original may become its own copy,
			 * its outer header written in its headroom: that much
			 * of it is the dataplane's to write. */
			if (shared.mode != DP_MODE_INLINE ||
			    shared.port[port].peer < 0)
				UNPOISON(f->m->buf_addr, f->m->data_off);
			f->own = f->valid && ref_own(var, port, f);
			burst[k++] = f->m;
			if (!f->valid)
				invalid[port]++;
			else if (f->own)
				own[port]++;
			else
				valid_rx[port]++;
			nf++;
		}
		if (k == 0)
			break;
		dp_worker_burst(worker, var->rs, port, burst, (uint16_t)k);
		dp_worker_flush(worker);
	}

	/* Originals: the consistent frames, in order, untouched. */
	for (r = 0; r < NPORTS; r++) {
		int16_t from = -1;
		unsigned int f = 0, got = 0;

		for (i = 0; i < NPORTS; i++)
			if (shared.mode == DP_MODE_INLINE &&
			    shared.port[i].peer == (int16_t)r)
				from = (int16_t)i;
		while (rte_ring_count(txr[r]) > 0 && from >= 0) {
			CHECK(rte_ring_sc_dequeue(txr[r], (void **)&m) == 0);
			if (m == &dummy)
				continue;
			/* copies share c and d; a and b carry originals only */
			CHECK(r < 2);
			while (f < nf && (frames[f].port != (uint16_t)from ||
					  !frames[f].valid || frames[f].own))
				f++;
			CHECK(f < nf && frames[f].m == m);
			CHECK(read_all(m) == frames[f].len);
			CHECK(memcmp(readbuf, frames[f].ref, frames[f].len) == 0);
			rte_pktmbuf_free(m);
			got++;
			f++;
		}
		if (from >= 0 && r < 2) {
			CHECK(got == valid_rx[from]);
			sent_valid += got;
		}
	}
	/* Copies. */
	port_copies = 0;
	for (r = 0; r < NPORTS; r++) {
		unsigned int n = drain_copies(var, r, nf, sess_copies,
					      sess_bytes, seq0);

		CHECK(worker->stats.port[r].mirror_packets == n);
		port_copies += n;
	}
	/* Counters. */
	for (r = 0; r < NPORTS; r++) {
		const struct dp_port_counters *c = &worker->stats.port[r];

		CHECK(c->rx_packets == valid_rx[r] + invalid[r] + own[r]);
		CHECK(c->rx_invalid == invalid[r]);
		CHECK(c->own_copies == own[r]);
		CHECK(c->fwd_dropped == 0);
	}
	for (s = 0; s < var->cfg->n_sessions; s++) {
		const struct dp_session_counters *c = &worker->stats.sess[s];
		uint64_t sum = c->mirrored;

		for (i = 0; i < DP_DROP_MAX; i++)
			sum += c->dropped[i];
		CHECK(c->matched == sum);
		CHECK(c->mirrored == sess_copies[s]);
		CHECK(c->mirrored_bytes == sess_bytes[s]);
	}
	(void)sent_valid;
	(void)port_copies;

	/* Nothing leaks. */
	if (n_held > 0)
		rte_mempool_put_bulk(mirror_pool, (void **)held, n_held);
	for (r = 0; r < NPORTS; r++)
		while (rte_ring_sc_dequeue(txr[r], (void **)&m) == 0)
			CHECK(m == &dummy);
	CHECK(rte_mempool_in_use_count(pkt_pool) == 0);
	CHECK(rte_mempool_in_use_count(mirror_pool) == 0);
	CHECK(rte_mempool_in_use_count(clone_pool) == 0);
	return 0;
}
