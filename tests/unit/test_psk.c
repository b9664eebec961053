/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/racoon/psk.c: every identifier form, hex keys, bad
 * lines with their messages, lookups (addresses however written, the
 * "*" wildcard) and the file checks (type, owner, mode).
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "psk.h"
#include "test_helper.h"

/* Diagnostics collected for the assertions, one per line. */
static char	 diag[4096];
static int	 ndiag;

static void
collect(void *arg, int err, const char *msg)
{
	size_t n = strlen(diag);

	(void)arg;
	(void)err;
	snprintf(diag + n, sizeof(diag) - n, "%s\n", msg);
	ndiag++;
}

static struct psk *
parse(const char *text)
{
	diag[0] = '\0';
	ndiag = 0;
	return psk_parse("psk.txt", text, strlen(text), collect, NULL);
}

static const char article[] =
    "# IPv4 addresses\n"
    "192.168.2.100    simple psk\n"
    "5.0.0.1          0xe10bd52b0529b54aac97db63462850f3\n"
    "# USER_FQDN\n"
    "alice@example.org    kfaizeafasdf\n"
    "# FQDN\n"
    "www.example.org      This PSK identifies a fully qualified domain name\n";

static void
t_article(void)
{
	static const uint8_t hex[] = { 0xe1, 0x0b, 0xd5, 0x2b, 0x05, 0x29,
	    0xb5, 0x4a, 0xac, 0x97, 0xdb, 0x63, 0x46, 0x28, 0x50, 0xf3 };
	struct psk *p;
	const struct psk_entry *e;

	p = parse(article);
	ASSERT_PTR_NE(p, NULL);
	ASSERT_INT_EQ(ndiag, 0);
	ASSERT_INT_EQ(psk_count(p), 4);
	e = psk_find(p, "192.168.2.100");
	ASSERT_PTR_NE(e, NULL);
	ASSERT_INT_EQ(e->pe_type, PSK_ID_ADDRESS);
	ASSERT_INT_EQ(e->pe_keylen, 10);
	ASSERT_MEM_EQ(e->pe_key, "simple psk", 10);
	ASSERT_INT_EQ(e->pe_line, 2);
	e = psk_find(p, "5.0.0.1");
	ASSERT_PTR_NE(e, NULL);
	ASSERT_INT_EQ(e->pe_keylen, sizeof(hex));
	ASSERT_MEM_EQ(e->pe_key, hex, sizeof(hex));
	e = psk_find(p, "alice@example.org");
	ASSERT_PTR_NE(e, NULL);
	ASSERT_INT_EQ(e->pe_type, PSK_ID_USER_FQDN);
	ASSERT_MEM_EQ(e->pe_key, "kfaizeafasdf", 12);
	e = psk_find(p, "www.example.org");
	ASSERT_PTR_NE(e, NULL);
	ASSERT_INT_EQ(e->pe_type, PSK_ID_FQDN);
	ASSERT_INT_EQ(e->pe_keylen, 49);
	ASSERT_PTR_EQ(psk_find(p, "192.168.2.101"), NULL);
	ASSERT_PTR_EQ(psk_find(p, "example.org"), NULL);
	psk_free(p);
}

static void
t_ipv6_and_addr_forms(void)
{
	struct psk *p;
	struct addr a;

	p = parse("2001:db8::1\tsix\n\t  10.0.0.1 ten\r\n");
	ASSERT_PTR_NE(p, NULL);
	/* The same address written another way. */
	ASSERT_PTR_NE(psk_find(p, "2001:0db8:0:0::1"), NULL);
	ASSERT_MEM_EQ(psk_find(p, "2001:db8::1")->pe_key, "six", 3);
	ASSERT_INT_EQ(addr_parse("10.0.0.1", 0, &a, NULL), 0);
	ASSERT_PTR_NE(psk_find_addr(p, &a), NULL);
	/* CR of a CRLF line is not part of the key. */
	ASSERT_INT_EQ(psk_find_addr(p, &a)->pe_keylen, 3);
	/* An address is not matched as a name, nor a name as an address. */
	ASSERT_PTR_EQ(psk_find(p, "10.0.0.2"), NULL);
	psk_free(p);
}

