/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Main Mode (Identity Protection) with pre-shared keys, RFC 2409 5.4,
 * both roles, as the twelve handlers of exchange.c's table:
 *
 *	Initiator                          Responder
 *	HDR, SA                    -->
 *	                           <--     HDR, SA
 *	HDR, KE, Ni                -->
 *	                           <--     HDR, KE, Nr
 *	HDR*, IDii, HASH_I         -->
 *	                           <--     HDR*, IDir, HASH_R
 *
 * Handlers read payloads the rule table has already allowed, through the
 * parsers of isakmp_pld.c, and store what the keys and hashes need in
 * the ph1.  A wrong pre-shared key shows as a HASH_I or HASH_R that does
 * not verify (or, earlier, as message 5 decrypting to noise, which
 * exchange.c reports); both are logged as an authentication failure.
 *
 * NAT-T (natt.c, RFC 3947 3, 4): messages 1 and 2 carry the vendor IDs
 * after the SA, 3 and 4 the NAT-D payloads after the nonce, and an
 * initiator that found a NAT sends message 5 from and to port 4500.
 */
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "dh.h"
#include "dpd.h"
#include "exchange.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "natt.h"
#include "ph1.h"
#include "proposal.h"

static struct ike_chunk
ph1_main_chunk(const struct wbuf *w)
{
	struct ike_chunk c = { wbuf_data(w), wbuf_len(w) };

	return c;
}

/* Keep a payload body (what the hashes cover) in a ph1 buffer. */
int
ph1_main_keep(struct wbuf *w, const struct isakmp_pld *p)
{
	wbuf_reset(w);
	return wbuf_put_bytes(w, rbuf_ptr(&p->pld_body),
	    rbuf_left(&p->pld_body));
}

/* Our ID payload body from my_identifier (RFC 2407 4.6.2). */
int
ph1_main_my_id(struct ph1 *ph1, struct wbuf *body)
{
	const struct cfg_id *my = ph1->ph1_remote->r_my_id;
	const struct addr *a = &ph1->ph1_local;
	struct isakmp_id id;
	char name[PH1_NAMELEN];

	memset(&id, 0, sizeof(id));
	if (my == NULL || my->id_type == CFG_ID_ADDRESS) {
		if (my != NULL && my->id_value != NULL)
			a = &my->id_addr;
		id.id_type = a->a_af == AF_INET ? IPSECDOI_ID_IPV4_ADDR :
		    IPSECDOI_ID_IPV6_ADDR;
		id.id_data = a->a_raw;
		id.id_len = addr_len(a->a_af);
	} else if (my->id_value != NULL && (my->id_type == CFG_ID_FQDN ||
	    my->id_type == CFG_ID_USER_FQDN || (my->id_type == CFG_ID_KEYID &&
	    my->id_qual != CFG_IDQUAL_FILE))) {
		id.id_type = my->id_type == CFG_ID_FQDN ? IPSECDOI_ID_FQDN :
		    my->id_type == CFG_ID_USER_FQDN ? IPSECDOI_ID_USER_FQDN :
		    IPSECDOI_ID_KEY_ID;
		id.id_data = (const uint8_t *)my->id_value;
		id.id_len = strlen(my->id_value);
	} else {
		/* XXX: keyid file and asn1dn come with certificates. */
		log_warnx("%s: my_identifier %s not supported yet",
		    ph1_name(ph1, name, sizeof(name)),
		    cfg_idtype_name(my->id_type));
		return -1;
	}
	wbuf_reset(body);
	return isakmp_id_build(body, &id);
}

/* peers_identifier, when verify_identifier asks for it. */
int
ph1_main_peer_id(struct ph1 *ph1, const struct isakmp_id *id)
{
	const struct cfg_remote *rm = ph1->ph1_remote;
	const struct cfg_id *c;
	char name[PH1_NAMELEN], vis[128];

	if (!rm->r_verify_identifier || TAILQ_EMPTY(&rm->r_peers_ids))
		return ISAKMP_N_OK;
	TAILQ_FOREACH(c, &rm->r_peers_ids, id_entry)
		if (ph1_id_match(ph1, c, id))
			return ISAKMP_N_OK;
	log_warnx("%s: peer's ID %s \"%s\" does not match peers_identifier",
	    ph1_name(ph1, name, sizeof(name)), isakmp_idtype_name(id->id_type),
	    log_vis(vis, sizeof(vis), id->id_data, id->id_len));
	return ISAKMP_N_INVALID_ID_INFORMATION;
}

