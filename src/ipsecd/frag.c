/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fragmentation and reassembly, IPv4 (RFC 791) and IPv6 (RFC 8200 4.5).
 * The IPv6 fragment header:
 *
 *  +---------------+---------------+-------------------------+-+-+-+
 *  |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 *  +---------------+---------------+-------------------------+-+-+-+
 *  |                         Identification                        |
 *  +---------------------------------------------------------------+
 *
 * A datagram is complete when its last fragment fixed the total length,
 * the first fragment gave the headers, and the bytes held add up to the
 * total: overlaps are refused, so the fragments then tile it exactly.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "pkt.h"

#define V4_MF		0x2000
#define V4_DF		0x4000
#define V4_OFFMASK	0x1fff

/* What one fragment says about itself. */
struct frag_info {
	sa_family_t	 fi_af;
	const uint8_t	*fi_src, *fi_dst;
	uint32_t	 fi_id;
	uint8_t		 fi_proto;
	size_t		 fi_off;	/* payload offset */
	int		 fi_more;
	size_t		 fi_hdrlen;	/* bytes before the payload */
	size_t		 fi_keep;	/* header bytes kept from the first */
	size_t		 fi_prev;	/* IPv6 */
	uint8_t		 fi_nh;		/* IPv6 */
	const uint8_t	*fi_data;
	size_t		 fi_len;
};

void
reasm_init(struct reasm *r)
{
	memset(r, 0, sizeof(*r));
	TAILQ_INIT(&r->r_list);
}

static void
reasm_drop(struct reasm *r, struct reasm_dgram *d)
{
	int i;

	TAILQ_REMOVE(&r->r_list, d, rd_entry);
	for (i = 0; i < d->rd_nfrags; i++) {
		r->r_bytes -= d->rd_frags[i].rf_len;
		free(d->rd_frags[i].rf_data);
	}
	free(d->rd_hdr);
	free(d);
	r->r_count--;
}

void
reasm_free(struct reasm *r)
{
	struct reasm_dgram *d;

	while ((d = TAILQ_FIRST(&r->r_list)) != NULL)
		reasm_drop(r, d);
}

int
reasm_expire(struct reasm *r, uint64_t now)
{
	struct reasm_dgram *d;
	int n = 0;

	while ((d = TAILQ_FIRST(&r->r_list)) != NULL && d->rd_expire <= now) {
		reasm_drop(r, d);
		r->r_dropped++;
		n++;
	}
	return n;
}

/* Read the fragment fields; 1 if pkt is not a fragment. */
static int
frag_parse(const struct rbuf *rb, struct frag_info *fi, const char **why)
{
	const uint8_t *p = rbuf_ptr(rb);
	size_t len = rbuf_left(rb), fo;
	uint16_t f, id16;
	uint32_t id;
	uint8_t v;
	int rc;

	memset(fi, 0, sizeof(*fi));
	if ((fi->fi_af = pkt_family(rb, why)) == AF_UNSPEC)
		return -1;
	/* pkt_family() checked that the fixed header is all there. */
	if (fi->fi_af == AF_INET) {
		(void)rbuf_peek_u16(rb, 6, &f);
		if ((f & (V4_MF | V4_OFFMASK)) == 0)
			return 1;
		(void)rbuf_peek_u8(rb, 0, &v);
		(void)rbuf_peek_u16(rb, 4, &id16);
		(void)rbuf_peek_u8(rb, 9, &fi->fi_proto);
		fi->fi_hdrlen = fi->fi_keep = (size_t)(v & 0x0f) * 4;
		fi->fi_src = p + 12;
		fi->fi_dst = p + 16;
		fi->fi_id = id16;
		fi->fi_off = (size_t)(f & V4_OFFMASK) * 8;
		fi->fi_more = (f & V4_MF) != 0;
	} else {
		if ((rc = pkt_v6_walk(rb, PKT_V6_FRAG, &fo, &fi->fi_prev,
		    why)) != 0)
			return rc;
		if (rbuf_peek_u16(rb, fo + 2, &f) == -1 ||
		    rbuf_peek_u32(rb, fo + 4, &id) == -1) {
			*why = "truncated fragment header";
			return -1;
		}
		fi->fi_keep = fo;
		fi->fi_hdrlen = fo + 8;
		fi->fi_src = p + 8;
		fi->fi_dst = p + 24;
		fi->fi_id = id;
		(void)rbuf_peek_u8(rb, fo, &fi->fi_nh);
		fi->fi_off = (size_t)(f & 0xfff8);
		fi->fi_more = f & 1;
	}
	fi->fi_data = p + fi->fi_hdrlen;
	fi->fi_len = len - fi->fi_hdrlen;
	if (fi->fi_more && (fi->fi_len == 0 || fi->fi_len % 8 != 0)) {
		*why = "fragment length not a multiple of 8";
		return -1;
	}
	return 0;
}

