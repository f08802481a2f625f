/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Configuration loader and validator (DESIGN section 4).
 *
 * The file is parsed by rte_cfgfile.  That library silently ignores some
 * lines (text without '=', text after a section's ']') and refuses whole
 * files for others (a line too long, a key before any section) without
 * saying why, so a first pass over the raw lines reproduces its line
 * classification only to explain those cases.  Everything else is checked
 * on the sections and entries rte_cfgfile returns.
 *
 * Each section kind is described by a table (cfg_kinds[], after the checks):
 * where its objects live in struct cfg, and one row per key that says how the
 * value is checked, where it is stored and its default.  One generic
 * dispatcher checks every section against its table and builds the "valid
 * keys" list of its messages from the same table.  A kind may name a
 * variant key (a collector's encap): its value, wherever it stands in the
 * section, decides which of the other keys the section may have, and a key
 * of another variant is refused, naming those that belong.
 *
 * Checking runs in two passes over the sections.  The first classifies
 * every section header and registers the names of valid ones, so that
 * references may point forward in the file.  The second checks the entries
 * kind by kind in table order (dpmirror, ports, collectors, sessions,
 * filters), so a check that depends on another section (a tx source needs
 * a port whose peer it is; a peer needs inline mode) sees its final value.
 * Each message carries its position in the file and the messages are
 * sorted by it at the end, so they come out in file order.
 *
 * The file is read once, into memory (cfg_read_file): the line pass reads
 * those bytes, and rte_cfgfile, which only loads files by name, is given
 * the same bytes in an anonymous memory file.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, memfd_create */
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "cfg_internal.h"

/*
 * First pass: section headers.
 */

static void
cfg_classify(struct cfg_ctx *c, int i)
{
	struct cfg_section *s = &c->secs[i];
	char kind_word[CFG_NAME_LEN];
	char valid[CFG_ERR_LEN] = "";
	char title[CFG_NAME_LEN];
	const char *name = NULL;
	size_t klen;
	int kind, j, obj;

	s->kind = -1;
	s->obj = -1;
	klen = strcspn(s->name, " \t");
	memcpy(kind_word, s->name, klen);
	kind_word[klen] = '\0';
	if (s->name[klen] != '\0')
		name = s->name + klen + 1;

	for (kind = 0; kind < CFG_KIND_COUNT; kind++)
		if (strcmp(kind_word, cfg_kinds[kind].name) == 0)
			break;
	if (kind == CFG_KIND_COUNT) {
		for (kind = 0; kind < CFG_KIND_COUNT; kind++) {
			cfg_kind_title(kind, title, sizeof(title));
			cfg_append(valid, sizeof(valid), title);
		}
		if (s->name[0] == '\0')
			cfg_msg(c, i, -1,
				"[]: empty section name; valid sections: %s",
				valid);
		else
			cfg_msg(c, i, -1,
				"[%s]: unknown section kind %s; valid "
				"sections: %s",
				s->name, kind_word, valid);
		return;
	}
	s->kind = kind;

	if (!cfg_kinds[kind].named) {
		for (j = 0; j < i; j++)
			if (c->secs[j].kind == kind && c->secs[j].obj >= 0)
				break;
		if (name != NULL)
			cfg_msg(c, i, -1,
				"[%s]: the %s section takes no name; write "
				"[%s]",
				s->name, kind_word, kind_word);
		else if (j < i)
			cfg_msg(c, i, -1,
				"[%s]: duplicate section; [%s] may appear "
				"only once",
				s->name, kind_word);
		else
			s->obj = 0;
		return;
	}

	if (name == NULL) {
		cfg_msg(c, i, -1,
			"[%s]: missing name; write [%s NAME], NAME "
			"= " CFG_NAME_CHARS,
			s->name, kind_word);
		return;
	}
	if (!cfg_valid_name(name)) {
		cfg_msg(c, i, -1,
			"[%s]: bad name %s; a name is " CFG_NAME_CHARS, s->name,
			name);
		return;
	}
	if (cfg_find(c->cfg, kind, name) >= 0) {
		cfg_msg(c, i, -1,
			"[%s]: duplicate section; [%s] is already defined "
			"above",
			s->name, s->name);
		return;
	}
	obj = cfg_register(c->cfg, kind, name);
	if (obj < 0) {
		cfg_msg(c, i, -1, "[%s]: too many %s sections; at most %u",
			s->name, kind_word, cfg_kinds[kind].max);
		return;
	}
	s->obj = obj;
}

/*
 * Second pass: keys that need more than a number, a word or a name.
 */

/* [dpmirror] mode; later checks rely on cfg->mode only when it is valid. */
static void
cfg_check_mode(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	if (!cfg_word(c, k, key, obj))
		c->mode_known = false;
}

static void
cfg_check_device(struct cfg_ctx *c, int k,
		 const struct cfg_key *key __rte_unused, void *obj)
{
	struct cfg_port *p = obj;
	const char *val = cfg_val(c, k);

	if (*val == '\0')
		cfg_bad(c, k,
			"empty device; give an EAL device such as "
			"0000:3b:00.0 or net_tap0,iface=dpm0");
	else if (strlen(val) >= CFG_DEVICE_MAX)
		cfg_bad(c, k, "device too long; at most %d characters",
			CFG_DEVICE_MAX - 1);
	else
		snprintf(p->device, sizeof(p->device), "%s", val);
}

static void
cfg_check_peer(struct cfg_ctx *c, int k, const struct cfg_key *key __rte_unused,
	       void *obj)
{
	struct cfg_port *p = obj;
	int peer = cfg_ref(c, k, CFG_KIND_PORT, cfg_val(c, k), false, "");

	if (peer < 0)
		return;
	if (peer == c->secs[c->cur].obj)
		cfg_bad(c, k,
			"a port cannot be its own peer; name another port");
	else if (c->mode_known && c->cfg->mode != CFG_MODE_INLINE)
		cfg_bad(c, k,
			"peer is only for mode = inline; in tap mode originals "
			"are not forwarded, remove peer or set mode = inline");
	else
		p->peer = peer;
}

/*
 * [port] lcores: lcore ids and ranges (2,3 or 2-5,8), each at most once.
 * Whether they are worker lcores of this EAL is known only at start
 * (ctl_workers_assign).
 */
static void
cfg_check_lcores(struct cfg_ctx *c, int k,
		 const struct cfg_key *key __rte_unused, void *obj)
{
	static const char hint[] =
		"give the worker lcores that poll this port's rx queues as a "
		"list of lcore ids, e.g. lcores = 2,3 or lcores = 2-5";
	struct cfg_port *p = obj;
	uint16_t ids[CFG_MAX_PORT_LCORES];
	const char *s = cfg_val(c, k);
	unsigned int n = 0, i;

	for (;;) {
		unsigned long lo, hi, v;
		char *end;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!isdigit((unsigned char)*s)) {
			cfg_bad(c, k, "%s where an lcore id was expected; %s",
				*s == '\0' ? "nothing" : "a non-number", hint);
			return;
		}
		errno = 0;
		lo = strtoul(s, &end, 10);
		hi = lo;
		s = end;
		if (*s == '-') {
			s++;
			if (!isdigit((unsigned char)*s)) {
				cfg_bad(c, k, "a range without its end; %s",
					hint);
				return;
			}
			hi = strtoul(s, &end, 10);
			s = end;
		}
		if (errno != 0 || lo >= RTE_MAX_LCORE || hi >= RTE_MAX_LCORE) {
			cfg_bad(c, k, "lcore ids are 0..%u; %s",
				RTE_MAX_LCORE - 1, hint);
			return;
		}
		if (hi < lo) {
			cfg_bad(c, k,
				"range %lu-%lu runs backwards; write it "
				"%lu-%lu",
				lo, hi, hi, lo);
			return;
		}
		for (v = lo; v <= hi; v++) {
			for (i = 0; i < n; i++)
				if (ids[i] == v) {
					cfg_bad(c, k,
						"lcore %lu is listed twice; "
						"name each lcore once",
						v);
					return;
				}
			if (n == CFG_MAX_PORT_LCORES) {
				cfg_bad(c, k,
					"more than %u lcores; there are at "
					"most %u workers",
					CFG_MAX_PORT_LCORES,
					CFG_MAX_PORT_LCORES);
				return;
			}
			ids[n++] = (uint16_t)v;
		}
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (*s != ',') {
			cfg_bad(c, k, "unexpected '%c'; %s", *s, hint);
			return;
		}
		s++;
	}
	memcpy(p->lcores, ids, n * sizeof(ids[0]));
	p->n_lcores = n;
}

