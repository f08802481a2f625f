/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VxLAN outer header templates, the per-packet header write, the IPv6 UDP
 * checksum over a finished (possibly chained) mbuf and the symmetric flow
 * hash that picks the outer UDP source port and the collector.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp_encap.h"

#define ETH_HDR_LEN   14
#define IP4_HDR_LEN   20
#define IP6_HDR_LEN   40
#define UDP_HDR_LEN   8
#define VXLAN_HDR_LEN 8

#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_IPV6	0x86dd
#define IPPROTO_UDP_NUM 17
#define IP4_FLAG_DF	0x4000
#define VXLAN_FLAG_I	0x08
#define VNI_MAX		0xffffffu
#define DSCP_MAX	63

/* Offsets inside the IPv4 header, the IPv6 header and the UDP header. */
#define IP4_OFS_TOTLEN 2
#define IP4_OFS_CSUM   10
#define IP6_OFS_PLEN   4
#define UDP_OFS_SPORT  0
#define UDP_OFS_LEN    4
#define UDP_OFS_CSUM   6

/* Store a host-order 16-bit value big-endian at any alignment. */
static inline void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Fold a 32-bit one's-complement sum to 16 bits (two rounds suffice). */
static inline uint16_t
csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void
build_udp_vxlan(uint8_t *p, const struct dp_encap_params *prm)
{
	/* UDP: source port, length and checksum are written per packet. */
	put_be16(p + UDP_OFS_SPORT, 0);
	put_be16(p + 2, prm->dst_port);
	put_be16(p + UDP_OFS_LEN, 0);
	put_be16(p + UDP_OFS_CSUM, 0);

	/* VxLAN: I flag, 24 reserved bits, VNI, 8 reserved bits. */
	p += UDP_HDR_LEN;
	p[0] = VXLAN_FLAG_I;
	p[1] = 0;
	p[2] = 0;
	p[3] = 0;
	p[4] = (uint8_t)(prm->vni >> 16);
	p[5] = (uint8_t)(prm->vni >> 8);
	p[6] = (uint8_t)prm->vni;
	p[7] = 0;
}

int
dp_encap_tmpl_init(struct dp_encap_tmpl *t, const struct dp_encap_params *p)
{
	uint8_t *ip;
	uint32_t sum;
	unsigned int i;

	if (t == NULL || p == NULL)
		return -EINVAL;
	if (p->family != 4 && p->family != 6)
		return -EINVAL;
	if (p->vni > VNI_MAX || p->dscp > DSCP_MAX || p->ttl == 0)
		return -EINVAL;

	memset(t, 0, sizeof(*t));
	t->family = p->family;
	t->l3_ofs = ETH_HDR_LEN;

	memcpy(t->hdr, p->dst_mac, 6);
	memcpy(t->hdr + 6, p->src_mac, 6);
	ip = t->hdr + ETH_HDR_LEN;

	if (p->family == 4) {
		put_be16(t->hdr + 12, ETHERTYPE_IPV4);
		ip[0] = 0x45;
		ip[1] = (uint8_t)(p->dscp << 2);
		put_be16(ip + IP4_OFS_TOTLEN, 0);
		put_be16(ip + 4, 0);
		put_be16(ip + 6, IP4_FLAG_DF);
		ip[8] = p->ttl;
		ip[9] = IPPROTO_UDP_NUM;
		put_be16(ip + IP4_OFS_CSUM, 0);
		memcpy(ip + 12, p->src_ip, 4);
		memcpy(ip + 16, p->dst_ip, 4);

		/*
		 * Sum of the header's big-endian 16-bit words with the total
		 * length and the checksum at 0.  Per packet the total length
		 * is added and the result folded and complemented (RFC 1624):
		 * ten words cannot overflow 32 bits.
		 */
		sum = 0;
		for (i = 0; i < IP4_HDR_LEN; i += 2)
			sum += ((uint32_t)ip[i] << 8) | ip[i + 1];
		t->csum_partial = sum;

		t->l4_ofs = ETH_HDR_LEN + IP4_HDR_LEN;
		t->len = DP_ENCAP_HDR4_LEN;
	} else {
		put_be16(t->hdr + 12, ETHERTYPE_IPV6);
		/* Version 6, traffic class dscp << 2, flow label 0. */
		ip[0] = (uint8_t)(0x60 | (p->dscp >> 2));
		ip[1] = (uint8_t)((p->dscp & 0x3) << 6);
		ip[2] = 0;
		ip[3] = 0;
		put_be16(ip + IP6_OFS_PLEN, 0);
		ip[6] = IPPROTO_UDP_NUM;
		ip[7] = p->ttl;
		memcpy(ip + 8, p->src_ip, 16);
		memcpy(ip + 24, p->dst_ip, 16);

		t->csum_partial = 0;
		t->l4_ofs = ETH_HDR_LEN + IP6_HDR_LEN;
		t->len = DP_ENCAP_HDR6_LEN;
	}

	build_udp_vxlan(t->hdr + t->l4_ofs, p);
	return 0;
}

