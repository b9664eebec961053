# src/racoonctl: racoonctl(8), the admin socket's client.  It shares the
# admin protocol's codec with racoon (src/racoon/admin_msg.c) and
# setkey's SA printer (src/setkey/dump.c) for show-sa esp|ah|ipsec.
sbin_PROGRAMS += src/racoonctl/racoonctl
src_racoonctl_racoonctl_SOURCES = src/racoonctl/racoonctl.c \
	src/racoon/admin_msg.c src/racoon/admin_msg.h
src_racoonctl_racoonctl_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/src/racoon -I$(top_srcdir)/src/setkey
src_racoonctl_racoonctl_LDADD = src/setkey/libsetkey.a $(COMMON_LIBS)
dist_man_MANS += man/racoonctl.8
EXTRA_DIST += src/racoonctl/README.md
