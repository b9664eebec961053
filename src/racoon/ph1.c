/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The phase 1 SA object: creation with fresh cookies, the state machine
 * with its names and its one setter, failure, the naming helper of log
 * lines, lookup by cookies, the choice of a remote for a peer, and the
 * start of Main Mode as an initiator.  Secrets (nonces, g^xy, keys) are
 * wiped in ph1_free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cfg.h"
#include "dh.h"
#include "exchange.h"
#include "keylog.h"
#include "log.h"
#include "natt.h"
#include "ph1.h"
#include "ph2.h"
#include "isakmp_pld.h"
#include "psk.h"

/* Percent of the lifetime at which an ISAKMP-SA starts dying. */
#define PH1_SOFT_RATE	80

static const char *ph1_state_names[PH1_S_COUNT] = {
	[PH1_S_NEW] = "new",
	[PH1_S_SA] = "sa-agreed",
	[PH1_S_KEYED] = "keyed",
	[PH1_S_ESTABLISHED] = "established",
	[PH1_S_EXPIRED] = "expired",
	[PH1_S_FAILED] = "failed",
};

#define B(s)	(1u << (s))
/* From each state, the states it may go to. */
static const unsigned ph1_state_next[PH1_S_COUNT] = {
	[PH1_S_NEW] = B(PH1_S_SA) | B(PH1_S_FAILED),
	[PH1_S_SA] = B(PH1_S_KEYED) | B(PH1_S_FAILED),
	[PH1_S_KEYED] = B(PH1_S_ESTABLISHED) | B(PH1_S_FAILED),
	[PH1_S_ESTABLISHED] = B(PH1_S_EXPIRED),
	[PH1_S_EXPIRED] = 0,
	[PH1_S_FAILED] = 0,
};
#undef B

const char *
ph1_state_name(enum ph1_state s)
{
	if ((unsigned)s < PH1_S_COUNT)
		return ph1_state_names[s];
	return "invalid";
}

const char *
ph1_name(const struct ph1 *ph1, char *buf, size_t len)
{
	char p[ADDR_STRLEN];
	const uint8_t *i = ph1->ph1_icookie, *r = ph1->ph1_rcookie;

	addr_fmt(&ph1->ph1_peer, ADDR_PORT, p, sizeof(p));
	snprintf(buf, len, "ph1 %02x%02x%02x%02x..:%02x%02x%02x%02x.. %s",
	    i[0], i[1], i[2], i[3], r[0], r[1], r[2], r[3], p);
	return buf;
}

int
ph1_set_state(struct ph1 *ph1, enum ph1_state to)
{
	char name[PH1_NAMELEN];
	enum ph1_state from = ph1->ph1_state;

	ph1_name(ph1, name, sizeof(name));
	if ((unsigned)to >= PH1_S_COUNT ||
	    (ph1_state_next[from] & (1u << to)) == 0) {
		log_warnx("%s: state %s -> %s refused", name,
		    ph1_state_name(from), ph1_state_name(to));
		return -1;
	}
	log_debug(1, "%s: state %s -> %s", name, ph1_state_name(from),
	    ph1_state_name(to));
	ph1->ph1_state = to;
	return 0;
}

/* Failed or expired: no more timers but the clean-up; tell the daemon. */
static void
ph1_down(struct ph1 *ph1)
{
	struct exchange_events *ev = &ph1->ph1_env->env_events;

	ph1->ph1_ex.ex_failed = 1;
	ph1->ph1_ex.ex_resend_at = 0;
	ph1->ph1_expire_at = 0;
	ph1->ph1_soft_at = 0;
	ph1->ph1_dead_at = exchange_now(ph1->ph1_env) + EXCHANGE_LINGER_MS;
	if (ev->ev_ph1_down != NULL)
		ev->ev_ph1_down(ev->ev_arg, ph1);
}

