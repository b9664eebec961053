/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/ipsecd/sad.c without an event loop: the checks on
 * ADD/UPDATE messages and their errno, GETSPI ranges and collisions,
 * UPDATE of larval and mature SAs, the byte and allocation limits the
 * datapath feeds through sad_account(), and the larval SAs of ACQUIREs
 * that hold packets (sad_pending) with the change hook that wakes them,
 * and thousands of SAs through the datapath's hashed lookups.
 */
#include <errno.h>
#include <string.h>

#include <openssl/provider.h>

#include "buf.h"
#include "pfkey.h"
#include "sad.h"
#include "test_helper.h"

static int nsoft, nhard;

static void
notify(const struct sad_sa *sa, enum sad_event ev, void *arg)
{
	if (ev == SAD_EXPIRE_SOFT)
		nsoft++;
	else
		nhard++;
}

static struct addr
A(const char *s)
{
	struct addr a;
	const char *why;

	if (addr_parse(s, 0, &a, &why) == -1)
		test_fail(__FILE__, __LINE__, "%s: %s", s, why);
	return a;
}

static const uint8_t key[64] = { 1, 2, 3 };

/* An ADD/UPDATE message: enc/auth ids and key bits, 0 for none. */
static int
from(uint8_t type, uint8_t satype, uint32_t spi, uint8_t enc, uint16_t ebits,
    uint8_t auth, uint16_t abits, uint64_t softb, uint64_t hardb,
    struct sad_sa **sa)
{
	static uint8_t mem[1024];
	struct pfkey_hdr h = { PF_KEY_V2, type, 0, satype, 0, 0, 1, 1 };
	struct pfkey_sa psa = { spi, 64, 0, auth, enc, 0 };
	struct pfkey_address s = { 0, A("10.77.0.1") };
	struct pfkey_address d = { 0, A("10.77.0.2") };
	struct pfkey_lifetime soft = { 0, softb, 0, 0 };
	struct pfkey_lifetime hard = { 0, hardb, 0, 0 };
	struct pfkey_msg msg;
	struct wbuf wb;
	const char *why;

	wbuf_init_fixed(&wb, mem, sizeof(mem));
	pfkey_build_hdr(&wb, &h);
	pfkey_put_sa(&wb, &psa);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &s);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &d);
	if (ebits != 0 || enc == SADB_EALG_NULL)
		pfkey_put_key(&wb, SADB_EXT_KEY_ENCRYPT, ebits, key);
	if (abits != 0)
		pfkey_put_key(&wb, SADB_EXT_KEY_AUTH, abits, key);
	if (softb != 0 || hardb != 0) {
		pfkey_put_lifetime(&wb, SADB_EXT_LIFETIME_SOFT, &soft);
		pfkey_put_lifetime(&wb, SADB_EXT_LIFETIME_HARD, &hard);
	}
	ASSERT_INT_EQ(pfkey_build_end(&wb), 0);
	ASSERT_INT_EQ(pfkey_parse(&msg, mem, wbuf_len(&wb)), 0);
	return sad_from_msg(&msg, sa, &why);
}

