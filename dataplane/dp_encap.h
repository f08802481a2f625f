/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_ENCAP_H
#define DPMIRROR_DP_ENCAP_H

/*
 * Outer headers of the copies, from a per-collector template: VxLAN
 * (RFC 7348), Geneve (RFC 8926), GRE carrying Ethernet (RFC 2784/2890,
 * optional key and sequence number), ERSPAN Type II and Type III (GRE with
 * sequence numbers, draft-foschiano-erspan), each over IPv4 or IPv6, and
 * none: the original frame as it is, or with one 802.1Q tag added (RSPAN).
 *
 * The template holds the whole outer header built once at setup; per packet
 * only the lengths, the IPv4 header checksum (updated from a precomputed
 * partial sum), the UDP source port, the GRE sequence number and the ERSPAN
 * fields that describe the packet (VLAN, CoS, T bit, timestamp, direction,
 * index) are written.  Over IPv4 the UDP checksum is 0; over IPv6 it is
 * computed over the whole datagram (dp_encap_udp6_csum).
 *
 * Outer IPv4: version 4, IHL 5, TOS = dscp << 2, ID 0, DF set (an atomic
 * datagram, RFC 6864: the collector path must carry the full size, see the
 * MTU note in the README), TTL, protocol 17 (UDP) or 47 (GRE).
 * Outer IPv6: version 6, traffic class = dscp << 2, flow label 0,
 * next header 17 or 47, hop limit = ttl.
 * VxLAN: flags 0x08 (I bit), 24 reserved bits 0, VNI, 8 reserved bits 0.
 * Geneve: version 0, no options, O and C 0, protocol 0x6558, VNI, 0.
 * GRE: C 0, K and S as configured, version 0, protocol 0x6558, then the
 * key and the sequence number when present.
 * ERSPAN II: GRE with S, protocol 0x88BE, sequence number; then version 1,
 * the original's VLAN, CoS, En (0 untagged, 3 tag kept in the frame), T,
 * session id, 12 reserved bits 0, index.
 * ERSPAN III: GRE with S, protocol 0x22EB, sequence number; then version
 * 2, VLAN, CoS, BSO 0, T, session id, timestamp, SGT 0, P 1, FT 0 (an
 * Ethernet frame), hardware id 0, D (0 ingress, 1 egress), granularity
 * 01 (100 ns), O 0.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

enum dp_encap_type {
	DP_ENCAP_VXLAN = 0,
	DP_ENCAP_GENEVE,
	DP_ENCAP_GRE,
	DP_ENCAP_ERSPAN2,
	DP_ENCAP_ERSPAN3,
	DP_ENCAP_NONE,
	DP_ENCAP_N_TYPES
};

/* Header sizes below the outer IP header. */
#define DP_ENCAP_UDP_LEN     8	/* UDP */
#define DP_ENCAP_VXLAN_LEN   8	/* VxLAN, and Geneve without options */
#define DP_ENCAP_GRE_LEN     4	/* GRE flags and protocol */
#define DP_ENCAP_GRE_OPT_LEN 4	/* GRE key, GRE sequence number: each */
#define DP_ENCAP_ERSPAN2_LEN 8	/* ERSPAN Type II header */
#define DP_ENCAP_ERSPAN3_LEN 12 /* ERSPAN Type III header, no subheader */
#define DP_ENCAP_VLAN_LEN    4	/* the 802.1Q tag of none with vlan */

/* Outer header lengths of VxLAN: Ethernet, IPv4 or IPv6, UDP, VxLAN. */
#define DP_ENCAP_HDR4_LEN                                                      \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +          \
	 sizeof(struct rte_udp_hdr) + sizeof(struct rte_vxlan_hdr))
#define DP_ENCAP_HDR6_LEN                                                      \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv6_hdr) +          \
	 sizeof(struct rte_udp_hdr) + sizeof(struct rte_vxlan_hdr))
/* The longest outer header: ERSPAN III over IPv6. */
#define DP_ENCAP_MAX_HDR                                                       \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv6_hdr) +          \
	 DP_ENCAP_GRE_LEN + DP_ENCAP_GRE_OPT_LEN + DP_ENCAP_ERSPAN3_LEN)

_Static_assert(DP_ENCAP_HDR4_LEN == 50, "VxLAN over IPv4 is 50 bytes");
_Static_assert(DP_ENCAP_HDR6_LEN == 70, "VxLAN over IPv6 is 70 bytes");
_Static_assert(DP_ENCAP_MAX_HDR == 74, "ERSPAN III over IPv6 is 74 bytes");

