/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "dpm_proto.h"

static const struct {
	const char *name;
	int num;
	bool ports;
	int family;	/* 0 = both IP versions */
	bool canonical; /* the name printed for NUM */
} dpm_protos[] = {
	{"tcp", IPPROTO_TCP, true, 0, true},
	{"udp", IPPROTO_UDP, true, 0, true},
	{"icmp", IPPROTO_ICMP, false, 4, true},
	{"icmpv6", IPPROTO_ICMPV6, false, 6, true},
	/* /etc/protocols' name, as ip6tables and tc print it. */
	{"ipv6-icmp", IPPROTO_ICMPV6, false, 6, false},
	{"sctp", IPPROTO_SCTP, true, 0, true},
};

#define N_PROTOS (sizeof(dpm_protos) / sizeof(dpm_protos[0]))

/* The entry of protocol NUM (its canonical name's), or -1. */
static int
dpm_proto_index(int num)
{
	size_t i;

	for (i = 0; i < N_PROTOS; i++)
		if (dpm_protos[i].num == num && dpm_protos[i].canonical)
			return (int)i;
	return -1;
}

int
dpm_proto_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < N_PROTOS; i++)
		if (strcmp(name, dpm_protos[i].name) == 0)
			return dpm_protos[i].num;
	return -1;
}

const char *
dpm_proto_name(int num)
{
	int i = dpm_proto_index(num);

	return i >= 0 ? dpm_protos[i].name : NULL;
}

bool
dpm_proto_has_ports(int num)
{
	int i = dpm_proto_index(num);

	return i >= 0 && dpm_protos[i].ports;
}

int
dpm_proto_family(int num)
{
	int i = dpm_proto_index(num);

	return i >= 0 ? dpm_protos[i].family : 0;
}