static int
ph1_main_sa_parse(const struct isakmp_msg *msg, struct isakmp_sa *sa)
{
	struct rbuf rb = isakmp_msg_find(msg, ISAKMP_NPTYPE_SA, 0)->pld_body;

	return isakmp_sa_parse(&rb, sa);
}

int
ph1_main_i1_send(struct exchange *ex, struct isakmp_out *out)
{
	struct ph1 *ph1 = ex->ex_ph1;
	size_t start;

	if (isakmp_out_pld(out, ISAKMP_NPTYPE_SA) == -1)
		return EXCHANGE_ERR;
	start = wbuf_len(out->out_wb);
	if (proposal_ph1_build(out->out_wb, ph1->ph1_remote) == -1)
		return EXCHANGE_ERR;
	wbuf_reset(&ph1->ph1_sai_b);
	if (wbuf_put_bytes(&ph1->ph1_sai_b, wbuf_data(out->out_wb) + start,
	    wbuf_len(out->out_wb) - start) == -1 ||
	    natt_vid_send(ph1, out) == -1 || dpd_vid_add(out) == -1)
		return EXCHANGE_ERR;
	return ISAKMP_N_OK;
}

int
ph1_main_i2_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	struct ph1 *ph1 = ex->ex_ph1;
	struct isakmp_sa sa;
	int n;

	if ((n = ph1_main_sa_parse(msg, &sa)) != ISAKMP_N_OK ||
	    (n = proposal_ph1_accept(ph1->ph1_remote, &sa,
	    &ph1->ph1_prop)) != ISAKMP_N_OK)
		return n;
	natt_vid_recv(ph1, msg);
	dpd_vid_check(ph1, msg);
	return ph1_set_state(ph1, PH1_S_SA) == 0 ? ISAKMP_N_OK : EXCHANGE_ERR;
}

int
ph1_main_r1_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	struct ph1 *ph1 = ex->ex_ph1;
	const struct cfg_remote *rm;
	struct isakmp_sa sa;
	char name[PH1_NAMELEN];
	int i, n;

	/* Several remotes may do: the first that takes this message. */
	if ((n = ph1_main_sa_parse(msg, &sa)) != ISAKMP_N_OK)
		return n;
	if ((rm = ph1_remote_select(ph1->ph1_env->env_cfg, ph1,
	    CFG_EXMODE_MAIN, &sa, NULL)) != NULL)
		ph1->ph1_remote = rm;
	rm = ph1->ph1_remote;
	for (i = 0; i < rm->r_nexmode; i++)
		if (rm->r_exmode[i] == CFG_EXMODE_MAIN)
			break;
	if (i == rm->r_nexmode) {
		log_warnx("%s: exchange Identity Protection not allowed in "
		    "remote %s", ph1_name(ph1, name, sizeof(name)),
		    rm->r_name);
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}
	if (ph1_main_keep(&ph1->ph1_sai_b,
	    isakmp_msg_find(msg, ISAKMP_NPTYPE_SA, 0)) == -1)
		return EXCHANGE_ERR;
	wbuf_reset(&ph1->ph1_sar_b);
	if ((n = proposal_ph1_choose(rm, &sa, &ph1->ph1_prop,
	    &ph1->ph1_sar_b)) != ISAKMP_N_OK)
		return n;
	natt_vid_recv(ph1, msg);
	dpd_vid_check(ph1, msg);
	return ph1_set_state(ph1, PH1_S_SA) == 0 ? ISAKMP_N_OK : EXCHANGE_ERR;
}

int
ph1_main_r2_send(struct exchange *ex, struct isakmp_out *out)
{
	struct ph1 *ph1 = ex->ex_ph1;

	if (isakmp_out_pld(out, ISAKMP_NPTYPE_SA) == -1 ||
	    wbuf_put_bytes(out->out_wb, wbuf_data(&ph1->ph1_sar_b),
	    wbuf_len(&ph1->ph1_sar_b)) == -1 ||
	    natt_vid_send(ph1, out) == -1 || dpd_vid_add(out) == -1)
		return EXCHANGE_ERR;
	return ISAKMP_N_OK;
}

/* KE and nonce of our side: a fresh DH pair and nonce_size bytes. */
int
ph1_main_ke_send(struct ph1 *ph1, struct isakmp_out *out, struct wbuf *pub,
    struct wbuf *nonce)
{
	uint8_t n[256];
	uint32_t nlen = ph1->ph1_remote->r_nonce_size;

