/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SPD: policies in insertion order, the checks af_key's pfkey_spdadd
 * and parse_ipsecrequest make, id and reqid generation, and the lookup the
 * datapath uses.  See spd.h for the contract.
 *
 * Besides the ordered list, three indexes keep the per-packet and
 * per-message lookups from walking every policy of a gateway with
 * thousands of tunnels: policies between two single hosts hashed by
 * direction and address pair, the other policies in one ordered list per
 * direction, and all of them hashed by id.  Each policy carries its
 * position in the ordered list (sp_order), so a match found through the
 * indexes is the one the walk of the whole list would have chosen.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>

#include <event2/event.h>

#include "log.h"
#include "spd.h"

static struct spd_list	 spd_policies = TAILQ_HEAD_INITIALIZER(spd_policies);
#define SPD_HASH	4096		/* buckets of each table, 2^n */
LIST_HEAD(spd_bucket, spd_policy);
static struct spd_bucket spd_by_hosts[SPD_HASH];
static struct spd_bucket spd_by_id[SPD_HASH];
static struct spd_list	 spd_wide[IPSEC_DIR_MAX] = {
	TAILQ_HEAD_INITIALIZER(spd_wide[0]),
	TAILQ_HEAD_INITIALIZER(spd_wide[1]),
	TAILQ_HEAD_INITIALIZER(spd_wide[2]),
	TAILQ_HEAD_INITIALIZER(spd_wide[3]),
};
static uint64_t		 spd_ordergen;
static size_t		 spd_npolicies;
static uint64_t		 spd_serial;
static uint32_t		 spd_idgen;
static uint32_t		 spd_reqidgen = IPSEC_MANUAL_REQID_MAX;
static struct event_base *spd_base;

static void	spd_arm(struct spd_policy *);

void
spd_init(struct event_base *base)
{
	spd_base = base;
}

static uint64_t
spd_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* xfrm_policy_timer: a hard expiry deletes; af_key tells nobody. */
static void
spd_expire_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct spd_policy *sp = arg;

	log_info("policy %u %s: hard lifetime expired", sp->sp_id,
	    pfkey_dir_name(sp->sp_dir));
	spd_delete(sp);
}

static void
spd_arm(struct spd_policy *sp)
{
	struct timeval tv = { 0, 0 };
	uint64_t when = 0, now = spd_now();
	int any = 0;

	if (sp->sp_hard.pl_addtime != 0) {
		when = sp->sp_added + sp->sp_hard.pl_addtime;
		any = 1;
	}
	if (sp->sp_hard.pl_usetime != 0 && sp->sp_used != 0 &&
	    (!any || sp->sp_used + sp->sp_hard.pl_usetime < when)) {
		when = sp->sp_used + sp->sp_hard.pl_usetime;
		any = 1;
	}
	if (spd_base == NULL || !any)
		return;
	if (sp->sp_hard_ev == NULL &&
	    (sp->sp_hard_ev = evtimer_new(spd_base, spd_expire_cb, sp)) ==
	    NULL) {
		log_warnx("policy %u: no memory for its timer", sp->sp_id);
		return;
	}
	if (when > now)
		tv.tv_sec = (time_t)(when - now);
	evtimer_add(sp->sp_hard_ev, &tv);
}

void
spd_used(struct spd_policy *sp)
{
	if (sp->sp_used != 0)
		return;
	sp->sp_used = spd_now();
	sp->sp_cur.pl_usetime = (uint64_t)time(NULL);
	spd_arm(sp);
}

int
spd_sel_from_msg(const struct pfkey_msg *msg, struct spd_sel *sel,
    uint8_t *dir, const char **why)
{
	struct pfkey_address src, dst;
	struct pfkey_policy pp;

	if (pfkey_get_address(msg, SADB_EXT_ADDRESS_SRC, &src) != 0 ||
	    pfkey_get_address(msg, SADB_EXT_ADDRESS_DST, &dst) != 0 ||
	    pfkey_get_policy(msg, &pp) != 0) {
		*why = "source, destination and policy are required";
		return EINVAL;
	}
	if (src.pa_addr.a_af != dst.pa_addr.a_af) {
		*why = "source and destination of two families";
		return EINVAL;
	}
	if (pp.pp_dir == IPSEC_DIR_ANY || pp.pp_dir >= IPSEC_DIR_MAX) {
		*why = "policy direction";
		return EINVAL;
	}
	memset(sel, 0, sizeof(*sel));
	sel->sl_src = src.pa_addr;
	sel->sl_dst = dst.pa_addr;
	/* af_key takes the protocol of the destination (KAME sets both). */
	sel->sl_proto = dst.pa_proto;
	*dir = pp.pp_dir;
	return 0;
}

