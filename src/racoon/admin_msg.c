/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The admin protocol's codec, shared by racoon (admin.c) and racoonctl:
 * the admin_com header, sockaddr_storage, admin_com_indexes, and the
 * ISAKMP-SA and event records, each read through struct rbuf.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <string.h>

#include "addr.h"
#include "admin_msg.h"
#include "buf.h"

#define WHY(s)	do { if (why != NULL) *why = (s); } while (0)

int
admin_hdr_parse(struct rbuf *rb, int reply, struct admin_hdr *h,
    const char **why)
{
	uint16_t len, cmd, proto, err;
	uint32_t total, max = reply ? ADMIN_REPLY_MAX : ADMIN_REQ_MAX;

	if (rbuf_left(rb) < ADMIN_HDR_LEN) {
		WHY("shorter than the 8-byte header");
		return -1;
	}
	(void)rbuf_get_u16h(rb, &len);
	(void)rbuf_get_u16h(rb, &cmd);
	(void)rbuf_get_u16h(rb, &err);
	(void)rbuf_get_u16h(rb, &proto);
	h->ah_flag = (cmd & ADMIN_FLAG_VERSION) != 0;
	h->ah_cmd = cmd & (uint16_t)~ADMIN_FLAG_VERSION;
	h->ah_errno = (int16_t)err;
	h->ah_proto = proto;
	total = len;
	if (reply && h->ah_flag)
		total |= (uint32_t)err << 16;
	h->ah_len = total;
	if (total < ADMIN_HDR_LEN) {
		WHY("length shorter than the header");
		return -1;
	}
	if (total > max) {
		WHY("length over the limit");
		return -1;
	}
	return 0;
}

int
admin_msg_begin(struct wbuf *wb, uint16_t cmd, int16_t err, uint16_t proto)
{
	if (wbuf_put_u16h(wb, 0) == -1 || wbuf_put_u16h(wb, cmd) == -1 ||
	    wbuf_put_u16h(wb, (uint16_t)err) == -1 ||
	    wbuf_put_u16h(wb, proto) == -1)
		return -1;
	return 0;
}

int
admin_msg_end(struct wbuf *wb, int reply)
{
	size_t len = wbuf_len(wb);
	struct rbuf rb;
	uint16_t cmd;

	if (wbuf_failed(wb) || len < ADMIN_HDR_LEN || len > ADMIN_REPLY_MAX ||
	    (!reply && len > ADMIN_REQ_MAX))
		return -1;
	if (len <= UINT16_MAX)
		return wbuf_set_u16h(wb, 0, (uint16_t)len);
	/* ac_cmd as written (host order), to add the flag. */
	rbuf_init(&rb, wbuf_data(wb) + 2, 2);
	(void)rbuf_get_u16h(&rb, &cmd);
	if (wbuf_set_u16h(wb, 0, (uint16_t)(len & 0xffff)) == -1 ||
	    wbuf_set_u16h(wb, 2, cmd | ADMIN_FLAG_LONG_REPLY) == -1 ||
	    wbuf_set_u16h(wb, 4, (uint16_t)(len >> 16)) == -1)
		return -1;
	return 0;
}

/*
 * struct sockaddr_storage as Linux lays it out: family (host order),
 * then sockaddr_in (port, address, zero) or sockaddr_in6 (port,
 * flowinfo, address, scope id); the rest of the 128 bytes is padding.
 * AF_UNSPEC is accepted as "no address" (all-zero).
 */
int
admin_ss_parse(struct rbuf *rb, struct addr *a, const char **why)
{
	struct rbuf ss;
	uint16_t fam, port;
	uint32_t flow, scope;
	uint8_t raw[16];

	memset(a, 0, sizeof(*a));
	if (rbuf_sub(rb, ADMIN_SS_LEN, &ss) == -1) {
		WHY("address shorter than a sockaddr_storage");
		return -1;
	}
	(void)rbuf_get_u16h(&ss, &fam);
	switch (fam) {
	case AF_UNSPEC:
		return 0;
	case AF_INET:
		if (rbuf_get_u16(&ss, &port) == -1 ||
		    rbuf_get_bytes(&ss, raw, 4) == -1)
			break;
		if (addr_from_bytes(a, AF_INET, raw, 4) == -1)
			break;
		a->a_port = port;
		return 0;
	case AF_INET6:
		if (rbuf_get_u16(&ss, &port) == -1 ||
		    rbuf_get_u32(&ss, &flow) == -1 ||
		    rbuf_get_bytes(&ss, raw, 16) == -1 ||
		    rbuf_get_u32h(&ss, &scope) == -1)
			break;
		if (addr_from_bytes(a, AF_INET6, raw, 16) == -1)
			break;
		a->a_port = port;
		return 0;
	default:
		WHY("address family neither inet nor inet6");
		return -1;
	}
	WHY("malformed address");
	return -1;
}

