/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ISAKMP message frame (RFC 2408 section 3): the numbers of IKEv1 and
 * their names, the fixed header, the walk along the generic payload chain,
 * the builder that writes header and chain with every length and next
 * payload field patched afterwards, and the payload-rule tables: for each
 * (exchange, sending role, message number) which payloads may appear, how
 * often, and whether the message must be encrypted.  A received message is
 * walked and checked against its rules before any handler sees it.
 *
 * Functions that judge peer input return an ISAKMP notify type
 * (ISAKMP_N_*), the one the RFC names for the fault, or ISAKMP_N_OK (0),
 * and log what is wrong with the numbers.  Views in struct isakmp_msg
 * point into the datagram the caller owns and live as long as it does.
 */
#ifndef ISAKMP_H
#define ISAKMP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Exchange types (RFC 2408 3.1, RFC 2409 5.5, mode config). */
#define ISAKMP_ETYPE_NONE	0
#define ISAKMP_ETYPE_BASE	1
#define ISAKMP_ETYPE_IDENT	2	/* main mode */
#define ISAKMP_ETYPE_AUTH	3
#define ISAKMP_ETYPE_AGG	4	/* aggressive mode */
#define ISAKMP_ETYPE_INFO	5
#define ISAKMP_ETYPE_CFG	6	/* transaction (mode config) */
#define ISAKMP_ETYPE_QUICK	32
#define ISAKMP_ETYPE_NEWGRP	33

/* Payload types (RFC 2408 3.1, RFC 3947, draft NAT-T numbers). */
#define ISAKMP_NPTYPE_NONE	0
#define ISAKMP_NPTYPE_SA	1
#define ISAKMP_NPTYPE_P		2
#define ISAKMP_NPTYPE_T		3
#define ISAKMP_NPTYPE_KE	4
#define ISAKMP_NPTYPE_ID	5
#define ISAKMP_NPTYPE_CERT	6
#define ISAKMP_NPTYPE_CR	7
#define ISAKMP_NPTYPE_HASH	8
#define ISAKMP_NPTYPE_SIG	9
#define ISAKMP_NPTYPE_NONCE	10
#define ISAKMP_NPTYPE_N		11
#define ISAKMP_NPTYPE_D		12
#define ISAKMP_NPTYPE_VID	13
#define ISAKMP_NPTYPE_ATTR	14	/* mode config attributes */
#define ISAKMP_NPTYPE_NATD	20	/* RFC 3947 */
#define ISAKMP_NPTYPE_NATOA	21
/* draft-ietf-ipsec-nat-t-ike-02/03 numbers, still sent by old peers. */
#define ISAKMP_NPTYPE_NATD_DRAFT  130
#define ISAKMP_NPTYPE_NATOA_DRAFT 131

/* Header flags (RFC 2408 3.1). */
#define ISAKMP_FLAG_E		0x01	/* encrypted */
#define ISAKMP_FLAG_C		0x02	/* commit */
#define ISAKMP_FLAG_A		0x04	/* authentication only */

#define ISAKMP_VERSION		0x10	/* major 1, minor 0 */
#define ISAKMP_HDR_LEN		28
#define ISAKMP_GEN_LEN		4	/* generic payload header */
#define ISAKMP_COOKIE_LEN	8

/* DOI and situation (RFC 2407 4.2). */
#define ISAKMP_DOI_ISAKMP	0
#define IPSEC_DOI		1
#define IPSEC_SIT_IDENTITY_ONLY	0x01
#define IPSEC_SIT_SECRECY	0x02
#define IPSEC_SIT_INTEGRITY	0x04

/* Protocol ids (RFC 2407 4.4.1). */
#define ISAKMP_PROTO_ISAKMP	1
#define ISAKMP_PROTO_AH		2
#define ISAKMP_PROTO_ESP	3
#define ISAKMP_PROTO_IPCOMP	4

#define ISAKMP_TRANS_KEY_IKE	1	/* phase 1 transform id */

