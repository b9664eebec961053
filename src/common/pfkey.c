/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PF_KEY v2 codec: one parsing pass into an extension table, a typed
 * decoder and a builder per extension, and the name tables for every
 * number a log line or a dump prints.  The wire layouts are RFC 2367
 * section 2.3 and the KAME/Linux extensions of <linux/pfkeyv2.h>; each
 * decoder reads through struct rbuf and never casts message memory.
 *
 * The checks follow af_key.c (parse_exthdrs, verify_address_len,
 * verify_key_len, verify_sec_ctx_len, parse_ipsecrequests) and go further
 * where af_key is lenient: unknown extension types, extensions longer than
 * their fixed size, non-zero reserved fields and padding, and lengths that
 * leave bytes over are all refused, so that what parses decodes exactly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "pfkey.h"

#define PFKEY_ALIGN8(n)		(((n) + 7) & ~(size_t)7)
#define SIN_LEN			16	/* struct sockaddr_in */
#define SIN6_LEN		28	/* struct sockaddr_in6 */

/*
 * Record why a message or extension is wrong; returns -1 with errno.
 * err may be NULL (typed decoders called after a successful parse).
 */
static int pfkey_fail(char *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
pfkey_fail(char *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(err, sizeof(((struct pfkey_msg *)0)->pm_err),
		    fmt, ap);
		va_end(ap);
	}
	errno = code;
	return -1;
}

/* Skip an extension's 4-byte header (already checked by the caller). */
static int
ext_body(const struct rbuf *ext, struct rbuf *body)
{
	*body = *ext;
	return rbuf_skip(body, PFKEY_EXT_HDR_LEN);
}

/* Bytes after the last field must be zero padding shorter than 8. */
static int
ext_padding(struct rbuf *rb, const char *what, char *err)
{
	size_t left = rbuf_left(rb);

	if (left >= PFKEY_UNIT)
		return pfkey_fail(err, EINVAL, "%s: %zu bytes over", what,
		    left);
	if (rbuf_get_zero(rb, left) == -1)
		return pfkey_fail(err, EINVAL, "%s: non-zero padding", what);
	return 0;
}

/*
 * struct sockaddr_in or sockaddr_in6 as Linux lays them out: family in
 * host order, port in network order, no sa_len.
 */
static int
dec_sockaddr(struct rbuf *rb, struct addr *a, const char *what, char *err)
{
	uint16_t fam, port;
	uint32_t u32;
	const uint8_t *p;

	if (rbuf_get_u16h(rb, &fam) == -1)
		return pfkey_fail(err, EINVAL, "%s: no sockaddr", what);
	switch (fam) {
	case AF_INET:
		if (rbuf_left(rb) < SIN_LEN - 2)
			return pfkey_fail(err, EINVAL,
			    "%s: sockaddr_in needs %d bytes, %zu there", what,
			    SIN_LEN, rbuf_left(rb) + 2);
		(void)rbuf_get_u16(rb, &port);
		(void)rbuf_get_ref(rb, 4, &p);
		(void)rbuf_skip(rb, 8);		/* sin_zero */
		(void)addr_from_bytes(a, AF_INET, p, 4);
		break;
	case AF_INET6:
		if (rbuf_left(rb) < SIN6_LEN - 2)
			return pfkey_fail(err, EINVAL,
			    "%s: sockaddr_in6 needs %d bytes, %zu there", what,
			    SIN6_LEN, rbuf_left(rb) + 2);
		(void)rbuf_get_u16(rb, &port);
		(void)rbuf_get_u32h(rb, &u32);	/* flowinfo */
		(void)rbuf_get_ref(rb, 16, &p);
		(void)rbuf_get_u32h(rb, &u32);	/* scope id */
		(void)addr_from_bytes(a, AF_INET6, p, 16);
		break;
	default:
		return pfkey_fail(err, EINVAL, "%s: address family %u", what,
		    fam);
	}
	a->a_port = port;
	return 0;
}

static int
put_sockaddr(struct wbuf *wb, const struct addr *a)
{
	switch (a->a_af) {
	case AF_INET:
		wbuf_put_u16h(wb, AF_INET);
		wbuf_put_u16(wb, a->a_port);
		wbuf_put_bytes(wb, a->a_raw, 4);
		return wbuf_put_zero(wb, 8);
	case AF_INET6:
		wbuf_put_u16h(wb, AF_INET6);
		wbuf_put_u16(wb, a->a_port);
		wbuf_put_u32h(wb, 0);
		wbuf_put_bytes(wb, a->a_raw, 16);
		return wbuf_put_u32h(wb, 0);
	}
	wb->wb_failed = 1;
	return -1;
}

/*
 * RFC 2367 2.3.1: sadb_sa.
 *	| sadb_sa_len | sadb_sa_exttype | sadb_sa_spi                  |
 *	| replay | state | auth | encrypt | sadb_sa_flags              |
 */
static int
dec_sa(const struct rbuf *ext, struct pfkey_sa *sa, char *err)
{
	struct rbuf rb;

	if (ext_body(ext, &rb) == -1 || rbuf_get_u32(&rb, &sa->ps_spi) == -1 ||
	    rbuf_get_u8(&rb, &sa->ps_replay) == -1 ||
	    rbuf_get_u8(&rb, &sa->ps_state) == -1 ||
	    rbuf_get_u8(&rb, &sa->ps_auth) == -1 ||
	    rbuf_get_u8(&rb, &sa->ps_encrypt) == -1 ||
	    rbuf_get_u32h(&rb, &sa->ps_flags) == -1)
		return pfkey_fail(err, EINVAL, "SA: short");
	return 0;
}

/* RFC 2367 2.3.2: allocations, bytes, addtime, usetime. */
static int
dec_lifetime(const struct rbuf *ext, struct pfkey_lifetime *lt, char *err)
{
	struct rbuf rb;

	if (ext_body(ext, &rb) == -1 ||
	    rbuf_get_u32h(&rb, &lt->pl_allocations) == -1 ||
	    rbuf_get_u64h(&rb, &lt->pl_bytes) == -1 ||
	    rbuf_get_u64h(&rb, &lt->pl_addtime) == -1 ||
	    rbuf_get_u64h(&rb, &lt->pl_usetime) == -1)
		return pfkey_fail(err, EINVAL, "lifetime: short");
	return 0;
}

