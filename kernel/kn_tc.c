/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tc primitives of the kernel mirror on libnl-route-3: an ingress or
 * clsact qdisc and u32 filters whose action is
 * `mirred egress mirror dev TARGET` (the seed's sections 2.2-2.3).
 *
 * Which objects are ours, across processes:
 *  - filters: those at priorities KN_TC_PRIO .. KN_TC_PRIO_EGRESS_V6 (see
 *    kn_tc.h), a range tc never picks by itself (its automatic priorities
 *    start at 49152);
 *  - the qdisc: removed by del once no filter at all is left on it, so a
 *    qdisc that carries anybody else's filters stays.
 *
 * The mirred action's verdict is TC_ACT_UNSPEC ("continue"), not "pipe":
 * with pipe the kernel stops classifying at our filter, so filters that sit
 * behind it (higher priority numbers) would no longer see the packets it
 * matched.  With continue the mirror is invisible to the rest of the chain.
 *
 * Matches: u32 offsets are relative to the network header.  IPv4 assumes no
 * IP options: ports are read at the fixed offset 20, and a port match also
 * requires IHL = 5 and fragment offset 0, so packets with options and
 * non-first fragments do not match (rather than matching on garbage).  IPv6
 * assumes no extension headers (next header at 6, ports at 40).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/action.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/link.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include "dpm_proto.h"
#include "kn_tc.h"

/* The parents filters are attached to. */
#define PARENT_INGRESS_QDISC TC_H_MAKE(TC_H_INGRESS, 0)
#define PARENT_CLSACT_IN     TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
#define PARENT_CLSACT_OUT    TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)

enum qdisc_kind {
	QDISC_NONE,
	QDISC_INGRESS,
	QDISC_CLSACT,
	QDISC_OTHER,
};

static bool
is_ours(uint32_t prio)
{
	return prio >= KN_TC_PRIO && prio <= KN_TC_PRIO_EGRESS_V6;
}

/* Our priority for the filter of FAMILY (0 = all) on hook DIR. */
static uint32_t
our_prio(enum kn_dir dir, int family)
{
	return (dir == KN_DIR_EGRESS ? KN_TC_PRIO_EGRESS : KN_TC_PRIO) +
	       (family == AF_INET6 ? 1 : 0);
}

static const char *
dir_name(enum kn_dir dir)
{
	switch (dir) {
	case KN_DIR_INGRESS:
		return "ingress";
	case KN_DIR_EGRESS:
		return "egress";
	case KN_DIR_BOTH:
		return "both";
	}
	return "?";
}

const char *
kn_dir_str(enum kn_dir dir)
{
	return dir_name(dir);
}

/* The device's qdisc at the ingress slot (ingress or clsact), if any. */
static int
ingress_qdisc(struct kn_sock *s, int ifindex, enum qdisc_kind *kind,
	      struct dpm_err *e)
{
	struct nl_cache *cache;
	struct nl_object *o;
	int rc;

	*kind = QDISC_NONE;
	rc = rtnl_qdisc_alloc_cache(kn_sock_nl(s), &cache);
	if (rc < 0)
		return kn_nl_fail(e, rc, "list qdiscs in %s", kn_sock_where(s));
	for (o = nl_cache_get_first(cache); o != NULL;
	     o = nl_cache_get_next(o)) {
		struct rtnl_tc *tc = (struct rtnl_tc *)o;
		const char *k;

		if (rtnl_tc_get_ifindex(tc) != ifindex ||
		    rtnl_tc_get_parent(tc) != TC_H_INGRESS)
			continue;
		k = rtnl_tc_get_kind(tc);
		if (k != NULL && strcmp(k, "ingress") == 0)
			*kind = QDISC_INGRESS;
		else if (k != NULL && strcmp(k, "clsact") == 0)
			*kind = QDISC_CLSACT;
		else
			*kind = QDISC_OTHER;
	}
	nl_cache_free(cache);
	return 0;
}

static struct rtnl_qdisc *
qdisc_obj(int ifindex, enum qdisc_kind kind)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (q == NULL)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_INGRESS);
	rtnl_tc_set_handle(TC_CAST(q), TC_H_MAKE(TC_H_INGRESS, 0));
	/* libnl has no module for clsact: the kind is sent bare. */
	rtnl_tc_set_kind(TC_CAST(q),
			 kind == QDISC_CLSACT ? "clsact" : "ingress");
	return q;
}

