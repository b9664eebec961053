/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/setkey: scripts through the grammar into PF_KEY
 * messages (cmd_build, read back with the codec), and kernel messages
 * into ipsec-tools' -D and -DP layout (dump.c), byte for byte.
 */
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "dump.h"
#include "parse.h"
#include "pfkey.h"
#include "test_helper.h"

/* Parse a script held in a string; returns the error count. */
static int
parse_str(const char *text, struct cmd_list *cmds)
{
	size_t len = strlen(text);
	char *buf = calloc(1, len + 2);
	int n;

	ASSERT_TRUE(buf != NULL);
	memcpy(buf, text, len);
	n = parse_script("t.conf", NULL, NULL, buf, len, cmds);
	free(buf);
	return n;
}

static void
build_parse(const struct cmd *c, struct wbuf *wb, struct pfkey_msg *m)
{
	ASSERT_INT_EQ(wbuf_init(wb, 64, PFKEY_MSG_MAX), 0);
	ASSERT_INT_EQ(cmd_build(c, 7, 4242, wb), 0);
	ASSERT_INT_EQ(pfkey_parse(m, wbuf_data(wb), wbuf_len(wb)), 0);
}

static void
t_add_message(void)
{
	struct cmd_list cmds = TAILQ_HEAD_INITIALIZER(cmds);
	struct pfkey_msg m;
	struct pfkey_sa sa;
	struct pfkey_sa2 sa2;
	struct pfkey_key k;
	struct pfkey_lifetime lt;
	struct pfkey_address pa;
	struct wbuf wb;
	char buf[ADDR_STRLEN];

	ASSERT_INT_EQ(parse_str("add 192.168.1.100 192.168.2.100 esp 0x301 "
	    "-m tunnel -u 9 -lh 30 -ls 20 -E 3des-cbc "
	    "0x7aeaca3f87d060a12f4a4487d5a5c3355920fae69a96c831 "
	    "-A hmac-sha1 0x000102030405060708090a0b0c0d0e0f10111213;",
	    &cmds), 0);
	build_parse(TAILQ_FIRST(&cmds), &wb, &m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_ADD);
	ASSERT_INT_EQ(m.pm_hdr.ph_satype, SADB_SATYPE_ESP);
	ASSERT_INT_EQ(m.pm_hdr.ph_seq, 7);
	ASSERT_INT_EQ(m.pm_hdr.ph_pid, 4242);
	ASSERT_INT_EQ(pfkey_get_sa(&m, &sa), 0);
	ASSERT_U64_EQ(sa.ps_spi, 0x301);
	ASSERT_INT_EQ(sa.ps_encrypt, SADB_EALG_3DESCBC);
	ASSERT_INT_EQ(sa.ps_auth, SADB_AALG_SHA1HMAC);
	ASSERT_INT_EQ(pfkey_get_sa2(&m, &sa2), 0);
	ASSERT_INT_EQ(sa2.p2_mode, IPSEC_MODE_TUNNEL);
	ASSERT_INT_EQ(sa2.p2_reqid, 9);
	ASSERT_INT_EQ(pfkey_get_key(&m, SADB_EXT_KEY_ENCRYPT, &k), 0);
	ASSERT_INT_EQ(k.pk_bits, 192);
	ASSERT_INT_EQ(k.pk_data[0], 0x7a);
	ASSERT_INT_EQ(pfkey_get_key(&m, SADB_EXT_KEY_AUTH, &k), 0);
	ASSERT_INT_EQ(k.pk_bits, 160);
	ASSERT_INT_EQ(pfkey_get_lifetime(&m, SADB_EXT_LIFETIME_HARD, &lt), 0);
	ASSERT_U64_EQ(lt.pl_addtime, 30);
	ASSERT_INT_EQ(pfkey_get_lifetime(&m, SADB_EXT_LIFETIME_SOFT, &lt), 0);
	ASSERT_U64_EQ(lt.pl_addtime, 20);
	ASSERT_INT_EQ(pfkey_get_address(&m, SADB_EXT_ADDRESS_DST, &pa), 0);
	ASSERT_STR_EQ(addr_ntop(&pa.pa_addr, buf, sizeof(buf)),
	    "192.168.2.100");
	ASSERT_INT_EQ(pa.pa_addr.a_plen, 32);
	ASSERT_INT_EQ(pa.pa_proto, IPSEC_ULPROTO_ANY);
	wbuf_free(&wb);
	cmd_list_free(&cmds);
}

