/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network namespaces, netlink sockets, links and addresses on libnl-route-3.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/geneve.h>
#include <netlink/route/link/ipgre.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vxlan.h>

#include "kn.h"

#define NETNS_RUN_DIR "/run/netns"

struct kn_sock {
	struct nl_sock *nl;
	int ioctl_fd; /* an AF_INET socket in the same namespace, for ethtool */
	char where[300];
};

/* Appended to a permission failure of a user who is not root. */
#define KN_ROOT_HINT                                                           \
	"; this needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run as root"

int
kn_fail(struct dpm_err *e, int errnum, const char *fmt, ...)
{
	int err = errnum < 0 ? -errnum : errnum;
	va_list ap;

	if (e != NULL) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		/* The hint always fits: it replaces the end of a long
		 * message. */
		if ((err == EPERM || err == EACCES) && geteuid() != 0 &&
		    strstr(e->msg, KN_ROOT_HINT) == NULL) {
			size_t n = strlen(e->msg);

			if (n > sizeof(e->msg) - sizeof(KN_ROOT_HINT))
				n = sizeof(e->msg) - sizeof(KN_ROOT_HINT);
			memcpy(e->msg + n, KN_ROOT_HINT, sizeof(KN_ROOT_HINT));
		}
	}
	return -err;
}

void
kn_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

int
kn_errno_from_nl(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_INVAL:
	case NLE_MSG_TOOSHORT:
		return -EINVAL;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	default:
		return -EIO;
	}
}

int
kn_nl_fail(struct dpm_err *e, int nlerr, const char *fmt, ...)
{
	char what[DPM_ERR_LEN - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return kn_fail(e, kn_errno_from_nl(nlerr), "%s: %s", what,
		       nl_geterror(nlerr));
}

/* ---- namespaces ---- */

static int
netns_path(const char *name, char *path, size_t len, struct dpm_err *e)
{
	if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strlen(name) > 200)
		return kn_fail(e, EINVAL,
			       "netns name '%s' is not valid: give 1..200 "
			       "characters without '/'",
			       name ? name : "");
	snprintf(path, len, "%s/%s", NETNS_RUN_DIR, name);
	return 0;
}

bool
kn_netns_exists(const char *name)
{
	char path[300];
	struct stat st;

	if (netns_path(name, path, sizeof(path), NULL) != 0)
		return false;
	return stat(path, &st) == 0;
}

/* /run/netns must be a shared mount point, as iproute2 makes it, so that
 * namespaces mounted there are seen by every mount namespace. */
static int
netns_run_dir(struct dpm_err *e)
{
	if (mkdir(NETNS_RUN_DIR, 0755) != 0 && errno != EEXIST)
		return kn_fail(e, errno, "create %s: %s", NETNS_RUN_DIR,
			       strerror(errno));
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return kn_fail(e, errno, "make %s a shared mount: %s",
			       NETNS_RUN_DIR, strerror(errno));
	/* Not a mount point yet: bind it onto itself, then share it. */
	if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC,
		  NULL) != 0 ||
	    mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) != 0)
		return kn_fail(e, errno, "mount %s: %s", NETNS_RUN_DIR,
			       strerror(errno));
	return 0;
}

static int
lo_up(const char *name, struct dpm_err *e)
{
	struct kn_sock *s = kn_sock_open(name, e);
	int rc;

	if (s == NULL)
		return -EIO;
	rc = kn_link_set_up(s, "lo", true, e);
	kn_sock_close(s);
	return rc;
}

int
kn_netns_add(const char *name, struct dpm_err *e)
{
	char path[300];
	int fd, orig, rc;

	rc = netns_path(name, path, sizeof(path), e);
	if (rc != 0)
		return rc;
	rc = netns_run_dir(e);
	if (rc != 0)
		return rc;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL, 0);
	if (fd < 0)
		return kn_fail(e, errno, "create netns %s: %s", name,
			       strerror(errno));
	close(fd);
	orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig < 0) {
		rc = kn_fail(e, errno,
			     "create netns %s: cannot open the "
			     "current namespace: %s",
			     name, strerror(errno));
		unlink(path);
		return rc;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		rc = kn_fail(e, errno,
			     "create netns %s: unshare: %s (root "
			     "or CAP_SYS_ADMIN is needed)",
			     name, strerror(errno));
		goto out;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) != 0)
		rc = kn_fail(e, errno, "create netns %s: bind mount: %s", name,
			     strerror(errno));
	if (setns(orig, CLONE_NEWNET) != 0 && rc == 0)
		rc = kn_fail(e, errno,
			     "create netns %s: cannot return to the "
			     "original namespace: %s",
			     name, strerror(errno));
out:
	close(orig);
	if (rc != 0) {
		umount2(path, MNT_DETACH);
		unlink(path);
		return rc;
	}
	rc = lo_up(name, e);
	if (rc != 0)
		kn_netns_del(name, NULL);
	return rc;
}

