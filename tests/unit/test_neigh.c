/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Unit tests of the collectors' neighbour resolution (ctrl/ctl_neigh.c):
 * the ARP request and Neighbour Solicitation byte for byte against frames
 * assembled by hand (and decoded by tshark when it is installed), the state
 * machine through time, answers from the wrong host or malformed ones
 * ignored, a changed MAC raising the generation, state carried over a
 * reload.  The configuration comes from cfg_load_buffer, as dpmirror gets
 * it; mbufs from an EAL with --no-huge (eal_test.h).
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "cfg.h"
#include "ctl_neigh.h"
#include "eal_test.h"

static struct rte_mempool *pool;

/*
 * Port "out" (index 1) carries an IPv4 collector resolving 198.18.1.3 for
 * remote 198.18.2.3, an IPv6 one resolving fd00:1::12:3456 and a static
 * one; the port's MAC is 02:00:00:00:00:0a.
 */
#define CFG_TEXT                                                               \
	"[dpmirror]\nmode = tap\n"                                             \
	"[port p0]\ndevice = net_null0\n"                                      \
	"[port out]\ndevice = net_null1\n"                                     \
	"[collector c4]\nport = out\nremote_ip = 198.18.2.3\n"                 \
	"local_ip = 198.18.1.10\nremote_mac = auto\nnext_hop = 198.18.1.3\n"   \
	"[collector c6]\nport = out\nremote_ip = fd00:1::3\n"                  \
	"local_ip = fd00:1::10\nremote_mac = auto\n"                           \
	"next_hop = fd00:1::12:3456\n"                                         \
	"[collector cs]\nport = out\nremote_ip = 198.18.1.9\n"                 \
	"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:09\n"             \
	"[session s1]\nsources = p0:rx\ncollector = c4 c6 cs\n"

#define C4  0
#define C6  1
#define CS  2
#define OUT 1

static const struct rte_ether_addr port_macs[2] = {
	{{0x02, 0, 0, 0, 0, 0x01}},
	{{0x02, 0, 0, 0, 0, 0x0a}},
};
static const uint8_t mac_out[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0x01, 0x03}; /* next hop */
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0x01, 0x33}; /* it, later */
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ip_local[4] = {198, 18, 1, 10};
static const uint8_t ip_hop[4] = {198, 18, 1, 3};
static const uint8_t ip6_local[16] = {0xfd, 0, 0, 1, [15] = 0x10};
static const uint8_t ip6_hop[16] = {0xfd, 0, 0, 1, [13] = 0x12, 0x34, 0x56};
static const uint8_t ip6_all_nodes[16] = {0xff, 0x02, [15] = 0x01};

/* The ARP request for c4, as the wire carries it. */
static const uint8_t want_arp[CTL_NEIGH_ARP_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* broadcast */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, /* port out */
	0x08, 0x06,			    /* ARP */
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, /* Ethernet, IPv4, 6, 4 */
	0x00, 0x01,			    /* request */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, /* sender MAC */
	198, 18, 1, 10,			    /* sender IP: local_ip */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC: unknown */
	198, 18, 1, 3,			    /* target IP: next_hop */
};

/* The Neighbour Solicitation for c6; the checksum computed apart. */
static const uint8_t want_ns[CTL_NEIGH_NS_LEN] = {
	0x33, 0x33, 0xff, 0x12, 0x34, 0x56, /* solicited-node MAC */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, /* port out */
	0x86, 0xdd,			    /* IPv6 */
	0x60, 0x00, 0x00, 0x00,		    /* version 6 */
	0x00, 0x20, 58, 255,		    /* payload 32, ICMPv6, hops 255 */
	0xfd, 0x00, 0x00, 0x01, 0, 0, 0, 0, /* fd00:1::10 */
	0, 0, 0, 0, 0, 0, 0, 0x10,
	0xff, 0x02, 0, 0, 0, 0, 0, 0, /* ff02::1:ff12:3456 */
	0, 0, 0, 0x01, 0xff, 0x12, 0x34, 0x56,
	135, 0, 0x14, 0xb1,		    /* NS, code 0, checksum */
	0, 0, 0, 0,			    /* reserved */
	0xfd, 0x00, 0x00, 0x01, 0, 0, 0, 0, /* target fd00:1::12:3456 */
	0, 0, 0, 0, 0, 0x12, 0x34, 0x56,
	1, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, /* source link-layer */
};

static struct cfg *
load_cfg(const char *text)
{
	struct cfg_errors errs;
	struct cfg *cfg = cfg_load_buffer("test", text, strlen(text), &errs);

	if (cfg == NULL)
		fail_msg("configuration refused: %s", errs.msg[0]);
	return cfg;
}

