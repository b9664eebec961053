# src/ipsecd/local.mk: ipsecd (the PF_KEY v2 server standing in for the
# kernel), its man page, the PF_KEY client of the tests, and the unit test
# of the PF_KEY codec in src/common.
check_PROGRAMS += tests/unit/test_pfkey tests/unit/test_pfkey_sock
tests_unit_test_pfkey_LDADD = $(UNIT_LIBS)
tests_unit_test_pfkey_sock_LDADD = $(UNIT_LIBS)
