/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_STATS_H
#define DPMIRROR_CTL_STATS_H

/*
 * Statistics of the dpmirror process (DESIGN section 5, a contract): the
 * testpmd-style text block and the --stats-json object.  Control thread
 * only.
 *
 * The control thread sums the workers' raw counters (dp_stats.h) and the
 * devices' into a snapshot.  What is published comes from the snapshot in
 * one step per object: ctl_stats_port(), ctl_stats_session(),
 * ctl_stats_collector() and ctl_stats_worker() fill a struct of final
 * values (derived counters such
 * as tx_packets and tx_dropped are computed there and nowhere else), and
 * the schema below says what each value is called, in which order it is
 * published and where the text block shows it.  The text, the JSON and
 * anything else that publishes the statistics (ctl_stats_emit_*) are
 * generated from the schema, so they cannot disagree.  Rates are computed
 * from the difference between two snapshots.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cfg.h"
#include "dp_stats.h"

#define CTL_MAX_WORKERS	   DP_MAX_WORKERS
#define CTL_MAX_COLLECTORS DP_MAX_COLLECTORS
/* "02:00:00:00:01:03" and its NUL (RTE_ETHER_ADDR_FMT_SIZE). */
#define CTL_MAC_STR_LEN 18
/* "erspan2 -> fd00:1::3", "none vlan 42 -> port out" (ctl_stats_coll_desc). */
#define CTL_COLL_DESC_LEN 96

struct dp_seq;

/*
 * The schema: the published counters of each object, in the order of the
 * JSON object (a contract: a name never changes; new counters go at the
 * end of their list).
 *
 * X(name, value, text label, text width, text slot).  VALUE is how the
 * counter is computed from the snapshot: a port's from T (its struct
 * ctl_port_totals), a session's from C (its struct dp_session_counters), a
 * worker's from W (its struct dp_worker_counters) and LCORE.  This is the
 * one place where a derived counter is defined.  The text block shows
 * the counter in a grid of rows of three cells ("  " cell " " cell " "
 * cell); slot = row * 3 + column, -1 for a counter the text does not show.
 * A cell is the label followed by the value, left-aligned in WIDTH
 * characters (0: as long as it is).
 */
#define CTL_PORT_STATS(X)                                                      \
	X(rx_packets, t->rx_packets, "RX-packets: ", 10, 0)                    \
	X(rx_bytes, t->rx_bytes, "RX-bytes:  ", 0, 2)                          \
	X(tx_packets, t->fwd_packets + t->mirror_packets, "TX-packets: ", 10,  \
	  6)                                                                   \
	X(tx_bytes, t->fwd_bytes + t->mirror_bytes, "TX-bytes:  ", 0, 8)       \
	X(rx_missed, t->rx_missed, "RX-missed: ", 10, 1)                       \
	X(rx_errors, t->rx_errors, "RX-errors: ", 10, 3)                       \
	X(tx_dropped, t->fwd_dropped + t->mirror_dropped, "TX-dropped: ", 9,   \
	  7)                                                                   \
	X(tx_errors, t->tx_errors, "TX-errors: ", 0, 11)                       \
	X(fwd_packets, t->fwd_packets, "TX-forwarded: ", 8, 9)                 \
	X(fwd_dropped, t->fwd_dropped, NULL, 0, -1)                            \
	X(mirror_packets, t->mirror_packets, "TX-mirrored: ", 8, 10)           \
	X(mirror_dropped, t->mirror_dropped, NULL, 0, -1)                      \
	X(tap_consumed, t->tap_consumed, "RX-tap-freed: ", 0, 5)               \
	X(rx_invalid, t->rx_invalid, "RX-invalid: ", 9, 4)                     \
	X(own_copies, t->own_copies, NULL, 0, -1)

/* Then, per session, the object "dropped": one counter per drop reason
 * (DP_DROP_REASONS, from C->dropped[]), shown by the text as
 * " name=value" after "Dropped:". */
#define CTL_SESSION_STATS(X)                                                   \
	X(matched, c->matched, "Matched: ", 12, 0)                             \
	X(mirrored, c->mirrored, "Mirrored: ", 12, 1)                          \
	X(mirrored_bytes, c->mirrored_bytes, "Mirrored-bytes: ", 0, 2)

