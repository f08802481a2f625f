/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lock files (dpm_lock.h): one owner per name, a live holder named by its
 * pid, a dead holder's lock taken over with its state word, release leaving
 * no file; and the names of the wires an EAL device string drives.  Runs
 * in a temporary DPMIRROR_RUNDIR; no root, no EAL.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dpm_lock.h"

static char dir[] = "/tmp/dpm-test-lock-XXXXXX";

static int
lock_file_exists(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s.lock", dir, name);
	return stat(path, &st) == 0;
}

/* Fork a child that takes NAME with STATE, tells the parent through a
 * pipe, then waits to be killed.  Returns its pid. */
static pid_t
child_holding(const char *name, const char *state)
{
	int fds[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct dpm_lock l;
		struct dpm_err err;

		dpm_lock_init(&l);
		if (dpm_lock_take(&l, name, NULL, 0, NULL, &err) != 0)
			_exit(1);
		if (state != NULL && dpm_lock_set_state(&l, state) != 0)
			_exit(1);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

static void
kill_child(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void
test_take_release(void **state)
{
	struct dpm_lock l;
	char prev[DPM_LOCK_STATE_MAX];
	struct dpm_err err;

	(void)state;
	dpm_lock_init(&l);
	assert_int_equal(dpm_lock_take(&l, "one", prev, sizeof(prev), NULL, &err),
			 0);
	assert_string_equal(prev, "");
	assert_true(lock_file_exists("one"));
	dpm_lock_release(&l);
	assert_false(lock_file_exists("one"));
	dpm_lock_release(&l); /* twice is harmless */
}

static void
test_live_holder_named(void **state)
{
	struct dpm_lock l;
	struct dpm_err err;
	pid_t holder = 0, child;

	(void)state;
	child = child_holding("busy", "created");
	dpm_lock_init(&l);
	assert_int_equal(dpm_lock_take(&l, "busy", NULL, 0, &holder, &err),
			 -EBUSY);
	assert_int_equal(holder, child);
	kill_child(child);
}

/* kill -9: the kernel drops the lock; the next owner takes it over and
 * learns the dead owner's state word. */
static void
test_dead_holder_taken_over(void **state)
{
	struct dpm_lock l;
	char prev[DPM_LOCK_STATE_MAX];
	struct dpm_err err;
	pid_t child;

	(void)state;
	child = child_holding("stale", "created");
	kill_child(child);
	assert_true(lock_file_exists("stale"));
	dpm_lock_init(&l);
	assert_int_equal(dpm_lock_take(&l, "stale", prev, sizeof(prev), NULL, &err),
			 0);
	assert_string_equal(prev, "created");
	assert_int_equal(dpm_lock_set_state(&l, "adopted"), 0);
	dpm_lock_release(&l);
	assert_false(lock_file_exists("stale"));
}

static void
test_bad_names(void **state)
{
	static const char *const bad[] = { "", ".hidden", "a/b", "a b", "a\n" };
	struct dpm_lock l;
	struct dpm_err err;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dpm_lock_init(&l);
		assert_true(dpm_lock_take(&l, bad[i], NULL, 0, NULL,
					  &err) < 0);
		assert_int_equal(l.fd, -1);
	}
}

static void
test_wire_keys(void **state)
{
	char keys[8][DPM_LOCK_NAME_MAX], want[DPM_LOCK_NAME_MAX];
	char longpath[200], dev[256];
	struct stat st;
	int n;

	(void)state;
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);

	n = dpm_lock_wire_keys("0000:01:00.0", keys, 8);
	assert_int_equal(n, 1);
	assert_string_equal(keys[0], "dev-pci-0000:01:00.0");
	/* without the domain, and with arguments: the same wire */
	n = dpm_lock_wire_keys("01:00.0,rxq_cqe_comp_en=1", keys, 8);
	assert_int_equal(n, 1);
	assert_string_equal(keys[0], "dev-pci-0000:01:00.0");

	n = dpm_lock_wire_keys("net_af_packet0,iface=veth-a,qpairs=2", keys, 8);
	assert_int_equal(n, 1);
	snprintf(want, sizeof(want), "dev-if-%llu-veth-a",
		 (unsigned long long)st.st_ino);
	assert_string_equal(keys[0], want);

	/* the same interface twice in one device: once */
	n = dpm_lock_wire_keys("net_pcap0,rx_iface=eth1,tx_iface=eth1", keys, 8);
	assert_int_equal(n, 1);
	n = dpm_lock_wire_keys("net_pcap0,rx_iface_in=eth1,tx_iface=eth2", keys, 8);
	assert_int_equal(n, 2);

	/* a bond's members given by PCI address */
	n = dpm_lock_wire_keys("net_bonding0,mode=1,slave=0000:02:00.0,"
			       "slave=03:00.1", keys, 8);
	assert_int_equal(n, 2);
	assert_string_equal(keys[0], "dev-pci-0000:02:00.0");
	assert_string_equal(keys[1], "dev-pci-0000:03:00.1");

	/* nothing that identifies a wire */
	assert_int_equal(dpm_lock_wire_keys("net_null0", keys, 8), 0);
	assert_int_equal(dpm_lock_wire_keys("net_ring0", keys, 8), 0);
	assert_int_equal(dpm_lock_wire_keys("net_pcap0,rx_pcap=/tmp/in.pcap,"
					    "tx_pcap=/tmp/out.pcap", keys, 8), 0);

	/* a socket path: a safe file name, or a hash when too long */
	n = dpm_lock_wire_keys("net_vhost0,iface=/tmp/vhost 0.sock", keys, 8);
	assert_int_equal(n, 1);
	assert_true(strncmp(keys[0], "dev-path-", 9) == 0);
	assert_null(strchr(keys[0], '/'));
	assert_null(strchr(keys[0], ' '));
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	snprintf(dev, sizeof(dev), "net_vhost0,iface=%s", longpath);
	n = dpm_lock_wire_keys(dev, keys, 8);
	assert_int_equal(n, 1);
	assert_true(strlen(keys[0]) < DPM_LOCK_NAME_MAX);
	assert_true(strncmp(keys[0], "dev-path-h", 10) == 0);

	/* more than fit */
	assert_int_equal(dpm_lock_wire_keys("net_pcap0,rx_iface=a,tx_iface=b",
					    keys, 1), -E2BIG);
}

/* Two ports on the same wire are locked once; a second process that wants
 * the wire is refused with a message naming the port and the pid. */
static void
test_lock_ports(void **state)
{
	struct cfg *cfg = calloc(1, sizeof(*cfg));
	struct dpm_lock_set set, other;
	struct dpm_err e;
	char err[DPM_ERR_LEN];
	char pidtxt[32];
	int fds[2], status;
	pid_t pid;

	(void)state;
	assert_non_null(cfg);
	cfg->n_ports = 3;
	strcpy(cfg->ports[0].name, "in");
	strcpy(cfg->ports[0].device, "net_af_packet0,iface=vtest0");
	strcpy(cfg->ports[1].name, "cap");
	strcpy(cfg->ports[1].device, "net_pcap0,rx_iface=vtest0");
	strcpy(cfg->ports[2].name, "null");
	strcpy(cfg->ports[2].device, "net_null0");
	memset(&set, 0, sizeof(set));
	assert_int_equal(dpm_lock_ports(cfg, &set, &e), 0);
	assert_int_equal(set.n, 1);

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc;

		memset(&other, 0, sizeof(other));
		rc = dpm_lock_ports(cfg, &other, &e);
		if (write(fds[1], e.msg, strlen(e.msg) + 1) < 0)
			_exit(3);
		_exit(rc == -EBUSY && other.n == 0 ? 0 : 2);
	}
	close(fds[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	memset(err, 0, sizeof(err));
	assert_true(read(fds[0], err, sizeof(err) - 1) > 0);
	close(fds[0]);
	assert_non_null(strstr(err, "[port in]"));
	snprintf(pidtxt, sizeof(pidtxt), "pid %d", (int)getpid());
	if (strstr(err, pidtxt) == NULL)
		fail_msg("refusal does not name the holder: %s", err);
	dpm_lock_set_release(&set);
	assert_int_equal(set.n, 0);
	free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_release),
		cmocka_unit_test(test_live_holder_named),
		cmocka_unit_test(test_dead_holder_taken_over),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_wire_keys),
		cmocka_unit_test(test_lock_ports),
	};
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	setenv("DPMIRROR_RUNDIR", dir, 1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
