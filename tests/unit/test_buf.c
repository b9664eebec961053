/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for src/common/buf.c: the reader and writer of untrusted bytes. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "test_helper.h"

static const uint8_t bytes[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a
};

static void
t_get_network_order(void)
{
	struct rbuf rb;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	rbuf_init(&rb, bytes, 7);
	ASSERT_INT_EQ(rbuf_get_u8(&rb, &u8), 0);
	ASSERT_INT_EQ(u8, 0x01);
	ASSERT_INT_EQ(rbuf_get_u16(&rb, &u16), 0);
	ASSERT_INT_EQ(u16, 0x0203);
	ASSERT_INT_EQ(rbuf_get_u32(&rb, &u32), 0);
	ASSERT_U64_EQ(u32, 0x04050607);
	ASSERT_INT_EQ(rbuf_left(&rb), 0);
	ASSERT_INT_EQ(rbuf_offset(&rb), 7);
}

static void
t_get_u64(void)
{
	struct rbuf rb;
	uint64_t v;

	rbuf_init(&rb, bytes, 8);
	ASSERT_INT_EQ(rbuf_get_u64(&rb, &v), 0);
	ASSERT_U64_EQ(v, 0x0102030405060708ULL);
	rbuf_init(&rb, bytes, 7);
	ASSERT_INT_EQ(rbuf_get_u64(&rb, &v), -1);
	ASSERT_INT_EQ(rbuf_offset(&rb), 0);
}

static void
t_get_host_order(void)
{
	struct rbuf rb;
	uint16_t u16, e16;
	uint32_t u32, e32;
	uint64_t u64, e64;

	memcpy(&e16, bytes, 2);
	memcpy(&e32, bytes + 2, 4);
	rbuf_init(&rb, bytes, 6);
	ASSERT_INT_EQ(rbuf_get_u16h(&rb, &u16), 0);
	ASSERT_INT_EQ(u16, e16);
	ASSERT_INT_EQ(rbuf_get_u32h(&rb, &u32), 0);
	ASSERT_U64_EQ(u32, e32);
	memcpy(&e64, bytes, 8);
	rbuf_init(&rb, bytes, 8);
	ASSERT_INT_EQ(rbuf_get_u64h(&rb, &u64), 0);
	ASSERT_U64_EQ(u64, e64);
	rbuf_init(&rb, bytes, 6);
	ASSERT_INT_EQ(rbuf_peek_u32h(&rb, 2, &u32), 0);
	ASSERT_U64_EQ(u32, e32);
	ASSERT_INT_EQ(rbuf_peek_u32h(&rb, 3, &u32), -1);
	ASSERT_INT_EQ(rbuf_offset(&rb), 0);
}

/* A read past the end fails and leaves the view where it was. */
static void
t_past_end_does_not_move(void)
{
	struct rbuf rb;
	uint8_t u8, out[4];
	uint16_t u16;
	uint32_t u32;
	const uint8_t *ref;

	rbuf_init(&rb, bytes, 3);
	ASSERT_INT_EQ(rbuf_get_u8(&rb, &u8), 0);
	ASSERT_INT_EQ(rbuf_get_u32(&rb, &u32), -1);
	ASSERT_INT_EQ(rbuf_get_u32h(&rb, &u32), -1);
	ASSERT_INT_EQ(rbuf_get_bytes(&rb, out, 3), -1);
	ASSERT_INT_EQ(rbuf_get_ref(&rb, 3, &ref), -1);
	ASSERT_INT_EQ(rbuf_skip(&rb, 3), -1);
	ASSERT_INT_EQ(rbuf_offset(&rb), 1);
	ASSERT_INT_EQ(rbuf_get_u16(&rb, &u16), 0);
	ASSERT_INT_EQ(rbuf_get_u8(&rb, &u8), -1);
	ASSERT_INT_EQ(rbuf_left(&rb), 0);
	/* A huge length must not wrap around. */
	ASSERT_INT_EQ(rbuf_skip(&rb, SIZE_MAX), -1);
	rbuf_init(&rb, bytes, 3);
	ASSERT_INT_EQ(rbuf_peek_u8(&rb, SIZE_MAX, &u8), -1);
	ASSERT_INT_EQ(rbuf_peek_u16(&rb, 2, &u16), -1);
	ASSERT_INT_EQ(rbuf_peek_u16(&rb, 1, &u16), 0);
	ASSERT_INT_EQ(u16, 0x0203);
	ASSERT_INT_EQ(rbuf_offset(&rb), 0);
}

