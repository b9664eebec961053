/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/racoon/ike_crypto.c: the PRFs against RFC 2202 and
 * RFC 4231, SKEYID* against tests/vectors/ikev1-kdf.txt (NIST CAVP), and
 * the rest of RFC 2409's schedule against values computed independently.
 *
 * The expected values below marked "hand-checked" were computed once by
 * the author of issue 10 with Python's hmac and hashlib modules (and
 * `openssl enc -nopad` for the CBC blocks), from the [psk] inputs of
 * ikev1-kdf.txt: SKEYID_d/a/e as listed there, Ni, Nr and the cookies
 * from there, g^xi = bytes 1..64, g^xr = bytes 101..164, g(qm)^xy =
 * bytes 0..31, the SPIs and strings written next to each test.  E.g.
 *	k = b""; out = b""
 *	while len(out) < 36:
 *	    k = hmac.new(SKEYID_d, k + b"\x03" + spi + Ni + Nr, sha1).digest()
 *	    out += k
 */
#include <stdio.h>
#include <string.h>

#include "alg.h"
#include "buf.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "test_helper.h"
#include "vectors.h"

#define KDF	"vectors/ikev1-kdf.txt"

static void
hex(const char *s, struct wbuf *w)
{
	struct rbuf rb;

	rbuf_init_str(&rb, s);
	ASSERT_INT_EQ(wbuf_init(w, 64, 4096), 0);
	ASSERT_INT_EQ(rbuf_get_hex(&rb, w), 0);
}

static void
vec(const char *file, const char *section, const char *key, struct wbuf *w)
{
	ASSERT_INT_EQ(wbuf_init(w, 64, 4096), 0);
	ASSERT_INT_EQ(vec_get(file, section, key, w), 0);
}

static struct ike_chunk
chunk(const struct wbuf *w)
{
	struct ike_chunk c = { wbuf_data(w), wbuf_len(w) };

	return c;
}

static const struct alg *
hash_alg(const char *name)
{
	const struct alg *a = alg_by_name(ALG_IKE_HASH, name);

	ASSERT_PTR_NE(a, NULL);
	return a;
}

static void
t_prf_rfc2202_rfc4231(void)
{
	static const char *sections[] = { "md5-1", "md5-2", "md5-6",
	    "sha1-1", "sha1-2", "sha1-6", "sha256-1", "sha256-2", "sha256-6",
	    "sha384-1", "sha384-2", "sha384-6", "sha512-1", "sha512-2",
	    "sha512-6" };
	struct wbuf key, data, want;
	struct ike_chunk c[2];
	uint8_t out[IKE_PRF_MAX];
	char hname[16];
	size_t i, n = 0;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		vec("vectors/hmac-prf.txt", sections[i], "key", &key);
		vec("vectors/hmac-prf.txt", sections[i], "data", &data);
		vec("vectors/hmac-prf.txt", sections[i], "prf", &want);
		/* The hash is named by the section: "sha384-2" is sha384. */
		snprintf(hname, sizeof(hname), "%s", sections[i]);
		hname[strcspn(hname, "-")] = '\0';
		/* Two chunks, cut anywhere, are one message. */
		c[0].c_ptr = wbuf_data(&data);
		c[0].c_len = wbuf_len(&data) / 3;
		c[1].c_ptr = wbuf_data(&data) + c[0].c_len;
		c[1].c_len = wbuf_len(&data) - c[0].c_len;
		ASSERT_INT_EQ(ike_prf(hash_alg(hname), wbuf_data(&key),
		    wbuf_len(&key), c, 2, out), 0);
		ASSERT_INT_EQ(ike_hash_len(hash_alg(hname)), wbuf_len(&want));
		ASSERT_MEM_EQ(out, wbuf_data(&want), wbuf_len(&want));
		wbuf_free(&key);
		wbuf_free(&data);
		wbuf_free(&want);
		n++;
	}
	ASSERT_INT_EQ(n, 15);
}

