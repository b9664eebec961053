/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PF_KEY glue: the kernel as racoon's exchanges see it.  The kernel (or
 * ipsecd) tells us through ACQUIRE that a policy wants an SA it has not
 * got; we find the policy in our copy of the SPD, the remote and the
 * sainfo, start or reuse a phase 1 and run a phase 2 under it.  The
 * exchanges ask for inbound SPIs (GETSPI, answered later), install SAs
 * (UPDATE for the inbound larval SA, ADD for the outbound one) and ask
 * which protocols and mode the SPD wants between two selectors.  A
 * negotiation that fails is reported back with a user-space ACQUIRE
 * carrying an errno, as racoon does, so the kernel drops the larval SA.
 *
 * Nothing here blocks: requests go out, replies are matched by sequence
 * number in the read callback.  Everything read from the socket goes
 * through the PF_KEY codec; a malformed message is logged and dropped.
 */
#include <sys/queue.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "addr.h"
#include "alg.h"
#include "buf.h"
#include "cfg.h"
#include "exchange.h"
#include "isakmp_pld.h"
#include "kernel.h"
#include "log.h"
#include "natt.h"
#include "pfkey.h"
#include "pfkey_sock.h"
#include "ph1.h"
#include "ph2.h"
#include "proposal.h"

/* An `in' or `out' policy as the kernel holds it. */
struct kernel_policy {
	TAILQ_ENTRY(kernel_policy) kp_entry;
	struct pfkey_address kp_src;
	struct pfkey_address kp_dst;
	struct pfkey_policy kp_pol;
};

/* A GETSPI in flight: which negotiation and slot the answer is for. */
struct kernel_getspi {
	TAILQ_ENTRY(kernel_getspi) kg_entry;
	uint32_t	 kg_seq;
	uint32_t	 kg_id;
	size_t		 kg_idx;
};

/*
 * An ACQUIRE we work on: waiting for its phase 1 (ka_ph2id 0), or for
 * the phase 2 numbered ka_ph2id.
 */
struct kernel_acq {
	TAILQ_ENTRY(kernel_acq) ka_entry;
	uint32_t	 ka_seq;
	uint8_t		 ka_satype;
	struct addr	 ka_local;	/* IKE endpoints, with ports */
	struct addr	 ka_peer;
	struct ph2_sel	 ka_lsel;
	struct ph2_sel	 ka_rsel;
	struct proposal_policy ka_pol;
	uint32_t	 ka_ph2id;
	int		 ka_ready;	/* its phase 1 is up: start */
};

/* An SA we installed, for the clean shutdown. */
struct kernel_sa {
	TAILQ_ENTRY(kernel_sa) ks_entry;
	uint8_t		 ks_satype;
	uint32_t	 ks_spi;
	struct addr	 ks_src;
	struct addr	 ks_dst;
	uint8_t		 ks_mode;	/* IPSEC_MODE_* */
	uint32_t	 ks_reqid;
	int		 ks_outbound;
	uint32_t	 ks_seq;	/* of the ADD/UPDATE */
	/*
	 * Set on the outbound SA of a phase 2 we initiated: at its soft
	 * lifetime we negotiate the next SAs for the same selectors.
	 */
	int		 ks_rekey;
	struct addr	 ks_ike_local;
	struct addr	 ks_ike_peer;
	struct ph2_sel	 ks_lsel;
	struct ph2_sel	 ks_rsel;
	struct proposal_policy ks_pol;
	/* UDP-encapsulated (NAT-T): the SA as installed, with its keys. */
	struct exchange_sa ks_xsa;
	uint8_t		*ks_keymat;	/* secret; NULL without NAT-T */
};

static struct pfkey_sock kernel_sock = { -1, PFKEY_SOCK_NONE, "" };
static struct event_base *kernel_base;
static struct event	*kernel_ev;
static struct event	*kernel_kick_ev;
static struct event	*kernel_retry_ev;	/* reconnect to ipsecd */
static struct exchange_env *kernel_env;
static uint16_t		 kernel_port;
static uint32_t		 kernel_pid;
static uint32_t		 kernel_seq;
static void		(*kernel_after)(void);
static unsigned		 kernel_del_wait;	/* DELETEs unanswered */
static uint8_t		 kernel_buf[PFKEY_MSG_MAX];

static TAILQ_HEAD(, kernel_policy) kernel_spd =
    TAILQ_HEAD_INITIALIZER(kernel_spd);
static TAILQ_HEAD(, kernel_getspi) kernel_getspis =
    TAILQ_HEAD_INITIALIZER(kernel_getspis);
static TAILQ_HEAD(, kernel_acq) kernel_acqs =
    TAILQ_HEAD_INITIALIZER(kernel_acqs);
static TAILQ_HEAD(kernel_sa_list, kernel_sa) kernel_sas =
    TAILQ_HEAD_INITIALIZER(kernel_sas);

/*
 * The policies generate_policy made for one pair of selectors (out, in,
 * and fwd in tunnel mode), held by the phase 2 negotiations whose SAs
 * they carry: the first hold installs them, the last release deletes
 * them, so that a rekeyed phase 2 keeps what the one it replaces made.
 */
#define KERNEL_GEN_MAX		3
struct kernel_gen {
	TAILQ_ENTRY(kernel_gen) kn_entry;
	unsigned	 kn_refs;
	struct kernel_policy kn_pol[KERNEL_GEN_MAX];	/* out, in, fwd */
	size_t		 kn_npol;
};
static TAILQ_HEAD(, kernel_gen) kernel_gens =
    TAILQ_HEAD_INITIALIZER(kernel_gens);
/* Level unique wants a reqid; above those setkey may give by hand. */
static uint32_t		 kernel_gen_reqid = IPSEC_MANUAL_REQID_MAX;

static struct kernel_gen *kernel_gen_find(const struct ph2_sel *,
		    const struct ph2_sel *);

/*
 * The initiator's outbound SA waits KERNEL_ADD_DELAY_MS before its ADD.
 * IKEv1 does not acknowledge quick mode message 3 (without the commit
 * bit, which racoon does not use): the responder installs its SAs when
 * message 3 arrives, and the packet the kernel held for our ACQUIRE,
 * sent the moment our ADD lands, would otherwise reach the peer before
 * its inbound SA and be dropped.  The message waits here, built.
 */
#define KERNEL_ADD_DELAY_MS	100
struct kernel_add {
	TAILQ_ENTRY(kernel_add) kd_entry;
	struct wbuf	 kd_msg;	/* secret: holds keys */
	struct event	*kd_ev;
	uint8_t		 kd_satype;	/* what it adds, for a cancel */
	uint32_t	 kd_spi;
};
static TAILQ_HEAD(, kernel_add) kernel_adds =
    TAILQ_HEAD_INITIALIZER(kernel_adds);

/*
 * A phase 2 we initiated (a rekey) replaced an older one for the same
 * selectors.  Once the peer sends on the new inbound SA, which SADB_GET
 * shows by its current byte count, the older phase 2 is retired: a
 * DELETE to the peer, its SAs out of the kernel in both directions, as
 * a KAME kernel that prefers new SAs deletes the old ones when the new
 * one is used and racoon then tells the peer.  Until then, or where the
 * traffic only flows our way, the old SAs live to their hard lifetime.
 */
#define KERNEL_SWAP_POLL_MS	500
struct kernel_swap {
	TAILQ_ENTRY(kernel_swap) kw_entry;
	uint32_t	 kw_new;	/* ph2_id of the new phase 2 */
	uint32_t	 kw_old;	/* ph2_id of the one it replaces */
	uint8_t		 kw_satype;	/* the new inbound SA */
	uint32_t	 kw_spi;
	struct addr	 kw_src;
	struct addr	 kw_dst;
	uint32_t	 kw_seq;	/* of the GET in flight; 0: none */
};
static TAILQ_HEAD(, kernel_swap) kernel_swaps =
    TAILQ_HEAD_INITIALIZER(kernel_swaps);
static struct event	*kernel_swap_ev;

static void	kernel_lost(void);
static void	kernel_swap_watch(struct ph2 *);

static uint32_t
kernel_next_seq(void)
{
	if (++kernel_seq == 0)
		kernel_seq = 1;
	return kernel_seq;
}

/*
 * Messages the socket would not take yet: ipsecd reads its clients
 * from one loop, and a burst of negotiations (GETSPI, UPDATE, ADD) can
 * fill the socket's queue.  They wait here, in order, until it is
 * writable; a message that gets no place (KERNEL_OUTQ_MAX) is a failed
 * send, as any other.  Copies of UPDATE and ADD hold keys: wiped.
 */
#define KERNEL_OUTQ_MAX		4096
struct kernel_out {
	TAILQ_ENTRY(kernel_out) ko_entry;
	struct wbuf	 ko_msg;
};
static TAILQ_HEAD(, kernel_out) kernel_outq =
    TAILQ_HEAD_INITIALIZER(kernel_outq);
static size_t		 kernel_outq_len;
static struct event	*kernel_wev;

static void
kernel_out_free(struct kernel_out *ko)
{
	TAILQ_REMOVE(&kernel_outq, ko, ko_entry);
	kernel_outq_len--;
	wbuf_free(&ko->ko_msg);
	free(ko);
}

static int
kernel_out_queue(const struct wbuf *wb)
{
	struct kernel_out *ko;

	if (kernel_outq_len >= KERNEL_OUTQ_MAX) {
		log_warnx("PF_KEY: %zu messages wait for %s already: message "
		    "dropped", kernel_outq_len,
		    pfkey_sock_describe(&kernel_sock));
		return -1;
	}
	if ((ko = calloc(1, sizeof(*ko))) == NULL ||
	    wbuf_init(&ko->ko_msg, wbuf_len(wb), wbuf_len(wb)) == -1) {
		log_warn("PF_KEY: queue");
		free(ko);
		return -1;
	}
	wbuf_set_secret(&ko->ko_msg);
	(void)wbuf_put_bytes(&ko->ko_msg, wbuf_data(wb), wbuf_len(wb));
	TAILQ_INSERT_TAIL(&kernel_outq, ko, ko_entry);
	if (kernel_outq_len++ == 0)
		log_debug(1, "PF_KEY: %s is busy, messages queued",
		    pfkey_sock_describe(&kernel_sock));
	if (kernel_wev != NULL)
		event_add(kernel_wev, NULL);
	return 0;
}

static int
kernel_busy(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS;
}

/* The socket is writable: send what waits, in order. */
static void
kernel_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct kernel_out *ko;

	(void)fd;
	(void)what;
	(void)arg;
	while ((ko = TAILQ_FIRST(&kernel_outq)) != NULL) {
		if (pfkey_sock_send(&kernel_sock, wbuf_data(&ko->ko_msg),
		    wbuf_len(&ko->ko_msg)) == -1) {
			if (kernel_busy(errno))
				return;
			log_warn("PF_KEY: send to %s",
			    pfkey_sock_describe(&kernel_sock));
		}
		kernel_out_free(ko);
	}
	event_del(kernel_wev);
	if (kernel_after != NULL)
		kernel_after();
}

static void
kernel_outq_flush(void)
{
	while (!TAILQ_EMPTY(&kernel_outq))
		kernel_out_free(TAILQ_FIRST(&kernel_outq));
	if (kernel_wev != NULL)
		event_free(kernel_wev);
	kernel_wev = NULL;
}

static int
kernel_send(struct wbuf *wb)
{
	if (kernel_sock.ps_fd == -1) {
		log_warnx("PF_KEY: not connected to the kernel interface");
		return -1;
	}
	if (pfkey_build_end(wb) == -1) {
		log_warnx("PF_KEY: message too long");
		return -1;
	}
	if (!TAILQ_EMPTY(&kernel_outq))
		return kernel_out_queue(wb);
	if (pfkey_sock_send(&kernel_sock, wbuf_data(wb), wbuf_len(wb)) ==
	    -1) {
		if (kernel_busy(errno))
			return kernel_out_queue(wb);
		log_warn("PF_KEY: send to %s",
		    pfkey_sock_describe(&kernel_sock));
		return -1;
	}
	return 0;
}