/* Add (ADD) or delete DEV's ingress or clsact qdisc. */
static int
qdisc_op(struct kn_sock *s, const char *dev, int ifindex, enum qdisc_kind kind,
	 bool add, struct dpm_err *e)
{
	struct rtnl_qdisc *q = qdisc_obj(ifindex, kind);
	int rc;

	if (q == NULL)
		return kn_fail(e, ENOMEM, "out of memory");
	rc = add ? rtnl_qdisc_add(kn_sock_nl(s), q, NLM_F_CREATE | NLM_F_EXCL)
		 : rtnl_qdisc_delete(kn_sock_nl(s), q);
	rtnl_qdisc_put(q);
	if (rc < 0)
		return kn_nl_fail(e, rc, "%s %s qdisc %s %s in %s",
				  add ? "add" : "delete",
				  kind == QDISC_CLSACT ? "clsact" : "ingress",
				  add ? "to" : "of", dev, kn_sock_where(s));
	return 0;
}

/* ---- reading filters back (raw dump: libnl does not parse action
 * statistics in filter dumps) ---- */

struct dump_ctx {
	enum kn_dir dir;
	struct kn_filter_info *out; /* NULL: only count */
	int max;
	int n_ours;  /* our filters seen (stored up to MAX) */
	int n_other; /* filter nodes at other priorities */
	int err;
};

static int
popcount32(uint32_t v)
{
	return __builtin_popcount(v);
}

static void
append_proto(char *buf, size_t len, int proto)
{
	const char *name = dpm_proto_name(proto);

	if (name != NULL)
		kn_append(buf, len, " proto %s", name);
	else
		kn_append(buf, len, " proto %d", proto);
}

/*
 * Describe a selector built by add_keys() ("ip proto tcp src 198.18.0.0/24
 * dport 80"); keys it would not have built are shown raw.
 */
static void
describe_sel(uint16_t eth_proto, const struct tc_u32_sel *sel, char *buf,
	     size_t len)
{
	bool v6 = eth_proto == ETH_P_IPV6;
	uint8_t src[16] = {0}, dst[16] = {0};
	int src_len = 0, dst_len = 0, sport = -1, dport = -1, proto = -1;
	char ip[64];
	int i;

	buf[0] = '\0';
	if (eth_proto == ETH_P_ALL)
		kn_append(buf, len, "all");
	else if (eth_proto == ETH_P_IP)
		kn_append(buf, len, "ip");
	else if (v6)
		kn_append(buf, len, "ipv6");
	else
		kn_append(buf, len, "ethertype 0x%04x", eth_proto);
	for (i = 0; i < sel->nkeys; i++) {
		const struct tc_u32_key *k = &sel->keys[i];
		uint32_t val = ntohl(k->val), mask = ntohl(k->mask);
		int off = k->off;

		if (mask == 0)
			continue;
		if (!v6 && off == 0 && mask == 0x0f000000)
			continue; /* IHL = 5, part of a port match */
		if (!v6 && off == 4 && mask == 0x00001fff)
			continue; /* first fragment, part of a port match */
		if (!v6 && off == 8 && mask == 0x00ff0000) {
			proto = (int)(val >> 16);
		} else if (v6 && off == 4 && mask == 0x0000ff00) {
			proto = (int)((val >> 8) & 0xff);
		} else if (!v6 && (off == 12 || off == 16)) {
			uint32_t nv = htonl(val);

			memcpy(off == 12 ? src : dst, &nv, 4);
			*(off == 12 ? &src_len : &dst_len) = popcount32(mask);
		} else if (v6 && off >= 8 && off < 40) {
			uint32_t nv = htonl(val);
			bool is_src = off < 24;
			int w = (off - (is_src ? 8 : 24)) / 4;

			memcpy((is_src ? src : dst) + 4 * w, &nv, 4);
			*(is_src ? &src_len : &dst_len) += popcount32(mask);
		} else if (off == (v6 ? 40 : 20) &&
			   (mask == 0xffff0000 || mask == 0x0000ffff)) {
			if (mask == 0xffff0000)
				sport = (int)(val >> 16);
			else
				dport = (int)(val & 0xffff);
		} else {
			kn_append(buf, len, " u32 0x%08x/0x%08x at %d", val,
				  mask, off);
		}
	}
	if (proto >= 0)
		append_proto(buf, len, proto);
	if (src_len > 0)
		kn_append(
			buf, len, " src %s/%d",
			inet_ntop(v6 ? AF_INET6 : AF_INET, src, ip, sizeof(ip)),
			src_len);
	if (dst_len > 0)
		kn_append(
			buf, len, " dst %s/%d",
			inet_ntop(v6 ? AF_INET6 : AF_INET, dst, ip, sizeof(ip)),
			dst_len);
	if (sport >= 0)
		kn_append(buf, len, " sport %d", sport);
	if (dport >= 0)
		kn_append(buf, len, " dport %d", dport);
}