static void
t_wildcard(void)
{
	struct psk *p;
	struct addr a;

	p = parse("10.0.0.1 one\n* any peer\nvpn.example.org named\n");
	ASSERT_PTR_NE(p, NULL);
	ASSERT_MEM_EQ(psk_find(p, "10.0.0.1")->pe_key, "one", 3);
	/* Exact entries win over "*", even after it in the file. */
	ASSERT_MEM_EQ(psk_find(p, "vpn.example.org")->pe_key, "named", 5);
	ASSERT_INT_EQ(psk_find(p, "bob@example.org")->pe_type,
	    PSK_ID_WILDCARD);
	ASSERT_INT_EQ(addr_parse("192.0.2.9", 0, &a, NULL), 0);
	ASSERT_MEM_EQ(psk_find_addr(p, &a)->pe_key, "any peer", 8);
	psk_free(p);
}

static void
t_key_keeps_blanks(void)
{
	struct psk *p;

	/* ipsec-tools takes the rest of the line: trailing blanks too. */
	p = parse("host.example  a key with blanks  \n");
	ASSERT_PTR_NE(p, NULL);
	ASSERT_INT_EQ(psk_find(p, "host.example")->pe_keylen, 19);
	psk_free(p);
}

static void
t_bad_lines(void)
{
	struct psk *p;

	p = parse("# fine\n10.0.0.1\n10.0.0.2 0x123\n10.0.0.3 0x\n"
	    "10.0.0.4 0xzz\n10.0.0.5 ok\n");
	ASSERT_PTR_EQ(p, NULL);
	ASSERT_INT_EQ(ndiag, 4);
	ASSERT_STR_EQ(diag,
	    "psk.txt:2: \"10.0.0.1\" has no key\n"
	    "psk.txt:3: key of \"10.0.0.2\": 0x must be followed by an even "
	    "number of hex digits\n"
	    "psk.txt:4: key of \"10.0.0.3\": 0x must be followed by an even "
	    "number of hex digits\n"
	    "psk.txt:5: key of \"10.0.0.4\": 0x must be followed by an even "
	    "number of hex digits\n");
	/* No key text in any message. */
	ASSERT_TRUE(strstr(diag, "zz") == NULL);
	ASSERT_TRUE(strstr(diag, "123") == NULL);
}

static void
t_control_chars_and_nul(void)
{
	static const char nul[] = "a.example key\nb\0c key\n";
	struct psk *p;

	p = parse("bad\001id key\n");
	ASSERT_PTR_EQ(p, NULL);
	ASSERT_STR_EQ(diag, "psk.txt:1: identifier \"bad\\001id\" holds "
	    "control characters\n");
	diag[0] = '\0';
	ndiag = 0;
	p = psk_parse("psk.txt", nul, sizeof(nul) - 1, collect, NULL);
	ASSERT_PTR_EQ(p, NULL);
	ASSERT_STR_EQ(diag, "psk.txt:2: NUL byte in a text file\n");
}

static void
t_duplicate_warns(void)
{
	struct psk *p;

	p = parse("10.0.0.1 first\n10.0.0.1 second\n");
	ASSERT_PTR_NE(p, NULL);
	ASSERT_STR_EQ(diag, "psk.txt:2: warning: \"10.0.0.1\" is given again "
	    "(first at line 1, which is used)\n");
	ASSERT_MEM_EQ(psk_find(p, "10.0.0.1")->pe_key, "first", 5);
	psk_free(p);
}

static void
t_empty(void)
{
	struct psk *p;

	p = parse("\n   \n# only comments\n");
	ASSERT_PTR_NE(p, NULL);
	ASSERT_INT_EQ(psk_count(p), 0);
	ASSERT_PTR_EQ(psk_find(p, "10.0.0.1"), NULL);
	psk_free(p);
}

/* A file under a fresh directory, with the given mode. */
static char	 tmpdir[64];
static char	 tmppath[128];

