/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The rule compiler: cfg filters and sessions -> two rte_acl contexts.
 *
 * Every rule of a used filter becomes one rte_acl rule in the IPv4 context,
 * the IPv6 context or both (see ctl_acl.h for the placement), with the
 * category mask of the sessions using the filter, a priority that falls with
 * the rule's position in ascending rule-number order, and DP_ACL_ACCEPT or
 * DP_ACL_REJECT as userdata.  All rule values are in host byte order, as
 * rte_acl_add_rules() wants them.
 */

#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "cfg.h"
#include "ctl_acl.h"
#include "dp_acl.h"
#include "dpm_err.h"

/* A filter flags value no key carries: the guard rule of an empty context. */
#define CTL_ACL_NEVER_FLAGS (DP_KEY_F_IP4 | DP_KEY_F_IP6)

/* A rule that names any of proto/src/dst/sport/dport never matches non-IP. */
static int
rule_is_ip(const struct cfg_rule *r)
{
	return r->proto >= 0 || r->has_src || r->has_dst || r->has_sport ||
	       r->has_dport;
}

/* Host-order value of the 32-bit word W of ADDR, keeping LEN prefix bits. */
static uint32_t
addr_word(const uint8_t *addr, unsigned int w, uint32_t len)
{
	uint32_t v;

	v = (uint32_t)addr[4 * w] << 24 | (uint32_t)addr[4 * w + 1] << 16 |
	    (uint32_t)addr[4 * w + 2] << 8 | (uint32_t)addr[4 * w + 3];
	if (len == 0)
		return 0;
	if (len < 32)
		v &= UINT32_MAX << (32 - len);
	return v;
}

/* Length of the slice of a LEN-bit prefix that falls in 32-bit word W. */
static uint32_t
prefix_slice(uint32_t len, unsigned int w)
{
	uint32_t lo = 32 * w;

	if (len <= lo)
		return 0;
	return RTE_MIN(len - lo, 32u);
}

/*
 * Check what the compiler relies on; cfg_load() already guarantees all of
 * it for a loaded file, this guards hand-built configs.
 */
static int
rule_check(const struct cfg_filter *f, const struct cfg_rule *r,
	   struct dpm_err *e)
{
	const char *what = NULL;
	uint8_t fam = r->family;

	if (r->proto < -1 || r->proto > 255)
		what = "proto out of 0..255";
	else if (fam != 0 && fam != 4 && fam != 6)
		what = "family is neither 4 nor 6";
	else if ((r->has_src || r->has_dst) && fam == 0)
		what = "src/dst given but no address family";
	else if (r->has_src && r->src.family != fam)
		what = "src address family differs from the rule's";
	else if (r->has_dst && r->dst.family != fam)
		what = "dst address family differs from the rule's";
	else if (r->has_src && r->src_len > (fam == 4 ? 32 : 128))
		what = "src prefix length too long";
	else if (r->has_dst && r->dst_len > (fam == 4 ? 32 : 128))
		what = "dst prefix length too long";
	else if (r->has_sport && r->sport_lo > r->sport_hi)
		what = "sport range is empty";
	else if (r->has_dport && r->dport_lo > r->dport_hi)
		what = "dport range is empty";
	else if (r->vlan < -1 || r->vlan > 4095)
		what = "vlan out of 0..4095";
	else if (r->action != CFG_ACCEPT && r->action != CFG_REJECT)
		what = "action is neither accept nor reject";
	if (what == NULL)
		return 0;
	return dpm_fail(e, EINVAL, "[filter %s] rule %u: %s", f->name,
			r->number, what);
}

/* Fields common to both contexts: proto, ports, vlan. */
static void
fill_proto(struct rte_acl_field *fld, const struct cfg_rule *r)
{
	if (r->proto >= 0) {
		fld->value.u8 = (uint8_t)r->proto;
		fld->mask_range.u8 = UINT8_MAX;
	}
}

static void
fill_range(struct rte_acl_field *fld, bool has, uint16_t lo, uint16_t hi)
{
	fld->value.u16 = has ? lo : 0;
	fld->mask_range.u16 = has ? hi : UINT16_MAX;
}

