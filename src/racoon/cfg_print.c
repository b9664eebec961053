/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The canonical form of a racoon.conf tree (racoon -C), for golden tests
 * and for users who want to see what racoon understood.  Every directive
 * racoon acts on is written with its value, defaults included, in one
 * fixed order and layout; directives that racoon parses but does not act
 * on are written only when the file set them.  The output is itself a
 * valid racoon.conf that loads into the same tree.  Secrets (ldap
 * bind_pw, radius shared secrets) are written as "(hidden)": -C output
 * ends up in bug reports.
 */
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "cfg_syn.h"

#define HIDDEN	"(hidden)"

static const char *
onoff(int v)
{
	return v ? "on" : "off";
}

/* Seconds in the largest unit that divides them. */
static void
print_time(FILE *f, uint32_t s)
{
	if (s != 0 && s % 3600 == 0)
		fprintf(f, "%u hour", s / 3600);
	else if (s != 0 && s % 60 == 0)
		fprintf(f, "%u min", s / 60);
	else
		fprintf(f, "%u sec", s);
}

static void
print_addr_port(FILE *f, const struct addr *a)
{
	char buf[ADDR_STRLEN];

	addr_ntop(a, buf, sizeof(buf));
	if (a->a_port == 0)
		fprintf(f, "%s [any]", buf);
	else
		fprintf(f, "%s [%u]", buf, a->a_port);
}

static void
print_globals(FILE *f, const struct cfg *cf)
{
	const struct cfg_paths *p = &cf->c_paths;
	const struct cfg_privsep *ps = &cf->c_privsep;

	if (p->p_include != NULL)
		fprintf(f, "path include \"%s\";\n", p->p_include);
	fprintf(f, "path pre_shared_key \"%s\";\n", p->p_psk);
	if (p->p_certificate != NULL)
		fprintf(f, "path certificate \"%s\";\n", p->p_certificate);
	if (p->p_script != NULL)
		fprintf(f, "path script \"%s\";\n", p->p_script);
	if (p->p_backupsa != NULL)
		fprintf(f, "path backupsa \"%s\";\n", p->p_backupsa);
	fprintf(f, "path pidfile \"%s\";\n", p->p_pidfile);
	if (p->p_keylog != NULL)
		fprintf(f, "path keylog \"%s\";\n", p->p_keylog);
	if (ps->ps_set) {
		fprintf(f, "privsep {\n");
		if (ps->ps_user != NULL)
			fprintf(f, ps->ps_user_numeric ? "\tuser %s;\n" :
			    "\tuser \"%s\";\n", ps->ps_user);
		if (ps->ps_group != NULL)
			fprintf(f, ps->ps_group_numeric ? "\tgroup %s;\n" :
			    "\tgroup \"%s\";\n", ps->ps_group);
		if (ps->ps_chroot != NULL)
			fprintf(f, "\tchroot \"%s\";\n", ps->ps_chroot);
		fprintf(f, "}\n");
	}
	if (!cf->c_gss_id_utf16le)
		fprintf(f, "gss_id_enc latin1;\n");
	if (cf->c_pfkey_buffer != 0)
		fprintf(f, "pfkey_buffer %u;\n", cf->c_pfkey_buffer);
	if (cf->c_complex_bundle)
		fprintf(f, "complex_bundle on;\n");
	fprintf(f, "log %s;\n", cfg_name_loglevel(cf->c_log));
	fprintf(f, "padding {\n\trandomize %s;\n\trandomize_length %s;\n"
	    "\tmaximum_length %u;\n\tstrict_check %s;\n"
	    "\texclusive_tail %s;\n}\n",
	    onoff(cf->c_padding.pad_randomize),
	    onoff(cf->c_padding.pad_randomize_length),
	    cf->c_padding.pad_maximum_length,
	    onoff(cf->c_padding.pad_strict_check),
	    onoff(cf->c_padding.pad_exclusive_tail));
}

static void
print_listen(FILE *f, const struct cfg_listen *l)
{
	const struct cfg_listen_addr *la;

	fprintf(f, "listen {\n");
	TAILQ_FOREACH(la, &l->l_addrs, la_entry) {
		fprintf(f, "\t%s ", la->la_natt ? "isakmp_natt" : "isakmp");
		print_addr_port(f, &la->la_addr);
		fprintf(f, ";\n");
	}
	if (l->l_admin_disabled)
		fprintf(f, "\tadminsock disabled;\n");
	else if (l->l_admin_owner != NULL)
		fprintf(f, "\tadminsock \"%s\" \"%s\" \"%s\" 0%o;\n",
		    l->l_admin_path, l->l_admin_owner, l->l_admin_group,
		    l->l_admin_mode);
	else
		fprintf(f, "\tadminsock \"%s\";\n", l->l_admin_path);
	if (l->l_strict_address)
		fprintf(f, "\tstrict_address;\n");
	fprintf(f, "}\n");
}