/* The PSK keys of ikev1-kdf.txt [psk], derived; enc may be NULL. */
static void
keys_psk(struct ike_keys *k, const char *enc, unsigned bits)
{
	struct wbuf psk, ni, nr, gxy, ckyi, ckyr;
	struct ike_chunk cni, cnr, cg;

	ASSERT_INT_EQ(ike_keys_init(k, hash_alg("sha1"), enc == NULL ? NULL :
	    alg_by_name(ALG_IKE_ENC, enc), bits), 0);
	vec(KDF, "psk", "PSK", &psk);
	vec(KDF, "psk", "Ni", &ni);
	vec(KDF, "psk", "Nr", &nr);
	vec(KDF, "psk", "g^xy", &gxy);
	vec(KDF, "psk", "CKY_I", &ckyi);
	vec(KDF, "psk", "CKY_R", &ckyr);
	cni = chunk(&ni);
	cnr = chunk(&nr);
	cg = chunk(&gxy);
	ASSERT_INT_EQ(ike_skeyid_psk(k, wbuf_data(&psk), wbuf_len(&psk),
	    &cni, &cnr), 0);
	ASSERT_INT_EQ(ike_skeyid_derive(k, &cg, wbuf_data(&ckyi),
	    wbuf_data(&ckyr)), 0);
	wbuf_free(&psk);
	wbuf_free(&ni);
	wbuf_free(&nr);
	wbuf_free(&gxy);
	wbuf_free(&ckyi);
	wbuf_free(&ckyr);
}

static void
check_skeyids(const struct ike_keys *k, const char *section)
{
	static const char *names[] = { "SKEYID", "SKEYID_d", "SKEYID_a",
	    "SKEYID_e" };
	const uint8_t *got[] = { k->ik_skeyid, k->ik_skeyid_d,
	    k->ik_skeyid_a, k->ik_skeyid_e };
	struct wbuf want;
	size_t i;

	for (i = 0; i < 4; i++) {
		vec(KDF, section, names[i], &want);
		ASSERT_INT_EQ(wbuf_len(&want), k->ik_prflen);
		ASSERT_MEM_EQ(got[i], wbuf_data(&want), k->ik_prflen);
		wbuf_free(&want);
	}
}

static void
t_skeyid_psk(void)
{
	struct ike_keys k;

	keys_psk(&k, NULL, 0);
	check_skeyids(&k, "psk");
	ike_keys_clear(&k);
}

static void
t_skeyid_sig(void)
{
	struct ike_keys k;
	struct wbuf ni, nr, gxy, ckyi, ckyr;
	struct ike_chunk cni, cnr, cg;

	ASSERT_INT_EQ(ike_keys_init(&k, hash_alg("sha1"), NULL, 0), 0);
	vec(KDF, "signature", "Ni", &ni);
	vec(KDF, "signature", "Nr", &nr);
	vec(KDF, "signature", "g^xy", &gxy);
	vec(KDF, "signature", "CKY_I", &ckyi);
	vec(KDF, "signature", "CKY_R", &ckyr);
	cni = chunk(&ni);
	cnr = chunk(&nr);
	cg = chunk(&gxy);
	ASSERT_INT_EQ(ike_skeyid_sig(&k, &cni, &cnr, &cg), 0);
	ASSERT_INT_EQ(ike_skeyid_derive(&k, &cg, wbuf_data(&ckyi),
	    wbuf_data(&ckyr)), 0);
	check_skeyids(&k, "signature");
	ike_keys_clear(&k);
	wbuf_free(&ni);
	wbuf_free(&nr);
	wbuf_free(&gxy);
	wbuf_free(&ckyi);
	wbuf_free(&ckyr);
}

/* Appendix B expansion: hand-checked K1 | K2 | K3 from SKEYID_e. */
static void
t_enc_key_expansion(void)
{
	static const struct {
		const char	*enc;
		unsigned	 bits;
		const char	*key;
	} cases[] = {
		{ "3des", 192, "9ce3201d5c6cf897a6cba863e68c634d"
		    "8d63805d1f20e30b" },
		{ "aes", 256, "9ce3201d5c6cf897a6cba863e68c634d"
		    "8d63805d1f20e30bf6884e2a4ee9fc8a" },
		{ "blowfish", 448, "9ce3201d5c6cf897a6cba863e68c634d"
		    "8d63805d1f20e30bf6884e2a4ee9fc8abe94a67a0c33898f"
		    "9f45110ddee358f47a37a36dda0fd313" },
		/* Short enough: the first bytes of SKEYID_e itself. */
		{ "aes", 128, "cd74b0c048219db81384d3fda8f6cda5" },
		{ "des", 64, "cd74b0c048219db8" },
	};
	struct ike_keys k;
	struct wbuf want;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		keys_psk(&k, cases[i].enc, cases[i].bits);
		hex(cases[i].key, &want);
		ASSERT_INT_EQ(k.ik_enckeylen, wbuf_len(&want));
		ASSERT_MEM_EQ(k.ik_enckey, wbuf_data(&want), wbuf_len(&want));
		wbuf_free(&want);
		ike_keys_clear(&k);
	}
}

