/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * setkey(8): the command line and the conversation with the kernel.
 * Reads a script (-f FILE, or -c from standard input) whole through
 * struct rbuf, parses all of it into commands (parse.y) and, only if it
 * has no error, sends them one by one over pfkey_sock, matching each
 * answer by type, seq and pid; -n stops after the check, -C prints the
 * commands in canonical form.  -D, -DP, -F, -FP are single requests, -x
 * prints every PF_KEY message until killed.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "dump.h"
#include "parse.h"
#include "pfkey.h"
#include "pfkey_sock.h"

/* A script larger than this is a mistake (ipsec-tools reads lines). */
#define SETKEY_SCRIPT_MAX	(4 * 1024 * 1024)
/* How long the kernel (or ipsecd) may take to answer one request. */
#define SETKEY_TIMEOUT_SEC	5

enum setkey_mode {
	MODE_NONE,
	MODE_SCRIPT,		/* -f FILE */
	MODE_STDIN,		/* -c */
	MODE_DUMP,		/* -D, -DP */
	MODE_FLUSH,		/* -F, -FP */
	MODE_PROMISC,		/* -x */
};

/* One session with the kernel, and the flags that shape the output. */
struct setkey {
	struct pfkey_sock sk_sock;
	uint32_t	 sk_pid;
	uint32_t	 sk_seq;
	int		 sk_all;	/* -a: dead SAs too */
	int		 sk_ports;	/* -p */
	int		 sk_verbose;	/* -v */
	int		 sk_hex;	/* -H */
	int		 sk_script;	/* errors name the script's line */
	int		 sk_rfc;	/* -r (default): fwd copies of in */
	const char	*sk_name;
	uint8_t		 sk_buf[PFKEY_MSG_MAX];
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: setkey [-knrv] [-C] -c\n"
	    "       setkey [-knrv] [-C] -f file\n"
	    "       setkey [-aPpv] -D\n"
	    "       setkey [-Pv] -F\n"
	    "       setkey [-H] -x\n"
	    "       setkey -V\n");
	exit(1);
}