/*
 * RFC 2367 2.3.3: proto, prefixlen, reserved, then a sockaddr padded to
 * 8 bytes; the length must be exactly that (af_key verify_address_len).
 */
static int
dec_address(const struct rbuf *ext, struct pfkey_address *pa, char *err)
{
	struct rbuf rb;
	uint8_t plen;
	uint16_t resv;

	memset(pa, 0, sizeof(*pa));
	if (ext_body(ext, &rb) == -1 || rbuf_get_u8(&rb, &pa->pa_proto) == -1 ||
	    rbuf_get_u8(&rb, &plen) == -1 || rbuf_get_u16h(&rb, &resv) == -1)
		return pfkey_fail(err, EINVAL, "address: short");
	if (resv != 0)
		return pfkey_fail(err, EINVAL, "address: reserved 0x%x", resv);
	if (dec_sockaddr(&rb, &pa->pa_addr, "address", err) == -1)
		return -1;
	if (plen > addr_maxplen(pa->pa_addr.a_af))
		return pfkey_fail(err, EINVAL, "address: prefix length %u > %u",
		    plen, addr_maxplen(pa->pa_addr.a_af));
	pa->pa_addr.a_plen = plen;
	return ext_padding(&rb, "address", err);
}

/* RFC 2367 2.3.4: bits, reserved, key padded to 8 bytes. */
static int
dec_key(const struct rbuf *ext, struct pfkey_key *pk, char *err)
{
	struct rbuf rb;
	uint16_t resv;

	memset(pk, 0, sizeof(*pk));
	if (ext_body(ext, &rb) == -1 ||
	    rbuf_get_u16h(&rb, &pk->pk_bits) == -1 ||
	    rbuf_get_u16h(&rb, &resv) == -1)
		return pfkey_fail(err, EINVAL, "key: short");
	if (resv != 0)
		return pfkey_fail(err, EINVAL, "key: reserved 0x%x", resv);
	pk->pk_len = (pk->pk_bits + 7) / 8;
	if (rbuf_get_ref(&rb, pk->pk_len, &pk->pk_data) == -1)
		return pfkey_fail(err, EINVAL, "key: %u bits, %zu bytes there",
		    pk->pk_bits, rbuf_left(&rb));
	return ext_padding(&rb, "key", err);
}

/* RFC 2367 2.3.5: type, reserved, id, then a NUL-padded string. */
static int
dec_ident(const struct rbuf *ext, char *err)
{
	struct rbuf rb;
	uint16_t type, resv;
	uint64_t id;

	if (ext_body(ext, &rb) == -1 || rbuf_get_u16h(&rb, &type) == -1 ||
	    rbuf_get_u16h(&rb, &resv) == -1 || rbuf_get_u64h(&rb, &id) == -1)
		return pfkey_fail(err, EINVAL, "identity: short");
	if (resv != 0)
		return pfkey_fail(err, EINVAL, "identity: reserved 0x%x", resv);
	if (type > SADB_IDENTTYPE_MAX)
		return pfkey_fail(err, EINVAL, "identity: type %u", type);
	return 0;
}

/* RFC 2367 2.3.6: the two bitmaps must fill the extension. */
static int
dec_sens(const struct rbuf *ext, char *err)
{
	struct rbuf rb;
	uint32_t dpd, resv;
	uint8_t slevel, slen, ilevel, ilen;

	if (ext_body(ext, &rb) == -1 || rbuf_get_u32h(&rb, &dpd) == -1 ||
	    rbuf_get_u8(&rb, &slevel) == -1 || rbuf_get_u8(&rb, &slen) == -1 ||
	    rbuf_get_u8(&rb, &ilevel) == -1 || rbuf_get_u8(&rb, &ilen) == -1 ||
	    rbuf_get_u32h(&rb, &resv) == -1)
		return pfkey_fail(err, EINVAL, "sensitivity: short");
	if (rbuf_left(&rb) != ((size_t)slen + ilen) * PFKEY_UNIT)
		return pfkey_fail(err, EINVAL,
		    "sensitivity: bitmaps of %u+%u words in %zu bytes", slen,
		    ilen, rbuf_left(&rb));
	return 0;
}

static int
dec_comb(struct rbuf *rb, struct pfkey_comb *c)
{
	uint32_t resv;

	if (rbuf_get_u8(rb, &c->pc_auth) == -1 ||
	    rbuf_get_u8(rb, &c->pc_encrypt) == -1 ||
	    rbuf_get_u16h(rb, &c->pc_flags) == -1 ||
	    rbuf_get_u16h(rb, &c->pc_auth_minbits) == -1 ||
	    rbuf_get_u16h(rb, &c->pc_auth_maxbits) == -1 ||
	    rbuf_get_u16h(rb, &c->pc_encrypt_minbits) == -1 ||
	    rbuf_get_u16h(rb, &c->pc_encrypt_maxbits) == -1 ||
	    rbuf_get_u32h(rb, &resv) == -1 ||
	    rbuf_get_u32h(rb, &c->pc_soft_allocations) == -1 ||
	    rbuf_get_u32h(rb, &c->pc_hard_allocations) == -1 ||
	    rbuf_get_u64h(rb, &c->pc_soft_bytes) == -1 ||
	    rbuf_get_u64h(rb, &c->pc_hard_bytes) == -1 ||
	    rbuf_get_u64h(rb, &c->pc_soft_addtime) == -1 ||
	    rbuf_get_u64h(rb, &c->pc_hard_addtime) == -1 ||
	    rbuf_get_u64h(rb, &c->pc_soft_usetime) == -1 ||
	    rbuf_get_u64h(rb, &c->pc_hard_usetime) == -1)
		return -1;
	return resv == 0 ? 0 : -1;
}

/* RFC 2367 2.3.7: replay, 3 reserved, then whole sadb_combs. */
static int
dec_proposal(const struct rbuf *ext, uint8_t *replay, struct pfkey_comb *out,
    size_t max, size_t *n, char *err)
{
	struct rbuf rb;
	struct pfkey_comb c;
	size_t i, count;

	if (ext_body(ext, &rb) == -1 || rbuf_get_u8(&rb, replay) == -1 ||
	    rbuf_get_zero(&rb, 3) == -1)
		return pfkey_fail(err, EINVAL, "proposal: short or reserved");
	if (rbuf_left(&rb) % PFKEY_COMB_LEN != 0)
		return pfkey_fail(err, EINVAL,
		    "proposal: %zu bytes of combinations, not a multiple of %d",
		    rbuf_left(&rb), PFKEY_COMB_LEN);
	count = rbuf_left(&rb) / PFKEY_COMB_LEN;
	for (i = 0; i < count; i++) {
		if (dec_comb(&rb, &c) == -1)
			return pfkey_fail(err, EINVAL,
			    "proposal: combination %zu reserved non-zero", i);
		if (out != NULL && i < max)
			out[i] = c;
	}
	if (n != NULL)
		*n = count;
	return 0;
}

