/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CLI_H
#define DPMIRROR_CLI_H

/*
 * dpmirrorctl subcommands that live in their own files.  Each takes the
 * arguments after its name (argv[0] is the first of them, e.g. "up") and
 * returns the exit status: 0 success, 1 usage error, 2 the request was
 * understood but failed (with a message on stderr naming what and why).
 */

#include <stdio.h>

#define CLI_EXIT_OK    0
#define CLI_EXIT_USAGE 1
#define CLI_EXIT_FAIL  2

/* dpmirrorctl playground up|down|status [--prefix P] [--inline] */
int cli_playground(int argc, char **argv);

/* dpmirrorctl kernel add|del|show [options] */
int cli_kernel(int argc, char **argv);

/* dpmirrorctl stats [--file-prefix P] [--json | --prometheus] [--watch SEC]
 * (cli_stats.c): the statistics of a running dpmirror, read from its
 * telemetry socket. */
int cli_stats(int argc, char **argv);

/* dpmirrorctl reload [--file-prefix P] [--timeout SEC] (cli_reload.c):
 * SIGHUP to a running dpmirror, then its verdict from telemetry. */
int cli_reload(int argc, char **argv);

/*
 * A number of seconds given to option OPT ("command: --option"): a
 * decimal number in (0, MAX].  0, or -1 with a message on stderr naming
 * OPT, the value and the valid range.
 */
int cli_parse_seconds(const char *opt, const char *s, double max, double *out);

/*
 * Whether ARGV[*I] is option NAME with a value, given as "NAME VALUE" (*I
 * then moves past VALUE) or "NAME=VALUE": 1 and *VAL set; 0 another
 * argument; -1 NAME without a value (for the caller to report).
 */
int cli_opt_value(int argc, char **argv, int *i, const char *name,
		  const char **val);

/*
 * A usage error: the formatted message on stderr (its own line), then the
 * command's usage (USAGE(stderr)).  Returns CLI_EXIT_USAGE.
 */
int cli_usage_error(void (*usage)(FILE *), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* DPMIRROR_CLI_H */
