/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfkeyc: the PF_KEY v2 client of the test suite.  It reads a script, one
 * request a line, sends each on one connection (found as setkey finds the
 * kernel, or with -s), waits for its answer and prints every message it
 * receives, one line each, for the namespace tests to grep:
 *
 *	< GETSPI satype=esp errno=0 seq=3 pid=77 sa=spi:0x1234,state:larval...
 *
 * A request line may end with "=> ERRNO" (ENOENT, EINVAL, ...) for the
 * error its answer must carry, or "=> none" when no answer may come;
 * without it the answer must have errno 0.  Any mismatch, and any answer
 * that does not come within -t seconds, exits 1.
 *
 *	register SATYPE
 *	getspi SATYPE SRC DST [range MIN MAX] [mode M] [reqid N]
 *	add|update SATYPE SPI SRC DST [enc ALG HEXKEY] [auth ALG HEXKEY]
 *	    [replay N] [life SOFT HARD] [lifebytes SOFT HARD]
 *	    [lifealloc SOFT HARD] [mode M]
 *	    [reqid N] [natt SPORT DPORT] [seq N]
 *	get|delete SATYPE SPI SRC DST
 *	flush [SATYPE] | dump [SATYPE] | promisc 0|1
 *	spdadd|spdupdate SRC DST PROTO DIR discard|none|ipsec REQ...
 *	    [prio N] [life SOFT HARD]
 *	    (REQ as setkey writes it: esp/tunnel/10.0.0.1-10.0.0.2/unique:5)
 *	spddelete SRC DST PROTO DIR | spdget ID | spddelete2 ID
 *	spdflush | spddump | acquire SEQ ERRNO | bare TYPE [SATYPE]
 *	raw HEX | burst N
 *	listen SECONDS | sleep SECONDS
 *
 * The script comes from -f FILE or standard input; every byte of it goes
 * through struct rbuf.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>

#include "addr.h"
#include "alg.h"
#include "buf.h"
#include "log.h"
#include "pfkey.h"
#include "pfkey_sock.h"

static struct pfkey_sock ps;
static uint32_t	 seqno;
static int	 timeout_ms = 3000;
static const char *curline;
static unsigned long lineno;
static uint8_t	 rxbuf[PFKEY_MSG_MAX + PFKEY_UNIT];

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pfkeyc: line %lu: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (in \"%s\")\n", curline != NULL ? curline : "");
	exit(1);
}

static const struct {
	const char	*name;
	int		 value;
} errnames[] = {
	{ "0", 0 }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH },
	{ "EEXIST", EEXIST }, { "EINVAL", EINVAL }, { "ENOSYS", ENOSYS },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EMSGSIZE", EMSGSIZE },
	{ "ENOBUFS", ENOBUFS }, { "EBUSY", EBUSY }, { "EPERM", EPERM },
	{ "ETIMEDOUT", ETIMEDOUT },
};

static int
errno_by_name(const char *s)
{
	size_t i;
	uint64_t v;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (strcmp(errnames[i].name, s) == 0)
			return errnames[i].value;
	if (str_to_uint(s, 255, &v) == 0)
		return (int)v;
	die("unknown errno %s", s);
}

/* The words of the current line, NUL-terminated copies. */
struct words {
	char	 w[48][256];
	size_t	 n;
	size_t	 i;
};

static const char *
next(struct words *w)
{
	return w->i < w->n ? w->w[w->i++] : NULL;
}

static const char *
need(struct words *w, const char *what)
{
	const char *s = next(w);

	if (s == NULL)
		die("%s missing", what);
	return s;
}

static uint64_t
num(const char *s, uint64_t max)
{
	uint64_t v;

	if (str_to_uint(s, max, &v) == -1)
		die("bad number %s", s);
	return v;
}

static uint8_t
satype_of(const char *s)
{
	unsigned t;

	for (t = 0; t <= SADB_SATYPE_MAX; t++)
		if (strcmp(pfkey_satype_name(t), s) == 0)
			return (uint8_t)t;
	return (uint8_t)num(s, 255);
}

