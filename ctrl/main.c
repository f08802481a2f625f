/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpmirror: the mirroring process.  The main lcore is the control thread
 * (configuration, ports, statistics, signals); every other lcore runs the
 * worker loop of dataplane/dp_worker.c.
 *
 *   dpmirror [EAL options] -- -c FILE [--stats-interval SEC]
 *            [--stats-json FILE] [--dry-run]
 *   dpmirror --version | -h
 *
 * A start and a dry run share one path (start_up): workers, ports, pools,
 * queues and the ruleset exactly as configured; a dry run then releases
 * it all instead of launching the workers.
 */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_pdump.h>
#include <rte_rcu_qsbr.h>

#include <pthread.h>

#include "cfg.h"
#include "ctl_kernel.h"
#include "dpm_lock.h"
#include "ctl_log.h"
#include "ctl_neigh.h"
#include "ctl_port.h"
#include "ctl_reload.h"
#include "ctl_ruleset.h"
#include "ctl_stats.h"
#include "ctl_telemetry.h"
#include "ctl_workers.h"
#include "dp_mirror.h"
#include "dp_worker.h"
#include "dpm_err.h"

RTE_LOG_REGISTER(dpm_ctrl_logtype, user.dpmirror.ctrl, NOTICE);

#define EXIT_CONFIG 2

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t dump_signal;
static volatile sig_atomic_t hup_signal;
/* TSC when the first SIGHUP not yet acted on came (reload latency). */
static uint64_t hup_tsc;

struct options {
	const char *config;
	const char *stats_json;
	long stats_interval; /* -1 = from the config */
	bool dry_run;
};

/* What a start sets up (start_up) and a stop releases (shut_down). */
struct proc {
	struct ctl_workers ws;
	struct ctl_ports ports;
	struct dp_shared shared; /* the workers point at it */
	struct dp_ruleset *rs;
};

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_signal = 1;
	else if (sig == SIGHUP) {
		/* rdtsc and a plain store: async-signal-safe. */
		if (!hup_signal)
			__atomic_store_n(&hup_tsc, rte_rdtsc(),
					 __ATOMIC_RELAXED);
		hup_signal = 1;
	} else
		quit_signal = 1;
}

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL options] -- -c FILE [--stats-interval SEC] "
		"[--stats-json FILE]\n"
		"                           [--dry-run]\n"
		"       %s --version\n"
		"  -c, --config FILE        configuration (see config/*.ini)\n"
		"  --stats-interval SEC     seconds between statistics blocks "
		"(0 = only at exit);\n"
		"                           overrides [dpmirror] "
		"stats_interval\n"
		"  --stats-json FILE        write statistics as JSON at exit "
		"and on SIGUSR1;\n"
		"                           FILE is replaced by rename: its "
		"directory must exist\n"
		"                           and be writable, FILE must not be "
		"a symbolic link;\n"
		"                           - writes each object to stdout "
		"(a JSON stream; the text\n"
		"                           block then goes to stderr)\n"
		"  --dry-run                set up every port, pool and queue "
		"as configured,\n"
		"                           build the ruleset, release it all "
		"and exit:\n"
		"                           0 it would start, 2 it would not "
		"(naming the key);\n"
		"                           no [playground] or [kernel] is set "
		"up\n"
		"  -V, --version            print the version and exit\n"
		"  -h, --help               this help\n"
		"Signals: SIGINT/SIGTERM stop cleanly, SIGUSR1 writes the "
		"JSON,\n"
		"SIGHUP reloads FILE (sessions, filters, collectors change "
		"live;\n"
		"port-level keys need a restart).\n",
		prog, prog);
}

#define ARGS_HELP    1
#define ARGS_VERSION 2

/* Parse the application arguments (those after "--"): 0, ARGS_HELP,
 * ARGS_VERSION, or -1 after a message. */
static int
parse_app_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"stats-interval", required_argument, NULL, 'i'},
		{"stats-json", required_argument, NULL, 'j'},
		{"dry-run", no_argument, NULL, 'n'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char shown[256], opt[3] = "-?";
	uint64_t v;
	int c, rc;

	o->stats_interval = -1;
	optind = 1;
	opterr = 0; /* our messages, with the argument escaped */
	while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'i':
			rc = cfg_parse_uint(optarg, 0, 3600, &v);
			if (rc != 0) {
				fprintf(stderr,
					"dpmirror: --stats-interval '%s': %s; "
					"give whole seconds as a decimal "
					"number, 0..3600\n",
					cfg_escape(optarg, shown,
						   sizeof(shown)),
					rc == -ERANGE ? "out of range"
						      : "not a decimal number");
				return -1;
			}
			o->stats_interval = (long)v;
			break;
		case 'j':
			o->stats_json = optarg;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'V':
			return ARGS_VERSION;
		case 'h':
			return ARGS_HELP;
		default:
			if (optopt == 'c' || optopt == 'i' || optopt == 'j')
				fprintf(stderr,
					"dpmirror: option %s needs a value\n",
					optopt == 'c'	? "-c/--config"
					: optopt == 'i' ? "--stats-interval"
							: "--stats-json");
			else if (optopt != 0) {
				opt[1] = (char)optopt;
				fprintf(stderr,
					"dpmirror: unknown option '%s'\n",
					cfg_escape(opt, shown, sizeof(shown)));
			} else
				fprintf(stderr,
					"dpmirror: unknown option '%s'\n",
					cfg_escape(argv[optind - 1], shown,
						   sizeof(shown)));
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dpmirror: unexpected argument '%s'\n",
			cfg_escape(argv[optind], shown, sizeof(shown)));
		return -1;
	}
	if (o->config == NULL) {
		fprintf(stderr, "dpmirror: no configuration: give -c FILE\n");
		return -1;
	}
	return 0;
}

