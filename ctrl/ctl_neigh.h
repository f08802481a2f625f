/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_NEIGH_H
#define DPMIRROR_CTL_NEIGH_H

/*
 * Neighbours of the collectors (DESIGN section 8): for every collector with
 * remote_mac = auto, the MAC of its next hop (cfg_collector.next_hop),
 * found by ARP (IPv4) or Neighbour Discovery (IPv6) on the collector's
 * egress port and kept fresh.  Control thread only.  This module is state,
 * frame building and frame parsing: the caller owns the clock (every call
 * takes the time in milliseconds, from any monotonic origin), the queues
 * the frames go out on and come in from, and the ruleset that a changed
 * MAC is published in.
 *
 * One entry per collector, at the collector's index.  States:
 *   STATIC    remote_mac was given: the MAC is the configuration's, never
 *             polled and never changed by what arrives.
 *   PENDING   no MAC yet: a request every CTL_NEIGH_RETRY_MS; after
 *             CTL_NEIGH_TRIES unanswered requests, FAILED.
 *   RESOLVED  MAC known, last confirmed less than CTL_NEIGH_REFRESH_MS ago.
 *   STALE     MAC known and still used, but older than the refresh time:
 *             requests every CTL_NEIGH_RETRY_MS; after CTL_NEIGH_TRIES
 *             unanswered ones, or once the answer is CTL_NEIGH_LIFETIME_MS
 *             old, FAILED.
 *   FAILED    the MAC is forgotten (the collector's copies are dropped as
 *             no_neighbor); a request every CTL_NEIGH_FAILED_RETRY_MS, the
 *             first one when the entry fails, so the next hop is found
 *             again as soon as it answers.
 * An accepted answer moves every state but STATIC to RESOLVED.  Reported
 * (DESIGN section 5, `neighbor`) STALE is "resolved": its MAC is in use.
 *
 * Requests go to broadcast (ARP) or to the target's solicited-node
 * multicast group (NS), from the egress port's own MAC, which is where
 * answers come back to: the port is not promiscuous (no worker receives
 * on it, cfg checks that).  A collector's local_mac is the source of its
 * copies only.
 *   ARP request: Ethernet ff:ff:ff:ff:ff:ff <- port MAC, type 0x0806;
 *     htype 1, ptype 0x0800, hlen 6, plen 4, op 1, sender = port MAC and
 *     local_ip, target = 00:00:00:00:00:00 and next_hop.  42 bytes (the
 *     device pads to the Ethernet minimum, as for the kernel's ARP).
 *   Neighbour Solicitation: Ethernet 33:33:ff:XX:XX:XX <- port MAC, type
 *     0x86dd; IPv6 local_ip -> ff02::1:ffXX:XXXX (XX:XX:XX = the low 24
 *     bits of next_hop), hop limit 255, next header 58, payload 32;
 *     ICMPv6 type 135 code 0 with its checksum, target next_hop, option
 *     source link-layer address (type 1, length 1) = port MAC.  86 bytes.
 *
 * Answers (ctl_neigh_input: frames received on the collector's port, of
 * at most 2048 bytes, with an untagged Ethernet header addressed to the
 * port's MAC, to broadcast or, for IPv6, to a multicast group):
 *   ARP, op 1 or 2, htype 1, ptype 0x0800, hlen 6, plen 4, whose sender IP
 *     is the next hop of an IPv4 entry on that port and whose target IP is
 *     that entry's local_ip (a reply to us, or the next hop asking for us)
 *     or the sender IP itself (gratuitous ARP); the sender MAC is the
 *     answer.
 *   Neighbour Advertisement, RFC 4861 7.1.2: IPv6 with next header 58
 *     (no extension headers), hop limit 255, a payload that fits the
 *     frame, ICMPv6 type 136 code 0, at least 24 bytes, a correct
 *     checksum, no option of length 0, the solicited flag only towards a
 *     unicast destination; whose target is the next hop of an IPv6 entry
 *     on that port and whose destination is its local_ip or a multicast
 *     group; with a target link-layer address option, which is the answer.
 *     Without the override flag it only fills an entry that has no MAC
 *     (RFC 4861 7.2.5), it never replaces one.
 *   The answer MAC must be unicast and not zero.
 * Anything else is ignored.
 *
 * Publishing: every change of an entry's MAC (learnt, replaced by a
 * different one, forgotten on failure) bumps a generation number.  The
 * caller builds a ruleset from ctl_neigh_mac() when ctl_neigh_changed()
 * says so, publishes it, and then tells which generation it built from
 * with ctl_neigh_published(); a change in between stays pending.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "cfg.h"

/*
 * Timings.  A next hop's answer is relied on for at most the lifetime;
 * refreshing starts at two thirds of it, which leaves room for all the
 * tries before it runs out, so a host that still answers is never lost.
 */
#define CTL_NEIGH_LIFETIME_MS	  60000u /* an answer is good this long */
#define CTL_NEIGH_REFRESH_MS	  40000u /* 2/3 of the lifetime: refresh */
#define CTL_NEIGH_RETRY_MS	  1000u	 /* between unanswered requests */
#define CTL_NEIGH_TRIES		  3u	 /* unanswered requests: FAILED */
#define CTL_NEIGH_FAILED_RETRY_MS 5000u	 /* between requests when FAILED */

