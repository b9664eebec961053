/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Exchange tests: an initiator and a responder in one process, each with
 * its own racoon.conf, psk.txt and env, messages passed one at a time
 * through a fake transport, SPIs and finished SAs through a fake kernel,
 * time through a fake clock (strongSwan's exchange_test_helper is the
 * model).  Main Mode + Quick Mode with MODP and ECP groups, with and
 * without PFS, ESP, AH+ESP, tunnel and transport, subnet and range IDs,
 * several proposals, every proposal_check, RESPONDER-LIFETIME, a wrong
 * pre-shared key, disjoint proposals, duplicates and retransmission;
 * NAT traversal through a simulated NAT in front of the initiator (or
 * forced without one): detection, the float to 4500, UDP modes, NAT-OA,
 * keepalives, a new mapping, NAT-D and vendor IDs of wrong lengths.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "addr.h"
#include "cfg.h"
#include "dh.h"
#include "dpd.h"
#include "exchange.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "natt.h"
#include "ph1.h"
#include "ph2.h"
#include "proposal.h"
#include "psk.h"
#include "test_helper.h"

#define MAXQ	64
#define MAXSA	8

struct sa_copy {
	struct exchange_sa sc_sa;
	uint8_t		 sc_key[256];
};

struct side {
	struct cfg	*cfg;
	struct psk	*psk;
	struct exchange_env env;
	struct addr	 addr;
	struct sa_copy	 sas[MAXSA];
	int		 nsa;
	uint32_t	 next_spi;
	struct proposal_policy policy;
	int		 no_policy;
	int		 spi_late;	/* answer GETSPI later */
	/* Events heard. */
	int		 ph1_up, ph1_down, ph2_ok, ph2_failed, ph1_dead;
	uint32_t	 owed_id[4];	/* the late answers owed */
	size_t		 owed_idx[4];
	int		 nowed;
	int		 nka;		/* NAT-T keepalives sent */
	struct addr	 ka_peer;
	/* generate_policy: holds and releases (ek_genpolicy). */
	int		 gen_hold, gen_release, gen_unique;
	struct proposal_policy gen_pol;
	/* SAs the peer's DELETE removed (ek_delete). */
	int		 ndel;
	uint8_t		 del_proto[4];
	uint32_t	 del_spi[4];
};

struct msg {
	uint8_t		*data;
	size_t		 len;
	int		 to;
	struct addr	 local;		/* as the sender sent it */
	struct addr	 peer;
};

/*
 * A NAT in front of the initiator (nat_on): what the responder sees
 * comes from NAT_ADDR, port + NAT_SHIFT; answers are mapped back.
 */
#define NAT_ADDR	"10.9.9.9"
#define NAT_SHIFT	10000
static int		 nat_on;
static uint16_t		 nat_shift = NAT_SHIFT;	/* the NAT's mapping */
/* Blank these vendor IDs on the way to the responder: an older peer. */
static int		 natt_hide_rfc;
static struct addr	 nat_addr;

static struct side	 S[2];		/* 0: initiator, 1: responder */
static struct msg	 Q[MAXQ];
static int		 nq;
static uint64_t		 now_ms = 1000000;
static unsigned		 sent[2];
static char		 logpath[] = "/tmp/test_exchange.XXXXXX";

#define I	(&S[0])
#define R	(&S[1])

static uint64_t
fake_now(void *arg)
{
	(void)arg;
	return now_ms;
}

static int
fake_send(void *arg, const struct addr *local, const struct addr *peer,
    const uint8_t *data, size_t len)
{
	struct side *s = arg;

	if (nq == MAXQ)
		return -1;
	Q[nq].local = *local;
	Q[nq].peer = *peer;
	Q[nq].data = malloc(len);
	memcpy(Q[nq].data, data, len);
	Q[nq].len = len;
	Q[nq].to = s == I ? 1 : 0;
	sent[s == I ? 0 : 1]++;
	nq++;
	return 0;
}

static int
fake_keepalive(void *arg, const struct addr *local, const struct addr *peer)
{
	struct side *s = arg;

	(void)local;
	s->nka++;
	s->ka_peer = *peer;
	return 0;
}

static int
fake_getspi(void *arg, uint32_t id, size_t idx, uint8_t proto,
    const struct addr *src, const struct addr *dst, uint32_t *spi)
{
	struct side *s = arg;

	(void)proto;
	(void)src;
	(void)dst;
	if (s->spi_late && s->nowed < 4) {
		s->owed_id[s->nowed] = id;
		s->owed_idx[s->nowed++] = idx;
		return 1;
	}
	*spi = s->next_spi++;
	return 0;
}

/* The kernel answers what it owes (spi 0: a failure). */
static void
pay_spis(struct side *s, int fail)
{
	int i;

	for (i = 0; i < s->nowed; i++)
		exchange_spi(&s->env, s->owed_id[i], s->owed_idx[i],
		    fail ? 0 : s->next_spi++);
	s->nowed = 0;
}

static int
fake_install(void *arg, const struct exchange_sa *xsa)
{
	struct side *s = arg;
	struct sa_copy *c;

	if (s->nsa == MAXSA || xsa->xsa_keymat_len > sizeof(c->sc_key))
		return -1;
	c = &s->sas[s->nsa++];
	c->sc_sa = *xsa;
	memcpy(c->sc_key, xsa->xsa_keymat, xsa->xsa_keymat_len);
	c->sc_sa.xsa_keymat = c->sc_key;
	return 0;
}

static int
fake_delete(void *arg, uint8_t proto, uint32_t spi, const struct addr *src,
    const struct addr *dst)
{
	struct side *s = arg;

	(void)src;
	(void)dst;
	if (s->ndel < 4) {
		s->del_proto[s->ndel] = proto;
		s->del_spi[s->ndel] = spi;
	}
	s->ndel++;
	return 0;
}

static int
fake_policy(void *arg, const struct ph2_sel *l, const struct ph2_sel *r,
    struct proposal_policy *pol)
{
	struct side *s = arg;

	(void)l;
	(void)r;
	if (s->no_policy)
		return -1;
	*pol = s->policy;
	return 0;
}

static int
fake_genpolicy(void *arg, int hold, const struct ph2_sel *l,
    const struct ph2_sel *r, const struct proposal_policy *pol,
    const struct addr *me, const struct addr *peer, int unique)
{
	struct side *s = arg;

	(void)l;
	(void)r;
	(void)me;
	(void)peer;
	if (hold) {
		s->gen_hold++;
		s->gen_pol = *pol;
		s->gen_unique = unique;
	} else
		s->gen_release++;
	return 0;
}

static void
ev_ph1_up(void *arg, struct ph1 *ph1)
{
	struct side *s = arg;

	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	s->ph1_up++;
}

static void
ev_ph1_down(void *arg, struct ph1 *ph1)
{
	struct side *s = arg;

	ASSERT_TRUE(ph1->ph1_state == PH1_S_FAILED ||
	    ph1->ph1_state == PH1_S_EXPIRED);
	s->ph1_down++;
}

static void
ev_ph1_dead(void *arg, struct ph1 *ph1)
{
	struct side *s = arg;

	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	s->ph1_dead++;
}

static void
ev_ph2_done(void *arg, struct ph2 *ph2, int ok)
{
	struct side *s = arg;

	ASSERT_INT_EQ(ph2->ph2_state, ok ? PH2_S_ESTABLISHED : PH2_S_FAILED);
	if (ok)
		s->ph2_ok++;
	else
		s->ph2_failed++;
}

static void
diag(void *arg, int err, const char *msg)
{
	(void)arg;
	if (err)
		fprintf(stderr, "config: %s\n", msg);
}

static void
side_up(struct side *s, const char *ip, const char *conf, const char *psk,
    uint32_t spi)
{
	const char *why;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg_load_mem("racoon.conf", conf, strlen(conf), NULL);
	ASSERT_PTR_NE(s->cfg, NULL);
	s->psk = psk_parse("psk.txt", psk, strlen(psk), diag, NULL);
	ASSERT_PTR_NE(s->psk, NULL);
	ASSERT_INT_EQ(addr_parse(ip, 0, &s->addr, &why), 0);
	s->addr.a_port = 500;
	exchange_env_init(&s->env, s->cfg, s->psk);
	s->env.env_net.en_send = fake_send;
	s->env.env_net.en_keepalive = fake_keepalive;
	s->env.env_net.en_arg = s;
	s->env.env_kernel.ek_getspi = fake_getspi;
	s->env.env_kernel.ek_install = fake_install;
	s->env.env_kernel.ek_policy = fake_policy;
	s->env.env_kernel.ek_delete = fake_delete;
	s->env.env_kernel.ek_genpolicy = fake_genpolicy;
	s->env.env_kernel.ek_arg = s;
	s->env.env_clock.ec_now = fake_now;
	s->env.env_events.ev_ph1_up = ev_ph1_up;
	s->env.env_events.ev_ph1_down = ev_ph1_down;
	s->env.env_events.ev_ph2_done = ev_ph2_done;
	s->env.env_events.ev_ph1_dead = ev_ph1_dead;
	s->env.env_events.ev_arg = s;
	s->next_spi = spi;
	s->policy.pol_proto[0] = ISAKMP_PROTO_ESP;
	s->policy.pol_nproto = 1;
	s->policy.pol_mode = IPSECDOI_MODE_TRANSPORT;
}

static void
queue_clear(void)
{
	int i;

	for (i = 0; i < nq; i++)
		free(Q[i].data);
	nq = 0;
}

static void
world_down(void)
{
	int i;

	queue_clear();
	for (i = 0; i < 2; i++) {
		exchange_env_clear(&S[i].env);
		cfg_free(S[i].cfg);
		psk_free(S[i].psk);
		memset(&S[i], 0, sizeof(S[i]));
	}
	sent[0] = sent[1] = 0;
}

/* Zero the RFC 3947 and draft-03 vendor IDs in a message. */
static void
natt_blank(uint8_t *d, size_t len)
{
	enum natt_version v[] = { NATT_RFC, NATT_DRAFT03 };
	size_t i, k;

	for (k = 0; k < 2; k++)
		for (i = 0; i + NATT_VID_LEN <= len; i++)
			if (memcmp(d + i, natt_vid(v[k]), NATT_VID_LEN) == 0)
				memset(d + i, 0, NATT_VID_LEN);
}

/* Deliver the oldest message; 0 if none was queued. */
static int
pump_one(void)
{
	struct msg m;
	struct addr from, to;

	if (nq == 0)
		return 0;
	m = Q[0];
	memmove(Q, Q + 1, sizeof(Q[0]) * (size_t)--nq);
	if (natt_hide_rfc && m.to == 1)
		natt_blank(m.data, m.len);
	if (!nat_on)
		exchange_input(&S[m.to].env, &m.peer, &m.local, m.data,
		    m.len);
	else if (m.to == 1) {
		/* Out through the NAT: the source is rewritten. */
		from = nat_addr;
		from.a_port = (uint16_t)(m.local.a_port + nat_shift);
		exchange_input(&R->env, &m.peer, &from, m.data, m.len);
	} else {
		/* Back through it: to the initiator's own port. */
		to = I->addr;
		to.a_port = (uint16_t)(m.peer.a_port - nat_shift);
		exchange_input(&I->env, &to, &m.local, m.data, m.len);
	}
	free(m.data);
	return 1;
}

/* Drop the oldest message (lost on the wire). */
static void
drop_one(void)
{
	ASSERT_TRUE(nq > 0);
	free(Q[0].data);
	memmove(Q, Q + 1, sizeof(Q[0]) * (size_t)--nq);
}

static int
pump(void)
{
	int n = 0;

	while (pump_one())
		n++;
	return n;
}

/* 1 if the log holds s since the last log_reset(). */
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

static void
log_reset(void)
{
	ASSERT_INT_EQ(truncate(logpath, 0), 0);
}

static struct ph1 *
first_ph1(struct side *s)
{
	return TAILQ_FIRST(&s->env.env_ph1s);
}

static struct ph1 *
start_ph1(void)
{
	const struct cfg_remote *rm = cfg_remote_by_name(I->cfg, "10.0.0.2");

	ASSERT_PTR_NE(rm, NULL);
	return ph1_main_start(&I->env, rm, &I->addr, &R->addr);
}

static void
sel(struct ph2_sel *s, uint8_t type, const char *a, const char *end)
{
	const char *why;

	memset(s, 0, sizeof(*s));
	s->sel_type = type;
	ASSERT_INT_EQ(addr_parse(a, ADDR_PREFIX, &s->sel_addr, &why), 0);
	if (end != NULL)
		ASSERT_INT_EQ(addr_parse(end, 0, &s->sel_end, &why), 0);
}

static struct ph2 *
start_ph2_hosts(struct ph1 *ph1)
{
	struct ph2_sel l, r;

	sel(&l, IPSECDOI_ID_IPV4_ADDR, "10.0.0.1", NULL);
	sel(&r, IPSECDOI_ID_IPV4_ADDR, "10.0.0.2", NULL);
	return ph2_quick_start(ph1, &l, &r, &I->policy);
}

/* The SA with this SPI and direction on a side, or NULL. */
static const struct exchange_sa *
find_sa(const struct side *s, uint32_t spi, int inbound)
{
	int i;

	for (i = 0; i < s->nsa; i++)
		if (s->sas[i].sc_sa.xsa_spi == spi &&
		    s->sas[i].sc_sa.xsa_inbound == inbound)
			return &s->sas[i].sc_sa;
	return NULL;
}

/*
 * Every SA one side sends with is the SA the other receives with: same
 * SPI, protocol, algorithms, mode, lifetime and KEYMAT.
 */
static void
assert_sas_pair(int expect_per_side)
{
	const struct exchange_sa *a, *b;
	int k, i;

	ASSERT_INT_EQ(I->nsa, expect_per_side);
	ASSERT_INT_EQ(R->nsa, expect_per_side);
	for (k = 0; k < 2; k++)
		for (i = 0; i < S[k].nsa; i++) {
			a = &S[k].sas[i].sc_sa;
			b = find_sa(&S[1 - k], a->xsa_spi, !a->xsa_inbound);
			ASSERT_PTR_NE(b, NULL);
			ASSERT_INT_EQ(a->xsa_proto, b->xsa_proto);
			ASSERT_INT_EQ(a->xsa_mode, b->xsa_mode);
			ASSERT_PTR_EQ(a->xsa_enc, b->xsa_enc);
			ASSERT_PTR_EQ(a->xsa_auth, b->xsa_auth);
			ASSERT_INT_EQ(a->xsa_lifetime, b->xsa_lifetime);
			ASSERT_INT_EQ(a->xsa_keymat_len, b->xsa_keymat_len);
			ASSERT_INT_EQ(a->xsa_keymat_len,
			    (a->xsa_enc_bits + a->xsa_auth_bits) / 8);
			ASSERT_TRUE(a->xsa_keymat_len > 0);
			ASSERT_MEM_EQ(a->xsa_keymat, b->xsa_keymat,
			    a->xsa_keymat_len);
			if (!nat_on)
				ASSERT_INT_EQ(addr_cmp(&a->xsa_src,
				    &b->xsa_src), 0);
		}
	/* The two directions' keys differ (the SPIs differ). */
	ASSERT_TRUE(memcmp(I->sas[0].sc_key, I->sas[1].sc_key,
	    I->sas[0].sc_sa.xsa_keymat_len) != 0);
}

