/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The admin socket: listening, credentials, framing of requests, the
 * commands, event subscribers and the status report with its counters.
 * Every request is read whole (up to ADMIN_REQ_MAX bytes) into a buffer
 * and parsed through struct rbuf; a connection that has not sent its
 * whole request ADMIN_IDLE_SEC seconds after it was accepted (or has not
 * read its reply by then) is dropped: a deadline, not an idle timeout,
 * so that a client trickling a byte at a time cannot keep its slot.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "addr.h"
#include "admin.h"
#include "admin_msg.h"
#include "buf.h"
#include "cfg.h"
#include "dpd.h"
#include "exchange.h"
#include "kernel.h"
#include "log.h"
#include "natt.h"
#include "ph1.h"
#include "ph2.h"

#define ADMIN_MAX_CONNS		32
#define ADMIN_IDLE_SEC		5
#define ADMIN_MAX_REASONS	16
#define ADMIN_EVT_BACKLOG	(1024 * 1024)	/* unread events per client */

struct admin_conn {
	TAILQ_ENTRY(admin_conn) cn_entry;
	struct bufferevent *cn_bev;
	struct event	*cn_deadline;	/* ADMIN_IDLE_SEC after accept */
	int		 cn_events;	/* subscribed to events */
	int		 cn_closing;	/* close once written */
};

struct admin_reason {
	char		 ar_why[64];
	uint64_t	 ar_count;
};

struct admin_counters {
	uint64_t	 co_ph1_up;
	uint64_t	 co_ph2_up;
	uint64_t	 co_dpd_dead;
	uint64_t	 co_io_drop;
	struct admin_reason co_ph1_fail[ADMIN_MAX_REASONS];
	struct admin_reason co_ph2_fail[ADMIN_MAX_REASONS];
};

static TAILQ_HEAD(, admin_conn) admin_conns =
    TAILQ_HEAD_INITIALIZER(admin_conns);
static unsigned		 admin_nconns;
static struct event_base *admin_base;
static struct exchange_env *admin_env;
static struct admin_hooks admin_h;
static struct event	*admin_listen_ev;
static int		 admin_fd = -1;
static char		 admin_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static uid_t		 admin_uid;
static gid_t		 admin_gid;
static mode_t		 admin_mode;
static struct admin_counters admin_co;
static time_t		 admin_started;

/* Counters */

static void
admin_reason_add(struct admin_reason *r, const char *why)
{
	size_t i;

	if (why == NULL || why[0] == '\0')
		why = "unknown";
	for (i = 0; i < ADMIN_MAX_REASONS; i++) {
		if (r[i].ar_count != 0 && strcmp(r[i].ar_why, why) != 0)
			continue;
		if (r[i].ar_count == 0)
			snprintf(r[i].ar_why, sizeof(r[i].ar_why), "%s", why);
		r[i].ar_count++;
		return;
	}
	/* The table is full: the last slot takes the rest. */
	snprintf(r[ADMIN_MAX_REASONS - 1].ar_why,
	    sizeof(r[0].ar_why), "other");
	r[ADMIN_MAX_REASONS - 1].ar_count++;
}

void
admin_count_io_drop(void)
{
	admin_co.co_io_drop++;
}

/* Connections */

static void
admin_conn_free(struct admin_conn *cn)
{
	TAILQ_REMOVE(&admin_conns, cn, cn_entry);
	admin_nconns--;
	if (cn->cn_deadline != NULL)
		event_free(cn->cn_deadline);
	bufferevent_free(cn->cn_bev);
	free(cn);
}

static void
admin_write_cb(struct bufferevent *bev, void *arg)
{
	struct admin_conn *cn = arg;

	(void)bev;
	if (cn->cn_closing && !cn->cn_events)
		admin_conn_free(cn);
}

/* Queue a finished message (wb) on the connection. */
static void
admin_send(struct admin_conn *cn, struct wbuf *wb)
{
	if (admin_msg_end(wb, 1) == -1 ||
	    bufferevent_write(cn->cn_bev, wbuf_data(wb), wbuf_len(wb)) == -1)
		log_warnx("admin: reply could not be sent");
}

/* A reply with only an errno (0: done). */
static void
admin_reply_errno(struct admin_conn *cn, uint16_t cmd, uint16_t proto,
    int err)
{
	struct wbuf wb;
	uint8_t buf[ADMIN_HDR_LEN];

	wbuf_init_fixed(&wb, buf, sizeof(buf));
	(void)admin_msg_begin(&wb, cmd, (int16_t)err, proto);
	admin_send(cn, &wb);
}

/* Addresses and events */

static void
admin_evt_fill(struct admin_evt *ev, uint32_t type, const struct ph1 *ph1,
    const struct ph2 *ph2)
{
	memset(ev, 0, sizeof(*ev));
	ev->ev_type = type;
	ev->ev_time = (uint64_t)time(NULL);
	if (ph1 != NULL) {
		ev->ev_src = ph1->ph1_local;
		ev->ev_dst = ph1->ph1_peer;
	}
	if (ph2 != NULL)
		ev->ev_msgid = ph2->ph2_msgid;
}

