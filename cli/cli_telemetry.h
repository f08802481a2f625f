/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CLI_TELEMETRY_H
#define DPMIRROR_CLI_TELEMETRY_H

/*
 * A client of DPDK's telemetry socket (version 2, as DPDK 22.11 serves it
 * and usertools/dpdk-telemetry.py reads it), without an EAL.
 *
 * The socket of the DPDK process started with --file-prefix P is
 * RUNDIR/dpdk/P/dpdk_telemetry.v2, RUNDIR being /var/run for root and
 * $XDG_RUNTIME_DIR (else /tmp) for anyone else, as the EAL chooses it.
 * It is a SOCK_SEQPACKET socket: on connect the process sends one message,
 * {"version": ..., "pid": N, "max_output_len": N}; then every message sent
 * is one command ("/cmd" or "/cmd,param") and gets one reply message,
 * {"/cmd": DATA}, DATA null when the command is unknown or failed.  The
 * process closes a connection at once when it already serves its maximum
 * of clients (10).
 *
 * Every function that can fail fills ERR (ERRLEN bytes) with a sentence
 * that names the socket path and what would help, and returns -1.
 */

#include <stddef.h>
#include <sys/types.h>

#include "cli_json.h"

/* DPDK's default --file-prefix. */
#define CLI_TEL_DEFAULT_PREFIX "rte"

/* The longest reply accepted (the greeting's max_output_len when it is
 * smaller): DPDK 22.11 sends at most 16 KB. */
#define CLI_TEL_MAX_REPLY (1u << 20)

/* How long to wait for the greeting or a reply, in milliseconds. */
#define CLI_TEL_TIMEOUT_MS 5000

struct cli_tel {
	int fd;
	char path[108]; /* sizeof(sun_path) */
	char prefix[64];
	pid_t pid;	       /* from the greeting */
	char version[64];      /* DPDK's, from the greeting */
	size_t max_output_len; /* from the greeting */
	size_t reply_max;      /* the longest reply accepted */
	char *buf;	       /* reply_max + 1 bytes, for replies */
};

/*
 * The socket path of the process with --file-prefix PREFIX into OUT.
 * -1 when PREFIX is empty, holds a '/', or the path does not fit.
 */
int cli_tel_path(const char *prefix, char *out, size_t outlen, char *err,
		 size_t errlen);

/* Connect to the process with --file-prefix PREFIX and read its greeting.
 * On failure T is left closed (cli_tel_close is still fine). */
int cli_tel_open(struct cli_tel *t, const char *prefix, char *err,
		 size_t errlen);

/*
 * Send CMD (a command, optionally followed by ",param") and read the
 * reply.  *DATA is the reply's DATA (to free with cli_json_free); a null
 * DATA is returned as it is (a JSON null), for the caller to say what
 * the command missing means.  -1: the connection failed or the reply is
 * not {"CMD": DATA}.
 */
int cli_tel_query(struct cli_tel *t, const char *cmd, struct cli_json **data,
		  char *err, size_t errlen);

/*
 * cli_tel_query for a command whose reply must be of type WANT: a null
 * reply (the process does not know the command, or it failed) and a reply
 * of another type are errors that say so.
 */
int cli_tel_get(struct cli_tel *t, const char *cmd, enum cli_json_type want,
		struct cli_json **data, char *err, size_t errlen);

void cli_tel_close(struct cli_tel *t);

#endif /* DPMIRROR_CLI_TELEMETRY_H */
