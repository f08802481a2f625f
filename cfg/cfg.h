/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CFG_H
#define DPMIRROR_CFG_H

/*
 * The configuration model (DESIGN section 4, a contract) and its one
 * validator, shared by `dpmirrorctl check` and `dpmirror`.
 *
 * cfg_load() parses an INI file with rte_cfgfile (no EAL needed), checks every
 * section, key and value, resolves every reference to an index and returns a
 * fully validated struct cfg, or NULL with every problem found appended to a
 * struct cfg_errors.  Each message names the section, the key and the value
 * and says what would be valid.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dp_limits.h"

/*
 * Limits of a configuration.  Those that size or index an array of the
 * dataplane are the dataplane's own (dataplane/dp_limits.h) or asserted to
 * fit it; filters and rules have no dataplane array (the ACL contexts are
 * sized when built).
 */
#define CFG_MAX_PORTS		   DP_MAX_PORTS
#define CFG_MAX_COLLECTORS	   DP_MAX_COLLECTORS
#define CFG_MAX_SESSIONS	   DP_MAX_SESSIONS /* one rte_acl category each */
#define CFG_MAX_SESSION_COLLECTORS DP_MAX_SESSION_COLLECTORS
#define CFG_MAX_SOURCES		   (2 * CFG_MAX_PORTS) /* rx and tx of each */
#define CFG_MAX_BURST		   DP_MAX_BURST	       /* [dpmirror] burst */
#define CFG_MAX_RX_QUEUES	   64		       /* [port] rx_queues */
#define CFG_MAX_PORT_LCORES	   DP_MAX_WORKERS      /* [port] lcores */
#define CFG_MAX_FILTERS		   64
#define CFG_MAX_RULES		   16384 /* over all filters */

_Static_assert(CFG_MAX_SESSIONS <= DP_MASK_BITS,
	       "every session has its bit in the dataplane's session masks");
_Static_assert(CFG_MAX_PORTS <= DP_MASK_BITS,
	       "every port has its bit in the dataplane's port masks");
_Static_assert(CFG_MAX_RX_QUEUES <= DP_MAX_RXQ,
	       "one worker can poll every rx queue of a port");

#define CFG_NAME_MAX   32 /* section names: "<kind> <name>", name < 32 */
#define CFG_DEVICE_MAX 256
/* A configuration file larger than this many bytes (4 MiB) is refused. */
#define CFG_FILE_MAX (4u << 20)

enum cfg_mode {
	CFG_MODE_INLINE = 0, /* forward rx to the peer port, mirror rx and tx */
	CFG_MODE_TAP,	     /* mirror, then free the original */
};

/* [collector] encap; the same order as the dataplane's enum dp_encap_type
 * (ctrl/ctl_ruleset.c asserts it). */
enum cfg_encap {
	CFG_ENCAP_VXLAN = 0,
	CFG_ENCAP_GENEVE,
	CFG_ENCAP_GRE,
	CFG_ENCAP_ERSPAN2,
	CFG_ENCAP_ERSPAN3,
	CFG_ENCAP_NONE,
};

/* "vxlan", "geneve", "gre", "erspan2", "erspan3", "none"; NULL if E is not
 * one of them. */
const char *cfg_encap_name(int e);

/* Direction bits of a session source. */
#define CFG_DIR_RX 0x1
#define CFG_DIR_TX 0x2

/* An IPv4 or IPv6 address in network byte order. */
struct cfg_addr {
	uint8_t family;	   /* 4 or 6; 0 = unset */
	uint8_t bytes[16]; /* IPv4 uses bytes[0..3] */
};

/* tx_multiseg of a port. */
enum cfg_multiseg {
	CFG_MULTISEG_AUTO = 0, /* what the driver advertises */
	CFG_MULTISEG_YES,      /* the driver sends chains without saying so */
	CFG_MULTISEG_NO,       /* never send chains: copies only */
};

/* [collector] udp6_checksum: the outer UDP checksum of IPv6 VxLAN and
 * Geneve copies (RFC 6935 allows 0 for tunnels). */
enum cfg_udp6_csum {
	CFG_UDP6_AUTO = 0, /* not given: offload where the port offers it,
			    * else compute */
	CFG_UDP6_COMPUTE,  /* computed by the workers */
	CFG_UDP6_OFFLOAD,  /* left to the NIC; refused where not offered */
	CFG_UDP6_ZERO,	   /* 0 */
};

