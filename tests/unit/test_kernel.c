/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernel.c against a fake kernel: the test listens on an abstract UNIX
 * SEQPACKET socket that IPSECD_SOCKET names, as ipsecd does, reads what
 * racoon's PF_KEY glue sends and answers it with the PF_KEY codec.
 * Start (REGISTER, SPDDUMP), the SPD copy behind ek_policy, ACQUIRE to
 * phase 1, GETSPI, UPDATE and ADD with their mode, reqid, keys and
 * lifetimes (soft at 80%), an ACQUIRE answered by our own ADD, DELETE,
 * the failure ACQUIRE of a failed phase 1, and the reconnection after
 * the kernel interface went away.  generate_policy: the policies made
 * for a roadwarrior, held and released, and the reqid its SAs take.
 * NAT-T: the SAs' NAT_T_TYPE, ports and OA, and
 * SADB_X_NAT_T_NEW_MAPPING followed by UPDATE with the keys kept for
 * it (a new port), never by a new SA (a new address: exchange.c's
 * DELETE to the peer, test_exchange.c).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
#include "pfkey.h"
#include "ph1.h"
#include "ph2.h"
#include "psk.h"
#include "test_helper.h"

static const char conf[] =
    "remote 10.0.0.2 {\n"
    "	exchange_mode main;\n"
    "	proposal {\n"
    "		encryption_algorithm 3des;\n"
    "		hash_algorithm md5;\n"
    "		authentication_method pre_shared_key;\n"
    "		dh_group modp1024;\n"
    "	}\n"
    "}\n"
    "sainfo address 10.0.0.1 any address 10.0.0.2 any {\n"
    "	encryption_algorithm 3des;\n"
    "	authentication_algorithm hmac_md5;\n"
    "	compression_algorithm deflate;\n"
    "}\n";

static struct event_base *base;
static struct exchange_env env;
static struct cfg *cf;
static struct psk *psk;
static int lfd = -1, cfd = -1;
static unsigned nsent;
static uint8_t buf[PFKEY_MSG_MAX];
static char logpath[] = "/tmp/test_kernel.XXXXXX";

static uint64_t
fake_now(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
fake_send(void *arg, const struct addr *local, const struct addr *peer,
    const uint8_t *data, size_t len)
{
	(void)arg;
	(void)local;
	(void)peer;
	(void)data;
	(void)len;
	nsent++;
	return 0;
}

static int
log_has(const char *s)
{
	FILE *f = fopen(logpath, "r");
	char line[4096];
	int found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, s) != NULL;
	fclose(f);
	return found;
}

