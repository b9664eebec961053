/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The phase 2 object: creation under an established ph1 with its own
 * message ID and IV, the state machine with names and one setter,
 * failure, log naming, traffic selectors to and from ID payloads
 * (addresses, subnets, ranges; RFC 2407 4.6.2), the sainfo lookup, the
 * start of Quick Mode as an initiator, and KEYMAT per SA and direction
 * handed to the kernel interface with racoon's "IPsec-SA established"
 * line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cfg.h"
#include "dh.h"
#include "exchange.h"
#include "ike_crypto.h"
#include "keylog.h"
#include "log.h"
#include "natt.h"
#include "ph1.h"
#include "ph2.h"

static const char *ph2_state_names[PH2_S_COUNT] = {
	[PH2_S_NEW] = "new",
	[PH2_S_NEGOTIATING] = "negotiating",
	[PH2_S_ESTABLISHED] = "established",
	[PH2_S_EXPIRED] = "expired",
	[PH2_S_FAILED] = "failed",
};

#define B(s)	(1u << (s))
static const unsigned ph2_state_next[PH2_S_COUNT] = {
	[PH2_S_NEW] = B(PH2_S_NEGOTIATING) | B(PH2_S_FAILED),
	[PH2_S_NEGOTIATING] = B(PH2_S_ESTABLISHED) | B(PH2_S_FAILED),
	[PH2_S_ESTABLISHED] = B(PH2_S_EXPIRED),
	[PH2_S_EXPIRED] = 0,
	[PH2_S_FAILED] = 0,
};
#undef B

const char *
ph2_state_name(enum ph2_state s)
{
	if ((unsigned)s < PH2_S_COUNT)
		return ph2_state_names[s];
	return "invalid";
}

const char *
ph2_name(const struct ph2 *ph2, char *buf, size_t len)
{
	char p[ADDR_STRLEN];

	addr_fmt(&ph2->ph2_ph1->ph1_peer, ADDR_PORT, p, sizeof(p));
	snprintf(buf, len, "ph2 %08x %s", ph2->ph2_msgid, p);
	return buf;
}

/* The SAs are gone: so goes our hold on the policies made for them. */
static void
ph2_genpol_release(struct ph2 *ph2)
{
	struct exchange_kernel *k = &ph2->ph2_ph1->ph1_env->env_kernel;
	struct ph1 *ph1 = ph2->ph2_ph1;

	if (ph2->ph2_genpol != PH2_GENPOL_HELD)
		return;
	ph2->ph2_genpol = PH2_GENPOL_NO;
	if (k->ek_genpolicy != NULL)
		(void)k->ek_genpolicy(k->ek_arg, 0, &ph2->ph2_local,
		    &ph2->ph2_remote, &ph2->ph2_policy, &ph1->ph1_local,
		    &ph1->ph1_peer, 0);
}

/* Before the SAs: with level unique they take the policies' reqid. */
static int
ph2_genpol_hold(struct ph2 *ph2)
{
	struct exchange_kernel *k = &ph2->ph2_ph1->ph1_env->env_kernel;
	struct ph1 *ph1 = ph2->ph2_ph1;

	if (ph2->ph2_genpol != PH2_GENPOL_WANT)
		return 0;
	if (k->ek_genpolicy == NULL || k->ek_genpolicy(k->ek_arg, 1,
	    &ph2->ph2_local, &ph2->ph2_remote, &ph2->ph2_policy,
	    &ph1->ph1_local, &ph1->ph1_peer,
	    ph1->ph1_remote->r_generate_policy == CFG_GENPOLICY_UNIQUE) == -1)
		return -1;
	ph2->ph2_genpol = PH2_GENPOL_HELD;
	return 0;
}

