/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for src/common/addr.c: parsing, printing, prefixes. */
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "test_helper.h"

static void
t_parse_plain(void)
{
	struct addr a;
	char buf[ADDR_STRLEN];

	ASSERT_INT_EQ(addr_parse("192.168.1.100", 0, &a, NULL), 0);
	ASSERT_INT_EQ(a.a_af, AF_INET);
	ASSERT_INT_EQ(a.a_plen, 32);
	ASSERT_INT_EQ(a.a_port, 0);
	ASSERT_STR_EQ(addr_ntop(&a, buf, sizeof(buf)), "192.168.1.100");
	ASSERT_INT_EQ(addr_parse("2001:db8::1", 0, &a, NULL), 0);
	ASSERT_INT_EQ(a.a_af, AF_INET6);
	ASSERT_INT_EQ(a.a_plen, 128);
	ASSERT_STR_EQ(addr_ntop(&a, buf, sizeof(buf)), "2001:db8::1");
}

static void
t_parse_port_prefix(void)
{
	struct addr a;
	char buf[ADDR_STRLEN];
	const int all = ADDR_PORT | ADDR_PREFIX;

	ASSERT_INT_EQ(addr_parse("192.168.1.0/24[500]", all, &a, NULL), 0);
	ASSERT_INT_EQ(a.a_plen, 24);
	ASSERT_INT_EQ(a.a_port, 500);
	ASSERT_STR_EQ(addr_fmt(&a, all, buf, sizeof(buf)),
	    "192.168.1.0/24[500]");
	ASSERT_INT_EQ(addr_parse("10.0.0.1[any]", all, &a, NULL), 0);
	ASSERT_INT_EQ(a.a_port, 0);
	ASSERT_STR_EQ(addr_fmt(&a, all, buf, sizeof(buf)), "10.0.0.1[any]");
	ASSERT_INT_EQ(addr_parse("fe80::/10[4500]", all, &a, NULL), 0);
	ASSERT_INT_EQ(a.a_plen, 10);
	ASSERT_INT_EQ(a.a_port, 4500);
	ASSERT_STR_EQ(addr_fmt(&a, all, buf, sizeof(buf)), "fe80::/10[4500]");
	ASSERT_INT_EQ(addr_parse("0.0.0.0/0", ADDR_PREFIX, &a, NULL), 0);
	ASSERT_INT_EQ(a.a_plen, 0);
	ASSERT_STR_EQ(addr_fmt(&a, ADDR_PREFIX, buf, sizeof(buf)),
	    "0.0.0.0/0");
}

static void
t_parse_bad(void)
{
	static const struct {
		const char	*in;
		int		 flags;
		const char	*why;
	} bad[] = {
		{ "", 0, "missing address" },
		{ "192.168.1", 0, "not an IPv4 or IPv6 address" },
		{ "192.168.1.256", 0, "not an IPv4 or IPv6 address" },
		{ "host.example", 0, "not an IPv4 or IPv6 address" },
		{ "1.2.3.4/24", 0, "prefix not allowed here" },
		{ "1.2.3.4[500]", 0, "port not allowed here" },
		{ "1.2.3.4/33", ADDR_PREFIX, "bad prefix length" },
		{ "::1/129", ADDR_PREFIX, "bad prefix length" },
		{ "1.2.3.4/", ADDR_PREFIX, "bad prefix length" },
		{ "1.2.3.4/024", ADDR_PREFIX, "bad prefix length" },
		{ "1.2.3.4/0x8", ADDR_PREFIX, "bad prefix length" },
		{ "1.2.3.4[65536]", ADDR_PORT, "bad port" },
		{ "1.2.3.4[]", ADDR_PORT, "bad port" },
		{ "1.2.3.4[-1]", ADDR_PORT, "bad port" },
		{ "1.2.3.4[500", ADDR_PORT, "missing ']' after port" },
		{ "1.2.3.4[500]x", ADDR_PORT, "trailing characters after address" },
		{ "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa", 0,
		    "address too long" },
		{ "/24", ADDR_PREFIX, "missing address" },
	};
	struct addr a;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		memset(&a, 0x5a, sizeof(a));
		if (addr_parse(bad[i].in, bad[i].flags, &a, &why) != -1)
			test_fail(__FILE__, __LINE__, "accepted \"%s\"",
			    bad[i].in);
		ASSERT_STR_EQ(why, bad[i].why);
		ASSERT_INT_EQ(a.a_af, 0x5a5a);	/* untouched on failure */
	}
}

