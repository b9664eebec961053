/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IKE's UDP sockets: setup for either kernel, receive with the local
 * address (IP_PKTINFO / IPV6_PKTINFO) and the RFC 3948 marker handled,
 * send from a chosen local address.
 *
 * RFC 3948 2.2, what arrives on port 4500:
 *
 *   IKE:  | UDP header | 0x00000000 (non-ESP marker) | ISAKMP message |
 *   ESP:  | UDP header | SPI (never zero) | sequence | ...           |
 *   keepalive: | UDP header | 0xff |
 */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "isakmp_io.h"
#include "log.h"
#include "pfkey.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP		100
#endif
#ifndef IP_IPSEC_POLICY
#define IP_IPSEC_POLICY		16
#endif
#ifndef IPV6_IPSEC_POLICY
#define IPV6_IPSEC_POLICY	34
#endif

#define NATT_MARKER_LEN		4

/*
 * On the 4500 socket with ipsecd: drop ESP-in-UDP, whose first four
 * payload bytes (after the 8-byte UDP header the filter sees) are the
 * non-zero SPI.  Shorter datagrams (keepalives) pass.
 */
static struct sock_filter natt_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 8 + NATT_MARKER_LEN, 0, 2),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

/* The per-socket bypass policy of a native kernel, both directions. */
static int
io_bypass_policy(int fd, int af)
{
	struct pfkey_policy pol;
	uint8_t mem[64];
	struct wbuf wb;
	int dir, level = af == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	int opt = af == AF_INET6 ? IPV6_IPSEC_POLICY : IP_IPSEC_POLICY;

	for (dir = IPSEC_DIR_INBOUND; dir <= IPSEC_DIR_OUTBOUND; dir++) {
		memset(&pol, 0, sizeof(pol));
		pol.pp_type = IPSEC_POLICY_BYPASS;
		pol.pp_dir = (uint8_t)dir;
		wbuf_init_fixed(&wb, mem, sizeof(mem));
		if (pfkey_put_policy(&wb, &pol) == -1 ||
		    setsockopt(fd, level, opt, wbuf_data(&wb),
		    (socklen_t)wbuf_len(&wb)) == -1)
			return -1;
	}
	return 0;
}

static int
io_setup(struct isakmp_sock *s, int af, int natt, enum isakmp_io_kernel k,
    uint32_t mark, const char **why)
{
	struct sock_fprog prog = { sizeof(natt_filter) /
	    sizeof(natt_filter[0]), natt_filter };
	int on = 1, encap = UDP_ENCAP_ESPINUDP;

	if (setsockopt(s->is_fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1 ||
	    (af == AF_INET && setsockopt(s->is_fd, IPPROTO_IP, IP_PKTINFO,
	    &on, sizeof(on)) == -1) ||
	    (af == AF_INET6 && (setsockopt(s->is_fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1 ||
	    setsockopt(s->is_fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	    sizeof(on)) == -1))) {
		*why = "cannot set socket options";
		return -1;
	}
	if (k == ISAKMP_IO_IPSECD) {
		if (setsockopt(s->is_fd, SOL_SOCKET, SO_MARK, &mark,
		    sizeof(mark)) == -1) {
			*why = "cannot set the bypass mark (SO_MARK)";
			return -1;
		}
		if (natt && setsockopt(s->is_fd, SOL_SOCKET, SO_ATTACH_FILTER,
		    &prog, sizeof(prog)) == -1) {
			*why = "cannot attach the ESP-in-UDP filter";
			return -1;
		}
		return 0;
	}
	if (io_bypass_policy(s->is_fd, af) == -1) {
		*why = "cannot set the IPsec bypass policy";
		return -1;
	}
	if (natt && setsockopt(s->is_fd, IPPROTO_UDP, UDP_ENCAP, &encap,
	    sizeof(encap)) == -1) {
		*why = "cannot set UDP_ENCAP_ESPINUDP";
		return -1;
	}
	return 0;
}

int
isakmp_io_open(struct isakmp_sock *s, const struct addr *a, int natt,
    enum isakmp_io_kernel k, uint32_t mark, const char **why)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int saved;

	memset(s, 0, sizeof(*s));
	s->is_addr = *a;
	s->is_natt = natt;
	if ((sl = addr_to_sockaddr(a, &ss)) == 0) {
		*why = "not an IPv4 or IPv6 address";
		errno = EAFNOSUPPORT;
		return -1;
	}
	if ((s->is_fd = socket(a->a_af, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_UDP)) == -1) {
		*why = "cannot create a UDP socket";
		return -1;
	}
	if (io_setup(s, a->a_af, natt, k, mark, why) == -1)
		goto fail;
	if (bind(s->is_fd, (struct sockaddr *)&ss, sl) == -1) {
		*why = "cannot bind";
		goto fail;
	}
	return 0;
 fail:
	saved = errno;
	close(s->is_fd);
	s->is_fd = -1;
	errno = saved;
	return -1;
}

void
isakmp_io_close(struct isakmp_sock *s)
{
	if (s->is_fd != -1)
		close(s->is_fd);
	s->is_fd = -1;
}

/* The destination address of a received datagram, from its cmsg. */
static void
io_local(struct msghdr *m, const struct isakmp_sock *s, struct addr *local)
{
	struct cmsghdr *c;
	struct in_pktinfo pi;
	struct in6_pktinfo pi6;

	*local = s->is_addr;
	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(pi))) {
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			(void)addr_from_bytes(local, AF_INET, &pi.ipi_addr, 4);
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(pi6))) {
			memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
			(void)addr_from_bytes(local, AF_INET6, &pi6.ipi6_addr,
			    16);
		}
	}
	local->a_port = s->is_addr.a_port;
}

