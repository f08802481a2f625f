/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_malloc.h>

#include "ctl_acl.h"
#include "ctl_bpf.h"
#include "ctl_log.h"
#include "ctl_ruleset.h"
#include "dp_mirror.h"

_Static_assert(CFG_ENCAP_VXLAN == (int)DP_ENCAP_VXLAN &&
		       CFG_ENCAP_GENEVE == (int)DP_ENCAP_GENEVE &&
		       CFG_ENCAP_GRE == (int)DP_ENCAP_GRE &&
		       CFG_ENCAP_ERSPAN2 == (int)DP_ENCAP_ERSPAN2 &&
		       CFG_ENCAP_ERSPAN3 == (int)DP_ENCAP_ERSPAN3 &&
		       CFG_ENCAP_NONE == (int)DP_ENCAP_NONE,
	       "the configuration's encapsulations are the dataplane's");

static int
collector_build(const struct cfg_collector *cc, const struct ctl_port *p,
		struct dp_collector *dc)
{
	struct dp_encap_params ep;

	memset(&ep, 0, sizeof(ep));
	ep.type = (uint8_t)cc->encap;
	ep.family = cc->encap == CFG_ENCAP_NONE ? 0 : cc->remote_ip.family;
	memcpy(ep.dst_mac, cc->remote_mac, 6);
	if (cc->local_mac_set)
		memcpy(ep.src_mac, cc->local_mac, 6);
	else
		memcpy(ep.src_mac, p->mac.addr_bytes, 6);
	memcpy(ep.src_ip, cc->local_ip.bytes, 16);
	memcpy(ep.dst_ip, cc->remote_ip.bytes, 16);
	ep.vni = cc->vni;
	ep.dst_port = cc->dst_port;
	ep.ttl = cc->ttl;
	ep.dscp = cc->dscp;
	ep.gre_key_set = cc->key_set;
	ep.gre_key = cc->key;
	ep.gre_seq = cc->seq;
	ep.session_id = cc->session_id;
	ep.vlan = cc->vlan;
	if (dp_encap_tmpl_init(&dc->tmpl, &ep) != 0)
		return -1;
	dc->tmpl.hw_ip_cksum = p->hw_ip_cksum && ep.family == 4;
	/* Not given: the NIC's where the port has the offload on. */
	if (cc->udp6_checksum == CFG_UDP6_ZERO)
		dc->tmpl.udp6_csum = DP_UDP6_ZERO;
	else if (cc->udp6_checksum != CFG_UDP6_COMPUTE && p->hw_udp_cksum)
		dc->tmpl.udp6_csum = DP_UDP6_OFFLOAD;
	else
		dc->tmpl.udp6_csum = DP_UDP6_COMPUTE;
	/* remote_mac = auto leaves remote_mac zero until the next hop
	 * answers (the control thread fills it in): never send to it. */
	dc->no_neighbor =
		cc->remote_mac_auto && cfg_mac_is_zero(cc->remote_mac);
	dc->port = (uint16_t)cc->port;
	dc->clone_ok = p->multiseg;
	dc->max_frame = (uint32_t)p->mtu + RTE_ETHER_HDR_LEN;
	/* A plain copy is a frame on the collector's wire: like any frame
	 * on a VLAN trunk it may carry one 802.1Q tag beyond the MTU, the
	 * original's or the one added. */
	if (cc->encap == CFG_ENCAP_NONE)
		dc->max_frame += RTE_VLAN_HLEN;
	/* The tag goes behind the MAC addresses, before the EtherType: a
	 * frame needs both. */
	if (cc->encap == CFG_ENCAP_NONE && cc->vlan != 0)
		dc->min_inner = RTE_ETHER_HDR_LEN;
	/* Without multi-segment tx every copy is one flat mbuf. */
	if (!dc->clone_ok)
		dc->max_frame =
			RTE_MIN(dc->max_frame,
				(uint32_t)(dc->tmpl.len + DP_MIRROR_COPY_MAX));
	return 0;
}

/* The largest frame a collector of RS sends: what a rate's burst holds. */
static uint32_t
largest_frame(const struct dp_ruleset *rs)
{
	uint32_t i, m = 0;

	for (i = 0; i < rs->n_coll; i++)
		m = RTE_MAX(m, rs->coll[i].max_frame);
	return m;
}

/*
 * The session's cap: the bucket its workers share (ds->rate), 50 ms of
 * the rate or two jumbo copies, whichever is more.
 */