/* Let racoon's side read what the fake kernel sent. */
static void
spin(void)
{
	int i;

	for (i = 0; i < 4; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

/* The next message racoon sent, parsed into m (views into buf). */
static void
kread(struct pfkey_msg *m)
{
	ssize_t n;

	n = recv(cfd, buf, sizeof(buf), 0);
	ASSERT_TRUE(n > 0);
	ASSERT_INT_EQ(pfkey_parse(m, buf, (size_t)n), 0);
}

static void
kwrite(struct wbuf *wb)
{
	ASSERT_INT_EQ(pfkey_build_end(wb), 0);
	ASSERT_INT_EQ(send(cfd, wbuf_data(wb), wbuf_len(wb), 0),
	    (ssize_t)wbuf_len(wb));
	wbuf_free(wb);
}

static void
host(struct addr *a, const char *s)
{
	const char *why;

	ASSERT_INT_EQ(addr_parse(s, 0, a, &why), 0);
}

static void
start_msg(struct wbuf *wb, uint8_t type, uint8_t satype, uint8_t err,
    uint32_t seq, uint32_t pid)
{
	struct pfkey_hdr h = { PF_KEY_V2, type, err, satype, 0, 0, seq, pid };

	ASSERT_INT_EQ(wbuf_init(wb, 256, PFKEY_MSG_MAX), 0);
	pfkey_build_hdr(wb, &h);
}

/* An SPD entry: hosts src -> dst, one ESP request in mode. */
static void
put_policy(struct wbuf *wb, const char *src, const char *dst, uint8_t dir,
    uint32_t id, uint8_t mode, uint32_t reqid)
{
	struct pfkey_address ps, pd;
	struct pfkey_policy pp;

	host(&ps.pa_addr, src);
	host(&pd.pa_addr, dst);
	ps.pa_proto = pd.pa_proto = IPSEC_ULPROTO_ANY;
	memset(&pp, 0, sizeof(pp));
	pp.pp_type = IPSEC_POLICY_IPSEC;
	pp.pp_dir = dir;
	pp.pp_id = id;
	pp.pp_nreq = 1;
	pp.pp_req[0].pq_proto = IPPROTO_ESP;
	pp.pp_req[0].pq_mode = mode;
	pp.pp_req[0].pq_level = IPSEC_LEVEL_REQUIRE;
	pp.pp_req[0].pq_reqid = reqid;
	pfkey_put_address(wb, SADB_EXT_ADDRESS_SRC, &ps);
	pfkey_put_address(wb, SADB_EXT_ADDRESS_DST, &pd);
	pfkey_put_policy(wb, &pp);
}

/* The kernel's ACQUIRE for policy 9, 10.0.0.1 -> 10.0.0.2. */
static void
put_acquire(uint32_t seq)
{
	struct pfkey_address pa;
	struct pfkey_policy pp;
	struct wbuf wb;

	start_msg(&wb, SADB_ACQUIRE, SADB_SATYPE_ESP, 0, seq, 0);
	pa.pa_proto = 0;
	host(&pa.pa_addr, "10.0.0.1");
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &pa);
	host(&pa.pa_addr, "10.0.0.2");
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &pa);
	memset(&pp, 0, sizeof(pp));
	pp.pp_type = IPSEC_POLICY_IPSEC;
	pp.pp_dir = IPSEC_DIR_OUTBOUND;
	pp.pp_id = 9;
	pfkey_put_policy(&wb, &pp);
	kwrite(&wb);
}

/* How many ACQUIREs racoon took on: its "queued" log lines. */
static int
count_acqs(void)
{
	FILE *f = fopen(logpath, "r");
	char line[4096];
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, "queued due to no phase1 found") != NULL;
	fclose(f);
	return n;
}

static void
kaccept(void)
{
	struct pfkey_msg m;

	ASSERT_TRUE((cfd = accept(lfd, NULL, NULL)) != -1);
	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_REGISTER);
	ASSERT_INT_EQ(m.pm_hdr.ph_satype, SADB_SATYPE_ESP);
	ASSERT_INT_EQ(m.pm_hdr.ph_pid, getpid());
	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_REGISTER);
	ASSERT_INT_EQ(m.pm_hdr.ph_satype, SADB_SATYPE_AH);
	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_X_SPDDUMP);
}

static void
world_up(void)
{
	struct sockaddr_un sun;
	char name[64];
	int n;

	ASSERT_PTR_NE(cf = cfg_load_mem("racoon.conf", conf, strlen(conf),
	    NULL), NULL);
	ASSERT_PTR_NE(psk = psk_parse("psk.txt", "10.0.0.2 k\n", 11, NULL,
	    NULL), NULL);
	n = snprintf(name, sizeof(name), "racoon-test-kernel-%ld",
	    (long)getpid());
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, name, (size_t)n);
	ASSERT_TRUE((lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) != -1);
	ASSERT_INT_EQ(bind(lfd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)), 0);
	ASSERT_INT_EQ(listen(lfd, 4), 0);
	memmove(name + 1, name, (size_t)n + 1);
	name[0] = '@';
	ASSERT_INT_EQ(setenv("IPSECD_SOCKET", name, 1), 0);
	ASSERT_PTR_NE(base = event_base_new(), NULL);
	exchange_env_init(&env, cf, psk);
	env.env_net.en_send = fake_send;
	env.env_clock.ec_now = fake_now;
	ASSERT_INT_EQ(kernel_open(base, &env, 500, NULL), 0);
	kaccept();
}

