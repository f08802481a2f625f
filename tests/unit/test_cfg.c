/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Unit tests of the configuration loader and validator (cfg/).
 *
 * Good files must load into the expected struct cfg; every bad file must
 * be refused (cfg_load returns NULL) with a first message that names the
 * offending section, key and value.  The INI text of each case is written
 * to a temporary file.  No EAL is needed.
 */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "cfg.h"

#ifndef DPM_TEST_DATA
#define DPM_TEST_DATA "tests/data"
#endif

/* A valid base: an inline pair p0 <-> p1, and "out" towards c1. */
#define PORTS \
	"[port p0]\ndevice = net_null0\npeer = p1\n" \
	"[port p1]\ndevice = net_null1\npeer = p0\n" \
	"[port out]\ndevice = net_null2\n"
#define PORTS_NOPEER \
	"[port p0]\ndevice = net_null0\n" \
	"[port out]\ndevice = net_null2\n"
#define COLL \
	"[collector c1]\nport = out\nremote_ip = 198.18.1.3\n" \
	"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
#define SESS "[session s1]\nsources = p0:rx\ncollector = c1\n"
/* COLL over IPv6. */
#define COLL6 \
	"[collector c1]\nport = out\nremote_ip = fd00:1::3\n" \
	"local_ip = fd00:1::10\nremote_mac = 02:00:00:00:01:03\n"
#define BASE PORTS COLL SESS
/* A base whose session uses [filter f]; append "[filter f]" and rules. */
#define BASE_F PORTS COLL SESS "filter = f\n"
/* COLL with remote_mac = auto, on the port no worker receives on. */
#define COLL_AUTO \
	"[collector c1]\nport = out\nremote_ip = 198.18.1.3\n" \
	"local_ip = 198.18.1.10\nremote_mac = auto\n"
/* A collector section without remote_ip/local_ip, to append them. */
#define COLL_NOIP \
	"[collector c1]\nport = out\nremote_mac = 02:00:00:00:01:03\n"
/* A plain-copy collector on out (no worker receives there), to append
 * its keys. */
#define COLL_NONE "[collector c1]\nport = out\nencap = none\n"
/* The keys of each encap, as the messages list them. */
#define KEYS_TUNNEL \
	"port, encap, remote_ip, local_ip, remote_mac, local_mac, next_hop, " \
	"ttl, dscp"
#define KEYS_UDP \
	"port, encap, remote_ip, local_ip, remote_mac, local_mac, next_hop, " \
	"vni, dst_port, udp6_checksum, ttl, dscp"