static int
spd_reqid_used(uint32_t reqid, const struct spd_policy *also)
{
	const struct spd_policy *sp;
	size_t i;

	for (i = 0; also != NULL && i < also->sp_nreq; i++)
		if (also->sp_req[i].pq_reqid == reqid)
			return 1;
	TAILQ_FOREACH(sp, &spd_policies, sp_entry)
		for (i = 0; i < sp->sp_nreq; i++)
			if (sp->sp_req[i].pq_reqid == reqid)
				return 1;
	return 0;
}

/* af_key gen_reqid: the next reqid above the manual range not in use. */
static uint32_t
spd_gen_reqid(const struct spd_policy *building)
{
	uint32_t start = spd_reqidgen;

	do {
		if (++spd_reqidgen == 0)
			spd_reqidgen = IPSEC_MANUAL_REQID_MAX + 1;
		if (!spd_reqid_used(spd_reqidgen, building))
			return spd_reqidgen;
	} while (spd_reqidgen != start);
	return 0;
}

/* One request (af_key parse_ipsecrequest), normalised as af_key shows it. */
static int
spd_request(struct spd_policy *sp, struct pfkey_ipsecreq *rq, const char **why)
{
	if (rq->pq_proto == IPPROTO_COMP) {
		*why = "IPComp is not supported";
		return EINVAL;
	}
	if (rq->pq_proto != IPPROTO_ESP && rq->pq_proto != IPPROTO_AH) {
		*why = "request protocol";
		return EINVAL;
	}
	if (rq->pq_mode != IPSEC_MODE_TRANSPORT &&
	    rq->pq_mode != IPSEC_MODE_TUNNEL) {
		*why = "request mode";
		return EINVAL;
	}
	if (rq->pq_level > IPSEC_LEVEL_UNIQUE) {
		*why = "request level";
		return EINVAL;
	}
	if (rq->pq_mode != IPSEC_MODE_TUNNEL) {
		memset(&rq->pq_src, 0, sizeof(rq->pq_src));
		memset(&rq->pq_dst, 0, sizeof(rq->pq_dst));
	}
	if (rq->pq_level == IPSEC_LEVEL_UNIQUE) {
		if (rq->pq_reqid > IPSEC_MANUAL_REQID_MAX)
			rq->pq_reqid = 0;
		if (rq->pq_reqid == 0 &&
		    (rq->pq_reqid = spd_gen_reqid(sp)) == 0) {
			*why = "no free reqid";
			return ENOBUFS;
		}
	} else {
		rq->pq_reqid = 0;
		if (rq->pq_level == IPSEC_LEVEL_DEFAULT)
			rq->pq_level = IPSEC_LEVEL_REQUIRE;
	}
	sp->sp_req[sp->sp_nreq++] = *rq;
	return 0;
}

int
spd_from_msg(const struct pfkey_msg *msg, struct spd_policy **out,
    const char **why)
{
	struct spd_policy *sp;
	struct pfkey_policy pp;
	size_t i;
	int error;

	*out = NULL;
	if ((sp = calloc(1, sizeof(*sp))) == NULL) {
		*why = "out of memory";
		return ENOMEM;
	}
	if ((error = spd_sel_from_msg(msg, &sp->sp_sel, &sp->sp_dir,
	    why)) != 0)
		goto fail;
	(void)pfkey_get_policy(msg, &pp);
	if (pp.pp_type > IPSEC_POLICY_IPSEC) {
		*why = "policy type";
		error = EINVAL;
		goto fail;
	}
	sp->sp_type = pp.pp_type;
	sp->sp_priority = pp.pp_priority;
	for (i = 0; pp.pp_type == IPSEC_POLICY_IPSEC && i < pp.pp_nreq; i++)
		if ((error = spd_request(sp, &pp.pp_req[i], why)) != 0)
			goto fail;
	if (sp->sp_type == IPSEC_POLICY_IPSEC && sp->sp_nreq == 0)
		sp->sp_type = IPSEC_POLICY_NONE;
	(void)pfkey_get_lifetime(msg, SADB_EXT_LIFETIME_HARD, &sp->sp_hard);
	(void)pfkey_get_lifetime(msg, SADB_EXT_LIFETIME_SOFT, &sp->sp_soft);
	*out = sp;
	return 0;
 fail:
	free(sp);
	return error;
}

