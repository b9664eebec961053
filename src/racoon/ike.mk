# src/racoon/ike.mk: the IKEv1 codec and crypto (issue 10), a library the
# racoon program links: the ISAKMP frame and payload rules (isakmp.c),
# payload bodies (isakmp_pld.c), the IKE key schedule and phase 1
# encryption (ike_crypto.c) and Diffie-Hellman (dh.c).  Unit tests and the
# ISAKMP fuzzer live here too.
noinst_LIBRARIES += src/racoon/libike.a
src_racoon_libike_a_SOURCES = \
	src/racoon/isakmp.c src/racoon/isakmp.h \
	src/racoon/isakmp_pld.c src/racoon/isakmp_pld.h \
	src/racoon/dh.c src/racoon/dh.h \
	src/racoon/ike_crypto.c src/racoon/ike_crypto.h
src_racoon_libike_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
IKE_LIBS = src/racoon/libike.a $(COMMON_LIBS)

# The known-answer reader shared by the crypto tests (tests/vectors/).
check_LIBRARIES += tests/unit/libvectors.a
tests_unit_libvectors_a_SOURCES = tests/unit/vectors.c tests/unit/vectors.h
EXTRA_DIST += tests/vectors

IKE_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon \
	-I$(top_srcdir)/tests/unit
IKE_TEST_LIBS = tests/unit/libvectors.a tests/unit/libtest.a $(IKE_LIBS)
check_PROGRAMS += tests/unit/test_isakmp tests/unit/test_dh \
	tests/unit/test_ike_crypto
tests_unit_test_isakmp_CPPFLAGS = $(IKE_TEST_CPPFLAGS)
tests_unit_test_isakmp_LDADD = $(IKE_TEST_LIBS)
tests_unit_test_dh_CPPFLAGS = $(IKE_TEST_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_dh_LDADD = $(IKE_TEST_LIBS)
tests_unit_test_ike_crypto_CPPFLAGS = $(IKE_TEST_CPPFLAGS)
tests_unit_test_ike_crypto_LDADD = $(IKE_TEST_LIBS)

if ENABLE_FUZZING
FUZZERS += tests/fuzz/fuzz_isakmp
tests_fuzz_fuzz_isakmp_SOURCES = tests/fuzz/fuzz_isakmp.c
tests_fuzz_fuzz_isakmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon
tests_fuzz_fuzz_isakmp_LDADD = $(IKE_LIBS)
tests_fuzz_fuzz_isakmp_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
endif