static void
t_checks(void)
{
	struct sad_sa *sa;

	ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_ESP, 1, SADB_X_EALG_AESCBC,
	    128, SADB_AALG_SHA1HMAC, 160, 0, 0, &sa), 0);
	ASSERT_INT_EQ(sa->sa_replay, SAD_REPLAY_MAX);
	ASSERT_INT_EQ(sa->sa_state, SADB_SASTATE_MATURE);
	ASSERT_INT_EQ(sa->sa_mode, IPSEC_MODE_TRANSPORT);
	ASSERT_INT_EQ(sad_add(sa, &(const char *){ NULL }), 0);
	/* Wrong key length, unknown algorithm, missing key, AEAD + MAC. */
	ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_ESP, 2, SADB_X_EALG_AESCBC,
	    100, 0, 0, 0, 0, &sa), EINVAL);
	ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_ESP, 2, 99, 128, 0, 0, 0, 0,
	    &sa), ENOSYS);
	ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_ESP, 2, 0, 0,
	    SADB_AALG_SHA1HMAC, 160, 0, 0, &sa), EINVAL);
	ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_ESP, 2,
	    SADB_X_EALG_AES_GCM_ICV16, 160, SADB_AALG_SHA1HMAC, 160, 0, 0,
	    &sa), EINVAL);
	ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_AH, 2, 0, 0, 0, 0, 0, 0, &sa),
	    EINVAL);
	ASSERT_INT_EQ(from(SADB_ADD, SADB_X_SATYPE_IPCOMP, 2, 2, 0, 0, 0, 0,
	    0, &sa), EINVAL);
	/* The same (dst, spi, proto) twice; AH may share the SPI. */
	ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_ESP, 1, SADB_EALG_NULL, 0,
	    SADB_AALG_MD5HMAC, 128, 0, 0, &sa), 0);
	ASSERT_INT_EQ(sad_add(sa, &(const char *){ NULL }), EEXIST);
	ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_AH, 1, 0, 0,
	    SADB_X_AALG_SHA2_256HMAC, 256, 0, 0, &sa), 0);
	ASSERT_INT_EQ(sad_add(sa, &(const char *){ NULL }), 0);
	ASSERT_INT_EQ(sad_count(), 2);
	ASSERT_INT_EQ(sad_flush(SADB_SATYPE_AH), 1);
	ASSERT_INT_EQ(sad_flush(SADB_SATYPE_UNSPEC), 1);
}

static void
t_getspi(void)
{
	struct addr s = A("10.77.0.1"), d = A("10.77.0.2");
	struct sad_sa *sa, *in;
	const char *why;
	int i;

	/* A range of four: four SPIs, all different, then ENOENT. */
	for (i = 0; i < 4; i++) {
		ASSERT_INT_EQ(sad_getspi(SADB_SATYPE_ESP, &s, &d, 0, 0, 0x200,
		    0x203, &sa, &why), 0);
		ASSERT_TRUE(sa->sa_spi >= 0x200 && sa->sa_spi <= 0x203);
		ASSERT_INT_EQ(sa->sa_state, SADB_SASTATE_LARVAL);
		ASSERT_INT_EQ(sa->sa_hard.pl_addtime, SAD_LARVAL_LIFETIME);
	}
	ASSERT_INT_EQ(sad_getspi(SADB_SATYPE_ESP, &s, &d, 0, 0, 0x200, 0x203,
	    &sa, &why), ENOENT);
	/* Another destination or protocol does not collide. */
	ASSERT_INT_EQ(sad_getspi(SADB_SATYPE_AH, &s, &d, 0, 0, 0x200, 0x200,
	    &sa, &why), 0);
	ASSERT_INT_EQ(sad_getspi(SADB_SATYPE_ESP, &d, &s, 0, 0, 0x200, 0x200,
	    &sa, &why), 0);
	ASSERT_INT_EQ(sad_getspi(SADB_SATYPE_ESP, &s, &d, 0, 0, 5, 4, &sa,
	    &why), EINVAL);
	/* UPDATE fills a larval SA; a second UPDATE changes lifetimes only. */
	ASSERT_INT_EQ(from(SADB_UPDATE, SADB_SATYPE_ESP, 0x200,
	    SADB_X_EALG_AESCBC, 128, 0, 0, 0, 0, &sa), 0);
	ASSERT_INT_EQ(sad_update(sa, &in, &why), 0);
	ASSERT_INT_EQ(in->sa_state, SADB_SASTATE_MATURE);
	ASSERT_INT_EQ(in->sa_ekey_bits, 128);
	ASSERT_INT_EQ(from(SADB_UPDATE, SADB_SATYPE_ESP, 0x200,
	    SADB_X_EALG_AESCBC, 256, 0, 0, 100, 200, &sa), 0);
	ASSERT_INT_EQ(sad_update(sa, &in, &why), 0);
	ASSERT_INT_EQ(in->sa_ekey_bits, 128);
	ASSERT_U64_EQ(in->sa_hard.pl_bytes, 200);
	ASSERT_INT_EQ(from(SADB_UPDATE, SADB_SATYPE_ESP, 0x999,
	    SADB_X_EALG_AESCBC, 128, 0, 0, 0, 0, &sa), 0);
	ASSERT_INT_EQ(sad_update(sa, &in, &why), ESRCH);
	sad_shutdown();
	ASSERT_INT_EQ(sad_count(), 0);
}

