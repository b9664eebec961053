/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for src/common/log.c: layout, levels, errno, escaping. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "test_helper.h"

static char logpath[] = "/tmp/test_log.XXXXXX";

static char *
slurp(void)
{
	static char buf[8192];
	FILE *f = fopen(logpath, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int
matches(const char *text, const char *re)
{
	regex_t r;
	int ok;

	if (regcomp(&r, re, REG_EXTENDED | REG_NEWLINE) != 0)
		return 0;
	ok = regexec(&r, text, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

/* racoon's layout: "YYYY-MM-DD HH:MM:SS: LEVEL: message". */
static void
t_layout_and_levels(void)
{
	const char *s;

	ASSERT_INT_EQ(truncate(logpath, 0), 0);
	log_info("IPsec-SA established: %s", "ESP 192.0.2.1");
	log_warnx("odd %d", 7);
	log_errx("broken");
	log_notice("hello");
	s = slurp();
	ASSERT_PTR_NE(s, NULL);
	ASSERT_TRUE(matches(s, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:"
	    "[0-9]{2}: INFO: IPsec-SA established: ESP 192\\.0\\.2\\.1$"));
	ASSERT_TRUE(matches(s, ": WARNING: odd 7$"));
	ASSERT_TRUE(matches(s, ": ERROR: broken$"));
	ASSERT_TRUE(matches(s, ": NOTIFY: hello$"));
}

static void
t_errno_appended_and_kept(void)
{
	const char *s;

	ASSERT_INT_EQ(truncate(logpath, 0), 0);
	errno = ENOENT;
	log_warn("open %s", "x");
	ASSERT_INT_EQ(errno, ENOENT);
	s = slurp();
	ASSERT_TRUE(matches(s, ": WARNING: open x: No such file or directory$"));
}

static void
t_debug_levels(void)
{
	const char *s;

	ASSERT_INT_EQ(truncate(logpath, 0), 0);
	log_set_debug(1);
	log_debug(1, "one");
	log_debug(2, "two");
	s = slurp();
	ASSERT_TRUE(matches(s, ": DEBUG: one$"));
	ASSERT_FALSE(matches(s, "two"));
	log_set_debug(0);
	ASSERT_INT_EQ(log_get_debug(), 0);
}

static void
t_keys_off_by_default(void)
{
	ASSERT_INT_EQ(log_keys_enabled(), 0);
	log_set_keys(1);
	ASSERT_INT_EQ(log_keys_enabled(), 1);
	log_set_keys(0);
}

static void
t_vis(void)
{
	char out[64], tiny[8];

	log_vis(out, sizeof(out), "ab\n\\\x01z", 6);
	ASSERT_STR_EQ(out, "ab\\012\\134\\001z");
	log_vis(tiny, sizeof(tiny), "abcdefghijkl", 12);
	ASSERT_STR_EQ(tiny, "abcd...");
	ASSERT_INT_EQ(strlen(tiny) < sizeof(tiny), 1);
	log_vis(out, sizeof(out), "", 0);
	ASSERT_STR_EQ(out, "");
}

int
main(void)
{
	int fd = mkstemp(logpath);

	if (fd == -1)
		return 1;
	close(fd);
	log_init("test_log", LOG_DEST_STDERR, 0);
	if (log_open_file(logpath) == -1)
		return 1;
	TEST_RUN(t_layout_and_levels);
	TEST_RUN(t_errno_appended_and_kept);
	TEST_RUN(t_debug_levels);
	TEST_RUN(t_keys_off_by_default);
	TEST_RUN(t_vis);
	log_close();
	unlink(logpath);
	return test_done();
}
