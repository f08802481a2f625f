/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The playground of kn_playground.h on libnl-route-3.
 *
 * Every object is described by a static table (bridges, veth pairs, the
 * vxlan link in h2); up, down and status walk the same tables, so they can
 * never disagree about what the playground is.  `up` checks each object
 * before it makes it: what exists with the right kind (and, for a veth, the
 * right peer) is kept and its attributes are set only where they differ, so
 * a second `up` sends no change at all.  What this call creates or re-wires
 * is written to an undo log that is played backwards on failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/vxlan.h>

#include "kn_playground.h"
#include "kn_tc.h"

/* The namespaces the objects live in. */
enum pg_ns {
	PG_ROOT = 0,
	PG_H1 = 1,
	PG_H2 = 2,
	PG_N_NS = 3,
};

static const char *const pg_ns_suffix[PG_N_NS] = {NULL, "h1", "h2"};

/* One end of a link: in the root namespace NAME is the suffix after
 * "P-"; in a host it is the plain name (eth0, eth1). */
struct pg_end {
	const char *name;
	enum pg_ns ns;
	const char *master; /* bridge suffix in the root namespace, or NULL */
	unsigned int mtu;   /* 0 = the kernel's default, not checked */
	const uint8_t *mac; /* NULL = the kernel's choice */
	const char *addr;   /* CIDR, or NULL */
};

struct pg_veth {
	struct pg_end a;  /* always in the root namespace */
	struct pg_end b;  /* the peer */
	bool inline_only; /* exists only with inline wiring */
	bool wired;	  /* a's master depends on the wiring (P-h1e0) */
};

static const uint8_t pg_mac_h1e0[6] = {0x02, 0, 0, 0, 0x00, 0x02};
static const uint8_t pg_mac_h2e0[6] = {0x02, 0, 0, 0, 0x00, 0x03};
static const uint8_t pg_mac_h1e1[6] = {0x02, 0, 0, 0, 0x01, 0x02};
static const uint8_t pg_mac_h2e1[6] = {0x02, 0, 0, 0, 0x01, 0x03};
static const uint8_t pg_mac_out[6] = {0x02, 0, 0, 0, 0x01, 0x0a};

#define PG_MTU1 1600 /* the eth1 (tunnel) network */

static const struct pg_end pg_bridges[] = {
	{"br0", PG_ROOT, NULL, 0, NULL, "198.18.0.1/24"},
	{"br1", PG_ROOT, NULL, PG_MTU1, NULL, "198.18.1.1/24"},
};

/* Bridge ports come after their bridges; P-dpb last, since it is what
 * the inline wiring adds. */
static const struct pg_veth pg_veths[] = {
	{{"h1e0", PG_ROOT, "br0", 0, NULL, NULL},
	 {"eth0", PG_H1, NULL, 0, pg_mac_h1e0, "198.18.0.2/24"},
	 false,
	 true},
	{{"h2e0", PG_ROOT, "br0", 0, NULL, NULL},
	 {"eth0", PG_H2, NULL, 0, pg_mac_h2e0, "198.18.0.3/24"},
	 false,
	 false},
	{{"h1e1", PG_ROOT, "br1", PG_MTU1, NULL, NULL},
	 {"eth1", PG_H1, NULL, PG_MTU1, pg_mac_h1e1, "198.18.1.2/24"},
	 false,
	 false},
	{{"h2e1", PG_ROOT, "br1", PG_MTU1, NULL, NULL},
	 {"eth1", PG_H2, NULL, PG_MTU1, pg_mac_h2e1, "198.18.1.3/24"},
	 false,
	 false},
	{{"span", PG_ROOT, NULL, 0, NULL, NULL},
	 {"spanx", PG_ROOT, NULL, 0, NULL, NULL},
	 false,
	 false},
	{{"out", PG_ROOT, NULL, PG_MTU1, pg_mac_out, NULL},
	 {"outb", PG_ROOT, "br1", PG_MTU1, NULL, NULL},
	 false,
	 false},
	{{"dpb", PG_ROOT, NULL, 0, NULL, NULL},
	 {"dpbr", PG_ROOT, "br0", 0, NULL, NULL},
	 true,
	 false},
};

#define PG_N_VETHS   (sizeof(pg_veths) / sizeof(pg_veths[0]))
#define PG_N_BRIDGES (sizeof(pg_bridges) / sizeof(pg_bridges[0]))
#define PG_VETH_H1E0 0
#define PG_VETH_DPB  (PG_N_VETHS - 1)

/* h2's vxlan0: the seed's section 2.2.2 with the playground's addresses. */
#define PG_VX_NAME   "vxlan0"
#define PG_VX_VNI    100
#define PG_VX_LOCAL  "198.18.1.3"
#define PG_VX_REMOTE "198.18.1.2"
#define PG_VX_DEV    "eth1"
#define PG_VX_PORT   4789

#define PG_UNDO_MAX 48

enum pg_undo_kind {
	PG_UNDO_NETNS,	/* delete netns NAME */
	PG_UNDO_LINK,	/* delete link NAME in NS */
	PG_UNDO_MASTER, /* put NAME back on OLD (or release it) */
};

struct pg_undo {
	enum pg_undo_kind kind;
	enum pg_ns ns;
	char name[256];
	char old[KN_IFNAMSIZ];
};

struct pg_ctx {
	const char *prefix;
	char ns_name[PG_N_NS][32]; /* "" for the root namespace */
	struct kn_sock *s[PG_N_NS];
	FILE *log;
	int n_created; /* objects this call created */
	int n_changed; /* attributes this call changed on kept objects */
	struct pg_undo undo[PG_UNDO_MAX];
	int n_undo;
};

