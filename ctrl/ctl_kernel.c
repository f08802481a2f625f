/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "ctl_kernel.h"
#include "kn_playground.h"
#include "cfg_kernel.h"
#include "kn_mirror.h"

int
ctl_kernel_setup(const struct cfg *cfg, struct ctl_kernel *k,
		 struct dpm_err *err)
{
	struct dpm_err e;
	unsigned int i;

	memset(k, 0, sizeof(*k));
	dpm_lock_init(&k->pg_lock);
	k->cfg = cfg;
	if (cfg->playground.present) {
		struct kn_pg_opts o = {
			.prefix = cfg->playground.prefix,
			.inline_mode = cfg->playground.inline_mode,
		};
		char prev[DPM_LOCK_STATE_MAX];
		struct dpm_err le;
		FILE *devnull;
		pid_t holder;
		bool stale;
		int up, rc;

		/* Nothing is looked at or changed before the lock is ours. */
		rc = dpm_lock_take_playground(&k->pg_lock, o.prefix, prev,
					      sizeof(prev), &holder, &le);
		if (rc == -EBUSY) {
			char who[32];

			return dpm_fail(
				err, EBUSY,
				"[playground] prefix = %s: in use by "
				"%s pid %ld; stop it or choose another "
				"prefix",
				o.prefix,
				dpm_lock_holder_name(holder, who, sizeof(who)),
				(long)holder);
		}
		if (rc != 0) {
			return dpm_fail(err, rc, "[playground] prefix = %s: %s",
					o.prefix, le.msg);
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
			dpm_fail(
				err, rc,
				"[playground] prefix = %s: cannot write %s: %s",
				o.prefix, k->pg_lock.path, strerror(-rc));
			dpm_lock_release(&k->pg_lock);
			return rc;
		}
		rc = kn_playground_up(&o, &e);
		if (rc != 0) {
			dpm_fail(err, rc, "[playground] prefix = %s: %s",
				 o.prefix, e.msg);
			/* Up rolled back what it made; what a dead owner
			 * made is removed too (unless keep = yes). */
			if (!stale)
				k->pg_created = false;
			ctl_kernel_teardown(k);
			return rc;
		}
	}
	for (i = 0; i < cfg->n_kernels; i++) {
		struct kn_mirror_spec sp;
		int rc;

		cfg_kernel_spec(&cfg->kernels[i], &sp);
		rc = kn_mirror_add(&sp, &e);
		if (rc != 0) {
			dpm_fail(err, rc, "[kernel %s]: %s",
				 cfg->kernels[i].name, e.msg);
			ctl_kernel_teardown(k);
			return rc;
		}
		k->n_mirrors = i + 1;
	}
	return 0;
}

void
ctl_kernel_teardown(struct ctl_kernel *k)
{
	struct dpm_err e;

	while (k->n_mirrors > 0) {
		struct kn_mirror_spec sp;
		const struct cfg_kernel *ck = &k->cfg->kernels[--k->n_mirrors];

		cfg_kernel_spec(ck, &sp);
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
