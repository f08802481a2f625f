/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The [playground] and [kernel NAME] sections: the veth/netns playground
 * and the Linux kernel's own mirror (tc mirred into a tunnel link), whose
 * rules (cfg_kernel.h) every front end of the kernel mirror shares.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "cfg_internal.h"
#include "cfg_kernel.h"
#include "dpm_proto.h"

/* The playground prefix: 1..8 of [a-z0-9]. */
static void
cfg_check_pg_prefix(struct cfg_ctx *c, int k, const struct cfg_key *key,
		    void *obj)
{
	const char *val = cfg_val(c, k);
	size_t n = strlen(val), i;

	for (i = 0; i < n; i++)
		if (!islower((unsigned char)val[i]) &&
		    !isdigit((unsigned char)val[i]))
			break;
	if (n == 0 || n > CFG_PG_PREFIX_MAX || i < n)
		cfg_bad(c, k,
			"not a playground prefix; give 1..%d characters of "
			"a-z and 0-9, e.g. dpm",
			CFG_PG_PREFIX_MAX);
	else
		snprintf((char *)obj + key->off, key->size, "%s", val);
}

void
cfg_playground_done(struct cfg_ctx *c, void *obj)
{
	struct cfg_playground *pg = obj;

	(void)c;
	pg->present = true;
	if (pg->prefix[0] == '\0')
		snprintf(pg->prefix, sizeof(pg->prefix), "dpm");
}

static const struct cfg_word cfg_yesno_words[] = {
	{"yes", 1},
	{"no", 0},
	{NULL, 0},
};

const struct cfg_key cfg_playground_keys[] = {
	{"prefix", cfg_check_pg_prefix,
	 CFG_FIELD(struct cfg_playground, prefix)},
	{"inline", cfg_check_word,
	 CFG_FIELD(struct cfg_playground, inline_mode),
	 .words = cfg_yesno_words, .unknown = "not yes or no"},
	{"keep", cfg_check_word, CFG_FIELD(struct cfg_playground, keep),
	 .words = cfg_yesno_words, .unknown = "not yes or no"},
	{.name = NULL},
};

/*
 * The kernel mirror: one function per value, used as a value is read
 * (text) and again by the check (a spec), so both say the same.
 */

static const char *const cfg_kfield_keys[CFG_KF_COUNT] = {
	[CFG_KF_NETNS] = "netns",
	[CFG_KF_DEV] = "dev",
	[CFG_KF_DIRECTION] = "direction",
	[CFG_KF_ENCAP] = "encap",
	[CFG_KF_REMOTE] = "remote",
	[CFG_KF_LOCAL] = "local",
	[CFG_KF_VNI] = "vni",
	[CFG_KF_DST_PORT] = "dst_port",
	[CFG_KF_UNDERLAY] = "underlay",
	[CFG_KF_VXLAN_NAME] = "vxlan_name",
	[CFG_KF_MATCH] = "match",
	[CFG_KF_IGNORE_MTU] = "ignore_mtu",
	[CFG_KF_KEY] = "key",
	[CFG_KF_SESSION_ID] = "session_id",
};

/* The configuration's encap numbers are kn.h's tunnel kinds. */
_Static_assert(CFG_KENCAP_VXLAN == (int)KN_TUN_VXLAN &&
		       CFG_KENCAP_GENEVE == (int)KN_TUN_GENEVE &&
		       CFG_KENCAP_GRETAP == (int)KN_TUN_GRETAP &&
		       CFG_KENCAP_IP6GRETAP == (int)KN_TUN_IP6GRETAP &&
		       CFG_KENCAP_ERSPAN == (int)KN_TUN_ERSPAN &&
		       CFG_KENCAP_IP6ERSPAN == (int)KN_TUN_IP6ERSPAN,
	       "enum cfg_kencap follows enum kn_tun_kind");

const char *
cfg_kfield_key(enum cfg_kfield f)
{
	return (unsigned int)f < CFG_KF_COUNT ? cfg_kfield_keys[f] : "?";
}

/* What a message calls each name of a mirror. */
static const char *const cfg_kname_what[CFG_KF_COUNT] = {
	[CFG_KF_DEV] = "device",
	[CFG_KF_UNDERLAY] = "underlay device",
	[CFG_KF_VXLAN_NAME] = "tunnel link name",
};

static int
cfg_kcheck_netns(const char *s, struct dpm_err *e)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CFG_NETNS_MAX || strchr(s, '/') != NULL ||
	    strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return dpm_fail(e, EINVAL,
				"namespace %s: not a namespace name; give the "
				"name 'ip netns list' shows (1..%d characters, "
				"no '/'), or none for the current namespace",
				s, CFG_NETNS_MAX - 1);
	return 0;
}

