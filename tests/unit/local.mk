# tests/unit: one program per module of src/common, on the harness in
# test_helper.c.  Other directories add their own tests in their local.mk.
check_LIBRARIES += tests/unit/libtest.a
tests_unit_libtest_a_SOURCES = tests/unit/test_helper.c \
	tests/unit/test_helper.h
UNIT_LIBS = tests/unit/libtest.a $(COMMON_LIBS)

check_PROGRAMS += tests/unit/test_buf tests/unit/test_log \
	tests/unit/test_addr tests/unit/test_alg
tests_unit_test_buf_LDADD = $(UNIT_LIBS)
tests_unit_test_log_LDADD = $(UNIT_LIBS)
tests_unit_test_addr_LDADD = $(UNIT_LIBS)
tests_unit_test_alg_LDADD = $(UNIT_LIBS)