int
kn_pg_check_prefix(const char *prefix, struct dpm_err *e)
{
	size_t i, n;

	if (prefix == NULL || prefix[0] == '\0')
		return kn_fail(e, EINVAL,
			       "playground prefix is empty: give 1..%d "
			       "characters of [a-z0-9]",
			       KN_PG_PREFIX_MAX);
	n = strlen(prefix);
	for (i = 0; i < n; i++) {
		char c = prefix[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			break;
	}
	if (n > KN_PG_PREFIX_MAX || i != n)
		return kn_fail(e, EINVAL,
			       "playground prefix '%s' is not valid: give "
			       "1..%d characters of [a-z0-9]",
			       prefix, KN_PG_PREFIX_MAX);
	return 0;
}

/* ---- helpers ---- */

static void
pg_name(const struct pg_ctx *c, const struct pg_end *end, char *buf, size_t len)
{
	if (end->ns == PG_ROOT)
		snprintf(buf, len, "%s-%s", c->prefix, end->name);
	else
		snprintf(buf, len, "%s", end->name);
}

/* "P-h1e0" or "P-h1/eth0", for messages and status. */
static void
pg_label(const struct pg_ctx *c, const struct pg_end *end, char *buf,
	 size_t len)
{
	if (end->ns == PG_ROOT)
		snprintf(buf, len, "%s-%s", c->prefix, end->name);
	else
		snprintf(buf, len, "%s/%s", c->ns_name[end->ns], end->name);
}

static void __attribute__((format(printf, 2, 3)))
pg_log(const struct pg_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->log == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(c->log, fmt, ap);
	va_end(ap);
	fputc('\n', c->log);
}

static int
pg_ctx_init(struct pg_ctx *c, const char *prefix, FILE *log, struct dpm_err *e)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->prefix = prefix;
	c->log = log;
	for (i = PG_H1; i < PG_N_NS; i++)
		snprintf(c->ns_name[i], sizeof(c->ns_name[i]), "%s-%s", prefix,
			 pg_ns_suffix[i]);
	c->s[PG_ROOT] = kn_sock_open(NULL, e);
	return c->s[PG_ROOT] == NULL ? -EIO : 0;
}

static void
pg_ctx_close(struct pg_ctx *c)
{
	int i;

	for (i = 0; i < PG_N_NS; i++) {
		kn_sock_close(c->s[i]);
		c->s[i] = NULL;
	}
}

/* A new context for PREFIX (checked) in *CP, or a negative errno. */
static int
pg_ctx_open(const char *prefix, FILE *log, struct pg_ctx **cp,
	    struct dpm_err *e)
{
	struct pg_ctx *c;
	int rc;

	*cp = NULL;
	rc = kn_pg_check_prefix(prefix, e);
	if (rc != 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return kn_fail(e, ENOMEM, "out of memory");
	rc = pg_ctx_init(c, prefix, log, e);
	if (rc != 0) {
		pg_ctx_close(c);
		free(c);
		return rc;
	}
	*cp = c;
	return 0;
}

/* 1 and *OUT filled when IFNAME exists in S's namespace, else 0. */
static int
pg_info(struct kn_sock *s, const char *ifname, struct kn_link_info *out)
{
	if (s == NULL)
		return 0;
	return kn_link_info(s, ifname, out, NULL) == 0;
}

/* The ifindex a veth names as its peer (IFLA_LINK), or -ENODEV. */
static int
pg_veth_peer_index(struct kn_sock *s, const char *ifname)
{
	struct rtnl_link *l;
	int idx;

	if (rtnl_link_get_kernel(kn_sock_nl(s), 0, ifname, &l) < 0)
		return -ENODEV;
	idx = rtnl_link_get_link(l);
	rtnl_link_put(l);
	return idx;
}

/*
 * Write the addresses of IFINDEX ("198.18.0.1/24 ...") into BUF; returns
 * how many there are.  With WANT, returns 1 when WANT is among them and 0
 * when not (BUF may then be NULL).
 */
static int
pg_addrs(struct kn_sock *s, int ifindex, const char *want, char *buf,
	 size_t len)
{
	struct nl_cache *cache;
	struct nl_object *o;
	size_t used = 0;
	int n = 0, found = 0;

	if (buf != NULL && len > 0)
		buf[0] = '\0';
	if (rtnl_addr_alloc_cache(kn_sock_nl(s), &cache) < 0)
		return 0;
	for (o = nl_cache_get_first(cache); o != NULL;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		char ip[64], cidr[80];

		if (rtnl_addr_get_ifindex(a) != ifindex || local == NULL)
			continue;
		nl_addr2str(local, ip, sizeof(ip));
		/* nl_addr2str adds the prefix length unless it is a host
		 * route; make the form uniform. */
		if (strchr(ip, '/') == NULL)
			snprintf(cidr, sizeof(cidr), "%s/%d", ip,
				 rtnl_addr_get_prefixlen(a));
		else
			snprintf(cidr, sizeof(cidr), "%s", ip);
		if (want != NULL && strcmp(cidr, want) == 0)
			found = 1;
		if (buf != NULL && used < len) {
			int w = snprintf(buf + used, len - used, "%s%s",
					 n > 0 ? " " : "", cidr);

			if (w > 0)
				used += (size_t)w;
		}
		n++;
	}
	nl_cache_free(cache);
	return want != NULL ? found : n;
}

/* No IPv6 link-local address, hence no DAD, router solicitation or MLD
 * chatter on the playground's links.  Best effort: a kernel without IPv6
 * simply refuses it. */
static void
pg_no_ipv6_autoconf(struct kn_sock *s, const char *ifname)
{
	struct rtnl_link *l, *chg;

	if (rtnl_link_get_kernel(kn_sock_nl(s), 0, ifname, &l) < 0)
		return;
	chg = rtnl_link_alloc();
	if (chg != NULL) {
		if (rtnl_link_inet6_set_addr_gen_mode(
			    chg, IN6_ADDR_GEN_MODE_NONE) == 0)
			rtnl_link_change(kn_sock_nl(s), l, chg, 0);
		rtnl_link_put(chg);
	}
	rtnl_link_put(l);
}

static int
pg_undo_push(struct pg_ctx *c, enum pg_undo_kind kind, enum pg_ns ns,
	     const char *name, const char *old, struct dpm_err *e)
{
	struct pg_undo *u;

	if (c->n_undo >= PG_UNDO_MAX)
		return kn_fail(e, ENOSPC, "playground %s: undo log full",
			       c->prefix);
	u = &c->undo[c->n_undo++];
	u->kind = kind;
	u->ns = ns;
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->old, sizeof(u->old), "%s", old != NULL ? old : "");
	return 0;
}

