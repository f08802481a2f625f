/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * dpmirrorctl reload: live reload of a running dpmirror (DESIGN section 8).
 * The process reloads on SIGHUP; what it made of the file it reports on
 * its telemetry socket (/dpmirror/config: generation, reloads_ok,
 * reloads_failed, last_reload).  So: read its pid (/dpmirror/version) and
 * its counters, send SIGHUP, and wait until one of the two counters moves;
 * then report last_reload.  The pid is checked against the one the socket
 * greeted with, so that a stale or foreign reply never gets some other
 * process signalled.
 */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_json.h"
#include "cli_telemetry.h"

#define VERSION_CMD	  "/dpmirror/version"
#define CONFIG_CMD	  "/dpmirror/config"
#define ERRORS_CMD	  "/dpmirror/reload_errors"
#define DEFAULT_TIMEOUT_S 10.0
#define MAX_TIMEOUT_S	  3600.0
#define POLL_MS		  50

static const char *prog = "dpmirrorctl";

static void
reload_usage(FILE *out)
{
	fprintf(out,
		"usage: %s reload [--file-prefix P] [--timeout SEC]\n"
		"       %s reload -h | --help\n"
		"\n"
		"Has the running dpmirror started with --file-prefix P "
		"(default %s) read its\n"
		"configuration file (-c FILE) again: sends it SIGHUP, the pid "
		"read from its\n"
		"telemetry socket, and waits, at most SEC seconds (default "
		"%.0f), for its\n"
		"verdict there.  Sessions, filters and collectors change "
		"without stopping\n"
		"the workers; an invalid file, or a change that needs a "
		"restart (anything\n"
		"under [port], mode, burst, mirror_pool), leaves the running "
		"configuration\n"
		"in place.\n"
		"\n"
		"Prints \"reloaded: generation N (latency X us)\" and exits 0, "
		"or prints every\n"
		"problem the process found and exits 2; also 2 when no "
		"dpmirror answers or\n"
		"no verdict comes in time; 1 usage error.\n",
		prog, prog, CLI_TEL_DEFAULT_PREFIX, DEFAULT_TIMEOUT_S);
}

static int
reload_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "%s: reload: %s%s\n", prog, what, arg);
	reload_usage(stderr);
	return CLI_EXIT_USAGE;
}

struct reload_state {
	uint64_t generation, ok, failed;
};

/* The counters of /dpmirror/config into S; *CFG keeps the reply. */
static int
read_config(struct cli_tel *t, struct cli_json **cfg, struct reload_state *s,
	    char *err, size_t errlen)
{
	*cfg = NULL;
	if (cli_tel_get(t, CONFIG_CMD, CLI_JSON_OBJECT, cfg, err, errlen) != 0)
		return -1;
	if (!cli_json_u64(cli_json_get(*cfg, "generation"), &s->generation) ||
	    !cli_json_u64(cli_json_get(*cfg, "reloads_ok"), &s->ok) ||
	    !cli_json_u64(cli_json_get(*cfg, "reloads_failed"), &s->failed)) {
		snprintf(err, errlen,
			 "%s: the reply to %s lacks the integers generation, "
			 "reloads_ok and reloads_failed",
			 t->path, CONFIG_CMD);
		cli_json_free(*cfg);
		*cfg = NULL;
		return -1;
	}
	return 0;
}

/* The pid /dpmirror/version gives, checked against the greeting's. */
static int
read_pid(struct cli_tel *t, pid_t *pid, char *err, size_t errlen)
{
	struct cli_json *v;
	int64_t x;

	if (cli_tel_get(t, VERSION_CMD, CLI_JSON_OBJECT, &v, err, errlen) != 0)
		return -1;
	if (!cli_json_i64(cli_json_get(v, "pid"), &x) || x <= 1 ||
	    x > INT32_MAX) {
		cli_json_free(v);
		snprintf(err, errlen,
			 "%s: the reply to %s has no valid \"pid\"; not "
			 "signalling anything",
			 t->path, VERSION_CMD);
		return -1;
	}
	cli_json_free(v);
	if (t->pid != 0 && t->pid != (pid_t)x) {
		snprintf(err, errlen,
			 "%s: %s says pid %" PRId64 " but the socket greeted "
			 "as pid %d; not signalling either",
			 t->path, VERSION_CMD, x, (int)t->pid);
		return -1;
	}
	*pid = (pid_t)x;
	return 0;
}

static void
nap_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Print the problems of the refused reload, one a line: from
 * /dpmirror/reload_errors, every message whole, one per line of one
 * string; else (a process without that command) from last_reload.errors
 * in CFG, whose strings DPDK 22.11 cuts at 127 bytes.  The number
 * printed.
 */
static uint64_t
print_errors(struct cli_tel *t, const struct cli_json *errors)
{
	struct cli_json *whole = NULL;
	char err[512];
	uint64_t n = 0;
	unsigned int i;

	if (cli_tel_get(t, ERRORS_CMD, CLI_JSON_STRING, &whole, err,
			sizeof(err)) == 0) {
		char *line = whole->str, *nl;

		while (*line != '\0') {
			nl = strchr(line, '\n');
			if (nl != NULL)
				*nl = '\0';
			fprintf(stderr, "  %s\n", line);
			n++;
			if (nl == NULL)
				break;
			line = nl + 1;
		}
		cli_json_free(whole);
		return n;
	}
	for (i = 0;
	     errors != NULL && errors->type == CLI_JSON_ARRAY && i < errors->n;
	     i++) {
		const struct cli_json *e = errors->items[i];

		if (e->type == CLI_JSON_STRING)
			fprintf(stderr, "  %s\n", e->str);
		else {
			fputs("  ", stderr);
			cli_json_write(stderr, e, 0);
			fputc('\n', stderr);
		}
		n++;
	}
	return n;
}

