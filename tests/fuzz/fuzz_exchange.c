/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for the exchange handlers (src/racoon/exchange.c,
 * ph1_main.c, ph1_aggr.c, ph2_quick.c, proposal.c) behind the codec.
 * Once, an initiator and a responder in this process complete Main
 * Mode.  Then the first input byte chooses the target:
 *	0: the rest is a whole datagram for the responder (message 1 of a
 *	   new Main Mode or Aggressive Mode, which a second remote for any
 *	   address takes, or anything else it must drop);
 *	1: the rest is the payload chain of a Quick Mode message 1, after
 *	   a next payload byte: the harness puts a correct HASH(1) in
 *	   front and encrypts it with the ISAKMP-SA's keys, so the quick
 *	   mode responder and the phase 2 proposal choice read it; UDP
 *	   selectors have no policy, so generate_policy makes one;
 *	2: the same around an Informational exchange's chain (notify and
 *	   delete payloads, DPD's R-U-THERE and ACK among them).  The
 *	   ISAKMP-SA's cookies are set to 0x01..0x10 once it is up, so that
 *	   a seed can name it in a notify's SPI.
 * NAT-T and DPD are on, so that message 1's vendor IDs reach natt.c
 * and dpd.c (the set-up finds no NAT).
 * Failed negotiations are freed by advancing the fake clock.  A crash or
 * a sanitizer report is a finding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "exchange.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "ph1.h"
#include "ph2.h"
#include "proposal.h"
#include "psk.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fz_side {
	struct cfg	*cfg;
	struct psk	*psk;
	struct exchange_env env;
	struct addr	 addr;
};

static struct fz_side	 fz[2];
static uint8_t		 fz_q[8][4096];
static size_t		 fz_qlen[8];
static int		 fz_qto[8], fz_nq, fz_ready;
static uint64_t		 fz_now = 1000000;
static uint32_t		 fz_spi = 0x1000;
static uint32_t		 fz_msgn;

static const char fz_conf[] =
    "remote anonymous {\n exchange_mode main; proposal_check claim;\n"
    " generate_policy on; nat_traversal on; dpd_delay 10;\n"
    " proposal { encryption_algorithm aes; hash_algorithm sha1;\n"
    "  authentication_method pre_shared_key; dh_group modp2048; }\n"
    " proposal { encryption_algorithm 3des; hash_algorithm md5;\n"
    "  authentication_method pre_shared_key; dh_group ecp256; }\n}\n"
    "remote \"aggressive\" {\n exchange_mode aggressive; passive on;\n"
    " peers_identifier fqdn \"rw.example.net\"; nat_traversal force;\n"
    " proposal { encryption_algorithm aes; hash_algorithm sha1;\n"
    "  authentication_method pre_shared_key; dh_group modp2048; }\n}\n"
    "sainfo anonymous {\n pfs_group ecp256; lifetime time 600 sec;\n"
    " encryption_algorithm aes, 3des, aes_gcm_16;\n"
    " authentication_algorithm hmac_sha1, hmac_md5;\n"
    " compression_algorithm deflate;\n}\n";
static const char fz_psk[] = "* fuzzing\n";

static uint64_t
fz_clock(void *arg)
{
	(void)arg;
	return fz_now;
}

static int
fz_send(void *arg, const struct addr *l, const struct addr *p,
    const uint8_t *data, size_t len)
{
	(void)l;
	(void)p;
	/* Only the handshake of the set-up is delivered. */
	if (fz_ready || fz_nq == 8 || len > sizeof(fz_q[0]))
		return 0;
	memcpy(fz_q[fz_nq], data, len);
	fz_qlen[fz_nq] = len;
	fz_qto[fz_nq++] = arg == &fz[0] ? 1 : 0;
	return 0;
}

static int
fz_getspi(void *arg, uint32_t id, size_t idx, uint8_t proto,
    const struct addr *s, const struct addr *d, uint32_t *spi)
{
	(void)arg;
	(void)id;
	(void)proto;
	(void)s;
	(void)d;
	/* Every other negotiation waits for a late answer. */
	if (idx == 0 && (fz_spi & 1)) {
		fz_spi++;
		return 1;
	}
	*spi = fz_spi++;
	return 0;
}

