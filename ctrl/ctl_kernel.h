/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_KERNEL_H
#define DPMIRROR_CTL_KERNEL_H

/*
 * The dpmirror control thread's kernel-side setup: the [playground] and
 * [kernel NAME] sections of the configuration, brought up before the EAL
 * touches any port and removed at exit.  Control thread only.
 */

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"

struct ctl_kernel {
	bool pg_created; /* this run brought the playground up */
	bool pg_keep;	 /* leave it up at exit anyway */
	char pg_prefix[CFG_PG_PREFIX_MAX + 1];
	unsigned int n_mirrors; /* [kernel] sections set up so far */
	const struct cfg *cfg;
};

/*
 * Bring up what CFG asks for.  A playground that is already fully up is
 * used as it is and left up at exit.  Returns 0, or -1 with a message in
 * ERR; then whatever this call set up has been removed again.
 */
int ctl_kernel_setup(const struct cfg *cfg, struct ctl_kernel *k, char *err,
		     size_t errlen);

/* Remove what ctl_kernel_setup set up (mirrors, then the playground). */
void ctl_kernel_teardown(struct ctl_kernel *k);

#endif /* DPMIRROR_CTL_KERNEL_H */
