/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * AF_PACKET TPACKET_V3 receive ring with a BPF filter, raw sockets with the
 * bypass mark for sending, and the ESP/AH sinks.  The ring's block and
 * frame headers are written by the kernel; they are read through struct
 * rbuf over the block and checked against the block's length, except for
 * the block status word, which is the hand-over point between kernel and
 * us and is accessed atomically.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/udp.h>
#include <linux/virtio_net.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "pkt.h"
#include "wire.h"

#define RING_BLOCKSZ	(1u << 20)
#define RING_NBLOCKS	16
#define RING_FRAMESZ	2048
#define RING_TIMEOUT	1		/* ms before a partial block is retired */
#define SNAPLEN		(65535 + 256)	/* an IP packet and a link header */
#define N(off)		((uint32_t)SKF_NET_OFF + (off))

#define ESP_IN_UDP_PORT	4500

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5	/* Linux 6.2; older headers */
#endif
#ifndef SOL_UDP
#define SOL_UDP		17
#endif

/*
 * Classic BPF over the network header: the socket is SOCK_RAW (the
 * virtio-net header needs it), so offsets are from SKF_NET_OFF, whatever
 * the link layer.  Accept incoming
 * ESP, AH, UDP to 4500 whose first four payload bytes are not zero,
 * IPv4 fragments past the first, and IPv6 fragment headers.
 */
static struct sock_filter wire_bpf[] = {
	/* 0 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
	/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 24, 0),
	/* 2 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
	/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 1, 0),
	/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 11, 21),
	/* 5: IPv4 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, N(6)),
	/* 6 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 18, 0),
	/* 7 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, N(9)),
	/* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ESP, 16, 0),
	/* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_AH, 15, 0),
	/* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 15),
	/* 11 */ BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, N(0)),
	/* 12 */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, N(2)),
	/* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ESP_IN_UDP_PORT, 0, 12),
	/* 14 */ BPF_STMT(BPF_LD | BPF_W | BPF_IND, N(8)),
	/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 10, 9),
	/* 16: IPv6 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, N(6)),
	/* 17 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ESP, 7, 0),
	/* 18 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_AH, 6, 0),
	/* 19 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_FRAGMENT, 5, 0),
	/* 20 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 5),
	/* 21 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, N(42)),
	/* 22 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ESP_IN_UDP_PORT, 0, 3),
	/* 23 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N(48)),
	/* 24 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
	/* 25: accept */ BPF_STMT(BPF_RET | BPF_K, SNAPLEN),
	/* 26: drop */ BPF_STMT(BPF_RET | BPF_K, 0),
};

static struct sock_filter drop_all[] = {
	BPF_STMT(BPF_RET | BPF_K, 0),
};

static int
attach(int fd, struct sock_filter *code, size_t n)
{
	struct sock_fprog prog = { (unsigned short)n, code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog));
}

