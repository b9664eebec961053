/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Diffie-Hellman for IKEv1 through OpenSSL: MODP groups 1, 2 (RFC 2409
 * 6.1, 6.2), 5, 14-18 (RFC 3526) and ECP groups 19, 20, 21 (RFC 5903).
 * Group numbers are the IKE ones of the ALG_DH rows in src/common/alg.h.
 *
 * Wire formats are IKE's: a MODP public value and shared secret are
 * big-endian, left-padded to the length of the prime; an ECP public value
 * is x | y and the shared secret is x (RFC 5903 sections 7 and 9), each
 * coordinate padded to the field size.
 *
 * struct dh owns its key pair; dh_free releases it (OpenSSL clears the
 * private key).  Functions return 0 or -1 and log why; a peer value that
 * is out of range (1 < y < p-1) or not on the curve is refused before any
 * arithmetic with it.
 */
#ifndef DH_H
#define DH_H

#include <stddef.h>
#include <stdint.h>

#include "alg.h"
#include "buf.h"

struct dh;

/* A fresh key pair for IKE group number group; NULL if unknown. */
struct dh *dh_new(int);
/*
 * A known key pair (test vectors): private value and public value in the
 * wire formats above.
 */
struct dh *dh_new_fixed(int, const uint8_t *, size_t, const uint8_t *,
	    size_t);
void	 dh_free(struct dh *);

const struct alg *dh_alg(const struct dh *);
/* Length of a public value (the KE payload data) and of the secret. */
size_t	 dh_pub_len(const struct dh *);
size_t	 dh_secret_len(const struct dh *);
/* Appends our public value. */
int	 dh_pub(const struct dh *, struct wbuf *);
/*
 * Checks a peer's public value: length, range or curve.  The key made
 * of it is kept for the dh_derive of the same value that follows.
 */
int	 dh_check_peer(struct dh *, const uint8_t *, size_t);
/*
 * Appends g^xy computed with the peer's public value; the wbuf should be
 * secret (wbuf_set_secret).  On failure, what was appended is zeroed.
 */
int	 dh_derive(const struct dh *, const uint8_t *, size_t,
	    struct wbuf *);
/* Bits in our private value (short exponents are checked by tests). */
int	 dh_priv_bits(const struct dh *);
/* Free the domain parameters kept per group (at exit; optional). */
void	 dh_cache_clear(void);

#endif /* DH_H */
