/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ciphertext side of ipsecd.  Receive: an AF_PACKET socket
 * (SOCK_RAW, for the virtio-net header; the datapath gets each packet from
 * its IP header on) with a TPACKET_V3 ring
 * and a classic BPF filter that passes only what ipsecd must look at:
 * incoming ESP and AH, ESP-in-UDP to port 4500 (non-zero first four bytes,
 * RFC 3948; IKE's zero marker stays with racoon), and fragments that may
 * belong to either.  AF_PACKET sees a copy of what the kernel delivers, so
 * the kernel's own handling goes on (see ipsecd.8 on enforcement), except
 * for ciphertext to a local address, which nft.c drops in prerouting.
 * Send: raw IPv4 and IPv6 sockets carrying the bypass mark, so ipsecd's
 * ciphertext never loops back into the TUN, batched with sendmmsg().
 * ESP-in-UDP goes out through UDP sockets with UDP GSO where it can: a run
 * of queued packets with the same addresses, ports and traffic class and
 * equal payloads (the last may be shorter) is one sendmsg() with a
 * UDP_SEGMENT cmsg, so the kernel routes and builds headers once per run.
 * Those sockets are bound to ephemeral ports (port 4500 is racoon's); the
 * nftables table rewrites their source port to 4500 before conntrack
 * (nft.h).  If the kernel refuses (EIO: a device without checksum
 * offload), UDP GSO is turned off with one log line and the raw sockets
 * carry everything.  The ring asks for a virtio-net header per packet, so
 * a UDP GSO super-packet that arrives whole (veth does not cut it) is cut
 * back into its datagrams before the datapath sees it.
 * Sink: raw ESP and AH sockets that take nothing (their filter drops all)
 * but tell a kernel without ESP/AH that the protocols are handled, so it
 * answers no ESP packet with "protocol unreachable".
 */
#ifndef WIRE_H
#define WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define WIRE_BATCH	64	/* packets per sendmmsg() */

struct wire {
	int		 w_rx;		/* AF_PACKET, ring mapped */
	uint8_t		*w_ring;
	size_t		 w_ringlen;
	unsigned	 w_blocksz;
	unsigned	 w_nblocks;
	unsigned	 w_cur;		/* next block to look at */
	int		 w_tx4;		/* raw IPv4, IP_HDRINCL */
	int		 w_tx6;		/* raw IPv6, IPV6_HDRINCL */
	int		 w_sink[4];	/* raw ESP/AH, v4/v6, drop all */
	int		 w_udp4;	/* UDP GSO senders, drop all */
	int		 w_udp6;
	uint16_t	 w_udp4_port;	/* their ephemeral ports */
	uint16_t	 w_udp6_port;
	int		 w_gso;		/* UDP GSO in use */
	int		 w_gso_err;	/* errno that turned it off, or 0 */
	uint64_t	 w_rx_pkts, w_rx_drops;
	uint64_t	 w_gso_sends;	/* sendmsg() calls with UDP_SEGMENT */
	uint64_t	 w_gso_segs;	/* ... carrying this many datagrams */
	uint64_t	 w_gso_refused;	/* runs the kernel refused, sent raw */
	uint64_t	 w_rx_gso_pkts;	/* super-packets read from the ring */
	uint64_t	 w_rx_gso_segs;	/* ... cut into this many datagrams */
	uint8_t		 w_seg[65536];	/* one datagram cut from a super-packet */
};

/* What wire_rx() hands over for each packet. */
struct wire_pkt {
	const uint8_t	*wp_data;	/* from the IP header on */
	size_t		 wp_len;
	int		 wp_ifindex;
};

/* Open both sides; mark goes on every packet sent.  -1 with errno. */
int	 wire_open(struct wire *, uint32_t);
void	 wire_close(struct wire *);
/*
 * Hand every packet of every ready ring block to fn, then give the blocks
 * back to the kernel.  Returns the number of packets.
 */
size_t	 wire_rx(struct wire *, void (*)(void *, const struct wire_pkt *),
	    void *);
/*
 * Send n whole IP packets (any mix of IPv4 and IPv6), runs of ESP-in-UDP
 * with UDP GSO if w_gso is set.  Returns how many the kernel took; -1
 * with errno if none.  A run the kernel refuses goes out raw
 * (w_gso_refused); if it refused for good (EIO: no checksum offload),
 * w_gso is cleared and w_gso_err set, for the caller to log once.
 */
int	 wire_tx(struct wire *, const struct wire_pkt *, size_t);

#endif /* WIRE_H */
