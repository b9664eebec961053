/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/common/pfkey.c: every extension and every message
 * type survives build -> parse -> decode -> build byte for byte, and each
 * malformation the parser must refuse is refused with af_key's errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "addr.h"
#include "buf.h"
#include "pfkey.h"
#include "test_helper.h"

static struct pfkey_address
mkaddr(const char *s, uint8_t proto)
{
	struct pfkey_address pa;
	const char *why;

	memset(&pa, 0, sizeof(pa));
	if (addr_parse(s, ADDR_PORT | ADDR_PREFIX, &pa.pa_addr, &why) == -1)
		test_fail(__FILE__, __LINE__, "addr_parse %s: %s", s, why);
	pa.pa_proto = proto;
	return pa;
}

static void
start(struct wbuf *wb, uint8_t type, uint8_t satype)
{
	struct pfkey_hdr h = { PF_KEY_V2, type, 0, satype, 0, 0, 42, 4711 };

	if (wbuf_init(wb, 256, PFKEY_MSG_MAX) == -1)
		test_fail(__FILE__, __LINE__, "wbuf_init");
	ASSERT_INT_EQ(pfkey_build_hdr(wb, &h), 0);
}

/*
 * Re-encode a parsed message from its decoded extensions, in type order,
 * through the typed getters and builders.
 */
static void
reencode(const struct pfkey_msg *msg, struct wbuf *out)
{
	struct pfkey_sa sa;
	struct pfkey_lifetime lt;
	struct pfkey_address pa;
	struct pfkey_key pk;
	struct pfkey_spirange sr;
	struct pfkey_sa2 s2;
	struct pfkey_policy pp;
	struct pfkey_alg algs[PFKEY_MAX_ALGS];
	struct pfkey_comb combs[PFKEY_MAX_COMBS];
	size_t n;
	uint8_t u8;
	uint16_t port;
	unsigned t;

	if (wbuf_init(out, 256, PFKEY_MSG_MAX) == -1)
		test_fail(__FILE__, __LINE__, "wbuf_init");
	ASSERT_INT_EQ(pfkey_build_hdr(out, &msg->pm_hdr), 0);
	for (t = 1; t <= SADB_EXT_MAX; t++) {
		if (!pfkey_has(msg, t))
			continue;
		switch (t) {
		case SADB_EXT_SA:
			ASSERT_INT_EQ(pfkey_get_sa(msg, &sa), 0);
			pfkey_put_sa(out, &sa);
			break;
		case SADB_EXT_LIFETIME_CURRENT:
		case SADB_EXT_LIFETIME_HARD:
		case SADB_EXT_LIFETIME_SOFT:
			ASSERT_INT_EQ(pfkey_get_lifetime(msg, t, &lt), 0);
			pfkey_put_lifetime(out, t, &lt);
			break;
		case SADB_EXT_ADDRESS_SRC:
		case SADB_EXT_ADDRESS_DST:
		case SADB_EXT_ADDRESS_PROXY:
		case SADB_X_EXT_NAT_T_OA:
			ASSERT_INT_EQ(pfkey_get_address(msg, t, &pa), 0);
			pfkey_put_address(out, t, &pa);
			break;
		case SADB_EXT_KEY_AUTH:
		case SADB_EXT_KEY_ENCRYPT:
			ASSERT_INT_EQ(pfkey_get_key(msg, t, &pk), 0);
			pfkey_put_key(out, t, pk.pk_bits, pk.pk_data);
			break;
		case SADB_EXT_SPIRANGE:
			ASSERT_INT_EQ(pfkey_get_spirange(msg, &sr), 0);
			pfkey_put_spirange(out, &sr);
			break;
		case SADB_X_EXT_SA2:
			ASSERT_INT_EQ(pfkey_get_sa2(msg, &s2), 0);
			pfkey_put_sa2(out, &s2);
			break;
		case SADB_X_EXT_POLICY:
			ASSERT_INT_EQ(pfkey_get_policy(msg, &pp), 0);
			pfkey_put_policy(out, &pp);
			break;
		case SADB_EXT_SUPPORTED_AUTH:
		case SADB_EXT_SUPPORTED_ENCRYPT:
			ASSERT_INT_EQ(pfkey_get_supported(msg, t, algs,
			    PFKEY_MAX_ALGS, &n), 0);
			pfkey_put_supported(out, t, algs, n);
			break;
		case SADB_EXT_PROPOSAL:
			ASSERT_INT_EQ(pfkey_get_proposal(msg, &u8, combs,
			    PFKEY_MAX_COMBS, &n), 0);
			pfkey_put_proposal(out, u8, combs, n);
			break;
		case SADB_X_EXT_NAT_T_TYPE:
			ASSERT_INT_EQ(pfkey_get_nat_t_type(msg, &u8), 0);
			pfkey_put_nat_t_type(out, u8);
			break;
		case SADB_X_EXT_NAT_T_SPORT:
		case SADB_X_EXT_NAT_T_DPORT:
			ASSERT_INT_EQ(pfkey_get_nat_t_port(msg, t, &port), 0);
			pfkey_put_nat_t_port(out, t, port);
			break;
		default:
			pfkey_put_ext(out, msg, t);
			break;
		}
	}
	ASSERT_INT_EQ(pfkey_build_end(out), 0);
}