/* RFC 2367 2.3.8: reserved, then sadb_algs (id, ivlen, min, max, resv). */
static int
dec_supported(const struct rbuf *ext, struct pfkey_alg *out, size_t max,
    size_t *n, char *err)
{
	struct rbuf rb;
	struct pfkey_alg a;
	uint32_t resv;
	uint16_t aresv;
	size_t i = 0;

	if (ext_body(ext, &rb) == -1 || rbuf_get_u32h(&rb, &resv) == -1 ||
	    resv != 0)
		return pfkey_fail(err, EINVAL, "supported: short or reserved");
	while (rbuf_left(&rb) > 0) {
		if (rbuf_get_u8(&rb, &a.pg_id) == -1 ||
		    rbuf_get_u8(&rb, &a.pg_ivlen) == -1 ||
		    rbuf_get_u16h(&rb, &a.pg_minbits) == -1 ||
		    rbuf_get_u16h(&rb, &a.pg_maxbits) == -1 ||
		    rbuf_get_u16h(&rb, &aresv) == -1 || aresv != 0)
			return pfkey_fail(err, EINVAL,
			    "supported: algorithm %zu short or reserved", i);
		if (out != NULL && i < max)
			out[i] = a;
		i++;
	}
	if (n != NULL)
		*n = i;
	return 0;
}

/* RFC 2367 2.3.9: min, max, reserved. */
static int
dec_spirange(const struct rbuf *ext, struct pfkey_spirange *sr, char *err)
{
	struct rbuf rb;
	uint32_t resv;

	if (ext_body(ext, &rb) == -1 || rbuf_get_u32h(&rb, &sr->pr_min) == -1 ||
	    rbuf_get_u32h(&rb, &sr->pr_max) == -1 ||
	    rbuf_get_u32h(&rb, &resv) == -1)
		return pfkey_fail(err, EINVAL, "SPI range: short");
	if (resv != 0)
		return pfkey_fail(err, EINVAL, "SPI range: reserved 0x%x",
		    resv);
	return 0;
}

/* KAME sadb_x_sa2: mode, 3 reserved, sequence, reqid. */
static int
dec_sa2(const struct rbuf *ext, struct pfkey_sa2 *s2, char *err)
{
	struct rbuf rb;

	if (ext_body(ext, &rb) == -1 || rbuf_get_u8(&rb, &s2->p2_mode) == -1 ||
	    rbuf_get_zero(&rb, 3) == -1 ||
	    rbuf_get_u32h(&rb, &s2->p2_sequence) == -1 ||
	    rbuf_get_u32h(&rb, &s2->p2_reqid) == -1)
		return pfkey_fail(err, EINVAL, "SA2: short or reserved");
	return 0;
}

/*
 * KAME sadb_x_ipsecrequest: its length in bytes (not words), proto, mode,
 * level, reserved, reqid, reserved, then for a tunnel the source and
 * destination sockaddrs back to back (af_key parse_sockaddr_pair).
 */
static int
dec_ipsecreq(struct rbuf *rb, struct pfkey_ipsecreq *rq, size_t i, char *err)
{
	struct rbuf req;
	uint16_t len, resv1;
	uint32_t resv2;

	memset(rq, 0, sizeof(*rq));
	if (rbuf_peek_u16h(rb, 0, &len) == -1 || len < PFKEY_IPSECREQ_LEN ||
	    len > rbuf_left(rb))
		return pfkey_fail(err, EINVAL,
		    "policy: request %zu length %u, %zu bytes left", i,
		    len, rbuf_left(rb));
	(void)rbuf_sub(rb, len, &req);
	(void)rbuf_skip(&req, 2);
	if (rbuf_get_u16h(&req, &rq->pq_proto) == -1 ||
	    rbuf_get_u8(&req, &rq->pq_mode) == -1 ||
	    rbuf_get_u8(&req, &rq->pq_level) == -1 ||
	    rbuf_get_u16h(&req, &resv1) == -1 ||
	    rbuf_get_u32h(&req, &rq->pq_reqid) == -1 ||
	    rbuf_get_u32h(&req, &resv2) == -1)
		return pfkey_fail(err, EINVAL, "policy: request %zu short", i);
	if (resv1 != 0 || resv2 != 0)
		return pfkey_fail(err, EINVAL,
		    "policy: request %zu reserved non-zero", i);
	if (rbuf_left(&req) >= PFKEY_UNIT) {
		if (dec_sockaddr(&req, &rq->pq_src, "policy: tunnel source",
		    err) == -1 ||
		    dec_sockaddr(&req, &rq->pq_dst,
		    "policy: tunnel destination", err) == -1)
			return -1;
		if (rq->pq_src.a_af != rq->pq_dst.a_af)
			return pfkey_fail(err, EINVAL,
			    "policy: request %zu endpoints of two families", i);
	}
	if (rq->pq_mode == IPSEC_MODE_TUNNEL && rq->pq_src.a_af == AF_UNSPEC)
		return pfkey_fail(err, EINVAL,
		    "policy: request %zu tunnel without endpoints", i);
	return ext_padding(&req, "policy: request", err);
}

/* KAME sadb_x_policy: type, dir, reserved, id, priority, requests. */
static int
dec_policy(const struct rbuf *ext, struct pfkey_policy *pp, char *err)
{
	struct rbuf rb;
	struct pfkey_ipsecreq rq;

	memset(pp, 0, sizeof(*pp));
	if (ext_body(ext, &rb) == -1 ||
	    rbuf_get_u16h(&rb, &pp->pp_type) == -1 ||
	    rbuf_get_u8(&rb, &pp->pp_dir) == -1 ||
	    rbuf_get_zero(&rb, 1) == -1 ||
	    rbuf_get_u32h(&rb, &pp->pp_id) == -1 ||
	    rbuf_get_u32h(&rb, &pp->pp_priority) == -1)
		return pfkey_fail(err, EINVAL, "policy: short or reserved");
	while (rbuf_left(&rb) > 0) {
		if (pp->pp_nreq == PFKEY_MAX_IPSECREQ)
			return pfkey_fail(err, EINVAL,
			    "policy: more than %d requests",
			    PFKEY_MAX_IPSECREQ);
		if (dec_ipsecreq(&rb, &rq, pp->pp_nreq, err) == -1)
			return -1;
		pp->pp_req[pp->pp_nreq++] = rq;
	}
	return 0;
}

