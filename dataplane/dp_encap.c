/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VxLAN outer header templates, the per-packet header write and the IPv6
 * UDP checksum over a finished (possibly chained) mbuf.
 */

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "dp_encap.h"

#define VXLAN_FLAG_I 0x08 /* RFC 7348: the VNI is valid */
#define VNI_MAX	     0xffffffu
#define DSCP_MAX     63

/* Fold a 32-bit one's-complement sum to 16 bits (two rounds suffice). */
static inline uint16_t
csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* UDP and VxLAN: the UDP source port, length and checksum are written per
 * packet; VxLAN: I flag, 24 reserved bits, VNI, 8 reserved bits. */
static void
build_udp_vxlan(struct rte_udp_hdr *udp, const struct dp_encap_params *prm)
{
	struct rte_vxlan_hdr *vx = (struct rte_vxlan_hdr *)(udp + 1);

	udp->src_port = 0;
	udp->dst_port = rte_cpu_to_be_16(prm->dst_port);
	udp->dgram_len = 0;
	udp->dgram_cksum = 0;
	vx->vx_flags = rte_cpu_to_be_32((uint32_t)VXLAN_FLAG_I << 24);
	vx->vx_vni = rte_cpu_to_be_32(prm->vni << 8);
}

int
dp_encap_tmpl_init(struct dp_encap_tmpl *t, const struct dp_encap_params *p)
{
	struct rte_ether_hdr *eth;
	const uint8_t *b;
	uint32_t sum;
	unsigned int i;

	if (t == NULL || p == NULL)
		return -EINVAL;
	if (p->family != 4 && p->family != 6)
		return -EINVAL;
	if (p->vni > VNI_MAX || p->dscp > DSCP_MAX || p->ttl == 0)
		return -EINVAL;

	memset(t, 0, sizeof(*t));
	eth = (struct rte_ether_hdr *)t->hdr;
	t->family = p->family;
	t->l3_ofs = sizeof(*eth);

	memcpy(&eth->dst_addr, p->dst_mac, RTE_ETHER_ADDR_LEN);
	memcpy(&eth->src_addr, p->src_mac, RTE_ETHER_ADDR_LEN);

	if (p->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = (uint8_t)(p->dscp << 2);
		ip->total_length = 0;
		ip->packet_id = 0;
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = p->ttl;
		ip->next_proto_id = IPPROTO_UDP;
		ip->hdr_checksum = 0;
		memcpy(&ip->src_addr, p->src_ip, sizeof(ip->src_addr));
		memcpy(&ip->dst_addr, p->dst_ip, sizeof(ip->dst_addr));

		/*
		 * Sum of the header's big-endian 16-bit words with the total
		 * length and the checksum at 0.  Per packet the total length
		 * is added and the result folded and complemented (RFC 1624):
		 * ten words cannot overflow 32 bits.
		 */
		b = (const uint8_t *)ip;
		sum = 0;
		for (i = 0; i < sizeof(*ip); i += 2)
			sum += ((uint32_t)b[i] << 8) | b[i + 1];
		t->csum_partial = sum;

		t->l4_ofs = (uint16_t)(t->l3_ofs + sizeof(*ip));
		t->len = DP_ENCAP_HDR4_LEN;
		build_udp_vxlan((struct rte_udp_hdr *)(ip + 1), p);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
		uint32_t tc = (uint32_t)p->dscp << 2 << RTE_IPV6_HDR_TC_SHIFT;

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		/* Version 6, traffic class dscp << 2, flow label 0. */
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28 | tc);
		ip->payload_len = 0;
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = p->ttl;
		memcpy(ip->src_addr, p->src_ip, sizeof(ip->src_addr));
		memcpy(ip->dst_addr, p->dst_ip, sizeof(ip->dst_addr));

		t->csum_partial = 0;
		t->l4_ofs = (uint16_t)(t->l3_ofs + sizeof(*ip));
		t->len = DP_ENCAP_HDR6_LEN;
		build_udp_vxlan((struct rte_udp_hdr *)(ip + 1), p);
	}
	return 0;
}

void
dp_encap_write(const struct dp_encap_tmpl *t, uint8_t *dst, uint32_t inner_len,
	       uint16_t sport)
{
	const size_t l3 = sizeof(struct rte_ether_hdr);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(dst + t->l4_ofs);
	uint16_t udp_len = (uint16_t)(sizeof(struct rte_udp_hdr) +
				      sizeof(struct rte_vxlan_hdr) + inner_len);

	memcpy(dst, t->hdr, t->len);
	if (t->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(dst + l3);
		uint16_t tot = (uint16_t)(sizeof(*ip) + udp_len);

		ip->total_length = rte_cpu_to_be_16(tot);
		if (!t->hw_ip_cksum)
			ip->hdr_checksum = rte_cpu_to_be_16(
				(uint16_t)~csum_fold(t->csum_partial + tot));
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(dst + l3);

		ip->payload_len = rte_cpu_to_be_16(udp_len);
	}
	udp->dgram_len = rte_cpu_to_be_16(udp_len);
	udp->src_port = rte_cpu_to_be_16(sport);
}

/*
 * The UDP checksum is summed segment by segment.  A segment that starts at
 * an odd offset of the datagram has its 16-bit sum byte-swapped (RFC 1071,
 * byte order independence), which is done here on the folded per-segment
 * sum so that no carry is lost whatever the segment lengths.
 */
void
dp_encap_udp6_csum(const struct dp_encap_tmpl *t, struct rte_mbuf *m)
{
	uint8_t *hdr = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ipv6_hdr *ip6 =
		(const struct rte_ipv6_hdr *)(hdr + t->l3_ofs);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(hdr + t->l4_ofs);
	const struct rte_mbuf *seg = m;
	uint32_t left = rte_be_to_cpu_16(ip6->payload_len);
	uint32_t off = t->l4_ofs;
	uint32_t done = 0;
	uint32_t sum;
	uint16_t ck;

	/* The checksum field is 0 in the template: it is summed as 0. */
	sum = rte_ipv6_phdr_cksum(ip6, 0);
	while (seg != NULL && left != 0) {
		uint32_t n = 0;
		uint16_t part;

		if (likely(off < seg->data_len))
			n = RTE_MIN((uint32_t)(seg->data_len - off), left);
		if (n != 0) {
			part = rte_raw_cksum(rte_pktmbuf_mtod_offset(
						     seg, const uint8_t *, off),
					     n);
			if (done & 1)
				part = rte_bswap16(part);
			sum += part;
			done += n;
			left -= n;
			off = 0;
		} else {
			off -= seg->data_len;
		}
		seg = seg->next;
	}

	ck = (uint16_t)~csum_fold(sum);
	/* RFC 768 / RFC 8200 8.1: a computed 0 is sent as all ones. */
	if (ck == 0)
		ck = 0xffff;
	/* Both partial sums are in memory byte order: store as is. */
	udp->dgram_cksum = ck;
}