static const char psk_i[] = "10.0.0.2\tsimple psk\n";
static const char psk_r[] = "10.0.0.1 simple psk\n";

/* The article's racoon.conf, on our addresses. */
static const char conf_article_i[] =
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
    "	pfs_group modp1024;\n"
    "	encryption_algorithm 3des;\n"
    "	authentication_algorithm hmac_md5;\n"
    "	compression_algorithm deflate;\n"
    "}\n";
static const char conf_article_r[] =
    "remote 10.0.0.1 {\n"
    "	exchange_mode main;\n"
    "	proposal {\n"
    "		encryption_algorithm 3des;\n"
    "		hash_algorithm md5;\n"
    "		authentication_method pre_shared_key;\n"
    "		dh_group modp1024;\n"
    "	}\n"
    "}\n"
    "sainfo address 10.0.0.2 any address 10.0.0.1 any {\n"
    "	pfs_group modp1024;\n"
    "	encryption_algorithm 3des;\n"
    "	authentication_algorithm hmac_md5;\n"
    "	compression_algorithm deflate;\n"
    "}\n";

static void
t_article_modp_pfs(void)
{
	struct ph1 *ph1;
	struct ph2 *ph2;
	int n;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	n = pump();
	ASSERT_INT_EQ(n, 6);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_INT_EQ(first_ph1(R)->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_PTR_EQ(ph1->ph1_prop.p1_enc, alg_by_cfgname(ALG_IKE_ENC,
	    "3des"));
	/* Same keys, same phase 1 IV at the end of Main Mode. */
	ASSERT_MEM_EQ(ph1->ph1_keys.ik_skeyid_d,
	    first_ph1(R)->ph1_keys.ik_skeyid_d, ph1->ph1_keys.ik_prflen);
	ASSERT_MEM_EQ(ph1->ph1_iv.iv_data, first_ph1(R)->ph1_iv.iv_data,
	    ph1->ph1_iv.iv_len);
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	ASSERT_INT_EQ(pump(), 3);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_PTR_EQ(ph2->ph2_prop.pp_pfs, alg_by_cfgname(ALG_DH,
	    "modp1024"));
	assert_sas_pair(2);
	ASSERT_INT_EQ(I->ph1_up + R->ph1_up, 2);
	ASSERT_INT_EQ(I->ph2_ok + R->ph2_ok, 2);
	ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_proto, ISAKMP_PROTO_ESP);
	ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_mode, IPSECDOI_MODE_TRANSPORT);
	ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_keymat_len, 24 + 16);
	ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_lifetime, CFG_LIFETIME_DEFAULT);
	ASSERT_TRUE(log_has(": initiate new phase 1 negotiation: "
	    "10.0.0.1[500]<=>10.0.0.2[500]"));
	ASSERT_TRUE(log_has(": respond new phase 1 negotiation: "
	    "10.0.0.2[500]<=>10.0.0.1[500]"));
	ASSERT_TRUE(log_has("ISAKMP-SA established 10.0.0.1[500]-"
	    "10.0.0.2[500] spi:"));
	ASSERT_TRUE(log_has(": initiate new phase 2 negotiation: "));
	ASSERT_TRUE(log_has(": respond new phase 2 negotiation: "));
	ASSERT_TRUE(log_has("]: IPsec-SA established: ESP/Transport "
	    "10.0.0.1[0]->10.0.0.2[0] spi="));
	ASSERT_TRUE(log_has("]: IPsec-SA established: ESP/Transport "
	    "10.0.0.2[0]->10.0.0.1[0] spi=65536(0x10000)"));
	/* No secret in the log. */
	ASSERT_FALSE(log_has("simple psk"));
	world_down();
}

/*
 * Phase 2 roles do not follow phase 1's: the phase 1 responder starts
 * Quick Mode, and both directions run on one ISAKMP-SA.
 */
static void
t_quick_from_responder(void)
{
	struct ph2_sel l, r;
	struct ph1 *ph1;
	struct ph2 *ph2;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	ASSERT_PTR_NE(start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ph1 = first_ph1(R);
	ASSERT_INT_EQ(ph1->ph1_role, ISAKMP_ROLE_R);
	sel(&l, IPSECDOI_ID_IPV4_ADDR, "10.0.0.2", NULL);
	sel(&r, IPSECDOI_ID_IPV4_ADDR, "10.0.0.1", NULL);
	ASSERT_PTR_NE(ph2 = ph2_quick_start(ph1, &l, &r, &R->policy), NULL);
	ASSERT_INT_EQ(pump(), 3);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(first_ph1(I)), NULL);
	ASSERT_INT_EQ(pump(), 3);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	assert_sas_pair(4);
	world_down();
}

/* Phase 1 and phase 2 parameters, for the generated configurations. */
struct params {
	const char	*p1;		/* proposal { } bodies */
	const char	*p1_r;		/* responder's; NULL: same */
	const char	*pcheck;
	const char	*ids_i;		/* sainfo IDs, initiator's */
	const char	*ids_r;
	const char	*sa_i;		/* sainfo bodies */
	const char	*sa_r;
};

static void
conf(char *buf, size_t len, const char *peer, const char *p1,
    const char *pcheck, const char *ids, const char *sa)
{
	snprintf(buf, len,
	    "remote %s {\n exchange_mode main;\n proposal_check %s;\n"
	    " %s\n}\nsainfo %s {\n %s\n}\n", peer, pcheck, p1, ids, sa);
}

static void
world_up(const struct params *p)
{
	char ci[4096], cr[4096];

	conf(ci, sizeof(ci), "10.0.0.2", p->p1, p->pcheck, p->ids_i, p->sa_i);
	conf(cr, sizeof(cr), "10.0.0.1", p->p1_r ? p->p1_r : p->p1,
	    p->pcheck, p->ids_r, p->sa_r ? p->sa_r : p->sa_i);
	log_reset();
	side_up(I, "10.0.0.1", ci, psk_i, 0x10000);
	side_up(R, "10.0.0.2", cr, psk_r, 0x20000);
}

#define P1(enc, hash, dh) \
	"proposal { encryption_algorithm " enc "; hash_algorithm " hash \
	"; authentication_method pre_shared_key; dh_group " dh "; }"
#define HOSTS_I	"address 10.0.0.1 any address 10.0.0.2 any"
#define HOSTS_R	"address 10.0.0.2 any address 10.0.0.1 any"
#define SA_AES	"encryption_algorithm aes 256; " \
	"authentication_algorithm hmac_sha256; compression_algorithm deflate;"

/* ECP phase 1, no PFS, tunnel mode between subnets. */
static void
t_ecp_nopfs_tunnel_subnets(void)
{
	static const struct params p = {
		P1("aes 256", "sha256", "ecp256"), NULL, "obey",
		"address 10.1.0.0/24 any address 10.2.0.0/16 any",
		"address 10.2.0.0/16 any address 10.1.0.0/24 any",
		SA_AES, NULL,
	};
	struct ph2_sel l, r;
	struct ph1 *ph1;
	struct ph2 *ph2;

	world_up(&p);
	I->policy.pol_mode = R->policy.pol_mode = IPSECDOI_MODE_TUNNEL;
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_PTR_EQ(ph1->ph1_prop.p1_dh, alg_by_cfgname(ALG_DH, "ecp256"));
	sel(&l, IPSECDOI_ID_IPV4_ADDR_SUBNET, "10.1.0.0/24", NULL);
	sel(&r, IPSECDOI_ID_IPV4_ADDR_SUBNET, "10.2.0.0/16", NULL);
	ASSERT_PTR_NE(ph2 = ph2_quick_start(ph1, &l, &r, &I->policy), NULL);
	ASSERT_INT_EQ(pump(), 3);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_PTR_EQ(ph2->ph2_prop.pp_pfs, NULL);
	assert_sas_pair(2);
	ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_mode, IPSECDOI_MODE_TUNNEL);
	ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_enc_bits, 256);
	ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_keymat_len, 32 + 32);
	/* The responder read the subnets from the ID payloads. */
	ph2 = TAILQ_FIRST(&first_ph1(R)->ph1_ph2s);
	ASSERT_INT_EQ(ph2->ph2_remote.sel_addr.a_plen, 24);
	ASSERT_INT_EQ(ph2->ph2_local.sel_addr.a_plen, 16);
	ASSERT_TRUE(log_has("IPsec-SA established: ESP/Tunnel "));
	world_down();
}

/* AH+ESP, tunnel, PFS with an ECP group, address ranges as IDs. */
static void
t_ah_esp_tunnel_ecp_pfs_range(void)
{
	static const struct params p = {
		P1("aes", "sha1", "modp2048"), NULL, "strict",
		"address 10.1.0.1-10.1.0.9 any address 10.0.0.2 any",
		"address 10.0.0.2 any address 10.1.0.1-10.1.0.9 any",
		"pfs_group ecp384; encryption_algorithm aes 128, 3des; "
		"authentication_algorithm hmac_sha1; "
		"compression_algorithm deflate;", NULL,
	};
	struct ph2_sel l, r;
	struct ph1 *ph1;
	struct ph2 *ph2;
	int i;

	world_up(&p);
	for (i = 0; i < 2; i++) {
		S[i].policy.pol_proto[0] = ISAKMP_PROTO_AH;
		S[i].policy.pol_proto[1] = ISAKMP_PROTO_ESP;
		S[i].policy.pol_nproto = 2;
		S[i].policy.pol_mode = IPSECDOI_MODE_TUNNEL;
	}
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	sel(&l, IPSECDOI_ID_IPV4_ADDR_RANGE, "10.1.0.1", "10.1.0.9");
	sel(&r, IPSECDOI_ID_IPV4_ADDR, "10.0.0.2", NULL);
	ASSERT_PTR_NE(ph2 = ph2_quick_start(ph1, &l, &r, &I->policy), NULL);
	ASSERT_INT_EQ(pump(), 3);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_PTR_EQ(ph2->ph2_prop.pp_pfs, alg_by_cfgname(ALG_DH, "ecp384"));
	ASSERT_INT_EQ(ph2->ph2_prop.pp_nsa, 2);
	assert_sas_pair(4);
	ASSERT_TRUE(log_has("IPsec-SA established: AH/Tunnel "));
	ASSERT_TRUE(log_has("IPsec-SA established: ESP/Tunnel "));
	ASSERT_PTR_EQ(find_sa(I, 0x10000, 1)->xsa_enc, NULL);	/* AH */
	ASSERT_INT_EQ(find_sa(I, 0x10000, 1)->xsa_keymat_len, 20);
	ASSERT_INT_EQ(find_sa(I, 0x10001, 1)->xsa_keymat_len, 16 + 20);
	world_down();
}

/* AH alone, transport mode, with the article's algorithms. */
static void
t_ah_transport(void)
{
	static const struct params p = {
		P1("3des", "md5", "modp1536"), NULL, "obey", HOSTS_I, HOSTS_R,
		"encryption_algorithm 3des; authentication_algorithm "
		"hmac_md5, hmac_sha256; compression_algorithm deflate;", NULL,
	};
	struct ph1 *ph1;
	struct ph2 *ph2;
	int i;

	world_up(&p);
	for (i = 0; i < 2; i++)
		S[i].policy.pol_proto[0] = ISAKMP_PROTO_AH;
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	ASSERT_INT_EQ(pump(), 3);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	assert_sas_pair(2);
	ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_proto, ISAKMP_PROTO_AH);
	ASSERT_PTR_EQ(I->sas[0].sc_sa.xsa_auth, alg_by_cfgname(ALG_AUTH,
	    "hmac_md5"));
	ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_keymat_len, 16);
	ASSERT_TRUE(log_has("IPsec-SA established: AH/Transport "
	    "10.0.0.1[0]->10.0.0.2[0] spi=131072(0x20000)"));
	world_down();
}

/*
 * Several phase 1 proposals: the responder takes the first of the
 * initiator's transforms that one of its own accepts; several phase 2
 * transforms: the first the responder's sainfo has.
 */
static void
t_several_proposals(void)
{
	static const struct params p = {
		P1("aes", "sha256", "modp2048") " "
		P1("3des", "sha1", "modp1536") " "
		P1("aes 256", "sha512", "ecp521"),
		P1("camellia", "sha1", "modp2048") " "
		P1("aes 256", "sha512", "ecp521") " "
		P1("3des", "sha1", "modp1536"),
		"obey", HOSTS_I, HOSTS_R,
		"encryption_algorithm aes, 3des, blowfish; "
		"authentication_algorithm hmac_sha256, hmac_sha1; "
		"compression_algorithm deflate;",
		"encryption_algorithm 3des; authentication_algorithm "
		"hmac_md5, hmac_sha1; compression_algorithm deflate;",
	};
	struct ph1 *ph1;
	struct ph2 *ph2;

	world_up(&p);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_PTR_EQ(ph1->ph1_prop.p1_enc,
	    alg_by_cfgname(ALG_IKE_ENC, "3des"));
	ASSERT_PTR_EQ(ph1->ph1_prop.p1_dh, alg_by_cfgname(ALG_DH,
	    "modp1536"));
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	ASSERT_INT_EQ(pump(), 3);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_PTR_EQ(ph2->ph2_prop.pp_sa[0].ps_enc,
	    alg_by_cfgname(ALG_ENC, "3des"));
	ASSERT_PTR_EQ(ph2->ph2_prop.pp_sa[0].ps_auth,
	    alg_by_cfgname(ALG_AUTH, "hmac_sha1"));
	/* 3des with hmac_sha1 was transform 4 of the 6 offered. */
	ASSERT_INT_EQ(ph2->ph2_prop.pp_sa[0].ps_trans_num, 4);
	assert_sas_pair(2);
	world_down();
}