static int
session_meter(const struct cfg_session *cs, unsigned int n_workers,
	      uint32_t max_frame, struct dp_session *ds)
{
	uint64_t burst;

	if (cs->rate_bps == 0)
		return 0;
	burst = RTE_MAX(cs->rate_bps / 8 / 20, (uint64_t)2 * 9100);
	return dp_rate_prof_init(&ds->rate, cs->rate_bps, burst,
				 rte_get_tsc_hz(), n_workers, max_frame);
}

/* How many workers receive the traffic of session S. */
static unsigned int
session_workers(const struct dp_ruleset *rs, unsigned int s,
		const uint64_t *port_workers)
{
	uint64_t w = 0;
	unsigned int p;

	for (p = 0; p < DP_MAX_PORTS; p++)
		if (rs->want[p] & (1u << s))
			w |= port_workers[p];
	return (unsigned int)__builtin_popcountll(w);
}

struct dp_ruleset *
ctl_ruleset_build(const struct cfg *cfg, const struct ctl_ports *ports,
		  const uint64_t *port_workers, uint64_t generation,
		  struct dpm_err *e)
{
	return ctl_ruleset_build_slots(cfg, NULL, NULL, ports, port_workers,
				       generation, e);
}

struct dp_ruleset *
ctl_ruleset_build_slots(const struct cfg *cfg, const int *slot,
			const int *cslot, const struct ctl_ports *ports,
			const uint64_t *port_workers, uint64_t generation,
			struct dpm_err *e)
{
	struct dp_ruleset *rs;
	struct ctl_acl acl;
	char name[32];
	uint32_t rx[DP_MAX_PORTS], tx[DP_MAX_PORTS];
	unsigned int i, j, n_sock;

	rs = rte_zmalloc("dpm_ruleset", sizeof(*rs), RTE_CACHE_LINE_SIZE);
	if (rs == NULL) {
		dpm_fail(e, ENOMEM,
			 "out of DPDK memory for the ruleset; give the EAL "
			 "more memory (-m)");
		return NULL;
	}
	rs->generation = generation;
	rs->copy_max = cfg->copy_max;

	for (i = 0; i < cfg->n_collectors; i++) {
		const struct cfg_collector *cc = &cfg->collectors[i];

		/* The offload is set up with the port, at start. */
		if (cc->udp6_checksum == CFG_UDP6_OFFLOAD &&
		    !ports->p[cc->port].hw_udp_cksum) {
			dpm_fail(e, EINVAL,
				 "[collector %s] udp6_checksum = offload: "
				 "port %s was started without the UDP "
				 "checksum offload; give udp6_checksum = "
				 "compute, or restart dpmirror",
				 cc->name, cfg->ports[cc->port].name);
			goto fail;
		}
		if (collector_build(cc, &ports->p[cc->port], &rs->coll[i]) !=
		    0) {
			dpm_fail(e, EINVAL,
				 "[collector %s]: cannot build the "
				 "outer header template",
				 cc->name);
			goto fail;
		}
		if (cslot != NULL &&
		    (cslot[i] < 0 || cslot[i] >= DP_MAX_COLL_SLOTS)) {
			dpm_fail(e, EINVAL,
				 "[collector %s]: slot %d out of range",
				 cc->name, cslot[i]);
			goto fail;
		}
		rs->coll[i].slot =
			(uint16_t)(cslot != NULL ? cslot[i] : (int)i);
		if (cc->encap == CFG_ENCAP_GRE ||
		    cc->encap == CFG_ENCAP_ERSPAN2 ||
		    cc->encap == CFG_ENCAP_ERSPAN3)
			rs->own_gre = 1;
		if (cc->encap == CFG_ENCAP_ERSPAN3)
			rs->timestamps = 1;
		if (dp_encap_has_seq(&rs->coll[i].tmpl))
			rs->seqs = 1;
	}
	rs->n_coll = cfg->n_collectors;

	memset(rx, 0, sizeof(rx));
	memset(tx, 0, sizeof(tx));

