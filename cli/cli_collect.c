/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * dpmirrorctl collect: the receiving end of the copies (DESIGN section 3).
 *
 * Frames come from libpcap (a live interface with a kernel filter on the
 * tunnel ports and GRE, or a capture file), go through the decapsulator
 * (cli_decap.h) and, when they are a tunnel's, leave as the inner frame
 * through a libpcap dumper: one file, stdout, or one file per tunnel name
 * in a directory.  Every tunnel (kind, outer source, outer destination,
 * id) has its counters and a sequence tracker; they are reported on stderr
 * every --stats seconds and at the end, one line per tunnel, in a fixed
 * format that scripts may parse.
 *
 * One thread.  Live input is read non-blocking behind poll() with a short
 * timeout, so a signal, --duration and --stats are seen within 100 ms
 * even on a quiet interface.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>

#include "cli.h"
#include "cli_collect.h"
#include "cli_decap.h"

#define COLLECT_SNAPLEN	   262144
#define COLLECT_POLL_MS	   100
#define COLLECT_MAX_PORTS  (DCP_MAX_VXLAN_PORTS - 1) /* beside 4789 */
#define COLLECT_MAX_SEC	   (365.0 * 24 * 3600)
#define COLLECT_FILE_BATCH 256

static const char *prog = "dpmirrorctl collect";

/* SIGINT / SIGTERM: the signal, seen by the loops. */
static volatile sig_atomic_t collect_signal;

static void
collect_on_signal(int sig)
{
	collect_signal = sig;
}

/* One output file: the only one, or one of --split's. */
struct collect_file {
	char *path; /* as shown in messages */
	pcap_dumper_t *d;
	bool dirty; /* written since the last flush */
};

/* One tunnel: its identity, counters and sequence numbers. */
struct collect_tunnel {
	uint8_t kind, family, has_id;
	uint8_t src[16], dst[16];
	uint32_t id;
	bool has_seq; /* some of its frames carried a sequence number */
	uint64_t frames, bytes, truncated;
	struct dcp_seq seq;
	int file; /* index in files[] (--split), else 0 */
};

struct collect {
	/* options */
	const char *iface, *rfile, *wpath;
	bool split, quiet;
	uint64_t count; /* 0: no limit */
	double duration, stats_every;
	struct dcp_opts dopts;

	pcap_t *in;
	bool live, nano_in;
	pcap_t *dead; /* for the dumpers */
	struct collect_file *files;
	unsigned int n_files, cap_files;

	/* tunnels: an array in order of first sight, and an open-addressing
	 * index into it (a power of two, at most half full) */
	struct collect_tunnel *tunnels;
	unsigned int n_tunnels, cap_tunnels;
	uint32_t *index; /* tunnel number + 1; 0 empty */
	unsigned int index_size;