static int
cfg_kcheck_ifname(enum cfg_kfield f, const char *s, struct dpm_err *e)
{
	if (!cfg_ifname_ok(s))
		return dpm_fail(e, EINVAL,
				"%s %s: not an interface name; give 1..%d "
				"characters without '/', ':' or white space, "
				"e.g. eth0",
				cfg_kname_what[f], s, CFG_IFNAME_MAX - 1);
	return 0;
}

static int
cfg_kcheck_dir(const char *s, struct dpm_err *e)
{
	return dpm_fail(e, EINVAL, "direction %s: give ingress, egress or both",
			s);
}

static int
cfg_kcheck_encap(const char *s, struct dpm_err *e)
{
	const char *hint = "";

	if (kn_tun_parse(s) >= 0)
		return 0;
	/* The collectors' names for what the kernel calls otherwise. */
	if (strcmp(s, "gre") == 0)
		hint = " (mirrored frames need an Ethernet tunnel: gretap, or "
		       "ip6gretap over IPv6)";
	else if (strcmp(s, "erspan2") == 0)
		hint = " (ERSPAN type II is erspan, or ip6erspan over IPv6)";
	else if (strcmp(s, "erspan3") == 0)
		hint = " (the kernel mirror sends ERSPAN type II: erspan, or "
		       "ip6erspan over IPv6)";
	return dpm_fail(e, EINVAL,
			"encap %s: not a tunnel the kernel mirror sets up; "
			"valid: " KN_TUN_VALID "%s",
			s, hint);
}

static int
cfg_kcheck_addr(enum cfg_kfield f, const char *s, const struct cfg_addr *a,
		struct dpm_err *e)
{
	const char *why = cfg_addr_not_unicast(a);

	if (why != NULL)
		return dpm_fail(e, EINVAL,
				"%s %s: %s address; the tunnel needs a unicast "
				"address",
				cfg_kfield_key(f), s, why);
	return 0;
}

/* VNI and destination port: one message for text that is not a number
 * and for a number out of range. */
static int
cfg_kcheck_vni(const char *s, uint64_t v, bool number, struct dpm_err *e)
{
	if (!number || v > KN_VNI_MAX)
		return dpm_fail(e, EINVAL,
				"VXLAN network identifier %s is not a number "
				"in 0..%d",
				s, KN_VNI_MAX);
	return 0;
}

static int
cfg_kcheck_dstport(const char *s, uint64_t v, bool number, struct dpm_err *e)
{
	if (!number || v < 1 || v > 65535)
		return dpm_fail(e, EINVAL,
				"VXLAN destination port %s is not a number in "
				"1..65535 (the default is 4789, 6081 for "
				"geneve)",
				s);
	return 0;
}

static int
cfg_kcheck_key(const char *s, uint64_t v, bool number, struct dpm_err *e)
{
	if (!number || v > UINT32_MAX)
		return dpm_fail(e, EINVAL,
				"GRE key %s is not a number in 0..4294967295",
				s);
	return 0;
}

static int
cfg_kcheck_session(const char *s, uint64_t v, bool number, struct dpm_err *e)
{
	if (!number || v > KN_ERSPAN_SESSION_MAX)
		return dpm_fail(e, EINVAL,
				"ERSPAN session ID %s is not a number in 0..%d",
				s, KN_ERSPAN_SESSION_MAX);
	return 0;
}

static int
cfg_kcheck_proto(const char *s, uint64_t v, bool number, struct dpm_err *e)
{
	if (!number || v > 255)
		return dpm_fail(
			e, EINVAL,
			"proto %s: unknown protocol; valid: " DPM_PROTO_VALID,
			s);
	return 0;
}

static int
cfg_kcheck_port(const char *word, const char *s, uint64_t v, bool number,
		struct dpm_err *e)
{
	if (!number || v > 65535)
		return dpm_fail(e, EINVAL,
				"%s %s: not a port; give one port 0..65535",
				word, s);
	return 0;
}

static int
cfg_kcheck_prefix(const char *word, const char *s, const struct cfg_addr *a,
		  unsigned int len, struct dpm_err *e)
{
	char why[DPM_ERR_LEN];

	if (cfg_check_prefix(word, s, a, len, why, sizeof(why)) < 0)
		return dpm_fail(e, EINVAL, "%s", why);
	return 0;
}

static void
cfg_addr_from_kn(const struct kn_ip *ip, struct cfg_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = ip->family == AF_INET ? 4 : ip->family == AF_INET6 ? 6 : 0;
	memcpy(a->bytes, ip->bytes, sizeof(a->bytes));
}

