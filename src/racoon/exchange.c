/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The exchange engine: the scripts of Main Mode and Quick Mode as tables
 * indexed [exchange][role][step], the one place that moves an exchange
 * from step to step, encrypts and decrypts its messages, keeps the last
 * message each way, answers a duplicate with the last reply, retransmits
 * on a timer and gives up; the dispatch of received datagrams to their
 * phase 1 or phase 2 SA; and the informational notifies (RFC 2408 3.14,
 * RFC 2409 5.7) sent when a handler refuses a message and read when a
 * peer sends one.  Handlers live in ph1_main.c and ph2_quick.c.
 * NAT-T's part here: a phase 1 follows the peer to the address and port
 * its accepted messages come from (natt_follow), and a side behind a
 * NAT sends keepalives on the phase 1 timer.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

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
#include "ph2.h"

#define EXCHANGE_MSG_MAX	65535
#define NELEM(a)		(sizeof(a) / sizeof((a)[0]))

struct exchange_step {
	uint8_t		 st_msgno;
	enum isakmp_role st_sender;
	exchange_send_fn st_send;	/* when we are the sender */
	exchange_recv_fn st_recv;	/* when we receive it */
	/* An encrypted message that does not parse: what it means. */
	const char	*st_garbled;
};

struct exchange_script {
	const char	*sc_name;
	uint8_t		 sc_etype;
	const struct exchange_step *sc_steps;
	size_t		 sc_nsteps;
};

#define SEND(n, who, fn)	{ n, ISAKMP_ROLE_##who, fn, NULL, NULL }
#define RECV(n, who, fn)	{ n, ISAKMP_ROLE_##who, NULL, fn, NULL }

/*
 * RFC 2409 5.4, Main Mode with pre-shared keys.  A responder whose key
 * differs from ours derives other keys: message 5 decrypts to noise.
 */
static const struct exchange_step main_i[] = {
	SEND(1, I, ph1_main_i1_send),
	RECV(2, R, ph1_main_i2_recv),
	SEND(3, I, ph1_main_i3_send),
	RECV(4, R, ph1_main_i4_recv),
	SEND(5, I, ph1_main_i5_send),
	{ 6, ISAKMP_ROLE_R, NULL, ph1_main_i6_recv,
	    "message 6 does not decrypt to valid payloads" },
};
static const struct exchange_step main_r[] = {
	RECV(1, I, ph1_main_r1_recv),
	SEND(2, R, ph1_main_r2_send),
	RECV(3, I, ph1_main_r3_recv),
	SEND(4, R, ph1_main_r4_send),
	{ 5, ISAKMP_ROLE_I, NULL, ph1_main_r5_recv,
	    "message 5 does not decrypt to valid payloads" },
	SEND(6, R, ph1_main_r6_send),
};
/*
 * RFC 2409 5.4, Aggressive Mode with pre-shared keys.  Message 3 goes
 * in the clear, as racoon sends it; the rules take it either way.
 */
static const struct exchange_step aggr_i[] = {
	SEND(1, I, ph1_aggr_i1_send),
	RECV(2, R, ph1_aggr_i2_recv),
	SEND(3, I, ph1_aggr_i3_send),
};
static const struct exchange_step aggr_r[] = {
	RECV(1, I, ph1_aggr_r1_recv),
	SEND(2, R, ph1_aggr_r2_send),
	{ 3, ISAKMP_ROLE_I, NULL, ph1_aggr_r3_recv,
	    "message 3 does not decrypt to valid payloads" },
};
/* RFC 2409 5.5, Quick Mode. */
static const struct exchange_step quick_i[] = {
	SEND(1, I, ph2_quick_i1_send),
	RECV(2, R, ph2_quick_i2_recv),
	SEND(3, I, ph2_quick_i3_send),
};
static const struct exchange_step quick_r[] = {
	RECV(1, I, ph2_quick_r1_recv),
	SEND(2, R, ph2_quick_r2_send),
	RECV(3, I, ph2_quick_r3_recv),
};

#undef SEND
#undef RECV

static const struct exchange_script exchange_scripts[EXCHANGE_KINDS][2] = {
	[EXCHANGE_MAIN] = {
		[ISAKMP_ROLE_I] = { "Identity Protection", ISAKMP_ETYPE_IDENT,
		    main_i, NELEM(main_i) },
		[ISAKMP_ROLE_R] = { "Identity Protection", ISAKMP_ETYPE_IDENT,
		    main_r, NELEM(main_r) },
	},
	[EXCHANGE_QUICK] = {
		[ISAKMP_ROLE_I] = { "Quick", ISAKMP_ETYPE_QUICK,
		    quick_i, NELEM(quick_i) },
		[ISAKMP_ROLE_R] = { "Quick", ISAKMP_ETYPE_QUICK,
		    quick_r, NELEM(quick_r) },
	},
	[EXCHANGE_AGGR] = {
		[ISAKMP_ROLE_I] = { "Aggressive", ISAKMP_ETYPE_AGG,
		    aggr_i, NELEM(aggr_i) },
		[ISAKMP_ROLE_R] = { "Aggressive", ISAKMP_ETYPE_AGG,
		    aggr_r, NELEM(aggr_r) },
	},
};

uint8_t
exchange_etype(const struct exchange *ex)
{
	return exchange_scripts[ex->ex_kind][ex->ex_role].sc_etype;
}

static const struct exchange_script *
exchange_script(const struct exchange *ex)
{
	return &exchange_scripts[ex->ex_kind][ex->ex_role];
}

int
exchange_random(void *p, size_t len)
{
	if (RAND_bytes(p, (int)len) != 1) {
		log_warnx("RAND_bytes failed");
		return -1;
	}
	return 0;
}

void
exchange_env_init(struct exchange_env *env, const struct cfg *cfg,
    const struct psk *psk)
{
	memset(env, 0, sizeof(*env));
	env->env_cfg = cfg;
	env->env_psk = psk;
	env->env_natt_port = CFG_PORT_NATT;
	TAILQ_INIT(&env->env_ph1s);
	TAILQ_INIT(&env->env_contacted);
}

void
exchange_env_clear(struct exchange_env *env)
{
	struct exchange_peer *xp;
	struct ph1 *ph1;

	while ((ph1 = TAILQ_FIRST(&env->env_ph1s)) != NULL)
		ph1_free(ph1);
	while ((xp = TAILQ_FIRST(&env->env_contacted)) != NULL) {
		TAILQ_REMOVE(&env->env_contacted, xp, xp_entry);
		free(xp);
	}
}

int
exchange_first_contact(struct exchange_env *env, const struct addr *peer)
{
	struct exchange_peer *xp;

	TAILQ_FOREACH(xp, &env->env_contacted, xp_entry)
		if (addr_cmp(&xp->xp_addr, peer) == 0)
			return 0;
	if ((xp = calloc(1, sizeof(*xp))) == NULL)
		return -1;
	xp->xp_addr = *peer;
	TAILQ_INSERT_TAIL(&env->env_contacted, xp, xp_entry);
	return 1;
}

