/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/racoon/isakmp.c and isakmp_pld.c: the header, the
 * payload chain, every payload built, parsed and built again to the same
 * bytes, hostile inputs refused with the notify the RFC names, and the
 * payload-rule tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "test_helper.h"
#include "vectors.h"

static const uint8_t ckyi[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t ckyr[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };

static void
hdr_init(struct isakmp_hdr *h, uint8_t etype, uint8_t flags, uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->hdr_icookie, ckyi, 8);
	memcpy(h->hdr_rcookie, ckyr, 8);
	h->hdr_version = ISAKMP_VERSION;
	h->hdr_etype = etype;
	h->hdr_flags = flags;
	h->hdr_msgid = msgid;
}

static void
out_begin(struct isakmp_out *out, struct wbuf *wb, uint8_t etype,
    uint8_t flags, uint32_t msgid)
{
	struct isakmp_hdr h;

	hdr_init(&h, etype, flags, msgid);
	ASSERT_INT_EQ(wbuf_init(wb, 256, 65536), 0);
	ASSERT_INT_EQ(isakmp_out_begin(out, wb, &h), 0);
}

/* A phase 1 SA: one ISAKMP proposal with two transforms. */
static void
build_sa_ph1(struct wbuf *wb)
{
	struct isakmp_sa_out so;

	ASSERT_INT_EQ(isakmp_sa_build_begin(&so, wb, IPSEC_DOI,
	    IPSEC_SIT_IDENTITY_ONLY), 0);
	ASSERT_INT_EQ(isakmp_sa_build_prop(&so, 1, ISAKMP_PROTO_ISAKMP,
	    NULL, 0), 0);
	ASSERT_INT_EQ(isakmp_sa_build_trans(&so, 1, ISAKMP_TRANS_KEY_IKE), 0);
	isakmp_attr_put_tv(wb, OAKLEY_ATTR_ENC_ALG, 7);
	isakmp_attr_put_tv(wb, OAKLEY_ATTR_KEY_LEN, 256);
	isakmp_attr_put_tv(wb, OAKLEY_ATTR_HASH_ALG, 2);
	isakmp_attr_put_tv(wb, OAKLEY_ATTR_AUTH_METHOD, OAKLEY_AUTH_PSK);
	isakmp_attr_put_tv(wb, OAKLEY_ATTR_GRP_DESC, 14);
	isakmp_attr_put_tv(wb, OAKLEY_ATTR_SA_LD_TYPE, OAKLEY_LIFE_SECONDS);
	ASSERT_INT_EQ(isakmp_attr_put_uint(wb, OAKLEY_ATTR_SA_LD, 86400), 0);
	ASSERT_INT_EQ(isakmp_sa_build_trans(&so, 2, ISAKMP_TRANS_KEY_IKE), 0);
	isakmp_attr_put_tv(wb, OAKLEY_ATTR_ENC_ALG, 5);
	isakmp_attr_put_tv(wb, OAKLEY_ATTR_HASH_ALG, 1);
	isakmp_attr_put_tv(wb, OAKLEY_ATTR_AUTH_METHOD, OAKLEY_AUTH_PSK);
	isakmp_attr_put_tv(wb, OAKLEY_ATTR_GRP_DESC, 2);
	ASSERT_INT_EQ(isakmp_sa_build_end(&so), 0);
}

/* A quick mode SA: ESP proposal #1 and the same number for AH (AND). */
static void
build_sa_qm(struct wbuf *wb, uint8_t first, uint8_t second)
{
	static const uint8_t spi[4] = { 0xc0, 0xff, 0xee, 0x01 };
	struct isakmp_sa_out so;

	ASSERT_INT_EQ(isakmp_sa_build_begin(&so, wb, IPSEC_DOI,
	    IPSEC_SIT_IDENTITY_ONLY), 0);
	ASSERT_INT_EQ(isakmp_sa_build_prop(&so, first, ISAKMP_PROTO_ESP,
	    spi, 4), 0);
	ASSERT_INT_EQ(isakmp_sa_build_trans(&so, 1, 12), 0);
	isakmp_attr_put_tv(wb, IPSECDOI_ATTR_ENC_MODE,
	    IPSECDOI_MODE_TRANSPORT);
	isakmp_attr_put_tv(wb, IPSECDOI_ATTR_AUTH, 2);
	isakmp_attr_put_tv(wb, IPSECDOI_ATTR_KEY_LENGTH, 128);
	ASSERT_INT_EQ(isakmp_attr_put_uint(wb, IPSECDOI_ATTR_SA_LD,
	    0x100000000ULL), 0);
	ASSERT_INT_EQ(isakmp_sa_build_prop(&so, second, ISAKMP_PROTO_AH,
	    spi, 4), 0);
	ASSERT_INT_EQ(isakmp_sa_build_trans(&so, 1, 3), 0);
	isakmp_attr_put_tv(wb, IPSECDOI_ATTR_AUTH, 2);
	ASSERT_INT_EQ(isakmp_sa_build_end(&so), 0);
}

/* Rebuild a parsed SA through the builder, from the iterators. */
static void
rebuild_sa(struct wbuf *wb, const struct isakmp_sa *sa)
{
	struct isakmp_sa_out so;
	struct isakmp_prop p;
	struct isakmp_trans t;
	struct isakmp_attr at;
	struct rbuf props = sa->sa_props, trs, attrs;

	ASSERT_INT_EQ(isakmp_sa_build_begin(&so, wb, sa->sa_doi,
	    sa->sa_sit), 0);
	while (rbuf_left(&props) > 0) {
		ASSERT_INT_EQ(isakmp_prop_next(&props, &p), ISAKMP_N_OK);
		ASSERT_INT_EQ(isakmp_sa_build_prop(&so, p.prop_num,
		    p.prop_proto, p.prop_spi, p.prop_spisize), 0);
		trs = p.prop_trans;
		while (rbuf_left(&trs) > 0) {
			ASSERT_INT_EQ(isakmp_trans_next(&trs, p.prop_proto, &t),
			    ISAKMP_N_OK);
			ASSERT_INT_EQ(isakmp_sa_build_trans(&so, t.tr_num,
			    t.tr_id), 0);
			attrs = t.tr_attrs;
			while (isakmp_attr_next(&attrs, &at) == 0) {
				if (at.at_tv)
					isakmp_attr_put_tv(wb, at.at_type,
					    at.at_value);
				else
					isakmp_attr_put_tlv(wb, at.at_type,
					    at.at_data, at.at_len);
			}
		}
	}
	ASSERT_INT_EQ(isakmp_sa_build_end(&so), 0);
}

