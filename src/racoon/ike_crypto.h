/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IKEv1 key schedule and phase 1 encryption (RFC 2409), through
 * OpenSSL only: the HMAC prf of the negotiated hash, SKEYID for
 * pre-shared keys and signatures, SKEYID_d/a/e, the cipher key with the
 * expansion of appendix B, the phase 1 IV and the IV of each message ID,
 * CBC encryption of payload bodies, HASH_I/HASH_R, the quick mode and
 * informational hashes, and KEYMAT per SA and direction.
 *
 * Algorithms are rows of src/common/alg.h: ALG_IKE_HASH for hashes and
 * prfs (alg_icv is the output length, alg_block the hash block), ALG_IKE_ENC
 * for ciphers.  Secrets live in struct ike_keys, which the owner wipes with
 * ike_keys_clear, or in wbufs marked secret.  Functions return 0 or -1;
 * OpenSSL failures are logged with OpenSSL's error.
 */
#ifndef IKE_CRYPTO_H
#define IKE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "alg.h"
#include "buf.h"

#define IKE_PRF_MAX	64	/* SHA-512 output */
#define IKE_KEY_MAX	64	/* blowfish's 448 bits fit */
#define IKE_BLOCK_MAX	16
#define IKE_COOKIE_LEN	8

/* A piece of the data a prf or hash runs over. */
struct ike_chunk {
	const void	*c_ptr;
	size_t		 c_len;
};

/*
 * Load OpenSSL's default and legacy providers (des, blowfish and cast
 * live in legacy).  Idempotent; called by the functions that need it.
 * -1 if the legacy provider is missing (those ciphers then fail).
 */
int	 ike_crypto_init(void);
/* Unload the providers again (at shutdown, so nothing is left behind). */
void	 ike_crypto_done(void);

/* Output bytes of the hash and of its HMAC prf. */
size_t	 ike_hash_len(const struct alg *);
/* out gets ike_hash_len() bytes. */
int	 ike_prf(const struct alg *, const void *, size_t,
	    const struct ike_chunk *, size_t, uint8_t *);
int	 ike_hash(const struct alg *, const struct ike_chunk *, size_t,
	    uint8_t *);

struct ike_keys {
	const struct alg *ik_hash;
	const struct alg *ik_enc;	/* NULL: no cipher key wanted */
	unsigned	 ik_keybits;
	size_t		 ik_prflen;
	uint8_t		 ik_skeyid[IKE_PRF_MAX];
	uint8_t		 ik_skeyid_d[IKE_PRF_MAX];
	uint8_t		 ik_skeyid_a[IKE_PRF_MAX];
	uint8_t		 ik_skeyid_e[IKE_PRF_MAX];
	uint8_t		 ik_enckey[IKE_KEY_MAX];
	size_t		 ik_enckeylen;
};

/*
 * Choose the algorithms: the hash, the cipher (or NULL) and its key length
 * in bits (0: the cipher's default).  -1 if the length does not fit.
 */
int	 ike_keys_init(struct ike_keys *, const struct alg *,
	    const struct alg *, unsigned);
/* Wipe every secret. */
void	 ike_keys_clear(struct ike_keys *);

/* SKEYID = prf(pre-shared-key, Ni_b | Nr_b) (RFC 2409 5). */
int	 ike_skeyid_psk(struct ike_keys *, const uint8_t *, size_t,
	    const struct ike_chunk *, const struct ike_chunk *);
/* SKEYID = prf(Ni_b | Nr_b, g^xy), for signatures. */
int	 ike_skeyid_sig(struct ike_keys *, const struct ike_chunk *,
	    const struct ike_chunk *, const struct ike_chunk *);
/*
 * SKEYID_d, _a, _e from SKEYID, g^xy and the cookies, then the cipher
 * key from SKEYID_e, expanded as RFC 2409 appendix B says when SKEYID_e
 * is shorter than the key.
 */
int	 ike_skeyid_derive(struct ike_keys *, const struct ike_chunk *,
	    const uint8_t *, const uint8_t *);

