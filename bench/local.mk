# SPDX-License-Identifier: BSD-2-Clause
# bench/: dh_speed, the DH figures behind bench/negotiation.sh; built
# with make, never installed, never run by the suite.  Its other files
# are in Makefile.am's EXTRA_DIST.
noinst_PROGRAMS += bench/dh_speed
bench_dh_speed_SOURCES = bench/dh_speed.c
bench_dh_speed_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon \
	$(OPENSSL_CFLAGS)
bench_dh_speed_LDADD = $(IKE_LIBS)