static void
neigh_setup(struct ctl_neigh *n)
{
	struct cfg *cfg = load_cfg(CFG_TEXT);

	ctl_neigh_init(n, cfg, port_macs);
	cfg_free(cfg);
}

static struct rte_mbuf *
mbuf_of(const uint8_t *bytes, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(p);
	memcpy(p, bytes, len);
	return m;
}

/* Feed BYTES to N as received on PORT at NOW; returns the verdict. */
static int
feed(struct ctl_neigh *n, unsigned int port, const uint8_t *bytes,
     size_t len, uint64_t now)
{
	struct rte_mbuf *m = mbuf_of(bytes, len);
	int rc = ctl_neigh_input(n, port, m, now);

	rte_pktmbuf_free(m);
	return rc;
}

/*
 * Frames as a next hop sends them, assembled field by field.
 */

struct arp_spec {
	const uint8_t *eth_dst, *sha, *sip, *tha, *tip;
	uint16_t ethertype, htype, ptype, op;
	uint8_t hlen, plen;
};

/* A default ARP reply from the next hop (mac_a) to us. */
static struct arp_spec
arp_reply(const uint8_t *sha)
{
	struct arp_spec s = {
		.eth_dst = mac_out, .sha = sha, .sip = ip_hop,
		.tha = mac_out, .tip = ip_local, .ethertype = 0x0806,
		.htype = 1, .ptype = 0x0800, .op = 2, .hlen = 6, .plen = 4,
	};
	return s;
}

/* 60 bytes: padded to the Ethernet minimum, as devices deliver ARP. */
static size_t
arp_frame(uint8_t *f, const struct arp_spec *s)
{
	memset(f, 0, 60);
	memcpy(f, s->eth_dst, 6);
	memcpy(f + 6, s->sha, 6);
	f[12] = (uint8_t)(s->ethertype >> 8);
	f[13] = (uint8_t)s->ethertype;
	f[14] = (uint8_t)(s->htype >> 8);
	f[15] = (uint8_t)s->htype;
	f[16] = (uint8_t)(s->ptype >> 8);
	f[17] = (uint8_t)s->ptype;
	f[18] = s->hlen;
	f[19] = s->plen;
	f[20] = (uint8_t)(s->op >> 8);
	f[21] = (uint8_t)s->op;
	memcpy(f + 22, s->sha, 6);
	memcpy(f + 28, s->sip, 4);
	memcpy(f + 32, s->tha, 6);
	memcpy(f + 38, s->tip, 4);
	return 60;
}

static int
feed_arp(struct ctl_neigh *n, const struct arp_spec *s, uint64_t now)
{
	uint8_t f[60];

	return feed(n, OUT, f, arp_frame(f, s), now);
}

struct na_spec {
	const uint8_t *eth_dst, *src_mac, *dst6, *target, *tlla;
	uint8_t hops, code, flags;
	uint8_t opt_len;      /* of the TLLA option, in 8 bytes; 1 */
	int cksum_delta;      /* added to the right checksum */
	int payload_delta;    /* added to the right payload length */
	uint8_t next_header;  /* 58 */
	uint8_t type;	      /* 136 */
};

#define NA_S 0x40
#define NA_O 0x20

static struct na_spec
na_reply(const uint8_t *tlla)
{
	struct na_spec s = {
		.eth_dst = mac_out, .src_mac = mac_a, .dst6 = ip6_local,
		.target = ip6_hop, .tlla = tlla, .hops = 255, .code = 0,
		.flags = NA_S | NA_O, .opt_len = 1, .next_header = 58,
		.type = 136,
	};
	return s;
}