struct cfg_port {
	char name[CFG_NAME_MAX];
	char device[CFG_DEVICE_MAX]; /* EAL device string, as written */
	int peer;		     /* index into cfg.ports, -1 = none */
	uint16_t rx_queues;	     /* 1..64, default 1 */
	uint16_t mtu;		     /* 0 = leave the device's MTU */
	int tx_multiseg;	     /* CFG_MULTISEG_*: chained mbufs on tx */
	/* lcores = 2,3: the worker lcores its rx queues are dealt out to,
	 * in this order; n_lcores = 0: ctl_workers_assign's choice. */
	uint16_t lcores[CFG_MAX_PORT_LCORES];
	unsigned int n_lcores;
};

struct cfg_collector {
	char name[CFG_NAME_MAX];
	int port; /* index into cfg.ports */
	enum cfg_encap encap;
	struct cfg_addr remote_ip; /* same family as local_ip */
	struct cfg_addr local_ip;
	uint8_t remote_mac[6];
	bool local_mac_set; /* false: use the egress port's own MAC */
	uint8_t local_mac[6];
	uint32_t vni;	   /* vxlan, geneve: 0..16777215, default 0 */
	uint16_t dst_port; /* vxlan: default 4789; geneve: default 6081 */
	uint8_t ttl;	   /* 1..255, default 64 */
	uint8_t dscp;	   /* 0..63, default 0 */
	/*
	 * remote_mac = auto: remote_mac stays all-zero and the control
	 * thread resolves next_hop by ARP (IPv4) or Neighbour Discovery
	 * (IPv6) on the egress port, which no worker receives on.
	 */
	bool remote_mac_auto;
	struct cfg_addr next_hop; /* with remote_mac_auto: whom to resolve,
				   * remote_ip's family, default remote_ip;
				   * family 0 otherwise */
	bool key_set;		  /* gre: key = N given */
	uint32_t key;		  /* gre: 0..4294967295 */
	bool seq;		  /* gre: seq = yes (default no) */
	uint16_t session_id;	  /* erspan2, erspan3: 0..1023, default 0 */
	uint16_t vlan;		  /* none: 0 = no tag (default), else 1..4094 */
	int udp6_checksum;	  /* vxlan, geneve over IPv6: CFG_UDP6_* */
};

struct cfg_source {
	int port;    /* index into cfg.ports */
	uint8_t dir; /* CFG_DIR_* bits */
};

struct cfg_session {
	char name[CFG_NAME_MAX];
	struct cfg_source sources[CFG_MAX_SOURCES];
	unsigned int n_sources;
	int collectors[CFG_MAX_SESSION_COLLECTORS]; /* indexes into
						       cfg.collectors */
	unsigned int n_collectors;
	int filter;	   /* index into cfg.filters, -1 = mirror everything */
	uint32_t snaplen;  /* 0 = whole frame, else >= 14 */
	uint32_t sample;   /* >= 1: mirror 1 in N matching packets */
	uint64_t rate_bps; /* 0 = no cap, else bits/s of mirrored copies */
};

enum cfg_action {
	CFG_REJECT = 0,
	CFG_ACCEPT = 1,
};

/*
 * One filter rule.  A field that is not named matches anything.  Naming any
 * of proto/src/dst/sport/dport makes the rule an IP rule: it never matches a
 * non-IP frame.  Naming src or dst fixes the address family of the rule.
 * Naming sport or dport additionally requires the packet to carry L4 ports
 * (TCP, UDP or SCTP, and not a non-first fragment).
 */
struct cfg_rule {
	uint32_t number; /* the N of "rule N", rules are tried by ascending N */
	enum cfg_action action;
	int proto;	/* -1 = any, else 0..255 */
	uint8_t family; /* 0 = any, 4 or 6: fixed by src/dst */
	bool has_src, has_dst;
	struct cfg_addr src, dst;
	uint8_t src_len, dst_len; /* prefix lengths */
	bool has_sport, has_dport;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	int vlan; /* -1 = any, else 0..4095: the outermost tag's VID */
};

/* The snapshot length expressions are compiled for, as tcpdump's. */
#define CFG_EXPR_SNAPLEN 262144

struct cfg_filter {
	char name[CFG_NAME_MAX];
	struct cfg_rule *rules; /* sorted by ascending number */
	unsigned int n_rules;
	enum cfg_action dflt; /* for packets no rule matches; default reject */
	/* expression = <pcap-filter expression>, as tcpdump takes it (then
	 * no rules, and no default): the text, allocated (cfg_free frees
	 * it); NULL for a filter of rules.  The validator compiled it with
	 * libpcap for Ethernet (DLT_EN10MB, snaplen CFG_EXPR_SNAPLEN,
	 * optimised), as the ruleset does (ctrl/ctl_bpf.c). */
	char *expression;
};