int
ph2_set_state(struct ph2 *ph2, enum ph2_state to)
{
	char name[PH2_NAMELEN];
	enum ph2_state from = ph2->ph2_state;

	ph2_name(ph2, name, sizeof(name));
	if ((unsigned)to >= PH2_S_COUNT ||
	    (ph2_state_next[from] & (1u << to)) == 0) {
		log_warnx("%s: state %s -> %s refused", name,
		    ph2_state_name(from), ph2_state_name(to));
		return -1;
	}
	log_debug(1, "%s: state %s -> %s", name, ph2_state_name(from),
	    ph2_state_name(to));
	ph2->ph2_state = to;
	if (from == PH2_S_ESTABLISHED) {
		struct exchange_events *ev = &ph2->ph2_ph1->ph1_env->env_events;

		ph2_genpol_release(ph2);
		if (ev->ev_ph2_down != NULL)
			ev->ev_ph2_down(ev->ev_arg, ph2);
	}
	return 0;
}

static void
ph2_event(struct ph2 *ph2, int ok)
{
	struct exchange_events *ev = &ph2->ph2_ph1->ph1_env->env_events;

	if (ev->ev_ph2_done != NULL)
		ev->ev_ph2_done(ev->ev_arg, ph2, ok);
}

void
ph2_fail(struct ph2 *ph2, const char *why)
{
	char name[PH2_NAMELEN];

	if (ph2->ph2_state == PH2_S_FAILED ||
	    ph2->ph2_state == PH2_S_EXPIRED)
		return;
	log_errx("%s: phase2 negotiation failed: %s",
	    ph2_name(ph2, name, sizeof(name)), why);
	snprintf(ph2->ph2_why, sizeof(ph2->ph2_why), "%s", why);
	(void)ph2_set_state(ph2, ph2->ph2_state == PH2_S_ESTABLISHED ?
	    PH2_S_EXPIRED : PH2_S_FAILED);
	ph2->ph2_ex.ex_failed = 1;
	ph2->ph2_ex.ex_resend_at = 0;
	ph2->ph2_expire_at = 0;
	ph2->ph2_dead_at = exchange_now(ph2->ph2_ph1->ph1_env) +
	    EXCHANGE_LINGER_MS;
	if (ph2->ph2_state == PH2_S_FAILED)	/* not an SA that was up */
		ph2_event(ph2, 0);
}

struct ph2 *
ph2_new(struct ph1 *ph1, enum isakmp_role role, uint32_t msgid)
{
	struct ph2 *ph2;

	if ((ph2 = calloc(1, sizeof(*ph2))) == NULL) {
		log_warn("ph2");
		return NULL;
	}
	while (msgid == 0)
		if (exchange_random(&msgid, sizeof(msgid)) == -1) {
			free(ph2);
			return NULL;
		}
	ph2->ph2_ph1 = ph1;
	ph2->ph2_role = role;
	ph2->ph2_state = PH2_S_NEW;
	ph2->ph2_msgid = msgid;
	ph1->ph1_msgids[ph1->ph1_nmsgids++ % PH1_MSGIDS] = msgid;
	ph2->ph2_id = ++ph1->ph1_env->env_next_id;
	TAILQ_INSERT_TAIL(&ph1->ph1_ph2s, ph2, ph2_entry);
	exchange_init(&ph2->ph2_ex, EXCHANGE_QUICK, role, ph1, ph2);
	ph2->ph2_ex.ex_msgid = msgid;
	if (wbuf_init(&ph2->ph2_ni, 32, 512) == -1 ||
	    wbuf_init(&ph2->ph2_nr, 32, 512) == -1 ||
	    wbuf_init(&ph2->ph2_gxy, 64, 2048) == -1 ||
	    ike_iv_msgid(&ph1->ph1_keys, &ph1->ph1_iv, msgid,
	    &ph2->ph2_ex.ex_qiv) == -1) {
		ph2_free(ph2);
		return NULL;
	}
	wbuf_set_secret(&ph2->ph2_ni);
	wbuf_set_secret(&ph2->ph2_nr);
	wbuf_set_secret(&ph2->ph2_gxy);
	return ph2;
}