/* Per collector (DESIGN section 5, extensions), from C (its struct
 * ctl_coll_totals).  next_seq, the sequence number the next copy takes, is
 * published only for a collector whose copies carry one (gre with seq =
 * yes, erspan2, erspan3; ctl_stats_coll_has_seq); then come the strings
 * "mac" and "neighbor".  The text block shows one line per collector
 * (ctl_stats_text_collector), the cells in slot order. */
#define CTL_COLLECTOR_STATS(X)                                                 \
	X(packets, c->packets, "TX-packets: ", 0, 0)                           \
	X(bytes, c->bytes, "TX-bytes: ", 0, 1)                                 \
	X(next_seq, c->next_seq, "Next-seq: ", 0, 2)

/* Not in the text block. */
#define CTL_WORKER_STATS(X)                                                    \
	X(lcore, lcore, NULL, 0, -1)                                           \
	X(packets, w->packets, NULL, 0, -1)                                    \
	X(busy_cycles, w->busy_cycles, NULL, 0, -1)

/* The "config" object (DESIGN section 5, extensions): from G, the
 * snapshot's struct ctl_config_counters.  Not in the text block. */
#define CTL_CONFIG_STATS(X)                                                    \
	X(generation, g->generation, NULL, 0, -1)                              \
	X(reloads_ok, g->reloads_ok, NULL, 0, -1)                              \
	X(reloads_failed, g->reloads_failed, NULL, 0, -1)

#define CTL_STATS_FIELD(name, value, label, width, slot) uint64_t name;

/* The final values of one object, as published. */
struct ctl_port_stats {
	CTL_PORT_STATS(CTL_STATS_FIELD)
};

struct ctl_session_stats {
	CTL_SESSION_STATS(CTL_STATS_FIELD)
	uint64_t dropped[DP_DROP_MAX];
};

/* next_seq is meaningful only with HAS_SEQ.  MAC is the next hop's
 * ("" for encap = none, whose copies keep the original's addresses);
 * NEIGHBOR is "static", "resolved", "pending" or "failed". */
struct ctl_collector_stats {
	CTL_COLLECTOR_STATS(CTL_STATS_FIELD)
	bool has_seq;
	char mac[CTL_MAC_STR_LEN];
	const char *neighbor;
};

struct ctl_worker_stats {
	CTL_WORKER_STATS(CTL_STATS_FIELD)
};

struct ctl_config_stats {
	CTL_CONFIG_STATS(CTL_STATS_FIELD)
};

/* One published counter: the schema as a table, for code that walks it. */
struct ctl_stats_field {
	const char *name;  /* JSON key, telemetry key */
	size_t off;	   /* of its uint64_t in the struct of final values */
	const char *label; /* in the text block, NULL: not shown there */
	int width;	   /* of the value in the text cell, 0: as long */
	int slot;	   /* text cell (row * 3 + column), -1: none */
};

extern const struct ctl_stats_field ctl_port_fields[];
extern const unsigned int ctl_port_n_fields;
extern const struct ctl_stats_field ctl_session_fields[];
extern const unsigned int ctl_session_n_fields;
extern const struct ctl_stats_field ctl_collector_fields[];
extern const unsigned int ctl_collector_n_fields;
extern const struct ctl_stats_field ctl_worker_fields[];
extern const unsigned int ctl_worker_n_fields;
extern const struct ctl_stats_field ctl_config_fields[];
extern const unsigned int ctl_config_n_fields;

/* The value of field F in the struct of final values OBJ. */
static inline uint64_t
ctl_stats_value(const void *obj, const struct ctl_stats_field *f)
{
	return *(const uint64_t *)((const char *)obj + f->off);
}

/* A port's counters summed over the workers, and the device's. */
struct ctl_port_totals {
	DP_PORT_COUNTERS(DP_CTR_FIELD)
	uint64_t rx_missed, rx_errors, tx_errors; /* from the device */
};

/* The configuration's own counters (ctl_reload.h), as a snapshot holds
 * them: generation 1 is the configuration started with. */
struct ctl_config_counters {
	uint64_t generation;
	uint64_t reloads_ok;
	uint64_t reloads_failed;
};

/* A collector's counters summed over the workers, and its sequence
 * number (read from the workers' shared state). */
