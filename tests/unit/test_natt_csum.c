/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/ipsecd/natt_csum.c: a TCP or UDP packet whose
 * checksum was computed over a sender's private address (RFC 3948 3.1.2)
 * comes out right for the addresses in its header, over IPv4 and IPv6;
 * an IPv4 UDP packet without a checksum keeps none; a UDP length past
 * the packet, a TCP header cut short and other protocols are left alone.
 */
#include <netinet/in.h>

#include "gso.h"
#include "natt_csum.h"
#include "test_helper.h"

static uint8_t	 pkt[40 + 20 + 300];
static size_t	 pktlen, iphl;

static void
put16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8), b[1] = (uint8_t)v;
}

/*
 * A packet of proto with pay bytes after its 20 (TCP) or 8 (UDP) byte
 * header, its checksum right for source address byte `src', then that
 * byte changed to 99 as a NAT would (outer header, not the checksum).
 */
static void
make(int v6, uint8_t proto, size_t pay, uint8_t src)
{
	size_t l4 = (proto == IPPROTO_TCP ? 20 : 8) + pay, i, at;
	uint8_t *ip = pkt;

	memset(pkt, 0, sizeof(pkt));
	iphl = v6 ? 40 : 20;
	pktlen = iphl + l4;
	if (!v6) {
		ip[0] = 0x45, put16(ip + 2, (unsigned)pktlen);
		ip[8] = 64, ip[9] = proto;
		ip[12] = 192, ip[13] = 168, ip[15] = src;
		ip[16] = 10, ip[19] = 2;
	} else {
		ip[0] = 0x60, put16(ip + 4, (unsigned)l4);
		ip[6] = proto, ip[7] = 64;
		ip[8] = 0xfd, ip[23] = src, ip[24] = 0xfd, ip[39] = 2;
	}
	put16(ip + iphl, 4500), put16(ip + iphl + 2, 80);
	if (proto == IPPROTO_TCP)
		ip[iphl + 12] = 0x50, ip[iphl + 13] = 0x18;
	else
		put16(ip + iphl + 4, (unsigned)l4);
	for (i = 0; i < pay; i++)
		ip[pktlen - pay + i] = (uint8_t)(i * 7);
	at = iphl + (proto == IPPROTO_TCP ? 16 : 6);
	put16(ip + at, gso_l4_cksum(pkt, pktlen, iphl, proto));
	ASSERT_INT_EQ(gso_l4_cksum(pkt, pktlen, iphl, proto), 0);
	ip[v6 ? 23 : 15] = 99;			/* the NAT */
}

static void
t_fixed(void)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	size_t i, pay;
	int v6;

	for (v6 = 0; v6 < 2; v6++)
		for (i = 0; i < 2; i++)
			for (pay = 0; pay < 4; pay++) {
				make(v6, protos[i], 100 + pay, 10);
				ASSERT_INT_NE(gso_l4_cksum(pkt, pktlen, iphl,
				    protos[i]), 0);
				natt_csum_fix(pkt, pktlen, iphl, protos[i]);
				ASSERT_INT_EQ(gso_l4_cksum(pkt, pktlen, iphl,
				    protos[i]), 0);
			}
}

static void
t_udp_none(void)
{
	uint8_t copy[sizeof(pkt)];

	make(0, IPPROTO_UDP, 50, 10);
	pkt[iphl + 6] = pkt[iphl + 7] = 0;
	memcpy(copy, pkt, pktlen);
	natt_csum_fix(pkt, pktlen, iphl, IPPROTO_UDP);
	ASSERT_MEM_EQ(pkt, copy, pktlen);
	/* Over IPv6 zero is no "none": it is computed. */
	make(1, IPPROTO_UDP, 50, 10);
	pkt[iphl + 6] = pkt[iphl + 7] = 0;
	natt_csum_fix(pkt, pktlen, iphl, IPPROTO_UDP);
	ASSERT_INT_EQ(gso_l4_cksum(pkt, pktlen, iphl, IPPROTO_UDP), 0);
}

static void
t_left_alone(void)
{
	uint8_t copy[sizeof(pkt)];

	/* A UDP length beyond the packet, and one below its header. */
	make(0, IPPROTO_UDP, 50, 10);
	put16(pkt + iphl + 4, 59);
	memcpy(copy, pkt, pktlen);
	natt_csum_fix(pkt, pktlen, iphl, IPPROTO_UDP);
	ASSERT_MEM_EQ(pkt, copy, pktlen);
	put16(pkt + iphl + 4, 7);
	memcpy(copy, pkt, pktlen);
	natt_csum_fix(pkt, pktlen, iphl, IPPROTO_UDP);
	ASSERT_MEM_EQ(pkt, copy, pktlen);
	/* A TCP header cut short. */
	make(0, IPPROTO_TCP, 0, 10);
	memcpy(copy, pkt, pktlen);
	natt_csum_fix(pkt, pktlen - 1, iphl, IPPROTO_TCP);
	ASSERT_MEM_EQ(pkt, copy, pktlen);
	/* ICMP has no pseudo-header: not touched. */
	make(0, IPPROTO_UDP, 50, 10);
	memcpy(copy, pkt, pktlen);
	natt_csum_fix(pkt, pktlen, iphl, IPPROTO_ICMP);
	ASSERT_MEM_EQ(pkt, copy, pktlen);
}

int
main(void)
{
	TEST_RUN(t_fixed);
	TEST_RUN(t_udp_none);
	TEST_RUN(t_left_alone);
	return test_done();
}