enum isakmp_rx
isakmp_io_recv(struct isakmp_sock *s, uint8_t *buf, size_t size,
    size_t *len, struct addr *peer, struct addr *local)
{
	union {
		struct cmsghdr	 align;
		uint8_t		 buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cm;
	struct sockaddr_storage from;
	struct iovec iov = { buf, size };
	struct msghdr m;
	struct rbuf rb;
	uint32_t marker;
	uint8_t b;
	ssize_t n;
	char p[ADDR_STRLEN];

	memset(&m, 0, sizeof(m));
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cm.buf;
	m.msg_controllen = sizeof(cm.buf);
	if ((n = recvmsg(s->is_fd, &m, 0)) == -1)
		return ISAKMP_RX_NONE;
	if (addr_from_sockaddr(peer, (struct sockaddr *)&from,
	    m.msg_namelen) == -1)
		return ISAKMP_RX_DROP;
	/* Every datagram dropped here is logged: hostile input is seen. */
	addr_fmt(peer, ADDR_PORT, p, sizeof(p));
	if (m.msg_flags & MSG_TRUNC) {
		log_warnx("%s: datagram over %zu bytes dropped", p, size);
		return ISAKMP_RX_DROP;
	}
	io_local(&m, s, local);
	rbuf_init(&rb, buf, (size_t)n);
	if (s->is_natt) {
		if (rbuf_left(&rb) == 1 && rbuf_peek_u8(&rb, 0, &b) == 0 &&
		    b == 0xff)
			return ISAKMP_RX_KEEPALIVE;
		if (rbuf_get_u32(&rb, &marker) == -1 || marker != 0) {
			log_warnx("%s: datagram without the non-ESP marker "
			    "dropped", p);
			return ISAKMP_RX_DROP;
		}
		memmove(buf, rbuf_ptr(&rb), rbuf_left(&rb));
	}
	if (rbuf_left(&rb) < ISAKMP_HDR_LEN) {
		log_warnx("%s: datagram of %zu bytes, shorter than an ISAKMP "
		    "header, dropped", p, rbuf_left(&rb));
		return ISAKMP_RX_DROP;
	}
	*len = rbuf_left(&rb);
	return ISAKMP_RX_MSG;
}

/* sendmsg with the source address chosen by an IP(V6)_PKTINFO cmsg. */
static int
io_sendv(struct isakmp_sock *s, struct iovec *iov, size_t niov,
    const struct addr *peer, const struct addr *local)
{
	union {
		struct cmsghdr	 align;
		uint8_t		 buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cm;
	struct sockaddr_storage to;
	struct in_pktinfo pi;
	struct in6_pktinfo pi6;
	struct cmsghdr *c;
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	memset(&cm, 0, sizeof(cm));
	if ((m.msg_namelen = addr_to_sockaddr(peer, &to)) == 0 ||
	    peer->a_af != s->is_addr.a_af) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	m.msg_name = &to;
	m.msg_iov = iov;
	m.msg_iovlen = niov;
	if (local != NULL && !addr_is_unspec(local) &&
	    local->a_af == peer->a_af) {
		m.msg_control = cm.buf;
		c = (struct cmsghdr *)cm.buf;
		if (local->a_af == AF_INET) {
			memset(&pi, 0, sizeof(pi));
			memcpy(&pi.ipi_spec_dst, local->a_raw, 4);
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
			m.msg_controllen = CMSG_SPACE(sizeof(pi));
		} else {
			memset(&pi6, 0, sizeof(pi6));
			memcpy(&pi6.ipi6_addr, local->a_raw, 16);
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi6));
			memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
			m.msg_controllen = CMSG_SPACE(sizeof(pi6));
		}
	}
	return sendmsg(s->is_fd, &m, 0) == -1 ? -1 : 0;
}

int
isakmp_io_send(struct isakmp_sock *s, const void *msg, size_t len,
    const struct addr *peer, const struct addr *local)
{
	static const uint8_t marker[NATT_MARKER_LEN];
	struct iovec iov[2];
	size_t n = 0;

	if (s->is_natt) {
		iov[n].iov_base = (void *)marker;
		iov[n++].iov_len = sizeof(marker);
	}
	iov[n].iov_base = (void *)msg;
	iov[n++].iov_len = len;
	return io_sendv(s, iov, n, peer, local);
}

int
isakmp_io_keepalive(struct isakmp_sock *s, const struct addr *peer,
    const struct addr *local)
{
	static const uint8_t ka = 0xff;
	struct iovec iov = { (void *)&ka, 1 };

	if (!s->is_natt) {
		errno = EINVAL;
		return -1;
	}
	return io_sendv(s, &iov, 1, peer, local);
}
