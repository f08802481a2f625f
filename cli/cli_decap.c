/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The decapsulator of dpmirrorctl collect (contract in cli_decap.h):
 * bounded reads only, every offset checked against the end of what the
 * current header says is there before it is read.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cli_decap.h"

#define ETH_HLEN	14
#define ETH_P_IPV4	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define IPPROTO_UDP_	17
#define IPPROTO_GRE_	47
#define UDP_HLEN	8
#define VXLAN_HLEN	8
#define VXLAN_FLAG_I	0x08
#define GENEVE_HLEN	8
#define GRE_HLEN	4
#define GRE_C		0x8000
#define GRE_R		0x4000
#define GRE_K		0x2000
#define GRE_S		0x1000
#define GRE_VER		0x0007
#define GRE_P_TEB	0x6558
#define GRE_P_ERSPAN2	0x88be
#define GRE_P_ERSPAN3	0x22eb
#define ERSPAN2_HLEN	8
#define ERSPAN3_HLEN	12
#define ERSPAN3_SUBHLEN 8
#define ERSPAN_VER_II	1
#define ERSPAN_VER_III	2

static inline uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The inner frame from OFF to END: at least an Ethernet header. */
static int
set_inner(struct dcp_result *r, uint32_t off, uint32_t end)
{
	if (off > end || end - off < ETH_HLEN)
		return DCP_MALFORMED;
	r->inner_off = off;
	r->inner_len = end - off;
	return DCP_OK;
}

static int
is_vxlan_port(const struct dcp_opts *o, uint16_t port)
{
	unsigned int i, n;

	if (o == NULL || o->n_vxlan_ports == 0)
		return port == DCP_VXLAN_PORT;
	n = o->n_vxlan_ports < DCP_MAX_VXLAN_PORTS ? o->n_vxlan_ports
						   : DCP_MAX_VXLAN_PORTS;
	for (i = 0; i < n; i++)
		if (o->vxlan_ports[i] == port)
			return 1;
	return 0;
}

static int
is_geneve_port(const struct dcp_opts *o, uint16_t port)
{
	if (o == NULL || o->geneve_port == 0)
		return port == DCP_GENEVE_PORT;
	return port == o->geneve_port;
}

/* UDP at L4 (the IP payload ends at END). */
static int
decap_udp(const uint8_t *f, uint32_t l4, uint32_t end, const struct dcp_opts *o,
	  struct dcp_result *r)
{
	const uint8_t *h;
	uint16_t dport, ulen;
	uint32_t t, optlen;

	if (end - l4 < 4)
		return DCP_NOT_TUNNEL;
	dport = be16(f + l4 + 2);
	if (is_vxlan_port(o, dport))
		r->kind = DCP_VXLAN;
	else if (is_geneve_port(o, dport))
		r->kind = DCP_GENEVE;
	else
		return DCP_NOT_TUNNEL;
	if (end - l4 < UDP_HLEN)
		return DCP_MALFORMED;
	ulen = be16(f + l4 + 4);
	if (ulen < UDP_HLEN || ulen > end - l4)
		return DCP_MALFORMED;
	/* The UDP length bounds the datagram (anything behind it in the IP
	 * payload is not part of it). */
	end = l4 + ulen;
	t = l4 + UDP_HLEN;
	if (end - t < VXLAN_HLEN)
		return DCP_MALFORMED;
	h = f + t;
	if (r->kind == DCP_VXLAN) {
		if (!(h[0] & VXLAN_FLAG_I))
			return DCP_NOT_TUNNEL;
		r->has_id = 1;
		r->id = be32(h + 4) >> 8;
		return set_inner(r, t + VXLAN_HLEN, end);
	}
	/* Geneve: version (2 bits), option length (6 bits, 4-byte words), O,
	 * C, reserved, protocol, VNI, reserved. */
	if ((h[0] >> 6) != 0 || be16(h + 2) != GRE_P_TEB)
		return DCP_NOT_TUNNEL;
	optlen = (uint32_t)(h[0] & 0x3f) * 4;
	if (end - t - GENEVE_HLEN < optlen)
		return DCP_MALFORMED;
	r->has_id = 1;
	r->id = be32(h + 4) >> 8;
	return set_inner(r, t + GENEVE_HLEN + optlen, end);
}