/*
 * [playground]: bring the veth/netns playground up at start (kernel/
 * kn_playground.h) and remove it at exit, unless it was up already or
 * keep = yes.
 */
#define CFG_PG_PREFIX_MAX 8
struct cfg_playground {
	bool present;
	char prefix[CFG_PG_PREFIX_MAX + 1]; /* default "dpm" */
	bool inline_mode;		    /* inline = yes */
	bool keep;			    /* keep = yes */
};

/*
 * [kernel NAME]: a kernel tc + mirred + vxlan mirror (the seed's sections
 * 2.2-2.3) set up at start and removed at exit.
 */
#define CFG_MAX_KERNELS 8
#define CFG_IFNAME_MAX	16
#define CFG_NETNS_MAX	64

enum cfg_kdir {
	CFG_KDIR_INGRESS = 1,
	CFG_KDIR_EGRESS = 2,
	CFG_KDIR_BOTH = 3,
};

/* The kernel mirror's tunnels, in the order of kernel/kn.h's kn_tun_kind. */
enum cfg_kencap {
	CFG_KENCAP_VXLAN = 0,
	CFG_KENCAP_GENEVE,
	CFG_KENCAP_GRETAP,
	CFG_KENCAP_IP6GRETAP,
	CFG_KENCAP_ERSPAN,
	CFG_KENCAP_IP6ERSPAN,
};

struct cfg_kernel {
	char name[CFG_NAME_MAX];
	char netns[CFG_NETNS_MAX];     /* "" = dpmirror's own namespace */
	char dev[CFG_IFNAME_MAX];      /* the device whose traffic is copied */
	int dir;		       /* enum cfg_kdir, default ingress */
	int encap;		       /* enum cfg_kencap, default vxlan */
	struct cfg_addr remote;	       /* the far end of the tunnel */
	struct cfg_addr local;	       /* same family as remote */
	uint32_t vni;		       /* vxlan, geneve */
	uint16_t dst_port;	       /* vxlan 4789, geneve 6081 */
	char underlay[CFG_IFNAME_MAX]; /* "" = none */
	char vxlan_name[CFG_IFNAME_MAX]; /* the tunnel link; default
					  * "vxlan0", "geneve0", ... */
	bool has_match;			 /* else everything */
	struct cfg_rule match; /* proto/src/dst/sport/dport, exact ports */
	bool ignore_mtu;
	bool has_key; /* gretap, ip6gretap: a GRE key */
	uint32_t key;
	bool has_session_id; /* erspan, ip6erspan: 0..1023, default 0 */
	uint32_t session_id;
};

struct cfg {
	enum cfg_mode mode;
	uint32_t burst;		 /* 1..512, default 32 */
	uint32_t mirror_pool;	 /* 1024..1048576, default 16384 */
	uint32_t stats_interval; /* seconds, 0 = only at exit; default 1 */
	uint32_t copy_max;	 /* frames up to this many bytes are copied,
				  * longer ones cloned; 0..2048, default 1518 */

	struct cfg_port ports[CFG_MAX_PORTS];
	unsigned int n_ports;
	struct cfg_collector collectors[CFG_MAX_COLLECTORS];
	unsigned int n_collectors;
	struct cfg_session sessions[CFG_MAX_SESSIONS];
	unsigned int n_sessions;
	struct cfg_filter filters[CFG_MAX_FILTERS];
	unsigned int n_filters;
	struct cfg_playground playground;
	struct cfg_kernel kernels[CFG_MAX_KERNELS];
	unsigned int n_kernels;
};

/* Every problem found in one file, in file order. */
#define CFG_ERR_MAX 64
#define CFG_ERR_LEN 320
struct cfg_errors {
	unsigned int n; /* how many were found (may exceed CFG_ERR_MAX) */
	char msg[CFG_ERR_MAX][CFG_ERR_LEN];
};

/*
 * Load and validate FILE.  Returns a new struct cfg (free with cfg_free) or
 * NULL; then errs->n > 0 and errs->msg[] hold the messages, each of the form
 *   "[section name] key = value: what is wrong; what would be valid"
 * (file-level problems omit the parts they cannot name).  Control bytes of
 * the file (and of FILE) appear escaped in the messages (see cfg_escape).
 *
 * FILE must be a regular file of at most CFG_FILE_MAX bytes; anything else
 * (a directory, FIFO, device or socket) is refused without being opened for
 * reading, and no more than CFG_FILE_MAX + 1 bytes are ever read.  The file
 * is read once: the checks and rte_cfgfile see the same bytes.
 */
