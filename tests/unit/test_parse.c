/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the fast-path parser (dataplane/dp_parse.c) against the
 * contract in dp_parse.h.  Frames are hand-assembled byte arrays.  Every
 * parse runs on a heap buffer of exactly the frame's length, so an
 * ASan build reports any read past the end.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp_parse.h"

/* Building blocks of the frames below. */
#define MACS \
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01
#define BE16(v) (uint8_t)((v) >> 8), (uint8_t)((v) & 0xff)
#define IP4_SRC 198, 18, 0, 1
#define IP4_DST 198, 18, 0, 2
#define IP6_SRC 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define IP6_DST 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02
/* IPv4 header without options: total length, frag field, protocol. */
#define IP4_HDR(tot, frag, proto) \
	0x45, 0x00, BE16(tot), 0x12, 0x34, BE16(frag), 64, (proto), 0, 0, \
	IP4_SRC, IP4_DST
/* IPv6 fixed header: payload length, next header. */
#define IP6_HDR(plen, nh) \
	0x60, 0x00, 0x00, 0x00, BE16(plen), (nh), 64, IP6_SRC, IP6_DST
#define TCP_HDR(sp, dp) \
	BE16(sp), BE16(dp), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, \
	0, 0, 0, 0
#define UDP_HDR(sp, dp, ulen) BE16(sp), BE16(dp), BE16(ulen), 0, 0
#define SCTP_HDR(sp, dp) BE16(sp), BE16(dp), 0, 0, 0, 1, 0, 0, 0, 0
#define ICMP_ECHO 8, 0, 0, 0, 0, 1, 0, 1
/* 8-byte options header (hop-by-hop, destination) with a PadN option. */
#define EXT8(nh) (nh), 0, 1, 4, 0, 0, 0, 0

static const uint8_t v4_ip_src[4] = { IP4_SRC };
static const uint8_t v4_ip_dst[4] = { IP4_DST };
static const uint8_t v6_ip_src[16] = { IP6_SRC };
static const uint8_t v6_ip_dst[16] = { IP6_DST };

static const uint8_t f_ipv4_tcp[] = {
	MACS, BE16(0x0800), IP4_HDR(40, 0x4000, 6), TCP_HDR(12345, 80),
};
static const uint8_t f_ipv4_udp[] = {
	MACS, BE16(0x0800), IP4_HDR(28, 0, 17), UDP_HDR(5353, 53, 8),
};
static const uint8_t f_ipv4_sctp[] = {
	MACS, BE16(0x0800), IP4_HDR(32, 0, 132), SCTP_HDR(2905, 2906),
};
static const uint8_t f_ipv4_icmp[] = {
	MACS, BE16(0x0800), IP4_HDR(28, 0, 1), ICMP_ECHO,
};
/* IHL 7: record-route style 8 option bytes (NOP, NOP, then 6 bytes). */
static const uint8_t f_ipv4_opts[] = {
	MACS, BE16(0x0800),
	0x47, 0x00, BE16(48), 0x12, 0x34, 0x00, 0x00, 64, 6, 0x00, 0x00,
	IP4_SRC, IP4_DST,
	0x01, 0x01, 0x07, 0x07, 0x04, 0, 0, 0,
	TCP_HDR(1024, 443),
};
static const uint8_t f_ipv6_tcp[] = {
	MACS, BE16(0x86dd), IP6_HDR(20, 6), TCP_HDR(40000, 22),
};
static const uint8_t f_ipv6_udp[] = {
	MACS, BE16(0x86dd), IP6_HDR(8, 17), UDP_HDR(546, 547, 8),
};
static const uint8_t f_ipv6_icmp6[] = {
	MACS, BE16(0x86dd), IP6_HDR(8, 58), 128, 0, 0, 0, 0, 1, 0, 1,
};
/* Hop-by-hop (8) + destination options (16) + routing type 4 (24) + TCP. */
static const uint8_t f_ipv6_chain[] = {
	MACS, BE16(0x86dd), IP6_HDR(8 + 16 + 24 + 20, 0),
	EXT8(60),
	43, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	6, 2, 4, 0, 0, 0, 0, 0, IP6_DST,
	TCP_HDR(1111, 2222),
};
/* Hop-by-hop (8) + destination options (16) + UDP: the truncation frame. */
static const uint8_t f_ipv6_ext_udp[] = {
	MACS, BE16(0x86dd), IP6_HDR(8 + 16 + 8, 0),
	EXT8(60),
	17, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	UDP_HDR(7000, 7001, 8),
};
/* Fragment header (next header UDP), offset 0, M set, then UDP. */
static const uint8_t f_ipv6_frag_first[] = {
	MACS, BE16(0x86dd), IP6_HDR(8 + 8 + 8, 44),
	17, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef,
	UDP_HDR(9000, 9001, 1000),
};
/* Fragment header, offset 1480 / 8 = 185, payload bytes only. */
static const uint8_t f_ipv6_frag_later[] = {
	MACS, BE16(0x86dd), IP6_HDR(8 + 8, 44),
	17, 0, BE16(185 << 3), 0xde, 0xad, 0xbe, 0xef,
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
};
/* AH with payload length 4: (4 + 2) * 4 = 24 bytes, then TCP. */
static const uint8_t f_ipv6_ah[] = {
	MACS, BE16(0x86dd), IP6_HDR(24 + 20, 51),
	6, 4, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	TCP_HDR(3333, 4444),
};
static const uint8_t f_dot1q[] = {
	MACS, BE16(0x8100), BE16(0x2000 | 100), BE16(0x0800),
	IP4_HDR(28, 0, 17), UDP_HDR(1000, 2000, 8),
};
/* 802.1ad outer VID 10 (PCP 5, DEI), 802.1Q inner VID 20. */
static const uint8_t f_qinq[] = {
	MACS, BE16(0x88a8), BE16(0xb000 | 10), BE16(0x8100), BE16(20),
	BE16(0x0800), IP4_HDR(28, 0, 17), UDP_HDR(1000, 2000, 8),
};
static const uint8_t f_three_tags[] = {
	MACS, BE16(0x9100), BE16(4094), BE16(0x88a8), BE16(2), BE16(0x8100),
	BE16(3), BE16(0x86dd), IP6_HDR(8, 17), UDP_HDR(1, 2, 8),
};
static const uint8_t f_four_tags[] = {
	MACS, BE16(0x8100), BE16(1), BE16(0x8100), BE16(2), BE16(0x8100),
	BE16(3), BE16(0x8100), BE16(4), BE16(0x0800),
	IP4_HDR(28, 0, 17), UDP_HDR(1, 2, 8),
};
static const uint8_t f_five_tags[] = {
	MACS, BE16(0x8100), BE16(1), BE16(0x8100), BE16(2), BE16(0x8100),
	BE16(3), BE16(0x8100), BE16(4), BE16(0x8100), BE16(5), BE16(0x0800),
	IP4_HDR(28, 0, 17), UDP_HDR(1, 2, 8),
};
static const uint8_t f_arp[] = {
	MACS, BE16(0x0806), 0, 1, 0x08, 0x00, 6, 4, 0, 1,
	0x02, 0, 0, 0, 0, 1, IP4_SRC, 0, 0, 0, 0, 0, 0, IP4_DST,
};