static void
print_timer(FILE *f, const struct cfg_timer *t)
{
	fprintf(f, "timer {\n\tcounter %u;\n\tinterval ", t->t_counter);
	print_time(f, t->t_interval);
	fprintf(f, ";\n\tpersend %u;\n\tphase1 ", t->t_persend);
	print_time(f, t->t_phase1);
	fprintf(f, ";\n\tphase2 ");
	print_time(f, t->t_phase2);
	fprintf(f, ";\n\tnatt_keepalive ");
	print_time(f, t->t_natt_keepalive);
	fprintf(f, ";\n}\n");
}

/* IDTYPE [qualifier] [value], as my_identifier writes it. */
static void
print_id(FILE *f, const struct cfg_id *id)
{
	fprintf(f, "%s", cfg_idtype_name(id->id_type));
	if (id->id_qual == CFG_IDQUAL_TAG)
		fprintf(f, " tag");
	else if (id->id_qual == CFG_IDQUAL_FILE)
		fprintf(f, " file");
	if (id->id_value != NULL)
		fprintf(f, " \"%s\"", id->id_value);
}

static void
print_proposal(FILE *f, const struct cfg_proposal *p)
{
	fprintf(f, "\tproposal {\n\t\tencryption_algorithm %s",
	    p->p_enc->alg_cfgname);
	if (p->p_enc_keylen != 0)
		fprintf(f, " %u", p->p_enc_keylen);
	fprintf(f, ";\n\t\thash_algorithm %s;\n"
	    "\t\tauthentication_method %s;\n\t\tdh_group %s;\n"
	    "\t\tlifetime time ", p->p_hash->alg_cfgname,
	    cfg_auth_name(p->p_auth), p->p_dh->alg_cfgname);
	print_time(f, p->p_lifetime);
	fprintf(f, ";\n");
	if (p->p_gss_id != NULL)
		fprintf(f, "\t\tgss_id \"%s\";\n", p->p_gss_id);
	fprintf(f, "\t}\n");
}

static void
print_remote_head(FILE *f, const struct cfg_remote *r)
{
	if (r->r_named)
		fprintf(f, "remote \"%s\"", r->r_name);
	else if (r->r_anonymous)
		fprintf(f, "remote anonymous [%u]", r->r_port);
	else {
		fprintf(f, "remote ");
		print_addr_port(f, &r->r_address);
	}
	if (r->r_inherit != NULL)
		fprintf(f, " inherit \"%s\"", r->r_inherit);
	fprintf(f, " {\n");
	if (r->r_named && r->r_has_address) {
		fprintf(f, "\tremote_address ");
		print_addr_port(f, &r->r_address);
		fprintf(f, ";\n");
	}
}

static void
print_remote_certs(FILE *f, const struct cfg_remote *r)
{
	if (r->r_cert_type == CFG_CERT_X509)
		fprintf(f, "\tcertificate_type x509 \"%s\" \"%s\";\n",
		    r->r_cert_file, r->r_cert_key);
	else if (r->r_cert_type == CFG_CERT_PLAIN_RSA)
		fprintf(f, "\tcertificate_type plain_rsa \"%s\";\n",
		    r->r_cert_file);
	if (r->r_ca_file != NULL)
		fprintf(f, "\tca_type x509 \"%s\";\n", r->r_ca_file);
	if (r->r_peers_cert_type == CFG_CERT_X509)
		fprintf(f, "\tpeers_certfile x509 \"%s\";\n",
		    r->r_peers_cert_file);
	else if (r->r_peers_cert_type == CFG_CERT_PLAIN_RSA)
		fprintf(f, "\tpeers_certfile plain_rsa \"%s\";\n",
		    r->r_peers_cert_file);
	else if (r->r_peers_cert_type == CFG_CERT_DNSSEC)
		fprintf(f, "\tpeers_certfile dnssec;\n");
	fprintf(f, "\tverify_cert %s;\n\tsend_cert %s;\n\tsend_cr %s;\n"
	    "\tmatch_empty_cr %s;\n", onoff(r->r_verify_cert),
	    onoff(r->r_send_cert), onoff(r->r_send_cr),
	    onoff(r->r_match_empty_cr));
}

