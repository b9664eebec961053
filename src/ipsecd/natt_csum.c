/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Transport-mode NAT-T checksums after decapsulation (RFC 3948 3.1.2).
 */
#include <netinet/in.h>

#include "buf.h"
#include "gso.h"
#include "natt_csum.h"

#define NATT_TCP_CSUM_OFF	16
#define NATT_UDP_CSUM_OFF	6

void
natt_csum_fix(uint8_t *p, size_t len, size_t off, uint8_t proto)
{
	struct rbuf rb;
	uint16_t ulen, old;
	size_t at, end = len;
	uint16_t c;

	rbuf_init(&rb, p, len);
	if (proto == IPPROTO_TCP) {
		if (off + 20 > len)
			return;
		at = off + NATT_TCP_CSUM_OFF;
	} else if (proto == IPPROTO_UDP) {
		/* The UDP length may end before the IP packet does. */
		if (rbuf_peek_u16(&rb, off + 4, &ulen) == -1 || ulen < 8 ||
		    off + ulen > len)
			return;
		end = off + ulen;
		at = off + NATT_UDP_CSUM_OFF;
		/* IPv4 UDP without a checksum: nothing to fix. */
		if (rbuf_peek_u16(&rb, at, &old) == 0 && old == 0 &&
		    p[0] >> 4 == 4)
			return;
	} else
		return;
	p[at] = p[at + 1] = 0;
	c = gso_l4_cksum(p, end, off, proto);
	if (proto == IPPROTO_UDP && c == 0)
		c = 0xffff;		/* zero means none (RFC 768) */
	p[at] = (uint8_t)(c >> 8);
	p[at + 1] = (uint8_t)c;
}
