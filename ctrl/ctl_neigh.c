/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * ARP and Neighbour Discovery for the collectors' next hops; the contract
 * is in ctl_neigh.h.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ctl_neigh.h"

#define ND_NS		  135
#define ND_NA		  136
#define ND_OPT_SLLA	  1
#define ND_OPT_TLLA	  2
#define ND_HOP_LIMIT	  255
#define ND_NA_F_SOLICITED 0x40
#define ND_NA_F_OVERRIDE  0x20
/* ICMPv6 header (type, code, checksum, flags/reserved) and target. */
#define ND_MSG_LEN     24
#define ND_OPT_LLA_LEN 8

/* The first bytes of a frame that are looked at. */
#define NEIGH_FRAME_MAX 2048

_Static_assert(sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr) ==
		       CTL_NEIGH_ARP_LEN,
	       "an ARP request is 42 bytes");
_Static_assert(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv6_hdr) +
			       ND_MSG_LEN + ND_OPT_LLA_LEN ==
		       CTL_NEIGH_NS_LEN,
	       "a Neighbour Solicitation is 86 bytes");

static const char *const neigh_state_names[] = {
	[CTL_NEIGH_STATIC] = "static",	   [CTL_NEIGH_PENDING] = "pending",
	[CTL_NEIGH_RESOLVED] = "resolved", [CTL_NEIGH_STALE] = "resolved",
	[CTL_NEIGH_FAILED] = "failed",
};

const char *
ctl_neigh_state_name(enum ctl_neigh_state s)
{
	if ((unsigned int)s >= RTE_DIM(neigh_state_names))
		return "unknown";
	return neigh_state_names[s];
}

void
ctl_neigh_init(struct ctl_neigh *n, const struct cfg *cfg,
	       const struct rte_ether_addr *port_mac)
{
	unsigned int i;

	memset(n, 0, sizeof(*n));
	n->n = cfg->n_collectors;
	for (i = 0; i < cfg->n_collectors; i++) {
		const struct cfg_collector *col = &cfg->collectors[i];
		struct ctl_neigh_entry *e = &n->e[i];

		snprintf(e->name, sizeof(e->name), "%s", col->name);
		e->port = (unsigned int)col->port;
		e->src = port_mac[col->port];
		if (!col->remote_mac_auto) {
			e->state = CTL_NEIGH_STATIC;
			memcpy(e->mac.addr_bytes, col->remote_mac,
			       RTE_ETHER_ADDR_LEN);
			e->has_mac = true;
			continue;
		}
		e->state = CTL_NEIGH_PENDING;
		e->family = col->next_hop.family;
		memcpy(e->target, col->next_hop.bytes, sizeof(e->target));
		memcpy(e->local, col->local_ip.bytes, sizeof(e->local));
	}
}

static bool
neigh_same(const struct ctl_neigh_entry *a, const struct ctl_neigh_entry *b)
{
	return a->family == b->family &&
	       rte_is_same_ether_addr(&a->src, &b->src) &&
	       memcmp(a->target, b->target, sizeof(a->target)) == 0 &&
	       memcmp(a->local, b->local, sizeof(a->local)) == 0;
}

void
ctl_neigh_carry(struct ctl_neigh *to, const struct ctl_neigh *from)
{
	unsigned int i, j;

	for (i = 0; i < to->n; i++) {
		struct ctl_neigh_entry *e = &to->e[i];

		if (e->state == CTL_NEIGH_STATIC)
			continue;
		for (j = 0; j < from->n; j++) {
			const struct ctl_neigh_entry *f = &from->e[j];

			if (f->state == CTL_NEIGH_STATIC || !neigh_same(e, f))
				continue;
			e->state = f->state;
			e->mac = f->mac;
			e->has_mac = f->has_mac;
			e->confirmed_ms = f->confirmed_ms;
			e->next_tx_ms = f->next_tx_ms;
			e->tries = f->tries;
			e->requests = f->requests;
			e->answers = f->answers;
			e->changes = f->changes;
			break;
		}
	}
}

/* Milliseconds from SINCE to NOW; 0 if the clock is behind SINCE. */
static uint64_t
neigh_age(uint64_t now, uint64_t since)
{
	return now > since ? now - since : 0;
}