/* The mirred action of a TCA_U32_ACT list: target and counters. */
static void
parse_actions(struct nlattr *list, struct kn_filter_info *fi)
{
	struct nlattr *acts[TCA_ACT_MAX_PRIO + 1];
	int i;

	if (nla_parse_nested(acts, TCA_ACT_MAX_PRIO, list, NULL) < 0)
		return;
	for (i = 1; i <= TCA_ACT_MAX_PRIO; i++) {
		struct nlattr *a[TCA_ACT_MAX + 1], *o[TCA_MIRRED_MAX + 1];
		struct nlattr *st[TCA_STATS_MAX + 1];
		char kind[16];

		if (acts[i] == NULL ||
		    nla_parse_nested(a, TCA_ACT_MAX, acts[i], NULL) < 0 ||
		    a[TCA_ACT_KIND] == NULL)
			continue;
		nla_strlcpy(kind, a[TCA_ACT_KIND], sizeof(kind));
		if (strcmp(kind, "mirred") != 0)
			continue;
		if (a[TCA_ACT_OPTIONS] != NULL &&
		    nla_parse_nested(o, TCA_MIRRED_MAX, a[TCA_ACT_OPTIONS],
				     NULL) == 0 &&
		    o[TCA_MIRRED_PARMS] != NULL &&
		    nla_len(o[TCA_MIRRED_PARMS]) >=
			    (int)sizeof(struct tc_mirred)) {
			struct tc_mirred p;

			/* The name is looked up after the dump: no request
			 * can go out on the socket while it runs. */
			memcpy(&p, nla_data(o[TCA_MIRRED_PARMS]), sizeof(p));
			fi->target_ifindex = (int)p.ifindex;
		}
		if (a[TCA_ACT_STATS] != NULL &&
		    nla_parse_nested(st, TCA_STATS_MAX, a[TCA_ACT_STATS],
				     NULL) == 0) {
			if (st[TCA_STATS_BASIC] != NULL &&
			    nla_len(st[TCA_STATS_BASIC]) >= 12) {
				uint64_t bytes;
				uint32_t pkts;

				memcpy(&bytes, nla_data(st[TCA_STATS_BASIC]),
				       8);
				memcpy(&pkts,
				       (const char *)nla_data(
					       st[TCA_STATS_BASIC]) +
					       8,
				       4);
				fi->bytes = bytes;
				fi->packets = pkts;
			}
			if (st[TCA_STATS_PKT64] != NULL &&
			    nla_len(st[TCA_STATS_PKT64]) >= 8)
				memcpy(&fi->packets,
				       nla_data(st[TCA_STATS_PKT64]), 8);
		}
		return; /* the first mirred action is the one we added */
	}
}

