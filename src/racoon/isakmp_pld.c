/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Parse and build the body of each IKEv1 payload.  Each parser reads a
 * view cut to its payload by isakmp_walk() (generic header already read),
 * checks every field against the RFC, logs what is wrong with the numbers
 * and returns the notify the RFC names; the wire diagram of the payload
 * stands above its parser.  The SA payload is the one nested structure
 * (proposals, transforms, attributes): isakmp_sa_parse checks all of it
 * once, so that the iterators used later by proposal selection meet only
 * bytes already checked.
 */
#include <string.h>

#include "buf.h"
#include "log.h"
#include "isakmp.h"
#include "isakmp_pld.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define NAME_UNKNOWN	"UNKNOWN"

#define ISAKMP_ATTR_AF	0x8000	/* attribute format bit: TV */

enum isakmp_attr_form {
	ATTR_B,		/* basic: TV only (RFC 2408 3.3) */
	ATTR_V,		/* variable: TLV, or TV when it fits */
	ATTR_ANY,	/* mode config: either, empty allowed */
};

struct isakmp_attr_spec {
	enum isakmp_attr_ctx as_ctx;
	uint16_t	 as_type;
	const char	*as_name;
	enum isakmp_attr_form as_form;
	uint16_t	 as_max;	/* TLV value bytes */
};

static const struct isakmp_attr_spec isakmp_attr_specs[] = {
	{ ISAKMP_ATTR_PH1, 1, "Encryption Algorithm", ATTR_B, 0 },
	{ ISAKMP_ATTR_PH1, 2, "Hash Algorithm", ATTR_B, 0 },
	{ ISAKMP_ATTR_PH1, 3, "Authentication Method", ATTR_B, 0 },
	{ ISAKMP_ATTR_PH1, 4, "Group Description", ATTR_B, 0 },
	{ ISAKMP_ATTR_PH1, 5, "Group Type", ATTR_B, 0 },
	{ ISAKMP_ATTR_PH1, 6, "Group Prime/Irreducible Polynomial", ATTR_V,
	    1024 },
	{ ISAKMP_ATTR_PH1, 7, "Group Generator One", ATTR_V, 1024 },
	{ ISAKMP_ATTR_PH1, 8, "Group Generator Two", ATTR_V, 1024 },
	{ ISAKMP_ATTR_PH1, 9, "Group Curve A", ATTR_V, 1024 },
	{ ISAKMP_ATTR_PH1, 10, "Group Curve B", ATTR_V, 1024 },
	{ ISAKMP_ATTR_PH1, 11, "Life Type", ATTR_B, 0 },
	{ ISAKMP_ATTR_PH1, 12, "Life Duration", ATTR_V, 8 },
	{ ISAKMP_ATTR_PH1, 13, "PRF", ATTR_B, 0 },
	{ ISAKMP_ATTR_PH1, 14, "Key Length", ATTR_B, 0 },
	{ ISAKMP_ATTR_PH1, 15, "Field Size", ATTR_B, 0 },
	{ ISAKMP_ATTR_PH1, 16, "Group Order", ATTR_V, 1024 },
	{ ISAKMP_ATTR_IPSEC, 1, "SA Life Type", ATTR_B, 0 },
	{ ISAKMP_ATTR_IPSEC, 2, "SA Life Duration", ATTR_V, 8 },
	{ ISAKMP_ATTR_IPSEC, 3, "Group Description", ATTR_B, 0 },
	{ ISAKMP_ATTR_IPSEC, 4, "Encapsulation Mode", ATTR_B, 0 },
	{ ISAKMP_ATTR_IPSEC, 5, "Authentication Algorithm", ATTR_B, 0 },
	{ ISAKMP_ATTR_IPSEC, 6, "Key Length", ATTR_B, 0 },
	{ ISAKMP_ATTR_IPSEC, 7, "Key Rounds", ATTR_B, 0 },
	{ ISAKMP_ATTR_IPSEC, 8, "Compress Dictionary Size", ATTR_B, 0 },
	{ ISAKMP_ATTR_IPSEC, 9, "Compress Private Algorithm", ATTR_V, 64 },
	{ ISAKMP_ATTR_CFG, 1, "INTERNAL_IP4_ADDRESS", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 2, "INTERNAL_IP4_NETMASK", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 3, "INTERNAL_IP4_DNS", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 4, "INTERNAL_IP4_NBNS", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 5, "INTERNAL_ADDRESS_EXPIRY", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 6, "INTERNAL_IP4_DHCP", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 7, "APPLICATION_VERSION", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 8, "INTERNAL_IP6_ADDRESS", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 9, "INTERNAL_IP6_NETMASK", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 10, "INTERNAL_IP6_DNS", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 11, "INTERNAL_IP6_NBNS", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 12, "INTERNAL_IP6_DHCP", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 13, "INTERNAL_IP4_SUBNET", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 14, "SUPPORTED_ATTRIBUTES", ATTR_ANY, 0 },
	{ ISAKMP_ATTR_CFG, 15, "INTERNAL_IP6_SUBNET", ATTR_ANY, 0 },
};

struct isakmp_pname {
	unsigned	 pn_num;
	const char	*pn_name;
};

