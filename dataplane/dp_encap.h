/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_ENCAP_H
#define DPMIRROR_DP_ENCAP_H

/*
 * VxLAN encapsulation (RFC 7348) from a per-collector template.
 *
 * The template holds the whole outer header (Ethernet, IPv4 or IPv6, UDP,
 * VxLAN) built once at setup; per packet only the IP length, the IPv4 header
 * checksum (updated from a precomputed partial sum), the UDP length and the
 * UDP source port are written.  Over IPv4 the UDP checksum is 0; over IPv6 it
 * is computed over the whole datagram (dp_encap_udp6_csum).
 *
 * Outer IPv4: version 4, IHL 5, TOS = dscp << 2, ID 0, DF set (an atomic
 * datagram, RFC 6864: the collector path must carry the full size, see the
 * MTU note in the README), TTL, protocol 17.
 * Outer IPv6: version 6, traffic class = dscp << 2, flow label 0,
 * next header 17, hop limit = ttl.
 * VxLAN: flags 0x08 (I bit), 24 reserved bits 0, VNI, 8 reserved bits 0.
 */

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dp_parse.h"

#define DP_ENCAP_HDR4_LEN (14 + 20 + 8 + 8) /* 50 */
#define DP_ENCAP_HDR6_LEN (14 + 40 + 8 + 8) /* 70 */
#define DP_ENCAP_MAX_HDR  DP_ENCAP_HDR6_LEN

/* What the template is built from (filled by the control thread). */
struct dp_encap_params {
	uint8_t family; /* 4 or 6 */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t src_ip[16]; /* network order; IPv4 in bytes 0..3 */
	uint8_t dst_ip[16];
	uint32_t vni;	   /* 24 bits */
	uint16_t dst_port; /* host order */
	uint8_t ttl;
	uint8_t dscp; /* 0..63 */
};

struct dp_encap_tmpl {
	uint8_t hdr[DP_ENCAP_MAX_HDR];
	uint16_t len; /* DP_ENCAP_HDR4_LEN or DP_ENCAP_HDR6_LEN */
	uint8_t family;
	uint16_t l3_ofs;       /* 14 */
	uint16_t l4_ofs;       /* 34 or 54 */
	uint32_t csum_partial; /* IPv4: unfolded sum of the header, length 0 */
	uint8_t hw_ip_cksum;   /* IPv4 header checksum left to the NIC (the
				* field stays 0); set by the control thread
				* when the egress port offers the offload */
};

/* Build *t from *p.  Returns 0, or -EINVAL for a bad family/VNI/DSCP. */
int dp_encap_tmpl_init(struct dp_encap_tmpl *t,
		       const struct dp_encap_params *p);

/*
 * Write the outer header at DST (t->len bytes) for an inner frame of
 * INNER_LEN bytes and the outer UDP source port SPORT (host order).
 * For IPv6 the UDP checksum is left 0: call dp_encap_udp6_csum() on the
 * finished packet.
 */
void dp_encap_write(const struct dp_encap_tmpl *t, uint8_t *dst,
		    uint32_t inner_len, uint16_t sport);

/* IPv6 outer: compute and store the UDP checksum of the finished packet M
 * (outer header first, possibly several segments). */
void dp_encap_udp6_csum(const struct dp_encap_tmpl *t, struct rte_mbuf *m);

/*
 * Symmetric hash of the inner flow: the same value for both directions of a
 * flow.  IP packets hash the (address, port) endpoints ordered so that A->B
 * and B->A agree, plus the protocol (fragments hash without ports, so all
 * fragments of a datagram agree); non-IP frames hash the two MAC
 * addresses ordered likewise.  FRAME/LEN are the inner frame bytes.
 */
uint32_t dp_flow_hash(const struct dp_meta *m, const uint8_t *frame,
		      uint32_t len);

/*
 * Whether FRAME (LEN bytes of its first segment) is a copy made from T: an
 * outer header with T's source MAC, EtherType, IP protocol (and for IPv4
 * version and header length), source and destination addresses and UDP
 * destination port.  Such a frame received
 * on a port is this process's own copy come back (a packet socket sees
 * what other sockets send, a switch may mirror the collector's port), and
 * must never be mirrored again.
 */
static inline int
dp_encap_own(const struct dp_encap_tmpl *t, const uint8_t *frame, uint32_t len)
{
	const uint8_t *h = t->hdr;
	uint32_t l3 = t->l3_ofs, l4 = t->l4_ofs;

	if (len < t->len || memcmp(frame + 6, h + 6, 8) != 0)
		return 0;
	if (t->family == 4) /* version and IHL too: the UDP header follows */
		return frame[l3] == h[l3] && frame[l3 + 9] == h[l3 + 9] &&
		       memcmp(frame + l3 + 12, h + l3 + 12, 8) == 0 &&
		       memcmp(frame + l4 + 2, h + l4 + 2, 2) == 0;
	return frame[l3 + 6] == h[l3 + 6] &&
	       memcmp(frame + l3 + 8, h + l3 + 8, 32) == 0 &&
	       memcmp(frame + l4 + 2, h + l4 + 2, 2) == 0;
}

/* Outer UDP source port for a flow hash: 49152..65535 (RFC 7348 entropy). */
static inline uint16_t
dp_encap_sport(uint32_t hash)
{
	return (uint16_t)(49152u | (hash & 0x3fffu));
}

#endif /* DPMIRROR_DP_ENCAP_H */