static void
cfg_addr_to_kn(const struct cfg_addr *a, struct kn_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = a->family == 4 ? AF_INET : a->family == 6 ? AF_INET6 : 0;
	memcpy(ip->bytes, a->bytes, sizeof(ip->bytes));
}

static const char *
cfg_kn_ip_str(const struct kn_ip *ip, char *buf, size_t len)
{
	struct cfg_addr a;

	cfg_addr_from_kn(ip, &a);
	if (a.family == 0)
		snprintf(buf, len, "-");
	else
		cfg_addr_str(&a, buf, len);
	return buf;
}

/* "src 198.18.0.0/24" of a match, as a user would write it. */
static const char *
cfg_kn_prefix_str(const struct kn_ip *ip, unsigned int len, char *buf,
		  size_t size)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, size, "%s/%u", cfg_kn_ip_str(ip, a, sizeof(a)), len);
	return buf;
}

void
cfg_kernel_init(struct cfg_kernel *k)
{
	memset(k, 0, sizeof(*k));
	cfg_defaults(k, CFG_KIND_KERNEL);
	k->match.proto = -1;
	k->match.vlan = -1;
}

static int
cfg_kset_number(const char *s, uint64_t *v)
{
	return cfg_parse_u64(s, v) == 0;
}

int
cfg_kernel_set_match(struct cfg_kernel *k, const char *word, const char *value,
		     struct dpm_err *e)
{
	struct cfg_rule *r = &k->match;
	bool src = strcmp(word, "src") == 0, sport = strcmp(word, "sport") == 0;
	char why[DPM_ERR_LEN];
	uint16_t lo, hi;
	uint64_t v = 0;
	bool twice;
	int rc;

	if (strcmp(word, "proto") == 0)
		twice = r->proto >= 0;
	else if (src || strcmp(word, "dst") == 0)
		twice = src ? r->has_src : r->has_dst;
	else if (sport || strcmp(word, "dport") == 0)
		twice = sport ? r->has_sport : r->has_dport;
	else if (strcmp(word, "vlan") == 0)
		return dpm_fail(e, EINVAL,
				"vlan is not matched by the kernel mirror; use "
				"proto, src, dst, sport and dport");
	else
		return dpm_fail(e, EINVAL,
				"unknown word %s; valid: proto, src, dst, "
				"sport, dport",
				word);
	if (twice)
		return dpm_fail(e, EINVAL,
				"%s given twice; give each of proto, src, dst, "
				"sport and dport at most once",
				word);
	if (strcmp(word, "proto") == 0) {
		/* Parse, then check: argument order is unspecified. */
		bool num = cfg_parse_proto(value, &v) == 0;

		rc = cfg_kcheck_proto(value, v, num, e);
		if (rc == 0)
			r->proto = (int)v;
	} else if (src || strcmp(word, "dst") == 0) {
		rc = cfg_parse_cidr(word, value, src ? &r->src : &r->dst,
				    src ? &r->src_len : &r->dst_len, why,
				    sizeof(why));
		if (rc < 0)
			return dpm_fail(e, EINVAL, "%s", why);
		*(src ? &r->has_src : &r->has_dst) = true;
		r->family = r->has_src ? r->src.family : r->dst.family;
	} else if (strchr(value, '-') == NULL || cfg_kset_number(value, &v)) {
		bool num = cfg_kset_number(value, &v);

		rc = cfg_kcheck_port(word, value, v, num, e);
		if (rc == 0) {
			*(sport ? &r->sport_lo : &r->dport_lo) = (uint16_t)v;
			*(sport ? &r->sport_hi : &r->dport_hi) = (uint16_t)v;
			*(sport ? &r->has_sport : &r->has_dport) = true;
		}
	} else {
		/* A range, or not even one: the range parser says which. */
		if (cfg_parse_range(word, value, &lo, &hi, why, sizeof(why)) <
		    0)
			return dpm_fail(e, EINVAL, "%s", why);
		return dpm_fail(e, EINVAL,
				"%s %s: the kernel's u32 filter matches one "
				"port, not a range; give one port, e.g. %s %u",
				word, value, word, lo);
	}
	if (rc == 0)
		k->has_match = true;
	return rc;
}