struct cfg *cfg_load(const char *path, struct cfg_errors *errs);

/* Free a struct cfg from cfg_load; NULL is accepted. */
void cfg_free(struct cfg *cfg);

/*
 * The same, for text already in memory (NAME is what messages call it, e.g.
 * the path it came from): SIZE bytes at DATA, at most CFG_FILE_MAX.
 */
struct cfg *cfg_load_buffer(const char *name, const char *data, size_t size,
			    struct cfg_errors *errs);

/*
 * Print ERRS to OUT, one "PATH: error: MESSAGE" line each, in file order,
 * then how many more there were when they did not all fit (PATH escaped as
 * by cfg_escape).  The one printer of configuration problems, for dpmirror
 * and dpmirrorctl.
 */
#define CFG_PATH_SHOWN 1024
void cfg_errors_print(FILE *out, const char *path,
		      const struct cfg_errors *errs);

/*
 * Value parsers (cfg_value.c), shared by the configuration and by every
 * command-line option of dpmirror and dpmirrorctl.  They report nothing;
 * those that can say why fill WHY (WL bytes) with a message that starts
 * with WORD and the value, e.g. "src 198.18.1.5/24: host bits set ...".
 */

/* Parse "<n>[K|M|G]" bits/s as written for `rate`; 0 on success. */
int cfg_parse_rate(const char *s, uint64_t *out);
/* Strip leading and trailing white space in place; returns the start. */
char *cfg_strip(char *s);
/* An object name: CFG_NAME_MAX - 1 characters of A-Z a-z 0-9 _ . - */
bool cfg_valid_name(const char *s);
/* A Linux interface name: 1..15 characters, no '/', ':' or white space. */
bool cfg_ifname_ok(const char *s);
/* An IPv4 or IPv6 address without /len; 0 or -EINVAL. */
int cfg_parse_addr(const char *s, struct cfg_addr *a);
/* NULL for a unicast address, else "unspecified", "multicast" or
 * "broadcast". */
const char *cfg_addr_not_unicast(const struct cfg_addr *a);
/* "IPv4" or "IPv6". */
const char *cfg_family_name(uint8_t family);
void cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len);
/* ADDR[/LEN] with no host bits set beyond the prefix; 0 or -1 with WHY. */
int cfg_parse_cidr(const char *word, const char *s, struct cfg_addr *a,
		   uint8_t *plen, char *why, size_t wl);
/* The prefix check of cfg_parse_cidr on a parsed address A and length LEN
 * (TEXT is how the prefix was written, for the message): LEN within the
 * family's, no host bits set.  0 or -1 with WHY. */
int cfg_check_prefix(const char *word, const char *text,
		     const struct cfg_addr *a, unsigned int len, char *why,
		     size_t wl);
/* A protocol: a name of the one table (common/dpm_proto.h) or a decimal
 * number (any size: the caller checks its range).  0, -EINVAL or -ERANGE
 * as cfg_parse_u64. */
int cfg_parse_proto(const char *s, uint64_t *num);
/* A port N or range N-M (0..65535); 0 or -1 with WHY. */
int cfg_parse_range(const char *word, const char *s, uint16_t *lo, uint16_t *hi,
		    char *why, size_t wl);
/* A MAC address as rte_ether_unformat_addr reads it; 0 or -EINVAL. */
int cfg_parse_mac(const char *s, uint8_t mac[6]);
bool cfg_mac_is_zero(const uint8_t mac[6]);

/*
 * The one parser of decimal numbers, for the configuration file and for
 * every numeric command-line option of dpmirror and dpmirrorctl: one or
 * more digits 0-9 and nothing else (no sign, space, base prefix, exponent,
 * fraction or suffix).  cfg_parse_u64 returns 0, -EINVAL when S is not such
 * a number, or -ERANGE when it exceeds UINT64_MAX; cfg_parse_uint also
 * returns -ERANGE when the number is outside LO..HI.  *OUT is written only
 * on success.
 */
int cfg_parse_u64(const char *s, uint64_t *out);
int cfg_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/*
 * Copy S into BUF (LEN > 0 bytes) with its control bytes made visible, for
 * echoing user-given text in a message: CR, LF and TAB as \r, \n and \t,
 * every other byte below 0x20 and DEL as \xHH.  Other bytes (printable
 * ASCII, UTF-8) are copied as they are.  A result too long for BUF is cut
 * before an escape, never inside one.  Returns BUF.
 */
const char *cfg_escape(const char *s, char *buf, size_t len);

#endif /* DPMIRROR_CFG_H */
