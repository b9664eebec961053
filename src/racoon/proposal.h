/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SA payloads from the configuration, and the choice among a peer's.
 * Phase 1: the initiator offers one ISAKMP proposal with a transform per
 * proposal { } of its remote, in the order written; the responder takes
 * the first of the peer's transforms that one of its remote's proposals
 * accepts, and answers with that transform as the peer wrote it.
 * Phase 2: proposals are made from a sainfo (algorithm lists, PFS group,
 * lifetime) and a policy (which protocols, AH, ESP or both, and which
 * encapsulation mode); the responder compares each of the peer's
 * proposals with its own as racoon 0.8's cmpsaprop_alloc does under the
 * remote's proposal_check (obey, strict, claim, exact).
 *
 * Builders append an SA payload body (DOI, situation, proposals) to a
 * wbuf between isakmp_out_pld() and isakmp_out_pld_end() and return 0 or
 * -1.  Functions that judge a peer's SA return an ISAKMP notify type
 * (ISAKMP_N_OK when one was chosen) and log why nothing fitted.
 * Algorithm pointers are rows of src/common/alg.c.
 */
#ifndef PROPOSAL_H
#define PROPOSAL_H

#include <stddef.h>
#include <stdint.h>

#include "alg.h"
#include "buf.h"
#include "cfg.h"
#include "isakmp_pld.h"

/* A phase 1 transform, as chosen. */
struct proposal_ph1 {
	const struct alg *p1_enc;	/* ALG_IKE_ENC */
	unsigned	 p1_keylen;	/* bits; 0: the cipher's default */
	const struct alg *p1_hash;	/* ALG_IKE_HASH, also the prf */
	enum cfg_auth	 p1_auth;
	const struct alg *p1_dh;	/* ALG_DH */
	uint32_t	 p1_lifetime;	/* seconds; 0: none given */
};

int	 proposal_ph1_build(struct wbuf *, const struct cfg_remote *);
/*
 * Responder: choose one of the peer's transforms that a proposal of the
 * remote accepts (lifetime judged by proposal_check) and append the
 * answer's SA payload body to reply.
 */
int	 proposal_ph1_choose(const struct cfg_remote *,
	    const struct isakmp_sa *, struct proposal_ph1 *, struct wbuf *);
/* 1 if proposal_ph1_choose would find a transform; logs nothing. */
int	 proposal_ph1_fits(const struct cfg_remote *,
	    const struct isakmp_sa *);
/* Initiator: the answer holds one transform, one of those offered. */
int	 proposal_ph1_accept(const struct cfg_remote *,
	    const struct isakmp_sa *, struct proposal_ph1 *);

#define PROPOSAL_MAX_PROTO	2	/* AH and ESP in one bundle */

/* What a policy wants protected: protocols in order, and the mode. */
struct proposal_policy {
	/* ISAKMP_PROTO_AH, _ESP */
	uint8_t		 pol_proto[PROPOSAL_MAX_PROTO];
	size_t		 pol_nproto;
	uint16_t	 pol_mode;	/* IPSECDOI_MODE_TUNNEL, _TRANSPORT */
	/* What goes on the wire: 0 (pol_mode) or a NAT-T UDP mode. */
	uint16_t	 pol_wire_mode;
};

/* One protocol of a chosen phase 2 proposal. */
struct proposal_sa {
	uint8_t		 ps_proto;	/* ISAKMP_PROTO_AH or _ESP */
	uint32_t	 ps_spi;	/* ours: the peer sends with it */
	uint32_t	 ps_spi_peer;	/* the peer's: we send with it */
	uint16_t	 ps_mode;	/* IPSECDOI_MODE_TUNNEL, _TRANSPORT */
	uint16_t	 ps_wire_mode;	/* as negotiated (NAT-T: UDP) */
	uint8_t		 ps_trans_num;
	uint8_t		 ps_trans_id;
	const struct alg *ps_enc;	/* ALG_ENC; NULL for AH */
	unsigned	 ps_keylen;	/* bits without salt; 0: fixed */
	const struct alg *ps_auth;	/* ALG_AUTH; NULL for AEAD */
};

struct proposal_ph2 {
	uint8_t		 pp_num;
	struct proposal_sa pp_sa[PROPOSAL_MAX_PROTO];
	size_t		 pp_nsa;
	uint32_t	 pp_lifetime;	/* seconds; 0: none */
	uint64_t	 pp_lifekb;	/* kilobytes; 0: none */
	const struct alg *pp_pfs;	/* ALG_DH, or NULL */
	int		 pp_claim;	/* our lifetime is shorter */
};

/*
 * Initiator: the SA payload for a sainfo and a policy, one proposal
 * payload per protocol (all numbered 1) carrying spis[i] for
 * pol_proto[i], with a transform per algorithm (ESP: per cipher and
 * integrity pair) as racoon builds it.
 */
int	 proposal_ph2_build(struct wbuf *, const struct cfg_sainfo *,
	    const struct proposal_policy *, const uint32_t *);
/*
 * Responder: the first of the peer's proposals that the sainfo and
 * policy accept under proposal_check; ps_spi_peer is set, ps_spi is 0
 * (the caller gets one from the kernel).
 */
int	 proposal_ph2_choose(const struct cfg_sainfo *,
	    const struct proposal_policy *, enum cfg_pcheck,
	    const struct isakmp_sa *, struct proposal_ph2 *);
/*
 * The same without a policy (generate_policy): each of the peer's
 * proposals names the protocols and mode it wants; the first whose
 * transforms the sainfo accepts is chosen and its policy returned.
 */
int	 proposal_ph2_choose_gen(const struct cfg_sainfo *, enum cfg_pcheck,
	    const struct isakmp_sa *, struct proposal_policy *,
	    struct proposal_ph2 *);
/* Responder's answer: the chosen proposal with our SPIs. */
int	 proposal_ph2_reply(struct wbuf *, const struct proposal_ph2 *);
/*
 * Initiator: the answer holds one proposal we offered, with one
 * transform per protocol, a lifetime no longer than ours and our PFS
 * group.  spis are ours, in policy order.
 */
int	 proposal_ph2_accept(const struct cfg_sainfo *,
	    const struct proposal_policy *, const uint32_t *,
	    const struct isakmp_sa *, struct proposal_ph2 *);
/*
 * RESPONDER-LIFETIME (RFC 2407 4.6.3.1): the attributes of the notify
 * data.  _parse shortens pp's lifetimes to those given (never
 * lengthens them).
 */
int	 proposal_lifetime_build(struct wbuf *, const struct proposal_ph2 *);
int	 proposal_lifetime_parse(const uint8_t *, size_t,
	    struct proposal_ph2 *);

/*
 * What the kernel can install (kernel.c, from its answers to REGISTER):
 * 1 if an SA of protocol proto (ISAKMP_PROTO_AH, _ESP) with cipher enc
 * of encbits key bits, salt included (NULL, 0: none) and integrity auth
 * (NULL: none) can go in, else 0.  Our phase 2 transforms leave out what
 * it refuses, as proposals and as what we accept; the initiator logs
 * each one left out.  Until one is set (unit tests), everything can.
 */
void	 proposal_set_kernel(int (*)(uint8_t, const struct alg *, unsigned,
	    const struct alg *));

/* Key bits of a phase 2 cipher, salt included, and of integrity. */
unsigned proposal_enc_bits(const struct proposal_sa *);
unsigned proposal_auth_bits(const struct proposal_sa *);
const char *proposal_pcheck_name(enum cfg_pcheck);

#endif /* PROPOSAL_H */