static void
world_down(void)
{
	exchange_env_clear(&env);
	kernel_close();
	event_base_free(base);
	close(cfd);
	close(lfd);
	cfg_free(cf);
	psk_free(psk);
	unsetenv("IPSECD_SOCKET");
}

static void
sel_host(struct ph2_sel *sel, const char *s)
{
	struct addr a;

	host(&a, s);
	ASSERT_INT_EQ(ph2_sel_host(sel, &a), 0);
}

/* An outbound or inbound SA as phase 2 hands it over. */
static void
xsa_fill(struct exchange_sa *x, int inbound, uint32_t spi,
    const uint8_t *km)
{
	memset(x, 0, sizeof(*x));
	x->xsa_proto = ISAKMP_PROTO_ESP;
	x->xsa_spi = spi;
	x->xsa_inbound = inbound;
	host(&x->xsa_src, inbound ? "10.0.0.2" : "10.0.0.1");
	host(&x->xsa_dst, inbound ? "10.0.0.1" : "10.0.0.2");
	x->xsa_mode = IPSECDOI_MODE_TRANSPORT;
	x->xsa_enc = alg_by_name(ALG_ENC, "3des-cbc");
	x->xsa_enc_bits = 192;
	x->xsa_auth = alg_by_name(ALG_AUTH, "hmac-md5");
	x->xsa_auth_bits = 128;
	x->xsa_keymat = km;
	x->xsa_keymat_len = 40;
	x->xsa_lifetime = 100;
}

