/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SAD: SAs in insertion order, their checks on the way in (af_key's
 * pfkey_msg2xfrm_state and xfrm_init_state), SPI allocation for GETSPI,
 * and the lifetime timers.  See sad.h for the contract.
 *
 * One list in insertion order for the control plane (dumps, flushes,
 * expiry), and two hash tables for the datapath's per-packet lookups: by
 * SPI (sad_lookup, inbound) and by source and destination (sad_select,
 * outbound, and the larval SAs of an ACQUIRE), and a third by the
 * sequence number of the message that made an SA (GETSPI's and UPDATE's
 * search for the ACQUIRE's larval SA), so that a gateway with thousands of SAs pays the same per
 * packet as a host with two.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "buf.h"
#include "log.h"
#include "sad.h"

static struct sad_list	 sad_sas = TAILQ_HEAD_INITIALIZER(sad_sas);
#define SAD_HASH	4096		/* buckets of each table, 2^n */
LIST_HEAD(sad_bucket, sad_sa);
static struct sad_bucket sad_by_spi[SAD_HASH];
static struct sad_bucket sad_by_flow[SAD_HASH];
static struct sad_bucket sad_by_acqseq[SAD_HASH];
static size_t		 sad_nsas;
static uint64_t		 sad_serial;
static struct event_base *sad_base;
static sad_notify_fn	 sad_notify;
static void		*sad_notify_arg;
static unsigned		 sad_larval_lifetime = SAD_LARVAL_LIFETIME;

static void	sad_arm(struct sad_sa *);
static void	sad_changed(void);

static uint64_t
sad_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

void
sad_init(struct event_base *base, sad_notify_fn fn, void *arg)
{
	sad_base = base;
	sad_notify = fn;
	sad_notify_arg = arg;
}

/* Allowed transitions: ok[from] has bit (1 << to). */
static const uint8_t sad_transitions[SADB_SASTATE_MAX + 1] = {
	[SADB_SASTATE_LARVAL] = 1 << SADB_SASTATE_DEAD,
	[SADB_SASTATE_MATURE] = 1 << SADB_SASTATE_DYING |
	    1 << SADB_SASTATE_DEAD,
	[SADB_SASTATE_DYING] = 1 << SADB_SASTATE_MATURE |
	    1 << SADB_SASTATE_DEAD,
	[SADB_SASTATE_DEAD] = 0,
};

int
sad_set_state(struct sad_sa *sa, uint8_t state)
{
	if (sa->sa_state == state)
		return 0;
	if (sa->sa_state > SADB_SASTATE_MAX || state > SADB_SASTATE_MAX ||
	    (sad_transitions[sa->sa_state] & (1 << state)) == 0) {
		log_warnx("SA %s spi 0x%08x: no transition %s -> %s",
		    pfkey_satype_name(sa->sa_satype), sa->sa_spi,
		    pfkey_sastate_name(sa->sa_state),
		    pfkey_sastate_name(state));
		return -1;
	}
	log_debug(1, "SA %s spi 0x%08x: %s -> %s",
	    pfkey_satype_name(sa->sa_satype), sa->sa_spi,
	    pfkey_sastate_name(sa->sa_state), pfkey_sastate_name(state));
	sa->sa_state = state;
	sad_changed();
	return 0;
}

void
sad_set_larval_lifetime(unsigned seconds)
{
	sad_larval_lifetime = seconds;
}

static void (*sad_release_hook)(struct sad_sa *);
static void (*sad_change_hook)(void);

void
sad_set_change_hook(void (*hook)(void))
{
	sad_change_hook = hook;
}

static void
sad_changed(void)
{
	if (sad_change_hook != NULL)
		sad_change_hook();
}

void
sad_set_release_hook(void (*hook)(struct sad_sa *))
{
	sad_release_hook = hook;
}

static void
sad_free(struct sad_sa *sa)
{
	if (sa == NULL)
		return;
	if (sa->sa_dp != NULL && sad_release_hook != NULL)
		sad_release_hook(sa);
	if (sa->sa_soft_ev != NULL)
		event_free(sa->sa_soft_ev);
	if (sa->sa_hard_ev != NULL)
		event_free(sa->sa_hard_ev);
	freezero(sa->sa_akey, (sa->sa_akey_bits + 7) / 8);
	freezero(sa->sa_ekey, (sa->sa_ekey_bits + 7) / 8);
	freezero(sa, sizeof(*sa));
}

static struct sad_bucket *
sad_spi_bucket(uint32_t spi)
{
	return &sad_by_spi[(spi * 0x9e3779b1u) >> 20 & (SAD_HASH - 1)];
}

static struct sad_bucket *
sad_acqseq_bucket(uint32_t seq)
{
	return &sad_by_acqseq[(seq * 0x9e3779b1u) >> 20 & (SAD_HASH - 1)];
}

/* FNV-1a over both addresses. */
static struct sad_bucket *
sad_flow_bucket(const struct addr *src, const struct addr *dst)
{
	uint32_t h = 2166136261u;
	size_t i, n = addr_len(src->a_af), m = addr_len(dst->a_af);

	for (i = 0; i < n; i++)
		h = (h ^ src->a_raw[i]) * 16777619u;
	for (i = 0; i < m; i++)
		h = (h ^ dst->a_raw[i]) * 16777619u;
	return &sad_by_flow[h & (SAD_HASH - 1)];
}

void
sad_delete(struct sad_sa *sa)
{
	LIST_REMOVE(sa, sa_spi_entry);
	LIST_REMOVE(sa, sa_flow_entry);
	LIST_REMOVE(sa, sa_acq_entry);
	TAILQ_REMOVE(&sad_sas, sa, sa_entry);
	sad_nsas--;
	sad_free(sa);
	sad_changed();
}

void
sad_shutdown(void)
{
	struct sad_sa *sa;

	while ((sa = TAILQ_FIRST(&sad_sas)) != NULL)
		sad_delete(sa);
}

/* One OpenSSL name: a digest or a cipher that fetches. */
static int
sad_ossl_fetches(const char *name)
{
	EVP_MD *md;
	EVP_CIPHER *c;

	if (strcmp(name, "NULL") == 0)
		return 1;
	if ((md = EVP_MD_fetch(NULL, name, NULL)) != NULL) {
		EVP_MD_free(md);
		return 1;
	}
	if ((c = EVP_CIPHER_fetch(NULL, name, NULL)) != NULL) {
		EVP_CIPHER_free(c);
		return 1;
	}
	return 0;
}

/* Every key size of the row must have an implementation. */
static int
sad_alg_probe(const struct alg *a)
{
	char name[64];
	unsigned bits;

	if (a->alg_kind != ALG_ENC && a->alg_kind != ALG_AUTH)
		return 0;
	for (bits = a->alg_keymin; bits <= a->alg_keymax;
	    bits += a->alg_keystep != 0 ? a->alg_keystep : 1) {
		if (!alg_key_ok(a, bits))
			continue;
		if (alg_ossl_name(a, bits, name, sizeof(name)) == -1 ||
		    !sad_ossl_fetches(name))
			return 0;
		if (a->alg_keymax == 0)
			break;
	}
	return 1;
}

int
sad_alg_usable(const struct alg *a)
{
	static struct {
		const struct alg	*a;
		int			 ok;
	} cache[64];
	static size_t ncache;
	size_t i;
	int ok;

	for (i = 0; i < ncache; i++)
		if (cache[i].a == a)
			return cache[i].ok;
	ok = sad_alg_probe(a);
	if (ncache < sizeof(cache) / sizeof(cache[0])) {
		cache[ncache].a = a;
		cache[ncache++].ok = ok;
	}
	return ok;
}

static uint8_t *
sad_keydup(const struct pfkey_key *k)
{
	uint8_t *p;

	if (k->pk_len == 0)
		return NULL;
	if ((p = malloc(k->pk_len)) != NULL)
		memcpy(p, k->pk_data, k->pk_len);
	return p;
}

/*
 * Algorithms and keys (af_key pfkey_msg2xfrm_state, then what
 * xfrm_init_state refuses): unknown or unavailable algorithms are ENOSYS,
 * everything else wrong is EINVAL.
 */
static int
sad_algs(struct sad_sa *sa, const struct pfkey_msg *msg, const char **why)
{
	struct pfkey_key ak, ek;
	int has_ak, has_ek;

	has_ak = pfkey_get_key(msg, SADB_EXT_KEY_AUTH, &ak) == 0;
	has_ek = pfkey_get_key(msg, SADB_EXT_KEY_ENCRYPT, &ek) == 0;
	if (!has_ak)
		memset(&ak, 0, sizeof(ak));
	if (!has_ek)
		memset(&ek, 0, sizeof(ek));
	if (sa->sa_auth_id != 0 && ((sa->sa_auth = alg_by_sadb(ALG_AUTH,
	    sa->sa_auth_id)) == NULL || !sad_alg_usable(sa->sa_auth))) {
		*why = "authentication algorithm not supported";
		return ENOSYS;
	}
	if (sa->sa_enc_id != 0 && ((sa->sa_enc = alg_by_sadb(ALG_ENC,
	    sa->sa_enc_id)) == NULL || !sad_alg_usable(sa->sa_enc))) {
		*why = "encryption algorithm not supported";
		return ENOSYS;
	}
	if (sa->sa_satype == SADB_SATYPE_AH &&
	    (sa->sa_auth == NULL || sa->sa_enc != NULL)) {
		*why = "AH needs an authentication algorithm and no cipher";
		return EINVAL;
	}
	if (sa->sa_satype == SADB_SATYPE_ESP && sa->sa_enc == NULL) {
		*why = "ESP needs an encryption algorithm";
		return EINVAL;
	}
	if (sa->sa_enc != NULL && (sa->sa_enc->alg_flags & ALG_F_AEAD) &&
	    sa->sa_auth != NULL) {
		*why = "combined-mode cipher with an authentication algorithm";
		return EINVAL;
	}
	if ((sa->sa_auth != NULL && (ak.pk_bits % 8 != 0 ||
	    !alg_key_ok(sa->sa_auth, ak.pk_bits))) ||
	    (sa->sa_auth == NULL && has_ak && ak.pk_bits != 0)) {
		*why = "authentication key length";
		return EINVAL;
	}
	if ((sa->sa_enc != NULL && (ek.pk_bits % 8 != 0 ||
	    !alg_key_ok(sa->sa_enc, ek.pk_bits))) ||
	    (sa->sa_enc == NULL && has_ek && ek.pk_bits != 0)) {
		*why = "encryption key length";
		return EINVAL;
	}
	sa->sa_akey_bits = ak.pk_bits;
	sa->sa_ekey_bits = ek.pk_bits;
	if ((ak.pk_len != 0 && (sa->sa_akey = sad_keydup(&ak)) == NULL) ||
	    (ek.pk_len != 0 && (sa->sa_ekey = sad_keydup(&ek)) == NULL)) {
		*why = "out of memory";
		return ENOMEM;
	}
	return 0;
}

/* The message-level checks of pfkey_msg2xfrm_state, in its order. */
static int
sad_msg_check(const struct pfkey_msg *msg, struct pfkey_sa *psa,
    struct pfkey_address *src, struct pfkey_address *dst, const char **why)
{
	uint8_t satype = msg->pm_hdr.ph_satype;

	if (pfkey_get_sa(msg, psa) != 0 ||
	    pfkey_get_address(msg, SADB_EXT_ADDRESS_SRC, src) != 0 ||
	    pfkey_get_address(msg, SADB_EXT_ADDRESS_DST, dst) != 0) {
		*why = "SA, source and destination are required";
		return EINVAL;
	}
	if (src->pa_addr.a_af != dst->pa_addr.a_af) {
		*why = "source and destination of two families";
		return EINVAL;
	}
	if ((satype == SADB_SATYPE_ESP &&
	    !pfkey_has(msg, SADB_EXT_KEY_ENCRYPT)) ||
	    (satype == SADB_SATYPE_AH && !pfkey_has(msg, SADB_EXT_KEY_AUTH))) {
		*why = "key missing";
		return EINVAL;
	}
	if (pfkey_has(msg, SADB_EXT_LIFETIME_HARD) !=
	    pfkey_has(msg, SADB_EXT_LIFETIME_SOFT)) {
		*why = "hard and soft lifetimes go together";
		return EINVAL;
	}
	if (satype == SADB_X_SATYPE_IPCOMP) {
		*why = "IPComp is not supported";
		return EINVAL;
	}
	if (satype != SADB_SATYPE_ESP && satype != SADB_SATYPE_AH) {
		*why = "SA type";
		return EINVAL;
	}
	if (psa->ps_auth > SADB_AALG_MAX || psa->ps_encrypt > SADB_EALG_MAX) {
		*why = "algorithm number out of range";
		return EINVAL;
	}
	return 0;
}

/* Mode, reqid, proxy, NAT-T and lifetimes: the rest of the message. */
static int
sad_msg_rest(struct sad_sa *sa, const struct pfkey_msg *msg, const char **why)
{
	struct pfkey_sa2 s2;

	sa->sa_mode = IPSEC_MODE_TRANSPORT;
	if (pfkey_get_sa2(msg, &s2) == 0) {
		if (s2.p2_mode == IPSEC_MODE_TUNNEL)
			sa->sa_mode = IPSEC_MODE_TUNNEL;
		else if (s2.p2_mode != IPSEC_MODE_ANY &&
		    s2.p2_mode != IPSEC_MODE_TRANSPORT) {
			*why = "mode not supported";
			return EINVAL;
		}
		sa->sa_reqid = s2.p2_reqid;
	}
	sa->sa_has_proxy = pfkey_get_address(msg, SADB_EXT_ADDRESS_PROXY,
	    &sa->sa_proxy) == 0;
	if (pfkey_get_nat_t_type(msg, &sa->sa_natt_type) == 0) {
		if (sa->sa_satype != SADB_SATYPE_ESP ||
		    (sa->sa_natt_type != UDP_ENCAP_ESPINUDP &&
		    sa->sa_natt_type != UDP_ENCAP_ESPINUDP_NON_IKE)) {
			*why = "NAT-T encapsulation";
			return EINVAL;
		}
		(void)pfkey_get_nat_t_port(msg, SADB_X_EXT_NAT_T_SPORT,
		    &sa->sa_natt_sport);
		(void)pfkey_get_nat_t_port(msg, SADB_X_EXT_NAT_T_DPORT,
		    &sa->sa_natt_dport);
		sa->sa_has_natt_oa = pfkey_get_address(msg,
		    SADB_X_EXT_NAT_T_OA, &sa->sa_natt_oa) == 0;
	}
	(void)pfkey_get_lifetime(msg, SADB_EXT_LIFETIME_HARD, &sa->sa_hard);
	(void)pfkey_get_lifetime(msg, SADB_EXT_LIFETIME_SOFT, &sa->sa_soft);
	return 0;
}

int
sad_from_msg(const struct pfkey_msg *msg, struct sad_sa **out,
    const char **why)
{
	struct pfkey_sa psa;
	struct pfkey_address src, dst;
	struct sad_sa *sa = NULL;
	int error;

	*out = NULL;
	if ((error = sad_msg_check(msg, &psa, &src, &dst, why)) != 0)
		return error;
	if ((sa = calloc(1, sizeof(*sa))) == NULL) {
		*why = "out of memory";
		return ENOMEM;
	}
	sa->sa_satype = msg->pm_hdr.ph_satype;
	sa->sa_spi = psa.ps_spi;
	/* KAME setkey sends LARVAL: af_key ignores the state, as we do. */
	sa->sa_state = SADB_SASTATE_MATURE;
	sa->sa_replay = psa.ps_replay > SAD_REPLAY_MAX ? SAD_REPLAY_MAX :
	    psa.ps_replay;
	sa->sa_flags = psa.ps_flags & (SADB_SAFLAGS_NOECN |
	    SADB_SAFLAGS_DECAP_DSCP | SADB_SAFLAGS_NOPMTUDISC);
	sa->sa_auth_id = psa.ps_auth;
	sa->sa_enc_id = psa.ps_encrypt;
	sa->sa_src = src.pa_addr;
	sa->sa_dst = dst.pa_addr;
	sa->sa_src.a_port = sa->sa_dst.a_port = 0;
	sa->sa_src.a_plen = sa->sa_dst.a_plen = addr_maxplen(src.pa_addr.a_af);
	/* Which ACQUIRE this answers; only larval SAs are looked up by it. */
	sa->sa_acqseq = msg->pm_hdr.ph_seq;
	if ((error = sad_algs(sa, msg, why)) != 0 ||
	    (error = sad_msg_rest(sa, msg, why)) != 0) {
		sad_free(sa);
		return error;
	}
	*out = sa;
	return 0;
}

struct sad_sa *
sad_lookup(uint8_t satype, const struct addr *dst, uint32_t spi)
{
	struct sad_sa *sa;

	LIST_FOREACH(sa, sad_spi_bucket(spi), sa_spi_entry)
		if (sa->sa_spi == spi && sa->sa_satype == satype &&
		    addr_cmp_host(&sa->sa_dst, dst) == 0)
			return sa;
	return NULL;
}

struct sad_sa *
sad_lookup_acqseq(uint32_t seq)
{
	struct sad_sa *sa, *first = NULL;

	if (seq == 0)
		return NULL;
	LIST_FOREACH(sa, sad_acqseq_bucket(seq), sa_acq_entry)
		if (sa->sa_state == SADB_SASTATE_LARVAL &&
		    sa->sa_acqseq == seq &&
		    (first == NULL || sa->sa_serial < first->sa_serial))
			first = sa;
	return first;
}

static void
sad_insert(struct sad_sa *sa)
{
	sa->sa_serial = ++sad_serial;
	sa->sa_added = sad_now();
	sa->sa_cur.pl_addtime = (uint64_t)time(NULL);
	TAILQ_INSERT_TAIL(&sad_sas, sa, sa_entry);
	LIST_INSERT_HEAD(sad_spi_bucket(sa->sa_spi), sa, sa_spi_entry);
	LIST_INSERT_HEAD(sad_flow_bucket(&sa->sa_src, &sa->sa_dst), sa,
	    sa_flow_entry);
	LIST_INSERT_HEAD(sad_acqseq_bucket(sa->sa_acqseq), sa, sa_acq_entry);
	sad_nsas++;
	sad_arm(sa);
	sad_changed();
}

/* The larval SA an ADD replaces (xfrm_state_add's acquire lookup). */
static struct sad_sa *
sad_acquired_by(const struct sad_sa *nsa)
{
	struct sad_sa *sa, *first = NULL;

	if ((sa = sad_lookup_acqseq(nsa->sa_acqseq)) != NULL &&
	    sa->sa_satype == nsa->sa_satype &&
	    addr_cmp_host(&sa->sa_dst, &nsa->sa_dst) == 0)
		return sa;
	LIST_FOREACH(sa, sad_flow_bucket(&nsa->sa_src, &nsa->sa_dst),
	    sa_flow_entry)
		if (sa->sa_state == SADB_SASTATE_LARVAL && sa->sa_spi == 0 &&
		    sa->sa_satype == nsa->sa_satype &&
		    sa->sa_mode == nsa->sa_mode &&
		    sa->sa_reqid == nsa->sa_reqid &&
		    addr_cmp_host(&sa->sa_src, &nsa->sa_src) == 0 &&
		    addr_cmp_host(&sa->sa_dst, &nsa->sa_dst) == 0 &&
		    (first == NULL || sa->sa_serial < first->sa_serial))
			first = sa;
	return first;
}

int
sad_add(struct sad_sa *sa, const char **why)
{
	struct sad_sa *larval;

	if (sad_lookup(sa->sa_satype, &sa->sa_dst, sa->sa_spi) != NULL) {
		*why = "SA exists";
		sad_free(sa);
		return EEXIST;
	}
	if ((larval = sad_acquired_by(sa)) != NULL)
		sad_delete(larval);
	sad_insert(sa);
	return 0;
}

int
sad_update(struct sad_sa *nsa, struct sad_sa **out, const char **why)
{
	struct sad_sa *old;

	*out = NULL;
	old = sad_lookup(nsa->sa_satype, &nsa->sa_dst, nsa->sa_spi);
	if (old == NULL) {
		*why = "no such SA";
		sad_free(nsa);
		return ESRCH;
	}
	if (old->sa_state == SADB_SASTATE_LARVAL) {
		sad_delete(old);
		sad_insert(nsa);
		*out = nsa;
		return 0;
	}
	/* A mature SA keeps its keys; lifetimes and NAT-T ports change. */
	if (nsa->sa_natt_type != 0 && nsa->sa_natt_type == old->sa_natt_type) {
		old->sa_natt_sport = nsa->sa_natt_sport;
		old->sa_natt_dport = nsa->sa_natt_dport;
		if (nsa->sa_has_natt_oa) {
			old->sa_has_natt_oa = 1;
			old->sa_natt_oa = nsa->sa_natt_oa;
		}
	}
	old->sa_hard = nsa->sa_hard;
	old->sa_soft = nsa->sa_soft;
	(void)sad_set_state(old, SADB_SASTATE_MATURE);
	sad_free(nsa);
	sad_arm(old);
	*out = old;
	return 0;
}

static uint32_t
sad_random(void)
{
	uint32_t r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint32_t)random();
	return r;
}

