/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * dpmirrorctl: the command-line tool that needs no EAL (DESIGN section 3).
 *
 * Each subcommand is one entry of cmds[]: a name, a one-line synopsis and
 * a handler taking the arguments after the subcommand name.  Handlers
 * return the process exit status: 0 success, 1 usage error, 2 the request
 * was understood but failed (for check: the file is not valid).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h> /* RTE_DIM */

#include "cfg.h"
#include "cli.h"
#include "cli_collect.h"

struct ctl_cmd {
	const char *name;
	const char *args; /* synopsis of the arguments */
	const char *help; /* one line */
	int (*run)(int argc, char **argv);
};

static const char *ctl_prog = "dpmirrorctl";

static void ctl_usage(FILE *out);

/* Usage error: say what is wrong, then show the usage, on stderr. */
static int
ctl_usage_error(const char *what)
{
	fprintf(stderr, "%s: %s\n", ctl_prog, what);
	ctl_usage(stderr);
	return CLI_EXIT_USAGE;
}

static void
check_usage(FILE *out)
{
	fprintf(out,
		"usage: %s check [--] FILE\n"
		"       %s check -h | --help\n"
		"\n"
		"Validates FILE as dpmirror would read it (DESIGN section 4) "
		"and prints\n"
		"either \"FILE: valid (...)\" with what it defines, or every "
		"problem, one\n"
		"\"FILE: error: [section] key = value: what is wrong; what "
		"would be valid\"\n"
		"line each, in file order.  It needs no EAL, no root and no "
		"device: what\n"
		"only a device can tell (queues, MTU, offloads) is checked by "
		"'dpmirror\n"
		"--dry-run'.  Exit 0 valid, 1 usage error, 2 invalid.\n",
		ctl_prog, ctl_prog);
}

static int
check_usage_error(const char *what)
{
	fprintf(stderr, "%s: %s\n", ctl_prog, what);
	check_usage(stderr);
	return CLI_EXIT_USAGE;
}

static int
ctl_check(int argc, char **argv)
{
	struct cfg_errors *errs;
	struct cfg *cfg;
	unsigned int i, n_rules = 0;
	char path[1024];

	if (argc >= 1 &&
	    (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)) {
		check_usage(stdout);
		return CLI_EXIT_OK;
	}
	/* "--" ends the options: a file may be called -h. */
	if (argc >= 1 && strcmp(argv[0], "--") == 0) {
		argc--;
		argv++;
	} else if (argc >= 1 && argv[0][0] == '-' && argv[0][1] != '\0') {
		char shown[256], msg[320];

		snprintf(msg, sizeof(msg),
			 "check: unknown option %s; give FILE (or -- FILE "
			 "for a name that starts with '-')",
			 cfg_escape(argv[0], shown, sizeof(shown)));
		return check_usage_error(msg);
	}
	if (argc != 1)
		return check_usage_error(argc == 0
						 ? "check: missing FILE"
						 : "check: too many arguments");
	cfg_escape(argv[0], path, sizeof(path));

	errs = calloc(1, sizeof(*errs));
	if (errs == NULL) {
		fprintf(stderr, "%s: out of memory\n", ctl_prog);
		return CLI_EXIT_FAIL;
	}
	cfg = cfg_load(argv[0], errs);
	if (cfg == NULL) {
		cfg_errors_print(stderr, argv[0], errs);
		free(errs);
		return CLI_EXIT_FAIL;
	}
	for (i = 0; i < cfg->n_filters; i++)
		n_rules += cfg->filters[i].n_rules;
	printf("%s: valid (%u ports, %u collectors, %u sessions, %u filters, "
	       "%u rules)\n",
	       path, cfg->n_ports, cfg->n_collectors, cfg->n_sessions,
	       cfg->n_filters, n_rules);
	cfg_free(cfg);
	free(errs);
	return CLI_EXIT_OK;
}

/* The subcommands. */
static const struct ctl_cmd cmds[] = {
	{"check", "[--] FILE",
	 "validate a configuration file (exit 0 valid, 2 invalid)", ctl_check},
	{"playground", "up|down|status [--prefix P] [--inline]",
	 "the veth/netns lab of the seed's topology (root)", cli_playground},
	{"kernel", "add|del|show --netns N --dev D ...",
	 "the kernel tc + mirred + tunnel mirror (root; 'kernel -h')",
	 cli_kernel},
	{"stats", "[--file-prefix P] [--json|--prometheus] [--watch SEC]",
	 "statistics of a running dpmirror (telemetry socket)", cli_stats},
	{"reload", "[--file-prefix P] [--timeout SEC]",
	 "reload a running dpmirror's configuration (exit 0 applied, 2 "
	 "refused)",
	 cli_reload},
	{"collect", "-i IFACE|-r FILE -w FILE|-w DIR --split [-c N] ...",
	 "copies out of their tunnels into pcap; loss per tunnel", cli_collect},
};

static void
ctl_usage(FILE *out)
{
	unsigned int i;

	fprintf(out,
		"usage: %s COMMAND [ARGS]\n"
		"       %s help [COMMAND] | -h | --help\n"
		"       %s --version\n\ncommands:\n",
		ctl_prog, ctl_prog, ctl_prog);
	for (i = 0; i < RTE_DIM(cmds); i++) {
		char synopsis[96];

		snprintf(synopsis, sizeof(synopsis), "%s%s%s", cmds[i].name,
			 cmds[i].args[0] != '\0' ? " " : "", cmds[i].args);
		/* A synopsis too long for its column gets a line of its
		 * own. */
		if (strlen(synopsis) > 22)
			fprintf(out, "  %s\n  %-22s %s\n", synopsis, "",
				cmds[i].help);
		else
			fprintf(out, "  %-22s %s\n", synopsis, cmds[i].help);
	}
	fprintf(out,
		"\n'%s help COMMAND' or '%s COMMAND --help' shows a "
		"command's own help.\n"
		"%s needs no EAL or hugepages; check needs no root, "
		"playground and kernel do;\n"
		"stats and reload need access to dpmirror's telemetry socket "
		"(root for a\n"
		"dpmirror run by root); collect -i needs root (or "
		"CAP_NET_RAW), -r does not.\n",
		ctl_prog, ctl_prog, ctl_prog);
}

int
main(int argc, char **argv)
{
	char shown[256];
	unsigned int i;

	if (argc < 2)
		return ctl_usage_error("missing command");
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("dpmirrorctl %s\n", DPM_VERSION);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0 && argc >= 3) {
		/* help COMMAND: that command's own --help. */
		char *help_argv[] = {(char *)"--help", NULL};

		for (i = 0; i < RTE_DIM(cmds); i++)
			if (strcmp(argv[2], cmds[i].name) == 0)
				return cmds[i].run(1, help_argv);
		fprintf(stderr, "%s: help: unknown command '%s'\n", ctl_prog,
			cfg_escape(argv[2], shown, sizeof(shown)));
		ctl_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		ctl_usage(stdout);
		return CLI_EXIT_OK;
	}
	for (i = 0; i < RTE_DIM(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 2, argv + 2);
	fprintf(stderr, "%s: unknown command '%s'\n", ctl_prog,
		cfg_escape(argv[1], shown, sizeof(shown)));
	ctl_usage(stderr);
	return CLI_EXIT_USAGE;
}