static void
keymat_case(const struct ike_keys *k, const struct ike_chunk *gqm,
    const char *spi, size_t need, const char *expect)
{
	struct wbuf ni, nr, s, out, want;
	struct ike_chunk cni, cnr;

	vec(KDF, "psk", "Ni", &ni);
	vec(KDF, "psk", "Nr", &nr);
	hex(spi, &s);
	hex(expect, &want);
	cni = chunk(&ni);
	cnr = chunk(&nr);
	ASSERT_INT_EQ(wbuf_init(&out, 64, 4096), 0);
	wbuf_set_secret(&out);
	ASSERT_INT_EQ(ike_keymat(k, gqm, 3, wbuf_data(&s), wbuf_len(&s),
	    &cni, &cnr, need, &out), 0);
	ASSERT_INT_EQ(wbuf_len(&out), need);
	ASSERT_MEM_EQ(wbuf_data(&out), wbuf_data(&want), need);
	wbuf_free(&out);
	wbuf_free(&want);
	wbuf_free(&s);
	wbuf_free(&ni);
	wbuf_free(&nr);
}

/*
 * Hand-checked KEYMAT for ESP (protocol 3): 36 bytes (aes-128 and
 * hmac-sha1 keys) for SPI c0ffee01, the other direction's SPI 0badcafe,
 * and 64 bytes with PFS.  Each needs more than one prf output.
 */
static void
t_keymat(void)
{
	struct ike_keys k;
	uint8_t g[32];
	struct ike_chunk gqm = { g, sizeof(g) };
	size_t i;

	for (i = 0; i < sizeof(g); i++)
		g[i] = (uint8_t)i;
	keys_psk(&k, NULL, 0);
	keymat_case(&k, NULL, "c0ffee01", 36,
	    "4170cb95f0dcb382f5df2fe6475e9dec699d6ba0e71fdf2f68dbd51a"
	    "997d981bd0dae857");
	keymat_case(&k, NULL, "0badcafe", 36,
	    "f2d991e8845b09fef2feb36576702892369a1f0f9db6544bb1c686fa"
	    "04b432654111d349");
	keymat_case(&k, &gqm, "c0ffee01", 64,
	    "1eae127cac7abcd6157374b1cc78ef834ff8fad38d992d454794bc32"
	    "6b56dda9e18772a7b2252d600d9ecdc7e8961b5ccaaec4b96c12dff5"
	    "5e6c0acf1772cf91");
	/* A shorter need is a prefix of a longer one. */
	keymat_case(&k, NULL, "c0ffee01", 7, "4170cb95f0dcb3");
	ike_keys_clear(&k);
}

static void
gx(uint8_t *gxi, uint8_t *gxr)
{
	int i;

	for (i = 0; i < 64; i++) {
		gxi[i] = (uint8_t)(1 + i);
		gxr[i] = (uint8_t)(101 + i);
	}
}

