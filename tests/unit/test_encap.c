/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the encapsulations: VxLAN outer headers checked against
 * hand-assembled frames; every encapsulation (VxLAN, Geneve, GRE with and
 * without key and sequence number, ERSPAN II and III, none with and
 * without a VLAN tag) over both outer families checked byte for byte
 * against an independent field-by-field encoder and against headers made
 * by scapy; the IPv6 UDP checksum (VxLAN and Geneve) over single and
 * chained (cloned) mbufs checked by an independent RFC 1071 computation;
 * own copies recognised; the symmetric flow hash and the template
 * parameter checks.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp_encap.h"
#include "dp_mirror.h"
#include "dp_flow.h"
#include "dp_parse.h"
#include "eal_test.h"

#define N_RANDOM 10000
#define MAX_INNER 9000
#define FLAT_MAX (DP_ENCAP_MAX_HDR + MAX_INNER)

#define PKT_POOL_N 16
#define HDR_POOL_N 16
#define CLONE_POOL_N 32
#define MIR_POOL_N 16

static struct rte_mempool *pkt_pool;
static struct rte_mempool *hdr_pool;
static struct rte_mempool *clone_pool;
static struct rte_mempool *mir_pool;

/* Deterministic xorshift32 generator: runs are reproducible. */
static uint32_t
rnd(uint32_t *st)
{
	uint32_t x = *st;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*st = x;
	return x;
}

static void
rnd_bytes(uint32_t *st, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(rnd(st) >> 24);
}

/*
 * RFC 1071 reference: add the big-endian 16-bit words of P (which starts at
 * an even offset of the summed data) to SUM; an odd last byte is padded.
 */
static uint64_t
ref_sum(const uint8_t *p, size_t n, uint64_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += ((uint32_t)p[i] << 8) | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
ref_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static void
set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ------------------------------------------------------------------ */
/* Outer headers against hand-assembled frames.                        */

struct hdr_case {
	struct dp_encap_params p;
	/* Expected header; lengths, IPv4 checksum and UDP sport left 0. */
	uint8_t expect[DP_ENCAP_MAX_HDR];
};

#define MAC_A { 0x02, 0x00, 0x00, 0x00, 0x01, 0x0a }
#define MAC_B { 0x02, 0x00, 0x00, 0x00, 0x01, 0x03 }
#define MAC_C { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc }
#define MAC_D { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f }

static const struct hdr_case v4_cases[] = {
	{ /* Plain: DSCP 0, TTL 64, VNI 100, port 4789. */
		.p = { .family = 4, .src_mac = MAC_A, .dst_mac = MAC_B,
		       .src_ip = { 198, 18, 1, 10 },
		       .dst_ip = { 198, 18, 1, 3 },
		       .vni = 100, .dst_port = 4789, .ttl = 64, .dscp = 0 },
		.expect = {
			0x02, 0x00, 0x00, 0x00, 0x01, 0x03,
			0x02, 0x00, 0x00, 0x00, 0x01, 0x0a,
			0x08, 0x00,
			0x45, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00,
			0x40, 0x11, 0x00, 0x00,
			0xc6, 0x12, 0x01, 0x0a,
			0xc6, 0x12, 0x01, 0x03,
			0x00, 0x00, 0x12, 0xb5, 0x00, 0x00, 0x00, 0x00,
			0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00,
		},
	},
	{ /* Extremes: DSCP 63, TTL 1, VNI 0xFFFFFF, port 8472. */
		.p = { .family = 4, .src_mac = MAC_A, .dst_mac = MAC_B,
		       .src_ip = { 198, 18, 255, 254 },
		       .dst_ip = { 255, 255, 255, 255 },
		       .vni = 0xffffff, .dst_port = 8472, .ttl = 1,
		       .dscp = 63 },
		.expect = {
			0x02, 0x00, 0x00, 0x00, 0x01, 0x03,
			0x02, 0x00, 0x00, 0x00, 0x01, 0x0a,
			0x08, 0x00,
			0x45, 0xfc, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00,
			0x01, 0x11, 0x00, 0x00,
			0xc6, 0x12, 0xff, 0xfe,
			0xff, 0xff, 0xff, 0xff,
			0x00, 0x00, 0x21, 0x18, 0x00, 0x00, 0x00, 0x00,
			0x08, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00,
		},
	},
	{ /* DSCP 46 (EF), TTL 255, VNI 0, other MACs. */
		.p = { .family = 4, .src_mac = MAC_C, .dst_mac = MAC_D,
		       .src_ip = { 198, 18, 0, 1 },
		       .dst_ip = { 198, 19, 255, 254 },
		       .vni = 0, .dst_port = 4789, .ttl = 255, .dscp = 46 },
		.expect = {
			0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
			0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
			0x08, 0x00,
			0x45, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00,
			0xff, 0x11, 0x00, 0x00,
			0xc6, 0x12, 0x00, 0x01,
			0xc6, 0x13, 0xff, 0xfe,
			0x00, 0x00, 0x12, 0xb5, 0x00, 0x00, 0x00, 0x00,
			0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		},
	},
};

static const struct hdr_case v6_cases[] = {
	{ /* Plain: DSCP 0, hop limit 64, VNI 100, port 4789. */
		.p = { .family = 6, .src_mac = MAC_A, .dst_mac = MAC_B,
		       .src_ip = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 0x10 },
		       .dst_ip = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 0x03 },
		       .vni = 100, .dst_port = 4789, .ttl = 64, .dscp = 0 },
		.expect = {
			0x02, 0x00, 0x00, 0x00, 0x01, 0x03,
			0x02, 0x00, 0x00, 0x00, 0x01, 0x0a,
			0x86, 0xdd,
			0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x40,
			0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
			0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
			0x00, 0x00, 0x12, 0xb5, 0x00, 0x00, 0x00, 0x00,
			0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00,
		},
	},
	{ /* DSCP 46 (traffic class 0xb8), hop limit 255, VNI 0xFFFFFF. */
		.p = { .family = 6, .src_mac = MAC_C, .dst_mac = MAC_D,
		       .src_ip = { 0xfd, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff, 0xfe },
		       .dst_ip = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff, 0xff },
		       .vni = 0xffffff, .dst_port = 8472, .ttl = 255,
		       .dscp = 46 },
		.expect = {
			0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
			0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
			0x86, 0xdd,
			0x6b, 0x80, 0x00, 0x00, 0x00, 0x00, 0x11, 0xff,
			0xfd, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0x00, 0x00, 0x21, 0x18, 0x00, 0x00, 0x00, 0x00,
			0x08, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00,
		},
	},
	{ /* DSCP 63 (traffic class 0xfc), hop limit 1, VNI 0. */
		.p = { .family = 6, .src_mac = MAC_A, .dst_mac = MAC_B,
		       .src_ip = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 0x01 },
		       .dst_ip = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 0x02 },
		       .vni = 0, .dst_port = 4789, .ttl = 1, .dscp = 63 },
		.expect = {
			0x02, 0x00, 0x00, 0x00, 0x01, 0x03,
			0x02, 0x00, 0x00, 0x00, 0x01, 0x0a,
			0x86, 0xdd,
			0x6f, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x11, 0x01,
			0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
			0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
			0x00, 0x00, 0x12, 0xb5, 0x00, 0x00, 0x00, 0x00,
			0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		},
	},
	{ /* DSCP 1 (traffic class 0x04), VNI 0x123456 (byte order). */
		.p = { .family = 6, .src_mac = MAC_C, .dst_mac = MAC_D,
		       .src_ip = { 0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 0x01 },
		       .dst_ip = { 0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 0x02 },
		       .vni = 0x123456, .dst_port = 4789, .ttl = 64,
		       .dscp = 1 },
		.expect = {
			0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
			0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
			0x86, 0xdd,
			0x60, 0x40, 0x00, 0x00, 0x00, 0x00, 0x11, 0x40,
			0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
			0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
			0x00, 0x00, 0x12, 0xb5, 0x00, 0x00, 0x00, 0x00,
			0x08, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x00,
		},
	},
};

static const uint32_t inner_lens[] = { 0, 60, 1500, 9000 };
static const uint16_t sports[] = { 49152, 0xc123, 65535 };

/* Fill the per-packet fields of a copy of the expected header. */
static void
expect_fill(uint8_t *e, uint8_t family, uint32_t inner_len, uint16_t sport)
{
	uint16_t udp_len = (uint16_t)(8 + 8 + inner_len);

	if (family == 4) {
		set16(e + 14 + 2, (uint16_t)(20 + udp_len));
		set16(e + 14 + 10, 0);
		set16(e + 14 + 10,
		      (uint16_t)~ref_fold(ref_sum(e + 14, 20, 0)));
		set16(e + 34, sport);
		set16(e + 34 + 4, udp_len);
	} else {
		set16(e + 14 + 4, udp_len);
		set16(e + 54, sport);
		set16(e + 54 + 4, udp_len);
	}
}

static void
check_cases(const struct hdr_case *cases, size_t n_cases)
{
	uint8_t buf[DP_ENCAP_MAX_HDR + 16];
	uint8_t e[DP_ENCAP_MAX_HDR];
	struct dp_encap_tmpl t;
	size_t c, i, j, k, align;

	for (c = 0; c < n_cases; c++) {
		const struct hdr_case *hc = &cases[c];
		uint16_t hlen = hc->p.family == 4 ?
			DP_ENCAP_HDR4_LEN : DP_ENCAP_HDR6_LEN;

		assert_int_equal(dp_encap_tmpl_init(&t, &hc->p), 0);
		assert_int_equal(t.family, hc->p.family);
		assert_int_equal(t.len, hlen);
		assert_int_equal(t.l3_ofs, 14);
		assert_int_equal(t.l4_ofs, hc->p.family == 4 ? 34 : 54);

		for (i = 0; i < RTE_DIM(inner_lens); i++) {
			for (j = 0; j < RTE_DIM(sports); j++) {
				memcpy(e, hc->expect, sizeof(e));
				expect_fill(e, hc->p.family, inner_lens[i],
					    sports[j]);
				/* Both an aligned and an odd destination. */
				for (align = 0; align < 2; align++) {
					memset(buf, 0xa5, sizeof(buf));
					dp_encap_write(&t, buf + align,
						       inner_lens[i], sports[j]);
					assert_memory_equal(buf + align, e,
							    hlen);
					/* Nothing written outside the header. */
					for (k = 0; k < align; k++)
						assert_int_equal(buf[k], 0xa5);
					for (k = align + hlen; k < sizeof(buf);
					     k++)
						assert_int_equal(buf[k], 0xa5);
				}
				/* The IPv4 header verifies to 0xffff. */
				if (hc->p.family == 4)
					assert_int_equal(ref_fold(ref_sum(
						buf + 1 + 14, 20, 0)), 0xffff);
			}
		}
	}
}

