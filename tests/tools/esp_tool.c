/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test tool: seal or open one ESP packet with src/ipsecd/esp.c so that an
 * independent implementation (scapy, in tests/xcheck/esp_scapy.sh) can
 * check our bytes and hand us its own.
 *
 *	esp_tool seal ENC EKEY AUTH AKEY SPI SEQ NH PAYLOAD
 *	esp_tool open ENC EKEY AUTH AKEY PACKET
 *
 * Algorithms by setkey name ("null" for none), keys and data in hex ("-"
 * for empty).  seal prints the packet from the SPI on; open prints the next
 * header and the payload.  Exit 1 with a reason on stderr on any failure.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include <openssl/provider.h>

#include "esp.h"

static void
hex_arg(const char *what, const char *s, struct wbuf *wb)
{
	struct rbuf rb;

	if (wbuf_init(wb, 0, 65536) == -1)
		err(1, "wbuf");
	if (strcmp(s, "-") == 0)
		return;
	rbuf_init_str(&rb, s);
	if (rbuf_get_hex(&rb, wb) == -1)
		errx(1, "%s: not hex: %s", what, s);
}

static uint32_t
num_arg(const char *what, const char *s, uint64_t max)
{
	uint64_t v;

	if (str_to_uint(s, max, &v) == -1)
		errx(1, "%s: bad number %s", what, s);
	return (uint32_t)v;
}

static void
print_hex(const uint8_t *p, size_t n)
{
	while (n-- > 0)
		printf("%02x", *p++);
	printf("\n");
}

int
main(int argc, char **argv)
{
	const struct alg *enc, *auth;
	struct wbuf ekey, akey, data, out;
	struct esp e;
	struct rbuf rb;
	const char *why;
	uint8_t nh;

	if (argc < 6 || (strcmp(argv[1], "seal") == 0 && argc != 10) ||
	    (strcmp(argv[1], "open") == 0 && argc != 7))
		errx(2, "usage: esp_tool seal|open ENC EKEY AUTH AKEY ...");
	OSSL_PROVIDER_load(NULL, "default");
	OSSL_PROVIDER_load(NULL, "legacy");
	if ((enc = alg_by_name(ALG_ENC, argv[2])) == NULL)
		errx(1, "unknown encryption algorithm %s", argv[2]);
	if ((auth = alg_by_name(ALG_AUTH, argv[4])) == NULL)
		errx(1, "unknown authentication algorithm %s", argv[4]);
	hex_arg("encryption key", argv[3], &ekey);
	hex_arg("authentication key", argv[5], &akey);
	if (esp_init(&e, enc, wbuf_data(&ekey), wbuf_len(&ekey), auth,
	    wbuf_data(&akey), wbuf_len(&akey), &why) == -1)
		errx(1, "%s", why);
	if (wbuf_init(&out, 0, 65536) == -1)
		err(1, "wbuf");
	if (strcmp(argv[1], "seal") == 0) {
		hex_arg("payload", argv[9], &data);
		if (esp_seal(&e, num_arg("spi", argv[6], UINT32_MAX),
		    num_arg("seq", argv[7], UINT32_MAX),
		    (uint8_t)num_arg("next header", argv[8], 255),
		    wbuf_data(&data), wbuf_len(&data), &out) == -1)
			errx(1, "seal failed");
		print_hex(wbuf_data(&out), wbuf_len(&out));
	} else {
		hex_arg("packet", argv[6], &data);
		rbuf_init(&rb, wbuf_data(&data), wbuf_len(&data));
		if (esp_open(&e, &rb, &out, &nh, &why) == -1)
			errx(1, "%s", why);
		printf("%u ", nh);
		print_hex(wbuf_data(&out), wbuf_len(&out));
	}
	esp_clear(&e);
	return 0;
}