/* Whether this call created link NAME in NS. */
static bool
pg_created(const struct pg_ctx *c, enum pg_ns ns, const char *name)
{
	int i;

	for (i = 0; i < c->n_undo; i++)
		if (c->undo[i].kind == PG_UNDO_LINK && c->undo[i].ns == ns &&
		    strcmp(c->undo[i].name, name) == 0)
			return true;
	return false;
}

/* Undo, newest first, what this call did.  Errors are ignored: each step
 * is tried so that as little as possible is left behind. */
static void
pg_rollback(struct pg_ctx *c)
{
	int i;

	for (i = c->n_undo - 1; i >= 0; i--) {
		struct pg_undo *u = &c->undo[i];

		switch (u->kind) {
		case PG_UNDO_LINK:
			if (c->s[u->ns] != NULL)
				kn_link_del(c->s[u->ns], u->name, NULL);
			break;
		case PG_UNDO_MASTER:
			kn_link_set_master(c->s[u->ns], u->name,
					   u->old[0] != '\0' ? u->old : NULL,
					   NULL);
			break;
		case PG_UNDO_NETNS:
			/* Its socket pins the namespace: close it first. */
			if (strcmp(u->name, c->ns_name[PG_H1]) == 0) {
				kn_sock_close(c->s[PG_H1]);
				c->s[PG_H1] = NULL;
			} else if (strcmp(u->name, c->ns_name[PG_H2]) == 0) {
				kn_sock_close(c->s[PG_H2]);
				c->s[PG_H2] = NULL;
			}
			kn_netns_del(u->name, NULL);
			break;
		}
	}
	c->n_undo = 0;
}

/* The message for an object in the way: whether down will clear it. */
static int
pg_in_the_way(const struct pg_ctx *c, const char *label, const char *what,
	      bool ours, struct dpm_err *e)
{
	if (ours)
		return kn_fail(e, EEXIST,
			       "playground %s: %s %s; run `dpmirrorctl "
			       "playground down --prefix %s` first",
			       c->prefix, label, what, c->prefix);
	return kn_fail(e, EEXIST,
		       "playground %s: %s %s; playground up did not make it "
		       "and down will not remove it: delete it or choose "
		       "another --prefix",
		       c->prefix, label, what);
}

/*
 * Bring the attributes of an existing end in line with END (master
 * MASTER, which may differ from END's for the wired link; KEEP_MASTER:
 * leave the master alone): only what differs is changed.  CREATED: the
 * object is new in this call (no undo of master changes needed, no log
 * line per attribute).
 */
static int
pg_fix_end(struct pg_ctx *c, const struct pg_end *end, const char *master,
	   bool keep_master, bool created, struct dpm_err *e)
{
	struct kn_sock *s = c->s[end->ns];
	struct kn_link_info li;
	char name[KN_IFNAMSIZ], label[64], want_master[KN_IFNAMSIZ] = "";
	int rc;

	pg_name(c, end, name, sizeof(name));
	pg_label(c, end, label, sizeof(label));
	if (master != NULL)
		snprintf(want_master, sizeof(want_master), "%s-%s", c->prefix,
			 master);
	rc = kn_link_info(s, name, &li, e);
	if (rc != 0)
		return rc;
	if (end->mtu != 0 && li.mtu != end->mtu) {
		rc = kn_link_set_mtu(s, name, end->mtu, e);
		if (rc != 0)
			return rc;
		if (!created) {
			pg_log(c, "set mtu %u on %s (was %u)", end->mtu, label,
			       li.mtu);
			c->n_changed++;
		}
	}
	if (end->mac != NULL && memcmp(li.mac, end->mac, 6) != 0) {
		rc = kn_link_set_mac(s, name, end->mac, e);
		if (rc != 0)
			return rc;
		if (!created) {
			pg_log(c, "set the MAC address of %s", label);
			c->n_changed++;
		}
	}
	if (!keep_master && strcmp(li.master, want_master) != 0) {
		if (!created) {
			rc = pg_undo_push(c, PG_UNDO_MASTER, end->ns, name,
					  li.master, e);
			if (rc != 0)
				return rc;
		}
		rc = kn_link_set_master(s, name,
					master != NULL ? want_master : NULL, e);
		if (rc != 0)
			return rc;
		if (!created) {
			if (master != NULL)
				pg_log(c, "attached %s to %s", label,
				       want_master);
			else
				pg_log(c, "released %s from %s", label,
				       li.master);
			c->n_changed++;
		}
	}
	if (end->addr != NULL &&
	    pg_addrs(s, li.ifindex, end->addr, NULL, 0) == 0) {
		rc = kn_addr_add(s, name, end->addr, e);
		if (rc != 0)
			return rc;
		if (!created) {
			pg_log(c, "added %s to %s", end->addr, label);
			c->n_changed++;
		}
	}
	if (!li.up) {
		rc = kn_link_set_up(s, name, true, e);
		if (rc != 0)
			return rc;
		if (!created) {
			pg_log(c, "set %s up", label);
			c->n_changed++;
		}
	}
	/* Packet sockets (dpmirror on net_af_packet) need whole, finished
	 * frames: no TSO/GSO super-frames, no checksums left to offload. */
	return kn_link_offloads_off(s, name, e);
}

