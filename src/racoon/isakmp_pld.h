/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The body of every IKEv1 payload (RFC 2408 section 3, RFC 2407 section
 * 4.6, RFC 3947, draft-dukes-ike-mode-cfg), parsed from a view cut to the
 * payload (the pld_body of isakmp.h, generic header excluded) and built
 * back into a wbuf between isakmp_out_pld() and isakmp_out_pld_end().
 *
 * Parsers fill a structure whose pointers and views point into the
 * caller's datagram, check every field and that nothing is left over, and
 * return the notify type to send (ISAKMP_N_OK when good).  The SA payload
 * is checked whole by isakmp_sa_parse (proposals, transforms, attributes);
 * afterwards the _next iterators walk it and cannot fail on it.  Builders
 * return 0, or -1 when the wbuf is full.
 */
#ifndef ISAKMP_PLD_H
#define ISAKMP_PLD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Phase 1 (Oakley) attributes, RFC 2409 appendix A; B basic, V variable. */
#define OAKLEY_ATTR_ENC_ALG		1	/* B */
#define OAKLEY_ATTR_HASH_ALG		2	/* B */
#define OAKLEY_ATTR_AUTH_METHOD		3	/* B */
#define OAKLEY_ATTR_GRP_DESC		4	/* B */
#define OAKLEY_ATTR_GRP_TYPE		5	/* B */
#define OAKLEY_ATTR_GRP_PI		6	/* V */
#define OAKLEY_ATTR_GRP_GEN_ONE		7	/* V */
#define OAKLEY_ATTR_GRP_GEN_TWO		8	/* V */
#define OAKLEY_ATTR_GRP_CURVE_A		9	/* V */
#define OAKLEY_ATTR_GRP_CURVE_B		10	/* V */
#define OAKLEY_ATTR_SA_LD_TYPE		11	/* B */
#define OAKLEY_ATTR_SA_LD		12	/* V */
#define OAKLEY_ATTR_PRF			13	/* B */
#define OAKLEY_ATTR_KEY_LEN		14	/* B */
#define OAKLEY_ATTR_FIELD_SIZE		15	/* B */
#define OAKLEY_ATTR_GRP_ORDER		16	/* V */

#define OAKLEY_AUTH_PSK			1
#define OAKLEY_AUTH_DSSSIG		2
#define OAKLEY_AUTH_RSASIG		3
#define OAKLEY_AUTH_RSAENC		4
#define OAKLEY_AUTH_RSAREV		5

#define OAKLEY_LIFE_SECONDS		1
#define OAKLEY_LIFE_KILOBYTES		2

/* IPsec DOI SA attributes, RFC 2407 4.5. */
#define IPSECDOI_ATTR_SA_LD_TYPE	1	/* B */
#define IPSECDOI_ATTR_SA_LD		2	/* V */
#define IPSECDOI_ATTR_GRP_DESC		3	/* B */
#define IPSECDOI_ATTR_ENC_MODE		4	/* B */
#define IPSECDOI_ATTR_AUTH		5	/* B */
#define IPSECDOI_ATTR_KEY_LENGTH	6	/* B */
#define IPSECDOI_ATTR_KEY_ROUNDS	7	/* B */
#define IPSECDOI_ATTR_COMP_DICT_SIZE	8	/* B */
#define IPSECDOI_ATTR_COMP_PRIVALG	9	/* V */

#define IPSECDOI_MODE_TUNNEL		1
#define IPSECDOI_MODE_TRANSPORT		2
#define IPSECDOI_MODE_UDPTUNNEL_RFC	3	/* RFC 3947 */
#define IPSECDOI_MODE_UDPTRNS_RFC	4
#define IPSECDOI_MODE_UDPTUNNEL_DRAFT	61443
#define IPSECDOI_MODE_UDPTRNS_DRAFT	61444

/* Identification types, RFC 2407 4.6.2.1. */
#define IPSECDOI_ID_IPV4_ADDR		1
#define IPSECDOI_ID_FQDN		2
#define IPSECDOI_ID_USER_FQDN		3
#define IPSECDOI_ID_IPV4_ADDR_SUBNET	4
#define IPSECDOI_ID_IPV6_ADDR		5
#define IPSECDOI_ID_IPV6_ADDR_SUBNET	6
#define IPSECDOI_ID_IPV4_ADDR_RANGE	7
#define IPSECDOI_ID_IPV6_ADDR_RANGE	8
#define IPSECDOI_ID_DER_ASN1_DN		9
#define IPSECDOI_ID_DER_ASN1_GN		10
#define IPSECDOI_ID_KEY_ID		11