	uint64_t seen, written, written_bytes, not_tunnel, malformed;
	bool stop;
	bool failed;	 /* an error, reported already, ends the run */
	int write_errno; /* an output failed: errno, or EIO */
	const char *write_path;
	double t0;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
collect_usage(FILE *out)
{
	fprintf(out,
		"usage: dpmirrorctl collect -i IFACE | -r FILE\n"
		"                           -w FILE | -w DIR --split\n"
		"                           [-c N] [--duration SEC] "
		"[--stats SEC]\n"
		"                           [--port N]... [-q]\n"
		"       dpmirrorctl collect -h | --help\n"
		"\n"
		"Receives the copies a mirror sends (VxLAN on UDP 4789 and "
		"every --port,\n"
		"Geneve on UDP 6081, GRE carrying Ethernet with or without key "
		"and sequence\n"
		"number, ERSPAN Type II and III; over IPv4 or IPv6, outer "
		"Ethernet with at\n"
		"most one VLAN tag) and writes the frames inside them, as they "
		"were, to a\n"
		"pcap file (Ethernet, nanosecond time stamps).\n"
		"\n"
		"  -i IFACE        capture live on IFACE (root; a kernel "
		"filter passes only\n"
		"                  the tunnel ports and GRE, tagged or not)\n"
		"  -r FILE         read a pcap or pcapng capture instead\n"
		"  -w FILE         write the inner frames to FILE ('-': "
		"stdout, e.g. into\n"
		"                  'tcpdump -r -')\n"
		"  -w DIR --split  one file per tunnel in DIR (made if "
		"missing), named by\n"
		"                  kind and id: vxlan-100.pcap, geneve-7.pcap, "
		"gre-key-5.pcap,\n"
		"                  gre.pcap (no key), erspan2-321.pcap, "
		"erspan3-12.pcap\n"
		"  -c N            stop after writing N frames\n"
		"  --duration SEC  stop after SEC seconds\n"
		"  --stats SEC     report every SEC seconds as well as at the "
		"end\n"
		"  --port N        one more UDP port that carries VxLAN "
		"(repeatable, %u\n"
		"                  at most)\n"
		"  -q              no start line and no report (errors only)\n"
		"\n"
		"An ERSPAN III copy is written with its own time stamp (100 ns "
		"units of UTC,\n"
		"the high bits from the capture time); every other frame keeps "
		"the capture\n"
		"time.  A frame that is no tunnel, or a broken one, is counted "
		"and skipped.\n"
		"The report (stderr) has one line per tunnel:\n"
		"  collect: KIND SRC -> DST id ID: frames N bytes N truncated "
		"N lost N\n"
		"           reordered N dup N\n"
		"(id, lost, reordered and dup are '-' for a tunnel without ids "
		"or sequence\n"
		"numbers); lost counts the sequence numbers that did not come "
		"within a\n"
		"reorder window of %u.  SIGINT or SIGTERM ends it as -c and "
		"--duration do:\n"
		"files flushed and closed, then the report.  Exit 0 done, 1 "
		"usage error,\n"
		"2 an input or output that cannot be used (or failed on the "
		"way).\n",
		COLLECT_MAX_PORTS, DCP_WINDOW);
}

#define collect_usage_error(fmt, ...)                                          \
	cli_usage_error(collect_usage, "%s: " fmt, prog, ##__VA_ARGS__)

/* ---- tunnels --------------------------------------------------------- */

static uint32_t
tunnel_hash(const struct dcp_result *r)
{
	/* FNV-1a over the identity: enough to spread a few thousand keys. */
	uint32_t h = 2166136261u;
	const uint8_t head[4] = {r->kind, r->family, r->has_id, 0};
	unsigned int i, alen = r->family == 6 ? 16 : 4;

	for (i = 0; i < sizeof(head); i++)
		h = (h ^ head[i]) * 16777619u;
	for (i = 0; i < alen; i++)
		h = (h ^ r->src[i]) * 16777619u;
	for (i = 0; i < alen; i++)
		h = (h ^ r->dst[i]) * 16777619u;
	for (i = 0; i < 4; i++)
		h = (h ^ ((r->id >> (8 * i)) & 0xff)) * 16777619u;
	return h;
}

static bool
tunnel_is(const struct collect_tunnel *t, const struct dcp_result *r)
{
	unsigned int alen = r->family == 6 ? 16 : 4;

	return t->kind == r->kind && t->family == r->family &&
	       t->has_id == r->has_id && (!r->has_id || t->id == r->id) &&
	       memcmp(t->src, r->src, alen) == 0 &&
	       memcmp(t->dst, r->dst, alen) == 0;
}

static int
index_grow(struct collect *c)
{
	unsigned int size = c->index_size ? c->index_size * 2 : 64, i, j;
	uint32_t *idx = calloc(size, sizeof(*idx));

	if (idx == NULL)
		return -1;
	for (i = 0; i < c->n_tunnels; i++) {
		struct dcp_result k = {0};
		const struct collect_tunnel *t = &c->tunnels[i];

		k.kind = t->kind;
		k.family = t->family;
		k.has_id = t->has_id;
		k.id = t->has_id ? t->id : 0;
		memcpy(k.src, t->src, 16);
		memcpy(k.dst, t->dst, 16);
		for (j = tunnel_hash(&k) & (size - 1); idx[j] != 0;
		     j = (j + 1) & (size - 1))
			;
		idx[j] = i + 1;
	}
	free(c->index);
	c->index = idx;
	c->index_size = size;
	return 0;
}

/* The name of a tunnel's --split file, in BUF. */
static void
tunnel_file_name(const struct collect_tunnel *t, char *buf, size_t n)
{
	if (t->kind == DCP_GRE && t->has_id)
		snprintf(buf, n, "gre-key-%" PRIu32 ".pcap", t->id);
	else if (t->kind == DCP_GRE)
		snprintf(buf, n, "gre.pcap");
	else if (t->has_id)
		snprintf(buf, n, "%s-%" PRIu32 ".pcap", dcp_kind_name(t->kind),
			 t->id);
	else
		snprintf(buf, n, "%s.pcap", dcp_kind_name(t->kind));
}

static int
file_open(struct collect *c, const char *path)
{
	struct collect_file *f;

	if (c->n_files == c->cap_files) {
		unsigned int cap = c->cap_files ? c->cap_files * 2 : 8;
		void *p = realloc(c->files, cap * sizeof(*c->files));

		if (p == NULL) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return -1;
		}
		c->files = p;
		c->cap_files = cap;
	}
	f = &c->files[c->n_files];
	f->path = strdup(strcmp(path, "-") == 0 ? "stdout" : path);
	if (f->path == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	f->d = pcap_dump_open(c->dead, path);
	if (f->d == NULL) {
		/* libpcap's message starts with the path. */
		fprintf(stderr, "%s: cannot write %s\n", prog,
			pcap_geterr(c->dead));
		free(f->path);
		return -1;
	}
	f->dirty = false;
	return (int)c->n_files++;
}

/* --split: the file of tunnel T, opened when its name is new (tunnels of
 * one kind and id from several addresses share it). */
static int
split_file(struct collect *c, const struct collect_tunnel *t)
{
	char name[64], *path;
	size_t dl = strlen(c->wpath), n;
	unsigned int i;
	int fi;

	tunnel_file_name(t, name, sizeof(name));
	n = dl + 1 + strlen(name) + 1;
	path = malloc(n);
	if (path == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	snprintf(path, n, "%s%s%s", c->wpath,
		 dl > 0 && c->wpath[dl - 1] == '/' ? "" : "/", name);
	for (i = 0; i < c->n_files; i++)
		if (strcmp(c->files[i].path, path) == 0) {
			free(path);
			return (int)i;
		}
	fi = file_open(c, path);
	free(path);
	return fi;
}

/* The tunnel of R, added on first sight; NULL when out of memory or its
 * --split file cannot be opened (then the run stops). */
static struct collect_tunnel *
tunnel_get(struct collect *c, const struct dcp_result *r)
{
	struct collect_tunnel *t;
	unsigned int j;

	if (c->index_size > 0)
		for (j = tunnel_hash(r) & (c->index_size - 1); c->index[j] != 0;
		     j = (j + 1) & (c->index_size - 1))
			if (tunnel_is(&c->tunnels[c->index[j] - 1], r))
				return &c->tunnels[c->index[j] - 1];

	if (c->n_tunnels == c->cap_tunnels) {
		unsigned int cap = c->cap_tunnels ? c->cap_tunnels * 2 : 16;
		void *p = realloc(c->tunnels, cap * sizeof(*c->tunnels));

		if (p == NULL) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return NULL;
		}
		c->tunnels = p;
		c->cap_tunnels = cap;
	}
	t = &c->tunnels[c->n_tunnels];
	memset(t, 0, sizeof(*t));
	t->kind = r->kind;
	t->family = r->family;
	t->has_id = r->has_id;
	t->id = r->has_id ? r->id : 0;
	memcpy(t->src, r->src, r->family == 6 ? 16 : 4);
	memcpy(t->dst, r->dst, r->family == 6 ? 16 : 4);
	dcp_seq_init(&t->seq);
	if (c->split) {
		t->file = split_file(c, t);
		if (t->file < 0)
			return NULL;
	}
	c->n_tunnels++;
	if (2 * c->n_tunnels > c->index_size) {
		if (index_grow(c) != 0) {
			fprintf(stderr, "%s: out of memory\n", prog);
			c->n_tunnels--;
			return NULL;
		}
	} else {
		for (j = tunnel_hash(r) & (c->index_size - 1); c->index[j] != 0;
		     j = (j + 1) & (c->index_size - 1))
			;
		c->index[j] = c->n_tunnels;
	}
	return t;
}

/* ---- the report ------------------------------------------------------- */

static void
report(struct collect *c, const char *when)
{
	unsigned int i;

	for (i = 0; i < c->n_tunnels; i++) {
		const struct collect_tunnel *t = &c->tunnels[i];
		char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], id[16];
		char lost[24] = "-", reo[24] = "-", dup[24] = "-";
		int af = t->family == 6 ? AF_INET6 : AF_INET;

		inet_ntop(af, t->src, s, sizeof(s));
		inet_ntop(af, t->dst, d, sizeof(d));
		if (t->has_id)
			snprintf(id, sizeof(id), "%" PRIu32, t->id);
		else
			snprintf(id, sizeof(id), "-");
		if (t->has_seq) {
			snprintf(lost, sizeof(lost), "%" PRIu64,
				 dcp_seq_lost(&t->seq));
			snprintf(reo, sizeof(reo), "%" PRIu64,
				 dcp_seq_reordered(&t->seq));
			snprintf(dup, sizeof(dup), "%" PRIu64,
				 dcp_seq_dups(&t->seq));
		}
		fprintf(stderr,
			"collect: %s%s %s -> %s id %s: frames %" PRIu64
			" bytes %" PRIu64 " truncated %" PRIu64
			" lost %s reordered %s dup %s\n",
			when, dcp_kind_name(t->kind), s, d, id, t->frames,
			t->bytes, t->truncated, lost, reo, dup);
	}
	fprintf(stderr,
		"collect: %sskipped: not-tunnel %" PRIu64 " malformed %" PRIu64
		"\n",
		when, c->not_tunnel, c->malformed);
}

/* ---- frames ------------------------------------------------------------ */

static void
write_failed(struct collect *c, const struct collect_file *f)
{
	if (c->write_errno == 0) {
		c->write_errno = errno != 0 ? errno : EIO;
		c->write_path = f->path;
	}
	c->stop = true;
}

static void
on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct collect *c = (struct collect *)user;
	struct collect_tunnel *t;
	struct collect_file *f;
	struct pcap_pkthdr oh;
	struct dcp_result r;
	int rc;

