/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Rule compiler tests: configs built by hand, compiled by ctl_acl_build(),
 * classified with rte_acl on keys from dp_acl_key4/6_build(), and compared
 * with the expected sessions (directed tests) or with a plain reference
 * evaluator that follows the cfg_rule and dp_parse.h contracts field by
 * field (randomised test).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_acl.h>

#include "cfg.h"
#include "ctl_acl.h"
#include "dp_acl.h"
#include "dp_parse.h"
#include "eal_test.h"

#define BURST 64
#define MAX_TEST_RULES 1024

#define P_ICMP 1
#define P_TCP 6
#define P_UDP 17
#define P_ICMP6 58
#define P_SCTP 132

/* Deterministic PRNG (xorshift64*); the seed is printed, DPM_SEED sets it. */
static uint64_t rng_state;

static uint32_t
rnd32(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Uniform in 0..n-1. */
static uint32_t
rnd(uint32_t n)
{
	return (uint32_t)(((uint64_t)rnd32() * n) >> 32);
}

#define PICK(arr) ((arr)[rnd(sizeof(arr) / sizeof((arr)[0]))])

/* ---- Building configs and packets ---------------------------------- */

static struct cfg *
cfg_new(void)
{
	struct cfg *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	return c;
}

static void
cfg_del(struct cfg *c)
{
	unsigned int i;

	for (i = 0; i < c->n_filters; i++)
		free(c->filters[i].rules);
	free(c);
}

/* Append a filter with room for MAX rules; returns its index. */
static int
add_filter(struct cfg *c, const char *name, enum cfg_action dflt,
	   unsigned int max)
{
	struct cfg_filter *f = &c->filters[c->n_filters];

	assert_true(c->n_filters < CFG_MAX_FILTERS);
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->dflt = dflt;
	f->rules = calloc(max > 0 ? max : 1, sizeof(*f->rules));
	assert_non_null(f->rules);
	return (int)c->n_filters++;
}

static void
add_session(struct cfg *c, const char *name, int filter)
{
	struct cfg_session *s = &c->sessions[c->n_sessions];

	assert_true(c->n_sessions < CFG_MAX_SESSIONS);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->filter = filter;
	s->sample = 1;
	c->n_sessions++;
}

/* Append a rule matching anything to filter FI; fill in the rest after. */
static struct cfg_rule *
add_rule(struct cfg *c, int fi, uint32_t number, enum cfg_action a)
{
	struct cfg_filter *f = &c->filters[fi];
	struct cfg_rule *r = &f->rules[f->n_rules++];

	memset(r, 0, sizeof(*r));
	r->number = number;
	r->action = a;
	r->proto = -1;
	r->vlan = -1;
	return r;
}

/* "addr/len" (IPv4 or IPv6) into *A and *LEN; returns the family. */
static uint8_t
parse_cidr(const char *s, struct cfg_addr *a, uint8_t *len)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	*len = (uint8_t)atoi(slash + 1);
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->bytes) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, buf, a->bytes) == 1)
		a->family = 6;
	else
		fail_msg("bad address %s", s);
	return a->family;
}

static void
rule_src(struct cfg_rule *r, const char *cidr)
{
	r->family = parse_cidr(cidr, &r->src, &r->src_len);
	r->has_src = true;
}

static void
rule_dst(struct cfg_rule *r, const char *cidr)
{
	r->family = parse_cidr(cidr, &r->dst, &r->dst_len);
	r->has_dst = true;
}

static void
rule_sport(struct cfg_rule *r, uint16_t lo, uint16_t hi)
{
	r->has_sport = true;
	r->sport_lo = lo;
	r->sport_hi = hi;
}

static void
rule_dport(struct cfg_rule *r, uint16_t lo, uint16_t hi)
{
	r->has_dport = true;
	r->dport_lo = lo;
	r->dport_hi = hi;
}

/* An IP packet; ports only if SPORT/DPORT are >= 0. */
static struct dp_meta
pkt_ip(uint8_t proto, const char *src, const char *dst, int sport, int dport,
       uint16_t vlan)
{
	struct dp_meta m;

	memset(&m, 0, sizeof(m));
	m.vlan = vlan;
	m.n_vlans = vlan != DP_VLAN_NONE;
	m.proto = proto;
	if (inet_pton(AF_INET, src, m.src) == 1) {
		assert_int_equal(inet_pton(AF_INET, dst, m.dst), 1);
		m.l3 = DP_L3_IPV4;
		m.ethertype = 0x0800;
	} else {
		assert_int_equal(inet_pton(AF_INET6, src, m.src), 1);
		assert_int_equal(inet_pton(AF_INET6, dst, m.dst), 1);
		m.l3 = DP_L3_IPV6;
		m.ethertype = 0x86dd;
	}
	if (sport >= 0 && dport >= 0) {
		m.has_ports = 1;
		m.sport = (uint16_t)sport;
		m.dport = (uint16_t)dport;
	}
	return m;
}

static struct dp_meta
pkt_other(uint16_t ethertype, uint16_t vlan)
{
	struct dp_meta m;

	memset(&m, 0, sizeof(m));
	m.ethertype = ethertype;
	m.vlan = vlan;
	m.n_vlans = vlan != DP_VLAN_NONE;
	m.l3 = DP_L3_OTHER;
	return m;
}

/* ---- Reference evaluator -------------------------------------------- */

static bool
ref_prefix(const uint8_t *addr, const uint8_t *pfx, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		unsigned int bit = 7 - (i % 8);

		if (((addr[i / 8] >> bit) & 1) != ((pfx[i / 8] >> bit) & 1))
			return false;
	}
	return true;
}

