/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The exchange engine: IKEv1 exchanges as tables of steps (STYLE.md 4).
 * For each exchange (main mode, quick mode) and role, a script lists the
 * messages in order and who sends each; a step is one handler named
 * <mode>_<i|r><n>_<send|recv> (ph1_main_r2_send).  This file alone owns
 * the step an exchange is at, its retransmissions, the last message sent
 * and received (a duplicate of the last received gets the last sent
 * again), the encryption of messages and the informational notify sent
 * when a handler refuses a message.  Handlers only build and consume
 * payloads.
 *
 * Nothing here opens a socket, talks PF_KEY or reads a clock: the daemon
 * (issue 12) or a test supplies the three interfaces of struct
 * exchange_env.  Received datagrams enter through exchange_input();
 * exchange_timers() fires retransmissions and lifetimes that are due.
 *
 * The env owns every ph1 (and through them every ph2); exchange_env_clear
 * frees them all.  Failed and expired SAs stay readable until the next
 * exchange_timers() call after EXCHANGE_LINGER_MS.
 */
#ifndef EXCHANGE_H
#define EXCHANGE_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "ike_crypto.h"
#include "isakmp.h"

struct cfg;
struct psk;
struct ph1;
struct ph2;
struct proposal_policy;

/*
 * Sends one datagram from local to peer; 0 or -1 (then it is lost).
 * en_keepalive (may be NULL) sends a NAT-T keepalive (RFC 3948 2.3)
 * from local (a NAT-T port) to peer.
 */
struct exchange_net {
	int		(*en_send)(void *, const struct addr *,
			    const struct addr *, const uint8_t *, size_t);
	int		(*en_keepalive)(void *, const struct addr *,
			    const struct addr *);
	void		*en_arg;
};

/* One IPsec SA, one direction, as phase 2 hands it to the kernel. */
struct ph2_sel;
struct exchange_sa {
	uint8_t		 xsa_proto;	/* ISAKMP_PROTO_ESP or _AH */
	uint32_t	 xsa_spi;
	int		 xsa_inbound;	/* 1: peer -> us */
	struct addr	 xsa_src;
	struct addr	 xsa_dst;
	uint16_t	 xsa_mode;	/* IPSECDOI_MODE_* */
	const struct alg *xsa_enc;	/* ALG_ENC; NULL for AH */
	unsigned	 xsa_enc_bits;	/* salt included */
	const struct alg *xsa_auth;	/* ALG_AUTH; NULL: none or AEAD */
	unsigned	 xsa_auth_bits;
	const uint8_t	*xsa_keymat;	/* cipher key, integrity key */
	size_t		 xsa_keymat_len;
	uint32_t	 xsa_lifetime;	/* seconds */
	uint64_t	 xsa_lifekb;	/* 0: none */
	/*
	 * NAT-T (RFC 3948): UDP-encapsulated ESP between the ports of
	 * xsa_src and xsa_dst; xsa_oa, when set, is the peer's original
	 * address (NAT-OA, transport mode).
	 */
	int		 xsa_natt;
	int		 xsa_has_oa;
	struct addr	 xsa_oa;
	/*
	 * The phase 2's selectors, ours and the peer's (valid during
	 * ek_install): the policy an SA serves, where several share
	 * their tunnel endpoints (hosts behind one NAT).
	 */
	const struct ph2_sel *xsa_lsel;
	const struct ph2_sel *xsa_rsel;
};

/*
 * The kernel as phase 2 sees it.  ek_getspi reserves an inbound SPI for
 * proto on SAs from src to dst, for slot idx of the phase 2 negotiation
 * numbered id: it returns 0 with the SPI set, or 1 when the answer comes
 * later through exchange_spi() (PF_KEY's GETSPI is answered by a message
 * the event loop reads; nothing waits for it).  ek_install takes a
 * finished SA (the keymat is wiped when it returns).  ek_policy tells
 * the responder which protocols and mode its SPD wants between a local
 * and a remote selector, as racoon asks the SPD; -1 if no policy covers
 * them.  Each returns 0 or -1 (ek_getspi also 1, ek_policy also 1 for
 * a policy that ek_genpolicy made).
 */
struct exchange_kernel {
	int		(*ek_getspi)(void *, uint32_t, size_t, uint8_t,
			    const struct addr *, const struct addr *,
			    uint32_t *);
	int		(*ek_install)(void *, const struct exchange_sa *);
	int		(*ek_policy)(void *, const struct ph2_sel *,
			    const struct ph2_sel *, struct proposal_policy *);
	/* Remove an SA (proto, SPI, src, dst) the peer deleted; may be NULL. */
	int		(*ek_delete)(void *, uint8_t, uint32_t,
			    const struct addr *, const struct addr *);
	/*
	 * generate_policy (may be NULL): hold (1) or release (0) the
	 * policies a responder makes from the initiator's IDs between a
	 * local and a remote selector: out, in, and fwd in tunnel mode,
	 * whose tunnel ends are the IKE addresses (local, peer); unique
	 * asks for level unique.  The first hold installs them with
	 * X_SPDUPDATE, the last release deletes them.  0 or -1.
	 */
	int		(*ek_genpolicy)(void *, int, const struct ph2_sel *,
			    const struct ph2_sel *,
			    const struct proposal_policy *,
			    const struct addr *, const struct addr *, int);
	void		*ek_arg;
};

