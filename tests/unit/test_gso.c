/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/ipsecd/gso.c: a TCP super-packet from the TUN is cut
 * into segments with right lengths, sequence numbers, flags, IDs and
 * checksums (checked with pkt_cksum over a pseudo-header built here);
 * merging those segments gives the super-packet back; partial checksums
 * are completed; malformed vnet headers and packets are refused; what may
 * not be merged passes through in order.
 */
#include <linux/virtio_net.h>
#include <netinet/in.h>

#include "gso.h"
#include "pkt.h"
#include "test_helper.h"

#define PAY	3000
#define MSS	1000
#define OPTLEN	12		/* NOP NOP timestamps */

static uint8_t	 pkt[128 + PAY];
static size_t	 pktlen, iphl;

/* What the callbacks saw. */
static uint8_t	 got[8][2048];
static size_t	 gotlen[8], ngot;
static uint8_t	 merged[GSO_VNET_HDRLEN + 128 + PAY];
static size_t	 mergedlen, mergedseg, nout;

static void
put16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8), b[1] = (uint8_t)v;
}

/* A TCP packet of pay bytes at seq 1000, flags, over IPv4 or IPv6. */
static void
make(int v6, size_t pay, uint8_t flags)
{
	uint8_t *th;
	size_t i;

	memset(pkt, 0, sizeof(pkt));
	iphl = v6 ? 40 : 20;
	pktlen = iphl + 20 + OPTLEN + pay;
	if (!v6) {
		pkt[0] = 0x45;
		put16(pkt + 2, (unsigned)pktlen);
		put16(pkt + 4, 0x1234);
		pkt[6] = 0x40;				/* DF */
		pkt[8] = 64, pkt[9] = IPPROTO_TCP;
		pkt[12] = 10, pkt[15] = 1, pkt[16] = 10, pkt[19] = 2;
		pkt_v4_set_cksum(pkt);
	} else {
		pkt[0] = 0x60;
		put16(pkt + 4, (unsigned)(pktlen - 40));
		pkt[6] = IPPROTO_TCP, pkt[7] = 64;
		pkt[8] = 0xfd, pkt[23] = 1, pkt[24] = 0xfd, pkt[39] = 2;
	}
	th = pkt + iphl;
	put16(th, 40000), put16(th + 2, 5001);
	th[4] = 0, th[5] = 0, th[6] = 0x03, th[7] = 0xe8;	/* 1000 */
	th[11] = 7;						/* ack */
	th[12] = (20 + OPTLEN) / 4 << 4;
	th[13] = flags;
	put16(th + 14, 512);
	th[20] = 1, th[21] = 1, th[22] = 8, th[23] = 10;
	th[24] = 0xaa, th[28] = 0xbb;
	for (i = 0; i < pay; i++)
		th[20 + OPTLEN + i] = (uint8_t)(i * 7 + 3);
}

/* Checksum of a TCP packet over a pseudo-header, with pkt_cksum. */
static uint16_t
tcp_check(const uint8_t *p, size_t len, size_t hl)
{
	static uint8_t b[40 + 2048];
	size_t l4 = len - hl, n;

	ASSERT_TRUE(l4 <= 2048);
	memset(b, 0, 40);
	if (p[0] >> 4 == 4) {
		memcpy(b, p + 12, 8);
		b[9] = IPPROTO_TCP;
		put16(b + 10, (unsigned)l4);
		n = 12;
	} else {
		memcpy(b, p + 8, 32);
		put16(b + 34, (unsigned)l4);
		b[39] = IPPROTO_TCP;
		n = 40;
	}
	memcpy(b + n, p + hl, l4);
	return pkt_cksum(b, n + l4);
}

static int
collect(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	if (ngot >= 8 || len > sizeof(got[0]))
		return -1;
	memcpy(got[ngot], p, len);
	gotlen[ngot++] = len;
	return 0;
}

static int
out(void *arg, const uint8_t *vnet, const uint8_t *p, size_t len,
    size_t nseg)
{
	(void)arg;
	ASSERT_TRUE(len + GSO_VNET_HDRLEN <= sizeof(merged));
	memcpy(merged, vnet, GSO_VNET_HDRLEN);
	memcpy(merged + GSO_VNET_HDRLEN, p, len);
	mergedlen = len;
	mergedseg = nseg;
	nout++;
	return 0;
}

static struct gso_vnet
tso(int v6)
{
	struct gso_vnet v;

	memset(&v, 0, sizeof(v));
	v.gv_flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	v.gv_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	v.gv_hdrlen = (uint16_t)(iphl + 20 + OPTLEN);
	v.gv_size = MSS;
	v.gv_csum_start = (uint16_t)iphl;
	v.gv_csum_off = 16;
	return v;
}

