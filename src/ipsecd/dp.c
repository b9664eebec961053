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
 * Inbound, for a packet the ring gives us:
 *	reassemble -> while the outermost protocol is AH, ESP or
 *	ESP-in-UDP: find the SA by (dst, SPI), replay check, verify and
 *	open, update the window -> write the result into the TUN.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "ah.h"
#include "dp.h"
#include "esp.h"
#include "frag.h"
#include "log.h"
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

/* Transform state hung on an SA at its first use. */
struct dp_sa {
	uint8_t		 ds_proto;	/* IPPROTO_ESP or IPPROTO_AH */
	struct esp	 ds_esp;
	struct ah	 ds_ah;
	struct replay	 ds_replay;
	uint32_t	 ds_seq;	/* last sequence number sent */
};

/* A route of the protected table, for one `out' policy destination. */
struct dp_route {
	TAILQ_ENTRY(dp_route)	 rt_entry;
	struct addr		 rt_dst;
	int			 rt_keep;
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
	struct wbuf		 out[DP_BATCH];	/* queued for the wire */
	struct wire_pkt		 outp[DP_BATCH];
	size_t			 nout;
	uint16_t		 ipid;
	uint64_t		 drops;
} dp;

static uint64_t
dp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
dp_drop(const char *what, const char *why)
{
	dp.drops++;
	log_debug(2, "datapath: %s dropped: %s", what, why);
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
	if (dp.nout > 0 && wire_tx(&dp.wire, dp.outp, dp.nout) !=
	    (int)dp.nout)
		dp_drop("outbound batch", strerror(errno));
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
		dp_drop("outbound packet", why ? why : "DF set, too big");
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

	u[0] = (uint8_t)(sa->sa_natt_sport >> 8), u[1] = (uint8_t)sa->sa_natt_sport;
	u[2] = (uint8_t)(sa->sa_natt_dport >> 8), u[3] = (uint8_t)sa->sa_natt_dport;
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

/* Apply every request of an ipsec policy, innermost first, and send. */
static void
dp_out_ipsec(const struct spd_policy *sp, const struct dp_flow *f,
    const uint8_t *p, size_t len)
{
	const uint8_t *cur = p;
	size_t curlen = len, i;
	struct sad_sa *sa;
	struct dp_sa *ds;
	struct wbuf *out;
	const char *why = NULL;

	for (i = 0; i < sp->sp_nreq; i++) {
		if ((sa = dp_out_sa(&sp->sp_req[i], f)) == NULL) {
			/* XXX datapath III: queue the packet until the SA. */
			(void)pfkey_srv_acquire(sp, i, &f->fl_src, &f->fl_dst);
			dp_drop("outbound packet", "no SA yet (ACQUIRE sent)");
			return;
		}
		if ((ds = dp_state(sa, &why)) == NULL)
			goto fail;
		out = &dp.work[i % 2];
		wbuf_reset(out);
		if ((ds->ds_proto == IPPROTO_ESP ? dp_seal_esp(sa, ds, cur,
		    curlen, out, &why) : dp_seal_ah(sa, ds, cur, curlen, out,
		    &why)) == -1)
			goto fail;
		if (sad_account(sa, curlen) == -1) {
			why = "SA expired";
			goto fail;
		}
		cur = wbuf_data(out);
		curlen = wbuf_len(out);
	}
	dp_emit(cur, curlen);
	return;
 fail:
	dp_drop("outbound packet", why);
}

static void
dp_out(const uint8_t *p, size_t len)
{
	struct spd_policy *sp;
	struct dp_flow f;
	const char *why = NULL;

	wbuf_reset(&dp.whole);
	switch (reasm_input(&dp.reasm_tun, p, len, dp_now_ms(), &dp.whole,
	    &why)) {
	case REASM_HELD:
		return;
	case REASM_DROP:
		dp_drop("fragment from the TUN", why);
		return;
	case REASM_DONE:
		p = wbuf_data(&dp.whole);
		len = wbuf_len(&dp.whole);
		break;
	case REASM_NOT_FRAG:
		break;
	}
	if (dp_flow(p, len, &f, &why) == -1) {
		dp_drop("packet from the TUN", why);
		return;
	}
	sp = spd_match(IPSEC_DIR_OUTBOUND, &f.fl_src, &f.fl_dst, f.fl_proto);
	if (sp == NULL || sp->sp_type == IPSEC_POLICY_NONE ||
	    sp->sp_type == IPSEC_POLICY_BYPASS) {
		dp_emit(p, len);	/* routed here, but not protected */
		return;
	}
	if (sp->sp_type != IPSEC_POLICY_IPSEC) {
		dp_drop("outbound packet", "policy discard");
		return;
	}
	dp_out_ipsec(sp, &f, p, len);
}

/* The SA an inbound ESP or AH packet names, ready to use. */
static struct sad_sa *
dp_in_sa(uint8_t proto, const struct addr *dst, uint32_t spi,
    uint32_t seq, struct dp_sa **ds, const char **why)
{
	struct sad_sa *sa;
	enum replay_verdict v;

	sa = sad_lookup(pfkey_proto2satype(proto), dst, spi);
	if (sa == NULL || (sa->sa_state != SADB_SASTATE_MATURE &&
	    sa->sa_state != SADB_SASTATE_DYING)) {
		*why = "no SA for this SPI";
		return NULL;
	}
	if ((*ds = dp_state(sa, why)) == NULL)
		return NULL;
	/* Cheap check first; the window moves only once the ICV is good. */
	if ((v = replay_check(&(*ds)->ds_replay, seq)) != REPLAY_OK) {
		*why = replay_verdict_name(v);
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

/* ESP (or ESP-in-UDP, udp = 8) at f->fl_hlen + udp: open it into out. */
static int
dp_in_esp(const uint8_t *p, size_t len, const struct dp_flow *f,
    size_t udp, struct wbuf *out, const char **why)
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
	    rbuf_peek_u32(&rb, 4, &seq) == -1) {
		*why = "truncated ESP header";
		return -1;
	}
	if ((sa = dp_in_sa(IPPROTO_ESP, &f->fl_dst, spi, seq, &ds,
	    why)) == NULL)
		return -1;
	tunnel = sa->sa_mode == IPSEC_MODE_TUNNEL;
	wbuf_reset(out);
	if (!tunnel)
		wbuf_put_bytes(out, p, f->fl_hlen);
	if (esp_open(&ds->ds_esp, &rb, out, &nh, why) == -1)
		return -1;
	replay_update(&ds->ds_replay, seq);
	if (tunnel && nh != IPPROTO_IPIP && nh != IPPROTO_IPV6) {
		*why = "tunnel-mode SA carries no IP packet";
		return -1;
	}
	if (!tunnel)
		dp_rehead(out, f, nh);
	return sad_account(sa, len) == -1 ? (*why = "SA expired", -1) : 0;
}

/* AH at f->fl_hlen: verify and remove it (with the outer header if the
 * SA is a tunnel), into out. */
static int
dp_in_ah(const uint8_t *p, size_t len, const struct dp_flow *f,
    struct wbuf *out, const char **why)
{
	struct wbuf *tmp = &dp.scratch;
	struct ah_pos pos;
	struct sad_sa *sa;
	struct dp_sa *ds;

	if (ah_peek(p, len, &pos, why) == -1 ||
	    (sa = dp_in_sa(IPPROTO_AH, &f->fl_dst, pos.ap_spi, pos.ap_seq,
	    &ds, why)) == NULL)
		return -1;
	wbuf_reset(out);
	if (sa->sa_mode != IPSEC_MODE_TUNNEL) {
		if (ah_open(&ds->ds_ah, p, len, &pos, out, why) == -1)
			return -1;
	} else {
		wbuf_reset(tmp);
		if (ah_open(&ds->ds_ah, p, len, &pos, tmp, why) == -1)
			return -1;
		if (pos.ap_nh != IPPROTO_IPIP && pos.ap_nh != IPPROTO_IPV6) {
			*why = "tunnel-mode SA carries no IP packet";
			return -1;
		}
		wbuf_put_bytes(out, wbuf_data(tmp) + pos.ap_off,
		    wbuf_len(tmp) - pos.ap_off);
	}
	replay_update(&ds->ds_replay, pos.ap_seq);
	return sad_account(sa, len) == -1 ? (*why = "SA expired", -1) : 0;
}

/* 1 if the UDP datagram at f->fl_hlen carries ESP (RFC 3948 2.2). */
static int
dp_esp_in_udp(const uint8_t *p, size_t len, const struct dp_flow *f)
{
	struct rbuf rb;
	uint32_t marker;

	rbuf_init(&rb, p, len);
	return f->fl_dst.a_port == 4500 && rbuf_skip(&rb, f->fl_hlen) == 0 &&
	    rbuf_peek_u32(&rb, 8, &marker) == 0 && marker != 0;
}

/* Peel AH and ESP off a whole packet from the wire; deliver the rest. */
static void
dp_in_whole(const uint8_t *p, size_t len)
{
	struct dp_flow f;
	struct wbuf *out;
	const char *why = NULL;
	int layer, rc;

	for (layer = 0; layer < 4; layer++) {
		if (dp_flow(p, len, &f, &why) == -1)
			goto fail;
		out = &dp.work[layer % 2];
		if (f.fl_proto == IPPROTO_AH)
			rc = dp_in_ah(p, len, &f, out, &why);
		else if (f.fl_proto == IPPROTO_ESP)
			rc = dp_in_esp(p, len, &f, 0, out, &why);
		else if (f.fl_proto == IPPROTO_UDP && dp_esp_in_udp(p, len, &f))
			rc = dp_in_esp(p, len, &f, 8, out, &why);
		else
			break;
		if (rc == -1)
			goto fail;
		p = wbuf_data(out);
		len = wbuf_len(out);
	}
	if (layer == 0) {
		why = "not protected";
		goto fail;
	}
	/* XXX datapath III: check the in policy wanted exactly these SAs. */
	if (write(dp.tun.tun_fd, p, len) != (ssize_t)len)
		dp_drop("decrypted packet", strerror(errno));
	return;
 fail:
	dp_drop("inbound packet", why);
}

static void
dp_in(void *arg, const struct wire_pkt *wp)
{
	const char *why = NULL;

	(void)arg;
	wbuf_reset(&dp.whole);
	switch (reasm_input(&dp.reasm_wire, wp->wp_data, wp->wp_len,
	    dp_now_ms(), &dp.whole, &why)) {
	case REASM_HELD:
		return;
	case REASM_DROP:
		dp_drop("fragment from the wire", why);
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

static void
dp_tun_cb(evutil_socket_t fd, short ev, void *arg)
{
	static uint8_t buf[65536];
	ssize_t n;
	int i;

	(void)ev, (void)arg;
	for (i = 0; i < DP_BATCH; i++) {
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			break;
		dp_out(buf, (size_t)n);
	}
	dp_flush();
}

static void
dp_wire_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd, (void)ev, (void)arg;
	wire_rx(&dp.wire, dp_in, NULL);
	dp_flush();
}

static void
dp_tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	uint64_t now = dp_now_ms();

	(void)fd, (void)ev, (void)arg;
	(void)reasm_expire(&dp.reasm_tun, now);
	(void)reasm_expire(&dp.reasm_wire, now);
	/* The ring retires partial blocks on its own timeout: look again. */
	wire_rx(&dp.wire, dp_in, NULL);
	dp_flush();
}

static int
dp_buffers(void)
{
	size_t i;

	if (wbuf_init(&dp.work[0], 2048, DP_PKT_MAX) == -1 ||
	    wbuf_init(&dp.work[1], 2048, DP_PKT_MAX) == -1 ||
	    wbuf_init(&dp.whole, 2048, DP_PKT_MAX) == -1 ||
	    wbuf_init(&dp.scratch, 2048, DP_PKT_MAX) == -1)
		return -1;
	for (i = 0; i < DP_BATCH; i++)
		if (wbuf_init(&dp.out[i], 2048, DP_PKT_MAX) == -1)
			return -1;
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
	int i;

	memset(&dp, 0, sizeof(dp));
	dp.tun.tun_fd = dp.wire.w_rx = dp.wire.w_tx4 = dp.wire.w_tx6 = -1;
	for (i = 0; i < 4; i++)
		dp.wire.w_sink[i] = -1;
	dp.base = base;
	TAILQ_INIT(&dp.routes);
	reasm_init(&dp.reasm_tun);
	reasm_init(&dp.reasm_wire);
	(void)RAND_bytes((uint8_t *)&dp.ipid, sizeof(dp.ipid));
	if (dp_buffers() == -1) {
		*why = "out of memory";
		goto fail;
	}
	if (tun_open(&dp.tun, tun, DP_TUN_MTU) == -1) {
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
	dp.tun_ev = event_new(base, dp.tun.tun_fd, EV_READ | EV_PERSIST,
	    dp_tun_cb, NULL);
	dp.wire_ev = event_new(base, dp.wire.w_rx, EV_READ | EV_PERSIST,
	    dp_wire_cb, NULL);
	dp.tick_ev = event_new(base, -1, EV_PERSIST, dp_tick_cb, NULL);
	if (dp.tun_ev == NULL || dp.wire_ev == NULL || dp.tick_ev == NULL ||
	    event_add(dp.tun_ev, NULL) == -1 ||
	    event_add(dp.wire_ev, NULL) == -1 ||
	    event_add(dp.tick_ev, &tick) == -1) {
		*why = "cannot set up the datapath events";
		goto fail;
	}
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
	dp.tun_ev = dp.wire_ev = dp.tick_ev = NULL;
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
	for (i = 0; i < DP_BATCH; i++)
		wbuf_free(&dp.out[i]);
}
