/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PF_KEY server.  Each datagram from a client is one message, handled
 * as af_key's pfkey_sendmsg and pfkey_process do: the base header is
 * checked, a copy goes to every promiscuous socket, the extensions are
 * parsed, the handler of its type runs, and an error becomes a reply of
 * the request's header with sadb_msg_errno set.  Replies and notifications
 * follow af_key's pfkey_broadcast().
 *
 * One deviation: a message whose base header is wrong makes AF_KEY fail
 * the send() call; a SOCK_SEQPACKET send cannot return that, so ipsecd
 * answers it with an error message when the header's version and type
 * are right (a bad length or reserved field).
 *
 * Clients that cannot keep up get their messages queued, up to
 * SRV_QUEUE_MAX bytes; beyond that messages are dropped, as af_key drops
 * them when a socket's receive buffer is full.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <event2/event.h>

#include "alg.h"
#include "buf.h"
#include "log.h"
#include "pfkey.h"
#include "pfkey_sock.h"
#include "pfkey_srv.h"
#include "sad.h"
#include "spd.h"

#define SRV_QUEUE_MAX		(4 * 1024 * 1024)
#define SRV_BACKLOG		16
#define CAP_NET_ADMIN_BIT	12	/* <linux/capability.h> */

/* pfkey_broadcast()'s targets. */
#define BROADCAST_ALL		0
#define BROADCAST_ONE		1
#define BROADCAST_REGISTERED	2
#define BROADCAST_PROMISC_ONLY	4

struct srv_out {
	TAILQ_ENTRY(srv_out)	 o_entry;
	size_t			 o_len;
	uint8_t			 o_data[];
};

struct srv_client {
	TAILQ_ENTRY(srv_client)	 c_entry;
	int			 c_fd;
	unsigned		 c_id;
	pid_t			 c_pid;
	uid_t			 c_uid;
	uint32_t		 c_registered;	/* bit per SA type */
	int			 c_promisc;
	int			 c_dead;	/* drop at the next chance */
	struct event		*c_rev;
	struct event		*c_wev;
	TAILQ_HEAD(, srv_out)	 c_out;
	size_t			 c_queued;
};

static TAILQ_HEAD(, srv_client) srv_clients =
    TAILQ_HEAD_INITIALIZER(srv_clients);
static struct event_base *srv_base;
static struct event	*srv_accept_ev;
static struct event	*srv_backoff_ev;
static int		 srv_fd = -1;
static char		 srv_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static unsigned		 srv_nextid;
static unsigned long	 srv_nbad;
/* One message in, at most: the datagram is read whole or refused. */
static uint8_t		 srv_rbuf[PFKEY_MSG_MAX + PFKEY_UNIT];

static void	srv_client_free(struct srv_client *);

/*
 * Sending.
 */
static void
srv_write_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct srv_client *c = arg;
	struct srv_out *o;
	ssize_t n;

	while ((o = TAILQ_FIRST(&c->c_out)) != NULL) {
		n = send(c->c_fd, o->o_data, o->o_len, MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		TAILQ_REMOVE(&c->c_out, o, o_entry);
		c->c_queued -= o->o_len;
		freezero(o, sizeof(*o) + o->o_len);
		if (n == -1) {
			c->c_dead = 1;
			break;
		}
	}
	if (TAILQ_EMPTY(&c->c_out))
		event_del(c->c_wev);
	else
		event_add(c->c_wev, NULL);
}

/* Messages may hold keys: queued copies are wiped when freed. */
static void
srv_send(struct srv_client *c, const uint8_t *msg, size_t len)
{
	struct srv_out *o;
	ssize_t n;

	if (c->c_dead)
		return;
	if (TAILQ_EMPTY(&c->c_out)) {
		n = send(c->c_fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0)
			return;
		if (errno != EAGAIN && errno != EINTR) {
			c->c_dead = 1;
			return;
		}
	}
	if (c->c_queued + len > SRV_QUEUE_MAX ||
	    (o = malloc(sizeof(*o) + len)) == NULL) {
		log_warnx("client %u (pid %ld): output queue full, %s dropped",
		    c->c_id, (long)c->c_pid, pfkey_msgtype_name(msg[1]));
		return;
	}
	o->o_len = len;
	memcpy(o->o_data, msg, len);
	TAILQ_INSERT_TAIL(&c->c_out, o, o_entry);
	c->c_queued += len;
	event_add(c->c_wev, NULL);
}

/* af_key pfkey_broadcast(): promiscuous sockets get a copy of all. */
static void
srv_broadcast_raw(const uint8_t *msg, size_t len, int flags,
    struct srv_client *one)
{
	struct srv_client *c;

	TAILQ_FOREACH(c, &srv_clients, c_entry) {
		if (c->c_promisc)
			srv_send(c, msg, len);
		if (c == one)
			continue;
		if (flags != BROADCAST_ALL) {
			if (flags & BROADCAST_PROMISC_ONLY)
				continue;
			if ((flags & BROADCAST_REGISTERED) &&
			    c->c_registered == 0)
				continue;
			if (flags & BROADCAST_ONE)
				continue;
		}
		srv_send(c, msg, len);
	}
	if (one != NULL)
		srv_send(one, msg, len);
}

static void
srv_broadcast(const struct wbuf *wb, int flags, struct srv_client *one)
{
	srv_broadcast_raw(wbuf_data(wb), wbuf_len(wb), flags, one);
}

/*
 * The request's header with errno set (af_key pfkey_error).  A header
 * whose version or type is wrong gets none: the answer would be as
 * malformed as the request, and AF_KEY would have refused the send().
 */