static const struct isakmp_pname isakmp_idtype_names[] = {
	{ IPSECDOI_ID_IPV4_ADDR, "IPv4_address" },
	{ IPSECDOI_ID_FQDN, "FQDN" },
	{ IPSECDOI_ID_USER_FQDN, "User_FQDN" },
	{ IPSECDOI_ID_IPV4_ADDR_SUBNET, "IPv4_subnet" },
	{ IPSECDOI_ID_IPV6_ADDR, "IPv6_address" },
	{ IPSECDOI_ID_IPV6_ADDR_SUBNET, "IPv6_subnet" },
	{ IPSECDOI_ID_IPV4_ADDR_RANGE, "IPv4_address_range" },
	{ IPSECDOI_ID_IPV6_ADDR_RANGE, "IPv6_address_range" },
	{ IPSECDOI_ID_DER_ASN1_DN, "DER_ASN1_DN" },
	{ IPSECDOI_ID_DER_ASN1_GN, "DER_ASN1_GN" },
	{ IPSECDOI_ID_KEY_ID, "KEY_ID" },
};

static const struct isakmp_pname isakmp_certenc_names[] = {
	{ ISAKMP_CERT_NONE, "NONE" },
	{ ISAKMP_CERT_PKCS7, "PKCS #7" },
	{ ISAKMP_CERT_PGP, "PGP" },
	{ ISAKMP_CERT_DNS, "DNS signed key" },
	{ ISAKMP_CERT_X509SIGN, "X.509 signature" },
	{ ISAKMP_CERT_X509KE, "X.509 key exchange" },
	{ ISAKMP_CERT_KERBEROS, "Kerberos" },
	{ ISAKMP_CERT_CRL, "CRL" },
	{ ISAKMP_CERT_ARL, "ARL" },
	{ ISAKMP_CERT_SPKI, "SPKI" },
	{ ISAKMP_CERT_X509ATTR, "X.509 attribute" },
	{ ISAKMP_CERT_PLAINRSA, "plain RSA" },
};

static const struct isakmp_pname isakmp_auth_names[] = {
	{ OAKLEY_AUTH_PSK, "pre-shared key" },
	{ OAKLEY_AUTH_DSSSIG, "DSS signatures" },
	{ OAKLEY_AUTH_RSASIG, "RSA signatures" },
	{ OAKLEY_AUTH_RSAENC, "RSA encryption" },
	{ OAKLEY_AUTH_RSAREV, "revised RSA encryption" },
};

static const struct isakmp_pname isakmp_encmode_names[] = {
	{ IPSECDOI_MODE_TUNNEL, "Tunnel" },
	{ IPSECDOI_MODE_TRANSPORT, "Transport" },
	{ IPSECDOI_MODE_UDPTUNNEL_RFC, "UDP-Encapsulated-Tunnel" },
	{ IPSECDOI_MODE_UDPTRNS_RFC, "UDP-Encapsulated-Transport" },
	{ IPSECDOI_MODE_UDPTUNNEL_DRAFT, "UDP-Encapsulated-Tunnel(draft)" },
	{ IPSECDOI_MODE_UDPTRNS_DRAFT, "UDP-Encapsulated-Transport(draft)" },
};

static const char *
isakmp_pname_find(const struct isakmp_pname *t, size_t n, unsigned num)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].pn_num == num)
			return t[i].pn_name;
	return NAME_UNKNOWN;
}

const char *
isakmp_idtype_name(unsigned v)
{
	return isakmp_pname_find(isakmp_idtype_names,
	    NELEM(isakmp_idtype_names), v);
}

const char *
isakmp_certenc_name(unsigned v)
{
	return isakmp_pname_find(isakmp_certenc_names,
	    NELEM(isakmp_certenc_names), v);
}

const char *
isakmp_auth_name(unsigned v)
{
	return isakmp_pname_find(isakmp_auth_names,
	    NELEM(isakmp_auth_names), v);
}

const char *
isakmp_encmode_name(unsigned v)
{
	return isakmp_pname_find(isakmp_encmode_names,
	    NELEM(isakmp_encmode_names), v);
}

static const struct isakmp_attr_spec *
isakmp_attr_spec(enum isakmp_attr_ctx ctx, unsigned type)
{
	size_t i;

	for (i = 0; i < NELEM(isakmp_attr_specs); i++)
		if (isakmp_attr_specs[i].as_ctx == ctx &&
		    isakmp_attr_specs[i].as_type == type)
			return &isakmp_attr_specs[i];
	return NULL;
}

const char *
isakmp_attr_name(enum isakmp_attr_ctx ctx, unsigned type)
{
	const struct isakmp_attr_spec *as = isakmp_attr_spec(ctx, type);

	return as == NULL ? NAME_UNKNOWN : as->as_name;
}

