/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICVs: HMACs on OpenSSL's EVP_MAC, and AES-XCBC-MAC-96 (RFC 3566 section
 * 4) built here on AES-128-ECB:
 *
 *	K1 = AES-K(0x01 x 16), K2 = AES-K(0x02 x 16), K3 = AES-K(0x03 x 16)
 *	E[0] = 0; E[i] = AES-K1(M[i] ^ E[i-1]) for every block but the last
 *	last block whole:  E[n] = AES-K1(M[n] ^ E[n-1] ^ K2)
 *	else padded 0x80 0x00...: E[n] = AES-K1(M[n] ^ E[n-1] ^ K3)
 *
 * The last block is held back in x_buf until icv_finish(), since only then
 * is it known to be the last.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "buf.h"
#include "icv.h"

/* One AES block with a keyed ECB context. */
static int
xcbc_block(EVP_CIPHER_CTX *ctx, const uint8_t *in, uint8_t *out)
{
	int n;

	return EVP_EncryptUpdate(ctx, out, &n, in, ICV_XCBC_BLOCK) == 1 &&
	    n == ICV_XCBC_BLOCK ? 0 : -1;
}

static EVP_CIPHER_CTX *
xcbc_ecb(const uint8_t *key)
{
	EVP_CIPHER_CTX *ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_EncryptInit_ex2(ctx, EVP_aes_128_ecb(), key, NULL,
	    NULL) != 1 || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
icv_xcbc_init(struct icv *v, const uint8_t *key, const char **why)
{
	uint8_t c[ICV_XCBC_BLOCK], k1[ICV_XCBC_BLOCK];
	EVP_CIPHER_CTX *k = NULL;
	struct icv_xcbc *x;
	int rc = -1;

	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (k = xcbc_ecb(key)) == NULL)
		goto out;
	memset(c, 0x01, sizeof(c));
	if (xcbc_block(k, c, k1) == -1)
		goto out;
	memset(c, 0x02, sizeof(c));
	if (xcbc_block(k, c, x->x_k2) == -1)
		goto out;
	memset(c, 0x03, sizeof(c));
	if (xcbc_block(k, c, x->x_k3) == -1 || (x->x_k1 = xcbc_ecb(k1)) == NULL)
		goto out;
	v->icv_xcbc = x;
	x = NULL;
	rc = 0;
 out:
	mem_wipe(k1, sizeof(k1));
	EVP_CIPHER_CTX_free(k);
	if (x != NULL)
		freezero(x, sizeof(*x));
	if (rc == -1) {
		*why = "cannot key AES-XCBC-MAC";
		icv_clear(v);
	}
	return rc;
}

static void
xcbc_xor(uint8_t *dst, const uint8_t *src)
{
	size_t i;

	for (i = 0; i < ICV_XCBC_BLOCK; i++)
		dst[i] ^= src[i];
}

static int
icv_xcbc_update(struct icv_xcbc *x, const uint8_t *p, size_t len)
{
	size_t n;

	while (len > 0) {
		/* A full held block is not the last: chain it in. */
		if (x->x_buflen == ICV_XCBC_BLOCK) {
			xcbc_xor(x->x_e, x->x_buf);
			if (xcbc_block(x->x_k1, x->x_e, x->x_e) == -1)
				return -1;
			x->x_buflen = 0;
		}
		n = ICV_XCBC_BLOCK - x->x_buflen;
		if (n > len)
			n = len;
		memcpy(x->x_buf + x->x_buflen, p, n);
		x->x_buflen += n;
		p += n;
		len -= n;
	}
	return 0;
}

static int
icv_xcbc_finish(struct icv_xcbc *x, uint8_t *out, size_t len)
{
	if (x->x_buflen == ICV_XCBC_BLOCK)
		xcbc_xor(x->x_e, x->x_k2);
	else {
		memset(x->x_buf + x->x_buflen, 0, ICV_XCBC_BLOCK - x->x_buflen);
		x->x_buf[x->x_buflen] = 0x80;
		xcbc_xor(x->x_e, x->x_k3);
	}
	xcbc_xor(x->x_e, x->x_buf);
	if (xcbc_block(x->x_k1, x->x_e, x->x_e) == -1)
		return -1;
	memcpy(out, x->x_e, len);
	return 0;
}

int
icv_init(struct icv *v, const struct alg *a, const void *key, size_t keylen,
    const char **why)
{
	OSSL_PARAM params[2];
	EVP_MAC *mac;

	memset(v, 0, sizeof(*v));
	if (a == NULL || a->alg_kind != ALG_AUTH) {
		*why = "not an integrity algorithm";
		return -1;
	}
	if (keylen * 8 != a->alg_keymin) {
		*why = "authentication key length does not fit the algorithm";
		return -1;
	}
	v->icv_alg = a;
	v->icv_len = a->alg_icv;
	if (a->alg_sadb == SADB_X_AALG_NULL)
		return 0;
	if (a->alg_sadb == SADB_X_AALG_AES_XCBC_MAC)
		return icv_xcbc_init(v, key, why);
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL) {
		*why = "authentication algorithm not available";
		return -1;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)a->alg_ossl, 0);
	params[1] = OSSL_PARAM_construct_end();
	v->icv_mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (v->icv_mac == NULL ||
	    EVP_MAC_init(v->icv_mac, key, keylen, params) != 1) {
		*why = "cannot key the HMAC";
		icv_clear(v);
		return -1;
	}
	return 0;
}

void
icv_clear(struct icv *v)
{
	EVP_MAC_CTX_free(v->icv_mac);
	if (v->icv_xcbc != NULL) {
		EVP_CIPHER_CTX_free(v->icv_xcbc->x_k1);
		freezero(v->icv_xcbc, sizeof(*v->icv_xcbc));
	}
	memset(v, 0, sizeof(*v));
}

int
icv_start(struct icv *v)
{
	if (v->icv_xcbc != NULL) {
		memset(v->icv_xcbc->x_e, 0, ICV_XCBC_BLOCK);
		v->icv_xcbc->x_buflen = 0;
		return 0;
	}
	if (v->icv_mac == NULL)
		return 0;
	/* A NULL key re-arms HMAC with the key already set. */
	return EVP_MAC_init(v->icv_mac, NULL, 0, NULL) == 1 ? 0 : -1;
}

int
icv_update(struct icv *v, const void *p, size_t len)
{
	if (v->icv_xcbc != NULL)
		return icv_xcbc_update(v->icv_xcbc, p, len);
	if (v->icv_mac == NULL || len == 0)
		return 0;
	return EVP_MAC_update(v->icv_mac, p, len) == 1 ? 0 : -1;
}

int
icv_finish(struct icv *v, uint8_t *out)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	size_t n;

	if (v->icv_xcbc != NULL)
		return icv_xcbc_finish(v->icv_xcbc, out, v->icv_len);
	if (v->icv_mac == NULL)
		return 0;
	if (EVP_MAC_final(v->icv_mac, full, &n, sizeof(full)) != 1 ||
	    n < v->icv_len)
		return -1;
	memcpy(out, full, v->icv_len);
	mem_wipe(full, sizeof(full));
	return 0;
}