static void
print_remote(FILE *f, const struct cfg_remote *r)
{
	static const char *const sits[] = { "", "identity_only", "secrecy",
	    "", "integrity" };
	static const char *const hooks[] = { "phase1_up", "phase1_down",
	    "phase1_dead" };
	static const char *const genpol[] = { "off", "on", "unique" };
	const struct cfg_id *id;
	const struct cfg_proposal *p;
	int i;

	print_remote_head(f, r);
	fprintf(f, "\texchange_mode ");
	for (i = 0; i < r->r_nexmode; i++)
		fprintf(f, "%s%s", i ? ", " : "",
		    cfg_exmode_name(r->r_exmode[i]));
	fprintf(f, ";\n\tdoi ipsec_doi;\n\tsituation %s;\n",
	    sits[r->r_situation]);
	fprintf(f, "\tmy_identifier ");
	if (r->r_my_id != NULL)
		print_id(f, r->r_my_id);
	else
		fprintf(f, "address");
	fprintf(f, ";\n");
	TAILQ_FOREACH(id, &r->r_peers_ids, id_entry) {
		fprintf(f, "\tpeers_identifier ");
		print_id(f, id);
		fprintf(f, ";\n");
	}
	fprintf(f, "\tverify_identifier %s;\n",
	    onoff(r->r_verify_identifier));
	if (r->r_xauth_login != NULL)
		fprintf(f, "\txauth_login \"%s\";\n", r->r_xauth_login);
	print_remote_certs(f, r);
	fprintf(f, "\tnonce_size %u;\n\tpassive %s;\n", r->r_nonce_size,
	    onoff(r->r_passive));
	if (r->r_ike_frag != CFG_OFF)
		fprintf(f, "\tike_frag %s;\n",
		    cfg_name_switch3(r->r_ike_frag));
	if (r->r_esp_frag != 0)
		fprintf(f, "\tesp_frag %u;\n", r->r_esp_frag);
	for (i = 0; i < CFG_SCRIPT_MAX; i++)
		if (r->r_script[i] != NULL)
			fprintf(f, "\tscript \"%s\" %s;\n", r->r_script[i],
			    hooks[i]);
	if (r->r_mode_cfg)
		fprintf(f, "\tmode_cfg on;\n");
	fprintf(f, "\tweak_phase1_check %s;\n\tgenerate_policy %s;\n"
	    "\tsupport_proxy %s;\n\tinitial_contact %s;\n"
	    "\tnat_traversal %s;\n", onoff(r->r_weak_phase1_check),
	    genpol[r->r_generate_policy], onoff(r->r_support_proxy),
	    onoff(r->r_initial_contact),
	    cfg_name_switch3(r->r_nat_traversal));
	fprintf(f, "\tdpd_delay %u;\n\tdpd_retry %u;\n\tdpd_maxfail %u;\n"
	    "\trekey %s;\n\tph1id %u;\n\tlifetime time ", r->r_dpd_delay,
	    r->r_dpd_retry, r->r_dpd_maxfail, cfg_name_switch3(r->r_rekey),
	    r->r_ph1id);
	print_time(f, r->r_lifetime);
	fprintf(f, ";\n\tproposal_check %s;\n",
	    cfg_name_pcheck(r->r_proposal_check));
	TAILQ_FOREACH(p, &r->r_proposals, p_entry)
		print_proposal(f, p);
	fprintf(f, "}\n");
}

