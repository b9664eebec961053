/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ESP sealing and opening for one SA, on OpenSSL EVP contexts keyed once.
 * See esp.h for the formats; RFC 4303 section 2 for the wire layout:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Security Parameters Index (SPI)                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      Sequence Number                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    IV (explicit, per cipher)                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Payload Data (variable)                    |
 *  +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               |     Padding (0-255 bytes)                     |
 *  +-+-+-+-+-+-+-+-+               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |  Pad Length   | Next Header   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Integrity Check Value (variable)                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#include <string.h>

#include <openssl/rand.h>

#include "esp.h"

static int
esp_cipher_ctx(struct esp *e, const EVP_CIPHER *c, const uint8_t *key,
    size_t keylen, int enc, EVP_CIPHER_CTX **out)
{
	EVP_CIPHER_CTX *ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	/* Blowfish and CAST take several key lengths: set it first. */
	if (EVP_CipherInit_ex2(ctx, c, NULL, NULL, enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_key_length(ctx, (int)keylen) != 1 ||
	    EVP_CipherInit_ex2(ctx, NULL, key, NULL, enc, NULL) != 1 ||
	    (!e->esp_aead && EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)) {
		EVP_CIPHER_CTX_free(ctx);
		return -1;
	}
	*out = ctx;
	return 0;
}

static int
esp_init_cipher(struct esp *e, const uint8_t *key, size_t keylen,
    const char **why)
{
	const struct alg *a = e->esp_enc;
	size_t salt = alg_salt_bits(a) / 8;
	EVP_CIPHER *c;
	char name[64];
	int rc = -1;

	if (!alg_key_ok(a, (unsigned)keylen * 8)) {
		*why = "encryption key length does not fit the algorithm";
		return -1;
	}
	e->esp_align = a->alg_block < 4 ? 4 : a->alg_block;
	e->esp_ivlen = a->alg_iv;
	if (a->alg_sadb == SADB_EALG_NULL)
		return 0;
	if (alg_ossl_name(a, (unsigned)keylen * 8, name, sizeof(name)) == -1 ||
	    (c = EVP_CIPHER_fetch(NULL, name, NULL)) == NULL) {
		*why = "encryption algorithm not available from OpenSSL";
		return -1;
	}
	memcpy(e->esp_salt, key + keylen - salt, salt);
	if (esp_cipher_ctx(e, c, key, keylen - salt, 1, &e->esp_ectx) == -1 ||
	    esp_cipher_ctx(e, c, key, keylen - salt, 0, &e->esp_dctx) == -1)
		*why = "cannot key the cipher";
	else
		rc = 0;
	EVP_CIPHER_free(c);
	return rc;
}

int
esp_init(struct esp *e, const struct alg *enc, const void *ekey,
    size_t ekeylen, const struct alg *auth, const void *akey, size_t akeylen,
    const char **why)
{
	memset(e, 0, sizeof(*e));
	if (enc == NULL || enc->alg_kind != ALG_ENC ||
	    (auth != NULL && auth->alg_kind != ALG_AUTH)) {
		*why = "not an ESP algorithm";
		return -1;
	}
	e->esp_enc = enc;
	e->esp_aead = (enc->alg_flags & ALG_F_AEAD) != 0;
	e->esp_ctr = enc->alg_sadb == SADB_X_EALG_AESCTR;
	if (auth != NULL && auth->alg_sadb == SADB_X_AALG_NULL)
		auth = NULL;
	if (e->esp_aead && auth != NULL) {
		*why = "an AEAD cipher takes no separate authentication";
		return -1;
	}
	if (esp_init_cipher(e, ekey, ekeylen, why) == -1 ||
	    (auth != NULL && icv_init(&e->esp_icv, auth, akey, akeylen,
	    why) == -1)) {
		esp_clear(e);
		return -1;
	}
	e->esp_icvlen = e->esp_aead ? enc->alg_icv : e->esp_icv.icv_len;
	/* Counter IVs must never repeat under a key: start anywhere. */
	if (RAND_bytes((uint8_t *)&e->esp_ivctr, sizeof(e->esp_ivctr)) != 1) {
		*why = "no randomness";
		esp_clear(e);
		return -1;
	}
	return 0;
}

void
esp_clear(struct esp *e)
{
	EVP_CIPHER_CTX_free(e->esp_ectx);
	EVP_CIPHER_CTX_free(e->esp_dctx);
	icv_clear(&e->esp_icv);
	mem_wipe(e, sizeof(*e));
}

static size_t
esp_padlen(const struct esp *e, size_t len)
{
	/* payload + pad + 2 trailer bytes is a multiple of the boundary */
	return (e->esp_align - (len + 2) % e->esp_align) % e->esp_align;
}

size_t
esp_overhead(const struct esp *e, size_t len)
{
	return ESP_HDRLEN + e->esp_ivlen + esp_padlen(e, len) + 2 +
	    e->esp_icvlen;
}

/* The full counter block or nonce for CTR and GCM from the explicit IV. */
static void
esp_nonce(const struct esp *e, const uint8_t *iv, uint8_t *nonce)
{
	memcpy(nonce, e->esp_salt, 4);
	memcpy(nonce + 4, iv, 8);
	/* RFC 3686 4: the block counter starts at 1 */
	nonce[12] = 0, nonce[13] = 0, nonce[14] = 0, nonce[15] = 1;
}

static int
esp_set_iv(const struct esp *e, EVP_CIPHER_CTX *ctx, const uint8_t *iv)
{
	uint8_t nonce[16];

	if (e->esp_ivlen == 0)
		return 0;
	if (e->esp_aead || e->esp_ctr) {
		esp_nonce(e, iv, nonce);
		return EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, -1,
		    NULL) == 1 ? 0 : -1;
	}
	return EVP_CipherInit_ex2(ctx, NULL, NULL, iv, -1, NULL) == 1 ?
	    0 : -1;
}

