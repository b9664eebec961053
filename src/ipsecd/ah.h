/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AH transform of one SA (RFC 4302) over IPv4 and IPv6 packets: the ICV
 * covers the IP header with its mutable fields zeroed (RFC 4302 3.3.3 and
 * appendix A), the AH header with a zero ICV, and everything after it.
 * ah_seal() inserts AH where RFC 4302 3.1 puts it, ah_open() verifies and
 * removes it; both fix the lengths, the protocol chain and the IPv4
 * checksum.  Replay checks are the caller's (ah_peek() finds SPI and
 * sequence number first).  The HMAC context is keyed once in ah_init().
 */
#ifndef AH_H
#define AH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "alg.h"
#include "buf.h"
#include "icv.h"

#define AH_HDRLEN	12	/* next header .. sequence number */

/* Why ah_open() refused a packet (ah_fail), for the drop counters. */
enum ah_fail {
	AH_FAIL_NONE,
	AH_FAIL_LENGTH,		/* AH length does not fit the SA's ICV */
	AH_FAIL_ICV,		/* integrity check failed */
	AH_FAIL_TOOBIG,		/* no room for the packet */
};

struct ah {
	struct icv	 ah_icv;
	enum ah_fail	 ah_fail;	/* why ah_open() last failed */
};

/* Where AH sits in a packet, as ah_peek() finds it. */
struct ah_pos {
	sa_family_t	 ap_af;
	size_t		 ap_off;	/* AH header offset */
	size_t		 ap_len;	/* AH header length, ICV included */
	size_t		 ap_prev;	/* offset of the byte naming AH */
	uint8_t		 ap_nh;		/* protocol after AH */
	uint32_t	 ap_spi;
	uint32_t	 ap_seq;
};

/* Key an AH transform with an ALG_AUTH row; -1 with *why. */
int	 ah_init(struct ah *, const struct alg *, const void *, size_t,
	    const char **);
void	 ah_clear(struct ah *);
/* Bytes AH adds to a packet of family af. */
size_t	 ah_overhead(const struct ah *, sa_family_t);
/* Append pkt with AH inserted to out. */
int	 ah_seal(struct ah *, uint32_t, uint32_t, const void *, size_t,
	    struct wbuf *, const char **);
/* Locate AH in pkt and read its SPI and sequence number. */
int	 ah_peek(const void *, size_t, struct ah_pos *, const char **);
/*
 * Verify the ICV at pos and append pkt without AH to out; -1 with *why,
 * and ah_fail says which check failed.
 */
int	 ah_open(struct ah *, const void *, size_t, const struct ah_pos *,
	    struct wbuf *, const char **);

#endif /* AH_H */
