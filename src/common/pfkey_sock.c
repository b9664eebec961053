/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PF_KEY transport: an AF_KEY socket on a kernel that has one, else a
 * SOCK_SEQPACKET connection to ipsecd.  Both carry one message per
 * datagram, so send and receive are the same calls on either.
 *
 * The hosts where the suite is developed have no AF_KEY (which is why
 * ipsecd exists): tests/qemu/ runs setkey and racoon over AF_KEY on
 * Debian's kernel under qemu.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfkey.h"
#include "pfkey_sock.h"

#ifndef PF_KEY
#define PF_KEY		15	/* Linux's number; absent from some libcs */
#endif

int
pfkey_sock_addr(const char *spec, int bare_abstract, struct sockaddr_un *sun,
    socklen_t *len)
{
	size_t n;
	int abstract = 0;

	if (spec == NULL || *spec == '\0') {
		errno = EINVAL;
		return -1;
	}
	if (*spec == '@') {
		abstract = 1;
		spec++;
	} else if (bare_abstract && strchr(spec, '/') == NULL)
		abstract = 1;
	n = strlen(spec);
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	/* An abstract name starts after a NUL and has no terminator. */
	if (n == 0 || n + 1 > sizeof(sun->sun_path)) {
		errno = EINVAL;
		return -1;
	}
	if (abstract) {
		memcpy(sun->sun_path + 1, spec, n);
		*len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
	} else {
		memcpy(sun->sun_path, spec, n);
		*len = offsetof(struct sockaddr_un, sun_path) + n + 1;
	}
	return 0;
}

int
pfkey_sock_connect(struct pfkey_sock *ps, const char *spec)
{
	struct sockaddr_un sun;
	socklen_t len;
	int fd, saved;

	memset(ps, 0, sizeof(*ps));
	ps->ps_fd = -1;
	if (pfkey_sock_addr(spec, 0, &sun, &len) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, len) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	ps->ps_fd = fd;
	ps->ps_kind = PFKEY_SOCK_IPSECD;
	/* As given: "@name" for an abstract name, else the path. */
	(void)snprintf(ps->ps_name, sizeof(ps->ps_name), "%s", spec);
	return 0;
}

int
pfkey_sock_open(struct pfkey_sock *ps)
{
	const char *env = getenv(IPSECD_SOCKET_ENV);
	int fd;

	if (env != NULL && *env != '\0')
		return pfkey_sock_connect(ps, env);
	fd = socket(PF_KEY, SOCK_RAW | SOCK_CLOEXEC, PF_KEY_V2);
	if (fd != -1) {
		memset(ps, 0, sizeof(*ps));
		ps->ps_fd = fd;
		ps->ps_kind = PFKEY_SOCK_AFKEY;
		return 0;
	}
	/*
	 * The kernel has AF_KEY but refuses us (no CAP_NET_ADMIN): that is
	 * the answer, not what ipsecd's absent socket would say.
	 */
	if (errno == EPERM || errno == EACCES)
		return -1;
	return pfkey_sock_connect(ps, "@" IPSECD_SOCKET_NAME);
}

int
pfkey_sock_native(void)
{
	int fd;

	if ((fd = socket(PF_KEY, SOCK_RAW | SOCK_CLOEXEC, PF_KEY_V2)) != -1) {
		close(fd);
		return 1;
	}
	return errno == EPERM || errno == EACCES;
}

int
pfkey_sock_send(struct pfkey_sock *ps, const void *msg, size_t len)
{
	ssize_t n;

	do
		n = send(ps->ps_fd, msg, len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

ssize_t
pfkey_sock_recv(struct pfkey_sock *ps, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	do
		n = recvmsg(ps->ps_fd, &mh, 0);
	while (n == -1 && errno == EINTR);
	if (n > 0 && (mh.msg_flags & MSG_TRUNC)) {
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

void
pfkey_sock_close(struct pfkey_sock *ps)
{
	if (ps->ps_fd != -1 && ps->ps_kind != PFKEY_SOCK_NONE)
		close(ps->ps_fd);
	ps->ps_fd = -1;
	ps->ps_kind = PFKEY_SOCK_NONE;
}

const char *
pfkey_sock_describe(const struct pfkey_sock *ps)
{
	static char buf[sizeof(ps->ps_name) + 8];

	if (ps->ps_kind == PFKEY_SOCK_AFKEY)
		return "AF_KEY";
	(void)snprintf(buf, sizeof(buf), "ipsecd %s", ps->ps_name);
	return buf;
}
