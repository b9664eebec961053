/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * AH (RFC 4302) over IPv4 and IPv6.  The header, section 2:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Next Header   |  Payload Len  |          RESERVED             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Security Parameters Index (SPI)               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Sequence Number Field                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Integrity Check Value-ICV (variable)           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Payload Len is the AH length in 32-bit words minus 2; the ICV is padded
 * to 32 bits (IPv4) or 64 bits (IPv6).  Mutable fields are zeroed for the
 * ICV as Linux does (net/ipv4/ah4.c, net/ipv6/ah6.c): IPv4 TOS, flags and
 * fragment offset, TTL, checksum, and every option but the security ones
 * and router alert; for loose and strict source routes the destination is
 * the final one.  IPv6 traffic class, flow label and hop limit, and option
 * data whose type has the "may change" bit.  Routing headers with segments
 * left are refused (RFC 5095 deprecated type 0; nothing we protect uses
 * them).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "ah.h"
#include "pkt.h"

#define AH_SCRATCH	1024	/* largest IP header chain we zero */

int
ah_init(struct ah *a, const struct alg *auth, const void *key, size_t keylen,
    const char **why)
{
	memset(a, 0, sizeof(*a));
	if (auth != NULL && auth->alg_sadb == SADB_X_AALG_NULL) {
		*why = "AH needs an integrity algorithm";
		return -1;
	}
	return icv_init(&a->ah_icv, auth, key, keylen, why);
}

void
ah_clear(struct ah *a)
{
	icv_clear(&a->ah_icv);
}

static size_t
ah_len(const struct ah *a, sa_family_t af)
{
	size_t align = af == AF_INET6 ? 8 : 4;

	return (AH_HDRLEN + a->ah_icv.icv_len + align - 1) & ~(align - 1);
}

size_t
ah_overhead(const struct ah *a, sa_family_t af)
{
	return ah_len(a, af);
}

/*
 * IPv4 options for the ICV: keep the immutable ones, zero the rest; a
 * source route's last address becomes the destination (RFC 4302 A.1).
 */
static int
ah_zero_v4_options(uint8_t *h, size_t hlen)
{
	size_t i = 20, olen;
	uint8_t t;

	while (i < hlen) {
		t = h[i];
		if (t == 0)		/* end of options */
			break;
		if (t == 1) {		/* no-op */
			i++;
			continue;
		}
		if (i + 1 >= hlen || (olen = h[i + 1]) < 2 || olen > hlen - i)
			return -1;
		switch (t) {
		case 130: case 133: case 134: case 148: case 149:
			break;		/* security, CIPSO, router alert */
		case 131: case 137:	/* loose and strict source route */
			if (olen < 7)
				return -1;
			memcpy(h + 16, h + i + olen - 4, 4);
			/* FALLTHROUGH */
		default:
			memset(h + i, 0, olen);
		}
		i += olen;
	}
	return 0;
}

/* Hop-by-hop and destination options: zero the data of mutable ones. */
static int
ah_zero_v6_opts(uint8_t *x, size_t len)
{
	size_t i = 2, olen;

	while (i < len) {
		if (x[i] == 0) {	/* Pad1 */
			i++;
			continue;
		}
		if (i + 1 >= len || (olen = (size_t)x[i + 1] + 2) > len - i)
			return -1;
		if (x[i] & 0x20)
			memset(x + i + 2, 0, olen - 2);
		i += olen;
	}
	return 0;
}

/* Zero the mutable fields of the header chain copied into h[0..len). */
static int
ah_zero_mutable(uint8_t *h, size_t len, sa_family_t af)
{
	size_t off = 40, xlen;
	uint8_t nh;

	if (af == AF_INET) {
		h[1] = 0;			/* TOS */
		h[6] = h[7] = 0;		/* flags, fragment offset */
		h[8] = 0;			/* TTL */
		h[10] = h[11] = 0;		/* checksum */
		return ah_zero_v4_options(h, (size_t)(h[0] & 0x0f) * 4);
	}
	h[0] &= 0xf0;				/* traffic class, flow label */
	h[1] = h[2] = h[3] = 0;
	h[7] = 0;				/* hop limit */
	nh = h[6];
	while (off < len) {
		if (off + 2 > len || (xlen = ((size_t)h[off + 1] + 1) * 8) >
		    len - off)
			return -1;
		if ((nh == IPPROTO_HOPOPTS || nh == IPPROTO_DSTOPTS) &&
		    ah_zero_v6_opts(h + off, xlen) == -1)
			return -1;
		if (nh == IPPROTO_ROUTING && (xlen < 4 || h[off + 3] != 0))
			return -1;
		nh = h[off];
		off += xlen;
	}
	return 0;
}

/* ICV over the packet p[0..len) whose AH header is at off. */
static int
ah_compute(struct ah *a, sa_family_t af, const uint8_t *p, size_t len,
    size_t off, uint8_t *icv)
{
	uint8_t h[AH_SCRATCH];
	size_t ahlen = ah_len(a, af), hl = off + ahlen;

	if (hl > sizeof(h) || hl > len)
		return -1;
	memcpy(h, p, hl);
	if (ah_zero_mutable(h, off, af) == -1)
		return -1;
	memset(h + off + AH_HDRLEN, 0, ahlen - AH_HDRLEN);
	return icv_start(&a->ah_icv) == -1 ||
	    icv_update(&a->ah_icv, h, hl) == -1 ||
	    icv_update(&a->ah_icv, p + hl, len - hl) == -1 ||
	    icv_finish(&a->ah_icv, icv) == -1 ? -1 : 0;
}

