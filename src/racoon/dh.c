/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Diffie-Hellman key pairs, peer value checks and shared secrets for the
 * IKE groups, on OpenSSL 3's EVP_PKEY.  The MODP groups of RFC 3526 are
 * OpenSSL's named groups "modp_*", which give short private exponents
 * (twice the group's security strength, as RFC 3526 section 8 allows).
 * Groups 1 and 2 have no OpenSSL name: their domain is built from RFC
 * 2409's primes (BN_get_rfc2409_prime_*) and generator 2, with a private
 * value as long as the prime, since RFC 2409 names no strength for them.
 * ECP groups are the NIST curves of RFC 5903.  Each group's domain
 * parameters are built once and kept (dh_domain): our key pairs and the
 * peers' keys are made from them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "alg.h"
#include "buf.h"
#include "log.h"
#include "dh.h"

struct dh {
	const struct alg *dh_alg;
	EVP_PKEY	*dh_key;
	size_t		 dh_len;	/* bytes: prime or coordinate */
	/*
	 * The peer's value dh_check_peer accepted, and its key: the
	 * dh_derive that follows takes it instead of building it again.
	 */
	EVP_PKEY	*dh_peer;
	uint8_t		*dh_peer_pub;
	size_t		 dh_peer_len;
};

/* Bytes of a coordinate of the largest curve, P-521. */
#define DH_ECP_MAX	66

static void
dh_ossl_warn(const struct alg *a, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e == 0)
		snprintf(buf, sizeof(buf), "no OpenSSL error queued");
	else
		ERR_error_string_n(e, buf, sizeof(buf));
	log_warnx("DH group %d (%s): %s: %s", a->alg_ike, a->alg_name, what,
	    buf);
	ERR_clear_error();
}

static int
dh_is_ecp(const struct alg *a)
{
	return a->alg_dh == ALG_DH_ECP;
}

/*
 * The prime of a MODP group, new; NULL on failure.  Chosen by the
 * modulus size of the alg.h row: there is one well-known prime per size.
 */
static BIGNUM *
dh_prime(const struct alg *a)
{
	switch (a->alg_dhbits) {
	case 768:
		return BN_get_rfc2409_prime_768(NULL);
	case 1024:
		return BN_get_rfc2409_prime_1024(NULL);
	case 1536:
		return BN_get_rfc3526_prime_1536(NULL);
	case 2048:
		return BN_get_rfc3526_prime_2048(NULL);
	case 3072:
		return BN_get_rfc3526_prime_3072(NULL);
	case 4096:
		return BN_get_rfc3526_prime_4096(NULL);
	case 6144:
		return BN_get_rfc3526_prime_6144(NULL);
	case 8192:
		return BN_get_rfc3526_prime_8192(NULL);
	}
	return NULL;
}

/* Domain parameters: a group name where OpenSSL has one, else p and g. */
static int
dh_push_domain(const struct alg *a, OSSL_PARAM_BLD *bld, BIGNUM **p,
    BIGNUM **g)
{
	if (a->alg_ossl != NULL)
		return OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, a->alg_ossl, 0) ? 0 : -1;
	if ((*p = dh_prime(a)) == NULL || (*g = BN_new()) == NULL ||
	    !BN_set_word(*g, 2) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, *p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, *g))
		return -1;
	return 0;
}

/*
 * Public value in wire format into the builder: a big number for MODP,
 * an uncompressed point (0x04 | x | y) for ECP.  *bn keeps the number
 * alive until the params are built.
 */
static int
dh_push_pub(const struct alg *a, OSSL_PARAM_BLD *bld, const uint8_t *pub,
    size_t len, BIGNUM **bn, uint8_t *pt)
{
	if (dh_is_ecp(a)) {
		pt[0] = 0x04;
		memcpy(pt + 1, pub, len);
		return OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, pt, len + 1) ? 0 : -1;
	}
	if ((*bn = BN_bin2bn(pub, (int)len, NULL)) == NULL)
		return -1;
	return OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, *bn) ?
	    0 : -1;
}

/*
 * An EVP_PKEY from parts: the domain always, the public value and the
 * private value when given.  selection is EVP_PKEY_KEY_PARAMETERS,
 * EVP_PKEY_PUBLIC_KEY or EVP_PKEY_KEYPAIR.
 */
