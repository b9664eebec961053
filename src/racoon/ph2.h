/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The phase 2 negotiation (quick mode) and the IPsec SAs it makes: the
 * traffic selectors (ID payloads for addresses, subnets and ranges), the
 * sainfo and policy they fall under, our SPIs, the chosen proposal, the
 * PFS pair, nonces, and KEYMAT per SA and direction handed to the
 * kernel interface.  ph2_quick.c holds the Quick Mode handlers.
 *
 * A ph2 lives in its ph1's list; ph1_free frees it.  Nonces and g(qm)^xy
 * are wiped when freed.  Log lines begin with ph2_name():
 * "ph2 1a2b3c4d 10.0.0.2[500]".
 */
#ifndef PH2_H
#define PH2_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "cfg.h"
#include "exchange.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "proposal.h"

enum ph2_state {
	PH2_S_NEW,
	PH2_S_NEGOTIATING,	/* first message out or in */
	PH2_S_ESTABLISHED,	/* SAs handed to the kernel */
	PH2_S_EXPIRED,
	PH2_S_FAILED,
	PH2_S_COUNT,
};

const char *ph2_state_name(enum ph2_state);

/*
 * A traffic selector as an ID payload carries it (RFC 2407 4.6.2):
 * sel_type IPSECDOI_ID_IPV4_ADDR, _SUBNET, _RANGE (or the IPv6 ones);
 * sel_addr holds the address (with a_plen for a subnet, a_port), and
 * sel_end the range's last address.
 */
struct ph2_sel {
	uint8_t		 sel_type;
	uint8_t		 sel_proto;	/* 0: any */
	struct addr	 sel_addr;
	struct addr	 sel_end;
};

struct dh;
struct ph1;

struct ph2 {
	TAILQ_ENTRY(ph2) ph2_entry;
	struct ph1	*ph2_ph1;
	enum isakmp_role ph2_role;
	enum ph2_state	 ph2_state;
	uint32_t	 ph2_msgid;
	uint32_t	 ph2_id;	/* for the kernel's late answers */
	unsigned	 ph2_spi_wait;	/* slots the kernel owes us */
	struct ph2_sel	 ph2_local;	/* our side's selector */
	struct ph2_sel	 ph2_remote;
	int		 ph2_has_ids;	/* ID payloads were exchanged */
	const struct cfg_sainfo *ph2_sainfo;
	struct proposal_policy ph2_policy;
	/*
	 * generate_policy: the responder holds (PH2_GENPOL_HELD) the
	 * policies made from the peer's IDs while its SAs live; WANT until
	 * ph2_install.
	 */
	int		 ph2_genpol;
	/* Our SPIs, in policy order. */
	uint32_t	 ph2_spi[PROPOSAL_MAX_PROTO];
	struct proposal_ph2 ph2_prop;	/* chosen */
	uint8_t		 ph2_err_proto;	/* what a notify names */
	uint8_t		 ph2_err_spi[4];
	struct dh	*ph2_dh;	/* PFS */
	struct wbuf	 ph2_ni;	/* initiator's nonce (secret) */
	struct wbuf	 ph2_nr;
	struct wbuf	 ph2_gxy;	/* g(qm)^xy (secret) */
	struct exchange	 ph2_ex;
	uint64_t	 ph2_expire_at;
	uint64_t	 ph2_dead_at;
	char		 ph2_why[64];	/* why it failed */
	int		 ph2_has_natoa;	/* NAT-OA: the peer's own address */
	struct addr	 ph2_natoa;
};

#define PH2_GENPOL_NO		0
#define PH2_GENPOL_WANT		1
#define PH2_GENPOL_HELD		2

struct ph2 *ph2_new(struct ph1 *, enum isakmp_role, uint32_t);
void	 ph2_free(struct ph2 *);
int	 ph2_set_state(struct ph2 *, enum ph2_state);
void	 ph2_fail(struct ph2 *, const char *);
const char *ph2_name(const struct ph2 *, char *, size_t);
#define PH2_NAMELEN	(16 + ADDR_STRLEN)
struct ph2 *ph2_find(struct ph1 *, uint32_t);
/*
 * 1 if one of ph1's last PH1_MSGIDS phase 2s had msgid: a Quick Mode
 * message 1 with it, its phase 2 gone, is a replay.
 */
int	 ph2_msgid_used(const struct ph1 *, uint32_t);

/* Selectors: from text-free parts, to and from ID payloads, printing. */
int	 ph2_sel_host(struct ph2_sel *, const struct addr *);
int	 ph2_sel_from_id(struct ph2_sel *, const struct isakmp_id *);
/* Fills id; the address bytes point into buf (32 bytes). */
void	 ph2_sel_to_id(const struct ph2_sel *, struct isakmp_id *,
	    uint8_t *);
char	*ph2_sel_fmt(const struct ph2_sel *, char *, size_t);
/*
 * The sainfo for local and remote selectors under ph1, or NULL (racoon
 * order): "from" must name ph1's peer ID, "clientaddr" is the peer's
 * own address.
 */
const struct cfg_sainfo *ph2_sainfo_find(const struct cfg *,
	    const struct ph1 *, const struct ph2_sel *, const struct ph2_sel *);

/*
 * Quick Mode as an initiator under an established ph1, for traffic
 * between two selectors that policy wants protected.  NULL if it could
 * not start (logged).
 */
struct ph2 *ph2_quick_start(struct ph1 *, const struct ph2_sel *,
	    const struct ph2_sel *, const struct proposal_policy *);
/*
 * Ask the kernel for our SPIs, one per protocol in order; 0 or -1.
 * Late answers arrive through ph2_spi_set (spi 0: failed), which runs
 * the exchange on when the last one is in.
 */
int	 ph2_getspi(struct ph2 *, const uint8_t *, size_t);
void	 ph2_spi_set(struct ph2 *, size_t, uint32_t);
/* Derive KEYMAT and hand every SA, both directions, to the kernel. */
int	 ph2_install(struct ph2 *);

/* Quick Mode handlers (ph2_quick.c), for exchange.c's table. */
int	 ph2_quick_i1_send(struct exchange *, struct isakmp_out *);
int	 ph2_quick_i2_recv(struct exchange *, const struct isakmp_msg *);
int	 ph2_quick_i3_send(struct exchange *, struct isakmp_out *);
int	 ph2_quick_r1_recv(struct exchange *, const struct isakmp_msg *);
int	 ph2_quick_r2_send(struct exchange *, struct isakmp_out *);
int	 ph2_quick_r3_recv(struct exchange *, const struct isakmp_msg *);

#endif /* PH2_H */
