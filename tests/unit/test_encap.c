/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the VxLAN encapsulation: outer headers checked against
 * hand-assembled frames, the IPv6 UDP checksum over single and chained
 * (cloned) mbufs checked by an independent RFC 1071 computation, the
 * symmetric flow hash and the template parameter checks.
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
#include "dp_flow.h"
#include "dp_parse.h"
#include "eal_test.h"

#define N_RANDOM 10000
#define MAX_INNER 9000
#define FLAT_MAX (DP_ENCAP_MAX_HDR + MAX_INNER)

#define PKT_POOL_N 16
#define HDR_POOL_N 16
#define CLONE_POOL_N 32

static struct rte_mempool *pkt_pool;
static struct rte_mempool *hdr_pool;
static struct rte_mempool *clone_pool;

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

static void
test_udp6_single(void **state)
{
	static const uint32_t lens[] = { 0, 1, 59, 60, 61, 1500, 9000 };
	const struct hdr_case *hc;
	struct dp_encap_tmpl t;
	struct rte_mbuf *m;
	uint32_t st = 0x1234567;
	uint8_t *p;
	size_t c, i;

	(void)state;
	for (c = 0; c < RTE_DIM(v6_cases); c++) {
		hc = &v6_cases[c];
		assert_int_equal(dp_encap_tmpl_init(&t, &hc->p), 0);
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
	struct dp_encap_tmpl t;
	struct chain ch;
	uint32_t st = 0xdeadbeef;
	size_t c, i;

	(void)state;
	for (c = 0; c < RTE_DIM(v6_cases); c++) {
		assert_int_equal(dp_encap_tmpl_init(&t, &v6_cases[c].p), 0);
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
	if (pkt_pool == NULL || hdr_pool == NULL || clone_pool == NULL) {
		fprintf(stderr, "mbuf pool creation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}

	rc = cmocka_run_group_tests(tests, NULL, NULL);

	rte_mempool_free(pkt_pool);
	rte_mempool_free(hdr_pool);
	rte_mempool_free(clone_pool);
	rte_eal_cleanup();
	return rc;
}
