/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The remote's hook scripts (`script "path" phase1_up|phase1_down|
 * phase1_dead'), run as ipsec-tools runs them: argv is the path and the
 * hook's name, the environment holds only what racoon sets (LOCAL_ADDR,
 * LOCAL_PORT, REMOTE_ADDR, REMOTE_PORT, REMOTE_ID, ipsec-tools' mode-cfg
 * variables, and a fixed PATH), nothing of racoon's own.  A relative
 * path is taken in `path script'.
 *
 * Scripts run asynchronously: fork and exec, never waited for in a
 * callback; SIGCHLD (through libevent) reaps them and logs how each
 * ended.  A script that hangs delays nothing but itself.  This module
 * owns the list of running scripts and the SIGCHLD event.
 */
#ifndef SCRIPT_H
#define SCRIPT_H

#include "cfg.h"

struct event_base;
struct ph1;

/* Watch SIGCHLD on base; 0 or -1. */
int	 script_init(struct event_base *);
/* Start ph1's remote's script for hook, if it has one (logged). */
void	 script_run(const struct ph1 *, enum cfg_script);
/* Scripts started and not yet reaped. */
unsigned script_running(void);
/* Stop watching; running scripts are left to finish on their own. */
void	 script_close(void);
/* "phase1_up", "phase1_down", "phase1_dead". */
const char *script_name(enum cfg_script);

#endif /* SCRIPT_H */
