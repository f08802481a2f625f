/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_EAL_TEST_H
#define DPMIRROR_EAL_TEST_H

/*
 * Start an EAL fit for unit tests: no hugepages, no PCI, nothing shared
 * with other processes (--no-shconf; --in-memory cannot be combined with
 * --no-huge, which implies legacy memory), no telemetry socket, quiet.
 * Call once from main() before the tests; returns 0 or -1 (with a message
 * on stderr).
 *
 * The EAL still makes a runtime directory (/var/run/dpdk/PREFIX as root):
 * the file prefix is dpm-unit-PID, so tests never share one, and the
 * directory and the files in it are removed at exit (an atexit handler
 * registered before the EAL's own, so it runs after them).
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

static char eal_test_rundir[4096];

static inline void
eal_test_remove_rundir(void)
{
	char path[sizeof(eal_test_rundir) + 256];
	struct dirent *de;
	DIR *d;

	if (eal_test_rundir[0] == '\0')
		return;
	d = opendir(eal_test_rundir);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", eal_test_rundir,
				 de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(eal_test_rundir);
}

static inline int
eal_test_init(void)
{
	char prefix[32];
	char *argv[] = {
		(char *)"unit", (char *)"--no-huge", (char *)"-m", (char *)"256",
		(char *)"--no-pci", (char *)"--no-shconf", (char *)"--no-telemetry",
		(char *)"--file-prefix", prefix,
		(char *)"-l", (char *)"0", (char *)"--log-level", (char *)"*:error",
		NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	snprintf(prefix, sizeof(prefix), "dpm-unit-%ld", (long)getpid());
	atexit(eal_test_remove_rundir);
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	snprintf(eal_test_rundir, sizeof(eal_test_rundir), "%s",
		 rte_eal_get_runtime_dir());
	return 0;
}

#endif /* DPMIRROR_EAL_TEST_H */
