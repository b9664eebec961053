/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipsecd's security association database.  It owns every SA, its keys
 * (wiped when the SA goes), its lifetimes and the timers that enforce
 * them, and the byte and allocation counters the datapath feeds through
 * sad_account().  It knows nothing of sockets: expirations are reported
 * through the callback given to sad_init(), and pfkey_srv.c turns SAs
 * into PF_KEY messages.
 *
 * The semantics are Linux xfrm's as af_key exposes them: an SA is keyed
 * by (destination, SPI, protocol); GETSPI makes a larval SA that lives
 * sad_larval_lifetime seconds unless UPDATE fills it; a soft lifetime
 * makes an SA dying and reports a soft EXPIRE, a hard one deletes it and
 * reports a hard EXPIRE; limits of 0 mean none.
 */
#ifndef SAD_H
#define SAD_H

#include <stdint.h>
#include <sys/queue.h>

#include "addr.h"
#include "alg.h"
#include "pfkey.h"

struct event_base;
struct event;

/* Seconds a larval SA waits for its UPDATE (Linux xfrm_acq_expires). */
#define SAD_LARVAL_LIFETIME	30
/* Linux's replay bitmap is 32 bits: af_key caps the window there. */
#define SAD_REPLAY_MAX		32
/* Default GETSPI range without SPIRANGE (af_key). */
#define SAD_SPI_MIN		0x100
#define SAD_SPI_MAX		0x0fffffff

struct sad_sa {
	TAILQ_ENTRY(sad_sa)	 sa_entry;
	LIST_ENTRY(sad_sa)	 sa_spi_entry;	/* hashed by SPI */
	LIST_ENTRY(sad_sa)	 sa_flow_entry;	/* hashed by addresses */
	LIST_ENTRY(sad_sa)	 sa_acq_entry;	/* hashed by sa_acqseq */
	uint64_t		 sa_serial;	/* insertion order */
	uint8_t			 sa_satype;	/* SADB_SATYPE_AH or _ESP */
	uint32_t		 sa_spi;
	uint8_t			 sa_state;	/* SADB_SASTATE_* */
	uint8_t			 sa_replay;
	uint32_t		 sa_flags;
	uint8_t			 sa_mode;	/* IPSEC_MODE_* */
	uint32_t		 sa_reqid;
	uint32_t		 sa_acqseq;	/* ACQUIRE that made it, or 0 */
	struct addr		 sa_src;
	struct addr		 sa_dst;
	int			 sa_has_proxy;
	struct pfkey_address	 sa_proxy;
	uint8_t			 sa_auth_id;	/* SADB_[X_]AALG_* or 0 */
	uint8_t			 sa_enc_id;	/* SADB_[X_]EALG_* or 0 */
	const struct alg	*sa_auth;
	const struct alg	*sa_enc;
	uint8_t			*sa_akey;	/* wiped on free */
	uint16_t		 sa_akey_bits;
	uint8_t			*sa_ekey;
	uint16_t		 sa_ekey_bits;
	struct pfkey_lifetime	 sa_hard;	/* limits; 0 = none */
	struct pfkey_lifetime	 sa_soft;
	struct pfkey_lifetime	 sa_cur;	/* counters, epoch times */
	uint64_t		 sa_added;	/* monotonic seconds */
	uint64_t		 sa_used;	/* monotonic, 0 until used */
	uint8_t			 sa_natt_type;	/* 0: no ESP-in-UDP */
	uint16_t		 sa_natt_sport;
	uint16_t		 sa_natt_dport;
	int			 sa_has_natt_oa;
	struct pfkey_address	 sa_natt_oa;	/* the peer's own address */
	struct event		*sa_soft_ev;
	struct event		*sa_hard_ev;
	void			*sa_dp;		/* datapath state, see below */
};
TAILQ_HEAD(sad_list, sad_sa);

/* Why the SAD reports an SA: soft or hard expiry (hard: about to go). */
enum sad_event {
	SAD_EXPIRE_SOFT,
	SAD_EXPIRE_HARD,
};
typedef void (*sad_notify_fn)(const struct sad_sa *, enum sad_event, void *);

/* Timers run on base; notify is called for every expiry. */
void	 sad_init(struct event_base *, sad_notify_fn, void *);
/* Larval lifetime in seconds (ipsecd -a); SAD_LARVAL_LIFETIME by default. */
void	 sad_set_larval_lifetime(unsigned);
/*
 * The datapath hangs its transform state on an SA (sa_dp); when the SA
 * goes, hook is called to free it, before the keys are wiped.
 */