/*
 * [collector] remote_ip and local_ip: unicast addresses of one family.  A bad
 * one keeps family 0; a mismatch is reported on the later of the two.
 */
static void
cfg_check_ip(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	struct cfg_collector *col = obj;
	bool remote = strcmp(key->name, "remote_ip") == 0;
	struct cfg_addr *a = remote ? &col->remote_ip : &col->local_ip;
	const struct cfg_addr *b = remote ? &col->local_ip : &col->remote_ip;
	const char *other = remote ? "local_ip" : "remote_ip";
	const char *why = NULL;

	if (cfg_parse_addr(cfg_val(c, k), a) < 0) {
		cfg_bad(c, k,
			"not an IP address; give an IPv4 (198.18.1.3) or IPv6 "
			"(fd00:1::3) address without /len");
		return;
	}
	why = cfg_addr_not_unicast(a);
	if (why != NULL) {
		cfg_bad(c, k, "%s address; give a unicast address", why);
		a->family = 0;
	} else if (b->family != 0 && b->family != a->family) {
		cfg_bad(c, k,
			"%s address, but %s = %s is %s; use two IPv4 or two "
			"IPv6 addresses",
			cfg_family_name(a->family), other,
			cfg_value_of(c, other), cfg_family_name(b->family));
	}
}

