/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_KN_TC_H
#define DPMIRROR_KN_TC_H

/*
 * The tc primitives of the kernel mirror (the seed's sections 2.2-2.3): a
 * qdisc on a device (ingress for the ingress direction alone, clsact when
 * egress is wanted) and u32 filters (match all, or protocol / addresses /
 * ports) whose action is `mirred egress mirror dev TARGET`.  kn_mirror.h
 * builds the whole mirror from them.  Everything through libnl-route-3.
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
/* "ingress", "egress", "both". */
const char *kn_dir_str(enum kn_dir dir);

/*
 * What to mirror; fields not set match anything.  kn_tc_mirror_add takes
 * it as cfg_kernel_check (cfg/cfg_kernel.h) passed it: ports only with a
 * protocol that has them, src and dst of one family, prefix lengths within
 * it.
 */
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
		     struct dpm_err *e);

/* Remove the mirror filters kn_tc_mirror_add put on DEV for DIR, and the
 * qdisc when it added it and nothing else uses it. */
int kn_tc_mirror_del(struct kn_sock *s, const char *dev, enum kn_dir dir,
		     struct dpm_err *e);

/* Read back the mirror filters on DEV; returns how many (at most MAX). */
int kn_tc_mirror_list(struct kn_sock *s, const char *dev,
		      struct kn_filter_info *out, int max, struct dpm_err *e);

/* Like kn_tc_mirror_del, but returns how many filters (priorities) it
 * removed, 0 when there were none. */
int kn_tc_mirror_del_count(struct kn_sock *s, const char *dev, enum kn_dir dir,
			   struct dpm_err *e);

/* The kind of DEV's qdisc at the ingress slot, for messages: "ingress",
 * "clsact", "none" or "other"; NULL with a message in E on failure. */
const char *kn_tc_ingress_qdisc(struct kn_sock *s, const char *dev,
				struct dpm_err *e);

#endif /* DPMIRROR_KN_TC_H */
