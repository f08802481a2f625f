/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dpmirrorctl collect's decapsulator (cli/cli_decap.h):
 * every kind over both outer families, tagged and not, from frames
 * assembled here byte by byte; every encapsulation dpmirror's own
 * templates (dataplane/dp_encap.h) write decoded back to the exact inner
 * frame and fields; every prefix and every cut of the tunnel payload
 * with the status the contract names (the buffers are exactly as long
 * as the frame, so the ASan build catches any read past it); frames that
 * are not tunnels or are broken; the sequence tracker against a plain
 * reference model (wrap, duplicates, reordering, injected loss, restarts);
 * ERSPAN III timestamps to full times.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_decap.h"
#include "dp_encap.h"

#define BUF_MAX 10000

/* Deterministic xorshift32 generator; the seed is printed by the tests
 * that use it and DPM_TEST_SEED sets it. */
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

static uint32_t
test_seed(const char *name)
{
	const char *e = getenv("DPM_TEST_SEED");
	uint32_t s = e != NULL ? (uint32_t)strtoul(e, NULL, 10) : 0x5eed1234u;

	if (s == 0)
		s = 1;
	printf("%s: seed %u (DPM_TEST_SEED)\n", name, s);
	return s;
}

/* ---- an independent frame builder ---- */

struct spec {
	int kind;	  /* enum dcp_kind */
	int family;	  /* 4 or 6 */
	uint16_t tpid;	  /* 0 untagged, else 0x8100 or 0x88a8 */
	int ip4_opts;	  /* IPv4 options words (IHL 5 + this) */
	uint16_t dport;	  /* UDP kinds: 0 = the kind's default */
	uint32_t id;	  /* VNI, GRE key, session id */
	int geneve_words; /* Geneve option length, 4-byte words */
	int gre_c, gre_k, gre_s;
	uint32_t seq;
	uint16_t vlan;
	uint8_t cos, en, t;
	uint32_t index;
	uint32_t ts;
	uint8_t d, gra, o;
	uint32_t inner_len;
	uint32_t pad; /* bytes after the IP datagram (Ethernet padding) */
};

struct built {
	uint32_t len;	     /* the whole frame */
	uint32_t l3, l4;     /* IP header, header after IP */
	uint32_t ip_end;     /* end of the IP datagram */
	uint32_t inner_off;  /* the inner frame */
	uint32_t inner_len;
};

static const uint8_t src4[4] = {198, 18, 0, 1};
static const uint8_t dst4[4] = {198, 18, 7, 2};
static const uint8_t src6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0,
				 0, 0, 0, 0, 0, 0, 0x12, 0x01};
static const uint8_t dst6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0,
				 0, 0, 0, 0, 0, 0, 0x34, 0x02};

static uint8_t *
put8(uint8_t *p, uint32_t v)
{
	*p = (uint8_t)v;
	return p + 1;
}

static uint8_t *
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
	p = put16(p, v >> 16);
	return put16(p, v & 0xffff);
}

static uint32_t
build(const struct spec *s, uint8_t *buf, struct built *b)
{
	uint8_t *p = buf, *ip, *udp = NULL;
	uint32_t i, w;
	int gre = s->kind == DCP_GRE || s->kind == DCP_ERSPAN2 ||
		  s->kind == DCP_ERSPAN3;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < 6; i++)
		p = put8(p, 0x02 + i * 0x11);
	for (i = 0; i < 6; i++)
		p = put8(p, 0x0a + i);
	if (s->tpid != 0) {
		p = put16(p, s->tpid);
		p = put16(p, 0x2005);
	}
	p = put16(p, s->family == 4 ? 0x0800 : 0x86dd);
	ip = p;
	b->l3 = (uint32_t)(p - buf);
	if (s->family == 4) {
		p = put8(p, 0x40 | (5 + s->ip4_opts));
		p = put8(p, 0);
		p = put16(p, 0); /* total length, below */
		p = put16(p, 0x1234);
		p = put16(p, 0x4000); /* DF */
		p = put8(p, 64);
		p = put8(p, gre ? 47 : 17);
		p = put16(p, 0);
		memcpy(p, src4, 4);
		memcpy(p + 4, dst4, 4);
		p += 8;
		for (i = 0; i < (uint32_t)s->ip4_opts; i++)
			p = put32(p, 0x01010101); /* NOPs */
	} else {
		p = put32(p, 0x60000000);
		p = put16(p, 0); /* payload length, below */
		p = put8(p, gre ? 47 : 17);
		p = put8(p, 64);
		memcpy(p, src6, 16);
		memcpy(p + 16, dst6, 16);
		p += 32;
	}
	b->l4 = (uint32_t)(p - buf);
	switch (s->kind) {
	case DCP_VXLAN:
	case DCP_GENEVE:
		udp = p;
		p = put16(p, 0xc123);
		p = put16(p, s->dport != 0 ? s->dport
			  : s->kind == DCP_VXLAN ? 4789 : 6081);
		p = put16(p, 0); /* length, below */
		p = put16(p, 0);
		if (s->kind == DCP_VXLAN) {
			p = put32(p, 0x08000000);
			p = put32(p, s->id << 8);
		} else {
			p = put8(p, (uint32_t)s->geneve_words);
			p = put8(p, 0);
			p = put16(p, 0x6558);
			p = put32(p, s->id << 8);
			for (i = 0; i < (uint32_t)s->geneve_words; i++)
				p = put32(p, 0xa5000000 | i);
		}
		break;
	default:
		w = (s->gre_c ? 0x8000 : 0) | (s->gre_k ? 0x2000 : 0) |
		    (s->gre_s ? 0x1000 : 0);
		p = put16(p, w);
		p = put16(p, s->kind == DCP_GRE	    ? 0x6558
			     : s->kind == DCP_ERSPAN2 ? 0x88be
						      : 0x22eb);
		if (s->gre_c)
			p = put32(p, 0xbeef0000);
		if (s->gre_k)
			p = put32(p, s->kind == DCP_GRE ? s->id : 0x77777777);
		if (s->gre_s)
			p = put32(p, s->seq);
		if (s->kind == DCP_GRE)
			break;
		w = (uint32_t)(s->kind == DCP_ERSPAN2 ? 1 : 2) << 28 |
		    (uint32_t)s->vlan << 16 | (uint32_t)s->cos << 13 |
		    (uint32_t)s->en << 11 | (uint32_t)s->t << 10 | s->id;
		p = put32(p, w);
		if (s->kind == DCP_ERSPAN2) {
			p = put32(p, s->index);
			break;
		}
		p = put32(p, s->ts);
		/* SGT 0x4242, P 1, FT 0, HW ID 0x15, D, Gra, O. */
		p = put32(p, 0x4242u << 16 | 1u << 15 | 0x15u << 4 |
				     (uint32_t)s->d << 3 |
				     (uint32_t)s->gra << 1 | s->o);
		if (s->o) {
			p = put32(p, 0x11111111);
			p = put32(p, 0x22222222);
		}
		break;
	}
	b->inner_off = (uint32_t)(p - buf);
	b->inner_len = s->inner_len;
	/* The inner frame: MACs, EtherType, then a pattern. */
	for (i = 0; i < s->inner_len; i++)
		p[i] = (uint8_t)(i < 12 ? 0xc0 + i : i == 12 ? 0x08
				 : i == 13 ? 0x00 : i * 7 + 3);
	p += s->inner_len;
	b->ip_end = (uint32_t)(p - buf);
	if (s->family == 4)
		put16(ip + 2, b->ip_end - b->l3);
	else
		put16(ip + 4, b->ip_end - b->l4);
	if (udp != NULL)
		put16(udp + 4, b->ip_end - b->l4);
	memset(p, 0, s->pad);
	p += s->pad;
	b->len = (uint32_t)(p - buf);
	return b->len;
}