void
admin_event(uint32_t type, const struct ph1 *ph1, const struct ph2 *ph2)
{
	struct admin_conn *cn;
	struct admin_evt ev;
	struct wbuf wb;

	switch (type) {
	case EVT_PHASE1_UP:
		admin_co.co_ph1_up++;
		break;
	case EVT_PHASE2_UP:
		admin_co.co_ph2_up++;
		break;
	case EVT_PHASE1_DPD_TIMEOUT:
		admin_co.co_dpd_dead++;
		break;
	case EVT_PHASE1_NO_RESPONSE:
	case EVT_PHASE1_NO_PROPOSAL:
	case EVT_PHASE1_AUTH_FAILED:
		admin_reason_add(admin_co.co_ph1_fail,
		    ph1 != NULL ? ph1->ph1_why : NULL);
		break;
	case EVT_PHASE2_NO_RESPONSE:
	case EVT_PHASE2_NO_PHASE1:
		admin_reason_add(admin_co.co_ph2_fail,
		    ph2 != NULL ? ph2->ph2_why : NULL);
		break;
	default:
		break;
	}
	admin_evt_fill(&ev, type, ph1, ph2);
	TAILQ_FOREACH(cn, &admin_conns, cn_entry) {
		if (!cn->cn_events)
			continue;
		/* A client that does not read loses its events, not us. */
		if (evbuffer_get_length(bufferevent_get_output(cn->cn_bev)) >
		    ADMIN_EVT_BACKLOG) {
			log_warnx("admin: an event client reads nothing; it "
			    "gets no more events");
			cn->cn_events = 0;
			continue;
		}
		if (wbuf_init(&wb, ADMIN_HDR_LEN + ADMIN_EVT_LEN,
		    ADMIN_HDR_LEN + ADMIN_EVT_LEN) == -1)
			return;
		if (admin_msg_begin(&wb, ADMIN_SHOW_EVT, 0, 0) == 0 &&
		    admin_evt_build(&wb, &ev) == 0)
			admin_send(cn, &wb);
		wbuf_free(&wb);
	}
}

/* show-sa isakmp: ipsec-tools' ph1dump, as admin_ph1rec records. */
static int
admin_show_isakmp(struct wbuf *wb)
{
	const struct ph1 *ph1;
	const struct ph2 *ph2;
	struct admin_ph1rec pr;
	uint64_t now = exchange_now(admin_env);
	time_t wall = time(NULL);

	TAILQ_FOREACH(ph1, &admin_env->env_ph1s, ph1_entry) {
		memset(&pr, 0, sizeof(pr));
		pr.pr_local = ph1->ph1_local;
		pr.pr_remote = ph1->ph1_peer;
		memcpy(pr.pr_icookie, ph1->ph1_icookie, 8);
		memcpy(pr.pr_rcookie, ph1->ph1_rcookie, 8);
		pr.pr_status = (uint8_t)ph1->ph1_state;
		pr.pr_side = ph1->ph1_role == ISAKMP_ROLE_I ? 0 : 1;
		pr.pr_version = 0x10;
		pr.pr_etype = ph1->ph1_ex.ex_kind == EXCHANGE_MAIN ?
		    ISAKMP_ETYPE_IDENT : ISAKMP_ETYPE_AGG;
		pr.pr_created = (uint64_t)(wall -
		    (time_t)((now - ph1->ph1_created) / 1000));
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
			pr.pr_ph2cnt++;
		if (admin_ph1rec_build(wb, &pr) == -1)
			return -1;
	}
	return 0;
}

/* A formatted line into the reply. */
static int
admin_printf(struct wbuf *wb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
admin_printf(struct wbuf *wb, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	return wbuf_put_bytes(wb, line, (size_t)n);
}

/* Seconds from now until t (ms), or 0. */
static long
admin_secs(uint64_t t, uint64_t now)
{
	return t > now ? (long)((t - now + 999) / 1000) : 0;
}

/* show-schedule: what the timers hold, one line a timer. */
static int
admin_show_sched(struct wbuf *wb)
{
	const struct ph1 *ph1;
	const struct ph2 *ph2;
	char name[PH1_NAMELEN + PH2_NAMELEN];
	uint64_t now = exchange_now(admin_env);
	unsigned idx = 0;
	struct {
		uint64_t at;
		const char *what;
	} t[5];
	size_t i, n;

	admin_printf(wb, "index    tick     what         for\n");
	TAILQ_FOREACH(ph1, &admin_env->env_ph1s, ph1_entry) {
		ph1_name(ph1, name, sizeof(name));
		t[0].at = ph1->ph1_ex.ex_resend_at, t[0].what = "PH1resend";
		t[1].at = ph1->ph1_expire_at, t[1].what = "PH1lifetime";
		t[2].at = dpd_next(ph1), t[2].what = "DPDprobe";
		t[3].at = ph1->ph1_dead_at, t[3].what = "PH1cleanup";
		n = 4;
		for (i = 0; i < n; i++)
			if (t[i].at != 0)
				admin_printf(wb, "%-8u %-8ld %-12s %s\n", idx++,
				    admin_secs(t[i].at, now), t[i].what, name);
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry) {
			ph2_name(ph2, name, sizeof(name));
			t[0].at = ph2->ph2_ex.ex_resend_at;
			t[0].what = "PH2resend";
			t[1].at = ph2->ph2_expire_at;
			t[1].what = "PH2lifetime";
			t[2].at = ph2->ph2_dead_at;
			t[2].what = "PH2cleanup";
			for (i = 0; i < 3; i++)
				if (t[i].at != 0)
					admin_printf(wb, "%-8u %-8ld %-12s "
					    "%s\n", idx++,
					    admin_secs(t[i].at, now),
					    t[i].what, name);
		}
	}
	return wbuf_failed(wb) ? -1 : 0;
}

