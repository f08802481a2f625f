/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_BPF_H
#define DPMIRROR_CTL_BPF_H

/*
 * A filter's pcap-filter expression as an rte_bpf program for the workers:
 * compiled by libpcap for Ethernet (as tcpdump compiles it), converted
 * from classic BPF with rte_bpf_convert and loaded with rte_bpf_load.  The
 * program takes an mbuf and returns non-zero for a frame the expression
 * matches.  Control thread only.
 *
 * The workers interpret it (rte_bpf_exec_burst).  DPDK 22.11's x86 JIT
 * (rte_bpf_get_jit) is not used: it encodes "jset #k" (test r, imm) with a
 * one-byte immediate where the instruction takes four whenever k fits in
 * a signed byte, so programs libpcap makes for ip[1] & 2 != 0 give wrong
 * verdicts and those for tcp[13] & 2 != 0 crash, where the interpreter
 * agrees with libpcap on every frame (tests/unit/test_bpf.c).
 */

#include <stdint.h>

#include "dpm_err.h"

struct rte_bpf;

/*
 * Build EXPR (of [filter NAME]) into *BPF.  Returns 0, or -1 with a
 * message in E (libpcap's own for a bad expression).
 */
int ctl_bpf_build(const char *name, const char *expr, struct rte_bpf **bpf,
		  struct dpm_err *e);

/* Free a program no worker can reach any more; NULL is accepted. */
void ctl_bpf_free(struct rte_bpf *bpf);

#endif /* DPMIRROR_CTL_BPF_H */