/* What decoding the frame of S must give. */
static void
expect(const struct spec *s, const struct built *b, struct dcp_result *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = (uint8_t)s->kind;
	e->family = (uint8_t)s->family;
	memcpy(e->src, s->family == 4 ? src4 : src6, s->family == 4 ? 4 : 16);
	memcpy(e->dst, s->family == 4 ? dst4 : dst6, s->family == 4 ? 4 : 16);
	if (s->kind != DCP_GRE || s->gre_k) {
		e->has_id = 1;
		e->id = s->id;
	}
	if (s->gre_s) {
		e->has_seq = 1;
		e->seq = s->seq;
	}
	if (s->kind == DCP_ERSPAN2 || s->kind == DCP_ERSPAN3) {
		e->vlan = s->vlan;
		e->cos = s->cos;
		e->en_or_bso = s->en;
		e->truncated = s->t;
	}
	if (s->kind == DCP_ERSPAN2)
		e->index = s->index;
	if (s->kind == DCP_ERSPAN3) {
		e->has_ts = 1;
		e->timestamp = s->ts;
		e->gra = s->gra;
		e->direction = s->d;
	}
	e->inner_off = b->inner_off;
	e->inner_len = b->inner_len;
}

static void
check_result(const struct dcp_result *e, const struct dcp_result *r)
{
	assert_int_equal(r->kind, e->kind);
	assert_int_equal(r->family, e->family);
	assert_memory_equal(r->src, e->src, 16);
	assert_memory_equal(r->dst, e->dst, 16);
	assert_int_equal(r->has_id, e->has_id);
	assert_int_equal(r->id, e->id);
	assert_int_equal(r->has_seq, e->has_seq);
	assert_int_equal(r->seq, e->seq);
	assert_int_equal(r->truncated, e->truncated);
	assert_int_equal(r->vlan, e->vlan);
	assert_int_equal(r->cos, e->cos);
	assert_int_equal(r->en_or_bso, e->en_or_bso);
	assert_int_equal(r->index, e->index);
	assert_int_equal(r->has_ts, e->has_ts);
	assert_int_equal(r->timestamp, e->timestamp);
	assert_int_equal(r->gra, e->gra);
	assert_int_equal(r->direction, e->direction);
	assert_int_equal(r->inner_off, e->inner_off);
	assert_int_equal(r->inner_len, e->inner_len);
}

/* Decode BUF[0..LEN) from a heap copy of exactly LEN bytes. */
static int
decap_exact(const uint8_t *buf, uint32_t len, const struct dcp_opts *o,
	    struct dcp_result *r)
{
	uint8_t *c = malloc(len ? len : 1);
	int rc;

	assert_non_null(c);
	memcpy(c, buf, len);
	rc = dcp_decap(c, len, o, r);
	if (rc == DCP_OK) {
		assert_true(r->inner_off <= len);
		assert_true(r->inner_len <= len - r->inner_off);
		assert_true(r->inner_len >= 14);
	}
	free(c);
	return rc;
}

/* Every shape of every kind: C, K, S, options, subheaders. */
static size_t
all_specs(struct spec *v, size_t max)
{
	static const int fam[] = {4, 6};
	static const uint16_t tpids[] = {0, 0x8100, 0x88a8};
	size_t n = 0;
	unsigned int f, t, k;
	struct spec s;

	for (f = 0; f < 2; f++)
		for (t = 0; t < 3; t++)
			for (k = 0; k < 14; k++) {
				memset(&s, 0, sizeof(s));
				s.family = fam[f];
				s.tpid = tpids[t];
				s.inner_len = 60 + k * 13;
				s.ip4_opts = s.family == 4 && k % 3 == 1 ? 2 : 0;
				switch (k) {
				case 0:
					s.kind = DCP_VXLAN;
					s.id = 0xabcdef;
					break;
				case 1:
					s.kind = DCP_GENEVE;
					s.id = 7;
					break;
				case 2:
					s.kind = DCP_GENEVE;
					s.id = 0xfffffe;
					s.geneve_words = 5;
					break;
				case 3:
					s.kind = DCP_GRE;
					break;
				case 4:
					s.kind = DCP_GRE;
					s.gre_k = 1;
					s.id = 0xdeadbeef;
					break;
				case 5:
					s.kind = DCP_GRE;
					s.gre_s = 1;
					s.seq = 0xfffffffe;
					break;
				case 6:
					s.kind = DCP_GRE;
					s.gre_c = s.gre_k = s.gre_s = 1;
					s.id = 5;
					s.seq = 17;
					break;
				case 7:
					s.kind = DCP_ERSPAN2;
					s.gre_s = 1;
					s.seq = 99;
					s.id = 321;
					s.vlan = 42;
					s.cos = 5;
					s.en = 3;
					s.t = 1;
					s.index = 0xfedcb;
					break;
				case 8:
					s.kind = DCP_ERSPAN2;
					s.gre_s = s.gre_k = 1;
					s.seq = 0;
					s.id = 1023;
					break;
				case 9:
					s.kind = DCP_ERSPAN3;
					s.gre_s = 1;
					s.seq = 0x80000000;
					s.id = 12;
					s.vlan = 4094;
					s.cos = 7;
					s.en = 2;
					s.t = 1;
					s.ts = 0xfedcba98;
					s.d = 1;
					s.gra = 1;
					break;
				case 10:
					s.kind = DCP_ERSPAN3;
					s.gre_s = 1;
					s.seq = 3;
					s.id = 1;
					s.ts = 12345;
					s.gra = 3;
					s.o = 1;
					break;
				case 11:
					s.kind = DCP_VXLAN;
					s.id = 0;
					s.inner_len = 14; /* the shortest */
					break;
				case 12:
					/* Padded to Ethernet's minimum: 60. */
					s.kind = DCP_GRE;
					s.inner_len = 14;
					s.pad = 6;
					break;
				default:
					s.kind = DCP_ERSPAN3;
					s.gre_s = 1;
					s.seq = 1;
					s.id = 1000;
					s.inner_len = 9000;
					break;
				}
				assert_true(n < max);
				v[n++] = s;
			}
	return n;
}