static void
t_empty_and_null(void)
{
	struct rbuf rb;
	uint8_t u8;

	rbuf_init(&rb, NULL, 100);
	ASSERT_INT_EQ(rbuf_left(&rb), 0);
	ASSERT_INT_EQ(rbuf_get_u8(&rb, &u8), -1);
	ASSERT_INT_EQ(rbuf_get_bytes(&rb, &u8, 0), 0);
}

/* A child view is cut to the declared length and cannot reach beyond. */
static void
t_sub_views(void)
{
	struct rbuf rb, child, grand;
	uint32_t u32;
	uint8_t u8;

	rbuf_init(&rb, bytes, sizeof(bytes));
	ASSERT_INT_EQ(rbuf_sub(&rb, 3, &child), 0);
	ASSERT_INT_EQ(rbuf_offset(&rb), 3);
	ASSERT_INT_EQ(rbuf_get_u32(&child, &u32), -1);
	ASSERT_INT_EQ(rbuf_get_u8(&child, &u8), 0);
	ASSERT_INT_EQ(rbuf_sub(&child, 3, &grand), -1);
	ASSERT_INT_EQ(rbuf_sub(&child, 2, &grand), 0);
	ASSERT_INT_EQ(rbuf_left(&child), 0);
	ASSERT_INT_EQ(rbuf_get_u8(&grand, &u8), 0);
	ASSERT_INT_EQ(u8, 0x02);
	/* A length that lies (beyond what is left) fails, nothing moves. */
	ASSERT_INT_EQ(rbuf_sub(&rb, 8, &child), -1);
	ASSERT_INT_EQ(rbuf_offset(&rb), 3);
	rbuf_rest(&rb, &child);
	ASSERT_INT_EQ(rbuf_left(&rb), 0);
	ASSERT_INT_EQ(rbuf_left(&child), 7);
}

static void
t_get_zero(void)
{
	static const uint8_t z[] = { 0, 0, 1 };
	struct rbuf rb;

	rbuf_init(&rb, z, sizeof(z));
	ASSERT_INT_EQ(rbuf_get_zero(&rb, 3), -1);
	ASSERT_INT_EQ(rbuf_offset(&rb), 0);
	ASSERT_INT_EQ(rbuf_get_zero(&rb, 2), 0);
	ASSERT_INT_EQ(rbuf_get_zero(&rb, 2), -1);
}

static void
t_text_lines_words(void)
{
	struct rbuf rb, line, word;
	char s[16];

	rbuf_init_str(&rb, "  alpha\tbeta \r\n\ngamma");
	ASSERT_INT_EQ(rbuf_get_line(&rb, &line), 0);
	ASSERT_INT_EQ(rbuf_get_word(&line, &word), 0);
	ASSERT_TRUE(rbuf_eq_str(&word, "alpha"));
	ASSERT_INT_EQ(rbuf_get_word(&line, &word), 0);
	ASSERT_TRUE(rbuf_eq_str(&word, "beta"));
	ASSERT_INT_EQ(rbuf_get_word(&line, &word), -1);
	ASSERT_INT_EQ(rbuf_get_line(&rb, &line), 0);
	ASSERT_INT_EQ(rbuf_left(&line), 0);
	ASSERT_INT_EQ(rbuf_get_line(&rb, &line), 0);
	ASSERT_INT_EQ(rbuf_get_str(&line, s, sizeof(s)), 0);
	ASSERT_STR_EQ(s, "gamma");
	ASSERT_INT_EQ(rbuf_get_line(&rb, &line), -1);
}