static int
cfg_kset_match(struct cfg_kernel *k, const char *value, struct dpm_err *e)
{
	char buf[CFG_VALUE_LEN];
	char *save = NULL, *w, *arg;
	int rc;

	memset(&k->match, 0, sizeof(k->match));
	k->match.proto = -1;
	k->match.vlan = -1;
	k->has_match = false;
	snprintf(buf, sizeof(buf), "%s", value);
	for (w = strtok_r(buf, " \t", &save); w != NULL;
	     w = strtok_r(NULL, " \t", &save)) {
		arg = strtok_r(NULL, " \t", &save);
		if (arg == NULL &&
		    (strcmp(w, "proto") == 0 || strcmp(w, "src") == 0 ||
		     strcmp(w, "dst") == 0 || strcmp(w, "sport") == 0 ||
		     strcmp(w, "dport") == 0))
			return dpm_fail(e, EINVAL, "%s needs a value", w);
		rc = cfg_kernel_set_match(k, w, arg != NULL ? arg : "", e);
		if (rc != 0)
			return rc;
	}
	if (!k->has_match)
		return dpm_fail(e, EINVAL,
				"empty match; give any of proto, src, dst, "
				"sport and dport, or no match to mirror "
				"everything");
	return 0;
}

int
cfg_kernel_set(struct cfg_kernel *k, const char *key, const char *value,
	       struct dpm_err *e)
{
	struct cfg_addr a;
	uint64_t v = 0;
	bool num;
	int f, rc;

	for (f = 0; f < CFG_KF_COUNT; f++)
		if (strcmp(key, cfg_kfield_keys[f]) == 0)
			break;
	switch (f) {
	case CFG_KF_NETNS:
		rc = cfg_kcheck_netns(value, e);
		if (rc == 0)
			snprintf(k->netns, sizeof(k->netns), "%s", value);
		return rc;
	case CFG_KF_DEV:
	case CFG_KF_UNDERLAY:
	case CFG_KF_VXLAN_NAME:
		rc = cfg_kcheck_ifname(f, value, e);
		if (rc == 0)
			snprintf(f == CFG_KF_DEV	? k->dev
				 : f == CFG_KF_UNDERLAY ? k->underlay
							: k->vxlan_name,
				 CFG_IFNAME_MAX, "%s", value);
		return rc;
	case CFG_KF_DIRECTION:
		if (strcmp(value, "ingress") == 0)
			k->dir = CFG_KDIR_INGRESS;
		else if (strcmp(value, "egress") == 0)
			k->dir = CFG_KDIR_EGRESS;
		else if (strcmp(value, "both") == 0)
			k->dir = CFG_KDIR_BOTH;
		else
			return cfg_kcheck_dir(value, e);
		return 0;
	case CFG_KF_ENCAP:
		rc = cfg_kcheck_encap(value, e);
		if (rc == 0)
			k->encap = kn_tun_parse(value);
		return rc;
	case CFG_KF_REMOTE:
	case CFG_KF_LOCAL:
		if (cfg_parse_addr(value, &a) < 0)
			return dpm_fail(
				e, EINVAL,
				"%s %s: not an IP address; give an IPv4 "
				"(198.18.1.3) or IPv6 (fd00:1::3) "
				"address without /len",
				key, value);
		rc = cfg_kcheck_addr(f, value, &a, e);
		if (rc == 0)
			*(f == CFG_KF_REMOTE ? &k->remote : &k->local) = a;
		return rc;
	case CFG_KF_VNI:
		num = cfg_kset_number(value, &v);
		rc = cfg_kcheck_vni(value, v, num, e);
		if (rc == 0)
			k->vni = (uint32_t)v;
		return rc;
	case CFG_KF_DST_PORT:
		num = cfg_kset_number(value, &v);
		rc = cfg_kcheck_dstport(value, v, num, e);
		if (rc == 0)
			k->dst_port = (uint16_t)v;
		return rc;
	case CFG_KF_MATCH:
		return cfg_kset_match(k, value, e);
	case CFG_KF_KEY:
		num = cfg_kset_number(value, &v);
		rc = cfg_kcheck_key(value, v, num, e);
		if (rc == 0) {
			k->key = (uint32_t)v;
			k->has_key = true;
		}
		return rc;
	case CFG_KF_SESSION_ID:
		num = cfg_kset_number(value, &v);
		rc = cfg_kcheck_session(value, v, num, e);
		if (rc == 0) {
			k->session_id = (uint32_t)v;
			k->has_session_id = true;
		}
		return rc;
	case CFG_KF_IGNORE_MTU:
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return dpm_fail(e, EINVAL,
					"ignore_mtu %s: give yes or no", value);
		k->ignore_mtu = strcmp(value, "yes") == 0;
		return 0;
	default:
		return dpm_fail(e, EINVAL, "unknown key %s", key);
	}
}

