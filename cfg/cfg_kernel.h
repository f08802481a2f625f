/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CFG_KERNEL_H
#define DPMIRROR_CFG_KERNEL_H

/*
 * The kernel mirror's rules, written once for its three front ends: the
 * [kernel NAME] section of the configuration, `dpmirrorctl kernel
 * add|del` and the library (kn_mirror_add/del, kernel/kn_mirror.h).
 *
 * A value is read by cfg_kernel_set (the configuration's key = value, and
 * each dpmirrorctl option as the key it stands for); a whole mirror is
 * checked by cfg_kernel_check, which kn_mirror_add and kn_mirror_del run
 * first too.  Both use the value parsers of cfg.h and fill E with one
 * message that names what is wrong and what would work, without saying
 * where it came from: each front end only puts its own prefix in front
 * ("[kernel NAME] key = value: ", "dpmirrorctl kernel: ").  A value that
 * reaches the check in a spec gets the very message cfg_kernel_set gives
 * for it as text.
 *
 * The rules: dev, remote and underlay are required, and so are local
 * (except for geneve, whose links have none) and vni (vxlan and geneve);
 * encap is one of kn.h's tunnels (vxlan, geneve, gretap, ip6gretap,
 * erspan, ip6erspan) and takes only its own keys (vni and dst_port: vxlan
 * and geneve; key: gretap and ip6gretap; session_id 0..1023: erspan and
 * ip6erspan); remote and local are unicast addresses of one family, the
 * one the encap takes (IPv4 for gretap and erspan, IPv6 for ip6gretap and
 * ip6erspan, either for vxlan and geneve); the tunnel link is not dev,
 * and dev is not the underlay when egress traffic is mirrored (the copies
 * would be mirrored again); match takes proto (a name of
 * common/dpm_proto.h or 0..255), src and dst (one family, no host bits),
 * sport and dport (one port each, only with proto tcp, udp or sctp, which
 * the u32 filter cannot tell apart by itself), icmp only over IPv4 and
 * icmpv6 only over IPv6.
 */

#include "cfg.h"
#include "dpm_err.h"
#include "kn_mirror.h"

/* The keys of [kernel NAME]; the check names the one a problem is in. */
enum cfg_kfield {
	CFG_KF_NETNS = 0,
	CFG_KF_DEV,
	CFG_KF_DIRECTION,
	CFG_KF_ENCAP,
	CFG_KF_REMOTE,
	CFG_KF_LOCAL,
	CFG_KF_VNI,
	CFG_KF_DST_PORT,
	CFG_KF_UNDERLAY,
	CFG_KF_VXLAN_NAME,
	CFG_KF_MATCH,
	CFG_KF_IGNORE_MTU,
	CFG_KF_KEY,
	CFG_KF_SESSION_ID,
	CFG_KF_COUNT,
};

/* "netns", "dev", ... as written in a [kernel NAME] section. */
const char *cfg_kfield_key(enum cfg_kfield f);

/* What the check looks at: a mirror to add, one to delete (netns, dev,
 * direction and vxlan_name only), or what to show (netns, and dev when
 * given: without one every device of the namespace is shown). */
enum cfg_kcheck {
	CFG_KCHECK_ADD,
	CFG_KCHECK_DEL,
	CFG_KCHECK_SHOW,
};

/* K as a [kernel NAME] section without keys starts. */
void cfg_kernel_init(struct cfg_kernel *k);

/*
 * Read VALUE as KEY of a [kernel] section into K (match: the whole list of
 * words).  0, or -EINVAL with the message in E; K is unchanged then.
 */
int cfg_kernel_set(struct cfg_kernel *k, const char *key, const char *value,
		   struct dpm_err *e);

/* Read one word of a match ("proto", "src", "dst", "sport", "dport") and
 * its VALUE into K; the same rules as in cfg_kernel_set's match. */
int cfg_kernel_set_match(struct cfg_kernel *k, const char *word,
			 const char *value, struct dpm_err *e);

/* The spec of K; it borrows K's strings. */
void cfg_kernel_spec(const struct cfg_kernel *k, struct kn_mirror_spec *sp);

/*
 * The one check of a kernel mirror: 0, or -EINVAL with the message in E
 * and, when FIELD is not NULL, the key the problem is in.  Pure: it looks
 * at SP only, never at the system.
 */
int cfg_kernel_check(const struct kn_mirror_spec *sp, enum cfg_kcheck what,
		     enum cfg_kfield *field, struct dpm_err *e);

#endif /* DPMIRROR_CFG_KERNEL_H */