/* Status */

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void
admin_json_str(struct wbuf *wb, const char *s)
{
	const unsigned char *p;

	(void)wbuf_put_u8(wb, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			admin_printf(wb, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			admin_printf(wb, "\\u%04x", *p);
		else
			(void)wbuf_put_u8(wb, *p);
	}
	(void)wbuf_put_u8(wb, '"');
}

static void
admin_hex(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static const char *
admin_alg(const struct alg *a)
{
	return a != NULL ? a->alg_name : "none";
}

/* What the report says of one ISAKMP-SA. */
struct admin_p1 {
	char		 local[ADDR_STRLEN], remote[ADDR_STRLEN];
	char		 ic[17], rc[17], id[256];
	const char	*role, *state, *exch, *natt;
	long		 age, lifetime, expires;
	size_t		 nph2;
};

static void
admin_p1_fill(const struct ph1 *ph1, uint64_t now, struct admin_p1 *p)
{
	const struct ph2 *ph2;

	addr_fmt(&ph1->ph1_local, ADDR_PORT, p->local, sizeof(p->local));
	addr_fmt(&ph1->ph1_peer, ADDR_PORT, p->remote, sizeof(p->remote));
	admin_hex(p->ic, ph1->ph1_icookie, 8);
	admin_hex(p->rc, ph1->ph1_rcookie, 8);
	ph1_peer_id_str(ph1, p->id, sizeof(p->id));
	p->role = ph1->ph1_role == ISAKMP_ROLE_I ? "initiator" : "responder";
	p->state = ph1_state_name(ph1->ph1_state);
	p->exch = ph1->ph1_ex.ex_kind == EXCHANGE_MAIN ? "main" :
	    "aggressive";
	p->natt = natt_version_name(ph1->ph1_natt_ver);
	p->age = (long)((now - ph1->ph1_created) / 1000);
	p->lifetime = (long)ph1->ph1_prop.p1_lifetime;
	p->expires = ph1->ph1_expire_at != 0 ?
	    admin_secs(ph1->ph1_expire_at, now) : -1;
	p->nph2 = 0;
	TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
		p->nph2++;
}

static void
admin_json_ph1(struct wbuf *wb, const struct ph1 *ph1, uint64_t now)
{
	const struct dpd *d = &ph1->ph1_dpd;
	const struct cfg_remote *rm = ph1->ph1_remote;
	struct admin_p1 p;

	admin_p1_fill(ph1, now, &p);
	admin_printf(wb, "{\"local\":\"%s\",\"remote\":\"%s\","
	    "\"icookie\":\"%s\",\"rcookie\":\"%s\",\"role\":\"%s\","
	    "\"state\":\"%s\",\"exchange\":\"%s\",\"remote_id\":", p.local,
	    p.remote, p.ic, p.rc, p.role, p.state, p.exch);
	admin_json_str(wb, p.id);
	admin_printf(wb, ",\"encryption\":\"%s\",\"key_bits\":%u,"
	    "\"hash\":\"%s\",\"dh_group\":\"%s\",\"auth\":\"%s\","
	    "\"age\":%ld,\"lifetime\":%ld,\"expires_in\":%ld,"
	    "\"phase2_count\":%zu,", admin_alg(ph1->ph1_prop.p1_enc),
	    ph1->ph1_prop.p1_keylen, admin_alg(ph1->ph1_prop.p1_hash),
	    admin_alg(ph1->ph1_prop.p1_dh),
	    ph1->ph1_prop.p1_auth != 0 ? cfg_auth_name(ph1->ph1_prop.p1_auth) :
	    "none", p.age, p.lifetime, p.expires, p.nph2);
	admin_printf(wb, "\"nat_t\":{\"version\":");
	admin_json_str(wb, p.natt);
	admin_printf(wb, ",\"local_behind_nat\":"
	    "%s,\"peer_behind_nat\":%s,\"port_floated\":%s},",
	    ph1->ph1_natt_flags & NATT_F_ME ? "true" : "false",
	    ph1->ph1_natt_flags & NATT_F_PEER ? "true" : "false",
	    ph1->ph1_natt_flags & NATT_F_FLOATED ? "true" : "false");
	admin_printf(wb, "\"dpd\":{\"active\":%s,\"peer_supports\":%s,"
	    "\"delay\":%u,\"retry\":%u,\"maxfail\":%u,\"seq\":%u,"
	    "\"last_ack\":%u,\"unanswered\":%u,\"last_ack_age\":",
	    dpd_active(ph1) ? "true" : "false",
	    d->dpd_peer_vid ? "true" : "false",
	    rm != NULL ? rm->r_dpd_delay : 0, rm != NULL ? rm->r_dpd_retry : 0,
	    rm != NULL ? rm->r_dpd_maxfail : 0, d->dpd_seq, d->dpd_last_ack,
	    d->dpd_fails);
	if (d->dpd_ack_at != 0)
		admin_printf(wb, "%ld}}", (long)((now - d->dpd_ack_at) / 1000));
	else
		admin_printf(wb, "null}}");
}

static const char *
admin_proto_name(uint8_t p)
{
	return p == ISAKMP_PROTO_AH ? "ah" : "esp";
}

static void
admin_sel(const struct ph2_sel *s, char *buf, size_t len)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	if (s->sel_end.a_af != AF_UNSPEC)
		snprintf(buf, len, "%s-%s", addr_ntop(&s->sel_addr, a,
		    sizeof(a)), addr_ntop(&s->sel_end, b, sizeof(b)));
	else
		addr_fmt(&s->sel_addr, ADDR_PREFIX | ADDR_PORT, buf, len);
}

static void
admin_json_ph2(struct wbuf *wb, const struct ph2 *ph2, uint64_t now)
{
	const struct proposal_ph2 *pp = &ph2->ph2_prop;
	char l[ADDR_STRLEN * 2], r[ADDR_STRLEN * 2], ic[17];
	long age = -1, exp = -1;
	size_t i;

	admin_sel(&ph2->ph2_local, l, sizeof(l));
	admin_sel(&ph2->ph2_remote, r, sizeof(r));
	admin_hex(ic, ph2->ph2_ph1->ph1_icookie, 8);
	if (ph2->ph2_expire_at != 0 && pp->pp_lifetime != 0) {
		exp = admin_secs(ph2->ph2_expire_at, now);
		age = (long)pp->pp_lifetime - exp;
		if (age < 0)
			age = 0;
	}
	admin_printf(wb, "{\"phase1_icookie\":\"%s\",\"msgid\":\"%08x\","
	    "\"role\":\"%s\",\"state\":\"%s\",\"local\":\"%s\","
	    "\"remote\":\"%s\",\"pfs\":\"%s\",\"age\":%ld,\"lifetime\":%u,"
	    "\"expires_in\":%ld,\"sas\":[", ic, ph2->ph2_msgid,
	    ph2->ph2_role == ISAKMP_ROLE_I ? "initiator" : "responder",
	    ph2_state_name(ph2->ph2_state), l, r, admin_alg(pp->pp_pfs), age,
	    pp->pp_lifetime, exp);
	for (i = 0; i < pp->pp_nsa; i++) {
		const struct proposal_sa *ps = &pp->pp_sa[i];

		admin_printf(wb, "%s{\"protocol\":\"%s\",\"mode\":\"%s\","
		    "\"udp_encap\":%s,\"spi_in\":\"0x%08x\","
		    "\"spi_out\":\"0x%08x\",\"encryption\":\"%s\","
		    "\"key_bits\":%u,\"authentication\":\"%s\"}",
		    i > 0 ? "," : "", admin_proto_name(ps->ps_proto),
		    ps->ps_mode == IPSECDOI_MODE_TUNNEL ? "tunnel" : "transport",
		    ps->ps_wire_mode != ps->ps_mode ? "true" : "false",
		    ps->ps_spi, ps->ps_spi_peer, admin_alg(ps->ps_enc),
		    ps->ps_keylen, admin_alg(ps->ps_auth));
	}
	admin_printf(wb, "]}");
}

static void
admin_json_reasons(struct wbuf *wb, const struct admin_reason *r)
{
	size_t i;
	int first = 1;

	admin_printf(wb, "{");
	for (i = 0; i < ADMIN_MAX_REASONS; i++) {
		if (r[i].ar_count == 0)
			continue;
		admin_printf(wb, "%s", first ? "" : ",");
		admin_json_str(wb, r[i].ar_why);
		admin_printf(wb, ":%llu", (unsigned long long)r[i].ar_count);
		first = 0;
	}
	admin_printf(wb, "}");
}

static void
admin_json_counters(struct wbuf *wb)
{
	const struct exchange_env *env = admin_env;
	int i;

	admin_printf(wb, "\"counters\":{\"phase1\":{\"started\":%llu,"
	    "\"established\":%llu,\"dead_peers\":%llu,\"failed\":",
	    (unsigned long long)env->env_ph1_started,
	    (unsigned long long)admin_co.co_ph1_up,
	    (unsigned long long)admin_co.co_dpd_dead);
	admin_json_reasons(wb, admin_co.co_ph1_fail);
	admin_printf(wb, "},\"phase2\":{\"started\":%llu,\"established\":%llu,"
	    "\"failed\":", (unsigned long long)env->env_next_id,
	    (unsigned long long)admin_co.co_ph2_up);
	admin_json_reasons(wb, admin_co.co_ph2_fail);
	admin_printf(wb, "},\"dropped\":{\"total\":%llu",
	    (unsigned long long)env->env_dropped);
	for (i = 0; i < EXCHANGE_DROP_COUNT; i++)
		admin_printf(wb, ",\"%s\":%llu", exchange_drop_name(i),
		    (unsigned long long)env->env_drops[i]);
	admin_printf(wb, ",\"half_open_cap\":%llu,\"socket_filter\":%llu}}",
	    (unsigned long long)env->env_capped,
	    (unsigned long long)admin_co.co_io_drop);
}

static int
admin_status_json(struct wbuf *wb)
{
	const struct ph1 *ph1;
	const struct ph2 *ph2;
	uint64_t now = exchange_now(admin_env);
	int first = 1;

	admin_printf(wb, "{\"version\":1,\"pid\":%ld,\"uptime\":%ld,"
	    "\"phase1\":[", (long)getpid(), (long)(time(NULL) - admin_started));
	TAILQ_FOREACH(ph1, &admin_env->env_ph1s, ph1_entry) {
		admin_printf(wb, "%s", first ? "" : ",");
		admin_json_ph1(wb, ph1, now);
		first = 0;
	}
	admin_printf(wb, "],\"phase2\":[");
	first = 1;
	TAILQ_FOREACH(ph1, &admin_env->env_ph1s, ph1_entry)
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry) {
			admin_printf(wb, "%s", first ? "" : ",");
			admin_json_ph2(wb, ph2, now);
			first = 0;
		}
	admin_printf(wb, "],");
	admin_json_counters(wb);
	admin_printf(wb, "}\n");
	return wbuf_failed(wb) ? -1 : 0;
}

