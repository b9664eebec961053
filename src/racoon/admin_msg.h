/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The admin protocol between racoonctl and racoon, on racoon's admin
 * UNIX stream socket, as ipsec-tools lays it out (admin.h): every
 * message begins with struct admin_com in host byte order,
 *
 *	uint16_t ac_len;	total length, data included
 *	uint16_t ac_cmd;	ADMIN_*, | ADMIN_FLAG_VERSION in requests,
 *				| ADMIN_FLAG_LONG_REPLY in long replies
 *	int16_t  ac_errno;	replies: 0 or an errno; requests: version
 *				(ac_version); long replies: ac_len_high
 *	uint16_t ac_proto;	ADMIN_PROTO_*, or a command's own value
 *
 * and the data follows.  Addresses travel as struct sockaddr_storage
 * (128 bytes: family in host order, port in network order), SA indexes
 * as struct admin_com_indexes (prefs, prefd, ul_proto, reserved, src,
 * dst).  The records below (ISAKMP-SAs for show-sa isakmp, events for
 * show-event) are this implementation's, in the same style.
 *
 * Both sides read every field through struct rbuf: each parser takes a
 * view cut to what was received and checks lengths, families and
 * reserved bytes.  All return 0 or -1 (with *why set when given).
 */
#ifndef ADMIN_MSG_H
#define ADMIN_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"

#define ADMIN_HDR_LEN		8
#define ADMIN_SS_LEN		128	/* sizeof(struct sockaddr_storage) */
#define ADMIN_INDEX_LEN		(4 + 2 * ADMIN_SS_LEN)
#define ADMIN_REQ_MAX		4096	/* longest request racoon reads */
#define ADMIN_REPLY_MAX		(16 * 1024 * 1024)

#define ADMIN_FLAG_VERSION	0x8000
#define ADMIN_FLAG_LONG_REPLY	0x8000
#define ADMIN_VERSION		1

/* Commands (ipsec-tools' numbers). */
#define ADMIN_RELOAD_CONF	0x0001
#define ADMIN_SHOW_SCHED	0x0002
#define ADMIN_SHOW_EVT		0x0003
#define ADMIN_SHOW_SA		0x0101
#define ADMIN_FLUSH_SA		0x0102
#define ADMIN_STATUS		0x0103	/* ac_proto: ADMIN_STATUS_* */
#define ADMIN_DELETE_SA		0x0201
#define ADMIN_ESTABLISH_SA	0x0202
#define ADMIN_DELETE_ALL_SA_DST	0x0204

#define ADMIN_STATUS_TEXT	0
#define ADMIN_STATUS_JSON	1

/* ac_proto values. */
#define ADMIN_PROTO_ISAKMP	0x01ff
#define ADMIN_PROTO_IPSEC	0x02ff
#define ADMIN_PROTO_AH		0x0201
#define ADMIN_PROTO_ESP		0x0202
#define ADMIN_PROTO_INTERNAL	0x0301

/* Event types (ipsec-tools' evt.h). */
#define EVT_RACOON_QUIT		0x0001
#define EVT_PHASE1_UP		0x0100
#define EVT_PHASE1_DOWN		0x0101
#define EVT_PHASE1_NO_RESPONSE	0x0102
#define EVT_PHASE1_NO_PROPOSAL	0x0103
#define EVT_PHASE1_AUTH_FAILED	0x0104
#define EVT_PHASE1_DPD_TIMEOUT	0x0105
#define EVT_PHASE1_PEER_DELETED	0x0106
#define EVT_PHASE1_MODE_CFG	0x0107
#define EVT_PHASE2_NO_PHASE1	0x0200
#define EVT_PHASE2_UP		0x0201
#define EVT_PHASE2_DOWN		0x0202
#define EVT_PHASE2_NO_RESPONSE	0x0203

struct admin_hdr {
	uint32_t	 ah_len;	/* total, ac_len_high included */
	uint16_t	 ah_cmd;	/* flag bits removed */
	int		 ah_flag;	/* the 0x8000 bit was set */
	int16_t		 ah_errno;	/* or the version */
	uint16_t	 ah_proto;
};

/* SA index of delete-sa and establish-sa. */
struct admin_index {
	uint8_t		 ai_prefs;
	uint8_t		 ai_prefd;
	uint8_t		 ai_ulproto;
	struct addr	 ai_src;	/* with port */
	struct addr	 ai_dst;
};

/* One ISAKMP-SA of show-sa isakmp. */
#define ADMIN_PH1REC_LEN	(2 * ADMIN_SS_LEN + 16 + 4 + 8 + 4)
struct admin_ph1rec {
	struct addr	 pr_local;
	struct addr	 pr_remote;
	uint8_t		 pr_icookie[8];
	uint8_t		 pr_rcookie[8];
	uint8_t		 pr_status;
	uint8_t		 pr_side;	/* 0 initiator, 1 responder */
	uint8_t		 pr_version;
	uint8_t		 pr_etype;
	uint64_t	 pr_created;	/* time_t */
	uint32_t	 pr_ph2cnt;
};

/* One event of show-event. */
#define ADMIN_EVT_LEN		(4 + 8 + 2 * ADMIN_SS_LEN + 4)
struct admin_evt {
	uint32_t	 ev_type;
	uint64_t	 ev_time;	/* time_t */
	struct addr	 ev_src;
	struct addr	 ev_dst;
	uint32_t	 ev_msgid;
};

/*
 * The header at the start of rb.  A request's length must lie within
 * ADMIN_HDR_LEN..ADMIN_REQ_MAX; a reply's (long replies too) within
 * ADMIN_HDR_LEN..ADMIN_REPLY_MAX.
 */
int	 admin_hdr_parse(struct rbuf *, int, struct admin_hdr *,
	    const char **);
/*
 * Begin a message; admin_msg_end() patches its length (a reply over
 * 64 KiB gets ADMIN_FLAG_LONG_REPLY and ac_len_high).
 */
int	 admin_msg_begin(struct wbuf *, uint16_t, int16_t, uint16_t);
int	 admin_msg_end(struct wbuf *, int);

int	 admin_ss_parse(struct rbuf *, struct addr *, const char **);
int	 admin_ss_build(struct wbuf *, const struct addr *);
int	 admin_index_parse(struct rbuf *, struct admin_index *,
	    const char **);
int	 admin_index_build(struct wbuf *, const struct admin_index *);
int	 admin_ph1rec_parse(struct rbuf *, struct admin_ph1rec *,
	    const char **);
int	 admin_ph1rec_build(struct wbuf *, const struct admin_ph1rec *);
int	 admin_evt_parse(struct rbuf *, struct admin_evt *, const char **);
int	 admin_evt_build(struct wbuf *, const struct admin_evt *);
/* "Phase 1 established" and the like; NULL for an unknown type. */
const char *admin_evt_name(uint32_t);

#endif /* ADMIN_MSG_H */
