/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAT traversal (RFC 3947, RFC 3948, and draft-ietf-ipsec-nat-t-ike-02
 * and -03): vendor IDs, NAT-D, the float to port 4500, the following of
 * a peer that a NAT moved, the UDP encapsulation modes and NAT-OA.
 *
 * RFC 3947 3.2, the NAT-D payload:
 *
 *                       1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Next Payload  |    RESERVED   |        Payload length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ~                 HASH of the address and port                  ~
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  HASH = HASH(CKY-I | CKY-R | IP | Port), with the negotiated hash.
 *
 * The first NAT-D payload a side sends hashes the address it sends to,
 * the others its own addresses.  If the first does not match our
 * address as the datagram reached us, we are behind a NAT; if none of
 * the others matches the address it came from, the peer is.
 */
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cfg.h"
#include "exchange.h"
#include "ike_crypto.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"
#include "natt.h"
#include "ph1.h"
#include "ph2.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The vendor IDs: MD5 of each name (test_exchange.c checks). */
static const struct natt_vid_row {
	enum natt_version nv_ver;
	const char	*nv_name;
	uint8_t		 nv_vid[NATT_VID_LEN];
} natt_vids[] = {
	{ NATT_RFC, "RFC 3947",
	    { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	      0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f } },
	{ NATT_DRAFT03, "draft-ietf-ipsec-nat-t-ike-03",
	    { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
	      0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 } },
	{ NATT_DRAFT02N, "draft-ietf-ipsec-nat-t-ike-02\\n",
	    { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
	      0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f } },
	{ NATT_DRAFT02, "draft-ietf-ipsec-nat-t-ike-02",
	    { 0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
	      0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 } },
};

/*
 * A vendor ID this long of a NAT-T one's first bytes, but not 16 bytes
 * long, is a damaged or hostile NAT-T vendor ID (others are any length).
 */
#define NATT_VID_PREFIX	8

/* Payload numbers and encapsulation modes by version. */
static int
natt_is_rfc(enum natt_version v)
{
	return v == NATT_RFC;
}

static const struct natt_vid_row *
natt_row(enum natt_version v)
{
	size_t i;

	for (i = 0; i < NELEM(natt_vids); i++)
		if (natt_vids[i].nv_ver == v)
			return &natt_vids[i];
	return NULL;
}

const char *
natt_version_name(enum natt_version v)
{
	const struct natt_vid_row *r = natt_row(v);

	return r != NULL ? r->nv_name : "none";
}

const uint8_t *
natt_vid(enum natt_version v)
{
	const struct natt_vid_row *r = natt_row(v);

	return r != NULL ? r->nv_vid : NULL;
}

static int
natt_vid_put(struct isakmp_out *out, enum natt_version v)
{
	const uint8_t *vid = natt_vid(v);

	if (vid == NULL)
		return -1;
	return isakmp_out_pld(out, ISAKMP_NPTYPE_VID) == -1 ||
	    isakmp_data_build(out->out_wb, vid, NATT_VID_LEN) == -1 ? -1 : 0;
}

int
natt_vid_send(struct ph1 *ph1, struct isakmp_out *out)
{
	size_t i;

	if (ph1->ph1_remote->r_nat_traversal == CFG_OFF)
		return 0;
	if (ph1->ph1_role == ISAKMP_ROLE_R)
		return ph1->ph1_natt_ver == NATT_NONE ? 0 :
		    natt_vid_put(out, ph1->ph1_natt_ver);
	for (i = 0; i < NELEM(natt_vids); i++)
		if (natt_vid_put(out, natt_vids[i].nv_ver) == -1)
			return -1;
	return 0;
}

