/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/ipsecd/pfkey_srv.c in one process: the server runs
 * on a private abstract name and an event loop pumped by the test, the
 * client is pfkey_sock.  Covered here because only the datapath triggers
 * it: SADB_ACQUIRE to registered sockets with a larval SA behind it, no
 * second ACQUIRE while one is pending, GETSPI with the ACQUIRE's sequence
 * number filling that larval SA, UPDATE making it mature, a user ACQUIRE
 * with errno killing a pending one, ADD answering an ACQUIRE, and the
 * layout of SADB_X_NAT_T_NEW_MAPPING.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <netinet/in.h>
#include <openssl/provider.h>

#include "buf.h"
#include "log.h"
#include "pfkey.h"
#include "pfkey_sock.h"
#include "pfkey_srv.h"
#include "sad.h"
#include "spd.h"
#include "test_helper.h"

static struct event_base *base;
static struct pfkey_sock cl;
static uint8_t rx[PFKEY_MSG_MAX];
static struct pfkey_msg in;
static uint32_t seq;

/* Run the server until the client has a message, and parse it. */
static int
pump(void)
{
	struct pollfd pfd = { 0, POLLIN, 0 };
	ssize_t n;
	int i;

	pfd.fd = cl.ps_fd;
	for (i = 0; i < 200; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (poll(&pfd, 1, 5) == 1) {
			n = pfkey_sock_recv(&cl, rx, sizeof(rx));
			if (n <= 0 || pfkey_parse(&in, rx, (size_t)n) == -1)
				return -1;
			return 0;
		}
	}
	return 1;
}

static struct addr
A(const char *s)
{
	struct addr a;
	const char *why;

	if (addr_parse(s, ADDR_PREFIX, &a, &why) == -1)
		test_fail(__FILE__, __LINE__, "%s: %s", s, why);
	return a;
}

/* Send a request built by fn and return the answer's errno. */
static int
request(uint8_t type, uint32_t rseq, uint8_t err, uint32_t spi,
    const char *key, int add_range)
{
	static uint8_t mem[512];
	struct pfkey_hdr h = { PF_KEY_V2, type, err, SADB_SATYPE_ESP, 0, 0,
	    rseq, 77 };
	struct pfkey_address s = { 0, A("10.77.0.1") };
	struct pfkey_address d = { 0, A("10.77.0.2") };
	struct pfkey_sa sa = { spi, 0, 0, 0, SADB_X_EALG_AESCBC, 0 };
	struct pfkey_spirange sr = { 0x5000, 0x5fff };
	struct wbuf wb;
	int rc;

	wbuf_init_fixed(&wb, mem, sizeof(mem));
	pfkey_build_hdr(&wb, &h);
	if (type != SADB_REGISTER && type != SADB_ACQUIRE) {
		pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &s);
		pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &d);
	}
	if (type == SADB_UPDATE || type == SADB_ADD) {
		pfkey_put_sa(&wb, &sa);
		pfkey_put_key(&wb, SADB_EXT_KEY_ENCRYPT, 128, key);
	}
	if (add_range)
		pfkey_put_spirange(&wb, &sr);
	ASSERT_INT_EQ(pfkey_build_end(&wb), 0);
	ASSERT_INT_EQ(pfkey_sock_send(&cl, mem, wbuf_len(&wb)), 0);
	while ((rc = pump()) == 0 && (in.pm_hdr.ph_type != type ||
	    in.pm_hdr.ph_seq != rseq))
		;
	return rc == 0 ? in.pm_hdr.ph_errno : -1;
}

static struct spd_policy *
out_policy(void)
{
	static uint8_t mem[256];
	struct pfkey_hdr h = { PF_KEY_V2, SADB_X_SPDADD, 0, 0, 0, 0, 1, 1 };
	struct pfkey_address s = { 255, A("10.77.0.1") };
	struct pfkey_address d = { 255, A("10.77.0.2") };
	struct pfkey_policy pp;
	struct pfkey_msg msg;
	struct spd_policy *sp, *out;
	struct wbuf wb;
	const char *why;

	memset(&pp, 0, sizeof(pp));
	pp.pp_type = IPSEC_POLICY_IPSEC;
	pp.pp_dir = IPSEC_DIR_OUTBOUND;
	pp.pp_nreq = 1;
	pp.pp_req[0].pq_proto = IPPROTO_ESP;
	pp.pp_req[0].pq_mode = IPSEC_MODE_TRANSPORT;
	pp.pp_req[0].pq_level = IPSEC_LEVEL_REQUIRE;
	wbuf_init_fixed(&wb, mem, sizeof(mem));
	pfkey_build_hdr(&wb, &h);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &s);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &d);
	pfkey_put_policy(&wb, &pp);
	ASSERT_INT_EQ(pfkey_build_end(&wb), 0);
	ASSERT_INT_EQ(pfkey_parse(&msg, mem, wbuf_len(&wb)), 0);
	ASSERT_INT_EQ(spd_from_msg(&msg, &sp, &why), 0);
	ASSERT_INT_EQ(spd_add(sp, 0, &out, &why), 0);
	return out;
}

