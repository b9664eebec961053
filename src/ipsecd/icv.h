/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Integrity check values for ESP and AH: the keyed MAC of an ALG_AUTH row,
 * truncated to the row's ICV length (RFC 2403, 2404, 4868).  The MAC
 * context is keyed once; icv_start() re-arms it for each packet without
 * deriving the key again.
 */
#ifndef ICV_H
#define ICV_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "alg.h"

#define ICV_MAX		32

struct icv {
	const struct alg	*icv_alg;
	EVP_MAC_CTX		*icv_mac;	/* NULL for the null algorithm */
	uint8_t			 icv_len;
};

/* -1 with *why if the key length or the algorithm does not fit. */
int	 icv_init(struct icv *, const struct alg *, const void *, size_t,
	    const char **);
void	 icv_clear(struct icv *);
int	 icv_start(struct icv *);
int	 icv_update(struct icv *, const void *, size_t);
/* Write icv_len bytes. */
int	 icv_finish(struct icv *, uint8_t *);

#endif /* ICV_H */
