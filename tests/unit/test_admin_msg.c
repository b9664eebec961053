/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The admin protocol's codec (admin_msg.c): headers of requests and
 * long replies, sockaddr_storage of both families, SA indexes, the
 * ISAKMP-SA and event records, and what each parser refuses.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <string.h>

#include "addr.h"
#include "admin_msg.h"
#include "buf.h"
#include "test_helper.h"

static void
addr_of(const char *s, struct addr *a)
{
	const char *why;

	ASSERT_INT_EQ(addr_parse(s, ADDR_PORT | ADDR_PREFIX, a, &why), 0);
}

static void
t_header(void)
{
	struct admin_hdr h;
	struct wbuf wb;
	struct rbuf rb;
	const char *why = NULL;
	uint8_t big[70000];

	ASSERT_INT_EQ(wbuf_init(&wb, 64, ADMIN_REPLY_MAX), 0);
	ASSERT_INT_EQ(admin_msg_begin(&wb, ADMIN_SHOW_SA | ADMIN_FLAG_VERSION,
	    ADMIN_VERSION, ADMIN_PROTO_ISAKMP), 0);
	ASSERT_INT_EQ(admin_msg_end(&wb, 0), 0);
	ASSERT_INT_EQ(wbuf_len(&wb), ADMIN_HDR_LEN);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(admin_hdr_parse(&rb, 0, &h, &why), 0);
	ASSERT_INT_EQ(h.ah_cmd, ADMIN_SHOW_SA);
	ASSERT_INT_EQ(h.ah_flag, 1);
	ASSERT_INT_EQ(h.ah_errno, ADMIN_VERSION);
	ASSERT_INT_EQ(h.ah_proto, ADMIN_PROTO_ISAKMP);
	ASSERT_INT_EQ(h.ah_len, ADMIN_HDR_LEN);
	/* A reply over 64 KiB: the long flag and ac_len_high. */
	wbuf_reset(&wb);
	memset(big, 'x', sizeof(big));
	ASSERT_INT_EQ(admin_msg_begin(&wb, ADMIN_STATUS, 0, 1), 0);
	ASSERT_INT_EQ(wbuf_put_bytes(&wb, big, sizeof(big)), 0);
	ASSERT_INT_EQ(admin_msg_end(&wb, 1), 0);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(admin_hdr_parse(&rb, 1, &h, &why), 0);
	ASSERT_INT_EQ(h.ah_cmd, ADMIN_STATUS);
	ASSERT_INT_EQ(h.ah_len, sizeof(big) + ADMIN_HDR_LEN);
	/* ... which no request may be. */
	wbuf_reset(&wb);
	ASSERT_INT_EQ(admin_msg_begin(&wb, ADMIN_STATUS, 0, 1), 0);
	ASSERT_INT_EQ(wbuf_put_bytes(&wb, big, ADMIN_REQ_MAX), 0);
	ASSERT_INT_EQ(admin_msg_end(&wb, 0), -1);
	wbuf_free(&wb);
}

static void
t_header_bad(void)
{
	static const uint8_t shortb[7] = { 8, 0, 1, 0x80, 1, 0, 0 };
	uint8_t b[8];
	struct admin_hdr h;
	struct rbuf rb;
	struct wbuf wb;
	const char *why = NULL;

	rbuf_init(&rb, shortb, sizeof(shortb));
	ASSERT_INT_EQ(admin_hdr_parse(&rb, 0, &h, &why), -1);
	ASSERT_STR_EQ(why, "shorter than the 8-byte header");
	wbuf_init_fixed(&wb, b, sizeof(b));
	ASSERT_INT_EQ(wbuf_put_u16h(&wb, 4), 0);	/* length 4 */
	ASSERT_INT_EQ(wbuf_put_u16h(&wb, ADMIN_RELOAD_CONF), 0);
	ASSERT_INT_EQ(wbuf_put_u32h(&wb, 0), 0);
	rbuf_init(&rb, b, sizeof(b));
	ASSERT_INT_EQ(admin_hdr_parse(&rb, 0, &h, &why), -1);
	ASSERT_STR_EQ(why, "length shorter than the header");
	ASSERT_INT_EQ(wbuf_set_u16h(&wb, 0, ADMIN_REQ_MAX + 1), 0);
	rbuf_init(&rb, b, sizeof(b));
	ASSERT_INT_EQ(admin_hdr_parse(&rb, 0, &h, &why), -1);
	ASSERT_STR_EQ(why, "length over the limit");
	/* A request's flag is the version flag, never a long length. */
	ASSERT_INT_EQ(wbuf_set_u16h(&wb, 2, ADMIN_RELOAD_CONF | 0x8000), 0);
	ASSERT_INT_EQ(wbuf_set_u16h(&wb, 0, 8), 0);
	ASSERT_INT_EQ(wbuf_set_u16h(&wb, 4, 0xffff), 0);
	rbuf_init(&rb, b, sizeof(b));
	ASSERT_INT_EQ(admin_hdr_parse(&rb, 0, &h, &why), 0);
	ASSERT_INT_EQ(h.ah_len, 8);
	/* A reply's: a length over ADMIN_REPLY_MAX. */
	rbuf_init(&rb, b, sizeof(b));
	ASSERT_INT_EQ(admin_hdr_parse(&rb, 1, &h, &why), -1);
}