static void
test_hdr_ipv4(void **state)
{
	(void)state;
	check_cases(v4_cases, RTE_DIM(v4_cases));
}

static void
test_hdr_ipv6(void **state)
{
	(void)state;
	check_cases(v6_cases, RTE_DIM(v6_cases));
}

/*
 * Two complete outer headers, checksum included, as produced by an
 * independent encoder (scapy: Ether/IP(flags=DF, id=0)/UDP(chksum=0)/VXLAN)
 * for the parameters of v4_cases[0] and v4_cases[1].
 */
static void
test_hdr_ipv4_reference(void **state)
{
	static const uint8_t ref0[DP_ENCAP_HDR4_LEN] = { /* inner 60 */
		0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x02, 0x00, 0x00, 0x00,
		0x01, 0x0a, 0x08, 0x00, 0x45, 0x00, 0x00, 0x60, 0x00, 0x00,
		0x40, 0x00, 0x40, 0x11, 0xac, 0x5b, 0xc6, 0x12, 0x01, 0x0a,
		0xc6, 0x12, 0x01, 0x03, 0xc1, 0x23, 0x12, 0xb5, 0x00, 0x4c,
		0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00,
	};
	static const uint8_t ref1[DP_ENCAP_HDR4_LEN] = { /* inner 9000 */
		0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x02, 0x00, 0x00, 0x00,
		0x01, 0x0a, 0x08, 0x00, 0x45, 0xfc, 0x23, 0x4c, 0x00, 0x00,
		0x40, 0x00, 0x01, 0x11, 0x8f, 0x94, 0xc6, 0x12, 0xff, 0xfe,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x21, 0x18, 0x23, 0x38,
		0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00,
	};
	uint8_t buf[DP_ENCAP_HDR4_LEN];
	struct dp_encap_tmpl t;

	(void)state;
	assert_int_equal(dp_encap_tmpl_init(&t, &v4_cases[0].p), 0);
	dp_encap_write(&t, buf, 60, 0xc123);
	assert_memory_equal(buf, ref0, sizeof(ref0));

	assert_int_equal(dp_encap_tmpl_init(&t, &v4_cases[1].p), 0);
	dp_encap_write(&t, buf, 9000, 0xffff);
	assert_memory_equal(buf, ref1, sizeof(ref1));
}

/* Rewriting with another length leaves no trace of the previous one. */
static void
test_hdr_rewrite(void **state)
{
	uint8_t a[DP_ENCAP_MAX_HDR], b[DP_ENCAP_MAX_HDR];
	struct dp_encap_tmpl t;
	size_t c;

	(void)state;
	for (c = 0; c < RTE_DIM(v4_cases); c++) {
		assert_int_equal(dp_encap_tmpl_init(&t, &v4_cases[c].p), 0);
		dp_encap_write(&t, a, 1500, 50000);
		memcpy(b, a, sizeof(b));
		dp_encap_write(&t, b, 9000, 60000);
		dp_encap_write(&t, b, 1500, 50000);
		assert_memory_equal(a, b, t.len);
	}
}

/* With the IPv4 checksum left to the NIC, the header is the same but for
 * a checksum field of 0. */
static void
test_hdr_hw_cksum(void **state)
{
	uint8_t sw[DP_ENCAP_MAX_HDR], hw[DP_ENCAP_MAX_HDR];
	struct dp_encap_tmpl t;
	size_t c;

	(void)state;
	for (c = 0; c < RTE_DIM(v4_cases); c++) {
		assert_int_equal(dp_encap_tmpl_init(&t, &v4_cases[c].p), 0);
		dp_encap_write(&t, sw, 1500, 50000);
		t.hw_ip_cksum = 1;
		memset(hw, 0xa5, sizeof(hw));
		dp_encap_write(&t, hw, 1500, 50000);
		assert_int_equal(hw[14 + 10], 0);
		assert_int_equal(hw[14 + 11], 0);
		assert_true(sw[14 + 10] != 0 || sw[14 + 11] != 0);
		sw[14 + 10] = 0;
		sw[14 + 11] = 0;
		assert_memory_equal(sw, hw, t.len);
	}
}

/* ------------------------------------------------------------------ */
/* IPv6 UDP checksum over finished mbufs.                              */

/* Copy the whole chain M into FLAT; returns the number of bytes. */
static uint32_t
flatten(const struct rte_mbuf *m, uint8_t *flat)
{
	const struct rte_mbuf *s;
	uint32_t n = 0;

	for (s = m; s != NULL; s = s->next) {
		assert_true(n + s->data_len <= FLAT_MAX);
		memcpy(flat + n, rte_pktmbuf_mtod(s, const uint8_t *),
		       s->data_len);
		n += s->data_len;
	}
	assert_int_equal(n, m->pkt_len);
	return n;
}

/*
 * Independent sum over the IPv6 pseudo-header (RFC 8200 8.1) and the UDP
 * datagram of the flat packet, with the checksum field read as CK_AS.
 */
static uint64_t
ref_udp6_sum(const uint8_t *flat, uint16_t ck_as)
{
	const uint8_t *ip = flat + 14;
	const uint8_t *udp = flat + 54;
	uint16_t plen = get16(ip + 4);
	uint64_t sum = 0;

	sum = ref_sum(ip + 8, 32, sum);  /* source and destination */
	sum += plen;                     /* upper-layer length (32 bits) */
	sum += 17;                       /* zeros and next header */
	sum = ref_sum(udp, 6, sum);      /* ports and length */
	sum += ck_as;
	sum = ref_sum(udp + 8, plen - 8u, sum);
	return sum;
}

static void
check_udp6(const struct rte_mbuf *m, uint32_t inner_len, uint16_t sport)
{
	static uint8_t flat[FLAT_MAX];
	uint32_t n = flatten(m, flat);
	uint16_t ck, want;

	assert_int_equal(n, DP_ENCAP_HDR6_LEN + inner_len);
	assert_int_equal(get16(flat + 14 + 4), 16 + inner_len);
	assert_int_equal(get16(flat + 54), sport);
	assert_int_equal(get16(flat + 54 + 4), 16 + inner_len);

	ck = get16(flat + 54 + 6);
	want = (uint16_t)~ref_fold(ref_udp6_sum(flat, 0));
	if (want == 0)
		want = 0xffff;
	assert_int_equal(ck, want);
	assert_int_not_equal(ck, 0);
	/* The receiver's check: the whole datagram sums to 0xffff. */
	assert_int_equal(ref_fold(ref_udp6_sum(flat, ck)), 0xffff);
}

/*
 * Make the one's-complement sum of the finished packet M (checksum field
 * 0) come to 0xffff by setting the 16-bit word at W (an even offset of the
 * datagram), so that the computed checksum is 0 and must be sent as 0xffff.
 */
static void
force_zero_csum(const struct rte_mbuf *m, uint8_t *w)
{
	static uint8_t flat[FLAT_MAX];

	set16(w, 0);
	flatten(m, flat);
	set16(w, (uint16_t)~ref_fold(ref_udp6_sum(flat, 0)));
	flatten(m, flat);
	assert_int_equal(ref_fold(ref_udp6_sum(flat, 0)), 0xffff);
}

/* The UDP encapsulations over IPv6: case C < N_UDP6 of v6_cases as VxLAN,
 * then each again as Geneve (on its port 6081 where VxLAN has 4789). */
#define N_UDP6 (2 * RTE_DIM(v6_cases))
static struct dp_encap_params
udp6_params(size_t c)
{
	struct dp_encap_params p = v6_cases[c % RTE_DIM(v6_cases)].p;

	if (c >= RTE_DIM(v6_cases)) {
		p.type = DP_ENCAP_GENEVE;
		if (p.dst_port == 4789)
			p.dst_port = 6081;
	}
	return p;
}

static void
test_udp6_single(void **state)
{
	static const uint32_t lens[] = { 0, 1, 59, 60, 61, 1500, 9000 };
	struct dp_encap_params pa;
	struct dp_encap_tmpl t;
	struct rte_mbuf *m;
	uint32_t st = 0x1234567;
	uint8_t *p;
	size_t c, i;

	(void)state;
	for (c = 0; c < N_UDP6; c++) {
		pa = udp6_params(c);
		assert_int_equal(dp_encap_tmpl_init(&t, &pa), 0);
		for (i = 0; i < RTE_DIM(lens); i++) {
			uint16_t sport = dp_encap_sport(rnd(&st));

			m = rte_pktmbuf_alloc(pkt_pool);
			assert_non_null(m);
			p = (uint8_t *)rte_pktmbuf_append(m,
					(uint16_t)(t.len + lens[i]));
			assert_non_null(p);
			rnd_bytes(&st, p + t.len, lens[i]);
			dp_encap_write(&t, p, lens[i], sport);
			dp_encap_udp6_csum(&t, m);
			check_udp6(m, lens[i], sport);

			/* A computed checksum of 0 is sent as 0xffff. */
			if (lens[i] >= 2 && lens[i] % 2 == 0) {
				dp_encap_write(&t, p, lens[i], sport);
				force_zero_csum(m, p + t.len + lens[i] - 2);
				dp_encap_udp6_csum(&t, m);
				assert_int_equal(get16(p + 54 + 6), 0xffff);
				check_udp6(m, lens[i], sport);
			}
			rte_pktmbuf_free(m);
		}
	}
}

/*
 * A complete IPv6 outer header, UDP checksum included, as produced by an
 * independent encoder (scapy) for v6_cases[0], UDP source port 0xc123 and
 * an inner frame of 61 bytes, byte i = 7 * i + 3.
 */
static void
test_udp6_reference(void **state)
{
	static const uint8_t ref[DP_ENCAP_HDR6_LEN] = {
		0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x02, 0x00, 0x00, 0x00,
		0x01, 0x0a, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x4d,
		0x11, 0x40, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0xfd, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x03, 0xc1, 0x23, 0x12, 0xb5, 0x00, 0x4d,
		0xed, 0x62, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00,
	};
	struct dp_encap_tmpl t;
	struct rte_mbuf *m;
	uint8_t *p;
	unsigned int i;

	(void)state;
	assert_int_equal(dp_encap_tmpl_init(&t, &v6_cases[0].p), 0);
	m = rte_pktmbuf_alloc(pkt_pool);
	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, t.len + 61);
	assert_non_null(p);
	for (i = 0; i < 61; i++)
		p[t.len + i] = (uint8_t)(7 * i + 3);
	dp_encap_write(&t, p, 61, 0xc123);
	dp_encap_udp6_csum(&t, m);
	assert_memory_equal(p, ref, sizeof(ref));
	check_udp6(m, 61, 0xc123);
	rte_pktmbuf_free(m);
}