/* Linux sadb_x_nat_t_type: type, 3 reserved. */
static int
dec_nat_t_type(const struct rbuf *ext, uint8_t *type, char *err)
{
	struct rbuf rb;

	if (ext_body(ext, &rb) == -1 || rbuf_get_u8(&rb, type) == -1 ||
	    rbuf_get_zero(&rb, 3) == -1)
		return pfkey_fail(err, EINVAL, "NAT-T type: reserved non-zero");
	return 0;
}

/* Linux sadb_x_nat_t_port: port (network order), reserved. */
static int
dec_nat_t_port(const struct rbuf *ext, uint16_t *port, char *err)
{
	struct rbuf rb;

	if (ext_body(ext, &rb) == -1 || rbuf_get_u16(&rb, port) == -1 ||
	    rbuf_get_zero(&rb, 2) == -1)
		return pfkey_fail(err, EINVAL, "NAT-T port: reserved non-zero");
	return 0;
}

/* Linux sadb_x_sec_ctx: alg, doi, ctx_len, then the context padded. */
static int
dec_sec_ctx(const struct rbuf *ext, char *err)
{
	struct rbuf rb;
	uint8_t alg, doi;
	uint16_t clen;

	if (ext_body(ext, &rb) == -1 || rbuf_get_u8(&rb, &alg) == -1 ||
	    rbuf_get_u8(&rb, &doi) == -1 || rbuf_get_u16h(&rb, &clen) == -1)
		return pfkey_fail(err, EINVAL, "security context: short");
	if (PFKEY_ALIGN8(8 + (size_t)clen) != ext->rb_len)
		return pfkey_fail(err, EINVAL,
		    "security context: %u bytes in %zu", clen,
		    ext->rb_len);
	return 0;
}

/*
 * What one extension type may be: its name, minimum and (for fixed-size
 * extensions) maximum length in bytes, af_key's sadb_ext_min_len plus the
 * exact sizes.  Variable extensions (max 0) are held to their contents by
 * ext_check().
 */
struct pfkey_ext_rule {
	const char	*er_name;
	uint16_t	 er_min;
	uint16_t	 er_max;
};

static const struct pfkey_ext_rule pfkey_ext_rules[SADB_EXT_MAX + 1] = {
	[SADB_EXT_RESERVED] =		{ "reserved", 0, 0 },
	[SADB_EXT_SA] =			{ "SA", 16, 16 },
	[SADB_EXT_LIFETIME_CURRENT] =	{ "LIFETIME_CURRENT", 32, 32 },
	[SADB_EXT_LIFETIME_HARD] =	{ "LIFETIME_HARD", 32, 32 },
	[SADB_EXT_LIFETIME_SOFT] =	{ "LIFETIME_SOFT", 32, 32 },
	[SADB_EXT_ADDRESS_SRC] =	{ "ADDRESS_SRC", 8, 0 },
	[SADB_EXT_ADDRESS_DST] =	{ "ADDRESS_DST", 8, 0 },
	[SADB_EXT_ADDRESS_PROXY] =	{ "ADDRESS_PROXY", 8, 0 },
	[SADB_EXT_KEY_AUTH] =		{ "KEY_AUTH", 8, 0 },
	[SADB_EXT_KEY_ENCRYPT] =	{ "KEY_ENCRYPT", 8, 0 },
	[SADB_EXT_IDENTITY_SRC] =	{ "IDENTITY_SRC", 16, 0 },
	[SADB_EXT_IDENTITY_DST] =	{ "IDENTITY_DST", 16, 0 },
	[SADB_EXT_SENSITIVITY] =	{ "SENSITIVITY", 16, 0 },
	[SADB_EXT_PROPOSAL] =		{ "PROPOSAL", 8, 0 },
	[SADB_EXT_SUPPORTED_AUTH] =	{ "SUPPORTED_AUTH", 8, 0 },
	[SADB_EXT_SUPPORTED_ENCRYPT] =	{ "SUPPORTED_ENCRYPT", 8, 0 },
	[SADB_EXT_SPIRANGE] =		{ "SPIRANGE", 16, 16 },
	[SADB_X_EXT_KMPRIVATE] =	{ "X_KMPRIVATE", 8, 0 },
	[SADB_X_EXT_POLICY] =		{ "X_POLICY", 16, 0 },
	[SADB_X_EXT_SA2] =		{ "X_SA2", 16, 16 },
	[SADB_X_EXT_NAT_T_TYPE] =	{ "X_NAT_T_TYPE", 8, 8 },
	[SADB_X_EXT_NAT_T_SPORT] =	{ "X_NAT_T_SPORT", 8, 8 },
	[SADB_X_EXT_NAT_T_DPORT] =	{ "X_NAT_T_DPORT", 8, 8 },
	[SADB_X_EXT_NAT_T_OA] =		{ "X_NAT_T_OA", 8, 0 },
	[SADB_X_EXT_SEC_CTX] =		{ "X_SEC_CTX", 8, 0 },
	[SADB_X_EXT_KMADDRESS] =	{ "X_KMADDRESS", 8, 0 },
	[SADB_X_EXT_FILTER] =		{ "X_FILTER", 40, 40 },
};