#define N_SPECS 128

static void
test_kinds(void **state)
{
	static uint8_t buf[BUF_MAX];
	struct spec v[N_SPECS];
	struct dcp_result e, r;
	struct built b;
	size_t i, n = all_specs(v, N_SPECS);
	unsigned int per_kind[DCP_N_KINDS][7] = {{0}};

	(void)state;
	for (i = 0; i < n; i++) {
		build(&v[i], buf, &b);
		expect(&v[i], &b, &e);
		assert_int_equal(decap_exact(buf, b.len, NULL, &r), DCP_OK);
		check_result(&e, &r);
		assert_memory_equal(buf + r.inner_off, buf + b.inner_off,
				    b.inner_len);
		assert_int_equal(buf[r.inner_off + 12], 0x08);
		per_kind[r.kind][r.family]++;
	}
	/* Every kind over both families was decoded. */
	for (i = DCP_VXLAN; i < DCP_N_KINDS; i++) {
		assert_true(per_kind[i][4] > 0);
		assert_true(per_kind[i][6] > 0);
	}
}

/* Hand-written bytes, not from the builder: VxLAN VNI 100 over IPv4 and
 * ERSPAN II over IPv6, as a capture shows them. */
static void
test_literal_frames(void **state)
{
	static const uint8_t vx[] = {
		/* Ethernet */
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
		/* IPv4: 20 + 8 + 8 + 14 = 50 */
		0x45, 0x00, 0x00, 0x32, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0x00, 0x00, 198, 18, 1, 10, 198, 18, 1, 3,
		/* UDP 49415 -> 4789, 30 */
		0xc1, 0x07, 0x12, 0xb5, 0x00, 0x1e, 0x00, 0x00,
		/* VxLAN I, VNI 100 */
		0x08, 0, 0, 0, 0x00, 0x00, 0x64, 0x00,
		/* inner Ethernet */
		0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
		0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0x88, 0xb5,
	};
	static const uint8_t er[] = {
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x86, 0xdd,
		/* IPv6, payload 4 + 4 + 8 + 16 = 32, next header GRE */
		0x60, 0, 0, 0, 0x00, 0x20, 47, 64,
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		/* GRE S, 0x88BE, seq 7 */
		0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 7,
		/* ERSPAN II: ver 1, VLAN 10, CoS 3, En 3, T 0, session 5;
		 * index 9 */
		0x10, 0x0a, 0x78, 0x05, 0x00, 0x00, 0x00, 0x09,
		/* inner: 16 bytes */
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00, 0x45, 0,
	};
	struct dcp_result r;

	(void)state;
	assert_int_equal(decap_exact(vx, sizeof(vx), NULL, &r), DCP_OK);
	assert_int_equal(r.kind, DCP_VXLAN);
	assert_int_equal(r.family, 4);
	assert_int_equal(r.id, 100);
	assert_int_equal(r.has_seq, 0);
	assert_int_equal(r.inner_off, 50);
	assert_int_equal(r.inner_len, 14);
	assert_memory_equal(r.src, ((uint8_t[]){198, 18, 1, 10}), 4);
	assert_memory_equal(r.dst, ((uint8_t[]){198, 18, 1, 3}), 4);
	assert_string_equal(dcp_kind_name(r.kind), "vxlan");

	assert_int_equal(decap_exact(er, sizeof(er), NULL, &r), DCP_OK);
	assert_int_equal(r.kind, DCP_ERSPAN2);
	assert_int_equal(r.family, 6);
	assert_int_equal(r.id, 5);
	assert_int_equal(r.has_seq, 1);
	assert_int_equal(r.seq, 7);
	assert_int_equal(r.vlan, 10);
	assert_int_equal(r.cos, 3);
	assert_int_equal(r.en_or_bso, 3);
	assert_int_equal(r.truncated, 0);
	assert_int_equal(r.index, 9);
	assert_int_equal(r.inner_off, 14 + 40 + 8 + 8);
	assert_int_equal(r.inner_len, 16);
	assert_int_equal(r.src[15], 1);
	assert_int_equal(r.dst[15], 2);
	assert_string_equal(dcp_kind_name(r.kind), "erspan2");
	assert_string_equal(dcp_kind_name(DCP_GENEVE), "geneve");
	assert_string_equal(dcp_kind_name(DCP_GRE), "gre");
	assert_string_equal(dcp_kind_name(DCP_ERSPAN3), "erspan3");
	assert_string_equal(dcp_kind_name(DCP_NONE), "none");
	assert_string_equal(dcp_kind_name(99), "?");
}

/* Every prefix of every frame: the IP length then exceeds what is there,
 * so it is not a tunnel (or, past the datagram into the padding, the
 * same frame). */