/* Parse what was built, re-encode it, and compare the bytes. */
static void
round_trip(struct wbuf *wb, struct pfkey_msg *msg)
{
	struct wbuf again;

	ASSERT_INT_EQ(pfkey_build_end(wb), 0);
	if (pfkey_parse(msg, wbuf_data(wb), wbuf_len(wb)) == -1)
		test_fail(__FILE__, __LINE__, "parse: %s", msg->pm_err);
	ASSERT_INT_EQ(msg->pm_hdr.ph_len * 8, wbuf_len(wb));
	reencode(msg, &again);
	ASSERT_INT_EQ(wbuf_len(&again), wbuf_len(wb));
	ASSERT_MEM_EQ(wbuf_data(&again), wbuf_data(wb), wbuf_len(wb));
	wbuf_free(&again);
}

/* 64 bytes: enough for every key length used below. */
static const uint8_t key160[64] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20
};

/* Every extension in one message, each decoded back to its values. */
static void
t_all_extensions(void)
{
	struct wbuf wb;
	struct pfkey_msg msg;
	struct pfkey_sa sa = { 0x12345678, 32, SADB_SASTATE_MATURE,
	    SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC, SADB_SAFLAGS_PFS }, sa_o;
	struct pfkey_lifetime lt = { 7, 1ULL << 40, 3600, 1800 }, lt_o;
	struct pfkey_address src = mkaddr("10.77.1.0/24[500]", IPPROTO_UDP);
	struct pfkey_address dst = mkaddr("fd00::1[4500]", 255), pa_o;
	struct pfkey_spirange sr = { 0x100, 0x200 }, sr_o;
	struct pfkey_sa2 s2 = { IPSEC_MODE_TUNNEL, 9, 77 }, s2_o;
	struct pfkey_alg algs[2] = { { 12, 16, 128, 256 }, { 3, 8, 192, 192 } };
	struct pfkey_alg algs_o[2];
	struct pfkey_comb comb, comb_o;
	struct pfkey_key pk;
	uint16_t port;
	uint8_t u8;
	size_t n;

	memset(&comb, 0, sizeof(comb));
	comb.pc_auth = SADB_AALG_SHA1HMAC;
	comb.pc_encrypt = SADB_X_EALG_AESCBC;
	comb.pc_encrypt_minbits = 128;
	comb.pc_encrypt_maxbits = 256;
	comb.pc_hard_addtime = 28800;
	comb.pc_soft_usetime = 1;
	start(&wb, SADB_ADD, SADB_SATYPE_ESP);
	pfkey_put_sa(&wb, &sa);
	pfkey_put_lifetime(&wb, SADB_EXT_LIFETIME_CURRENT, &lt);
	pfkey_put_lifetime(&wb, SADB_EXT_LIFETIME_HARD, &lt);
	pfkey_put_lifetime(&wb, SADB_EXT_LIFETIME_SOFT, &lt);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &src);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &dst);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_PROXY, &src);
	pfkey_put_key(&wb, SADB_EXT_KEY_AUTH, 160, key160);
	pfkey_put_key(&wb, SADB_EXT_KEY_ENCRYPT, 128, key160);
	pfkey_put_proposal(&wb, 4, &comb, 1);
	pfkey_put_supported(&wb, SADB_EXT_SUPPORTED_AUTH, algs, 2);
	pfkey_put_supported(&wb, SADB_EXT_SUPPORTED_ENCRYPT, algs, 1);
	pfkey_put_spirange(&wb, &sr);
	pfkey_put_sa2(&wb, &s2);
	pfkey_put_nat_t_type(&wb, UDP_ENCAP_ESPINUDP);
	pfkey_put_nat_t_port(&wb, SADB_X_EXT_NAT_T_SPORT, 4500);
	pfkey_put_nat_t_port(&wb, SADB_X_EXT_NAT_T_DPORT, 40000);
	pfkey_put_address(&wb, SADB_X_EXT_NAT_T_OA, &src);
	round_trip(&wb, &msg);

	ASSERT_INT_EQ(msg.pm_hdr.ph_type, SADB_ADD);
	ASSERT_INT_EQ(msg.pm_hdr.ph_satype, SADB_SATYPE_ESP);
	ASSERT_INT_EQ(msg.pm_hdr.ph_seq, 42);
	ASSERT_INT_EQ(msg.pm_hdr.ph_pid, 4711);
	ASSERT_INT_EQ(pfkey_get_sa(&msg, &sa_o), 0);
	ASSERT_MEM_EQ(&sa_o, &sa, sizeof(sa));
	/* The SPI goes on the wire in network order, after the header. */
	ASSERT_INT_EQ(msg.pm_ext[SADB_EXT_SA].rb_data[4], 0x12);
	ASSERT_INT_EQ(pfkey_get_lifetime(&msg, SADB_EXT_LIFETIME_SOFT, &lt_o),
	    0);
	ASSERT_INT_EQ(lt_o.pl_allocations, 7);
	ASSERT_U64_EQ(lt_o.pl_bytes, 1ULL << 40);
	ASSERT_U64_EQ(lt_o.pl_addtime, 3600);
	ASSERT_U64_EQ(lt_o.pl_usetime, 1800);
	ASSERT_INT_EQ(pfkey_get_address(&msg, SADB_EXT_ADDRESS_SRC, &pa_o), 0);
	ASSERT_INT_EQ(pa_o.pa_proto, IPPROTO_UDP);
	ASSERT_INT_EQ(addr_cmp(&pa_o.pa_addr, &src.pa_addr), 0);
	ASSERT_INT_EQ(pa_o.pa_addr.a_plen, 24);
	ASSERT_INT_EQ(pa_o.pa_addr.a_port, 500);
	ASSERT_INT_EQ(msg.pm_ext[SADB_EXT_ADDRESS_SRC].rb_len, 24);
	ASSERT_INT_EQ(pfkey_get_address(&msg, SADB_EXT_ADDRESS_DST, &pa_o), 0);
	ASSERT_INT_EQ(addr_cmp(&pa_o.pa_addr, &dst.pa_addr), 0);
	ASSERT_INT_EQ(msg.pm_ext[SADB_EXT_ADDRESS_DST].rb_len, 40);
	ASSERT_INT_EQ(pfkey_get_key(&msg, SADB_EXT_KEY_AUTH, &pk), 0);
	ASSERT_INT_EQ(pk.pk_bits, 160);
	ASSERT_INT_EQ(pk.pk_len, 20);
	ASSERT_MEM_EQ(pk.pk_data, key160, 20);
	ASSERT_INT_EQ(msg.pm_ext[SADB_EXT_KEY_AUTH].rb_len, 32);
	ASSERT_INT_EQ(pfkey_get_proposal(&msg, &u8, &comb_o, 1, &n), 0);
	ASSERT_INT_EQ(u8, 4);
	ASSERT_INT_EQ(n, 1);
	ASSERT_INT_EQ(comb_o.pc_auth, SADB_AALG_SHA1HMAC);
	ASSERT_INT_EQ(comb_o.pc_encrypt_maxbits, 256);
	ASSERT_U64_EQ(comb_o.pc_hard_addtime, 28800);
	ASSERT_U64_EQ(comb_o.pc_soft_usetime, 1);
	ASSERT_INT_EQ(pfkey_get_supported(&msg, SADB_EXT_SUPPORTED_AUTH,
	    algs_o, 2, &n), 0);
	ASSERT_INT_EQ(n, 2);
	ASSERT_MEM_EQ(algs_o, algs, sizeof(algs));
	ASSERT_INT_EQ(pfkey_get_spirange(&msg, &sr_o), 0);
	ASSERT_INT_EQ(sr_o.pr_min, 0x100);
	ASSERT_INT_EQ(sr_o.pr_max, 0x200);
	ASSERT_INT_EQ(pfkey_get_sa2(&msg, &s2_o), 0);
	ASSERT_INT_EQ(s2_o.p2_mode, IPSEC_MODE_TUNNEL);
	ASSERT_INT_EQ(s2_o.p2_sequence, 9);
	ASSERT_INT_EQ(s2_o.p2_reqid, 77);
	ASSERT_INT_EQ(pfkey_get_nat_t_type(&msg, &u8), 0);
	ASSERT_INT_EQ(u8, UDP_ENCAP_ESPINUDP);
	ASSERT_INT_EQ(pfkey_get_nat_t_port(&msg, SADB_X_EXT_NAT_T_DPORT,
	    &port), 0);
	ASSERT_INT_EQ(port, 40000);
	ASSERT_INT_EQ(pfkey_get_address(&msg, SADB_X_EXT_NAT_T_OA, &pa_o), 0);
	/* Absent extensions answer 1. */
	ASSERT_INT_EQ(pfkey_has(&msg, SADB_X_EXT_POLICY), 0);
	ASSERT_INT_EQ(pfkey_get_policy(&msg, &(struct pfkey_policy){ 0 }), 1);
	wbuf_free(&wb);
}

