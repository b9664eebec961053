/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Transport-mode NAT traversal (RFC 3948 3.1.2): a TCP or UDP packet
 * taken out of a UDP-encapsulated transport-mode ESP SA carries the
 * checksum its sender computed over the addresses it knew (its own
 * private address, the peer's public one), not those of the IP header
 * it is delivered with, which the NAT changed.  Linux marks such packets
 * CHECKSUM_UNNECESSARY; ipsecd writes them into a TUN, whose stack
 * verifies, so the checksum is recomputed over the packet as delivered:
 * that covers a NAT on either side, whichever NAT-OA IKE gave the SA.
 * The ESP ICV has already vouched for the bytes.
 */
#ifndef NATT_CSUM_H
#define NATT_CSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * p holds one whole IP packet of len bytes whose upper layer (proto) is
 * at off.  A TCP or UDP checksum is rewritten for p's own addresses; a
 * UDP checksum of zero over IPv4 (none) stays; anything else, or a
 * header that does not fit, is left alone.
 */
void	 natt_csum_fix(uint8_t *p, size_t len, size_t off, uint8_t proto);

#endif /* NATT_CSUM_H */
