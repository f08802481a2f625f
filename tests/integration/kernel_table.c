/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel mirror's rules through its three front ends, case by case:
 *  - the configuration: a [kernel k1] section loaded by cfg_load (what
 *    `dpmirrorctl check` runs) and, when valid, set up as dpmirror does at
 *    start (cfg_kernel_spec + kn_mirror_add);
 *  - the command line: `dpmirrorctl kernel add` with the same values as
 *    options;
 *  - the library: kn_mirror_add with a struct kn_mirror_spec built here
 *    from the same values, the way a C caller fills it (no cfg/ parser).
 * Each case must get the same verdict from all three, the one the table
 * expects, and, when refused, the same message once the front end's prefix
 * is removed.  A valid case is really added and deleted again; every
 * attempt must leave `ip -n NS -d -o link`, `tc -n NS qdisc` and t0's
 * filters as they were.  A valid case whose tunnel kind this kernel lacks
 * (KTAB_MISSING, probed with ip by kernel_table.sh) must be refused by all
 * three with the message naming the module to load.
 *
 * Before the table, the RTM_NEWLINK request of every tunnel kind
 * (kn_tunnel_msg, which the kernel here cannot always take) is read back
 * attribute by attribute and compared with hand-written bytes, and once
 * more through kn_tunnel_parse.
 *
 * Usage: kernel_table NETNS DPMIRRORCTL.  NETNS must hold devices t0 (MTU
 * 1500), u0 (MTU 9000) and u1 (MTU 1500) and nothing else of ours
 * (kernel_table.sh makes and removes it).  Exit 0 all passed, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "cfg.h"
#include "cfg_kernel.h"
#include "kn_mirror.h"

/* A verdict and, for a valid case, the link kind and module it needs. */
#define OK		    true, NULL, NULL
#define FAIL		    false, NULL, NULL
#define NEEDS(kind, module) true, kind, module

/*
 * Each case: the keys of a [kernel k1] section over the base below
 * ("key=value" replaces or adds, "-key" removes; ';' between), the
 * expected verdict, and for a valid case the link kind it needs from the
 * kernel (NULL: vxlan, which every kernel this runs on has) with the
 * module whose absence the refusal must name.
 */
struct tcase {
	const char *name;
	const char *keys;
	bool ok;
	const char *kind, *module;
};


static const char *const base_keys =
	"dev=t0;remote=198.18.1.3;local=198.18.1.2;vni=100;underlay=u0";

