/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The algorithm table.  Sizes: keys in bits (ALG_F_SALT keys include the
 * 32-bit salt or nonce that setkey appends, RFC 3686 and RFC 4106), block,
 * IV and ICV in bytes.  alg_block is the ESP padding boundary (4 for
 * stream and AEAD modes).  HMAC-SHA2 ICVs follow RFC 4868 (128/192/256
 * bits), not Linux af_key's 96: see ipsecd.8.
 */
#include <stdio.h>
#include <string.h>

#include "alg.h"

#define N ALG_NONE

static const struct alg alg_table[] = {
	/* ESP encryption: name, alias, cfg, cfgalias, sadb, DOI ESP id. */
	{ ALG_ENC, "des-cbc", NULL, "des", NULL, SADB_EALG_DESCBC, 2, N, N,
	    64, 64, 64, 0, 8, 8, 0, ALG_F_LEGACY | ALG_F_WEAK, "DES-CBC",
	    ALG_DH_NONE, 0 },
	{ ALG_ENC, "3des-cbc", NULL, "3des", NULL, SADB_EALG_3DESCBC, 3, N, N,
	    192, 192, 192, 0, 8, 8, 0, 0, "DES-EDE3-CBC", ALG_DH_NONE, 0 },
	{ ALG_ENC, "cast128-cbc", NULL, "cast128", NULL, SADB_X_EALG_CASTCBC,
	    6, N, N, 40, 128, 128, 8, 8, 8, 0, ALG_F_LEGACY, "CAST5-CBC",
	    ALG_DH_NONE, 0 },
	{ ALG_ENC, "blowfish-cbc", NULL, "blowfish", NULL,
	    SADB_X_EALG_BLOWFISHCBC, 7, N, N, 40, 448, 128, 8, 8, 8, 0,
	    ALG_F_LEGACY, "BF-CBC", ALG_DH_NONE, 0 },
	{ ALG_ENC, "null", NULL, "null_enc", "null", SADB_EALG_NULL, 11, N, N,
	    0, 0, 0, 0, 4, 0, 0, 0, "NULL", ALG_DH_NONE, 0 },
	{ ALG_ENC, "aes-cbc", "rijndael-cbc", "aes", "rijndael",
	    SADB_X_EALG_AESCBC, 12, N, N, 128, 256, 128, 64, 16, 16, 0, 0,
	    "AES-%u-CBC", ALG_DH_NONE, 0 },
	{ ALG_ENC, "aes-ctr", NULL, "aes_ctr", NULL, SADB_X_EALG_AESCTR, 13,
	    N, N, 160, 288, 160, 64, 4, 8, 0, ALG_F_SALT, "AES-%u-CTR",
	    ALG_DH_NONE, 0 },
	{ ALG_ENC, "aes-gcm-16", NULL, "aes_gcm_16", "aes_gcm",
	    SADB_X_EALG_AES_GCM_ICV16, 20, N, N, 160, 288, 160, 64, 4, 8, 16,
	    ALG_F_AEAD | ALG_F_SALT, "AES-%u-GCM", ALG_DH_NONE, 0 },
	{ ALG_ENC, "camellia-cbc", NULL, "camellia", NULL,
	    SADB_X_EALG_CAMELLIACBC, 22, N, N, 128, 256, 128, 64, 16, 16, 0,
	    0, "CAMELLIA-%u-CBC", ALG_DH_NONE, 0 },
	{ ALG_ENC, "twofish-cbc", NULL, "twofish", NULL,
	    SADB_X_EALG_TWOFISHCBC, 253, N, N, 128, 256, 128, 64, 16, 16, 0,
	    0, NULL, ALG_DH_NONE, 0 },

	/* Integrity: name, alias, cfg, cfgalias, sadb, -, DOI auth, AH id. */
	{ ALG_AUTH, "hmac-md5", NULL, "hmac_md5", NULL, SADB_AALG_MD5HMAC, N,
	    1, 2, 128, 128, 128, 0, 0, 0, 12, 0, "MD5", ALG_DH_NONE, 0 },
	{ ALG_AUTH, "hmac-sha1", NULL, "hmac_sha1", NULL, SADB_AALG_SHA1HMAC,
	    N, 2, 3, 160, 160, 160, 0, 0, 0, 12, 0, "SHA1", ALG_DH_NONE, 0 },
	{ ALG_AUTH, "hmac-sha256", "hmac-sha2-256", "hmac_sha256",
	    "hmac_sha2_256",
	    SADB_X_AALG_SHA2_256HMAC, N, 5, 5, 256, 256, 256, 0, 0, 0, 16, 0,
	    "SHA256", ALG_DH_NONE, 0 },
	{ ALG_AUTH, "hmac-sha384", "hmac-sha2-384", "hmac_sha384",
	    "hmac_sha2_384",
	    SADB_X_AALG_SHA2_384HMAC, N, 6, 6, 384, 384, 384, 0, 0, 0, 24, 0,
	    "SHA384", ALG_DH_NONE, 0 },
	{ ALG_AUTH, "hmac-sha512", "hmac-sha2-512", "hmac_sha512",
	    "hmac_sha2_512",
	    SADB_X_AALG_SHA2_512HMAC, N, 7, 7, 512, 512, 512, 0, 0, 0, 32, 0,
	    "SHA512", ALG_DH_NONE, 0 },
	{ ALG_AUTH, "hmac-ripemd160", NULL, "hmac_ripemd160", NULL,
	    SADB_X_AALG_RIPEMD160HMAC, N, 8, 8, 160, 160, 160, 0, 0, 0, 12, 0,
	    "RIPEMD160", ALG_DH_NONE, 0 },
	{ ALG_AUTH, "aes-xcbc-mac", NULL, "aes_xcbc_mac", NULL,
	    SADB_X_AALG_AES_XCBC_MAC, N, 9, 9, 128, 128, 128, 0, 0, 0, 12, 0,
	    "AES-128-ECB", ALG_DH_NONE, 0 },
	{ ALG_AUTH, "null", NULL, "non_auth", NULL, SADB_X_AALG_NULL, N, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, "NULL", ALG_DH_NONE, 0 },

	/* IPComp: name, -, cfg, -, sadb, DOI IPCOMP id.  No datapath yet. */
	{ ALG_COMP, "oui", NULL, "oui", NULL, SADB_X_CALG_OUI, 1, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, NULL, ALG_DH_NONE, 0 },
	{ ALG_COMP, "deflate", NULL, "deflate", NULL, SADB_X_CALG_DEFLATE, 2,
	    N, N, 0, 0, 0, 0, 0, 0, 0, 0, NULL, ALG_DH_NONE, 0 },
	{ ALG_COMP, "lzs", NULL, "lzs", NULL, SADB_X_CALG_LZS, 3, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, NULL, ALG_DH_NONE, 0 },

	/* Phase 1 ciphers: OAKLEY encryption algorithm (RFC 2409 A). */
	{ ALG_IKE_ENC, "des", NULL, "des", NULL, N, 1, N, N,
	    64, 64, 64, 0, 8, 8, 0, ALG_F_LEGACY | ALG_F_WEAK, "DES-CBC",
	    ALG_DH_NONE, 0 },
	{ ALG_IKE_ENC, "blowfish", NULL, "blowfish", NULL, N, 3, N, N,
	    40, 448, 128, 8, 8, 8, 0, ALG_F_LEGACY, "BF-CBC", ALG_DH_NONE, 0 },
	{ ALG_IKE_ENC, "3des", NULL, "3des", NULL, N, 5, N, N,
	    192, 192, 192, 0, 8, 8, 0, 0, "DES-EDE3-CBC", ALG_DH_NONE, 0 },
	{ ALG_IKE_ENC, "cast128", NULL, "cast128", NULL, N, 6, N, N,
	    40, 128, 128, 8, 8, 8, 0, ALG_F_LEGACY, "CAST5-CBC",
	    ALG_DH_NONE, 0 },
	{ ALG_IKE_ENC, "aes", NULL, "aes", "rijndael", N, 7, N, N,
	    128, 256, 128, 64, 16, 16, 0, 0, "AES-%u-CBC", ALG_DH_NONE, 0 },
	{ ALG_IKE_ENC, "camellia", NULL, "camellia", NULL, N, 8, N, N,
	    128, 256, 128, 64, 16, 16, 0, 0, "CAMELLIA-%u-CBC",
	    ALG_DH_NONE, 0 },

	/* Phase 1 hashes (HMAC prf): RFC 2409 A and RFC 4868. */
	{ ALG_IKE_HASH, "md5", NULL, "md5", NULL, N, 1, N, N,
	    0, 0, 0, 0, 64, 0, 16, 0, "MD5", ALG_DH_NONE, 0 },
	{ ALG_IKE_HASH, "sha1", NULL, "sha1", NULL, N, 2, N, N,
	    0, 0, 0, 0, 64, 0, 20, 0, "SHA1", ALG_DH_NONE, 0 },
	{ ALG_IKE_HASH, "sha256", NULL, "sha256", "sha2_256", N, 4, N, N,
	    0, 0, 0, 0, 64, 0, 32, 0, "SHA256", ALG_DH_NONE, 0 },
	{ ALG_IKE_HASH, "sha384", NULL, "sha384", "sha2_384", N, 5, N, N,
	    0, 0, 0, 0, 128, 0, 48, 0, "SHA384", ALG_DH_NONE, 0 },
	{ ALG_IKE_HASH, "sha512", NULL, "sha512", "sha2_512", N, 6, N, N,
	    0, 0, 0, 0, 128, 0, 64, 0, "SHA512", ALG_DH_NONE, 0 },

	/* Diffie-Hellman groups: RFC 2409, RFC 3526, RFC 5903. */
	{ ALG_DH, "modp768", NULL, "modp768", NULL, N, 1, N, N,
	    0, 0, 0, 0, 0, 0, 0, ALG_F_WEAK, NULL, ALG_DH_MODP, 768 },
	{ ALG_DH, "modp1024", NULL, "modp1024", NULL, N, 2, N, N,
	    0, 0, 0, 0, 0, 0, 0, ALG_F_WEAK, NULL, ALG_DH_MODP, 1024 },
	{ ALG_DH, "modp1536", NULL, "modp1536", NULL, N, 5, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, "modp_1536", ALG_DH_MODP, 1536 },
	{ ALG_DH, "modp2048", NULL, "modp2048", NULL, N, 14, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, "modp_2048", ALG_DH_MODP, 2048 },
	{ ALG_DH, "modp3072", NULL, "modp3072", NULL, N, 15, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, "modp_3072", ALG_DH_MODP, 3072 },
	{ ALG_DH, "modp4096", NULL, "modp4096", NULL, N, 16, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, "modp_4096", ALG_DH_MODP, 4096 },
	{ ALG_DH, "modp6144", NULL, "modp6144", NULL, N, 17, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, "modp_6144", ALG_DH_MODP, 6144 },
	{ ALG_DH, "modp8192", NULL, "modp8192", NULL, N, 18, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, "modp_8192", ALG_DH_MODP, 8192 },
	{ ALG_DH, "ecp256", NULL, "ecp256", NULL, N, 19, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, "P-256", ALG_DH_ECP, 256 },
	{ ALG_DH, "ecp384", NULL, "ecp384", NULL, N, 20, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, "P-384", ALG_DH_ECP, 384 },
	{ ALG_DH, "ecp521", NULL, "ecp521", NULL, N, 21, N, N,
	    0, 0, 0, 0, 0, 0, 0, 0, "P-521", ALG_DH_ECP, 521 },
};

