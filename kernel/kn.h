/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_KN_H
#define DPMIRROR_KN_H

/*
 * The Linux kernel side of dpmirror, on libnl-route-3 (no shelling out to
 * ip or tc): named network namespaces in iproute2's convention, links
 * (veth, bridge, the tunnels of kn_tun_type), addresses; (kn_tc.c) qdiscs
 * and u32 filters with the mirred action; (kn_mirror.c) the seed's mirror
 * built from them; (kn_playground.c) the playground topology.
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
#include <string.h>
#include <sys/socket.h>

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

/*
 * The tunnel links a kernel mirror can send its copies into, and what each
 * needs from the kernel.  One table, read by the check of cfg/cfg_kernel.h
 * (names, families, which options belong) and by the code that creates,
 * reads and sizes the links (kn_tunnel_*, kn_mirror.c).
 */
enum kn_tun_kind {
	KN_TUN_VXLAN = 0,
	KN_TUN_GENEVE,
	KN_TUN_GRETAP,
	KN_TUN_IP6GRETAP,
	KN_TUN_ERSPAN,
	KN_TUN_IP6ERSPAN,
	KN_TUN_COUNT,
};

struct kn_tun_type {
	const char *name;   /* the link kind, as `ip link add type` takes it */
	const char *module; /* the kernel module that provides it */
	const char *config; /* the kernel option that builds it in */
	int family;	    /* AF_INET, AF_INET6, or 0 for either */
	unsigned int
		overhead; /* outer header bytes over IPv4 (or its family) */
	unsigned int overhead6;	  /* over IPv6 (the either-family ones) */
	unsigned int key_bytes;	  /* added by a GRE key */
	uint16_t dstport;	  /* default UDP port; 0: not a UDP tunnel */
	bool has_local;		  /* takes a local address */
	bool has_key;		  /* takes a GRE key (gretap, ip6gretap) */
	bool has_session;	  /* takes an ERSPAN session ID */
	const char *default_name; /* the link's name when none is given */
};

/* The outer headers (Ethernet + IP + tunnel) counted:
 *  vxlan, geneve: 14 + 20|40 + UDP 8 + 8 = 50|70;
 *  gretap: 14 + 20 + GRE 4 = 38 (+4 with a key); ip6gretap: 58 (+4), sent
 *  without the IPv6 encapsulation-limit option (kn_tunnel_msg);
 *  erspan: 14 + 20 + GRE 8 (with the sequence number) + ERSPAN II 8 = 50;
 *  ip6erspan: 70.
 * The fallback devices ip_gre makes in every namespace are gretap0 and
 * erspan0, so the default names of ours keep away from them. */
static inline const struct kn_tun_type *
kn_tun_type(enum kn_tun_kind k)
{
	static const struct kn_tun_type types[KN_TUN_COUNT] = {
		[KN_TUN_VXLAN] = {"vxlan", "vxlan", "CONFIG_VXLAN", 0, 50, 70,
				  0, 4789, true, false, false, "vxlan0"},
		[KN_TUN_GENEVE] = {"geneve", "geneve", "CONFIG_GENEVE", 0, 50,
				   70, 0, 6081, false, false, false, "geneve0"},
		[KN_TUN_GRETAP] = {"gretap", "ip_gre", "CONFIG_NET_IPGRE",
				   AF_INET, 38, 38, 4, 0, true, true, false,
				   "dpm-gretap0"},
		[KN_TUN_IP6GRETAP] = {"ip6gretap", "ip6_gre", "CONFIG_IPV6_GRE",
				      AF_INET6, 58, 58, 4, 0, true, true, false,
				      "dpm-ip6gretap0"},
		[KN_TUN_ERSPAN] = {"erspan", "ip_gre", "CONFIG_NET_IPGRE",
				   AF_INET, 50, 50, 0, 0, true, false, true,
				   "dpm-erspan0"},
		[KN_TUN_IP6ERSPAN] = {"ip6erspan", "ip6_gre", "CONFIG_IPV6_GRE",
				      AF_INET6, 70, 70, 0, 0, true, false, true,
				      "dpm-ip6erspan0"},
	};

	return (unsigned int)k < KN_TUN_COUNT ? &types[k] : NULL;
}