/* A policy with transport and tunnel requests, IPv4 and IPv6. */
static void
t_policy(void)
{
	struct wbuf wb;
	struct pfkey_msg msg;
	struct pfkey_policy pp, pp_o;
	struct pfkey_address src = mkaddr("10.77.0.0/16", 255);
	struct pfkey_address dst = mkaddr("10.78.0.0/16[80]", IPPROTO_TCP);
	const char *why;

	memset(&pp, 0, sizeof(pp));
	pp.pp_type = IPSEC_POLICY_IPSEC;
	pp.pp_dir = IPSEC_DIR_OUTBOUND;
	pp.pp_id = 0x1a;
	pp.pp_priority = 0x80000000;
	pp.pp_nreq = 3;
	pp.pp_req[0].pq_proto = IPPROTO_ESP;
	pp.pp_req[0].pq_mode = IPSEC_MODE_TUNNEL;
	pp.pp_req[0].pq_level = IPSEC_LEVEL_UNIQUE;
	pp.pp_req[0].pq_reqid = 5;
	ASSERT_INT_EQ(addr_parse("192.0.2.1", 0, &pp.pp_req[0].pq_src, &why),
	    0);
	ASSERT_INT_EQ(addr_parse("192.0.2.2", 0, &pp.pp_req[0].pq_dst, &why),
	    0);
	pp.pp_req[1].pq_proto = IPPROTO_AH;
	pp.pp_req[1].pq_mode = IPSEC_MODE_TRANSPORT;
	pp.pp_req[1].pq_level = IPSEC_LEVEL_REQUIRE;
	pp.pp_req[2].pq_proto = IPPROTO_ESP;
	pp.pp_req[2].pq_mode = IPSEC_MODE_TUNNEL;
	pp.pp_req[2].pq_level = IPSEC_LEVEL_USE;
	ASSERT_INT_EQ(addr_parse("fd00::1", 0, &pp.pp_req[2].pq_src, &why), 0);
	ASSERT_INT_EQ(addr_parse("fd00::2", 0, &pp.pp_req[2].pq_dst, &why), 0);

	start(&wb, SADB_X_SPDADD, SADB_SATYPE_UNSPEC);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &src);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &dst);
	pfkey_put_policy(&wb, &pp);
	round_trip(&wb, &msg);
	/* 16 + (16 + 2 * 16) + 16 + (16 + 2 * 28) */
	ASSERT_INT_EQ(msg.pm_ext[SADB_X_EXT_POLICY].rb_len, 16 + 48 + 16 + 72);
	ASSERT_INT_EQ(pfkey_get_policy(&msg, &pp_o), 0);
	ASSERT_INT_EQ(pp_o.pp_nreq, 3);
	ASSERT_INT_EQ(pp_o.pp_type, IPSEC_POLICY_IPSEC);
	ASSERT_INT_EQ(pp_o.pp_dir, IPSEC_DIR_OUTBOUND);
	ASSERT_INT_EQ(pp_o.pp_id, 0x1a);
	ASSERT_U64_EQ(pp_o.pp_priority, 0x80000000);
	ASSERT_INT_EQ(pp_o.pp_req[0].pq_level, IPSEC_LEVEL_UNIQUE);
	ASSERT_INT_EQ(pp_o.pp_req[0].pq_reqid, 5);
	ASSERT_INT_EQ(addr_cmp(&pp_o.pp_req[0].pq_dst, &pp.pp_req[0].pq_dst),
	    0);
	ASSERT_INT_EQ(pp_o.pp_req[1].pq_src.a_af, AF_UNSPEC);
	ASSERT_INT_EQ(addr_cmp(&pp_o.pp_req[2].pq_src, &pp.pp_req[2].pq_src),
	    0);
	wbuf_free(&wb);
}

