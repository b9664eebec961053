/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ESP transform of one SA (RFC 4303): sealing a payload into
 * SPI | sequence | IV | encrypted(payload | padding | pad length | next
 * header) | ICV, and opening one.  The cipher and MAC contexts are keyed
 * once in esp_init(); per packet only the IV is set (nothing is allocated
 * or derived per packet).  Replay checks and counters belong to the
 * caller: esp_open() only verifies and decrypts.
 *
 * Ciphers: CBC modes with a random explicit IV (RFC 2451, 3602), AES-CTR
 * (RFC 3686) and AES-GCM (RFC 4106) with a counter IV and the 4-byte salt
 * taken from the end of the key, and NULL (RFC 2410).  Integrity: the HMACs
 * of alg.h truncated to the row's ICV length (RFC 2404, 4868).
 */
#ifndef ESP_H
#define ESP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "alg.h"
#include "buf.h"
#include "icv.h"

#define ESP_HDRLEN	8	/* SPI and sequence number */
#define ESP_MAXIV	16
#define ESP_MAXICV	ICV_MAX

/* Why esp_open() refused a packet (esp_fail), for the drop counters. */
enum esp_fail {
	ESP_FAIL_NONE,
	ESP_FAIL_SHORT,		/* shorter than header, IV, ICV, trailer */
	ESP_FAIL_LENGTH,	/* ciphertext not a multiple of the block */
	ESP_FAIL_ICV,		/* integrity (or AEAD tag) check failed */
	ESP_FAIL_TOOBIG,	/* no room for the payload */
	ESP_FAIL_DECRYPT,	/* the cipher refused otherwise */
	ESP_FAIL_PADDING,	/* pad length beyond the payload */
};

struct esp {
	const struct alg	*esp_enc;
	EVP_CIPHER_CTX		*esp_ectx;	/* keyed to encrypt */
	EVP_CIPHER_CTX		*esp_dctx;	/* keyed to decrypt */
	struct icv		 esp_icv;	/* unused with AEAD */
	uint8_t			 esp_salt[4];	/* CTR nonce, GCM salt */
	uint8_t			 esp_ivlen;
	uint8_t			 esp_icvlen;
	uint8_t			 esp_align;	/* padding boundary */
	int			 esp_aead;
	int			 esp_ctr;
	uint64_t		 esp_ivctr;	/* next counter IV */
	enum esp_fail		 esp_fail;	/* why esp_open() last failed */
};

/*
 * Key an ESP transform.  enc is an ALG_ENC row, auth an ALG_AUTH row or
 * NULL (it must be NULL or "null" with an AEAD cipher); key lengths in
 * bytes must fit the rows.  On failure returns -1 with *why set; the
 * struct is left cleared.  The caller's key bytes are not kept.
 */
int	 esp_init(struct esp *, const struct alg *, const void *, size_t,
	    const struct alg *, const void *, size_t, const char **);
/* Free the contexts (their key schedules are wiped by OpenSSL). */
void	 esp_clear(struct esp *);
/* Bytes ESP adds around a payload of len bytes. */
size_t	 esp_overhead(const struct esp *, size_t);
/* Append one sealed ESP packet (from the SPI on) to out. */
int	 esp_seal(struct esp *, uint32_t, uint32_t, uint8_t, const void *,
	    size_t, struct wbuf *);
/*
 * Verify and decrypt the ESP packet in (from the SPI on), appending the
 * payload to out and returning its next header.  -1 with *why on a bad
 * ICV, bad length or bad padding, and esp_fail says which; out is then
 * left as it was.
 */
int	 esp_open(struct esp *, struct rbuf *, struct wbuf *, uint8_t *,
	    const char **);

#endif /* ESP_H */
