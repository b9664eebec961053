/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/racoon/proposal.c: phase 1 SA payloads from a
 * remote and the choice among a peer's transforms, phase 2 SA payloads
 * from a sainfo and a policy, the choice among several proposals (each
 * proposal_check), the responder's answer and the initiator's check of
 * it, and RESPONDER-LIFETIME.
 */
#include <stdio.h>
#include <string.h>

#include "alg.h"
#include "buf.h"
#include "cfg.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "proposal.h"
#include "test_helper.h"

static struct cfg *
load(const char *text)
{
	struct cfg *c = cfg_load_mem("racoon.conf", text, strlen(text), NULL);

	ASSERT_PTR_NE(c, NULL);
	return c;
}

static void
sa_view(const struct wbuf *w, struct isakmp_sa *sa)
{
	struct rbuf rb;

	rbuf_init(&rb, wbuf_data(w), wbuf_len(w));
	ASSERT_INT_EQ(isakmp_sa_parse(&rb, sa), ISAKMP_N_OK);
}

static const char conf_ph1[] =
    "remote 10.0.0.2 {\n"
    " exchange_mode main; proposal_check %s;\n"
    " proposal { encryption_algorithm aes 256; hash_algorithm sha256;\n"
    "  authentication_method pre_shared_key; dh_group 14;\n"
    "  lifetime time %u sec; }\n"
    " proposal { encryption_algorithm 3des; hash_algorithm sha1;\n"
    "  authentication_method pre_shared_key; dh_group modp1536; }\n"
    "}\n";

static struct cfg *
load_ph1(const char *pcheck, unsigned life)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), conf_ph1, pcheck, life);
	return load(buf);
}

/* Our own offer is accepted by a remote with the same proposals. */
static void
t_ph1_roundtrip(void)
{
	struct cfg *c = load_ph1("obey", 3600);
	struct cfg_remote *rm = TAILQ_FIRST(&c->c_remotes);
	struct proposal_ph1 ch, acc;
	struct wbuf offer, reply;
	struct isakmp_sa sa;

	ASSERT_INT_EQ(wbuf_init(&offer, 64, 4096), 0);
	ASSERT_INT_EQ(wbuf_init(&reply, 64, 4096), 0);
	ASSERT_INT_EQ(proposal_ph1_build(&offer, rm), 0);
	sa_view(&offer, &sa);
	ASSERT_INT_EQ(proposal_ph1_choose(rm, &sa, &ch, &reply), ISAKMP_N_OK);
	ASSERT_PTR_EQ(ch.p1_enc, alg_by_cfgname(ALG_IKE_ENC, "aes"));
	ASSERT_INT_EQ(ch.p1_keylen, 256);
	ASSERT_INT_EQ(ch.p1_lifetime, 3600);
	sa_view(&reply, &sa);
	ASSERT_INT_EQ(proposal_ph1_accept(rm, &sa, &acc), ISAKMP_N_OK);
	ASSERT_PTR_EQ(acc.p1_hash, ch.p1_hash);
	ASSERT_PTR_EQ(acc.p1_dh, alg_by_ike(ALG_DH, 14));
	/* The answer offers the second transform: still ours. */
	wbuf_free(&offer);
	wbuf_free(&reply);
	cfg_free(c);
}

/* Lifetimes under each proposal_check (ours 3600, offered 7200). */
static void
t_ph1_pcheck(void)
{
	static const struct {
		const char *pc;
		int ok;
		uint32_t life;
	} t[] = {
		{ "obey", 1, 7200 }, { "strict", 0, 0 },
		{ "claim", 1, 3600 }, { "exact", 0, 0 },
	};
	struct cfg *peer = load_ph1("obey", 7200), *c;
	struct proposal_ph1 ch;
	struct wbuf offer, reply;
	struct isakmp_sa sa;
	size_t i;

	ASSERT_INT_EQ(wbuf_init(&offer, 64, 4096), 0);
	ASSERT_INT_EQ(wbuf_init(&reply, 64, 4096), 0);
	/* Only the first proposal carries the lifetime under test. */
	ASSERT_INT_EQ(proposal_ph1_build(&offer,
	    TAILQ_FIRST(&peer->c_remotes)), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c = load_ph1(t[i].pc, 3600);
		sa_view(&offer, &sa);
		wbuf_reset(&reply);
		ASSERT_INT_EQ(proposal_ph1_choose(TAILQ_FIRST(&c->c_remotes),
		    &sa, &ch, &reply) == ISAKMP_N_OK, 1);
		/* The second transform (3des, default lifetimes) fits all. */
		if (t[i].ok) {
			ASSERT_PTR_EQ(ch.p1_enc, alg_by_cfgname(ALG_IKE_ENC,
			    "aes"));
			ASSERT_INT_EQ(ch.p1_lifetime, t[i].life);
		} else
			ASSERT_PTR_EQ(ch.p1_enc, alg_by_cfgname(ALG_IKE_ENC,
			    "3des"));
		cfg_free(c);
	}
	wbuf_free(&offer);
	wbuf_free(&reply);
	cfg_free(peer);
}