	if (c->stop)
		return;
	c->seen++;
	rc = dcp_decap(bytes, h->caplen, &c->dopts, &r);
	if (rc == DCP_NOT_TUNNEL) {
		c->not_tunnel++;
		return;
	}
	if (rc != DCP_OK) {
		c->malformed++;
		return;
	}
	t = tunnel_get(c, &r);
	if (t == NULL) {
		/* Reported where it failed. */
		c->failed = true;
		c->stop = true;
		return;
	}
	t->frames++;
	t->bytes += r.inner_len;
	if (r.truncated)
		t->truncated++;
	if (r.has_seq) {
		t->has_seq = true;
		dcp_seq_add(&t->seq, r.seq);
	}

	oh.caplen = r.inner_len;
	/* A frame the capture cut is still as long as it was on the wire. */
	oh.len = h->len > h->caplen ? r.inner_len + (h->len - h->caplen)
				    : r.inner_len;
	oh.ts = h->ts;
	if (!c->nano_in)
		oh.ts.tv_usec *= 1000;
	if (r.has_ts && r.gra == 1) {
		uint64_t near = (uint64_t)oh.ts.tv_sec * 1000000000u +
				(uint64_t)oh.ts.tv_usec;
		uint64_t ns = dcp_ts_to_ns(r.timestamp, near);

		oh.ts.tv_sec = (time_t)(ns / 1000000000u);
		oh.ts.tv_usec = (suseconds_t)(ns % 1000000000u);
	}
	f = &c->files[t->file];
	errno = 0;
	pcap_dump((u_char *)f->d, &oh, bytes + r.inner_off);
	if (ferror(pcap_dump_file(f->d))) {
		write_failed(c, f);
		return;
	}
	f->dirty = true;
	c->written++;
	c->written_bytes += r.inner_len;
	if (c->count > 0 && c->written >= c->count)
		c->stop = true;
}

