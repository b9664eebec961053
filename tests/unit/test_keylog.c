/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keylog.c: the records of Wireshark's IKEv1 and ESP SA tables, byte for
 * byte; the algorithms it names (RFC 4868 or af_key's hmac-sha256), the
 * ones it leaves out; AH left out; the file's mode, appending, refusal of
 * a symbolic link, and nothing written while closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "alg.h"
#include "exchange.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "keylog.h"
#include "test_helper.h"

/* "uat:ikev1_decryption_table:" */
#define PH1_PREFIX	27

static char	 dir[] = "/tmp/test_keylog.XXXXXX";
static char	 path[256];

/* The whole key log as a string (static buffer). */
static const char *
slurp(void)
{
	static char buf[4096];
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) == NULL)
		return "";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
sa(struct exchange_sa *x, const char *enc, unsigned ebits,
    const char *auth, unsigned abits, const uint8_t *km)
{
	const char *why;

	memset(x, 0, sizeof(*x));
	x->xsa_proto = ISAKMP_PROTO_ESP;
	x->xsa_spi = 0x0a0b0c0d;

	ASSERT_INT_EQ(addr_parse("192.0.2.1", 0, &x->xsa_src, &why), 0);
	ASSERT_INT_EQ(addr_parse("192.0.2.2", 0, &x->xsa_dst, &why), 0);
	x->xsa_enc = enc != NULL ? alg_by_name(ALG_ENC, enc) : NULL;
	x->xsa_enc_bits = ebits;
	x->xsa_auth = auth != NULL ? alg_by_name(ALG_AUTH, auth) : NULL;
	x->xsa_auth_bits = abits;
	x->xsa_keymat = km;
	x->xsa_keymat_len = (ebits + abits) / 8;
}

static void
t_closed_writes_nothing(void)
{
	struct exchange_sa x;
	uint8_t km[64] = { 0 };

	ASSERT_FALSE(keylog_enabled());
	sa(&x, "3des-cbc", 192, "hmac-md5", 128, km);
	keylog_sa(&x);
	ASSERT_INT_EQ(access(path, F_OK), -1);
}

static void
t_ph1_record(void)
{
	struct ike_keys k;
	const uint8_t ck[8] = {
		0x86, 0x03, 0xd4, 0x90, 0x81, 0xc2, 0x72, 0x20
	};
	struct stat st;

	memset(&k, 0, sizeof(k));
	k.ik_enc = alg_by_cfgname(ALG_IKE_ENC, "aes");
	ASSERT_PTR_NE(k.ik_enc, NULL);
	k.ik_enckeylen = 16;
	memset(k.ik_enckey, 0xab, 16);
	ASSERT_INT_EQ(keylog_open(path), 0);
	ASSERT_TRUE(keylog_enabled());
	ASSERT_INT_EQ(stat(path, &st), 0);
	ASSERT_INT_EQ(st.st_mode & 0777, 0600);
	keylog_ph1(ck, &k);
	ASSERT_STR_EQ(slurp(), "uat:ikev1_decryption_table:8603d49081c27220,"
	    "abababababababababababababababab\n");
	/* No cipher, no record. */
	k.ik_enc = NULL;
	keylog_ph1(ck, &k);
	ASSERT_INT_EQ(strlen(slurp()), PH1_PREFIX + 16 + 1 + 32 + 1);
	keylog_close();
	ASSERT_FALSE(keylog_enabled());
}

