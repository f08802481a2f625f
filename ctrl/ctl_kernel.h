/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_KERNEL_H
#define DPMIRROR_CTL_KERNEL_H

/*
 * The dpmirror control thread's kernel-side setup: the [playground] and
 * [kernel NAME] sections of the configuration, brought up before the EAL
 * touches any port and removed at exit.  Control thread only.
 *
 * Playground ownership: dpmirror holds the lock "playground-PREFIX"
 * (lock/dpm_lock.h) from before it looks at the playground until it has
 * removed it (or left it up) at exit, and records in it whether it created
 * the playground or adopted one that was up.  So:
 * - a playground whose lock a live process holds is refused, naming that
 *   process's pid, before anything is changed;
 * - a playground left by a dead owner (kill -9) that had created it is
 *   taken over: this run counts as its creator and removes it at exit
 *   unless keep = yes, whether it is fully up or half made;
 * - a playground that is up without a lock (made by `dpmirrorctl
 *   playground up`, or left by keep = yes), or left by a dead owner that
 *   had adopted it, is adopted: used as it is and left up at exit.
 */

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "dpm_err.h"
#include "dpm_lock.h"

struct ctl_kernel {
	bool pg_created; /* this run (or the dead owner it took over from)
			  * brought the playground up */
	bool pg_keep;	 /* leave it up at exit anyway */
	char pg_prefix[CFG_PG_PREFIX_MAX + 1];
	struct dpm_lock pg_lock; /* held while a [playground] is in use */
	unsigned int n_mirrors;	 /* [kernel] sections set up so far */
	const struct cfg *cfg;
};

/*
 * Bring up what CFG asks for (see above for the playground).  Returns 0,
 * or a negative errno with a message in ERR; then whatever this call set
 * up has been removed again and the playground lock is released.  A
 * playground that another live process owns is refused with the message
 * "[playground] prefix = P: in use by dpmirror pid N; stop it or choose
 * another prefix".
 */
int ctl_kernel_setup(const struct cfg *cfg, struct ctl_kernel *k,
		     struct dpm_err *err);

/* Remove what ctl_kernel_setup set up (mirrors, then the playground when
 * this run owns it as its creator and keep = no), then release the
 * playground lock. */
void ctl_kernel_teardown(struct ctl_kernel *k);

#endif /* DPMIRROR_CTL_KERNEL_H */