static void
split_and_merge(int v6)
{
	static uint8_t orig[sizeof(pkt)];
	struct gso_merge m;
	struct gso_vnet v, mv;
	struct wbuf seg;
	struct rbuf rb;
	const char *why = NULL;
	size_t i, hl;
	uint8_t *th;

	make(v6, PAY, 0x10 | 0x08 | 0x80);	/* ACK PSH CWR */
	memcpy(orig, pkt, pktlen);
	hl = iphl + 20 + OPTLEN;
	v = tso(v6);
	ngot = 0;
	ASSERT_INT_EQ(wbuf_init(&seg, 2048, 65535 + 512), 0);
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen, &seg, collect, NULL, &why),
	    0);
	ASSERT_INT_EQ(ngot, PAY / MSS);
	for (i = 0; i < ngot; i++) {
		th = got[i] + iphl;
		ASSERT_INT_EQ(gotlen[i], hl + MSS);
		if (!v6) {
			ASSERT_INT_EQ(got[i][2] << 8 | got[i][3], hl + MSS);
			ASSERT_INT_EQ(got[i][4] << 8 | got[i][5], 0x1234 + i);
			ASSERT_INT_EQ(pkt_cksum(got[i], 20), 0);
		} else
			ASSERT_INT_EQ(got[i][4] << 8 | got[i][5],
			    hl + MSS - 40);
		ASSERT_INT_EQ(th[6] << 8 | th[7], 1000 + i * MSS);
		ASSERT_INT_EQ(th[13] & 0x08, i == ngot - 1 ? 0x08 : 0);
		ASSERT_INT_EQ(th[13] & 0x80, i == 0 ? 0x80 : 0);
		ASSERT_INT_EQ(tcp_check(got[i], gotlen[i], iphl), 0);
		ASSERT_INT_EQ(gso_l4_cksum(got[i], gotlen[i], iphl,
		    IPPROTO_TCP), 0);
		ASSERT_MEM_EQ(th + 20 + OPTLEN, orig + hl + i * MSS, MSS);
	}
	wbuf_free(&seg);

	/* The merge takes no CWR: only segments 1 and 2 join. */
	ASSERT_INT_EQ(gso_merge_init(&m, out, NULL), 0);
	nout = 0;
	for (i = 0; i < ngot; i++)
		gso_merge_add(&m, got[i], gotlen[i]);
	ASSERT_INT_EQ(nout, 1);			/* segment 0 went through */
	ASSERT_INT_EQ(mergedseg, 1);
	gso_merge_flush(&m);
	ASSERT_INT_EQ(nout, 2);
	ASSERT_INT_EQ(mergedseg, 2);
	ASSERT_INT_EQ(mergedlen, hl + 2 * MSS);
	rbuf_init(&rb, merged, GSO_VNET_HDRLEN);
	ASSERT_INT_EQ(gso_vnet_get(&rb, &mv, &why), 0);
	ASSERT_INT_EQ(mv.gv_flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ASSERT_INT_EQ(mv.gv_type, v.gv_type);
	ASSERT_INT_EQ(mv.gv_size, MSS);
	ASSERT_INT_EQ(mv.gv_hdrlen, hl);
	ASSERT_INT_EQ(mv.gv_csum_start, iphl);
	ASSERT_INT_EQ(mv.gv_csum_off, 16);
	th = merged + GSO_VNET_HDRLEN + iphl;
	ASSERT_INT_EQ(th[6] << 8 | th[7], 1000 + MSS);
	ASSERT_INT_EQ(th[13], 0x10 | 0x08);	/* PSH of the last */
	ASSERT_MEM_EQ(merged + GSO_VNET_HDRLEN + hl, orig + hl + MSS, 2 * MSS);

	/* Split again, the way the kernel would: the same two segments. */
	ngot = 0;
	ASSERT_INT_EQ(wbuf_init(&seg, 2048, 65535 + 512), 0);
	ASSERT_INT_EQ(gso_split(&mv, merged + GSO_VNET_HDRLEN, mergedlen,
	    &seg, collect, NULL, &why), 0);
	ASSERT_INT_EQ(ngot, 2);
	ASSERT_INT_EQ(tcp_check(got[0], gotlen[0], iphl), 0);
	ASSERT_INT_EQ(tcp_check(got[1], gotlen[1], iphl), 0);
	wbuf_free(&seg);
	gso_merge_free(&m);
}

static void
t_split_merge_v4(void)
{
	split_and_merge(0);
}

static void
t_split_merge_v6(void)
{
	split_and_merge(1);
}

/* A plain packet with a partial checksum: completed from csum_start. */
static void
t_partial_checksum(void)
{
	struct gso_vnet v;
	const char *why = NULL;
	uint64_t sum = 0;
	uint8_t *th;
	size_t i;

	make(0, 333, 0x18);
	th = pkt + iphl;
	/* The kernel leaves the pseudo-header's folded sum in the field. */
	th[16] = th[17] = 0;
	ASSERT_INT_EQ(tcp_check(pkt, pktlen, iphl) != 0, 1);
	for (i = 12; i < 20; i += 2)
		sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
	sum += IPPROTO_TCP + (pktlen - iphl);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(th + 16, (unsigned)sum);
	v = tso(0);
	v.gv_type = VIRTIO_NET_HDR_GSO_NONE;
	ngot = 0;
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen, NULL, collect, NULL, &why),
	    0);
	ASSERT_INT_EQ(ngot, 1);
	ASSERT_INT_EQ(tcp_check(got[0], gotlen[0], iphl), 0);
	/* Without NEEDS_CSUM nothing is touched. */
	pkt[pktlen - 1] ^= 1;
	v.gv_flags = 0;
	ngot = 0;
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen, NULL, collect, NULL, &why),
	    0);
	ASSERT_MEM_EQ(got[0], pkt, pktlen);
}

