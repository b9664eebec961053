/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Quick Mode, RFC 2409 5.5, both roles, with and without PFS, as the six
 * handlers of exchange.c's table:
 *
 *	Initiator                          Responder
 *	HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]  -->
 *	    <--  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N]
 *	HDR*, HASH(3)              -->
 *
 * The responder asks the kernel interface which protocols and mode its
 * policy wants for the IDs, finds the sainfo, chooses a proposal under
 * the remote's proposal_check and, when it claims a shorter lifetime,
 * says so with RESPONDER-LIFETIME (RFC 2407 4.6.3.1).  Both sides hand
 * the SAs over after HASH(3).
 */
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "dh.h"
#include "exchange.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "natt.h"
#include "ph1.h"
#include "ph2.h"
#include "proposal.h"

static struct ike_chunk
ph2_quick_chunk(const struct wbuf *w)
{
	struct ike_chunk c = { wbuf_data(w), wbuf_len(w) };

	return c;
}

/* The HASH payload first, filled in once the message is complete. */
static int
ph2_quick_hash_begin(struct ph2 *ph2, struct isakmp_out *out, size_t *off)
{
	if (isakmp_out_pld(out, ISAKMP_NPTYPE_HASH) == -1)
		return -1;
	*off = wbuf_len(out->out_wb);
	return wbuf_put_zero(out->out_wb,
	    ph2->ph2_ph1->ph1_keys.ik_prflen);
}

/* HASH(1) (no nonce) or HASH(2) (ni) over the rest of the message. */
static int
ph2_quick_hash_end(struct ph2 *ph2, struct isakmp_out *out, size_t off,
    const struct wbuf *ni)
{
	const struct ike_keys *k = &ph2->ph2_ph1->ph1_keys;
	uint8_t *msg, hash[IKE_PRF_MAX];
	struct ike_chunk rest, n;

	if (isakmp_out_end(out) == -1)
		return -1;
	msg = wbuf_data(out->out_wb);
	rest.c_ptr = msg + off + k->ik_prflen;
	rest.c_len = wbuf_len(out->out_wb) - off - k->ik_prflen;
	if (ni == NULL) {
		if (ike_qm_hash1(k, ph2->ph2_msgid, &rest, hash) == -1)
			return -1;
	} else {
		n = ph2_quick_chunk(ni);
		if (ike_qm_hash2(k, ph2->ph2_msgid, &n, &rest, hash) == -1)
			return -1;
	}
	memcpy(msg + off, hash, k->ik_prflen);
	return 0;
}

/* The first payload's HASH against HASH(1) or HASH(2). */
static int
ph2_quick_hash_check(struct ph2 *ph2, const struct isakmp_msg *msg,
    const struct wbuf *ni)
{
	const struct ike_keys *k = &ph2->ph2_ph1->ph1_keys;
	const struct isakmp_pld *hp = &msg->msg_pld[0];
	uint8_t want[IKE_PRF_MAX];
	struct ike_chunk rest, n;
	const uint8_t *p;
	char name[PH2_NAMELEN];

	if (isakmp_msg_rest(msg, 0, &p, &rest.c_len) == -1)
		return ISAKMP_N_PAYLOAD_MALFORMED;
	rest.c_ptr = p;
	if (ni == NULL) {
		if (ike_qm_hash1(k, ph2->ph2_msgid, &rest, want) == -1)
			return EXCHANGE_ERR;
	} else {
		n = ph2_quick_chunk(ni);
		if (ike_qm_hash2(k, ph2->ph2_msgid, &n, &rest, want) == -1)
			return EXCHANGE_ERR;
	}
	if (rbuf_left(&hp->pld_body) != k->ik_prflen ||
	    mem_cmp_ct(rbuf_ptr(&hp->pld_body), want, k->ik_prflen) != 0) {
		log_warnx("%s: HASH(%d) mismatch", ph2_name(ph2, name,
		    sizeof(name)), ni == NULL ? 1 : 2);
		return ISAKMP_N_INVALID_HASH_INFORMATION;
	}
	return ISAKMP_N_OK;
}