/* What the template is built from (filled by the control thread). */
struct dp_encap_params {
	uint8_t type;	/* enum dp_encap_type */
	uint8_t family; /* 4 or 6; 0 with DP_ENCAP_NONE */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t src_ip[16]; /* network order; IPv4 in bytes 0..3 */
	uint8_t dst_ip[16];
	uint32_t vni;	   /* vxlan, geneve: 24 bits */
	uint16_t dst_port; /* vxlan, geneve: host order */
	uint8_t ttl;
	uint8_t dscp;	     /* 0..63 */
	uint8_t gre_key_set; /* gre: the K bit and the key */
	uint32_t gre_key;
	uint8_t gre_seq;     /* gre: the S bit and a sequence number */
	uint16_t session_id; /* erspan2, erspan3: 0..1023 */
	uint16_t vlan;	     /* none: 0 = no tag, else the VID 1..4094 */
};

/* What describes one copy, for the fields written per packet. */
struct dp_encap_pkt {
	uint32_t inner_len; /* bytes of the original the copy carries */
	uint16_t sport;	    /* vxlan, geneve: outer UDP source port */
	uint8_t tagged;	    /* erspan: the original has an 802.1Q tag, */
	uint16_t tci;	    /* whose TCI (host order) is this */
	uint8_t truncated;  /* erspan: cut by snaplen (the T bit) */
	uint8_t egress;	    /* erspan3: the D bit */
	uint32_t seq;	    /* GRE sequence number, when the template has it */
	uint32_t timestamp; /* erspan3: in 100 ns units */
	uint32_t index;	    /* erspan2: 20 bits, the source port's index */
};

/*
 * The outer header in hdr[], as it leads a copy (offsets in bytes, IPv4 |
 * IPv6; the DPDK struct of each header below it):
 */
/* clang-format off */
/*
 *   0          14               34 | 54       42 | 62         50 | 70
 *   +----------+----------------+-------------+---------------+----------
 *   | Ethernet | IPv4 | IPv6    | UDP         | VxLAN, Geneve | inner
 *   | 14       | 20   | 40      | 8           | 8             | frame ...
 *   +----------+----------------+-------------+---------------+----------
 *    rte_ether  rte_ipv4_hdr     rte_udp_hdr   rte_vxlan_hdr
 *    _hdr       rte_ipv6_hdr
 *   ^ 0        ^ l3_ofs         ^ l4_ofs                      ^ len
 *
 *   GRE and ERSPAN: at l4_ofs the GRE header (4 bytes: flags, protocol;
 *   then the key and the sequence number when present, seq_ofs), then at
 *   ers_ofs the ERSPAN header (8 or 12 bytes), then the inner frame.
 *
 *   none: len is 0, or 4 with a VLAN: the tag goes between the inner
 *   frame's source MAC and its EtherType (offset 12).
 */
/* clang-format on */
struct dp_encap_tmpl {
	uint8_t hdr[DP_ENCAP_MAX_HDR];
	uint16_t len;	       /* bytes a copy has beyond the inner frame */
	uint8_t type;	       /* enum dp_encap_type */
	uint8_t family;	       /* 4 or 6; 0 for none */
	uint16_t l3_ofs;       /* sizeof(struct rte_ether_hdr): 14 */
	uint16_t l4_ofs;       /* 34 or 54: UDP or GRE */
	uint16_t seq_ofs;      /* GRE sequence number, 0 = none */
	uint16_t ers_ofs;      /* ERSPAN header, 0 = none */
	uint32_t ers_w0;       /* its first word's version and session id */
	uint32_t csum_partial; /* IPv4: unfolded sum of the header, length 0 */
	/* IPv4 header checksum left to the NIC (the field stays 0); set by
	 * the control thread when the egress port offers the offload. */
	uint8_t hw_ip_cksum;
	/* IPv6 VxLAN/Geneve: how the outer UDP checksum is filled (enum
	 * dp_udp6_csum); set by the control thread from [collector]
	 * udp6_checksum and what the egress port offers. */
	uint8_t udp6_csum;
};

/* The outer UDP checksum of IPv6 VxLAN and Geneve copies. */
enum dp_udp6_csum {
	DP_UDP6_COMPUTE = 0, /* computed by the worker over the copy */
	DP_UDP6_OFFLOAD, /* left to the NIC (RTE_ETH_TX_OFFLOAD_UDP_CKSUM) */
	DP_UDP6_ZERO,	 /* 0, as RFC 6935 allows for tunnels */
};

/* Whether copies made from T carry a GRE sequence number. */
static inline int
dp_encap_has_seq(const struct dp_encap_tmpl *t)
{
	return t->seq_ofs != 0;
}