static void
test_prefixes(void **state)
{
	static uint8_t buf[BUF_MAX];
	struct spec v[N_SPECS];
	struct dcp_result r;
	struct built b;
	size_t i, n = all_specs(v, N_SPECS);
	uint32_t len;
	unsigned long tried = 0;

	(void)state;
	for (i = 0; i < n; i++) {
		if (v[i].inner_len > 2000)
			v[i].inner_len = 100;
		build(&v[i], buf, &b);
		for (len = 0; len < b.len; len++) {
			int rc = decap_exact(buf, len, NULL, &r);

			if (len >= b.ip_end) {
				assert_int_equal(rc, DCP_OK);
				assert_int_equal(r.inner_len, b.inner_len);
			} else {
				assert_int_equal(rc, DCP_NOT_TUNNEL);
			}
			tried++;
		}
	}
	assert_true(tried > 10000);
	assert_int_equal(dcp_decap(NULL, 0, NULL, &r), DCP_NOT_TUNNEL);
}

/* Every cut of the payload after IP, with consistent IP (and UDP)
 * lengths: under 4 bytes the port or protocol is unknown (not a tunnel);
 * then, until the tunnel headers and 14 bytes of inner frame are there,
 * malformed; then a shorter inner frame. */
static void
test_cuts(void **state)
{
	static uint8_t buf[BUF_MAX], cut[BUF_MAX];
	struct spec v[N_SPECS];
	struct dcp_result r;
	struct built b;
	size_t i, n = all_specs(v, N_SPECS);
	uint32_t c, hdrs, pay;
	int rc, want;

	(void)state;
	for (i = 0; i < n; i++) {
		v[i].pad = 0;
		if (v[i].inner_len > 2000)
			v[i].inner_len = 100;
		build(&v[i], buf, &b);
		pay = b.ip_end - b.l4;
		hdrs = b.inner_off - b.l4;
		for (c = 0; c <= pay; c++) {
			memcpy(cut, buf, b.l4 + c);
			if (v[i].family == 4)
				put16(cut + b.l3 + 2, b.l4 - b.l3 + c);
			else
				put16(cut + b.l3 + 4, c);
			if ((v[i].kind == DCP_VXLAN ||
			     v[i].kind == DCP_GENEVE) && c >= 6)
				put16(cut + b.l4 + 4, c);
			rc = decap_exact(cut, b.l4 + c, NULL, &r);
			want = c < 4		  ? DCP_NOT_TUNNEL
			       : c < hdrs + 14 ? DCP_MALFORMED
					       : DCP_OK;
			if (rc != want)
				fail_msg("kind %d family %d cut %u: status %d, "
					 "want %d",
					 v[i].kind, v[i].family, c, rc, want);
			if (want == DCP_MALFORMED)
				assert_int_equal(r.kind, v[i].kind);
			if (want == DCP_OK) {
				assert_int_equal(r.inner_off, b.inner_off);
				assert_int_equal(r.inner_len, c - hdrs);
			}
		}
	}
}

/* A frame of S with bytes changed by FIX (offsets from the built frame). */
typedef void (*fix_fn)(uint8_t *buf, const struct built *b);

static void fx_none(uint8_t *p, const struct built *b) { (void)p; (void)b; }
static void fx_arp(uint8_t *p, const struct built *b)
{ (void)b; put16(p + 12, 0x0806); }
static void fx_qinq(uint8_t *p, const struct built *b)
{ (void)b; put16(p + 12, 0x88a8); put16(p + 16, 0x8100); }
static void fx_ipver(uint8_t *p, const struct built *b)
{ p[b->l3] = (uint8_t)((p[b->l3] & 0x0f) | 0x60); }
static void fx_ihl4(uint8_t *p, const struct built *b)
{ p[b->l3] = 0x44; }
static void fx_totshort(uint8_t *p, const struct built *b)
{ put16(p + b->l3 + 2, 19); }
static void fx_mf(uint8_t *p, const struct built *b)
{ put16(p + b->l3 + 6, 0x2000); }
static void fx_fragoff(uint8_t *p, const struct built *b)
{ put16(p + b->l3 + 6, 0x0010); }
static void fx_tcp4(uint8_t *p, const struct built *b)
{ p[b->l3 + 9] = 6; }
static void fx_tcp6(uint8_t *p, const struct built *b)
{ p[b->l3 + 6] = 6; }
static void fx_hbh6(uint8_t *p, const struct built *b)
{ p[b->l3 + 6] = 0; }
static void fx_jumbo6(uint8_t *p, const struct built *b)
{ put16(p + b->l3 + 4, 0); }
static void fx_port53(uint8_t *p, const struct built *b)
{ put16(p + b->l4 + 2, 53); }
static void fx_port8472(uint8_t *p, const struct built *b)
{ put16(p + b->l4 + 2, 8472); }
static void fx_noiflag(uint8_t *p, const struct built *b)
{ p[b->l4 + 8] = 0x0c & ~0x08; }
static void fx_genever(uint8_t *p, const struct built *b)
{ p[b->l4 + 8] |= 0x40; }
static void fx_geneproto(uint8_t *p, const struct built *b)
{ put16(p + b->l4 + 10, 0x0800); }
static void fx_geneopt(uint8_t *p, const struct built *b)
{ p[b->l4 + 8] = 0x3f; }
static void fx_udplong(uint8_t *p, const struct built *b)
{ put16(p + b->l4 + 4, (uint32_t)(b->ip_end - b->l4 + 1)); }
static void fx_udp7(uint8_t *p, const struct built *b)
{ put16(p + b->l4 + 4, 7); }
static void fx_grever(uint8_t *p, const struct built *b)
{ p[b->l4 + 1] |= 1; }
static void fx_grer(uint8_t *p, const struct built *b)
{ p[b->l4] |= 0x40; }
static void fx_greip(uint8_t *p, const struct built *b)
{ put16(p + b->l4 + 2, 0x0800); }
static void fx_gre_nos(uint8_t *p, const struct built *b)
{ p[b->l4] &= (uint8_t)~0x10; }
static void fx_ers_ver(uint8_t *p, const struct built *b)
{ p[b->inner_off - 8] = (uint8_t)((p[b->inner_off - 8] & 0x0f) | 0x20); }
static void fx_ers3_ver(uint8_t *p, const struct built *b)
{ p[b->inner_off - 12] = (uint8_t)((p[b->inner_off - 12] & 0x0f) | 0x10); }
static void fx_ers3_ft(uint8_t *p, const struct built *b)
{ p[b->inner_off - 2] |= 0x08; /* FT 2: IP */ }

struct bad_case {
	const char *what;
	int kind, family;
	fix_fn fix;
	int want;
	int geneve_words;
};