static struct reasm_dgram *
reasm_find(struct reasm *r, const struct frag_info *fi, uint64_t now)
{
	size_t alen = fi->fi_af == AF_INET ? 4 : 16;
	struct reasm_dgram *d;

	TAILQ_FOREACH(d, &r->r_list, rd_entry)
		if (d->rd_af == fi->fi_af && d->rd_id == fi->fi_id &&
		    d->rd_proto == fi->fi_proto &&
		    memcmp(d->rd_src, fi->fi_src, alen) == 0 &&
		    memcmp(d->rd_dst, fi->fi_dst, alen) == 0)
			return d;
	if (r->r_count >= REASM_MAX_DGRAMS) {	/* make room: oldest goes */
		reasm_drop(r, TAILQ_FIRST(&r->r_list));
		r->r_dropped++;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->rd_af = fi->fi_af;
	d->rd_id = fi->fi_id;
	d->rd_proto = fi->fi_proto;
	memcpy(d->rd_src, fi->fi_src, alen);
	memcpy(d->rd_dst, fi->fi_dst, alen);
	d->rd_expire = now + REASM_TIMEOUT_MS;
	TAILQ_INSERT_TAIL(&r->r_list, d, rd_entry);
	r->r_count++;
	return d;
}

/* Keep one fragment in order; 1 for an exact duplicate; -1 to give up. */
static int
reasm_insert(struct reasm *r, struct reasm_dgram *d,
    const struct frag_info *fi, const char **why)
{
	struct reasm_frag *f = d->rd_frags;
	size_t end = fi->fi_off + fi->fi_len, lim;
	int i, n = d->rd_nfrags;

	lim = fi->fi_af == AF_INET ? 65535 - fi->fi_hdrlen : 65535;
	if (end > lim || (d->rd_last && end > d->rd_total) ||
	    (!fi->fi_more && d->rd_last && end != d->rd_total) ||
	    (!fi->fi_more && n > 0 && f[n - 1].rf_off + f[n - 1].rf_len >
	    end)) {
		*why = "fragment beyond the datagram's end";
		return -1;
	}
	for (i = 0; i < n && f[i].rf_off < fi->fi_off; i++)
		;
	if (i < n && f[i].rf_off == fi->fi_off && f[i].rf_len == fi->fi_len &&
	    memcmp(f[i].rf_data, fi->fi_data, fi->fi_len) == 0)
		return 1;
	if ((i > 0 && f[i - 1].rf_off + f[i - 1].rf_len > fi->fi_off) ||
	    (i < n && end > f[i].rf_off)) {
		*why = "overlapping fragments";
		return -1;
	}
	if (n == REASM_MAX_FRAGS || r->r_bytes + fi->fi_len > REASM_MAX_BYTES) {
		*why = "too many fragments held";
		return -1;
	}
	memmove(&f[i + 1], &f[i], (size_t)(n - i) * sizeof(*f));
	if ((f[i].rf_data = malloc(fi->fi_len ? fi->fi_len : 1)) == NULL) {
		memmove(&f[i], &f[i + 1], (size_t)(n - i) * sizeof(*f));
		*why = "out of memory";
		return -1;
	}
	memcpy(f[i].rf_data, fi->fi_data, fi->fi_len);
	f[i].rf_off = fi->fi_off;
	f[i].rf_len = fi->fi_len;
	d->rd_nfrags++;
	d->rd_bytes += fi->fi_len;
	r->r_bytes += fi->fi_len;
	if (!fi->fi_more) {
		d->rd_total = end;
		d->rd_last = 1;
	}
	return 0;
}

/* The first fragment's headers, kept for the whole datagram. */
static int
reasm_keep_header(struct reasm_dgram *d, const struct frag_info *fi,
    const uint8_t *pkt)
{
	if (fi->fi_off != 0 || d->rd_hdr != NULL)
		return 0;
	if ((d->rd_hdr = malloc(fi->fi_keep)) == NULL)
		return -1;
	memcpy(d->rd_hdr, pkt, fi->fi_keep);
	d->rd_hdrlen = fi->fi_keep;
	d->rd_prev = fi->fi_prev;
	d->rd_nh = fi->fi_nh;
	return 0;
}

static int
reasm_build(struct reasm_dgram *d, struct wbuf *out)
{
	size_t start = wbuf_len(out), len;
	uint8_t *h;
	int i;

	wbuf_put_bytes(out, d->rd_hdr, d->rd_hdrlen);
	for (i = 0; i < d->rd_nfrags; i++)
		wbuf_put_bytes(out, d->rd_frags[i].rf_data,
		    d->rd_frags[i].rf_len);
	if (wbuf_failed(out)) {
		(void)wbuf_truncate(out, start);
		return -1;
	}
	h = wbuf_data(out) + start;
	len = d->rd_hdrlen + d->rd_total;
	if (d->rd_af == AF_INET) {
		h[2] = (uint8_t)(len >> 8), h[3] = (uint8_t)len;
		h[6] &= V4_DF >> 8;		/* clear MF and the offset */
		h[7] = 0;
		pkt_v4_set_cksum(h);
	} else {
		h[d->rd_prev] = d->rd_nh;
		h[4] = (uint8_t)((len - 40) >> 8), h[5] = (uint8_t)(len - 40);
	}
	return 0;
}

enum reasm_result
reasm_input(struct reasm *r, const void *pkt, size_t len, uint64_t now,
    struct wbuf *out, const char **why)
{
	struct reasm_dgram *d;
	struct frag_info fi;
	struct rbuf rb;
	int rc;

	rbuf_init(&rb, pkt, len);
	if ((rc = frag_parse(&rb, &fi, why)) != 0)
		return rc == 1 ? REASM_NOT_FRAG : REASM_DROP;
	if ((d = reasm_find(r, &fi, now)) == NULL) {
		*why = "out of memory";
		return REASM_DROP;
	}
	if ((rc = reasm_insert(r, d, &fi, why)) == -1 ||
	    reasm_keep_header(d, &fi, pkt) == -1) {
		if (rc != -1)
			*why = "out of memory";
		reasm_drop(r, d);
		r->r_dropped++;
		return REASM_DROP;
	}
	if (d->rd_hdr == NULL || !d->rd_last || d->rd_bytes != d->rd_total)
		return REASM_HELD;
	rc = reasm_build(d, out);
	reasm_drop(r, d);
	if (rc == -1) {
		*why = "reassembled datagram too large";
		return REASM_DROP;
	}
	return REASM_DONE;
}

/* IPv4 options that every fragment repeats (the "copied" flag). */
static size_t
frag_v4_copied_options(const uint8_t *h, size_t hlen, uint8_t *out)
{
	size_t i = 20, n = 0, olen;

	while (i < hlen && h[i] != 0) {
		if (h[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= hlen || (olen = h[i + 1]) < 2 || olen > hlen - i)
			break;
		if (h[i] & 0x80) {
			memcpy(out + n, h + i, olen);
			n += olen;
		}
		i += olen;
	}
	while (n % 4 != 0)
		out[n++] = 0;			/* end of options */
	return n;
}

static int
frag_split_v4(const uint8_t *p, size_t len, size_t mtu, frag_emit_fn emit,
    void *arg, const char **why)
{
	uint8_t opts[40], frag[65536];
	size_t hlen = (size_t)(p[0] & 0x0f) * 4, off = 0, chunk, n, fh, copied;
	uint16_t orig = (uint16_t)(p[6] << 8 | p[7]), f;

	if (orig & V4_DF)
		return FRAG_DF;
	if (mtu < hlen + 8 || mtu > sizeof(frag)) {
		*why = "MTU out of range for fragmentation";
		return -1;
	}
	copied = frag_v4_copied_options(p, hlen, opts);
	while (off < len - hlen) {
		fh = off == 0 ? hlen : 20 + copied;
		chunk = (mtu - fh) & ~(size_t)7;
		n = len - hlen - off < chunk ? len - hlen - off : chunk;
		memcpy(frag, p, 20);
		if (off == 0)
			memcpy(frag + 20, p + 20, hlen - 20);
		else
			memcpy(frag + 20, opts, copied);
		frag[0] = (uint8_t)(0x40 | fh / 4);
		frag[2] = (uint8_t)((fh + n) >> 8), frag[3] = (uint8_t)(fh + n);
		/* A fragment of a fragment keeps its place and its MF. */
		f = (uint16_t)((orig & V4_OFFMASK) + off / 8);
		if (off + n < len - hlen || (orig & V4_MF))
			f |= V4_MF;
		frag[6] = (uint8_t)(f >> 8), frag[7] = (uint8_t)f;
		pkt_v4_set_cksum(frag);
		memcpy(frag + fh, p + hlen + off, n);
		if (emit(arg, frag, fh + n) != 0) {
			*why = "could not send a fragment";
			return -1;
		}
		off += n;
	}
	return 0;
}

static int
frag_split_v6(const struct rbuf *rb, size_t mtu, uint32_t id,
    frag_emit_fn emit, void *arg, const char **why)
{
	const uint8_t *p = rbuf_ptr(rb);
	size_t len = rbuf_left(rb), u, prev, off = 0, chunk, n, plen;
	uint8_t frag[65536 + 8];
	uint16_t f;

	if (pkt_v6_walk(rb, PKT_V6_UNFRAG, &u, &prev, why) != 0)
		return -1;
	if (mtu < u + 16 || mtu > sizeof(frag)) {
		*why = "MTU out of range for fragmentation";
		return -1;
	}
	chunk = (mtu - u - 8) & ~(size_t)7;
	while (off < len - u) {
		n = len - u - off < chunk ? len - u - off : chunk;
		memcpy(frag, p, u);
		frag[prev] = IPPROTO_FRAGMENT;
		plen = u - 40 + 8 + n;
		frag[4] = (uint8_t)(plen >> 8), frag[5] = (uint8_t)plen;
		frag[u] = p[prev];
		frag[u + 1] = 0;
		f = (uint16_t)(off | (off + n < len - u ? 1 : 0));
		frag[u + 2] = (uint8_t)(f >> 8), frag[u + 3] = (uint8_t)f;
		frag[u + 4] = (uint8_t)(id >> 24), frag[u + 5] = (uint8_t)(id >> 16);
		frag[u + 6] = (uint8_t)(id >> 8), frag[u + 7] = (uint8_t)id;
		memcpy(frag + u + 8, p + u + off, n);
		if (emit(arg, frag, u + 8 + n) != 0) {
			*why = "could not send a fragment";
			return -1;
		}
		off += n;
	}
	return 0;
}

int
frag_split(const void *pkt, size_t len, size_t mtu, uint32_t id,
    frag_emit_fn emit, void *arg, const char **why)
{
	struct rbuf rb;
	sa_family_t af;

	rbuf_init(&rb, pkt, len);
	if ((af = pkt_family(&rb, why)) == AF_UNSPEC)
		return -1;
	if (len <= mtu)
		return emit(arg, pkt, len) == 0 ? 0 : -1;
	if (af == AF_INET)
		return frag_split_v4(pkt, len, mtu, emit, arg, why);
	return frag_split_v6(&rb, mtu, id, emit, arg, why);
}