/* Decode an extension to see that its contents fill it exactly. */
static int
ext_check(unsigned type, const struct rbuf *ext, char *err)
{
	union {
		struct pfkey_sa		 sa;
		struct pfkey_lifetime	 lt;
		struct pfkey_address	 pa;
		struct pfkey_key	 pk;
		struct pfkey_spirange	 sr;
		struct pfkey_sa2	 s2;
		struct pfkey_policy	 pp;
		uint16_t		 port;
		uint8_t			 u8;
	} u;

	switch (type) {
	case SADB_EXT_SA:
		return dec_sa(ext, &u.sa, err);
	case SADB_EXT_LIFETIME_CURRENT:
	case SADB_EXT_LIFETIME_HARD:
	case SADB_EXT_LIFETIME_SOFT:
		return dec_lifetime(ext, &u.lt, err);
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA:
		return dec_address(ext, &u.pa, err);
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		return dec_key(ext, &u.pk, err);
	case SADB_EXT_IDENTITY_SRC:
	case SADB_EXT_IDENTITY_DST:
		return dec_ident(ext, err);
	case SADB_EXT_SENSITIVITY:
		return dec_sens(ext, err);
	case SADB_EXT_PROPOSAL:
		return dec_proposal(ext, &u.u8, NULL, 0, NULL, err);
	case SADB_EXT_SUPPORTED_AUTH:
	case SADB_EXT_SUPPORTED_ENCRYPT:
		return dec_supported(ext, NULL, 0, NULL, err);
	case SADB_EXT_SPIRANGE:
		return dec_spirange(ext, &u.sr, err);
	case SADB_X_EXT_POLICY:
		return dec_policy(ext, &u.pp, err);
	case SADB_X_EXT_SA2:
		return dec_sa2(ext, &u.s2, err);
	case SADB_X_EXT_NAT_T_TYPE:
		return dec_nat_t_type(ext, &u.u8, err);
	case SADB_X_EXT_NAT_T_SPORT:
	case SADB_X_EXT_NAT_T_DPORT:
		return dec_nat_t_port(ext, &u.port, err);
	case SADB_X_EXT_SEC_CTX:
		return dec_sec_ctx(ext, err);
	}
	/* KMPRIVATE, KMADDRESS, FILTER: opaque to us, length checked. */
	return 0;
}

/* RFC 2367 2.2: the base message header. */
static int
parse_hdr(struct pfkey_msg *msg, struct rbuf *rb, size_t len)
{
	struct pfkey_hdr *h = &msg->pm_hdr;

	if (len < PFKEY_HDR_LEN)
		return pfkey_fail(msg->pm_err, EMSGSIZE,
		    "message of %zu bytes < header %d", len, PFKEY_HDR_LEN);
	(void)rbuf_get_u8(rb, &h->ph_version);
	(void)rbuf_get_u8(rb, &h->ph_type);
	(void)rbuf_get_u8(rb, &h->ph_errno);
	(void)rbuf_get_u8(rb, &h->ph_satype);
	(void)rbuf_get_u16h(rb, &h->ph_len);
	(void)rbuf_get_u16h(rb, &h->ph_reserved);
	(void)rbuf_get_u32h(rb, &h->ph_seq);
	(void)rbuf_get_u32h(rb, &h->ph_pid);
	msg->pm_hdr_ok = 1;
	if (h->ph_version != PF_KEY_V2)
		return pfkey_fail(msg->pm_err, EINVAL, "version %u, not %d",
		    h->ph_version, PF_KEY_V2);
	/*
	 * sadb_msg_reserved is not checked: Linux puts a policy's reference
	 * count there in its SPD answers.  A server refuses it in requests
	 * itself, as af_key's pfkey_get_base_msg does.
	 */
	if (h->ph_type == SADB_RESERVED || h->ph_type > SADB_MAX)
		return pfkey_fail(msg->pm_err, EINVAL, "message type %u",
		    h->ph_type);
	if ((size_t)h->ph_len * PFKEY_UNIT != len)
		return pfkey_fail(msg->pm_err, EMSGSIZE,
		    "sadb_msg_len %u words in a datagram of %zu bytes",
		    h->ph_len, len);
	return 0;
}

int
pfkey_parse(struct pfkey_msg *msg, const void *data, size_t len)
{
	struct rbuf rb, ext;
	const struct pfkey_ext_rule *r;
	uint16_t elen, etype;
	size_t off, bytes;

	memset(msg, 0, sizeof(*msg));
	rbuf_init(&msg->pm_raw, data, len);
	rb = msg->pm_raw;
	if (parse_hdr(msg, &rb, len) == -1)
		return -1;
	while (rbuf_left(&rb) > 0) {
		off = rbuf_offset(&rb);
		if (rbuf_peek_u16h(&rb, 0, &elen) == -1 ||
		    rbuf_peek_u16h(&rb, 2, &etype) == -1)
			return pfkey_fail(msg->pm_err, EINVAL,
			    "extension at offset %zu: %zu bytes left < %d",
			    off, rbuf_left(&rb), PFKEY_EXT_HDR_LEN);
		bytes = (size_t)elen * PFKEY_UNIT;
		if (etype == SADB_EXT_RESERVED || etype > SADB_EXT_MAX)
			return pfkey_fail(msg->pm_err, EINVAL,
			    "extension at offset %zu: unknown type %u", off,
			    etype);
		r = &pfkey_ext_rules[etype];
		if (bytes == 0 || bytes > rbuf_left(&rb))
			return pfkey_fail(msg->pm_err, EINVAL,
			    "%s at offset %zu: length %zu, %zu bytes left",
			    r->er_name, off, bytes, rbuf_left(&rb));
		if (msg->pm_present & PFKEY_EXT_BIT(etype))
			return pfkey_fail(msg->pm_err, EINVAL,
			    "%s at offset %zu: duplicated", r->er_name, off);
		if (bytes < r->er_min)
			return pfkey_fail(msg->pm_err, EINVAL,
			    "%s at offset %zu: length %zu < minimum %u",
			    r->er_name, off, bytes, r->er_min);
		if (r->er_max != 0 && bytes > r->er_max)
			return pfkey_fail(msg->pm_err, EINVAL,
			    "%s at offset %zu: length %zu > maximum %u",
			    r->er_name, off, bytes, r->er_max);
		(void)rbuf_sub(&rb, bytes, &ext);
		if (ext_check(etype, &ext, msg->pm_err) == -1) {
			/* Prefix the decoder's reason with where it is. */
			char why[sizeof(msg->pm_err)];

			memcpy(why, msg->pm_err, sizeof(why));
			return pfkey_fail(msg->pm_err, EINVAL,
			    "%s at offset %zu: %s", r->er_name, off, why);
		}
		msg->pm_ext[etype] = ext;
		msg->pm_present |= PFKEY_EXT_BIT(etype);
	}
	return 0;
}

int
pfkey_has(const struct pfkey_msg *msg, unsigned type)
{
	return type <= SADB_EXT_MAX &&
	    (msg->pm_present & PFKEY_EXT_BIT(type)) != 0;
}