static void
t_sa_roundtrip(void)
{
	struct isakmp_out out;
	struct isakmp_msg msg;
	struct isakmp_sa sa;
	struct isakmp_prop p;
	struct isakmp_trans t;
	struct isakmp_attr at;
	struct wbuf wb, wb2;
	struct rbuf body, props, trs;
	uint64_t v;

	out_begin(&out, &wb, ISAKMP_ETYPE_IDENT, 0, 0);
	ASSERT_INT_EQ(isakmp_out_pld(&out, ISAKMP_NPTYPE_SA), 0);
	build_sa_ph1(&wb);
	ASSERT_INT_EQ(isakmp_out_pld(&out, ISAKMP_NPTYPE_VID), 0);
	isakmp_data_build(&wb, "racoon", 6);
	ASSERT_INT_EQ(isakmp_out_end(&out), 0);

	ASSERT_INT_EQ(isakmp_msg_parse(wbuf_data(&wb), wbuf_len(&wb), &msg),
	    ISAKMP_N_OK);
	ASSERT_INT_EQ(msg.msg_npld, 2);
	ASSERT_INT_EQ(msg.msg_hdr.hdr_np, ISAKMP_NPTYPE_SA);
	ASSERT_INT_EQ(msg.msg_hdr.hdr_len, wbuf_len(&wb));
	ASSERT_INT_EQ(isakmp_rules_check(&msg, ISAKMP_ROLE_I, 1),
	    ISAKMP_N_OK);
	body = msg.msg_pld[0].pld_body;
	ASSERT_INT_EQ(isakmp_sa_parse(&body, &sa), ISAKMP_N_OK);
	ASSERT_INT_EQ(sa.sa_nprop, 1);
	props = sa.sa_props;
	ASSERT_INT_EQ(isakmp_prop_next(&props, &p), ISAKMP_N_OK);
	ASSERT_INT_EQ(p.prop_ntrans, 2);
	trs = p.prop_trans;
	ASSERT_INT_EQ(isakmp_trans_next(&trs, p.prop_proto, &t), ISAKMP_N_OK);
	ASSERT_INT_EQ(t.tr_num, 1);
	ASSERT_INT_EQ(isakmp_attr_next(&t.tr_attrs, &at), 0);
	ASSERT_INT_EQ(at.at_type, OAKLEY_ATTR_ENC_ALG);
	ASSERT_INT_EQ(at.at_value, 7);
	while (isakmp_attr_next(&t.tr_attrs, &at) == 0)
		if (at.at_type == OAKLEY_ATTR_SA_LD)
			break;
	ASSERT_INT_EQ(at.at_tv, 0);
	ASSERT_INT_EQ(at.at_len, 4);
	ASSERT_INT_EQ(isakmp_attr_uint(&at, &v), 0);
	ASSERT_U64_EQ(v, 86400);

	/* Rebuilt from what was parsed, the SA body is the same bytes. */
	ASSERT_INT_EQ(wbuf_init(&wb2, 64, 4096), 0);
	rebuild_sa(&wb2, &sa);
	ASSERT_INT_EQ(wbuf_len(&wb2), rbuf_left(&msg.msg_pld[0].pld_body));
	ASSERT_MEM_EQ(wbuf_data(&wb2), rbuf_ptr(&msg.msg_pld[0].pld_body),
	    wbuf_len(&wb2));
	wbuf_free(&wb2);
	wbuf_free(&wb);
}

static void
t_sa_qm_roundtrip(void)
{
	struct isakmp_sa sa;
	struct isakmp_prop p;
	struct isakmp_trans t;
	struct isakmp_attr at;
	struct wbuf wb, wb2;
	struct rbuf rb, props;
	uint64_t v = 0;

	ASSERT_INT_EQ(wbuf_init(&wb, 64, 4096), 0);
	build_sa_qm(&wb, 1, 1);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(isakmp_sa_parse(&rb, &sa), ISAKMP_N_OK);
	ASSERT_INT_EQ(sa.sa_nprop, 2);
	props = sa.sa_props;
	ASSERT_INT_EQ(isakmp_prop_next(&props, &p), ISAKMP_N_OK);
	ASSERT_INT_EQ(p.prop_proto, ISAKMP_PROTO_ESP);
	ASSERT_INT_EQ(p.prop_spisize, 4);
	ASSERT_INT_EQ(p.prop_spi[0], 0xc0);
	ASSERT_INT_EQ(isakmp_trans_next(&p.prop_trans, p.prop_proto, &t),
	    ISAKMP_N_OK);
	while (isakmp_attr_next(&t.tr_attrs, &at) == 0)
		if (at.at_type == IPSECDOI_ATTR_SA_LD)
			ASSERT_INT_EQ(isakmp_attr_uint(&at, &v), 0);
	/* Over 32 bits, the duration goes out as an 8-byte TLV. */
	ASSERT_U64_EQ(v, 0x100000000ULL);
	ASSERT_INT_EQ(wbuf_init(&wb2, 64, 4096), 0);
	rebuild_sa(&wb2, &sa);
	ASSERT_INT_EQ(wbuf_len(&wb2), wbuf_len(&wb));
	ASSERT_MEM_EQ(wbuf_data(&wb2), wbuf_data(&wb), wbuf_len(&wb));
	wbuf_free(&wb2);
	wbuf_free(&wb);
}

/*
 * One payload: build it into a message, parse it back, rebuild it from
 * the parsed structure, and compare the bytes.
 */
typedef void (*build_fn)(struct wbuf *, const void *);

static void
b_data(struct wbuf *wb, const void *p)
{
	const struct isakmp_data *d = p;

	isakmp_data_build(wb, d->data_ptr, d->data_len);
}

static void
b_id(struct wbuf *wb, const void *p)
{
	isakmp_id_build(wb, p);
}

static void
b_cert(struct wbuf *wb, const void *p)
{
	isakmp_cert_build(wb, p);
}

static void
b_n(struct wbuf *wb, const void *p)
{
	isakmp_notify_build(wb, p);
}

static void
b_d(struct wbuf *wb, const void *p)
{
	isakmp_delete_build(wb, p);
}

static void
b_oa(struct wbuf *wb, const void *p)
{
	isakmp_natoa_build(wb, p);
}

static void
one_payload(struct wbuf *wb, uint8_t type, build_fn fn, const void *arg)
{
	struct isakmp_out out;

	out_begin(&out, wb, ISAKMP_ETYPE_INFO, 0, 0);
	ASSERT_INT_EQ(isakmp_out_pld(&out, type), 0);
	fn(wb, arg);
	ASSERT_INT_EQ(isakmp_out_end(&out), 0);
}

/*
 * Parse the single payload into st with parse, rebuild, compare.  st
 * points into the message, which stays in wb for the caller to free.
 */