static const char *const exchange_drop_names[EXCHANGE_DROP_COUNT] = {
	[EXCHANGE_DROP_MALFORMED] = "malformed",
	[EXCHANGE_DROP_UNKNOWN_SA] = "unknown_sa",
	[EXCHANGE_DROP_UNEXPECTED] = "unexpected",
	[EXCHANGE_DROP_UNDECRYPTABLE] = "undecryptable",
	[EXCHANGE_DROP_INFORMATIONAL] = "informational",
	[EXCHANGE_DROP_DPD] = "dpd",
};

const char *
exchange_drop_name(enum exchange_drop d)
{
	return (unsigned)d < EXCHANGE_DROP_COUNT ? exchange_drop_names[d] :
	    "?";
}

void
exchange_drop(struct exchange_env *env, enum exchange_drop why)
{
	env->env_dropped++;
	if ((unsigned)why < EXCHANGE_DROP_COUNT)
		env->env_drops[why]++;
}

uint64_t
exchange_now(const struct exchange_env *env)
{
	return env->env_clock.ec_now(env->env_clock.ec_arg);
}

static struct exchange_env *
exchange_env(const struct exchange *ex)
{
	return ex->ex_ph1->ph1_env;
}

/* Our name for log lines: the ph2's or the ph1's. */
static const char *
exchange_name(const struct exchange *ex, char *buf, size_t len)
{
	if (ex->ex_ph2 != NULL)
		return ph2_name(ex->ex_ph2, buf, len);
	return ph1_name(ex->ex_ph1, buf, len);
}

void
exchange_init(struct exchange *ex, enum exchange_kind kind,
    enum isakmp_role role, struct ph1 *ph1, struct ph2 *ph2)
{
	const struct cfg_timer *t = &ph1->ph1_env->env_cfg->c_timer;
	uint32_t limit = EXCHANGE_PHASE1(kind) ? t->t_phase1 : t->t_phase2;

	memset(ex, 0, sizeof(*ex));
	ex->ex_kind = kind;
	ex->ex_role = role;
	ex->ex_ph1 = ph1;
	ex->ex_ph2 = ph2;
	ex->ex_iv = EXCHANGE_PHASE1(kind) ? &ph1->ph1_iv : &ex->ex_qiv;
	(void)wbuf_init(&ex->ex_last_out, 512, EXCHANGE_MSG_MAX);
	(void)wbuf_init(&ex->ex_last_in, 512, EXCHANGE_MSG_MAX);
	if (limit != 0)
		ex->ex_give_up_at = exchange_now(ph1->ph1_env) +
		    (uint64_t)limit * 1000;
}

void
exchange_clear(struct exchange *ex)
{
	wbuf_free(&ex->ex_last_out);
	wbuf_free(&ex->ex_last_in);
	mem_wipe(&ex->ex_qiv, sizeof(ex->ex_qiv));
}

/*
 * Send the last message, timer.persend copies of it as racoon does, so
 * that a lossy path gets more than one chance before the next interval.
 */
static void
exchange_transmit(struct exchange *ex)
{
	struct ph1 *ph1 = ex->ex_ph1;
	struct exchange_net *net = &ph1->ph1_env->env_net;
	uint32_t i, copies = ph1->ph1_env->env_cfg->c_timer.t_persend;

	if (copies == 0)
		copies = 1;
	for (i = 0; i < copies; i++)
		if (net->en_send(net->en_arg, &ph1->ph1_local,
		    &ph1->ph1_peer, wbuf_data(&ex->ex_last_out),
		    wbuf_len(&ex->ex_last_out)) == -1)
			log_debug(1, "send failed; the retransmission may "
			    "do better");
}

/* Whether the rule table wants message msgno from sender encrypted. */
static int
exchange_encrypted(uint8_t etype, enum isakmp_role sender, uint8_t msgno)
{
	const struct isakmp_rules *rs;

	rs = isakmp_rules_find(etype, sender, msgno, 1);
	return rs != NULL && rs->rs_enc == ISAKMP_ENC_YES;
}

