/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The key log: phase 1 cipher keys and ESP SA keys in the records of
 * Wireshark's "IKEv1 Decryption Table" and "ESP SAs" tables (keylog.h).
 * The algorithm names are the strings of Wireshark's ESP SA table; an
 * algorithm it cannot decrypt is logged and its SA left out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "alg.h"
#include "buf.h"
#include "exchange.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "keylog.h"
#include "log.h"

static FILE	*keylog_f;
static char	*keylog_path;
static int	 keylog_native;	/* AF_KEY: hmac-sha256 with 96 bits */

/* Wireshark's names, by PF_KEY algorithm number. */
struct keylog_name {
	int		 kn_sadb;
	const char	*kn_name;
};

static const struct keylog_name keylog_enc[] = {
	{ SADB_EALG_NULL, "NULL" },
	{ SADB_EALG_DESCBC, "DES-CBC [RFC2405]" },
	{ SADB_EALG_3DESCBC, "TripleDES-CBC [RFC2451]" },
	{ SADB_X_EALG_CASTCBC, "CAST5-CBC [RFC2144]" },
	{ SADB_X_EALG_BLOWFISHCBC, "BLOWFISH-CBC [RFC2451]" },
	{ SADB_X_EALG_AESCBC, "AES-CBC [RFC3602]" },
	{ SADB_X_EALG_AESCTR, "AES-CTR [RFC3686]" },
	{ SADB_X_EALG_AES_GCM_ICV8, "AES-GCM with 8 octet ICV [RFC4106]" },
	{ SADB_X_EALG_AES_GCM_ICV12, "AES-GCM with 12 octet ICV [RFC4106]" },
	{ SADB_X_EALG_AES_GCM_ICV16, "AES-GCM with 16 octet ICV [RFC4106]" },
	{ SADB_X_EALG_TWOFISHCBC, "TWOFISH-CBC" },
	{ 0, NULL }
};

/*
 * hmac-sha2 with RFC 4868's truncation, as ipsecd uses it (ipsecd.8);
 * Linux af_key cuts hmac-sha256 to 96 bits (keylog_set_native).
 */
static const struct keylog_name keylog_auth[] = {
	{ SADB_AALG_NONE, "NULL" },
	{ SADB_X_AALG_NULL, "NULL" },
	{ SADB_AALG_MD5HMAC, "HMAC-MD5-96 [RFC2403]" },
	{ SADB_AALG_SHA1HMAC, "HMAC-SHA-1-96 [RFC2404]" },
	{ SADB_X_AALG_SHA2_256HMAC, "HMAC-SHA-256-128 [RFC4868]" },
	{ SADB_X_AALG_SHA2_384HMAC, "HMAC-SHA-384-192 [RFC4868]" },
	{ SADB_X_AALG_SHA2_512HMAC, "HMAC-SHA-512-256 [RFC4868]" },
	{ SADB_X_AALG_RIPEMD160HMAC, "MAC-RIPEMD-160-96 [RFC2857]" },
	{ SADB_X_AALG_AES_XCBC_MAC, "ANY 96 bit authentication [no checking]" },
	{ 0, NULL }
};

static const char *
keylog_name(const struct keylog_name *t, int sadb)
{
	for (; t->kn_name != NULL; t++)
		if (t->kn_sadb == sadb)
			return t->kn_name;
	return NULL;
}

void
keylog_set_native(int native)
{
	keylog_native = native;
}

int
keylog_enabled(void)
{
	return keylog_f != NULL;
}

void
keylog_close(void)
{
	if (keylog_f != NULL && fclose(keylog_f) == EOF)
		log_warn("keylog %s", keylog_path);
	keylog_f = NULL;
	free(keylog_path);
	keylog_path = NULL;
}

int
keylog_open(const char *path)
{
	struct stat st;
	int fd;

	keylog_close();
	if (path == NULL)
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		log_warn("keylog %s: not opened, keys are not logged", path);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_warnx("keylog %s: not a regular file, keys are not "
		    "logged", path);
		close(fd);
		return -1;
	}
	if ((st.st_mode & 077) != 0)
		log_warnx("keylog %s: mode %04o lets others read the keys",
		    path, (unsigned)(st.st_mode & 07777));
	if ((keylog_path = strdup(path)) == NULL ||
	    (keylog_f = fdopen(fd, "a")) == NULL) {
		log_warn("keylog %s", path);
		free(keylog_path);
		keylog_path = NULL;
		close(fd);
		return -1;
	}
	log_warnx("keylog %s: writing every phase 1 and ESP key negotiated "
	    "from now on; whoever reads it can decrypt the traffic", path);
	return 0;
}

static void
keylog_hex(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(keylog_f, "%02x", p[i]);
}

static void
keylog_end(void)
{
	if (fflush(keylog_f) == EOF || ferror(keylog_f)) {
		log_warn("keylog %s: write failed, keys are no longer "
		    "logged", keylog_path);
		keylog_close();
	}
}

void
keylog_ph1(const uint8_t *icookie, const struct ike_keys *k)
{
	if (keylog_f == NULL || k->ik_enc == NULL)
		return;
	/* Byte fields of a Wireshark table are bare hex, not strings. */
	fputs("uat:ikev1_decryption_table:", keylog_f);
	keylog_hex(icookie, ISAKMP_COOKIE_LEN);
	fputc(',', keylog_f);
	keylog_hex(k->ik_enckey, k->ik_enckeylen);
	fputc('\n', keylog_f);
	keylog_end();
}

void
keylog_sa(const struct exchange_sa *xsa)
{
	const char *enc, *auth;
	char s[ADDR_STRLEN], d[ADDR_STRLEN];
	size_t ek, ak;

	if (keylog_f == NULL || xsa->xsa_proto != ISAKMP_PROTO_ESP)
		return;
	ek = xsa->xsa_enc != NULL ? xsa->xsa_enc_bits / 8 : 0;
	ak = xsa->xsa_auth != NULL ? xsa->xsa_auth_bits / 8 : 0;
	enc = xsa->xsa_enc != NULL ?
	    keylog_name(keylog_enc, xsa->xsa_enc->alg_sadb) : "NULL";
	auth = xsa->xsa_auth != NULL ?
	    keylog_name(keylog_auth, xsa->xsa_auth->alg_sadb) : "NULL";
	if (keylog_native && xsa->xsa_auth != NULL &&
	    xsa->xsa_auth->alg_sadb == SADB_X_AALG_SHA2_256HMAC)
		auth = "HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]";
	if (enc == NULL || auth == NULL) {
		log_warnx("keylog: Wireshark has no %s; ESP SA spi 0x%08x "
		    "not written", enc == NULL ? xsa->xsa_enc->alg_name :
		    xsa->xsa_auth->alg_name, xsa->xsa_spi);
		return;
	}
	if (ek + ak > xsa->xsa_keymat_len)
		return;
	fprintf(keylog_f, "uat:esp_sa:\"%s\",\"%s\",\"%s\",\"0x%08x\","
	    "\"%s\",\"0x", xsa->xsa_src.a_af == AF_INET6 ? "IPv6" : "IPv4",
	    addr_ntop(&xsa->xsa_src, s, sizeof(s)),
	    addr_ntop(&xsa->xsa_dst, d, sizeof(d)), xsa->xsa_spi, enc);
	keylog_hex(xsa->xsa_keymat, ek);
	fprintf(keylog_f, "\",\"%s\",\"0x", auth);
	keylog_hex(xsa->xsa_keymat + ek, ak);
	fputs("\"\n", keylog_f);
	keylog_end();
}