static void
roundtrip(uint8_t type, build_fn fn, const void *arg,
    int (*parse)(struct rbuf *, void *), void *st, struct wbuf *keep)
{
	struct isakmp_msg msg;
	struct wbuf wb, wb2;
	struct rbuf body;

	one_payload(&wb, type, fn, arg);
	ASSERT_INT_EQ(isakmp_msg_parse(wbuf_data(&wb), wbuf_len(&wb), &msg),
	    ISAKMP_N_OK);
	ASSERT_INT_EQ(msg.msg_npld, 1);
	ASSERT_INT_EQ(msg.msg_pld[0].pld_type, type);
	ASSERT_INT_EQ(isakmp_pld_check(type, &msg.msg_pld[0].pld_body),
	    ISAKMP_N_OK);
	body = msg.msg_pld[0].pld_body;
	ASSERT_INT_EQ(parse(&body, st), ISAKMP_N_OK);
	ASSERT_INT_EQ(rbuf_left(&body), 0);
	one_payload(&wb2, type, fn, st);
	ASSERT_INT_EQ(wbuf_len(&wb2), wbuf_len(&wb));
	ASSERT_MEM_EQ(wbuf_data(&wb2), wbuf_data(&wb), wbuf_len(&wb));
	wbuf_free(&wb2);
	wbuf_free(keep);
	*keep = wb;
}

static uint8_t data_type;

static int
p_data(struct rbuf *rb, void *st)
{
	return isakmp_data_parse(rb, data_type, st);
}

static int
p_id(struct rbuf *rb, void *st)
{
	return isakmp_id_parse(rb, st);
}

static int
p_cert(struct rbuf *rb, void *st)
{
	return isakmp_cert_parse(rb, st);
}

static int
p_cr(struct rbuf *rb, void *st)
{
	return isakmp_cr_parse(rb, st);
}

static int
p_n(struct rbuf *rb, void *st)
{
	return isakmp_notify_parse(rb, st);
}

static int
p_d(struct rbuf *rb, void *st)
{
	return isakmp_delete_parse(rb, st);
}

static int
p_oa(struct rbuf *rb, void *st)
{
	return isakmp_natoa_parse(rb, st);
}

static void
t_data_roundtrip(void)
{
	struct wbuf keep = { 0 };
	static const uint8_t types[] = { ISAKMP_NPTYPE_KE, ISAKMP_NPTYPE_HASH,
	    ISAKMP_NPTYPE_SIG, ISAKMP_NPTYPE_NONCE, ISAKMP_NPTYPE_VID,
	    ISAKMP_NPTYPE_NATD, ISAKMP_NPTYPE_NATD_DRAFT };
	uint8_t bytes[32];
	struct isakmp_data d = { bytes, sizeof(bytes) }, got;
	size_t i;

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(i * 7);
	for (i = 0; i < sizeof(types); i++) {
		data_type = types[i];
		roundtrip(types[i], b_data, &d, p_data, &got, &keep);
		ASSERT_INT_EQ(got.data_len, sizeof(bytes));
		ASSERT_MEM_EQ(got.data_ptr, bytes, sizeof(bytes));
	}
	wbuf_free(&keep);
}

static void
t_id_roundtrip(void)
{
	struct wbuf keep = { 0 };
	static const uint8_t v4[4] = { 10, 77, 0, 1 };
	static const uint8_t v6net[32] = { 0xfd, 0, 0, 0x77 };
	struct isakmp_id id = { IPSECDOI_ID_IPV4_ADDR, 17, 500, v4, 4 }, got;

	roundtrip(ISAKMP_NPTYPE_ID, b_id, &id, p_id, &got, &keep);
	ASSERT_INT_EQ(got.id_port, 500);
	ASSERT_INT_EQ(got.id_proto, 17);
	id.id_type = IPSECDOI_ID_IPV6_ADDR_SUBNET;
	id.id_data = v6net;
	id.id_len = 32;
	roundtrip(ISAKMP_NPTYPE_ID, b_id, &id, p_id, &got, &keep);
	id.id_type = IPSECDOI_ID_USER_FQDN;
	id.id_data = (const uint8_t *)"user@example.org";
	id.id_len = 16;
	roundtrip(ISAKMP_NPTYPE_ID, b_id, &id, p_id, &got, &keep);
	ASSERT_INT_EQ(got.id_len, 16);
	wbuf_free(&keep);
}

static void
t_cert_roundtrip(void)
{
	struct wbuf keep = { 0 };
	struct isakmp_cert c = { ISAKMP_CERT_X509SIGN,
	    (const uint8_t *)"\x30\x03\x02\x01\x01", 5 }, got;

	roundtrip(ISAKMP_NPTYPE_CERT, b_cert, &c, p_cert, &got, &keep);
	ASSERT_INT_EQ(got.cert_enc, ISAKMP_CERT_X509SIGN);
	c.cert_len = 0;
	roundtrip(ISAKMP_NPTYPE_CR, b_cert, &c, p_cr, &got, &keep);
	ASSERT_INT_EQ(got.cert_len, 0);
	wbuf_free(&keep);
}