static void
admin_text_reasons(struct wbuf *wb, const char *what,
    const struct admin_reason *r)
{
	size_t i;

	for (i = 0; i < ADMIN_MAX_REASONS; i++)
		if (r[i].ar_count != 0)
			admin_printf(wb, "  %s failed: %s: %llu\n", what,
			    r[i].ar_why, (unsigned long long)r[i].ar_count);
}

static int
admin_status_text(struct wbuf *wb)
{
	const struct ph1 *ph1;
	const struct ph2 *ph2;
	uint64_t now = exchange_now(admin_env);
	struct admin_p1 p;
	char l[ADDR_STRLEN * 2], r[ADDR_STRLEN * 2];
	size_t i;

	admin_printf(wb, "racoon pid %ld, up %ld s\nPhase 1:\n",
	    (long)getpid(), (long)(time(NULL) - admin_started));
	TAILQ_FOREACH(ph1, &admin_env->env_ph1s, ph1_entry) {
		admin_p1_fill(ph1, now, &p);
		admin_printf(wb, "  %s -> %s %s:%s %s %s %s id \"%s\"\n"
		    "    %s/%s/%s, age %ld s, lifetime %ld s, NAT-T %s%s%s, "
		    "DPD %s (seq %u, unanswered %u), %zu phase 2\n",
		    p.local, p.remote, p.ic, p.rc, p.state, p.role, p.exch,
		    p.id, admin_alg(ph1->ph1_prop.p1_enc),
		    admin_alg(ph1->ph1_prop.p1_hash),
		    admin_alg(ph1->ph1_prop.p1_dh), p.age, p.lifetime, p.natt,
		    ph1->ph1_natt_flags & NATT_F_ME ? " (we are behind NAT)" :
		    "", ph1->ph1_natt_flags & NATT_F_PEER ?
		    " (peer behind NAT)" : "", dpd_active(ph1) ? "on" :
		    ph1->ph1_dpd.dpd_peer_vid ? "answering" : "off",
		    ph1->ph1_dpd.dpd_seq, ph1->ph1_dpd.dpd_fails, p.nph2);
	}
	admin_printf(wb, "Phase 2:\n");
	TAILQ_FOREACH(ph1, &admin_env->env_ph1s, ph1_entry)
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry) {
			admin_sel(&ph2->ph2_local, l, sizeof(l));
			admin_sel(&ph2->ph2_remote, r, sizeof(r));
			admin_printf(wb, "  %08x %s <-> %s %s, lifetime %u s, "
			    "expires in %ld s\n", ph2->ph2_msgid, l, r,
			    ph2_state_name(ph2->ph2_state),
			    ph2->ph2_prop.pp_lifetime,
			    admin_secs(ph2->ph2_expire_at, now));
			for (i = 0; i < ph2->ph2_prop.pp_nsa; i++) {
				const struct proposal_sa *ps =
				    &ph2->ph2_prop.pp_sa[i];

				admin_printf(wb, "    %s %s spi in 0x%08x out "
				    "0x%08x %s/%s\n",
				    admin_proto_name(ps->ps_proto),
				    ps->ps_mode == IPSECDOI_MODE_TUNNEL ?
				    "tunnel" : "transport", ps->ps_spi,
				    ps->ps_spi_peer, admin_alg(ps->ps_enc),
				    admin_alg(ps->ps_auth));
			}
		}
	admin_printf(wb, "Counters:\n  phase 1 started %llu, established "
	    "%llu, dead peers %llu\n",
	    (unsigned long long)admin_env->env_ph1_started,
	    (unsigned long long)admin_co.co_ph1_up,
	    (unsigned long long)admin_co.co_dpd_dead);
	admin_text_reasons(wb, "phase 1", admin_co.co_ph1_fail);
	admin_printf(wb, "  phase 2 started %llu, established %llu\n",
	    (unsigned long long)admin_env->env_next_id,
	    (unsigned long long)admin_co.co_ph2_up);
	admin_text_reasons(wb, "phase 2", admin_co.co_ph2_fail);
	admin_printf(wb, "  dropped %llu:",
	    (unsigned long long)admin_env->env_dropped);
	for (i = 0; i < EXCHANGE_DROP_COUNT; i++)
		admin_printf(wb, " %s %llu,", exchange_drop_name(i),
		    (unsigned long long)admin_env->env_drops[i]);
	admin_printf(wb, " half-open cap %llu, socket filter %llu\n",
	    (unsigned long long)admin_env->env_capped,
	    (unsigned long long)admin_co.co_io_drop);
	return wbuf_failed(wb) ? -1 : 0;
}