static void
cfg_check_mac(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	struct cfg_collector *col = obj;
	bool remote = strcmp(key->name, "remote_mac") == 0;
	uint8_t *mac = remote ? col->remote_mac : col->local_mac;
	const char *val = cfg_val(c, k);

	if (remote && strcmp(val, "auto") == 0)
		col->remote_mac_auto = true;
	else if (cfg_parse_mac(val, mac) < 0)
		cfg_bad(c, k,
			"not a MAC address; write xx:xx:xx:xx:xx:xx "
			"(hexadecimal)%s",
			remote ? ", or auto to resolve it by ARP/ND" : "");
	else if (cfg_mac_is_zero(mac))
		cfg_bad(c, k, "all-zero MAC address; give the %s",
			remote ? "next hop's MAC"
			       : "source MAC, or omit local_mac to use the "
				 "port's own");
	else if (!remote && (mac[0] & 1) != 0)
		cfg_bad(c, k,
			"group (multicast) MAC cannot be a source address; "
			"give a unicast MAC");
	else if (!remote)
		col->local_mac_set = true;
}

/* [collector] next_hop: a unicast address; the rest is checked when the
 * whole section is known (cfg_collector_done). */
static void
cfg_check_next_hop(struct cfg_ctx *c, int k,
		   const struct cfg_key *key __rte_unused, void *obj)
{
	struct cfg_collector *col = obj;
	const char *why;

	if (cfg_parse_addr(cfg_val(c, k), &col->next_hop) < 0) {
		cfg_bad(c, k,
			"not an IP address; give the IPv4 or IPv6 address of "
			"the next hop towards remote_ip, without /len");
		col->next_hop.family = 0;
		return;
	}
	why = cfg_addr_not_unicast(&col->next_hop);
	if (why != NULL) {
		cfg_bad(c, k, "%s address; give the next hop's unicast address",
			why);
		col->next_hop.family = 0;
	}
}

/* [collector] key (gre): any 32-bit number; key_set says it was given. */
static void
cfg_check_gre_key(struct cfg_ctx *c, int k, const struct cfg_key *key,
		  void *obj)
{
	struct cfg_collector *col = obj;

	if (cfg_number(c, k, key, obj))
		col->key_set = true;
}

/*
 * [collector] vlan (none): the VID of the 802.1Q tag added to the copies.
 * 0 and 4095 are numbers a tag can carry but not VLANs.
 */
static void
cfg_check_vlan(struct cfg_ctx *c, int k, const struct cfg_key *key, void *obj)
{
	uint64_t v = 1;

	if (cfg_parse_u64(cfg_val(c, k), &v) < 0 || (v != 0 && v != 4095))
		cfg_number(c, k, key, obj);
	else if (v == 0)
		cfg_bad(c, k,
			"VID 0 is not a VLAN (it marks a priority-only tag); "
			"valid: %s",
			key->valid);
	else
		cfg_bad(c, k, "VID 4095 is reserved (IEEE 802.1Q); valid: %s",
			key->valid);
}

/*
 * After a collector's keys: dst_port's default is the encap's (UDP encaps
 * only); udp6_checksum only over IPv6; next_hop only with remote_mac =
 * auto, of remote_ip's family; remote_ip when not given.  Keys of another
 * encap were refused unchecked (cfg_check_section) and left their fields
 * as they were.
 */
static void
cfg_collector_done(struct cfg_ctx *c, void *obj)
{
	struct cfg_collector *col = obj;
	int k_nh = cfg_entry(c, "next_hop");
	int k_mac = cfg_entry(c, "remote_mac");
	char buf[64];
	int k;

	if (cfg_entry(c, "dst_port") < 0)
		col->dst_port = col->encap == CFG_ENCAP_VXLAN	 ? 4789
				: col->encap == CFG_ENCAP_GENEVE ? 6081
								 : 0;
	if (col->encap == CFG_ENCAP_NONE)
		return; /* no address keys: reported where they are */
	k = cfg_entry(c, "udp6_checksum");
	if (k >= 0 && col->remote_ip.family == 4 &&
	    (col->encap == CFG_ENCAP_VXLAN || col->encap == CFG_ENCAP_GENEVE))
		cfg_bad(c, k,
			"udp6_checksum is for IPv6 collectors, and remote_ip "
			"= %s is IPv4 (encap = %s: the outer UDP checksum of "
			"IPv4 copies is always 0); remove udp6_checksum, or "
			"give IPv6 remote_ip and local_ip",
			cfg_value_of(c, "remote_ip"),
			cfg_encap_name(col->encap));
	if (!col->remote_mac_auto) {
		if (k_nh >= 0 && k_mac >= 0)
			cfg_bad(c, k_nh,
				"next_hop is only for remote_mac = auto "
				"(remote_mac = %s is given); remove next_hop, "
				"or set remote_mac = auto to resolve the next "
				"hop by ARP/ND",
				cfg_val(c, k_mac));
		memset(&col->next_hop, 0, sizeof(col->next_hop));
		return;
	}
	if (k_nh < 0) {
		col->next_hop = col->remote_ip; /* family 0 if it was bad */
		return;
	}
	if (col->next_hop.family != 0 && col->remote_ip.family != 0 &&
	    col->next_hop.family != col->remote_ip.family) {
		cfg_addr_str(&col->remote_ip, buf, sizeof(buf));
		cfg_bad(c, k_nh,
			"%s address, but remote_ip = %s is %s; the next hop "
			"must be of remote_ip's family",
			cfg_family_name(col->next_hop.family), buf,
			cfg_family_name(col->remote_ip.family));
		col->next_hop.family = 0;
	}
}