void
ph2_free(struct ph2 *ph2)
{
	if (ph2 == NULL)
		return;
	ph2_genpol_release(ph2);
	TAILQ_REMOVE(&ph2->ph2_ph1->ph1_ph2s, ph2, ph2_entry);
	exchange_clear(&ph2->ph2_ex);
	dh_free(ph2->ph2_dh);
	wbuf_free(&ph2->ph2_ni);
	wbuf_free(&ph2->ph2_nr);
	wbuf_free(&ph2->ph2_gxy);
	freezero(ph2, sizeof(*ph2));
}

int
ph2_msgid_used(const struct ph1 *ph1, uint32_t msgid)
{
	unsigned i, n = ph1->ph1_nmsgids < PH1_MSGIDS ? ph1->ph1_nmsgids :
	    PH1_MSGIDS;

	for (i = 0; i < n; i++)
		if (ph1->ph1_msgids[i] == msgid)
			return 1;
	return 0;
}

struct ph2 *
ph2_find(struct ph1 *ph1, uint32_t msgid)
{
	struct ph2 *ph2;

	TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
		if (ph2->ph2_msgid == msgid)
			return ph2;
	return NULL;
}

/* Selectors */

int
ph2_sel_host(struct ph2_sel *sel, const struct addr *a)
{
	memset(sel, 0, sizeof(*sel));
	if (a->a_af != AF_INET && a->a_af != AF_INET6)
		return -1;
	sel->sel_type = a->a_af == AF_INET ? IPSECDOI_ID_IPV4_ADDR :
	    IPSECDOI_ID_IPV6_ADDR;
	sel->sel_addr = *a;
	sel->sel_addr.a_plen = addr_maxplen(a->a_af);
	sel->sel_addr.a_port = 0;
	return 0;
}

/* A netmask's prefix length; -1 unless its ones are contiguous. */
static int
ph2_mask_plen(const uint8_t *m, size_t len)
{
	size_t i;
	int plen = 0, bit, ended = 0;

	for (i = 0; i < len; i++)
		for (bit = 7; bit >= 0; bit--) {
			if (m[i] & (1 << bit)) {
				if (ended)
					return -1;
				plen++;
			} else
				ended = 1;
		}
	return plen;
}

