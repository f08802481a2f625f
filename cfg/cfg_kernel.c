/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The [playground] and [kernel NAME] sections: the Linux kernel's own
 * mirror (tc mirred into a vxlan link) and the veth/netns playground.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "cfg_internal.h"

/* A network interface name: 1..15 characters, no '/', ':' or space. */
static void
cfg_check_ifname(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	const char *val = cfg_val(c, k);

	if (!cfg_ifname_ok(val))
		cfg_bad(c, k,
			"not an interface name; give 1..%d characters without "
			"'/', ':' or spaces, e.g. eth0",
			CFG_IFNAME_MAX - 1);
	else
		snprintf((char *)obj + key->off, key->size, "%s", val);
}

/* A network namespace name as in /run/netns (ip netns list). */
static void
cfg_check_netns(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	const char *val = cfg_val(c, k);
	size_t n = strlen(val);

	if (n == 0 || n >= key->size || strchr(val, '/') != NULL ||
	    strcmp(val, ".") == 0 || strcmp(val, "..") == 0)
		cfg_bad(c, k,
			"not a namespace name; give the name 'ip netns list' "
			"shows (1..%zu characters, no '/'), or omit netns for "
			"dpmirror's own",
			key->size - 1);
	else
		snprintf((char *)obj + key->off, key->size, "%s", val);
}

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

/* remote/local of a [kernel] section: unicast, one family. */
static void
cfg_check_kaddr(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	struct cfg_kernel *kn = obj;
	bool remote = strcmp(key->name, "remote") == 0;
	struct cfg_addr *a = remote ? &kn->remote : &kn->local;
	const struct cfg_addr *b = remote ? &kn->local : &kn->remote;

	if (cfg_parse_addr(cfg_val(c, k), a) < 0) {
		cfg_bad(c, k,
			"not an IP address; give an IPv4 (198.18.1.3) or IPv6 "
			"(fd00:1::3) address without /len");
		return;
	}
	if (b->family != 0 && b->family != a->family)
		cfg_bad(c, k,
			"%s address, but %s = %s is %s; use two IPv4 or two "
			"IPv6 addresses",
			cfg_family_name(a->family), remote ? "local" : "remote",
			cfg_value_of(c, remote ? "local" : "remote"),
			cfg_family_name(b->family));
}

/* match of a [kernel] section: the rule words after accept, with exact
 * ports and no vlan (what a u32 filter matches). */
static void
cfg_check_kmatch(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	struct cfg_kernel *kn = obj;
	char text[CFG_VALUE_LEN + 8], why[CFG_ERR_LEN];
	struct cfg_rule *r = &kn->match;

	(void)key;
	snprintf(text, sizeof(text), "accept %s", cfg_val(c, k));
	memset(r, 0, sizeof(*r));
	if (cfg_parse_rule(text, r, why, sizeof(why)) < 0) {
		cfg_bad(c, k, "%s", why);
		return;
	}
	if ((r->has_sport && r->sport_lo != r->sport_hi) ||
	    (r->has_dport && r->dport_lo != r->dport_hi))
		cfg_bad(c, k,
			"port ranges cannot be matched by the kernel's u32 "
			"filter; give one port, e.g. dport 80");
	else if (r->vlan >= 0)
		cfg_bad(c, k,
			"vlan is not matched by the kernel mirror; use proto, "
			"src, dst, sport and dport");
	else
		kn->has_match = true;
}

void
cfg_kernel_done(struct cfg_ctx *c, void *obj)
{
	struct cfg_kernel *kn = obj;

	(void)c;
	if (kn->vxlan_name[0] == '\0')
		snprintf(kn->vxlan_name, sizeof(kn->vxlan_name), "vxlan0");
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

static const struct cfg_word cfg_kdir_words[] = {
	{"ingress", CFG_KDIR_INGRESS},
	{"egress", CFG_KDIR_EGRESS},
	{"both", CFG_KDIR_BOTH},
	{NULL, 0},
};

/* Known to the kernel path: the kernel says at start whether it can. */
static const struct cfg_word cfg_kencap_words[] = {
	{"vxlan", CFG_KENCAP_VXLAN},
	{"gretap", CFG_KENCAP_GRETAP},
	{"geneve", CFG_KENCAP_GENEVE},
	{"erspan", CFG_KENCAP_ERSPAN},
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

const struct cfg_key cfg_kernel_keys[] = {
	{"netns", cfg_check_netns, CFG_FIELD(struct cfg_kernel, netns)},
	{"dev", cfg_check_ifname, CFG_FIELD(struct cfg_kernel, dev),
	 .missing = "name the device whose traffic is mirrored, e.g. "
		    "dev = eth0"},
	{"direction", cfg_check_word, CFG_FIELD(struct cfg_kernel, dir),
	 .dflt = CFG_KDIR_INGRESS, .words = cfg_kdir_words,
	 .unknown = "unknown direction"},
	{"encap", cfg_check_word, CFG_FIELD(struct cfg_kernel, encap),
	 .dflt = CFG_KENCAP_VXLAN, .words = cfg_kencap_words,
	 .unknown = "unknown encapsulation"},
	{"remote", cfg_check_kaddr,
	 .missing = "give the far end of the tunnel, e.g. remote = "
		    "198.18.1.3"},
	{"local", cfg_check_kaddr,
	 .missing = "give the local end of the tunnel, same family as "
		    "remote"},
	{"vni", CFG_NUMBER(struct cfg_kernel, vni, 0, 16777215),
	 .missing = "give the VxLAN network identifier, e.g. vni = 100"},
	{"dst_port", CFG_NUMBER(struct cfg_kernel, dst_port, 1, 65535),
	 .dflt = 4789},
	{"underlay", cfg_check_ifname, CFG_FIELD(struct cfg_kernel, underlay)},
	{"vxlan_name", cfg_check_ifname,
	 CFG_FIELD(struct cfg_kernel, vxlan_name)},
	{"match", .check = cfg_check_kmatch},
	{"ignore_mtu", cfg_check_word, CFG_FIELD(struct cfg_kernel, ignore_mtu),
	 .words = cfg_yesno_words, .unknown = "not yes or no"},
	{.name = NULL},
};
