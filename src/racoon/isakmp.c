/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ISAKMP frame: names of the IKEv1 numbers, the header, the generic
 * payload chain walk, the chain builder and the payload-rule tables that
 * say, per exchange, sending role and message number, which payloads a
 * message may carry (RFC 2408, RFC 2409 section 5, RFC 3947).  What is
 * inside each payload is isakmp_pld.c's business.
 */
#include <string.h>

#include "buf.h"
#include "log.h"
#include "isakmp.h"

struct isakmp_name {
	unsigned	 nm_num;
	const char	*nm_name;
};

#define NAME_UNKNOWN	"UNKNOWN"

static const struct isakmp_name isakmp_etype_names[] = {
	{ ISAKMP_ETYPE_NONE, "None" },
	{ ISAKMP_ETYPE_BASE, "Base" },
	{ ISAKMP_ETYPE_IDENT, "Identity Protection (Main Mode)" },
	{ ISAKMP_ETYPE_AUTH, "Authentication Only" },
	{ ISAKMP_ETYPE_AGG, "Aggressive" },
	{ ISAKMP_ETYPE_INFO, "Informational" },
	{ ISAKMP_ETYPE_CFG, "Transaction (Mode Config)" },
	{ ISAKMP_ETYPE_QUICK, "Quick Mode" },
	{ ISAKMP_ETYPE_NEWGRP, "New Group Mode" },
};

static const struct isakmp_name isakmp_np_names[] = {
	{ ISAKMP_NPTYPE_NONE, "none" },
	{ ISAKMP_NPTYPE_SA, "SA" },
	{ ISAKMP_NPTYPE_P, "P" },
	{ ISAKMP_NPTYPE_T, "T" },
	{ ISAKMP_NPTYPE_KE, "KE" },
	{ ISAKMP_NPTYPE_ID, "ID" },
	{ ISAKMP_NPTYPE_CERT, "CERT" },
	{ ISAKMP_NPTYPE_CR, "CR" },
	{ ISAKMP_NPTYPE_HASH, "HASH" },
	{ ISAKMP_NPTYPE_SIG, "SIG" },
	{ ISAKMP_NPTYPE_NONCE, "NONCE" },
	{ ISAKMP_NPTYPE_N, "N" },
	{ ISAKMP_NPTYPE_D, "D" },
	{ ISAKMP_NPTYPE_VID, "VID" },
	{ ISAKMP_NPTYPE_ATTR, "ATTR" },
	{ ISAKMP_NPTYPE_NATD, "NAT-D" },
	{ ISAKMP_NPTYPE_NATOA, "NAT-OA" },
	{ ISAKMP_NPTYPE_NATD_DRAFT, "NAT-D(draft)" },
	{ ISAKMP_NPTYPE_NATOA_DRAFT, "NAT-OA(draft)" },
};