static void
setkey_open(struct setkey *sk)
{
	struct timeval tv = { SETKEY_TIMEOUT_SEC, 0 };

	if (pfkey_sock_open(&sk->sk_sock) == -1)
		err(1, "cannot reach PF_KEY (AF_KEY or ipsecd; is ipsecd "
		    "running?)");
	if (setsockopt(sk->sk_sock.ps_fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == -1)
		err(1, "setsockopt SO_RCVTIMEO");
	sk->sk_pid = (uint32_t)getpid();
}

/* -v: every message both ways, in kdebug form. */
static void
setkey_trace(struct setkey *sk, const void *p, size_t len)
{
	struct pfkey_msg m;

	if (!sk->sk_verbose)
		return;
	if (pfkey_parse(&m, p, len) == -1)
		printf("unparsable message: %s\n", m.pm_err);
	else
		dump_kdebug(stdout, &m);
	printf("\n");
}

static int
setkey_send(struct setkey *sk, struct wbuf *wb)
{
	setkey_trace(sk, wbuf_data(wb), wbuf_len(wb));
	if (pfkey_sock_send(&sk->sk_sock, wbuf_data(wb), wbuf_len(wb)) == -1) {
		warn("send to %s", pfkey_sock_describe(&sk->sk_sock));
		return -1;
	}
	return 0;
}

/*
 * The next message that parses.  A message that does not is reported
 * and skipped: the kernel's mistakes do not stop us.  Returns 0, or -1
 * on timeout, EOF or error.
 */
static int
setkey_recv(struct setkey *sk, struct pfkey_msg *m)
{
	ssize_t n;

	for (;;) {
		n = pfkey_sock_recv(&sk->sk_sock, sk->sk_buf,
		    sizeof(sk->sk_buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			warnx("no answer from %s in %d s",
			    pfkey_sock_describe(&sk->sk_sock),
			    SETKEY_TIMEOUT_SEC);
			return -1;
		}
		if (n == -1) {
			int e = errno;

			warn("receive from %s",
			    pfkey_sock_describe(&sk->sk_sock));
			/* An oversized message was dropped; the next may fit. */
			if (e == EMSGSIZE)
				continue;
			return -1;
		}
		if (n == 0) {
			warnx("%s closed the connection",
			    pfkey_sock_describe(&sk->sk_sock));
			return -1;
		}
		setkey_trace(sk, sk->sk_buf, (size_t)n);
		if (pfkey_parse(m, sk->sk_buf, (size_t)n) == 0)
			return 0;
		warnx("bad message from %s: %s",
		    pfkey_sock_describe(&sk->sk_sock), m->pm_err);
	}
}

/*
 * The answer to our request of type type and sequence seq: the same
 * type, our pid, and seq (dumps count down to 0 instead, as Linux does,
 * so any seq is theirs).  Broadcasts of others are skipped.
 */
static int
setkey_reply(struct setkey *sk, uint8_t type, uint32_t seq,
    struct pfkey_msg *m)
{
	int dump = type == SADB_DUMP || type == SADB_X_SPDDUMP;

	for (;;) {
		if (setkey_recv(sk, m) == -1)
			return -1;
		if (m->pm_hdr.ph_type == type &&
		    m->pm_hdr.ph_pid == sk->sk_pid &&
		    (dump || m->pm_hdr.ph_seq == seq))
			return 0;
	}
}

/*
 * A kernel error, in ipsec-tools' words for a missing entry; in a script
 * it names the statement's line.  An empty dump is not an error.
 */
static void
setkey_kerror(struct setkey *sk, const struct cmd *c, uint8_t type, int e)
{
	const char *msg = strerror(e);

	if (e == ENOENT && type == SADB_DUMP) {
		printf("No SAD entries.\n");
		return;
	}
	if (e == ENOENT && type == SADB_X_SPDDUMP) {
		printf("No SPD entries.\n");
		return;
	}
	/* Linux answers ESRCH where KAME said ENOENT: the same to users. */
	if ((e == ENOENT || e == ESRCH) && (type == SADB_GET ||
	    type == SADB_DELETE || type == SADB_X_SPDDELETE))
		msg = "No entry";
	if (sk->sk_script)
		fprintf(stderr, "%s:%d: %s: %s\n", sk->sk_name, c->c_line,
		    cmd_word(c->c_type), msg);
	else
		fprintf(stderr, "setkey: %s: %s\n", cmd_word(c->c_type), msg);
}

/* Prints every entry of a dump; 0, or -1 on an error already reported. */
static int
setkey_dump_replies(struct setkey *sk, const struct cmd *c, uint8_t type)
{
	struct pfkey_msg m;
	struct pfkey_sa sa;

	for (;;) {
		if (setkey_reply(sk, type, 0, &m) == -1)
			return -1;
		if (m.pm_hdr.ph_errno != 0) {
			setkey_kerror(sk, c, type, m.pm_hdr.ph_errno);
			/* An empty database is an answer, not a failure. */
			return m.pm_hdr.ph_errno == ENOENT ? 0 : -1;
		}
		if (type == SADB_X_SPDDUMP)
			dump_sp(stdout, &m, sk->sk_ports);
		else if (sk->sk_all || pfkey_get_sa(&m, &sa) != 0 ||
		    sa.ps_state != SADB_SASTATE_DEAD)
			dump_sa(stdout, &m, sk->sk_ports, time(NULL));
		if (m.pm_hdr.ph_seq == 0)
			return 0;
	}
}

/* Build, send, and read the answer of one request. */
static int
setkey_request(struct setkey *sk, const struct cmd *c, struct wbuf *wb)
{
	struct pfkey_msg m;
	uint8_t type = wbuf_data(wb)[1];
	uint32_t seq = sk->sk_seq;

	if (setkey_send(sk, wb) == -1)
		return -1;
	if (type == SADB_DUMP || type == SADB_X_SPDDUMP)
		return setkey_dump_replies(sk, c, type);
	if (setkey_reply(sk, type, seq, &m) == -1)
		return -1;
	if (m.pm_hdr.ph_errno != 0) {
		setkey_kerror(sk, c, type, m.pm_hdr.ph_errno);
		return -1;
	}
	if (type == SADB_GET)
		dump_sa(stdout, &m, sk->sk_ports, time(NULL));
	return 0;
}

/*
 * deleteall: Linux wants an SPI in every DELETE, so dump the protocol's
 * SAs, keep those between the two addresses, then delete them one by
 * one (ipsec-tools' sendkeymsg_spigrep does the same).
 */
static int
setkey_deleteall(struct setkey *sk, const struct cmd *c, struct wbuf *wb)
{
	struct pfkey_msg m;
	struct pfkey_address src, dst;
	struct pfkey_sa sa;
	uint32_t *spis = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (setkey_send(sk, wb) == -1)
		return -1;
	for (;;) {
		if (setkey_reply(sk, SADB_DUMP, 0, &m) == -1) {
			rc = -1;
			break;
		}
		if (m.pm_hdr.ph_errno != 0) {
			if (m.pm_hdr.ph_errno != ENOENT) {
				setkey_kerror(sk, c, SADB_DUMP,
				    m.pm_hdr.ph_errno);
				rc = -1;
			}
			break;
		}
		if (m.pm_hdr.ph_satype == c->c_satype &&
		    pfkey_get_sa(&m, &sa) == 0 &&
		    pfkey_get_address(&m, SADB_EXT_ADDRESS_SRC, &src) == 0 &&
		    pfkey_get_address(&m, SADB_EXT_ADDRESS_DST, &dst) == 0 &&
		    src.pa_addr.a_af == c->c_src.a_af &&
		    dst.pa_addr.a_af == c->c_dst.a_af &&
		    addr_cmp_host(&src.pa_addr, &c->c_src) == 0 &&
		    addr_cmp_host(&dst.pa_addr, &c->c_dst) == 0) {
			uint32_t *p = reallocarray(spis, n + 1, sizeof(*p));

			if (p == NULL)
				err(1, "deleteall");
			spis = p;
			spis[n++] = sa.ps_spi;
		}
		if (m.pm_hdr.ph_seq == 0)
			break;
	}
	for (i = 0; rc == 0 && i < n; i++) {
		wbuf_reset(wb);
		if (cmd_build_delete(c, spis[i], ++sk->sk_seq, sk->sk_pid,
		    wb) == -1 || setkey_request(sk, c, wb) == -1)
			rc = -1;
	}
	free(spis);
	return rc;
}

/* Build and send one command; 0, or -1 once reported. */
static int
setkey_one(struct setkey *sk, const struct cmd *c, struct wbuf *wb)
{
	wbuf_reset(wb);
	if (cmd_build(c, ++sk->sk_seq, sk->sk_pid, wb) == -1) {
		fprintf(stderr, "%s:%d: message too long\n", sk->sk_name,
		    c->c_line);
		return -1;
	}
	if (c->c_type == CMD_DELETEALL)
		return setkey_deleteall(sk, c, wb);
	return setkey_request(sk, c, wb);
}

/*
 * ipsec-tools on Linux (its default -r, "RFC mode") follows each in
 * policy with the same policy for fwd, so that a gateway forwards what
 * it would accept; unique levels become require there, since the SAs of
 * a unique request belong to the in policy.  -k turns this off.
 */
static int
setkey_fwd_copy(struct setkey *sk, const struct cmd *c, struct wbuf *wb)
{
	struct cmd fwd;
	size_t i;
	int rc;

	if (!sk->sk_rfc || c->c_pol.pp_dir != IPSEC_DIR_INBOUND ||
	    (c->c_type != CMD_SPDADD && c->c_type != CMD_SPDUPDATE &&
	    c->c_type != CMD_SPDDELETE))
		return 0;
	fwd = *c;
	fwd.c_pol.pp_dir = IPSEC_DIR_FWD;
	for (i = 0; i < fwd.c_pol.pp_nreq; i++)
		if (fwd.c_pol.pp_req[i].pq_level == IPSEC_LEVEL_UNIQUE) {
			fwd.c_pol.pp_req[i].pq_level = IPSEC_LEVEL_REQUIRE;
			fwd.c_pol.pp_req[i].pq_reqid = 0;
		}
	rc = setkey_one(sk, &fwd, wb);
	mem_wipe(&fwd, sizeof(fwd));
	return rc;
}

/* Runs the commands in order; a failed one is reported, the rest run. */
static int
setkey_run(struct setkey *sk, const struct cmd_list *cmds)
{
	const struct cmd *c;
	struct wbuf wb;
	int rc = 0;

	if (wbuf_init(&wb, 512, PFKEY_MSG_MAX) == -1)
		err(1, "wbuf_init");
	wbuf_set_secret(&wb);
	TAILQ_FOREACH(c, cmds, c_entry) {
		if (c->c_type == CMD_EXIT)
			break;
		if (setkey_one(sk, c, &wb) == -1)
			rc = 1;
		if (setkey_fwd_copy(sk, c, &wb) == -1)
			rc = 1;
	}
	wbuf_free(&wb);
	return rc;
}

/*
 * Reads the whole input into wb (wiped on free: scripts hold keys),
 * refuses NUL bytes, naming their line, and appends the two NUL bytes
 * that flex's yy_scan_buffer wants.
 */
static int
setkey_read(int fd, const char *name, struct wbuf *wb)
{
	struct rbuf rb, line;
	uint8_t chunk[8192];
	ssize_t n;
	int lineno = 0;

	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			warn("%s", name);
			return -1;
		}
		if (n == 0)
			break;
		if (wbuf_put_bytes(wb, chunk, (size_t)n) == -1) {
			warnx("%s: larger than %d bytes", name,
			    SETKEY_SCRIPT_MAX);
			return -1;
		}
	}
	mem_wipe(chunk, sizeof(chunk));
	rbuf_init(&rb, wbuf_data(wb), wbuf_len(wb));
	while (rbuf_get_line(&rb, &line) == 0) {
		lineno++;
		if (memchr(rbuf_ptr(&line), '\0', rbuf_left(&line)) != NULL) {
			warnx("%s:%d: NUL byte in a script", name, lineno);
			return -1;
		}
	}
	if (wbuf_put_zero(wb, 2) == -1) {
		warnx("%s: larger than %d bytes", name, SETKEY_SCRIPT_MAX);
		return -1;
	}
	return 0;
}