static void
exchange_hdr(const struct exchange *ex, uint8_t etype, uint32_t msgid,
    struct isakmp_hdr *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	memcpy(hdr->hdr_icookie, ex->ex_ph1->ph1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(hdr->hdr_rcookie, ex->ex_ph1->ph1_rcookie, ISAKMP_COOKIE_LEN);
	hdr->hdr_version = ISAKMP_VERSION;
	hdr->hdr_etype = etype;
	hdr->hdr_msgid = msgid;
}

/* The exchange (and its SA) failed; notify the peer if n says so. */
static void
exchange_fail(struct exchange *ex, int n, const char *why)
{
	struct ph2 *ph2 = ex->ex_ph2;

	ex->ex_failed = 1;
	ex->ex_resend_at = 0;
	/* About a phase 2 SA: name the SPI the initiator proposed. */
	if (n > 0 && ph2 != NULL && ph2->ph2_err_proto != 0)
		(void)exchange_notify(ex->ex_ph1, (uint16_t)n,
		    ph2->ph2_err_proto, ph2->ph2_err_spi, 4);
	else if (n > 0)
		(void)exchange_notify(ex->ex_ph1, (uint16_t)n,
		    ISAKMP_PROTO_ISAKMP, NULL, 0);
	if (ex->ex_ph2 != NULL)
		ph2_fail(ex->ex_ph2, why);
	else
		ph1_fail(ex->ex_ph1, why);
}

/* Build, encrypt if the rules say so, keep and send one message. */
static int
exchange_send_step(struct exchange *ex, const struct exchange_step *st)
{
	const struct exchange_script *sc = exchange_script(ex);
	struct ph1 *ph1 = ex->ex_ph1;
	struct isakmp_hdr hdr;
	struct isakmp_out out;
	struct wbuf plain;
	int n = EXCHANGE_ERR;

	if (wbuf_init(&plain, 512, EXCHANGE_MSG_MAX) == -1)
		return EXCHANGE_ERR;
	wbuf_set_secret(&plain);
	exchange_hdr(ex, sc->sc_etype, ex->ex_msgid, &hdr);
	if (isakmp_out_begin(&out, &plain, &hdr) == -1)
		goto out;
	if ((n = st->st_send(ex, &out)) != ISAKMP_N_OK)
		goto out;
	n = EXCHANGE_ERR;
	if (isakmp_out_end(&out) == -1) {
		log_warnx("%s message %u: larger than %d bytes", sc->sc_name,
		    st->st_msgno, EXCHANGE_MSG_MAX);
		goto out;
	}
	wbuf_reset(&ex->ex_last_out);
	if (exchange_encrypted(sc->sc_etype, st->st_sender, st->st_msgno)) {
		if (!ph1->ph1_keyed || ike_encrypt_msg(&ph1->ph1_keys,
		    ex->ex_iv, wbuf_data(&plain), wbuf_len(&plain),
		    &ex->ex_last_out) == -1)
			goto out;
	} else if (wbuf_put_bytes(&ex->ex_last_out, wbuf_data(&plain),
	    wbuf_len(&plain)) == -1)
		goto out;
	exchange_transmit(ex);
	n = ISAKMP_N_OK;
out:
	wbuf_free(&plain);
	return n;
}

int
exchange_run(struct exchange *ex)
{
	const struct exchange_script *sc = exchange_script(ex);
	const struct exchange_step *st;
	struct exchange_env *env = exchange_env(ex);
	int n, after_recv = ex->ex_step > 0;

	while (!ex->ex_failed && ex->ex_step < sc->sc_nsteps) {
		st = &sc->sc_steps[ex->ex_step];
		if (st->st_sender != ex->ex_role) {
			/* The peer's turn: resend ours until it answers. */
			ex->ex_tries = 0;
			ex->ex_resend_at = exchange_now(env) +
			    (uint64_t)env->env_cfg->c_timer.t_interval * 1000;
			return 0;
		}
		if ((n = exchange_send_step(ex, st)) == EXCHANGE_WAIT)
			return 0;
		if (n != ISAKMP_N_OK) {
			exchange_fail(ex, n, "could not build a message");
			return -1;
		}
		ex->ex_answered = after_recv;
		after_recv = 0;
		ex->ex_step++;
	}
	if (!ex->ex_failed && !ex->ex_done) {
		ex->ex_done = 1;
		ex->ex_resend_at = 0;
		/* Message 3 is out: INITIAL-CONTACT may follow it. */
		if (ex->ex_kind == EXCHANGE_AGGR &&
		    ex->ex_role == ISAKMP_ROLE_I)
			ph1_aggr_contact(ex->ex_ph1);
	}
	return ex->ex_failed ? -1 : 0;
}

/* Decrypt (with a copy of the IV, kept only if the message is good). */
static int
exchange_open(struct exchange *ex, const uint8_t *data, size_t len,
    int enc, struct ike_iv *iv, struct wbuf *plain)
{
	struct ph1 *ph1 = ex->ex_ph1;
	char name[PH2_NAMELEN + PH1_NAMELEN];

	*iv = *ex->ex_iv;
	if (!enc)
		return wbuf_put_bytes(plain, data, len);
	if (!ph1->ph1_keyed) {
		log_warnx("%s: encrypted message before the keys are known",
		    exchange_name(ex, name, sizeof(name)));
		return -1;
	}
	return ike_decrypt_msg(&ph1->ph1_keys, iv, data, len, plain);
}

/* Parse and check a received message against the step's rules. */
static int
exchange_check(struct exchange *ex, const struct exchange_step *st,
    int enc, const struct wbuf *plain, struct isakmp_msg *msg)
{
	const struct exchange_script *sc = exchange_script(ex);
	char name[PH2_NAMELEN + PH1_NAMELEN];
	int n;

	if ((n = isakmp_msg_parse(wbuf_data(plain), wbuf_len(plain),
	    msg)) == ISAKMP_N_OK && msg->msg_hdr.hdr_etype != sc->sc_etype)
		n = ISAKMP_N_INVALID_EXCHANGE_TYPE;
	if (n == ISAKMP_N_OK)
		n = isakmp_rules_check(msg, st->st_sender, st->st_msgno);
	if (n != ISAKMP_N_OK && st->st_garbled != NULL && enc) {
		log_warnx("%s: authentication failed: %s (the pre-shared "
		    "keys differ?)", exchange_name(ex, name, sizeof(name)),
		    st->st_garbled);
		return ISAKMP_N_AUTHENTICATION_FAILED;
	}
	return n;
}

static int
exchange_is_dup(const struct exchange *ex, const uint8_t *data, size_t len)
{
	return wbuf_len(&ex->ex_last_in) == len &&
	    memcmp(wbuf_data(&ex->ex_last_in), data, len) == 0;
}

/*
 * A message for this exchange: the next step, or a duplicate.  1 if a
 * handler took it, else 0.
 */
static int
exchange_recv(struct exchange *ex, const uint8_t *data, size_t len,
    const struct isakmp_hdr *hdr)
{
	const struct exchange_script *sc = exchange_script(ex);
	const struct exchange_step *st;
	char name[PH2_NAMELEN + PH1_NAMELEN];
	struct isakmp_msg msg;
	struct ike_iv iv;
	struct wbuf plain;
	int n, enc = (hdr->hdr_flags & ISAKMP_FLAG_E) != 0, took = 0;

	exchange_name(ex, name, sizeof(name));
	if (exchange_is_dup(ex, data, len)) {
		if (ex->ex_answered && wbuf_len(&ex->ex_last_out) > 0) {
			log_debug(1, "%s: the packet is retransmitted by the "
			    "peer; resending our answer", name);
			exchange_transmit(ex);
		}
		return 0;
	}
	if (ex->ex_failed || ex->ex_done ||
	    sc->sc_steps[ex->ex_step].st_sender == ex->ex_role) {
		log_warnx("%s: unexpected %s message dropped", name,
		    sc->sc_name);
		exchange_drop(exchange_env(ex), EXCHANGE_DROP_UNEXPECTED);
		return 0;
	}
	st = &sc->sc_steps[ex->ex_step];
	if (wbuf_init(&plain, len, EXCHANGE_MSG_MAX) == -1)
		return 0;
	wbuf_set_secret(&plain);
	if (exchange_open(ex, data, len, enc, &iv, &plain) == -1) {
		exchange_drop(exchange_env(ex), EXCHANGE_DROP_UNDECRYPTABLE);
		goto out;
	}
	if ((n = exchange_check(ex, st, enc, &plain, &msg)) == ISAKMP_N_OK)
		n = st->st_recv(ex, &msg);
	if (n != ISAKMP_N_OK) {
		exchange_fail(ex, n, n == ISAKMP_N_AUTHENTICATION_FAILED ?
		    "authentication failed" : "peer's message refused");
		/*
		 * A responder that refused the first message holds nothing
		 * worth keeping: free it at once rather than after the
		 * linger, so that a flood of bad first messages (which the
		 * half-open caps do not count once failed) cannot pile up.
		 */
		if (EXCHANGE_PHASE1(ex->ex_kind) &&
		    ex->ex_role == ISAKMP_ROLE_R && ex->ex_step == 0)
			ex->ex_ph1->ph1_dead_at =
			    exchange_now(exchange_env(ex));
		goto out;
	}
	/* A handler may have set the IV (keys of message 3/4): keep it. */
	if (enc)
		*ex->ex_iv = iv;
	wbuf_reset(&ex->ex_last_in);
	(void)wbuf_put_bytes(&ex->ex_last_in, data, len);
	ex->ex_answered = 0;	/* until a reply to this one is sent */
	ex->ex_resend_at = 0;
	ex->ex_step++;
	took = 1;
	(void)exchange_run(ex);
out:
	mem_wipe(&iv, sizeof(iv));
	wbuf_free(&plain);
	return took;
}

/* Informational exchanges (RFC 2409 5.7) */

/* An informational message carrying one notify or one delete payload. */
static int
exchange_info_build(struct ph1 *ph1, const struct isakmp_notify *nt,
    const struct isakmp_delete *del, uint32_t msgid, int enc,
    struct wbuf *plain)
{
	struct isakmp_hdr hdr;
	struct isakmp_out out;
	uint8_t hash[IKE_PRF_MAX];
	size_t hoff = 0, prflen = ph1->ph1_keys.ik_prflen;
	struct ike_chunk rest;

	exchange_hdr(&ph1->ph1_ex, ISAKMP_ETYPE_INFO, msgid, &hdr);
	if (isakmp_out_begin(&out, plain, &hdr) == -1)
		return -1;
	if (enc) {
		if (isakmp_out_pld(&out, ISAKMP_NPTYPE_HASH) == -1)
			return -1;
		hoff = wbuf_len(plain);
		if (wbuf_put_zero(plain, prflen) == -1)
			return -1;
	}
	if (nt != NULL && (isakmp_out_pld(&out, ISAKMP_NPTYPE_N) == -1 ||
	    isakmp_notify_build(plain, nt) == -1))
		return -1;
	if (del != NULL && (isakmp_out_pld(&out, ISAKMP_NPTYPE_D) == -1 ||
	    isakmp_delete_build(plain, del) == -1))
		return -1;
	if (isakmp_out_end(&out) == -1)
		return -1;
	if (!enc)
		return 0;
	rest.c_ptr = wbuf_data(plain) + hoff + prflen;
	rest.c_len = wbuf_len(plain) - hoff - prflen;
	if (ike_qm_hash1(&ph1->ph1_keys, msgid, &rest, hash) == -1)
		return -1;
	memcpy(wbuf_data(plain) + hoff, hash, prflen);
	return 0;
}

static int exchange_info_send(struct ph1 *, const struct isakmp_notify *,
	    const struct isakmp_delete *);

int
exchange_notify(struct ph1 *ph1, uint16_t type, uint8_t proto,
    const uint8_t *spi, uint8_t spisize)
{
	struct isakmp_notify nt;
	char name[PH1_NAMELEN];

	memset(&nt, 0, sizeof(nt));
	nt.n_doi = IPSEC_DOI;
	nt.n_type = type;
	nt.n_proto = proto != 0 ? proto : ISAKMP_PROTO_ISAKMP;
	if (spi == NULL) {
		memcpy(nt.n_spi, ph1->ph1_icookie, ISAKMP_COOKIE_LEN);
		memcpy(nt.n_spi + ISAKMP_COOKIE_LEN, ph1->ph1_rcookie,
		    ISAKMP_COOKIE_LEN);
		nt.n_spisize = 2 * ISAKMP_COOKIE_LEN;
	} else {
		memcpy(nt.n_spi, spi, spisize);
		nt.n_spisize = spisize;
	}
	log_info("%s: sending notification %s", ph1_name(ph1, name,
	    sizeof(name)), isakmp_notify_name(type));
	return exchange_info_send(ph1, &nt, NULL);
}

/*
 * Send an informational exchange with one payload, protected once the
 * ISAKMP-SA is established (RFC 2409 5.7), in the clear before.
 */
static int
exchange_info_send(struct ph1 *ph1, const struct isakmp_notify *nt,
    const struct isakmp_delete *del)
{
	struct exchange_net *net = &ph1->ph1_env->env_net;
	struct wbuf plain, wire;
	struct ike_iv iv;
	uint32_t msgid;
	int enc = ph1->ph1_state == PH1_S_ESTABLISHED, rv = -1;

	memset(&iv, 0, sizeof(iv));
	if (exchange_random(&msgid, sizeof(msgid)) == -1)
		return -1;
	msgid |= 1;	/* never 0, the ID of phase 1 */
	memset(&wire, 0, sizeof(wire));
	if (wbuf_init(&plain, 256, EXCHANGE_MSG_MAX) == -1)
		return -1;
	wbuf_set_secret(&plain);
	if (wbuf_init(&wire, 256, EXCHANGE_MSG_MAX) == -1 ||
	    exchange_info_build(ph1, nt, del, msgid, enc, &plain) == -1)
		goto out;
	if (enc) {
		if (ike_iv_msgid(&ph1->ph1_keys, &ph1->ph1_iv, msgid,
		    &iv) == -1 || ike_encrypt_msg(&ph1->ph1_keys, &iv,
		    wbuf_data(&plain), wbuf_len(&plain), &wire) == -1)
			goto out;
	} else if (wbuf_put_bytes(&wire, wbuf_data(&plain),
	    wbuf_len(&plain)) == -1)
		goto out;
	rv = net->en_send(net->en_arg, &ph1->ph1_local, &ph1->ph1_peer,
	    wbuf_data(&wire), wbuf_len(&wire));
out:
	mem_wipe(&iv, sizeof(iv));
	wbuf_free(&plain);
	wbuf_free(&wire);
	return rv;
}

int
exchange_info_notify(struct ph1 *ph1, const struct isakmp_notify *nt)
{
	return exchange_info_send(ph1, nt, NULL);
}

static void
exchange_spi_bytes(uint8_t *b, uint32_t spi)
{
	b[0] = (uint8_t)(spi >> 24);
	b[1] = (uint8_t)(spi >> 16);
	b[2] = (uint8_t)(spi >> 8);
	b[3] = (uint8_t)spi;
}

int
exchange_delete_ph2(struct ph2 *ph2)
{
	struct ph1 *ph1 = ph2->ph2_ph1;
	struct isakmp_delete del;
	uint8_t spi[4];
	char name[PH2_NAMELEN];
	size_t i;
	int rv = 0;

	if (ph1->ph1_state != PH1_S_ESTABLISHED ||
	    ph2->ph2_state != PH2_S_ESTABLISHED)
		return -1;
	/* Our inbound SPI names the SA pair, as racoon sends it. */
	for (i = 0; i < ph2->ph2_prop.pp_nsa; i++) {
		const struct proposal_sa *ps = &ph2->ph2_prop.pp_sa[i];

		exchange_spi_bytes(spi, ps->ps_spi);
		memset(&del, 0, sizeof(del));
		del.d_doi = IPSEC_DOI;
		del.d_proto = ps->ps_proto;
		del.d_spisize = sizeof(spi);
		del.d_nspi = 1;
		del.d_spis = spi;
		log_info("%s: sending delete for IPsec-SA proto_id=%s "
		    "spi=%u(0x%x)", ph2_name(ph2, name, sizeof(name)),
		    ps->ps_proto == ISAKMP_PROTO_AH ? "AH" : "ESP",
		    ps->ps_spi, ps->ps_spi);
		if (exchange_info_send(ph1, NULL, &del) == -1)
			rv = -1;
	}
	return rv;
}

int
exchange_delete_ph1(struct ph1 *ph1)
{
	struct isakmp_delete del;
	uint8_t ck[2 * ISAKMP_COOKIE_LEN];
	char name[PH1_NAMELEN];

	if (ph1->ph1_state != PH1_S_ESTABLISHED)
		return -1;
	memcpy(ck, ph1->ph1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(ck + ISAKMP_COOKIE_LEN, ph1->ph1_rcookie, ISAKMP_COOKIE_LEN);
	memset(&del, 0, sizeof(del));
	del.d_doi = IPSEC_DOI;
	del.d_proto = ISAKMP_PROTO_ISAKMP;
	del.d_spisize = sizeof(ck);
	del.d_nspi = 1;
	del.d_spis = ck;
	log_info("%s: sending delete for the ISAKMP-SA",
	    ph1_name(ph1, name, sizeof(name)));
	return exchange_info_send(ph1, NULL, &del);
}

/* Both directions of each SA of an established phase 2 leave the kernel. */
static void
exchange_unload_ph2(struct ph2 *ph2)
{
	struct ph1 *ph1 = ph2->ph2_ph1;
	struct exchange_kernel *k = &ph1->ph1_env->env_kernel;
	struct addr l = ph1->ph1_local, p = ph1->ph1_peer;
	size_t i;

	if (k->ek_delete == NULL)
		return;
	l.a_port = p.a_port = 0;
	for (i = 0; i < ph2->ph2_prop.pp_nsa; i++) {
		const struct proposal_sa *ps = &ph2->ph2_prop.pp_sa[i];

		(void)k->ek_delete(k->ek_arg, ps->ps_proto, ps->ps_spi, &p, &l);
		(void)k->ek_delete(k->ek_arg, ps->ps_proto, ps->ps_spi_peer,
		    &l, &p);
	}
}

static void
exchange_end_ph2(struct ph2 *ph2)
{
	(void)ph2_set_state(ph2, PH2_S_EXPIRED);
	ph2->ph2_expire_at = 0;
	ph2->ph2_dead_at = exchange_now(ph2->ph2_ph1->ph1_env);
}

/* The established phase 2 with the peer whose SA of proto has spi. */
static struct ph2 *
exchange_ph2_by_peer_spi(struct ph1 *from, uint8_t proto, uint32_t spi)
{
	struct ph1 *ph1;
	struct ph2 *ph2;
	size_t i;

	/*
	 * Any ISAKMP-SA with the same peer: after a phase 1 rekey, the
	 * DELETE may come under another one than the SAs were made under
	 * (racoon's purge_ipsec_spi() looks by address too).
	 */
	TAILQ_FOREACH(ph1, &from->ph1_env->env_ph1s, ph1_entry) {
		if (ph1 != from && (ph1->ph1_state != PH1_S_ESTABLISHED ||
		    ph1->ph1_peer.a_af != from->ph1_peer.a_af ||
		    addr_cmp_host(&ph1->ph1_peer, &from->ph1_peer) != 0))
			continue;
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry) {
			if (ph2->ph2_state != PH2_S_ESTABLISHED)
				continue;
			for (i = 0; i < ph2->ph2_prop.pp_nsa; i++)
				if (ph2->ph2_prop.pp_sa[i].ps_proto == proto &&
				    ph2->ph2_prop.pp_sa[i].ps_spi_peer == spi)
					return ph2;
		}
	}
	return NULL;
}

/*
 * The peer deleted the SA pair whose outbound SPI (its inbound) is spi:
 * both directions leave the kernel and the phase 2 ends.
 */
static void
exchange_purge_ph2(struct ph1 *ph1, uint8_t proto, uint32_t spi)
{
	struct ph2 *ph2;
	char name[PH2_NAMELEN];

	if ((ph2 = exchange_ph2_by_peer_spi(ph1, proto, spi)) == NULL) {
		log_notice("%s: delete for unknown IPsec-SA spi=%u ignored",
		    ph1_name(ph1, name, sizeof(name)), spi);
		return;
	}
	exchange_unload_ph2(ph2);
	log_info("%s: purged IPsec-SA proto_id=%s spi=%u.",
	    ph2_name(ph2, name, sizeof(name)),
	    proto == ISAKMP_PROTO_AH ? "AH" : "ESP", spi);
	exchange_end_ph2(ph2);
}

void
exchange_retire_ph2(struct ph2 *ph2)
{
	char name[PH2_NAMELEN];

	if (ph2->ph2_state != PH2_S_ESTABLISHED)
		return;
	log_info("%s: IPsec-SA replaced by a newer one in use, deleting it",
	    ph2_name(ph2, name, sizeof(name)));
	if (exchange_delete_ph2(ph2) == -1)
		log_notice("%s: no ISAKMP-SA to send the delete under; the "
		    "peer's copy expires on its own", name);
	exchange_unload_ph2(ph2);
	exchange_end_ph2(ph2);
}

void
exchange_ph2_lost(struct ph2 *ph2, const char *why)
{
	char name[PH2_NAMELEN];

	if (ph2->ph2_state != PH2_S_ESTABLISHED)
		return;
	log_info("%s: IPsec-SA %s, deleting it at the peer",
	    ph2_name(ph2, name, sizeof(name)), why);
	if (exchange_delete_ph2(ph2) == -1)
		log_notice("%s: no ISAKMP-SA to send the delete under; the "
		    "peer's copy expires on its own", name);
	exchange_end_ph2(ph2);
}

void
exchange_purge_stale(struct ph1 *ph1)
{
	exchange_purge(ph1, "the peer made initial contact");
}

void
exchange_ph2_purge(struct ph2 *ph2, const char *why)
{
	struct ph1 *ph1 = ph2->ph2_ph1;
	struct exchange_kernel *k = &ph1->ph1_env->env_kernel;
	struct addr l = ph1->ph1_local, p = ph1->ph1_peer;
	size_t i;
	char name[PH2_NAMELEN];

	if (ph2->ph2_state != PH2_S_ESTABLISHED)
		return;
	l.a_port = p.a_port = 0;
	for (i = 0; i < ph2->ph2_prop.pp_nsa; i++) {
		const struct proposal_sa *ps = &ph2->ph2_prop.pp_sa[i];

		if (k->ek_delete != NULL) {
			(void)k->ek_delete(k->ek_arg, ps->ps_proto,
			    ps->ps_spi, &p, &l);
			(void)k->ek_delete(k->ek_arg, ps->ps_proto,
			    ps->ps_spi_peer, &l, &p);
		}
		log_info("%s: purged IPsec-SA proto_id=%s spi=%u: %s",
		    ph2_name(ph2, name, sizeof(name)),
		    ps->ps_proto == ISAKMP_PROTO_AH ? "AH" : "ESP",
		    ps->ps_spi_peer, why);
	}
	(void)ph2_set_state(ph2, PH2_S_EXPIRED);
	ph2->ph2_expire_at = 0;
	ph2->ph2_dead_at = exchange_now(ph1->ph1_env);
}

void
exchange_purge(struct ph1 *ph1, const char *why)
{
	struct ph2 *ph2;

	TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
		exchange_ph2_purge(ph2, why);
}

/* An authenticated DELETE payload: obey it (RFC 2408 4.8, 3.15). */
static int
exchange_info_delete(struct ph1 *ph1, const struct isakmp_pld *dp)
{
	struct isakmp_delete del;
	struct rbuf rb = dp->pld_body;
	const uint8_t *sp;
	uint32_t spi;
	uint16_t i;
	char name[PH1_NAMELEN], l[ADDR_STRLEN], p[ADDR_STRLEN];

	if (isakmp_delete_parse(&rb, &del) != ISAKMP_N_OK)
		return -1;
	ph1_name(ph1, name, sizeof(name));
	if (del.d_proto == ISAKMP_PROTO_ISAKMP) {
		if (del.d_spisize != 2 * ISAKMP_COOKIE_LEN || del.d_nspi != 1 ||
		    memcmp(del.d_spis, ph1->ph1_icookie,
		    ISAKMP_COOKIE_LEN) != 0 ||
		    memcmp(del.d_spis + ISAKMP_COOKIE_LEN, ph1->ph1_rcookie,
		    ISAKMP_COOKIE_LEN) != 0) {
			log_notice("%s: delete for another ISAKMP-SA ignored",
			    name);
			return 0;
		}
		log_info("%s: ISAKMP-SA deleted %s-%s", name,
		    addr_fmt(&ph1->ph1_local, ADDR_PORT, l, sizeof(l)),
		    addr_fmt(&ph1->ph1_peer, ADDR_PORT, p, sizeof(p)));
		ph1_expire(ph1, "deleted by the peer");
		return 0;
	}
	if ((del.d_proto != ISAKMP_PROTO_ESP &&
	    del.d_proto != ISAKMP_PROTO_AH) || del.d_spisize != 4) {
		log_notice("%s: delete for protocol %u, SPI size %u ignored",
		    name, del.d_proto, del.d_spisize);
		return 0;
	}
	for (i = 0, sp = del.d_spis; i < del.d_nspi; i++, sp += 4) {
		spi = (uint32_t)sp[0] << 24 | (uint32_t)sp[1] << 16 |
		    (uint32_t)sp[2] << 8 | sp[3];
		exchange_purge_ph2(ph1, del.d_proto, spi);
	}
	return 0;
}

/* HASH(1) of an encrypted informational message (RFC 2409 5.7). */
static int
exchange_info_hash_ok(struct ph1 *ph1, const struct isakmp_msg *msg)
{
	const struct isakmp_pld *hp = &msg->msg_pld[0];
	uint8_t want[IKE_PRF_MAX];
	struct ike_chunk rest;
	size_t prflen = ph1->ph1_keys.ik_prflen;

	if (isakmp_msg_rest(msg, 0, (const uint8_t **)&rest.c_ptr,
	    &rest.c_len) == -1 ||
	    ike_qm_hash1(&ph1->ph1_keys, msg->msg_hdr.hdr_msgid, &rest,
	    want) == -1)
		return 0;
	return rbuf_left(&hp->pld_body) == prflen &&
	    mem_cmp_ct(rbuf_ptr(&hp->pld_body), want, prflen) == 0;
}

/*
 * An error notify about an SA we proposed fails that negotiation: the
 * responder names our SPI of the refused proposal.
 */
static void
exchange_info_ph2(struct ph1 *ph1, const struct isakmp_notify *nt)
{
	struct ph2 *ph2;
	uint32_t spi;
	size_t i;
	char why[64];

	if (nt->n_spisize != 4 || nt->n_type >= 8192)
		return;
	spi = (uint32_t)nt->n_spi[0] << 24 | (uint32_t)nt->n_spi[1] << 16 |
	    (uint32_t)nt->n_spi[2] << 8 | nt->n_spi[3];
	TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry) {
		if (ph2->ph2_state != PH2_S_NEGOTIATING ||
		    ph2->ph2_role != ISAKMP_ROLE_I)
			continue;
		for (i = 0; i < ph2->ph2_policy.pol_nproto; i++)
			if (ph2->ph2_spi[i] == spi) {
				snprintf(why, sizeof(why), "peer sent %s",
				    isakmp_notify_name(nt->n_type));
				ph2->ph2_ex.ex_failed = 1;
				ph2->ph2_ex.ex_resend_at = 0;
				ph2_fail(ph2, why);
				return;
			}
	}
}