int
kn_netns_del(const char *name, struct dpm_err *e)
{
	char path[300];
	int rc;

	rc = netns_path(name, path, sizeof(path), e);
	if (rc != 0)
		return rc;
	if (!kn_netns_exists(name))
		return kn_fail(e, ENOENT, "delete netns %s: no such netns",
			       name);
	umount2(path, MNT_DETACH);
	if (unlink(path) != 0)
		return kn_fail(e, errno, "delete netns %s: %s", name,
			       strerror(errno));
	return 0;
}

int
kn_netns_open(const char *name, struct dpm_err *e)
{
	char path[300];
	int fd, rc;

	if (name == NULL || name[0] == '\0') {
		fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return kn_fail(e, errno, "open the current netns: %s",
				       strerror(errno));
		return fd;
	}
	rc = netns_path(name, path, sizeof(path), e);
	if (rc != 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kn_fail(e, errno, "open netns %s: %s%s", name,
			       strerror(errno),
			       errno == ENOENT ? " (no such netns; see "
						 "'ip netns list')"
					       : "");
	return fd;
}

int
kn_netns_list(const char *prefix, char (*names)[256], int max)
{
	DIR *d = opendir(NETNS_RUN_DIR);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		if (de->d_name[0] == '.')
			continue;
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(names[n++], 256, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

/* ---- sockets ---- */

struct kn_sock *
kn_sock_open(const char *netns, struct dpm_err *e)
{
	struct kn_sock *s;
	int orig = -1, fd = -1, rc;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		kn_fail(e, ENOMEM, "out of memory");
		return NULL;
	}
	if (netns != NULL && netns[0] != '\0') {
		snprintf(s->where, sizeof(s->where), "netns %s", netns);
		fd = kn_netns_open(netns, e);
		if (fd < 0)
			goto fail;
		orig = kn_netns_open(NULL, e);
		if (orig < 0)
			goto fail;
		if (setns(fd, CLONE_NEWNET) != 0) {
			kn_fail(e, errno, "enter netns %s: %s", netns,
				strerror(errno));
			goto fail;
		}
	} else {
		snprintf(s->where, sizeof(s->where), "the root namespace");
	}
	s->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	s->nl = nl_socket_alloc();
	if (s->nl == NULL) {
		kn_fail(e, ENOMEM, "netlink socket: out of memory");
	} else {
		rc = nl_connect(s->nl, NETLINK_ROUTE);
		if (rc < 0) {
			kn_nl_fail(e, rc, "netlink socket in %s", s->where);
			nl_socket_free(s->nl);
			s->nl = NULL;
		}
	}
	if (orig >= 0 && setns(orig, CLONE_NEWNET) != 0) {
		/* Cannot happen short of a kernel bug; do not go on in the
		 * wrong namespace. */
		perror("dpmirror: cannot return to the original netns");
		abort();
	}
	if (s->nl == NULL) {
		if (s->ioctl_fd >= 0)
			close(s->ioctl_fd);
		goto fail;
	}
	if (orig >= 0)
		close(orig);
	if (fd >= 0)
		close(fd);
	return s;
fail:
	if (orig >= 0)
		close(orig);
	if (fd >= 0)
		close(fd);
	free(s);
	return NULL;
}

void
kn_sock_close(struct kn_sock *s)
{
	if (s == NULL)
		return;
	nl_socket_free(s->nl);
	if (s->ioctl_fd >= 0)
		close(s->ioctl_fd);
	free(s);
}

struct nl_sock *
kn_sock_nl(struct kn_sock *s)
{
	return s->nl;
}

const char *
kn_sock_where(const struct kn_sock *s)
{
	return s->where;
}

/* ---- links ---- */

static int
get_link(struct kn_sock *s, const char *ifname, struct rtnl_link **out,
	 struct dpm_err *e)
{
	int rc = rtnl_link_get_kernel(s->nl, 0, ifname, out);

	if (rc < 0)
		return kn_fail(e, ENODEV, "no link %s in %s", ifname, s->where);
	return 0;
}

int
kn_link_index(struct kn_sock *s, const char *ifname)
{
	struct rtnl_link *l;
	int idx;

	if (rtnl_link_get_kernel(s->nl, 0, ifname, &l) < 0)
		return -ENODEV;
	idx = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return idx;
}

static void
fill_info(struct kn_sock *s, struct rtnl_link *l, struct kn_link_info *o)
{
	struct nl_addr *a;
	const char *kind;
	int master;

	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", rtnl_link_get_name(l));
	kind = rtnl_link_get_type(l);
	snprintf(o->kind, sizeof(o->kind), "%s", kind ? kind : "");
	o->ifindex = rtnl_link_get_ifindex(l);
	o->up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
	o->running = (rtnl_link_get_flags(l) & IFF_LOWER_UP) != 0;
	o->mtu = rtnl_link_get_mtu(l);
	a = rtnl_link_get_addr(l);
	if (a != NULL && nl_addr_get_len(a) == 6)
		memcpy(o->mac, nl_addr_get_binary_addr(a), 6);
	master = rtnl_link_get_master(l);
	if (master > 0) {
		struct rtnl_link *m;

		if (rtnl_link_get_kernel(s->nl, master, NULL, &m) >= 0) {
			snprintf(o->master, sizeof(o->master), "%s",
				 rtnl_link_get_name(m));
			rtnl_link_put(m);
		}
	}
}

int
kn_link_info(struct kn_sock *s, const char *ifname, struct kn_link_info *out,
	     struct dpm_err *e)
{
	struct rtnl_link *l;
	int rc = get_link(s, ifname, &l, e);

	if (rc != 0)
		return rc;
	fill_info(s, l, out);
	rtnl_link_put(l);
	return 0;
}

int
kn_link_foreach(struct kn_sock *s, const char *prefix,
		void (*fn)(const struct kn_link_info *, void *), void *arg,
		struct dpm_err *e)
{
	struct nl_cache *cache;
	struct nl_object *o;
	size_t plen = strlen(prefix);
	int rc;

	rc = rtnl_link_alloc_cache(s->nl, AF_UNSPEC, &cache);
	if (rc < 0)
		return kn_nl_fail(e, rc, "list links in %s", s->where);
	for (o = nl_cache_get_first(cache); o != NULL;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		struct kn_link_info info;

		if (strncmp(rtnl_link_get_name(l), prefix, plen) != 0)
			continue;
		fill_info(s, l, &info);
		fn(&info, arg);
	}
	nl_cache_free(cache);
	return 0;
}

int
kn_veth_add(struct kn_sock *s, const char *name, const char *peer,
	    const char *peer_netns, struct dpm_err *e)
{
	struct rtnl_link *l, *p;
	int fd = -1, rc;

	l = rtnl_link_veth_alloc();
	if (l == NULL)
		return kn_fail(e, ENOMEM, "create veth %s: out of memory",
			       name);
	p = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, name);
	rtnl_link_set_name(p, peer);
	if (peer_netns != NULL && peer_netns[0] != '\0') {
		fd = kn_netns_open(peer_netns, e);
		if (fd < 0) {
			rtnl_link_put(p);
			rtnl_link_put(l);
			return fd;
		}
		rtnl_link_set_ns_fd(p, fd);
	}
	rc = rtnl_link_add(s->nl, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(p);
	rtnl_link_put(l);
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		return kn_nl_fail(e, rc, "create veth %s (peer %s%s%s) in %s",
				  name, peer, peer_netns ? " in netns " : "",
				  peer_netns ? peer_netns : "", s->where);
	return 0;
}

int
kn_bridge_add(struct kn_sock *s, const char *name, struct dpm_err *e)
{
	int rc = rtnl_link_bridge_add(s->nl, name);

	if (rc < 0)
		return kn_nl_fail(e, rc, "create bridge %s in %s", name,
				  s->where);
	return 0;
}

/* Apply CHANGE (built by the caller) to IFNAME. */
static int
link_change(struct kn_sock *s, const char *ifname, struct rtnl_link *change,
	    const char *what, struct dpm_err *e)
{
	struct rtnl_link *l;
	int rc = get_link(s, ifname, &l, e);

	if (rc != 0)
		return rc;
	rc = rtnl_link_change(s->nl, l, change, 0);
	rtnl_link_put(l);
	if (rc < 0)
		return kn_nl_fail(e, rc, "%s %s in %s", what, ifname, s->where);
	return 0;
}

int
kn_link_set_master(struct kn_sock *s, const char *ifname, const char *master,
		   struct dpm_err *e)
{
	int idx = kn_link_index(s, ifname), midx, rc;

	if (idx < 0)
		return kn_fail(e, ENODEV, "no link %s in %s", ifname, s->where);
	if (master == NULL) {
		rc = rtnl_link_release_ifindex(s->nl, idx);
		if (rc < 0)
			return kn_nl_fail(e, rc,
					  "release %s from its bridge in "
					  "%s",
					  ifname, s->where);
		return 0;
	}
	midx = kn_link_index(s, master);
	if (midx < 0)
		return kn_fail(e, ENODEV, "no bridge %s in %s", master,
			       s->where);
	rc = rtnl_link_enslave_ifindex(s->nl, midx, idx);
	if (rc < 0)
		return kn_nl_fail(e, rc, "attach %s to %s in %s", ifname,
				  master, s->where);
	return 0;
}

int
kn_link_set_up(struct kn_sock *s, const char *ifname, bool up,
	       struct dpm_err *e)
{
	struct rtnl_link *c = rtnl_link_alloc();
	int rc;

	if (c == NULL)
		return kn_fail(e, ENOMEM, "out of memory");
	if (up)
		rtnl_link_set_flags(c, IFF_UP);
	else
		rtnl_link_unset_flags(c, IFF_UP);
	rc = link_change(s, ifname, c, up ? "set up" : "set down", e);
	rtnl_link_put(c);
	return rc;
}

int
kn_link_set_mtu(struct kn_sock *s, const char *ifname, unsigned int mtu,
		struct dpm_err *e)
{
	struct rtnl_link *c = rtnl_link_alloc();
	char what[32];
	int rc;

	if (c == NULL)
		return kn_fail(e, ENOMEM, "out of memory");
	rtnl_link_set_mtu(c, mtu);
	snprintf(what, sizeof(what), "set mtu %u on", mtu);
	rc = link_change(s, ifname, c, what, e);
	rtnl_link_put(c);
	return rc;
}

int
kn_link_set_mac(struct kn_sock *s, const char *ifname, const uint8_t mac[6],
		struct dpm_err *e)
{
	struct rtnl_link *c = rtnl_link_alloc();
	struct nl_addr *a;
	int rc;

	if (c == NULL)
		return kn_fail(e, ENOMEM, "out of memory");
	a = nl_addr_build(AF_LLC, mac, 6);
	if (a == NULL) {
		rtnl_link_put(c);
		return kn_fail(e, ENOMEM, "out of memory");
	}
	rtnl_link_set_addr(c, a);
	rc = link_change(s, ifname, c, "set the MAC address of", e);
	nl_addr_put(a);
	rtnl_link_put(c);
	return rc;
}

int
kn_link_del(struct kn_sock *s, const char *ifname, struct dpm_err *e)
{
	struct rtnl_link *l;
	int rc = get_link(s, ifname, &l, e);

	if (rc != 0)
		return rc;
	rc = rtnl_link_delete(s->nl, l);
	rtnl_link_put(l);
	if (rc < 0)
		return kn_nl_fail(e, rc, "delete link %s in %s", ifname,
				  s->where);
	return 0;
}

int
kn_ip_parse(const char *str, struct kn_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, str, ip->bytes) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, str, ip->bytes) == 1) {
		ip->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *
kn_ip_str(const struct kn_ip *ip, char *buf, size_t len)
{
	if (ip->family == 0 ||
	    inet_ntop(ip->family, ip->bytes, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "-");
	return buf;
}

static struct nl_addr *
ip_to_nl(const struct kn_ip *ip)
{
	return nl_addr_build(ip->family, ip->bytes,
			     ip->family == AF_INET ? 4 : 16);
}

int
kn_vxlan_add(struct kn_sock *s, const char *name, const struct kn_vxlan *v,
	     struct dpm_err *e)
{
	struct rtnl_link *l;
	struct nl_addr *local = NULL, *remote = NULL;
	int rc, under = 0;

	if (v->underlay[0] != '\0') {
		under = kn_link_index(s, v->underlay);
		if (under < 0)
			return kn_fail(e, ENODEV,
				       "create vxlan %s: no underlay device %s "
				       "in %s",
				       name, v->underlay, s->where);
	}
	l = rtnl_link_vxlan_alloc();
	if (l == NULL)
		return kn_fail(e, ENOMEM, "out of memory");
	rtnl_link_set_name(l, name);
	rtnl_link_vxlan_set_id(l, v->vni);
	rtnl_link_vxlan_set_port(l, v->dstport ? v->dstport : 4789);
	if (v->local.family != 0) {
		local = ip_to_nl(&v->local);
		rtnl_link_vxlan_set_local(l, local);
	}
	if (v->remote.family != 0) {
		remote = ip_to_nl(&v->remote);
		rtnl_link_vxlan_set_group(l, remote);
	}
	if (under > 0)
		rtnl_link_vxlan_set_link(l, (uint32_t)under);
	rc = rtnl_link_add(s->nl, l, NLM_F_CREATE | NLM_F_EXCL);
	if (local != NULL)
		nl_addr_put(local);
	if (remote != NULL)
		nl_addr_put(remote);
	rtnl_link_put(l);
	if (rc < 0)
		return kn_nl_fail(e, rc, "create vxlan %s (vni %u) in %s", name,
				  v->vni, s->where);
	return 0;
}

static void
nl_ip_str(struct nl_addr *a, char *buf, size_t len)
{
	if (a == NULL || nl_addr_get_len(a) == 0)
		snprintf(buf, len, "-");
	else if (inet_ntop(nl_addr_get_family(a), nl_addr_get_binary_addr(a),
			   buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

int
kn_vxlan_read(struct kn_sock *s, const char *name, struct kn_vxlan_state *v)
{
	struct rtnl_link *l, *u;
	struct nl_addr *a;
	const char *alias;
	uint32_t x;

	memset(v, 0, sizeof(*v));
	snprintf(v->local, sizeof(v->local), "-");
	snprintf(v->remote, sizeof(v->remote), "-");
	if (rtnl_link_get_kernel(s->nl, 0, name, &l) < 0)
		return -ENODEV;
	alias = rtnl_link_get_ifalias(l);
	if (alias != NULL)
		snprintf(v->alias, sizeof(v->alias), "%s", alias);
	v->mtu = rtnl_link_get_mtu(l);
	v->up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
	v->is_vxlan = rtnl_link_is_vxlan(l) != 0;
	if (v->is_vxlan) {
		rtnl_link_vxlan_get_id(l, &v->vni);
		if (rtnl_link_vxlan_get_local(l, &a) == 0) {
			nl_ip_str(a, v->local, sizeof(v->local));
			nl_addr_put(a);
		}
		if (rtnl_link_vxlan_get_group(l, &a) == 0) {
			nl_ip_str(a, v->remote, sizeof(v->remote));
			nl_addr_put(a);
		}
		if (rtnl_link_vxlan_get_port(l, &x) == 0)
			v->port = x;
		if (rtnl_link_vxlan_get_link(l, &x) == 0 && x != 0) {
			v->underlay_ifindex = (int)x;
			if (rtnl_link_get_kernel(s->nl, (int)x, NULL, &u) >=
			    0) {
				snprintf(v->underlay, sizeof(v->underlay), "%s",
					 rtnl_link_get_name(u));
				rtnl_link_put(u);
			}
		}
	}
	rtnl_link_put(l);
	return 0;
}

/* ---- tunnel links ---- */

/* vxlan, geneve and gretap: libnl has their link types. */
static struct rtnl_link *
tunnel_libnl(const char *name, const struct kn_tunnel *t)
{
	const struct kn_tun_type *ty = kn_tun_type(t->kind);
	uint16_t port = t->dstport != 0 ? t->dstport : ty->dstport;
	struct nl_addr *a;
	struct rtnl_link *l;
	uint32_t v4;

	switch (t->kind) {
	case KN_TUN_VXLAN:
		l = rtnl_link_vxlan_alloc();
		if (l == NULL)
			return NULL;
		rtnl_link_vxlan_set_id(l, t->vni);
		rtnl_link_vxlan_set_port(l, port);
		if (t->local.family != 0 && (a = ip_to_nl(&t->local)) != NULL) {
			rtnl_link_vxlan_set_local(l, a);
			nl_addr_put(a);
		}
		if ((a = ip_to_nl(&t->remote)) != NULL) {
			rtnl_link_vxlan_set_group(l, a);
			nl_addr_put(a);
		}
		if (t->underlay_ifindex > 0)
			rtnl_link_vxlan_set_link(l,
						 (uint32_t)t->underlay_ifindex);
		break;
	case KN_TUN_GENEVE:
		/* A geneve link has neither a local address nor a lower
		 * device: the route to remote picks both. */
		l = rtnl_link_geneve_alloc();
		if (l == NULL)
			return NULL;
		rtnl_link_geneve_set_id(l, t->vni);
		rtnl_link_geneve_set_port(l, port);
		if ((a = ip_to_nl(&t->remote)) != NULL) {
			rtnl_link_geneve_set_remote(l, a);
			nl_addr_put(a);
		}
		break;
	case KN_TUN_GRETAP:
		l = rtnl_link_ipgretap_alloc();
		if (l == NULL)
			return NULL;
		memcpy(&v4, t->local.bytes, 4);
		if (t->local.family == AF_INET)
			rtnl_link_ipgre_set_local(l, v4);
		memcpy(&v4, t->remote.bytes, 4);
		rtnl_link_ipgre_set_remote(l, v4);
		if (t->underlay_ifindex > 0)
			rtnl_link_ipgre_set_link(l,
						 (uint32_t)t->underlay_ifindex);
		/* Flags and keys go as they are on the wire. */
		if (t->has_key) {
			rtnl_link_ipgre_set_iflags(l, GRE_KEY);
			rtnl_link_ipgre_set_oflags(l, GRE_KEY);
			rtnl_link_ipgre_set_ikey(l, htonl(t->key));
			rtnl_link_ipgre_set_okey(l, htonl(t->key));
		}
		break;
	default:
		return NULL;
	}
	rtnl_link_set_name(l, name);
	return l;
}

/* ip6gretap, erspan and ip6erspan: IFLA_INFO_DATA of IFLA_GRE_*
 * attributes, as iproute2's link_gre.c and link_gre6.c send them. */
static int
tunnel_gre_raw(const char *name, const struct kn_tunnel *t, struct nl_msg *m)
{
	const struct kn_tun_type *ty = kn_tun_type(t->kind);
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	bool erspan = ty->has_session, v6 = ty->family == AF_INET6;
	size_t alen = v6 ? 16 : 4;
	struct nlattr *li, *data;
	uint16_t flags = 0;
	uint32_t key = 0;

	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(m, IFLA_IFNAME, name) < 0 ||
	    (li = nla_nest_start(m, IFLA_LINKINFO)) == NULL ||
	    nla_put_string(m, IFLA_INFO_KIND, ty->name) < 0 ||
	    (data = nla_nest_start(m, IFLA_INFO_DATA)) == NULL)
		return -ENOMEM;
	if (t->underlay_ifindex > 0 &&
	    nla_put_u32(m, IFLA_GRE_LINK, (uint32_t)t->underlay_ifindex) < 0)
		return -ENOMEM;
	if ((t->local.family != 0 &&
	     nla_put(m, IFLA_GRE_LOCAL, (int)alen, t->local.bytes) < 0) ||
	    nla_put(m, IFLA_GRE_REMOTE, (int)alen, t->remote.bytes) < 0)
		return -ENOMEM;
	if (erspan) {
		/* Type II: the session ID rides in the key field and the
		 * kernel takes nothing but sequence numbers and a key. */
		flags = GRE_SEQ | GRE_KEY;
		key = htonl(t->session_id);
	} else if (t->has_key) {
		flags = GRE_KEY;
		key = htonl(t->key);
	}
	if (flags != 0 && (nla_put_u16(m, IFLA_GRE_IFLAGS, flags) < 0 ||
			   nla_put_u16(m, IFLA_GRE_OFLAGS, flags) < 0 ||
			   nla_put_u32(m, IFLA_GRE_IKEY, key) < 0 ||
			   nla_put_u32(m, IFLA_GRE_OKEY, key) < 0))
		return -ENOMEM;
	if (erspan &&
	    (nla_put_u8(m, IFLA_GRE_ERSPAN_VER, 1) < 0 ||
	     nla_put_u32(m, IFLA_GRE_ERSPAN_INDEX, t->erspan_index) < 0))
		return -ENOMEM;
	/* Without this, ip6_gre adds an 8-byte destination option (the
	 * encapsulation limit) to every packet, beyond the overhead the MTU
	 * check counts. */
	if (v6 && nla_put_u32(m, IFLA_GRE_FLAGS, IP6_TNL_F_IGN_ENCAP_LIMIT) < 0)
		return -ENOMEM;
	nla_nest_end(m, data);
	nla_nest_end(m, li);
	return 0;
}

int
kn_tunnel_msg(const char *name, const struct kn_tunnel *t, struct nl_msg **msg,
	      struct dpm_err *e)
{
	const struct kn_tun_type *ty = kn_tun_type(t->kind);
	struct rtnl_link *l;
	int rc;

	*msg = NULL;
	if (ty == NULL)
		return kn_fail(e, EINVAL, "link %s: unknown tunnel kind %d",
			       name, (int)t->kind);
	if (t->kind == KN_TUN_VXLAN || t->kind == KN_TUN_GENEVE ||
	    t->kind == KN_TUN_GRETAP) {
		l = tunnel_libnl(name, t);
		if (l == NULL)
			return kn_fail(e, ENOMEM, "out of memory");
		rc = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL,
						 msg);
		rtnl_link_put(l);
		if (rc < 0)
			return kn_nl_fail(e, rc,
					  "build the request for %s link %s",
					  ty->name, name);
		return 0;
	}
	*msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (*msg == NULL)
		return kn_fail(e, ENOMEM, "out of memory");
	if (tunnel_gre_raw(name, t, *msg) != 0) {
		nlmsg_free(*msg);
		*msg = NULL;
		return kn_fail(e, ENOMEM,
			       "build the request for %s link %s: message too "
			       "large",
			       ty->name, name);
	}
	return 0;
}

int
kn_tunnel_add(struct kn_sock *s, const char *name, const struct kn_tunnel *t,
	      struct dpm_err *e)
{
	const struct kn_tun_type *ty = kn_tun_type(t->kind);
	struct nl_msg *msg;
	char ip[INET6_ADDRSTRLEN];
	int rc;

	rc = kn_tunnel_msg(name, t, &msg, e);
	if (rc != 0)
		return rc;
	rc = nl_send_sync(s->nl, msg); /* frees msg */
	if (rc >= 0)
		return 0;
	if (kn_errno_from_nl(rc) == -EOPNOTSUPP)
		return kn_fail(e, EOPNOTSUPP,
			       "cannot create %s link %s in %s: this kernel "
			       "has no %s links (module %s is neither loaded "
			       "nor built in); load it with `modprobe %s` (or "
			       "build the kernel with %s)",
			       ty->name, name, s->where, ty->name, ty->module,
			       ty->module, ty->config);
	return kn_nl_fail(e, rc, "create %s link %s (remote %s) in %s",
			  ty->name, name, kn_ip_str(&t->remote, ip, sizeof(ip)),
			  s->where);
}

static void
attr_ip(const struct nlattr *a, struct kn_ip *ip)
{
	int len = a != NULL ? nla_len(a) : 0;

	memset(ip, 0, sizeof(*ip));
	if (len == 4 || len == 16) {
		ip->family = len == 4 ? AF_INET : AF_INET6;
		memcpy(ip->bytes, nla_data(a), (size_t)len);
	}
	/* An unset address reads back as all zeroes. */
	if (ip->family != 0) {
		static const uint8_t zero[16];

		if (memcmp(ip->bytes, zero, (size_t)len) == 0)
			ip->family = 0;
	}
}

static void
parse_vxlan(struct nlattr *data, struct kn_tunnel_state *st)
{
	struct nlattr *tb[IFLA_VXLAN_MAX + 1];

	if (nla_parse_nested(tb, IFLA_VXLAN_MAX, data, NULL) < 0)
		return;
	if (tb[IFLA_VXLAN_ID] != NULL)
		st->vni = nla_get_u32(tb[IFLA_VXLAN_ID]);
	if (tb[IFLA_VXLAN_PORT] != NULL)
		st->dstport = ntohs(nla_get_u16(tb[IFLA_VXLAN_PORT]));
	if (tb[IFLA_VXLAN_LINK] != NULL)
		st->underlay_ifindex = (int)nla_get_u32(tb[IFLA_VXLAN_LINK]);
	attr_ip(tb[IFLA_VXLAN_LOCAL] != NULL ? tb[IFLA_VXLAN_LOCAL]
					     : tb[IFLA_VXLAN_LOCAL6],
		&st->local);
	attr_ip(tb[IFLA_VXLAN_GROUP] != NULL ? tb[IFLA_VXLAN_GROUP]
					     : tb[IFLA_VXLAN_GROUP6],
		&st->remote);
}

static void
parse_geneve(struct nlattr *data, struct kn_tunnel_state *st)
{
	struct nlattr *tb[IFLA_GENEVE_MAX + 1];

	if (nla_parse_nested(tb, IFLA_GENEVE_MAX, data, NULL) < 0)
		return;
	if (tb[IFLA_GENEVE_ID] != NULL)
		st->vni = nla_get_u32(tb[IFLA_GENEVE_ID]);
	if (tb[IFLA_GENEVE_PORT] != NULL)
		st->dstport = ntohs(nla_get_u16(tb[IFLA_GENEVE_PORT]));
	attr_ip(tb[IFLA_GENEVE_REMOTE] != NULL ? tb[IFLA_GENEVE_REMOTE]
					       : tb[IFLA_GENEVE_REMOTE6],
		&st->remote);
}

static void
parse_gre(struct nlattr *data, struct kn_tunnel_state *st)
{
	struct nlattr *tb[IFLA_GRE_MAX + 1];

	if (nla_parse_nested(tb, IFLA_GRE_MAX, data, NULL) < 0)
		return;
	if (tb[IFLA_GRE_LINK] != NULL)
		st->underlay_ifindex = (int)nla_get_u32(tb[IFLA_GRE_LINK]);
	if (tb[IFLA_GRE_IFLAGS] != NULL)
		st->iflags = ntohs(nla_get_u16(tb[IFLA_GRE_IFLAGS]));
	if (tb[IFLA_GRE_OFLAGS] != NULL)
		st->oflags = ntohs(nla_get_u16(tb[IFLA_GRE_OFLAGS]));
	if (tb[IFLA_GRE_IKEY] != NULL)
		st->ikey = ntohl(nla_get_u32(tb[IFLA_GRE_IKEY]));
	if (tb[IFLA_GRE_OKEY] != NULL)
		st->okey = ntohl(nla_get_u32(tb[IFLA_GRE_OKEY]));
	if (tb[IFLA_GRE_ERSPAN_VER] != NULL)
		st->erspan_ver = nla_get_u8(tb[IFLA_GRE_ERSPAN_VER]);
	if (tb[IFLA_GRE_ERSPAN_INDEX] != NULL)
		st->erspan_index = nla_get_u32(tb[IFLA_GRE_ERSPAN_INDEX]);
	if (tb[IFLA_GRE_FLAGS] != NULL)
		st->ip6_flags = nla_get_u32(tb[IFLA_GRE_FLAGS]);
	attr_ip(tb[IFLA_GRE_LOCAL], &st->local);
	attr_ip(tb[IFLA_GRE_REMOTE], &st->remote);
}

int
kn_tunnel_parse(const struct nlmsghdr *nlh, struct kn_tunnel_state *st)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(uintptr_t)nlh;
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	const struct ifinfomsg *ifi;

	memset(st, 0, sizeof(*st));
	st->tun = -1;
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return -EINVAL;
	ifi = nlmsg_data(h);
	st->ifindex = ifi->ifi_index;
	st->up = (ifi->ifi_flags & IFF_UP) != 0;
	if (tb[IFLA_MTU] != NULL)
		st->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_IFALIAS] != NULL)
		nla_strlcpy(st->alias, tb[IFLA_IFALIAS], sizeof(st->alias));
	if (tb[IFLA_LINKINFO] == NULL ||
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0)
		return 0;
	if (li[IFLA_INFO_KIND] != NULL)
		nla_strlcpy(st->kind, li[IFLA_INFO_KIND], sizeof(st->kind));
	st->tun = kn_tun_parse(st->kind);
	if (li[IFLA_INFO_DATA] == NULL)
		return 0;
	switch (st->tun) {
	case KN_TUN_VXLAN:
		parse_vxlan(li[IFLA_INFO_DATA], st);
		break;
	case KN_TUN_GENEVE:
		parse_geneve(li[IFLA_INFO_DATA], st);
		break;
	case KN_TUN_GRETAP:
	case KN_TUN_IP6GRETAP:
	case KN_TUN_ERSPAN:
	case KN_TUN_IP6ERSPAN:
		parse_gre(li[IFLA_INFO_DATA], st);
		break;
	default:
		break;
	}
	return 0;
}

