/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The datapath engine (see dp.h).  One pass per wake-up: the TUN is read
 * until empty (at most DP_BATCH packets), the wire ring until no block is
 * ready, and what is to be sent is queued and flushed with one sendmmsg.
 *
 * Outbound, for a packet the TUN gives us:
 *	reassemble -> flow -> spd_match(out) ->
 *	  none/no policy: send it on in the clear (with the bypass mark)
 *	  discard: drop
 *	  ipsec: for each request in order, find the newest SA and seal
 *	    (transport: ESP after the IP header, AH inserted;
 *	     tunnel: a new outer header around the whole packet),
 *	    then fragment to the link and send
 *	  no SA: ACQUIRE (once per larval SA) and hold the packet until
 *	    the SA comes, the ACQUIRE fails or the larval SA times out
 * Inbound, for a packet the ring gives us:
 *	reassemble -> while the outermost protocol is AH, ESP or
 *	ESP-in-UDP: find the SA by (dst, SPI), replay check, verify and
 *	open, update the window (a new NAT-T peer port: NEW_MAPPING) ->
 *	the `in' policy of what is inside must name the SAs it came
 *	through -> write the result into the TUN.
 * Every drop is counted by its reason (dp_stats_log, SIGUSR1).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "ah.h"
#include "dp.h"
#include "esp.h"
#include "frag.h"
#include "gso.h"
#include "log.h"
#include "natt_csum.h"
#include "nft.h"
#include "pfkey_sock.h"
#include "pfkey_srv.h"
#include "pkt.h"
#include "replay.h"
#include "sad.h"
#include "spd.h"
#include "tun.h"
#include "wire.h"

#define DP_TUN_MTU	1400		/* leaves room for ESP+AH in 1500 */
#define DP_LINK_MTU	1500
#define DP_PKT_MAX	(65535 + 512)	/* a datagram plus what we add */
#define DP_BATCH	WIRE_BATCH
#define DP_TTL		64
/*
 * Packets held while an ACQUIRE is answered: a few per larval SA (enough
 * for a ping and a TCP handshake with retries; Linux's xfrm policy queue
 * holds up to 100, af_key's larval drop none) and a bound in total, so
 * that a flood towards many peers cannot pin memory.
 */
#define DP_HELD_PER_SA	8
#define DP_HELD_MAX	64

/* Transform state hung on an SA at its first use. */
struct dp_sa {
	uint8_t		 ds_proto;	/* IPPROTO_ESP or IPPROTO_AH */
	struct esp	 ds_esp;
	struct ah	 ds_ah;
	struct replay	 ds_replay;
	uint32_t	 ds_seq;	/* last sequence number sent */
	int		 ds_mapped;	/* NEW_MAPPING sent for ds_map */
	struct addr	 ds_map;
};

/* A route of the protected table, for one `out' policy destination. */
struct dp_route {
	TAILQ_ENTRY(dp_route)	 rt_entry;
	struct addr		 rt_dst;
	int			 rt_keep;
};

/*
 * Why a packet was dropped: one counter each, printed on SIGUSR1.  The
 * names are what the log and the tests show.
 */
enum dp_reason {
	DP_MALFORMED,		/* IP header unreadable */
	DP_REASM,		/* fragment reassembly refused */
	DP_POLICY_DISCARD,	/* an `out' policy says discard */
	DP_LINK_SCOPE,		/* the TUN's own multicast, link-local */
	DP_ACQ_QUEUE_FULL,	/* too many packets wait for SAs */
	DP_ACQ_FAILED,		/* user space reported a failed negotiation */
	DP_ACQ_TIMEOUT,		/* the larval SA went without an SA coming */
	DP_ACQ_ERROR,		/* no ACQUIRE could be made */
	DP_SEAL,		/* sealing failed */
	DP_SA_EXPIRED,		/* the packet used up the SA's hard limit */
	DP_TX,			/* the wire refused the packet */
	DP_NOT_PROTECTED,	/* no AH/ESP where the ring said there was */
	DP_SA_MISMATCH,		/* ESP-in-UDP and the SA disagree */
	DP_UNKNOWN_SPI,
	DP_REPLAY,
	DP_BAD_ICV,
	DP_BAD_PADDING,
	DP_BAD_LENGTH,		/* ciphertext length, AH length */
	DP_TRUNCATED,
	DP_BAD_NEXT_HEADER,
	DP_DECRYPT,
	DP_IN_POLICY,		/* decapsulated, but no `in' policy wants it */
	DP_TUN_WRITE,
	DP_NREASONS
};

/*
 * A packet that waits for the SA an ACQUIRE asks for (af_key's larval
 * queue): held by the ACQUIRE's sequence number, sent when the SA comes,
 * dropped when the negotiation fails or the larval SA times out.  The
 * buffers are made once; a packet is copied in, never allocated.
 */
struct dp_held {
	TAILQ_ENTRY(dp_held)	 h_entry;
	uint32_t		 h_acqseq;
	size_t			 h_req;		/* the request it waits for */
	struct wbuf		 h_pkt;
};

/* What a packet is, for policy lookup. */
struct dp_flow {
	sa_family_t	 fl_af;
	struct addr	 fl_src;	/* ports set for TCP, UDP, SCTP */
	struct addr	 fl_dst;
	uint8_t		 fl_proto;	/* upper-layer protocol */
	size_t		 fl_hlen;	/* bytes before the upper layer */
	size_t		 fl_prev;	/* byte naming the upper layer */
};

static struct {
	struct event_base	*base;
	struct tun		 tun;
	struct wire		 wire;
	struct nft_table	*nft;
	struct event		*tun_ev;
	struct event		*wire_ev;
	struct event		*tick_ev;
	struct reasm		 reasm_tun;
	struct reasm		 reasm_wire;
	TAILQ_HEAD(, dp_route)	 routes;
	struct wbuf		 work[2];	/* sealing/opening ping-pong */
	struct wbuf		 whole;		/* reassembled datagrams */
	struct wbuf		 scratch;	/* AH in tunnel mode */
	struct wbuf		 seg;		/* a segment of a TUN GSO read */
	struct gso_merge	 merge;		/* decrypted TCP, coalesced */
	struct wbuf		 out[DP_BATCH];	/* queued for the wire */
	struct wire_pkt		 outp[DP_BATCH];
	size_t			 nout;
	uint16_t		 ipid;
	uint64_t		 now;		/* ms, read once per wake-up */
	uint64_t		 drops[DP_NREASONS];
	uint64_t		 nsent;		/* sealed packets sent */
	uint64_t		 nrecv;		/* opened packets delivered */
	uint64_t		 ntransit;	/* ciphertext for other hosts */
	int			 gso_logged;	/* UDP GSO refusal was logged */
	uint64_t		 tso_pkts;	/* TUN super-packets cut */
	uint64_t		 tso_segs;	/* ... into this many segments */
	uint64_t		 gro_pkts;	/* merged packets written */
	uint64_t		 gro_segs;	/* ... holding this many */
	struct event		*held_ev;
	TAILQ_HEAD(, dp_held)	 held;		/* FIFO, waiting for SAs */
	TAILQ_HEAD(, dp_held)	 held_free;
	struct dp_held		 held_pool[DP_HELD_MAX];
	size_t			 nheld;
} dp;

static uint64_t
dp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}


static const char *const dp_reason_names[DP_NREASONS] = {
	[DP_MALFORMED] = "malformed",
	[DP_REASM] = "reassembly",
	[DP_POLICY_DISCARD] = "policy-discard",
	[DP_LINK_SCOPE] = "link-scope",
	[DP_ACQ_QUEUE_FULL] = "acquire-queue-full",
	[DP_ACQ_FAILED] = "acquire-failed",
	[DP_ACQ_TIMEOUT] = "acquire-timeout",
	[DP_ACQ_ERROR] = "acquire-error",
	[DP_SEAL] = "seal-error",
	[DP_SA_EXPIRED] = "sa-expired",
	[DP_TX] = "send-error",
	[DP_NOT_PROTECTED] = "not-protected",
	[DP_SA_MISMATCH] = "sa-mismatch",
	[DP_UNKNOWN_SPI] = "unknown-spi",
	[DP_REPLAY] = "replay",
	[DP_BAD_ICV] = "bad-icv",
	[DP_BAD_PADDING] = "bad-padding",
	[DP_BAD_LENGTH] = "bad-length",
	[DP_TRUNCATED] = "truncated",
	[DP_BAD_NEXT_HEADER] = "bad-next-header",
	[DP_DECRYPT] = "decrypt-error",
	[DP_IN_POLICY] = "in-policy",
	[DP_TUN_WRITE] = "tun-write",
};