/*
 * 1 if the message was authenticated (HASH(1)) and is news that no
 * replay can be, which NAT-T may follow to the address it came from:
 * only a DPD notify that dpd_recv() takes as new.  A DELETE or another
 * notify is acted on but followed nowhere: IKEv1 gives an
 * informational message no replay protection, and one copied off the
 * wire (an R-U-THERE goes by every dpd_delay) would otherwise move the
 * ISAKMP-SA to any address that sends it again, and DPD would then
 * declare the peer dead.
 */
static int
exchange_info_recv(struct ph1 *ph1, const uint8_t *data, size_t len,
    const struct isakmp_hdr *hdr)
{
	const struct isakmp_pld *np;
	struct isakmp_notify nt;
	struct isakmp_msg msg;
	struct wbuf plain;
	struct ike_iv iv;
	struct rbuf rb;
	int enc = (hdr->hdr_flags & ISAKMP_FLAG_E) != 0, took = 0;
	char name[PH1_NAMELEN];

	ph1_name(ph1, name, sizeof(name));
	memset(&iv, 0, sizeof(iv));
	if (wbuf_init(&plain, len, EXCHANGE_MSG_MAX) == -1)
		return 0;
	wbuf_set_secret(&plain);
	if (enc && (!ph1->ph1_keyed || ike_iv_msgid(&ph1->ph1_keys,
	    &ph1->ph1_iv, hdr->hdr_msgid, &iv) == -1 ||
	    ike_decrypt_msg(&ph1->ph1_keys, &iv, data, len, &plain) == -1))
		goto drop;
	if (!enc && wbuf_put_bytes(&plain, data, len) == -1)
		goto drop;
	if (isakmp_msg_parse(wbuf_data(&plain), wbuf_len(&plain), &msg) !=
	    ISAKMP_N_OK || isakmp_rules_check(&msg, ISAKMP_ROLE_ANY, 1) !=
	    ISAKMP_N_OK)
		goto drop;
	if (enc && !exchange_info_hash_ok(ph1, &msg)) {
		log_warnx("%s: informational message with a wrong HASH(1) "
		    "dropped", name);
		goto drop;
	}
	if ((np = isakmp_msg_find(&msg, ISAKMP_NPTYPE_N, 0)) == NULL) {
		size_t i;

		if (!enc) {
			log_notice("%s: unprotected delete payload ignored",
			    name);
			goto out;
		}
		for (i = 0; (np = isakmp_msg_find(&msg, ISAKMP_NPTYPE_D,
		    i)) != NULL; i++)
			if (exchange_info_delete(ph1, np) == -1)
				goto drop;
		goto out;
	}
	rb = np->pld_body;
	if (isakmp_notify_parse(&rb, &nt) != ISAKMP_N_OK)
		goto drop;
	if (nt.n_type == ISAKMP_N_R_U_THERE ||
	    nt.n_type == ISAKMP_N_R_U_THERE_ACK) {
		/* RFC 3706 5.1: DPD messages are protected, else dropped. */
		if (enc)
			took = dpd_recv(ph1, &nt);
		else
			goto drop;
		goto out;
	}
	log_info("%s: notification %s received from the peer%s", name,
	    isakmp_notify_name(nt.n_type), enc ? "" : " (unauthenticated)");
	if (enc)
		exchange_info_ph2(ph1, &nt);
	/* As racoon sends it after Aggressive Mode: protected, its own. */
	if (enc && nt.n_type == IPSEC_N_INITIAL_CONTACT &&
	    ph1->ph1_state == PH1_S_ESTABLISHED)
		ph1_initial_contact(ph1);
	goto out;
drop:
	log_warnx("%s: informational message dropped", name);
	exchange_drop(ph1->ph1_env, EXCHANGE_DROP_INFORMATIONAL);
	took = 0;
out:
	mem_wipe(&iv, sizeof(iv));
	wbuf_free(&plain);
	return took;
}

