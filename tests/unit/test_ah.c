/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/ipsecd/ah.c: insertion and removal over IPv4 (with
 * options) and IPv6 (with extension headers), mutable fields outside the
 * ICV, everything else inside it, and malformed packets refused.
 * tests/xcheck/ipsec_scapy.py checks the bytes against scapy.
 */
#include <netinet/in.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ah.h"
#include "pkt.h"
#include "test_helper.h"

static const uint8_t key[64] = { 0xc0, 0x29, 0x1f, 0xf0, 0x14, 0xdc, 0xcd,
    0xd0, 0x38, 0x74, 0xd9, 0xe8, 0xe4, 0xcd, 0xf3, 0xe6, 1, 2, 3, 4, 5 };

/* IPv4, 24-byte header with a router alert option, UDP 8 + 4 bytes. */
static uint8_t v4[] = {
	0x46, 0x00, 0x00, 0x24, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0, 0,
	10, 77, 0, 1, 10, 77, 0, 2,
	0x94, 0x04, 0x00, 0x00,
	0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0c, 0x00, 0x00, 'p', 'i', 'n', 'g',
};

/* IPv6 with a hop-by-hop header (one mutable option), UDP 8 + 4. */
static uint8_t v6[] = {
	0x60, 0x12, 0x34, 0x56, 0x00, 0x14, 0x00, 0x40,
	0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0x11, 0x00, 0x3e, 0x02, 0xaa, 0xbb, 0x01, 0x00,
	0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0c, 0x00, 0x00, 'p', 'i', 'n', 'g',
};

static void
seal_open(const char *authname, uint8_t *pkt, size_t len, sa_family_t af)
{
	const struct alg *auth = alg_by_name(ALG_AUTH, authname);
	struct wbuf sealed, opened;
	struct ah tx, rx;
	struct ah_pos pos;
	const char *why = NULL;
	uint8_t *p;

	ASSERT_INT_EQ(ah_init(&tx, auth, key, auth->alg_keymin / 8, &why), 0);
	ASSERT_INT_EQ(ah_init(&rx, auth, key, auth->alg_keymin / 8, &why), 0);
	ASSERT_INT_EQ(wbuf_init(&sealed, 0, 4096), 0);
	ASSERT_INT_EQ(wbuf_init(&opened, 0, 4096), 0);
	ASSERT_INT_EQ(ah_seal(&tx, 0x300, 1, pkt, len, &sealed, &why), 0);
	ASSERT_INT_EQ(wbuf_len(&sealed), len + ah_overhead(&tx, af));
	ASSERT_INT_EQ(ah_overhead(&tx, af) % (af == AF_INET6 ? 8 : 4), 0);
	p = wbuf_data(&sealed);
	if (af == AF_INET)
		ASSERT_INT_EQ(pkt_cksum(p, 24), 0);
	ASSERT_INT_EQ(ah_peek(p, wbuf_len(&sealed), &pos, &why), 0);
	ASSERT_INT_EQ(pos.ap_spi, 0x300);
	ASSERT_INT_EQ(pos.ap_seq, 1);
	ASSERT_INT_EQ(pos.ap_nh, IPPROTO_UDP);
	ASSERT_INT_EQ(pos.ap_off, af == AF_INET ? 24 : 48);
	/* Routers may change the mutable fields on the way. */
	if (af == AF_INET) {
		p[8] -= 3;			/* TTL */
		p[1] = 0x10;			/* TOS */
	} else {
		p[7] -= 3;			/* hop limit */
		p[1] ^= 0x0f;			/* flow label */
		p[44] = 0x55;			/* mutable option data */
	}
	ASSERT_INT_EQ(ah_open(&rx, p, wbuf_len(&sealed), &pos, &opened, &why),
	    0);
	ASSERT_INT_EQ(wbuf_len(&opened), len);
	/* Back to the original but for what changed on the way. */
	if (af == AF_INET) {
		ASSERT_MEM_EQ(wbuf_data(&opened) + 12, pkt + 12, len - 12);
		ASSERT_INT_EQ(pkt_cksum(wbuf_data(&opened), 24), 0);
	} else
		ASSERT_MEM_EQ(wbuf_data(&opened) + 48, pkt + 48, len - 48);
	/* An immutable byte changed: the ICV catches it. */
	wbuf_reset(&opened);
	p[wbuf_len(&sealed) - 1] ^= 1;
	ASSERT_INT_EQ(ah_open(&rx, p, wbuf_len(&sealed), &pos, &opened, &why),
	    -1);
	ASSERT_INT_EQ(rx.ah_fail, AH_FAIL_ICV);
	ASSERT_STR_EQ(why, "AH ICV mismatch");
	p[wbuf_len(&sealed) - 1] ^= 1;
	p[af == AF_INET ? 12 : 8] ^= 1;	/* source address */
	ASSERT_INT_EQ(ah_open(&rx, p, wbuf_len(&sealed), &pos, &opened, &why),
	    -1);
	ASSERT_INT_EQ(wbuf_len(&opened), 0);
	wbuf_free(&sealed);
	wbuf_free(&opened);
	ah_clear(&tx);
	ah_clear(&rx);
}

