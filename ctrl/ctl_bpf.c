/* SPDX-License-Identifier: BSD-3-Clause */
/* rte_bpf_convert is an experimental API of DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "cfg.h"
#include "ctl_bpf.h"

/* As tcpdump: Ethernet, a snapshot length no frame reaches, optimised. */
#define BPF_SNAPLEN CFG_EXPR_SNAPLEN

/*
 * DPDK 22.11's rte_bpf_convert gives the byte and word loads at X + k
 * (BPF_LD | BPF_IND | BPF_B or BPF_W) the accumulator as their base
 * register instead of X: it tests the BPF_X bit of the opcode, which only
 * the half-word load happens to have.  Set the base of every such load to
 * the register that holds X.  (The loads at X + k are what
 * tcp[tcpflags], icmp[icmptype] and udp[4] compile to.)
 */
#define CONV_REG_X EBPF_REG_7

static void
fix_ind_loads(struct rte_bpf_prm *prm)
{
	struct ebpf_insn *in = (struct ebpf_insn *)(uintptr_t)prm->ins;
	uint32_t i;

	for (i = 0; i < prm->nb_ins; i++)
		if ((in[i].code & ~BPF_SIZE(0xff)) == (BPF_LD | BPF_IND))
			in[i].src_reg = CONV_REG_X;
}

int
ctl_bpf_build(const char *name, const char *expr, struct rte_bpf **bpf,
	      struct dpm_err *e)
{
	struct bpf_program prog;
	struct rte_bpf_prm *prm;
	pcap_t *p;

	*bpf = NULL;
	p = pcap_open_dead(DLT_EN10MB, BPF_SNAPLEN);
	if (p == NULL)
		return dpm_fail(e, ENOMEM,
				"[filter %s] expression: libpcap cannot open a "
				"compiler (out of memory)",
				name);
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		dpm_fail(e, EINVAL, "[filter %s] expression = %s: %s", name,
			 expr, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	prm = rte_bpf_convert(&prog);
	pcap_freecode(&prog);
	pcap_close(p);
	if (prm == NULL)
		return dpm_fail(e, rte_errno,
				"[filter %s] expression = %s: cannot convert "
				"the program for rte_bpf: %s",
				name, expr, rte_strerror(rte_errno));
	fix_ind_loads(prm);
	*bpf = rte_bpf_load(prm);
	rte_free(prm);
	if (*bpf == NULL)
		return dpm_fail(e, rte_errno,
				"[filter %s] expression = %s: rte_bpf refuses "
				"the program: %s",
				name, expr, rte_strerror(rte_errno));
	return 0;
}

void
ctl_bpf_free(struct rte_bpf *bpf)
{
	if (bpf != NULL)
		rte_bpf_destroy(bpf);
}