/*
 * Each message type with the extensions it carries one way or the other
 * (RFC 2367 section 3.1 and af_key's replies).
 */
static void
t_every_message_type(void)
{
	struct pfkey_sa sa = { 0x301, 0, SADB_SASTATE_MATURE, 0,
	    SADB_EALG_3DESCBC, 0 };
	struct pfkey_address src = mkaddr("192.168.1.100", 255);
	struct pfkey_address dst = mkaddr("192.168.2.100", 255);
	struct pfkey_lifetime lt = { 0, 0, 30, 0 };
	struct pfkey_spirange sr = { 0xc0000000, 0xcfffffff };
	struct pfkey_policy pp;
	struct pfkey_alg alg = { SADB_X_EALG_AESCBC, 16, 128, 256 };
	struct pfkey_comb comb;
	struct pfkey_msg msg;
	struct wbuf wb;
	unsigned type;

	memset(&pp, 0, sizeof(pp));
	pp.pp_type = IPSEC_POLICY_IPSEC;
	pp.pp_dir = IPSEC_DIR_INBOUND;
	pp.pp_nreq = 1;
	pp.pp_req[0].pq_proto = IPPROTO_ESP;
	pp.pp_req[0].pq_mode = IPSEC_MODE_TRANSPORT;
	pp.pp_req[0].pq_level = IPSEC_LEVEL_REQUIRE;
	memset(&comb, 0, sizeof(comb));
	for (type = 1; type <= SADB_MAX; type++) {
		start(&wb, type, SADB_SATYPE_ESP);
		switch (type) {
		case SADB_GETSPI:
			pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &src);
			pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &dst);
			pfkey_put_spirange(&wb, &sr);
			break;
		case SADB_UPDATE:
		case SADB_ADD:
		case SADB_EXPIRE:
			pfkey_put_sa(&wb, &sa);
			pfkey_put_lifetime(&wb, SADB_EXT_LIFETIME_HARD, &lt);
			pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &src);
			pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &dst);
			pfkey_put_key(&wb, SADB_EXT_KEY_ENCRYPT, 192, key160);
			break;
		case SADB_DELETE:
		case SADB_GET:
			pfkey_put_sa(&wb, &sa);
			pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &src);
			pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &dst);
			break;
		case SADB_ACQUIRE:
			pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &src);
			pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &dst);
			pfkey_put_proposal(&wb, 32, &comb, 1);
			pfkey_put_policy(&wb, &pp);
			break;
		case SADB_REGISTER:
			pfkey_put_supported(&wb, SADB_EXT_SUPPORTED_ENCRYPT,
			    &alg, 1);
			break;
		case SADB_X_SPDUPDATE:
		case SADB_X_SPDADD:
		case SADB_X_SPDDELETE:
		case SADB_X_SPDDUMP:
		case SADB_X_SPDACQUIRE:
			pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &src);
			pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &dst);
			pfkey_put_policy(&wb, &pp);
			break;
		case SADB_X_SPDGET:
		case SADB_X_SPDDELETE2:
			pp.pp_id = 0x11;
			pfkey_put_policy(&wb, &pp);
			break;
		default:
			/* FLUSH, DUMP, PROMISC, SPDFLUSH...: header only. */
			break;
		}
		round_trip(&wb, &msg);
		ASSERT_INT_EQ(msg.pm_hdr.ph_type, type);
		ASSERT_STR_EQ(pfkey_msgtype_name(type),
		    pfkey_msgtype_name(msg.pm_hdr.ph_type));
		ASSERT_TRUE(strcmp(pfkey_msgtype_name(type), "unknown") != 0);
		wbuf_free(&wb);
	}
}

