/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/ipsecd/esp.c: every cipher and integrity algorithm
 * seals and opens, sizes match esp_overhead(), tampering and truncation
 * are rejected.  tests/xcheck/ipsec_scapy.sh checks the bytes against an
 * independent implementation.
 */
#include <string.h>

#include <openssl/provider.h>

#include "esp.h"
#include "test_helper.h"

static const uint8_t key[128] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
	0x02, 0x13, 0x24, 0x35, 0x46, 0x57, 0x68, 0x79,
	0x8a, 0x9b, 0xac, 0xbd, 0xce, 0xdf, 0xe0, 0xf1,
	0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
	0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
};

static OSSL_PROVIDER *prov_default, *prov_legacy;

static int
cipher_usable(const struct alg *a)
{
	char name[64];
	EVP_CIPHER *c;

	if (a->alg_sadb == SADB_EALG_NULL)
		return 1;
	if (alg_ossl_name(a, a->alg_keydef, name, sizeof(name)) == -1 ||
	    (c = EVP_CIPHER_fetch(NULL, name, NULL)) == NULL)
		return 0;
	EVP_CIPHER_free(c);
	return 1;
}

/* Seal and open payloads of several sizes with one SA. */
static void
round_trip(const struct alg *enc, const struct alg *auth)
{
	static const size_t sizes[] = { 0, 1, 3, 15, 16, 17, 100, 1400 };
	uint8_t payload[1400], nh;
	struct esp tx, rx;
	struct wbuf pkt, plain;
	struct rbuf rb;
	const char *why = NULL;
	size_t elen = enc->alg_keydef / 8, alen, i;

	alen = auth == NULL ? 0 : auth->alg_keymin / 8;
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	if (esp_init(&tx, enc, key, elen, auth, key + 32, alen, &why) == -1 ||
	    esp_init(&rx, enc, key, elen, auth, key + 32, alen, &why) == -1)
		test_fail(__FILE__, __LINE__, "%s/%s: %s", enc->alg_name,
		    auth ? auth->alg_name : "-", why);
	ASSERT_INT_EQ(wbuf_init(&pkt, 0, 4096), 0);
	ASSERT_INT_EQ(wbuf_init(&plain, 0, 4096), 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		wbuf_reset(&pkt);
		wbuf_reset(&plain);
		ASSERT_INT_EQ(esp_seal(&tx, 0x301, (uint32_t)i + 1, 4, payload,
		    sizes[i], &pkt), 0);
		ASSERT_INT_EQ(wbuf_len(&pkt),
		    sizes[i] + esp_overhead(&tx, sizes[i]));
		ASSERT_INT_EQ((wbuf_len(&pkt) - ESP_HDRLEN - tx.esp_ivlen -
		    tx.esp_icvlen) % tx.esp_align, 0);
		rbuf_init(&rb, wbuf_data(&pkt), wbuf_len(&pkt));
		if (esp_open(&rx, &rb, &plain, &nh, &why) == -1)
			test_fail(__FILE__, __LINE__, "%s/%s size %zu: %s",
			    enc->alg_name, auth ? auth->alg_name : "-",
			    sizes[i], why);
		ASSERT_INT_EQ(nh, 4);
		ASSERT_INT_EQ(wbuf_len(&plain), sizes[i]);
		ASSERT_MEM_EQ(wbuf_data(&plain), payload, sizes[i]);
		ASSERT_INT_EQ(rbuf_left(&rb), 0);
	}
	wbuf_free(&pkt);
	wbuf_free(&plain);
	esp_clear(&tx);
	esp_clear(&rx);
}

static void
t_every_algorithm(void)
{
	static const char *auths[] = { "hmac-md5", "hmac-sha1", "hmac-sha256",
	    "hmac-sha384", "hmac-sha512", "hmac-ripemd160", "aes-xcbc-mac",
	    "null" };
	const struct alg *enc;
	size_t i = 0, k;
	int n = 0;

	while ((enc = alg_next(ALG_ENC, &i)) != NULL) {
		if (!cipher_usable(enc))
			continue;
		if (enc->alg_flags & ALG_F_AEAD) {
			round_trip(enc, NULL);
			n++;
			continue;
		}
		for (k = 0; k < sizeof(auths) / sizeof(auths[0]); k++) {
			round_trip(enc, alg_by_name(ALG_AUTH, auths[k]));
			n++;
		}
	}
	ASSERT_TRUE(n >= 8 * 8 + 1);
}

