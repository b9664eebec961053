# src/ipsecd/local.mk: ipsecd (the PF_KEY v2 server standing in for the
# kernel), its man page, the PF_KEY client of the tests, and the unit tests
# of the PF_KEY codec and transport in src/common.  The transforms (ESP, AH,
# replay) have their own fragment, xform.mk.
sbin_PROGRAMS += src/ipsecd/ipsecd
src_ipsecd_ipsecd_SOURCES = src/ipsecd/main.c \
	src/ipsecd/dp.c src/ipsecd/dp.h \
	src/ipsecd/pfkey_srv.c src/ipsecd/pfkey_srv.h \
	src/ipsecd/sad.c src/ipsecd/sad.h \
	src/ipsecd/spd.c src/ipsecd/spd.h
src_ipsecd_ipsecd_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(SYSTEMD_CFLAGS)
src_ipsecd_ipsecd_LDADD = src/ipsecd/libxform.a $(COMMON_LIBS) \
	$(LIBEVENT_LIBS) $(NFTABLES_LIBS) $(SYSTEMD_LIBS)
EXTRA_DIST += src/ipsecd/README.md

check_PROGRAMS += tests/unit/test_pfkey tests/unit/test_pfkey_sock
tests_unit_test_pfkey_LDADD = $(UNIT_LIBS)
tests_unit_test_pfkey_sock_LDADD = $(UNIT_LIBS)

# The PF_KEY client the namespace tests drive ipsecd with.
noinst_PROGRAMS += tests/tools/pfkeyc
tests_tools_pfkeyc_LDADD = $(COMMON_LIBS)

dist_man_MANS += man/ipsecd.8

# The PF_KEY parser's libFuzzer harness; its seeds are in
# tests/fuzz/corpus/fuzz_pfkey/.
if ENABLE_FUZZING
FUZZERS += tests/fuzz/fuzz_pfkey
tests_fuzz_fuzz_pfkey_SOURCES = tests/fuzz/fuzz_pfkey.c
tests_fuzz_fuzz_pfkey_LDADD = $(COMMON_LIBS)
tests_fuzz_fuzz_pfkey_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
endif

# Unit tests of the SAD and SPD, linked with their objects.
check_PROGRAMS += tests/unit/test_sad tests/unit/test_spd
tests_unit_test_sad_SOURCES = tests/unit/test_sad.c src/ipsecd/sad.c
tests_unit_test_sad_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_unit_test_sad_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_sad_LDADD = $(UNIT_LIBS) $(LIBEVENT_LIBS)
tests_unit_test_spd_SOURCES = tests/unit/test_spd.c src/ipsecd/spd.c
tests_unit_test_spd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_unit_test_spd_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
tests_unit_test_spd_LDADD = $(UNIT_LIBS) $(LIBEVENT_LIBS)
# The server in one process, for what only the datapath triggers (ACQUIRE).
check_PROGRAMS += tests/unit/test_pfkey_srv
tests_unit_test_pfkey_srv_SOURCES = tests/unit/test_pfkey_srv.c \
	src/ipsecd/pfkey_srv.c src/ipsecd/sad.c src/ipsecd/spd.c
tests_unit_test_pfkey_srv_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_unit_test_pfkey_srv_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(OPENSSL_CFLAGS)
tests_unit_test_pfkey_srv_LDADD = $(UNIT_LIBS) $(LIBEVENT_LIBS)