/* A key's padding and a builder that runs out of room. */
static void
t_builder_limits(void)
{
	uint8_t mem[24];
	struct wbuf wb;
	struct pfkey_msg msg;
	struct pfkey_hdr h = { PF_KEY_V2, SADB_FLUSH, 0, 0, 0, 0, 1, 2 };
	struct pfkey_sa sa = { 1, 0, 0, 0, 0, 0 };
	struct pfkey_address none;

	wbuf_init_fixed(&wb, mem, sizeof(mem));
	ASSERT_INT_EQ(pfkey_build_hdr(&wb, &h), 0);
	ASSERT_INT_EQ(pfkey_put_sa(&wb, &sa), -1);
	ASSERT_INT_EQ(pfkey_build_end(&wb), -1);
	/* A second header in the same buffer is refused. */
	wbuf_init_fixed(&wb, mem, sizeof(mem));
	ASSERT_INT_EQ(pfkey_build_hdr(&wb, &h), 0);
	ASSERT_INT_EQ(pfkey_build_hdr(&wb, &h), -1);
	/* An address without a family cannot be written. */
	start(&wb, SADB_GET, SADB_SATYPE_ESP);
	memset(&none, 0, sizeof(none));
	ASSERT_INT_EQ(pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &none), -1);
	ASSERT_INT_EQ(pfkey_build_end(&wb), -1);
	wbuf_free(&wb);
	/* Keys of odd bit counts take whole bytes, padded to 8. */
	start(&wb, SADB_ADD, SADB_SATYPE_AH);
	pfkey_put_key(&wb, SADB_EXT_KEY_AUTH, 1, key160);
	ASSERT_INT_EQ(pfkey_build_end(&wb), 0);
	ASSERT_INT_EQ(pfkey_parse(&msg, wbuf_data(&wb), wbuf_len(&wb)), 0);
	ASSERT_INT_EQ(msg.pm_ext[SADB_EXT_KEY_AUTH].rb_len, 16);
	wbuf_free(&wb);
}