/* IPv6 peers, IPv6 subnets, and identities other than addresses. */
static void
t_ipv6_fqdn(void)
{
	static const char ci[] =
	    "remote fd00::2 { exchange_mode main;\n"
	    " my_identifier fqdn \"a.example\";\n"
	    " peers_identifier user_fqdn \"b@example\";\n"
	    " verify_identifier on;\n " P1("aes 128", "sha384", "ecp384")
	    "\n}\nsainfo subnet fd00:1::/64 any subnet fd00:2::/48 any {\n"
	    " " SA_AES " }\n";
	static const char cr[] =
	    "remote fd00::1 { exchange_mode main;\n"
	    " my_identifier user_fqdn \"b@example\";\n"
	    " peers_identifier fqdn \"%s\";\n"
	    " verify_identifier on;\n " P1("aes 128", "sha384", "ecp384")
	    "\n}\nsainfo subnet fd00:2::/48 any subnet fd00:1::/64 any {\n"
	    " " SA_AES " }\n";
	char crbuf[2048];
	const struct cfg_remote *rm;
	struct ph2_sel l, r;
	struct ph1 *ph1;
	struct ph2 *ph2;

	log_reset();
	snprintf(crbuf, sizeof(crbuf), cr, "a.example");
	side_up(I, "fd00::1", ci, "fd00::2 v6 key\n", 0x10000);
	side_up(R, "fd00::2", crbuf, "fd00::1 v6 key\n", 0x20000);
	ASSERT_PTR_NE(rm = cfg_remote_by_name(I->cfg, "fd00::2"), NULL);
	ASSERT_PTR_NE(ph1 = ph1_main_start(&I->env, rm, &I->addr, &R->addr),
	    NULL);
	ASSERT_INT_EQ(pump(), 6);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	sel(&l, IPSECDOI_ID_IPV6_ADDR_SUBNET, "fd00:1::/64", NULL);
	sel(&r, IPSECDOI_ID_IPV6_ADDR_SUBNET, "fd00:2::/48", NULL);
	ASSERT_PTR_NE(ph2 = ph2_quick_start(ph1, &l, &r, &I->policy), NULL);
	ASSERT_INT_EQ(pump(), 3);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	assert_sas_pair(2);
	ASSERT_TRUE(log_has("IPsec-SA established: ESP/Transport "
	    "fd00::1[0]->fd00::2[0] spi="));
	world_down();

	/* The responder expects another name: INVALID-ID-INFORMATION. */
	log_reset();
	snprintf(crbuf, sizeof(crbuf), cr, "c.example");
	side_up(I, "fd00::1", ci, "fd00::2 v6 key\n", 0x10000);
	side_up(R, "fd00::2", crbuf, "fd00::1 v6 key\n", 0x20000);
	rm = cfg_remote_by_name(I->cfg, "fd00::2");
	ASSERT_PTR_NE(ph1 = ph1_main_start(&I->env, rm, &I->addr, &R->addr),
	    NULL);
	pump();
	ASSERT_INT_EQ(first_ph1(R)->ph1_state, PH1_S_FAILED);
	ASSERT_TRUE(log_has("peer's ID FQDN \"a.example\" does not match "
	    "peers_identifier"));
	ASSERT_TRUE(log_has("sending notification INVALID-ID-INFORMATION"));
	world_down();
}

/* Main Mode and Quick Mode with a pcheck, lifetimes given in seconds. */
static void
run_pcheck(const char *pcheck, const char *sa_i, const char *sa_r,
    int expect_ok, uint32_t expect_life)
{
	struct params p = {
		P1("aes", "sha1", "modp2048"), NULL, NULL, HOSTS_I, HOSTS_R,
		sa_i, sa_r,
	};
	struct ph1 *ph1;
	struct ph2 *ph2;

	p.pcheck = pcheck;
	world_up(&p);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	pump();
	if (!expect_ok) {
		ASSERT_INT_EQ(ph2->ph2_state, PH2_S_FAILED);
		ASSERT_INT_EQ(TAILQ_FIRST(&first_ph1(R)->ph1_ph2s)->ph2_state,
		    PH2_S_FAILED);
		ASSERT_TRUE(log_has("sending notification "
		    "NO-PROPOSAL-CHOSEN"));
		ASSERT_TRUE(log_has("phase2 negotiation failed: peer sent "
		    "NO-PROPOSAL-CHOSEN"));
		ASSERT_INT_EQ(I->nsa, 0);
		ASSERT_INT_EQ(R->nsa, 0);
	} else {
		ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
		assert_sas_pair(2);
		ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_lifetime, expect_life);
	}
	world_down();
}

#define SA_LIFE(n, extra) "lifetime time " n " sec; " extra \
	"encryption_algorithm aes; authentication_algorithm hmac_sha1; " \
	"compression_algorithm deflate;"

static void
t_pcheck_obey(void)
{
	/* The responder obeys: the initiator's longer lifetime stands. */
	run_pcheck("obey", SA_LIFE("3600", ""), SA_LIFE("1800", ""), 1, 3600);
	/* and its PFS group, though the responder wants another. */
	run_pcheck("obey", SA_LIFE("3600", ""),
	    SA_LIFE("3600", "pfs_group modp2048; "), 1, 3600);
}

static void
t_pcheck_strict(void)
{
	run_pcheck("strict", SA_LIFE("3600", ""), SA_LIFE("1800", ""), 0, 0);
	ASSERT_TRUE(log_has("long lifetime proposed: my:1800 peer:3600"));
	run_pcheck("strict", SA_LIFE("900", ""), SA_LIFE("1800", ""), 1, 900);
	/* A responder that wants PFS refuses a proposal without it. */
	run_pcheck("strict", SA_LIFE("900", ""),
	    SA_LIFE("1800", "pfs_group modp2048; "), 0, 0);
	ASSERT_TRUE(log_has("pfs group mismatched"));
}

static void
t_pcheck_claim(void)
{
	/* Our shorter lifetime, told with RESPONDER-LIFETIME. */
	run_pcheck("claim", SA_LIFE("3600", ""), SA_LIFE("1800", ""), 1, 1800);
	ASSERT_TRUE(log_has("use own lifetime: my:1800 peer:3600"));
	ASSERT_TRUE(log_has("RESPONDER-LIFETIME: lifetime 1800 seconds"));
	run_pcheck("claim", SA_LIFE("900", ""), SA_LIFE("1800", ""), 1, 900);
	ASSERT_FALSE(log_has("RESPONDER-LIFETIME"));
}

static void
t_pcheck_exact(void)
{
	run_pcheck("exact", SA_LIFE("900", ""), SA_LIFE("1800", ""), 0, 0);
	ASSERT_TRUE(log_has("lifetime mismatched: my:1800 peer:900"));
	run_pcheck("exact", SA_LIFE("1800", ""), SA_LIFE("1800", ""), 1, 1800);
	run_pcheck("exact", SA_LIFE("1800", "pfs_group ecp256; "),
	    SA_LIFE("1800", ""), 0, 0);
}

/* A wrong PSK: message 5 decrypts to noise at the responder. */
static void
t_wrong_psk(void)
{
	struct ph1 *ph1;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, "10.0.0.1 other psk\n",
	    0x20000);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	pump();
	ASSERT_INT_EQ(first_ph1(R)->ph1_state, PH1_S_FAILED);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_KEYED);
	ASSERT_TRUE(log_has("authentication failed: message 5 does not "
	    "decrypt to valid payloads (the pre-shared keys differ?)"));
	ASSERT_TRUE(log_has("sending notification AUTHENTICATION-FAILED"));
	ASSERT_TRUE(log_has("notification AUTHENTICATION-FAILED received"));
	/* The initiator gives up after its retransmissions. */
	now_ms += 16 * 1000;
	exchange_timers(&I->env);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_FAILED);
	ASSERT_TRUE(log_has("phase1 negotiation failed due to time up"));
	world_down();
}

/*
 * A wrong key that still decrypts (the initiator's SKEYID alone is
 * spoiled): HASH_I does not verify.
 */
static void
t_wrong_psk_hash(void)
{
	struct ph1 *ph1;
	int i;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	/* Messages 1..3: the responder has its keys. */
	for (i = 0; i < 3; i++)
		ASSERT_INT_EQ(pump_one(), 1);
	first_ph1(R)->ph1_keys.ik_skeyid[0] ^= 1;	/* HASH_I only */
	pump();
	ASSERT_INT_EQ(first_ph1(R)->ph1_state, PH1_S_FAILED);
	ASSERT_TRUE(log_has("authentication failed: HASH_I mismatch (the "
	    "pre-shared keys differ?)"));
	world_down();
}

/* No proposal in common: NO-PROPOSAL-CHOSEN in phase 1. */
static void
t_disjoint_ph1(void)
{
	static const struct params p = {
		P1("aes", "sha1", "modp2048"), P1("3des", "md5", "modp1024"),
		"obey", HOSTS_I, HOSTS_R, SA_AES, NULL,
	};
	struct ph1 *ph1;

	world_up(&p);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 2);	/* message 1, the notify */
	ASSERT_INT_EQ(first_ph1(R)->ph1_state, PH1_S_FAILED);
	ASSERT_INT_EQ(R->ph1_down, 1);
	ASSERT_INT_EQ(R->ph1_up, 0);
	ASSERT_TRUE(log_has("no suitable proposal found"));
	ASSERT_TRUE(log_has("sending notification NO-PROPOSAL-CHOSEN"));
	ASSERT_TRUE(log_has("notification NO-PROPOSAL-CHOSEN received from "
	    "the peer (unauthenticated)"));
	/*
	 * A responder refusing message 1 frees its SA at once (a flood of
	 * bad first messages must not pile up); others after a while.
	 */
	exchange_timers(&R->env);
	ASSERT_PTR_EQ(first_ph1(R), NULL);
	ASSERT_PTR_NE(first_ph1(I), NULL);
	now_ms += EXCHANGE_LINGER_MS;
	exchange_timers(&I->env);
	ASSERT_PTR_NE(first_ph1(I), NULL);	/* I waits for its timer */
	world_down();
}

/* No transform in common in phase 2. */
static void
t_disjoint_ph2(void)
{
	run_pcheck("obey", SA_LIFE("3600", ""),
	    "encryption_algorithm 3des; authentication_algorithm hmac_md5; "
	    "compression_algorithm deflate;", 0, 0);
}

/*
 * A quick mode message whose HASH(1) does not verify is refused with
 * INVALID-HASH-INFORMATION, which the initiator reads (its HASH(1)
 * verifies, being made with the responder's SKEYID_a) and fails on.
 */
static void
t_quick_bad_hash(void)
{
	struct ph1 *ph1;
	struct ph2 *ph2;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ph1->ph1_keys.ik_skeyid_a[0] ^= 1;
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	ph1->ph1_keys.ik_skeyid_a[0] ^= 1;
	ASSERT_INT_EQ(pump(), 2);
	ASSERT_TRUE(log_has("HASH(1) mismatch"));
	ASSERT_TRUE(log_has("notification INVALID-HASH-INFORMATION received "
	    "from the peer"));
	ASSERT_INT_EQ(TAILQ_FIRST(&first_ph1(R)->ph1_ph2s)->ph2_state,
	    PH2_S_FAILED);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_FAILED);
	ASSERT_INT_EQ(I->nsa + R->nsa, 0);
	ASSERT_INT_EQ(I->ph2_failed + R->ph2_failed, 2);
	ASSERT_INT_EQ(I->ph2_ok + R->ph2_ok, 0);
	world_down();
}

/* A responder without a policy for the IDs says NO-PROPOSAL-CHOSEN. */
static void
t_no_policy(void)
{
	static const struct params p = {
		P1("aes", "sha1", "modp2048"), NULL, "obey", HOSTS_I, HOSTS_R,
		SA_AES, NULL,
	};
	struct ph1 *ph1;
	struct ph2 *ph2;

	world_up(&p);
	R->no_policy = 1;
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	pump();
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_FAILED);
	ASSERT_TRUE(log_has("no policy found"));
	world_down();
}

/*
 * Lost and repeated messages: the engine resends its last message on a
 * timer, answers a duplicate with its last reply, and gives up after
 * the counter.
 */
static void
t_retransmit(void)
{
	struct ph1 *ph1;
	struct ph2 *ph2;
	uint8_t *m5;
	size_t m5len;
	uint64_t t;
	char cr[2048];

	/* racoon's phase2 10 sec would give up before the first resend. */
	snprintf(cr, sizeof(cr), "timer { phase2 30 sec; }\n%s",
	    conf_article_r);
	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", cr, psk_r, 0x20000);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(pump_one(), 1);	/* message 1 */
	drop_one();			/* message 2 lost */
	ASSERT_INT_EQ(nq, 0);
	t = exchange_next_timer(&I->env);
	ASSERT_U64_EQ(t, now_ms + 10 * 1000);
	now_ms = t;
	exchange_timers(&I->env);	/* message 1 again */
	ASSERT_INT_EQ(nq, 1);
	ASSERT_INT_EQ(sent[0], 2);
	ASSERT_INT_EQ(pump_one(), 1);	/* a duplicate: message 2 again */
	ASSERT_INT_EQ(sent[1], 2);
	ASSERT_INT_EQ(pump_one(), 1);	/* message 2 */
	ASSERT_INT_EQ(pump_one(), 1);	/* message 3 */
	ASSERT_INT_EQ(pump_one(), 1);	/* message 4 */
	ASSERT_INT_EQ(nq, 1);		/* message 5, kept for later */
	m5 = malloc(Q[0].len);
	memcpy(m5, Q[0].data, Q[0].len);
	m5len = Q[0].len;
	ASSERT_INT_EQ(pump(), 2);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_INT_EQ(first_ph1(R)->ph1_state, PH1_S_ESTABLISHED);
	/* Message 5 repeated: message 6 again, which the initiator drops. */
	exchange_input(&R->env, &R->addr, &I->addr, m5, m5len);
	free(m5);
	ASSERT_INT_EQ(sent[1], 5);
	ASSERT_INT_EQ(pump(), 1);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	ASSERT_INT_EQ(pump_one(), 1);	/* quick 1 */
	ASSERT_INT_EQ(pump_one(), 1);	/* quick 2 */
	/* Quick 3 lost: the responder resends 2, we answer with 3. */
	drop_one();
	now_ms += 10 * 1000;
	exchange_timers(&R->env);
	ASSERT_INT_EQ(pump(), 2);
	ASSERT_INT_EQ(TAILQ_FIRST(&first_ph1(R)->ph1_ph2s)->ph2_state,
	    PH2_S_ESTABLISHED);
	assert_sas_pair(2);
	world_down();

	/* Nobody answers: five resends, then time up. */
	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	drop_one();
	now_ms += 10 * 1000;
	exchange_timers(&I->env);
	ASSERT_INT_EQ(sent[0], 2);
	now_ms += 5 * 1000;	/* phase1 15 sec */
	exchange_timers(&I->env);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_FAILED);
	ASSERT_TRUE(log_has("phase1 negotiation failed due to time up"));
	world_down();
}

/*
 * timer { persend 3; counter 2; interval 2 sec; phase1 60 sec; }: each
 * message leaves three times, a retransmission too, and after two
 * retransmissions the exchange gives up with the counter.
 */
static void
t_persend_counter(void)
{
	struct ph1 *ph1;
	char ci[2048];
	uint64_t t0;

	snprintf(ci, sizeof(ci), "timer { persend 3; counter 2; "
	    "interval 2 sec; phase1 60 sec; }\n%s", conf_article_i);
	log_reset();
	side_up(I, "10.0.0.1", ci, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	t0 = now_ms;
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(sent[0], 3);
	ASSERT_INT_EQ(nq, 3);
	queue_clear();
	ASSERT_U64_EQ(exchange_next_timer(&I->env), t0 + 2000);
	now_ms = t0 + 2000;
	exchange_timers(&I->env);
	ASSERT_INT_EQ(sent[0], 6);
	now_ms = t0 + 4000;
	exchange_timers(&I->env);
	ASSERT_INT_EQ(sent[0], 9);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_NEW);
	now_ms = t0 + 6000;
	exchange_timers(&I->env);
	ASSERT_INT_EQ(sent[0], 9);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_FAILED);
	ASSERT_TRUE(log_has("phase1 negotiation failed due to time up"));
	world_down();
}