/* A message with a header only (REGISTER, SPDDUMP, failed ACQUIRE). */
static int
kernel_send_hdr(uint8_t type, uint8_t satype, uint8_t err, uint32_t seq)
{
	struct pfkey_hdr h = { PF_KEY_V2, type, err, satype, 0, 0, seq,
	    kernel_pid };
	struct wbuf wb;
	int rv;

	if (wbuf_init(&wb, 64, 64) == -1)
		return -1;
	pfkey_build_hdr(&wb, &h);
	rv = kernel_send(&wb);
	wbuf_free(&wb);
	return rv;
}

/* Algorithm lists */

/*
 * What the kernel can install for one SA type, from its answer to our
 * REGISTER (SUPPORTED_AUTH, SUPPORTED_ENCRYPT): a native kernel lists
 * what its crypto modules provide (Linux af_key never lists the AEAD
 * ciphers, which it cannot install), ipsecd its whole table.
 */
struct kernel_algs {
	int		 kl_known;
	size_t		 kl_nauth;
	size_t		 kl_nenc;
	struct pfkey_alg kl_auth[PFKEY_MAX_ALGS];
	struct pfkey_alg kl_enc[PFKEY_MAX_ALGS];
};
static struct kernel_algs kernel_algs_esp, kernel_algs_ah;

static struct kernel_algs *
kernel_algs_of(uint8_t satype)
{
	if (satype == SADB_SATYPE_ESP)
		return &kernel_algs_esp;
	if (satype == SADB_SATYPE_AH)
		return &kernel_algs_ah;
	return NULL;
}

/* The kernel's lists in a REGISTER answer (ours or another socket's). */
static void
kernel_algs_learn(const struct pfkey_msg *m)
{
	struct kernel_algs *kl, nl;

	if (m->pm_hdr.ph_errno != 0 ||
	    (kl = kernel_algs_of(m->pm_hdr.ph_satype)) == NULL)
		return;
	memset(&nl, 0, sizeof(nl));
	if ((pfkey_has(m, SADB_EXT_SUPPORTED_AUTH) &&
	    pfkey_get_supported(m, SADB_EXT_SUPPORTED_AUTH, nl.kl_auth,
	    PFKEY_MAX_ALGS, &nl.kl_nauth) != 0) ||
	    (pfkey_has(m, SADB_EXT_SUPPORTED_ENCRYPT) &&
	    pfkey_get_supported(m, SADB_EXT_SUPPORTED_ENCRYPT, nl.kl_enc,
	    PFKEY_MAX_ALGS, &nl.kl_nenc) != 0)) {
		log_warnx("PF_KEY: REGISTER answer with a malformed algorithm "
		    "list dropped");
		return;
	}
	/* The counts as the kernel gave them; we kept at most the maximum. */
	if (nl.kl_nauth > PFKEY_MAX_ALGS)
		nl.kl_nauth = PFKEY_MAX_ALGS;
	if (nl.kl_nenc > PFKEY_MAX_ALGS)
		nl.kl_nenc = PFKEY_MAX_ALGS;
	nl.kl_known = 1;
	if (!kl->kl_known)
		log_info("PF_KEY: the kernel lists %zu integrity and %zu "
		    "encryption algorithms for %s", nl.kl_nauth, nl.kl_nenc,
		    pfkey_satype_name(m->pm_hdr.ph_satype));
	*kl = nl;
}

/* 1 if the list holds algorithm id with a key of bits (0: any size). */
static int
kernel_algs_has(const struct pfkey_alg *list, size_t n, int id,
    unsigned bits)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i].pg_id == id)
			return bits == 0 || (bits >= list[i].pg_minbits &&
			    bits <= list[i].pg_maxbits);
	return 0;
}

/* proposal_set_kernel()'s judge: 1 if the kernel can install this. */
static int
kernel_can_install(uint8_t proto, const struct alg *enc, unsigned encbits,
    const struct alg *auth)
{
	const struct kernel_algs *kl = proto == ISAKMP_PROTO_AH ?
	    &kernel_algs_ah : &kernel_algs_esp;

	/* No answer yet (or an old ipsecd without lists): let it judge. */
	if (!kl->kl_known)
		return 1;
	/* RFC 3686/4106 key sizes with or without the salt: listers differ. */
	if (enc != NULL && !kernel_algs_has(kl->kl_enc, kl->kl_nenc,
	    enc->alg_sadb, encbits) && (alg_salt_bits(enc) == 0 ||
	    !kernel_algs_has(kl->kl_enc, kl->kl_nenc, enc->alg_sadb,
	    encbits - alg_salt_bits(enc))))
		return 0;
	if (auth != NULL && !kernel_algs_has(kl->kl_auth, kl->kl_nauth,
	    auth->alg_sadb, auth->alg_keydef))
		return 0;
	return 1;
}

/* SPD */

static struct kernel_policy *
kernel_spd_find_id(uint32_t id)
{
	struct kernel_policy *kp;

	TAILQ_FOREACH(kp, &kernel_spd, kp_entry)
		if (kp->kp_pol.pp_id == id)
			return kp;
	return NULL;
}

static void
kernel_spd_remove(uint32_t id)
{
	struct kernel_policy *kp;

	if ((kp = kernel_spd_find_id(id)) != NULL) {
		TAILQ_REMOVE(&kernel_spd, kp, kp_entry);
		free(kp);
	}
}

static void
kernel_spd_flush(void)
{
	struct kernel_policy *kp;

	while ((kp = TAILQ_FIRST(&kernel_spd)) != NULL) {
		TAILQ_REMOVE(&kernel_spd, kp, kp_entry);
		free(kp);
	}
}

/* An SPD message (dump entry, SPDADD, SPDUPDATE broadcast): keep it. */
static void
kernel_spd_learn(const struct pfkey_msg *m)
{
	struct kernel_policy *kp;

	if ((kp = calloc(1, sizeof(*kp))) == NULL) {
		log_warn("SPD copy");
		return;
	}
	if (pfkey_get_address(m, SADB_EXT_ADDRESS_SRC, &kp->kp_src) != 0 ||
	    pfkey_get_address(m, SADB_EXT_ADDRESS_DST, &kp->kp_dst) != 0 ||
	    pfkey_get_policy(m, &kp->kp_pol) != 0) {
		log_warnx("PF_KEY: %s without selectors or policy dropped",
		    pfkey_msgtype_name(m->pm_hdr.ph_type));
		free(kp);
		return;
	}
	kernel_spd_remove(kp->kp_pol.pp_id);
	TAILQ_INSERT_TAIL(&kernel_spd, kp, kp_entry);
	log_debug(1, "SPD: policy %u %s learnt", kp->kp_pol.pp_id,
	    pfkey_dir_name(kp->kp_pol.pp_dir));
}

static void
kernel_spd_forget(const struct pfkey_msg *m)
{
	struct pfkey_policy pp;

	if (pfkey_get_policy(m, &pp) == 0)
		kernel_spd_remove(pp.pp_id);
}

/* A selector of the SPD as a phase 2 selector. */
static void
kernel_sel(struct ph2_sel *sel, const struct pfkey_address *pa)
{
	int v6 = pa->pa_addr.a_af == AF_INET6;

	memset(sel, 0, sizeof(*sel));
	sel->sel_addr = pa->pa_addr;
	if (pa->pa_addr.a_plen == addr_maxplen(pa->pa_addr.a_af))
		sel->sel_type = v6 ? IPSECDOI_ID_IPV6_ADDR :
		    IPSECDOI_ID_IPV4_ADDR;
	else
		sel->sel_type = v6 ? IPSECDOI_ID_IPV6_ADDR_SUBNET :
		    IPSECDOI_ID_IPV4_ADDR_SUBNET;
	sel->sel_proto = pa->pa_proto == IPSEC_ULPROTO_ANY ? 0 :
	    pa->pa_proto;
}

/* 1 if a phase 2 selector is exactly this SPD selector. */
static int
kernel_sel_eq(const struct ph2_sel *sel, const struct pfkey_address *pa)
{
	uint8_t proto = pa->pa_proto == IPSEC_ULPROTO_ANY ? 0 : pa->pa_proto;

	if (sel->sel_type == IPSECDOI_ID_IPV4_ADDR_RANGE ||
	    sel->sel_type == IPSECDOI_ID_IPV6_ADDR_RANGE)
		return 0;
	return sel->sel_proto == proto &&
	    sel->sel_addr.a_af == pa->pa_addr.a_af &&
	    sel->sel_addr.a_plen == pa->pa_addr.a_plen &&
	    sel->sel_addr.a_port == pa->pa_addr.a_port &&
	    addr_cmp_host(&sel->sel_addr, &pa->pa_addr) == 0;
}

/* What a policy's requests want, in the exchanges' numbers. */
static int
kernel_pol_from(const struct pfkey_policy *pp, struct proposal_policy *pol)
{
	size_t i;

	memset(pol, 0, sizeof(*pol));
	if (pp->pp_type != IPSEC_POLICY_IPSEC || pp->pp_nreq == 0)
		return -1;
	for (i = 0; i < pp->pp_nreq; i++) {
		const struct pfkey_ipsecreq *rq = &pp->pp_req[i];

		if (pol->pol_nproto == PROPOSAL_MAX_PROTO)
			return -1;
		if (rq->pq_proto == IPPROTO_ESP)
			pol->pol_proto[pol->pol_nproto++] = ISAKMP_PROTO_ESP;
		else if (rq->pq_proto == IPPROTO_AH)
			pol->pol_proto[pol->pol_nproto++] = ISAKMP_PROTO_AH;
		else
			return -1;	/* IPComp: ipsecd has none */
		/* The outermost request decides the mode, as in racoon. */
		pol->pol_mode = rq->pq_mode == IPSEC_MODE_TUNNEL ?
		    IPSECDOI_MODE_TUNNEL : IPSECDOI_MODE_TRANSPORT;
	}
	return 0;
}

/* ek_policy: the responder asks what our SPD wants for two selectors. */
static int
kernel_policy_cb(void *arg, const struct ph2_sel *local,
    const struct ph2_sel *remote, struct proposal_policy *pol)
{
	struct kernel_policy *kp;
	struct kernel_gen *kn;
	char l[ADDR_STRLEN + 8], r[ADDR_STRLEN + 8];

	(void)arg;
	if ((kn = kernel_gen_find(local, remote)) != NULL &&
	    kernel_pol_from(&kn->kn_pol[0].kp_pol, pol) == 0)
		return 1;
	TAILQ_FOREACH(kp, &kernel_spd, kp_entry)
		if (kp->kp_pol.pp_dir == IPSEC_DIR_OUTBOUND &&
		    kernel_sel_eq(local, &kp->kp_src) &&
		    kernel_sel_eq(remote, &kp->kp_dst) &&
		    kernel_pol_from(&kp->kp_pol, pol) == 0)
			return 0;
	/* The phase 2 says it, or generates the policy. */
	log_debug(1, "no policy found: %s -> %s", ph2_sel_fmt(local, l,
	    sizeof(l)), ph2_sel_fmt(remote, r, sizeof(r)));
	return -1;
}

/* 1 if a request of kp serves the SA (its reqid in *reqid). */
static int
kernel_req_serves(const struct kernel_policy *kp, const struct exchange_sa *xsa,
    uint8_t ipproto, uint8_t mode, uint32_t *reqid)
{
	uint8_t dir = xsa->xsa_inbound ? IPSEC_DIR_INBOUND :
	    IPSEC_DIR_OUTBOUND;
	size_t i;

	if (kp->kp_pol.pp_dir != dir ||
	    kp->kp_pol.pp_type != IPSEC_POLICY_IPSEC)
		return 0;
	for (i = 0; i < kp->kp_pol.pp_nreq; i++) {
		const struct pfkey_ipsecreq *rq = &kp->kp_pol.pp_req[i];

		if (rq->pq_proto != ipproto || rq->pq_mode != mode)
			continue;
		if (mode == IPSEC_MODE_TUNNEL ?
		    (rq->pq_src.a_af == xsa->xsa_src.a_af &&
		    addr_cmp_host(&rq->pq_src, &xsa->xsa_src) == 0 &&
		    addr_cmp_host(&rq->pq_dst, &xsa->xsa_dst) == 0) :
		    (addr_in_prefix(&xsa->xsa_src, &kp->kp_src.pa_addr) &&
		    addr_in_prefix(&xsa->xsa_dst, &kp->kp_dst.pa_addr))) {
			*reqid = rq->pq_reqid;
			return 1;
		}
	}
	return 0;
}