/* Both selector addresses a single host (any ports): hashed by the pair. */
static int
spd_sel_hosts(const struct spd_sel *sel)
{
	return sel->sl_src.a_af == sel->sl_dst.a_af &&
	    (sel->sl_src.a_af == AF_INET || sel->sl_src.a_af == AF_INET6) &&
	    sel->sl_src.a_plen == addr_maxplen(sel->sl_src.a_af) &&
	    sel->sl_dst.a_plen == addr_maxplen(sel->sl_dst.a_af);
}

/* FNV-1a over the direction, the family and both addresses. */
static struct spd_bucket *
spd_hosts_bucket(uint8_t dir, const struct addr *src, const struct addr *dst)
{
	uint32_t h = 2166136261u;
	size_t i, n = addr_len(src->a_af);

	h = (h ^ dir) * 16777619u;
	h = (h ^ (uint8_t)src->a_af) * 16777619u;
	for (i = 0; i < n; i++)
		h = (h ^ src->a_raw[i]) * 16777619u;
	for (i = 0; i < n; i++)
		h = (h ^ dst->a_raw[i]) * 16777619u;
	return &spd_by_hosts[h & (SPD_HASH - 1)];
}

static struct spd_bucket *
spd_id_bucket(uint32_t id)
{
	return &spd_by_id[(id * 2654435761u) >> 20 & (SPD_HASH - 1)];
}

/* Into the indexes (whose order does not matter: sp_order decides). */
static void
spd_index(struct spd_policy *sp)
{
	LIST_INSERT_HEAD(spd_id_bucket(sp->sp_id), sp, sp_id_entry);
	if (spd_sel_hosts(&sp->sp_sel))
		LIST_INSERT_HEAD(spd_hosts_bucket(sp->sp_dir,
		    &sp->sp_sel.sl_src, &sp->sp_sel.sl_dst), sp,
		    sp_host_entry);
	else
		TAILQ_INSERT_TAIL(&spd_wide[sp->sp_dir], sp, sp_wide_entry);
}

static void
spd_unindex(struct spd_policy *sp)
{
	LIST_REMOVE(sp, sp_id_entry);
	if (spd_sel_hosts(&sp->sp_sel))
		LIST_REMOVE(sp, sp_host_entry);
	else
		TAILQ_REMOVE(&spd_wide[sp->sp_dir], sp, sp_wide_entry);
}

static int
spd_sel_eq(const struct spd_sel *a, const struct spd_sel *b)
{
	return addr_cmp(&a->sl_src, &b->sl_src) == 0 &&
	    addr_cmp(&a->sl_dst, &b->sl_dst) == 0 &&
	    a->sl_proto == b->sl_proto;
}

struct spd_policy *
spd_lookup_sel(uint8_t dir, const struct spd_sel *sel)
{
	struct spd_policy *sp;

	if (dir >= IPSEC_DIR_MAX)
		return NULL;
	if (spd_sel_hosts(sel)) {
		LIST_FOREACH(sp, spd_hosts_bucket(dir, &sel->sl_src,
		    &sel->sl_dst), sp_host_entry)
			if (sp->sp_dir == dir && spd_sel_eq(&sp->sp_sel, sel))
				return sp;
		return NULL;
	}
	TAILQ_FOREACH(sp, &spd_wide[dir], sp_wide_entry)
		if (spd_sel_eq(&sp->sp_sel, sel))
			return sp;
	return NULL;
}

struct spd_policy *
spd_lookup_id(uint32_t id)
{
	struct spd_policy *sp;

	LIST_FOREACH(sp, spd_id_bucket(id), sp_id_entry)
		if (sp->sp_id == id)
			return sp;
	return NULL;
}

/* xfrm_gen_index: steps of 8, the direction (dir - 1) in the low bits. */
static uint32_t
spd_gen_id(uint8_t dir)
{
	uint32_t id;

	for (;;) {
		spd_idgen += 8;
		id = spd_idgen | (uint32_t)(dir - 1);
		if (id != 0 && spd_lookup_id(id) == NULL)
			return id;
	}
}