/*
 * Hostile messages.  Each case takes a good message, breaks one thing, and
 * expects errno and a word of the reason.
 */
static uint8_t hostile[1024];
static size_t hostile_len;

/* A GET with SA, SRC and DST; offsets: SA 16, SRC 32, DST 56. */
static void
good_get(void)
{
	struct wbuf wb;
	struct pfkey_sa sa = { 0x400, 0, 0, 0, 0, 0 };
	struct pfkey_address src = mkaddr("10.77.0.1", 255);
	struct pfkey_address dst = mkaddr("10.77.0.2", 255);

	start(&wb, SADB_GET, SADB_SATYPE_ESP);
	pfkey_put_sa(&wb, &sa);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &src);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &dst);
	ASSERT_INT_EQ(pfkey_build_end(&wb), 0);
	ASSERT_INT_EQ(wbuf_len(&wb), 80);
	memcpy(hostile, wbuf_data(&wb), wbuf_len(&wb));
	hostile_len = wbuf_len(&wb);
	wbuf_free(&wb);
}

static void
set16(size_t off, uint16_t v)
{
	memcpy(hostile + off, &v, 2);
}

/* Append a raw extension and fix the message length. */
static void
append(const void *ext, size_t len)
{
	memcpy(hostile + hostile_len, ext, len);
	hostile_len += len;
	set16(4, hostile_len / 8);
}

static void
expect(int code, const char *word, int line)
{
	struct pfkey_msg msg;

	if (pfkey_parse(&msg, hostile, hostile_len) != -1)
		test_fail(__FILE__, line, "accepted");
	if (errno != code)
		test_fail(__FILE__, line, "errno %d, expected %d (%s)", errno,
		    code, msg.pm_err);
	if (strstr(msg.pm_err, word) == NULL)
		test_fail(__FILE__, line, "reason \"%s\" lacks \"%s\"",
		    msg.pm_err, word);
}
#define EXPECT(code, word)	expect((code), (word), __LINE__)

static void
t_hostile_header(void)
{
	struct pfkey_msg msg;

	good_get();
	ASSERT_INT_EQ(pfkey_parse(&msg, hostile, hostile_len), 0);
	hostile_len = 15;
	EXPECT(EMSGSIZE, "header");
	ASSERT_INT_EQ(pfkey_parse(&msg, hostile, 15), -1);
	ASSERT_INT_EQ(msg.pm_hdr_ok, 0);
	good_get();
	hostile[0] = 1;
	EXPECT(EINVAL, "version");
	/* sadb_msg_reserved is the caller's: Linux's SPD answers fill it. */
	good_get();
	set16(6, 1);
	ASSERT_INT_EQ(pfkey_parse(&msg, hostile, hostile_len), 0);
	ASSERT_INT_EQ(msg.pm_hdr.ph_reserved, 1);
	good_get();
	hostile[1] = 0;
	EXPECT(EINVAL, "message type 0");
	hostile[1] = SADB_MAX + 1;
	EXPECT(EINVAL, "message type 25");
	/* The header is there for an error reply even so. */
	ASSERT_INT_EQ(pfkey_parse(&msg, hostile, hostile_len), -1);
	ASSERT_INT_EQ(msg.pm_hdr_ok, 1);
	ASSERT_INT_EQ(msg.pm_hdr.ph_seq, 42);
	good_get();
	set16(4, 11);
	EXPECT(EMSGSIZE, "sadb_msg_len");
	set16(4, 9);
	EXPECT(EMSGSIZE, "sadb_msg_len");
	good_get();
	hostile_len = 79;
	EXPECT(EMSGSIZE, "sadb_msg_len");
}

static void
t_hostile_extensions(void)
{
	static const uint8_t dup_sa[16] = { 2, 0, SADB_EXT_SA, 0 };
	uint8_t big[64];

	good_get();
	set16(16, 0);
	EXPECT(EINVAL, "length 0");
	good_get();
	set16(56, 4);			/* DST claims 32 bytes, 24 left */
	EXPECT(EINVAL, "bytes left");
	good_get();
	set16(18, 0);
	EXPECT(EINVAL, "unknown type 0");
	good_get();
	set16(18, SADB_EXT_MAX + 1);
	EXPECT(EINVAL, "unknown type 27");
	good_get();
	append(dup_sa, sizeof(dup_sa));
	EXPECT(EINVAL, "duplicated");
	/* SA of 8 bytes: short; of 24: overlong. */
	good_get();
	memset(big, 0, sizeof(big));
	big[0] = 1;
	big[2] = SADB_EXT_SPIRANGE;
	append(big, 8);
	EXPECT(EINVAL, "minimum");
	good_get();
	big[0] = 3;
	big[2] = SADB_EXT_SPIRANGE;
	append(big, 24);
	EXPECT(EINVAL, "maximum");
	good_get();
	big[0] = 3;
	big[2] = SADB_EXT_LIFETIME_HARD;
	append(big, 24);
	EXPECT(EINVAL, "minimum");
	good_get();
	big[0] = 2;
	big[2] = SADB_X_EXT_FILTER;
	append(big, 16);
	EXPECT(EINVAL, "minimum");
}