static void
t_ph1_disjoint(void)
{
	struct cfg *a = load_ph1("obey", 3600), *b;
	struct proposal_ph1 ch;
	struct wbuf offer, reply;
	struct isakmp_sa sa;

	b = load("remote 10.0.0.2 { exchange_mode main;\n"
	    " proposal { encryption_algorithm des;\n"
	    " hash_algorithm md5; authentication_method pre_shared_key;\n"
	    " dh_group modp1024; } }\n");
	ASSERT_INT_EQ(wbuf_init(&offer, 64, 4096), 0);
	ASSERT_INT_EQ(wbuf_init(&reply, 64, 4096), 0);
	ASSERT_INT_EQ(proposal_ph1_build(&offer, TAILQ_FIRST(&a->c_remotes)),
	    0);
	sa_view(&offer, &sa);
	ASSERT_INT_EQ(proposal_ph1_choose(TAILQ_FIRST(&b->c_remotes), &sa,
	    &ch, &reply), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	ASSERT_INT_EQ(wbuf_len(&reply), 0);
	wbuf_free(&offer);
	wbuf_free(&reply);
	cfg_free(a);
	cfg_free(b);
}

static const char conf_ph2[] =
    "sainfo anonymous {\n"
    " lifetime time %u sec; %s\n"
    " encryption_algorithm %s; authentication_algorithm %s;\n"
    " compression_algorithm deflate;\n"
    "}\n";

static struct cfg *
load_ph2(unsigned life, const char *pfs, const char *enc, const char *auth)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), conf_ph2, life, pfs, enc, auth);
	return load(buf);
}

static void
build_ph2(struct wbuf *w, const struct cfg *c,
    const struct proposal_policy *pol)
{
	static const uint32_t spis[2] = { 0x1111, 0x2222 };

	ASSERT_INT_EQ(wbuf_init(w, 64, 8192), 0);
	ASSERT_INT_EQ(proposal_ph2_build(w, TAILQ_FIRST(&c->c_sainfos), pol,
	    spis), 0);
}

/*
 * Several proposals: AH alone (number 1) is skipped by a policy that
 * wants ESP; ESP (number 2) is taken.
 */
