# src/ipsecd transforms: ESP, AH, ICVs, the replay window, fragmentation
# and reassembly, the TUN device and its routes, the AF_PACKET ring and
# raw sockets on the wire, nftables enforcement, as a library that
# ipsecd's datapath links, tested on their own (unit tests, and against
# scapy in tests/xcheck).
noinst_LIBRARIES += src/ipsecd/libxform.a
src_ipsecd_libxform_a_CFLAGS = $(AM_CFLAGS) $(NFTABLES_CFLAGS)
src_ipsecd_libxform_a_SOURCES = \
	src/ipsecd/ah.c src/ipsecd/ah.h \
	src/ipsecd/esp.c src/ipsecd/esp.h \
	src/ipsecd/frag.c src/ipsecd/frag.h \
	src/ipsecd/gso.c src/ipsecd/gso.h \
	src/ipsecd/icv.c src/ipsecd/icv.h \
	src/ipsecd/natt_csum.c src/ipsecd/natt_csum.h \
	src/ipsecd/nft.c src/ipsecd/nft.h \
	src/ipsecd/pkt.c src/ipsecd/pkt.h \
	src/ipsecd/replay.c src/ipsecd/replay.h \
	src/ipsecd/tun.c src/ipsecd/tun.h \
	src/ipsecd/wire.c src/ipsecd/wire.h
XFORM_LIBS = src/ipsecd/libxform.a $(COMMON_LIBS) $(NFTABLES_LIBS)

check_PROGRAMS += tests/unit/test_replay tests/unit/test_esp \
	tests/unit/test_ah tests/unit/test_frag tests/unit/test_icv \
	tests/unit/test_gso tests/unit/test_natt_csum
tests_unit_test_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_unit_test_replay_LDADD = tests/unit/libtest.a $(XFORM_LIBS)
tests_unit_test_esp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_unit_test_esp_LDADD = tests/unit/libtest.a $(XFORM_LIBS)
tests_unit_test_ah_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_unit_test_ah_LDADD = tests/unit/libtest.a $(XFORM_LIBS)
tests_unit_test_frag_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_unit_test_frag_LDADD = tests/unit/libtest.a $(XFORM_LIBS)
tests_unit_test_icv_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_unit_test_icv_LDADD = tests/unit/libtest.a $(XFORM_LIBS)
tests_unit_test_gso_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_unit_test_gso_LDADD = tests/unit/libtest.a $(XFORM_LIBS)
tests_unit_test_natt_csum_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_unit_test_natt_csum_LDADD = tests/unit/libtest.a $(XFORM_LIBS)

# Test tool for the scapy cross-check (tests/xcheck/ipsec_scapy.sh).
noinst_PROGRAMS += tests/tools/xform_tool
tests_tools_xform_tool_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_tools_xform_tool_LDADD = $(XFORM_LIBS)
EXTRA_DIST += tests/xcheck

# Test tool for the TUN and routing scenario (tests/netns/ipsecd_tun_route.sh).
noinst_PROGRAMS += tests/tools/tun_tool
tests_tools_tun_tool_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_tools_tun_tool_LDADD = $(XFORM_LIBS)

# Test tool for the wire scenario (tests/netns/ipsecd_wire.sh).
noinst_PROGRAMS += tests/tools/wire_tool
tests_tools_wire_tool_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_tools_wire_tool_LDADD = $(XFORM_LIBS)

# Test tool for the enforcement scenario (tests/netns/ipsecd_nft.sh).
noinst_PROGRAMS += tests/tools/nft_tool
tests_tools_nft_tool_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/ipsecd
tests_tools_nft_tool_LDADD = $(XFORM_LIBS)
