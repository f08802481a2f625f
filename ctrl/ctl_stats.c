/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_stats.h"

void
ctl_snapshot_begin(struct ctl_snapshot *s, const struct cfg *cfg, double t)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->t = t;
	s->n_ports = cfg->n_ports;
	s->n_sessions = cfg->n_sessions;
	for (i = 0; i < cfg->n_ports; i++)
		s->port_name[i] = cfg->ports[i].name;
	for (i = 0; i < cfg->n_sessions; i++)
		s->session_name[i] = cfg->sessions[i].name;
}

void
ctl_snapshot_add(struct ctl_snapshot *s, const struct dp_stats *st,
		 unsigned int lcore)
{
	unsigned int i, r;

	/* Outcomes first, inputs after an acquire fence (see dp_stats.h):
	 * a snapshot never shows more forwarded than received, nor more
	 * mirrored and dropped than matched. */
	for (i = 0; i < s->n_ports; i++) {
		const struct dp_port_counters *c = &st->port[i];
		struct ctl_port_totals *t = &s->port[i];

		t->fwd_packets += dp_ctr_read(&c->fwd_packets);
		t->fwd_bytes += dp_ctr_read(&c->fwd_bytes);
		t->fwd_dropped += dp_ctr_read(&c->fwd_dropped);
		t->mirror_packets += dp_ctr_read(&c->mirror_packets);
		t->mirror_bytes += dp_ctr_read(&c->mirror_bytes);
		t->mirror_dropped += dp_ctr_read(&c->mirror_dropped);
		t->tap_consumed += dp_ctr_read(&c->tap_consumed);
		t->rx_invalid += dp_ctr_read(&c->rx_invalid);
		t->own_copies += dp_ctr_read(&c->own_copies);
		t->tx_packets = t->fwd_packets + t->mirror_packets;
		t->tx_bytes = t->fwd_bytes + t->mirror_bytes;
	}
	for (i = 0; i < s->n_sessions; i++) {
		const struct dp_session_counters *c = &st->sess[i];
		struct dp_session_counters *t = &s->sess[i];

		t->mirrored += dp_ctr_read(&c->mirrored);
		t->mirrored_bytes += dp_ctr_read(&c->mirrored_bytes);
		for (r = 0; r < DP_DROP_MAX; r++)
			t->dropped[r] += dp_ctr_read(&c->dropped[r]);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (i = 0; i < s->n_ports; i++) {
		s->port[i].rx_packets += dp_ctr_read(&st->port[i].rx_packets);
		s->port[i].rx_bytes += dp_ctr_read(&st->port[i].rx_bytes);
	}
	for (i = 0; i < s->n_sessions; i++)
		s->sess[i].matched += dp_ctr_read(&st->sess[i].matched);
	if (s->n_workers < CTL_MAX_WORKERS) {
		struct dp_worker_counters *w = &s->worker[s->n_workers];

		s->lcore[s->n_workers] = lcore;
		w->packets = dp_ctr_read(&st->w.packets);
		w->busy_cycles = dp_ctr_read(&st->w.busy_cycles);
		w->loops = dp_ctr_read(&st->w.loops);
		s->n_workers++;
	}
}

void
ctl_snapshot_device(struct ctl_snapshot *s, unsigned int port, uint64_t missed,
		    uint64_t errors, uint64_t oerrors)
{
	s->port[port].rx_missed = missed;
	s->port[port].rx_errors = errors;
	s->port[port].tx_errors = oerrors;
}

static uint64_t
rate(uint64_t now, uint64_t before, double dt)
{
	if (dt <= 0 || now < before)
		return 0;
	return (uint64_t)((double)(now - before) / dt);
}

void
ctl_stats_print(FILE *f, const struct ctl_snapshot *cur,
		const struct ctl_snapshot *prev)
{
	double dt = cur->t - (prev != NULL ? prev->t : 0);
	unsigned int i, r;

	for (i = 0; i < cur->n_ports; i++) {
		const struct ctl_port_totals *c = &cur->port[i];
		const struct ctl_port_totals *p =
			prev != NULL ? &prev->port[i] : NULL;

		fprintf(f,
			"\n  ######################## NIC statistics for "
			"port %-8s ########################\n",
			cur->port_name[i]);
		fprintf(f,
			"  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64
			" RX-bytes:  %" PRIu64 "\n",
			c->rx_packets, c->rx_missed, c->rx_bytes);
		fprintf(f,
			"  RX-errors: %-10" PRIu64 " RX-invalid: %-9" PRIu64
			" RX-tap-freed: %" PRIu64 "\n",
			c->rx_errors, c->rx_invalid, c->tap_consumed);
		fprintf(f,
			"  TX-packets: %-10" PRIu64 " TX-dropped: %-9" PRIu64
			" TX-bytes:  %" PRIu64 "\n",
			c->tx_packets, c->fwd_dropped + c->mirror_dropped,
			c->tx_bytes);
		fprintf(f,
			"  TX-forwarded: %-8" PRIu64 " TX-mirrored: %-8" PRIu64
			" TX-errors: %" PRIu64 "\n",
			c->fwd_packets, c->mirror_packets, c->tx_errors);
		fprintf(f, "\n  Throughput (since last show)\n");
		fprintf(f,
			"  Rx-pps: %12" PRIu64 "          Rx-bps: %12" PRIu64
			"\n",
			rate(c->rx_packets, p ? p->rx_packets : 0, dt),
			8 * rate(c->rx_bytes, p ? p->rx_bytes : 0, dt));
		fprintf(f,
			"  Tx-pps: %12" PRIu64 "          Tx-bps: %12" PRIu64
			"\n",
			rate(c->tx_packets, p ? p->tx_packets : 0, dt),
			8 * rate(c->tx_bytes, p ? p->tx_bytes : 0, dt));
		fprintf(f, "  ##########################################"
			   "##################################\n");
	}
	for (i = 0; i < cur->n_sessions; i++) {
		const struct dp_session_counters *c = &cur->sess[i];

		fprintf(f,
			"\n  ---------------------- Mirror session %-8s "
			"----------------------\n",
			cur->session_name[i]);
		fprintf(f,
			"  Matched: %-12" PRIu64 " Mirrored: %-12" PRIu64
			" Mirrored-bytes: %" PRIu64 "\n",
			c->matched, c->mirrored, c->mirrored_bytes);
		fprintf(f, "  Mirrored-pps: %-7" PRIu64 " Dropped:",
			rate(c->mirrored, prev ? prev->sess[i].mirrored : 0,
			     dt));
		for (r = 0; r < DP_DROP_MAX; r++)
			fprintf(f, " %s=%" PRIu64, dp_drop_names[r],
				c->dropped[r]);
		fprintf(f, "\n");
	}
	fflush(f);
}

void
ctl_stats_json(FILE *f, const struct ctl_snapshot *s)
{
	unsigned int i, r;

	fprintf(f, "{ \"duration_s\": %.3f,\n  \"ports\": {", s->t);
	for (i = 0; i < s->n_ports; i++) {
		const struct ctl_port_totals *c = &s->port[i];

		fprintf(f,
			"%s\n    \"%s\": { \"rx_packets\": %" PRIu64
			", \"rx_bytes\": %" PRIu64 ", \"tx_packets\": %" PRIu64
			", \"tx_bytes\": %" PRIu64 ", \"rx_missed\": %" PRIu64
			", \"rx_errors\": %" PRIu64 ", \"tx_dropped\": %" PRIu64
			", \"tx_errors\": %" PRIu64
			", \"fwd_packets\": %" PRIu64
			", \"fwd_dropped\": %" PRIu64
			", \"mirror_packets\": %" PRIu64
			", \"mirror_dropped\": %" PRIu64
			", \"tap_consumed\": %" PRIu64
			", \"rx_invalid\": %" PRIu64
			", \"own_copies\": %" PRIu64 " }",
			i ? "," : "", s->port_name[i], c->rx_packets,
			c->rx_bytes, c->tx_packets, c->tx_bytes, c->rx_missed,
			c->rx_errors, c->fwd_dropped + c->mirror_dropped,
			c->tx_errors, c->fwd_packets, c->fwd_dropped,
			c->mirror_packets, c->mirror_dropped, c->tap_consumed,
			c->rx_invalid, c->own_copies);
	}
	fprintf(f, " },\n  \"sessions\": {");
	for (i = 0; i < s->n_sessions; i++) {
		const struct dp_session_counters *c = &s->sess[i];

		fprintf(f,
			"%s\n    \"%s\": { \"matched\": %" PRIu64
			", \"mirrored\": %" PRIu64
			", \"mirrored_bytes\": %" PRIu64 ", \"dropped\": {",
			i ? "," : "", s->session_name[i], c->matched,
			c->mirrored, c->mirrored_bytes);
		for (r = 0; r < DP_DROP_MAX; r++)
			fprintf(f, "%s \"%s\": %" PRIu64, r ? "," : "",
				dp_drop_names[r], c->dropped[r]);
		fprintf(f, " } }");
	}
	fprintf(f, " },\n  \"workers\": [");
	for (i = 0; i < s->n_workers; i++)
		fprintf(f,
			"%s { \"lcore\": %u, \"packets\": %" PRIu64
			", \"busy_cycles\": %" PRIu64 " }",
			i ? "," : "", s->lcore[i], s->worker[i].packets,
			s->worker[i].busy_cycles);
	fprintf(f, " ] }\n");
}

int
ctl_stats_json_file(const char *path, const struct ctl_snapshot *s)
{
	char tmp[PATH_MAX];
	struct stat st;
	FILE *f;
	int fd, rc = 0;

	/* What rename would replace must be a regular file (or nothing): a
	 * symbolic link planted at PATH is refused, not replaced. */
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return -ELOOP;
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		if (!S_ISREG(st.st_mode))
			return -EINVAL;
	} else if (errno != ENOENT) {
		return -errno;
	}
	/* The temporary file: beside PATH (rename stays in one file
	 * system), under an unpredictable name, created exclusively
	 * (mkstemp: O_CREAT | O_EXCL), so nothing planted there is followed
	 * or overwritten. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) != 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		return rc;
	}
	ctl_stats_json(f, s);
	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		rc = errno != 0 ? -errno : -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}