static bool
ref_rule_match(const struct cfg_rule *r, const struct dp_meta *m)
{
	bool ip_rule = r->proto >= 0 || r->has_src || r->has_dst ||
		r->has_sport || r->has_dport;

	if (r->vlan >= 0 && m->vlan != r->vlan)
		return false;
	if (!ip_rule)
		return true;
	if (m->l3 != DP_L3_IPV4 && m->l3 != DP_L3_IPV6)
		return false;
	if (r->family != 0 && r->family != m->l3)
		return false;
	if (r->proto >= 0 && m->proto != r->proto)
		return false;
	if (r->has_src && !ref_prefix(m->src, r->src.bytes, r->src_len))
		return false;
	if (r->has_dst && !ref_prefix(m->dst, r->dst.bytes, r->dst_len))
		return false;
	if ((r->has_sport || r->has_dport) && !m->has_ports)
		return false;
	if (r->has_sport && (m->sport < r->sport_lo || m->sport > r->sport_hi))
		return false;
	if (r->has_dport && (m->dport < r->dport_lo || m->dport > r->dport_hi))
		return false;
	return true;
}

/* The rule deciding for a filter: lowest-numbered match, or NULL. */
static const struct cfg_rule *
ref_filter_rule(const struct cfg_filter *f, const struct dp_meta *m)
{
	const struct cfg_rule *best = NULL;
	unsigned int j;

	for (j = 0; j < f->n_rules; j++) {
		const struct cfg_rule *r = &f->rules[j];

		if ((best == NULL || r->number < best->number) &&
		    ref_rule_match(r, m))
			best = r;
	}
	return best;
}

static uint32_t
ref_accepted(const struct cfg *c, const struct dp_meta *m)
{
	uint32_t mask = 0;
	unsigned int i;

	for (i = 0; i < c->n_sessions; i++) {
		const struct cfg_filter *f;
		const struct cfg_rule *r;
		bool acc;

		if (c->sessions[i].filter < 0) {
			mask |= 1u << i;
			continue;
		}
		f = &c->filters[c->sessions[i].filter];
		r = ref_filter_rule(f, m);
		acc = r != NULL ? r->action == CFG_ACCEPT :
			f->dflt == CFG_ACCEPT;
		if (acc)
			mask |= 1u << i;
	}
	return mask;
}

/* ---- Classification through rte_acl --------------------------------- */

/* Classify N packets of PK (any mix) with ALG; accepted sessions in OUT. */
static void
acl_classify(const struct ctl_acl *acl, const struct dp_meta *pk, uint32_t n,
	     enum rte_acl_classify_alg alg, uint32_t *out)
{
	struct dp_acl_key4 k4[BURST];
	struct dp_acl_key6 k6[BURST];
	const uint8_t *d4[BURST], *d6[BURST];
	uint32_t i4[BURST], i6[BURST];
	uint32_t res4[BURST * RTE_ACL_MAX_CATEGORIES];
	uint32_t res6[BURST * RTE_ACL_MAX_CATEGORIES];
	uint32_t base, i, n4, n6, cat = acl->n_categories;

	for (base = 0; base < n; base += BURST) {
		uint32_t cnt = RTE_MIN(n - base, (uint32_t)BURST);

		n4 = 0;
		n6 = 0;
		for (i = 0; i < cnt; i++) {
			const struct dp_meta *m = &pk[base + i];

			if (m->l3 == DP_L3_IPV6) {
				dp_acl_key6_build(m, &k6[n6]);
				d6[n6] = (const uint8_t *)&k6[n6];
				i6[n6++] = base + i;
			} else {
				dp_acl_key4_build(m, &k4[n4]);
				d4[n4] = (const uint8_t *)&k4[n4];
				i4[n4++] = base + i;
			}
		}
		memset(res4, 0xa5, sizeof(res4));
		memset(res6, 0xa5, sizeof(res6));
		if (alg == RTE_ACL_CLASSIFY_DEFAULT) {
			assert_int_equal(rte_acl_classify(acl->v4, d4, res4,
							  n4, cat), 0);
			assert_int_equal(rte_acl_classify(acl->v6, d6, res6,
							  n6, cat), 0);
		} else {
			assert_int_equal(rte_acl_classify_alg(acl->v4, d4,
						res4, n4, cat, alg), 0);
			assert_int_equal(rte_acl_classify_alg(acl->v6, d6,
						res6, n6, cat, alg), 0);
		}
		for (i = 0; i < n4; i++)
			out[i4[i]] = dp_acl_accepted(&res4[i * cat],
						     acl->n_sessions,
						     acl->dflt_accept);
		for (i = 0; i < n6; i++)
			out[i6[i]] = dp_acl_accepted(&res6[i * cat],
						     acl->n_sessions,
						     acl->dflt_accept);
	}
}

/* ---- Printing for failure reports ------------------------------------ */