/* Parse LEN bytes of BUF from a heap copy of exactly LEN bytes. */
static void
parse_exact(const uint8_t *buf, size_t len, struct dp_meta *m)
{
	uint8_t *copy = malloc(len == 0 ? 1 : len);

	assert_non_null(copy);
	memcpy(copy, buf, len);
	/* Garbage in *m shows any field that the parser leaves unset. */
	memset(m, 0xa5, sizeof(*m));
	dp_parse(copy, (uint32_t)len, m);
	free(copy);
}

static void
want_init(struct dp_meta *w)
{
	memset(w, 0, sizeof(*w));
	w->vlan = DP_VLAN_NONE;
}

static void
want_ipv4(struct dp_meta *w, uint16_t l3_ofs, uint8_t proto)
{
	w->ethertype = 0x0800;
	w->l3 = DP_L3_IPV4;
	w->l3_ofs = l3_ofs;
	w->proto = proto;
	memcpy(w->src, v4_ip_src, 4);
	memcpy(w->dst, v4_ip_dst, 4);
}

static void
want_ipv6(struct dp_meta *w, uint16_t l3_ofs, uint8_t proto)
{
	w->ethertype = 0x86dd;
	w->l3 = DP_L3_IPV6;
	w->l3_ofs = l3_ofs;
	w->proto = proto;
	memcpy(w->src, v6_ip_src, 16);
	memcpy(w->dst, v6_ip_dst, 16);
}

static void
want_ports(struct dp_meta *w, uint16_t l4_ofs, uint16_t sport, uint16_t dport)
{
	w->l4_ofs = l4_ofs;
	w->has_ports = 1;
	w->sport = sport;
	w->dport = dport;
}