static void
t_prefix_match(void)
{
	struct addr net, a;

	ASSERT_INT_EQ(addr_parse("192.168.1.0/24", ADDR_PREFIX, &net, NULL),
	    0);
	ASSERT_INT_EQ(addr_parse("192.168.1.77", 0, &a, NULL), 0);
	ASSERT_TRUE(addr_in_prefix(&net, &a));
	ASSERT_INT_EQ(addr_parse("192.168.2.77", 0, &a, NULL), 0);
	ASSERT_FALSE(addr_in_prefix(&net, &a));
	ASSERT_INT_EQ(addr_parse("::ffff:192.168.1.77", 0, &a, NULL), 0);
	ASSERT_FALSE(addr_in_prefix(&net, &a));
	ASSERT_INT_EQ(addr_parse("2001:db8:1::/47", ADDR_PREFIX, &net, NULL),
	    0);
	ASSERT_INT_EQ(addr_parse("2001:db8:1:1::5", 0, &a, NULL), 0);
	ASSERT_TRUE(addr_in_prefix(&net, &a));
	ASSERT_INT_EQ(addr_parse("2001:db8:2::5", 0, &a, NULL), 0);
	ASSERT_FALSE(addr_in_prefix(&net, &a));
	/* Ports: a port in the selector must match, 0 matches any. */
	ASSERT_INT_EQ(addr_parse("10.0.0.0/8[500]", ADDR_PREFIX | ADDR_PORT,
	    &net, NULL), 0);
	ASSERT_INT_EQ(addr_parse("10.1.2.3[500]", ADDR_PORT, &a, NULL), 0);
	ASSERT_TRUE(addr_in_prefix(&net, &a));
	a.a_port = 4500;
	ASSERT_FALSE(addr_in_prefix(&net, &a));
}

static void
t_mask_and_cmp(void)
{
	struct addr a, b;
	char buf[ADDR_STRLEN];

	ASSERT_INT_EQ(addr_parse("192.168.1.77/20", ADDR_PREFIX, &a, NULL), 0);
	addr_apply_mask(&a);
	ASSERT_STR_EQ(addr_fmt(&a, ADDR_PREFIX, buf, sizeof(buf)),
	    "192.168.0.0/20");
	ASSERT_INT_EQ(addr_parse("192.168.0.0/20", ADDR_PREFIX, &b, NULL), 0);
	ASSERT_INT_EQ(addr_cmp(&a, &b), 0);
	b.a_port = 1;
	ASSERT_INT_NE(addr_cmp(&a, &b), 0);
	ASSERT_INT_EQ(addr_cmp_host(&a, &b), 0);
	ASSERT_INT_EQ(addr_parse("::", 0, &b, NULL), 0);
	ASSERT_TRUE(addr_is_unspec(&b));
	ASSERT_INT_NE(addr_cmp(&a, &b), 0);
}

static void
t_sockaddr(void)
{
	struct sockaddr_storage ss;
	struct addr a, b;
	socklen_t len;

	ASSERT_INT_EQ(addr_parse("2001:db8::7[4500]", ADDR_PORT, &a, NULL), 0);
	len = addr_to_sockaddr(&a, &ss);
	ASSERT_INT_EQ(len, sizeof(struct sockaddr_in6));
	ASSERT_INT_EQ(((struct sockaddr_in6 *)&ss)->sin6_port, htons(4500));
	ASSERT_INT_EQ(addr_from_sockaddr(&b, (struct sockaddr *)&ss, len), 0);
	ASSERT_INT_EQ(addr_cmp(&a, &b), 0);
	ASSERT_INT_EQ(addr_from_sockaddr(&b, (struct sockaddr *)&ss, 8), -1);
	a.a_af = AF_UNSPEC;
	ASSERT_INT_EQ(addr_to_sockaddr(&a, &ss), 0);
	ASSERT_INT_EQ(addr_from_bytes(&b, AF_INET, "\x0a\0\0\x01", 3), -1);
	ASSERT_INT_EQ(addr_from_bytes(&b, AF_INET, "\x0a\0\0\x01", 4), 0);
	ASSERT_INT_EQ(b.a_plen, 32);
}

int
main(void)
{
	TEST_RUN(t_parse_plain);
	TEST_RUN(t_parse_port_prefix);
	TEST_RUN(t_parse_bad);
	TEST_RUN(t_prefix_match);
	TEST_RUN(t_mask_and_cmp);
	TEST_RUN(t_sockaddr);
	return test_done();
}