static void
fmt_addr(char *buf, size_t len, uint8_t family, const uint8_t *a)
{
	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf,
		      (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

static void
print_pkt(const struct dp_meta *m)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	if (m->l3 == DP_L3_OTHER) {
		print_message("  packet: non-IP ethertype 0x%04x vlan %u\n",
			      m->ethertype, m->vlan);
		return;
	}
	fmt_addr(s, sizeof(s), m->l3, m->src);
	fmt_addr(d, sizeof(d), m->l3, m->dst);
	print_message("  packet: IPv%u proto %u %s -> %s ports %s %u -> %u vlan %u\n",
		      m->l3, m->proto, s, d, m->has_ports ? "yes" : "no",
		      m->sport, m->dport, m->vlan);
}

static void
print_rule(const struct cfg_rule *r, const struct dp_meta *m)
{
	char buf[320], a[INET6_ADDRSTRLEN];
	int n;

	n = snprintf(buf, sizeof(buf), "    rule %u = %s", r->number,
		     r->action == CFG_ACCEPT ? "accept" : "reject");
	if (r->proto >= 0)
		n += snprintf(buf + n, sizeof(buf) - n, " proto %d", r->proto);
	if (r->has_src) {
		fmt_addr(a, sizeof(a), r->family, r->src.bytes);
		n += snprintf(buf + n, sizeof(buf) - n, " src %s/%u", a,
			      r->src_len);
	}
	if (r->has_dst) {
		fmt_addr(a, sizeof(a), r->family, r->dst.bytes);
		n += snprintf(buf + n, sizeof(buf) - n, " dst %s/%u", a,
			      r->dst_len);
	}
	if (r->has_sport)
		n += snprintf(buf + n, sizeof(buf) - n, " sport %u-%u",
			      r->sport_lo, r->sport_hi);
	if (r->has_dport)
		n += snprintf(buf + n, sizeof(buf) - n, " dport %u-%u",
			      r->dport_lo, r->dport_hi);
	if (r->vlan >= 0)
		n += snprintf(buf + n, sizeof(buf) - n, " vlan %d", r->vlan);
	print_message("%s%s\n", buf,
		      ref_rule_match(r, m) ? "   <- matches" : "");
}

static void
report_mismatch(const struct cfg *c, const struct dp_meta *m, uint32_t want,
		uint32_t got, const char *alg)
{
	unsigned int i, j;

	print_message("mismatch (%s): expected sessions 0x%04x, got 0x%04x\n",
		      alg, want, got);
	print_pkt(m);
	for (i = 0; i < c->n_sessions; i++) {
		const struct cfg_session *s = &c->sessions[i];
		const struct cfg_filter *f;

		if ((((want ^ got) >> i) & 1) == 0)
			continue;
		if (s->filter < 0) {
			print_message("  session %u (%s): no filter\n", i,
				      s->name);
			continue;
		}
		f = &c->filters[s->filter];
		print_message("  session %u (%s): filter %s, default %s\n", i,
			      s->name, f->name,
			      f->dflt == CFG_ACCEPT ? "accept" : "reject");
		for (j = 0; j < f->n_rules; j++)
			print_rule(&f->rules[j], m);
	}
}

/* The algorithms tried, where the CPU and EAL allow them. */
static const struct {
	enum rte_acl_classify_alg alg;
	const char *name;
} algs[] = {
	{ RTE_ACL_CLASSIFY_DEFAULT, "default" },
	{ RTE_ACL_CLASSIFY_SCALAR, "scalar" },
	{ RTE_ACL_CLASSIFY_SSE, "sse" },
	{ RTE_ACL_CLASSIFY_AVX2, "avx2" },
	{ RTE_ACL_CLASSIFY_NEON, "neon" },
	{ RTE_ACL_CLASSIFY_ALTIVEC, "altivec" },
	{ RTE_ACL_CLASSIFY_AVX512X16, "avx512x16" },
	{ RTE_ACL_CLASSIFY_AVX512X32, "avx512x32" },
};

/* Whether ALG can run here: rte_acl_classify_alg() does not check. */
static bool
alg_usable(const struct ctl_acl *acl, enum rte_acl_classify_alg alg)
{
	if (alg == RTE_ACL_CLASSIFY_DEFAULT)
		return true;
	return rte_acl_set_ctx_classify(acl->v4, alg) == 0 &&
		rte_acl_set_ctx_classify(acl->v6, alg) == 0;
}

/*
 * Compile C, classify N packets with the default algorithm and with every
 * other one the CPU supports, and compare with WANT (or with the reference
 * if WANT is NULL).  Directed tests also check the reference agrees with
 * their WANT.
 */
static void
check_cfg(const struct cfg *c, const char *name, const struct dp_meta *pk,
	  const uint32_t *want, uint32_t n)
{
	static bool algs_printed;
	struct ctl_acl acl;
	struct dpm_err err;
	uint32_t *got, exp, i, a, dflt = 0;
	int rc;

	rc = ctl_acl_build(c, name, &acl, &err);
	if (rc != 0)
		fail_msg("ctl_acl_build(%s): %d %s", name, rc, err.msg);
	assert_non_null(acl.v4);
	assert_non_null(acl.v6);
	assert_int_equal(acl.n_sessions, c->n_sessions);
	assert_true(acl.n_categories >= c->n_sessions);
	assert_true(acl.n_categories <= RTE_ACL_MAX_CATEGORIES);
	/* One result per packet for one session, else whole groups. */
	if (c->n_sessions <= 1)
		assert_int_equal(acl.n_categories, 1);
	else
		assert_int_equal(acl.n_categories % RTE_ACL_RESULTS_MULTIPLIER,
				 0);
	for (i = 0; i < c->n_sessions; i++) {
		int fi = c->sessions[i].filter;

		if (fi < 0 || c->filters[fi].dflt == CFG_ACCEPT)
			dflt |= 1u << i;
	}
	assert_int_equal(acl.dflt_accept, dflt);

	got = calloc(n, sizeof(*got));
	assert_non_null(got);
	for (a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		if (!alg_usable(&acl, algs[a].alg))
			continue;
		if (!algs_printed)
			print_message("classify algorithm checked: %s\n",
				      algs[a].name);
		acl_classify(&acl, pk, n, algs[a].alg, got);
		for (i = 0; i < n; i++) {
			exp = ref_accepted(c, &pk[i]);
			if (want != NULL && want[i] != exp) {
				report_mismatch(c, &pk[i], want[i], exp,
						"reference");
				fail_msg("%s: reference disagrees on packet %u",
					 name, i);
			}
			if (got[i] != exp) {
				report_mismatch(c, &pk[i], exp, got[i],
						algs[a].name);
				fail_msg("%s: packet %u of %u", name, i, n);
			}
		}
	}
	algs_printed = true;
	free(got);
	ctl_acl_free(&acl);
	assert_null(acl.v4);
	assert_null(acl.v6);
}

/* ---- Directed tests -------------------------------------------------- */

/* DESIGN section 4's "web" filter; session 1 has no filter. */
static void
test_design_web(void **state)
{
	struct cfg *c = cfg_new();
	struct cfg_rule *r;
	const uint32_t W = 0x5, ALL = 0x2 | W, NONE = 0x2;
	int web;
	struct dp_meta pk[] = {
		pkt_ip(P_TCP, "10.0.0.1", "198.18.0.5", 1234, 80, DP_VLAN_NONE),
		pkt_ip(P_TCP, "198.18.0.9", "198.18.0.5", 1234, 443, DP_VLAN_NONE),
		pkt_ip(P_TCP, "198.18.0.9", "198.18.0.5", 1234, 444, DP_VLAN_NONE),
		pkt_ip(P_TCP, "198.18.0.7", "198.18.0.5", 1234, 79, DP_VLAN_NONE),
		pkt_ip(P_TCP, "198.18.0.7", "198.18.1.5", 1234, 80, 7),
		pkt_ip(P_TCP, "198.18.0.7", "198.18.0.255", -1, -1, DP_VLAN_NONE),
		pkt_ip(P_UDP, "198.18.0.7", "198.18.0.5", 1234, 80, DP_VLAN_NONE),
		pkt_ip(P_ICMP, "198.18.0.9", "198.18.0.5", -1, -1, DP_VLAN_NONE),
		pkt_ip(P_ICMP, "198.18.0.8", "198.18.0.5", -1, -1, 100),
		pkt_ip(P_ICMP, "fd00::9", "fd00::5", -1, -1, DP_VLAN_NONE),
		pkt_ip(P_ICMP6, "fd00::9", "fd00::5", -1, -1, DP_VLAN_NONE),
		pkt_ip(P_TCP, "fd00::9", "fd00::5", 1234, 80, DP_VLAN_NONE),
		pkt_other(0x0806, DP_VLAN_NONE),
	};
	const uint32_t want[] = {
		ALL,	/* rule 10 */
		ALL,	/* rule 10 wins over rule 20 */
		NONE,	/* rule 20: src .9 */
		NONE,	/* default: dport below the range */
		NONE,	/* default: dst outside /24 */
		NONE,	/* default: no ports (non-first fragment) */
		NONE,	/* default: udp */
		NONE,	/* rule 20 before rule 30 */
		ALL,	/* rule 30 */
		ALL,	/* rule 30: proto 1 in IPv6 too */
		NONE,	/* default: icmpv6 is not icmp */
		NONE,	/* default: IPv4 rules do not see IPv6 */
		NONE,	/* default: ARP */
	};

	(void)state;
	web = add_filter(c, "web", CFG_REJECT, 3);
	r = add_rule(c, web, 10, CFG_ACCEPT);
	r->proto = P_TCP;
	rule_dst(r, "198.18.0.0/24");
	rule_dport(r, 80, 443);
	r = add_rule(c, web, 20, CFG_REJECT);
	rule_src(r, "198.18.0.9/32");
	r = add_rule(c, web, 30, CFG_ACCEPT);
	r->proto = P_ICMP;
	add_session(c, "s0", web);
	add_session(c, "s1", -1);
	add_session(c, "s2", web);
	assert_int_equal(sizeof(pk) / sizeof(pk[0]),
			 sizeof(want) / sizeof(want[0]));
	check_cfg(c, "web", pk, want, sizeof(want) / sizeof(want[0]));
	cfg_del(c);
}

/* The lower rule number wins whatever the actions and the array order. */
static void
test_priority(void **state)
{
	struct cfg *c = cfg_new();
	struct cfg_rule *r;
	int f, g, h;
	struct dp_meta pk[] = {
		pkt_ip(P_TCP, "198.18.9.9", "198.18.0.3", 1, 2, DP_VLAN_NONE),
		pkt_ip(P_UDP, "198.18.9.9", "198.18.0.3", 1, 2, DP_VLAN_NONE),
		pkt_ip(P_TCP, "198.18.9.9", "198.18.5.3", 1, 2, DP_VLAN_NONE),
		pkt_ip(P_TCP, "198.18.9.9", "198.19.0.1", 1, 2, DP_VLAN_NONE),
		pkt_other(0x88cc, DP_VLAN_NONE),
		pkt_ip(P_TCP, "fd00::1", "fd00::2", 1, 2, DP_VLAN_NONE),
	};
	/*
	 * Sessions 0 and 1: rule 5 reject tcp to /24, rule 7 accept /16,
	 * rule 9 reject everything, default accept (session 1 lists the
	 * rules in reverse).  Session 2: rule 1 accept tcp, rule 2 reject
	 * dst 198.18.0.3/32, default reject.
	 */
	const uint32_t want[] = { 0x4, 0x3, 0x7, 0x4, 0x0, 0x4 };

	(void)state;
	f = add_filter(c, "ordered", CFG_ACCEPT, 3);
	g = add_filter(c, "reversed", CFG_ACCEPT, 3);
	r = add_rule(c, f, 5, CFG_REJECT);
	r->proto = P_TCP;
	rule_dst(r, "198.18.0.0/24");
	r = add_rule(c, f, 7, CFG_ACCEPT);
	rule_dst(r, "198.18.0.0/16");
	add_rule(c, f, 9, CFG_REJECT);
	c->filters[g].n_rules = 3;
	c->filters[g].rules[0] = c->filters[f].rules[2];
	c->filters[g].rules[1] = c->filters[f].rules[1];
	c->filters[g].rules[2] = c->filters[f].rules[0];
	h = add_filter(c, "tcpfirst", CFG_REJECT, 2);
	r = add_rule(c, h, 1, CFG_ACCEPT);
	r->proto = P_TCP;
	r = add_rule(c, h, 2, CFG_REJECT);
	rule_dst(r, "198.18.0.3/32");
	add_session(c, "s0", f);
	add_session(c, "s1", g);
	add_session(c, "s2", h);
	check_cfg(c, "prio", pk, want, sizeof(want) / sizeof(want[0]));
	cfg_del(c);
}

/* vlan N matches tag N only, never untagged; no vlan matches both. */
static void
test_vlan(void **state)
{
	struct cfg *c = cfg_new();
	struct cfg_rule *r;
	int f, g, h;
	struct dp_meta pk[] = {
		pkt_ip(P_TCP, "198.18.0.1", "198.18.0.2", 1, 2, 100),
		pkt_ip(P_UDP, "fd00::1", "fd00::2", 1, 2, 100),
		pkt_other(0x0806, 100),
		pkt_ip(P_TCP, "198.18.0.1", "198.18.0.2", 1, 2, 101),
		pkt_ip(P_TCP, "198.18.0.1", "198.18.0.2", 1, 2, DP_VLAN_NONE),
		pkt_ip(P_TCP, "198.18.0.1", "198.18.0.2", 1, 2, 0),
		pkt_ip(P_UDP, "198.18.0.1", "198.18.0.2", 1, 2, 100),
		pkt_ip(P_UDP, "198.18.0.1", "198.18.0.2", 1, 2, DP_VLAN_NONE),
		pkt_other(0x0806, DP_VLAN_NONE),
		pkt_other(0x0806, 4095),
	};
	/*
	 * Session 0: rule 10 accept vlan 100, rule 20 reject vlan 0, default
	 * accept.  Session 1: rule 10 accept vlan 100, default reject.
	 * Session 2: rule 10 reject proto udp vlan 100, default accept.
	 */
	const uint32_t want[] = {
		0x7, 0x3, 0x7, 0x5, 0x5, 0x4, 0x3, 0x5, 0x5, 0x5,
	};

	(void)state;
	f = add_filter(c, "v100", CFG_ACCEPT, 2);
	r = add_rule(c, f, 10, CFG_ACCEPT);
	r->vlan = 100;
	r = add_rule(c, f, 20, CFG_REJECT);
	r->vlan = 0;
	g = add_filter(c, "only100", CFG_REJECT, 1);
	r = add_rule(c, g, 10, CFG_ACCEPT);
	r->vlan = 100;
	h = add_filter(c, "udp100", CFG_ACCEPT, 1);
	r = add_rule(c, h, 10, CFG_REJECT);
	r->vlan = 100;
	r->proto = P_UDP;
	add_session(c, "s0", f);
	add_session(c, "s1", g);
	add_session(c, "s2", h);
	check_cfg(c, "vlan", pk, want, sizeof(want) / sizeof(want[0]));
	cfg_del(c);
}

/* Non-IP frames match only rules naming no IP or L4 field. */
static void
test_non_ip(void **state)
{
	struct cfg *c = cfg_new();
	struct cfg_rule *r;
	int f;
	struct dp_meta junk = pkt_other(0x0806, DP_VLAN_NONE);
	struct dp_meta pk[8];
	uint32_t want[8];

	(void)state;
	/* Leftovers in a non-IP meta must not reach the key. */
	junk.proto = P_TCP;
	junk.has_ports = 1;
	junk.sport = 80;
	junk.dport = 80;
	memset(junk.src, 0xc6, sizeof(junk.src));
	pk[0] = pkt_other(0x0806, DP_VLAN_NONE);
	pk[1] = junk;
	pk[2] = pkt_ip(0, "198.18.0.1", "198.18.0.2", -1, -1, DP_VLAN_NONE);
	pk[3] = pkt_ip(0, "fd00::1", "fd00::2", -1, -1, DP_VLAN_NONE);
	pk[4] = pkt_ip(P_TCP, "198.18.0.1", "198.18.0.2", 5, 6, DP_VLAN_NONE);
	pk[5] = pkt_ip(P_TCP, "198.18.0.1", "198.18.0.2", -1, -1, 9);
	pk[6] = pkt_ip(P_ICMP, "198.18.0.1", "198.18.0.2", -1, -1, 9);
	pk[7] = pkt_ip(P_UDP, "fd00::1", "fd00::2", 0, 0, DP_VLAN_NONE);
	/*
	 * Session 0: accept proto 0.  1: accept sport 0-65535.  2: accept
	 * (matches all).  3: accept src 0.0.0.0/0.  4: no filter.  5: reject
	 * (matches all), default accept.  Others default reject.
	 */
	want[0] = 0x14;
	want[1] = 0x14;
	want[2] = 0x1d;
	want[3] = 0x15;
	want[4] = 0x1e;
	want[5] = 0x1c;
	want[6] = 0x1c;
	want[7] = 0x16;
	f = add_filter(c, "proto0", CFG_REJECT, 1);
	r = add_rule(c, f, 1, CFG_ACCEPT);
	r->proto = 0;
	add_session(c, "s0", f);
	f = add_filter(c, "anyport", CFG_REJECT, 1);
	r = add_rule(c, f, 1, CFG_ACCEPT);
	rule_sport(r, 0, 65535);
	add_session(c, "s1", f);
	f = add_filter(c, "all", CFG_REJECT, 1);
	add_rule(c, f, 1, CFG_ACCEPT);
	add_session(c, "s2", f);
	f = add_filter(c, "any4", CFG_REJECT, 1);
	r = add_rule(c, f, 1, CFG_ACCEPT);
	rule_src(r, "0.0.0.0/0");
	add_session(c, "s3", f);
	add_session(c, "s4", -1);
	f = add_filter(c, "none", CFG_ACCEPT, 1);
	add_rule(c, f, 1, CFG_REJECT);
	add_session(c, "s5", f);
	check_cfg(c, "nonip", pk, want, 8);
	cfg_del(c);
}

/* IPv6 prefixes that end inside a 32-bit word and on its boundary. */
static void
test_ipv6_prefixes(void **state)
{
	struct cfg *c = cfg_new();
	struct cfg_rule *r;
	int f;
	struct dp_meta pk[] = {
		pkt_ip(P_TCP, "fd00:0:0:2:400::", "fd00::1", 1, 2, DP_VLAN_NONE),
		pkt_ip(P_TCP, "fd00:0:0:2:7ff:ffff:ffff:ffff", "fd00::2", 1, 2,
		       DP_VLAN_NONE),
		pkt_ip(P_TCP, "fd00:0:0:2:800::", "fd00::1", 1, 2, DP_VLAN_NONE),
		pkt_ip(P_TCP, "fd00:0:0:2:3ff:ffff:ffff:ffff", "fd00::1:0:0:1",
		       1, 2, DP_VLAN_NONE),
		pkt_ip(P_TCP, "fd00:0:0:2:ffff::", "fd00::1", 1, 2, DP_VLAN_NONE),
		pkt_ip(P_TCP, "fd00:0:0:3::", "fd00::1", 1, 2, DP_VLAN_NONE),
		pkt_ip(P_TCP, "fd00::2:400:0:0", "fd00::1", 1, 2, DP_VLAN_NONE),
		pkt_ip(P_TCP, "198.18.0.1", "198.18.0.2", 1, 2, DP_VLAN_NONE),
		pkt_other(0x0806, DP_VLAN_NONE),
	};
	/*
	 * Session 0: rule 10 reject src fd00:0:0:2:400::/70, rule 20 accept
	 * src fd00:0:0:2::/64, default reject.  Session 1: accept dst
	 * fd00::1/128.  Session 2: accept src ::/0.
	 */
	const uint32_t want[] = {
		0x6, 0x4, 0x7, 0x5, 0x7, 0x6, 0x6, 0x0, 0x0,
	};

	(void)state;
	f = add_filter(c, "p70", CFG_REJECT, 2);
	r = add_rule(c, f, 10, CFG_REJECT);
	/* Bits past the prefix are ignored. */
	rule_src(r, "fd00:0:0:2:4ff:1:2:3/70");
	r = add_rule(c, f, 20, CFG_ACCEPT);
	rule_src(r, "fd00:0:0:2::/64");
	add_session(c, "s0", f);
	f = add_filter(c, "host", CFG_REJECT, 1);
	r = add_rule(c, f, 10, CFG_ACCEPT);
	rule_dst(r, "fd00::1/128");
	add_session(c, "s1", f);
	f = add_filter(c, "any6", CFG_REJECT, 1);
	r = add_rule(c, f, 10, CFG_ACCEPT);
	rule_src(r, "::/0");
	add_session(c, "s2", f);
	check_cfg(c, "v6pfx", pk, want, sizeof(want) / sizeof(want[0]));
	cfg_del(c);
}

/* No rules at all, and rules of one family only: both contexts classify. */
static void
test_empty_contexts(void **state)
{
	struct cfg *c = cfg_new();
	struct ctl_acl acl;
	struct dp_acl_key4 k4[2];
	struct dp_acl_key6 k6;
	struct dp_meta m4 = pkt_ip(P_TCP, "198.18.0.1", "198.18.0.2", 1, 2,
				   DP_VLAN_NONE);
	struct dp_meta m6 = pkt_ip(P_TCP, "fd00::1", "fd00::2", 1, 2, 5);
	struct dp_meta mo = pkt_other(0x0806, DP_VLAN_NONE);
	const uint8_t *d4[2] = { (const uint8_t *)&k4[0],
				 (const uint8_t *)&k4[1] };
	const uint8_t *d6[1] = { (const uint8_t *)&k6 };
	uint32_t res[2 * RTE_ACL_MAX_CATEGORIES], i;
	struct dpm_err err;
	struct cfg_rule *r;
	int f;

	(void)state;
	add_session(c, "s0", -1);
	add_session(c, "s1", -1);
	assert_int_equal(ctl_acl_build(c, "empty", &acl, &err), 0);
	assert_int_equal(acl.n_categories, RTE_ACL_RESULTS_MULTIPLIER);
	assert_int_equal(acl.dflt_accept, 0x3);
	dp_acl_key4_build(&m4, &k4[0]);
	dp_acl_key4_build(&mo, &k4[1]);
	dp_acl_key6_build(&m6, &k6);
	memset(res, 0xff, sizeof(res));
	assert_int_equal(rte_acl_classify(acl.v4, d4, res, 2,
					  acl.n_categories), 0);
	for (i = 0; i < 2 * acl.n_categories; i++)
		assert_int_equal(res[i], 0);
	memset(res, 0xff, sizeof(res));
	assert_int_equal(rte_acl_classify(acl.v6, d6, res, 1,
					  acl.n_categories), 0);
	for (i = 0; i < acl.n_categories; i++)
		assert_int_equal(res[i], 0);
	assert_int_equal(dp_acl_accepted(res, 2, acl.dflt_accept), 0x3);
	ctl_acl_free(&acl);
	ctl_acl_free(&acl);

	/* An IPv4-only filter: the IPv6 context holds only the guard. */
	f = add_filter(c, "v4only", CFG_REJECT, 1);
	r = add_rule(c, f, 1, CFG_ACCEPT);
	rule_dst(r, "198.18.0.0/15");
	c->sessions[0].filter = f;
	{
		struct dp_meta pk[] = { m4, m6, mo };
		const uint32_t want[] = { 0x3, 0x2, 0x2 };

		check_cfg(c, "v4only", pk, want, 3);
	}
	cfg_del(c);
}

/* Failures name what failed and leave nothing behind. */
static void
test_errors(void **state)
{
	struct cfg *c = cfg_new();
	struct ctl_acl acl, acl2;
	struct cfg_rule *r;
	struct dpm_err err;
	int f, rc;

	(void)state;
	f = add_filter(c, "good", CFG_REJECT, 1);
	r = add_rule(c, f, 1, CFG_ACCEPT);
	r->proto = P_UDP;
	add_session(c, "s0", f);

	rc = ctl_acl_build(c, "a-name-far-too-long-for-rte-acl-ctx", &acl,
			   &err);
	assert_int_equal(rc, -ENAMETOOLONG);
	assert_null(acl.v4);
	assert_null(acl.v6);
	assert_non_null(strstr(err.msg, "a-name-far-too-long"));

	assert_int_equal(ctl_acl_build(c, "dup", &acl, &err), 0);
	rc = ctl_acl_build(c, "dup", &acl2, &err);
	assert_int_equal(rc, -EEXIST);
	assert_non_null(strstr(err.msg, "dup-v4"));
	assert_null(acl2.v4);
	/* The first ruleset survived the failed second build. */
	assert_ptr_equal(rte_acl_find_existing("dup-v4"), acl.v4);
	assert_ptr_equal(rte_acl_find_existing("dup-v6"), acl.v6);
	ctl_acl_free(&acl);
	assert_null(rte_acl_find_existing("dup-v4"));
	assert_int_equal(ctl_acl_build(c, "dup", &acl, &err), 0);
	ctl_acl_free(&acl);

	f = add_filter(c, "bad", CFG_REJECT, 1);
	r = add_rule(c, f, 10, CFG_ACCEPT);
	rule_src(r, "198.18.0.0/24");
	r->src_len = 33;
	add_session(c, "s1", f);
	rc = ctl_acl_build(c, "bad", &acl, &err);
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(err.msg, "[filter bad] rule 10"));
	assert_null(rte_acl_find_existing("bad-v4"));

	/* Unused filters are not compiled, so their faults do not matter. */
	c->sessions[1].filter = 0;
	assert_int_equal(ctl_acl_build(c, "unused", &acl, &err),
			 0);
	ctl_acl_free(&acl);

	c->sessions[1].filter = 7;
	rc = ctl_acl_build(c, "range", &acl, &err);
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(err.msg, "s1"));

	c->sessions[1].filter = -1;
	c->n_sessions = CFG_MAX_SESSIONS + 1;
	rc = ctl_acl_build(c, "many", &acl, &err);
	assert_int_equal(rc, -EINVAL);
	cfg_del(c);
}