/* Bytes of the frames built (no padding, no FCS). */
#define CTL_NEIGH_ARP_LEN 42u
#define CTL_NEIGH_NS_LEN  86u

enum ctl_neigh_state {
	CTL_NEIGH_STATIC = 0,
	CTL_NEIGH_PENDING,
	CTL_NEIGH_RESOLVED,
	CTL_NEIGH_STALE,
	CTL_NEIGH_FAILED,
};

struct ctl_neigh_entry {
	char name[CFG_NAME_MAX]; /* the collector's */
	unsigned int port;	 /* index into cfg.ports: the egress port */
	enum ctl_neigh_state state;
	uint8_t family;		   /* 4 or 6 */
	uint8_t target[16];	   /* next_hop (IPv4 in the first 4) */
	uint8_t local[16];	   /* local_ip: source of the requests */
	struct rte_ether_addr src; /* the egress port's MAC */
	struct rte_ether_addr mac; /* the answer; valid when has_mac */
	bool has_mac;		   /* STATIC, RESOLVED and STALE */
	uint64_t confirmed_ms;	   /* when the last answer came */
	uint64_t next_tx_ms;	   /* when the next request is due */
	unsigned int tries;	   /* requests since the state began */
	uint64_t requests;	   /* requests built, over its life */
	uint64_t answers;	   /* answers accepted */
	uint64_t changes;	   /* MAC learnt, replaced or forgotten */
};

struct ctl_neigh {
	unsigned int n; /* = cfg.n_collectors */
	struct ctl_neigh_entry e[CFG_MAX_COLLECTORS];
	uint64_t gen;	    /* bumped by every change of a MAC */
	uint64_t published; /* the generation the caller last published */
	uint64_t ignored;   /* frames that were not an answer for an entry */
	uint64_t malformed; /* frames that broke ARP or ND rules */
};

/* A frame ctl_neigh_poll built, and the port (cfg index) it is for. */
struct ctl_neigh_tx {
	unsigned int port;
	struct rte_mbuf *m;
};

/*
 * Set N up for CFG: one entry per collector, STATIC with the configured
 * MAC or PENDING with a request due at once.  PORT_MAC[i] is the MAC of
 * cfg port i.  Generation and published generation start equal: the
 * caller builds its first ruleset from this state.
 */
void ctl_neigh_init(struct ctl_neigh *n, const struct cfg *cfg,
		    const struct rte_ether_addr *port_mac);

/*
 * After a reload: give every resolving entry of TO the state of the entry
 * of FROM that resolves the same address on the same port (same port MAC,
 * family, next hop and local_ip), so an unchanged collector keeps its MAC
 * and its refresh schedule.  Call before building TO's first ruleset.
 */
void ctl_neigh_carry(struct ctl_neigh *to, const struct ctl_neigh *from);

/*
 * Advance every entry to NOW_MS and build the requests that are due into
 * mbufs from MP, at most MAX of them into TX.  Returns how many were
 * built; the caller sends each TX[i].m on its port's control tx queue (and
 * frees what the queue does not take).  A request that cannot be built
 * (no mbuf, TX full) stays due for the next call.
 */
unsigned int ctl_neigh_poll(struct ctl_neigh *n, uint64_t now_ms,
			    struct rte_mempool *mp, struct ctl_neigh_tx *tx,
			    unsigned int max);

/*
 * Look at frame M received on cfg port PORT at NOW_MS.  Returns how many
 * entries it answered (>= 1), 0 when it is not an answer for any entry
 * (counted in N->ignored), or -EINVAL when it breaks the ARP or ND rules
 * above (counted in N->malformed).  M is not freed.
 */
int ctl_neigh_input(struct ctl_neigh *n, unsigned int port,
		    const struct rte_mbuf *m, uint64_t now_ms);

/* Whether some MAC changed since the generation last published. */
bool ctl_neigh_changed(const struct ctl_neigh *n);

/* The ruleset built at generation GEN (N->gen then) is published. */
void ctl_neigh_published(struct ctl_neigh *n, uint64_t gen);

/* Collector I's MAC into *MAC and true, or false when it has none. */
bool ctl_neigh_mac(const struct ctl_neigh *n, unsigned int i,
		   struct rte_ether_addr *mac);

/* "static", "pending", "resolved" (also for STALE) or "failed". */
const char *ctl_neigh_state_name(enum ctl_neigh_state s);

/*
 * The requests themselves, appended to the empty mbuf M: an ARP request
 * from SRC (MAC) and SIP for TIP (addresses in network byte order), or a
 * Neighbour Solicitation from SRC and SIP6 for TARGET6.  0, or -ENOSPC
 * when M has no room.
 */
int ctl_neigh_build_arp(struct rte_mbuf *m, const struct rte_ether_addr *src,
			const uint8_t sip[4], const uint8_t tip[4]);
int ctl_neigh_build_ns(struct rte_mbuf *m, const struct rte_ether_addr *src,
		       const uint8_t sip6[16], const uint8_t target6[16]);

#endif /* DPMIRROR_CTL_NEIGH_H */
