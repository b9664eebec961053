/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The plaintext side of ipsecd: a TUN device (IFF_TUN, no packet info)
 * that the protected routing table points at, and the rtnetlink calls
 * that install and remove that table's routes and the ip rule sending
 * unmarked traffic to it (ARCHITECTURE.md, "Which packets ipsecd takes").
 * Packets carrying the bypass mark skip the rule: ipsecd's own ciphertext
 * and racoon's IKE sockets.
 */
#ifndef TUN_H
#define TUN_H

#include <stdint.h>

#include "addr.h"

struct tun {
	int		 tun_fd;
	int		 tun_ifindex;
	char		 tun_name[16];
	unsigned	 tun_mtu;
	int		 tun_vnet;	/* packets carry a virtio_net_hdr */
	int		 tun_offload;	/* TSO and checksum offload on */
};

/*
 * Create (or attach to) the TUN device name, non-blocking, with the given
 * MTU, and bring it up with reverse-path filtering off, since decrypted
 * packets come out of it with sources routed elsewhere.  With vnet set
 * every packet read or written starts with a virtio_net_hdr (gso.h) and
 * the kernel is offered checksum and TCP segmentation offload
 * (tun_offload says whether it took it).  -1 with errno.
 */
int	 tun_open(struct tun *, const char *, unsigned, int);
void	 tun_close(struct tun *);

/*
 * rtnetlink.  Each call returns 0, or -1 with errno from the kernel's
 * answer (EEXIST on adding what is there, ESRCH/ENOENT on deleting what
 * is not).
 */
/* Route prefix dst (a_plen used) via ifindex in table. */
int	 route_add(uint32_t, const struct addr *, int);
int	 route_del(uint32_t, const struct addr *, int);
/* "ip rule add not fwmark MARK lookup TABLE pref PRIO" for a family. */
int	 route_rule_add(int, uint32_t, uint32_t, uint32_t);
int	 route_rule_del(int, uint32_t, uint32_t, uint32_t);

#endif /* TUN_H */
