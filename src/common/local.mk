# src/common: the convenience library every program links.
noinst_LIBRARIES += src/common/libcommon.a
src_common_libcommon_a_SOURCES = \
	src/common/addr.c src/common/addr.h \
	src/common/alg.c src/common/alg.h \
	src/common/buf.c src/common/buf.h \
	src/common/log.c src/common/log.h \
	src/common/pfkey.c src/common/pfkey.h \
	src/common/pfkey_sock.c src/common/pfkey_sock.h
src_common_libcommon_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
EXTRA_DIST += src/common/README.md

# What a program of the suite links after its own objects.
COMMON_LIBS = src/common/libcommon.a $(OPENSSL_LIBS)