static size_t
count_ph1s(const struct side *s)
{
	const struct ph1 *ph1;
	size_t n = 0;

	TAILQ_FOREACH(ph1, &s->env.env_ph1s, ph1_entry)
		n++;
	return n;
}

/*
 * A flood of Main Mode first messages, each with its own cookie: the
 * responder keeps at most EXCHANGE_HALF_OPEN_PER_ADDR half-open SAs
 * from one address and EXCHANGE_HALF_OPEN_MAX in all, drops the rest
 * before any state exists, and negotiates again once they timed out.
 */
static void
t_half_open(void)
{
	struct addr from;
	struct ph1 *ph1;
	uint8_t *m1;
	size_t m1len, k;
	char cr[2048], ip[32];
	const char *why;

	snprintf(cr, sizeof(cr), "remote anonymous %s",
	    strchr(conf_article_r, '{'));
	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", cr, psk_r, 0x20000);
	ASSERT_PTR_NE(start_ph1(), NULL);
	ASSERT_INT_EQ(nq, 1);
	m1len = Q[0].len;
	ASSERT_PTR_NE(m1 = malloc(m1len), NULL);
	memcpy(m1, Q[0].data, m1len);
	queue_clear();
	/* One address: its cap, then drops. */
	for (k = 0; k < EXCHANGE_HALF_OPEN_PER_ADDR + 2; k++) {
		m1[0] = (uint8_t)k;
		m1[1] = 0xa5;
		exchange_input(&R->env, &R->addr, &I->addr, m1, m1len);
		queue_clear();
	}
	ASSERT_INT_EQ(count_ph1s(R), EXCHANGE_HALF_OPEN_PER_ADDR);
	ASSERT_U64_EQ(R->env.env_capped, 2);
	ASSERT_TRUE(log_has("too many half-open phase 1 negotiations"));
	/* Many addresses: the overall cap. */
	for (k = 0; k < EXCHANGE_HALF_OPEN_MAX + 5; k++) {
		snprintf(ip, sizeof(ip), "10.1.%zu.%zu", k / 200, k % 200 + 1);
		ASSERT_INT_EQ(addr_parse(ip, 0, &from, &why), 0);
		from.a_port = 500;
		m1[1] = 0x5a;
		m1[2] = (uint8_t)k;
		m1[3] = (uint8_t)(k >> 8);
		exchange_input(&R->env, &R->addr, &from, m1, m1len);
		queue_clear();
	}
	ASSERT_INT_EQ(count_ph1s(R), EXCHANGE_HALF_OPEN_MAX);
	ASSERT_U64_EQ(R->env.env_capped,
	    2 + 5 + EXCHANGE_HALF_OPEN_PER_ADDR);
	free(m1);
	/* The initiator's own attempt is capped too; start afresh later. */
	TAILQ_FOREACH(ph1, &I->env.env_ph1s, ph1_entry)
		ph1_fail(ph1, "test");
	/* phase1 15 sec: the half-open SAs fail, then go. */
	now_ms += 16 * 1000;
	exchange_timers(&R->env);
	exchange_timers(&I->env);
	queue_clear();
	now_ms += 2 * 1000;
	exchange_timers(&R->env);
	exchange_timers(&I->env);
	queue_clear();
	ASSERT_INT_EQ(count_ph1s(R), 0);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	pump();
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	world_down();
}

/*
 * Message 3 with a nonce of 4 bytes (RFC 2409 5: 8 to 256) but a good
 * KE: the responder refuses it with PAYLOAD-MALFORMED before it makes
 * its DH pair, so a malformed message costs no key generation.
 */
static void
t_dh_after_checks(void)
{
	struct ph1 *rph1;
	uint8_t m3[2048], *src;
	size_t len, off = ISAKMP_HDR_LEN, ke_off = 0, ke_len = 0, out;
	uint8_t np;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	ASSERT_PTR_NE(start_ph1(), NULL);
	ASSERT_INT_EQ(pump_one(), 1);	/* message 1 */
	ASSERT_INT_EQ(pump_one(), 1);	/* message 2 */
	ASSERT_INT_EQ(nq, 1);		/* message 3, in the clear */
	rph1 = first_ph1(R);
	ASSERT_PTR_EQ(rph1->ph1_dh, NULL);
	src = Q[0].data;
	len = Q[0].len;
	/* Find the KE payload in the chain. */
	for (np = src[16]; np != 0 && off + 4 <= len;
	    off += (size_t)(src[off + 2] << 8 | src[off + 3])) {
		if (np == ISAKMP_NPTYPE_KE) {
			ke_off = off;
			ke_len = (size_t)(src[off + 2] << 8 | src[off + 3]);
		}
		np = src[off];
	}
	ASSERT_TRUE(ke_len > 4);
	ASSERT_TRUE(ISAKMP_HDR_LEN + ke_len + 8 <= sizeof(m3));
	/* Header, KE, then a nonce payload carrying 4 bytes. */
	memcpy(m3, src, ISAKMP_HDR_LEN);
	m3[16] = ISAKMP_NPTYPE_KE;
	out = ISAKMP_HDR_LEN;
	memcpy(m3 + out, src + ke_off, ke_len);
	m3[out] = ISAKMP_NPTYPE_NONCE;
	out += ke_len;
	memcpy(m3 + out, "\0\0\0\x08" "abcd", 8);
	out += 8;
	m3[24] = (uint8_t)(out >> 24);
	m3[25] = (uint8_t)(out >> 16);
	m3[26] = (uint8_t)(out >> 8);
	m3[27] = (uint8_t)out;
	queue_clear();
	exchange_input(&R->env, &R->addr, &I->addr, m3, out);
	ASSERT_TRUE(log_has("4 bytes of data"));
	ASSERT_PTR_EQ(rph1->ph1_dh, NULL);
	ASSERT_INT_EQ(rph1->ph1_state, PH1_S_FAILED);
	world_down();
}

/*
 * GETSPI answered later, as PF_KEY does: each side's message waits for
 * its SPIs; a failed GETSPI fails the negotiation.
 */
static void
t_getspi_late(void)
{
	static const struct params p = {
		P1("aes", "sha1", "modp2048"), NULL, "obey", HOSTS_I, HOSTS_R,
		SA_AES, NULL,
	};
	struct ph1 *ph1;
	struct ph2 *ph2;
	int i;

	world_up(&p);
	for (i = 0; i < 2; i++) {
		S[i].spi_late = 1;
		S[i].policy.pol_proto[0] = ISAKMP_PROTO_AH;
		S[i].policy.pol_proto[1] = ISAKMP_PROTO_ESP;
		S[i].policy.pol_nproto = 2;
	}
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	ASSERT_INT_EQ(nq, 0);
	ASSERT_INT_EQ(I->nowed, 2);
	pay_spis(I, 0);
	ASSERT_INT_EQ(pump(), 1);	/* quick 1; the responder waits */
	ASSERT_INT_EQ(R->nowed, 2);
	pay_spis(R, 0);
	ASSERT_INT_EQ(pump(), 2);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	assert_sas_pair(4);
	/* A late answer for a negotiation that is gone is ignored. */
	exchange_spi(&I->env, 9999, 0, 0x777);
	/* The kernel has no SPI: the negotiation fails. */
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	pay_spis(I, 1);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_FAILED);
	ASSERT_INT_EQ(nq, 0);
	world_down();
}

/*
 * INITIAL-CONTACT: sent on the first negotiation with a peer since
 * start; the receiver drops older ISAKMP-SAs with that peer.
 */