void
ph1_fail(struct ph1 *ph1, const char *why)
{
	char name[PH1_NAMELEN];

	if (ph1->ph1_state == PH1_S_FAILED || ph1->ph1_state == PH1_S_EXPIRED)
		return;
	if (ph1->ph1_state == PH1_S_ESTABLISHED) {
		ph1_expire(ph1, why);
		return;
	}
	log_errx("%s: phase1 negotiation failed: %s",
	    ph1_name(ph1, name, sizeof(name)), why);
	snprintf(ph1->ph1_why, sizeof(ph1->ph1_why), "%s", why);
	(void)ph1_set_state(ph1, PH1_S_FAILED);
	ph1_down(ph1);
}

/* 1 if two ISAKMP-SAs join the same two hosts. */
static int
ph1_same_hosts(const struct ph1 *a, const struct ph1 *b)
{
	return a->ph1_peer.a_af == b->ph1_peer.a_af &&
	    addr_cmp_host(&a->ph1_peer, &b->ph1_peer) == 0 &&
	    addr_cmp_host(&a->ph1_local, &b->ph1_local) == 0;
}

struct ph1 *
ph1_find_peer(struct exchange_env *env, const struct addr *local,
    const struct addr *peer, int established)
{
	struct ph1 *ph1, *live = NULL, *dying = NULL, *coming = NULL;

	TAILQ_FOREACH(ph1, &env->env_ph1s, ph1_entry) {
		if (ph1->ph1_peer.a_af != peer->a_af ||
		    addr_cmp_host(&ph1->ph1_peer, peer) != 0 ||
		    (local != NULL && addr_cmp_host(&ph1->ph1_local,
		    local) != 0))
			continue;
		/* The list is in creation order: the last is the newest. */
		if (ph1->ph1_state == PH1_S_ESTABLISHED && !ph1->ph1_dying)
			live = ph1;
		else if (ph1->ph1_state == PH1_S_ESTABLISHED)
			dying = ph1;
		else if (ph1->ph1_state != PH1_S_FAILED &&
		    ph1->ph1_state != PH1_S_EXPIRED && coming == NULL)
			coming = ph1;
	}
	if (live != NULL)
		return live;
	if (dying != NULL)
		return dying;
	return established ? NULL : coming;
}

/* Established phase 2 SAs of an ending ph1 go to its successor. */
static void
ph1_migrate(struct ph1 *ph1)
{
	struct ph1 *to = NULL, *p;
	struct ph2 *ph2, *next;
	char name[PH1_NAMELEN], nto[PH1_NAMELEN];
	unsigned n = 0;

	TAILQ_FOREACH(p, &ph1->ph1_env->env_ph1s, ph1_entry)
		if (p != ph1 && p->ph1_state == PH1_S_ESTABLISHED &&
		    ph1_same_hosts(p, ph1) && (to == NULL || !p->ph1_dying ||
		    to->ph1_dying))
			to = p;
	if (to == NULL)
		return;
	for (ph2 = TAILQ_FIRST(&ph1->ph1_ph2s); ph2 != NULL; ph2 = next) {
		next = TAILQ_NEXT(ph2, ph2_entry);
		if (ph2->ph2_state != PH2_S_ESTABLISHED ||
		    ph2_find(to, ph2->ph2_msgid) != NULL)
			continue;
		TAILQ_REMOVE(&ph1->ph1_ph2s, ph2, ph2_entry);
		TAILQ_INSERT_TAIL(&to->ph1_ph2s, ph2, ph2_entry);
		ph2->ph2_ph1 = to;
		ph2->ph2_ex.ex_ph1 = to;
		n++;
	}
	if (n > 0)
		log_debug(1, "%s: %u phase 2 SAs moved to %s", ph1_name(ph1,
		    name, sizeof(name)), n, ph1_name(to, nto, sizeof(nto)));
}

void
ph1_expire(struct ph1 *ph1, const char *why)
{
	char name[PH1_NAMELEN];

	if (ph1->ph1_state != PH1_S_ESTABLISHED)
		return;
	log_info("%s: ISAKMP-SA expired: %s", ph1_name(ph1, name,
	    sizeof(name)), why);
	snprintf(ph1->ph1_why, sizeof(ph1->ph1_why), "%s", why);
	ph1_migrate(ph1);
	(void)ph1_set_state(ph1, PH1_S_EXPIRED);
	ph1_down(ph1);
}