/* ---- up ---- */

static int
pg_up_netns(struct pg_ctx *c, enum pg_ns ns, struct dpm_err *e)
{
	const char *name = c->ns_name[ns];
	int rc;

	if (!kn_netns_exists(name)) {
		rc = kn_netns_add(name, e);
		if (rc != 0)
			return rc;
		rc = pg_undo_push(c, PG_UNDO_NETNS, ns, name, NULL, e);
		if (rc != 0) {
			kn_netns_del(name, NULL);
			return rc;
		}
		pg_log(c, "created netns %s", name);
		c->n_created++;
	}
	c->s[ns] = kn_sock_open(name, e);
	return c->s[ns] == NULL ? -EIO : 0;
}

static int
pg_up_bridge(struct pg_ctx *c, const struct pg_end *br, struct dpm_err *e)
{
	struct kn_sock *s = c->s[PG_ROOT];
	struct kn_link_info li;
	char name[KN_IFNAMSIZ];
	bool created = false;
	int rc;

	pg_name(c, br, name, sizeof(name));
	if (pg_info(s, name, &li)) {
		if (strcmp(li.kind, "bridge") != 0) {
			char what[64];

			snprintf(what, sizeof(what),
				 "exists as a %s link, not a bridge",
				 li.kind[0] != '\0' ? li.kind : "plain");
			return pg_in_the_way(c, name, what, false, e);
		}
	} else {
		rc = kn_bridge_add(s, name, e);
		if (rc != 0)
			return rc;
		rc = pg_undo_push(c, PG_UNDO_LINK, PG_ROOT, name, NULL, e);
		if (rc != 0) {
			kn_link_del(s, name, NULL);
			return rc;
		}
		pg_no_ipv6_autoconf(s, name);
		pg_log(c, "created bridge %s (%s%s%s)", name, br->addr,
		       br->mtu != 0 ? ", mtu " : "",
		       br->mtu != 0 ? "1600" : "");
		c->n_created++;
		created = true;
	}
	return pg_fix_end(c, br, NULL, false, created, e);
}

/* The master the A end of V should have with the wiring INLINE_MODE. */
static const char *
pg_master_a(const struct pg_veth *v, bool inline_mode)
{
	if (v->wired && inline_mode)
		return NULL;
	return v->a.master;
}

static int
pg_up_veth(struct pg_ctx *c, const struct pg_veth *v, bool inline_mode,
	   bool keep_master, struct dpm_err *e)
{
	struct kn_sock *sa = c->s[v->a.ns], *sb = c->s[v->b.ns];
	struct kn_link_info ia, ib;
	char na[KN_IFNAMSIZ], nb[KN_IFNAMSIZ], lb[64], what[128];
	bool has_a, has_b, created = false;
	int rc;

	pg_name(c, &v->a, na, sizeof(na));
	pg_name(c, &v->b, nb, sizeof(nb));
	pg_label(c, &v->b, lb, sizeof(lb));
	has_a = pg_info(sa, na, &ia);
	has_b = pg_info(sb, nb, &ib);
	if (has_a && strcmp(ia.kind, "veth") != 0) {
		snprintf(what, sizeof(what), "exists as a %s link, not a veth",
			 ia.kind[0] != '\0' ? ia.kind : "plain");
		return pg_in_the_way(c, na, what, false, e);
	}
	if (has_b && strcmp(ib.kind, "veth") != 0) {
		snprintf(what, sizeof(what), "exists as a %s link, not a veth",
			 ib.kind[0] != '\0' ? ib.kind : "plain");
		/* In a host, down deletes the whole namespace. */
		return pg_in_the_way(c, lb, what, v->b.ns != PG_ROOT, e);
	}
	if (has_a && !has_b) {
		snprintf(what, sizeof(what), "exists but its peer %s does not",
			 lb);
		return pg_in_the_way(c, na, what, true, e);
	}
	if (!has_a && has_b) {
		snprintf(what, sizeof(what),
			 "exists but its veth peer %s does not", na);
		return pg_in_the_way(c, lb, what, true, e);
	}
	if (has_a && pg_veth_peer_index(sa, na) != ib.ifindex) {
		snprintf(what, sizeof(what), "is a veth whose peer is not %s",
			 lb);
		return pg_in_the_way(c, na, what, true, e);
	}
	if (!has_a) {
		rc = kn_veth_add(
			sa, na, nb,
			v->b.ns != PG_ROOT ? c->ns_name[v->b.ns] : NULL, e);
		if (rc != 0)
			return rc;
		rc = pg_undo_push(c, PG_UNDO_LINK, PG_ROOT, na, NULL, e);
		if (rc != 0) {
			kn_link_del(sa, na, NULL);
			return rc;
		}
		pg_no_ipv6_autoconf(sa, na);
		pg_no_ipv6_autoconf(sb, nb);
		pg_log(c, "created veth %s <-> %s", na, lb);
		c->n_created++;
		created = true;
	}
	rc = pg_fix_end(c, &v->a, pg_master_a(v, inline_mode), keep_master,
			created, e);
	if (rc == 0)
		rc = pg_fix_end(c, &v->b, v->b.master, false, created, e);
	return rc;
}

/* Read h2's vxlan0 back; 0 when it exists and is a vxlan link, -EEXIST
 * when it is another kind of link. */