void
natt_vid_recv(struct ph1 *ph1, const struct isakmp_msg *msg)
{
	const struct isakmp_pld *p;
	const uint8_t *d;
	size_t i, k, len;
	char name[PH1_NAMELEN];

	if (ph1->ph1_remote->r_nat_traversal == CFG_OFF)
		return;
	ph1_name(ph1, name, sizeof(name));
	for (i = 0; (p = isakmp_msg_find(msg, ISAKMP_NPTYPE_VID, i)) != NULL;
	    i++) {
		d = rbuf_ptr(&p->pld_body);
		len = rbuf_left(&p->pld_body);
		for (k = 0; k < NELEM(natt_vids); k++) {
			if (len < NATT_VID_PREFIX || memcmp(d,
			    natt_vids[k].nv_vid, NATT_VID_PREFIX) != 0)
				continue;
			if (len != NATT_VID_LEN) {
				log_warnx("%s: vendor ID payload of %zu bytes "
				    "like NAT-T %s, not %d: dropped", name,
				    len, natt_vids[k].nv_name, NATT_VID_LEN);
				break;
			}
			if (memcmp(d, natt_vids[k].nv_vid, len) != 0)
				continue;
			log_debug(1, "%s: received Vendor ID: %s", name,
			    natt_vids[k].nv_name);
			/* The initiator takes the one the responder chose. */
			if (natt_vids[k].nv_ver > ph1->ph1_natt_ver)
				ph1->ph1_natt_ver = natt_vids[k].nv_ver;
			break;
		}
	}
	if (ph1->ph1_natt_ver != NATT_NONE)
		log_info("%s: NAT-T %s agreed", name,
		    natt_version_name(ph1->ph1_natt_ver));
}

/* HASH(CKY-I | CKY-R | IP | Port); a NULL address hashes none. */
static int
natt_hash(const struct ph1 *ph1, const struct addr *a, uint8_t *out)
{
	static const uint8_t none[16];
	uint8_t port[2];
	struct ike_chunk c[4];

	port[0] = (uint8_t)(a != NULL ? a->a_port >> 8 : 0);
	port[1] = (uint8_t)(a != NULL ? a->a_port : 0);
	c[0].c_ptr = ph1->ph1_icookie;
	c[0].c_len = ISAKMP_COOKIE_LEN;
	c[1].c_ptr = ph1->ph1_rcookie;
	c[1].c_len = ISAKMP_COOKIE_LEN;
	c[2].c_ptr = a != NULL ? a->a_raw : none;
	c[2].c_len = a != NULL ? addr_len(a->a_af) : sizeof(none);
	c[3].c_ptr = port;
	c[3].c_len = sizeof(port);
	return ike_hash(ph1->ph1_prop.p1_hash, c, NELEM(c), out);
}

static uint8_t
natt_natd_type(const struct ph1 *ph1)
{
	return natt_is_rfc(ph1->ph1_natt_ver) ? ISAKMP_NPTYPE_NATD :
	    ISAKMP_NPTYPE_NATD_DRAFT;
}

int
natt_natd_send(struct ph1 *ph1, struct isakmp_out *out)
{
	uint8_t h[IKE_PRF_MAX];
	size_t hl = ike_hash_len(ph1->ph1_prop.p1_hash);
	int force = ph1->ph1_remote->r_nat_traversal == CFG_FORCE;

	if (ph1->ph1_natt_ver == NATT_NONE)
		return 0;
	if (natt_hash(ph1, &ph1->ph1_peer, h) == -1 ||
	    isakmp_out_pld(out, natt_natd_type(ph1)) == -1 ||
	    isakmp_data_build(out->out_wb, h, hl) == -1 ||
	    natt_hash(ph1, force ? NULL : &ph1->ph1_local, h) == -1 ||
	    isakmp_out_pld(out, natt_natd_type(ph1)) == -1 ||
	    isakmp_data_build(out->out_wb, h, hl) == -1)
		return -1;
	return 0;
}