static void
t_spdadd_message(void)
{
	struct cmd_list cmds = TAILQ_HEAD_INITIALIZER(cmds);
	struct pfkey_msg m;
	struct pfkey_policy pol;
	struct pfkey_address pa;
	struct wbuf wb;
	char buf[ADDR_STRLEN];

	ASSERT_INT_EQ(parse_str("spdadd 10.0.0.0/8 10.1.0.0/16[80] tcp -P out "
	    "prio high + 3 ipsec esp/tunnel/10.9.0.1-10.9.0.2/unique:12 "
	    "ah/transport//use;", &cmds), 0);
	build_parse(TAILQ_FIRST(&cmds), &wb, &m);
	ASSERT_INT_EQ(m.pm_hdr.ph_type, SADB_X_SPDADD);
	ASSERT_INT_EQ(m.pm_hdr.ph_satype, SADB_SATYPE_UNSPEC);
	ASSERT_INT_EQ(pfkey_get_policy(&m, &pol), 0);
	ASSERT_INT_EQ(pol.pp_dir, IPSEC_DIR_OUTBOUND);
	ASSERT_INT_EQ(pol.pp_type, IPSEC_POLICY_IPSEC);
	ASSERT_U64_EQ(pol.pp_priority, CMD_PRIO_HIGH - 3);
	ASSERT_INT_EQ(pol.pp_nreq, 2);
	ASSERT_INT_EQ(pol.pp_req[0].pq_proto, IPPROTO_ESP);
	ASSERT_INT_EQ(pol.pp_req[0].pq_mode, IPSEC_MODE_TUNNEL);
	ASSERT_INT_EQ(pol.pp_req[0].pq_level, IPSEC_LEVEL_UNIQUE);
	ASSERT_INT_EQ(pol.pp_req[0].pq_reqid, 12);
	ASSERT_STR_EQ(addr_ntop(&pol.pp_req[0].pq_dst, buf, sizeof(buf)),
	    "10.9.0.2");
	ASSERT_INT_EQ(pol.pp_req[1].pq_proto, IPPROTO_AH);
	ASSERT_INT_EQ(pol.pp_req[1].pq_src.a_af, AF_UNSPEC);
	ASSERT_INT_EQ(pfkey_get_address(&m, SADB_EXT_ADDRESS_DST, &pa), 0);
	ASSERT_INT_EQ(pa.pa_proto, IPPROTO_TCP);
	ASSERT_INT_EQ(pa.pa_addr.a_plen, 16);
	ASSERT_INT_EQ(pa.pa_addr.a_port, 80);
	wbuf_free(&wb);
	cmd_list_free(&cmds);
}

static void
t_errors_leave_nothing(void)
{
	struct cmd_list cmds = TAILQ_HEAD_INITIALIZER(cmds);

	ASSERT_INT_EQ(parse_str("flush;\nadd 1.2.3.4 5.6.7.8 esp 1 -E null;\n"
	    "add 1.2.3.4 5.6.7.8 ah 1 -A hmac-md6 0x00;\nspdflush;\n",
	    &cmds), 1);
	ASSERT_TRUE(TAILQ_EMPTY(&cmds));
	ASSERT_INT_EQ(parse_str("add 1.2.3.4 5.6.7.8 esp 1 -E aes-cbc 0x00;\n"
	    "spdadd ::/0 ::/0 any -P out ipsec esp/tunnel//use;\n"
	    "bogus;\n", &cmds), 3);
	ASSERT_TRUE(TAILQ_EMPTY(&cmds));
}