	for (i = 0; i < cfg->n_sessions; i++) {
		const struct cfg_session *cs = &cfg->sessions[i];
		const int k = slot != NULL ? slot[i] : (int)i;
		struct dp_session *ds;

		if (k < 0)
			continue;
		if (k >= DP_MAX_SESSIONS) {
			dpm_fail(e, EINVAL,
				 "[session %s]: slot %d out of range", cs->name,
				 k);
			goto fail;
		}
		ds = &rs->sess[k];
		ds->sample_epoch = generation;
		ds->meter_epoch = generation;
		ds->snaplen = cs->snaplen;
		if (cs->filter >= 0)
			rs->filtered |= 1u << k;
		if (cs->filter >= 0 && cfg->filters[cs->filter].expression) {
			const struct cfg_filter *cf = &cfg->filters[cs->filter];

			if (ctl_bpf_build(cf->name, cf->expression, &rs->bpf[k],
					  e) != 0)
				goto fail;
			rs->bpf_mask |= 1u << k;
		}
		ds->sample = cs->sample;
		ds->n_coll = (uint8_t)cs->n_collectors;
		for (j = 0; j < cs->n_collectors; j++)
			ds->coll[j] = (uint8_t)cs->collectors[j];
		for (j = 0; j < cs->n_sources; j++) {
			const struct cfg_source *src = &cs->sources[j];
			unsigned int q;

			if (src->dir & CFG_DIR_RX)
				rx[src->port] |= 1u << k;
			if (!(src->dir & CFG_DIR_TX))
				continue;
			/* tx of p = what the ports whose peer is p receive */
			for (q = 0; q < cfg->n_ports; q++)
				if (cfg->ports[q].peer == src->port)
					tx[q] |= 1u << k;
		}
		for (j = 0; j < DP_MAX_PORTS; j++) {
			rs->want[j] |= (rx[j] | tx[j]) & (1u << k);
			/* Wanted as p's rx and as its peer's tx: the copy
			 * is the ingress one. */
			rs->egress[j] |= tx[j] & ~rx[j] & (1u << k);
		}
		if (session_meter(
			    cs,
			    session_workers(rs, (unsigned int)k, port_workers),
			    largest_frame(rs), ds) != 0) {
			dpm_fail(e, EINVAL,
				 "[session %s] rate = %llu: the "
				 "meter rejects this rate",
				 cs->name, (unsigned long long)cs->rate_bps);
			goto fail;
		}
	}

	/* Own copies are looked for on every port that is mirrored or that
	 * copies leave by. */
	for (i = 0; i < DP_MAX_PORTS; i++)
		if (rs->want[i] != 0)
			rs->own_ports |= 1u << i;
	for (i = 0; i < rs->n_coll; i++) {
		const int enc = cfg->collectors[i].encap;

		if (enc == CFG_ENCAP_NONE)
			continue; /* no outer header to recognise */
		rs->own_ports |= 1u << rs->coll[i].port;
		if (enc != CFG_ENCAP_VXLAN && enc != CFG_ENCAP_GENEVE)
			continue; /* GRE: own_gre */
		for (j = 0; j < rs->n_own_dports; j++)
			if (rs->own_dport[j] == cfg->collectors[i].dst_port)
				break;
		if (j == rs->n_own_dports)
			rs->own_dport[rs->n_own_dports++] =
				cfg->collectors[i].dst_port;
	}

	/* The same contexts in the memory of each socket with workers (one,
	 * on any socket, for ports set up without workers' sockets). */
	n_sock = RTE_MAX(ports->n_sock, 1u);
	for (i = 0; i < n_sock && i < DP_MAX_SOCKETS; i++) {
		if (i == 0)
			snprintf(name, sizeof(name), "dpm%llu",
				 (unsigned long long)generation);
		else
			snprintf(name, sizeof(name), "dpm%llu-s%u",
				 (unsigned long long)generation, i);
		if (ctl_acl_build_on(cfg, slot, name,
				     ports->n_sock > 0 ? ports->sock[i]
						       : SOCKET_ID_ANY,
				     &acl, e) != 0)
			goto fail;
		rs->acl4[i] = acl.v4;
		rs->acl6[i] = acl.v6;
	}
	rs->n_categories = acl.n_categories;
	rs->acl_empty = acl.empty;
	rs->n_sessions = acl.n_sessions;
	rs->dflt_accept = acl.dflt_accept;
	return rs;
fail:
	ctl_ruleset_free(rs);
	return NULL;
}

void
ctl_ruleset_free(struct dp_ruleset *rs)
{
	struct ctl_acl acl;
	unsigned int s;

	if (rs == NULL)
		return;
	for (s = 0; s < DP_MAX_SESSIONS; s++)
		ctl_bpf_free(rs->bpf[s]);
	for (s = 0; s < DP_MAX_SOCKETS; s++) {
		memset(&acl, 0, sizeof(acl));
		acl.v4 = rs->acl4[s];
		acl.v6 = rs->acl6[s];
		ctl_acl_free(&acl);
	}
	rte_free(rs);
}