static void
t_notify_delete_roundtrip(void)
{
	struct wbuf keep = { 0 };
	static const uint8_t spis[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct isakmp_notify n, ngot;
	struct isakmp_delete d = { IPSEC_DOI, ISAKMP_PROTO_ESP, 4, 2, spis };
	struct isakmp_delete dgot;

	memset(&n, 0, sizeof(n));
	n.n_doi = IPSEC_DOI;
	n.n_proto = ISAKMP_PROTO_ISAKMP;
	n.n_spisize = 16;
	memcpy(n.n_spi, ckyi, 8);
	memcpy(n.n_spi + 8, ckyr, 8);
	n.n_type = ISAKMP_N_R_U_THERE;
	n.n_data = (const uint8_t *)"\0\0\0\x2a";
	n.n_len = 4;
	roundtrip(ISAKMP_NPTYPE_N, b_n, &n, p_n, &ngot, &keep);
	ASSERT_INT_EQ(ngot.n_type, ISAKMP_N_R_U_THERE);
	ASSERT_MEM_EQ(ngot.n_spi, n.n_spi, 16);
	roundtrip(ISAKMP_NPTYPE_D, b_d, &d, p_d, &dgot, &keep);
	ASSERT_INT_EQ(dgot.d_nspi, 2);
	ASSERT_MEM_EQ(dgot.d_spis, spis, 8);
	wbuf_free(&keep);
}

static void
t_natoa_roundtrip(void)
{
	struct wbuf keep = { 0 };
	struct isakmp_natoa oa, got;

	memset(&oa, 0, sizeof(oa));
	oa.oa_idtype = IPSECDOI_ID_IPV4_ADDR;
	oa.oa_len = 4;
	memcpy(oa.oa_addr, "\x0a\x4d\x01\x02", 4);
	roundtrip(ISAKMP_NPTYPE_NATOA, b_oa, &oa, p_oa, &got, &keep);
	ASSERT_MEM_EQ(got.oa_addr, oa.oa_addr, 4);
	oa.oa_idtype = IPSECDOI_ID_IPV6_ADDR;
	oa.oa_len = 16;
	roundtrip(ISAKMP_NPTYPE_NATOA_DRAFT, b_oa, &oa, p_oa, &got, &keep);
	ASSERT_INT_EQ(got.oa_len, 16);
	wbuf_free(&keep);
}

static void
t_cfg_roundtrip(void)
{
	struct isakmp_cfg cfg;
	struct isakmp_attr at;
	struct wbuf wb, wb2;
	struct rbuf rb;

	ASSERT_INT_EQ(wbuf_init(&wb, 64, 4096), 0);
	isakmp_cfg_build(&wb, ISAKMP_CFG_REPLY, 0x1234);
	isakmp_attr_put_tlv(&wb, 1, "\x0a\x4d\x00\x05", 4);
	isakmp_attr_put_tlv(&wb, 3, "\x0a\x4d\x00\x01", 4);
	isakmp_attr_put_tlv(&wb, 3, "\x0a\x4d\x00\x02", 4);
	isakmp_attr_put_tlv(&wb, 7, NULL, 0);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(isakmp_cfg_parse(&rb, &cfg), ISAKMP_N_OK);
	ASSERT_INT_EQ(cfg.cfg_type, ISAKMP_CFG_REPLY);
	ASSERT_INT_EQ(cfg.cfg_id, 0x1234);
	ASSERT_INT_EQ(wbuf_init(&wb2, 64, 4096), 0);
	isakmp_cfg_build(&wb2, cfg.cfg_type, cfg.cfg_id);
	while (isakmp_attr_next(&cfg.cfg_attrs, &at) == 0)
		isakmp_attr_put_tlv(&wb2, at.at_type, at.at_data, at.at_len);
	ASSERT_INT_EQ(wbuf_len(&wb2), wbuf_len(&wb));
	ASSERT_MEM_EQ(wbuf_data(&wb2), wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_STR_EQ(isakmp_attr_name(ISAKMP_ATTR_CFG, 3), "INTERNAL_IP4_DNS");
	wbuf_free(&wb2);
	wbuf_free(&wb);
}

/* Parse a hand-made datagram; returns the notify. */
static int
parse_bytes(const uint8_t *b, size_t len)
{
	struct isakmp_msg msg;

	return isakmp_msg_parse(b, len, &msg);
}

/* A 28-byte header + one N payload; fields patched by the tests. */
static size_t
mk_msg(uint8_t *b, uint8_t np, uint16_t pldlen, size_t total)
{
	memset(b, 0, total);
	memcpy(b, ckyi, 8);
	memcpy(b + 8, ckyr, 8);
	b[16] = np;
	b[17] = ISAKMP_VERSION;
	b[18] = ISAKMP_ETYPE_INFO;
	b[24] = (uint8_t)(total >> 24);
	b[25] = (uint8_t)(total >> 16);
	b[26] = (uint8_t)(total >> 8);
	b[27] = (uint8_t)total;
	if (total >= 32) {
		b[30] = (uint8_t)(pldlen >> 8);
		b[31] = (uint8_t)pldlen;
	}
	return total;
}

static void
t_hdr_hostile(void)
{
	uint8_t b[64];
	size_t n;

	n = mk_msg(b, ISAKMP_NPTYPE_VID, 8, 36);
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_OK);
	ASSERT_INT_EQ(parse_bytes(b, 27), ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(parse_bytes(b, n - 1), ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS);
	b[17] = 0x20;
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_INVALID_MAJOR_VERSION);
	b[17] = 0x11;
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_INVALID_MINOR_VERSION);
	b[17] = ISAKMP_VERSION;
	b[18] = 77;
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_INVALID_EXCHANGE_TYPE);
	b[18] = ISAKMP_ETYPE_INFO;
	b[19] = 0x08;
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_INVALID_FLAGS);
	b[19] = 0;
	b[18] = ISAKMP_ETYPE_IDENT;
	b[23] = 1;
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_INVALID_MESSAGE_ID);
	b[18] = ISAKMP_ETYPE_QUICK;
	b[23] = 0;
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_INVALID_MESSAGE_ID);
	b[18] = ISAKMP_ETYPE_INFO;
	memset(b, 0, 8);
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_INVALID_COOKIE);
}

static void
t_chain_hostile(void)
{
	uint8_t b[64];
	size_t n;

	/* Payload length past the end, zero, and below the header. */
	n = mk_msg(b, ISAKMP_NPTYPE_VID, 9, 36);
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_PAYLOAD_MALFORMED);
	n = mk_msg(b, ISAKMP_NPTYPE_VID, 0, 36);
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_PAYLOAD_MALFORMED);
	n = mk_msg(b, ISAKMP_NPTYPE_VID, 3, 36);
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_PAYLOAD_MALFORMED);
	/* Unknown next payload, in the header and in the chain. */
	n = mk_msg(b, 99, 8, 36);
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_INVALID_PAYLOAD_TYPE);
	n = mk_msg(b, ISAKMP_NPTYPE_VID, 8, 36);
	b[28] = 55;
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_INVALID_PAYLOAD_TYPE);
	/* Proposal and transform payloads only live inside an SA. */
	n = mk_msg(b, ISAKMP_NPTYPE_P, 8, 36);
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_INVALID_PAYLOAD_TYPE);
	/* Reserved byte, and bytes after the last payload in plaintext. */
	n = mk_msg(b, ISAKMP_NPTYPE_VID, 8, 36);
	b[29] = 1;
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_PAYLOAD_MALFORMED);
	n = mk_msg(b, ISAKMP_NPTYPE_VID, 8, 40);
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_PAYLOAD_MALFORMED);
	/* ...allowed when the body was encrypted (CBC padding). */
	b[19] = ISAKMP_FLAG_E;
	ASSERT_INT_EQ(parse_bytes(b, n), ISAKMP_N_OK);
}