static void
t_acquire(void)
{
	struct spd_policy *sp = out_policy();
	struct addr s = A("10.77.0.1"), d = A("10.77.0.2");
	struct pfkey_address pa;
	struct pfkey_policy pp;
	struct pfkey_comb combs[PFKEY_MAX_COMBS];
	struct pfkey_sa psa;
	struct sad_sa *sa;
	size_t n;
	uint8_t replay;
	uint32_t aseq;

	ASSERT_INT_EQ(request(SADB_REGISTER, ++seq, 0, 0, NULL, 0), 0);
	ASSERT_INT_EQ(pfkey_srv_acquire(sp, 0, &s, &d), 0);
	ASSERT_INT_EQ(pump(), 0);
	ASSERT_INT_EQ(in.pm_hdr.ph_type, SADB_ACQUIRE);
	ASSERT_INT_EQ(in.pm_hdr.ph_satype, SADB_SATYPE_ESP);
	ASSERT_INT_EQ(in.pm_hdr.ph_pid, 0);
	aseq = in.pm_hdr.ph_seq;
	ASSERT_INT_NE(aseq, 0);
	ASSERT_INT_EQ(pfkey_get_address(&in, SADB_EXT_ADDRESS_DST, &pa), 0);
	ASSERT_INT_EQ(addr_cmp_host(&pa.pa_addr, &d), 0);
	ASSERT_INT_EQ(pfkey_get_policy(&in, &pp), 0);
	ASSERT_INT_EQ(pp.pp_id, sp->sp_id);
	ASSERT_INT_EQ(pp.pp_dir, IPSEC_DIR_OUTBOUND);
	ASSERT_INT_EQ(pfkey_get_proposal(&in, &replay, combs, PFKEY_MAX_COMBS,
	    &n), 0);
	ASSERT_TRUE(n > 10);
	ASSERT_INT_EQ(replay, 32);
	/* Pending: no second ACQUIRE, one larval SA. */
	ASSERT_INT_EQ(pfkey_srv_acquire(sp, 0, &s, &d), 1);
	ASSERT_INT_EQ(pump(), 1);
	ASSERT_INT_EQ(sad_count(), 1);
	/* GETSPI with the ACQUIRE's seq fills that SA, UPDATE matures it. */
	ASSERT_INT_EQ(request(SADB_GETSPI, aseq, 0, 0, NULL, 1), 0);
	ASSERT_INT_EQ(pfkey_get_sa(&in, &psa), 0);
	ASSERT_TRUE(psa.ps_spi >= 0x5000 && psa.ps_spi <= 0x5fff);
	ASSERT_INT_EQ(sad_count(), 1);
	ASSERT_INT_EQ(request(SADB_UPDATE, aseq, 0, psa.ps_spi,
	    "0123456789abcdef", 0), 0);
	sa = sad_select(SADB_SATYPE_ESP, &s, &d, IPSEC_MODE_TRANSPORT, 0);
	ASSERT_PTR_NE(sa, NULL);
	ASSERT_INT_EQ(sa->sa_spi, psa.ps_spi);
	ASSERT_INT_EQ(sa->sa_state, SADB_SASTATE_MATURE);
	/* A new ACQUIRE that fails: the user's errno kills the larval SA. */
	ASSERT_INT_EQ(pfkey_srv_acquire(sp, 0, &s, &d), 0);
	ASSERT_INT_EQ(pump(), 0);
	aseq = in.pm_hdr.ph_seq;
	ASSERT_PTR_NE(sad_lookup_acqseq(aseq), NULL);
	ASSERT_INT_EQ(request(SADB_ACQUIRE, aseq, ETIMEDOUT, 0, NULL, 0), -1);
	ASSERT_PTR_EQ(sad_lookup_acqseq(aseq), NULL);
	/* ADD answering a third ACQUIRE replaces its larval SA. */
	ASSERT_INT_EQ(sad_flush(SADB_SATYPE_UNSPEC), 2);
	ASSERT_INT_EQ(pfkey_srv_acquire(sp, 0, &s, &d), 0);
	ASSERT_INT_EQ(pump(), 0);
	aseq = in.pm_hdr.ph_seq;
	ASSERT_INT_EQ(request(SADB_ADD, aseq, 0, 0x6000, "0123456789abcdef",
	    0), 0);
	ASSERT_INT_EQ(sad_count(), 1);
	/* The newer of two SAs for one flow is the one used. */
	ASSERT_INT_EQ(request(SADB_ADD, ++seq, 0, 0x6001, "0123456789abcdef",
	    0), 0);
	sa = sad_select(SADB_SATYPE_ESP, &s, &d, IPSEC_MODE_TRANSPORT, 0);
	ASSERT_INT_EQ(sa->sa_spi, 0x6001);
	ASSERT_INT_EQ(request(SADB_ADD, ++seq, 0, 0x6001, "0123456789abcdef",
	    0), EEXIST);
	sad_shutdown();
	spd_flush();
}