int
ah_peek(const void *pkt, size_t len, struct ah_pos *pos, const char **why)
{
	struct rbuf rb, ah;
	uint8_t v, plen;

	rbuf_init(&rb, pkt, len);
	memset(pos, 0, sizeof(*pos));
	if ((pos->ap_af = pkt_family(&rb, why)) == AF_UNSPEC)
		return -1;
	if (pos->ap_af == AF_INET) {
		(void)rbuf_peek_u8(&rb, 0, &v);
		(void)rbuf_peek_u8(&rb, 9, &plen);
		if (plen != IPPROTO_AH) {
			*why = "no AH header";
			return -1;
		}
		pos->ap_off = (size_t)(v & 0x0f) * 4;
		pos->ap_prev = 9;
	} else if (pkt_v6_walk(&rb, PKT_V6_AH, &pos->ap_off, &pos->ap_prev,
	    why) != 0)
		return -1;
	if (rbuf_skip(&rb, pos->ap_off) == -1 ||
	    rbuf_get_u8(&rb, &pos->ap_nh) == -1 ||
	    rbuf_get_u8(&rb, &plen) == -1 ||
	    (pos->ap_len = ((size_t)plen + 2) * 4) > rbuf_left(&rb) + 2 ||
	    pos->ap_len < AH_HDRLEN || rbuf_sub(&rb, pos->ap_len - 2, &ah) ||
	    rbuf_skip(&ah, 2) == -1 || rbuf_get_u32(&ah, &pos->ap_spi) == -1 ||
	    rbuf_get_u32(&ah, &pos->ap_seq) == -1) {
		*why = "truncated AH header";
		return -1;
	}
	return 0;
}

/* Fix the length fields and checksum after AH came or went. */
static int
ah_fix_header(uint8_t *p, size_t len, sa_family_t af)
{
	if (af == AF_INET) {
		if (len > 65535)
			return -1;
		p[2] = (uint8_t)(len >> 8), p[3] = (uint8_t)len;
		pkt_v4_set_cksum(p);
	} else {
		if (len - 40 > 65535)
			return -1;
		p[4] = (uint8_t)((len - 40) >> 8), p[5] = (uint8_t)(len - 40);
	}
	return 0;
}

int
ah_seal(struct ah *a, uint32_t spi, uint32_t seq, const void *pkt,
    size_t len, struct wbuf *out, const char **why)
{
	const uint8_t *in = pkt;
	struct rbuf rb;
	sa_family_t af;
	size_t ins, prev, ahlen, start = wbuf_len(out), total;
	uint8_t icv[ICV_MAX], *p;

	rbuf_init(&rb, pkt, len);
	if ((af = pkt_family(&rb, why)) == AF_UNSPEC)
		return -1;
	if (af == AF_INET) {
		ins = (size_t)(in[0] & 0x0f) * 4;
		prev = 9;
	} else if (pkt_v6_walk(&rb, PKT_V6_UNFRAG, &ins, &prev, why) == -1)
		return -1;
	ahlen = ah_len(a, af);
	wbuf_put_bytes(out, in, ins);
	wbuf_put_u8(out, in[prev]);
	wbuf_put_u8(out, (uint8_t)(ahlen / 4 - 2));
	wbuf_put_u16(out, 0);
	wbuf_put_u32(out, spi);
	wbuf_put_u32(out, seq);
	wbuf_put_zero(out, ahlen - AH_HDRLEN);
	if (wbuf_put_bytes(out, in + ins, len - ins) == -1) {
		*why = "packet too large for AH";
		goto fail;
	}
	p = wbuf_data(out) + start;
	total = len + ahlen;
	p[prev] = IPPROTO_AH;
	if (ah_fix_header(p, total, af) == -1) {
		*why = "packet too large for AH";
		goto fail;
	}
	if (ah_compute(a, af, p, total, ins, icv) == -1) {
		*why = "cannot compute the AH ICV";
		goto fail;
	}
	memcpy(p + ins + AH_HDRLEN, icv, a->ah_icv.icv_len);
	return 0;
 fail:
	(void)wbuf_truncate(out, start);
	return -1;
}

int
ah_open(struct ah *a, const void *pkt, size_t len, const struct ah_pos *pos,
    struct wbuf *out, const char **why)
{
	const uint8_t *in = pkt;
	uint8_t icv[ICV_MAX], *p;
	size_t start = wbuf_len(out), total = len - pos->ap_len;

	if (pos->ap_len != ah_len(a, pos->ap_af)) {
		a->ah_fail = AH_FAIL_LENGTH;
		*why = "AH length does not fit the SA's ICV";
		return -1;
	}
	if (ah_compute(a, pos->ap_af, in, len, pos->ap_off, icv) == -1 ||
	    mem_cmp_ct(icv, in + pos->ap_off + AH_HDRLEN,
	    a->ah_icv.icv_len) != 0) {
		a->ah_fail = AH_FAIL_ICV;
		*why = "AH ICV mismatch";
		return -1;
	}
	wbuf_put_bytes(out, in, pos->ap_off);
	if (wbuf_put_bytes(out, in + pos->ap_off + pos->ap_len,
	    len - pos->ap_off - pos->ap_len) == -1) {
		a->ah_fail = AH_FAIL_TOOBIG;
		*why = "packet too large";
		(void)wbuf_truncate(out, start);
		return -1;
	}
	p = wbuf_data(out) + start;
	p[pos->ap_prev] = pos->ap_nh;
	(void)ah_fix_header(p, total, pos->ap_af);
	return 0;
}
