/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Dead peer detection (RFC 3706).  Both sides announce DPD with its
 * vendor ID in Main Mode messages 1 and 2; racoon always announces it
 * (it always answers R-U-THERE) and probes only when the remote's
 * dpd_delay is not 0 and the peer announced DPD too.
 *
 * Probing follows racoon: dpd_delay seconds after the ISAKMP-SA is up
 * (or after the last acknowledgement) an R-U-THERE goes out, protected
 * under the ISAKMP-SA, with the next sequence number; each dpd_retry
 * seconds without an acknowledgement another one goes, with the next
 * number, and counts as a failure.  When the failures reach dpd_maxfail
 * the peer is dead, dpd_delay + dpd_retry * dpd_maxfail seconds after
 * the last sign of life: the daemon hears ev_ph1_dead, the peer gets
 * DELETEs for every phase 2 and the phase 1 (should it be alive after
 * all), the phase 2 SAs leave the kernel in both directions and the
 * ISAKMP-SA ends.
 *
 * What is received is checked: the notify's SPI must be this ISAKMP-SA's
 * cookie pair, its data a four-byte sequence number; an acknowledgement
 * must carry a number we sent and that was not acknowledged yet; an
 * R-U-THERE must not go back before the last one the peer sent.
 * Anything else is logged, counted in env_dropped and dropped.
 *
 * The state lives in the ph1 (struct dpd); nothing is allocated.
 */
#ifndef DPD_H
#define DPD_H

#include <stddef.h>
#include <stdint.h>

struct isakmp_msg;
struct isakmp_notify;
struct isakmp_out;
struct ph1;

/* RFC 3706 section 7: af ca d7 13 68 a1 f1 c9 6b 86 96 fc 77 57 01 00. */
#define DPD_VID_LEN	16
extern const uint8_t dpd_vid[DPD_VID_LEN];

struct dpd {
	int		 dpd_peer_vid;	/* the peer announced DPD */
	uint32_t	 dpd_seq;	/* last R-U-THERE we sent */
	uint32_t	 dpd_last_ack;	/* last number acknowledged */
	uint32_t	 dpd_fails;	/* probes unanswered */
	int		 dpd_peer_seen;	/* dpd_peer_seq is set */
	uint32_t	 dpd_peer_seq;	/* last R-U-THERE the peer sent */
	uint64_t	 dpd_next_at;	/* next probe; 0: not probing */
	uint64_t	 dpd_ack_at;	/* last acknowledgement, for status */
	int		 dpd_dead;	/* declared dead */
};

/* Append our DPD vendor ID payload to a Main Mode message; 0 or -1. */
int	 dpd_vid_add(struct isakmp_out *);
/* Note whether the peer's message carries the DPD vendor ID. */
void	 dpd_vid_check(struct ph1 *, const struct isakmp_msg *);
/* The ISAKMP-SA is up: schedule the first probe if DPD is on. */
void	 dpd_start(struct ph1 *);
/* 1 if the peer is probed (dpd_delay set and both sides announced). */
int	 dpd_active(const struct ph1 *);
/*
 * A protected R-U-THERE or R-U-THERE-ACK received under ph1: answer or
 * account it, or drop it (logged, counted).  1 if it was news that a
 * replay cannot be (an R-U-THERE with a number after the peer's last,
 * an ACK of a probe not yet answered), which NAT-T may follow to its
 * address; 0 for a repeated, stale or dropped one.
 */
int	 dpd_recv(struct ph1 *, const struct isakmp_notify *);
/* Send what is due at now; declare the peer dead after dpd_maxfail. */
void	 dpd_timer(struct ph1 *, uint64_t);
/* When dpd_timer has work next for ph1; 0 if never. */
uint64_t dpd_next(const struct ph1 *);

#endif /* DPD_H */