/*
 * The reqid of the request an SA serves, so that the kernel's SA
 * selection (mode and reqid) finds it: the policy of the SA's direction
 * whose request has its protocol and mode and, in tunnel mode, its
 * endpoints; in transport mode, whose selectors hold its addresses.
 * Policies generate_policy made come first: their SPDUPDATE has not
 * come back to our copy of the SPD yet.
 */
static uint32_t
kernel_reqid(const struct exchange_sa *xsa, uint8_t ipproto, uint8_t mode)
{
	const struct kernel_policy *kp;
	const struct kernel_gen *kn;
	uint32_t reqid;
	size_t i;

	TAILQ_FOREACH(kn, &kernel_gens, kn_entry) {
		/* Hosts behind one NAT share the tunnel's endpoints. */
		if (xsa->xsa_lsel != NULL && (!kernel_sel_eq(xsa->xsa_lsel,
		    &kn->kn_pol[0].kp_src) || !kernel_sel_eq(xsa->xsa_rsel,
		    &kn->kn_pol[0].kp_dst)))
			continue;
		for (i = 0; i < kn->kn_npol; i++)
			if (kernel_req_serves(&kn->kn_pol[i], xsa, ipproto,
			    mode, &reqid))
				return reqid;
	}
	TAILQ_FOREACH(kp, &kernel_spd, kp_entry)
		if (kernel_req_serves(kp, xsa, ipproto, mode, &reqid))
			return reqid;
	return 0;
}

/* generate_policy */

/* A phase 2 selector as a policy's; -1 for a range, which is none. */
static int
kernel_pa_from_sel(struct pfkey_address *pa, const struct ph2_sel *sel)
{
	if (sel->sel_type == IPSECDOI_ID_IPV4_ADDR_RANGE ||
	    sel->sel_type == IPSECDOI_ID_IPV6_ADDR_RANGE)
		return -1;
	memset(pa, 0, sizeof(*pa));
	pa->pa_addr = sel->sel_addr;
	if (sel->sel_type == IPSECDOI_ID_IPV4_ADDR ||
	    sel->sel_type == IPSECDOI_ID_IPV6_ADDR)
		pa->pa_addr.a_plen = addr_maxplen(sel->sel_addr.a_af);
	pa->pa_proto = sel->sel_proto == 0 ? IPSEC_ULPROTO_ANY :
	    sel->sel_proto;
	return 0;
}

static struct kernel_gen *
kernel_gen_find(const struct ph2_sel *local, const struct ph2_sel *remote)
{
	struct kernel_gen *kn;

	TAILQ_FOREACH(kn, &kernel_gens, kn_entry)
		if (kernel_sel_eq(local, &kn->kn_pol[0].kp_src) &&
		    kernel_sel_eq(remote, &kn->kn_pol[0].kp_dst))
			return kn;
	return NULL;
}

/* "10.0.0.2/32[0] 10.0.0.1/32[0] proto=any dir=out", racoon's spidx2str */
static const char *
kernel_pol_fmt(const struct kernel_policy *kp, char *buf, size_t len)
{
	char s[ADDR_STRLEN], d[ADDR_STRLEN], p[8];

	if (kp->kp_src.pa_proto == IPSEC_ULPROTO_ANY)
		snprintf(p, sizeof(p), "any");
	else
		snprintf(p, sizeof(p), "%u", kp->kp_src.pa_proto);
	snprintf(buf, len, "%s/%u[%u] %s/%u[%u] proto=%s dir=%s",
	    addr_ntop(&kp->kp_src.pa_addr, s, sizeof(s)),
	    kp->kp_src.pa_addr.a_plen, kp->kp_src.pa_addr.a_port,
	    addr_ntop(&kp->kp_dst.pa_addr, d, sizeof(d)),
	    kp->kp_dst.pa_addr.a_plen, kp->kp_dst.pa_addr.a_port, p,
	    pfkey_dir_name(kp->kp_pol.pp_dir));
	return buf;
}

/* X_SPDUPDATE or X_SPDDELETE of one generated policy. */
static int
kernel_gen_send(uint8_t type, const struct kernel_policy *kp)
{
	struct pfkey_hdr h = { PF_KEY_V2, type, 0, SADB_SATYPE_UNSPEC, 0, 0,
	    0, kernel_pid };
	struct wbuf wb;
	char buf[2 * ADDR_STRLEN + 64];
	int rv;

	h.ph_seq = kernel_next_seq();
	if (wbuf_init(&wb, 256, 1024) == -1)
		return -1;
	pfkey_build_hdr(&wb, &h);
	pfkey_put_policy(&wb, &kp->kp_pol);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &kp->kp_src);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &kp->kp_dst);
	rv = kernel_send(&wb);
	wbuf_free(&wb);
	/* A clean shutdown waits for the answers, as for DELETEs. */
	if (rv == 0 && type == SADB_X_SPDDELETE)
		kernel_del_wait++;
	if (rv == 0)
		log_info("%s the generated policy: %s", type ==
		    SADB_X_SPDUPDATE ? "installed" : "deleted",
		    kernel_pol_fmt(kp, buf, sizeof(buf)));
	return rv;
}

/* The policy of one direction, its requests made from pol. */
static void
kernel_gen_make(struct kernel_policy *kp, uint8_t dir,
    const struct pfkey_address *src, const struct pfkey_address *dst,
    const struct proposal_policy *pol, const struct addr *tsrc,
    const struct addr *tdst, uint32_t reqid)
{
	size_t i;

	memset(kp, 0, sizeof(*kp));
	kp->kp_src = *src;
	kp->kp_dst = *dst;
	kp->kp_pol.pp_type = IPSEC_POLICY_IPSEC;
	kp->kp_pol.pp_dir = dir;
	kp->kp_pol.pp_nreq = pol->pol_nproto;
	for (i = 0; i < pol->pol_nproto; i++) {
		struct pfkey_ipsecreq *rq = &kp->kp_pol.pp_req[i];

		rq->pq_proto = pol->pol_proto[i] == ISAKMP_PROTO_AH ?
		    IPPROTO_AH : IPPROTO_ESP;
		rq->pq_level = reqid != 0 ? IPSEC_LEVEL_UNIQUE :
		    IPSEC_LEVEL_REQUIRE;
		rq->pq_reqid = reqid;
		if (pol->pol_mode != IPSECDOI_MODE_TUNNEL) {
			rq->pq_mode = IPSEC_MODE_TRANSPORT;
			continue;
		}
		rq->pq_mode = IPSEC_MODE_TUNNEL;
		rq->pq_src = *tsrc;
		rq->pq_dst = *tdst;
		rq->pq_src.a_port = rq->pq_dst.a_port = 0;
		rq->pq_src.a_plen = addr_maxplen(tsrc->a_af);
		rq->pq_dst.a_plen = addr_maxplen(tdst->a_af);
	}
}

static int
kernel_pa_eq(const struct pfkey_address *a, const struct pfkey_address *b)
{
	return a->pa_proto == b->pa_proto &&
	    a->pa_addr.a_af == b->pa_addr.a_af &&
	    a->pa_addr.a_plen == b->pa_addr.a_plen &&
	    a->pa_addr.a_port == b->pa_addr.a_port &&
	    addr_cmp_host(&a->pa_addr, &b->pa_addr) == 0;
}

/*
 * Our copy of the SPD forgets a policy we delete at once, not when the
 * kernel's broadcast comes back: a phase 2 in between must not take it
 * for a policy that is still there.
 */
static void
kernel_spd_forget_gen(const struct kernel_policy *gp)
{
	struct kernel_policy *kp, *next;

	for (kp = TAILQ_FIRST(&kernel_spd); kp != NULL; kp = next) {
		next = TAILQ_NEXT(kp, kp_entry);
		if (kp->kp_pol.pp_dir == gp->kp_pol.pp_dir &&
		    kernel_pa_eq(&kp->kp_src, &gp->kp_src) &&
		    kernel_pa_eq(&kp->kp_dst, &gp->kp_dst)) {
			TAILQ_REMOVE(&kernel_spd, kp, kp_entry);
			free(kp);
		}
	}
}

static void
kernel_gen_free(struct kernel_gen *kn, int delete)
{
	size_t i;

	TAILQ_REMOVE(&kernel_gens, kn, kn_entry);
	for (i = 0; delete && i < kn->kn_npol; i++) {
		(void)kernel_gen_send(SADB_X_SPDDELETE, &kn->kn_pol[i]);
		kernel_spd_forget_gen(&kn->kn_pol[i]);
	}
	free(kn);
}

static int
kernel_reqid_used(uint32_t reqid)
{
	const struct kernel_policy *kp;
	const struct kernel_gen *kn;
	size_t i, j;

	TAILQ_FOREACH(kp, &kernel_spd, kp_entry)
		for (i = 0; i < kp->kp_pol.pp_nreq; i++)
			if (kp->kp_pol.pp_req[i].pq_reqid == reqid)
				return 1;
	TAILQ_FOREACH(kn, &kernel_gens, kn_entry)
		for (j = 0; j < kn->kn_npol; j++)
			for (i = 0; i < kn->kn_pol[j].kp_pol.pp_nreq; i++)
				if (kn->kn_pol[j].kp_pol.pp_req[i].pq_reqid ==
				    reqid)
					return 1;
	return 0;
}

/*
 * A reqid for generate_policy unique that the kernel keeps: above
 * IPSEC_MANUAL_REQID_MAX af_key (and ipsecd) draw a reqid of their own
 * for each policy, which the SAs could not name.  From the top of the
 * manual range down, skipping those in use; 0 if none is free.
 */
static uint32_t
kernel_gen_newreqid(void)
{
	uint32_t n;

	for (n = 0; n < IPSEC_MANUAL_REQID_MAX; n++) {
		if (kernel_gen_reqid == 0)
			kernel_gen_reqid = IPSEC_MANUAL_REQID_MAX;
		if (!kernel_reqid_used(kernel_gen_reqid))
			return kernel_gen_reqid--;
		kernel_gen_reqid--;
	}
	return 0;
}

/* ek_genpolicy */
static int
kernel_genpolicy_cb(void *arg, int hold, const struct ph2_sel *local,
    const struct ph2_sel *remote, const struct proposal_policy *pol,
    const struct addr *me, const struct addr *peer, int unique)
{
	struct pfkey_address l, r;
	struct kernel_gen *kn;
	uint32_t reqid = 0;
	size_t i;

	(void)arg;
	kn = kernel_gen_find(local, remote);
	if (!hold) {
		if (kn != NULL && --kn->kn_refs == 0)
			kernel_gen_free(kn, 1);
		return 0;
	}
	if (kn != NULL) {
		kn->kn_refs++;
		return 0;
	}
	if (kernel_pa_from_sel(&l, local) == -1 ||
	    kernel_pa_from_sel(&r, remote) == -1 || pol->pol_nproto == 0 ||
	    pol->pol_nproto > PFKEY_MAX_IPSECREQ) {
		log_warnx("generate_policy: no policy for these selectors");
		return -1;
	}
	if ((kn = calloc(1, sizeof(*kn))) == NULL) {
		log_warn("generate_policy");
		return -1;
	}
	if (unique && (reqid = kernel_gen_newreqid()) == 0) {
		log_warnx("generate_policy: no free reqid");
		free(kn);
		return -1;
	}
	kernel_gen_make(&kn->kn_pol[0], IPSEC_DIR_OUTBOUND, &l, &r, pol, me,
	    peer, reqid);
	kernel_gen_make(&kn->kn_pol[1], IPSEC_DIR_INBOUND, &r, &l, pol, peer,
	    me, reqid);
	kn->kn_npol = 2;
	if (pol->pol_mode == IPSECDOI_MODE_TUNNEL)
		kernel_gen_make(&kn->kn_pol[kn->kn_npol++], IPSEC_DIR_FWD, &r,
		    &l, pol, peer, me, reqid);
	kn->kn_refs = 1;
	TAILQ_INSERT_TAIL(&kernel_gens, kn, kn_entry);
	for (i = 0; i < kn->kn_npol; i++)
		if (kernel_gen_send(SADB_X_SPDUPDATE, &kn->kn_pol[i]) == -1) {
			kn->kn_npol = i;
			kernel_gen_free(kn, 1);
			return -1;
		}
	return 0;
}

/* GETSPI */

