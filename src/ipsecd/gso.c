/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TUN offloads (see gso.h): cutting the kernel's TCP super-packets into
 * segments on the way out, merging decrypted segments on the way in.
 * Headers are read through struct rbuf; the segments we build are ours
 * and are patched in place.
 *
 * The Internet checksum is summed 32 bits at a time in host order into
 * 64-bit sums, folded at the end (RFC 1071 2, 4.2: the sum is byte-order
 * independent, so only the folded result is swapped back, which storing
 * it as it lies in memory does).
 */
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <string.h>

#include "gso.h"
#include "pkt.h"

#define TCP_FIN		0x01
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_CWR		0x80
#define TCP_CSUM_OFF	16

int
gso_vnet_get(struct rbuf *rb, struct gso_vnet *v, const char **why)
{
	if (rbuf_get_u8(rb, &v->gv_flags) == -1 ||
	    rbuf_get_u8(rb, &v->gv_type) == -1 ||
	    rbuf_get_u16h(rb, &v->gv_hdrlen) == -1 ||
	    rbuf_get_u16h(rb, &v->gv_size) == -1 ||
	    rbuf_get_u16h(rb, &v->gv_csum_start) == -1 ||
	    rbuf_get_u16h(rb, &v->gv_csum_off) == -1) {
		*why = "shorter than its vnet header";
		return -1;
	}
	return 0;
}

void
gso_vnet_put(const struct gso_vnet *v, uint8_t *b)
{
	b[0] = v->gv_flags;
	b[1] = v->gv_type;
	memcpy(b + 2, &v->gv_hdrlen, 2);
	memcpy(b + 4, &v->gv_size, 2);
	memcpy(b + 6, &v->gv_csum_start, 2);
	memcpy(b + 8, &v->gv_csum_off, 2);
}

/*
 * Add len bytes at p (starting at an even offset of the sum) to acc.
 * 32-bit words go into two 64-bit sums that cannot overflow for any IP
 * packet and that the compiler can vectorize (1.7 times as fast as one
 * 64-bit sum with end-around carries, for 1400 bytes).
 */
static uint64_t
gso_sum(uint64_t acc, const uint8_t *p, size_t len)
{
	uint64_t a0 = 0, a1 = 0;
	uint32_t w0, w1;
	uint16_t h;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w0, p, 4);
		memcpy(&w1, p + 4, 4);
		a0 += w0;
		a1 += w1;
	}
	if (len >= 4) {
		memcpy(&w0, p, 4);
		a0 += w0;
		p += 4, len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		a1 += h;
		p += 2, len -= 2;
	}
	if (len == 1) {
		memcpy(&h, (const uint8_t[2]){ p[0], 0 }, 2);
		a0 += h;
	}
	a0 += a1;
	a0 = (a0 & 0xffffffff) + (a0 >> 32);
	acc += a0;
	return acc + (acc < a0);	/* end-around carry */
}

/* Fold to 16 bits, as the bytes would lie in memory (network order). */
static uint16_t
gso_fold(uint64_t acc)
{
	uint16_t h;
	uint8_t b[2];

	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	h = (uint16_t)acc;
	memcpy(b, &h, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* The pseudo-header's sum for an upper layer of l4len bytes. */
static uint64_t
gso_pseudo(const uint8_t *ip, size_t l4len, uint8_t proto)
{
	uint8_t tail[8];
	uint64_t acc;

	if (ip[0] >> 4 == 4) {
		acc = gso_sum(0, ip + 12, 8);
		tail[0] = 0, tail[1] = proto;
		tail[2] = (uint8_t)(l4len >> 8), tail[3] = (uint8_t)l4len;
		return gso_sum(acc, tail, 4);
	}
	acc = gso_sum(0, ip + 8, 32);
	tail[0] = (uint8_t)(l4len >> 24), tail[1] = (uint8_t)(l4len >> 16);
	tail[2] = (uint8_t)(l4len >> 8), tail[3] = (uint8_t)l4len;
	tail[4] = tail[5] = tail[6] = 0, tail[7] = proto;
	return gso_sum(acc, tail, 8);
}

uint16_t
gso_l4_cksum(const uint8_t *p, size_t len, size_t off, uint8_t proto)
{
	uint64_t acc = gso_pseudo(p, len - off, proto);

	return (uint16_t)~gso_fold(gso_sum(acc, p + off, len - off));
}

static void
gso_put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8), b[1] = (uint8_t)v;
}