/* Addresses the random rules and packets share, so that they often meet. */
static const char *const pool4[] = {
	"198.18.0.0", "198.18.1.0", "198.19.255.0", "198.18.128.0",
};
static const char *const pool6[] = {
	"fd00::", "fd00:0:0:1::", "fd00:0:0:1:400::", "fd00:1::",
};

/* An address of family FAM from the pool, bits from FROM on randomised. */
static void
rnd_addr(uint8_t fam, unsigned int from, uint8_t *out)
{
	unsigned int bits = fam == 4 ? 32 : 128, i;

	memset(out, 0, 16);
	assert_int_equal(inet_pton(fam == 4 ? AF_INET : AF_INET6,
				   fam == 4 ? PICK(pool4) : PICK(pool6), out),
			 1);
	for (i = from; i < bits; i++) {
		uint8_t bit = (uint8_t)(1u << (7 - i % 8));

		if (rnd(2))
			out[i / 8] |= bit;
		else
			out[i / 8] &= (uint8_t)~bit;
	}
}

static const unsigned int cut4[] = { 32, 32, 31, 28, 24, 20, 16 };
static const unsigned int cut6[] = {
	128, 128, 120, 96, 72, 70, 68, 66, 64, 48,
};
static const uint16_t port_pool[] = { 0, 53, 80, 443, 1024, 8080, 65535 };
static const uint16_t vlan_pool[] = { 0, 1, 10, 100, 4095 };