static void
t_ph2_several(void)
{
	struct cfg *c = load_ph2(3600, "", "aes 128, 3des",
	    "hmac_sha1, hmac_md5");
	const struct cfg_sainfo *si = TAILQ_FIRST(&c->c_sainfos);
	struct proposal_policy ah = { { ISAKMP_PROTO_AH }, 1,
	    IPSECDOI_MODE_TRANSPORT, 0 };
	struct proposal_policy esp = { { ISAKMP_PROTO_ESP }, 1,
	    IPSECDOI_MODE_TRANSPORT, 0 };
	struct wbuf w1, w2, sa_body, reply;
	struct isakmp_sa_out so;
	struct proposal_ph2 pp, acc;
	struct isakmp_sa sa, sa1, sa2;
	struct isakmp_prop prop;
	struct rbuf rb;
	uint32_t mine = 0x1111;

	build_ph2(&w1, c, &ah);
	build_ph2(&w2, c, &esp);
	sa_view(&w1, &sa1);
	sa_view(&w2, &sa2);
	/* One SA payload: AH as proposal 1, ESP as proposal 2. */
	ASSERT_INT_EQ(wbuf_init(&sa_body, 64, 8192), 0);
	ASSERT_INT_EQ(isakmp_sa_build_begin(&so, &sa_body, IPSEC_DOI,
	    IPSEC_SIT_IDENTITY_ONLY), 0);
	rb = sa1.sa_props;
	ASSERT_INT_EQ(isakmp_prop_next(&rb, &prop), 0);
	ASSERT_INT_EQ(isakmp_sa_build_prop(&so, 1, prop.prop_proto,
	    prop.prop_spi, 4), 0);
	ASSERT_INT_EQ(isakmp_sa_build_trans(&so, 1, 2), 0);	/* AH md5 */
	ASSERT_INT_EQ(isakmp_attr_put_tv(&sa_body, IPSECDOI_ATTR_AUTH, 1), 0);
	rb = sa2.sa_props;
	ASSERT_INT_EQ(isakmp_prop_next(&rb, &prop), 0);
	ASSERT_INT_EQ(isakmp_sa_build_prop(&so, 2, prop.prop_proto,
	    prop.prop_spi, 4), 0);
	ASSERT_INT_EQ(isakmp_sa_build_trans(&so, 7, 3), 0);	/* 3des */
	ASSERT_INT_EQ(isakmp_attr_put_tv(&sa_body, IPSECDOI_ATTR_AUTH, 2), 0);
	ASSERT_INT_EQ(isakmp_attr_put_tv(&sa_body, IPSECDOI_ATTR_ENC_MODE,
	    IPSECDOI_MODE_TRANSPORT), 0);
	ASSERT_INT_EQ(isakmp_sa_build_end(&so), 0);
	sa_view(&sa_body, &sa);
	ASSERT_INT_EQ(proposal_ph2_choose(si, &esp, CFG_PCHECK_OBEY, &sa,
	    &pp), ISAKMP_N_OK);
	ASSERT_INT_EQ(pp.pp_num, 2);
	ASSERT_INT_EQ(pp.pp_nsa, 1);
	ASSERT_INT_EQ(pp.pp_sa[0].ps_trans_num, 7);
	ASSERT_PTR_EQ(pp.pp_sa[0].ps_enc, alg_by_cfgname(ALG_ENC, "3des"));
	ASSERT_PTR_EQ(pp.pp_sa[0].ps_auth, alg_by_cfgname(ALG_AUTH,
	    "hmac_sha1"));
	ASSERT_INT_EQ(pp.pp_sa[0].ps_spi_peer, 0x1111);
	/* No lifetime attribute: RFC 2407's default. */
	ASSERT_INT_EQ(pp.pp_lifetime, CFG_LIFETIME_DEFAULT);
	/* The answer, and the initiator's check of it. */
	pp.pp_sa[0].ps_spi = 0x9999;
	pp.pp_lifetime = 3600;
	ASSERT_INT_EQ(wbuf_init(&reply, 64, 4096), 0);
	ASSERT_INT_EQ(proposal_ph2_reply(&reply, &pp), 0);
	sa_view(&reply, &sa);
	ASSERT_INT_EQ(proposal_ph2_accept(si, &esp, &mine, &sa, &acc),
	    ISAKMP_N_OK);
	ASSERT_INT_EQ(acc.pp_sa[0].ps_spi_peer, 0x9999);
	ASSERT_INT_EQ(acc.pp_sa[0].ps_spi, 0x1111);
	ASSERT_INT_EQ(acc.pp_lifetime, 3600);
	/* The AH-only proposal is no answer to an ESP offer. */
	ASSERT_INT_EQ(proposal_ph2_accept(si, &esp, &mine, &sa1, &acc),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	wbuf_free(&w1);
	wbuf_free(&w2);
	wbuf_free(&sa_body);
	wbuf_free(&reply);
	cfg_free(c);
}

/* AEAD ciphers carry no integrity; AES carries its key length. */
static void
t_ph2_transforms(void)
{
	struct cfg *c = load_ph2(600, "pfs_group 14;", "aes_gcm_16 256, aes",
	    "hmac_sha256, hmac_sha1");
	const struct cfg_sainfo *si = TAILQ_FIRST(&c->c_sainfos);
	struct proposal_policy pol = { { ISAKMP_PROTO_ESP }, 1,
	    IPSECDOI_MODE_TUNNEL, 0 };
	struct proposal_ph2 pp;
	struct isakmp_sa sa;
	struct isakmp_prop prop;
	struct wbuf w;
	struct rbuf rb;

	build_ph2(&w, c, &pol);
	sa_view(&w, &sa);
	rb = sa.sa_props;
	ASSERT_INT_EQ(isakmp_prop_next(&rb, &prop), 0);
	ASSERT_INT_EQ(prop.prop_ntrans, 1 + 2);
	ASSERT_INT_EQ(proposal_ph2_choose(si, &pol, CFG_PCHECK_EXACT, &sa,
	    &pp), ISAKMP_N_OK);
	ASSERT_PTR_EQ(pp.pp_sa[0].ps_enc, alg_by_cfgname(ALG_ENC,
	    "aes_gcm_16"));
	ASSERT_PTR_EQ(pp.pp_sa[0].ps_auth, NULL);
	ASSERT_INT_EQ(pp.pp_sa[0].ps_keylen, 256);
	ASSERT_INT_EQ(proposal_enc_bits(&pp.pp_sa[0]), 256 + 32);
	ASSERT_INT_EQ(pp.pp_lifetime, 600);
	ASSERT_PTR_EQ(pp.pp_pfs, alg_by_ike(ALG_DH, 14));
	/* Transport wanted, tunnel offered: nothing fits. */
	pol.pol_mode = IPSECDOI_MODE_TRANSPORT;
	ASSERT_INT_EQ(proposal_ph2_choose(si, &pol, CFG_PCHECK_OBEY, &sa,
	    &pp), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	wbuf_free(&w);
	cfg_free(c);
}

/*
 * A sainfo of AEAD ciphers alone has no authentication_algorithm: it
 * still offers one transform per cipher and accepts the same offer
 * (found against strongSwan, which proposes aes128gcm16 alone).
 */
static void
t_ph2_aead_alone(void)
{
	static const char text[] =
	    "sainfo anonymous {\n"
	    " encryption_algorithm aes_gcm_16 128, aes_gcm_16 256;\n"
	    " compression_algorithm deflate;\n"
	    "}\n";
	struct cfg *c = load(text);
	const struct cfg_sainfo *si = TAILQ_FIRST(&c->c_sainfos);
	struct proposal_policy pol = { { ISAKMP_PROTO_ESP }, 1,
	    IPSECDOI_MODE_TUNNEL, 0 };
	struct proposal_ph2 pp;
	struct isakmp_sa sa;
	struct isakmp_prop prop;
	struct wbuf w;
	struct rbuf rb;

	ASSERT_INT_EQ(si->si_nauth, 0);
	build_ph2(&w, c, &pol);
	sa_view(&w, &sa);
	rb = sa.sa_props;
	ASSERT_INT_EQ(isakmp_prop_next(&rb, &prop), 0);
	ASSERT_INT_EQ(prop.prop_ntrans, 2);
	ASSERT_INT_EQ(proposal_ph2_choose(si, &pol, CFG_PCHECK_STRICT, &sa,
	    &pp), ISAKMP_N_OK);
	ASSERT_PTR_EQ(pp.pp_sa[0].ps_enc, alg_by_cfgname(ALG_ENC,
	    "aes_gcm_16"));
	ASSERT_PTR_EQ(pp.pp_sa[0].ps_auth, NULL);
	ASSERT_INT_EQ(pp.pp_sa[0].ps_keylen, 128);
	wbuf_free(&w);
	cfg_free(c);
}

/* proposal_set_kernel's judge in the test: a kernel without AEAD. */
static int
no_aead(uint8_t proto, const struct alg *enc, unsigned bits,
    const struct alg *auth)
{
	(void)proto;
	(void)bits;
	(void)auth;
	return enc == NULL || (enc->alg_flags & ALG_F_AEAD) == 0;
}

/*
 * What the kernel's algorithm lists lack is neither proposed nor
 * accepted: with a kernel without AEAD (Linux af_key), the initiator
 * offers aes-cbc alone, and a responder picks the peer's aes-cbc over
 * its aes-gcm-16, though both sides list aes-gcm-16 first.
 */
static void
t_ph2_kernel_algs(void)
{
	static const char text[] =
	    "sainfo anonymous {\n"
	    " encryption_algorithm aes_gcm_16 256, aes 256;\n"
	    " authentication_algorithm hmac_sha256;\n"
	    " compression_algorithm deflate;\n"
	    "}\n";
	struct cfg *c = load(text);
	const struct cfg_sainfo *si = TAILQ_FIRST(&c->c_sainfos);
	struct proposal_policy pol = { { ISAKMP_PROTO_ESP }, 1,
	    IPSECDOI_MODE_TUNNEL, 0 };
	struct proposal_ph2 pp;
	struct isakmp_sa sa;
	struct isakmp_prop prop;
	struct wbuf w, w2;
	struct rbuf rb;

	/* The peer's offer, made without a kernel to ask: both. */
	build_ph2(&w, c, &pol);
	sa_view(&w, &sa);
	rb = sa.sa_props;
	ASSERT_INT_EQ(isakmp_prop_next(&rb, &prop), 0);
	ASSERT_INT_EQ(prop.prop_ntrans, 2);
	proposal_set_kernel(no_aead);
	ASSERT_INT_EQ(proposal_ph2_choose(si, &pol, CFG_PCHECK_STRICT, &sa,
	    &pp), ISAKMP_N_OK);
	ASSERT_PTR_EQ(pp.pp_sa[0].ps_enc, alg_by_cfgname(ALG_ENC, "aes"));
	ASSERT_PTR_EQ(pp.pp_sa[0].ps_auth, alg_by_cfgname(ALG_AUTH,
	    "hmac_sha256"));
	/* Our own offer leaves it out. */
	build_ph2(&w2, c, &pol);
	sa_view(&w2, &sa);
	rb = sa.sa_props;
	ASSERT_INT_EQ(isakmp_prop_next(&rb, &prop), 0);
	ASSERT_INT_EQ(prop.prop_ntrans, 1);
	proposal_set_kernel(NULL);
	wbuf_free(&w);
	wbuf_free(&w2);
	cfg_free(c);

	/* A sainfo of AEAD alone accepts nothing from such a kernel. */
	c = load("sainfo anonymous {\n"
	    " encryption_algorithm aes_gcm_16 128;\n"
	    " compression_algorithm deflate;\n"
	    "}\n");
	si = TAILQ_FIRST(&c->c_sainfos);
	build_ph2(&w, c, &pol);
	sa_view(&w, &sa);
	proposal_set_kernel(no_aead);
	ASSERT_INT_NE(proposal_ph2_choose(si, &pol, CFG_PCHECK_STRICT, &sa,
	    &pp), ISAKMP_N_OK);
	proposal_set_kernel(NULL);
	wbuf_free(&w);
	cfg_free(c);
}

static void
t_responder_lifetime(void)
{
	struct proposal_ph2 pp, claim;
	struct wbuf w;

	memset(&pp, 0, sizeof(pp));
	memset(&claim, 0, sizeof(claim));
	pp.pp_lifetime = 28800;
	claim.pp_lifetime = 1200;
	ASSERT_INT_EQ(wbuf_init(&w, 16, 256), 0);
	ASSERT_INT_EQ(proposal_lifetime_build(&w, &claim), 0);
	ASSERT_INT_EQ(proposal_lifetime_parse(wbuf_data(&w), wbuf_len(&w),
	    &pp), ISAKMP_N_OK);
	ASSERT_INT_EQ(pp.pp_lifetime, 1200);
	/* Never lengthened. */
	claim.pp_lifetime = 99999;
	wbuf_reset(&w);
	ASSERT_INT_EQ(proposal_lifetime_build(&w, &claim), 0);
	ASSERT_INT_EQ(proposal_lifetime_parse(wbuf_data(&w), wbuf_len(&w),
	    &pp), ISAKMP_N_OK);
	ASSERT_INT_EQ(pp.pp_lifetime, 1200);
	/* Other attributes are refused. */
	wbuf_reset(&w);
	ASSERT_INT_EQ(isakmp_attr_put_tv(&w, IPSECDOI_ATTR_ENC_MODE, 1), 0);
	ASSERT_INT_EQ(proposal_lifetime_parse(wbuf_data(&w), wbuf_len(&w),
	    &pp), ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED);
	wbuf_free(&w);
}

int
main(void)
{
	log_init("test_proposal", LOG_DEST_STDERR, 0);
	TEST_RUN(t_ph1_roundtrip);
	TEST_RUN(t_ph1_pcheck);
	TEST_RUN(t_ph1_disjoint);
	TEST_RUN(t_ph2_several);
	TEST_RUN(t_ph2_transforms);
	TEST_RUN(t_ph2_aead_alone);
	TEST_RUN(t_ph2_kernel_algs);
	TEST_RUN(t_responder_lifetime);
	ike_crypto_done();
	return test_done();
}