static void
test_not_ours_and_broken(void **state)
{
	static const struct bad_case cases[] = {
		{"arp", DCP_VXLAN, 4, fx_arp, DCP_NOT_TUNNEL, 0},
		{"two tags", DCP_VXLAN, 4, fx_qinq, DCP_NOT_TUNNEL, 0},
		{"ip version 6 in 0x0800", DCP_VXLAN, 4, fx_ipver,
		 DCP_NOT_TUNNEL, 0},
		{"ihl 4", DCP_VXLAN, 4, fx_ihl4, DCP_NOT_TUNNEL, 0},
		{"total length < header", DCP_GRE, 4, fx_totshort,
		 DCP_NOT_TUNNEL, 0},
		{"more fragments", DCP_VXLAN, 4, fx_mf, DCP_NOT_TUNNEL, 0},
		{"fragment offset", DCP_GRE, 4, fx_fragoff, DCP_NOT_TUNNEL, 0},
		{"tcp", DCP_VXLAN, 4, fx_tcp4, DCP_NOT_TUNNEL, 0},
		{"tcp6", DCP_GRE, 6, fx_tcp6, DCP_NOT_TUNNEL, 0},
		{"hop-by-hop", DCP_VXLAN, 6, fx_hbh6, DCP_NOT_TUNNEL, 0},
		{"jumbogram", DCP_VXLAN, 6, fx_jumbo6, DCP_NOT_TUNNEL, 0},
		{"udp 53", DCP_VXLAN, 4, fx_port53, DCP_NOT_TUNNEL, 0},
		{"udp 8472 without --port", DCP_VXLAN, 6, fx_port8472,
		 DCP_NOT_TUNNEL, 0},
		{"vxlan without I", DCP_VXLAN, 4, fx_noiflag, DCP_NOT_TUNNEL,
		 0},
		{"geneve version 1", DCP_GENEVE, 6, fx_genever,
		 DCP_NOT_TUNNEL, 0},
		{"geneve protocol ipv4", DCP_GENEVE, 4, fx_geneproto,
		 DCP_NOT_TUNNEL, 0},
		{"geneve options beyond the datagram", DCP_GENEVE, 4,
		 fx_geneopt, DCP_MALFORMED, 0},
		{"udp length beyond ip", DCP_VXLAN, 4, fx_udplong,
		 DCP_MALFORMED, 0},
		{"udp length 7", DCP_GENEVE, 6, fx_udp7, DCP_MALFORMED, 0},
		{"gre version 1", DCP_GRE, 4, fx_grever, DCP_NOT_TUNNEL, 0},
		{"gre routing", DCP_GRE, 6, fx_grer, DCP_NOT_TUNNEL, 0},
		{"gre ipv4 payload", DCP_GRE, 4, fx_greip, DCP_NOT_TUNNEL, 0},
		{"erspan type I", DCP_ERSPAN2, 4, fx_gre_nos, DCP_NOT_TUNNEL,
		 0},
		{"erspan III without S", DCP_ERSPAN3, 6, fx_gre_nos,
		 DCP_MALFORMED, 0},
		{"erspan II version 2", DCP_ERSPAN2, 6, fx_ers_ver,
		 DCP_MALFORMED, 0},
		{"erspan III version 1", DCP_ERSPAN3, 4, fx_ers3_ver,
		 DCP_MALFORMED, 0},
		{"erspan III ft ip", DCP_ERSPAN3, 4, fx_ers3_ft,
		 DCP_NOT_TUNNEL, 0},
		{"unchanged", DCP_ERSPAN3, 6, fx_none, DCP_OK, 0},
	};
	static uint8_t buf[BUF_MAX];
	struct dcp_result r;
	struct built b;
	struct spec s;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&s, 0, sizeof(s));
		s.kind = cases[i].kind;
		s.family = cases[i].family;
		s.gre_s = s.kind == DCP_ERSPAN2 || s.kind == DCP_ERSPAN3;
		s.inner_len = 64;
		s.id = 9;
		build(&s, buf, &b);
		cases[i].fix(buf, &b);
		rc = decap_exact(buf, b.len, NULL, &r);
		if (rc != cases[i].want)
			fail_msg("%s: status %d, want %d", cases[i].what, rc,
				 cases[i].want);
	}
}

static void
test_ports(void **state)
{
	static uint8_t buf[BUF_MAX];
	struct dcp_opts o;
	struct dcp_result r;
	struct built b;
	struct spec s;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.vxlan_ports[0] = 8472;
	o.vxlan_ports[1] = 4790;
	o.n_vxlan_ports = 2;
	o.geneve_port = 7000;

	memset(&s, 0, sizeof(s));
	s.kind = DCP_VXLAN;
	s.family = 4;
	s.inner_len = 70;
	s.id = 77;
	s.dport = 8472;
	build(&s, buf, &b);
	assert_int_equal(decap_exact(buf, b.len, NULL, &r), DCP_NOT_TUNNEL);
	assert_int_equal(decap_exact(buf, b.len, &o, &r), DCP_OK);
	assert_int_equal(r.kind, DCP_VXLAN);
	assert_int_equal(r.id, 77);
	s.dport = 4790;
	build(&s, buf, &b);
	assert_int_equal(decap_exact(buf, b.len, &o, &r), DCP_OK);
	/* With ports given, 4789 is no longer one of them. */
	s.dport = 4789;
	build(&s, buf, &b);
	assert_int_equal(decap_exact(buf, b.len, &o, &r), DCP_NOT_TUNNEL);
	assert_int_equal(decap_exact(buf, b.len, NULL, &r), DCP_OK);

	s.kind = DCP_GENEVE;
	s.family = 6;
	s.dport = 7000;
	build(&s, buf, &b);
	assert_int_equal(decap_exact(buf, b.len, NULL, &r), DCP_NOT_TUNNEL);
	assert_int_equal(decap_exact(buf, b.len, &o, &r), DCP_OK);
	assert_int_equal(r.kind, DCP_GENEVE);
	s.dport = 6081;
	build(&s, buf, &b);
	assert_int_equal(decap_exact(buf, b.len, &o, &r), DCP_NOT_TUNNEL);
}

/* Every byte of every frame changed to a few values: never a read past
 * the frame, and an OK result always inside it. */
