/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PF_KEY v2 codec (RFC 2367 plus the KAME/Linux extensions that racoon
 * and setkey use).  One codec serves both sides of the socket: setkey and
 * racoon build requests and parse the kernel's answers; ipsecd parses
 * requests and builds answers and broadcasts.
 *
 * Numbering is Linux's (<linux/pfkeyv2.h>, <linux/ipsec.h>), written here
 * rather than included, so that the codec builds anywhere and every number
 * has a name table.  Algorithm numbers (SADB_[AEX]ALG_*) live in alg.h, the
 * one algorithm table.  Every field is host byte order, as the kernel
 * uses, except SPIs and sockaddr ports (network order on the wire; the
 * decoded structs below hold them as plain host-order numbers).  Lengths on
 * the wire count 64-bit words.
 *
 * Parsing: pfkey_parse() makes one pass over a message and fills
 * msg->pm_ext[type] with a child view of each extension (its header
 * included).  It rejects, with errno and a reason in msg->pm_err:
 *	EMSGSIZE  fewer than 16 bytes, or sadb_msg_len that is not the
 *		  datagram's length (af_key's pfkey_get_base_msg);
 *	EINVAL	  a bad version or message type; an
 *		  extension that is short, overlong, of an unknown or reserved
 *		  type, duplicated, or longer than what is left; and every
 *		  extension whose contents do not decode (see the typed
 *		  decoders), so a message that parses decodes.
 * sadb_msg_reserved is left to the caller: Linux fills it in its own SPD
 * messages, and a server refuses it in requests (ipsecd does).
 * The typed decoders (pfkey_get_*) then read one extension each; they
 * return 0, 1 if the extension is absent, or -1 (EINVAL) if it is
 * malformed, which pfkey_parse() has already ruled out, or if the type
 * asked for is not one that decoder reads (a lifetime type to
 * pfkey_get_address, say).
 *
 * Building: pfkey_build_hdr() starts a message at the start of an empty
 * wbuf, one pfkey_put_* per extension follows, and pfkey_build_end()
 * patches sadb_msg_len.  Every call returns 0 or -1 (the wbuf's sticky
 * failure: out of room), so a builder may chain calls and check
 * pfkey_build_end() alone.
 */
#ifndef PFKEY_H
#define PFKEY_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "alg.h"
#include "buf.h"

struct wbuf;

#define PF_KEY_V2		2
#define PFKEYV2_REVISION	199806L

/* Sizes on the wire, bytes; lengths in the headers count 8-byte units. */
#define PFKEY_UNIT		8
#define PFKEY_HDR_LEN		16	/* struct sadb_msg */
#define PFKEY_EXT_HDR_LEN	4	/* struct sadb_ext */
#define PFKEY_COMB_LEN		72	/* struct sadb_comb */
#define PFKEY_ALG_LEN		8	/* struct sadb_alg */
#define PFKEY_IPSECREQ_LEN	16	/* struct sadb_x_ipsecrequest */
/*
 * Largest message we build or accept.  Linux's sadb_msg_len could describe
 * 512 KiB, but its own messages stay far below 4 KiB; ours too (an SA with
 * all extensions and two 512-bit keys is under 400 bytes).
 */
#define PFKEY_MSG_MAX		(64 * 1024)
/* Depth of a policy's request chain (Linux XFRM_MAX_DEPTH). */
#define PFKEY_MAX_IPSECREQ	6

/* Message types (sadb_msg_type). */
#define SADB_RESERVED		0
#define SADB_GETSPI		1
#define SADB_UPDATE		2
#define SADB_ADD		3
#define SADB_DELETE		4
#define SADB_GET		5
#define SADB_ACQUIRE		6
#define SADB_REGISTER		7
#define SADB_EXPIRE		8
#define SADB_FLUSH		9
#define SADB_DUMP		10
#define SADB_X_PROMISC		11
#define SADB_X_PCHANGE		12
#define SADB_X_SPDUPDATE	13
#define SADB_X_SPDADD		14
#define SADB_X_SPDDELETE	15
#define SADB_X_SPDGET		16
#define SADB_X_SPDACQUIRE	17
#define SADB_X_SPDDUMP		18
#define SADB_X_SPDFLUSH		19
#define SADB_X_SPDSETIDX	20
#define SADB_X_SPDEXPIRE	21
#define SADB_X_SPDDELETE2	22
#define SADB_X_NAT_T_NEW_MAPPING 23
#define SADB_X_MIGRATE		24
#define SADB_MAX		24