/* Any flipped bit is caught by the ICV, for HMAC and for GCM. */
static void
tamper(const char *encname, const char *authname)
{
	const struct alg *enc = alg_by_name(ALG_ENC, encname);
	const struct alg *auth = authname ? alg_by_name(ALG_AUTH, authname) :
	    NULL;
	struct esp e;
	struct wbuf pkt, plain;
	struct rbuf rb;
	const char *why;
	uint8_t nh;
	size_t bit, len, alen = auth ? auth->alg_keymin / 8 : 0;

	ASSERT_INT_EQ(esp_init(&e, enc, key, enc->alg_keydef / 8, auth, key,
	    alen, &why), 0);
	ASSERT_INT_EQ(wbuf_init(&pkt, 0, 4096), 0);
	ASSERT_INT_EQ(wbuf_init(&plain, 0, 4096), 0);
	ASSERT_INT_EQ(esp_seal(&e, 7, 1, 17, "hello, world", 12, &pkt), 0);
	len = wbuf_len(&pkt);
	for (bit = 0; bit < len * 8; bit += 5) {
		wbuf_data(&pkt)[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		rbuf_init(&rb, wbuf_data(&pkt), len);
		why = NULL;
		ASSERT_INT_EQ(esp_open(&e, &rb, &plain, &nh, &why), -1);
		ASSERT_INT_EQ(e.esp_fail, ESP_FAIL_ICV);
		ASSERT_STR_EQ(why, "ESP ICV mismatch");
		ASSERT_INT_EQ(wbuf_len(&plain), 0);
		ASSERT_INT_EQ(rbuf_offset(&rb), 0);
		wbuf_data(&pkt)[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	/* Every truncation is refused without reading past the end. */
	for (; len-- > 0;) {
		rbuf_init(&rb, wbuf_data(&pkt), len);
		ASSERT_INT_EQ(esp_open(&e, &rb, &plain, &nh, &why), -1);
	}
	wbuf_free(&pkt);
	wbuf_free(&plain);
	esp_clear(&e);
}

static void
t_tampering(void)
{
	tamper("aes-cbc", "hmac-sha1");
	tamper("3des-cbc", "hmac-md5");
	tamper("aes-gcm-16", NULL);
	tamper("aes-ctr", "hmac-sha256");
}

static void
t_bad_keys_and_combinations(void)
{
	const struct alg *cbc = alg_by_name(ALG_ENC, "aes-cbc");
	const struct alg *gcm = alg_by_name(ALG_ENC, "aes-gcm-16");
	const struct alg *sha1 = alg_by_name(ALG_AUTH, "hmac-sha1");
	struct esp e;
	const char *why;

	ASSERT_INT_EQ(esp_init(&e, cbc, key, 15, sha1, key, 20, &why), -1);
	ASSERT_STR_EQ(why, "encryption key length does not fit the algorithm");
	ASSERT_INT_EQ(esp_init(&e, cbc, key, 16, sha1, key, 16, &why), -1);
	ASSERT_STR_EQ(why,
	    "authentication key length does not fit the algorithm");
	ASSERT_INT_EQ(esp_init(&e, gcm, key, 20, sha1, key, 20, &why), -1);
	ASSERT_STR_EQ(why, "an AEAD cipher takes no separate authentication");
	ASSERT_INT_EQ(esp_init(&e, gcm, key, 16, NULL, NULL, 0, &why), -1);
	ASSERT_INT_EQ(esp_init(&e, sha1, key, 20, NULL, NULL, 0, &why), -1);
	ASSERT_STR_EQ(why, "not an ESP algorithm");
	ASSERT_INT_EQ(esp_init(&e, cbc, key, 32, NULL, NULL, 0, &why), 0);
	esp_clear(&e);
}

/* A wrong pad length inside an authentic packet is refused. */
static void
t_bad_pad_length(void)
{
	const struct alg *null = alg_by_name(ALG_ENC, "null");
	struct esp e;
	struct wbuf pkt, plain;
	struct rbuf rb;
	const char *why;
	uint8_t nh;
	static const uint8_t raw[] = {
		0, 0, 0, 9, 0, 0, 0, 1,		/* SPI 9, seq 1 */
		0xaa, 0xbb, 0x05, 4,		/* pad length 5 > 2 bytes */
	};

	ASSERT_INT_EQ(esp_init(&e, null, NULL, 0, NULL, NULL, 0, &why), 0);
	ASSERT_INT_EQ(wbuf_init(&pkt, 0, 64), 0);
	ASSERT_INT_EQ(wbuf_init(&plain, 0, 64), 0);
	rbuf_init(&rb, raw, sizeof(raw));
	ASSERT_INT_EQ(esp_open(&e, &rb, &plain, &nh, &why), -1);
	ASSERT_INT_EQ(e.esp_fail, ESP_FAIL_PADDING);
	ASSERT_STR_EQ(why, "ESP pad length beyond the payload");
	ASSERT_INT_EQ(wbuf_len(&plain), 0);
	rbuf_init(&rb, raw, sizeof(raw) - 1);
	ASSERT_INT_EQ(esp_open(&e, &rb, &plain, &nh, &why), -1);
	ASSERT_INT_EQ(e.esp_fail, ESP_FAIL_LENGTH);
	ASSERT_STR_EQ(why, "ESP ciphertext not a multiple of the block size");
	wbuf_free(&pkt);
	wbuf_free(&plain);
	esp_clear(&e);
}

int
main(void)
{
	prov_default = OSSL_PROVIDER_load(NULL, "default");
	prov_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	TEST_RUN(t_every_algorithm);
	TEST_RUN(t_tampering);
	TEST_RUN(t_bad_keys_and_combinations);
	TEST_RUN(t_bad_pad_length);
	OSSL_PROVIDER_unload(prov_legacy);
	OSSL_PROVIDER_unload(prov_default);
	OPENSSL_cleanup();
	return test_done();
}