void	 sad_set_release_hook(void (*)(struct sad_sa *));
/*
 * hook is called whenever an SA is inserted, changes state or goes (the
 * datapath looks at the packets it holds for an ACQUIRE then).  It must
 * not change the SAD itself.
 */
void	 sad_set_change_hook(void (*)(void));
/* Delete every SA (keys wiped), without notifications. */
void	 sad_shutdown(void);

/*
 * Which SA algorithms the datapath can run: those rows of alg.h whose
 * OpenSSL implementation loads (legacy provider included).  Probed once.
 */
int	 sad_alg_usable(const struct alg *);

/*
 * Build an SA from an ADD or UPDATE message.  Returns 0, or an errno as
 * af_key gives it (EINVAL, ENOSYS for an algorithm we do not have) with
 * *why saying what is wrong.  The SA is not in the SAD yet.
 */
int	 sad_from_msg(const struct pfkey_msg *, struct sad_sa **,
	    const char **);
/*
 * ADD: EEXIST if (dst, spi, proto) is taken.  Takes the SA or frees it.
 * A larval SA of the ACQUIRE this ADD answers (same sequence number,
 * protocol and destination; else same endpoints, mode and reqid and no
 * SPI yet) goes, as xfrm_state_add removes it.
 */
int	 sad_add(struct sad_sa *, const char **);
/*
 * UPDATE: ESRCH if no SA has (dst, spi, proto); a larval SA is replaced,
 * a mature one gets the new lifetimes and NAT-T ports (xfrm_state_update).
 * *out is the SA now in the SAD.  Takes nsa or frees it.
 */
int	 sad_update(struct sad_sa *, struct sad_sa **, const char **);
/*
 * GETSPI: a new larval SA between src and dst with an unused SPI from
 * [min, max].  EINVAL for an empty range, ENOENT when no SPI is free.
 */
int	 sad_getspi(uint8_t, const struct addr *, const struct addr *, uint8_t,
	    uint32_t, uint32_t, uint32_t, struct sad_sa **, const char **);
/*
 * GETSPI for the larval SA an ACQUIRE made (found by sequence number): it
 * gets an SPI from [min, max] if it has none yet.  Errors as sad_getspi.
 */
int	 sad_getspi_larval(struct sad_sa *, uint32_t, uint32_t, const char **);
/*
 * The datapath needs an SA that does not exist: a larval SA without SPI,
 * tagged with the sequence number of the ACQUIRE that asks for it.  If
 * one is already waiting for the same endpoints, type, mode and reqid,
 * *out is that one and 1 is returned (no second ACQUIRE); else 0, or an
 * errno.
 */
int	 sad_acquire(uint8_t, const struct addr *, const struct addr *, uint8_t,
	    uint32_t, uint32_t, struct sad_sa **);
/*
 * The larval SA an ACQUIRE made for these endpoints, type, mode and reqid
 * that is still waiting (larval) or whose negotiation failed (dead, kept
 * until its larval lifetime ends so that ACQUIREs for the flow are rate
 * limited); NULL if none.
 */
struct sad_sa *sad_pending(uint8_t, const struct addr *, const struct addr *,
	    uint8_t, uint32_t);
/*
 * The SA the datapath uses for these endpoints, type, mode and reqid (0:
 * any): mature before dying, then the newest, as xfrm_state_find picks
 * during a rekey.  NULL if none.
 */
struct sad_sa *sad_select(uint8_t, const struct addr *, const struct addr *,
	    uint8_t, uint32_t);
struct sad_sa *sad_lookup(uint8_t, const struct addr *, uint32_t);
/*
 * The one way an SA changes state after it is made: larval -> dead,
 * mature -> dying -> mature (UPDATE) and dying or mature -> dead.  Logs
 * "old -> new"; -1 (and nothing changes) for any other transition.
 */
int	 sad_set_state(struct sad_sa *, uint8_t);
/* Remove and free an SA (keys wiped, timers stopped). */
void	 sad_delete(struct sad_sa *);
/* FLUSH: every SA of satype (UNSPEC: all).  Returns how many went. */
int	 sad_flush(uint8_t);
/* Larval SA made by the ACQUIRE with that sequence number, or NULL. */
struct sad_sa *sad_lookup_acqseq(uint32_t);
/* Walk in insertion order: first with NULL, NULL at the end. */
struct sad_sa *sad_next(struct sad_sa *);
size_t	 sad_count(void);

/*
 * The datapath accounts for one packet of bytes bytes: the first use
 * starts the use-time lifetimes, byte and allocation limits expire the SA
 * (soft: notify and mark dying; hard: notify and delete).  Returns 0, or
 * -1 if the SA was deleted and must not be used.
 */
int	 sad_account(struct sad_sa *, uint64_t);

#endif /* SAD_H */