/*
 * The mirroring layout: a header mbuf from its own pool chained in front of
 * an indirect clone of the (possibly multi-segment) original frame.
 */
struct chain {
	struct rte_mbuf *orig;  /* the original inner frame */
	struct rte_mbuf *pkt;   /* header mbuf -> clone of orig */
};

static void
chain_build(struct chain *ch, const struct dp_encap_tmpl *t,
	    const uint16_t *seg_lens, size_t n_segs, uint32_t *st)
{
	struct rte_mbuf *last = NULL, *seg, *clone, *hdr;
	size_t i;
	uint8_t *p;

	ch->orig = NULL;
	for (i = 0; i < n_segs; i++) {
		seg = rte_pktmbuf_alloc(pkt_pool);
		assert_non_null(seg);
		if (seg_lens[i] != 0) {
			p = (uint8_t *)rte_pktmbuf_append(seg, seg_lens[i]);
			assert_non_null(p);
			rnd_bytes(st, p, seg_lens[i]);
		}
		if (ch->orig == NULL) {
			ch->orig = seg;
		} else {
			assert_int_equal(rte_pktmbuf_chain(ch->orig, seg), 0);
		}
		last = seg;
	}
	assert_non_null(last);

	clone = rte_pktmbuf_clone(ch->orig, clone_pool);
	assert_non_null(clone);
	assert_true(RTE_MBUF_CLONED(clone));

	hdr = rte_pktmbuf_alloc(hdr_pool);
	assert_non_null(hdr);
	assert_non_null(rte_pktmbuf_append(hdr, t->len));
	hdr->next = clone;
	hdr->nb_segs = (uint16_t)(clone->nb_segs + 1);
	hdr->pkt_len = hdr->data_len + clone->pkt_len;
	ch->pkt = hdr;
}

static void
chain_free(struct chain *ch)
{
	rte_pktmbuf_free(ch->pkt);
	rte_pktmbuf_free(ch->orig);
}

/*
 * A 16-bit word of the inner frame of M that lies inside one segment at an
 * even offset of the datagram (which starts at offset 54, an even one).
 */
static uint8_t *
chain_last_word(const struct rte_mbuf *m)
{
	const struct rte_mbuf *s;
	uint8_t *w = NULL;
	uint32_t ofs = m->data_len, pos;

	for (s = m->next; s != NULL; s = s->next) {
		if (s->data_len >= 2) {
			pos = ofs + s->data_len - 2u;
			pos -= pos % 2;
			if (pos >= ofs)
				w = rte_pktmbuf_mtod_offset(s, uint8_t *,
							    pos - ofs);
		}
		ofs += s->data_len;
	}
	assert_non_null(w);
	return w;
}

static void
test_udp6_chain(void **state)
{
	/* Inner frame layouts; odd lengths put later segments at odd offsets. */
	static const uint16_t l0[] = { 0 };
	static const uint16_t l1[] = { 60 };
	static const uint16_t l2[] = { 1500 };
	static const uint16_t l3[] = { 61, 1001, 7, 2931 };
	static const uint16_t l4[] = { 1, 1, 1, 8997 };
	static const uint16_t l5[] = { 1499, 1500, 0, 1501, 3 };
	static const uint16_t l6[] = { 9000 };
	static const struct {
		const uint16_t *lens;
		size_t n;
	} layouts[] = {
		{ l0, RTE_DIM(l0) }, { l1, RTE_DIM(l1) }, { l2, RTE_DIM(l2) },
		{ l3, RTE_DIM(l3) }, { l4, RTE_DIM(l4) }, { l5, RTE_DIM(l5) },
		{ l6, RTE_DIM(l6) },
	};
	struct dp_encap_params pa;
	struct dp_encap_tmpl t;
	struct chain ch;
	uint32_t st = 0xdeadbeef;
	size_t c, i;

	(void)state;
	for (c = 0; c < N_UDP6; c++) {
		pa = udp6_params(c);
		assert_int_equal(dp_encap_tmpl_init(&t, &pa), 0);
		for (i = 0; i < RTE_DIM(layouts); i++) {
			uint16_t sport = dp_encap_sport(rnd(&st));
			uint32_t inner;
			uint8_t *hdr;

			chain_build(&ch, &t, layouts[i].lens, layouts[i].n,
				    &st);
			inner = ch.orig->pkt_len;
			assert_int_equal(ch.pkt->nb_segs, layouts[i].n + 1);
			hdr = rte_pktmbuf_mtod(ch.pkt, uint8_t *);
			dp_encap_write(&t, hdr, inner, sport);
			dp_encap_udp6_csum(&t, ch.pkt);
			check_udp6(ch.pkt, inner, sport);

			if (inner >= 2) {
				dp_encap_write(&t, hdr, inner, sport);
				force_zero_csum(ch.pkt,
						chain_last_word(ch.pkt));
				dp_encap_udp6_csum(&t, ch.pkt);
				assert_int_equal(get16(hdr + 54 + 6), 0xffff);
				check_udp6(ch.pkt, inner, sport);
			}
			chain_free(&ch);
		}
	}
}

/* Every mbuf went back to its pool. */
static void
test_pools_balanced(void **state)
{
	(void)state;
	assert_int_equal(rte_mempool_avail_count(pkt_pool), PKT_POOL_N);
	assert_int_equal(rte_mempool_avail_count(hdr_pool), HDR_POOL_N);
	assert_int_equal(rte_mempool_avail_count(clone_pool), CLONE_POOL_N);
	assert_int_equal(rte_mempool_avail_count(mir_pool), MIR_POOL_N);
}

/* ------------------------------------------------------------------ */
/* Symmetric flow hash.                                                */

#define FRAME_LEN 64

static void
rand_flow(struct dp_meta *m, uint8_t *frame, uint8_t l3, uint32_t *st)
{
	static const uint8_t protos[] = { 6, 17, 132, 1, 58, 47 };
	size_t alen = l3 == DP_L3_IPV4 ? 4 : 16;

	memset(m, 0, sizeof(*m));
	rnd_bytes(st, frame, FRAME_LEN);
	m->l3 = l3;
	m->vlan = DP_VLAN_NONE;
	m->l3_ofs = 14;
	if (l3 == DP_L3_OTHER) {
		m->ethertype = 0x88cc;
		return;
	}
	m->ethertype = l3 == DP_L3_IPV4 ? 0x0800 : 0x86dd;
	rnd_bytes(st, m->src, alen);
	/* One flow in eight talks to itself: only the ports tell apart. */
	if (rnd(st) % 8 == 0)
		memcpy(m->dst, m->src, alen);
	else
		rnd_bytes(st, m->dst, alen);
	m->proto = protos[rnd(st) % RTE_DIM(protos)];
	if (m->proto == 6 || m->proto == 17 || m->proto == 132) {
		m->has_ports = 1;
		m->l4_ofs = (uint16_t)(14 + (l3 == DP_L3_IPV4 ? 20 : 40));
		m->sport = (uint16_t)rnd(st);
		m->dport = (uint16_t)rnd(st);
	}
}

/* The reverse direction of M/FRAME: endpoints and MACs swapped. */
static void
reverse_flow(const struct dp_meta *m, const uint8_t *frame,
	     struct dp_meta *r, uint8_t *rframe)
{
	*r = *m;
	memcpy(r->src, m->dst, sizeof(r->src));
	memcpy(r->dst, m->src, sizeof(r->dst));
	r->sport = m->dport;
	r->dport = m->sport;
	memcpy(rframe, frame, FRAME_LEN);
	memcpy(rframe, frame + 6, 6);
	memcpy(rframe + 6, frame, 6);
}

static void
check_symmetric(uint8_t l3)
{
	uint8_t f[FRAME_LEN], rf[FRAME_LEN];
	struct dp_meta m, r;
	uint32_t st = 0xabcdef01u + l3;
	uint32_t h;
	int i;

	for (i = 0; i < N_RANDOM; i++) {
		rand_flow(&m, f, l3, &st);
		reverse_flow(&m, f, &r, rf);
		h = dp_flow_hash(&m, f, FRAME_LEN);
		assert_int_equal(h, dp_flow_hash(&r, rf, FRAME_LEN));
		/* Deterministic: the same input, the same value. */
		assert_int_equal(h, dp_flow_hash(&m, f, FRAME_LEN));
		assert_in_range(dp_encap_sport(h), 49152, 65535);
	}
}

static void
test_hash_symmetric_ipv4(void **state)
{
	(void)state;
	check_symmetric(DP_L3_IPV4);
}

static void
test_hash_symmetric_ipv6(void **state)
{
	(void)state;
	check_symmetric(DP_L3_IPV6);
}

static void
test_hash_symmetric_other(void **state)
{
	(void)state;
	check_symmetric(DP_L3_OTHER);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * 10000 random flows: 32-bit collisions are expected about 0.01 times, so
 * a handful means a broken hash.  The source ports (14 bits) should cover
 * about 16384 * (1 - exp(-10000 / 16384)) = 7470 values, and a pick of one
 * of three collectors should be balanced.
 */
static void
check_spread(uint8_t l3)
{
	static uint32_t h[N_RANDOM];
	static uint8_t seen[16384];
	uint8_t f[FRAME_LEN];
	struct dp_meta m;
	uint32_t st = 0x600dcafeu + l3;
	unsigned int dup = 0, ports = 0, pick[3] = { 0, 0, 0 };
	int i;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < N_RANDOM; i++) {
		rand_flow(&m, f, l3, &st);
		h[i] = dp_flow_hash(&m, f, FRAME_LEN);
		pick[h[i] % 3]++;
		if (!seen[dp_encap_sport(h[i]) - 49152]) {
			seen[dp_encap_sport(h[i]) - 49152] = 1;
			ports++;
		}
	}
	qsort(h, N_RANDOM, sizeof(h[0]), cmp_u32);
	for (i = 1; i < N_RANDOM; i++)
		if (h[i] == h[i - 1])
			dup++;
	assert_true(dup <= 3);
	assert_true(ports > 7000 && ports < 7900);
	for (i = 0; i < 3; i++)
		assert_in_range(pick[i], N_RANDOM / 3 - 300,
				N_RANDOM / 3 + 300);
}

static void
test_hash_spread(void **state)
{
	(void)state;
	check_spread(DP_L3_IPV4);
	check_spread(DP_L3_IPV6);
	check_spread(DP_L3_OTHER);
}