static int
ph2_quick_nonce(struct ph2 *ph2, struct wbuf *nonce)
{
	uint8_t n[256];
	uint32_t len = ph2->ph2_ph1->ph1_remote->r_nonce_size;
	int rv;

	if (len < 8 || len > sizeof(n))
		len = CFG_NONCE_DEFAULT;
	wbuf_reset(nonce);
	rv = exchange_random(n, len) == 0 ? wbuf_put_bytes(nonce, n, len) :
	    -1;
	mem_wipe(n, sizeof(n));
	return rv;
}

/* NONCE, KE (with PFS) and the IDs of our side. */
static int
ph2_quick_common_send(struct ph2 *ph2, struct isakmp_out *out,
    const struct wbuf *nonce, const struct alg *pfs)
{
	struct wbuf pub;
	struct isakmp_id id;
	uint8_t buf[32];
	int rv = -1;

	if (isakmp_out_pld(out, ISAKMP_NPTYPE_NONCE) == -1 ||
	    isakmp_data_build(out->out_wb, wbuf_data(nonce),
	    wbuf_len(nonce)) == -1)
		return -1;
	if (pfs != NULL) {
		if (ph2->ph2_dh == NULL &&
		    (ph2->ph2_dh = dh_new(pfs->alg_ike)) == NULL)
			return -1;
		if (wbuf_init(&pub, 256, 2048) == -1)
			return -1;
		if (dh_pub(ph2->ph2_dh, &pub) == 0 &&
		    isakmp_out_pld(out, ISAKMP_NPTYPE_KE) == 0 &&
		    isakmp_data_build(out->out_wb, wbuf_data(&pub),
		    wbuf_len(&pub)) == 0)
			rv = 0;
		wbuf_free(&pub);
		if (rv == -1)
			return -1;
	}
	if (!ph2->ph2_has_ids)
		return natt_oa_send(ph2, out);
	/* IDci is the initiator's side. */
	ph2_sel_to_id(ph2->ph2_role == ISAKMP_ROLE_I ? &ph2->ph2_local :
	    &ph2->ph2_remote, &id, buf);
	if (isakmp_out_pld(out, ISAKMP_NPTYPE_ID) == -1 ||
	    isakmp_id_build(out->out_wb, &id) == -1)
		return -1;
	ph2_sel_to_id(ph2->ph2_role == ISAKMP_ROLE_I ? &ph2->ph2_remote :
	    &ph2->ph2_local, &id, buf);
	if (isakmp_out_pld(out, ISAKMP_NPTYPE_ID) == -1 ||
	    isakmp_id_build(out->out_wb, &id) == -1)
		return -1;
	return natt_oa_send(ph2, out);
}

/* The peer's nonce and, with PFS, its KE and our g(qm)^xy. */
static int
ph2_quick_common_recv(struct ph2 *ph2, const struct isakmp_msg *msg,
    struct wbuf *nonce, const struct alg *pfs)
{
	const struct isakmp_pld *kp;
	struct isakmp_data d;
	struct rbuf rb;
	char name[PH2_NAMELEN];

	ph2_name(ph2, name, sizeof(name));
	rb = isakmp_msg_find(msg, ISAKMP_NPTYPE_NONCE, 0)->pld_body;
	if (isakmp_data_parse(&rb, ISAKMP_NPTYPE_NONCE, &d) != ISAKMP_N_OK)
		return ISAKMP_N_PAYLOAD_MALFORMED;
	wbuf_reset(nonce);
	if (wbuf_put_bytes(nonce, d.data_ptr, d.data_len) == -1)
		return EXCHANGE_ERR;
	kp = isakmp_msg_find(msg, ISAKMP_NPTYPE_KE, 0);
	if ((kp != NULL) != (pfs != NULL)) {
		log_warnx("%s: KE payload %s, PFS %s", name,
		    kp ? "present" : "absent", pfs ? "agreed" : "not agreed");
		return ISAKMP_N_INVALID_KEY_INFORMATION;
	}
	if (pfs == NULL)
		return ISAKMP_N_OK;
	if (ph2->ph2_dh == NULL &&
	    (ph2->ph2_dh = dh_new(pfs->alg_ike)) == NULL)
		return EXCHANGE_ERR;
	rb = kp->pld_body;
	if (isakmp_data_parse(&rb, ISAKMP_NPTYPE_KE, &d) != ISAKMP_N_OK ||
	    dh_check_peer(ph2->ph2_dh, d.data_ptr, d.data_len) == -1) {
		log_warnx("%s: KE payload refused for %s", name,
		    pfs->alg_name);
		return ISAKMP_N_INVALID_KEY_INFORMATION;
	}
	wbuf_reset(&ph2->ph2_gxy);
	if (dh_derive(ph2->ph2_dh, d.data_ptr, d.data_len,
	    &ph2->ph2_gxy) == -1)
		return ISAKMP_N_INVALID_KEY_INFORMATION;
	return ISAKMP_N_OK;
}