/* The kind named S ("gretap"), or -1. */
static inline int
kn_tun_parse(const char *s)
{
	int k;

	for (k = 0; k < KN_TUN_COUNT; k++)
		if (s != NULL && strcmp(s, kn_tun_type(k)->name) == 0)
			return k;
	return -1;
}

/* "vxlan, geneve, gretap, ip6gretap, erspan, ip6erspan", for messages. */
#define KN_TUN_VALID "vxlan, geneve, gretap, ip6gretap, erspan, ip6erspan"

/* The largest ERSPAN session ID (10 bits) and index (20 bits). */
#define KN_ERSPAN_SESSION_MAX 1023
#define KN_ERSPAN_INDEX_MAX   1048575

/* A tunnel link to create. */
struct kn_tunnel {
	enum kn_tun_kind kind;
	struct kn_ip local;   /* family 0: none (geneve has none) */
	struct kn_ip remote;  /* required */
	int underlay_ifindex; /* 0 = none (geneve cannot bind to one) */
	uint32_t vni;	      /* vxlan, geneve */
	uint16_t dstport;     /* vxlan, geneve; 0 = the kind's default */
	bool has_key;	      /* gretap, ip6gretap: GRE key on both ways */
	uint32_t key;
	uint32_t session_id;   /* erspan, ip6erspan: 0..1023 */
	uint32_t erspan_index; /* erspan, ip6erspan: 0..1048575 */
};

/* A tunnel link as the kernel has it (or as a request describes it). */
struct kn_tunnel_state {
	int ifindex;
	char kind[32]; /* IFLA_INFO_KIND, "" when it has none */
	int tun;       /* enum kn_tun_kind of kind, -1 = not one of ours */
	unsigned int mtu;
	bool up;
	char alias[64];
	struct kn_ip local, remote;
	int underlay_ifindex;
	char underlay[KN_IFNAMSIZ]; /* its name when it could be read */
	uint32_t vni;
	uint16_t dstport;
	uint16_t iflags, oflags; /* GRE flags, host order (0x2000 key) */
	uint32_t ikey, okey;	 /* host order */
	uint8_t erspan_ver;
	uint32_t erspan_index;
	uint32_t ip6_flags; /* IFLA_GRE_FLAGS of ip6 GRE links */
};

struct nl_msg;

/*
 * The RTM_NEWLINK request that creates tunnel NAME as T describes, in *MSG
 * (free with nlmsg_free): built by libnl where it knows the kind (vxlan,
 * geneve, gretap), from the netlink attributes of linux/if_link.h
 * otherwise (ip6gretap, erspan, ip6erspan).  ERSPAN links get version 1
 * (type II), the session ID as their GRE key and sequence numbers on, as
 * the kernel requires; ip6 GRE links get no encapsulation-limit option.
 * 0 or negative errno.  Needs no socket: the test reads the request back.
 */
int kn_tunnel_msg(const char *name, const struct kn_tunnel *t,
		  struct nl_msg **msg, struct dpm_err *e);
/*
 * Create tunnel NAME in S's namespace.  A kernel that has no such link
 * kind gets a message naming the module to load, e.g. "cannot create
 * gretap link g0 in netns x: this kernel has no gretap links (module
 * ip_gre is neither loaded nor built in); load it with `modprobe ip_gre`
 * (or build the kernel with CONFIG_NET_IPGRE)", and -EOPNOTSUPP.
 */
int kn_tunnel_add(struct kn_sock *s, const char *name,
		  const struct kn_tunnel *t, struct dpm_err *e);
/* Read link NAME (any kind): 0, or -ENODEV when there is none. */
int kn_tunnel_read(struct kn_sock *s, const char *name,
		   struct kn_tunnel_state *st);
/* Read the link described by the RTM_NEWLINK message NLH (a request or the
 * kernel's answer) into ST; 0 or -EINVAL. */
struct nlmsghdr;
int kn_tunnel_parse(const struct nlmsghdr *nlh, struct kn_tunnel_state *st);

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