/* Flows that differ only by one port or by the protocol hash apart. */
static void
test_hash_port_proto(void **state)
{
	uint8_t f[FRAME_LEN];
	struct dp_meta m, v;
	uint32_t st = 0x5eed5eedu;
	unsigned int same_port = 0, same_proto = 0, n_ports = 0;
	uint8_t l3;
	int i;

	(void)state;
	for (i = 0; i < N_RANDOM; i++) {
		l3 = i % 2 ? DP_L3_IPV6 : DP_L3_IPV4;
		rand_flow(&m, f, l3, &st);
		v = m;
		v.proto = (uint8_t)(m.proto + 1 + rnd(&st) % 255);
		if (dp_flow_hash(&m, f, FRAME_LEN) ==
		    dp_flow_hash(&v, f, FRAME_LEN))
			same_proto++;
		if (!m.has_ports)
			continue;
		n_ports++;
		v = m;
		if (rnd(&st) % 2)
			v.sport = (uint16_t)(m.sport + 1 + rnd(&st) % 65535);
		else
			v.dport = (uint16_t)(m.dport + 1 + rnd(&st) % 65535);
		if (dp_flow_hash(&m, f, FRAME_LEN) ==
		    dp_flow_hash(&v, f, FRAME_LEN))
			same_port++;
	}
	assert_true(n_ports > N_RANDOM / 3);
	assert_true(same_port <= 3);
	assert_true(same_proto <= 3);
}

/* Without ports, the port fields do not count; IPv4 vs IPv6 differ. */
static void
test_hash_no_ports(void **state)
{
	uint8_t f[FRAME_LEN];
	struct dp_meta m, v;
	uint32_t st = 0x0badf00du;
	unsigned int fam_same = 0;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		rand_flow(&m, f, i % 2 ? DP_L3_IPV6 : DP_L3_IPV4, &st);
		m.has_ports = 0;
		m.sport = 0;
		m.dport = 0;
		v = m;
		v.sport = (uint16_t)(1 + rnd(&st) % 65535);
		v.dport = (uint16_t)(1 + rnd(&st) % 65535);
		assert_int_equal(dp_flow_hash(&m, f, FRAME_LEN),
				 dp_flow_hash(&v, f, FRAME_LEN));
		/* Only the first 4 address bytes make an IPv4 flow. */
		if (m.l3 == DP_L3_IPV4) {
			v = m;
			v.src[4] ^= 0xff;
			v.dst[15] ^= 0x01;
			assert_int_equal(dp_flow_hash(&m, f, FRAME_LEN),
					 dp_flow_hash(&v, f, FRAME_LEN));
			v = m;
			v.l3 = DP_L3_IPV6;
			if (dp_flow_hash(&m, f, FRAME_LEN) ==
			    dp_flow_hash(&v, f, FRAME_LEN))
				fam_same++;
		}
	}
	assert_true(fam_same <= 1);
}

/* All fragments of a datagram hash alike: the first (with ports) and the
 * others (without) land on the same collector and source port. */
static void
test_hash_fragments(void **state)
{
	uint8_t f[FRAME_LEN];
	struct dp_meta first, later;
	uint32_t st = 0xf4a9u;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		rand_flow(&first, f, i % 2 ? DP_L3_IPV6 : DP_L3_IPV4, &st);
		first.has_ports = 1;
		first.sport = (uint16_t)(1 + rnd(&st) % 65535);
		first.dport = (uint16_t)(1 + rnd(&st) % 65535);
		first.flags = DP_F_FRAG | DP_F_FRAG_FIRST;
		later = first;
		later.has_ports = 0;
		later.sport = 0;
		later.dport = 0;
		later.flags = DP_F_FRAG;
		assert_int_equal(dp_flow_hash(&first, f, FRAME_LEN),
				 dp_flow_hash(&later, f, FRAME_LEN));
	}
}

/* Non-IP frames: only the two MACs count; under 12 bytes the hash is 0. */
static void
test_hash_other(void **state)
{
	uint8_t f[FRAME_LEN], g[FRAME_LEN];
	struct dp_meta m;
	uint32_t st = 0x77777777u;
	uint32_t h;
	uint32_t len;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		rand_flow(&m, f, DP_L3_OTHER, &st);
		for (len = 0; len < 12; len++)
			assert_int_equal(dp_flow_hash(&m, f, len), 0);
		h = dp_flow_hash(&m, f, FRAME_LEN);
		assert_int_equal(h, dp_flow_hash(&m, f, 12));
		memcpy(g, f, 12);
		rnd_bytes(&st, g + 12, FRAME_LEN - 12);
		assert_int_equal(h, dp_flow_hash(&m, g, FRAME_LEN));
	}
}

static void
test_sport_range(void **state)
{
	static const uint32_t edge[] = {
		0, 1, 0x3fff, 0x4000, 0xbfff, 0xc000, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	};
	uint32_t st = 42;
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(edge); i++)
		assert_in_range(dp_encap_sport(edge[i]), 49152, 65535);
	for (i = 0; i < N_RANDOM; i++)
		assert_in_range(dp_encap_sport(rnd(&st)), 49152, 65535);
	/* The whole range is reachable. */
	assert_int_equal(dp_encap_sport(0), 49152);
	assert_int_equal(dp_encap_sport(0x3fff), 65535);
}

/* ------------------------------------------------------------------ */
/* Every encapsulation against an independent encoder.                 */

/*
 * The reference encoder below builds each outer header field by field from
 * the layouts of RFC 791, RFC 8200, RFC 768, RFC 7348, RFC 8926, RFC 2784,
 * RFC 2890 and draft-foschiano-erspan, packing the sub-byte fields most
 * significant bit first as the drawings show them.
 */

struct ref_wr {
	uint8_t *p;
	size_t n;
	uint64_t acc; /* bits not yet written */
	unsigned int nbits;
};

/* Append the WIDTH low bits of V (which must fit them). */
static void
ref_bits(struct ref_wr *w, uint32_t v, unsigned int width)
{
	assert_true(width >= 1 && width <= 32);
	assert_true(width == 32 || v < (1u << width));
	w->acc = (w->acc << width) | v;
	w->nbits += width;
	while (w->nbits >= 8) {
		w->nbits -= 8;
		w->p[w->n++] = (uint8_t)(w->acc >> w->nbits);
	}
}

static void
ref_bytes(struct ref_wr *w, const uint8_t *b, size_t n)
{
	size_t i;

	assert_int_equal(w->nbits, 0);
	for (i = 0; i < n; i++)
		ref_bits(w, b[i], 8);
}

/* Bytes a copy gains, from the table of overheads (IPv4 | IPv6 outer). */
static uint16_t
ref_overhead(const struct dp_encap_params *p)
{
	static const uint16_t base[DP_ENCAP_N_TYPES][2] = {
		[DP_ENCAP_VXLAN] = { 50, 70 },	 [DP_ENCAP_GENEVE] = { 50, 70 },
		[DP_ENCAP_GRE] = { 38, 58 },	 [DP_ENCAP_ERSPAN2] = { 50, 70 },
		[DP_ENCAP_ERSPAN3] = { 54, 74 }, [DP_ENCAP_NONE] = { 0, 0 },
	};
	uint16_t n = base[p->type][p->family == 6];

	if (p->type == DP_ENCAP_GRE)
		n = (uint16_t)(n + 4 * (p->gre_key_set != 0) +
			       4 * (p->gre_seq != 0));
	if (p->type == DP_ENCAP_NONE && p->vlan != 0)
		n = (uint16_t)(n + 4);
	return n;
}

static int
ref_is_udp(uint8_t type)
{
	return type == DP_ENCAP_VXLAN || type == DP_ENCAP_GENEVE;
}

static int
ref_is_erspan(uint8_t type)
{
	return type == DP_ENCAP_ERSPAN2 || type == DP_ENCAP_ERSPAN3;
}

/* GRE header options present (key, sequence number). */
static int
ref_gre_key(const struct dp_encap_params *p)
{
	return p->type == DP_ENCAP_GRE && p->gre_key_set;
}

static int
ref_gre_seq(const struct dp_encap_params *p)
{
	return (p->type == DP_ENCAP_GRE && p->gre_seq) || ref_is_erspan(p->type);
}

/*
 * The outer header of a copy made from P for the packet PK, into OUT;
 * returns its length.  Over IPv6 the UDP checksum is left 0, as
 * dp_encap_write_pkt leaves it.  Not for DP_ENCAP_NONE.
 */