static void
neigh_set_mac(struct ctl_neigh *n, struct ctl_neigh_entry *e,
	      const struct rte_ether_addr *mac)
{
	if (e->has_mac && mac != NULL && rte_is_same_ether_addr(&e->mac, mac))
		return;
	if (!e->has_mac && mac == NULL)
		return;
	if (mac != NULL)
		e->mac = *mac;
	else
		memset(&e->mac, 0, sizeof(e->mac));
	e->has_mac = mac != NULL;
	e->changes++;
	n->gen++;
}

/* No answer: forget the MAC and ask again at once, then less often. */
static void
neigh_fail(struct ctl_neigh *n, struct ctl_neigh_entry *e, uint64_t now)
{
	e->state = CTL_NEIGH_FAILED;
	e->tries = 0;
	e->next_tx_ms = now;
	neigh_set_mac(n, e, NULL);
}

int
ctl_neigh_build_arp(struct rte_mbuf *m, const struct rte_ether_addr *src,
		    const uint8_t sip[4], const uint8_t tip[4])
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, CTL_NEIGH_ARP_LEN);
	if (eth == NULL)
		return -ENOSPC;
	memset(eth, 0, CTL_NEIGH_ARP_LEN);
	memset(eth->dst_addr.addr_bytes, 0xff, RTE_ETHER_ADDR_LEN);
	eth->src_addr = *src;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = *src;
	memcpy(&arp->arp_data.arp_sip, sip, 4);
	memcpy(&arp->arp_data.arp_tip, tip, 4);
	return 0;
}

int
ctl_neigh_build_ns(struct rte_mbuf *m, const struct rte_ether_addr *src,
		   const uint8_t sip6[16], const uint8_t target6[16])
{
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	struct rte_icmp_hdr *icmp;
	uint8_t *body;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, CTL_NEIGH_NS_LEN);
	if (eth == NULL)
		return -ENOSPC;
	memset(eth, 0, CTL_NEIGH_NS_LEN);
	/* Solicited-node group ff02::1:ffXX:XXXX and its MAC 33:33:ffXX:XXXX
	 * (RFC 4291 2.7.1, RFC 2464 7). */
	eth->dst_addr.addr_bytes[0] = 0x33;
	eth->dst_addr.addr_bytes[1] = 0x33;
	eth->dst_addr.addr_bytes[2] = 0xff;
	memcpy(&eth->dst_addr.addr_bytes[3], &target6[13], 3);
	eth->src_addr = *src;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);

	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(ND_MSG_LEN + ND_OPT_LLA_LEN);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = ND_HOP_LIMIT;
	memcpy(ip6->src_addr, sip6, 16);
	ip6->dst_addr[0] = 0xff;
	ip6->dst_addr[1] = 0x02;
	ip6->dst_addr[11] = 0x01;
	ip6->dst_addr[12] = 0xff;
	memcpy(&ip6->dst_addr[13], &target6[13], 3);

	/* Type, code, checksum, then 4 reserved bytes (ident and seq). */
	icmp = (struct rte_icmp_hdr *)(ip6 + 1);
	icmp->icmp_type = ND_NS;
	icmp->icmp_code = 0;
	body = (uint8_t *)(icmp + 1);
	memcpy(body, target6, 16);
	body[16] = ND_OPT_SLLA;
	body[17] = 1; /* in units of 8 bytes */
	memcpy(&body[18], src->addr_bytes, RTE_ETHER_ADDR_LEN);
	icmp->icmp_cksum = rte_ipv6_udptcp_cksum(ip6, icmp);
	return 0;
}

static int
neigh_build(const struct ctl_neigh_entry *e, struct rte_mbuf *m)
{
	if (e->family == 4)
		return ctl_neigh_build_arp(m, &e->src, e->local, e->target);
	return ctl_neigh_build_ns(m, &e->src, e->local, e->target);
}

unsigned int
ctl_neigh_poll(struct ctl_neigh *n, uint64_t now_ms, struct rte_mempool *mp,
	       struct ctl_neigh_tx *tx, unsigned int max)
{
	unsigned int i, n_tx = 0;