static void
rnd_cidr(uint8_t fam, struct cfg_addr *a, uint8_t *len)
{
	static const uint8_t len4[] = {
		0, 8, 15, 16, 20, 23, 24, 25, 28, 30, 31, 32,
	};
	static const uint8_t len6[] = {
		0, 16, 31, 32, 33, 48, 63, 64, 65, 66, 70, 72, 96, 127, 128,
	};

	memset(a, 0, sizeof(*a));
	a->family = fam;
	/* Bits past the prefix are left random: the compiler masks them. */
	rnd_addr(fam, fam == 4 ? PICK(cut4) : PICK(cut6), a->bytes);
	*len = fam == 4 ? PICK(len4) : PICK(len6);
}

static void
rnd_range(uint16_t *lo, uint16_t *hi)
{
	uint32_t l = PICK(port_pool), h;

	switch (rnd(4)) {
	case 0:
		h = l;
		break;
	case 1:
		h = l + rnd(16);
		break;
	case 2:
		h = l + rnd(2000);
		break;
	default:
		l = 0;
		h = 65535;
		break;
	}
	*lo = (uint16_t)l;
	*hi = (uint16_t)RTE_MIN(h, 65535u);
}

static void
rnd_rule(struct cfg_rule *r)
{
	static const int protos[] = {
		-1, -1, -1, -1, P_TCP, P_UDP, P_ICMP, P_ICMP6, P_SCTP, 0,
	};
	uint8_t fam = (uint8_t)PICK(((const uint8_t[]){ 0, 0, 4, 4, 6, 6 }));

	r->action = rnd(2) ? CFG_ACCEPT : CFG_REJECT;
	r->proto = PICK(protos);
	r->family = fam;
	if (fam != 0) {
		unsigned int which = 1 + rnd(3); /* 1 src, 2 dst, 3 both */

		if (which & 1) {
			r->has_src = true;
			rnd_cidr(fam, &r->src, &r->src_len);
		}
		if (which & 2) {
			r->has_dst = true;
			rnd_cidr(fam, &r->dst, &r->dst_len);
		}
	}
	if (rnd(4) == 0) {
		r->has_sport = true;
		rnd_range(&r->sport_lo, &r->sport_hi);
	}
	if (rnd(3) == 0) {
		r->has_dport = true;
		rnd_range(&r->dport_lo, &r->dport_hi);
	}
	r->vlan = rnd(5) == 0 ? (int)PICK(vlan_pool) : -1;
}