/* The reply to an add of the article's first ESP SA, as a dump shows it. */
static void
sa_reply(struct wbuf *wb)
{
	struct pfkey_hdr h = { PF_KEY_V2, SADB_DUMP, 0, SADB_SATYPE_ESP, 0,
	    0, 1, 1234 };
	struct pfkey_sa sa = { 0x301, 0, SADB_SASTATE_MATURE, 0,
	    SADB_EALG_3DESCBC, 0 };
	struct pfkey_sa2 sa2 = { IPSEC_MODE_TRANSPORT, 0, 0 };
	struct pfkey_lifetime cur = { 0, 0, 0, 0 }, hard = { 0, 0, 30, 0 };
	struct pfkey_address pa = { IPSEC_ULPROTO_ANY, { 0 } };
	static const uint8_t key[] = {
		0x7a, 0xea, 0xca, 0x3f, 0x87, 0xd0, 0x60, 0xa1, 0x2f, 0x4a,
		0x44, 0x87, 0xd5, 0xa5, 0xc3, 0x35, 0x59, 0x20, 0xfa, 0xe6,
		0x9a, 0x96, 0xc8, 0x31
	};

	ASSERT_INT_EQ(wbuf_init(wb, 64, PFKEY_MSG_MAX), 0);
	pfkey_build_hdr(wb, &h);
	pfkey_put_sa(wb, &sa);
	pfkey_put_sa2(wb, &sa2);
	pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_CURRENT, &cur);
	pfkey_put_lifetime(wb, SADB_EXT_LIFETIME_HARD, &hard);
	ASSERT_INT_EQ(addr_parse("192.168.1.100", 0, &pa.pa_addr, NULL), 0);
	pfkey_put_address(wb, SADB_EXT_ADDRESS_SRC, &pa);
	ASSERT_INT_EQ(addr_parse("192.168.2.100", 0, &pa.pa_addr, NULL), 0);
	pfkey_put_address(wb, SADB_EXT_ADDRESS_DST, &pa);
	pfkey_put_key(wb, SADB_EXT_KEY_ENCRYPT, 192, key);
	ASSERT_INT_EQ(pfkey_build_end(wb), 0);
}

static void
t_dump_sa_layout(void)
{
	static const char want[] =
	    "192.168.1.100 192.168.2.100 \n"
	    "\tesp mode=transport spi=769(0x00000301) reqid=0(0x00000000)\n"
	    "\tE: 3des-cbc  7aeaca3f 87d060a1 2f4a4487 d5a5c335 5920fae6 "
	    "9a96c831\n"
	    "\tseq=0x00000000 replay=0 flags=0x00000000 state=mature\n"
	    "\tcreated:                     \tcurrent:                     \n"
	    "\tdiff: 0(s)\thard: 30(s)\tsoft: 0(s)\n"
	    "\tlast:                     \thard: 0(s)\tsoft: 0(s)\n"
	    "\tcurrent: 0(bytes)\thard: 0(bytes)\tsoft: 0(bytes)\n"
	    "\tallocated: 0\thard: 0\tsoft: 0\n"
	    "\tsadb_seq=1 pid=1234 refcnt=0\n";
	struct pfkey_msg m;
	struct wbuf wb;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	sa_reply(&wb);
	ASSERT_INT_EQ(pfkey_parse(&m, wbuf_data(&wb), wbuf_len(&wb)), 0);
	ASSERT_TRUE((fp = open_memstream(&out, &len)) != NULL);
	dump_sa(fp, &m, 0, 0);
	fclose(fp);
	ASSERT_STR_EQ(out, want);
	free(out);
	wbuf_free(&wb);
}

