/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpmirrorctl kernel add|del|show: the kernel's own mirror (a tunnel link:
 * vxlan, geneve, gretap, ip6gretap, erspan or ip6erspan; an ingress or
 * clsact qdisc and u32 filters with the mirred action), set
 * up through kernel/kn_mirror.c.  Each option is read as the [kernel NAME]
 * key it stands for and the whole mirror is checked by the configuration's
 * own check (cfg/cfg_kernel.h), so a value is refused here exactly as in a
 * configuration file.  Exit 0 success, 1 usage error or refused value, 2
 * failure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "cfg.h"
#include "cli.h"
#include "cfg_kernel.h"
#include "kn_mirror.h"

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
	OPT_KEY,
	OPT_SESSION_ID,
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
	{"key", required_argument, NULL, OPT_KEY},
	{"session-id", required_argument, NULL, OPT_SESSION_ID},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* clang-format off */
/* One action's synopsis and what it does; kernel_usage prints one or all. */
static const struct {
	const char *name;
	const char *synopsis;
	const char *text;
} kernel_actions[] = {
	{"add",
	 "add [--netns N] --dev D [--direction ingress|egress|both]\n"
	 "           [--encap vxlan|geneve|gretap|ip6gretap|erspan|ip6erspan]\n"
	 "           --remote IP [--local IP] --underlay DEV [--name LINK]\n"
	 "           [--vni N] [--dstport N] [--key N] [--session-id N]\n"
	 "           [--proto tcp|udp|icmp|icmpv6|ipv6-icmp|sctp|N]\n"
	 "           [--src CIDR] [--dst CIDR] [--sport N] [--dport N] "
	 "[--ignore-mtu]",
	 "add   creates the tunnel link LINK unless it exists with these "
	 "parameters,\n"
	 "      brings it up, checks the underlay MTU (the device's MTU plus "
	 "the\n"
	 "      outer headers below), adds an ingress qdisc (ingress only) or "
	 "a\n"
	 "      clsact qdisc (egress, both) and u32 filters (pref "
	 RTE_STR(KN_TC_PRIO) "/" RTE_STR(KN_TC_PRIO_V6) " on ingress,\n"
	 "      " RTE_STR(KN_TC_PRIO_EGRESS) "/" RTE_STR(KN_TC_PRIO_EGRESS_V6)
	 " on egress, the second for IPv6) whose action is\n"
	 "      'mirred egress mirror dev LINK'.  --direction defaults to "
	 "ingress.\n"
	 "      --encap (default vxlan), its options, outer headers and the "
	 "kernel\n"
	 "      module it needs (the refusal names it when it is missing):\n"
	 "        vxlan      --local, --vni (required), --dstport 4789; "
	 "50 bytes, 70\n"
	 "                   over IPv6; module vxlan; LINK vxlan0\n"
	 "        geneve     --vni (required), --dstport 6081, no --local; "
	 "50, 70 over\n"
	 "                   IPv6; module geneve; LINK geneve0\n"
	 "        gretap     IPv4, --local, --key N (0..4294967295); 38 "
	 "bytes, +4 with\n"
	 "                   a key; module ip_gre; LINK dpm-gretap0\n"
	 "        ip6gretap  IPv6, --local, --key N; 58 bytes, +4 with a "
	 "key;\n"
	 "                   module ip6_gre; LINK dpm-ip6gretap0\n"
	 "        erspan     IPv4, --local, --session-id 0..1023 (default "
	 "0), type II\n"
	 "                   with sequence numbers; 50 bytes; module ip_gre; "
	 "LINK\n"
	 "                   dpm-erspan0\n"
	 "        ip6erspan  IPv6, the same; 70 bytes; module ip6_gre; LINK "
	 "dpm-ip6erspan0\n"
	 "      An option of another encap is refused.  Without a match, "
	 "everything\n"
	 "      is mirrored; --proto alone mirrors IPv4 and IPv6 (icmp: IPv4 "
	 "only,\n"
	 "      icmpv6: IPv6 only).  --sport and --dport take one port and "
	 "need\n"
	 "      --proto tcp, udp or sctp; they assume no IPv4 options and no "
	 "IPv6\n"
	 "      extension headers.  --src and --dst take ADDR[/LEN] without "
	 "host\n"
	 "      bits.  The rules are those of a [kernel NAME] section "
	 "(dpmirrorctl\n"
	 "      check).\n"},
	{"del",
	 "del [--netns N] --dev D [--direction ingress|egress|both]\n"
	 "           [--name LINK]",
	 "del   removes those filters (both directions unless --direction), "
	 "the\n"
	 "      qdisc once no filter is left on it, and the tunnel links they "
	 "sent\n"
	 "      to (and LINK, default vxlan0) if add made them and nothing "
	 "mirrors\n"
	 "      into them any more.\n"},
	{"show", "show [--netns N] [--dev D]",
	 "show  prints the mirror filters of D (direction, match, target, "
	 "packets,\n"
	 "      bytes of the mirred action) and the tunnel links' parameters;\n"
	 "      without --dev, those of every device of the namespace that "
	 "has one.\n"},
};
/* clang-format on */