/*
 * --stats-json PATH is written at exit and on SIGUSR1, by rename from a
 * temporary file beside it: check now what would make that fail or write
 * where it must not, before anything is set up.  The directory must exist
 * and be writable; PATH must be absent or a regular file, not a symbolic
 * link (the link itself would be replaced), a directory or a device.
 * Returns 0, or -1 with a message on stderr.
 */
static int
check_stats_json(const char *path)
{
	char shown[2 * PATH_MAX], dir[PATH_MAX], where[2 * PATH_MAX];
	const char *slash, *why = NULL;
	struct stat st;
	int err = 0;

	if (path == NULL || strcmp(path, "-") == 0)
		return 0;
	cfg_escape(path, shown, sizeof(shown));
	if (path[0] == '\0' || strlen(path) >= PATH_MAX - 16) {
		fprintf(stderr,
			"dpmirror: error: --stats-json '%s': give the path of "
			"a file (at most %d characters)\n",
			shown, PATH_MAX - 17);
		return -1;
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	cfg_escape(dir, where, sizeof(where));
	if (stat(dir, &st) != 0)
		err = errno;
	else if (!S_ISDIR(st.st_mode))
		err = ENOTDIR;
	else if (access(dir, W_OK | X_OK) != 0)
		why = strerror(errno);
	if (err == ENOENT)
		fprintf(stderr,
			"dpmirror: error: --stats-json %s: its directory %s "
			"does not exist; create it or give another path\n",
			shown, where);
	else if (err != 0)
		fprintf(stderr,
			"dpmirror: error: --stats-json %s: its directory %s: "
			"%s; give a path in an existing directory\n",
			shown, where, strerror(err));
	else if (why != NULL)
		fprintf(stderr,
			"dpmirror: error: --stats-json %s: its directory %s is "
			"not writable (%s); give a path in a writable "
			"directory\n",
			shown, where, why);
	if (err != 0 || why != NULL)
		return -1;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0; /* created at the first write */
		fprintf(stderr, "dpmirror: error: --stats-json %s: %s\n", shown,
			strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode))
		why = "is a symbolic link; the file is replaced by rename, "
		      "never written through a link: give the path of a "
		      "regular file or of a new one";
	else if (S_ISDIR(st.st_mode))
		why = "is a directory; give the path of a file, e.g. one in "
		      "that directory";
	else if (!S_ISREG(st.st_mode))
		why = "is not a regular file (a device, FIFO or socket), "
		      "which the rename would replace; give the path of a "
		      "regular file or of a new one";
	if (why != NULL) {
		fprintf(stderr, "dpmirror: error: --stats-json %s: %s\n", shown,
			why);
		return -1;
	}
	return 0;
}

static double
elapsed(uint64_t start)
{
	return (double)(rte_rdtsc() - start) / (double)rte_get_tsc_hz();
}

/* --stats-json -: the JSON goes to stdout, the text block to stderr. */
static bool
json_to_stdout(const char *path)
{
	return path != NULL && strcmp(path, "-") == 0;
}

static void
write_json(const char *path, const struct ctl_snapshot *s)
{
	int rc;

	if (path == NULL)
		return;
	if (json_to_stdout(path)) {
		/* One object after another (a stream `jq` reads), each
		 * flushed whole. */
		ctl_stats_json(stdout, s);
		fputc('\n', stdout);
		fflush(stdout);
		return;
	}
	rc = ctl_stats_json_file(path, s);
	if (rc == -ELOOP)
		RTE_LOG(ERR, DPM_CTRL,
			"not writing --stats-json %s: it has become a symbolic "
			"link; remove it (the file is never written through a "
			"link)\n",
			path);
	else if (rc == -EISDIR || rc == -EINVAL)
		RTE_LOG(ERR, DPM_CTRL,
			"not writing --stats-json %s: it has become a %s; "
			"remove it\n",
			path, rc == -EISDIR ? "directory" : "non-regular file");
	else if (rc != 0)
		RTE_LOG(ERR, DPM_CTRL, "cannot write --stats-json %s: %s\n",
			path, strerror(-rc));
}

/* Into BUF (at least IF_NAMESIZE + 32 bytes), " (Linux interface NAME)"
 * for a port that sends through one (net_tap, net_af_packet), where the
 * MTU to raise is; "" otherwise. */
static const char *
port_ifname(const struct ctl_port *p, char *buf, size_t len)
{
	struct rte_eth_dev_info info;
	char name[IF_NAMESIZE];

	buf[0] = '\0';
	if (rte_eth_dev_info_get(p->port_id, &info) == 0 &&
	    info.if_index != 0 && if_indextoname(info.if_index, name) != NULL)
		snprintf(buf, len, " (Linux interface %s)", name);
	return buf;
}

/* Warn when a collector's egress port cannot carry full-size copies: its
 * MTU is too small, or it takes no multi-segment tx and a frame is larger
 * than one mirror mbuf.  A copy is the original (1514 bytes at most on a
 * standard Ethernet) plus tmpl.len: the outer headers, 0 for encap = none
 * and 4 with its RSPAN tag.  A plain copy may carry one tag beyond the MTU
 * as on any VLAN trunk (the port sends MTU + 18 bytes then). */