static void
t_get_str_limits(void)
{
	static const char nul[] = { 'a', 0, 'b' };
	struct rbuf rb;
	char s[4];

	rbuf_init_str(&rb, "abcd");
	ASSERT_INT_EQ(rbuf_get_str(&rb, s, sizeof(s)), -1);
	ASSERT_INT_EQ(rbuf_left(&rb), 4);
	rbuf_init(&rb, nul, sizeof(nul));
	ASSERT_INT_EQ(rbuf_get_str(&rb, s, sizeof(s)), -1);
	rbuf_init_str(&rb, "abc");
	ASSERT_INT_EQ(rbuf_get_str(&rb, s, sizeof(s)), 0);
	ASSERT_STR_EQ(s, "abc");
}

static void
t_uint(void)
{
	uint64_t v;

	ASSERT_INT_EQ(str_to_uint("0", 10, &v), 0);
	ASSERT_U64_EQ(v, 0);
	ASSERT_INT_EQ(str_to_uint("4294967295", UINT32_MAX, &v), 0);
	ASSERT_U64_EQ(v, UINT32_MAX);
	ASSERT_INT_EQ(str_to_uint("4294967296", UINT32_MAX, &v), -1);
	ASSERT_INT_EQ(str_to_uint("0x301", UINT32_MAX, &v), 0);
	ASSERT_U64_EQ(v, 0x301);
	ASSERT_INT_EQ(str_to_uint("0XfF", 255, &v), 0);
	ASSERT_U64_EQ(v, 255);
	ASSERT_INT_EQ(str_to_uint("18446744073709551615", UINT64_MAX, &v), 0);
	ASSERT_U64_EQ(v, UINT64_MAX);
	ASSERT_INT_EQ(str_to_uint("18446744073709551616", UINT64_MAX, &v),
	    -1);
	ASSERT_INT_EQ(str_to_uint("", 10, &v), -1);
	ASSERT_INT_EQ(str_to_uint("0x", 10, &v), -1);
	ASSERT_INT_EQ(str_to_uint("-1", 10, &v), -1);
	ASSERT_INT_EQ(str_to_uint("+1", 10, &v), -1);
	ASSERT_INT_EQ(str_to_uint(" 1", 10, &v), -1);
	ASSERT_INT_EQ(str_to_uint("12a", 1000, &v), -1);
	ASSERT_INT_EQ(str_to_uint("11", 10, &v), -1);
}

static void
t_hex(void)
{
	struct wbuf wb;
	struct rbuf rb;
	static const uint8_t want[] = { 0xc0, 0x29, 0x1f, 0xf0 };

	ASSERT_INT_EQ(wbuf_init(&wb, 0, 64), 0);
	rbuf_init_str(&rb, "c0291FF0");
	ASSERT_INT_EQ(rbuf_get_hex(&rb, &wb), 0);
	ASSERT_INT_EQ(wbuf_len(&wb), 4);
	ASSERT_MEM_EQ(wbuf_data(&wb), want, 4);
	rbuf_init_str(&rb, "abc");
	ASSERT_INT_EQ(rbuf_get_hex(&rb, &wb), -1);
	rbuf_init_str(&rb, "00zz");
	ASSERT_INT_EQ(rbuf_get_hex(&rb, &wb), -1);
	/* Nothing half-decoded is left behind. */
	ASSERT_INT_EQ(wbuf_len(&wb), 4);
	ASSERT_INT_EQ(rbuf_left(&rb), 4);
	wbuf_free(&wb);
}

