# src/racoon/exch.mk: the IKEv1 exchanges (issue 11), a library the racoon
# program links (issue 12): the table engine (exchange.c), phase 1 and
# Main Mode (ph1.c, ph1_main.c), phase 2 and Quick Mode (ph2.c,
# ph2_quick.c) and the SA payloads from racoon.conf (proposal.c).  It
# sits on libike.a (codec, crypto) and libracoon_cfg.a (config, psk).
noinst_LIBRARIES += src/racoon/libexch.a
src_racoon_libexch_a_SOURCES = \
	src/racoon/dpd.c src/racoon/dpd.h \
	src/racoon/exchange.c src/racoon/exchange.h \
	src/racoon/keylog.c src/racoon/keylog.h \
	src/racoon/ph1.c src/racoon/ph1.h src/racoon/ph1_main.c \
	src/racoon/ph1_aggr.c \
	src/racoon/ph2.c src/racoon/ph2.h src/racoon/ph2_quick.c \
	src/racoon/natt.c src/racoon/natt.h \
	src/racoon/proposal.c src/racoon/proposal.h
src_racoon_libexch_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon
src_racoon_libexch_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
EXCH_LIBS = src/racoon/libexch.a src/racoon/libike.a \
	src/racoon/libracoon_cfg.a $(COMMON_LIBS)

# Exchanges between an initiator and a responder in one process.
EXCH_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon \
	-I$(top_srcdir)/tests/unit
check_PROGRAMS += tests/unit/test_exchange tests/unit/test_proposal \
	tests/unit/test_keylog
tests_unit_test_keylog_CPPFLAGS = $(EXCH_TEST_CPPFLAGS)
tests_unit_test_keylog_LDADD = tests/unit/libtest.a $(EXCH_LIBS)
tests_unit_test_exchange_CPPFLAGS = $(EXCH_TEST_CPPFLAGS)
tests_unit_test_exchange_LDADD = tests/unit/libtest.a $(EXCH_LIBS)
tests_unit_test_proposal_CPPFLAGS = $(EXCH_TEST_CPPFLAGS)
tests_unit_test_proposal_LDADD = tests/unit/libtest.a $(EXCH_LIBS)

# The exchange handlers behind the codec, fed by a completed Main Mode.
if ENABLE_FUZZING
FUZZERS += tests/fuzz/fuzz_exchange
tests_fuzz_fuzz_exchange_SOURCES = tests/fuzz/fuzz_exchange.c
tests_fuzz_fuzz_exchange_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon
tests_fuzz_fuzz_exchange_LDADD = $(EXCH_LIBS)
tests_fuzz_fuzz_exchange_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
endif
