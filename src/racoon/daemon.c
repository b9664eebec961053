/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The daemon: the configuration and psk.txt in use, the exchange env
 * with its network and clock, the IKE sockets (the `listen' addresses,
 * or the wildcard addresses of each family, which report the local
 * address of every datagram), one timer for everything the exchanges
 * schedule, the signals and the pidfile.  One libevent loop and no
 * threads: a callback reads what is there, feeds the exchanges and
 * re-arms the timer for their next deadline.
 *
 * SIGHUP reads racoon.conf and psk.txt into new objects and swaps them
 * in only when both loaded; negotiations in progress keep pointers into
 * the configuration they began with, so an old tree is freed once no
 * phase 1 or phase 2 refers to it.  The `listen' addresses follow the
 * new configuration: sockets it no longer names are closed, the ones it
 * adds are bound before the swap (a bind that fails fails the reload),
 * and the unchanged ones stay open with their exchanges.  SIGTERM and SIGINT end racoon: each
 * peer gets a protected DELETE for every phase 2 and phase 1 racoon
 * negotiated with it, the SAs are deleted from the kernel (manual ones
 * and the policies stay) and, once the kernel answered or a second
 * passed, the pidfile goes.  Without -F racoon detaches before it
 * starts, and the command returns when the daemon runs.
 */
#include <sys/queue.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "addr.h"
#include "admin.h"
#include "buf.h"
#include "cfg.h"
#include "daemon.h"
#include "exchange.h"
#include "isakmp_io.h"
#include "kernel.h"
#include "keylog.h"
#include "log.h"
#include "pfkey_sock.h"
#include "ph1.h"
#include "ph2.h"
#include "psk.h"
#include "script.h"

#define DAEMON_MAX_SOCKS	32
#define DAEMON_RUNDIR		LOCALSTATEDIR "/run"

/* A configuration replaced by SIGHUP that negotiations still use. */
struct daemon_old_cfg {
	struct cfg	*oc_cfg;
	TAILQ_ENTRY(daemon_old_cfg) oc_entry;
};

static const struct daemon_opts *daemon_o;
static struct event_base *daemon_base;
static struct exchange_env daemon_env;
static struct cfg	*daemon_cfg;
static struct psk	*daemon_psk;
/* Slot i is in use when daemon_sock_ev[i] is set; slots never move. */
static struct isakmp_sock daemon_socks[DAEMON_MAX_SOCKS];
static struct event	*daemon_sock_ev[DAEMON_MAX_SOCKS];
static struct event	*daemon_timer_ev;
static struct event	*daemon_sig_ev[3];
static char		 daemon_pidfile[1024];
static int		 daemon_stopping;
static int		 daemon_ready_fd = -1; /* parent waits on it */
static uint8_t		 daemon_rxbuf[ISAKMP_MSG_MAX];
static TAILQ_HEAD(, daemon_old_cfg) daemon_old_cfgs =
    TAILQ_HEAD_INITIALIZER(daemon_old_cfgs);
static struct exchange_events daemon_kernel_ev;	/* kernel.c's, chained */

/* A state change for systemd, when it started racoon (Type=notify). */
static void
daemon_notify(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
	(void)sd_notify(0, state);
#else
	(void)state;
#endif
}

static uint64_t
daemon_now_cb(void *arg)
{
	struct timespec ts;

	(void)arg;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Configuration */

static void
daemon_diag_cb(void *arg, int err, const char *msg)
{
	(void)arg;
	if (err)
		log_errx("%s", msg);
	else
		log_warnx("%s", msg);
}

static int
daemon_uses_psk(const struct cfg *cf)
{
	const struct cfg_remote *r;
	const struct cfg_proposal *p;

	TAILQ_FOREACH(r, &cf->c_remotes, r_entry)
		TAILQ_FOREACH(p, &r->r_proposals, p_entry)
			if (p->p_auth == CFG_AUTH_PSK)
				return 1;
	return 0;
}

/* racoon.conf and its psk.txt, both or neither. */
static int
daemon_load(struct cfg **cfp, struct psk **pskp)
{
	struct cfg_opts co = { daemon_diag_cb, NULL, 0 };
	struct cfg *cf;
	struct psk *psk = NULL;

	if ((cf = cfg_load(daemon_o->do_conf, &co)) == NULL) {
		log_errx("%s: configuration not loaded", daemon_o->do_conf);
		return -1;
	}
	if (daemon_uses_psk(cf) && (psk = psk_load(cf->c_paths.p_psk,
	    geteuid(), daemon_diag_cb, NULL)) == NULL) {
		log_errx("%s: pre-shared keys not loaded", cf->c_paths.p_psk);
		cfg_free(cf);
		return -1;
	}
	*cfp = cf;
	*pskp = psk;
	return 0;
}

/* 1 if a negotiation still points into cf. */
static int
daemon_cfg_used(const struct cfg *cf)
{
	const struct ph1 *ph1;
	const struct ph2 *ph2;
	const struct cfg_remote *rm;
	const struct cfg_sainfo *si;

	TAILQ_FOREACH(ph1, &daemon_env.env_ph1s, ph1_entry) {
		TAILQ_FOREACH(rm, &cf->c_remotes, r_entry)
			if (ph1->ph1_remote == rm)
				return 1;
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
			TAILQ_FOREACH(si, &cf->c_sainfos, si_entry)
				if (ph2->ph2_sainfo == si)
					return 1;
	}
	return 0;
}

static void
daemon_old_cfgs_gc(int all)
{
	struct daemon_old_cfg *oc, *next;

	for (oc = TAILQ_FIRST(&daemon_old_cfgs); oc != NULL; oc = next) {
		next = TAILQ_NEXT(oc, oc_entry);
		if (!all && daemon_cfg_used(oc->oc_cfg))
			continue;
		TAILQ_REMOVE(&daemon_old_cfgs, oc, oc_entry);
		cfg_free(oc->oc_cfg);
		free(oc);
	}
}

static int daemon_listen(const struct cfg *);

static int
daemon_reload(const char *why)
{
	struct cfg *cf;
	struct psk *psk;
	struct daemon_old_cfg *oc;

	log_info("%s: reloading the configuration (%s)",
	    daemon_o->do_conf, why);
	if ((oc = calloc(1, sizeof(*oc))) == NULL) {
		log_warn("reload");
		return -1;
	}
	if (daemon_load(&cf, &psk) == -1) {
		log_errx("%s: reload failed, the previous configuration "
		    "stays in use", daemon_o->do_conf);
		free(oc);
		return -1;
	}
	if (daemon_listen(cf) == -1) {
		log_errx("%s: reload failed (listen addresses), the previous "
		    "configuration stays in use", daemon_o->do_conf);
		psk_free(psk);
		cfg_free(cf);
		free(oc);
		return -1;
	}
	oc->oc_cfg = daemon_cfg;
	TAILQ_INSERT_TAIL(&daemon_old_cfgs, oc, oc_entry);
	daemon_cfg = cf;
	psk_free(daemon_psk);
	daemon_psk = psk;
	daemon_env.env_cfg = cf;
	daemon_env.env_psk = psk;
	(void)keylog_open(cf->c_paths.p_keylog);
	daemon_old_cfgs_gc(0);
	log_info("%s: configuration loaded", daemon_o->do_conf);
	return 0;
}

/* Events: kernel.c's first, then the hook scripts. */

static void
daemon_ph1_up_cb(void *arg, struct ph1 *ph1)
{
	(void)arg;
	if (daemon_kernel_ev.ev_ph1_up != NULL)
		daemon_kernel_ev.ev_ph1_up(daemon_kernel_ev.ev_arg, ph1);
	script_run(ph1, CFG_SCRIPT_PHASE1_UP);
	admin_event(EVT_PHASE1_UP, ph1, NULL);
}

static void
daemon_ph1_down_cb(void *arg, struct ph1 *ph1)
{
	(void)arg;
	if (daemon_kernel_ev.ev_ph1_down != NULL)
		daemon_kernel_ev.ev_ph1_down(daemon_kernel_ev.ev_arg, ph1);
	/* Only an ISAKMP-SA that was up goes down (phase1_up ran). */
	if (ph1->ph1_state == PH1_S_EXPIRED) {
		script_run(ph1, CFG_SCRIPT_PHASE1_DOWN);
		admin_event(EVT_PHASE1_DOWN, ph1, NULL);
	} else
		admin_event(strstr(ph1->ph1_why, "time up") != NULL ?
		    EVT_PHASE1_NO_RESPONSE : strstr(ph1->ph1_why,
		    "authentication") != NULL ? EVT_PHASE1_AUTH_FAILED :
		    EVT_PHASE1_NO_PROPOSAL, ph1, NULL);
}

static void
daemon_ph1_dead_cb(void *arg, struct ph1 *ph1)
{
	(void)arg;
	if (daemon_kernel_ev.ev_ph1_dead != NULL)
		daemon_kernel_ev.ev_ph1_dead(daemon_kernel_ev.ev_arg, ph1);
	script_run(ph1, CFG_SCRIPT_PHASE1_DEAD);
	admin_event(EVT_PHASE1_DPD_TIMEOUT, ph1, NULL);
}

static void
daemon_ph2_done_cb(void *arg, struct ph2 *ph2, int ok)
{
	(void)arg;
	if (daemon_kernel_ev.ev_ph2_done != NULL)
		daemon_kernel_ev.ev_ph2_done(daemon_kernel_ev.ev_arg, ph2, ok);
	admin_event(ok ? EVT_PHASE2_UP : EVT_PHASE2_NO_RESPONSE,
	    ph2->ph2_ph1, ph2);
}

static void
daemon_ph2_down_cb(void *arg, struct ph2 *ph2)
{
	(void)arg;
	if (daemon_kernel_ev.ev_ph2_down != NULL)
		daemon_kernel_ev.ev_ph2_down(daemon_kernel_ev.ev_arg, ph2);
	admin_event(EVT_PHASE2_DOWN, ph2->ph2_ph1, ph2);
}

static void
daemon_events(void)
{
	struct exchange_events *ev = &daemon_env.env_events;

	daemon_kernel_ev = *ev;
	ev->ev_ph1_up = daemon_ph1_up_cb;
	ev->ev_ph1_down = daemon_ph1_down_cb;
	ev->ev_ph1_dead = daemon_ph1_dead_cb;
	ev->ev_ph2_done = daemon_ph2_done_cb;
	ev->ev_ph2_down = daemon_ph2_down_cb;
	/* ev_arg stays kernel.c's; ours ignore it. */
}

/* Timer */

/* After every callback: run what is due, arm for the next deadline. */
static void
daemon_rearm(void)
{
	uint64_t next, now;
	struct timeval tv;

	if (daemon_stopping) {
		/* Until the kernel answered our DELETEs, or a second. */
		if (kernel_pending() == 0)
			event_base_loopexit(daemon_base, NULL);
		return;
	}
	exchange_timers(&daemon_env);
	if (!TAILQ_EMPTY(&daemon_old_cfgs))
		daemon_old_cfgs_gc(0);
	evtimer_del(daemon_timer_ev);
	if ((next = exchange_next_timer(&daemon_env)) == 0)
		return;
	now = daemon_now_cb(NULL);
	next = next > now ? next - now : 0;
	tv.tv_sec = (time_t)(next / 1000);
	tv.tv_usec = (suseconds_t)(next % 1000) * 1000;
	evtimer_add(daemon_timer_ev, &tv);
}

static void
daemon_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	daemon_rearm();
}

/* Network */

/* The socket bound to local, else a wildcard one of its port. */
static struct isakmp_sock *
daemon_sock_for(const struct addr *local, const struct addr *peer)
{
	struct isakmp_sock *s, *use = NULL;
	char l[ADDR_STRLEN], p[ADDR_STRLEN];
	size_t i;

	for (i = 0; i < DAEMON_MAX_SOCKS; i++) {
		s = &daemon_socks[i];
		if (daemon_sock_ev[i] == NULL)
			continue;
		if (s->is_addr.a_af != local->a_af ||
		    s->is_addr.a_port != local->a_port)
			continue;
		if (addr_cmp_host(&s->is_addr, local) == 0) {
			use = s;
			break;
		}
		if (addr_is_unspec(&s->is_addr) && use == NULL)
			use = s;
	}
	if (use == NULL)
		log_warnx("no socket for %s to send to %s", addr_fmt(local,
		    ADDR_PORT, l, sizeof(l)), addr_fmt(peer, ADDR_PORT, p,
		    sizeof(p)));
	return use;
}

static int
daemon_send_cb(void *arg, const struct addr *local, const struct addr *peer,
    const uint8_t *data, size_t len)
{
	struct isakmp_sock *use;
	char p[ADDR_STRLEN];

	(void)arg;
	if ((use = daemon_sock_for(local, peer)) == NULL)
		return -1;
	addr_fmt(peer, ADDR_PORT, p, sizeof(p));
	if (isakmp_io_send(use, data, len, peer, local) == -1) {
		log_warn("send to %s", p);
		return -1;
	}
	return 0;
}

/* A NAT-T keepalive from a NAT-T port of ours (exchange.c's timer). */
static int
daemon_keepalive_cb(void *arg, const struct addr *local,
    const struct addr *peer)
{
	struct isakmp_sock *use;
	char p[ADDR_STRLEN];

	(void)arg;
	if ((use = daemon_sock_for(local, peer)) == NULL)
		return -1;
	if (isakmp_io_keepalive(use, peer, local) == -1) {
		log_warn("NAT-T keepalive to %s", addr_fmt(peer, ADDR_PORT, p,
		    sizeof(p)));
		return -1;
	}
	log_debug(1, "NAT-T keepalive sent to %s", addr_fmt(peer, ADDR_PORT,
	    p, sizeof(p)));
	return 0;
}

static void
daemon_recv_cb(evutil_socket_t fd, short what, void *arg)
{
	struct isakmp_sock *s = arg;
	struct addr peer, local;
	size_t len;
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < 64; i++) {
		switch (isakmp_io_recv(s, daemon_rxbuf, sizeof(daemon_rxbuf),
		    &len, &peer, &local)) {
		case ISAKMP_RX_MSG:
			exchange_input(&daemon_env, &local, &peer,
			    daemon_rxbuf, len);
			continue;
		case ISAKMP_RX_DROP:
			admin_count_io_drop();
			continue;
		case ISAKMP_RX_KEEPALIVE:
			continue;
		case ISAKMP_RX_NONE:
			break;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_warn("receive on port %u", s->is_addr.a_port);
		break;
	}
	daemon_rearm();
}

/* One IKE socket a configuration asks for. */
struct daemon_want {
	struct addr	 dw_addr;
	int		 dw_natt;
};

/*
 * The sockets cf asks for: its `listen' addresses, or the wildcard
 * addresses of each family (-4, -6) on the IKE and NAT-T ports.  The
 * count, or -1 when there are more than DAEMON_MAX_SOCKS.
 */
static int
daemon_listen_want(const struct cfg *cf, struct daemon_want *w)
{
	const struct cfg_listen_addr *la;
	int af[2] = { AF_INET, AF_INET6 }, i, n = 0;

	TAILQ_FOREACH(la, &cf->c_listen.l_addrs, la_entry) {
		if (n == DAEMON_MAX_SOCKS)
			goto many;
		w[n].dw_addr = la->la_addr;
		w[n++].dw_natt = la->la_natt;
	}
	if (n > 0)
		return n;
	/* Every local address: wildcards that report where each came to. */
	for (i = 0; i < 2; i++) {
		if ((daemon_o->do_family == 4 && af[i] != AF_INET) ||
		    (daemon_o->do_family == 6 && af[i] != AF_INET6))
			continue;
		memset(&w[n], 0, sizeof(w[n]));
		w[n].dw_addr.a_af = (sa_family_t)af[i];
		w[n].dw_addr.a_plen = addr_maxplen(w[n].dw_addr.a_af);
		w[n].dw_addr.a_port = daemon_o->do_port;
		w[n + 1] = w[n];
		w[n + 1].dw_addr.a_port = daemon_o->do_natt_port;
		w[n + 1].dw_natt = 1;
		n += 2;
	}
	return n;
 many:
	log_errx("more than %d listen addresses", DAEMON_MAX_SOCKS);
	return -1;
}

/* The open socket for w, or -1. */
static int
daemon_sock_find(const struct daemon_want *w)
{
	const struct isakmp_sock *s;
	int i;

	for (i = 0; i < DAEMON_MAX_SOCKS; i++) {
		s = &daemon_socks[i];
		if (daemon_sock_ev[i] != NULL && s->is_natt == w->dw_natt &&
		    s->is_addr.a_port == w->dw_addr.a_port &&
		    addr_cmp_host(&s->is_addr, &w->dw_addr) == 0)
			return i;
	}
	return -1;
}

/* Bind w into a free slot: its index, or -1 (logged). */
static int
daemon_listen_one(const struct daemon_want *w)
{
	struct isakmp_sock *s;
	const char *why = "";
	char n[ADDR_STRLEN];
	int i;

	addr_fmt(&w->dw_addr, ADDR_PORT, n, sizeof(n));
	for (i = 0; i < DAEMON_MAX_SOCKS; i++)
		if (daemon_sock_ev[i] == NULL)
			break;
	if (i == DAEMON_MAX_SOCKS) {
		log_errx("%s: more than %d IKE sockets open at once", n,
		    DAEMON_MAX_SOCKS);
		return -1;
	}
	s = &daemon_socks[i];
	if (isakmp_io_open(s, &w->dw_addr, w->dw_natt, kernel_native() ?
	    ISAKMP_IO_NATIVE : ISAKMP_IO_IPSECD, IPSECD_BYPASS_MARK,
	    &why) == -1) {
		log_err("%s: %s", n, why);
		return -1;
	}
	daemon_sock_ev[i] = event_new(daemon_base, s->is_fd,
	    EV_READ | EV_PERSIST, daemon_recv_cb, s);
	if (daemon_sock_ev[i] == NULL || event_add(daemon_sock_ev[i],
	    NULL) == -1) {
		if (daemon_sock_ev[i] != NULL)
			event_free(daemon_sock_ev[i]);
		daemon_sock_ev[i] = NULL;
		isakmp_io_close(s);
		log_errx("%s: cannot watch the socket", n);
		return -1;
	}
	log_info("%s used as isakmp port (fd=%d)", n, s->is_fd);
	return i;
}

static void
daemon_sock_close(int i, int say)
{
	char n[ADDR_STRLEN];

	if (say)
		log_info("%s no longer used as isakmp port (fd=%d)",
		    addr_fmt(&daemon_socks[i].is_addr, ADDR_PORT, n,
		    sizeof(n)), daemon_socks[i].is_fd);
	event_free(daemon_sock_ev[i]);
	daemon_sock_ev[i] = NULL;
	isakmp_io_close(&daemon_socks[i]);
}

/*
 * Make the open sockets those cf asks for: the ones already open stay
 * (with whatever exchanges use them), the new ones are bound first and
 * only when all of them bound are the ones cf no longer names closed.
 * On -1 the sockets are as they were.
 */
static int
daemon_listen(const struct cfg *cf)
{
	struct daemon_want w[DAEMON_MAX_SOCKS];
	uint8_t keep[DAEMON_MAX_SOCKS], fresh[DAEMON_MAX_SOCKS];
	int i, k, n;

	memset(keep, 0, sizeof(keep));
	memset(fresh, 0, sizeof(fresh));
	if ((n = daemon_listen_want(cf, w)) == -1)
		return -1;
	for (k = 0; k < n; k++) {
		if ((i = daemon_sock_find(&w[k])) == -1) {
			if ((i = daemon_listen_one(&w[k])) == -1)
				goto undo;
			fresh[i] = 1;
		}
		keep[i] = 1;
	}
	for (i = 0; i < DAEMON_MAX_SOCKS; i++)
		if (daemon_sock_ev[i] != NULL && !keep[i])
			daemon_sock_close(i, 1);
	return 0;
 undo:
	for (i = 0; i < DAEMON_MAX_SOCKS; i++)
		if (fresh[i])
			daemon_sock_close(i, 1);
	return -1;
}

/* Pidfile */

static int
daemon_pidfile_write(void)
{
	const char *p = daemon_cfg->c_paths.p_pidfile;
	char buf[32];
	int fd, n;

	if (p[0] == '/')
		n = snprintf(daemon_pidfile, sizeof(daemon_pidfile), "%s", p);
	else
		n = snprintf(daemon_pidfile, sizeof(daemon_pidfile), "%s/%s",
		    DAEMON_RUNDIR, p);
	if (n < 0 || (size_t)n >= sizeof(daemon_pidfile)) {
		log_errx("pidfile %s: name too long", p);
		daemon_pidfile[0] = '\0';
		return -1;
	}
	fd = open(daemon_pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	if (fd == -1) {
		log_err("pidfile %s", daemon_pidfile);
		daemon_pidfile[0] = '\0';
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		log_err("pidfile %s", daemon_pidfile);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Signals and shutdown */

/*
 * The shutdown: tell each peer which SAs go, then delete them from the
 * kernel.  Informational DELETEs are sent for every established phase 2
 * and then every established phase 1.
 */
static void
daemon_shutdown(void)
{
	struct ph1 *ph1;
	struct ph2 *ph2;
	char name[PH1_NAMELEN], l[ADDR_STRLEN], p[ADDR_STRLEN];

	TAILQ_FOREACH(ph1, &daemon_env.env_ph1s, ph1_entry) {
		if (ph1->ph1_state != PH1_S_ESTABLISHED)
			continue;
		TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
			if (ph2->ph2_state == PH2_S_ESTABLISHED)
				(void)exchange_delete_ph2(ph2);
		if (exchange_delete_ph1(ph1) == 0)
			log_info("%s: ISAKMP-SA deleted %s-%s",
			    ph1_name(ph1, name, sizeof(name)),
			    addr_fmt(&ph1->ph1_local, ADDR_PORT, l, sizeof(l)),
			    addr_fmt(&ph1->ph1_peer, ADDR_PORT, p, sizeof(p)));
	}
	kernel_delete_ours();
}

static void
daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct timeval tv = { 1, 0 };

	(void)what;
	(void)arg;
	if (daemon_stopping)
		return;
	if (sig == SIGHUP) {
		daemon_notify("RELOADING=1");
		(void)daemon_reload("SIGHUP");
		daemon_notify("READY=1");
		daemon_rearm();
		return;
	}
	log_info("caught signal %d, shutting down", (int)sig);
	daemon_notify("STOPPING=1");
	daemon_shutdown();
	daemon_stopping = 1;
	evtimer_del(daemon_timer_ev);
	event_base_loopexit(daemon_base, &tv);
	daemon_rearm();
}

static int
daemon_signals(void)
{
	int sigs[3] = { SIGHUP, SIGTERM, SIGINT }, i;

	(void)signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 3; i++) {
		daemon_sig_ev[i] = evsignal_new(daemon_base, sigs[i],
		    daemon_signal_cb, NULL);
		if (daemon_sig_ev[i] == NULL ||
		    evsignal_add(daemon_sig_ev[i], NULL) == -1)
			return -1;
	}
	return 0;
}

static void
daemon_cleanup(void)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (daemon_sig_ev[i] != NULL)
			event_free(daemon_sig_ev[i]);
	for (i = 0; i < DAEMON_MAX_SOCKS; i++)
		if (daemon_sock_ev[i] != NULL)
			daemon_sock_close((int)i, 0);
	if (daemon_timer_ev != NULL)
		event_free(daemon_timer_ev);
	exchange_env_clear(&daemon_env);
	admin_event(EVT_RACOON_QUIT, NULL, NULL);
	admin_close();
	kernel_close();
	keylog_close();
	script_close();
	if (daemon_pidfile[0] != '\0' && unlink(daemon_pidfile) == -1)
		log_warn("pidfile %s", daemon_pidfile);
	daemon_old_cfgs_gc(1);
	cfg_free(daemon_cfg);
	psk_free(daemon_psk);
	if (daemon_base != NULL)
		event_base_free(daemon_base);
}

/*
 * Go to the background, but let the parent exit only with the outcome
 * of the start (daemon_ready): a racoon that cannot open the kernel or
 * its ports exits 1 where the user started it, not silently in the
 * background.  The working directory stays: a relative -f, or a
 * relative path in racoon.conf, must mean the same file when SIGHUP
 * reads it again.
 */
static int
daemon_detach(void)
{
	int p[2], fd;
	ssize_t n;
	char c = 1;

	if (pipe(p) == -1)
		return -1;
	switch (fork()) {
	case -1:
		close(p[0]);
		close(p[1]);
		return -1;
	case 0:
		break;
	default:
		close(p[1]);
		while ((n = read(p[0], &c, 1)) == -1 && errno == EINTR)
			;
		if (n != 1 || c != 0)
			fprintf(stderr, "racoon: could not start; the log "
			    "says why\n");
		_exit(n == 1 && c == 0 ? 0 : 1);
	}
	close(p[0]);
	daemon_ready_fd = p[1];
	if (setsid() == -1)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

/*
 * Tell the waiting parent, or systemd (Type=notify), that racoon runs:
 * its configuration is loaded, the kernel answers and the IKE sockets
 * are bound.
 */
static void
daemon_ready(void)
{
	char c = 0;

	daemon_notify("READY=1");
	if (daemon_ready_fd == -1)
		return;
	if (write(daemon_ready_fd, &c, 1) != 1)
		log_warn("telling the parent process");
	close(daemon_ready_fd);
	daemon_ready_fd = -1;
}

static int
daemon_reload_admin(void)
{
	return daemon_reload("racoonctl");
}

static struct admin_hooks daemon_admin_hooks = {
	daemon_reload_admin, daemon_rearm, 0
};

static int
daemon_start(void)
{
	if (daemon_load(&daemon_cfg, &daemon_psk) == -1)
		return -1;
	(void)keylog_open(daemon_cfg->c_paths.p_keylog);
	if (!daemon_o->do_foreground && daemon_detach() == -1) {
		log_err("detaching");
		return -1;
	}
	if ((daemon_base = event_base_new()) == NULL) {
		log_errx("event_base_new failed");
		return -1;
	}
	exchange_env_init(&daemon_env, daemon_cfg, daemon_psk);
	daemon_env.env_net.en_send = daemon_send_cb;
	daemon_env.env_net.en_keepalive = daemon_keepalive_cb;
	daemon_env.env_natt_port = daemon_o->do_natt_port;
	daemon_env.env_clock.ec_now = daemon_now_cb;
	if ((daemon_timer_ev = evtimer_new(daemon_base, daemon_timer_cb,
	    NULL)) == NULL || daemon_signals() == -1) {
		log_errx("cannot set up the event loop");
		return -1;
	}
	if (kernel_open(daemon_base, &daemon_env, daemon_o->do_port,
	    daemon_rearm) == -1 || daemon_listen(daemon_cfg) == -1 ||
	    daemon_pidfile_write() == -1)
		return -1;
	keylog_set_native(kernel_native());
	daemon_events();
	if (script_init(daemon_base) == -1) {
		log_errx("cannot watch SIGCHLD for the hook scripts");
		return -1;
	}
	daemon_admin_hooks.ah_port = daemon_o->do_port;
	if (admin_open(daemon_base, &daemon_env, daemon_cfg,
	    &daemon_admin_hooks) == -1)
		return -1;
	return 0;
}

int
daemon_run(const struct daemon_opts *o)
{
	int rv = 1;

	daemon_o = o;
	log_init("racoon", o->do_foreground || o->do_logfile != NULL ?
	    LOG_DEST_STDERR : LOG_DEST_SYSLOG, o->do_debug);
	if (o->do_logfile != NULL && log_open_file(o->do_logfile) == -1) {
		fprintf(stderr, "racoon: -l %s: %s\n", o->do_logfile,
		    strerror(errno));
		return 1;
	}
	log_info("%s %s (racoon-compatible IKEv1 daemon)", PACKAGE_NAME,
	    PACKAGE_VERSION);
	if (daemon_start() == 0) {
		log_info("racoon started, configuration %s", o->do_conf);
		daemon_ready();
		if (event_base_dispatch(daemon_base) == -1)
			log_errx("event loop failed");
		else
			rv = 0;
	}
	daemon_cleanup();
	log_info("racoon stopped");
	return rv;
}