static int
kernel_getspi_cb(void *arg, uint32_t id, size_t idx, uint8_t proto,
    const struct addr *src, const struct addr *dst, uint32_t *spi)
{
	struct pfkey_hdr h = { PF_KEY_V2, SADB_GETSPI, 0, 0, 0, 0, 0,
	    kernel_pid };
	struct pfkey_address ps, pd;
	struct pfkey_spirange sr = { 0x100, 0x0fffffff };
	struct kernel_getspi *kg;
	struct wbuf wb;

	(void)arg;
	(void)spi;
	h.ph_satype = proto == ISAKMP_PROTO_AH ? SADB_SATYPE_AH :
	    SADB_SATYPE_ESP;
	h.ph_seq = kernel_next_seq();
	ps.pa_proto = pd.pa_proto = IPSEC_ULPROTO_ANY;
	ps.pa_addr = *src;
	pd.pa_addr = *dst;
	ps.pa_addr.a_port = pd.pa_addr.a_port = 0;
	ps.pa_addr.a_plen = addr_maxplen(src->a_af);
	pd.pa_addr.a_plen = addr_maxplen(dst->a_af);
	if ((kg = calloc(1, sizeof(*kg))) == NULL)
		return -1;
	if (wbuf_init(&wb, 128, 256) == -1) {
		free(kg);
		return -1;
	}
	pfkey_build_hdr(&wb, &h);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &ps);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &pd);
	pfkey_put_spirange(&wb, &sr);
	if (kernel_send(&wb) == -1) {
		wbuf_free(&wb);
		free(kg);
		return -1;
	}
	wbuf_free(&wb);
	kg->kg_seq = h.ph_seq;
	kg->kg_id = id;
	kg->kg_idx = idx;
	TAILQ_INSERT_TAIL(&kernel_getspis, kg, kg_entry);
	return 1;
}

static void
kernel_getspi_reply(const struct pfkey_msg *m)
{
	struct kernel_getspi *kg;
	struct pfkey_sa sa;
	uint32_t id;
	size_t idx;

	TAILQ_FOREACH(kg, &kernel_getspis, kg_entry)
		if (kg->kg_seq == m->pm_hdr.ph_seq)
			break;
	if (kg == NULL)
		return;
	TAILQ_REMOVE(&kernel_getspis, kg, kg_entry);
	id = kg->kg_id;
	idx = kg->kg_idx;
	free(kg);
	if (m->pm_hdr.ph_errno != 0) {
		log_warnx("PF_KEY: GETSPI failed: %s",
		    strerror(m->pm_hdr.ph_errno));
		exchange_spi(kernel_env, id, idx, 0);
		return;
	}
	if (pfkey_get_sa(m, &sa) != 0 || sa.ps_spi == 0) {
		log_warnx("PF_KEY: GETSPI reply without an SPI");
		exchange_spi(kernel_env, id, idx, 0);
		return;
	}
	log_debug(1, "PF_KEY: GETSPI: spi 0x%08x", sa.ps_spi);
	exchange_spi(kernel_env, id, idx, sa.ps_spi);
}

/* UPDATE, ADD */

/* Keys from the keymat: the cipher's first, then integrity's. */
static int
kernel_put_keys(struct wbuf *wb, const struct exchange_sa *xsa)
{
	size_t ek = xsa->xsa_enc != NULL ? xsa->xsa_enc_bits / 8 : 0;
	size_t ak = xsa->xsa_auth != NULL ? xsa->xsa_auth_bits / 8 : 0;

	if (ek + ak > xsa->xsa_keymat_len)
		return -1;
	if (ak != 0 && pfkey_put_key(wb, SADB_EXT_KEY_AUTH,
	    (uint16_t)xsa->xsa_auth_bits, xsa->xsa_keymat + ek) == -1)
		return -1;
	if (ek != 0 && pfkey_put_key(wb, SADB_EXT_KEY_ENCRYPT,
	    (uint16_t)xsa->xsa_enc_bits, xsa->xsa_keymat) == -1)
		return -1;
	return 0;
}

static void
kernel_add_free(struct kernel_add *kd)
{
	TAILQ_REMOVE(&kernel_adds, kd, kd_entry);
	if (kd->kd_ev != NULL)
		event_free(kd->kd_ev);
	wbuf_free(&kd->kd_msg);
	free(kd);
}

static void
kernel_add_cb(evutil_socket_t fd, short what, void *arg)
{
	struct kernel_add *kd = arg;

	(void)fd;
	(void)what;
	(void)kernel_send(&kd->kd_msg);
	kernel_add_free(kd);
	if (kernel_after != NULL)
		kernel_after();
}

/* Send the built ADD in wb after KERNEL_ADD_DELAY_MS; 0 or -1. */
static int
kernel_add_later(struct wbuf *wb, uint8_t satype, uint32_t spi)
{
	struct timeval tv = { 0, KERNEL_ADD_DELAY_MS * 1000 };
	struct kernel_add *kd;

	if ((kd = calloc(1, sizeof(*kd))) == NULL)
		return -1;
	if (wbuf_init(&kd->kd_msg, wbuf_len(wb), PFKEY_MSG_MAX) == -1) {
		free(kd);
		return -1;
	}
	wbuf_set_secret(&kd->kd_msg);
	kd->kd_satype = satype;
	kd->kd_spi = spi;
	TAILQ_INSERT_TAIL(&kernel_adds, kd, kd_entry);
	if (wbuf_put_bytes(&kd->kd_msg, wbuf_data(wb), wbuf_len(wb)) == -1 ||
	    (kd->kd_ev = evtimer_new(kernel_base, kernel_add_cb, kd)) ==
	    NULL || evtimer_add(kd->kd_ev, &tv) == -1) {
		kernel_add_free(kd);
		return -1;
	}
	return 0;
}

/*
 * An SA deleted before its held-back ADD went out (racoonctl deletes at
 * once): the ADD must not install it afterwards.
 */
static void
kernel_add_cancel(uint8_t satype, uint32_t spi)
{
	struct kernel_add *kd, *next;

	for (kd = TAILQ_FIRST(&kernel_adds); kd != NULL; kd = next) {
		next = TAILQ_NEXT(kd, kd_entry);
		if (kd->kd_satype == satype && kd->kd_spi == spi)
			kernel_add_free(kd);
	}
}

/*
 * 1 if an SA comes from a phase 2 we initiated: an ACQUIRE (or rekey)
 * of ours waits for a phase 2 between the SA's endpoints.
 */
static int
kernel_initiating(const struct exchange_sa *xsa)
{
	const struct kernel_acq *ka;

	TAILQ_FOREACH(ka, &kernel_acqs, ka_entry)
		if (ka->ka_ph2id != 0 &&
		    ka->ka_local.a_af == xsa->xsa_src.a_af &&
		    addr_cmp_host(&ka->ka_local, &xsa->xsa_src) == 0 &&
		    addr_cmp_host(&ka->ka_peer, &xsa->xsa_dst) == 0)
			return 1;
	return 0;
}

/*
 * The UPDATE or ADD of one SA, with the NAT-T extensions when it is
 * UDP-encapsulated (the ports are those of xsa_src and xsa_dst).
 */
static int
kernel_sa_msg(struct wbuf *wb, const struct exchange_sa *xsa, uint8_t type,
    uint32_t seq, struct pfkey_sa2 *sa2)
{
	struct pfkey_hdr h = { PF_KEY_V2, 0, 0, 0, 0, 0, 0, kernel_pid };
	struct pfkey_sa sa;
	struct pfkey_lifetime hard, soft;
	struct pfkey_address ps, pd, oa;
	uint8_t ipproto;

	h.ph_type = type;
	h.ph_satype = xsa->xsa_proto == ISAKMP_PROTO_AH ? SADB_SATYPE_AH :
	    SADB_SATYPE_ESP;
	h.ph_seq = seq;
	ipproto = xsa->xsa_proto == ISAKMP_PROTO_AH ? IPPROTO_AH :
	    IPPROTO_ESP;
	memset(&sa, 0, sizeof(sa));
	sa.ps_spi = xsa->xsa_spi;
	sa.ps_replay = IPSEC_REPLAYWSIZE;
	sa.ps_state = SADB_SASTATE_MATURE;
	sa.ps_auth = xsa->xsa_auth != NULL ? (uint8_t)xsa->xsa_auth->alg_sadb :
	    SADB_AALG_NONE;
	sa.ps_encrypt = xsa->xsa_enc != NULL ?
	    (uint8_t)xsa->xsa_enc->alg_sadb : SADB_EALG_NONE;
	memset(sa2, 0, sizeof(*sa2));
	sa2->p2_mode = xsa->xsa_mode == IPSECDOI_MODE_TUNNEL ?
	    IPSEC_MODE_TUNNEL : IPSEC_MODE_TRANSPORT;
	sa2->p2_reqid = kernel_reqid(xsa, ipproto, sa2->p2_mode);
	/* The soft lifetime at 80% of the hard one, as racoon sets it. */
	memset(&hard, 0, sizeof(hard));
	memset(&soft, 0, sizeof(soft));
	hard.pl_addtime = xsa->xsa_lifetime;
	soft.pl_addtime = (uint64_t)xsa->xsa_lifetime * 8 / 10;
	hard.pl_bytes = xsa->xsa_lifekb * 1024;
	soft.pl_bytes = hard.pl_bytes / 10 * 8;
	ps.pa_proto = pd.pa_proto = IPSEC_ULPROTO_ANY;
	ps.pa_addr = xsa->xsa_src;
	pd.pa_addr = xsa->xsa_dst;
	ps.pa_addr.a_port = pd.pa_addr.a_port = 0;
	ps.pa_addr.a_plen = addr_maxplen(ps.pa_addr.a_af);
	pd.pa_addr.a_plen = addr_maxplen(pd.pa_addr.a_af);
	pfkey_build_hdr(wb, &h);
	pfkey_put_sa(wb, &sa);
	pfkey_put_sa2(wb, sa2);
	pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_HARD, &hard);
	pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_SOFT, &soft);
	pfkey_put_address(wb, SADB_EXT_ADDRESS_SRC, &ps);
	pfkey_put_address(wb, SADB_EXT_ADDRESS_DST, &pd);
	if (xsa->xsa_natt) {
		pfkey_put_nat_t_type(wb, UDP_ENCAP_ESPINUDP);
		pfkey_put_nat_t_port(wb, SADB_X_EXT_NAT_T_SPORT,
		    xsa->xsa_src.a_port);
		pfkey_put_nat_t_port(wb, SADB_X_EXT_NAT_T_DPORT,
		    xsa->xsa_dst.a_port);
		if (xsa->xsa_has_oa) {
			oa.pa_proto = IPSEC_ULPROTO_ANY;
			oa.pa_addr = xsa->xsa_oa;
			oa.pa_addr.a_port = 0;
			oa.pa_addr.a_plen = addr_maxplen(oa.pa_addr.a_af);
			pfkey_put_address(wb, SADB_X_EXT_NAT_T_OA, &oa);
		}
	}
	return kernel_put_keys(wb, xsa);
}

static void
kernel_sa_free(struct kernel_sa *ks)
{
	if (ks->ks_keymat != NULL) {
		mem_wipe(ks->ks_keymat, ks->ks_xsa.xsa_keymat_len);
		free(ks->ks_keymat);
	}
	free(ks);
}

/*
 * Keep what it takes to install a UDP-encapsulated SA again when the
 * peer's NAT mapping changes (its keys too: UPDATE carries them).
 */
static int
kernel_sa_keep(struct kernel_sa *ks, const struct exchange_sa *xsa)
{
	if (!xsa->xsa_natt)
		return 0;
	if ((ks->ks_keymat = malloc(xsa->xsa_keymat_len)) == NULL)
		return -1;
	memcpy(ks->ks_keymat, xsa->xsa_keymat, xsa->xsa_keymat_len);
	ks->ks_xsa = *xsa;
	ks->ks_xsa.xsa_keymat = ks->ks_keymat;
	if (xsa->xsa_lsel != NULL) {
		ks->ks_lsel = *xsa->xsa_lsel;
		ks->ks_rsel = *xsa->xsa_rsel;
		ks->ks_xsa.xsa_lsel = &ks->ks_lsel;
		ks->ks_xsa.xsa_rsel = &ks->ks_rsel;
	}
	return 0;
}

/*
 * Install one SA: UPDATE of the larval inbound SA, ADD of the outbound
 * one (held back KERNEL_ADD_DELAY_MS when we initiated).
 */