/* The usage of ACTION ("add", "del", "show"), or of all when NULL. */
static void
kernel_usage(FILE *out, const char *action)
{
	const char *lead = "usage: ";
	unsigned int i;

	for (i = 0; i < RTE_DIM(kernel_actions); i++) {
		if (action != NULL &&
		    strcmp(action, kernel_actions[i].name) != 0)
			continue;
		fprintf(out, "%s" KERNEL_PROG " %s\n", lead,
			kernel_actions[i].synopsis);
		lead = "       ";
	}
	fprintf(out, "%s" KERNEL_PROG " %s%s-h | --help\n\n", lead,
		action != NULL ? action : "", action != NULL ? " " : "");
	for (i = 0; i < RTE_DIM(kernel_actions); i++)
		if (action == NULL ||
		    strcmp(action, kernel_actions[i].name) == 0)
			fputs(kernel_actions[i].text, out);
	fputs("--netns defaults to the current namespace.  Needs root.  Exit "
	      "0 ok,\n"
	      "1 usage error, 2 failure.\n",
	      out);
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

/* A value the kernel mirror's rules refuse: the one message, nothing
 * added but the prefix every message of this command has. */
static int
refused(const struct dpm_err *e)
{
	char shown[2 * sizeof(e->msg)];

	fprintf(stderr, KERNEL_PROG ": %s\n",
		cfg_escape(e->msg, shown, sizeof(shown)));
	return CLI_EXIT_USAGE;
}

/* Print a kernel failure and return the failure exit status.  kn_fail
 * has said already when the failure needs root. */
static int
fail(const char *what, int rc, const struct dpm_err *e)
{
	char shown[2 * sizeof(e->msg)];

	(void)rc;
	fprintf(stderr, KERNEL_PROG " %s: %s\n", what,
		cfg_escape(e->msg, shown, sizeof(shown)));
	return CLI_EXIT_FAIL;
}

struct kernel_args {
	struct cfg_kernel k; /* as a [kernel] section with these keys */
	struct kn_mirror_spec sp;
	bool have_dir, have_name;
	/* Options only add takes, for the message when del/show gets one. */
	const char *add_only;
};

/* The [kernel] key (or match word) each option stands for. */
static const char *const opt_keys[] = {
	[OPT_NETNS - OPT_NETNS] = "netns",
	[OPT_DEV - OPT_NETNS] = "dev",
	[OPT_DIRECTION - OPT_NETNS] = "direction",
	[OPT_REMOTE - OPT_NETNS] = "remote",
	[OPT_LOCAL - OPT_NETNS] = "local",
	[OPT_VNI - OPT_NETNS] = "vni",
	[OPT_DSTPORT - OPT_NETNS] = "dst_port",
	[OPT_UNDERLAY - OPT_NETNS] = "underlay",
	[OPT_NAME - OPT_NETNS] = "vxlan_name",
	[OPT_ENCAP - OPT_NETNS] = "encap",
	[OPT_PROTO - OPT_NETNS] = "proto",
	[OPT_SRC - OPT_NETNS] = "src",
	[OPT_DST - OPT_NETNS] = "dst",
	[OPT_SPORT - OPT_NETNS] = "sport",
	[OPT_DPORT - OPT_NETNS] = "dport",
	[OPT_IGNORE_MTU - OPT_NETNS] = "ignore_mtu",
	[OPT_KEY - OPT_NETNS] = "key",
	[OPT_SESSION_ID - OPT_NETNS] = "session_id",
};

/* 0, -1 after help, or the exit status of a usage error or refused value. */
static int
parse_args(const char *cmd, int argc, char **argv, struct kernel_args *a)
{
	struct dpm_err e;
	int c, idx, rc;

	memset(a, 0, sizeof(*a));
	cfg_kernel_init(&a->k);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", kernel_opts, &idx)) != -1) {
		const char *key;

		if (c == 'h' || c == OPT_HELP) {
			kernel_usage(stdout, cmd);
			return -1;
		}
		if (c < OPT_NETNS || c >= OPT_HELP) {
			if (optopt != 0 && optopt < OPT_NETNS)
				return usage_error("%s: unknown option -%c",
						   cmd, optopt);
			if (optopt >= OPT_NETNS)
				return usage_error(
					"%s: option --%s needs a value", cmd,
					kernel_opts[optopt - OPT_NETNS].name);
			return usage_error("%s: unknown option %s", cmd,
					   argv[optind - 1]);
		}
		key = opt_keys[c - OPT_NETNS];
		if (c >= OPT_REMOTE && c < OPT_HELP && c != OPT_NAME &&
		    a->add_only == NULL)
			a->add_only = kernel_opts[c - OPT_NETNS].name;
		a->have_dir |= c == OPT_DIRECTION;
		a->have_name |= c == OPT_NAME;
		if (c >= OPT_PROTO && c <= OPT_DPORT)
			rc = cfg_kernel_set_match(&a->k, key, optarg, &e);
		else
			rc = cfg_kernel_set(
				&a->k, key,
				c == OPT_IGNORE_MTU ? "yes" : optarg, &e);
		if (rc != 0)
			return refused(&e);
	}
	if (optind < argc)
		return usage_error("%s: unexpected argument '%s'", cmd,
				   argv[optind]);
	cfg_kernel_spec(&a->k, &a->sp);
	return 0;
}