static EVP_PKEY *
dh_fromdata(const struct alg *a, int selection, const uint8_t *priv,
    size_t privlen, const uint8_t *pub, size_t publen)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *p = NULL, *g = NULL, *x = NULL, *y = NULL;
	uint8_t pt[1 + 2 * DH_ECP_MAX];

	if (publen > 2 * DH_ECP_MAX && dh_is_ecp(a))
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    dh_push_domain(a, bld, &p, &g) == -1)
		goto out;
	if (pub != NULL && dh_push_pub(a, bld, pub, publen, &y, pt) == -1)
		goto out;
	if (priv != NULL && ((x = BN_secure_new()) == NULL ||
	    BN_bin2bn(priv, (int)privlen, x) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x)))
		goto out;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, dh_is_ecp(a) ? "EC" : "DH",
	    NULL)) == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		pkey = NULL;
out:
	if (pkey == NULL)
		dh_ossl_warn(a, "cannot make a key from its parts");
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(g);
	BN_clear_free(x);
	BN_free(y);
	return pkey;
}

/*
 * Domain parameters per group, made once and kept for the life of the
 * process: building them (for ECP an EC_GROUP with its Montgomery
 * context, for MODP the FFC parameters) cost as much as an ECP key
 * generation, every time.  Key pairs and peers' keys are made from
 * these.  Read-only once made; racoon has one thread.
 */
#define DH_DOMAINS	16
static struct {
	const struct alg *dd_alg;
	EVP_PKEY	*dd_pkey;
} dh_domains[DH_DOMAINS];

static EVP_PKEY *
dh_domain(const struct alg *a)
{
	EVP_PKEY *dom;
	size_t i;

	for (i = 0; i < DH_DOMAINS && dh_domains[i].dd_alg != NULL; i++)
		if (dh_domains[i].dd_alg == a)
			return dh_domains[i].dd_pkey;
	if ((dom = dh_fromdata(a, EVP_PKEY_KEY_PARAMETERS, NULL, 0, NULL,
	    0)) == NULL || i == DH_DOMAINS)
		return dom;	/* full (never: fewer groups): not kept */
	dh_domains[i].dd_alg = a;
	dh_domains[i].dd_pkey = dom;
	return dom;
}

/* The cached domain, or a fresh one the caller frees (*own set). */
static EVP_PKEY *
dh_domain_get(const struct alg *a, int *own)
{
	EVP_PKEY *dom = dh_domain(a);
	size_t i;

	*own = 1;
	for (i = 0; i < DH_DOMAINS; i++)
		if (dh_domains[i].dd_pkey == dom && dom != NULL)
			*own = 0;
	return dom;
}

void
dh_cache_clear(void)
{
	size_t i;

	for (i = 0; i < DH_DOMAINS; i++) {
		EVP_PKEY_free(dh_domains[i].dd_pkey);
		dh_domains[i].dd_pkey = NULL;
		dh_domains[i].dd_alg = NULL;
	}
}

static struct dh *
dh_alloc(int group)
{
	const struct alg *a = alg_by_ike(ALG_DH, group);
	struct dh *dh;

	if (a == NULL) {
		log_warnx("DH group %d: unknown", group);
		return NULL;
	}
	if ((dh = calloc(1, sizeof(*dh))) == NULL) {
		log_warn("DH group %d", group);
		return NULL;
	}
	dh->dh_alg = a;
	dh->dh_len = (a->alg_dhbits + 7) / 8;
	return dh;
}

struct dh *
dh_new(int group)
{
	struct dh *dh;
	EVP_PKEY *dom = NULL;
	EVP_PKEY_CTX *ctx = NULL;

	int own = 0;

	if ((dh = dh_alloc(group)) == NULL)
		return NULL;
	if ((dom = dh_domain_get(dh->dh_alg, &own)) == NULL)
		goto fail;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dom, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_generate(ctx, &dh->dh_key) <= 0) {
		dh_ossl_warn(dh->dh_alg, "key generation failed");
		goto fail;
	}
	EVP_PKEY_CTX_free(ctx);
	if (own)
		EVP_PKEY_free(dom);
	return dh;
fail:
	EVP_PKEY_CTX_free(ctx);
	if (own)
		EVP_PKEY_free(dom);
	dh_free(dh);
	return NULL;
}

struct dh *
dh_new_fixed(int group, const uint8_t *priv, size_t privlen,
    const uint8_t *pub, size_t publen)
{
	struct dh *dh;

	if ((dh = dh_alloc(group)) == NULL)
		return NULL;
	if (publen != dh_pub_len(dh) || privlen == 0 || privlen > dh->dh_len) {
		log_warnx("DH group %d: key of %zu/%zu bytes, want %zu/%zu",
		    group, privlen, publen, dh->dh_len, dh_pub_len(dh));
		dh_free(dh);
		return NULL;
	}
	dh->dh_key = dh_fromdata(dh->dh_alg, EVP_PKEY_KEYPAIR, priv, privlen,
	    pub, publen);
	if (dh->dh_key == NULL) {
		dh_free(dh);
		return NULL;
	}
	return dh;
}

