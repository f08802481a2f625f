/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The seed's use case (see kn_mirror.h): a tunnel link plus the qdisc and
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

/* Whether link T was made by kn_mirror_add. */
static bool
ours(const struct kn_tunnel_state *t)
{
	return strcmp(t->alias, KN_MIRROR_ALIAS) == 0;
}

/* The tunnel SP asks for (the underlay's ifindex filled by the caller). */
static void
spec_tunnel(const struct kn_mirror_spec *sp, struct kn_tunnel *t)
{
	const struct kn_tun_type *ty;

	memset(t, 0, sizeof(*t));
	t->kind = (enum kn_tun_kind)kn_mirror_encap(sp);
	ty = kn_tun_type(t->kind);
	t->local = sp->vx.local;
	t->remote = sp->vx.remote;
	if (ty->dstport != 0) {
		t->vni = sp->vx.vni;
		t->dstport = (uint16_t)(sp->vx.dstport != 0 ? sp->vx.dstport
							    : ty->dstport);
	}
	t->has_key = ty->has_key && sp->has_key;
	t->key = sp->key;
	t->session_id =
		ty->has_session && sp->has_session_id ? sp->session_id : 0;
}

static bool
ip_differs(const struct kn_ip *have, const struct kn_ip *want)
{
	size_t n = want->family == AF_INET ? 4 : 16;

	return have->family != want->family ||
	       (want->family != 0 && memcmp(have->bytes, want->bytes, n) != 0);
}

/* Compare an existing link NAME with the tunnel T asks for; 0 if it fits. */
static int
tun_compare(struct kn_sock *s, const char *name,
	    const struct kn_tunnel_state *v, const struct kn_tunnel *t,
	    const char *underlay, struct dpm_err *e)
{
	const struct kn_tun_type *ty = kn_tun_type(t->kind);
	char diff[300] = "", a[64], b[64];
	uint32_t key = ty->has_session ? t->session_id : t->key;
	bool keyed = ty->has_session || t->has_key;

	if (v->tun != (int)t->kind)
		return kn_fail(e, EEXIST,
			       "%s exists in %s and is not a %s link (it is "
			       "%s); choose another name with --name",
			       name, kn_sock_where(s), ty->name,
			       v->kind[0] != '\0' ? v->kind : "no tunnel");
	if (ty->dstport != 0 && v->vni != t->vni)
		kn_append(diff, sizeof(diff), ", vni %u (not %u)", v->vni,
			  t->vni);
	if (ty->has_local && ip_differs(&v->local, &t->local))
		kn_append(diff, sizeof(diff), ", local %s (not %s)",
			  kn_ip_str(&v->local, a, sizeof(a)),
			  kn_ip_str(&t->local, b, sizeof(b)));
	if (ip_differs(&v->remote, &t->remote))
		kn_append(diff, sizeof(diff), ", remote %s (not %s)",
			  kn_ip_str(&v->remote, a, sizeof(a)),
			  kn_ip_str(&t->remote, b, sizeof(b)));
	/* geneve links have no lower device to compare. */
	if (t->kind != KN_TUN_GENEVE && strcmp(v->underlay, underlay) != 0)
		kn_append(diff, sizeof(diff), ", dev %s (not %s)",
			  v->underlay[0] ? v->underlay : "none", underlay);
	if (ty->dstport != 0 && v->dstport != t->dstport)
		kn_append(diff, sizeof(diff), ", dstport %u (not %u)",
			  v->dstport, t->dstport);
	if (ty->dstport == 0 && ((v->oflags & 0x2000) != 0) != keyed)
		kn_append(diff, sizeof(diff), ", %s (not %s)",
			  keyed ? "no key" : "a key", keyed ? "one" : "none");
	else if (ty->dstport == 0 && keyed && v->okey != key)
		kn_append(diff, sizeof(diff), ", %s %u (not %u)",
			  ty->has_session ? "session ID" : "key", v->okey, key);
	if (diff[0] != '\0')
		return kn_fail(e, EEXIST,
			       "%s link %s already exists in %s with other "
			       "parameters: %s; delete it (ip link del %s) or "
			       "choose another name with --name",
			       ty->name, name, kn_sock_where(s), diff + 2,
			       name);
	return 0;
}