	for (i = 0; i < n->n; i++) {
		struct ctl_neigh_entry *e = &n->e[i];
		struct rte_mbuf *m;

		switch (e->state) {
		case CTL_NEIGH_STATIC:
			continue;
		case CTL_NEIGH_RESOLVED:
			if (neigh_age(now_ms, e->confirmed_ms) <
			    CTL_NEIGH_REFRESH_MS)
				continue;
			e->state = CTL_NEIGH_STALE;
			e->tries = 0;
			e->next_tx_ms = now_ms;
			/* fall through */
		case CTL_NEIGH_STALE:
			if (neigh_age(now_ms, e->confirmed_ms) >=
			    CTL_NEIGH_LIFETIME_MS) {
				neigh_fail(n, e, now_ms);
				break;
			}
			/* fall through */
		case CTL_NEIGH_PENDING:
			if (now_ms < e->next_tx_ms)
				continue;
			if (e->tries >= CTL_NEIGH_TRIES)
				neigh_fail(n, e, now_ms);
			break;
		case CTL_NEIGH_FAILED:
			break;
		}
		if (now_ms < e->next_tx_ms || n_tx == max)
			continue;
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL)
			continue;
		if (neigh_build(e, m) != 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		tx[n_tx].port = e->port;
		tx[n_tx].m = m;
		n_tx++;
		e->requests++;
		if (e->state == CTL_NEIGH_FAILED) {
			e->next_tx_ms = now_ms + CTL_NEIGH_FAILED_RETRY_MS;
		} else {
			e->tries++;
			e->next_tx_ms = now_ms + CTL_NEIGH_RETRY_MS;
		}
	}
	return n_tx;
}

static void
neigh_answer(struct ctl_neigh *n, struct ctl_neigh_entry *e,
	     const struct rte_ether_addr *mac, uint64_t now)
{
	neigh_set_mac(n, e, mac);
	e->state = CTL_NEIGH_RESOLVED;
	e->confirmed_ms = now;
	e->tries = 0;
	e->answers++;
}

/* A resolving entry of family FAMILY on PORT, from index *I on; or NULL. */
static struct ctl_neigh_entry *
neigh_next(struct ctl_neigh *n, unsigned int *i, unsigned int port,
	   uint8_t family)
{
	for (; *i < n->n; (*i)++) {
		struct ctl_neigh_entry *e = &n->e[*i];

		if (e->state != CTL_NEIGH_STATIC && e->port == port &&
		    e->family == family)
			return e;
	}
	return NULL;
}

static bool
neigh_mac_usable(const struct rte_ether_addr *mac)
{
	return rte_is_unicast_ether_addr(mac) && !rte_is_zero_ether_addr(mac);
}

static int
neigh_arp(struct ctl_neigh *n, unsigned int port, const uint8_t *f,
	  uint32_t len, uint64_t now)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)f;
	const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);
	const struct rte_arp_ipv4 *d = &arp->arp_data;
	struct ctl_neigh_entry *e;
	struct rte_ether_addr sha;
	unsigned int i = 0;
	uint16_t op;
	int hits = 0;

	if (len < CTL_NEIGH_ARP_LEN)
		return -EINVAL;
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return 0;
	if (arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return -EINVAL;
	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)
		return 0;
	sha = d->arp_sha;
	for (; (e = neigh_next(n, &i, port, 4)) != NULL; i++) {
		if (memcmp(&d->arp_sip, e->target, 4) != 0)
			continue;
		if (memcmp(&d->arp_tip, e->local, 4) != 0 &&
		    d->arp_tip != d->arp_sip)
			continue;
		if (!neigh_mac_usable(&sha))
			return -EINVAL;
		neigh_answer(n, e, &sha, now);
		hits++;
	}
	return hits;
}