/* Certificate encodings, RFC 2408 3.9 (11: racoon's plain RSA key). */
#define ISAKMP_CERT_NONE		0
#define ISAKMP_CERT_PKCS7		1
#define ISAKMP_CERT_PGP			2
#define ISAKMP_CERT_DNS			3
#define ISAKMP_CERT_X509SIGN		4
#define ISAKMP_CERT_X509KE		5
#define ISAKMP_CERT_KERBEROS		6
#define ISAKMP_CERT_CRL			7
#define ISAKMP_CERT_ARL			8
#define ISAKMP_CERT_SPKI		9
#define ISAKMP_CERT_X509ATTR		10
#define ISAKMP_CERT_PLAINRSA		11

/* Mode config message types (draft-dukes-ike-mode-cfg 3.2). */
#define ISAKMP_CFG_REQUEST		1
#define ISAKMP_CFG_REPLY		2
#define ISAKMP_CFG_SET			3
#define ISAKMP_CFG_ACK			4

/* Where attributes are read: their meanings and forms differ. */
enum isakmp_attr_ctx {
	ISAKMP_ATTR_PH1,	/* transforms of an ISAKMP proposal */
	ISAKMP_ATTR_IPSEC,	/* transforms of AH, ESP, IPCOMP proposals */
	ISAKMP_ATTR_CFG,	/* mode config attribute payload */
};

const char *isakmp_attr_name(enum isakmp_attr_ctx, unsigned);
const char *isakmp_idtype_name(unsigned);
const char *isakmp_certenc_name(unsigned);
const char *isakmp_auth_name(unsigned);
const char *isakmp_encmode_name(unsigned);

/* Caps on counts a peer could inflate. */
#define ISAKMP_MAX_PROP		64	/* proposals in an SA */
#define ISAKMP_MAX_TRANS	64	/* transforms in a proposal */
#define ISAKMP_MAX_ATTR		64	/* attributes in a transform */
#define ISAKMP_MAX_SPI		16	/* SPI bytes */

/* One data attribute (RFC 2408 3.3), TV or TLV. */
struct isakmp_attr {
	uint16_t	 at_type;	/* AF bit removed */
	int		 at_tv;		/* basic form: at_value */
	uint16_t	 at_value;
	const uint8_t	*at_data;	/* TLV: the value, at_len bytes */
	uint16_t	 at_len;
};

/* Next attribute from a checked list; -1 at the end or if malformed. */
int	 isakmp_attr_next(struct rbuf *, struct isakmp_attr *);
/* The value as a number: TV, or TLV of 1..8 bytes; -1 otherwise. */
int	 isakmp_attr_uint(const struct isakmp_attr *, uint64_t *);
int	 isakmp_attr_put_tv(struct wbuf *, uint16_t, uint16_t);
int	 isakmp_attr_put_tlv(struct wbuf *, uint16_t, const void *, size_t);
/* TV when it fits 16 bits, else the shortest of 4 or 8 bytes TLV. */
int	 isakmp_attr_put_uint(struct wbuf *, uint16_t, uint64_t);
/* Check an attribute list whole against ctx (forms, sizes, count). */
int	 isakmp_attrs_check(const struct rbuf *, enum isakmp_attr_ctx);

struct isakmp_sa {
	uint32_t	 sa_doi;
	uint32_t	 sa_sit;
	struct rbuf	 sa_props;	/* the proposal payloads */
	size_t		 sa_nprop;
};

struct isakmp_prop {
	uint8_t		 prop_num;
	uint8_t		 prop_proto;
	uint8_t		 prop_spisize;
	uint8_t		 prop_ntrans;
	uint8_t		 prop_spi[ISAKMP_MAX_SPI];
	struct rbuf	 prop_trans;	/* the transform payloads */
};

struct isakmp_trans {
	uint8_t		 tr_num;
	uint8_t		 tr_id;
	struct rbuf	 tr_attrs;
};

int	 isakmp_sa_parse(struct rbuf *, struct isakmp_sa *);
/* Iterators over a parsed SA: start from a copy of sa_props/prop_trans. */
int	 isakmp_prop_next(struct rbuf *, struct isakmp_prop *);
int	 isakmp_trans_next(struct rbuf *, uint8_t, struct isakmp_trans *);

