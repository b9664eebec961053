/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The unit-test harness: runs cases, catches failed assertions with
 * longjmp, counts, and prints one line per failure plus a summary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_helper.h"

static jmp_buf		 test_jmp;
static const char	*test_name;
static int		 test_passed, test_failed;

void
test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s: %s:%d: ", test_name, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	longjmp(test_jmp, 1);
}

void
test_assert_mem(const char *file, int line, const char *what, const void *a,
    const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;
	size_t i;

	if (n == 0 || memcmp(a, b, n) == 0)
		return;
	for (i = 0; i < n && pa[i] == pb[i]; i++)
		;
	test_fail(file, line, "%s differs at byte %zu of %zu: 0x%02x, "
	    "expected 0x%02x", what, i, n, pa[i], pb[i]);
}

void
test_run(const char *name, void (*fn)(void))
{
	test_name = name;
	if (setjmp(test_jmp) == 0) {
		fn();
		test_passed++;
		if (getenv("TEST_VERBOSE") != NULL)
			fprintf(stderr, "ok %s\n", name);
	} else
		test_failed++;
}

int
test_done(void)
{
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed == 0 && test_passed > 0 ? 0 : 1;
}

const char *
test_path(const char *rel)
{
	static char buf[4096];
	const char *top = getenv("TEST_SRCDIR");

	/* tests/suite.sh sets TEST_SRCDIR; automake's `make check' srcdir. */
	if (top == NULL)
		top = getenv("srcdir");
	snprintf(buf, sizeof(buf), "%s/tests/%s", top ? top : ".", rel);
	return buf;
}