static void
flush_files(struct collect *c)
{
	unsigned int i;

	for (i = 0; i < c->n_files; i++) {
		struct collect_file *f = &c->files[i];

		if (!f->dirty)
			continue;
		errno = 0;
		if (pcap_dump_flush(f->d) != 0)
			write_failed(c, f);
		f->dirty = false;
	}
}

/* ---- input ----------------------------------------------------------- */

/* The kernel filter: the tunnel ports and GRE, untagged or behind one
 * tag. */
static char *
live_filter(const struct collect *c)
{
	char base[512];
	size_t n;
	unsigned int i;
	char *out;

	n = (size_t)snprintf(base, sizeof(base), "udp port %u or udp port %u",
			     DCP_VXLAN_PORT, DCP_GENEVE_PORT);
	for (i = 1; i < c->dopts.n_vxlan_ports; i++)
		n += (size_t)snprintf(base + n, sizeof(base) - n,
				      " or udp port %u",
				      c->dopts.vxlan_ports[i]);
	snprintf(base + n, sizeof(base) - n, " or ip proto 47 or ip6 proto 47");
	n = 2 * strlen(base) + 32;
	out = malloc(n);
	if (out != NULL)
		snprintf(out, n, "%s or (vlan and (%s))", base, base);
	return out;
}

