/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_KN_TC_H
#define DPMIRROR_KN_TC_H

/*
 * The kernel mirror of the seed's sections 2.2-2.3: a qdisc on a device
 * (ingress for the ingress direction alone, clsact when egress is wanted),
 * a u32 filter (match all, or protocol / addresses / ports) whose action is
 * `mirred egress mirror dev TARGET`, and a vxlan link TARGET that carries
 * the copies to a remote host.  Everything through libnl-route-3.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kn.h"

enum kn_dir {
	KN_DIR_INGRESS = 1,
	KN_DIR_EGRESS = 2,
	KN_DIR_BOTH = 3,
};

/*
 * The u32 priorities ("pref") of the mirror filters: on the ingress hook
 * KN_TC_PRIO for the match-all or IPv4 filter and KN_TC_PRIO_V6 for the
 * IPv6 one, on the egress hook the same plus 2.  Filters at these
 * priorities are the mirror's; del removes exactly those.  The two hooks
 * get different priorities because u32 keeps one set of hash tables per
 * qdisc and dumps every table of the priority asked for, so filters of one
 * priority on clsact's two hooks would each show up under both.
 */
#define KN_TC_PRIO	     4900
#define KN_TC_PRIO_V6	     4901
#define KN_TC_PRIO_EGRESS    4902
#define KN_TC_PRIO_EGRESS_V6 4903
/* The alias (ip link's "alias") of a vxlan link made by kn_mirror_add. */
#define KN_TC_ALIAS "dpmirror kernel mirror"

/* "ingress", "egress", "both". */
const char *kn_dir_str(enum kn_dir dir);
/* "icmp", "tcp", "udp", "icmpv6", "sctp", or NULL for other numbers. */
const char *kn_proto_name(int proto);

/* What to mirror; fields not set match anything. */
struct kn_match {
	int proto; /* -1 = any, else 0..255 */
	bool has_src, has_dst;
	struct kn_ip src, dst; /* one family for both */
	uint8_t src_len, dst_len;
	int sport, dport; /* -1 = any, else 0..65535 */
};

/* A filter as read back from the kernel. */
struct kn_filter_info {
	enum kn_dir dir; /* the hook it is attached to */
	uint32_t prio;
	uint32_t handle;
	uint16_t protocol;	  /* the filter's ethertype (ETH_P_ALL = 3) */
	char target[KN_IFNAMSIZ]; /* mirred target device */
	int target_ifindex;	  /* its ifindex */
	char match[160];	  /* human-readable match */
	uint64_t packets;	  /* mirred action counters */
	uint64_t bytes;
};

/* Attach a mirror of DEV's DIR traffic matching M to TARGET (qdisc added
 * when missing).  Rolls back what it added on failure. */
int kn_tc_mirror_add(struct kn_sock *s, const char *dev, enum kn_dir dir,
		     const struct kn_match *m, const char *target,
		     struct kn_err *e);

/* Remove the mirror filters kn_tc_mirror_add put on DEV for DIR, and the
 * qdisc when it added it and nothing else uses it. */
int kn_tc_mirror_del(struct kn_sock *s, const char *dev, enum kn_dir dir,
		     struct kn_err *e);

/* Read back the mirror filters on DEV; returns how many (at most MAX). */
int kn_tc_mirror_list(struct kn_sock *s, const char *dev,
		      struct kn_filter_info *out, int max, struct kn_err *e);

/*
 * The whole kernel mirror (dpmirrorctl kernel add|del|show and the
 * [kernel NAME] config section): in NETNS (NULL = this one), mirror DEV's
 * DIR traffic matching MATCH into the vxlan link VXLAN_NAME (created with
 * VX when missing).  Checks the underlay MTU against DEV's MTU plus the
 * outer header (50 bytes over IPv4, 70 over IPv6) and refuses, saying what
 * to change, unless IGNORE_MTU.  ENCAP other than "vxlan" is checked
 * against what this kernel can create and refused with a clear message.
 */
struct kn_mirror_spec {
	const char *netns;
	const char *dev;
	enum kn_dir dir;
	const char *encap;	/* "vxlan" (default), "gretap", "geneve", ... */
	const char *vxlan_name; /* default "vxlan0" */
	struct kn_vxlan vx;
	struct kn_match match;
	bool ignore_mtu;
};

int kn_mirror_add(const struct kn_mirror_spec *sp, struct kn_err *e);
/* Undo kn_mirror_add: filters, qdisc (if it added it), the vxlan link. */
int kn_mirror_del(const struct kn_mirror_spec *sp, struct kn_err *e);
/* Print the mirror filters of DEV in NETNS with packet and byte counters. */
int kn_mirror_show(const char *netns, const char *dev, FILE *out,
		   struct kn_err *e);

#endif /* DPMIRROR_KN_TC_H */
