/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one algorithm table of the suite.  Each row names an algorithm the way
 * setkey scripts spell it and the way racoon.conf spells it, with its PF_KEY
 * number (SADB_*ALG_*), its IKE numbers (RFC 2409 appendix A for phase 1,
 * the IPsec DOI of RFC 2407 for phase 2), its key, block, IV and ICV sizes
 * and its OpenSSL name.  setkey, racoon and ipsecd all look algorithms up
 * here; nothing else lists them.
 */
#ifndef ALG_H
#define ALG_H

#include <stddef.h>
#include <stdint.h>

enum alg_kind {
	ALG_ENC,	/* ESP encryption (PF_KEY encrypt, IPsec DOI ESP id) */
	ALG_AUTH,	/* ESP/AH integrity (PF_KEY auth, DOI auth attr, AH id) */
	ALG_COMP,	/* IPComp */
	ALG_IKE_ENC,	/* phase 1 cipher (OAKLEY encryption algorithm) */
	ALG_IKE_HASH,	/* phase 1 hash and HMAC prf */
	ALG_DH,		/* Diffie-Hellman group */
};

enum alg_dh_type {
	ALG_DH_NONE,
	ALG_DH_MODP,
	ALG_DH_ECP,
};

/* Values absent from a numbering are ALG_NONE. */
#define ALG_NONE	(-1)

/* Flags. */
#define ALG_F_AEAD	0x01	/* combined mode: no separate integrity */
#define ALG_F_LEGACY	0x02	/* OpenSSL keeps it in the legacy provider */
#define ALG_F_SALT	0x04	/* key ends with a 4-byte salt/nonce (3686/4106) */
#define ALG_F_WEAK	0x08	/* accepted, with a warning */

struct alg {
	enum alg_kind	 alg_kind;
	const char	*alg_name;	/* setkey's name, or canonical name */
	const char	*alg_alias;	/* a second setkey name, or NULL */
	const char	*alg_cfgname;	/* racoon.conf name, or NULL */
	const char	*alg_cfgalias;	/* a second racoon.conf name, or NULL */
	int		 alg_sadb;	/* SADB_[EAX]ALG_* */
	int		 alg_ike;	/* phase 1 value, or DOI ESP/IPCOMP id */
	int		 alg_ike_auth;	/* DOI auth algorithm attribute */
	int		 alg_ah;	/* DOI AH transform id */
	uint16_t	 alg_keymin;	/* bits, salt included */
	uint16_t	 alg_keymax;
	uint16_t	 alg_keydef;	/* bits when none is negotiated */
	uint16_t	 alg_keystep;	/* allowed key lengths step (bits) */
	uint8_t		 alg_block;	/* cipher block size, bytes */
	uint8_t		 alg_iv;	/* explicit IV on the wire, bytes */
	uint8_t		 alg_icv;	/* ICV bytes (ESP/AH integrity, AEAD) */
	uint8_t		 alg_flags;
	const char	*alg_ossl;	/* OpenSSL cipher, digest or group */
	enum alg_dh_type alg_dh;	/* ALG_DH rows */
	uint16_t	 alg_dhbits;	/* modulus or field size */
};

/* NULL if none.  Names match case-sensitively, as ipsec-tools does. */
const struct alg *alg_by_name(enum alg_kind, const char *);
const struct alg *alg_by_cfgname(enum alg_kind, const char *);
const struct alg *alg_by_sadb(enum alg_kind, int);
const struct alg *alg_by_ike(enum alg_kind, int);
const struct alg *alg_by_ike_auth(int);
const struct alg *alg_by_ah(int);
/* Walk the table: *cursor starts at 0; NULL at the end. */
const struct alg *alg_next(enum alg_kind, size_t *);
/* 1 if a key of bits bits fits the row. */
int	 alg_key_ok(const struct alg *, unsigned);
/* Bits of the key that are salt/nonce (ALG_F_SALT): 32, else 0. */
unsigned alg_salt_bits(const struct alg *);
/*
 * OpenSSL's name for the row with a key of keybits bits (salt included):
 * "AES-128-GCM" for aes-gcm-16 with 160 bits.  -1 if OpenSSL has none.
 */
int	 alg_ossl_name(const struct alg *, unsigned, char *, size_t);
const char *alg_kind_name(enum alg_kind);

/* PF_KEY numbers (Linux <linux/pfkeyv2.h>, RFC 2367, KAME). */
#define SADB_AALG_NONE			0
#define SADB_AALG_MD5HMAC		2
#define SADB_AALG_SHA1HMAC		3
#define SADB_X_AALG_SHA2_256HMAC	5
#define SADB_X_AALG_SHA2_384HMAC	6
#define SADB_X_AALG_SHA2_512HMAC	7
#define SADB_X_AALG_RIPEMD160HMAC	8
#define SADB_X_AALG_AES_XCBC_MAC	9
#define SADB_X_AALG_NULL		251
#define SADB_EALG_NONE			0
#define SADB_EALG_DESCBC		2
#define SADB_EALG_3DESCBC		3
#define SADB_X_EALG_CASTCBC		6
#define SADB_X_EALG_BLOWFISHCBC		7
#define SADB_EALG_NULL			11
#define SADB_X_EALG_AESCBC		12
#define SADB_X_EALG_AESCTR		13
#define SADB_X_EALG_AES_GCM_ICV8	18
#define SADB_X_EALG_AES_GCM_ICV12	19
#define SADB_X_EALG_AES_GCM_ICV16	20
#define SADB_X_EALG_CAMELLIACBC		22
#define SADB_X_EALG_TWOFISHCBC		253
#define SADB_X_CALG_NONE		0
#define SADB_X_CALG_OUI			1
#define SADB_X_CALG_DEFLATE		2
#define SADB_X_CALG_LZS			3
#define SADB_X_CALG_LZJH		4

#endif /* ALG_H */
