/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CTL_LOG_H
#define DPMIRROR_CTL_LOG_H

/* The control thread's log type, user.dpmirror.ctrl (registered in main.c).
 * The fast path never logs. */

#include <rte_log.h>

extern int dpm_ctrl_logtype;
#define RTE_LOGTYPE_DPM_CTRL dpm_ctrl_logtype

/* Packets a worker may hold outside the rx rings at once. */
#define DP_RX_SLACK 1024

#endif /* DPMIRROR_CTL_LOG_H */
