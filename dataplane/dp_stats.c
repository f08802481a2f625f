/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp_stats.h"

const char *const dp_drop_names[DP_DROP_MAX] = {
#define DP_DROP_NAME(e, s) [DP_DROP_##e] = s,
	DP_DROP_REASONS(DP_DROP_NAME)
#undef DP_DROP_NAME
};
