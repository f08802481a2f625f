/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CLI_DECAP_H
#define DPMIRROR_CLI_DECAP_H

/*
 * The decapsulator of `dpmirrorctl collect`: from one received frame to
 * the tunnel it came through and the inner Ethernet frame it carries.
 * Plain C, no DPDK, no libpcap, no allocation: it only reads the bytes it
 * is given, and never past LEN.
 *
 * What is recognised:
 *
 * - Outer Ethernet, optionally one 802.1Q (0x8100) or 802.1ad (0x88A8)
 *   tag, then IPv4 (0x0800) or IPv6 (0x86DD).
 * - IPv4: version 4, IHL >= 5 (options are skipped), total length >= the
 *   header and <= what the frame holds (the total length, not the frame,
 *   bounds the payload: Ethernet padding is not payload), not a fragment
 *   (MF clear and offset 0).  A header that fails these is not a tunnel.
 * - IPv6: the fixed 40-byte header; its next header must be UDP (17) or
 *   GRE (47) directly.  Extension headers are not walked: dpmirror never
 *   emits them and a tunnel endpoint does not either, so such a frame is
 *   not a tunnel.  The payload length bounds the payload (and must fit in
 *   the frame; a jumbogram's 0 is not a tunnel).
 * - UDP (UDP length >= 8 and within the IP payload, which it then bounds)
 *   to one of the VxLAN ports: VxLAN, 8 bytes, I flag (0x08) set; the VNI
 *   is the id.  To the Geneve port: Geneve version 0, options skipped by
 *   their length, protocol 0x6558 only; the VNI is the id.  A VxLAN or
 *   Geneve port with another kind of payload (no I flag, a Geneve version
 *   or protocol that is not ours) is not a tunnel; a short UDP, VxLAN or
 *   Geneve header, a UDP length beyond the IP payload or options beyond
 *   the datagram are malformed.
 * - GRE (IP protocol 47): version 0, routing bit (R) clear, strict source
 *   route and recursion 0 ignored, C (checksum + reserved, skipped), K
 *   (the key: the id) and S (the sequence number) flags.  Protocol 0x6558:
 *   GRE carrying Ethernet.  0x88BE with ERSPAN version 1: ERSPAN Type II
 *   (the sequence number is required, the session id is the id).  0x22EB
 *   with ERSPAN version 2: ERSPAN Type III, with the 8-byte platform
 *   subheader skipped when O = 1.  Any other protocol, a non-zero GRE
 *   version, R set, 0x88BE without S (ERSPAN Type I, which has no ERSPAN
 *   header) and an ERSPAN III frame type (FT) other than 0 (Ethernet) are
 *   not tunnels; 0x22EB without S, an ERSPAN version that does not go with
 *   the protocol, or a GRE or ERSPAN header cut short is malformed.  With
 *   K, an ERSPAN's id stays its session id.
 * - In every kind, an inner frame shorter than an Ethernet header (14
 *   bytes) is malformed.
 *
 * Statuses: DCP_OK with *R filled; DCP_NOT_TUNNEL for a frame that is not
 * one of the tunnels above (including frames too short to tell); and
 * DCP_MALFORMED for one whose outer headers say it is ours but which is
 * broken.  With DCP_NOT_TUNNEL or DCP_MALFORMED, *R holds what was
 * decoded so far (kind may be DCP_NONE) and is otherwise unspecified; with
 * DCP_OK, inner_off + inner_len <= LEN and inner_len >= 14.
 */

#include <stdint.h>

enum dcp_kind {
	DCP_NONE = 0,
	DCP_VXLAN,
	DCP_GENEVE,
	DCP_GRE,
	DCP_ERSPAN2,
	DCP_ERSPAN3,
	DCP_N_KINDS
};

enum dcp_status {
	DCP_OK = 0,
	DCP_NOT_TUNNEL = -1,
	DCP_MALFORMED = -2,
};

#define DCP_VXLAN_PORT	    4789
#define DCP_GENEVE_PORT	    6081
#define DCP_MAX_VXLAN_PORTS 8

/* Which UDP destination ports are tunnels (host order). */
struct dcp_opts {
	uint16_t vxlan_ports[DCP_MAX_VXLAN_PORTS];
	unsigned int n_vxlan_ports; /* 0: 4789 alone */
	uint16_t geneve_port;	    /* 0: 6081 */
};

/* One decoded frame.  Fields that a kind does not have are 0. */
struct dcp_result {
	uint8_t kind;	/* enum dcp_kind */
	uint8_t family; /* outer IP: 4 or 6 */
	/* The outer addresses, network order (IPv4 in bytes 0..3). */
	uint8_t src[16], dst[16];
	/* VNI (vxlan, geneve), GRE key (gre, when K), session id (erspan). */
	uint8_t has_id;
	uint32_t id;
	uint8_t has_seq;
	uint32_t seq;	    /* GRE sequence number (gre with S, erspan) */
	uint8_t truncated;  /* ERSPAN T bit */
	uint16_t vlan;	    /* ERSPAN II and III: the original's VLAN */
	uint8_t cos;	    /* ERSPAN II and III: its CoS */
	uint8_t en_or_bso;  /* ERSPAN II: En; III: BSO */
	uint32_t index;	    /* ERSPAN II: the 20-bit index */
	uint8_t has_ts;	    /* ERSPAN III: */
	uint32_t timestamp; /* its timestamp, */
	uint8_t gra;	    /* granularity (1: 100 ns, as dpmirror writes) */
	uint8_t direction;  /* and D (0 ingress, 1 egress) */
	uint32_t inner_off; /* the inner Ethernet frame: offset in FRAME */
	uint32_t inner_len; /* and length */
};