static const struct tcase cases[] = {
	/* directions */
	{"ingress", "", OK},
	{"egress", "direction=egress", OK},
	{"both", "direction=both", OK},
	{"egress into its own underlay", "dev=u0;direction=egress", FAIL},
	{"both into its own underlay", "dev=u0;direction=both", FAIL},
	{"ingress of the underlay itself",
	 "dev=u0;direction=ingress;ignore_mtu=yes", OK},
	{"underlay carries the device's MTU", "dev=u0;direction=ingress",
	 FAIL},
	/* tunnel addresses */
	{"IPv6 tunnel", "remote=fd00:1::3;local=fd00:1::2", OK},
	{"mixed tunnel families", "local=fd00:1::2", FAIL},
	{"mixed tunnel families, v6 remote", "remote=fd00:1::3", FAIL},
	{"multicast remote", "remote=224.0.0.5", FAIL},
	{"IPv6 multicast remote", "remote=ff02::1;local=fd00:1::2", FAIL},
	{"broadcast local", "local=255.255.255.255", FAIL},
	{"unspecified remote", "remote=0.0.0.0", FAIL},
	{"unspecified IPv6 local", "remote=fd00:1::3;local=::", FAIL},
	{"no remote", "-remote", FAIL},
	{"no local", "-local", FAIL},
	/* vni and dst_port bounds */
	{"vni 0", "vni=0", OK},
	{"vni 16777215", "vni=16777215", OK},
	{"vni 16777216", "vni=16777216", FAIL},
	{"no vni", "-vni", FAIL},
	{"dst_port 1", "dst_port=1", OK},
	{"dst_port 65535", "dst_port=65535", OK},
	{"dst_port 0", "dst_port=0", FAIL},
	{"dst_port 65536", "dst_port=65536", FAIL},
	/* underlay, names, netns, encap */
	{"no underlay", "-underlay", FAIL},
	{"underlay MTU too small", "underlay=u1", FAIL},
	{"underlay MTU ignored", "underlay=u1;ignore_mtu=yes", OK},
	{"no such underlay", "underlay=u9", FAIL},
	{"no such device", "dev=t9", FAIL},
	{"no device", "-dev", FAIL},
	{"device name too long", "dev=abcdefghijklmnop", FAIL},
	{"device name with a slash", "dev=t0/1", FAIL},
	{"vxlan link named", "vxlan_name=mir1", OK},
	{"vxlan link is the device", "vxlan_name=t0", FAIL},
	{"vxlan link is the underlay", "vxlan_name=u0", FAIL},
	{"netns with a slash", "netns=a/b", FAIL},
	{"encap vxlan", "encap=vxlan", OK},
	{"vxlan over IPv6 named", "remote=fd00:1::3;local=fd00:1::2;"
	 "vxlan_name=vx6", OK},
	{"vxlan with key", "key=1", FAIL},
	{"vxlan with session_id", "session_id=1", FAIL},
	{"encap gre", "encap=gre", FAIL},
	{"encap erspan3", "encap=erspan3;-vni", FAIL},
	{"encap unknown", "encap=vxlan-gpe", FAIL},
	/* geneve: vni and dst_port, no local */
	{"geneve", "encap=geneve;-local", NEEDS("geneve", "geneve")},
	{"geneve over IPv6", "encap=geneve;-local;remote=fd00:1::3",
	 NEEDS("geneve", "geneve")},
	{"geneve dst_port 6082", "encap=geneve;-local;dst_port=6082",
	 NEEDS("geneve", "geneve")},
	{"geneve without vni", "encap=geneve;-local;-vni", FAIL},
	{"geneve with local", "encap=geneve", FAIL},
	{"geneve with key", "encap=geneve;-local;key=5", FAIL},
	/* gretap and ip6gretap: key */
	{"gretap", "encap=gretap;-vni", NEEDS("gretap", "ip_gre")},
	{"gretap key 7", "encap=gretap;-vni;key=7", NEEDS("gretap", "ip_gre")},
	{"gretap key 4294967295", "encap=gretap;-vni;key=4294967295",
	 NEEDS("gretap", "ip_gre")},
	{"gretap named, egress", "encap=gretap;-vni;vxlan_name=g1;"
	 "direction=egress", NEEDS("gretap", "ip_gre")},
	{"gretap with vni", "encap=gretap", FAIL},
	{"gretap with dst_port", "encap=gretap;-vni;dst_port=4789", FAIL},
	{"gretap with session_id", "encap=gretap;-vni;session_id=3", FAIL},
	{"gretap without local", "encap=gretap;-vni;-local", FAIL},
	{"gretap over IPv6", "encap=gretap;-vni;remote=fd00:1::3;"
	 "local=fd00:1::2", FAIL},
	{"gretap underlay MTU too small", "encap=gretap;-vni;underlay=u1",
	 FAIL},
	{"ip6gretap", "encap=ip6gretap;-vni;remote=fd00:1::3;local=fd00:1::2",
	 NEEDS("ip6gretap", "ip6_gre")},
	{"ip6gretap key 9", "encap=ip6gretap;-vni;remote=fd00:1::3;"
	 "local=fd00:1::2;key=9", NEEDS("ip6gretap", "ip6_gre")},
	{"ip6gretap over IPv4", "encap=ip6gretap;-vni", FAIL},
	{"ip6gretap with vni", "encap=ip6gretap;remote=fd00:1::3;"
	 "local=fd00:1::2", FAIL},
	/* erspan and ip6erspan: session_id */
	{"erspan", "encap=erspan;-vni", NEEDS("erspan", "ip_gre")},
	{"erspan session 1023", "encap=erspan;-vni;session_id=1023",
	 NEEDS("erspan", "ip_gre")},
	{"erspan session 1024", "encap=erspan;-vni;session_id=1024", FAIL},
	{"erspan with key", "encap=erspan;-vni;key=1", FAIL},
	{"erspan with vni", "encap=erspan", FAIL},
	{"erspan over IPv6", "encap=erspan;-vni;remote=fd00:1::3;"
	 "local=fd00:1::2", FAIL},
	{"ip6erspan", "encap=ip6erspan;-vni;remote=fd00:1::3;"
	 "local=fd00:1::2;session_id=5", NEEDS("ip6erspan", "ip6_gre")},
	{"ip6erspan over IPv4", "encap=ip6erspan;-vni;session_id=5", FAIL},
	{"ip6erspan mixed families", "encap=ip6erspan;-vni;"
	 "remote=fd00:1::3", FAIL},
	/* match: protocols and ports */
	{"tcp dport", "match=proto tcp dport 80", OK},
	{"udp sport and dport", "match=proto udp sport 53 dport 5353", OK},
	{"sctp dport", "match=proto sctp dport 9", OK},
	{"proto by number", "match=proto 47", OK},
	{"proto 255", "match=proto 255", OK},
	{"proto 256", "match=proto 256", FAIL},
	{"dport without proto", "match=dport 80", FAIL},
	{"sport without proto", "match=sport 1024", FAIL},
	{"dport with icmp", "match=proto icmp dport 80", FAIL},
	{"dport with proto 47", "match=proto 47 dport 80", FAIL},
	{"dport 65535", "match=proto tcp dport 65535", OK},
	{"dport 65536", "match=proto tcp dport 65536", FAIL},
	/* match: addresses and families */
	{"src IPv4 prefix", "match=src 198.18.0.0/24", OK},
	{"dst IPv6 prefix", "match=proto tcp dst fd00::/64", OK},
	{"src and dst IPv4", "match=src 198.18.0.0/24 dst 198.18.1.7", OK},
	{"any IPv4 address", "match=src 0.0.0.0/0", OK},
	{"multicast dst is fine in a match", "match=dst 224.0.0.0/4", OK},
	{"mixed match families", "match=src 198.18.0.0/24 dst fd00::/64",
	 FAIL},
	{"IPv4 host bits", "match=src 198.18.0.5/24", FAIL},
	{"IPv6 host bits", "match=dst fd00::1/64", FAIL},
	{"IPv4 prefix /33", "match=src 198.18.0.0/33", FAIL},
	{"IPv6 prefix /129", "match=dst fd00::/129", FAIL},
	/* match: icmp, icmpv6, ipv6-icmp and address families */
	{"icmp over IPv4", "match=proto icmp src 198.18.0.1", OK},
	{"icmp alone", "match=proto icmp", OK},
	{"icmpv6 over IPv6", "match=proto icmpv6 dst fd00::1", OK},
	{"ipv6-icmp over IPv6", "match=proto ipv6-icmp src fd00::/16", OK},
	{"icmp with IPv6", "match=proto icmp dst fd00::1", FAIL},
	{"icmpv6 with IPv4", "match=proto icmpv6 src 198.18.0.1", FAIL},
	{"ipv6-icmp with IPv4", "match=proto ipv6-icmp dst 198.18.0.0/16",
	 FAIL},
	{"proto 58 with IPv4", "match=proto 58 dst 198.18.0.1", FAIL},
	{"proto 1 with IPv6", "match=proto 1 src fd00::2", FAIL},
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))
#define MAX_KEYS 16

