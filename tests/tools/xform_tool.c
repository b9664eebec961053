/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test tool: seal or open one ESP or AH packet with src/ipsecd so that an
 * independent implementation (scapy, in tests/xcheck/ipsec_scapy.sh) can
 * check our bytes and hand us its own.
 *
 *	xform_tool seal ENC EKEY AUTH AKEY SPI SEQ NH PAYLOAD
 *	xform_tool open ENC EKEY AUTH AKEY PACKET
 *	xform_tool ah-seal AUTH AKEY SPI SEQ IP-PACKET
 *	xform_tool ah-open AUTH AKEY IP-PACKET
 *
 * Algorithms by setkey name ("null" for none), keys and data in hex ("-"
 * for empty).  seal prints the ESP packet from the SPI on; open prints the
 * next header and the payload; ah-seal and ah-open print the IP packet
 * with AH inserted or removed.  Exit 1 with a reason on stderr on any
 * failure.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include <openssl/provider.h>

#include "ah.h"
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

static int
ah_mode(int argc, char **argv)
{
	const struct alg *auth;
	struct wbuf akey, data, out;
	struct ah_pos pos;
	struct ah a;
	const char *why;

	if ((auth = alg_by_name(ALG_AUTH, argv[2])) == NULL)
		errx(1, "unknown authentication algorithm %s", argv[2]);
	hex_arg("authentication key", argv[3], &akey);
	if (ah_init(&a, auth, wbuf_data(&akey), wbuf_len(&akey), &why) == -1)
		errx(1, "%s", why);
	if (wbuf_init(&out, 0, 65536) == -1)
		err(1, "wbuf");
	if (strcmp(argv[1], "ah-seal") == 0 && argc == 7) {
		hex_arg("packet", argv[6], &data);
		if (ah_seal(&a, num_arg("spi", argv[4], UINT32_MAX),
		    num_arg("seq", argv[5], UINT32_MAX), wbuf_data(&data),
		    wbuf_len(&data), &out, &why) == -1)
			errx(1, "%s", why);
	} else if (strcmp(argv[1], "ah-open") == 0 && argc == 5) {
		hex_arg("packet", argv[4], &data);
		if (ah_peek(wbuf_data(&data), wbuf_len(&data), &pos,
		    &why) == -1 || ah_open(&a, wbuf_data(&data),
		    wbuf_len(&data), &pos, &out, &why) == -1)
			errx(1, "%s", why);
	} else
		errx(2, "usage: xform_tool ah-seal|ah-open AUTH AKEY ...");
	print_hex(wbuf_data(&out), wbuf_len(&out));
	ah_clear(&a);
	return 0;
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

	OSSL_PROVIDER_load(NULL, "default");
	OSSL_PROVIDER_load(NULL, "legacy");
	if (argc >= 5 && strncmp(argv[1], "ah-", 3) == 0)
		return ah_mode(argc, argv);
	if (argc < 6 || (strcmp(argv[1], "seal") == 0 && argc != 10) ||
	    (strcmp(argv[1], "open") == 0 && argc != 7))
		errx(2, "usage: xform_tool seal|open ENC EKEY AUTH AKEY ...");
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