static void
print_said(FILE *f, const struct cfg_said *id)
{
	char buf[ADDR_STRLEN];
	const char *proto;

	switch (id->sid_kind) {
	case CFG_SAID_ANONYMOUS:
		fprintf(f, "anonymous");
		return;
	case CFG_SAID_CLIENTADDR:
		fprintf(f, "clientaddr");
		return;
	case CFG_SAID_FQDN:
		fprintf(f, "fqdn \"%s\"", id->sid_str);
		return;
	case CFG_SAID_USER_FQDN:
		fprintf(f, "user_fqdn \"%s\"", id->sid_str);
		return;
	case CFG_SAID_KEYID:
		fprintf(f, "keyid \"%s\"", id->sid_str);
		return;
	case CFG_SAID_SUBNET:
		fprintf(f, "subnet %s/%u", addr_ntop(&id->sid_addr, buf,
		    sizeof(buf)), id->sid_addr.a_plen);
		break;
	case CFG_SAID_RANGE:
		fprintf(f, "address %s", addr_ntop(&id->sid_addr, buf,
		    sizeof(buf)));
		fprintf(f, "-%s", addr_ntop(&id->sid_addr_end, buf,
		    sizeof(buf)));
		break;
	case CFG_SAID_ADDRESS:
		fprintf(f, "address %s", addr_fmt(&id->sid_addr, ADDR_PREFIX,
		    buf, sizeof(buf)));
		break;
	}
	if (id->sid_addr.a_port == 0)
		fprintf(f, " [any]");
	else
		fprintf(f, " [%u]", id->sid_addr.a_port);
	proto = cfg_name_proto(id->sid_proto);
	if (strcmp(proto, "?") == 0)
		fprintf(f, " %d", id->sid_proto);
	else
		fprintf(f, " %s", proto);
}

static void
print_algs(FILE *f, const char *what, const struct cfg_sa_alg *l, int n)
{
	int i;

	if (n == 0)
		return;
	fprintf(f, "\t%s ", what);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s%s", i ? ", " : "", l[i].sa_alg->alg_cfgname);
		if (l[i].sa_keylen != 0)
			fprintf(f, " %u", l[i].sa_keylen);
	}
	fprintf(f, ";\n");
}

static void
print_sainfo(FILE *f, const struct cfg_sainfo *si)
{
	fprintf(f, "sainfo ");
	print_said(f, &si->si_local);
	fprintf(f, " ");
	print_said(f, &si->si_remote);
	if (si->si_from != NULL) {
		fprintf(f, " from ");
		print_id(f, si->si_from);
	}
	if (si->si_group != NULL)
		fprintf(f, " group \"%s\"", si->si_group);
	fprintf(f, " {\n");
	if (si->si_pfs != NULL)
		fprintf(f, "\tpfs_group %s;\n", si->si_pfs->alg_cfgname);
	fprintf(f, "\tlifetime time ");
	print_time(f, si->si_lifetime);
	fprintf(f, ";\n\tremoteid %u;\n", si->si_remoteid);
	print_algs(f, "encryption_algorithm", si->si_enc, si->si_nenc);
	print_algs(f, "authentication_algorithm", si->si_auth, si->si_nauth);
	print_algs(f, "compression_algorithm", si->si_comp, si->si_ncomp);
	fprintf(f, "}\n");
}

static void
print_nets(FILE *f, const char *what, const struct cfg_nets *l, int plen)
{
	const struct cfg_net *n;
	char buf[ADDR_STRLEN];
	int first = 1;

	if (TAILQ_EMPTY(l))
		return;
	fprintf(f, "\t%s ", what);
	TAILQ_FOREACH(n, l, n_entry) {
		fprintf(f, "%s%s", first ? "" : ", ",
		    addr_ntop(&n->n_addr, buf, sizeof(buf)));
		if (plen)
			fprintf(f, "/%u", n->n_addr.a_plen);
		first = 0;
	}
	fprintf(f, ";\n");
}

static void
print_strs(FILE *f, const char *what, const struct cfg_strs *l)
{
	const struct cfg_str *s;
	int first = 1;

	if (TAILQ_EMPTY(l))
		return;
	fprintf(f, "\t%s ", what);
	TAILQ_FOREACH(s, l, s_entry) {
		fprintf(f, "%s\"%s\"", first ? "" : ", ", s->s_str);
		first = 0;
	}
	fprintf(f, ";\n");
}