static int
filter_msg(struct nl_msg *msg, void *arg)
{
	struct dump_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[TCA_MAX + 1], *opt[TCA_U32_MAX + 1];
	struct kn_filter_info fi;
	const struct tc_u32_sel *sel;
	struct tcmsg *t;
	uint32_t prio;
	uint16_t eth_proto;
	char kind[16];

	if (nlh->nlmsg_type != RTM_NEWTFILTER ||
	    nlmsg_parse(nlh, sizeof(*t), tb, TCA_MAX, NULL) < 0)
		return NL_OK;
	t = nlmsg_data(nlh);
	prio = TC_H_MAJ(t->tcm_info) >> 16;
	eth_proto = ntohs((uint16_t)TC_H_MIN(t->tcm_info));
	if (!is_ours(prio)) {
		ctx->n_other++;
		return NL_OK;
	}
	/* Only u32 key nodes carry a selector: skip the classifier's head
	 * and its hash table. */
	if (tb[TCA_KIND] == NULL || tb[TCA_OPTIONS] == NULL)
		return NL_OK;
	nla_strlcpy(kind, tb[TCA_KIND], sizeof(kind));
	if (strcmp(kind, "u32") != 0 ||
	    nla_parse_nested(opt, TCA_U32_MAX, tb[TCA_OPTIONS], NULL) < 0 ||
	    opt[TCA_U32_SEL] == NULL ||
	    nla_len(opt[TCA_U32_SEL]) < (int)sizeof(*sel))
		return NL_OK;
	sel = nla_data(opt[TCA_U32_SEL]);
	if (nla_len(opt[TCA_U32_SEL]) <
	    (int)(sizeof(*sel) + sel->nkeys * sizeof(sel->keys[0])))
		return NL_OK;
	memset(&fi, 0, sizeof(fi));
	fi.dir = ctx->dir;
	fi.prio = prio;
	fi.handle = t->tcm_handle;
	fi.protocol = eth_proto;
	describe_sel(eth_proto, sel, fi.match, sizeof(fi.match));
	if (opt[TCA_U32_ACT] != NULL)
		parse_actions(opt[TCA_U32_ACT], &fi);
	if (ctx->out != NULL && ctx->n_ours < ctx->max)
		ctx->out[ctx->n_ours] = fi;
	ctx->n_ours++;
	return NL_OK;
}

/* Dump the filters under PARENT of IFINDEX into CTX. */
static int
filter_dump(struct kn_sock *s, const char *dev, int ifindex, uint32_t parent,
	    struct dump_ctx *ctx, struct dpm_err *e)
{
	struct nl_sock *nl = kn_sock_nl(s);
	struct tcmsg t;
	struct nl_cb *orig, *cb;
	int rc;

	memset(&t, 0, sizeof(t));
	t.tcm_family = AF_UNSPEC;
	t.tcm_ifindex = ifindex;
	t.tcm_parent = parent;
	rc = nl_send_simple(nl, RTM_GETTFILTER, NLM_F_DUMP, &t, sizeof(t));
	if (rc < 0)
		return kn_nl_fail(e, rc, "list the filters of %s in %s", dev,
				  kn_sock_where(s));
	orig = nl_socket_get_cb(nl);
	cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (cb == NULL)
		return kn_fail(e, ENOMEM, "out of memory");
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, filter_msg, ctx);
	rc = nl_recvmsgs(nl, cb);
	nl_cb_put(cb);
	if (rc < 0)
		return kn_nl_fail(e, rc, "list the filters of %s in %s", dev,
				  kn_sock_where(s));
	return 0;
}

/* The hooks a qdisc of KIND has, with their filter parents. */
static int
hooks(enum qdisc_kind kind, enum kn_dir dirs[2], uint32_t parents[2])
{
	if (kind == QDISC_INGRESS) {
		dirs[0] = KN_DIR_INGRESS;
		parents[0] = PARENT_INGRESS_QDISC;
		return 1;
	}
	if (kind == QDISC_CLSACT) {
		dirs[0] = KN_DIR_INGRESS;
		parents[0] = PARENT_CLSACT_IN;
		dirs[1] = KN_DIR_EGRESS;
		parents[1] = PARENT_CLSACT_OUT;
		return 2;
	}
	return 0;
}

static int
list_filters(struct kn_sock *s, const char *dev, int ifindex,
	     enum qdisc_kind kind, struct dump_ctx *ctx, struct dpm_err *e)
{
	enum kn_dir dirs[2];
	uint32_t parents[2];
	int i, n = hooks(kind, dirs, parents), rc;