/*
 * Whether the workers receive on port P (the ports ctrl/ctl_port.c marks
 * polled: a port with a peer, in inline mode, and a port some session
 * mirrors :rx or :both); if they do, WHY says how, e.g. "its peer is p0:
 * they forward what it receives".
 */
static bool
cfg_port_polled(const struct cfg *cfg, int p, char *why, size_t len)
{
	const struct cfg_port *port = &cfg->ports[p];
	unsigned int s, j;

	if (port->peer >= 0) {
		snprintf(why, len,
			 "its peer is %s: they forward what it receives",
			 cfg->ports[port->peer].name);
		return true;
	}
	for (s = 0; s < cfg->n_sessions; s++) {
		const struct cfg_session *sess = &cfg->sessions[s];

		for (j = 0; j < sess->n_sources; j++) {
			const struct cfg_source *src = &sess->sources[j];

			if (src->port != p || (src->dir & CFG_DIR_RX) == 0)
				continue;
			snprintf(why, len, "session %s mirrors %s:%s",
				 sess->name, port->name,
				 src->dir & CFG_DIR_TX ? "both" : "rx");
			return true;
		}
	}
	return false;
}

/*
 * When every section has been checked: the egress port of some collectors
 * must be one no worker receives on.  With remote_mac = auto the control
 * thread owns that port's only rx queue, so that the ARP replies and
 * Neighbour Advertisements arriving there reach it.  With encap = none the
 * copies are plain frames, indistinguishable from the traffic the workers
 * forward or mirror there.
 */
static void
cfg_collectors_final(struct cfg_ctx *c)
{
	const struct cfg *cfg = c->cfg;
	int i, saved = c->cur;

	for (i = 0; i < c->n_secs; i++) {
		const struct cfg_collector *col;
		const char *port, *tail;
		char why[2 * CFG_NAME_MAX + 64];
		int k;

		if (c->secs[i].kind != CFG_KIND_COLLECTOR || c->secs[i].obj < 0)
			continue;
		col = &cfg->collectors[c->secs[i].obj];
		if (col->port < 0)
			continue;
		c->cur = i;
		if (col->remote_mac_auto) {
			k = cfg_entry(c, "remote_mac");
			tail = "ARP/ND replies would reach the workers, not "
			       "the control thread; give the next hop's MAC "
			       "or use a port of its own";
		} else if (col->encap == CFG_ENCAP_NONE) {
			k = cfg_entry(c, "port");
			tail = "encap = none sends the copies as plain frames, "
			       "indistinguishable from the traffic there; "
			       "give the collector a port of its own, one no "
			       "worker receives on";
		} else {
			continue;
		}
		port = cfg->ports[col->port].name;
		if (k >= 0 && cfg_port_polled(cfg, col->port, why, sizeof(why)))
			cfg_bad(c, k,
				"port %s is also received on by the workers "
				"(%s); %s",
				port, why, tail);
	}
	c->cur = saved;
}

/*
 * Sessions.
 */

static void
cfg_check_sources(struct cfg_ctx *c, int k,
		  const struct cfg_key *key __rte_unused, void *obj)
{
	struct cfg_session *sess = obj;
	struct cfg *cfg = c->cfg;
	char buf[CFG_VALUE_LEN];
	char *save = NULL;
	char *tok;
	bool any = false;

	snprintf(buf, sizeof(buf), "%s", cfg_val(c, k));
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,\t", &save)) {
		char *colon = strchr(tok, ':');
		const char *dir_txt;
		uint8_t dir;
		unsigned int i;
		int port;
		bool dup = false;

		any = true;
		if (colon == NULL) {
			cfg_bad(c, k,
				"%s has no direction; write %s:rx, %s:tx or "
				"%s:both",
				tok, tok, tok, tok);
			continue;
		}
		*colon = '\0';
		dir_txt = colon + 1;
		port = cfg_ref(c, k, CFG_KIND_PORT, tok, true, "");
		if (port < 0)
			continue;
		if (strcmp(dir_txt, "rx") == 0) {
			dir = CFG_DIR_RX;
		} else if (strcmp(dir_txt, "tx") == 0) {
			dir = CFG_DIR_TX;
		} else if (strcmp(dir_txt, "both") == 0) {
			dir = CFG_DIR_RX | CFG_DIR_TX;
		} else {
			cfg_bad(c, k,
				"%s:%s: unknown direction %s; valid: rx, tx, "
				"both",
				tok, dir_txt, dir_txt);
			continue;
		}
		for (i = 0; i < sess->n_sources; i++)
			if (sess->sources[i].port == port)
				dup = true;
		if (dup) {
			cfg_bad(c, k,
				"port %s is listed twice; list each port once "
				"(%s:both for rx and tx)",
				tok, tok);
			continue;
		}
		if ((dir & CFG_DIR_TX) != 0 && c->mode_known) {
			bool fed = false;

			for (i = 0; i < cfg->n_ports; i++)
				if (cfg->ports[i].peer == port)
					fed = true;
			if (cfg->mode != CFG_MODE_INLINE) {
				cfg_bad(c, k,
					"%s:%s needs mode = inline (tap mode "
					"transmits no originals); use %s:rx",
					tok, dir_txt, tok);
				continue;
			}
			if (!fed) {
				cfg_bad(c, k,
					"%s:%s: no port forwards to %s (no "
					"[port] has peer = %s), so nothing is "
					"transmitted there to mirror; use "
					"%s:rx or set a peer",
					tok, dir_txt, tok, tok, tok);
				continue;
			}
		}
		if (sess->n_sources == CFG_MAX_SOURCES) {
			cfg_bad(c, k, "too many sources; at most %d",
				CFG_MAX_SOURCES);
			break;
		}
		sess->sources[sess->n_sources].port = port;
		sess->sources[sess->n_sources].dir = dir;
		sess->n_sources++;
	}
	if (!any)
		cfg_bad(c, k,
			"no sources; list port:direction pairs such as p0:rx "
			"p1:both");
}

