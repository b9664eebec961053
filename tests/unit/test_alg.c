/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for src/common/alg.c: lookups, numbers, sizes, OpenSSL names. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "alg.h"
#include "test_helper.h"

static void
t_setkey_names(void)
{
	const struct alg *a;

	a = alg_by_name(ALG_ENC, "3des-cbc");
	ASSERT_PTR_NE(a, NULL);
	ASSERT_INT_EQ(a->alg_sadb, SADB_EALG_3DESCBC);
	ASSERT_INT_EQ(a->alg_keymin, 192);
	ASSERT_PTR_EQ(alg_by_name(ALG_ENC, "rijndael-cbc"),
	    alg_by_name(ALG_ENC, "aes-cbc"));
	a = alg_by_name(ALG_AUTH, "hmac-md5");
	ASSERT_PTR_NE(a, NULL);
	ASSERT_INT_EQ(a->alg_sadb, SADB_AALG_MD5HMAC);
	ASSERT_INT_EQ(a->alg_icv, 12);
	ASSERT_INT_EQ(a->alg_ah, 2);
	ASSERT_INT_EQ(a->alg_ike_auth, 1);
	/* "null" names different rows per kind. */
	ASSERT_INT_EQ(alg_by_name(ALG_ENC, "null")->alg_sadb, SADB_EALG_NULL);
	ASSERT_INT_EQ(alg_by_name(ALG_AUTH, "null")->alg_sadb,
	    SADB_X_AALG_NULL);
}

static void
t_unknown_names(void)
{
	ASSERT_PTR_EQ(alg_by_name(ALG_AUTH, "hmac-md6"), NULL);
	ASSERT_PTR_EQ(alg_by_name(ALG_ENC, "hmac-md5"), NULL);
	ASSERT_PTR_EQ(alg_by_name(ALG_ENC, ""), NULL);
	ASSERT_PTR_EQ(alg_by_name(ALG_ENC, "3DES-CBC"), NULL);
	ASSERT_PTR_EQ(alg_by_cfgname(ALG_IKE_ENC, "3des-cbc"), NULL);
	ASSERT_PTR_EQ(alg_by_cfgname(ALG_DH, "modp999"), NULL);
	ASSERT_PTR_EQ(alg_by_sadb(ALG_ENC, 99), NULL);
	ASSERT_PTR_EQ(alg_by_ike(ALG_DH, 3), NULL);
	ASSERT_PTR_EQ(alg_by_ike_auth(0), NULL);
	ASSERT_PTR_EQ(alg_by_ah(-1), NULL);
}

static void
t_racoon_names(void)
{
	const struct alg *a;

	a = alg_by_cfgname(ALG_IKE_ENC, "aes");
	ASSERT_PTR_NE(a, NULL);
	ASSERT_INT_EQ(a->alg_ike, 7);
	ASSERT_INT_EQ(alg_by_cfgname(ALG_IKE_HASH, "sha256")->alg_ike, 4);
	ASSERT_INT_EQ(alg_by_cfgname(ALG_DH, "modp1024")->alg_ike, 2);
	ASSERT_INT_EQ(alg_by_cfgname(ALG_DH, "ecp256")->alg_ike, 19);
	ASSERT_INT_EQ(alg_by_cfgname(ALG_ENC, "aes")->alg_ike, 12);
	ASSERT_INT_EQ(alg_by_cfgname(ALG_ENC, "aes_gcm_16")->alg_ike, 20);
	ASSERT_INT_EQ(alg_by_cfgname(ALG_AUTH, "hmac_sha1")->alg_ike_auth, 2);
	/* ipsec-tools' setkey token.l spellings, which old scripts use. */
	ASSERT_PTR_EQ(alg_by_name(ALG_AUTH, "hmac-sha2-256"),
	    alg_by_name(ALG_AUTH, "hmac-sha256"));
	ASSERT_PTR_EQ(alg_by_name(ALG_AUTH, "hmac-sha2-384"),
	    alg_by_name(ALG_AUTH, "hmac-sha384"));
	ASSERT_PTR_EQ(alg_by_name(ALG_AUTH, "hmac-sha2-512"),
	    alg_by_name(ALG_AUTH, "hmac-sha512"));
	ASSERT_TRUE(alg_by_name(ALG_AUTH, "hmac-sha2-256") != NULL);
	/* ipsec-tools' cftoken.l spellings, which old racoon.confs use. */
	ASSERT_PTR_EQ(alg_by_cfgname(ALG_AUTH, "hmac_sha2_256"),
	    alg_by_cfgname(ALG_AUTH, "hmac_sha256"));
	ASSERT_PTR_EQ(alg_by_cfgname(ALG_AUTH, "hmac_sha2_384"),
	    alg_by_cfgname(ALG_AUTH, "hmac_sha384"));
	ASSERT_PTR_EQ(alg_by_cfgname(ALG_AUTH, "hmac_sha2_512"),
	    alg_by_cfgname(ALG_AUTH, "hmac_sha512"));
	ASSERT_PTR_EQ(alg_by_cfgname(ALG_ENC, "null"),
	    alg_by_cfgname(ALG_ENC, "null_enc"));
	ASSERT_INT_EQ(alg_by_cfgname(ALG_COMP, "deflate")->alg_sadb,
	    SADB_X_CALG_DEFLATE);
	ASSERT_PTR_EQ(alg_by_ike(ALG_DH, 1), alg_by_cfgname(ALG_DH,
	    "modp768"));
	ASSERT_TRUE(alg_by_ike(ALG_DH, 1)->alg_flags & ALG_F_WEAK);
}

