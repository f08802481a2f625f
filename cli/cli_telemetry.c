/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli_telemetry.h"

/* DPDK 22.11's limits (lib/telemetry/telemetry.c): a command is read into
 * 1024 bytes, its name (before ',') is shorter than 56. */
#define TEL_MAX_MSG	 1023
#define TEL_MAX_CMD	 55
#define TEL_GREETING_MAX 1024
/* A greeting announcing more than this is not believed. */
#define TEL_MAX_OUTPUT (16u << 20)

static int __attribute__((format(printf, 3, 4)))
tel_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The EAL's runtime directory base (eal_create_runtime_dir). */
static const char *
run_base(void)
{
	const char *xdg;

	if (getuid() == 0)
		return "/var/run";
	xdg = getenv("XDG_RUNTIME_DIR");
	return xdg != NULL ? xdg : "/tmp";
}

int
cli_tel_path(const char *prefix, char *out, size_t outlen, char *err,
	     size_t errlen)
{
	int n;

	if (prefix[0] == '\0')
		return tel_err(err, errlen,
			       "--file-prefix: empty; give the --file-prefix "
			       "dpmirror was started with (default %s)",
			       CLI_TEL_DEFAULT_PREFIX);
	if (strchr(prefix, '/') != NULL)
		return tel_err(err, errlen,
			       "--file-prefix %.64s: a prefix is a name, not a "
			       "path (no '/')",
			       prefix);
	n = snprintf(out, outlen, "%s/dpdk/%s/dpdk_telemetry.v2", run_base(),
		     prefix);
	if (n < 0 || (size_t)n >= outlen)
		return tel_err(err, errlen,
			       "--file-prefix %.64s: the socket path would be "
			       "longer than a unix socket path may be (%zu "
			       "bytes)",
			       prefix, outlen - 1);
	return 0;
}

/* Wait until FD is readable; -1 with ERR on timeout or error. */
static int
wait_readable(const struct cli_tel *t, const char *what, char *err,
	      size_t errlen)
{
	struct pollfd pfd = {.fd = t->fd, .events = POLLIN};
	int rc;

	do
		rc = poll(&pfd, 1, CLI_TEL_TIMEOUT_MS);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return tel_err(err, errlen, "%s: poll: %s", t->path,
			       strerror(errno));
	if (rc == 0)
		return tel_err(err, errlen,
			       "%s: no %s within %d s; the process is stuck or "
			       "is not a DPDK telemetry server",
			       t->path, what, CLI_TEL_TIMEOUT_MS / 1000);
	return 0;
}

/* One message into BUF (CAP bytes, NUL-terminated on return): its
 * length, or -1 with ERR (closed, truncated, error). */