static void
cfg_check_collectors(struct cfg_ctx *c, int k,
		     const struct cfg_key *key __rte_unused, void *obj)
{
	struct cfg_session *sess = obj;
	char buf[CFG_VALUE_LEN];
	char *save = NULL;
	char *tok;
	unsigned int n_tok = 0;

	snprintf(buf, sizeof(buf), "%s", cfg_val(c, k));
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,\t", &save))
		n_tok++;
	snprintf(buf, sizeof(buf), "%s", cfg_val(c, k));
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,\t", &save)) {
		unsigned int i;
		bool dup = false;
		int col;

		/* A lone name need not be repeated in the message. */
		col = cfg_ref(c, k, CFG_KIND_COLLECTOR, tok, n_tok > 1, "");
		if (col < 0)
			continue;
		for (i = 0; i < sess->n_collectors; i++)
			if (sess->collectors[i] == col)
				dup = true;
		if (dup) {
			cfg_bad(c, k,
				"collector %s is listed twice; list each "
				"collector once",
				tok);
			continue;
		}
		if (sess->n_collectors == CFG_MAX_SESSION_COLLECTORS) {
			cfg_bad(c, k,
				"too many collectors; a session load-balances "
				"over at most %d",
				CFG_MAX_SESSION_COLLECTORS);
			break;
		}
		sess->collectors[sess->n_collectors++] = col;
	}
	if (n_tok == 0)
		cfg_bad(c, k,
			"no collector; name 1..%d collectors, e.g. collector = "
			"c1",
			CFG_MAX_SESSION_COLLECTORS);
}

/*
 * After a session's keys: it must not mirror what comes in on a port one
 * of its own collectors sends on (C), or the copies that come back there (a
 * packet socket, a switch mirroring that port) would be mirrored again:
 * neither C:rx, nor X:tx where C's peer is X (X's tx is what C receives).
 * Reported on the sources entry, once per such source and collector.
 */
static void
cfg_session_done(struct cfg_ctx *c, void *obj)
{
	const struct cfg_section *s = &c->secs[c->cur];
	const struct cfg_session *sess = obj;
	unsigned int i, j;
	int k;

	for (k = 0; k < s->n_ents; k++)
		if (strcmp(s->ents[k].name, "sources") == 0)
			break;
	if (k == s->n_ents)
		return; /* reported as missing */
	for (j = 0; j < sess->n_collectors; j++) {
		const struct cfg_collector *col =
			&c->cfg->collectors[sess->collectors[j]];
		const char *cport;
		int cpeer;

		if (col->port < 0)
			continue; /* its port is reported where it is named */
		cport = c->cfg->ports[col->port].name;
		cpeer = c->cfg->ports[col->port].peer;

		for (i = 0; i < sess->n_sources; i++) {
			const struct cfg_source *src = &sess->sources[i];
			const char *sport = c->cfg->ports[src->port].name;

			if ((src->dir & CFG_DIR_RX) && src->port == col->port)
				cfg_bad(c, k,
					"port %s is where collector %s sends "
					"its copies ([collector %s] port = "
					"%s); "
					"a session must not mirror its own "
					"collector's port, or the copies are "
					"mirrored again; remove %s from "
					"sources "
					"or give %s another port",
					cport, col->name, col->name, cport,
					cport, col->name);
			else if ((src->dir & CFG_DIR_TX) && cpeer >= 0 &&
				 src->port == cpeer)
				cfg_bad(c, k,
					"%s:tx is what port %s receives (its "
					"peer is %s), and %s is where "
					"collector "
					"%s sends its copies ([collector %s] "
					"port = %s); a session must not mirror "
					"what its own collector's port "
					"receives, "
					"or the copies are mirrored again; "
					"mirror %s:rx only, or give %s another "
					"port",
					sport, cport, sport, cport, col->name,
					col->name, cport, sport, col->name);
		}
	}
}

static void
cfg_check_rate(struct cfg_ctx *c, int k, const struct cfg_key *key __rte_unused,
	       void *obj)
{
	struct cfg_session *sess = obj;
	uint64_t v = 0;
	int ret;

	ret = cfg_parse_rate(cfg_val(c, k), &v);
	if (ret < 0)
		cfg_bad(c, k,
			"%s; valid: 0 (no cap) or bits/s up to 400G, decimal "
			"with an optional K, M or G suffix (x1000, either "
			"case)",
			ret == -ERANGE ? "above the maximum 400G"
				       : "not a rate");
	else
		sess->rate_bps = v;
}

/*
 * The section kinds: their keys, with defaults, and their objects.
 */