/* More payloads than any message may carry: a huge count. */
static void
t_chain_too_many(void)
{
	struct isakmp_out out;
	struct isakmp_msg msg;
	struct wbuf wb;
	int i;

	out_begin(&out, &wb, ISAKMP_ETYPE_INFO, 0, 0);
	for (i = 0; i <= ISAKMP_MAX_PLD; i++) {
		ASSERT_INT_EQ(isakmp_out_pld(&out, ISAKMP_NPTYPE_VID), 0);
		isakmp_data_build(&wb, "v", 1);
	}
	ASSERT_INT_EQ(isakmp_out_end(&out), 0);
	ASSERT_INT_EQ(isakmp_msg_parse(wbuf_data(&wb), wbuf_len(&wb), &msg),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	wbuf_free(&wb);
}

static int
sa_bytes(const uint8_t *b, size_t len)
{
	struct isakmp_sa sa;
	struct rbuf rb;

	rbuf_init(&rb, b, len);
	return isakmp_sa_parse(&rb, &sa);
}

/* Offsets in build_sa_qm's output: SA 8, proposal #1 at 8. */
#define QM_P1		8
#define QM_P1_LEN	(QM_P1 + 2)
#define QM_P1_NTRANS	(QM_P1 + 7)
#define QM_T1		(QM_P1 + 12)

static void
t_sa_hostile(void)
{
	struct wbuf wb;
	uint8_t *b;
	size_t len;

	ASSERT_INT_EQ(wbuf_init(&wb, 64, 4096), 0);
	build_sa_qm(&wb, 2, 1);		/* proposals out of order */
	ASSERT_INT_EQ(sa_bytes(wbuf_data(&wb), wbuf_len(&wb)),
	    ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	wbuf_reset(&wb);
	build_sa_qm(&wb, 1, 2);
	b = wbuf_data(&wb);
	len = wbuf_len(&wb);
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_OK);
	ASSERT_INT_EQ(sa_bytes(b, 7), ISAKMP_N_PAYLOAD_MALFORMED);
	b[3] = 2;				/* DOI */
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_DOI_NOT_SUPPORTED);
	b[3] = 1;
	b[7] = 3;				/* situation */
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_SITUATION_NOT_SUPPORTED);
	b[7] = 1;
	b[QM_P1_NTRANS] = 200;			/* huge transform count */
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	b[QM_P1_NTRANS] = 2;			/* more than there are */
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	b[QM_P1_NTRANS] = 0;
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	b[QM_P1_NTRANS] = 1;
	b[QM_P1 + 6] = 8;			/* ESP SPI of 8 bytes */
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_INVALID_SPI);
	b[QM_P1 + 6] = 4;
	b[QM_P1 + 5] = 9;			/* protocol */
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_INVALID_PROTOCOL_ID);
	b[QM_P1 + 5] = ISAKMP_PROTO_ESP;
	b[QM_P1_LEN + 1] += 100;		/* proposal past the end */
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_PAYLOAD_MALFORMED);
	b[QM_P1_LEN + 1] -= 100;
	b[QM_P1] = 0;			/* says last, more follow */
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	b[QM_P1] = ISAKMP_NPTYPE_T;		/* wrong next type */
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	b[QM_P1] = ISAKMP_NPTYPE_P;
	b[QM_T1 + 6] = 1;			/* RESERVED2 */
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	b[QM_T1 + 6] = 0;
	ASSERT_INT_EQ(sa_bytes(b, len), ISAKMP_N_OK);
	ASSERT_INT_EQ(sa_bytes(b, 8), ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	wbuf_free(&wb);
}

/* A phase 1 transform with one attribute list; returns the SA verdict. */
static int
sa_with_attrs(const uint8_t *attrs, size_t len)
{
	struct isakmp_sa_out so;
	struct wbuf wb;
	int n;

	ASSERT_INT_EQ(wbuf_init(&wb, 64, 4096), 0);
	isakmp_sa_build_begin(&so, &wb, IPSEC_DOI, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_sa_build_prop(&so, 1, ISAKMP_PROTO_ISAKMP, NULL, 0);
	isakmp_sa_build_trans(&so, 1, ISAKMP_TRANS_KEY_IKE);
	wbuf_put_bytes(&wb, attrs, len);
	ASSERT_INT_EQ(isakmp_sa_build_end(&so), 0);
	n = sa_bytes(wbuf_data(&wb), wbuf_len(&wb));
	wbuf_free(&wb);
	return n;
}

static void
t_attr_hostile(void)
{
	/* Encryption algorithm is basic: as TLV it is refused. */
	static const uint8_t enc_tlv[] = { 0x00, 0x01, 0x00, 0x02, 0x00, 0x07 };
	/* Life duration of 9 bytes: larger than any counter. */
	static const uint8_t ld_9[] = { 0x00, 0x0c, 0x00, 0x09,
	    1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const uint8_t ld_0[] = { 0x00, 0x0c, 0x00, 0x00 };
	/* TLV whose length runs past the transform. */
	static const uint8_t past[] = { 0x00, 0x0c, 0x00, 0x08, 0, 1 };
	/* Half an attribute header. */
	static const uint8_t half[] = { 0x80, 0x01 };
	static const uint8_t twice[] = { 0x80, 0x01, 0x00, 0x07,
	    0x80, 0x01, 0x00, 0x05 };
	static const uint8_t good[] = { 0x80, 0x01, 0x00, 0x07,
	    0x80, 0x0c, 0x0e, 0x10, 0x00, 0x10, 0x00, 0x04, 0, 1, 0x51, 0x80,
	    0x7f, 0xf0, 0x00, 0x00 };
	uint8_t many[4 * (ISAKMP_MAX_ATTR + 1)];
	size_t i;

	ASSERT_INT_EQ(sa_with_attrs(good, sizeof(good)), ISAKMP_N_OK);
	ASSERT_INT_EQ(sa_with_attrs(enc_tlv, sizeof(enc_tlv)),
	    ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	ASSERT_INT_EQ(sa_with_attrs(ld_9, sizeof(ld_9)),
	    ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	ASSERT_INT_EQ(sa_with_attrs(ld_0, sizeof(ld_0)),
	    ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	ASSERT_INT_EQ(sa_with_attrs(past, sizeof(past)),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(sa_with_attrs(half, sizeof(half)),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(sa_with_attrs(twice, sizeof(twice)),
	    ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	for (i = 0; i <= ISAKMP_MAX_ATTR; i++) {
		/* Private attribute types, TV. */
		many[4 * i] = 0xc0 | (uint8_t)(i >> 8);
		many[4 * i + 1] = (uint8_t)i;
		many[4 * i + 2] = 0;
		many[4 * i + 3] = 1;
	}
	ASSERT_INT_EQ(sa_with_attrs(many, sizeof(many) - 4), ISAKMP_N_OK);
	ASSERT_INT_EQ(sa_with_attrs(many, sizeof(many)),
	    ISAKMP_N_BAD_PROPOSAL_SYNTAX);
}

static int
pld_bytes(uint8_t type, const uint8_t *b, size_t len)
{
	struct rbuf rb;

	rbuf_init(&rb, b, len);
	return isakmp_pld_check(type, &rb);
}

static void
t_payload_hostile(void)
{
	static const uint8_t id_v4_5[] = { 1, 0, 0, 0, 10, 0, 0, 1, 9 };
	static const uint8_t id_fqdn_0[] = { 2, 0, 0, 0 };
	static const uint8_t id_type99[] = { 99, 0, 0, 0, 1 };
	static const uint8_t n_short[] = { 0, 0, 0, 1, 3, 4, 0 };
	static const uint8_t n_spi_past[] = { 0, 0, 0, 1, 3, 4, 0x60, 0x02,
	    1, 2 };
	static const uint8_t n_doi[] = { 0, 0, 0, 7, 3, 0, 0x60, 0x02 };
	static const uint8_t n_type0[] = { 0, 0, 0, 1, 3, 0, 0, 0 };
	static const uint8_t d_huge[] = { 0, 0, 0, 1, 3, 4, 0xff, 0xff,
	    1, 2, 3, 4 };
	static const uint8_t d_zero[] = { 0, 0, 0, 1, 3, 4, 0, 0 };
	static const uint8_t d_isakmp4[] = { 0, 0, 0, 1, 1, 4, 0, 1,
	    1, 2, 3, 4 };
	static const uint8_t cert_enc[] = { 0, 1, 2 };
	static const uint8_t cert_empty[] = { 4 };
	static const uint8_t cr_enc[] = { 12 };
	static const uint8_t oa_v4_16[] = { 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7,
	    8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t oa_fqdn[] = { 2, 0, 0, 0, 1, 2, 3, 4 };
	static const uint8_t oa_res[] = { 1, 1, 0, 0, 1, 2, 3, 4 };
	static const uint8_t cfg_type[] = { 9, 0, 0, 1 };
	static const uint8_t nonce7[7] = { 0 };
	uint8_t nonce257[257] = { 0 }, hash65[65] = { 0 };

	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_ID, id_v4_5, sizeof(id_v4_5)),
	    ISAKMP_N_INVALID_ID_INFORMATION);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_ID, id_fqdn_0,
	    sizeof(id_fqdn_0)), ISAKMP_N_INVALID_ID_INFORMATION);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_ID, id_type99,
	    sizeof(id_type99)), ISAKMP_N_INVALID_ID_INFORMATION);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_ID, id_fqdn_0, 3),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_N, n_short, sizeof(n_short)),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_N, n_spi_past,
	    sizeof(n_spi_past)), ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_N, n_doi, sizeof(n_doi)),
	    ISAKMP_N_DOI_NOT_SUPPORTED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_N, n_type0, sizeof(n_type0)),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_D, d_huge, sizeof(d_huge)),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_D, d_zero, sizeof(d_zero)),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_D, d_isakmp4,
	    sizeof(d_isakmp4)), ISAKMP_N_INVALID_SPI);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_CERT, cert_enc,
	    sizeof(cert_enc)), ISAKMP_N_INVALID_CERT_ENCODING);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_CERT, cert_empty,
	    sizeof(cert_empty)), ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_CR, cr_enc, sizeof(cr_enc)),
	    ISAKMP_N_CERT_TYPE_UNSUPPORTED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_NATOA, oa_v4_16,
	    sizeof(oa_v4_16)), ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_NATOA, oa_fqdn,
	    sizeof(oa_fqdn)), ISAKMP_N_INVALID_ID_INFORMATION);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_NATOA, oa_res, sizeof(oa_res)),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_ATTR, cfg_type,
	    sizeof(cfg_type)), ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_NONCE, nonce7, sizeof(nonce7)),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_NONCE, nonce257,
	    sizeof(nonce257)), ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_NONCE, nonce257, 256),
	    ISAKMP_N_OK);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_HASH, hash65, sizeof(hash65)),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_KE, hash65, 0),
	    ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(pld_bytes(ISAKMP_NPTYPE_P, hash65, 8),
	    ISAKMP_N_INVALID_PAYLOAD_TYPE);
}

