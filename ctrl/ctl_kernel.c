/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "ctl_kernel.h"
#include "kn_playground.h"
#include "kn_tc.h"

static const char *const kencap_names[] = {
	[CFG_KENCAP_VXLAN] = "vxlan",
	[CFG_KENCAP_GRETAP] = "gretap",
	[CFG_KENCAP_GENEVE] = "geneve",
	[CFG_KENCAP_ERSPAN] = "erspan",
};

static void
ip_from_cfg(const struct cfg_addr *a, struct kn_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (a->family == 0)
		return;
	ip->family = a->family == 4 ? AF_INET : AF_INET6;
	memcpy(ip->bytes, a->bytes, 16);
}

/* The kn_mirror_spec of a [kernel NAME] section. */
static void
spec_from_cfg(const struct cfg_kernel *ck, struct kn_mirror_spec *sp)
{
	const struct cfg_rule *r = &ck->match;

	memset(sp, 0, sizeof(*sp));
	sp->netns = ck->netns[0] != '\0' ? ck->netns : NULL;
	sp->dev = ck->dev;
	sp->dir = (enum kn_dir)ck->dir;
	sp->encap = kencap_names[ck->encap];
	sp->vxlan_name = ck->vxlan_name;
	sp->vx.vni = ck->vni;
	sp->vx.dstport = ck->dst_port;
	ip_from_cfg(&ck->local, &sp->vx.local);
	ip_from_cfg(&ck->remote, &sp->vx.remote);
	snprintf(sp->vx.underlay, sizeof(sp->vx.underlay), "%s", ck->underlay);
	sp->match.proto = -1;
	sp->match.sport = -1;
	sp->match.dport = -1;
	if (ck->has_match) {
		sp->match.proto = r->proto;
		sp->match.has_src = r->has_src;
		sp->match.has_dst = r->has_dst;
		ip_from_cfg(&r->src, &sp->match.src);
		ip_from_cfg(&r->dst, &sp->match.dst);
		sp->match.src_len = r->src_len;
		sp->match.dst_len = r->dst_len;
		if (r->has_sport)
			sp->match.sport = r->sport_lo;
		if (r->has_dport)
			sp->match.dport = r->dport_lo;
	}
	sp->ignore_mtu = ck->ignore_mtu;
}

int
ctl_kernel_setup(const struct cfg *cfg, struct ctl_kernel *k, char *err,
		 size_t errlen)
{
	struct kn_err e;
	unsigned int i;

	memset(k, 0, sizeof(*k));
	dpm_lock_init(&k->pg_lock);
	k->cfg = cfg;
	if (cfg->playground.present) {
		struct kn_pg_opts o = {
			.prefix = cfg->playground.prefix,
			.inline_mode = cfg->playground.inline_mode,
		};
		char prev[DPM_LOCK_STATE_MAX], msg[PATH_MAX + 64];
		FILE *devnull;
		pid_t holder;
		bool stale;
		int up, rc;

		/* Nothing is looked at or changed before the lock is ours. */
		rc = dpm_lock_take_playground(&k->pg_lock, o.prefix, prev,
					      sizeof(prev), &holder, msg,
					      sizeof(msg));
		if (rc == -EBUSY) {
			char who[32];

			snprintf(err, errlen,
				 "[playground] prefix = %s: in use by %s pid "
				 "%ld; stop it or choose another prefix",
				 o.prefix,
				 dpm_lock_holder_name(holder, who, sizeof(who)),
				 (long)holder);
			return -1;
		}
		if (rc != 0) {
			snprintf(err, errlen, "[playground] prefix = %s: %s",
				 o.prefix, msg);
			return -1;
		}
		devnull = fopen("/dev/null", "w");
		up = devnull != NULL &&
		     kn_playground_status(o.prefix, devnull, &e) == 0;
		if (devnull != NULL)
			fclose(devnull);
		snprintf(k->pg_prefix, sizeof(k->pg_prefix), "%s", o.prefix);
		k->pg_keep = cfg->playground.keep;
		/* A dead owner's playground is ours to remove, up or not. */
		stale = strcmp(prev, DPM_LOCK_PG_CREATED) == 0;
		k->pg_created = stale || !up;
		/* Recorded before anything is made, for a successor. */
		rc = dpm_lock_set_state(&k->pg_lock,
					k->pg_created ? DPM_LOCK_PG_CREATED
						      : DPM_LOCK_PG_ADOPTED);
		if (rc != 0) {
			snprintf(err, errlen,
				 "[playground] prefix = %s: cannot write "
				 "%s: %s",
				 o.prefix, k->pg_lock.path, strerror(-rc));
			dpm_lock_release(&k->pg_lock);
			return -1;
		}
		if (kn_playground_up(&o, &e) != 0) {
			snprintf(err, errlen, "[playground] prefix = %s: %s",
				 o.prefix, e.msg);
			/* Up rolled back what it made; what a dead owner
			 * made is removed too (unless keep = yes). */
			if (!stale)
				k->pg_created = false;
			ctl_kernel_teardown(k);
			return -1;
		}
	}
	for (i = 0; i < cfg->n_kernels; i++) {
		struct kn_mirror_spec sp;

		spec_from_cfg(&cfg->kernels[i], &sp);
		if (kn_mirror_add(&sp, &e) != 0) {
			snprintf(err, errlen, "[kernel %s]: %s",
				 cfg->kernels[i].name, e.msg);
			ctl_kernel_teardown(k);
			return -1;
		}
		k->n_mirrors = i + 1;
	}
	return 0;
}

void
ctl_kernel_teardown(struct ctl_kernel *k)
{
	struct kn_err e;

	while (k->n_mirrors > 0) {
		struct kn_mirror_spec sp;
		const struct cfg_kernel *ck = &k->cfg->kernels[--k->n_mirrors];

		spec_from_cfg(ck, &sp);
		if (kn_mirror_del(&sp, &e) != 0)
			fprintf(stderr, "dpmirror: [kernel %s]: %s\n", ck->name,
				e.msg);
	}
	if (k->pg_created && !k->pg_keep) {
		if (kn_playground_down(k->pg_prefix, &e) < 0)
			fprintf(stderr, "dpmirror: [playground]: %s\n", e.msg);
	}
	k->pg_created = false;
	dpm_lock_release(&k->pg_lock);
}
