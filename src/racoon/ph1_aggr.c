/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Aggressive Mode with pre-shared keys, RFC 2409 5.4, both roles, as the
 * six handlers of exchange.c's table:
 *
 *	Initiator                          Responder
 *	HDR, SA, KE, Ni, IDii      -->
 *	                           <--     HDR, SA, KE, Nr, IDir, HASH_R
 *	HDR, HASH_I                -->
 *
 * Three messages instead of six, at a price: the identities travel in
 * the clear, the Diffie-Hellman group is fixed before any proposal is
 * chosen (every proposal of the remote has the same one, which racoon.conf
 * checks), and HASH_R, sent before the initiator has proved anything, is
 * a keyed hash of the pre-shared key that an eavesdropper can attack
 * offline (racoon warns of it at start).
 *
 * Because the first message names the initiator, the responder chooses
 * its remote by that ID as well as by exchange mode and proposal, and
 * looks the pre-shared key up by the ID (FQDN, user FQDN, key ID)
 * before the address.  The payloads are built and read by the pieces
 * Main Mode uses (ph1_main.c); the rule table has checked that each
 * message holds what it must before a handler runs, so a message 1
 * without KE, nonce or ID (the CVE-2005-3732 class) never gets here.
 * NAT-T (RFC 3947 3, 4): the vendor IDs ride on messages 1 and 2 (the
 * SA payload of message 1 carries ours, as in Main Mode), the NAT-D
 * payloads on messages 2 and 3 after the HASH, and an initiator that
 * found a NAT sends message 3 from and to the NAT-T port already.
 */
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "dpd.h"
#include "exchange.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "natt.h"
#include "ph1.h"
#include "proposal.h"

static int
ph1_aggr_sa_parse(const struct isakmp_msg *msg, struct isakmp_sa *sa)
{
	struct rbuf rb = isakmp_msg_find(msg, ISAKMP_NPTYPE_SA, 0)->pld_body;

	return isakmp_sa_parse(&rb, sa);
}

/* The peer's ID payload: parsed, its body kept for the hashes. */
static int
ph1_aggr_id_recv(const struct isakmp_msg *msg, struct wbuf *body,
    struct isakmp_id *id)
{
	const struct isakmp_pld *idp = isakmp_msg_find(msg, ISAKMP_NPTYPE_ID,
	    0);
	struct rbuf rb = idp->pld_body;
	int n;

	if ((n = isakmp_id_parse(&rb, id)) != ISAKMP_N_OK)
		return n;
	return ph1_main_keep(body, idp) == 0 ? ISAKMP_N_OK : EXCHANGE_ERR;
}

/*
 * Message 1: every proposal of the remote (one DH group), our KE for
 * that group, the nonce and our ID.
 */
int
ph1_aggr_i1_send(struct exchange *ex, struct isakmp_out *out)
{
	struct ph1 *ph1 = ex->ex_ph1;
	const struct cfg_proposal *p;
	int n;

	/* All proposals share the group (cfg.c): our KE goes first. */
	if ((p = TAILQ_FIRST(&ph1->ph1_remote->r_proposals)) == NULL)
		return EXCHANGE_ERR;
	ph1->ph1_prop.p1_dh = p->p_dh;
	/* The SA payload as Main Mode's message 1 has it. */
	if ((n = ph1_main_i1_send(ex, out)) != ISAKMP_N_OK ||
	    (n = ph1_main_ke_send(ph1, out, &ph1->ph1_gxi,
	    &ph1->ph1_ni)) != ISAKMP_N_OK)
		return n;
	if (ph1_main_my_id(ph1, &ph1->ph1_idi_b) == -1 ||
	    isakmp_out_pld(out, ISAKMP_NPTYPE_ID) == -1 ||
	    wbuf_put_bytes(out->out_wb, wbuf_data(&ph1->ph1_idi_b),
	    wbuf_len(&ph1->ph1_idi_b)) == -1)
		return EXCHANGE_ERR;
	return ISAKMP_N_OK;
}

/*
 * Message 1 at the responder: the remote for this exchange mode,
 * proposal and ID; the proposal; the peer's ID against
 * peers_identifier; its KE (for the chosen group) and nonce.
 */
int
ph1_aggr_r1_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	struct ph1 *ph1 = ex->ex_ph1;
	const struct cfg_remote *rm;
	struct isakmp_sa sa;
	struct isakmp_id id;
	char name[PH1_NAMELEN];
	int n;

	ph1_name(ph1, name, sizeof(name));
	if ((n = ph1_aggr_sa_parse(msg, &sa)) != ISAKMP_N_OK ||
	    (n = ph1_aggr_id_recv(msg, &ph1->ph1_idi_b, &id)) != ISAKMP_N_OK)
		return n;
	if ((rm = ph1_remote_select(ph1->ph1_env->env_cfg, ph1,
	    CFG_EXMODE_AGGRESSIVE, &sa, &id)) == NULL) {
		log_warnx("%s: no remote allows Aggressive mode with this "
		    "proposal and ID", name);
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}
	ph1->ph1_remote = rm;
	if (ph1_main_keep(&ph1->ph1_sai_b,
	    isakmp_msg_find(msg, ISAKMP_NPTYPE_SA, 0)) == -1)
		return EXCHANGE_ERR;
	wbuf_reset(&ph1->ph1_sar_b);
	if ((n = proposal_ph1_choose(rm, &sa, &ph1->ph1_prop,
	    &ph1->ph1_sar_b)) != ISAKMP_N_OK ||
	    (n = ph1_main_peer_id(ph1, &id)) != ISAKMP_N_OK ||
	    (n = ph1_main_ke_recv(ph1, msg, &ph1->ph1_gxi,
	    &ph1->ph1_ni)) != ISAKMP_N_OK)
		return n;
	dpd_vid_check(ph1, msg);
	natt_vid_recv(ph1, msg);
	return ph1_set_state(ph1, PH1_S_SA) == 0 ? ISAKMP_N_OK : EXCHANGE_ERR;
}

