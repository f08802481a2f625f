/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpmirror: the mirroring process.  The main lcore is the control thread
 * (configuration, ports, statistics, signals); every other lcore runs the
 * worker loop of dataplane/dp_worker.c.
 *
 *   dpmirror [EAL options] -- -c FILE [--stats-interval SEC]
 *            [--stats-json FILE]
 */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "cfg.h"
#include "ctl_kernel.h"
#include "dpm_lock.h"
#include "ctl_log.h"
#include "ctl_port.h"
#include "ctl_ruleset.h"
#include "ctl_stats.h"
#include "dp_mirror.h"
#include "dp_worker.h"

RTE_LOG_REGISTER(dpm_ctrl_logtype, user.dpmirror.ctrl, NOTICE);

#define EXIT_CONFIG 2

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t dump_signal;
static volatile sig_atomic_t hup_signal;

struct options {
	const char *config;
	const char *stats_json;
	long stats_interval; /* -1 = from the config */
};

static struct dp_shared shared;
static struct dp_worker *workers[RTE_MAX_LCORE];
static unsigned int n_workers;
static uint64_t port_workers[DP_MAX_PORTS]; /* bit w: worker w polls port */

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_signal = 1;
	else if (sig == SIGHUP)
		hup_signal = 1;
	else
		quit_signal = 1;
}

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL options] -- -c FILE [--stats-interval SEC] "
		"[--stats-json FILE]\n"
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
		"a symbolic link\n"
		"Signals: SIGINT/SIGTERM stop cleanly, SIGUSR1 writes the "
		"JSON.\n",
		prog);
}