/* ERSPAN II or III at E (the GRE payload ends at END). */
static int
decap_erspan(const uint8_t *f, uint32_t e, uint32_t end, struct dcp_result *r)
{
	const uint8_t *h = f + e;
	uint32_t w0, w2, hlen;
	unsigned int ver;

	hlen = r->kind == DCP_ERSPAN2 ? ERSPAN2_HLEN : ERSPAN3_HLEN;
	if (end - e < hlen)
		return DCP_MALFORMED;
	w0 = be32(h);
	ver = w0 >> 28;
	if (ver != (r->kind == DCP_ERSPAN2 ? ERSPAN_VER_II : ERSPAN_VER_III))
		return DCP_MALFORMED;
	r->vlan = (uint16_t)(w0 >> 16 & 0x0fff);
	r->cos = (uint8_t)(w0 >> 13 & 7);
	r->en_or_bso = (uint8_t)(w0 >> 11 & 3);
	r->truncated = (uint8_t)(w0 >> 10 & 1);
	r->has_id = 1;
	r->id = w0 & 0x3ff;
	if (r->kind == DCP_ERSPAN2) {
		r->index = be32(h + 4) & 0xfffff;
		return set_inner(r, e + hlen, end);
	}
	r->has_ts = 1;
	r->timestamp = be32(h + 4);
	/* SGT (31..16), P (15), FT (14..10), HW ID (9..4), D (3), Gra (2..1),
	 * O (0). */
	w2 = be32(h + 8);
	r->direction = (uint8_t)(w2 >> 3 & 1);
	r->gra = (uint8_t)(w2 >> 1 & 3);
	if ((w2 >> 10 & 0x1f) != 0)
		return DCP_NOT_TUNNEL; /* not an Ethernet frame inside */
	if (w2 & 1) {
		if (end - e - hlen < ERSPAN3_SUBHLEN)
			return DCP_MALFORMED;
		hlen += ERSPAN3_SUBHLEN;
	}
	return set_inner(r, e + hlen, end);
}

/* GRE at L4 (the IP payload ends at END). */
static int
decap_gre(const uint8_t *f, uint32_t l4, uint32_t end, struct dcp_result *r)
{
	uint16_t flags, proto;
	uint32_t p;

	if (end - l4 < GRE_HLEN)
		return DCP_NOT_TUNNEL;
	flags = be16(f + l4);
	proto = be16(f + l4 + 2);
	/* Version 1 is PPTP; R (RFC 1701 source routing) is nothing a
	 * mirror sends. */
	if ((flags & GRE_VER) != 0 || (flags & GRE_R))
		return DCP_NOT_TUNNEL;
	switch (proto) {
	case GRE_P_TEB:
		r->kind = DCP_GRE;
		break;
	case GRE_P_ERSPAN2:
		/* Without a sequence number it is ERSPAN Type I: no ERSPAN
		 * header, not one of ours. */
		if (!(flags & GRE_S))
			return DCP_NOT_TUNNEL;
		r->kind = DCP_ERSPAN2;
		break;
	case GRE_P_ERSPAN3:
		r->kind = DCP_ERSPAN3;
		if (!(flags & GRE_S))
			return DCP_MALFORMED;
		break;
	default:
		return DCP_NOT_TUNNEL;
	}
	p = l4 + GRE_HLEN;
	if (flags & GRE_C) {
		if (end - p < 4)
			return DCP_MALFORMED;
		p += 4;
	}
	if (flags & GRE_K) {
		if (end - p < 4)
			return DCP_MALFORMED;
		/* An ERSPAN's id is its session id, not the GRE key. */
		if (r->kind == DCP_GRE) {
			r->has_id = 1;
			r->id = be32(f + p);
		}
		p += 4;
	}
	if (flags & GRE_S) {
		if (end - p < 4)
			return DCP_MALFORMED;
		r->has_seq = 1;
		r->seq = be32(f + p);
		p += 4;
	}
	if (r->kind == DCP_GRE)
		return set_inner(r, p, end);
	return decap_erspan(f, p, end, r);
}