/*
 * Every rule set accepts the message made of its minimum payloads (one
 * ONEOF payload) and refuses a payload it does not list, a missing
 * mandatory payload, and the wrong encryption.
 */
static void
mk_rules_msg(struct wbuf *wb, const struct isakmp_rules *rs, int enc,
    uint8_t extra, int skip_mandatory)
{
	struct isakmp_out out;
	const struct isakmp_rule *r;
	size_t i, j;
	int oneof_done = 0, skipped = 0;

	out_begin(&out, wb, rs->rs_etype, enc ? ISAKMP_FLAG_E : 0,
	    rs->rs_etype == ISAKMP_ETYPE_IDENT ||
	    rs->rs_etype == ISAKMP_ETYPE_AGG ? 0 : 0x01020304);
	for (i = 0; i < rs->rs_nrules; i++) {
		r = &rs->rs_rules[i];
		j = r->rule_min;
		if ((r->rule_flags & ISAKMP_RULE_ONEOF) && !oneof_done) {
			j = 1;
			oneof_done = 1;
		}
		if (j > 0 && skip_mandatory && !skipped) {
			j--;
			skipped = 1;
		}
		for (; j > 0; j--) {
			ASSERT_INT_EQ(isakmp_out_pld(&out, r->rule_type), 0);
			wbuf_put_bytes(wb, "xxxxxxxx", 8);
		}
	}
	if (extra != ISAKMP_NPTYPE_NONE) {
		ASSERT_INT_EQ(isakmp_out_pld(&out, extra), 0);
		wbuf_put_bytes(wb, "xxxxxxxx", 8);
	}
	ASSERT_INT_EQ(isakmp_out_end(&out), 0);
}

static int
rules_verdict(const struct isakmp_rules *rs, int enc, uint8_t extra,
    int skip)
{
	struct isakmp_msg msg;
	struct wbuf wb;
	enum isakmp_role role = rs->rs_role == ISAKMP_ROLE_ANY ?
	    ISAKMP_ROLE_R : rs->rs_role;
	int n;

	mk_rules_msg(&wb, rs, enc, extra, skip);
	n = isakmp_msg_parse(wbuf_data(&wb), wbuf_len(&wb), &msg);
	ASSERT_INT_EQ(n, ISAKMP_N_OK);
	n = isakmp_rules_check(&msg, role, rs->rs_msgno);
	wbuf_free(&wb);
	return n;
}

static void
t_rules_table(void)
{
	const struct isakmp_rules *rs;
	size_t cursor = 0, nsets = 0;
	int enc;

	while ((rs = isakmp_rules_next(&cursor)) != NULL) {
		nsets++;
		enc = rs->rs_enc == ISAKMP_ENC_YES;
		ASSERT_INT_EQ(rules_verdict(rs, enc, 0, 0), ISAKMP_N_OK);
		ASSERT_INT_EQ(rules_verdict(rs, enc, ISAKMP_NPTYPE_D, 0),
		    ISAKMP_N_INVALID_PAYLOAD_TYPE);
		ASSERT_INT_NE(rules_verdict(rs, enc, 0, 1), ISAKMP_N_OK);
		if (rs->rs_enc == ISAKMP_ENC_YES &&
		    rs->rs_etype != ISAKMP_ETYPE_INFO)
			ASSERT_INT_EQ(rules_verdict(rs, 0, 0, 0),
			    ISAKMP_N_INVALID_FLAGS);
	}
	ASSERT_INT_EQ(nsets, 16);
}