/* Notify message types (RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706). */
#define ISAKMP_N_OK				0
#define ISAKMP_N_INVALID_PAYLOAD_TYPE		1
#define ISAKMP_N_DOI_NOT_SUPPORTED		2
#define ISAKMP_N_SITUATION_NOT_SUPPORTED	3
#define ISAKMP_N_INVALID_COOKIE			4
#define ISAKMP_N_INVALID_MAJOR_VERSION		5
#define ISAKMP_N_INVALID_MINOR_VERSION		6
#define ISAKMP_N_INVALID_EXCHANGE_TYPE		7
#define ISAKMP_N_INVALID_FLAGS			8
#define ISAKMP_N_INVALID_MESSAGE_ID		9
#define ISAKMP_N_INVALID_PROTOCOL_ID		10
#define ISAKMP_N_INVALID_SPI			11
#define ISAKMP_N_INVALID_TRANSFORM_ID		12
#define ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED	13
#define ISAKMP_N_NO_PROPOSAL_CHOSEN		14
#define ISAKMP_N_BAD_PROPOSAL_SYNTAX		15
#define ISAKMP_N_PAYLOAD_MALFORMED		16
#define ISAKMP_N_INVALID_KEY_INFORMATION	17
#define ISAKMP_N_INVALID_ID_INFORMATION		18
#define ISAKMP_N_INVALID_CERT_ENCODING		19
#define ISAKMP_N_INVALID_CERTIFICATE		20
#define ISAKMP_N_CERT_TYPE_UNSUPPORTED		21
#define ISAKMP_N_INVALID_CERT_AUTHORITY		22
#define ISAKMP_N_INVALID_HASH_INFORMATION	23
#define ISAKMP_N_AUTHENTICATION_FAILED		24
#define ISAKMP_N_INVALID_SIGNATURE		25
#define ISAKMP_N_ADDRESS_NOTIFICATION		26
#define ISAKMP_N_NOTIFY_SA_LIFETIME		27
#define ISAKMP_N_CERTIFICATE_UNAVAILABLE	28
#define ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE	29
#define ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS	30
#define ISAKMP_N_CONNECTED			16384
#define IPSEC_N_RESPONDER_LIFETIME		24576
#define IPSEC_N_REPLAY_STATUS			24577
#define IPSEC_N_INITIAL_CONTACT			24578
#define ISAKMP_N_R_U_THERE			36136
#define ISAKMP_N_R_U_THERE_ACK			36137

/* Who sends a message; ISAKMP_ROLE_ANY in rules that fit both. */
enum isakmp_role {
	ISAKMP_ROLE_I,
	ISAKMP_ROLE_R,
	ISAKMP_ROLE_ANY,
};

/* Names for every number we print; "?" never, the number instead. */
const char *isakmp_etype_name(unsigned);
const char *isakmp_np_name(unsigned);
const char *isakmp_notify_name(unsigned);
const char *isakmp_proto_name(unsigned);
const char *isakmp_role_name(enum isakmp_role);

/*
 * RFC 2408 3.1, the ISAKMP header:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Initiator                            !
 * !                            Cookie                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Responder                            !
 * !                            Cookie                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Next Payload ! MjVer ! MnVer ! Exchange Type !     Flags     !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Message ID                           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                            Length                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct isakmp_hdr {
	uint8_t		 hdr_icookie[ISAKMP_COOKIE_LEN];
	uint8_t		 hdr_rcookie[ISAKMP_COOKIE_LEN];
	uint8_t		 hdr_np;
	uint8_t		 hdr_version;
	uint8_t		 hdr_etype;
	uint8_t		 hdr_flags;
	uint32_t	 hdr_msgid;
	uint32_t	 hdr_len;
};

/* One payload of the chain: body is cut after the generic header. */
struct isakmp_pld {
	uint8_t		 pld_type;
	struct rbuf	 pld_body;
	const uint8_t	*pld_raw;	/* generic header included */
	size_t		 pld_rawlen;
};

#define ISAKMP_MAX_PLD		64	/* payloads in one message */

struct isakmp_msg {
	struct isakmp_hdr msg_hdr;
	struct isakmp_pld msg_pld[ISAKMP_MAX_PLD];
	size_t		 msg_npld;
	size_t		 msg_trailing;	/* bytes after the last one */
};