static bool
neigh_ip6_mcast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static int
neigh_na(struct ctl_neigh *n, unsigned int port, const uint8_t *f, uint32_t len,
	 uint64_t now)
{
	const struct rte_ipv6_hdr *ip6 =
		(const struct rte_ipv6_hdr *)(f + sizeof(struct rte_ether_hdr));
	const uint8_t *icmp = (const uint8_t *)(ip6 + 1);
	const struct rte_ether_addr *tlla = NULL;
	struct ctl_neigh_entry *e;
	uint32_t plen, off, sum;
	unsigned int i = 0;
	uint8_t flags;
	int hits = 0;

	if (len < sizeof(struct rte_ether_hdr) + sizeof(*ip6))
		return -EINVAL;
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
		return -EINVAL;
	plen = rte_be_to_cpu_16(ip6->payload_len);
	if (plen > len - sizeof(struct rte_ether_hdr) - sizeof(*ip6))
		return -EINVAL;
	if (ip6->proto != IPPROTO_ICMPV6 || plen < 1 || icmp[0] != ND_NA)
		return 0;
	if (ip6->hop_limits != ND_HOP_LIMIT || icmp[1] != 0 ||
	    plen < ND_MSG_LEN)
		return -EINVAL;
	/* The checksum over the pseudo-header and the message sums to
	 * 0xffff when it is right. */
	sum = (uint32_t)rte_raw_cksum(icmp, plen) + rte_ipv6_phdr_cksum(ip6, 0);
	sum = (sum & 0xffff) + (sum >> 16);
	if (sum != 0xffff)
		return -EINVAL;
	flags = icmp[4];
	if ((flags & ND_NA_F_SOLICITED) != 0 && neigh_ip6_mcast(ip6->dst_addr))
		return -EINVAL;
	if (neigh_ip6_mcast(&icmp[8]))
		return -EINVAL;
	for (off = ND_MSG_LEN; off < plen;) {
		uint32_t olen;

		if (plen - off < 2)
			return -EINVAL;
		olen = 8u * icmp[off + 1];
		if (olen == 0 || olen > plen - off)
			return -EINVAL;
		if (icmp[off] == ND_OPT_TLLA && olen == ND_OPT_LLA_LEN &&
		    tlla == NULL)
			tlla = (const struct rte_ether_addr *)&icmp[off + 2];
		off += olen;
	}
	for (; (e = neigh_next(n, &i, port, 6)) != NULL; i++) {
		struct rte_ether_addr mac;

		if (memcmp(&icmp[8], e->target, 16) != 0)
			continue;
		if (memcmp(ip6->dst_addr, e->local, 16) != 0 &&
		    !neigh_ip6_mcast(ip6->dst_addr))
			continue;
		if (tlla == NULL)
			continue;
		mac = *tlla;
		if (!neigh_mac_usable(&mac))
			return -EINVAL;
		if ((flags & ND_NA_F_OVERRIDE) == 0 && e->has_mac &&
		    !rte_is_same_ether_addr(&e->mac, &mac))
			continue;
		neigh_answer(n, e, &mac, now);
		hits++;
	}
	return hits;
}

/* Whether a frame to DST on PORT can be for us: the port's MAC (that of
 * any entry on it), broadcast, or a multicast group when MCAST. */
static bool
neigh_for_port(const struct ctl_neigh *n, unsigned int port,
	       const struct rte_ether_addr *dst, bool mcast)
{
	unsigned int i;

	if (rte_is_broadcast_ether_addr(dst))
		return true;
	if (mcast && rte_is_multicast_ether_addr(dst))
		return true;
	for (i = 0; i < n->n; i++)
		if (n->e[i].port == port &&
		    rte_is_same_ether_addr(&n->e[i].src, dst))
			return true;
	return false;
}

static int
neigh_input(struct ctl_neigh *n, unsigned int port, const struct rte_mbuf *m,
	    uint64_t now_ms)
{
	uint8_t buf[NEIGH_FRAME_MAX];
	const struct rte_ether_hdr *eth;
	const uint8_t *f;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	uint16_t type;

	if (len > sizeof(buf))
		return 0; /* longer than any ARP or ND answer we take */
	if (len < sizeof(*eth))
		return -EINVAL;
	f = rte_pktmbuf_read(m, 0, len, buf);
	if (f == NULL)
		return -EINVAL;
	eth = (const struct rte_ether_hdr *)f;
	type = rte_be_to_cpu_16(eth->ether_type);
	if (type == RTE_ETHER_TYPE_ARP) {
		if (!neigh_for_port(n, port, &eth->dst_addr, false))
			return 0;
		return neigh_arp(n, port, f, len, now_ms);
	}
	if (type == RTE_ETHER_TYPE_IPV6) {
		if (!neigh_for_port(n, port, &eth->dst_addr, true))
			return 0;
		return neigh_na(n, port, f, len, now_ms);
	}
	return 0;
}

int
ctl_neigh_input(struct ctl_neigh *n, unsigned int port,
		const struct rte_mbuf *m, uint64_t now_ms)
{
	int rc = neigh_input(n, port, m, now_ms);

	if (rc == 0)
		n->ignored++;
	else if (rc < 0)
		n->malformed++;
	return rc;
}

bool
ctl_neigh_changed(const struct ctl_neigh *n)
{
	return n->gen != n->published;
}

void
ctl_neigh_published(struct ctl_neigh *n, uint64_t gen)
{
	n->published = gen;
}

bool
ctl_neigh_mac(const struct ctl_neigh *n, unsigned int i,
	      struct rte_ether_addr *mac)
{
	if (i >= n->n || !n->e[i].has_mac)
		return false;
	*mac = n->e[i].mac;
	return true;
}
