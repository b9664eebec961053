/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address, port and prefix helpers.  Text comes in through struct rbuf and
 * is copied into a bounded buffer before inet_pton sees it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "buf.h"

size_t
addr_len(sa_family_t af)
{
	return af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0;
}

uint8_t
addr_maxplen(sa_family_t af)
{
	return (uint8_t)(addr_len(af) * 8);
}

int
addr_is_unspec(const struct addr *a)
{
	static const uint8_t zero[16];

	return addr_len(a->a_af) == 0 ||
	    memcmp(a->a_raw, zero, addr_len(a->a_af)) == 0;
}

int
addr_from_bytes(struct addr *a, sa_family_t af, const void *p, size_t len)
{
	if (addr_len(af) == 0 || len != addr_len(af))
		return -1;
	memset(a, 0, sizeof(*a));
	a->a_af = af;
	memcpy(a->a_raw, p, len);
	a->a_plen = addr_maxplen(af);
	return 0;
}

/* The part before '/' or '[': an IPv4 or IPv6 address. */
static int
addr_parse_host(struct rbuf *rb, struct addr *a, const char **why)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	const uint8_t *p = rbuf_ptr(rb);
	size_t n = 0, left = rbuf_left(rb);
	struct rbuf host;

	while (n < left && p[n] != '/' && p[n] != '[')
		n++;
	if (n == 0) {
		*why = "missing address";
		return -1;
	}
	if (rbuf_sub(rb, n, &host) == -1 ||
	    rbuf_get_str(&host, tmp, sizeof(tmp)) == -1) {
		*why = "address too long";
		return -1;
	}
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, tmp, &a->a_v4) == 1)
		a->a_af = AF_INET;
	else if (inet_pton(AF_INET6, tmp, &a->a_v6) == 1)
		a->a_af = AF_INET6;
	else {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	a->a_plen = addr_maxplen(a->a_af);
	return 0;
}

static int
addr_parse_plen(struct rbuf *rb, struct addr *a, const char **why)
{
	const uint8_t *p = rbuf_ptr(rb);
	size_t n = 0, left = rbuf_left(rb);
	struct rbuf num;
	uint64_t v;

	while (n < left && p[n] != '[')
		n++;
	(void)rbuf_sub(rb, n, &num);
	if (n == 0 || n > 3 || (p[0] == '0' && n > 1) ||
	    rbuf_get_uint(&num, addr_maxplen(a->a_af), &v) == -1) {
		*why = "bad prefix length";
		return -1;
	}
	a->a_plen = (uint8_t)v;
	return 0;
}

static int
addr_parse_port(struct rbuf *rb, struct addr *a, const char **why)
{
	const uint8_t *p = rbuf_ptr(rb);
	size_t n = 0, left = rbuf_left(rb);
	struct rbuf num;
	uint64_t v;

	while (n < left && p[n] != ']')
		n++;
	if (n == left) {
		*why = "missing ']' after port";
		return -1;
	}
	(void)rbuf_sub(rb, n, &num);
	(void)rbuf_skip(rb, 1);
	if (rbuf_eq_str(&num, "any") || rbuf_eq_str(&num, "*")) {
		a->a_port = 0;
		return 0;
	}
	if (n == 0 || n > 5 || rbuf_get_uint(&num, 65535, &v) == -1) {
		*why = "bad port";
		return -1;
	}
	a->a_port = (uint16_t)v;
	return 0;
}

