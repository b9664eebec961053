/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SA payloads from racoon.conf and the choice among a peer's: phase 1
 * from a remote's proposal { } list, phase 2 from a sainfo and a policy
 * under proposal_check, as racoon 0.8's proposal.c (cmpsaprop_alloc,
 * cmpsatrns) and ipsec_doi.c do it.  Every byte of a peer's SA payload
 * was checked by isakmp_sa_parse; this file reads the values.
 */
#include <string.h>

#include "alg.h"
#include "buf.h"
#include "cfg.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "natt.h"
#include "proposal.h"

#define PROPOSAL_LIFE_DEFAULT	28800	/* RFC 2407 4.5, RFC 2409 A */

/* proposal_set_kernel(): what the kernel can install; NULL: anything. */
static int	(*proposal_kernel)(uint8_t, const struct alg *, unsigned,
		    const struct alg *);

void
proposal_set_kernel(int (*fn)(uint8_t, const struct alg *, unsigned,
    const struct alg *))
{
	proposal_kernel = fn;
}

const char *
proposal_pcheck_name(enum cfg_pcheck p)
{
	static const char *names[] = { "obey", "strict", "claim", "exact" };

	if ((size_t)p < sizeof(names) / sizeof(names[0]))
		return names[p];
	return "unknown";
}

/* Key bits a phase 1 cipher uses: the given length or the default. */
static unsigned
proposal_ike_bits(const struct alg *enc, unsigned keylen)
{
	return keylen != 0 ? keylen : enc->alg_keydef;
}

/* Variable-length ciphers carry a Key Length attribute (RFC 3602 5). */
static int
proposal_has_keylen(const struct alg *enc)
{
	return enc->alg_keymin != enc->alg_keymax;
}

/* Phase 1 */

int
proposal_ph1_build(struct wbuf *wb, const struct cfg_remote *rm)
{
	const struct cfg_proposal *p;
	struct isakmp_sa_out so;
	uint8_t num = 1;

	if (isakmp_sa_build_begin(&so, wb, IPSEC_DOI,
	    IPSEC_SIT_IDENTITY_ONLY) == -1 ||
	    isakmp_sa_build_prop(&so, 1, ISAKMP_PROTO_ISAKMP, NULL, 0) == -1)
		return -1;
	TAILQ_FOREACH(p, &rm->r_proposals, p_entry) {
		if (num == ISAKMP_MAX_TRANS)
			break;
		if (isakmp_sa_build_trans(&so, num++,
		    ISAKMP_TRANS_KEY_IKE) == -1)
			return -1;
		isakmp_attr_put_tv(wb, OAKLEY_ATTR_ENC_ALG,
		    (uint16_t)p->p_enc->alg_ike);
		if (proposal_has_keylen(p->p_enc))
			isakmp_attr_put_tv(wb, OAKLEY_ATTR_KEY_LEN,
			    (uint16_t)proposal_ike_bits(p->p_enc,
			    p->p_enc_keylen));
		isakmp_attr_put_tv(wb, OAKLEY_ATTR_HASH_ALG,
		    (uint16_t)p->p_hash->alg_ike);
		isakmp_attr_put_tv(wb, OAKLEY_ATTR_AUTH_METHOD,
		    (uint16_t)p->p_auth);
		isakmp_attr_put_tv(wb, OAKLEY_ATTR_GRP_DESC,
		    (uint16_t)p->p_dh->alg_ike);
		isakmp_attr_put_tv(wb, OAKLEY_ATTR_SA_LD_TYPE,
		    OAKLEY_LIFE_SECONDS);
		isakmp_attr_put_uint(wb, OAKLEY_ATTR_SA_LD, p->p_lifetime);
	}
	return isakmp_sa_build_end(&so);
}

/* A life duration follows its type (RFC 2409 appendix A). */
static int
proposal_ph1_attr(const struct isakmp_attr *at, struct proposal_ph1 *p,
    unsigned *ldtype)
{
	uint64_t v;

	if (isakmp_attr_uint(at, &v) == -1)
		return ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
	switch (at->at_type) {
	case OAKLEY_ATTR_ENC_ALG:
		p->p1_enc = alg_by_ike(ALG_IKE_ENC, (int)v);
		return p->p1_enc ? 0 : ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
	case OAKLEY_ATTR_HASH_ALG:
		p->p1_hash = alg_by_ike(ALG_IKE_HASH, (int)v);
		return p->p1_hash ? 0 : ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
	case OAKLEY_ATTR_AUTH_METHOD:
		if (v != OAKLEY_AUTH_PSK)	/* XXX: certificates, XAuth */
			return ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
		p->p1_auth = CFG_AUTH_PSK;
		return 0;
	case OAKLEY_ATTR_GRP_DESC:
		p->p1_dh = alg_by_ike(ALG_DH, (int)v);
		return p->p1_dh ? 0 : ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
	case OAKLEY_ATTR_KEY_LEN:
		p->p1_keylen = (unsigned)v;
		return 0;
	case OAKLEY_ATTR_SA_LD_TYPE:
		*ldtype = (unsigned)v;
		return 0;
	case OAKLEY_ATTR_SA_LD:
		/* XXX: a kilobyte lifetime is read and not enforced. */
		if (*ldtype == OAKLEY_LIFE_SECONDS)
			p->p1_lifetime = v > UINT32_MAX ? UINT32_MAX :
			    (uint32_t)v;
		return 0;
	default:
		return ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
	}
}