static char *
write_tmp(const char *text)
{
	char *path = strdup("/tmp/test_cfg.XXXXXX");
	size_t len = strlen(text);
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

/* Load INI text; errs receives the messages. */
static struct cfg *
load_text(const char *text, struct cfg_errors *errs)
{
	char *path = write_tmp(text);
	struct cfg *cfg;

	cfg = cfg_load(path, errs);
	unlink(path);
	free(path);
	return cfg;
}

static struct cfg *
load_good(const char *text)
{
	static struct cfg_errors errs;
	struct cfg *cfg;
	unsigned int i;

	cfg = load_text(text, &errs);
	if (cfg == NULL) {
		for (i = 0; i < errs.n && i < CFG_ERR_MAX; i++)
			print_error("unexpected: %s\n", errs.msg[i]);
		fail_msg("a valid configuration was refused");
	}
	assert_int_equal(errs.n, 0);
	return cfg;
}

static void
assert_addr(const struct cfg_addr *a, const char *text)
{
	uint8_t want[16] = { 0 };

	if (strchr(text, ':') != NULL) {
		assert_int_equal(inet_pton(AF_INET6, text, want), 1);
		assert_int_equal(a->family, 6);
		assert_memory_equal(a->bytes, want, 16);
	} else {
		assert_int_equal(inet_pton(AF_INET, text, want), 1);
		assert_int_equal(a->family, 4);
		assert_memory_equal(a->bytes, want, 4);
	}
}

/*
 * Good configurations.
 */

static void
test_defaults(void **state)
{
	struct cfg *cfg;

	(void)state;
	cfg = load_good(PORTS_NOPEER COLL SESS);
	assert_int_equal(cfg->mode, CFG_MODE_INLINE);
	assert_int_equal(cfg->burst, 32);
	assert_int_equal(cfg->mirror_pool, 16384);
	assert_int_equal(cfg->stats_interval, 1);
	assert_int_equal(cfg->copy_max, 256);
	assert_int_equal(cfg->ports[0].tx_multiseg, CFG_MULTISEG_AUTO);

	assert_int_equal(cfg->n_ports, 2);
	assert_string_equal(cfg->ports[0].name, "p0");
	assert_string_equal(cfg->ports[0].device, "net_null0");
	assert_int_equal(cfg->ports[0].peer, -1);
	assert_int_equal(cfg->ports[0].rx_queues, 1);
	assert_int_equal(cfg->ports[0].mtu, 0);
	assert_int_equal(cfg->ports[0].n_lcores, 0);

	assert_int_equal(cfg->n_collectors, 1);
	assert_string_equal(cfg->collectors[0].name, "c1");
	assert_int_equal(cfg->collectors[0].port, 1);
	assert_int_equal(cfg->collectors[0].encap, CFG_ENCAP_VXLAN);
	assert_addr(&cfg->collectors[0].remote_ip, "198.18.1.3");
	assert_addr(&cfg->collectors[0].local_ip, "198.18.1.10");
	assert_memory_equal(cfg->collectors[0].remote_mac,
		((uint8_t[6]){ 2, 0, 0, 0, 1, 3 }), 6);
	assert_false(cfg->collectors[0].local_mac_set);
	assert_int_equal(cfg->collectors[0].vni, 0);
	assert_int_equal(cfg->collectors[0].dst_port, 4789);
	assert_int_equal(cfg->collectors[0].ttl, 64);
	assert_int_equal(cfg->collectors[0].dscp, 0);

	assert_int_equal(cfg->n_sessions, 1);
	assert_string_equal(cfg->sessions[0].name, "s1");
	assert_int_equal(cfg->sessions[0].n_sources, 1);
	assert_int_equal(cfg->sessions[0].sources[0].port, 0);
	assert_int_equal(cfg->sessions[0].sources[0].dir, CFG_DIR_RX);
	assert_int_equal(cfg->sessions[0].n_collectors, 1);
	assert_int_equal(cfg->sessions[0].collectors[0], 0);
	assert_int_equal(cfg->sessions[0].filter, -1);
	assert_int_equal(cfg->sessions[0].snaplen, 0);
	assert_int_equal(cfg->sessions[0].sample, 1);
	assert_int_equal(cfg->sessions[0].rate_bps, 0);
	assert_int_equal(cfg->n_filters, 0);
	cfg_free(cfg);
}

/*
 * Sections in an unusual order (sessions and filters before what they
 * name), every key set, comments and escapes.
 */
static const char full_ini[] =
	"; comment line\n"
	"[session web]\n"
	"sources = east:both, west:tx ,mon:rx\n"
	"collector = v6, c4\n"
	"filter = f1\n"
	"snaplen = 14\n"
	"sample = 2147483647\n"
	"rate = 2500M          ; bits/s\n"
	"[session other]\n"
	"sources = west:rx\n"
	"collector = c4\n"
	"rate = 400G\n"
	"[filter f1]\n"
	"rule 300 = accept proto icmpv6 dst fd00:10::/64\n"
	"rule 20 = reject src 198.18.0.9 dst 198.18.0.0/15 proto 47\n"
	"rule 100 = accept proto tcp dport 80-443 sport 1024-65535 vlan 4095\n"
	"rule 5 = accept\n"
	"rule 999999 = reject proto sctp src fd00::1/128 dport 0\n"
	"default = accept\n"
	"[filter empty]\n"
	"[dpmirror]\n"
	"mode = inline\n"
	"burst = 512\n"
	"mirror_pool = 1048576\n"
	"stats_interval = 0\n"
	"[port east]\n"
	"device = net_af_packet0,iface=veth-east\n"
	"peer = west\n"
	"rx_queues = 64\n"
	"mtu = 9702\n"
	"lcores = 5, 2-4,9 ,63\n"
	"[port west]\n"
	"device = 0000:3b:00.1\n"
	"peer = east\n"
	"mtu = 68\n"
	"[port mon]\n"
	"device = net_tap0,iface=dpm-mon\n"
	"[port tun]\n"
	"device = net_tap1,iface=dpm-tun\n"
	"[collector c4]\n"
	"port = tun\n"
	"encap = vxlan\n"
	"remote_ip = 198.18.1.3\n"
	"local_ip = 198.18.1.10\n"
	"remote_mac = 02:00:00:00:01:03\n"
	"local_mac = 02:00:00:00:01:0A\n"
	"vni = 16777215\n"
	"dst_port = 65535\n"
	"ttl = 255\n"
	"dscp = 63\n"
	"[collector v6]\n"
	"port = tun\n"
	"remote_ip = fd00:1::3\n"
	"local_ip = fd00:1::10\n"
	"remote_mac = aa:bb:cc:dd:ee:ff\n"
	"vni = 7\n"
	"dst_port = 1\n"
	"ttl = 1\n";

/* Not loops: the tx of the port a collector sends on is what the ports
 * forwarding to it receive, never the copies; a session may mirror the
 * collector's port of another session. */
static void
test_loops_that_are_not(void **state)
{
	static const char *const good[] = {
		"[port p0]\ndevice = net_null0\npeer = out\n"
		"[port out]\ndevice = net_null2\n"
		"[collector c1]\nport = out\nremote_ip = 198.18.1.3\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
		"[session s1]\nsources = out:tx\ncollector = c1\n",
		"[port p0]\ndevice = net_null0\n"
		"[port p1]\ndevice = net_null1\n"
		"[collector c0]\nport = p0\nremote_ip = 198.18.1.3\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
		"[collector c1]\nport = p1\nremote_ip = 198.18.1.3\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
		"[session s0]\nsources = p0:rx\ncollector = c1\n"
		"[session s1]\nsources = p1:rx\ncollector = c0\n",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cfg_free(load_good(good[i]));
}

static void
test_full(void **state)
{
	const struct cfg_session *s;
	const struct cfg_filter *f;
	const struct cfg_collector *col;
	const struct cfg_rule *r;
	struct cfg *cfg;

	(void)state;
	cfg = load_good(full_ini);
	assert_int_equal(cfg->mode, CFG_MODE_INLINE);
	assert_int_equal(cfg->burst, 512);
	assert_int_equal(cfg->mirror_pool, 1048576);
	assert_int_equal(cfg->stats_interval, 0);

	/* Objects are indexed in file order within their kind. */
	assert_int_equal(cfg->n_ports, 4);
	assert_string_equal(cfg->ports[0].name, "east");
	assert_string_equal(cfg->ports[1].name, "west");
	assert_string_equal(cfg->ports[2].name, "mon");
	assert_string_equal(cfg->ports[3].name, "tun");
	assert_string_equal(cfg->ports[0].device,
		"net_af_packet0,iface=veth-east");
	assert_string_equal(cfg->ports[1].device, "0000:3b:00.1");
	assert_int_equal(cfg->ports[0].peer, 1);
	assert_int_equal(cfg->ports[1].peer, 0);
	assert_int_equal(cfg->ports[2].peer, -1);
	assert_int_equal(cfg->ports[0].rx_queues, 64);
	assert_int_equal(cfg->ports[0].mtu, 9702);
	/* lcores in the order written, ranges expanded. */
	assert_int_equal(cfg->ports[0].n_lcores, 6);
	assert_int_equal(cfg->ports[0].lcores[0], 5);
	assert_int_equal(cfg->ports[0].lcores[1], 2);
	assert_int_equal(cfg->ports[0].lcores[3], 4);
	assert_int_equal(cfg->ports[0].lcores[4], 9);
	assert_int_equal(cfg->ports[0].lcores[5], 63);
	assert_int_equal(cfg->ports[1].n_lcores, 0);
	assert_int_equal(cfg->ports[1].mtu, 68);

	assert_int_equal(cfg->n_collectors, 2);
	col = &cfg->collectors[0];
	assert_string_equal(col->name, "c4");
	assert_int_equal(col->port, 3);
	assert_true(col->local_mac_set);
	assert_memory_equal(col->local_mac,
		((uint8_t[6]){ 2, 0, 0, 0, 1, 0x0a }), 6);
	assert_int_equal(col->vni, 16777215);
	assert_int_equal(col->dst_port, 65535);
	assert_int_equal(col->ttl, 255);
	assert_int_equal(col->dscp, 63);
	col = &cfg->collectors[1];
	assert_string_equal(col->name, "v6");
	assert_int_equal(col->port, 3);
	assert_addr(&col->remote_ip, "fd00:1::3");
	assert_addr(&col->local_ip, "fd00:1::10");
	assert_memory_equal(col->remote_mac,
		((uint8_t[6]){ 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff }), 6);
	assert_false(col->local_mac_set);
	assert_int_equal(col->vni, 7);
	assert_int_equal(col->dst_port, 1);
	assert_int_equal(col->ttl, 1);
	assert_int_equal(col->dscp, 0);

	assert_int_equal(cfg->n_sessions, 2);
	s = &cfg->sessions[0];
	assert_string_equal(s->name, "web");
	assert_int_equal(s->n_sources, 3);
	assert_int_equal(s->sources[0].port, 0);
	assert_int_equal(s->sources[0].dir, CFG_DIR_RX | CFG_DIR_TX);
	assert_int_equal(s->sources[1].port, 1);
	assert_int_equal(s->sources[1].dir, CFG_DIR_TX);
	assert_int_equal(s->sources[2].port, 2);
	assert_int_equal(s->sources[2].dir, CFG_DIR_RX);
	assert_int_equal(s->n_collectors, 2);
	assert_int_equal(s->collectors[0], 1);
	assert_int_equal(s->collectors[1], 0);
	assert_int_equal(s->filter, 0);
	assert_int_equal(s->snaplen, 14);
	assert_int_equal(s->sample, 2147483647);
	assert_int_equal(s->rate_bps, 2500000000ULL);
	assert_int_equal(cfg->sessions[1].rate_bps, 400000000000ULL);
	assert_int_equal(cfg->sessions[1].filter, -1);

	assert_int_equal(cfg->n_filters, 2);
	f = &cfg->filters[0];
	assert_string_equal(f->name, "f1");
	assert_int_equal(f->dflt, CFG_ACCEPT);
	assert_int_equal(f->n_rules, 5);
	assert_string_equal(cfg->filters[1].name, "empty");
	assert_int_equal(cfg->filters[1].n_rules, 0);
	assert_int_equal(cfg->filters[1].dflt, CFG_REJECT);

	/* Sorted by number, whatever the file order. */
	assert_int_equal(f->rules[0].number, 5);
	assert_int_equal(f->rules[1].number, 20);
	assert_int_equal(f->rules[2].number, 100);
	assert_int_equal(f->rules[3].number, 300);
	assert_int_equal(f->rules[4].number, 999999);

	r = &f->rules[0]; /* accept */
	assert_int_equal(r->action, CFG_ACCEPT);
	assert_int_equal(r->proto, -1);
	assert_int_equal(r->family, 0);
	assert_false(r->has_src);
	assert_false(r->has_dst);
	assert_false(r->has_sport);
	assert_false(r->has_dport);
	assert_int_equal(r->vlan, -1);

	r = &f->rules[1]; /* reject src 198.18.0.9 dst 198.18.0.0/15 proto 47 */
	assert_int_equal(r->action, CFG_REJECT);
	assert_int_equal(r->proto, 47);
	assert_int_equal(r->family, 4);
	assert_true(r->has_src);
	assert_addr(&r->src, "198.18.0.9");
	assert_int_equal(r->src_len, 32);
	assert_true(r->has_dst);
	assert_addr(&r->dst, "198.18.0.0");
	assert_int_equal(r->dst_len, 15);

	r = &f->rules[2]; /* tcp dport 80-443 sport 1024-65535 vlan 4095 */
	assert_int_equal(r->action, CFG_ACCEPT);
	assert_int_equal(r->proto, 6);
	assert_int_equal(r->family, 0);
	assert_true(r->has_dport);
	assert_int_equal(r->dport_lo, 80);
	assert_int_equal(r->dport_hi, 443);
	assert_true(r->has_sport);
	assert_int_equal(r->sport_lo, 1024);
	assert_int_equal(r->sport_hi, 65535);
	assert_int_equal(r->vlan, 4095);

	r = &f->rules[3]; /* icmpv6 dst fd00:10::/64 */
	assert_int_equal(r->proto, 58);
	assert_int_equal(r->family, 6);
	assert_false(r->has_src);
	assert_addr(&r->dst, "fd00:10::");
	assert_int_equal(r->dst_len, 64);

	r = &f->rules[4]; /* sctp src fd00::1/128 dport 0 */
	assert_int_equal(r->action, CFG_REJECT);
	assert_int_equal(r->proto, 132);
	assert_int_equal(r->family, 6);
	assert_addr(&r->src, "fd00::1");
	assert_int_equal(r->src_len, 128);
	assert_true(r->has_dport);
	assert_int_equal(r->dport_lo, 0);
	assert_int_equal(r->dport_hi, 0);
	assert_false(r->has_sport);
	cfg_free(cfg);
}

static void
test_tap_mode(void **state)
{
	struct cfg *cfg;

	(void)state;
	cfg = load_good("[dpmirror]\nmode = tap\n" PORTS_NOPEER COLL
		"[port span]\ndevice = net_null3\n"
		"[session s1]\nsources = p0:rx,span:rx\ncollector = c1\n"
		"snaplen = 65535\nsample = 1\nrate = 0\n");
	assert_int_equal(cfg->mode, CFG_MODE_TAP);
	assert_int_equal(cfg->sessions[0].n_sources, 2);
	assert_int_equal(cfg->sessions[0].sources[1].port, 2);
	assert_int_equal(cfg->sessions[0].sources[1].dir, CFG_DIR_RX);
	assert_int_equal(cfg->sessions[0].snaplen, 65535);
	cfg_free(cfg);
}

/* [playground] and [kernel NAME]: values, defaults, absence. */
static void
test_playground_kernel(void **state)
{
	struct cfg *cfg;
	const struct cfg_kernel *k;

	(void)state;
	cfg = load_good(BASE);
	assert_false(cfg->playground.present);
	assert_int_equal(cfg->n_kernels, 0);
	cfg_free(cfg);

	cfg = load_good(BASE "[playground]\n"
		"[kernel k1]\nnetns = dpm-h1\ndev = eth0\n"
		"remote = 198.18.1.3\nlocal = 198.18.1.2\nvni = 100\n"
		"underlay = eth1\n"
		"[kernel k2]\ndev = veth9\ndirection = both\nencap = vxlan\n"
		"remote = fd00:1::3\nlocal = fd00:1::2\nvni = 7\n"
		"underlay = veth8\n"
		"dst_port = 8472\nvxlan_name = mir9\n"
		"match = proto udp src 198.18.0.0/24 dport 53\n"
		"ignore_mtu = yes\n");
	assert_true(cfg->playground.present);
	assert_string_equal(cfg->playground.prefix, "dpm");
	assert_false(cfg->playground.inline_mode);
	assert_false(cfg->playground.keep);
	assert_int_equal(cfg->n_kernels, 2);
	k = &cfg->kernels[0];
	assert_string_equal(k->netns, "dpm-h1");
	assert_string_equal(k->dev, "eth0");
	assert_int_equal(k->dir, CFG_KDIR_INGRESS);
	assert_int_equal(k->encap, CFG_KENCAP_VXLAN);
	assert_int_equal(k->remote.family, 4);
	assert_int_equal(k->remote.bytes[3], 3);
	assert_int_equal(k->vni, 100);
	assert_int_equal(k->dst_port, 4789);
	assert_string_equal(k->underlay, "eth1");
	assert_string_equal(k->vxlan_name, "vxlan0");
	assert_false(k->has_match);
	assert_false(k->ignore_mtu);
	k = &cfg->kernels[1];
	assert_string_equal(k->netns, "");
	assert_int_equal(k->dir, CFG_KDIR_BOTH);
	assert_int_equal(k->encap, CFG_KENCAP_VXLAN);
	assert_string_equal(k->underlay, "veth8");
	assert_int_equal(k->local.family, 6);
	assert_int_equal(k->dst_port, 8472);
	assert_string_equal(k->vxlan_name, "mir9");
	assert_true(k->has_match);
	assert_int_equal(k->match.proto, 17);
	assert_true(k->match.has_src);
	assert_int_equal(k->match.src_len, 24);
	assert_true(k->match.has_dport);
	assert_int_equal(k->match.dport_lo, 53);
	assert_true(k->ignore_mtu);
	cfg_free(cfg);

	cfg = load_good(BASE "[playground]\nprefix = lab7\ninline = yes\n"
		"keep = yes\n");
	assert_string_equal(cfg->playground.prefix, "lab7");
	assert_true(cfg->playground.inline_mode);
	assert_true(cfg->playground.keep);
	cfg_free(cfg);
}

/* A tx source is fine when some port forwards to it, even one-way. */
static void
test_tx_one_way_peer(void **state)
{
	struct cfg *cfg;

	(void)state;
	cfg = load_good("[port a]\ndevice = net_null0\npeer = b\n"
		"[port b]\ndevice = net_null1\n"
		"[port out]\ndevice = net_null2\n" COLL
		"[session s1]\nsources = b:tx a:rx\ncollector = c1\n"
		"[session s2]\nsources = b:both\ncollector = c1\n");
	assert_int_equal(cfg->ports[0].peer, 1);
	assert_int_equal(cfg->ports[1].peer, -1);
	assert_int_equal(cfg->sessions[0].sources[0].port, 1);
	assert_int_equal(cfg->sessions[0].sources[0].dir, CFG_DIR_TX);
	assert_int_equal(cfg->sessions[0].sources[1].port, 0);
	assert_int_equal(cfg->sessions[0].sources[1].dir, CFG_DIR_RX);
	assert_int_equal(cfg->sessions[1].sources[0].dir,
		CFG_DIR_RX | CFG_DIR_TX);
	cfg_free(cfg);
}

/*
 * remote_mac = auto: next_hop defaults to remote_ip, may be given (an
 * IPv6 link-local router), and a static collector has no next hop.  The
 * egress port may be one that another port forwards to, since the workers
 * only transmit there.
 */
static void
test_mac_auto(void **state)
{
	static const uint8_t zero_mac[6];
	struct cfg *cfg;

	(void)state;
	cfg = load_good(PORTS COLL_AUTO
		"[collector c6]\nport = out\nremote_ip = fd00:1::3\n"
		"next_hop = fe80::1\nlocal_ip = fd00:1::10\n"
		"remote_mac = auto\n"
		"[collector c9]\nport = out\nremote_ip = 198.18.1.9\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:09\n"
		"[session s1]\nsources = p0:rx p1:rx\ncollector = c1 c6 c9\n");
	assert_int_equal(cfg->n_collectors, 3);
	assert_true(cfg->collectors[0].remote_mac_auto);
	assert_memory_equal(cfg->collectors[0].remote_mac, zero_mac, 6);
	assert_addr(&cfg->collectors[0].next_hop, "198.18.1.3");
	assert_true(cfg->collectors[1].remote_mac_auto);
	assert_addr(&cfg->collectors[1].next_hop, "fe80::1");
	assert_addr(&cfg->collectors[1].remote_ip, "fd00:1::3");
	assert_false(cfg->collectors[2].remote_mac_auto);
	assert_int_equal(cfg->collectors[2].next_hop.family, 0);
	cfg_free(cfg);

	/* next_hop before remote_mac in the section, and a port that is
	 * only forwarded to (a's peer is b; b has none, no session on b). */
	cfg = load_good("[port a]\ndevice = net_null0\npeer = b\n"
		"[port b]\ndevice = net_null1\n"
		"[collector c1]\nport = b\nnext_hop = 198.18.1.1\n"
		"remote_ip = 198.18.2.3\nlocal_ip = 198.18.1.10\n"
		"remote_mac = auto\n"
		"[session s1]\nsources = a:rx\ncollector = c1\n");
	assert_int_equal(cfg->collectors[0].port, 1);
	assert_true(cfg->collectors[0].remote_mac_auto);
	assert_addr(&cfg->collectors[0].next_hop, "198.18.1.1");
	cfg_free(cfg);

	/* Tap mode: no peers; out is free when no session mirrors it. */
	cfg = load_good("[dpmirror]\nmode = tap\n" PORTS_NOPEER COLL_AUTO SESS);
	assert_true(cfg->collectors[0].remote_mac_auto);
	cfg_free(cfg);
}

/*
 * Every encap with its own keys and its defaults.  The keys of an encap
 * may stand before or after encap in the section.
 */
static void
test_encaps(void **state)
{
	const struct cfg_collector *col;
	struct cfg *cfg;

	(void)state;
	cfg = load_good(PORTS
		"[collector vx]\nport = out\nencap = vxlan\n"
		"remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:03\nvni = 100\n"
		"[collector gn]\nport = out\nencap = geneve\n"
		"remote_ip = fd00:1::3\nlocal_ip = fd00:1::10\n"
		"remote_mac = 02:00:00:00:01:03\nvni = 16777215\n"
		"[collector gn2]\nport = out\ndst_port = 4789\n"
		"remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
		"remote_mac = auto\nencap = geneve\n"
		"[collector gr]\nport = out\nencap = gre\n"
		"remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:03\nttl = 3\ndscp = 46\n"
		"[collector grk]\nkey = 4294967295\nseq = yes\nport = out\n"
		"remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:03\nencap = gre\n"
		"[collector grz]\nport = out\nencap = gre\nkey = 0\n"
		"seq = no\nremote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:03\n"
		"[collector e2]\nport = out\nencap = erspan2\n"
		"remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
		"remote_mac = 02:00:00:00:01:03\n"
		"[collector e3]\nsession_id = 1023\nport = out\n"
		"remote_ip = fd00:1::3\nlocal_ip = fd00:1::10\n"
		"remote_mac = auto\nnext_hop = fe80::1\nencap = erspan3\n"
		"[collector n0]\nport = out\nencap = none\n"
		"[collector n42]\nvlan = 42\nport = out\nencap = none\n"
		"[collector n1]\nport = out\nencap = none\nvlan = 1\n"
		"[collector n4094]\nport = out\nencap = none\nvlan = 4094\n"
		"[session s1]\nsources = p0:rx p1:rx\n"
		"collector = vx gn gn2 gr grk grz e2 e3\n"
		"[session s2]\nsources = p0:tx\ncollector = n0 n42 n1 n4094\n");
	assert_int_equal(cfg->n_collectors, 12);

	col = &cfg->collectors[0];
	assert_int_equal(col->encap, CFG_ENCAP_VXLAN);
	assert_int_equal(col->vni, 100);
	assert_int_equal(col->dst_port, 4789);
	assert_false(col->key_set);

	col = &cfg->collectors[1];
	assert_int_equal(col->encap, CFG_ENCAP_GENEVE);
	assert_int_equal(col->vni, 16777215);
	assert_int_equal(col->dst_port, 6081);
	assert_int_equal(col->ttl, 64);
	assert_addr(&col->remote_ip, "fd00:1::3");

	col = &cfg->collectors[2]; /* dst_port before encap: kept */
	assert_int_equal(col->encap, CFG_ENCAP_GENEVE);
	assert_int_equal(col->dst_port, 4789);
	assert_int_equal(col->vni, 0);
	assert_true(col->remote_mac_auto);
	assert_addr(&col->next_hop, "198.18.1.3");

	col = &cfg->collectors[3];
	assert_int_equal(col->encap, CFG_ENCAP_GRE);
	assert_false(col->key_set);
	assert_int_equal(col->key, 0);
	assert_false(col->seq);
	assert_int_equal(col->ttl, 3);
	assert_int_equal(col->dscp, 46);
	assert_int_equal(col->dst_port, 0); /* no UDP */

	col = &cfg->collectors[4];
	assert_int_equal(col->encap, CFG_ENCAP_GRE);
	assert_true(col->key_set);
	assert_int_equal(col->key, 4294967295u);
	assert_true(col->seq);

	col = &cfg->collectors[5];
	assert_true(col->key_set);
	assert_int_equal(col->key, 0);
	assert_false(col->seq);

	col = &cfg->collectors[6];
	assert_int_equal(col->encap, CFG_ENCAP_ERSPAN2);
	assert_int_equal(col->session_id, 0);
	assert_int_equal(col->dst_port, 0);
	assert_false(col->key_set);
	assert_false(col->seq);

	col = &cfg->collectors[7];
	assert_int_equal(col->encap, CFG_ENCAP_ERSPAN3);
	assert_int_equal(col->session_id, 1023);
	assert_true(col->remote_mac_auto);
	assert_addr(&col->next_hop, "fe80::1");
	assert_addr(&col->local_ip, "fd00:1::10");

	col = &cfg->collectors[8];
	assert_int_equal(col->encap, CFG_ENCAP_NONE);
	assert_int_equal(col->vlan, 0);
	assert_int_equal(col->port, 2);
	assert_int_equal(col->remote_ip.family, 0);
	assert_int_equal(col->local_ip.family, 0);
	assert_int_equal(col->next_hop.family, 0);
	assert_false(col->remote_mac_auto);
	assert_false(col->local_mac_set);
	assert_int_equal(col->dst_port, 0);
	assert_int_equal(cfg->collectors[9].vlan, 42);
	assert_int_equal(cfg->collectors[9].encap, CFG_ENCAP_NONE);
	assert_int_equal(cfg->collectors[10].vlan, 1);
	assert_int_equal(cfg->collectors[11].vlan, 4094);
	assert_int_equal(cfg->sessions[1].n_collectors, 4);
	cfg_free(cfg);

	/* Tap mode: none on a port of its own beside a SPAN feed. */
	cfg = load_good("[dpmirror]\nmode = tap\n" PORTS_NOPEER COLL_NONE
		"vlan = 100\n" SESS);
	assert_int_equal(cfg->collectors[0].encap, CFG_ENCAP_NONE);
	assert_int_equal(cfg->collectors[0].vlan, 100);
	cfg_free(cfg);

	/* The name of every encap, in enum order. */
	assert_string_equal(cfg_encap_name(CFG_ENCAP_VXLAN), "vxlan");
	assert_string_equal(cfg_encap_name(CFG_ENCAP_GENEVE), "geneve");
	assert_string_equal(cfg_encap_name(CFG_ENCAP_GRE), "gre");
	assert_string_equal(cfg_encap_name(CFG_ENCAP_ERSPAN2), "erspan2");
	assert_string_equal(cfg_encap_name(CFG_ENCAP_ERSPAN3), "erspan3");
	assert_string_equal(cfg_encap_name(CFG_ENCAP_NONE), "none");
	assert_null(cfg_encap_name(CFG_ENCAP_NONE + 1));
}

/* [collector] udp6_checksum: each word, and not given (auto). */
static void
test_udp6_checksum(void **state)
{
	struct cfg *cfg;

	(void)state;
	cfg = load_good(PORTS COLL6 "udp6_checksum = compute\n"
		"[collector c2]\nport = out\nencap = geneve\n"
		"remote_ip = fd00:1::4\nlocal_ip = fd00:1::10\n"
		"remote_mac = 02:00:00:00:01:04\nudp6_checksum = offload\n"
		"[collector c3]\nudp6_checksum = zero\nport = out\n"
		"remote_ip = fd00:1::5\nlocal_ip = fd00:1::10\n"
		"remote_mac = 02:00:00:00:01:05\nencap = vxlan\n"
		"[collector c4]\nport = out\nencap = geneve\n"
		"remote_ip = fd00:1::6\nlocal_ip = fd00:1::10\n"
		"remote_mac = 02:00:00:00:01:06\n"
		"[session s1]\nsources = p0:rx\ncollector = c1 c2 c3 c4\n");
	assert_int_equal(cfg->n_collectors, 4);
	assert_int_equal(cfg->collectors[0].udp6_checksum, CFG_UDP6_COMPUTE);
	assert_int_equal(cfg->collectors[1].udp6_checksum, CFG_UDP6_OFFLOAD);
	assert_int_equal(cfg->collectors[2].udp6_checksum, CFG_UDP6_ZERO);
	assert_int_equal(cfg->collectors[3].udp6_checksum, CFG_UDP6_AUTO);
	cfg_free(cfg);

	/* IPv4 and the other encaps keep the default, which nothing reads. */
	cfg = load_good(BASE);
	assert_int_equal(cfg->collectors[0].udp6_checksum, CFG_UDP6_AUTO);
	cfg_free(cfg);
}

/*
 * Keys of another encap: one message each, in file order, whichever side of
 * encap they stand; a bad value of such a key is not also reported as bad,
 * and none does not ask for the address keys.
 */
static void
test_foreign_keys(void **state)
{
	struct cfg_errors errs;

	(void)state;
	assert_null(load_text(PORTS "[collector c1]\nremote_ip = 198.18.1.3\n"
		"local_ip = x\nport = out\nremote_mac = 02:00:00:00:01:03\n"
		"encap = none\nttl = 0\nvlan = 9\n" SESS, &errs));
	assert_int_equal(errs.n, 4);
	assert_non_null(strstr(errs.msg[0], "[collector c1] remote_ip = "
		"198.18.1.3: not a key of encap = none; its keys are port, "
		"encap, vlan"));
	assert_non_null(strstr(errs.msg[1], "[collector c1] local_ip = x: "
		"not a key of encap = none"));
	assert_non_null(strstr(errs.msg[2], "[collector c1] remote_mac = "
		"02:00:00:00:01:03: not a key of encap = none"));
	assert_non_null(strstr(errs.msg[3], "[collector c1] ttl = 0: not a "
		"key of encap = none"));

	/* A bad value of a key that does not belong: one message. */
	assert_null(load_text(PORTS COLL "encap = geneve\nseq = maybe\n"
		"session_id = 5000\n" SESS, &errs));
	assert_int_equal(errs.n, 2);
	assert_non_null(strstr(errs.msg[0], "seq = maybe: not a key of encap "
		"= geneve; its keys are " KEYS_UDP "; remove seq or set encap = "
		"gre"));
	assert_non_null(strstr(errs.msg[1], "session_id = 5000: not a key of "
		"encap = geneve"));

	/* The same key after and before encap: the same message. */
	assert_null(load_text(PORTS COLL "encap = erspan2\nvlan = 3\n" SESS,
		&errs));
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], "[collector c1] vlan = 3: not a "
		"key of encap = erspan2; its keys are " KEYS_TUNNEL
		", session_id; remove vlan or set encap = none"));
	assert_null(load_text(PORTS "[collector c1]\nvlan = 3\n"
		"encap = erspan2\nport = out\nremote_ip = 198.18.1.3\n"
		"local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n" SESS,
		&errs));
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], "[collector c1] vlan = 3: not a "
		"key of encap = erspan2; its keys are " KEYS_TUNNEL
		", session_id; remove vlan or set encap = none"));

	/* An unknown encap: only that is said (its keys are not known). */
	assert_null(load_text(PORTS "[collector c1]\nport = out\n"
		"encap = span\nvlan = 3\nkey = 1\n" SESS, &errs));
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], "[collector c1] encap = span: "
		"unknown encapsulation"));

	/* A repeated encap: the first one decides which keys belong. */
	assert_null(load_text(PORTS COLL "encap = gre\nencap = vxlan\n"
		"key = 5\n" SESS, &errs));
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], "[collector c1] encap = vxlan: "
		"duplicate key"));

	/* none on an inline port: one message, on port, however many sessions
	 * use the collector. */
	assert_null(load_text(PORTS "[collector c1]\nencap = none\n"
		"port = p1\nvlan = 10\n"
		"[session s1]\nsources = p0:rx\ncollector = c1\n"
		"[session s2]\nsources = p1:tx\ncollector = c1\n", &errs));
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], "[collector c1] port = p1: port "
		"p1 is also received on by the workers (its peer is p0: they "
		"forward what it receives); encap = none sends the copies as "
		"plain frames, indistinguishable from the traffic there; give "
		"the collector a port of its own, one no worker receives on"));
}