static int
pg_vx_read(struct kn_sock *s, struct kn_vxlan_state *st)
{
	int rc;

	if (s == NULL) {
		memset(st, 0, sizeof(*st));
		return -ENODEV;
	}
	rc = kn_vxlan_read(s, PG_VX_NAME, st);
	if (rc == 0 && !st->is_vxlan)
		rc = -EEXIST;
	return rc;
}

/* Whether ST is the vxlan0 the playground makes (DEV_IDX: h2's eth1). */
static bool
pg_vx_matches(const struct kn_vxlan_state *st, int dev_idx)
{
	return st->vni == PG_VX_VNI && st->port == PG_VX_PORT &&
	       st->underlay_ifindex == dev_idx &&
	       strcmp(st->local, PG_VX_LOCAL) == 0 &&
	       strcmp(st->remote, PG_VX_REMOTE) == 0;
}

static int
pg_up_vxlan(struct pg_ctx *c, struct dpm_err *e)
{
	struct kn_sock *s = c->s[PG_H2];
	struct kn_vxlan_state st;
	struct kn_link_info li;
	bool created = false;
	char label[64];
	int rc;

	snprintf(label, sizeof(label), "%s/%s", c->ns_name[PG_H2], PG_VX_NAME);
	rc = pg_vx_read(s, &st);
	if (rc == -EEXIST)
		return pg_in_the_way(c, label, "exists but is not a vxlan link",
				     true, e);
	if (rc == 0 && !pg_vx_matches(&st, kn_link_index(s, PG_VX_DEV)))
		return pg_in_the_way(c, label,
				     "exists with other parameters than "
				     "id 100 local " PG_VX_LOCAL
				     " remote " PG_VX_REMOTE
				     " dev eth1 dstport 4789",
				     true, e);
	if (rc != 0) {
		struct kn_vxlan vx;

		memset(&vx, 0, sizeof(vx));
		vx.vni = PG_VX_VNI;
		vx.dstport = PG_VX_PORT;
		kn_ip_parse(PG_VX_LOCAL, &vx.local);
		kn_ip_parse(PG_VX_REMOTE, &vx.remote);
		snprintf(vx.underlay, sizeof(vx.underlay), "%s", PG_VX_DEV);
		rc = kn_vxlan_add(s, PG_VX_NAME, &vx, e);
		if (rc != 0)
			return rc;
		rc = pg_undo_push(c, PG_UNDO_LINK, PG_H2, PG_VX_NAME, NULL, e);
		if (rc != 0) {
			kn_link_del(s, PG_VX_NAME, NULL);
			return rc;
		}
		pg_no_ipv6_autoconf(s, PG_VX_NAME);
		pg_log(c,
		       "created %s (id %d local %s remote %s dev eth1 "
		       "dstport %d)",
		       label, PG_VX_VNI, PG_VX_LOCAL, PG_VX_REMOTE, PG_VX_PORT);
		c->n_created++;
		created = true;
	}
	rc = kn_link_info(s, PG_VX_NAME, &li, e);
	if (rc == 0 && !li.up) {
		rc = kn_link_set_up(s, PG_VX_NAME, true, e);
		if (rc == 0 && !created) {
			pg_log(c, "set %s up", label);
			c->n_changed++;
		}
	}
	/* No GRO: the far host's capture shows each copy as it came, not
	 * coalesced into super-frames. */
	if (rc == 0)
		rc = kn_link_offloads_off(s, PG_VX_NAME, e);
	return rc;
}

/* Seed wiring: remove the inline pair P-dpb <-> P-dpbr, if any, before
 * P-h1e0 goes back on P-br0 (both at once would make a loop through a
 * running dpmirror). */
static int
pg_unwire_inline(struct pg_ctx *c, struct dpm_err *e)
{
	const struct pg_veth *v = &pg_veths[PG_VETH_DPB];
	struct kn_sock *s = c->s[PG_ROOT];
	struct kn_link_info ia, ib;
	char na[KN_IFNAMSIZ], nb[KN_IFNAMSIZ], what[64];
	bool has_a, has_b;
	int rc;

	pg_name(c, &v->a, na, sizeof(na));
	pg_name(c, &v->b, nb, sizeof(nb));
	has_a = pg_info(s, na, &ia);
	has_b = pg_info(s, nb, &ib);
	if ((has_a && strcmp(ia.kind, "veth") != 0) ||
	    (has_b && strcmp(ib.kind, "veth") != 0)) {
		const struct kn_link_info *bad =
			has_a && strcmp(ia.kind, "veth") != 0 ? &ia : &ib;

		snprintf(what, sizeof(what), "exists as a %s link, not a veth",
			 bad->kind[0] != '\0' ? bad->kind : "plain");
		return pg_in_the_way(c, bad->name, what, false, e);
	}
	if (!has_a && !has_b)
		return 0;
	rc = kn_link_del(s, has_a ? na : nb, e);
	if (rc != 0)
		return rc;
	pg_log(c, "removed veth %s <-> %s (inline wiring)", na, nb);
	c->n_changed++;
	return 0;
}

/* The span mirror: P-h1e0's ingress and egress copied to P-spanx.  Not
 * fatal: without it the rest of the playground still works, and status
 * says that the span port sees nothing. */