/* The ones' complement sum of LEN bytes, folded, added to SUM. */
static uint32_t
ones_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static size_t
na_frame(uint8_t *f, const struct na_spec *s)
{
	static const uint8_t src6[16] = {0xfe, 0x80, [15] = 0x03};
	uint8_t *ip = f + 14, *icmp = f + 54;
	size_t plen = 24 + (s->tlla != NULL ? 8 : 0);
	uint8_t pseudo[40];
	uint32_t sum;

	memset(f, 0, 14 + 40 + plen);
	memcpy(f, s->eth_dst, 6);
	memcpy(f + 6, s->src_mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[4] = (uint8_t)((plen + (size_t)s->payload_delta) >> 8);
	ip[5] = (uint8_t)(plen + (size_t)s->payload_delta);
	ip[6] = s->next_header;
	ip[7] = s->hops;
	memcpy(ip + 8, src6, 16);
	memcpy(ip + 24, s->dst6, 16);
	icmp[0] = s->type;
	icmp[1] = s->code;
	icmp[4] = s->flags;
	memcpy(icmp + 8, s->target, 16);
	if (s->tlla != NULL) {
		icmp[24] = 2;
		icmp[25] = s->opt_len;
		memcpy(icmp + 26, s->tlla, 6);
	}
	memcpy(pseudo, ip + 8, 32);
	memset(pseudo + 32, 0, 8);
	pseudo[35] = (uint8_t)plen;
	pseudo[39] = 58;
	sum = ones_sum(pseudo, sizeof(pseudo), 0);
	sum = ones_sum(icmp, plen, sum);
	sum = (~sum & 0xffff) + (uint32_t)s->cksum_delta;
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	return 14 + 40 + plen;
}

static int
feed_na(struct ctl_neigh *n, const struct na_spec *s, uint64_t now)
{
	uint8_t f[128];

	return feed(n, OUT, f, na_frame(f, s), now);
}

/* Poll at NOW; count (and free) the ARP and NS frames built. */
static unsigned int
poll_count(struct ctl_neigh *n, uint64_t now, unsigned int *arp,
	   unsigned int *ns)
{
	struct ctl_neigh_tx tx[8];
	unsigned int i, k;

	*arp = *ns = 0;
	k = ctl_neigh_poll(n, now, pool, tx, RTE_DIM(tx));
	for (i = 0; i < k; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(tx[i].m, const uint8_t *);

		assert_int_equal(tx[i].port, OUT);
		if (p[12] == 0x08 && p[13] == 0x06)
			(*arp)++;
		else if (p[12] == 0x86 && p[13] == 0xdd)
			(*ns)++;
		else
			fail_msg("poll built a frame of type %02x%02x", p[12],
				 p[13]);
		rte_pktmbuf_free(tx[i].m);
	}
	return k;
}

#define EXPECT_POLL(n, now, want_arp_n, want_ns_n)                             \
	do {                                                                   \
		unsigned int a_, s_;                                           \
		poll_count((n), (now), &a_, &s_);                              \
		if (a_ != (want_arp_n) || s_ != (want_ns_n))                   \
			fail_msg("t=%llu ms: %u ARP, %u NS; want %u, %u",      \
				 (unsigned long long)(now), a_, s_,            \
				 (unsigned int)(want_arp_n),                   \
				 (unsigned int)(want_ns_n));                   \
	} while (0)

/*
 * The requests.
 */

/* Write FRAMES to a pcap and have tshark decode them; NULL if no tshark. */
static char *
tshark_decode(struct rte_mbuf **m, unsigned int n_m, const char *fields)
{
	static char out[4096];
	char path[] = "/tmp/test_neigh.XXXXXX";
	char cmd[1024];
	uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	size_t got;
	unsigned int i;
	FILE *f, *p;
	int fd;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		return NULL;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(hdr, sizeof(hdr), 1, f), 1);
	for (i = 0; i < n_m; i++) {
		uint32_t rec[4] = {1, i, rte_pktmbuf_pkt_len(m[i]),
				   rte_pktmbuf_pkt_len(m[i])};

		assert_int_equal(fwrite(rec, sizeof(rec), 1, f), 1);
		assert_int_equal(fwrite(rte_pktmbuf_mtod(m[i], void *),
					rte_pktmbuf_pkt_len(m[i]), 1, f),
				 1);
	}
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
		 "tshark -n -r %s -T fields -E separator=, %s 2>/dev/null",
		 path, fields);
	p = popen(cmd, "r");
	assert_non_null(p);
	got = fread(out, 1, sizeof(out) - 1, p);
	out[got] = '\0';
	pclose(p);
	unlink(path);
	return out;
}

