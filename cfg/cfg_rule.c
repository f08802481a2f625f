/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The [filter] sections (DESIGN section 4): the rule grammar
 *   rule N = accept|reject [proto P] [src CIDR] [dst CIDR] [sport R]
 *            [dport R] [vlan V]
 * and its alternative, one pcap-filter expression as tcpdump takes it
 *   expression = tcp port 80 and net 198.18.0.0/15
 * which libpcap compiles here once, only to refuse a bad one with its own
 * message; the dataplane compiles it again for itself.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "cfg_internal.h"
#include "dpm_proto.h"

/*
 * Filter rules.
 */

enum cfg_rule_word {
	CFG_W_PROTO = 0,
	CFG_W_SRC,
	CFG_W_DST,
	CFG_W_SPORT,
	CFG_W_DPORT,
	CFG_W_VLAN,
	CFG_W_COUNT,
};

static const char *const cfg_rule_words[CFG_W_COUNT] = {
	"proto", "src", "dst", "sport", "dport", "vlan",
};

/* Parse the text of one rule into r; on error fill why and return -1. */
int
cfg_parse_rule(const char *text, struct cfg_rule *r, char *why, size_t wl)
{
	char buf[CFG_VALUE_LEN];
	const char *arg_txt[CFG_W_COUNT] = {NULL};
	char *save = NULL;
	char *w;
	uint64_t v = 0;

	r->action = CFG_REJECT;
	r->proto = -1;
	r->vlan = -1;
	r->family = 0;
	snprintf(buf, sizeof(buf), "%s", text);
	w = strtok_r(buf, " \t", &save);
	if (w == NULL) {
		snprintf(why, wl,
			 "empty rule; write accept|reject followed by any of "
			 "proto, src, dst, sport, dport, vlan");
		return -1;
	}
	if (strcmp(w, "accept") == 0) {
		r->action = CFG_ACCEPT;
	} else if (strcmp(w, "reject") == 0) {
		r->action = CFG_REJECT;
	} else {
		snprintf(why, wl, "a rule starts with accept or reject, not %s",
			 w);
		return -1;
	}

	while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
		const char *arg;
		int word;

		for (word = 0; word < CFG_W_COUNT; word++)
			if (strcmp(w, cfg_rule_words[word]) == 0)
				break;
		if (word == CFG_W_COUNT) {
			snprintf(why, wl,
				 "unknown word %s; valid: proto, src, dst, "
				 "sport, dport, vlan",
				 w);
			return -1;
		}
		if (arg_txt[word] != NULL) {
			snprintf(why, wl,
				 "%s given twice; each word at most once per "
				 "rule",
				 w);
			return -1;
		}
		arg = strtok_r(NULL, " \t", &save);
		if (arg == NULL) {
			snprintf(why, wl, "%s needs a value", w);
			return -1;
		}
		arg_txt[word] = arg;
		switch (word) {
		case CFG_W_PROTO:
			if (cfg_parse_proto(arg, &v) < 0 || v > 255) {
				snprintf(why, wl,
					 "proto %s: unknown protocol; "
					 "valid: " DPM_PROTO_VALID,
					 arg);
				return -1;
			}
			r->proto = (int)v;
			break;
		case CFG_W_SRC:
			if (cfg_parse_cidr(w, arg, &r->src, &r->src_len, why,
					   wl) < 0)
				return -1;
			r->has_src = true;
			break;
		case CFG_W_DST:
			if (cfg_parse_cidr(w, arg, &r->dst, &r->dst_len, why,
					   wl) < 0)
				return -1;
			r->has_dst = true;
			break;
		case CFG_W_SPORT:
			if (cfg_parse_range(w, arg, &r->sport_lo, &r->sport_hi,
					    why, wl) < 0)
				return -1;
			r->has_sport = true;
			break;
		case CFG_W_DPORT:
			if (cfg_parse_range(w, arg, &r->dport_lo, &r->dport_hi,
					    why, wl) < 0)
				return -1;
			r->has_dport = true;
			break;
		case CFG_W_VLAN:
			if (cfg_parse_u64(arg, &v) < 0 || v > 4095) {
				snprintf(why, wl,
					 "vlan %s: not a VLAN ID; valid: "
					 "0..4095",
					 arg);
				return -1;
			}
			r->vlan = (int)v;
			break;
		default:
			break;
		}
	}

	if (r->has_src && r->has_dst && r->src.family != r->dst.family) {
		snprintf(why, wl,
			 "src %s is %s but dst %s is %s; a rule matches one "
			 "address family",
			 arg_txt[CFG_W_SRC], cfg_family_name(r->src.family),
			 arg_txt[CFG_W_DST], cfg_family_name(r->dst.family));
		return -1;
	}
	if (r->has_src)
		r->family = r->src.family;
	else if (r->has_dst)
		r->family = r->dst.family;
	if ((r->has_sport || r->has_dport) && r->proto >= 0 &&
	    !dpm_proto_has_ports(r->proto)) {
		snprintf(why, wl,
			 "%s with proto %s, which has no ports; ports need "
			 "proto tcp, udp or sctp (or no proto)",
			 r->has_sport ? "sport" : "dport",
			 arg_txt[CFG_W_PROTO]);
		return -1;
	}
	if (r->proto == 1 && r->family == 6) {
		snprintf(why, wl,
			 "proto %s with an IPv6 address; use proto icmpv6 for "
			 "IPv6",
			 arg_txt[CFG_W_PROTO]);
		return -1;
	}
	if (r->proto == 58 && r->family == 4) {
		snprintf(why, wl,
			 "proto %s with an IPv4 address; use proto icmp for "
			 "IPv4",
			 arg_txt[CFG_W_PROTO]);
		return -1;
	}
	return 0;
}