/* SA flags (sadb_sa_flags). */
#define SADB_SAFLAGS_PFS	0x00000001
#define SADB_SAFLAGS_NOPMTUDISC	0x20000000
#define SADB_SAFLAGS_DECAP_DSCP	0x40000000
#define SADB_SAFLAGS_NOECN	0x80000000

/* SA states (sadb_sa_state). */
#define SADB_SASTATE_LARVAL	0
#define SADB_SASTATE_MATURE	1
#define SADB_SASTATE_DYING	2
#define SADB_SASTATE_DEAD	3
#define SADB_SASTATE_MAX	3

/* SA types (sadb_msg_satype). */
#define SADB_SATYPE_UNSPEC	0
#define SADB_SATYPE_AH		2
#define SADB_SATYPE_ESP		3
#define SADB_SATYPE_RSVP	5
#define SADB_SATYPE_OSPFV2	6
#define SADB_SATYPE_RIPV2	7
#define SADB_SATYPE_MIP		8
#define SADB_X_SATYPE_IPCOMP	9
#define SADB_SATYPE_MAX		9

/* Limits of the algorithm numbers af_key accepts in sadb_sa. */
#define SADB_AALG_MAX		251
#define SADB_EALG_MAX		253
#define SADB_X_CALG_MAX		4

/* Extension types (sadb_ext_type). */
#define SADB_EXT_RESERVED		0
#define SADB_EXT_SA			1
#define SADB_EXT_LIFETIME_CURRENT	2
#define SADB_EXT_LIFETIME_HARD		3
#define SADB_EXT_LIFETIME_SOFT		4
#define SADB_EXT_ADDRESS_SRC		5
#define SADB_EXT_ADDRESS_DST		6
#define SADB_EXT_ADDRESS_PROXY		7
#define SADB_EXT_KEY_AUTH		8
#define SADB_EXT_KEY_ENCRYPT		9
#define SADB_EXT_IDENTITY_SRC		10
#define SADB_EXT_IDENTITY_DST		11
#define SADB_EXT_SENSITIVITY		12
#define SADB_EXT_PROPOSAL		13
#define SADB_EXT_SUPPORTED_AUTH		14
#define SADB_EXT_SUPPORTED_ENCRYPT	15
#define SADB_EXT_SPIRANGE		16
#define SADB_X_EXT_KMPRIVATE		17
#define SADB_X_EXT_POLICY		18
#define SADB_X_EXT_SA2			19
#define SADB_X_EXT_NAT_T_TYPE		20
#define SADB_X_EXT_NAT_T_SPORT		21
#define SADB_X_EXT_NAT_T_DPORT		22
#define SADB_X_EXT_NAT_T_OA		23
#define SADB_X_EXT_SEC_CTX		24
#define SADB_X_EXT_KMADDRESS		25
#define SADB_X_EXT_FILTER		26
#define SADB_EXT_MAX			26

/* Bit of an extension type in pm_present. */
#define PFKEY_EXT_BIT(t)	(1U << (t))

/* Identity types (sadb_ident_type). */
#define SADB_IDENTTYPE_RESERVED	0
#define SADB_IDENTTYPE_PREFIX	1
#define SADB_IDENTTYPE_FQDN	2
#define SADB_IDENTTYPE_USERFQDN	3
#define SADB_IDENTTYPE_MAX	3

/* KAME/Linux <linux/ipsec.h>: ports, modes, directions, policies, levels. */
#define IPSEC_PORT_ANY		0
#define IPSEC_ULPROTO_ANY	255
#define IPSEC_PROTO_ANY		255
#define IPSEC_MODE_ANY		0
#define IPSEC_MODE_TRANSPORT	1
#define IPSEC_MODE_TUNNEL	2
#define IPSEC_MODE_BEET		3
#define IPSEC_DIR_ANY		0
#define IPSEC_DIR_INBOUND	1
#define IPSEC_DIR_OUTBOUND	2
#define IPSEC_DIR_FWD		3
#define IPSEC_DIR_MAX		4
#define IPSEC_DIR_INVALID	5
#define IPSEC_POLICY_DISCARD	0
#define IPSEC_POLICY_NONE	1
#define IPSEC_POLICY_IPSEC	2
#define IPSEC_POLICY_ENTRUST	3
#define IPSEC_POLICY_BYPASS	4
#define IPSEC_LEVEL_DEFAULT	0
#define IPSEC_LEVEL_USE		1
#define IPSEC_LEVEL_REQUIRE	2
#define IPSEC_LEVEL_UNIQUE	3
#define IPSEC_MANUAL_REQID_MAX	0x3fff
#define IPSEC_REPLAYWSIZE	32