static struct addr
addr_of(const char *s, int flags)
{
	struct addr a;
	const char *why;

	if (addr_parse(s, flags, &a, &why) == -1)
		die("address %s: %s", s, why);
	return a;
}

static void
start(struct wbuf *wb, uint8_t type, uint8_t satype)
{
	struct pfkey_hdr h = { PF_KEY_V2, type, 0, satype, 0, 0, ++seqno,
	    (uint32_t)getpid() };

	if (wbuf_init(wb, 512, PFKEY_MSG_MAX) == -1)
		die("out of memory");
	pfkey_build_hdr(wb, &h);
}

static void
put_addrs(struct wbuf *wb, const char *src, const char *dst, int flags,
    uint8_t proto)
{
	struct pfkey_address s = { proto, addr_of(src, flags) };
	struct pfkey_address d = { proto, addr_of(dst, flags) };

	pfkey_put_address(wb, SADB_EXT_ADDRESS_SRC, &s);
	pfkey_put_address(wb, SADB_EXT_ADDRESS_DST, &d);
}

/* Print one received message on one line. */
static void
print_sa_exts(const struct pfkey_msg *m)
{
	struct pfkey_sa sa;
	struct pfkey_lifetime lt;
	struct pfkey_address pa;
	struct pfkey_key k;
	struct pfkey_sa2 s2;
	char buf[ADDR_STRLEN];
	static const unsigned lts[3] = { SADB_EXT_LIFETIME_HARD,
	    SADB_EXT_LIFETIME_SOFT, SADB_EXT_LIFETIME_CURRENT };
	static const char *const ltn[3] = { "hard", "soft", "cur" };
	int i;

	if (pfkey_get_sa(m, &sa) == 0)
		printf(" sa=spi:0x%x,state:%s,auth:%u,enc:%u,replay:%u",
		    sa.ps_spi, pfkey_sastate_name(sa.ps_state), sa.ps_auth,
		    sa.ps_encrypt, sa.ps_replay);
	for (i = 0; i < 3; i++)
		if (pfkey_get_lifetime(m, lts[i], &lt) == 0)
			printf(" %s=alloc:%u,bytes:%llu,add:%llu,use:%llu",
			    ltn[i], lt.pl_allocations,
			    (unsigned long long)lt.pl_bytes,
			    (unsigned long long)lt.pl_addtime,
			    (unsigned long long)lt.pl_usetime);
	if (pfkey_get_address(m, SADB_EXT_ADDRESS_SRC, &pa) == 0)
		printf(" src=%s proto=%u", addr_fmt(&pa.pa_addr,
		    ADDR_PORT | ADDR_PREFIX, buf, sizeof(buf)), pa.pa_proto);
	if (pfkey_get_address(m, SADB_EXT_ADDRESS_DST, &pa) == 0)
		printf(" dst=%s", addr_fmt(&pa.pa_addr, ADDR_PORT | ADDR_PREFIX,
		    buf, sizeof(buf)));
	if (pfkey_get_key(m, SADB_EXT_KEY_AUTH, &k) == 0)
		printf(" akey=%u", k.pk_bits);
	if (pfkey_get_key(m, SADB_EXT_KEY_ENCRYPT, &k) == 0)
		printf(" ekey=%u", k.pk_bits);
	if (pfkey_get_sa2(m, &s2) == 0)
		printf(" sa2=mode:%s,reqid:%u", pfkey_mode_name(s2.p2_mode),
		    s2.p2_reqid);
}