void
cfg_kernel_spec(const struct cfg_kernel *k, struct kn_mirror_spec *sp)
{
	const struct cfg_rule *r = &k->match;

	const struct kn_tun_type *ty = kn_tun_type(k->encap);

	memset(sp, 0, sizeof(*sp));
	if (ty == NULL)
		ty = kn_tun_type(KN_TUN_VXLAN);
	sp->netns = k->netns[0] != '\0' ? k->netns : NULL;
	sp->dev = k->dev;
	sp->dir = (enum kn_dir)k->dir;
	sp->encap = ty->name;
	sp->vxlan_name = k->vxlan_name;
	sp->vx.vni = k->vni;
	sp->vx.dstport = k->dst_port != 0 ? k->dst_port : ty->dstport;
	sp->has_key = k->has_key;
	sp->key = k->key;
	sp->has_session_id = k->has_session_id;
	sp->session_id = k->session_id;
	cfg_addr_to_kn(&k->local, &sp->vx.local);
	cfg_addr_to_kn(&k->remote, &sp->vx.remote);
	snprintf(sp->vx.underlay, sizeof(sp->vx.underlay), "%s", k->underlay);
	sp->match.proto = -1;
	sp->match.sport = -1;
	sp->match.dport = -1;
	if (k->has_match) {
		sp->match.proto = r->proto;
		sp->match.has_src = r->has_src;
		sp->match.has_dst = r->has_dst;
		cfg_addr_to_kn(&r->src, &sp->match.src);
		cfg_addr_to_kn(&r->dst, &sp->match.dst);
		sp->match.src_len = r->src_len;
		sp->match.dst_len = r->dst_len;
		if (r->has_sport)
			sp->match.sport = r->sport_lo;
		if (r->has_dport)
			sp->match.dport = r->dport_lo;
	}
	sp->ignore_mtu = k->ignore_mtu;
}

