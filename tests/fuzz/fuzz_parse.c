/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the fast-path parser.  Each input is parsed from a
 * heap copy of exactly its size (so ASan sees any overread) and the result
 * is checked against the invariants of the contract in dp_parse.h.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_parse.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static int
same_meta(const struct dp_meta *a, const struct dp_meta *b)
{
	return a->ethertype == b->ethertype && a->vlan == b->vlan &&
	       a->n_vlans == b->n_vlans && a->l3 == b->l3 &&
	       a->proto == b->proto && a->flags == b->flags &&
	       a->has_ports == b->has_ports && a->l3_ofs == b->l3_ofs &&
	       a->l4_ofs == b->l4_ofs && a->sport == b->sport &&
	       a->dport == b->dport && memcmp(a->src, b->src, 16) == 0 &&
	       memcmp(a->dst, b->dst, 16) == 0;
}

static void
check_invariants(const uint8_t *d, uint32_t len, const struct dp_meta *m)
{
	CHECK((m->flags &
	       ~(DP_F_FRAG | DP_F_FRAG_FIRST | DP_F_VLAN_TRUNC)) == 0);
	CHECK(m->has_ports <= 1);
	CHECK(m->n_vlans <= DP_PARSE_MAX_VLANS);
	CHECK((m->n_vlans == 0) == (m->vlan == DP_VLAN_NONE));
	CHECK(m->vlan == DP_VLAN_NONE || m->vlan <= 0x0fff);
	if (len < 14)
		CHECK(m->ethertype == 0 && m->n_vlans == 0 && m->flags == 0);
	if (m->flags & DP_F_VLAN_TRUNC)
		CHECK(m->ethertype == 0 && m->flags == DP_F_VLAN_TRUNC);
	if (m->ethertype == 0)
		CHECK(m->l3 == DP_L3_OTHER);
	if (m->n_vlans > 0)
		CHECK(len >= 14u + 4u * m->n_vlans &&
		      m->vlan == (rd16(d + 14) & 0x0fff));

	if (m->l3 == DP_L3_OTHER) {
		CHECK(m->proto == 0 && m->has_ports == 0 && m->l3_ofs == 0 &&
		      m->l4_ofs == 0 && m->sport == 0 && m->dport == 0);
		CHECK((m->flags & (DP_F_FRAG | DP_F_FRAG_FIRST)) == 0);
		CHECK(all_zero(m->src, 16) && all_zero(m->dst, 16));
		return;
	}

	CHECK(m->l3 == DP_L3_IPV4 || m->l3 == DP_L3_IPV6);
	CHECK(m->l3_ofs == 14 + 4 * m->n_vlans);
	CHECK(m->l3_ofs < len);
	if (m->l3 == DP_L3_IPV4) {
		uint32_t hlen;

		CHECK(m->ethertype == 0x0800);
		CHECK((uint32_t)m->l3_ofs + 20 <= len);
		hlen = (d[m->l3_ofs] & 0x0f) * 4u;
		CHECK(d[m->l3_ofs] >> 4 == 4 && hlen >= 20);
		CHECK((uint32_t)m->l3_ofs + hlen <= len);
		CHECK(rd16(d + m->l3_ofs + 2) >= hlen);
		CHECK(m->proto == d[m->l3_ofs + 9]);
		CHECK(memcmp(m->src, d + m->l3_ofs + 12, 4) == 0);
		CHECK(memcmp(m->dst, d + m->l3_ofs + 16, 4) == 0);
		CHECK(all_zero(m->src + 4, 12) && all_zero(m->dst + 4, 12));
		CHECK(m->l4_ofs == 0 || m->l4_ofs == m->l3_ofs + hlen);
		CHECK(((m->flags & DP_F_FRAG) != 0) ==
		      ((rd16(d + m->l3_ofs + 6) & 0x3fff) != 0));
		CHECK(((m->flags & DP_F_FRAG_FIRST) != 0) ==
		      ((rd16(d + m->l3_ofs + 6) & 0x3fff) == 0x2000));
	} else {
		CHECK(m->ethertype == 0x86dd);
		CHECK((uint32_t)m->l3_ofs + 40 <= len);
		CHECK(d[m->l3_ofs] >> 4 == 6);
		CHECK(memcmp(m->src, d + m->l3_ofs + 8, 16) == 0);
		CHECK(memcmp(m->dst, d + m->l3_ofs + 24, 16) == 0);
		CHECK(m->l4_ofs == 0 || m->l4_ofs >= m->l3_ofs + 40);
	}

	if (m->flags & DP_F_FRAG_FIRST)
		CHECK(m->flags & DP_F_FRAG);
	if (m->l4_ofs != 0) {
		CHECK(m->l4_ofs < len);
		/* A non-first fragment has no L4 header. */
		CHECK(!(m->flags & DP_F_FRAG) || (m->flags & DP_F_FRAG_FIRST));
	}
	if (m->has_ports) {
		CHECK(m->proto == 6 || m->proto == 17 || m->proto == 132);
		CHECK(m->l4_ofs != 0 && (uint32_t)m->l4_ofs + 4 <= len);
		CHECK(m->sport == rd16(d + m->l4_ofs));
		CHECK(m->dport == rd16(d + m->l4_ofs + 2));
	} else {
		CHECK(m->sport == 0 && m->dport == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_meta m1, m2;
	uint8_t *buf;
	uint32_t len;

	if (size > 65535)
		return 0;
	len = (uint32_t)size;
	buf = malloc(size == 0 ? 1 : size);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);

	/* Two parses over different garbage: every field must be set. */
	memset(&m1, 0x00, sizeof(m1));
	memset(&m2, 0xff, sizeof(m2));
	dp_parse(buf, len, &m1);
	dp_parse(buf, len, &m2);
	CHECK(same_meta(&m1, &m2));
	check_invariants(buf, len, &m1);

	free(buf);
	return 0;
}
