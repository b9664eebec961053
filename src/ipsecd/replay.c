/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Anti-replay window (RFC 4303 3.4.3).  The bitmap is anchored at the
 * highest sequence number accepted: bit i of the map stands for
 * rp_last - i.  Moving the window right shifts the map by the distance.
 */
#include <string.h>

#include "replay.h"

#define MAP_WORDS	(REPLAY_MAX / 64)

void
replay_init(struct replay *rp, uint32_t size)
{
	memset(rp, 0, sizeof(*rp));
	rp->rp_size = size > REPLAY_MAX ? REPLAY_MAX : size;
}

static int
map_test(const struct replay *rp, uint32_t bit)
{
	return (rp->rp_map[bit / 64] >> (bit % 64)) & 1;
}

static void
map_set(struct replay *rp, uint32_t bit)
{
	rp->rp_map[bit / 64] |= (uint64_t)1 << (bit % 64);
}

/* Shift the whole map towards higher bit numbers by n bits. */
static void
map_shift(struct replay *rp, uint32_t n)
{
	uint32_t words = n / 64, bits = n % 64, i;

	if (n >= REPLAY_MAX) {
		memset(rp->rp_map, 0, sizeof(rp->rp_map));
		return;
	}
	for (i = MAP_WORDS; i-- > 0;) {
		uint64_t v = 0;

		if (i >= words) {
			v = rp->rp_map[i - words] << bits;
			if (bits != 0 && i > words)
				v |= rp->rp_map[i - words - 1] >> (64 - bits);
		}
		rp->rp_map[i] = v;
	}
}

enum replay_verdict
replay_check(const struct replay *rp, uint32_t seq)
{
	uint32_t diff;

	if (rp->rp_size == 0)
		return REPLAY_OK;
	if (seq == 0)
		return REPLAY_ZERO;
	if (seq > rp->rp_last)
		return REPLAY_OK;
	diff = rp->rp_last - seq;
	if (diff >= rp->rp_size)
		return REPLAY_OLD;
	return map_test(rp, diff) ? REPLAY_DUP : REPLAY_OK;
}

void
replay_update(struct replay *rp, uint32_t seq)
{
	if (rp->rp_size == 0 || seq == 0)
		return;
	if (seq > rp->rp_last) {
		map_shift(rp, seq - rp->rp_last);
		rp->rp_last = seq;
		map_set(rp, 0);
	} else if (rp->rp_last - seq < rp->rp_size)
		map_set(rp, rp->rp_last - seq);
}

const char *
replay_verdict_name(enum replay_verdict v)
{
	switch (v) {
	case REPLAY_OK:
		return "ok";
	case REPLAY_ZERO:
		return "sequence number zero";
	case REPLAY_OLD:
		return "left of the replay window";
	case REPLAY_DUP:
		return "replayed";
	}
	return "unknown";
}