static const struct cfg_word cfg_mode_words[] = {
	{"inline", CFG_MODE_INLINE},
	{"tap", CFG_MODE_TAP},
	{NULL, 0},
};

static const struct cfg_word cfg_encap_words[] = {
	{"vxlan", CFG_ENCAP_VXLAN},
	{"geneve", CFG_ENCAP_GENEVE},
	{"gre", CFG_ENCAP_GRE},
	{"erspan2", CFG_ENCAP_ERSPAN2},
	{"erspan3", CFG_ENCAP_ERSPAN3},
	{"none", CFG_ENCAP_NONE},
	{NULL, 0},
};

static const struct cfg_word cfg_yes_no_words[] = {
	{"yes", 1},
	{"no", 0},
	{NULL, 0},
};

static const struct cfg_word cfg_udp6_csum_words[] = {
	{"compute", CFG_UDP6_COMPUTE},
	{"offload", CFG_UDP6_OFFLOAD},
	{"zero", CFG_UDP6_ZERO},
	{NULL, 0},
};

static const struct cfg_word cfg_multiseg_words[] = {
	{"auto", CFG_MULTISEG_AUTO},
	{"yes", CFG_MULTISEG_YES},
	{"no", CFG_MULTISEG_NO},
	{NULL, 0},
};

static const struct cfg_word cfg_action_words[] = {
	{"accept", CFG_ACCEPT},
	{"reject", CFG_REJECT},
	{NULL, 0},
};

static const struct cfg_key cfg_dpmirror_keys[] = {
	{"mode", cfg_check_mode, CFG_FIELD(struct cfg, mode),
	 .dflt = CFG_MODE_INLINE, .words = cfg_mode_words,
	 .unknown = "unknown mode"},
	{"burst", CFG_NUMBER(struct cfg, burst, 1, CFG_MAX_BURST), .dflt = 32},
	{"mirror_pool", CFG_NUMBER(struct cfg, mirror_pool, 1024, 1048576),
	 .dflt = 16384},
	{"stats_interval", CFG_NUMBER(struct cfg, stats_interval, 0, 3600),
	 .dflt = 1},
	{"copy_max", CFG_NUMBER(struct cfg, copy_max, 0, 2048), .dflt = 256},
	{.name = NULL},
};

static const struct cfg_key cfg_port_keys[] = {
	{"device", cfg_check_device,
	 .missing = "give the EAL device, e.g. device = net_tap0,iface=dpm0"},
	{"peer", cfg_check_peer, CFG_FIELD(struct cfg_port, peer), .dflt = -1},
	{"rx_queues",
	 CFG_NUMBER(struct cfg_port, rx_queues, 1, CFG_MAX_RX_QUEUES),
	 .dflt = 1},
	{"tx_multiseg", cfg_check_word, CFG_FIELD(struct cfg_port, tx_multiseg),
	 .words = cfg_multiseg_words, .unknown = "not auto, yes or no"},
	{"mtu", CFG_NUMBER(struct cfg_port, mtu, 68, 9702), .zero = true,
	 .valid = "68..9702, or 0 to keep the device's MTU"},
	{"lcores", .check = cfg_check_lcores},
	{.name = NULL},
};

/* The encaps a [collector] key belongs to (cfg_key.in). */
#define CFG_IN(e)     (1u << CFG_ENCAP_##e)
#define CFG_IN_UDP    (CFG_IN(VXLAN) | CFG_IN(GENEVE))
#define CFG_IN_ERSPAN (CFG_IN(ERSPAN2) | CFG_IN(ERSPAN3))
#define CFG_IN_TUNNEL (CFG_IN_UDP | CFG_IN(GRE) | CFG_IN_ERSPAN)

/* In this order: the "its keys are" lists of the messages. */
static const struct cfg_key cfg_collector_keys[] = {
	{"port", cfg_check_ref, CFG_FIELD(struct cfg_collector, port),
	 .dflt = -1, .ref = CFG_KIND_PORT,
	 .missing = "name the egress port of the copies, e.g. port = out"},
	{"encap", cfg_check_word, CFG_FIELD(struct cfg_collector, encap),
	 .dflt = CFG_ENCAP_VXLAN, .words = cfg_encap_words,
	 .unknown = "unknown encapsulation"},
	{"remote_ip", cfg_check_ip,
	 .missing = "give the collector's IPv4 or IPv6 address",
	 .in = CFG_IN_TUNNEL},
	{"local_ip", cfg_check_ip,
	 .missing = "give the source address of the tunnel, same family as "
		    "remote_ip",
	 .in = CFG_IN_TUNNEL},
	{"remote_mac", cfg_check_mac,
	 .missing = "give the next hop's MAC as xx:xx:xx:xx:xx:xx",
	 .in = CFG_IN_TUNNEL},
	{"local_mac", .check = cfg_check_mac, .in = CFG_IN_TUNNEL},
	{"next_hop", .check = cfg_check_next_hop, .in = CFG_IN_TUNNEL},
	{"vni", CFG_NUMBER(struct cfg_collector, vni, 0, 16777215),
	 .in = CFG_IN_UDP},
	/* The default is the encap's (cfg_collector_done). */
	{"dst_port", CFG_NUMBER(struct cfg_collector, dst_port, 1, 65535),
	 .in = CFG_IN_UDP},
	/* IPv6 only: cfg_collector_done. */
	{"udp6_checksum", cfg_check_word,
	 CFG_FIELD(struct cfg_collector, udp6_checksum),
	 .words = cfg_udp6_csum_words,
	 .unknown = "not compute, offload or zero", .in = CFG_IN_UDP},
	{"ttl", CFG_NUMBER(struct cfg_collector, ttl, 1, 255), .dflt = 64,
	 .in = CFG_IN_TUNNEL},
	{"dscp", CFG_NUMBER(struct cfg_collector, dscp, 0, 63),
	 .in = CFG_IN_TUNNEL},
	{"key", cfg_check_gre_key, CFG_FIELD(struct cfg_collector, key),
	 .lo = 0, .hi = UINT32_MAX, .in = CFG_IN(GRE)},
	{"seq", cfg_check_word, CFG_FIELD(struct cfg_collector, seq),
	 .words = cfg_yes_no_words, .unknown = "not yes or no",
	 .in = CFG_IN(GRE)},
	{"session_id", CFG_NUMBER(struct cfg_collector, session_id, 0, 1023),
	 .in = CFG_IN_ERSPAN},
	{"vlan", cfg_check_vlan, CFG_FIELD(struct cfg_collector, vlan), .lo = 1,
	 .hi = 4094,
	 .valid = "1..4094, or omit vlan to send the frames untagged",
	 .in = CFG_IN(NONE)},
	{.name = NULL},
};

