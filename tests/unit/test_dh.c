/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/racoon/dh.c: RFC 5903 known answers for the ECP
 * groups, MODP known answers (tests/vectors/modp-kat.txt), an exchange
 * in every group, short exponents, and peer values out of range or off
 * the curve refused.
 */
#include <string.h>

#include <openssl/bn.h>

#include "buf.h"
#include "dh.h"
#include "log.h"
#include "test_helper.h"
#include "vectors.h"

static const int groups[] = { 1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21 };

struct kat {
	struct wbuf	 i, gi, r, gr, gir;
};

static void
kat_load(struct kat *k, const char *file, const char *section)
{
	struct wbuf *w[] = { &k->i, &k->gi, &k->r, &k->gr, &k->gir };
	const char *names[] = { "i", "gi", "r", "gr", "gir" };
	size_t n;

	for (n = 0; n < 5; n++) {
		ASSERT_INT_EQ(wbuf_init(w[n], 64, 4096), 0);
		ASSERT_INT_EQ(vec_get(file, section, names[n], w[n]), 0);
	}
}

static void
kat_free(struct kat *k)
{
	wbuf_free(&k->i);
	wbuf_free(&k->gi);
	wbuf_free(&k->r);
	wbuf_free(&k->gr);
	wbuf_free(&k->gir);
}

/* One side of a known answer: our public value and the secret. */
static void
kat_side(int group, const struct wbuf *priv, const struct wbuf *pub,
    const struct wbuf *peer, const struct wbuf *secret)
{
	struct dh *dh;
	struct wbuf out;

	dh = dh_new_fixed(group, wbuf_data(priv), wbuf_len(priv),
	    wbuf_data(pub), wbuf_len(pub));
	ASSERT_PTR_NE(dh, NULL);
	ASSERT_INT_EQ(wbuf_init(&out, 64, 4096), 0);
	wbuf_set_secret(&out);
	ASSERT_INT_EQ(dh_pub(dh, &out), 0);
	ASSERT_INT_EQ(wbuf_len(&out), wbuf_len(pub));
	ASSERT_MEM_EQ(wbuf_data(&out), wbuf_data(pub), wbuf_len(pub));
	wbuf_reset(&out);
	ASSERT_INT_EQ(dh_derive(dh, wbuf_data(peer), wbuf_len(peer), &out), 0);
	ASSERT_INT_EQ(wbuf_len(&out), wbuf_len(secret));
	ASSERT_MEM_EQ(wbuf_data(&out), wbuf_data(secret), wbuf_len(secret));
	wbuf_free(&out);
	dh_free(dh);
}

static void
kat_run(const char *file, const char *section, int group)
{
	struct kat k;

	kat_load(&k, file, section);
	kat_side(group, &k.i, &k.gi, &k.gr, &k.gir);
	kat_side(group, &k.r, &k.gr, &k.gi, &k.gir);
	kat_free(&k);
}

static void
t_ecp_rfc5903(void)
{
	kat_run("vectors/ecp-rfc5903.txt", "group19", 19);
	kat_run("vectors/ecp-rfc5903.txt", "group20", 20);
	kat_run("vectors/ecp-rfc5903.txt", "group21", 21);
}

static void
t_modp_kat(void)
{
	kat_run("vectors/modp-kat.txt", "group1", 1);
	kat_run("vectors/modp-kat.txt", "group14", 14);
}

/* Two fresh key pairs in every group agree on the secret. */
static void
t_exchange_every_group(void)
{
	struct dh *a, *b;
	struct wbuf pa, pb, sa, sb;
	size_t n;

	for (n = 0; n < sizeof(groups) / sizeof(groups[0]); n++) {
		ASSERT_PTR_NE(a = dh_new(groups[n]), NULL);
		ASSERT_PTR_NE(b = dh_new(groups[n]), NULL);
		ASSERT_INT_EQ(dh_alg(a)->alg_ike, groups[n]);
		ASSERT_INT_EQ(wbuf_init(&pa, 64, 4096), 0);
		ASSERT_INT_EQ(wbuf_init(&pb, 64, 4096), 0);
		ASSERT_INT_EQ(wbuf_init(&sa, 64, 4096), 0);
		ASSERT_INT_EQ(wbuf_init(&sb, 64, 4096), 0);
		ASSERT_INT_EQ(dh_pub(a, &pa), 0);
		ASSERT_INT_EQ(dh_pub(b, &pb), 0);
		ASSERT_INT_EQ(wbuf_len(&pa), dh_pub_len(a));
		ASSERT_INT_EQ(dh_derive(a, wbuf_data(&pb), wbuf_len(&pb), &sa),
		    0);
		ASSERT_INT_EQ(dh_derive(b, wbuf_data(&pa), wbuf_len(&pa), &sb),
		    0);
		ASSERT_INT_EQ(wbuf_len(&sa), dh_secret_len(a));
		ASSERT_MEM_EQ(wbuf_data(&sa), wbuf_data(&sb), wbuf_len(&sa));
		wbuf_free(&pa);
		wbuf_free(&pb);
		wbuf_free(&sa);
		wbuf_free(&sb);
		dh_free(a);
		dh_free(b);
	}
}