/* nl_recvmsgs: the link asked for. */
static int
tunnel_read_cb(struct nl_msg *m, void *arg)
{
	/* A link always has an ifindex: 0 after this means none was read. */
	kn_tunnel_parse(nlmsg_hdr(m), arg);
	return NL_OK;
}

int
kn_tunnel_read(struct kn_sock *s, const char *name, struct kn_tunnel_state *st)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_cb *base, *cb;
	struct nl_msg *msg;
	int rc;

	memset(st, 0, sizeof(*st));
	st->tun = -1;
	msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	if (msg == NULL)
		return -ENOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, name) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	base = nl_socket_get_cb(s->nl);
	cb = base != NULL ? nl_cb_clone(base) : NULL;
	if (base != NULL)
		nl_cb_put(base);
	if (cb == NULL) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, tunnel_read_cb, st);
	/* libnl's own sequence: the link (or the error), then the
	 * acknowledgement, as rtnl_link_get_kernel reads them. */
	rc = nl_send_auto(s->nl, msg);
	nlmsg_free(msg);
	if (rc >= 0)
		rc = nl_recvmsgs(s->nl, cb);
	if (rc >= 0 && st->ifindex != 0)
		rc = nl_wait_for_ack(s->nl);
	nl_cb_put(cb);
	if (rc < 0) {
		rc = kn_errno_from_nl(rc);
		return rc == -ENODEV ? -ENODEV : rc;
	}
	if (st->ifindex == 0)
		return -ENODEV;
	if (st->underlay_ifindex > 0) {
		struct rtnl_link *u;

		if (rtnl_link_get_kernel(s->nl, st->underlay_ifindex, NULL,
					 &u) >= 0) {
			snprintf(st->underlay, sizeof(st->underlay), "%s",
				 rtnl_link_get_name(u));
			rtnl_link_put(u);
		}
	}
	return 0;
}