int
admin_ss_build(struct wbuf *wb, const struct addr *a)
{
	size_t start = wbuf_len(wb);

	if (a->a_af == AF_INET) {
		if (wbuf_put_u16h(wb, AF_INET) == -1 ||
		    wbuf_put_u16(wb, a->a_port) == -1 ||
		    wbuf_put_bytes(wb, a->a_raw, 4) == -1)
			return -1;
	} else if (a->a_af == AF_INET6) {
		if (wbuf_put_u16h(wb, AF_INET6) == -1 ||
		    wbuf_put_u16(wb, a->a_port) == -1 ||
		    wbuf_put_u32(wb, 0) == -1 ||
		    wbuf_put_bytes(wb, a->a_raw, 16) == -1 ||
		    wbuf_put_u32h(wb, 0) == -1)
			return -1;
	}
	return wbuf_put_zero(wb, ADMIN_SS_LEN - (wbuf_len(wb) - start));
}

int
admin_index_parse(struct rbuf *rb, struct admin_index *ai, const char **why)
{
	uint8_t reserved;

	memset(ai, 0, sizeof(*ai));
	if (rbuf_left(rb) < ADMIN_INDEX_LEN) {
		WHY("SA index shorter than admin_com_indexes");
		return -1;
	}
	(void)rbuf_get_u8(rb, &ai->ai_prefs);
	(void)rbuf_get_u8(rb, &ai->ai_prefd);
	(void)rbuf_get_u8(rb, &ai->ai_ulproto);
	(void)rbuf_get_u8(rb, &reserved);
	if (admin_ss_parse(rb, &ai->ai_src, why) == -1 ||
	    admin_ss_parse(rb, &ai->ai_dst, why) == -1)
		return -1;
	if (ai->ai_src.a_af == AF_UNSPEC || ai->ai_dst.a_af == AF_UNSPEC ||
	    ai->ai_src.a_af != ai->ai_dst.a_af) {
		WHY("SA index: source and destination of different families");
		return -1;
	}
	if (ai->ai_prefs > addr_maxplen(ai->ai_src.a_af) ||
	    ai->ai_prefd > addr_maxplen(ai->ai_dst.a_af)) {
		WHY("SA index: prefix length too long for the family");
		return -1;
	}
	ai->ai_src.a_plen = ai->ai_prefs;
	ai->ai_dst.a_plen = ai->ai_prefd;
	return 0;
}

int
admin_index_build(struct wbuf *wb, const struct admin_index *ai)
{
	if (wbuf_put_u8(wb, ai->ai_prefs) == -1 ||
	    wbuf_put_u8(wb, ai->ai_prefd) == -1 ||
	    wbuf_put_u8(wb, ai->ai_ulproto) == -1 ||
	    wbuf_put_u8(wb, 0) == -1 ||
	    admin_ss_build(wb, &ai->ai_src) == -1 ||
	    admin_ss_build(wb, &ai->ai_dst) == -1)
		return -1;
	return 0;
}

int
admin_ph1rec_parse(struct rbuf *rb, struct admin_ph1rec *pr,
    const char **why)
{
	memset(pr, 0, sizeof(*pr));
	if (rbuf_left(rb) < ADMIN_PH1REC_LEN) {
		WHY("ISAKMP-SA record cut short");
		return -1;
	}
	if (admin_ss_parse(rb, &pr->pr_local, why) == -1 ||
	    admin_ss_parse(rb, &pr->pr_remote, why) == -1)
		return -1;
	(void)rbuf_get_bytes(rb, pr->pr_icookie, 8);
	(void)rbuf_get_bytes(rb, pr->pr_rcookie, 8);
	(void)rbuf_get_u8(rb, &pr->pr_status);
	(void)rbuf_get_u8(rb, &pr->pr_side);
	(void)rbuf_get_u8(rb, &pr->pr_version);
	(void)rbuf_get_u8(rb, &pr->pr_etype);
	(void)rbuf_get_u64h(rb, &pr->pr_created);
	(void)rbuf_get_u32h(rb, &pr->pr_ph2cnt);
	return 0;
}