/* What the transforms' failure codes count as. */
static const enum dp_reason dp_esp_fail[] = {
	[ESP_FAIL_NONE] = DP_DECRYPT,
	[ESP_FAIL_SHORT] = DP_TRUNCATED,
	[ESP_FAIL_LENGTH] = DP_BAD_LENGTH,
	[ESP_FAIL_ICV] = DP_BAD_ICV,
	[ESP_FAIL_TOOBIG] = DP_BAD_LENGTH,
	[ESP_FAIL_DECRYPT] = DP_DECRYPT,
	[ESP_FAIL_PADDING] = DP_BAD_PADDING,
};

static const enum dp_reason dp_ah_fail[] = {
	[AH_FAIL_NONE] = DP_DECRYPT,
	[AH_FAIL_LENGTH] = DP_BAD_LENGTH,
	[AH_FAIL_ICV] = DP_BAD_ICV,
	[AH_FAIL_TOOBIG] = DP_BAD_LENGTH,
};

static void
dp_drop(enum dp_reason r, const char *what, const char *why)
{
	dp.drops[r]++;
	log_debug(2, "datapath: %s dropped (%s): %s", what,
	    dp_reason_names[r], why);
}

void
dp_stats_log(void)
{
	char line[1024];
	size_t i, off = 0;
	int n;

	line[0] = '\0';
	for (i = 0; i < DP_NREASONS; i++) {
		n = snprintf(line + off, sizeof(line) - off, " %s=%llu",
		    dp_reason_names[i], (unsigned long long)dp.drops[i]);
		if (n < 0 || (size_t)n >= sizeof(line) - off)
			break;
		off += (size_t)n;
	}
	log_info("datapath: sent %llu, received %llu, held %zu; "
	    "transit %llu; drops:%s",
	    (unsigned long long)dp.nsent, (unsigned long long)dp.nrecv,
	    dp.nheld, (unsigned long long)dp.ntransit, line);
	log_info("datapath: offload: tso %llu super-packets into %llu "
	    "segments, gro %llu segments into %llu packets, udp-gso %llu "
	    "sends of %llu datagrams (%llu runs refused), udp-gso in %llu "
	    "super-packets into %llu datagrams",
	    (unsigned long long)dp.tso_pkts, (unsigned long long)dp.tso_segs,
	    (unsigned long long)dp.gro_segs, (unsigned long long)dp.gro_pkts,
	    (unsigned long long)dp.wire.w_gso_sends,
	    (unsigned long long)dp.wire.w_gso_segs,
	    (unsigned long long)dp.wire.w_gso_refused,
	    (unsigned long long)dp.wire.w_rx_gso_pkts,
	    (unsigned long long)dp.wire.w_rx_gso_segs);
}

/* Read addresses, upper-layer protocol and ports of a whole packet. */
static int
dp_flow(const uint8_t *p, size_t len, struct dp_flow *f, const char **why)
{
	struct rbuf rb;
	uint16_t sport = 0, dport = 0;
	uint8_t v;

	memset(f, 0, sizeof(*f));
	rbuf_init(&rb, p, len);
	if ((f->fl_af = pkt_family(&rb, why)) == AF_UNSPEC)
		return -1;
	if (f->fl_af == AF_INET) {
		(void)rbuf_peek_u8(&rb, 0, &v);
		(void)rbuf_peek_u8(&rb, 9, &f->fl_proto);
		f->fl_hlen = (size_t)(v & 0x0f) * 4;
		f->fl_prev = 9;
		(void)addr_from_bytes(&f->fl_src, AF_INET, p + 12, 4);
		(void)addr_from_bytes(&f->fl_dst, AF_INET, p + 16, 4);
	} else {
		if (pkt_v6_walk(&rb, PKT_V6_UNFRAG, &f->fl_hlen, &f->fl_prev,
		    why) != 0)
			return -1;
		(void)rbuf_peek_u8(&rb, f->fl_prev, &f->fl_proto);
		(void)addr_from_bytes(&f->fl_src, AF_INET6, p + 8, 16);
		(void)addr_from_bytes(&f->fl_dst, AF_INET6, p + 24, 16);
	}
	/* xfrm's selector ports: TCP/UDP/SCTP ports, ICMP type and code. */
	if (f->fl_proto == IPPROTO_TCP || f->fl_proto == IPPROTO_UDP ||
	    f->fl_proto == IPPROTO_SCTP) {
		(void)rbuf_peek_u16(&rb, f->fl_hlen, &sport);
		(void)rbuf_peek_u16(&rb, f->fl_hlen + 2, &dport);
	}
	f->fl_src.a_port = sport;
	f->fl_dst.a_port = dport;
	return 0;
}