static const struct cfg_key cfg_session_keys[] = {
	{"sources", cfg_check_sources,
	 .missing = "list port:direction pairs, e.g. sources = p0:rx"},
	{"collector", cfg_check_collectors,
	 .missing = "name the collector(s) to send copies to, e.g. "
		    "collector = c1"},
	{"filter", cfg_check_ref, CFG_FIELD(struct cfg_session, filter),
	 .dflt = -1, .ref = CFG_KIND_FILTER,
	 .valid = " (or omit filter to mirror everything)"},
	{"snaplen", CFG_NUMBER(struct cfg_session, snaplen, 14, 65535),
	 .zero = true, .valid = "0 (whole frame) or 14..65535"},
	{"sample", CFG_NUMBER(struct cfg_session, sample, 1, 2147483647),
	 .dflt = 1},
	{"rate", .check = cfg_check_rate},
	{.name = NULL},
};

static const struct cfg_key cfg_filter_keys[] = {
	{"rule", cfg_check_rule, .prefix = true,
	 .shown = "rule N (N = 1.." RTE_STR(CFG_RULE_NUM_MAX) ")"},
	{"default", cfg_check_word, CFG_FIELD(struct cfg_filter, dflt),
	 .dflt = CFG_REJECT, .words = cfg_action_words},
	/* Instead of rules and default (cfg_filter_done). */
	{"expression", .check = cfg_check_expression},
	{.name = NULL},
};

/* In this order: the valid sections list and the checking order. */
const struct cfg_kind_def cfg_kinds[CFG_KIND_COUNT] = {
	[CFG_KIND_DPMIRROR] = {.name = "dpmirror", .keys = cfg_dpmirror_keys},
	[CFG_KIND_PORT] = {.name = "port",
			   .named = true,
			   .required = true,
			   .keys = cfg_port_keys,
			   CFG_OBJECTS(ports, n_ports)},
	[CFG_KIND_COLLECTOR] = {.name = "collector",
				.named = true,
				.required = true,
				.keys = cfg_collector_keys,
				CFG_OBJECTS(collectors, n_collectors),
				.done = cfg_collector_done,
				.variant = "encap"},
	[CFG_KIND_SESSION] = {.name = "session",
			      .named = true,
			      .required = true,
			      .keys = cfg_session_keys,
			      CFG_OBJECTS(sessions, n_sessions),
			      .done = cfg_session_done},
	[CFG_KIND_FILTER] = {.name = "filter",
			     .named = true,
			     .keys = cfg_filter_keys,
			     CFG_OBJECTS(filters, n_filters),
			     .done = cfg_filter_done},
	[CFG_KIND_PLAYGROUND] = {.name = "playground",
				 .keys = cfg_playground_keys,
				 .off = offsetof(struct cfg, playground),
				 .done = cfg_playground_done},
	[CFG_KIND_KERNEL] = {.name = "kernel",
			     .named = true,
			     .keys = cfg_kernel_keys,
			     CFG_OBJECTS(kernels, n_kernels),
			     .done = cfg_kernel_done},
};

static void
cfg_check_all(struct cfg_ctx *c)
{
	char title[CFG_NAME_LEN];
	int kind, i;

	for (i = 0; i < c->n_secs; i++)
		cfg_classify(c, i);

	for (kind = 0; kind < CFG_KIND_COUNT; kind++) {
		for (i = 0; i < c->n_secs && !c->nomem; i++) {
			if (c->secs[i].kind != kind || c->secs[i].obj < 0)
				continue;
			c->cur = i;
			cfg_check_section(c);
		}
	}
	if (!c->nomem)
		cfg_collectors_final(c);

	for (kind = 0; kind < CFG_KIND_COUNT; kind++) {
		if (!cfg_kinds[kind].required || *cfg_count(c->cfg, kind) > 0)
			continue;
		cfg_kind_title(kind, title, sizeof(title));
		cfg_msg(c, INT_MAX, 0,
			"no %s section; at least one %s is required", title,
			cfg_kinds[kind].name);
	}
}