static size_t
ref_encode(const struct dp_encap_params *p, const struct dp_encap_pkt *pk,
	   uint8_t *out)
{
	struct ref_wr w = { .p = out };
	uint32_t after_ip, vid = 0, cos = 0, en = 0;
	size_t ip_at;

	assert_true(p->type != DP_ENCAP_NONE);
	if (ref_is_udp(p->type))
		after_ip = 8 + 8;
	else
		after_ip = 4 + 4 * (uint32_t)ref_gre_key(p) +
			   4 * (uint32_t)ref_gre_seq(p) +
			   (p->type == DP_ENCAP_ERSPAN2   ? 8
			    : p->type == DP_ENCAP_ERSPAN3 ? 12
							  : 0);
	after_ip += pk->inner_len;

	/* Ethernet II */
	ref_bytes(&w, p->dst_mac, 6);
	ref_bytes(&w, p->src_mac, 6);
	ref_bits(&w, p->family == 4 ? 0x0800 : 0x86dd, 16);

	ip_at = w.n;
	if (p->family == 4) {
		ref_bits(&w, 4, 4);			/* version */
		ref_bits(&w, 5, 4);			/* IHL */
		ref_bits(&w, p->dscp, 6);		/* DSCP */
		ref_bits(&w, 0, 2);			/* ECN */
		ref_bits(&w, 20 + after_ip, 16);	/* total length */
		ref_bits(&w, 0, 16);			/* identification */
		ref_bits(&w, 0, 1);			/* reserved flag */
		ref_bits(&w, 1, 1);			/* DF */
		ref_bits(&w, 0, 1);			/* MF */
		ref_bits(&w, 0, 13);			/* fragment offset */
		ref_bits(&w, p->ttl, 8);
		ref_bits(&w, ref_is_udp(p->type) ? 17 : 47, 8);
		ref_bits(&w, 0, 16);			/* checksum, below */
		ref_bytes(&w, p->src_ip, 4);
		ref_bytes(&w, p->dst_ip, 4);
		set16(out + ip_at + 10,
		      (uint16_t)~ref_fold(ref_sum(out + ip_at, 20, 0)));
	} else {
		ref_bits(&w, 6, 4);			/* version */
		ref_bits(&w, p->dscp, 6);		/* traffic class: DSCP */
		ref_bits(&w, 0, 2);			/* and ECN */
		ref_bits(&w, 0, 20);			/* flow label */
		ref_bits(&w, after_ip, 16);		/* payload length */
		ref_bits(&w, ref_is_udp(p->type) ? 17 : 47, 8);
		ref_bits(&w, p->ttl, 8);		/* hop limit */
		ref_bytes(&w, p->src_ip, 16);
		ref_bytes(&w, p->dst_ip, 16);
	}

	if (ref_is_udp(p->type)) {
		ref_bits(&w, pk->sport, 16);
		ref_bits(&w, p->dst_port, 16);
		ref_bits(&w, after_ip, 16);		/* UDP length */
		ref_bits(&w, 0, 16);			/* checksum */
		if (p->type == DP_ENCAP_VXLAN) {
			ref_bits(&w, 0, 4);		/* R R R R */
			ref_bits(&w, 1, 1);		/* I */
			ref_bits(&w, 0, 3);		/* R R R */
			ref_bits(&w, 0, 24);		/* reserved */
			ref_bits(&w, p->vni, 24);
			ref_bits(&w, 0, 8);		/* reserved */
		} else {
			ref_bits(&w, 0, 2);		/* version */
			ref_bits(&w, 0, 6);		/* option length */
			ref_bits(&w, 0, 1);		/* O */
			ref_bits(&w, 0, 1);		/* C */
			ref_bits(&w, 0, 6);		/* reserved */
			ref_bits(&w, 0x6558, 16);	/* protocol type */
			ref_bits(&w, p->vni, 24);
			ref_bits(&w, 0, 8);		/* reserved */
		}
		return w.n;
	}

	/* GRE, RFC 2784 with the key and sequence number of RFC 2890. */
	ref_bits(&w, 0, 1);				/* C */
	ref_bits(&w, 0, 1);				/* reserved (R) */
	ref_bits(&w, (uint32_t)ref_gre_key(p), 1);	/* K */
	ref_bits(&w, (uint32_t)ref_gre_seq(p), 1);	/* S */
	ref_bits(&w, 0, 9);				/* reserved0 */
	ref_bits(&w, 0, 3);				/* version */
	ref_bits(&w, p->type == DP_ENCAP_GRE	   ? 0x6558
		     : p->type == DP_ENCAP_ERSPAN2 ? 0x88be
						   : 0x22eb,
		 16);
	if (ref_gre_key(p))
		ref_bits(&w, p->gre_key, 32);
	if (ref_gre_seq(p))
		ref_bits(&w, pk->seq, 32);
	if (!ref_is_erspan(p->type))
		return w.n;

	if (pk->tagged) {
		vid = pk->tci & 0xfffu;
		cos = (uint32_t)pk->tci >> 13;
		en = 3; /* the tag is kept in the frame */
	}
	if (p->type == DP_ENCAP_ERSPAN2) {
		ref_bits(&w, 1, 4);			/* version */
		ref_bits(&w, vid, 12);
		ref_bits(&w, cos, 3);
		ref_bits(&w, en, 2);
		ref_bits(&w, pk->truncated != 0, 1);	/* T */
		ref_bits(&w, p->session_id, 10);
		ref_bits(&w, 0, 12);			/* reserved */
		ref_bits(&w, pk->index, 20);
	} else {
		ref_bits(&w, 2, 4);			/* version */
		ref_bits(&w, vid, 12);
		ref_bits(&w, cos, 3);
		ref_bits(&w, 0, 2);			/* BSO */
		ref_bits(&w, pk->truncated != 0, 1);	/* T */
		ref_bits(&w, p->session_id, 10);
		ref_bits(&w, pk->timestamp, 32);
		ref_bits(&w, 0, 16);			/* SGT */
		ref_bits(&w, 1, 1);			/* P: Ethernet */
		ref_bits(&w, 0, 5);			/* FT */
		ref_bits(&w, 0, 6);			/* hardware id */
		ref_bits(&w, pk->egress != 0, 1);	/* D */
		ref_bits(&w, 1, 2);			/* Gra: 100 ns */
		ref_bits(&w, 0, 1);			/* O: no subheader */
	}
	assert_int_equal(w.nbits, 0);
	return w.n;
}

/* Parameters of one collector: an addressing of v4_cases / v6_cases with
 * the encapsulation TYPE and its options. */
static struct dp_encap_params
enc_params(const struct dp_encap_params *addr, uint8_t type, int key_set,
	   uint32_t key, int seq, uint16_t session_id)
{
	struct dp_encap_params p = *addr;

	p.type = type;
	if (type == DP_ENCAP_GENEVE && p.dst_port == 4789)
		p.dst_port = 6081;
	if (type != DP_ENCAP_VXLAN && type != DP_ENCAP_GENEVE) {
		p.vni = 0;
		p.dst_port = 0;
	}
	p.gre_key_set = (uint8_t)key_set;
	p.gre_key = key;
	p.gre_seq = (uint8_t)seq;
	p.session_id = session_id;
	return p;
}

/* Every kind of collector on every addressing; returns how many. */
#define ENC_MAX_PARAMS 128
static size_t
enc_all_params(struct dp_encap_params *out)
{
	static const uint32_t keys[] = { 0, 0xffffffffu, 0x01020304u };
	static const uint16_t sids[] = { 0, 1023, 677 };
	const struct dp_encap_params *addr[RTE_DIM(v4_cases) +
					   RTE_DIM(v6_cases)];
	size_t n = 0, a, n_addr = 0, i;

	for (i = 0; i < RTE_DIM(v4_cases); i++)
		addr[n_addr++] = &v4_cases[i].p;
	for (i = 0; i < RTE_DIM(v6_cases); i++)
		addr[n_addr++] = &v6_cases[i].p;
	for (a = 0; a < n_addr; a++) {
		const struct dp_encap_params *ad = addr[a];

		out[n++] = enc_params(ad, DP_ENCAP_VXLAN, 0, 0, 0, 0);
		out[n++] = enc_params(ad, DP_ENCAP_GENEVE, 0, 0, 0, 0);
		out[n++] = enc_params(ad, DP_ENCAP_GRE, 0, 0, 0, 0);
		out[n++] = enc_params(ad, DP_ENCAP_GRE, 1, keys[a % 3], 0, 0);
		out[n++] = enc_params(ad, DP_ENCAP_GRE, 0, 0, 1, 0);
		out[n++] = enc_params(ad, DP_ENCAP_GRE, 1, keys[(a + 1) % 3],
				      1, 0);
		out[n++] = enc_params(ad, DP_ENCAP_ERSPAN2, 0, 0, 0,
				      sids[a % 3]);
		out[n++] = enc_params(ad, DP_ENCAP_ERSPAN3, 0, 0, 0,
				      sids[(a + 1) % 3]);
		assert_true(n <= ENC_MAX_PARAMS);
	}
	return n;
}

/* Per-packet descriptions: the edges, then random ones. */
#define ENC_N_PKT 24
static void
enc_pkts(struct dp_encap_pkt *pk, uint32_t inner_len, uint32_t *st)
{
	size_t i;

	memset(pk, 0, ENC_N_PKT * sizeof(*pk));
	for (i = 0; i < ENC_N_PKT; i++) {
		pk[i].inner_len = inner_len;
		pk[i].sport = 49152;
	}
	/* 1: priority-tagged (VID 0, PCP 0) */
	pk[1].tagged = 1;
	/* 2: every field at its largest */
	pk[2].tagged = 1;
	pk[2].tci = 0xffff;
	pk[2].truncated = 1;
	pk[2].egress = 1;
	pk[2].seq = 0xffffffffu;
	pk[2].timestamp = 0xffffffffu;
	pk[2].index = 0xfffff;
	pk[2].sport = 65535;
	/* 3: PCP 5, VID 42 */
	pk[3].tagged = 1;
	pk[3].tci = 0xa02a;
	pk[3].seq = 1;
	pk[3].timestamp = 1;
	pk[3].index = 1;
	/* 4: DEI set, VID 4095: the DEI bit is not carried */
	pk[4].tagged = 1;
	pk[4].tci = 0x1fff;
	pk[4].seq = 0x80000000u;
	/* 5: untagged with a stray TCI: VLAN, CoS and En stay 0 */
	pk[5].tci = 0xe123;
	pk[5].truncated = 1;
	pk[5].egress = 1;
	for (i = 6; i < ENC_N_PKT; i++) {
		pk[i].sport = dp_encap_sport(rnd(st));
		pk[i].tagged = (uint8_t)(rnd(st) & 1);
		pk[i].tci = (uint16_t)rnd(st);
		pk[i].truncated = (uint8_t)(rnd(st) & 1);
		pk[i].egress = (uint8_t)(rnd(st) & 1);
		pk[i].seq = rnd(st);
		pk[i].timestamp = rnd(st);
		pk[i].index = rnd(st) & 0xfffff;
	}
}

static void
check_tmpl_layout(const struct dp_encap_tmpl *t,
		  const struct dp_encap_params *p)
{
	uint16_t l4 = p->family == 4 ? 34 : 54;

	assert_int_equal(t->type, p->type);
	assert_int_equal(t->family, p->family);
	assert_int_equal(t->len, ref_overhead(p));
	assert_int_equal(t->l3_ofs, 14);
	assert_int_equal(t->l4_ofs, l4);
	assert_int_equal(dp_encap_has_seq(t), ref_gre_seq(p));
	if (ref_gre_seq(p))
		assert_int_equal(t->seq_ofs, l4 + 4 + 4 * ref_gre_key(p));
	else
		assert_int_equal(t->seq_ofs, 0);
	if (ref_is_erspan(p->type))
		assert_int_equal(t->ers_ofs, l4 + 8);
	else
		assert_int_equal(t->ers_ofs, 0);
}

/* Every byte of every kind of outer header, for several inner lengths
 * and packet descriptions, at an even and an odd address, and nothing
 * written around it. */