static void
t_kernel(void)
{
	struct exchange_kernel *k;
	struct pfkey_msg m;
	struct pfkey_sa sa;
	struct pfkey_sa2 sa2;
	struct pfkey_lifetime lt;
	struct pfkey_key key;
	struct pfkey_address pa;
	struct pfkey_spirange sr;
	struct proposal_policy pol;
	struct ph2_sel l, r;
	struct exchange_sa x;
	struct addr a1, a2;
	struct wbuf wb;
	struct ph1 *ph1;
	uint8_t km[40];
	uint32_t spi = 0;
	size_t i;

	world_up();
	k = &env.env_kernel;
	/* The SPD: out and in policies of the article, then the end. */
	start_msg(&wb, SADB_X_SPDDUMP, 0, 0, 1, getpid());
	put_policy(&wb, "10.0.0.1", "10.0.0.2", IPSEC_DIR_OUTBOUND, 9,
	    IPSEC_MODE_TRANSPORT, 0);
	kwrite(&wb);
	start_msg(&wb, SADB_X_SPDDUMP, 0, 0, 0, getpid());
	put_policy(&wb, "10.0.0.2", "10.0.0.1", IPSEC_DIR_INBOUND, 16,
	    IPSEC_MODE_TRANSPORT, 0);
	kwrite(&wb);
	spin();
	/* ek_policy: what the outbound policy wants, or nothing. */
	sel_host(&l, "10.0.0.1");
	sel_host(&r, "10.0.0.2");
	ASSERT_INT_EQ(k->ek_policy(k->ek_arg, &l, &r, &pol), 0);
	ASSERT_INT_EQ(pol.pol_nproto, 1);
	ASSERT_INT_EQ(pol.pol_proto[0], ISAKMP_PROTO_ESP);
	ASSERT_INT_EQ(pol.pol_mode, IPSECDOI_MODE_TRANSPORT);
	ASSERT_INT_EQ(k->ek_policy(k->ek_arg, &r, &l, &pol), -1);
	ASSERT_TRUE(log_has("no policy found: 10.0.0.2"));

	/* ACQUIRE for policy 9: phase 1 starts, message 1 goes out. */
	put_acquire(7);
	spin();
	ASSERT_TRUE(log_has("IPsec-SA request for 10.0.0.2 queued due to "
	    "no phase1 found."));
	ASSERT_PTR_NE(ph1 = TAILQ_FIRST(&env.env_ph1s), NULL);
	ASSERT_INT_EQ(ph1->ph1_local.a_port, 500);
	ASSERT_INT_EQ(nsent, 1);

	/* GETSPI: a request, answered later by seq. */
	host(&a1, "10.0.0.2");
	host(&a2, "10.0.0.1");
	ASSERT_INT_EQ(k->ek_getspi(k->ek_arg, 1, 0, ISAKMP_PROTO_ESP, &a1,
	    &a2, &spi), 1);
	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_GETSPI);
	ASSERT_INT_EQ(m.pm_hdr.ph_satype, SADB_SATYPE_ESP);
	ASSERT_INT_EQ(pfkey_get_address(&m, SADB_EXT_ADDRESS_DST, &pa), 0);
	ASSERT_INT_EQ(addr_cmp_host(&pa.pa_addr, &a2), 0);
	ASSERT_INT_EQ(pfkey_get_spirange(&m, &sr), 0);
	ASSERT_TRUE(sr.pr_min >= 256 && sr.pr_max > sr.pr_min);

	/* UPDATE for the inbound SA, ADD for the outbound one. */
	for (i = 0; i < sizeof(km); i++)
		km[i] = (uint8_t)i;
	xsa_fill(&x, 1, 0x1111, km);
	ASSERT_INT_EQ(k->ek_install(k->ek_arg, &x), 0);
	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_UPDATE);
	xsa_fill(&x, 0, 0x2222, km);
	ASSERT_INT_EQ(k->ek_install(k->ek_arg, &x), 0);
	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_ADD);
	ASSERT_INT_EQ(m.pm_hdr.ph_satype, SADB_SATYPE_ESP);
	ASSERT_INT_EQ(pfkey_get_sa(&m, &sa), 0);
	ASSERT_INT_EQ(sa.ps_spi, 0x2222);
	ASSERT_INT_EQ(sa.ps_encrypt, SADB_EALG_3DESCBC);
	ASSERT_INT_EQ(sa.ps_auth, SADB_AALG_MD5HMAC);
	ASSERT_INT_EQ(sa.ps_state, SADB_SASTATE_MATURE);
	ASSERT_INT_EQ(pfkey_get_sa2(&m, &sa2), 0);
	ASSERT_INT_EQ(sa2.p2_mode, IPSEC_MODE_TRANSPORT);
	ASSERT_INT_EQ(sa2.p2_reqid, 0);
	ASSERT_INT_EQ(pfkey_get_lifetime(&m, SADB_EXT_LIFETIME_HARD, &lt), 0);
	ASSERT_U64_EQ(lt.pl_addtime, 100);
	ASSERT_INT_EQ(pfkey_get_lifetime(&m, SADB_EXT_LIFETIME_SOFT, &lt), 0);
	ASSERT_U64_EQ(lt.pl_addtime, 80);
	ASSERT_INT_EQ(pfkey_get_key(&m, SADB_EXT_KEY_ENCRYPT, &key), 0);
	ASSERT_INT_EQ(key.pk_bits, 192);
	ASSERT_MEM_EQ(key.pk_data, km, 24);
	ASSERT_INT_EQ(pfkey_get_key(&m, SADB_EXT_KEY_AUTH, &key), 0);
	ASSERT_INT_EQ(key.pk_bits, 128);
	ASSERT_MEM_EQ(key.pk_data, km + 24, 16);

	/* An ACQUIRE that crossed our ADD starts nothing more. */
	put_acquire(8);
	spin();
	ASSERT_INT_EQ(nsent, 1);
	ASSERT_INT_EQ(count_acqs(), 1);
	/* setkey -F: our SAs are gone, and the next ACQUIRE is one. */
	start_msg(&wb, SADB_FLUSH, SADB_SATYPE_UNSPEC, 0, 1, 4242);
	kwrite(&wb);
	put_acquire(9);
	spin();
	ASSERT_INT_EQ(count_acqs(), 2);

	/* The peer deleted the pair: DELETE for the outbound SA. */
	ASSERT_INT_EQ(k->ek_delete(k->ek_arg, ISAKMP_PROTO_ESP, 0x2222, &a2,
	    &a1), 0);
	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_DELETE);
	ASSERT_INT_EQ(pfkey_get_sa(&m, &sa), 0);
	ASSERT_INT_EQ(sa.ps_spi, 0x2222);
	/* Shutdown: nothing of ours is left after the flush. */
	kernel_delete_ours();
	ASSERT_INT_EQ(kernel_pending(), 1);
	start_msg(&wb, SADB_DELETE, SADB_SATYPE_ESP, 0, 99, getpid());
	kwrite(&wb);
	spin();
	ASSERT_INT_EQ(kernel_pending(), 0);

	/* Phase 1 fails: the kernel hears of both ACQUIREs, with errno. */
	ph1_fail(ph1, "test");
	for (i = 7; i <= 9; i += 2) {
		kread(&m);
		ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_ACQUIRE);
		ASSERT_INT_EQ(m.pm_hdr.ph_seq, i);
		ASSERT_INT_EQ(m.pm_hdr.ph_errno, ETIMEDOUT);
		ASSERT_INT_EQ(m.pm_present, 0);
	}

	/* The kernel goes away; racoon comes back within a second or so. */
	close(cfd);
	spin();
	ASSERT_TRUE(log_has("closed the connection"));
	ASSERT_INT_EQ(kernel_pending(), 0);
	{
		struct timeval tv = { 1, 300000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	kaccept();
	ASSERT_TRUE(log_has("PF_KEY: reconnected"));
	world_down();
}

/* One generated policy as racoon sent it with X_SPDUPDATE. */
static void
gen_check(uint8_t type, uint8_t dir, const char *src, const char *dst,
    uint8_t splen, const char *tsrc, const char *tdst)
{
	struct pfkey_msg m;
	struct pfkey_policy pp;
	struct pfkey_address pa;
	struct addr a;

	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, type);
	ASSERT_INT_EQ(pfkey_get_policy(&m, &pp), 0);
	ASSERT_INT_EQ(pp.pp_dir, dir);
	ASSERT_INT_EQ(pp.pp_type, IPSEC_POLICY_IPSEC);
	ASSERT_INT_EQ(pp.pp_nreq, 1);
	ASSERT_INT_EQ(pp.pp_req[0].pq_proto, IPPROTO_ESP);
	ASSERT_INT_EQ(pp.pp_req[0].pq_mode, IPSEC_MODE_TUNNEL);
	ASSERT_INT_EQ(pp.pp_req[0].pq_level, IPSEC_LEVEL_UNIQUE);
	/* The top of the manual range: the kernel keeps it. */
	ASSERT_INT_EQ(pp.pp_req[0].pq_reqid, IPSEC_MANUAL_REQID_MAX);
	host(&a, tsrc);
	ASSERT_INT_EQ(addr_cmp_host(&pp.pp_req[0].pq_src, &a), 0);
	host(&a, tdst);
	ASSERT_INT_EQ(addr_cmp_host(&pp.pp_req[0].pq_dst, &a), 0);
	ASSERT_INT_EQ(pfkey_get_address(&m, SADB_EXT_ADDRESS_SRC, &pa), 0);
	host(&a, src);
	ASSERT_INT_EQ(addr_cmp_host(&pa.pa_addr, &a), 0);
	ASSERT_INT_EQ(pa.pa_addr.a_plen, dir == IPSEC_DIR_OUTBOUND ? splen :
	    32);
	ASSERT_INT_EQ(pa.pa_proto, IPSEC_ULPROTO_ANY);
	ASSERT_INT_EQ(pfkey_get_address(&m, SADB_EXT_ADDRESS_DST, &pa), 0);
	host(&a, dst);
	ASSERT_INT_EQ(addr_cmp_host(&pa.pa_addr, &a), 0);
}

