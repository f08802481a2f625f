/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Scalar value parsers shared by the configuration and by dpmirrorctl's
 * options: decimal numbers, rates, names, IP addresses and prefixes, port
 * ranges, MAC addresses.  They parse and say why not; they report nothing.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "cfg_internal.h"
#include "dpm_proto.h"

/*
 * Small parsers.
 */

char *
cfg_strip(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Decimal digits only: no sign, no base prefix, no trailing text. */
int
cfg_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		unsigned int d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
cfg_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v;
	int ret;

	ret = cfg_parse_u64(s, &v);
	if (ret < 0)
		return ret;
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

int
cfg_parse_rate(const char *s, uint64_t *out)
{
	char digits[32];
	uint64_t v, mult = 1;
	size_t n;
	int ret;

	if (s == NULL || out == NULL)
		return -EINVAL;
	n = strlen(s);
	if (n == 0 || n >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, s, n + 1);
	switch (digits[n - 1]) {
	case 'K':
	case 'k':
		mult = 1000ULL;
		break;
	case 'M':
	case 'm':
		mult = 1000000ULL;
		break;
	case 'G':
	case 'g':
		mult = 1000000000ULL;
		break;
	default:
		break;
	}
	if (mult != 1)
		digits[n - 1] = '\0';
	ret = cfg_parse_u64(digits, &v);
	if (ret < 0)
		return ret;
	if (v > CFG_MAX_RATE / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

bool
cfg_valid_name(const char *s)
{
	size_t n = strlen(s);
	size_t i;

	if (n == 0 || n >= CFG_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-')
			return false;
	}
	return true;
}

/* IPv4 or IPv6 address without a prefix length; 0 or -EINVAL. */
int
cfg_parse_addr(const char *s, struct cfg_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = 6;
		return 0;
	}
	return -EINVAL;
}

const char *
cfg_family_name(uint8_t family)
{
	return family == 4 ? "IPv4" : "IPv6";
}

void
cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, buf,
		      (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/* "xx:xx:xx:xx:xx:xx" (or DPDK's "xxxx:xxxx:xxxx"), hexadecimal, either
 * case, as rte_ether_unformat_addr reads it; 0 or -EINVAL. */
int
cfg_parse_mac(const char *s, uint8_t mac[6])
{
	struct rte_ether_addr ea;

	if (rte_ether_unformat_addr(s, &ea) != 0)
		return -EINVAL;
	memcpy(mac, ea.addr_bytes, RTE_ETHER_ADDR_LEN);
	return 0;
}

bool
cfg_mac_is_zero(const uint8_t mac[6])
{
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0;
}

int
cfg_check_prefix(const char *word, const char *text, const struct cfg_addr *a,
		 unsigned int len, char *why, size_t wl)
{
	unsigned int max = a->family == 4 ? 32 : 128, i;
	char canon_str[INET6_ADDRSTRLEN];
	struct cfg_addr canon;

	if (len > max) {
		snprintf(why, wl,
			 "%s %s: bad prefix length; valid: /0../%u for %s",
			 word, text, max, cfg_family_name(a->family));
		return -1;
	}
	canon = *a;
	for (i = 0; i < max / 8; i++) {
		unsigned int bits = len > 8 * i ? len - 8 * i : 0;

		if (bits < 8)
			canon.bytes[i] &= (uint8_t)(0xff00 >> bits);
	}
	if (memcmp(canon.bytes, a->bytes, sizeof(a->bytes)) != 0) {
		cfg_addr_str(&canon, canon_str, sizeof(canon_str));
		snprintf(why, wl,
			 "%s %s: host bits set beyond the /%u prefix; did you "
			 "mean %s/%u",
			 word, text, len, canon_str, len);
		return -1;
	}
	return 0;
}

/* "<addr>[/<len>]" with no host bits set beyond the prefix. */
int
cfg_parse_cidr(const char *word, const char *s, struct cfg_addr *a,
	       uint8_t *plen, char *why, size_t wl)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	unsigned int max, len;
	uint64_t v = 0;

	if (strlen(s) >= sizeof(buf)) {
		snprintf(why, wl, "%s %s: not an address; write %s ADDR[/LEN]",
			 word, s, word);
		return -1;
	}
	memcpy(buf, s, strlen(s) + 1); /* fits: checked above */
	slash = strchr(s, '/');
	if (slash != NULL)
		buf[slash - s] = '\0';
	if (cfg_parse_addr(buf, a) < 0) {
		snprintf(why, wl,
			 "%s %s: not an address; write %s ADDR[/LEN] with an "
			 "IPv4 or IPv6 address",
			 word, s, word);
		return -1;
	}
	max = a->family == 4 ? 32 : 128;
	len = max;
	if (slash != NULL)
		len = cfg_parse_u64(slash + 1, &v) < 0 || v > max
			      ? max + 1
			      : (unsigned int)v;
	if (cfg_check_prefix(word, s, a, len, why, wl) < 0)
		return -1;
	*plen = (uint8_t)len;
	return 0;
}

int
cfg_parse_proto(const char *s, uint64_t *num)
{
	int p = dpm_proto_by_name(s);

	if (p >= 0) {
		*num = (uint64_t)p;
		return 0;
	}
	return cfg_parse_u64(s, num);
}

int
cfg_parse_range(const char *word, const char *s, uint16_t *lo, uint16_t *hi,
		char *why, size_t wl)
{
	char buf[32];
	char *dash;
	uint64_t a, b;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (cfg_parse_u64(buf, &a) < 0 || a > 65535)
		goto bad;
	b = a;
	if (dash != NULL && (cfg_parse_u64(dash + 1, &b) < 0 || b > 65535))
		goto bad;
	if (a > b) {
		snprintf(why, wl, "%s %s: reversed range; write %s %lu-%lu",
			 word, s, word, (unsigned long)b, (unsigned long)a);
		return -1;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
bad:
	snprintf(why, wl,
		 "%s %s: not a port or range; valid: N or N-M with 0 <= N <= M "
		 "<= 65535",
		 word, s);
	return -1;
}

const char *
cfg_addr_not_unicast(const struct cfg_addr *a)
{
	static const uint8_t zero[16];

	if ((a->family == 4 && memcmp(a->bytes, zero, 4) == 0) ||
	    (a->family == 6 && memcmp(a->bytes, zero, 16) == 0))
		return "unspecified";
	if ((a->family == 4 && (a->bytes[0] & 0xf0) == 0xe0) ||
	    (a->family == 6 && a->bytes[0] == 0xff))
		return "multicast";
	if (a->family == 4 && a->bytes[0] == 255 && a->bytes[1] == 255 &&
	    a->bytes[2] == 255 && a->bytes[3] == 255)
		return "broadcast";
	return NULL;
}

bool
cfg_ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < CFG_IFNAME_MAX && strpbrk(s, "/: \t") == NULL &&
	       strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

const char *
cfg_encap_name(int e)
{
	static const char *const names[] = {
		[CFG_ENCAP_VXLAN] = "vxlan",
		[CFG_ENCAP_GENEVE] = "geneve",
		[CFG_ENCAP_GRE] = "gre",
		[CFG_ENCAP_ERSPAN2] = "erspan2",
		[CFG_ENCAP_ERSPAN3] = "erspan3",
		[CFG_ENCAP_NONE] = "none",
	};

	return e >= 0 && e < (int)RTE_DIM(names) ? names[e] : NULL;
}