static void
t_numbers_round_trip(void)
{
	static const enum alg_kind kinds[] = {
		ALG_ENC, ALG_AUTH, ALG_COMP, ALG_IKE_ENC, ALG_IKE_HASH, ALG_DH
	};
	const struct alg *a;
	size_t k, i;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		i = 0;
		while ((a = alg_next(kinds[k], &i)) != NULL) {
			ASSERT_PTR_EQ(alg_by_name(kinds[k], a->alg_name), a);
			if (a->alg_cfgname != NULL)
				ASSERT_PTR_EQ(alg_by_cfgname(kinds[k],
				    a->alg_cfgname), a);
			if (a->alg_sadb != ALG_NONE)
				ASSERT_PTR_EQ(alg_by_sadb(kinds[k],
				    a->alg_sadb), a);
			if (a->alg_ike != ALG_NONE)
				ASSERT_PTR_EQ(alg_by_ike(kinds[k],
				    a->alg_ike), a);
			ASSERT_TRUE(a->alg_keymin <= a->alg_keydef);
			ASSERT_TRUE(a->alg_keydef <= a->alg_keymax);
			if (a->alg_keymax > 0)
				ASSERT_TRUE(alg_key_ok(a, a->alg_keydef));
		}
	}
}

static void
t_key_sizes(void)
{
	const struct alg *gcm = alg_by_name(ALG_ENC, "aes-gcm-16");
	const struct alg *cbc = alg_by_name(ALG_ENC, "aes-cbc");

	ASSERT_TRUE(alg_key_ok(cbc, 128));
	ASSERT_TRUE(alg_key_ok(cbc, 192));
	ASSERT_TRUE(alg_key_ok(cbc, 256));
	ASSERT_FALSE(alg_key_ok(cbc, 160));
	ASSERT_FALSE(alg_key_ok(cbc, 512));
	/* setkey gives GCM keys with the 4-byte salt at the end. */
	ASSERT_TRUE(alg_key_ok(gcm, 160));
	ASSERT_TRUE(alg_key_ok(gcm, 288));
	ASSERT_FALSE(alg_key_ok(gcm, 128));
	ASSERT_INT_EQ(alg_salt_bits(gcm), 32);
	ASSERT_INT_EQ(gcm->alg_icv, 16);
	ASSERT_TRUE(gcm->alg_flags & ALG_F_AEAD);
	/* RFC 4868, not af_key's 96 bits. */
	ASSERT_INT_EQ(alg_by_name(ALG_AUTH, "hmac-sha256")->alg_icv, 16);
	ASSERT_INT_EQ(alg_by_name(ALG_AUTH, "hmac-sha384")->alg_icv, 24);
	ASSERT_INT_EQ(alg_by_name(ALG_AUTH, "hmac-sha512")->alg_icv, 32);
}

static OSSL_PROVIDER *prov_default, *prov_legacy;

/* Every OpenSSL name in the table is one OpenSSL knows. */
static void
t_openssl_names(void)
{
	const struct alg *a;
	char name[64];
	size_t i = 0;
	EVP_CIPHER *c;
	EVP_MD *md;

	ASSERT_PTR_NE(prov_default = OSSL_PROVIDER_load(NULL, "default"),
	    NULL);
	ASSERT_PTR_NE(prov_legacy = OSSL_PROVIDER_load(NULL, "legacy"), NULL);
	while ((a = alg_next(ALG_ENC, &i)) != NULL) {
		if (a->alg_ossl == NULL || strcmp(a->alg_ossl, "NULL") == 0)
			continue;
		ASSERT_INT_EQ(alg_ossl_name(a, a->alg_keymax, name,
		    sizeof(name)), 0);
		c = EVP_CIPHER_fetch(NULL, name, NULL);
		if (c == NULL)
			test_fail(__FILE__, __LINE__, "OpenSSL has no %s",
			    name);
		EVP_CIPHER_free(c);
	}
	i = 0;
	while ((a = alg_next(ALG_IKE_HASH, &i)) != NULL) {
		md = EVP_MD_fetch(NULL, a->alg_ossl, NULL);
		ASSERT_PTR_NE(md, NULL);
		ASSERT_INT_EQ(EVP_MD_get_size(md), a->alg_icv);
		EVP_MD_free(md);
	}
	ASSERT_INT_EQ(alg_ossl_name(alg_by_name(ALG_ENC, "aes-gcm-16"), 288,
	    name, sizeof(name)), 0);
	ASSERT_STR_EQ(name, "AES-256-GCM");
	ASSERT_INT_EQ(alg_ossl_name(alg_by_name(ALG_ENC, "twofish-cbc"), 128,
	    name, sizeof(name)), -1);
	ASSERT_INT_EQ(alg_ossl_name(alg_by_name(ALG_ENC, "aes-cbc"), 128,
	    name, 4), -1);
}

int
main(void)
{
	TEST_RUN(t_setkey_names);
	TEST_RUN(t_unknown_names);
	TEST_RUN(t_racoon_names);
	TEST_RUN(t_numbers_round_trip);
	TEST_RUN(t_key_sizes);
	TEST_RUN(t_openssl_names);
	if (prov_legacy != NULL)
		OSSL_PROVIDER_unload(prov_legacy);
	if (prov_default != NULL)
		OSSL_PROVIDER_unload(prov_default);
	OPENSSL_cleanup();
	return test_done();
}
