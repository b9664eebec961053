# conf/: the systemd units (made from their .in with the install
# directories of configure) and the commented example configurations,
# installed under $(docdir)/examples: the administrator copies what fits
# into $(sysconfdir), nothing there is overwritten.
systemdsystemunit_DATA = conf/ipsecd.service conf/setkey.service \
	conf/racoon.service
CLEANFILES += $(systemdsystemunit_DATA)
EXTRA_DIST += conf/ipsecd.service.in conf/setkey.service.in \
	conf/racoon.service.in conf/README.md

examplesdir = $(docdir)/examples
dist_examples_DATA = conf/psk.txt \
	conf/racoon.conf.hostA conf/racoon.conf.hostB \
	conf/setkey-racoon-hostA.conf conf/setkey-racoon-hostB.conf \
	conf/setkey-manual-hostA.conf conf/setkey-manual-hostB.conf \
	conf/racoon.conf.roadwarrior conf/psk.txt.roadwarrior \
	conf/racoon.conf.roadwarrior-client \
	conf/setkey-roadwarrior-client.conf conf/racoon.conf.l2tp

unit_subst = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g' \
	-e 's|@runstatedir[@]|$(runstatedir)|g' \
	-e 's|@RACOON_TYPE[@]|$(RACOON_TYPE)|g' \
	-e 's|@RACOON_FLAGS[@]|$(RACOON_FLAGS)|g'

conf/ipsecd.service: $(top_srcdir)/conf/ipsecd.service.in Makefile
	@$(MKDIR_P) conf
	$(AM_V_GEN)$(unit_subst) $(top_srcdir)/conf/ipsecd.service.in >$@
conf/setkey.service: $(top_srcdir)/conf/setkey.service.in Makefile
	@$(MKDIR_P) conf
	$(AM_V_GEN)$(unit_subst) $(top_srcdir)/conf/setkey.service.in >$@
conf/racoon.service: $(top_srcdir)/conf/racoon.service.in Makefile
	@$(MKDIR_P) conf
	$(AM_V_GEN)$(unit_subst) $(top_srcdir)/conf/racoon.service.in >$@