static const struct isakmp_name isakmp_notify_names[] = {
	{ ISAKMP_N_OK, "OK" },
	{ ISAKMP_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE" },
	{ ISAKMP_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED" },
	{ ISAKMP_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED" },
	{ ISAKMP_N_INVALID_COOKIE, "INVALID-COOKIE" },
	{ ISAKMP_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION" },
	{ ISAKMP_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION" },
	{ ISAKMP_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE" },
	{ ISAKMP_N_INVALID_FLAGS, "INVALID-FLAGS" },
	{ ISAKMP_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID" },
	{ ISAKMP_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID" },
	{ ISAKMP_N_INVALID_SPI, "INVALID-SPI" },
	{ ISAKMP_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID" },
	{ ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED" },
	{ ISAKMP_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN" },
	{ ISAKMP_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX" },
	{ ISAKMP_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED" },
	{ ISAKMP_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION" },
	{ ISAKMP_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION" },
	{ ISAKMP_N_INVALID_CERT_ENCODING, "INVALID-CERT-ENCODING" },
	{ ISAKMP_N_INVALID_CERTIFICATE, "INVALID-CERTIFICATE" },
	{ ISAKMP_N_CERT_TYPE_UNSUPPORTED, "CERT-TYPE-UNSUPPORTED" },
	{ ISAKMP_N_INVALID_CERT_AUTHORITY, "INVALID-CERT-AUTHORITY" },
	{ ISAKMP_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION" },
	{ ISAKMP_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED" },
	{ ISAKMP_N_INVALID_SIGNATURE, "INVALID-SIGNATURE" },
	{ ISAKMP_N_ADDRESS_NOTIFICATION, "ADDRESS-NOTIFICATION" },
	{ ISAKMP_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME" },
	{ ISAKMP_N_CERTIFICATE_UNAVAILABLE, "CERTIFICATE-UNAVAILABLE" },
	{ ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE" },
	{ ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "UNEQUAL-PAYLOAD-LENGTHS" },
	{ ISAKMP_N_CONNECTED, "CONNECTED" },
	{ IPSEC_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME" },
	{ IPSEC_N_REPLAY_STATUS, "REPLAY-STATUS" },
	{ IPSEC_N_INITIAL_CONTACT, "INITIAL-CONTACT" },
	{ ISAKMP_N_R_U_THERE, "R-U-THERE" },
	{ ISAKMP_N_R_U_THERE_ACK, "R-U-THERE-ACK" },
};

static const struct isakmp_name isakmp_proto_names[] = {
	{ ISAKMP_PROTO_ISAKMP, "ISAKMP" },
	{ ISAKMP_PROTO_AH, "AH" },
	{ ISAKMP_PROTO_ESP, "ESP" },
	{ ISAKMP_PROTO_IPCOMP, "IPCOMP" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *
isakmp_name_find(const struct isakmp_name *t, size_t n, unsigned num)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].nm_num == num)
			return t[i].nm_name;
	return NAME_UNKNOWN;
}

const char *
isakmp_etype_name(unsigned v)
{
	return isakmp_name_find(isakmp_etype_names,
	    NELEM(isakmp_etype_names), v);
}

const char *
isakmp_np_name(unsigned v)
{
	return isakmp_name_find(isakmp_np_names, NELEM(isakmp_np_names), v);
}

const char *
isakmp_notify_name(unsigned v)
{
	return isakmp_name_find(isakmp_notify_names,
	    NELEM(isakmp_notify_names), v);
}

const char *
isakmp_proto_name(unsigned v)
{
	return isakmp_name_find(isakmp_proto_names,
	    NELEM(isakmp_proto_names), v);
}

const char *
isakmp_role_name(enum isakmp_role role)
{
	switch (role) {
	case ISAKMP_ROLE_I:
		return "initiator";
	case ISAKMP_ROLE_R:
		return "responder";
	case ISAKMP_ROLE_ANY:
		return "either";
	}
	return NAME_UNKNOWN;
}

/* Exchanges the header may name; others get INVALID-EXCHANGE-TYPE. */
static int
isakmp_etype_known(uint8_t etype)
{
	switch (etype) {
	case ISAKMP_ETYPE_IDENT:
	case ISAKMP_ETYPE_AGG:
	case ISAKMP_ETYPE_INFO:
	case ISAKMP_ETYPE_CFG:
	case ISAKMP_ETYPE_QUICK:
		return 1;
	}
	return 0;
}

static int
isakmp_hdr_check(const struct isakmp_hdr *hdr, size_t dgram)
{
	static const uint8_t zero[ISAKMP_COOKIE_LEN];

	if (hdr->hdr_len != dgram) {
		log_warnx("ISAKMP header: length %u but datagram has %zu",
		    hdr->hdr_len, dgram);
		return ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS;
	}
	if (memcmp(hdr->hdr_icookie, zero, sizeof(zero)) == 0) {
		log_warnx("ISAKMP header: initiator cookie is zero");
		return ISAKMP_N_INVALID_COOKIE;
	}
	if ((hdr->hdr_version >> 4) != (ISAKMP_VERSION >> 4)) {
		log_warnx("ISAKMP header: major version %u, not 1",
		    hdr->hdr_version >> 4);
		return ISAKMP_N_INVALID_MAJOR_VERSION;
	}
	if ((hdr->hdr_version & 0x0f) != 0) {
		log_warnx("ISAKMP header: minor version %u, not 0",
		    hdr->hdr_version & 0x0f);
		return ISAKMP_N_INVALID_MINOR_VERSION;
	}
	if (!isakmp_etype_known(hdr->hdr_etype)) {
		log_warnx("ISAKMP header: exchange type %u (%s) not supported",
		    hdr->hdr_etype, isakmp_etype_name(hdr->hdr_etype));
		return ISAKMP_N_INVALID_EXCHANGE_TYPE;
	}
	if (hdr->hdr_flags & ~(ISAKMP_FLAG_E | ISAKMP_FLAG_C |
	    ISAKMP_FLAG_A)) {
		log_warnx("ISAKMP header: unknown flags 0x%02x",
		    hdr->hdr_flags);
		return ISAKMP_N_INVALID_FLAGS;
	}
	return ISAKMP_N_OK;
}

/* Phase 1 runs under message ID 0, phase 2 never does (RFC 2408 3.1). */
static int
isakmp_msgid_check(const struct isakmp_hdr *hdr)
{
	int phase1 = hdr->hdr_etype == ISAKMP_ETYPE_IDENT ||
	    hdr->hdr_etype == ISAKMP_ETYPE_AGG;
	int phase2 = hdr->hdr_etype == ISAKMP_ETYPE_QUICK ||
	    hdr->hdr_etype == ISAKMP_ETYPE_CFG;

	if ((phase1 && hdr->hdr_msgid != 0) ||
	    (phase2 && hdr->hdr_msgid == 0)) {
		log_warnx("ISAKMP header: message ID 0x%08x in %s",
		    hdr->hdr_msgid, isakmp_etype_name(hdr->hdr_etype));
		return ISAKMP_N_INVALID_MESSAGE_ID;
	}
	return ISAKMP_N_OK;
}

int
isakmp_hdr_parse(struct rbuf *rb, struct isakmp_hdr *hdr)
{
	size_t dgram = rbuf_left(rb);
	int n;

	if (rbuf_get_bytes(rb, hdr->hdr_icookie, ISAKMP_COOKIE_LEN) == -1 ||
	    rbuf_get_bytes(rb, hdr->hdr_rcookie, ISAKMP_COOKIE_LEN) == -1 ||
	    rbuf_get_u8(rb, &hdr->hdr_np) == -1 ||
	    rbuf_get_u8(rb, &hdr->hdr_version) == -1 ||
	    rbuf_get_u8(rb, &hdr->hdr_etype) == -1 ||
	    rbuf_get_u8(rb, &hdr->hdr_flags) == -1 ||
	    rbuf_get_u32(rb, &hdr->hdr_msgid) == -1 ||
	    rbuf_get_u32(rb, &hdr->hdr_len) == -1) {
		log_warnx("ISAKMP header: datagram of %zu bytes < %d", dgram,
		    ISAKMP_HDR_LEN);
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if ((n = isakmp_hdr_check(hdr, dgram)) != ISAKMP_N_OK)
		return n;
	return isakmp_msgid_check(hdr);
}

int
isakmp_hdr_build(struct wbuf *wb, const struct isakmp_hdr *hdr)
{
	wbuf_put_bytes(wb, hdr->hdr_icookie, ISAKMP_COOKIE_LEN);
	wbuf_put_bytes(wb, hdr->hdr_rcookie, ISAKMP_COOKIE_LEN);
	wbuf_put_u8(wb, hdr->hdr_np);
	wbuf_put_u8(wb, hdr->hdr_version);
	wbuf_put_u8(wb, hdr->hdr_etype);
	wbuf_put_u8(wb, hdr->hdr_flags);
	wbuf_put_u32(wb, hdr->hdr_msgid);
	wbuf_put_u32(wb, hdr->hdr_len);
	return wbuf_failed(wb) ? -1 : 0;
}

/*
 * Types that may stand in the chain.  Proposal and transform payloads
 * live only inside an SA payload (RFC 2408 3.5, 3.6).
 */
static int
isakmp_np_chainable(uint8_t np)
{
	switch (np) {
	case ISAKMP_NPTYPE_SA:
	case ISAKMP_NPTYPE_KE:
	case ISAKMP_NPTYPE_ID:
	case ISAKMP_NPTYPE_CERT:
	case ISAKMP_NPTYPE_CR:
	case ISAKMP_NPTYPE_HASH:
	case ISAKMP_NPTYPE_SIG:
	case ISAKMP_NPTYPE_NONCE:
	case ISAKMP_NPTYPE_N:
	case ISAKMP_NPTYPE_D:
	case ISAKMP_NPTYPE_VID:
	case ISAKMP_NPTYPE_ATTR:
	case ISAKMP_NPTYPE_NATD:
	case ISAKMP_NPTYPE_NATOA:
	case ISAKMP_NPTYPE_NATD_DRAFT:
	case ISAKMP_NPTYPE_NATOA_DRAFT:
		return 1;
	}
	return 0;
}

/*
 * RFC 2408 3.2, the generic payload header:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int
isakmp_walk_one(struct rbuf *rb, uint8_t type, size_t pos, uint8_t *np,
    struct isakmp_pld *pld)
{
	struct rbuf whole;
	uint16_t len;

	if (rbuf_peek_u16(rb, 2, &len) == -1) {
		log_warnx("payload %zu (%s): %zu bytes left, header needs %d",
		    pos, isakmp_np_name(type), rbuf_left(rb), ISAKMP_GEN_LEN);
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (len < ISAKMP_GEN_LEN || len > rbuf_left(rb)) {
		log_warnx("payload %zu (%s): length %u outside %d..%zu", pos,
		    isakmp_np_name(type), len, ISAKMP_GEN_LEN, rbuf_left(rb));
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	pld->pld_raw = rbuf_ptr(rb);
	pld->pld_rawlen = len;
	(void)rbuf_sub(rb, len, &whole);
	(void)rbuf_get_u8(&whole, np);
	if (rbuf_get_zero(&whole, 1) == -1) {
		log_warnx("payload %zu (%s): reserved byte is not zero", pos,
		    isakmp_np_name(type));
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	(void)rbuf_skip(&whole, 2);
	pld->pld_type = type;
	rbuf_rest(&whole, &pld->pld_body);
	return ISAKMP_N_OK;
}

int
isakmp_walk(struct rbuf *rb, uint8_t np, int trailing_ok,
    struct isakmp_msg *msg)
{
	int n;

	msg->msg_npld = 0;
	while (np != ISAKMP_NPTYPE_NONE) {
		if (!isakmp_np_chainable(np)) {
			log_warnx("payload chain: next payload %u (%s) after "
			    "%zu payloads", np, isakmp_np_name(np),
			    msg->msg_npld);
			return ISAKMP_N_INVALID_PAYLOAD_TYPE;
		}
		if (msg->msg_npld == ISAKMP_MAX_PLD) {
			log_warnx("payload chain: more than %d payloads",
			    ISAKMP_MAX_PLD);
			return ISAKMP_N_PAYLOAD_MALFORMED;
		}
		n = isakmp_walk_one(rb, np, msg->msg_npld + 1, &np,
		    &msg->msg_pld[msg->msg_npld]);
		if (n != ISAKMP_N_OK)
			return n;
		msg->msg_npld++;
	}
	msg->msg_trailing = rbuf_left(rb);
	if (msg->msg_trailing != 0 && !trailing_ok) {
		log_warnx("payload chain: %zu bytes after the last payload",
		    msg->msg_trailing);
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	return ISAKMP_N_OK;
}

int
isakmp_msg_parse(const uint8_t *data, size_t len, struct isakmp_msg *msg)
{
	struct rbuf rb;
	int n;

	rbuf_init(&rb, data, len);
	if ((n = isakmp_hdr_parse(&rb, &msg->msg_hdr)) != ISAKMP_N_OK)
		return n;
	return isakmp_walk(&rb, msg->msg_hdr.hdr_np,
	    (msg->msg_hdr.hdr_flags & ISAKMP_FLAG_E) != 0, msg);
}

const struct isakmp_pld *
isakmp_msg_find(const struct isakmp_msg *msg, uint8_t type, size_t idx)
{
	size_t i;

	for (i = 0; i < msg->msg_npld; i++)
		if (msg->msg_pld[i].pld_type == type && idx-- == 0)
			return &msg->msg_pld[i];
	return NULL;
}

size_t
isakmp_msg_count(const struct isakmp_msg *msg, uint8_t type)
{
	size_t i, n = 0;

	for (i = 0; i < msg->msg_npld; i++)
		if (msg->msg_pld[i].pld_type == type)
			n++;
	return n;
}

int
isakmp_msg_rest(const struct isakmp_msg *msg, size_t idx,
    const uint8_t **p, size_t *len)
{
	const struct isakmp_pld *last;

	if (idx >= msg->msg_npld)
		return -1;
	last = &msg->msg_pld[msg->msg_npld - 1];
	*p = msg->msg_pld[idx].pld_raw + msg->msg_pld[idx].pld_rawlen;
	*len = (size_t)(last->pld_raw + last->pld_rawlen - *p);
	return 0;
}

int
isakmp_out_begin(struct isakmp_out *out, struct wbuf *wb,
    const struct isakmp_hdr *hdr)
{
	memset(out, 0, sizeof(*out));
	out->out_wb = wb;
	out->out_start = wbuf_len(wb);
	out->out_np_off = out->out_start + 2 * ISAKMP_COOKIE_LEN;
	return isakmp_hdr_build(wb, hdr);
}

int
isakmp_out_pld(struct isakmp_out *out, uint8_t type)
{
	size_t np_off;

	if (out->out_open && isakmp_out_pld_end(out) == -1)
		return -1;
	if (wbuf_set_u8(out->out_wb, out->out_np_off, type) == -1 ||
	    wbuf_reserve(out->out_wb, 1, &np_off) == -1 ||
	    wbuf_put_u8(out->out_wb, 0) == -1 ||
	    wbuf_reserve(out->out_wb, 2, &out->out_len_off) == -1)
		return -1;
	out->out_np_off = np_off;
	out->out_open = 1;
	return 0;
}

int
isakmp_out_pld_end(struct isakmp_out *out)
{
	size_t len = wbuf_len(out->out_wb) - (out->out_len_off - 2);

	out->out_open = 0;
	if (wbuf_failed(out->out_wb) || len > UINT16_MAX)
		return -1;
	return wbuf_set_u16(out->out_wb, out->out_len_off, (uint16_t)len);
}

int
isakmp_out_end(struct isakmp_out *out)
{
	size_t len;

	if (out->out_open && isakmp_out_pld_end(out) == -1)
		return -1;
	len = wbuf_len(out->out_wb) - out->out_start;
	if (wbuf_failed(out->out_wb) || len > UINT32_MAX)
		return -1;
	return wbuf_set_u32(out->out_wb, out->out_start + 24, (uint32_t)len);
}

/*
 * The rule tables.  RFC 2409 5 gives the payloads of each message; VIDs
 * may ride on any phase 1 message, NAT-D on messages 3 and 4 of main mode
 * and 2 and 3 of aggressive mode (RFC 3947 3.2), NAT-OA on quick mode
 * (RFC 3947 5.1).  HASH or SIG authenticate (ONEOF), by auth method.
 * XXX: public key encryption auth (RFC 2409 5.2, 5.3) is not in the
 * tables (racoon never supported it either), nor quick mode message 4
 * (the commit bit's CONNECTED notify, RFC 2408 4.8) nor IKE
 * fragmentation (payload 132).
 */
#define R(t, lo, hi, f)	{ ISAKMP_NPTYPE_##t, lo, hi, f }
#define MANY		ISAKMP_RULE_MANY
#define FIRST		ISAKMP_RULE_FIRST
#define ONEOF		ISAKMP_RULE_ONEOF

static const struct isakmp_rule mm_1[] = {	/* HDR, SA */
	R(SA, 1, 1, FIRST), R(VID, 0, MANY, 0),
};
static const struct isakmp_rule mm_3[] = {	/* HDR, KE, Ni */
	R(KE, 1, 1, 0), R(NONCE, 1, 1, 0), R(CR, 0, MANY, 0),
	R(NATD, 0, MANY, 0), R(NATD_DRAFT, 0, MANY, 0), R(VID, 0, MANY, 0),
};
static const struct isakmp_rule mm_5[] = {	/* HDR*, IDii, HASH_I|SIG */
	R(ID, 1, 1, 0), R(HASH, 0, 1, ONEOF), R(SIG, 0, 1, ONEOF),
	R(CERT, 0, MANY, 0), R(CR, 0, MANY, 0), R(N, 0, MANY, 0),
	R(VID, 0, MANY, 0),
};
static const struct isakmp_rule ag_1[] = {	/* HDR, SA, KE, Ni, IDii */
	R(SA, 1, 1, FIRST), R(KE, 1, 1, 0), R(NONCE, 1, 1, 0),
	R(ID, 1, 1, 0), R(CR, 0, MANY, 0), R(VID, 0, MANY, 0),
};
static const struct isakmp_rule ag_2[] = {	/* ... IDir, HASH_R|SIG */
	R(SA, 1, 1, FIRST), R(KE, 1, 1, 0), R(NONCE, 1, 1, 0),
	R(ID, 1, 1, 0), R(HASH, 0, 1, ONEOF), R(SIG, 0, 1, ONEOF),
	R(CERT, 0, MANY, 0), R(CR, 0, MANY, 0), R(NATD, 0, MANY, 0),
	R(NATD_DRAFT, 0, MANY, 0), R(VID, 0, MANY, 0),
};
static const struct isakmp_rule ag_3[] = {	/* HDR, HASH_I|SIG */
	R(HASH, 0, 1, ONEOF), R(SIG, 0, 1, ONEOF), R(CERT, 0, MANY, 0),
	R(NATD, 0, MANY, 0), R(NATD_DRAFT, 0, MANY, 0), R(N, 0, MANY, 0),
	R(VID, 0, MANY, 0),
};
static const struct isakmp_rule qm_12[] = {	/* HDR*, HASH, SA, Ni ... */
	R(HASH, 1, 1, FIRST), R(SA, 1, MANY, 0), R(NONCE, 1, 1, 0),
	R(KE, 0, 1, 0), R(ID, 0, 2, 0), R(NATOA, 0, 2, 0),
	R(NATOA_DRAFT, 0, 2, 0), R(N, 0, MANY, 0),
};
static const struct isakmp_rule qm_3[] = {	/* HDR*, HASH(3) */
	R(HASH, 1, 1, FIRST),
};
static const struct isakmp_rule info_enc[] = {	/* HDR*, HASH(1), N/D */
	R(HASH, 1, 1, FIRST), R(N, 0, 1, ONEOF), R(D, 0, 1, ONEOF),
};
static const struct isakmp_rule info_plain[] = {	/* HDR, N */
	R(N, 1, 1, 0),
};
static const struct isakmp_rule cfg[] = {	/* HDR*, HASH, ATTR */
	R(HASH, 1, 1, FIRST), R(ATTR, 1, 1, 0),
};

#undef R
#undef MANY
#undef FIRST
#undef ONEOF

#define RS(e, role, no, enc, t)	\
	{ ISAKMP_ETYPE_##e, ISAKMP_ROLE_##role, no, ISAKMP_ENC_##enc, t, \
	    NELEM(t) }

static const struct isakmp_rules isakmp_rules_table[] = {
	RS(IDENT, I, 1, NO, mm_1),
	RS(IDENT, R, 2, NO, mm_1),
	RS(IDENT, I, 3, NO, mm_3),
	RS(IDENT, R, 4, NO, mm_3),
	RS(IDENT, I, 5, YES, mm_5),
	RS(IDENT, R, 6, YES, mm_5),
	RS(AGG, I, 1, NO, ag_1),
	RS(AGG, R, 2, NO, ag_2),
	RS(AGG, I, 3, ANY, ag_3),
	RS(QUICK, I, 1, YES, qm_12),
	RS(QUICK, R, 2, YES, qm_12),
	RS(QUICK, I, 3, YES, qm_3),
	RS(INFO, ANY, 1, YES, info_enc),
	RS(INFO, ANY, 1, NO, info_plain),
	RS(CFG, ANY, 1, YES, cfg),
	RS(CFG, ANY, 2, YES, cfg),
};

#undef RS

const struct isakmp_rules *
isakmp_rules_next(size_t *cursor)
{
	if (*cursor >= NELEM(isakmp_rules_table))
		return NULL;
	return &isakmp_rules_table[(*cursor)++];
}

static int
isakmp_rules_match(const struct isakmp_rules *rs, uint8_t etype,
    enum isakmp_role role, uint8_t msgno, int enc)
{
	if (rs->rs_etype != etype || rs->rs_msgno != msgno)
		return 0;
	if (rs->rs_role != ISAKMP_ROLE_ANY && rs->rs_role != role)
		return 0;
	return rs->rs_enc == ISAKMP_ENC_ANY ||
	    (rs->rs_enc == ISAKMP_ENC_YES) == (enc != 0);
}

const struct isakmp_rules *
isakmp_rules_find(uint8_t etype, enum isakmp_role role, uint8_t msgno,
    int enc)
{
	size_t i;

	for (i = 0; i < NELEM(isakmp_rules_table); i++)
		if (isakmp_rules_match(&isakmp_rules_table[i], etype, role,
		    msgno, enc))
			return &isakmp_rules_table[i];
	return NULL;
}

static const struct isakmp_rule *
isakmp_rule_for(const struct isakmp_rules *rs, uint8_t type)
{
	size_t i;

	for (i = 0; i < rs->rs_nrules; i++)
		if (rs->rs_rules[i].rule_type == type)
			return &rs->rs_rules[i];
	return NULL;
}

/* Every payload of the message is listed in the rules. */
static int
isakmp_rules_each(const struct isakmp_msg *msg,
    const struct isakmp_rules *rs)
{
	size_t i;

	for (i = 0; i < msg->msg_npld; i++)
		if (isakmp_rule_for(rs, msg->msg_pld[i].pld_type) == NULL) {
			log_warnx("%s message %u: %s payload not allowed",
			    isakmp_etype_name(rs->rs_etype), rs->rs_msgno,
			    isakmp_np_name(msg->msg_pld[i].pld_type));
			return ISAKMP_N_INVALID_PAYLOAD_TYPE;
		}
	return ISAKMP_N_OK;
}

/* A FIRST payload (HASH of RFC 2409 5.5, SA of 5.4) leads the chain. */
static int
isakmp_rules_first(const struct isakmp_msg *msg,
    const struct isakmp_rules *rs)
{
	const struct isakmp_rule *r;
	size_t i;

	for (i = 1; i < msg->msg_npld; i++) {
		r = isakmp_rule_for(rs, msg->msg_pld[i].pld_type);
		if (r->rule_flags & ISAKMP_RULE_FIRST) {
			log_warnx("%s message %u: %s payload at position %zu, "
			    "not first", isakmp_etype_name(rs->rs_etype),
			    rs->rs_msgno, isakmp_np_name(r->rule_type), i + 1);
			return ISAKMP_N_PAYLOAD_MALFORMED;
		}
	}
	return ISAKMP_N_OK;
}

/* Counts within min..max; exactly one of the ONEOF payloads. */
static int
isakmp_rules_counts(const struct isakmp_msg *msg,
    const struct isakmp_rules *rs)
{
	const struct isakmp_rule *r;
	size_t i, n, oneof = 0;
	int has_oneof = 0;

	for (i = 0; i < rs->rs_nrules; i++) {
		r = &rs->rs_rules[i];
		n = isakmp_msg_count(msg, r->rule_type);
		if (r->rule_flags & ISAKMP_RULE_ONEOF) {
			has_oneof = 1;
			oneof += n;
		}
		if (n > r->rule_max) {
			log_warnx("%s message %u: %zu %s payloads, at most %u",
			    isakmp_etype_name(rs->rs_etype), rs->rs_msgno, n,
			    isakmp_np_name(r->rule_type), r->rule_max);
			return ISAKMP_N_INVALID_PAYLOAD_TYPE;
		}
		if (n < r->rule_min) {
			log_warnx("%s message %u: %zu %s payloads, at least %u",
			    isakmp_etype_name(rs->rs_etype), rs->rs_msgno, n,
			    isakmp_np_name(r->rule_type), r->rule_min);
			return ISAKMP_N_PAYLOAD_MALFORMED;
		}
	}
	if (has_oneof && oneof != 1) {
		log_warnx("%s message %u: %zu authenticating payloads, not 1",
		    isakmp_etype_name(rs->rs_etype), rs->rs_msgno, oneof);
		return oneof == 0 ? ISAKMP_N_PAYLOAD_MALFORMED :
		    ISAKMP_N_INVALID_PAYLOAD_TYPE;
	}
	return ISAKMP_N_OK;
}

int
isakmp_rules_check(const struct isakmp_msg *msg, enum isakmp_role role,
    uint8_t msgno)
{
	const struct isakmp_hdr *hdr = &msg->msg_hdr;
	const struct isakmp_rules *rs;
	int enc = (hdr->hdr_flags & ISAKMP_FLAG_E) != 0, n;

	if ((rs = isakmp_rules_find(hdr->hdr_etype, role, msgno, enc)) ==
	    NULL) {
		if (isakmp_rules_find(hdr->hdr_etype, role, msgno, !enc)) {
			log_warnx("%s message %u from %s: %sencrypted",
			    isakmp_etype_name(hdr->hdr_etype), msgno,
			    isakmp_role_name(role), enc ? "" : "not ");
			return ISAKMP_N_INVALID_FLAGS;
		}
		log_warnx("%s: no message %u from %s",
		    isakmp_etype_name(hdr->hdr_etype), msgno,
		    isakmp_role_name(role));
		return ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE;
	}
	if ((n = isakmp_rules_each(msg, rs)) != ISAKMP_N_OK ||
	    (n = isakmp_rules_counts(msg, rs)) != ISAKMP_N_OK)
		return n;
	return isakmp_rules_first(msg, rs);
}