/* Report the verdict of last_reload in CFG: the exit status. */
static int
verdict(struct cli_tel *t, const struct cli_json *cfg,
	const struct reload_state *before, const struct reload_state *now)
{
	const struct cli_json *last = cli_json_get(cfg, "last_reload");
	const struct cli_json *result = cli_json_get(last, "result");
	const struct cli_json *errors = cli_json_get(last, "errors");
	const struct cli_json *file = cli_json_get(cfg, "file");
	uint64_t latency, n_errors, shown;
	bool ok;

	/* Both counters may move when another reload runs at the same
	 * time: then the last one's result decides. */
	if (result != NULL && result->type == CLI_JSON_STRING &&
	    (strcmp(result->str, "ok") == 0 ||
	     strcmp(result->str, "failed") == 0))
		ok = strcmp(result->str, "ok") == 0;
	else
		ok = now->failed == before->failed;
	if (ok) {
		printf("reloaded: generation %" PRIu64, now->generation);
		if (cli_json_u64(cli_json_get(last, "latency_us"), &latency))
			printf(" (latency %" PRIu64 " us)\n", latency);
		else
			printf(" (latency not reported)\n");
		return CLI_EXIT_OK;
	}
	fprintf(stderr,
		"%s: reload: refused by dpmirror pid %d; the running "
		"configuration (generation %" PRIu64 ") stays.  Problems in "
		"%s:\n",
		prog, (int)t->pid, now->generation,
		file != NULL && file->type == CLI_JSON_STRING ? file->str
							      : "its file");
	shown = print_errors(t, errors);
	if (cli_json_u64(cli_json_get(last, "n_errors"), &n_errors) &&
	    n_errors > shown)
		fprintf(stderr, "  (%" PRIu64 " more not shown)\n",
			n_errors - shown);
	else if (shown == 0)
		fprintf(stderr, "  (the process reported no detail; see its "
				"log)\n");
	return CLI_EXIT_FAIL;
}

int
cli_reload(int argc, char **argv)
{
	const char *prefix = CLI_TEL_DEFAULT_PREFIX, *val;
	struct reload_state before, now;
	double timeout = DEFAULT_TIMEOUT_S, deadline;
	struct cli_json *cfg = NULL;
	char err[512], path[108];
	struct cli_tel t;
	pid_t pid;
	int i, r, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			reload_usage(stdout);
			return CLI_EXIT_OK;
		}
		if ((r = cli_opt_value(argc, argv, &i, "--file-prefix",
				       &val)) != 0) {
			if (r < 0)
				return reload_usage_error(
					"--file-prefix needs a value (P)", "");
			prefix = val;
			if (cli_tel_path(prefix, path, sizeof(path), err,
					 sizeof(err)) != 0)
				return reload_usage_error(err, "");
		} else if ((r = cli_opt_value(argc, argv, &i, "--timeout",
					      &val)) != 0) {
			if (r < 0)
				return reload_usage_error(
					"--timeout needs a value (SEC)", "");
			if (cli_parse_seconds("reload: --timeout", val,
					      MAX_TIMEOUT_S, &timeout) != 0) {
				reload_usage(stderr);
				return CLI_EXIT_USAGE;
			}
		} else {
			return reload_usage_error("unknown argument ", argv[i]);
		}
	}

	if (cli_tel_open(&t, prefix, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: reload: %s\n", prog, err);
		return CLI_EXIT_FAIL;
	}
	if (read_pid(&t, &pid, err, sizeof(err)) != 0 ||
	    read_config(&t, &cfg, &before, err, sizeof(err)) != 0)
		goto fail;
	cli_json_free(cfg);
	cfg = NULL;
	if (kill(pid, SIGHUP) != 0) {
		snprintf(err, sizeof(err),
			 "cannot signal dpmirror pid %d: %s%s", (int)pid,
			 strerror(errno),
			 errno == EPERM ? "; run as the user it runs as "
					  "(usually root)"
					: "");
		goto fail;
	}
	deadline = now_s() + timeout;
	for (;;) {
		nap_ms(POLL_MS);
		if (read_config(&t, &cfg, &now, err, sizeof(err)) != 0) {
			fprintf(stderr,
				"%s: reload: dpmirror pid %d stopped "
				"answering during the reload: %s\n",
				prog, (int)pid, err);
			cli_tel_close(&t);
			return CLI_EXIT_FAIL;
		}
		if (now.ok > before.ok || now.failed > before.failed)
			break;
		cli_json_free(cfg);
		cfg = NULL;
		if (now_s() >= deadline) {
			snprintf(err, sizeof(err),
				 "no verdict from dpmirror pid %d within %g s "
				 "of SIGHUP (reloads_ok stays %" PRIu64
				 ", reloads_failed %" PRIu64
				 "); is it stuck, or a version that does not "
				 "reload?",
				 (int)pid, timeout, now.ok, now.failed);
			goto fail;
		}
	}
	rc = verdict(&t, cfg, &before, &now);
	cli_json_free(cfg);
	cli_tel_close(&t);
	return rc;
fail:
	fprintf(stderr, "%s: reload: %s\n", prog, err);
	cli_json_free(cfg);
	cli_tel_close(&t);
	return CLI_EXIT_FAIL;
}