/* Hand-checked: sha1(g^xi | g^xr) and sha1(last block | M-ID), cut. */
static void
t_ivs(void)
{
	struct ike_keys k;
	struct ike_iv iv, last, miv;
	uint8_t gxi[64], gxr[64];
	struct ike_chunk ci = { gxi, 64 }, cr = { gxr, 64 };
	struct wbuf want, l;

	gx(gxi, gxr);
	keys_psk(&k, "aes", 128);
	ASSERT_INT_EQ(ike_iv_phase1(&k, &ci, &cr, &iv), 0);
	ASSERT_INT_EQ(iv.iv_len, 16);
	hex("8cd3423fcbba8b45339cb612097b0dba", &want);
	ASSERT_MEM_EQ(iv.iv_data, wbuf_data(&want), 16);
	wbuf_free(&want);
	hex("00112233445566778899aabbccddeeff", &l);
	memcpy(last.iv_data, wbuf_data(&l), 16);
	last.iv_len = 16;
	ASSERT_INT_EQ(ike_iv_msgid(&k, &last, 0x01020304, &miv), 0);
	hex("1b7346694a13526292f9aa694ef0792d", &want);
	ASSERT_MEM_EQ(miv.iv_data, wbuf_data(&want), 16);
	wbuf_free(&want);
	wbuf_free(&l);
	ike_keys_clear(&k);
	/* 3DES takes the first 8 bytes of the same hash. */
	keys_psk(&k, "3des", 0);
	ASSERT_INT_EQ(ike_iv_phase1(&k, &ci, &cr, &iv), 0);
	ASSERT_INT_EQ(iv.iv_len, 8);
	ASSERT_MEM_EQ(iv.iv_data, "\x8c\xd3\x42\x3f\xcb\xba\x8b\x45", 8);
	ike_keys_clear(&k);
}

/*
 * Hand-checked HASH_I and HASH_R: SAi_b is the string below, IDii_b and
 * IDir_b are IPv4 IDs 10.77.0.1 and 10.77.0.2 (01000000 0a4d0001).
 */
static void
t_ph1_hashes(void)
{
	static const char sai[] = "SAi_b bytes of the initiator's first "
	    "message";
	static const uint8_t idii[] = { 1, 0, 0, 0, 10, 77, 0, 1 };
	static const uint8_t idir[] = { 1, 0, 0, 0, 10, 77, 0, 2 };
	struct ike_keys k;
	struct ike_ph1_hash_in in;
	struct wbuf ckyi, ckyr, want;
	uint8_t gxi[64], gxr[64], out[IKE_PRF_MAX];

	gx(gxi, gxr);
	keys_psk(&k, NULL, 0);
	vec(KDF, "psk", "CKY_I", &ckyi);
	vec(KDF, "psk", "CKY_R", &ckyr);
	memset(&in, 0, sizeof(in));
	in.h_gxi.c_ptr = gxi;
	in.h_gxi.c_len = 64;
	in.h_gxr.c_ptr = gxr;
	in.h_gxr.c_len = 64;
	in.h_cky_i = wbuf_data(&ckyi);
	in.h_cky_r = wbuf_data(&ckyr);
	in.h_sai.c_ptr = sai;
	in.h_sai.c_len = strlen(sai);
	in.h_id.c_ptr = idii;
	in.h_id.c_len = sizeof(idii);
	ASSERT_INT_EQ(ike_hash_i(&k, &in, out), 0);
	hex("142e41c6ab53442aa8c1fd848201d6eefa856bd1", &want);
	ASSERT_MEM_EQ(out, wbuf_data(&want), 20);
	wbuf_free(&want);
	in.h_id.c_ptr = idir;
	ASSERT_INT_EQ(ike_hash_r(&k, &in, out), 0);
	hex("2d04d1602eff5ecbe9846833730d8468557b83af", &want);
	ASSERT_MEM_EQ(out, wbuf_data(&want), 20);
	wbuf_free(&want);
	wbuf_free(&ckyi);
	wbuf_free(&ckyr);
	ike_keys_clear(&k);
}

/* Hand-checked quick mode hashes, M-ID 01020304, rest as below. */
static void
t_qm_hashes(void)
{
	static const char rest[] = "SA, Ni, IDci, IDcr payloads";
	struct ike_chunk cr = { rest, sizeof(rest) - 1 }, cni, cnr;
	struct ike_keys k;
	struct wbuf ni, nr, want;
	uint8_t out[IKE_PRF_MAX];

	keys_psk(&k, NULL, 0);
	vec(KDF, "psk", "Ni", &ni);
	vec(KDF, "psk", "Nr", &nr);
	cni = chunk(&ni);
	cnr = chunk(&nr);
	ASSERT_INT_EQ(ike_qm_hash1(&k, 0x01020304, &cr, out), 0);
	hex("c5699c73dc112f426df375ac13f7d5618c722c04", &want);
	ASSERT_MEM_EQ(out, wbuf_data(&want), 20);
	wbuf_free(&want);
	ASSERT_INT_EQ(ike_qm_hash2(&k, 0x01020304, &cni, &cr, out), 0);
	hex("4ab09f3215acc10e5753b2579ca4c7a9195b86fb", &want);
	ASSERT_MEM_EQ(out, wbuf_data(&want), 20);
	wbuf_free(&want);
	ASSERT_INT_EQ(ike_qm_hash3(&k, 0x01020304, &cni, &cnr, out), 0);
	hex("3dc2884b50b5e9fc4de29f84569405034f62e37b", &want);
	ASSERT_MEM_EQ(out, wbuf_data(&want), 20);
	wbuf_free(&want);
	wbuf_free(&ni);
	wbuf_free(&nr);
	ike_keys_clear(&k);
}