static int
proposal_ph1_parse(const struct isakmp_trans *t, struct proposal_ph1 *p)
{
	struct rbuf rb = t->tr_attrs;
	struct isakmp_attr at;
	unsigned ldtype = 0;
	int e;

	memset(p, 0, sizeof(*p));
	if (t->tr_id != ISAKMP_TRANS_KEY_IKE)
		return ISAKMP_N_INVALID_TRANSFORM_ID;
	while (rbuf_left(&rb) > 0) {
		if (isakmp_attr_next(&rb, &at) == -1)
			return ISAKMP_N_PAYLOAD_MALFORMED;
		if ((e = proposal_ph1_attr(&at, p, &ldtype)) != 0)
			return e;
	}
	if (p->p1_enc == NULL || p->p1_hash == NULL || p->p1_dh == NULL ||
	    p->p1_auth == 0)
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	if (p->p1_keylen != 0 && !alg_key_ok(p->p1_enc, p->p1_keylen))
		return ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
	if (p->p1_lifetime == 0)
		p->p1_lifetime = PROPOSAL_LIFE_DEFAULT;
	return ISAKMP_N_OK;
}

/* Does our proposal c accept the peer's transform p? */
static int
proposal_ph1_match(const struct cfg_proposal *c, enum cfg_pcheck pcheck,
    const struct proposal_ph1 *p)
{
	if (c->p_enc != p->p1_enc || c->p_hash != p->p1_hash ||
	    c->p_auth != p->p1_auth || c->p_dh != p->p1_dh ||
	    proposal_ike_bits(c->p_enc, c->p_enc_keylen) !=
	    proposal_ike_bits(p->p1_enc, p->p1_keylen))
		return 0;
	switch (pcheck) {
	case CFG_PCHECK_OBEY:
		return 1;
	case CFG_PCHECK_STRICT:
	case CFG_PCHECK_CLAIM:
		return p->p1_lifetime <= c->p_lifetime ||
		    pcheck == CFG_PCHECK_CLAIM;
	case CFG_PCHECK_EXACT:
		return p->p1_lifetime == c->p_lifetime;
	}
	return 0;
}

