/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_DPM_LOCK_H
#define DPMIRROR_DPM_LOCK_H

/*
 * Exclusive locks on names, held for the life of a process: which dpmirror
 * owns a playground prefix, which dpmirror drives a wire.  Control thread
 * (and dpmirrorctl) only; no EAL needed.
 *
 * The lock NAME is the file DIR/NAME.lock.  DIR is the value of the
 * environment variable DPMIRROR_RUNDIR when it is set and not empty, else
 * /run/dpmirror for root (see dpm_lock_dir for other users); a missing DIR
 * (and its missing parents) is created with mode 0755.  Taking a lock opens the
 * file with O_CREAT, O_CLOEXEC and O_NOFOLLOW (mode 0644) and takes
 * flock(LOCK_EX | LOCK_NB) on it, never waiting.  Once locked, it checks that
 * the path still names the inode it locked (fstat against stat): a releasing
 * owner unlinks the file before it closes it, so a process that opened the old
 * file may lock an inode that no longer has the name; it then starts again, a
 * bounded number of times.  The owner writes one line into the file: its pid
 * and, when it has one, one word of state ("1234 created").
 *
 * The kernel drops the flock locks of a process when it dies, however it
 * dies (kill -9 included).  So a lock file whose lock can be taken was left
 * by a dead owner: it is stale.  Whoever takes a stale lock is told the
 * state word the dead owner left, and the file keeps that word (beside the
 * new owner's pid) until the new owner sets its own, so a new owner killed
 * before it decides passes the word on unchanged.  A lock that cannot be
 * taken is held by a live process, whose pid the file names.
 *
 * Release unlinks the file, then closes it: an owner that exits cleanly
 * leaves no file behind.  The descriptor is not inherited over exec; a
 * forked child would share the lock, and must not release it.
 */

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "cfg.h"
#include "dpm_err.h"

#define DPM_LOCK_DIR_DEFAULT "/run/dpmirror"
#define DPM_LOCK_DIR_ENV     "DPMIRROR_RUNDIR"
#define DPM_LOCK_NAME_MAX    128 /* with the terminating NUL */
#define DPM_LOCK_STATE_MAX   16	 /* one word, with the terminating NUL */

struct dpm_lock {
	int fd;		     /* -1: not held */
	char path[PATH_MAX]; /* DIR/NAME.lock while held */
};

/* A lock that is not held, so that dpm_lock_release may be called on it. */
void dpm_lock_init(struct dpm_lock *l);

/* The lock directory: $DPMIRROR_RUNDIR; else /run/dpmirror for root, and
 * for another user $XDG_RUNTIME_DIR/dpmirror or /tmp/dpmirror-UID (as the
 * EAL places its runtime directory). */
const char *dpm_lock_dir(void);

/* The name of the program with PID (/proc/PID/comm: "dpmirror",
 * "dpmirrorctl"), or "process"; into BUF, which is returned. */
const char *dpm_lock_holder_name(pid_t pid, char *buf, size_t len);

/*
 * Take the lock NAME (characters [A-Za-z0-9._:%-], not starting with a
 * dot).  Returns:
 *   0        it is held.  PREV (when not NULL) gets the state word a dead
 *            owner left in the file, "" when the file was new or named no
 *            state.
 *   -EBUSY   a live process holds it; *HOLDER (when not NULL) is the pid the
 *            file names, 0 when the holder has not written it yet.
 *   other    a negative errno: the directory or the file cannot be made,
 *            opened or locked.
 * On failure E says what happened, naming the file.
 */
int dpm_lock_take(struct dpm_lock *l, const char *name, char *prev,
		  size_t prevlen, pid_t *holder, struct dpm_err *e);

/* Write "PID STATE" into a held lock's file.  0 or a negative errno. */
int dpm_lock_set_state(struct dpm_lock *l, const char *state);

/* Unlink the file, then close it.  A lock that is not held is ignored. */
void dpm_lock_release(struct dpm_lock *l);

/*
 * The playground with PREFIX: its lock is "playground-PREFIX", and its
 * state word says whether the owner created the playground (and so may
 * remove it at exit) or found it up and adopted it (and leaves it up).
 */
#define DPM_LOCK_PG_CREATED "created"
#define DPM_LOCK_PG_ADOPTED "adopted"
int dpm_lock_take_playground(struct dpm_lock *l, const char *prefix, char *prev,
			     size_t prevlen, pid_t *holder, struct dpm_err *e);

/*
 * The names of the locks of the wires that the EAL device string DEVICE
 * drives, into KEYS (at most MAX of them):
 * - a PCI device (the part before the first comma is a PCI address, with
 *   or without the domain): "dev-pci-" and the address normalised as
 *   DDDD:BB:DD.F;
 * - a vdev: for each value of the kvargs iface, rx_iface, rx_iface_in and
 *   tx_iface (after the first comma): an interface name becomes
 *   "dev-if-" NETNS "-" NAME, NETNS being the inode number of this
 *   process's network namespace (/proc/self/ns/net); the iface of
 *   net_vhost, and any value holding a '/', is a file (a socket path) and
 *   becomes "dev-path-" and the path, its directory made absolute and free
 *   of symbolic links where it exists.  Characters outside [A-Za-z0-9._:-] are
 *   written %XX; a name that would be longer than DPM_LOCK_NAME_MAX - 1 is
 *   "dev-if-NETNS-h" or "dev-path-h" and a 64-bit FNV-1a hash of the value
 *   in hex; each value of the kvarg slave (net_bonding's members) that is
 *   a PCI address is that PCI device.
 * Names repeated within DEVICE are given once.  Returns how many names
 * there are (0: nothing identifies a wire, as with net_null, net_ring, or
 * net_pcap on files), or -EINVAL (the arguments cannot be parsed), -E2BIG
 * (more than MAX), -errno (the network namespace cannot be read).
 */
int dpm_lock_wire_keys(const char *device, char keys[][DPM_LOCK_NAME_MAX],
		       int max);

/* The locks of every wire of a configuration. */
#define DPM_LOCK_SET_MAX (4 * CFG_MAX_PORTS)
struct dpm_lock_set {
	struct dpm_lock lock[DPM_LOCK_SET_MAX];
	unsigned int n;
};

/*
 * Take the lock of every wire the ports of CFG drive (dpm_lock_wire_keys),
 * each once however many ports name it; stale ones are taken over.  Returns
 * 0, or a negative errno (-EBUSY: a live process holds one) with a message
 * in E naming the port, its device and, when a live process holds a lock,
 * its pid; then no lock of SET is held.
 */
int dpm_lock_ports(const struct cfg *cfg, struct dpm_lock_set *set,
		   struct dpm_err *e);

/* Release every lock of SET (in the reverse order). */
void dpm_lock_set_release(struct dpm_lock_set *set);

#endif /* DPMIRROR_DPM_LOCK_H */
