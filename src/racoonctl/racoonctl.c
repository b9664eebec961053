/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * racoonctl: asks a running racoon for its SAs, status, schedule and
 * events over the admin socket, and tells it to reload, flush, delete
 * and establish SAs, with ipsec-tools' commands, short forms and
 * options (-s socket, -l, -d); `status [-f json]' is ours.  show-sa
 * esp|ah|ipsec reads the kernel's SAD over PF_KEY as setkey -D does
 * and prints it in the same layout.
 *
 * Every byte racoon sends back is read through struct rbuf: the header,
 * each record and each event.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "admin_msg.h"
#include "buf.h"
#include "dump.h"
#include "pfkey.h"
#include "pfkey_sock.h"

#define CTL_DEFAULT_SOCK	RUNSTATEDIR "/racoon/racoon.sock"

static const char *ctl_sock = CTL_DEFAULT_SOCK;
static int	 ctl_long;
static int	 ctl_debug;

struct ctl_cmd {
	const char	*cc_name;
	const char	*cc_short;
	int		(*cc_fn)(int, char **);
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: racoonctl [-dl] [-s socket] command [arguments]\n"
	    "  reload-config | rc\n"
	    "  show-schedule | sc\n"
	    "  show-sa | ss isakmp|esp|ah|ipsec\n"
	    "  flush-sa | fs isakmp|esp|ah|ipsec\n"
	    "  delete-sa | ds saopts\n"
	    "  establish-sa | es [-w] [-n remote] saopts\n"
	    "  vpn-connect | vc [-w] vpn_gateway\n"
	    "  vpn-disconnect | vd vpn_gateway\n"
	    "  show-event | se\n"
	    "  status | st [-f text|json]\n"
	    "saopts: isakmp inet|inet6 src dst\n"
	    "        esp|ah inet|inet6 src/prefixlen/port "
	    "dst/prefixlen/port [icmp|tcp|udp|gre|any]\n");
	exit(1);
}

/* Connection */

static int
ctl_connect(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(ctl_sock) >= sizeof(sun.sun_path))
		errx(1, "%s: socket path too long", ctl_sock);
	memcpy(sun.sun_path, ctl_sock, strlen(ctl_sock));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		err(1, "%s", ctl_sock);
	return fd;
}

static void
ctl_hexdump(const char *title, const uint8_t *p, size_t len)
{
	size_t i;

	fprintf(stderr, "%s (%zu bytes):", title, len);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 == 0 ? "\n  " : " ", p[i]);
	fprintf(stderr, "\n");
}

static void
ctl_send(int fd, struct wbuf *wb)
{
	const uint8_t *p;
	size_t left;
	ssize_t n;

	if (admin_msg_end(wb, 0) == -1)
		errx(1, "request too long");
	if (ctl_debug)
		ctl_hexdump("request", wbuf_data(wb), wbuf_len(wb));
	for (p = wbuf_data(wb), left = wbuf_len(wb); left > 0;
	    p += n, left -= (size_t)n)
		if ((n = write(fd, p, left)) == -1) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			/* Refused: racoon's reply says why. */
			if (errno == EPIPE || errno == ECONNRESET)
				return;
			err(1, "%s: write", ctl_sock);
		}
}

/* Read exactly len bytes; 0 at a clean end before any, else exits. */
static int
ctl_read(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if ((n = read(fd, buf + got, len - got)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "%s: read", ctl_sock);
		}
		if (n == 0) {
			if (got == 0)
				return 0;
			errx(1, "racoon closed the connection in a reply");
		}
		got += (size_t)n;
	}
	return 1;
}

/*
 * One reply: its header in *h, its data in *data (malloc'd, in *mem).
 * 0 when racoon closed the connection.
 */
static int
ctl_recv(int fd, struct admin_hdr *h, uint8_t **mem, struct rbuf *data)
{
	uint8_t hdr[ADMIN_HDR_LEN];
	const char *why = NULL;
	struct rbuf rb;

	*mem = NULL;
	if (!ctl_read(fd, hdr, sizeof(hdr)))
		return 0;
	rbuf_init(&rb, hdr, sizeof(hdr));
	if (admin_hdr_parse(&rb, 1, h, &why) == -1)
		errx(1, "bad reply from racoon: %s", why);
	if ((*mem = malloc(h->ah_len)) == NULL)
		err(1, "reply");
	memcpy(*mem, hdr, sizeof(hdr));
	if (h->ah_len > sizeof(hdr) && !ctl_read(fd, *mem + sizeof(hdr),
	    h->ah_len - sizeof(hdr)))
		errx(1, "racoon closed the connection in a reply");
	if (ctl_debug)
		ctl_hexdump("reply", *mem, h->ah_len);
	rbuf_init(data, *mem + sizeof(hdr), h->ah_len - sizeof(hdr));
	return 1;
}

/* A request and its one reply, whose errno ends racoonctl if set. */
static int
ctl_request(struct wbuf *wb, struct admin_hdr *h, uint8_t **mem,
    struct rbuf *data)
{
	int fd = ctl_connect();

	ctl_send(fd, wb);
	if (!ctl_recv(fd, h, mem, data))
		errx(1, "racoon closed the connection without a reply");
	if (h->ah_errno != 0) {
		if (h->ah_errno == EEXIST)
			exit(0);	/* as ipsec-tools: already there */
		errx(1, "racoon: %s", strerror(h->ah_errno));
	}
	return fd;
}

static void
ctl_begin(struct wbuf *wb, uint16_t cmd, uint16_t proto)
{
	if (wbuf_init(wb, 512, ADMIN_REQ_MAX) == -1 ||
	    admin_msg_begin(wb, cmd | ADMIN_FLAG_VERSION, ADMIN_VERSION,
	    proto) == -1)
		err(1, "request");
}

/* Arguments */

static uint16_t
ctl_proto(const char *s, int ipsec_ok)
{
	if (strcmp(s, "isakmp") == 0)
		return ADMIN_PROTO_ISAKMP;
	if (strcmp(s, "esp") == 0)
		return ADMIN_PROTO_ESP;
	if (strcmp(s, "ah") == 0)
		return ADMIN_PROTO_AH;
	if (ipsec_ok && strcmp(s, "ipsec") == 0)
		return ADMIN_PROTO_IPSEC;
	errx(1, "unknown protocol %s", s);
}

static int
ctl_family(const char *s)
{
	if (strcmp(s, "inet") == 0)
		return AF_INET;
	if (strcmp(s, "inet6") == 0)
		return AF_INET6;
	errx(1, "unknown family %s (inet or inet6)", s);
}

/* "addr", "addr/plen", "addr[port]", "addr/plen[port]". */
static void
ctl_endpoint(const char *s, int family, struct addr *a, uint8_t *plen)
{
	const char *why;

	if (addr_parse(s, ADDR_PREFIX | ADDR_PORT, a, &why) == -1)
		errx(1, "%s: %s", s, why);
	if (a->a_af != family)
		errx(1, "%s: not of the family given", s);
	*plen = a->a_plen;
}

static uint8_t
ctl_ulproto(const char *s)
{
	static const struct {
		const char *name;
		uint8_t proto;
	} t[] = { { "any", 0 }, { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 },
	    { "gre", 47 } };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].name) == 0)
			return t[i].proto;
	errx(1, "unknown upper-layer protocol %s", s);
}

/* saopts: PROTO FAMILY SRC DST [ULPROTO]. */
static uint16_t
ctl_saopts(int ac, char **av, struct admin_index *ai)
{
	uint16_t proto;
	int family;

	if (ac < 4 || ac > 5)
		usage();
	memset(ai, 0, sizeof(*ai));
	proto = ctl_proto(av[0], 0);
	family = ctl_family(av[1]);
	ctl_endpoint(av[2], family, &ai->ai_src, &ai->ai_prefs);
	ctl_endpoint(av[3], family, &ai->ai_dst, &ai->ai_prefd);
	if (ac == 5) {
		if (proto == ADMIN_PROTO_ISAKMP)
			usage();
		ai->ai_ulproto = ctl_ulproto(av[4]);
	}
	return proto;
}

/* Output */

/* ipsec-tools' "addr.port" padded to width. */
static const char *
ctl_fixed(const struct addr *a, int width, char *buf, size_t len)
{
	char h[ADDR_STRLEN], t[ADDR_STRLEN + 8];

	snprintf(t, sizeof(t), "%s.%u", addr_ntop(a, h, sizeof(h)),
	    a->a_port);
	snprintf(buf, len, "%-*.*s", width, width, t);
	return buf;
}

static void
ctl_print_isakmp(struct rbuf *data)
{
	static const char *estr[] = { "", "B", "M", "U", "A", "I" };
	struct admin_ph1rec pr;
	const char *why;
	char a[64], b[64], tbuf[32];
	struct tm *tm;
	time_t t;
	int w = ctl_long >= 2 ? 45 : 22;
	size_t i;

	if (ctl_long == 0)
		printf("Destination            Cookies                           "
		    "Created\n");
	else if (ctl_long == 1)
		printf("Destination            Cookies                           "
		    "ST S  V E Created             Phase2\n");
	else
		printf("%-45s %-45s Cookies                           "
		    "ST S  V E Created             Phase2\n", "Source",
		    "Destination");
	while (rbuf_left(data) > 0) {
		if (admin_ph1rec_parse(data, &pr, &why) == -1)
			errx(1, "bad reply from racoon: %s", why);
		if (ctl_long >= 2)
			printf("%s ", ctl_fixed(&pr.pr_local, w, a, sizeof(a)));
		printf("%s ", ctl_fixed(&pr.pr_remote, w, b, sizeof(b)));
		for (i = 0; i < 8; i++)
			printf("%02x", pr.pr_icookie[i]);
		printf(":");
		for (i = 0; i < 8; i++)
			printf("%02x", pr.pr_rcookie[i]);
		printf(" ");
		if (ctl_long >= 1)
			printf("%2d %c %2x %s ", pr.pr_status,
			    pr.pr_side == 0 ? 'I' : 'R', pr.pr_version,
			    pr.pr_etype < 6 ? estr[pr.pr_etype] : "?");
		/* localtime() has no answer for a year past INT_MAX. */
		t = (time_t)pr.pr_created;
		if (pr.pr_created > INT32_MAX * 366ULL * 86400 ||
		    (tm = localtime(&t)) == NULL ||
		    strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %T", tm) == 0)
			snprintf(tbuf, sizeof(tbuf), "%-19s", "?");
		printf("%s ", tbuf);
		if (ctl_long >= 1)
			printf("%6u ", pr.pr_ph2cnt);
		printf("\n");
	}
}

/* "Phase 1 established : 10.0.0.1[500] -> 10.0.0.2[500]". */
static void
ctl_print_evt(const struct admin_evt *ev)
{
	const char *name = admin_evt_name(ev->ev_type);
	char s[ADDR_STRLEN], d[ADDR_STRLEN];

	if (name != NULL)
		printf("%s : ", name);
	else
		printf("Event %u: ", ev->ev_type);
	printf("%s -> %s\n", ev->ev_src.a_af != AF_UNSPEC ?
	    addr_fmt(&ev->ev_src, ADDR_PORT, s, sizeof(s)) : "unknown",
	    ev->ev_dst.a_af != AF_UNSPEC ?
	    addr_fmt(&ev->ev_dst, ADDR_PORT, d, sizeof(d)) : "unknown");
	fflush(stdout);
}

/*
 * Events until racoon goes or, with until set, until the outcome of
 * what we asked for: 0 on success, 1 on a failure event.
 */
static int
ctl_events(int fd, int until)
{
	struct admin_hdr h;
	struct admin_evt ev;
	struct rbuf data;
	const char *why;
	uint8_t *mem;

	while (ctl_recv(fd, &h, &mem, &data)) {
		if (h.ah_cmd != ADMIN_SHOW_EVT || rbuf_left(&data) == 0) {
			free(mem);
			continue;
		}
		if (admin_evt_parse(&data, &ev, &why) == -1)
			errx(1, "bad event from racoon: %s", why);
		free(mem);
		if (!until) {
			ctl_print_evt(&ev);
			if (ev.ev_type == EVT_RACOON_QUIT)
				return 0;
			continue;
		}
		switch (ev.ev_type) {
		case EVT_PHASE1_UP:
			if (until != EVT_PHASE1_UP)
				continue;
			ctl_print_evt(&ev);
			return 0;
		case EVT_PHASE2_UP:
			ctl_print_evt(&ev);
			return 0;
		case EVT_PHASE1_NO_RESPONSE:
		case EVT_PHASE1_NO_PROPOSAL:
		case EVT_PHASE1_AUTH_FAILED:
		case EVT_PHASE2_NO_RESPONSE:
		case EVT_RACOON_QUIT:
			ctl_print_evt(&ev);
			return 1;
		default:
			continue;
		}
	}
	return until ? 1 : 0;
}

/* Commands */

static int
f_simple(uint16_t cmd, uint16_t proto, void (*print)(struct rbuf *))
{
	struct admin_hdr h;
	struct rbuf data;
	struct wbuf wb;
	uint8_t *mem;
	int fd;

	ctl_begin(&wb, cmd, proto);
	fd = ctl_request(&wb, &h, &mem, &data);
	if (print != NULL)
		print(&data);
	free(mem);
	wbuf_free(&wb);
	close(fd);
	return 0;
}

/*
 * A text reply (status, show-schedule) as racoon wrote it, but for bytes
 * a terminal would act on: a socket that is not racoon's cannot send
 * escape sequences to the user's terminal through us.  racoon itself
 * writes only printable ASCII (what came from a peer went through
 * log_vis()); anything else comes out as \ooo.
 */
static void
ctl_print_text(struct rbuf *data)
{
	uint8_t c;

	while (rbuf_get_u8(data, &c) == 0) {
		if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t')
			putchar(c);
		else
			printf("\\%03o", c);
	}
}

static int
f_reload(int ac, char **av)
{
	(void)av;
	if (ac != 0)
		usage();
	return f_simple(ADMIN_RELOAD_CONF, 0, NULL);
}

static int
f_sched(int ac, char **av)
{
	(void)av;
	if (ac != 0)
		usage();
	return f_simple(ADMIN_SHOW_SCHED, 0, ctl_print_text);
}

/* show-sa esp|ah|ipsec: the kernel's SAD, as setkey -D shows it. */
static int
ctl_kernel_sad(uint8_t satype)
{
	struct pfkey_sock ps;
	struct pfkey_hdr ph;
	struct pfkey_msg m;
	struct pfkey_sa sa;
	struct wbuf wb;
	uint8_t buf[PFKEY_MSG_MAX];
	ssize_t n;

	if (pfkey_sock_open(&ps) == -1)
		err(1, "PF_KEY");
	memset(&ph, 0, sizeof(ph));
	ph.ph_version = PF_KEY_V2;
	ph.ph_type = SADB_DUMP;
	ph.ph_satype = satype;
	ph.ph_pid = (uint32_t)getpid();
	wbuf_init_fixed(&wb, buf, sizeof(buf));
	if (pfkey_build_hdr(&wb, &ph) == -1 || pfkey_build_end(&wb) == -1 ||
	    pfkey_sock_send(&ps, wbuf_data(&wb), wbuf_len(&wb)) == -1)
		err(1, "PF_KEY: SADB_DUMP");
	for (;;) {
		if ((n = pfkey_sock_recv(&ps, buf, sizeof(buf))) <= 0)
			err(1, "PF_KEY: read");
		if (pfkey_parse(&m, buf, (size_t)n) == -1 ||
		    m.pm_hdr.ph_type != SADB_DUMP ||
		    m.pm_hdr.ph_pid != (uint32_t)getpid())
			continue;
		if (m.pm_hdr.ph_errno == ENOENT) {
			printf("No SAD entries.\n");
			break;
		}
		if (m.pm_hdr.ph_errno != 0)
			errx(1, "PF_KEY: %s", strerror(m.pm_hdr.ph_errno));
		if (pfkey_get_sa(&m, &sa) != 0 ||
		    sa.ps_state != SADB_SASTATE_DEAD)
			dump_sa(stdout, &m, 0, time(NULL));
		if (m.pm_hdr.ph_seq == 0)
			break;
	}
	pfkey_sock_close(&ps);
	return 0;
}

static int
f_showsa(int ac, char **av)
{
	uint16_t proto;

	if (ac != 1)
		usage();
	proto = ctl_proto(av[0], 1);
	if (proto == ADMIN_PROTO_ISAKMP)
		return f_simple(ADMIN_SHOW_SA, proto, ctl_print_isakmp);
	return ctl_kernel_sad(proto == ADMIN_PROTO_ESP ? SADB_SATYPE_ESP :
	    proto == ADMIN_PROTO_AH ? SADB_SATYPE_AH : SADB_SATYPE_UNSPEC);
}

static int
f_flushsa(int ac, char **av)
{
	if (ac != 1)
		usage();
	return f_simple(ADMIN_FLUSH_SA, ctl_proto(av[0], 1), NULL);
}

static int
ctl_index_cmd(uint16_t cmd, uint16_t proto, const struct admin_index *ai,
    const char *rname, int wait)
{
	struct admin_hdr h;
	struct rbuf data;
	struct wbuf wb;
	uint8_t *mem;
	int fd, rv = 0;

	ctl_begin(&wb, cmd, proto);
	if (admin_index_build(&wb, ai) == -1 || (rname != NULL &&
	    wbuf_put_bytes(&wb, rname, strlen(rname) + 1) == -1))
		errx(1, "request too long");
	fd = ctl_request(&wb, &h, &mem, &data);
	free(mem);
	wbuf_free(&wb);
	if (wait)
		rv = ctl_events(fd, proto == ADMIN_PROTO_ISAKMP ?
		    EVT_PHASE1_UP : EVT_PHASE2_UP);
	close(fd);
	return rv;
}

static int
f_deletesa(int ac, char **av)
{
	struct admin_index ai;
	uint16_t proto = ctl_saopts(ac, av, &ai);

	return ctl_index_cmd(ADMIN_DELETE_SA, proto, &ai, NULL, 0);
}

static int
f_establish(int ac, char **av)
{
	struct admin_index ai;
	const char *rname = NULL;
	uint16_t proto;
	int wait = 0;

	for (; ac > 0 && av[0][0] == '-'; ac--, av++) {
		if (strcmp(av[0], "-w") == 0)
			wait = 1;
		else if (strcmp(av[0], "-n") == 0 && ac > 1) {
			rname = av[1];
			ac--, av++;
		} else
			usage();
	}
	proto = ctl_saopts(ac, av, &ai);
	if (rname != NULL && proto != ADMIN_PROTO_ISAKMP)
		errx(1, "-n is for isakmp only");
	return ctl_index_cmd(ADMIN_ESTABLISH_SA, proto, &ai, rname, wait);
}

/* The gateway as an ISAKMP index from any local address. */
static void
ctl_gateway(const char *gw, struct admin_index *ai, int local)
{
	struct sockaddr_storage ss;
	struct sockaddr_storage me;
	socklen_t len;
	const char *why;
	int fd;

	memset(ai, 0, sizeof(*ai));
	if (addr_parse(gw, 0, &ai->ai_dst, &why) == -1)
		errx(1, "%s: %s", gw, why);
	ai->ai_prefs = ai->ai_prefd = addr_maxplen(ai->ai_dst.a_af);
	ai->ai_src.a_af = ai->ai_dst.a_af;
	ai->ai_src.a_plen = ai->ai_prefs;
	if (!local)
		return;
	/* The source address the kernel would use towards gw. */
	len = addr_to_sockaddr(&ai->ai_dst, &ss);
	((struct sockaddr_in *)&ss)->sin_port = htons(500);
	if ((fd = socket(ss.ss_family, SOCK_DGRAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&ss, len) == -1)
		err(1, "no route to %s", gw);
	len = sizeof(me);
	if (getsockname(fd, (struct sockaddr *)&me, &len) == -1 ||
	    addr_from_sockaddr(&ai->ai_src, (struct sockaddr *)&me, len) == -1)
		err(1, "local address towards %s", gw);
	ai->ai_src.a_port = 0;
	close(fd);
}

static int
f_vpnc(int ac, char **av)
{
	struct admin_index ai;
	int wait = 0;

	if (ac > 0 && strcmp(av[0], "-w") == 0)
		wait = 1, ac--, av++;
	if (ac != 1)
		usage();
	ctl_gateway(av[0], &ai, 1);
	return ctl_index_cmd(ADMIN_ESTABLISH_SA, ADMIN_PROTO_ISAKMP, &ai,
	    NULL, wait);
}

static int
f_vpnd(int ac, char **av)
{
	struct admin_index ai;

	if (ac != 1)
		usage();
	ctl_gateway(av[0], &ai, 0);
	return ctl_index_cmd(ADMIN_DELETE_ALL_SA_DST, ADMIN_PROTO_ISAKMP, &ai,
	    NULL, 0);
}

static int
f_showevt(int ac, char **av)
{
	struct admin_hdr h;
	struct rbuf data;
	struct wbuf wb;
	uint8_t *mem;
	int fd, rv;

	(void)av;
	if (ac != 0)
		usage();
	ctl_begin(&wb, ADMIN_SHOW_EVT, 0);
	fd = ctl_request(&wb, &h, &mem, &data);
	free(mem);
	wbuf_free(&wb);
	rv = ctl_events(fd, 0);
	close(fd);
	return rv;
}

static int
f_status(int ac, char **av)
{
	uint16_t fmt = ADMIN_STATUS_TEXT;

	if (ac == 2 && strcmp(av[0], "-f") == 0) {
		if (strcmp(av[1], "json") == 0)
			fmt = ADMIN_STATUS_JSON;
		else if (strcmp(av[1], "text") != 0)
			errx(1, "unknown format %s (text or json)", av[1]);
	} else if (ac != 0)
		usage();
	return f_simple(ADMIN_STATUS, fmt, ctl_print_text);
}

static const struct ctl_cmd ctl_cmds[] = {
	{ "reload-config", "rc", f_reload },
	{ "show-schedule", "sc", f_sched },
	{ "show-sa", "ss", f_showsa },
	{ "flush-sa", "fs", f_flushsa },
	{ "delete-sa", "ds", f_deletesa },
	{ "establish-sa", "es", f_establish },
	{ "vpn-connect", "vc", f_vpnc },
	{ "vpn-disconnect", "vd", f_vpnd },
	{ "show-event", "se", f_showevt },
	{ "status", "st", f_status },
};

int
main(int argc, char **argv)
{
	size_t i;
	int ch;

	(void)signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "+dls:")) != -1) {
		switch (ch) {
		case 'd':
			ctl_debug++;
			break;
		case 'l':
			ctl_long++;
			break;
		case 's':
			ctl_sock = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (strcmp(argv[0], ctl_cmds[i].cc_name) == 0 ||
		    strcmp(argv[0], ctl_cmds[i].cc_short) == 0)
			return ctl_cmds[i].cc_fn(argc - 1, argv + 1);
	warnx("invalid command [%s]", argv[0]);
	usage();
}
