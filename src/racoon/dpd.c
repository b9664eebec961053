/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Dead peer detection, RFC 3706: the vendor ID both sides announce, the
 * R-U-THERE probes with their sequence numbers on the remote's
 * dpd_delay, dpd_retry and dpd_maxfail, the acknowledgements, and what
 * happens to a peer declared dead.  exchange.c hands us the protected
 * notifies and calls dpd_timer() from exchange_timers(); the messages go
 * out through exchange_info_notify().
 *
 * RFC 3706 section 5.1, the notify payloads (proto ISAKMP, SPI size 16):
 *
 *	 0                   1                   2                   3
 *	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *	! Next Payload  !   RESERVED    !         Payload Length        !
 *	+---------------+---------------+---------------+---------------+
 *	!              Domain of Interpretation  (DOI)                  !
 *	+---------------+---------------+---------------+---------------+
 *	!  Protocol-ID  !    SPI Size   !  Notify Message Type (36136) !
 *	+---------------+---------------+---------------+---------------+
 *	~                 Security Parameter Index (CKY-I | CKY-R)      ~
 *	+---------------+---------------+---------------+---------------+
 *	!                    Notification Data (sequence number)        !
 *	+---------------+---------------+---------------+---------------+
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "dpd.h"
#include "exchange.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "ph1.h"
#include "ph2.h"

const uint8_t dpd_vid[DPD_VID_LEN] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

int
dpd_vid_add(struct isakmp_out *out)
{
	if (isakmp_out_pld(out, ISAKMP_NPTYPE_VID) == -1 ||
	    isakmp_data_build(out->out_wb, dpd_vid, sizeof(dpd_vid)) == -1)
		return -1;
	return 0;
}

void
dpd_vid_check(struct ph1 *ph1, const struct isakmp_msg *msg)
{
	const struct isakmp_pld *p;
	struct isakmp_data d;
	struct rbuf rb;
	char name[PH1_NAMELEN];
	size_t i;

	for (i = 0; (p = isakmp_msg_find(msg, ISAKMP_NPTYPE_VID, i)) != NULL;
	    i++) {
		rb = p->pld_body;
		if (isakmp_data_parse(&rb, ISAKMP_NPTYPE_VID, &d) !=
		    ISAKMP_N_OK || d.data_len != sizeof(dpd_vid) ||
		    memcmp(d.data_ptr, dpd_vid, sizeof(dpd_vid)) != 0)
			continue;
		if (!ph1->ph1_dpd.dpd_peer_vid)
			log_debug(1, "%s: received Vendor ID: DPD",
			    ph1_name(ph1, name, sizeof(name)));
		ph1->ph1_dpd.dpd_peer_vid = 1;
		return;
	}
}

int
dpd_active(const struct ph1 *ph1)
{
	return ph1->ph1_dpd.dpd_peer_vid && ph1->ph1_remote != NULL &&
	    ph1->ph1_remote->r_dpd_delay != 0;
}

void
dpd_start(struct ph1 *ph1)
{
	struct dpd *d = &ph1->ph1_dpd;
	uint32_t r;

	if (!dpd_active(ph1))
		return;
	/* A random start, not too big, as racoon; never 0 once used. */
	if (exchange_random(&r, sizeof(r)) == -1)
		r = 1;
	d->dpd_seq = d->dpd_last_ack = (r & 0x0fff) + 1;
	d->dpd_fails = 0;
	d->dpd_next_at = exchange_now(ph1->ph1_env) +
	    (uint64_t)ph1->ph1_remote->r_dpd_delay * 1000;
}

