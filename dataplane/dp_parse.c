/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fast-path packet parser.  See dp_parse.h for the contract.
 *
 * Every read is preceded by a check that the bytes lie below LEN; offsets
 * are kept as uint32_t and compared as "end - ofs < n" with ofs <= end
 * always holding, so no sum can wrap.  The only loops are the VLAN tag
 * loop (at most DP_PARSE_MAX_VLANS + 1 rounds) and the IPv6 extension
 * header walk (at most DP_PARSE_MAX_EXT + 1 rounds).
 */

#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>

#include "dp_parse.h"

#define ETH_HDR_LEN   14
#define ETH_TYPE_OFS  12
#define VLAN_TAG_LEN  4
#define VLAN_VID_MASK 0x0fff

#define ETHER_TYPE_IPV4 0x0800
#define ETHER_TYPE_IPV6 0x86dd

#define IPV4_MIN_HDR_LEN 20
#define IPV4_MF		 0x2000
#define IPV4_OFS_MASK	 0x1fff

#define IPV6_HDR_LEN	   40
#define IPV6_EXT_MIN_LEN   8
#define IPV6_FRAG_OFS_MASK 0xfff8

#define PROTO_TCP  6
#define PROTO_UDP  17
#define PROTO_SCTP 132

/* How an IPv6 next-header value is walked. */
enum ext_kind {
	EXT_NONE = 0, /* upper-layer header: the walk ends */
	EXT_GENERIC,  /* length (len + 1) * 8 */
	EXT_AH,	      /* length (len + 2) * 4 */
	EXT_FRAG,     /* fixed 8 bytes */
};

static const uint8_t ext_kind_of[256] = {
	[0] = EXT_GENERIC,   /* hop-by-hop options */
	[43] = EXT_GENERIC,  /* routing */
	[44] = EXT_FRAG,     /* fragment */
	[51] = EXT_AH,	     /* authentication header */
	[60] = EXT_GENERIC,  /* destination options */
	[135] = EXT_GENERIC, /* mobility */
};

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline int
is_vlan_tpid(uint16_t t)
{
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

static inline int
proto_has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP;
}

/*
 * The upper-layer header starts at L4 and the IP payload ends at END
 * (already clamped to the frame, so END <= LEN and L4 <= END).
 */
static inline void
parse_l4(const uint8_t *data, uint32_t l4, uint32_t end, struct dp_meta *m)
{
	if (unlikely(l4 >= end))
		return;
	m->l4_ofs = (uint16_t)l4;
	if (proto_has_ports(m->proto) && likely(end - l4 >= 4)) {
		m->has_ports = 1;
		m->sport = rd16(data + l4);
		m->dport = rd16(data + l4 + 2);
	}
}

static inline void
parse_ipv4(const uint8_t *data, uint32_t len, uint32_t ofs, struct dp_meta *m)
{
	const uint8_t *ip = data + ofs;
	uint32_t avail = len - ofs;
	uint32_t hlen, tot;
	uint16_t frag;

	if (unlikely(avail < IPV4_MIN_HDR_LEN))
		return;
	hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	tot = rd16(ip + 2);
	if (unlikely((ip[0] >> 4) != 4 || hlen < IPV4_MIN_HDR_LEN ||
		     hlen > avail || tot < hlen))
		return;
	if (unlikely(tot > avail))
		tot = avail;

	m->l3 = DP_L3_IPV4;
	m->l3_ofs = (uint16_t)ofs;
	m->proto = ip[9];
	memcpy(m->src, ip + 12, 4);
	memcpy(m->dst, ip + 16, 4);

	frag = rd16(ip + 6);
	if (unlikely(frag & (IPV4_MF | IPV4_OFS_MASK))) {
		m->flags |= DP_F_FRAG;
		if (frag & IPV4_OFS_MASK)
			return;
		m->flags |= DP_F_FRAG_FIRST;
	}
	parse_l4(data, ofs + hlen, ofs + tot, m);
}

static inline void
parse_ipv6(const uint8_t *data, uint32_t len, uint32_t ofs, struct dp_meta *m)
{
	const uint8_t *ip = data + ofs;
	uint32_t avail = len - ofs;
	uint32_t plen, end, p, hlen;
	unsigned int n;
	uint8_t nh, kind;

	if (unlikely(avail < IPV6_HDR_LEN || (ip[0] >> 4) != 6))
		return;

	m->l3 = DP_L3_IPV6;
	m->l3_ofs = (uint16_t)ofs;
	memcpy(m->src, ip + 8, 16);
	memcpy(m->dst, ip + 24, 16);

	plen = rd16(ip + 4);
	if (unlikely(plen > avail - IPV6_HDR_LEN))
		plen = avail - IPV6_HDR_LEN;
	p = ofs + IPV6_HDR_LEN;
	end = p + plen;
	nh = ip[6];

	for (n = 0;; n++) {
		kind = ext_kind_of[nh];
		if (likely(kind == EXT_NONE))
			break;
		if (unlikely(n == DP_PARSE_MAX_EXT ||
			     end - p < IPV6_EXT_MIN_LEN))
			goto stop;
		if (kind == EXT_GENERIC)
			hlen = ((uint32_t)data[p + 1] + 1) * 8;
		else if (kind == EXT_AH)
			hlen = ((uint32_t)data[p + 1] + 2) * 4;
		else
			hlen = IPV6_EXT_MIN_LEN;
		if (unlikely(hlen > end - p))
			goto stop;
		if (kind == EXT_FRAG) {
			m->flags |= DP_F_FRAG;
			if (rd16(data + p + 2) & IPV6_FRAG_OFS_MASK) {
				/* Only payload follows: no header to walk. */
				m->flags &= (uint8_t)~DP_F_FRAG_FIRST;
				nh = data[p];
				goto stop;
			}
			m->flags |= DP_F_FRAG_FIRST;
		}
		nh = data[p];
		p += hlen;
	}
	m->proto = nh;
	parse_l4(data, p, end, m);
	return;
stop:
	m->proto = nh;
}

void
dp_parse_full(const uint8_t *data, uint32_t len, struct dp_meta *m)
{
	uint32_t ofs = ETH_HDR_LEN;
	uint16_t type;

	memset(m, 0, sizeof(*m));
	m->vlan = DP_VLAN_NONE;
	if (unlikely(len < ETH_HDR_LEN))
		return;

	type = rd16(data + ETH_TYPE_OFS);
	while (is_vlan_tpid(type)) {
		if (unlikely(m->n_vlans == DP_PARSE_MAX_VLANS ||
			     len - ofs < VLAN_TAG_LEN)) {
			m->flags = DP_F_VLAN_TRUNC;
			return;
		}
		if (m->n_vlans == 0)
			m->vlan = rd16(data + ofs) & VLAN_VID_MASK;
		type = rd16(data + ofs + 2);
		ofs += VLAN_TAG_LEN;
		m->n_vlans++;
	}
	m->ethertype = type;

	if (likely(type == ETHER_TYPE_IPV4))
		parse_ipv4(data, len, ofs, m);
	else if (type == ETHER_TYPE_IPV6)
		parse_ipv6(data, len, ofs, m);
}