int
kn_addr_add(struct kn_sock *s, const char *ifname, const char *cidr,
	    struct dpm_err *e)
{
	struct rtnl_addr *a;
	struct nl_addr *local;
	int idx, rc;

	idx = kn_link_index(s, ifname);
	if (idx < 0)
		return kn_fail(e, ENODEV, "add address %s: no link %s in %s",
			       cidr, ifname, s->where);
	rc = nl_addr_parse(cidr, AF_UNSPEC, &local);
	if (rc < 0)
		return kn_fail(e, EINVAL,
			       "add address %s to %s: not an address/prefix",
			       cidr, ifname);
	a = rtnl_addr_alloc();
	if (a == NULL) {
		nl_addr_put(local);
		return kn_fail(e, ENOMEM, "out of memory");
	}
	rtnl_addr_set_ifindex(a, idx);
	rtnl_addr_set_local(a, local);
	rc = rtnl_addr_add(s->nl, a, 0);
	rtnl_addr_put(a);
	nl_addr_put(local);
	if (rc < 0)
		return kn_nl_fail(e, rc, "add address %s to %s in %s", cidr,
				  ifname, s->where);
	return 0;
}

int
kn_link_kind_supported(struct kn_sock *s, const char *kind, struct dpm_err *e)
{
	struct rtnl_link *l;
	char name[KN_IFNAMSIZ];
	int rc;

	snprintf(name, sizeof(name), "knp%d", (int)(getpid() % 100000));
	l = rtnl_link_alloc();
	if (l == NULL)
		return kn_fail(e, ENOMEM, "out of memory");
	rtnl_link_set_name(l, name);
	rc = rtnl_link_set_type(l, kind);
	if (rc >= 0)
		rc = rtnl_link_add(s->nl, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	if (rc >= 0) {
		kn_link_del(s, name, NULL);
		return 1;
	}
	switch (kn_errno_from_nl(rc)) {
	case -EOPNOTSUPP:
		return 0; /* the kernel knows no such link kind */
	case -EINVAL:
		return 1; /* it knows it, but wants parameters */
	default:
		return kn_nl_fail(e, rc, "probe for %s links in %s", kind,
				  s->where);
	}
}

int
kn_link_offloads_off(struct kn_sock *s, const char *ifname, struct dpm_err *e)
{
	static const struct {
		uint32_t cmd;
		const char *name;
	} off[] = {
		{ETHTOOL_STSO, "tcp-segmentation-offload"},
		{ETHTOOL_SGSO, "generic-segmentation-offload"},
		{ETHTOOL_SGRO, "generic-receive-offload"},
		{ETHTOOL_STXCSUM, "tx-checksumming"},
	};
	struct ethtool_value ev;
	struct ifreq ifr;
	unsigned int i;

	if (s->ioctl_fd < 0)
		return kn_fail(e, EBADF, "no ioctl socket in %s", s->where);
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		ev.cmd = off[i].cmd;
		ev.data = 0;
		ifr.ifr_data = (void *)&ev;
		if (ioctl(s->ioctl_fd, SIOCETHTOOL, &ifr) != 0 &&
		    errno != EOPNOTSUPP)
			return kn_fail(e, errno, "turn %s off on %s in %s: %s",
				       off[i].name, ifname, s->where,
				       strerror(errno));
	}
	return 0;
}