/* The out, in and fwd policies of the tunnel below, in that order. */
static void
gen_check3(uint8_t type)
{
	gen_check(type, IPSEC_DIR_OUTBOUND, "10.0.1.0", "10.0.0.2", 24,
	    "10.0.0.1", "10.0.0.2");
	gen_check(type, IPSEC_DIR_INBOUND, "10.0.0.2", "10.0.1.0", 24,
	    "10.0.0.2", "10.0.0.1");
	gen_check(type, IPSEC_DIR_FWD, "10.0.0.2", "10.0.1.0", 24,
	    "10.0.0.2", "10.0.0.1");
}

/* Nothing more from racoon. */
static int
kquiet(void)
{
	return recv(cfd, buf, sizeof(buf), MSG_DONTWAIT) == -1 &&
	    errno == EAGAIN;
}

/*
 * A roadwarrior's tunnel, 10.0.0.2 to our LAN 10.0.1.0/24, no policy:
 * the first hold installs out, in and fwd with the tunnel ends and one
 * reqid, a second (a rekey) sends nothing, the SAs take the reqid, and
 * only the last release deletes the three.  Shutdown deletes what is
 * held.
 */
static void
t_genpolicy(void)
{
	struct exchange_kernel *k;
	struct proposal_policy pol, got;
	struct ph2_sel l, r;
	struct exchange_sa x;
	struct pfkey_msg m;
	struct pfkey_sa2 sa2;
	struct addr me, peer;
	uint8_t km[40];
	int i;

	world_up();
	k = &env.env_kernel;
	memset(km, 7, sizeof(km));
	sel_host(&r, "10.0.0.2");
	memset(&l, 0, sizeof(l));
	l.sel_type = IPSECDOI_ID_IPV4_ADDR_SUBNET;
	host(&l.sel_addr, "10.0.1.0");
	l.sel_addr.a_plen = 24;
	host(&me, "10.0.0.1");
	host(&peer, "10.0.0.2");
	memset(&pol, 0, sizeof(pol));
	pol.pol_proto[0] = ISAKMP_PROTO_ESP;
	pol.pol_nproto = 1;
	pol.pol_mode = IPSECDOI_MODE_TUNNEL;
	ASSERT_INT_EQ(k->ek_policy(k->ek_arg, &l, &r, &got), -1);
	ASSERT_INT_EQ(k->ek_genpolicy(k->ek_arg, 1, &l, &r, &pol, &me,
	    &peer, 1), 0);
	gen_check3(SADB_X_SPDUPDATE);
	ASSERT_TRUE(log_has("installed the generated policy: 10.0.1.0/24[0] "
	    "10.0.0.2/32[0] proto=any dir=out"));
	/* Ours: a phase 2 for the same IDs finds it and holds it too. */
	ASSERT_INT_EQ(k->ek_policy(k->ek_arg, &l, &r, &got), 1);
	ASSERT_INT_EQ(got.pol_mode, IPSECDOI_MODE_TUNNEL);
	ASSERT_INT_EQ(k->ek_genpolicy(k->ek_arg, 1, &l, &r, &pol, &me,
	    &peer, 1), 0);
	ASSERT_TRUE(kquiet());
	/* The SAs of the tunnel carry the policies' reqid. */
	xsa_fill(&x, 1, 0x3333, km);
	x.xsa_mode = IPSECDOI_MODE_TUNNEL;
	ASSERT_INT_EQ(k->ek_install(k->ek_arg, &x), 0);
	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_UPDATE);
	ASSERT_INT_EQ(pfkey_get_sa2(&m, &sa2), 0);
	ASSERT_INT_EQ(sa2.p2_mode, IPSEC_MODE_TUNNEL);
	ASSERT_INT_EQ(sa2.p2_reqid, IPSEC_MANUAL_REQID_MAX);
	/* The first release keeps them, the second deletes all three. */
	ASSERT_INT_EQ(k->ek_genpolicy(k->ek_arg, 0, &l, &r, &pol, &me,
	    &peer, 1), 0);
	ASSERT_TRUE(kquiet());
	ASSERT_INT_EQ(k->ek_genpolicy(k->ek_arg, 0, &l, &r, &pol, &me,
	    &peer, 1), 0);
	gen_check3(SADB_X_SPDDELETE);
	ASSERT_INT_EQ(k->ek_policy(k->ek_arg, &l, &r, &got), -1);
	/* Held at shutdown: deleted with our SAs, answers awaited. */
	ASSERT_INT_EQ(k->ek_genpolicy(k->ek_arg, 1, &l, &r, &pol, &me,
	    &peer, 0), 0);
	for (i = 0; i < 3; i++) {
		kread(&m);
		ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_X_SPDUPDATE);
	}
	ASSERT_INT_EQ(kernel_pending(), 3);	/* the release's deletes */
	kernel_delete_ours();
	for (i = 0; i < 3; i++) {
		kread(&m);
		/* Our inbound SA first, then the three policies. */
		if (m.pm_hdr.ph_type == SADB_DELETE)
			kread(&m);
		ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_X_SPDDELETE);
	}
	ASSERT_INT_EQ(kernel_pending(), 7);
	ASSERT_TRUE(kquiet());
	world_down();
}