static void
rnd_pkt(struct dp_meta *m)
{
	static const uint8_t protos[] = {
		P_TCP, P_TCP, P_UDP, P_UDP, P_ICMP, P_ICMP6, P_SCTP, 0, 47,
	};
	uint32_t kind = rnd(100);

	memset(m, 0, sizeof(*m));
	if (rnd(2))
		m->vlan = DP_VLAN_NONE;
	else
		m->vlan = rnd(4) ? PICK(vlan_pool) : (uint16_t)rnd(4096);
	m->n_vlans = m->vlan != DP_VLAN_NONE;
	if (kind >= 85) {
		m->l3 = DP_L3_OTHER;
		m->ethertype = rnd(2) ? 0x0806 : (uint16_t)rnd32();
		if (rnd(2)) {
			/* What a parser might leave behind: ignored. */
			m->proto = (uint8_t)rnd(256);
			m->has_ports = (uint8_t)rnd(2);
			m->sport = (uint16_t)rnd32();
			m->dport = (uint16_t)rnd32();
			rnd_addr(6, 0, m->src);
			rnd_addr(6, 0, m->dst);
		}
		return;
	}
	m->l3 = kind < 45 ? DP_L3_IPV4 : DP_L3_IPV6;
	m->ethertype = m->l3 == DP_L3_IPV4 ? 0x0800 : 0x86dd;
	m->proto = rnd(8) ? PICK(protos) : (uint8_t)rnd(256);
	rnd_addr(m->l3, m->l3 == DP_L3_IPV4 ? PICK(cut4) : PICK(cut6), m->src);
	rnd_addr(m->l3, m->l3 == DP_L3_IPV4 ? PICK(cut4) : PICK(cut6), m->dst);
	if ((m->proto == P_TCP || m->proto == P_UDP || m->proto == P_SCTP) &&
	    rnd(5) != 0) {
		m->has_ports = 1;
		m->sport = rnd(2) ? PICK(port_pool) : (uint16_t)rnd32();
		m->dport = rnd(2) ? PICK(port_pool) : (uint16_t)rnd32();
	} else if (rnd(4) == 0) {
		m->flags = DP_F_FRAG;
	}
}