/*
 * An SPI from [min, max] that no SA to dst of that type has: a random
 * start, then the next ones.  With n SAs, n + 1 candidates hold a free
 * one, so the walk is short and finds one whenever the range has one.
 */
static int
sad_alloc_spi(uint8_t satype, const struct addr *dst, uint32_t min,
    uint32_t max, uint32_t *spi)
{
	uint64_t range = (uint64_t)max - min + 1, i, tries;
	uint32_t cand;

	tries = range < sad_nsas + 2 ? range : sad_nsas + 2;
	cand = min + (uint32_t)(sad_random() % range);
	for (i = 0; i < tries; i++) {
		if (cand != 0 && sad_lookup(satype, dst, cand) == NULL) {
			*spi = cand;
			return 0;
		}
		cand = cand == max ? min : cand + 1;
	}
	return -1;
}

int
sad_getspi(uint8_t satype, const struct addr *src, const struct addr *dst,
    uint8_t mode, uint32_t reqid, uint32_t min, uint32_t max,
    struct sad_sa **out, const char **why)
{
	struct sad_sa *sa;
	uint32_t spi;

	*out = NULL;
	if (min > max) {
		*why = "SPI range min > max";
		return EINVAL;
	}
	if (sad_alloc_spi(satype, dst, min, max, &spi) == -1) {
		*why = "no free SPI in range";
		return ENOENT;
	}
	if ((sa = calloc(1, sizeof(*sa))) == NULL) {
		*why = "out of memory";
		return ENOMEM;
	}
	sa->sa_satype = satype;
	sa->sa_spi = spi;
	sa->sa_state = SADB_SASTATE_LARVAL;
	sa->sa_mode = mode == IPSEC_MODE_TUNNEL ? IPSEC_MODE_TUNNEL :
	    IPSEC_MODE_TRANSPORT;
	sa->sa_reqid = reqid;
	sa->sa_src = *src;
	sa->sa_dst = *dst;
	sa->sa_src.a_port = sa->sa_dst.a_port = 0;
	sa->sa_src.a_plen = sa->sa_dst.a_plen = addr_maxplen(src->a_af);
	sa->sa_hard.pl_addtime = sad_larval_lifetime;
	sad_insert(sa);
	*out = sa;
	return 0;
}