static void
t_ipv4(void)
{
	seal_open("hmac-md5", v4, sizeof(v4), AF_INET);
	seal_open("hmac-sha1", v4, sizeof(v4), AF_INET);
	seal_open("hmac-sha256", v4, sizeof(v4), AF_INET);
	seal_open("hmac-sha384", v4, sizeof(v4), AF_INET);
	seal_open("hmac-sha512", v4, sizeof(v4), AF_INET);
}

static void
t_ipv6(void)
{
	seal_open("hmac-md5", v6, sizeof(v6), AF_INET6);
	seal_open("hmac-sha256", v6, sizeof(v6), AF_INET6);
	seal_open("hmac-sha384", v6, sizeof(v6), AF_INET6);
}

static void
t_malformed(void)
{
	const struct alg *sha1 = alg_by_name(ALG_AUTH, "hmac-sha1");
	struct wbuf sealed, opened;
	struct ah a;
	struct ah_pos pos;
	const char *why;
	size_t n;

	ASSERT_INT_EQ(ah_init(&a, sha1, key, 20, &why), 0);
	ASSERT_INT_EQ(wbuf_init(&sealed, 0, 4096), 0);
	ASSERT_INT_EQ(wbuf_init(&opened, 0, 4096), 0);
	ASSERT_INT_EQ(ah_seal(&a, 1, 1, v4, sizeof(v4) - 1, &sealed, &why),
	    -1);
	ASSERT_STR_EQ(why, "not a whole IPv4 or IPv6 packet");
	ASSERT_INT_EQ(ah_peek(v4, sizeof(v4), &pos, &why), -1);
	ASSERT_STR_EQ(why, "no AH header");
	ASSERT_INT_EQ(ah_seal(&a, 1, 1, v4, sizeof(v4), &sealed, &why), 0);
	/* Truncations are refused at any length (lengths no longer match). */
	for (n = 0; n < wbuf_len(&sealed); n++)
		ASSERT_INT_EQ(ah_peek(wbuf_data(&sealed), n, &pos, &why), -1);
	/* A payload length field that lies about the AH size. */
	wbuf_data(&sealed)[25] = 200;
	ASSERT_INT_EQ(ah_peek(wbuf_data(&sealed), wbuf_len(&sealed), &pos,
	    &why), -1);
	ASSERT_STR_EQ(why, "truncated AH header");
	wbuf_data(&sealed)[25] = 3;		/* 20 bytes: too short for SHA1 */
	ASSERT_INT_EQ(ah_peek(wbuf_data(&sealed), wbuf_len(&sealed), &pos,
	    &why), 0);
	ASSERT_INT_EQ(ah_open(&a, wbuf_data(&sealed), wbuf_len(&sealed), &pos,
	    &opened, &why), -1);
	ASSERT_INT_EQ(a.ah_fail, AH_FAIL_LENGTH);
	ASSERT_STR_EQ(why, "AH length does not fit the SA's ICV");
	ah_clear(&a);
	ASSERT_INT_EQ(ah_init(&a, alg_by_name(ALG_AUTH, "null"), NULL, 0,
	    &why), -1);
	ASSERT_STR_EQ(why, "AH needs an integrity algorithm");
	wbuf_free(&sealed);
	wbuf_free(&opened);
	ah_clear(&a);
}

int
main(void)
{
	uint16_t c;

	/* Give the test packet a valid checksum. */
	c = pkt_cksum(v4, 24);
	v4[10] = (uint8_t)(c >> 8), v4[11] = (uint8_t)c;
	TEST_RUN(t_ipv4);
	TEST_RUN(t_ipv6);
	TEST_RUN(t_malformed);
	OPENSSL_cleanup();
	return test_done();
}