struct kv {
	char key[32];
	char val[128];
};

static const char *netns;
static const char *ctl;
static int failures;

static void
bad(const struct tcase *c, const char *front, const char *what,
    const char *detail)
{
	printf("FAIL: %s: %s %s: %s\n", c->name, front, what, detail);
	failures++;
}

/* Apply "k=v;-k" over KV (N entries); returns the new count. */
static int
apply(struct kv *kv, int n, const char *spec)
{
	char buf[512], *save = NULL, *t;
	int i;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (t = strtok_r(buf, ";", &save); t != NULL;
	     t = strtok_r(NULL, ";", &save)) {
		bool del = t[0] == '-';
		char *eq = strchr(t, '=');
		const char *k = del ? t + 1 : t;

		if (eq != NULL)
			*eq = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(kv[i].key, k) == 0)
				break;
		if (del) {
			if (i < n) {
				memmove(&kv[i], &kv[i + 1],
					(size_t)(n - i - 1) * sizeof(*kv));
				n--;
			}
			continue;
		}
		if (i == n && n < MAX_KEYS)
			n++;
		snprintf(kv[i].key, sizeof(kv[i].key), "%s", k);
		snprintf(kv[i].val, sizeof(kv[i].val), "%s", eq + 1);
	}
	return n;
}

static const char *
get(const struct kv *kv, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].val;
	return NULL;
}

/* What `ip -d -o link`, `tc qdisc` and t0's filters show. */
static void
snapshot(char *buf, size_t len)
{
	char cmd[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "ip -n %s -d -o link show 2>&1; tc -n %s qdisc show 2>&1; "
		 "tc -n %s filter show dev t0 ingress 2>&1; "
		 "tc -n %s filter show dev t0 egress 2>&1",
		 netns, netns, netns, netns);
	p = popen(cmd, "r");
	if (p == NULL) {
		snprintf(buf, len, "popen failed");
		return;
	}
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	pclose(p);
}

/* ---- the library: a spec filled the way a C caller does ---- */

static void
ip_of(const char *s, struct kn_ip *ip, uint8_t *len)
{
	char a[64], *slash;

	snprintf(a, sizeof(a), "%s", s);
	slash = strchr(a, '/');
	if (slash != NULL)
		*slash = '\0';
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, a, ip->bytes) == 1)
		ip->family = AF_INET;
	else if (inet_pton(AF_INET6, a, ip->bytes) == 1)
		ip->family = AF_INET6;
	if (len != NULL)
		*len = (uint8_t)(slash != NULL
					 ? atoi(slash + 1)
					 : (ip->family == AF_INET ? 32 : 128));
}

static int
proto_num(const char *s)
{
	static const struct {
		const char *n;
		int v;
	} t[] = {{"icmp", 1},	  {"tcp", 6},	    {"udp", 17},
		 {"icmpv6", 58}, {"ipv6-icmp", 58}, {"sctp", 132}};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].n) == 0)
			return t[i].v;
	return atoi(s);
}