int
sad_getspi_larval(struct sad_sa *sa, uint32_t min, uint32_t max,
    const char **why)
{
	uint32_t spi;

	if (min > max) {
		*why = "SPI range min > max";
		return EINVAL;
	}
	if (sa->sa_spi != 0)
		return 0;
	if (sad_alloc_spi(sa->sa_satype, &sa->sa_dst, min, max, &spi) == -1) {
		*why = "no free SPI in range";
		return ENOENT;
	}
	LIST_REMOVE(sa, sa_spi_entry);
	sa->sa_spi = spi;
	LIST_INSERT_HEAD(sad_spi_bucket(spi), sa, sa_spi_entry);
	return 0;
}

static int
sad_same_flow(const struct sad_sa *sa, uint8_t satype, const struct addr *src,
    const struct addr *dst, uint8_t mode, uint32_t reqid)
{
	return sa->sa_satype == satype && sa->sa_mode == mode &&
	    (reqid == 0 || sa->sa_reqid == reqid) &&
	    addr_cmp_host(&sa->sa_src, src) == 0 &&
	    addr_cmp_host(&sa->sa_dst, dst) == 0;
}

/*
 * The oldest larval SA an ACQUIRE made for this flow (dead ones too if
 * dead is set): the first in the list's order, found in the flow's
 * bucket.
 */