static int
wire_open_ring(struct wire *w)
{
	struct tpacket_req3 req;
	struct sockaddr_ll sll;
	int v = TPACKET_V3, on = 1;

	if ((w->w_rx = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = RING_BLOCKSZ;
	req.tp_block_nr = RING_NBLOCKS;
	req.tp_frame_size = RING_FRAMESZ;
	req.tp_frame_nr = RING_BLOCKSZ / RING_FRAMESZ * RING_NBLOCKS;
	req.tp_retire_blk_tov = RING_TIMEOUT;
	if (attach(w->w_rx, wire_bpf, sizeof(wire_bpf) /
	    sizeof(wire_bpf[0])) == -1 ||
	    setsockopt(w->w_rx, SOL_PACKET, PACKET_VERSION, &v,
	    sizeof(v)) == -1 ||
	    setsockopt(w->w_rx, SOL_PACKET, PACKET_VNET_HDR, &on,
	    sizeof(on)) == -1 ||
	    setsockopt(w->w_rx, SOL_PACKET, PACKET_RX_RING, &req,
	    sizeof(req)) == -1)
		return -1;
	w->w_blocksz = RING_BLOCKSZ;
	w->w_nblocks = RING_NBLOCKS;
	w->w_ringlen = (size_t)RING_BLOCKSZ * RING_NBLOCKS;
	w->w_ring = mmap(NULL, w->w_ringlen, PROT_READ | PROT_WRITE,
	    MAP_SHARED, w->w_rx, 0);
	if (w->w_ring == MAP_FAILED) {
		w->w_ring = NULL;
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	return bind(w->w_rx, (struct sockaddr *)&sll, sizeof(sll));
}

static int
wire_open_tx(struct wire *w, uint32_t mark)
{
	int on = 1;

	w->w_tx4 = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_RAW);
	w->w_tx6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_RAW);
	if (w->w_tx4 == -1 || w->w_tx6 == -1 ||
	    setsockopt(w->w_tx4, SOL_SOCKET, SO_MARK, &mark,
	    sizeof(mark)) == -1 ||
	    setsockopt(w->w_tx6, SOL_SOCKET, SO_MARK, &mark,
	    sizeof(mark)) == -1 ||
	    setsockopt(w->w_tx6, IPPROTO_IPV6, IPV6_HDRINCL, &on,
	    sizeof(on)) == -1)
		return -1;
	return 0;
}

/*
 * A UDP GSO sender of family af: bypass mark, no fragmentation flag set
 * (like the raw path's tunnel headers), any source address (as with
 * IP_HDRINCL), an ephemeral port, and a filter that takes nothing in.
 */
static int
wire_open_udp(int af, uint32_t mark, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = af == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
	int fd, on = 1, dont = IP_PMTUDISC_DONT, dont6 = IPV6_PMTUDISC_DONT;

	if ((fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)af;
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == -1 ||
	    attach(fd, drop_all, 1) == -1 ||
	    (af == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont,
	    sizeof(dont)) : setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
	    sizeof(on)) | setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
	    &dont6, sizeof(dont6))) == -1 ||
	    (af == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_TRANSPARENT, &on,
	    sizeof(on)) : setsockopt(fd, IPPROTO_IPV6, IPV6_TRANSPARENT, &on,
	    sizeof(on))) == -1 ||
	    bind(fd, (struct sockaddr *)&ss, sl) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(af == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static int
wire_open_sinks(struct wire *w)
{
	static const int fam[4] = { AF_INET, AF_INET, AF_INET6, AF_INET6 };
	static const int proto[4] = { IPPROTO_ESP, IPPROTO_AH, IPPROTO_ESP,
	    IPPROTO_AH };
	int i;

	for (i = 0; i < 4; i++)
		if ((w->w_sink[i] = socket(fam[i], SOCK_RAW | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, proto[i])) == -1 ||
		    attach(w->w_sink[i], drop_all, 1) == -1)
			return -1;
	return 0;
}

int
wire_open(struct wire *w, uint32_t mark)
{
	int saved, i;

	memset(w, 0, sizeof(*w));
	w->w_rx = w->w_tx4 = w->w_tx6 = w->w_udp4 = w->w_udp6 = -1;
	for (i = 0; i < 4; i++)
		w->w_sink[i] = -1;
	if (wire_open_ring(w) == -1 || wire_open_tx(w, mark) == -1 ||
	    wire_open_sinks(w) == -1) {
		saved = errno;
		wire_close(w);
		errno = saved;
		return -1;
	}
	/* Without them everything goes raw, as before. */
	w->w_udp4 = wire_open_udp(AF_INET, mark, &w->w_udp4_port);
	w->w_udp6 = wire_open_udp(AF_INET6, mark, &w->w_udp6_port);
	if (w->w_udp4 != -1 && w->w_udp6 != -1)
		w->w_gso = 1;
	else
		w->w_gso_err = errno;
	return 0;
}

void
wire_close(struct wire *w)
{
	int i;

	if (w->w_ring != NULL)
		munmap(w->w_ring, w->w_ringlen);
	w->w_ring = NULL;
	if (w->w_rx != -1)
		close(w->w_rx);
	if (w->w_tx4 != -1)
		close(w->w_tx4);
	if (w->w_tx6 != -1)
		close(w->w_tx6);
	if (w->w_udp4 != -1)
		close(w->w_udp4);
	if (w->w_udp6 != -1)
		close(w->w_udp6);
	w->w_udp4 = w->w_udp6 = -1;
	w->w_gso = 0;
	for (i = 0; i < 4; i++)
		if (w->w_sink[i] != -1)
			close(w->w_sink[i]);
	w->w_rx = w->w_tx4 = w->w_tx6 = -1;
}

/*
 * A UDP GSO super-packet (IPv4 or a bare IPv6 header, then UDP): hand
 * each gso-byte datagram of it to fn with its own lengths.  The UDP
 * checksum of the pieces is left zero: the kernel only had a partial one
 * and nothing here reads it.  Returns the number handed over; 0 if the
 * headers are not ones to cut (the packet then goes whole).
 */
static size_t
wire_split(struct wire *w, const struct wire_pkt *sp, size_t gso,
    void (*fn)(void *, const struct wire_pkt *), void *arg)
{
	struct rbuf rb;
	struct wire_pkt p;
	uint8_t v, proto, *h = w->w_seg;
	size_t hl, off, l, n = 0;

	rbuf_init(&rb, sp->wp_data, sp->wp_len);
	/* No piece may outgrow w_seg, not even a lone one (gso >= len). */
	if (gso == 0 || sp->wp_len > 65535 || rbuf_peek_u8(&rb, 0, &v) == -1)
		return 0;
	hl = (v >> 4) == 4 ? (size_t)(v & 0x0f) * 4 : 40;
	if (((v >> 4) != 4 && (v >> 4) != 6) || hl < 20 ||
	    rbuf_peek_u8(&rb, (v >> 4) == 4 ? 9 : 6, &proto) == -1 ||
	    proto != IPPROTO_UDP || sp->wp_len <= hl + 8)
		return 0;
	memcpy(h, sp->wp_data, hl + 8);
	for (off = hl + 8; off < sp->wp_len; off += l) {
		l = sp->wp_len - off < gso ? sp->wp_len - off : gso;
		memcpy(h + hl + 8, sp->wp_data + off, l);
		if ((v >> 4) == 4) {
			h[2] = (uint8_t)((hl + 8 + l) >> 8);
			h[3] = (uint8_t)(hl + 8 + l);
			pkt_v4_set_cksum(h);
		} else {
			h[4] = (uint8_t)((8 + l) >> 8), h[5] = (uint8_t)(8 + l);
		}
		h[hl + 4] = (uint8_t)((8 + l) >> 8), h[hl + 5] = (uint8_t)(8 + l);
		h[hl + 6] = h[hl + 7] = 0;
		p.wp_data = h;
		p.wp_len = hl + 8 + l;
		p.wp_ifindex = sp->wp_ifindex;
		fn(arg, &p);
		n++;
	}
	w->w_rx_gso_pkts++;
	w->w_rx_gso_segs += n;
	return n;
}

/* Walk one retired block's packets. */
static size_t
wire_block(struct wire *w, const uint8_t *blk,
    void (*fn)(void *, const struct wire_pkt *), void *arg)
{
	const size_t hdrlen = TPACKET_ALIGN(sizeof(struct tpacket3_hdr));
	struct rbuf rb, fr;
	uint32_t npkts, first, blen, next, snap, i, ifindex;
	uint16_t net, mac, gso;
	uint8_t gtype;
	struct wire_pkt p;
	size_t off, n = 0, k;

	rbuf_init(&rb, blk, w->w_blocksz);
	if (rbuf_peek_u32h(&rb, offsetof(struct tpacket_block_desc,
	    hdr.bh1.num_pkts), &npkts) == -1 ||
	    rbuf_peek_u32h(&rb, offsetof(struct tpacket_block_desc,
	    hdr.bh1.offset_to_first_pkt), &first) == -1 ||
	    rbuf_peek_u32h(&rb, offsetof(struct tpacket_block_desc,
	    hdr.bh1.blk_len), &blen) == -1 || blen > w->w_blocksz)
		return 0;
	rbuf_init(&rb, blk, blen);
	for (i = 0, off = first; i < npkts && off < blen; i++, off += next) {
		rbuf_init(&fr, blk + off, blen - off);
		if (rbuf_peek_u32h(&fr, offsetof(struct tpacket3_hdr,
		    tp_next_offset), &next) == -1 ||
		    rbuf_peek_u32h(&fr, offsetof(struct tpacket3_hdr,
		    tp_snaplen), &snap) == -1 ||
		    rbuf_peek_u16h(&fr, offsetof(struct tpacket3_hdr, tp_net),
		    &net) == -1 ||
		    rbuf_peek_u16h(&fr, offsetof(struct tpacket3_hdr, tp_mac),
		    &mac) == -1 ||
		    rbuf_peek_u32h(&fr, hdrlen + offsetof(struct sockaddr_ll,
		    sll_ifindex), &ifindex) == -1 ||
		    mac > net || snap < (uint32_t)(net - mac) ||
		    net > rbuf_left(&fr) || snap - (uint32_t)(net - mac) >
		    rbuf_left(&fr) - net ||
		    mac < sizeof(struct virtio_net_hdr) ||
		    rbuf_peek_u8(&fr, mac - sizeof(struct virtio_net_hdr) +
		    offsetof(struct virtio_net_hdr, gso_type), &gtype) == -1 ||
		    rbuf_peek_u16h(&fr, mac - sizeof(struct virtio_net_hdr) +
		    offsetof(struct virtio_net_hdr, gso_size), &gso) == -1) {
			w->w_rx_drops++;
			break;
		}
		p.wp_data = blk + off + net;
		p.wp_len = snap - (uint32_t)(net - mac);
		p.wp_ifindex = (int)ifindex;
		gtype &= (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
		if ((gtype == VIRTIO_NET_HDR_GSO_UDP_L4 ||
		    gtype == VIRTIO_NET_HDR_GSO_UDP) &&
		    (k = wire_split(w, &p, gso, fn, arg)) != 0) {
			n += k;
		} else {
			fn(arg, &p);
			n++;
		}
		if (next == 0)
			break;
	}
	return n;
}

size_t
wire_rx(struct wire *w, void (*fn)(void *, const struct wire_pkt *),
    void *arg)
{
	const size_t st = offsetof(struct tpacket_block_desc,
	    hdr.bh1.block_status);
	uint8_t *blk;
	uint32_t status;
	size_t n = 0;

	for (;;) {
		blk = w->w_ring + (size_t)w->w_cur * w->w_blocksz;
		status = __atomic_load_n((uint32_t *)(blk + st),
		    __ATOMIC_ACQUIRE);
		if (!(status & TP_STATUS_USER))
			break;
		n += wire_block(w, blk, fn, arg);
		__atomic_store_n((uint32_t *)(blk + st), TP_STATUS_KERNEL,
		    __ATOMIC_RELEASE);
		w->w_cur = (w->w_cur + 1) % w->w_nblocks;
	}
	w->w_rx_pkts += n;
	return n;
}

/*
 * The IP and UDP header length of a packet UDP GSO may carry: IPv4
 * without options or fragment fields, or a bare IPv6 header, then UDP
 * with lengths that match.  0 for anything else.
 */
static size_t
wire_udp_hlen(const struct wire_pkt *p)
{
	const uint8_t *d = p->wp_data;
	size_t hl;

	if (p->wp_len >= 28 + 1 && d[0] == 0x45 && d[9] == IPPROTO_UDP &&
	    (d[6] & 0x3f) == 0 && d[7] == 0 &&
	    (size_t)(d[2] << 8 | d[3]) == p->wp_len)
		hl = 28;
	else if (p->wp_len >= 48 + 1 && d[0] >> 4 == 6 &&
	    d[6] == IPPROTO_UDP && (size_t)(d[4] << 8 | d[5]) + 40 == p->wp_len)
		hl = 48;
	else
		return 0;
	return (size_t)(d[hl - 4] << 8 | d[hl - 3]) + hl - 8 == p->wp_len ?
	    hl : 0;
}

/* Same addresses, ports and TOS or traffic class. */
static int
wire_udp_same(const struct wire_pkt *a, const struct wire_pkt *b, size_t hl)
{
	const uint8_t *x = a->wp_data, *y = b->wp_data;

	if (hl == 28)
		return x[1] == y[1] && memcmp(x + 12, y + 12, 12) == 0;
	return x[0] == y[0] && (x[1] & 0xf0) == (y[1] & 0xf0) &&
	    memcmp(x + 8, y + 8, 36) == 0;
}

/*
 * How many packets from p on make one UDP GSO send: equal payloads, the
 * last may be shorter, at most WIRE_BATCH and 64 KB.  *hlp gets their
 * header length.  Less than 2 means none.
 */
static size_t
wire_gso_run(const struct wire_pkt *p, size_t n, size_t *hlp)
{
	size_t hl, seg, tot, l, k;

	if (n < 2 || (hl = wire_udp_hlen(&p[0])) == 0)
		return 0;
	seg = p[0].wp_len - hl;
	tot = hl + seg;
	for (k = 1; k < n && k < WIRE_BATCH; k++) {
		if (wire_udp_hlen(&p[k]) != hl ||
		    !wire_udp_same(&p[0], &p[k], hl) ||
		    (l = p[k].wp_len - hl) > seg || tot + l > 65535)
			break;
		tot += l;
		if (l < seg) {
			k++;
			break;
		}
	}
	*hlp = hl;
	return k;
}

/* Send k packets of one run as one UDP GSO datagram train. */
static int
wire_tx_gso(struct wire *w, const struct wire_pkt *p, size_t k, size_t hl)
{
	const uint8_t *d = p[0].wp_data;
	struct iovec iov[WIRE_BATCH];
	struct sockaddr_storage dst;
	struct msghdr mh;
	struct cmsghdr *c;
	union {
		uint8_t		 b[CMSG_SPACE(sizeof(uint16_t)) +
				    CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				    CMSG_SPACE(sizeof(int))];
		struct cmsghdr	 align;
	} cm;
	uint16_t seg = (uint16_t)(p[0].wp_len - hl);
	int tos, v6 = hl == 48;
	size_t i;

	memset(&mh, 0, sizeof(mh));
	memset(&dst, 0, sizeof(dst));
	memset(&cm, 0, sizeof(cm));
	for (i = 0; i < k; i++) {
		iov[i].iov_base = (void *)(p[i].wp_data + hl);
		iov[i].iov_len = p[i].wp_len - hl;
	}
	mh.msg_name = &dst;
	mh.msg_iov = iov;
	mh.msg_iovlen = k;
	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof(cm.b);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	c = CMSG_NXTHDR(&mh, c);
	if (v6) {
		struct sockaddr_in6 *s6 = (void *)&dst;
		struct in6_pktinfo pi;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, d + 24, 16);
		memcpy(&s6->sin6_port, d + 42, 2);
		mh.msg_namelen = sizeof(*s6);
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi6_addr, d + 8, 16);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		tos = (d[0] & 0x0f) << 4 | d[1] >> 4;
	} else {
		struct sockaddr_in *s4 = (void *)&dst;
		struct in_pktinfo pi;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, d + 16, 4);
		memcpy(&s4->sin_port, d + 22, 2);
		mh.msg_namelen = sizeof(*s4);
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi_spec_dst, d + 12, 4);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		tos = d[1];
	}
	c = CMSG_NXTHDR(&mh, c);
	c->cmsg_level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
	c->cmsg_type = v6 ? IPV6_TCLASS : IP_TOS;
	c->cmsg_len = CMSG_LEN(sizeof(tos));
	memcpy(CMSG_DATA(c), &tos, sizeof(tos));
	mh.msg_controllen = (size_t)((uint8_t *)c - cm.b) +
	    CMSG_SPACE(sizeof(tos));
	if (sendmsg(v6 ? w->w_udp6 : w->w_udp4, &mh, 0) == -1)
		return -1;
	w->w_gso_sends++;
	w->w_gso_segs += k;
	return 0;
}