/* sadb_x_nat_t_type_type: RFC 3948 ESP-in-UDP (Linux UDP_ENCAP_*). */
#define UDP_ENCAP_ESPINUDP_NON_IKE	1
#define UDP_ENCAP_ESPINUDP		2

/* The fixed part of every message (struct sadb_msg). */
struct pfkey_hdr {
	uint8_t		 ph_version;
	uint8_t		 ph_type;
	uint8_t		 ph_errno;
	uint8_t		 ph_satype;
	uint16_t	 ph_len;	/* 8-byte units; set by build_end */
	uint16_t	 ph_reserved;
	uint32_t	 ph_seq;
	uint32_t	 ph_pid;
};

/*
 * A parsed message.  The views point into the caller's buffer, which must
 * outlive them.  pm_ext[t] is empty (rb_data NULL) unless bit t of
 * pm_present is set; pm_ext[0] is never used.
 */
struct pfkey_msg {
	struct pfkey_hdr pm_hdr;
	int		 pm_hdr_ok;	/* 1 once pm_hdr holds 16 read bytes */
	uint32_t	 pm_present;
	struct rbuf	 pm_raw;	/* the whole message */
	struct rbuf	 pm_ext[SADB_EXT_MAX + 1];
	char		 pm_err[128];	/* why pfkey_parse() failed */
};

/* struct sadb_sa.  ps_spi is the SPI as a number (network order on wire). */
struct pfkey_sa {
	uint32_t	 ps_spi;
	uint8_t		 ps_replay;
	uint8_t		 ps_state;
	uint8_t		 ps_auth;
	uint8_t		 ps_encrypt;
	uint32_t	 ps_flags;
};

/* struct sadb_lifetime: counts, bytes, and seconds (or epoch times). */
struct pfkey_lifetime {
	uint32_t	 pl_allocations;
	uint64_t	 pl_bytes;
	uint64_t	 pl_addtime;
	uint64_t	 pl_usetime;
};

/*
 * struct sadb_address and its sockaddr: pa_addr holds the address, the
 * port (host order, 0 = any) and sadb_address_prefixlen in a_plen;
 * pa_proto is the upper-layer protocol (IPSEC_ULPROTO_ANY = any).
 */
struct pfkey_address {
	uint8_t		 pa_proto;
	struct addr	 pa_addr;
};

/*
 * struct sadb_key.  pk_data points into the parsed message (pk_len =
 * bytes holding pk_bits); the caller copies it into memory it wipes.
 */
struct pfkey_key {
	uint16_t	 pk_bits;
	const uint8_t	*pk_data;
	size_t		 pk_len;
};

/* struct sadb_spirange. */
struct pfkey_spirange {
	uint32_t	 pr_min;
	uint32_t	 pr_max;
};

/* struct sadb_x_sa2. */
struct pfkey_sa2 {
	uint8_t		 p2_mode;
	uint32_t	 p2_sequence;
	uint32_t	 p2_reqid;
};

/* struct sadb_alg, in SUPPORTED_AUTH/ENCRYPT. */
struct pfkey_alg {
	uint8_t		 pg_id;
	uint8_t		 pg_ivlen;
	uint16_t	 pg_minbits;
	uint16_t	 pg_maxbits;
};
/* Most sadb_alg entries a SUPPORTED extension may carry (all of 0-255). */
#define PFKEY_MAX_ALGS		256

/* struct sadb_comb, in PROPOSAL. */
struct pfkey_comb {
	uint8_t		 pc_auth;
	uint8_t		 pc_encrypt;
	uint16_t	 pc_flags;
	uint16_t	 pc_auth_minbits;
	uint16_t	 pc_auth_maxbits;
	uint16_t	 pc_encrypt_minbits;
	uint16_t	 pc_encrypt_maxbits;
	uint32_t	 pc_soft_allocations;
	uint32_t	 pc_hard_allocations;
	uint64_t	 pc_soft_bytes;
	uint64_t	 pc_hard_bytes;
	uint64_t	 pc_soft_addtime;
	uint64_t	 pc_hard_addtime;
	uint64_t	 pc_soft_usetime;
	uint64_t	 pc_hard_usetime;
};
#define PFKEY_MAX_COMBS		64

/*
 * struct sadb_x_ipsecrequest.  pq_proto is IPPROTO_ESP/AH/COMP; the
 * tunnel endpoints are AF_UNSPEC when the request carries none.
 */
struct pfkey_ipsecreq {
	uint16_t	 pq_proto;
	uint8_t		 pq_mode;
	uint8_t		 pq_level;
	uint32_t	 pq_reqid;
	struct addr	 pq_src;
	struct addr	 pq_dst;
};