static struct sad_sa *
sad_first_pending(uint8_t satype, const struct addr *src,
    const struct addr *dst, uint8_t mode, uint32_t reqid, int dead)
{
	struct sad_sa *sa, *first = NULL;

	LIST_FOREACH(sa, sad_flow_bucket(src, dst), sa_flow_entry)
		if (sa->sa_acqseq != 0 &&
		    (sa->sa_state == SADB_SASTATE_LARVAL ||
		    (dead && sa->sa_state == SADB_SASTATE_DEAD)) &&
		    sad_same_flow(sa, satype, src, dst, mode, reqid) &&
		    (first == NULL || sa->sa_serial < first->sa_serial))
			first = sa;
	return first;
}

int
sad_acquire(uint8_t satype, const struct addr *src, const struct addr *dst,
    uint8_t mode, uint32_t reqid, uint32_t seq, struct sad_sa **out)
{
	struct sad_sa *sa;

	if ((sa = sad_first_pending(satype, src, dst, mode, reqid, 0)) !=
	    NULL) {
		*out = sa;
		return 1;
	}
	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return ENOMEM;
	sa->sa_satype = satype;
	sa->sa_state = SADB_SASTATE_LARVAL;
	sa->sa_mode = mode;
	sa->sa_reqid = reqid;
	sa->sa_acqseq = seq;
	sa->sa_src = *src;
	sa->sa_dst = *dst;
	sa->sa_src.a_port = sa->sa_dst.a_port = 0;
	sa->sa_src.a_plen = sa->sa_dst.a_plen = addr_maxplen(src->a_af);
	sa->sa_hard.pl_addtime = sad_larval_lifetime;
	sad_insert(sa);
	*out = sa;
	return 0;
}