	if (nlen < 8 || nlen > sizeof(n))	/* RFC 2409 5: 8..256 */
		nlen = CFG_NONCE_DEFAULT;
	if (ph1->ph1_dh == NULL &&
	    (ph1->ph1_dh = dh_new(ph1->ph1_prop.p1_dh->alg_ike)) == NULL)
		return EXCHANGE_ERR;
	wbuf_reset(pub);
	wbuf_reset(nonce);
	if (dh_pub(ph1->ph1_dh, pub) == -1 || exchange_random(n, nlen) == -1 ||
	    wbuf_put_bytes(nonce, n, nlen) == -1)
		goto fail;
	mem_wipe(n, sizeof(n));
	if (isakmp_out_pld(out, ISAKMP_NPTYPE_KE) == -1 ||
	    isakmp_data_build(out->out_wb, wbuf_data(pub),
	    wbuf_len(pub)) == -1 ||
	    isakmp_out_pld(out, ISAKMP_NPTYPE_NONCE) == -1 ||
	    isakmp_data_build(out->out_wb, wbuf_data(nonce),
	    wbuf_len(nonce)) == -1)
		return EXCHANGE_ERR;
	return ISAKMP_N_OK;
fail:
	mem_wipe(n, sizeof(n));
	return EXCHANGE_ERR;
}

/*
 * The peer's KE (checked against our group) and nonce.  Both payloads
 * are parsed before our DH pair is made: the key generation, the costly
 * part, is spent only on a message that is otherwise valid.
 */
int
ph1_main_ke_recv(struct ph1 *ph1, const struct isakmp_msg *msg,
    struct wbuf *pub, struct wbuf *nonce)
{
	struct isakmp_data ke, ni;
	struct rbuf rb;
	char name[PH1_NAMELEN];
	int n;

	memset(&ke, 0, sizeof(ke));
	rb = isakmp_msg_find(msg, ISAKMP_NPTYPE_NONCE, 0)->pld_body;
	if (isakmp_data_parse(&rb, ISAKMP_NPTYPE_NONCE, &ni) != ISAKMP_N_OK)
		return ISAKMP_N_PAYLOAD_MALFORMED;
	rb = isakmp_msg_find(msg, ISAKMP_NPTYPE_KE, 0)->pld_body;
	n = isakmp_data_parse(&rb, ISAKMP_NPTYPE_KE, &ke);
	if (n == ISAKMP_N_OK && ph1->ph1_dh == NULL &&
	    (ph1->ph1_dh = dh_new(ph1->ph1_prop.p1_dh->alg_ike)) == NULL)
		return EXCHANGE_ERR;
	if (n != ISAKMP_N_OK ||
	    dh_check_peer(ph1->ph1_dh, ke.data_ptr, ke.data_len) == -1) {
		log_warnx("%s: KE payload of %zu bytes refused for %s",
		    ph1_name(ph1, name, sizeof(name)), ke.data_len,
		    ph1->ph1_prop.p1_dh->alg_name);
		return ISAKMP_N_INVALID_KEY_INFORMATION;
	}
	wbuf_reset(pub);
	wbuf_reset(nonce);
	if (wbuf_put_bytes(pub, ke.data_ptr, ke.data_len) == -1 ||
	    wbuf_put_bytes(nonce, ni.data_ptr, ni.data_len) == -1)
		return EXCHANGE_ERR;
	return ISAKMP_N_OK;
}

int
ph1_main_i3_send(struct exchange *ex, struct isakmp_out *out)
{
	struct ph1 *ph1 = ex->ex_ph1;
	int n;

	if ((n = ph1_main_ke_send(ph1, out, &ph1->ph1_gxi,
	    &ph1->ph1_ni)) != ISAKMP_N_OK)
		return n;
	return natt_natd_send(ph1, out) == 0 ? ISAKMP_N_OK : EXCHANGE_ERR;
}

int
ph1_main_r3_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	struct ph1 *ph1 = ex->ex_ph1;
	int n;

	if ((n = ph1_main_ke_recv(ph1, msg, &ph1->ph1_gxi,
	    &ph1->ph1_ni)) != ISAKMP_N_OK)
		return n;
	return natt_natd_recv(ph1, msg);
}