static void
srv_error(struct srv_client *c, const struct pfkey_hdr *req, int error)
{
	struct wbuf wb;
	uint8_t mem[PFKEY_HDR_LEN];
	struct pfkey_hdr h = *req;

	if (h.ph_version != PF_KEY_V2 || h.ph_type == SADB_RESERVED ||
	    h.ph_type > SADB_MAX)
		return;
	h.ph_reserved = 0;
	h.ph_errno = error > 0 && error < 256 ? (uint8_t)error : EINVAL;
	wbuf_init_fixed(&wb, mem, sizeof(mem));
	if (pfkey_build_hdr(&wb, &h) == 0 && pfkey_build_end(&wb) == 0)
		srv_broadcast(&wb, BROADCAST_ONE, c);
}

/*
 * Building SA and policy messages (af_key __pfkey_xfrm_state2msg and
 * pfkey_xfrm_policy2msg).  hsc: 2 adds the hard lifetime, 1 the soft.
 */
static void
srv_sa_exts(struct wbuf *wb, const struct sad_sa *sa, int keys, int hsc)
{
	struct pfkey_sa psa = { sa->sa_spi, sa->sa_replay, sa->sa_state,
	    sa->sa_auth_id, sa->sa_enc_id, sa->sa_flags };
	struct pfkey_address src = { 0, sa->sa_src };
	struct pfkey_address dst = { 0, sa->sa_dst };
	struct pfkey_sa2 s2 = { sa->sa_mode, 0, sa->sa_reqid };

	pfkey_put_sa(wb, &psa);
	if (hsc & 2)
		pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_HARD, &sa->sa_hard);
	if (hsc & 1)
		pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_SOFT, &sa->sa_soft);
	pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_CURRENT, &sa->sa_cur);
	pfkey_put_address(wb, SADB_EXT_ADDRESS_SRC, &src);
	pfkey_put_address(wb, SADB_EXT_ADDRESS_DST, &dst);
	if (sa->sa_has_proxy)
		pfkey_put_address(wb, SADB_EXT_ADDRESS_PROXY, &sa->sa_proxy);
	if (keys && sa->sa_akey_bits != 0)
		pfkey_put_key(wb, SADB_EXT_KEY_AUTH, sa->sa_akey_bits,
		    sa->sa_akey);
	if (keys && sa->sa_ekey_bits != 0)
		pfkey_put_key(wb, SADB_EXT_KEY_ENCRYPT, sa->sa_ekey_bits,
		    sa->sa_ekey);
	pfkey_put_sa2(wb, &s2);
	if (sa->sa_natt_type != 0) {
		pfkey_put_nat_t_type(wb, sa->sa_natt_type);
		pfkey_put_nat_t_port(wb, SADB_X_EXT_NAT_T_SPORT,
		    sa->sa_natt_sport);
		pfkey_put_nat_t_port(wb, SADB_X_EXT_NAT_T_DPORT,
		    sa->sa_natt_dport);
		if (sa->sa_has_natt_oa)
			pfkey_put_address(wb, SADB_X_EXT_NAT_T_OA,
			    &sa->sa_natt_oa);
	}
}

/*
 * One SA as a message of that type.  The buffer holds keys: it is secret,
 * and the caller frees it with wbuf_free().
 */
static int
srv_sa_msg(struct wbuf *wb, const struct sad_sa *sa, uint8_t type,
    uint32_t seq, uint32_t pid, int keys, int hsc)
{
	struct pfkey_hdr h = { PF_KEY_V2, type, 0, sa->sa_satype, 0, 0, seq,
	    pid };

	if (wbuf_init(wb, 512, PFKEY_MSG_MAX) == -1)
		return -1;
	wbuf_set_secret(wb);
	pfkey_build_hdr(wb, &h);
	srv_sa_exts(wb, sa, keys, hsc);
	if (pfkey_build_end(wb) == -1) {
		log_warnx("SA spi 0x%08x: cannot build %s", sa->sa_spi,
		    pfkey_msgtype_name(type));
		wbuf_free(wb);
		return -1;
	}
	return 0;
}

static int
srv_policy_msg(struct wbuf *wb, const struct spd_policy *sp, uint8_t type,
    uint32_t seq, uint32_t pid)
{
	struct pfkey_hdr h = { PF_KEY_V2, type, 0, SADB_SATYPE_UNSPEC, 0, 0,
	    seq, pid };
	struct pfkey_address src = { sp->sp_sel.sl_proto, sp->sp_sel.sl_src };
	struct pfkey_address dst = { sp->sp_sel.sl_proto, sp->sp_sel.sl_dst };
	struct pfkey_policy pp;

	memset(&pp, 0, sizeof(pp));
	pp.pp_type = sp->sp_type;
	pp.pp_dir = sp->sp_dir;
	pp.pp_id = sp->sp_id;
	pp.pp_priority = sp->sp_priority;
	pp.pp_nreq = sp->sp_nreq;
	memcpy(pp.pp_req, sp->sp_req, sizeof(pp.pp_req));
	if (wbuf_init(wb, 512, PFKEY_MSG_MAX) == -1)
		return -1;
	pfkey_build_hdr(wb, &h);
	pfkey_put_address(wb, SADB_EXT_ADDRESS_SRC, &src);
	pfkey_put_address(wb, SADB_EXT_ADDRESS_DST, &dst);
	pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_HARD, &sp->sp_hard);
	pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_SOFT, &sp->sp_soft);
	pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_CURRENT, &sp->sp_cur);
	pfkey_put_policy(wb, &pp);
	if (pfkey_build_end(wb) == -1) {
		log_warnx("policy %u: cannot build %s", sp->sp_id,
		    pfkey_msgtype_name(type));
		wbuf_free(wb);
		return -1;
	}
	return 0;
}

/* Tell every socket about an SA (af_key key_notify_sa). */
static void
srv_notify_sa(const struct sad_sa *sa, uint8_t type,
    const struct pfkey_hdr *req)
{
	struct wbuf wb;

	if (srv_sa_msg(&wb, sa, type, req->ph_seq, req->ph_pid, 1, 3) == 0) {
		srv_broadcast(&wb, BROADCAST_ALL, NULL);
		wbuf_free(&wb);
	}
}