struct sad_sa *
sad_pending(uint8_t satype, const struct addr *src, const struct addr *dst,
    uint8_t mode, uint32_t reqid)
{
	return sad_first_pending(satype, src, dst, mode, reqid, 1);
}

struct sad_sa *
sad_select(uint8_t satype, const struct addr *src, const struct addr *dst,
    uint8_t mode, uint32_t reqid)
{
	struct sad_sa *sa, *best = NULL;

	LIST_FOREACH(sa, sad_flow_bucket(src, dst), sa_flow_entry) {
		if ((sa->sa_state != SADB_SASTATE_MATURE &&
		    sa->sa_state != SADB_SASTATE_DYING) ||
		    !sad_same_flow(sa, satype, src, dst, mode, reqid))
			continue;
		if (best == NULL || (best->sa_state == SADB_SASTATE_DYING &&
		    sa->sa_state == SADB_SASTATE_MATURE) ||
		    (best->sa_state == sa->sa_state &&
		    sa->sa_serial > best->sa_serial))
			best = sa;
	}
	return best;
}

int
sad_flush(uint8_t satype)
{
	struct sad_sa *sa, *next;
	int n = 0;

	for (sa = TAILQ_FIRST(&sad_sas); sa != NULL; sa = next) {
		next = TAILQ_NEXT(sa, sa_entry);
		if (satype == SADB_SATYPE_UNSPEC || sa->sa_satype == satype) {
			sad_delete(sa);
			n++;
		}
	}
	return n;
}