int
addr_parse(const char *s, int flags, struct addr *a, const char **why)
{
	struct rbuf rb;
	struct addr tmp;
	uint8_t c;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	rbuf_init_str(&rb, s);
	if (addr_parse_host(&rb, &tmp, why) == -1)
		return -1;
	if (rbuf_peek_u8(&rb, 0, &c) == 0 && c == '/') {
		if (!(flags & ADDR_PREFIX)) {
			*why = "prefix not allowed here";
			return -1;
		}
		(void)rbuf_skip(&rb, 1);
		if (addr_parse_plen(&rb, &tmp, why) == -1)
			return -1;
	}
	if (rbuf_peek_u8(&rb, 0, &c) == 0 && c == '[') {
		if (!(flags & ADDR_PORT)) {
			*why = "port not allowed here";
			return -1;
		}
		(void)rbuf_skip(&rb, 1);
		if (addr_parse_port(&rb, &tmp, why) == -1)
			return -1;
	}
	if (rbuf_left(&rb) != 0) {
		*why = "trailing characters after address";
		return -1;
	}
	*a = tmp;
	return 0;
}

const char *
addr_ntop(const struct addr *a, char *buf, size_t len)
{
	if (addr_len(a->a_af) == 0 ||
	    inet_ntop(a->a_af, a->a_raw, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "(unspec)");
	return buf;
}

char *
addr_fmt(const struct addr *a, int flags, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	size_t n;

	addr_ntop(a, host, sizeof(host));
	snprintf(buf, len, "%s", host);
	n = strlen(buf);
	if ((flags & ADDR_PREFIX) && a->a_plen != addr_maxplen(a->a_af))
		n += (size_t)snprintf(buf + n, len > n ? len - n : 0, "/%u",
		    a->a_plen);
	if ((flags & ADDR_PORT) && n < len) {
		if (a->a_port == 0)
			snprintf(buf + n, len - n, "[any]");
		else
			snprintf(buf + n, len - n, "[%u]", a->a_port);
	}
	return buf;
}

void
addr_apply_mask(struct addr *a)
{
	size_t i, len = addr_len(a->a_af);
	unsigned bits = a->a_plen;

	for (i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			a->a_raw[i] &= (uint8_t)(0xff00u >> bits);
			bits = 0;
		}
	}
}

int
addr_in_prefix(const struct addr *net, const struct addr *a)
{
	struct addr x = *a, n = *net;

	if (net->a_af != a->a_af || net->a_plen > addr_maxplen(a->a_af))
		return 0;
	x.a_plen = n.a_plen;
	addr_apply_mask(&x);
	addr_apply_mask(&n);
	if (memcmp(x.a_raw, n.a_raw, addr_len(a->a_af)) != 0)
		return 0;
	return net->a_port == 0 || net->a_port == a->a_port;
}

int
addr_cmp_host(const struct addr *a, const struct addr *b)
{
	if (a->a_af != b->a_af)
		return a->a_af < b->a_af ? -1 : 1;
	return memcmp(a->a_raw, b->a_raw, addr_len(a->a_af));
}

int
addr_cmp(const struct addr *a, const struct addr *b)
{
	int c;

	if ((c = addr_cmp_host(a, b)) != 0)
		return c;
	if (a->a_plen != b->a_plen)
		return a->a_plen < b->a_plen ? -1 : 1;
	if (a->a_port != b->a_port)
		return a->a_port < b->a_port ? -1 : 1;
	return 0;
}

int
addr_from_sockaddr(struct addr *a, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET && len >= sizeof(*sin)) {
		sin = (const struct sockaddr_in *)sa;
		(void)addr_from_bytes(a, AF_INET, &sin->sin_addr, 4);
		a->a_port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(*sin6)) {
		sin6 = (const struct sockaddr_in6 *)sa;
		(void)addr_from_bytes(a, AF_INET6, &sin6->sin6_addr, 16);
		a->a_port = ntohs(sin6->sin6_port);
		return 0;
	}
	return -1;
}

socklen_t
addr_to_sockaddr(const struct addr *a, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	switch (a->a_af) {
	case AF_INET:
		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->a_port);
		memcpy(&sin->sin_addr, a->a_raw, 4);
		return sizeof(*sin);
	case AF_INET6:
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(a->a_port);
		memcpy(&sin6->sin6_addr, a->a_raw, 16);
		return sizeof(*sin6);
	default:
		return 0;
	}
}