static void
t_account(void)
{
	struct sad_sa *sa;

	ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_ESP, 7, SADB_X_EALG_AESCBC,
	    128, 0, 0, 1000, 3000, &sa), 0);
	ASSERT_INT_EQ(sad_add(sa, &(const char *){ NULL }), 0);
	nsoft = nhard = 0;
	ASSERT_INT_EQ(sad_account(sa, 600), 0);
	ASSERT_INT_EQ(sa->sa_cur.pl_allocations, 1);
	ASSERT_TRUE(sa->sa_cur.pl_usetime != 0);
	ASSERT_INT_EQ(nsoft, 0);
	ASSERT_INT_EQ(sad_account(sa, 600), 0);
	ASSERT_INT_EQ(nsoft, 1);
	ASSERT_INT_EQ(sa->sa_state, SADB_SASTATE_DYING);
	ASSERT_INT_EQ(sad_account(sa, 600), 0);
	ASSERT_INT_EQ(nsoft, 1);
	ASSERT_INT_EQ(sad_account(sa, 2000), -1);
	ASSERT_INT_EQ(nhard, 1);
	ASSERT_INT_EQ(sad_count(), 0);
}

static void
t_states(void)
{
	struct addr s = A("10.77.0.1"), d = A("10.77.0.2");
	struct sad_sa *sa;
	const char *why;

	ASSERT_INT_EQ(sad_getspi(SADB_SATYPE_ESP, &s, &d, 0, 0, 0x300, 0x300,
	    &sa, &why), 0);
	ASSERT_INT_EQ(sad_set_state(sa, SADB_SASTATE_DYING), -1);
	ASSERT_INT_EQ(sad_set_state(sa, SADB_SASTATE_MATURE), -1);
	ASSERT_INT_EQ(sa->sa_state, SADB_SASTATE_LARVAL);
	ASSERT_INT_EQ(sad_set_state(sa, SADB_SASTATE_DEAD), 0);
	ASSERT_INT_EQ(sad_set_state(sa, SADB_SASTATE_LARVAL), -1);
	ASSERT_INT_EQ(sad_set_state(sa, SADB_SASTATE_MATURE), -1);
	ASSERT_INT_EQ(sa->sa_state, SADB_SASTATE_DEAD);
	ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_ESP, 0x301,
	    SADB_X_EALG_AESCBC, 128, 0, 0, 0, 0, &sa), 0);
	ASSERT_INT_EQ(sad_add(sa, &why), 0);
	ASSERT_INT_EQ(sad_set_state(sa, SADB_SASTATE_DYING), 0);
	ASSERT_INT_EQ(sad_set_state(sa, SADB_SASTATE_MATURE), 0);
	ASSERT_INT_EQ(sad_set_state(sa, 9), -1);
	ASSERT_INT_EQ(sad_flush(SADB_SATYPE_UNSPEC), 2);
}

static int nchanges;

static void
changed(void)
{
	nchanges++;
}

/* ACQUIRE's larval SA: pending while larval or dead; the change hook. */
static void
t_pending(void)
{
	struct addr s = A("10.77.0.1"), d = A("10.77.0.2");
	struct sad_sa *sa, *again;

	sad_set_change_hook(changed);
	nchanges = 0;
	ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_ESP, &s, &d, 1, 0), NULL);
	ASSERT_INT_EQ(sad_acquire(SADB_SATYPE_ESP, &s, &d, 1, 0, 5, &sa), 0);
	ASSERT_INT_EQ(nchanges, 1);
	ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_ESP, &s, &d, 1, 0), sa);
	ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_AH, &s, &d, 1, 0), NULL);
	ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_ESP, &d, &s, 1, 0), NULL);
	ASSERT_INT_EQ(sad_acquire(SADB_SATYPE_ESP, &s, &d, 1, 0, 6, &again),
	    1);
	ASSERT_PTR_EQ(again, sa);
	/* A failed negotiation: still pending (rate limit), now dead. */
	ASSERT_INT_EQ(sad_set_state(sa, SADB_SASTATE_DEAD), 0);
	ASSERT_INT_EQ(nchanges, 2);
	ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_ESP, &s, &d, 1, 0), sa);
	ASSERT_PTR_EQ(sad_lookup_acqseq(5), NULL);
	sad_delete(sa);
	ASSERT_INT_EQ(nchanges, 3);
	ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_ESP, &s, &d, 1, 0), NULL);
	sad_set_change_hook(NULL);
}