static void
dh_peer_forget(struct dh *dh)
{
	EVP_PKEY_free(dh->dh_peer);
	free(dh->dh_peer_pub);
	dh->dh_peer = NULL;
	dh->dh_peer_pub = NULL;
	dh->dh_peer_len = 0;
}

void
dh_free(struct dh *dh)
{
	if (dh == NULL)
		return;
	dh_peer_forget(dh);
	EVP_PKEY_free(dh->dh_key);
	free(dh);
}

const struct alg *
dh_alg(const struct dh *dh)
{
	return dh->dh_alg;
}

size_t
dh_pub_len(const struct dh *dh)
{
	return dh_is_ecp(dh->dh_alg) ? 2 * dh->dh_len : dh->dh_len;
}

size_t
dh_secret_len(const struct dh *dh)
{
	return dh->dh_len;
}

static int
dh_pub_modp(const struct dh *dh, uint8_t *out)
{
	BIGNUM *y = NULL;
	int rv = -1;

	if (EVP_PKEY_get_bn_param(dh->dh_key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
	    BN_bn2binpad(y, out, (int)dh->dh_len) == (int)dh->dh_len)
		rv = 0;
	BN_free(y);
	return rv;
}

static int
dh_pub_ecp(const struct dh *dh, uint8_t *out)
{
	uint8_t pt[1 + 2 * DH_ECP_MAX];
	size_t len = 0;

	if (!EVP_PKEY_get_octet_string_param(dh->dh_key,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &len) ||
	    len != 1 + 2 * dh->dh_len || pt[0] != 0x04)
		return -1;
	memcpy(out, pt + 1, len - 1);
	return 0;
}

int
dh_pub(const struct dh *dh, struct wbuf *wb)
{
	size_t off;
	int rv;

	if (wbuf_reserve(wb, dh_pub_len(dh), &off) == -1)
		return -1;
	rv = dh_is_ecp(dh->dh_alg) ? dh_pub_ecp(dh, wbuf_data(wb) + off) :
	    dh_pub_modp(dh, wbuf_data(wb) + off);
	if (rv == -1)
		dh_ossl_warn(dh->dh_alg, "cannot read our public value");
	return rv;
}

/* 1 < y < p-1 (RFC 2631 2.1.5, NIST SP 800-56A 5.6.2.3.1). */
static int
dh_check_range(const struct dh *dh, const uint8_t *pub, size_t len)
{
	BIGNUM *p = NULL, *y = NULL;
	int rv = -1;

	if ((p = dh_prime(dh->dh_alg)) == NULL ||
	    (y = BN_bin2bn(pub, (int)len, NULL)) == NULL ||
	    !BN_sub_word(p, 1)) {
		dh_ossl_warn(dh->dh_alg, "cannot check the peer's value");
		goto out;
	}
	if (BN_is_zero(y) || BN_is_one(y) || BN_cmp(y, p) >= 0)
		log_warnx("DH group %d: peer's public value outside 1 < y < "
		    "p-1", dh->dh_alg->alg_ike);
	else
		rv = 0;
out:
	BN_free(p);
	BN_free(y);
	return rv;
}

/*
 * The peer's public value on a copy of the cached domain: encoded as
 * the wire has it for MODP (big-endian, as long as the prime), as an
 * uncompressed point for ECP.  Copying the domain keeps what building
 * it costs (the curve's precomputation) out of every exchange.
 */
static EVP_PKEY *
dh_peer_pkey(const struct alg *a, const uint8_t *pub, size_t len)
{
	EVP_PKEY *dom, *peer = NULL;
	uint8_t pt[1 + 2 * DH_ECP_MAX];
	int own;

	if (dh_is_ecp(a) && len > 2 * DH_ECP_MAX)
		return NULL;
	if ((dom = dh_domain_get(a, &own)) == NULL)
		return NULL;
	if ((peer = EVP_PKEY_new()) == NULL ||
	    EVP_PKEY_copy_parameters(peer, dom) <= 0)
		goto fail;
	if (dh_is_ecp(a)) {
		pt[0] = 0x04;
		memcpy(pt + 1, pub, len);
		if (EVP_PKEY_set1_encoded_public_key(peer, pt, len + 1) <= 0)
			goto fail;
	} else if (EVP_PKEY_set1_encoded_public_key(peer, pub, len) <= 0)
		goto fail;
	if (own)
		EVP_PKEY_free(dom);
	return peer;
fail:
	dh_ossl_warn(a, "cannot make the peer's key");
	EVP_PKEY_free(peer);
	if (own)
		EVP_PKEY_free(dom);
	return NULL;
}

/*
 * The peer's key as an EVP_PKEY, checked by OpenSSL too: the quick check
 * is the range for MODP and the curve equation (and not infinity) for
 * ECP, which is all RFC 2409 and RFC 5903 ask.  The full MODP check
 * (y^q = 1) would cost a second exponentiation per exchange for one bit
 * that the range check already rules out with safe primes.
 */
static EVP_PKEY *
dh_peer_key(const struct dh *dh, const uint8_t *pub, size_t len)
{
	EVP_PKEY *peer;
	EVP_PKEY_CTX *ctx;
	int ok;

	if ((peer = dh_peer_pkey(dh->dh_alg, pub, len)) == NULL)
		return NULL;
	ok = (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL)) != NULL &&
	    EVP_PKEY_public_check_quick(ctx) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		dh_ossl_warn(dh->dh_alg, "peer's public value refused");
		EVP_PKEY_free(peer);
		return NULL;
	}
	return peer;
}

