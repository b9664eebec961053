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
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "wire.h"

#define RING_BLOCKSZ	(1u << 20)
#define RING_NBLOCKS	16
#define RING_FRAMESZ	2048
#define RING_TIMEOUT	1		/* ms before a partial block is retired */
#define SNAPLEN		65535

#define ESP_IN_UDP_PORT	4500

/*
 * Classic BPF over the network header (SOCK_DGRAM).  Accept incoming
 * ESP, AH, UDP to 4500 whose first four payload bytes are not zero,
 * IPv4 fragments past the first, and IPv6 fragment headers.
 */
static struct sock_filter wire_bpf[] = {
	/* 0 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
	/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 24, 0),
	/* 2 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
	/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 1, 0),
	/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 11, 21),
	/* 5: IPv4 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
	/* 6 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 18, 0),
	/* 7 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
	/* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ESP, 16, 0),
	/* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_AH, 15, 0),
	/* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 15),
	/* 11 */ BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
	/* 12 */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
	/* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ESP_IN_UDP_PORT, 0, 12),
	/* 14 */ BPF_STMT(BPF_LD | BPF_W | BPF_IND, 8),
	/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 10, 9),
	/* 16: IPv6 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),
	/* 17 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ESP, 7, 0),
	/* 18 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_AH, 6, 0),
	/* 19 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_FRAGMENT, 5, 0),
	/* 20 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 5),
	/* 21 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 42),
	/* 22 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ESP_IN_UDP_PORT, 0, 3),
	/* 23 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 48),
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
	int v = TPACKET_V3;

	if ((w->w_rx = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK |
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
	w->w_rx = w->w_tx4 = w->w_tx6 = -1;
	for (i = 0; i < 4; i++)
		w->w_sink[i] = -1;
	if (wire_open_ring(w) == -1 || wire_open_tx(w, mark) == -1 ||
	    wire_open_sinks(w) == -1) {
		saved = errno;
		wire_close(w);
		errno = saved;
		return -1;
	}
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
	for (i = 0; i < 4; i++)
		if (w->w_sink[i] != -1)
			close(w->w_sink[i]);
	w->w_rx = w->w_tx4 = w->w_tx6 = -1;
}

/* Walk one retired block's packets. */
static size_t
wire_block(struct wire *w, const uint8_t *blk,
    void (*fn)(void *, const struct wire_pkt *), void *arg)
{
	const size_t hdrlen = TPACKET_ALIGN(sizeof(struct tpacket3_hdr));
	struct rbuf rb, fr;
	uint32_t npkts, first, blen, next, snap, i, ifindex;
	uint16_t net;
	struct wire_pkt p;
	size_t off, n = 0;

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
		    rbuf_peek_u32h(&fr, hdrlen + offsetof(struct sockaddr_ll,
		    sll_ifindex), &ifindex) == -1 ||
		    net > rbuf_left(&fr) || snap > rbuf_left(&fr) - net) {
			w->w_rx_drops++;
			break;
		}
		p.wp_data = blk + off + net;
		p.wp_len = snap;
		p.wp_ifindex = (int)ifindex;
		fn(arg, &p);
		n++;
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

int
wire_tx(struct wire *w, const struct wire_pkt *pkts, size_t n)
{
	struct mmsghdr msg[WIRE_BATCH];
	struct iovec iov[WIRE_BATCH];
	struct sockaddr_storage dst[WIRE_BATCH];
	size_t done = 0, k;
	int fd, rc;

	while (done < n) {
		/* One batch holds packets of one family, in order. */
		int v6 = pkts[done].wp_len > 0 && pkts[done].wp_data[0] >> 4 == 6;

		for (k = 0; done + k < n && k < WIRE_BATCH; k++) {
			const struct wire_pkt *p = &pkts[done + k];
			int pv6 = p->wp_len > 0 && p->wp_data[0] >> 4 == 6;

			if (pv6 != v6 || p->wp_len < (size_t)(v6 ? 40 : 20))
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