int
ph1_main_r4_send(struct exchange *ex, struct isakmp_out *out)
{
	struct ph1 *ph1 = ex->ex_ph1;
	int n;

	if ((n = ph1_main_ke_send(ph1, out, &ph1->ph1_gxr,
	    &ph1->ph1_nr)) != ISAKMP_N_OK)
		return n;
	if (natt_natd_send(ph1, out) == -1)
		return EXCHANGE_ERR;
	return ph1_keys_derive(ph1);
}

int
ph1_main_i4_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	struct ph1 *ph1 = ex->ex_ph1;
	int n;

	if ((n = ph1_main_ke_recv(ph1, msg, &ph1->ph1_gxr,
	    &ph1->ph1_nr)) != ISAKMP_N_OK ||
	    (n = natt_natd_recv(ph1, msg)) != ISAKMP_N_OK ||
	    (n = ph1_keys_derive(ph1)) != ISAKMP_N_OK)
		return n;
	/* RFC 3947 4: message 5 already goes to the NAT-T port. */
	natt_float(ph1, ph1->ph1_env->env_natt_port);
	return ISAKMP_N_OK;
}

/* HASH_I or HASH_R over the exchanged values (RFC 2409 5). */
int
ph1_main_hash(struct ph1 *ph1, int initiator, uint8_t *out)
{
	struct ike_ph1_hash_in in;

	in.h_gxi = ph1_main_chunk(&ph1->ph1_gxi);
	in.h_gxr = ph1_main_chunk(&ph1->ph1_gxr);
	in.h_cky_i = ph1->ph1_icookie;
	in.h_cky_r = ph1->ph1_rcookie;
	in.h_sai = ph1_main_chunk(&ph1->ph1_sai_b);
	if (initiator) {
		in.h_id = ph1_main_chunk(&ph1->ph1_idi_b);
		return ike_hash_i(&ph1->ph1_keys, &in, out);
	}
	in.h_id = ph1_main_chunk(&ph1->ph1_idr_b);
	return ike_hash_r(&ph1->ph1_keys, &in, out);
}

/* ID and HASH of our side, messages 5 and 6. */
int
ph1_main_auth_send(struct ph1 *ph1, struct isakmp_out *out, int initiator)
{
	struct wbuf *id = initiator ? &ph1->ph1_idi_b : &ph1->ph1_idr_b;
	uint8_t hash[IKE_PRF_MAX];

	if (ph1_main_my_id(ph1, id) == -1 ||
	    ph1_main_hash(ph1, initiator, hash) == -1)
		return EXCHANGE_ERR;
	if (isakmp_out_pld(out, ISAKMP_NPTYPE_ID) == -1 ||
	    wbuf_put_bytes(out->out_wb, wbuf_data(id), wbuf_len(id)) == -1 ||
	    isakmp_out_pld(out, ISAKMP_NPTYPE_HASH) == -1 ||
	    isakmp_data_build(out->out_wb, hash,
	    ph1->ph1_keys.ik_prflen) == -1)
		return EXCHANGE_ERR;
	return ISAKMP_N_OK;
}

/* The peer's HASH against HASH_I (initiator 1) or HASH_R of our keys. */
int
ph1_main_hash_recv(struct ph1 *ph1, const struct isakmp_msg *msg,
    int initiator)
{
	const struct isakmp_pld *hp;
	struct isakmp_data h;
	struct rbuf rb;
	uint8_t want[IKE_PRF_MAX];
	char name[PH1_NAMELEN];
	int n;

	ph1_name(ph1, name, sizeof(name));
	if ((hp = isakmp_msg_find(msg, ISAKMP_NPTYPE_HASH, 0)) == NULL) {
		log_warnx("%s: signature where a HASH was expected", name);
		return ISAKMP_N_INVALID_PAYLOAD_TYPE;
	}
	if (ph1_main_hash(ph1, initiator, want) == -1)
		return EXCHANGE_ERR;
	rb = hp->pld_body;
	if ((n = isakmp_data_parse(&rb, ISAKMP_NPTYPE_HASH, &h)) !=
	    ISAKMP_N_OK)
		return n;
	if (h.data_len != ph1->ph1_keys.ik_prflen ||
	    mem_cmp_ct(h.data_ptr, want, h.data_len) != 0) {
		log_warnx("%s: authentication failed: %s mismatch (the "
		    "pre-shared keys differ?)", name,
		    initiator ? "HASH_I" : "HASH_R");
		return ISAKMP_N_AUTHENTICATION_FAILED;
	}
	return ISAKMP_N_OK;
}

