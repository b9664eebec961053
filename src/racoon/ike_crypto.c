/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mathematics of IKEv1 after Diffie-Hellman (RFC 2409 sections 5 and
 * appendix B): prf and hash over lists of chunks, SKEYID and its three
 * children, the cipher key, the IVs, CBC over payload bodies, the phase 1
 * and quick mode hashes and KEYMAT.  OpenSSL does every primitive; this
 * file only strings the inputs together as the RFC says.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "alg.h"
#include "buf.h"
#include "log.h"
#include "ike_crypto.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
ike_ossl_warn(const char *what, const char *alg)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e == 0)
		snprintf(buf, sizeof(buf), "no OpenSSL error queued");
	else
		ERR_error_string_n(e, buf, sizeof(buf));
	log_warnx("%s (%s): %s", what, alg, buf);
	ERR_clear_error();
}

static OSSL_PROVIDER *ike_prov_default, *ike_prov_legacy;

static int ike_crypto_loaded, ike_crypto_rv;

/*
 * The legacy provider frees its child library context only when it is
 * unloaded; OpenSSL's exit-time cleanup does not, and LeakSanitizer
 * reports it.  Programs call this before exit.
 */
void
ike_crypto_done(void)
{
	if (ike_prov_legacy != NULL)
		OSSL_PROVIDER_unload(ike_prov_legacy);
	if (ike_prov_default != NULL)
		OSSL_PROVIDER_unload(ike_prov_default);
	ike_prov_legacy = ike_prov_default = NULL;
	ike_crypto_loaded = 0;
}

int
ike_crypto_init(void)
{
	int rv = 0;

	if (ike_crypto_loaded)
		return ike_crypto_rv;
	ike_crypto_loaded = 1;
	/* Loading legacy alone would hide the default provider. */
	if ((ike_prov_default = OSSL_PROVIDER_load(NULL, "default")) ==
	    NULL) {
		ike_ossl_warn("cannot load OpenSSL provider", "default");
		rv = -1;
	}
	if ((ike_prov_legacy = OSSL_PROVIDER_load(NULL, "legacy")) == NULL) {
		ike_ossl_warn("cannot load OpenSSL provider (des, blowfish "
		    "and cast will fail)", "legacy");
		rv = -1;
	}
	return ike_crypto_rv = rv;
}

size_t
ike_hash_len(const struct alg *hash)
{
	return hash->alg_icv;
}

int
ike_prf(const struct alg *hash, const void *key, size_t keylen,
    const struct ike_chunk *c, size_t n, uint8_t *out)
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t i, len = 0;
	int ok;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)hash->alg_ossl, 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) != NULL &&
	    (ctx = EVP_MAC_CTX_new(mac)) != NULL &&
	    EVP_MAC_init(ctx, key, keylen, params);
	for (i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(ctx, c[i].c_ptr, c[i].c_len);
	ok = ok && EVP_MAC_final(ctx, out, &len, IKE_PRF_MAX) &&
	    len == ike_hash_len(hash);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (!ok) {
		ike_ossl_warn("prf failed", hash->alg_name);
		return -1;
	}
	return 0;
}

int
ike_hash(const struct alg *hash, const struct ike_chunk *c, size_t n,
    uint8_t *out)
{
	EVP_MD *md = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned len = 0;
	size_t i;
	int ok;

	ok = (md = EVP_MD_fetch(NULL, hash->alg_ossl, NULL)) != NULL &&
	    (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestInit_ex2(ctx, md, NULL);
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, c[i].c_ptr, c[i].c_len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, &len) &&
	    len == ike_hash_len(hash);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	if (!ok) {
		ike_ossl_warn("hash failed", hash->alg_name);
		return -1;
	}
	return 0;
}

int
ike_keys_init(struct ike_keys *k, const struct alg *hash,
    const struct alg *enc, unsigned keybits)
{
	memset(k, 0, sizeof(*k));
	k->ik_hash = hash;
	k->ik_prflen = ike_hash_len(hash);
	if (hash->alg_kind != ALG_IKE_HASH || k->ik_prflen == 0 ||
	    k->ik_prflen > IKE_PRF_MAX) {
		log_warnx("%s: not a phase 1 hash", hash->alg_name);
		return -1;
	}
	if (enc == NULL)
		return 0;
	if (keybits == 0)
		keybits = enc->alg_keydef;
	if (enc->alg_kind != ALG_IKE_ENC || !alg_key_ok(enc, keybits) ||
	    keybits % 8 != 0 || keybits / 8 > IKE_KEY_MAX ||
	    enc->alg_block > IKE_BLOCK_MAX) {
		log_warnx("%s: no %u-bit key", enc->alg_name, keybits);
		return -1;
	}
	k->ik_enc = enc;
	k->ik_keybits = keybits;
	k->ik_enckeylen = keybits / 8;
	return 0;
}

