# src/racoon IKE sockets: a library the racoon program links, tested on its
# own in a namespace scenario (tests/netns/racoon_io.sh).
noinst_LIBRARIES += src/racoon/libisakmp_io.a
src_racoon_libisakmp_io_a_SOURCES = src/racoon/isakmp_io.c \
	src/racoon/isakmp_io.h

noinst_PROGRAMS += tests/tools/io_tool
tests_tools_io_tool_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/racoon
tests_tools_io_tool_LDADD = src/racoon/libisakmp_io.a $(COMMON_LIBS)
