/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipsecd's security policy database: policies in, out and fwd, with
 * their selectors, actions, request chains, priorities and ids.  It owns
 * the policies; pfkey_srv.c turns them into PF_KEY messages and the
 * datapath asks spd_match() which one applies to a packet.
 *
 * The semantics are af_key's over xfrm: a policy is identified by its
 * direction and selector (addresses with prefix lengths, ports, and the
 * upper-layer protocol of the destination address extension); its id
 * carries the direction in the low three bits; a `unique' request without
 * a reqid of its own gets one above IPSEC_MANUAL_REQID_MAX; `default'
 * requests become `require'; an `ipsec' policy without requests is `none'.
 * A policy whose hard lifetime (seconds since added, or since first used)
 * runs out is removed without a message, as af_key sends none.
 */
#ifndef SPD_H
#define SPD_H

#include <stdint.h>
#include <sys/queue.h>

#include "addr.h"
#include "pfkey.h"

struct event;
struct event_base;

/* Directions as xfrm numbers them, in the low bits of a policy id. */
#define SPD_ID_DIR(id)		((id) & 7)
#define SPD_XDIR_MAX		3	/* in 0, out 1, fwd 2 */

/* What a policy matches: af_key's xfrm_selector. */
struct spd_sel {
	struct addr	 sl_src;	/* prefix and port (0 = any) */
	struct addr	 sl_dst;
	uint8_t		 sl_proto;	/* IPSEC_ULPROTO_ANY = any */
};

struct spd_policy {
	TAILQ_ENTRY(spd_policy)	 sp_entry;
	/* in the host-pair index, or in its direction's list of the rest */
	LIST_ENTRY(spd_policy)	 sp_host_entry;
	TAILQ_ENTRY(spd_policy)	 sp_wide_entry;
	LIST_ENTRY(spd_policy)	 sp_id_entry;
	uint64_t		 sp_order;	/* position in sp_entry's order */
	uint64_t		 sp_serial;
	uint8_t			 sp_dir;	/* IPSEC_DIR_INBOUND... */
	uint16_t		 sp_type;	/* IPSEC_POLICY_* */
	uint32_t		 sp_id;
	uint32_t		 sp_priority;
	struct spd_sel		 sp_sel;
	size_t			 sp_nreq;
	struct pfkey_ipsecreq	 sp_req[PFKEY_MAX_IPSECREQ];
	struct pfkey_lifetime	 sp_hard;
	struct pfkey_lifetime	 sp_soft;
	struct pfkey_lifetime	 sp_cur;
	uint64_t		 sp_added;	/* monotonic seconds */
	uint64_t		 sp_used;	/* monotonic, 0 until used */
	struct event		*sp_hard_ev;
};
TAILQ_HEAD(spd_list, spd_policy);

/* Hard lifetimes run on base; without one they are not enforced. */
void	 spd_init(struct event_base *);
/*
 * The datapath used the policy for a packet: the first use starts its
 * use-time lifetime.
 */
void	 spd_used(struct spd_policy *);

/*
 * Selector and direction of an SPD message (SRC, DST, POLICY).  Returns
 * 0 or EINVAL with *why.
 */
int	 spd_sel_from_msg(const struct pfkey_msg *, struct spd_sel *,
	    uint8_t *, const char **);
/* A policy from SPDADD/SPDUPDATE; 0 or an errno with *why. */
int	 spd_from_msg(const struct pfkey_msg *, struct spd_policy **,
	    const char **);
/*
 * Insert: with update set an existing policy of the same direction and
 * selector is replaced (keeping its id), else that is EEXIST.  Takes the
 * policy or frees it; *out is the policy now in the SPD.
 */
int	 spd_add(struct spd_policy *, int, struct spd_policy **,
	    const char **);
struct spd_policy *spd_lookup_sel(uint8_t, const struct spd_sel *);
struct spd_policy *spd_lookup_id(uint32_t);
void	 spd_delete(struct spd_policy *);
/*
 * Called after every change of the SPD (add, update, delete, flush and
 * expiry), so that the datapath's routes and nftables rules follow it.
 */
void	 spd_set_change_hook(void (*)(void));
int	 spd_flush(void);
struct spd_policy *spd_next(struct spd_policy *);
size_t	 spd_count(void);
/*
 * The policy of direction dir for a packet (addresses and ports in a and
 * b, upper-layer protocol proto): the lowest priority value wins, then
 * the first in the SPD's order (an update keeps the place of the policy
 * it replaced).  NULL if none.  Policies whose selectors are two single
 * hosts are found by hashing the packet's address pair; only the others
 * are walked.
 */
struct spd_policy *spd_match(uint8_t, const struct addr *, const struct addr *,
	    uint8_t);

#endif /* SPD_H */
