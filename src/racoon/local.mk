# src/racoon: the IKE daemon.  libracoon_cfg.a holds the racoon.conf and
# psk.txt readers, linked by racoon, the unit tests and the fuzzers.
#
# The grammar is built with explicit rules rather than automake's .y/.l
# support, which wants AC_PROG_YACC; configure checks for flex and bison
# by name (LEX, BISON).
noinst_LIBRARIES += src/racoon/libracoon_cfg.a
src_racoon_libracoon_cfg_a_SOURCES = \
	src/racoon/cfg.c src/racoon/cfg.h src/racoon/cfg_syn.h \
	src/racoon/cfg_print.c \
	src/racoon/psk.c src/racoon/psk.h
nodist_src_racoon_libracoon_cfg_a_SOURCES = \
	src/racoon/cfg_parse.c src/racoon/cfg_parse.h \
	src/racoon/cfg_lex.c
src_racoon_libracoon_cfg_a_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_builddir)/src/racoon -I$(top_srcdir)/src/racoon

BUILT_SOURCES += src/racoon/cfg_parse.h
CLEANFILES += src/racoon/cfg_parse.c src/racoon/cfg_parse.h \
	src/racoon/cfg_lex.c
dist_man_MANS += man/racoon.8 man/racoon.conf.5
EXTRA_DIST += src/racoon/cfg_parse.y src/racoon/cfg_lex.l \
	src/racoon/README.md

src/racoon/cfg_parse.h: src/racoon/cfg_parse.c
	@:
src/racoon/cfg_parse.c: $(top_srcdir)/src/racoon/cfg_parse.y
	@$(MKDIR_P) src/racoon
	$(AM_V_GEN)$(BISON) -Wall -Werror -o src/racoon/cfg_parse.c \
	    --defines=src/racoon/cfg_parse.h $(top_srcdir)/src/racoon/cfg_parse.y
src/racoon/cfg_lex.c: $(top_srcdir)/src/racoon/cfg_lex.l src/racoon/cfg_parse.h
	@$(MKDIR_P) src/racoon
	$(AM_V_GEN)$(LEX) -o src/racoon/cfg_lex.c $(top_srcdir)/src/racoon/cfg_lex.l

RACOON_CFG_LIBS = src/racoon/libracoon_cfg.a $(COMMON_LIBS)

# The daemon: the event loop (daemon.c) and the PF_KEY glue (kernel.c)
# on the exchanges (exch.mk), the codec (ike.mk) and the IKE sockets
# (io.mk).
sbin_PROGRAMS += src/racoon/racoon
src_racoon_racoon_SOURCES = src/racoon/main.c \
	src/racoon/daemon.c src/racoon/daemon.h \
	src/racoon/kernel.c src/racoon/kernel.h \
	src/racoon/script.c src/racoon/script.h \
	src/racoon/admin.c src/racoon/admin.h \
	src/racoon/admin_msg.c src/racoon/admin_msg.h
src_racoon_racoon_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon
src_racoon_racoon_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(SYSTEMD_CFLAGS)
src_racoon_racoon_LDADD = src/racoon/libexch.a src/racoon/libike.a \
	src/racoon/libisakmp_io.a $(RACOON_CFG_LIBS) $(LIBEVENT_LIBS) \
	$(SYSTEMD_LIBS)


# kernel.c against a fake kernel on a UNIX socket (IPSECD_SOCKET).
check_PROGRAMS += tests/unit/test_kernel
tests_unit_test_kernel_SOURCES = tests/unit/test_kernel.c \
	src/racoon/kernel.c src/racoon/kernel.h
tests_unit_test_kernel_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon \
	-I$(top_srcdir)/tests/unit
tests_unit_test_kernel_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
tests_unit_test_kernel_LDADD = tests/unit/libtest.a src/racoon/libexch.a \
	src/racoon/libike.a $(RACOON_CFG_LIBS) $(LIBEVENT_LIBS)

check_PROGRAMS += tests/unit/test_psk tests/unit/test_cfg

# The admin protocol's codec, shared with racoonctl.
check_PROGRAMS += tests/unit/test_admin_msg
tests_unit_test_admin_msg_SOURCES = tests/unit/test_admin_msg.c \
	src/racoon/admin_msg.c src/racoon/admin_msg.h
tests_unit_test_admin_msg_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/src/racoon -I$(top_srcdir)/tests/unit
tests_unit_test_admin_msg_LDADD = $(UNIT_LIBS)
if ENABLE_FUZZING
FUZZERS += tests/fuzz/fuzz_admin
tests_fuzz_fuzz_admin_SOURCES = tests/fuzz/fuzz_admin.c \
	src/racoon/admin_msg.c src/racoon/admin_msg.h
tests_fuzz_fuzz_admin_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon
tests_fuzz_fuzz_admin_LDADD = $(COMMON_LIBS)
tests_fuzz_fuzz_admin_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
endif
tests_unit_test_psk_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon \
	-I$(top_srcdir)/tests/unit
tests_unit_test_psk_LDADD = src/racoon/libracoon_cfg.a $(UNIT_LIBS)
tests_unit_test_cfg_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon \
	-I$(top_srcdir)/tests/unit
tests_unit_test_cfg_LDADD = src/racoon/libracoon_cfg.a $(UNIT_LIBS)

if ENABLE_FUZZING
FUZZERS += tests/fuzz/fuzz_cfg tests/fuzz/fuzz_psk
tests_fuzz_fuzz_cfg_SOURCES = tests/fuzz/fuzz_cfg.c
tests_fuzz_fuzz_cfg_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon
tests_fuzz_fuzz_cfg_LDADD = $(RACOON_CFG_LIBS)
tests_fuzz_fuzz_cfg_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_psk_SOURCES = tests/fuzz/fuzz_psk.c
tests_fuzz_fuzz_psk_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon
tests_fuzz_fuzz_psk_LDADD = $(RACOON_CFG_LIBS)
tests_fuzz_fuzz_psk_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
endif
EXTRA_DIST += tests/conf tests/build/racoon_conf.sh