void
ike_keys_clear(struct ike_keys *k)
{
	mem_wipe(k, sizeof(*k));
}

int
ike_skeyid_psk(struct ike_keys *k, const uint8_t *psk, size_t psklen,
    const struct ike_chunk *ni, const struct ike_chunk *nr)
{
	struct ike_chunk c[] = { *ni, *nr };

	return ike_prf(k->ik_hash, psk, psklen, c, NELEM(c), k->ik_skeyid);
}

int
ike_skeyid_sig(struct ike_keys *k, const struct ike_chunk *ni,
    const struct ike_chunk *nr, const struct ike_chunk *gxy)
{
	uint8_t key[2 * 256];
	int rv;

	if (ni->c_len + nr->c_len > sizeof(key))
		return -1;
	memcpy(key, ni->c_ptr, ni->c_len);
	memcpy(key + ni->c_len, nr->c_ptr, nr->c_len);
	rv = ike_prf(k->ik_hash, key, ni->c_len + nr->c_len, gxy, 1,
	    k->ik_skeyid);
	mem_wipe(key, sizeof(key));
	return rv;
}

/*
 * RFC 2409 appendix B: when the prf output is shorter than the key,
 * Ka = K1 | K2 | K3 ..., K1 = prf(SKEYID_e, 0), Kn+1 = prf(SKEYID_e, Kn).
 */
static int
ike_enc_key(struct ike_keys *k)
{
	uint8_t kn[IKE_PRF_MAX], zero = 0;
	struct ike_chunk c = { &zero, 1 };
	size_t have, take;

	if (k->ik_enckeylen <= k->ik_prflen) {
		memcpy(k->ik_enckey, k->ik_skeyid_e, k->ik_enckeylen);
		return 0;
	}
	for (have = 0; have < k->ik_enckeylen; have += take) {
		if (ike_prf(k->ik_hash, k->ik_skeyid_e, k->ik_prflen, &c, 1,
		    kn) == -1) {
			mem_wipe(kn, sizeof(kn));
			return -1;
		}
		take = k->ik_enckeylen - have < k->ik_prflen ?
		    k->ik_enckeylen - have : k->ik_prflen;
		memcpy(k->ik_enckey + have, kn, take);
		c.c_ptr = kn;
		c.c_len = k->ik_prflen;
	}
	mem_wipe(kn, sizeof(kn));
	return 0;
}

/*
 * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 */
int
ike_skeyid_derive(struct ike_keys *k, const struct ike_chunk *gxy,
    const uint8_t *cky_i, const uint8_t *cky_r)
{
	uint8_t *out[] = { k->ik_skeyid_d, k->ik_skeyid_a, k->ik_skeyid_e };
	uint8_t n;
	struct ike_chunk c[] = {
		{ NULL, 0 }, *gxy, { cky_i, IKE_COOKIE_LEN },
		{ cky_r, IKE_COOKIE_LEN }, { &n, 1 },
	};

	for (n = 0; n < 3; n++) {
		if (n > 0) {
			c[0].c_ptr = out[n - 1];
			c[0].c_len = k->ik_prflen;
		}
		if (ike_prf(k->ik_hash, k->ik_skeyid, k->ik_prflen, c,
		    NELEM(c), out[n]) == -1)
			return -1;
	}
	return k->ik_enc == NULL ? 0 : ike_enc_key(k);
}

static void
ike_msgid_bytes(uint32_t msgid, uint8_t *m)
{
	m[0] = (uint8_t)(msgid >> 24);
	m[1] = (uint8_t)(msgid >> 16);
	m[2] = (uint8_t)(msgid >> 8);
	m[3] = (uint8_t)msgid;
}

static int
ike_iv_cut(const struct ike_keys *k, const struct ike_chunk *c, size_t n,
    struct ike_iv *iv)
{
	uint8_t h[IKE_PRF_MAX];

	if (k->ik_enc == NULL || k->ik_enc->alg_block > k->ik_prflen ||
	    ike_hash(k->ik_hash, c, n, h) == -1)
		return -1;
	iv->iv_len = k->ik_enc->alg_block;
	memcpy(iv->iv_data, h, iv->iv_len);
	return 0;
}

int
ike_iv_phase1(const struct ike_keys *k, const struct ike_chunk *gxi,
    const struct ike_chunk *gxr, struct ike_iv *iv)
{
	struct ike_chunk c[] = { *gxi, *gxr };

	return ike_iv_cut(k, c, NELEM(c), iv);
}