/* The typed getters: 1 if absent, else the decoder's result. */
#define PFKEY_GET(msg, type, call)					\
	(!pfkey_has((msg), (type)) ? 1 : (call))

int
pfkey_get_sa(const struct pfkey_msg *msg, struct pfkey_sa *sa)
{
	return PFKEY_GET(msg, SADB_EXT_SA,
	    dec_sa(&msg->pm_ext[SADB_EXT_SA], sa, NULL));
}

int
pfkey_get_lifetime(const struct pfkey_msg *msg, unsigned type,
    struct pfkey_lifetime *lt)
{
	if (type != SADB_EXT_LIFETIME_CURRENT &&
	    type != SADB_EXT_LIFETIME_HARD && type != SADB_EXT_LIFETIME_SOFT)
		return pfkey_fail(NULL, EINVAL, "type");
	return PFKEY_GET(msg, type, dec_lifetime(&msg->pm_ext[type], lt, NULL));
}

int
pfkey_get_address(const struct pfkey_msg *msg, unsigned type,
    struct pfkey_address *pa)
{
	if (type != SADB_EXT_ADDRESS_SRC && type != SADB_EXT_ADDRESS_DST &&
	    type != SADB_EXT_ADDRESS_PROXY && type != SADB_X_EXT_NAT_T_OA)
		return pfkey_fail(NULL, EINVAL, "type");
	return PFKEY_GET(msg, type, dec_address(&msg->pm_ext[type], pa, NULL));
}

int
pfkey_get_key(const struct pfkey_msg *msg, unsigned type, struct pfkey_key *pk)
{
	if (type != SADB_EXT_KEY_AUTH && type != SADB_EXT_KEY_ENCRYPT)
		return pfkey_fail(NULL, EINVAL, "type");
	return PFKEY_GET(msg, type, dec_key(&msg->pm_ext[type], pk, NULL));
}

int
pfkey_get_spirange(const struct pfkey_msg *msg, struct pfkey_spirange *sr)
{
	return PFKEY_GET(msg, SADB_EXT_SPIRANGE,
	    dec_spirange(&msg->pm_ext[SADB_EXT_SPIRANGE], sr, NULL));
}

int
pfkey_get_sa2(const struct pfkey_msg *msg, struct pfkey_sa2 *s2)
{
	return PFKEY_GET(msg, SADB_X_EXT_SA2,
	    dec_sa2(&msg->pm_ext[SADB_X_EXT_SA2], s2, NULL));
}

int
pfkey_get_supported(const struct pfkey_msg *msg, unsigned type,
    struct pfkey_alg *out, size_t max, size_t *n)
{
	if (type != SADB_EXT_SUPPORTED_AUTH &&
	    type != SADB_EXT_SUPPORTED_ENCRYPT)
		return pfkey_fail(NULL, EINVAL, "type");
	return PFKEY_GET(msg, type,
	    dec_supported(&msg->pm_ext[type], out, max, n, NULL));
}

int
pfkey_get_proposal(const struct pfkey_msg *msg, uint8_t *replay,
    struct pfkey_comb *out, size_t max, size_t *n)
{
	return PFKEY_GET(msg, SADB_EXT_PROPOSAL,
	    dec_proposal(&msg->pm_ext[SADB_EXT_PROPOSAL], replay, out, max, n,
	    NULL));
}

int
pfkey_get_policy(const struct pfkey_msg *msg, struct pfkey_policy *pp)
{
	return PFKEY_GET(msg, SADB_X_EXT_POLICY,
	    dec_policy(&msg->pm_ext[SADB_X_EXT_POLICY], pp, NULL));
}

int
pfkey_get_nat_t_type(const struct pfkey_msg *msg, uint8_t *type)
{
	return PFKEY_GET(msg, SADB_X_EXT_NAT_T_TYPE,
	    dec_nat_t_type(&msg->pm_ext[SADB_X_EXT_NAT_T_TYPE], type, NULL));
}

int
pfkey_get_nat_t_port(const struct pfkey_msg *msg, unsigned type,
    uint16_t *port)
{
	if (type != SADB_X_EXT_NAT_T_SPORT && type != SADB_X_EXT_NAT_T_DPORT)
		return pfkey_fail(NULL, EINVAL, "type");
	return PFKEY_GET(msg, type,
	    dec_nat_t_port(&msg->pm_ext[type], port, NULL));
}

/*
 * Builders.  ext_start() writes an extension header whose length
 * ext_end() patches after padding to 8 bytes, so no length is counted by
 * hand.
 */
static int
ext_start(struct wbuf *wb, unsigned type, size_t *off)
{
	if (wbuf_reserve(wb, 2, off) == -1)
		return -1;
	return wbuf_put_u16h(wb, type);
}

static int
ext_end(struct wbuf *wb, size_t off)
{
	if (wbuf_pad(wb, PFKEY_UNIT) == -1)
		return -1;
	return wbuf_set_u16h(wb, off, (wbuf_len(wb) - off) / PFKEY_UNIT);
}

int
pfkey_build_hdr(struct wbuf *wb, const struct pfkey_hdr *h)
{
	if (wbuf_len(wb) != 0) {
		wb->wb_failed = 1;
		return -1;
	}
	wbuf_put_u8(wb, h->ph_version);
	wbuf_put_u8(wb, h->ph_type);
	wbuf_put_u8(wb, h->ph_errno);
	wbuf_put_u8(wb, h->ph_satype);
	wbuf_put_u16h(wb, 0);
	wbuf_put_u16h(wb, h->ph_reserved);
	wbuf_put_u32h(wb, h->ph_seq);
	return wbuf_put_u32h(wb, h->ph_pid);
}

int
pfkey_build_end(struct wbuf *wb)
{
	size_t len = wbuf_len(wb);

	if (wbuf_failed(wb) || len < PFKEY_HDR_LEN || len % PFKEY_UNIT != 0 ||
	    len > PFKEY_MSG_MAX) {
		wb->wb_failed = 1;
		errno = EMSGSIZE;
		return -1;
	}
	return wbuf_set_u16h(wb, 4, len / PFKEY_UNIT);
}

int
pfkey_put_sa(struct wbuf *wb, const struct pfkey_sa *sa)
{
	size_t off;

	ext_start(wb, SADB_EXT_SA, &off);
	wbuf_put_u32(wb, sa->ps_spi);
	wbuf_put_u8(wb, sa->ps_replay);
	wbuf_put_u8(wb, sa->ps_state);
	wbuf_put_u8(wb, sa->ps_auth);
	wbuf_put_u8(wb, sa->ps_encrypt);
	wbuf_put_u32h(wb, sa->ps_flags);
	return ext_end(wb, off);
}