struct sad_sa *
sad_next(struct sad_sa *sa)
{
	return sa == NULL ? TAILQ_FIRST(&sad_sas) : TAILQ_NEXT(sa, sa_entry);
}

size_t
sad_count(void)
{
	return sad_nsas;
}

/* Soft expiry: the SA is dying but still usable until its hard one. */
static void
sad_expire_soft(struct sad_sa *sa)
{
	if (sa->sa_state != SADB_SASTATE_MATURE)
		return;
	(void)sad_set_state(sa, SADB_SASTATE_DYING);
	log_debug(1, "SA %s spi 0x%08x: soft lifetime expired",
	    pfkey_satype_name(sa->sa_satype), sa->sa_spi);
	if (sad_notify != NULL)
		sad_notify(sa, SAD_EXPIRE_SOFT, sad_notify_arg);
}

/* Hard expiry: report the SA as dead, then it is gone. */
static void
sad_expire_hard(struct sad_sa *sa)
{
	(void)sad_set_state(sa, SADB_SASTATE_DEAD);
	log_debug(1, "SA %s spi 0x%08x: hard lifetime expired",
	    pfkey_satype_name(sa->sa_satype), sa->sa_spi);
	if (sad_notify != NULL)
		sad_notify(sa, SAD_EXPIRE_HARD, sad_notify_arg);
	sad_delete(sa);
}