static void
test_requests_bytes(void **state)
{
	struct ctl_neigh n;
	struct ctl_neigh_tx tx[8];
	struct rte_mbuf *m[2];
	const char *dec;
	unsigned int k;

	(void)state;
	neigh_setup(&n);
	assert_int_equal(n.n, 3);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_PENDING);
	assert_int_equal(n.e[C6].state, CTL_NEIGH_PENDING);
	assert_int_equal(n.e[CS].state, CTL_NEIGH_STATIC);

	/* One request per resolving collector; none for the static one. */
	k = ctl_neigh_poll(&n, 1000, pool, tx, RTE_DIM(tx));
	assert_int_equal(k, 2);
	assert_int_equal(tx[0].port, OUT);
	assert_int_equal(tx[1].port, OUT);
	assert_int_equal(rte_pktmbuf_pkt_len(tx[0].m), sizeof(want_arp));
	assert_memory_equal(rte_pktmbuf_mtod(tx[0].m, void *), want_arp,
			    sizeof(want_arp));
	assert_int_equal(rte_pktmbuf_pkt_len(tx[1].m), sizeof(want_ns));
	assert_memory_equal(rte_pktmbuf_mtod(tx[1].m, void *), want_ns,
			    sizeof(want_ns));
	assert_int_equal(n.e[C4].requests, 1);
	assert_int_equal(n.e[C6].requests, 1);

	m[0] = tx[0].m;
	m[1] = tx[1].m;
	dec = tshark_decode(m, 2,
			    "-e arp.opcode -e arp.src.hw_mac "
			    "-e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 "
			    "-e ipv6.hlim -e ipv6.dst -e icmpv6.type "
			    "-e icmpv6.checksum.status "
			    "-e icmpv6.nd.ns.target_address "
			    "-e icmpv6.opt.linkaddr");
	if (dec != NULL) {
		/* icmpv6.checksum.status 1: tshark found the checksum good. */
		const char *want =
			"1,02:00:00:00:00:0a,198.18.1.10,198.18.1.3,,,,,,\n"
			",,,,255,ff02::1:ff12:3456,135,1,fd00:1::12:3456,"
			"02:00:00:00:00:0a\n";

		if (strcmp(dec, want) != 0)
			fail_msg("tshark decoded:\n%swant:\n%s", dec, want);
	} else {
		print_message("tshark not installed: decode not checked\n");
	}
	rte_pktmbuf_free(tx[0].m);
	rte_pktmbuf_free(tx[1].m);
}

/* The builders refuse an mbuf without room, and fill an empty one. */
static void
test_build_room(void **state)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_addr src = port_macs[OUT];

	(void)state;
	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, (uint16_t)(rte_pktmbuf_tailroom(
						      m) - CTL_NEIGH_ARP_LEN +
					      1)));
	assert_int_equal(ctl_neigh_build_arp(m, &src, ip_local, ip_hop),
			 -ENOSPC);
	assert_int_equal(ctl_neigh_build_ns(m, &src, ip6_local, ip6_hop),
			 -ENOSPC);
	rte_pktmbuf_reset(m);
	assert_int_equal(ctl_neigh_build_ns(m, &src, ip6_local, ip6_hop), 0);
	assert_memory_equal(rte_pktmbuf_mtod(m, void *), want_ns,
			    sizeof(want_ns));
	rte_pktmbuf_free(m);
}

/*
 * The state machine through time.
 */

static void
test_pending_to_failed(void **state)
{
	struct ctl_neigh n;
	struct arp_spec a = arp_reply(mac_a);

	(void)state;
	neigh_setup(&n);
	EXPECT_POLL(&n, 0, 1, 1);
	EXPECT_POLL(&n, 999, 0, 0);
	EXPECT_POLL(&n, 1000, 1, 1);
	EXPECT_POLL(&n, 2000, 1, 1);
	EXPECT_POLL(&n, 2999, 0, 0);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_PENDING);
	assert_int_equal(n.e[C4].tries, CTL_NEIGH_TRIES);
	/* The third went unanswered: failed, and asked again at once. */
	EXPECT_POLL(&n, 3000, 1, 1);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_FAILED);
	assert_int_equal(n.e[C6].state, CTL_NEIGH_FAILED);
	assert_string_equal(ctl_neigh_state_name(n.e[C4].state), "failed");
	assert_false(n.e[C4].has_mac);
	assert_int_equal(n.e[C4].requests, 4);
	/* No MAC was known, so nothing to republish. */
	assert_false(ctl_neigh_changed(&n));
	/* Then every CTL_NEIGH_FAILED_RETRY_MS. */
	EXPECT_POLL(&n, 3000 + CTL_NEIGH_FAILED_RETRY_MS - 1, 0, 0);
	EXPECT_POLL(&n, 3000 + CTL_NEIGH_FAILED_RETRY_MS, 1, 1);
	EXPECT_POLL(&n, 3000 + 2 * CTL_NEIGH_FAILED_RETRY_MS, 1, 1);

	/* A late answer resolves it. */
	assert_int_equal(feed_arp(&n, &a, 14000), 1);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_RESOLVED);
	assert_true(n.e[C4].has_mac);
	assert_memory_equal(n.e[C4].mac.addr_bytes, mac_a, 6);
	assert_true(ctl_neigh_changed(&n));
	assert_int_equal(n.e[C6].state, CTL_NEIGH_FAILED);
	EXPECT_POLL(&n, 18000, 0, 1);
}