int
natt_natd_recv(struct ph1 *ph1, const struct isakmp_msg *msg)
{
	const struct isakmp_pld *p;
	uint8_t me[IKE_PRF_MAX], peer[IKE_PRF_MAX];
	size_t i, n = 0, hl = ike_hash_len(ph1->ph1_prop.p1_hash);
	int me_ok = 0, peer_ok = 0;
	char name[PH1_NAMELEN];

	if (ph1->ph1_natt_ver == NATT_NONE)
		return ISAKMP_N_OK;
	ph1_name(ph1, name, sizeof(name));
	if (natt_hash(ph1, &ph1->ph1_local, me) == -1 ||
	    natt_hash(ph1, &ph1->ph1_peer, peer) == -1)
		return EXCHANGE_ERR;
	for (i = 0; (p = isakmp_msg_find(msg, natt_natd_type(ph1), i)) !=
	    NULL; i++) {
		if (rbuf_left(&p->pld_body) != hl) {
			log_warnx("%s: NAT-D payload of %zu bytes, not %zu "
			    "(%s): dropped", name, rbuf_left(&p->pld_body),
			    hl, ph1->ph1_prop.p1_hash->alg_name);
			continue;
		}
		/* The first one is about us, the others about the peer. */
		if (n++ == 0)
			me_ok = memcmp(rbuf_ptr(&p->pld_body), me, hl) == 0;
		else if (memcmp(rbuf_ptr(&p->pld_body), peer, hl) == 0)
			peer_ok = 1;
	}
	if (n < 2) {
		log_warnx("%s: NAT-T agreed but %zu usable NAT-D payloads: "
		    "NAT-T not used", name, n);
		ph1->ph1_natt_ver = NATT_NONE;
		return ISAKMP_N_OK;
	}
	if (!me_ok)
		ph1->ph1_natt_flags |= NATT_F_ME;
	if (!peer_ok)
		ph1->ph1_natt_flags |= NATT_F_PEER;
	if (ph1->ph1_remote->r_nat_traversal == CFG_FORCE)
		ph1->ph1_natt_flags |= NATT_F_FORCED;
	if (ph1->ph1_natt_flags & (NATT_F_ME | NATT_F_PEER | NATT_F_FORCED))
		log_info("%s: NAT detected:%s%s%s", name,
		    ph1->ph1_natt_flags & NATT_F_ME ? " ME" : "",
		    ph1->ph1_natt_flags & NATT_F_PEER ? " PEER" : "",
		    ph1->ph1_natt_flags & NATT_F_FORCED ? " (forced)" : "");
	else
		log_info("%s: NAT not detected", name);
	return ISAKMP_N_OK;
}

int
natt_encap(const struct ph1 *ph1)
{
	return ph1->ph1_natt_ver != NATT_NONE && (ph1->ph1_natt_flags &
	    (NATT_F_ME | NATT_F_PEER | NATT_F_FORCED)) != 0;
}

void
natt_float(struct ph1 *ph1, uint16_t natt_port)
{
	char name[PH1_NAMELEN], l[ADDR_STRLEN], p[ADDR_STRLEN];

	if (!natt_encap(ph1) || (ph1->ph1_natt_flags & NATT_F_FLOATED))
		return;
	ph1->ph1_natt_flags |= NATT_F_FLOATED;
	ph1->ph1_local.a_port = natt_port;
	ph1->ph1_peer.a_port = CFG_PORT_NATT;
	log_info("%s: NAT-T: ports changed to: %s<->%s",
	    ph1_name(ph1, name, sizeof(name)),
	    addr_fmt(&ph1->ph1_local, ADDR_PORT, l, sizeof(l)),
	    addr_fmt(&ph1->ph1_peer, ADDR_PORT, p, sizeof(p)));
}

void
natt_follow(struct ph1 *ph1, const struct addr *local, const struct addr *peer,
    struct natt_save *save)
{
	save->ns_local = ph1->ph1_local;
	save->ns_peer = ph1->ph1_peer;
	save->ns_flags = ph1->ph1_natt_flags;
	save->ns_moved = 0;
	if (ph1->ph1_natt_ver == NATT_NONE ||
	    (addr_cmp(&ph1->ph1_peer, peer) == 0 &&
	    ph1->ph1_local.a_port == local->a_port))
		return;
	save->ns_moved = 1;
	ph1->ph1_peer = *peer;
	ph1->ph1_local.a_port = local->a_port;
	if (local->a_port != CFG_PORT_ISAKMP ||
	    peer->a_port != CFG_PORT_ISAKMP)
		ph1->ph1_natt_flags |= NATT_F_FLOATED;
}

void
natt_follow_end(struct ph1 *ph1, const struct natt_save *save, int accepted)
{
	char name[PH1_NAMELEN], l[ADDR_STRLEN], p[ADDR_STRLEN];

	if (!save->ns_moved)
		return;
	if (!accepted) {
		ph1->ph1_local = save->ns_local;
		ph1->ph1_peer = save->ns_peer;
		ph1->ph1_natt_flags = save->ns_flags;
		log_debug(1, "%s: NAT-T: a message not accepted moves nothing",
		    ph1_name(ph1, name, sizeof(name)));
		return;
	}
	log_info("%s: NAT-T: ports changed to: %s<->%s",
	    ph1_name(ph1, name, sizeof(name)),
	    addr_fmt(&ph1->ph1_local, ADDR_PORT, l, sizeof(l)),
	    addr_fmt(&ph1->ph1_peer, ADDR_PORT, p, sizeof(p)));
}