/*
 * SA builder: begin, then per proposal _prop, per transform _trans
 * followed by its attributes (isakmp_attr_put_* on so_wb), then end.
 * Next payload fields, lengths and transform counts are patched.
 */
struct isakmp_sa_out {
	struct wbuf	*so_wb;
	size_t		 so_prop_np;
	size_t		 so_prop_len;
	size_t		 so_ntrans_off;
	size_t		 so_tr_np;
	size_t		 so_tr_len;
	unsigned	 so_ntrans;
	int		 so_prop_open;
	int		 so_tr_open;
};

int	 isakmp_sa_build_begin(struct isakmp_sa_out *, struct wbuf *,
	    uint32_t, uint32_t);
int	 isakmp_sa_build_prop(struct isakmp_sa_out *, uint8_t, uint8_t,
	    const uint8_t *, uint8_t);
int	 isakmp_sa_build_trans(struct isakmp_sa_out *, uint8_t, uint8_t);
int	 isakmp_sa_build_end(struct isakmp_sa_out *);

/* KE, HASH, SIG, NONCE, VID, NAT-D: opaque data with per-type bounds. */
struct isakmp_data {
	const uint8_t	*data_ptr;
	size_t		 data_len;
};

int	 isakmp_data_parse(struct rbuf *, uint8_t, struct isakmp_data *);
int	 isakmp_data_build(struct wbuf *, const void *, size_t);

struct isakmp_id {
	uint8_t		 id_type;
	uint8_t		 id_proto;
	uint16_t	 id_port;
	const uint8_t	*id_data;
	size_t		 id_len;
};

int	 isakmp_id_parse(struct rbuf *, struct isakmp_id *);
int	 isakmp_id_build(struct wbuf *, const struct isakmp_id *);

/* CERT and CR: an encoding and data (for CR the CA, maybe empty). */
struct isakmp_cert {
	uint8_t		 cert_enc;
	const uint8_t	*cert_data;
	size_t		 cert_len;
};

int	 isakmp_cert_parse(struct rbuf *, struct isakmp_cert *);
int	 isakmp_cr_parse(struct rbuf *, struct isakmp_cert *);
int	 isakmp_cert_build(struct wbuf *, const struct isakmp_cert *);

struct isakmp_notify {
	uint32_t	 n_doi;
	uint8_t		 n_proto;
	uint8_t		 n_spisize;
	uint16_t	 n_type;
	uint8_t		 n_spi[ISAKMP_MAX_SPI];
	const uint8_t	*n_data;
	size_t		 n_len;
};

int	 isakmp_notify_parse(struct rbuf *, struct isakmp_notify *);
int	 isakmp_notify_build(struct wbuf *, const struct isakmp_notify *);

struct isakmp_delete {
	uint32_t	 d_doi;
	uint8_t		 d_proto;
	uint8_t		 d_spisize;
	uint16_t	 d_nspi;
	const uint8_t	*d_spis;	/* d_nspi * d_spisize bytes */
};

int	 isakmp_delete_parse(struct rbuf *, struct isakmp_delete *);
int	 isakmp_delete_build(struct wbuf *, const struct isakmp_delete *);

/* NAT-OA (RFC 3947 5.2): an IPv4 or IPv6 address. */
struct isakmp_natoa {
	uint8_t		 oa_idtype;	/* IPSECDOI_ID_IPV[46]_ADDR */
	uint8_t		 oa_addr[16];
	size_t		 oa_len;
};

int	 isakmp_natoa_parse(struct rbuf *, struct isakmp_natoa *);
int	 isakmp_natoa_build(struct wbuf *, const struct isakmp_natoa *);

/* Mode config attribute payload. */
struct isakmp_cfg {
	uint8_t		 cfg_type;
	uint16_t	 cfg_id;
	struct rbuf	 cfg_attrs;
};

int	 isakmp_cfg_parse(struct rbuf *, struct isakmp_cfg *);
/* Writes the fixed part; attributes follow with isakmp_attr_put_*. */
int	 isakmp_cfg_build(struct wbuf *, uint8_t, uint16_t);

/*
 * Parse any payload of a walked message by its type, for callers that
 * only need it checked (the fuzzer, a generic validation pass).
 */
int	 isakmp_pld_check(uint8_t, const struct rbuf *);

#endif /* ISAKMP_PLD_H */