/*
 * Filters written as pcap-filter expressions.
 */

/* Expressions tcpdump takes, of every kind the dataplane is tested with. */
static const char *const good_exprs[] = {
	"host 198.18.0.1",
	"src host 198.18.0.1 and dst host 198.18.0.2",
	"net 198.18.0.0/15",
	"dst net 198.18.1.0 mask 255.255.255.0",
	"host fd00::1",
	"net fd00:10::/64",
	"port 80",
	"tcp dst port 443",
	"udp src port 53",
	"tcp port http",
	"portrange 1-1024",
	"tcp portrange 8000-8080 or udp portrange 10000-20000",
	"udp and not port 53",
	"icmp",
	"icmp[icmptype] = icmp-echo",
	"arp",
	"ether host 02:00:00:00:01:03",
	"ether broadcast",
	"ether proto 0x88cc",
	"vlan",
	"vlan 20",
	"vlan 20 and tcp port 80",
	"ip6",
	"ip6 and udp",
	"icmp6",
	"ip6 proto 58",
	"ip proto 47",
	"tcp[tcpflags] & tcp-syn != 0",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn",
	"tcp[13] = 0x12",
	"len > 1000",
	"len <= 64",
	"greater 1000",
	"less 128",
	"ip[9] = 17",
	"ether[12:2] = 0x0800",
	"ip[2:2] > 576",
	"ip[6:2] & 0x1fff != 0",
	"not ip and not ip6",
	"(tcp or udp) and (src net 198.18.0.0/24 or dst net fd00::/8)",
};

/* Each expression loads as the only content of its filter, as written. */
static void
test_expressions(void **state)
{
	char ini[1024];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(good_exprs) / sizeof(good_exprs[0]); i++) {
		const struct cfg_filter *f;
		struct cfg *cfg;

		snprintf(ini, sizeof(ini), BASE_F "[filter f]\nexpression = %s\n",
			good_exprs[i]);
		cfg = load_good(ini);
		assert_int_equal(cfg->n_filters, 1);
		assert_int_equal(cfg->sessions[0].filter, 0);
		f = &cfg->filters[0];
		assert_non_null(f->expression);
		assert_string_equal(f->expression, good_exprs[i]);
		assert_int_equal(f->n_rules, 0);
		assert_null(f->rules);
		cfg_free(cfg);
	}
}

/* Around the expression: white space, a comment and '=' inside it; a
 * filter of rules beside it keeps no expression. */
static void
test_expression_text(void **state)
{
	struct cfg *cfg;

	(void)state;
	cfg = load_good(PORTS COLL SESS "filter = e\n"
		"[session s2]\nsources = p1:rx\ncollector = c1\nfilter = r\n"
		"[filter e]\nexpression = \t ip[9] = 6 and tcp dst port 80 \t"
		" ; web only\n"
		"[filter r]\nrule 10 = accept proto udp\ndefault = accept\n");
	assert_int_equal(cfg->n_filters, 2);
	assert_string_equal(cfg->filters[0].name, "e");
	assert_string_equal(cfg->filters[0].expression,
		"ip[9] = 6 and tcp dst port 80");
	assert_int_equal(cfg->filters[0].n_rules, 0);
	assert_null(cfg->filters[1].expression);
	assert_int_equal(cfg->filters[1].n_rules, 1);
	assert_int_equal(cfg->filters[1].dflt, CFG_ACCEPT);
	cfg_free(cfg);
}

/* Expressions libpcap refuses, each for its own reason. */
static const char *const bad_exprs[] = {
	"tcp port http-alt-x",		/* unknown service name */
	"tcp port 80 and",		/* syntax */
	"((tcp)",			/* syntax */
	"tcp port 99999",		/* port range */
	"net 198.18.0.1/15",		/* host bits */
	"ip broadcast",			/* needs a netmask */
	"ip6 and tcp[13] & 7 != 0",	/* tcp[] is IPv4 only: rejects all */
	"vlan 4096",			/* VLAN ID range */
	"udp[8:3] = 1",			/* load size */
	"ether host 02:00:00",		/* MAC address */
	"tcp[99999999999] = 1",		/* number */
};

/* What libpcap itself says about EXPR, as the validator compiles it. */
static void
pcap_says(const char *expr, char *buf, size_t len)
{
	struct bpf_program prog;
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);

	assert_non_null(p);
	assert_int_not_equal(pcap_compile(p, &prog, expr, 1,
		PCAP_NETMASK_UNKNOWN), 0);
	snprintf(buf, len, "%s", pcap_geterr(p));
	pcap_close(p);
	assert_true(buf[0] != '\0');
}

static void
test_expression_errors(void **state)
{
	static struct cfg_errors errs;
	char ini[1024], want[2 * CFG_ERR_LEN], msg[PCAP_ERRBUF_SIZE];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad_exprs) / sizeof(bad_exprs[0]); i++) {
		pcap_says(bad_exprs[i], msg, sizeof(msg));
		snprintf(ini, sizeof(ini), BASE_F "[filter f]\nexpression = %s\n",
			bad_exprs[i]);
		if (load_text(ini, &errs) != NULL)
			fail_msg("expression = %s accepted", bad_exprs[i]);
		assert_int_equal(errs.n, 1);
		snprintf(want, sizeof(want), "[filter f] expression = %s: %s; "
			"give a pcap-filter expression as tcpdump takes it",
			bad_exprs[i], msg);
		if (strstr(errs.msg[0], want) == NULL)
			fail_msg("expression = %s: '%s' lacks '%s'",
				bad_exprs[i], errs.msg[0], want);
	}

	/* Some of libpcap's words, so that a silent libpcap fails too. */
	assert_null(load_text(BASE_F "[filter f]\n"
		"expression = tcp port http-alt-x\n", &errs));
	assert_non_null(strstr(errs.msg[0], "unknown port 'http-alt-x'"));
	assert_null(load_text(BASE_F "[filter f]\n"
		"expression = tcp port 80 and\n", &errs));
	assert_non_null(strstr(errs.msg[0], "syntax error"));

	/* An expression too long for the whole message is shortened, never
	 * libpcap's text after it. */
	snprintf(ini, sizeof(ini), BASE_F "[filter f]\nexpression = ");
	for (i = 0; i < 14; i++)
		strcat(ini, "tcp port 80 and ");
	strcat(ini, "tcp port x-y-z\n");
	pcap_says(strstr(ini, "expression = ") + 13, msg, sizeof(msg));
	assert_null(load_text(ini, &errs));
	assert_int_equal(errs.n, 1);
	assert_true(strlen(errs.msg[0]) < CFG_ERR_LEN);
	assert_non_null(strstr(errs.msg[0], "[filter f] expression = tcp port "
		"80 and tcp port 80 and "));
	assert_non_null(strstr(errs.msg[0], "...: unknown port 'x-y-z'; give a "
		"pcap-filter expression as tcpdump takes it (man 7 "
		"pcap-filter)"));
	assert_non_null(strstr(errs.msg[0], msg));
}

/* A filter is rules or one expression: both, or a default beside an
 * expression, are refused naming both; each problem once, in file order. */
static void
test_expression_exclusive(void **state)
{
	static struct cfg_errors errs;

	(void)state;
	assert_null(load_text(BASE_F "[filter f]\nrule 10 = accept proto tcp\n"
		"expression = udp\nrule 20 = reject\n", &errs));
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], "[filter f] expression = udp: a "
		"filter has rule lines or one expression, not both (rule 10 = "
		"accept proto tcp is given too); remove the rule lines, or the "
		"expression"));

	/* A refused rule line still makes it both. */
	assert_null(load_text(BASE_F "[filter f]\nexpression = udp\n"
		"rule 10 = allow\n", &errs));
	assert_int_equal(errs.n, 2);
	assert_non_null(strstr(errs.msg[0], "[filter f] expression = udp: a "
		"filter has rule lines or one expression, not both (rule 10 = "
		"allow is given too)"));
	assert_non_null(strstr(errs.msg[1], "[filter f] rule 10 = allow: a "
		"rule starts with accept or reject"));

	assert_null(load_text(BASE_F "[filter f]\ndefault = reject\n"
		"expression = tcp port 80\n", &errs));
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], "[filter f] default = reject: an "
		"expression filter has no default: the expression alone "
		"decides"));
	assert_non_null(strstr(errs.msg[0], "expression = tcp port 80"));

	/* A bad expression with rules and a default: three problems. */
	assert_null(load_text(BASE_F "[filter f]\nexpression = tcp port\n"
		"rule 5 = accept\ndefault = accept\n", &errs));
	assert_int_equal(errs.n, 3);
	assert_non_null(strstr(errs.msg[0], "[filter f] expression = tcp "
		"port: can't parse filter expression"));
	assert_non_null(strstr(errs.msg[1], "[filter f] expression = tcp "
		"port: a filter has rule lines or one expression, not both"));
	assert_non_null(strstr(errs.msg[2], "[filter f] default = accept: an "
		"expression filter has no default"));

	/* Twice: the duplicate is refused, the first one counts. */
	assert_null(load_text(BASE_F "[filter f]\nexpression = tcp\n"
		"expression = udp\n", &errs));
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], "[filter f] expression = udp: "
		"duplicate key (already set to tcp above)"));

	/* A valid expression in a file refused for something else: nothing
	 * is left allocated (the ASan build checks). */
	assert_null(load_text(BASE_F "[filter f]\nexpression = tcp\n"
		"[filter g]\nexpression = udp\n[port bad]\n", &errs));
	assert_non_null(strstr(errs.msg[0], "[port bad] device: missing "
		"required key"));

	/* An expression filter no session uses is still checked. */
	assert_null(load_text(BASE "[filter unused]\nexpression = tcp port "
		"99999\n", &errs));
	assert_non_null(strstr(errs.msg[0], "[filter unused] expression = tcp "
		"port 99999: illegal port number 99999 > 65535"));
}

static void
test_limits_accepted(void **state)
{
	char text[8192];
	struct cfg *cfg;
	size_t n = 0;
	unsigned int i;

	(void)state;
	/* 16 ports, 16 sessions, a session with 8 collectors. */
	for (i = 0; i < CFG_MAX_PORTS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
			"[port p%u]\ndevice = net_null%u\n", i, i);
	for (i = 0; i < CFG_MAX_SESSION_COLLECTORS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
			"[collector c%u]\nport = p0\nremote_ip = 198.18.1.%u\n"
			"local_ip = 198.18.1.100\n"
			"remote_mac = 02:00:00:00:01:03\n", i, i + 1);
	/* The collectors send on p0, so no session may mirror p0. */
	for (i = 0; i < CFG_MAX_SESSIONS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
			"[session s%u]\nsources = p%u:rx\n"
			"collector = c0 c1 c2 c3 c4 c5 c6 c7\n", i,
			i == 0 ? 1 : i);
	assert_true(n < sizeof(text));
	cfg = load_good(text);
	assert_int_equal(cfg->n_ports, CFG_MAX_PORTS);
	assert_int_equal(cfg->n_sessions, CFG_MAX_SESSIONS);
	assert_int_equal(cfg->sessions[15].sources[0].port, 15);
	assert_int_equal(cfg->sessions[0].n_collectors, 8);
	assert_int_equal(cfg->sessions[0].collectors[7], 7);
	cfg_free(cfg);
}