/* Monotonic milliseconds. */
struct exchange_clock {
	uint64_t	(*ec_now)(void *);
	void		*ec_arg;
};

/*
 * What the daemon hears of negotiations (each may be NULL): an
 * ISAKMP-SA is up (queued phase 2 requests may start, phase1_up
 * scripts run), it failed or ended (queued requests fail), and a phase
 * 2 negotiation ended (ok 1: its SAs are in the kernel; 0: it failed).
 * Called after the state changed; the object must not be freed from
 * inside.
 */
struct exchange_events {
	void		(*ev_ph1_up)(void *, struct ph1 *);
	void		(*ev_ph1_down)(void *, struct ph1 *);
	void		(*ev_ph2_done)(void *, struct ph2 *, int);
	/* DPD declared the peer dead (before its SAs go; phase1_dead). */
	void		(*ev_ph1_dead)(void *, struct ph1 *);
	/* An established phase 2 ended (deleted, purged, expired). */
	void		(*ev_ph2_down)(void *, struct ph2 *);
	void		*ev_arg;
};

#define EXCHANGE_LINGER_MS	1000

/*
 * Caps on half-open phase 1 SAs (responder, not yet established nor
 * failed) against a flood of Main Mode first messages, which cost us
 * state and retransmissions to forged addresses: overall, and per source
 * address so that one address cannot take all the slots.  A message 1
 * over a cap is logged and dropped before any state exists.
 */
#define EXCHANGE_HALF_OPEN_MAX		128
#define EXCHANGE_HALF_OPEN_PER_ADDR	8

/* Why a received datagram was dropped (racoonctl status counts them). */
enum exchange_drop {
	EXCHANGE_DROP_MALFORMED,	/* header, unsupported exchange */
	EXCHANGE_DROP_UNKNOWN_SA,	/* cookies or message ID of no SA */
	EXCHANGE_DROP_UNEXPECTED,	/* not the step or mode we are at */
	EXCHANGE_DROP_UNDECRYPTABLE,	/* encrypted without keys, or bad */
	EXCHANGE_DROP_INFORMATIONAL,	/* bad HASH(1), payloads */
	EXCHANGE_DROP_DPD,		/* DPD notify refused (dpd.c) */
	EXCHANGE_DROP_COUNT,
};

/* Its name in racoonctl status. */
const char *exchange_drop_name(enum exchange_drop);

/* A peer we have negotiated with since start (INITIAL-CONTACT). */
struct exchange_peer {
	struct addr	 xp_addr;
	TAILQ_ENTRY(exchange_peer) xp_entry;
};

struct exchange_env {
	const struct cfg *env_cfg;
	const struct psk *env_psk;
	struct exchange_net env_net;
	struct exchange_kernel env_kernel;
	struct exchange_clock env_clock;
	struct exchange_events env_events;
	TAILQ_HEAD(exchange_ph1s, ph1) env_ph1s;
	uint64_t	 env_dropped;	/* datagrams dropped, for admin */
	uint64_t	 env_drops[EXCHANGE_DROP_COUNT];	/* by reason */
	uint64_t	 env_capped;	/* message 1s over a half-open cap */
	uint64_t	 env_ph1_started;	/* phase 1s begun, for status */
	uint32_t	 env_next_id;	/* numbers phase 2 negotiations */
	uint16_t	 env_natt_port;	/* ours; the initiator floats to it */
	TAILQ_HEAD(, exchange_peer) env_contacted;
};

/* The exchanges with a script, the first index of the table. */
enum exchange_kind {
	EXCHANGE_MAIN,
	EXCHANGE_QUICK,
	EXCHANGE_AGGR,
	EXCHANGE_KINDS,
};
/* Main and Aggressive Mode run under a ph1, with its IV and timer. */
#define EXCHANGE_PHASE1(k)	((k) != EXCHANGE_QUICK)

/* One running exchange, embedded in its ph1 or ph2. */
struct exchange {
	enum exchange_kind ex_kind;
	enum isakmp_role ex_role;	/* ours */
	uint32_t	 ex_msgid;
	size_t		 ex_step;	/* next step of the script */
	int		 ex_done;	/* script finished */
	int		 ex_failed;
	struct ph1	*ex_ph1;
	struct ph2	*ex_ph2;	/* quick mode */
	struct ike_iv	*ex_iv;		/* ph1_iv, or ex_qiv */
	struct ike_iv	 ex_qiv;
	struct wbuf	 ex_last_out;	/* what we sent last, as sent */
	struct wbuf	 ex_last_in;	/* last accepted, as received */
	int		 ex_answered;	/* last_out answers last_in */
	unsigned	 ex_tries;	/* retransmissions so far */
	uint64_t	 ex_resend_at;	/* 0: nothing to resend */
	uint64_t	 ex_give_up_at;	/* negotiation time limit */
};