/* Dispatch */

/*
 * Whether a new responder phase 1 from peer stays within the half-open
 * caps; logs and counts a refusal.
 */
static int
exchange_half_open_ok(struct exchange_env *env, const struct addr *peer,
    const char *p)
{
	struct ph1 *ph1;
	size_t all = 0, from = 0;

	TAILQ_FOREACH(ph1, &env->env_ph1s, ph1_entry) {
		if (ph1->ph1_role != ISAKMP_ROLE_R ||
		    (ph1->ph1_state != PH1_S_NEW &&
		    ph1->ph1_state != PH1_S_SA &&
		    ph1->ph1_state != PH1_S_KEYED))
			continue;
		all++;
		if (addr_cmp_host(&ph1->ph1_peer, peer) == 0)
			from++;
	}
	if (all < EXCHANGE_HALF_OPEN_MAX &&
	    from < EXCHANGE_HALF_OPEN_PER_ADDR)
		return 1;
	log_warnx("%s: too many half-open phase 1 negotiations (%zu from "
	    "this address, limit %d; %zu in all, limit %d): message dropped",
	    p, from, EXCHANGE_HALF_OPEN_PER_ADDR, all,
	    EXCHANGE_HALF_OPEN_MAX);
	env->env_capped++;
	return 0;
}