/*
 * Read and check the header from a datagram (the whole of rb, which must
 * hold exactly hdr_len bytes).  Leaves rb at the first payload.
 */
int	 isakmp_hdr_parse(struct rbuf *, struct isakmp_hdr *);
/* Writes the header; hdr_len is patched by isakmp_out_end. */
int	 isakmp_hdr_build(struct wbuf *, const struct isakmp_hdr *);

/*
 * Walk the generic payload chain of rb starting with type np into msg.
 * Trailing bytes after the last payload are refused unless allowed
 * (the padding of a decrypted body).
 */
int	 isakmp_walk(struct rbuf *, uint8_t, int, struct isakmp_msg *);
/*
 * Header, then the chain, of a whole datagram in plaintext: one received
 * without the E flag, or one that ike_decrypt_msg returned (its padding
 * is allowed).  For an encrypted datagram, isakmp_hdr_parse alone finds
 * the cookies and message ID that select the keys first.
 */
int	 isakmp_msg_parse(const uint8_t *, size_t, struct isakmp_msg *);
/* The idx-th payload of a type (from 0), or NULL. */
const struct isakmp_pld *isakmp_msg_find(const struct isakmp_msg *,
	    uint8_t, size_t);
size_t	 isakmp_msg_count(const struct isakmp_msg *, uint8_t);
/*
 * The payloads after the idx-th, generic headers included and padding
 * excluded: what the quick mode and informational HASHes cover (RFC 2409
 * 5.5, 5.7).  Empty when idx is the last.  -1 if there is no idx-th.
 */
int	 isakmp_msg_rest(const struct isakmp_msg *, size_t, const uint8_t **,
	    size_t *);

/*
 * Builder.  isakmp_out_begin writes the header; each payload is opened
 * with isakmp_out_pld (which patches the previous payload's next payload
 * field, or the header's) and closed with isakmp_out_pld_end (which
 * patches its length); isakmp_out_end patches the message length.  The
 * body of the payload is written with the isakmp_pld.h builders in
 * between.  All return 0 or -1 (the wbuf is full).
 */
struct isakmp_out {
	struct wbuf	*out_wb;
	size_t		 out_start;	/* header offset in out_wb */
	size_t		 out_np_off;	/* next payload field */
	size_t		 out_len_off;	/* open payload's length */
	int		 out_open;
};

int	 isakmp_out_begin(struct isakmp_out *, struct wbuf *,
	    const struct isakmp_hdr *);
int	 isakmp_out_pld(struct isakmp_out *, uint8_t);
int	 isakmp_out_pld_end(struct isakmp_out *);
int	 isakmp_out_end(struct isakmp_out *);

/* Encryption wanted by a rule set. */
enum isakmp_enc {
	ISAKMP_ENC_NO,
	ISAKMP_ENC_YES,
	ISAKMP_ENC_ANY,
};

#define ISAKMP_RULE_FIRST	0x01	/* must be the first payload */
#define ISAKMP_RULE_ONEOF	0x02	/* one of the ONEOF rules */
#define ISAKMP_RULE_MANY	255	/* no limit but ISAKMP_MAX_PLD */

struct isakmp_rule {
	uint8_t		 rule_type;
	uint8_t		 rule_min;
	uint8_t		 rule_max;
	uint8_t		 rule_flags;
};

struct isakmp_rules {
	uint8_t		 rs_etype;
	enum isakmp_role rs_role;	/* who sends it */
	uint8_t		 rs_msgno;	/* 1-based, per exchange */
	enum isakmp_enc	 rs_enc;
	const struct isakmp_rule *rs_rules;
	size_t		 rs_nrules;
};

/* The rule set for a message, or NULL. */
const struct isakmp_rules *isakmp_rules_find(uint8_t, enum isakmp_role,
	    uint8_t, int);
/*
 * Check a walked message (encrypted or not as its header says) sent by
 * role as message msgno of its exchange.
 */
int	 isakmp_rules_check(const struct isakmp_msg *, enum isakmp_role,
	    uint8_t);
/* Walk the whole table: *cursor starts at 0; NULL at the end. */
const struct isakmp_rules *isakmp_rules_next(size_t *);

#endif /* ISAKMP_H */