static void
fill_vlan(struct rte_acl_field *fld, const struct cfg_rule *r)
{
	/* Untagged packets carry DP_VLAN_NONE, outside 0..4095. */
	fld->value.u16 = r->vlan >= 0 ? (uint16_t)r->vlan : 0;
	fld->mask_range.u16 = r->vlan >= 0 ? (uint16_t)r->vlan : UINT16_MAX;
}

/* Flags a packet must carry in a context whose IP flag is IPFLAG. */
static void
fill_flags(struct rte_acl_field *fld, const struct cfg_rule *r, uint16_t ipflag)
{
	uint16_t f = 0;

	if (rule_is_ip(r)) {
		f = ipflag;
		if (r->has_sport || r->has_dport)
			f |= DP_KEY_F_PORTS;
	}
	fld->value.u16 = f;
	fld->mask_range.u16 = f;
}

static void
rule4_fill(struct dp_acl_rule4 *a, const struct cfg_rule *r)
{
	memset(a, 0, sizeof(*a));
	fill_proto(&a->field[DP_ACL4_PROTO], r);
	if (r->has_src) {
		a->field[DP_ACL4_SRC].value.u32 =
			addr_word(r->src.bytes, 0, r->src_len);
		a->field[DP_ACL4_SRC].mask_range.u32 = r->src_len;
	}
	if (r->has_dst) {
		a->field[DP_ACL4_DST].value.u32 =
			addr_word(r->dst.bytes, 0, r->dst_len);
		a->field[DP_ACL4_DST].mask_range.u32 = r->dst_len;
	}
	fill_range(&a->field[DP_ACL4_SPORT], r->has_sport, r->sport_lo,
		   r->sport_hi);
	fill_range(&a->field[DP_ACL4_DPORT], r->has_dport, r->dport_lo,
		   r->dport_hi);
	fill_vlan(&a->field[DP_ACL4_VLAN], r);
	fill_flags(&a->field[DP_ACL4_FLAGS], r, DP_KEY_F_IP4);
}

static void
rule6_fill(struct dp_acl_rule6 *a, const struct cfg_rule *r)
{
	unsigned int w;

	memset(a, 0, sizeof(*a));
	fill_proto(&a->field[DP_ACL6_PROTO], r);
	for (w = 0; w < 4; w++) {
		if (r->has_src) {
			a->field[DP_ACL6_SRC0 + w].value.u32 = addr_word(
				r->src.bytes, w, prefix_slice(r->src_len, w));
			a->field[DP_ACL6_SRC0 + w].mask_range.u32 =
				prefix_slice(r->src_len, w);
		}
		if (r->has_dst) {
			a->field[DP_ACL6_DST0 + w].value.u32 = addr_word(
				r->dst.bytes, w, prefix_slice(r->dst_len, w));
			a->field[DP_ACL6_DST0 + w].mask_range.u32 =
				prefix_slice(r->dst_len, w);
		}
	}
	fill_range(&a->field[DP_ACL6_SPORT], r->has_sport, r->sport_lo,
		   r->sport_hi);
	fill_range(&a->field[DP_ACL6_DPORT], r->has_dport, r->dport_lo,
		   r->dport_hi);
	fill_vlan(&a->field[DP_ACL6_VLAN], r);
	fill_flags(&a->field[DP_ACL6_FLAGS], r, DP_KEY_F_IP6);
}

/*
 * The index of every rule of F in ascending rule-number order (ties keep
 * their array order).  Insertion sort: the rules normally come sorted.
 */
static void
rule_order(const struct cfg_filter *f, uint32_t *order)
{
	uint32_t i, j, v;

	for (i = 0; i < f->n_rules; i++) {
		v = i;
		for (j = i; j > 0 &&
			    f->rules[order[j - 1]].number > f->rules[v].number;
		     j--)
			order[j] = order[j - 1];
		order[j] = v;
	}
}