static void
test_enc_all_bytes(void **state)
{
	static const uint32_t lens[] = { 0, 14, 60, 1500, 9000, 65000 };
	static struct dp_encap_params ps[ENC_MAX_PARAMS];
	struct dp_encap_pkt pk[ENC_N_PKT];
	uint8_t buf[DP_ENCAP_MAX_HDR + 16], e[DP_ENCAP_MAX_HDR + 16];
	struct dp_encap_tmpl t;
	uint32_t st = 0x13579bdf;
	size_t n, c, i, j, k, align, elen;
	unsigned int seen[DP_ENCAP_N_TYPES][2];

	(void)state;
	memset(seen, 0, sizeof(seen));
	n = enc_all_params(ps);
	for (c = 0; c < n; c++) {
		const struct dp_encap_params *p = &ps[c];

		assert_int_equal(dp_encap_tmpl_init(&t, p), 0);
		check_tmpl_layout(&t, p);
		seen[p->type][p->family == 6]++;
		for (i = 0; i < RTE_DIM(lens); i++) {
			/* 65000 bytes fit an IPv4 datagram only under GRE
			 * and UDP of no more than 65535 bytes */
			if (p->family == 4 && lens[i] + t.len - 14 > 65535)
				continue;
			enc_pkts(pk, lens[i], &st);
			for (j = 0; j < ENC_N_PKT; j++) {
				elen = ref_encode(p, &pk[j], e);
				assert_int_equal(elen, t.len);
				for (align = 0; align < 2; align++) {
					memset(buf, 0xa5, sizeof(buf));
					dp_encap_write_pkt(&t, buf + align,
							   &pk[j]);
					if (memcmp(buf + align, e, elen) != 0) {
						for (k = 0; k < elen; k++)
							if (buf[align + k] !=
							    e[k])
								break;
						fail_msg("type %u family %u "
							 "case %zu inner %u "
							 "pkt %zu: byte %zu is "
							 "0x%02x, want 0x%02x",
							 p->type, p->family, c,
							 lens[i], j, k,
							 buf[align + k], e[k]);
					}
					for (k = 0; k < align; k++)
						assert_int_equal(buf[k], 0xa5);
					for (k = align + elen; k < sizeof(buf);
					     k++)
						assert_int_equal(buf[k], 0xa5);
				}
				if (p->family == 4)
					assert_int_equal(ref_fold(ref_sum(
						buf + 1 + 14, 20, 0)), 0xffff);
			}
		}
	}
	/* Every encapsulation over both families was looked at. */
	for (i = 0; i < DP_ENCAP_NONE; i++) {
		assert_true(seen[i][0] > 0);
		assert_true(seen[i][1] > 0);
	}
}

/* dp_encap_write is dp_encap_write_pkt with every other field 0. */
static void
test_enc_write_wrapper(void **state)
{
	static struct dp_encap_params ps[ENC_MAX_PARAMS];
	uint8_t a[DP_ENCAP_MAX_HDR], e[DP_ENCAP_MAX_HDR];
	struct dp_encap_pkt pk;
	struct dp_encap_tmpl t;
	size_t n, c;

	(void)state;
	n = enc_all_params(ps);
	for (c = 0; c < n; c++) {
		assert_int_equal(dp_encap_tmpl_init(&t, &ps[c]), 0);
		memset(&pk, 0, sizeof(pk));
		pk.inner_len = 1234;
		pk.sport = 0xd00d;
		assert_int_equal(ref_encode(&ps[c], &pk, e), t.len);
		dp_encap_write(&t, a, 1234, 0xd00d);
		assert_memory_equal(a, e, t.len);
	}
}

/* Writing over a header left by another packet leaves no trace of it: a
 * T, D, VLAN or sequence bit of the previous copy is not kept. */
static void
test_enc_rewrite(void **state)
{
	static struct dp_encap_params ps[ENC_MAX_PARAMS];
	uint8_t a[DP_ENCAP_MAX_HDR], e[DP_ENCAP_MAX_HDR];
	struct dp_encap_pkt full, zero;
	struct dp_encap_tmpl t;
	size_t n, c;

	(void)state;
	n = enc_all_params(ps);
	memset(&full, 0, sizeof(full));
	full.inner_len = 9000;
	full.sport = 0xffff;
	full.tagged = 1;
	full.tci = 0xffff;
	full.truncated = 1;
	full.egress = 1;
	full.seq = 0xffffffffu;
	full.timestamp = 0xffffffffu;
	full.index = 0xfffff;
	memset(&zero, 0, sizeof(zero));
	zero.inner_len = 60;
	zero.sport = 49152;
	for (c = 0; c < n; c++) {
		assert_int_equal(dp_encap_tmpl_init(&t, &ps[c]), 0);
		dp_encap_write_pkt(&t, a, &full);
		dp_encap_write_pkt(&t, a, &zero);
		ref_encode(&ps[c], &zero, e);
		assert_memory_equal(a, e, t.len);
	}
}

/* With the IPv4 header checksum left to the NIC, every encapsulation's
 * header is the same but for a checksum field of 0. */
static void
test_enc_hw_cksum(void **state)
{
	static struct dp_encap_params ps[ENC_MAX_PARAMS];
	uint8_t sw[DP_ENCAP_MAX_HDR], hw[DP_ENCAP_MAX_HDR];
	struct dp_encap_pkt pk;
	struct dp_encap_tmpl t;
	size_t n, c;

	(void)state;
	n = enc_all_params(ps);
	memset(&pk, 0, sizeof(pk));
	pk.inner_len = 1500;
	pk.sport = 50000;
	pk.seq = 77;
	pk.truncated = 1;
	for (c = 0; c < n; c++) {
		if (ps[c].family != 4)
			continue;
		assert_int_equal(dp_encap_tmpl_init(&t, &ps[c]), 0);
		dp_encap_write_pkt(&t, sw, &pk);
		t.hw_ip_cksum = 1;
		memset(hw, 0xa5, sizeof(hw));
		dp_encap_write_pkt(&t, hw, &pk);
		assert_int_equal(get16(hw + 14 + 10), 0);
		assert_int_not_equal(get16(sw + 14 + 10), 0);
		set16(sw + 14 + 10, 0);
		assert_memory_equal(sw, hw, t.len);
	}
}

/* ------------------------------------------------------------------ */
/* Complete headers from an independent encoder (scapy 2.5: Ether / IP  */
/* (flags=DF, id=0) or IPv6 / GRE, ERSPAN_II, ERSPAN_III, UDP / GENEVE), */
/* for inner frames of byte i = 7 * i + 3.                              */

static void
check_reference(const struct dp_encap_params *p, const struct dp_encap_pkt *pk,
		const uint8_t *ref, size_t ref_len)
{
	uint8_t buf[DP_ENCAP_MAX_HDR], e[DP_ENCAP_MAX_HDR];
	struct dp_encap_tmpl t;

	assert_int_equal(dp_encap_tmpl_init(&t, p), 0);
	assert_int_equal(t.len, ref_len);
	dp_encap_write_pkt(&t, buf, pk);
	assert_memory_equal(buf, ref, ref_len);
	/* The reference encoder of these tests agrees. */
	assert_int_equal(ref_encode(p, pk, e), ref_len);
	assert_memory_equal(e, ref, ref_len);
}

static void
test_enc_reference(void **state)
{
	static const uint8_t gre4_key_seq[46] = {
		0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x02, 0x00, 0x00, 0x00,
		0x01, 0x0a, 0x08, 0x00, 0x45, 0x28, 0x00, 0x5c, 0x00, 0x00,
		0x40, 0x00, 0x40, 0x2f, 0xac, 0x19, 0xc6, 0x12, 0x01, 0x0a,
		0xc6, 0x12, 0x01, 0x03, 0x30, 0x00, 0x65, 0x58, 0x01, 0x02,
		0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,
	};
	static const uint8_t erspan2_4[50] = {
		0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x12, 0x34, 0x56, 0x78,
		0x9a, 0xbc, 0x08, 0x00, 0x45, 0x00, 0x00, 0x88, 0x00, 0x00,
		0x40, 0x00, 0xff, 0x2f, 0xef, 0x20, 0xc6, 0x12, 0x00, 0x01,
		0xc6, 0x13, 0xff, 0xfe, 0x10, 0x00, 0x88, 0xbe, 0x00, 0x00,
		0x00, 0x07, 0x10, 0x2a, 0xbe, 0xa5, 0x00, 0x00, 0x00, 0x03,
	};
	static const uint8_t erspan3_6[74] = {
		0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x02, 0x00, 0x00, 0x00,
		0x01, 0x0a, 0x86, 0xdd, 0x6b, 0x80, 0x00, 0x00, 0x05, 0xf0,
		0x2f, 0x40, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0xfd, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x03, 0x10, 0x00, 0x22, 0xeb, 0xff, 0xff,
		0xff, 0xfe, 0x20, 0x00, 0x03, 0xff, 0x12, 0x34, 0x56, 0x78,
		0x00, 0x00, 0x80, 0x0a,
	};
	static const uint8_t gre6[58] = {
		0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x12, 0x34, 0x56, 0x78,
		0x9a, 0xbc, 0x86, 0xdd, 0x60, 0x40, 0x00, 0x00, 0x00, 0x40,
		0x2f, 0x01, 0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x12,
		0x34, 0x56, 0x78, 0x9a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x65, 0x58,
	};
	static const uint8_t erspan3_4[54] = {
		0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x02, 0x00, 0x00, 0x00,
		0x01, 0x0a, 0x08, 0x00, 0x45, 0xfc, 0x23, 0x50, 0x00, 0x00,
		0x40, 0x00, 0x01, 0x2f, 0x8f, 0x72, 0xc6, 0x12, 0xff, 0xfe,
		0xff, 0xff, 0xff, 0xff, 0x10, 0x00, 0x22, 0xeb, 0x00, 0x00,
		0x00, 0x00, 0x20, 0x0a, 0xe4, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x80, 0x02,
	};
	static const uint8_t geneve4[50] = {
		0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x02, 0x00, 0x00, 0x00,
		0x01, 0x0a, 0x08, 0x00, 0x45, 0x00, 0x00, 0x60, 0x00, 0x00,
		0x40, 0x00, 0x40, 0x11, 0xac, 0x5b, 0xc6, 0x12, 0x01, 0x0a,
		0xc6, 0x12, 0x01, 0x03, 0xc1, 0x23, 0x17, 0xc1, 0x00, 0x4c,
		0x00, 0x00, 0x00, 0x00, 0x65, 0x58, 0x00, 0x00, 0x64, 0x00,
	};
	struct dp_encap_params p;
	struct dp_encap_pkt pk;

	(void)state;
	/* GRE over IPv4, DSCP 10, key 0x01020304, sequence 0x0a0b0c0d. */
	p = enc_params(&v4_cases[0].p, DP_ENCAP_GRE, 1, 0x01020304, 1, 0);
	p.dscp = 10;
	memset(&pk, 0, sizeof(pk));
	pk.inner_len = 60;
	pk.seq = 0x0a0b0c0d;
	pk.sport = 0xc123; /* not used by GRE */
	check_reference(&p, &pk, gre4_key_seq, sizeof(gre4_key_seq));

	/* ERSPAN II over IPv4: session 677, PCP 5 VID 42, cut, index 3. */
	p = enc_params(&v4_cases[2].p, DP_ENCAP_ERSPAN2, 0, 0, 0, 677);
	p.dscp = 0;
	memset(&pk, 0, sizeof(pk));
	pk.inner_len = 100;
	pk.seq = 7;
	pk.tagged = 1;
	pk.tci = 0xa02a;
	pk.truncated = 1;
	pk.index = 3;
	pk.egress = 1;		    /* ERSPAN II has no D bit */
	pk.timestamp = 0xffffffffu; /* nor a timestamp */
	check_reference(&p, &pk, erspan2_4, sizeof(erspan2_4));

	/* ERSPAN III over IPv6: DSCP 46, session 1023, untagged, egress. */
	p = enc_params(&v6_cases[0].p, DP_ENCAP_ERSPAN3, 0, 0, 0, 1023);
	p.dscp = 46;
	memset(&pk, 0, sizeof(pk));
	pk.inner_len = 1500;
	pk.seq = 0xfffffffeu;
	pk.egress = 1;
	pk.timestamp = 0x12345678;
	pk.index = 0xfffff; /* ERSPAN III has no index */
	check_reference(&p, &pk, erspan3_6, sizeof(erspan3_6));

	/* GRE over IPv6 without options. */
	p = enc_params(&v6_cases[3].p, DP_ENCAP_GRE, 0, 0, 0, 0);
	p.ttl = 1;
	memset(&pk, 0, sizeof(pk));
	pk.inner_len = 60;
	pk.seq = 99; /* no S bit: not written */
	check_reference(&p, &pk, gre6, sizeof(gre6));

	/* ERSPAN III over IPv4: DSCP 63, TTL 1, PCP 7 VID 10, cut. */
	p = enc_params(&v4_cases[1].p, DP_ENCAP_ERSPAN3, 0, 0, 0, 0);
	memset(&pk, 0, sizeof(pk));
	pk.inner_len = 9000;
	pk.tagged = 1;
	pk.tci = 0xe00a;
	pk.truncated = 1;
	check_reference(&p, &pk, erspan3_4, sizeof(erspan3_4));

	/* Geneve over IPv4 (UDP checksum 0), VNI 100. */
	p = enc_params(&v4_cases[0].p, DP_ENCAP_GENEVE, 0, 0, 0, 0);
	assert_int_equal(p.dst_port, 6081);
	memset(&pk, 0, sizeof(pk));
	pk.inner_len = 60;
	pk.sport = 0xc123;
	check_reference(&p, &pk, geneve4, sizeof(geneve4));
}

