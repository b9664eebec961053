/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Small IP packet helpers shared by AH, fragmentation and reassembly:
 * which family a buffer holds, the IPv4 header checksum, and the walk over
 * IPv6 extension headers.  Everything reads through struct rbuf.
 */
#ifndef PKT_H
#define PKT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"

/*
 * AF_INET or AF_INET6 if rb holds exactly one whole packet (its length
 * fields match the buffer), else AF_UNSPEC with *why.
 */
sa_family_t pkt_family(const struct rbuf *, const char **);
/* The Internet checksum of len bytes (RFC 1071), complemented. */
uint16_t pkt_cksum(const uint8_t *, size_t);
/* Recompute an IPv4 header checksum in place. */
void	 pkt_v4_set_cksum(uint8_t *);

enum pkt_v6_stop {
	PKT_V6_UNFRAG,		/* end of the part before AH or fragment hdr */
	PKT_V6_AH,		/* the AH header */
	PKT_V6_FRAG,		/* the fragment header */
};

/*
 * Walk the IPv6 header chain.  PKT_V6_UNFRAG stops after hop-by-hop,
 * routing and destination options that precede a routing header (RFC
 * 8200 4.5, RFC 4302 3.1.1); PKT_V6_AH and PKT_V6_FRAG stop at that
 * header.  *off is where the walk stopped, *prev the offset of the
 * next-header byte that names it.  Returns 0; 1 (with *why) if the chain
 * ends without the header asked for; -1 (with *why) if it is malformed.
 */
int	 pkt_v6_walk(const struct rbuf *, enum pkt_v6_stop, size_t *,
	    size_t *, const char **);

#endif /* PKT_H */