/* Compare every field; CTX (e.g. the frame length) is printed on failure. */
static void
check_meta(const struct dp_meta *got, const struct dp_meta *want, int ctx)
{
	if (got->ethertype != want->ethertype || got->vlan != want->vlan ||
	    got->n_vlans != want->n_vlans || got->l3 != want->l3 ||
	    got->proto != want->proto || got->flags != want->flags ||
	    got->has_ports != want->has_ports ||
	    got->l3_ofs != want->l3_ofs || got->l4_ofs != want->l4_ofs ||
	    got->sport != want->sport || got->dport != want->dport ||
	    memcmp(got->src, want->src, 16) != 0 ||
	    memcmp(got->dst, want->dst, 16) != 0)
		print_error("mismatch at %d: got et %#x vlan %u n %u l3 %u "
			    "proto %u flags %#x ports %u l3o %u l4o %u %u>%u\n",
			    ctx, got->ethertype, got->vlan, got->n_vlans,
			    got->l3, got->proto, got->flags, got->has_ports,
			    got->l3_ofs, got->l4_ofs, got->sport, got->dport);
	assert_int_equal(got->ethertype, want->ethertype);
	assert_int_equal(got->vlan, want->vlan);
	assert_int_equal(got->n_vlans, want->n_vlans);
	assert_int_equal(got->l3, want->l3);
	assert_int_equal(got->proto, want->proto);
	assert_int_equal(got->flags, want->flags);
	assert_int_equal(got->has_ports, want->has_ports);
	assert_int_equal(got->l3_ofs, want->l3_ofs);
	assert_int_equal(got->l4_ofs, want->l4_ofs);
	assert_int_equal(got->sport, want->sport);
	assert_int_equal(got->dport, want->dport);
	assert_memory_equal(got->src, want->src, 16);
	assert_memory_equal(got->dst, want->dst, 16);
}

static void
expect(const uint8_t *buf, size_t len, const struct dp_meta *want)
{
	struct dp_meta m;

	parse_exact(buf, len, &m);
	check_meta(&m, want, (int)len);
}

/* The inline path of dp_parse (untagged IPv4, no options, not a
 * fragment) must say exactly what dp_parse_full says, for every total
 * length, length cut, fragment field and protocol around its edges. */
static void
test_inline_path_equals_full(void **state)
{
	static const uint8_t protos[] = { 1, 6, 17, 47, 58, 132 };
	uint8_t f[80];
	struct dp_meta a, b;
	unsigned int tot, len, fr, p, ver, n = 0;

	(void)state;
	for (ver = 0; ver < 3; ver++)
		for (p = 0; p < sizeof(protos); p++)
			for (fr = 0; fr < 4; fr++)
				for (tot = 0; tot < 64; tot++)
					for (len = 0; len <= sizeof(f); len++) {
						unsigned int i;

						for (i = 0; i < sizeof(f); i++)
							f[i] = (uint8_t)(i * 37 + tot);
						f[12] = 0x08;
						f[13] = 0x00;
						f[14] = ver == 0 ? 0x45 : ver == 1 ? 0x46 : 0x55;
						f[16] = (uint8_t)(tot >> 8);
						f[17] = (uint8_t)tot;
						f[20] = fr & 1 ? 0x20 : 0x00; /* MF */
						f[21] = fr & 2 ? 0x01 : 0x00; /* offset */
						f[23] = protos[p];
						memset(&a, 0xa5, sizeof(a));
						memset(&b, 0x5a, sizeof(b));
						dp_parse(f, len, &a);
						dp_parse_full(f, len, &b);
						if (memcmp(&a, &b, sizeof(a)) != 0)
							fail_msg("ver %u proto %u frag %u "
								 "tot %u len %u differ",
								 ver, protos[p], fr, tot, len);
						n++;
					}
	assert_int_equal(n, 3 * 6 * 4 * 64 * 81);
}

static void
test_ipv4_l4(void **state)
{
	struct dp_meta w;

	(void)state;
	want_init(&w);
	want_ipv4(&w, 14, 6);
	want_ports(&w, 34, 12345, 80);
	expect(f_ipv4_tcp, sizeof(f_ipv4_tcp), &w);

	want_init(&w);
	want_ipv4(&w, 14, 17);
	want_ports(&w, 34, 5353, 53);
	expect(f_ipv4_udp, sizeof(f_ipv4_udp), &w);

	want_init(&w);
	want_ipv4(&w, 14, 132);
	want_ports(&w, 34, 2905, 2906);
	expect(f_ipv4_sctp, sizeof(f_ipv4_sctp), &w);

	want_init(&w);
	want_ipv4(&w, 14, 1);
	w.l4_ofs = 34;
	expect(f_ipv4_icmp, sizeof(f_ipv4_icmp), &w);
}

static void
test_ipv4_options(void **state)
{
	struct dp_meta w;

	(void)state;
	want_init(&w);
	want_ipv4(&w, 14, 6);
	want_ports(&w, 14 + 28, 1024, 443);
	expect(f_ipv4_opts, sizeof(f_ipv4_opts), &w);
}