/* The transform state of sa, made at its first use. */
static struct dp_sa *
dp_state(struct sad_sa *sa, const char **why)
{
	struct dp_sa *ds;
	int rc;

	if (sa->sa_dp != NULL)
		return sa->sa_dp;
	if ((ds = calloc(1, sizeof(*ds))) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	ds->ds_proto = pfkey_satype2proto(sa->sa_satype);
	if (ds->ds_proto == IPPROTO_ESP)
		rc = esp_init(&ds->ds_esp, sa->sa_enc, sa->sa_ekey,
		    (sa->sa_ekey_bits + 7) / 8, sa->sa_auth, sa->sa_akey,
		    (sa->sa_akey_bits + 7) / 8, why);
	else if (ds->ds_proto == IPPROTO_AH)
		rc = ah_init(&ds->ds_ah, sa->sa_auth, sa->sa_akey,
		    (sa->sa_akey_bits + 7) / 8, why);
	else {
		*why = "not an ESP or AH SA";
		rc = -1;
	}
	if (rc == -1) {
		free(ds);
		return NULL;
	}
	replay_init(&ds->ds_replay, sa->sa_replay);
	sa->sa_dp = ds;
	return ds;
}

void
dp_sa_release(struct sad_sa *sa)
{
	struct dp_sa *ds = sa->sa_dp;

	if (ds == NULL)
		return;
	if (ds->ds_proto == IPPROTO_ESP)
		esp_clear(&ds->ds_esp);
	else
		ah_clear(&ds->ds_ah);
	freezero(ds, sizeof(*ds));
	sa->sa_dp = NULL;
}

/* Queue for the wire; the batch goes out when full or at the end. */
static void
dp_flush(void)
{
	int n;

	if (dp.nout == 0)
		return;
	if ((n = wire_tx(&dp.wire, dp.outp, dp.nout)) < 0)
		n = 0;
	if (dp.wire.w_gso_err != 0 && !dp.gso_logged) {
		/* Once: the packets went out raw and keep doing so. */
		log_warnx("UDP GSO refused (%s): ESP-in-UDP is sent per "
		    "packet from now on", strerror(dp.wire.w_gso_err));
		dp.gso_logged = 1;
	}
	dp.nsent += (uint64_t)n;
	if ((size_t)n != dp.nout) {
		dp.drops[DP_TX] += dp.nout - (size_t)n - 1;
		dp_drop(DP_TX, "outbound batch", strerror(errno));
	}
	dp.nout = 0;
}

static int
dp_queue(void *arg, const uint8_t *p, size_t len)
{
	struct wbuf *wb = &dp.out[dp.nout];

	(void)arg;
	wbuf_reset(wb);
	if (wbuf_put_bytes(wb, p, len) == -1)
		return -1;
	dp.outp[dp.nout].wp_data = wbuf_data(wb);
	dp.outp[dp.nout].wp_len = len;
	if (++dp.nout == DP_BATCH)
		dp_flush();
	return 0;
}

/* Send a packet on the wire, fragmented to the link if it is larger. */
static void
dp_emit(const uint8_t *p, size_t len)
{
	const char *why = NULL;
	uint32_t id;

	if (len <= DP_LINK_MTU) {
		(void)dp_queue(NULL, p, len);
		return;
	}
	if (RAND_bytes((uint8_t *)&id, sizeof(id)) != 1)
		id = (uint32_t)dp_now_ms();
	if (frag_split(p, len, DP_LINK_MTU, id, dp_queue, NULL, &why) != 0)
		dp_drop(DP_SEAL, "outbound packet",
		    why ? why : "DF set, too big");
}

/* Start a tunnel's outer header; dp_outer_end() sets its lengths. */
static void
dp_outer_begin(struct wbuf *wb, const struct sad_sa *sa, uint8_t proto,
    uint8_t tos)
{
	if (sa->sa_dst.a_af == AF_INET) {
		wbuf_put_u8(wb, 0x45);
		wbuf_put_u8(wb, tos);
		wbuf_put_u16(wb, 0);			/* length, later */
		wbuf_put_u16(wb, ++dp.ipid);
		wbuf_put_u16(wb, 0);			/* may fragment */
		wbuf_put_u8(wb, DP_TTL);
		wbuf_put_u8(wb, proto);
		wbuf_put_u16(wb, 0);			/* checksum, later */
		wbuf_put_bytes(wb, sa->sa_src.a_raw, 4);
		wbuf_put_bytes(wb, sa->sa_dst.a_raw, 4);
	} else {
		wbuf_put_u32(wb, 0x60000000u | (uint32_t)tos << 20);
		wbuf_put_u16(wb, 0);			/* length, later */
		wbuf_put_u8(wb, proto);
		wbuf_put_u8(wb, DP_TTL);
		wbuf_put_bytes(wb, sa->sa_src.a_raw, 16);
		wbuf_put_bytes(wb, sa->sa_dst.a_raw, 16);
	}
}

/* Set the length fields (and IPv4 checksum) of the packet at off. */
static void
dp_fix_lengths(struct wbuf *wb, size_t off, sa_family_t af)
{
	uint8_t *h = wbuf_data(wb) + off;
	size_t len = wbuf_len(wb) - off;

	if (af == AF_INET) {
		h[2] = (uint8_t)(len >> 8), h[3] = (uint8_t)len;
		pkt_v4_set_cksum(h);
	} else {
		h[4] = (uint8_t)((len - 40) >> 8), h[5] = (uint8_t)(len - 40);
	}
}

/*
 * ESP-in-UDP (RFC 3948): the UDP header reserved at off gets the SA's
 * ports and length; its checksum is zero over IPv4 (allowed by RFC 3948
 * 2.1) and computed over IPv6, where zero is not.
 */
static void
dp_udp_encap(struct wbuf *wb, size_t start, size_t off, const struct sad_sa *sa)
{
	uint8_t *u = wbuf_data(wb) + off, *h = wbuf_data(wb) + start;
	size_t len = wbuf_len(wb) - off;
	uint32_t sum = 0;
	size_t i;

	u[0] = (uint8_t)(sa->sa_natt_sport >> 8);
	u[1] = (uint8_t)sa->sa_natt_sport;
	u[2] = (uint8_t)(sa->sa_natt_dport >> 8);
	u[3] = (uint8_t)sa->sa_natt_dport;
	u[4] = (uint8_t)(len >> 8), u[5] = (uint8_t)len;
	u[6] = u[7] = 0;
	if (sa->sa_dst.a_af != AF_INET6)
		return;
	/* Pseudo-header: addresses, length, next header. */
	for (i = 8; i < 40; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	sum += (uint32_t)len + IPPROTO_UDP;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(u[i] << 8 | u[i + 1]);
	if (len & 1)
		sum += (uint32_t)u[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	if (sum == 0)
		sum = 0xffff;
	u[6] = (uint8_t)(sum >> 8), u[7] = (uint8_t)sum;
}

static uint32_t
dp_next_seq(struct dp_sa *ds, const char **why)
{
	/* RFC 4303 3.3.3: never wrap; the SA must be replaced first. */
	if (ds->ds_seq == UINT32_MAX) {
		*why = "sequence numbers exhausted";
		return 0;
	}
	return ++ds->ds_seq;
}

/* ESP around the packet: transport (after its header) or tunnel. */
static int
dp_seal_esp(struct sad_sa *sa, struct dp_sa *ds, const uint8_t *p,
    size_t len, struct wbuf *out, const char **why)
{
	struct dp_flow f;
	size_t start = wbuf_len(out), udp = 0;
	int tunnel = sa->sa_mode == IPSEC_MODE_TUNNEL, natt = sa->sa_natt_type;
	uint32_t seq;
	uint8_t nh, proto = natt ? IPPROTO_UDP : IPPROTO_ESP;

	if (dp_flow(p, len, &f, why) == -1 || (seq = dp_next_seq(ds, why)) == 0)
		return -1;
	if (tunnel) {
		dp_outer_begin(out, sa, proto, f.fl_af == AF_INET ? p[1] :
		    (uint8_t)((p[0] << 4 | p[1] >> 4) & 0xff));
		nh = f.fl_af == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
	} else
		wbuf_put_bytes(out, p, f.fl_hlen);
	if (natt)
		(void)wbuf_reserve(out, 8, &udp);
	if (esp_seal(&ds->ds_esp, sa->sa_spi, seq, tunnel ? nh : f.fl_proto,
	    tunnel ? p : p + f.fl_hlen, tunnel ? len : len - f.fl_hlen,
	    out) == -1) {
		*why = "ESP sealing failed";
		(void)wbuf_truncate(out, start);
		return -1;
	}
	if (!tunnel)
		wbuf_data(out)[start + f.fl_prev] = proto;
	if (natt)
		dp_udp_encap(out, start, udp, sa);
	dp_fix_lengths(out, start, sa->sa_dst.a_af);
	return 0;
}

/* AH: inserted into the packet (transport) or into a new outer header. */
static int
dp_seal_ah(struct sad_sa *sa, struct dp_sa *ds, const uint8_t *p,
    size_t len, struct wbuf *out, const char **why)
{
	struct wbuf *tmp = &dp.scratch;
	uint32_t seq;

	if ((seq = dp_next_seq(ds, why)) == 0)
		return -1;
	if (sa->sa_mode != IPSEC_MODE_TUNNEL)
		return ah_seal(&ds->ds_ah, sa->sa_spi, seq, p, len, out, why);
	wbuf_reset(tmp);
	dp_outer_begin(tmp, sa, (p[0] >> 4) == 4 ? IPPROTO_IPIP :
	    IPPROTO_IPV6, 0);
	wbuf_put_bytes(tmp, p, len);
	if (wbuf_failed(tmp)) {
		*why = "packet too large";
		return -1;
	}
	dp_fix_lengths(tmp, 0, sa->sa_dst.a_af);
	return ah_seal(&ds->ds_ah, sa->sa_spi, seq, wbuf_data(tmp),
	    wbuf_len(tmp), out, why);
}

/*
 * The SA a request wants for a flow: between the request's tunnel
 * endpoints, else the packet's addresses; the SAD picks as xfrm does.
 */
static struct sad_sa *
dp_out_sa(const struct pfkey_ipsecreq *rq, const struct dp_flow *f)
{
	int tunnel = rq->pq_mode == IPSEC_MODE_TUNNEL;

	return sad_select(pfkey_proto2satype(rq->pq_proto),
	    tunnel ? &rq->pq_src : &f->fl_src,
	    tunnel ? &rq->pq_dst : &f->fl_dst, rq->pq_mode, rq->pq_reqid);
}

/* What became of an outbound packet: done with it, or still waiting. */
enum dp_fate {
	DP_DONE,
	DP_KEEP,
};

/* The larval SA of the ACQUIRE for request rq of a flow, or NULL. */
static struct sad_sa *
dp_larval(const struct pfkey_ipsecreq *rq, const struct dp_flow *f)
{
	int tunnel = rq->pq_mode == IPSEC_MODE_TUNNEL;

	return sad_pending(pfkey_proto2satype(rq->pq_proto),
	    tunnel ? &rq->pq_src : &f->fl_src,
	    tunnel ? &rq->pq_dst : &f->fl_dst, rq->pq_mode, rq->pq_reqid);
}

/* Copy a packet into a free held buffer, within both bounds. */
static void
dp_hold(uint32_t acqseq, size_t req, const uint8_t *p, size_t len)
{
	struct dp_held *h;
	size_t n = 0;

	TAILQ_FOREACH(h, &dp.held, h_entry)
		if (h->h_acqseq == acqseq)
			n++;
	if (n >= DP_HELD_PER_SA || (h = TAILQ_FIRST(&dp.held_free)) == NULL) {
		dp_drop(DP_ACQ_QUEUE_FULL, "outbound packet",
		    "too many packets wait for SAs");
		return;
	}
	wbuf_reset(&h->h_pkt);
	if (wbuf_put_bytes(&h->h_pkt, p, len) == -1) {
		dp_drop(DP_ACQ_QUEUE_FULL, "outbound packet", "too large");
		return;
	}
	TAILQ_REMOVE(&dp.held_free, h, h_entry);
	h->h_acqseq = acqseq;
	h->h_req = req;
	TAILQ_INSERT_TAIL(&dp.held, h, h_entry);
	dp.nheld++;
}

/*
 * No SA for request i of sp.  A new packet (held NULL) makes the ACQUIRE
 * unless its larval SA exists (one ACQUIRE per larval SA; after a failure
 * none until the larval lifetime ends) and is held.  A held packet keeps
 * waiting while the larval SA does.  It makes an ACQUIRE only when it got
 * further than before (a bundle: the SA of an earlier request came, as
 * xfrm asks for one template at a time), so that it cannot ask forever.
 */
static enum dp_fate
dp_no_sa(const struct spd_policy *sp, size_t i, const struct dp_flow *f,
    const uint8_t *p, size_t len, struct dp_held *held)
{
	const struct pfkey_ipsecreq *rq = &sp->sp_req[i];
	struct sad_sa *larval;

	if ((larval = dp_larval(rq, f)) == NULL &&
	    (held == NULL || i > held->h_req)) {
		if (pfkey_srv_acquire(sp, i, &f->fl_src, &f->fl_dst) == -1) {
			dp_drop(DP_ACQ_ERROR, "outbound packet",
			    "cannot make an ACQUIRE");
			return DP_DONE;
		}
		larval = dp_larval(rq, f);
	}
	if (larval == NULL) {
		dp_drop(held != NULL ? DP_ACQ_TIMEOUT : DP_ACQ_ERROR,
		    "outbound packet", "no SA came for the ACQUIRE");
		return DP_DONE;
	}
	if (larval->sa_state != SADB_SASTATE_LARVAL) {
		dp_drop(DP_ACQ_FAILED, "outbound packet",
		    "the negotiation for its SA failed");
		return DP_DONE;
	}
	if (held != NULL) {
		held->h_acqseq = larval->sa_acqseq;
		held->h_req = i;
		return DP_KEEP;
	}
	dp_hold(larval->sa_acqseq, i, p, len);
	return DP_DONE;
}

/*
 * Apply every request of an ipsec policy, innermost first, and send.
 * held is the held buffer p comes from, or NULL for a new packet.
 */
static enum dp_fate
dp_out_ipsec(const struct spd_policy *sp, const struct dp_flow *f,
    const uint8_t *p, size_t len, struct dp_held *held)
{
	const uint8_t *cur = p;
	size_t curlen = len, i;
	struct sad_sa *sas[PFKEY_MAX_IPSECREQ], *sa;
	struct dp_sa *ds;
	struct wbuf *out;
	const char *why = NULL;
	enum dp_reason r = DP_SEAL;

	/* Every SA first: a packet that must wait uses up no sequence
	 * numbers and no lifetime of the SAs that are there. */
	for (i = 0; i < sp->sp_nreq && i < PFKEY_MAX_IPSECREQ; i++)
		if ((sas[i] = dp_out_sa(&sp->sp_req[i], f)) == NULL)
			return dp_no_sa(sp, i, f, p, len, held);
	for (i = 0; i < sp->sp_nreq && i < PFKEY_MAX_IPSECREQ; i++) {
		sa = sas[i];
		if ((ds = dp_state(sa, &why)) == NULL)
			goto fail;
		out = &dp.work[i % 2];
		wbuf_reset(out);
		if ((ds->ds_proto == IPPROTO_ESP ? dp_seal_esp(sa, ds, cur,
		    curlen, out, &why) : dp_seal_ah(sa, ds, cur, curlen, out,
		    &why)) == -1)
			goto fail;
		if (sad_account(sa, curlen) == -1) {
			r = DP_SA_EXPIRED;
			why = "SA expired";
			goto fail;
		}
		cur = wbuf_data(out);
		curlen = wbuf_len(out);
	}
	dp_emit(cur, curlen);
	return DP_DONE;
 fail:
	dp_drop(r, "outbound packet", why);
	return DP_DONE;
}

/* Multicast, broadcast or IPv6 link-local: never for another link. */
static int
dp_link_scope(const struct addr *a)
{
	if (a->a_af == AF_INET)
		return (a->a_raw[0] & 0xf0) == 0xe0 || (a->a_raw[0] == 0xff &&
		    a->a_raw[1] == 0xff && a->a_raw[2] == 0xff &&
		    a->a_raw[3] == 0xff);
	return a->a_raw[0] == 0xff ||
	    (a->a_raw[0] == 0xfe && (a->a_raw[1] & 0xc0) == 0x80);
}

/* A whole outbound packet: its policy decides (see the top). */
static enum dp_fate
dp_out_whole(const uint8_t *p, size_t len, struct dp_held *held)
{
	struct spd_policy *sp;
	struct dp_flow f;
	const char *why = NULL;

	if (dp_flow(p, len, &f, &why) == -1) {
		dp_drop(DP_MALFORMED, "packet from the TUN", why);
		return DP_DONE;
	}
	sp = spd_match(IPSEC_DIR_OUTBOUND, &f.fl_src, &f.fl_dst, f.fl_proto);
	if (sp == NULL || sp->sp_type == IPSEC_POLICY_NONE ||
	    sp->sp_type == IPSEC_POLICY_BYPASS) {
		/*
		 * The kernel sends the TUN's own link-scope traffic (IPv6
		 * router solicitations, MLD) into it; sent on, the raw
		 * socket would route it back into the TUN, in a loop.
		 */
		if (dp_link_scope(&f.fl_dst)) {
			dp_drop(DP_LINK_SCOPE, "packet from the TUN",
			    "link-scope destination");
			return DP_DONE;
		}
		dp_emit(p, len);	/* routed here, but not protected */
		return DP_DONE;
	}
	if (sp->sp_type != IPSEC_POLICY_IPSEC) {
		dp_drop(DP_POLICY_DISCARD, "outbound packet",
		    "policy discard");
		return DP_DONE;
	}
	return dp_out_ipsec(sp, &f, p, len, held);
}

static void
dp_out(const uint8_t *p, size_t len)
{
	const char *why = NULL;

	wbuf_reset(&dp.whole);
	switch (reasm_input(&dp.reasm_tun, p, len, dp.now, &dp.whole,
	    &why)) {
	case REASM_HELD:
		return;
	case REASM_DROP:
		dp_drop(DP_REASM, "fragment from the TUN", why);
		return;
	case REASM_DONE:
		p = wbuf_data(&dp.whole);
		len = wbuf_len(&dp.whole);
		break;
	case REASM_NOT_FRAG:
		break;
	}
	(void)dp_out_whole(p, len, NULL);
}

/*
 * The SAD changed (or a second passed): every held packet tries again, in
 * the order it came.  Retries make no ACQUIRE, so this cannot loop.
 */
static void
dp_held_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct dp_held *h, *next;

	(void)fd, (void)ev, (void)arg;
	for (h = TAILQ_FIRST(&dp.held); h != NULL; h = next) {
		next = TAILQ_NEXT(h, h_entry);
		if (dp_out_whole(wbuf_data(&h->h_pkt), wbuf_len(&h->h_pkt),
		    h) == DP_KEEP)
			continue;
		TAILQ_REMOVE(&dp.held, h, h_entry);
		TAILQ_INSERT_TAIL(&dp.held_free, h, h_entry);
		dp.nheld--;
	}
	dp_flush();
}

/* The SAD's change hook: look at the held packets once it is done. */
static void
dp_sad_changed(void)
{
	if (dp.held_ev != NULL && !TAILQ_EMPTY(&dp.held))
		event_active(dp.held_ev, 0, 0);
}

/* Why an inbound packet is refused: a counter and words for the log. */
struct dp_err {
	enum dp_reason	 e_reason;
	const char	*e_why;
};

static int
dp_fail(struct dp_err *e, enum dp_reason r, const char *why)
{
	e->e_reason = r;
	e->e_why = why;
	return -1;
}

/* The SA an inbound ESP or AH packet names, ready to use. */
static struct sad_sa *
dp_in_sa(uint8_t proto, const struct addr *dst, uint32_t spi,
    uint32_t seq, struct dp_sa **ds, struct dp_err *e)
{
	struct sad_sa *sa;
	enum replay_verdict v;

	sa = sad_lookup(pfkey_proto2satype(proto), dst, spi);
	if (sa == NULL || (sa->sa_state != SADB_SASTATE_MATURE &&
	    sa->sa_state != SADB_SASTATE_DYING)) {
		(void)dp_fail(e, DP_UNKNOWN_SPI, "no SA for this SPI");
		return NULL;
	}
	if ((*ds = dp_state(sa, &e->e_why)) == NULL) {
		e->e_reason = DP_DECRYPT;
		return NULL;
	}
	/* Cheap check first; the window moves only once the ICV is good. */
	if ((v = replay_check(&(*ds)->ds_replay, seq)) != REPLAY_OK) {
		(void)dp_fail(e, DP_REPLAY, replay_verdict_name(v));
		return NULL;
	}
	return sa;
}

/* Set the header's next-protocol byte and lengths after a change. */
static void
dp_rehead(struct wbuf *out, const struct dp_flow *f, uint8_t nh)
{
	wbuf_data(out)[f->fl_prev] = nh;
	dp_fix_lengths(out, 0, f->fl_af);
}

/*
 * What an opened SA may carry: a tunnel SA an IP packet, a transport SA
 * anything but IP-in-IP (RFC 4303 2.6; 59, no next header, marks a dummy
 * packet, which is dropped silently per 2.6 but counted here too).
 */
static int
dp_nh_ok(const struct sad_sa *sa, uint8_t nh)
{
	int ip = nh == IPPROTO_IPIP || nh == IPPROTO_IPV6;

	if (nh == IPPROTO_NONE)
		return 0;
	return sa->sa_mode == IPSEC_MODE_TUNNEL ? ip : !ip;
}

/* The SAs a packet was opened with, for the `in' policy check. */
struct dp_opened {
	size_t		 op_n;
	struct {
		uint8_t		 o_proto;
		uint8_t		 o_mode;
		uint32_t	 o_reqid;
		struct addr	 o_src;
		struct addr	 o_dst;
	} op_sa[4];
};

static void
dp_opened_add(struct dp_opened *o, const struct sad_sa *sa)
{
	if (o->op_n >= sizeof(o->op_sa) / sizeof(o->op_sa[0]))
		return;
	o->op_sa[o->op_n].o_proto = pfkey_satype2proto(sa->sa_satype);
	o->op_sa[o->op_n].o_mode = sa->sa_mode;
	o->op_sa[o->op_n].o_reqid = sa->sa_reqid;
	o->op_sa[o->op_n].o_src = sa->sa_src;
	o->op_sa[o->op_n].o_dst = sa->sa_dst;
	o->op_n++;
}

/*
 * An SA used with ESP-in-UDP met a packet from another address or port
 * than it names: the peer's NAT mapping changed (RFC 3947 5.2 leaves the
 * update to IKE, af_key reports it with SADB_X_NAT_T_NEW_MAPPING).  Only
 * after the ICV verified, so that a forger cannot make reports.
 */
static void
dp_new_mapping(struct sad_sa *sa, const struct dp_flow *f)
{
	struct dp_sa *ds = sa->sa_dp;

	if (addr_cmp_host(&f->fl_src, &sa->sa_src) == 0 &&
	    f->fl_src.a_port == sa->sa_natt_sport)
		return;
	/* Once per new mapping, not per packet (af_key: xfrm_state's
	 * encap is changed only by user space). */
	if (ds->ds_mapped && addr_cmp_host(&f->fl_src, &ds->ds_map) == 0 &&
	    f->fl_src.a_port == ds->ds_map.a_port)
		return;
	ds->ds_mapped = 1;
	ds->ds_map = f->fl_src;
	pfkey_srv_new_mapping(sa, &f->fl_src);
}

/* ESP (or ESP-in-UDP, udp = 8) at f->fl_hlen + udp: open it into out. */
static int
dp_in_esp(const uint8_t *p, size_t len, const struct dp_flow *f,
    size_t udp, struct wbuf *out, struct dp_opened *o, struct dp_err *e)
{
	struct rbuf rb;
	struct sad_sa *sa;
	struct dp_sa *ds;
	uint32_t spi, seq;
	uint8_t nh;
	int tunnel;

	rbuf_init(&rb, p, len);
	if (rbuf_skip(&rb, f->fl_hlen + udp) == -1 ||
	    rbuf_peek_u32(&rb, 0, &spi) == -1 ||
	    rbuf_peek_u32(&rb, 4, &seq) == -1)
		return dp_fail(e, DP_TRUNCATED, "truncated ESP header");
	if ((sa = dp_in_sa(IPPROTO_ESP, &f->fl_dst, spi, seq, &ds,
	    e)) == NULL)
		return -1;
	if ((udp != 0) != (sa->sa_natt_type != 0))
		return dp_fail(e, DP_SA_MISMATCH, udp != 0 ?
		    "ESP-in-UDP for an SA without NAT-T" :
		    "plain ESP for a NAT-T SA");
	tunnel = sa->sa_mode == IPSEC_MODE_TUNNEL;
	wbuf_reset(out);
	if (!tunnel)
		wbuf_put_bytes(out, p, f->fl_hlen);
	if (esp_open(&ds->ds_esp, &rb, out, &nh, &e->e_why) == -1) {
		e->e_reason = dp_esp_fail[ds->ds_esp.esp_fail];
		return -1;
	}
	replay_update(&ds->ds_replay, seq);
	if (udp != 0)
		dp_new_mapping(sa, f);
	if (!dp_nh_ok(sa, nh))
		return dp_fail(e, DP_BAD_NEXT_HEADER, tunnel ?
		    "tunnel-mode SA carries no IP packet" :
		    "transport-mode SA carries no upper-layer packet");
	if (!tunnel)
		dp_rehead(out, f, nh);
	if (!tunnel && udp != 0)
		natt_csum_fix(wbuf_data(out), wbuf_len(out), f->fl_hlen, nh);
	dp_opened_add(o, sa);
	if (sad_account(sa, len) == -1)
		return dp_fail(e, DP_SA_EXPIRED, "SA expired");
	return 0;
}

/* AH at f->fl_hlen: verify and remove it (with the outer header if the
 * SA is a tunnel), into out. */
static int
dp_in_ah(const uint8_t *p, size_t len, const struct dp_flow *f,
    struct wbuf *out, struct dp_opened *o, struct dp_err *e)
{
	struct wbuf *tmp = &dp.scratch;
	struct ah_pos pos;
	struct sad_sa *sa;
	struct dp_sa *ds;

	if (ah_peek(p, len, &pos, &e->e_why) == -1) {
		e->e_reason = DP_TRUNCATED;
		return -1;
	}
	if ((sa = dp_in_sa(IPPROTO_AH, &f->fl_dst, pos.ap_spi, pos.ap_seq,
	    &ds, e)) == NULL)
		return -1;
	wbuf_reset(out);
	if (sa->sa_mode == IPSEC_MODE_TUNNEL)
		wbuf_reset(tmp);
	if (ah_open(&ds->ds_ah, p, len, &pos,
	    sa->sa_mode == IPSEC_MODE_TUNNEL ? tmp : out, &e->e_why) == -1) {
		e->e_reason = dp_ah_fail[ds->ds_ah.ah_fail];
		return -1;
	}
	replay_update(&ds->ds_replay, pos.ap_seq);
	if (!dp_nh_ok(sa, pos.ap_nh))
		return dp_fail(e, DP_BAD_NEXT_HEADER, "AH next header does "
		    "not fit the SA's mode");
	if (sa->sa_mode == IPSEC_MODE_TUNNEL)
		wbuf_put_bytes(out, wbuf_data(tmp) + pos.ap_off,
		    wbuf_len(tmp) - pos.ap_off);
	dp_opened_add(o, sa);
	if (sad_account(sa, len) == -1)
		return dp_fail(e, DP_SA_EXPIRED, "SA expired");
	return 0;
}

/*
 * 1 if the UDP datagram at f->fl_hlen carries ESP (RFC 3948 2.2); 0 for
 * anything else, a NAT keepalive (the single byte 0xff, RFC 3948 2.3)
 * and IKE (non-ESP marker) included, which are not ours.
 */
static int
dp_esp_in_udp(const uint8_t *p, size_t len, const struct dp_flow *f)
{
	struct rbuf rb;
	uint32_t marker;

	rbuf_init(&rb, p, len);
	return f->fl_dst.a_port == 4500 && rbuf_skip(&rb, f->fl_hlen) == 0 &&
	    rbuf_peek_u32(&rb, 8, &marker) == 0 && marker != 0;
}

/*
 * The `in' (or `fwd') policy check after decapsulation
 * (xfrm_policy_check): the innermost packet's policy must be ipsec and
 * each of its requests matched by an SA it was opened with, outermost
 * request first as the SAs were peeled.  Level use accepts a missing SA.
 * Without a policy (or with none/bypass) transport-mode packets pass,
 * as on Linux.
 */
static int
dp_in_policy(const uint8_t *p, size_t len, const struct dp_opened *o,
    struct dp_err *e)
{
	const struct pfkey_ipsecreq *rq;
	struct spd_policy *sp;
	struct dp_flow f;
	size_t i, k;

	if (dp_flow(p, len, &f, &e->e_why) == -1) {
		e->e_reason = DP_MALFORMED;
		return -1;
	}
	/*
	 * Linux checks `in' for what it delivers and `fwd' for what it
	 * forwards; which one the TUN's packet will be is the routing's
	 * choice, after us, so the `in' policy is asked first, then `fwd'.
	 */
	sp = spd_match(IPSEC_DIR_INBOUND, &f.fl_src, &f.fl_dst, f.fl_proto);
	if (sp == NULL)
		sp = spd_match(IPSEC_DIR_FWD, &f.fl_src, &f.fl_dst,
		    f.fl_proto);
	/* Linux too drops what came out of a tunnel that no policy wants. */
	for (i = 0; sp == NULL && i < o->op_n; i++)
		if (o->op_sa[i].o_mode == IPSEC_MODE_TUNNEL)
			return dp_fail(e, DP_IN_POLICY, "tunnel-mode packet "
			    "without an in policy");
	if (sp == NULL || sp->sp_type == IPSEC_POLICY_NONE ||
	    sp->sp_type == IPSEC_POLICY_BYPASS)
		return 0;
	if (sp->sp_type != IPSEC_POLICY_IPSEC)
		return dp_fail(e, DP_IN_POLICY, "in policy discard");
	/* The outermost SA is the last request (innermost is applied first). */
	for (i = sp->sp_nreq, k = 0; i-- > 0; ) {
		rq = &sp->sp_req[i];
		if (k < o->op_n && o->op_sa[k].o_proto == rq->pq_proto &&
		    o->op_sa[k].o_mode == rq->pq_mode &&
		    (rq->pq_reqid == 0 || rq->pq_level != IPSEC_LEVEL_UNIQUE ||
		    o->op_sa[k].o_reqid == rq->pq_reqid) &&
		    (rq->pq_mode != IPSEC_MODE_TUNNEL ||
		    (addr_cmp_host(&o->op_sa[k].o_src, &rq->pq_src) == 0 &&
		    addr_cmp_host(&o->op_sa[k].o_dst, &rq->pq_dst) == 0))) {
			k++;
			continue;
		}
		if (rq->pq_level != IPSEC_LEVEL_USE)
			return dp_fail(e, DP_IN_POLICY, "the SAs it came "
			    "through are not the ones its in policy requires");
	}
	return 0;
}

/*
 * Whether dst is one of this host's addresses, for ciphertext no SA
 * knows: a router running ipsecd sees the ESP it forwards too (the
 * ring's filter cannot ask the FIB), and that is no drop.  bind() asks
 * the kernel; the answers are kept a second in a small direct-mapped
 * cache, so a forwarded flow costs a few system calls a second.
 */
#define DP_LOCAL_SLOTS	32
#define DP_LOCAL_TTL	1000	/* ms */

static int
dp_is_local(const struct addr *dst)
{
	static struct {
		struct addr	 l_addr;
		uint64_t	 l_until;
		int		 l_local;
	} cache[DP_LOCAL_SLOTS];
	struct sockaddr_storage ss;
	socklen_t sl;
	size_t i, h = 0;
	int fd, local;

	for (i = 0; i < addr_len(dst->a_af); i++)
		h = h * 31 + dst->a_raw[i];
	h %= DP_LOCAL_SLOTS;
	if (cache[h].l_until > dp.now && cache[h].l_addr.a_af == dst->a_af &&
	    addr_cmp_host(&cache[h].l_addr, dst) == 0)
		return cache[h].l_local;
	/* Link-local needs a scope to bind: never forwarded, so ours. */
	if (dst->a_af == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&dst->a_v6))
		return 1;
	local = 1;	/* when in doubt, count the drop */
	if ((sl = addr_to_sockaddr(dst, &ss)) != 0 &&
	    (fd = socket(dst->a_af, SOCK_DGRAM | SOCK_CLOEXEC, 0)) != -1) {
		if (bind(fd, (struct sockaddr *)&ss, sl) == -1 &&
		    errno == EADDRNOTAVAIL)
			local = 0;
		close(fd);
	}
	cache[h].l_addr = *dst;
	cache[h].l_addr.a_port = 0;
	cache[h].l_until = dp.now + DP_LOCAL_TTL;
	cache[h].l_local = local;
	return local;
}

/* Peel AH and ESP off a whole packet from the wire; deliver the rest. */
static void
dp_in_whole(const uint8_t *p, size_t len)
{
	struct dp_opened o;
	struct dp_flow f;
	struct wbuf *out;
	struct dp_err e = { DP_MALFORMED, NULL };
	int layer, rc;

	o.op_n = 0;
	for (layer = 0; layer < 4; layer++) {
		if (dp_flow(p, len, &f, &e.e_why) == -1) {
			e.e_reason = layer == 0 ? DP_MALFORMED : DP_TRUNCATED;
			goto fail;
		}
		out = &dp.work[layer % 2];
		if (f.fl_proto == IPPROTO_AH)
			rc = dp_in_ah(p, len, &f, out, &o, &e);
		else if (f.fl_proto == IPPROTO_ESP)
			rc = dp_in_esp(p, len, &f, 0, out, &o, &e);
		else if (f.fl_proto == IPPROTO_UDP && dp_esp_in_udp(p, len, &f))
			rc = dp_in_esp(p, len, &f, 8, out, &o, &e);
		else
			break;
		if (rc == -1)
			goto fail;
		p = wbuf_data(out);
		len = wbuf_len(out);
	}
	if (layer == 0) {
		/* Keepalives and IKE on 4500 reach the ring too: not ours. */
		if (f.fl_proto == IPPROTO_UDP)
			return;
		(void)dp_fail(&e, DP_NOT_PROTECTED, "not protected");
		goto fail;
	}
	if (dp_in_policy(p, len, &o, &e) == -1)
		goto fail;
	gso_merge_add(&dp.merge, p, len);
	return;
 fail:
	if (layer == 0 && e.e_reason == DP_UNKNOWN_SPI &&
	    !dp_is_local(&f.fl_dst)) {
		dp.ntransit++;
		return;
	}
	dp_drop(e.e_reason, "inbound packet", e.e_why);
}

/* Write a decrypted packet (nseg segments merged) into the TUN. */
static int
dp_tun_write(void *arg, const uint8_t *vnet, const uint8_t *p, size_t len,
    size_t nseg)
{
	struct iovec iov[2];

	(void)arg;
	iov[0].iov_base = (void *)vnet;
	iov[0].iov_len = GSO_VNET_HDRLEN;
	iov[1].iov_base = (void *)p;
	iov[1].iov_len = len;
	if (writev(dp.tun.tun_fd, iov, 2) != (ssize_t)(len + GSO_VNET_HDRLEN)) {
		dp.drops[DP_TUN_WRITE] += nseg - 1;
		dp_drop(DP_TUN_WRITE, "decrypted packet", strerror(errno));
		return -1;
	}
	dp.nrecv += nseg;
	if (nseg > 1) {
		dp.gro_pkts++;
		dp.gro_segs += nseg;
	}
	return 0;
}

static void
dp_in(void *arg, const struct wire_pkt *wp)
{
	const char *why = NULL;

	(void)arg;
	wbuf_reset(&dp.whole);
	switch (reasm_input(&dp.reasm_wire, wp->wp_data, wp->wp_len,
	    dp.now, &dp.whole, &why)) {
	case REASM_HELD:
		return;
	case REASM_DROP:
		dp_drop(DP_REASM, "fragment from the wire", why);
		return;
	case REASM_DONE:
		dp_in_whole(wbuf_data(&dp.whole), wbuf_len(&dp.whole));
		return;
	case REASM_NOT_FRAG:
		dp_in_whole(wp->wp_data, wp->wp_len);
		return;
	}
}

/* Routes of the protected table: one per `out' destination prefix. */
static void
dp_sync_routes(void)
{
	struct dp_route *rt, *next;
	struct spd_policy *sp;
	struct addr dst;

	TAILQ_FOREACH(rt, &dp.routes, rt_entry)
		rt->rt_keep = 0;
	for (sp = spd_next(NULL); sp != NULL; sp = spd_next(sp)) {
		if (sp->sp_dir != IPSEC_DIR_OUTBOUND ||
		    (sp->sp_type != IPSEC_POLICY_IPSEC &&
		    sp->sp_type != IPSEC_POLICY_DISCARD))
			continue;
		dst = sp->sp_sel.sl_dst;
		dst.a_port = 0;
		addr_apply_mask(&dst);
		TAILQ_FOREACH(rt, &dp.routes, rt_entry)
			if (addr_cmp(&rt->rt_dst, &dst) == 0)
				break;
		if (rt != NULL) {
			rt->rt_keep = 1;
			continue;
		}
		if ((rt = calloc(1, sizeof(*rt))) == NULL)
			continue;
		rt->rt_dst = dst;
		rt->rt_keep = 1;
		if (route_add(IPSECD_ROUTE_TABLE, &dst,
		    dp.tun.tun_ifindex) == -1 && errno != EEXIST)
			log_warn("route to the TUN");
		TAILQ_INSERT_TAIL(&dp.routes, rt, rt_entry);
	}
	for (rt = TAILQ_FIRST(&dp.routes); rt != NULL; rt = next) {
		next = TAILQ_NEXT(rt, rt_entry);
		if (rt->rt_keep)
			continue;
		if (route_del(IPSECD_ROUTE_TABLE, &rt->rt_dst,
		    dp.tun.tun_ifindex) == -1)
			log_warn("removing a route to the TUN");
		TAILQ_REMOVE(&dp.routes, rt, rt_entry);
		free(rt);
	}
}

/* Order of precedence, as spd_match() decides: priority, then age. */
static int
dp_rule_cmp(const void *a, const void *b)
{
	const struct spd_policy *const *x = a, *const *y = b;

	if ((*x)->sp_priority != (*y)->sp_priority)
		return (*x)->sp_priority < (*y)->sp_priority ? -1 : 1;
	return (*x)->sp_serial < (*y)->sp_serial ? -1 : 1;
}

/* One nftables rule per `in' and `fwd' policy. */
static void
dp_sync_nft(void)
{
	struct spd_policy *sp, **v = NULL;
	struct nft_rule *r = NULL;
	const char *why;
	size_t n = 0, i, k;

	if ((v = calloc(spd_count() + 1, sizeof(*v))) == NULL ||
	    (r = calloc(spd_count() + 1, sizeof(*r))) == NULL)
		goto out;
	for (sp = spd_next(NULL); sp != NULL; sp = spd_next(sp))
		if (sp->sp_dir == IPSEC_DIR_INBOUND ||
		    sp->sp_dir == IPSEC_DIR_FWD)
			v[n++] = sp;
	qsort(v, n, sizeof(*v), dp_rule_cmp);
	for (i = k = 0; i < n; i++) {
		sp = v[i];
		r[k].nr_fwd = sp->sp_dir == IPSEC_DIR_FWD;
		r[k].nr_src = sp->sp_sel.sl_src;
		r[k].nr_dst = sp->sp_sel.sl_dst;
		r[k].nr_proto = sp->sp_sel.sl_proto;
		if (sp->sp_type == IPSEC_POLICY_DISCARD)
			r[k].nr_action = NFT_DISCARD;
		else if (sp->sp_type == IPSEC_POLICY_IPSEC && sp->sp_nreq > 0 &&
		    sp->sp_req[0].pq_level != IPSEC_LEVEL_USE)
			r[k].nr_action = NFT_PROTECT;
		else if (sp->sp_type == IPSEC_POLICY_IPSEC)
			continue;	/* level use: cleartext is fine too */
		else
			r[k].nr_action = NFT_PASS;
		k++;
	}
	if (nft_apply(dp.nft, r, k, &why) == -1)
		log_warnx("inbound policies not enforced: %s", why);
 out:
	free(v);
	free(r);
}

void
dp_spd_changed(void)
{
	if (dp.nft == NULL)
		return;
	dp_sync_routes();
	dp_sync_nft();
}

static int
dp_out_seg(void *arg, const uint8_t *p, size_t len)
{
	uint64_t *segs = arg;

	(*segs)++;
	dp_out(p, len);
	return 0;
}

/*
 * A read from the TUN: its vnet header, then a packet, or a TCP
 * super-packet of up to 64 KB that gso_split() cuts into segments.
 */
static void
dp_tun_cb(evutil_socket_t fd, short ev, void *arg)
{
	static uint8_t buf[GSO_VNET_HDRLEN + GSO_MAX + 1];
	struct gso_vnet v;
	struct rbuf rb;
	const char *why = NULL;
	uint64_t segs;
	ssize_t n;
	int i;

	(void)ev, (void)arg;
	dp.now = dp_now_ms();
	for (i = 0; i < DP_BATCH; i++) {
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			break;
		rbuf_init(&rb, buf, (size_t)n);
		segs = 0;
		if (gso_vnet_get(&rb, &v, &why) == -1 ||
		    gso_split(&v, buf + GSO_VNET_HDRLEN,
		    (size_t)n - GSO_VNET_HDRLEN, &dp.seg, dp_out_seg, &segs,
		    &why) == -1)
			dp_drop(DP_MALFORMED, "packet from the TUN", why);
		else if (v.gv_type != 0) {
			dp.tso_pkts++;
			dp.tso_segs += segs;
		}
	}
	dp_flush();
}

static void
dp_wire_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd, (void)ev, (void)arg;
	dp.now = dp_now_ms();
	wire_rx(&dp.wire, dp_in, NULL);
	gso_merge_flush(&dp.merge);
	dp_flush();
}