static void
t_writer_orders(void)
{
	struct wbuf wb;
	uint16_t h16 = 0x1234;
	uint32_t h32 = 0x12345678;
	static const uint8_t want[] = {
		0xab, 0x01, 0x02, 0x01, 0x02, 0x03, 0x04,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08
	};

	ASSERT_INT_EQ(wbuf_init(&wb, 4, 1024), 0);
	ASSERT_INT_EQ(wbuf_put_u8(&wb, 0xab), 0);
	ASSERT_INT_EQ(wbuf_put_u16(&wb, 0x0102), 0);
	ASSERT_INT_EQ(wbuf_put_u32(&wb, 0x01020304), 0);
	ASSERT_INT_EQ(wbuf_put_u64(&wb, 0x0102030405060708ULL), 0);
	ASSERT_INT_EQ(wbuf_len(&wb), sizeof(want));
	ASSERT_MEM_EQ(wbuf_data(&wb), want, sizeof(want));
	wbuf_reset(&wb);
	ASSERT_INT_EQ(wbuf_put_u16h(&wb, h16), 0);
	ASSERT_INT_EQ(wbuf_put_u32h(&wb, h32), 0);
	ASSERT_MEM_EQ(wbuf_data(&wb), &h16, 2);
	ASSERT_MEM_EQ(wbuf_data(&wb) + 2, &h32, 4);
	wbuf_free(&wb);
}

/* The hard maximum holds, and a failure sticks. */
static void
t_writer_max(void)
{
	struct wbuf wb;

	ASSERT_INT_EQ(wbuf_init(&wb, 2, 10), 0);
	ASSERT_INT_EQ(wbuf_put_zero(&wb, 8), 0);
	ASSERT_INT_EQ(wbuf_put_u32(&wb, 1), -1);
	ASSERT_TRUE(wbuf_failed(&wb));
	ASSERT_INT_EQ(wbuf_len(&wb), 8);
	ASSERT_INT_EQ(wbuf_put_u8(&wb, 1), -1);
	ASSERT_INT_EQ(wbuf_put_bytes(&wb, bytes, SIZE_MAX), -1);
	wbuf_reset(&wb);
	ASSERT_FALSE(wbuf_failed(&wb));
	ASSERT_INT_EQ(wbuf_put_zero(&wb, 10), 0);
	ASSERT_INT_EQ(wbuf_put_u8(&wb, 0), -1);
	wbuf_free(&wb);
}

static void
t_writer_fixed(void)
{
	uint8_t mem[4];
	struct wbuf wb;

	wbuf_init_fixed(&wb, mem, sizeof(mem));
	ASSERT_INT_EQ(wbuf_put_u16(&wb, 0xaabb), 0);
	ASSERT_INT_EQ(wbuf_put_u32(&wb, 0), -1);
	ASSERT_INT_EQ(mem[0], 0xaa);
	wbuf_free(&wb);		/* must not free the caller's memory */
}

static void
t_reserve_and_patch(void)
{
	struct wbuf wb;
	size_t off, off2;
	uint16_t h;
	static const uint8_t want[] = { 0x00, 0x07, 0xee, 0, 0, 0, 0 };

	ASSERT_INT_EQ(wbuf_init(&wb, 0, 64), 0);
	ASSERT_INT_EQ(wbuf_reserve(&wb, 2, &off), 0);
	ASSERT_INT_EQ(wbuf_put_u8(&wb, 0xee), 0);
	ASSERT_INT_EQ(wbuf_reserve(&wb, 4, &off2), 0);
	ASSERT_INT_EQ(off, 0);
	ASSERT_INT_EQ(off2, 3);
	ASSERT_INT_EQ(wbuf_set_u16(&wb, off, (uint16_t)wbuf_len(&wb)), 0);
	ASSERT_MEM_EQ(wbuf_data(&wb), want, sizeof(want));
	ASSERT_INT_EQ(wbuf_set_u32(&wb, 4, 1), -1);	/* past the end */
	ASSERT_INT_EQ(wbuf_set_u32(&wb, SIZE_MAX, 1), -1);
	ASSERT_INT_EQ(wbuf_set_u16h(&wb, off2, 0x0102), 0);
	memcpy(&h, wbuf_data(&wb) + off2, 2);
	ASSERT_INT_EQ(h, 0x0102);
	wbuf_free(&wb);
}