static void
check_collector_mtu(const struct cfg *cfg, const struct ctl_ports *ports,
		    const struct dp_ruleset *rs)
{
	char ifn[IF_NAMESIZE + 32];
	unsigned int i;

	for (i = 0; i < rs->n_coll; i++) {
		const struct dp_collector *c = &rs->coll[i];
		const struct cfg_collector *cc = &cfg->collectors[i];
		const struct ctl_port *p = &ports->p[c->port];
		uint32_t need =
			RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN + c->tmpl.len;
		/* The largest frame the MTU lets the port send. */
		uint32_t wire = (uint32_t)p->mtu + RTE_ETHER_HDR_LEN;

		if (cc->encap == CFG_ENCAP_NONE)
			wire += RTE_VLAN_HLEN;
		if (c->max_frame < wire)
			RTE_LOG(WARNING, DPM_CTRL,
				"collector %s: port %s%s takes no "
				"multi-segment tx, so a copy is one %u-byte "
				"mbuf: frames longer than %u bytes are "
				"dropped as too_big (or set a session "
				"snaplen)\n",
				cfg->collectors[i].name, p->name,
				port_ifname(p, ifn, sizeof(ifn)),
				(unsigned int)DP_MIRROR_COPY_MAX,
				c->max_frame - c->tmpl.len);
		else if (c->max_frame < need)
			RTE_LOG(WARNING, DPM_CTRL,
				"collector %s: port %s%s has MTU %u, so "
				"copies of frames longer than %u bytes are "
				"dropped as too_big; set [port %s] mtu = %u "
				"or more (and the same on the path to the "
				"collector), or a session snaplen\n",
				cfg->collectors[i].name, p->name,
				port_ifname(p, ifn, sizeof(ifn)), p->mtu,
				c->max_frame - c->tmpl.len, p->name,
				p->mtu + (need - c->max_frame));
	}
}

/*
 * ERSPAN III timestamps: 100 ns units of UTC (modulo 2^32) from the TSC,
 * units = base + ((tsc - tsc0) * mult >> 32).  The wall clock is read next
 * to the TSC; mult is 10^7 units a second over the TSC rate, in 32.32
 * fixed point (its truncation is off by less than one part in 10^6 at a
 * TSC of up to 4 GHz).  Set at start, then again every CLOCK_ANCHOR_S
 * seconds, so that an error in the TSC rate or a step of the wall clock
 * (NTP) never builds up.
 */
#define CLOCK_ANCHOR_S 10

static void
clock_anchor(struct dp_clock *k)
{
	struct timespec ts;
	uint64_t hz = rte_get_tsc_hz();

	clock_gettime(CLOCK_REALTIME, &ts);
	k->tsc0 = rte_rdtsc();
	k->base = ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) /
		  100;
	k->mult = hz != 0 ? (uint64_t)(1e7 * 4294967296.0 / (double)hz) : 0;
}

/* Set the other clock entry and make it the workers'; once the grace
 * period has passed, no worker reads the old one any more (see
 * struct dp_shared). */