/*
 * The peer's NAT took another address: its IPsec-SAs cannot follow (see
 * kernel.c), so they go, the peer told by DELETE (to where it is now)
 * that it must negotiate new ones under this ISAKMP-SA.
 */
static void
natt_moved_away(struct ph1 *ph1, const struct addr *from)
{
	struct ph2 *ph2;
	struct addr to = ph1->ph1_peer;

	TAILQ_FOREACH(ph2, &ph1->ph1_ph2s, ph2_entry)
		if (ph2->ph2_state == PH2_S_ESTABLISHED)
			(void)exchange_delete_ph2(ph2);
	/* The SAs in the kernel still name the old address. */
	ph1->ph1_peer = *from;
	exchange_purge(ph1, "the peer's NAT changed its address");
	ph1->ph1_peer = to;
}

void
natt_new_mapping(struct exchange_env *env, const struct addr *from,
    const struct addr *to)
{
	struct ph1 *ph1;
	char name[PH1_NAMELEN], p[ADDR_STRLEN];

	TAILQ_FOREACH(ph1, &env->env_ph1s, ph1_entry) {
		if (ph1->ph1_natt_ver == NATT_NONE ||
		    ph1->ph1_peer.a_af != from->a_af ||
		    addr_cmp_host(&ph1->ph1_peer, from) != 0 ||
		    ph1->ph1_peer.a_port != from->a_port)
			continue;
		ph1_name(ph1, name, sizeof(name));
		ph1->ph1_peer = *to;
		ph1->ph1_peer.a_plen = addr_maxplen(to->a_af);
		log_info("%s: NAT-T: the peer is now at %s", name,
		    addr_fmt(&ph1->ph1_peer, ADDR_PORT, p, sizeof(p)));
		if (addr_cmp_host(from, to) != 0 &&
		    ph1->ph1_state == PH1_S_ESTABLISHED)
			natt_moved_away(ph1, from);
	}
}

uint16_t
natt_encmode(const struct ph1 *ph1, uint16_t mode)
{
	int tunnel = mode == IPSECDOI_MODE_TUNNEL;

	if (!natt_encap(ph1))
		return mode;
	if (natt_is_rfc(ph1->ph1_natt_ver))
		return tunnel ? IPSECDOI_MODE_UDPTUNNEL_RFC :
		    IPSECDOI_MODE_UDPTRNS_RFC;
	return tunnel ? IPSECDOI_MODE_UDPTUNNEL_DRAFT :
	    IPSECDOI_MODE_UDPTRNS_DRAFT;
}

int
natt_encmode_parse(uint16_t wire, uint16_t *mode, int *udp)
{
	switch (wire) {
	case IPSECDOI_MODE_TUNNEL:
	case IPSECDOI_MODE_TRANSPORT:
		*mode = wire;
		*udp = 0;
		return 0;
	case IPSECDOI_MODE_UDPTUNNEL_RFC:
	case IPSECDOI_MODE_UDPTUNNEL_DRAFT:
		*mode = IPSECDOI_MODE_TUNNEL;
		*udp = 1;
		return 0;
	case IPSECDOI_MODE_UDPTRNS_RFC:
	case IPSECDOI_MODE_UDPTRNS_DRAFT:
		*mode = IPSECDOI_MODE_TRANSPORT;
		*udp = 1;
		return 0;
	}
	return -1;
}

int
natt_ph2_policy(struct ph2 *ph2)
{
	struct proposal_policy *pol = &ph2->ph2_policy;
	size_t i;
	char name[PH2_NAMELEN];

	pol->pol_wire_mode = natt_encmode(ph2->ph2_ph1, pol->pol_mode);
	if (!natt_encap(ph2->ph2_ph1))
		return ISAKMP_N_OK;
	for (i = 0; i < pol->pol_nproto; i++)
		if (pol->pol_proto[i] == ISAKMP_PROTO_AH) {
			log_warnx("%s: the policy wants AH, which cannot pass "
			    "the NAT found in phase 1",
			    ph2_name(ph2, name, sizeof(name)));
			return ISAKMP_N_NO_PROPOSAL_CHOSEN;
		}
	return ISAKMP_N_OK;
}