static void
srv_notify_policy(const struct spd_policy *sp, uint8_t type,
    const struct pfkey_hdr *req)
{
	struct wbuf wb;

	if (srv_policy_msg(&wb, sp, type, req->ph_seq, req->ph_pid) == 0) {
		srv_broadcast(&wb, BROADCAST_ALL, NULL);
		wbuf_free(&wb);
	}
}

/* A header-only message: flush answers and notifications. */
static void
srv_header_msg(uint8_t type, uint8_t satype, const struct pfkey_hdr *req,
    int flags, struct srv_client *one)
{
	struct pfkey_hdr h = { PF_KEY_V2, type, 0, satype, 0, 0, req->ph_seq,
	    req->ph_pid };
	uint8_t mem[PFKEY_HDR_LEN];
	struct wbuf wb;

	wbuf_init_fixed(&wb, mem, sizeof(mem));
	if (pfkey_build_hdr(&wb, &h) == 0 && pfkey_build_end(&wb) == 0)
		srv_broadcast(&wb, flags, one);
}

/* The SAD's expirations: EXPIRE to registered sockets, no keys. */
static void
srv_expire_cb(const struct sad_sa *sa, enum sad_event ev, void *arg)
{
	struct wbuf wb;
	int hard = ev == SAD_EXPIRE_HARD;

	log_info("IPsec-SA %s: %s spi 0x%08x", hard ? "expired" : "dying",
	    pfkey_satype_name(sa->sa_satype), sa->sa_spi);
	if (srv_sa_msg(&wb, sa, SADB_EXPIRE, 0, 0, 0, hard ? 2 : 1) == 0) {
		srv_broadcast(&wb, BROADCAST_REGISTERED, NULL);
		wbuf_free(&wb);
	}
}

static void
srv_log_sa(const char *what, const struct sad_sa *sa)
{
	char s[ADDR_STRLEN], d[ADDR_STRLEN];

	log_info("IPsec-SA %s: %s %s->%s spi 0x%08x", what,
	    pfkey_satype_name(sa->sa_satype), addr_ntop(&sa->sa_src, s,
	    sizeof(s)), addr_ntop(&sa->sa_dst, d, sizeof(d)), sa->sa_spi);
}

/*
 * The handlers, one per message type (af_key pfkey_funcs).  Each returns
 * 0 or the errno of the error reply.
 */
struct srv_req {
	struct srv_client	*r_client;
	const struct pfkey_msg	*r_msg;
	const struct pfkey_hdr	*r_hdr;
	const char		*r_why;
};

static int
srv_getspi(struct srv_req *r)
{
	struct pfkey_address src, dst;
	struct pfkey_spirange sr = { SAD_SPI_MIN, SAD_SPI_MAX };
	struct pfkey_sa2 s2 = { IPSEC_MODE_ANY, 0, 0 };
	struct sad_sa *sa;
	struct wbuf wb;
	uint8_t satype = r->r_hdr->ph_satype;
	int error;

	if (pfkey_get_address(r->r_msg, SADB_EXT_ADDRESS_SRC, &src) != 0 ||
	    pfkey_get_address(r->r_msg, SADB_EXT_ADDRESS_DST, &dst) != 0 ||
	    src.pa_addr.a_af != dst.pa_addr.a_af) {
		r->r_why = "source and destination of one family required";
		return EINVAL;
	}
	if (satype != SADB_SATYPE_ESP && satype != SADB_SATYPE_AH) {
		r->r_why = "SA type";
		return EINVAL;
	}
	(void)pfkey_get_sa2(r->r_msg, &s2);
	if (s2.p2_mode > IPSEC_MODE_TUNNEL) {
		r->r_why = "mode not supported";
		return EINVAL;
	}
	(void)pfkey_get_spirange(r->r_msg, &sr);
	/* An SPI for the larval SA of our ACQUIRE, else a new one. */
	if ((sa = sad_lookup_acqseq(r->r_hdr->ph_seq)) != NULL &&
	    sa->sa_satype == satype &&
	    addr_cmp_host(&sa->sa_dst, &dst.pa_addr) == 0)
		error = sad_getspi_larval(sa, sr.pr_min, sr.pr_max, &r->r_why);
	else
		error = sad_getspi(satype, &src.pa_addr, &dst.pa_addr,
		    s2.p2_mode, s2.p2_reqid, sr.pr_min, sr.pr_max, &sa,
		    &r->r_why);
	if (error != 0)
		return error;
	if (srv_sa_msg(&wb, sa, SADB_GETSPI, r->r_hdr->ph_seq,
	    r->r_hdr->ph_pid, 1, 3) == 0) {
		srv_broadcast(&wb, BROADCAST_ONE, r->r_client);
		wbuf_free(&wb);
	}
	return 0;
}

/* ADD and UPDATE (af_key pfkey_add). */
static int
srv_add(struct srv_req *r)
{
	struct sad_sa *sa, *in;
	int error, update = r->r_hdr->ph_type == SADB_UPDATE;

	if ((error = sad_from_msg(r->r_msg, &sa, &r->r_why)) != 0)
		return error;
	if (update)
		error = sad_update(sa, &in, &r->r_why);
	else {
		error = sad_add(sa, &r->r_why);
		in = sa;
	}
	if (error != 0)
		return error;
	srv_log_sa(update ? "updated" : "added", in);
	srv_notify_sa(in, r->r_hdr->ph_type, r->r_hdr);
	return 0;
}

/* The SA that DELETE and GET name (af_key pfkey_xfrm_state_lookup). */
static int
srv_find_sa(struct srv_req *r, struct sad_sa **sa)
{
	struct pfkey_sa psa;
	struct pfkey_address src, dst;

	if (pfkey_get_sa(r->r_msg, &psa) != 0 ||
	    pfkey_get_address(r->r_msg, SADB_EXT_ADDRESS_SRC, &src) != 0 ||
	    pfkey_get_address(r->r_msg, SADB_EXT_ADDRESS_DST, &dst) != 0 ||
	    src.pa_addr.a_af != dst.pa_addr.a_af) {
		r->r_why = "SA, source and destination required";
		return EINVAL;
	}
	if ((*sa = sad_lookup(r->r_hdr->ph_satype, &dst.pa_addr,
	    psa.ps_spi)) == NULL) {
		r->r_why = "no such SA";
		return ESRCH;
	}
	return 0;
}