/* Sequence number a is after b (RFC 1982 serial arithmetic). */
static int
dpd_after(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

/* Our R-U-THERE or R-U-THERE-ACK with seq under ph1's cookies. */
static int
dpd_send(struct ph1 *ph1, uint16_t type, uint32_t seq)
{
	struct isakmp_notify nt;
	uint8_t data[4];

	data[0] = (uint8_t)(seq >> 24);
	data[1] = (uint8_t)(seq >> 16);
	data[2] = (uint8_t)(seq >> 8);
	data[3] = (uint8_t)seq;
	memset(&nt, 0, sizeof(nt));
	nt.n_doi = IPSEC_DOI;
	nt.n_proto = ISAKMP_PROTO_ISAKMP;
	nt.n_type = type;
	nt.n_spisize = 2 * ISAKMP_COOKIE_LEN;
	memcpy(nt.n_spi, ph1->ph1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(nt.n_spi + ISAKMP_COOKIE_LEN, ph1->ph1_rcookie,
	    ISAKMP_COOKIE_LEN);
	nt.n_data = data;
	nt.n_len = sizeof(data);
	return exchange_info_notify(ph1, &nt);
}

/* Drop a DPD notify: logged with the reason and counted. */
static void
dpd_drop(struct ph1 *ph1, const struct isakmp_notify *nt, const char *why)
{
	char name[PH1_NAMELEN];

	log_warnx("%s: DPD %s dropped: %s", ph1_name(ph1, name, sizeof(name)),
	    isakmp_notify_name(nt->n_type), why);
	exchange_drop(ph1->ph1_env, EXCHANGE_DROP_DPD);
}

/*
 * The SPI of a DPD notify names the ISAKMP-SA: our cookie pair, which
 * racoon also accepts reversed.
 */
static int
dpd_cookies_ok(const struct ph1 *ph1, const struct isakmp_notify *nt)
{
	const uint8_t *a = nt->n_spi, *b = nt->n_spi + ISAKMP_COOKIE_LEN;

	if (nt->n_spisize != 2 * ISAKMP_COOKIE_LEN)
		return 0;
	if (memcmp(a, ph1->ph1_icookie, ISAKMP_COOKIE_LEN) == 0 &&
	    memcmp(b, ph1->ph1_rcookie, ISAKMP_COOKIE_LEN) == 0)
		return 1;
	return memcmp(b, ph1->ph1_icookie, ISAKMP_COOKIE_LEN) == 0 &&
	    memcmp(a, ph1->ph1_rcookie, ISAKMP_COOKIE_LEN) == 0;
}

int
dpd_recv(struct ph1 *ph1, const struct isakmp_notify *nt)
{
	struct dpd *d = &ph1->ph1_dpd;
	char name[PH1_NAMELEN];
	uint32_t seq;
	struct rbuf rb;
	int news;

	if (ph1->ph1_state != PH1_S_ESTABLISHED) {
		dpd_drop(ph1, nt, "the ISAKMP-SA is not established");
		return 0;
	}
	if (!dpd_cookies_ok(ph1, nt)) {
		dpd_drop(ph1, nt, "its SPI is not this ISAKMP-SA's cookies");
		return 0;
	}
	rbuf_init(&rb, nt->n_data, nt->n_len);
	if (rbuf_get_u32(&rb, &seq) == -1 || rbuf_left(&rb) != 0) {
		dpd_drop(ph1, nt, "notification data is not a 4-byte "
		    "sequence number");
		return 0;
	}
	ph1_name(ph1, name, sizeof(name));
	if (nt->n_type == ISAKMP_N_R_U_THERE) {
		/* A retransmission (the same number) is answered again. */
		if (d->dpd_peer_seen && seq != d->dpd_peer_seq &&
		    !dpd_after(seq, d->dpd_peer_seq)) {
			dpd_drop(ph1, nt, "sequence number went back");
			return 0;
		}
		news = !d->dpd_peer_seen || seq != d->dpd_peer_seq;
		d->dpd_peer_seen = 1;
		d->dpd_peer_seq = seq;
		log_debug(1, "%s: DPD R-U-THERE %u received, ACK sent", name,
		    seq);
		(void)dpd_send(ph1, ISAKMP_N_R_U_THERE_ACK, seq);
		return news;
	}
	/* R-U-THERE-ACK: a number we sent and that is not answered yet. */
	if (!dpd_active(ph1) || !dpd_after(seq, d->dpd_last_ack) ||
	    dpd_after(seq, d->dpd_seq)) {
		log_warnx("%s: Wrong DPD sequence number (%u; last_ack=%u, "
		    "seq=%u).", name, seq, d->dpd_last_ack, d->dpd_seq);
		dpd_drop(ph1, nt, "unexpected sequence number");
		return 0;
	}
	log_debug(1, "%s: DPD R-U-THERE-ACK %u received", name, seq);
	d->dpd_last_ack = seq;
	d->dpd_fails = 0;
	d->dpd_ack_at = exchange_now(ph1->ph1_env);
	d->dpd_next_at = d->dpd_ack_at +
	    (uint64_t)ph1->ph1_remote->r_dpd_delay * 1000;
	return 1;
}

/*
 * The peer is dead: tell the daemon (phase1_dead), send DELETEs in case
 * only its answers are lost, take every phase 2 SA out of the kernel
 * and end the ISAKMP-SA, as racoon's purge_remote() does.
 */
static void
dpd_dead(struct ph1 *ph1)
{
	struct exchange_events *ev = &ph1->ph1_env->env_events;
	struct ph2 *ph2;
	char name[PH1_NAMELEN], ic[17], rc[17];
	size_t i;

	for (i = 0; i < ISAKMP_COOKIE_LEN; i++) {
		snprintf(ic + 2 * i, 3, "%02x", ph1->ph1_icookie[i]);
		snprintf(rc + 2 * i, 3, "%02x", ph1->ph1_rcookie[i]);
	}
	log_info("%s: DPD: remote (ISAKMP-SA spi=%s:%s) seems to be dead.",
	    ph1_name(ph1, name, sizeof(name)), ic, rc);
	ph1->ph1_dpd.dpd_dead = 1;
	ph1->ph1_dpd.dpd_next_at = 0;
	if (ev->ev_ph1_dead != NULL)
		ev->ev_ph1_dead(ev->ev_arg, ph1);
	TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
		if (ph2->ph2_state == PH2_S_ESTABLISHED)
			(void)exchange_delete_ph2(ph2);
	(void)exchange_delete_ph1(ph1);
	exchange_purge(ph1, "the peer is dead (DPD)");
	ph1_expire(ph1, "the peer is dead (DPD)");
}

void
dpd_timer(struct ph1 *ph1, uint64_t now)
{
	struct dpd *d = &ph1->ph1_dpd;
	const struct cfg_remote *rm = ph1->ph1_remote;
	char name[PH1_NAMELEN];

	if (d->dpd_next_at == 0 || now < d->dpd_next_at)
		return;
	if (ph1->ph1_state != PH1_S_ESTABLISHED) {
		d->dpd_next_at = 0;
		return;
	}
	if (d->dpd_fails >= rm->r_dpd_maxfail) {
		dpd_dead(ph1);
		return;
	}
	d->dpd_seq++;
	d->dpd_fails++;
	log_debug(1, "%s: DPD R-U-THERE %u sent (%u unanswered)",
	    ph1_name(ph1, name, sizeof(name)), d->dpd_seq, d->dpd_fails);
	if (dpd_send(ph1, ISAKMP_N_R_U_THERE, d->dpd_seq) == -1)
		log_debug(1, "%s: R-U-THERE not sent; counted as a failure",
		    name);
	/* dpd_retry 0 would probe in a loop: once a second at least. */
	d->dpd_next_at = now + (uint64_t)(rm->r_dpd_retry != 0 ?
	    rm->r_dpd_retry : 1) * 1000;
}

uint64_t
dpd_next(const struct ph1 *ph1)
{
	return ph1->ph1_state == PH1_S_ESTABLISHED ?
	    ph1->ph1_dpd.dpd_next_at : 0;
}