int
pfkey_put_lifetime(struct wbuf *wb, unsigned type,
    const struct pfkey_lifetime *lt)
{
	size_t off;

	ext_start(wb, type, &off);
	wbuf_put_u32h(wb, lt->pl_allocations);
	wbuf_put_u64h(wb, lt->pl_bytes);
	wbuf_put_u64h(wb, lt->pl_addtime);
	wbuf_put_u64h(wb, lt->pl_usetime);
	return ext_end(wb, off);
}

int
pfkey_put_address(struct wbuf *wb, unsigned type,
    const struct pfkey_address *pa)
{
	size_t off;

	ext_start(wb, type, &off);
	wbuf_put_u8(wb, pa->pa_proto);
	wbuf_put_u8(wb, pa->pa_addr.a_plen);
	wbuf_put_u16h(wb, 0);
	put_sockaddr(wb, &pa->pa_addr);
	return ext_end(wb, off);
}

int
pfkey_put_key(struct wbuf *wb, unsigned type, uint16_t bits, const void *key)
{
	size_t off;

	ext_start(wb, type, &off);
	wbuf_put_u16h(wb, bits);
	wbuf_put_u16h(wb, 0);
	wbuf_put_bytes(wb, key, (bits + 7) / 8);
	return ext_end(wb, off);
}

int
pfkey_put_spirange(struct wbuf *wb, const struct pfkey_spirange *sr)
{
	size_t off;

	ext_start(wb, SADB_EXT_SPIRANGE, &off);
	wbuf_put_u32h(wb, sr->pr_min);
	wbuf_put_u32h(wb, sr->pr_max);
	wbuf_put_u32h(wb, 0);
	return ext_end(wb, off);
}

int
pfkey_put_sa2(struct wbuf *wb, const struct pfkey_sa2 *s2)
{
	size_t off;

	ext_start(wb, SADB_X_EXT_SA2, &off);
	wbuf_put_u8(wb, s2->p2_mode);
	wbuf_put_zero(wb, 3);
	wbuf_put_u32h(wb, s2->p2_sequence);
	wbuf_put_u32h(wb, s2->p2_reqid);
	return ext_end(wb, off);
}

int
pfkey_put_supported(struct wbuf *wb, unsigned type,
    const struct pfkey_alg *algs, size_t n)
{
	size_t off, i;

	ext_start(wb, type, &off);
	wbuf_put_u32h(wb, 0);
	for (i = 0; i < n; i++) {
		wbuf_put_u8(wb, algs[i].pg_id);
		wbuf_put_u8(wb, algs[i].pg_ivlen);
		wbuf_put_u16h(wb, algs[i].pg_minbits);
		wbuf_put_u16h(wb, algs[i].pg_maxbits);
		wbuf_put_u16h(wb, 0);
	}
	return ext_end(wb, off);
}

int
pfkey_put_proposal(struct wbuf *wb, uint8_t replay,
    const struct pfkey_comb *c, size_t n)
{
	size_t off, i;

	ext_start(wb, SADB_EXT_PROPOSAL, &off);
	wbuf_put_u8(wb, replay);
	wbuf_put_zero(wb, 3);
	for (i = 0; i < n; i++, c++) {
		wbuf_put_u8(wb, c->pc_auth);
		wbuf_put_u8(wb, c->pc_encrypt);
		wbuf_put_u16h(wb, c->pc_flags);
		wbuf_put_u16h(wb, c->pc_auth_minbits);
		wbuf_put_u16h(wb, c->pc_auth_maxbits);
		wbuf_put_u16h(wb, c->pc_encrypt_minbits);
		wbuf_put_u16h(wb, c->pc_encrypt_maxbits);
		wbuf_put_u32h(wb, 0);
		wbuf_put_u32h(wb, c->pc_soft_allocations);
		wbuf_put_u32h(wb, c->pc_hard_allocations);
		wbuf_put_u64h(wb, c->pc_soft_bytes);
		wbuf_put_u64h(wb, c->pc_hard_bytes);
		wbuf_put_u64h(wb, c->pc_soft_addtime);
		wbuf_put_u64h(wb, c->pc_hard_addtime);
		wbuf_put_u64h(wb, c->pc_soft_usetime);
		wbuf_put_u64h(wb, c->pc_hard_usetime);
	}
	return ext_end(wb, off);
}

/* A request's length counts bytes; its endpoints follow for a tunnel. */
static int
put_ipsecreq(struct wbuf *wb, const struct pfkey_ipsecreq *rq)
{
	size_t off;

	wbuf_reserve(wb, 2, &off);
	wbuf_put_u16h(wb, rq->pq_proto);
	wbuf_put_u8(wb, rq->pq_mode);
	wbuf_put_u8(wb, rq->pq_level);
	wbuf_put_u16h(wb, 0);
	wbuf_put_u32h(wb, rq->pq_reqid);
	wbuf_put_u32h(wb, 0);
	if (rq->pq_src.a_af != AF_UNSPEC) {
		put_sockaddr(wb, &rq->pq_src);
		put_sockaddr(wb, &rq->pq_dst);
	}
	wbuf_pad(wb, PFKEY_UNIT);
	return wbuf_set_u16h(wb, off, wbuf_len(wb) - off);
}

int
pfkey_put_policy(struct wbuf *wb, const struct pfkey_policy *pp)
{
	size_t off, i;

	if (pp->pp_nreq > PFKEY_MAX_IPSECREQ) {
		wb->wb_failed = 1;
		return -1;
	}
	ext_start(wb, SADB_X_EXT_POLICY, &off);
	wbuf_put_u16h(wb, pp->pp_type);
	wbuf_put_u8(wb, pp->pp_dir);
	wbuf_put_u8(wb, 0);
	wbuf_put_u32h(wb, pp->pp_id);
	wbuf_put_u32h(wb, pp->pp_priority);
	for (i = 0; i < pp->pp_nreq; i++)
		put_ipsecreq(wb, &pp->pp_req[i]);
	return ext_end(wb, off);
}

int
pfkey_put_nat_t_type(struct wbuf *wb, uint8_t type)
{
	size_t off;

	ext_start(wb, SADB_X_EXT_NAT_T_TYPE, &off);
	wbuf_put_u8(wb, type);
	wbuf_put_zero(wb, 3);
	return ext_end(wb, off);
}