/* Commands that change things */

/* Tell the peer, then take one established phase 2 down. */
static void
admin_ph2_down(struct ph2 *ph2)
{
	if (ph2->ph2_state != PH2_S_ESTABLISHED)
		return;
	(void)exchange_delete_ph2(ph2);
	exchange_ph2_purge(ph2, "deleted by racoonctl");
}

static void
admin_ph1_down(struct ph1 *ph1, int with_ph2)
{
	struct ph2 *ph2;

	if (ph1->ph1_state != PH1_S_ESTABLISHED) {
		ph1_fail(ph1, "deleted by racoonctl");
		return;
	}
	if (with_ph2)
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
			admin_ph2_down(ph2);
	(void)exchange_delete_ph1(ph1);
	ph1_expire(ph1, "deleted by racoonctl");
}

static int
admin_proto_match(uint16_t proto, const struct ph2 *ph2)
{
	size_t i;

	if (proto == ADMIN_PROTO_IPSEC)
		return 1;
	for (i = 0; i < ph2->ph2_prop.pp_nsa; i++)
		if ((proto == ADMIN_PROTO_ESP &&
		    ph2->ph2_prop.pp_sa[i].ps_proto == ISAKMP_PROTO_ESP) ||
		    (proto == ADMIN_PROTO_AH &&
		    ph2->ph2_prop.pp_sa[i].ps_proto == ISAKMP_PROTO_AH))
			return 1;
	return 0;
}

static int
admin_flush(uint16_t proto)
{
	struct ph1 *ph1;
	struct ph2 *ph2;

	TAILQ_FOREACH(ph1, &admin_env->env_ph1s, ph1_entry) {
		if (proto == ADMIN_PROTO_ISAKMP) {
			if (ph1->ph1_state != PH1_S_FAILED &&
			    ph1->ph1_state != PH1_S_EXPIRED)
				admin_ph1_down(ph1, 0);
			continue;
		}
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
			if (admin_proto_match(proto, ph2))
				admin_ph2_down(ph2);
	}
	log_info("admin: flush-sa done");
	return 0;
}

/* a is the unspecified address (any), or the same host as b. */
static int
admin_host_ok(const struct addr *a, const struct addr *b)
{
	return addr_is_unspec(a) || (a->a_af == b->a_af &&
	    addr_cmp_host(a, b) == 0);
}

/* The ph1 (live) between the index's src (ours) and dst (the peer). */
static int
admin_ph1_is(const struct ph1 *ph1, const struct admin_index *ai)
{
	return ph1->ph1_state != PH1_S_FAILED &&
	    ph1->ph1_state != PH1_S_EXPIRED &&
	    admin_host_ok(&ai->ai_src, &ph1->ph1_local) &&
	    admin_host_ok(&ai->ai_dst, &ph1->ph1_peer);
}

static int
admin_delete(uint16_t cmd, uint16_t proto, const struct admin_index *ai)
{
	struct ph1 *ph1;
	struct ph2 *ph2;
	int found = 0;

	TAILQ_FOREACH(ph1, &admin_env->env_ph1s, ph1_entry) {
		if (!admin_ph1_is(ph1, ai))
			continue;
		if (cmd == ADMIN_DELETE_ALL_SA_DST) {
			admin_ph1_down(ph1, 1);
			found = 1;
			continue;
		}
		if (proto == ADMIN_PROTO_ISAKMP) {
			admin_ph1_down(ph1, 0);
			found = 1;
			continue;
		}
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
			if (ph2->ph2_state == PH2_S_ESTABLISHED &&
			    admin_proto_match(proto, ph2)) {
				admin_ph2_down(ph2);
				found = 1;
			}
	}
	return found ? 0 : ENOENT;
}