static int
kernel_install(const struct exchange_sa *xsa)
{
	struct pfkey_sa2 sa2;
	struct kernel_sa *ks;
	struct wbuf wb;
	uint32_t seq = kernel_next_seq();
	int rv = -1;

	if ((ks = calloc(1, sizeof(*ks))) == NULL)
		return -1;
	if (wbuf_init(&wb, 512, 1024) == -1) {
		free(ks);
		return -1;
	}
	wbuf_set_secret(&wb);
	if (kernel_sa_keep(ks, xsa) == -1 ||
	    kernel_sa_msg(&wb, xsa, xsa->xsa_inbound ? SADB_UPDATE : SADB_ADD,
	    seq, &sa2) == -1 ||
	    (!xsa->xsa_inbound && kernel_initiating(xsa) ?
	    kernel_add_later(&wb, xsa->xsa_proto == ISAKMP_PROTO_AH ?
	    SADB_SATYPE_AH : SADB_SATYPE_ESP, xsa->xsa_spi) :
	    kernel_send(&wb)) == -1) {
		kernel_sa_free(ks);
		goto out;
	}
	ks->ks_satype = xsa->xsa_proto == ISAKMP_PROTO_AH ? SADB_SATYPE_AH :
	    SADB_SATYPE_ESP;
	ks->ks_spi = xsa->xsa_spi;
	ks->ks_src = xsa->xsa_src;
	ks->ks_dst = xsa->xsa_dst;
	ks->ks_src.a_port = ks->ks_dst.a_port = 0;
	ks->ks_src.a_plen = addr_maxplen(ks->ks_src.a_af);
	ks->ks_dst.a_plen = addr_maxplen(ks->ks_dst.a_af);
	ks->ks_mode = sa2.p2_mode;
	ks->ks_reqid = sa2.p2_reqid;
	ks->ks_outbound = !xsa->xsa_inbound;
	ks->ks_seq = seq;
	TAILQ_INSERT_TAIL(&kernel_sas, ks, ks_entry);
	rv = 0;
out:
	wbuf_free(&wb);
	return rv;
}

static int
kernel_install_cb(void *arg, const struct exchange_sa *xsa)
{
	static int told;

	(void)arg;
	/*
	 * Linux's af_key cuts hmac-sha256 to 96 bits where RFC 4868 says
	 * 128, and PF_KEY has no way to ask otherwise (racoon.8): said
	 * once, since a peer that follows the RFC fails every packet.
	 */
	if (!told && kernel_native() && xsa->xsa_auth != NULL &&
	    xsa->xsa_auth->alg_sadb == SADB_X_AALG_SHA2_256HMAC) {
		log_warnx("AF_KEY: the kernel truncates hmac-sha256 to 96 "
		    "bits, not RFC 4868's 128: only a peer doing the same "
		    "can read these SAs (racoon(8), NATIVE KERNEL IPSEC)");
		told = 1;
	}
	return kernel_install(xsa);
}

static struct kernel_sa *
kernel_sa_find(uint8_t satype, uint32_t spi, const struct addr *dst)
{
	struct kernel_sa *ks;

	/* Newest first: mostly the SA just installed is asked for. */
	TAILQ_FOREACH_REVERSE(ks, &kernel_sas, kernel_sa_list, ks_entry)
		if (ks->ks_satype == satype && ks->ks_spi == spi &&
		    addr_cmp_host(&ks->ks_dst, dst) == 0)
			return ks;
	return NULL;
}

/*
 * 1 if we gave the kernel an outbound SA that its SA selection (type,
 * addresses, mode, reqid) would pick for this ACQUIRE: the ACQUIRE
 * crossed our ADD (a packet went out between our UPDATE and ADD), and
 * the ADD answers it.  EXPIRE and DELETE take SAs off the list, so an
 * ACQUIRE after the SAs died is never mistaken for one of these.
 */
static int
kernel_sa_covers(uint8_t satype, const struct addr *src,
    const struct addr *dst, const struct kernel_policy *kp)
{
	const struct kernel_sa *ks;
	uint16_t proto = pfkey_satype2proto(satype);
	size_t i;

	for (i = 0; i < kp->kp_pol.pp_nreq; i++)
		if (kp->kp_pol.pp_req[i].pq_proto == proto)
			break;
	if (i == kp->kp_pol.pp_nreq)
		return 0;
	TAILQ_FOREACH(ks, &kernel_sas, ks_entry)
		if (ks->ks_outbound && ks->ks_satype == satype &&
		    ks->ks_mode == kp->kp_pol.pp_req[i].pq_mode &&
		    ks->ks_reqid == kp->kp_pol.pp_req[i].pq_reqid &&
		    ks->ks_src.a_af == src->a_af &&
		    addr_cmp_host(&ks->ks_src, src) == 0 &&
		    addr_cmp_host(&ks->ks_dst, dst) == 0)
			return 1;
	return 0;
}

/* The kernel's answer to our UPDATE or ADD: only failures matter. */
static void
kernel_install_reply(const struct pfkey_msg *m)
{
	struct kernel_sa *ks;

	if (m->pm_hdr.ph_errno == 0)
		return;
	TAILQ_FOREACH(ks, &kernel_sas, ks_entry)
		if (ks->ks_seq == m->pm_hdr.ph_seq)
			break;
	if (ks == NULL)
		return;
	log_warnx("PF_KEY: %s of spi 0x%08x failed: %s",
	    pfkey_msgtype_name(m->pm_hdr.ph_type), ks->ks_spi,
	    strerror(m->pm_hdr.ph_errno));
	TAILQ_REMOVE(&kernel_sas, ks, ks_entry);
	kernel_sa_free(ks);
}

/* An SA is gone (EXPIRE hard, DELETE): forget it, log racoon's line. */
static void
kernel_sa_gone(const struct pfkey_msg *m, int expired)
{
	struct pfkey_sa sa;
	struct pfkey_address src, dst;
	struct pfkey_sa2 sa2 = { IPSEC_MODE_ANY, 0, 0 };
	struct kernel_sa *ks;
	char s[ADDR_STRLEN], d[ADDR_STRLEN];

	if (pfkey_get_sa(m, &sa) != 0 ||
	    pfkey_get_address(m, SADB_EXT_ADDRESS_SRC, &src) != 0 ||
	    pfkey_get_address(m, SADB_EXT_ADDRESS_DST, &dst) != 0)
		return;
	(void)pfkey_get_sa2(m, &sa2);
	if ((ks = kernel_sa_find(m->pm_hdr.ph_satype, sa.ps_spi,
	    &dst.pa_addr)) == NULL)
		return;
	TAILQ_REMOVE(&kernel_sas, ks, ks_entry);
	kernel_sa_free(ks);
	if (expired)
		log_info("IPsec-SA expired: %s/%s %s[%u]->%s[%u] "
		    "spi=%u(0x%x)", m->pm_hdr.ph_satype == SADB_SATYPE_AH ?
		    "AH" : "ESP", sa2.p2_mode == IPSEC_MODE_TUNNEL ?
		    "Tunnel" : "Transport",
		    addr_ntop(&src.pa_addr, s, sizeof(s)), 0,
		    addr_ntop(&dst.pa_addr, d, sizeof(d)), 0, sa.ps_spi,
		    sa.ps_spi);
}

static void	kernel_rekey(struct kernel_sa *);

/* setkey -F: the SAs of that type (or of all) are gone. */
static void
kernel_sa_flush(uint8_t satype)
{
	struct kernel_sa *ks, *next;

	for (ks = TAILQ_FIRST(&kernel_sas); ks != NULL; ks = next) {
		next = TAILQ_NEXT(ks, ks_entry);
		if (satype == SADB_SATYPE_UNSPEC || ks->ks_satype == satype) {
			TAILQ_REMOVE(&kernel_sas, ks, ks_entry);
			kernel_sa_free(ks);
		}
	}
}

/*
 * The SAD was flushed (setkey -F) for satype: the established phase 2s
 * with an SA of that type end with a DELETE to their peer, which would
 * otherwise keep sending on SAs we no longer have.
 */
static void
kernel_flush_ph2(uint8_t satype)
{
	struct ph1 *ph1;
	struct ph2 *ph2;
	size_t i;
	uint8_t proto;

	TAILQ_FOREACH(ph1, &kernel_env->env_ph1s, ph1_entry)
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
			for (i = 0; i < ph2->ph2_prop.pp_nsa; i++) {
				proto = ph2->ph2_prop.pp_sa[i].ps_proto;
				if (satype != SADB_SATYPE_UNSPEC &&
				    satype != (proto == ISAKMP_PROTO_AH ?
				    SADB_SATYPE_AH : SADB_SATYPE_ESP))
					continue;
				exchange_ph2_lost(ph2, "flushed from the "
				    "kernel");
				break;
			}
}

static void
kernel_expire(const struct pfkey_msg *m)
{
	struct pfkey_sa sa;
	struct pfkey_address dst;
	struct kernel_sa *ks;

	if (pfkey_has(m, SADB_EXT_LIFETIME_HARD)) {
		kernel_sa_gone(m, 1);
		return;
	}
	/*
	 * Soft: the initiator of the phase 2 negotiates the next SAs now,
	 * so that they are in place before the hard lifetime (the kernel
	 * sends with the newest); the other SAs just age.
	 */
	if (pfkey_get_sa(m, &sa) != 0 ||
	    pfkey_get_address(m, SADB_EXT_ADDRESS_DST, &dst) != 0 ||
	    (ks = kernel_sa_find(m->pm_hdr.ph_satype, sa.ps_spi,
	    &dst.pa_addr)) == NULL || !ks->ks_rekey)
		return;
	ks->ks_rekey = 0;
	kernel_rekey(ks);
}

/* DELETE of one SA; it leaves our list whatever the kernel answers. */
static int
kernel_delete_sa(uint8_t satype, uint32_t spi, const struct addr *src,
    const struct addr *dst)
{
	struct pfkey_hdr h = { PF_KEY_V2, SADB_DELETE, 0, satype, 0, 0, 0,
	    kernel_pid };
	struct pfkey_sa sa;
	struct pfkey_address ps, pd;
	struct kernel_sa *ks;
	struct wbuf wb;
	char s[ADDR_STRLEN], d[ADDR_STRLEN];
	int rv;

	if ((ks = kernel_sa_find(satype, spi, dst)) != NULL) {
		TAILQ_REMOVE(&kernel_sas, ks, ks_entry);
		kernel_sa_free(ks);
	}
	kernel_add_cancel(satype, spi);
	h.ph_seq = kernel_next_seq();
	memset(&sa, 0, sizeof(sa));
	sa.ps_spi = spi;
	ps.pa_proto = pd.pa_proto = IPSEC_ULPROTO_ANY;
	ps.pa_addr = *src;
	pd.pa_addr = *dst;
	ps.pa_addr.a_port = pd.pa_addr.a_port = 0;
	ps.pa_addr.a_plen = addr_maxplen(src->a_af);
	pd.pa_addr.a_plen = addr_maxplen(dst->a_af);
	if (wbuf_init(&wb, 128, 256) == -1)
		return -1;
	pfkey_build_hdr(&wb, &h);
	pfkey_put_sa(&wb, &sa);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &ps);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &pd);
	if ((rv = kernel_send(&wb)) == 0)
		kernel_del_wait++;
	if (rv == 0)
		log_info("IPsec-SA deleted: %s %s->%s spi=%u(0x%x)",
		    pfkey_satype_name(satype), addr_ntop(src, s, sizeof(s)),
		    addr_ntop(dst, d, sizeof(d)), spi, spi);
	wbuf_free(&wb);
	return rv;
}

/* ek_delete: the peer deleted an SA pair. */
static int
kernel_delete_cb(void *arg, uint8_t proto, uint32_t spi,
    const struct addr *src, const struct addr *dst)
{
	(void)arg;
	return kernel_delete_sa(proto == ISAKMP_PROTO_AH ? SADB_SATYPE_AH :
	    SADB_SATYPE_ESP, spi, src, dst);
}

void
kernel_delete_ours(void)
{
	struct kernel_sa *ks;
	struct addr src, dst;

	while ((ks = TAILQ_FIRST(&kernel_sas)) != NULL) {
		src = ks->ks_src;
		dst = ks->ks_dst;
		(void)kernel_delete_sa(ks->ks_satype, ks->ks_spi, &src, &dst);
	}
	while (!TAILQ_EMPTY(&kernel_gens))
		kernel_gen_free(TAILQ_FIRST(&kernel_gens), 1);
}