/* A message of the given payload types, for specific rule checks. */
static int
rules_of(uint8_t etype, uint8_t flags, enum isakmp_role role,
    uint8_t msgno, const uint8_t *types, size_t n)
{
	struct isakmp_out out;
	struct isakmp_msg msg;
	struct wbuf wb;
	size_t i;
	int v;

	out_begin(&out, &wb, etype, flags, etype == ISAKMP_ETYPE_IDENT ?
	    0 : 7);
	for (i = 0; i < n; i++) {
		isakmp_out_pld(&out, types[i]);
		wbuf_put_bytes(&wb, "xxxxxxxx", 8);
	}
	ASSERT_INT_EQ(isakmp_out_end(&out), 0);
	ASSERT_INT_EQ(isakmp_msg_parse(wbuf_data(&wb), wbuf_len(&wb), &msg),
	    ISAKMP_N_OK);
	v = isakmp_rules_check(&msg, role, msgno);
	wbuf_free(&wb);
	return v;
}

static void
t_rules_specific(void)
{
	static const uint8_t mm1_ke[] = { ISAKMP_NPTYPE_SA, ISAKMP_NPTYPE_KE };
	static const uint8_t mm1_vid_first[] = { ISAKMP_NPTYPE_VID,
	    ISAKMP_NPTYPE_SA };
	static const uint8_t mm1_two_sa[] = { ISAKMP_NPTYPE_SA,
	    ISAKMP_NPTYPE_SA };
	static const uint8_t mm3_no_nonce[] = { ISAKMP_NPTYPE_KE,
	    ISAKMP_NPTYPE_NATD, ISAKMP_NPTYPE_NATD };
	static const uint8_t mm5_both[] = { ISAKMP_NPTYPE_ID,
	    ISAKMP_NPTYPE_HASH, ISAKMP_NPTYPE_SIG };
	static const uint8_t mm5_none[] = { ISAKMP_NPTYPE_ID,
	    ISAKMP_NPTYPE_CERT };
	static const uint8_t qm_hash_late[] = { ISAKMP_NPTYPE_SA,
	    ISAKMP_NPTYPE_HASH, ISAKMP_NPTYPE_NONCE };
	static const uint8_t qm_ok[] = { ISAKMP_NPTYPE_HASH, ISAKMP_NPTYPE_SA,
	    ISAKMP_NPTYPE_SA, ISAKMP_NPTYPE_NONCE, ISAKMP_NPTYPE_ID,
	    ISAKMP_NPTYPE_ID, ISAKMP_NPTYPE_NATOA, ISAKMP_NPTYPE_NATOA };
	static const uint8_t qm_3ids[] = { ISAKMP_NPTYPE_HASH,
	    ISAKMP_NPTYPE_SA, ISAKMP_NPTYPE_NONCE, ISAKMP_NPTYPE_ID,
	    ISAKMP_NPTYPE_ID, ISAKMP_NPTYPE_ID };

	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_IDENT, 0, ISAKMP_ROLE_I, 1,
	    mm1_ke, 2), ISAKMP_N_INVALID_PAYLOAD_TYPE);
	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_IDENT, 0, ISAKMP_ROLE_I, 1,
	    mm1_vid_first, 2), ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_IDENT, 0, ISAKMP_ROLE_R, 2,
	    mm1_two_sa, 2), ISAKMP_N_INVALID_PAYLOAD_TYPE);
	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_IDENT, 0, ISAKMP_ROLE_I, 3,
	    mm3_no_nonce, 3), ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_IDENT, ISAKMP_FLAG_E,
	    ISAKMP_ROLE_I, 5, mm5_both, 3), ISAKMP_N_INVALID_PAYLOAD_TYPE);
	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_IDENT, ISAKMP_FLAG_E,
	    ISAKMP_ROLE_R, 6, mm5_none, 2), ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_IDENT, ISAKMP_FLAG_E,
	    ISAKMP_ROLE_R, 5, mm5_both, 2), ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE);
	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_QUICK, ISAKMP_FLAG_E,
	    ISAKMP_ROLE_I, 1, qm_hash_late, 3), ISAKMP_N_PAYLOAD_MALFORMED);
	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_QUICK, ISAKMP_FLAG_E,
	    ISAKMP_ROLE_R, 2, qm_ok, 8), ISAKMP_N_OK);
	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_QUICK, ISAKMP_FLAG_E,
	    ISAKMP_ROLE_I, 1, qm_3ids, 6), ISAKMP_N_INVALID_PAYLOAD_TYPE);
	ASSERT_INT_EQ(rules_of(ISAKMP_ETYPE_QUICK, 0, ISAKMP_ROLE_I, 1,
	    qm_ok, 8), ISAKMP_N_INVALID_FLAGS);
}

static void
t_names(void)
{
	ASSERT_STR_EQ(isakmp_notify_name(ISAKMP_N_PAYLOAD_MALFORMED),
	    "PAYLOAD-MALFORMED");
	ASSERT_STR_EQ(isakmp_notify_name(IPSEC_N_INITIAL_CONTACT),
	    "INITIAL-CONTACT");
	ASSERT_STR_EQ(isakmp_notify_name(12345), "UNKNOWN");
	ASSERT_STR_EQ(isakmp_np_name(ISAKMP_NPTYPE_NATD), "NAT-D");
	ASSERT_STR_EQ(isakmp_etype_name(ISAKMP_ETYPE_QUICK), "Quick Mode");
	ASSERT_STR_EQ(isakmp_proto_name(ISAKMP_PROTO_ESP), "ESP");
	ASSERT_STR_EQ(isakmp_attr_name(ISAKMP_ATTR_PH1, OAKLEY_ATTR_SA_LD),
	    "Life Duration");
	ASSERT_STR_EQ(isakmp_attr_name(ISAKMP_ATTR_IPSEC,
	    IPSECDOI_ATTR_ENC_MODE), "Encapsulation Mode");
	ASSERT_STR_EQ(isakmp_idtype_name(IPSECDOI_ID_FQDN), "FQDN");
	ASSERT_STR_EQ(isakmp_certenc_name(ISAKMP_CERT_X509SIGN),
	    "X.509 signature");
	ASSERT_STR_EQ(isakmp_auth_name(OAKLEY_AUTH_PSK), "pre-shared key");
	ASSERT_STR_EQ(isakmp_encmode_name(IPSECDOI_MODE_UDPTRNS_RFC),
	    "UDP-Encapsulated-Transport");
	ASSERT_STR_EQ(isakmp_role_name(ISAKMP_ROLE_R), "responder");
}