void
dp_encap_write(const struct dp_encap_tmpl *t, uint8_t *dst, uint32_t inner_len,
	       uint16_t sport)
{
	uint8_t *ip = dst + ETH_HDR_LEN;
	uint8_t *udp = dst + t->l4_ofs;
	uint16_t udp_len = (uint16_t)(UDP_HDR_LEN + VXLAN_HDR_LEN + inner_len);

	memcpy(dst, t->hdr, t->len);
	if (t->family == 4) {
		uint16_t tot = (uint16_t)(IP4_HDR_LEN + udp_len);

		put_be16(ip + IP4_OFS_TOTLEN, tot);
		if (!t->hw_ip_cksum)
			put_be16(ip + IP4_OFS_CSUM,
				 (uint16_t)~csum_fold(t->csum_partial + tot));
	} else {
		put_be16(ip + IP6_OFS_PLEN, udp_len);
	}
	put_be16(udp + UDP_OFS_LEN, udp_len);
	put_be16(udp + UDP_OFS_SPORT, sport);
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
	memcpy(hdr + t->l4_ofs + UDP_OFS_CSUM, &ck, sizeof(ck));
}

/*
 * The symmetric flow hash: the lower endpoint, the higher endpoint, the
 * ports in that order, the protocol and the kind of frame, through the
 * CPU's CRC32 instruction (rte_hash_crc), then an avalanche.
 */

/* Final avalanche so that the low bits (source port, collector pick) mix. */
static inline uint32_t
hash_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* Load 4 / 8 address bytes as a number whose order follows the bytes'. */
static inline uint32_t
ld_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}

static inline uint64_t
ld_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return rte_be_to_cpu_64(v);
}

uint32_t
dp_flow_hash(const struct dp_meta *m, const uint8_t *frame, uint32_t len)
{
	uint32_t h = 0xdb1ac5e7u;

	if (likely(m->l3 == DP_L3_IPV4 || m->l3 == DP_L3_IPV6)) {
		/* Fragments of one datagram must stay together: only the
		 * first carries ports, so no fragment hashes them. */
		int ports = m->has_ports && !(m->flags & DP_F_FRAG);
		uint32_t sp = ports ? m->sport : 0;
		uint32_t dp = ports ? m->dport : 0;
		uint32_t pp;

		if (m->l3 == DP_L3_IPV4) {
			uint32_t a = ld_be32(m->src), b = ld_be32(m->dst);

			/* Order the endpoints: (a, sp) first when smaller. */
			if (a > b || (a == b && sp > dp)) {
				uint32_t t = a;

				a = b;
				b = t;
				pp = dp << 16 | sp;
			} else {
				pp = sp << 16 | dp;
			}
			h = rte_hash_crc_4byte(a, h);
			h = rte_hash_crc_4byte(b, h);
		} else {
			uint64_t a0 = ld_be64(m->src), a1 = ld_be64(m->src + 8);
			uint64_t b0 = ld_be64(m->dst), b1 = ld_be64(m->dst + 8);
			int swap =
				a0 > b0 || (a0 == b0 &&
					    (a1 > b1 || (a1 == b1 && sp > dp)));

			if (swap) {
				uint64_t t0 = a0, t1 = a1;

				a0 = b0;
				a1 = b1;
				b0 = t0;
				b1 = t1;
				pp = dp << 16 | sp;
			} else {
				pp = sp << 16 | dp;
			}
			h = rte_hash_crc_8byte(a0, h);
			h = rte_hash_crc_8byte(a1, h);
			h = rte_hash_crc_8byte(b0, h);
			h = rte_hash_crc_8byte(b1, h);
		}
		h = rte_hash_crc_4byte(pp, h);
		h = rte_hash_crc_4byte((uint32_t)m->proto << 8 | m->l3, h);
	} else {
		uint64_t d, s;

		if (frame == NULL || len < 12)
			return 0;
		/* Destination MAC at 0, source MAC at 6, ordered. */
		d = ld_be64(frame) >> 16;
		s = ld_be64(frame + 4) & 0xffffffffffffull;
		if (d > s) {
			uint64_t t = d;

			d = s;
			s = t;
		}
		h = rte_hash_crc_8byte(d, h);
		h = rte_hash_crc_8byte(s, h);
	}
	return hash_mix(h);
}