static void
test_resolved_refresh(void **state)
{
	struct ctl_neigh n;
	struct arp_spec a = arp_reply(mac_a);
	struct na_spec na = na_reply(mac_a);
	const uint64_t t0 = 500;
	uint64_t gen;

	(void)state;
	neigh_setup(&n);
	EXPECT_POLL(&n, 0, 1, 1);
	assert_int_equal(feed_arp(&n, &a, t0), 1);
	assert_int_equal(feed_na(&n, &na, t0), 1);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_RESOLVED);
	assert_int_equal(n.e[C6].state, CTL_NEIGH_RESOLVED);
	gen = n.gen;
	assert_int_equal(gen, 2);

	/* Quiet until the refresh time. */
	EXPECT_POLL(&n, t0 + 1000, 0, 0);
	EXPECT_POLL(&n, t0 + CTL_NEIGH_REFRESH_MS - 1, 0, 0);
	EXPECT_POLL(&n, t0 + CTL_NEIGH_REFRESH_MS, 1, 1);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_STALE);
	/* Stale is still in use and reported as resolved. */
	assert_true(n.e[C4].has_mac);
	assert_string_equal(ctl_neigh_state_name(n.e[C4].state), "resolved");

	/* c6 answers with the same MAC: resolved again, nothing changed. */
	assert_int_equal(feed_na(&n, &na, t0 + CTL_NEIGH_REFRESH_MS + 10), 1);
	assert_int_equal(n.e[C6].state, CTL_NEIGH_RESOLVED);
	assert_int_equal(n.gen, gen);
	assert_int_equal(n.e[C6].answers, 2);

	/* c4 does not: two more tries, then failed, its MAC forgotten. */
	EXPECT_POLL(&n, t0 + CTL_NEIGH_REFRESH_MS + 1000, 1, 0);
	EXPECT_POLL(&n, t0 + CTL_NEIGH_REFRESH_MS + 2000, 1, 0);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_STALE);
	EXPECT_POLL(&n, t0 + CTL_NEIGH_REFRESH_MS + 2999, 0, 0);
	assert_true(n.e[C4].has_mac);
	EXPECT_POLL(&n, t0 + CTL_NEIGH_REFRESH_MS + 3000, 1, 0);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_FAILED);
	assert_false(n.e[C4].has_mac);
	assert_int_equal(n.gen, gen + 1);
	assert_true(ctl_neigh_changed(&n));
	assert_int_equal(n.e[C6].state, CTL_NEIGH_RESOLVED);
}

/* A control loop that stalls past the lifetime does not keep a MAC. */
static void
test_lifetime(void **state)
{
	struct ctl_neigh n;
	struct arp_spec a = arp_reply(mac_a);
	struct rte_ether_addr mac;

	(void)state;
	neigh_setup(&n);
	assert_int_equal(feed_arp(&n, &a, 100), 1);
	assert_true(ctl_neigh_mac(&n, C4, &mac));
	EXPECT_POLL(&n, 100 + CTL_NEIGH_LIFETIME_MS, 1, 1);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_FAILED);
	assert_false(ctl_neigh_mac(&n, C4, &mac));
	/* c6 never answered: it is still pending after its first try. */
	assert_int_equal(n.e[C6].state, CTL_NEIGH_PENDING);
}