int
natt_ph2_peer_sel(const struct ph2 *ph2, struct ph2_sel *sel)
{
	const struct ph2_sel *r = &ph2->ph2_remote;
	const struct ph1 *ph1 = ph2->ph2_ph1;

	if (!natt_encap(ph1) || !ph2->ph2_has_natoa ||
	    (r->sel_type != IPSECDOI_ID_IPV4_ADDR &&
	    r->sel_type != IPSECDOI_ID_IPV6_ADDR) ||
	    r->sel_addr.a_af != ph2->ph2_natoa.a_af ||
	    addr_cmp_host(&r->sel_addr, &ph2->ph2_natoa) != 0 ||
	    ph2_sel_host(sel, &ph1->ph1_peer) == -1)
		return 0;
	sel->sel_proto = r->sel_proto;
	sel->sel_addr.a_port = r->sel_addr.a_port;
	return 1;
}

static uint8_t
natt_oa_type(const struct ph1 *ph1)
{
	return natt_is_rfc(ph1->ph1_natt_ver) ? ISAKMP_NPTYPE_NATOA :
	    ISAKMP_NPTYPE_NATOA_DRAFT;
}

static int
natt_oa_put(struct isakmp_out *out, uint8_t type, const struct addr *a)
{
	struct isakmp_natoa oa;

	memset(&oa, 0, sizeof(oa));
	oa.oa_idtype = a->a_af == AF_INET6 ? IPSECDOI_ID_IPV6_ADDR :
	    IPSECDOI_ID_IPV4_ADDR;
	oa.oa_len = addr_len(a->a_af);
	memcpy(oa.oa_addr, a->a_raw, oa.oa_len);
	return isakmp_out_pld(out, type) == -1 ||
	    isakmp_natoa_build(out->out_wb, &oa) == -1 ? -1 : 0;
}

int
natt_oa_send(struct ph2 *ph2, struct isakmp_out *out)
{
	const struct ph1 *ph1 = ph2->ph2_ph1;
	int init = ph2->ph2_role == ISAKMP_ROLE_I;

	if (!natt_encap(ph1) ||
	    ph2->ph2_policy.pol_mode != IPSECDOI_MODE_TRANSPORT)
		return 0;
	/* NAT-OAi then NAT-OAr, each as this side knows it. */
	if (natt_oa_put(out, natt_oa_type(ph1), init ? &ph1->ph1_local :
	    &ph1->ph1_peer) == -1 ||
	    natt_oa_put(out, natt_oa_type(ph1), init ? &ph1->ph1_peer :
	    &ph1->ph1_local) == -1)
		return -1;
	return 0;
}

int
natt_oa_recv(struct ph2 *ph2, const struct isakmp_msg *msg)
{
	const struct ph1 *ph1 = ph2->ph2_ph1;
	const struct isakmp_pld *p;
	struct isakmp_natoa oa;
	struct rbuf rb;
	size_t idx = ph2->ph2_role == ISAKMP_ROLE_R ? 0 : 1;
	char name[PH2_NAMELEN], a[ADDR_STRLEN];
	int n;

	ph2->ph2_has_natoa = 0;
	if (!natt_encap(ph1))
		return ISAKMP_N_OK;
	/* The peer's own address: NAT-OAi from an initiator, else NAT-OAr. */
	if ((p = isakmp_msg_find(msg, natt_oa_type(ph1), idx)) == NULL)
		return ISAKMP_N_OK;
	rb = p->pld_body;
	if ((n = isakmp_natoa_parse(&rb, &oa)) != ISAKMP_N_OK)
		return n;
	if (addr_from_bytes(&ph2->ph2_natoa, oa.oa_idtype ==
	    IPSECDOI_ID_IPV6_ADDR ? AF_INET6 : AF_INET, oa.oa_addr,
	    oa.oa_len) == -1)
		return ISAKMP_N_INVALID_ID_INFORMATION;
	ph2->ph2_has_natoa = 1;
	log_debug(1, "%s: NAT-OA: the peer's own address is %s",
	    ph2_name(ph2, name, sizeof(name)),
	    addr_ntop(&ph2->ph2_natoa, a, sizeof(a)));
	return ISAKMP_N_OK;
}