static void
sad_soft_cb(evutil_socket_t fd, short ev, void *arg)
{
	sad_expire_soft(arg);
}

static void
sad_hard_cb(evutil_socket_t fd, short ev, void *arg)
{
	sad_expire_hard(arg);
}

/* Earliest of the add-time and use-time deadlines of one lifetime. */
static int
sad_deadline(const struct sad_sa *sa, const struct pfkey_lifetime *lt,
    uint64_t *when)
{
	int any = 0;

	if (lt->pl_addtime != 0) {
		*when = sa->sa_added + lt->pl_addtime;
		any = 1;
	}
	if (lt->pl_usetime != 0 && sa->sa_used != 0 &&
	    (!any || sa->sa_used + lt->pl_usetime < *when)) {
		*when = sa->sa_used + lt->pl_usetime;
		any = 1;
	}
	return any;
}

static void
sad_timer(struct sad_sa *sa, struct event **evp, event_callback_fn cb,
    const struct pfkey_lifetime *lt)
{
	struct timeval tv = { 0, 0 };
	uint64_t when, now = sad_now();

	if (*evp != NULL)
		evtimer_del(*evp);
	if (sad_base == NULL || !sad_deadline(sa, lt, &when))
		return;
	if (*evp == NULL && (*evp = evtimer_new(sad_base, cb, sa)) == NULL) {
		log_warnx("SA spi 0x%08x: no memory for its timer", sa->sa_spi);
		return;
	}
	if (when > now)
		tv.tv_sec = (time_t)(when - now);
	evtimer_add(*evp, &tv);
}