/* struct sadb_x_policy with its chain of requests. */
struct pfkey_policy {
	uint16_t	 pp_type;
	uint8_t		 pp_dir;
	uint32_t	 pp_id;
	uint32_t	 pp_priority;
	size_t		 pp_nreq;
	struct pfkey_ipsecreq pp_req[PFKEY_MAX_IPSECREQ];
};

/*
 * Parse one message of len bytes.  Returns 0, or -1 with errno (EMSGSIZE
 * or EINVAL, see above) and msg->pm_err saying where.  pm_hdr is filled
 * (pm_hdr_ok = 1) as soon as 16 bytes are there, so that an error reply
 * can echo type, seq and pid.
 */
int	 pfkey_parse(struct pfkey_msg *, const void *, size_t);
/* 1 if the extension of that type is present. */
int	 pfkey_has(const struct pfkey_msg *, unsigned);

int	 pfkey_get_sa(const struct pfkey_msg *, struct pfkey_sa *);
int	 pfkey_get_lifetime(const struct pfkey_msg *, unsigned,
	    struct pfkey_lifetime *);
int	 pfkey_get_address(const struct pfkey_msg *, unsigned,
	    struct pfkey_address *);
int	 pfkey_get_key(const struct pfkey_msg *, unsigned, struct pfkey_key *);
int	 pfkey_get_spirange(const struct pfkey_msg *, struct pfkey_spirange *);
int	 pfkey_get_sa2(const struct pfkey_msg *, struct pfkey_sa2 *);
/* Fills up to max entries of out; *n is the count in the extension. */
int	 pfkey_get_supported(const struct pfkey_msg *, unsigned,
	    struct pfkey_alg *, size_t, size_t *);
int	 pfkey_get_proposal(const struct pfkey_msg *, uint8_t *,
	    struct pfkey_comb *, size_t, size_t *);
int	 pfkey_get_policy(const struct pfkey_msg *, struct pfkey_policy *);
int	 pfkey_get_nat_t_type(const struct pfkey_msg *, uint8_t *);
/* SPORT or DPORT: the port as a host-order number. */
int	 pfkey_get_nat_t_port(const struct pfkey_msg *, unsigned,
	    uint16_t *);

/*
 * Start a message in an empty wbuf.  ph_len is ignored: pfkey_build_end()
 * writes it, and fails if the message is longer than PFKEY_MSG_MAX.
 */
int	 pfkey_build_hdr(struct wbuf *, const struct pfkey_hdr *);
int	 pfkey_build_end(struct wbuf *);
int	 pfkey_put_sa(struct wbuf *, const struct pfkey_sa *);
int	 pfkey_put_lifetime(struct wbuf *, unsigned,
	    const struct pfkey_lifetime *);
int	 pfkey_put_address(struct wbuf *, unsigned,
	    const struct pfkey_address *);
/* A key of bits bits taken from the first (bits + 7) / 8 bytes of key. */
int	 pfkey_put_key(struct wbuf *, unsigned, uint16_t, const void *);
int	 pfkey_put_spirange(struct wbuf *, const struct pfkey_spirange *);
int	 pfkey_put_sa2(struct wbuf *, const struct pfkey_sa2 *);
int	 pfkey_put_supported(struct wbuf *, unsigned,
	    const struct pfkey_alg *, size_t);
int	 pfkey_put_proposal(struct wbuf *, uint8_t, const struct pfkey_comb *,
	    size_t);
int	 pfkey_put_policy(struct wbuf *, const struct pfkey_policy *);
int	 pfkey_put_nat_t_type(struct wbuf *, uint8_t);
int	 pfkey_put_nat_t_port(struct wbuf *, unsigned, uint16_t);
/* Copy an extension of a parsed message as it is (header included). */
int	 pfkey_put_ext(struct wbuf *, const struct pfkey_msg *, unsigned);

/* Names for logs and dumps; "unknown" for numbers without one. */
const char *pfkey_msgtype_name(unsigned);
const char *pfkey_ext_name(unsigned);
const char *pfkey_satype_name(unsigned);
const char *pfkey_sastate_name(unsigned);
const char *pfkey_mode_name(unsigned);
const char *pfkey_dir_name(unsigned);
const char *pfkey_policy_name(unsigned);
const char *pfkey_level_name(unsigned);
/* SA type <-> IP protocol (IPPROTO_ESP, _AH, _COMP); 0 if none. */
uint8_t	 pfkey_satype2proto(unsigned);
uint8_t	 pfkey_proto2satype(unsigned);

#endif /* PFKEY_H */