static int
kernel_add(int argc, char **argv)
{
	struct kernel_args a;
	struct kn_mirror_spec *sp = &a.sp;
	const struct kn_tun_type *ty;
	struct dpm_err e = {""};
	char buf[64], what[48];
	int rc;

	rc = parse_args("add", argc, argv, &a);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (cfg_kernel_check(sp, CFG_KCHECK_ADD, NULL, &e) != 0)
		return refused(&e);
	rc = kn_mirror_add(sp, &e);
	if (rc != 0)
		return fail("add", rc, &e);
	ty = kn_tun_type(kn_mirror_encap(sp));
	if (ty->dstport != 0)
		snprintf(what, sizeof(what), "%s vni %u", ty->name, sp->vx.vni);
	else if (ty->has_session)
		snprintf(what, sizeof(what), "%s session %u", ty->name,
			 sp->has_session_id ? sp->session_id : 0);
	else if (sp->has_key)
		snprintf(what, sizeof(what), "%s key %u", ty->name, sp->key);
	else
		snprintf(what, sizeof(what), "%s", ty->name);
	printf("mirroring %s's %s traffic into %s (%s to %s) in %s%s\n",
	       sp->dev, kn_dir_str(sp->dir), kn_mirror_vxlan_name(sp), what,
	       kn_ip_str(&sp->vx.remote, buf, sizeof(buf)),
	       sp->netns != NULL ? "netns " : "the current namespace",
	       sp->netns != NULL ? sp->netns : "");
	return CLI_EXIT_OK;
}

static int
kernel_del(int argc, char **argv)
{
	struct kernel_args a;
	struct dpm_err e = {""};
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
	if (cfg_kernel_check(&a.sp, CFG_KCHECK_DEL, NULL, &e) != 0)
		return refused(&e);
	rc = kn_mirror_del(&a.sp, &e);
	if (rc != 0)
		return fail("del", rc, &e);
	return CLI_EXIT_OK;
}

static int
kernel_show(int argc, char **argv)
{
	struct kernel_args a;
	struct dpm_err e = {""};
	int rc;

	rc = parse_args("show", argc, argv, &a);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (a.add_only != NULL || a.have_dir || a.have_name)
		return usage_error("show: takes only --netns and --dev");
	if (cfg_kernel_check(&a.sp, CFG_KCHECK_SHOW, NULL, &e) != 0)
		return refused(&e);
	rc = kn_mirror_show(a.sp.netns,
			    a.sp.dev != NULL && a.sp.dev[0] != '\0' ? a.sp.dev
								    : NULL,
			    stdout, &e);
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
		kernel_usage(stdout, NULL);
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