/* The kernel's NEW_MAPPING for spi: the peer moved from to to. */
static void
put_newmap(uint32_t spi, const char *from, uint16_t sport, const char *to,
    uint16_t dport)
{
	struct pfkey_sa sa;
	struct pfkey_address pa;
	struct wbuf wb;

	start_msg(&wb, SADB_X_NAT_T_NEW_MAPPING, SADB_SATYPE_ESP, 0, 5, 0);
	memset(&sa, 0, sizeof(sa));
	sa.ps_spi = spi;
	pfkey_put_sa(&wb, &sa);
	pa.pa_proto = 0;
	host(&pa.pa_addr, from);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &pa);
	pfkey_put_nat_t_port(&wb, SADB_X_EXT_NAT_T_SPORT, sport);
	host(&pa.pa_addr, to);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &pa);
	pfkey_put_nat_t_port(&wb, SADB_X_EXT_NAT_T_DPORT, dport);
	kwrite(&wb);
}

/* An UPDATE/ADD/DELETE of spi with its NAT-T ports and addresses. */
static void
expect_sa(uint8_t type, uint32_t spi, const char *src, uint16_t sport,
    const char *dst, uint16_t dport, const uint8_t *km)
{
	struct pfkey_msg m;
	struct pfkey_sa sa;
	struct pfkey_address pa;
	struct pfkey_key key;
	struct addr a;
	uint16_t port;
	uint8_t t;

	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, type);
	ASSERT_INT_EQ(pfkey_get_sa(&m, &sa), 0);
	ASSERT_INT_EQ(sa.ps_spi, spi);
	ASSERT_INT_EQ(pfkey_get_address(&m, SADB_EXT_ADDRESS_SRC, &pa), 0);
	host(&a, src);
	ASSERT_INT_EQ(addr_cmp_host(&pa.pa_addr, &a), 0);
	ASSERT_INT_EQ(pfkey_get_address(&m, SADB_EXT_ADDRESS_DST, &pa), 0);
	host(&a, dst);
	ASSERT_INT_EQ(addr_cmp_host(&pa.pa_addr, &a), 0);
	if (type == SADB_DELETE)
		return;
	ASSERT_INT_EQ(pfkey_get_nat_t_type(&m, &t), 0);
	ASSERT_INT_EQ(t, UDP_ENCAP_ESPINUDP);
	ASSERT_INT_EQ(pfkey_get_nat_t_port(&m, SADB_X_EXT_NAT_T_SPORT,
	    &port), 0);
	ASSERT_INT_EQ(port, sport);
	ASSERT_INT_EQ(pfkey_get_nat_t_port(&m, SADB_X_EXT_NAT_T_DPORT,
	    &port), 0);
	ASSERT_INT_EQ(port, dport);
	ASSERT_INT_EQ(pfkey_get_key(&m, SADB_EXT_KEY_ENCRYPT, &key), 0);
	ASSERT_MEM_EQ(key.pk_data, km, 24);
}

