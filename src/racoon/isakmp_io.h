/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * racoon's UDP sockets for IKE: port 500 and, for NAT traversal, port 4500
 * with RFC 3948's four-byte non-ESP marker.  This module owns the sockets
 * and the bytes on them; the event loop (ev.c) owns when to read.
 *
 * The sockets bypass IPsec: with ipsecd they carry its bypass mark
 * (SO_MARK), so neither the protected routing table nor ipsecd's nftables
 * rules touch IKE; on a kernel with native IPsec they carry the
 * per-socket bypass policy (IP_IPSEC_POLICY / IPV6_IPSEC_POLICY) in both
 * directions, and the 4500 socket sets UDP_ENCAP_ESPINUDP so the kernel
 * takes the ESP.  With ipsecd the 4500 socket instead gets a filter that
 * drops ESP-in-UDP (first four bytes non-zero), which ipsecd reads from
 * its AF_PACKET ring.
 */
#ifndef ISAKMP_IO_H
#define ISAKMP_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"

#define ISAKMP_PORT		500
#define ISAKMP_NATT_PORT	4500
#define ISAKMP_MSG_MAX		65535	/* largest datagram accepted */
#define ISAKMP_HDR_LEN		28	/* shorter datagrams are dropped */

enum isakmp_io_kernel {
	ISAKMP_IO_IPSECD,	/* bypass by mark, filter ESP-in-UDP */
	ISAKMP_IO_NATIVE,	/* bypass policy, UDP_ENCAP_ESPINUDP */
};

struct isakmp_sock {
	int		 is_fd;
	struct addr	 is_addr;	/* bound address and port */
	int		 is_natt;	/* non-ESP marker on the wire */
};

/* What isakmp_io_recv() found. */
enum isakmp_rx {
	ISAKMP_RX_MSG,		/* an IKE message, marker stripped */
	ISAKMP_RX_KEEPALIVE,	/* NAT-T keepalive (RFC 3948 2.3) */
	ISAKMP_RX_DROP,		/* too short, or ESP that slipped through */
	ISAKMP_RX_NONE,		/* nothing (EAGAIN) or an error in errno */
};

/*
 * Bind a non-blocking UDP socket to addr (a wildcard address is fine),
 * with local-address reporting, the bypass for kernel, and for natt the
 * marker handling.  mark is the bypass mark (ISAKMP_IO_IPSECD).  -1 with
 * *why and errno.
 */
int	 isakmp_io_open(struct isakmp_sock *, const struct addr *, int,
	    enum isakmp_io_kernel, uint32_t, const char **);
void	 isakmp_io_close(struct isakmp_sock *);
/*
 * Receive one datagram into buf (at least ISAKMP_MSG_MAX bytes).  For
 * ISAKMP_RX_MSG, *len is the message length, peer the sender and local
 * the address it was sent to (ports included).
 */
enum isakmp_rx isakmp_io_recv(struct isakmp_sock *, uint8_t *, size_t,
	    size_t *, struct addr *, struct addr *);
/* Send one message to peer from local (its address; port is ours). */
int	 isakmp_io_send(struct isakmp_sock *, const void *, size_t,
	    const struct addr *, const struct addr *);
/* Send a NAT-T keepalive (one 0xff byte) on a natt socket. */
int	 isakmp_io_keepalive(struct isakmp_sock *, const struct addr *,
	    const struct addr *);

#endif /* ISAKMP_IO_H */