static int
open_live(struct collect *c)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog_bpf;
	char *expr;
	int rc;

	c->in = pcap_create(c->iface, err);
	if (c->in == NULL) {
		fprintf(stderr, "%s: -i %s: %s\n", prog, c->iface, err);
		return -1;
	}
	pcap_set_snaplen(c->in, COLLECT_SNAPLEN);
	pcap_set_promisc(c->in, 1);
	pcap_set_immediate_mode(c->in, 1);
	pcap_set_buffer_size(c->in, 16 << 20);
	pcap_set_tstamp_precision(c->in, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(c->in);
	if (rc < 0) {
		if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			fprintf(stderr,
				"%s: -i %s: no such interface here (see 'ip "
				"link'; in a namespace, run collect in it "
				"with 'ip netns exec NS')\n",
				prog, c->iface);
		else if (rc == PCAP_ERROR_PERM_DENIED)
			fprintf(stderr,
				"%s: -i %s: not allowed to capture (%s); run "
				"as root or with CAP_NET_RAW\n",
				prog, c->iface, pcap_geterr(c->in));
		else
			fprintf(stderr, "%s: -i %s: cannot capture: %s\n", prog,
				c->iface, pcap_geterr(c->in));
		return -1;
	}
	if (rc > 0)
		fprintf(stderr, "%s: -i %s: warning: %s\n", prog, c->iface,
			pcap_statustostr(rc));
	if (pcap_datalink(c->in) != DLT_EN10MB) {
		fprintf(stderr,
			"%s: -i %s: link type %s; collect reads Ethernet "
			"interfaces only\n",
			prog, c->iface,
			pcap_datalink_val_to_name(pcap_datalink(c->in)));
		return -1;
	}
	expr = live_filter(c);
	if (expr == NULL)
		return -1;
	if (pcap_compile(c->in, &prog_bpf, expr, 1, PCAP_NETMASK_UNKNOWN) !=
		    0 ||
	    pcap_setfilter(c->in, &prog_bpf) != 0) {
		fprintf(stderr, "%s: -i %s: cannot set filter '%s': %s\n", prog,
			c->iface, expr, pcap_geterr(c->in));
		free(expr);
		return -1;
	}
	pcap_freecode(&prog_bpf);
	free(expr);
	if (pcap_setnonblock(c->in, 1, err) != 0) {
		fprintf(stderr, "%s: -i %s: %s\n", prog, c->iface, err);
		return -1;
	}
	c->live = true;
	c->nano_in =
		pcap_get_tstamp_precision(c->in) == PCAP_TSTAMP_PRECISION_NANO;
	return 0;
}

