# src/setkey: setkey(8), ipsec-tools' script language on our PF_KEY codec.
# flex and bison write the grammar into the build tree; it needs no
# relaxed warnings.  The library holds everything but main, for the fuzz
# target and the unit test.
sbin_PROGRAMS += src/setkey/setkey
noinst_LIBRARIES += src/setkey/libsetkey.a
dist_man_MANS += man/setkey.8
EXTRA_DIST += src/setkey/README.md src/setkey/parse.y src/setkey/token.l

SETKEY_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/src/setkey \
	-I$(top_srcdir)/src/setkey

src_setkey_libsetkey_a_SOURCES = src/setkey/cmd.c src/setkey/cmd.h \
	src/setkey/dump.c src/setkey/dump.h
nodist_src_setkey_libsetkey_a_SOURCES = src/setkey/parse.c \
	src/setkey/parse.h src/setkey/token.c
src_setkey_libsetkey_a_CPPFLAGS = $(SETKEY_CPPFLAGS)

BUILT_SOURCES += src/setkey/parse.c src/setkey/parse.h src/setkey/token.c
CLEANFILES += src/setkey/parse.c src/setkey/parse.h src/setkey/token.c

src/setkey/parse.c: $(top_srcdir)/src/setkey/parse.y
	$(AM_V_GEN)$(MKDIR_P) src/setkey && \
	    $(BISON) -Wall -Werror -o src/setkey/parse.c \
	    --defines=src/setkey/parse.h $(top_srcdir)/src/setkey/parse.y
src/setkey/parse.h: src/setkey/parse.c
	@:
src/setkey/token.c: $(top_srcdir)/src/setkey/token.l src/setkey/parse.h
	$(AM_V_GEN)$(MKDIR_P) src/setkey && \
	    $(LEX) -o src/setkey/token.c $(top_srcdir)/src/setkey/token.l

SETKEY_LIBS = src/setkey/libsetkey.a $(COMMON_LIBS)

src_setkey_setkey_SOURCES = src/setkey/setkey.c
src_setkey_setkey_CPPFLAGS = $(SETKEY_CPPFLAGS)
src_setkey_setkey_LDADD = $(SETKEY_LIBS)

check_PROGRAMS += tests/unit/test_setkey
tests_unit_test_setkey_SOURCES = tests/unit/test_setkey.c
tests_unit_test_setkey_CPPFLAGS = $(SETKEY_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_setkey_LDADD = src/setkey/libsetkey.a $(UNIT_LIBS)

if ENABLE_FUZZING
FUZZERS += tests/fuzz/fuzz_setkey
tests_fuzz_fuzz_setkey_SOURCES = tests/fuzz/fuzz_setkey.c
tests_fuzz_fuzz_setkey_CPPFLAGS = $(SETKEY_CPPFLAGS)
tests_fuzz_fuzz_setkey_LDADD = $(SETKEY_LIBS)
tests_fuzz_fuzz_setkey_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
endif