static int
admin_establish(uint16_t proto, const struct admin_index *ai,
    const char *rname)
{
	const struct cfg_remote *rm;
	struct addr l = ai->ai_src, p = ai->ai_dst;
	const struct ph1 *ph1;

	if (proto != ADMIN_PROTO_ISAKMP)
		return kernel_establish(&l, &p) == 0 ? 0 :
		    errno == ENOENT ? ENOENT : EINVAL;
	l.a_plen = addr_maxplen(l.a_af);
	p.a_plen = addr_maxplen(p.a_af);
	if (l.a_port == 0)
		l.a_port = admin_h.ah_port;
	if (p.a_port == 0)
		p.a_port = admin_h.ah_port;
	TAILQ_FOREACH(ph1, &admin_env->env_ph1s, ph1_entry)
		if (admin_ph1_is(ph1, ai))
			return EEXIST;
	rm = rname != NULL ? cfg_remote_by_name(admin_env->env_cfg, rname) :
	    ph1_remote_find(admin_env->env_cfg, &p);
	if (rm == NULL) {
		log_warnx("admin: establish-sa: no remote for %s",
		    rname != NULL ? rname : "the peer");
		return ENOENT;
	}
	return ph1_start(admin_env, rm, &l, &p) != NULL ? 0 : EINVAL;
}

/* Requests */

/* A reply with data built by fn. */
static int
admin_reply_data(struct admin_conn *cn, uint16_t cmd, uint16_t proto,
    int (*fn)(struct wbuf *))
{
	struct wbuf wb;
	int rv = 0;

	if (wbuf_init(&wb, 4096, ADMIN_REPLY_MAX) == -1)
		return ENOMEM;
	if (admin_msg_begin(&wb, cmd, 0, proto) == -1 || fn(&wb) == -1 ||
	    wbuf_failed(&wb))
		rv = ENOBUFS;
	else
		admin_send(cn, &wb);
	wbuf_free(&wb);
	return rv;
}

/* The remote name after an establish-sa isakmp index: NUL-terminated. */
static int
admin_rname(struct rbuf *rb, char *buf, size_t len, const char **why)
{
	size_t n = rbuf_left(rb);
	const uint8_t *p;
	size_t i;

	if (n == 0)
		return 0;
	if (n > len || rbuf_get_ref(rb, n, &p) == -1 || p[n - 1] != '\0' ||
	    n == 1) {
		*why = "remote name not a NUL-terminated string of 1-255 "
		    "bytes";
		return -1;
	}
	for (i = 0; i + 1 < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f) {
			*why = "remote name with unprintable bytes";
			return -1;
		}
	memcpy(buf, p, n);
	return 1;
}

static int
admin_proto_ok(uint16_t proto, int internal)
{
	return proto == ADMIN_PROTO_ISAKMP || proto == ADMIN_PROTO_IPSEC ||
	    proto == ADMIN_PROTO_AH || proto == ADMIN_PROTO_ESP ||
	    (internal && proto == ADMIN_PROTO_INTERNAL);
}

static int admin_status_fmt;

static int
admin_status_cb(struct wbuf *wb)
{
	return admin_status_fmt == ADMIN_STATUS_JSON ?
	    admin_status_json(wb) : admin_status_text(wb);
}

/*
 * One whole request.  Returns the errno for the reply, or -1 when the
 * reply was sent already; *why names what was wrong with it.
 */
static int
admin_request(struct admin_conn *cn, const struct admin_hdr *h,
    struct rbuf *data, const char **why)
{
	struct admin_index ai;
	char rname[256];
	int n;

	switch (h->ah_cmd) {
	case ADMIN_RELOAD_CONF:
	case ADMIN_SHOW_SCHED:
	case ADMIN_SHOW_EVT:
	case ADMIN_SHOW_SA:
	case ADMIN_FLUSH_SA:
	case ADMIN_STATUS:
		if (rbuf_left(data) != 0) {
			*why = "data after a command that takes none";
			return EINVAL;
		}
		break;
	case ADMIN_DELETE_SA:
	case ADMIN_ESTABLISH_SA:
	case ADMIN_DELETE_ALL_SA_DST:
		if (admin_index_parse(data, &ai, why) == -1)
			return EINVAL;
		break;
	default:
		*why = "unknown command";
		return EOPNOTSUPP;
	}
	switch (h->ah_cmd) {
	case ADMIN_RELOAD_CONF:
		log_info("admin: reload-config");
		return admin_h.ah_reload() == 0 ? 0 : EIO;
	case ADMIN_SHOW_SCHED:
		return admin_reply_data(cn, h->ah_cmd, 0, admin_show_sched) ==
		    0 ? -1 : ENOBUFS;
	case ADMIN_STATUS:
		if (h->ah_proto != ADMIN_STATUS_TEXT &&
		    h->ah_proto != ADMIN_STATUS_JSON) {
			*why = "status format neither text nor json";
			return EINVAL;
		}
		admin_status_fmt = h->ah_proto;
		return admin_reply_data(cn, h->ah_cmd, h->ah_proto,
		    admin_status_cb) == 0 ? -1 : ENOBUFS;
	case ADMIN_SHOW_EVT:
		cn->cn_events = 1;
		return 0;
	case ADMIN_SHOW_SA:
		if (!admin_proto_ok(h->ah_proto, 1)) {
			*why = "unknown protocol";
			return EINVAL;
		}
		if (h->ah_proto != ADMIN_PROTO_ISAKMP)
			return EOPNOTSUPP;	/* racoonctl reads the kernel */
		return admin_reply_data(cn, h->ah_cmd, h->ah_proto,
		    admin_show_isakmp) == 0 ? -1 : ENOBUFS;
	case ADMIN_FLUSH_SA:
		if (!admin_proto_ok(h->ah_proto, 0)) {
			*why = "unknown protocol";
			return EINVAL;
		}
		return admin_flush(h->ah_proto);
	case ADMIN_DELETE_SA:
	case ADMIN_DELETE_ALL_SA_DST:
		if (!admin_proto_ok(h->ah_proto, 0) ||
		    h->ah_proto == ADMIN_PROTO_IPSEC) {
			*why = "protocol neither isakmp, esp nor ah";
			return EINVAL;
		}
		if (rbuf_left(data) != 0) {
			*why = "data after the SA index";
			return EINVAL;
		}
		return admin_delete(h->ah_cmd, h->ah_proto, &ai);
	case ADMIN_ESTABLISH_SA:
		if (!admin_proto_ok(h->ah_proto, 0) ||
		    h->ah_proto == ADMIN_PROTO_IPSEC) {
			*why = "protocol neither isakmp, esp nor ah";
			return EINVAL;
		}
		if ((n = admin_rname(data, rname, sizeof(rname), why)) == -1)
			return EINVAL;
		if (n == 1 && h->ah_proto != ADMIN_PROTO_ISAKMP) {
			*why = "a remote name is for isakmp only";
			return EINVAL;
		}
		/* -w: the client waits for the outcome among the events. */
		cn->cn_events = 1;
		return admin_establish(h->ah_proto, &ai, n == 1 ? rname :
		    NULL);
	}
	return EOPNOTSUPP;
}