static void
spec_of(const struct kv *kv, int n, struct kn_mirror_spec *sp)
{
	const char *v;

	memset(sp, 0, sizeof(*sp));
	sp->netns = get(kv, n, "netns");
	sp->dev = get(kv, n, "dev");
	v = get(kv, n, "direction");
	sp->dir = v == NULL || strcmp(v, "ingress") == 0 ? KN_DIR_INGRESS
		  : strcmp(v, "egress") == 0		  ? KN_DIR_EGRESS
							  : KN_DIR_BOTH;
	sp->encap = get(kv, n, "encap");
	sp->vxlan_name = get(kv, n, "vxlan_name");
	v = get(kv, n, "vni");
	sp->vx.vni = v != NULL ? (uint32_t)strtoul(v, NULL, 10) : KN_VNI_NONE;
	/* A caller names the UDP port of the UDP tunnels only. */
	v = get(kv, n, "dst_port");
	sp->vx.dstport = v != NULL		 ? (uint32_t)strtoul(v, NULL, 10)
			 : sp->encap == NULL	 ? 4789
			 : strcmp(sp->encap, "vxlan") == 0  ? 4789
			 : strcmp(sp->encap, "geneve") == 0 ? 6081
							    : 0;
	if ((v = get(kv, n, "key")) != NULL) {
		sp->has_key = true;
		sp->key = (uint32_t)strtoull(v, NULL, 10);
	}
	if ((v = get(kv, n, "session_id")) != NULL) {
		sp->has_session_id = true;
		sp->session_id = (uint32_t)strtoul(v, NULL, 10);
	}
	if ((v = get(kv, n, "remote")) != NULL)
		ip_of(v, &sp->vx.remote, NULL);
	if ((v = get(kv, n, "local")) != NULL)
		ip_of(v, &sp->vx.local, NULL);
	if ((v = get(kv, n, "underlay")) != NULL)
		snprintf(sp->vx.underlay, sizeof(sp->vx.underlay), "%.15s", v);
	v = get(kv, n, "ignore_mtu");
	sp->ignore_mtu = v != NULL && strcmp(v, "yes") == 0;
	sp->match.proto = -1;
	sp->match.sport = -1;
	sp->match.dport = -1;
	v = get(kv, n, "match");
	if (v != NULL) {
		char buf[256], *save = NULL, *w, *a;

		snprintf(buf, sizeof(buf), "%s", v);
		for (w = strtok_r(buf, " ", &save); w != NULL;
		     w = strtok_r(NULL, " ", &save)) {
			a = strtok_r(NULL, " ", &save);
			if (strcmp(w, "proto") == 0)
				sp->match.proto = proto_num(a);
			else if (strcmp(w, "sport") == 0)
				sp->match.sport = atoi(a);
			else if (strcmp(w, "dport") == 0)
				sp->match.dport = atoi(a);
			else if (strcmp(w, "src") == 0) {
				ip_of(a, &sp->match.src, &sp->match.src_len);
				sp->match.has_src = true;
			} else if (strcmp(w, "dst") == 0) {
				ip_of(a, &sp->match.dst, &sp->match.dst_len);
				sp->match.has_dst = true;
			}
		}
	}
}

static bool
via_library(const struct kv *kv, int n, char *msg, size_t len)
{
	struct kn_mirror_spec sp;
	struct dpm_err e = {""};

	spec_of(kv, n, &sp);
	if (kn_mirror_add(&sp, &e) != 0) {
		snprintf(msg, len, "%s", e.msg);
		return false;
	}
	sp.dir = 0;
	if (kn_mirror_del(&sp, &e) != 0) {
		snprintf(msg, len, "library del: %s", e.msg);
		return false;
	}
	msg[0] = '\0';
	return true;
}

/* ---- the configuration: cfg_load, then what dpmirror does at start ---- */

static const char ini_base[] =
	"[port p0]\ndevice = net_null0\npeer = p1\n"
	"[port p1]\ndevice = net_null1\npeer = p0\n"
	"[port out]\ndevice = net_null2\n"
	"[collector c1]\nport = out\nremote_ip = 198.18.1.3\n"
	"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
	"[session s1]\nsources = p0:rx\ncollector = c1\n";

/* "[kernel k1] key = value: MSG" or "[kernel k1] key: MSG" -> MSG. */
static const char *
strip_ini(const char *m)
{
	const char *p = strstr(m, "] ");

	if (strncmp(m, "[kernel k1]", 11) != 0 || p == NULL)
		return m;
	p = strstr(p, ": ");
	return p != NULL ? p + 2 : m;
}

static bool
via_config(const struct kv *kv, int n, char *msg, size_t len)
{
	char path[] = "/tmp/kernel_table.XXXXXX";
	struct cfg_errors *errs = calloc(1, sizeof(*errs));
	struct kn_mirror_spec sp;
	struct dpm_err e = {""};
	struct cfg *cfg;
	bool ok = false;
	FILE *f;
	int fd, i;

	fd = mkstemp(path);
	if (fd < 0 || errs == NULL || (f = fdopen(fd, "w")) == NULL) {
		snprintf(msg, len, "cannot write a configuration file");
		free(errs);
		return false;
	}
	fprintf(f, "%s[kernel k1]\n", ini_base);
	for (i = 0; i < n; i++)
		fprintf(f, "%s = %s\n", kv[i].key, kv[i].val);
	fclose(f);
	cfg = cfg_load(path, errs);
	unlink(path);
	if (cfg == NULL) {
		if (errs->n != 1)
			snprintf(msg, len, "%u messages, the first: %s",
				 errs->n, errs->msg[0]);
		else
			snprintf(msg, len, "%s", strip_ini(errs->msg[0]));
		free(errs);
		return false;
	}
	free(errs);
	cfg_kernel_spec(&cfg->kernels[0], &sp);
	if (kn_mirror_add(&sp, &e) != 0) {
		snprintf(msg, len, "%s", e.msg);
	} else if (kn_mirror_del(&sp, &e) != 0) {
		snprintf(msg, len, "config del: %s", e.msg);
	} else {
		msg[0] = '\0';
		ok = true;
	}
	cfg_free(cfg);
	return ok;
}

/* ---- the command line ---- */