int
dcp_decap(const uint8_t *f, uint32_t len, const struct dcp_opts *o,
	  struct dcp_result *r)
{
	uint32_t l3, l4, end, hl, tot;
	uint16_t type;
	uint8_t proto;

	memset(r, 0, sizeof(*r));
	if (f == NULL || len < ETH_HLEN)
		return DCP_NOT_TUNNEL;
	type = be16(f + 12);
	l3 = ETH_HLEN;
	if (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (len < ETH_HLEN + 4)
			return DCP_NOT_TUNNEL;
		type = be16(f + 16);
		l3 += 4;
	}
	if (type == ETH_P_IPV4) {
		if (len - l3 < 20 || (f[l3] >> 4) != 4)
			return DCP_NOT_TUNNEL;
		hl = (uint32_t)(f[l3] & 0x0f) * 4;
		tot = be16(f + l3 + 2);
		if (hl < 20 || tot < hl || tot > len - l3)
			return DCP_NOT_TUNNEL;
		/* MF or a fragment offset: the tunnel header is not all
		 * there (or not there at all). */
		if (be16(f + l3 + 6) & 0x3fff)
			return DCP_NOT_TUNNEL;
		proto = f[l3 + 9];
		r->family = 4;
		memcpy(r->src, f + l3 + 12, 4);
		memcpy(r->dst, f + l3 + 16, 4);
		l4 = l3 + hl;
		end = l3 + tot;
	} else if (type == ETH_P_IPV6) {
		if (len - l3 < 40 || (f[l3] >> 4) != 6)
			return DCP_NOT_TUNNEL;
		tot = be16(f + l3 + 4);
		if (tot == 0 || tot > len - l3 - 40)
			return DCP_NOT_TUNNEL;
		proto = f[l3 + 6];
		r->family = 6;
		memcpy(r->src, f + l3 + 8, 16);
		memcpy(r->dst, f + l3 + 24, 16);
		l4 = l3 + 40;
		end = l4 + tot;
	} else {
		return DCP_NOT_TUNNEL;
	}
	if (proto == IPPROTO_UDP_)
		return decap_udp(f, l4, end, o, r);
	if (proto == IPPROTO_GRE_)
		return decap_gre(f, l4, end, r);
	return DCP_NOT_TUNNEL;
}

const char *
dcp_kind_name(int kind)
{
	switch (kind) {
	case DCP_NONE:
		return "none";
	case DCP_VXLAN:
		return "vxlan";
	case DCP_GENEVE:
		return "geneve";
	case DCP_GRE:
		return "gre";
	case DCP_ERSPAN2:
		return "erspan2";
	case DCP_ERSPAN3:
		return "erspan3";
	}
	return "?";
}

/*
 * Sequence tracking.  The window holds DCP_WINDOW positions behind and
 * including the highest number: bit i of s->window is high - i, set when
 * that number was seen (or, after dcp_seq_finish, counted lost: then its
 * bit in s->lostbits is set too).  Only the s->n_window newest positions
 * count; the others lie before the count started.
 */

static inline uint64_t
low_mask(uint32_t n)
{
	return n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
}

void
dcp_seq_init(struct dcp_seq *s)
{
	memset(s, 0, sizeof(*s));
}

/* Count the holes of the window as lost, and mark them so. */
static void
close_holes(struct dcp_seq *s)
{
	uint64_t holes = ~s->window & low_mask(s->n_window);

	s->lost += (uint64_t)__builtin_popcountll(holes);
	s->window |= holes;
	s->lostbits |= holes;
}

static void
start(struct dcp_seq *s, uint32_t seq)
{
	s->started = 1;
	s->high = seq;
	s->window = 1;
	s->lostbits = 0;
	s->n_window = 1;
	s->span++;
	s->seen++;
}