	for (i = 0; i < n; i++) {
		ctx->dir = dirs[i];
		rc = filter_dump(s, dev, ifindex, parents[i], ctx, e);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Fill FI->target from FI->target_ifindex. */
static void
target_name(struct kn_sock *s, struct kn_filter_info *fi)
{
	struct rtnl_link *l;

	if (fi->target_ifindex > 0 &&
	    rtnl_link_get_kernel(kn_sock_nl(s), fi->target_ifindex, NULL, &l) >=
		    0) {
		snprintf(fi->target, sizeof(fi->target), "%s",
			 rtnl_link_get_name(l));
		rtnl_link_put(l);
	} else {
		snprintf(fi->target, sizeof(fi->target), "ifindex %d",
			 fi->target_ifindex);
	}
}

int
kn_tc_mirror_list(struct kn_sock *s, const char *dev,
		  struct kn_filter_info *out, int max, struct dpm_err *e)
{
	struct dump_ctx ctx;
	enum qdisc_kind kind;
	int ifindex, rc, n, i;

	ifindex = kn_link_index(s, dev);
	if (ifindex < 0)
		return kn_fail(e, ENODEV, "no device %s in %s", dev,
			       kn_sock_where(s));
	rc = ingress_qdisc(s, ifindex, &kind, e);
	if (rc != 0)
		return rc;
	memset(&ctx, 0, sizeof(ctx));
	ctx.out = out;
	ctx.max = max;
	rc = list_filters(s, dev, ifindex, kind, &ctx, e);
	if (rc != 0)
		return rc;
	n = ctx.n_ours < max ? ctx.n_ours : max;
	for (i = 0; i < n; i++)
		target_name(s, &out[i]);
	return n;
}

/* ---- adding and deleting filters ---- */

/* Add the u32 keys for M over FAMILY (0 = match all). */
static int
add_keys(struct rtnl_cls *c, const struct kn_match *m, int family)
{
	int rc = 0, base;

	if (family == 0)
		return rtnl_u32_add_key_uint32(c, 0, 0, 0, 0);
	if (family == AF_INET) {
		if (m->proto >= 0)
			rc |= rtnl_u32_add_key_uint32(
				c, (uint32_t)m->proto << 16, 0x00ff0000, 8, 0);
		if (m->sport >= 0 || m->dport >= 0) {
			/* No options (IHL 5), first fragment only. */
			rc |= rtnl_u32_add_key_uint32(c, 0x05000000, 0x0f000000,
						      0, 0);
			rc |= rtnl_u32_add_key_uint32(c, 0, 0x00001fff, 4, 0);
		}
		if (m->has_src && m->src_len > 0) {
			uint32_t a, mask = 0xffffffffu << (32 - m->src_len);

			memcpy(&a, m->src.bytes, 4);
			rc |= rtnl_u32_add_key_uint32(c, ntohl(a) & mask, mask,
						      12, 0);
		}
		if (m->has_dst && m->dst_len > 0) {
			uint32_t a, mask = 0xffffffffu << (32 - m->dst_len);

			memcpy(&a, m->dst.bytes, 4);
			rc |= rtnl_u32_add_key_uint32(c, ntohl(a) & mask, mask,
						      16, 0);
		}
		base = 20;
	} else {
		int which, w;

		if (m->proto >= 0)
			rc |= rtnl_u32_add_key_uint32(
				c, (uint32_t)m->proto << 8, 0x0000ff00, 4, 0);
		for (which = 0; which < 2; which++) {
			const uint8_t *b =
				which == 0 ? m->src.bytes : m->dst.bytes;
			int len = which == 0 ? (m->has_src ? m->src_len : 0)
					     : (m->has_dst ? m->dst_len : 0);

			for (w = 0; w < 4 && len > 32 * w; w++) {
				int bits =
					len - 32 * w > 32 ? 32 : len - 32 * w;
				uint32_t a, mask = 0xffffffffu << (32 - bits);

				memcpy(&a, b + 4 * w, 4);
				rc |= rtnl_u32_add_key_uint32(
					c, ntohl(a) & mask, mask,
					(which == 0 ? 8 : 24) + 4 * w, 0);
			}
		}
		base = 40;
	}
	if (m->sport >= 0)
		rc |= rtnl_u32_add_key_uint32(c, (uint32_t)m->sport << 16,
					      0xffff0000, base, 0);
	if (m->dport >= 0)
		rc |= rtnl_u32_add_key_uint32(c, (uint32_t)m->dport, 0x0000ffff,
					      base, 0);
	/* A selector needs a key: src 0.0.0.0/0 alone matches every packet
	 * of the family. */
	if (m->proto < 0 && m->sport < 0 && m->dport < 0 &&
	    !(m->has_src && m->src_len > 0) && !(m->has_dst && m->dst_len > 0))
		rc |= rtnl_u32_add_key_uint32(c, 0, 0, 0, 0);
	return rc < 0 ? -NLE_NOMEM : 0;
}

static uint16_t
family_ethertype(int family)
{
	return family == 0	   ? ETH_P_ALL
	       : family == AF_INET ? ETH_P_IP
				   : ETH_P_IPV6;
}

static int
filter_add(struct kn_sock *s, const char *dev, int ifindex, uint32_t parent,
	   enum kn_dir dir, uint32_t prio, int family, const struct kn_match *m,
	   const char *target, int target_idx, struct dpm_err *e)
{
	struct rtnl_cls *c;
	struct rtnl_act *a;
	int rc;

	c = rtnl_cls_alloc();
	a = rtnl_act_alloc();
	if (c == NULL || a == NULL) {
		rc = kn_fail(e, ENOMEM, "out of memory");
		goto out;
	}
	rtnl_tc_set_ifindex(TC_CAST(c), ifindex);
	rtnl_tc_set_parent(TC_CAST(c), parent);
	rc = rtnl_tc_set_kind(TC_CAST(c), "u32");
	if (rc < 0)
		goto nlerr;
	rtnl_cls_set_prio(c, (uint16_t)prio);
	rtnl_cls_set_protocol(c, family_ethertype(family));
	rc = add_keys(c, m, family);
	if (rc < 0)
		goto nlerr;
	/* Without the terminal flag u32 never runs the action. */
	rc = rtnl_u32_set_cls_terminal(c);
	if (rc < 0)
		goto nlerr;
	rc = rtnl_tc_set_kind(TC_CAST(a), "mirred");
	if (rc < 0)
		goto nlerr;
	rtnl_mirred_set_action(a, TCA_EGRESS_MIRROR);
	rtnl_mirred_set_policy(a, TC_ACT_UNSPEC);
	rtnl_mirred_set_ifindex(a, (uint32_t)target_idx);
	rc = rtnl_u32_add_action(c, a);
	if (rc < 0)
		goto nlerr;
	rc = rtnl_cls_add(kn_sock_nl(s), c, NLM_F_CREATE | NLM_F_EXCL);
	if (rc < 0)
		goto nlerr;
	rc = 0;
	goto out;
nlerr:
	rc = kn_nl_fail(e, rc,
			"add the %s mirror filter (u32 pref %u, %s) on %s to "
			"%s in %s",
			dir_name(dir), prio,
			family == 0	    ? "all"
			: family == AF_INET ? "ip"
					    : "ipv6",
			dev, target, kn_sock_where(s));
out:
	if (a != NULL)
		rtnl_act_put(a);
	if (c != NULL)
		rtnl_cls_put(c);
	return rc;
}

/* Delete every filter at PRIO under PARENT. */
static int
filter_del(struct kn_sock *s, const char *dev, int ifindex, uint32_t parent,
	   enum kn_dir dir, uint32_t prio, uint16_t protocol, struct dpm_err *e)
{
	struct rtnl_cls *c = rtnl_cls_alloc();
	int rc;

	if (c == NULL)
		return kn_fail(e, ENOMEM, "out of memory");
	rtnl_tc_set_ifindex(TC_CAST(c), ifindex);
	rtnl_tc_set_parent(TC_CAST(c), parent);
	rtnl_tc_set_kind(TC_CAST(c), "u32");
	rtnl_cls_set_prio(c, (uint16_t)prio);
	/* libnl sends ETH_P_ALL when no protocol is set, and the kernel
	 * refuses a delete whose protocol differs from the filter's. */
	rtnl_cls_set_protocol(c, protocol);
	rc = rtnl_cls_delete(kn_sock_nl(s), c, 0);
	rtnl_cls_put(c);
	if (rc < 0)
		return kn_nl_fail(e, rc,
				  "delete the %s mirror filter (pref %u) of %s "
				  "in %s",
				  dir_name(dir), prio, dev, kn_sock_where(s));
	return 0;
}

/* The families M needs a filter for: 0 (all), AF_INET, AF_INET6. */
static int
match_families(const struct kn_match *m, int fam[2])
{
	int f = m->has_src ? m->src.family : m->has_dst ? m->dst.family : 0;

	if (f != 0) {
		fam[0] = f;
		return 1;
	}
	if (m->proto < 0 && m->sport < 0 && m->dport < 0) {
		fam[0] = 0;
		return 1;
	}
	/* icmp exists only over IPv4, icmpv6 only over IPv6. */
	f = dpm_proto_family(m->proto);
	if (f != 0) {
		fam[0] = f == 4 ? AF_INET : AF_INET6;
		return 1;
	}
	fam[0] = AF_INET;
	fam[1] = AF_INET6;
	return 2;
}

struct added {
	uint32_t parent;
	uint32_t prio;
	uint16_t protocol;
	enum kn_dir dir;
};

int
kn_tc_mirror_add(struct kn_sock *s, const char *dev, enum kn_dir dir,
		 const struct kn_match *m, const char *target,
		 struct dpm_err *e)
{
	struct added done[4];
	struct dump_ctx ctx;
	enum qdisc_kind have, want;
	bool made_qdisc = false;
	int fam[2], nfam, ifindex, tidx, ndone = 0, rc, h, f;
	uint32_t parent;

	if (dir != KN_DIR_INGRESS && dir != KN_DIR_EGRESS && dir != KN_DIR_BOTH)
		return kn_fail(e, EINVAL, "direction %d is not valid", dir);
	ifindex = kn_link_index(s, dev);
	if (ifindex < 0)
		return kn_fail(e, ENODEV, "no device %s in %s", dev,
			       kn_sock_where(s));
	tidx = kn_link_index(s, target);
	if (tidx < 0)
		return kn_fail(e, ENODEV, "no mirror target device %s in %s",
			       target, kn_sock_where(s));
	if (tidx == ifindex)
		return kn_fail(e, EINVAL, "%s cannot be mirrored to itself",
			       dev);
	rc = ingress_qdisc(s, ifindex, &have, e);
	if (rc != 0)
		return rc;
	if (have == QDISC_OTHER)
		return kn_fail(e, EBUSY,
			       "%s in %s has a qdisc of an unknown kind at "
			       "the ingress slot (ffff:fff1)",
			       dev, kn_sock_where(s));
	/* Ingress alone uses the ingress qdisc, or clsact's ingress hook
	 * (the same hook) when the device already has clsact. */
	want = (dir & KN_DIR_EGRESS) != 0 || have == QDISC_CLSACT
		       ? QDISC_CLSACT
		       : QDISC_INGRESS;
	if (have == QDISC_INGRESS && want == QDISC_CLSACT)
		return kn_fail(e, EBUSY,
			       "%s in %s already has an ingress qdisc "
			       "(ffff:), and mirroring egress traffic needs a "
			       "clsact qdisc, which cannot coexist with it; "
			       "mirror --direction ingress only, or remove "
			       "the ingress qdisc and its filters first "
			       "(tc qdisc del dev %s ingress; "
			       "dpmirrorctl kernel del if it is ours)",
			       dev, kn_sock_where(s), dev);
	if (have != QDISC_NONE) {
		struct kn_filter_info cur[8];
		int i;

		memset(&ctx, 0, sizeof(ctx));
		ctx.out = cur;
		ctx.max = 8;
		rc = list_filters(s, dev, ifindex, have, &ctx, e);
		if (rc != 0)
			return rc;
		for (i = 0; i < ctx.n_ours && i < 8; i++) {
			if ((cur[i].dir & dir) == 0)
				continue;
			target_name(s, &cur[i]);
			return kn_fail(e, EEXIST,
				       "%s in %s already has a mirror on its "
				       "%s hook (u32 pref %u to %s); remove it "
				       "first with dpmirrorctl kernel del",
				       dev, kn_sock_where(s),
				       dir_name(cur[i].dir), cur[i].prio,
				       cur[i].target);
		}
	} else {
		rc = qdisc_op(s, dev, ifindex, want, true, e);
		if (rc != 0)
			return rc;
		made_qdisc = true;
	}
	nfam = match_families(m, fam);
	for (h = KN_DIR_INGRESS; h <= KN_DIR_EGRESS; h++) {
		if ((dir & h) == 0)
			continue;
		if (h == KN_DIR_EGRESS)
			parent = PARENT_CLSACT_OUT;
		else
			parent = want == QDISC_CLSACT ? PARENT_CLSACT_IN
						      : PARENT_INGRESS_QDISC;
		for (f = 0; f < nfam; f++) {
			uint32_t prio = our_prio(h, fam[f]);

			rc = filter_add(s, dev, ifindex, parent, h, prio,
					fam[f], m, target, tidx, e);
			if (rc != 0)
				goto rollback;
			done[ndone].parent = parent;
			done[ndone].prio = prio;
			done[ndone].protocol = family_ethertype(fam[f]);
			done[ndone].dir = h;
			ndone++;
		}
	}
	return 0;
rollback:
	while (ndone-- > 0)
		filter_del(s, dev, ifindex, done[ndone].parent, done[ndone].dir,
			   done[ndone].prio, done[ndone].protocol, NULL);
	if (made_qdisc)
		qdisc_op(s, dev, ifindex, want, false, NULL);
	return rc;
}

int
kn_tc_mirror_del_count(struct kn_sock *s, const char *dev, enum kn_dir dir,
		       struct dpm_err *e)
{
	enum kn_dir dirs[2];
	uint32_t parents[2];
	struct dump_ctx ctx;
	enum qdisc_kind kind;
	int ifindex, rc, n, i, removed = 0;

	ifindex = kn_link_index(s, dev);
	if (ifindex < 0)
		return kn_fail(e, ENODEV, "no device %s in %s", dev,
			       kn_sock_where(s));
	rc = ingress_qdisc(s, ifindex, &kind, e);
	if (rc != 0)
		return rc;
	n = hooks(kind, dirs, parents);
	for (i = 0; i < n; i++) {
		struct kn_filter_info cur[8];
		uint32_t gone[8];
		int j, k, ngone = 0;

		if ((dirs[i] & dir) == 0)
			continue;
		memset(&ctx, 0, sizeof(ctx));
		ctx.out = cur;
		ctx.max = 8;
		ctx.dir = dirs[i];
		rc = filter_dump(s, dev, ifindex, parents[i], &ctx, e);
		if (rc != 0)
			return rc;
		/* One delete per priority removes all its nodes. */
		for (j = 0; j < ctx.n_ours && j < 8; j++) {
			for (k = 0; k < ngone; k++)
				if (gone[k] == cur[j].prio)
					break;
			if (k < ngone)
				continue;
			rc = filter_del(s, dev, ifindex, parents[i], dirs[i],
					cur[j].prio, cur[j].protocol, e);
			if (rc != 0)
				return rc;
			gone[ngone++] = cur[j].prio;
			removed++;
		}
	}
	if (kind == QDISC_NONE || kind == QDISC_OTHER)
		return removed;
	/* Remove the qdisc once nothing at all is attached to it. */
	memset(&ctx, 0, sizeof(ctx));
	rc = list_filters(s, dev, ifindex, kind, &ctx, e);
	if (rc != 0)
		return rc;
	if (ctx.n_ours == 0 && ctx.n_other == 0) {
		rc = qdisc_op(s, dev, ifindex, kind, false, e);
		if (rc != 0)
			return rc;
	}
	return removed;
}

int
kn_tc_mirror_del(struct kn_sock *s, const char *dev, enum kn_dir dir,
		 struct dpm_err *e)
{
	int rc = kn_tc_mirror_del_count(s, dev, dir, e);

	return rc < 0 ? rc : 0;
}

const char *
kn_tc_ingress_qdisc(struct kn_sock *s, const char *dev, struct dpm_err *e)
{
	enum qdisc_kind kind;
	int ifindex = kn_link_index(s, dev);

	if (ifindex < 0) {
		kn_fail(e, ENODEV, "no device %s in %s", dev, kn_sock_where(s));
		return NULL;
	}
	if (ingress_qdisc(s, ifindex, &kind, e) != 0)
		return NULL;
	return kind == QDISC_INGRESS  ? "ingress"
	       : kind == QDISC_CLSACT ? "clsact"
	       : kind == QDISC_NONE   ? "none"
				      : "other";
}