/* Handlers return this for a local failure: nothing to tell the peer. */
#define EXCHANGE_ERR	(-1)
/* A send handler waits for the kernel; exchange_run() comes again. */
#define EXCHANGE_WAIT	(-2)

/*
 * A send handler appends its payloads to a message whose header the
 * engine began; it returns ISAKMP_N_OK or a notify (then nothing is
 * sent and the exchange fails).  A receive handler consumes a message
 * that passed the rule table and returns ISAKMP_N_OK or the notify to
 * send back.
 */
typedef int (*exchange_send_fn)(struct exchange *, struct isakmp_out *);
typedef int (*exchange_recv_fn)(struct exchange *,
	    const struct isakmp_msg *);

void	 exchange_env_init(struct exchange_env *, const struct cfg *,
	    const struct psk *);
void	 exchange_env_clear(struct exchange_env *);
uint64_t exchange_now(const struct exchange_env *);

/* Set up an exchange for its owner; frees nothing on failure. */
void	 exchange_init(struct exchange *, enum exchange_kind,
	    enum isakmp_role, struct ph1 *, struct ph2 *);
/* Release its buffers. */
void	 exchange_clear(struct exchange *);
/* The ISAKMP exchange type its script runs (ISAKMP_ETYPE_*). */
uint8_t	 exchange_etype(const struct exchange *);
/*
 * Run the steps that are ours from the current one (the initiator's
 * first message, a reply).  0, or -1 when the exchange failed.
 */
int	 exchange_run(struct exchange *);

/* A datagram from peer to local; bad ones are logged and dropped. */
void	 exchange_input(struct exchange_env *, const struct addr *,
	    const struct addr *, const uint8_t *, size_t);
/*
 * The kernel's late answer to ek_getspi for negotiation id, slot idx;
 * spi 0 says it failed.  Unknown ids (the negotiation is gone) are
 * ignored.
 */
void	 exchange_spi(struct exchange_env *, uint32_t, size_t, uint32_t);
/* Fire what is due: resends, give-ups, phase 1 lifetimes, clean-up. */
void	 exchange_timers(struct exchange_env *);
/* When exchange_timers has work next; 0 if never. */
uint64_t exchange_next_timer(const struct exchange_env *);

/*
 * 1 the first time a peer is asked about since start (racoon then sends
 * INITIAL-CONTACT: whatever SAs it holds from before are stale), 0 after.
 * -1 when out of memory.
 */
int	 exchange_first_contact(struct exchange_env *, const struct addr *);

/* Count a dropped datagram, in env_dropped and under its reason. */
struct exchange_env;
void	 exchange_drop(struct exchange_env *, enum exchange_drop);

/* Random bytes for cookies, nonces and message IDs; 0 or -1. */
int	 exchange_random(void *, size_t);

/*
 * Send an informational notify of type under ph1, about the protocol and
 * SPI given (NULL, 0: the ISAKMP SA, its cookies).  Encrypted with
 * HASH(1) once ph1 is established, in the clear before.
 */
int	 exchange_notify(struct ph1 *, uint16_t, uint8_t, const uint8_t *,
	    uint8_t);
/* Send one notify as it is given (DPD), protected as exchange_notify. */
struct isakmp_notify;
int	 exchange_info_notify(struct ph1 *, const struct isakmp_notify *);

/*
 * Informational DELETE (RFC 2408 3.15), protected under an established
 * ph1: for each SA of an established phase 2 (our inbound SPIs), or for
 * the ISAKMP-SA itself (its cookies).  0 or -1.  A peer's DELETE is
 * obeyed by exchange_input(): the SAs leave the kernel (ek_delete) and
 * the ph2 or ph1 ends.
 */
int	 exchange_delete_ph2(struct ph2 *);
int	 exchange_delete_ph1(struct ph1 *);
/*
 * A newer phase 2 for the same traffic is in use: DELETE to the peer
 * for this older one, its SAs out of the kernel in both directions
 * (ek_delete), and it ends.  A DELETE the peer sends for SAs of ours is
 * obeyed under any ISAKMP-SA with that peer.
 */
void	 exchange_retire_ph2(struct ph2 *);

/*
 * The peer of ph1 started afresh (INITIAL-CONTACT): every established
 * phase 2 under ph1 is stale, its SAs leave the kernel in both
 * directions (ek_delete) and it ends, as racoon's purge_remote() does.
 * No DELETE is sent: the peer has forgotten these SAs.
 */
void	 exchange_purge_stale(struct ph1 *);
/* The same for another reason (a dead peer), which the log names. */
void	 exchange_purge(struct ph1 *, const char *);
/* One established phase 2 the same way (racoonctl delete-sa). */
void	 exchange_ph2_purge(struct ph2 *, const char *);
/*
 * The SAs of ph2 left the kernel without us (ipsecd stopped, setkey
 * flushed the SAD; the log says why): DELETE to the peer, so that it
 * stops sending on SAs that no longer exist and its next packet asks for
 * new ones, and the ph2 ends, as racoon's flushph2() does.  The kernel
 * is not asked: it holds nothing of them any more.
 */
void	 exchange_ph2_lost(struct ph2 *, const char *);

#endif /* EXCHANGE_H */
