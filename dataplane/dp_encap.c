/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Outer header templates (VxLAN, Geneve, GRE, ERSPAN II and III, an
 * RSPAN tag), the per-packet header write and the IPv6 UDP checksum over a
 * finished (possibly chained) mbuf.
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
#define SESSION_MAX  1023
#define VID_MAX	     4094

/* GRE (RFC 2784/2890): the flags and version word. */
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
/* GRE protocol types. */
#define GRE_PROTO_TEB	  0x6558 /* transparent Ethernet bridging */
#define GRE_PROTO_ERSPAN2 0x88be
#define GRE_PROTO_ERSPAN3 0x22eb

/* ERSPAN: version in the first 16-bit word. */
#define ERSPAN_VER_II  1
#define ERSPAN_VER_III 2
/* ERSPAN III last word, low 16 bits: P (bit 15), FT (14..10), HW ID
 * (9..4), D (3), Gra (2..1), O (0). */
#define ERSPAN3_P	  0x8000
#define ERSPAN3_GRA_100NS 0x0002

/* UDP and VxLAN: the UDP source port, length and checksum are written per
 * packet; VxLAN: I flag, 24 reserved bits, VNI, 8 reserved bits.  Returns
 * the header length after IP. */
static uint16_t
build_udp(uint8_t *l4, const struct dp_encap_params *prm)
{
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;
	uint8_t *tun = l4 + sizeof(*udp);

	udp->src_port = 0;
	udp->dst_port = rte_cpu_to_be_16(prm->dst_port);
	udp->dgram_len = 0;
	udp->dgram_cksum = 0;
	if (prm->type == DP_ENCAP_VXLAN) {
		dp_put_be32(tun, (uint32_t)VXLAN_FLAG_I << 24);
	} else {
		/* Geneve: version 0, option length 0, O 0, C 0. */
		dp_put_be16(tun, 0);
		dp_put_be16(tun + 2, RTE_ETHER_TYPE_TEB);
	}
	dp_put_be32(tun + 4, prm->vni << 8);
	return DP_ENCAP_UDP_LEN + DP_ENCAP_VXLAN_LEN;
}

/* GRE and ERSPAN.  Sets t->seq_ofs and t->ers_ofs; returns the header
 * length after IP. */
static uint16_t
build_gre(struct dp_encap_tmpl *t, uint8_t *l4,
	  const struct dp_encap_params *prm)
{
	uint16_t flags = 0, proto = GRE_PROTO_TEB, n = DP_ENCAP_GRE_LEN;
	uint8_t *ers;

	if (prm->type == DP_ENCAP_GRE) {
		if (prm->gre_key_set) {
			flags |= GRE_F_KEY;
			dp_put_be32(l4 + n, prm->gre_key);
			n += DP_ENCAP_GRE_OPT_LEN;
		}
		if (prm->gre_seq)
			flags |= GRE_F_SEQ;
	} else {
		flags |= GRE_F_SEQ;
		proto = prm->type == DP_ENCAP_ERSPAN2 ? GRE_PROTO_ERSPAN2
						      : GRE_PROTO_ERSPAN3;
	}
	dp_put_be16(l4, flags);
	dp_put_be16(l4 + 2, proto);
	if (flags & GRE_F_SEQ) {
		t->seq_ofs = (uint16_t)(t->l4_ofs + n);
		n += DP_ENCAP_GRE_OPT_LEN;
	}
	if (prm->type == DP_ENCAP_GRE)
		return n;

	/* ERSPAN: the version (the VLAN is per packet); the session id (CoS,
	 * En or BSO and T are per packet); II: reserved and index (per
	 * packet); III: timestamp (per packet), SGT 0, then P, FT 0, HW ID 0,
	 * D (per packet), Gra, O 0. */
	ers = l4 + n;
	t->ers_ofs = (uint16_t)(t->l4_ofs + n);
	if (prm->type == DP_ENCAP_ERSPAN2) {
		t->ers_w0 = (uint32_t)ERSPAN_VER_II << 28 | prm->session_id;
		dp_put_be32(ers, t->ers_w0);
		return (uint16_t)(n + DP_ENCAP_ERSPAN2_LEN);
	}
	t->ers_w0 = (uint32_t)ERSPAN_VER_III << 28 | prm->session_id;
	dp_put_be32(ers, t->ers_w0);
	dp_put_be16(ers + 10, ERSPAN3_P | ERSPAN3_GRA_100NS);
	return (uint16_t)(n + DP_ENCAP_ERSPAN3_LEN);
}