/* Message 2: our SA answer, KE, nonce; the keys; our ID and HASH_R. */
int
ph1_aggr_r2_send(struct exchange *ex, struct isakmp_out *out)
{
	struct ph1 *ph1 = ex->ex_ph1;
	int n;

	if (isakmp_out_pld(out, ISAKMP_NPTYPE_SA) == -1 ||
	    wbuf_put_bytes(out->out_wb, wbuf_data(&ph1->ph1_sar_b),
	    wbuf_len(&ph1->ph1_sar_b)) == -1 || dpd_vid_add(out) == -1)
		return EXCHANGE_ERR;
	if ((n = ph1_main_ke_send(ph1, out, &ph1->ph1_gxr,
	    &ph1->ph1_nr)) != ISAKMP_N_OK ||
	    (n = ph1_keys_derive(ph1)) != ISAKMP_N_OK ||
	    (n = ph1_main_auth_send(ph1, out, 0)) != ISAKMP_N_OK)
		return n;
	if (natt_vid_send(ph1, out) == -1 || natt_natd_send(ph1, out) == -1)
		return EXCHANGE_ERR;
	return ISAKMP_N_OK;
}

/*
 * Message 2 at the initiator: the transform chosen (one of ours, so of
 * our group), the responder's KE and nonce, its ID (peers_identifier),
 * the keys, and HASH_R.
 */
int
ph1_aggr_i2_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	struct ph1 *ph1 = ex->ex_ph1;
	const struct alg *dh = ph1->ph1_prop.p1_dh;
	struct isakmp_sa sa;
	struct isakmp_id id;
	char name[PH1_NAMELEN];
	int n;

	if ((n = ph1_aggr_sa_parse(msg, &sa)) != ISAKMP_N_OK ||
	    (n = proposal_ph1_accept(ph1->ph1_remote, &sa,
	    &ph1->ph1_prop)) != ISAKMP_N_OK)
		return n;
	if (ph1->ph1_prop.p1_dh != dh) {
		log_warnx("%s: the responder chose %s, but our KE is for %s",
		    ph1_name(ph1, name, sizeof(name)),
		    ph1->ph1_prop.p1_dh->alg_name, dh->alg_name);
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}
	dpd_vid_check(ph1, msg);
	if (ph1_set_state(ph1, PH1_S_SA) == -1)
		return EXCHANGE_ERR;
	natt_vid_recv(ph1, msg);
	if ((n = ph1_main_ke_recv(ph1, msg, &ph1->ph1_gxr,
	    &ph1->ph1_nr)) != ISAKMP_N_OK ||
	    (n = ph1_aggr_id_recv(msg, &ph1->ph1_idr_b, &id)) != ISAKMP_N_OK ||
	    (n = ph1_main_peer_id(ph1, &id)) != ISAKMP_N_OK ||
	    (n = ph1_keys_derive(ph1)) != ISAKMP_N_OK ||
	    (n = ph1_main_hash_recv(ph1, msg, 0)) != ISAKMP_N_OK ||
	    (n = natt_natd_recv(ph1, msg)) != ISAKMP_N_OK)
		return n;
	/* RFC 3947 4: message 3 already goes to the NAT-T port. */
	natt_float(ph1, ph1->ph1_env->env_natt_port);
	return ISAKMP_N_OK;
}

/* Message 3: HASH_I; the ISAKMP-SA is up once it is on its way. */
int
ph1_aggr_i3_send(struct exchange *ex, struct isakmp_out *out)
{
	struct ph1 *ph1 = ex->ex_ph1;
	uint8_t hash[IKE_PRF_MAX];

	if (ph1_main_hash(ph1, 1, hash) == -1 ||
	    isakmp_out_pld(out, ISAKMP_NPTYPE_HASH) == -1 ||
	    isakmp_data_build(out->out_wb, hash,
	    ph1->ph1_keys.ik_prflen) == -1 ||
	    natt_natd_send(ph1, out) == -1)
		return EXCHANGE_ERR;
	ph1_established(ph1);
	return ISAKMP_N_OK;
}

void
ph1_aggr_contact(struct ph1 *ph1)
{
	uint8_t ck[2 * ISAKMP_COOKIE_LEN];

	if (ph1->ph1_state != PH1_S_ESTABLISHED ||
	    !ph1->ph1_remote->r_initial_contact ||
	    exchange_first_contact(ph1->ph1_env, &ph1->ph1_peer) != 1)
		return;
	memcpy(ck, ph1->ph1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(ck + ISAKMP_COOKIE_LEN, ph1->ph1_rcookie, ISAKMP_COOKIE_LEN);
	(void)exchange_notify(ph1, IPSEC_N_INITIAL_CONTACT,
	    ISAKMP_PROTO_ISAKMP, ck, sizeof(ck));
}

int
ph1_aggr_r3_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	int n;

	if ((n = ph1_main_hash_recv(ex->ex_ph1, msg, 1)) != ISAKMP_N_OK ||
	    (n = natt_natd_recv(ex->ex_ph1, msg)) != ISAKMP_N_OK)
		return n;
	ph1_established(ex->ex_ph1);
	return ISAKMP_N_OK;
}
