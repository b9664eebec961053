/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/ipsecd/icv.c: known answers for AES-XCBC-MAC (RFC
 * 3566 section 4.6, all seven test cases, fed whole and in odd pieces) and
 * HMAC-SHA-256-128 (RFC 4868 section 2.7.1, PRF test case 1 truncated).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "icv.h"
#include "test_helper.h"

static size_t
unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (s[0] != '\0' && s[1] != '\0' && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void
mac_in_pieces(struct icv *v, const uint8_t *m, size_t len, size_t piece,
    uint8_t *out)
{
	size_t off, n;

	ASSERT_INT_EQ(icv_start(v), 0);
	for (off = 0; off < len; off += n) {
		n = len - off < piece ? len - off : piece;
		ASSERT_INT_EQ(icv_update(v, m + off, n), 0);
	}
	ASSERT_INT_EQ(icv_finish(v, out), 0);
}

static void
t_aes_xcbc_rfc3566(void)
{
	static const struct {
		size_t		 len;		/* M = 00 01 02 ... */
		const char	*mac;
	} tc[] = {
		{ 0, "75f0251d528ac01c4573dfd584d79f29" },
		{ 3, "5b376580ae2f19afe7219ceef172756f" },
		{ 16, "d2a246fa349b68a79998a4394ff7a263" },
		{ 20, "47f51b4564966215b8985c63055ed308" },
		{ 32, "f54f0ec8d2b9f3d36807734bd5283fd4" },
		{ 34, "becbb3bccdb518a30677d5481fb6b4d8" },
	};
	static const size_t pieces[] = { 1000, 1, 5, 16, 17 };
	const struct alg *a = alg_by_name(ALG_AUTH, "aes-xcbc-mac");
	uint8_t key[16], m[1000], want[16], got[16];
	struct icv v;
	const char *why;
	size_t i, p;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	ASSERT_INT_EQ(icv_init(&v, a, key, sizeof(key), &why), 0);
	ASSERT_INT_EQ(v.icv_len, 12);
	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		for (p = 0; p < tc[i].len; p++)
			m[p] = (uint8_t)p;
		unhex(tc[i].mac, want);
		for (p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
			memset(got, 0, sizeof(got));
			mac_in_pieces(&v, m, tc[i].len, pieces[p], got);
			ASSERT_MEM_EQ(got, want, 12);
		}
	}
	/* Test case 7: 1000 zero bytes. */
	memset(m, 0, sizeof(m));
	unhex("f0dafee895db30253761103b5d84528f", want);
	mac_in_pieces(&v, m, sizeof(m), 333, got);
	ASSERT_MEM_EQ(got, want, 12);
	icv_clear(&v);
}

static void
t_hmac_sha256_rfc4868(void)
{
	const struct alg *a = alg_by_name(ALG_AUTH, "hmac-sha256");
	uint8_t key[32], want[32], got[32];
	struct icv v;
	const char *why;

	/* RFC 4868 2.7.2.1 test case AUTH256-1: key 0x0b x 32. */
	memset(key, 0x0b, sizeof(key));
	unhex("198a607eb44bfbc69903a0f1cf2bbdc5", want);
	ASSERT_INT_EQ(icv_init(&v, a, key, sizeof(key), &why), 0);
	ASSERT_INT_EQ(v.icv_len, 16);
	mac_in_pieces(&v, (const uint8_t *)"Hi There", 8, 3, got);
	ASSERT_MEM_EQ(got, want, 16);
	icv_clear(&v);
}

static void
t_bad_keys(void)
{
	struct icv v;
	const char *why;
	uint8_t key[64] = { 0 };

	ASSERT_INT_EQ(icv_init(&v, alg_by_name(ALG_AUTH, "aes-xcbc-mac"), key,
	    15, &why), -1);
	ASSERT_STR_EQ(why, "authentication key length does not fit the "
	    "algorithm");
	ASSERT_INT_EQ(icv_init(&v, alg_by_name(ALG_ENC, "aes-cbc"), key, 16,
	    &why), -1);
	ASSERT_STR_EQ(why, "not an integrity algorithm");
}

int
main(void)
{
	TEST_RUN(t_aes_xcbc_rfc3566);
	TEST_RUN(t_hmac_sha256_rfc4868);
	TEST_RUN(t_bad_keys);
	OPENSSL_cleanup();
	return test_done();
}