static void
test_ipv4_fragments(void **state)
{
	uint8_t f[sizeof(f_ipv4_udp)];
	struct dp_meta w;

	(void)state;
	/* First fragment: MF set, offset 0: ports. */
	memcpy(f, f_ipv4_udp, sizeof(f));
	f[14 + 6] = 0x20;
	f[14 + 7] = 0x00;
	want_init(&w);
	want_ipv4(&w, 14, 17);
	want_ports(&w, 34, 5353, 53);
	w.flags = DP_F_FRAG | DP_F_FRAG_FIRST;
	expect(f, sizeof(f), &w);

	/* Middle fragment: MF set, offset 185: no ports, no L4 header. */
	f[14 + 6] = 0x20;
	f[14 + 7] = 185;
	want_init(&w);
	want_ipv4(&w, 14, 17);
	w.flags = DP_F_FRAG;
	expect(f, sizeof(f), &w);

	/* Last fragment: MF clear, offset 8191. */
	f[14 + 6] = 0x1f;
	f[14 + 7] = 0xff;
	expect(f, sizeof(f), &w);

	/* DF alone is not a fragment. */
	f[14 + 6] = 0x40;
	f[14 + 7] = 0x00;
	want_init(&w);
	want_ipv4(&w, 14, 17);
	want_ports(&w, 34, 5353, 53);
	expect(f, sizeof(f), &w);
}

static void
test_ipv4_ah_not_walked(void **state)
{
	uint8_t f[sizeof(f_ipv4_tcp)];
	struct dp_meta w;

	(void)state;
	/* Extension headers are an IPv6 thing: IPv4 proto 51 is final. */
	memcpy(f, f_ipv4_tcp, sizeof(f));
	f[14 + 9] = 51;
	want_init(&w);
	want_ipv4(&w, 14, 51);
	w.l4_ofs = 34;
	expect(f, sizeof(f), &w);
}

static void
test_ipv6_l4(void **state)
{
	struct dp_meta w;

	(void)state;
	want_init(&w);
	want_ipv6(&w, 14, 6);
	want_ports(&w, 54, 40000, 22);
	expect(f_ipv6_tcp, sizeof(f_ipv6_tcp), &w);

	want_init(&w);
	want_ipv6(&w, 14, 17);
	want_ports(&w, 54, 546, 547);
	expect(f_ipv6_udp, sizeof(f_ipv6_udp), &w);

	want_init(&w);
	want_ipv6(&w, 14, 58);
	w.l4_ofs = 54;
	expect(f_ipv6_icmp6, sizeof(f_ipv6_icmp6), &w);
}

static void
test_ipv6_ext_chain(void **state)
{
	struct dp_meta w;

	(void)state;
	want_init(&w);
	want_ipv6(&w, 14, 6);
	want_ports(&w, 54 + 8 + 16 + 24, 1111, 2222);
	expect(f_ipv6_chain, sizeof(f_ipv6_chain), &w);
}

static void
test_ipv6_fragments(void **state)
{
	uint8_t f[sizeof(f_ipv6_frag_later)];
	struct dp_meta w;

	(void)state;
	want_init(&w);
	want_ipv6(&w, 14, 17);
	want_ports(&w, 54 + 8, 9000, 9001);
	w.flags = DP_F_FRAG | DP_F_FRAG_FIRST;
	expect(f_ipv6_frag_first, sizeof(f_ipv6_frag_first), &w);

	want_init(&w);
	want_ipv6(&w, 14, 17);
	w.flags = DP_F_FRAG;
	expect(f_ipv6_frag_later, sizeof(f_ipv6_frag_later), &w);

	/* A later fragment whose next header is an extension header: the
	 * walk stops at the fragment header. */
	memcpy(f, f_ipv6_frag_later, sizeof(f));
	f[54] = 60;
	want_init(&w);
	want_ipv6(&w, 14, 60);
	w.flags = DP_F_FRAG;
	expect(f, sizeof(f), &w);
}

static void
test_ipv6_ah(void **state)
{
	struct dp_meta w;

	(void)state;
	want_init(&w);
	want_ipv6(&w, 14, 6);
	want_ports(&w, 54 + 24, 3333, 4444);
	expect(f_ipv6_ah, sizeof(f_ipv6_ah), &w);
}

static void
test_vlans(void **state)
{
	struct dp_meta w;

	(void)state;
	want_init(&w);
	want_ipv4(&w, 18, 17);
	want_ports(&w, 38, 1000, 2000);
	w.vlan = 100;
	w.n_vlans = 1;
	expect(f_dot1q, sizeof(f_dot1q), &w);

	want_init(&w);
	want_ipv4(&w, 22, 17);
	want_ports(&w, 42, 1000, 2000);
	w.vlan = 10;
	w.n_vlans = 2;
	expect(f_qinq, sizeof(f_qinq), &w);

	want_init(&w);
	want_ipv6(&w, 26, 17);
	want_ports(&w, 66, 1, 2);
	w.vlan = 4094;
	w.n_vlans = 3;
	expect(f_three_tags, sizeof(f_three_tags), &w);

	want_init(&w);
	want_ipv4(&w, 30, 17);
	want_ports(&w, 50, 1, 2);
	w.vlan = 1;
	w.n_vlans = 4;
	expect(f_four_tags, sizeof(f_four_tags), &w);

	/* One tag more than DP_PARSE_MAX_VLANS. */
	want_init(&w);
	w.vlan = 1;
	w.n_vlans = DP_PARSE_MAX_VLANS;
	w.flags = DP_F_VLAN_TRUNC;
	expect(f_five_tags, sizeof(f_five_tags), &w);
}