static void
t_kernel_natt(void)
{
	struct exchange_kernel *k;
	struct exchange_sa x;
	struct pfkey_msg m;
	struct pfkey_address pa;
	struct addr oa;
	uint8_t km[40];
	size_t i;

	world_up();
	k = &env.env_kernel;
	for (i = 0; i < sizeof(km); i++)
		km[i] = (uint8_t)(0x40 + i);
	/* The pair with a peer behind a NAT, 10.0.0.2 port 4501. */
	xsa_fill(&x, 1, 0x3333, km);
	x.xsa_natt = 1;
	x.xsa_src.a_port = 4501;
	x.xsa_dst.a_port = 4500;
	x.xsa_has_oa = 1;
	host(&x.xsa_oa, "192.168.1.7");
	ASSERT_INT_EQ(k->ek_install(k->ek_arg, &x), 0);
	kread(&m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_UPDATE);
	ASSERT_INT_EQ(pfkey_get_address(&m, SADB_X_EXT_NAT_T_OA, &pa), 0);
	host(&oa, "192.168.1.7");
	ASSERT_INT_EQ(addr_cmp_host(&pa.pa_addr, &oa), 0);
	xsa_fill(&x, 0, 0x4444, km);
	x.xsa_natt = 1;
	x.xsa_src.a_port = 4500;
	x.xsa_dst.a_port = 4501;
	ASSERT_INT_EQ(k->ek_install(k->ek_arg, &x), 0);
	expect_sa(SADB_ADD, 0x4444, "10.0.0.1", 4500, "10.0.0.2", 4501, km);

	/* A mapping for an SPI not ours, or of another port: nothing. */
	put_newmap(0x9999, "10.0.0.2", 4501, "10.0.0.2", 7000);
	put_newmap(0x3333, "10.0.0.2", 4999, "10.0.0.2", 7000);
	spin();
	/* The NAT moved the peer to port 7000: UPDATE both, keys kept. */
	put_newmap(0x3333, "10.0.0.2", 4501, "10.0.0.2", 7000);
	spin();
	ASSERT_TRUE(log_has("NAT-T: peer 10.0.0.2[4501] moved to "
	    "10.0.0.2[7000]"));
	expect_sa(SADB_UPDATE, 0x3333, "10.0.0.2", 7000, "10.0.0.1", 4500,
	    km);
	expect_sa(SADB_UPDATE, 0x4444, "10.0.0.1", 4500, "10.0.0.2", 7000,
	    km);
	/* Reported again for the port now installed: nothing more. */
	put_newmap(0x3333, "10.0.0.2", 4501, "10.0.0.2", 7000);
	spin();
	/*
	 * A new address: no SA is moved or added again (its sequence
	 * numbers would start over); without a phase 1 nothing is sent.
	 */
	put_newmap(0x3333, "10.0.0.2", 7000, "10.0.0.3", 7001);
	spin();
	ASSERT_TRUE(kquiet());
	/* Malformed: no ports. */
	{
		struct wbuf wb;

		start_msg(&wb, SADB_X_NAT_T_NEW_MAPPING, SADB_SATYPE_ESP, 0,
		    6, 0);
		kwrite(&wb);
	}
	spin();
	ASSERT_TRUE(log_has("X_NAT_T_NEW_MAPPING without SA, addresses or "
	    "ports dropped"));
	world_down();
}

int
main(void)
{
	int fd;

	if ((fd = mkstemp(logpath)) == -1 || log_open_file(logpath) == -1)
		return 1;
	close(fd);
	log_init("test_kernel", LOG_DEST_FILE, 1);
	TEST_RUN(t_kernel);
	TEST_RUN(t_genpolicy);
	TEST_RUN(t_kernel_natt);
	unlink(logpath);
	return test_done();
}