static void
print_policy(const struct pfkey_msg *m)
{
	struct pfkey_policy pp;
	char s[ADDR_STRLEN], d[ADDR_STRLEN];
	size_t i;

	if (pfkey_get_policy(m, &pp) != 0)
		return;
	printf(" policy=dir:%s,type:%s,id:%u,prio:%u",
	    pfkey_dir_name(pp.pp_dir), pfkey_policy_name(pp.pp_type),
	    pp.pp_id, pp.pp_priority);
	for (i = 0; i < pp.pp_nreq; i++)
		printf(" req=%s/%s/%s-%s/%s:%u",
		    pp.pp_req[i].pq_proto == IPPROTO_ESP ? "esp" : "ah",
		    pfkey_mode_name(pp.pp_req[i].pq_mode),
		    pp.pp_req[i].pq_src.a_af == 0 ? "" :
		    addr_ntop(&pp.pp_req[i].pq_src, s, sizeof(s)),
		    pp.pp_req[i].pq_dst.a_af == 0 ? "" :
		    addr_ntop(&pp.pp_req[i].pq_dst, d, sizeof(d)),
		    pfkey_level_name(pp.pp_req[i].pq_level),
		    pp.pp_req[i].pq_reqid);
}

static void
print_supported(const struct pfkey_msg *m, unsigned type, const char *name)
{
	struct pfkey_alg algs[PFKEY_MAX_ALGS];
	size_t n, i;

	if (pfkey_get_supported(m, type, algs, PFKEY_MAX_ALGS, &n) != 0)
		return;
	printf(" %s=", name);
	for (i = 0; i < n && i < PFKEY_MAX_ALGS; i++)
		printf("%s%u", i ? "," : "", algs[i].pg_id);
}

static void
print_msg(const struct pfkey_msg *m)
{
	const struct pfkey_hdr *h = &m->pm_hdr;

	printf("< %s satype=%s errno=%u seq=%u pid=%u len=%u",
	    pfkey_msgtype_name(h->ph_type), pfkey_satype_name(h->ph_satype),
	    h->ph_errno, h->ph_seq, h->ph_pid, h->ph_len);
	print_sa_exts(m);
	print_policy(m);
	print_supported(m, SADB_EXT_SUPPORTED_AUTH, "supported_auth");
	print_supported(m, SADB_EXT_SUPPORTED_ENCRYPT, "supported_enc");
	printf("\n");
	fflush(stdout);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * Receive one message within ms milliseconds.  0 and *m filled, 1 on
 * timeout; ipsecd closing the connection is fatal.
 */
static int
recv_one(struct pfkey_msg *m, long ms)
{
	struct pollfd pfd = { ps.ps_fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&pfd, 1, ms < 0 ? 0 : (int)ms) <= 0)
		return 1;
	n = pfkey_sock_recv(&ps, rxbuf, sizeof(rxbuf));
	if (n == 0)
		die("connection closed by %s", pfkey_sock_describe(&ps));
	if (n < 0)
		die("recv: %s", strerror(errno));
	if (pfkey_parse(m, rxbuf, (size_t)n) == -1)
		die("malformed message from the kernel: %s", m->pm_err);
	print_msg(m);
	return 0;
}

/*
 * Send the request and wait for its answer: same type, seq and pid.  A
 * dump is answered by messages up to one with seq 0.
 */
static void
transact(struct wbuf *wb, int want_errno, int none)
{
	struct pfkey_msg m;
	struct pfkey_hdr h;
	struct rbuf rb;
	long deadline;
	int dump;

	if (pfkey_build_end(wb) == -1)
		die("cannot build the message");
	rbuf_init(&rb, wbuf_data(wb), wbuf_len(wb));
	if (pfkey_parse(&m, wbuf_data(wb), wbuf_len(wb)) == -1 &&
	    !m.pm_hdr_ok)
		die("message without a header");
	h = m.pm_hdr;
	dump = h.ph_type == SADB_DUMP || h.ph_type == SADB_X_SPDDUMP;
	if (pfkey_sock_send(&ps, wbuf_data(wb), wbuf_len(wb)) == -1)
		die("send: %s", strerror(errno));
	wbuf_free(wb);
	deadline = now_ms() + (none ? 500 : timeout_ms);
	while (recv_one(&m, deadline - now_ms()) == 0) {
		if (m.pm_hdr.ph_type != h.ph_type ||
		    m.pm_hdr.ph_pid != h.ph_pid ||
		    (m.pm_hdr.ph_seq != h.ph_seq && !dump))
			continue;
		if (none)
			die("an answer came where none may");
		if (m.pm_hdr.ph_errno != want_errno)
			die("errno %u, expected %d", m.pm_hdr.ph_errno,
			    want_errno);
		if (!dump || m.pm_hdr.ph_seq == 0 || m.pm_hdr.ph_errno != 0)
			return;
	}
	if (!none)
		die("no answer within %d ms", timeout_ms);
}