static void
dp_tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	uint64_t now = dp.now = dp_now_ms();

	(void)fd, (void)ev, (void)arg;
	(void)reasm_expire(&dp.reasm_tun, now);
	(void)reasm_expire(&dp.reasm_wire, now);
	if (!TAILQ_EMPTY(&dp.held))
		dp_held_cb(-1, 0, NULL);
	/* The ring retires partial blocks on its own timeout: look again. */
	wire_rx(&dp.wire, dp_in, NULL);
	gso_merge_flush(&dp.merge);
	dp_flush();
}

static int
dp_buffers(void)
{
	size_t i;

	if (wbuf_init(&dp.work[0], 2048, DP_PKT_MAX) == -1 ||
	    wbuf_init(&dp.work[1], 2048, DP_PKT_MAX) == -1 ||
	    wbuf_init(&dp.whole, 2048, DP_PKT_MAX) == -1 ||
	    wbuf_init(&dp.scratch, 2048, DP_PKT_MAX) == -1 ||
	    wbuf_init(&dp.seg, 2048, DP_PKT_MAX) == -1 ||
	    gso_merge_init(&dp.merge, dp_tun_write, NULL) == -1)
		return -1;
	for (i = 0; i < DP_BATCH; i++)
		if (wbuf_init(&dp.out[i], 2048, DP_PKT_MAX) == -1)
			return -1;
	for (i = 0; i < DP_HELD_MAX; i++) {
		if (wbuf_init(&dp.held_pool[i].h_pkt, 2048, DP_PKT_MAX) == -1)
			return -1;
		TAILQ_INSERT_TAIL(&dp.held_free, &dp.held_pool[i], h_entry);
	}
	return 0;
}