static int
fz_install(void *arg, const struct exchange_sa *sa)
{
	(void)arg;
	(void)sa;
	return 0;
}

static int
fz_policy(void *arg, const struct ph2_sel *l, const struct ph2_sel *r,
    struct proposal_policy *pol)
{
	(void)arg;
	(void)r;
	if (l->sel_proto == 17)		/* generate_policy's turn */
		return -1;
	pol->pol_nproto = 1;
	pol->pol_proto[0] = ISAKMP_PROTO_ESP;
	/* AH+ESP for IPv6 selectors, to reach bundles too. */
	if (l->sel_addr.a_af == AF_INET6) {
		pol->pol_nproto = 2;
		pol->pol_proto[1] = ISAKMP_PROTO_AH;
	}
	pol->pol_mode = IPSECDOI_MODE_TUNNEL;
	return 0;
}

static int
fz_genpolicy(void *arg, int hold, const struct ph2_sel *l,
    const struct ph2_sel *r, const struct proposal_policy *pol,
    const struct addr *me, const struct addr *peer, int unique)
{
	(void)arg;
	(void)hold;
	(void)l;
	(void)r;
	(void)me;
	(void)peer;
	(void)unique;
	return pol->pol_nproto > 0 && pol->pol_nproto <= 2 ? 0 : -1;
}

static void
fz_up(struct fz_side *s, const char *ip)
{
	const char *why;

	s->cfg = cfg_load_mem("racoon.conf", fz_conf, strlen(fz_conf), NULL);
	s->psk = psk_parse("psk.txt", fz_psk, strlen(fz_psk), NULL, NULL);
	if (s->cfg == NULL || s->psk == NULL ||
	    addr_parse(ip, 0, &s->addr, &why) == -1)
		abort();
	s->addr.a_port = 500;
	exchange_env_init(&s->env, s->cfg, s->psk);
	s->env.env_net.en_send = fz_send;
	s->env.env_net.en_arg = s;
	s->env.env_kernel.ek_getspi = fz_getspi;
	s->env.env_kernel.ek_install = fz_install;
	s->env.env_kernel.ek_policy = fz_policy;
	s->env.env_kernel.ek_genpolicy = fz_genpolicy;
	s->env.env_clock.ec_now = fz_clock;
}

static void
fz_init(void)
{
	static int logging;
	int i;

	if (!logging) {
		log_init("fuzz_exchange", LOG_DEST_STDERR, 0);
		/* Rejected input is logged at warning level; keep quiet. */
		if (log_open_file("/dev/null") == -1)
			abort();
		logging = 1;
	}
	fz_nq = 0;
	fz_up(&fz[0], "10.0.0.1");
	fz_up(&fz[1], "10.0.0.2");
	if (ph1_main_start(&fz[0].env, TAILQ_FIRST(&fz[0].cfg->c_remotes),
	    &fz[0].addr, &fz[1].addr) == NULL)
		abort();
	for (i = 0; i < fz_nq; i++)
		exchange_input(&fz[fz_qto[i]].env, &fz[fz_qto[i]].addr,
		    &fz[1 - fz_qto[i]].addr, fz_q[i], fz_qlen[i]);
	if (TAILQ_FIRST(&fz[1].env.env_ph1s)->ph1_state != PH1_S_ESTABLISHED)
		abort();
	/* Keys are derived: the cookies only name the SA from now on. */
	for (i = 0; i < 2; i++) {
		struct ph1 *p = TAILQ_FIRST(&fz[i].env.env_ph1s);
		size_t k;

		for (k = 0; k < ISAKMP_COOKIE_LEN; k++) {
			p->ph1_icookie[k] = (uint8_t)(1 + k);
			p->ph1_rcookie[k] = (uint8_t)(9 + k);
		}
	}
	fz_ready = 1;
}

/*
 * An input took the ISAKMP-SA down (a protected DELETE of it, say): the
 * next one starts from a new Main Mode.
 */
