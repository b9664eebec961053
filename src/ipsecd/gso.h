/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Segmentation and coalescing offloads for the TUN (IFF_VNET_HDR).
 *
 * Every packet through a TUN opened with the vnet header starts with a
 * struct virtio_net_hdr (10 bytes, host order).  With TUNSETOFFLOAD's
 * TUN_F_CSUM and TUN_F_TSO4/6 the kernel hands ipsecd a whole TCP send
 * (up to 64 KB) in one read, its checksum left to us; gso_split() cuts
 * it into gso_size segments, each with its own IP and TCP header and
 * checksums, the way the kernel's tcp_gso_segment() would, so that each
 * segment can be sealed on its own.
 *
 * The other way, gso_merge coalesces the decrypted TCP segments of one
 * wire batch as GRO does (same addresses, ports, ack, window and options,
 * consecutive sequence numbers, no flags but ACK and PSH) into one
 * packet written with a GSO vnet header, so the receiving stack handles
 * one packet for many.  Each segment's TCP checksum is verified before
 * it is merged; what cannot be merged goes out unchanged, and a flow's
 * pending packet is written before any later packet of the flow, so
 * nothing is reordered.
 */
#ifndef GSO_H
#define GSO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define GSO_VNET_HDRLEN	10		/* struct virtio_net_hdr */
#define GSO_SLOTS	8		/* flows merged at once */
#define GSO_MAX		65535		/* largest IP packet */

/* struct virtio_net_hdr, read and written byte by byte. */
struct gso_vnet {
	uint8_t		 gv_flags;	/* VIRTIO_NET_HDR_F_* */
	uint8_t		 gv_type;	/* VIRTIO_NET_HDR_GSO_* */
	uint16_t	 gv_hdrlen;
	uint16_t	 gv_size;	/* payload bytes per segment */
	uint16_t	 gv_csum_start;
	uint16_t	 gv_csum_off;
};

/* Read the vnet header at the start of rb; -1 with *why if short. */
int	 gso_vnet_get(struct rbuf *, struct gso_vnet *, const char **);
/* Write it into GSO_VNET_HDRLEN bytes. */
void	 gso_vnet_put(const struct gso_vnet *, uint8_t *);

/*
 * Hand fn each packet that the TUN's packet p (len bytes, after the
 * vnet header v) stands for: the segments of a TCP super-packet, or p
 * itself with a partial checksum completed.  p may be changed.  seg
 * is scratch memory for one segment.  -1 with *why if the packet or its
 * header is malformed (nothing was handed on); a -1 from fn stops the
 * split and is returned.
 */
int	 gso_split(const struct gso_vnet *, uint8_t *, size_t, struct wbuf *,
	    int (*)(void *, const uint8_t *, size_t), void *, const char **);

/* Where merged and passed-through packets go: the vnet header, then the
 * IP packet and how many segments it carries.  -1 if it was lost. */
typedef int (*gso_out_fn)(void *, const uint8_t *, const uint8_t *, size_t,
	    size_t);

struct gso_slot {
	struct wbuf	 gs_buf;	/* vnet header room, then the packet */
	size_t		 gs_iphl;	/* IP header length */
	size_t		 gs_hl;		/* IP and TCP header length */
	uint32_t	 gs_next;	/* sequence number that may follow */
	uint16_t	 gs_mss;	/* payload of the first segment */
	uint16_t	 gs_nseg;	/* 0: the slot is free */
	int		 gs_closed;	/* nothing more may be appended */
};

struct gso_merge {
	struct gso_slot	 gm_slot[GSO_SLOTS];
	size_t		 gm_next;	/* slot to evict next */
	gso_out_fn	 gm_out;
	void		*gm_arg;
	uint64_t	 gm_merged;	/* segments that joined another */
};

int	 gso_merge_init(struct gso_merge *, gso_out_fn, void *);
void	 gso_merge_free(struct gso_merge *);
/* Offer one whole decrypted IP packet. */
void	 gso_merge_add(struct gso_merge *, const uint8_t *, size_t);
/* Write every pending packet (at the end of a batch). */
void	 gso_merge_flush(struct gso_merge *);

/* The Internet checksum (complemented) of a TCP or UDP packet's upper
 * layer at off, with the pseudo-header; 0 if the packet's checksum field
 * is right (for a packet from the wire), for tests. */
uint16_t gso_l4_cksum(const uint8_t *, size_t, size_t, uint8_t);

#endif /* GSO_H */