/*
 * Hand-checked CBC blocks (openssl enc -nopad) of the 20-byte body
 * below, padded as RFC 2409 5.3 says, under the phase 1 IV of t_ivs.
 */
static void
cbc_kat(const char *enc, unsigned bits, const char *expect)
{
	static const char body[] = "ISAKMP payload body!";
	struct ike_keys k;
	struct ike_iv iv, iv2;
	uint8_t gxi[64], gxr[64];
	struct ike_chunk ci = { gxi, 64 }, cr = { gxr, 64 };
	struct wbuf ct, pt, want;

	gx(gxi, gxr);
	keys_psk(&k, enc, bits);
	ASSERT_INT_EQ(ike_iv_phase1(&k, &ci, &cr, &iv), 0);
	iv2 = iv;
	hex(expect, &want);
	ASSERT_INT_EQ(wbuf_init(&ct, 64, 4096), 0);
	ASSERT_INT_EQ(ike_encrypt(&k, &iv, (const uint8_t *)body, 20, &ct),
	    0);
	ASSERT_INT_EQ(wbuf_len(&ct), wbuf_len(&want));
	ASSERT_MEM_EQ(wbuf_data(&ct), wbuf_data(&want), wbuf_len(&want));
	/* The next IV is the last cipher block. */
	ASSERT_MEM_EQ(iv.iv_data, wbuf_data(&ct) + wbuf_len(&ct) - iv.iv_len,
	    iv.iv_len);
	ASSERT_INT_EQ(wbuf_init(&pt, 64, 4096), 0);
	ASSERT_INT_EQ(ike_decrypt(&k, &iv2, wbuf_data(&ct), wbuf_len(&ct),
	    &pt), 0);
	ASSERT_MEM_EQ(wbuf_data(&pt), body, 20);
	ASSERT_INT_EQ(wbuf_data(&pt)[wbuf_len(&pt) - 1], wbuf_len(&pt) - 21);
	ASSERT_MEM_EQ(iv2.iv_data, iv.iv_data, iv.iv_len);
	wbuf_free(&ct);
	wbuf_free(&pt);
	wbuf_free(&want);
	ike_keys_clear(&k);
}

static void
t_cbc_kat(void)
{
	cbc_kat("aes", 128, "bf7e606b70ff615380ffc794a5bf03ef"
	    "101f98667c8c114094af568afb7c7622");
	cbc_kat("3des", 192, "b8ac038fc9530f73a25c331ba9e69f0a"
	    "1bf21d0f7a5ae7a5");
}