int
ph2_sel_from_id(struct ph2_sel *sel, const struct isakmp_id *id)
{
	sa_family_t af;
	size_t alen;
	int plen;

	memset(sel, 0, sizeof(*sel));
	switch (id->id_type) {
	case IPSECDOI_ID_IPV4_ADDR:
	case IPSECDOI_ID_IPV4_ADDR_SUBNET:
	case IPSECDOI_ID_IPV4_ADDR_RANGE:
		af = AF_INET;
		break;
	case IPSECDOI_ID_IPV6_ADDR:
	case IPSECDOI_ID_IPV6_ADDR_SUBNET:
	case IPSECDOI_ID_IPV6_ADDR_RANGE:
		af = AF_INET6;
		break;
	default:
		log_warnx("phase 2 ID: type %s is not a traffic selector",
		    isakmp_idtype_name(id->id_type));
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	alen = addr_len(af);
	sel->sel_type = id->id_type;
	sel->sel_proto = id->id_proto;
	if (id->id_len != (id->id_type == IPSECDOI_ID_IPV4_ADDR ||
	    id->id_type == IPSECDOI_ID_IPV6_ADDR ? alen : 2 * alen) ||
	    addr_from_bytes(&sel->sel_addr, af, id->id_data, alen) == -1) {
		log_warnx("phase 2 ID: %s of %zu bytes",
		    isakmp_idtype_name(id->id_type), id->id_len);
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	sel->sel_addr.a_port = id->id_port;
	if (id->id_len == alen)
		return ISAKMP_N_OK;
	if (id->id_type == IPSECDOI_ID_IPV4_ADDR_SUBNET ||
	    id->id_type == IPSECDOI_ID_IPV6_ADDR_SUBNET) {
		if ((plen = ph2_mask_plen(id->id_data + alen, alen)) == -1) {
			log_warnx("phase 2 ID: netmask not contiguous");
			return ISAKMP_N_INVALID_ID_INFORMATION;
		}
		sel->sel_addr.a_plen = (uint8_t)plen;
		addr_apply_mask(&sel->sel_addr);
		return ISAKMP_N_OK;
	}
	if (addr_from_bytes(&sel->sel_end, af, id->id_data + alen,
	    alen) == -1 || addr_cmp_host(&sel->sel_addr, &sel->sel_end) > 0) {
		log_warnx("phase 2 ID: range ends before it starts");
		return ISAKMP_N_INVALID_ID_INFORMATION;
	}
	return ISAKMP_N_OK;
}

void
ph2_sel_to_id(const struct ph2_sel *sel, struct isakmp_id *id, uint8_t *buf)
{
	size_t alen = addr_len(sel->sel_addr.a_af), i;
	unsigned plen = sel->sel_addr.a_plen;

	memset(id, 0, sizeof(*id));
	id->id_type = sel->sel_type;
	id->id_proto = sel->sel_proto;
	id->id_port = sel->sel_addr.a_port;
	memcpy(buf, sel->sel_addr.a_raw, alen);
	id->id_data = buf;
	id->id_len = alen;
	switch (sel->sel_type) {
	case IPSECDOI_ID_IPV4_ADDR_SUBNET:
	case IPSECDOI_ID_IPV6_ADDR_SUBNET:
		for (i = 0; i < alen; i++) {
			unsigned bits = plen > 8 * i ? plen - 8 * i : 0;

			buf[alen + i] = bits >= 8 ? 0xff :
			    (uint8_t)(0xff << (8 - bits));
		}
		id->id_len = 2 * alen;
		break;
	case IPSECDOI_ID_IPV4_ADDR_RANGE:
	case IPSECDOI_ID_IPV6_ADDR_RANGE:
		memcpy(buf + alen, sel->sel_end.a_raw, alen);
		id->id_len = 2 * alen;
		break;
	}
}

char *
ph2_sel_fmt(const struct ph2_sel *sel, char *buf, size_t len)
{
	char a[ADDR_STRLEN], e[ADDR_STRLEN];

	if (sel->sel_type == IPSECDOI_ID_IPV4_ADDR_RANGE ||
	    sel->sel_type == IPSECDOI_ID_IPV6_ADDR_RANGE)
		snprintf(buf, len, "%s-%s[%u] proto %u",
		    addr_ntop(&sel->sel_addr, a, sizeof(a)),
		    addr_ntop(&sel->sel_end, e, sizeof(e)),
		    sel->sel_addr.a_port, sel->sel_proto);
	else
		snprintf(buf, len, "%s proto %u",
		    addr_fmt(&sel->sel_addr, ADDR_PORT, a, sizeof(a)),
		    sel->sel_proto);
	return buf;
}

/*
 * 1 if a sainfo side covers the selector exactly (racoon compares IDs).
 * clientaddr is the address racoon's mode config gave the client; we
 * have no mode config, so it is the client's own: the peer's address.
 */
static int
ph2_said_match(const struct cfg_said *sd, const struct ph2_sel *sel,
    const struct addr *peer)
{
	int range = sel->sel_type == IPSECDOI_ID_IPV4_ADDR_RANGE ||
	    sel->sel_type == IPSECDOI_ID_IPV6_ADDR_RANGE;
	int proto = sd->sid_proto == CFG_PROTO_ANY ? 0 : sd->sid_proto;

	switch (sd->sid_kind) {
	case CFG_SAID_ANONYMOUS:
		return 1;
	case CFG_SAID_CLIENTADDR:
		return peer != NULL && !range &&
		    sel->sel_addr.a_af == peer->a_af &&
		    sel->sel_addr.a_plen == addr_maxplen(peer->a_af) &&
		    addr_cmp_host(&sel->sel_addr, peer) == 0;
	case CFG_SAID_ADDRESS:
	case CFG_SAID_SUBNET:
		if (range)
			return 0;
		break;
	case CFG_SAID_RANGE:
		if (!range || sd->sid_addr_end.a_af != sel->sel_end.a_af ||
		    addr_cmp_host(&sd->sid_addr_end, &sel->sel_end) != 0)
			return 0;
		return sd->sid_addr.a_af == sel->sel_addr.a_af &&
		    addr_cmp_host(&sd->sid_addr, &sel->sel_addr) == 0 &&
		    sd->sid_addr.a_port == sel->sel_addr.a_port &&
		    proto == sel->sel_proto;
	default:
		return 0;	/* XXX: fqdn and keyid IDs in phase 2 */
	}
	return sd->sid_addr.a_af == sel->sel_addr.a_af &&
	    sd->sid_addr.a_plen == sel->sel_addr.a_plen &&
	    addr_cmp_host(&sd->sid_addr, &sel->sel_addr) == 0 &&
	    sd->sid_addr.a_port == sel->sel_addr.a_port &&
	    proto == sel->sel_proto;
}

const struct cfg_sainfo *
ph2_sainfo_find(const struct cfg *cfg, const struct ph1 *ph1,
    const struct ph2_sel *local, const struct ph2_sel *remote)
{
	const struct cfg_sainfo *si, *best = NULL;
	struct isakmp_id pid;
	int score, best_score = -1, have_pid;

	have_pid = ph1 != NULL && ph1_peer_id(ph1, &pid) == 0;
	/*
	 * The most specific wins, as racoon's prisainfo ranks them: a
	 * "from" ID counts for three, each side that is not anonymous
	 * for one.
	 */
	TAILQ_FOREACH(si, &cfg->c_sainfos, si_entry) {
		if (!ph2_said_match(&si->si_local, local, NULL) ||
		    !ph2_said_match(&si->si_remote, remote,
		    ph1 != NULL ? &ph1->ph1_peer : NULL))
			continue;
		if (si->si_from != NULL && (!have_pid ||
		    !ph1_id_match(ph1, si->si_from, &pid)))
			continue;
		score = (si->si_local.sid_kind != CFG_SAID_ANONYMOUS) +
		    (si->si_remote.sid_kind != CFG_SAID_ANONYMOUS) +
		    (si->si_from != NULL ? 3 : 0);
		if (score > best_score) {
			best = si;
			best_score = score;
		}
	}
	return best;
}

struct ph2 *
ph2_quick_start(struct ph1 *ph1, const struct ph2_sel *local,
    const struct ph2_sel *remote, const struct proposal_policy *pol)
{
	const struct cfg_sainfo *si;
	struct ph2 *ph2;
	char l[ADDR_STRLEN], p[ADDR_STRLEN], ls[96], rs[96];

	if (ph1->ph1_state != PH1_S_ESTABLISHED || pol->pol_nproto == 0 ||
	    pol->pol_nproto > PROPOSAL_MAX_PROTO)
		return NULL;
	if ((si = ph2_sainfo_find(ph1->ph1_env->env_cfg, ph1, local,
	    remote)) == NULL) {
		log_warnx("no sainfo found for %s <-> %s",
		    ph2_sel_fmt(local, ls, sizeof(ls)),
		    ph2_sel_fmt(remote, rs, sizeof(rs)));
		return NULL;
	}
	if ((ph2 = ph2_new(ph1, ISAKMP_ROLE_I, 0)) == NULL)
		return NULL;
	ph2->ph2_local = *local;
	ph2->ph2_remote = *remote;
	ph2->ph2_has_ids = 1;
	ph2->ph2_sainfo = si;
	ph2->ph2_policy = *pol;
	if (natt_ph2_policy(ph2) != ISAKMP_N_OK) {
		ph2_fail(ph2, "policy cannot pass the NAT");
		return NULL;
	}
	addr_fmt(&ph1->ph1_local, ADDR_PORT, l, sizeof(l));
	addr_fmt(&ph1->ph1_peer, ADDR_PORT, p, sizeof(p));
	log_info("%s: initiate new phase 2 negotiation: %s<=>%s",
	    ph2_name(ph2, ls, sizeof(ls)), l, p);
	if (ph2_getspi(ph2, pol->pol_proto, pol->pol_nproto) == -1) {
		ph2_fail(ph2, "no SPI from the kernel");
		return NULL;
	}
	if (ph2_set_state(ph2, PH2_S_NEGOTIATING) == -1 ||
	    exchange_run(&ph2->ph2_ex) == -1)
		return NULL;
	return ph2;
}

int
ph2_getspi(struct ph2 *ph2, const uint8_t *protos, size_t n)
{
	struct ph1 *ph1 = ph2->ph2_ph1;
	struct exchange_kernel *k = &ph1->ph1_env->env_kernel;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = k->ek_getspi(k->ek_arg, ph2->ph2_id, i, protos[i],
		    &ph1->ph1_peer, &ph1->ph1_local, &ph2->ph2_spi[i]);
		if (r == -1 || (r == 0 && ph2->ph2_spi[i] == 0))
			return -1;
		if (r == 1)
			ph2->ph2_spi_wait |= 1u << i;
		else
			ph2->ph2_prop.pp_sa[i].ps_spi = ph2->ph2_spi[i];
	}
	return 0;
}

void
ph2_spi_set(struct ph2 *ph2, size_t idx, uint32_t spi)
{
	char name[PH2_NAMELEN];

	if (idx >= PROPOSAL_MAX_PROTO || !(ph2->ph2_spi_wait & (1u << idx))) {
		log_warnx("%s: SPI for slot %zu not asked for",
		    ph2_name(ph2, name, sizeof(name)), idx);
		return;
	}
	ph2->ph2_spi_wait &= ~(1u << idx);
	if (spi == 0) {
		ph2_fail(ph2, "no SPI from the kernel");
		return;
	}
	ph2->ph2_spi[idx] = spi;
	ph2->ph2_prop.pp_sa[idx].ps_spi = spi;
	if (ph2->ph2_spi_wait == 0 && ph2->ph2_state == PH2_S_NEGOTIATING)
		(void)exchange_run(&ph2->ph2_ex);
}

/* Install */

static const char *
ph2_proto_name(uint8_t proto)
{
	return proto == ISAKMP_PROTO_AH ? "AH" : "ESP";
}

static const char *
ph2_mode_name(uint16_t mode)
{
	return mode == IPSECDOI_MODE_TUNNEL ? "Tunnel" : "Transport";
}

/* One SA, one direction: KEYMAT with the receiver's SPI (RFC 2409 5.5). */
static int
ph2_install_one(struct ph2 *ph2, const struct proposal_sa *ps, int inbound)
{
	struct ph1 *ph1 = ph2->ph2_ph1;
	struct exchange_kernel *k = &ph1->ph1_env->env_kernel;
	struct exchange_sa xsa;
	struct ike_chunk ni = { wbuf_data(&ph2->ph2_ni),
	    wbuf_len(&ph2->ph2_ni) };
	struct ike_chunk nr = { wbuf_data(&ph2->ph2_nr),
	    wbuf_len(&ph2->ph2_nr) };
	struct ike_chunk gxy = { wbuf_data(&ph2->ph2_gxy),
	    wbuf_len(&ph2->ph2_gxy) };
	struct wbuf km;
	uint8_t spi[4];
	char s[ADDR_STRLEN], d[ADDR_STRLEN], name[PH2_NAMELEN];
	int rv = -1;

	memset(&xsa, 0, sizeof(xsa));
	xsa.xsa_proto = ps->ps_proto;
	xsa.xsa_spi = inbound ? ps->ps_spi : ps->ps_spi_peer;
	xsa.xsa_inbound = inbound;
	xsa.xsa_src = inbound ? ph1->ph1_peer : ph1->ph1_local;
	xsa.xsa_dst = inbound ? ph1->ph1_local : ph1->ph1_peer;
	/* NAT-T: ESP in UDP between the ports phase 1 floated to. */
	xsa.xsa_natt = natt_encap(ph1) && ps->ps_proto == ISAKMP_PROTO_ESP;
	if (!xsa.xsa_natt)
		xsa.xsa_src.a_port = xsa.xsa_dst.a_port = 0;
	xsa.xsa_has_oa = xsa.xsa_natt && ph2->ph2_has_natoa;
	xsa.xsa_oa = ph2->ph2_natoa;
	xsa.xsa_mode = ps->ps_mode;
	xsa.xsa_enc = ps->ps_enc;
	xsa.xsa_enc_bits = proposal_enc_bits(ps);
	xsa.xsa_auth = ps->ps_auth;
	xsa.xsa_auth_bits = proposal_auth_bits(ps);
	xsa.xsa_lifetime = ph2->ph2_prop.pp_lifetime;
	xsa.xsa_lifekb = ph2->ph2_prop.pp_lifekb;
	xsa.xsa_lsel = &ph2->ph2_local;
	xsa.xsa_rsel = &ph2->ph2_remote;
	spi[0] = (uint8_t)(xsa.xsa_spi >> 24);
	spi[1] = (uint8_t)(xsa.xsa_spi >> 16);
	spi[2] = (uint8_t)(xsa.xsa_spi >> 8);
	spi[3] = (uint8_t)xsa.xsa_spi;
	if (wbuf_init(&km, 64, 1024) == -1)
		return -1;
	wbuf_set_secret(&km);
	if (ike_keymat(&ph1->ph1_keys, gxy.c_len ? &gxy : NULL, ps->ps_proto,
	    spi, sizeof(spi), &ni, &nr,
	    (xsa.xsa_enc_bits + xsa.xsa_auth_bits) / 8, &km) == -1)
		goto out;
	xsa.xsa_keymat = wbuf_data(&km);
	xsa.xsa_keymat_len = wbuf_len(&km);
	if (log_keys_enabled())
		log_hexdump(0, "KEYMAT", xsa.xsa_keymat, xsa.xsa_keymat_len);
	if (k->ek_install(k->ek_arg, &xsa) == -1)
		goto out;
	keylog_sa(&xsa);
	/* racoon's sadbsecas2str() writes port 0 as [0], not [any]. */
	log_info("%s: IPsec-SA established: %s/%s %s[%u]->%s[%u] "
	    "spi=%u(0x%x)", ph2_name(ph2, name, sizeof(name)),
	    ph2_proto_name(ps->ps_proto), ph2_mode_name(ps->ps_mode),
	    addr_ntop(&xsa.xsa_src, s, sizeof(s)), xsa.xsa_src.a_port,
	    addr_ntop(&xsa.xsa_dst, d, sizeof(d)), xsa.xsa_dst.a_port,
	    xsa.xsa_spi, xsa.xsa_spi);
	rv = 0;
out:
	wbuf_free(&km);
	return rv;
}

int
ph2_install(struct ph2 *ph2)
{
	size_t i;
	uint32_t life = ph2->ph2_prop.pp_lifetime;

	if (ph2_genpol_hold(ph2) == -1)
		return -1;
	for (i = 0; i < ph2->ph2_prop.pp_nsa; i++)
		if (ph2_install_one(ph2, &ph2->ph2_prop.pp_sa[i], 1) == -1 ||
		    ph2_install_one(ph2, &ph2->ph2_prop.pp_sa[i], 0) == -1)
			return -1;
	if (ph2_set_state(ph2, PH2_S_ESTABLISHED) == -1)
		return -1;
	if (life != 0)
		ph2->ph2_expire_at = exchange_now(ph2->ph2_ph1->ph1_env) +
		    (uint64_t)life * 1000;
	/* Done with the secrets of this negotiation. */
	wbuf_truncate(&ph2->ph2_gxy, 0);
	wbuf_truncate(&ph2->ph2_ni, 0);
	wbuf_truncate(&ph2->ph2_nr, 0);
	dh_free(ph2->ph2_dh);
	ph2->ph2_dh = NULL;
	ph2_event(ph2, 1);
	return 0;
}