/* No mbuf, or no room in TX: the request stays due. */
static void
test_poll_no_room(void **state)
{
	struct rte_mempool *empty;
	struct ctl_neigh n;
	struct ctl_neigh_tx tx[2];

	(void)state;
	neigh_setup(&n);
	empty = rte_pktmbuf_pool_create("neigh_empty", 1, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	assert_non_null(empty);
	tx[0].m = rte_pktmbuf_alloc(empty);
	assert_non_null(tx[0].m);
	assert_int_equal(ctl_neigh_poll(&n, 0, empty, tx + 1, 1), 0);
	rte_pktmbuf_free(tx[0].m);
	assert_int_equal(n.e[C4].tries, 0);
	assert_int_equal(n.e[C4].requests, 0);

	assert_int_equal(ctl_neigh_poll(&n, 0, pool, tx, 1), 1);
	rte_pktmbuf_free(tx[0].m);
	assert_int_equal(n.e[C4].tries, 1);
	assert_int_equal(n.e[C6].tries, 0);
	EXPECT_POLL(&n, 1, 0, 1);
	rte_mempool_free(empty);
}

/*
 * Answers.
 */

static void
test_arp_answers(void **state)
{
	struct ctl_neigh n;
	struct arp_spec a;
	static const uint8_t other_ip[4] = {198, 18, 1, 99};
	static const uint8_t other_mac[6] = {0x02, 0, 0, 0, 0x77, 0x77};
	static const uint8_t group_mac[6] = {0x01, 0, 0x5e, 0, 0, 0x01};
	static const uint8_t zero_mac[6];
	uint8_t f[60];

	(void)state;
	neigh_setup(&n);

	/* From another host, or for another host. */
	a = arp_reply(mac_a);
	a.sip = other_ip;
	assert_int_equal(feed_arp(&n, &a, 1), 0);
	a = arp_reply(mac_a);
	a.tip = other_ip;
	assert_int_equal(feed_arp(&n, &a, 1), 0);
	a = arp_reply(mac_a);
	a.eth_dst = other_mac;
	assert_int_equal(feed_arp(&n, &a, 1), 0);
	/* On a port with no collector resolving there. */
	a = arp_reply(mac_a);
	arp_frame(f, &a);
	assert_int_equal(feed(&n, 0, f, sizeof(f), 1), 0);
	/* Not ARP for Ethernet and IPv4, or not a request or reply. */
	a = arp_reply(mac_a);
	a.ptype = 0x86dd;
	assert_int_equal(feed_arp(&n, &a, 1), 0);
	a = arp_reply(mac_a);
	a.op = 3;
	assert_int_equal(feed_arp(&n, &a, 1), 0);
	a = arp_reply(mac_a);
	a.ethertype = 0x8100;
	assert_int_equal(feed_arp(&n, &a, 1), 0);
	assert_int_equal(n.ignored, 7);

	/* Malformed: lengths, and a sender MAC no one can be sent to. */
	a = arp_reply(mac_a);
	a.hlen = 8;
	assert_int_equal(feed_arp(&n, &a, 1), -EINVAL);
	a = arp_reply(mac_a);
	a.plen = 16;
	assert_int_equal(feed_arp(&n, &a, 1), -EINVAL);
	a = arp_reply(group_mac);
	assert_int_equal(feed_arp(&n, &a, 1), -EINVAL);
	a = arp_reply(zero_mac);
	assert_int_equal(feed_arp(&n, &a, 1), -EINVAL);
	a = arp_reply(mac_a);
	arp_frame(f, &a);
	assert_int_equal(feed(&n, OUT, f, CTL_NEIGH_ARP_LEN - 1, 1), -EINVAL);
	assert_int_equal(feed(&n, OUT, f, 13, 1), -EINVAL);
	assert_int_equal(n.malformed, 6);

	assert_int_equal(n.e[C4].state, CTL_NEIGH_PENDING);
	assert_false(n.e[C4].has_mac);
	assert_int_equal(n.gen, 0);

	/* The reply, unpadded (42 bytes) this time. */
	a = arp_reply(mac_a);
	arp_frame(f, &a);
	assert_int_equal(feed(&n, OUT, f, CTL_NEIGH_ARP_LEN, 2), 1);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_RESOLVED);
	assert_memory_equal(n.e[C4].mac.addr_bytes, mac_a, 6);
	assert_int_equal(n.e[C4].confirmed_ms, 2);
	/* The IPv6 and the static collector are left alone. */
	assert_int_equal(n.e[C6].state, CTL_NEIGH_PENDING);
	assert_int_equal(n.e[CS].state, CTL_NEIGH_STATIC);

	/* The next hop asking for us, broadcast, from a new MAC. */
	a = arp_reply(mac_b);
	a.op = 1;
	a.eth_dst = bcast;
	a.tha = zero_mac;
	assert_int_equal(feed_arp(&n, &a, 3), 1);
	assert_memory_equal(n.e[C4].mac.addr_bytes, mac_b, 6);
	/* A gratuitous ARP (target = sender) moving it back. */
	a = arp_reply(mac_a);
	a.op = 1;
	a.eth_dst = bcast;
	a.tip = ip_hop;
	assert_int_equal(feed_arp(&n, &a, 4), 1);
	assert_memory_equal(n.e[C4].mac.addr_bytes, mac_a, 6);
	assert_int_equal(n.e[C4].changes, 3);
	assert_int_equal(n.e[C4].answers, 3);
}