/*
 * RFC 2408 3.3, data attributes:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !A!       Attribute Type        !    AF=0  Attribute Length     !
 * !F!                             !    AF=1  Attribute Value      !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                   AF=0  Attribute Value                       .
 * .                   AF=1  Not Transmitted                       .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int
isakmp_attr_next(struct rbuf *rb, struct isakmp_attr *at)
{
	struct rbuf save = *rb;
	uint16_t type, v;

	if (rbuf_get_u16(rb, &type) == -1 || rbuf_get_u16(rb, &v) == -1)
		goto fail;
	at->at_type = type & ~ISAKMP_ATTR_AF;
	at->at_tv = (type & ISAKMP_ATTR_AF) != 0;
	at->at_value = at->at_tv ? v : 0;
	at->at_len = at->at_tv ? 0 : v;
	at->at_data = NULL;
	if (!at->at_tv && rbuf_get_ref(rb, v, &at->at_data) == -1)
		goto fail;
	return 0;
fail:
	*rb = save;
	return -1;
}

int
isakmp_attr_uint(const struct isakmp_attr *at, uint64_t *v)
{
	uint16_t i;

	if (at->at_tv) {
		*v = at->at_value;
		return 0;
	}
	if (at->at_len == 0 || at->at_len > 8)
		return -1;
	*v = 0;
	for (i = 0; i < at->at_len; i++)
		*v = (*v << 8) | at->at_data[i];
	return 0;
}

int
isakmp_attr_put_tv(struct wbuf *wb, uint16_t type, uint16_t v)
{
	wbuf_put_u16(wb, type | ISAKMP_ATTR_AF);
	return wbuf_put_u16(wb, v);
}

int
isakmp_attr_put_tlv(struct wbuf *wb, uint16_t type, const void *v,
    size_t len)
{
	if (len > UINT16_MAX || (type & ISAKMP_ATTR_AF))
		return -1;
	wbuf_put_u16(wb, type);
	wbuf_put_u16(wb, (uint16_t)len);
	return wbuf_put_bytes(wb, v, len);
}

int
isakmp_attr_put_uint(struct wbuf *wb, uint16_t type, uint64_t v)
{
	uint8_t b[8];
	size_t len = v > UINT32_MAX ? 8 : 4, i;

	if (v <= UINT16_MAX)
		return isakmp_attr_put_tv(wb, type, (uint16_t)v);
	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
	return isakmp_attr_put_tlv(wb, type, b, len);
}

/* Form and size of one attribute against its specification. */
static int
isakmp_attr_check_one(const struct isakmp_attr *at, enum isakmp_attr_ctx ctx)
{
	const struct isakmp_attr_spec *as = isakmp_attr_spec(ctx, at->at_type);

	if (as == NULL || as->as_form == ATTR_ANY || at->at_tv)
		return ISAKMP_N_OK;
	if (as->as_form == ATTR_B) {
		log_warnx("attribute %s (%u): basic attribute sent with "
		    "length %u", as->as_name, at->at_type, at->at_len);
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	if (at->at_len == 0 || at->at_len > as->as_max) {
		log_warnx("attribute %s (%u): length %u outside 1..%u",
		    as->as_name, at->at_type, at->at_len, as->as_max);
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	return ISAKMP_N_OK;
}

/* A transform names each attribute once; mode config may repeat them. */
static int
isakmp_attr_dup(const struct rbuf *list, size_t upto, uint16_t type)
{
	struct rbuf rb = *list;
	struct isakmp_attr at;

	while (rbuf_offset(&rb) < upto && isakmp_attr_next(&rb, &at) == 0)
		if (at.at_type == type)
			return 1;
	return 0;
}

int
isakmp_attrs_check(const struct rbuf *list, enum isakmp_attr_ctx ctx)
{
	struct rbuf rb = *list;
	struct isakmp_attr at;
	size_t n = 0, off;
	int e;

	while (rbuf_left(&rb) > 0) {
		off = rbuf_offset(&rb);
		if (isakmp_attr_next(&rb, &at) == -1) {
			log_warnx("attribute at offset %zu: runs past the end "
			    "(%zu bytes left)", off, rbuf_left(&rb));
			return ISAKMP_N_PAYLOAD_MALFORMED;
		}
		if (++n > ISAKMP_MAX_ATTR) {
			log_warnx("attributes: more than %d", ISAKMP_MAX_ATTR);
			return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
		}
		if ((e = isakmp_attr_check_one(&at, ctx)) != ISAKMP_N_OK)
			return e;
		if (ctx != ISAKMP_ATTR_CFG &&
		    isakmp_attr_dup(list, off, at.at_type)) {
			log_warnx("attribute %s (%u): given twice",
			    isakmp_attr_name(ctx, at.at_type), at.at_type);
			return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
		}
	}
	return ISAKMP_N_OK;
}

/*
 * The generic header of a proposal or transform inside an SA payload:
 * next is the type that continues the list (P or T), or NONE for the
 * last one.  Cuts the body into *body and moves rb past the payload.
 */
static int
isakmp_sub_gen(struct rbuf *rb, const char *what, uint8_t next,
    size_t min, struct rbuf *body)
{
	struct rbuf whole;
	uint16_t len;
	uint8_t np;

	if (rbuf_peek_u16(rb, 2, &len) == -1) {
		log_warnx("%s payload: %zu bytes left, header needs 4", what,
		    rbuf_left(rb));
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (len < min || len > rbuf_left(rb)) {
		log_warnx("%s payload: length %u outside %zu..%zu", what, len,
		    min, rbuf_left(rb));
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	(void)rbuf_sub(rb, len, &whole);
	(void)rbuf_get_u8(&whole, &np);
	if (rbuf_get_zero(&whole, 1) == -1) {
		log_warnx("%s payload: reserved byte is not zero", what);
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if ((np != next && np != ISAKMP_NPTYPE_NONE) ||
	    (np == next) != (rbuf_left(rb) > 0)) {
		log_warnx("%s payload: next payload %u (%s) with %zu bytes "
		    "after it", what, np, isakmp_np_name(np), rbuf_left(rb));
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	(void)rbuf_skip(&whole, 2);
	rbuf_rest(&whole, body);
	return ISAKMP_N_OK;
}

/* SPI sizes by protocol (RFC 2407 4.4, RFC 2408 2.4). */
static int
isakmp_spisize_check(const char *what, uint8_t proto, uint8_t size)
{
	int ok;

	switch (proto) {
	case ISAKMP_PROTO_ISAKMP:
		ok = size == 0 || size == 16;
		break;
	case ISAKMP_PROTO_AH:
	case ISAKMP_PROTO_ESP:
		ok = size == 4;
		break;
	case ISAKMP_PROTO_IPCOMP:
		ok = size == 2 || size == 4;
		break;
	default:
		log_warnx("%s: protocol %u unknown", what, proto);
		return ISAKMP_N_INVALID_PROTOCOL_ID;
	}
	if (!ok) {
		log_warnx("%s: SPI size %u for %s", what, size,
		    isakmp_proto_name(proto));
		return ISAKMP_N_INVALID_SPI;
	}
	return ISAKMP_N_OK;
}

/*
 * RFC 2408 3.5, proposal payload:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Proposal #   !  Protocol-Id  !    SPI Size   !# of Transforms!
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                        SPI (variable)                         !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int
isakmp_prop_next(struct rbuf *rb, struct isakmp_prop *p)
{
	struct rbuf body;
	int e;

	e = isakmp_sub_gen(rb, "proposal", ISAKMP_NPTYPE_P, 8, &body);
	if (e != ISAKMP_N_OK)
		return e;
	(void)rbuf_get_u8(&body, &p->prop_num);
	(void)rbuf_get_u8(&body, &p->prop_proto);
	(void)rbuf_get_u8(&body, &p->prop_spisize);
	(void)rbuf_get_u8(&body, &p->prop_ntrans);
	e = isakmp_spisize_check("proposal", p->prop_proto, p->prop_spisize);
	if (e != ISAKMP_N_OK)
		return e;
	if (rbuf_get_bytes(&body, p->prop_spi, p->prop_spisize) == -1) {
		log_warnx("proposal #%u: SPI of %u bytes past the end",
		    p->prop_num, p->prop_spisize);
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (p->prop_ntrans == 0 || p->prop_ntrans > ISAKMP_MAX_TRANS) {
		log_warnx("proposal #%u: %u transforms, not 1..%d",
		    p->prop_num, p->prop_ntrans, ISAKMP_MAX_TRANS);
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	rbuf_rest(&body, &p->prop_trans);
	return ISAKMP_N_OK;
}

/*
 * RFC 2408 3.6, transform payload:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Transform #  !  Transform-Id !           RESERVED2           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SA Attributes                          ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int
isakmp_trans_next(struct rbuf *rb, uint8_t proto, struct isakmp_trans *t)
{
	struct rbuf body;
	int e;

	e = isakmp_sub_gen(rb, "transform", ISAKMP_NPTYPE_T, 8, &body);
	if (e != ISAKMP_N_OK)
		return e;
	(void)rbuf_get_u8(&body, &t->tr_num);
	(void)rbuf_get_u8(&body, &t->tr_id);
	if (rbuf_get_zero(&body, 2) == -1) {
		log_warnx("transform #%u: RESERVED2 is not zero", t->tr_num);
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	rbuf_rest(&body, &t->tr_attrs);
	return isakmp_attrs_check(&t->tr_attrs, proto == ISAKMP_PROTO_ISAKMP ?
	    ISAKMP_ATTR_PH1 : ISAKMP_ATTR_IPSEC);
}

/* All transforms of a proposal, and their count against the header's. */
static int
isakmp_prop_check(const struct isakmp_prop *p)
{
	struct rbuf rb = p->prop_trans;
	struct isakmp_trans t;
	unsigned n = 0;
	int e;

	while (rbuf_left(&rb) > 0) {
		if (++n > p->prop_ntrans) {
			log_warnx("proposal #%u: more transforms than the %u "
			    "announced", p->prop_num, p->prop_ntrans);
			return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
		}
		if ((e = isakmp_trans_next(&rb, p->prop_proto, &t)) !=
		    ISAKMP_N_OK)
			return e;
	}
	if (n != p->prop_ntrans) {
		log_warnx("proposal #%u: %u transforms, %u announced",
		    p->prop_num, n, p->prop_ntrans);
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	return ISAKMP_N_OK;
}

/* Proposal numbers never decrease (RFC 2408 4.2); equal ones are ANDed. */
static int
isakmp_props_check(struct isakmp_sa *sa)
{
	struct rbuf rb = sa->sa_props;
	struct isakmp_prop p;
	int e, last = -1;

	for (sa->sa_nprop = 0; rbuf_left(&rb) > 0; sa->sa_nprop++) {
		if (sa->sa_nprop == ISAKMP_MAX_PROP) {
			log_warnx("SA payload: more than %d proposals",
			    ISAKMP_MAX_PROP);
			return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
		}
		if ((e = isakmp_prop_next(&rb, &p)) != ISAKMP_N_OK)
			return e;
		if ((int)p.prop_num < last) {
			log_warnx("SA payload: proposal #%u after #%d",
			    p.prop_num, last);
			return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
		}
		last = p.prop_num;
		if ((e = isakmp_prop_check(&p)) != ISAKMP_N_OK)
			return e;
	}
	if (sa->sa_nprop == 0) {
		log_warnx("SA payload: no proposal");
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	return ISAKMP_N_OK;
}

/*
 * RFC 2408 3.4 and RFC 2407 4.6.1, SA payload (IPsec DOI):
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !              Domain of Interpretation (IPSEC_DOI)             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                           Situation                           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                 Proposal payloads (P, T, attributes)          ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Only SIT_IDENTITY_ONLY is supported, as in ipsec-tools: labelled
 * secrecy and integrity situations carry more fields we do not use.
 */
int
isakmp_sa_parse(struct rbuf *rb, struct isakmp_sa *sa)
{
	if (rbuf_get_u32(rb, &sa->sa_doi) == -1 ||
	    rbuf_get_u32(rb, &sa->sa_sit) == -1) {
		log_warnx("SA payload: %zu bytes, need 8 for DOI and "
		    "situation", rbuf_left(rb));
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (sa->sa_doi != IPSEC_DOI) {
		log_warnx("SA payload: DOI %u, not IPSEC (1)", sa->sa_doi);
		return ISAKMP_N_DOI_NOT_SUPPORTED;
	}
	if (sa->sa_sit != IPSEC_SIT_IDENTITY_ONLY) {
		log_warnx("SA payload: situation 0x%08x, not identity only",
		    sa->sa_sit);
		return ISAKMP_N_SITUATION_NOT_SUPPORTED;
	}
	rbuf_rest(rb, &sa->sa_props);
	return isakmp_props_check(sa);
}

int
isakmp_sa_build_begin(struct isakmp_sa_out *so, struct wbuf *wb,
    uint32_t doi, uint32_t sit)
{
	memset(so, 0, sizeof(*so));
	so->so_wb = wb;
	wbuf_put_u32(wb, doi);
	return wbuf_put_u32(wb, sit);
}

static int
isakmp_sa_close_len(struct wbuf *wb, size_t len_off)
{
	size_t len = wbuf_len(wb) - (len_off - 2);

	if (wbuf_failed(wb) || len > UINT16_MAX)
		return -1;
	return wbuf_set_u16(wb, len_off, (uint16_t)len);
}

static int
isakmp_sa_close_trans(struct isakmp_sa_out *so)
{
	if (!so->so_tr_open)
		return 0;
	so->so_tr_open = 0;
	return isakmp_sa_close_len(so->so_wb, so->so_tr_len);
}

static int
isakmp_sa_close_prop(struct isakmp_sa_out *so)
{
	if (isakmp_sa_close_trans(so) == -1)
		return -1;
	if (!so->so_prop_open)
		return 0;
	so->so_prop_open = 0;
	if (so->so_ntrans > UINT8_MAX ||
	    wbuf_set_u8(so->so_wb, so->so_ntrans_off,
	    (uint8_t)so->so_ntrans) == -1)
		return -1;
	return isakmp_sa_close_len(so->so_wb, so->so_prop_len);
}

/* Generic header of a nested payload; np is patched when one follows. */
static int
isakmp_sa_sub_begin(struct wbuf *wb, size_t *np_off, size_t *len_off)
{
	wbuf_reserve(wb, 1, np_off);
	wbuf_put_u8(wb, 0);
	return wbuf_reserve(wb, 2, len_off);
}

int
isakmp_sa_build_prop(struct isakmp_sa_out *so, uint8_t num, uint8_t proto,
    const uint8_t *spi, uint8_t spisize)
{
	struct wbuf *wb = so->so_wb;
	int first = so->so_prop_np == 0;

	if (isakmp_sa_close_prop(so) == -1)
		return -1;
	if (!first &&
	    wbuf_set_u8(wb, so->so_prop_np, ISAKMP_NPTYPE_P) == -1)
		return -1;
	isakmp_sa_sub_begin(wb, &so->so_prop_np, &so->so_prop_len);
	wbuf_put_u8(wb, num);
	wbuf_put_u8(wb, proto);
	wbuf_put_u8(wb, spisize);
	wbuf_reserve(wb, 1, &so->so_ntrans_off);
	wbuf_put_bytes(wb, spi, spisize);
	so->so_ntrans = 0;
	so->so_tr_np = 0;
	so->so_prop_open = 1;
	return wbuf_failed(wb) ? -1 : 0;
}

int
isakmp_sa_build_trans(struct isakmp_sa_out *so, uint8_t num, uint8_t id)
{
	struct wbuf *wb = so->so_wb;

	if (!so->so_prop_open || isakmp_sa_close_trans(so) == -1)
		return -1;
	if (so->so_tr_np != 0 &&
	    wbuf_set_u8(wb, so->so_tr_np, ISAKMP_NPTYPE_T) == -1)
		return -1;
	isakmp_sa_sub_begin(wb, &so->so_tr_np, &so->so_tr_len);
	wbuf_put_u8(wb, num);
	wbuf_put_u8(wb, id);
	wbuf_put_u16(wb, 0);
	so->so_ntrans++;
	so->so_tr_open = 1;
	return wbuf_failed(wb) ? -1 : 0;
}

int
isakmp_sa_build_end(struct isakmp_sa_out *so)
{
	return isakmp_sa_close_prop(so);
}

/*
 * RFC 2408 3.7 (KE), 3.11 (HASH), 3.12 (SIG), 3.13 (NONCE), 3.16 (VID),
 * RFC 3947 3.2 (NAT-D): after the generic header, opaque data.
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~              Key Exchange / Hash / Signature / Nonce /        ~
 * ~              Vendor ID / NAT-D hash data                      ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Bounds: the nonce is 8..256 bytes (RFC 2409 5); a HASH or NAT-D is one
 * prf or hash output (at most SHA-512's 64 bytes); KE at most the 1024
 * bytes of MODP 8192; the exchange checks exact sizes.
 */
struct isakmp_data_bound {
	uint8_t		 db_type;
	size_t		 db_min;
	size_t		 db_max;
};

static const struct isakmp_data_bound isakmp_data_bounds[] = {
	{ ISAKMP_NPTYPE_KE, 1, 1024 },
	{ ISAKMP_NPTYPE_HASH, 1, 64 },
	{ ISAKMP_NPTYPE_SIG, 1, UINT16_MAX },
	{ ISAKMP_NPTYPE_NONCE, 8, 256 },
	{ ISAKMP_NPTYPE_VID, 1, UINT16_MAX },
	{ ISAKMP_NPTYPE_NATD, 1, 64 },
	{ ISAKMP_NPTYPE_NATD_DRAFT, 1, 64 },
};

int
isakmp_data_parse(struct rbuf *rb, uint8_t type, struct isakmp_data *d)
{
	size_t i, len = rbuf_left(rb);

	for (i = 0; i < NELEM(isakmp_data_bounds); i++)
		if (isakmp_data_bounds[i].db_type == type)
			break;
	if (i == NELEM(isakmp_data_bounds)) {
		log_warnx("payload %u (%s) carries no plain data", type,
		    isakmp_np_name(type));
		return ISAKMP_N_INVALID_PAYLOAD_TYPE;
	}
	if (len < isakmp_data_bounds[i].db_min ||
	    len > isakmp_data_bounds[i].db_max) {
		log_warnx("%s payload: %zu bytes of data, not %zu..%zu",
		    isakmp_np_name(type), len, isakmp_data_bounds[i].db_min,
		    isakmp_data_bounds[i].db_max);
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	d->data_len = len;
	(void)rbuf_get_ref(rb, len, &d->data_ptr);
	return ISAKMP_N_OK;
}

int
isakmp_data_build(struct wbuf *wb, const void *data, size_t len)
{
	return wbuf_put_bytes(wb, data, len);
}

/* Data sizes by ID type; 0 means any non-empty length. */
static int
isakmp_id_size(uint8_t type, size_t *size)
{
	switch (type) {
	case IPSECDOI_ID_IPV4_ADDR:
		*size = 4;
		return 0;
	case IPSECDOI_ID_IPV4_ADDR_SUBNET:
	case IPSECDOI_ID_IPV4_ADDR_RANGE:
		*size = 8;
		return 0;
	case IPSECDOI_ID_IPV6_ADDR:
		*size = 16;
		return 0;
	case IPSECDOI_ID_IPV6_ADDR_SUBNET:
	case IPSECDOI_ID_IPV6_ADDR_RANGE:
		*size = 32;
		return 0;
	case IPSECDOI_ID_FQDN:
	case IPSECDOI_ID_USER_FQDN:
	case IPSECDOI_ID_DER_ASN1_DN:
	case IPSECDOI_ID_DER_ASN1_GN:
	case IPSECDOI_ID_KEY_ID:
		*size = 0;
		return 0;
	}
	return -1;
}

/*
 * RFC 2408 3.8 and RFC 2407 4.6.2, identification payload:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Next Payload !   RESERVED    !        Payload Length         !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !   ID Type     !  Protocol ID  !             Port              !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                     Identification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int
isakmp_id_parse(struct rbuf *rb, struct isakmp_id *id)
{
	size_t want, have = rbuf_left(rb);

	if (rbuf_get_u8(rb, &id->id_type) == -1 ||
	    rbuf_get_u8(rb, &id->id_proto) == -1 ||
	    rbuf_get_u16(rb, &id->id_port) == -1) {
		log_warnx("ID payload: %zu bytes, need 4", have);
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (isakmp_id_size(id->id_type, &want) == -1) {
		log_warnx("ID payload: type %u unknown", id->id_type);
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	id->id_len = rbuf_left(rb);
	if ((want != 0 && id->id_len != want) ||
	    (want == 0 && id->id_len == 0)) {
		log_warnx("ID payload: %s with %zu bytes of data",
		    isakmp_idtype_name(id->id_type), id->id_len);
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	(void)rbuf_get_ref(rb, id->id_len, &id->id_data);
	return ISAKMP_N_OK;
}

int
isakmp_id_build(struct wbuf *wb, const struct isakmp_id *id)
{
	wbuf_put_u8(wb, id->id_type);
	wbuf_put_u8(wb, id->id_proto);
	wbuf_put_u16(wb, id->id_port);
	return wbuf_put_bytes(wb, id->id_data, id->id_len);
}

/*
 * RFC 2408 3.9, certificate payload, and 3.10, certificate request:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Cert Encoding !                                               !
 * +-+-+-+-+-+-+-+-+                                               !
 * ~      Certificate Data / Certificate Authority (CR)            ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int
isakmp_cert_common(struct rbuf *rb, const char *what, int empty_ok,
    int bad_enc, struct isakmp_cert *c)
{
	if (rbuf_get_u8(rb, &c->cert_enc) == -1) {
		log_warnx("%s payload: empty", what);
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (c->cert_enc == ISAKMP_CERT_NONE ||
	    c->cert_enc > ISAKMP_CERT_PLAINRSA) {
		log_warnx("%s payload: encoding %u unknown", what,
		    c->cert_enc);
		return bad_enc;
	}
	c->cert_len = rbuf_left(rb);
	if (c->cert_len == 0 && !empty_ok) {
		log_warnx("%s payload: %s with no data", what,
		    isakmp_certenc_name(c->cert_enc));
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	(void)rbuf_get_ref(rb, c->cert_len, &c->cert_data);
	return ISAKMP_N_OK;
}

int
isakmp_cert_parse(struct rbuf *rb, struct isakmp_cert *c)
{
	return isakmp_cert_common(rb, "CERT", 0,
	    ISAKMP_N_INVALID_CERT_ENCODING, c);
}

int
isakmp_cr_parse(struct rbuf *rb, struct isakmp_cert *c)
{
	return isakmp_cert_common(rb, "CR", 1,
	    ISAKMP_N_CERT_TYPE_UNSUPPORTED, c);
}

int
isakmp_cert_build(struct wbuf *wb, const struct isakmp_cert *c)
{
	wbuf_put_u8(wb, c->cert_enc);
	return wbuf_put_bytes(wb, c->cert_data, c->cert_len);
}

/*
 * RFC 2408 3.14, notification payload:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !              Domain of Interpretation  (DOI)                  !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Protocol-ID  !   SPI Size    !      Notify Message Type      !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                Security Parameter Index (SPI)                 ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Notification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int
isakmp_notify_parse(struct rbuf *rb, struct isakmp_notify *n)
{
	if (rbuf_get_u32(rb, &n->n_doi) == -1 ||
	    rbuf_get_u8(rb, &n->n_proto) == -1 ||
	    rbuf_get_u8(rb, &n->n_spisize) == -1 ||
	    rbuf_get_u16(rb, &n->n_type) == -1) {
		log_warnx("N payload: %zu bytes, need 8", rbuf_left(rb));
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (n->n_doi != ISAKMP_DOI_ISAKMP && n->n_doi != IPSEC_DOI) {
		log_warnx("N payload: DOI %u unknown", n->n_doi);
		return ISAKMP_N_DOI_NOT_SUPPORTED;
	}
	if (n->n_proto > ISAKMP_PROTO_IPCOMP) {
		log_warnx("N payload: protocol %u unknown", n->n_proto);
		return ISAKMP_N_INVALID_PROTOCOL_ID;
	}
	if (n->n_spisize > ISAKMP_MAX_SPI) {
		log_warnx("N payload: SPI size %u > %d", n->n_spisize,
		    ISAKMP_MAX_SPI);
		return ISAKMP_N_INVALID_SPI;
	}
	if (rbuf_get_bytes(rb, n->n_spi, n->n_spisize) == -1) {
		log_warnx("N payload: SPI of %u bytes past the end",
		    n->n_spisize);
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (n->n_type == 0) {
		log_warnx("N payload: notify type 0 is reserved");
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	n->n_len = rbuf_left(rb);
	(void)rbuf_get_ref(rb, n->n_len, &n->n_data);
	return ISAKMP_N_OK;
}

int
isakmp_notify_build(struct wbuf *wb, const struct isakmp_notify *n)
{
	if (n->n_spisize > ISAKMP_MAX_SPI)
		return -1;
	wbuf_put_u32(wb, n->n_doi);
	wbuf_put_u8(wb, n->n_proto);
	wbuf_put_u8(wb, n->n_spisize);
	wbuf_put_u16(wb, n->n_type);
	wbuf_put_bytes(wb, n->n_spi, n->n_spisize);
	return wbuf_put_bytes(wb, n->n_data, n->n_len);
}

/*
 * RFC 2408 3.15, delete payload:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !              Domain of Interpretation  (DOI)                  !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Protocol-Id  !   SPI Size    !           # of SPIs           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~               Security Parameter Index(es) (SPI)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * The count must match the bytes exactly: a huge count is refused
 * before anyone loops over it.
 */
int
isakmp_delete_parse(struct rbuf *rb, struct isakmp_delete *d)
{
	int e;

	if (rbuf_get_u32(rb, &d->d_doi) == -1 ||
	    rbuf_get_u8(rb, &d->d_proto) == -1 ||
	    rbuf_get_u8(rb, &d->d_spisize) == -1 ||
	    rbuf_get_u16(rb, &d->d_nspi) == -1) {
		log_warnx("D payload: %zu bytes, need 8", rbuf_left(rb));
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (d->d_doi != ISAKMP_DOI_ISAKMP && d->d_doi != IPSEC_DOI) {
		log_warnx("D payload: DOI %u unknown", d->d_doi);
		return ISAKMP_N_DOI_NOT_SUPPORTED;
	}
	if ((e = isakmp_spisize_check("D payload", d->d_proto,
	    d->d_spisize)) != ISAKMP_N_OK)
		return e;
	if (d->d_nspi == 0 || d->d_spisize == 0 ||
	    (size_t)d->d_nspi * d->d_spisize != rbuf_left(rb)) {
		log_warnx("D payload: %u SPIs of %u bytes in %zu bytes",
		    d->d_nspi, d->d_spisize, rbuf_left(rb));
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	(void)rbuf_get_ref(rb, rbuf_left(rb), &d->d_spis);
	return ISAKMP_N_OK;
}

int
isakmp_delete_build(struct wbuf *wb, const struct isakmp_delete *d)
{
	wbuf_put_u32(wb, d->d_doi);
	wbuf_put_u8(wb, d->d_proto);
	wbuf_put_u8(wb, d->d_spisize);
	wbuf_put_u16(wb, d->d_nspi);
	return wbuf_put_bytes(wb, d->d_spis,
	    (size_t)d->d_nspi * d->d_spisize);
}

/*
 * RFC 3947 5.2, NAT original address:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |    RESERVED   |        Payload length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    ID Type    |    RESERVED   |            RESERVED           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           IPv4 (4 octets) or IPv6 address (16 octets)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int
isakmp_natoa_parse(struct rbuf *rb, struct isakmp_natoa *oa)
{
	if (rbuf_get_u8(rb, &oa->oa_idtype) == -1 ||
	    rbuf_get_zero(rb, 3) == -1) {
		log_warnx("NAT-OA payload: short or reserved bytes not zero");
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (oa->oa_idtype == IPSECDOI_ID_IPV4_ADDR)
		oa->oa_len = 4;
	else if (oa->oa_idtype == IPSECDOI_ID_IPV6_ADDR)
		oa->oa_len = 16;
	else {
		log_warnx("NAT-OA payload: ID type %u (%s), not an address",
		    oa->oa_idtype, isakmp_idtype_name(oa->oa_idtype));
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	if (rbuf_left(rb) != oa->oa_len) {
		log_warnx("NAT-OA payload: %zu address bytes for %s",
		    rbuf_left(rb), isakmp_idtype_name(oa->oa_idtype));
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	(void)rbuf_get_bytes(rb, oa->oa_addr, oa->oa_len);
	return ISAKMP_N_OK;
}

int
isakmp_natoa_build(struct wbuf *wb, const struct isakmp_natoa *oa)
{
	if (oa->oa_len > sizeof(oa->oa_addr))
		return -1;
	wbuf_put_u8(wb, oa->oa_idtype);
	wbuf_put_zero(wb, 3);
	return wbuf_put_bytes(wb, oa->oa_addr, oa->oa_len);
}

/*
 * draft-dukes-ike-mode-cfg 3.2, attribute payload:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !     Type      !   RESERVED    !           Identifier          !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                           Attributes                          ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int
isakmp_cfg_parse(struct rbuf *rb, struct isakmp_cfg *cfg)
{
	if (rbuf_get_u8(rb, &cfg->cfg_type) == -1 ||
	    rbuf_get_zero(rb, 1) == -1 ||
	    rbuf_get_u16(rb, &cfg->cfg_id) == -1) {
		log_warnx("ATTR payload: short or reserved byte not zero");
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	if (cfg->cfg_type < ISAKMP_CFG_REQUEST ||
	    cfg->cfg_type > ISAKMP_CFG_ACK) {
		log_warnx("ATTR payload: type %u unknown", cfg->cfg_type);
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	rbuf_rest(rb, &cfg->cfg_attrs);
	return isakmp_attrs_check(&cfg->cfg_attrs, ISAKMP_ATTR_CFG);
}

int
isakmp_cfg_build(struct wbuf *wb, uint8_t type, uint16_t id)
{
	wbuf_put_u8(wb, type);
	wbuf_put_u8(wb, 0);
	return wbuf_put_u16(wb, id);
}

static int
isakmp_chk_sa(struct rbuf *rb, uint8_t type)
{
	struct isakmp_sa sa;

	return isakmp_sa_parse(rb, &sa);
}

static int
isakmp_chk_data(struct rbuf *rb, uint8_t type)
{
	struct isakmp_data d;

	return isakmp_data_parse(rb, type, &d);
}

static int
isakmp_chk_id(struct rbuf *rb, uint8_t type)
{
	struct isakmp_id id;

	return isakmp_id_parse(rb, &id);
}

static int
isakmp_chk_cert(struct rbuf *rb, uint8_t type)
{
	struct isakmp_cert c;

	return type == ISAKMP_NPTYPE_CR ? isakmp_cr_parse(rb, &c) :
	    isakmp_cert_parse(rb, &c);
}

static int
isakmp_chk_n(struct rbuf *rb, uint8_t type)
{
	struct isakmp_notify n;

	return isakmp_notify_parse(rb, &n);
}

static int
isakmp_chk_d(struct rbuf *rb, uint8_t type)
{
	struct isakmp_delete d;

	return isakmp_delete_parse(rb, &d);
}

static int
isakmp_chk_natoa(struct rbuf *rb, uint8_t type)
{
	struct isakmp_natoa oa;

	return isakmp_natoa_parse(rb, &oa);
}

static int
isakmp_chk_cfg(struct rbuf *rb, uint8_t type)
{
	struct isakmp_cfg cfg;

	return isakmp_cfg_parse(rb, &cfg);
}

static const struct {
	uint8_t		 pc_type;
	int		(*pc_check)(struct rbuf *, uint8_t);
} isakmp_pld_checks[] = {
	{ ISAKMP_NPTYPE_SA, isakmp_chk_sa },
	{ ISAKMP_NPTYPE_KE, isakmp_chk_data },
	{ ISAKMP_NPTYPE_ID, isakmp_chk_id },
	{ ISAKMP_NPTYPE_CERT, isakmp_chk_cert },
	{ ISAKMP_NPTYPE_CR, isakmp_chk_cert },
	{ ISAKMP_NPTYPE_HASH, isakmp_chk_data },
	{ ISAKMP_NPTYPE_SIG, isakmp_chk_data },
	{ ISAKMP_NPTYPE_NONCE, isakmp_chk_data },
	{ ISAKMP_NPTYPE_N, isakmp_chk_n },
	{ ISAKMP_NPTYPE_D, isakmp_chk_d },
	{ ISAKMP_NPTYPE_VID, isakmp_chk_data },
	{ ISAKMP_NPTYPE_ATTR, isakmp_chk_cfg },
	{ ISAKMP_NPTYPE_NATD, isakmp_chk_data },
	{ ISAKMP_NPTYPE_NATOA, isakmp_chk_natoa },
	{ ISAKMP_NPTYPE_NATD_DRAFT, isakmp_chk_data },
	{ ISAKMP_NPTYPE_NATOA_DRAFT, isakmp_chk_natoa },
};

int
isakmp_pld_check(uint8_t type, const struct rbuf *body)
{
	struct rbuf rb = *body;
	size_t i;

	for (i = 0; i < NELEM(isakmp_pld_checks); i++)
		if (isakmp_pld_checks[i].pc_type == type)
			return isakmp_pld_checks[i].pc_check(&rb, type);
	log_warnx("payload %u (%s): no parser", type, isakmp_np_name(type));
	return ISAKMP_N_INVALID_PAYLOAD_TYPE;
}
