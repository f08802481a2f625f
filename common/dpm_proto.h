/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DPM_PROTO_H
#define DPMIRROR_DPM_PROTO_H

/*
 * The one table of IP protocol names of the project: the rule grammar of
 * [filter] sections, the match of a [kernel NAME] section, dpmirrorctl
 * kernel --proto and what kernel show prints all read and write protocols
 * through it.  A protocol is also given by its number 0..255; numbers are
 * parsed by the callers (cfg_parse_proto), which own the number parser.
 */

#include <stdbool.h>

/* What a message says is valid where a protocol is asked for. */
#define DPM_PROTO_VALID "tcp, udp, icmp, icmpv6 (or ipv6-icmp), sctp or 0..255"

/* The number of protocol NAME (case-sensitive, aliases included), or -1
 * when NAME is not one of the table. */
int dpm_proto_by_name(const char *name);

/* The canonical name of protocol NUM ("icmpv6" for 58), or NULL. */
const char *dpm_proto_name(int num);

/* Whether protocol NUM carries 16-bit source and destination ports at the
 * start of its header that the dataplane and the kernel mirror match:
 * tcp, udp and sctp. */
bool dpm_proto_has_ports(int num);

/* The only IP version protocol NUM exists on: 4 for icmp, 6 for icmpv6,
 * 0 for every other protocol (both). */
int dpm_proto_family(int num);

#endif /* DPMIRROR_DPM_PROTO_H */