static void
test_mutations(void **state)
{
	static const uint8_t vals[] = {0x00, 0xff, 0x80, 0x01, 0x3f, 0x10};
	static uint8_t buf[BUF_MAX];
	struct spec v[N_SPECS];
	struct dcp_result r;
	struct built b;
	size_t i, n = all_specs(v, N_SPECS);
	uint32_t j, k;
	unsigned long counts[3] = {0};
	uint8_t keep;
	int rc;

	(void)state;
	for (i = 0; i < n; i++) {
		if (v[i].inner_len > 2000)
			v[i].inner_len = 100;
		build(&v[i], buf, &b);
		for (j = 0; j < b.inner_off + 2; j++) {
			keep = buf[j];
			for (k = 0; k < sizeof(vals); k++) {
				buf[j] = vals[k];
				rc = decap_exact(buf, b.len, NULL, &r);
				assert_true(rc == DCP_OK ||
					    rc == DCP_NOT_TUNNEL ||
					    rc == DCP_MALFORMED);
				if (rc == DCP_MALFORMED)
					assert_int_not_equal(r.kind, DCP_NONE);
				counts[-rc]++;
			}
			buf[j] = keep;
		}
	}
	/* All three outcomes occurred. */
	assert_true(counts[0] > 0 && counts[1] > 0 && counts[2] > 0);
}

/* ---- dpmirror's own templates ---- */

static void
test_dpmirror_templates(void **state)
{
	static const uint32_t lens[] = {14, 15, 60, 64, 1500, 1514, 9000};
	static uint8_t buf[DP_ENCAP_MAX_HDR + 9000];
	static uint8_t inner[9000];
	struct dp_encap_params p;
	struct dp_encap_tmpl t;
	struct dp_encap_pkt pk;
	struct dcp_opts o;
	struct dcp_result r;
	uint32_t st = test_seed("templates");
	unsigned int type, fam, v, li, n = 0;
	uint32_t j;

	(void)state;
	for (j = 0; j < sizeof(inner); j++)
		inner[j] = (uint8_t)rnd(&st);
	for (type = DP_ENCAP_VXLAN; type <= DP_ENCAP_ERSPAN3; type++)
		for (fam = 4; fam <= 6; fam += 2)
			for (v = 0; v < 4; v++)
				for (li = 0; li < 7; li++) {
	memset(&p, 0, sizeof(p));
	p.type = (uint8_t)type;
	p.family = (uint8_t)fam;
	for (j = 0; j < 6; j++) {
		p.src_mac[j] = (uint8_t)(0x10 + j);
		p.dst_mac[j] = (uint8_t)(0x20 + j);
	}
	for (j = 0; j < (fam == 4 ? 4u : 16u); j++) {
		p.src_ip[j] = (uint8_t)rnd(&st);
		p.dst_ip[j] = (uint8_t)rnd(&st);
	}
	p.vni = rnd(&st) & 0xffffff;
	p.dst_port = type == DP_ENCAP_GENEVE ? 6081 : v == 3 ? 8472 : 4789;
	p.ttl = 64;
	p.dscp = (uint8_t)(rnd(&st) & 63);
	p.gre_key_set = (uint8_t)(v & 1);
	p.gre_key = rnd(&st);
	p.gre_seq = (uint8_t)(v >> 1 & 1);
	p.session_id = (uint16_t)(rnd(&st) & 1023);
	assert_int_equal(dp_encap_tmpl_init(&t, &p), 0);

	memset(&pk, 0, sizeof(pk));
	pk.inner_len = lens[li];
	pk.sport = (uint16_t)rnd(&st);
	pk.tagged = (uint8_t)(v & 1);
	pk.tci = (uint16_t)rnd(&st);
	pk.truncated = (uint8_t)(v >> 1 & 1);
	pk.egress = (uint8_t)(rnd(&st) & 1);
	pk.seq = rnd(&st);
	pk.timestamp = rnd(&st);
	pk.index = rnd(&st) & 0xfffff;
	memcpy(buf + t.len, inner, pk.inner_len);
	dp_encap_write_pkt(&t, buf, &pk);

	memset(&o, 0, sizeof(o));
	o.vxlan_ports[0] = type == DP_ENCAP_VXLAN ? p.dst_port : 4789;
	o.n_vxlan_ports = 1;
	assert_int_equal(decap_exact(buf, t.len + pk.inner_len, &o, &r),
			 DCP_OK);
	assert_int_equal(r.inner_off, t.len);
	assert_int_equal(r.inner_len, pk.inner_len);
	assert_memory_equal(buf + r.inner_off, inner, pk.inner_len);
	assert_int_equal(r.family, fam);
	assert_memory_equal(r.src, p.src_ip, fam == 4 ? 4 : 16);
	assert_memory_equal(r.dst, p.dst_ip, fam == 4 ? 4 : 16);
	switch (type) {
	case DP_ENCAP_VXLAN:
	case DP_ENCAP_GENEVE:
		assert_int_equal(r.kind,
				 type == DP_ENCAP_VXLAN ? DCP_VXLAN : DCP_GENEVE);
		assert_int_equal(r.has_id, 1);
		assert_int_equal(r.id, p.vni);
		assert_int_equal(r.has_seq, 0);
		break;
	case DP_ENCAP_GRE:
		assert_int_equal(r.kind, DCP_GRE);
		assert_int_equal(r.has_id, p.gre_key_set);
		if (p.gre_key_set)
			assert_int_equal(r.id, p.gre_key);
		assert_int_equal(r.has_seq, p.gre_seq);
		if (p.gre_seq)
			assert_int_equal(r.seq, pk.seq);
		break;
	default:
		assert_int_equal(r.kind, type == DP_ENCAP_ERSPAN2 ? DCP_ERSPAN2
								 : DCP_ERSPAN3);
		assert_int_equal(r.has_id, 1);
		assert_int_equal(r.id, p.session_id);
		assert_int_equal(r.has_seq, 1);
		assert_int_equal(r.seq, pk.seq);
		assert_int_equal(r.truncated, pk.truncated);
		assert_int_equal(r.vlan, pk.tagged ? (pk.tci & 0xfff) : 0);
		assert_int_equal(r.cos, pk.tagged ? pk.tci >> 13 : 0);
		if (type == DP_ENCAP_ERSPAN2) {
			assert_int_equal(r.en_or_bso, pk.tagged ? 3 : 0);
			assert_int_equal(r.index, pk.index);
			assert_int_equal(r.has_ts, 0);
		} else {
			assert_int_equal(r.en_or_bso, 0);
			assert_int_equal(r.has_ts, 1);
			assert_int_equal(r.timestamp, pk.timestamp);
			assert_int_equal(r.direction, pk.egress);
			assert_int_equal(r.gra, 1);
		}
		break;
	}
	n++;
				}
	assert_int_equal(n, 5 * 2 * 4 * 7);
}