/* The one ISAKMP proposal of a phase 1 SA payload. */
static int
proposal_ph1_prop(const struct isakmp_sa *sa, struct isakmp_prop *prop)
{
	struct rbuf rb = sa->sa_props;

	if (sa->sa_nprop != 1 || isakmp_prop_next(&rb, prop) != 0) {
		log_warnx("phase 1 SA: %zu proposals, not 1", sa->sa_nprop);
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	if (prop->prop_proto != ISAKMP_PROTO_ISAKMP) {
		log_warnx("phase 1 SA: protocol %s, not ISAKMP",
		    isakmp_proto_name(prop->prop_proto));
		return ISAKMP_N_INVALID_PROTOCOL_ID;
	}
	return ISAKMP_N_OK;
}

int
proposal_ph1_fits(const struct cfg_remote *rm, const struct isakmp_sa *sa)
{
	const struct cfg_proposal *c;
	struct proposal_ph1 p;
	struct isakmp_prop prop;
	struct isakmp_trans t;
	struct rbuf rb = sa->sa_props;

	if (sa->sa_nprop != 1 || isakmp_prop_next(&rb, &prop) != 0 ||
	    prop.prop_proto != ISAKMP_PROTO_ISAKMP)
		return 0;
	rb = prop.prop_trans;
	while (rbuf_left(&rb) > 0) {
		if (isakmp_trans_next(&rb, prop.prop_proto, &t) != 0)
			return 0;
		if (proposal_ph1_parse(&t, &p) != ISAKMP_N_OK)
			continue;
		TAILQ_FOREACH(c, &rm->r_proposals, p_entry)
			if (proposal_ph1_match(c, rm->r_proposal_check, &p))
				return 1;
	}
	return 0;
}

int
proposal_ph1_choose(const struct cfg_remote *rm, const struct isakmp_sa *sa,
    struct proposal_ph1 *out, struct wbuf *reply)
{
	const struct cfg_proposal *c;
	struct isakmp_prop prop;
	struct isakmp_trans t;
	struct isakmp_sa_out so;
	struct rbuf rb;
	int e;

	if ((e = proposal_ph1_prop(sa, &prop)) != ISAKMP_N_OK)
		return e;
	rb = prop.prop_trans;
	while (rbuf_left(&rb) > 0) {
		if (isakmp_trans_next(&rb, prop.prop_proto, &t) != 0)
			return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
		if (proposal_ph1_parse(&t, out) != ISAKMP_N_OK) {
			log_debug(1, "phase 1 transform #%u: not supported",
			    t.tr_num);
			continue;
		}
		TAILQ_FOREACH(c, &rm->r_proposals, p_entry) {
			if (!proposal_ph1_match(c, rm->r_proposal_check, out))
				continue;
			if (rm->r_proposal_check == CFG_PCHECK_CLAIM &&
			    out->p1_lifetime > c->p_lifetime) {
				log_notice("use own lifetime: my:%u peer:%u",
				    c->p_lifetime, out->p1_lifetime);
				out->p1_lifetime = c->p_lifetime;
			}
			/* The answer is the transform as the peer wrote it. */
			if (isakmp_sa_build_begin(&so, reply, sa->sa_doi,
			    sa->sa_sit) == -1 ||
			    isakmp_sa_build_prop(&so, prop.prop_num,
			    prop.prop_proto, NULL, 0) == -1 ||
			    isakmp_sa_build_trans(&so, t.tr_num,
			    t.tr_id) == -1 ||
			    wbuf_put_bytes(reply, rbuf_ptr(&t.tr_attrs),
			    rbuf_left(&t.tr_attrs)) == -1 ||
			    isakmp_sa_build_end(&so) == -1)
				return ISAKMP_N_PAYLOAD_MALFORMED;
			return ISAKMP_N_OK;
		}
	}
	log_warnx("no suitable proposal found: none of the peer's "
	    "transforms is in a proposal of remote %s (proposal_check %s)",
	    rm->r_name, proposal_pcheck_name(rm->r_proposal_check));
	return ISAKMP_N_NO_PROPOSAL_CHOSEN;
}

int
proposal_ph1_accept(const struct cfg_remote *rm, const struct isakmp_sa *sa,
    struct proposal_ph1 *out)
{
	const struct cfg_proposal *c;
	struct isakmp_prop prop;
	struct isakmp_trans t;
	struct rbuf rb;
	int e;

	if ((e = proposal_ph1_prop(sa, &prop)) != ISAKMP_N_OK)
		return e;
	if (prop.prop_ntrans != 1) {
		log_warnx("phase 1 SA answer: %u transforms, not 1",
		    prop.prop_ntrans);
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	rb = prop.prop_trans;
	if (isakmp_trans_next(&rb, prop.prop_proto, &t) != 0 ||
	    (e = proposal_ph1_parse(&t, out)) != ISAKMP_N_OK) {
		log_warnx("phase 1 SA answer: transform not supported");
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}
	/* The answer must be one of ours, its lifetime no longer. */
	TAILQ_FOREACH(c, &rm->r_proposals, p_entry)
		if (proposal_ph1_match(c, CFG_PCHECK_STRICT, out))
			return ISAKMP_N_OK;
	log_warnx("phase 1 SA answer: the peer chose a transform we did "
	    "not offer");
	return ISAKMP_N_NO_PROPOSAL_CHOSEN;
}

/* Phase 2 */

/* One transform of a phase 2 proposal, as read or as offered. */
struct proposal_tr {
	uint8_t		 t_num;
	uint8_t		 t_id;
	const struct alg *t_enc;
	unsigned	 t_keylen;
	const struct alg *t_auth;
	uint16_t	 t_mode;	/* tunnel or transport */
	uint16_t	 t_wire;	/* on the wire, NAT-T's UDP modes too */
	uint32_t	 t_life;
	uint64_t	 t_lifekb;
	const struct alg *t_pfs;
};

static unsigned
proposal_p2_keylen(const struct alg *enc, unsigned keylen)
{
	if (enc == NULL || !proposal_has_keylen(enc))
		return 0;
	return keylen != 0 ? keylen : enc->alg_keydef - alg_salt_bits(enc);
}

unsigned
proposal_enc_bits(const struct proposal_sa *ps)
{
	if (ps->ps_enc == NULL)
		return 0;
	if (ps->ps_keylen != 0)
		return ps->ps_keylen + alg_salt_bits(ps->ps_enc);
	return ps->ps_enc->alg_keydef;
}

unsigned
proposal_auth_bits(const struct proposal_sa *ps)
{
	return ps->ps_auth != NULL ? ps->ps_auth->alg_keydef : 0;
}

static void
proposal_tr_attrs(struct wbuf *wb, const struct proposal_tr *t)
{
	isakmp_attr_put_tv(wb, IPSECDOI_ATTR_SA_LD_TYPE, OAKLEY_LIFE_SECONDS);
	isakmp_attr_put_uint(wb, IPSECDOI_ATTR_SA_LD, t->t_life);
	if (t->t_lifekb != 0) {
		isakmp_attr_put_tv(wb, IPSECDOI_ATTR_SA_LD_TYPE,
		    OAKLEY_LIFE_KILOBYTES);
		isakmp_attr_put_uint(wb, IPSECDOI_ATTR_SA_LD, t->t_lifekb);
	}
	if (t->t_pfs != NULL)
		isakmp_attr_put_tv(wb, IPSECDOI_ATTR_GRP_DESC,
		    (uint16_t)t->t_pfs->alg_ike);
	isakmp_attr_put_tv(wb, IPSECDOI_ATTR_ENC_MODE,
	    t->t_wire != 0 ? t->t_wire : t->t_mode);
	if (t->t_auth != NULL && t->t_auth->alg_ike_auth != ALG_NONE)
		isakmp_attr_put_tv(wb, IPSECDOI_ATTR_AUTH,
		    (uint16_t)t->t_auth->alg_ike_auth);
	if (t->t_keylen != 0)
		isakmp_attr_put_tv(wb, IPSECDOI_ATTR_KEY_LENGTH,
		    (uint16_t)t->t_keylen);
}

/*
 * 1 if the kernel can install a transform (proposal_set_kernel); with
 * say set, one it cannot is logged.
 */
static int
proposal_kernel_can(const struct cfg_sainfo *si, uint8_t proto,
    const struct proposal_tr *t, int say)
{
	const struct alg *auth = t->t_auth;
	unsigned bits = 0;

	if (proposal_kernel == NULL)
		return 1;
	if (auth != NULL && auth->alg_ike_auth == ALG_NONE)
		auth = NULL;
	if (t->t_enc != NULL)
		bits = t->t_keylen != 0 ? t->t_keylen +
		    alg_salt_bits(t->t_enc) : t->t_enc->alg_keydef;
	if (proposal_kernel(proto, t->t_enc, bits, auth))
		return 1;
	if (say)
		log_warnx("sainfo %s:%d: %s %s%s%s left out: not in the "
		    "kernel's PF_KEY algorithm list", si->si_file, si->si_line,
		    isakmp_proto_name(proto),
		    t->t_enc != NULL ? t->t_enc->alg_name : "",
		    t->t_enc != NULL && auth != NULL ? "/" : "",
		    auth != NULL ? auth->alg_name : "");
	return 0;
}

/*
 * Our transforms for a protocol, from the sainfo (racoon's
 * set_satrnsbysainfo): AH one per integrity algorithm, ESP one per cipher
 * and integrity pair (one per AEAD cipher, which has no integrity);
 * those the kernel cannot install left out (logged with say).
 */
static size_t
proposal_ours(const struct cfg_sainfo *si, uint8_t proto,
    const struct proposal_policy *pol, struct proposal_tr *tr, size_t max,
    int say)
{
	uint16_t mode = pol->pol_mode;
	size_t n = 0;
	int i, j;

	memset(tr, 0, sizeof(*tr) * max);
	if (proto == ISAKMP_PROTO_AH) {
		for (i = 0; i < si->si_nauth && n < max; i++) {
			if (si->si_auth[i].sa_alg->alg_ah == ALG_NONE)
				continue;
			tr[n].t_id = (uint8_t)si->si_auth[i].sa_alg->alg_ah;
			tr[n].t_auth = si->si_auth[i].sa_alg;
			tr[n].t_mode = mode;
			if (proposal_kernel_can(si, proto, &tr[n], say))
				n++;
			else
				memset(&tr[n], 0, sizeof(tr[n]));
		}
		goto out;
	}
	for (i = 0; i < si->si_nenc; i++) {
		const struct alg *enc = si->si_enc[i].sa_alg;
		int aead = (enc->alg_flags & ALG_F_AEAD) != 0;

		/* An AEAD cipher is one transform, with or without a list
		 * of integrity algorithms (a sainfo of AEAD alone has none).
		 */
		for (j = 0; j < (aead ? 1 : si->si_nauth) && n < max; j++) {
			tr[n].t_id = (uint8_t)enc->alg_ike;
			tr[n].t_enc = enc;
			tr[n].t_keylen = proposal_p2_keylen(enc,
			    si->si_enc[i].sa_keylen);
			tr[n].t_mode = mode;
			if (!aead)
				tr[n].t_auth = si->si_auth[j].sa_alg;
			if (proposal_kernel_can(si, proto, &tr[n], say))
				n++;
			else
				memset(&tr[n], 0, sizeof(tr[n]));
		}
	}
out:
	for (i = 0; (size_t)i < n; i++) {
		tr[i].t_num = (uint8_t)(i + 1);
		tr[i].t_life = si->si_lifetime;
		tr[i].t_pfs = si->si_pfs;
		tr[i].t_wire = pol->pol_wire_mode != 0 ? pol->pol_wire_mode :
		    pol->pol_mode;
	}
	return n;
}

int
proposal_ph2_build(struct wbuf *wb, const struct cfg_sainfo *si,
    const struct proposal_policy *pol, const uint32_t *spis)
{
	struct proposal_tr tr[ISAKMP_MAX_TRANS];
	struct isakmp_sa_out so;
	uint8_t spi[4];
	size_t i, k, n;

	if (isakmp_sa_build_begin(&so, wb, IPSEC_DOI,
	    IPSEC_SIT_IDENTITY_ONLY) == -1)
		return -1;
	for (i = 0; i < pol->pol_nproto; i++) {
		n = proposal_ours(si, pol->pol_proto[i], pol, tr,
		    ISAKMP_MAX_TRANS, 1);
		if (n == 0) {
			log_warnx("sainfo %s:%d: no algorithm for %s",
			    si->si_file, si->si_line,
			    isakmp_proto_name(pol->pol_proto[i]));
			return -1;
		}
		spi[0] = (uint8_t)(spis[i] >> 24);
		spi[1] = (uint8_t)(spis[i] >> 16);
		spi[2] = (uint8_t)(spis[i] >> 8);
		spi[3] = (uint8_t)spis[i];
		if (isakmp_sa_build_prop(&so, 1, pol->pol_proto[i], spi,
		    4) == -1)
			return -1;
		for (k = 0; k < n; k++) {
			if (isakmp_sa_build_trans(&so, tr[k].t_num,
			    tr[k].t_id) == -1)
				return -1;
			proposal_tr_attrs(wb, &tr[k]);
		}
	}
	return isakmp_sa_build_end(&so);
}

static int
proposal_tr_attr(const struct isakmp_attr *at, struct proposal_tr *t,
    unsigned *ldtype)
{
	uint64_t v;
	int udp;

	if (isakmp_attr_uint(at, &v) == -1)
		return ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
	switch (at->at_type) {
	case IPSECDOI_ATTR_SA_LD_TYPE:
		*ldtype = (unsigned)v;
		return 0;
	case IPSECDOI_ATTR_SA_LD:
		if (*ldtype == OAKLEY_LIFE_SECONDS)
			t->t_life = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		else if (*ldtype == OAKLEY_LIFE_KILOBYTES)
			t->t_lifekb = v;
		else
			return ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
		return 0;
	case IPSECDOI_ATTR_GRP_DESC:
		t->t_pfs = alg_by_ike(ALG_DH, (int)v);
		return t->t_pfs ? 0 : ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
	case IPSECDOI_ATTR_ENC_MODE:
		/* Tunnel, transport, or their NAT-T UDP variants. */
		if (v > UINT16_MAX || natt_encmode_parse((uint16_t)v,
		    &t->t_mode, &udp) == -1)
			return ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
		t->t_wire = (uint16_t)v;
		return 0;
	case IPSECDOI_ATTR_AUTH:
		t->t_auth = alg_by_ike_auth((int)v);
		return t->t_auth ? 0 : ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
	case IPSECDOI_ATTR_KEY_LENGTH:
		t->t_keylen = (unsigned)v;
		return 0;
	default:
		return ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
	}
}

/* Read a peer's phase 2 transform; unknown values make it unusable. */
static int
proposal_tr_parse(uint8_t proto, const struct isakmp_trans *it,
    struct proposal_tr *t)
{
	struct rbuf rb = it->tr_attrs;
	struct isakmp_attr at;
	unsigned ldtype = 0;
	int e;

	memset(t, 0, sizeof(*t));
	t->t_num = it->tr_num;
	t->t_id = it->tr_id;
	while (rbuf_left(&rb) > 0) {
		if (isakmp_attr_next(&rb, &at) == -1)
			return ISAKMP_N_PAYLOAD_MALFORMED;
		if ((e = proposal_tr_attr(&at, t, &ldtype)) != 0)
			return e;
	}
	if (proto == ISAKMP_PROTO_ESP) {
		if ((t->t_enc = alg_by_ike(ALG_ENC, it->tr_id)) == NULL)
			return ISAKMP_N_INVALID_TRANSFORM_ID;
		if (t->t_keylen != 0 && !alg_key_ok(t->t_enc,
		    t->t_keylen + alg_salt_bits(t->t_enc)))
			return ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
		t->t_keylen = proposal_p2_keylen(t->t_enc, t->t_keylen);
	} else {
		const struct alg *a = alg_by_ah(it->tr_id);

		if (a == NULL || (t->t_auth != NULL && t->t_auth != a))
			return ISAKMP_N_INVALID_TRANSFORM_ID;
		t->t_auth = a;
	}
	if (t->t_mode == 0)	/* RFC 2407 4.5: unspecified, transport */
		t->t_mode = t->t_wire = IPSECDOI_MODE_TRANSPORT;
	if (t->t_life == 0)
		t->t_life = PROPOSAL_LIFE_DEFAULT;
	return ISAKMP_N_OK;
}

/* racoon's cmpsatrns: transform id and integrity; key length obeys. */
static int
proposal_tr_match(const struct proposal_tr *peer, const struct proposal_tr *my)
{
	const struct alg *pa = peer->t_auth, *ma = my->t_auth;

	if (peer->t_id != my->t_id || peer->t_enc != my->t_enc)
		return 0;
	/* "non_auth" and no attribute are the same thing. */
	if (pa != NULL && pa->alg_ike_auth == ALG_NONE)
		pa = NULL;
	if (ma != NULL && ma->alg_ike_auth == ALG_NONE)
		ma = NULL;
	if (pa != ma)
		return 0;
	if (peer->t_keylen != my->t_keylen)
		log_debug(1, "key length %u proposed, ours %u: the "
		    "initiator's is used", peer->t_keylen, my->t_keylen);
	return 1;
}

/* One protocol's proposal payload of the peer against ours. */
static int
proposal_proto_pick(const struct cfg_sainfo *si,
    const struct proposal_policy *pol, const struct isakmp_prop *prop,
    struct proposal_tr *chosen)
{
	struct proposal_tr mine[ISAKMP_MAX_TRANS], peer;
	struct isakmp_trans it;
	struct rbuf rb = prop->prop_trans;
	size_t n, k;

	n = proposal_ours(si, prop->prop_proto, pol, mine, ISAKMP_MAX_TRANS,
	    0);
	if (n == 0) {
		/* Again, saying what the kernel cannot install. */
		(void)proposal_ours(si, prop->prop_proto, pol, mine,
		    ISAKMP_MAX_TRANS, 1);
		log_warnx("sainfo %s:%d: no %s transform to accept",
		    si->si_file, si->si_line,
		    isakmp_proto_name(prop->prop_proto));
		return -1;
	}
	while (rbuf_left(&rb) > 0) {
		if (isakmp_trans_next(&rb, prop->prop_proto, &it) != 0)
			return -1;
		if (proposal_tr_parse(prop->prop_proto, &it, &peer) != 0)
			continue;
		/* NAT-T's UDP modes where NAT-T is in use, only there. */
		if (n == 0 || peer.t_wire != mine[0].t_wire) {
			log_debug(1, "encmode mismatched: my:%s peer:%s",
			    isakmp_encmode_name(n ? mine[0].t_wire : 0),
			    isakmp_encmode_name(peer.t_wire));
			continue;
		}
		for (k = 0; k < n; k++)
			if (proposal_tr_match(&peer, &mine[k])) {
				*chosen = peer;
				return 0;
			}
	}
	return -1;
}

/* Lifetimes and PFS of the peer's proposal against ours, per pcheck. */
static int
proposal_pcheck(const struct cfg_sainfo *si, enum cfg_pcheck pc,
    struct proposal_ph2 *pp)
{
	uint32_t my = si->si_lifetime;
	const struct alg *mypfs = si->si_pfs;

	switch (pc) {
	case CFG_PCHECK_OBEY:
		return 0;
	case CFG_PCHECK_STRICT:
		if (pp->pp_lifetime > my) {
			log_warnx("long lifetime proposed: my:%u peer:%u", my,
			    pp->pp_lifetime);
			return -1;
		}
		/* We set no kilobyte lifetime: any is longer. */
		if (pp->pp_lifekb != 0) {
			log_warnx("long lifebyte proposed: my:0 peer:%llu",
			    (unsigned long long)pp->pp_lifekb);
			return -1;
		}
		break;
	case CFG_PCHECK_CLAIM:
		if (pp->pp_lifetime > my) {
			log_notice("use own lifetime: my:%u peer:%u", my,
			    pp->pp_lifetime);
			pp->pp_lifetime = my;
			pp->pp_claim = 1;
		}
		break;
	case CFG_PCHECK_EXACT:
		if (pp->pp_lifetime != my || pp->pp_lifekb != 0) {
			log_warnx("lifetime mismatched: my:%u peer:%u", my,
			    pp->pp_lifetime);
			return -1;
		}
		if (pp->pp_pfs != mypfs) {
			log_warnx("pfs group mismatched: my:%d peer:%d",
			    mypfs ? mypfs->alg_ike : 0,
			    pp->pp_pfs ? pp->pp_pfs->alg_ike : 0);
			return -1;
		}
		return 0;
	}
	if (mypfs != NULL && pp->pp_pfs != mypfs) {
		log_warnx("pfs group mismatched: my:%d peer:%d",
		    mypfs->alg_ike, pp->pp_pfs ? pp->pp_pfs->alg_ike : 0);
		return -1;
	}
	return 0;
}

static void
proposal_sa_set(struct proposal_sa *ps, const struct isakmp_prop *prop,
    const struct proposal_tr *t)
{
	memset(ps, 0, sizeof(*ps));
	/* ESP without integrity: no algorithm, whatever the spelling. */
	ps->ps_auth = t->t_auth;
	if (ps->ps_auth != NULL && ps->ps_auth->alg_ike_auth == ALG_NONE)
		ps->ps_auth = NULL;
	ps->ps_proto = prop->prop_proto;
	ps->ps_spi_peer = (uint32_t)prop->prop_spi[0] << 24 |
	    (uint32_t)prop->prop_spi[1] << 16 |
	    (uint32_t)prop->prop_spi[2] << 8 | prop->prop_spi[3];
	ps->ps_mode = t->t_mode;
	ps->ps_wire_mode = t->t_wire;
	ps->ps_trans_num = t->t_num;
	ps->ps_trans_id = t->t_id;
	ps->ps_enc = t->t_enc;
	ps->ps_keylen = t->t_keylen;
}

/*
 * One proposal: the proposal payloads sharing a number (RFC 2408 4.2),
 * starting at *rb.  Fills pp when every protocol of the policy finds a
 * transform and nothing else is proposed.  -1 when it does not fit.
 */
static int
proposal_group(const struct cfg_sainfo *si, const struct proposal_policy *pol,
    struct rbuf *rb, struct proposal_ph2 *pp)
{
	struct isakmp_prop prop;
	struct proposal_tr t;
	struct rbuf save;
	size_t k;
	int ok = 1, have[PROPOSAL_MAX_PROTO] = { 0 }, first = 1;

	memset(pp, 0, sizeof(*pp));
	while (rbuf_left(rb) > 0) {
		save = *rb;
		if (isakmp_prop_next(rb, &prop) != 0)
			return -1;
		if (!first && prop.prop_num != pp->pp_num) {
			*rb = save;
			break;
		}
		first = 0;
		pp->pp_num = prop.prop_num;
		for (k = 0; k < pol->pol_nproto; k++)
			if (pol->pol_proto[k] == prop.prop_proto && !have[k])
				break;
		if (k == pol->pol_nproto || prop.prop_spisize != 4 ||
		    proposal_proto_pick(si, pol, &prop, &t) == -1) {
			ok = 0;
			continue;
		}
		have[k] = 1;
		proposal_sa_set(&pp->pp_sa[k], &prop, &t);
		if (pp->pp_nsa == 0 || t.t_life < pp->pp_lifetime)
			pp->pp_lifetime = t.t_life;
		if (t.t_lifekb > pp->pp_lifekb)
			pp->pp_lifekb = t.t_lifekb;
		if (pp->pp_nsa++ == 0)
			pp->pp_pfs = t.t_pfs;
		else if (pp->pp_pfs != t.t_pfs)
			ok = 0;
	}
	for (k = 0; k < pol->pol_nproto; k++)
		if (!have[k])
			ok = 0;
	return ok ? 0 : -1;
}

int
proposal_ph2_choose(const struct cfg_sainfo *si,
    const struct proposal_policy *pol, enum cfg_pcheck pc,
    const struct isakmp_sa *sa, struct proposal_ph2 *pp)
{
	struct rbuf rb = sa->sa_props;

	while (rbuf_left(&rb) > 0) {
		if (proposal_group(si, pol, &rb, pp) == -1)
			continue;
		if (proposal_pcheck(si, pc, pp) == 0)
			return ISAKMP_N_OK;
	}
	log_warnx("no suitable proposal found: sainfo %s:%d does not "
	    "accept the peer's (proposal_check %s)", si->si_file, si->si_line,
	    proposal_pcheck_name(pc));
	return ISAKMP_N_NO_PROPOSAL_CHOSEN;
}

/*
 * The policy one of the peer's proposals asks for: its protocols in the
 * order of its proposal payloads, and the encapsulation mode of the first
 * transform of the first.  -1 when the group holds a protocol we cannot
 * negotiate, the same protocol twice, or no transform.
 */
static int
proposal_group_policy(struct rbuf rb, struct proposal_policy *pol)
{
	struct isakmp_prop prop;
	struct isakmp_trans it;
	struct proposal_tr t;
	struct rbuf trs;
	size_t k;
	int first = 1;
	uint8_t num = 0;

	memset(pol, 0, sizeof(*pol));
	while (rbuf_left(&rb) > 0) {
		if (isakmp_prop_next(&rb, &prop) != 0)
			return -1;
		if (!first && prop.prop_num != num)
			break;
		num = prop.prop_num;
		if ((prop.prop_proto != ISAKMP_PROTO_ESP &&
		    prop.prop_proto != ISAKMP_PROTO_AH) ||
		    pol->pol_nproto == PROPOSAL_MAX_PROTO)
			return -1;
		for (k = 0; k < pol->pol_nproto; k++)
			if (pol->pol_proto[k] == prop.prop_proto)
				return -1;
		pol->pol_proto[pol->pol_nproto++] = prop.prop_proto;
		if (first) {
			trs = prop.prop_trans;
			if (isakmp_trans_next(&trs, prop.prop_proto,
			    &it) != 0 ||
			    proposal_tr_parse(prop.prop_proto, &it, &t) != 0)
				return -1;
			pol->pol_mode = t.t_mode;
			pol->pol_wire_mode = t.t_wire;
		}
		first = 0;
	}
	return pol->pol_nproto > 0 ? 0 : -1;
}

int
proposal_ph2_choose_gen(const struct cfg_sainfo *si, enum cfg_pcheck pc,
    const struct isakmp_sa *sa, struct proposal_policy *pol,
    struct proposal_ph2 *pp)
{
	struct proposal_policy none;
	struct rbuf rb = sa->sa_props;
	size_t left;
	int r;

	memset(&none, 0, sizeof(none));
	while ((left = rbuf_left(&rb)) > 0) {
		/* A group we cannot use is still read whole, to skip it. */
		if (proposal_group_policy(rb, pol) == -1) {
			(void)proposal_group(si, &none, &rb, pp);
			r = 0;
		} else
			r = proposal_group(si, pol, &rb, pp) == 0 &&
			    proposal_pcheck(si, pc, pp) == 0;
		if (r)
			return ISAKMP_N_OK;
		if (rbuf_left(&rb) == left)
			break;
	}
	log_warnx("no suitable proposal found: sainfo %s:%d does not "
	    "accept the peer's (proposal_check %s, policy generated from "
	    "the proposal)", si->si_file, si->si_line,
	    proposal_pcheck_name(pc));
	return ISAKMP_N_NO_PROPOSAL_CHOSEN;
}

int
proposal_ph2_reply(struct wbuf *wb, const struct proposal_ph2 *pp)
{
	const struct proposal_sa *ps;
	struct proposal_tr t;
	struct isakmp_sa_out so;
	uint8_t spi[4];
	size_t i;

	if (isakmp_sa_build_begin(&so, wb, IPSEC_DOI,
	    IPSEC_SIT_IDENTITY_ONLY) == -1)
		return -1;
	for (i = 0; i < pp->pp_nsa; i++) {
		ps = &pp->pp_sa[i];
		spi[0] = (uint8_t)(ps->ps_spi >> 24);
		spi[1] = (uint8_t)(ps->ps_spi >> 16);
		spi[2] = (uint8_t)(ps->ps_spi >> 8);
		spi[3] = (uint8_t)ps->ps_spi;
		memset(&t, 0, sizeof(t));
		t.t_enc = ps->ps_enc;
		t.t_keylen = ps->ps_keylen;
		t.t_auth = ps->ps_auth;
		t.t_mode = ps->ps_mode;
		t.t_wire = ps->ps_wire_mode;
		t.t_life = pp->pp_lifetime;
		t.t_lifekb = pp->pp_lifekb;
		t.t_pfs = pp->pp_pfs;
		if (isakmp_sa_build_prop(&so, pp->pp_num, ps->ps_proto, spi,
		    4) == -1 ||
		    isakmp_sa_build_trans(&so, ps->ps_trans_num,
		    ps->ps_trans_id) == -1)
			return -1;
		proposal_tr_attrs(wb, &t);
	}
	return isakmp_sa_build_end(&so);
}

int
proposal_ph2_accept(const struct cfg_sainfo *si,
    const struct proposal_policy *pol, const uint32_t *spis,
    const struct isakmp_sa *sa, struct proposal_ph2 *pp)
{
	struct rbuf rb = sa->sa_props;
	size_t k;

	if (proposal_group(si, pol, &rb, pp) == -1 || rbuf_left(&rb) != 0) {
		log_warnx("phase 2 SA answer: not one of the proposals we "
		    "offered");
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}
	for (k = 0; k < pp->pp_nsa; k++)
		pp->pp_sa[k].ps_spi = spis[k];
	if (pp->pp_lifetime > si->si_lifetime) {
		log_warnx("phase 2 SA answer: lifetime %u longer than the "
		    "%u offered", pp->pp_lifetime, si->si_lifetime);
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}
	if (pp->pp_pfs != si->si_pfs) {
		log_warnx("phase 2 SA answer: pfs group mismatched");
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}
	return ISAKMP_N_OK;
}

int
proposal_lifetime_build(struct wbuf *wb, const struct proposal_ph2 *pp)
{
	isakmp_attr_put_tv(wb, IPSECDOI_ATTR_SA_LD_TYPE, OAKLEY_LIFE_SECONDS);
	return isakmp_attr_put_uint(wb, IPSECDOI_ATTR_SA_LD, pp->pp_lifetime);
}

int
proposal_lifetime_parse(const uint8_t *data, size_t len,
    struct proposal_ph2 *pp)
{
	struct proposal_tr t;
	struct isakmp_attr at;
	struct rbuf rb;
	unsigned ldtype = 0;

	rbuf_init(&rb, data, len);
	if (isakmp_attrs_check(&rb, ISAKMP_ATTR_IPSEC) != ISAKMP_N_OK)
		return ISAKMP_N_PAYLOAD_MALFORMED;
	memset(&t, 0, sizeof(t));
	while (rbuf_left(&rb) > 0) {
		if (isakmp_attr_next(&rb, &at) == -1 ||
		    (at.at_type != IPSECDOI_ATTR_SA_LD_TYPE &&
		    at.at_type != IPSECDOI_ATTR_SA_LD) ||
		    proposal_tr_attr(&at, &t, &ldtype) != 0) {
			log_warnx("RESPONDER-LIFETIME: attribute %s not "
			    "understood", isakmp_attr_name(ISAKMP_ATTR_IPSEC,
			    at.at_type));
			return ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED;
		}
	}
	if (t.t_life != 0 && t.t_life < pp->pp_lifetime)
		pp->pp_lifetime = t.t_life;
	if (t.t_lifekb != 0 && (pp->pp_lifekb == 0 ||
	    t.t_lifekb < pp->pp_lifekb))
		pp->pp_lifekb = t.t_lifekb;
	return ISAKMP_N_OK;
}
