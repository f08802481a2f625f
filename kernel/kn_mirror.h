/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_KN_MIRROR_H
#define DPMIRROR_KN_MIRROR_H

/*
 * The seed's use case (sections 2.2-2.3): in a network namespace, copy a
 * device's ingress and/or egress traffic (all of it, or what a match
 * selects) with tc's mirred action into a vxlan link that carries the
 * copies to a collector through an underlay device.  Built from the tc
 * primitives of kn_tc.h and the links of kn.h.  dpmirrorctl kernel
 * add|del|show, dpmirror's [kernel NAME] sections and the kernel_table
 * test call it; control thread or dpmirrorctl only.
 *
 * Every front end checks a spec with the one check, cfg_kernel_check
 * (cfg/cfg_kernel.h), and kn_mirror_add and kn_mirror_del run it again
 * first, so a spec the check refuses never reaches the kernel and the
 * message is the same whichever way it came.
 *
 * Which objects are ours, across processes:
 *  - filters and qdisc: see kn_tc.h;
 *  - the vxlan link: created with the alias KN_MIRROR_ALIAS; del removes it
 *    only when it carries that alias and no mirror filter in the namespace
 *    still sends to it.  A link that existed before add is reused (when its
 *    parameters are those asked for), never removed.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dpm_err.h"
#include "kn.h"
#include "kn_tc.h"

/* The alias (ip link's "alias") of a vxlan link made by kn_mirror_add. */
#define KN_MIRROR_ALIAS "dpmirror kernel mirror"

/* vx.vni of a spec whose front end was given no VNI. */
#define KN_VNI_NONE UINT32_MAX
#define KN_VNI_MAX  16777215

/*
 * What to mirror.  Strings are borrowed from the caller.  Each field is
 * what a front end was given: the check refuses what is missing or out of
 * range, so nothing here has a silent default except netns, encap and
 * vxlan_name.
 */
struct kn_mirror_spec {
	const char *netns;	/* NULL or "" = the caller's namespace */
	const char *dev;	/* the device whose traffic is copied */
	enum kn_dir dir;	/* ingress, egress or both */
	const char *encap;	/* NULL or "" = "vxlan", the only one set up */
	const char *vxlan_name; /* NULL or "" = "vxlan0" */
	/* vni (KN_VNI_NONE: not given), local and remote (one family,
	 * unicast), underlay (required: the MTU check needs it), dstport
	 * (1..65535; the 0 = 4789 of kn_vxlan_add is not taken here). */
	struct kn_vxlan vx;
	struct kn_match match;
	bool ignore_mtu; /* skip the underlay MTU check */
};

/* The vxlan link name SP asks for ("vxlan0" unless given). */
static inline const char *
kn_mirror_vxlan_name(const struct kn_mirror_spec *sp)
{
	return sp->vxlan_name != NULL && sp->vxlan_name[0] != '\0'
		       ? sp->vxlan_name
		       : "vxlan0";
}

/*
 * Set up the mirror: check SP, create the vxlan link (unless one with
 * these parameters exists), check the underlay MTU against DEV's MTU plus
 * the outer header (50 bytes over IPv4, 70 over IPv6) and refuse, saying
 * what to change, unless ignore_mtu; bring the link up; add the qdisc and
 * filters.  On failure nothing it made is left behind.
 */
int kn_mirror_add(const struct kn_mirror_spec *sp, struct dpm_err *e);
/* Undo kn_mirror_add: filters (of DIR, every direction when 0), the qdisc
 * (if nothing else uses it), the vxlan link (if add made it and nothing
 * else mirrors into it).  Only netns, dev, dir and vxlan_name are used. */
int kn_mirror_del(const struct kn_mirror_spec *sp, struct dpm_err *e);
/* Print the mirror filters of DEV in NETNS with packet and byte counters,
 * and the vxlan links they send to; DEV NULL: those of every device of the
 * namespace that has some (at most KN_SHOW_MAX_LINKS links are looked at). */
#define KN_SHOW_MAX_LINKS 1024
int kn_mirror_show(const char *netns, const char *dev, FILE *out,
		   struct dpm_err *e);

#endif /* DPMIRROR_KN_MIRROR_H */
