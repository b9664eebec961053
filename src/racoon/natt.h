/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAT traversal for IKEv1 (RFC 3947, and the drafts 02, 02n and 03 that
 * clients still send): the vendor IDs that announce it, the NAT-D hashes
 * that find which side is behind a NAT, the float of phase 1 to the
 * NAT-T port, the UDP encapsulation modes of phase 2 and its NAT-OA
 * payloads.  This module owns the NAT-T fields of a ph1 (ph1_natt_*)
 * and of a ph2 (ph2_natoa*); the exchanges call it at fixed points of
 * Main Mode, Aggressive Mode and Quick Mode, and the engine (exchange.c)
 * follows the peer's port and sends the keepalives.
 *
 * Every function that reads a peer's payloads logs what it drops (a
 * NAT-T vendor ID or NAT-D payload of the wrong length) and never fails
 * the exchange for it: the negotiation goes on as if it were absent.
 */
#ifndef NATT_H
#define NATT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "isakmp.h"

struct ph1;
struct ph2;
struct ph2_sel;

/* The NAT-T flavours, weakest first: the best both sides know wins. */
enum natt_version {
	NATT_NONE,
	NATT_DRAFT02,		/* draft-ietf-ipsec-nat-t-ike-02 */
	NATT_DRAFT02N,		/* the same, "\n" in the hashed string */
	NATT_DRAFT03,		/* draft-ietf-ipsec-nat-t-ike-03 */
	NATT_RFC,		/* RFC 3947 */
	NATT_VERSIONS,
};

/* ph1_natt_flags */
#define NATT_F_ME	0x01	/* we are behind a NAT */
#define NATT_F_PEER	0x02	/* the peer is behind a NAT */
#define NATT_F_FORCED	0x04	/* nat_traversal force: as if both */
#define NATT_F_FLOATED	0x08	/* phase 1 moved to the NAT-T port */

#define NATT_VID_LEN	16	/* MD5 of the version's name */

const char *natt_version_name(enum natt_version);
/* The vendor ID of a version (NATT_VID_LEN bytes), NULL for NATT_NONE. */
const uint8_t *natt_vid(enum natt_version);

/*
 * Our vendor IDs: every version when we start (message 1), or the one
 * chosen when we answer.  Nothing if the remote says nat_traversal off
 * or the peer announced none.  0 or -1.
 */
int	 natt_vid_send(struct ph1 *, struct isakmp_out *);
/*
 * The peer's vendor IDs: the best version both sides know becomes
 * ph1_natt_ver.  A vendor ID that starts like a NAT-T one but is not 16
 * bytes long is logged and ignored.
 */
void	 natt_vid_recv(struct ph1 *, const struct isakmp_msg *);

/*
 * NAT-D payloads (RFC 3947 3.2) once a version is agreed: the hash of
 * the peer's address and port as we send to it, then of our own (with
 * nat_traversal force, of no address, so that the peer finds a NAT).
 */
int	 natt_natd_send(struct ph1 *, struct isakmp_out *);
/*
 * The peer's NAT-D payloads against the addresses of this ph1: sets
 * NATT_F_ME and NATT_F_PEER.  Payloads of another length than the hash
 * are logged and ignored.  ISAKMP_N_OK or a notify.
 */
int	 natt_natd_recv(struct ph1 *, const struct isakmp_msg *);
/* 1 if the IPsec-SAs of ph1 are to be UDP-encapsulated. */
int	 natt_encap(const struct ph1 *);
/*
 * The initiator floats to the NAT-T port after message 4 (Main Mode)
 * or 2 (Aggressive Mode) when NAT-T is in use: our port becomes
 * natt_port, the peer's 4500.  Logged.
 */
void	 natt_float(struct ph1 *, uint16_t);
/*
 * A message of ph1 came from peer to local: follow a NAT that mapped
 * the peer elsewhere, once NAT-T is agreed, so that the message is
 * read against the addresses it came with and answered there.  The old
 * ones stay in *save: natt_follow_end keeps the move (logged) only if
 * the message was accepted (RFC 3947 4: only authenticated messages
 * move an SA), else it puts them back.
 */
struct natt_save {
	struct addr	 ns_local;
	struct addr	 ns_peer;
	unsigned	 ns_flags;
	int		 ns_moved;
};
void	 natt_follow(struct ph1 *, const struct addr *, const struct addr *,
	    struct natt_save *);
void	 natt_follow_end(struct ph1 *, const struct natt_save *, int);

/*
 * The kernel saw the peer at from (address and port) come from to
 * instead (SADB_X_NAT_T_NEW_MAPPING): every ph1 with that peer follows.
 * When the address changed, the IPsec-SAs under it cannot: they leave
 * the kernel and the peer gets a DELETE for each, so that it
 * negotiates new ones (with generate_policy, new policies too).
 */
struct exchange_env;
void	 natt_new_mapping(struct exchange_env *, const struct addr *,
	    const struct addr *);

/*
 * Encapsulation modes (RFC 3947 5, the drafts' 61443/61444): what goes
 * on the wire for mode (IPSECDOI_MODE_TUNNEL or _TRANSPORT) under ph1,
 * and what a wire value means (-1 if none; *udp 1 for a UDP mode).
 */
uint16_t natt_encmode(const struct ph1 *, uint16_t);
int	 natt_encmode_parse(uint16_t, uint16_t *, int *);
/*
 * Fit ph2's policy to its ph1: the UDP mode on the wire when NAT-T is in
 * use, where AH cannot go (it covers the addresses a NAT rewrites).
 * ISAKMP_N_OK or a notify (logged).
 */
int	 natt_ph2_policy(struct ph2 *);

/*
 * NAT-OA (RFC 3947 5.1) in transport mode with UDP encapsulation: both
 * sides send the initiator's and the responder's original address as
 * they know them; the peer's own address is kept for the kernel
 * (SADB_X_EXT_NAT_T_OA).  _recv returns ISAKMP_N_OK or a notify.
 */
int	 natt_oa_send(struct ph2 *, struct isakmp_out *);
int	 natt_oa_recv(struct ph2 *, const struct isakmp_msg *);
/*
 * Responder, transport mode through a NAT: the peer's ID is its own
 * (private) address, which NAT-OAi confirms, while our policy names the
 * address the NAT gave it, the ISAKMP-SA's.  1 with that host selector
 * in *sel, else 0.
 */
int	 natt_ph2_peer_sel(const struct ph2 *, struct ph2_sel *);

#endif /* NATT_H */