static void
test_na_answers(void **state)
{
	struct ctl_neigh n;
	struct na_spec s;
	static const uint8_t other6[16] = {0xfd, 0, 0, 1, [15] = 0x99};
	static const uint8_t group_mac[6] = {0x01, 0, 0x5e, 0, 0, 0x01};
	uint8_t f[128];
	size_t len;

	(void)state;
	neigh_setup(&n);

	/* Not for us: another target, another destination, no TLLA, not
	 * an NA, an extension header first, another host's MAC. */
	s = na_reply(mac_a);
	s.target = other6;
	assert_int_equal(feed_na(&n, &s, 1), 0);
	s = na_reply(mac_a);
	s.dst6 = other6;
	assert_int_equal(feed_na(&n, &s, 1), 0);
	s = na_reply(NULL);
	assert_int_equal(feed_na(&n, &s, 1), 0);
	s = na_reply(mac_a);
	s.type = 135;
	assert_int_equal(feed_na(&n, &s, 1), 0);
	s = na_reply(mac_a);
	s.next_header = 0;
	assert_int_equal(feed_na(&n, &s, 1), 0);
	s = na_reply(mac_a);
	s.eth_dst = mac_b;
	assert_int_equal(feed_na(&n, &s, 1), 0);
	assert_int_equal(n.ignored, 6);

	/* Malformed: hop limit, code, checksum, option length 0, solicited
	 * to a group, payload beyond the frame, short, multicast TLLA. */
	s = na_reply(mac_a);
	s.hops = 64;
	assert_int_equal(feed_na(&n, &s, 1), -EINVAL);
	s = na_reply(mac_a);
	s.code = 1;
	assert_int_equal(feed_na(&n, &s, 1), -EINVAL);
	s = na_reply(mac_a);
	s.cksum_delta = 1;
	assert_int_equal(feed_na(&n, &s, 1), -EINVAL);
	s = na_reply(mac_a);
	s.opt_len = 0;
	assert_int_equal(feed_na(&n, &s, 1), -EINVAL);
	s = na_reply(mac_a);
	s.dst6 = ip6_all_nodes;
	assert_int_equal(feed_na(&n, &s, 1), -EINVAL);
	s = na_reply(mac_a);
	s.payload_delta = 1;
	assert_int_equal(feed_na(&n, &s, 1), -EINVAL);
	s = na_reply(mac_a);
	len = na_frame(f, &s);
	assert_int_equal(feed(&n, OUT, f, 14 + 39, 1), -EINVAL);
	s = na_reply(group_mac);
	assert_int_equal(feed_na(&n, &s, 1), -EINVAL);
	assert_int_equal(n.malformed, 8);
	assert_int_equal(n.e[C6].state, CTL_NEIGH_PENDING);
	assert_int_equal(n.gen, 0);

	/* Without the override flag an empty entry is filled. */
	s = na_reply(mac_a);
	s.flags = NA_S;
	len = na_frame(f, &s);
	assert_int_equal(feed(&n, OUT, f, len, 5), 1);
	assert_int_equal(n.e[C6].state, CTL_NEIGH_RESOLVED);
	assert_memory_equal(n.e[C6].mac.addr_bytes, mac_a, 6);
	/* ... but a known MAC is not replaced. */
	s = na_reply(mac_b);
	s.flags = NA_S;
	assert_int_equal(feed_na(&n, &s, 6), 0);
	assert_memory_equal(n.e[C6].mac.addr_bytes, mac_a, 6);
	/* An unsolicited NA with override, to all nodes, does. */
	s = na_reply(mac_b);
	s.flags = NA_O;
	s.dst6 = ip6_all_nodes;
	s.eth_dst = (const uint8_t[]){0x33, 0x33, 0, 0, 0, 1};
	assert_int_equal(feed_na(&n, &s, 7), 1);
	assert_memory_equal(n.e[C6].mac.addr_bytes, mac_b, 6);
	assert_int_equal(n.e[C6].changes, 2);
	assert_int_equal(n.e[C4].state, CTL_NEIGH_PENDING);
}

