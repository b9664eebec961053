/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small unit-test harness that needs only the toolchain.  A test program
 * runs its cases with TEST_RUN(fn); each case is a void function using the
 * ASSERT_* macros.  A failed assertion prints where and why and ends that
 * case (the rest of the cases still run).  main returns test_done(), which
 * prints "name: N passed, N failed" and is non-zero on any failure.
 *
 *	static void
 *	t_get_u8(void)
 *	{
 *		ASSERT_INT_EQ(rbuf_get_u8(&rb, &v), 0);
 *	}
 *	int main(void) { TEST_RUN(t_get_u8); return test_done(); }
 */
#ifndef TEST_HELPER_H
#define TEST_HELPER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

void	 test_run(const char *, void (*)(void));
int	 test_done(void);
/* Path of a data file under the source tree's tests/ (TEST_SRCDIR or
 * automake's srcdir). */
const char *test_path(const char *);

void	 test_fail(const char *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4), noreturn));
void	 test_assert_mem(const char *, int, const char *, const void *,
	    const void *, size_t);

#define TEST_RUN(fn)	test_run(#fn, fn)

#define ASSERT_TRUE(c) do {						\
	if (!(c))							\
		test_fail(__FILE__, __LINE__, "%s is false", #c);	\
} while (0)
#define ASSERT_FALSE(c) do {						\
	if (c)								\
		test_fail(__FILE__, __LINE__, "%s is true", #c);	\
} while (0)
#define ASSERT_INT_EQ(a, b) do {					\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b)							\
		test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld",\
		    #a, _a, #b, _b);					\
} while (0)
#define ASSERT_INT_NE(a, b) do {					\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a == _b)							\
		test_fail(__FILE__, __LINE__, "%s == %s == %lld",	\
		    #a, #b, _a);					\
} while (0)
#define ASSERT_U64_EQ(a, b) do {					\
	unsigned long long _a = (a), _b = (b);				\
	if (_a != _b)							\
		test_fail(__FILE__, __LINE__,				\
		    "%s == 0x%llx, expected 0x%llx", #a, _a, _b);	\
} while (0)
#define ASSERT_PTR_EQ(a, b) do {					\
	const void *_a = (a), *_b = (b);				\
	if (_a != _b)							\
		test_fail(__FILE__, __LINE__, "%s == %p, expected %p",	\
		    #a, _a, _b);					\
} while (0)
#define ASSERT_PTR_NE(a, b) do {					\
	const void *_a = (a), *_b = (b);				\
	if (_a == _b)							\
		test_fail(__FILE__, __LINE__, "%s == %s == %p",		\
		    #a, #b, _a);					\
} while (0)
#define ASSERT_STR_EQ(a, b) do {					\
	const char *_a = (a), *_b = (b);				\
	if (_a == NULL || _b == NULL || strcmp(_a, _b) != 0)		\
		test_fail(__FILE__, __LINE__,				\
		    "%s == \"%s\", expected \"%s\"", #a,		\
		    _a ? _a : "(null)", _b ? _b : "(null)");		\
} while (0)
#define ASSERT_MEM_EQ(a, b, n)						\
	test_assert_mem(__FILE__, __LINE__, #a, (a), (b), (n))

#endif /* TEST_HELPER_H */
