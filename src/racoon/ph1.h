/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The phase 1 SA (ISAKMP-SA): its cookies, addresses and remote, the
 * state with its one setter, the chosen proposal, the Diffie-Hellman
 * pair, nonces and public values, the IKE keys and the phase 1 IV, the
 * identities, and the phase 2 SAs negotiated under it.  ph1_main.c holds
 * the Main Mode handlers that fill it, ph1_aggr.c the Aggressive Mode
 * ones.
 *
 * A ph1 lives in its env's list from ph1_new to ph1_free; ph1_free
 * frees its ph2s, wipes keys, nonces and g^xy.  Log lines about it begin
 * with ph1_name(): "ph1 1a2b3c4d..:5e6f7a8b.. 10.0.0.2[500]".
 */
#ifndef PH1_H
#define PH1_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "cfg.h"
#include "dpd.h"
#include "exchange.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "natt.h"
#include "proposal.h"

enum ph1_state {
	PH1_S_NEW,		/* nothing exchanged yet */
	PH1_S_SA,		/* proposal agreed (messages 1, 2) */
	PH1_S_KEYED,		/* keys derived (messages 3, 4) */
	PH1_S_ESTABLISHED,	/* authenticated (messages 5, 6) */
	PH1_S_EXPIRED,
	PH1_S_FAILED,
	PH1_S_COUNT,
};

const char *ph1_state_name(enum ph1_state);

struct dh;
struct ph2;

/* Quick Mode message IDs an ISAKMP-SA remembers against replays. */
#define PH1_MSGIDS	256

struct ph1 {
	TAILQ_ENTRY(ph1) ph1_entry;
	struct exchange_env *ph1_env;
	enum isakmp_role ph1_role;
	enum ph1_state	 ph1_state;
	uint8_t		 ph1_icookie[ISAKMP_COOKIE_LEN];
	uint8_t		 ph1_rcookie[ISAKMP_COOKIE_LEN];
	struct addr	 ph1_local;	/* with ports */
	struct addr	 ph1_peer;
	const struct cfg_remote *ph1_remote;
	struct proposal_ph1 ph1_prop;
	struct dh	*ph1_dh;
	struct wbuf	 ph1_sai_b;	/* initiator's SA payload body */
	struct wbuf	 ph1_sar_b;	/* responder's answer */
	struct wbuf	 ph1_gxi;	/* KE data of each side */
	struct wbuf	 ph1_gxr;
	struct wbuf	 ph1_ni;	/* nonces (secret) */
	struct wbuf	 ph1_nr;
	struct wbuf	 ph1_gxy;	/* shared secret (secret) */
	struct wbuf	 ph1_idi_b;	/* ID payload bodies */
	struct wbuf	 ph1_idr_b;
	struct ike_keys	 ph1_keys;
	int		 ph1_keyed;	/* ph1_keys and ph1_iv are set */
	struct ike_iv	 ph1_iv;	/* last phase 1 CBC block */
	struct exchange	 ph1_ex;
	uint64_t	 ph1_expire_at;	/* 0 until established */
	/*
	 * The soft lifetime (80%, as racoon's PFKEY_SOFT_LIFETIME_RATE):
	 * the ISAKMP-SA is then dying, used for nothing new once another
	 * is up, and renegotiated ahead per the remote's rekey setting.
	 */
	uint64_t	 ph1_soft_at;
	int		 ph1_dying;
	uint64_t	 ph1_dead_at;	/* failed/expired: free after */
	uint64_t	 ph1_created;	/* when ph1_new made it */
	struct dpd	 ph1_dpd;	/* dead peer detection (dpd.c) */
	char		 ph1_why[64];	/* why it failed or ended */
	TAILQ_HEAD(, ph2) ph1_ph2s;
	enum natt_version ph1_natt_ver;	/* agreed; NATT_NONE: no NAT-T */
	unsigned	 ph1_natt_flags;	/* NATT_F_* */
	uint64_t	 ph1_natt_ka_at;	/* next keepalive; 0: none */
	/* The last PH1_MSGIDS Quick Mode message IDs (ph2_msgid_used). */
	uint32_t	 ph1_msgids[PH1_MSGIDS];
	unsigned	 ph1_nmsgids;
	int		 ph1_ic_seen;	/* INITIAL-CONTACT taken under it */
};