/* A changed MAC raises the generation until it is published. */
static void
test_change_and_publish(void **state)
{
	struct ctl_neigh n;
	struct arp_spec a;
	struct rte_ether_addr mac;
	uint64_t built;

	(void)state;
	neigh_setup(&n);
	assert_false(ctl_neigh_changed(&n));
	assert_false(ctl_neigh_mac(&n, C4, &mac));
	assert_true(ctl_neigh_mac(&n, CS, &mac));
	assert_int_equal(mac.addr_bytes[5], 0x09);
	assert_false(ctl_neigh_mac(&n, 3, &mac));

	a = arp_reply(mac_a);
	assert_int_equal(feed_arp(&n, &a, 10), 1);
	assert_true(ctl_neigh_changed(&n));
	built = n.gen;
	ctl_neigh_published(&n, built);
	assert_false(ctl_neigh_changed(&n));

	/* The same MAC again is no change. */
	assert_int_equal(feed_arp(&n, &a, 20), 1);
	assert_false(ctl_neigh_changed(&n));

	/* A new one is; one that comes while the ruleset is being built
	 * keeps the flag up after the older generation is published. */
	a = arp_reply(mac_b);
	assert_int_equal(feed_arp(&n, &a, 30), 1);
	assert_true(ctl_neigh_changed(&n));
	assert_true(ctl_neigh_mac(&n, C4, &mac));
	assert_memory_equal(mac.addr_bytes, mac_b, 6);
	built = n.gen;
	a = arp_reply(mac_a);
	assert_int_equal(feed_arp(&n, &a, 40), 1);
	ctl_neigh_published(&n, built);
	assert_true(ctl_neigh_changed(&n));
	ctl_neigh_published(&n, n.gen);
	assert_false(ctl_neigh_changed(&n));
}

/* After a reload, an unchanged next hop keeps its state. */
static void
test_carry(void **state)
{
	struct ctl_neigh old, fresh;
	struct arp_spec a = arp_reply(mac_a);
	struct na_spec s = na_reply(mac_b);
	struct cfg *cfg;

	(void)state;
	neigh_setup(&old);
	EXPECT_POLL(&old, 0, 1, 1);
	assert_int_equal(feed_arp(&old, &a, 100), 1);
	assert_int_equal(feed_na(&old, &s, 100), 1);

	/* c4 moved down the file, c6 resolves another next hop now. */
	cfg = load_cfg("[dpmirror]\nmode = tap\n"
		       "[port p0]\ndevice = net_null0\n"
		       "[port out]\ndevice = net_null1\n"
		       "[collector c6]\nport = out\nremote_ip = fd00:1::3\n"
		       "local_ip = fd00:1::10\nremote_mac = auto\n"
		       "[collector new4]\nport = out\n"
		       "remote_ip = 198.18.2.3\nlocal_ip = 198.18.1.10\n"
		       "remote_mac = auto\nnext_hop = 198.18.1.3\n"
		       "[session s1]\nsources = p0:rx\n"
		       "collector = c6 new4\n");
	ctl_neigh_init(&fresh, cfg, port_macs);
	cfg_free(cfg);
	ctl_neigh_carry(&fresh, &old);
	assert_int_equal(fresh.e[0].state, CTL_NEIGH_PENDING);
	assert_false(fresh.e[0].has_mac);
	assert_int_equal(fresh.e[1].state, CTL_NEIGH_RESOLVED);
	assert_memory_equal(fresh.e[1].mac.addr_bytes, mac_a, 6);
	assert_int_equal(fresh.e[1].confirmed_ms, 100);
	assert_string_equal(fresh.e[1].name, "new4");
	/* Its refresh is where it was: nothing before REFRESH. */
	EXPECT_POLL(&fresh, 100 + CTL_NEIGH_REFRESH_MS - 1, 0, 1);
	EXPECT_POLL(&fresh, 100 + CTL_NEIGH_REFRESH_MS, 1, 0);
}

static void
test_state_names(void **state)
{
	(void)state;
	assert_string_equal(ctl_neigh_state_name(CTL_NEIGH_STATIC), "static");
	assert_string_equal(ctl_neigh_state_name(CTL_NEIGH_PENDING),
			    "pending");
	assert_string_equal(ctl_neigh_state_name(CTL_NEIGH_RESOLVED),
			    "resolved");
	assert_string_equal(ctl_neigh_state_name(CTL_NEIGH_STALE), "resolved");
	assert_string_equal(ctl_neigh_state_name(CTL_NEIGH_FAILED), "failed");
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests_bytes),
		cmocka_unit_test(test_build_room),
		cmocka_unit_test(test_pending_to_failed),
		cmocka_unit_test(test_resolved_refresh),
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_poll_no_room),
		cmocka_unit_test(test_arp_answers),
		cmocka_unit_test(test_na_answers),
		cmocka_unit_test(test_change_and_publish),
		cmocka_unit_test(test_carry),
		cmocka_unit_test(test_state_names),
	};
	int rc;

	if (eal_test_init() != 0)
		return 1;
	pool = rte_pktmbuf_pool_create("neigh", 255, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "no mbuf pool\n");
		return 1;
	}
	rc = cmocka_run_group_tests_name("neigh", tests, NULL, NULL);
	rte_mempool_free(pool);
	return rc;
}