static int
esp_make_iv(struct esp *e, uint8_t *iv)
{
	uint64_t c;
	int i;

	if (e->esp_aead || e->esp_ctr) {
		c = e->esp_ivctr++;
		for (i = 7; i >= 0; i--, c >>= 8)
			iv[i] = (uint8_t)c;
		return 0;
	}
	return RAND_bytes(iv, e->esp_ivlen) == 1 ? 0 : -1;
}

/* The ICV of an HMAC-protected packet (not AEAD). */
static int
esp_icv(struct esp *e, const uint8_t *data, size_t len, uint8_t *icv)
{
	if (icv_start(&e->esp_icv) == -1 ||
	    icv_update(&e->esp_icv, data, len) == -1 ||
	    icv_finish(&e->esp_icv, icv) == -1)
		return -1;
	return 0;
}

/* Encrypt len bytes at p in place; for GCM also append the tag. */
static int
esp_encrypt(struct esp *e, const uint8_t *aad, uint8_t *p, size_t len,
    uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = e->esp_ectx;
	int n, m;

	if (ctx == NULL)
		return 0;
	if (e->esp_aead && EVP_EncryptUpdate(ctx, NULL, &n, aad,
	    ESP_HDRLEN) != 1)
		return -1;
	if (EVP_EncryptUpdate(ctx, p, &n, p, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, p + n, &m) != 1 || (size_t)(n + m) != len)
		return -1;
	if (e->esp_aead && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
	    e->esp_icvlen, tag) != 1)
		return -1;
	return 0;
}

int
esp_seal(struct esp *e, uint32_t spi, uint32_t seq, uint8_t nh,
    const void *payload, size_t len, struct wbuf *out)
{
	size_t start = wbuf_len(out), body, pad = esp_padlen(e, len), i;
	uint8_t iv[ESP_MAXIV], icv[ESP_MAXICV], *p;

	if (esp_make_iv(e, iv) == -1)
		return -1;
	wbuf_put_u32(out, spi);
	wbuf_put_u32(out, seq);
	wbuf_put_bytes(out, iv, e->esp_ivlen);
	body = wbuf_len(out);
	wbuf_put_bytes(out, payload, len);
	/* RFC 4303 2.4: padding bytes are 1, 2, 3, ... */
	for (i = 1; i <= pad; i++)
		wbuf_put_u8(out, (uint8_t)i);
	wbuf_put_u8(out, (uint8_t)pad);
	if (wbuf_put_u8(out, nh) == -1)
		goto fail;
	p = wbuf_data(out);
	if (esp_set_iv(e, e->esp_ectx, iv) == -1 ||
	    esp_encrypt(e, p + start, p + body, wbuf_len(out) - body,
	    icv) == -1)
		goto fail;
	if (!e->esp_aead && esp_icv(e, p + start, wbuf_len(out) - start,
	    icv) == -1)
		goto fail;
	if (wbuf_put_bytes(out, icv, e->esp_icvlen) == -1)
		goto fail;
	return 0;
 fail:
	if (!wbuf_failed(out))
		(void)wbuf_truncate(out, start);
	return -1;
}