/* Build *t from *p.  Returns 0, or -EINVAL for a bad type, family, VNI,
 * DSCP, TTL, session id or VLAN. */
int dp_encap_tmpl_init(struct dp_encap_tmpl *t,
		       const struct dp_encap_params *p);

/* Fold a 32-bit one's-complement sum to 16 bits (two rounds suffice). */
static inline uint16_t
dp_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Big-endian stores at any alignment (one byte swap and one store). */
static inline void
dp_put_be16(uint8_t *p, uint16_t v)
{
	rte_be16_t b = rte_cpu_to_be_16(v);

	memcpy(p, &b, sizeof(b));
}

static inline void
dp_put_be32(uint8_t *p, uint32_t v)
{
	rte_be32_t b = rte_cpu_to_be_32(v);

	memcpy(p, &b, sizeof(b));
}

/* ERSPAN II En: the VLAN tag is kept in the frame; ERSPAN III D bit (in
 * the last byte of its header). */
#define DP_ERSPAN_EN_INFRAME 3
#define DP_ERSPAN3_D	     0x08

/* none with a VLAN: the inner frame is at DST + 4; its MAC addresses move
 * to the front and the tag goes behind them. */
static inline void
dp_encap_write_tag(const struct dp_encap_tmpl *t, uint8_t *dst)
{
	const size_t macs = 2 * RTE_ETHER_ADDR_LEN;

	memmove(dst, dst + DP_ENCAP_VLAN_LEN, macs);
	memcpy(dst + macs, t->hdr, DP_ENCAP_VLAN_LEN);
}

/* The ERSPAN fields that describe the packet: in the first word, the
 * version and the session id from the template, then VLAN (27..16), CoS
 * (15..13), En (Type II, 12..11) and T (10); then the index (Type II) or
 * the timestamp and the D bit (Type III). */
static inline void
dp_encap_write_erspan(const struct dp_encap_tmpl *t, uint8_t *dst,
		      const struct dp_encap_pkt *pk)
{
	uint8_t *e = dst + t->ers_ofs;
	uint32_t w0 = t->ers_w0 | (pk->truncated ? 1u << 10 : 0);

	if (pk->tagged) {
		w0 |= (uint32_t)(pk->tci & 0x0fff) << 16 |
		      (uint32_t)(pk->tci >> 13) << 13;
		if (t->type == DP_ENCAP_ERSPAN2)
			w0 |= (uint32_t)DP_ERSPAN_EN_INFRAME << 11;
	}
	dp_put_be32(e, w0);
	if (t->type == DP_ENCAP_ERSPAN2) {
		dp_put_be32(e + 4, pk->index & 0xfffff);
		return;
	}
	dp_put_be32(e + 4, pk->timestamp);
	if (pk->egress)
		e[11] |= DP_ERSPAN3_D;
}

/* Copy the LEN (32 < LEN <= DP_ENCAP_MAX_HDR) bytes of a template's
 * header to DST in constant-size pieces, the last one overlapping the one
 * before it: a few vector moves where a memcpy of a runtime length would
 * be a call into libc. */
static inline void
dp_encap_copy_hdr(uint8_t *dst, const uint8_t *hdr, uint16_t len)
{
	if (len > 64) {
		memcpy(dst, hdr, 64);
		memcpy(dst + len - 32, hdr + len - 32, 32);
	} else {
		memcpy(dst, hdr, 32);
		memcpy(dst + len - 32, hdr + len - 32, 32);
	}
}

_Static_assert(DP_ENCAP_MAX_HDR <= 96, "dp_encap_copy_hdr copies at most 96");

/*
 * Write the outer header at DST (t->len bytes) for the copy PK describes.
 * For none with a VLAN, DST is the start of the copy and the inner frame
 * has been written at DST + t->len: its two MAC addresses are moved to the
 * front and the tag written behind them.  Over IPv6 the UDP checksum is
 * left 0: call dp_encap_udp6_csum() on the finished packet.  Inline: it
 * runs once per copy.
 */
