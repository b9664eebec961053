/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The anti-replay window of an inbound SA (RFC 4303 section 3.4.3, without
 * extended sequence numbers, which PF_KEY v2 cannot negotiate).  The caller
 * checks a sequence number before verifying the ICV (cheap rejection) and
 * updates the window only after the ICV verified, so that forged packets
 * cannot move it.  A window of 0 turns the check off, as Linux does.
 */
#ifndef REPLAY_H
#define REPLAY_H

#include <stdint.h>

#define REPLAY_MAX	1024	/* largest window, packets */

enum replay_verdict {
	REPLAY_OK,
	REPLAY_ZERO,		/* sequence number 0 is never sent */
	REPLAY_OLD,		/* left of the window */
	REPLAY_DUP,		/* inside the window, already seen */
};

struct replay {
	uint32_t	 rp_size;		/* packets; 0 = no check */
	uint32_t	 rp_last;		/* highest number accepted */
	uint64_t	 rp_map[REPLAY_MAX / 64]; /* bit i: rp_last - i seen */
};

/* A window of size packets (clamped to REPLAY_MAX). */
void	 replay_init(struct replay *, uint32_t);
enum replay_verdict replay_check(const struct replay *, uint32_t);
/* Record seq as received; call only after replay_check said REPLAY_OK. */
void	 replay_update(struct replay *, uint32_t);
const char *replay_verdict_name(enum replay_verdict);

#endif /* REPLAY_H */
