/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DPM_ERR_H
#define DPMIRROR_DPM_ERR_H

/*
 * The one error carrier of the control side (cfg/, ctrl/, cli/, kernel/,
 * lock/): a function that can fail returns 0 (or a non-negative value) on
 * success and a negative errno on failure, with one message in *e that
 * names what failed on which object and, where it can, what would work:
 *   "[port p0] mtu = 9000: net_tap0 refuses it (Invalid argument); ..."
 * A list of configuration problems is a struct cfg_errors (cfg/cfg.h).
 * Never used on the fast path.
 */

#include <stddef.h>

#define DPM_ERR_LEN 512

struct dpm_err {
	char msg[DPM_ERR_LEN];
};

/* Format a message into E (NULL is accepted) and return -ABS(ERRNUM). */
int dpm_fail(struct dpm_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* DPMIRROR_DPM_ERR_H */
