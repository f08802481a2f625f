/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exclusive locks on names (dpm_lock.h): flock on DIR/NAME.lock, the owner's
 * pid and one word of state in the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_kvargs.h>
#include <rte_pci.h>

#include "dpm_err.h"
#include "dpm_lock.h"

#define LOCK_TRIES	 16  /* a path that names another inode: start again */
#define LOCK_PID_WAIT_MS 200 /* for a holder that has not written its pid */

void
dpm_lock_init(struct dpm_lock *l)
{
	l->fd = -1;
	l->path[0] = '\0';
}

const char *
dpm_lock_dir(void)
{
	static char dir[PATH_MAX];
	const char *d = getenv(DPM_LOCK_DIR_ENV);

	if (d != NULL && d[0] != '\0')
		return d;
	if (geteuid() == 0)
		return DPM_LOCK_DIR_DEFAULT;
	/* As the EAL does for its runtime directory. */
	d = getenv("XDG_RUNTIME_DIR");
	if (d != NULL && d[0] != '\0')
		snprintf(dir, sizeof(dir), "%s/dpmirror", d);
	else
		snprintf(dir, sizeof(dir), "/tmp/dpmirror-%ld",
			 (long)geteuid());
	return dir;
}

const char *
dpm_lock_holder_name(pid_t pid, char *buf, size_t len)
{
	char path[64];
	size_t n;
	FILE *f;

	snprintf(buf, len, "process");
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return buf;
	if (fgets(buf, (int)len, f) == NULL)
		snprintf(buf, len, "process");
	fclose(f);
	n = strcspn(buf, "\n");
	buf[n] = '\0';
	return buf;
}

/* mkdir -p DIR, mode 0755 for what it creates.  0 or a negative errno. */
static int
make_dir(const char *dir)
{
	char p[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -errno;
		p[i] = dir[i];
	}
	return 0;
}

static bool
name_ok(const char *name)
{
	const char *c;

	if (name[0] == '\0' || name[0] == '.' ||
	    strlen(name) >= DPM_LOCK_NAME_MAX)
		return false;
	for (c = name; *c != '\0'; c++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:%-",
			   *c) == NULL)
			return false;
	return true;
}

/* The first line of a lock file: "PID [STATE]".  0 or -1 (no pid). */
static int
read_line(int fd, pid_t *pid, char *state, size_t statelen)
{
	char buf[64], word[DPM_LOCK_STATE_MAX];
	ssize_t n;
	long v;
	int k;

	if (state != NULL && statelen > 0)
		state[0] = '\0';
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	word[0] = '\0';
	k = sscanf(buf, "%ld %15s", &v, word);
	if (k < 1 || v <= 0)
		return -1;
	*pid = (pid_t)v;
	if (state != NULL && statelen > 0)
		snprintf(state, statelen, "%s", word);
	return 0;
}

/* Write "PID[ STATE]\n" at the start of the file, then cut it there, so
 * that the first line is whole at every moment. */