struct ike_iv {
	uint8_t		 iv_data[IKE_BLOCK_MAX];
	size_t		 iv_len;
};

/* Phase 1 IV = hash(g^xi | g^xr), cut to the cipher block (RFC 2409 B). */
int	 ike_iv_phase1(const struct ike_keys *, const struct ike_chunk *,
	    const struct ike_chunk *, struct ike_iv *);
/*
 * IV of an exchange with message ID msgid: hash(last phase 1 CBC block |
 * M-ID), cut to the block (RFC 2409 appendix B).
 */
int	 ike_iv_msgid(const struct ike_keys *, const struct ike_iv *,
	    uint32_t, struct ike_iv *);

/*
 * CBC over a payload body.  Encryption pads to the block as RFC 2409 5.3
 * says (zeros, then a last byte counting them) and appends the
 * ciphertext; decryption takes whole blocks and appends the plaintext,
 * padding included (isakmp_walk allows it).  Both leave in *iv the last
 * ciphertext block, the IV of the next message.
 */
int	 ike_encrypt(const struct ike_keys *, struct ike_iv *,
	    const uint8_t *, size_t, struct wbuf *);
int	 ike_decrypt(const struct ike_keys *, struct ike_iv *,
	    const uint8_t *, size_t, struct wbuf *);

/*
 * Whole datagrams: the ISAKMP header (28 bytes) stays in the clear, the
 * rest is encrypted.  ike_encrypt_msg appends the header with the E flag
 * set and the length patched, then the padded ciphertext.
 * ike_decrypt_msg appends the header and the plaintext body, padding
 * included, so that isakmp_msg_parse reads it as any other message.
 */
int	 ike_encrypt_msg(const struct ike_keys *, struct ike_iv *,
	    const uint8_t *, size_t, struct wbuf *);
int	 ike_decrypt_msg(const struct ike_keys *, struct ike_iv *,
	    const uint8_t *, size_t, struct wbuf *);

/* What HASH_I and HASH_R cover (RFC 2409 5); _b means payload bodies. */
struct ike_ph1_hash_in {
	struct ike_chunk h_gxi;
	struct ike_chunk h_gxr;
	const uint8_t	*h_cky_i;
	const uint8_t	*h_cky_r;
	struct ike_chunk h_sai;		/* SAi_b */
	struct ike_chunk h_id;		/* IDii_b (HASH_I), IDir_b (_R) */
};

/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) */
int	 ike_hash_i(const struct ike_keys *, const struct ike_ph1_hash_in *,
	    uint8_t *);
/* HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) */
int	 ike_hash_r(const struct ike_keys *, const struct ike_ph1_hash_in *,
	    uint8_t *);

/*
 * Quick mode (RFC 2409 5.5): rest is the message after the HASH payload.
 * HASH(1) = prf(SKEYID_a, M-ID | rest), also the informational hash of
 * RFC 2409 5.7 (rest = the N or D payload).
 * HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest)
 * HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 */
int	 ike_qm_hash1(const struct ike_keys *, uint32_t,
	    const struct ike_chunk *, uint8_t *);
int	 ike_qm_hash2(const struct ike_keys *, uint32_t,
	    const struct ike_chunk *, const struct ike_chunk *, uint8_t *);
int	 ike_qm_hash3(const struct ike_keys *, uint32_t,
	    const struct ike_chunk *, const struct ike_chunk *, uint8_t *);

/*
 * KEYMAT for one SA in one direction (RFC 2409 5.5): need bytes of
 * K1 | K2 | ... with K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI |
 * Ni_b | Nr_b) and Kn+1 = prf(SKEYID_d, Kn | [g(qm)^xy |] ...).  The SPI
 * is the one the receiving side chose, so the two directions differ.
 * gqm is NULL without PFS.  Appends to out, which should be secret.
 */
int	 ike_keymat(const struct ike_keys *, const struct ike_chunk *,
	    uint8_t, const uint8_t *, size_t, const struct ike_chunk *,
	    const struct ike_chunk *, size_t, struct wbuf *);

#endif /* IKE_CRYPTO_H */