static int
srv_delete(struct srv_req *r)
{
	struct sad_sa *sa;
	int error;

	if ((error = srv_find_sa(r, &sa)) != 0)
		return error;
	srv_log_sa("deleted", sa);
	(void)sad_set_state(sa, SADB_SASTATE_DEAD);
	srv_notify_sa(sa, SADB_DELETE, r->r_hdr);
	sad_delete(sa);
	return 0;
}

static int
srv_get(struct srv_req *r)
{
	struct sad_sa *sa;
	struct wbuf wb;
	int error;

	if ((error = srv_find_sa(r, &sa)) != 0)
		return error;
	if (srv_sa_msg(&wb, sa, SADB_GET, r->r_hdr->ph_seq, r->r_hdr->ph_pid,
	    1, 3) == 0) {
		srv_broadcast(&wb, BROADCAST_ONE, r->r_client);
		wbuf_free(&wb);
	}
	return 0;
}

/*
 * ACQUIRE from user space: with an errno it says the negotiation for the
 * larval SA of that sequence number failed (af_key pfkey_acquire).  The
 * SA is dead; its larval lifetime removes it.  No reply.
 */
static int
srv_acquire(struct srv_req *r)
{
	struct sad_sa *sa;

	if (r->r_hdr->ph_len != PFKEY_HDR_LEN / PFKEY_UNIT) {
		r->r_why = "ACQUIRE with extensions";
		return EOPNOTSUPP;
	}
	if (r->r_hdr->ph_seq == 0 || r->r_hdr->ph_errno == 0)
		return 0;
	if ((sa = sad_lookup_acqseq(r->r_hdr->ph_seq)) != NULL) {
		log_info("IPsec-SA request %u failed: %s", r->r_hdr->ph_seq,
		    strerror(r->r_hdr->ph_errno));
		(void)sad_set_state(sa, SADB_SASTATE_DEAD);
	}
	return 0;
}

/*
 * SUPPORTED_AUTH and SUPPORTED_ENCRYPT: the rows of the algorithm table
 * the datapath can run.  Key sizes exclude the salt of RFC 3686/4106
 * ciphers, as af_key lists them.
 */
static void
srv_put_supported(struct wbuf *wb, enum alg_kind kind, unsigned type)
{
	struct pfkey_alg algs[PFKEY_MAX_ALGS];
	const struct alg *a;
	size_t i = 0, n = 0;

	while ((a = alg_next(kind, &i)) != NULL && n < PFKEY_MAX_ALGS) {
		if (a->alg_sadb == ALG_NONE || !sad_alg_usable(a))
			continue;
		algs[n].pg_id = (uint8_t)a->alg_sadb;
		algs[n].pg_ivlen = a->alg_iv;
		algs[n].pg_minbits = a->alg_keymin - alg_salt_bits(a);
		algs[n].pg_maxbits = a->alg_keymax - alg_salt_bits(a);
		n++;
	}
	pfkey_put_supported(wb, type, algs, n);
}

static int
srv_register(struct srv_req *r)
{
	struct srv_client *c = r->r_client;
	struct pfkey_hdr h = *r->r_hdr;
	uint8_t satype = h.ph_satype;
	struct wbuf wb;

	if (satype > SADB_SATYPE_MAX) {
		r->r_why = "SA type";
		return EINVAL;
	}
	if (satype != SADB_SATYPE_UNSPEC) {
		if (c->c_registered & (1U << satype)) {
			r->r_why = "already registered";
			return EEXIST;
		}
		c->c_registered |= 1U << satype;
	}
	h.ph_errno = 0;
	if (wbuf_init(&wb, 512, PFKEY_MSG_MAX) == -1) {
		r->r_why = "out of memory";
		return ENOBUFS;
	}
	pfkey_build_hdr(&wb, &h);
	srv_put_supported(&wb, ALG_AUTH, SADB_EXT_SUPPORTED_AUTH);
	srv_put_supported(&wb, ALG_ENC, SADB_EXT_SUPPORTED_ENCRYPT);
	if (pfkey_build_end(&wb) == 0)
		srv_broadcast(&wb, BROADCAST_REGISTERED, c);
	wbuf_free(&wb);
	return 0;
}

/* FLUSH: the requester's echo, then (if any went) a notification. */
static int
srv_flush(struct srv_req *r)
{
	uint8_t satype = r->r_hdr->ph_satype;
	int n;

	if (satype != SADB_SATYPE_UNSPEC && pfkey_satype2proto(satype) == 0) {
		r->r_why = "SA type";
		return EINVAL;
	}
	n = sad_flush(satype);
	srv_header_msg(SADB_FLUSH, satype, r->r_hdr, BROADCAST_ONE,
	    r->r_client);
	if (n == 0)
		return 0;
	log_info("SAD flushed (%s): %d SAs", pfkey_satype_name(satype), n);
	srv_header_msg(SADB_FLUSH, satype, r->r_hdr, BROADCAST_ALL, NULL);
	return 0;
}

static int
srv_dump_match(const struct sad_sa *sa, uint8_t satype)
{
	return satype == SADB_SATYPE_UNSPEC || sa->sa_satype == satype;
}

/*
 * DUMP: one message per SA to the requester, sequence numbers counting
 * from 1 and the last one 0 (af_key pfkey_do_dump); ENOENT if none.
 */
