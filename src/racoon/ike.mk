# src/racoon/ike.mk: the IKEv1 codec and crypto (issue 10), a library the
# racoon program links: the ISAKMP frame and payload rules (isakmp.c),
# payload bodies (isakmp_pld.c), the IKE key schedule and phase 1
# encryption (ike_crypto.c) and Diffie-Hellman (dh.c).  Unit tests and the
# ISAKMP fuzzer live here too.
noinst_LIBRARIES += src/racoon/libike.a
src_racoon_libike_a_SOURCES = \
	src/racoon/isakmp.c src/racoon/isakmp.h \
	src/racoon/isakmp_pld.c src/racoon/isakmp_pld.h
src_racoon_libike_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
IKE_LIBS = src/racoon/libike.a $(COMMON_LIBS)

check_PROGRAMS += tests/unit/test_isakmp
tests_unit_test_isakmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon
tests_unit_test_isakmp_LDADD = tests/unit/libtest.a $(IKE_LIBS)