static int
write_line(int fd, const char *state)
{
	char buf[64];
	int n;

	n = snprintf(buf, sizeof(buf), "%ld%s%s\n", (long)getpid(),
		     state[0] != '\0' ? " " : "", state);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	if (pwrite(fd, buf, (size_t)n, 0) != n)
		return errno != 0 ? -errno : -EIO;
	if (ftruncate(fd, n) != 0)
		return -errno;
	return 0;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* FD is locked by someone else: the pid its file names (0: none yet). */
static pid_t
holder_of(int fd)
{
	pid_t pid = 0;
	int i;

	/* A new owner writes its pid just after it locks: until then the
	 * file names no one, or the dead owner it takes over from. */
	for (i = 0; i < LOCK_PID_WAIT_MS; i++) {
		if (read_line(fd, &pid, NULL, 0) == 0 && pid > 0 &&
		    (kill(pid, 0) == 0 || errno == EPERM))
			return pid;
		sleep_ms(1);
	}
	return 0;
}

/* What to do about a lock file this user may not make. */
static const char *
access_hint(int err)
{
	if ((err == EACCES || err == EPERM) && geteuid() != 0)
		return "; run as root, or set " DPM_LOCK_DIR_ENV
		       " to a directory you can write";
	return "";
}

int
dpm_lock_take(struct dpm_lock *l, const char *name, char *prev, size_t prevlen,
	      pid_t *holder, struct dpm_err *e)
{
	const char *dir = dpm_lock_dir();
	char state[DPM_LOCK_STATE_MAX];
	struct stat a, b;
	pid_t old;
	int fd, rc, i;

	dpm_lock_init(l);
	if (prev != NULL && prevlen > 0)
		prev[0] = '\0';
	if (holder != NULL)
		*holder = 0;
	if (!name_ok(name))
		return dpm_fail(e, EINVAL, "lock name '%s' is not valid", name);
	if ((size_t)snprintf(l->path, sizeof(l->path), "%s/%s.lock", dir,
			     name) >= sizeof(l->path)) {
		l->path[0] = '\0';
		return dpm_fail(e, ENAMETOOLONG, "%s=%s: path too long",
				DPM_LOCK_DIR_ENV, dir);
	}
	rc = make_dir(dir);
	if (rc != 0) {
		dpm_fail(e, rc, "cannot create the lock directory %s: %s%s",
			 dir, strerror(-rc), access_hint(-rc));
		l->path[0] = '\0';
		return rc;
	}
	for (i = 0; i < LOCK_TRIES; i++) {
		fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			  0644);
		if (fd < 0) {
			rc = -errno;
			dpm_fail(e, rc, "cannot open %s: %s%s", l->path,
				 strerror(-rc), access_hint(-rc));
			l->path[0] = '\0';
			return rc;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
			if (rc == -EBUSY) {
				old = holder_of(fd);
				if (holder != NULL)
					*holder = old;
				dpm_fail(e, rc, "%s is held by pid %ld",
					 l->path, (long)old);
			} else {
				dpm_fail(e, rc, "cannot lock %s: %s", l->path,
					 strerror(-rc));
			}
			close(fd);
			l->path[0] = '\0';
			return rc;
		}
		/* Locked; but a releasing owner may have unlinked it since. */
		if (fstat(fd, &a) == 0 && stat(l->path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		dpm_fail(e, EAGAIN, "cannot lock %s: it keeps being replaced",
			 l->path);
		l->path[0] = '\0';
		return -EAGAIN;
	}
	/* A stale file: its dead owner's state word is passed on. */
	if (read_line(fd, &old, state, sizeof(state)) != 0)
		state[0] = '\0';
	rc = write_line(fd, state);
	if (rc != 0) {
		dpm_fail(e, rc, "cannot write %s: %s", l->path, strerror(-rc));
		unlink(l->path);
		close(fd);
		l->path[0] = '\0';
		return rc;
	}
	if (prev != NULL && prevlen > 0)
		snprintf(prev, prevlen, "%s", state);
	l->fd = fd;
	return 0;
}

int
dpm_lock_set_state(struct dpm_lock *l, const char *state)
{
	if (l->fd < 0)
		return -EBADF;
	if (strlen(state) >= DPM_LOCK_STATE_MAX ||
	    strpbrk(state, " \n") != NULL)
		return -EINVAL;
	return write_line(l->fd, state);
}

void
dpm_lock_release(struct dpm_lock *l)
{
	if (l->fd < 0)
		return;
	unlink(l->path);
	close(l->fd);
	dpm_lock_init(l);
}

int
dpm_lock_take_playground(struct dpm_lock *l, const char *prefix, char *prev,
			 size_t prevlen, pid_t *holder, struct dpm_err *e)
{
	char name[DPM_LOCK_NAME_MAX];

	snprintf(name, sizeof(name), "playground-%s", prefix);
	return dpm_lock_take(l, name, prev, prevlen, holder, e);
}

/* ---- the wires of a device string ---- */

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* PFX followed by VALUE, escaped; a hash when that is too long. */
static void
key_of(char *key, const char *pfx, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(pfx), i;

	memcpy(key, pfx, n);
	for (i = 0; value[i] != '\0'; i++) {
		unsigned char c = (unsigned char)value[i];
		bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || strchr("._:-", c) != NULL;

		if (n + (safe ? 1 : 3) >= DPM_LOCK_NAME_MAX) {
			snprintf(key, DPM_LOCK_NAME_MAX, "%sh%016" PRIx64, pfx,
				 fnv1a(value));
			return;
		}
		if (safe) {
			key[n++] = (char)c;
		} else {
			key[n++] = '%';
			key[n++] = hex[c >> 4];
			key[n++] = hex[c & 15];
		}
	}
	key[n] = '\0';
}

struct wire_keys {
	char (*keys)[DPM_LOCK_NAME_MAX];
	int n, max;
	int rc;
	unsigned long netns;
	bool paths; /* net_vhost: iface is a socket path */
};

static void
add_key(struct wire_keys *w, const char *key)
{
	int i;

	for (i = 0; i < w->n; i++)
		if (strcmp(w->keys[i], key) == 0)
			return;
	if (w->n == w->max) {
		w->rc = -E2BIG;
		return;
	}
	snprintf(w->keys[w->n++], DPM_LOCK_NAME_MAX, "%s", key);
}

/* FILE with its directory made absolute and free of symbolic links (the
 * file itself may not exist yet); FILE as it is when that fails. */
static const char *
canonical(const char *file, char *buf, size_t len)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(file, '/');
	const char *base = slash != NULL ? slash + 1 : file;
	size_t n = (size_t)(base - file);

	if (n >= sizeof(dir) || *base == '\0')
		return file;
	memcpy(dir, file, n);
	dir[n] = '\0';
	if (n == 0)
		strcpy(dir, ".");
	if (realpath(dir, real) == NULL ||
	    (size_t)snprintf(buf, len, "%s/%s",
			     strcmp(real, "/") == 0 ? "" : real, base) >= len)
		return file;
	return buf;
}

/* rte_kvargs_process handler: one interface (or socket path) value. */
static int
wire_value(const char *key, const char *value, void *opaque)
{
	struct wire_keys *w = opaque;
	char pfx[48], k[DPM_LOCK_NAME_MAX], path[PATH_MAX];

	(void)key;
	if (value == NULL || value[0] == '\0')
		return 0;
	if (w->paths || strchr(value, '/') != NULL) {
		key_of(k, "dev-path-", canonical(value, path, sizeof(path)));
	} else {
		snprintf(pfx, sizeof(pfx), "dev-if-%lu-", w->netns);
		key_of(k, pfx, value);
	}
	add_key(w, k);
	return 0;
}

/* kvargs callback: a bonding member given by PCI address is that wire. */
static int
pci_value(const char *key, const char *value, void *opaque)
{
	struct wire_keys *w = opaque;
	char pci[PCI_PRI_STR_SIZE], k[DPM_LOCK_NAME_MAX];
	struct rte_pci_addr addr;

	(void)key;
	if (value == NULL || rte_pci_addr_parse(value, &addr) != 0)
		return 0;
	rte_pci_device_name(&addr, pci, sizeof(pci));
	key_of(k, "dev-pci-", pci);
	add_key(w, k);
	return 0;
}

int
dpm_lock_wire_keys(const char *device, char keys[][DPM_LOCK_NAME_MAX], int max)
{
	static const char *const wire_kv[] = {"iface", "rx_iface",
					      "rx_iface_in", "tx_iface"};
	struct wire_keys w = {.keys = keys, .max = max};
	char name[CFG_DEVICE_MAX], k[DPM_LOCK_NAME_MAX];
	struct rte_pci_addr addr;
	struct rte_kvargs *kv;
	const char *args;
	struct stat st;
	size_t n;
	unsigned int i;

	n = strcspn(device, ",");
	if (n >= sizeof(name))
		return -EINVAL;
	memcpy(name, device, n);
	name[n] = '\0';
	if (rte_pci_addr_parse(name, &addr) == 0) {
		char pci[PCI_PRI_STR_SIZE];

		rte_pci_device_name(&addr, pci, sizeof(pci));
		key_of(k, "dev-pci-", pci);
		add_key(&w, k);
		return w.rc != 0 ? w.rc : w.n;
	}
	if (device[n] != ',')
		return 0;
	args = device + n + 1;
	w.paths = strncmp(name, "net_vhost", 9) == 0 ||
		  strncmp(name, "eth_vhost", 9) == 0;
	kv = rte_kvargs_parse(args, NULL);
	if (kv == NULL)
		return -EINVAL;
	for (i = 0; i < sizeof(wire_kv) / sizeof(wire_kv[0]); i++) {
		if (rte_kvargs_count(kv, wire_kv[i]) == 0)
			continue;
		if (w.netns == 0) {
			if (stat("/proc/self/ns/net", &st) != 0) {
				w.rc = -errno;
				break;
			}
			w.netns = (unsigned long)st.st_ino;
		}
		rte_kvargs_process(kv, wire_kv[i], wire_value, &w);
		if (w.rc != 0)
			break;
	}
	/* net_bonding's members ("slave" in DPDK 22.11). */
	if (w.rc == 0 && rte_kvargs_count(kv, "slave") > 0)
		rte_kvargs_process(kv, "slave", pci_value, &w);
	rte_kvargs_free(kv);
	return w.rc != 0 ? w.rc : w.n;
}

/* ---- every wire of a configuration ---- */

int
dpm_lock_ports(const struct cfg *cfg, struct dpm_lock_set *set,
	       struct dpm_err *e)
{
	char keys[DPM_LOCK_SET_MAX][DPM_LOCK_NAME_MAX];
	char taken[DPM_LOCK_SET_MAX][DPM_LOCK_NAME_MAX];
	struct dpm_err msg;
	unsigned int p, j;
	pid_t holder;
	int n, i, rc;

	set->n = 0;
	for (p = 0; p < cfg->n_ports; p++) {
		const struct cfg_port *cp = &cfg->ports[p];

		n = dpm_lock_wire_keys(cp->device, keys, DPM_LOCK_SET_MAX);
		if (n < 0) {
			rc = dpm_fail(
				e, n,
				"[port %s] device = %s: cannot tell which "
				"wire it drives, so it cannot be locked "
				"against a second dpmirror (%s)",
				cp->name, cp->device, strerror(-n));
			goto fail;
		}
		for (i = 0; i < n; i++) {
			bool have = false;

			for (j = 0; j < set->n; j++)
				if (strcmp(taken[j], keys[i]) == 0)
					have = true;
			if (have)
				continue;
			if (set->n == DPM_LOCK_SET_MAX) {
				rc = dpm_fail(
					e, E2BIG,
					"[port %s] device = %s: more than %d "
					"interfaces to lock",
					cp->name, cp->device, DPM_LOCK_SET_MAX);
				goto fail;
			}
			rc = dpm_lock_take(&set->lock[set->n], keys[i], NULL, 0,
					   &holder, &msg);
			if (rc == -EBUSY) {
				char who[32];

				dpm_fail(e, rc,
					 "[port %s] device = %s: in use by "
					 "%s pid %ld (lock %s/%s.lock); "
					 "stop it or use another device",
					 cp->name, cp->device,
					 dpm_lock_holder_name(holder, who,
							      sizeof(who)),
					 (long)holder, dpm_lock_dir(), keys[i]);
				goto fail;
			}
			if (rc != 0) {
				dpm_fail(e, rc, "[port %s] device = %s: %s",
					 cp->name, cp->device, msg.msg);
				goto fail;
			}
			memcpy(taken[set->n++], keys[i], DPM_LOCK_NAME_MAX);
		}
	}
	return 0;
fail:
	dpm_lock_set_release(set);
	return rc;
}

void
dpm_lock_set_release(struct dpm_lock_set *set)
{
	while (set->n > 0)
		dpm_lock_release(&set->lock[--set->n]);
}