static void (*spd_change_hook)(void);

void
spd_set_change_hook(void (*hook)(void))
{
	spd_change_hook = hook;
}

static void
spd_changed(void)
{
	if (spd_change_hook != NULL)
		spd_change_hook();
}

/* Unlink and free, without telling the hook (callers do, once). */
static void
spd_remove(struct spd_policy *sp)
{
	TAILQ_REMOVE(&spd_policies, sp, sp_entry);
	spd_unindex(sp);
	spd_npolicies--;
	if (sp->sp_hard_ev != NULL)
		event_free(sp->sp_hard_ev);
	free(sp);
}

int
spd_add(struct spd_policy *sp, int update, struct spd_policy **out,
    const char **why)
{
	struct spd_policy *old;

	*out = NULL;
	old = spd_lookup_sel(sp->sp_dir, &sp->sp_sel);
	if (old != NULL && !update) {
		*why = "policy exists";
		free(sp);
		return EEXIST;
	}
	if (old != NULL) {
		sp->sp_id = old->sp_id;
		sp->sp_order = old->sp_order;
		TAILQ_INSERT_AFTER(&spd_policies, old, sp, sp_entry);
		spd_index(sp);
		spd_remove(old);
	} else {
		sp->sp_id = spd_gen_id(sp->sp_dir);
		sp->sp_order = ++spd_ordergen;
		TAILQ_INSERT_TAIL(&spd_policies, sp, sp_entry);
		spd_index(sp);
	}
	spd_npolicies++;
	sp->sp_serial = ++spd_serial;
	sp->sp_added = spd_now();
	sp->sp_cur.pl_addtime = (uint64_t)time(NULL);
	spd_arm(sp);
	*out = sp;
	spd_changed();
	return 0;
}

void
spd_delete(struct spd_policy *sp)
{
	spd_remove(sp);
	spd_changed();
}

int
spd_flush(void)
{
	struct spd_policy *sp;
	int n = 0;

	while ((sp = TAILQ_FIRST(&spd_policies)) != NULL) {
		spd_remove(sp);
		n++;
	}
	if (n > 0)
		spd_changed();
	return n;
}

struct spd_policy *
spd_next(struct spd_policy *sp)
{
	return sp == NULL ? TAILQ_FIRST(&spd_policies) :
	    TAILQ_NEXT(sp, sp_entry);
}

size_t
spd_count(void)
{
	return spd_npolicies;
}

/* A selector address: the prefix holds the packet's, the port is 0 or its. */
static int
spd_sel_addr_match(const struct addr *sel, const struct addr *pkt)
{
	return addr_in_prefix(sel, pkt);
}

static int
spd_sel_match(const struct spd_policy *sp, uint8_t dir, const struct addr *src,
    const struct addr *dst, uint8_t proto)
{
	return sp->sp_dir == dir &&
	    sp->sp_sel.sl_src.a_af == src->a_af &&
	    spd_sel_addr_match(&sp->sp_sel.sl_src, src) &&
	    spd_sel_addr_match(&sp->sp_sel.sl_dst, dst) &&
	    (sp->sp_sel.sl_proto == IPSEC_ULPROTO_ANY ||
	    sp->sp_sel.sl_proto == proto);
}

/* Lowest priority value, then first in the SPD's order. */
static int
spd_better(const struct spd_policy *sp, const struct spd_policy *best)
{
	return best == NULL || sp->sp_priority < best->sp_priority ||
	    (sp->sp_priority == best->sp_priority &&
	    sp->sp_order < best->sp_order);
}

struct spd_policy *
spd_match(uint8_t dir, const struct addr *src, const struct addr *dst,
    uint8_t proto)
{
	struct spd_policy *sp, *best = NULL;

	if (dir >= IPSEC_DIR_MAX || src->a_af != dst->a_af)
		return NULL;
	if (src->a_af == AF_INET || src->a_af == AF_INET6)
		LIST_FOREACH(sp, spd_hosts_bucket(dir, src, dst),
		    sp_host_entry)
			if (spd_sel_match(sp, dir, src, dst, proto) &&
			    spd_better(sp, best))
				best = sp;
	TAILQ_FOREACH(sp, &spd_wide[dir], sp_wide_entry)
		if (spd_sel_match(sp, dir, src, dst, proto) &&
		    spd_better(sp, best))
			best = sp;
	return best;
}
