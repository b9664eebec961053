/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICVs on OpenSSL's EVP_MAC.  HMAC only for now: AES-XCBC-MAC-96 (RFC 3566)
 * is in the algorithm table but has no OpenSSL MAC, so icv_init() refuses
 * it until it is built here (XXX: datapath II).
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "buf.h"
#include "icv.h"

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
	if (a->alg_sadb == SADB_X_AALG_AES_XCBC_MAC ||
	    (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL) {
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
	memset(v, 0, sizeof(*v));
}

int
icv_start(struct icv *v)
{
	if (v->icv_mac == NULL)
		return 0;
	/* A NULL key re-arms HMAC with the key already set. */
	return EVP_MAC_init(v->icv_mac, NULL, 0, NULL) == 1 ? 0 : -1;
}

int
icv_update(struct icv *v, const void *p, size_t len)
{
	if (v->icv_mac == NULL || len == 0)
		return 0;
	return EVP_MAC_update(v->icv_mac, p, len) == 1 ? 0 : -1;
}

int
icv_finish(struct icv *v, uint8_t *out)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	size_t n;

	if (v->icv_mac == NULL)
		return 0;
	if (EVP_MAC_final(v->icv_mac, full, &n, sizeof(full)) != 1 ||
	    n < v->icv_len)
		return -1;
	memcpy(out, full, v->icv_len);
	mem_wipe(full, sizeof(full));
	return 0;
}