/* A random config: sessions, filters, rules, defaults. */
static struct cfg *
rnd_cfg(unsigned int *n_rules)
{
	struct cfg *c = cfg_new();
	unsigned int nf = 1 + rnd(6), ns = 1 + rnd(CFG_MAX_SESSIONS), i, j;

	*n_rules = 0;
	for (i = 0; i < nf; i++) {
		char name[16];
		unsigned int nr = rnd(14);
		uint32_t number = 1 + rnd(10);
		int f;

		snprintf(name, sizeof(name), "f%u", i);
		f = add_filter(c, name, rnd(2) ? CFG_ACCEPT : CFG_REJECT, nr);
		for (j = 0; j < nr; j++) {
			rnd_rule(add_rule(c, f, number, CFG_REJECT));
			number += 1 + rnd(20);
		}
		*n_rules += nr;
	}
	for (i = 0; i < ns; i++) {
		char name[16];

		snprintf(name, sizeof(name), "s%u", i);
		add_session(c, name, rnd(5) == 0 ? -1 : (int)rnd(nf));
	}
	return c;
}

static void
test_random(void **state)
{
	enum { N_SETS = 60, N_PKTS = 2000 };
	struct dp_meta *pk = calloc(N_PKTS, sizeof(*pk));
	unsigned int set, i, n_rules, total_rules = 0;
	uint64_t hits = 0, checked = 0;

	(void)state;
	assert_non_null(pk);
	for (set = 0; set < N_SETS; set++) {
		struct cfg *c = rnd_cfg(&n_rules);
		char name[16];

		total_rules += n_rules;
		for (i = 0; i < N_PKTS; i++) {
			uint32_t s;

			rnd_pkt(&pk[i]);
			/* Count how often a rule (not a default) decides. */
			for (s = 0; s < c->n_sessions; s++) {
				int fi = c->sessions[s].filter;

				checked++;
				if (fi >= 0 &&
				    ref_filter_rule(&c->filters[fi], &pk[i]))
					hits++;
			}
		}
		snprintf(name, sizeof(name), "rnd%u", set);
		check_cfg(c, name, pk, NULL, N_PKTS);
		cfg_del(c);
	}
	print_message("random: %u rulesets (%u rules) x %u packets, %" PRIu64
		      " of %" PRIu64 " session decisions made by a rule\n",
		      N_SETS, total_rules, N_PKTS, hits, checked);
	/* The generator must exercise rules, not just defaults. */
	assert_true(hits * 5 > checked);
	free(pk);
}