static void
t_hostile_address(void)
{
	uint8_t ext[48];

	good_get();
	set16(40, 99);			/* sockaddr family */
	EXPECT(EINVAL, "address family 99");
	good_get();
	hostile[37] = 33;		/* prefix length */
	EXPECT(EINVAL, "prefix length 33");
	good_get();
	set16(38, 1);			/* sadb_address_reserved */
	EXPECT(EINVAL, "reserved");
	/* A sockaddr_in6 does not fit in 24 bytes. */
	good_get();
	set16(40, AF_INET6);
	EXPECT(EINVAL, "sockaddr_in6");
	/* An IPv4 destination in 32 bytes: a word too many. */
	good_get();
	memset(ext, 0, sizeof(ext));
	memcpy(ext, hostile + 56, 24);
	ext[0] = 4;
	hostile_len = 56;
	append(ext, 32);
	EXPECT(EINVAL, "bytes over");
}

static void
t_hostile_key_policy(void)
{
	uint8_t ext[64];

	/* Key of 200 bits in 16 bytes. */
	good_get();
	memset(ext, 0, sizeof(ext));
	ext[0] = 2;
	ext[2] = SADB_EXT_KEY_AUTH;
	ext[4] = 200;
	append(ext, 16);
	EXPECT(EINVAL, "key: 200 bits");
	/* Key of 64 bits in 24 bytes: overlong. */
	good_get();
	ext[0] = 3;
	ext[4] = 64;
	append(ext, 24);
	EXPECT(EINVAL, "bytes over");
	/* Non-zero key padding. */
	good_get();
	ext[0] = 2;
	ext[4] = 8;
	ext[9] = 1;
	append(ext, 16);
	EXPECT(EINVAL, "padding");
	/* Policy request with a length below 16. */
	good_get();
	memset(ext, 0, sizeof(ext));
	ext[0] = 4;
	ext[2] = SADB_X_EXT_POLICY;
	ext[4] = IPSEC_POLICY_IPSEC;
	ext[6] = IPSEC_DIR_OUTBOUND;
	ext[16] = 8;			/* request length */
	append(ext, 32);
	EXPECT(EINVAL, "request 0 length 8");
	/* ... above what is left. */
	good_get();
	ext[16] = 24;
	append(ext, 32);
	EXPECT(EINVAL, "request 0 length 24");
	/* A tunnel request without endpoints. */
	good_get();
	ext[16] = 16;
	ext[18] = IPPROTO_ESP;
	ext[20] = IPSEC_MODE_TUNNEL;
	append(ext, 32);
	EXPECT(EINVAL, "tunnel without endpoints");
	/* Reserved bytes of a request. */
	good_get();
	ext[20] = IPSEC_MODE_TRANSPORT;
	ext[28] = 1;
	append(ext, 32);
	EXPECT(EINVAL, "reserved");
	/* Reserved byte of the policy. */
	good_get();
	ext[28] = 0;
	ext[7] = 1;
	append(ext, 32);
	EXPECT(EINVAL, "policy: short or reserved");
}

