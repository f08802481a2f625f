/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the configuration loader on arbitrary text: each
 * input is loaded with cfg_load_buffer() (the validator dpmirror and
 * dpmirrorctl share) from a heap copy of exactly its size, so ASan sees
 * any read past it.  Whatever the text, the loader must either return a
 * configuration that keeps the promises of cfg.h (every index in range,
 * every value within its documented bounds, a filter either rules or one
 * expression libpcap compiles) or refuse it with messages
 * that are non-empty and hold no raw control byte; and loading the same
 * text again must give the same verdict and the same messages.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_log.h>

#include "cfg.h"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* rte_cfgfile logs every line it cannot parse: quiet, so that the run
 * spends its time in the loader. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rte_log_set_global_level(RTE_LOG_EMERG);
	return 0;
}

/* A NUL-terminated name of at most LEN - 1 bytes that cfg accepts. */
static void
check_name(const char *s, size_t len)
{
	CHECK(memchr(s, '\0', len) != NULL);
	CHECK(cfg_valid_name(s));
}

static void
check_addr(const struct cfg_addr *a)
{
	CHECK(a->family == 4 || a->family == 6);
}

static void
check_rule(const struct cfg_rule *r)
{
	CHECK(r->action == CFG_ACCEPT || r->action == CFG_REJECT);
	CHECK(r->proto >= -1 && r->proto <= 255);
	CHECK(r->vlan >= -1 && r->vlan <= 4095);
	CHECK(r->family == 0 || r->family == 4 || r->family == 6);
	if (r->has_src) {
		CHECK(r->src.family == r->family);
		CHECK(r->src_len <= (r->family == 4 ? 32 : 128));
	}
	if (r->has_dst) {
		CHECK(r->dst.family == r->family);
		CHECK(r->dst_len <= (r->family == 4 ? 32 : 128));
	}
	if (r->has_sport)
		CHECK(r->sport_lo <= r->sport_hi);
	if (r->has_dport)
		CHECK(r->dport_lo <= r->dport_hi);
}

/* An accepted expression compiles, as the dataplane will compile it. */
static void
check_expression(const char *expr)
{
	struct bpf_program prog;
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);

	CHECK(p != NULL);
	CHECK(pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0);
	CHECK(prog.bf_len >= 1);
	pcap_freecode(&prog);
	pcap_close(p);
}

static void
check_cfg(const struct cfg *c)
{
	unsigned int i, k;

	CHECK(c->mode == CFG_MODE_INLINE || c->mode == CFG_MODE_TAP);
	CHECK(c->burst >= 1 && c->burst <= CFG_MAX_BURST);
	CHECK(c->mirror_pool >= 1024 && c->mirror_pool <= 1048576);
	CHECK(c->copy_max <= 2048);
	CHECK(c->n_ports >= 1 && c->n_ports <= CFG_MAX_PORTS);
	CHECK(c->n_sessions >= 1 && c->n_sessions <= CFG_MAX_SESSIONS);
	CHECK(c->n_collectors >= 1 && c->n_collectors <= CFG_MAX_COLLECTORS);
	CHECK(c->n_filters <= CFG_MAX_FILTERS);
	CHECK(c->n_kernels <= CFG_MAX_KERNELS);
	for (i = 0; i < c->n_ports; i++) {
		const struct cfg_port *p = &c->ports[i];

		check_name(p->name, sizeof(p->name));
		CHECK(memchr(p->device, '\0', sizeof(p->device)) != NULL);
		CHECK(p->device[0] != '\0');
		CHECK(p->peer >= -1 && p->peer < (int)c->n_ports);
		CHECK(p->peer != (int)i);
		if (c->mode == CFG_MODE_TAP)
			CHECK(p->peer == -1);
		CHECK(p->rx_queues >= 1 && p->rx_queues <= CFG_MAX_RX_QUEUES);
		for (k = 0; k < i; k++)
			CHECK(strcmp(p->name, c->ports[k].name) != 0);
	}
	for (i = 0; i < c->n_collectors; i++) {
		const struct cfg_collector *co = &c->collectors[i];

		check_name(co->name, sizeof(co->name));
		CHECK(co->port >= 0 && co->port < (int)c->n_ports);
		CHECK(cfg_encap_name(co->encap) != NULL);
		CHECK(co->vlan <= 4094);
		CHECK(co->session_id <= 1023);
		if (co->encap == CFG_ENCAP_NONE) {
			/* The frame as it is: no address, no next hop, and
			 * a port no worker receives on. */
			CHECK(co->remote_ip.family == 0 &&
			      co->local_ip.family == 0);
			CHECK(!co->remote_mac_auto);
			CHECK(c->ports[co->port].peer == -1);
			continue;
		}
		CHECK(co->vlan == 0);
		check_addr(&co->remote_ip);
		check_addr(&co->local_ip);
		CHECK(co->remote_ip.family == co->local_ip.family);
		CHECK(co->vni <= 0xffffff);
		CHECK(co->ttl >= 1);
		CHECK(co->dscp <= 63);
		if (co->encap == CFG_ENCAP_GENEVE ||
		    co->encap == CFG_ENCAP_VXLAN)
			CHECK(co->dst_port >= 1);
		if (co->encap != CFG_ENCAP_GRE)
			CHECK(!co->key_set && !co->seq);
	}
	for (i = 0; i < c->n_filters; i++) {
		const struct cfg_filter *f = &c->filters[i];

		check_name(f->name, sizeof(f->name));
		CHECK(f->dflt == CFG_ACCEPT || f->dflt == CFG_REJECT);
		CHECK(f->n_rules == 0 || f->rules != NULL);
		if (f->expression != NULL) {
			/* One expression, alone: no rules, no default, and
			 * text libpcap compiles. */
			CHECK(f->n_rules == 0 && f->rules == NULL);
			CHECK(f->dflt == CFG_REJECT);
			CHECK(f->expression[0] != '\0');
			CHECK(strlen(f->expression) < 256);
			check_expression(f->expression);
		}
		for (k = 0; k < f->n_rules; k++) {
			check_rule(&f->rules[k]);
			if (k > 0) /* tried by ascending number, each once */
				CHECK(f->rules[k - 1].number <
				      f->rules[k].number);
		}
	}
	for (i = 0; i < c->n_sessions; i++) {
		const struct cfg_session *s = &c->sessions[i];

		check_name(s->name, sizeof(s->name));
		CHECK(s->n_sources >= 1 && s->n_sources <= CFG_MAX_SOURCES);
		for (k = 0; k < s->n_sources; k++) {
			const struct cfg_source *src = &s->sources[k];

			CHECK(src->port >= 0 && src->port < (int)c->n_ports);
			CHECK(src->dir != 0 &&
			      (src->dir & ~(CFG_DIR_RX | CFG_DIR_TX)) == 0);
			if (c->mode == CFG_MODE_TAP)
				CHECK(src->dir == CFG_DIR_RX);
		}
		CHECK(s->n_collectors >= 1 &&
		      s->n_collectors <= CFG_MAX_SESSION_COLLECTORS);
		for (k = 0; k < s->n_collectors; k++)
			CHECK(s->collectors[k] >= 0 &&
			      s->collectors[k] < (int)c->n_collectors);
		CHECK(s->filter >= -1 && s->filter < (int)c->n_filters);
		CHECK(s->snaplen == 0 || s->snaplen >= 14);
		CHECK(s->sample >= 1);
	}
	for (i = 0; i < c->n_kernels; i++) {
		const struct cfg_kernel *kn = &c->kernels[i];

		check_name(kn->name, sizeof(kn->name));
		CHECK(memchr(kn->dev, '\0', sizeof(kn->dev)) != NULL);
		CHECK(kn->dev[0] != '\0');
		CHECK(kn->dir >= CFG_KDIR_INGRESS && kn->dir <= CFG_KDIR_BOTH);
		check_addr(&kn->remote);
		CHECK(kn->local.family == 0 ||
		      kn->local.family == kn->remote.family);
		CHECK(kn->vni <= 0xffffff);
		if (kn->has_match)
			check_rule(&kn->match);
	}
}