static void
pg_up_span(struct pg_ctx *c)
{
	struct kn_sock *s = c->s[PG_ROOT];
	struct kn_filter_info fi[8];
	struct kn_match all;
	struct dpm_err e;
	char dev[KN_IFNAMSIZ], target[KN_IFNAMSIZ];
	unsigned int dirs = 0;
	int i, n, rc;

	snprintf(dev, sizeof(dev), "%s-h1e0", c->prefix);
	snprintf(target, sizeof(target), "%s-spanx", c->prefix);
	memset(&e, 0, sizeof(e));
	n = kn_tc_mirror_list(s, dev, fi, 8, &e);
	for (i = 0; i < n; i++)
		if (strcmp(fi[i].target, target) == 0)
			dirs |= (unsigned int)fi[i].dir;
	if (n > 0 && (dirs & KN_DIR_BOTH) == KN_DIR_BOTH)
		return;
	if (n > 0) {
		/* Half a mirror, or one to elsewhere: start again. */
		kn_tc_mirror_del(s, dev, KN_DIR_BOTH, NULL);
		pg_log(c, "removed the incomplete span mirror on %s", dev);
	}
	memset(&all, 0, sizeof(all));
	all.proto = -1;
	all.sport = -1;
	all.dport = -1;
	rc = kn_tc_mirror_add(s, dev, KN_DIR_BOTH, &all, target, &e);
	if (rc != 0) {
		fprintf(stderr,
			"warning: playground %s: span mirror %s -> %s not "
			"installed: %s; %s-span will see nothing (the rest of "
			"the playground works)\n",
			c->prefix, dev, target, e.msg, c->prefix);
		return;
	}
	pg_log(c, "mirrored %s ingress and egress to %s", dev, target);
	c->n_created++;
}

static int
pg_up(struct pg_ctx *c, bool inline_mode, struct dpm_err *e)
{
	unsigned int i;
	int rc;

	rc = pg_up_netns(c, PG_H1, e);
	if (rc == 0)
		rc = pg_up_netns(c, PG_H2, e);
	for (i = 0; rc == 0 && i < PG_N_BRIDGES; i++)
		rc = pg_up_bridge(c, &pg_bridges[i], e);
	for (i = 0; rc == 0 && i < PG_N_VETHS; i++) {
		if (pg_veths[i].inline_only && !inline_mode)
			continue;
		/* In seed wiring P-h1e0 goes on P-br0 only once the inline
		 * pair is gone (below): keep its master for now. */
		rc = pg_up_veth(c, &pg_veths[i], inline_mode,
				pg_veths[i].wired && !inline_mode, e);
	}
	if (rc == 0)
		rc = pg_up_vxlan(c, e);
	if (rc == 0 && !inline_mode) {
		rc = pg_unwire_inline(c, e);
		if (rc == 0) {
			const struct pg_end *h1e0 = &pg_veths[PG_VETH_H1E0].a;
			char name[KN_IFNAMSIZ];

			pg_name(c, h1e0, name, sizeof(name));
			rc = pg_fix_end(c, h1e0, h1e0->master, false,
					pg_created(c, PG_ROOT, name), e);
		}
	}
	if (rc == 0)
		pg_up_span(c);
	return rc;
}

int
kn_playground_up(const struct kn_pg_opts *o, struct dpm_err *e)
{
	const char *prefix =
		o->prefix != NULL ? o->prefix : KN_PG_DEFAULT_PREFIX;
	struct pg_ctx *c;
	int rc;

	rc = pg_ctx_open(prefix, o->log, &c, e);
	if (rc != 0)
		return rc;
	rc = pg_up(c, o->inline_mode, e);
	if (rc != 0) {
		int n = c->n_undo;

		pg_rollback(c);
		if (n > 0 && c->log != NULL)
			fprintf(c->log,
				"playground %s: up failed; undid the %d "
				"step%s this call had made\n",
				prefix, n, n == 1 ? "" : "s");
	} else if (c->log != NULL) {
		if (c->n_created == 0 && c->n_changed == 0)
			fprintf(c->log,
				"playground %s is up (%s wiring); nothing "
				"changed\n",
				prefix, o->inline_mode ? "inline" : "seed");
		else
			fprintf(c->log,
				"playground %s is up (%s wiring): %d "
				"created, %d changed\n",
				prefix, o->inline_mode ? "inline" : "seed",
				c->n_created, c->n_changed);
	}
	pg_ctx_close(c);
	free(c);
	return rc;
}

/* ---- down ---- */

int
kn_playground_down(const char *prefix, struct dpm_err *e)
{
	struct pg_ctx *c;
	char left[DPM_ERR_LEN / 2] = "";
	size_t used = 0;
	int i, n = 0, rc;

	rc = pg_ctx_open(prefix, NULL, &c, e);
	if (rc != 0)
		return rc;
	/* Root ends first (their peers in the hosts go with them), bridges
	 * last but before the namespaces. */
	for (i = (int)PG_N_VETHS + (int)PG_N_BRIDGES - 1; i >= 0; i--) {
		bool bridge = i < (int)PG_N_BRIDGES;
		const struct pg_veth *v =
			bridge ? NULL : &pg_veths[i - (int)PG_N_BRIDGES];
		const struct pg_end *ends[2] = {
			bridge ? &pg_bridges[i] : &v->a,
			bridge ? NULL : &v->b,
		};
		int k;

		for (k = 0; k < 2; k++) {
			struct kn_link_info li;
			char name[KN_IFNAMSIZ];

			if (ends[k] == NULL || ends[k]->ns != PG_ROOT)
				continue;
			pg_name(c, ends[k], name, sizeof(name));
			if (!pg_info(c->s[PG_ROOT], name, &li))
				continue;
			if (strcmp(li.kind, bridge ? "bridge" : "veth") != 0) {
				int w = snprintf(
					left + used, sizeof(left) - used,
					"%s%s (a %s link)",
					used > 0 ? ", " : "", name,
					li.kind[0] ? li.kind : "plain");

				if (w > 0 && (size_t)w < sizeof(left) - used)
					used += (size_t)w;
				continue;
			}
			rc = kn_link_del(c->s[PG_ROOT], name, e);
			if (rc != 0 && rc != -ENODEV)
				goto out;
			n++;
		}
	}
	for (i = PG_H1; i < PG_N_NS; i++) {
		if (!kn_netns_exists(c->ns_name[i]))
			continue;
		rc = kn_netns_del(c->ns_name[i], e);
		if (rc != 0)
			goto out;
		n++;
	}
	rc = n;
	if (left[0] != '\0')
		rc = kn_fail(e, EEXIST,
			     "playground %s: removed %d object%s but left %s: "
			     "playground up did not make %s; delete %s by hand",
			     prefix, n, n == 1 ? "" : "s", left,
			     strchr(left, ',') ? "them" : "it",
			     strchr(left, ',') ? "them" : "it");
out:
	pg_ctx_close(c);
	free(c);
	return rc;
}