/* Run CTL with ARGV; the exit status, the first line of stderr in MSG. */
static int
run_ctl(char **argv, char *msg, size_t len)
{
	int pfd[2], st;
	pid_t pid;
	ssize_t r;
	size_t got = 0;
	char *nl;

	if (pipe(pfd) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", 0);

		dup2(pfd[1], 2);
		if (devnull >= 0)
			dup2(devnull, 1);
		close(pfd[0]);
		execv(ctl, argv);
		_exit(127);
	}
	close(pfd[1]);
	while (got < len - 1 &&
	       (r = read(pfd[0], msg + got, len - 1 - got)) > 0)
		got += (size_t)r;
	msg[got] = '\0';
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	nl = strchr(msg, '\n');
	if (nl != NULL)
		*nl = '\0';
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static bool
via_cli(const struct kv *kv, int n, char *msg, size_t len)
{
	static const struct {
		const char *key, *opt;
	} opts[] = {
		{"netns", "--netns"},	  {"dev", "--dev"},
		{"direction", "--direction"}, {"encap", "--encap"},
		{"remote", "--remote"},	  {"local", "--local"},
		{"vni", "--vni"},	  {"dst_port", "--dstport"},
		{"underlay", "--underlay"}, {"vxlan_name", "--name"},
		{"key", "--key"},	  {"session_id", "--session-id"},
	};
	static char words[MAX_KEYS * 2][128];
	char *argv[64], raw[1024];
	const char *p;
	int argc = 0, i, j, nw = 0, rc;

	argv[argc++] = (char *)ctl;
	argv[argc++] = (char *)"kernel";
	argv[argc++] = (char *)"add";
	for (i = 0; i < n; i++) {
		if (strcmp(kv[i].key, "ignore_mtu") == 0) {
			if (strcmp(kv[i].val, "yes") == 0)
				argv[argc++] = (char *)"--ignore-mtu";
			continue;
		}
		if (strcmp(kv[i].key, "match") == 0) {
			char buf[256], *save = NULL, *w;

			snprintf(buf, sizeof(buf), "%s", kv[i].val);
			for (w = strtok_r(buf, " ", &save); w != NULL;
			     w = strtok_r(NULL, " ", &save), nw++) {
				snprintf(words[nw], sizeof(words[nw]), "%s%s",
					 nw % 2 == 0 ? "--" : "", w);
				argv[argc++] = words[nw];
			}
			continue;
		}
		for (j = 0; j < (int)(sizeof(opts) / sizeof(opts[0])); j++)
			if (strcmp(kv[i].key, opts[j].key) == 0)
				break;
		argv[argc++] = (char *)opts[j].opt;
		argv[argc++] = (char *)kv[i].val;
	}
	argv[argc] = NULL;
	rc = run_ctl(argv, raw, sizeof(raw));
	if (rc != 0) {
		p = raw;
		if (strncmp(p, "dpmirrorctl kernel: ", 20) == 0)
			p += 20;
		else if (strncmp(p, "dpmirrorctl kernel add: ", 24) == 0)
			p += 24;
		snprintf(msg, len, "%.512s", p);
		return false;
	}
	/* Deleted as a user would: by namespace, device and link name. */
	argc = 0;
	argv[argc++] = (char *)ctl;
	argv[argc++] = (char *)"kernel";
	argv[argc++] = (char *)"del";
	argv[argc++] = (char *)"--netns";
	argv[argc++] = (char *)netns;
	argv[argc++] = (char *)"--dev";
	argv[argc++] = (char *)get(kv, n, "dev");
	if (get(kv, n, "vxlan_name") != NULL) {
		argv[argc++] = (char *)"--name";
		argv[argc++] = (char *)get(kv, n, "vxlan_name");
	}
	argv[argc] = NULL;
	if (run_ctl(argv, raw, sizeof(raw)) != 0) {
		snprintf(msg, len, "cli del: %.500s", raw);
		return false;
	}
	msg[0] = '\0';
	return true;
}

/* ---- the requests: kn_tunnel_msg read back ---- */

static int req_failures;

static void
req_bad(const char *kind, const char *what)
{
	printf("FAIL: request %s: %s\n", kind, what);
	req_failures++;
}

/* Attribute TYPE of TB holds exactly the LEN bytes WANT. */
static void
req_bytes(const char *kind, struct nlattr **tb, int type, const char *name,
	  const void *want, int len)
{
	char what[160];

	if (tb[type] == NULL) {
		snprintf(what, sizeof(what), "%s missing", name);
		req_bad(kind, what);
	} else if (nla_len(tb[type]) != len ||
		   memcmp(nla_data(tb[type]), want, (size_t)len) != 0) {
		snprintf(what, sizeof(what), "%s: %d bytes, not the %d expected",
			 name, nla_len(tb[type]), len);
		req_bad(kind, what);
	}
}

/* Attribute TYPE is absent or all zero bytes (libnl sends some unset
 * GRE attributes as 0, which the kernel reads as "none"). */
static void
req_absent(const char *kind, struct nlattr **tb, int type, const char *name)
{
	const uint8_t *p;
	char what[96];
	int i;

	if (tb[type] == NULL)
		return;
	p = nla_data(tb[type]);
	for (i = 0; i < nla_len(tb[type]); i++)
		if (p[i] != 0)
			break;
	if (i < nla_len(tb[type])) {
		snprintf(what, sizeof(what), "%s not zero", name);
		req_bad(kind, what);
	}
}

/* A UDP port: big endian in the first two bytes.  libnl sends it in a
 * 4-byte attribute; the kernel (NLA_U16, lenient for these old
 * attributes) reads those two. */
static void
req_port(const char *kind, struct nlattr **tb, int type, const char *name,
	 const uint8_t want[2])
{
	char what[96];

	if (tb[type] == NULL || nla_len(tb[type]) < 2 ||
	    memcmp(nla_data(tb[type]), want, 2) != 0) {
		snprintf(what, sizeof(what), "%s missing or not %u", name,
			 (unsigned int)(want[0] << 8 | want[1]));
		req_bad(kind, what);
	}
}

/*
 * Build the request of T, check its header, name and kind, hand the
 * tunnel attributes (IFLA_INFO_DATA, parsed up to MAX) to the caller in
 * TB, and read the whole request back through kn_tunnel_parse into ST.
 */
static struct nl_msg *
req_build(const struct kn_tunnel *t, const char *kind, struct nlattr **tb,
	  int max, struct kn_tunnel_state *st)
{
	struct nlattr *top[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct dpm_err e = {""};
	struct nl_msg *msg;
	struct nlmsghdr *h;
	char name[32];

	if (kn_tunnel_msg("tq0", t, &msg, &e) != 0) {
		req_bad(kind, e.msg);
		return NULL;
	}
	h = nlmsg_hdr(msg);
	if (h->nlmsg_type != RTM_NEWLINK ||
	    (h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) !=
		    (NLM_F_CREATE | NLM_F_EXCL))
		req_bad(kind, "not RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL");
	if (nlmsg_parse(h, sizeof(struct ifinfomsg), top, IFLA_MAX, NULL) <
		    0 ||
	    top[IFLA_IFNAME] == NULL || top[IFLA_LINKINFO] == NULL ||
	    nla_parse_nested(li, IFLA_INFO_MAX, top[IFLA_LINKINFO], NULL) <
		    0 ||
	    li[IFLA_INFO_KIND] == NULL || li[IFLA_INFO_DATA] == NULL ||
	    nla_parse_nested(tb, max, li[IFLA_INFO_DATA], NULL) < 0) {
		req_bad(kind, "no IFLA_IFNAME, IFLA_LINKINFO, IFLA_INFO_KIND "
			      "or IFLA_INFO_DATA");
		nlmsg_free(msg);
		return NULL;
	}
	nla_strlcpy(name, top[IFLA_IFNAME], sizeof(name));
	if (strcmp(name, "tq0") != 0)
		req_bad(kind, "IFLA_IFNAME is not tq0");
	nla_strlcpy(name, li[IFLA_INFO_KIND], sizeof(name));
	if (strcmp(name, kind) != 0)
		req_bad(kind, "IFLA_INFO_KIND is not the kind");
	if (kn_tunnel_parse(h, st) != 0 || st->tun != (int)t->kind)
		req_bad(kind, "kn_tunnel_parse does not read it back");
	return msg;
}

static void
check_requests(void)
{
	static const uint8_t v4l[4] = {198, 18, 1, 2}, v4r[4] = {198, 18, 1, 3};
	static const uint8_t v6l[16] = {0xfd, 0, 0, 1, [15] = 2};
	static const uint8_t v6r[16] = {0xfd, 0, 0, 1, [15] = 3};
	/* GRE flags and keys as on the wire: K = 0x2000, S = 0x1000. */
	static const uint8_t key_flag[2] = {0x20, 0x00};
	static const uint8_t seq_key_flags[2] = {0x30, 0x00};
	static const uint8_t key7[4] = {0, 0, 0, 7};
	static const uint8_t key_max[4] = {0xff, 0xff, 0xff, 0xff};
	static const uint8_t session291[4] = {0, 0, 0x01, 0x23};
	static const uint8_t port4789[2] = {0x12, 0xb5}, port6081[2] = {0x17,
									 0xc1};
	const uint32_t link = 42, one = 1, vni = 100, zero = 0;
	const uint8_t ver1 = 1;
	struct nlattr *tb[IFLA_GRE_MAX + 1 > IFLA_VXLAN_MAX + 1
				  ? IFLA_GRE_MAX + 1
				  : IFLA_VXLAN_MAX + 1];
	struct kn_tunnel_state st;
	struct kn_tunnel t;
	struct nl_msg *m;
	int v6;

	/* vxlan over IPv4 through libnl */
	memset(&t, 0, sizeof(t));
	t.kind = KN_TUN_VXLAN;
	t.local.family = t.remote.family = AF_INET;
	memcpy(t.local.bytes, v4l, 4);
	memcpy(t.remote.bytes, v4r, 4);
	t.underlay_ifindex = (int)link;
	t.vni = vni;
	if ((m = req_build(&t, "vxlan", tb, IFLA_VXLAN_MAX, &st)) != NULL) {
		req_bytes("vxlan", tb, IFLA_VXLAN_ID, "IFLA_VXLAN_ID", &vni, 4);
		req_port("vxlan", tb, IFLA_VXLAN_PORT, "IFLA_VXLAN_PORT",
			 port4789);
		req_bytes("vxlan", tb, IFLA_VXLAN_LOCAL, "IFLA_VXLAN_LOCAL",
			  v4l, 4);
		req_bytes("vxlan", tb, IFLA_VXLAN_GROUP, "IFLA_VXLAN_GROUP",
			  v4r, 4);
		req_bytes("vxlan", tb, IFLA_VXLAN_LINK, "IFLA_VXLAN_LINK",
			  &link, 4);
		if (st.vni != vni || st.dstport != 4789 ||
		    st.underlay_ifindex != (int)link ||
		    memcmp(st.remote.bytes, v4r, 4) != 0)
			req_bad("vxlan", "read back differs");
		nlmsg_free(m);
	}
	/* geneve over IPv4 and IPv6 through libnl: no local, no link */
	for (v6 = 0; v6 < 2; v6++) {
		memset(&t, 0, sizeof(t));
		t.kind = KN_TUN_GENEVE;
		t.remote.family = v6 ? AF_INET6 : AF_INET;
		memcpy(t.remote.bytes, v6 ? v6r : v4r, v6 ? 16 : 4);
		t.vni = vni;
		m = req_build(&t, "geneve", tb, IFLA_GENEVE_MAX, &st);
		if (m == NULL)
			continue;
		req_bytes("geneve", tb, IFLA_GENEVE_ID, "IFLA_GENEVE_ID", &vni,
			  4);
		req_port("geneve", tb, IFLA_GENEVE_PORT, "IFLA_GENEVE_PORT",
			 port6081);
		req_bytes("geneve", tb,
			  v6 ? IFLA_GENEVE_REMOTE6 : IFLA_GENEVE_REMOTE,
			  v6 ? "IFLA_GENEVE_REMOTE6" : "IFLA_GENEVE_REMOTE",
			  v6 ? v6r : v4r, v6 ? 16 : 4);
		if (st.vni != vni || st.dstport != 6081 ||
		    st.remote.family != (v6 ? AF_INET6 : AF_INET))
			req_bad("geneve", "read back differs");
		nlmsg_free(m);
	}
	/* gretap (libnl) and ip6gretap (attributes), with and without a
	 * key */
	for (v6 = 0; v6 < 4; v6++) {
		bool six = v6 & 1, keyed = v6 & 2;
		const char *kind = six ? "ip6gretap" : "gretap";

		memset(&t, 0, sizeof(t));
		t.kind = six ? KN_TUN_IP6GRETAP : KN_TUN_GRETAP;
		t.local.family = t.remote.family = six ? AF_INET6 : AF_INET;
		memcpy(t.local.bytes, six ? v6l : v4l, six ? 16 : 4);
		memcpy(t.remote.bytes, six ? v6r : v4r, six ? 16 : 4);
		t.underlay_ifindex = (int)link;
		t.has_key = keyed;
		t.key = six ? 0xffffffffu : 7;
		m = req_build(&t, kind, tb, IFLA_GRE_MAX, &st);
		if (m == NULL)
			continue;
		req_bytes(kind, tb, IFLA_GRE_LOCAL, "IFLA_GRE_LOCAL",
			  six ? v6l : v4l, six ? 16 : 4);
		req_bytes(kind, tb, IFLA_GRE_REMOTE, "IFLA_GRE_REMOTE",
			  six ? v6r : v4r, six ? 16 : 4);
		req_bytes(kind, tb, IFLA_GRE_LINK, "IFLA_GRE_LINK", &link, 4);
		if (keyed) {
			req_bytes(kind, tb, IFLA_GRE_OFLAGS, "IFLA_GRE_OFLAGS",
				  key_flag, 2);
			req_bytes(kind, tb, IFLA_GRE_IFLAGS, "IFLA_GRE_IFLAGS",
				  key_flag, 2);
			req_bytes(kind, tb, IFLA_GRE_OKEY, "IFLA_GRE_OKEY",
				  six ? key_max : key7, 4);
			req_bytes(kind, tb, IFLA_GRE_IKEY, "IFLA_GRE_IKEY",
				  six ? key_max : key7, 4);
			if (st.okey != t.key || st.oflags != 0x2000)
				req_bad(kind, "key read back differs");
		} else {
			req_absent(kind, tb, IFLA_GRE_OKEY, "IFLA_GRE_OKEY");
			req_absent(kind, tb, IFLA_GRE_OFLAGS,
				   "IFLA_GRE_OFLAGS");
			req_absent(kind, tb, IFLA_GRE_IFLAGS,
				   "IFLA_GRE_IFLAGS");
		}
		if (six)
			req_bytes(kind, tb, IFLA_GRE_FLAGS,
				  "IFLA_GRE_FLAGS (IP6_TNL_F_IGN_ENCAP_LIMIT)",
				  &one, 4);
		req_absent(kind, tb, IFLA_GRE_ERSPAN_VER, "IFLA_GRE_ERSPAN_VER");
		nlmsg_free(m);
	}
	/* erspan and ip6erspan (attributes): type II, session 291 as the
	 * key, sequence numbers on */
	for (v6 = 0; v6 < 2; v6++) {
		const char *kind = v6 ? "ip6erspan" : "erspan";

		memset(&t, 0, sizeof(t));
		t.kind = v6 ? KN_TUN_IP6ERSPAN : KN_TUN_ERSPAN;
		t.local.family = t.remote.family = v6 ? AF_INET6 : AF_INET;
		memcpy(t.local.bytes, v6 ? v6l : v4l, v6 ? 16 : 4);
		memcpy(t.remote.bytes, v6 ? v6r : v4r, v6 ? 16 : 4);
		t.underlay_ifindex = (int)link;
		t.session_id = 291;
		m = req_build(&t, kind, tb, IFLA_GRE_MAX, &st);
		if (m == NULL)
			continue;
		req_bytes(kind, tb, IFLA_GRE_OFLAGS, "IFLA_GRE_OFLAGS",
			  seq_key_flags, 2);
		req_bytes(kind, tb, IFLA_GRE_IFLAGS, "IFLA_GRE_IFLAGS",
			  seq_key_flags, 2);
		req_bytes(kind, tb, IFLA_GRE_OKEY, "IFLA_GRE_OKEY", session291,
			  4);
		req_bytes(kind, tb, IFLA_GRE_IKEY, "IFLA_GRE_IKEY", session291,
			  4);
		req_bytes(kind, tb, IFLA_GRE_ERSPAN_VER, "IFLA_GRE_ERSPAN_VER",
			  &ver1, 1);
		req_bytes(kind, tb, IFLA_GRE_ERSPAN_INDEX,
			  "IFLA_GRE_ERSPAN_INDEX", &zero, 4);
		req_bytes(kind, tb, IFLA_GRE_LOCAL, "IFLA_GRE_LOCAL",
			  v6 ? v6l : v4l, v6 ? 16 : 4);
		req_bytes(kind, tb, IFLA_GRE_REMOTE, "IFLA_GRE_REMOTE",
			  v6 ? v6r : v4r, v6 ? 16 : 4);
		req_bytes(kind, tb, IFLA_GRE_LINK, "IFLA_GRE_LINK", &link, 4);
		if (v6)
			req_bytes(kind, tb, IFLA_GRE_FLAGS,
				  "IFLA_GRE_FLAGS (IP6_TNL_F_IGN_ENCAP_LIMIT)",
				  &one, 4);
		if (st.erspan_ver != 1 || st.okey != 291 ||
		    st.oflags != 0x3000 || st.iflags != 0x3000)
			req_bad(kind, "read back differs");
		nlmsg_free(m);
	}
	printf("requests: vxlan, geneve (IPv4, IPv6), gretap, ip6gretap "
	       "(with and without a key), erspan, ip6erspan read back: %d "
	       "failure(s)\n",
	       req_failures);
	failures += req_failures;
}

/* Whether KTAB_MISSING (kernel_table.sh's probe) lists KIND. */
static bool
kernel_lacks(const char *kind)
{
	const char *list = getenv("KTAB_MISSING");
	char buf[256], *save = NULL, *w;

	if (list == NULL)
		return false;
	snprintf(buf, sizeof(buf), "%s", list);
	for (w = strtok_r(buf, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save))
		if (strcmp(w, kind) == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	static const char *const fe[3] = {"config", "cli", "library"};
	static char before[32768], after[32768];
	unsigned int i, n_ok = 0, n_fail = 0, n_lack = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: kernel_table NETNS DPMIRRORCTL\n");
		return 2;
	}
	netns = argv[1];
	ctl = argv[2];
	check_requests();
	snapshot(before, sizeof(before));
	for (i = 0; i < N_CASES; i++) {
		const struct tcase *c = &cases[i];
		char msgs[3][DPM_ERR_LEN + 64], ns[128], want[64];
		struct kv kv[MAX_KEYS];
		bool ok[3], lack = c->kind != NULL && kernel_lacks(c->kind);
		bool expect = c->ok && !lack;
		int n = 0, f;

		snprintf(ns, sizeof(ns), "netns=%s", netns);
		n = apply(kv, n, ns);
		n = apply(kv, n, base_keys);
		n = apply(kv, n, c->keys);
		for (f = 0; f < 3; f++) {
			ok[f] = f == 0	 ? via_config(kv, n, msgs[f], sizeof(msgs[f]))
				: f == 1 ? via_cli(kv, n, msgs[f], sizeof(msgs[f]))
					 : via_library(kv, n, msgs[f],
						       sizeof(msgs[f]));
			snapshot(after, sizeof(after));
			if (strcmp(before, after) != 0) {
				bad(c, fe[f], "left something behind", after);
				/* Start the next attempt from what is there. */
				memcpy(before, after, sizeof(before));
			}
			if (ok[f] != expect)
				bad(c, fe[f],
				    ok[f] ? "accepted" : "refused",
				    ok[f] ? "want refused" : msgs[f]);
			/* The kernel's refusal names the module to load. */
			snprintf(want, sizeof(want), "`modprobe %s`",
				 c->module != NULL ? c->module : "");
			if (lack && !ok[f] &&
			    (strstr(msgs[f], want) == NULL ||
			     strstr(msgs[f], "this kernel has no") == NULL))
				bad(c, fe[f], "refusal does not name", want);
		}
		if (!expect &&
		    (strcmp(msgs[0], msgs[1]) != 0 ||
		     strcmp(msgs[0], msgs[2]) != 0)) {
			printf("FAIL: %s: messages differ:\n  config:  %s\n"
			       "  cli:     %s\n  library: %s\n",
			       c->name, msgs[0], msgs[1], msgs[2]);
			failures++;
		}
		if (lack)
			n_lack++;
		else if (c->ok)
			n_ok++;
		else
			n_fail++;
		printf("%-4s %-36s %s\n",
		       lack ? "nok" : c->ok ? "ok" : "no", c->name,
		       expect ? "" : msgs[2]);
	}
	printf("kernel_table: %zu cases (%u valid and set up, %u valid but "
	       "this kernel lacks the link kind, %u refused) through the "
	       "configuration, dpmirrorctl and the library: %d failure(s)\n",
	       N_CASES, n_ok, n_lack, n_fail, failures);
	return failures == 0 ? 0 : 1;
}
