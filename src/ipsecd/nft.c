/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nftables enforcement through libnftables: rules are rendered as nft
 * text from structured selectors (addresses printed by addr.c, numbers
 * only), never from strings a peer sent, and applied as one batch.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "buf.h"
#include "log.h"
#include "nft.h"

#define NFT_TABLE	"ipsecd"
#define NFT_TEXT_MAX	(256 * 1024)

struct nft_table {
	struct nft_ctx	*nt_nft;	/* libnftables' context */
	char		 nt_tun[16];
	uint32_t	 nt_mark;
	int		 nt_early;	/* prerouting drops our ciphertext */
	int		 nt_defrag;	/* chains see whole IPv6 datagrams */
	uint16_t	 nt_gso4;	/* UDP GSO senders' ports (wire.h) */
	uint16_t	 nt_gso6;
	char		 nt_err[256];
};

/* Run a batch; on failure keep nft's first error line. */
static int
nft_run(struct nft_table *c, const char *text, const char **why)
{
	const char *e;
	size_t n;

	if (nft_run_cmd_from_buffer(c->nt_nft, text) == 0)
		return 0;
	e = nft_ctx_get_error_buffer(c->nt_nft);
	n = e == NULL ? 0 : strcspn(e, "\n");
	snprintf(c->nt_err, sizeof(c->nt_err), "nftables: %.*s", (int)n,
	    e == NULL ? "" : e);
	*why = c->nt_err;
	return -1;
}

static void
nft_base(struct wbuf *wb, const struct nft_table *c)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line),
	    "add table inet %s\n"
	    "add chain inet %s input { type filter hook input priority "
	    "filter; policy accept; }\n"
	    "add chain inet %s forward { type filter hook forward priority "
	    "filter; policy accept; }\n"
	    "add chain inet %s prerouting { type filter hook prerouting "
	    "priority raw; policy accept; }\n"
	    "add chain inet %s output { type filter hook output "
	    "priority raw; policy accept; }\n"
	    "flush table inet %s\n", NFT_TABLE, NFT_TABLE, NFT_TABLE, NFT_TABLE,
	    NFT_TABLE, NFT_TABLE);
	wbuf_put_bytes(wb, line, (size_t)n);
	/*
	 * ESP-in-UDP sent with UDP GSO leaves from ephemeral ports; it must
	 * come from 4500 (racoon's), before conntrack and the user's NAT
	 * see it.  The partial checksum does not cover ports, so it stays.
	 */
	if (c->nt_gso4 != 0 && c->nt_gso6 != 0) {
		n = snprintf(line, sizeof(line),
		    "add rule inet %s output meta nfproto ipv4 meta mark 0x%x "
		    "udp sport %u udp sport set 4500\n"
		    "add rule inet %s output meta nfproto ipv6 meta mark 0x%x "
		    "udp sport %u udp sport set 4500\n",
		    NFT_TABLE, c->nt_mark, c->nt_gso4, NFT_TABLE, c->nt_mark,
		    c->nt_gso6);
		wbuf_put_bytes(wb, line, (size_t)n);
	}
	/*
	 * ESP, AH and ESP-in-UDP for a local address were read from the
	 * ring before prerouting; the kernel, which has no ESP, would only
	 * route them, run its input chains and hand them to the sinks
	 * (wire.h) to be thrown away.  Transit ciphertext is left alone.
	 */
	if (c->nt_early) {
		n = snprintf(line, sizeof(line),
		    "add rule inet %s prerouting meta l4proto { esp, ah } "
		    "fib daddr type local counter drop\n"
		    "add rule inet %s prerouting udp dport 4500 "
		    "@th,64,32 != 0 fib daddr type local counter drop\n",
		    NFT_TABLE, NFT_TABLE);
		wbuf_put_bytes(wb, line, (size_t)n);
	}
	/*
	 * IPv4 is reassembled before input, IPv6 only after it: without
	 * this, input would see a large IKE message's IPv6 fragments, no
	 * socket (so no bypass mark) for them, and a policy on the peer's
	 * address would drop them all.  A tproxy rule, which never matches
	 * (ports 0), makes the kernel reassemble in front of prerouting
	 * (nf_defrag_ipv4/6, as conntrack would, but without tracking).
	 */
	if (c->nt_defrag) {
		n = snprintf(line, sizeof(line),
		    "add rule inet %s prerouting meta l4proto udp udp sport 0 "
		    "udp dport 0 meta mark 0x%x tproxy to :1\n", NFT_TABLE,
		    c->nt_mark);
		wbuf_put_bytes(wb, line, (size_t)n);
	}
	n = snprintf(line, sizeof(line),
	    "add rule inet %s input socket mark 0x%x accept\n", NFT_TABLE,
	    c->nt_mark);
	wbuf_put_bytes(wb, line, (size_t)n);
}