static int
srv_dump(struct srv_req *r)
{
	uint8_t satype = r->r_hdr->ph_satype;
	struct sad_sa *sa;
	struct wbuf wb;
	uint32_t n = 0, i = 0;

	if (satype != SADB_SATYPE_UNSPEC && pfkey_satype2proto(satype) == 0) {
		r->r_why = "SA type";
		return EINVAL;
	}
	for (sa = sad_next(NULL); sa != NULL; sa = sad_next(sa))
		n += srv_dump_match(sa, satype);
	if (n == 0) {
		r->r_why = "SAD empty";
		return ENOENT;
	}
	for (sa = sad_next(NULL); sa != NULL; sa = sad_next(sa)) {
		if (!srv_dump_match(sa, satype))
			continue;
		i++;
		if (srv_sa_msg(&wb, sa, SADB_DUMP, i == n ? 0 : i,
		    r->r_hdr->ph_pid, 1, 3) == 0) {
			srv_broadcast(&wb, BROADCAST_ONE, r->r_client);
			wbuf_free(&wb);
		}
	}
	return 0;
}

/* X_PROMISC: a bare header sets the flag; the message goes to all. */
static int
srv_promisc(struct srv_req *r)
{
	const struct rbuf *raw = &r->r_msg->pm_raw;
	struct wbuf wb;
	uint8_t satype = r->r_hdr->ph_satype;

	if (wbuf_init(&wb, raw->rb_len, PFKEY_MSG_MAX) == -1) {
		r->r_why = "out of memory";
		return ENOBUFS;
	}
	wbuf_put_bytes(&wb, raw->rb_data, raw->rb_len);
	if (r->r_hdr->ph_len == PFKEY_HDR_LEN / PFKEY_UNIT) {
		if (satype != 0 && satype != 1) {
			wbuf_free(&wb);
			r->r_why = "promiscuous flag not 0 or 1";
			return EINVAL;
		}
		r->r_client->c_promisc = satype;
		wbuf_set_u8(&wb, 2, 0);		/* sadb_msg_errno */
	}
	srv_broadcast(&wb, BROADCAST_ALL, NULL);
	wbuf_free(&wb);
	return 0;
}

/* X_SPDADD, X_SPDUPDATE and X_SPDSETIDX (af_key pfkey_spdadd). */
static int
srv_spdadd(struct srv_req *r)
{
	struct spd_policy *sp, *in;
	int error, update = r->r_hdr->ph_type == SADB_X_SPDUPDATE;

	if ((error = spd_from_msg(r->r_msg, &sp, &r->r_why)) != 0 ||
	    (error = spd_add(sp, update, &in, &r->r_why)) != 0)
		return error;
	log_debug(1, "policy %u %s", in->sp_id, update ? "updated" : "added");
	srv_notify_policy(in, update ? SADB_X_SPDUPDATE : SADB_X_SPDADD,
	    r->r_hdr);
	return 0;
}

static int
srv_spddelete(struct srv_req *r)
{
	struct spd_sel sel;
	struct spd_policy *sp;
	uint8_t dir;
	int error;

	if ((error = spd_sel_from_msg(r->r_msg, &sel, &dir, &r->r_why)) != 0)
		return error;
	if ((sp = spd_lookup_sel(dir, &sel)) == NULL) {
		r->r_why = "no such policy";
		return ENOENT;
	}
	srv_notify_policy(sp, SADB_X_SPDDELETE, r->r_hdr);
	spd_delete(sp);
	return 0;
}

/* X_SPDGET and X_SPDDELETE2: a policy by id (af_key pfkey_spdget). */
static int
srv_spdget(struct srv_req *r)
{
	struct pfkey_policy pp;
	struct spd_policy *sp;
	struct wbuf wb;

	if (pfkey_get_policy(r->r_msg, &pp) != 0) {
		r->r_why = "policy required";
		return EINVAL;
	}
	if (SPD_ID_DIR(pp.pp_id) >= SPD_XDIR_MAX) {
		r->r_why = "policy id names no direction";
		return EINVAL;
	}
	if ((sp = spd_lookup_id(pp.pp_id)) == NULL) {
		r->r_why = "no such policy";
		return ENOENT;
	}
	if (r->r_hdr->ph_type == SADB_X_SPDDELETE2) {
		srv_notify_policy(sp, SADB_X_SPDDELETE2, r->r_hdr);
		spd_delete(sp);
		return 0;
	}
	if (srv_policy_msg(&wb, sp, SADB_X_SPDGET, r->r_hdr->ph_seq,
	    r->r_hdr->ph_pid) == 0) {
		srv_broadcast(&wb, BROADCAST_ONE, r->r_client);
		wbuf_free(&wb);
	}
	return 0;
}

static int
srv_spddump(struct srv_req *r)
{
	struct spd_policy *sp;
	struct wbuf wb;
	uint32_t n = (uint32_t)spd_count(), i = 0;

	if (n == 0) {
		r->r_why = "SPD empty";
		return ENOENT;
	}
	for (sp = spd_next(NULL); sp != NULL; sp = spd_next(sp)) {
		i++;
		if (srv_policy_msg(&wb, sp, SADB_X_SPDDUMP, i == n ? 0 : i,
		    r->r_hdr->ph_pid) == 0) {
			srv_broadcast(&wb, BROADCAST_ONE, r->r_client);
			wbuf_free(&wb);
		}
	}
	return 0;
}

static int
srv_spdflush(struct srv_req *r)
{
	srv_header_msg(SADB_X_SPDFLUSH, r->r_hdr->ph_satype, r->r_hdr,
	    BROADCAST_ONE, r->r_client);
	if (spd_flush() == 0)
		return 0;
	log_info("SPD flushed");
	srv_header_msg(SADB_X_SPDFLUSH, SADB_SATYPE_UNSPEC, r->r_hdr,
	    BROADCAST_ALL, NULL);
	return 0;
}