static void
t_dump_sp_layout(void)
{
	static const char want[] =
	    "192.168.1.100[any] 192.168.2.100[any] 255\n"
	    "\tout prio def ipsec\n"
	    "\tesp/transport//require\n"
	    "\tah/tunnel/10.0.0.1-10.0.0.2/unique:5\n"
	    "\tlifetime: 0(s) validtime: 0(s)\n"
	    "\tspid=1 seq=0 pid=99\n"
	    "\trefcnt=0\n";
	struct pfkey_hdr h = { PF_KEY_V2, SADB_X_SPDDUMP, 0, 0, 0, 0, 0, 99 };
	struct pfkey_policy pol;
	struct pfkey_lifetime hard = { 0, 0, 0, 0 };
	struct pfkey_address pa = { IPSEC_ULPROTO_ANY, { 0 } };
	struct pfkey_msg m;
	struct wbuf wb;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	memset(&pol, 0, sizeof(pol));
	pol.pp_type = IPSEC_POLICY_IPSEC;
	pol.pp_dir = IPSEC_DIR_OUTBOUND;
	pol.pp_id = 1;
	pol.pp_priority = CMD_PRIO_DEFAULT;
	pol.pp_nreq = 2;
	pol.pp_req[0].pq_proto = IPPROTO_ESP;
	pol.pp_req[0].pq_mode = IPSEC_MODE_TRANSPORT;
	pol.pp_req[0].pq_level = IPSEC_LEVEL_REQUIRE;
	pol.pp_req[1].pq_proto = IPPROTO_AH;
	pol.pp_req[1].pq_mode = IPSEC_MODE_TUNNEL;
	pol.pp_req[1].pq_level = IPSEC_LEVEL_UNIQUE;
	pol.pp_req[1].pq_reqid = 5;
	ASSERT_INT_EQ(addr_parse("10.0.0.1", 0, &pol.pp_req[1].pq_src, NULL),
	    0);
	ASSERT_INT_EQ(addr_parse("10.0.0.2", 0, &pol.pp_req[1].pq_dst, NULL),
	    0);
	ASSERT_INT_EQ(wbuf_init(&wb, 64, PFKEY_MSG_MAX), 0);
	pfkey_build_hdr(&wb, &h);
	pfkey_put_policy(&wb, &pol);
	pfkey_put_lifetime(&wb, SADB_EXT_LIFETIME_HARD, &hard);
	ASSERT_INT_EQ(addr_parse("192.168.1.100", 0, &pa.pa_addr, NULL), 0);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &pa);
	ASSERT_INT_EQ(addr_parse("192.168.2.100", 0, &pa.pa_addr, NULL), 0);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &pa);
	ASSERT_INT_EQ(pfkey_build_end(&wb), 0);
	ASSERT_INT_EQ(pfkey_parse(&m, wbuf_data(&wb), wbuf_len(&wb)), 0);
	ASSERT_TRUE((fp = open_memstream(&out, &len)) != NULL);
	dump_sp(fp, &m, 0);
	fclose(fp);
	ASSERT_STR_EQ(out, want);
	free(out);
	wbuf_free(&wb);
}

static void
t_prio_fmt(void)
{
	char buf[48];

	cmd_prio_fmt(0, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "");
	cmd_prio_fmt(CMD_PRIO_DEFAULT, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "prio def");
	cmd_prio_fmt(CMD_PRIO_HIGH - 5, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "prio high + 5");
	cmd_prio_fmt(CMD_PRIO_LOW + 7, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "prio low - 7");
}

int
main(void)
{
	TEST_RUN(t_add_message);
	TEST_RUN(t_spdadd_message);
	TEST_RUN(t_errors_leave_nothing);
	TEST_RUN(t_dump_sa_layout);
	TEST_RUN(t_dump_sp_layout);
	TEST_RUN(t_prio_fmt);
	return test_done();
}