static int
params_ok(const struct dp_encap_params *p)
{
	if (p->type >= DP_ENCAP_N_TYPES)
		return 0;
	if (p->type == DP_ENCAP_NONE)
		return p->vlan <= VID_MAX;
	if (p->family != 4 && p->family != 6)
		return 0;
	if (p->dscp > DSCP_MAX || p->ttl == 0)
		return 0;
	if ((p->type == DP_ENCAP_VXLAN || p->type == DP_ENCAP_GENEVE) &&
	    p->vni > VNI_MAX)
		return 0;
	if ((p->type == DP_ENCAP_ERSPAN2 || p->type == DP_ENCAP_ERSPAN3) &&
	    p->session_id > SESSION_MAX)
		return 0;
	return 1;
}

int
dp_encap_tmpl_init(struct dp_encap_tmpl *t, const struct dp_encap_params *p)
{
	struct rte_ether_hdr *eth;
	const uint8_t *b;
	uint8_t proto;
	uint16_t l4_len;
	uint32_t sum;
	unsigned int i;

	if (t == NULL || p == NULL || !params_ok(p))
		return -EINVAL;

	memset(t, 0, sizeof(*t));
	t->type = p->type;
	if (p->type == DP_ENCAP_NONE) {
		/* The tag: TPID 0x8100, PCP 0, DEI 0, the VID. */
		if (p->vlan != 0) {
			dp_put_be16(t->hdr, RTE_ETHER_TYPE_VLAN);
			dp_put_be16(t->hdr + 2, p->vlan);
			t->len = DP_ENCAP_VLAN_LEN;
		}
		return 0;
	}

	eth = (struct rte_ether_hdr *)t->hdr;
	t->family = p->family;
	t->l3_ofs = sizeof(*eth);
	memcpy(&eth->dst_addr, p->dst_mac, RTE_ETHER_ADDR_LEN);
	memcpy(&eth->src_addr, p->src_mac, RTE_ETHER_ADDR_LEN);
	proto = p->type == DP_ENCAP_VXLAN || p->type == DP_ENCAP_GENEVE
			? IPPROTO_UDP
			: IPPROTO_GRE;

	if (p->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = (uint8_t)(p->dscp << 2);
		ip->total_length = 0;
		ip->packet_id = 0;
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = p->ttl;
		ip->next_proto_id = proto;
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
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
		uint32_t tc = (uint32_t)p->dscp << 2 << RTE_IPV6_HDR_TC_SHIFT;

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		/* Version 6, traffic class dscp << 2, flow label 0. */
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28 | tc);
		ip->payload_len = 0;
		ip->proto = proto;
		ip->hop_limits = p->ttl;
		memcpy(ip->src_addr, p->src_ip, sizeof(ip->src_addr));
		memcpy(ip->dst_addr, p->dst_ip, sizeof(ip->dst_addr));
		t->csum_partial = 0;
		t->l4_ofs = (uint16_t)(t->l3_ofs + sizeof(*ip));
	}
	if (proto == IPPROTO_UDP)
		l4_len = build_udp(t->hdr + t->l4_ofs, p);
	else
		l4_len = build_gre(t, t->hdr + t->l4_ofs, p);
	t->len = (uint16_t)(t->l4_ofs + l4_len);
	/* dp_encap_copy_hdr copies in 32-byte pieces: every outer header
	 * is longer (GRE over IPv4, the shortest, is 38 bytes). */
	if (t->len <= 32 || t->len > DP_ENCAP_MAX_HDR)
		return -EINVAL;
	return 0;
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

	ck = (uint16_t)~dp_csum_fold(sum);
	/* RFC 768 / RFC 8200 8.1: a computed 0 is sent as all ones. */
	if (ck == 0)
		ck = 0xffff;
	/* Both partial sums are in memory byte order: store as is. */
	udp->dgram_cksum = ck;
}
