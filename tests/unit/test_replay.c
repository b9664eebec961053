/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for src/ipsecd/replay.c: the RFC 4303 anti-replay window. */
#include "replay.h"
#include "test_helper.h"

static void
accept(struct replay *rp, uint32_t seq)
{
	ASSERT_INT_EQ(replay_check(rp, seq), REPLAY_OK);
	replay_update(rp, seq);
}

static void
t_in_order_and_duplicates(void)
{
	struct replay rp;
	uint32_t s;

	replay_init(&rp, 32);
	ASSERT_INT_EQ(replay_check(&rp, 0), REPLAY_ZERO);
	for (s = 1; s <= 100; s++)
		accept(&rp, s);
	for (s = 69; s <= 100; s++)
		ASSERT_INT_EQ(replay_check(&rp, s), REPLAY_DUP);
	ASSERT_INT_EQ(replay_check(&rp, 68), REPLAY_OLD);
	ASSERT_INT_EQ(replay_check(&rp, 1), REPLAY_OLD);
	ASSERT_INT_EQ(replay_check(&rp, 101), REPLAY_OK);
}

static void
t_out_of_order_inside_window(void)
{
	struct replay rp;

	replay_init(&rp, 64);
	accept(&rp, 10);
	accept(&rp, 5);
	accept(&rp, 7);
	ASSERT_INT_EQ(replay_check(&rp, 5), REPLAY_DUP);
	ASSERT_INT_EQ(replay_check(&rp, 6), REPLAY_OK);
	accept(&rp, 200);		/* a jump keeps nothing stale */
	ASSERT_INT_EQ(replay_check(&rp, 10), REPLAY_OLD);
	ASSERT_INT_EQ(replay_check(&rp, 137), REPLAY_OK);
	ASSERT_INT_EQ(replay_check(&rp, 136), REPLAY_OLD);
	accept(&rp, 137);
	ASSERT_INT_EQ(replay_check(&rp, 137), REPLAY_DUP);
}

/* Bits cross 64-bit words correctly when the window moves. */
static void
t_large_window_shifts(void)
{
	struct replay rp;
	uint32_t s;

	replay_init(&rp, REPLAY_MAX);
	for (s = 1; s <= 3000; s += 3)
		accept(&rp, s);
	/* The last one accepted is 2998. */
	for (s = 2998 - REPLAY_MAX + 1; s <= 3000; s++) {
		if ((s - 1) % 3 == 0 && s <= 2998)
			ASSERT_INT_EQ(replay_check(&rp, s), REPLAY_DUP);
		else
			ASSERT_INT_EQ(replay_check(&rp, s), REPLAY_OK);
	}
	ASSERT_INT_EQ(replay_check(&rp, 2998 - REPLAY_MAX), REPLAY_OLD);
	accept(&rp, 3070);		/* shift by 72: not a word multiple */
	ASSERT_INT_EQ(replay_check(&rp, 2998), REPLAY_DUP);
	ASSERT_INT_EQ(replay_check(&rp, 2999), REPLAY_OK);
	accept(&rp, 100000);		/* beyond the window: map cleared */
	ASSERT_INT_EQ(replay_check(&rp, 99999), REPLAY_OK);
}

static void
t_window_zero_is_off(void)
{
	struct replay rp;

	replay_init(&rp, 0);
	accept(&rp, 5);
	accept(&rp, 5);
	accept(&rp, 0);
	ASSERT_INT_EQ(replay_check(&rp, 1), REPLAY_OK);
}

static void
t_clamp_and_top(void)
{
	struct replay rp;

	replay_init(&rp, 100000);
	ASSERT_INT_EQ(rp.rp_size, REPLAY_MAX);
	accept(&rp, UINT32_MAX);
	ASSERT_INT_EQ(replay_check(&rp, UINT32_MAX), REPLAY_DUP);
	ASSERT_INT_EQ(replay_check(&rp, UINT32_MAX - 1), REPLAY_OK);
	ASSERT_STR_EQ(replay_verdict_name(REPLAY_DUP), "replayed");
}

int
main(void)
{
	TEST_RUN(t_in_order_and_duplicates);
	TEST_RUN(t_out_of_order_inside_window);
	TEST_RUN(t_large_window_shifts);
	TEST_RUN(t_window_zero_is_off);
	TEST_RUN(t_clamp_and_top);
	return test_done();
}