static void
sad_arm(struct sad_sa *sa)
{
	if (sa->sa_state == SADB_SASTATE_MATURE)
		sad_timer(sa, &sa->sa_soft_ev, sad_soft_cb, &sa->sa_soft);
	sad_timer(sa, &sa->sa_hard_ev, sad_hard_cb, &sa->sa_hard);
}

int
sad_account(struct sad_sa *sa, uint64_t bytes)
{
	sa->sa_cur.pl_bytes += bytes;
	sa->sa_cur.pl_allocations++;
	if (sa->sa_used == 0) {
		sa->sa_used = sad_now();
		sa->sa_cur.pl_usetime = (uint64_t)time(NULL);
		sad_arm(sa);
	}
	if ((sa->sa_hard.pl_bytes != 0 &&
	    sa->sa_cur.pl_bytes >= sa->sa_hard.pl_bytes) ||
	    (sa->sa_hard.pl_allocations != 0 &&
	    sa->sa_cur.pl_allocations >= sa->sa_hard.pl_allocations)) {
		sad_expire_hard(sa);
		return -1;
	}
	if ((sa->sa_soft.pl_bytes != 0 &&
	    sa->sa_cur.pl_bytes >= sa->sa_soft.pl_bytes) ||
	    (sa->sa_soft.pl_allocations != 0 &&
	    sa->sa_cur.pl_allocations >= sa->sa_soft.pl_allocations))
		sad_expire_soft(sa);
	return 0;
}