static void
fz_reset(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		exchange_env_clear(&fz[i].env);
		cfg_free(fz[i].cfg);
		psk_free(fz[i].psk);
	}
	fz_ready = 0;
}

/*
 * A quick mode message 1 (or an informational message) around the
 * fuzzed chain, as the initiator, with its HASH(1).
 */
static void
fz_protected(uint8_t etype, const uint8_t *data, size_t len)
{
	struct ph1 *ph1 = TAILQ_FIRST(&fz[0].env.env_ph1s);
	const struct ike_keys *k = &ph1->ph1_keys;
	struct isakmp_hdr hdr;
	struct wbuf plain, wire;
	struct ike_iv iv;
	struct ike_chunk rest;
	uint8_t hash[IKE_PRF_MAX];
	uint32_t msgid;

	if (len < 1)
		return;
	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.hdr_icookie, ph1->ph1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(hdr.hdr_rcookie, ph1->ph1_rcookie, ISAKMP_COOKIE_LEN);
	hdr.hdr_np = ISAKMP_NPTYPE_HASH;
	hdr.hdr_version = ISAKMP_VERSION;
	hdr.hdr_etype = etype;
	/* A new message ID each time: racoon refuses one used before. */
	hdr.hdr_msgid = msgid = ++fz_msgn * 2654435761u | 1;
	rest.c_ptr = data + 1;
	rest.c_len = len - 1;
	if (wbuf_init(&plain, 512, 65536) == -1 ||
	    wbuf_init(&wire, 512, 65536) == -1)
		abort();
	if (isakmp_hdr_build(&plain, &hdr) == 0 &&
	    ike_qm_hash1(k, msgid, &rest, hash) == 0 &&
	    wbuf_put_u8(&plain, data[0]) == 0 &&
	    wbuf_put_u8(&plain, 0) == 0 &&
	    wbuf_put_u16(&plain, (uint16_t)(4 + k->ik_prflen)) == 0 &&
	    wbuf_put_bytes(&plain, hash, k->ik_prflen) == 0 &&
	    wbuf_put_bytes(&plain, rest.c_ptr, rest.c_len) == 0 &&
	    wbuf_set_u32(&plain, 24, (uint32_t)wbuf_len(&plain)) == 0 &&
	    ike_iv_msgid(k, &ph1->ph1_iv, msgid, &iv) == 0 &&
	    ike_encrypt_msg(k, &iv, wbuf_data(&plain), wbuf_len(&plain),
	    &wire) == 0)
		exchange_input(&fz[1].env, &fz[1].addr, &fz[0].addr,
		    wbuf_data(&wire), wbuf_len(&wire));
	wbuf_free(&plain);
	wbuf_free(&wire);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ph1 *ph1;
	struct ph2 *ph2;

	if (!fz_ready)
		fz_init();
	if (len < 1)
		return 0;
	if (data[0] & 1)
		fz_protected(ISAKMP_ETYPE_QUICK, data + 1, len - 1);
	else if (data[0] & 2)
		fz_protected(ISAKMP_ETYPE_INFO, data + 1, len - 1);
	else
		exchange_input(&fz[1].env, &fz[1].addr, &fz[0].addr,
		    data + 1, len - 1);
	/* Late SPIs, then every failed or finished negotiation goes. */
	if ((ph1 = TAILQ_FIRST(&fz[1].env.env_ph1s)) == NULL) {
		fz_reset();
		return 0;
	}
	TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
		if (ph2->ph2_spi_wait & 1)
			exchange_spi(&fz[1].env, ph2->ph2_id, 0, fz_spi++);
	while ((ph2 = TAILQ_FIRST(&ph1->ph1_ph2s)) != NULL)
		ph2_free(ph2);
	while ((ph1 = TAILQ_NEXT(TAILQ_FIRST(&fz[1].env.env_ph1s),
	    ph1_entry)) != NULL)
		ph1_free(ph1);
	if (TAILQ_FIRST(&fz[1].env.env_ph1s)->ph1_state != PH1_S_ESTABLISHED)
		fz_reset();
	return 0;
}
