# tests/fuzz: one libFuzzer harness per parser, built with --enable-fuzzing.
# Each harness has a seed corpus in tests/fuzz/corpus/<name>/.
if ENABLE_FUZZING
FUZZERS += tests/fuzz/fuzz_buf
tests_fuzz_fuzz_buf_SOURCES = tests/fuzz/fuzz_buf.c
tests_fuzz_fuzz_buf_LDADD = $(COMMON_LIBS)
tests_fuzz_fuzz_buf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
# ipsecd's handling of wire bytes: reassembly, IPv6 walk, AH, ESP.
FUZZERS += tests/fuzz/fuzz_xform
tests_fuzz_fuzz_xform_SOURCES = tests/fuzz/fuzz_xform.c
tests_fuzz_fuzz_xform_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_fuzz_fuzz_xform_LDADD = $(XFORM_LIBS)
tests_fuzz_fuzz_xform_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
endif
EXTRA_DIST += tests/fuzz/corpus