static void
test_arp_and_short(void **state)
{
	struct dp_meta w;

	(void)state;
	want_init(&w);
	w.ethertype = 0x0806;
	expect(f_arp, sizeof(f_arp), &w);

	want_init(&w);
	expect(f_arp, 0, &w);
	expect(f_arp, 13, &w);
	w.ethertype = 0x0806;
	expect(f_arp, 14, &w);
}

/* Every length 0..full of an untagged IPv4/TCP frame (total_length 40). */
static void
test_trunc_ipv4_tcp(void **state)
{
	struct dp_meta w;
	size_t len;

	(void)state;
	for (len = 0; len <= sizeof(f_ipv4_tcp); len++) {
		want_init(&w);
		if (len >= 14)
			w.ethertype = 0x0800;
		if (len >= 34)
			want_ipv4(&w, 14, 6);
		if (len > 34)
			w.l4_ofs = 34;
		if (len >= 38)
			want_ports(&w, 34, 12345, 80);
		expect(f_ipv4_tcp, len, &w);
	}
}

/* Every length of IPv6 + hop-by-hop (8) + dest options (16) + UDP. */
static void
test_trunc_ipv6_ext_udp(void **state)
{
	struct dp_meta w;
	size_t len;

	(void)state;
	for (len = 0; len <= sizeof(f_ipv6_ext_udp); len++) {
		want_init(&w);
		if (len >= 14)
			w.ethertype = 0x86dd;
		if (len >= 54)
			want_ipv6(&w, 14, 0);     /* hop-by-hop cut */
		if (len >= 62)
			w.proto = 60;             /* dest options cut */
		if (len >= 78)
			w.proto = 17;
		if (len > 78)
			w.l4_ofs = 78;
		if (len >= 82)
			want_ports(&w, 78, 7000, 7001);
		expect(f_ipv6_ext_udp, len, &w);
	}
}

/* Every length of a QinQ IPv4/UDP frame. */
static void
test_trunc_qinq(void **state)
{
	struct dp_meta w;
	size_t len;

	(void)state;
	for (len = 0; len <= sizeof(f_qinq); len++) {
		want_init(&w);
		if (len >= 14 && len < 22)
			w.flags = DP_F_VLAN_TRUNC;
		if (len >= 18) {
			w.vlan = 10;
			w.n_vlans = 1;
		}
		if (len >= 22) {
			w.n_vlans = 2;
			w.ethertype = 0x0800;
		}
		if (len >= 42)
			want_ipv4(&w, 22, 17);
		if (len > 42)
			w.l4_ofs = 42;
		if (len >= 46)
			want_ports(&w, 42, 1000, 2000);
		expect(f_qinq, len, &w);
	}
}

static void
test_ipv4_bad_ihl(void **state)
{
	uint8_t f[sizeof(f_ipv4_tcp)];
	struct dp_meta w;
	int ihl;

	(void)state;
	memcpy(f, f_ipv4_tcp, sizeof(f));
	want_init(&w);
	w.ethertype = 0x0800;
	for (ihl = 0; ihl < 5; ihl++) {
		f[14] = (uint8_t)(0x40 | ihl);
		expect(f, sizeof(f), &w);
	}
	/* IHL 11 = 44 bytes, only 40 present; total_length raised to match. */
	f[14] = 0x4b;
	f[16] = 0;
	f[17] = 44;
	expect(f, sizeof(f), &w);
	f[14] = 0x4f;
	f[17] = 60;
	expect(f, sizeof(f), &w);

	/* IHL 10 = 40 bytes, exactly the bytes present: IPv4, no L4. */
	f[14] = 0x4a;
	f[17] = 40;
	want_ipv4(&w, 14, 6);
	expect(f, sizeof(f), &w);
}