static void
t_algs(void)
{
	ASSERT_TRUE(sad_alg_usable(alg_by_name(ALG_ENC, "aes-cbc")));
	ASSERT_TRUE(sad_alg_usable(alg_by_name(ALG_ENC, "aes-gcm-16")));
	ASSERT_TRUE(sad_alg_usable(alg_by_name(ALG_ENC, "null")));
	ASSERT_TRUE(sad_alg_usable(alg_by_name(ALG_AUTH, "hmac-sha512")));
	ASSERT_TRUE(sad_alg_usable(alg_by_name(ALG_AUTH, "aes-xcbc-mac")));
	/* No OpenSSL implementation: absent from SUPPORTED, ENOSYS. */
	ASSERT_FALSE(sad_alg_usable(alg_by_name(ALG_ENC, "twofish-cbc")));
	ASSERT_FALSE(sad_alg_usable(alg_by_name(ALG_COMP, "deflate")));
}

/* Many SAs: the hash tables find each, forget the deleted, and the
 * outbound choice is still the newest SA of the flow. */
static void
t_many(void)
{
	struct addr s = A("10.77.0.1"), d = A("10.77.0.2");
	struct sad_sa *sa, *last = NULL;
	uint32_t i, spi;

	for (i = 0; i < 3000; i++) {
		spi = 0x1000 + i * 4096;	/* same low bits: one bucket? */
		ASSERT_INT_EQ(from(SADB_ADD, SADB_SATYPE_ESP, spi,
		    SADB_X_EALG_AESCBC, 128, SADB_AALG_SHA1HMAC, 160, 0, 0,
		    &sa), 0);
		ASSERT_INT_EQ(sad_add(sa, &(const char *){ NULL }), 0);
		last = sa;
	}
	ASSERT_INT_EQ(sad_count(), 3000);
	for (i = 0; i < 3000; i++) {
		sa = sad_lookup(SADB_SATYPE_ESP, &d, 0x1000 + i * 4096);
		ASSERT_TRUE(sa != NULL);
		ASSERT_INT_EQ(sa->sa_spi, 0x1000 + i * 4096);
		ASSERT_TRUE(sad_lookup(SADB_SATYPE_AH, &d,
		    0x1000 + i * 4096) == NULL);
		ASSERT_TRUE(sad_lookup(SADB_SATYPE_ESP, &s,
		    0x1000 + i * 4096) == NULL);
	}
	ASSERT_TRUE(sad_select(SADB_SATYPE_ESP, &s, &d,
	    IPSEC_MODE_TRANSPORT, 0) == last);
	ASSERT_TRUE(sad_select(SADB_SATYPE_ESP, &d, &s,
	    IPSEC_MODE_TRANSPORT, 0) == NULL);
	for (i = 0; i < 3000; i += 2)
		sad_delete(sad_lookup(SADB_SATYPE_ESP, &d, 0x1000 + i * 4096));
	for (i = 0; i < 3000; i++)
		ASSERT_INT_EQ(sad_lookup(SADB_SATYPE_ESP, &d,
		    0x1000 + i * 4096) != NULL, i % 2);
	ASSERT_TRUE(sad_select(SADB_SATYPE_ESP, &s, &d,
	    IPSEC_MODE_TRANSPORT, 0) == last);
	sad_delete(last);
	sa = sad_select(SADB_SATYPE_ESP, &s, &d, IPSEC_MODE_TRANSPORT, 0);
	ASSERT_TRUE(sa != NULL);
	ASSERT_INT_EQ(sa->sa_spi, 0x1000 + 2997 * 4096);
	ASSERT_INT_EQ(sad_flush(SADB_SATYPE_UNSPEC), 1499);
	ASSERT_TRUE(sad_select(SADB_SATYPE_ESP, &s, &d,
	    IPSEC_MODE_TRANSPORT, 0) == NULL);
}

