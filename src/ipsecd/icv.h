/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Integrity check values for ESP and AH: the keyed MAC of an ALG_AUTH row,
 * truncated to the row's ICV length: the HMACs (RFC 2403, 2404, 4868)
 * through OpenSSL's EVP_MAC, and AES-XCBC-MAC-96 (RFC 3566), which OpenSSL
 * does not offer, on an AES-128-ECB context.  Keys are set up once;
 * icv_start() re-arms the MAC for each packet without deriving them again.
 */
#ifndef ICV_H
#define ICV_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "alg.h"

#define ICV_MAX		32
#define ICV_XCBC_BLOCK	16

/* RFC 3566 state: K1 in the ECB context, K2 and K3, the chain value. */
struct icv_xcbc {
	EVP_CIPHER_CTX		*x_k1;
	uint8_t			 x_k2[ICV_XCBC_BLOCK];
	uint8_t			 x_k3[ICV_XCBC_BLOCK];
	uint8_t			 x_e[ICV_XCBC_BLOCK];
	uint8_t			 x_buf[ICV_XCBC_BLOCK];	/* last block held */
	size_t			 x_buflen;
};

struct icv {
	const struct alg	*icv_alg;
	EVP_MAC_CTX		*icv_mac;	/* HMACs */
	struct icv_xcbc		*icv_xcbc;	/* AES-XCBC-MAC */
	uint8_t			 icv_len;	/* both NULL: null algorithm */
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