static void
test_ipv4_total_length(void **state)
{
	uint8_t f[sizeof(f_ipv4_tcp)];
	uint8_t pad[60];
	struct dp_meta w;

	(void)state;
	memcpy(f, f_ipv4_tcp, sizeof(f));
	/* Smaller than the header: not IPv4. */
	f[16] = 0;
	f[17] = 19;
	want_init(&w);
	w.ethertype = 0x0800;
	expect(f, sizeof(f), &w);
	f[17] = 0;
	expect(f, sizeof(f), &w);

	/* Exactly the header: IPv4 without an L4 header. */
	f[17] = 20;
	want_ipv4(&w, 14, 6);
	expect(f, sizeof(f), &w);

	/* Two payload bytes: L4 offset known, ports not. */
	f[17] = 22;
	w.l4_ofs = 34;
	expect(f, sizeof(f), &w);

	/* Four payload bytes: ports. */
	f[17] = 24;
	want_ports(&w, 34, 12345, 80);
	expect(f, sizeof(f), &w);

	/* Larger than the frame: clamped, ports still read. */
	f[16] = 0x05;
	f[17] = 0xdc;
	expect(f, sizeof(f), &w);
	expect(f, 38, &w);
	w.has_ports = 0;
	w.sport = 0;
	w.dport = 0;
	expect(f, 37, &w);

	/* Ethernet padding past total_length is not L4 payload. */
	memset(pad, 0, sizeof(pad));
	memcpy(pad, f_ipv4_tcp, 34);
	pad[16] = 0;
	pad[17] = 20;
	pad[34] = 0x11;
	pad[35] = 0x22;
	want_init(&w);
	want_ipv4(&w, 14, 6);
	expect(pad, sizeof(pad), &w);
}

static void
test_ipv6_payload_length(void **state)
{
	uint8_t f[sizeof(f_ipv6_ext_udp)];
	struct dp_meta w;

	(void)state;
	memcpy(f, f_ipv6_ext_udp, sizeof(f));

	/* payload_length 4: the hop-by-hop header does not fit. */
	f[18] = 0;
	f[19] = 4;
	want_init(&w);
	want_ipv6(&w, 14, 0);
	expect(f, sizeof(f), &w);

	/* 8 + 15: the destination options header does not fit. */
	f[19] = 23;
	w.proto = 60;
	expect(f, sizeof(f), &w);

	/* 8 + 16: chain complete, no L4 byte. */
	f[19] = 24;
	w.proto = 17;
	expect(f, sizeof(f), &w);

	/* 8 + 16 + 3: L4 offset, no ports. */
	f[19] = 27;
	w.l4_ofs = 78;
	expect(f, sizeof(f), &w);

	/* 8 + 16 + 4: ports. */
	f[19] = 28;
	want_ports(&w, 78, 7000, 7001);
	expect(f, sizeof(f), &w);

	/* Larger than the frame: clamped to it. */
	f[18] = 0xff;
	f[19] = 0xff;
	expect(f, sizeof(f), &w);
}

/* A chain of N 8-byte destination options headers, then UDP. */
static size_t
build_long_chain(uint8_t *f, unsigned int n)
{
	static const uint8_t head[] = { MACS, BE16(0x86dd), IP6_HDR(0, 60) };
	static const uint8_t udp[] = { UDP_HDR(5, 6, 8) };
	size_t len = sizeof(head);
	unsigned int i;

	memcpy(f, head, len);
	for (i = 0; i < n; i++) {
		static const uint8_t ext[] = { EXT8(60) };

		memcpy(f + len, ext, 8);
		if (i == n - 1)
			f[len] = 17;
		len += 8;
	}
	memcpy(f + len, udp, sizeof(udp));
	len += sizeof(udp);
	f[18] = (uint8_t)((len - 54) >> 8);
	f[19] = (uint8_t)(len - 54);
	return len;
}

static void
test_ipv6_ext_limit(void **state)
{
	uint8_t f[54 + 8 * (DP_PARSE_MAX_EXT + 1) + 8];
	struct dp_meta w;
	size_t len;

	(void)state;
	len = build_long_chain(f, DP_PARSE_MAX_EXT);
	want_init(&w);
	want_ipv6(&w, 14, 17);
	want_ports(&w, (uint16_t)(54 + 8 * DP_PARSE_MAX_EXT), 5, 6);
	expect(f, len, &w);

	len = build_long_chain(f, DP_PARSE_MAX_EXT + 1);
	want_init(&w);
	want_ipv6(&w, 14, 60);
	expect(f, len, &w);
}

static void
test_version_mismatch(void **state)
{
	uint8_t f4[sizeof(f_ipv4_tcp)];
	uint8_t f6[sizeof(f_ipv6_tcp)];
	struct dp_meta w;

	(void)state;
	memcpy(f4, f_ipv4_tcp, sizeof(f4));
	f4[14] = 0x65;
	want_init(&w);
	w.ethertype = 0x0800;
	expect(f4, sizeof(f4), &w);

	memcpy(f6, f_ipv6_tcp, sizeof(f6));
	f6[14] = 0x45;
	want_init(&w);
	w.ethertype = 0x86dd;
	expect(f6, sizeof(f6), &w);

	/* An IPv6 packet under the IPv4 ethertype (and the reverse). */
	memcpy(f6, f_ipv6_tcp, sizeof(f6));
	f6[12] = 0x08;
	f6[13] = 0x00;
	want_init(&w);
	w.ethertype = 0x0800;
	expect(f6, sizeof(f6), &w);
}