/* The builder refuses what the wire cannot say. */
static void
t_build_limits(void)
{
	struct isakmp_out out;
	struct wbuf wb;
	uint8_t big[300];

	memset(big, 0, sizeof(big));
	ASSERT_INT_EQ(wbuf_init(&wb, 64, 200), 0);
	ASSERT_INT_EQ(isakmp_out_begin(&out, &wb, &(struct isakmp_hdr){
	    .hdr_version = ISAKMP_VERSION }), 0);
	ASSERT_INT_EQ(isakmp_out_pld(&out, ISAKMP_NPTYPE_VID), 0);
	isakmp_data_build(&wb, big, sizeof(big));
	ASSERT_INT_EQ(isakmp_out_end(&out), -1);
	wbuf_free(&wb);
	ASSERT_INT_EQ(wbuf_init(&wb, 64, 200), 0);
	ASSERT_INT_EQ(isakmp_attr_put_tlv(&wb, 0x8001, big, 2), -1);
	ASSERT_INT_EQ(isakmp_attr_put_tlv(&wb, 1, big, 70000), -1);
	wbuf_free(&wb);
}

/*
 * The fuzz seeds were built by a separate Python script, not by our
 * builder: each walks, passes its rules and every payload parses.
 */
static void
t_corpus_seeds(void)
{
	static const struct {
		const char	*name;
		enum isakmp_role role;
		uint8_t		 msgno;
	} seeds[] = {
		{ "mm1", ISAKMP_ROLE_I, 1 }, { "mm3", ISAKMP_ROLE_I, 3 },
		{ "mm5", ISAKMP_ROLE_I, 5 }, { "mm5sig", ISAKMP_ROLE_R, 6 },
		{ "agg1", ISAKMP_ROLE_I, 1 }, { "qm1", ISAKMP_ROLE_I, 1 },
		{ "info_n", ISAKMP_ROLE_R, 1 }, { "info_d", ISAKMP_ROLE_I, 1 },
		{ "cfg", ISAKMP_ROLE_R, 2 }, { "dpd", ISAKMP_ROLE_R, 1 },
	};
	struct isakmp_msg msg;
	char path[128];
	uint8_t *b;
	size_t i, j, len;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		snprintf(path, sizeof(path), "fuzz/corpus/fuzz_isakmp/%s",
		    seeds[i].name);
		ASSERT_PTR_NE(b = vec_file(path, &len), NULL);
		ASSERT_INT_EQ(isakmp_msg_parse(b, len, &msg), ISAKMP_N_OK);
		ASSERT_INT_EQ(isakmp_rules_check(&msg, seeds[i].role,
		    seeds[i].msgno), ISAKMP_N_OK);
		for (j = 0; j < msg.msg_npld; j++)
			ASSERT_INT_EQ(isakmp_pld_check(msg.msg_pld[j].pld_type,
			    &msg.msg_pld[j].pld_body), ISAKMP_N_OK);
		free(b);
	}
}

/*
 * Our builder writes, byte for byte, the main mode message 1 that the
 * independent Python script wrote into the seed (same SA as
 * build_sa_ph1, the RFC 3947 vendor ID).
 */
static void
t_builder_matches_seed(void)
{
	static const uint8_t vid[16] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03,
	    0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f };
	struct isakmp_out out;
	struct wbuf wb;
	uint8_t *b;
	size_t len;

	out_begin(&out, &wb, ISAKMP_ETYPE_IDENT, 0, 0);
	ASSERT_INT_EQ(isakmp_out_pld(&out, ISAKMP_NPTYPE_SA), 0);
	build_sa_ph1(&wb);
	ASSERT_INT_EQ(isakmp_out_pld(&out, ISAKMP_NPTYPE_VID), 0);
	isakmp_data_build(&wb, vid, sizeof(vid));
	ASSERT_INT_EQ(isakmp_out_end(&out), 0);
	ASSERT_PTR_NE(b = vec_file("fuzz/corpus/fuzz_isakmp/mm1", &len),
	    NULL);
	ASSERT_INT_EQ(wbuf_len(&wb), len);
	ASSERT_MEM_EQ(wbuf_data(&wb), b, len);
	free(b);
	wbuf_free(&wb);
}

/* What the quick mode HASH covers: after HASH, without the padding. */
static void
t_msg_rest(void)
{
	struct isakmp_out out;
	struct isakmp_msg msg;
	struct wbuf wb;
	const uint8_t *p;
	size_t len, hash_end;

	out_begin(&out, &wb, ISAKMP_ETYPE_QUICK, ISAKMP_FLAG_E, 9);
	isakmp_out_pld(&out, ISAKMP_NPTYPE_HASH);
	wbuf_put_zero(&wb, 20);
	hash_end = wbuf_len(&wb);
	isakmp_out_pld(&out, ISAKMP_NPTYPE_SA);
	build_sa_qm(&wb, 1, 1);
	isakmp_out_pld(&out, ISAKMP_NPTYPE_NONCE);
	wbuf_put_bytes(&wb, "nonce-of-16bytes", 16);
	isakmp_out_pld_end(&out);
	wbuf_put_zero(&wb, 7);			/* CBC padding */
	ASSERT_INT_EQ(isakmp_out_end(&out), 0);
	ASSERT_INT_EQ(isakmp_msg_parse(wbuf_data(&wb), wbuf_len(&wb), &msg),
	    ISAKMP_N_OK);
	ASSERT_INT_EQ(msg.msg_trailing, 7);
	ASSERT_INT_EQ(isakmp_rules_check(&msg, ISAKMP_ROLE_R, 2), ISAKMP_N_OK);
	ASSERT_INT_EQ(isakmp_msg_rest(&msg, 0, &p, &len), 0);
	ASSERT_PTR_EQ(p, wbuf_data(&wb) + hash_end);
	ASSERT_INT_EQ(len, wbuf_len(&wb) - hash_end - 7);
	ASSERT_INT_EQ(isakmp_msg_rest(&msg, 2, &p, &len), 0);
	ASSERT_INT_EQ(len, 0);
	ASSERT_INT_EQ(isakmp_msg_rest(&msg, 3, &p, &len), -1);
	wbuf_free(&wb);
}

int
main(void)
{
	log_init("test_isakmp", LOG_DEST_STDERR, 0);
	TEST_RUN(t_sa_roundtrip);
	TEST_RUN(t_sa_qm_roundtrip);
	TEST_RUN(t_data_roundtrip);
	TEST_RUN(t_id_roundtrip);
	TEST_RUN(t_cert_roundtrip);
	TEST_RUN(t_notify_delete_roundtrip);
	TEST_RUN(t_natoa_roundtrip);
	TEST_RUN(t_cfg_roundtrip);
	TEST_RUN(t_hdr_hostile);
	TEST_RUN(t_chain_hostile);
	TEST_RUN(t_chain_too_many);
	TEST_RUN(t_sa_hostile);
	TEST_RUN(t_attr_hostile);
	TEST_RUN(t_payload_hostile);
	TEST_RUN(t_rules_table);
	TEST_RUN(t_rules_specific);
	TEST_RUN(t_names);
	TEST_RUN(t_build_limits);
	TEST_RUN(t_corpus_seeds);
	TEST_RUN(t_builder_matches_seed);
	TEST_RUN(t_msg_rest);
	return test_done();
}