static struct rte_acl_ctx *
ctx_create(const char *name, const char *suffix, int socket,
	   uint32_t num_fields, uint32_t max_rules, struct dpm_err *e, int *rc)
{
	char cname[RTE_ACL_NAMESIZE];
	struct rte_acl_param prm;
	struct rte_acl_ctx *ctx;
	int n;

	n = snprintf(cname, sizeof(cname), "%s-%s", name, suffix);
	if (n < 0 || (size_t)n >= sizeof(cname)) {
		*rc = dpm_fail(e, ENAMETOOLONG,
			       "ACL context name \"%s-%s\" is longer than %u "
			       "bytes",
			       name, suffix, RTE_ACL_NAMESIZE - 1);
		return NULL;
	}
	/* rte_acl_create() would hand back an existing context of that name. */
	if (rte_acl_find_existing(cname) != NULL) {
		*rc = dpm_fail(e, EEXIST, "ACL context \"%s\" already exists",
			       cname);
		return NULL;
	}
	memset(&prm, 0, sizeof(prm));
	prm.name = cname;
	prm.socket_id = socket;
	prm.rule_size = RTE_ACL_RULE_SZ(num_fields);
	prm.max_rule_num = max_rules;
	/* rte_acl_find_existing() left ENOENT; allocation failures set none. */
	rte_errno = 0;
	ctx = rte_acl_create(&prm);
	if (ctx == NULL && socket != SOCKET_ID_ANY) {
		/* A socket without memory of its own (no hugepages there):
		 * anywhere the EAL has some, and the build follows it. */
		prm.socket_id = SOCKET_ID_ANY;
		rte_errno = 0;
		ctx = rte_acl_create(&prm);
	}
	if (ctx == NULL) {
		int errnum = rte_errno != 0 ? rte_errno : ENOMEM;

		*rc = dpm_fail(e, errnum,
			       "cannot create ACL context \"%s\": %s", cname,
			       rte_strerror(errnum));
	}
	return ctx;
}

/* Build CTX with its rules; add the guard rule first if it has none. */
static int
ctx_build(struct rte_acl_ctx *ctx, const char *what, uint32_t n_rules,
	  const struct rte_acl_field_def *defs, uint32_t num_fields,
	  uint32_t n_categories, void *guard, struct dpm_err *e)
{
	struct rte_acl_config bcfg;
	int rc;

	if (n_rules == 0) {
		rc = rte_acl_add_rules(ctx, guard, 1);
		if (rc != 0) {
			return dpm_fail(e, rc,
					"%s ACL context: adding the guard rule "
					"failed: %s",
					what, strerror(-rc));
		}
	}
	memset(&bcfg, 0, sizeof(bcfg));
	bcfg.num_categories = n_categories;
	bcfg.num_fields = num_fields;
	memcpy(bcfg.defs, defs, num_fields * sizeof(defs[0]));
	bcfg.max_size = 0;
	rc = rte_acl_build(ctx, &bcfg);
	if (rc != 0)
		return dpm_fail(e, rc,
				"building the %s ACL context (%u rules, %u "
				"categories) failed: %s",
				what, n_rules, n_categories, strerror(-rc));
	return 0;
}

int
ctl_acl_build(const struct cfg *cfg, const char *name, struct ctl_acl *acl,
	      struct dpm_err *e)
{
	return ctl_acl_build_slots(cfg, NULL, name, acl, e);
}

int
ctl_acl_build_slots(const struct cfg *cfg, const int *slot, const char *name,
		    struct ctl_acl *acl, struct dpm_err *e)
{
	return ctl_acl_build_on(cfg, slot, name, SOCKET_ID_ANY, acl, e);
}