/* ---- sequence tracking ---- */

static void
seq_invariants(const struct dcp_seq *s)
{
	assert_true(s->added == s->seen + s->dups + s->late);
	assert_true(s->span == s->seen + s->lost + dcp_seq_open(s));
	assert_true(s->reordered <= s->seen);
	assert_true(dcp_seq_open(s) < DCP_WINDOW);
}

static void
feed(struct dcp_seq *s, uint32_t from, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		dcp_seq_add(s, from + i);
		seq_invariants(s);
	}
}

static void
test_seq_basic(void **state)
{
	struct dcp_seq s;

	(void)state;
	/* Consecutive from a number that is not 0. */
	dcp_seq_init(&s);
	feed(&s, 1000, 500);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_lost(&s), 0);
	assert_int_equal(dcp_seq_dups(&s), 0);
	assert_int_equal(dcp_seq_reordered(&s), 0);
	assert_int_equal(s.seen, 500);

	/* Across the wrap, 5 missing: 0xfffffffd, 0xffffffff, 0, 1, 3. */
	dcp_seq_init(&s);
	feed(&s, 0xfffffff0, 13);		/* .. 0xfffffffc */
	dcp_seq_add(&s, 0xfffffffe);
	dcp_seq_add(&s, 2);
	feed(&s, 4, 200);
	assert_int_equal(dcp_seq_lost(&s), 5); /* all older than the window */
	assert_int_equal(s.resets, 0);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_lost(&s), 5);
	seq_invariants(&s);

	/* Loss at the end shows only at the finish. */
	dcp_seq_init(&s);
	feed(&s, 0, 100);
	feed(&s, 101, 10); /* 100 missing, 10 behind the highest */
	assert_int_equal(dcp_seq_lost(&s), 0);
	assert_int_equal(dcp_seq_open(&s), 1);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_lost(&s), 1);
	assert_int_equal(dcp_seq_open(&s), 0);
	dcp_seq_finish(&s); /* twice counts once */
	assert_int_equal(dcp_seq_lost(&s), 1);
	dcp_seq_add(&s, 100); /* after its finish: late */
	assert_int_equal(s.late, 1);
	assert_int_equal(dcp_seq_lost(&s), 1);
	seq_invariants(&s);

	/* Duplicates, of the highest and of an older one in the window. */
	dcp_seq_init(&s);
	feed(&s, 50, 10);
	dcp_seq_add(&s, 59);
	dcp_seq_add(&s, 52);
	dcp_seq_add(&s, 50);
	feed(&s, 60, 100);
	dcp_seq_add(&s, 150);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_dups(&s), 4);
	assert_int_equal(dcp_seq_lost(&s), 0);
	assert_int_equal(dcp_seq_reordered(&s), 0);
	seq_invariants(&s);

	/* Reordered within the window: 63 behind is the oldest. */
	dcp_seq_init(&s);
	dcp_seq_add(&s, 0);
	dcp_seq_add(&s, 64);
	assert_int_equal(dcp_seq_open(&s), 63);
	feed(&s, 1, 63);
	assert_int_equal(dcp_seq_reordered(&s), 63);
	assert_int_equal(dcp_seq_lost(&s), 0);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_lost(&s), 0);
	/* A step of exactly the window, and one more. */
	dcp_seq_init(&s);
	dcp_seq_add(&s, 0);
	dcp_seq_add(&s, 2);
	dcp_seq_add(&s, 2 + DCP_WINDOW); /* 0, 1, 2 leave; 1 unseen */
	assert_int_equal(dcp_seq_lost(&s), 1);
	assert_int_equal(dcp_seq_open(&s), DCP_WINDOW - 1);
	feed(&s, 3, DCP_WINDOW - 1);
	assert_int_equal(dcp_seq_open(&s), 0);
	assert_int_equal(dcp_seq_dups(&s), 0);
	assert_int_equal(dcp_seq_reordered(&s), DCP_WINDOW - 1);
	dcp_seq_add(&s, 3 + 2 * DCP_WINDOW); /* 65 ahead: 1 out at once */
	assert_int_equal(dcp_seq_lost(&s), 2);
	assert_int_equal(dcp_seq_open(&s), DCP_WINDOW - 1);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_lost(&s), 2 + DCP_WINDOW - 1);
	seq_invariants(&s);
	/* 64 behind is too late: counted lost when 65 arrived. */
	dcp_seq_init(&s);
	dcp_seq_add(&s, 0);
	dcp_seq_add(&s, 65);
	assert_int_equal(dcp_seq_lost(&s), 1); /* 1 fell out at once */
	dcp_seq_add(&s, 1);
	assert_int_equal(dcp_seq_late(&s), 1);
	assert_int_equal(dcp_seq_lost(&s), 1);
	feed(&s, 2, 63);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_lost(&s), 1);
	assert_int_equal(dcp_seq_reordered(&s), 63);
	seq_invariants(&s);
}