static struct ph1 *
exchange_ph1_responder(struct exchange_env *env, const struct addr *local,
    const struct addr *peer, const struct isakmp_hdr *hdr)
{
	const struct cfg_remote *rm;
	struct ph1 *ph1;
	char l[ADDR_STRLEN], p[ADDR_STRLEN], name[PH1_NAMELEN];

	addr_fmt(local, ADDR_PORT, l, sizeof(l));
	addr_fmt(peer, ADDR_PORT, p, sizeof(p));
	if (!exchange_half_open_ok(env, peer, p))
		return NULL;
	if ((rm = ph1_remote_find(env->env_cfg, peer)) == NULL &&
	    (rm = ph1_remote_any(env->env_cfg)) == NULL) {
		log_warnx("couldn't find configuration for %s", p);
		return NULL;
	}
	if ((ph1 = ph1_new(env, ISAKMP_ROLE_R, rm, local, peer)) == NULL)
		return NULL;
	if (hdr->hdr_etype == ISAKMP_ETYPE_AGG)
		ph1->ph1_ex.ex_kind = EXCHANGE_AGGR;
	memcpy(ph1->ph1_icookie, hdr->hdr_icookie, ISAKMP_COOKIE_LEN);
	ph1_name(ph1, name, sizeof(name));
	log_info("%s: respond new phase 1 negotiation: %s<=>%s", name, l, p);
	log_info("%s: begin %s mode.", name,
	    hdr->hdr_etype == ISAKMP_ETYPE_AGG ? "Aggressive" :
	    "Identity Protection");
	return ph1;
}

