/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The seed's use case (see kn_mirror.h): a vxlan link plus the qdisc and
 * mirred filters of kn_tc.c, with the checks that make it safe to set up
 * (the existing link's parameters, the underlay MTU, mirroring loops).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "cfg_kernel.h"
#include "kn_mirror.h"

#define VXLAN_PORT	  4789
#define VXLAN_OVERHEAD_V4 50 /* outer Ethernet 14 + IPv4 20 + UDP 8 + 8 */
#define VXLAN_OVERHEAD_V6 70 /* outer Ethernet 14 + IPv6 40 + UDP 8 + 8 */

/* Whether link V was made by kn_mirror_add. */
static bool
ours(const struct kn_vxlan_state *v)
{
	return strcmp(v->alias, KN_MIRROR_ALIAS) == 0;
}

/* Compare an existing link NAME with what SP asks for; 0 if it fits. */
static int
vx_compare(struct kn_sock *s, const char *name, const struct kn_vxlan_state *v,
	   const struct kn_vxlan *want, struct dpm_err *e)
{
	char diff[300] = "", wl[64], wr[64];
	unsigned int port = want->dstport ? want->dstport : VXLAN_PORT;

	if (!v->is_vxlan)
		return kn_fail(e, EEXIST,
			       "%s exists in %s and is not a vxlan link; "
			       "choose another name with --name",
			       name, kn_sock_where(s));
	kn_ip_str(&want->local, wl, sizeof(wl));
	kn_ip_str(&want->remote, wr, sizeof(wr));
	if (v->vni != want->vni)
		kn_append(diff, sizeof(diff), ", vni %u (not %u)", v->vni,
			  want->vni);
	if (want->local.family != 0 && strcmp(v->local, wl) != 0)
		kn_append(diff, sizeof(diff), ", local %s (not %s)", v->local,
			  wl);
	if (want->remote.family != 0 && strcmp(v->remote, wr) != 0)
		kn_append(diff, sizeof(diff), ", remote %s (not %s)", v->remote,
			  wr);
	if (want->underlay[0] != '\0' &&
	    strcmp(v->underlay, want->underlay) != 0)
		kn_append(diff, sizeof(diff), ", dev %s (not %s)",
			  v->underlay[0] ? v->underlay : "none",
			  want->underlay);
	if (v->port != port)
		kn_append(diff, sizeof(diff), ", dstport %u (not %u)", v->port,
			  port);
	if (diff[0] != '\0')
		return kn_fail(e, EEXIST,
			       "vxlan link %s already exists in %s with other "
			       "parameters: %s; delete it (ip link del %s) or "
			       "choose another name with --name",
			       name, kn_sock_where(s), diff + 2, name);
	return 0;
}

static int
mtu_check(struct kn_sock *s, const struct kn_mirror_spec *sp,
	  const struct kn_vxlan_state *existing, struct dpm_err *e)
{
	struct kn_link_info dev, under;
	int fam = sp->vx.remote.family ? sp->vx.remote.family
				       : sp->vx.local.family;
	unsigned int over =
		fam == AF_INET6 ? VXLAN_OVERHEAD_V6 : VXLAN_OVERHEAD_V4;
	char ip[300] = "ip";
	int rc;

	if (sp->netns != NULL && sp->netns[0] != '\0')
		snprintf(ip, sizeof(ip), "ip -n %s", sp->netns);
	rc = kn_link_info(s, sp->dev, &dev, e);
	if (rc != 0)
		return rc;
	if (sp->vx.underlay[0] != '\0') {
		rc = kn_link_info(s, sp->vx.underlay, &under, e);
		if (rc != 0)
			return kn_fail(e, ENODEV, "no underlay device %s in %s",
				       sp->vx.underlay, kn_sock_where(s));
		if (under.mtu < dev.mtu + over)
			return kn_fail(
				e, EMSGSIZE,
				"the underlay %s has MTU %u, too small to "
				"carry %s's %u-byte packets in VXLAN over %s "
				"(%u bytes of outer headers): set %s's MTU to "
				"%u or more: %s link set dev %s mtu %u; or "
				"lower %s's MTU to %u; or pass --ignore-mtu "
				"(larger packets are then not mirrored)",
				under.name, under.mtu, dev.name, dev.mtu,
				fam == AF_INET6 ? "IPv6" : "IPv4", over,
				under.name, dev.mtu + over, ip, under.name,
				dev.mtu + over, dev.name,
				under.mtu > over ? under.mtu - over : 0);
	}
	if (existing != NULL && existing->mtu < dev.mtu)
		return kn_fail(e, EMSGSIZE,
			       "the vxlan link %s has MTU %u, below %s's MTU "
			       "%u: set it with %s link set dev %s mtu %u; "
			       "or pass --ignore-mtu",
			       kn_mirror_vxlan_name(sp), existing->mtu,
			       dev.name, dev.mtu, ip, kn_mirror_vxlan_name(sp),
			       dev.mtu);
	return 0;
}

static int
set_alias(struct kn_sock *s, const char *name, const char *alias,
	  struct dpm_err *e)
{
	struct rtnl_link *l, *c;
	int rc;

	if (rtnl_link_get_kernel(kn_sock_nl(s), 0, name, &l) < 0)
		return kn_fail(e, ENODEV, "no link %s in %s", name,
			       kn_sock_where(s));
	c = rtnl_link_alloc();
	if (c == NULL) {
		rtnl_link_put(l);
		return kn_fail(e, ENOMEM, "out of memory");
	}
	rtnl_link_set_ifalias(c, alias);
	rc = rtnl_link_change(kn_sock_nl(s), l, c, 0);
	rtnl_link_put(c);
	rtnl_link_put(l);
	if (rc < 0)
		return kn_nl_fail(e, rc, "set the alias of %s in %s", name,
				  kn_sock_where(s));
	return 0;
}

int
kn_mirror_add(const struct kn_mirror_spec *sp, struct dpm_err *e)
{
	const char *name = kn_mirror_vxlan_name(sp);
	struct kn_vxlan_state cur;
	struct kn_sock *s;
	bool exists, created = false, raised = false;
	int rc;

	rc = cfg_kernel_check(sp, CFG_KCHECK_ADD, NULL, e);
	if (rc != 0)
		return rc;
	s = kn_sock_open(sp->netns, e);
	if (s == NULL)
		return -ENOENT;
	if (kn_link_index(s, sp->dev) < 0) {
		rc = kn_fail(e, ENODEV, "no device %s in %s", sp->dev,
			     kn_sock_where(s));
		goto out;
	}
	if (kn_link_index(s, sp->vx.underlay) < 0) {
		rc = kn_fail(e, ENODEV, "no underlay device %s in %s",
			     sp->vx.underlay, kn_sock_where(s));
		goto out;
	}
	exists = kn_vxlan_read(s, name, &cur) == 0;
	if (exists) {
		rc = vx_compare(s, name, &cur, &sp->vx, e);
		if (rc != 0)
			goto out;
	}
	if (!sp->ignore_mtu) {
		rc = mtu_check(s, sp, exists ? &cur : NULL, e);
		if (rc != 0)
			goto out;
	}
	if (!exists) {
		rc = kn_vxlan_add(s, name, &sp->vx, e);
		if (rc != 0)
			goto out;
		created = true;
		rc = set_alias(s, name, KN_MIRROR_ALIAS, e);
		if (rc != 0)
			goto rollback;
	}
	if (!exists || !cur.up) {
		rc = kn_link_set_up(s, name, true, e);
		if (rc != 0)
			goto rollback;
		raised = exists;
	}
	rc = kn_tc_mirror_add(s, sp->dev, sp->dir, &sp->match, name, e);
	if (rc != 0)
		goto rollback;
	goto out;
rollback:
	if (created)
		kn_link_del(s, name, NULL);
	else if (raised)
		kn_link_set_up(s, name, false, NULL);
out:
	kn_sock_close(s);
	return rc;
}

/* Whether a mirror filter on any device of S's namespace sends to NAME. */
static bool
target_in_use(struct kn_sock *s, const char *name)
{
	struct nl_cache *cache;
	struct nl_object *o;
	bool used = false;

	if (rtnl_link_alloc_cache(kn_sock_nl(s), AF_UNSPEC, &cache) < 0)
		return true; /* cannot tell: keep the link */
	for (o = nl_cache_get_first(cache); o != NULL && !used;
	     o = nl_cache_get_next(o)) {
		struct kn_filter_info fi[8];
		int n, i;

		n = kn_tc_mirror_list(s,
				      rtnl_link_get_name((struct rtnl_link *)o),
				      fi, 8, NULL);
		for (i = 0; i < n; i++)
			if (strcmp(fi[i].target, name) == 0)
				used = true;
	}
	nl_cache_free(cache);
	return used;
}

int
kn_mirror_del(const struct kn_mirror_spec *sp, struct dpm_err *e)
{
	const char *name = kn_mirror_vxlan_name(sp);
	struct kn_mirror_spec what = *sp;
	struct kn_vxlan_state cur;
	struct kn_sock *s;
	enum kn_dir dir = sp->dir != 0 ? sp->dir : KN_DIR_BOTH;
	int rc, removed;
	bool link_gone = false, in_use = false;

	what.dir = dir;
	rc = cfg_kernel_check(&what, CFG_KCHECK_DEL, NULL, e);
	if (rc != 0)
		return rc;
	s = kn_sock_open(sp->netns, e);
	if (s == NULL)
		return -ENOENT;
	removed = kn_tc_mirror_del_count(s, sp->dev, dir, e);
	if (removed < 0) {
		rc = removed;
		goto out;
	}
	rc = 0;
	if (kn_vxlan_read(s, name, &cur) == 0 && ours(&cur)) {
		if (target_in_use(s, name)) {
			in_use = true;
		} else {
			rc = kn_link_del(s, name, e);
			if (rc != 0)
				goto out;
			link_gone = true;
		}
	}
	if (removed == 0 && !link_gone)
		rc = kn_fail(e, ENOENT,
			     "nothing to delete: no mirror filter on %s%s%s "
			     "in %s, and %s",
			     sp->dev, dir == KN_DIR_BOTH ? "" : " ",
			     dir == KN_DIR_BOTH ? "" : kn_dir_str(dir),
			     kn_sock_where(s),
			     in_use ? "the vxlan link is still the target of "
				      "another mirror filter"
				    : "no vxlan link of that name made by "
				      "kernel add");
out:
	kn_sock_close(s);
	return rc;
}

/* The mirror of DEV on S: its filters and the links they send to.  With
 * QUIET, a device without a mirror filter prints nothing. */
static int
show_dev(struct kn_sock *s, const char *dev, bool quiet, FILE *out,
	 struct dpm_err *e)
{
	struct kn_filter_info fi[8];
	char targets[8][KN_IFNAMSIZ];
	const char *kind;
	int n, i, j, nt = 0;

	kind = kn_tc_ingress_qdisc(s, dev, e);
	if (kind == NULL)
		return -ENODEV;
	if (quiet && strcmp(kind, "ingress") != 0 &&
	    strcmp(kind, "clsact") != 0)
		return 0;
	n = kn_tc_mirror_list(s, dev, fi, 8, e);
	if (n < 0)
		return n;
	if (quiet && n == 0)
		return 0;
	fprintf(out, "%s in %s: qdisc %s, %d mirror filter%s\n", dev,
		kn_sock_where(s), kind, n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		fprintf(out,
			"  %-7s pref %u  match %s  -> %s  packets %" PRIu64
			"  bytes %" PRIu64 "\n",
			kn_dir_str(fi[i].dir), fi[i].prio, fi[i].match,
			fi[i].target[0] ? fi[i].target : "?", fi[i].packets,
			fi[i].bytes);
		for (j = 0; j < nt; j++)
			if (strcmp(targets[j], fi[i].target) == 0)
				break;
		if (j == nt && fi[i].target[0] != '\0')
			snprintf(targets[nt++], KN_IFNAMSIZ, "%s",
				 fi[i].target);
	}
	for (j = 0; j < nt; j++) {
		struct kn_vxlan_state v;

		if (kn_vxlan_read(s, targets[j], &v) != 0)
			continue;
		if (!v.is_vxlan) {
			fprintf(out, "%s: not a vxlan link, mtu %u, %s\n",
				targets[j], v.mtu, v.up ? "up" : "down");
			continue;
		}
		fprintf(out,
			"%s: vxlan id %u local %s remote %s dev %s dstport %u "
			"mtu %u %s%s\n",
			targets[j], v.vni, v.local, v.remote,
			v.underlay[0] ? v.underlay : "-", v.port, v.mtu,
			v.up ? "up" : "down",
			ours(&v) ? " (made by kernel add)" : "");
	}
	return 1;
}

/* kn_link_foreach: collect the link names. */
struct show_names {
	char (*name)[KN_IFNAMSIZ];
	int n, max;
};

static void
show_name(const struct kn_link_info *l, void *arg)
{
	struct show_names *sn = arg;

	if (sn->n < sn->max)
		snprintf(sn->name[sn->n], KN_IFNAMSIZ, "%s", l->name);
	sn->n++;
}

int
kn_mirror_show(const char *netns, const char *dev, FILE *out, struct dpm_err *e)
{
	static char names[KN_SHOW_MAX_LINKS][KN_IFNAMSIZ];
	struct show_names sn = {names, 0, KN_SHOW_MAX_LINKS};
	struct kn_sock *s;
	int rc, i, shown = 0;

	s = kn_sock_open(netns, e);
	if (s == NULL)
		return -ENOENT;
	if (dev != NULL) {
		rc = show_dev(s, dev, false, out, e);
		goto out;
	}
	rc = kn_link_foreach(s, "", show_name, &sn, e);
	if (rc != 0)
		goto out;
	for (i = 0; i < sn.n && i < sn.max; i++) {
		rc = show_dev(s, names[i], true, out, e);
		if (rc == -ENODEV) /* gone meanwhile */
			continue;
		if (rc < 0)
			goto out;
		shown += rc;
	}
	if (shown == 0)
		fprintf(out, "no mirror filters in %s\n", kn_sock_where(s));
	if (sn.n > sn.max)
		fprintf(out, "(only the first %d of %d links were looked at)\n",
			sn.max, sn.n);
	rc = 0;
out:
	kn_sock_close(s);
	return rc < 0 ? rc : 0;
}
