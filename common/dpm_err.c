/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dpm_err.h"

int
dpm_fail(struct dpm_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (e != NULL) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return errnum < 0 ? errnum : -errnum;
}

int
dpm_err_prefix(struct dpm_err *e, int rc, const char *fmt, ...)
{
	char old[DPM_ERR_LEN];
	size_t n;
	va_list ap;
	int w;

	if (e == NULL)
		return rc;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	w = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = w < 0 ? 0 : (size_t)w;
	if (n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", old);
	return rc;
}
