/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_FUZZ_CHECK_H
#define DPMIRROR_FUZZ_CHECK_H

/* An invariant of a harness: when it does not hold, say which and abort,
 * so that libFuzzer keeps the input. */

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "invariant failed: %s (line %d)\n",    \
				#cond, __LINE__);                              \
			abort();                                               \
		}                                                              \
	} while (0)

#endif /* DPMIRROR_FUZZ_CHECK_H */