static int
open_file(struct collect *c)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct stat st;

	/* libpcap's message for a directory or a missing file is terse. */
	if (strcmp(c->rfile, "-") != 0 && stat(c->rfile, &st) != 0) {
		fprintf(stderr, "%s: -r %s: %s\n", prog, c->rfile,
			strerror(errno));
		return -1;
	}
	c->in = pcap_open_offline_with_tstamp_precision(
		c->rfile, PCAP_TSTAMP_PRECISION_NANO, err);
	if (c->in == NULL) {
		fprintf(stderr,
			"%s: -r %s: %s (a pcap or pcapng capture is "
			"needed)\n",
			prog, c->rfile, err);
		return -1;
	}
	if (pcap_datalink(c->in) != DLT_EN10MB) {
		const char *name =
			pcap_datalink_val_to_name(pcap_datalink(c->in));

		fprintf(stderr,
			"%s: -r %s: link type %s; collect reads Ethernet "
			"captures (DLT_EN10MB) only\n",
			prog, c->rfile, name != NULL ? name : "unknown");
		return -1;
	}
	c->nano_in = true;
	return 0;
}

/* -w: FILE or '-', or DIR with --split (made when missing). */
static int
open_output(struct collect *c)
{
	struct stat st;

	c->dead = pcap_open_dead_with_tstamp_precision(
		DLT_EN10MB, COLLECT_SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
	if (c->dead == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	if (!c->split) {
		if (strcmp(c->wpath, "-") != 0 && stat(c->wpath, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			fprintf(stderr,
				"%s: -w %s is a directory; give a file, or "
				"add --split for one file per tunnel in it\n",
				prog, c->wpath);
			return -1;
		}
		if (strcmp(c->wpath, "-") == 0 && isatty(STDOUT_FILENO)) {
			fprintf(stderr,
				"%s: -w -: stdout is a terminal; pipe it "
				"(e.g. into 'tcpdump -r -') or give a "
				"file\n",
				prog);
			return -1;
		}
		return file_open(c, c->wpath) < 0 ? -1 : 0;
	}
	if (strcmp(c->wpath, "-") == 0) {
		fprintf(stderr,
			"%s: -w - with --split: --split writes one file per "
			"tunnel into a directory; give -w DIR\n",
			prog);
		return -1;
	}
	if (stat(c->wpath, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr,
				"%s: -w %s --split: not a directory; give a "
				"directory (made if missing)\n",
				prog, c->wpath);
			return -1;
		}
	} else if (mkdir(c->wpath, 0755) != 0) {
		fprintf(stderr,
			"%s: -w %s --split: cannot make the directory: "
			"%s\n",
			prog, c->wpath, strerror(errno));
		return -1;
	}
	if (access(c->wpath, W_OK | X_OK) != 0) {
		fprintf(stderr, "%s: -w %s --split: %s\n", prog, c->wpath,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- the loops -------------------------------------------------------- */

static bool
time_is_up(struct collect *c, double *next_stats)
{
	double t = now_s();

	if (c->stats_every > 0 && t >= *next_stats) {
		char when[48];

		flush_files(c);
		if (!c->quiet) {
			snprintf(when, sizeof(when), "%.1f s: ", t - c->t0);
			report(c, when);
		}
		while (*next_stats <= t)
			*next_stats += c->stats_every;
	}
	return c->duration > 0 && t - c->t0 >= c->duration;
}

/* Reads until the end, a stop or an error.  0, or -1 after a read error
 * (reported). */
static int
run(struct collect *c, const char **why)
{
	double next_stats = c->t0 + c->stats_every;
	int n;

	*why = "end of input";
	for (;;) {
		if (collect_signal != 0) {
			*why = collect_signal == SIGINT
				       ? "interrupted (SIGINT)"
				       : "terminated (SIGTERM)";
			return 0;
		}
		if (c->stop) {
			*why = c->write_errno != 0 || c->failed
				       ? "output failed"
				       : "-c reached";
			return c->failed ? -1 : 0;
		}
		if (time_is_up(c, &next_stats)) {
			*why = "--duration reached";
			return 0;
		}
		if (c->live) {
			struct pollfd pfd = {
				.fd = pcap_get_selectable_fd(c->in),
				.events = POLLIN,
			};

			if (poll(&pfd, 1, COLLECT_POLL_MS) < 0 &&
			    errno != EINTR) {
				fprintf(stderr, "%s: -i %s: poll: %s\n", prog,
					c->iface, strerror(errno));
				return -1;
			}
			n = pcap_dispatch(c->in, -1, on_frame, (u_char *)c);
			if (n > 0)
				flush_files(c);
		} else {
			n = pcap_dispatch(c->in, COLLECT_FILE_BATCH, on_frame,
					  (u_char *)c);
			if (n == 0)
				return 0;
		}
		if (n == PCAP_ERROR) {
			fprintf(stderr, "%s: %s %s: %s\n", prog,
				c->live ? "-i" : "-r",
				c->live ? c->iface : c->rfile,
				pcap_geterr(c->in));
			*why = "read error";
			return -1;
		}
	}
}

/* ---- options ----------------------------------------------------------- */

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_args(struct collect *c, int argc, char **argv)
{
	int i;

	c->dopts.vxlan_ports[0] = DCP_VXLAN_PORT;
	c->dopts.n_vxlan_ports = 1;
	c->dopts.geneve_port = DCP_GENEVE_PORT;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		int got;

		if (strcmp(a, "--split") == 0) {
			c->split = true;
			continue;
		}
		if (strcmp(a, "-q") == 0) {
			c->quiet = true;
			continue;
		}
		if (a[0] == '-' && a[1] != '-' && a[1] != '\0' &&
		    strchr("irwc", a[1]) != NULL) {
			/* -i IFACE or -iIFACE, as tcpdump takes them */
			if (a[2] != '\0') {
				val = a + 2;
			} else {
				if (i + 1 >= argc)
					return collect_usage_error(
						"%s needs a value", a);
				val = argv[++i];
			}
			switch (a[1]) {
			case 'i':
				c->iface = val;
				break;
			case 'r':
				c->rfile = val;
				break;
			case 'w':
				c->wpath = val;
				break;
			case 'c':
				if (parse_u64(val, 1, UINT64_MAX, &c->count) !=
				    0)
					return collect_usage_error(
						"-c %.64s: give a number of "
						"frames above 0",
						val);
				break;
			}
			continue;
		}
		got = cli_opt_value(argc, argv, &i, "--duration", &val);
		if (got == 0)
			got = cli_opt_value(argc, argv, &i, "--stats", &val);
		if (got == 0)
			got = cli_opt_value(argc, argv, &i, "--port", &val);
		if (got < 0)
			return collect_usage_error("%s needs a value", a);
		if (got == 0)
			return collect_usage_error(
				"unknown argument '%.64s'; see the options "
				"below",
				a);
		if (strncmp(a, "--port", 6) == 0) {
			uint64_t p;

			if (parse_u64(val, 1, 65535, &p) != 0)
				return collect_usage_error(
					"--port %.64s: give a UDP port, 1 to "
					"65535",
					val);
			if (p == DCP_GENEVE_PORT)
				return collect_usage_error(
					"--port %s: that is Geneve's port; "
					"give another port for VxLAN",
					val);
			if (c->dopts.n_vxlan_ports > COLLECT_MAX_PORTS)
				return collect_usage_error(
					"--port %s: too many; at most 7 "
					"--port options",
					val);
			c->dopts.vxlan_ports[c->dopts.n_vxlan_ports++] =
				(uint16_t)p;
		} else if (cli_parse_seconds(strncmp(a, "--stats", 7) == 0
						     ? "collect: --stats"
						     : "collect: --duration",
					     val, COLLECT_MAX_SEC,
					     strncmp(a, "--stats", 7) == 0
						     ? &c->stats_every
						     : &c->duration) != 0) {
			collect_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if ((c->iface == NULL) == (c->rfile == NULL))
		return collect_usage_error(
			"%s", c->iface == NULL
				      ? "no input; give -i IFACE or -r FILE"
				      : "-i and -r exclude each other; give "
					"one input");
	if (c->wpath == NULL)
		return collect_usage_error(
			"%s", "no output; give -w FILE, -w - (stdout) or "
			      "-w DIR --split");
	return 0;
}

static void
collect_free(struct collect *c)
{
	unsigned int i;

	for (i = 0; i < c->n_files; i++) {
		pcap_dump_close(c->files[i].d);
		free(c->files[i].path);
	}
	free(c->files);
	free(c->tunnels);
	free(c->index);
	if (c->dead != NULL)
		pcap_close(c->dead);
	if (c->in != NULL)
		pcap_close(c->in);
}

int
cli_collect(int argc, char **argv)
{
	struct sigaction sa, old_int, old_term, old_pipe;
	struct collect c;
	const char *why;
	unsigned int i;
	int rc, status = CLI_EXIT_OK;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < (unsigned int)argc; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			collect_usage(stdout);
			return CLI_EXIT_OK;
		}
	rc = parse_args(&c, argc, argv);
	if (rc != 0)
		return rc;

	if ((c.iface != NULL ? open_live(&c) : open_file(&c)) != 0 ||
	    open_output(&c) != 0) {
		collect_free(&c);
		return CLI_EXIT_FAIL;
	}

	/* No SA_RESTART: poll() returns at once on a signal. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = collect_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	/* A reader that goes away (tcpdump -c) is a write error, not a
	 * death without a report. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);

	if (!c.quiet) {
		if (c.live)
			fprintf(stderr,
				"collect: listening on %s, writing %s%s\n",
				c.iface,
				strcmp(c.wpath, "-") == 0 ? "stdout" : c.wpath,
				c.split ? " (one file per tunnel)" : "");
		else
			fprintf(stderr, "collect: reading %s, writing %s%s\n",
				c.rfile,
				strcmp(c.wpath, "-") == 0 ? "stdout" : c.wpath,
				c.split ? " (one file per tunnel)" : "");
	}
	c.t0 = now_s();
	if (run(&c, &why) != 0)
		status = CLI_EXIT_FAIL;
	flush_files(&c);
	for (i = 0; i < c.n_tunnels; i++)
		dcp_seq_finish(&c.tunnels[i].seq);

	if (c.write_errno == EPIPE && !c.split) {
		/* The reader took what it wanted and left. */
		why = "the reader closed the output";
	} else if (c.write_errno != 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog,
			c.write_path != NULL ? c.write_path : c.wpath,
			strerror(c.write_errno));
		status = CLI_EXIT_FAIL;
	}
	if (!c.quiet) {
		struct pcap_stat ps;

		report(&c, "");
		/* Frames the kernel could not hand over are a loss of this
		 * end, not of the path: said apart. */
		if (c.live && pcap_stats(c.in, &ps) == 0)
			fprintf(stderr,
				"collect: capture: received %u dropped %u "
				"(buffer full) dropped by the interface %u\n",
				ps.ps_recv, ps.ps_drop, ps.ps_ifdrop);
		fprintf(stderr,
			"collect: done (%s) after %.1f s: %" PRIu64
			" frames read, %" PRIu64 " written (%" PRIu64
			" bytes) from %u tunnel%s\n",
			why, now_s() - c.t0, c.seen, c.written, c.written_bytes,
			c.n_tunnels, c.n_tunnels == 1 ? "" : "s");
	}
	collect_free(&c);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return status;
}