/* What can be said of the peer's value before OpenSSL sees it. */
static int
dh_check_peer_pre(const struct dh *dh, const uint8_t *pub, size_t len)
{
	if (len != dh_pub_len(dh)) {
		log_warnx("DH group %d: peer's public value has %zu bytes, "
		    "not %zu", dh->dh_alg->alg_ike, len, dh_pub_len(dh));
		return -1;
	}
	if (!dh_is_ecp(dh->dh_alg))
		return dh_check_range(dh, pub, len);
	return 0;
}

int
dh_check_peer(struct dh *dh, const uint8_t *pub, size_t len)
{
	EVP_PKEY *peer;

	if (dh_check_peer_pre(dh, pub, len) == -1 ||
	    (peer = dh_peer_key(dh, pub, len)) == NULL)
		return -1;
	dh_peer_forget(dh);
	if ((dh->dh_peer_pub = malloc(len)) == NULL) {
		EVP_PKEY_free(peer);	/* dh_derive builds it again */
		return 0;
	}
	memcpy(dh->dh_peer_pub, pub, len);
	dh->dh_peer_len = len;
	dh->dh_peer = peer;
	return 0;
}

static int
dh_compute(const struct dh *dh, EVP_PKEY *peer, uint8_t *out)
{
	EVP_PKEY_CTX *ctx;
	size_t len = dh->dh_len;
	int ok;

	ok = (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->dh_key, NULL)) !=
	    NULL && EVP_PKEY_derive_init(ctx) > 0 &&
	    (dh_is_ecp(dh->dh_alg) || EVP_PKEY_CTX_set_dh_pad(ctx, 1) > 0) &&
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) > 0 &&
	    EVP_PKEY_derive(ctx, out, &len) > 0 && len == dh->dh_len;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		mem_wipe(out, dh->dh_len);
		dh_ossl_warn(dh->dh_alg, "cannot compute the shared secret");
		return -1;
	}
	return 0;
}

int
dh_derive(const struct dh *dh, const uint8_t *pub, size_t len,
    struct wbuf *wb)
{
	EVP_PKEY *peer;
	size_t off;
	int rv, checked;

	checked = dh->dh_peer != NULL && len == dh->dh_peer_len &&
	    memcmp(pub, dh->dh_peer_pub, len) == 0;
	if (checked)
		peer = dh->dh_peer;
	else if (dh_check_peer_pre(dh, pub, len) == -1 ||
	    (peer = dh_peer_key(dh, pub, len)) == NULL)
		return -1;
	if ((rv = wbuf_reserve(wb, dh->dh_len, &off)) == 0)
		rv = dh_compute(dh, peer, wbuf_data(wb) + off);
	if (!checked)
		EVP_PKEY_free(peer);
	return rv;
}

int
dh_priv_bits(const struct dh *dh)
{
	BIGNUM *x = NULL;
	int bits = -1;

	if (EVP_PKEY_get_bn_param(dh->dh_key, OSSL_PKEY_PARAM_PRIV_KEY, &x))
		bits = BN_num_bits(x);
	BN_clear_free(x);
	return bits;
}
