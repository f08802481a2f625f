/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_KN_MIRROR_H
#define DPMIRROR_KN_MIRROR_H

/*
 * The seed's use case (sections 2.2-2.3): in a network namespace, copy a
 * device's ingress and/or egress traffic (all of it, or what a match
 * selects) with tc's mirred action into a tunnel link (vxlan, geneve,
 * gretap, ip6gretap, erspan or ip6erspan; kn.h's kn_tun_type) that carries
 * the copies to a collector through an underlay device.  Built from the tc
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
 *  - the tunnel link: created with the alias KN_MIRROR_ALIAS, before any
 *    qdisc or filter, so that a kernel without the link kind refuses the
 *    mirror before the device is touched; del removes it only when it
 *    carries that alias and no mirror filter in the namespace still sends
 *    to it.  A link that existed before add is reused (when its kind and
 *    parameters are those asked for), never removed.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dpm_err.h"
#include "kn.h"
#include "kn_tc.h"

/* The alias (ip link's "alias") of a tunnel link made by kn_mirror_add. */
#define KN_MIRROR_ALIAS "dpmirror kernel mirror"

/* vx.vni of a spec whose front end was given no VNI. */
#define KN_VNI_NONE UINT32_MAX
#define KN_VNI_MAX  16777215

/*
 * What to mirror.  Strings are borrowed from the caller.  Each field is
 * what a front end was given: the check refuses what is missing, out of
 * range or foreign to the encap, so nothing here has a silent default
 * except netns, encap, vxlan_name and session_id.
 */
struct kn_mirror_spec {
	const char *netns;	/* NULL or "" = the caller's namespace */
	const char *dev;	/* the device whose traffic is copied */
	enum kn_dir dir;	/* ingress, egress or both */
	const char *encap;	/* a kn_tun_type name; NULL or "" = "vxlan" */
	const char *vxlan_name; /* the tunnel link; NULL or "" = the encap's
				 * default_name ("vxlan0" for vxlan) */
	/* The tunnel: remote (unicast; the family the encap takes), local
	 * (the same family; not for geneve, whose links have none),
	 * underlay (required: the MTU check needs it); vxlan and geneve
	 * only: vni (required; KN_VNI_NONE = not given) and dstport
	 * (1..65535: front ends fill 4789 or 6081 when not given); 0 and
	 * KN_VNI_NONE for the others. */
	struct kn_vxlan vx;
	struct kn_match match;
	bool ignore_mtu; /* skip the underlay MTU check */
	/* gretap, ip6gretap: a GRE key (both ways), when has_key. */
	bool has_key;
	uint32_t key;
	/* erspan, ip6erspan: the ERSPAN session ID 0..1023 (0 when not
	 * has_session_id). */
	bool has_session_id;
	uint32_t session_id;
};

/* The encap SP asks for (vxlan when none is given), -1 when unknown. */
static inline int
kn_mirror_encap(const struct kn_mirror_spec *sp)
{
	return sp->encap != NULL && sp->encap[0] != '\0'
		       ? kn_tun_parse(sp->encap)
		       : KN_TUN_VXLAN;
}

/* The tunnel link name SP asks for (the encap's default unless given). */
static inline const char *
kn_mirror_vxlan_name(const struct kn_mirror_spec *sp)
{
	int k = kn_mirror_encap(sp);

	if (sp->vxlan_name != NULL && sp->vxlan_name[0] != '\0')
		return sp->vxlan_name;
	return kn_tun_type(k >= 0 ? k : KN_TUN_VXLAN)->default_name;
}

/*
 * Set up the mirror: check SP; check the underlay MTU against DEV's MTU
 * plus the encap's outer headers (kn_tun_type: 50 bytes for vxlan over
 * IPv4, 70 over IPv6, 38 for gretap, ...) and refuse, saying what to
 * change, unless ignore_mtu; create the tunnel link (unless one of this
 * kind with these parameters exists; a kernel without the link kind is
 * refused naming the module to load); bring it up; add the qdisc and
 * filters.  On failure nothing it made is left behind.
 */
int kn_mirror_add(const struct kn_mirror_spec *sp, struct dpm_err *e);
/* Undo kn_mirror_add: filters (of DIR, every direction when 0), the qdisc
 * (if nothing else uses it), and the tunnel links the removed filters sent
 * to, and vxlan_name's (if add made them and nothing else mirrors into
 * them).  Only netns, dev, dir and vxlan_name are used. */
int kn_mirror_del(const struct kn_mirror_spec *sp, struct dpm_err *e);
/* Print the mirror filters of DEV in NETNS with packet and byte counters,
 * and the tunnel links they send to; DEV NULL: those of every device of the
 * namespace that has some (at most KN_SHOW_MAX_LINKS links are looked at). */
#define KN_SHOW_MAX_LINKS 1024
int kn_mirror_show(const char *netns, const char *dev, FILE *out,
		   struct dpm_err *e);

#endif /* DPMIRROR_KN_MIRROR_H */
