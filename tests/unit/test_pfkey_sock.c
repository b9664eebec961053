/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/common/pfkey_sock.c: socket names, the IPSECD_SOCKET
 * lookup, one message per datagram and truncation reported as EMSGSIZE.
 * The AF_KEY branch is not reachable on a kernel without AF_KEY.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfkey_sock.h"
#include "test_helper.h"

static void
t_addr(void)
{
	struct sockaddr_un sun;
	socklen_t len;
	char big[200];

	ASSERT_INT_EQ(pfkey_sock_addr("@ipsecd", 0, &sun, &len), 0);
	ASSERT_INT_EQ(sun.sun_path[0], 0);
	ASSERT_INT_EQ(memcmp(sun.sun_path + 1, "ipsecd", 6), 0);
	ASSERT_INT_EQ(len, offsetof(struct sockaddr_un, sun_path) + 7);
	ASSERT_INT_EQ(pfkey_sock_addr("ipsecd", 1, &sun, &len), 0);
	ASSERT_INT_EQ(sun.sun_path[0], 0);
	ASSERT_INT_EQ(pfkey_sock_addr("ipsecd", 0, &sun, &len), 0);
	ASSERT_STR_EQ(sun.sun_path, "ipsecd");
	ASSERT_INT_EQ(pfkey_sock_addr("/run/ipsecd.sock", 1, &sun, &len), 0);
	ASSERT_STR_EQ(sun.sun_path, "/run/ipsecd.sock");
	ASSERT_INT_EQ(pfkey_sock_addr("", 1, &sun, &len), -1);
	ASSERT_INT_EQ(pfkey_sock_addr("@", 1, &sun, &len), -1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ASSERT_INT_EQ(pfkey_sock_addr(big, 0, &sun, &len), -1);
	ASSERT_INT_EQ(errno, EINVAL);
}

static void
t_env_and_datagrams(void)
{
	struct sockaddr_un sun;
	struct pfkey_sock ps;
	socklen_t len;
	char name[48], buf[80];
	uint8_t msg[40];
	int lfd, cfd;

	(void)snprintf(name, sizeof(name), "@test_pfkey_sock.%d", getpid());
	ASSERT_INT_EQ(pfkey_sock_addr(name, 0, &sun, &len), 0);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ASSERT_INT_NE(lfd, -1);
	ASSERT_INT_EQ(bind(lfd, (struct sockaddr *)&sun, len), 0);
	ASSERT_INT_EQ(listen(lfd, 1), 0);
	ASSERT_INT_EQ(setenv(IPSECD_SOCKET_ENV, name, 1), 0);
	ASSERT_INT_EQ(pfkey_sock_open(&ps), 0);
	ASSERT_INT_EQ(ps.ps_kind, PFKEY_SOCK_IPSECD);
	(void)snprintf(buf, sizeof(buf), "ipsecd %s", name);
	ASSERT_STR_EQ(pfkey_sock_describe(&ps), buf);
	cfd = accept(lfd, NULL, NULL);
	ASSERT_INT_NE(cfd, -1);
	memset(msg, 7, sizeof(msg));
	ASSERT_INT_EQ(pfkey_sock_send(&ps, msg, 16), 0);
	ASSERT_INT_EQ(pfkey_sock_send(&ps, msg, 24), 0);
	/* Two sends stay two datagrams. */
	ASSERT_INT_EQ(recv(cfd, buf, sizeof(buf), 0), 16);
	ASSERT_INT_EQ(recv(cfd, buf, sizeof(buf), 0), 24);
	ASSERT_INT_EQ(send(cfd, msg, 40, 0), 40);
	ASSERT_INT_EQ(send(cfd, msg, 8, 0), 8);
	ASSERT_INT_EQ(pfkey_sock_recv(&ps, buf, 16), -1);
	ASSERT_INT_EQ(errno, EMSGSIZE);
	/* The truncated message is gone; the next one is whole. */
	ASSERT_INT_EQ(pfkey_sock_recv(&ps, buf, sizeof(buf)), 8);
	close(cfd);
	ASSERT_INT_EQ(pfkey_sock_recv(&ps, buf, sizeof(buf)), 0);
	pfkey_sock_close(&ps);
	ASSERT_INT_EQ(ps.ps_fd, -1);
	/* Nobody listening: the connect error comes back. */
	close(lfd);
	ASSERT_INT_EQ(pfkey_sock_open(&ps), -1);
	ASSERT_INT_EQ(errno, ECONNREFUSED);
	unsetenv(IPSECD_SOCKET_ENV);
}

int
main(void)
{
	TEST_RUN(t_addr);
	TEST_RUN(t_env_and_datagrams);
	return test_done();
}