/* Read what there is; a whole request is answered. */
static void
admin_read_cb(struct bufferevent *bev, void *arg)
{
	struct admin_conn *cn = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t buf[ADMIN_REQ_MAX];
	struct admin_hdr h;
	struct rbuf rb, data;
	const char *why = NULL;
	size_t have = evbuffer_get_length(in);
	int err;

	if (cn->cn_closing || cn->cn_events) {
		/* One request a connection; later bytes are ignored. */
		evbuffer_drain(in, have);
		return;
	}
	if (have < ADMIN_HDR_LEN)
		return;
	(void)evbuffer_copyout(in, buf, ADMIN_HDR_LEN);
	rbuf_init(&rb, buf, ADMIN_HDR_LEN);
	memset(&h, 0, sizeof(h));
	if (admin_hdr_parse(&rb, 0, &h, &why) == -1) {
		err = h.ah_len > ADMIN_REQ_MAX ? EMSGSIZE : EINVAL;
		goto bad;
	}
	if (h.ah_flag && h.ah_errno != ADMIN_VERSION) {
		why = "unknown protocol version";
		err = EPROTONOSUPPORT;
		goto bad;
	}
	if (have < h.ah_len)
		return;		/* more to come, or the idle timeout */
	(void)evbuffer_remove(in, buf, h.ah_len);
	evbuffer_drain(in, evbuffer_get_length(in));
	rbuf_init(&rb, buf, h.ah_len);
	(void)rbuf_skip(&rb, ADMIN_HDR_LEN);
	rbuf_rest(&rb, &data);
	if ((err = admin_request(cn, &h, &data, &why)) > 0 && why != NULL)
		goto bad;
	if (err >= 0)
		admin_reply_errno(cn, h.ah_cmd, h.ah_proto, err);
	if (cn->cn_events)
		(void)evtimer_del(cn->cn_deadline);	/* until racoon goes */
	cn->cn_closing = 1;
	if (admin_h.ah_after != NULL)
		admin_h.ah_after();
	if (!cn->cn_events &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		admin_conn_free(cn);
	return;
bad:
	log_warnx("admin: malformed request (command 0x%04x, %u bytes): %s",
	    h.ah_cmd, h.ah_len, why != NULL ? why : "refused");
	evbuffer_drain(in, evbuffer_get_length(in));
	cn->cn_events = 0;
	cn->cn_closing = 1;
	admin_reply_errno(cn, h.ah_cmd, h.ah_proto, err);
}

static void
admin_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct admin_conn *cn = arg;

	(void)bev;
	(void)what;
	admin_conn_free(cn);
}

/* The connection's time is up: its request (or its reading) too slow. */
static void
admin_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct admin_conn *cn = arg;

	(void)fd;
	(void)what;
	if (cn->cn_closing)
		log_warnx("admin: reply not read within %d s, connection "
		    "closed", ADMIN_IDLE_SEC);
	else
		log_warnx("admin: request not complete within %d s, "
		    "connection closed", ADMIN_IDLE_SEC);
	admin_conn_free(cn);
}

/*
 * 1 if the peer of fd has gid among its supplementary groups
 * (SO_PEERGROUPS): the group of an adminsock is usually one its users
 * are members of, not their primary group.
 */
static int
admin_peer_in_group(int fd, gid_t gid)
{
	gid_t small[64], *g = small;
	socklen_t len = sizeof(small);
	size_t i, n;
	int in = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == -1) {
		/* ERANGE: len says how much it takes. */
		if (errno != ERANGE || len > 65536 * sizeof(gid_t) ||
		    (g = malloc(len)) == NULL)
			return 0;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == -1) {
			free(g);
			return 0;
		}
	}
	n = len / sizeof(gid_t);
	for (i = 0; i < n && !in; i++)
		in = g[i] == gid;
	if (g != small)
		free(g);
	return in;
}

/*
 * What the socket's mode lets a peer do, checked on its credentials
 * too: root, the owner, the group (primary or supplementary) with group
 * write permission, anyone with other write permission.
 */
static int
admin_peer_ok(int fd, uid_t *uid)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
		return 0;
	*uid = uc.uid;
	return uc.uid == 0 || uc.uid == admin_uid ||
	    ((admin_mode & S_IWGRP) && (uc.gid == admin_gid ||
	    admin_peer_in_group(fd, admin_gid))) ||
	    (admin_mode & S_IWOTH);
}

