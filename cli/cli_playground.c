/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpmirrorctl playground up|down|status: the veth/netns lab of DESIGN
 * section 6 (kernel/kn_playground.h).  Needs root.  Up and down hold the
 * playground's lock (lock/dpm_lock.h) while they work, so they refuse a
 * playground a running dpmirror owns, and remove a lock file a killed
 * dpmirror left.
 */

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <rte_common.h>

#include "cli.h"
#include "dpm_lock.h"
#include "kn_playground.h"

/* clang-format off */
/* Each action's synopsis and what it does; pg_usage prints one or all. */
static const struct {
	const char *name;
	const char *synopsis;
	const char *text;
} pg_actions[] = {
	{"up", "up [--prefix P] [--inline]",
	 "  up       create what is missing; a second up changes nothing\n"
	 "           --inline: P-h1e0 is taken off P-br0 and P-dpb <-> P-dpbr "
	 "is\n"
	 "           added, so dpmirror inline between P-h1e0 and P-dpb "
	 "carries\n"
	 "           h1's eth0 traffic; up with the other wiring re-wires\n"},
	{"down", "down [--prefix P]",
	 "  down     remove the namespaces and P-* links up made (exit 0 if "
	 "none)\n"},
	{"status", "status [--prefix P]",
	 "  status   show every object; exit 0 when all is up, 1 "
	 "otherwise\n"},
};
/* clang-format on */

/* The usage of ACTION ("up", "down", "status"), or of all when NULL. */
static void
pg_usage(FILE *out, const char *action)
{
	const char *lead = "usage: ";
	unsigned int i;

	for (i = 0; i < RTE_DIM(pg_actions); i++) {
		if (action != NULL && strcmp(action, pg_actions[i].name) != 0)
			continue;
		fprintf(out, "%sdpmirrorctl playground %s\n", lead,
			pg_actions[i].synopsis);
		lead = "       ";
	}
	fprintf(out,
		"%sdpmirrorctl playground %s%s-h | --help\n"
		"\n"
		"The seed's two-host topology with network namespaces P-h1 and "
		"P-h2,\nbridges P-br0 (198.18.0.0/24) and P-br1 "
		"(198.18.1.0/24, mtu 1600), h2's\nvxlan0 (vni 100, port 4789), "
		"a span port P-span fed by a tc mirror of\nP-h1e0, and P-out "
		"towards h2 for dpmirror's copies.  P is the prefix,\n1..%d "
		"characters of [a-z0-9], default %s.\n\n",
		lead, action != NULL ? action : "", action != NULL ? " " : "",
		KN_PG_PREFIX_MAX, KN_PG_DEFAULT_PREFIX);
	for (i = 0; i < RTE_DIM(pg_actions); i++)
		if (action == NULL || strcmp(action, pg_actions[i].name) == 0)
			fputs(pg_actions[i].text, out);
	fputs("Up and down refuse a prefix that a running dpmirror owns (its "
	      "[playground]).\n"
	      "\nExit status: 0 success, 1 usage error (status: not all up), "
	      "2 failure.\n",
	      out);
}

/* Usage error: WHAT (and ARG, when not NULL), then the usage. */
static int
pg_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "dpmirrorctl: playground: %s%s%s%s\n", what,
		arg != NULL ? " '" : "", arg != NULL ? arg : "",
		arg != NULL ? "'" : "");
	pg_usage(stderr, NULL);
	return CLI_EXIT_USAGE;
}

int
cli_playground(int argc, char **argv)
{
	struct dpm_lock lock;
	struct kn_pg_opts o;
	struct dpm_err e;
	const char *sub;
	int i, rc;

	if (argc < 1)
		return pg_usage_error("missing up, down or status", NULL);
	sub = argv[0];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 ||
	    strcmp(sub, "help") == 0) {
		pg_usage(stdout, NULL);
		return CLI_EXIT_OK;
	}
	if (strcmp(sub, "up") != 0 && strcmp(sub, "down") != 0 &&
	    strcmp(sub, "status") != 0)
		return pg_usage_error("unknown subcommand", sub);

	dpm_lock_init(&lock);
	memset(&o, 0, sizeof(o));
	memset(&e, 0, sizeof(e));
	o.prefix = KN_PG_DEFAULT_PREFIX;
	o.log = stdout;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			pg_usage(stdout, sub);
			return CLI_EXIT_OK;
		} else if (strcmp(a, "--prefix") == 0) {
			if (i + 1 >= argc)
				return pg_usage_error("missing the value of",
						      a);
			o.prefix = argv[++i];
		} else if (strncmp(a, "--prefix=", 9) == 0) {
			o.prefix = a + 9;
		} else if (strcmp(a, "--inline") == 0 &&
			   strcmp(sub, "up") == 0) {
			o.inline_mode = true;
		} else {
			return pg_usage_error("unexpected argument", a);
		}
	}
	if (kn_pg_check_prefix(o.prefix, &e) != 0)
		return pg_usage_error(e.msg, NULL);

	/* Up and down change the playground: not while a dpmirror owns it.
	 * A lock a dead dpmirror left is taken, then removed on release:
	 * the playground is the user's afterwards. */
	if (strcmp(sub, "status") != 0) {
		struct dpm_err le;
		pid_t holder;

		rc = dpm_lock_take_playground(&lock, o.prefix, NULL, 0, &holder,
					      &le);
		if (rc == -EBUSY) {
			char who[32];

			fprintf(stderr,
				"dpmirrorctl: playground %s: prefix %s is in "
				"use by %s pid %ld; stop it first, or choose "
				"another prefix\n",
				sub, o.prefix,
				dpm_lock_holder_name(holder, who, sizeof(who)),
				(long)holder);
			return CLI_EXIT_FAIL;
		}
		if (rc != 0) {
			fprintf(stderr, "dpmirrorctl: playground %s: %s\n", sub,
				le.msg);
			return CLI_EXIT_FAIL;
		}
	}
	if (strcmp(sub, "up") == 0) {
		rc = kn_playground_up(&o, &e);
		dpm_lock_release(&lock);
		fflush(stdout);
		if (rc < 0) {
			fprintf(stderr, "dpmirrorctl: playground up: %s\n",
				e.msg);
			return CLI_EXIT_FAIL;
		}
		return CLI_EXIT_OK;
	}
	if (strcmp(sub, "down") == 0) {
		rc = kn_playground_down(o.prefix, &e);
		dpm_lock_release(&lock);
		if (rc < 0) {
			fprintf(stderr, "dpmirrorctl: playground down: %s\n",
				e.msg);
			return CLI_EXIT_FAIL;
		}
		if (rc == 0)
			printf("playground %s: nothing to remove\n", o.prefix);
		else
			printf("playground %s: removed %d object%s\n", o.prefix,
			       rc, rc == 1 ? "" : "s");
		return CLI_EXIT_OK;
	}
	rc = kn_playground_status(o.prefix, stdout, &e);
	if (rc < 0) {
		fflush(stdout);
		fprintf(stderr, "dpmirrorctl: playground status: %s\n", e.msg);
		return CLI_EXIT_FAIL;
	}
	return rc == 0 ? CLI_EXIT_OK : 1;
}
