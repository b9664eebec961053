/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipsecd's datapath: it moves packets the way a kernel with native IPsec
 * would.  Plaintext that an `out' policy covers reaches it on the TUN
 * (routes in the protected table follow the SPD), is sealed with the SAs
 * the policy's requests name, in order, and leaves on the wire with the
 * bypass mark; ESP and AH from the wire are reassembled, checked against
 * the SAD (replay window, ICV), opened and written into the TUN.  `in'
 * and `fwd' policies are enforced in nftables, and again on what was
 * opened.  Packets that wait for an ACQUIRE are held in a bounded pool.
 * The datapath owns the TUN, the wire sockets, the routes, the nftables
 * table, the held packets, the drop counters and the transform state it
 * hangs on each SA; the SAD and SPD own SAs and policies.
 */
#ifndef DP_H
#define DP_H

struct event_base;
struct sad_sa;

/*
 * Open the TUN device tun, the wire, the nftables table, the ip rules,
 * and serve on base.  -1 with *why; everything opened is undone.
 */
int	 dp_open(struct event_base *, const char *, const char **);
/* Remove routes, rules and the table; close everything. */
void	 dp_close(void);
/* The SPD changed: bring routes and nftables rules in line with it. */
void	 dp_spd_changed(void);
/* An SA is going: drop the transform state hung on it (SAD's hook). */
void	 dp_sa_release(struct sad_sa *);

/* Log the packet and drop counters (SIGUSR1). */
void	 dp_stats_log(void);

#endif /* DP_H */