static int
cfg_rule_cmp(const void *a, const void *b)
{
	const struct cfg_rule *x = a;
	const struct cfg_rule *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

/* [filter] rule N: a number not used before in the filter, a valid rule. */
void
cfg_check_rule(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	const char *num = c->secs[c->cur].ents[k].name + strlen(key->name);
	struct cfg_filter *f = obj;
	char why[CFG_ERR_LEN];
	struct cfg_rule r;
	uint64_t n;

	if (c->rule_nums == NULL) {
		c->rule_nums = calloc(CFG_RULE_NUM_MAX / 8 + 1, 1);
		if (c->rule_nums == NULL) {
			c->nomem = true;
			return;
		}
	}
	if (num[0] != ' ' || cfg_parse_u64(num + 1, &n) < 0 || n < 1 ||
	    n > CFG_RULE_NUM_MAX) {
		cfg_bad(c, k,
			"bad rule key; write rule N, one space, N = 1..%d",
			CFG_RULE_NUM_MAX);
		return;
	}
	/* Numbers of bad rules count too. */
	if ((c->rule_nums[n / 8] & (1u << (n % 8))) != 0) {
		cfg_bad(c, k,
			"rule number %lu is defined twice; give each rule its "
			"own number",
			(unsigned long)n);
		return;
	}
	c->rule_nums[n / 8] |= (uint8_t)(1u << (n % 8));
	memset(&r, 0, sizeof(r));
	r.number = (uint32_t)n;
	if (cfg_parse_rule(cfg_val(c, k), &r, why, sizeof(why)) < 0) {
		cfg_bad(c, k, "%s", why);
		return;
	}
	if (c->n_rules == CFG_MAX_RULES) {
		if (!c->rules_full)
			cfg_bad(c, k,
				"too many rules; at most %d over all filters",
				CFG_MAX_RULES);
		c->rules_full = true;
		return;
	}
	if (f->n_rules == c->rule_cap) {
		unsigned int ncap = c->rule_cap == 0 ? 8 : 2 * c->rule_cap;
		struct cfg_rule *nr;

		nr = realloc(f->rules, ncap * sizeof(*nr));
		if (nr == NULL) {
			c->nomem = true;
			return;
		}
		f->rules = nr;
		c->rule_cap = ncap;
	}
	f->rules[f->n_rules++] = r;
	c->n_rules++;
}

/*
 * Expressions.
 */

#define CFG_EXPR_HINT                                                          \
	"give a pcap-filter expression as tcpdump takes it (man 7 "            \
	"pcap-filter)"

/*
 * A message on entry k (the expression) of the current section, with
 * libpcap's text WHY: as cfg_bad's, but the value is shortened when the
 * whole would not fit in a message, so that libpcap's text is never the
 * part cut off.
 */
static void
cfg_bad_expression(struct cfg_ctx *c, int k, const char *why)
{
	const struct cfg_section *s = &c->secs[c->cur];
	const char *val = s->ents[k].value;
	size_t vlen = strlen(val);
	size_t fixed, room;

	/* "[" name "] " key " = " value ": " why "; " hint */
	fixed = strlen(s->name) + strlen(s->ents[k].name) + strlen(why) +
		sizeof(CFG_EXPR_HINT) - 1 + 10;
	room = fixed < CFG_ERR_LEN - 1 ? CFG_ERR_LEN - 1 - fixed : 0;
	if (vlen > room) {
		/* At least the start of the expression, and "..." after it,
		 * cut before a UTF-8 continuation byte. */
		vlen = room >= 3 + 40 ? room - 3 : 40;
		while (vlen > 0 && ((unsigned char)val[vlen] & 0xc0) == 0x80)
			vlen--;
	}
	cfg_msg(c, c->cur, 2 * k + 1, "[%s] %s = %.*s%s: %s; " CFG_EXPR_HINT,
		s->name, s->ents[k].name, (int)vlen, val,
		vlen < strlen(val) ? "..." : "", why);
}

/*
 * [filter] expression: a non-empty pcap-filter expression that libpcap
 * compiles for Ethernet exactly as the dataplane will (DLT_EN10MB, snaplen
 * CFG_EXPR_SNAPLEN, optimised, no netmask).  Only the text is kept.
 */
void
cfg_check_expression(struct cfg_ctx *c, int k,
		     const struct cfg_key *key __rte_unused, void *obj)
{
	struct cfg_filter *f = obj;
	const char *val = cfg_val(c, k);
	struct bpf_program prog;
	pcap_t *p;

	if (*val == '\0') {
		cfg_bad(c, k,
			"empty expression; " CFG_EXPR_HINT
			", e.g. expression = tcp port 80, or remove the key to "
			"use rule lines");
		return;
	}
	p = pcap_open_dead(DLT_EN10MB, CFG_EXPR_SNAPLEN);
	if (p == NULL) {
		c->nomem = true;
		return;
	}
	if (pcap_compile(p, &prog, val, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		cfg_bad_expression(c, k, pcap_geterr(p));
		pcap_close(p);
		return;
	}
	pcap_freecode(&prog);
	pcap_close(p);
	f->expression = strdup(val);
	if (f->expression == NULL)
		c->nomem = true;
}

/*
 * After a filter's keys: a filter is rule lines (and a default) or one
 * expression, which alone decides; sort its rules; forget its rule
 * numbers.
 */
void
cfg_filter_done(struct cfg_ctx *c, void *obj)
{
	const struct cfg_section *s = &c->secs[c->cur];
	struct cfg_filter *f = obj;
	int k_expr = cfg_entry(c, "expression");
	int k_dflt = cfg_entry(c, "default");
	int k;

	free(c->rule_nums);
	c->rule_nums = NULL;
	c->rule_cap = 0;
	if (f->n_rules > 1)
		qsort(f->rules, f->n_rules, sizeof(f->rules[0]), cfg_rule_cmp);
	if (k_expr < 0)
		return;
	/* Any rule line, even one refused. */
	for (k = 0; k < s->n_ents; k++)
		if (strncmp(s->ents[k].name, "rule", 4) == 0)
			break;
	if (k < s->n_ents)
		cfg_bad(c, k_expr,
			"a filter has rule lines or one expression, not both "
			"(%s = %s is given too); remove the rule lines, or "
			"the expression, or put them in two filters",
			s->ents[k].name, s->ents[k].value);
	if (k_dflt >= 0)
		cfg_bad(c, k_dflt,
			"an expression filter has no default: the expression "
			"alone decides (a packet matches when it is true); "
			"remove default, or use rule lines instead of "
			"expression = %s",
			cfg_val(c, k_expr));
}