int
ike_iv_msgid(const struct ike_keys *k, const struct ike_iv *last,
    uint32_t msgid, struct ike_iv *iv)
{
	uint8_t m[4];
	struct ike_chunk c[] = { { last->iv_data, last->iv_len }, { m, 4 } };

	ike_msgid_bytes(msgid, m);
	return ike_iv_cut(k, c, NELEM(c), iv);
}

static EVP_CIPHER *
ike_cipher_fetch(const struct ike_keys *k)
{
	EVP_CIPHER *cipher;
	char name[64];

	(void)ike_crypto_init();
	if (alg_ossl_name(k->ik_enc, k->ik_keybits, name, sizeof(name)) ==
	    -1) {
		log_warnx("%s: OpenSSL has no such cipher",
		    k->ik_enc->alg_name);
		return NULL;
	}
	if ((cipher = EVP_CIPHER_fetch(NULL, name, NULL)) == NULL)
		ike_ossl_warn("cannot fetch cipher", name);
	return cipher;
}

/* One CBC pass over whole blocks; *iv becomes the last cipher block. */
static int
ike_cbc(const struct ike_keys *k, struct ike_iv *iv, int enc,
    const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, fin = 0, ok;

	if ((cipher = ike_cipher_fetch(k)) == NULL)
		return -1;
	ok = len <= INT32_MAX && (ctx = EVP_CIPHER_CTX_new()) != NULL &&
	    EVP_CipherInit_ex2(ctx, cipher, NULL, NULL, enc, NULL) &&
	    EVP_CIPHER_CTX_set_key_length(ctx, (int)k->ik_enckeylen) > 0 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	    EVP_CipherInit_ex2(ctx, NULL, k->ik_enckey, iv->iv_data, enc,
	    NULL) &&
	    EVP_CipherUpdate(ctx, out, &outl, in, (int)len) &&
	    EVP_CipherFinal_ex(ctx, out + outl, &fin) &&
	    (size_t)outl + fin == len;
	if (ok)
		memcpy(iv->iv_data, (enc ? out : in) + len - iv->iv_len,
		    iv->iv_len);
	else
		ike_ossl_warn("CBC failed", k->ik_enc->alg_name);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return ok ? 0 : -1;
}

int
ike_encrypt(const struct ike_keys *k, struct ike_iv *iv, const uint8_t *in,
    size_t len, struct wbuf *out)
{
	size_t bs = iv->iv_len, pad = bs - len % bs, off;
	uint8_t *p;

	if (k->ik_enc == NULL || bs != k->ik_enc->alg_block ||
	    wbuf_reserve(out, len + pad, &off) == -1)
		return -1;
	p = wbuf_data(out) + off;
	memcpy(p, in, len);
	p[len + pad - 1] = (uint8_t)(pad - 1);	/* the rest is zero */
	if (ike_cbc(k, iv, 1, p, len + pad, p) == -1) {
		mem_wipe(p, len + pad);
		return -1;
	}
	return 0;
}

int
ike_decrypt(const struct ike_keys *k, struct ike_iv *iv, const uint8_t *in,
    size_t len, struct wbuf *out)
{
	size_t bs = iv->iv_len, off;

	if (k->ik_enc == NULL || bs != k->ik_enc->alg_block)
		return -1;
	if (len == 0 || len % bs != 0) {
		log_warnx("encrypted body of %zu bytes, not whole %zu-byte "
		    "blocks", len, bs);
		return -1;
	}
	if (wbuf_reserve(out, len, &off) == -1)
		return -1;
	return ike_cbc(k, iv, 0, in, len, wbuf_data(out) + off);
}

#define IKE_HDR_LEN	28	/* ISAKMP header, RFC 2408 3.1 */
#define IKE_HDR_FLAGS	19
#define IKE_HDR_LENGTH	24

static int
ike_msg_header(const uint8_t *msg, size_t len, struct wbuf *out,
    size_t *off)
{
	if (len < IKE_HDR_LEN) {
		log_warnx("ISAKMP message of %zu bytes, header needs %d", len,
		    IKE_HDR_LEN);
		return -1;
	}
	*off = wbuf_len(out);
	return wbuf_put_bytes(out, msg, IKE_HDR_LEN);
}

static int
ike_msg_patch(struct wbuf *out, size_t off, uint8_t flags)
{
	size_t len = wbuf_len(out) - off;

	if (len > UINT32_MAX ||
	    wbuf_set_u8(out, off + IKE_HDR_FLAGS, flags) == -1)
		return -1;
	return wbuf_set_u32(out, off + IKE_HDR_LENGTH, (uint32_t)len);
}