static void
put_key(struct wbuf *wb, unsigned type, const char *hex)
{
	struct wbuf key;
	struct rbuf rb;

	if (wbuf_init(&key, 64, 512) == -1)
		die("out of memory");
	wbuf_set_secret(&key);
	if (strncmp(hex, "0x", 2) == 0)
		hex += 2;
	rbuf_init_str(&rb, hex);
	if (rbuf_get_hex(&rb, &key) == -1)
		die("bad hex key");
	pfkey_put_key(wb, type, (uint16_t)(wbuf_len(&key) * 8),
	    wbuf_data(&key));
	wbuf_free(&key);
}

static uint8_t
alg_id(enum alg_kind kind, const char *name)
{
	const struct alg *a = alg_by_name(kind, name);

	if (a == NULL)
		return (uint8_t)num(name, 255);
	return (uint8_t)a->alg_sadb;
}

static uint8_t
mode_of(const char *s)
{
	if (strcmp(s, "transport") == 0)
		return IPSEC_MODE_TRANSPORT;
	if (strcmp(s, "tunnel") == 0)
		return IPSEC_MODE_TUNNEL;
	if (strcmp(s, "any") == 0)
		return IPSEC_MODE_ANY;
	return (uint8_t)num(s, 255);
}

/* The options of add and update after SATYPE SPI SRC DST. */
static void
sa_options(struct wbuf *wb, struct words *w, struct pfkey_sa *sa,
    struct pfkey_sa2 *s2, int *has_s2)
{
	struct pfkey_lifetime soft = { 0 }, hard = { 0 };
	const char *o;
	int life = 0;
	uint16_t nsport = 0, ndport = 0;
	int natt = 0;

	while ((o = next(w)) != NULL) {
		if (strcmp(o, "enc") == 0) {
			sa->ps_encrypt = alg_id(ALG_ENC, need(w, "cipher"));
			put_key(wb, SADB_EXT_KEY_ENCRYPT, need(w, "key"));
		} else if (strcmp(o, "auth") == 0) {
			sa->ps_auth = alg_id(ALG_AUTH, need(w, "MAC"));
			put_key(wb, SADB_EXT_KEY_AUTH, need(w, "key"));
		} else if (strcmp(o, "replay") == 0)
			sa->ps_replay = (uint8_t)num(need(w, "replay"), 255);
		else if (strcmp(o, "life") == 0) {
			soft.pl_addtime = num(need(w, "soft"), UINT32_MAX);
			hard.pl_addtime = num(need(w, "hard"), UINT32_MAX);
			life = 1;
		} else if (strcmp(o, "lifebytes") == 0) {
			soft.pl_bytes = num(need(w, "soft"), UINT32_MAX);
			hard.pl_bytes = num(need(w, "hard"), UINT32_MAX);
			life = 1;
		} else if (strcmp(o, "lifealloc") == 0) {
			soft.pl_allocations = (uint32_t)num(need(w, "soft"),
			    UINT32_MAX);
			hard.pl_allocations = (uint32_t)num(need(w, "hard"),
			    UINT32_MAX);
			life = 1;
		} else if (strcmp(o, "mode") == 0) {
			s2->p2_mode = mode_of(need(w, "mode"));
			*has_s2 = 1;
		} else if (strcmp(o, "reqid") == 0) {
			s2->p2_reqid = (uint32_t)num(need(w, "reqid"),
			    UINT32_MAX);
			*has_s2 = 1;
		} else if (strcmp(o, "natt") == 0) {
			nsport = (uint16_t)num(need(w, "sport"), 65535);
			ndport = (uint16_t)num(need(w, "dport"), 65535);
			natt = 1;
		} else
			die("unknown option %s", o);
	}
	if (life) {
		pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_HARD, &hard);
		pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_SOFT, &soft);
	}
	if (natt) {
		pfkey_put_nat_t_type(wb, UDP_ENCAP_ESPINUDP);
		pfkey_put_nat_t_port(wb, SADB_X_EXT_NAT_T_SPORT, nsport);
		pfkey_put_nat_t_port(wb, SADB_X_EXT_NAT_T_DPORT, ndport);
	}
}