struct nft_table *
nft_open(const char *tun, uint32_t mark, const char **why)
{
	struct nft_table *c;
	int i;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->nt_nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		free(c);
		*why = "cannot create an nftables context";
		return NULL;
	}
	nft_ctx_buffer_output(c->nt_nft);
	nft_ctx_buffer_error(c->nt_nft);
	snprintf(c->nt_tun, sizeof(c->nt_tun), "%s", tun);
	c->nt_mark = mark;
	/* Both, then without tproxy, without fib, without either. */
	for (i = 0; i < 4; i++) {
		c->nt_early = i < 2;
		c->nt_defrag = i % 2 == 0;
		if (nft_apply(c, NULL, 0, why) == 0)
			break;
	}
	if (i == 4) {
		nft_ctx_free(c->nt_nft);
		free(c);
		return NULL;
	}
	if (!c->nt_early)
		log_warnx("the kernel handles ipsecd's ciphertext too "
		    "(no nftables fib expression)");
	if (!c->nt_defrag)
		log_warnx("IPv6 fragments (large IKE messages) are dropped "
		    "under a policy for their addresses (no nftables "
		    "tproxy, which reassembles them before input)");
	return c;
}

int
nft_gso_ports(struct nft_table *c, uint16_t p4, uint16_t p6,
    const char **why)
{
	c->nt_gso4 = p4;
	c->nt_gso6 = p6;
	if (nft_apply(c, NULL, 0, why) == 0)
		return 0;
	c->nt_gso4 = c->nt_gso6 = 0;
	(void)nft_apply(c, NULL, 0, why);
	return -1;
}

/* "ip saddr 10.0.0.0/24 " or nothing for a zero-length prefix. */
static int
nft_addr(char *out, size_t len, const char *dir, const struct addr *a)
{
	char s[ADDR_STRLEN];

	if (a->a_plen == 0)
		return snprintf(out, len, "%s", "");
	return snprintf(out, len, "%s %s %s ", a->a_af == AF_INET6 ? "ip6" :
	    "ip", dir, addr_fmt(a, ADDR_PREFIX, s, sizeof(s)));
}

int
nft_rule_text(const struct nft_rule *r, const char *tun, char *out,
    size_t len)
{
	char src[80], dst[80], l4[64] = "", iif[40] = "";
	const char *verdict;
	int n;

	nft_addr(src, sizeof(src), "saddr", &r->nr_src);
	nft_addr(dst, sizeof(dst), "daddr", &r->nr_dst);
	if (r->nr_proto != 255) {
		n = snprintf(l4, sizeof(l4), "meta l4proto %u ", r->nr_proto);
		/* Ports only mean something for these (as in xfrm). */
		if ((r->nr_proto == IPPROTO_TCP || r->nr_proto == IPPROTO_UDP ||
		    r->nr_proto == IPPROTO_SCTP) && r->nr_src.a_port != 0)
			n += snprintf(l4 + n, sizeof(l4) - (size_t)n,
			    "th sport %u ", r->nr_src.a_port);
		if ((r->nr_proto == IPPROTO_TCP || r->nr_proto == IPPROTO_UDP ||
		    r->nr_proto == IPPROTO_SCTP) && r->nr_dst.a_port != 0)
			snprintf(l4 + n, sizeof(l4) - (size_t)n,
			    "th dport %u ", r->nr_dst.a_port);
	}
	if (r->nr_action == NFT_PROTECT)
		snprintf(iif, sizeof(iif), "iifname != \"%s\" ", tun);
	verdict = r->nr_action == NFT_PASS ? "accept" : "drop";
	n = snprintf(out, len, "add rule inet %s %s %s%s%s%s%s\n", NFT_TABLE,
	    r->nr_fwd ? "forward" : "input", iif, src, dst, l4, verdict);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
nft_apply(struct nft_table *c, const struct nft_rule *rules, size_t n,
    const char **why)
{
	struct wbuf wb;
	char line[512];
	size_t i;
	int rc = -1;

	if (wbuf_init(&wb, 4096, NFT_TEXT_MAX) == -1) {
		*why = "out of memory";
		return -1;
	}
	nft_base(&wb, c);
	for (i = 0; i < n; i++) {
		if (nft_rule_text(&rules[i], c->nt_tun, line,
		    sizeof(line)) == -1) {
			*why = "nftables rule too long";
			goto out;
		}
		wbuf_put_bytes(&wb, line, strlen(line));
	}
	if (wbuf_put_u8(&wb, '\0') == -1) {
		*why = "too many nftables rules";
		goto out;
	}
	rc = nft_run(c, (const char *)wbuf_data(&wb), why);
 out:
	wbuf_free(&wb);
	return rc;
}

void
nft_close(struct nft_table *c)
{
	const char *why;

	if (c == NULL)
		return;
	if (nft_run(c, "delete table inet " NFT_TABLE "\n", &why) == -1)
		log_warnx("%s", why);
	nft_ctx_free(c->nt_nft);
	free(c);
}