static void
t_refused(void)
{
	struct gso_vnet v;
	struct wbuf seg;
	struct rbuf rb;
	const char *why;
	uint8_t short_hdr[6] = { 0 };

	ASSERT_INT_EQ(wbuf_init(&seg, 2048, 65535 + 512), 0);
	rbuf_init(&rb, short_hdr, sizeof(short_hdr));
	why = NULL;
	ASSERT_INT_EQ(gso_vnet_get(&rb, &v, &why), -1);
	ASSERT_TRUE(why != NULL);
	make(0, PAY, 0x10);
	v = tso(0);
	ngot = 0;
	v.gv_type = VIRTIO_NET_HDR_GSO_UDP;
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen, &seg, collect, NULL, &why),
	    -1);
	v = tso(1);				/* IPv6 type, IPv4 packet */
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen, &seg, collect, NULL, &why),
	    -1);
	v = tso(0);
	v.gv_size = 0;
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen, &seg, collect, NULL, &why),
	    -1);
	v = tso(0);				/* length field disagrees */
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen - 1, &seg, collect, NULL,
	    &why), -1);
	v.gv_type = VIRTIO_NET_HDR_GSO_NONE;	/* offsets past the end */
	v.gv_csum_start = (uint16_t)(pktlen - 1);
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen, &seg, collect, NULL, &why),
	    -1);
	pkt[iphl + 12] = 4 << 4;		/* TCP header of 16 bytes */
	v = tso(0);
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen, &seg, collect, NULL, &why),
	    -1);
	pkt[iphl + 12] = 0xf0;
	pkt[9] = IPPROTO_UDP;
	pkt_v4_set_cksum(pkt);
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen, &seg, collect, NULL, &why),
	    -1);
	ASSERT_INT_EQ(ngot, 0);
	wbuf_free(&seg);
}

/* A bad checksum or a gap: passed on as they are, in order. */
static void
t_merge_refuses(void)
{
	static uint8_t a[2048], b[2048], c[2048];
	struct gso_merge m;
	struct gso_vnet v;
	struct wbuf seg;
	const char *why = NULL;
	size_t alen, blen, clen;

	ASSERT_INT_EQ(wbuf_init(&seg, 2048, 65535 + 512), 0);
	make(0, PAY, 0x10);
	v = tso(0);
	ngot = 0;
	ASSERT_INT_EQ(gso_split(&v, pkt, pktlen, &seg, collect, NULL, &why),
	    0);
	memcpy(a, got[0], alen = gotlen[0]);
	memcpy(b, got[1], blen = gotlen[1]);
	memcpy(c, got[2], clen = gotlen[2]);
	ASSERT_INT_EQ(gso_merge_init(&m, out, NULL), 0);
	/* a, then c (a gap): a is written before c starts a new packet. */
	nout = 0;
	gso_merge_add(&m, a, alen);
	ASSERT_INT_EQ(nout, 0);
	gso_merge_add(&m, c, clen);
	ASSERT_INT_EQ(nout, 1);
	ASSERT_MEM_EQ(merged + GSO_VNET_HDRLEN, a, alen);
	ASSERT_INT_EQ(merged[0], VIRTIO_NET_HDR_F_DATA_VALID);
	gso_merge_flush(&m);
	ASSERT_INT_EQ(nout, 2);
	ASSERT_MEM_EQ(merged + GSO_VNET_HDRLEN, c, clen);
	/* A corrupted segment is not vouched for: no vnet flags. */
	b[blen - 1] ^= 0x40;
	nout = 0;
	gso_merge_add(&m, a, alen);
	gso_merge_add(&m, b, blen);
	ASSERT_INT_EQ(nout, 2);
	ASSERT_INT_EQ(merged[0], 0);
	ASSERT_INT_EQ(mergedseg, 1);
	ASSERT_MEM_EQ(merged + GSO_VNET_HDRLEN, b, blen);
	gso_merge_flush(&m);
	ASSERT_INT_EQ(nout, 2);
	gso_merge_free(&m);
	wbuf_free(&seg);
}

int
main(void)
{
	TEST_RUN(t_split_merge_v4);
	TEST_RUN(t_split_merge_v6);
	TEST_RUN(t_partial_checksum);
	TEST_RUN(t_refused);
	TEST_RUN(t_merge_refuses);
	return test_done();
}
