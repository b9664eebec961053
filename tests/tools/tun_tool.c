/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test tool for src/ipsecd/tun.c (tests/netns/ipsecd_tun_route.sh): open
 * the TUN device, install the not-fwmark rule and a route per prefix in
 * the table, then report each packet that arrives on the TUN until
 * SECONDS have passed or SIGTERM, and remove what it installed.
 *
 *	tun_tool NAME TABLE MARK SECONDS PREFIX...
 */
#include <arpa/inet.h>
#include <err.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "pkt.h"
#include "tun.h"

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void
report(const uint8_t *p, size_t n)
{
	struct rbuf rb;
	struct addr src, dst;
	char s[ADDR_STRLEN], d[ADDR_STRLEN];
	const char *why;
	sa_family_t af;
	uint8_t proto = 0;

	rbuf_init(&rb, p, n);
	if ((af = pkt_family(&rb, &why)) == AF_UNSPEC) {
		printf("bad packet: %s\n", why);
		return;
	}
	if (af == AF_INET) {
		(void)addr_from_bytes(&src, af, p + 12, 4);
		(void)addr_from_bytes(&dst, af, p + 16, 4);
		(void)rbuf_peek_u8(&rb, 9, &proto);
	} else {
		(void)addr_from_bytes(&src, af, p + 8, 16);
		(void)addr_from_bytes(&dst, af, p + 24, 16);
		(void)rbuf_peek_u8(&rb, 6, &proto);
	}
	printf("packet %s > %s proto %u len %zu\n", addr_ntop(&src, s,
	    sizeof(s)), addr_ntop(&dst, d, sizeof(d)), proto, n);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct addr pfx[16];
	struct tun t;
	struct pollfd pfd;
	uint8_t buf[65536];
	uint64_t table, mark, secs;
	time_t end;
	const char *why;
	ssize_t n;
	int i, np = argc - 5;

	if (argc < 6 || np > 16 || str_to_uint(argv[2], UINT32_MAX,
	    &table) == -1 || str_to_uint(argv[3], UINT32_MAX, &mark) == -1 ||
	    str_to_uint(argv[4], 3600, &secs) == -1)
		errx(2, "usage: tun_tool NAME TABLE MARK SECONDS PREFIX...");
	for (i = 0; i < np; i++)
		if (addr_parse(argv[5 + i], ADDR_PREFIX, &pfx[i], &why) == -1)
			errx(2, "%s: %s", argv[5 + i], why);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (tun_open(&t, argv[1], 1400, 0) == -1)
		err(1, "tun_open %s", argv[1]);
	if (route_rule_add(AF_INET, (uint32_t)mark, (uint32_t)table,
	    (uint32_t)table) == -1 || route_rule_add(AF_INET6, (uint32_t)mark,
	    (uint32_t)table, (uint32_t)table) == -1)
		err(1, "rule");
	for (i = 0; i < np; i++)
		if (route_add((uint32_t)table, &pfx[i], t.tun_ifindex) == -1)
			err(1, "route %s", argv[5 + i]);
	/* Adding the same route twice is refused, as the kernel says. */
	if (route_add((uint32_t)table, &pfx[0], t.tun_ifindex) != -1)
		errx(1, "duplicate route accepted");
	printf("ready %s ifindex %d\n", t.tun_name, t.tun_ifindex);
	fflush(stdout);
	end = time(NULL) + (time_t)secs;
	pfd.fd = t.tun_fd;
	pfd.events = POLLIN;
	while (!stop && time(NULL) < end) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		while ((n = read(t.tun_fd, buf, sizeof(buf))) > 0)
			report(buf, (size_t)n);
	}
	for (i = 0; i < np; i++)
		if (route_del((uint32_t)table, &pfx[i], t.tun_ifindex) == -1)
			warn("route del %s", argv[5 + i]);
	if (route_rule_del(AF_INET, (uint32_t)mark, (uint32_t)table,
	    (uint32_t)table) == -1 || route_rule_del(AF_INET6,
	    (uint32_t)mark, (uint32_t)table, (uint32_t)table) == -1)
		warn("rule del");
	tun_close(&t);
	printf("done\n");
	return 0;
}