/* ---- status ---- */

struct pg_status {
	struct pg_ctx *c;
	FILE *out;
	int problems;
};

static void
pg_mac_str(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* One line for END: its state, then "ok" or what is wrong with it. */
/* End an object's status line: "ok", or "PROBLEM" and what is wrong
 * (BAD: "; ..." clauses, "" when all is well). */
static void
pg_verdict(struct pg_status *st, const char *bad)
{
	if (bad[0] != '\0') {
		fprintf(st->out, "  PROBLEM%s\n", bad);
		st->problems++;
	} else {
		fprintf(st->out, "  ok\n");
	}
}

static void
pg_status_end(struct pg_status *st, const struct pg_end *end, const char *kind,
	      const char *master, const char *peer)
{
	struct pg_ctx *c = st->c;
	struct kn_sock *s = c->s[end->ns];
	struct kn_link_info li;
	char name[KN_IFNAMSIZ], label[64], addrs[160], mac[24], want[32];
	char bad[256] = "";
	size_t b = 0;

	pg_name(c, end, name, sizeof(name));
	pg_label(c, end, label, sizeof(label));
	if (!pg_info(s, name, &li)) {
		fprintf(st->out, "  %-7s %-16s missing\n", kind, label);
		st->problems++;
		return;
	}
	pg_addrs(s, li.ifindex, NULL, addrs, sizeof(addrs));
	pg_mac_str(li.mac, mac, sizeof(mac));
	fprintf(st->out,
		"  %-7s %-16s %s%s%smaster %s, %s, %s, mtu %u, %s, "
		"%s",
		kind, label, peer != NULL ? "peer " : "",
		peer != NULL ? peer : "", peer != NULL ? ", " : "",
		li.master[0] != '\0' ? li.master : "-", li.up ? "up" : "DOWN",
		li.running ? "carrier" : "NO-CARRIER", li.mtu, mac,
		addrs[0] != '\0' ? addrs : "no address");
#define PG_BAD(...)                                                            \
	do {                                                                   \
		int w_ = snprintf(bad + b, sizeof(bad) - b, __VA_ARGS__);      \
		if (w_ > 0 && (size_t)w_ < sizeof(bad) - b)                    \
			b += (size_t)w_;                                       \
	} while (0)
	if (strcmp(li.kind, kind) != 0)
		PG_BAD("; is a %s, not a %s", li.kind[0] ? li.kind : "plain",
		       kind);
	if (!li.up)
		PG_BAD("; down");
	if (!li.running)
		PG_BAD("; no carrier");
	if (master != NULL)
		snprintf(want, sizeof(want), "%s-%s", c->prefix, master);
	else
		want[0] = '\0';
	if (strcmp(li.master, want) != 0)
		PG_BAD("; master should be %s", want[0] ? want : "none");
	if (end->mtu != 0 && li.mtu != end->mtu)
		PG_BAD("; mtu should be %u", end->mtu);
	if (end->mac != NULL && memcmp(li.mac, end->mac, 6) != 0) {
		pg_mac_str(end->mac, mac, sizeof(mac));
		PG_BAD("; MAC should be %s", mac);
	}
	if (end->addr != NULL &&
	    pg_addrs(s, li.ifindex, end->addr, NULL, 0) == 0)
		PG_BAD("; address %s missing", end->addr);
#undef PG_BAD
	pg_verdict(st, bad);
}

static void
pg_status_vxlan(struct pg_status *st)
{
	struct pg_ctx *c = st->c;
	struct kn_sock *s = c->s[PG_H2];
	struct kn_vxlan_state vx;
	struct kn_link_info li;
	char label[64], bad[160] = "";
	int rc;

	snprintf(label, sizeof(label), "%s/%s", c->ns_name[PG_H2], PG_VX_NAME);
	rc = pg_vx_read(s, &vx);
	if (rc == -ENODEV) {
		fprintf(st->out, "  %-7s %-16s missing\n", "vxlan", label);
		st->problems++;
		return;
	}
	if (rc != 0 || !pg_info(s, PG_VX_NAME, &li)) {
		fprintf(st->out, "  %-7s %-16s PROBLEM: not a vxlan link\n",
			"vxlan", label);
		st->problems++;
		return;
	}
	fprintf(st->out,
		"  %-7s %-16s id %u local %s remote %s dev %s "
		"dstport %u, %s, %s, mtu %u",
		"vxlan", label, vx.vni, vx.local, vx.remote,
		vx.underlay_ifindex == kn_link_index(s, PG_VX_DEV) ? PG_VX_DEV
								   : "?",
		vx.port, li.up ? "up" : "DOWN",
		li.running ? "carrier" : "NO-CARRIER", li.mtu);
	if (!pg_vx_matches(&vx, kn_link_index(s, PG_VX_DEV)))
		snprintf(bad, sizeof(bad),
			 "; should be id %d local %s remote %s dev eth1 "
			 "dstport %d",
			 PG_VX_VNI, PG_VX_LOCAL, PG_VX_REMOTE, PG_VX_PORT);
	else if (!li.up)
		snprintf(bad, sizeof(bad), "; down");
	pg_verdict(st, bad);
}

static void
pg_status_span(struct pg_status *st)
{
	struct pg_ctx *c = st->c;
	struct kn_filter_info fi[8];
	struct dpm_err e;
	char dev[KN_IFNAMSIZ], target[KN_IFNAMSIZ];
	unsigned int dirs = 0;
	int i, n;

	snprintf(dev, sizeof(dev), "%s-h1e0", c->prefix);
	snprintf(target, sizeof(target), "%s-spanx", c->prefix);
	memset(&e, 0, sizeof(e));
	if (kn_link_index(c->s[PG_ROOT], dev) < 0) {
		fprintf(st->out, "  %-7s %-16s missing (no %s)\n", "span", dev,
			dev);
		st->problems++;
		return;
	}
	n = kn_tc_mirror_list(c->s[PG_ROOT], dev, fi, 8, &e);
	if (n < 0) {
		fprintf(st->out,
			"  %-7s %-16s PROBLEM: cannot read the span "
			"filters: %s\n",
			"span", dev, e.msg);
		st->problems++;
		return;
	}
	for (i = 0; i < n && i < 8; i++) {
		fprintf(st->out,
			"  %-7s %-16s %s u32 %s -> mirred egress "
			"mirror %s: %llu packets, %llu bytes\n",
			"span", dev,
			fi[i].dir == KN_DIR_INGRESS  ? "ingress"
			: fi[i].dir == KN_DIR_EGRESS ? "egress"
						     : "both",
			fi[i].match[0] ? fi[i].match : "all", fi[i].target,
			(unsigned long long)fi[i].packets,
			(unsigned long long)fi[i].bytes);
		if (strcmp(fi[i].target, target) == 0)
			dirs |= (unsigned int)fi[i].dir;
	}
	if ((dirs & KN_DIR_BOTH) != KN_DIR_BOTH) {
		fprintf(st->out,
			"  %-7s %-16s PROBLEM: no %s%s%s mirror to "
			"%s; %s-span sees %s (run playground up again)\n",
			"span", dev, (dirs & KN_DIR_INGRESS) ? "" : "ingress",
			(dirs & KN_DIR_BOTH) == 0 ? " or " : "",
			(dirs & KN_DIR_EGRESS) ? "" : "egress", target,
			c->prefix,
			dirs == 0 ? "nothing" : "one direction only");
		st->problems++;
	}
}

int
kn_playground_status(const char *prefix, FILE *out, struct dpm_err *e)
{
	struct pg_status st;
	struct pg_ctx *c;
	struct kn_link_info li;
	char name[KN_IFNAMSIZ];
	bool inline_mode;
	unsigned int i;
	int rc, ns;

	rc = pg_ctx_open(prefix, NULL, &c, e);
	if (rc != 0)
		return rc;
	memset(&st, 0, sizeof(st));
	st.c = c;
	st.out = out;

	snprintf(name, sizeof(name), "%s-dpb", prefix);
	inline_mode = pg_info(c->s[PG_ROOT], name, &li);
	if (inline_mode)
		fprintf(out,
			"playground %s: inline wiring (%s-h1e0 is off "
			"%s-br0; dpmirror forwards between %s-h1e0 and "
			"%s-dpb, %s-dpbr is on %s-br0)\n",
			prefix, prefix, prefix, prefix, prefix, prefix, prefix);
	else
		fprintf(out,
			"playground %s: seed wiring (%s-h1e0 on "
			"%s-br0)\n",
			prefix, prefix, prefix);
	for (ns = PG_H1; ns < PG_N_NS; ns++) {
		if (!kn_netns_exists(c->ns_name[ns])) {
			fprintf(out, "  %-7s %-16s missing\n", "netns",
				c->ns_name[ns]);
			st.problems++;
			continue;
		}
		c->s[ns] = kn_sock_open(c->ns_name[ns], e);
		if (c->s[ns] == NULL) {
			fprintf(out, "  %-7s %-16s PROBLEM: %s\n", "netns",
				c->ns_name[ns], e->msg);
			st.problems++;
			continue;
		}
		fprintf(out, "  %-7s %-16s ok\n", "netns", c->ns_name[ns]);
	}
	for (i = 0; i < PG_N_BRIDGES; i++)
		pg_status_end(&st, &pg_bridges[i], "bridge", NULL, NULL);
	for (i = 0; i < PG_N_VETHS; i++) {
		const struct pg_veth *v = &pg_veths[i];
		char la[64], lb[64];

		if (v->inline_only && !inline_mode)
			continue;
		pg_label(c, &v->a, la, sizeof(la));
		pg_label(c, &v->b, lb, sizeof(lb));
		if (v->b.ns != PG_ROOT && c->s[v->b.ns] == NULL) {
			pg_status_end(&st, &v->a, "veth",
				      pg_master_a(v, inline_mode), lb);
			fprintf(out, "  %-7s %-16s missing (no netns)\n",
				"veth", lb);
			st.problems++;
			continue;
		}
		pg_status_end(&st, &v->a, "veth", pg_master_a(v, inline_mode),
			      lb);
		pg_status_end(&st, &v->b, "veth", v->b.master, la);
	}
	pg_status_vxlan(&st);
	pg_status_span(&st);
	if (st.problems == 0)
		fprintf(out, "playground %s: all up\n", prefix);
	else
		fprintf(out, "playground %s: %d problem%s\n", prefix,
			st.problems, st.problems == 1 ? "" : "s");
	rc = st.problems == 0 ? 0 : 1;
	pg_ctx_close(c);
	free(c);
	return rc;
}