static void
t_index(void)
{
	struct admin_index ai, back;
	struct wbuf wb;
	struct rbuf rb;
	const char *why = NULL;

	memset(&ai, 0, sizeof(ai));
	addr_of("10.0.0.1[500]", &ai.ai_src);
	addr_of("10.0.0.2", &ai.ai_dst);
	ai.ai_prefs = 24;
	ai.ai_prefd = 32;
	ai.ai_ulproto = 6;
	ASSERT_INT_EQ(wbuf_init(&wb, 64, 4096), 0);
	ASSERT_INT_EQ(admin_index_build(&wb, &ai), 0);
	ASSERT_INT_EQ(wbuf_len(&wb), ADMIN_INDEX_LEN);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(admin_index_parse(&rb, &back, &why), 0);
	ASSERT_INT_EQ(rbuf_left(&rb), 0);
	ASSERT_INT_EQ(back.ai_src.a_port, 500);
	ASSERT_INT_EQ(back.ai_src.a_plen, 24);
	ASSERT_INT_EQ(back.ai_ulproto, 6);
	ASSERT_INT_EQ(addr_cmp_host(&back.ai_dst, &ai.ai_dst), 0);
	/* IPv6 both sides. */
	wbuf_reset(&wb);
	addr_of("2001:db8::1", &ai.ai_src);
	addr_of("2001:db8::2[4500]", &ai.ai_dst);
	ai.ai_prefs = ai.ai_prefd = 128;
	ASSERT_INT_EQ(admin_index_build(&wb, &ai), 0);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(admin_index_parse(&rb, &back, &why), 0);
	ASSERT_INT_EQ(back.ai_dst.a_af, AF_INET6);
	ASSERT_INT_EQ(back.ai_dst.a_port, 4500);
	/* A prefix too long for IPv4; mixed families; a family of 99. */
	wbuf_reset(&wb);
	addr_of("10.0.0.1", &ai.ai_src);
	addr_of("10.0.0.2", &ai.ai_dst);
	ai.ai_prefs = 33;
	ai.ai_prefd = 32;
	ASSERT_INT_EQ(admin_index_build(&wb, &ai), 0);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(admin_index_parse(&rb, &back, &why), -1);
	ASSERT_STR_EQ(why, "SA index: prefix length too long for the "
	    "family");
	wbuf_reset(&wb);
	ai.ai_prefs = 32;
	addr_of("2001:db8::2", &ai.ai_dst);
	ASSERT_INT_EQ(admin_index_build(&wb, &ai), 0);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(admin_index_parse(&rb, &back, &why), -1);
	ASSERT_INT_EQ(wbuf_set_u16h(&wb, 4, 99), 0);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(admin_index_parse(&rb, &back, &why), -1);
	ASSERT_STR_EQ(why, "address family neither inet nor inet6");
	/* Cut short. */
	rbuf_init(&rb, wbuf_data(&wb), ADMIN_INDEX_LEN - 1);
	ASSERT_INT_EQ(admin_index_parse(&rb, &back, &why), -1);
	wbuf_free(&wb);
}

static void
t_records(void)
{
	struct admin_ph1rec pr, pb;
	struct admin_evt ev, eb;
	struct wbuf wb;
	struct rbuf rb;
	const char *why = NULL;

	memset(&pr, 0, sizeof(pr));
	addr_of("192.0.2.1[500]", &pr.pr_local);
	addr_of("192.0.2.2[4500]", &pr.pr_remote);
	memset(pr.pr_icookie, 0xab, 8);
	memset(pr.pr_rcookie, 0xcd, 8);
	pr.pr_status = 3;
	pr.pr_side = 1;
	pr.pr_etype = 2;
	pr.pr_created = 1700000000;
	pr.pr_ph2cnt = 7;
	ASSERT_INT_EQ(wbuf_init(&wb, 64, 4096), 0);
	ASSERT_INT_EQ(admin_ph1rec_build(&wb, &pr), 0);
	ASSERT_INT_EQ(wbuf_len(&wb), ADMIN_PH1REC_LEN);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(admin_ph1rec_parse(&rb, &pb, &why), 0);
	ASSERT_INT_EQ(pb.pr_remote.a_port, 4500);
	ASSERT_MEM_EQ(pb.pr_rcookie, pr.pr_rcookie, 8);
	ASSERT_INT_EQ(pb.pr_ph2cnt, 7);
	ASSERT_U64_EQ(pb.pr_created, 1700000000);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb) - 1);
	ASSERT_INT_EQ(admin_ph1rec_parse(&rb, &pb, &why), -1);
	wbuf_reset(&wb);
	memset(&ev, 0, sizeof(ev));
	ev.ev_type = EVT_PHASE1_UP;
	ev.ev_time = 42;
	ev.ev_src = pr.pr_local;
	ev.ev_msgid = 0x12345678;
	ASSERT_INT_EQ(admin_evt_build(&wb, &ev), 0);
	ASSERT_INT_EQ(wbuf_len(&wb), ADMIN_EVT_LEN);
	rbuf_init(&rb, wbuf_data(&wb), wbuf_len(&wb));
	ASSERT_INT_EQ(admin_evt_parse(&rb, &eb, &why), 0);
	ASSERT_INT_EQ(eb.ev_type, EVT_PHASE1_UP);
	ASSERT_INT_EQ(eb.ev_dst.a_af, AF_UNSPEC);	/* none given */
	ASSERT_INT_EQ(eb.ev_msgid, 0x12345678);
	ASSERT_STR_EQ(admin_evt_name(EVT_PHASE1_UP), "Phase 1 established");
	ASSERT_PTR_EQ(admin_evt_name(0x9999), NULL);
	wbuf_free(&wb);
}

int
main(void)
{
	TEST_RUN(t_header);
	TEST_RUN(t_header_bad);
	TEST_RUN(t_index);
	TEST_RUN(t_records);
	return test_done();
}