void
cfg_free(struct cfg *cfg)
{
	unsigned int i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_filters; i++) {
		free(cfg->filters[i].rules);
		free(cfg->filters[i].expression);
	}
	free(cfg);
}

/*
 * Check NAME's SIZE bytes at DATA (a copy; DATA itself is not changed) into
 * a new struct cfg, or NULL with the messages in ERRS.  Any message already
 * in C (a file that could not be read) makes it fail too.
 */
static struct cfg *
cfg_check_text(struct cfg_ctx *c, const char *name, const char *data,
	       size_t size, struct cfg_errors *errs)
{
	struct rte_cfgfile *file = NULL;
	struct cfg *cfg;
	char *text = NULL;
	unsigned int i;
	int kind, ret;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		c->nomem = true;
		goto out;
	}
	/* The unnamed sections have their defaults even when absent. */
	for (kind = 0; kind < CFG_KIND_COUNT; kind++)
		if (!cfg_kinds[kind].named)
			cfg_defaults(cfg_obj(cfg, kind, 0), kind);
	c->cfg = cfg;
	if (c->n_msgs > 0 || data == NULL)
		goto out;
	if (size > CFG_FILE_MAX) {
		char what[32];

		snprintf(what, sizeof(what), "%zu bytes", size);
		cfg_too_big(c, name, what);
		goto out;
	}
	/* The line pass changes its copy; rte_cfgfile gets DATA as it is. */
	text = malloc(size + 1);
	if (text == NULL) {
		c->nomem = true;
		goto out;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	if (cfg_parse_bytes(c, name, data, size, &file) != 0)
		goto out;
	if (cfg_lint(c, text, size) != 0)
		goto out;
	if (file == NULL) {
		cfg_msg(c, -1, -1, "cannot parse %s as an INI file", name);
		goto out;
	}
	ret = cfg_read_sections(c, file);
	if (ret == -ENOMEM) {
		c->nomem = true;
		goto out;
	} else if (ret < 0) {
		cfg_msg(c, -1, -1, "cannot parse %s as an INI file", name);
		goto out;
	}
	cfg_check_all(c);

out:
	if (c->nomem)
		cfg_msg(c, INT_MAX, INT_MAX, "out of memory");
	if (c->n_msgs > 0 || c->nomem) {
		cfg_free(cfg);
		cfg = NULL;
		qsort(c->msgs, c->n_msgs, sizeof(c->msgs[0]), cfg_msg_cmp);
		if (errs != NULL) {
			errs->n = c->n_msgs > 0 ? c->n_msgs : 1;
			for (i = 0; i < c->n_msgs && i < CFG_ERR_MAX; i++)
				snprintf(errs->msg[i], sizeof(errs->msg[i]),
					 "%s", c->msgs[i].text);
			if (c->n_msgs == 0)
				snprintf(errs->msg[0], sizeof(errs->msg[0]),
					 "out of memory");
		}
	}
	if (file != NULL)
		rte_cfgfile_close(file);
	free(text);
	for (ret = 0; ret < c->n_secs; ret++) {
		free(c->secs[ret].ents);
		free(c->secs[ret].first);
	}
	free(c->secs);
	free(c->msgs);
	return cfg;
}

struct cfg *
cfg_load_buffer(const char *name, const char *data, size_t size,
		struct cfg_errors *errs)
{
	struct cfg_ctx c;

	memset(&c, 0, sizeof(c));
	c.mode_known = true;
	if (errs != NULL)
		errs->n = 0;
	if (data == NULL)
		cfg_msg(&c, -1, -1, "no configuration text given");
	return cfg_check_text(&c, name != NULL ? name : "(buffer)", data, size,
			      errs);
}

struct cfg *
cfg_load(const char *path, struct cfg_errors *errs)
{
	struct cfg_ctx c;
	struct cfg *cfg;
	char *data = NULL;
	size_t size = 0;

	memset(&c, 0, sizeof(c));
	c.mode_known = true;
	if (errs != NULL)
		errs->n = 0;
	if (path == NULL)
		cfg_msg(&c, -1, -1, "no configuration file given");
	else if (cfg_read_file(&c, path, &data, &size) != 0 && c.n_msgs == 0)
		c.nomem = true;
	cfg = cfg_check_text(&c, path != NULL ? path : "(none)", data, size,
			     errs);
	free(data);
	return cfg;
}

void
cfg_errors_print(FILE *out, const char *path, const struct cfg_errors *errs)
{
	char shown[2 * CFG_PATH_SHOWN];
	unsigned int i;

	cfg_escape(path != NULL ? path : "(none)", shown, sizeof(shown));
	for (i = 0; i < errs->n && i < CFG_ERR_MAX; i++)
		fprintf(out, "%s: error: %s\n", shown, errs->msg[i]);
	if (errs->n > CFG_ERR_MAX)
		fprintf(out, "%s: error: %u more errors not shown\n", shown,
			errs->n - CFG_ERR_MAX);
}