int
admin_ph1rec_build(struct wbuf *wb, const struct admin_ph1rec *pr)
{
	if (admin_ss_build(wb, &pr->pr_local) == -1 ||
	    admin_ss_build(wb, &pr->pr_remote) == -1 ||
	    wbuf_put_bytes(wb, pr->pr_icookie, 8) == -1 ||
	    wbuf_put_bytes(wb, pr->pr_rcookie, 8) == -1 ||
	    wbuf_put_u8(wb, pr->pr_status) == -1 ||
	    wbuf_put_u8(wb, pr->pr_side) == -1 ||
	    wbuf_put_u8(wb, pr->pr_version) == -1 ||
	    wbuf_put_u8(wb, pr->pr_etype) == -1 ||
	    wbuf_put_u64h(wb, pr->pr_created) == -1 ||
	    wbuf_put_u32h(wb, pr->pr_ph2cnt) == -1)
		return -1;
	return 0;
}

int
admin_evt_parse(struct rbuf *rb, struct admin_evt *ev, const char **why)
{
	memset(ev, 0, sizeof(*ev));
	if (rbuf_left(rb) < ADMIN_EVT_LEN) {
		WHY("event record cut short");
		return -1;
	}
	(void)rbuf_get_u32h(rb, &ev->ev_type);
	(void)rbuf_get_u64h(rb, &ev->ev_time);
	if (admin_ss_parse(rb, &ev->ev_src, why) == -1 ||
	    admin_ss_parse(rb, &ev->ev_dst, why) == -1)
		return -1;
	(void)rbuf_get_u32h(rb, &ev->ev_msgid);
	return 0;
}

int
admin_evt_build(struct wbuf *wb, const struct admin_evt *ev)
{
	if (wbuf_put_u32h(wb, ev->ev_type) == -1 ||
	    wbuf_put_u64h(wb, ev->ev_time) == -1 ||
	    admin_ss_build(wb, &ev->ev_src) == -1 ||
	    admin_ss_build(wb, &ev->ev_dst) == -1 ||
	    wbuf_put_u32h(wb, ev->ev_msgid) == -1)
		return -1;
	return 0;
}

static const struct {
	uint32_t	 type;
	const char	*name;
} admin_evt_names[] = {
	{ EVT_RACOON_QUIT, "Racoon terminated" },
	{ EVT_PHASE1_UP, "Phase 1 established" },
	{ EVT_PHASE1_DOWN, "Phase 1 deleted" },
	{ EVT_PHASE1_NO_RESPONSE, "Phase 1 error: peer not responding" },
	{ EVT_PHASE1_NO_PROPOSAL, "Phase 1 error: no proposal chosen" },
	{ EVT_PHASE1_AUTH_FAILED,
	    "Phase 1 error: authentication failed (bad certificate?)" },
	{ EVT_PHASE1_DPD_TIMEOUT, "Phase 1 error: dead peer detected" },
	{ EVT_PHASE1_PEER_DELETED, "Phase 1 deleted by the peer" },
	{ EVT_PHASE1_MODE_CFG, "Phase 1 mode configuration done" },
	{ EVT_PHASE2_NO_PHASE1, "Phase 2 error: no suitable phase 1" },
	{ EVT_PHASE2_UP, "Phase 2 established" },
	{ EVT_PHASE2_DOWN, "Phase 2 deleted" },
	{ EVT_PHASE2_NO_RESPONSE, "Phase 2 error: no response" },
};

const char *
admin_evt_name(uint32_t type)
{
	size_t i;

	for (i = 0; i < sizeof(admin_evt_names) / sizeof(admin_evt_names[0]);
	    i++)
		if (admin_evt_names[i].type == type)
			return admin_evt_names[i].name;
	return NULL;
}