/* Types without a handler are EOPNOTSUPP, as in af_key. */
static int (*const srv_handlers[SADB_MAX + 1])(struct srv_req *) = {
	[SADB_GETSPI] = srv_getspi,
	[SADB_UPDATE] = srv_add,
	[SADB_ADD] = srv_add,
	[SADB_DELETE] = srv_delete,
	[SADB_GET] = srv_get,
	[SADB_ACQUIRE] = srv_acquire,
	[SADB_REGISTER] = srv_register,
	[SADB_FLUSH] = srv_flush,
	[SADB_DUMP] = srv_dump,
	[SADB_X_PROMISC] = srv_promisc,
	[SADB_X_SPDUPDATE] = srv_spdadd,
	[SADB_X_SPDADD] = srv_spdadd,
	[SADB_X_SPDDELETE] = srv_spddelete,
	[SADB_X_SPDGET] = srv_spdget,
	[SADB_X_SPDDUMP] = srv_spddump,
	[SADB_X_SPDFLUSH] = srv_spdflush,
	[SADB_X_SPDSETIDX] = srv_spdadd,
	[SADB_X_SPDDELETE2] = srv_spdget,
};

/*
 * ACQUIRE's proposal (af_key dump_esp_combs, dump_ah_combs): every usable
 * integrity algorithm for AH; for ESP every usable cipher with every
 * usable integrity algorithm but null, and combined-mode ciphers alone.
 * Lifetimes are af_key's suggestions.
 */
static void
srv_comb(struct pfkey_comb *c, const struct alg *auth, const struct alg *enc)
{
	memset(c, 0, sizeof(*c));
	if (auth != NULL) {
		c->pc_auth = (uint8_t)auth->alg_sadb;
		c->pc_auth_minbits = auth->alg_keymin;
		c->pc_auth_maxbits = auth->alg_keymax;
	}
	if (enc != NULL) {
		c->pc_encrypt = (uint8_t)enc->alg_sadb;
		c->pc_encrypt_minbits = enc->alg_keymin - alg_salt_bits(enc);
		c->pc_encrypt_maxbits = enc->alg_keymax - alg_salt_bits(enc);
	}
	c->pc_hard_addtime = 24 * 60 * 60;
	c->pc_soft_addtime = 20 * 60 * 60;
	c->pc_hard_usetime = 8 * 60 * 60;
	c->pc_soft_usetime = 7 * 60 * 60;
}

static void
srv_put_proposal(struct wbuf *wb, uint8_t satype)
{
	static struct pfkey_comb combs[PFKEY_MAX_COMBS];
	const struct alg *e, *a;
	size_t n = 0, i = 0, j;

	while (satype == SADB_SATYPE_AH && n < PFKEY_MAX_COMBS &&
	    (a = alg_next(ALG_AUTH, &i)) != NULL)
		if (a->alg_sadb != SADB_X_AALG_NULL && sad_alg_usable(a))
			srv_comb(&combs[n++], a, NULL);
	while (satype == SADB_SATYPE_ESP &&
	    (e = alg_next(ALG_ENC, &i)) != NULL) {
		if (!sad_alg_usable(e))
			continue;
		if (e->alg_flags & ALG_F_AEAD) {
			if (n < PFKEY_MAX_COMBS)
				srv_comb(&combs[n++], NULL, e);
			continue;
		}
		for (j = 0; n < PFKEY_MAX_COMBS &&
		    (a = alg_next(ALG_AUTH, &j)) != NULL;)
			if (a->alg_sadb != SADB_X_AALG_NULL &&
			    sad_alg_usable(a))
				srv_comb(&combs[n++], a, e);
	}
	pfkey_put_proposal(wb, SAD_REPLAY_MAX, combs, n);
}

static uint32_t srv_acqseq;

int
pfkey_srv_acquire(const struct spd_policy *sp, size_t reqidx,
    const struct addr *src, const struct addr *dst)
{
	const struct pfkey_ipsecreq *rq = &sp->sp_req[reqidx];
	struct pfkey_hdr h = { PF_KEY_V2, SADB_ACQUIRE, 0, 0, 0, 0, 0, 0 };
	struct pfkey_policy pp;
	struct pfkey_address ps, pd;
	struct sad_sa *sa;
	struct wbuf wb;
	int rc;

	if (reqidx >= sp->sp_nreq ||
	    (h.ph_satype = pfkey_proto2satype(rq->pq_proto)) == 0)
		return -1;
	if (rq->pq_mode == IPSEC_MODE_TUNNEL) {
		src = &rq->pq_src;
		dst = &rq->pq_dst;
	}
	/* Sequence numbers of ACQUIREs: never 0, which means none. */
	if ((rc = sad_acquire(h.ph_satype, src, dst, rq->pq_mode,
	    rq->pq_reqid, srv_acqseq + 1 == 0 ? 1 : srv_acqseq + 1,
	    &sa)) != 0)
		return rc == 1 ? 1 : -1;
	srv_acqseq = sa->sa_acqseq;
	h.ph_seq = sa->sa_acqseq;
	memset(&pp, 0, sizeof(pp));
	pp.pp_type = IPSEC_POLICY_IPSEC;
	pp.pp_dir = IPSEC_DIR_OUTBOUND;
	pp.pp_id = sp->sp_id;
	pp.pp_priority = sp->sp_priority;
	ps.pa_proto = pd.pa_proto = 0;
	ps.pa_addr = sa->sa_src;
	pd.pa_addr = sa->sa_dst;
	if (wbuf_init(&wb, 1024, PFKEY_MSG_MAX) == -1)
		return -1;
	pfkey_build_hdr(&wb, &h);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &ps);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &pd);
	pfkey_put_policy(&wb, &pp);
	srv_put_proposal(&wb, h.ph_satype);
	if ((rc = pfkey_build_end(&wb)) == 0) {
		log_info("IPsec-SA request %u sent: %s policy %u",
		    h.ph_seq, pfkey_satype_name(h.ph_satype), sp->sp_id);
		srv_broadcast(&wb, BROADCAST_REGISTERED, NULL);
	}
	wbuf_free(&wb);
	return rc;
}

