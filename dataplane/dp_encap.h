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

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

/* Outer header lengths: Ethernet, IPv4 or IPv6, UDP, VxLAN. */
#define DP_ENCAP_HDR4_LEN                                                      \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +          \
	 sizeof(struct rte_udp_hdr) + sizeof(struct rte_vxlan_hdr))
#define DP_ENCAP_HDR6_LEN                                                      \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv6_hdr) +          \
	 sizeof(struct rte_udp_hdr) + sizeof(struct rte_vxlan_hdr))
#define DP_ENCAP_MAX_HDR DP_ENCAP_HDR6_LEN

_Static_assert(DP_ENCAP_HDR4_LEN == 50, "VxLAN over IPv4 is 50 bytes");
_Static_assert(DP_ENCAP_HDR6_LEN == 70, "VxLAN over IPv6 is 70 bytes");

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

/*
 * The outer header in hdr[], as it leads a copy (offsets in bytes, IPv4 |
 * IPv6; the DPDK struct of each header below it):
 */
/* clang-format off */
/*
 *   0          14               34 | 54       42 | 62         50 | 70
 *   +----------+----------------+-------------+---------------+----------
 *   | Ethernet | IPv4 | IPv6    | UDP         | VxLAN         | inner
 *   | 14       | 20   | 40      | 8           | 8             | frame ...
 *   +----------+----------------+-------------+---------------+----------
 *    rte_ether  rte_ipv4_hdr     rte_udp_hdr   rte_vxlan_hdr
 *    _hdr       rte_ipv6_hdr
 *   ^ 0        ^ l3_ofs         ^ l4_ofs                      ^ len
 */
/* clang-format on */
struct dp_encap_tmpl {
	uint8_t hdr[DP_ENCAP_MAX_HDR];
	uint16_t len; /* DP_ENCAP_HDR4_LEN or DP_ENCAP_HDR6_LEN */
	uint8_t family;
	uint16_t l3_ofs;       /* sizeof(struct rte_ether_hdr): 14 */
	uint16_t l4_ofs;       /* 34 or 54 */
	uint32_t csum_partial; /* IPv4: unfolded sum of the header, length 0 */
	/* IPv4 header checksum left to the NIC (the field stays 0); set by
	 * the control thread when the egress port offers the offload. */
	uint8_t hw_ip_cksum;
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
	/* The source MAC and the EtherType after it; both addresses of
	 * either IP header; the UDP destination port. */
	const size_t eth_src = offsetof(struct rte_ether_hdr, src_addr);
	const size_t eth_n = sizeof(struct rte_ether_hdr) - eth_src;
	const size_t ip4_vhl = offsetof(struct rte_ipv4_hdr, version_ihl);
	const size_t ip4_proto = offsetof(struct rte_ipv4_hdr, next_proto_id);
	const size_t ip4_addr = offsetof(struct rte_ipv4_hdr, src_addr);
	const size_t ip6_proto = offsetof(struct rte_ipv6_hdr, proto);
	const size_t ip6_addr = offsetof(struct rte_ipv6_hdr, src_addr);
	const size_t udp_dport = offsetof(struct rte_udp_hdr, dst_port);
	const uint8_t *h = t->hdr;
	const uint8_t *f3 = frame + t->l3_ofs, *h3 = h + t->l3_ofs;
	const uint8_t *f4 = frame + t->l4_ofs, *h4 = h + t->l4_ofs;

	if (len < t->len || memcmp(frame + eth_src, h + eth_src, eth_n) != 0)
		return 0;
	if (t->family == 4) /* version and IHL too: the UDP header follows */
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