static void
cmd_add(struct wbuf *wb, struct words *w, uint8_t type)
{
	struct pfkey_sa sa = { 0, 0, SADB_SASTATE_MATURE, 0, 0, 0 };
	struct pfkey_sa2 s2 = { IPSEC_MODE_ANY, 0, 0 };
	uint8_t satype = satype_of(need(w, "SA type"));
	const char *src, *dst;
	int has_s2 = 0;

	sa.ps_spi = (uint32_t)num(need(w, "SPI"), UINT32_MAX);
	src = need(w, "source");
	dst = need(w, "destination");
	start(wb, type, satype);
	put_addrs(wb, src, dst, 0, 0);
	sa_options(wb, w, &sa, &s2, &has_s2);
	pfkey_put_sa(wb, &sa);
	if (has_s2)
		pfkey_put_sa2(wb, &s2);
}

static void
cmd_getspi(struct wbuf *wb, struct words *w)
{
	struct pfkey_spirange sr;
	struct pfkey_sa2 s2 = { IPSEC_MODE_ANY, 0, 0 };
	uint8_t satype = satype_of(need(w, "SA type"));
	const char *src = need(w, "source"), *dst = need(w, "destination");
	const char *o;
	int has_s2 = 0;

	start(wb, SADB_GETSPI, satype);
	put_addrs(wb, src, dst, 0, 0);
	while ((o = next(w)) != NULL) {
		if (strcmp(o, "range") == 0) {
			sr.pr_min = (uint32_t)num(need(w, "min"), UINT32_MAX);
			sr.pr_max = (uint32_t)num(need(w, "max"), UINT32_MAX);
			pfkey_put_spirange(wb, &sr);
		} else if (strcmp(o, "mode") == 0) {
			s2.p2_mode = mode_of(need(w, "mode"));
			has_s2 = 1;
		} else if (strcmp(o, "reqid") == 0) {
			s2.p2_reqid = (uint32_t)num(need(w, "reqid"),
			    UINT32_MAX);
			has_s2 = 1;
		} else
			die("unknown option %s", o);
	}
	if (has_s2)
		pfkey_put_sa2(wb, &s2);
}

static void
cmd_sa(struct wbuf *wb, struct words *w, uint8_t type)
{
	struct pfkey_sa sa = { 0, 0, 0, 0, 0, 0 };
	uint8_t satype = satype_of(need(w, "SA type"));
	const char *src, *dst;

	sa.ps_spi = (uint32_t)num(need(w, "SPI"), UINT32_MAX);
	src = need(w, "source");
	dst = need(w, "destination");
	start(wb, type, satype);
	pfkey_put_sa(wb, &sa);
	put_addrs(wb, src, dst, 0, 0);
}

static uint8_t
proto_of(const char *s)
{
	if (strcmp(s, "any") == 0)
		return IPSEC_ULPROTO_ANY;
	if (strcmp(s, "tcp") == 0)
		return IPPROTO_TCP;
	if (strcmp(s, "udp") == 0)
		return IPPROTO_UDP;
	if (strcmp(s, "icmp") == 0)
		return IPPROTO_ICMP;
	return (uint8_t)num(s, 255);
}

static uint8_t
dir_of(const char *s)
{
	unsigned d;

	for (d = IPSEC_DIR_INBOUND; d < IPSEC_DIR_MAX; d++)
		if (strcmp(pfkey_dir_name(d), s) == 0)
			return (uint8_t)d;
	return (uint8_t)num(s, 255);
}