/* NAT-T */

/*
 * One UDP-encapsulated SA with the peer at its new port: UPDATE, which
 * keeps the SA and its counters.
 */
static void
kernel_sa_move(struct kernel_sa *ks, const struct addr *to)
{
	struct exchange_sa *xsa = &ks->ks_xsa;
	struct addr *peer = xsa->xsa_inbound ? &xsa->xsa_src : &xsa->xsa_dst;
	struct pfkey_sa2 sa2;
	struct wbuf wb;

	peer->a_port = to->a_port;
	if (wbuf_init(&wb, 512, 1024) == -1)
		return;
	wbuf_set_secret(&wb);
	if (kernel_sa_msg(&wb, xsa, SADB_UPDATE, kernel_next_seq(),
	    &sa2) == 0 && kernel_send(&wb) == 0)
		log_info("IPsec-SA %s spi=%u(0x%x): peer's NAT-T port now %u",
		    pfkey_satype_name(ks->ks_satype), ks->ks_spi, ks->ks_spi,
		    to->a_port);
	wbuf_free(&wb);
}

/*
 * SADB_X_NAT_T_NEW_MAPPING: ESP-in-UDP of an SA of ours came from
 * another address or port than the SA names (its ICV verified: the
 * peer's NAT mapped it anew).  IKE moves (natt_new_mapping); so does
 * every SA with that peer and port when only the port changed.  A new
 * address cannot be given to an SA without starting its sequence
 * numbers again, which the peer's replay window refuses: those SAs
 * go, the peer being told to negotiate new ones (natt_new_mapping).
 * As af_key lays it out: the SA, ADDRESS_SRC and NAT_T_SPORT the old
 * peer, ADDRESS_DST and NAT_T_DPORT the new one.
 */
static void
kernel_newmap(const struct pfkey_msg *m)
{
	struct pfkey_address src, dst;
	struct pfkey_sa sa;
	struct kernel_sa *ks, *next;
	const struct exchange_sa *xsa;
	struct addr from, to;
	uint16_t sport, dport;
	char f[ADDR_STRLEN], t[ADDR_STRLEN];

	if (pfkey_get_sa(m, &sa) != 0 ||
	    pfkey_get_address(m, SADB_EXT_ADDRESS_SRC, &src) != 0 ||
	    pfkey_get_address(m, SADB_EXT_ADDRESS_DST, &dst) != 0 ||
	    pfkey_get_nat_t_port(m, SADB_X_EXT_NAT_T_SPORT, &sport) != 0 ||
	    pfkey_get_nat_t_port(m, SADB_X_EXT_NAT_T_DPORT, &dport) != 0 ||
	    src.pa_addr.a_af != dst.pa_addr.a_af) {
		log_warnx("PF_KEY: X_NAT_T_NEW_MAPPING without SA, "
		    "addresses or ports dropped");
		return;
	}
	from = src.pa_addr;
	to = dst.pa_addr;
	from.a_port = sport;
	to.a_port = dport;
	from.a_plen = to.a_plen = addr_maxplen(from.a_af);
	TAILQ_FOREACH(ks, &kernel_sas, ks_entry)
		if (ks->ks_keymat != NULL && !ks->ks_outbound &&
		    ks->ks_spi == sa.ps_spi &&
		    addr_cmp_host(&ks->ks_src, &from) == 0)
			break;
	if (ks == NULL || ks->ks_xsa.xsa_src.a_port != sport) {
		log_debug(1, "PF_KEY: NEW_MAPPING for spi 0x%08x: not an SA "
		    "of ours, or already followed", sa.ps_spi);
		return;
	}
	log_info("NAT-T: peer %s moved to %s (NEW_MAPPING of spi=%u(0x%x))",
	    addr_fmt(&from, ADDR_PORT, f, sizeof(f)),
	    addr_fmt(&to, ADDR_PORT, t, sizeof(t)), sa.ps_spi, sa.ps_spi);
	natt_new_mapping(kernel_env, &from, &to);
	if (addr_cmp_host(&from, &to) != 0)
		return;
	for (ks = TAILQ_FIRST(&kernel_sas); ks != NULL; ks = next) {
		next = TAILQ_NEXT(ks, ks_entry);
		if (ks->ks_keymat == NULL)
			continue;
		xsa = &ks->ks_xsa;
		if (addr_cmp(xsa->xsa_inbound ? &xsa->xsa_src : &xsa->xsa_dst,
		    &from) == 0)
			kernel_sa_move(ks, &to);
	}
}

/* ACQUIRE */

static void
kernel_acq_free(struct kernel_acq *ka, int err)
{
	TAILQ_REMOVE(&kernel_acqs, ka, ka_entry);
	/* seq 0: a rekey of ours, no kernel request to answer. */
	if (err != 0 && ka->ka_seq != 0)
		(void)kernel_send_hdr(SADB_ACQUIRE, ka->ka_satype,
		    (uint8_t)err, ka->ka_seq);
	free(ka);
}

/* Newest established and not dying first (ph1_find_peer). */
static struct ph1 *
kernel_ph1_find(const struct addr *local, const struct addr *peer,
    int established)
{
	return ph1_find_peer(kernel_env, local, peer, established);
}

/* Phase 2 for an ACQUIRE whose phase 1 is up. */
static void
kernel_acq_start(struct kernel_acq *ka, struct ph1 *ph1)
{
	struct ph2 *ph2;

	ka->ka_ready = 0;
	ph2 = ph2_quick_start(ph1, &ka->ka_lsel, &ka->ka_rsel, &ka->ka_pol);
	if (ph2 == NULL) {
		kernel_acq_free(ka, EINVAL);
		return;
	}
	ka->ka_ph2id = ph2->ph2_id;
}

/* A phase 2 for the selectors of an SA reaching its soft lifetime. */
static void
kernel_rekey(struct kernel_sa *ks)
{
	const struct cfg_remote *rm;
	struct kernel_acq *ka;
	struct ph1 *ph1;
	char d[ADDR_STRLEN];

	log_info("IPsec-SA soft lifetime reached: %s spi=%u(0x%x), rekeying",
	    pfkey_satype_name(ks->ks_satype), ks->ks_spi, ks->ks_spi);
	addr_ntop(&ks->ks_ike_peer, d, sizeof(d));
	if ((rm = ph1_remote_find(kernel_env->env_cfg, &ks->ks_ike_peer)) ==
	    NULL) {
		log_warnx("no configuration found for %s.", d);
		return;
	}
	if ((ka = calloc(1, sizeof(*ka))) == NULL) {
		log_warn("rekey");
		return;
	}
	ka->ka_satype = ks->ks_satype;
	ka->ka_local = ks->ks_ike_local;
	ka->ka_peer = ks->ks_ike_peer;
	ka->ka_lsel = ks->ks_lsel;
	ka->ka_rsel = ks->ks_rsel;
	ka->ka_pol = ks->ks_pol;
	TAILQ_INSERT_TAIL(&kernel_acqs, ka, ka_entry);
	if ((ph1 = kernel_ph1_find(&ka->ka_local, &ka->ka_peer, 0)) != NULL) {
		if (ph1->ph1_state == PH1_S_ESTABLISHED)
			kernel_acq_start(ka, ph1);
		return;
	}
	if (ph1_start(kernel_env, rm, &ka->ka_local, &ka->ka_peer) ==
	    NULL)
		kernel_acq_free(ka, EINVAL);
}

/* Run the ACQUIREs whose phase 1 came up (outside the exchange). */
static void
kernel_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct kernel_acq *ka, *next;
	struct ph1 *ph1;

	(void)fd;
	(void)what;
	(void)arg;
	for (ka = TAILQ_FIRST(&kernel_acqs); ka != NULL; ka = next) {
		next = TAILQ_NEXT(ka, ka_entry);
		if (!ka->ka_ready)
			continue;
		if ((ph1 = kernel_ph1_find(&ka->ka_local, &ka->ka_peer,
		    1)) == NULL)
			ka->ka_ready = 0;	/* gone meanwhile: wait */
		else
			kernel_acq_start(ka, ph1);
	}
	if (kernel_after != NULL)
		kernel_after();
}

static void
kernel_kick(void)
{
	struct timeval tv = { 0, 0 };

	evtimer_add(kernel_kick_ev, &tv);
}

/*
 * Work on an ACQUIRE (seq, from the kernel) or an admin's establish-sa
 * (seq 0) for policy kp between src and dst: a phase 2 under an
 * established phase 1, or queued for one.  0, or -1 when refused.
 */
static int
kernel_acq_begin(struct kernel_policy *kp, uint8_t satype, uint32_t seq,
    const struct addr *src, const struct addr *dst)
{
	struct kernel_acq *ka;
	const struct cfg_remote *rm;
	struct ph1 *ph1;
	struct addr peer;
	char d[ADDR_STRLEN];

	addr_ntop(dst, d, sizeof(d));
	if (kernel_sa_covers(satype, src, dst, kp)) {
		log_debug(1, "ACQUIRE %u for %s: answered by the SAs just "
		    "installed", seq, d);
		return 0;
	}
	peer = *dst;
	peer.a_plen = addr_maxplen(peer.a_af);
	peer.a_port = kernel_port;
	if ((rm = ph1_remote_find(kernel_env->env_cfg, &peer)) == NULL ||
	    rm->r_passive) {
		log_warnx("no configuration found for %s.", d);
		if (seq != 0)
			(void)kernel_send_hdr(SADB_ACQUIRE, satype, ENOENT,
			    seq);
		return -1;
	}
	if ((ka = calloc(1, sizeof(*ka))) == NULL) {
		log_warn("ACQUIRE");
		return -1;
	}
	ka->ka_seq = seq;
	ka->ka_satype = satype;
	ka->ka_local = *src;
	ka->ka_local.a_plen = addr_maxplen(src->a_af);
	ka->ka_local.a_port = kernel_port;
	ka->ka_peer = peer;
	if (rm->r_has_address && rm->r_address.a_port != 0)
		ka->ka_peer.a_port = rm->r_address.a_port;
	kernel_sel(&ka->ka_lsel, &kp->kp_src);
	kernel_sel(&ka->ka_rsel, &kp->kp_dst);
	if (kernel_pol_from(&kp->kp_pol, &ka->ka_pol) == -1) {
		log_warnx("ACQUIRE for %s: policy %u wants what we cannot "
		    "negotiate", d, kp->kp_pol.pp_id);
		free(ka);
		if (seq != 0)
			(void)kernel_send_hdr(SADB_ACQUIRE, satype, EINVAL,
			    seq);
		return -1;
	}
	TAILQ_INSERT_TAIL(&kernel_acqs, ka, ka_entry);
	if ((ph1 = kernel_ph1_find(&ka->ka_local, &ka->ka_peer, 0)) != NULL &&
	    ph1->ph1_state == PH1_S_ESTABLISHED) {
		kernel_acq_start(ka, ph1);
		return 0;
	}
	log_info("IPsec-SA request for %s queued due to no phase1 found.",
	    d);
	if (ph1 != NULL)
		return 0;	/* one is being negotiated */
	if (ph1_start(kernel_env, rm, &ka->ka_local, &ka->ka_peer) ==
	    NULL) {
		kernel_acq_free(ka, EINVAL);
		return -1;
	}
	return 0;
}


static void
kernel_acquire(const struct pfkey_msg *m)
{
	struct pfkey_address src, dst;
	struct pfkey_policy pp;
	struct kernel_policy *kp;
	struct kernel_acq *ka;
	char d[ADDR_STRLEN];

	/* Our own failure reports come back as broadcasts too. */
	if (m->pm_hdr.ph_errno != 0 || m->pm_hdr.ph_pid == kernel_pid)
		return;
	if (pfkey_get_address(m, SADB_EXT_ADDRESS_SRC, &src) != 0 ||
	    pfkey_get_address(m, SADB_EXT_ADDRESS_DST, &dst) != 0 ||
	    pfkey_get_policy(m, &pp) != 0) {
		log_warnx("PF_KEY: ACQUIRE without addresses or policy "
		    "dropped");
		return;
	}
	addr_ntop(&dst.pa_addr, d, sizeof(d));
	TAILQ_FOREACH(ka, &kernel_acqs, ka_entry)
		if (ka->ka_seq == m->pm_hdr.ph_seq) {
			log_debug(1, "ACQUIRE %u for %s: already in progress",
			    ka->ka_seq, d);
			return;
		}
	if ((kp = kernel_spd_find_id(pp.pp_id)) == NULL) {
		log_warnx("ACQUIRE for %s: policy %u not in the SPD", d,
		    pp.pp_id);
		(void)kernel_send_hdr(SADB_ACQUIRE, m->pm_hdr.ph_satype,
		    ENOENT, m->pm_hdr.ph_seq);
		return;
	}
	(void)kernel_acq_begin(kp, m->pm_hdr.ph_satype, m->pm_hdr.ph_seq,
	    &src.pa_addr, &dst.pa_addr);
}