static inline void
dp_encap_write_pkt(const struct dp_encap_tmpl *t, uint8_t *dst,
		   const struct dp_encap_pkt *pk)
{
	const size_t l3 = sizeof(struct rte_ether_hdr);
	uint32_t l4_len;

	if (t->type == DP_ENCAP_NONE) {
		if (t->len != 0)
			dp_encap_write_tag(t, dst);
		return;
	}
	dp_encap_copy_hdr(dst, t->hdr, t->len);
	l4_len = (uint32_t)(t->len - t->l4_ofs) + pk->inner_len;
	if (t->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(dst + l3);
		uint16_t tot = (uint16_t)(sizeof(*ip) + l4_len);

		ip->total_length = rte_cpu_to_be_16(tot);
		if (!t->hw_ip_cksum)
			ip->hdr_checksum = rte_cpu_to_be_16(
				(uint16_t)~dp_csum_fold(t->csum_partial + tot));
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(dst + l3);

		ip->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
	}
	if (t->type == DP_ENCAP_VXLAN || t->type == DP_ENCAP_GENEVE) {
		struct rte_udp_hdr *udp =
			(struct rte_udp_hdr *)(dst + t->l4_ofs);

		udp->dgram_len = rte_cpu_to_be_16((uint16_t)l4_len);
		udp->src_port = rte_cpu_to_be_16(pk->sport);
		return;
	}
	if (t->seq_ofs != 0)
		dp_put_be32(dst + t->seq_ofs, pk->seq);
	if (t->ers_ofs != 0)
		dp_encap_write_erspan(t, dst, pk);
}

/* dp_encap_write_pkt for a copy of INNER_LEN bytes with UDP source port
 * SPORT, and every other per-packet field 0. */
static inline void
dp_encap_write(const struct dp_encap_tmpl *t, uint8_t *dst, uint32_t inner_len,
	       uint16_t sport)
{
	struct dp_encap_pkt pk;

	memset(&pk, 0, sizeof(pk));
	pk.inner_len = inner_len;
	pk.sport = sport;
	dp_encap_write_pkt(t, dst, &pk);
}

/* IPv6 outer: compute and store the UDP checksum of the finished packet M
 * (outer header first, possibly several segments). */
void dp_encap_udp6_csum(const struct dp_encap_tmpl *t, struct rte_mbuf *m);

/*
 * Whether FRAME (LEN bytes of its first segment) is a copy made from T: an
 * outer header with T's source MAC, EtherType, IP protocol (and for IPv4
 * version and header length), source and destination addresses and UDP
 * destination port or GRE protocol type (both 2 bytes at offset 2 of the
 * header after IP).  A copy without an outer header (none) is never
 * recognised: the validator keeps its port from being received on.
 * Such a frame received
 * on a port is this process's own copy come back (a packet socket sees
 * what other sockets send, a switch may mirror the collector's port), and
 * must never be mirrored again.
 */
static inline int
dp_encap_own(const struct dp_encap_tmpl *t, const uint8_t *frame, uint32_t len)
{
	/* The source MAC and the EtherType after it; both addresses of
	 * either IP header; the UDP destination port. */
	const size_t eth_src = offsetof(struct rte_ether_hdr, src_addr);
	const size_t eth_n = sizeof(struct rte_ether_hdr) - eth_src;
	const size_t ip4_vhl = offsetof(struct rte_ipv4_hdr, version_ihl);
	const size_t ip4_proto = offsetof(struct rte_ipv4_hdr, next_proto_id);
	const size_t ip4_addr = offsetof(struct rte_ipv4_hdr, src_addr);
	const size_t ip6_proto = offsetof(struct rte_ipv6_hdr, proto);
	const size_t ip6_addr = offsetof(struct rte_ipv6_hdr, src_addr);
	/* The UDP destination port, or the GRE protocol type. */
	const size_t udp_dport = offsetof(struct rte_udp_hdr, dst_port);
	const uint8_t *h = t->hdr;
	const uint8_t *f3 = frame + t->l3_ofs, *h3 = h + t->l3_ofs;
	const uint8_t *f4 = frame + t->l4_ofs, *h4 = h + t->l4_ofs;

	if (t->family == 0 || len < t->len ||
	    memcmp(frame + eth_src, h + eth_src, eth_n) != 0)
		return 0;
	if (t->family == 4) /* version and IHL too: UDP or GRE follows */
		return f3[ip4_vhl] == h3[ip4_vhl] &&
		       f3[ip4_proto] == h3[ip4_proto] &&
		       memcmp(f3 + ip4_addr, h3 + ip4_addr, 2 * 4) == 0 &&
		       memcmp(f4 + udp_dport, h4 + udp_dport, 2) == 0;
	return f3[ip6_proto] == h3[ip6_proto] &&
	       memcmp(f3 + ip6_addr, h3 + ip6_addr, 2 * 16) == 0 &&
	       memcmp(f4 + udp_dport, h4 + udp_dport, 2) == 0;
}

/* Outer UDP source port for a flow hash: 49152..65535 (RFC 7348 entropy). */
static inline uint16_t
dp_encap_sport(uint32_t hash)
{
	return (uint16_t)(49152u | (hash & 0x3fffu));
}

#endif /* DPMIRROR_DP_ENCAP_H */