/* Every phase 1 cipher and key length round-trips through CBC. */
static void
cbc_roundtrip(const struct alg *a, unsigned bits)
{
	uint8_t body[37], gxi[64], gxr[64];
	struct ike_chunk ci = { gxi, 64 }, cr = { gxr, 64 };
	struct ike_keys k;
	struct ike_iv iv, iv2;
	struct wbuf ct, pt;
	size_t i;

	for (i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(i * 13);
	gx(gxi, gxr);
	keys_psk(&k, a->alg_name, bits);
	ASSERT_INT_EQ(ike_iv_phase1(&k, &ci, &cr, &iv), 0);
	iv2 = iv;
	ASSERT_INT_EQ(wbuf_init(&ct, 64, 4096), 0);
	ASSERT_INT_EQ(wbuf_init(&pt, 64, 4096), 0);
	ASSERT_INT_EQ(ike_encrypt(&k, &iv, body, sizeof(body), &ct), 0);
	ASSERT_INT_EQ(wbuf_len(&ct) % a->alg_block, 0);
	ASSERT_TRUE(memcmp(wbuf_data(&ct), body, sizeof(body)) != 0);
	ASSERT_INT_EQ(ike_decrypt(&k, &iv2, wbuf_data(&ct), wbuf_len(&ct),
	    &pt), 0);
	ASSERT_MEM_EQ(wbuf_data(&pt), body, sizeof(body));
	ASSERT_MEM_EQ(iv2.iv_data, iv.iv_data, iv.iv_len);
	wbuf_free(&ct);
	wbuf_free(&pt);
	ike_keys_clear(&k);
}

static void
t_cbc_every_cipher(void)
{
	const struct alg *a;
	size_t cur = 0, n = 0;

	while ((a = alg_next(ALG_IKE_ENC, &cur)) != NULL) {
		cbc_roundtrip(a, a->alg_keydef);
		if (a->alg_keymax != a->alg_keydef &&
		    a->alg_keymax <= 8 * IKE_KEY_MAX)
			cbc_roundtrip(a, a->alg_keymax);
		if (a->alg_keystep == 64 && a->alg_keymin + 64 < a->alg_keymax)
			cbc_roundtrip(a, a->alg_keymin + 64);
		n++;
	}
	/* des, blowfish, 3des, cast128, aes, camellia. */
	ASSERT_INT_EQ(n, 6);
}

/*
 * The codec and the cipher together: main mode message 5 built in
 * plaintext, encrypted whole, decrypted whole, then walked (padding and
 * all) and checked against its rules as an encrypted message.
 */
static void
t_encrypted_message(void)
{
	static const uint8_t id[] = { 10, 77, 0, 1 };
	struct isakmp_hdr h;
	struct isakmp_out out;
	struct isakmp_id idp = { IPSECDOI_ID_IPV4_ADDR, 17, 500, id, 4 };
	struct isakmp_msg msg;
	struct ike_keys k;
	struct ike_iv ive, ivd;
	struct wbuf pt, ct, back;
	struct rbuf rb;
	uint8_t h20[20] = { 0 }, gxi[64], gxr[64];
	struct ike_chunk ci = { gxi, 64 }, cr = { gxr, 64 };

	gx(gxi, gxr);
	keys_psk(&k, "aes", 256);
	ASSERT_INT_EQ(ike_iv_phase1(&k, &ci, &cr, &ive), 0);
	ivd = ive;
	memset(&h, 0, sizeof(h));
	h.hdr_icookie[0] = 1;
	h.hdr_version = ISAKMP_VERSION;
	h.hdr_etype = ISAKMP_ETYPE_IDENT;
	ASSERT_INT_EQ(wbuf_init(&pt, 64, 4096), 0);
	ASSERT_INT_EQ(isakmp_out_begin(&out, &pt, &h), 0);
	isakmp_out_pld(&out, ISAKMP_NPTYPE_ID);
	isakmp_id_build(&pt, &idp);
	isakmp_out_pld(&out, ISAKMP_NPTYPE_HASH);
	isakmp_data_build(&pt, h20, sizeof(h20));
	ASSERT_INT_EQ(isakmp_out_end(&out), 0);
	ASSERT_INT_EQ(wbuf_init(&ct, 64, 4096), 0);
	ASSERT_INT_EQ(ike_encrypt_msg(&k, &ive, wbuf_data(&pt), wbuf_len(&pt),
	    &ct), 0);
	ASSERT_INT_EQ((wbuf_len(&ct) - 28) % 16, 0);
	/* The header stays clear, with E set and the padded length. */
	rbuf_init(&rb, wbuf_data(&ct), wbuf_len(&ct));
	ASSERT_INT_EQ(isakmp_hdr_parse(&rb, &msg.msg_hdr), ISAKMP_N_OK);
	ASSERT_INT_EQ(msg.msg_hdr.hdr_flags, ISAKMP_FLAG_E);
	ASSERT_INT_EQ(msg.msg_hdr.hdr_np, ISAKMP_NPTYPE_ID);
	ASSERT_INT_EQ(wbuf_init(&back, 64, 4096), 0);
	ASSERT_INT_EQ(ike_decrypt_msg(&k, &ivd, wbuf_data(&ct), wbuf_len(&ct),
	    &back), 0);
	ASSERT_INT_EQ(wbuf_len(&back), wbuf_len(&ct));
	ASSERT_INT_EQ(isakmp_msg_parse(wbuf_data(&back), wbuf_len(&back),
	    &msg), ISAKMP_N_OK);
	ASSERT_INT_EQ(msg.msg_npld, 2);
	ASSERT_INT_EQ(msg.msg_trailing, wbuf_len(&back) - wbuf_len(&pt));
	ASSERT_INT_EQ(isakmp_rules_check(&msg, ISAKMP_ROLE_I, 5),
	    ISAKMP_N_OK);
	ASSERT_MEM_EQ(wbuf_data(&back) + 28, wbuf_data(&pt) + 28,
	    wbuf_len(&pt) - 28);
	ASSERT_MEM_EQ(ivd.iv_data, ive.iv_data, 16);
	/* A clear message is not decrypted. */
	wbuf_reset(&back);
	ASSERT_INT_EQ(ike_decrypt_msg(&k, &ivd, wbuf_data(&pt), wbuf_len(&pt),
	    &back), -1);
	ASSERT_INT_EQ(ike_decrypt_msg(&k, &ivd, wbuf_data(&pt), 27, &back),
	    -1);
	wbuf_free(&pt);
	wbuf_free(&ct);
	wbuf_free(&back);
	ike_keys_clear(&k);
}

static void
t_bad_inputs(void)
{
	struct ike_keys k;
	struct ike_iv iv;
	struct wbuf out;
	uint8_t blk[33] = { 0 };

	ASSERT_INT_EQ(ike_keys_init(&k, hash_alg("sha1"),
	    alg_by_name(ALG_IKE_ENC, "aes"), 100), -1);
	ASSERT_INT_EQ(ike_keys_init(&k, hash_alg("sha1"),
	    alg_by_name(ALG_IKE_ENC, "3des"), 128), -1);
	ASSERT_INT_EQ(ike_keys_init(&k, alg_by_name(ALG_IKE_ENC, "aes"),
	    NULL, 0), -1);
	keys_psk(&k, "aes", 128);
	memset(&iv, 0, sizeof(iv));
	iv.iv_len = 16;
	ASSERT_INT_EQ(wbuf_init(&out, 64, 4096), 0);
	ASSERT_INT_EQ(ike_decrypt(&k, &iv, blk, 33, &out), -1);
	ASSERT_INT_EQ(ike_decrypt(&k, &iv, blk, 0, &out), -1);
	ASSERT_INT_EQ(wbuf_len(&out), 0);
	iv.iv_len = 8;		/* an IV of another cipher */
	ASSERT_INT_EQ(ike_decrypt(&k, &iv, blk, 32, &out), -1);
	ike_keys_clear(&k);
	wbuf_free(&out);
}

static void
t_keys_clear(void)
{
	static const uint8_t zero[sizeof(struct ike_keys)];
	struct ike_keys k;

	keys_psk(&k, "aes", 256);
	ASSERT_TRUE(memcmp(&k, zero, sizeof(k)) != 0);
	ike_keys_clear(&k);
	ASSERT_MEM_EQ(&k, zero, sizeof(k));
}

/* The legacy provider is there: des, blowfish and cast work. */
static void
t_init(void)
{
	ASSERT_INT_EQ(ike_crypto_init(), 0);
	ASSERT_INT_EQ(ike_crypto_init(), 0);
}

int
main(void)
{
	log_init("test_ike_crypto", LOG_DEST_STDERR, 0);
	TEST_RUN(t_init);
	TEST_RUN(t_prf_rfc2202_rfc4231);
	TEST_RUN(t_skeyid_psk);
	TEST_RUN(t_skeyid_sig);
	TEST_RUN(t_enc_key_expansion);
	TEST_RUN(t_keymat);
	TEST_RUN(t_ivs);
	TEST_RUN(t_ph1_hashes);
	TEST_RUN(t_qm_hashes);
	TEST_RUN(t_cbc_kat);
	TEST_RUN(t_cbc_every_cipher);
	TEST_RUN(t_encrypted_message);
	TEST_RUN(t_bad_inputs);
	TEST_RUN(t_keys_clear);
	ike_crypto_done();
	return test_done();
}