/*
 * Reference evaluator for the random test: the contract of dp_parse.h
 * written out step by step, with an explicit bound check on every read.
 */
struct cursor {
	const uint8_t *d;
	uint32_t len;
};

static int
have(const struct cursor *c, uint32_t ofs, uint32_t n)
{
	return (uint64_t)ofs + n <= c->len;
}

static unsigned int
get8(const struct cursor *c, uint32_t ofs)
{
	assert_true(have(c, ofs, 1));
	return c->d[ofs];
}

static unsigned int
get16(const struct cursor *c, uint32_t ofs)
{
	return get8(c, ofs) * 256 + get8(c, ofs + 1);
}

static void
ref_l4(const struct cursor *c, uint32_t l4, uint32_t end, struct dp_meta *m)
{
	if (l4 >= end)
		return;
	m->l4_ofs = (uint16_t)l4;
	if ((m->proto == 6 || m->proto == 17 || m->proto == 132) &&
	    l4 + 4 <= end) {
		m->has_ports = 1;
		m->sport = (uint16_t)get16(c, l4);
		m->dport = (uint16_t)get16(c, l4 + 2);
	}
}

static void
ref_parse(const uint8_t *d, uint32_t len, struct dp_meta *m)
{
	struct cursor c = { d, len };
	uint32_t ofs = 12, end, ihl, tot, i;
	unsigned int type, nh, n_ext;

	want_init(m);
	if (!have(&c, 0, 14))
		return;
	for (;;) {
		type = get16(&c, ofs);
		ofs += 2;
		if (type != 0x8100 && type != 0x88a8 && type != 0x9100)
			break;
		if (m->n_vlans >= DP_PARSE_MAX_VLANS || !have(&c, ofs, 4)) {
			m->flags = DP_F_VLAN_TRUNC;
			return;
		}
		if (m->n_vlans == 0)
			m->vlan = (uint16_t)(get16(&c, ofs) % 4096);
		m->n_vlans++;
		ofs += 2;
	}
	m->ethertype = (uint16_t)type;
	if (type == 0x0800) {
		if (!have(&c, ofs, 20) || get8(&c, ofs) / 16 != 4)
			return;
		ihl = get8(&c, ofs) % 16;
		tot = get16(&c, ofs + 2);
		if (ihl < 5 || !have(&c, ofs, ihl * 4) || tot < ihl * 4)
			return;
		m->l3 = DP_L3_IPV4;
		m->l3_ofs = (uint16_t)ofs;
		m->proto = (uint8_t)get8(&c, ofs + 9);
		for (i = 0; i < 4; i++) {
			m->src[i] = (uint8_t)get8(&c, ofs + 12 + i);
			m->dst[i] = (uint8_t)get8(&c, ofs + 16 + i);
		}
		end = ofs + tot < len ? ofs + tot : len;
		if (get16(&c, ofs + 6) % 0x4000 != 0) {
			m->flags = DP_F_FRAG;
			if (get16(&c, ofs + 6) % 0x2000 != 0)
				return;
			m->flags |= DP_F_FRAG_FIRST;
		}
		ref_l4(&c, ofs + ihl * 4, end, m);
	} else if (type == 0x86dd) {
		if (!have(&c, ofs, 40) || get8(&c, ofs) / 16 != 6)
			return;
		m->l3 = DP_L3_IPV6;
		m->l3_ofs = (uint16_t)ofs;
		for (i = 0; i < 16; i++) {
			m->src[i] = (uint8_t)get8(&c, ofs + 8 + i);
			m->dst[i] = (uint8_t)get8(&c, ofs + 24 + i);
		}
		end = ofs + 40 + get16(&c, ofs + 4);
		if (end > len)
			end = len;
		nh = get8(&c, ofs + 6);
		ofs += 40;
		for (n_ext = 0;; n_ext++) {
			uint32_t hl;

			if (nh != 0 && nh != 43 && nh != 44 && nh != 60 &&
			    nh != 51 && nh != 135)
				break;
			m->proto = (uint8_t)nh;
			if (n_ext == DP_PARSE_MAX_EXT || ofs + 2 > end)
				return;
			if (nh == 51)
				hl = (get8(&c, ofs + 1) + 2) * 4;
			else if (nh == 44)
				hl = 8;
			else
				hl = (get8(&c, ofs + 1) + 1) * 8;
			if (ofs + hl > end)
				return;
			if (nh == 44) {
				m->flags |= DP_F_FRAG;
				if (get16(&c, ofs + 2) >> 3 != 0) {
					m->flags = DP_F_FRAG;
					m->proto = (uint8_t)get8(&c, ofs);
					return;
				}
				m->flags |= DP_F_FRAG_FIRST;
			}
			nh = get8(&c, ofs);
			ofs += hl;
		}
		m->proto = (uint8_t)nh;
		ref_l4(&c, ofs, end, m);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void
put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Fill BUF (LEN bytes) with random bytes and a plausible header stack. */
static void
random_frame(uint8_t *buf, uint32_t len)
{
	static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100 };
	static const uint8_t exts[] = { 0, 43, 44, 60, 51, 135, 6, 17, 58 };
	static const uint8_t protos[] = { 6, 17, 132, 1, 58, 51, 0 };
	uint8_t tmp[512];
	uint32_t ofs = 12, i, n, rem;
	unsigned int kind = rnd() % 8;

	for (i = 0; i < sizeof(tmp); i++)
		tmp[i] = (uint8_t)rnd();
	if (kind == 0)
		goto out;    /* pure noise */
	n = rnd() % 7 == 0 ? rnd() % 7 : rnd() % 3;
	for (i = 0; i < n; i++) {
		put16(tmp + ofs, tpids[rnd() % 3]);
		ofs += 4;
	}
	if (kind <= 4) {
		put16(tmp + ofs, 0x0800);
		ofs += 2;
		tmp[ofs] = (uint8_t)(rnd() % 16 == 0 ? rnd() : 0x45);
		if (rnd() % 4 == 0)
			tmp[ofs] = (uint8_t)(0x40 | (rnd() % 16));
		rem = len > ofs ? len - ofs : 0;
		put16(tmp + ofs + 2, rnd() % 4 == 0 ? rnd() % 128 :
			rem + rnd() % 9 - 4);
		put16(tmp + ofs + 6, rnd() % 2 ? 0 : rnd() % 3 == 0 ?
			0x2000 : rnd());
		tmp[ofs + 9] = protos[rnd() % sizeof(protos)];
	} else if (kind <= 7) {
		put16(tmp + ofs, 0x86dd);
		ofs += 2;
		tmp[ofs] = (uint8_t)(rnd() % 16 == 0 ? rnd() : 0x60);
		rem = len > ofs + 40 ? len - ofs - 40 : 0;
		put16(tmp + ofs + 4, rnd() % 4 == 0 ? rnd() % 64 :
			rem + rnd() % 9 - 4);
		tmp[ofs + 6] = exts[rnd() % sizeof(exts)];
		ofs += 40;
		/* A few extension headers with small lengths. */
		for (i = 0; i < 10 && ofs + 8 < sizeof(tmp); i++) {
			tmp[ofs] = exts[rnd() % sizeof(exts)];
			tmp[ofs + 1] = (uint8_t)(rnd() % 3);
			if (rnd() % 2)
				tmp[ofs + 2] = tmp[ofs + 3] = 0;
			ofs += 8 * (tmp[ofs + 1] + 1u);
		}
	}
out:
	memcpy(buf, tmp, len);
}

static void
test_random(void **state)
{
	struct dp_meta got, want;
	uint8_t *buf;
	uint32_t len;
	unsigned int i, n_ip = 0, n_ports = 0, n_frag = 0, n_trunc = 0;

	(void)state;
	for (i = 0; i < 200000; i++) {
		len = rnd() % 257;
		buf = malloc(len == 0 ? 1 : len);
		assert_non_null(buf);
		random_frame(buf, len);
		memset(&got, 0x5a, sizeof(got));
		dp_parse(buf, len, &got);
		ref_parse(buf, len, &want);
		check_meta(&got, &want, (int)i);
		free(buf);
		n_ip += got.l3 != DP_L3_OTHER;
		n_ports += got.has_ports;
		n_frag += (got.flags & DP_F_FRAG) != 0;
		n_trunc += (got.flags & DP_F_VLAN_TRUNC) != 0;
	}
	/* The generator must actually reach the interesting paths. */
	print_message("random: %u IP, %u with ports, %u fragments, %u "
		      "truncated tag stacks\n", n_ip, n_ports, n_frag, n_trunc);
	assert_true(n_ip > 20000);
	assert_true(n_ports > 5000);
	assert_true(n_frag > 1000);
	assert_true(n_trunc > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_path_equals_full),
		cmocka_unit_test(test_ipv4_l4),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv4_ah_not_walked),
		cmocka_unit_test(test_ipv6_l4),
		cmocka_unit_test(test_ipv6_ext_chain),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_ipv6_ah),
		cmocka_unit_test(test_vlans),
		cmocka_unit_test(test_arp_and_short),
		cmocka_unit_test(test_trunc_ipv4_tcp),
		cmocka_unit_test(test_trunc_ipv6_ext_udp),
		cmocka_unit_test(test_trunc_qinq),
		cmocka_unit_test(test_ipv4_bad_ihl),
		cmocka_unit_test(test_ipv4_total_length),
		cmocka_unit_test(test_ipv6_payload_length),
		cmocka_unit_test(test_ipv6_ext_limit),
		cmocka_unit_test(test_version_mismatch),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