struct ctl_coll_totals {
	DP_COLLECTOR_COUNTERS(DP_CTR_FIELD)
	uint64_t next_seq;
};

/* What a snapshot says of a collector besides its counters. */
struct ctl_coll_info {
	const char *name;
	char desc[CTL_COLL_DESC_LEN]; /* ctl_stats_coll_desc */
	/* Its counters are the workers' st->coll[slot] and its sequence
	 * number dp_shared.seq[slot] (ctl_snapshot_begin: slot i;
	 * ctl_snapshot_coll_slots sets others). */
	unsigned int slot;
	bool has_seq;
	bool no_next_hop; /* encap = none: its copies keep their MACs */
	char mac[CTL_MAC_STR_LEN];
	const char *neighbor;
};

struct ctl_snapshot {
	double t; /* seconds since the workers started */
	unsigned int n_ports, n_sessions, n_collectors, n_workers;
	const char *port_name[DP_MAX_PORTS];
	const char *session_name[DP_MAX_SESSIONS];
	/* Session i's counters are the workers' st->sess[session_slot[i]]
	 * (ctl_snapshot_begin: slot i; ctl_snapshot_slots sets others). */
	unsigned int session_slot[DP_MAX_SESSIONS];
	struct ctl_config_counters config;
	struct ctl_port_totals port[DP_MAX_PORTS];
	struct dp_session_counters sess[DP_MAX_SESSIONS];
	struct ctl_coll_info coll_info[CTL_MAX_COLLECTORS];
	struct ctl_coll_totals coll[CTL_MAX_COLLECTORS];
	unsigned int lcore[CTL_MAX_WORKERS];
	struct dp_worker_counters worker[CTL_MAX_WORKERS];
};

/*
 * Add one worker's counters (ST, running on LCORE) into S.  Call
 * ctl_snapshot_begin first and ctl_snapshot_device per port after.
 * ctl_snapshot_begin takes each collector's description, whether it has
 * sequence numbers, and its MAC and neighbour state as the configuration
 * gives them (remote_mac: "static" with that MAC; remote_mac = auto:
 * "pending" with none); ctl_snapshot_neigh sets what was resolved.
 */
void ctl_snapshot_begin(struct ctl_snapshot *s, const struct cfg *cfg,
			double t);
void ctl_snapshot_add(struct ctl_snapshot *s, const struct dp_stats *st,
		      unsigned int lcore);
/* After ctl_snapshot_begin, before ctl_snapshot_add: session i of the
 * configuration is in slot SLOT[i] (each < DP_MAX_SESSIONS). */
void ctl_snapshot_slots(struct ctl_snapshot *s, const int *slot);
/* Likewise for collectors: collector i in slot CSLOT[i] (each <
 * DP_MAX_COLL_SLOTS). */
void ctl_snapshot_coll_slots(struct ctl_snapshot *s, const int *cslot);
/* The next sequence number of every collector that has them, from SEQ
 * (dp_shared.seq, DP_MAX_COLL_SLOTS entries), read atomically. */
void ctl_snapshot_seq(struct ctl_snapshot *s, const struct dp_seq *seq);
/* Collector I's next-hop MAC (6 bytes; NULL: none) and neighbour STATE.
 * A collector with encap = none has no next hop: left as it is. */
void ctl_snapshot_neigh(struct ctl_snapshot *s, unsigned int i,
			const uint8_t *mac, const char *state);
void ctl_snapshot_device(struct ctl_snapshot *s, unsigned int port,
			 uint64_t missed, uint64_t errors, uint64_t oerrors);

/* The final values of port, session or worker I of S (I < s->n_...). */
void ctl_stats_port(const struct ctl_snapshot *s, unsigned int i,
		    struct ctl_port_stats *out);
void ctl_stats_session(const struct ctl_snapshot *s, unsigned int i,
		       struct ctl_session_stats *out);
void ctl_stats_collector(const struct ctl_snapshot *s, unsigned int i,
			 struct ctl_collector_stats *out);
void ctl_stats_worker(const struct ctl_snapshot *s, unsigned int i,
		      struct ctl_worker_stats *out);
void ctl_stats_config(const struct ctl_snapshot *s,
		      struct ctl_config_stats *out);