static int
mtu_check(struct kn_sock *s, const struct kn_mirror_spec *sp,
	  const struct kn_tunnel *t, const struct kn_tunnel_state *existing,
	  struct dpm_err *e)
{
	const struct kn_tun_type *ty = kn_tun_type(t->kind);
	struct kn_link_info dev, under;
	int fam = t->remote.family;
	unsigned int over = fam == AF_INET6 ? ty->overhead6 : ty->overhead;
	char ip[300] = "ip", what[64];
	int rc;

	if (t->has_key)
		over += ty->key_bytes;
	snprintf(what, sizeof(what), "%s%s over %s", ty->name,
		 t->has_key ? " with a key" : "",
		 fam == AF_INET6 ? "IPv6" : "IPv4");
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
				"carry %s's %u-byte packets in %s (%u bytes "
				"of outer headers): set %s's MTU to %u or "
				"more: %s link set dev %s mtu %u; or lower "
				"%s's MTU to %u; or pass --ignore-mtu (larger "
				"packets are then not mirrored)",
				under.name, under.mtu, dev.name, dev.mtu,
				t->kind == KN_TUN_VXLAN
					? (fam == AF_INET6 ? "VXLAN over IPv6"
							   : "VXLAN over IPv4")
					: what,
				over, under.name, dev.mtu + over, ip,
				under.name, dev.mtu + over, dev.name,
				under.mtu > over ? under.mtu - over : 0);
	}
	if (existing != NULL && existing->mtu < dev.mtu)
		return kn_fail(e, EMSGSIZE,
			       "the %s link %s has MTU %u, below %s's MTU "
			       "%u: set it with %s link set dev %s mtu %u; "
			       "or pass --ignore-mtu",
			       ty->name, kn_mirror_vxlan_name(sp),
			       existing->mtu, dev.name, dev.mtu, ip,
			       kn_mirror_vxlan_name(sp), dev.mtu);
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
	struct kn_tunnel_state cur;
	struct kn_tunnel t;
	struct kn_sock *s;
	bool exists, created = false, raised = false;
	int rc, under;

	rc = cfg_kernel_check(sp, CFG_KCHECK_ADD, NULL, e);
	if (rc != 0)
		return rc;
	s = kn_sock_open(sp->netns, e);
	if (s == NULL)
		return -ENOENT;
	spec_tunnel(sp, &t);
	if (kn_link_index(s, sp->dev) < 0) {
		rc = kn_fail(e, ENODEV, "no device %s in %s", sp->dev,
			     kn_sock_where(s));
		goto out;
	}
	under = kn_link_index(s, sp->vx.underlay);
	if (under < 0) {
		rc = kn_fail(e, ENODEV, "no underlay device %s in %s",
			     sp->vx.underlay, kn_sock_where(s));
		goto out;
	}
	/* A geneve link cannot be bound to a lower device. */
	if (t.kind != KN_TUN_GENEVE)
		t.underlay_ifindex = under;
	exists = kn_tunnel_read(s, name, &cur) == 0;
	if (exists) {
		rc = tun_compare(s, name, &cur, &t, sp->vx.underlay, e);
		if (rc != 0)
			goto out;
	}
	if (!sp->ignore_mtu) {
		rc = mtu_check(s, sp, &t, exists ? &cur : NULL, e);
		if (rc != 0)
			goto out;
	}
	/* The link before anything on the device: a kernel without this
	 * link kind refuses here, with the device untouched. */
	if (!exists) {
		rc = kn_tunnel_add(s, name, &t, e);
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

/* Remove link NAME if kn_mirror_add made it and nothing mirrors into it:
 * 1 removed, 0 kept (or none), negative errno. */
static int
del_link(struct kn_sock *s, const char *name, bool *in_use, struct dpm_err *e)
{
	struct kn_tunnel_state cur;
	int rc;

	if (kn_tunnel_read(s, name, &cur) != 0 || !ours(&cur))
		return 0;
	if (target_in_use(s, name)) {
		*in_use = true;
		return 0;
	}
	rc = kn_link_del(s, name, e);
	return rc != 0 ? rc : 1;
}

int
kn_mirror_del(const struct kn_mirror_spec *sp, struct dpm_err *e)
{
	const char *name = kn_mirror_vxlan_name(sp);
	struct kn_mirror_spec what = *sp;
	struct kn_filter_info fi[8];
	char cand[9][KN_IFNAMSIZ];
	struct kn_sock *s;
	enum kn_dir dir = sp->dir != 0 ? sp->dir : KN_DIR_BOTH;
	int rc, removed, n, nc = 0, i, j;
	bool link_gone = false, in_use = false;

	what.dir = dir;
	rc = cfg_kernel_check(&what, CFG_KCHECK_DEL, NULL, e);
	if (rc != 0)
		return rc;
	s = kn_sock_open(sp->netns, e);
	if (s == NULL)
		return -ENOENT;
	/* The links the filters to remove send to: a mirror made with
	 * another encap's default name is found without --name. */
	n = kn_tc_mirror_list(s, sp->dev, fi, 8, NULL);
	if (n < 0)
		n = 0;
	removed = kn_tc_mirror_del_count(s, sp->dev, dir, e);
	if (removed < 0) {
		rc = removed;
		goto out;
	}
	/* Candidates: those targets, once each, and NAME. */
	for (i = 0; i < n; i++)
		if ((fi[i].dir & dir) != 0 && fi[i].target[0] != '\0')
			snprintf(cand[nc++], KN_IFNAMSIZ, "%s", fi[i].target);
	snprintf(cand[nc++], KN_IFNAMSIZ, "%s", name);
	rc = 0;
	for (i = 0; i < nc; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(cand[j], cand[i]) == 0)
				break;
		if (j < i)
			continue;
		rc = del_link(s, cand[i], &in_use, e);
		if (rc < 0)
			goto out;
		link_gone |= rc == 1;
		rc = 0;
	}
	if (removed == 0 && !link_gone)
		rc = kn_fail(e, ENOENT,
			     "nothing to delete: no mirror filter on %s%s%s "
			     "in %s, and %s",
			     sp->dev, dir == KN_DIR_BOTH ? "" : " ",
			     dir == KN_DIR_BOTH ? "" : kn_dir_str(dir),
			     kn_sock_where(s),
			     in_use ? "the tunnel link is still the target of "
				      "another mirror filter"
				    : "no tunnel link of that name made by "
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
		struct kn_tunnel_state v;
		char a[64], b[64];

		if (kn_tunnel_read(s, targets[j], &v) != 0)
			continue;
		if (v.tun < 0) {
			fprintf(out, "%s: not a tunnel link, mtu %u, %s\n",
				targets[j], v.mtu, v.up ? "up" : "down");
			continue;
		}
		fprintf(out, "%s: %s", targets[j], v.kind);
		if (v.tun == KN_TUN_VXLAN || v.tun == KN_TUN_GENEVE)
			fprintf(out, " id %u", v.vni);
		if (v.tun != KN_TUN_GENEVE)
			fprintf(out, " local %s",
				kn_ip_str(&v.local, a, sizeof(a)));
		fprintf(out, " remote %s", kn_ip_str(&v.remote, b, sizeof(b)));
		if (v.tun != KN_TUN_GENEVE)
			fprintf(out, " dev %s",
				v.underlay[0] ? v.underlay : "-");
		if (v.tun == KN_TUN_VXLAN || v.tun == KN_TUN_GENEVE)
			fprintf(out, " dstport %u", v.dstport);
		else if (kn_tun_type(v.tun)->has_session)
			fprintf(out, " erspan_ver %u session %u", v.erspan_ver,
				v.okey);
		else if ((v.oflags & 0x2000) != 0)
			fprintf(out, " key %u", v.okey);
		fprintf(out, " mtu %u %s%s\n", v.mtu, v.up ? "up" : "down",
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