static int
ph1_bufs_init(struct ph1 *ph1)
{
	struct wbuf *pub[] = { &ph1->ph1_sai_b, &ph1->ph1_sar_b,
	    &ph1->ph1_gxi, &ph1->ph1_gxr,
	    &ph1->ph1_idi_b, &ph1->ph1_idr_b };
	struct wbuf *sec[] = { &ph1->ph1_ni, &ph1->ph1_nr, &ph1->ph1_gxy };
	size_t i;

	for (i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		if (wbuf_init(pub[i], 64, 4096) == -1)
			return -1;
	for (i = 0; i < sizeof(sec) / sizeof(sec[0]); i++) {
		if (wbuf_init(sec[i], 64, 4096) == -1)
			return -1;
		wbuf_set_secret(sec[i]);
	}
	return 0;
}

struct ph1 *
ph1_new(struct exchange_env *env, enum isakmp_role role,
    const struct cfg_remote *rm, const struct addr *local,
    const struct addr *peer)
{
	struct ph1 *ph1;

	if ((ph1 = calloc(1, sizeof(*ph1))) == NULL) {
		log_warn("ph1");
		return NULL;
	}
	ph1->ph1_env = env;
	ph1->ph1_role = role;
	ph1->ph1_state = PH1_S_NEW;
	ph1->ph1_local = *local;
	ph1->ph1_peer = *peer;
	ph1->ph1_remote = rm;
	ph1->ph1_created = exchange_now(env);
	env->env_ph1_started++;
	TAILQ_INIT(&ph1->ph1_ph2s);
	TAILQ_INSERT_TAIL(&env->env_ph1s, ph1, ph1_entry);
	exchange_init(&ph1->ph1_ex, EXCHANGE_MAIN, role, ph1, NULL);
	if (ph1_bufs_init(ph1) == -1 ||
	    exchange_random(role == ISAKMP_ROLE_I ? ph1->ph1_icookie :
	    ph1->ph1_rcookie, ISAKMP_COOKIE_LEN) == -1) {
		ph1_free(ph1);
		return NULL;
	}
	return ph1;
}

void
ph1_free(struct ph1 *ph1)
{
	struct ph2 *ph2;

	if (ph1 == NULL)
		return;
	while ((ph2 = TAILQ_FIRST(&ph1->ph1_ph2s)) != NULL)
		ph2_free(ph2);
	TAILQ_REMOVE(&ph1->ph1_env->env_ph1s, ph1, ph1_entry);
	exchange_clear(&ph1->ph1_ex);
	dh_free(ph1->ph1_dh);
	wbuf_free(&ph1->ph1_sai_b);
	wbuf_free(&ph1->ph1_sar_b);
	wbuf_free(&ph1->ph1_gxi);
	wbuf_free(&ph1->ph1_gxr);
	wbuf_free(&ph1->ph1_ni);
	wbuf_free(&ph1->ph1_nr);
	wbuf_free(&ph1->ph1_gxy);
	wbuf_free(&ph1->ph1_idi_b);
	wbuf_free(&ph1->ph1_idr_b);
	ike_keys_clear(&ph1->ph1_keys);
	freezero(ph1, sizeof(*ph1));
}

static const uint8_t ph1_zero[ISAKMP_COOKIE_LEN];

struct ph1 *
ph1_find(struct exchange_env *env, const uint8_t *icky, const uint8_t *rcky,
    const struct addr *peer)
{
	struct ph1 *ph1;

	TAILQ_FOREACH(ph1, &env->env_ph1s, ph1_entry) {
		/*
		 * The host, not the port: a NAT may map the peer to
		 * another port (NAT-T), which natt_follow() then takes.
		 */
		if (memcmp(ph1->ph1_icookie, icky, ISAKMP_COOKIE_LEN) != 0 ||
		    ph1->ph1_peer.a_af != peer->a_af ||
		    addr_cmp_host(&ph1->ph1_peer, peer) != 0 ||
		    (ph1->ph1_natt_ver == NATT_NONE &&
		    ph1->ph1_peer.a_port != peer->a_port))
			continue;
		/*
		 * The responder's cookie is unknown to an initiator until
		 * message 2, and absent from a repeated message 1.
		 */
		if (memcmp(ph1->ph1_rcookie, rcky, ISAKMP_COOKIE_LEN) == 0 ||
		    memcmp(ph1->ph1_rcookie, ph1_zero,
		    ISAKMP_COOKIE_LEN) == 0 ||
		    memcmp(rcky, ph1_zero, ISAKMP_COOKIE_LEN) == 0)
			return ph1;
	}
	return NULL;
}

int
ph1_peer_id(const struct ph1 *ph1, struct isakmp_id *id)
{
	const struct wbuf *w = ph1->ph1_role == ISAKMP_ROLE_I ?
	    &ph1->ph1_idr_b : &ph1->ph1_idi_b;
	struct rbuf rb;

	if (wbuf_len(w) == 0)
		return -1;
	rbuf_init(&rb, wbuf_data(w), wbuf_len(w));
	return isakmp_id_parse(&rb, id) == ISAKMP_N_OK ? 0 : -1;
}

/* The ID payload type of a racoon.conf identifier type; 0 if none. */
static uint8_t
ph1_id_type(enum cfg_idtype t)
{
	switch (t) {
	case CFG_ID_FQDN:
		return IPSECDOI_ID_FQDN;
	case CFG_ID_USER_FQDN:
		return IPSECDOI_ID_USER_FQDN;
	case CFG_ID_KEYID:
		return IPSECDOI_ID_KEY_ID;
	default:
		return 0;
	}
}

int
ph1_id_match(const struct ph1 *ph1, const struct cfg_id *c,
    const struct isakmp_id *id)
{
	struct addr a;

	switch (c->id_type) {
	case CFG_ID_ADDRESS:
		if ((id->id_type != IPSECDOI_ID_IPV4_ADDR &&
		    id->id_type != IPSECDOI_ID_IPV6_ADDR) ||
		    addr_from_bytes(&a, id->id_type == IPSECDOI_ID_IPV4_ADDR ?
		    AF_INET : AF_INET6, id->id_data, id->id_len) == -1)
			return 0;
		/* Without a value: the address the peer talks from. */
		return addr_cmp_host(&a, c->id_value != NULL ? &c->id_addr :
		    &ph1->ph1_peer) == 0;
	case CFG_ID_FQDN:
	case CFG_ID_USER_FQDN:
	case CFG_ID_KEYID:
		/* XXX: keyid file: the key ID read from the file. */
		return c->id_value != NULL && c->id_qual != CFG_IDQUAL_FILE &&
		    id->id_type == ph1_id_type(c->id_type) &&
		    id->id_len == strlen(c->id_value) &&
		    memcmp(id->id_data, c->id_value, id->id_len) == 0;
	default:
		return 0;	/* XXX: asn1dn comes with certificates */
	}
}

/*
 * 2 if a remote names this peer address (and port, if it gives one); 1
 * if it names the address with the default port and the peer comes from
 * another: a NAT in front of the peer sends its port 500 from another
 * port (and NAT-T moves it to 4500), so the default port matches any,
 * after an exact match; 0 if not.
 */
static int
ph1_remote_addr(const struct cfg_remote *rm, const struct addr *peer)
{
	if (!rm->r_has_address || rm->r_address.a_af != peer->a_af ||
	    addr_cmp_host(&rm->r_address, peer) != 0)
		return 0;
	if (rm->r_address.a_port == 0 || rm->r_address.a_port == peer->a_port)
		return 2;
	return rm->r_address.a_port == CFG_PORT_ISAKMP;
}

const struct cfg_remote *
ph1_remote_find(const struct cfg *cfg, const struct addr *peer)
{
	const struct cfg_remote *rm, *anon = NULL, *host = NULL;
	int m;

	TAILQ_FOREACH(rm, &cfg->c_remotes, r_entry) {
		if (rm->r_anonymous && anon == NULL)
			anon = rm;
		if ((m = ph1_remote_addr(rm, peer)) == 2)
			return rm;
		if (m == 1 && host == NULL)
			host = rm;
	}
	return host != NULL ? host : anon;
}

static int
ph1_remote_allows(const struct cfg_remote *rm, enum cfg_exmode mode)
{
	int i;

	for (i = 0; i < rm->r_nexmode; i++)
		if (rm->r_exmode[i] == mode)
			return 1;
	return 0;
}

/* 2: the remote names the peer's ID; 1: it names no peer; 0: others. */
static int
ph1_remote_id_rank(const struct ph1 *ph1, const struct cfg_remote *rm,
    const struct isakmp_id *id)
{
	const struct cfg_id *c;

	if (TAILQ_EMPTY(&rm->r_peers_ids) || id == NULL)
		return 1;
	TAILQ_FOREACH(c, &rm->r_peers_ids, id_entry)
		if (ph1_id_match(ph1, c, id))
			return 2;
	return 0;
}

const struct cfg_remote *
ph1_remote_select(const struct cfg *cfg, const struct ph1 *ph1,
    enum cfg_exmode mode, const struct isakmp_sa *sa,
    const struct isakmp_id *id)
{
	const struct cfg_remote *rm, *best = NULL;
	int pass, rank, best_rank = 0;

	/* The peer's address first, then the remotes for any address. */
	for (pass = 0; pass < 2 && best == NULL; pass++)
		TAILQ_FOREACH(rm, &cfg->c_remotes, r_entry) {
			if (pass == 0 ? !ph1_remote_addr(rm, &ph1->ph1_peer) :
			    rm->r_has_address)
				continue;
			if (!ph1_remote_allows(rm, mode) ||
			    (sa != NULL && !proposal_ph1_fits(rm, sa)))
				continue;
			/*
			 * Without an address a remote is anonymous,
			 * named or not (racoon 0.8's AF_UNSPEC remote).
			 */
			rank = ph1_remote_id_rank(ph1, rm, id);
			if (rank > best_rank) {
				best = rm;
				best_rank = rank;
			}
		}
	return best;
}

const struct cfg_remote *
ph1_remote_any(const struct cfg *cfg)
{
	const struct cfg_remote *rm;

	TAILQ_FOREACH(rm, &cfg->c_remotes, r_entry)
		if (!rm->r_has_address)
			return rm;
	return NULL;
}

/* An initiator's ph1 in Main (EXCHANGE_MAIN) or Aggressive Mode. */
static struct ph1 *
ph1_initiate(struct exchange_env *env, const struct cfg_remote *rm,
    const struct addr *local, const struct addr *peer,
    enum exchange_kind kind)
{
	struct ph1 *ph1;
	char l[ADDR_STRLEN], p[ADDR_STRLEN], name[PH1_NAMELEN];

	if (TAILQ_EMPTY(&rm->r_proposals)) {
		log_warnx("remote %s: no proposal to offer", rm->r_name);
		return NULL;
	}
	if ((ph1 = ph1_new(env, ISAKMP_ROLE_I, rm, local, peer)) == NULL)
		return NULL;
	ph1->ph1_ex.ex_kind = kind;
	addr_fmt(local, ADDR_PORT, l, sizeof(l));
	addr_fmt(peer, ADDR_PORT, p, sizeof(p));
	ph1_name(ph1, name, sizeof(name));
	log_info("%s: initiate new phase 1 negotiation: %s<=>%s", name, l, p);
	log_info("%s: begin %s mode.", name, kind == EXCHANGE_AGGR ?
	    "Aggressive" : "Identity Protection");
	if (exchange_run(&ph1->ph1_ex) == -1)
		return NULL;	/* failed: freed by the timers */
	return ph1;
}

struct ph1 *
ph1_start(struct exchange_env *env, const struct cfg_remote *rm,
    const struct addr *local, const struct addr *peer)
{
	return ph1_initiate(env, rm, local, peer, rm->r_nexmode > 0 &&
	    rm->r_exmode[0] == CFG_EXMODE_AGGRESSIVE ? EXCHANGE_AGGR :
	    EXCHANGE_MAIN);
}

struct ph1 *
ph1_main_start(struct exchange_env *env, const struct cfg_remote *rm,
    const struct addr *local, const struct addr *peer)
{
	return ph1_initiate(env, rm, local, peer, EXCHANGE_MAIN);
}

void
ph1_initial_contact(struct ph1 *ph1)
{
	struct ph1 *old;
	char name[PH1_NAMELEN];

	/*
	 * A copy sent again later would end the ISAKMP-SAs (and SAs) made
	 * since, a rekeyed one among them.
	 */
	if (ph1->ph1_ic_seen) {
		log_warnx("%s: INITIAL-CONTACT again under this ISAKMP-SA "
		    "(a replay?) ignored", ph1_name(ph1, name, sizeof(name)));
		return;
	}
	ph1->ph1_ic_seen = 1;
	TAILQ_FOREACH(old, &ph1->ph1_env->env_ph1s, ph1_entry) {
		if (old == ph1 || old->ph1_state != PH1_S_ESTABLISHED ||
		    addr_cmp_host(&old->ph1_peer, &ph1->ph1_peer) != 0)
			continue;
		/* Behind one NAT, hosts differ by their port. */
		if (natt_encap(old) &&
		    old->ph1_peer.a_port != ph1->ph1_peer.a_port)
			continue;
		exchange_purge_stale(old);
		ph1_expire(old, "the peer made initial contact");
	}
}

static struct ike_chunk
ph1_chunk(const struct wbuf *w)
{
	struct ike_chunk c = { wbuf_data(w), wbuf_len(w) };

	return c;
}

/*
 * The pre-shared key for the peer.  Main Mode hides the ID until the
 * keys are made, so the key is found by address; Aggressive Mode sends
 * it first, so an FQDN, user FQDN or key ID finds its key by name, as
 * racoon's getpskbyname, before the address and "*".
 */
static const struct psk_entry *
ph1_psk(const struct ph1 *ph1)
{
	const struct psk *psk = ph1->ph1_env->env_psk;
	const struct psk_entry *pe;
	struct isakmp_id id;
	char name[PH1_NAMELEN], vis[128];

	if (psk == NULL)
		return NULL;
	if (ph1->ph1_ex.ex_kind == EXCHANGE_AGGR &&
	    ph1_peer_id(ph1, &id) == 0 && (id.id_type == IPSECDOI_ID_FQDN ||
	    id.id_type == IPSECDOI_ID_USER_FQDN ||
	    id.id_type == IPSECDOI_ID_KEY_ID)) {
		TAILQ_FOREACH(pe, &psk->psk_entries, pe_entry)
			if (pe->pe_type != PSK_ID_WILDCARD &&
			    pe->pe_type != PSK_ID_ADDRESS &&
			    strlen(pe->pe_id) == id.id_len &&
			    memcmp(pe->pe_id, id.id_data, id.id_len) == 0)
				return pe;
		log_debug(1, "%s: no pskey for %s \"%s\", trying the address",
		    ph1_name(ph1, name, sizeof(name)),
		    isakmp_idtype_name(id.id_type),
		    log_vis(vis, sizeof(vis), id.id_data, id.id_len));
	}
	return psk_find_addr(psk, &ph1->ph1_peer);
}

int
ph1_keys_derive(struct ph1 *ph1)
{
	const struct psk_entry *pe;
	const struct proposal_ph1 *p = &ph1->ph1_prop;
	const struct wbuf *peer_pub;
	struct ike_chunk ni, nr, gxy, gxi, gxr;
	char name[PH1_NAMELEN], a[ADDR_STRLEN];

	ph1_name(ph1, name, sizeof(name));
	if ((pe = ph1_psk(ph1)) == NULL) {
		log_warnx("%s: couldn't find the pskey for %s.", name,
		    addr_ntop(&ph1->ph1_peer, a, sizeof(a)));
		return ISAKMP_N_AUTHENTICATION_FAILED;
	}
	peer_pub = ph1->ph1_role == ISAKMP_ROLE_I ? &ph1->ph1_gxr :
	    &ph1->ph1_gxi;
	wbuf_reset(&ph1->ph1_gxy);
	ni = ph1_chunk(&ph1->ph1_ni);
	nr = ph1_chunk(&ph1->ph1_nr);
	gxi = ph1_chunk(&ph1->ph1_gxi);
	gxr = ph1_chunk(&ph1->ph1_gxr);
	if (dh_derive(ph1->ph1_dh, wbuf_data(peer_pub), wbuf_len(peer_pub),
	    &ph1->ph1_gxy) == -1)
		return ISAKMP_N_INVALID_KEY_INFORMATION;
	gxy = ph1_chunk(&ph1->ph1_gxy);
	if (ike_keys_init(&ph1->ph1_keys, p->p1_hash, p->p1_enc,
	    p->p1_keylen) == -1 ||
	    ike_skeyid_psk(&ph1->ph1_keys, pe->pe_key, pe->pe_keylen, &ni,
	    &nr) == -1 ||
	    ike_skeyid_derive(&ph1->ph1_keys, &gxy, ph1->ph1_icookie,
	    ph1->ph1_rcookie) == -1 ||
	    ike_iv_phase1(&ph1->ph1_keys, &gxi, &gxr, &ph1->ph1_iv) == -1)
		return EXCHANGE_ERR;
	if (log_keys_enabled()) {
		log_hexdump(0, "SKEYID", ph1->ph1_keys.ik_skeyid,
		    ph1->ph1_keys.ik_prflen);
		log_hexdump(0, "SKEYID_d", ph1->ph1_keys.ik_skeyid_d,
		    ph1->ph1_keys.ik_prflen);
		log_hexdump(0, "SKEYID_a", ph1->ph1_keys.ik_skeyid_a,
		    ph1->ph1_keys.ik_prflen);
		log_hexdump(0, "SKEYID_e", ph1->ph1_keys.ik_skeyid_e,
		    ph1->ph1_keys.ik_prflen);
	}
	keylog_ph1(ph1->ph1_icookie, &ph1->ph1_keys);
	ph1->ph1_keyed = 1;
	return ph1_set_state(ph1, PH1_S_KEYED) == 0 ? ISAKMP_N_OK :
	    EXCHANGE_ERR;
}

static void
ph1_cookie_hex(const uint8_t *c, char *out)
{
	size_t i;

	for (i = 0; i < ISAKMP_COOKIE_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", c[i]);
}

void
ph1_established(struct ph1 *ph1)
{
	char name[PH1_NAMELEN], l[ADDR_STRLEN], p[ADDR_STRLEN];
	char ic[2 * ISAKMP_COOKIE_LEN + 1], rc[2 * ISAKMP_COOKIE_LEN + 1];
	uint32_t life = ph1->ph1_prop.p1_lifetime;

	if (ph1_set_state(ph1, PH1_S_ESTABLISHED) == -1)
		return;
	if (life != 0) {
		ph1->ph1_expire_at = exchange_now(ph1->ph1_env) +
		    (uint64_t)life * 1000;
		ph1->ph1_soft_at = exchange_now(ph1->ph1_env) +
		    (uint64_t)life * PH1_SOFT_RATE * 10;
	}
	/* The nonces and g^xy are needed no more; SKEYID_* stay. */
	wbuf_truncate(&ph1->ph1_gxy, 0);
	addr_fmt(&ph1->ph1_local, ADDR_PORT, l, sizeof(l));
	addr_fmt(&ph1->ph1_peer, ADDR_PORT, p, sizeof(p));
	ph1_cookie_hex(ph1->ph1_icookie, ic);
	ph1_cookie_hex(ph1->ph1_rcookie, rc);
	log_info("%s: ISAKMP-SA established %s-%s spi:%s:%s",
	    ph1_name(ph1, name, sizeof(name)), l, p, ic, rc);
	dpd_start(ph1);
	if (ph1->ph1_env->env_events.ev_ph1_up != NULL)
		ph1->ph1_env->env_events.ev_ph1_up(
		    ph1->ph1_env->env_events.ev_arg, ph1);
}

/* The peer's phase 1 identity as ipsec-tools' ipsecdoi_id2str writes it. */
const char *
ph1_peer_id_str(const struct ph1 *ph1, char *buf, size_t len)
{
	struct isakmp_id id;
	struct addr a;
	char s[ADDR_STRLEN];
	sa_family_t af;

	buf[0] = '\0';
	if (ph1_peer_id(ph1, &id) == -1)
		return buf;
	switch (id.id_type) {
	case IPSECDOI_ID_IPV4_ADDR:
	case IPSECDOI_ID_IPV6_ADDR:
	case IPSECDOI_ID_IPV4_ADDR_SUBNET:
	case IPSECDOI_ID_IPV6_ADDR_SUBNET:
		af = id.id_type == IPSECDOI_ID_IPV4_ADDR ||
		    id.id_type == IPSECDOI_ID_IPV4_ADDR_SUBNET ?
		    AF_INET : AF_INET6;
		if (addr_from_bytes(&a, af, id.id_data, id.id_len <
		    addr_len(af) ? id.id_len : addr_len(af)) == -1)
			break;
		snprintf(buf, len, "%s", addr_ntop(&a, s, sizeof(s)));
		break;
	default:
		log_vis(buf, len, id.id_data, id.id_len);
		break;
	}
	return buf;
}

/* 1 if a phase 2 negotiated under ph1 is still up. */
static int
ph1_has_ph2(const struct ph1 *ph1)
{
	const struct ph2 *ph2;

	TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
		if (ph2->ph2_state == PH2_S_ESTABLISHED)
			return 1;
	return 0;
}

void
ph1_dying(struct ph1 *ph1)
{
	struct exchange_env *env = ph1->ph1_env;
	const struct cfg_remote *rm;
	struct ph1 *p;
	char name[PH1_NAMELEN], a[ADDR_STRLEN];

	if (ph1->ph1_state != PH1_S_ESTABLISHED || ph1->ph1_dying)
		return;
	ph1->ph1_dying = 1;
	ph1->ph1_soft_at = 0;
	ph1_name(ph1, name, sizeof(name));
	log_debug(1, "%s: ISAKMP-SA soft lifetime reached", name);
	/* A fresher one, up or coming: it takes over, nothing to do. */
	TAILQ_FOREACH(p, &env->env_ph1s, ph1_entry)
		if (p != ph1 && ph1_same_hosts(p, ph1) && !p->ph1_dying &&
		    p->ph1_state != PH1_S_FAILED &&
		    p->ph1_state != PH1_S_EXPIRED)
			return;
	/* The responder's would cross the initiator's: as racoon. */
	if (ph1->ph1_role != ISAKMP_ROLE_I)
		return;
	/* The current configuration decides (it may have been reloaded). */
	if ((rm = ph1_remote_find(env->env_cfg, &ph1->ph1_peer)) == NULL ||
	    rm->r_passive)
		return;
	addr_ntop(&ph1->ph1_peer, a, sizeof(a));
	switch (rm->r_rekey) {
	case CFG_OFF:
		return;
	case CFG_ON:
		if (!ph1_has_ph2(ph1))
			return;
		log_info("%s: renegotiating phase1 to %s due to active "
		    "phase2", name, a);
		break;
	case CFG_FORCE:
		log_info("%s: renegotiating phase1 to %s (rekey force)", name,
		    a);
		break;
	}
	(void)ph1_start(env, rm, &ph1->ph1_local, &ph1->ph1_peer);
}