/* Messages name the file as its basename, as ipsec-tools users expect. */
static const char *
setkey_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

static int
setkey_script(struct setkey *sk, const char *path, int check_only,
    int print)
{
	struct cmd_list cmds = TAILQ_HEAD_INITIALIZER(cmds);
	struct cmd *c;
	struct wbuf wb;
	int fd, nerr, rc = 0;

	if (path == NULL || strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		sk->sk_name = "<stdin>";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	else
		sk->sk_name = setkey_basename(path);
	if (wbuf_init(&wb, 4096, SETKEY_SCRIPT_MAX + 2) == -1)
		err(1, "wbuf_init");
	wbuf_set_secret(&wb);
	if (setkey_read(fd, sk->sk_name, &wb) == -1) {
		wbuf_free(&wb);
		return 1;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	/* -n is a silent check: errors only. */
	nerr = parse_script(sk->sk_name, stderr, check_only ? NULL : stderr,
	    (char *)wbuf_data(&wb), wbuf_len(&wb) - 2, &cmds);
	wbuf_free(&wb);
	if (nerr > 0)
		return 1;
	if (print)
		TAILQ_FOREACH(c, &cmds, c_entry)
			cmd_print(stdout, c);
	if (!check_only && !print) {
		sk->sk_script = 1;
		setkey_open(sk);
		rc = setkey_run(sk, &cmds);
	}
	cmd_list_free(&cmds);
	return rc;
}

/* -D, -DP, -F, -FP: one request without a script. */
static int
setkey_short(struct setkey *sk, uint8_t type)
{
	struct cmd *c;
	struct cmd_list cmds = TAILQ_HEAD_INITIALIZER(cmds);
	int rc;

	if ((c = cmd_new(type == SADB_DUMP ? CMD_DUMP : type == SADB_FLUSH ?
	    CMD_FLUSH : type == SADB_X_SPDDUMP ? CMD_SPDDUMP : CMD_SPDFLUSH,
	    0)) == NULL)
		err(1, "cmd_new");
	TAILQ_INSERT_TAIL(&cmds, c, c_entry);
	sk->sk_name = "setkey";
	setkey_open(sk);
	rc = setkey_run(sk, &cmds);
	cmd_list_free(&cmds);
	return rc;
}

/* "HH:MM:SS.uuuuuu" before each message of -x, as ipsec-tools. */
static void
setkey_stamp(void)
{
	struct timeval tv;
	struct tm tm;
	time_t t;

	if (gettimeofday(&tv, NULL) == -1)
		return;
	t = tv.tv_sec;
	if (localtime_r(&t, &tm) == NULL)
		return;
	printf("%02d:%02d:%02d.%06ld \n", tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (long)tv.tv_usec);
}

static void
setkey_hexdump(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 16 == 0)
			printf("%08zx: ", i);
		printf("%02x ", p[i]);
		if (i % 16 == 15)
			printf("\n");
	}
	if (len % 16)
		printf("\n");
}