static struct ph2 *
exchange_ph2_responder(struct ph1 *ph1, const struct isakmp_hdr *hdr)
{
	struct ph2 *ph2;
	char l[ADDR_STRLEN], p[ADDR_STRLEN], name[PH2_NAMELEN];
	char n1[PH1_NAMELEN];

	if (hdr->hdr_msgid == 0 || !(hdr->hdr_flags & ISAKMP_FLAG_E))
		return NULL;
	/*
	 * IKEv1 has no replay window: a copy of an old message 1 would
	 * start the phase 2 again (and, with NAT-T, move the ISAKMP-SA to
	 * whoever sent it).  Message IDs are random; one seen is a replay.
	 */
	if (ph2_msgid_used(ph1, hdr->hdr_msgid)) {
		log_warnx("%s: Quick Mode message ID 0x%08x used before under "
		    "this ISAKMP-SA (a replay?)", ph1_name(ph1, n1,
		    sizeof(n1)), hdr->hdr_msgid);
		return NULL;
	}
	if ((ph2 = ph2_new(ph1, ISAKMP_ROLE_R, hdr->hdr_msgid)) == NULL)
		return NULL;
	addr_fmt(&ph1->ph1_local, ADDR_PORT, l, sizeof(l));
	addr_fmt(&ph1->ph1_peer, ADDR_PORT, p, sizeof(p));
	log_info("%s: respond new phase 2 negotiation: %s<=>%s",
	    ph2_name(ph2, name, sizeof(name)), l, p);
	return ph2;
}

static const uint8_t exchange_zero_cookie[ISAKMP_COOKIE_LEN];

void
exchange_input(struct exchange_env *env, const struct addr *local,
    const struct addr *peer, const uint8_t *data, size_t len)
{
	struct isakmp_hdr hdr;
	struct ph1 *ph1;
	struct ph2 *ph2;
	struct natt_save ns;
	struct rbuf rb;
	enum exchange_drop why = EXCHANGE_DROP_MALFORMED;
	char p[ADDR_STRLEN];

	addr_fmt(peer, ADDR_PORT, p, sizeof(p));
	rbuf_init(&rb, data, len);
	if (isakmp_hdr_parse(&rb, &hdr) != ISAKMP_N_OK) {
		log_warnx("%s: ISAKMP message dropped", p);
		goto drop;
	}
	ph1 = ph1_find(env, hdr.hdr_icookie, hdr.hdr_rcookie, peer);
	switch (hdr.hdr_etype) {
	case ISAKMP_ETYPE_IDENT:
	case ISAKMP_ETYPE_AGG:
		if (hdr.hdr_msgid != 0)
			goto unknown;
		if (ph1 == NULL && memcmp(hdr.hdr_rcookie,
		    exchange_zero_cookie, ISAKMP_COOKIE_LEN) == 0)
			ph1 = exchange_ph1_responder(env, local, peer, &hdr);
		if (ph1 == NULL)
			goto unknown;
		/* Not the exchange this SA runs: it cannot end it. */
		if (exchange_etype(&ph1->ph1_ex) != hdr.hdr_etype) {
			log_warnx("%s: %s message for a phase 1 in %s mode "
			    "dropped", p, isakmp_etype_name(hdr.hdr_etype),
			    isakmp_etype_name(exchange_etype(&ph1->ph1_ex)));
			why = EXCHANGE_DROP_UNEXPECTED;
			goto drop;
		}
		if (ph1->ph1_role == ISAKMP_ROLE_I &&
		    memcmp(ph1->ph1_rcookie, exchange_zero_cookie,
		    ISAKMP_COOKIE_LEN) == 0)
			memcpy(ph1->ph1_rcookie, hdr.hdr_rcookie,
			    ISAKMP_COOKIE_LEN);
		natt_follow(ph1, local, peer, &ns);
		natt_follow_end(ph1, &ns, exchange_recv(&ph1->ph1_ex, data,
		    len, &hdr));
		return;
	case ISAKMP_ETYPE_QUICK:
		if (ph1 == NULL || ph1->ph1_state != PH1_S_ESTABLISHED)
			goto unknown;
		if ((ph2 = ph2_find(ph1, hdr.hdr_msgid)) == NULL &&
		    (ph2 = exchange_ph2_responder(ph1, &hdr)) == NULL)
			goto unknown;
		natt_follow(ph1, local, peer, &ns);
		natt_follow_end(ph1, &ns, exchange_recv(&ph2->ph2_ex, data,
		    len, &hdr));
		return;
	case ISAKMP_ETYPE_INFO:
		if (ph1 == NULL)
			goto unknown;
		natt_follow(ph1, local, peer, &ns);
		natt_follow_end(ph1, &ns, exchange_info_recv(ph1, data, len,
		    &hdr));
		return;
	default:
		log_warnx("%s: %s exchange not supported, message dropped", p,
		    isakmp_etype_name(hdr.hdr_etype));
		goto drop;
	}
unknown:
	log_warnx("%s: %s message for no SA we know dropped", p,
	    isakmp_etype_name(hdr.hdr_etype));
	why = EXCHANGE_DROP_UNKNOWN_SA;
drop:
	exchange_drop(env, why);
}