static void
clock_reanchor(struct dp_shared *sh)
{
	uint32_t next =
		(__atomic_load_n(&sh->ts_cur, __ATOMIC_RELAXED) ^ 1) & 1;

	clock_anchor(&sh->ts[next]);
	__atomic_store_n(&sh->ts_cur, next, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(sh->qsbr, RTE_QSBR_THRID_INVALID);
}

/*
 * Whether workers take the NIC's RSS hash as the flow hash: only if every
 * polled port gives a symmetric one, from the same driver and over the
 * same hash types, so that both directions of a flow (received on two
 * ports inline) hash alike; otherwise every port uses dp_flow_hash.
 */
static void
rss_flow_hash(struct proc *pr)
{
	const struct ctl_port *first = NULL;
	struct rte_eth_dev_info a, b;
	bool all = true;
	unsigned int i;

	for (i = 0; i < pr->ports.n && all; i++) {
		const struct ctl_port *p = &pr->ports.p[i];

		if (!p->polled)
			continue;
		if (!p->rss_sym) {
			all = false;
		} else if (first == NULL) {
			first = p;
		} else if (p->rss_hf != first->rss_hf ||
			   rte_eth_dev_info_get(p->port_id, &a) != 0 ||
			   rte_eth_dev_info_get(first->port_id, &b) != 0 ||
			   strcmp(a.driver_name, b.driver_name) != 0) {
			all = false;
		}
	}
	for (i = 0; i < pr->ports.n; i++)
		pr->shared.port[i].rss_sym =
			all && first != NULL && pr->ports.p[i].rss_sym;
}

static int
setup_shared(const struct cfg *cfg, struct proc *pr, struct dpm_err *e)
{
	struct dp_shared *sh = &pr->shared;
	unsigned int i;
	size_t sz;

	memset(sh, 0, sizeof(*sh));
	sh->mode = cfg->mode == CFG_MODE_TAP ? DP_MODE_TAP : DP_MODE_INLINE;
	sh->burst = (uint16_t)cfg->burst;
	sh->n_ports = (uint16_t)pr->ports.n;
	for (i = 0; i < pr->ports.n; i++) {
		sh->port[i].port_id = pr->ports.p[i].port_id;
		sh->port[i].peer = (int16_t)cfg->ports[i].peer;
	}
	rss_flow_hash(pr);
	sh->mirror_pool = pr->ports.mirror_pool[0];
	sh->clone_pool = pr->ports.clone_pool[0];
	sh->hdr_pool = pr->ports.hdr_pool[0];
	clock_anchor(&sh->ts[0]);
	sz = rte_rcu_qsbr_get_memsize(pr->ws.n);
	sh->qsbr = rte_zmalloc("dpm_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (sh->qsbr == NULL || rte_rcu_qsbr_init(sh->qsbr, pr->ws.n) != 0)
		return dpm_fail(e, ENOMEM,
				"cannot set up the RCU state of %u workers; "
				"give the EAL more memory (-m)",
				pr->ws.n);
	return 0;
}

/* Release what start_up set up, in the reverse order; idempotent. */
static void
shut_down(struct proc *pr)
{
	ctl_ruleset_free(pr->rs);
	pr->rs = NULL;
	ctl_workers_free(&pr->ws);
	rte_free(pr->shared.qsbr);
	pr->shared.qsbr = NULL;
	ctl_ports_teardown(&pr->ports);
}

/*
 * Everything a start needs before the workers are launched: the worker
 * lcores, every port probed, configured and started as CFG says (queues,
 * MTU, offloads, pools), the workers' state and queues, the ruleset with
 * its ACL.  0, or a negative errno with the message in E; *CONFIG then
 * says whether the configuration is at fault (a key it names would have
 * to change) rather than the EAL options or its memory.  On failure what
 * was set up is left for shut_down.
 */
static int
start_up(const struct cfg *cfg, struct proc *pr, bool *config,
	 struct dpm_err *e)
{
	int rc;

	*config = false;
	memset(pr, 0, sizeof(*pr));
	rc = ctl_workers_init_eal(&pr->ws, e);
	if (rc != 0)
		return rc;
	rc = ctl_ports_setup(cfg, pr->ws.n, pr->ws.sock, pr->ws.n_sock,
			     &pr->ports, e);
	if (rc != 0) {
		/* Pools the EAL has no memory for: -m first (the message
		 * also says which mirror_pool would fit). */
		*config = rc != -ENOMEM;
		return rc;
	}
	/* The workers start from dp_shared's pools (socket index 0's),
	 * then take their own socket's. */
	rc = setup_shared(cfg, pr, e);
	if (rc != 0)
		return rc;
	rc = ctl_workers_alloc(&pr->ws, &pr->shared, e);
	if (rc != 0)
		return rc;
	ctl_workers_use_pools(&pr->ws, &pr->ports);
	rc = ctl_workers_assign(&pr->ws, &pr->ports, e);
	if (rc != 0) {
		*config = true;
		return rc;
	}
	pr->rs = ctl_ruleset_build(cfg, &pr->ports, pr->ws.port_workers, 1, e);
	if (pr->rs == NULL) {
		*config = true;
		return -EINVAL;
	}
	check_collector_mtu(cfg, &pr->ports, pr->rs);
	return 0;
}

/*
 * Neighbours (DESIGN section 8): the next hops of the collectors with
 * remote_mac = auto, resolved by the control thread on the queues
 * ctl_port.c gives it on their egress ports.  CUR is the state for the
 * configuration in force (CUR_CFG); during a reload NEXT is the one the
 * prepare hook made for the new configuration (NEXT_CFG).  The pointers,
 * and the entries the telemetry shows, change only under the reload's
 * lock, which the telemetry callbacks hold while they read.
 */
#define NEIGH_RX_BURST 32
/* Bursts taken from one rx queue per pass: the port is not promiscuous,
 * but a packet socket also sees the copies the workers send. */
#define NEIGH_RX_BURSTS 16
#define NEIGH_PASS_US	10000 /* control loop period with neighbours */
#define IDLE_PASS_US	50000 /* without */

struct neigh_ctx {
	struct ctl_reload *r;
	const struct ctl_ports *ports;
	struct rte_ether_addr port_mac[CFG_MAX_PORTS];
	bool any; /* some port has the control thread's queues */
	struct ctl_neigh *cur, *next;
	const struct cfg *cur_cfg, *next_cfg;
	/* What was last logged of each entry of CUR: state name and MAC. */
	const char *shown_state[CFG_MAX_COLLECTORS];
	struct rte_ether_addr shown_mac[CFG_MAX_COLLECTORS];
	uint64_t failed_gen; /* a rebuild for this generation failed */
};

static struct ctl_neigh neigh_buf[2];
static struct neigh_ctx nctx;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Collector I's resolved MAC (or zero) into CFG's remote_mac, for every
 * collector with remote_mac = auto: what the ruleset is built from. */
static void
neigh_fill(struct cfg *cfg, const struct ctl_neigh *nb)
{
	struct rte_ether_addr mac;
	unsigned int i;

	for (i = 0; i < cfg->n_collectors && i < nb->n; i++) {
		struct cfg_collector *cc = &cfg->collectors[i];

		if (!cc->remote_mac_auto)
			continue;
		if (!ctl_neigh_mac(nb, i, &mac))
			memset(&mac, 0, sizeof(mac));
		memcpy(cc->remote_mac, mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	}
}

/* What is logged of CUR is what it says now (no line for it). */
static void
neigh_mark_shown(void)
{
	unsigned int i;

	for (i = 0; i < nctx.cur->n; i++) {
		nctx.shown_state[i] =
			ctl_neigh_state_name(nctx.cur->e[i].state);
		nctx.shown_mac[i] = nctx.cur->e[i].mac;
	}
}

/* A line for every entry whose state (as reported) or MAC changed. */
static void
neigh_log_changes(void)
{
	char nh[INET6_ADDRSTRLEN], from[RTE_ETHER_ADDR_FMT_SIZE],
		to[RTE_ETHER_ADDR_FMT_SIZE];
	unsigned int i;

	for (i = 0; i < nctx.cur->n; i++) {
		const struct ctl_neigh_entry *e = &nctx.cur->e[i];
		const char *st = ctl_neigh_state_name(e->state);

		if (e->state == CTL_NEIGH_STATIC ||
		    (st == nctx.shown_state[i] &&
		     rte_is_same_ether_addr(&e->mac, &nctx.shown_mac[i])))
			continue;
		if (inet_ntop(e->family == 4 ? AF_INET : AF_INET6, e->target,
			      nh, sizeof(nh)) == NULL)
			snprintf(nh, sizeof(nh), "?");
		/* No MAC is all zero: shown as "none". */
		if (rte_is_zero_ether_addr(&nctx.shown_mac[i]))
			snprintf(from, sizeof(from), "none");
		else
			rte_ether_format_addr(from, sizeof(from),
					      &nctx.shown_mac[i]);
		if (!e->has_mac)
			snprintf(to, sizeof(to), "none");
		else
			rte_ether_format_addr(to, sizeof(to), &e->mac);
		if (!e->has_mac && strcmp(from, "none") == 0)
			RTE_LOG(NOTICE, DPM_CTRL,
				"collector %s: next hop %s on port %s: no "
				"answer, %s (its copies are dropped as "
				"no_neighbor)\n",
				e->name, nh, nctx.ports->p[e->port].name, st);
		else
			RTE_LOG(NOTICE, DPM_CTRL,
				"collector %s: next hop %s on port %s: MAC %s "
				"-> %s, %s%s\n",
				e->name, nh, nctx.ports->p[e->port].name, from,
				to, st,
				e->has_mac ? ""
					   : " (its copies are dropped as "
					     "no_neighbor)");
		nctx.shown_state[i] = st;
		nctx.shown_mac[i] = e->mac;
	}
}

/* The snapshots' word on collector COLL of CFG: its next hop's MAC and
 * state (ctl_reload_neigh_fn; called with the reload's lock held). */
static bool
neigh_show(const struct cfg *cfg, unsigned int coll, uint8_t *mac,
	   const char **state)
{
	const struct ctl_neigh *nb = NULL;
	const struct ctl_neigh_entry *e;

	if (cfg == nctx.cur_cfg)
		nb = nctx.cur;
	else if (nctx.next != NULL && cfg == nctx.next_cfg)
		nb = nctx.next;
	if (nb == NULL || coll >= nb->n)
		return false; /* the configuration's own word */
	e = &nb->e[coll];
	*state = ctl_neigh_state_name(e->state);
	memcpy(mac, e->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	return true;
}

/*
 * The reload's prepare hook: the neighbour state of NEXT, carried over
 * from the running one where a collector resolves the same next hop, and
 * its MACs in NEXT, before NEXT's ruleset is built.  A collector with
 * remote_mac = auto on a port without the control thread's queues (set
 * up at start) needs a restart.
 */
static int
neigh_prepare(struct cfg *next, const struct cfg *cur, void *arg,
	      struct dpm_err *e)
{
	struct ctl_neigh *nb =
		nctx.cur == &neigh_buf[0] ? &neigh_buf[1] : &neigh_buf[0];
	unsigned int i;

	(void)cur;
	(void)arg;
	for (i = 0; i < next->n_collectors; i++) {
		const struct cfg_collector *cc = &next->collectors[i];

		if (cc->remote_mac_auto && !nctx.ports->p[cc->port].neigh)
			return dpm_fail(
				e, EINVAL,
				"[collector %s] remote_mac = auto: port %s "
				"has no queues for resolving next hops (they "
				"are set up at start for the ports of "
				"remote_mac = auto collectors): needs a "
				"restart",
				cc->name, next->ports[cc->port].name);
	}
	pthread_mutex_lock(&nctx.r->lock);
	ctl_neigh_init(nb, next, nctx.port_mac);
	ctl_neigh_carry(nb, nctx.cur);
	neigh_fill(next, nb);
	nctx.next = nb;
	nctx.next_cfg = next;
	pthread_mutex_unlock(&nctx.r->lock);
	return 0;
}

/* After ctl_reload_run returned RC: the new state is in force with the
 * new configuration, or dropped with it. */
static void
neigh_reloaded(int rc)
{
	pthread_mutex_lock(&nctx.r->lock);
	if (rc == 0 && nctx.next != NULL && nctx.next_cfg == nctx.r->cfg) {
		nctx.cur = nctx.next;
		nctx.cur_cfg = nctx.r->cfg;
		neigh_mark_shown();
	}
	nctx.next = NULL;
	nctx.next_cfg = NULL;
	pthread_mutex_unlock(&nctx.r->lock);
}

static void
neigh_start(struct ctl_reload *r, const struct ctl_ports *ports)
{
	unsigned int i;

	memset(&nctx, 0, sizeof(nctx));
	nctx.r = r;
	nctx.ports = ports;
	for (i = 0; i < ports->n; i++) {
		nctx.port_mac[i] = ports->p[i].mac;
		nctx.any |= ports->p[i].neigh;
	}
	/* The first ruleset was built with the file's remote_mac, zero for
	 * remote_mac = auto: what ctl_neigh_init starts from (PENDING). */
	ctl_neigh_init(&neigh_buf[0], r->cfg, nctx.port_mac);
	nctx.cur = &neigh_buf[0];
	nctx.cur_cfg = r->cfg;
	neigh_mark_shown();
	ctl_reload_set_prepare(r, neigh_prepare, NULL);
	ctl_reload_set_neigh(r, neigh_show);
}

/*
 * One pass of the control loop: what arrived on the neigh ports goes to
 * the state machine, the requests due are sent, and a changed MAC is
 * published in a new ruleset.
 */
static void
neigh_pass(void)
{
	static struct rte_mbuf *rx[CFG_MAX_PORTS][NEIGH_RX_BURST];
	struct ctl_neigh_tx tx[CFG_MAX_COLLECTORS];
	const struct ctl_ports *ports = nctx.ports;
	struct ctl_reload *r = nctx.r;
	unsigned int i, j, k, n_tx;
	struct dpm_err e;
	uint64_t t, gen;

	if (!nctx.any)
		return;
	for (i = 0; i < ports->n; i++) {
		const struct ctl_port *p = &ports->p[i];
		uint16_t q, n, b;

		if (!p->neigh)
			continue;
		for (q = 0; q < p->n_rxq; q++) {
			for (b = 0; b < NEIGH_RX_BURSTS; b++) {
				n = rte_eth_rx_burst(p->port_id, q, rx[i],
						     NEIGH_RX_BURST);
				if (n == 0)
					break;
				t = now_ms();
				pthread_mutex_lock(&r->lock);
				for (j = 0; j < n; j++)
					ctl_neigh_input(nctx.cur, i, rx[i][j],
							t);
				pthread_mutex_unlock(&r->lock);
				rte_pktmbuf_free_bulk(rx[i], n);
				if (n < NEIGH_RX_BURST)
					break;
			}
		}
	}
	pthread_mutex_lock(&r->lock);
	n_tx = ctl_neigh_poll(nctx.cur, now_ms(), ports->neigh_pool, tx,
			      RTE_DIM(tx));
	pthread_mutex_unlock(&r->lock);
	for (k = 0; k < n_tx; k++) {
		const struct ctl_port *p = &ports->p[tx[k].port];

		if (rte_eth_tx_burst(p->port_id, p->ctl_txq, &tx[k].m, 1) == 1)
			continue;
		rte_pktmbuf_free(tx[k].m);
		RTE_LOG(NOTICE, DPM_CTRL,
			"port %s: a neighbour request could not be sent (the "
			"control thread's tx queue is full); it is sent "
			"again at the next retry\n",
			p->name);
	}
	neigh_log_changes();
	if (!ctl_neigh_changed(nctx.cur))
		return;
	gen = nctx.cur->gen;
	pthread_mutex_lock(&r->lock);
	neigh_fill(r->cfg, nctx.cur);
	pthread_mutex_unlock(&r->lock);
	if (ctl_reload_rebuild(r, &e) == 0) {
		ctl_neigh_published(nctx.cur, gen);
		return;
	}
	if (nctx.failed_gen != gen)
		RTE_LOG(ERR, DPM_CTRL,
			"a changed next-hop MAC is not in force yet: %s; "
			"trying again\n",
			e.msg);
	nctx.failed_gen = gen;
}

/* The statistics interval in force: --stats-interval, else the file's. */
static unsigned int
stats_interval(const struct cfg *cfg, const struct options *o)
{
	return o->stats_interval >= 0 ? (unsigned int)o->stats_interval
				      : cfg->stats_interval;
}

/* ctl_reload_snapshot on the control thread: under the reload's lock, as
 * telemetry takes it, since ethdev's stats calls on one port are not safe
 * from two threads at once. */
static void
snapshot_locked(struct ctl_reload *r, struct ctl_snapshot *s)
{
	pthread_mutex_lock(&r->lock);
	ctl_reload_snapshot(r, s);
	pthread_mutex_unlock(&r->lock);
}

static int
run(const struct cfg *cfg, const struct options *o)
{
	/* With --stats-json -, stdout carries the JSON alone. */
	FILE *text = json_to_stdout(o->stats_json) ? stderr : stdout;
	static struct proc pr;
	/* Telemetry callbacks may read it until the process exits. */
	static struct ctl_reload rl;
	struct ctl_snapshot *cur = NULL, *prev = NULL, *tmp;
	unsigned int i, interval;
	struct dpm_err e;
	uint64_t start;
	double next_print, next_anchor;
	bool config;
	int rc = EXIT_FAILURE;

	if (start_up(cfg, &pr, &config, &e) != 0) {
		fprintf(stderr, "dpmirror: error: %s\n", e.msg);
		goto out;
	}
	__atomic_store_n(&pr.shared.ruleset, pr.rs, __ATOMIC_RELEASE);
	ctl_reload_init(&rl, o->config, cfg, &pr.shared, &pr.rs, &pr.ports,
			&pr.ws);
	neigh_start(&rl, &pr.ports);
	if (ctl_telemetry_init(&rl) != 0)
		RTE_LOG(WARNING, DPM_CTRL,
			"telemetry commands /dpmirror/* not available\n");

	cur = calloc(1, sizeof(*cur));
	prev = calloc(1, sizeof(*prev));
	if (cur == NULL || prev == NULL)
		goto out;

	interval = stats_interval(cfg, o);
	fprintf(text,
		"dpmirror: %u port(s), %u session(s), %u worker(s), mode %s\n",
		pr.ports.n, cfg->n_sessions, pr.ws.n,
		cfg->mode == CFG_MODE_TAP ? "tap" : "inline");
	fflush(text);
	start = rte_rdtsc();
	for (i = 0; i < pr.ws.n; i++)
		rte_eal_remote_launch(dp_worker_main, pr.ws.w[i],
				      pr.ws.lcore[i]);
	ctl_reload_set_live(&rl, true, start);
	next_print = interval;
	next_anchor = CLOCK_ANCHOR_S;
	snapshot_locked(&rl, prev);
	while (!quit_signal) {
		double t;

		usleep(nctx.any ? NEIGH_PASS_US : IDLE_PASS_US);
		neigh_pass();
		t = elapsed(start);
		if (t >= next_anchor) {
			clock_reanchor(&pr.shared);
			next_anchor = t + CLOCK_ANCHOR_S;
		}
		if (interval > 0 && t >= next_print) {
			snapshot_locked(&rl, cur);
			ctl_stats_print(text, cur, prev);
			tmp = prev;
			prev = cur;
			cur = tmp;
			next_print += interval;
		}
		if (dump_signal) {
			dump_signal = 0;
			snapshot_locked(&rl, cur);
			write_json(o->stats_json, cur);
		}
		if (hup_signal) {
			uint64_t at =
				__atomic_load_n(&hup_tsc, __ATOMIC_RELAXED);
			int rr;

			hup_signal = 0;
			rr = ctl_reload_run(&rl, at);
			neigh_reloaded(rr);
			if (rr == 0) {
				/* A collector added or moved by the reload
				 * gets the start's MTU check too. */
				check_collector_mtu(
					rl.cfg, &pr.ports,
					__atomic_load_n(&pr.shared.ruleset,
							__ATOMIC_ACQUIRE));
				/* Rates restart from here: sessions may
				 * have come, gone or moved. */
				snapshot_locked(&rl, prev);
				if (interval != stats_interval(rl.cfg, o)) {
					interval = stats_interval(rl.cfg, o);
					next_print = t + interval;
				}
			}
		}
	}
	pr.shared.quit = 1;
	rte_eal_mp_wait_lcore();
	snapshot_locked(&rl, cur);
	ctl_reload_set_live(&rl, false, 0);
	fprintf(text, "\ndpmirror: stopping; totals:\n");
	ctl_stats_print(text, cur, NULL);
	write_json(o->stats_json, cur);
	rc = EXIT_SUCCESS;
out:
	if (rl.file != NULL)
		ctl_reload_fini(&rl);
	shut_down(&pr);
	free(cur);
	free(prev);
	return rc;
}

/* One line per port of a dry run: what was set up. */
static void
dry_run_port(const struct cfg *cfg, const struct ctl_port *p,
	     const struct ctl_workers *ws, unsigned int i, bool pr_sym)
{
	struct rte_eth_dev_info info;
	const char *driver = "?";

	if (rte_eth_dev_info_get(p->port_id, &info) == 0 &&
	    info.driver_name != NULL)
		driver = info.driver_name;
	printf("  [port %s] %s (%s): %u rx / %u tx queue(s), mtu %u, "
	       "multi-segment tx %s%s, polled by %d worker(s)\n",
	       p->name, p->devname, driver, p->n_rxq, p->n_txq, p->mtu,
	       p->multiseg ? "yes" : "no",
	       cfg->ports[i].tx_multiseg == CFG_MULTISEG_YES && p->multiseg
		       ? " (tx_multiseg = yes)"
		       : "",
	       __builtin_popcountll(ws->port_workers[i]));
	if (p->rss_sym)
		printf("    RSS with a symmetric key%s\n",
		       pr_sym ? ": its hash is the flow hash"
			      : " (not used as the flow hash: not every "
				"polled port has one like it)");
	if (p->fast_free)
		printf("    copy queues free in bulk (MBUF_FAST_FREE)\n");
	if (p->neigh)
		printf("    remote_mac = auto: the control thread resolves "
		       "next hops here on rx queue(s) 0..%u and tx queue %u\n",
		       p->n_rxq - 1u, p->ctl_txq);
}

/*
 * --dry-run: start_up as a start does, report, release everything.
 * EXIT_SUCCESS, EXIT_CONFIG when the configuration would not start (the
 * message names the key), EXIT_FAILURE for the EAL options or memory.
 */
static int
dry_run(const struct cfg *cfg, const struct options *o)
{
	static struct proc pr;
	struct dpm_err e;
	unsigned int i;
	bool config;
	int rc;

	rc = start_up(cfg, &pr, &config, &e);
	if (rc != 0) {
		fprintf(stderr, "dpmirror: error: %s\n", e.msg);
		shut_down(&pr);
		return config ? EXIT_CONFIG : EXIT_FAILURE;
	}
	printf("dpmirror: dry run of %s: %u port(s), %u session(s), "
	       "%u collector(s), %u worker(s), mode %s\n",
	       o->config, pr.ports.n, cfg->n_sessions, cfg->n_collectors,
	       pr.ws.n, cfg->mode == CFG_MODE_TAP ? "tap" : "inline");
	for (i = 0; i < pr.ports.n; i++)
		dry_run_port(cfg, &pr.ports.p[i], &pr.ws, i,
			     pr.shared.port[i].rss_sym != 0);
	printf("  ruleset: %u session(s), %u filter(s) in the IPv4 and IPv6 "
	       "ACL contexts; mirror_pool %u\n",
	       cfg->n_sessions, cfg->n_filters, cfg->mirror_pool);
	if (cfg->playground.present || cfg->n_kernels > 0)
		printf("  not set up by a dry run:%s%s\n",
		       cfg->playground.present ? " [playground]" : "",
		       cfg->n_kernels > 0 ? " [kernel]" : "");
	shut_down(&pr);
	printf("dpmirror: dry run: it would start; everything released\n");
	fflush(stdout);
	return EXIT_SUCCESS;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0 && errno != ENOENT)
		fprintf(stderr, "dpmirror: warning: cannot remove %s: %s\n",
			path, strerror(errno));
	return 0;
}

/* Remove the EAL's runtime directory DIR (config, fbarray_*, hugepage_info,
 * mp_socket*, dpdk_telemetry.v2) and what is in it, after rte_eal_cleanup
 * (the EAL log may be gone: stderr): children first, symbolic links not
 * followed, no other file system entered. */
static void
remove_runtime_dir(const char *dir)
{
	int rc;

	if (dir[0] == '\0')
		return;
	rc = nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (rc != 0 && errno != ENOENT)
		fprintf(stderr, "dpmirror: warning: cannot remove %s: %s\n",
			dir, strerror(errno));
}

/* HugePages_Free of /proc/meminfo (pages of the default size), or -1. */
static long
huge_pages_free(void)
{
	char line[128];
	long n = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* True when a hugetlbfs is mounted anywhere. */
static bool
hugetlbfs_mounted(void)
{
	char line[512];
	bool found = false;
	FILE *f;

	f = fopen("/proc/mounts", "r");
	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, " hugetlbfs ") != NULL;
	fclose(f);
	return found;
}

/*
 * rte_eal_init failed with ERR: say what would work.  Without hugepages
 * the EAL fails with EACCES ("Cannot get hugepage information") or, with
 * too few of them, ENOMEM: read literally, a permission or an option
 * problem.  When that is the case (no --no-huge among the DD arguments
 * in ARGV), name the two ways out: no hugepages at all, or reserving
 * them.
 */
static void
eal_init_failed(int dd, char **argv, int err)
{
	long free_pages = huge_pages_free();
	bool no_huge = false;
	int i;

	for (i = 1; i < dd; i++)
		if (strcmp(argv[i], "--no-huge") == 0)
			no_huge = true;
	fprintf(stderr, "dpmirror: error: EAL initialisation failed (%s)",
		rte_strerror(err));
	if (no_huge || (err != EACCES && err != ENOMEM)) {
		fprintf(stderr, "; check the EAL options before \"--\"\n");
		return;
	}
	if (geteuid() != 0)
		fprintf(stderr,
			": hugepages need root.  Run as root, or run "
			"without hugepages: add --no-huge -m 1024 before "
			"\"--\"\n");
	else if (free_pages == 0)
		fprintf(stderr,
			": no free hugepages (HugePages_Free is 0 in "
			"/proc/meminfo).  Either run without them: add "
			"--no-huge -m 1024 before \"--\" (secondary processes "
			"such as dpdk-dumpcap cannot attach then); or "
			"reserve them: sysctl -w vm.nr_hugepages=256 and "
			"mount -t hugetlbfs nodev /dev/hugepages\n");
	else if (!hugetlbfs_mounted())
		fprintf(stderr,
			": %ld hugepages are free but no hugetlbfs is "
			"mounted.  Mount one (mount -t hugetlbfs nodev "
			"/dev/hugepages), or add --no-huge -m 1024 before "
			"\"--\"\n",
			free_pages);
	else if (err == ENOMEM)
		fprintf(stderr,
			": %ld hugepages are free, fewer than the EAL "
			"asked for.  Give a smaller -m, reserve more "
			"(sysctl -w vm.nr_hugepages=N), or add --no-huge "
			"-m 1024 before \"--\"\n",
			free_pages < 0 ? 0 : free_pages);
	else
		fprintf(stderr, "; check the EAL options before \"--\"\n");
}

/*
 * Start the EAL with the DD arguments before "--" in ARGV, run (or dry-run)
 * CFG, stop the EAL and remove its runtime directory.  The exit status.
 */
static int
with_eal(int dd, char **argv, const struct cfg *cfg, const struct options *o)
{
	static char rundir[PATH_MAX];
	sigset_t sigs;
	int rc;

	/* The EAL's threads (workers, interrupts, telemetry) inherit a mask
	 * that blocks our signals, so that they reach this thread and cut
	 * its sleep short: a reload starts as the signal comes. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	rc = rte_eal_init(dd, argv);
	pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
	if (rc < 0) {
		/* The runtime directory may be another primary's: kept. */
		eal_init_failed(dd, argv, rte_errno);
		return EXIT_FAILURE;
	}
	/* dpdk-dumpcap and dpdk-pdump (secondary processes) capture on
	 * our ports through the primary's pdump handler.  Without it they
	 * are refused; the mirror itself does not need it, so a failure
	 * is reported and the start goes on. */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY && rte_pdump_init() != 0)
		RTE_LOG(WARNING, DPM_CTRL,
			"capture (rte_pdump) not available: %s; "
			"dpdk-dumpcap will not work on this process\n",
			rte_strerror(rte_errno));
	/* A primary's runtime directory (/var/run/dpdk/<file-prefix>) is
	 * removed at exit; a secondary's belongs to its primary. */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		snprintf(rundir, sizeof(rundir), "%s",
			 rte_eal_get_runtime_dir());
	rc = o->dry_run ? dry_run(cfg, o) : run(cfg, o);
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		rte_pdump_uninit();
	rte_eal_cleanup();
	remove_runtime_dir(rundir);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct dpm_lock_set wires;
	struct cfg_errors *errs;
	struct ctl_kernel kern;
	struct options o;
	struct dpm_err e;
	struct cfg *cfg;
	int dd, rc, i;

	/* Handlers first: a signal during setup is acted on once running. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	signal(SIGHUP, on_signal);

	memset(&o, 0, sizeof(o));
	for (dd = 1; dd < argc; dd++)
		if (strcmp(argv[dd], "--") == 0)
			break;
	if (dd == argc) {
		for (i = 1; i < argc; i++) {
			if (strcmp(argv[i], "-h") == 0 ||
			    strcmp(argv[i], "--help") == 0) {
				usage(stdout, argv[0]);
				return EXIT_SUCCESS;
			}
			if (strcmp(argv[i], "-V") == 0 ||
			    strcmp(argv[i], "--version") == 0) {
				printf("dpmirror %s\n", DPM_VERSION);
				return EXIT_SUCCESS;
			}
		}
		usage(stderr, argv[0]);
		return EXIT_FAILURE;
	}
	/* The application's own arguments, as argv[0] + what follows "--". */
	argv[dd] = argv[0];
	rc = parse_app_args(argc - dd, argv + dd, &o);
	argv[dd] = (char *)"--";
	if (rc == ARGS_VERSION) {
		printf("dpmirror %s\n", DPM_VERSION);
		return EXIT_SUCCESS;
	}
	if (rc != 0) {
		usage(rc > 0 ? stdout : stderr, argv[0]);
		return rc > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	if (check_stats_json(o.stats_json) != 0)
		return EXIT_CONFIG;

	/* Refuse a bad configuration before touching any port. */
	errs = calloc(1, sizeof(*errs));
	if (errs == NULL)
		return EXIT_FAILURE;
	cfg = cfg_load(o.config, errs);
	if (cfg == NULL) {
		cfg_errors_print(stderr, o.config, errs);
		free(errs);
		return EXIT_CONFIG;
	}
	free(errs);

	/* One dpmirror per wire: a second one would forward every packet
	 * again.  Refused before anything is touched. */
	if (dpm_lock_ports(cfg, &wires, &e) != 0) {
		fprintf(stderr, "dpmirror: error: %s\n", e.msg);
		cfg_free(cfg);
		return EXIT_FAILURE;
	}
	/* A dry run sets up no [playground] and no [kernel] mirror. */
	if (o.dry_run) {
		rc = with_eal(dd, argv, cfg, &o);
		dpm_lock_set_release(&wires);
		cfg_free(cfg);
		return rc;
	}
	/* The kernel side first: ports may name playground interfaces. */
	if (ctl_kernel_setup(cfg, &kern, &e) != 0) {
		fprintf(stderr, "dpmirror: error: %s\n", e.msg);
		dpm_lock_set_release(&wires);
		cfg_free(cfg);
		return EXIT_FAILURE;
	}
	rc = with_eal(dd, argv, cfg, &o);
	ctl_kernel_teardown(&kern);
	dpm_lock_set_release(&wires);
	cfg_free(cfg);
	return rc;
}