static void
t_esp_records(void)
{
	struct exchange_sa x;
	uint8_t km[64];
	size_t i;

	for (i = 0; i < sizeof(km); i++)
		km[i] = (uint8_t)i;
	unlink(path);
	ASSERT_INT_EQ(keylog_open(path), 0);
	keylog_set_native(0);
	sa(&x, "aes-cbc", 128, "hmac-sha256", 256, km);
	keylog_sa(&x);
	ASSERT_STR_EQ(slurp(), "uat:esp_sa:\"IPv4\",\"192.0.2.1\","
	    "\"192.0.2.2\",\"0x0a0b0c0d\",\"AES-CBC [RFC3602]\","
	    "\"0x000102030405060708090a0b0c0d0e0f\","
	    "\"HMAC-SHA-256-128 [RFC4868]\",\"0x101112131415161718191a1b1c1d"
	    "1e1f202122232425262728292a2b2c2d2e2f\"\n");
	/* af_key's 96-bit hmac-sha256, on a native kernel. */
	unlink(path);
	ASSERT_INT_EQ(keylog_open(path), 0);
	keylog_set_native(1);
	keylog_sa(&x);
	ASSERT_TRUE(strstr(slurp(), "\"HMAC-SHA-256-96 [draft-ietf-ipsec-"
	    "ciph-sha-256-00]\"") != NULL);
	keylog_set_native(0);
	/* AEAD: no integrity algorithm, the salt in the key. */
	unlink(path);
	ASSERT_INT_EQ(keylog_open(path), 0);
	sa(&x, "aes-gcm-16", 160, NULL, 0, km);
	keylog_sa(&x);
	ASSERT_STR_EQ(slurp(), "uat:esp_sa:\"IPv4\",\"192.0.2.1\","
	    "\"192.0.2.2\",\"0x0a0b0c0d\","
	    "\"AES-GCM with 16 octet ICV [RFC4106]\","
	    "\"0x000102030405060708090a0b0c0d0e0f10111213\",\"NULL\",\"0x\"\n");
	keylog_close();
}

static void
t_left_out(void)
{
	struct exchange_sa x;
	uint8_t km[64] = { 0 };

	unlink(path);
	ASSERT_INT_EQ(keylog_open(path), 0);
	/* Wireshark has no camellia: the SA is left out. */
	sa(&x, "camellia-cbc", 128, "hmac-sha1", 160, km);
	if (x.xsa_enc != NULL) {
		keylog_sa(&x);
		ASSERT_STR_EQ(slurp(), "");
	}
	/* AH encrypts nothing. */
	sa(&x, NULL, 0, "hmac-sha1", 160, km);
	x.xsa_proto = ISAKMP_PROTO_AH;
	keylog_sa(&x);
	ASSERT_STR_EQ(slurp(), "");
	/* A keymat shorter than the keys is not read past. */
	sa(&x, "3des-cbc", 192, "hmac-md5", 128, km);
	x.xsa_keymat_len = 8;
	keylog_sa(&x);
	ASSERT_STR_EQ(slurp(), "");
	keylog_close();
}

static void
t_appends_and_refuses_links(void)
{
	char link[300];
	struct ike_keys k;
	const uint8_t ck[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	memset(&k, 0, sizeof(k));
	k.ik_enc = alg_by_cfgname(ALG_IKE_ENC, "3des");
	ASSERT_PTR_NE(k.ik_enc, NULL);
	k.ik_enckeylen = 24;
	unlink(path);
	ASSERT_INT_EQ(keylog_open(path), 0);
	keylog_ph1(ck, &k);
	ASSERT_INT_EQ(keylog_open(path), 0);	/* reopened (SIGHUP) */
	keylog_ph1(ck, &k);
	keylog_close();
	ASSERT_INT_EQ(strlen(slurp()), 2 * (PH1_PREFIX + 16 + 1 + 48 + 1));
	snprintf(link, sizeof(link), "%s/link", dir);
	ASSERT_INT_EQ(symlink(path, link), 0);
	ASSERT_INT_EQ(keylog_open(link), -1);
	ASSERT_FALSE(keylog_enabled());
	ASSERT_INT_EQ(keylog_open(dir), -1);	/* not a regular file */
	ASSERT_FALSE(keylog_enabled());
	ASSERT_INT_EQ(keylog_open(NULL), 0);
	ASSERT_FALSE(keylog_enabled());
	unlink(link);
}

int
main(void)
{
	int rv;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/keys", dir);
	TEST_RUN(t_closed_writes_nothing);
	TEST_RUN(t_ph1_record);
	TEST_RUN(t_esp_records);
	TEST_RUN(t_left_out);
	TEST_RUN(t_appends_and_refuses_links);
	rv = test_done();
	unlink(path);
	rmdir(dir);
	return rv;
}
