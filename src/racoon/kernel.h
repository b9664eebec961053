/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * racoon's side of PF_KEY: the kernel interface of the exchanges
 * (exchange.h's struct exchange_kernel) over a real PF_KEY socket, an
 * AF_KEY socket or ipsecd's, whichever pfkey_sock_open() finds.
 *
 * This module owns the socket, a copy of the SPD (dumped at start, kept
 * current from the kernel's SPDADD/SPDDELETE broadcasts), the GETSPI and
 * ADD/UPDATE requests in flight (matched to their replies by sequence
 * number, never waited for), the ACQUIREs waiting for a phase 1 or a
 * phase 2, and the list of the SAs it installed, which a clean shutdown
 * deletes.  It sets the kernel interface and the events of the env it is
 * given; the daemon keeps the network and the clock.  When ipsecd goes
 * away it reconnects every second, then registers and reads the SPD
 * again.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdint.h>

struct event_base;
struct exchange_env;

/*
 * Open the kernel interface, REGISTER for ESP and AH, ask for the SPD,
 * and read the socket from base.  port is our IKE port (-p): phase 1
 * negotiations that ACQUIREs start use it on both ends.  after is
 * called at the end of each read callback (the daemon re-arms its
 * timer there).  0, or -1 (logged).
 */
int	 kernel_open(struct event_base *, struct exchange_env *, uint16_t,
	    void (*)(void));
/*
 * Delete from the kernel every SA racoon installed that is still there,
 * as a clean shutdown does; manual SAs and policies are left alone.
 */
void	 kernel_delete_ours(void);
/*
 * DELETEs the kernel has not answered yet: a clean shutdown waits for
 * them, since ipsecd drops what a departed client left unread.
 */
unsigned kernel_pending(void);
/* Close the socket and free what is pending; failed ACQUIREs are told. */
void	 kernel_close(void);
/*
 * racoonctl establish-sa esp|ah: negotiate for the `out' policy that
 * covers src -> dst as if the kernel had sent an ACQUIRE.  0, or -1
 * (errno ENOENT: no such policy; else refused, logged).
 */
struct addr;
int	 kernel_establish(const struct addr *, const struct addr *);
/* 1 if the kernel is AF_KEY (native IPsec), 0 if it is ipsecd. */
int	 kernel_native(void);

#endif /* KERNEL_H */
