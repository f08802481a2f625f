/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_KN_H
#define DPMIRROR_KN_H

/*
 * The Linux kernel side of dpmirror, on libnl-route-3 (no shelling out to
 * ip or tc): named network namespaces in iproute2's convention, links
 * (veth, bridge, vxlan), addresses; (kn_tc.c) qdiscs and u32 filters with
 * the mirred action; (kn_mirror.c) the seed's mirror built from them;
 * (kn_playground.c) the playground topology.
 *
 * Every function that can fail returns 0 (or a non-negative value) on
 * success and a negative errno on failure, with a message in *e (the
 * control side's struct dpm_err, common/dpm_err.h) that says
 * what failed on which object, e.g.
 *   "create veth dpm-h1e0 (peer eth0 in netns dpm-h1): File exists".
 * libnl's NLE_* codes are translated here, at the kernel/ boundary.
 * Called by the control thread or dpmirrorctl only; not thread-safe.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpm_err.h"

#define KN_IFNAMSIZ 16

/* dpm_fail, plus a hint to run as root when ERRNUM is EPERM or EACCES and
 * the caller is not root. */
int kn_fail(struct dpm_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append a formatted string to the one in BUF (LEN bytes), cut to fit. */
void kn_append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Translate a libnl return code (negative NLE_*) into a negative errno. */
int kn_errno_from_nl(int nlerr);

/* Fail with a libnl error: "<what>: <libnl's text>", the errno translated. */
int kn_nl_fail(struct dpm_err *e, int nlerr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- named network namespaces (/run/netns/NAME) ---- */

/* Create NAME; -EEXIST when it exists. */
int kn_netns_add(const char *name, struct dpm_err *e);
/* Delete NAME (unmount and unlink); -ENOENT when it does not exist. */
int kn_netns_del(const char *name, struct dpm_err *e);
bool kn_netns_exists(const char *name);
/* An fd for NAME's namespace (NULL or "" = this process's), or -errno. */
int kn_netns_open(const char *name, struct dpm_err *e);
/* Names of existing namespaces starting with PREFIX; returns how many
 * (at most MAX) were stored in NAMES, each of size 256. */
int kn_netns_list(const char *prefix, char (*names)[256], int max);

/* ---- netlink sockets bound to a namespace ---- */

struct kn_sock;
struct nl_sock;

/* A NETLINK_ROUTE socket inside NETNS (NULL = this process's). */
struct kn_sock *kn_sock_open(const char *netns, struct dpm_err *e);
void kn_sock_close(struct kn_sock *s); /* NULL is accepted */
struct nl_sock *kn_sock_nl(struct kn_sock *s);
/* "the root namespace" or "netns NAME", for messages. */
const char *kn_sock_where(const struct kn_sock *s);

/* ---- links ---- */

struct kn_link_info {
	char name[KN_IFNAMSIZ];
	char kind[32]; /* "veth", "bridge", "vxlan", ... or "" */
	int ifindex;
	bool up;      /* administratively up */
	bool running; /* carrier (IFF_LOWER_UP) */
	unsigned int mtu;
	char master[KN_IFNAMSIZ]; /* "" when not enslaved */
	uint8_t mac[6];
};

/* ifindex (> 0) of IFNAME, or -ENODEV. */
int kn_link_index(struct kn_sock *s, const char *ifname);
int kn_link_info(struct kn_sock *s, const char *ifname,
		 struct kn_link_info *out, struct dpm_err *e);
/* Call FN for every link whose name starts with PREFIX ("" = all). */
int kn_link_foreach(struct kn_sock *s, const char *prefix,
		    void (*fn)(const struct kn_link_info *, void *), void *arg,
		    struct dpm_err *e);

/* A veth pair NAME <-> PEER, with PEER moved into PEER_NETNS (NULL = same
 * namespace as S). */
int kn_veth_add(struct kn_sock *s, const char *name, const char *peer,
		const char *peer_netns, struct dpm_err *e);
int kn_bridge_add(struct kn_sock *s, const char *name, struct dpm_err *e);
/* Enslave IFNAME to MASTER, or release it from its master (MASTER NULL). */
int kn_link_set_master(struct kn_sock *s, const char *ifname,
		       const char *master, struct dpm_err *e);
int kn_link_set_up(struct kn_sock *s, const char *ifname, bool up,
		   struct dpm_err *e);
int kn_link_set_mtu(struct kn_sock *s, const char *ifname, unsigned int mtu,
		    struct dpm_err *e);
int kn_link_set_mac(struct kn_sock *s, const char *ifname, const uint8_t mac[6],
		    struct dpm_err *e);
/*
 * Turn off TSO, GSO, GRO and tx checksum offload on IFNAME (ethtool).  A
 * packet socket (DPDK's net_af_packet) on a veth otherwise receives
 * 64 KB super-frames and frames whose checksum is left to hardware that
 * never comes, which it can neither forward nor mirror faithfully.
 */
int kn_link_offloads_off(struct kn_sock *s, const char *ifname,
			 struct dpm_err *e);

/* Delete IFNAME; -ENODEV when it does not exist. */
int kn_link_del(struct kn_sock *s, const char *ifname, struct dpm_err *e);

/* An IPv4 or IPv6 address in network order. */
struct kn_ip {
	int family; /* AF_INET, AF_INET6; 0 = unset */
	uint8_t bytes[16];
};

/* Parse "198.18.0.1" or "fd00::1" (no prefix); 0 or -EINVAL. */
int kn_ip_parse(const char *s, struct kn_ip *ip);
/* Format IP into BUF (at least 46 bytes); returns BUF. */
const char *kn_ip_str(const struct kn_ip *ip, char *buf, size_t len);

struct kn_vxlan {
	uint32_t vni;
	struct kn_ip local;
	struct kn_ip remote;
	char underlay[KN_IFNAMSIZ]; /* "" = none */
	uint32_t dstport;	    /* 0 = 4789; else 1..65535 */
};

int kn_vxlan_add(struct kn_sock *s, const char *name, const struct kn_vxlan *v,
		 struct dpm_err *e);

/* A link as the kernel has it, with its vxlan parameters when it is one. */
struct kn_vxlan_state {
	bool is_vxlan;
	uint32_t vni;
	char local[64], remote[64]; /* "-" when not set */
	int underlay_ifindex;	    /* 0 = none */
	char underlay[KN_IFNAMSIZ]; /* its name, "" = none */
	uint32_t port;		    /* UDP destination port */
	unsigned int mtu;
	bool up;
	char alias[64]; /* ip link's "alias", "" = none */
};

/* Read link NAME: 0, or -ENODEV when there is none.  A link of another
 * kind is read too, with is_vxlan false. */
int kn_vxlan_read(struct kn_sock *s, const char *name,
		  struct kn_vxlan_state *v);

/* Add CIDR ("198.18.0.1/24", "fd00::1/64") to IFNAME. */
int kn_addr_add(struct kn_sock *s, const char *ifname, const char *cidr,
		struct dpm_err *e);

/*
 * Whether this kernel can create links of KIND ("vxlan", "gretap",
 * "geneve", "erspan", ...): 1 yes, 0 no, negative errno when it could not
 * tell.  Tries to create (and deletes) a scratch link in S's namespace.
 */
int kn_link_kind_supported(struct kn_sock *s, const char *kind,
			   struct dpm_err *e);

#endif /* DPMIRROR_KN_H */
