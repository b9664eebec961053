/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test tool for src/racoon/isakmp_io.c (tests/netns/racoon_io.sh): listen
 * on ADDR port 500 and 4500 as racoon does with ipsecd, report what
 * arrives, and echo each IKE message back (a keepalive after it on 4500).
 *
 *	io_tool ADDR SECONDS
 */
#include <err.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "isakmp_io.h"
#include "pfkey_sock.h"

static uint8_t buf[ISAKMP_MSG_MAX];

static void
serve(struct isakmp_sock *s)
{
	static const char *what[] = { "msg", "keepalive", "drop", "none" };
	char p[ADDR_STRLEN], l[ADDR_STRLEN];
	struct addr peer, local;
	enum isakmp_rx rx;
	size_t len = 0;

	while ((rx = isakmp_io_recv(s, buf, sizeof(buf), &len, &peer,
	    &local)) != ISAKMP_RX_NONE) {
		if (rx != ISAKMP_RX_MSG) {
			printf("%s %u\n", what[rx], s->is_addr.a_port);
			continue;
		}
		printf("msg %u from %s to %s len %zu first 0x%02x\n",
		    s->is_addr.a_port, addr_fmt(&peer, ADDR_PORT, p, sizeof(p)),
		    addr_fmt(&local, ADDR_PORT, l, sizeof(l)), len, buf[0]);
		if (isakmp_io_send(s, buf, len, &peer, &local) == -1)
			warn("send");
		if (s->is_natt && isakmp_io_keepalive(s, &peer, &local) == -1)
			warn("keepalive");
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct isakmp_sock s500, s4500;
	struct pollfd pfd[2];
	struct addr a;
	const char *why;
	uint64_t secs;
	time_t end;

	if (argc != 3 || addr_parse(argv[1], 0, &a, &why) == -1 ||
	    str_to_uint(argv[2], 600, &secs) == -1)
		errx(2, "usage: io_tool ADDR SECONDS");
	a.a_port = ISAKMP_PORT;
	if (isakmp_io_open(&s500, &a, 0, ISAKMP_IO_IPSECD, IPSECD_BYPASS_MARK,
	    &why) == -1)
		err(1, "500: %s", why);
	a.a_port = ISAKMP_NATT_PORT;
	if (isakmp_io_open(&s4500, &a, 1, ISAKMP_IO_IPSECD,
	    IPSECD_BYPASS_MARK, &why) == -1)
		err(1, "4500: %s", why);
	printf("ready\n");
	fflush(stdout);
	pfd[0].fd = s500.is_fd;
	pfd[1].fd = s4500.is_fd;
	pfd[0].events = pfd[1].events = POLLIN;
	end = time(NULL) + (time_t)secs;
	while (time(NULL) < end) {
		if (poll(pfd, 2, 100) <= 0)
			continue;
		serve(&s500);
		serve(&s4500);
	}
	isakmp_io_close(&s500);
	isakmp_io_close(&s4500);
	return 0;
}