int
ctl_acl_build_on(const struct cfg *cfg, const int *slot, const char *name,
		 int socket, struct ctl_acl *acl, struct dpm_err *e)
{
	uint32_t users[CFG_MAX_FILTERS];
	struct dp_acl_rule4 *r4 = NULL, guard4;
	struct dp_acl_rule6 *r6 = NULL, guard6;
	uint32_t *order = NULL;
	uint32_t n4 = 0, n6 = 0, max_rules = 0, n_slots = 0, i, j;
	int rc = 0;

	memset(acl, 0, sizeof(*acl));
	if (e != NULL)
		e->msg[0] = '\0';
	if (cfg->n_sessions > CFG_MAX_SESSIONS ||
	    cfg->n_sessions > RTE_ACL_MAX_CATEGORIES) {
		return dpm_fail(
			e, EINVAL, "%u sessions, at most %u are supported",
			cfg->n_sessions,
			RTE_MIN(CFG_MAX_SESSIONS, RTE_ACL_MAX_CATEGORIES));
	}
	if (cfg->n_filters > CFG_MAX_FILTERS) {
		return dpm_fail(e, EINVAL,
				"%u filters, at most %u are supported",
				cfg->n_filters, CFG_MAX_FILTERS);
	}

	/* Which sessions use each filter; who accepts unmatched packets. */
	memset(users, 0, sizeof(users));
	for (i = 0; i < cfg->n_sessions; i++) {
		const struct cfg_session *s = &cfg->sessions[i];
		int k = slot != NULL ? slot[i] : (int)i;

		if (k < 0)
			continue;
		if (k >= (int)CFG_MAX_SESSIONS ||
		    k >= (int)RTE_ACL_MAX_CATEGORIES)
			return dpm_fail(e, EINVAL,
					"[session %s] slot %d out of range",
					s->name, k);
		n_slots = RTE_MAX(n_slots, (uint32_t)k + 1);
		if (s->filter < 0) {
			acl->dflt_accept |= 1u << k;
			continue;
		}
		if ((unsigned int)s->filter >= cfg->n_filters) {
			return dpm_fail(e, EINVAL,
					"[session %s] filter index %d out of "
					"range",
					s->name, s->filter);
		}
		users[s->filter] |= 1u << k;
		if (cfg->filters[s->filter].dflt == CFG_ACCEPT)
			acl->dflt_accept |= 1u << k;
	}
	acl->n_sessions = n_slots;
	/* One category for one session slot (rte_acl takes 1 or a
	 * multiple of RTE_ACL_RESULTS_MULTIPLIER): classify then writes
	 * one result per packet, not four. */
	acl->n_categories =
		n_slots <= 1
			? 1
			: RTE_ALIGN_CEIL(n_slots, RTE_ACL_RESULTS_MULTIPLIER);

	/* Count the rules of each context, checking them on the way. */
	for (i = 0; i < cfg->n_filters; i++) {
		const struct cfg_filter *f = &cfg->filters[i];

		if (users[i] == 0)
			continue;
		if (f->n_rules > 0 && f->rules == NULL) {
			return dpm_fail(e, EINVAL,
					"[filter %s] has %u rules but no rule "
					"array",
					f->name, f->n_rules);
		}
		max_rules = RTE_MAX(max_rules, f->n_rules);
		for (j = 0; j < f->n_rules; j++) {
			const struct cfg_rule *r = &f->rules[j];

			rc = rule_check(f, r, e);
			if (rc != 0)
				return rc;
			n4 += r->family != 6;
			n6 += r->family != 4;
		}
	}

	acl->empty = (n4 == 0 ? 1u : 0u) | (n6 == 0 ? 2u : 0u);
	r4 = calloc(RTE_MAX(n4, 1u), sizeof(*r4));
	r6 = calloc(RTE_MAX(n6, 1u), sizeof(*r6));
	order = calloc(RTE_MAX(max_rules, 1u), sizeof(*order));
	if (r4 == NULL || r6 == NULL || order == NULL) {
		rc = dpm_fail(e, ENOMEM, "out of memory for %u+%u ACL rules",
			      n4, n6);
		goto out;
	}

	acl->v4 = ctx_create(name, "v4", socket, DP_ACL4_NUM_FIELDS,
			     RTE_MAX(n4, 1u), e, &rc);
	if (acl->v4 == NULL)
		goto out;
	acl->v6 = ctx_create(name, "v6", socket, DP_ACL6_NUM_FIELDS,
			     RTE_MAX(n6, 1u), e, &rc);
	if (acl->v6 == NULL)
		goto out;

	/* Add each filter's rules as one batch, so failures name it. */
	for (i = 0; i < cfg->n_filters; i++) {
		const struct cfg_filter *f = &cfg->filters[i];
		uint32_t k4 = 0, k6 = 0;

		if (users[i] == 0 || f->n_rules == 0)
			continue;
		rule_order(f, order);
		for (j = 0; j < f->n_rules; j++) {
			const struct cfg_rule *r = &f->rules[order[j]];
			struct rte_acl_rule_data d = {
				.category_mask = users[i],
				.priority = RTE_ACL_MAX_PRIORITY - (int32_t)j,
				.userdata = r->action == CFG_ACCEPT
						    ? DP_ACL_ACCEPT
						    : DP_ACL_REJECT,
			};

			if (r->family != 6) {
				rule4_fill(&r4[k4], r);
				r4[k4++].data = d;
			}
			if (r->family != 4) {
				rule6_fill(&r6[k6], r);
				r6[k6++].data = d;
			}
		}
		if (k4 > 0) {
			rc = rte_acl_add_rules(
				acl->v4, (const struct rte_acl_rule *)r4, k4);
			if (rc != 0) {
				dpm_fail(e, rc,
					 "[filter %s] adding %u IPv4 ACL rules "
					 "failed: %s",
					 f->name, k4, strerror(-rc));
				goto out;
			}
		}
		if (k6 > 0) {
			rc = rte_acl_add_rules(
				acl->v6, (const struct rte_acl_rule *)r6, k6);
			if (rc != 0) {
				dpm_fail(e, rc,
					 "[filter %s] adding %u IPv6 ACL rules "
					 "failed: %s",
					 f->name, k6, strerror(-rc));
				goto out;
			}
		}
	}

	/*
	 * The guard rule: category 0, lowest priority, and flags that demand
	 * both IP4 and IP6, which no key carries.  It only keeps an otherwise
	 * empty context buildable.
	 */
	memset(&guard4, 0, sizeof(guard4));
	guard4.data.category_mask = 1;
	guard4.data.priority = RTE_ACL_MIN_PRIORITY;
	guard4.data.userdata = DP_ACL_REJECT;
	guard4.field[DP_ACL4_SPORT].mask_range.u16 = UINT16_MAX;
	guard4.field[DP_ACL4_DPORT].mask_range.u16 = UINT16_MAX;
	guard4.field[DP_ACL4_VLAN].mask_range.u16 = UINT16_MAX;
	guard4.field[DP_ACL4_FLAGS].value.u16 = CTL_ACL_NEVER_FLAGS;
	guard4.field[DP_ACL4_FLAGS].mask_range.u16 = CTL_ACL_NEVER_FLAGS;
	memset(&guard6, 0, sizeof(guard6));
	guard6.data = guard4.data;
	guard6.field[DP_ACL6_SPORT].mask_range.u16 = UINT16_MAX;
	guard6.field[DP_ACL6_DPORT].mask_range.u16 = UINT16_MAX;
	guard6.field[DP_ACL6_VLAN].mask_range.u16 = UINT16_MAX;
	guard6.field[DP_ACL6_FLAGS].value.u16 = CTL_ACL_NEVER_FLAGS;
	guard6.field[DP_ACL6_FLAGS].mask_range.u16 = CTL_ACL_NEVER_FLAGS;

	rc = ctx_build(acl->v4, "IPv4", n4, dp_acl_defs4, DP_ACL4_NUM_FIELDS,
		       acl->n_categories, &guard4, e);
	if (rc != 0)
		goto out;
	rc = ctx_build(acl->v6, "IPv6", n6, dp_acl_defs6, DP_ACL6_NUM_FIELDS,
		       acl->n_categories, &guard6, e);
out:
	free(order);
	free(r6);
	free(r4);
	if (rc != 0) {
		ctl_acl_free(acl);
		memset(acl, 0, sizeof(*acl));
	}
	return rc;
}

void
ctl_acl_free(struct ctl_acl *acl)
{
	if (acl == NULL)
		return;
	rte_acl_free(acl->v4);
	rte_acl_free(acl->v6);
	acl->v4 = NULL;
	acl->v6 = NULL;
}