int
kernel_establish(const struct addr *src, const struct addr *dst)
{
	struct kernel_policy *kp;
	struct addr s = *src, d = *dst;
	uint8_t satype;

	s.a_plen = addr_maxplen(s.a_af);
	d.a_plen = addr_maxplen(d.a_af);
	s.a_port = d.a_port = 0;
	TAILQ_FOREACH(kp, &kernel_spd, kp_entry) {
		if (kp->kp_pol.pp_dir != IPSEC_DIR_OUTBOUND ||
		    kp->kp_pol.pp_type != IPSEC_POLICY_IPSEC ||
		    kp->kp_pol.pp_nreq == 0 ||
		    !addr_in_prefix(&s, &kp->kp_src.pa_addr) ||
		    !addr_in_prefix(&d, &kp->kp_dst.pa_addr))
			continue;
		satype = kp->kp_pol.pp_req[0].pq_proto == IPPROTO_AH ?
		    SADB_SATYPE_AH : SADB_SATYPE_ESP;
		/* Tunnel mode: the SAs join the tunnel's ends. */
		if (kp->kp_pol.pp_req[0].pq_mode == IPSEC_MODE_TUNNEL &&
		    kp->kp_pol.pp_req[0].pq_dst.a_af != AF_UNSPEC)
			return kernel_acq_begin(kp, satype, 0,
			    &kp->kp_pol.pp_req[0].pq_src,
			    &kp->kp_pol.pp_req[0].pq_dst);
		return kernel_acq_begin(kp, satype, 0, &s, &d);
	}
	errno = ENOENT;
	return -1;
}

/* Events of the exchanges */

/* 1 if an ACQUIRE waits for a phase 1 between ph1's two hosts. */
static int
kernel_acq_for(const struct kernel_acq *ka, const struct ph1 *ph1)
{
	return ka->ka_peer.a_af == ph1->ph1_peer.a_af &&
	    addr_cmp_host(&ka->ka_peer, &ph1->ph1_peer) == 0 &&
	    addr_cmp_host(&ka->ka_local, &ph1->ph1_local) == 0;
}

static void
kernel_ph1_up(void *arg, struct ph1 *ph1)
{
	struct kernel_acq *ka;
	int any = 0;

	(void)arg;
	TAILQ_FOREACH(ka, &kernel_acqs, ka_entry)
		if (ka->ka_ph2id == 0 && kernel_acq_for(ka, ph1))
			any = ka->ka_ready = 1;
	if (any)
		kernel_kick();
}

static void
kernel_ph1_down(void *arg, struct ph1 *ph1)
{
	struct kernel_acq *ka, *next;

	(void)arg;
	/* Another phase 1 to that peer may still be coming up. */
	if (kernel_ph1_find(&ph1->ph1_local, &ph1->ph1_peer, 0) != NULL)
		return;
	for (ka = TAILQ_FIRST(&kernel_acqs); ka != NULL; ka = next) {
		next = TAILQ_NEXT(ka, ka_entry);
		if (ka->ka_ph2id == 0 && kernel_acq_for(ka, ph1))
			kernel_acq_free(ka, ETIMEDOUT);
	}
}

/* The outbound SA of a phase 2 we initiated: remember how to rekey. */
static void
kernel_ph2_mark(struct ph2 *ph2)
{
	struct ph1 *ph1 = ph2->ph2_ph1;
	const struct proposal_sa *ps = &ph2->ph2_prop.pp_sa[0];
	struct kernel_sa *ks;
	struct addr dst = ph1->ph1_peer;

	if (ph2->ph2_role != ISAKMP_ROLE_I || ph2->ph2_prop.pp_nsa == 0)
		return;
	dst.a_port = 0;
	ks = kernel_sa_find(ps->ps_proto == ISAKMP_PROTO_AH ?
	    SADB_SATYPE_AH : SADB_SATYPE_ESP, ps->ps_spi_peer, &dst);
	if (ks == NULL || !ks->ks_outbound)
		return;
	ks->ks_rekey = 1;
	ks->ks_ike_local = ph1->ph1_local;
	ks->ks_ike_peer = ph1->ph1_peer;
	ks->ks_lsel = ph2->ph2_local;
	ks->ks_rsel = ph2->ph2_remote;
	ks->ks_pol = ph2->ph2_policy;
}

static void
kernel_ph2_done(void *arg, struct ph2 *ph2, int ok)
{
	struct kernel_acq *ka;

	(void)arg;
	TAILQ_FOREACH(ka, &kernel_acqs, ka_entry)
		if (ka->ka_ph2id != 0 && ka->ka_ph2id == ph2->ph2_id)
			break;
	if (ok) {
		kernel_ph2_mark(ph2);
		/* A rekey of ours (no kernel request, seq 0) replaces SAs. */
		if (ka != NULL && ka->ka_seq == 0)
			kernel_swap_watch(ph2);
	}
	if (ka != NULL)
		kernel_acq_free(ka, ok ? 0 : ETIMEDOUT);
}

/* Swaps of old phase 2 SAs for new ones */

static struct ph2 *
kernel_ph2_by_id(uint32_t id)
{
	struct ph1 *ph1;
	struct ph2 *ph2;

	TAILQ_FOREACH(ph1, &kernel_env->env_ph1s, ph1_entry)
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
			if (ph2->ph2_id == id)
				return ph2;
	return NULL;
}

static int
kernel_sel_same(const struct ph2_sel *a, const struct ph2_sel *b)
{
	return a->sel_type == b->sel_type && a->sel_proto == b->sel_proto &&
	    addr_cmp(&a->sel_addr, &b->sel_addr) == 0 &&
	    (a->sel_end.a_af == AF_UNSPEC ||
	    addr_cmp(&a->sel_end, &b->sel_end) == 0);
}

/* 1 if old carries the traffic that new was negotiated for. */
static int
kernel_ph2_replaces(const struct ph2 *new, const struct ph2 *old)
{
	const struct ph1 *n1 = new->ph2_ph1, *o1 = old->ph2_ph1;
	size_t i;

	if (old == new || old->ph2_state != PH2_S_ESTABLISHED ||
	    o1->ph1_peer.a_af != n1->ph1_peer.a_af ||
	    addr_cmp_host(&o1->ph1_peer, &n1->ph1_peer) != 0 ||
	    old->ph2_prop.pp_nsa != new->ph2_prop.pp_nsa ||
	    old->ph2_policy.pol_mode != new->ph2_policy.pol_mode)
		return 0;
	for (i = 0; i < new->ph2_prop.pp_nsa; i++)
		if (old->ph2_prop.pp_sa[i].ps_proto !=
		    new->ph2_prop.pp_sa[i].ps_proto)
			return 0;
	/* The responder's selectors are the mirror of the initiator's. */
	return kernel_sel_same(&old->ph2_local, &new->ph2_local) &&
	    kernel_sel_same(&old->ph2_remote, &new->ph2_remote);
}

static void
kernel_swap_free(struct kernel_swap *kw)
{
	TAILQ_REMOVE(&kernel_swaps, kw, kw_entry);
	free(kw);
}

static void
kernel_swap_arm(void)
{
	struct timeval tv = { 0, KERNEL_SWAP_POLL_MS * 1000 };

	if (!TAILQ_EMPTY(&kernel_swaps) && !evtimer_pending(kernel_swap_ev,
	    NULL))
		evtimer_add(kernel_swap_ev, &tv);
}

/* A new phase 2 of ours is up: watch it replace older ones. */
static void
kernel_swap_watch(struct ph2 *new)
{
	const struct proposal_sa *ps = &new->ph2_prop.pp_sa[0];
	struct kernel_swap *kw;
	struct ph1 *ph1;
	struct ph2 *old;

	if (new->ph2_role != ISAKMP_ROLE_I || new->ph2_prop.pp_nsa == 0)
		return;
	TAILQ_FOREACH(ph1, &kernel_env->env_ph1s, ph1_entry)
		TAILQ_FOREACH(old, &ph1->ph1_ph2s, ph2_entry) {
			if (!kernel_ph2_replaces(new, old))
				continue;
			if ((kw = calloc(1, sizeof(*kw))) == NULL) {
				log_warn("rekey");
				return;
			}
			kw->kw_new = new->ph2_id;
			kw->kw_old = old->ph2_id;
			kw->kw_satype = ps->ps_proto == ISAKMP_PROTO_AH ?
			    SADB_SATYPE_AH : SADB_SATYPE_ESP;
			kw->kw_spi = ps->ps_spi;
			kw->kw_src = new->ph2_ph1->ph1_peer;
			kw->kw_dst = new->ph2_ph1->ph1_local;
			kw->kw_src.a_port = kw->kw_dst.a_port = 0;
			TAILQ_INSERT_TAIL(&kernel_swaps, kw, kw_entry);
		}
	kernel_swap_arm();
}

/* SADB_GET of the new inbound SA. */
static int
kernel_swap_get(struct kernel_swap *kw)
{
	struct pfkey_hdr h = { PF_KEY_V2, SADB_GET, 0, kw->kw_satype, 0, 0, 0,
	    kernel_pid };
	struct pfkey_sa sa;
	struct pfkey_address ps, pd;
	struct wbuf wb;
	int rv;

	h.ph_seq = kernel_next_seq();
	memset(&sa, 0, sizeof(sa));
	sa.ps_spi = kw->kw_spi;
	ps.pa_proto = pd.pa_proto = IPSEC_ULPROTO_ANY;
	ps.pa_addr = kw->kw_src;
	pd.pa_addr = kw->kw_dst;
	ps.pa_addr.a_plen = addr_maxplen(ps.pa_addr.a_af);
	pd.pa_addr.a_plen = addr_maxplen(pd.pa_addr.a_af);
	if (wbuf_init(&wb, 128, 256) == -1)
		return -1;
	pfkey_build_hdr(&wb, &h);
	pfkey_put_sa(&wb, &sa);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &ps);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &pd);
	if ((rv = kernel_send(&wb)) == 0)
		kw->kw_seq = h.ph_seq;
	wbuf_free(&wb);
	return rv;
}

static void
kernel_swap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct kernel_swap *kw, *next;
	struct ph2 *old, *new;

	(void)fd;
	(void)what;
	(void)arg;
	for (kw = TAILQ_FIRST(&kernel_swaps); kw != NULL; kw = next) {
		next = TAILQ_NEXT(kw, kw_entry);
		/* Either side gone (expired, deleted): nothing to swap. */
		if ((old = kernel_ph2_by_id(kw->kw_old)) == NULL ||
		    old->ph2_state != PH2_S_ESTABLISHED ||
		    (new = kernel_ph2_by_id(kw->kw_new)) == NULL ||
		    new->ph2_state != PH2_S_ESTABLISHED ||
		    kernel_swap_get(kw) == -1)
			kernel_swap_free(kw);
	}
	kernel_swap_arm();
	if (kernel_after != NULL)
		kernel_after();
}

/* The answer to a GET: retire the old phase 2 once the new SA is used. */
static void
kernel_swap_reply(const struct pfkey_msg *m)
{
	struct kernel_swap *kw;
	struct pfkey_lifetime cur;
	struct ph2 *old;

	TAILQ_FOREACH(kw, &kernel_swaps, kw_entry)
		if (kw->kw_seq != 0 && kw->kw_seq == m->pm_hdr.ph_seq)
			break;
	if (kw == NULL)
		return;
	kw->kw_seq = 0;
	if (m->pm_hdr.ph_errno != 0 ||
	    pfkey_get_lifetime(m, SADB_EXT_LIFETIME_CURRENT, &cur) != 0) {
		kernel_swap_free(kw);	/* the new SA is gone */
		return;
	}
	if (cur.pl_bytes == 0 && cur.pl_allocations == 0)
		return;			/* not yet: ask again */
	if ((old = kernel_ph2_by_id(kw->kw_old)) != NULL)
		exchange_retire_ph2(old);
	kernel_swap_free(kw);
}