/*
 * A packet whose checksum the kernel left to us (VIRTIO_NET_HDR_F_
 * NEEDS_CSUM): sum from csum_start to the end, the field at csum_offset
 * already holding the pseudo-header's sum, and store the complement
 * there (0 as 0xffff, which is the same for TCP and required for UDP).
 */
static int
gso_complete(const struct gso_vnet *v, uint8_t *p, size_t len,
    const char **why)
{
	size_t start = v->gv_csum_start, at = start + v->gv_csum_off;
	uint16_t c;

	if (start >= len || at + 2 > len) {
		*why = "vnet checksum offsets beyond the packet";
		return -1;
	}
	c = (uint16_t)~gso_fold(gso_sum(0, p + start, len - start));
	gso_put16(p + at, c == 0 ? 0xffff : c);
	return 0;
}

/* The IP and TCP header lengths of a TCP packet of the given family;
 * the buffer must hold exactly the packet. */
static int
gso_tcp_headers(const uint8_t *p, size_t len, int v6, size_t *iphl,
    size_t *hl, const char **why)
{
	struct rbuf rb;
	sa_family_t af;
	size_t prev;
	uint16_t frag;
	uint8_t b, proto;

	rbuf_init(&rb, p, len);
	if ((af = pkt_family(&rb, why)) == AF_UNSPEC)
		return -1;
	if ((af == AF_INET6) != v6) {
		*why = "GSO type does not match the IP version";
		return -1;
	}
	if (!v6) {
		(void)rbuf_peek_u8(&rb, 0, &b);
		(void)rbuf_peek_u16(&rb, 6, &frag);
		(void)rbuf_peek_u8(&rb, 9, &proto);
		*iphl = (size_t)(b & 0x0f) * 4;
		if ((frag & 0x3fff) != 0) {
			*why = "GSO packet is a fragment";
			return -1;
		}
	} else if (pkt_v6_walk(&rb, PKT_V6_UNFRAG, iphl, &prev, why) != 0 ||
	    rbuf_peek_u8(&rb, prev, &proto) == -1)
		return -1;
	if (proto != IPPROTO_TCP) {
		*why = "GSO packet is not TCP";
		return -1;
	}
	if (rbuf_peek_u8(&rb, *iphl + 12, &b) == -1 || (b >> 4) < 5 ||
	    *iphl + (size_t)(b >> 4) * 4 > len) {
		*why = "GSO packet's TCP header truncated";
		return -1;
	}
	*hl = *iphl + (size_t)(b >> 4) * 4;
	return 0;
}

