/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inbound enforcement with nftables (ARCHITECTURE.md: AF_PACKET only sees
 * a copy of what the kernel delivers, so what an `in' or `fwd' policy
 * forbids must be stopped in the kernel).  ipsecd owns one table, inet
 * "ipsecd", with an input and a forward chain.  Each chain first accepts
 * what is delivered to a socket carrying the bypass mark (racoon's IKE),
 * then holds one rule per policy, in the SPD's order of precedence:
 *
 *	NFT_PROTECT	cleartext matching the selector is dropped unless it
 *			came out of ipsecd's TUN (decrypted by ipsecd)
 *	NFT_DISCARD	matching traffic is dropped
 *	NFT_PASS	matching traffic is accepted (policy none)
 *
 * A prerouting chain (priority raw) drops ESP, AH and ESP-in-UDP
 * addressed to this host, which ipsecd has read from its ring already,
 * so that the kernel does not route it and run it through input for
 * nothing; ciphertext in transit is untouched.  Without nftables' fib
 * expression the chain stays empty and ipsecd says so.  A tproxy rule
 * there that never matches makes the kernel reassemble fragments before
 * the chains (nf_defrag), so that input sees an IPv6 IKE message whole,
 * with its socket's bypass mark; without tproxy ipsecd says so too.  An
 * output chain (priority raw) gives the ESP-in-UDP that wire.c sends
 * with UDP GSO, from ephemeral ports, its source port 4500.
 *
 * nft_apply() replaces all rules in one nftables transaction, so the
 * kernel never enforces half a set.
 */
#ifndef NFT_H
#define NFT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum nft_action {
	NFT_PROTECT,
	NFT_DISCARD,
	NFT_PASS,
};

struct nft_rule {
	int		 nr_fwd;	/* forward chain, else input */
	enum nft_action	 nr_action;
	struct addr	 nr_src;	/* prefix, port 0 = any */
	struct addr	 nr_dst;
	uint8_t		 nr_proto;	/* 255 = any upper-layer protocol */
};

struct nft_table;

/* Create the table for tun (the TUN device's name) and mark. */
struct nft_table *nft_open(const char *, uint32_t, const char **);
/*
 * Have the output chain (priority raw, before conntrack) give the UDP
 * GSO senders' ESP-in-UDP (bypass mark, from these ports) source port
 * 4500.  Kept across nft_apply().  -1 with *why if nftables refuses; the
 * rules are then gone again.
 */
int	 nft_gso_ports(struct nft_table *, uint16_t, uint16_t, const char **);
/* Replace every rule with these n.  -1 with *why (nft's own message). */
int	 nft_apply(struct nft_table *, const struct nft_rule *, size_t,
	    const char **);
/* Delete the table and free the context. */
void	 nft_close(struct nft_table *);
/* The rule text nft_apply() uses, for tests and debugging. */
int	 nft_rule_text(const struct nft_rule *, const char *, char *, size_t);

#endif /* NFT_H */
