/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpmirrorctl kernel add|del|show: the kernel's own mirror (a vxlan link,
 * an ingress or clsact qdisc and u32 filters with the mirred action), set
 * up through kernel/kn_tc.c.  Exit 0 success, 1 usage error, 2 failure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cfg.h"
#include "cli.h"
#include "kn.h"
#include "kn_tc.h"

#define KERNEL_PROG "dpmirrorctl kernel"

enum {
	OPT_NETNS = 256,
	OPT_DEV,
	OPT_DIRECTION,
	OPT_REMOTE,
	OPT_LOCAL,
	OPT_VNI,
	OPT_DSTPORT,
	OPT_UNDERLAY,
	OPT_NAME,
	OPT_ENCAP,
	OPT_PROTO,
	OPT_SRC,
	OPT_DST,
	OPT_SPORT,
	OPT_DPORT,
	OPT_IGNORE_MTU,
	OPT_HELP,
};

static const struct option kernel_opts[] = {
	{"netns", required_argument, NULL, OPT_NETNS},
	{"dev", required_argument, NULL, OPT_DEV},
	{"direction", required_argument, NULL, OPT_DIRECTION},
	{"remote", required_argument, NULL, OPT_REMOTE},
	{"local", required_argument, NULL, OPT_LOCAL},
	{"vni", required_argument, NULL, OPT_VNI},
	{"dstport", required_argument, NULL, OPT_DSTPORT},
	{"underlay", required_argument, NULL, OPT_UNDERLAY},
	{"name", required_argument, NULL, OPT_NAME},
	{"encap", required_argument, NULL, OPT_ENCAP},
	{"proto", required_argument, NULL, OPT_PROTO},
	{"src", required_argument, NULL, OPT_SRC},
	{"dst", required_argument, NULL, OPT_DST},
	{"sport", required_argument, NULL, OPT_SPORT},
	{"dport", required_argument, NULL, OPT_DPORT},
	{"ignore-mtu", no_argument, NULL, OPT_IGNORE_MTU},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

static void
kernel_usage(FILE *out)
{
	fprintf(out,
		"usage: " KERNEL_PROG " add [--netns N] --dev D "
		"[--direction ingress|egress|both]\n"
		"           --remote IP --local IP --vni N --underlay DEV "
		"[--dstport 4789]\n"
		"           [--name vxlan0] [--encap vxlan] "
		"[--proto tcp|udp|icmp|icmpv6|sctp|N]\n"
		"           [--src CIDR] [--dst CIDR] [--sport N] [--dport N] "
		"[--ignore-mtu]\n"
		"       " KERNEL_PROG " del [--netns N] --dev D "
		"[--direction ingress|egress|both] [--name vxlan0]\n"
		"       " KERNEL_PROG " show [--netns N] --dev D\n"
		"       " KERNEL_PROG " -h | --help\n"
		"\n"
		"add   creates the vxlan link NAME (id VNI, local, remote, dev "
		"UNDERLAY,\n"
		"      dstport) unless it exists with those parameters, brings "
		"it "
		"up,\n"
		"      checks the underlay MTU (device MTU + 50, or + 70 over "
		"IPv6),\n"
		"      adds an ingress qdisc (ingress only) or a clsact qdisc "
		"(egress,\n"
		"      both) and u32 filters (pref %d/%d on ingress, %d/%d on "
		"egress,\n"
		"      the second for IPv6) whose action is\n"
		"      'mirred egress mirror dev NAME'.  --direction defaults "
		"to "
		"ingress.\n"
		"      Without a match, everything is mirrored; --proto alone "
		"mirrors\n"
		"      IPv4 and IPv6 (icmp: IPv4 only, icmpv6: IPv6 only).  "
		"Ports "
		"assume\n"
		"      no IPv4 options and no IPv6 extension headers.\n"
		"del   removes those filters (both directions unless "
		"--direction), the\n"
		"      qdisc once no filter is left on it, and the vxlan link "
		"if "
		"add made\n"
		"      it and nothing mirrors into it any more.\n"
		"show  prints the mirror filters of D (direction, match, "
		"target, "
		"packets,\n"
		"      bytes of the mirred action) and the vxlan link's "
		"parameters.\n"
		"--netns defaults to the current namespace.  Needs root.  Exit "
		"0 ok,\n"
		"1 usage error, 2 failure.\n",
		KN_TC_PRIO, KN_TC_PRIO_V6, KN_TC_PRIO_EGRESS,
		KN_TC_PRIO_EGRESS_V6);
}

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* The message echoes arguments: their control bytes are escaped. */
static int
usage_error(const char *fmt, ...)
{
	char raw[512], shown[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	fprintf(stderr, KERNEL_PROG ": %s\n(see '" KERNEL_PROG " -h')\n",
		cfg_escape(raw, shown, sizeof(shown)));
	return CLI_EXIT_USAGE;
}

/* A decimal number in [MIN, MAX] (cfg_parse_uint: digits only); false if S
 * is not one. */
static bool
parse_num(const char *s, unsigned long min, unsigned long max,
	  unsigned long *out)
{
	uint64_t v;

	if (cfg_parse_uint(s, min, max, &v) != 0)
		return false;
	*out = (unsigned long)v;
	return true;
}

static int
parse_proto(const char *s)
{
	static const struct {
		const char *name;
		int num;
	} names[] = {
		{"icmp", 1},	{"tcp", 6},	   {"udp", 17},
		{"icmpv6", 58}, {"ipv6-icmp", 58}, {"sctp", 132},
	};
	unsigned long v;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].num;
	if (parse_num(s, 0, 255, &v))
		return (int)v;
	return -1;
}

/* "198.18.0.0/24", "fd00::/64" or a bare address (full length). */
static bool
parse_cidr(const char *s, struct kn_ip *ip, uint8_t *len)
{
	char buf[64];
	char *slash;
	unsigned long l;
	unsigned int max;

	if (strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (kn_ip_parse(buf, ip) != 0)
		return false;
	max = ip->family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		*len = (uint8_t)max;
		return true;
	}
	if (!parse_num(slash + 1, 0, max, &l))
		return false;
	*len = (uint8_t)l;
	return true;
}

static bool
valid_ifname(const char *s)
{
	return s[0] != '\0' && strlen(s) < KN_IFNAMSIZ &&
	       strchr(s, '/') == NULL && strpbrk(s, " \t\n:") == NULL;
}

/* Print a kn_ failure and return the failure exit status.  kn_fail has
 * said already when the failure needs root. */
static int
fail(const char *what, int rc, const struct kn_err *e)
{
	char shown[2 * sizeof(e->msg)];

	(void)rc;
	fprintf(stderr, KERNEL_PROG " %s: %s\n", what,
		cfg_escape(e->msg, shown, sizeof(shown)));
	return CLI_EXIT_FAIL;
}

struct kernel_args {
	struct kn_mirror_spec sp;
	bool have_dev, have_remote, have_local, have_vni, have_underlay;
	bool have_dir;
	/* Options only add takes, for the message when del/show gets one. */
	const char *add_only;
};

static int
parse_args(const char *cmd, int argc, char **argv, struct kernel_args *a)
{
	struct kn_mirror_spec *sp = &a->sp;
	unsigned long v;
	int c, idx;

	memset(a, 0, sizeof(*a));
	sp->dir = KN_DIR_INGRESS;
	sp->encap = "vxlan";
	sp->vxlan_name = "vxlan0";
	sp->match.proto = -1;
	sp->match.sport = -1;
	sp->match.dport = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", kernel_opts, &idx)) != -1) {
		const char *opt = c >= OPT_NETNS && c < OPT_HELP
					  ? kernel_opts[c - OPT_NETNS].name
					  : "";

		if (c >= OPT_REMOTE && c <= OPT_IGNORE_MTU && c != OPT_NAME &&
		    a->add_only == NULL)
			a->add_only = opt;
		switch (c) {
		case OPT_NETNS:
			if (optarg[0] == '\0' || strchr(optarg, '/') != NULL)
				return usage_error("--netns '%s': give a "
						   "namespace name (as in 'ip "
						   "netns list')",
						   optarg);
			sp->netns = optarg;
			break;
		case OPT_DEV:
			if (!valid_ifname(optarg))
				return usage_error(
					"--dev '%s': give an interface name "
					"of 1..15 characters",
					optarg);
			sp->dev = optarg;
			a->have_dev = true;
			break;
		case OPT_DIRECTION:
			if (strcmp(optarg, "ingress") == 0)
				sp->dir = KN_DIR_INGRESS;
			else if (strcmp(optarg, "egress") == 0)
				sp->dir = KN_DIR_EGRESS;
			else if (strcmp(optarg, "both") == 0)
				sp->dir = KN_DIR_BOTH;
			else
				return usage_error("--direction '%s': give "
						   "ingress, egress or both",
						   optarg);
			a->have_dir = true;
			break;
		case OPT_REMOTE:
		case OPT_LOCAL: {
			struct kn_ip *ip = c == OPT_REMOTE ? &sp->vx.remote
							   : &sp->vx.local;

			if (kn_ip_parse(optarg, ip) != 0)
				return usage_error("--%s '%s': give an IPv4 or "
						   "IPv6 address (no prefix)",
						   opt, optarg);
			*(c == OPT_REMOTE ? &a->have_remote : &a->have_local) =
				true;
			break;
		}
		case OPT_VNI:
			if (!parse_num(optarg, 0, 16777215, &v))
				return usage_error("--vni '%s': give a VXLAN "
						   "network identifier "
						   "0..16777215",
						   optarg);
			sp->vx.vni = (uint32_t)v;
			a->have_vni = true;
			break;
		case OPT_DSTPORT:
			if (!parse_num(optarg, 1, 65535, &v))
				return usage_error("--dstport '%s': give a UDP "
						   "port 1..65535",
						   optarg);
			sp->vx.dstport = (uint16_t)v;
			break;
		case OPT_UNDERLAY:
			if (!valid_ifname(optarg))
				return usage_error(
					"--underlay '%s': give an interface "
					"name of 1..15 characters",
					optarg);
			snprintf(sp->vx.underlay, sizeof(sp->vx.underlay), "%s",
				 optarg);
			a->have_underlay = true;
			break;
		case OPT_NAME:
			if (!valid_ifname(optarg))
				return usage_error(
					"--name '%s': give an interface name "
					"of 1..15 characters",
					optarg);
			sp->vxlan_name = optarg;
			break;
		case OPT_ENCAP:
			if (optarg[0] == '\0' || strlen(optarg) > 30)
				return usage_error("--encap '%s': give vxlan",
						   optarg);
			sp->encap = optarg;
			break;
		case OPT_PROTO:
			sp->match.proto = parse_proto(optarg);
			if (sp->match.proto < 0)
				return usage_error(
					"--proto '%s': give tcp, udp, icmp, "
					"icmpv6, sctp or a number 0..255",
					optarg);
			break;
		case OPT_SRC:
		case OPT_DST: {
			bool src = c == OPT_SRC;

			if (!parse_cidr(optarg,
					src ? &sp->match.src : &sp->match.dst,
					src ? &sp->match.src_len
					    : &sp->match.dst_len))
				return usage_error(
					"--%s '%s': give an address with an "
					"optional prefix length, e.g. "
					"198.18.0.0/24 or fd00::/64",
					opt, optarg);
			*(src ? &sp->match.has_src : &sp->match.has_dst) = true;
			break;
		}
		case OPT_SPORT:
		case OPT_DPORT:
			if (!parse_num(optarg, 0, 65535, &v))
				return usage_error("--%s '%s': give a port "
						   "0..65535",
						   opt, optarg);
			*(c == OPT_SPORT ? &sp->match.sport
					 : &sp->match.dport) = (int)v;
			break;
		case OPT_IGNORE_MTU:
			sp->ignore_mtu = true;
			break;
		case 'h':
		case OPT_HELP:
			kernel_usage(stdout);
			return -1;
		default:
			if (optopt != 0 && optopt < OPT_NETNS)
				return usage_error("%s: unknown option -%c",
						   cmd, optopt);
			if (optopt >= OPT_NETNS)
				return usage_error(
					"%s: option --%s needs a "
					"value",
					cmd,
					kernel_opts[optopt - OPT_NETNS].name);
			return usage_error("%s: unknown option %s", cmd,
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("%s: unexpected argument '%s'", cmd,
				   argv[optind]);
	if (!a->have_dev)
		return usage_error("%s: --dev is required (the device whose "
				   "traffic is mirrored)",
				   cmd);
	return 0;
}

static int
kernel_add(int argc, char **argv)
{
	struct kernel_args a;
	struct kn_mirror_spec *sp = &a.sp;
	struct kn_err e = {""};
	char buf[64];
	int rc;

	rc = parse_args("add", argc, argv, &a);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (!a.have_remote || !a.have_local || !a.have_vni || !a.have_underlay)
		return usage_error("add: %s is required (the vxlan tunnel's "
				   "%s)",
				   !a.have_remote  ? "--remote"
				   : !a.have_local ? "--local"
				   : !a.have_vni   ? "--vni"
						   : "--underlay",
				   !a.have_remote  ? "remote end"
				   : !a.have_local ? "local address"
				   : !a.have_vni   ? "network identifier"
						   : "underlay device");
	if (sp->vx.remote.family != sp->vx.local.family)
		return usage_error(
			"add: --local %s is %s but --remote is %s; "
			"give two addresses of one family",
			kn_ip_str(&sp->vx.local, buf, sizeof(buf)),
			sp->vx.local.family == AF_INET ? "IPv4" : "IPv6",
			sp->vx.remote.family == AF_INET ? "IPv4" : "IPv6");
	if (sp->match.has_src && sp->match.has_dst &&
	    sp->match.src.family != sp->match.dst.family)
		return usage_error("add: --src and --dst must both be IPv4 or "
				   "both IPv6");
	if ((sp->match.sport >= 0 || sp->match.dport >= 0) &&
	    sp->match.proto != 6 && sp->match.proto != 17 &&
	    sp->match.proto != 132)
		return usage_error("add: --%s needs --proto tcp, udp or sctp",
				   sp->match.sport >= 0 ? "sport" : "dport");
	if (sp->match.proto == 1 &&
	    ((sp->match.has_src && sp->match.src.family == AF_INET6) ||
	     (sp->match.has_dst && sp->match.dst.family == AF_INET6)))
		return usage_error("add: --proto icmp with IPv6 addresses: "
				   "use --proto icmpv6");
	if (sp->match.proto == 58 &&
	    ((sp->match.has_src && sp->match.src.family == AF_INET) ||
	     (sp->match.has_dst && sp->match.dst.family == AF_INET)))
		return usage_error("add: --proto icmpv6 with IPv4 addresses: "
				   "use --proto icmp");
	rc = kn_mirror_add(sp, &e);
	if (rc != 0)
		return fail("add", rc, &e);
	printf("mirroring %s's %s traffic into %s (vni %u to %s) in %s%s\n",
	       sp->dev, kn_dir_str(sp->dir), sp->vxlan_name, sp->vx.vni,
	       kn_ip_str(&sp->vx.remote, buf, sizeof(buf)),
	       sp->netns != NULL ? "netns " : "the current namespace",
	       sp->netns != NULL ? sp->netns : "");
	return CLI_EXIT_OK;
}

static int
kernel_del(int argc, char **argv)
{
	struct kernel_args a;
	struct kn_err e = {""};
	int rc;

	rc = parse_args("del", argc, argv, &a);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (a.add_only != NULL)
		return usage_error("del: --%s is only for add (del takes "
				   "--netns, --dev, --direction, --name)",
				   a.add_only);
	if (!a.have_dir)
		a.sp.dir = KN_DIR_BOTH;
	rc = kn_mirror_del(&a.sp, &e);
	if (rc != 0)
		return fail("del", rc, &e);
	return CLI_EXIT_OK;
}

static int
kernel_show(int argc, char **argv)
{
	struct kernel_args a;
	struct kn_err e = {""};
	int rc;

	rc = parse_args("show", argc, argv, &a);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (a.add_only != NULL || a.have_dir ||
	    strcmp(a.sp.vxlan_name, "vxlan0") != 0)
		return usage_error("show: takes only --netns and --dev");
	rc = kn_mirror_show(a.sp.netns, a.sp.dev, stdout, &e);
	if (rc != 0)
		return fail("show", rc, &e);
	return CLI_EXIT_OK;
}

int
cli_kernel(int argc, char **argv)
{
	if (argc < 1)
		return usage_error("missing subcommand: add, del or show");
	if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "help") == 0) {
		kernel_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[0], "add") == 0)
		return kernel_add(argc, argv);
	if (strcmp(argv[0], "del") == 0)
		return kernel_del(argc, argv);
	if (strcmp(argv[0], "show") == 0)
		return kernel_show(argc, argv);
	return usage_error("unknown subcommand '%s': give add, del or show",
			   argv[0]);
}
