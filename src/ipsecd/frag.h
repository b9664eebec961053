/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv4 and IPv6 fragmentation and reassembly for ipsecd.  Transport mode
 * protects whole datagrams (RFC 4303 3.3.4), so fragments read from the TUN
 * are reassembled before encapsulation, fragmented ESP/AH from the wire is
 * reassembled before it is checked, and outer packets too large for the
 * link are fragmented.
 *
 * Reassembly holds a bounded number of datagrams, fragments and bytes;
 * fragments that overlap (other than exact duplicates) drop the whole
 * datagram (RFC 5722, and the same for IPv4), and a datagram not complete
 * within REASM_TIMEOUT_MS is dropped by reasm_expire().
 */
#ifndef FRAG_H
#define FRAG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "buf.h"

#define REASM_TIMEOUT_MS	30000
#define REASM_MAX_DGRAMS	64
#define REASM_MAX_FRAGS		64		/* per datagram */
#define REASM_MAX_BYTES		(1024 * 1024)	/* all datagrams */

struct reasm_frag {
	size_t		 rf_off;	/* payload offset, bytes */
	size_t		 rf_len;
	uint8_t		*rf_data;
};

struct reasm_dgram {
	TAILQ_ENTRY(reasm_dgram) rd_entry;
	sa_family_t	 rd_af;
	uint8_t		 rd_src[16];
	uint8_t		 rd_dst[16];
	uint32_t	 rd_id;
	uint8_t		 rd_proto;	/* IPv4 protocol */
	uint64_t	 rd_expire;	/* ms */
	uint8_t		*rd_hdr;	/* headers of the first fragment */
	size_t		 rd_hdrlen;	/* IPv6: up to the fragment header */
	size_t		 rd_prev;	/* IPv6: byte that names the frag hdr */
	uint8_t		 rd_nh;		/* IPv6: next header after it */
	size_t		 rd_total;	/* payload length, once rd_last */
	int		 rd_last;	/* the last fragment arrived */
	size_t		 rd_bytes;	/* payload bytes held */
	int		 rd_nfrags;
	struct reasm_frag rd_frags[REASM_MAX_FRAGS];	/* by offset */
};

struct reasm {
	TAILQ_HEAD(, reasm_dgram) r_list;	/* oldest first */
	int		 r_count;
	size_t		 r_bytes;
	uint64_t	 r_dropped;		/* datagrams given up */
};

enum reasm_result {
	REASM_NOT_FRAG,		/* not a fragment: use the packet as is */
	REASM_HELD,		/* kept; the datagram is not complete */
	REASM_DONE,		/* out holds the whole datagram */
	REASM_DROP,		/* refused or gave up, with a reason */
};

void	 reasm_init(struct reasm *);
void	 reasm_free(struct reasm *);
/* Offer one packet; now is a monotonic time in ms. */
enum reasm_result reasm_input(struct reasm *, const void *, size_t,
	    uint64_t, struct wbuf *, const char **);
/* Drop datagrams whose time is up; returns how many. */
int	 reasm_expire(struct reasm *, uint64_t);

/* Called with each fragment frag_split() makes; non-zero stops it. */
typedef int (*frag_emit_fn)(void *, const uint8_t *, size_t);

#define FRAG_DF		(-2)	/* IPv4 DF set: send "fragmentation needed" */

/*
 * Split the whole packet pkt into fragments of at most mtu bytes and
 * hand each to emit.  id is the IPv6 fragment identification (IPv4 keeps
 * the packet's own).  A packet that fits is emitted as is.  Returns 0,
 * FRAG_DF, or -1 with *why.
 */
int	 frag_split(const void *, size_t, size_t, uint32_t, frag_emit_fn,
	    void *, const char **);

#endif /* FRAG_H */
