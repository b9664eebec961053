/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for what ipsecd does with bytes from the wire before
 * (and while) it trusts them: reassembly, the IPv6 header walk, AH's
 * locate/verify/remove, and ESP open with fixed keys for every kind of
 * cipher (CBC with HMAC, CTR, GCM, null).  The first input byte picks the
 * path; the rest is the packet.  Anything read outside the input is a
 * finding for ASan; a "verified" packet would need a forged ICV.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/provider.h>

#include "ah.h"
#include "esp.h"
#include "frag.h"
#include "pkt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t key[64] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static struct esp esps[4];
static struct ah ah;
static struct reasm reasm;
static struct wbuf out;
static int ready;

static void
setup(void)
{
	static const char *enc[4] = { "aes-cbc", "aes-ctr", "aes-gcm-16",
	    "null" };
	static const char *auth[4] = { "hmac-sha1", "hmac-sha256", NULL,
	    "hmac-md5" };
	const struct alg *e, *a;
	const char *why;
	int i;

	OSSL_PROVIDER_load(NULL, "default");
	for (i = 0; i < 4; i++) {
		e = alg_by_name(ALG_ENC, enc[i]);
		a = auth[i] ? alg_by_name(ALG_AUTH, auth[i]) : NULL;
		if (esp_init(&esps[i], e, key, e->alg_keydef / 8, a, key + 32,
		    a ? a->alg_keymin / 8 : 0, &why) == -1)
			abort();
	}
	if (ah_init(&ah, alg_by_name(ALG_AUTH, "hmac-sha1"), key, 20,
	    &why) == -1 || wbuf_init(&out, 0, 70000) == -1)
		abort();
	reasm_init(&reasm);
	ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ah_pos pos;
	struct rbuf rb;
	const char *why;
	size_t off, prev;
	uint8_t op, nh;
	static uint64_t now;

	if (!ready)
		setup();
	if (size < 1)
		return 0;
	op = data[0];
	data++, size--;
	wbuf_reset(&out);
	rbuf_init(&rb, data, size);
	switch (op % 4) {
	case 0:
		(void)reasm_input(&reasm, data, size, now += 100, &out, &why);
		if (op & 0x80)
			(void)reasm_expire(&reasm, now + 60000);
		break;
	case 1:
		(void)pkt_v6_walk(&rb, (enum pkt_v6_stop)(op >> 2) % 3, &off,
		    &prev, &why);
		break;
	case 2:
		if (ah_peek(data, size, &pos, &why) == 0)
			(void)ah_open(&ah, data, size, &pos, &out, &why);
		break;
	default:
		(void)esp_open(&esps[(op >> 2) % 4], &rb, &out, &nh, &why);
		break;
	}
	return 0;
}