/* A new ph1 in env's list: cookies drawn, our own filled in. */
struct ph1 *ph1_new(struct exchange_env *, enum isakmp_role,
	    const struct cfg_remote *, const struct addr *,
	    const struct addr *);
void	 ph1_free(struct ph1 *);
/*
 * Change state; logs "old -> new" at debug level and refuses (with
 * -1 and a warning) a transition the state machine does not have.
 */
int	 ph1_set_state(struct ph1 *, enum ph1_state);
/* Mark failed and schedule the clean-up; the reason is logged. */
void	 ph1_fail(struct ph1 *, const char *);
/*
 * An established ISAKMP-SA ends (lifetime, deletion); logged.  Its
 * established phase 2 SAs move to the newest other ISAKMP-SA with the
 * same peer, if there is one, as racoon's migrate_ph12(): a DELETE for
 * them can still be sent and obeyed.
 */
void	 ph1_expire(struct ph1 *, const char *);
/*
 * The soft lifetime of an established ISAKMP-SA: it is marked dying
 * and, unless a fresher one with the peer exists, the side that
 * initiated it negotiates the next one now, per the remote's rekey:
 * on while phase 2 SAs negotiated under it are still up, force
 * always, off never.
 */
void	 ph1_dying(struct ph1 *);
/*
 * The ISAKMP-SA that new negotiations from local (NULL: any address of
 * ours) to peer should use, as racoon's getph1(): the newest
 * established one that is not dying, else a dying one, else (when
 * established is 0) one still being negotiated.  NULL if none.
 */
struct ph1 *ph1_find_peer(struct exchange_env *, const struct addr *,
	    const struct addr *, int);
/* "ph1 1a2b3c4d..:5e6f7a8b.. 10.0.0.2[500]" into buf. */
const char *ph1_name(const struct ph1 *, char *, size_t);
#define PH1_NAMELEN	(32 + ADDR_STRLEN)
/*
 * The peer's identity from its ID payload, as ipsec-tools prints it
 * (an address, or the FQDN/user FQDN/key ID escaped); "" if not known.
 */
const char *ph1_peer_id_str(const struct ph1 *, char *, size_t);

/* The ph1 with these cookies from peer (rcookie zero: any). */
struct ph1 *ph1_find(struct exchange_env *, const uint8_t *,
	    const uint8_t *, const struct addr *);
/* The peer's ID payload as received (0), or -1 before it came. */
int	 ph1_peer_id(const struct ph1 *, struct isakmp_id *);
/* 1 if a racoon.conf identifier names the peer's ID payload. */
int	 ph1_id_match(const struct ph1 *, const struct cfg_id *,
	    const struct isakmp_id *);
/* The remote of racoon.conf for a peer address, or the anonymous one. */
const struct cfg_remote *ph1_remote_find(const struct cfg *,
	    const struct addr *);
/*
 * The remote a responder's ph1 falls under, chosen among several as
 * racoon does: those naming the peer's address before the others
 * (without an address a remote is anonymous, named or not), in file
 * order.  Each must allow the exchange mode and
 * accept one of the peer's transforms (sa); once the peer's ID is known
 * (id not NULL), a remote whose peers_identifier names it wins over one
 * that names none, and one that names only others is out.  NULL if
 * none fits.
 */
const struct cfg_remote *ph1_remote_select(const struct cfg *,
	    const struct ph1 *, enum cfg_exmode, const struct isakmp_sa *,
	    const struct isakmp_id *);

/*
 * Keys from the exchanged values: g^xy, SKEYID with the remote's
 * pre-shared key, SKEYID_d/a/e, the cipher key and the phase 1 IV.
 * Returns ISAKMP_N_OK or the notify to send.
 */
int	 ph1_keys_derive(struct ph1 *);
/* Authenticated: state, lifetime, and racoon's log line. */
void	 ph1_established(struct ph1 *);
/*
 * The peer of ph1 (established) made INITIAL-CONTACT: our other
 * ISAKMP-SAs with its address are stale and end, and the IPsec-SAs
 * under them leave the kernel (racoon's purge_remote()).  Once per
 * ISAKMP-SA: another is a replay (IKEv1 Informational messages have
 * none of their own) and is ignored.
 */