void
exchange_spi(struct exchange_env *env, uint32_t id, size_t idx,
    uint32_t spi)
{
	struct ph1 *ph1;
	struct ph2 *ph2;

	TAILQ_FOREACH(ph1, &env->env_ph1s, ph1_entry)
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
			if (ph2->ph2_id == id) {
				ph2_spi_set(ph2, idx, spi);
				return;
			}
	log_debug(1, "SPI for phase 2 negotiation %u, which is gone", id);
}

/* Timers */

static void
exchange_timer(struct exchange *ex, uint64_t now)
{
	const struct cfg_timer *t = &exchange_env(ex)->env_cfg->c_timer;
	const char *what = EXCHANGE_PHASE1(ex->ex_kind) ? "phase1" :
	    "phase2";
	char why[64];

	if (ex->ex_failed || ex->ex_done)
		return;
	snprintf(why, sizeof(why), "%s negotiation failed due to time up",
	    what);
	if (ex->ex_give_up_at != 0 && now >= ex->ex_give_up_at) {
		exchange_fail(ex, 0, why);
		return;
	}
	if (ex->ex_resend_at == 0 || now < ex->ex_resend_at)
		return;
	if (ex->ex_tries >= t->t_counter) {
		exchange_fail(ex, 0, why);
		return;
	}
	ex->ex_tries++;
	ex->ex_resend_at = now + (uint64_t)t->t_interval * 1000;
	exchange_transmit(ex);
}

/*
 * NAT-T keepalives (RFC 3948 4): a side behind a NAT sends one every
 * natt_keepalive seconds while its ISAKMP-SA is up, so that the NAT
 * keeps the mapping of port 4500 that the ESP-in-UDP uses.
 */
static void
exchange_keepalive(struct ph1 *ph1, uint64_t now)
{
	struct exchange_net *net = &ph1->ph1_env->env_net;
	uint32_t every = ph1->ph1_env->env_cfg->c_timer.t_natt_keepalive;

	if (ph1->ph1_state != PH1_S_ESTABLISHED || every == 0 ||
	    net->en_keepalive == NULL ||
	    !(ph1->ph1_natt_flags & NATT_F_FLOATED) ||
	    !(ph1->ph1_natt_flags & (NATT_F_ME | NATT_F_FORCED))) {
		ph1->ph1_natt_ka_at = 0;
		return;
	}
	if (ph1->ph1_natt_ka_at == 0)
		ph1->ph1_natt_ka_at = now + (uint64_t)every * 1000;
	if (now < ph1->ph1_natt_ka_at)
		return;
	if (net->en_keepalive(net->en_arg, &ph1->ph1_local,
	    &ph1->ph1_peer) == -1)
		log_debug(1, "NAT-T keepalive not sent");
	ph1->ph1_natt_ka_at = now + (uint64_t)every * 1000;
}

static void
exchange_timers_ph2(struct ph1 *ph1, uint64_t now)
{
	struct ph2 *ph2, *next;
	char name[PH2_NAMELEN];

	for (ph2 = TAILQ_FIRST(&ph1->ph1_ph2s); ph2 != NULL; ph2 = next) {
		next = TAILQ_NEXT(ph2, ph2_entry);
		exchange_timer(&ph2->ph2_ex, now);
		if (ph2->ph2_state == PH2_S_ESTABLISHED &&
		    ph2->ph2_expire_at != 0 && now >= ph2->ph2_expire_at) {
			/* The kernel expires the SAs; we forget ours. */
			log_debug(1, "%s: phase 2 lifetime reached",
			    ph2_name(ph2, name, sizeof(name)));
			(void)ph2_set_state(ph2, PH2_S_EXPIRED);
			ph2->ph2_expire_at = 0;
			ph2->ph2_dead_at = now;
		}
		if ((ph2->ph2_state == PH2_S_FAILED ||
		    ph2->ph2_state == PH2_S_EXPIRED) && now >= ph2->ph2_dead_at)
			ph2_free(ph2);
	}
}

void
exchange_timers(struct exchange_env *env)
{
	struct ph1 *ph1, *next;
	uint64_t now = exchange_now(env);

	for (ph1 = TAILQ_FIRST(&env->env_ph1s); ph1 != NULL; ph1 = next) {
		next = TAILQ_NEXT(ph1, ph1_entry);
		exchange_timers_ph2(ph1, now);
		exchange_timer(&ph1->ph1_ex, now);
		exchange_keepalive(ph1, now);
		dpd_timer(ph1, now);
		if (ph1->ph1_state == PH1_S_ESTABLISHED &&
		    ph1->ph1_soft_at != 0 && now >= ph1->ph1_soft_at)
			ph1_dying(ph1);
		if (ph1->ph1_state == PH1_S_ESTABLISHED &&
		    ph1->ph1_expire_at != 0 && now >= ph1->ph1_expire_at) {
			/*
			 * Tell the peer, as racoon does: else it may start
			 * a quick mode under cookies we no longer know.
			 */
			(void)exchange_delete_ph1(ph1);
			ph1_expire(ph1, "lifetime reached");
		}
		if ((ph1->ph1_state == PH1_S_FAILED ||
		    ph1->ph1_state == PH1_S_EXPIRED) &&
		    now >= ph1->ph1_dead_at)
			ph1_free(ph1);
	}
}

static void
exchange_min(uint64_t *best, uint64_t t)
{
	if (t != 0 && (*best == 0 || t < *best))
		*best = t;
}

static void
exchange_next_ex(const struct exchange *ex, uint64_t *best)
{
	if (ex->ex_failed || ex->ex_done)
		return;
	exchange_min(best, ex->ex_resend_at);
	exchange_min(best, ex->ex_give_up_at);
}

uint64_t
exchange_next_timer(const struct exchange_env *env)
{
	const struct ph1 *ph1;
	const struct ph2 *ph2;
	uint64_t best = 0;

	TAILQ_FOREACH(ph1, &env->env_ph1s, ph1_entry) {
		exchange_next_ex(&ph1->ph1_ex, &best);
		exchange_min(&best, ph1->ph1_expire_at);
		exchange_min(&best, ph1->ph1_soft_at);
		exchange_min(&best, ph1->ph1_dead_at);
		exchange_min(&best, ph1->ph1_natt_ka_at);
		exchange_min(&best, dpd_next(ph1));
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry) {
			exchange_next_ex(&ph2->ph2_ex, &best);
			exchange_min(&best, ph2->ph2_expire_at);
			exchange_min(&best, ph2->ph2_dead_at);
		}
	}
	return best;
}