static ssize_t
recv_msg(struct cli_tel *t, char *buf, size_t cap, const char *what, char *err,
	 size_t errlen)
{
	ssize_t n;

	if (wait_readable(t, what, err, errlen) != 0)
		return -1;
	do
		n = recv(t->fd, buf, cap - 1, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return tel_err(err, errlen, "%s: reading the %s: %s", t->path,
			       what, strerror(errno));
	if (n == 0)
		return tel_err(err, errlen,
			       "%s: the process closed the connection instead "
			       "of sending the %s (it has exited, or already "
			       "serves the 10 telemetry clients DPDK allows)",
			       t->path, what);
	if ((size_t)n > cap - 1)
		return tel_err(err, errlen,
			       "%s: the %s is %zd bytes, more than the %zu "
			       "accepted%s; refused",
			       t->path, what, n, cap - 1,
			       strcmp(what, "reply") == 0
				       ? " (the greeting's max_output_len, "
					 "never more than 1 MiB)"
				       : "");
	buf[n] = '\0';
	return n;
}

void
cli_tel_close(struct cli_tel *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	free(t->buf);
	t->buf = NULL;
}

static int
read_greeting(struct cli_tel *t, char *err, size_t errlen)
{
	char buf[TEL_GREETING_MAX + 1];
	const struct cli_json *v;
	struct cli_json_error jerr;
	struct cli_json *g;
	uint64_t max_len;
	int64_t pid;
	ssize_t n;

	n = recv_msg(t, buf, sizeof(buf), "greeting", err, errlen);
	if (n < 0)
		return -1;
	g = cli_json_parse(buf, (size_t)n, 4, &jerr);
	if (g == NULL)
		return tel_err(err, errlen,
			       "%s: the greeting is not valid JSON (byte %zu: "
			       "%s); not a DPDK telemetry v2 socket?",
			       t->path, jerr.offset, jerr.msg);
	if (!cli_json_u64(cli_json_get(g, "max_output_len"), &max_len) ||
	    max_len < 64 || max_len > TEL_MAX_OUTPUT) {
		cli_json_free(g);
		return tel_err(err, errlen,
			       "%s: the greeting has no valid max_output_len "
			       "(64..%u); not a DPDK telemetry v2 socket?",
			       t->path, TEL_MAX_OUTPUT);
	}
	t->max_output_len = (size_t)max_len;
	if (cli_json_i64(cli_json_get(g, "pid"), &pid))
		t->pid = (pid_t)pid;
	v = cli_json_get(g, "version");
	if (v != NULL && v->type == CLI_JSON_STRING)
		snprintf(t->version, sizeof(t->version), "%s", v->str);
	cli_json_free(g);
	return 0;
}

int
cli_tel_open(struct cli_tel *t, const char *prefix, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	snprintf(t->prefix, sizeof(t->prefix), "%s", prefix);
	if (cli_tel_path(prefix, t->path, sizeof(t->path), err, errlen) != 0)
		return -1;
	if (stat(t->path, &st) != 0) {
		if (errno == ENOENT)
			return tel_err(
				err, errlen,
				"no dpmirror with --file-prefix %s: %s does "
				"not exist; is it running, and with that "
				"--file-prefix?%s",
				prefix, t->path,
				getuid() == 0
					? ""
					: " (a process run by root has its "
					  "socket under /var/run/dpdk; run "
					  "this as root too)");
		return tel_err(err, errlen, "cannot reach %s: %s%s", t->path,
			       strerror(errno),
			       errno == EACCES
				       ? "; run as the user dpmirror runs as "
					 "(usually root)"
				       : "");
	}
	if (!S_ISSOCK(st.st_mode))
		return tel_err(err, errlen,
			       "%s is not a socket; is something other than "
			       "a DPDK process using --file-prefix %s?",
			       t->path, prefix);
	t->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		return tel_err(err, errlen, "socket: %s", strerror(errno));
	memcpy(sun.sun_path, t->path, strlen(t->path) + 1);
	if (connect(t->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;

		cli_tel_close(t);
		if (e == ECONNREFUSED)
			return tel_err(err, errlen,
				       "no dpmirror with --file-prefix %s: "
				       "nothing listens on %s (the process "
				       "that made it has exited)",
				       prefix, t->path);
		return tel_err(err, errlen, "cannot connect to %s: %s%s",
			       t->path, strerror(e),
			       e == EACCES ? "; run as the user dpmirror "
					     "runs as (usually root)"
					   : "");
	}
	if (read_greeting(t, err, errlen) != 0) {
		cli_tel_close(t);
		return -1;
	}
	/* Room for the longest reply accepted and a NUL: what the greeting
	 * announced, but not more than CLI_TEL_MAX_REPLY whatever it says,
	 * so that a hostile or broken peer cannot have this process hold
	 * and parse megabytes. */
	t->reply_max = t->max_output_len < CLI_TEL_MAX_REPLY
			       ? t->max_output_len
			       : CLI_TEL_MAX_REPLY;
	t->buf = malloc(t->reply_max + 1);
	if (t->buf == NULL) {
		cli_tel_close(t);
		return tel_err(err, errlen, "out of memory");
	}
	return 0;
}

int
cli_tel_query(struct cli_tel *t, const char *cmd, struct cli_json **data,
	      char *err, size_t errlen)
{
	size_t len = strlen(cmd), name_len = strcspn(cmd, ",");
	struct cli_json_error jerr;
	struct cli_json *reply;
	ssize_t n;

	*data = NULL;
	if (t->fd < 0)
		return tel_err(err, errlen, "%s: not connected", t->path);
	if (len == 0 || len > TEL_MAX_MSG || name_len > TEL_MAX_CMD)
		return tel_err(err, errlen,
			       "command '%.64s' is too long for DPDK telemetry "
			       "(name up to %d bytes, all up to %d)",
			       cmd, TEL_MAX_CMD, TEL_MAX_MSG);
	do
		n = send(t->fd, cmd, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return tel_err(err, errlen, "%s: sending %.64s: %s%s", t->path,
			       cmd, strerror(errno),
			       errno == EPIPE ? " (the process has exited)"
					      : "");
	n = recv_msg(t, t->buf, t->reply_max + 1, "reply", err, errlen);
	if (n < 0)
		return -1;
	reply = cli_json_parse(t->buf, (size_t)n, CLI_JSON_MAX_DEPTH, &jerr);
	if (reply == NULL)
		return tel_err(err, errlen,
			       "%s: the reply to %.64s is not valid JSON (byte "
			       "%zu: %s)",
			       t->path, cmd, jerr.offset, jerr.msg);
	if (reply->type != CLI_JSON_OBJECT || reply->n != 1 ||
	    strlen(reply->keys[0]) != name_len ||
	    memcmp(reply->keys[0], cmd, name_len) != 0) {
		cli_json_free(reply);
		return tel_err(err, errlen,
			       "%s: the reply to %.64s is not {\"%.*s\": ...}",
			       t->path, cmd, (int)name_len, cmd);
	}
	*data = reply->items[0];
	reply->items[0] = NULL;
	cli_json_free(reply);
	return 0;
}

static const char *
type_name(enum cli_json_type type)
{
	switch (type) {
	case CLI_JSON_NULL:
		return "null";
	case CLI_JSON_FALSE:
	case CLI_JSON_TRUE:
		return "a boolean";
	case CLI_JSON_NUMBER:
		return "a number";
	case CLI_JSON_STRING:
		return "a string";
	case CLI_JSON_ARRAY:
		return "an array";
	case CLI_JSON_OBJECT:
		return "an object";
	}
	return "?";
}

int
cli_tel_get(struct cli_tel *t, const char *cmd, enum cli_json_type want,
	    struct cli_json **data, char *err, size_t errlen)
{
	if (cli_tel_query(t, cmd, data, err, errlen) != 0)
		return -1;
	if ((*data)->type == want)
		return 0;
	if ((*data)->type == CLI_JSON_NULL)
		tel_err(err, errlen,
			"%s (pid %d) answered null to %.64s: the process with "
			"--file-prefix %s does not know that command, or could "
			"not answer it (a dpmirror still starting or "
			"stopping); is it a dpmirror of this version?",
			t->path, (int)t->pid, cmd, t->prefix);
	else
		tel_err(err, errlen,
			"%s: the reply to %.64s is %s, expected %s", t->path,
			cmd, type_name((*data)->type), type_name(want));
	cli_json_free(*data);
	*data = NULL;
	return -1;
}