/* Decrypt len bytes of ct into p; for GCM check the tag as well. */
static int
esp_decrypt(struct esp *e, const uint8_t *aad, const uint8_t *ct,
    size_t len, uint8_t *p, const uint8_t *icv)
{
	EVP_CIPHER_CTX *ctx = e->esp_dctx;
	uint8_t tag[ESP_MAXICV];
	int n, m;

	if (ctx == NULL) {
		memcpy(p, ct, len);
		return 0;
	}
	if (e->esp_aead) {
		memcpy(tag, icv, e->esp_icvlen);
		if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
		    e->esp_icvlen, tag) != 1 ||
		    EVP_DecryptUpdate(ctx, NULL, &n, aad, ESP_HDRLEN) != 1)
			return -1;
	}
	if (EVP_DecryptUpdate(ctx, p, &n, ct, (int)len) != 1 ||
	    EVP_DecryptFinal_ex(ctx, p + n, &m) != 1 || (size_t)(n + m) != len)
		return -1;
	return 0;
}

int
esp_open(struct esp *e, struct rbuf *in, struct wbuf *out, uint8_t *nh,
    const char **why)
{
	const uint8_t *hdr = rbuf_ptr(in), *iv, *ct, *icv;
	size_t total = rbuf_left(in), clen, off, padlen;
	uint8_t calc[ESP_MAXICV], *p;
	struct rbuf r = *in;

	if (total < (size_t)ESP_HDRLEN + e->esp_ivlen + e->esp_icvlen + 2) {
		e->esp_fail = ESP_FAIL_SHORT;
		*why = "ESP packet too short";
		return -1;
	}
	clen = total - ESP_HDRLEN - e->esp_ivlen - e->esp_icvlen;
	if (clen % e->esp_align != 0) {
		e->esp_fail = ESP_FAIL_LENGTH;
		*why = "ESP ciphertext not a multiple of the block size";
		return -1;
	}
	(void)rbuf_skip(&r, ESP_HDRLEN);
	(void)rbuf_get_ref(&r, e->esp_ivlen, &iv);
	(void)rbuf_get_ref(&r, clen, &ct);
	(void)rbuf_get_ref(&r, e->esp_icvlen, &icv);
	if (!e->esp_aead && (esp_icv(e, hdr, total - e->esp_icvlen,
	    calc) == -1 || mem_cmp_ct(calc, icv, e->esp_icvlen) != 0)) {
		e->esp_fail = ESP_FAIL_ICV;
		*why = "ESP ICV mismatch";
		return -1;
	}
	if (wbuf_reserve(out, clen, &off) == -1) {
		e->esp_fail = ESP_FAIL_TOOBIG;
		*why = "ESP payload too large";
		return -1;
	}
	p = wbuf_data(out) + off;
	if (esp_set_iv(e, e->esp_dctx, iv) == -1 ||
	    esp_decrypt(e, hdr, ct, clen, p, icv) == -1) {
		e->esp_fail = e->esp_aead ? ESP_FAIL_ICV : ESP_FAIL_DECRYPT;
		*why = e->esp_aead ? "ESP ICV mismatch" : "ESP decryption failed";
		goto fail;
	}
	/*
	 * The pad bytes are not checked for 1, 2, 3...: RFC 4303 2.4 lets an
	 * algorithm define other padding, and Linux does not check either.
	 */
	padlen = p[clen - 2];
	if (padlen + 2 > clen) {
		e->esp_fail = ESP_FAIL_PADDING;
		*why = "ESP pad length beyond the payload";
		goto fail;
	}
	*nh = p[clen - 1];
	(void)wbuf_truncate(out, off + clen - padlen - 2);
	*in = r;
	return 0;
 fail:
	mem_wipe(p, clen);
	(void)wbuf_truncate(out, off);
	return -1;
}
