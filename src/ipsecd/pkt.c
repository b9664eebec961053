/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IP packet helpers: family detection, checksums, IPv6 header chains.
 */
#include <netinet/in.h>

#include "pkt.h"

sa_family_t
pkt_family(const struct rbuf *rb, const char **why)
{
	uint16_t tot;
	uint8_t v;

	if (rbuf_peek_u8(rb, 0, &v) == -1) {
		*why = "empty packet";
		return AF_UNSPEC;
	}
	if (v >> 4 == 4 && (v & 0x0f) >= 5 &&
	    rbuf_left(rb) >= (v & 0x0fu) * 4 &&
	    rbuf_peek_u16(rb, 2, &tot) == 0 && tot == rbuf_left(rb))
		return AF_INET;
	if (v >> 4 == 6 && rbuf_peek_u16(rb, 4, &tot) == 0 &&
	    rbuf_left(rb) >= 40 && (size_t)tot + 40 == rbuf_left(rb))
		return AF_INET6;
	*why = "not a whole IPv4 or IPv6 packet";
	return AF_UNSPEC;
}

uint16_t
pkt_cksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void
pkt_v4_set_cksum(uint8_t *h)
{
	uint16_t c;

	h[10] = h[11] = 0;
	c = pkt_cksum(h, (size_t)(h[0] & 0x0f) * 4);
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
}

static int
pkt_v6_is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	    nh == IPPROTO_DSTOPTS;
}

int
pkt_v6_walk(const struct rbuf *rb, enum pkt_v6_stop stop, size_t *off,
    size_t *prev, const char **why)
{
	uint8_t nh, next = 0, xl;
	size_t o = 40, p = 6;

	if (rbuf_peek_u8(rb, 6, &nh) == -1) {
		*why = "truncated IPv6 header";
		return -1;
	}
	for (;;) {
		if ((stop == PKT_V6_AH && nh == IPPROTO_AH) ||
		    (stop == PKT_V6_FRAG && nh == IPPROTO_FRAGMENT))
			break;
		if (!pkt_v6_is_ext(nh)) {
			if (stop == PKT_V6_UNFRAG)
				break;
			*why = stop == PKT_V6_AH ? "no AH header" :
			    "no fragment header";
			return 1;
		}
		if (rbuf_peek_u8(rb, o, &next) == -1 ||
		    rbuf_peek_u8(rb, o + 1, &xl) == -1 ||
		    ((size_t)xl + 1) * 8 > rbuf_left(rb) - o) {
			*why = "truncated IPv6 extension header";
			return -1;
		}
		if (stop == PKT_V6_UNFRAG && nh == IPPROTO_DSTOPTS &&
		    next != IPPROTO_ROUTING)
			break;
		p = o;
		o += ((size_t)xl + 1) * 8;
		nh = next;
	}
	*off = o;
	*prev = p;
	return 0;
}