/*
 * SADB_X_NAT_T_NEW_MAPPING as af_key's pfkey_send_new_mapping lays it
 * out: the SA, its peer address and NAT-T port as ADDRESS_SRC and
 * NAT_T_SPORT, the address and port the packet came from as ADDRESS_DST
 * and NAT_T_DPORT; to registered sockets.
 */
int
pfkey_srv_new_mapping(const struct sad_sa *sa, const struct addr *from)
{
	struct pfkey_hdr h = { PF_KEY_V2, SADB_X_NAT_T_NEW_MAPPING, 0,
	    SADB_SATYPE_ESP, 0, 0, 0, 0 };
	struct pfkey_sa psa = { sa->sa_spi, 0, 0, 0, 0, 0 };
	struct pfkey_address ps = { 0, sa->sa_src }, pd = { 0, *from };
	char s[ADDR_STRLEN], d[ADDR_STRLEN];
	struct wbuf wb;
	int rc;

	h.ph_seq = ++srv_acqseq == 0 ? ++srv_acqseq : srv_acqseq;
	ps.pa_addr.a_port = pd.pa_addr.a_port = 0;
	if (wbuf_init(&wb, 256, PFKEY_MSG_MAX) == -1)
		return -1;
	pfkey_build_hdr(&wb, &h);
	pfkey_put_sa(&wb, &psa);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &ps);
	pfkey_put_nat_t_port(&wb, SADB_X_EXT_NAT_T_SPORT, sa->sa_natt_sport);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &pd);
	pfkey_put_nat_t_port(&wb, SADB_X_EXT_NAT_T_DPORT, from->a_port);
	if ((rc = pfkey_build_end(&wb)) == 0) {
		log_info("IPsec-SA esp spi 0x%08x: peer %s[%u] now at %s[%u]",
		    sa->sa_spi, addr_ntop(&sa->sa_src, s, sizeof(s)),
		    sa->sa_natt_sport, addr_ntop(from, d, sizeof(d)),
		    from->a_port);
		srv_broadcast(&wb, BROADCAST_REGISTERED, NULL);
	}
	wbuf_free(&wb);
	return rc;
}

/* Malformed input: logged and counted, never fatal. */
static void
srv_bad(struct srv_client *c, const struct pfkey_hdr *h, const char *why)
{
	srv_nbad++;
	log_warnx("client %u (pid %ld): malformed %s refused: %s "
	    "(%lu so far)", c->c_id, (long)c->c_pid, h != NULL ?
	    pfkey_msgtype_name(h->ph_type) : "message", why, srv_nbad);
}

/* af_key pfkey_get_base_msg(): what makes AF_KEY refuse the send(). */
static int
srv_base_ok(const struct pfkey_msg *msg, size_t len)
{
	const struct pfkey_hdr *h = &msg->pm_hdr;

	return msg->pm_hdr_ok && h->ph_version == PF_KEY_V2 &&
	    h->ph_reserved == 0 && h->ph_type != SADB_RESERVED &&
	    h->ph_type <= SADB_MAX && (size_t)h->ph_len * PFKEY_UNIT == len;
}

static void
srv_process(struct srv_client *c, const uint8_t *buf, size_t len)
{
	struct pfkey_msg msg;
	struct srv_req r;
	int error;

	error = pfkey_parse(&msg, buf, len) == -1 ? errno : 0;
	if (!srv_base_ok(&msg, len)) {
		srv_bad(c, msg.pm_hdr_ok ? &msg.pm_hdr : NULL,
		    error != 0 ? msg.pm_err : "reserved field set");
		if (msg.pm_hdr_ok)
			srv_error(c, &msg.pm_hdr, error != 0 ? error : EINVAL);
		return;
	}
	/* af_key pfkey_process: watchers see each request as it came. */
	srv_broadcast_raw(buf, len, BROADCAST_PROMISC_ONLY, NULL);
	if (error != 0) {
		srv_bad(c, &msg.pm_hdr, msg.pm_err);
		srv_error(c, &msg.pm_hdr, error);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.r_client = c;
	r.r_msg = &msg;
	r.r_hdr = &msg.pm_hdr;
	log_debug(2, "client %u: %s seq %u", c->c_id,
	    pfkey_msgtype_name(msg.pm_hdr.ph_type), msg.pm_hdr.ph_seq);
	if (srv_handlers[msg.pm_hdr.ph_type] == NULL) {
		error = EOPNOTSUPP;
		r.r_why = "not supported";
	} else
		error = srv_handlers[msg.pm_hdr.ph_type](&r);
	if (error != 0) {
		/* A refused request is an answer, not bad input. */
		log_debug(1, "client %u: %s: %s (%s)", c->c_id,
		    pfkey_msgtype_name(msg.pm_hdr.ph_type), strerror(error),
		    r.r_why != NULL ? r.r_why : "no reason");
		srv_error(c, &msg.pm_hdr, error);
	}
}

/*
 * Clients.
 */
static void
srv_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct srv_client *c = arg;
	struct iovec iov = { srv_rbuf, sizeof(srv_rbuf) };
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	n = recvmsg(c->c_fd, &mh, MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		log_debug(1, "client %u (pid %ld) gone", c->c_id,
		    (long)c->c_pid);
		srv_client_free(c);
		return;
	}
	if (mh.msg_flags & MSG_TRUNC) {
		struct pfkey_msg msg;

		(void)pfkey_parse(&msg, srv_rbuf, PFKEY_HDR_LEN);
		srv_bad(c, &msg.pm_hdr, "longer than 64 KiB");
		srv_error(c, &msg.pm_hdr, EMSGSIZE);
	} else
		srv_process(c, srv_rbuf, (size_t)n);
	mem_wipe(srv_rbuf, (size_t)n);
	if (c->c_dead)
		srv_client_free(c);
}