/* setkey's request syntax: proto/mode/src-dst/level[:reqid]. */
static void
parse_req(const char *s, struct pfkey_ipsecreq *rq)
{
	char buf[256], *f[4], *p, *dash, *colon;
	int i;

	memset(rq, 0, sizeof(*rq));
	(void)snprintf(buf, sizeof(buf), "%s", s);
	for (i = 0, p = buf; i < 4; i++) {
		f[i] = p;
		if ((p = strchr(p, '/')) == NULL && i < 3)
			die("request %s: want proto/mode/src-dst/level", s);
		if (p != NULL)
			*p++ = '\0';
	}
	rq->pq_proto = strcmp(f[0], "esp") == 0 ? IPPROTO_ESP :
	    strcmp(f[0], "ah") == 0 ? IPPROTO_AH :
	    strcmp(f[0], "ipcomp") == 0 ? IPPROTO_COMP : 0;
	rq->pq_mode = mode_of(f[1]);
	if (*f[2] != '\0') {
		if ((dash = strchr(f[2], '-')) == NULL)
			die("request %s: endpoints want src-dst", s);
		*dash = '\0';
		rq->pq_src = addr_of(f[2], 0);
		rq->pq_dst = addr_of(dash + 1, 0);
	}
	if ((colon = strchr(f[3], ':')) != NULL) {
		*colon = '\0';
		rq->pq_reqid = (uint32_t)num(colon + 1, UINT32_MAX);
	}
	for (i = 0; i <= IPSEC_LEVEL_UNIQUE; i++)
		if (strcmp(pfkey_level_name(i), f[3]) == 0)
			rq->pq_level = (uint8_t)i;
}

static void
cmd_spdadd(struct wbuf *wb, struct words *w, uint8_t type, int full)
{
	struct pfkey_policy pp;
	struct pfkey_lifetime soft = { 0 }, hard = { 0 };
	const char *src = need(w, "source"), *dst = need(w, "destination");
	uint8_t proto = proto_of(need(w, "protocol"));
	const char *o;
	int life = 0;

	memset(&pp, 0, sizeof(pp));
	pp.pp_dir = dir_of(need(w, "direction"));
	pp.pp_type = IPSEC_POLICY_IPSEC;
	if (full) {
		o = need(w, "policy");
		pp.pp_type = strcmp(o, "discard") == 0 ? IPSEC_POLICY_DISCARD :
		    strcmp(o, "none") == 0 ? IPSEC_POLICY_NONE :
		    strcmp(o, "ipsec") == 0 ? IPSEC_POLICY_IPSEC :
		    (uint16_t)num(o, 65535);
	}
	while (full && (o = next(w)) != NULL) {
		if (strcmp(o, "prio") == 0)
			pp.pp_priority = (uint32_t)num(need(w, "priority"),
			    UINT32_MAX);
		else if (strcmp(o, "life") == 0) {
			soft.pl_addtime = num(need(w, "soft"), UINT32_MAX);
			hard.pl_addtime = num(need(w, "hard"), UINT32_MAX);
			life = 1;
		} else if (pp.pp_nreq == PFKEY_MAX_IPSECREQ)
			die("too many requests");
		else
			parse_req(o, &pp.pp_req[pp.pp_nreq++]);
	}
	start(wb, type, SADB_SATYPE_UNSPEC);
	put_addrs(wb, src, dst, ADDR_PORT | ADDR_PREFIX, proto);
	pfkey_put_policy(wb, &pp);
	if (life) {
		pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_HARD, &hard);
		pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_SOFT, &soft);
	}
}

static void
cmd_spdid(struct wbuf *wb, struct words *w, uint8_t type)
{
	struct pfkey_policy pp;

	memset(&pp, 0, sizeof(pp));
	pp.pp_id = (uint32_t)num(need(w, "policy id"), UINT32_MAX);
	start(wb, type, SADB_SATYPE_UNSPEC);
	pfkey_put_policy(wb, &pp);
}

