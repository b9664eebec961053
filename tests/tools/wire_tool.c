/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test tool for src/ipsecd/wire.c (tests/netns/ipsecd_wire.sh).
 *
 *	wire_tool rx SECONDS	report each packet the ring passes
 *	wire_tool tx PACKET...	send whole IP packets (hex), marked
 */
#include <err.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "pkt.h"
#include "pfkey_sock.h"
#include "wire.h"

static void
report(void *arg, const struct wire_pkt *p)
{
	struct rbuf rb;
	struct addr src, dst;
	char s[ADDR_STRLEN], d[ADDR_STRLEN];
	uint8_t v = 0, proto = 0;
	uint16_t frag = 0;
	uint32_t spi = 0;

	(void)arg;
	rbuf_init(&rb, p->wp_data, p->wp_len);
	(void)rbuf_peek_u8(&rb, 0, &v);
	if (v >> 4 == 4 && p->wp_len >= 20) {
		(void)addr_from_bytes(&src, AF_INET, p->wp_data + 12, 4);
		(void)addr_from_bytes(&dst, AF_INET, p->wp_data + 16, 4);
		(void)rbuf_peek_u8(&rb, 9, &proto);
		(void)rbuf_peek_u16(&rb, 6, &frag);
		(void)rbuf_peek_u32(&rb, (v & 0x0fu) * 4 +
		    (proto == 51 ? 4 : proto == 17 ? 8 : 0), &spi);
	} else if (v >> 4 == 6 && p->wp_len >= 40) {
		(void)addr_from_bytes(&src, AF_INET6, p->wp_data + 8, 16);
		(void)addr_from_bytes(&dst, AF_INET6, p->wp_data + 24, 16);
		(void)rbuf_peek_u8(&rb, 6, &proto);
		(void)rbuf_peek_u32(&rb, 40 + (proto == 51 ? 4 : proto == 17 ?
		    8 : 0), &spi);
	} else {
		printf("rx junk len %zu\n", p->wp_len);
		return;
	}
	printf("rx %s > %s proto %u frag 0x%04x spi 0x%x len %zu\n",
	    addr_ntop(&src, s, sizeof(s)), addr_ntop(&dst, d, sizeof(d)),
	    proto, frag & 0x3fff, spi, p->wp_len);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct wire w;
	struct wire_pkt pk[16];
	struct wbuf hex[16];
	struct pollfd pfd;
	struct rbuf rb;
	uint64_t secs;
	time_t end;
	int i, n;

	if (argc < 3)
		errx(2, "usage: wire_tool rx SECONDS | tx PACKET...");
	if (wire_open(&w, IPSECD_BYPASS_MARK) == -1)
		err(1, "wire_open");
	if (strcmp(argv[1], "tx") == 0) {
		for (n = 0; n + 2 < argc && n < 16; n++) {
			if (wbuf_init(&hex[n], 0, 65536) == -1)
				err(1, "wbuf");
			rbuf_init_str(&rb, argv[n + 2]);
			if (rbuf_get_hex(&rb, &hex[n]) == -1)
				errx(2, "not hex: %s", argv[n + 2]);
			pk[n].wp_data = wbuf_data(&hex[n]);
			pk[n].wp_len = wbuf_len(&hex[n]);
		}
		if ((i = wire_tx(&w, pk, (size_t)n)) != n)
			err(1, "wire_tx sent %d of %d", i, n);
		printf("sent %d\n", n);
		return 0;
	}
	if (strcmp(argv[1], "rx") != 0 || str_to_uint(argv[2], 600,
	    &secs) == -1)
		errx(2, "usage: wire_tool rx SECONDS | tx PACKET...");
	printf("ready\n");
	fflush(stdout);
	pfd.fd = w.w_rx;
	pfd.events = POLLIN;
	end = time(NULL) + (time_t)secs;
	while (time(NULL) < end) {
		(void)poll(&pfd, 1, 100);
		wire_rx(&w, report, NULL);
	}
	printf("done %llu packets\n", (unsigned long long)w.w_rx_pkts);
	wire_close(&w);
	return 0;
}