/*
 * Many ACQUIREs: each flow's larval SA is found through the hash tables
 * (by flow for sad_pending and sad_acquire, by sequence number for
 * GETSPI's and UPDATE's sad_lookup_acqseq), and of two for one flow the
 * older, as the walk of the list found it.
 */
static void
t_many_pending(void)
{
	static struct sad_sa *v[2000];
	struct addr s = A("10.78.0.1"), d;
	struct sad_sa *again;
	uint32_t i;

	for (i = 0; i < 2000; i++) {
		d = s;
		d.a_raw[2] = (uint8_t)(i >> 8) + 1;
		d.a_raw[3] = (uint8_t)i;
		/* Odd ones share the flow of the one before, reqid 7. */
		if (i % 2 == 1)
			d.a_raw[3] = (uint8_t)(i - 1);
		ASSERT_INT_EQ(sad_acquire(SADB_SATYPE_ESP, &s, &d,
		    IPSEC_MODE_TUNNEL, i % 2 == 1 ? 7 : 0, i + 1, &v[i]), 0);
	}
	for (i = 0; i < 2000; i++) {
		d = v[i]->sa_dst;
		ASSERT_PTR_EQ(sad_lookup_acqseq(i + 1), v[i]);
		/* Any reqid: the older of the flow's two. */
		ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_ESP, &s, &d,
		    IPSEC_MODE_TUNNEL, 0), v[i - i % 2]);
		ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_ESP, &s, &d,
		    IPSEC_MODE_TUNNEL, 7), v[i | 1]);
		ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_ESP, &d, &s,
		    IPSEC_MODE_TUNNEL, 0), NULL);
		ASSERT_INT_EQ(sad_acquire(SADB_SATYPE_ESP, &s, &d,
		    IPSEC_MODE_TUNNEL, 0, 9999, &again), 1);
		ASSERT_PTR_EQ(again, v[i - i % 2]);
	}
	/* The older dead: sad_pending still has it, ACQUIRE the other. */
	for (i = 0; i < 2000; i += 2)
		ASSERT_INT_EQ(sad_set_state(v[i], SADB_SASTATE_DEAD), 0);
	for (i = 0; i < 2000; i += 2) {
		d = v[i]->sa_dst;
		ASSERT_PTR_EQ(sad_lookup_acqseq(i + 1), NULL);
		ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_ESP, &s, &d,
		    IPSEC_MODE_TUNNEL, 0), v[i]);
		ASSERT_INT_EQ(sad_acquire(SADB_SATYPE_ESP, &s, &d,
		    IPSEC_MODE_TUNNEL, 0, 9999, &again), 1);
		ASSERT_PTR_EQ(again, v[i + 1]);
		sad_delete(v[i]);
		ASSERT_PTR_EQ(sad_pending(SADB_SATYPE_ESP, &s, &d,
		    IPSEC_MODE_TUNNEL, 0), v[i + 1]);
	}
	ASSERT_INT_EQ(sad_flush(SADB_SATYPE_UNSPEC), 1000);
	ASSERT_PTR_EQ(sad_lookup_acqseq(2), NULL);
}

int
main(void)
{
	OSSL_PROVIDER *def, *legacy;
	int rc;

	def = OSSL_PROVIDER_load(NULL, "default");
	legacy = OSSL_PROVIDER_load(NULL, "legacy");
	sad_init(NULL, notify, NULL);
	TEST_RUN(t_checks);
	TEST_RUN(t_getspi);
	TEST_RUN(t_account);
	TEST_RUN(t_states);
	TEST_RUN(t_pending);
	TEST_RUN(t_algs);
	TEST_RUN(t_many);
	TEST_RUN(t_many_pending);
	rc = test_done();
	if (legacy != NULL)
		OSSL_PROVIDER_unload(legacy);
	if (def != NULL)
		OSSL_PROVIDER_unload(def);
	return rc;
}
