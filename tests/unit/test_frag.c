/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/ipsecd/frag.c: split and reassemble IPv4 and IPv6
 * datagrams in any order, and refuse what an attacker would send
 * (overlaps, too many fragments, fragments past 64 KiB, stale datagrams).
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "pkt.h"
#include "test_helper.h"

#define MAXF	64

struct frags {
	int	 n;
	size_t	 len[MAXF];
	uint8_t	 data[MAXF][4096];
};

static int
collect(void *arg, const uint8_t *p, size_t len)
{
	struct frags *f = arg;

	if (f->n == MAXF || len > sizeof(f->data[0]))
		return -1;
	memcpy(f->data[f->n], p, len);
	f->len[f->n++] = len;
	return 0;
}

static size_t
make_v4(uint8_t *p, size_t payload, int df)
{
	size_t i, len = 20 + payload;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8), p[3] = (uint8_t)len;
	p[4] = 0xbe, p[5] = 0xef;
	p[6] = df ? 0x40 : 0;
	p[8] = 64, p[9] = IPPROTO_UDP;
	p[12] = 10, p[13] = 77, p[15] = 1;
	p[16] = 10, p[17] = 77, p[19] = 2;
	for (i = 0; i < payload; i++)
		p[20 + i] = (uint8_t)(i * 13 + 1);
	pkt_v4_set_cksum(p);
	return len;
}

static size_t
make_v6(uint8_t *p, size_t payload)
{
	size_t i, len = 40 + 8 + payload;

	memset(p, 0, 48);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8), p[5] = (uint8_t)(len - 40);
	p[6] = IPPROTO_HOPOPTS, p[7] = 64;
	p[8] = 0xfd, p[23] = 1, p[24] = 0xfd, p[39] = 2;
	p[40] = IPPROTO_UDP, p[41] = 0, p[42] = 1, p[43] = 4;	/* PadN */
	for (i = 0; i < payload; i++)
		p[48 + i] = (uint8_t)(i * 7 + 3);
	return len;
}

/* Feed fragments in the given order; the last one must complete. */
static void
reassemble(struct frags *f, const int *order, const uint8_t *want,
    size_t wantlen)
{
	struct reasm r;
	struct wbuf out;
	const char *why = NULL;
	int i;

	reasm_init(&r);
	ASSERT_INT_EQ(wbuf_init(&out, 0, 70000), 0);
	for (i = 0; i < f->n; i++) {
		enum reasm_result res = reasm_input(&r, f->data[order[i]],
		    f->len[order[i]], 1000, &out, &why);

		ASSERT_INT_EQ(res, i == f->n - 1 ? REASM_DONE : REASM_HELD);
	}
	ASSERT_INT_EQ(wbuf_len(&out), wantlen);
	ASSERT_MEM_EQ(wbuf_data(&out), want, wantlen);
	ASSERT_INT_EQ(r.r_count, 0);
	ASSERT_INT_EQ(r.r_bytes, 0);
	reasm_free(&r);
	wbuf_free(&out);
}

static void
t_v4_split_and_reassemble(void)
{
	static uint8_t pkt[4000];
	static struct frags f;
	static const int fwd[] = { 0, 1, 2 }, rev[] = { 2, 1, 0 },
	    mid[] = { 1, 2, 0 };
	size_t len = make_v4(pkt, 3000, 0);
	const char *why;
	int i;

	f.n = 0;
	ASSERT_INT_EQ(frag_split(pkt, len, 1400, 0, collect, &f, &why), 0);
	ASSERT_INT_EQ(f.n, 3);
	for (i = 0; i < f.n; i++) {
		ASSERT_TRUE(f.len[i] <= 1400);
		ASSERT_INT_EQ(pkt_cksum(f.data[i], 20), 0);
	}
	ASSERT_INT_EQ(f.data[0][6], 0x20);		/* MF */
	ASSERT_INT_EQ(f.data[2][6] & 0x20, 0);
	reassemble(&f, fwd, pkt, len);
	reassemble(&f, rev, pkt, len);
	reassemble(&f, mid, pkt, len);
	f.n = 0;
	ASSERT_INT_EQ(frag_split(pkt, 1000, 1400, 0, collect, &f, &why), -1);
	ASSERT_INT_EQ(frag_split(pkt, len, 4000, 0, collect, &f, &why), 0);
	ASSERT_INT_EQ(f.n, 1);				/* fits: as is */
	ASSERT_INT_EQ(frag_split(pkt, len, 20, 0, collect, &f, &why), -1);
	len = make_v4(pkt, 3000, 1);
	ASSERT_INT_EQ(frag_split(pkt, len, 1400, 0, collect, &f, &why),
	    FRAG_DF);
}

