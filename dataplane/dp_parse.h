/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_PARSE_H
#define DPMIRROR_DP_PARSE_H

/*
 * Packet parser of the fast path: Ethernet, 802.1Q/802.1ad (any stack of up
 * to DP_PARSE_MAX_VLANS tags, 0x8100, 0x88a8 and 0x9100), IPv4 (options,
 * fragments), IPv6 (extension headers), TCP/UDP/SCTP ports and ICMP/ICMPv6.
 *
 * It never reads past the bytes it is given and never trusts a length field:
 * a header that does not fit, or is inconsistent, stops the parse there and
 * the packet is classified with what was parsed safely before it.
 *
 * Rules (the contract the ACL key, the reference evaluators in the tests
 * and the integration test oracle all follow):
 * - vlan: VID of the outermost tag; DP_VLAN_NONE when untagged.  A tag
 *   counts (in vlan and n_vlans) only when its 4 bytes are present.  More
 *   than DP_PARSE_MAX_VLANS tags, or a tag cut by the end of the frame, sets
 *   DP_F_VLAN_TRUNC, leaves ethertype = 0 and makes the frame DP_L3_OTHER.
 * - l3 = DP_L3_IPV4 only if the IPv4 header is complete and sane: version 4,
 *   IHL >= 5, IHL*4 <= bytes present, total_length >= IHL*4.  Otherwise the
 *   frame is DP_L3_OTHER (non-IP).
 * - l3 = DP_L3_IPV6 only if the 40-byte fixed header is present and the
 *   version is 6.  Extension headers 0 (hop-by-hop), 43 (routing),
 *   44 (fragment), 60 (destination options), 51 (AH) and 135 (mobility) are
 *   walked while they fit (at most DP_PARSE_MAX_EXT of them); proto is the
 *   first next-header that is not one of those.  A chain that runs past the
 *   frame (or past payload_length) or holds more than DP_PARSE_MAX_EXT
 *   extension headers leaves proto = the last next-header value read, and
 *   no ports.  Lengths: fragment 8, AH (len+2)*4, the others (len+1)*8.
 *   In a non-first fragment the walk stops at the fragment header and proto
 *   is its next header.
 * - proto: the IPv4 protocol / the IPv6 upper-layer next header.
 * - fragments: IPv4 MF set or offset != 0; IPv6 fragment header present.
 *   Only a first fragment (offset 0) can have ports.
 * - has_ports: proto is TCP (6), UDP (17) or SCTP (132), the packet is not
 *   a non-first fragment, and the 4 port bytes lie inside both the frame and
 *   the IP payload (IPv4 total_length / IPv6 payload_length, each clamped to
 *   the frame).  sport/dport are then in host byte order, else 0.
 * - l3_ofs: offset of the IP header when l3 != DP_L3_OTHER, else 0.
 * - l4_ofs: offset of the L4 header in the frame when known, else 0: known
 *   when the IP headers before it were all walked, the packet is not a
 *   non-first fragment and the offset lies inside the IP payload (as above).
 * - Every other field that these rules do not set is 0 (a non-IP frame has
 *   proto, addresses, ports and fragment flags 0).
 */

#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>

#define DP_PARSE_MAX_VLANS 4
#define DP_PARSE_MAX_EXT   8
#define DP_VLAN_NONE	   0xffff

enum dp_l3 {
	DP_L3_OTHER = 0,
	DP_L3_IPV4 = 4,
	DP_L3_IPV6 = 6,
};

#define DP_F_FRAG	0x01 /* any fragment */
#define DP_F_FRAG_FIRST 0x02 /* offset 0 fragment */
#define DP_F_VLAN_TRUNC 0x04 /* tag stack ran past the frame/limit */

struct dp_meta {
	/* EtherType after the VLAN tags, host order; 0 if truncated. */
	uint16_t ethertype;
	uint16_t vlan; /* outermost VID or DP_VLAN_NONE */
	uint8_t n_vlans;
	uint8_t l3; /* enum dp_l3 */
	uint8_t proto;
	uint8_t flags; /* DP_F_* */
	uint8_t has_ports;
	uint16_t l3_ofs;
	uint16_t l4_ofs;
	uint16_t sport, dport; /* host order */
	/* Addresses in network byte order; IPv4 in the first 4 bytes. */
	uint8_t src[16];
	uint8_t dst[16];
};

/* dp_parse for every frame: the out-of-line walk. */
void dp_parse_full(const uint8_t *data, uint32_t len, struct dp_meta *m);

/*
 * Parse LEN bytes at DATA into *m.  Always fills *m completely.  The
 * common frame, untagged IPv4 without options and not a fragment, is
 * parsed here, inline (the same rules, by the same reading); every other
 * one by dp_parse_full.
 */
static inline void
dp_parse(const uint8_t *data, uint32_t len, struct dp_meta *m)
{
	if (likely(len >= 34 && data[12] == 0x08 && data[13] == 0x00 &&
		   data[14] == 0x45)) {
		const uint8_t *ip = data + 14;
		uint32_t tot = (uint32_t)ip[2] << 8 | ip[3];

		if (likely(tot >= 20 && ((ip[6] & 0x3f) | ip[7]) == 0)) {
			uint8_t proto = ip[9];

			if (tot > len - 14)
				tot = len - 14;
			memset(m, 0, sizeof(*m));
			m->vlan = DP_VLAN_NONE;
			m->ethertype = 0x0800;
			m->l3 = DP_L3_IPV4;
			m->l3_ofs = 14;
			m->proto = proto;
			memcpy(m->src, ip + 12, 4);
			memcpy(m->dst, ip + 16, 4);
			if (tot > 20) {
				m->l4_ofs = 34;
				if ((proto == 6 || proto == 17 ||
				     proto == 132) &&
				    tot >= 24) {
					m->has_ports = 1;
					m->sport = (uint16_t)((uint16_t)ip[20]
								      << 8 |
							      ip[21]);
					m->dport = (uint16_t)((uint16_t)ip[22]
								      << 8 |
							      ip[23]);
				}
			}
			return;
		}
	}
	dp_parse_full(data, len, m);
}

#endif /* DPMIRROR_DP_PARSE_H */