static const char *
write_file(const char *text, mode_t mode)
{
	int fd;

	snprintf(tmppath, sizeof(tmppath), "%s/psk.txt", tmpdir);
	unlink(tmppath);
	fd = open(tmppath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_TRUE(fd != -1);
	ASSERT_INT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
	ASSERT_INT_EQ(fchmod(fd, mode), 0);
	close(fd);
	return tmppath;
}

static void
t_file_ok(void)
{
	struct psk *p;
	const char *path = write_file(article, 0600);

	diag[0] = '\0';
	p = psk_load(path, geteuid(), collect, NULL);
	ASSERT_PTR_NE(p, NULL);
	ASSERT_INT_EQ(psk_count(p), 4);
	psk_free(p);
	/* 0400 is narrower still: fine. */
	path = write_file(article, 0400);
	p = psk_load(path, geteuid(), collect, NULL);
	ASSERT_PTR_NE(p, NULL);
	psk_free(p);
}

static void
t_file_mode(void)
{
	char want[512];
	const char *path = write_file(article, 0644);

	diag[0] = '\0';
	ASSERT_PTR_EQ(psk_load(path, geteuid(), collect, NULL), NULL);
	snprintf(want, sizeof(want), "%s: mode 0644 lets group or others at "
	    "the keys; refused (chmod 600 it)\n", path);
	ASSERT_STR_EQ(diag, want);
	path = write_file(article, 0604);
	diag[0] = '\0';
	ASSERT_PTR_EQ(psk_load(path, geteuid(), collect, NULL), NULL);
	ASSERT_TRUE(strstr(diag, "mode 0604") != NULL);
}

static void
t_file_owner(void)
{
	char want[512];
	const char *path = write_file(article, 0600);
	unsigned me = (unsigned)geteuid();

	diag[0] = '\0';
	ASSERT_PTR_EQ(psk_load(path, (uid_t)(me + 1), collect, NULL), NULL);
	snprintf(want, sizeof(want), "%s: owned by uid %u, not by uid %u "
	    "that racoon runs as; refused, since another user could change "
	    "the keys (chown %u it)\n", path, me, me + 1, me + 1);
	ASSERT_STR_EQ(diag, want);
}

static void
t_file_not_regular(void)
{
	char want[512];

	diag[0] = '\0';
	ASSERT_PTR_EQ(psk_load(tmpdir, geteuid(), collect, NULL), NULL);
	snprintf(want, sizeof(want), "%s: not a regular file; refused\n",
	    tmpdir);
	ASSERT_STR_EQ(diag, want);
	diag[0] = '\0';
	snprintf(tmppath, sizeof(tmppath), "%s/missing", tmpdir);
	ASSERT_PTR_EQ(psk_load(tmppath, geteuid(), collect, NULL), NULL);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or "
	    "directory\n", tmppath);
	ASSERT_STR_EQ(diag, want);
}

static void
t_file_bad_line(void)
{
	char want[512];
	const char *path = write_file("10.0.0.1\n", 0600);

	diag[0] = '\0';
	ASSERT_PTR_EQ(psk_load(path, geteuid(), collect, NULL), NULL);
	snprintf(want, sizeof(want), "%s:1: \"10.0.0.1\" has no key\n", path);
	ASSERT_STR_EQ(diag, want);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_psk.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	TEST_RUN(t_article);
	TEST_RUN(t_ipv6_and_addr_forms);
	TEST_RUN(t_wildcard);
	TEST_RUN(t_key_keeps_blanks);
	TEST_RUN(t_bad_lines);
	TEST_RUN(t_control_chars_and_nul);
	TEST_RUN(t_duplicate_warns);
	TEST_RUN(t_empty);
	TEST_RUN(t_file_ok);
	TEST_RUN(t_file_mode);
	TEST_RUN(t_file_owner);
	TEST_RUN(t_file_not_regular);
	TEST_RUN(t_file_bad_line);
	snprintf(tmppath, sizeof(tmppath), "%s/psk.txt", tmpdir);
	unlink(tmppath);
	rmdir(tmpdir);
	return test_done();
}
