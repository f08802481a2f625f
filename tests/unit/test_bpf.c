/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of pcap-filter expressions as rte_bpf programs
 * (ctrl/ctl_bpf.c): for each expression, the program the workers run
 * gives, on every one of a few thousand generated frames (IPv4 with and
 * without options, IPv6, ARP, 802.1Q tags, TCP/UDP/ICMP/GRE, cut frames),
 * the verdict libpcap's own filter gives (pcap_offline_filter, what
 * tcpdump applies).  The expressions cover the loads at X + k that DPDK
 * 22.11's converter gets wrong on its own (tcp[13], icmp[0], udp[4]).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include <rte_bpf.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ctl_bpf.h"
#include "eal_test.h"

#define N_FRAMES 4000

static struct rte_mempool *pool;
static uint32_t seed = 12345;

static uint32_t
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static const uint16_t ports[] = { 22,	53,    80,    443,   999,  1000,
				  1500, 2000, 2001, 40000, 40003, 8080 };

/* One frame in F (2048 bytes of room); returns its length. */
static uint32_t
make_frame(uint8_t *f)
{
	uint32_t n, i, tags, l3, et = rnd() % 6;

	for (i = 0; i < 12; i++)
		f[i] = rnd() % 4 == 0 ? 0xff : (uint8_t)(rnd() % 3);
	n = 12;
	tags = et == 3 ? 1 : et == 4 ? 2 : 0;
	for (i = 0; i < tags; i++) {
		uint16_t v = rnd() % 2 ? 100 : 200;

		f[n++] = 0x81;
		f[n++] = 0x00;
		f[n++] = (uint8_t)(v >> 8);
		f[n++] = (uint8_t)v;
	}
	l3 = rnd() % 3;
	if (l3 == 0) {
		static const uint8_t protos[] = { 6, 17, 1, 47 };
		uint8_t *ip, *l4, pr = protos[rnd() % 4];
		uint32_t ihl = 5 + (rnd() % 3 == 0), pl = rnd() % 1400, tot;
		uint16_t sp = ports[rnd() % 12], dp = ports[rnd() % 12];

		f[n++] = 0x08;
		f[n++] = 0x00;
		ip = f + n;
		memset(ip, 0, ihl * 4);
		ip[0] = (uint8_t)(0x40 | ihl);
		ip[6] = rnd() % 5 == 0 ? 0x20 : 0;
		ip[7] = rnd() % 7 == 0 ? 5 : 0;
		ip[8] = rnd() % 2 ? 64 : 128;
		ip[9] = pr;
		ip[12] = 198, ip[13] = 18, ip[14] = 0, ip[15] = rnd() % 12;
		ip[16] = 198, ip[17] = 18, ip[18] = rnd() % 2,
		ip[19] = rnd() % 12;
		n += ihl * 4;
		l4 = f + n;
		for (i = 0; i < 20 + pl; i++)
			l4[i] = (uint8_t)rnd();
		l4[0] = (uint8_t)(sp >> 8), l4[1] = (uint8_t)sp;
		l4[2] = (uint8_t)(dp >> 8), l4[3] = (uint8_t)dp;
		if (pr == 1)
			l4[0] = rnd() % 2 ? 8 : 0;
		n += 20 + pl;
		tot = n - (uint32_t)(ip - f);
		ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot;
	} else if (l3 == 1) {
		static const uint8_t protos[] = { 6, 17, 58 };
		uint8_t *ip, *l4;
		uint32_t pl = rnd() % 300, plen;
		uint16_t sp = ports[rnd() % 12], dp = ports[rnd() % 12];

		f[n++] = 0x86;
		f[n++] = 0xdd;
		ip = f + n;
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[6] = protos[rnd() % 3];
		ip[7] = 64;
		ip[8] = 0xfd, ip[9] = rnd() % 2 ? 0 : 0x12, ip[23] = rnd() % 4;
		ip[24] = 0xfd, ip[39] = rnd() % 4;
		n += 40;
		l4 = f + n;
		for (i = 0; i < 20 + pl; i++)
			l4[i] = (uint8_t)rnd();
		l4[0] = (uint8_t)(sp >> 8), l4[1] = (uint8_t)sp;
		l4[2] = (uint8_t)(dp >> 8), l4[3] = (uint8_t)dp;
		if (ip[6] == 58)
			l4[0] = rnd() % 2 ? 135 : 128;
		n += 20 + pl;
		plen = n - (uint32_t)(ip - f) - 40;
		ip[4] = (uint8_t)(plen >> 8), ip[5] = (uint8_t)plen;
	} else {
		f[n++] = 0x08;
		f[n++] = 0x06;
		for (i = 0; i < 28; i++)
			f[n++] = (uint8_t)rnd();
	}
	if (rnd() % 10 == 0) /* cut short */
		n = 14 + rnd() % 40;
	return n < 60 ? 60 : n;
}

