/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DP_FLOW_H
#define DPMIRROR_DP_FLOW_H

/*
 * The symmetric flow hash of a parsed frame: the same value for both
 * directions of a flow.  It picks a session's collector and the outer UDP
 * source port of its copies (RFC 7348 entropy), so both directions of a
 * flow reach the same collector with the same outer source port.
 *
 * IP packets (dp_meta.l3 IPv4 or IPv6) hash the (address, port) endpoints
 * ordered so that A->B and B->A agree, the protocol and the family.  Ports
 * are those dp_parse() found; a fragment (first or not) hashes without
 * them, so that all fragments of a datagram agree.  Any other frame hashes
 * its two MAC addresses, ordered likewise; one shorter than 12 bytes (or
 * FRAME NULL) hashes to 0.
 *
 * The inputs go through the CPU's CRC32 instruction (rte_hash_crc), then an
 * avalanche so that the low bits (source port, collector pick) mix.
 */

#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_hash_crc.h>

#include "dp_parse.h"

/* Final avalanche of the CRC. */
static inline uint32_t
dp_flow_mix(uint32_t h)
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
dp_flow_ld_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}

static inline uint64_t
dp_flow_ld_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return rte_be_to_cpu_64(v);
}

/*
 * The hash of the frame parsed into *M; FRAME/LEN are its bytes (read only
 * for a non-IP frame).  Hashed in order: the lower endpoint, the higher
 * endpoint, the ports in that order, the protocol and the kind of frame.
 */
static inline uint32_t
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
			uint32_t a = dp_flow_ld_be32(m->src);
			uint32_t b = dp_flow_ld_be32(m->dst);

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
			uint64_t a0 = dp_flow_ld_be64(m->src);
			uint64_t a1 = dp_flow_ld_be64(m->src + 8);
			uint64_t b0 = dp_flow_ld_be64(m->dst);
			uint64_t b1 = dp_flow_ld_be64(m->dst + 8);
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
		d = dp_flow_ld_be64(frame) >> 16;
		s = dp_flow_ld_be64(frame + 4) & 0xffffffffffffull;
		if (d > s) {
			uint64_t t = d;

			d = s;
			s = t;
		}
		h = rte_hash_crc_8byte(d, h);
		h = rte_hash_crc_8byte(s, h);
	}
	return dp_flow_mix(h);
}

#endif /* DPMIRROR_DP_FLOW_H */