/* Whether collector CC's copies carry a GRE sequence number: gre with
 * seq = yes, erspan2, erspan3 (as dp_encap_has_seq says of its template). */
bool ctl_stats_coll_has_seq(const struct cfg_collector *cc);

/*
 * The text block's words for a collector, into BUF: "ENCAP -> REMOTE_IP",
 * for encap = none "none -> port PORT" or, with a tag, "none vlan VLAN ->
 * port PORT".  dpmirror takes them from its configuration, dpmirrorctl
 * from /dpmirror/collectors,NAME.
 */
void ctl_stats_coll_desc(char *buf, size_t len, const char *encap,
			 const char *remote_ip, const char *port,
			 unsigned int vlan);

/*
 * A generic emitter: what publishes the statistics in some format gives
 * these callbacks, and ctl_stats_emit_* walk an object's final values in
 * schema order.  open/close bracket a nested object (a session's
 * "dropped"); str is a string value (a collector's "mac" and
 * "neighbor"); CTX is passed through.
 */
struct ctl_stats_sink {
	void (*u64)(void *ctx, const char *name, uint64_t value);
	void (*str)(void *ctx, const char *name, const char *value);
	void (*open)(void *ctx, const char *name);
	void (*close)(void *ctx);
};

void ctl_stats_emit_port(const struct ctl_port_stats *ps,
			 const struct ctl_stats_sink *sink, void *ctx);
void ctl_stats_emit_session(const struct ctl_session_stats *ss,
			    const struct ctl_stats_sink *sink, void *ctx);
void ctl_stats_emit_collector(const struct ctl_collector_stats *cs,
			      const struct ctl_stats_sink *sink, void *ctx);
void ctl_stats_emit_worker(const struct ctl_worker_stats *ws,
			   const struct ctl_stats_sink *sink, void *ctx);
void ctl_stats_emit_config(const struct ctl_config_stats *cs,
			   const struct ctl_stats_sink *sink, void *ctx);

/*
 * The text block's layout, one for dpmirror's output and dpmirrorctl
 * stats: GET reads a counter of an object (false: the object lacks it,
 * shown "-"); PREV NULL means rates from zero.  ctl_stats_text_session
 * ends after "Dropped:"; the caller writes the drops and the newline.
 */
typedef bool (*ctl_stats_getter)(const void *obj,
				 const struct ctl_stats_field *f, uint64_t *v);
void ctl_stats_text_cells(FILE *f, const void *obj,
			  const struct ctl_stats_field *fields, unsigned int n,
			  ctl_stats_getter get);
void ctl_stats_text_port(FILE *f, const char *name, const char *period,
			 double dt, const void *cur, const void *prev,
			 ctl_stats_getter get);
void ctl_stats_text_session(FILE *f, const char *name, double dt,
			    const void *cur, const void *prev,
			    ctl_stats_getter get);
/* One line: "  Collector NAME (DESC): TX-packets: N  TX-bytes: N" and
 * "  Next-seq: N" where GET gives it, then "  Next-hop: MAC STATE" for a
 * NEIGHBOR other than "static" (DESC, MAC, NEIGHBOR may be NULL). */
void ctl_stats_text_collector(FILE *f, const char *name, const char *desc,
			      const void *cur, ctl_stats_getter get,
			      const char *mac, const char *neighbor);

/* The testpmd-style block for CUR, rates since PREV (NULL: since start). */
void ctl_stats_print(FILE *f, const struct ctl_snapshot *cur,
		     const struct ctl_snapshot *prev);

/* The JSON object of DESIGN section 5. */
void ctl_stats_json(FILE *f, const struct ctl_snapshot *s);

/*
 * Write the JSON to PATH atomically: into a new file of mode 0644 with an
 * unpredictable name beside PATH (mkstemp), then renamed over PATH.  0 or
 * -errno: -ELOOP when PATH is a symbolic link, -EISDIR a directory,
 * -EINVAL another file that is not a regular file (each left as it is).
 */
int ctl_stats_json_file(const char *path, const struct ctl_snapshot *s);

/* Per second from two readings DT seconds apart; 0 when DT is not positive
 * or the counter went back (a removed and re-added object). */
uint64_t ctl_stats_rate(uint64_t now, uint64_t before, double dt);

#endif /* DPMIRROR_CTL_STATS_H */