/*
 * -x: ask for every PF_KEY message (SADB_X_PROMISC) and print each until
 * killed.  A kernel may wrap a copy in an X_PROMISC header; unwrap it.
 */
static int __attribute__((noreturn))
setkey_promisc(struct setkey *sk)
{
	struct pfkey_hdr h;
	struct pfkey_msg m;
	struct wbuf wb;
	struct timeval tv = { 0, 0 };
	ssize_t n;
	size_t off;

	setkey_open(sk);
	if (setsockopt(sk->sk_sock.ps_fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == -1)
		err(1, "setsockopt SO_RCVTIMEO");
	memset(&h, 0, sizeof(h));
	h.ph_version = PF_KEY_V2;
	h.ph_type = SADB_X_PROMISC;
	h.ph_satype = 1;		/* on */
	h.ph_seq = ++sk->sk_seq;
	h.ph_pid = sk->sk_pid;
	if (wbuf_init(&wb, 16, 64) == -1 || pfkey_build_hdr(&wb, &h) == -1 ||
	    pfkey_build_end(&wb) == -1 || setkey_send(sk, &wb) == -1)
		errx(1, "cannot ask for promiscuous mode");
	wbuf_free(&wb);
	for (;;) {
		n = pfkey_sock_recv(&sk->sk_sock, sk->sk_buf,
		    sizeof(sk->sk_buf));
		if (n == -1 && (errno == EINTR || errno == EMSGSIZE))
			continue;
		if (n <= 0)
			errx(1, "%s: %s", pfkey_sock_describe(&sk->sk_sock),
			    n == 0 ? "connection closed" : strerror(errno));
		/* A bare X_PROMISC is the answer to ours. */
		if (n == PFKEY_HDR_LEN && sk->sk_buf[1] == SADB_X_PROMISC)
			continue;
		setkey_stamp();
		if (sk->sk_hex)
			setkey_hexdump(sk->sk_buf, (size_t)n);
		off = n > PFKEY_HDR_LEN && sk->sk_buf[1] == SADB_X_PROMISC ?
		    PFKEY_HDR_LEN : 0;
		if (pfkey_parse(&m, sk->sk_buf + off, (size_t)n - off) == -1) {
			printf("bad message: %s\n\n", m.pm_err);
			fflush(stdout);
			continue;
		}
		dump_kdebug(stdout, &m);
		printf("\n");
		fflush(stdout);
	}
}

int
main(int argc, char *argv[])
{
	/* Static: one session per run, and its 64 KiB buffer off the stack. */
	static struct setkey session;
	struct setkey *sk = &session;
	enum setkey_mode mode = MODE_NONE;
	const char *file = NULL;
	int ch, check_only = 0, print = 0, policy = 0, rc;

	sk->sk_rfc = 1;

	while ((ch = getopt(argc, argv, "acCDf:FhHknPprvVx")) != -1) {
		switch (ch) {
		case 'a':
			sk->sk_all = 1;
			break;
		case 'c':
			mode = MODE_STDIN;
			break;
		case 'C':
			print = 1;
			break;
		case 'D':
			mode = MODE_DUMP;
			break;
		case 'f':
			mode = MODE_SCRIPT;
			file = optarg;
			break;
		case 'F':
			mode = MODE_FLUSH;
			break;
		case 'H':
			sk->sk_hex = 1;
			break;
		case 'k':
			sk->sk_rfc = 0;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'P':
			policy = 1;
			break;
		case 'p':
			sk->sk_ports = 1;
			break;
		case 'r':
			sk->sk_rfc = 1;
			break;
		case 'v':
			sk->sk_verbose = 1;
			break;
		case 'V':
			printf("setkey (%s) %s\n", PACKAGE_NAME,
			    PACKAGE_VERSION);
			return 0;
		case 'x':
			mode = MODE_PROMISC;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	/* Line-buffered, so a reader of -x or a pipe sees whole entries. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	switch (mode) {
	case MODE_SCRIPT:
	case MODE_STDIN:
		rc = setkey_script(sk, mode == MODE_SCRIPT ? file : NULL,
		    check_only, print);
		break;
	case MODE_DUMP:
		rc = setkey_short(sk, policy ? SADB_X_SPDDUMP : SADB_DUMP);
		break;
	case MODE_FLUSH:
		rc = setkey_short(sk, policy ? SADB_X_SPDFLUSH : SADB_FLUSH);
		break;
	case MODE_PROMISC:
		setkey_promisc(sk);
	default:
		usage();
	}
	/* Answers to dumps and gets held keys. */
	mem_wipe(sk->sk_buf, sizeof(sk->sk_buf));
	return rc;
}