int
wire_tx(struct wire *w, const struct wire_pkt *pkts, size_t n)
{
	struct mmsghdr msg[WIRE_BATCH];
	struct iovec iov[WIRE_BATCH];
	struct sockaddr_storage dst[WIRE_BATCH];
	size_t done = 0, k, run, hl, raw_until = 0;
	int fd, rc;

	while (done < n) {
		/* One batch holds packets of one family, in order. */
		int v6 = pkts[done].wp_len > 0 && pkts[done].wp_data[0] >> 4 == 6;

		if (w->w_gso && done >= raw_until && (run = wire_gso_run(pkts +
		    done, n - done, &hl)) >= 2) {
			if (wire_tx_gso(w, pkts + done, run, hl) == 0) {
				done += run;
				continue;
			}
			if (errno == EAGAIN || errno == ENOBUFS ||
			    errno == EINTR)
				return done > 0 ? (int)done : -1;
			if (errno == EIO || errno == ENOPROTOOPT ||
			    errno == EOPNOTSUPP) {
				/* For good: no checksum offload, no GSO. */
				w->w_gso = 0;
				w->w_gso_err = errno;
			} else {
				/*
				 * This run only (EINVAL: a segment above the
				 * route's MTU, which raw sends fragment).
				 */
				w->w_gso_refused++;
				raw_until = done + run;
			}
		}
		for (k = 0; done + k < n && k < WIRE_BATCH; k++) {
			const struct wire_pkt *p = &pkts[done + k];
			int pv6 = p->wp_len > 0 && p->wp_data[0] >> 4 == 6;

			if (pv6 != v6 || p->wp_len < (size_t)(v6 ? 40 : 20))
				break;
			/* A run for UDP GSO starts here: send what is before. */
			if (k > 0 && w->w_gso && done + k >= raw_until &&
			    wire_gso_run(p, n - done - k, &hl) >= 2)
				break;
			memset(&msg[k], 0, sizeof(msg[k]));
			memset(&dst[k], 0, sizeof(dst[k]));
			if (v6) {
				struct sockaddr_in6 *s6 = (void *)&dst[k];

				s6->sin6_family = AF_INET6;
				memcpy(&s6->sin6_addr, p->wp_data + 24, 16);
				msg[k].msg_hdr.msg_namelen = sizeof(*s6);
			} else {
				struct sockaddr_in *s4 = (void *)&dst[k];

				s4->sin_family = AF_INET;
				memcpy(&s4->sin_addr, p->wp_data + 16, 4);
				msg[k].msg_hdr.msg_namelen = sizeof(*s4);
			}
			iov[k].iov_base = (void *)p->wp_data;
			iov[k].iov_len = p->wp_len;
			msg[k].msg_hdr.msg_name = &dst[k];
			msg[k].msg_hdr.msg_iov = &iov[k];
			msg[k].msg_hdr.msg_iovlen = 1;
		}
		if (k == 0) {		/* not an IP packet: drop it */
			done++;
			continue;
		}
		fd = v6 ? w->w_tx6 : w->w_tx4;
		if ((rc = sendmmsg(fd, msg, (unsigned)k, 0)) <= 0)
			return done > 0 ? (int)done : -1;
		done += (size_t)rc;
		if ((size_t)rc < k)
			break;
	}
	return (int)done;
}