/* The messages of a refused text: non-empty, terminated, control bytes
 * escaped. */
static void
check_errors(const struct cfg_errors *e)
{
	unsigned int i;
	const unsigned char *p;

	CHECK(e->n > 0);
	for (i = 0; i < e->n && i < CFG_ERR_MAX; i++) {
		CHECK(memchr(e->msg[i], '\0', CFG_ERR_LEN) != NULL);
		CHECK(e->msg[i][0] != '\0');
		for (p = (const unsigned char *)e->msg[i]; *p != '\0'; p++)
			CHECK(*p >= 0x20 && *p != 0x7f);
	}
}

static struct cfg_errors errs1, errs2;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg *c1, *c2;
	char *text;

	if (size > CFG_FILE_MAX)
		return -1;
	text = malloc(size != 0 ? size : 1);
	CHECK(text != NULL);
	memcpy(text, data, size);

	memset(&errs1, 0xa5, sizeof(errs1));
	c1 = cfg_load_buffer("fuzz.ini", text, size, &errs1);
	if (c1 != NULL) {
		CHECK(errs1.n == 0);
		check_cfg(c1);
	} else {
		check_errors(&errs1);
	}

	/* The same text again: the same verdict, the same messages. */
	memset(&errs2, 0x5a, sizeof(errs2));
	c2 = cfg_load_buffer("fuzz.ini", text, size, &errs2);
	CHECK((c1 == NULL) == (c2 == NULL));
	CHECK(errs1.n == errs2.n);
	if (c1 == NULL) {
		unsigned int i;

		for (i = 0; i < errs1.n && i < CFG_ERR_MAX; i++)
			CHECK(strcmp(errs1.msg[i], errs2.msg[i]) == 0);
	} else {
		unsigned int i;

		CHECK(c1->n_ports == c2->n_ports &&
		      c1->n_sessions == c2->n_sessions &&
		      c1->n_collectors == c2->n_collectors &&
		      c1->n_filters == c2->n_filters &&
		      c1->n_kernels == c2->n_kernels);
		for (i = 0; i < c1->n_filters; i++)
			CHECK((c1->filters[i].expression == NULL) ==
				      (c2->filters[i].expression == NULL) &&
			      (c1->filters[i].expression == NULL ||
			       strcmp(c1->filters[i].expression,
				      c2->filters[i].expression) == 0));
	}
	cfg_free(c1);
	cfg_free(c2);
	free(text);
	return 0;
}
