/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CLI_H
#define DPMIRROR_CLI_H

/*
 * dpmirrorctl subcommands that live in their own files.  Each takes the
 * arguments after its name (argv[0] is the first of them, e.g. "up") and
 * returns the exit status: 0 success, 1 usage error, 2 the request was
 * understood but failed (with a message on stderr naming what and why).
 */

#define CLI_EXIT_OK    0
#define CLI_EXIT_USAGE 1
#define CLI_EXIT_FAIL  2

/* dpmirrorctl playground up|down|status [--prefix P] [--inline] */
int cli_playground(int argc, char **argv);

/* dpmirrorctl kernel add|del|show [options] */
int cli_kernel(int argc, char **argv);

#endif /* DPMIRROR_CLI_H */