static void
test_parse_rate(void **state)
{
	static const struct {
		const char *text;
		int ret;
		uint64_t bps;
	} cases[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1 },
		{ "1500", 0, 1500 },
		{ "10K", 0, 10000 },
		{ "10k", 0, 10000 },
		{ "100M", 0, 100000000 },
		{ "2G", 0, 2000000000 },
		{ "400G", 0, 400000000000ULL },
		{ "400000000000", 0, 400000000000ULL },
		{ "400000001K", -ERANGE, 0 },
		{ "401G", -ERANGE, 0 },
		{ "400000000001", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "G", -EINVAL, 0 },
		{ "1.5G", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ "10KB", -EINVAL, 0 },
		{ "10T", -EINVAL, 0 },
		{ " 10", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int ret = cfg_parse_rate(cases[i].text, &v);

		if (ret != cases[i].ret)
			fail_msg("cfg_parse_rate(\"%s\") = %d, want %d",
				cases[i].text, ret, cases[i].ret);
		if (ret == 0 && v != cases[i].bps)
			fail_msg("cfg_parse_rate(\"%s\") gave %llu, want %llu",
				cases[i].text, (unsigned long long)v,
				(unsigned long long)cases[i].bps);
		if (ret != 0 && v != 12345)
			fail_msg("cfg_parse_rate(\"%s\") wrote its output on error",
				cases[i].text);
	}
}

/* The offline demo configuration, as the demo script relies on it. */
static void
test_pcap_demo(void **state)
{
	struct cfg_errors errs;
	const struct cfg_filter *f;
	struct cfg *cfg;

	(void)state;
	cfg = cfg_load(DPM_TEST_DATA "/../../config/pcap-demo.ini", &errs);
	if (cfg == NULL)
		fail_msg("pcap-demo.ini refused: %s", errs.msg[0]);
	assert_int_equal(cfg->mode, CFG_MODE_INLINE);
	assert_int_equal(cfg->n_ports, 3);
	assert_string_equal(cfg->ports[0].name, "in");
	assert_string_equal(cfg->ports[0].device,
		"net_pcap0,rx_pcap=demo-in.pcap");
	assert_int_equal(cfg->ports[0].peer, 1);
	assert_string_equal(cfg->ports[1].name, "fwd");
	assert_string_equal(cfg->ports[1].device,
		"net_pcap1,tx_pcap=demo-fwd.pcap");
	assert_string_equal(cfg->ports[2].name, "out");
	assert_string_equal(cfg->ports[2].device,
		"net_pcap2,tx_pcap=demo-mirror.pcap");
	assert_int_equal(cfg->ports[2].mtu, 9000);

	assert_int_equal(cfg->n_collectors, 2);
	assert_string_equal(cfg->collectors[0].name, "c4");
	assert_int_equal(cfg->collectors[0].port, 2);
	assert_addr(&cfg->collectors[0].local_ip, "198.18.1.10");
	assert_addr(&cfg->collectors[0].remote_ip, "198.18.1.3");
	assert_int_equal(cfg->collectors[0].vni, 100);
	assert_memory_equal(cfg->collectors[0].remote_mac,
		((uint8_t[6]){ 2, 0, 0, 0, 1, 3 }), 6);
	assert_true(cfg->collectors[0].local_mac_set);
	assert_memory_equal(cfg->collectors[0].local_mac,
		((uint8_t[6]){ 2, 0, 0, 0, 1, 0x0a }), 6);
	assert_string_equal(cfg->collectors[1].name, "c6");
	assert_addr(&cfg->collectors[1].local_ip, "fd00:1::10");
	assert_addr(&cfg->collectors[1].remote_ip, "fd00:1::3");
	assert_int_equal(cfg->collectors[1].vni, 200);

	assert_int_equal(cfg->n_sessions, 3);
	assert_string_equal(cfg->sessions[0].name, "web");
	assert_string_equal(cfg->sessions[1].name, "dns");
	assert_string_equal(cfg->sessions[2].name, "icmp");
	assert_int_equal(cfg->sessions[1].snaplen, 128);
	assert_int_equal(cfg->sessions[1].collectors[0], 1);
	assert_int_equal(cfg->sessions[2].sample, 1);

	f = &cfg->filters[cfg->sessions[0].filter];
	assert_string_equal(f->name, "web");
	assert_int_equal(f->n_rules, 2);
	assert_int_equal(f->dflt, CFG_REJECT);
	assert_int_equal(f->rules[0].proto, 6);
	assert_true(f->rules[0].has_dport);
	assert_int_equal(f->rules[0].dport_lo, 80);
	assert_int_equal(f->rules[0].dport_hi, 443);
	assert_true(f->rules[1].has_sport);
	f = &cfg->filters[cfg->sessions[2].filter];
	assert_int_equal(f->n_rules, 2);
	assert_int_equal(f->rules[0].proto, 1);
	assert_int_equal(f->rules[1].proto, 58);
	cfg_free(cfg);
}

/* Every example configuration loads. */
static void
test_examples(void **state)
{
	static const char *const files[] = {
		"inline-af_packet.ini", "tap-span.ini", "multi-session.ini",
		"pcap-demo.ini", "erspan.ini", "rspan.ini", "expression.ini",
	};
	struct cfg_errors errs;
	char path[512];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct cfg *cfg;

		snprintf(path, sizeof(path), "%s/../../config/%s",
			DPM_TEST_DATA, files[i]);
		cfg = cfg_load(path, &errs);
		if (cfg == NULL)
			fail_msg("%s refused: %s", files[i], errs.msg[0]);
		cfg_free(cfg);
	}
}

/*
 * Whole-file behaviour of errors.
 */

static void
test_all_errors_in_file_order(void **state)
{
	struct cfg_errors errs;

	(void)state;
	/* The session comes first in the file but is checked last. */
	assert_null(load_text("[session s1]\nsources = p0:rx\n"
		"collector = c9\n"
		"[dpmirror]\nburst = 0\nmode = tap\n"
		"[port p0]\ndevice = net_null0\npeer = out\n"
		"[port out]\ndevice = net_null2\nrx_queues = 100\n" COLL,
		&errs));
	assert_int_equal(errs.n, 4);
	assert_non_null(strstr(errs.msg[0], "[session s1] collector = c9"));
	assert_non_null(strstr(errs.msg[1], "[dpmirror] burst = 0"));
	assert_non_null(strstr(errs.msg[2], "[port p0] peer = out"));
	assert_non_null(strstr(errs.msg[3], "[port out] rx_queues = 100"));
}

static void
test_error_overflow(void **state)
{
	char text[16384];
	struct cfg_errors errs;
	size_t n = 0;
	unsigned int i;

	(void)state;
	n += (size_t)snprintf(text, sizeof(text), "%s", BASE "[port p9]\n");
	for (i = 0; i < CFG_ERR_MAX + 10; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
			"bogus%u = %u\n", i, i);
	assert_true(n < sizeof(text));
	assert_null(load_text(text, &errs));
	/* One per unknown key, and the missing device. */
	assert_int_equal(errs.n, CFG_ERR_MAX + 11);
	assert_non_null(strstr(errs.msg[0], "[port p9] bogus0 = 0"));
	assert_non_null(strstr(errs.msg[CFG_ERR_MAX - 1], "bogus63 = 63"));
}

static void
test_cannot_read(void **state)
{
	struct cfg_errors errs;

	(void)state;
	assert_null(cfg_load("/nonexistent/dir/x.ini", &errs));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msg[0],
		"cannot read /nonexistent/dir/x.ini: No such file or directory");
	assert_null(cfg_load("/", &errs));
	assert_non_null(strstr(errs.msg[0], "cannot read /: "));
}

static void
test_free_null(void **state)
{
	(void)state;
	cfg_free(NULL);
}

/* CFG_MAX_RULES over all filters is accepted, one more is refused. */
static void
test_too_many_rules(void **state)
{
	const unsigned int per = CFG_MAX_RULES / CFG_MAX_FILTERS;
	size_t cap = 4096 + (CFG_MAX_RULES + CFG_MAX_FILTERS + 1) * 40;
	char *text = malloc(cap);
	struct cfg_errors *errs = malloc(sizeof(*errs));
	unsigned int i, j, total = 0;
	struct cfg *cfg;
	size_t n, base;

	(void)state;
	assert_non_null(text);
	assert_non_null(errs);
	assert_int_equal(per * CFG_MAX_FILTERS, CFG_MAX_RULES);
	n = (size_t)snprintf(text, cap, "%s", BASE);
	for (i = 0; i < CFG_MAX_FILTERS; i++) {
		n += (size_t)snprintf(text + n, cap - n, "[filter f%u]\n", i);
		for (j = 1; j <= per; j++)
			n += (size_t)snprintf(text + n, cap - n,
				"rule %u = accept dport %u\n", j, j);
	}
	assert_true(n < cap);
	base = n;
	cfg = load_text(text, errs);
	if (cfg == NULL)
		fail_msg("refused: %s", errs->msg[0]);
	assert_int_equal(cfg->n_filters, CFG_MAX_FILTERS);
	for (i = 0; i < cfg->n_filters; i++)
		total += cfg->filters[i].n_rules;
	assert_int_equal(total, CFG_MAX_RULES);
	assert_int_equal(cfg->filters[63].rules[per - 1].number, per);
	assert_int_equal(cfg->filters[63].rules[per - 1].dport_hi, per);
	cfg_free(cfg);

	snprintf(text + base, cap - base, "rule 999999 = accept vlan 7\n");
	assert_null(load_text(text, errs));
	assert_int_equal(errs->n, 1);
	assert_non_null(strstr(errs->msg[0],
		"[filter f63] rule 999999 = accept vlan 7: too many rules"));
	free(text);
	free(errs);
}

static void
test_too_many_ports(void **state)
{
	char text[4096];
	struct cfg_errors errs;
	size_t n;
	unsigned int i;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "%s", BASE);
	for (i = 0; i < CFG_MAX_PORTS - 2; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
			"[port x%u]\ndevice = net_null%u\n", i, i + 3);
	assert_true(n < sizeof(text));
	assert_null(load_text(text, &errs));
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], "[port x13]: too many port"));
}

/* Each tests/data/cfg/bad file is refused with its "; expect:" text. */
static void
test_bad_files(void **state)
{
	const char *dir = DPM_TEST_DATA "/cfg/bad";
	struct cfg_errors errs;
	struct dirent *de;
	unsigned int count = 0;
	DIR *d;

	(void)state;
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[512], line[256], *expect;
		size_t len = strlen(de->d_name);
		unsigned int i;
		bool found = false;
		FILE *f;

		if (len < 5 || strcmp(de->d_name + len - 4, ".ini") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(line, sizeof(line), f));
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		assert_int_equal(strncmp(line, "; expect: ", 10), 0);
		expect = line + 10;
		if (cfg_load(path, &errs) != NULL)
			fail_msg("%s was accepted", de->d_name);
		for (i = 0; i < errs.n && i < CFG_ERR_MAX; i++)
			if (strstr(errs.msg[i], expect) != NULL)
				found = true;
		if (!found)
			fail_msg("%s: no message contains '%s'; first: %s",
				de->d_name, expect, errs.msg[0]);
		count++;
	}
	closedir(d);
	assert_true(count >= 12);
}

/*
 * Bad inputs, one per cmocka test.  Each must be refused and its first
 * message must contain "[section]", the key and the value as written, and
 * a hint of what is wrong or valid.
 */
struct bad_case {
	const char *name;
	const char *ini;
	const char *section; /* with brackets */
	const char *key;     /* NULL: a section-level or line-level problem */
	const char *value;   /* NULL: no value (missing key) */
	const char *hint;
};