static const char *const exprs[] = {
	"tcp",
	"udp and dst port 53",
	"host 198.18.0.3",
	"dst net 198.18.1.0/24",
	"portrange 1000-2000",
	"ip6 and tcp",
	"icmp6",
	"arp",
	"vlan 100",
	"vlan and tcp port 80",
	"len <= 100",
	"greater 1000",
	"ip[8] = 64",
	"ether[12:2] = 0x0800",
	"ether[0] & 1 != 0",
	"ip[8] & 0x40 != 0",
	"ip[6:2] & 0x1fff != 0",
	"tcp[13] & 2 != 0",
	"tcp[tcpflags] & tcp-syn != 0",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-ack",
	"icmp[icmptype] = icmp-echo",
	"icmp[0] = 8",
	"udp[4] > 1",
	"udp[4:2] > 100",
	"tcp[4:4] > 100",
	"ip6[6] = 58 and ip6[40] = 135",
	"not tcp and not udp",
	"(tcp or udp) and not port 22",
	"ip proto 47",
	"ip and ip[0] & 0x0f > 5",
};

static void
test_expressions_agree_with_libpcap(void **state)
{
	static uint8_t frame[2048];
	unsigned int e, k, bad_total = 0;

	(void)state;
	for (e = 0; e < RTE_DIM(exprs); e++) {
		struct bpf_program prog;
		struct rte_bpf *bpf;
		struct dpm_err err;
		unsigned int bad = 0, hits = 0;
		pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);

		assert_non_null(p);
		assert_int_equal(pcap_compile(p, &prog, exprs[e], 1,
					      PCAP_NETMASK_UNKNOWN),
				 0);
		memset(&err, 0, sizeof(err));
		assert_int_equal(ctl_bpf_build("t", exprs[e], &bpf, &err), 0);
		assert_non_null(bpf);
		seed = 12345 + e;
		for (k = 0; k < N_FRAMES; k++) {
			uint32_t n = make_frame(frame);
			struct pcap_pkthdr h;
			struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
			void *ctx[1];
			uint64_t rc;
			int want;

			memset(&h, 0, sizeof(h));
			h.caplen = h.len = n;
			want = pcap_offline_filter(&prog, &h, frame) != 0;
			assert_non_null(m);
			memcpy(rte_pktmbuf_append(m, (uint16_t)n), frame, n);
			ctx[0] = m;
			rte_bpf_exec_burst(bpf, ctx, &rc, 1);
			bad += (rc != 0) != want;
			hits += want;
			rte_pktmbuf_free(m);
		}
		print_message("%-45s matches %4u of %u, %u differ\n", exprs[e],
			      hits, N_FRAMES, bad);
		bad_total += bad;
		ctl_bpf_free(bpf);
		pcap_freecode(&prog);
		pcap_close(p);
	}
	assert_int_equal(bad_total, 0);
}

/* A bad expression: libpcap's own message, the filter and the text. */
static void
test_bad_expression(void **state)
{
	struct rte_bpf *bpf = (struct rte_bpf *)&bpf;
	struct dpm_err err;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_not_equal(ctl_bpf_build("web", "tcp port nosuchservice",
					   &bpf, &err),
			     0);
	assert_null(bpf);
	assert_non_null(strstr(err.msg, "[filter web] expression = tcp port "
					"nosuchservice: "));
	assert_non_null(strstr(err.msg, "nosuchservice"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expressions_agree_with_libpcap),
		cmocka_unit_test(test_bad_expression),
	};
	int rc;

	if (eal_test_init() < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("bpf", 63, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return rc;
}