static int
dp_rules(int add)
{
	int rc = 0, af;

	for (af = 0; af < 2; af++) {
		int fam = af == 0 ? AF_INET : AF_INET6;

		if (add) {
			/* A rule left by an ipsecd that crashed is reused. */
			if (route_rule_add(fam, IPSECD_BYPASS_MARK,
			    IPSECD_ROUTE_TABLE, IPSECD_RULE_PRIORITY) == -1 &&
			    errno != EEXIST)
				rc = -1;
		} else
			(void)route_rule_del(fam, IPSECD_BYPASS_MARK,
			    IPSECD_ROUTE_TABLE, IPSECD_RULE_PRIORITY);
	}
	return rc;
}

int
dp_open(struct event_base *base, const char *tun, const char **why)
{
	struct timeval tick = { 1, 0 };
	const char *gwhy;
	int i;

	memset(&dp, 0, sizeof(dp));
	dp.tun.tun_fd = dp.wire.w_rx = dp.wire.w_tx4 = dp.wire.w_tx6 = -1;
	dp.wire.w_udp4 = dp.wire.w_udp6 = -1;
	for (i = 0; i < 4; i++)
		dp.wire.w_sink[i] = -1;
	dp.base = base;
	TAILQ_INIT(&dp.routes);
	TAILQ_INIT(&dp.held);
	TAILQ_INIT(&dp.held_free);
	reasm_init(&dp.reasm_tun);
	reasm_init(&dp.reasm_wire);
	(void)RAND_bytes((uint8_t *)&dp.ipid, sizeof(dp.ipid));
	if (dp_buffers() == -1) {
		*why = "out of memory";
		goto fail;
	}
	if (tun_open(&dp.tun, tun, DP_TUN_MTU, 1) == -1) {
		*why = "cannot open the TUN device";
		goto fail;
	}
	if (dp_rules(1) == -1) {
		*why = "cannot add the ip rules";
		goto fail;
	}
	if (wire_open(&dp.wire, IPSECD_BYPASS_MARK) == -1) {
		*why = "cannot open the AF_PACKET ring and raw sockets";
		goto fail;
	}
	if ((dp.nft = nft_open(dp.tun.tun_name, IPSECD_BYPASS_MARK,
	    why)) == NULL)
		goto fail;
	if (dp.wire.w_gso && nft_gso_ports(dp.nft, dp.wire.w_udp4_port,
	    dp.wire.w_udp6_port, &gwhy) == -1) {
		log_warnx("ESP-in-UDP goes without UDP GSO: %s", gwhy);
		dp.wire.w_gso = 0;
	} else if (!dp.wire.w_gso)
		log_warnx("ESP-in-UDP goes without UDP GSO: %s",
		    strerror(dp.wire.w_gso_err));
	dp.tun_ev = event_new(base, dp.tun.tun_fd, EV_READ | EV_PERSIST,
	    dp_tun_cb, NULL);
	dp.wire_ev = event_new(base, dp.wire.w_rx, EV_READ | EV_PERSIST,
	    dp_wire_cb, NULL);
	dp.tick_ev = event_new(base, -1, EV_PERSIST, dp_tick_cb, NULL);
	dp.held_ev = event_new(base, -1, 0, dp_held_cb, NULL);
	if (dp.tun_ev == NULL || dp.wire_ev == NULL || dp.tick_ev == NULL ||
	    dp.held_ev == NULL ||
	    event_add(dp.tun_ev, NULL) == -1 ||
	    event_add(dp.wire_ev, NULL) == -1 ||
	    event_add(dp.tick_ev, &tick) == -1) {
		*why = "cannot set up the datapath events";
		goto fail;
	}
	sad_set_change_hook(dp_sad_changed);
	dp_spd_changed();
	return 0;
 fail:
	dp_close();
	return -1;
}