/* raw HEX: exactly these bytes, whatever they are. */
static void
cmd_raw(struct words *w)
{
	struct wbuf wb;
	struct rbuf rb;
	struct pfkey_msg m;

	if (wbuf_init(&wb, 64, PFKEY_MSG_MAX + 64) == -1)
		die("out of memory");
	rbuf_init_str(&rb, need(w, "hex"));
	if (rbuf_get_hex(&rb, &wb) == -1)
		die("bad hex");
	if (pfkey_sock_send(&ps, wbuf_data(&wb), wbuf_len(&wb)) == -1)
		die("send: %s", strerror(errno));
	wbuf_free(&wb);
	while (recv_one(&m, 300) == 0)
		;
}

/*
 * burst N: N hostile messages made by breaking a good one (random bytes
 * flipped, lengths cut) until the codec refuses it, so that none is a
 * valid request by chance (a flipped type byte can make a FLUSH); sent
 * back to back, answers drained.
 */
static void
cmd_burst(struct words *w)
{
	struct pfkey_msg m;
	struct wbuf good;
	uint8_t msg[256];
	uint64_t i, n = num(need(w, "count"), 1000000);
	size_t len, k;

	start(&good, SADB_GET, SADB_SATYPE_ESP);
	put_addrs(&good, "10.77.0.1", "10.77.0.2", 0, 0);
	pfkey_put_sa(&good, &(struct pfkey_sa){ 0x100, 0, 0, 0, 0, 0 });
	if (pfkey_build_end(&good) == -1)
		die("cannot build");
	srandom((unsigned)getpid());
	for (i = 0; i < n; i++) {
		do {
			len = wbuf_len(&good);
			memcpy(msg, wbuf_data(&good), len);
			for (k = 0; k < 1 + (size_t)(random() % 4); k++)
				msg[random() % len] ^=
				    (uint8_t)(1 + random() % 255);
			if (random() % 4 == 0)
				len = (size_t)random() % len + 1;
		} while (pfkey_parse(&m, msg, len) == 0);
		if (pfkey_sock_send(&ps, msg, len) == -1)
			die("send: %s", strerror(errno));
		while (recv_one(&m, 0) == 0)
			;
	}
	wbuf_free(&good);
	while (recv_one(&m, 300) == 0)
		;
}

static void
cmd_listen(struct words *w)
{
	struct pfkey_msg m;
	long end = now_ms() + (long)num(need(w, "seconds"), 3600) * 1000;

	while (now_ms() < end)
		(void)recv_one(&m, end - now_ms());
}

/* Commands that build one request; 0 if the word is not one of them. */
static int
build(struct wbuf *wb, const char *cmd, struct words *w)
{
	const char *o;
	uint8_t type;

	if (strcmp(cmd, "register") == 0)
		start(wb, SADB_REGISTER, satype_of(need(w, "SA type")));
	else if (strcmp(cmd, "getspi") == 0)
		cmd_getspi(wb, w);
	else if (strcmp(cmd, "add") == 0 || strcmp(cmd, "update") == 0)
		cmd_add(wb, w, cmd[0] == 'a' ? SADB_ADD : SADB_UPDATE);
	else if (strcmp(cmd, "get") == 0 || strcmp(cmd, "delete") == 0)
		cmd_sa(wb, w, cmd[0] == 'g' ? SADB_GET : SADB_DELETE);
	else if (strcmp(cmd, "flush") == 0 || strcmp(cmd, "dump") == 0) {
		o = next(w);
		start(wb, cmd[0] == 'f' ? SADB_FLUSH : SADB_DUMP,
		    o == NULL ? SADB_SATYPE_UNSPEC : satype_of(o));
	} else if (strcmp(cmd, "promisc") == 0)
		start(wb, SADB_X_PROMISC, (uint8_t)num(need(w, "flag"), 255));
	else if (strcmp(cmd, "spdadd") == 0 || strcmp(cmd, "spdupdate") == 0)
		cmd_spdadd(wb, w, cmd[3] == 'a' ? SADB_X_SPDADD :
		    SADB_X_SPDUPDATE, 1);
	else if (strcmp(cmd, "spddelete") == 0)
		cmd_spdadd(wb, w, SADB_X_SPDDELETE, 0);
	else if (strcmp(cmd, "spdget") == 0)
		cmd_spdid(wb, w, SADB_X_SPDGET);
	else if (strcmp(cmd, "spddelete2") == 0)
		cmd_spdid(wb, w, SADB_X_SPDDELETE2);
	else if (strcmp(cmd, "spdflush") == 0)
		start(wb, SADB_X_SPDFLUSH, SADB_SATYPE_UNSPEC);
	else if (strcmp(cmd, "spddump") == 0)
		start(wb, SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC);
	else if (strcmp(cmd, "acquire") == 0) {
		start(wb, SADB_ACQUIRE, SADB_SATYPE_ESP);
		wbuf_set_u32h(wb, 8, (uint32_t)num(need(w, "seq"),
		    UINT32_MAX));
		wbuf_set_u8(wb, 2, (uint8_t)errno_by_name(need(w, "errno")));
	} else if (strcmp(cmd, "bare") == 0) {
		type = (uint8_t)num(need(w, "message type"), 255);
		o = next(w);
		start(wb, type, o == NULL ? SADB_SATYPE_UNSPEC : satype_of(o));
	} else
		return 0;
	return 1;
}