/* Geneve over IPv6 with its UDP checksum, from scapy, as for VxLAN. */
static void
test_enc_geneve6_reference(void **state)
{
	static const uint8_t ref[DP_ENCAP_HDR6_LEN] = {
		0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x02, 0x00, 0x00, 0x00,
		0x01, 0x0a, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x4d,
		0x11, 0x40, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0xfd, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x03, 0xc1, 0x23, 0x17, 0xc1, 0x00, 0x4d,
		0x8a, 0xfe, 0x00, 0x00, 0x65, 0x58, 0x00, 0x00, 0x64, 0x00,
	};
	struct dp_encap_params p;
	struct dp_encap_tmpl t;
	struct rte_mbuf *m;
	uint8_t *d;
	unsigned int i;

	(void)state;
	p = enc_params(&v6_cases[0].p, DP_ENCAP_GENEVE, 0, 0, 0, 0);
	assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
	m = rte_pktmbuf_alloc(pkt_pool);
	assert_non_null(m);
	d = (uint8_t *)rte_pktmbuf_append(m, t.len + 61);
	assert_non_null(d);
	for (i = 0; i < 61; i++)
		d[t.len + i] = (uint8_t)(7 * i + 3);
	dp_encap_write(&t, d, 61, 0xc123);
	dp_encap_udp6_csum(&t, m);
	assert_memory_equal(d, ref, sizeof(ref));
	check_udp6(m, 61, 0xc123);
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------------------ */
/* none: the original frame, or the frame with one 802.1Q tag.          */

static void
test_none_tmpl(void **state)
{
	static const uint16_t vlans[] = { 0, 1, 42, 4094 };
	struct dp_encap_params p;
	struct dp_encap_tmpl t;
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(vlans); i++) {
		memset(&p, 0, sizeof(p));
		p.type = DP_ENCAP_NONE;
		p.vlan = vlans[i];
		assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
		assert_int_equal(t.type, DP_ENCAP_NONE);
		assert_int_equal(t.family, 0);
		assert_int_equal(t.len, ref_overhead(&p));
		assert_int_equal(t.len, vlans[i] != 0 ? 4 : 0);
		assert_false(dp_encap_has_seq(&t));
	}
}

/* The expected copy of FRAME's first INNER bytes under a none collector
 * with VLAN (0: none) into OUT; returns its length. */
static uint32_t
ref_none(const uint8_t *frame, uint32_t inner, uint16_t vlan, uint8_t *out)
{
	if (vlan == 0) {
		memcpy(out, frame, inner);
		return inner;
	}
	memcpy(out, frame, 12);
	set16(out + 12, 0x8100);
	set16(out + 14, vlan); /* PCP 0, DEI 0 */
	memcpy(out + 16, frame + 12, inner - 12);
	return inner + 4;
}

/* dp_encap_write_pkt in place: the frame written behind the tag's room,
 * the MACs moved to the front and the tag behind them. */
static void
test_none_write(void **state)
{
	static const uint16_t vlans[] = { 0, 1, 42, 0xabc, 4094 };
	static const uint32_t lens[] = { 14, 15, 60, 64, 1514, 9018 };
	static uint8_t frame[9100], buf[9200], e[9200];
	struct dp_encap_params p;
	struct dp_encap_tmpl t;
	struct dp_encap_pkt pk;
	uint32_t st = 0x2468ace0, n;
	size_t v, i;

	(void)state;
	for (v = 0; v < RTE_DIM(vlans); v++) {
		memset(&p, 0, sizeof(p));
		p.type = DP_ENCAP_NONE;
		p.vlan = vlans[v];
		assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
		for (i = 0; i < RTE_DIM(lens); i++) {
			rnd_bytes(&st, frame, lens[i]);
			/* an untagged and a tagged original alike */
			if (i % 2)
				set16(frame + 12, 0x8100);
			memset(buf, 0xa5, sizeof(buf));
			memcpy(buf + t.len, frame, lens[i]);
			memset(&pk, 0, sizeof(pk));
			pk.inner_len = lens[i];
			pk.tagged = (uint8_t)(i % 2);
			pk.tci = 0xffff;
			pk.seq = 0xffffffffu;
			dp_encap_write_pkt(&t, buf, &pk);
			n = ref_none(frame, lens[i], vlans[v], e);
			assert_int_equal(n, lens[i] + t.len);
			assert_memory_equal(buf, e, n);
			for (; n < sizeof(buf); n++)
				assert_int_equal(buf[n], 0xa5);
		}
	}
}

/* An mbuf chain from pkt_pool holding FRAME's LEN bytes in segments of
 * at most SEG bytes. */
static struct rte_mbuf *
frame_chain(const uint8_t *frame, uint32_t len, uint32_t seg)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t off = 0, n;
	uint8_t *d;

	do {
		n = RTE_MIN(seg, len - off);
		m = rte_pktmbuf_alloc(pkt_pool);
		assert_non_null(m);
		d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		assert_true(n == 0 || d != NULL);
		if (n != 0)
			memcpy(d, frame + off, n);
		off += n;
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
	} while (off < len);
	return head;
}

/*
 * Copies and clones made by dp_mirror_make for every kind of collector:
 * the outer header of the packet description, then the original byte for
 * byte up to the length asked for (for none, the original with the tag at
 * offset 12 when there is one); over IPv6 the UDP checksum verifies.  The
 * original is left as it was.
 */