/* The two IDs, IDci then IDcr; 0 means none were sent. */
static int
ph2_quick_ids(const struct isakmp_msg *msg, struct ph2_sel *ci,
    struct ph2_sel *cr, int *have)
{
	struct isakmp_id id;
	struct rbuf rb;
	size_t n = isakmp_msg_count(msg, ISAKMP_NPTYPE_ID);
	int e;

	*have = 0;
	if (n == 0)
		return ISAKMP_N_OK;
	if (n != 2) {
		log_warnx("quick mode: %zu ID payloads, not 0 or 2", n);
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	rb = isakmp_msg_find(msg, ISAKMP_NPTYPE_ID, 0)->pld_body;
	if ((e = isakmp_id_parse(&rb, &id)) != ISAKMP_N_OK ||
	    (e = ph2_sel_from_id(ci, &id)) != ISAKMP_N_OK)
		return e;
	rb = isakmp_msg_find(msg, ISAKMP_NPTYPE_ID, 1)->pld_body;
	if ((e = isakmp_id_parse(&rb, &id)) != ISAKMP_N_OK ||
	    (e = ph2_sel_from_id(cr, &id)) != ISAKMP_N_OK)
		return e;
	*have = 1;
	return ISAKMP_N_OK;
}

static int
ph2_quick_sa(const struct isakmp_msg *msg, struct isakmp_sa *sa)
{
	struct rbuf rb;

	if (isakmp_msg_count(msg, ISAKMP_NPTYPE_SA) != 1) {
		log_warnx("quick mode: %zu SA payloads, only 1 supported",
		    isakmp_msg_count(msg, ISAKMP_NPTYPE_SA));
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	rb = isakmp_msg_find(msg, ISAKMP_NPTYPE_SA, 0)->pld_body;
	return isakmp_sa_parse(&rb, sa);
}

int
ph2_quick_i1_send(struct exchange *ex, struct isakmp_out *out)
{
	struct ph2 *ph2 = ex->ex_ph2;
	size_t off;

	if (ph2->ph2_spi_wait != 0)
		return EXCHANGE_WAIT;
	if (ph2_quick_nonce(ph2, &ph2->ph2_ni) == -1 ||
	    ph2_quick_hash_begin(ph2, out, &off) == -1 ||
	    isakmp_out_pld(out, ISAKMP_NPTYPE_SA) == -1 ||
	    proposal_ph2_build(out->out_wb, ph2->ph2_sainfo,
	    &ph2->ph2_policy, ph2->ph2_spi) == -1 ||
	    ph2_quick_common_send(ph2, out, &ph2->ph2_ni,
	    ph2->ph2_sainfo->si_pfs) == -1 ||
	    ph2_quick_hash_end(ph2, out, off, NULL) == -1)
		return EXCHANGE_ERR;
	return ISAKMP_N_OK;
}

/* Remember what a notify about this negotiation should name. */
static void
ph2_quick_err_spi(struct ph2 *ph2, const struct isakmp_sa *sa)
{
	struct isakmp_prop prop;
	struct rbuf rb = sa->sa_props;

	if (isakmp_prop_next(&rb, &prop) == ISAKMP_N_OK &&
	    prop.prop_spisize == 4) {
		ph2->ph2_err_proto = prop.prop_proto;
		memcpy(ph2->ph2_err_spi, prop.prop_spi, 4);
	}
}

/*
 * generate_policy: no policy covers the initiator's IDs, so the
 * proposal it makes names the protocols and mode, and the policies
 * are installed with the SAs (ph2_install).  In transport mode the IDs
 * must be the two ends of the ISAKMP-SA: a peer may not have us
 * protect traffic of addresses that are not its own.
 */
static int
ph2_quick_r1_generate(struct ph2 *ph2, const struct isakmp_sa *sa)
{
	struct ph1 *ph1 = ph2->ph2_ph1;
	struct ph2_sel l, r;
	char name[PH2_NAMELEN], ls[96], rs[96];
	int n;

	ph2_name(ph2, name, sizeof(name));
	log_info("%s: no policy found, try to generate the policy : "
	    "%s %s", name, ph2_sel_fmt(&ph2->ph2_remote, rs, sizeof(rs)),
	    ph2_sel_fmt(&ph2->ph2_local, ls, sizeof(ls)));
	/* A policy has an address and a prefix each side, of one family. */
	if (ph2->ph2_local.sel_type == IPSECDOI_ID_IPV4_ADDR_RANGE ||
	    ph2->ph2_local.sel_type == IPSECDOI_ID_IPV6_ADDR_RANGE ||
	    ph2->ph2_remote.sel_type == IPSECDOI_ID_IPV4_ADDR_RANGE ||
	    ph2->ph2_remote.sel_type == IPSECDOI_ID_IPV6_ADDR_RANGE ||
	    ph2->ph2_local.sel_addr.a_af != ph2->ph2_remote.sel_addr.a_af) {
		log_warnx("%s: no policy can be generated for %s <-> %s "
		    "(an address range, or two families)", name, ls, rs);
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	if ((n = proposal_ph2_choose_gen(ph2->ph2_sainfo,
	    ph1->ph1_remote->r_proposal_check, sa, &ph2->ph2_policy,
	    &ph2->ph2_prop)) != ISAKMP_N_OK)
		return n;
	/* The UDP modes exactly when phase 1 found a NAT. */
	if (ph2->ph2_policy.pol_wire_mode != natt_encmode(ph1,
	    ph2->ph2_policy.pol_mode)) {
		log_warnx("%s: encapsulation mode %s refused: NAT-T %s in "
		    "use", name, isakmp_encmode_name(
		    ph2->ph2_policy.pol_wire_mode), natt_encap(ph1) ? "is" :
		    "is not");
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}
	if ((n = natt_ph2_policy(ph2)) != ISAKMP_N_OK)
		return n;
	if (ph2->ph2_policy.pol_mode != IPSECDOI_MODE_TUNNEL &&
	    (ph2_sel_host(&l, &ph1->ph1_local) == -1 ||
	    ph2_sel_host(&r, &ph1->ph1_peer) == -1 ||
	    ph2->ph2_local.sel_addr.a_af != l.sel_addr.a_af ||
	    ph2->ph2_remote.sel_addr.a_af != r.sel_addr.a_af ||
	    ph2->ph2_local.sel_addr.a_plen != l.sel_addr.a_plen ||
	    ph2->ph2_remote.sel_addr.a_plen != r.sel_addr.a_plen ||
	    addr_cmp_host(&ph2->ph2_local.sel_addr, &l.sel_addr) != 0 ||
	    addr_cmp_host(&ph2->ph2_remote.sel_addr, &r.sel_addr) != 0)) {
		log_warnx("%s: transport mode policy for %s <-> %s refused: "
		    "not the addresses of the ISAKMP-SA", name, ls, rs);
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	ph2->ph2_genpol = PH2_GENPOL_WANT;
	return ISAKMP_N_OK;
}

/* Responder: IDs, policy and sainfo, then the proposal. */
static int
ph2_quick_r1_choose(struct ph2 *ph2, const struct isakmp_msg *msg,
    const struct isakmp_sa *sa)
{
	struct ph1 *ph1 = ph2->ph2_ph1;
	struct exchange_kernel *k = &ph1->ph1_env->env_kernel;
	struct ph2_sel nsel;
	char name[PH2_NAMELEN], ls[96], rs[96];
	int n, gen;

	ph2_name(ph2, name, sizeof(name));
	if ((n = ph2_quick_ids(msg, &ph2->ph2_remote, &ph2->ph2_local,
	    &ph2->ph2_has_ids)) != ISAKMP_N_OK)
		return n;
	if (!ph2->ph2_has_ids &&
	    (ph2_sel_host(&ph2->ph2_local, &ph1->ph1_local) == -1 ||
	    ph2_sel_host(&ph2->ph2_remote, &ph1->ph1_peer) == -1))
		return ISAKMP_N_INVALID_ID_INFORMATION;
	ph2_sel_fmt(&ph2->ph2_local, ls, sizeof(ls));
	ph2_sel_fmt(&ph2->ph2_remote, rs, sizeof(rs));
	n = k->ek_policy(k->ek_arg, &ph2->ph2_local, &ph2->ph2_remote,
	    &ph2->ph2_policy);
	/* Transport mode behind a NAT: the policy names the NAT. */
	if (n == -1 && natt_oa_recv(ph2, msg) == ISAKMP_N_OK &&
	    natt_ph2_peer_sel(ph2, &nsel) == 1 && (n = k->ek_policy(k->ek_arg,
	    &ph2->ph2_local, &nsel, &ph2->ph2_policy)) != -1 &&
	    ph2->ph2_policy.pol_mode != IPSECDOI_MODE_TRANSPORT)
		n = -1;
	gen = n == -1 &&
	    ph1->ph1_remote->r_generate_policy != CFG_GENPOLICY_OFF;
	if (!gen && (n == -1 || ph2->ph2_policy.pol_nproto == 0 ||
	    ph2->ph2_policy.pol_nproto > PROPOSAL_MAX_PROTO)) {
		log_warnx("%s: no policy found: %s <-> %s", name, ls, rs);
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}
	if ((n = natt_ph2_policy(ph2)) != ISAKMP_N_OK)
		return n;
	if ((ph2->ph2_sainfo = ph2_sainfo_find(ph1->ph1_env->env_cfg, ph1,
	    &ph2->ph2_local, &ph2->ph2_remote)) == NULL) {
		log_warnx("%s: failed to get sainfo: %s <-> %s", name, ls, rs);
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	if (gen)
		return ph2_quick_r1_generate(ph2, sa);
	/* A policy generated for an earlier phase 2 (a rekey): hold it. */
	if (n == 1)
		ph2->ph2_genpol = PH2_GENPOL_WANT;
	return proposal_ph2_choose(ph2->ph2_sainfo, &ph2->ph2_policy,
	    ph1->ph1_remote->r_proposal_check, sa, &ph2->ph2_prop);
}

int
ph2_quick_r1_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	struct ph2 *ph2 = ex->ex_ph2;
	struct isakmp_sa sa;
	uint8_t protos[PROPOSAL_MAX_PROTO];
	size_t i;
	int n;

	/* The SPI first: a notify about a bad HASH(1) names it too. */
	if ((n = ph2_quick_sa(msg, &sa)) != ISAKMP_N_OK)
		return n;
	ph2_quick_err_spi(ph2, &sa);
	if ((n = ph2_quick_hash_check(ph2, msg, NULL)) != ISAKMP_N_OK)
		return n;
	if (ph2_set_state(ph2, PH2_S_NEGOTIATING) == -1)
		return EXCHANGE_ERR;
	if ((n = ph2_quick_r1_choose(ph2, msg, &sa)) != ISAKMP_N_OK ||
	    (n = ph2_quick_common_recv(ph2, msg, &ph2->ph2_ni,
	    ph2->ph2_prop.pp_pfs)) != ISAKMP_N_OK ||
	    (n = natt_oa_recv(ph2, msg)) != ISAKMP_N_OK)
		return n;
	for (i = 0; i < ph2->ph2_prop.pp_nsa; i++)
		protos[i] = ph2->ph2_prop.pp_sa[i].ps_proto;
	/* The answer waits (EXCHANGE_WAIT) for late SPIs. */
	return ph2_getspi(ph2, protos, ph2->ph2_prop.pp_nsa) == 0 ?
	    ISAKMP_N_OK : EXCHANGE_ERR;
}

/* RESPONDER-LIFETIME for each protocol when we claimed ours. */
static int
ph2_quick_lifetime_send(struct ph2 *ph2, struct isakmp_out *out)
{
	const struct proposal_sa *ps;
	struct isakmp_notify nt;
	struct wbuf data;
	size_t i;
	int rv = 0;

	if (!ph2->ph2_prop.pp_claim)
		return 0;
	if (wbuf_init(&data, 32, 256) == -1 ||
	    proposal_lifetime_build(&data, &ph2->ph2_prop) == -1) {
		wbuf_free(&data);
		return -1;
	}
	for (i = 0; i < ph2->ph2_prop.pp_nsa && rv == 0; i++) {
		ps = &ph2->ph2_prop.pp_sa[i];
		memset(&nt, 0, sizeof(nt));
		nt.n_doi = IPSEC_DOI;
		nt.n_proto = ps->ps_proto;
		nt.n_type = IPSEC_N_RESPONDER_LIFETIME;
		nt.n_spisize = 4;
		nt.n_spi[0] = (uint8_t)(ps->ps_spi >> 24);
		nt.n_spi[1] = (uint8_t)(ps->ps_spi >> 16);
		nt.n_spi[2] = (uint8_t)(ps->ps_spi >> 8);
		nt.n_spi[3] = (uint8_t)ps->ps_spi;
		nt.n_data = wbuf_data(&data);
		nt.n_len = wbuf_len(&data);
		if (isakmp_out_pld(out, ISAKMP_NPTYPE_N) == -1 ||
		    isakmp_notify_build(out->out_wb, &nt) == -1)
			rv = -1;
	}
	wbuf_free(&data);
	return rv;
}

int
ph2_quick_r2_send(struct exchange *ex, struct isakmp_out *out)
{
	struct ph2 *ph2 = ex->ex_ph2;
	size_t off;

	if (ph2->ph2_spi_wait != 0)
		return EXCHANGE_WAIT;
	if (ph2_quick_nonce(ph2, &ph2->ph2_nr) == -1 ||
	    ph2_quick_hash_begin(ph2, out, &off) == -1 ||
	    isakmp_out_pld(out, ISAKMP_NPTYPE_SA) == -1 ||
	    proposal_ph2_reply(out->out_wb, &ph2->ph2_prop) == -1 ||
	    ph2_quick_common_send(ph2, out, &ph2->ph2_nr,
	    ph2->ph2_prop.pp_pfs) == -1 ||
	    ph2_quick_lifetime_send(ph2, out) == -1 ||
	    ph2_quick_hash_end(ph2, out, off, &ph2->ph2_ni) == -1)
		return EXCHANGE_ERR;
	return ISAKMP_N_OK;
}

/* The responder's IDs, if any, are ours; its notifies are read. */
static int
ph2_quick_i2_check(struct ph2 *ph2, const struct isakmp_msg *msg)
{
	const struct isakmp_pld *np;
	struct isakmp_notify nt;
	struct ph2_sel ci, cr;
	struct rbuf rb;
	size_t i;
	int n, have;
	char name[PH2_NAMELEN];

	ph2_name(ph2, name, sizeof(name));
	if ((n = ph2_quick_ids(msg, &ci, &cr, &have)) != ISAKMP_N_OK)
		return n;
	if (have && (ci.sel_type != ph2->ph2_local.sel_type ||
	    cr.sel_type != ph2->ph2_remote.sel_type ||
	    addr_cmp(&ci.sel_addr, &ph2->ph2_local.sel_addr) != 0 ||
	    addr_cmp(&cr.sel_addr, &ph2->ph2_remote.sel_addr) != 0 ||
	    ci.sel_proto != ph2->ph2_local.sel_proto ||
	    cr.sel_proto != ph2->ph2_remote.sel_proto)) {
		log_warnx("%s: the responder's IDs differ from ours", name);
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	for (i = 0; (np = isakmp_msg_find(msg, ISAKMP_NPTYPE_N, i)) != NULL;
	    i++) {
		rb = np->pld_body;
		if ((n = isakmp_notify_parse(&rb, &nt)) != ISAKMP_N_OK)
			return n;
		if (nt.n_type != IPSEC_N_RESPONDER_LIFETIME) {
			log_notice("%s: notification %s ignored", name,
			    isakmp_notify_name(nt.n_type));
			continue;
		}
		if ((n = proposal_lifetime_parse(nt.n_data, nt.n_len,
		    &ph2->ph2_prop)) != ISAKMP_N_OK)
			return n;
		log_info("%s: RESPONDER-LIFETIME: lifetime %u seconds", name,
		    ph2->ph2_prop.pp_lifetime);
	}
	return ISAKMP_N_OK;
}

int
ph2_quick_i2_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	struct ph2 *ph2 = ex->ex_ph2;
	struct isakmp_sa sa;
	int n;

	if ((n = ph2_quick_hash_check(ph2, msg, &ph2->ph2_ni)) !=
	    ISAKMP_N_OK ||
	    (n = ph2_quick_sa(msg, &sa)) != ISAKMP_N_OK ||
	    (n = proposal_ph2_accept(ph2->ph2_sainfo, &ph2->ph2_policy,
	    ph2->ph2_spi, &sa, &ph2->ph2_prop)) != ISAKMP_N_OK ||
	    (n = ph2_quick_common_recv(ph2, msg, &ph2->ph2_nr,
	    ph2->ph2_prop.pp_pfs)) != ISAKMP_N_OK ||
	    (n = natt_oa_recv(ph2, msg)) != ISAKMP_N_OK)
		return n;
	return ph2_quick_i2_check(ph2, msg);
}

static int
ph2_quick_hash3(struct ph2 *ph2, uint8_t *out)
{
	struct ike_chunk ni = ph2_quick_chunk(&ph2->ph2_ni);
	struct ike_chunk nr = ph2_quick_chunk(&ph2->ph2_nr);

	return ike_qm_hash3(&ph2->ph2_ph1->ph1_keys, ph2->ph2_msgid, &ni, &nr,
	    out);
}

int
ph2_quick_i3_send(struct exchange *ex, struct isakmp_out *out)
{
	struct ph2 *ph2 = ex->ex_ph2;
	uint8_t hash[IKE_PRF_MAX];

	if (ph2_quick_hash3(ph2, hash) == -1 ||
	    isakmp_out_pld(out, ISAKMP_NPTYPE_HASH) == -1 ||
	    isakmp_data_build(out->out_wb, hash,
	    ph2->ph2_ph1->ph1_keys.ik_prflen) == -1 ||
	    ph2_install(ph2) == -1)
		return EXCHANGE_ERR;
	return ISAKMP_N_OK;
}

int
ph2_quick_r3_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	struct ph2 *ph2 = ex->ex_ph2;
	const struct isakmp_pld *hp = &msg->msg_pld[0];
	size_t len = ph2->ph2_ph1->ph1_keys.ik_prflen;
	uint8_t want[IKE_PRF_MAX];
	char name[PH2_NAMELEN];

	if (ph2_quick_hash3(ph2, want) == -1)
		return EXCHANGE_ERR;
	if (rbuf_left(&hp->pld_body) != len ||
	    mem_cmp_ct(rbuf_ptr(&hp->pld_body), want, len) != 0) {
		log_warnx("%s: HASH(3) mismatch", ph2_name(ph2, name,
		    sizeof(name)));
		return ISAKMP_N_INVALID_HASH_INFORMATION;
	}
	return ph2_install(ph2) == 0 ? ISAKMP_N_OK : EXCHANGE_ERR;
}