#undef N

#define ALG_COUNT	(sizeof(alg_table) / sizeof(alg_table[0]))

static int
str_is(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

const struct alg *
alg_next(enum alg_kind kind, size_t *cursor)
{
	while (*cursor < ALG_COUNT) {
		const struct alg *a = &alg_table[(*cursor)++];

		if (a->alg_kind == kind)
			return a;
	}
	return NULL;
}

const struct alg *
alg_by_name(enum alg_kind kind, const char *name)
{
	const struct alg *a;
	size_t i = 0;

	while ((a = alg_next(kind, &i)) != NULL)
		if (str_is(a->alg_name, name) || str_is(a->alg_alias, name))
			return a;
	return NULL;
}

const struct alg *
alg_by_cfgname(enum alg_kind kind, const char *name)
{
	const struct alg *a;
	size_t i = 0;

	while ((a = alg_next(kind, &i)) != NULL)
		if (str_is(a->alg_cfgname, name) ||
		    str_is(a->alg_cfgalias, name))
			return a;
	return NULL;
}

const struct alg *
alg_by_sadb(enum alg_kind kind, int id)
{
	const struct alg *a;
	size_t i = 0;

	while ((a = alg_next(kind, &i)) != NULL)
		if (a->alg_sadb != ALG_NONE && a->alg_sadb == id)
			return a;
	return NULL;
}

const struct alg *
alg_by_ike(enum alg_kind kind, int id)
{
	const struct alg *a;
	size_t i = 0;

	while ((a = alg_next(kind, &i)) != NULL)
		if (a->alg_ike != ALG_NONE && a->alg_ike == id)
			return a;
	return NULL;
}

const struct alg *
alg_by_ike_auth(int id)
{
	const struct alg *a;
	size_t i = 0;

	while ((a = alg_next(ALG_AUTH, &i)) != NULL)
		if (a->alg_ike_auth != ALG_NONE && a->alg_ike_auth == id)
			return a;
	return NULL;
}

const struct alg *
alg_by_ah(int id)
{
	const struct alg *a;
	size_t i = 0;

	while ((a = alg_next(ALG_AUTH, &i)) != NULL)
		if (a->alg_ah != ALG_NONE && a->alg_ah == id)
			return a;
	return NULL;
}

int
alg_key_ok(const struct alg *a, unsigned bits)
{
	if (bits < a->alg_keymin || bits > a->alg_keymax)
		return 0;
	if (a->alg_keystep == 0)
		return bits == a->alg_keymin || bits == a->alg_keymax;
	return (bits - a->alg_keymin) % a->alg_keystep == 0;
}

unsigned
alg_salt_bits(const struct alg *a)
{
	return (a->alg_flags & ALG_F_SALT) ? 32 : 0;
}

int
alg_ossl_name(const struct alg *a, unsigned keybits, char *buf, size_t len)
{
	const char *fmt = a->alg_ossl, *pct;
	int n;

	if (fmt == NULL)
		return -1;
	if ((pct = strstr(fmt, "%u")) == NULL)
		n = snprintf(buf, len, "%s", fmt);
	else
		n = snprintf(buf, len, "%.*s%u%s", (int)(pct - fmt), fmt,
		    keybits - alg_salt_bits(a), pct + 2);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

const char *
alg_kind_name(enum alg_kind kind)
{
	switch (kind) {
	case ALG_ENC:
		return "encryption";
	case ALG_AUTH:
		return "authentication";
	case ALG_COMP:
		return "compression";
	case ALG_IKE_ENC:
		return "phase 1 encryption";
	case ALG_IKE_HASH:
		return "hash";
	case ALG_DH:
		return "DH group";
	}
	return "algorithm";
}