static void
test_mirror_make_all(void **state)
{
	static const uint16_t vlans[] = { 0, 42, 4094 };
	static const struct {
		uint32_t len, inner, seg;
		int clone;
	} cases[] = {
		{ 60, 60, 60, 0 },	 { 64, 14, 64, 0 },
		{ 1514, 1514, 1514, 0 }, { 1514, 100, 1514, 0 },
		{ 2048, 2048, 2048, 0 }, { 3000, 2000, 1000, 0 },
		{ 1514, 1514, 1514, 1 }, { 1514, 200, 1514, 1 },
		{ 9000, 9000, 3000, 1 }, { 9000, 4321, 2000, 1 },
		{ 60, 60, 60, 1 },	 { 70, 20, 12, 1 },
	};
	static struct dp_encap_params ps[ENC_MAX_PARAMS + RTE_DIM(vlans)];
	static uint8_t frame[9100], flat[FLAT_MAX], e[FLAT_MAX];
	struct dp_encap_pkt pk[ENC_N_PKT];
	struct dp_encap_tmpl t;
	struct rte_mbuf *orig, *c;
	uint32_t st = 0x55aa55aa, n, hl;
	size_t np, v, i;

	(void)state;
	np = enc_all_params(ps);
	for (v = 0; v < RTE_DIM(vlans); v++) {
		memset(&ps[np], 0, sizeof(ps[np]));
		ps[np].type = DP_ENCAP_NONE;
		ps[np++].vlan = vlans[v];
	}
	for (v = 0; v < np; v++) {
		const struct dp_encap_params *p = &ps[v];

		assert_int_equal(dp_encap_tmpl_init(&t, p), 0);
		for (i = 0; i < RTE_DIM(cases); i++) {
			const struct dp_encap_pkt *d;

			enc_pkts(pk, cases[i].inner, &st);
			d = &pk[(v + i) % ENC_N_PKT];
			rnd_bytes(&st, frame, cases[i].len);
			orig = frame_chain(frame, cases[i].len, cases[i].seg);
			c = dp_mirror_make(orig, cases[i].inner, cases[i].clone,
					   &t, d, NULL, mir_pool, clone_pool);
			assert_non_null(c);
			if (p->type == DP_ENCAP_NONE) {
				n = ref_none(frame, cases[i].inner, p->vlan, e);
			} else {
				hl = (uint32_t)ref_encode(p, d, e);
				memcpy(e + hl, frame, cases[i].inner);
				n = hl + cases[i].inner;
			}
			assert_int_equal(c->pkt_len, n);
			assert_int_equal(flatten(c, flat), n);
			if (ref_is_udp(p->type) && p->family == 6) {
				/* the checksum verifies; then the rest */
				assert_int_equal(ref_fold(ref_udp6_sum(
					flat, get16(flat + 54 + 6))), 0xffff);
				assert_int_not_equal(get16(flat + 54 + 6), 0);
				set16(flat + 54 + 6, 0);
			}
			if (memcmp(flat, e, n) != 0) {
				for (hl = 0; hl < n && flat[hl] == e[hl]; hl++)
					;
				fail_msg("type %u family %u vlan %u case %zu: "
					 "byte %u is 0x%02x, want 0x%02x",
					 p->type, p->family, p->vlan, i, hl,
					 flat[hl], e[hl]);
			}
			/* the original, untouched */
			assert_int_equal(orig->pkt_len, cases[i].len);
			assert_int_equal(flatten(orig, flat), cases[i].len);
			assert_memory_equal(flat, frame, cases[i].len);
			rte_pktmbuf_free(c);
			rte_pktmbuf_free(orig);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Own copies come back.                                               */

static void
test_enc_own(void **state)
{
	static struct dp_encap_params ps[ENC_MAX_PARAMS];
	static const uint16_t vlans[] = { 0, 42 };
	struct dp_encap_tmpl t, u;
	struct dp_encap_params p;
	struct dp_encap_pkt pk;
	uint8_t f[DP_ENCAP_MAX_HDR + 64];
	size_t n, c, d, k;
	const size_t l4_proto[2] = { 14 + 9, 14 + 6 };

	(void)state;
	n = enc_all_params(ps);
	memset(&pk, 0, sizeof(pk));
	pk.inner_len = 64;
	pk.sport = 0xc0de;
	pk.seq = 12345;
	pk.tagged = 1;
	pk.tci = 0x0064;
	for (c = 0; c < n; c++) {
		uint16_t fam = ps[c].family == 6;

		assert_int_equal(dp_encap_tmpl_init(&t, &ps[c]), 0);
		memset(f, 0x3c, sizeof(f));
		dp_encap_write_pkt(&t, f, &pk);
		/* A copy of its own, whatever its per-packet fields. */
		assert_true(dp_encap_own(&t, f, t.len + 64));
		assert_true(dp_encap_own(&t, f, t.len));
		assert_false(dp_encap_own(&t, f, t.len - 1u));
		/* Another destination, source, protocol or GRE type: not. */
		f[t.l4_ofs - 1] ^= 1; /* last byte of the destination */
		assert_false(dp_encap_own(&t, f, t.len + 64));
		f[t.l4_ofs - 1] ^= 1;
		f[6] ^= 0x80; /* source MAC */
		assert_false(dp_encap_own(&t, f, t.len + 64));
		f[6] ^= 0x80;
		f[l4_proto[fam]] ^= 0x40; /* IP protocol */
		assert_false(dp_encap_own(&t, f, t.len + 64));
		f[l4_proto[fam]] ^= 0x40;
		f[t.l4_ofs + 3] ^= 1; /* UDP port or GRE protocol type */
		assert_false(dp_encap_own(&t, f, t.len + 64));
		f[t.l4_ofs + 3] ^= 1;
		assert_true(dp_encap_own(&t, f, t.len + 64));

		/* Another kind of collector with the same addresses does not
		 * take it for its own (same outer length or not). */
		for (d = 0; d < n; d++) {
			if (d == c || ps[d].family != ps[c].family ||
			    memcmp(ps[d].src_ip, ps[c].src_ip, 16) != 0 ||
			    memcmp(ps[d].dst_ip, ps[c].dst_ip, 16) != 0 ||
			    memcmp(ps[d].src_mac, ps[c].src_mac, 6) != 0)
				continue;
			assert_int_equal(dp_encap_tmpl_init(&u, &ps[d]), 0);
			/* GRE with other options carries the same protocol
			 * type: the same collector kind, recognised */
			if (ps[d].type == ps[c].type &&
			    (ps[d].type != DP_ENCAP_VXLAN &&
			     ps[d].type != DP_ENCAP_GENEVE))
				continue;
			if (ref_is_udp(ps[d].type) && ref_is_udp(ps[c].type) &&
			    ps[d].dst_port == ps[c].dst_port)
				continue;
			assert_false(dp_encap_own(&u, f, t.len + 64));
		}
	}

	/* A copy without an outer header is never recognised, not even the
	 * frame made of nothing but its tag. */
	for (k = 0; k < RTE_DIM(vlans); k++) {
		memset(&p, 0, sizeof(p));
		p.type = DP_ENCAP_NONE;
		p.vlan = vlans[k];
		assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
		memset(f, 0, sizeof(f));
		assert_false(dp_encap_own(&t, f, sizeof(f)));
		memcpy(f, t.hdr, t.len);
		assert_false(dp_encap_own(&t, f, sizeof(f)));
		memset(f, 0xff, sizeof(f));
		assert_false(dp_encap_own(&t, f, sizeof(f)));
		assert_false(dp_encap_own(&t, f, 0));
	}
}

/* ------------------------------------------------------------------ */
/* Template parameter checks of the other encapsulations.              */

static void
test_enc_tmpl_reject(void **state)
{
	static const uint8_t types[] = { DP_ENCAP_GENEVE, DP_ENCAP_GRE,
					 DP_ENCAP_ERSPAN2, DP_ENCAP_ERSPAN3 };
	static const uint8_t bad_types[] = { DP_ENCAP_N_TYPES, 7, 100, 255 };
	struct dp_encap_params p;
	struct dp_encap_tmpl t;
	size_t i, f;

	(void)state;
	for (f = 0; f < 2; f++) {
		const struct dp_encap_params *ad =
			f == 0 ? &v4_cases[0].p : &v6_cases[0].p;

		for (i = 0; i < RTE_DIM(types); i++) {
			int gre = types[i] == DP_ENCAP_GRE;
			uint16_t sid = ref_is_erspan(types[i]) ? 1 : 0;

			p = enc_params(ad, types[i], gre, 5, gre, sid);
			assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
			/* no outer family for an IP encapsulation */
			p.family = 0;
			assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
			p.family = 5;
			assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
			p = enc_params(ad, types[i], gre, 5, gre, sid);
			p.ttl = 0;
			assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
			p.ttl = 1;
			p.dscp = 64;
			assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
			p.dscp = 63;
			assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
		}
		/* Geneve: 24-bit VNI */
		p = enc_params(ad, DP_ENCAP_GENEVE, 0, 0, 0, 0);
		p.vni = 0xffffff;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
		p.vni = 0x1000000;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
		/* ERSPAN: 10-bit session id */
		for (i = 0; i < 2; i++) {
			uint8_t ty = i == 0 ? DP_ENCAP_ERSPAN2
					    : DP_ENCAP_ERSPAN3;

			p = enc_params(ad, ty, 0, 0, 0, 1023);
			assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
			p.session_id = 1024;
			assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
			p.session_id = 0xffff;
			assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
		}
		/* GRE: any 32-bit key */
		p = enc_params(ad, DP_ENCAP_GRE, 1, 0xffffffffu, 0, 0);
		assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
		/* unknown types */
		for (i = 0; i < RTE_DIM(bad_types); i++) {
			p = *ad;
			p.type = bad_types[i];
			assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
		}
	}
	/* none: VLAN 0 is no tag, 1..4094 a tag, 4095 and above refused */
	memset(&p, 0, sizeof(p));
	p.type = DP_ENCAP_NONE;
	assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
	assert_int_equal(t.len, 0);
	p.vlan = 4094;
	assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
	assert_int_equal(t.len, 4);
	p.vlan = 4095;
	assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
	p.vlan = 0xffff;
	assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* Template parameter checks.                                          */

static void
test_tmpl_reject(void **state)
{
	static const uint8_t bad_family[] = { 0, 1, 5, 7, 10, 46, 255 };
	struct dp_encap_params p;
	struct dp_encap_tmpl t;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		p = i == 0 ? v4_cases[0].p : v6_cases[0].p;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);

		p.vni = 0x1000000;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
		p.vni = 0xffffffff;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
		p.vni = 0xffffff;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);

		p.dscp = 64;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
		p.dscp = 255;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
		p.dscp = 63;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);

		p.ttl = 0;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
		p.ttl = 1;
		assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);
	}
	p = v4_cases[0].p;
	for (i = 0; i < RTE_DIM(bad_family); i++) {
		p.family = bad_family[i];
		assert_int_equal(dp_encap_tmpl_init(&t, &p), -EINVAL);
	}
	assert_int_equal(dp_encap_tmpl_init(NULL, &p), -EINVAL);
	p = v4_cases[0].p;
	assert_int_equal(dp_encap_tmpl_init(&t, NULL), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_ipv4),
		cmocka_unit_test(test_hdr_ipv6),
		cmocka_unit_test(test_hdr_ipv4_reference),
		cmocka_unit_test(test_hdr_rewrite),
		cmocka_unit_test(test_hdr_hw_cksum),
		cmocka_unit_test(test_udp6_single),
		cmocka_unit_test(test_udp6_reference),
		cmocka_unit_test(test_udp6_chain),
		cmocka_unit_test(test_enc_all_bytes),
		cmocka_unit_test(test_enc_write_wrapper),
		cmocka_unit_test(test_enc_rewrite),
		cmocka_unit_test(test_enc_hw_cksum),
		cmocka_unit_test(test_enc_reference),
		cmocka_unit_test(test_enc_geneve6_reference),
		cmocka_unit_test(test_none_tmpl),
		cmocka_unit_test(test_none_write),
		cmocka_unit_test(test_mirror_make_all),
		cmocka_unit_test(test_enc_own),
		cmocka_unit_test(test_pools_balanced),
		cmocka_unit_test(test_hash_symmetric_ipv4),
		cmocka_unit_test(test_hash_symmetric_ipv6),
		cmocka_unit_test(test_hash_symmetric_other),
		cmocka_unit_test(test_hash_spread),
		cmocka_unit_test(test_hash_port_proto),
		cmocka_unit_test(test_hash_no_ports),
		cmocka_unit_test(test_hash_fragments),
		cmocka_unit_test(test_hash_other),
		cmocka_unit_test(test_sport_range),
		cmocka_unit_test(test_tmpl_reject),
		cmocka_unit_test(test_enc_tmpl_reject),
	};
	int rc;

	if (eal_test_init() < 0)
		return 1;
	/* Cache size 0 so that the balance check sees every mbuf. */
	pkt_pool = rte_pktmbuf_pool_create("enc_pkt", PKT_POOL_N, 0, 0,
			RTE_PKTMBUF_HEADROOM + FLAT_MAX, SOCKET_ID_ANY);
	hdr_pool = rte_pktmbuf_pool_create("enc_hdr", HDR_POOL_N, 0, 0,
			RTE_PKTMBUF_HEADROOM + DP_ENCAP_MAX_HDR, SOCKET_ID_ANY);
	clone_pool = rte_pktmbuf_pool_create("enc_clone", CLONE_POOL_N, 0, 0,
			0, SOCKET_ID_ANY);
	mir_pool = rte_pktmbuf_pool_create("enc_mir", MIR_POOL_N, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pkt_pool == NULL || hdr_pool == NULL || clone_pool == NULL ||
	    mir_pool == NULL) {
		fprintf(stderr, "mbuf pool creation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}

	rc = cmocka_run_group_tests(tests, NULL, NULL);

	rte_mempool_free(pkt_pool);
	rte_mempool_free(hdr_pool);
	rte_mempool_free(clone_pool);
	rte_mempool_free(mir_pool);
	rte_eal_cleanup();
	return rc;
}