static void
t_hostile_others(void)
{
	uint8_t ext[128];

	/* More than PFKEY_MAX_IPSECREQ requests. */
	good_get();
	memset(ext, 0, sizeof(ext));
	ext[0] = 16;
	ext[2] = SADB_X_EXT_POLICY;
	ext[4] = IPSEC_POLICY_IPSEC;
	for (int i = 0; i < 7; i++) {
		ext[16 + 16 * i] = 16;
		ext[18 + 16 * i] = IPPROTO_ESP;
		ext[20 + 16 * i] = IPSEC_MODE_TRANSPORT;
	}
	append(ext, 128);
	EXPECT(EINVAL, "more than 6");
	/* A proposal of 8 + 64 bytes: not whole combinations. */
	good_get();
	memset(ext, 0, sizeof(ext));
	ext[0] = 9;
	ext[2] = SADB_EXT_PROPOSAL;
	append(ext, 72);
	EXPECT(EINVAL, "multiple of 72");
	/* Supported with a reserved byte set. */
	good_get();
	ext[0] = 2;
	ext[2] = SADB_EXT_SUPPORTED_AUTH;
	ext[14] = 1;
	append(ext, 16);
	EXPECT(EINVAL, "supported");
	/* SPI range reserved. */
	good_get();
	memset(ext, 0, sizeof(ext));
	ext[0] = 2;
	ext[2] = SADB_EXT_SPIRANGE;
	ext[12] = 1;
	append(ext, 16);
	EXPECT(EINVAL, "SPI range: reserved");
	/* SA2 reserved. */
	good_get();
	ext[12] = 0;
	ext[5] = 1;
	ext[2] = SADB_X_EXT_SA2;
	append(ext, 16);
	EXPECT(EINVAL, "SA2");
	/* NAT-T type and port reserved. */
	good_get();
	memset(ext, 0, sizeof(ext));
	ext[0] = 1;
	ext[2] = SADB_X_EXT_NAT_T_TYPE;
	ext[7] = 1;
	append(ext, 8);
	EXPECT(EINVAL, "NAT-T type");
	good_get();
	ext[2] = SADB_X_EXT_NAT_T_SPORT;
	append(ext, 8);
	EXPECT(EINVAL, "NAT-T port");
	/* Security context of 20 bytes declared in 16. */
	good_get();
	memset(ext, 0, sizeof(ext));
	ext[0] = 2;
	ext[2] = SADB_X_EXT_SEC_CTX;
	ext[6] = 20;
	append(ext, 16);
	EXPECT(EINVAL, "security context");
	/* Sensitivity bitmaps that do not fill the extension. */
	good_get();
	memset(ext, 0, sizeof(ext));
	ext[0] = 3;
	ext[2] = SADB_EXT_SENSITIVITY;
	ext[9] = 2;
	append(ext, 24);
	EXPECT(EINVAL, "bitmaps");
	/* Identity of an unknown type. */
	good_get();
	memset(ext, 0, sizeof(ext));
	ext[0] = 2;
	ext[2] = SADB_EXT_IDENTITY_SRC;
	ext[4] = 9;
	append(ext, 16);
	EXPECT(EINVAL, "identity: type 9");
}

/* Every prefix of a good message is refused, never read past. */
static void
t_truncations(void)
{
	struct pfkey_msg msg;
	uint8_t *copy;
	size_t n;

	good_get();
	for (n = 0; n < hostile_len; n++) {
		copy = malloc(n + 1);
		ASSERT_PTR_NE(copy, NULL);
		memcpy(copy, hostile, n);
		ASSERT_INT_EQ(pfkey_parse(&msg, copy, n), -1);
		free(copy);
	}
}

static void
t_names(void)
{
	ASSERT_STR_EQ(pfkey_msgtype_name(SADB_X_SPDDELETE2), "X_SPDDELETE2");
	ASSERT_STR_EQ(pfkey_msgtype_name(99), "unknown");
	ASSERT_STR_EQ(pfkey_ext_name(SADB_X_EXT_NAT_T_OA), "X_NAT_T_OA");
	ASSERT_STR_EQ(pfkey_ext_name(27), "unknown");
	ASSERT_STR_EQ(pfkey_satype_name(SADB_SATYPE_ESP), "esp");
	ASSERT_STR_EQ(pfkey_sastate_name(SADB_SASTATE_DYING), "dying");
	ASSERT_STR_EQ(pfkey_mode_name(IPSEC_MODE_TUNNEL), "tunnel");
	ASSERT_STR_EQ(pfkey_dir_name(IPSEC_DIR_FWD), "fwd");
	ASSERT_STR_EQ(pfkey_policy_name(IPSEC_POLICY_DISCARD), "discard");
	ASSERT_STR_EQ(pfkey_level_name(IPSEC_LEVEL_UNIQUE), "unique");
	ASSERT_INT_EQ(pfkey_satype2proto(SADB_SATYPE_AH), IPPROTO_AH);
	ASSERT_INT_EQ(pfkey_proto2satype(IPPROTO_ESP), SADB_SATYPE_ESP);
	ASSERT_INT_EQ(pfkey_proto2satype(IPPROTO_COMP), SADB_X_SATYPE_IPCOMP);
	ASSERT_INT_EQ(pfkey_satype2proto(SADB_SATYPE_RSVP), 0);
}

int
main(void)
{
	TEST_RUN(t_all_extensions);
	TEST_RUN(t_policy);
	TEST_RUN(t_every_message_type);
	TEST_RUN(t_builder_limits);
	TEST_RUN(t_hostile_header);
	TEST_RUN(t_hostile_extensions);
	TEST_RUN(t_hostile_address);
	TEST_RUN(t_hostile_key_policy);
	TEST_RUN(t_hostile_others);
	TEST_RUN(t_truncations);
	TEST_RUN(t_names);
	return test_done();
}