/* A reply header with err, as far as the socket takes it, then close. */
static void
admin_refuse(int fd, int err)
{
	struct wbuf wb;
	uint8_t buf[ADMIN_HDR_LEN];

	wbuf_init_fixed(&wb, buf, sizeof(buf));
	if (admin_msg_begin(&wb, 0, (int16_t)err, 0) == 0 &&
	    admin_msg_end(&wb, 1) == 0)
		(void)send(fd, buf, sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void
admin_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct admin_conn *cn;
	struct timeval tv = { ADMIN_IDLE_SEC, 0 };
	uid_t uid = (uid_t)-1;
	int fd;

	(void)what;
	(void)arg;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("admin: accept");
		return;
	}
	if (!admin_peer_ok(fd, &uid)) {
		log_warnx("admin: connection from uid %ld refused: the "
		    "socket's owner and mode do not allow it", (long)uid);
		admin_refuse(fd, EACCES);
		return;
	}
	if (admin_nconns >= ADMIN_MAX_CONNS) {
		log_warnx("admin: more than %d connections, one refused",
		    ADMIN_MAX_CONNS);
		admin_refuse(fd, EBUSY);
		return;
	}
	if ((cn = calloc(1, sizeof(*cn))) == NULL ||
	    (cn->cn_deadline = evtimer_new(admin_base, admin_deadline_cb,
	    cn)) == NULL || evtimer_add(cn->cn_deadline, &tv) == -1 ||
	    (cn->cn_bev = bufferevent_socket_new(admin_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("admin: out of memory");
		if (cn != NULL && cn->cn_deadline != NULL)
			event_free(cn->cn_deadline);
		free(cn);
		close(fd);
		return;
	}
	TAILQ_INSERT_TAIL(&admin_conns, cn, cn_entry);
	admin_nconns++;
	bufferevent_setcb(cn->cn_bev, admin_read_cb, admin_write_cb,
	    admin_event_cb, cn);
	bufferevent_setwatermark(cn->cn_bev, EV_READ, 0, ADMIN_REQ_MAX + 1);
	(void)bufferevent_enable(cn->cn_bev, EV_READ | EV_WRITE);
}

/* Socket */

static int
admin_ids(const struct cfg_listen *l)
{
	struct passwd *pw;
	struct group *gr;
	uint64_t v;

	admin_uid = 0;
	admin_gid = 0;
	admin_mode = l->l_admin_mode != 0 ? l->l_admin_mode : 0600;
	if (l->l_admin_owner != NULL) {
		if (str_to_uint(l->l_admin_owner, UINT32_MAX - 1, &v) == 0)
			admin_uid = (uid_t)v;
		else if ((pw = getpwnam(l->l_admin_owner)) != NULL)
			admin_uid = pw->pw_uid;
		else {
			log_errx("adminsock: no user \"%s\"",
			    l->l_admin_owner);
			return -1;
		}
	}
	if (l->l_admin_group != NULL) {
		if (str_to_uint(l->l_admin_group, UINT32_MAX - 1, &v) == 0)
			admin_gid = (gid_t)v;
		else if ((gr = getgrnam(l->l_admin_group)) != NULL)
			admin_gid = gr->gr_gid;
		else {
			log_errx("adminsock: no group \"%s\"",
			    l->l_admin_group);
			return -1;
		}
	}
	return 0;
}

/*
 * The socket's directory (RUNSTATEDIR/racoon by default, which
 * racoon.service makes) when racoon runs without the unit: made 0700,
 * one level only.
 */
static int
admin_mkdir(const char *path)
{
	char dir[sizeof(admin_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return -1;
	*slash = '\0';
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("adminsock: %s", dir);
		return -1;
	}
	log_info("adminsock: made %s", dir);
	return 0;
}

int
admin_open(struct event_base *base, struct exchange_env *env,
    const struct cfg *cf, const struct admin_hooks *hooks)
{
	const struct cfg_listen *l = &cf->c_listen;
	struct sockaddr_un sun;

	admin_base = base;
	admin_env = env;
	admin_h = *hooks;
	admin_started = time(NULL);
	if (l->l_admin_disabled || l->l_admin_path == NULL)
		return 0;
	if (admin_ids(l) == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(l->l_admin_path) >= sizeof(sun.sun_path)) {
		log_errx("adminsock %s: path too long", l->l_admin_path);
		return -1;
	}
	memcpy(sun.sun_path, l->l_admin_path, strlen(l->l_admin_path));
	if ((admin_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_err("adminsock: socket");
		return -1;
	}
	/* A stale socket of an earlier racoon goes, as in ipsec-tools. */
	if (unlink(l->l_admin_path) == -1 && errno != ENOENT) {
		log_err("adminsock %s", l->l_admin_path);
		goto fail;
	}
	if (bind(admin_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 &&
	    (errno != ENOENT || admin_mkdir(l->l_admin_path) == -1 ||
	    bind(admin_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)) {
		log_err("adminsock %s: bind", l->l_admin_path);
		goto fail;
	}
	snprintf(admin_path, sizeof(admin_path), "%s", l->l_admin_path);
	if (chown(admin_path, admin_uid, admin_gid) == -1 ||
	    chmod(admin_path, admin_mode) == -1) {
		log_err("adminsock %s: owner or mode", admin_path);
		goto fail;
	}
	if (listen(admin_fd, 16) == -1 || (admin_listen_ev = event_new(base,
	    admin_fd, EV_READ | EV_PERSIST, admin_accept_cb, NULL)) == NULL ||
	    event_add(admin_listen_ev, NULL) == -1) {
		log_err("adminsock %s: listen", admin_path);
		goto fail;
	}
	log_info("%s used as admin socket (owner %ld, group %ld, mode 0%o)",
	    admin_path, (long)admin_uid, (long)admin_gid,
	    (unsigned)admin_mode);
	return 0;
fail:
	admin_close();
	return -1;
}

void
admin_close(void)
{
	struct admin_conn *cn;

	while ((cn = TAILQ_FIRST(&admin_conns)) != NULL)
		admin_conn_free(cn);
	if (admin_listen_ev != NULL)
		event_free(admin_listen_ev);
	admin_listen_ev = NULL;
	if (admin_fd != -1)
		close(admin_fd);
	admin_fd = -1;
	if (admin_path[0] != '\0' && unlink(admin_path) == -1)
		log_warn("adminsock %s", admin_path);
	admin_path[0] = '\0';
}