static bool
cfg_kgiven(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* The names of a spec: what to delete needs only these. */
static int
cfg_kcheck_names(const struct kn_mirror_spec *sp, enum cfg_kfield *f,
		 struct dpm_err *e)
{
	char num[24];

	*f = CFG_KF_NETNS;
	if (cfg_kgiven(sp->netns) && cfg_kcheck_netns(sp->netns, e) != 0)
		return -EINVAL;
	*f = CFG_KF_DEV;
	if (!cfg_kgiven(sp->dev))
		return dpm_fail(e, EINVAL,
				"no device given; name the device whose "
				"traffic is mirrored, e.g. dev eth0");
	if (cfg_kcheck_ifname(*f, sp->dev, e) != 0)
		return -EINVAL;
	*f = CFG_KF_DIRECTION;
	if (sp->dir != KN_DIR_INGRESS && sp->dir != KN_DIR_EGRESS &&
	    sp->dir != KN_DIR_BOTH) {
		snprintf(num, sizeof(num), "%d", (int)sp->dir);
		return cfg_kcheck_dir(num, e);
	}
	*f = CFG_KF_VXLAN_NAME;
	if (cfg_kgiven(sp->vxlan_name) &&
	    cfg_kcheck_ifname(*f, sp->vxlan_name, e) != 0)
		return -EINVAL;
	return 0;
}

/* "remote, local, vni and dst_port": the tunnel keys encap TY takes. */
static const char *
cfg_ktun_keys(const struct kn_tun_type *ty)
{
	if (ty->dstport != 0)
		return ty->has_local ? "remote, local, vni and dst_port"
				     : "remote, vni and dst_port";
	if (ty->has_key)
		return "remote, local and key (optional)";
	return "remote, local and session_id (optional, default 0)";
}

/* A key SP gives that encap TY does not take: its field and value. */
static bool
cfg_kforeign(const struct kn_mirror_spec *sp, const struct kn_tun_type *ty,
	     enum cfg_kfield *f, char *val, size_t len, const char **owners)
{
	char ip[INET6_ADDRSTRLEN];

	if (ty->dstport == 0 && sp->vx.vni != KN_VNI_NONE) {
		*f = CFG_KF_VNI;
		snprintf(val, len, "%" PRIu32, sp->vx.vni);
		*owners = "vxlan and geneve";
	} else if (ty->dstport == 0 && sp->vx.dstport != 0) {
		*f = CFG_KF_DST_PORT;
		snprintf(val, len, "%" PRIu32, sp->vx.dstport);
		*owners = "vxlan and geneve";
	} else if (!ty->has_key && sp->has_key) {
		*f = CFG_KF_KEY;
		snprintf(val, len, "%" PRIu32, sp->key);
		*owners = "gretap and ip6gretap";
	} else if (!ty->has_session && sp->has_session_id) {
		*f = CFG_KF_SESSION_ID;
		snprintf(val, len, "%" PRIu32, sp->session_id);
		*owners = "erspan and ip6erspan";
	} else if (!ty->has_local && sp->vx.local.family != 0) {
		*f = CFG_KF_LOCAL;
		snprintf(val, len, "%s",
			 cfg_kn_ip_str(&sp->vx.local, ip, sizeof(ip)));
		*owners = "every encap but geneve (a geneve link has no "
			  "local address: the route to remote picks it)";
	} else {
		return false;
	}
	return true;
}

static int
cfg_kcheck_tunnel(const struct kn_mirror_spec *sp, enum cfg_kfield *f,
		  struct dpm_err *e)
{
	const struct kn_vxlan *vx = &sp->vx;
	const char *name = kn_mirror_vxlan_name(sp);
	char ip[INET6_ADDRSTRLEN], ip2[INET6_ADDRSTRLEN], num[24];
	const struct kn_tun_type *ty;
	const char *owners;
	struct cfg_addr a, b;
	int i, kind;

	*f = CFG_KF_ENCAP;
	if (cfg_kgiven(sp->encap) && cfg_kcheck_encap(sp->encap, e) != 0)
		return -EINVAL;
	kind = kn_mirror_encap(sp);
	ty = kn_tun_type(kind);
	if (cfg_kforeign(sp, ty, f, num, sizeof(num), &owners))
		return dpm_fail(e, EINVAL,
				"%s %s does not go with encap %s: %s is for "
				"%s; encap %s takes %s",
				cfg_kfield_key(*f), num, ty->name,
				cfg_kfield_key(*f), owners, ty->name,
				cfg_ktun_keys(ty));
	for (i = 0; i < 2; i++) {
		const struct kn_ip *x = i == 0 ? &vx->remote : &vx->local;

		*f = i == 0 ? CFG_KF_REMOTE : CFG_KF_LOCAL;
		cfg_addr_from_kn(x, &a);
		if (a.family == 0 && (i == 0 || ty->has_local))
			return dpm_fail(
				e, EINVAL,
				"no %s address given; give the %s end "
				"of the tunnel, e.g. %s %s",
				cfg_kfield_key(*f),
				i == 0 ? "collector's" : "local",
				cfg_kfield_key(*f),
				ty->family == AF_INET6
					? (i == 0 ? "fd00:1::3" : "fd00:1::2")
					: (i == 0 ? "198.18.1.3"
						  : "198.18.1.2"));
		if (a.family != 0 &&
		    cfg_kcheck_addr(*f, cfg_kn_ip_str(x, ip, sizeof(ip)), &a,
				    e) != 0)
			return -EINVAL;
	}
	cfg_addr_from_kn(&vx->remote, &a);
	cfg_addr_from_kn(&vx->local, &b);
	*f = CFG_KF_LOCAL;
	if (ty->has_local && a.family != b.family)
		return dpm_fail(e, EINVAL,
				"local %s is %s but remote %s is %s; give two "
				"IPv4 or two IPv6 addresses",
				cfg_kn_ip_str(&vx->local, ip, sizeof(ip)),
				cfg_family_name(b.family),
				cfg_kn_ip_str(&vx->remote, ip2, sizeof(ip2)),
				cfg_family_name(a.family));
	*f = CFG_KF_REMOTE;
	if (ty->family != 0 && vx->remote.family != ty->family) {
		/* gretap <-> ip6gretap, erspan <-> ip6erspan */
		const struct kn_tun_type *other =
			kn_tun_type(kind == KN_TUN_GRETAP ? KN_TUN_IP6GRETAP
				    : kind == KN_TUN_IP6GRETAP ? KN_TUN_GRETAP
				    : kind == KN_TUN_ERSPAN ? KN_TUN_IP6ERSPAN
							    : KN_TUN_ERSPAN);

		return dpm_fail(e, EINVAL,
				"remote %s is %s but %s tunnels are %s; use "
				"encap %s for %s",
				cfg_kn_ip_str(&vx->remote, ip, sizeof(ip)),
				cfg_family_name(a.family), ty->name,
				ty->family == AF_INET ? "IPv4" : "IPv6",
				other->name, cfg_family_name(a.family));
	}
	if (ty->dstport != 0) {
		*f = CFG_KF_VNI;
		if (vx->vni == KN_VNI_NONE)
			return dpm_fail(e, EINVAL,
					"no %s network identifier given; give "
					"one in 0..%d, e.g. vni 100",
					kind == KN_TUN_GENEVE ? "Geneve"
							      : "VXLAN",
					KN_VNI_MAX);
		snprintf(num, sizeof(num), "%" PRIu32, vx->vni);
		if (cfg_kcheck_vni(num, vx->vni, true, e) != 0)
			return -EINVAL;
		*f = CFG_KF_DST_PORT;
		snprintf(num, sizeof(num), "%" PRIu32, vx->dstport);
		if (cfg_kcheck_dstport(num, vx->dstport, true, e) != 0)
			return -EINVAL;
	}
	if (ty->has_session && sp->has_session_id) {
		*f = CFG_KF_SESSION_ID;
		snprintf(num, sizeof(num), "%" PRIu32, sp->session_id);
		if (cfg_kcheck_session(num, sp->session_id, true, e) != 0)
			return -EINVAL;
	}
	*f = CFG_KF_UNDERLAY;
	if (vx->underlay[0] == '\0')
		return dpm_fail(e, EINVAL,
				"no underlay device given; name the device the "
				"tunnel leaves by, e.g. underlay eth1 (its MTU "
				"is checked against the mirrored device's)");
	if (cfg_kcheck_ifname(*f, vx->underlay, e) != 0)
		return -EINVAL;
	if (strcmp(vx->underlay, name) == 0)
		return dpm_fail(e, EINVAL,
				"underlay device %s is the %s link itself; "
				"name the device the tunnel leaves by",
				name, ty->name);
	*f = CFG_KF_DEV;
	if (strcmp(sp->dev, name) == 0)
		return dpm_fail(e, EINVAL,
				"device %s is the %s link the copies go to; "
				"mirror another device or give another %s "
				"link name",
				name, ty->name, ty->name);
	*f = CFG_KF_UNDERLAY;
	if (strcmp(sp->dev, vx->underlay) == 0 &&
	    (sp->dir & KN_DIR_EGRESS) != 0)
		return dpm_fail(e, EINVAL,
				"mirroring %s's egress traffic into a tunnel "
				"that leaves through %s would mirror the "
				"tunnel's own packets again; use another "
				"underlay or direction ingress",
				sp->dev, sp->dev);
	return 0;
}

static int
cfg_kcheck_match(const struct kn_match *m, struct dpm_err *e)
{
	char txt[2][INET6_ADDRSTRLEN + 8], num[24];
	const char *pname = dpm_proto_name(m->proto);
	int fam = 0, pf, i;

	if (m->proto != -1) {
		snprintf(num, sizeof(num), "%d", m->proto);
		if (cfg_kcheck_proto(num, (uint64_t)m->proto, m->proto >= 0,
				     e) != 0)
			return -EINVAL;
	}
	for (i = 0; i < 2; i++) {
		const struct kn_ip *ip = i == 0 ? &m->src : &m->dst;
		const char *word = i == 0 ? "src" : "dst";
		unsigned int len = i == 0 ? m->src_len : m->dst_len;
		struct cfg_addr a;

		if (!(i == 0 ? m->has_src : m->has_dst))
			continue;
		cfg_addr_from_kn(ip, &a);
		cfg_kn_prefix_str(ip, len, txt[i], sizeof(txt[i]));
		if (a.family == 0)
			return dpm_fail(e, EINVAL,
					"%s %s: not an address; write %s "
					"ADDR[/LEN] with an IPv4 or IPv6 "
					"address",
					word, txt[i], word);
		if (cfg_kcheck_prefix(word, txt[i], &a, len, e) != 0)
			return -EINVAL;
		if (fam != 0 && fam != a.family)
			return dpm_fail(e, EINVAL,
					"src %s is %s but dst %s is %s; a "
					"match is of one address family",
					txt[0], cfg_family_name(fam), txt[1],
					cfg_family_name(a.family));
		fam = a.family;
	}
	for (i = 0; i < 2; i++) {
		int port = i == 0 ? m->sport : m->dport;
		const char *word = i == 0 ? "sport" : "dport";

		if (port == -1)
			continue;
		snprintf(num, sizeof(num), "%d", port);
		if (cfg_kcheck_port(word, num, (uint64_t)port, port >= 0, e) !=
		    0)
			return -EINVAL;
		if (m->proto < 0)
			return dpm_fail(e, EINVAL,
					"%s %d without proto: the kernel's "
					"u32 filter reads ports at a fixed "
					"offset of any protocol; add proto "
					"tcp, udp or sctp",
					word, port);
		if (!dpm_proto_has_ports(m->proto)) {
			if (pname != NULL)
				snprintf(num, sizeof(num), "%s", pname);
			else
				snprintf(num, sizeof(num), "%d", m->proto);
			return dpm_fail(e, EINVAL,
					"%s %d with proto %s, which has no "
					"ports; ports need proto tcp, udp or "
					"sctp",
					word, port, num);
		}
	}
	pf = dpm_proto_family(m->proto);
	if (pf == 4 && fam == 6)
		return dpm_fail(e, EINVAL,
				"proto %s with an IPv6 address; %s is IPv4 "
				"only, use proto icmpv6 for IPv6",
				pname, pname);
	if (pf == 6 && fam == 4)
		return dpm_fail(e, EINVAL,
				"proto %s with an IPv4 address; %s is IPv6 "
				"only, use proto icmp for IPv4",
				pname, pname);
	return 0;
}

int
cfg_kernel_check(const struct kn_mirror_spec *sp, enum cfg_kcheck what,
		 enum cfg_kfield *field, struct dpm_err *e)
{
	enum cfg_kfield f;
	int rc;

	if (what == CFG_KCHECK_SHOW) {
		f = CFG_KF_NETNS;
		rc = cfg_kgiven(sp->netns) ? cfg_kcheck_netns(sp->netns, e) : 0;
		if (rc == 0 && cfg_kgiven(sp->dev)) {
			f = CFG_KF_DEV;
			rc = cfg_kcheck_ifname(f, sp->dev, e);
		}
		if (rc != 0 && field != NULL)
			*field = f;
		return rc != 0 ? -EINVAL : 0;
	}
	rc = cfg_kcheck_names(sp, &f, e);
	if (rc == 0 && what == CFG_KCHECK_ADD)
		rc = cfg_kcheck_tunnel(sp, &f, e);
	if (rc == 0 && what == CFG_KCHECK_ADD) {
		f = CFG_KF_MATCH;
		rc = cfg_kcheck_match(&sp->match, e);
	}
	if (rc != 0 && field != NULL)
		*field = f;
	return rc;
}

/*
 * [kernel NAME] in the configuration: every key through cfg_kernel_set,
 * then the whole section through cfg_kernel_check.
 */

static void
cfg_check_kernel_key(struct cfg_ctx *c, int k, const struct cfg_key *key,
		     void *obj)
{
	struct dpm_err e;

	if (cfg_kernel_set(obj, key->name, cfg_val(c, k), &e) != 0)
		cfg_bad(c, k, "%s", e.msg);
}

void
cfg_kernel_done(struct cfg_ctx *c, void *obj)
{
	const struct cfg_section *s = &c->secs[c->cur];
	struct cfg_kernel *kn = obj;
	const struct kn_tun_type *ty;
	struct kn_mirror_spec sp;
	enum cfg_kfield f;
	struct dpm_err e;
	const char *key;
	unsigned int i;
	int k;

	/* What was not given, by the encap: the link's name and the UDP
	 * port (none for the GRE tunnels, whose check refuses one). */
	ty = kn_tun_type(kn->encap);
	if (ty == NULL)
		ty = kn_tun_type(KN_TUN_VXLAN);
	if (kn->vxlan_name[0] == '\0')
		snprintf(kn->vxlan_name, sizeof(kn->vxlan_name), "%s",
			 ty->default_name);
	if (kn->dst_port == 0)
		kn->dst_port = ty->dstport;
	/* A value refused already would only be reported again as missing. */
	for (i = 0; i < c->n_msgs; i++)
		if (c->msgs[i].sec == c->cur)
			return;
	cfg_kernel_spec(kn, &sp);
	if (cfg_kernel_check(&sp, CFG_KCHECK_ADD, &f, &e) == 0)
		return;
	key = cfg_kfield_key(f);
	for (k = 0; k < s->n_ents; k++)
		if (strcmp(s->ents[k].name, key) == 0) {
			cfg_bad(c, k, "%s", e.msg);
			return;
		}
	cfg_msg(c, c->cur, INT_MAX, "[%s] %s: %s", s->name, key, e.msg);
}

const struct cfg_key cfg_kernel_keys[] = {
	{"netns", .check = cfg_check_kernel_key},
	{"dev", .check = cfg_check_kernel_key},
	{"direction", .check = cfg_check_kernel_key,
	 CFG_FIELD(struct cfg_kernel, dir), .dflt = CFG_KDIR_INGRESS},
	{"encap", .check = cfg_check_kernel_key,
	 CFG_FIELD(struct cfg_kernel, encap), .dflt = CFG_KENCAP_VXLAN},
	{"remote", .check = cfg_check_kernel_key},
	{"local", .check = cfg_check_kernel_key},
	{"vni", .check = cfg_check_kernel_key,
	 CFG_FIELD(struct cfg_kernel, vni), .dflt = KN_VNI_NONE},
	{"dst_port", .check = cfg_check_kernel_key,
	 CFG_FIELD(struct cfg_kernel, dst_port), .dflt = 0},
	{"underlay", .check = cfg_check_kernel_key},
	{"vxlan_name", .check = cfg_check_kernel_key},
	{"match", .check = cfg_check_kernel_key},
	{"ignore_mtu", .check = cfg_check_kernel_key},
	{"key", .check = cfg_check_kernel_key},
	{"session_id", .check = cfg_check_kernel_key},
	{.name = NULL},
};