/*
 * The key dh_check_peer made is what the dh_derive of the same value
 * uses; another value (or a refused one in between) changes nothing.
 */
static void
t_check_then_derive(void)
{
	static const int gs[] = { 14, 19 };
	struct dh *a, *b, *c;
	struct wbuf pa, pb, pc, s1, s2, s3;
	uint8_t bad[64];
	size_t n;

	memset(bad, 0, sizeof(bad));
	for (n = 0; n < sizeof(gs) / sizeof(gs[0]); n++) {
		ASSERT_PTR_NE(a = dh_new(gs[n]), NULL);
		ASSERT_PTR_NE(b = dh_new(gs[n]), NULL);
		ASSERT_PTR_NE(c = dh_new(gs[n]), NULL);
		ASSERT_INT_EQ(wbuf_init(&pa, 64, 4096), 0);
		ASSERT_INT_EQ(wbuf_init(&pb, 64, 4096), 0);
		ASSERT_INT_EQ(wbuf_init(&pc, 64, 4096), 0);
		ASSERT_INT_EQ(wbuf_init(&s1, 64, 4096), 0);
		ASSERT_INT_EQ(wbuf_init(&s2, 64, 4096), 0);
		ASSERT_INT_EQ(wbuf_init(&s3, 64, 4096), 0);
		ASSERT_INT_EQ(dh_pub(a, &pa), 0);
		ASSERT_INT_EQ(dh_pub(b, &pb), 0);
		ASSERT_INT_EQ(dh_pub(c, &pc), 0);
		/* Checked, then derived: the same secret as b's. */
		ASSERT_INT_EQ(dh_check_peer(a, wbuf_data(&pb), wbuf_len(&pb)),
		    0);
		ASSERT_INT_EQ(dh_check_peer(a, bad, dh_pub_len(a) > 64 ? 64 :
		    dh_pub_len(a)), -1);
		ASSERT_INT_EQ(dh_derive(a, wbuf_data(&pb), wbuf_len(&pb), &s1),
		    0);
		ASSERT_INT_EQ(dh_derive(b, wbuf_data(&pa), wbuf_len(&pa), &s2),
		    0);
		ASSERT_MEM_EQ(wbuf_data(&s1), wbuf_data(&s2), wbuf_len(&s1));
		/* c's value checked, b's derived: still b's secret. */
		ASSERT_INT_EQ(dh_check_peer(a, wbuf_data(&pc), wbuf_len(&pc)),
		    0);
		ASSERT_INT_EQ(dh_derive(a, wbuf_data(&pb), wbuf_len(&pb), &s3),
		    0);
		ASSERT_MEM_EQ(wbuf_data(&s1), wbuf_data(&s3), wbuf_len(&s1));
		wbuf_free(&pa);
		wbuf_free(&pb);
		wbuf_free(&pc);
		wbuf_free(&s1);
		wbuf_free(&s2);
		wbuf_free(&s3);
		dh_free(a);
		dh_free(b);
		dh_free(c);
	}
}

/*
 * RFC 3526 groups use exponents of about twice their strength (OpenSSL's
 * named groups: 225 bits for 2048, 400 for 8192); groups 1 and 2 use
 * the full length.
 */
static void
t_short_exponents(void)
{
	struct dh *dh;

	ASSERT_PTR_NE(dh = dh_new(14), NULL);
	ASSERT_TRUE(dh_priv_bits(dh) <= 225);
	ASSERT_TRUE(dh_priv_bits(dh) > 160);
	dh_free(dh);
	ASSERT_PTR_NE(dh = dh_new(18), NULL);
	ASSERT_TRUE(dh_priv_bits(dh) <= 400);
	dh_free(dh);
	ASSERT_PTR_NE(dh = dh_new(2), NULL);
	ASSERT_TRUE(dh_priv_bits(dh) > 900);
	dh_free(dh);
}