/* 1000 rules, 16 sessions: nothing ordinary matches, the rules are live. */
static void
test_big_filter(void **state)
{
	enum { N_RULES = 1000, N_PKTS = 2000 };
	struct cfg *c = cfg_new();
	struct dp_meta *pk = calloc(N_PKTS + 2, sizeof(*pk));
	uint32_t *want = calloc(N_PKTS + 2, sizeof(*want));
	struct timespec t0, t1;
	struct ctl_acl acl;
	struct dpm_err err;
	char a[64];
	unsigned int i;
	int f;

	(void)state;
	assert_non_null(pk);
	assert_non_null(want);
	f = add_filter(c, "big", CFG_ACCEPT, N_RULES);
	for (i = 0; i < N_RULES; i++) {
		struct cfg_rule *r = add_rule(c, f, 10 * (i + 1), CFG_REJECT);

		r->proto = P_UDP;
		if (i % 2 == 0)
			snprintf(a, sizeof(a), "198.19.%u.%u/32",
				 200 + i / 256, i % 256);
		else
			snprintf(a, sizeof(a), "fd00:ffff::%x/128", i);
		rule_dst(r, a);
		rule_dport(r, (uint16_t)(9000 + i), (uint16_t)(9000 + i));
	}
	for (i = 0; i < CFG_MAX_SESSIONS - 1; i++)
		add_session(c, "big", f);
	add_session(c, "all", -1);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ctl_acl_build(c, "big", &acl, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("big: %u rules, %u sessions built in %.1f ms\n",
		      N_RULES, c->n_sessions,
		      (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(acl.n_categories, 16);
	ctl_acl_free(&acl);

	/* Packets from 198.18.0.0/15 minus 198.19.200/22 and fd00::/16. */
	for (i = 0; i < N_PKTS; i++) {
		rnd_pkt(&pk[i]);
		if (pk[i].l3 == DP_L3_IPV4 && pk[i].dst[1] == 19)
			pk[i].dst[2] &= 0x7f;
		want[i] = 0xffff;
	}
	pk[N_PKTS] = pkt_ip(P_UDP, "198.18.0.1", "198.19.200.4", 1, 9004,
			    DP_VLAN_NONE);
	want[N_PKTS] = 0x8000;
	pk[N_PKTS + 1] = pkt_ip(P_UDP, "fd00::1", "fd00:ffff::3e7", 1, 9999,
				DP_VLAN_NONE);
	want[N_PKTS + 1] = 0x8000;
	check_cfg(c, "big", pk, want, N_PKTS + 2);
	free(want);
	free(pk);
	cfg_del(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_web),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_non_ip),
		cmocka_unit_test(test_ipv6_prefixes),
		cmocka_unit_test(test_empty_contexts),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_big_filter),
		cmocka_unit_test(test_random),
	};
	const char *seed = getenv("DPM_SEED");

	rng_state = seed != NULL ? strtoull(seed, NULL, 0) :
		(uint64_t)time(NULL);
	if (rng_state == 0)
		rng_state = 1;
	printf("test_acl: seed %" PRIu64 " (set DPM_SEED to repeat)\n",
	       rng_state);
	if (eal_test_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