/*
 * NEW_MAPPING in af_key's layout: the SA, its peer and NAT-T port as
 * source, where the packet came from as destination (the client is still
 * registered from t_acquire).
 */
static void
t_new_mapping(void)
{
	struct sad_sa sa;
	struct addr from = A("10.77.0.9");
	struct pfkey_address pa;
	struct pfkey_sa psa;
	uint16_t port;

	memset(&sa, 0, sizeof(sa));
	sa.sa_satype = SADB_SATYPE_ESP;
	sa.sa_spi = 0x7001;
	sa.sa_src = A("10.77.0.2");
	sa.sa_dst = A("10.77.0.1");
	sa.sa_natt_type = 2;
	sa.sa_natt_sport = 4500;
	sa.sa_natt_dport = 4500;
	from.a_port = 4501;
	ASSERT_INT_EQ(pfkey_srv_new_mapping(&sa, &from), 0);
	ASSERT_INT_EQ(pump(), 0);
	ASSERT_INT_EQ(in.pm_hdr.ph_type, SADB_X_NAT_T_NEW_MAPPING);
	ASSERT_INT_EQ(in.pm_hdr.ph_satype, SADB_SATYPE_ESP);
	ASSERT_INT_EQ(in.pm_hdr.ph_pid, 0);
	ASSERT_INT_NE(in.pm_hdr.ph_seq, 0);
	ASSERT_INT_EQ(pfkey_get_sa(&in, &psa), 0);
	ASSERT_INT_EQ(psa.ps_spi, 0x7001);
	ASSERT_INT_EQ(pfkey_get_address(&in, SADB_EXT_ADDRESS_SRC, &pa), 0);
	ASSERT_INT_EQ(addr_cmp_host(&pa.pa_addr, &sa.sa_src), 0);
	ASSERT_INT_EQ(pfkey_get_nat_t_port(&in, SADB_X_EXT_NAT_T_SPORT, &port),
	    0);
	ASSERT_INT_EQ(port, 4500);
	ASSERT_INT_EQ(pfkey_get_address(&in, SADB_EXT_ADDRESS_DST, &pa), 0);
	ASSERT_INT_EQ(addr_cmp_host(&pa.pa_addr, &from), 0);
	ASSERT_INT_EQ(pfkey_get_nat_t_port(&in, SADB_X_EXT_NAT_T_DPORT, &port),
	    0);
	ASSERT_INT_EQ(port, 4501);
}

/* ipsecd refuses peers without CAP_NET_ADMIN, this test's client too. */
static int
have_net_admin(void)
{
	char buf[4096], *p;
	FILE *fp;
	size_t n;
	unsigned long long caps;

	if ((fp = fopen("/proc/self/status", "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if ((p = strstr(buf, "CapEff:")) == NULL ||
	    sscanf(p + 7, "%llx", &caps) != 1)
		return 0;
	return (caps >> 12) & 1;
}

int
main(void)
{
	OSSL_PROVIDER *def;
	char name[64];
	int fd, rc;

	if (!have_net_admin()) {
		printf("test_pfkey_srv: skipped: needs CAP_NET_ADMIN\n");
		return 77;
	}
	log_init("test_pfkey_srv", LOG_DEST_STDERR, 0);
	def = OSSL_PROVIDER_load(NULL, "default");
	(void)snprintf(name, sizeof(name), "@test_pfkey_srv.%d", getpid());
	if ((base = event_base_new()) == NULL ||
	    (fd = pfkey_srv_listen(name)) == -1 ||
	    pfkey_srv_start(base, fd) == -1 ||
	    pfkey_sock_connect(&cl, name) == -1) {
		fprintf(stderr, "test_pfkey_srv: cannot start: %s\n",
		    strerror(errno));
		return 1;
	}
	TEST_RUN(t_acquire);
	TEST_RUN(t_new_mapping);
	pfkey_sock_close(&cl);
	pfkey_srv_stop();
	event_base_free(base);
	rc = test_done();
	OSSL_PROVIDER_unload(def);
	return rc;
}