void	 ph1_initial_contact(struct ph1 *);

/*
 * Main Mode as an initiator: a new ph1 whose first message is sent.
 * NULL if it could not start (logged).
 */
struct ph1 *ph1_main_start(struct exchange_env *, const struct cfg_remote *,
	    const struct addr *, const struct addr *);

/*
 * A phase 1 as an initiator with the remote's first exchange_mode
 * (Aggressive or Main): a new ph1 whose first message is sent.  NULL if
 * it could not start (logged).
 */
struct ph1 *ph1_start(struct exchange_env *, const struct cfg_remote *,
	    const struct addr *, const struct addr *);
/* The first remote without an address (a responder's last resort). */
const struct cfg_remote *ph1_remote_any(const struct cfg *);

/*
 * Pieces of Main Mode that Aggressive Mode shares (ph1_main.c): keep a
 * payload body; our ID body from my_identifier; peers_identifier under
 * verify_identifier (a notify type); our KE and nonce, the peer's (KE
 * checked against the group, both parsed before our DH pair is made);
 * HASH_I or HASH_R (initiator 1) into out; our ID and HASH, the peer's
 * ID and HASH checked, or its HASH alone.  ISAKMP_N_OK, a notify, or EXCHANGE_ERR (the
 * int ones) or 0/-1 (keep, my_id, hash).
 */
int	 ph1_main_keep(struct wbuf *, const struct isakmp_pld *);
int	 ph1_main_my_id(struct ph1 *, struct wbuf *);
int	 ph1_main_peer_id(struct ph1 *, const struct isakmp_id *);
int	 ph1_main_ke_send(struct ph1 *, struct isakmp_out *, struct wbuf *,
	    struct wbuf *);
int	 ph1_main_ke_recv(struct ph1 *, const struct isakmp_msg *,
	    struct wbuf *, struct wbuf *);
int	 ph1_main_hash(struct ph1 *, int, uint8_t *);
int	 ph1_main_auth_send(struct ph1 *, struct isakmp_out *, int);
int	 ph1_main_auth_recv(struct ph1 *, const struct isakmp_msg *, int);
int	 ph1_main_hash_recv(struct ph1 *, const struct isakmp_msg *, int);

/* Main Mode handlers (ph1_main.c), for exchange.c's table. */
int	 ph1_main_i1_send(struct exchange *, struct isakmp_out *);
int	 ph1_main_i2_recv(struct exchange *, const struct isakmp_msg *);
int	 ph1_main_i3_send(struct exchange *, struct isakmp_out *);
int	 ph1_main_i4_recv(struct exchange *, const struct isakmp_msg *);
int	 ph1_main_i5_send(struct exchange *, struct isakmp_out *);
int	 ph1_main_i6_recv(struct exchange *, const struct isakmp_msg *);
int	 ph1_main_r1_recv(struct exchange *, const struct isakmp_msg *);
int	 ph1_main_r2_send(struct exchange *, struct isakmp_out *);
int	 ph1_main_r3_recv(struct exchange *, const struct isakmp_msg *);
int	 ph1_main_r4_send(struct exchange *, struct isakmp_out *);
int	 ph1_main_r5_recv(struct exchange *, const struct isakmp_msg *);
int	 ph1_main_r6_send(struct exchange *, struct isakmp_out *);

/*
 * After Aggressive Mode as an initiator: INITIAL-CONTACT in a protected
 * Informational of its own, the first time we talk to the peer since
 * start, when initial_contact is on (message 3 goes in the clear, where
 * a notify would not be authenticated).
 */
void	 ph1_aggr_contact(struct ph1 *);
/* Aggressive Mode handlers (ph1_aggr.c), for exchange.c's table. */
int	 ph1_aggr_i1_send(struct exchange *, struct isakmp_out *);
int	 ph1_aggr_i2_recv(struct exchange *, const struct isakmp_msg *);
int	 ph1_aggr_i3_send(struct exchange *, struct isakmp_out *);
int	 ph1_aggr_r1_recv(struct exchange *, const struct isakmp_msg *);
int	 ph1_aggr_r2_send(struct exchange *, struct isakmp_out *);
int	 ph1_aggr_r3_recv(struct exchange *, const struct isakmp_msg *);

#endif /* PH1_H */