/* Decode FRAME (LEN bytes) with the ports of O (NULL: the defaults) into
 * *R.  Returns an enum dcp_status. */
int dcp_decap(const uint8_t *frame, uint32_t len, const struct dcp_opts *o,
	      struct dcp_result *r);

/* "vxlan", "geneve", "gre", "erspan2", "erspan3"; "none" for DCP_NONE and
 * "?" for anything else. */
const char *dcp_kind_name(int kind);

/*
 * Sequence tracking of one tunnel, with a reorder window of DCP_WINDOW.
 *
 * Numbers are 32-bit and wrap; they are placed on a 64-bit line by their
 * signed distance from the highest number seen so far (so a number up to
 * 2^31 - 1 ahead is ahead, anything else behind).  The first number seen
 * starts the count: nothing before it is missing.
 *
 * - A number ahead of the highest moves the window; every number that
 *   falls out of it (older than highest - DCP_WINDOW + 1) without having
 *   been seen is lost.
 * - A number inside the window not seen before is reordered (it came
 *   after a higher one), and fills its hole: it is not lost.
 * - A number inside the window already seen is a duplicate.
 * - A number older than the window is late: it was counted lost already
 *   and stays so (counted in dcp_seq_late, not un-lost, so that lost only
 *   ever grows and what was reported stays true).
 * - A number within the window but before the first one counted (it
 *   came late, right after the start) moves the count's start back to it;
 *   it is reordered, and the numbers between it and the old start are
 *   holes.
 * - A jump of up to DCP_MAX_JUMP (2^20: far more than can be in flight on
 *   one tunnel, far less than the 2^31 where ahead and behind meet) ahead
 *   is that many numbers, its gap lost.  A number further away in either
 *   direction is neither plausibly ahead nor plausibly late: the sender
 *   restarted (dpmirror starts its numbers at 0) or the tunnel's identity
 *   was reused.  The holes then open are counted lost, the count restarts
 *   from that number and dcp_seq_resets grows.  A number between
 *   DCP_WINDOW and DCP_MAX_JUMP behind is late.
 *
 * dcp_seq_finish() at the end counts the holes still open in the window
 * as lost; numbers after it are treated as after any other.
 */
#define DCP_WINDOW   64
#define DCP_MAX_JUMP (1u << 20)

struct dcp_seq {
	uint8_t started;
	uint32_t high;	   /* the highest number seen (wrapping) */
	uint64_t window;   /* bit i: high - i seen or counted lost */
	uint64_t lostbits; /* bit i: high - i counted lost by a finish */
	uint32_t n_window; /* positions of the window that count (<= 64):
			    * those from the count's start on */
	/* Always: added = seen + dups + late, and
	 * span = seen + lost + dcp_seq_open(). */
	uint64_t added; /* numbers given to dcp_seq_add */
	uint64_t span;	/* numbers from the count's start to high */
	uint64_t seen;	/* distinct numbers counted as received */
	uint64_t lost;
	uint64_t dups;
	uint64_t reordered;
	uint64_t late;
	uint64_t resets;
};

void dcp_seq_init(struct dcp_seq *s);
void dcp_seq_add(struct dcp_seq *s, uint32_t seq);
/* Numbers never seen that can no longer arrive (older than the window;
 * after dcp_seq_finish, also the holes that were still open). */
uint64_t dcp_seq_lost(const struct dcp_seq *s);
/* At the end: the holes still open in the window count as lost. */
void dcp_seq_finish(struct dcp_seq *s);
uint64_t dcp_seq_dups(const struct dcp_seq *s);
uint64_t dcp_seq_reordered(const struct dcp_seq *s);
/* Numbers that came after they had been counted lost. */
uint64_t dcp_seq_late(const struct dcp_seq *s);
/* Jumps taken as a restart of the sender's numbering. */
uint64_t dcp_seq_resets(const struct dcp_seq *s);
/* Holes in the window that may still be filled (neither seen nor lost). */
uint64_t dcp_seq_open(const struct dcp_seq *s);

/*
 * An ERSPAN III timestamp TS (100 ns units of UTC modulo 2^32) as
 * nanoseconds since the epoch: of all the values it can stand for, the
 * one closest to NEAR_NS (the capture time, ns since the epoch).
 */
uint64_t dcp_ts_to_ns(uint32_t ts, uint64_t near_ns);

#endif /* DPMIRROR_CLI_DECAP_H */