static const struct bad_case bad_cases[] = {
	/* [dpmirror] */
	{ "mode", BASE "[dpmirror]\nmode = mirror\n",
	  "[dpmirror]", "mode", "mirror", "inline, tap" },
	{ "burst_zero", BASE "[dpmirror]\nburst = 0\n",
	  "[dpmirror]", "burst", "0", "1..512" },
	{ "burst_high", BASE "[dpmirror]\nburst = 513\n",
	  "[dpmirror]", "burst", "513", "out of range" },
	{ "burst_sign", BASE "[dpmirror]\nburst = +5\n",
	  "[dpmirror]", "burst", "+5", "not a decimal number" },
	{ "burst_junk", BASE "[dpmirror]\nburst = 32x\n",
	  "[dpmirror]", "burst", "32x", "not a decimal number" },
	{ "burst_hex", BASE "[dpmirror]\nburst = 0x20\n",
	  "[dpmirror]", "burst", "0x20", "not a decimal number" },
	{ "mirror_pool", BASE "[dpmirror]\nmirror_pool = 1023\n",
	  "[dpmirror]", "mirror_pool", "1023", "1024..1048576" },
	{ "stats_interval", BASE "[dpmirror]\nstats_interval = 3601\n",
	  "[dpmirror]", "stats_interval", "3601", "0..3600" },
	{ "stats_overflow",
	  BASE "[dpmirror]\nstats_interval = 99999999999999999999999\n",
	  "[dpmirror]", "stats_interval", "99999999999999999999999",
	  "out of range" },
	{ "tx_multiseg", "[port p0]\ndevice = net_null0\npeer = p1\n"
	  "tx_multiseg = maybe\n[port p1]\ndevice = net_null1\npeer = p0\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "tx_multiseg", "maybe", "auto, yes, no" },
	{ "copy_max", BASE "[dpmirror]\ncopy_max = 4096\n",
	  "[dpmirror]", "copy_max", "4096", "0..2048" },
	{ "dpmirror_key", BASE "[dpmirror]\nworkers = 4\n",
	  "[dpmirror]", "workers", "4", "unknown key" },
	{ "dpmirror_named", BASE "[dpmirror main]\nburst = 4\n",
	  "[dpmirror main]", NULL, NULL, "takes no name" },
	{ "dpmirror_twice", "[dpmirror]\n" BASE "[dpmirror]\nburst = 4\n",
	  "[dpmirror]", NULL, NULL, "duplicate section" },
	/* Sections. */
	{ "unknown_kind", BASE "[switch s1]\nports = p0\n",
	  "[switch s1]", NULL, NULL, "unknown section kind" },
	{ "missing_name", BASE "[port]\ndevice = net_null5\n",
	  "[port]", NULL, NULL, "missing name" },
	{ "bad_name", BASE "[port p/0]\ndevice = net_null5\n",
	  "[port p/0]", NULL, NULL, "bad name" },
	{ "long_name",
	  BASE "[collector c23456789012345678901234567890123]\nport = out\n",
	  "[collector c23456789012345678901234567890123]", NULL, NULL,
	  "1..31 characters" },
	{ "dup_section", BASE "[port p1]\ndevice = net_null7\n",
	  "[port p1]", NULL, NULL, "duplicate section" },
	{ "empty_section", BASE "[]\n", "[]", NULL, NULL, "empty section" },
	/* [port] */
	{ "dup_key", "[port p0]\ndevice = net_null0\ndevice = net_null1\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "device", "net_null1", "duplicate key" },
	{ "port_key", "[port p0]\ndevice = net_null0\nspeed = 25G\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "speed", "25G", "unknown key" },
	{ "no_device", "[port p0]\nrx_queues = 2\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "device", NULL, "missing required key" },
	{ "empty_device", "[port p0]\ndevice =\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "device", "", "empty device" },
	{ "peer_dangling", "[port p0]\ndevice = net_null0\npeer = p9\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "peer", "p9", "no such port; defined ports: p0, out" },
	{ "peer_self", "[port p0]\ndevice = net_null0\npeer = p0\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "peer", "p0", "its own peer" },
	{ "peer_tap", "[dpmirror]\nmode = tap\n" BASE,
	  "[port p0]", "peer", "p1", "only for mode = inline" },
	{ "rx_queues", "[port p0]\ndevice = net_null0\nrx_queues = 0\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "rx_queues", "0", "1..64" },
	{ "lcores_empty", "[port p0]\ndevice = net_null0\nlcores = \n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "lcores", "", "e.g. lcores = 2,3" },
	{ "lcores_word", "[port p0]\ndevice = net_null0\nlcores = 2,x\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "lcores", "2,x", "a non-number where an lcore id" },
	{ "lcores_trailing", "[port p0]\ndevice = net_null0\nlcores = 2,\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "lcores", "2,", "nothing where an lcore id" },
	{ "lcores_space", "[port p0]\ndevice = net_null0\nlcores = 2 3\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "lcores", "2 3", "unexpected '3'" },
	{ "lcores_dup", "[port p0]\ndevice = net_null0\nlcores = 2,3,1-2\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "lcores", "2,3,1-2", "lcore 2 is listed twice" },
	{ "lcores_backwards", "[port p0]\ndevice = net_null0\nlcores = 5-2\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "lcores", "5-2", "write it 2-5" },
	{ "lcores_open_range", "[port p0]\ndevice = net_null0\nlcores = 2-\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "lcores", "2-", "a range without its end" },
	{ "lcores_high", "[port p0]\ndevice = net_null0\nlcores = 1,128\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "lcores", "1,128", "lcore ids are 0..127" },
	{ "lcores_huge", "[port p0]\ndevice = net_null0\n"
	  "lcores = 99999999999999999999999\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "lcores", "99999999999999999999999", "lcore ids are" },
	{ "lcores_many", "[port p0]\ndevice = net_null0\nlcores = 0-64\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "lcores", "0-64", "more than 64 lcores" },
	{ "mtu_low", "[port p0]\ndevice = net_null0\nmtu = 67\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "mtu", "67", "68..9702" },
	{ "mtu_high", "[port p0]\ndevice = net_null0\nmtu = 9703\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0]", "mtu", "9703", "68..9702" },
	/* [collector] */
	{ "coll_port", PORTS SESS "[collector c1]\nport = p9\n"
	  "remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
	  "remote_mac = 02:00:00:00:01:03\n",
	  "[collector c1]", "port", "p9", "no such port" },
	{ "coll_no_port", PORTS SESS "[collector c1]\n"
	  "remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
	  "remote_mac = 02:00:00:00:01:03\n",
	  "[collector c1]", "port", NULL, "missing required key" },
	{ "session_encap_key", BASE "encap = geneve\n",
	  "[session s1]", "encap", "geneve", "unknown key" },
	{ "encap_unknown", PORTS COLL "encap = mpls\n" SESS,
	  "[collector c1]", "encap", "mpls",
	  "unknown encapsulation; valid: vxlan, geneve, gre, erspan2, "
	  "erspan3, none" },
	{ "encap_case", PORTS COLL "encap = GRE\n" SESS,
	  "[collector c1]", "encap", "GRE", "unknown encapsulation" },
	{ "encap_erspan", PORTS COLL "encap = erspan\n" SESS,
	  "[collector c1]", "encap", "erspan", "erspan2, erspan3" },
	/*
	 * Keys of another encap: named with the encap and the keys that
	 * belong to it, and refused unchecked (a bad value of a key that does
	 * not belong says only that).
	 */
	{ "vxlan_key", PORTS COLL "encap = vxlan\nkey = 7\n" SESS,
	  "[collector c1]", "key", "7",
	  "not a key of encap = vxlan; its keys are " KEYS_UDP
	  "; remove key or set encap = gre" },
	{ "default_vxlan_key", PORTS COLL "key = 7\n" SESS,
	  "[collector c1]", "key", "7",
	  "not a key of encap = vxlan; its keys are " KEYS_UDP
	  "; remove key or set encap = gre (encap is vxlan when not given)" },
	{ "vxlan_seq", PORTS COLL "seq = yes\n" SESS,
	  "[collector c1]", "seq", "yes",
	  "not a key of encap = vxlan; its keys are " KEYS_UDP
	  "; remove seq or set encap = gre" },
	{ "vxlan_session_id", PORTS COLL "session_id = 3\n" SESS,
	  "[collector c1]", "session_id", "3",
	  "not a key of encap = vxlan; its keys are " KEYS_UDP
	  "; remove session_id or set encap = erspan2 or erspan3" },
	{ "vxlan_vlan", PORTS COLL "vlan = 42\n" SESS,
	  "[collector c1]", "vlan", "42",
	  "not a key of encap = vxlan; its keys are " KEYS_UDP
	  "; remove vlan or set encap = none" },
	{ "vxlan_key_bad_value", PORTS COLL "key = -1\n" SESS,
	  "[collector c1]", "key", "-1", "not a key of encap = vxlan" },
	{ "geneve_key", PORTS COLL "encap = geneve\nkey = 7\n" SESS,
	  "[collector c1]", "key", "7",
	  "not a key of encap = geneve; its keys are " KEYS_UDP
	  "; remove key or set encap = gre" },
	{ "geneve_session_id", PORTS COLL "encap = geneve\nsession_id = 1\n"
	  SESS, "[collector c1]", "session_id", "1",
	  "not a key of encap = geneve" },
	{ "gre_vni", PORTS COLL "encap = gre\nvni = 100\n" SESS,
	  "[collector c1]", "vni", "100",
	  "not a key of encap = gre; its keys are " KEYS_TUNNEL ", key, seq"
	  "; remove vni or set encap = vxlan or geneve" },
	{ "gre_dst_port", PORTS COLL "encap = gre\ndst_port = 4789\n" SESS,
	  "[collector c1]", "dst_port", "4789",
	  "not a key of encap = gre; its keys are " KEYS_TUNNEL ", key, seq"
	  "; remove dst_port or set encap = vxlan or geneve" },
	{ "gre_session_id", PORTS COLL "encap = gre\nsession_id = 1\n" SESS,
	  "[collector c1]", "session_id", "1",
	  "not a key of encap = gre; its keys are " KEYS_TUNNEL ", key, seq"
	  "; remove session_id or set encap = erspan2 or erspan3" },
	{ "gre_vlan", PORTS COLL "encap = gre\nvlan = 5\n" SESS,
	  "[collector c1]", "vlan", "5", "remove vlan or set encap = none" },
	{ "erspan2_key", PORTS COLL "encap = erspan2\nkey = 1\n" SESS,
	  "[collector c1]", "key", "1",
	  "not a key of encap = erspan2; its keys are " KEYS_TUNNEL
	  ", session_id; remove key or set encap = gre" },
	{ "erspan2_seq", PORTS COLL "encap = erspan2\nseq = no\n" SESS,
	  "[collector c1]", "seq", "no",
	  "not a key of encap = erspan2; its keys are " KEYS_TUNNEL
	  ", session_id; remove seq or set encap = gre" },
	{ "erspan2_vni", PORTS COLL "encap = erspan2\nvni = 1\n" SESS,
	  "[collector c1]", "vni", "1",
	  "not a key of encap = erspan2; its keys are " KEYS_TUNNEL
	  ", session_id; remove vni or set encap = vxlan or geneve" },
	{ "erspan3_dst_port", PORTS COLL "encap = erspan3\ndst_port = 1\n"
	  SESS, "[collector c1]", "dst_port", "1",
	  "not a key of encap = erspan3; its keys are " KEYS_TUNNEL
	  ", session_id; remove dst_port or set encap = vxlan or geneve" },
	{ "erspan3_vlan", PORTS COLL "encap = erspan3\nvlan = 1\n" SESS,
	  "[collector c1]", "vlan", "1",
	  "not a key of encap = erspan3; its keys are " KEYS_TUNNEL
	  ", session_id; remove vlan or set encap = none" },
	/* The key before encap: the same message. */
	{ "key_before_encap", PORTS "[collector c1]\nvni = 9\nport = out\n"
	  "remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
	  "remote_mac = 02:00:00:00:01:03\nencap = erspan3\n" SESS,
	  "[collector c1]", "vni", "9",
	  "not a key of encap = erspan3; its keys are " KEYS_TUNNEL
	  ", session_id; remove vni or set encap = vxlan or geneve" },
	{ "gre_before_encap", PORTS "[collector c1]\nseq = yes\n"
	  "session_id = 4\nport = out\nremote_ip = 198.18.1.3\n"
	  "local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
	  "encap = gre\n" SESS,
	  "[collector c1]", "session_id", "4",
	  "not a key of encap = gre; its keys are " KEYS_TUNNEL ", key, seq"
	  "; remove session_id or set encap = erspan2 or erspan3" },
	/* none: no address keys, nor any other tunnel key. */
	{ "none_remote_ip", PORTS
	  "[collector c1]\nport = out\nencap = none\n"
	  "remote_ip = 198.18.1.3\n" SESS,
	  "[collector c1]", "remote_ip", "198.18.1.3",
	  "not a key of encap = none; its keys are port, encap, vlan; remove "
	  "remote_ip or set encap = vxlan, geneve, gre, erspan2 or erspan3" },
	{ "none_remote_ip_first", PORTS
	  "[collector c1]\nremote_ip = fd00::3\nport = out\n"
	  "encap = none\n" SESS,
	  "[collector c1]", "remote_ip", "fd00::3",
	  "not a key of encap = none; its keys are port, encap, vlan" },
	{ "none_local_ip", PORTS COLL_NONE "local_ip = 198.18.1.10\n"
	  SESS, "[collector c1]", "local_ip", "198.18.1.10",
	  "not a key of encap = none" },
	{ "none_remote_mac", PORTS COLL_NONE
	  "remote_mac = 02:00:00:00:01:03\n" SESS,
	  "[collector c1]", "remote_mac", "02:00:00:00:01:03",
	  "not a key of encap = none; its keys are port, encap, vlan; remove "
	  "remote_mac" },
	{ "none_remote_mac_auto", PORTS COLL_NONE
	  "remote_mac = auto\n" SESS,
	  "[collector c1]", "remote_mac", "auto", "not a key of encap = none" },
	{ "none_local_mac", PORTS COLL_NONE
	  "local_mac = 02:00:00:00:01:0a\n" SESS,
	  "[collector c1]", "local_mac", "02:00:00:00:01:0a",
	  "not a key of encap = none" },
	{ "none_next_hop", PORTS COLL_NONE "next_hop = 198.18.1.1\n"
	  SESS, "[collector c1]", "next_hop", "198.18.1.1",
	  "not a key of encap = none" },
	{ "none_ttl", PORTS COLL_NONE "ttl = 9\n" SESS,
	  "[collector c1]", "ttl", "9",
	  "not a key of encap = none; its keys are port, encap, vlan; remove "
	  "ttl or set encap = vxlan, geneve, gre, erspan2 or erspan3" },
	{ "none_dscp", PORTS COLL_NONE "dscp = 8\n" SESS,
	  "[collector c1]", "dscp", "8", "not a key of encap = none" },
	{ "none_vni", PORTS COLL_NONE "vni = 8\n" SESS,
	  "[collector c1]", "vni", "8",
	  "remove vni or set encap = vxlan or geneve" },
	{ "none_key", PORTS COLL_NONE "key = 8\n" SESS,
	  "[collector c1]", "key", "8", "remove key or set encap = gre" },
	/* The new keys' values. */
	{ "key_high", PORTS COLL "encap = gre\nkey = 4294967296\n" SESS,
	  "[collector c1]", "key", "4294967296",
	  "out of range; valid: 0..4294967295" },
	{ "key_sign", PORTS COLL "encap = gre\nkey = -1\n" SESS,
	  "[collector c1]", "key", "-1",
	  "not a decimal number; valid: 0..4294967295" },
	{ "key_hex", PORTS COLL "encap = gre\nkey = 0x10\n" SESS,
	  "[collector c1]", "key", "0x10", "not a decimal number" },
	{ "seq_bad", PORTS COLL "encap = gre\nseq = 1\n" SESS,
	  "[collector c1]", "seq", "1", "not yes or no; valid: yes, no" },
	/* udp6_checksum: IPv6 VxLAN and Geneve only. */
	{ "udp6_checksum_bad", PORTS COLL6 "udp6_checksum = on\n" SESS,
	  "[collector c1]", "udp6_checksum", "on",
	  "not compute, offload or zero; valid: compute, offload, zero" },
	{ "udp6_checksum_case", PORTS COLL6 "udp6_checksum = Zero\n" SESS,
	  "[collector c1]", "udp6_checksum", "Zero",
	  "valid: compute, offload, zero" },
	{ "udp6_checksum_ipv4", PORTS COLL "udp6_checksum = zero\n" SESS,
	  "[collector c1]", "udp6_checksum", "zero",
	  "udp6_checksum is for IPv6 collectors, and remote_ip = 198.18.1.3 "
	  "is IPv4 (encap = vxlan: the outer UDP checksum of IPv4 copies is "
	  "always 0); remove udp6_checksum, or give IPv6 remote_ip and "
	  "local_ip" },
	{ "udp6_checksum_geneve4", PORTS COLL
	  "encap = geneve\nudp6_checksum = compute\n" SESS,
	  "[collector c1]", "udp6_checksum", "compute",
	  "is IPv4 (encap = geneve: " },
	{ "udp6_checksum_gre6", PORTS COLL6 "encap = gre\nudp6_checksum = zero\n"
	  SESS, "[collector c1]", "udp6_checksum", "zero",
	  "not a key of encap = gre; its keys are " KEYS_TUNNEL ", key, seq"
	  "; remove udp6_checksum or set encap = vxlan or geneve" },
	{ "udp6_checksum_erspan", PORTS COLL6
	  "encap = erspan3\nudp6_checksum = offload\n" SESS,
	  "[collector c1]", "udp6_checksum", "offload",
	  "not a key of encap = erspan3; its keys are " KEYS_TUNNEL
	  ", session_id; remove udp6_checksum or set encap = vxlan or geneve" },
	{ "udp6_checksum_none", PORTS COLL_NONE "udp6_checksum = zero\n" SESS,
	  "[collector c1]", "udp6_checksum", "zero",
	  "not a key of encap = none; its keys are port, encap, vlan; remove "
	  "udp6_checksum or set encap = vxlan or geneve" },
	{ "session_id_high", PORTS COLL "encap = erspan2\nsession_id = 1024\n"
	  SESS, "[collector c1]", "session_id", "1024",
	  "out of range; valid: 0..1023" },
	{ "session_id_junk", PORTS COLL "encap = erspan3\nsession_id = 1a\n"
	  SESS, "[collector c1]", "session_id", "1a",
	  "not a decimal number; valid: 0..1023" },
	{ "vlan_zero", PORTS COLL_NONE "vlan = 0\n" SESS,
	  "[collector c1]", "vlan", "0",
	  "VID 0 is not a VLAN (it marks a priority-only tag); valid: "
	  "1..4094, or omit vlan to send the frames untagged" },
	{ "vlan_zeros", PORTS COLL_NONE "vlan = 000\n" SESS,
	  "[collector c1]", "vlan", "000", "VID 0 is not a VLAN" },
	{ "vlan_4095", PORTS COLL_NONE "vlan = 4095\n" SESS,
	  "[collector c1]", "vlan", "4095",
	  "VID 4095 is reserved (IEEE 802.1Q); valid: 1..4094" },
	{ "vlan_4096", PORTS COLL_NONE "vlan = 4096\n" SESS,
	  "[collector c1]", "vlan", "4096", "out of range; valid: 1..4094" },
	{ "vlan_word", PORTS COLL_NONE "vlan = yes\n" SESS,
	  "[collector c1]", "vlan", "yes",
	  "not a decimal number; valid: 1..4094" },
	/* Tunnel encaps still need their addresses. */
	{ "gre_no_remote_ip", PORTS "[collector c1]\nport = out\n"
	  "encap = gre\nlocal_ip = 198.18.1.10\n"
	  "remote_mac = 02:00:00:00:01:03\n" SESS,
	  "[collector c1]", "remote_ip", NULL, "missing required key" },
	{ "erspan3_no_remote_mac", PORTS "[collector c1]\nport = out\n"
	  "encap = erspan3\nremote_ip = 198.18.1.3\n"
	  "local_ip = 198.18.1.10\n" SESS,
	  "[collector c1]", "remote_mac", NULL, "missing required key" },
	/* none: on a port no worker receives on. */
	{ "none_on_peer", PORTS "[collector c1]\nport = p1\nencap = none\n"
	  "[session s1]\nsources = p0:rx\ncollector = c1\n",
	  "[collector c1]", "port", "p1",
	  "port p1 is also received on by the workers (its peer is p0: they "
	  "forward what it receives); encap = none sends the copies as plain "
	  "frames" },
	{ "none_on_peer_port_last", PORTS "[collector c1]\nencap = none\n"
	  "vlan = 7\nport = p0\n"
	  "[session s1]\nsources = p1:rx\ncollector = c1\n",
	  "[collector c1]", "port", "p0",
	  "port p0 is also received on by the workers (its peer is p1" },
	{ "none_on_mirrored", PORTS COLL_NONE
	  "[collector c2]\nport = p0\nremote_ip = 198.18.1.4\n"
	  "local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:04\n"
	  SESS "[session s2]\nsources = out:rx\ncollector = c2\n",
	  "[collector c1]", "port", "out",
	  "port out is also received on by the workers (session s2 mirrors "
	  "out:rx); encap = none" },
	{ "remote_ip_bad", PORTS COLL_NOIP "remote_ip = 198.18.1\n"
	  "local_ip = 198.18.1.10\n" SESS,
	  "[collector c1]", "remote_ip", "198.18.1", "not an IP address" },
	{ "remote_ip_cidr", PORTS COLL_NOIP "remote_ip = 198.18.1.3/24\n"
	  "local_ip = 198.18.1.10\n" SESS,
	  "[collector c1]", "remote_ip", "198.18.1.3/24", "without /len" },
	{ "remote_ip_zero", PORTS COLL_NOIP "remote_ip = 0.0.0.0\n"
	  "local_ip = 198.18.1.10\n" SESS,
	  "[collector c1]", "remote_ip", "0.0.0.0", "unspecified" },
	{ "remote_ip_mcast6", PORTS COLL_NOIP "remote_ip = ff02::1\n"
	  "local_ip = fd00::1\n" SESS,
	  "[collector c1]", "remote_ip", "ff02::1", "multicast" },
	{ "local_ip_mcast4", PORTS COLL_NOIP "remote_ip = 198.18.1.3\n"
	  "local_ip = 239.1.1.1\n" SESS,
	  "[collector c1]", "local_ip", "239.1.1.1", "multicast" },
	{ "local_ip_unspec6", PORTS COLL_NOIP "remote_ip = fd00::3\n"
	  "local_ip = ::\n" SESS,
	  "[collector c1]", "local_ip", "::", "unspecified" },
	{ "ip_families", PORTS COLL_NOIP "local_ip = fd00:1::10\n"
	  "remote_ip = 198.18.1.3\n" SESS,
	  "[collector c1]", "remote_ip", "198.18.1.3",
	  "local_ip = fd00:1::10 is IPv6" },
	{ "no_local_ip", PORTS COLL_NOIP "remote_ip = 198.18.1.3\n" SESS,
	  "[collector c1]", "local_ip", NULL, "missing required key" },
	/* remote_mac = auto on a port the workers receive on. */
	{ "mac_auto_peer", PORTS "[collector c1]\nport = p1\n"
	  "remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
	  "remote_mac = auto\n" SESS,
	  "[collector c1]", "remote_mac", "auto",
	  "port p1 is also received on by the workers (its peer is p0: they "
	  "forward what it receives); ARP/ND replies would reach the "
	  "workers, not the control thread; give the next hop's MAC or use "
	  "a port of its own" },
	{ "mac_auto_session_rx", PORTS COLL_AUTO
	  "[collector c2]\nport = p1\nremote_ip = 198.18.1.4\n"
	  "local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:04\n"
	  SESS "[session s2]\nsources = out:rx\ncollector = c2\n",
	  "[collector c1]", "remote_mac", "auto",
	  "port out is also received on by the workers (session s2 mirrors "
	  "out:rx); ARP/ND replies would reach the workers" },
	{ "mac_auto_session_both", "[port p0]\ndevice = net_null0\n"
	  "peer = out\n[port out]\ndevice = net_null2\n"
	  "[port x]\ndevice = net_null3\n" COLL_AUTO
	  "[collector c2]\nport = x\nremote_ip = 198.18.1.4\n"
	  "local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:04\n"
	  "[session s1]\nsources = p0:rx\ncollector = c1\n"
	  "[session s2]\nsources = out:both\ncollector = c2\n",
	  "[collector c1]", "remote_mac", "auto",
	  "(session s2 mirrors out:both)" },
	{ "next_hop_static", PORTS COLL "next_hop = 198.18.1.1\n" SESS,
	  "[collector c1]", "next_hop", "198.18.1.1",
	  "next_hop is only for remote_mac = auto (remote_mac = "
	  "02:00:00:00:01:03 is given); remove next_hop, or set remote_mac = "
	  "auto" },
	{ "next_hop_static_first", PORTS "[collector c1]\nport = out\n"
	  "next_hop = 198.18.1.1\nremote_ip = 198.18.1.3\n"
	  "local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n" SESS,
	  "[collector c1]", "next_hop", "198.18.1.1",
	  "only for remote_mac = auto" },
	{ "next_hop_family", PORTS COLL_AUTO "next_hop = fd00::1\n" SESS,
	  "[collector c1]", "next_hop", "fd00::1",
	  "IPv6 address, but remote_ip = 198.18.1.3 is IPv4; the next hop "
	  "must be of remote_ip's family" },
	{ "next_hop_family6", PORTS "[collector c1]\nport = out\n"
	  "next_hop = 198.18.1.1\nremote_ip = fd00::3\nlocal_ip = fd00::10\n"
	  "remote_mac = auto\n" SESS,
	  "[collector c1]", "next_hop", "198.18.1.1",
	  "IPv4 address, but remote_ip = fd00::3 is IPv6" },
	{ "next_hop_mcast", PORTS COLL_AUTO "next_hop = 224.0.0.1\n" SESS,
	  "[collector c1]", "next_hop", "224.0.0.1",
	  "multicast address; give the next hop's unicast address" },
	{ "next_hop_bcast", PORTS COLL_AUTO "next_hop = 255.255.255.255\n"
	  SESS, "[collector c1]", "next_hop", "255.255.255.255", "broadcast" },
	{ "next_hop_unspec6", PORTS "[collector c1]\nport = out\n"
	  "remote_ip = fd00::3\nlocal_ip = fd00::10\nremote_mac = auto\n"
	  "next_hop = ::\n" SESS,
	  "[collector c1]", "next_hop", "::", "unspecified" },
	{ "next_hop_cidr", PORTS COLL_AUTO "next_hop = 198.18.1.1/24\n" SESS,
	  "[collector c1]", "next_hop", "198.18.1.1/24",
	  "not an IP address" },
	{ "next_hop_empty", PORTS COLL_AUTO "next_hop =\n" SESS,
	  "[collector c1]", "next_hop", "", "not an IP address" },
	{ "mac_auto_case", PORTS "[collector c1]\nport = out\n"
	  "remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
	  "remote_mac = AUTO\n" SESS,
	  "[collector c1]", "remote_mac", "AUTO",
	  "or auto to resolve it by ARP/ND" },
	{ "mac_short", PORTS "[collector c1]\nport = out\n"
	  "remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
	  "remote_mac = 02:00:00:00:01\n" SESS,
	  "[collector c1]", "remote_mac", "02:00:00:00:01",
	  "xx:xx:xx:xx:xx:xx" },
	{ "mac_dash", PORTS "[collector c1]\nport = out\n"
	  "remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
	  "remote_mac = 02-00-00-00-01-03\n" SESS,
	  "[collector c1]", "remote_mac", "02-00-00-00-01-03",
	  "not a MAC address" },
	{ "mac_zero", PORTS "[collector c1]\nport = out\n"
	  "remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n"
	  "remote_mac = 00:00:00:00:00:00\n" SESS,
	  "[collector c1]", "remote_mac", "00:00:00:00:00:00", "all-zero" },
	{ "no_remote_mac", PORTS "[collector c1]\nport = out\n"
	  "remote_ip = 198.18.1.3\nlocal_ip = 198.18.1.10\n" SESS,
	  "[collector c1]", "remote_mac", NULL, "missing required key" },
	{ "local_mac_group", PORTS COLL "local_mac = 03:00:00:00:00:01\n" SESS,
	  "[collector c1]", "local_mac", "03:00:00:00:00:01", "unicast" },
	{ "vni", PORTS COLL "vni = 16777216\n" SESS,
	  "[collector c1]", "vni", "16777216", "0..16777215" },
	{ "dst_port", PORTS COLL "dst_port = 0\n" SESS,
	  "[collector c1]", "dst_port", "0", "1..65535" },
	{ "ttl", PORTS COLL "ttl = 0\n" SESS,
	  "[collector c1]", "ttl", "0", "1..255" },
	{ "dscp", PORTS COLL "dscp = 64\n" SESS,
	  "[collector c1]", "dscp", "64", "0..63" },
	{ "coll_key", PORTS COLL "weight = 2\n" SESS,
	  "[collector c1]", "weight", "2", "unknown key" },
	/* [session] */
	{ "src_no_dir", PORTS COLL "[session s1]\nsources = p0\n"
	  "collector = c1\n",
	  "[session s1]", "sources", "p0", "p0:rx, p0:tx or p0:both" },
	{ "src_bad_dir", PORTS COLL "[session s1]\nsources = p0:in\n"
	  "collector = c1\n",
	  "[session s1]", "sources", "p0:in", "valid: rx, tx, both" },
	{ "src_no_port", PORTS COLL "[session s1]\nsources = p0:rx p9:rx\n"
	  "collector = c1\n",
	  "[session s1]", "sources", "p0:rx p9:rx", "no such port p9" },
	{ "src_twice", PORTS COLL "[session s1]\nsources = p0:rx,p0:tx\n"
	  "collector = c1\n",
	  "[session s1]", "sources", "p0:rx,p0:tx", "listed twice" },
	{ "src_empty", PORTS COLL "[session s1]\nsources = ,\n"
	  "collector = c1\n",
	  "[session s1]", "sources", ",", "no sources" },
	{ "src_tx_tap", "[dpmirror]\nmode = tap\n" PORTS_NOPEER COLL
	  "[session s1]\nsources = p0:both\ncollector = c1\n",
	  "[session s1]", "sources", "p0:both", "needs mode = inline" },
	{ "src_tx_unfed", PORTS COLL "[session s1]\nsources = out:tx\n"
	  "collector = c1\n",
	  "[session s1]", "sources", "out:tx", "no port forwards to out" },
	/* A session mirroring the port its own collector sends on. */
	{ "loop_rx", PORTS COLL "[session s1]\nsources = p0:rx out:rx\n"
	  "collector = c1\n",
	  "[session s1]", "sources", "p0:rx out:rx",
	  "port out is where collector c1 sends its copies ([collector c1] "
	  "port = out); a session must not mirror its own collector's port, "
	  "or the copies are mirrored again; remove out from sources or give "
	  "c1 another port" },
	/* p0:tx is what out receives (out's peer is p0): copies come back
	 * in on out. */
	{ "loop_tx", "[port p0]\ndevice = net_null0\npeer = out\n"
	  "[port out]\ndevice = net_null2\npeer = p0\n" COLL
	  "[session s1]\nsources = p0:tx\ncollector = c1\n",
	  "[session s1]", "sources", "p0:tx",
	  "p0:tx is what port out receives (its peer is p0), and out is "
	  "where collector c1 sends its copies ([collector c1] port = out)" },
	{ "loop_both", "[port p0]\ndevice = net_null0\npeer = out\n"
	  "[port out]\ndevice = net_null2\n" COLL
	  "[session s1]\nsources = p0:rx, out:both\ncollector = c1\n",
	  "[session s1]", "sources", "p0:rx, out:both",
	  "port out is where collector c1 sends its copies" },
	{ "loop_second_collector", PORTS COLL
	  "[collector c2]\nport = p1\nremote_ip = 198.18.1.4\n"
	  "local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:04\n"
	  "[session s1]\nsources = p0:rx p1:rx\ncollector = c1 c2\n",
	  "[session s1]", "sources", "p0:rx p1:rx",
	  "port p1 is where collector c2 sends its copies ([collector c2] "
	  "port = p1); a session must not mirror its own collector's port, "
	  "or the copies are mirrored again; remove p1 from sources or give "
	  "c2 another port" },
	{ "loop_sources_after", PORTS COLL "[session s1]\ncollector = c1\n"
	  "snaplen = 64\nsources = out:rx\n",
	  "[session s1]", "sources", "out:rx",
	  "port out is where collector c1 sends its copies" },
	{ "no_sources", PORTS COLL "[session s1]\ncollector = c1\n",
	  "[session s1]", "sources", NULL, "missing required key" },
	{ "coll_dangling", PORTS COLL "[session s1]\nsources = p0:rx\n"
	  "collector = c9\n",
	  "[session s1]", "collector", "c9",
	  "no such collector; defined collectors: c1" },
	{ "coll_twice", PORTS COLL "[session s1]\nsources = p0:rx\n"
	  "collector = c1 c1\n",
	  "[session s1]", "collector", "c1 c1", "listed twice" },
	{ "coll_nine", PORTS COLL
	  "[collector c2]\nport = out\nremote_ip = 198.18.1.4\n"
	  "local_ip = 198.18.1.10\nremote_mac = 02:00:00:00:01:03\n"
	  "[session s1]\nsources = p0:rx\n"
	  "collector = c1 c2 c1 c2 c1 c2 c1 c2 c1\n",
	  "[session s1]", "collector", "c1 c2 c1 c2 c1 c2 c1 c2 c1",
	  "listed twice" },
	{ "no_collector", PORTS COLL "[session s1]\nsources = p0:rx\n",
	  "[session s1]", "collector", NULL, "missing required key" },
	{ "filter_dangling", BASE "filter = web\n",
	  "[session s1]", "filter", "web", "no such filter" },
	{ "snaplen", BASE "snaplen = 13\n",
	  "[session s1]", "snaplen", "13", "14..65535" },
	{ "snaplen_high", BASE "snaplen = 65536\n",
	  "[session s1]", "snaplen", "65536", "14..65535" },
	{ "sample", BASE "sample = 0\n",
	  "[session s1]", "sample", "0", "1..2147483647" },
	{ "sample_high", BASE "sample = 2147483648\n",
	  "[session s1]", "sample", "2147483648", "1..2147483647" },
	{ "rate_frac", BASE "rate = 1.5G\n",
	  "[session s1]", "rate", "1.5G", "not a rate" },
	{ "rate_high", BASE "rate = 401G\n",
	  "[session s1]", "rate", "401G", "400G" },
	{ "session_key", BASE "priority = 1\n",
	  "[session s1]", "priority", "1", "unknown key" },
	/* [filter] */
	{ "filter_key", BASE_F "[filter f]\npolicy = accept\n",
	  "[filter f]", "policy", "accept", "unknown key" },
	{ "default", BASE_F "[filter f]\ndefault = drop\n",
	  "[filter f]", "default", "drop", "accept, reject" },
	{ "rule_zero", BASE_F "[filter f]\nrule 0 = accept\n",
	  "[filter f]", "rule 0", "accept", "1..999999" },
	{ "rule_big", BASE_F "[filter f]\nrule 1000000 = accept\n",
	  "[filter f]", "rule 1000000", "accept", "1..999999" },
	{ "rule_spaces", BASE_F "[filter f]\nrule  10 = accept\n",
	  "[filter f]", "rule  10", "accept", "one space" },
	{ "rule_nospace", BASE_F "[filter f]\nrule10 = accept\n",
	  "[filter f]", "rule10", "accept", "one space" },
	{ "rule_twice", BASE_F "[filter f]\nrule 10 = accept\n"
	  "rule 010 = reject\n",
	  "[filter f]", "rule 010", "reject", "defined twice" },
	{ "rule_dup_key", BASE_F "[filter f]\nrule 10 = accept\n"
	  "rule 10 = reject\n",
	  "[filter f]", "rule 10", "reject", "duplicate key" },
	{ "rule_action", BASE_F "[filter f]\nrule 10 = allow proto tcp\n",
	  "[filter f]", "rule 10", "allow proto tcp", "accept or reject" },
	{ "rule_empty", BASE_F "[filter f]\nrule 10 =\n",
	  "[filter f]", "rule 10", "", "empty rule" },
	{ "rule_word", BASE_F "[filter f]\nrule 10 = accept port 80\n",
	  "[filter f]", "rule 10", "accept port 80", "unknown word port" },
	{ "rule_word_twice",
	  BASE_F "[filter f]\nrule 10 = accept dport 80 dport 81\n",
	  "[filter f]", "rule 10", "accept dport 80 dport 81",
	  "dport given twice" },
	{ "rule_no_arg", BASE_F "[filter f]\nrule 10 = accept proto\n",
	  "[filter f]", "rule 10", "accept proto", "needs a value" },
	{ "rule_proto", BASE_F "[filter f]\nrule 10 = accept proto 256\n",
	  "[filter f]", "rule 10", "accept proto 256", "0..255" },
	{ "rule_proto_name", BASE_F "[filter f]\nrule 10 = accept proto TCP\n",
	  "[filter f]", "rule 10", "accept proto TCP", "unknown protocol" },
	{ "rule_host_bits4",
	  BASE_F "[filter f]\nrule 10 = accept dst 198.18.0.1/24\n",
	  "[filter f]", "rule 10", "accept dst 198.18.0.1/24",
	  "did you mean 198.18.0.0/24" },
	{ "rule_host_bits6",
	  BASE_F "[filter f]\nrule 10 = reject src fd00:1:2:3:4::/62\n",
	  "[filter f]", "rule 10", "reject src fd00:1:2:3:4::/62",
	  "did you mean fd00:1:2::/62" },
	{ "rule_prefix_len",
	  BASE_F "[filter f]\nrule 10 = accept src 198.18.0.0/33\n",
	  "[filter f]", "rule 10", "accept src 198.18.0.0/33", "/0../32" },
	{ "rule_bad_addr",
	  BASE_F "[filter f]\nrule 10 = accept src 198.18.0.0.0/8\n",
	  "[filter f]", "rule 10", "accept src 198.18.0.0.0/8",
	  "not an address" },
	{ "rule_families",
	  BASE_F "[filter f]\nrule 10 = accept src 198.18.0.0/15 dst fd00::/8\n",
	  "[filter f]", "rule 10", "accept src 198.18.0.0/15 dst fd00::/8",
	  "one address family" },
	{ "rule_range_rev",
	  BASE_F "[filter f]\nrule 10 = accept proto udp sport 90-80\n",
	  "[filter f]", "rule 10", "accept proto udp sport 90-80",
	  "sport 80-90" },
	{ "rule_range_high",
	  BASE_F "[filter f]\nrule 10 = accept dport 70000\n",
	  "[filter f]", "rule 10", "accept dport 70000", "0 <= N <= M <= 65535" },
	{ "rule_range_junk",
	  BASE_F "[filter f]\nrule 10 = accept dport 80-\n",
	  "[filter f]", "rule 10", "accept dport 80-", "N or N-M" },
	{ "rule_ports_icmp",
	  BASE_F "[filter f]\nrule 10 = accept proto icmp dport 80\n",
	  "[filter f]", "rule 10", "accept proto icmp dport 80",
	  "tcp, udp or sctp" },
	{ "rule_ports_gre",
	  BASE_F "[filter f]\nrule 10 = accept sport 1 proto 47\n",
	  "[filter f]", "rule 10", "accept sport 1 proto 47", "no ports" },
	{ "rule_icmp_v6",
	  BASE_F "[filter f]\nrule 10 = accept proto icmp dst fd00::1\n",
	  "[filter f]", "rule 10", "accept proto icmp dst fd00::1",
	  "use proto icmpv6" },
	{ "rule_icmpv6_v4",
	  BASE_F "[filter f]\nrule 10 = accept src 198.18.0.1 proto icmpv6\n",
	  "[filter f]", "rule 10", "accept src 198.18.0.1 proto icmpv6",
	  "use proto icmp" },
	{ "expression_empty", BASE_F "[filter f]\nexpression =\n",
	  "[filter f]", "expression", "", "empty expression" },
	{ "expression_bad", BASE_F "[filter f]\nexpression = tcp port 80 and\n",
	  "[filter f]", "expression", "tcp port 80 and", "syntax error" },
	{ "expression_rules", BASE_F "[filter f]\nexpression = tcp\n"
	  "rule 10 = accept\n",
	  "[filter f]", "expression", "tcp", "not both (rule 10 = accept" },
	{ "expression_default", BASE_F "[filter f]\nexpression = tcp\n"
	  "default = accept\n",
	  "[filter f]", "default", "accept", "expression filter has no default" },
	{ "rule_vlan", BASE_F "[filter f]\nrule 10 = accept vlan 4096\n",
	  "[filter f]", "rule 10", "accept vlan 4096", "0..4095" },
	/* Lines rte_cfgfile would ignore or refuse. */
	{ "stray_line", BASE "sample 10\n",
	  "[session s1]", NULL, "sample 10", "key = value" },
	{ "hash_comment", BASE "# a comment\n",
	  "[session s1]", NULL, "# a comment", "comments start with ';'" },
	{ "after_bracket", BASE "[port p5] device = net_null5\n",
	  "[port p5]", NULL, "device = net_null5", "text after ']'" },
	{ "no_bracket", BASE "[port p5\ndevice = net_null5\n",
	  "", NULL, "[port p5", "no closing ']'" },
	{ "before_section", "burst = 32\n" BASE,
	  "", NULL, "burst = 32", "before any section" },
	{ "empty_key", BASE "= 5\n",
	  "[session s1]", NULL, "= 5", "missing key" },
	/* Whole file. */
	{ "only_dpmirror", "[dpmirror]\nmode = tap\n", "", NULL, NULL,
	  "no [port NAME] section" },
	{ "no_port", COLL SESS, "[collector c1]", "port", "out",
	  "defined ports: (none)" },
	{ "one_way_peer_both", "[port a]\ndevice = net_null0\npeer = b\n"
	  "[port b]\ndevice = net_null1\n[port out]\ndevice = net_null2\n"
	  COLL "[session s1]\nsources = a:both\ncollector = c1\n",
	  "[session s1]", "sources", "a:both", "no port forwards to a" },
	{ "no_collector_section", PORTS SESS,
	  "[session s1]", "collector", "c1", "no such collector" },
	{ "no_session", PORTS COLL, "", NULL, NULL, "no [session NAME]" },
	/* [playground] and [kernel NAME] */
#define KERN "[kernel k1]\ndev = eth0\nremote = 198.18.1.3\n" \
	"local = 198.18.1.2\nvni = 100\nunderlay = eth1\n"
	{ "pg_prefix", BASE "[playground]\nprefix = Lab!\n",
	  "[playground]", "prefix", "Lab!", "a-z and 0-9" },
	{ "pg_prefix_long", BASE "[playground]\nprefix = abcdefghi\n",
	  "[playground]", "prefix", "abcdefghi", "1..8 characters" },
	{ "pg_inline", BASE "[playground]\ninline = maybe\n",
	  "[playground]", "inline", "maybe", "yes, no" },
	{ "pg_named", BASE "[playground lab]\n",
	  "[playground lab]", NULL, NULL, "takes no name" },
	{ "pg_key", BASE "[playground]\nhosts = 3\n",
	  "[playground]", "hosts", "3", "unknown key" },
	{ "k_dev", BASE "[kernel k1]\ndev = eth0/1\nremote = 198.18.1.3\n"
	  "local = 198.18.1.2\nvni = 1\n",
	  "[kernel k1]", "dev", "eth0/1", "not an interface name" },
	{ "k_dev_long", BASE "[kernel k1]\ndev = abcdefghijklmnopq\n"
	  "remote = 198.18.1.3\nlocal = 198.18.1.2\nvni = 1\n",
	  "[kernel k1]", "dev", "abcdefghijklmnopq", "interface name" },
	{ "k_no_dev", BASE "[kernel k1]\nremote = 198.18.1.3\n"
	  "local = 198.18.1.2\nvni = 1\n",
	  "[kernel k1]", "dev", NULL, "no device given" },
	{ "k_netns", BASE KERN "netns = a/b\n",
	  "[kernel k1]", "netns", "a/b", "ip netns list" },
	{ "k_dir", BASE KERN "direction = sideways\n",
	  "[kernel k1]", "direction", "sideways", "ingress, egress or both" },
	{ "k_encap", BASE KERN "encap = gre\n",
	  "[kernel k1]", "encap", "gre", "not a tunnel the kernel mirror sets up" },
	{ "k_encap_gretap", BASE KERN "encap = gretap\n",
	  "[kernel k1]", "vni", "100", "vni is for vxlan and geneve" },
	{ "k_no_underlay", BASE "[kernel k1]\ndev = eth0\nremote = 198.18.1.3\n"
	  "local = 198.18.1.2\nvni = 1\n",
	  "[kernel k1]", "underlay", NULL, "no underlay device given" },
	{ "k_match_dport_noproto", BASE KERN "match = dport 80\n",
	  "[kernel k1]", "match", "dport 80", "add proto tcp, udp or sctp" },
	{ "k_match_hostbits", BASE KERN "match = src 198.18.0.5/24\n",
	  "[kernel k1]", "match", "src 198.18.0.5/24",
	  "did you mean 198.18.0.0/24" },
	{ "k_remote_multicast", BASE "[kernel k1]\ndev = eth0\n"
	  "remote = 239.1.1.1\nlocal = 198.18.1.2\nvni = 1\nunderlay = eth1\n",
	  "[kernel k1]", "remote", "239.1.1.1", "unicast" },
	{ "k_family", BASE "[kernel k1]\ndev = eth0\nremote = 198.18.1.3\n"
	  "local = fd00::2\nvni = 1\n",
	  "[kernel k1]", "local", "fd00::2", "two IPv4 or two IPv6" },
	{ "k_egress_loop", BASE "[kernel k1]\ndev = eth1\nremote = 198.18.1.3\n"
	  "local = 198.18.1.2\nvni = 1\nunderlay = eth1\ndirection = egress\n",
	  "[kernel k1]", "underlay", "eth1", "mirror the tunnel's own" },
	{ "k_remote", BASE "[kernel k1]\ndev = eth0\nremote = h2\n"
	  "local = 198.18.1.2\nvni = 1\n",
	  "[kernel k1]", "remote", "h2", "not an IP address" },
	{ "k_vni", BASE "[kernel k1]\ndev = eth0\nremote = 198.18.1.3\n"
	  "local = 198.18.1.2\nvni = 16777216\n",
	  "[kernel k1]", "vni", "16777216", "0..16777215" },
	/* 2^32 + 100: never cut to 32 bits (it would read as vni 100). */
	{ "k_vni_wrap", BASE "[kernel k1]\ndev = eth0\nremote = 198.18.1.3\n"
	  "local = 198.18.1.2\nvni = 4294967396\nunderlay = eth1\n",
	  "[kernel k1]", "vni", "4294967396", "0..16777215" },
	{ "k_dst_port_wrap", BASE KERN "dst_port = 4294972085\n",
	  "[kernel k1]", "dst_port", "4294972085", "1..65535" },
	{ "k_no_vni", BASE "[kernel k1]\ndev = eth0\nremote = 198.18.1.3\n"
	  "local = 198.18.1.2\n",
	  "[kernel k1]", "vni", NULL, "e.g. vni 100" },
	{ "k_match_range", BASE KERN "match = proto tcp dport 80-90\n",
	  "[kernel k1]", "match", "proto tcp dport 80-90", "one port" },
	{ "k_match_vlan", BASE KERN "match = vlan 10\n",
	  "[kernel k1]", "match", "vlan 10", "not matched" },
	{ "k_match_word", BASE KERN "match = proto tcp port 80\n",
	  "[kernel k1]", "match", "proto tcp port 80", "port" },
	{ "k_proto_wrap", BASE KERN "match = proto 4294967302\n",
	  "[kernel k1]", "match", "proto 4294967302", "0..255" },
	{ "k_dport_wrap", BASE KERN "match = proto tcp dport 4294967376\n",
	  "[kernel k1]", "match", "proto tcp dport 4294967376", "0..65535" },
	{ "k_ignore_mtu", BASE KERN "ignore_mtu = 1\n",
	  "[kernel k1]", "ignore_mtu", "1", "yes or no" },
};

/*
 * What cfg_load reads: regular files of at most CFG_FILE_MAX bytes, each
 * other kind of file refused at once (an alarm turns a hang into a
 * failure), with a message that says what the path is.
 */
static void
assert_refused_file(const char *path, const char *what)
{
	struct cfg_errors errs;
	char want[512];

	memset(&errs, 0, sizeof(errs));
	alarm(10); /* a read that never ends kills the test */
	if (cfg_load(path, &errs) != NULL)
		fail_msg("%s was accepted", path);
	alarm(0);
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "cannot read %s: ", path);
	if (strncmp(errs.msg[0], want, strlen(want)) != 0 ||
	    strstr(errs.msg[0], what) == NULL)
		fail_msg("%s: '%s' lacks '%s' and '%s'", path, errs.msg[0],
			want, what);
}

/* The files test_not_a_regular_file makes in its directory. */
static const char *const special_names[] = { "fifo.ini", "sock.ini",
	"blk.ini" };

static int
special_setup(void **state)
{
	char *dir = strdup("/tmp/test_cfg_dir.XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

/* Also after a failure. */
static int
special_teardown(void **state)
{
	char path[256];
	unsigned int i;

	for (i = 0; i < sizeof(special_names) / sizeof(special_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", (char *)*state,
			special_names[i]);
		unlink(path);
	}
	rmdir(*state);
	free(*state);
	return 0;
}

static void
test_not_a_regular_file(void **state)
{
	const char *dir = *state;
	char path[256];
	struct sockaddr_un sun;
	int sock;

	assert_refused_file(dir, "a directory, not a regular file");

	/* A FIFO nobody writes to: opening it to read would block. */
	snprintf(path, sizeof(path), "%s/%s", dir, special_names[0]);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_refused_file(path, "a FIFO (named pipe), not a regular file");
	unlink(path);

	/* Endless, and empty. */
	assert_refused_file("/dev/zero",
		"a character device, not a regular file");
	assert_refused_file("/dev/null",
		"a character device, not a regular file");

	snprintf(path, sizeof(path), "%s/%s", dir, special_names[1]);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(sock >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(sock, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_refused_file(path, "a socket, not a regular file");
	close(sock);
	unlink(path);

	/* A block device node (root only): never opened, only looked at. */
	snprintf(path, sizeof(path), "%s/%s", dir, special_names[2]);
	if (mknod(path, S_IFBLK | 0600, makedev(7, 0)) == 0) {
		assert_refused_file(path, "a block device, not a regular file");
		unlink(path);
	}
}

/* A file of exactly CFG_FILE_MAX bytes loads; one byte more does not. */
static void
test_file_size_limit(void **state)
{
	char *text = malloc(CFG_FILE_MAX + 2);
	struct cfg_errors errs;
	char want[64];
	struct cfg *cfg;
	char *path;
	size_t n;
	int fd;

	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, CFG_FILE_MAX, "%s", BASE);
	while (n < CFG_FILE_MAX) {
		size_t line = CFG_FILE_MAX - n < 100 ? CFG_FILE_MAX - n : 100;

		text[n] = ';';
		memset(text + n + 1, 'x', line - 1);
		text[n + line - 1] = '\n';
		n += line;
	}
	text[n] = '\0';
	assert_int_equal(strlen(text), CFG_FILE_MAX);
	cfg = load_good(text);
	assert_int_equal(cfg->n_ports, 3);
	cfg_free(cfg);

	text[n] = '\n';
	text[n + 1] = '\0';
	snprintf(want, sizeof(want), "over the limit of %u MiB",
		CFG_FILE_MAX >> 20);
	alarm(10);
	assert_null(load_text(text, &errs));
	alarm(0);
	assert_int_equal(errs.n, 1);
	if (strstr(errs.msg[0], "cannot read /tmp/test_cfg.") == NULL ||
	    strstr(errs.msg[0], want) == NULL ||
	    strstr(errs.msg[0], "4194305 bytes") == NULL)
		fail_msg("'%s' lacks the size and '%s'", errs.msg[0], want);
	free(text);

	/* A sparse file of 1 GiB: refused from its size, without reading. */
	path = write_tmp(BASE);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)1 << 30), 0);
	close(fd);
	alarm(10);
	cfg = cfg_load(path, &errs);
	alarm(0);
	unlink(path);
	free(path);
	assert_null(cfg);
	assert_non_null(strstr(errs.msg[0], "1073741824 bytes"));
	assert_non_null(strstr(errs.msg[0], want));
}

/* No byte below 0x20 and no DEL in a message. */
static void
assert_printable(const char *m)
{
	const unsigned char *p;

	for (p = (const unsigned char *)m; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			fail_msg("message has a raw control byte 0x%02x at %zu: "
				"%s", *p, (size_t)(p - (const unsigned char *)m),
				m);
}

/*
 * Keys, values and section names are echoed with their control bytes made
 * visible: a CR no longer hides the start of the line, an ESC sequence no
 * longer drives the terminal.  UTF-8 stays as it is.
 */
static void
test_escape_control_bytes(void **state)
{
	static const struct {
		const char *ini;
		const char *want;
	} cases[] = {
		{ BASE "[dpmirror]\nbur\rst = 5\n",
		  "[dpmirror] bur\\rst = 5: unknown key" },
		{ BASE "[dpmirror]\nmode = \x1b[31mtap\x1b[0m\n",
		  "[dpmirror] mode = \\x1b[31mtap\\x1b[0m: unknown mode" },
		{ BASE "[dpmirror]\nmode = in\tline\n",
		  "[dpmirror] mode = in\\tline: unknown mode" },
		{ BASE "[dpmirror]\nmode = tap\x7f\x01\n",
		  "[dpmirror] mode = tap\\x7f\\x01: unknown mode" },
		{ BASE "[port p\x02q]\ndevice = net_null9\n",
		  "[port p\\x02q]: bad name p\\x02q" },
		{ BASE "\x1b[2J\x07owned\n",
		  "\\x1b[2J\\x07owned: not a [section] header" },
		{ BASE "[dpmirror]\nmode = m\xc3\xbc" "de\n",
		  "[dpmirror] mode = m\xc3\xbc" "de: unknown mode" },
	};
	struct cfg_errors errs;
	unsigned int i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&errs, 0, sizeof(errs));
		if (load_text(cases[i].ini, &errs) != NULL)
			fail_msg("case %u accepted", i);
		for (j = 0; j < errs.n && j < CFG_ERR_MAX; j++)
			assert_printable(errs.msg[j]);
		if (strstr(errs.msg[0], cases[i].want) == NULL)
			fail_msg("case %u: '%s' lacks '%s'", i, errs.msg[0],
				cases[i].want);
	}
}

/*
 * Every number of the file takes decimal digits and nothing else, in the
 * range its message gives.  One row per place a number is written; "@" in
 * the INI text is replaced by each bad number in turn, and the first
 * message must contain "where" (with "@" replaced too) and "hint".
 */
struct num_place {
	const char *ini;
	const char *where;
	const char *hint;
	bool token; /* a word inside a rule: spaces split it, '' is missing */
};

static const struct num_place num_places[] = {
	{ BASE "[dpmirror]\nburst = @\n", "[dpmirror] burst = @: ",
	  "valid: 1..512", false },
	{ BASE "[dpmirror]\nmirror_pool = @\n", "[dpmirror] mirror_pool = @: ",
	  "valid: 1024..1048576", false },
	{ BASE "[dpmirror]\nstats_interval = @\n",
	  "[dpmirror] stats_interval = @: ", "valid: 0..3600", false },
	{ BASE "[dpmirror]\ncopy_max = @\n", "[dpmirror] copy_max = @: ",
	  "valid: 0..2048", false },
	{ "[port p0]\ndevice = net_null0\nrx_queues = @\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0] rx_queues = @: ", "valid: 1..64", false },
	{ "[port p0]\ndevice = net_null0\nmtu = @\n"
	  "[port out]\ndevice = net_null2\n" COLL SESS,
	  "[port p0] mtu = @: ", "valid: 68..9702, or 0", false },
	{ PORTS COLL "vni = @\n" SESS, "[collector c1] vni = @: ",
	  "valid: 0..16777215", false },
	{ PORTS COLL "dst_port = @\n" SESS, "[collector c1] dst_port = @: ",
	  "valid: 1..65535", false },
	{ PORTS COLL "ttl = @\n" SESS, "[collector c1] ttl = @: ",
	  "valid: 1..255", false },
	{ PORTS COLL "dscp = @\n" SESS, "[collector c1] dscp = @: ",
	  "valid: 0..63", false },
	{ BASE "snaplen = @\n", "[session s1] snaplen = @: ",
	  "valid: 0 (whole frame) or 14..65535", false },
	{ BASE "sample = @\n", "[session s1] sample = @: ",
	  "valid: 1..2147483647", false },
	{ BASE "rate = @\n", "[session s1] rate = @: ",
	  "decimal with an optional K, M or G suffix", false },
	{ BASE "rate = @M\n", "[session s1] rate = @M: ",
	  "decimal with an optional K, M or G suffix", false },
	{ BASE_F "[filter f]\nrule @ = accept\n", "[filter f] rule",
	  "= accept: bad rule key; write rule N, one space, N = 1..999999", false },
	{ BASE_F "[filter f]\nrule 1 = accept proto @\n",
	  "[filter f] rule 1 = accept proto @: ", "0..255", true },
	{ BASE_F "[filter f]\nrule 1 = accept src 198.18.0.0/@\n",
	  "[filter f] rule 1 = accept src 198.18.0.0/@: ",
	  "valid: /0../32", true },
	{ BASE_F "[filter f]\nrule 1 = accept dst fd00::/@\n",
	  "[filter f] rule 1 = accept dst fd00::/@: ", "valid: /0../128",
	  true },
	{ BASE_F "[filter f]\nrule 1 = accept sport @\n",
	  "[filter f] rule 1 = accept sport @: ",
	  "N or N-M with 0 <= N <= M <= 65535", true },
	{ BASE_F "[filter f]\nrule 1 = accept dport 1-@\n",
	  "[filter f] rule 1 = accept dport 1-@: ",
	  "N or N-M with 0 <= N <= M <= 65535", true },
	{ BASE_F "[filter f]\nrule 1 = accept dport @-80\n",
	  "[filter f] rule 1 = accept dport @-80: ",
	  "N or N-M with 0 <= N <= M <= 65535", true },
	{ BASE_F "[filter f]\nrule 1 = accept vlan @\n",
	  "[filter f] rule 1 = accept vlan @: ", "valid: 0..4095", true },
	{ BASE KERN "dst_port = @\n", "[kernel k1] dst_port = @: ",
	  "not a number in 1..65535", false },
	{ BASE "[kernel k1]\ndev = eth0\nremote = 198.18.1.3\n"
	  "local = 198.18.1.2\nvni = @\n",
	  "[kernel k1] vni = @: ", "not a number in 0..16777215", false },
	{ BASE KERN "match = proto @\n", "[kernel k1] match = proto @: ",
	  "0..255", true },
	{ BASE KERN "match = proto tcp dport @\n",
	  "[kernel k1] match = proto tcp dport @: ", "not a port", true },
	{ BASE KERN "match = dst 198.18.0.0/@\n",
	  "[kernel k1] match = dst 198.18.0.0/@: ", "valid: /0../32", true },
};

static const char *const bad_numbers[] = {
	"", "5 6", "+5", "-0", "-5", "0x10", "1e3", "5abc", "1.5", "٣",
	"99999999999999999999",      /* > UINT64_MAX */
	"184467440737095516160",     /* UINT64_MAX * 10 */
	"18446744073709551616",	     /* UINT64_MAX + 1 */
};

/* S with every '@' replaced by V. */
static char *
subst(const char *s, const char *v)
{
	size_t cap = strlen(s) * (strlen(v) + 1) + 1, n = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	for (; *s != '\0'; s++) {
		if (*s == '@') {
			memcpy(out + n, v, strlen(v));
			n += strlen(v);
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
	return out;
}

static void
test_bad_numbers(void **state)
{
	struct cfg_errors *errs = malloc(sizeof(*errs));
	unsigned int i, j, n = 0;

	(void)state;
	assert_non_null(errs);
	for (i = 0; i < sizeof(num_places) / sizeof(num_places[0]); i++) {
		const struct num_place *np = &num_places[i];

		for (j = 0; j < sizeof(bad_numbers) / sizeof(bad_numbers[0]);
		     j++) {
			const char *v = bad_numbers[j];
			char *ini, *where;
			const char *hint = np->hint;

			if (np->token && strchr(v, ' ') != NULL)
				continue; /* two words, not one number */
			ini = subst(np->ini, v);
			where = subst(np->where, v);
			if (np->token && v[0] == '\0' &&
			    strchr(np->ini, '@')[-1] == ' ' &&
			    strchr(np->ini, '@')[1] == '\n') {
				/* "proto" at the end of the rule: no value. */
				hint = "needs a value";
				where[strlen(where) - 3] = '\0';
			}
			memset(errs, 0, sizeof(*errs));
			if (load_text(ini, errs) != NULL)
				fail_msg("'%s' accepted as a number in: %s", v,
					ini);
			if (strstr(errs->msg[0], where) == NULL ||
			    strstr(errs->msg[0], hint) == NULL)
				fail_msg("'%s': '%s' lacks '%s' or '%s'", v,
					errs->msg[0], where, hint);
			free(ini);
			free(where);
			n++;
		}
	}
	assert_true(n > 300);
	free(errs);
}

/* Rate suffixes: the number before them is as strict as any other. */
static void
test_bad_rates(void **state)
{
	static const char *const bad[] = {
		"M", "k", "1.5M", "5 M", "+5M", "-0K", "0x10M", "5MM", "5KB",
		"5T", "1e3K", "M5", "99999999999999999999K",
	};
	struct cfg_errors errs;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char ini[512], want[64];

		snprintf(ini, sizeof(ini), BASE "rate = %s\n", bad[i]);
		snprintf(want, sizeof(want), "[session s1] rate = %s: ",
			bad[i]);
		if (load_text(ini, &errs) != NULL)
			fail_msg("rate = %s accepted", bad[i]);
		if (strstr(errs.msg[0], want) == NULL ||
		    strstr(errs.msg[0], "K, M or G suffix") == NULL)
			fail_msg("rate = %s: '%s'", bad[i], errs.msg[0]);
	}
}

static void
test_bad(void **state)
{
	const struct bad_case *bc = *state;
	static struct cfg_errors errs;
	char kv[CFG_ERR_LEN];
	const char *m;

	memset(&errs, 0, sizeof(errs));
	if (load_text(bc->ini, &errs) != NULL)
		fail_msg("%s: accepted", bc->name);
	assert_true(errs.n >= 1);
	m = errs.msg[0];
	if (bc->section[0] != '\0' && strstr(m, bc->section) == NULL)
		fail_msg("%s: '%s' does not name section %s", bc->name, m,
			bc->section);
	if (bc->key != NULL && bc->value != NULL)
		snprintf(kv, sizeof(kv), "%s %s = %s:", bc->section, bc->key,
			bc->value);
	else if (bc->key != NULL)
		snprintf(kv, sizeof(kv), "%s %s:", bc->section, bc->key);
	else if (bc->value != NULL)
		snprintf(kv, sizeof(kv), "%s", bc->value);
	else
		kv[0] = '\0';
	if (strstr(m, kv) == NULL)
		fail_msg("%s: '%s' lacks '%s'", bc->name, m, kv);
	if (strstr(m, bc->hint) == NULL)
		fail_msg("%s: '%s' lacks '%s'", bc->name, m, bc->hint);
}

#define N_BAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

int
main(void)
{
	static const struct CMUnitTest good[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_loops_that_are_not),
		cmocka_unit_test(test_tap_mode),
		cmocka_unit_test(test_playground_kernel),
		cmocka_unit_test(test_tx_one_way_peer),
		cmocka_unit_test(test_mac_auto),
		cmocka_unit_test(test_encaps),
		cmocka_unit_test(test_udp6_checksum),
		cmocka_unit_test(test_foreign_keys),
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_expression_text),
		cmocka_unit_test(test_expression_errors),
		cmocka_unit_test(test_expression_exclusive),
		cmocka_unit_test(test_limits_accepted),
		cmocka_unit_test(test_parse_rate),
		cmocka_unit_test(test_pcap_demo),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_all_errors_in_file_order),
		cmocka_unit_test(test_error_overflow),
		cmocka_unit_test(test_cannot_read),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_too_many_rules),
		cmocka_unit_test(test_too_many_ports),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test_setup_teardown(test_not_a_regular_file,
			special_setup, special_teardown),
		cmocka_unit_test(test_file_size_limit),
		cmocka_unit_test(test_escape_control_bytes),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_rates),
	};
	struct CMUnitTest bad[N_BAD];
	unsigned int i;
	int failed;

	for (i = 0; i < N_BAD; i++) {
		memset(&bad[i], 0, sizeof(bad[i]));
		bad[i].name = bad_cases[i].name;
		bad[i].test_func = test_bad;
		bad[i].initial_state = (void *)(uintptr_t)&bad_cases[i];
	}
	failed = cmocka_run_group_tests_name("cfg", good, NULL, NULL);
	failed += cmocka_run_group_tests_name("cfg_bad_input", bad, NULL, NULL);
	return failed == 0 ? 0 : 1;
}