static void
t_initial_contact(void)
{
	struct ph1 *a;
	struct ph2 *rph2;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	ASSERT_PTR_NE(start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ASSERT_TRUE(log_has("received INITIAL-CONTACT"));
	a = first_ph1(R);
	ASSERT_INT_EQ(a->ph1_state, PH1_S_ESTABLISHED);
	/* A second ISAKMP-SA from the same process: no initial contact. */
	log_reset();
	ASSERT_PTR_NE(start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ASSERT_FALSE(log_has("received INITIAL-CONTACT"));
	ASSERT_INT_EQ(a->ph1_state, PH1_S_ESTABLISHED);
	/* An IPsec-SA pair under the first ISAKMP-SA, to go stale. */
	ASSERT_PTR_NE(start_ph2_hosts(TAILQ_FIRST(&I->env.env_ph1s)), NULL);
	pump();
	ASSERT_PTR_NE(rph2 = TAILQ_FIRST(&a->ph1_ph2s), NULL);
	ASSERT_INT_EQ(rph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_INT_EQ(R->ndel, 0);
	/* The initiator restarts: its first ISAKMP-SA replaces ours. */
	exchange_env_clear(&I->env);
	exchange_env_init(&I->env, I->cfg, I->psk);
	I->env.env_net.en_send = fake_send;
	I->env.env_net.en_arg = I;
	I->env.env_kernel.ek_getspi = fake_getspi;
	I->env.env_kernel.ek_install = fake_install;
	I->env.env_kernel.ek_policy = fake_policy;
	I->env.env_kernel.ek_arg = I;
	I->env.env_clock.ec_now = fake_now;
	ASSERT_PTR_NE(start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ASSERT_TRUE(log_has("ISAKMP-SA expired: the peer made initial "
	    "contact"));
	ASSERT_INT_EQ(R->ph1_down, 2);
	ASSERT_INT_EQ(a->ph1_state, PH1_S_EXPIRED);
	/* The stale pair left R's kernel, both directions, and its ph2. */
	ASSERT_INT_EQ(R->ndel, 2);
	ASSERT_INT_EQ(R->del_proto[0], ISAKMP_PROTO_ESP);
	ASSERT_TRUE(R->del_spi[0] == rph2->ph2_prop.pp_sa[0].ps_spi);
	ASSERT_TRUE(R->del_spi[1] == rph2->ph2_prop.pp_sa[0].ps_spi_peer);
	ASSERT_INT_EQ(rph2->ph2_state, PH2_S_EXPIRED);
	ASSERT_TRUE(log_has("purged IPsec-SA proto_id=ESP spi="));
	ASSERT_INT_EQ(TAILQ_LAST(&R->env.env_ph1s, exchange_ph1s)->ph1_state,
	    PH1_S_ESTABLISHED);
	world_down();
}

/*
 * INITIAL-CONTACT counts once per ISAKMP-SA: a copy of an Informational
 * one sent again after a newer ISAKMP-SA came up (a rekey) would end
 * that one and purge its SAs.
 */
static void
t_initial_contact_replay(void)
{
	struct isakmp_notify nt;
	struct ph1 *x, *y;
	struct msg copy;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	ASSERT_PTR_NE(x = start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	ASSERT_TRUE(log_has("received INITIAL-CONTACT"));
	/* X's INITIAL-CONTACT as Aggressive Mode sends it, copied. */
	memset(&nt, 0, sizeof(nt));
	nt.n_doi = IPSEC_DOI;
	nt.n_proto = ISAKMP_PROTO_ISAKMP;
	nt.n_type = IPSEC_N_INITIAL_CONTACT;
	nt.n_spisize = 16;
	memcpy(nt.n_spi, x->ph1_icookie, 8);
	memcpy(nt.n_spi + 8, x->ph1_rcookie, 8);
	ASSERT_INT_EQ(exchange_info_notify(x, &nt), 0);
	ASSERT_INT_EQ(nq, 1);
	copy = Q[0];
	ASSERT_PTR_NE(copy.data = malloc(Q[0].len), NULL);
	memcpy(copy.data, Q[0].data, Q[0].len);
	ASSERT_INT_EQ(pump(), 1);
	/* Y: a newer ISAKMP-SA with the same peer, then the copy again. */
	ASSERT_PTR_NE(start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	y = TAILQ_LAST(&R->env.env_ph1s, exchange_ph1s);
	ASSERT_INT_EQ(y->ph1_state, PH1_S_ESTABLISHED);
	exchange_input(&R->env, &copy.peer, &copy.local, copy.data,
	    copy.len);
	ASSERT_INT_EQ(y->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_INT_EQ(first_ph1(R)->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_TRUE(log_has("INITIAL-CONTACT again under this ISAKMP-SA"));
	ASSERT_FALSE(log_has("the peer made initial contact"));
	free(copy.data);
	world_down();
}

/* An ISAKMP-SA expires after its lifetime and is freed. */
static void
t_ph1_lifetime(void)
{
	struct ph1 *ph1;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	pump();
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	/* Dying at 80%: rekey on, but no phase 2 uses it, so no rekey. */
	ASSERT_U64_EQ(exchange_next_timer(&I->env),
	    now_ms + CFG_LIFETIME_DEFAULT * 800ULL);
	now_ms += CFG_LIFETIME_DEFAULT * 800ULL;
	exchange_timers(&I->env);
	ASSERT_INT_EQ(ph1->ph1_dying, 1);
	ASSERT_INT_EQ(nq, 0);
	ASSERT_U64_EQ(exchange_next_timer(&I->env),
	    now_ms + CFG_LIFETIME_DEFAULT * 200ULL);
	now_ms += CFG_LIFETIME_DEFAULT * 200ULL;
	exchange_timers(&I->env);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_EXPIRED);
	ASSERT_TRUE(log_has("ISAKMP-SA expired: lifetime reached"));
	ASSERT_INT_EQ(I->ph1_down, 1);
	/* The peer hears of it through a DELETE and ends its side too. */
	ASSERT_INT_EQ(pump(), 1);
	ASSERT_INT_EQ(first_ph1(R)->ph1_state, PH1_S_EXPIRED);
	ASSERT_INT_EQ(R->ph1_down, 1);
	/* A state the machine does not have is refused. */
	ASSERT_INT_EQ(ph1_set_state(ph1, PH1_S_ESTABLISHED), -1);
	ASSERT_TRUE(log_has("state expired -> established refused"));
	now_ms += EXCHANGE_LINGER_MS;
	exchange_timers(&I->env);
	ASSERT_PTR_EQ(first_ph1(I), NULL);
	world_down();
}

/* Both sides with rekey r and a phase 1 lifetime of 100 s; ph1 up. */
static struct ph1 *
rekey_up(const char *r)
{
	char p1[512];
	struct params p = { NULL, NULL, "obey", HOSTS_I, HOSTS_R, SA_AES,
	    NULL };
	struct ph1 *ph1;

	snprintf(p1, sizeof(p1), "rekey %s; lifetime time 100 sec; %s", r,
	    P1("aes", "sha1", "ecp256"));
	p.p1 = p1;
	world_up(&p);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	pump();
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	return ph1;
}

static int
count_ph1(struct side *s, enum ph1_state st)
{
	struct ph1 *ph1;
	int n = 0;

	TAILQ_FOREACH(ph1, &s->env.env_ph1s, ph1_entry)
		n += ph1->ph1_state == st;
	return n;
}

/* Both sides' timers at now_ms, then the wire. */
static void
tick(uint64_t ms)
{
	now_ms += ms;
	exchange_timers(&I->env);
	exchange_timers(&R->env);
	pump();
}

/*
 * rekey on: at 80% of its lifetime the initiator of an ISAKMP-SA that
 * phase 2 SAs still use negotiates the next one (the responder never
 * does); at 100% the old one ends and its phase 2 SAs move to the new
 * one on both sides, so that a DELETE for them still works.
 */
static void
t_ph1_rekey_on(void)
{
	struct ph1 *ph1, *n1, *r1;
	struct ph2 *ph2, *rph2;

	ph1 = rekey_up("on");
	r1 = first_ph1(R);
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	tick(80 * 1000);
	ASSERT_TRUE(log_has("renegotiating phase1 to 10.0.0.2 due to active "
	    "phase2"));
	ASSERT_INT_EQ(count_ph1(I, PH1_S_ESTABLISHED), 2);
	ASSERT_INT_EQ(count_ph1(R, PH1_S_ESTABLISHED), 2);
	ASSERT_INT_EQ(I->ph1_up, 2);
	n1 = TAILQ_LAST(&I->env.env_ph1s, exchange_ph1s);
	ASSERT_TRUE(n1 != ph1 && !n1->ph1_dying);
	/* New negotiations take the fresh one. */
	ASSERT_PTR_EQ(ph1_find_peer(&I->env, &I->addr, &R->addr, 1), n1);
	/* The responder's own soft lifetime starts nothing. */
	tick(1000);
	ASSERT_INT_EQ(count_ph1(R, PH1_S_ESTABLISHED), 2);
	ASSERT_TRUE(r1->ph1_dying);
	tick(19 * 1000);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_EXPIRED);
	ASSERT_INT_EQ(r1->ph1_state, PH1_S_EXPIRED);
	ASSERT_PTR_EQ(ph2->ph2_ph1, n1);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	rph2 = TAILQ_FIRST(&TAILQ_LAST(&R->env.env_ph1s,
	    exchange_ph1s)->ph1_ph2s);
	ASSERT_PTR_NE(rph2, NULL);
	/* Freed at the end of the linger: the phase 2 lives on. */
	tick(EXCHANGE_LINGER_MS);
	ASSERT_INT_EQ(count_ph1(I, PH1_S_EXPIRED), 0);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_INT_EQ(exchange_delete_ph2(rph2), 0);
	pump();
	ASSERT_INT_EQ(I->ndel, 2);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_EXPIRED);
	world_down();
}

/* rekey on without phase 2, and off: the ISAKMP-SA just expires. */
static void
t_ph1_rekey_off(void)
{
	struct ph1 *ph1;

	ph1 = rekey_up("on");
	tick(80 * 1000);
	ASSERT_TRUE(ph1->ph1_dying);
	ASSERT_INT_EQ(I->ph1_up, 1);
	world_down();
	ph1 = rekey_up("off");
	ASSERT_PTR_NE(start_ph2_hosts(ph1), NULL);
	pump();
	tick(80 * 1000);
	ASSERT_INT_EQ(I->ph1_up, 1);
	ASSERT_FALSE(log_has("renegotiating phase1"));
	tick(20 * 1000);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_EXPIRED);
	ASSERT_INT_EQ(count_ph1(R, PH1_S_ESTABLISHED), 0);
	world_down();
}

/* rekey force: renegotiated even with no phase 2 SA. */
static void
t_ph1_rekey_force(void)
{
	rekey_up("force");
	tick(80 * 1000);
	ASSERT_TRUE(log_has("renegotiating phase1 to 10.0.0.2 (rekey "
	    "force)"));
	ASSERT_INT_EQ(I->ph1_up, 2);
	ASSERT_INT_EQ(count_ph1(R, PH1_S_ESTABLISHED), 2);
	world_down();
}

/*
 * A newer phase 2 for the same traffic retires the older one: DELETE to
 * the peer, both directions out of each kernel, both ph2s ended.
 */
static void
t_ph2_retire(void)
{
	struct ph1 *ph1;
	struct ph2 *old, *new, *rold;

	ph1 = rekey_up("on");
	ASSERT_PTR_NE(old = start_ph2_hosts(ph1), NULL);
	pump();
	rold = TAILQ_FIRST(&first_ph1(R)->ph1_ph2s);
	ASSERT_PTR_NE(new = start_ph2_hosts(ph1), NULL);
	pump();
	ASSERT_INT_EQ(new->ph2_state, PH2_S_ESTABLISHED);
	exchange_retire_ph2(old);
	ASSERT_INT_EQ(old->ph2_state, PH2_S_EXPIRED);
	ASSERT_INT_EQ(I->ndel, 2);
	ASSERT_TRUE(I->del_spi[0] == old->ph2_prop.pp_sa[0].ps_spi);
	ASSERT_TRUE(I->del_spi[1] == old->ph2_prop.pp_sa[0].ps_spi_peer);
	pump();
	ASSERT_INT_EQ(R->ndel, 2);
	ASSERT_INT_EQ(rold->ph2_state, PH2_S_EXPIRED);
	ASSERT_INT_EQ(new->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_TRUE(log_has("IPsec-SA replaced by a newer one in use"));
	/* Once ended, it is not retired again. */
	exchange_retire_ph2(old);
	ASSERT_INT_EQ(I->ndel, 2);
	world_down();
}

/* Garbage and strays are dropped and counted, never fatal. */
static void
t_garbage(void)
{
	static const uint8_t junk[40] = { 1, 2, 3 };
	struct ph1 *ph1;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	exchange_input(&R->env, &R->addr, &I->addr, junk, sizeof(junk));
	ASSERT_INT_EQ(R->env.env_dropped, 1);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	pump();
	/* A quick mode message under unknown cookies. */
	ASSERT_PTR_NE(start_ph2_hosts(ph1), NULL);
	Q[0].data[0] ^= 0xff;
	pump();
	ASSERT_INT_EQ(R->env.env_dropped, 2);
	world_down();
}

/*
 * DELETE: the responder deletes its phase 2, and the initiator removes
 * both directions of the SA pair from its kernel and ends the phase 2;
 * then the initiator deletes its ISAKMP-SA and the responder ends it.
 * What has ended cannot be deleted again.
 */
static void
t_delete(void)
{
	struct ph1 *ph1, *rph1;
	struct ph2 *ph2, *rph2;

	log_reset();
	side_up(I, "10.0.0.1", conf_article_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_article_r, psk_r, 0x20000);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	pump();
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	rph1 = first_ph1(R);
	rph2 = TAILQ_FIRST(&rph1->ph1_ph2s);
	ASSERT_INT_EQ(rph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_INT_EQ(exchange_delete_ph2(rph2), 0);
	pump();
	/* R named its inbound SPI: I's outbound SA and its pair go. */
	ASSERT_INT_EQ(I->ndel, 2);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_EXPIRED);
	ASSERT_INT_EQ(exchange_delete_ph2(ph2), -1);
	ASSERT_INT_EQ(I->del_proto[0], ISAKMP_PROTO_ESP);
	ASSERT_TRUE(I->del_spi[0] == ph2->ph2_prop.pp_sa[0].ps_spi);
	ASSERT_TRUE(I->del_spi[1] == ph2->ph2_prop.pp_sa[0].ps_spi_peer);
	ASSERT_TRUE(log_has("purged IPsec-SA proto_id=ESP spi="));
	ASSERT_INT_EQ(R->ndel, 0);
	ASSERT_INT_EQ(exchange_delete_ph1(ph1), 0);
	pump();
	ASSERT_INT_EQ(rph1->ph1_state, PH1_S_EXPIRED);
	ASSERT_INT_EQ(R->ph1_down, 1);
	ASSERT_TRUE(log_has("ISAKMP-SA deleted 10.0.0.2[500]-10.0.0.1[500]"));
	ASSERT_INT_EQ(exchange_delete_ph1(rph1), -1);
	world_down();
}

/* NAT traversal */

/* A racoon.conf for a tunnel between two nets with nat_traversal natt. */
static char *
conf_nat(const char *remote, const char *mode, const char *natt,
    const char *local_net, const char *peer_net)
{
	char *c;

	if (asprintf(&c,
	    "remote %s {\n"
	    "	exchange_mode %s;\n"
	    "	nat_traversal %s;\n"
	    "	proposal {\n"
	    "		encryption_algorithm aes;\n"
	    "		hash_algorithm sha1;\n"
	    "		authentication_method pre_shared_key;\n"
	    "		dh_group modp1024;\n"
	    "	}\n"
	    "}\n"
	    "sainfo address %s any address %s any {\n"
	    "	encryption_algorithm aes;\n"
	    "	authentication_algorithm hmac_sha1;\n"
	    "	compression_algorithm deflate;\n"
	    "}\n", remote, mode, natt, local_net, peer_net) == -1)
		return NULL;
	return c;
}

static const char psk_nat_r[] = NAT_ADDR "\tsimple psk\n";

/*
 * Both sides up with nat_traversal natt_i / natt_r, I behind the NAT if
 * nat; phase 1 and a phase 2 in mode between the hosts' subnets.
 */
static struct ph2 *
natt_world_mode(int nat, const char *exmode, const char *natt_i,
    const char *natt_r, uint16_t mode)
{
	char *ci, *cr;
	struct ph1 *ph1;
	struct ph2_sel l, r;
	const char *why;

	nat_on = nat;
	ASSERT_INT_EQ(addr_parse(NAT_ADDR, 0, &nat_addr, &why), 0);
	ci = conf_nat("10.0.0.2", exmode, natt_i, "172.16.1.0/24",
	    "172.16.2.0/24");
	cr = conf_nat(nat ? NAT_ADDR : "10.0.0.1", exmode, natt_r,
	    "172.16.2.0/24", "172.16.1.0/24");
	ASSERT_PTR_NE(ci, NULL);
	ASSERT_PTR_NE(cr, NULL);
	side_up(I, "10.0.0.1", ci, psk_i, 0x10000);
	side_up(R, "10.0.0.2", cr, nat ? psk_nat_r : psk_r, 0x20000);
	free(ci);
	free(cr);
	I->policy.pol_mode = R->policy.pol_mode = mode;
	ASSERT_PTR_NE(ph1 = ph1_start(&I->env, cfg_remote_by_name(I->cfg,
	    "10.0.0.2"), &I->addr, &R->addr), NULL);
	pump();
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	sel(&l, IPSECDOI_ID_IPV4_ADDR_SUBNET, "172.16.1.0/24", NULL);
	sel(&r, IPSECDOI_ID_IPV4_ADDR_SUBNET, "172.16.2.0/24", NULL);
	return ph2_quick_start(ph1, &l, &r, &I->policy);
}

static struct ph2 *
natt_world(int nat, const char *natt_i, const char *natt_r, uint16_t mode)
{
	return natt_world_mode(nat, "main", natt_i, natt_r, mode);
}

static void
t_natt_tunnel(void)
{
	struct ph1 *ph1, *rph1;
	struct ph2 *ph2;
	const struct exchange_sa *xsa;
	int i;

	log_reset();
	ASSERT_PTR_NE(ph2 = natt_world(1, "on", "on", IPSECDOI_MODE_TUNNEL),
	    NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ph1 = first_ph1(I);
	rph1 = first_ph1(R);
	ASSERT_INT_EQ(ph1->ph1_natt_ver, NATT_RFC);
	ASSERT_INT_EQ(rph1->ph1_natt_ver, NATT_RFC);
	ASSERT_TRUE(ph1->ph1_natt_flags & NATT_F_ME);
	ASSERT_FALSE(ph1->ph1_natt_flags & NATT_F_PEER);
	ASSERT_TRUE(rph1->ph1_natt_flags & NATT_F_PEER);
	ASSERT_FALSE(rph1->ph1_natt_flags & NATT_F_ME);
	/* The initiator floated; the responder followed the NAT's port. */
	ASSERT_INT_EQ(ph1->ph1_local.a_port, 4500);
	ASSERT_INT_EQ(ph1->ph1_peer.a_port, 4500);
	ASSERT_INT_EQ(rph1->ph1_local.a_port, 4500);
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 4500 + NAT_SHIFT);
	ASSERT_TRUE(log_has("NAT detected: ME"));
	ASSERT_TRUE(log_has("NAT detected: PEER"));
	ASSERT_INT_EQ(ph2->ph2_prop.pp_sa[0].ps_wire_mode,
	    IPSECDOI_MODE_UDPTUNNEL_RFC);
	ASSERT_INT_EQ(ph2->ph2_prop.pp_sa[0].ps_mode, IPSECDOI_MODE_TUNNEL);
	assert_sas_pair(2);
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(I->sas[i].sc_sa.xsa_natt);
		ASSERT_TRUE(R->sas[i].sc_sa.xsa_natt);
		ASSERT_FALSE(R->sas[i].sc_sa.xsa_has_oa);
	}
	/* The responder's SAs name the NAT's address and port. */
	ASSERT_PTR_NE(xsa = find_sa(R, R->sas[0].sc_sa.xsa_spi, 1), NULL);
	ASSERT_INT_EQ(addr_cmp_host(&xsa->xsa_src, &nat_addr), 0);
	ASSERT_INT_EQ(xsa->xsa_src.a_port, 4500 + NAT_SHIFT);
	ASSERT_INT_EQ(xsa->xsa_dst.a_port, 4500);
	/* Keepalives from the side behind the NAT only. */
	now_ms += 21000;
	exchange_timers(&I->env);
	exchange_timers(&R->env);
	now_ms += 21000;
	exchange_timers(&I->env);
	exchange_timers(&R->env);
	ASSERT_INT_EQ(I->nka, 1);
	ASSERT_INT_EQ(I->ka_peer.a_port, 4500);
	ASSERT_INT_EQ(R->nka, 0);
	nat_on = 0;
	world_down();
}

static void
t_natt_transport_oa(void)
{
	struct ph2 *ph2, *rph2;
	const char *why;
	struct addr want;

	ASSERT_PTR_NE(ph2 = natt_world(1, "on", "on",
	    IPSECDOI_MODE_TRANSPORT), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_INT_EQ(ph2->ph2_prop.pp_sa[0].ps_wire_mode,
	    IPSECDOI_MODE_UDPTRNS_RFC);
	rph2 = TAILQ_FIRST(&first_ph1(R)->ph1_ph2s);
	/* NAT-OAi: the responder learns the initiator's own address. */
	ASSERT_TRUE(rph2->ph2_has_natoa);
	ASSERT_INT_EQ(addr_parse("10.0.0.1", 0, &want, &why), 0);
	ASSERT_INT_EQ(addr_cmp_host(&rph2->ph2_natoa, &want), 0);
	ASSERT_TRUE(R->sas[0].sc_sa.xsa_has_oa);
	ASSERT_TRUE(ph2->ph2_has_natoa);
	ASSERT_INT_EQ(addr_cmp_host(&ph2->ph2_natoa, &R->addr), 0);
	nat_on = 0;
	world_down();
}

/* No NAT, but force: both sides encapsulate (the peer is told of one). */
static void
t_natt_force(void)
{
	struct ph2 *ph2;

	ASSERT_PTR_NE(ph2 = natt_world(0, "force", "on",
	    IPSECDOI_MODE_TUNNEL), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_TRUE(first_ph1(I)->ph1_natt_flags & NATT_F_FORCED);
	ASSERT_TRUE(first_ph1(R)->ph1_natt_flags & NATT_F_PEER);
	ASSERT_TRUE(I->sas[0].sc_sa.xsa_natt);
	ASSERT_TRUE(R->sas[0].sc_sa.xsa_natt);
	ASSERT_INT_EQ(first_ph1(I)->ph1_peer.a_port, 4500);
	world_down();
}

/*
 * The side not behind the NAT starts a quick mode (its LAN spoke
 * first): it goes to the NAT's mapping of port 4500, in UDP mode.
 */
static void
t_natt_quick_from_responder(void)
{
	struct ph2 *ph2, *rph2;
	struct ph1 *rph1;
	struct ph2_sel l, r;

	ASSERT_PTR_NE(ph2 = natt_world(1, "on", "on", IPSECDOI_MODE_TUNNEL),
	    NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	rph1 = first_ph1(R);
	sel(&l, IPSECDOI_ID_IPV4_ADDR_SUBNET, "172.16.2.0/24", NULL);
	sel(&r, IPSECDOI_ID_IPV4_ADDR_SUBNET, "172.16.1.0/24", NULL);
	ASSERT_PTR_NE(rph2 = ph2_quick_start(rph1, &l, &r, &R->policy),
	    NULL);
	ASSERT_INT_EQ(Q[nq - 1].peer.a_port, 4500 + NAT_SHIFT);
	pump();
	ASSERT_INT_EQ(rph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_INT_EQ(rph2->ph2_prop.pp_sa[0].ps_wire_mode,
	    IPSECDOI_MODE_UDPTUNNEL_RFC);
	ASSERT_INT_EQ(I->nsa, 4);
	ASSERT_TRUE(I->sas[3].sc_sa.xsa_natt);
	ASSERT_TRUE(R->sas[3].sc_sa.xsa_natt);
	nat_on = 0;
	world_down();
}

/* Aggressive Mode: message 3 floats, NAT-D in messages 2 and 3. */
static void
t_natt_aggressive(void)
{
	struct ph2 *ph2;
	struct ph1 *ph1, *rph1;

	log_reset();
	ASSERT_PTR_NE(ph2 = natt_world_mode(1, "aggressive", "on", "on",
	    IPSECDOI_MODE_TUNNEL), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ph1 = first_ph1(I);
	rph1 = first_ph1(R);
	ASSERT_INT_EQ(ph1->ph1_ex.ex_kind, EXCHANGE_AGGR);
	ASSERT_TRUE(ph1->ph1_natt_flags & NATT_F_ME);
	ASSERT_TRUE(rph1->ph1_natt_flags & NATT_F_PEER);
	ASSERT_INT_EQ(ph1->ph1_local.a_port, 4500);
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 4500 + NAT_SHIFT);
	ASSERT_INT_EQ(ph2->ph2_prop.pp_sa[0].ps_wire_mode,
	    IPSECDOI_MODE_UDPTUNNEL_RFC);
	assert_sas_pair(2);
	ASSERT_TRUE(R->sas[0].sc_sa.xsa_natt);
	nat_on = 0;
	world_down();
}

/*
 * A peer that knows the drafts only (02 and 02n): draft 02n is chosen,
 * the NAT-D payloads are type 130 and the modes 61443.
 */
static void
t_natt_draft(void)
{
	struct ph2 *ph2;

	log_reset();
	natt_hide_rfc = 1;
	ASSERT_PTR_NE(ph2 = natt_world(1, "on", "on", IPSECDOI_MODE_TUNNEL),
	    NULL);
	pump();
	natt_hide_rfc = 0;
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_INT_EQ(first_ph1(I)->ph1_natt_ver, NATT_DRAFT02N);
	ASSERT_INT_EQ(first_ph1(R)->ph1_natt_ver, NATT_DRAFT02N);
	ASSERT_TRUE(first_ph1(I)->ph1_natt_flags & NATT_F_ME);
	ASSERT_TRUE(first_ph1(R)->ph1_natt_flags & NATT_F_PEER);
	ASSERT_TRUE(log_has("NAT-T draft-ietf-ipsec-nat-t-ike-02\\n agreed"));
	ASSERT_INT_EQ(ph2->ph2_prop.pp_sa[0].ps_wire_mode,
	    IPSECDOI_MODE_UDPTUNNEL_DRAFT);
	assert_sas_pair(2);
	ASSERT_TRUE(R->sas[0].sc_sa.xsa_natt);
	nat_on = 0;
	world_down();
}

/*
 * IPv6 with nat_traversal force, transport mode: 16-byte addresses in
 * the NAT-D hashes and the NAT-OA payloads.
 */
static void
t_natt_ipv6_force(void)
{
	static const char ci[] =
	    "remote fd00::2 { exchange_mode main; nat_traversal force;\n"
	    " " P1("aes 128", "sha256", "modp2048") "\n}\n"
	    "sainfo anonymous { " SA_AES " }\n";
	static const char cr[] =
	    "remote fd00::1 { exchange_mode main; nat_traversal on;\n"
	    " " P1("aes 128", "sha256", "modp2048") "\n}\n"
	    "sainfo anonymous { " SA_AES " }\n";
	struct ph2_sel l, r;
	struct ph1 *ph1;
	struct ph2 *ph2, *rph2;

	side_up(I, "fd00::1", ci, "fd00::2 v6 key\n", 0x10000);
	side_up(R, "fd00::2", cr, "fd00::1 v6 key\n", 0x20000);
	ASSERT_PTR_NE(ph1 = ph1_main_start(&I->env, cfg_remote_by_name(I->cfg,
	    "fd00::2"), &I->addr, &R->addr), NULL);
	pump();
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_TRUE(ph1->ph1_natt_flags & NATT_F_FORCED);
	ASSERT_TRUE(first_ph1(R)->ph1_natt_flags & NATT_F_PEER);
	ASSERT_INT_EQ(ph1->ph1_peer.a_port, 4500);
	ASSERT_INT_EQ(ph2_sel_host(&l, &I->addr), 0);
	ASSERT_INT_EQ(ph2_sel_host(&r, &R->addr), 0);
	ASSERT_PTR_NE(ph2 = ph2_quick_start(ph1, &l, &r, &I->policy), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_INT_EQ(ph2->ph2_prop.pp_sa[0].ps_wire_mode,
	    IPSECDOI_MODE_UDPTRNS_RFC);
	rph2 = TAILQ_FIRST(&first_ph1(R)->ph1_ph2s);
	ASSERT_TRUE(rph2->ph2_has_natoa);
	ASSERT_INT_EQ(rph2->ph2_natoa.a_af, AF_INET6);
	ASSERT_INT_EQ(addr_cmp_host(&rph2->ph2_natoa, &I->addr), 0);
	assert_sas_pair(2);
	ASSERT_TRUE(R->sas[0].sc_sa.xsa_natt);
	ASSERT_TRUE(R->sas[0].sc_sa.xsa_has_oa);
	world_down();
}

/* One side off: no vendor ID answered, plain ESP, port 500 stays. */
static void
t_natt_off(void)
{
	struct ph2 *ph2;

	ASSERT_PTR_NE(ph2 = natt_world(0, "on", "off",
	    IPSECDOI_MODE_TUNNEL), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_INT_EQ(first_ph1(I)->ph1_natt_ver, NATT_NONE);
	ASSERT_INT_EQ(first_ph1(R)->ph1_natt_ver, NATT_NONE);
	ASSERT_FALSE(I->sas[0].sc_sa.xsa_natt);
	ASSERT_INT_EQ(I->sas[0].sc_sa.xsa_src.a_port, 0);
	ASSERT_INT_EQ(ph2->ph2_prop.pp_sa[0].ps_wire_mode,
	    IPSECDOI_MODE_TUNNEL);
	ASSERT_INT_EQ(first_ph1(I)->ph1_peer.a_port, 500);
	world_down();
}

/* The kernel's NEW_MAPPING moves the phase 1 with the peer. */
static void
t_natt_new_mapping(void)
{
	struct ph2 *ph2;
	struct ph1 *rph1;
	struct addr from, to;
	const char *why;

	ASSERT_PTR_NE(ph2 = natt_world(1, "on", "on", IPSECDOI_MODE_TUNNEL),
	    NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	rph1 = first_ph1(R);
	from = rph1->ph1_peer;
	to = from;
	to.a_port = 31000;
	natt_new_mapping(&R->env, &from, &to);
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 31000);
	/* A mapping of another peer moves nothing. */
	natt_new_mapping(&R->env, &from, &nat_addr);
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 31000);
	/*
	 * The NAT takes another address: the SAs go from both kernels
	 * (DELETE to the peer where it is now), phase 1 stays and moves.
	 */
	log_reset();
	from = to;
	ASSERT_INT_EQ(addr_parse("10.9.9.8", 0, &to, &why), 0);
	to.a_port = 4500 + NAT_SHIFT;
	natt_new_mapping(&R->env, &from, &to);
	ASSERT_INT_EQ(addr_cmp_host(&rph1->ph1_peer, &to), 0);
	ASSERT_INT_EQ(R->ndel, 2);
	ASSERT_TRUE(log_has("the peer's NAT changed its address"));
	pump();
	ASSERT_INT_EQ(I->ndel, 2);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_EXPIRED);
	ASSERT_INT_EQ(rph1->ph1_state, PH1_S_ESTABLISHED);
	nat_on = 0;
	world_down();
}

/*
 * The NAT maps the initiator anew: a forged message from the new port
 * moves nothing, an authenticated one (the next quick mode) moves the
 * responder's ISAKMP-SA there.
 */
static void
t_natt_follow_authenticated(void)
{
	struct ph2 *ph2;
	struct ph1 *ph1, *rph1;
	struct ph2_sel l, r;
	struct addr from;
	uint8_t forged[80];

	log_reset();
	ASSERT_PTR_NE(ph2 = natt_world(1, "on", "on", IPSECDOI_MODE_TUNNEL),
	    NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ph1 = first_ph1(I);
	rph1 = first_ph1(R);
	/* Its cookies and a body that does not decrypt, from port 5555. */
	memset(forged, 0x41, sizeof(forged));
	memcpy(forged, rph1->ph1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(forged + 8, rph1->ph1_rcookie, ISAKMP_COOKIE_LEN);
	forged[16] = ISAKMP_NPTYPE_HASH;
	forged[17] = ISAKMP_VERSION;
	forged[18] = ISAKMP_ETYPE_INFO;
	forged[19] = ISAKMP_FLAG_E;
	forged[20] = 0x12;
	forged[24] = 0;
	forged[25] = 0;
	forged[26] = 0;
	forged[27] = sizeof(forged);
	from = nat_addr;
	from.a_port = 5555;
	exchange_input(&R->env, &rph1->ph1_local, &from, forged,
	    sizeof(forged));
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 4500 + NAT_SHIFT);
	/* The NAT now maps port 4500 to 24500: a real quick mode. */
	nat_shift = 20000;
	sel(&l, IPSECDOI_ID_IPV4_ADDR_SUBNET, "172.16.1.0/24", NULL);
	sel(&r, IPSECDOI_ID_IPV4_ADDR_SUBNET, "172.16.2.0/24", NULL);
	ASSERT_PTR_NE(ph2 = ph2_quick_start(ph1, &l, &r, &I->policy), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 4500 + 20000);
	ASSERT_TRUE(log_has("NAT-T: ports changed to: 10.0.0.2[4500]<->"
	    "10.9.9.9[24500]"));
	nat_shift = NAT_SHIFT;
	nat_on = 0;
	world_down();
}

/*
 * A message with VID and NAT-D payloads of the given lengths (0 ends
 * each list), parsed.
 */
static void
natt_msg(uint8_t *buf, size_t size, const size_t *vids, const size_t *natds,
    struct isakmp_msg *msg)
{
	struct isakmp_hdr hdr;
	struct isakmp_out out;
	struct wbuf wb;
	uint8_t body[64];
	size_t i;

	memset(&hdr, 0, sizeof(hdr));
	memset(hdr.hdr_icookie, 0x11, sizeof(hdr.hdr_icookie));
	hdr.hdr_version = ISAKMP_VERSION;
	hdr.hdr_etype = ISAKMP_ETYPE_IDENT;
	wbuf_init_fixed(&wb, buf, size);
	ASSERT_INT_EQ(isakmp_out_begin(&out, &wb, &hdr), 0);
	for (i = 0; vids[i] != 0; i++) {
		/* A NAT-T vendor ID's first bytes, then noise. */
		memset(body, 0xa5, sizeof(body));
		memcpy(body, natt_vid(NATT_RFC), vids[i] < NATT_VID_LEN ?
		    vids[i] : NATT_VID_LEN);
		ASSERT_INT_EQ(isakmp_out_pld(&out, ISAKMP_NPTYPE_VID), 0);
		ASSERT_INT_EQ(isakmp_data_build(&wb, body, vids[i]), 0);
	}
	for (i = 0; natds[i] != 0; i++) {
		memset(body, 0x5a, sizeof(body));
		ASSERT_INT_EQ(isakmp_out_pld(&out, ISAKMP_NPTYPE_NATD), 0);
		ASSERT_INT_EQ(isakmp_data_build(&wb, body, natds[i]), 0);
	}
	ASSERT_INT_EQ(isakmp_out_end(&out), 0);
	ASSERT_INT_EQ(isakmp_msg_parse(wbuf_data(&wb), wbuf_len(&wb), msg),
	    ISAKMP_N_OK);
}

/* Each vendor ID is the MD5 of its version's name (RFC 3947 4). */
static void
t_natt_vids(void)
{
	static const struct {
		enum natt_version v;
		const char *s;
	} names[] = {
		{ NATT_RFC, "RFC 3947" },
		{ NATT_DRAFT03, "draft-ietf-ipsec-nat-t-ike-03" },
		{ NATT_DRAFT02N, "draft-ietf-ipsec-nat-t-ike-02\n" },
		{ NATT_DRAFT02, "draft-ietf-ipsec-nat-t-ike-02" },
	};
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned len;
	size_t i;
	uint16_t mode;
	int udp;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ASSERT_INT_EQ(EVP_Digest(names[i].s, strlen(names[i].s), md,
		    &len, EVP_md5(), NULL), 1);
		ASSERT_INT_EQ(len, NATT_VID_LEN);
		ASSERT_MEM_EQ(natt_vid(names[i].v), md, NATT_VID_LEN);
	}
	ASSERT_PTR_EQ(natt_vid(NATT_NONE), NULL);
	ASSERT_INT_EQ(natt_encmode_parse(IPSECDOI_MODE_UDPTUNNEL_DRAFT, &mode,
	    &udp), 0);
	ASSERT_INT_EQ(mode, IPSECDOI_MODE_TUNNEL);
	ASSERT_INT_EQ(udp, 1);
	ASSERT_INT_EQ(natt_encmode_parse(IPSECDOI_MODE_UDPTRNS_RFC, &mode,
	    &udp), 0);
	ASSERT_INT_EQ(mode, IPSECDOI_MODE_TRANSPORT);
	ASSERT_INT_EQ(natt_encmode_parse(5, &mode, &udp), -1);
}

static void
t_natt_bad_lengths(void)
{
	static const size_t vids_bad[] = { 15, 17, 0 };
	static const size_t vids_ok[] = { 16, 0 };
	static const size_t natd_bad[] = { 19, 21, 0 };
	static const size_t none[] = { 0 };
	struct isakmp_msg msg;
	struct ph1 *ph1;
	uint8_t buf[512];

	log_reset();
	ASSERT_PTR_NE(natt_world(0, "on", "on", IPSECDOI_MODE_TUNNEL), NULL);
	ph1 = first_ph1(R);
	/* Vendor IDs of 15 and 17 bytes that start like RFC 3947's. */
	ph1->ph1_natt_ver = NATT_NONE;
	natt_msg(buf, sizeof(buf), vids_bad, none, &msg);
	natt_vid_recv(ph1, &msg);
	ASSERT_INT_EQ(ph1->ph1_natt_ver, NATT_NONE);
	ASSERT_TRUE(log_has("vendor ID payload of 15 bytes like NAT-T RFC "
	    "3947, not 16: dropped"));
	ASSERT_TRUE(log_has("vendor ID payload of 17 bytes"));
	natt_msg(buf, sizeof(buf), vids_ok, none, &msg);
	natt_vid_recv(ph1, &msg);
	ASSERT_INT_EQ(ph1->ph1_natt_ver, NATT_RFC);
	/* NAT-D of 19 and 21 bytes under SHA-1: dropped, NAT-T off. */
	ph1->ph1_natt_flags = 0;
	natt_msg(buf, sizeof(buf), none, natd_bad, &msg);
	ASSERT_INT_EQ(natt_natd_recv(ph1, &msg), ISAKMP_N_OK);
	ASSERT_TRUE(log_has("NAT-D payload of 19 bytes, not 20 (sha1): "
	    "dropped"));
	ASSERT_TRUE(log_has("NAT-D payload of 21 bytes"));
	ASSERT_INT_EQ(ph1->ph1_natt_ver, NATT_NONE);
	ASSERT_INT_EQ(ph1->ph1_natt_flags, 0);
	world_down();
}

/* The article's configuration with DPD on: 2 s delay, 1 s retry, 3. */
#define DPD_CONF(peer, self)						\
    "remote " peer " {\n"						\
    "	exchange_mode main;\n"					\
    "	dpd_delay 2; dpd_retry 1; dpd_maxfail 3;\n"			\
    "	proposal {\n"							\
    "		encryption_algorithm 3des;\n"				\
    "		hash_algorithm md5;\n"					\
    "		authentication_method pre_shared_key;\n"		\
    "		dh_group modp1024;\n"					\
    "	}\n"								\
    "}\n"								\
    "sainfo address " self " any address " peer " any {\n"		\
    "	pfs_group modp1024;\n"						\
    "	encryption_algorithm 3des;\n"					\
    "	authentication_algorithm hmac_md5;\n"				\
    "	compression_algorithm deflate;\n"				\
    "}\n"
static const char conf_dpd_i[] = DPD_CONF("10.0.0.2", "10.0.0.1");
static const char conf_dpd_r[] = DPD_CONF("10.0.0.1", "10.0.0.2");

/* A DPD notify from ph1 to its peer, made as a hostile peer would. */
static void
dpd_forge(struct ph1 *ph1, uint16_t type, uint32_t seq, int bad_cookie,
    size_t datalen)
{
	struct isakmp_notify nt;
	uint8_t data[8] = { (uint8_t)(seq >> 24), (uint8_t)(seq >> 16),
	    (uint8_t)(seq >> 8), (uint8_t)seq };

	memset(&nt, 0, sizeof(nt));
	nt.n_doi = IPSEC_DOI;
	nt.n_proto = ISAKMP_PROTO_ISAKMP;
	nt.n_type = type;
	nt.n_spisize = 16;
	memcpy(nt.n_spi, ph1->ph1_icookie, 8);
	memcpy(nt.n_spi + 8, ph1->ph1_rcookie, 8);
	if (bad_cookie)
		nt.n_spi[3] ^= 0x55;
	nt.n_data = data;
	nt.n_len = datalen;
	ASSERT_INT_EQ(exchange_info_notify(ph1, &nt), 0);
}

/*
 * RFC 3706: both sides announce DPD; a probe after dpd_delay is
 * acknowledged; acknowledgements with numbers we did not send or that
 * were acknowledged already, notifies naming other cookies, short data,
 * an R-U-THERE going back and a message under unknown cookies are
 * dropped and counted.
 */
static void
t_dpd_probe(void)
{
	struct ph1 *ph1, *rph1;
	uint32_t seq;
	uint64_t drops;

	log_reset();
	side_up(I, "10.0.0.1", conf_dpd_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_dpd_r, psk_r, 0x20000);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	ASSERT_INT_EQ(pump(), 6);
	rph1 = first_ph1(R);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_TRUE(ph1->ph1_dpd.dpd_peer_vid && rph1->ph1_dpd.dpd_peer_vid);
	ASSERT_TRUE(dpd_active(ph1) && dpd_active(rph1));
	ASSERT_U64_EQ(exchange_next_timer(&I->env), now_ms + 2000);
	now_ms += 2000;
	exchange_timers(&I->env);
	ASSERT_INT_EQ(nq, 1);
	seq = ph1->ph1_dpd.dpd_seq;
	ASSERT_INT_EQ(ph1->ph1_dpd.dpd_fails, 1);
	ASSERT_INT_EQ(pump(), 2);	/* R-U-THERE, R-U-THERE-ACK */
	ASSERT_INT_EQ(ph1->ph1_dpd.dpd_fails, 0);
	ASSERT_INT_EQ(ph1->ph1_dpd.dpd_last_ack, seq);
	ASSERT_U64_EQ(ph1->ph1_dpd.dpd_next_at, now_ms + 2000);
	drops = I->env.env_dropped;
	/* The same ACK again, one for a number never sent. */
	dpd_forge(rph1, ISAKMP_N_R_U_THERE_ACK, seq, 0, 4);
	dpd_forge(rph1, ISAKMP_N_R_U_THERE_ACK, seq + 7, 0, 4);
	ASSERT_INT_EQ(pump(), 2);
	ASSERT_U64_EQ(I->env.env_dropped, drops + 2);
	ASSERT_TRUE(log_has("Wrong DPD sequence number"));
	ASSERT_INT_EQ(ph1->ph1_dpd.dpd_last_ack, seq);
	/* Other cookies in the SPI; a 3-byte sequence number. */
	dpd_forge(rph1, ISAKMP_N_R_U_THERE, 100, 1, 4);
	dpd_forge(rph1, ISAKMP_N_R_U_THERE, 100, 0, 3);
	ASSERT_INT_EQ(pump(), 2);	/* and nothing answered */
	ASSERT_U64_EQ(I->env.env_dropped, drops + 4);
	ASSERT_TRUE(log_has("its SPI is not this ISAKMP-SA's cookies"));
	ASSERT_TRUE(log_has("not a 4-byte sequence number"));
	/* R-U-THERE 100 is answered, 100 again too, 99 is not. */
	dpd_forge(rph1, ISAKMP_N_R_U_THERE, 100, 0, 4);
	ASSERT_INT_EQ(pump(), 2);
	dpd_forge(rph1, ISAKMP_N_R_U_THERE, 100, 0, 4);
	ASSERT_INT_EQ(pump(), 2);
	dpd_forge(rph1, ISAKMP_N_R_U_THERE, 99, 0, 4);
	ASSERT_INT_EQ(pump(), 1);
	ASSERT_TRUE(log_has("sequence number went back"));
	/* R never asked: it dropped both ACKs of 100. */
	ASSERT_U64_EQ(R->env.env_dropped, 2);
	/* Under cookies no SA has: dropped before any DPD code. */
	drops = I->env.env_dropped;
	dpd_forge(rph1, ISAKMP_N_R_U_THERE, 101, 0, 4);
	Q[0].data[0] ^= 0xff;
	ASSERT_INT_EQ(pump(), 1);
	ASSERT_U64_EQ(I->env.env_dropped, drops + 1);
	world_down();
}

/*
 * Informational messages have no replay protection in IKEv1: one copied
 * off the wire and sent again from another address (an R-U-THERE, a
 * DELETE) is answered or acted on as before, but does not move the
 * responder's ISAKMP-SA there (its DPD would then find the peer dead).
 * A new R-U-THERE from the NAT's new mapping does.
 */
static void
t_natt_replay(void)
{
	struct ph1 *ph1, *rph1;
	struct ph2 *ph2;
	struct addr from;
	uint8_t *rut, *del;
	size_t rut_len, del_len;

	log_reset();
	ASSERT_PTR_NE(ph2 = natt_world(1, "on", "on", IPSECDOI_MODE_TUNNEL),
	    NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	ph1 = first_ph1(I);
	rph1 = first_ph1(R);
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 4500 + NAT_SHIFT);
	/* An R-U-THERE, copied as it passes, and answered. */
	dpd_forge(ph1, ISAKMP_N_R_U_THERE, 100, 0, 4);
	ASSERT_INT_EQ(nq, 1);
	ASSERT_PTR_NE(rut = malloc(Q[0].len), NULL);
	memcpy(rut, Q[0].data, rut_len = Q[0].len);
	ASSERT_INT_EQ(pump(), 2);
	ASSERT_INT_EQ(rph1->ph1_dpd.dpd_peer_seq, 100);
	/* Again from port 5555: R answers the same number, stays put. */
	from = nat_addr;
	from.a_port = 5555;
	exchange_input(&R->env, &rph1->ph1_local, &from, rut, rut_len);
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 4500 + NAT_SHIFT);
	ASSERT_INT_EQ(nq, 1);
	drop_one();
	/* I's DELETE of the phase 2, copied, then sent again: the same. */
	ASSERT_INT_EQ(exchange_delete_ph2(ph2), 0);
	ASSERT_INT_EQ(nq, 1);
	ASSERT_PTR_NE(del = malloc(Q[0].len), NULL);
	memcpy(del, Q[0].data, del_len = Q[0].len);
	ASSERT_INT_EQ(pump(), 1);
	exchange_input(&R->env, &rph1->ph1_local, &from, del, del_len);
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 4500 + NAT_SHIFT);
	ASSERT_FALSE(log_has("ports changed to: 10.0.0.2[4500]<->"
	    "10.9.9.9[5555]"));
	/* The NAT maps I anew: its next R-U-THERE moves R there. */
	nat_shift = 20000;
	dpd_forge(ph1, ISAKMP_N_R_U_THERE, 101, 0, 4);
	ASSERT_INT_EQ(pump_one(), 1);
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 4500 + 20000);
	ASSERT_TRUE(log_has("NAT-T: ports changed to: 10.0.0.2[4500]<->"
	    "10.9.9.9[24500]"));
	pump();
	free(rut);
	free(del);
	nat_shift = NAT_SHIFT;
	nat_on = 0;
	world_down();
}

/*
 * A copy of a Quick Mode message 1, sent again once its phase 2 is gone
 * (from another port): IKEv1 has no replay window, but the message ID
 * was used under this ISAKMP-SA, so the responder neither starts the
 * phase 2 again nor follows the sender.
 */
static void
t_qm_replay(void)
{
	struct ph2 *ph2;
	struct ph1 *rph1;
	struct addr from;
	uint8_t *qm1;
	size_t qm1_len;

	log_reset();
	ASSERT_PTR_NE(ph2 = natt_world(1, "on", "on", IPSECDOI_MODE_TUNNEL),
	    NULL);
	ASSERT_INT_EQ(nq, 1);
	ASSERT_PTR_NE(qm1 = malloc(Q[0].len), NULL);
	memcpy(qm1, Q[0].data, qm1_len = Q[0].len);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	rph1 = first_ph1(R);
	ASSERT_PTR_NE(TAILQ_FIRST(&rph1->ph1_ph2s), NULL);
	ph2_free(TAILQ_FIRST(&rph1->ph1_ph2s));
	from = nat_addr;
	from.a_port = 5555;
	exchange_input(&R->env, &rph1->ph1_local, &from, qm1, qm1_len);
	ASSERT_PTR_EQ(TAILQ_FIRST(&rph1->ph1_ph2s), NULL);
	ASSERT_INT_EQ(nq, 0);
	ASSERT_INT_EQ(rph1->ph1_peer.a_port, 4500 + NAT_SHIFT);
	ASSERT_TRUE(log_has("used before under this ISAKMP-SA"));
	free(qm1);
	nat_on = 0;
	world_down();
}

/*
 * A silent peer is dead dpd_delay + dpd_retry * dpd_maxfail seconds
 * after its last acknowledgement: the daemon hears it, the phase 2 SAs
 * leave the kernel both ways, DELETEs go out, the ISAKMP-SA ends; the
 * peer, alive after all, obeys the DELETEs.
 */
static void
t_dpd_dead(void)
{
	struct ph1 *ph1, *rph1;
	struct ph2 *ph2;
	uint64_t t0;
	int i;

	log_reset();
	side_up(I, "10.0.0.1", conf_dpd_i, psk_i, 0x10000);
	side_up(R, "10.0.0.2", conf_dpd_r, psk_r, 0x20000);
	ASSERT_PTR_NE(ph1 = start_ph1(), NULL);
	pump();
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	rph1 = first_ph1(R);
	t0 = now_ms;
	for (i = 0; i < 3; i++) {
		now_ms = exchange_next_timer(&I->env);
		exchange_timers(&I->env);
		ASSERT_INT_EQ(nq, 1);
		drop_one();
		ASSERT_INT_EQ(ph1->ph1_dpd.dpd_fails, (uint32_t)i + 1);
	}
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	now_ms = exchange_next_timer(&I->env);
	ASSERT_U64_EQ(now_ms - t0, (2 + 1 * 3) * 1000);
	exchange_timers(&I->env);
	ASSERT_INT_EQ(I->ph1_dead, 1);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_EXPIRED);
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_EXPIRED);
	ASSERT_INT_EQ(I->ndel, 2);
	ASSERT_TRUE(log_has("DPD: remote (ISAKMP-SA spi="));
	ASSERT_TRUE(log_has("seems to be dead"));
	ASSERT_INT_EQ(nq, 2);	/* DELETE for the phase 2, the phase 1 */
	pump();
	ASSERT_INT_EQ(rph1->ph1_state, PH1_S_EXPIRED);
	ASSERT_INT_EQ(R->ndel, 2);
	ASSERT_INT_EQ(R->ph1_dead, 0);
	world_down();
}

/* Aggressive Mode (issue 15): a roadwarrior and its gateway. */
static const char conf_rw_i[] =
    "remote 10.0.0.2 {\n"
    "	exchange_mode aggressive;\n"
    "	my_identifier fqdn \"%s\";\n"
    "	proposal {\n"
    "		encryption_algorithm aes;\n"
    "		hash_algorithm sha1;\n"
    "		authentication_method pre_shared_key;\n"
    "		dh_group modp2048;\n"
    "	}\n"
    "}\n"
    "sainfo address 10.0.0.1 any address 10.0.0.2 any {\n"
    "	encryption_algorithm aes;\n"
    "	authentication_algorithm hmac_sha1;\n"
    "	compression_algorithm deflate;\n"
    "}\n";
/*
 * Three remotes for any address: the first allows Main Mode only, the
 * second names another peer, the third names the roadwarrior.
 */
#define RW_PROPOSAL \
    "	proposal {\n" \
    "		encryption_algorithm aes;\n" \
    "		hash_algorithm sha1;\n" \
    "		authentication_method pre_shared_key;\n" \
    "		dh_group modp2048;\n" \
    "	}\n"
#define RW_SAINFO \
    "sainfo anonymous {\n" \
    "	encryption_algorithm aes;\n" \
    "	authentication_algorithm hmac_sha1;\n" \
    "	compression_algorithm deflate;\n" \
    "}\n"
#define RW_PROPOSAL_3DES \
    "	proposal {\n" \
    "		encryption_algorithm 3des;\n" \
    "		hash_algorithm md5;\n" \
    "		authentication_method pre_shared_key;\n" \
    "		dh_group modp1024;\n" \
    "	}\n"
static const char conf_rw_r[] =
    "remote anonymous {\n"
    "	exchange_mode main;\n"
    "	passive on;\n"
    RW_PROPOSAL
    "}\n"
    "remote \"others\" {\n"
    "	exchange_mode aggressive;\n"
    "	passive on;\n"
    "	peers_identifier fqdn \"other.example.net\";\n"
    RW_PROPOSAL
    "}\n"
    "remote \"rw\" {\n"
    "	exchange_mode aggressive;\n"
    "	passive on;\n"
    "	generate_policy unique;\n"
    "	peers_identifier fqdn \"rw.example.net\";\n"
    "	verify_identifier on;\n"
    RW_PROPOSAL
    "}\n"
    RW_SAINFO;
static const char psk_rw_i[] = "10.0.0.2\trw key\n";
static const char psk_rw_r[] = "rw.example.net\trw key\n*\tnot rw key\n";

static struct ph1 *
rw_up(const char *id, const char *rconf, const char *rpsk)
{
	char buf[2048];

	log_reset();
	snprintf(buf, sizeof(buf), conf_rw_i, id);
	side_up(I, "10.0.0.1", buf, psk_rw_i, 0x10000);
	side_up(R, "10.0.0.2", rconf, rpsk, 0x20000);
	return ph1_start(&I->env, cfg_remote_by_name(I->cfg, "10.0.0.2"),
	    &I->addr, &R->addr);
}

static void
t_aggressive(void)
{
	struct ph1 *ph1, *rph1;
	struct ph2 *ph2, *rph2;

	ASSERT_PTR_NE(ph1 = rw_up("rw.example.net", conf_rw_r, psk_rw_r),
	    NULL);
	ASSERT_INT_EQ(ph1->ph1_ex.ex_kind, EXCHANGE_AGGR);
	/* Three messages, then INITIAL-CONTACT in an Informational. */
	ASSERT_INT_EQ(pump(), 4);
	rph1 = first_ph1(R);
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_INT_EQ(rph1->ph1_state, PH1_S_ESTABLISHED);
	ASSERT_STR_EQ(rph1->ph1_remote->r_name, "rw");
	ASSERT_TRUE(log_has("begin Aggressive mode."));
	ASSERT_TRUE(log_has("notification INITIAL-CONTACT received"));
	ASSERT_MEM_EQ(ph1->ph1_keys.ik_skeyid_d, rph1->ph1_keys.ik_skeyid_d,
	    ph1->ph1_keys.ik_prflen);
	/* No policy at the gateway: it generates one, level unique. */
	R->no_policy = 1;
	ASSERT_PTR_NE(ph2 = start_ph2_hosts(ph1), NULL);
	pump();
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_ESTABLISHED);
	assert_sas_pair(2);
	ASSERT_INT_EQ(R->gen_hold, 1);
	ASSERT_INT_EQ(R->gen_unique, 1);
	ASSERT_INT_EQ(R->gen_pol.pol_nproto, 1);
	ASSERT_INT_EQ(R->gen_pol.pol_proto[0], ISAKMP_PROTO_ESP);
	ASSERT_INT_EQ(R->gen_pol.pol_mode, IPSECDOI_MODE_TRANSPORT);
	ASSERT_INT_EQ(I->gen_hold, 0);
	rph2 = TAILQ_FIRST(&rph1->ph1_ph2s);
	ASSERT_INT_EQ(rph2->ph2_genpol, PH2_GENPOL_HELD);
	/* The client's DELETE takes the policies with the SAs. */
	ASSERT_INT_EQ(exchange_delete_ph2(ph2), 0);
	pump();
	ASSERT_INT_EQ(R->ndel, 2);
	ASSERT_INT_EQ(R->gen_release, 1);
	ASSERT_INT_EQ(rph2->ph2_state, PH2_S_EXPIRED);
	world_down();
}

/*
 * Aggressive Mode on a lossy path: message 2 lost, the initiator's
 * resent message 1 is a duplicate that gets message 2 again; message 3
 * lost, the responder resends message 2 and the initiator, done, answers
 * the duplicate with message 3 again.
 */
static void
t_aggressive_loss(void)
{
	struct ph1 *ph1;
	uint64_t t;

	ASSERT_PTR_NE(ph1 = rw_up("rw.example.net", conf_rw_r, psk_rw_r),
	    NULL);
	ASSERT_INT_EQ(pump_one(), 1);	/* message 1 */
	drop_one();			/* message 2 lost */
	t = exchange_next_timer(&I->env);
	now_ms = t;
	exchange_timers(&I->env);	/* message 1 again */
	ASSERT_INT_EQ(nq, 1);
	ASSERT_INT_EQ(pump_one(), 1);	/* a duplicate: message 2 again */
	ASSERT_INT_EQ(count_ph1s(R), 1);
	ASSERT_INT_EQ(pump_one(), 1);	/* message 2 */
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	drop_one();			/* message 3 lost */
	ASSERT_INT_EQ(nq, 1);		/* INITIAL-CONTACT */
	drop_one();
	ASSERT_INT_EQ(first_ph1(R)->ph1_state, PH1_S_KEYED);
	now_ms = exchange_next_timer(&R->env);
	exchange_timers(&R->env);	/* message 2 again */
	ASSERT_INT_EQ(pump_one(), 1);	/* the initiator resends message 3 */
	ASSERT_INT_EQ(pump(), 1);
	ASSERT_INT_EQ(first_ph1(R)->ph1_state, PH1_S_ESTABLISHED);
	world_down();
}

/* generate_policy makes no policy for an address range. */
static void
t_genpolicy_range(void)
{
	static const char conf_i[] =
	    "remote 10.0.0.2 {\n"
	    "	exchange_mode aggressive;\n"
	    "	my_identifier fqdn \"rw.example.net\";\n"
	    RW_PROPOSAL
	    "}\n"
	    RW_SAINFO;
	struct ph1 *ph1;
	struct ph2 *ph2;
	struct ph2_sel l, r;

	log_reset();
	side_up(I, "10.0.0.1", conf_i, psk_rw_i, 0x10000);
	side_up(R, "10.0.0.2", conf_rw_r, psk_rw_r, 0x20000);
	ASSERT_PTR_NE(ph1 = ph1_start(&I->env, cfg_remote_by_name(I->cfg,
	    "10.0.0.2"), &I->addr, &R->addr), NULL);
	pump();
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
	R->no_policy = 1;
	sel(&l, IPSECDOI_ID_IPV4_ADDR_RANGE, "10.0.0.1", "10.0.0.5");
	sel(&r, IPSECDOI_ID_IPV4_ADDR, "10.0.0.2", NULL);
	ASSERT_PTR_NE(ph2 = ph2_quick_start(ph1, &l, &r, &I->policy), NULL);
	pump();
	ASSERT_TRUE(log_has("no policy can be generated for"));
	ASSERT_INT_EQ(ph2->ph2_state, PH2_S_FAILED);
	ASSERT_INT_EQ(R->gen_hold, 0);
	ASSERT_INT_EQ(R->nsa, 0);
	world_down();
}

/* An ID no remote takes, with every other thing right: refused. */
static void
t_aggressive_no_remote(void)
{
	struct ph1 *ph1;

	ASSERT_PTR_NE(ph1 = rw_up("mallory.example.net", conf_rw_r,
	    psk_rw_r), NULL);
	pump();
	ASSERT_TRUE(log_has("no remote allows Aggressive mode with this "
	    "proposal and ID"));
	/* Its notify is not authenticated: the client only logs it. */
	ASSERT_TRUE(log_has("notification NO-PROPOSAL-CHOSEN received from "
	    "the peer (unauthenticated)"));
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_NEW);
	/* The gateway keeps nothing of a refused message 1. */
	exchange_timers(&R->env);
	ASSERT_INT_EQ(count_ph1s(R), 0);
	ASSERT_INT_EQ(R->ph1_up, 0);
	world_down();
}

/*
 * A remote for any ID, and the key under "*" that is not the client's:
 * the client finds the gateway's HASH_R false and stops.
 */
static void
t_aggressive_wrong_key(void)
{
	static const char conf_any[] =
	    "remote anonymous {\n"
	    "	exchange_mode aggressive;\n"
	    RW_PROPOSAL
	    "}\n"
	    RW_SAINFO;
	struct ph1 *ph1;

	ASSERT_PTR_NE(ph1 = rw_up("mallory.example.net", conf_any, psk_rw_r),
	    NULL);
	pump();
	ASSERT_INT_EQ(ph1->ph1_state, PH1_S_FAILED);
	ASSERT_TRUE(log_has("HASH_R mismatch"));
	ASSERT_INT_EQ(R->ph1_up, 0);
	ASSERT_INT_EQ(I->ph1_up, 0);
	world_down();
}

/*
 * Two remotes for any address, told apart by their proposals alone; the
 * client names itself by a key ID, then by a user FQDN, and the gateway
 * finds the key by that name (not "*").
 */
static void
t_aggressive_by_proposal(void)
{
	static const char conf_i[] =
	    "remote 10.0.0.2 {\n"
	    "	exchange_mode aggressive;\n"
	    "	my_identifier %s;\n"
	    RW_PROPOSAL_3DES
	    "}\n"
	    RW_SAINFO;
	static const char conf_r[] =
	    "remote \"aes\" {\n"
	    "	exchange_mode aggressive;\n"
	    "	passive on;\n"
	    RW_PROPOSAL
	    "}\n"
	    "remote \"3des\" {\n"
	    "	exchange_mode aggressive;\n"
	    "	passive on;\n"
	    RW_PROPOSAL_3DES
	    "}\n";
	static const char psk_ids[] = "*\tnot the key\n"
	    "rw-key-id\tkeyid key\nalice@example.org\tuser key\n";
	static const struct {
		const char *my_id, *psk_i;
	} c[] = {
		{ "keyid tag \"rw-key-id\"", "10.0.0.2\tkeyid key\n" },
		{ "user_fqdn \"alice@example.org\"", "10.0.0.2\tuser key\n" },
	};
	char buf[2048];
	struct ph1 *ph1, *rph1;
	size_t k;

	for (k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		log_reset();
		snprintf(buf, sizeof(buf), conf_i, c[k].my_id);
		side_up(I, "10.0.0.1", buf, c[k].psk_i, 0x10000);
		side_up(R, "10.0.0.2", conf_r, psk_ids, 0x20000);
		ASSERT_PTR_NE(ph1 = ph1_start(&I->env, cfg_remote_by_name(
		    I->cfg, "10.0.0.2"), &I->addr, &R->addr), NULL);
		pump();
		rph1 = first_ph1(R);
		ASSERT_INT_EQ(ph1->ph1_state, PH1_S_ESTABLISHED);
		ASSERT_INT_EQ(rph1->ph1_state, PH1_S_ESTABLISHED);
		ASSERT_STR_EQ(rph1->ph1_remote->r_name, "3des");
		world_down();
	}
}

int
main(void)
{
	int fd;

	if ((fd = mkstemp(logpath)) == -1 || log_open_file(logpath) == -1)
		return 1;
	close(fd);
	log_init("test_exchange", LOG_DEST_FILE, 0);
	TEST_RUN(t_article_modp_pfs);
	TEST_RUN(t_quick_from_responder);
	TEST_RUN(t_ecp_nopfs_tunnel_subnets);
	TEST_RUN(t_ah_esp_tunnel_ecp_pfs_range);
	TEST_RUN(t_ah_transport);
	TEST_RUN(t_several_proposals);
	TEST_RUN(t_ipv6_fqdn);
	TEST_RUN(t_pcheck_obey);
	TEST_RUN(t_pcheck_strict);
	TEST_RUN(t_pcheck_claim);
	TEST_RUN(t_pcheck_exact);
	TEST_RUN(t_wrong_psk);
	TEST_RUN(t_wrong_psk_hash);
	TEST_RUN(t_disjoint_ph1);
	TEST_RUN(t_disjoint_ph2);
	TEST_RUN(t_quick_bad_hash);
	TEST_RUN(t_no_policy);
	TEST_RUN(t_retransmit);
	TEST_RUN(t_persend_counter);
	TEST_RUN(t_half_open);
	TEST_RUN(t_dh_after_checks);
	TEST_RUN(t_getspi_late);
	TEST_RUN(t_initial_contact);
	TEST_RUN(t_ph1_lifetime);
	TEST_RUN(t_ph1_rekey_on);
	TEST_RUN(t_ph1_rekey_off);
	TEST_RUN(t_ph1_rekey_force);
	TEST_RUN(t_ph2_retire);
	TEST_RUN(t_garbage);
	TEST_RUN(t_delete);
	TEST_RUN(t_natt_vids);
	TEST_RUN(t_natt_tunnel);
	TEST_RUN(t_natt_transport_oa);
	TEST_RUN(t_natt_force);
	TEST_RUN(t_natt_aggressive);
	TEST_RUN(t_natt_quick_from_responder);
	TEST_RUN(t_natt_ipv6_force);
	TEST_RUN(t_natt_draft);
	TEST_RUN(t_natt_off);
	TEST_RUN(t_natt_new_mapping);
	TEST_RUN(t_natt_follow_authenticated);
	TEST_RUN(t_natt_bad_lengths);
	TEST_RUN(t_dpd_probe);
	TEST_RUN(t_natt_replay);
	TEST_RUN(t_qm_replay);
	TEST_RUN(t_initial_contact_replay);
	TEST_RUN(t_dpd_dead);
	TEST_RUN(t_aggressive);
	TEST_RUN(t_aggressive_no_remote);
	TEST_RUN(t_aggressive_wrong_key);
	TEST_RUN(t_aggressive_by_proposal);
	TEST_RUN(t_genpolicy_range);
	TEST_RUN(t_aggressive_loss);
	world_down();
	log_close();
	unlink(logpath);
	ike_crypto_done();
	return test_done();
}