/* Registrations and the promiscuous flag go with the socket. */
static void
srv_client_free(struct srv_client *c)
{
	struct srv_out *o;

	TAILQ_REMOVE(&srv_clients, c, c_entry);
	while ((o = TAILQ_FIRST(&c->c_out)) != NULL) {
		TAILQ_REMOVE(&c->c_out, o, o_entry);
		freezero(o, sizeof(*o) + o->o_len);
	}
	event_free(c->c_rev);
	event_free(c->c_wev);
	close(c->c_fd);
	free(c);
}

/* The effective capabilities of a process, from /proc/PID/status. */
static int
srv_peer_caps(pid_t pid, uint64_t *caps)
{
	char path[64];
	uint8_t buf[8192], capb[8];
	struct rbuf rb, line, word;
	struct wbuf wb;
	ssize_t n;
	int fd, i;

	(void)snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return -1;
	rbuf_init(&rb, buf, (size_t)n);
	while (rbuf_get_line(&rb, &line) == 0) {
		if (rbuf_get_word(&line, &word) == -1 ||
		    !rbuf_eq_str(&word, "CapEff:"))
			continue;
		rbuf_skip_blanks(&line);
		wbuf_init_fixed(&wb, capb, sizeof(capb));
		if (rbuf_get_word(&line, &word) == -1 ||
		    rbuf_left(&word) != 16 || rbuf_get_hex(&word, &wb) == -1)
			return -1;
		for (*caps = 0, i = 0; i < 8; i++)
			*caps = *caps << 8 | capb[i];
		return 0;
	}
	return -1;
}

/* As AF_KEY's socket() does: only CAP_NET_ADMIN may talk PF_KEY. */
static int
srv_peer_ok(int fd, pid_t *pid, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uint64_t caps;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("SO_PEERCRED");
		return 0;
	}
	*pid = cred.pid;
	*uid = cred.uid;
	if (srv_peer_caps(cred.pid, &caps) == -1) {
		log_warnx("peer pid %ld: capabilities unreadable: refused",
		    (long)cred.pid);
		return 0;
	}
	if ((caps & (1ULL << CAP_NET_ADMIN_BIT)) == 0) {
		log_warnx("peer pid %ld uid %ld lacks CAP_NET_ADMIN: refused",
		    (long)cred.pid, (long)cred.uid);
		return 0;
	}
	return 1;
}

static void
srv_client_new(int fd)
{
	struct srv_client *c;
	pid_t pid = 0;
	uid_t uid = 0;

	if (!srv_peer_ok(fd, &pid, &uid) ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->c_fd = fd;
	c->c_id = ++srv_nextid;
	c->c_pid = pid;
	c->c_uid = uid;
	TAILQ_INIT(&c->c_out);
	c->c_rev = event_new(srv_base, fd, EV_READ | EV_PERSIST, srv_read_cb,
	    c);
	c->c_wev = event_new(srv_base, fd, EV_WRITE, srv_write_cb, c);
	if (c->c_rev == NULL || c->c_wev == NULL) {
		log_warnx("client pid %ld: out of memory", (long)pid);
		if (c->c_rev != NULL)
			event_free(c->c_rev);
		if (c->c_wev != NULL)
			event_free(c->c_wev);
		free(c);
		close(fd);
		return;
	}
	TAILQ_INSERT_TAIL(&srv_clients, c, c_entry);
	event_add(c->c_rev, NULL);
	log_debug(1, "client %u: pid %ld uid %ld", c->c_id, (long)pid,
	    (long)uid);
}

static void
srv_backoff_cb(evutil_socket_t fd, short ev, void *arg)
{
	event_add(srv_accept_ev, NULL);
}

static void
srv_accept_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct timeval tv = { 1, 0 };
	int cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd == -1) {
		if (errno == EMFILE || errno == ENFILE) {
			/* Out of descriptors: stop accepting for a second. */
			log_warn("accept");
			event_del(srv_accept_ev);
			evtimer_add(srv_backoff_ev, &tv);
		} else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	srv_client_new(cfd);
}

int
pfkey_srv_listen(const char *name)
{
	struct sockaddr_un sun;
	struct stat st;
	socklen_t len;
	int fd, saved;

	if (pfkey_sock_addr(name, 1, &sun, &len) == -1)
		return -1;
	if (sun.sun_path[0] != '\0') {
		/* A socket left by an ipsecd that died; nothing else. */
		if (lstat(sun.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
			(void)unlink(sun.sun_path);
		(void)snprintf(srv_path, sizeof(srv_path), "%.*s",
		    (int)sizeof(srv_path) - 1, sun.sun_path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, len) == -1 ||
	    listen(fd, SRV_BACKLOG) == -1) {
		saved = errno;
		close(fd);
		srv_path[0] = '\0';
		errno = saved;
		return -1;
	}
	if (srv_path[0] != '\0')
		(void)chmod(srv_path, 0600);
	return fd;
}

int
pfkey_srv_start(struct event_base *base, int fd)
{
	srv_base = base;
	srv_fd = fd;
	sad_init(base, srv_expire_cb, NULL);
	spd_init(base);
	srv_accept_ev = event_new(base, fd, EV_READ | EV_PERSIST,
	    srv_accept_cb, NULL);
	srv_backoff_ev = evtimer_new(base, srv_backoff_cb, NULL);
	if (srv_accept_ev == NULL || srv_backoff_ev == NULL)
		return -1;
	return event_add(srv_accept_ev, NULL);
}

void
pfkey_srv_stop(void)
{
	struct srv_client *c;

	while ((c = TAILQ_FIRST(&srv_clients)) != NULL)
		srv_client_free(c);
	if (srv_accept_ev != NULL)
		event_free(srv_accept_ev);
	if (srv_backoff_ev != NULL)
		event_free(srv_backoff_ev);
	srv_accept_ev = srv_backoff_ev = NULL;
	if (srv_fd != -1)
		close(srv_fd);
	srv_fd = -1;
	if (srv_path[0] != '\0')
		(void)unlink(srv_path);
	srv_path[0] = '\0';
}