/* Make segment k (n payload bytes at seq) of a TCP super-packet. */
static void
gso_tcp_fix(uint8_t *s, size_t len, size_t iphl, uint32_t seq, uint16_t id,
    int first, int last)
{
	uint8_t *th = s + iphl;

	if (s[0] >> 4 == 4) {
		gso_put16(s + 2, (uint16_t)len);
		gso_put16(s + 4, id);
		pkt_v4_set_cksum(s);
	} else
		gso_put16(s + 4, (uint16_t)(len - 40));
	th[4] = (uint8_t)(seq >> 24), th[5] = (uint8_t)(seq >> 16);
	th[6] = (uint8_t)(seq >> 8), th[7] = (uint8_t)seq;
	if (!last)
		th[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (!first)
		th[13] &= (uint8_t)~TCP_CWR;
	th[16] = th[17] = 0;
	gso_put16(th + TCP_CSUM_OFF, gso_l4_cksum(s, len, iphl, IPPROTO_TCP));
}

int
gso_split(const struct gso_vnet *v, uint8_t *p, size_t len, struct wbuf *seg,
    int (*fn)(void *, const uint8_t *, size_t), void *arg, const char **why)
{
	uint8_t type = v->gv_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	size_t iphl, hl, pay, off = 0, n;
	uint32_t seq;
	uint16_t id;
	uint8_t *s;

	if (type == VIRTIO_NET_HDR_GSO_NONE) {
		if ((v->gv_flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    gso_complete(v, p, len, why) == -1)
			return -1;
		return fn(arg, p, len);
	}
	if (type != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    type != VIRTIO_NET_HDR_GSO_TCPV6) {
		*why = "GSO type not offered";
		return -1;
	}
	if (gso_tcp_headers(p, len, type == VIRTIO_NET_HDR_GSO_TCPV6, &iphl,
	    &hl, why) == -1)
		return -1;
	if (v->gv_size == 0) {
		*why = "GSO segment size 0";
		return -1;
	}
	pay = len - hl;
	seq = (uint32_t)p[iphl + 4] << 24 | (uint32_t)p[iphl + 5] << 16 |
	    (uint32_t)p[iphl + 6] << 8 | p[iphl + 7];
	id = (uint16_t)(p[4] << 8 | p[5]);
	do {
		n = pay - off < v->gv_size ? pay - off : v->gv_size;
		wbuf_reset(seg);
		wbuf_put_bytes(seg, p, hl);
		if (wbuf_put_bytes(seg, p + hl + off, n) == -1) {
			*why = "GSO segment too large";
			return -1;
		}
		s = wbuf_data(seg);
		gso_tcp_fix(s, hl + n, iphl, seq + (uint32_t)off,
		    (uint16_t)(id + off / v->gv_size), off == 0,
		    off + n == pay);
		if (fn(arg, s, hl + n) == -1)
			return -1;
		off += n;
	} while (off < pay);
	return 0;
}

/* A decrypted TCP segment as the merge sees it. */
struct gso_tcp {
	size_t		 t_iphl;
	size_t		 t_hl;
	size_t		 t_pay;
	uint32_t	 t_seq;
	uint8_t		 t_flags;
};

/*
 * 0 if p is a TCP segment that may be merged, 1 if it is TCP but may not
 * (flags, options of IPv4, a bad checksum; t_iphl set for the flow key),
 * -1 if it is no TCP packet we know.
 */
static int
gso_tcp_parse(const uint8_t *p, size_t len, struct gso_tcp *t)
{
	struct rbuf rb;
	uint16_t frag;
	uint8_t b, doff, proto;

	rbuf_init(&rb, p, len);
	if (rbuf_peek_u8(&rb, 0, &b) == -1)
		return -1;
	if (b >> 4 == 4) {
		if (rbuf_peek_u8(&rb, 9, &proto) == -1 ||
		    rbuf_peek_u16(&rb, 6, &frag) == -1 ||
		    proto != IPPROTO_TCP || (frag & 0x3fff) != 0 ||
		    (b & 0x0f) < 5)
			return -1;
		t->t_iphl = (size_t)(b & 0x0f) * 4;
	} else if (b >> 4 == 6) {
		if (rbuf_peek_u8(&rb, 6, &proto) == -1 ||
		    proto != IPPROTO_TCP || len < 40)
			return -1;
		t->t_iphl = 40;
	} else
		return -1;
	if (rbuf_peek_u8(&rb, t->t_iphl + 12, &doff) == -1 ||
	    (doff >> 4) < 5 || t->t_iphl + (size_t)(doff >> 4) * 4 > len)
		return -1;
	t->t_hl = t->t_iphl + (size_t)(doff >> 4) * 4;
	t->t_pay = len - t->t_hl;
	t->t_flags = p[t->t_iphl + 13];
	(void)rbuf_peek_u32(&rb, t->t_iphl + 4, &t->t_seq);
	if ((b >> 4 == 4 && t->t_iphl != 20) || t->t_pay == 0 ||
	    (t->t_flags & (uint8_t)~TCP_PSH) != TCP_ACK ||
	    gso_l4_cksum(p, len, t->t_iphl, IPPROTO_TCP) != 0)
		return 1;
	return 0;
}

/* Same addresses and ports. */
static int
gso_same_flow(const uint8_t *a, size_t aiphl, const uint8_t *b,
    size_t biphl)
{
	if (a[0] >> 4 != b[0] >> 4 || aiphl != biphl)
		return 0;
	if (a[0] >> 4 == 4 ? memcmp(a + 12, b + 12, 8) != 0 :
	    memcmp(a + 8, b + 8, 32) != 0)
		return 0;
	return memcmp(a + aiphl, b + biphl, 4) == 0;
}

/*
 * Everything GRO wants equal between two segments of a flow: the IP
 * header but for lengths, ID and checksum; the TCP header but for
 * sequence number, flags and checksum (options included: timestamps).
 */
static int
gso_same_headers(const uint8_t *a, const uint8_t *b, size_t iphl, size_t hl)
{
	const uint8_t *ta = a + iphl, *tb = b + iphl;

	if (a[0] >> 4 == 4) {
		if (memcmp(a, b, 2) != 0 || memcmp(a + 6, b + 6, 4) != 0)
			return 0;
	} else if (memcmp(a, b, 4) != 0 || memcmp(a + 6, b + 6, 2) != 0)
		return 0;
	return memcmp(ta + 8, tb + 8, 5) == 0 &&
	    memcmp(ta + 14, tb + 14, 2) == 0 &&
	    memcmp(ta + 18, tb + 18, hl - iphl - 18) == 0;
}

int
gso_merge_init(struct gso_merge *m, gso_out_fn out, void *arg)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->gm_out = out;
	m->gm_arg = arg;
	for (i = 0; i < GSO_SLOTS; i++)
		if (wbuf_init(&m->gm_slot[i].gs_buf, GSO_VNET_HDRLEN + GSO_MAX,
		    GSO_VNET_HDRLEN + GSO_MAX) == -1)
			return -1;
	return 0;
}

void
gso_merge_free(struct gso_merge *m)
{
	size_t i;

	for (i = 0; i < GSO_SLOTS; i++) {
		/* Decrypted traffic. */
		if (wbuf_data(&m->gm_slot[i].gs_buf) != NULL)
			mem_wipe(wbuf_data(&m->gm_slot[i].gs_buf),
			    wbuf_len(&m->gm_slot[i].gs_buf));
		wbuf_free(&m->gm_slot[i].gs_buf);
	}
}

/* Write a slot's packet: one segment as it came, or a GSO packet. */
static void
gso_slot_flush(struct gso_merge *m, struct gso_slot *s)
{
	struct gso_vnet v;
	uint8_t *b = wbuf_data(&s->gs_buf), *pkt = b + GSO_VNET_HDRLEN;
	size_t len = wbuf_len(&s->gs_buf) - GSO_VNET_HDRLEN;
	int v6 = pkt[0] >> 4 == 6;

	if (s->gs_nseg == 0)
		return;
	memset(&v, 0, sizeof(v));
	if (s->gs_nseg == 1)
		v.gv_flags = VIRTIO_NET_HDR_F_DATA_VALID;
	else {
		if (!v6) {
			gso_put16(pkt + 2, (uint16_t)len);
			pkt_v4_set_cksum(pkt);
		} else
			gso_put16(pkt + 4, (uint16_t)(len - 40));
		gso_put16(pkt + s->gs_iphl + TCP_CSUM_OFF,
		    gso_fold(gso_pseudo(pkt, len - s->gs_iphl, IPPROTO_TCP)));
		v.gv_flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		v.gv_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
		    VIRTIO_NET_HDR_GSO_TCPV4;
		v.gv_hdrlen = (uint16_t)s->gs_hl;
		v.gv_size = s->gs_mss;
		v.gv_csum_start = (uint16_t)s->gs_iphl;
		v.gv_csum_off = TCP_CSUM_OFF;
	}
	gso_vnet_put(&v, b);
	(void)m->gm_out(m->gm_arg, b, pkt, len, s->gs_nseg);
	s->gs_nseg = 0;
}

void
gso_merge_flush(struct gso_merge *m)
{
	size_t i;

	for (i = 0; i < GSO_SLOTS; i++)
		gso_slot_flush(m, &m->gm_slot[i]);
}

/* Append t's payload to s if it continues s; 1 if it did. */
static int
gso_append(struct gso_slot *s, const uint8_t *p, const struct gso_tcp *t)
{
	uint8_t *head = wbuf_data(&s->gs_buf) + GSO_VNET_HDRLEN;

	if (s->gs_closed || t->t_hl != s->gs_hl || t->t_seq != s->gs_next ||
	    t->t_pay > s->gs_mss ||
	    wbuf_len(&s->gs_buf) + t->t_pay > GSO_VNET_HDRLEN + GSO_MAX ||
	    !gso_same_headers(head, p, s->gs_iphl, s->gs_hl))
		return 0;
	if (wbuf_put_bytes(&s->gs_buf, p + t->t_hl, t->t_pay) == -1)
		return 0;
	head = wbuf_data(&s->gs_buf) + GSO_VNET_HDRLEN;	/* it may move */
	s->gs_next += (uint32_t)t->t_pay;
	s->gs_nseg++;
	if (t->t_pay < s->gs_mss || (t->t_flags & TCP_PSH)) {
		head[s->gs_iphl + 13] |= t->t_flags & TCP_PSH;
		s->gs_closed = 1;
	}
	return 1;
}

/* Start s with t. */
static void
gso_slot_start(struct gso_slot *s, const uint8_t *p, size_t len,
    const struct gso_tcp *t)
{
	wbuf_reset(&s->gs_buf);
	(void)wbuf_reserve(&s->gs_buf, GSO_VNET_HDRLEN, NULL);
	(void)wbuf_put_bytes(&s->gs_buf, p, len);
	s->gs_iphl = t->t_iphl;
	s->gs_hl = t->t_hl;
	s->gs_next = t->t_seq + (uint32_t)t->t_pay;
	s->gs_mss = (uint16_t)t->t_pay;
	s->gs_nseg = 1;
	s->gs_closed = (t->t_flags & TCP_PSH) != 0;
}

void
gso_merge_add(struct gso_merge *m, const uint8_t *p, size_t len)
{
	static const uint8_t none[GSO_VNET_HDRLEN];
	struct gso_slot *s, *flow = NULL, *free = NULL;
	struct gso_tcp t;
	size_t i;
	int rc;

	rc = gso_tcp_parse(p, len, &t);
	for (i = 0; rc != -1 && i < GSO_SLOTS; i++) {
		s = &m->gm_slot[i];
		if (s->gs_nseg == 0) {
			if (free == NULL)
				free = s;
		} else if (gso_same_flow(wbuf_data(&s->gs_buf) +
		    GSO_VNET_HDRLEN, s->gs_iphl, p, t.t_iphl))
			flow = s;
	}
	if (rc == 0 && flow != NULL && gso_append(flow, p, &t)) {
		m->gm_merged++;
		return;
	}
	/* What came before in this flow goes first. */
	if (flow != NULL)
		gso_slot_flush(m, flow);
	if (rc != 0) {
		(void)m->gm_out(m->gm_arg, none, p, len, 1);
		return;
	}
	if ((s = flow != NULL ? flow : free) == NULL) {
		s = &m->gm_slot[m->gm_next];
		m->gm_next = (m->gm_next + 1) % GSO_SLOTS;
		gso_slot_flush(m, s);
	}
	gso_slot_start(s, p, len, &t);
}