/* Parse the application arguments (those after "--"); 0, 1 = help, -1. */
static int
parse_app_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"stats-interval", required_argument, NULL, 'i'},
		{"stats-json", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char shown[256], opt[3] = "-?";
	uint64_t v;
	int c, rc;

	o->stats_interval = -1;
	optind = 1;
	opterr = 0; /* our messages, with the argument escaped */
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
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
		case 'h':
			return 1;
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

	if (path == NULL)
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

static void
snapshot(const struct cfg *cfg, const struct ctl_ports *ports, double t,
	 struct ctl_snapshot *s)
{
	unsigned int i;

	ctl_snapshot_begin(s, cfg, t);
	for (i = 0; i < n_workers; i++)
		ctl_snapshot_add(s, &workers[i]->stats, workers[i]->lcore);
	for (i = 0; i < ports->n; i++) {
		struct rte_eth_stats es;

		if (rte_eth_stats_get(ports->p[i].port_id, &es) == 0)
			ctl_snapshot_device(s, i, es.imissed, es.ierrors,
					    es.oerrors);
	}
}

static void
write_json(const char *path, const struct ctl_snapshot *s)
{
	int rc;

	if (path == NULL)
		return;
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

/* Warn when a collector's egress port cannot carry full-size copies: its
 * MTU is too small, or it takes no multi-segment tx and a frame is larger
 * than one mirror mbuf. */
static void
check_collector_mtu(const struct cfg *cfg, const struct ctl_ports *ports,
		    const struct dp_ruleset *rs)
{
	unsigned int i;

	for (i = 0; i < rs->n_coll; i++) {
		const struct dp_collector *c = &rs->coll[i];
		const struct ctl_port *p = &ports->p[c->port];
		uint32_t need =
			RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN + c->tmpl.len;

		if (c->max_frame < (uint32_t)p->mtu + RTE_ETHER_HDR_LEN)
			RTE_LOG(WARNING, DPM_CTRL,
				"collector %s: port %s takes no multi-segment "
				"tx, so a copy is one %u-byte mbuf: frames "
				"longer than %u bytes are dropped as too_big "
				"(or set a session snaplen)\n",
				cfg->collectors[i].name, p->name,
				(unsigned int)DP_MIRROR_COPY_MAX,
				c->max_frame - c->tmpl.len);
		else if (c->max_frame < need)
			RTE_LOG(WARNING, DPM_CTRL,
				"collector %s: port %s has MTU %u, so copies "
				"of "
				"frames longer than %u bytes are dropped as "
				"too_big; set [port %s] mtu = %u or more (and "
				"the same on the path to the collector), or a "
				"session snaplen\n",
				cfg->collectors[i].name, p->name, p->mtu,
				c->max_frame - c->tmpl.len, p->name,
				need - RTE_ETHER_HDR_LEN);
	}
}

/* Give every polled (port, queue) to a worker, round robin. */
static int
assign_queues(const struct cfg *cfg, const struct ctl_ports *ports)
{
	unsigned int i, q, next = 0, total = 0, w;

	for (i = 0; i < ports->n; i++) {
		const struct ctl_port *p = &ports->p[i];

		for (w = 0; w < n_workers; w++) {
			workers[w]->fwd_txq[i] =
				(uint16_t)(w * p->txq_stride + p->fwd_ofs);
			workers[w]->mirror_txq[i] =
				(uint16_t)(w * p->txq_stride + p->mir_ofs);
		}
		if (!p->polled)
			continue;
		for (q = 0; q < p->n_rxq; q++) {
			struct dp_worker *wk = workers[next];

			if (wk->n_rxq == DP_MAX_RXQ)
				return -1;
			wk->rxq[wk->n_rxq].port = (uint16_t)i;
			wk->rxq[wk->n_rxq].queue = (uint16_t)q;
			wk->n_rxq++;
			if (next < 64)
				port_workers[i] |= 1ull << next;
			next = (next + 1) % n_workers;
			total++;
		}
	}
	(void)cfg;
	return total > 0 ? 0 : -1;
}

static int
setup_shared(const struct cfg *cfg, const struct ctl_ports *ports)
{
	size_t sz;
	unsigned int i;

	shared.mode = cfg->mode == CFG_MODE_TAP ? DP_MODE_TAP : DP_MODE_INLINE;
	shared.burst = (uint16_t)cfg->burst;
	shared.n_ports = (uint16_t)ports->n;
	for (i = 0; i < ports->n; i++) {
		shared.port[i].port_id = ports->p[i].port_id;
		shared.port[i].peer = (int16_t)cfg->ports[i].peer;
	}
	shared.mirror_pool = ports->mirror_pool;
	shared.clone_pool = ports->clone_pool;
	sz = rte_rcu_qsbr_get_memsize(n_workers);
	shared.qsbr = rte_zmalloc("dpm_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (shared.qsbr == NULL || rte_rcu_qsbr_init(shared.qsbr, n_workers))
		return -1;
	return 0;
}

static int
run(const struct cfg *cfg, const struct options *o)
{
	struct ctl_ports ports;
	struct ctl_snapshot *cur = NULL, *prev = NULL, *tmp;
	struct dp_ruleset *rs = NULL;
	char err[512];
	unsigned int lcore, i, interval;
	uint64_t start;
	double next_print;
	int rc = EXIT_FAILURE;

	n_workers = rte_lcore_count() - 1;
	if (n_workers == 0) {
		fprintf(stderr,
			"dpmirror: error: no worker lcore: give the EAL "
			"at least two lcores, e.g. -l 0,1 (lcore 0 runs the "
			"control thread)\n");
		return EXIT_FAILURE;
	}
	if (n_workers > 64) {
		fprintf(stderr,
			"dpmirror: error: %u worker lcores; at most 64 "
			"are supported: give the EAL fewer (-l)\n",
			n_workers);
		return EXIT_FAILURE;
	}
	if (ctl_ports_setup(cfg, n_workers, &ports, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpmirror: error: %s\n", err);
		return EXIT_FAILURE;
	}
	i = 0;
	RTE_LCORE_FOREACH_WORKER (lcore) {
		workers[i] = rte_zmalloc_socket(
			"dpm_worker", sizeof(struct dp_worker),
			RTE_CACHE_LINE_SIZE,
			(int)rte_lcore_to_socket_id(lcore));
		if (workers[i] == NULL) {
			fprintf(stderr,
				"dpmirror: error: out of DPDK memory "
				"for worker state; give the EAL more (-m)\n");
			goto out;
		}
		dp_worker_init(workers[i], &shared, lcore, i);
		i++;
	}
	if (setup_shared(cfg, &ports) != 0) {
		fprintf(stderr, "dpmirror: error: cannot set up RCU state\n");
		goto out;
	}
	if (assign_queues(cfg, &ports) != 0) {
		fprintf(stderr,
			"dpmirror: error: no port to receive on, or "
			"more than %d rx queues per worker\n",
			DP_MAX_RXQ);
		goto out;
	}
	rs = ctl_ruleset_build(cfg, &ports, port_workers, 1, err, sizeof(err));
	if (rs == NULL) {
		fprintf(stderr, "dpmirror: error: %s\n", err);
		goto out;
	}
	check_collector_mtu(cfg, &ports, rs);
	__atomic_store_n(&shared.ruleset, rs, __ATOMIC_RELEASE);

	cur = calloc(1, sizeof(*cur));
	prev = calloc(1, sizeof(*prev));
	if (cur == NULL || prev == NULL)
		goto out;

	interval = o->stats_interval >= 0 ? (unsigned int)o->stats_interval
					  : cfg->stats_interval;
	printf("dpmirror: %u port(s), %u session(s), %u worker(s), mode %s\n",
	       ports.n, cfg->n_sessions, n_workers,
	       cfg->mode == CFG_MODE_TAP ? "tap" : "inline");
	fflush(stdout);
	start = rte_rdtsc();
	for (i = 0; i < n_workers; i++)
		rte_eal_remote_launch(dp_worker_main, workers[i],
				      workers[i]->lcore);
	next_print = interval;
	snapshot(cfg, &ports, 0, prev);
	while (!quit_signal) {
		double t;

		usleep(50000);
		t = elapsed(start);
		if (interval > 0 && t >= next_print) {
			snapshot(cfg, &ports, t, cur);
			ctl_stats_print(stdout, cur, prev);
			tmp = prev;
			prev = cur;
			cur = tmp;
			next_print += interval;
		}
		if (dump_signal) {
			dump_signal = 0;
			snapshot(cfg, &ports, t, cur);
			write_json(o->stats_json, cur);
		}
		if (hup_signal) {
			hup_signal = 0;
			RTE_LOG(NOTICE, DPM_CTRL,
				"SIGHUP: live reload is not "
				"available in this version; the configuration "
				"in force is unchanged\n");
		}
	}
	shared.quit = 1;
	rte_eal_mp_wait_lcore();
	snapshot(cfg, &ports, elapsed(start), cur);
	printf("\ndpmirror: stopping; totals:\n");
	ctl_stats_print(stdout, cur, NULL);
	write_json(o->stats_json, cur);
	rc = EXIT_SUCCESS;
out:
	for (i = 0; i < n_workers; i++) {
		rte_free(workers[i]);
		workers[i] = NULL;
	}
	ctl_ports_teardown(&ports);
	ctl_ruleset_free(rs);
	rte_free(shared.qsbr);
	free(cur);
	free(prev);
	return rc;
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

int
main(int argc, char **argv)
{
	static struct dpm_lock_set wires;
	static char rundir[PATH_MAX];
	struct cfg_errors *errs;
	struct ctl_kernel kern;
	struct options o;
	struct cfg *cfg;
	char err[CFG_ERR_LEN + PATH_MAX + 512];
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
		}
		usage(stderr, argv[0]);
		return EXIT_FAILURE;
	}
	/* The application's own arguments, as argv[0] + what follows "--". */
	argv[dd] = argv[0];
	rc = parse_app_args(argc - dd, argv + dd, &o);
	argv[dd] = (char *)"--";
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
		unsigned int n = errs->n < CFG_ERR_MAX ? errs->n : CFG_ERR_MAX;
		char shown[2 * PATH_MAX];

		cfg_escape(o.config, shown, sizeof(shown));
		for (i = 0; i < (int)n; i++)
			fprintf(stderr, "%s: error: %s\n", shown, errs->msg[i]);
		if (errs->n > CFG_ERR_MAX)
			fprintf(stderr, "%s: ... and %u more errors\n", shown,
				errs->n - CFG_ERR_MAX);
		free(errs);
		return EXIT_CONFIG;
	}
	free(errs);

	/* One dpmirror per wire: a second one would forward every packet
	 * again.  Refused before anything is touched. */
	if (dpm_lock_ports(cfg, &wires, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpmirror: error: %s\n", err);
		cfg_free(cfg);
		return EXIT_FAILURE;
	}
	/* The kernel side first: ports may name playground interfaces. */
	if (ctl_kernel_setup(cfg, &kern, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpmirror: error: %s\n", err);
		dpm_lock_set_release(&wires);
		cfg_free(cfg);
		return EXIT_FAILURE;
	}
	rc = rte_eal_init(dd, argv);
	if (rc < 0) {
		/* The runtime directory may be another primary's: kept. */
		fprintf(stderr,
			"dpmirror: error: EAL initialisation failed "
			"(%s); check the EAL options before \"--\"\n",
			rte_strerror(rte_errno));
		ctl_kernel_teardown(&kern);
		dpm_lock_set_release(&wires);
		cfg_free(cfg);
		return EXIT_FAILURE;
	}
	/* A primary's runtime directory (/var/run/dpdk/<file-prefix>) is
	 * removed at exit; a secondary's belongs to its primary. */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		snprintf(rundir, sizeof(rundir), "%s",
			 rte_eal_get_runtime_dir());
	rc = run(cfg, &o);
	rte_eal_cleanup();
	remove_runtime_dir(rundir);
	ctl_kernel_teardown(&kern);
	dpm_lock_set_release(&wires);
	cfg_free(cfg);
	return rc;
}