static void
t_v6_split_and_reassemble(void)
{
	static uint8_t pkt[4000];
	static struct frags f;
	static const int fwd[] = { 0, 1, 2 }, odd[] = { 2, 0, 1 };
	size_t len = make_v6(pkt, 3000);
	const char *why;

	f.n = 0;
	ASSERT_INT_EQ(frag_split(pkt, len, 1280, 0x1234, collect, &f, &why),
	    0);
	ASSERT_INT_EQ(f.n, 3);
	/* The fragment header follows the hop-by-hop header. */
	ASSERT_INT_EQ(f.data[0][40], IPPROTO_FRAGMENT);
	ASSERT_INT_EQ(f.data[0][48], IPPROTO_UDP);
	ASSERT_INT_EQ(f.data[0][55], 0x34);
	ASSERT_TRUE(f.len[0] <= 1280);
	reassemble(&f, fwd, pkt, len);
	reassemble(&f, odd, pkt, len);
}

static void
t_not_a_fragment_and_duplicates(void)
{
	static uint8_t pkt[4000];
	static struct frags f;
	struct reasm r;
	struct wbuf out;
	const char *why;
	size_t len = make_v4(pkt, 2000, 0);

	reasm_init(&r);
	ASSERT_INT_EQ(wbuf_init(&out, 0, 70000), 0);
	ASSERT_INT_EQ(reasm_input(&r, pkt, len, 0, &out, &why),
	    REASM_NOT_FRAG);
	ASSERT_INT_EQ(reasm_input(&r, pkt, len - 1, 0, &out, &why),
	    REASM_DROP);
	f.n = 0;
	ASSERT_INT_EQ(frag_split(pkt, len, 1000, 0, collect, &f, &why), 0);
	ASSERT_INT_EQ(reasm_input(&r, f.data[0], f.len[0], 0, &out, &why),
	    REASM_HELD);
	ASSERT_INT_EQ(reasm_input(&r, f.data[0], f.len[0], 0, &out, &why),
	    REASM_HELD);
	ASSERT_INT_EQ(reasm_input(&r, f.data[1], f.len[1], 0, &out, &why),
	    REASM_HELD);
	ASSERT_INT_EQ(reasm_input(&r, f.data[2], f.len[2], 0, &out, &why),
	    REASM_DONE);
	ASSERT_INT_EQ(wbuf_len(&out), len);
	reasm_free(&r);
	wbuf_free(&out);
}

static void
t_overlap_drops_datagram(void)
{
	static uint8_t pkt[4000];
	static struct frags f;
	struct reasm r;
	struct wbuf out;
	const char *why;
	size_t len = make_v4(pkt, 2000, 0);
	uint8_t *g;

	f.n = 0;
	ASSERT_INT_EQ(frag_split(pkt, len, 1000, 0, collect, &f, &why), 0);
	reasm_init(&r);
	ASSERT_INT_EQ(wbuf_init(&out, 0, 70000), 0);
	ASSERT_INT_EQ(reasm_input(&r, f.data[0], f.len[0], 0, &out, &why),
	    REASM_HELD);
	/* The second fragment claims to start 8 bytes early. */
	g = f.data[1];
	g[7] = (uint8_t)(g[7] - 1);
	pkt_v4_set_cksum(g);
	ASSERT_INT_EQ(reasm_input(&r, g, f.len[1], 0, &out, &why),
	    REASM_DROP);
	ASSERT_STR_EQ(why, "overlapping fragments");
	ASSERT_INT_EQ(r.r_count, 0);
	ASSERT_INT_EQ(r.r_bytes, 0);
	reasm_free(&r);
	wbuf_free(&out);
}