int
pfkey_put_nat_t_port(struct wbuf *wb, unsigned type, uint16_t port)
{
	size_t off;

	ext_start(wb, type, &off);
	wbuf_put_u16(wb, port);
	wbuf_put_u16h(wb, 0);
	return ext_end(wb, off);
}

int
pfkey_put_ext(struct wbuf *wb, const struct pfkey_msg *msg, unsigned type)
{
	const struct rbuf *ext;

	if (!pfkey_has(msg, type)) {
		wb->wb_failed = 1;
		return -1;
	}
	ext = &msg->pm_ext[type];
	return wbuf_put_bytes(wb, ext->rb_data, ext->rb_len);
}

/* Name tables: every number we print has one. */
#define NAME_OF(table, n)						\
	((n) < sizeof(table) / sizeof(table[0]) && table[(n)] != NULL ?	\
	    table[(n)] : "unknown")

static const char *const pfkey_msgtype_names[] = {
	[SADB_RESERVED] = "RESERVED",	[SADB_GETSPI] = "GETSPI",
	[SADB_UPDATE] = "UPDATE",	[SADB_ADD] = "ADD",
	[SADB_DELETE] = "DELETE",	[SADB_GET] = "GET",
	[SADB_ACQUIRE] = "ACQUIRE",	[SADB_REGISTER] = "REGISTER",
	[SADB_EXPIRE] = "EXPIRE",	[SADB_FLUSH] = "FLUSH",
	[SADB_DUMP] = "DUMP",		[SADB_X_PROMISC] = "X_PROMISC",
	[SADB_X_PCHANGE] = "X_PCHANGE",	[SADB_X_SPDUPDATE] = "X_SPDUPDATE",
	[SADB_X_SPDADD] = "X_SPDADD",	[SADB_X_SPDDELETE] = "X_SPDDELETE",
	[SADB_X_SPDGET] = "X_SPDGET",	[SADB_X_SPDACQUIRE] = "X_SPDACQUIRE",
	[SADB_X_SPDDUMP] = "X_SPDDUMP",	[SADB_X_SPDFLUSH] = "X_SPDFLUSH",
	[SADB_X_SPDSETIDX] = "X_SPDSETIDX",
	[SADB_X_SPDEXPIRE] = "X_SPDEXPIRE",
	[SADB_X_SPDDELETE2] = "X_SPDDELETE2",
	[SADB_X_NAT_T_NEW_MAPPING] = "X_NAT_T_NEW_MAPPING",
	[SADB_X_MIGRATE] = "X_MIGRATE",
};

static const char *const pfkey_satype_names[] = {
	[SADB_SATYPE_UNSPEC] = "unspec", [SADB_SATYPE_AH] = "ah",
	[SADB_SATYPE_ESP] = "esp",	[SADB_SATYPE_RSVP] = "rsvp",
	[SADB_SATYPE_OSPFV2] = "ospfv2", [SADB_SATYPE_RIPV2] = "ripv2",
	[SADB_SATYPE_MIP] = "mip",	[SADB_X_SATYPE_IPCOMP] = "ipcomp",
};

static const char *const pfkey_sastate_names[] = {
	[SADB_SASTATE_LARVAL] = "larval", [SADB_SASTATE_MATURE] = "mature",
	[SADB_SASTATE_DYING] = "dying",	[SADB_SASTATE_DEAD] = "dead",
};

static const char *const pfkey_mode_names[] = {
	[IPSEC_MODE_ANY] = "any",	[IPSEC_MODE_TRANSPORT] = "transport",
	[IPSEC_MODE_TUNNEL] = "tunnel",	[IPSEC_MODE_BEET] = "beet",
};

static const char *const pfkey_dir_names[] = {
	[IPSEC_DIR_ANY] = "any",	[IPSEC_DIR_INBOUND] = "in",
	[IPSEC_DIR_OUTBOUND] = "out",	[IPSEC_DIR_FWD] = "fwd",
};

static const char *const pfkey_policy_names[] = {
	[IPSEC_POLICY_DISCARD] = "discard", [IPSEC_POLICY_NONE] = "none",
	[IPSEC_POLICY_IPSEC] = "ipsec",	[IPSEC_POLICY_ENTRUST] = "entrust",
	[IPSEC_POLICY_BYPASS] = "bypass",
};

static const char *const pfkey_level_names[] = {
	[IPSEC_LEVEL_DEFAULT] = "default", [IPSEC_LEVEL_USE] = "use",
	[IPSEC_LEVEL_REQUIRE] = "require", [IPSEC_LEVEL_UNIQUE] = "unique",
};

const char *
pfkey_msgtype_name(unsigned n)
{
	return NAME_OF(pfkey_msgtype_names, n);
}

const char *
pfkey_ext_name(unsigned n)
{
	return n <= SADB_EXT_MAX ? pfkey_ext_rules[n].er_name : "unknown";
}

const char *
pfkey_satype_name(unsigned n)
{
	return NAME_OF(pfkey_satype_names, n);
}

const char *
pfkey_sastate_name(unsigned n)
{
	return NAME_OF(pfkey_sastate_names, n);
}

const char *
pfkey_mode_name(unsigned n)
{
	return NAME_OF(pfkey_mode_names, n);
}

const char *
pfkey_dir_name(unsigned n)
{
	return NAME_OF(pfkey_dir_names, n);
}

const char *
pfkey_policy_name(unsigned n)
{
	return NAME_OF(pfkey_policy_names, n);
}

const char *
pfkey_level_name(unsigned n)
{
	return NAME_OF(pfkey_level_names, n);
}

uint8_t
pfkey_satype2proto(unsigned satype)
{
	switch (satype) {
	case SADB_SATYPE_AH:
		return IPPROTO_AH;
	case SADB_SATYPE_ESP:
		return IPPROTO_ESP;
	case SADB_X_SATYPE_IPCOMP:
		return IPPROTO_COMP;
	}
	return 0;
}

uint8_t
pfkey_proto2satype(unsigned proto)
{
	switch (proto) {
	case IPPROTO_AH:
		return SADB_SATYPE_AH;
	case IPPROTO_ESP:
		return SADB_SATYPE_ESP;
	case IPPROTO_COMP:
		return SADB_X_SATYPE_IPCOMP;
	}
	return 0;
}