static void
t_truncate(void)
{
	struct wbuf wb;

	ASSERT_INT_EQ(wbuf_init(&wb, 0, 64), 0);
	wbuf_set_secret(&wb);
	ASSERT_INT_EQ(wbuf_put_u32(&wb, 0x01020304), 0);
	ASSERT_INT_EQ(wbuf_truncate(&wb, 5), -1);
	ASSERT_INT_EQ(wbuf_truncate(&wb, 1), 0);
	ASSERT_INT_EQ(wbuf_len(&wb), 1);
	ASSERT_INT_EQ(wbuf_data(&wb)[1], 0);	/* wiped */
	ASSERT_INT_EQ(wbuf_put_u8(&wb, 9), 0);
	ASSERT_INT_EQ(wbuf_data(&wb)[1], 9);
	wbuf_free(&wb);
}

static void
t_pad(void)
{
	struct wbuf wb;

	ASSERT_INT_EQ(wbuf_init(&wb, 0, 64), 0);
	ASSERT_INT_EQ(wbuf_put_u8(&wb, 1), 0);
	ASSERT_INT_EQ(wbuf_pad(&wb, 8), 0);
	ASSERT_INT_EQ(wbuf_len(&wb), 8);
	ASSERT_INT_EQ(wbuf_pad(&wb, 8), 0);
	ASSERT_INT_EQ(wbuf_len(&wb), 8);
	ASSERT_INT_EQ(wbuf_pad(&wb, 3), -1);
	wbuf_free(&wb);
}

static void
t_growth_keeps_data(void)
{
	struct wbuf wb;
	uint8_t i;

	ASSERT_INT_EQ(wbuf_init(&wb, 1, 100000), 0);
	wbuf_set_secret(&wb);
	for (i = 0; i < 200; i++)
		ASSERT_INT_EQ(wbuf_put_u8(&wb, i), 0);
	for (i = 0; i < 200; i++)
		ASSERT_INT_EQ(wbuf_data(&wb)[i], i);
	wbuf_free(&wb);
	ASSERT_PTR_EQ(wbuf_data(&wb), NULL);
}

static void
t_wipe_and_compare(void)
{
	uint8_t a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, z[8] = { 0 };
	uint8_t *p;

	ASSERT_INT_EQ(mem_cmp_ct(a, a, sizeof(a)), 0);
	ASSERT_INT_NE(mem_cmp_ct(a, z, sizeof(a)), 0);
	mem_wipe(a, sizeof(a));
	ASSERT_MEM_EQ(a, z, sizeof(a));
	p = malloc(16);
	ASSERT_PTR_NE(p, NULL);
	freezero(p, 16);
	freezero(NULL, 0);
}

int
main(void)
{
	TEST_RUN(t_get_network_order);
	TEST_RUN(t_get_u64);
	TEST_RUN(t_get_host_order);
	TEST_RUN(t_past_end_does_not_move);
	TEST_RUN(t_empty_and_null);
	TEST_RUN(t_sub_views);
	TEST_RUN(t_get_zero);
	TEST_RUN(t_text_lines_words);
	TEST_RUN(t_get_str_limits);
	TEST_RUN(t_uint);
	TEST_RUN(t_hex);
	TEST_RUN(t_writer_orders);
	TEST_RUN(t_writer_max);
	TEST_RUN(t_writer_fixed);
	TEST_RUN(t_reserve_and_patch);
	TEST_RUN(t_truncate);
	TEST_RUN(t_pad);
	TEST_RUN(t_growth_keeps_data);
	TEST_RUN(t_wipe_and_compare);
	return test_done();
}