static void
t_limits_and_timeout(void)
{
	static uint8_t pkt[4000];
	static struct frags f;
	struct reasm r;
	struct wbuf out;
	const char *why;
	size_t len = make_v4(pkt, 2000, 0);
	uint8_t small[28];
	int i;

	reasm_init(&r);
	ASSERT_INT_EQ(wbuf_init(&out, 0, 70000), 0);
	f.n = 0;
	ASSERT_INT_EQ(frag_split(pkt, len, 1000, 0, collect, &f, &why), 0);
	ASSERT_INT_EQ(reasm_input(&r, f.data[0], f.len[0], 1000, &out, &why),
	    REASM_HELD);
	ASSERT_INT_EQ(reasm_expire(&r, 1000 + REASM_TIMEOUT_MS - 1), 0);
	ASSERT_INT_EQ(reasm_expire(&r, 1000 + REASM_TIMEOUT_MS), 1);
	/* The rest alone never completes: the headers went with the first. */
	ASSERT_INT_EQ(reasm_input(&r, f.data[1], f.len[1], 40000, &out, &why),
	    REASM_HELD);
	ASSERT_INT_EQ(reasm_input(&r, f.data[2], f.len[2], 40000, &out, &why),
	    REASM_HELD);
	reasm_free(&r);
	reasm_init(&r);
	/* 8-byte fragments: more than REASM_MAX_FRAGS give up. */
	make_v4(small, 8, 0);
	small[6] = 0x20;
	for (i = 0; i <= REASM_MAX_FRAGS; i++) {
		small[6] = (uint8_t)(0x20 | (i + 1) >> 8);
		small[7] = (uint8_t)(i + 1);
		pkt_v4_set_cksum(small);
		if (reasm_input(&r, small, sizeof(small), 0, &out, &why) ==
		    REASM_DROP)
			break;
	}
	ASSERT_INT_EQ(i, REASM_MAX_FRAGS);
	ASSERT_STR_EQ(why, "too many fragments held");
	/* An offset that reaches past 64 KiB. */
	small[6] = 0x3f, small[7] = 0xff;
	pkt_v4_set_cksum(small);
	ASSERT_INT_EQ(reasm_input(&r, small, sizeof(small), 0, &out, &why),
	    REASM_DROP);
	ASSERT_STR_EQ(why, "fragment beyond the datagram's end");
	/* A middle fragment whose length is not a multiple of 8. */
	make_v4(small, 7, 0);
	small[6] = 0x20;
	pkt_v4_set_cksum(small);
	ASSERT_INT_EQ(reasm_input(&r, small, 27, 0, &out, &why), REASM_DROP);
	/* Many datagrams at once: the oldest make room. */
	for (i = 0; i < REASM_MAX_DGRAMS + 10; i++) {
		make_v4(small, 8, 0);
		small[4] = (uint8_t)i;
		small[6] = 0x20;
		pkt_v4_set_cksum(small);
		ASSERT_INT_EQ(reasm_input(&r, small, sizeof(small), 0, &out,
		    &why), REASM_HELD);
	}
	ASSERT_INT_EQ(r.r_count, REASM_MAX_DGRAMS);
	reasm_free(&r);
	wbuf_free(&out);
}

int
main(void)
{
	TEST_RUN(t_v4_split_and_reassemble);
	TEST_RUN(t_v6_split_and_reassemble);
	TEST_RUN(t_not_a_fragment_and_duplicates);
	TEST_RUN(t_overlap_drops_datagram);
	TEST_RUN(t_limits_and_timeout);
	return test_done();
}