/* The socket */

static void
kernel_dispatch(const struct pfkey_msg *m)
{
	int ours = m->pm_hdr.ph_pid == kernel_pid;

	switch (m->pm_hdr.ph_type) {
	case SADB_GET:
		if (ours)
			kernel_swap_reply(m);
		break;
	case SADB_GETSPI:
		if (ours)
			kernel_getspi_reply(m);
		break;
	case SADB_UPDATE:
	case SADB_ADD:
		if (ours)
			kernel_install_reply(m);
		break;
	case SADB_ACQUIRE:
		kernel_acquire(m);
		break;
	case SADB_EXPIRE:
		kernel_expire(m);
		break;
	case SADB_X_NAT_T_NEW_MAPPING:
		kernel_newmap(m);
		break;
	case SADB_DELETE:
		if (ours && kernel_del_wait > 0)
			kernel_del_wait--;
		if (m->pm_hdr.ph_errno == 0)
			kernel_sa_gone(m, 0);
		break;
	case SADB_FLUSH:
		if (m->pm_hdr.ph_errno == 0) {
			kernel_sa_flush(m->pm_hdr.ph_satype);
			kernel_flush_ph2(m->pm_hdr.ph_satype);
		}
		break;
	case SADB_X_SPDDUMP:
		if (!ours)
			break;
		/* ENOENT: the SPD is empty. */
		if (m->pm_hdr.ph_errno == 0)
			kernel_spd_learn(m);
		break;
	case SADB_X_SPDADD:
	case SADB_X_SPDUPDATE:
		if (m->pm_hdr.ph_errno == 0)
			kernel_spd_learn(m);
		break;
	case SADB_X_SPDDELETE:
		if (ours && kernel_del_wait > 0)
			kernel_del_wait--;
		/* FALLTHROUGH */
	case SADB_X_SPDDELETE2:
	case SADB_X_SPDEXPIRE:
		if (m->pm_hdr.ph_errno == 0)
			kernel_spd_forget(m);
		break;
	case SADB_X_SPDFLUSH:
		if (m->pm_hdr.ph_errno == 0) {
			kernel_spd_flush();
			/* The generated policies went with the rest. */
			while (!TAILQ_EMPTY(&kernel_gens))
				kernel_gen_free(TAILQ_FIRST(&kernel_gens), 0);
		}
		break;
	case SADB_REGISTER:
		if (ours && m->pm_hdr.ph_errno != 0)
			log_warnx("PF_KEY: REGISTER %s failed: %s",
			    pfkey_satype_name(m->pm_hdr.ph_satype),
			    strerror(m->pm_hdr.ph_errno));
		kernel_algs_learn(m);
		break;
	default:
		log_debug(2, "PF_KEY: %s ignored",
		    pfkey_msgtype_name(m->pm_hdr.ph_type));
	}
}

static void
kernel_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pfkey_msg m;
	ssize_t n;
	int i;

	(void)fd;
	(void)what;
	(void)arg;
	/* A bounded batch, so that the IKE sockets get their turn. */
	for (i = 0; i < 64; i++) {
		n = pfkey_sock_recv(&kernel_sock, kernel_buf,
		    sizeof(kernel_buf));
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (errno == EMSGSIZE) {
				log_warnx("PF_KEY: message too long dropped");
				continue;
			}
			log_warn("PF_KEY: receive");
			kernel_lost();
			break;
		}
		if (n == 0) {
			log_warnx("PF_KEY: %s closed the connection",
			    pfkey_sock_describe(&kernel_sock));
			kernel_lost();
			break;
		}
		if (pfkey_parse(&m, kernel_buf, (size_t)n) == -1) {
			log_warnx("PF_KEY: malformed message dropped: %s",
			    m.pm_err);
			continue;
		}
		kernel_dispatch(&m);
	}
	if (kernel_after != NULL)
		kernel_after();
}

/* Connect, REGISTER for ESP and AH, ask for the SPD, watch the socket. */
static int
kernel_connect(void)
{
	int fl;

	if (pfkey_sock_open(&kernel_sock) == -1)
		return -1;
	if ((fl = fcntl(kernel_sock.ps_fd, F_GETFL)) == -1 ||
	    fcntl(kernel_sock.ps_fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_warn("PF_KEY: O_NONBLOCK");
		goto fail;
	}
	if ((kernel_wev = event_new(kernel_base, kernel_sock.ps_fd, EV_WRITE |
	    EV_PERSIST, kernel_write_cb, NULL)) == NULL) {
		log_warnx("PF_KEY: cannot watch the socket");
		goto fail;
	}
	if (kernel_send_hdr(SADB_REGISTER, SADB_SATYPE_ESP, 0,
	    kernel_next_seq()) == -1 ||
	    kernel_send_hdr(SADB_REGISTER, SADB_SATYPE_AH, 0,
	    kernel_next_seq()) == -1 ||
	    kernel_send_hdr(SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC, 0,
	    kernel_next_seq()) == -1)
		goto fail;
	kernel_ev = event_new(kernel_base, kernel_sock.ps_fd,
	    EV_READ | EV_PERSIST, kernel_read_cb, NULL);
	if (kernel_ev == NULL || event_add(kernel_ev, NULL) == -1) {
		log_warnx("PF_KEY: cannot watch the socket");
		goto fail;
	}
	log_info("PF_KEY: using %s", pfkey_sock_describe(&kernel_sock));
	return 0;
fail:
	if (kernel_ev != NULL)
		event_free(kernel_ev);
	kernel_ev = NULL;
	kernel_outq_flush();
	pfkey_sock_close(&kernel_sock);
	return -1;
}

static void
kernel_retry_arm(void)
{
	struct timeval tv = { 1, 0 };

	evtimer_add(kernel_retry_ev, &tv);
}

/*
 * The kernel interface went away (ipsecd stopped or restarted): what it
 * held is gone, so is our copy of it.  Negotiations waiting for an SPI
 * fail; established phase 2s end with a DELETE to their peer; phase 1
 * SAs stay.  Reconnect every second (ARCHITECTURE.md, Restarts), then
 * register and read the SPD again.
 */
static void
kernel_lost(void)
{
	struct kernel_getspi *kg;
	struct kernel_acq *ka;
	struct kernel_sa *ks;
	struct ph1 *ph1;
	struct ph2 *ph2;
	uint32_t id;
	size_t idx;

	event_free(kernel_ev);
	kernel_ev = NULL;
	kernel_outq_flush();
	/*
	 * The SAs went with the kernel: the peers are told, so that their
	 * next packet asks for new SAs instead of going into a void until
	 * the lifetime ends.  The ISAKMP-SAs stay for those negotiations.
	 */
	TAILQ_FOREACH(ph1, &kernel_env->env_ph1s, ph1_entry)
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
			exchange_ph2_lost(ph2, "lost with the kernel "
			    "interface");
	pfkey_sock_close(&kernel_sock);
	kernel_del_wait = 0;
	kernel_spd_flush();
	/* The next kernel interface lists its own. */
	kernel_algs_esp.kl_known = kernel_algs_ah.kl_known = 0;
	while (!TAILQ_EMPTY(&kernel_gens))
		kernel_gen_free(TAILQ_FIRST(&kernel_gens), 0);
	while (!TAILQ_EMPTY(&kernel_adds))
		kernel_add_free(TAILQ_FIRST(&kernel_adds));
	while ((ks = TAILQ_FIRST(&kernel_sas)) != NULL) {
		TAILQ_REMOVE(&kernel_sas, ks, ks_entry);
		kernel_sa_free(ks);
	}
	while ((ka = TAILQ_FIRST(&kernel_acqs)) != NULL)
		kernel_acq_free(ka, 0);
	while (!TAILQ_EMPTY(&kernel_swaps))
		kernel_swap_free(TAILQ_FIRST(&kernel_swaps));
	while ((kg = TAILQ_FIRST(&kernel_getspis)) != NULL) {
		TAILQ_REMOVE(&kernel_getspis, kg, kg_entry);
		id = kg->kg_id;
		idx = kg->kg_idx;
		free(kg);
		exchange_spi(kernel_env, id, idx, 0);
	}
	kernel_retry_arm();
}

static void
kernel_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (kernel_connect() == 0)
		log_info("PF_KEY: reconnected; policies read again");
	else
		kernel_retry_arm();
	if (kernel_after != NULL)
		kernel_after();
}

int
kernel_open(struct event_base *base, struct exchange_env *env,
    uint16_t port, void (*after)(void))
{
	struct exchange_kernel *k = &env->env_kernel;
	struct exchange_events *ev = &env->env_events;

	kernel_base = base;
	kernel_env = env;
	kernel_port = port;
	kernel_after = after;
	kernel_pid = (uint32_t)getpid();
	kernel_kick_ev = evtimer_new(base, kernel_kick_cb, NULL);
	kernel_retry_ev = evtimer_new(base, kernel_retry_cb, NULL);
	kernel_swap_ev = evtimer_new(base, kernel_swap_cb, NULL);
	if (kernel_kick_ev == NULL || kernel_retry_ev == NULL ||
	    kernel_swap_ev == NULL) {
		log_warnx("PF_KEY: cannot make timers");
		return -1;
	}
	if (kernel_connect() == -1) {
		log_err("PF_KEY: no kernel interface (AF_KEY or ipsecd)");
		return -1;
	}
	k->ek_getspi = kernel_getspi_cb;
	k->ek_install = kernel_install_cb;
	k->ek_policy = kernel_policy_cb;
	k->ek_delete = kernel_delete_cb;
	k->ek_genpolicy = kernel_genpolicy_cb;
	k->ek_arg = NULL;
	proposal_set_kernel(kernel_can_install);
	ev->ev_ph1_up = kernel_ph1_up;
	ev->ev_ph1_down = kernel_ph1_down;
	ev->ev_ph2_done = kernel_ph2_done;
	ev->ev_arg = NULL;
	return 0;
}

void
kernel_close(void)
{
	struct kernel_acq *ka;
	struct kernel_getspi *kg;
	struct kernel_sa *ks;

	proposal_set_kernel(NULL);
	kernel_algs_esp.kl_known = kernel_algs_ah.kl_known = 0;
	while ((ka = TAILQ_FIRST(&kernel_acqs)) != NULL)
		kernel_acq_free(ka, kernel_sock.ps_fd != -1 ? ECANCELED : 0);
	while ((kg = TAILQ_FIRST(&kernel_getspis)) != NULL) {
		TAILQ_REMOVE(&kernel_getspis, kg, kg_entry);
		free(kg);
	}
	while ((ks = TAILQ_FIRST(&kernel_sas)) != NULL) {
		TAILQ_REMOVE(&kernel_sas, ks, ks_entry);
		kernel_sa_free(ks);
	}
	while (!TAILQ_EMPTY(&kernel_adds))
		kernel_add_free(TAILQ_FIRST(&kernel_adds));
	while (!TAILQ_EMPTY(&kernel_swaps))
		kernel_swap_free(TAILQ_FIRST(&kernel_swaps));
	kernel_spd_flush();
	while (!TAILQ_EMPTY(&kernel_gens))
		kernel_gen_free(TAILQ_FIRST(&kernel_gens), 0);
	if (kernel_swap_ev != NULL)
		event_free(kernel_swap_ev);
	kernel_swap_ev = NULL;
	kernel_outq_flush();
	if (kernel_ev != NULL)
		event_free(kernel_ev);
	if (kernel_kick_ev != NULL)
		event_free(kernel_kick_ev);
	if (kernel_retry_ev != NULL)
		event_free(kernel_retry_ev);
	kernel_ev = kernel_kick_ev = kernel_retry_ev = NULL;
	if (kernel_sock.ps_fd != -1)
		pfkey_sock_close(&kernel_sock);
	kernel_sock.ps_fd = -1;
}

unsigned
kernel_pending(void)
{
	return kernel_sock.ps_fd == -1 || kernel_ev == NULL ? 0 :
	    kernel_del_wait;
}

int
kernel_native(void)
{
	return kernel_sock.ps_kind == PFKEY_SOCK_AFKEY;
}