int
ike_encrypt_msg(const struct ike_keys *k, struct ike_iv *iv,
    const uint8_t *msg, size_t len, struct wbuf *out)
{
	size_t off;

	if (ike_msg_header(msg, len, out, &off) == -1 ||
	    ike_encrypt(k, iv, msg + IKE_HDR_LEN, len - IKE_HDR_LEN,
	    out) == -1)
		return -1;
	return ike_msg_patch(out, off, msg[IKE_HDR_FLAGS] | 0x01);
}

int
ike_decrypt_msg(const struct ike_keys *k, struct ike_iv *iv,
    const uint8_t *msg, size_t len, struct wbuf *out)
{
	size_t off;

	if (ike_msg_header(msg, len, out, &off) == -1)
		return -1;
	if ((msg[IKE_HDR_FLAGS] & 0x01) == 0) {
		log_warnx("ISAKMP message to decrypt has no E flag");
		return -1;
	}
	return ike_decrypt(k, iv, msg + IKE_HDR_LEN, len - IKE_HDR_LEN, out);
}

static int
ike_hash_ph1(const struct ike_keys *k, const struct ike_chunk *gx_me,
    const struct ike_chunk *gx_peer, const uint8_t *cky_me,
    const uint8_t *cky_peer, const struct ike_ph1_hash_in *in, uint8_t *out)
{
	struct ike_chunk c[] = {
		*gx_me, *gx_peer, { cky_me, IKE_COOKIE_LEN },
		{ cky_peer, IKE_COOKIE_LEN }, in->h_sai, in->h_id,
	};

	return ike_prf(k->ik_hash, k->ik_skeyid, k->ik_prflen, c, NELEM(c),
	    out);
}

int
ike_hash_i(const struct ike_keys *k, const struct ike_ph1_hash_in *in,
    uint8_t *out)
{
	return ike_hash_ph1(k, &in->h_gxi, &in->h_gxr, in->h_cky_i,
	    in->h_cky_r, in, out);
}

int
ike_hash_r(const struct ike_keys *k, const struct ike_ph1_hash_in *in,
    uint8_t *out)
{
	return ike_hash_ph1(k, &in->h_gxr, &in->h_gxi, in->h_cky_r,
	    in->h_cky_i, in, out);
}

int
ike_qm_hash1(const struct ike_keys *k, uint32_t msgid,
    const struct ike_chunk *rest, uint8_t *out)
{
	uint8_t m[4];
	struct ike_chunk c[] = { { m, 4 }, *rest };

	ike_msgid_bytes(msgid, m);
	return ike_prf(k->ik_hash, k->ik_skeyid_a, k->ik_prflen, c, NELEM(c),
	    out);
}

int
ike_qm_hash2(const struct ike_keys *k, uint32_t msgid,
    const struct ike_chunk *ni, const struct ike_chunk *rest, uint8_t *out)
{
	uint8_t m[4];
	struct ike_chunk c[] = { { m, 4 }, *ni, *rest };

	ike_msgid_bytes(msgid, m);
	return ike_prf(k->ik_hash, k->ik_skeyid_a, k->ik_prflen, c, NELEM(c),
	    out);
}

int
ike_qm_hash3(const struct ike_keys *k, uint32_t msgid,
    const struct ike_chunk *ni, const struct ike_chunk *nr, uint8_t *out)
{
	uint8_t m[5] = { 0 };
	struct ike_chunk c[] = { { m, 5 }, *ni, *nr };

	ike_msgid_bytes(msgid, m + 1);
	return ike_prf(k->ik_hash, k->ik_skeyid_a, k->ik_prflen, c, NELEM(c),
	    out);
}

int
ike_keymat(const struct ike_keys *k, const struct ike_chunk *gqm,
    uint8_t proto, const uint8_t *spi, size_t spilen,
    const struct ike_chunk *ni, const struct ike_chunk *nr, size_t need,
    struct wbuf *out)
{
	uint8_t kn[IKE_PRF_MAX];
	struct ike_chunk c[] = {
		{ NULL, 0 }, { NULL, 0 }, { &proto, 1 }, { spi, spilen },
		*ni, *nr,
	};
	size_t have, take;
	int rv = 0;

	if (gqm != NULL)
		c[1] = *gqm;
	for (have = 0; have < need && rv == 0; have += take) {
		if ((rv = ike_prf(k->ik_hash, k->ik_skeyid_d, k->ik_prflen, c,
		    NELEM(c), kn)) == -1)
			break;
		take = need - have < k->ik_prflen ? need - have :
		    k->ik_prflen;
		rv = wbuf_put_bytes(out, kn, take);
		c[0].c_ptr = kn;
		c[0].c_len = k->ik_prflen;
	}
	mem_wipe(kn, sizeof(kn));
	return rv;
}