void
dp_close(void)
{
	struct dp_route *rt;
	size_t i;

	if (dp.tun_ev != NULL)
		event_free(dp.tun_ev);
	if (dp.wire_ev != NULL)
		event_free(dp.wire_ev);
	if (dp.tick_ev != NULL)
		event_free(dp.tick_ev);
	if (dp.held_ev != NULL)
		event_free(dp.held_ev);
	sad_set_change_hook(NULL);
	dp.tun_ev = dp.wire_ev = dp.tick_ev = dp.held_ev = NULL;
	while ((rt = TAILQ_FIRST(&dp.routes)) != NULL) {
		(void)route_del(IPSECD_ROUTE_TABLE, &rt->rt_dst,
		    dp.tun.tun_ifindex);
		TAILQ_REMOVE(&dp.routes, rt, rt_entry);
		free(rt);
	}
	if (dp.tun.tun_fd != -1)
		(void)dp_rules(0);
	nft_close(dp.nft);
	dp.nft = NULL;
	wire_close(&dp.wire);
	tun_close(&dp.tun);
	reasm_free(&dp.reasm_tun);
	reasm_free(&dp.reasm_wire);
	wbuf_free(&dp.work[0]);
	wbuf_free(&dp.work[1]);
	wbuf_free(&dp.whole);
	wbuf_free(&dp.scratch);
	wbuf_free(&dp.seg);
	gso_merge_free(&dp.merge);
	for (i = 0; i < DP_BATCH; i++)
		wbuf_free(&dp.out[i]);
	/* Held packets are plaintext that was to be protected. */
	for (i = 0; i < DP_HELD_MAX; i++) {
		if (wbuf_data(&dp.held_pool[i].h_pkt) != NULL)
			mem_wipe(wbuf_data(&dp.held_pool[i].h_pkt),
			    wbuf_len(&dp.held_pool[i].h_pkt));
		wbuf_free(&dp.held_pool[i].h_pkt);
	}
}