/* SEQ is D ahead of the highest number (0 < D <= DCP_MAX_JUMP). */
static void
advance(struct dcp_seq *s, uint32_t seq, uint32_t d)
{
	uint64_t out;

	/* The counted positions i that move to i + d >= DCP_WINDOW leave the
	 * window: those never seen are lost.  The new holes between the old
	 * highest and SEQ (positions 1 .. d-1) that lie beyond the window
	 * already are lost at once. */
	if (d < DCP_WINDOW) {
		out = ~s->window & low_mask(s->n_window) &
		      ~low_mask(DCP_WINDOW - d);
		s->lost += (uint64_t)__builtin_popcountll(out);
		s->window = s->window << d | 1;
		s->lostbits <<= d;
	} else {
		out = ~s->window & low_mask(s->n_window);
		s->lost += (uint64_t)__builtin_popcountll(out);
		s->lost += d - DCP_WINDOW;
		s->window = 1;
		s->lostbits = 0;
	}
	s->n_window =
		s->n_window + d > DCP_WINDOW ? DCP_WINDOW : s->n_window + d;
	s->span += d;
	s->high = seq;
	s->seen++;
}

void
dcp_seq_add(struct dcp_seq *s, uint32_t seq)
{
	uint32_t ahead, behind;
	uint64_t bit;

	s->added++;
	if (!s->started) {
		start(s, seq);
		return;
	}
	ahead = seq - s->high;
	behind = s->high - seq;
	if (ahead == 0) {
		s->dups++;
		return;
	}
	if (ahead <= DCP_MAX_JUMP) {
		advance(s, seq, ahead);
		return;
	}
	if (behind >= DCP_WINDOW) {
		if (behind <= DCP_MAX_JUMP) {
			s->late++;
			return;
		}
		/* Neither plausibly ahead nor plausibly late: the sender
		 * started its numbering again. */
		close_holes(s);
		s->resets++;
		start(s, seq);
		return;
	}
	bit = (uint64_t)1 << behind;
	if (behind >= s->n_window) {
		/* Older than the first number seen, yet within the window:
		 * the count starts earlier than it seemed.  The positions in
		 * between are holes now. */
		s->span += behind + 1 - s->n_window;
		s->n_window = behind + 1;
		s->window |= bit;
		s->seen++;
		s->reordered++;
		return;
	}
	if (s->lostbits & bit) {
		s->late++;
		return;
	}
	if (s->window & bit) {
		s->dups++;
		return;
	}
	s->window |= bit;
	s->seen++;
	s->reordered++;
}

void
dcp_seq_finish(struct dcp_seq *s)
{
	close_holes(s);
}

uint64_t
dcp_seq_lost(const struct dcp_seq *s)
{
	return s->lost;
}

uint64_t
dcp_seq_dups(const struct dcp_seq *s)
{
	return s->dups;
}

uint64_t
dcp_seq_reordered(const struct dcp_seq *s)
{
	return s->reordered;
}

uint64_t
dcp_seq_late(const struct dcp_seq *s)
{
	return s->late;
}

uint64_t
dcp_seq_resets(const struct dcp_seq *s)
{
	return s->resets;
}

uint64_t
dcp_seq_open(const struct dcp_seq *s)
{
	return (uint64_t)__builtin_popcountll(~s->window &
					      low_mask(s->n_window));
}

#define TICK_NS	  100u
#define TS_PERIOD (UINT64_C(1) << 32)

uint64_t
dcp_ts_to_ns(uint32_t ts, uint64_t near_ns)
{
	uint64_t near = near_ns / TICK_NS;
	uint64_t best = (near & ~(TS_PERIOD - 1)) | ts;
	uint64_t d_best, alt;

	/* The candidates one period either side of BEST: whichever is
	 * closest to NEAR (in ticks; ties go to the earlier). */
	d_best = best > near ? best - near : near - best;
	if (best >= TS_PERIOD) {
		alt = best - TS_PERIOD;
		if (near - alt <= d_best) {
			best = alt;
			d_best = near - alt;
		}
	}
	if (best <= UINT64_MAX / TICK_NS - TS_PERIOD) {
		alt = best + TS_PERIOD;
		if (alt > near && alt - near < d_best)
			best = alt;
	}
	return best * TICK_NS;
}