/* Split a line into words; "=> X" at the end is the expected answer. */
static void
split(struct rbuf *line, struct words *w, int *want, int *none)
{
	struct rbuf word;

	w->n = w->i = 0;
	*want = 0;
	*none = 0;
	for (;;) {
		rbuf_skip_blanks(line);
		if (rbuf_get_word(line, &word) == -1)
			break;
		if (w->n == sizeof(w->w) / sizeof(w->w[0]) ||
		    rbuf_get_str(&word, w->w[w->n], sizeof(w->w[0])) == -1)
			die("too many or too long words");
		w->n++;
	}
	if (w->n >= 2 && strcmp(w->w[w->n - 2], "=>") == 0) {
		if (strcmp(w->w[w->n - 1], "none") == 0)
			*none = 1;
		else
			*want = errno_by_name(w->w[w->n - 1]);
		w->n -= 2;
	}
}

static void
run_line(struct rbuf *line)
{
	static struct words w;
	struct wbuf wb;
	const char *cmd;
	int want, none;

	split(line, &w, &want, &none);
	if ((cmd = next(&w)) == NULL || cmd[0] == '#')
		return;
	printf("> %s\n", curline);
	fflush(stdout);
	if (build(&wb, cmd, &w)) {
		if (w.i < w.n && strcmp(cmd, "add") != 0 &&
		    strcmp(cmd, "update") != 0)
			die("extra words");
		transact(&wb, want, none);
	} else if (strcmp(cmd, "raw") == 0)
		cmd_raw(&w);
	else if (strcmp(cmd, "burst") == 0)
		cmd_burst(&w);
	else if (strcmp(cmd, "listen") == 0)
		cmd_listen(&w);
	else if (strcmp(cmd, "sleep") == 0)
		sleep((unsigned)num(need(&w, "seconds"), 3600));
	else
		die("unknown command %s", cmd);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: pfkeyc [-f script] [-s socket] [-t seconds]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static uint8_t script[1024 * 1024];
	char text[1024];
	struct rbuf rb, line;
	const char *file = NULL, *sock = NULL;
	FILE *fp = stdin;
	size_t len;
	int ch;

	while ((ch = getopt(argc, argv, "f:s:t:")) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 't':
			timeout_ms = (int)num(optarg, 3600) * 1000;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (file != NULL && (fp = fopen(file, "r")) == NULL)
		die("%s: %s", file, strerror(errno));
	len = fread(script, 1, sizeof(script), fp);
	if ((sock != NULL ? pfkey_sock_connect(&ps, sock) :
	    pfkey_sock_open(&ps)) == -1)
		die("cannot reach the kernel: %s", strerror(errno));
	rbuf_init(&rb, script, len);
	while (rbuf_get_line(&rb, &line) == 0) {
		lineno++;
		(void)log_vis(text, sizeof(text), rbuf_ptr(&line),
		    rbuf_left(&line));
		curline = text;
		run_line(&line);
	}
	pfkey_sock_close(&ps);
	return 0;
}
