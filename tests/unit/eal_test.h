/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_EAL_TEST_H
#define DPMIRROR_EAL_TEST_H

/*
 * Start an EAL fit for unit tests: no hugepages, no PCI, nothing shared
 * with other processes (--no-shconf; --in-memory cannot be combined with
 * --no-huge, which implies legacy memory), quiet.  Call once from main()
 * before the tests; returns 0 or -1 (with a message on stderr).
 */

#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

static inline int
eal_test_init(void)
{
	char *argv[] = {
		(char *)"unit", (char *)"--no-huge", (char *)"-m", (char *)"256",
		(char *)"--no-pci", (char *)"--no-shconf",
		(char *)"-l", (char *)"0", (char *)"--log-level", (char *)"*:error",
		NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

#endif /* DPMIRROR_EAL_TEST_H */