static void
print_modecfg(FILE *f, const struct cfg_modecfg *mc)
{
	char a[ADDR_STRLEN], m[ADDR_STRLEN];

	if (!mc->mc_set)
		return;
	fprintf(f, "mode_cfg {\n\tnetwork4 %s;\n\tnetmask4 %s;\n",
	    addr_ntop(&mc->mc_network4, a, sizeof(a)),
	    addr_ntop(&mc->mc_netmask4, m, sizeof(m)));
	fprintf(f, "\tpool_size %u;\n", mc->mc_pool_size);
	print_nets(f, "dns4", &mc->mc_dns4, 0);
	print_nets(f, "wins4", &mc->mc_wins4, 0);
	print_nets(f, "split_network include", &mc->mc_split_include, 1);
	print_nets(f, "split_network local_lan", &mc->mc_split_local, 1);
	print_strs(f, "split_dns", &mc->mc_split_dns);
	if (mc->mc_default_domain != NULL)
		fprintf(f, "\tdefault_domain \"%s\";\n",
		    mc->mc_default_domain);
	fprintf(f, "\tauth_source %s;\n",
	    cfg_name_source(mc->mc_auth_source));
	print_strs(f, "auth_groups", &mc->mc_auth_groups);
	fprintf(f, "\tgroup_source %s;\n\tconf_source %s;\n"
	    "\taccounting %s;\n\tbanner \"%s\";\n\tauth_throttle %u;\n",
	    cfg_name_source(mc->mc_group_source),
	    cfg_name_source(mc->mc_conf_source),
	    cfg_name_source(mc->mc_accounting), mc->mc_banner,
	    mc->mc_auth_throttle);
	if (mc->mc_pfs_group != NULL)
		fprintf(f, "\tpfs_group %s;\n", mc->mc_pfs_group->alg_cfgname);
	else
		fprintf(f, "\tpfs_group 0;\n");
	fprintf(f, "\tsave_passwd %s;\n}\n", onoff(mc->mc_save_passwd));
}

static void
print_ldap(FILE *f, const struct cfg_ldap *ld)
{
	if (!ld->ld_set)
		return;
	fprintf(f, "ldapcfg {\n\tversion %u;\n\tdebug %u;\n",
	    ld->ld_version, ld->ld_debug);
	if (ld->ld_timeout != 0)
		fprintf(f, "\ttimeout %u;\n", ld->ld_timeout);
	if (ld->ld_uri != NULL)
		fprintf(f, "\turi \"%s\";\n", ld->ld_uri);
	fprintf(f, "\thost \"%s\";\n\tport %u;\n", ld->ld_host, ld->ld_port);
	if (ld->ld_base != NULL)
		fprintf(f, "\tbase \"%s\";\n", ld->ld_base);
	fprintf(f, "\tsubtree %s;\n", onoff(ld->ld_subtree));
	if (ld->ld_bind_dn != NULL)
		fprintf(f, "\tbind_dn \"%s\";\n", ld->ld_bind_dn);
	if (ld->ld_bind_pw != NULL)
		fprintf(f, "\tbind_pw \"" HIDDEN "\";\n");
	fprintf(f, "\tattr_user \"%s\";\n\tattr_addr \"%s\";\n"
	    "\tattr_mask \"%s\";\n\tattr_group \"%s\";\n"
	    "\tattr_member \"%s\";\n}\n", ld->ld_attr_user, ld->ld_attr_addr,
	    ld->ld_attr_mask, ld->ld_attr_group, ld->ld_attr_member);
}

static void
print_radius(FILE *f, const struct cfg_radius *rad)
{
	const struct cfg_radius_server *rs;

	if (!rad->rad_set)
		return;
	fprintf(f, "radiuscfg {\n");
	TAILQ_FOREACH(rs, &rad->rad_auth, rs_entry) {
		fprintf(f, "\tauth \"%s\"", rs->rs_host);
		if (rs->rs_port != 0)
			fprintf(f, " %u", rs->rs_port);
		fprintf(f, " \"" HIDDEN "\";\n");
	}
	TAILQ_FOREACH(rs, &rad->rad_acct, rs_entry) {
		fprintf(f, "\tacct \"%s\"", rs->rs_host);
		if (rs->rs_port != 0)
			fprintf(f, " %u", rs->rs_port);
		fprintf(f, " \"" HIDDEN "\";\n");
	}
	fprintf(f, "\ttimeout %u;\n\tretries %u;\n}\n", rad->rad_timeout,
	    rad->rad_retries);
}

void
cfg_print(FILE *f, const struct cfg *cf)
{
	const struct cfg_remote *r;
	const struct cfg_sainfo *si;

	print_globals(f, cf);
	print_listen(f, &cf->c_listen);
	print_timer(f, &cf->c_timer);
	TAILQ_FOREACH(r, &cf->c_remotes, r_entry)
		print_remote(f, r);
	TAILQ_FOREACH(si, &cf->c_sainfos, si_entry)
		print_sainfo(f, si);
	print_modecfg(f, &cf->c_modecfg);
	print_ldap(f, &cf->c_ldap);
	print_radius(f, &cf->c_radius);
}