static void
test_seq_start_and_jumps(void **state)
{
	struct dcp_seq s;

	(void)state;
	/* Numbers before the first one seen, within the window. */
	dcp_seq_init(&s);
	dcp_seq_add(&s, 10);
	dcp_seq_add(&s, 8);
	dcp_seq_add(&s, 9);
	dcp_seq_add(&s, 11);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_lost(&s), 0);
	assert_int_equal(dcp_seq_reordered(&s), 2);
	seq_invariants(&s);
	dcp_seq_init(&s);
	dcp_seq_add(&s, 10);
	dcp_seq_add(&s, 7);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_lost(&s), 2); /* 8 and 9 */
	seq_invariants(&s);

	/* A jump within DCP_MAX_JUMP is loss. */
	dcp_seq_init(&s);
	feed(&s, 0, 10);
	feed(&s, 1010, 10);
	/* 10..1009 missing; 1019 - 63 .. 1009 may still come. */
	assert_int_equal(dcp_seq_open(&s), 1009 - (1019 - 63) + 1);
	assert_int_equal(dcp_seq_lost(&s), 1000 - 54);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_lost(&s), 1000);
	assert_int_equal(dcp_seq_resets(&s), 0);
	dcp_seq_init(&s);
	dcp_seq_add(&s, 5);
	dcp_seq_add(&s, 5 + DCP_MAX_JUMP);
	assert_int_equal(dcp_seq_lost(&s), DCP_MAX_JUMP - 1 - 63);
	assert_int_equal(dcp_seq_resets(&s), 0);
	dcp_seq_finish(&s);
	assert_int_equal(dcp_seq_lost(&s), DCP_MAX_JUMP - 1);
	seq_invariants(&s);

	/* Beyond it, ahead or behind: a restart, no loss. */
	dcp_seq_init(&s);
	feed(&s, 0, 10);
	dcp_seq_add(&s, 11 + DCP_MAX_JUMP);
	feed(&s, 12 + DCP_MAX_JUMP, 10);
	assert_int_equal(dcp_seq_resets(&s), 1);
	assert_int_equal(dcp_seq_lost(&s), 0);
	dcp_seq_init(&s);
	feed(&s, 3000000, 10);
	feed(&s, 0, 10); /* the sender started again from 0 */
	assert_int_equal(dcp_seq_resets(&s), 1);
	assert_int_equal(dcp_seq_lost(&s), 0);
	assert_int_equal(dcp_seq_late(&s), 0);
	/* A restart closes the holes open before it. */
	dcp_seq_init(&s);
	feed(&s, 100, 10);
	dcp_seq_add(&s, 111);
	dcp_seq_add(&s, 7000000);
	assert_int_equal(dcp_seq_lost(&s), 1);
	seq_invariants(&s);
	/* Between the window and the limit behind: late, not a restart. */
	dcp_seq_init(&s);
	feed(&s, 1000000, 10);
	dcp_seq_add(&s, 1000);
	assert_int_equal(dcp_seq_late(&s), 1);
	assert_int_equal(dcp_seq_resets(&s), 0);
	seq_invariants(&s);
}

/* Against a reference: numbers from a start near the wrap, some dropped,
 * shuffled within blocks of 32 (so no number comes more than 31 behind
 * the highest), some sent twice; lost after the finish is exactly the
 * dropped numbers between the lowest and the highest received. */
static void
test_seq_random(void **state)
{
	enum { N = 20000, BLOCK = 32 };
	static uint64_t order[N * 2];
	static uint8_t dropped[N], got[N];
	uint32_t st = test_seed("seq_random");
	uint32_t round;

	(void)state;
	for (round = 0; round < 50; round++) {
		uint32_t base = 0xffffffffu - (rnd(&st) % (2 * N));
		uint32_t i, j, n = 0, blk;
		uint64_t want_dups = 0, want_reord = 0, want_lost = 0;
		uint64_t lo = UINT64_MAX, hi = 0, maxseen = 0;
		int first = 1;
		struct dcp_seq s;

		memset(dropped, 0, sizeof(dropped));
		memset(got, 0, sizeof(got));
		for (blk = 0; blk < N; blk += BLOCK) {
			uint32_t m = 0, start = n;

			for (i = blk; i < blk + BLOCK; i++) {
				if (rnd(&st) % 100 < 3) {
					dropped[i] = 1;
					continue;
				}
				order[n++] = i;
				m++;
			}
			for (i = m; i > 1; i--) { /* Fisher-Yates */
				uint64_t tmp;

				j = rnd(&st) % i;
				tmp = order[start + i - 1];
				order[start + i - 1] = order[start + j];
				order[start + j] = tmp;
			}
			/* A duplicate of something of this block. */
			if (m > 0 && rnd(&st) % 4 == 0) {
				order[n] = order[start + rnd(&st) % m];
				n++;
			}
		}
		dcp_seq_init(&s);
		for (i = 0; i < n; i++) {
			uint64_t x = order[i];

			dcp_seq_add(&s, (uint32_t)(base + x));
			if (got[x]) {
				want_dups++;
			} else {
				got[x] = 1;
				if (!first && x < maxseen)
					want_reord++;
				if (first || x > maxseen)
					maxseen = x;
				first = 0;
			}
			if (x < lo)
				lo = x;
			if (x > hi)
				hi = x;
		}
		seq_invariants(&s);
		dcp_seq_finish(&s);
		for (i = 0; i < N; i++)
			if (dropped[i] && i > lo && i < hi)
				want_lost++;
		assert_int_equal(dcp_seq_dups(&s), want_dups);
		assert_int_equal(dcp_seq_reordered(&s), want_reord);
		assert_int_equal(dcp_seq_lost(&s), want_lost);
		assert_int_equal(dcp_seq_late(&s), 0);
		assert_int_equal(dcp_seq_resets(&s), 0);
		assert_true(want_lost > 0);
		seq_invariants(&s);
	}
}

/* ---- ERSPAN III timestamps ---- */

static void
test_ts(void **state)
{
	const uint64_t period = (UINT64_C(1) << 32) * 100; /* ns */
	/* 2024-05-01T12:00:00.123456700Z */
	const uint64_t t0 = UINT64_C(1714564800123456700);
	uint64_t near, want;
	uint32_t ts;
	int64_t off;

	(void)state;
	/* Capture times up to 200 s either side of the time stamped. */
	for (off = -200; off <= 200; off += 25) {
		ts = (uint32_t)(t0 / 100);
		near = (uint64_t)((int64_t)t0 + off * INT64_C(1000000000));
		assert_int_equal(dcp_ts_to_ns(ts, near), t0);
	}
	/* Across a wrap of the 32-bit counter, both ways. */
	want = (t0 / period) * period + period - 300; /* just before a wrap */
	ts = (uint32_t)(want / 100);
	assert_int_equal(dcp_ts_to_ns(ts, want + 1000000000), want);
	want = (t0 / period) * period + period + 300; /* just after */
	ts = (uint32_t)(want / 100);
	assert_int_equal(dcp_ts_to_ns(ts, want - 1000000000), want);
	/* Near the epoch: no period before the first. */
	assert_int_equal(dcp_ts_to_ns(5, 0), 500);
	assert_int_equal(dcp_ts_to_ns(0xffffffff, 100), UINT64_C(0xffffffff) * 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_literal_frames),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_not_ours_and_broken),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_dpmirror_templates),
		cmocka_unit_test(test_seq_basic),
		cmocka_unit_test(test_seq_start_and_jumps),
		cmocka_unit_test(test_seq_random),
		cmocka_unit_test(test_ts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