/* dh_derive first: its own checks, not a key dh_check_peer kept. */
static int
peer_ok(struct dh *dh, const uint8_t *v, size_t len)
{
	struct wbuf out;
	int a, b;

	ASSERT_INT_EQ(wbuf_init(&out, 64, 4096), 0);
	b = dh_derive(dh, v, len, &out);
	a = dh_check_peer(dh, v, len);
	ASSERT_INT_EQ(a, b);
	wbuf_free(&out);
	return a;
}

/* MODP: 1 < y < p-1, and exactly the length of the prime. */
static void
t_modp_range(void)
{
	int gn[] = { 2, 14 };
	uint8_t y[256];
	BIGNUM *p;
	struct dh *dh;
	size_t n, len;

	for (n = 0; n < 2; n++) {
		ASSERT_PTR_NE(dh = dh_new(gn[n]), NULL);
		len = dh_pub_len(dh);
		p = n == 0 ? BN_get_rfc2409_prime_1024(NULL) :
		    BN_get_rfc3526_prime_2048(NULL);
		memset(y, 0, len);
		ASSERT_INT_EQ(peer_ok(dh, y, len), -1);		/* 0 */
		y[len - 1] = 1;
		ASSERT_INT_EQ(peer_ok(dh, y, len), -1);		/* 1 */
		y[len - 1] = 2;
		ASSERT_INT_EQ(peer_ok(dh, y, len), 0);	/* 2 = g */
		ASSERT_INT_EQ(peer_ok(dh, y, len - 1), -1);	/* short */
		BN_sub_word(p, 1);
		BN_bn2binpad(p, y, (int)len);
		ASSERT_INT_EQ(peer_ok(dh, y, len), -1);		/* p-1 */
		BN_add_word(p, 1);
		BN_bn2binpad(p, y, (int)len);
		ASSERT_INT_EQ(peer_ok(dh, y, len), -1);		/* p */
		memset(y, 0xff, len);
		ASSERT_INT_EQ(peer_ok(dh, y, len), -1);		/* > p */
		BN_free(p);
		dh_free(dh);
	}
}

/* ECP: the point must be on the curve, the length exact. */
static void
t_ecp_curve(void)
{
	struct wbuf gi;
	struct dh *dh;
	uint8_t pt[2 * 66];
	size_t len;

	ASSERT_INT_EQ(wbuf_init(&gi, 64, 4096), 0);
	ASSERT_INT_EQ(vec_get("vectors/ecp-rfc5903.txt", "group19", "gi", &gi),
	    0);
	ASSERT_PTR_NE(dh = dh_new(19), NULL);
	len = wbuf_len(&gi);
	memcpy(pt, wbuf_data(&gi), len);
	ASSERT_INT_EQ(peer_ok(dh, pt, len), 0);
	pt[len - 1] ^= 1;				/* y off the curve */
	ASSERT_INT_EQ(peer_ok(dh, pt, len), -1);
	memset(pt, 0, len);				/* (0, 0) */
	ASSERT_INT_EQ(peer_ok(dh, pt, len), -1);
	memset(pt, 0xff, len);			/* past the field */
	ASSERT_INT_EQ(peer_ok(dh, pt, len), -1);
	ASSERT_INT_EQ(peer_ok(dh, wbuf_data(&gi), len - 1), -1);
	dh_free(dh);
	/* The group 19 point in group 20 has the wrong length. */
	ASSERT_PTR_NE(dh = dh_new(20), NULL);
	ASSERT_INT_EQ(peer_ok(dh, wbuf_data(&gi), len), -1);
	dh_free(dh);
	wbuf_free(&gi);
}

static void
t_bad_groups(void)
{
	ASSERT_PTR_EQ(dh_new(0), NULL);
	ASSERT_PTR_EQ(dh_new(3), NULL);		/* EC2N, not supported */
	ASSERT_PTR_EQ(dh_new(22), NULL);
	ASSERT_PTR_EQ(dh_new_fixed(19, (const uint8_t *)"x", 1,
	    (const uint8_t *)"short", 5), NULL);
}

int
main(void)
{
	log_init("test_dh", LOG_DEST_STDERR, 0);
	TEST_RUN(t_ecp_rfc5903);
	TEST_RUN(t_modp_kat);
	TEST_RUN(t_exchange_every_group);
	TEST_RUN(t_check_then_derive);
	TEST_RUN(t_short_exponents);
	TEST_RUN(t_modp_range);
	TEST_RUN(t_ecp_curve);
	TEST_RUN(t_bad_groups);
	return test_done();
}