/* The peer's ID and HASH, messages 5 and 6. */
int
ph1_main_auth_recv(struct ph1 *ph1, const struct isakmp_msg *msg,
    int initiator)
{
	const struct isakmp_pld *idp;
	struct wbuf *idb = initiator ? &ph1->ph1_idi_b : &ph1->ph1_idr_b;
	struct isakmp_id id;
	struct rbuf rb;
	int n;

	idp = isakmp_msg_find(msg, ISAKMP_NPTYPE_ID, 0);
	rb = idp->pld_body;
	if ((n = isakmp_id_parse(&rb, &id)) != ISAKMP_N_OK)
		return n;
	if ((n = ph1_main_peer_id(ph1, &id)) != ISAKMP_N_OK)
		return n;
	if (ph1_main_keep(idb, idp) == -1)
		return EXCHANGE_ERR;
	return ph1_main_hash_recv(ph1, msg, initiator);
}

/*
 * INITIAL-CONTACT (RFC 2407 4.6.3.3) in message 5, the first time we
 * talk to this peer since start, when initial_contact is on.
 */
static int
ph1_main_contact_send(struct ph1 *ph1, struct isakmp_out *out)
{
	struct isakmp_notify nt;
	int first;

	if (!ph1->ph1_remote->r_initial_contact)
		return 0;
	if ((first = exchange_first_contact(ph1->ph1_env,
	    &ph1->ph1_peer)) != 1)
		return first;
	memset(&nt, 0, sizeof(nt));
	nt.n_doi = IPSEC_DOI;
	nt.n_proto = ISAKMP_PROTO_ISAKMP;
	nt.n_type = IPSEC_N_INITIAL_CONTACT;
	nt.n_spisize = 2 * ISAKMP_COOKIE_LEN;
	memcpy(nt.n_spi, ph1->ph1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(nt.n_spi + ISAKMP_COOKIE_LEN, ph1->ph1_rcookie,
	    ISAKMP_COOKIE_LEN);
	if (isakmp_out_pld(out, ISAKMP_NPTYPE_N) == -1 ||
	    isakmp_notify_build(out->out_wb, &nt) == -1)
		return -1;
	return 0;
}

/*
 * The peer has started afresh: our older ISAKMP-SAs with it are stale,
 * and so are the IPsec-SAs negotiated under them, which leave the kernel
 * (racoon's purge_remote()).  Only an authenticated message 5 gets here.
 */
static void
ph1_main_contact_recv(struct ph1 *ph1, const struct isakmp_msg *msg)
{
	const struct isakmp_pld *np;
	struct isakmp_notify nt;
	struct rbuf rb;
	char name[PH1_NAMELEN];
	size_t i;

	for (i = 0; (np = isakmp_msg_find(msg, ISAKMP_NPTYPE_N, i)) != NULL;
	    i++) {
		rb = np->pld_body;
		if (isakmp_notify_parse(&rb, &nt) != ISAKMP_N_OK ||
		    nt.n_type != IPSEC_N_INITIAL_CONTACT)
			continue;
		log_info("%s: received INITIAL-CONTACT",
		    ph1_name(ph1, name, sizeof(name)));
		ph1_initial_contact(ph1);
		return;
	}
}

int
ph1_main_i5_send(struct exchange *ex, struct isakmp_out *out)
{
	int n;

	if ((n = ph1_main_auth_send(ex->ex_ph1, out, 1)) != ISAKMP_N_OK)
		return n;
	return ph1_main_contact_send(ex->ex_ph1, out) == 0 ? ISAKMP_N_OK :
	    EXCHANGE_ERR;
}

int
ph1_main_r5_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	int n;

	if ((n = ph1_main_auth_recv(ex->ex_ph1, msg, 1)) != ISAKMP_N_OK)
		return n;
	ph1_main_contact_recv(ex->ex_ph1, msg);
	return ISAKMP_N_OK;
}

int
ph1_main_r6_send(struct exchange *ex, struct isakmp_out *out)
{
	int n;

	if ((n = ph1_main_auth_send(ex->ex_ph1, out, 0)) != ISAKMP_N_OK)
		return n;
	ph1_established(ex->ex_ph1);
	return ISAKMP_N_OK;
}

int
ph1_main_i6_recv(struct exchange *ex, const struct isakmp_msg *msg)
{
	int n;

	if ((n = ph1_main_auth_recv(ex->ex_ph1, msg, 0)) != ISAKMP_N_OK)
		return n;
	ph1_established(ex->ex_ph1);
	return ISAKMP_N_OK;
}
