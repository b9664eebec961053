/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/racoon/cfg.c: the tree that the article's
 * racoon.conf gives, defaults, inheritance, the checks ipsec-tools makes,
 * includes with globs, and error reporting (every error, with file and
 * line, and no tree).  tests/conf/ holds the golden cases of the printer.
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "test_helper.h"

static char	 diag[8192];
static int	 nerr, nwarn;

static void
collect(void *arg, int err, const char *msg)
{
	size_t n = strlen(diag);

	(void)arg;
	if (err)
		nerr++;
	else
		nwarn++;
	snprintf(diag + n, sizeof(diag) - n, "%s\n", msg);
}

static struct cfg *
load(const char *text)
{
	struct cfg_opts o = { collect, NULL, 1 };

	diag[0] = '\0';
	nerr = nwarn = 0;
	return cfg_load_mem("racoon.conf", text, strlen(text), &o);
}

static const char article[] =
    "path pre_shared_key \"/etc/psk.txt\";\n"
    "\n"
    "remote 192.168.2.100 {\n"
    "        exchange_mode main;\n"
    "        proposal {\n"
    "                encryption_algorithm 3des;\n"
    "                hash_algorithm md5;\n"
    "                authentication_method pre_shared_key;\n"
    "                dh_group modp1024;\n"
    "        }\n"
    "}\n"
    "\n"
    "sainfo address 192.168.1.100 any address 192.168.2.100 any {\n"
    "        pfs_group 768;\n"
    "        encryption_algorithm 3des;\n"
    "        authentication_algorithm hmac_md5;\n"
    "        compression_algorithm deflate;\n"
    "}\n";

static void
t_article(void)
{
	struct cfg *cf = load(article);
	struct cfg_remote *r;
	struct cfg_proposal *p;
	struct cfg_sainfo *si;
	char buf[ADDR_STRLEN];

	ASSERT_PTR_NE(cf, NULL);
	ASSERT_INT_EQ(nerr, 0);
	/* modp1024 and 768 are weak; 768 is read as modp768. */
	ASSERT_STR_EQ(diag,
	    "racoon.conf:9: warning: dh_group: modp1024 is a weak DH group\n"
	    "racoon.conf:14: warning: pfs_group: 768 read as modp768 "
	    "(DH group 1)\n"
	    "racoon.conf:14: warning: pfs_group: modp768 is a weak DH group\n");
	ASSERT_STR_EQ(cf->c_paths.p_psk, "/etc/psk.txt");
	r = TAILQ_FIRST(&cf->c_remotes);
	ASSERT_PTR_NE(r, NULL);
	ASSERT_STR_EQ(r->r_name, "192.168.2.100");
	ASSERT_INT_EQ(r->r_has_address, 1);
	ASSERT_STR_EQ(addr_ntop(&r->r_address, buf, sizeof(buf)),
	    "192.168.2.100");
	ASSERT_INT_EQ(r->r_address.a_port, 500);
	ASSERT_INT_EQ(r->r_nexmode, 1);
	ASSERT_INT_EQ(r->r_exmode[0], CFG_EXMODE_MAIN);
	ASSERT_INT_EQ(r->r_lifetime, 28800);
	ASSERT_INT_EQ(r->r_nonce_size, 16);
	ASSERT_INT_EQ(r->r_initial_contact, 1);
	ASSERT_INT_EQ(r->r_proposal_check, CFG_PCHECK_STRICT);
	p = TAILQ_FIRST(&r->r_proposals);
	ASSERT_PTR_NE(p, NULL);
	ASSERT_INT_EQ(p->p_enc->alg_ike, 5);
	ASSERT_INT_EQ(p->p_enc_keylen, 0);
	ASSERT_INT_EQ(p->p_hash->alg_ike, 1);
	ASSERT_INT_EQ(p->p_auth, CFG_AUTH_PSK);
	ASSERT_INT_EQ(p->p_dh->alg_ike, 2);
	ASSERT_INT_EQ(p->p_lifetime, 28800);
	ASSERT_PTR_EQ(TAILQ_NEXT(p, p_entry), NULL);
	si = TAILQ_FIRST(&cf->c_sainfos);
	ASSERT_PTR_NE(si, NULL);
	ASSERT_INT_EQ(si->si_local.sid_kind, CFG_SAID_ADDRESS);
	ASSERT_STR_EQ(addr_ntop(&si->si_local.sid_addr, buf, sizeof(buf)),
	    "192.168.1.100");
	ASSERT_INT_EQ(si->si_local.sid_addr.a_plen, 32);
	ASSERT_INT_EQ(si->si_local.sid_proto, CFG_PROTO_ANY);
	ASSERT_INT_EQ(si->si_remote.sid_kind, CFG_SAID_ADDRESS);
	ASSERT_INT_EQ(si->si_pfs->alg_ike, 1);
	ASSERT_INT_EQ(si->si_nenc, 1);
	ASSERT_STR_EQ(si->si_enc[0].sa_alg->alg_name, "3des-cbc");
	ASSERT_INT_EQ(si->si_nauth, 1);
	ASSERT_INT_EQ(si->si_auth[0].sa_alg->alg_sadb, 2);
	ASSERT_INT_EQ(si->si_ncomp, 1);
	ASSERT_INT_EQ(si->si_lifetime, 28800);
	cfg_free(cf);
}

static void
t_defaults(void)
{
	struct cfg *cf = load("");

	ASSERT_PTR_NE(cf, NULL);
	ASSERT_INT_EQ(cf->c_timer.t_counter, 5);
	ASSERT_INT_EQ(cf->c_timer.t_interval, 10);
	ASSERT_INT_EQ(cf->c_timer.t_persend, 1);
	ASSERT_INT_EQ(cf->c_timer.t_phase1, 15);
	ASSERT_INT_EQ(cf->c_timer.t_phase2, 10);
	ASSERT_INT_EQ(cf->c_timer.t_natt_keepalive, 20);
	ASSERT_INT_EQ(cf->c_padding.pad_randomize, 1);
	ASSERT_INT_EQ(cf->c_padding.pad_maximum_length, 20);
	ASSERT_INT_EQ(cf->c_padding.pad_exclusive_tail, 1);
	ASSERT_INT_EQ(cf->c_log, CFG_LOG_INFO);
	ASSERT_INT_EQ(cf->c_listen.l_admin_mode, 0600);
	ASSERT_STR_EQ(cf->c_paths.p_pidfile, "racoon.pid");
	ASSERT_TRUE(TAILQ_EMPTY(&cf->c_remotes));
	cfg_free(cf);
}

static void
t_units_and_keylen(void)
{
	struct cfg *cf = load(
	    "timer { interval 2 min; phase1 1 hour; natt_keepalive 0 sec; }\n"
	    "remote anonymous {\n"
	    "  exchange_mode aggressive, main;\n"
	    "  lifetime time 30 minutes;\n"
	    "  proposal { encryption_algorithm aes 256;\n"
	    "    hash_algorithm sha256;\n"
	    "    authentication_method pre_shared_key; dh_group 14; }\n"
	    "  proposal { encryption_algorithm aes; hash_algorithm sha1;\n"
	    "    authentication_method pre_shared_key; dh_group modp2048;\n"
	    "    lifetime time 2 hours; }\n"
	    "}\n"
	    "sainfo anonymous {\n"
	    "  encryption_algorithm aes_gcm_16 256, aes, blowfish 448;\n"
	    "  authentication_algorithm hmac_sha256;\n"
	    "  compression_algorithm deflate;\n"
	    "  pfs_group ecp384;\n"
	    "}\n"
	    "sainfo address 10.0.0.1 any anonymous {\n"
	    "  encryption_algorithm aes_gcm_16;\n"
	    "  compression_algorithm deflate;\n"
	    "}\n");
	struct cfg_remote *r;
	struct cfg_proposal *p;
	struct cfg_sainfo *si;

	ASSERT_PTR_NE(cf, NULL);
	/* Aggressive Mode with a PSK: the start-up warning (issue 15). */
	ASSERT_STR_EQ(diag, "racoon.conf:2: warning: remote \"anonymous\": "
	    "aggressive mode with a pre-shared key: its hash goes out before "
	    "the peer is authenticated and can be cracked offline\n");
	ASSERT_INT_EQ(cf->c_timer.t_interval, 120);
	ASSERT_INT_EQ(cf->c_timer.t_phase1, 3600);
	ASSERT_INT_EQ(cf->c_timer.t_natt_keepalive, 0);
	r = TAILQ_FIRST(&cf->c_remotes);
	ASSERT_INT_EQ(r->r_anonymous, 1);
	ASSERT_INT_EQ(r->r_nexmode, 2);
	ASSERT_INT_EQ(r->r_exmode[0], CFG_EXMODE_AGGRESSIVE);
	p = TAILQ_FIRST(&r->r_proposals);
	ASSERT_INT_EQ(p->p_enc_keylen, 256);
	ASSERT_INT_EQ(p->p_lifetime, 1800);
	p = TAILQ_NEXT(p, p_entry);
	ASSERT_INT_EQ(p->p_enc_keylen, 128);
	ASSERT_INT_EQ(p->p_lifetime, 7200);
	si = TAILQ_FIRST(&cf->c_sainfos);
	ASSERT_INT_EQ(si->si_local.sid_kind, CFG_SAID_ANONYMOUS);
	ASSERT_INT_EQ(si->si_remote.sid_kind, CFG_SAID_ANONYMOUS);
	ASSERT_INT_EQ(si->si_nenc, 3);
	ASSERT_INT_EQ(si->si_enc[0].sa_keylen, 256);
	ASSERT_INT_EQ(si->si_enc[1].sa_keylen, 128);
	ASSERT_INT_EQ(si->si_enc[2].sa_keylen, 448);
	ASSERT_INT_EQ(si->si_pfs->alg_ike, 20);
	/* AES-GCM alone needs no authentication_algorithm. */
	si = TAILQ_NEXT(si, si_entry);
	ASSERT_INT_EQ(si->si_nauth, 0);
	ASSERT_INT_EQ(si->si_enc[0].sa_keylen, 128);
	ASSERT_PTR_EQ(si->si_pfs, NULL);
	cfg_free(cf);
}

static void
t_inherit(void)
{
	struct cfg *cf = load(
	    "remote \"base\" {\n"
	    "  exchange_mode main;\n"
	    "  nat_traversal on;\n"
	    "  dpd_delay 30;\n"
	    "  proposal { encryption_algorithm 3des; hash_algorithm sha1;\n"
	    "    authentication_method pre_shared_key; dh_group 14; }\n"
	    "}\n"
	    "remote \"child\" inherit \"base\" {\n"
	    "  remote_address 10.0.0.2;\n"
	    "  lifetime time 1 hour;\n"
	    "  dpd_delay 10;\n"
	    "}\n"
	    "remote \"same\" inherit \"child\";\n");
	struct cfg_remote *r;

	ASSERT_PTR_NE(cf, NULL);
	ASSERT_INT_EQ(nerr, 0);
	r = cfg_remote_by_name(cf, "child");
	ASSERT_PTR_NE(r, NULL);
	ASSERT_STR_EQ(r->r_inherit, "base");
	ASSERT_INT_EQ(r->r_nat_traversal, CFG_ON);
	ASSERT_INT_EQ(r->r_dpd_delay, 10);
	ASSERT_INT_EQ(r->r_has_address, 1);
	ASSERT_INT_EQ(r->r_nexmode, 1);
	/* The inherited proposal takes the child's lifetime. */
	ASSERT_INT_EQ(TAILQ_FIRST(&r->r_proposals)->p_lifetime, 3600);
	ASSERT_INT_EQ(TAILQ_FIRST(&cfg_remote_by_name(cf,
	    "base")->r_proposals)->p_lifetime, 28800);
	r = cfg_remote_by_name(cf, "same");
	ASSERT_PTR_NE(r, NULL);
	ASSERT_INT_EQ(r->r_dpd_delay, 10);
	ASSERT_INT_EQ(r->r_lifetime, 3600);
	cfg_free(cf);
}

static void
t_errors_all_reported(void)
{
	struct cfg *cf = load(
	    "remote 10.0.0.1 {\n"
	    "  exchange_mode main;\n"
	    "  lifetme time 1 hour;\n"
	    "  proposal { encryption_algorithm 3des; hash_algorithm sha1;\n"
	    "    authentication_method pre_shared_key; dh_group 14; }\n"
	    "}\n"
	    "log loud;\n"
	    "timer { counter x; }\n");

	ASSERT_PTR_EQ(cf, NULL);
	ASSERT_INT_EQ(nerr, 3);
	ASSERT_STR_EQ(diag,
	    "racoon.conf:3: unknown keyword \"lifetme\"\n"
	    "racoon.conf:7: log: expected error, warning, notify, info, debug "
	    "or debug2, got \"loud\"\n"
	    "racoon.conf:8: counter: expected a number, got \"x\"\n");
}

static void
t_syntax_recovery(void)
{
	struct cfg *cf = load(
	    "log info\n"
	    "remote anonymous {\n"
	    "  exchange_mode main\n"
	    "}\n"
	    "timer { counter 3; } }\n"
	    "log bad;\n");

	ASSERT_PTR_EQ(cf, NULL);
	/* In line order, although the syntax errors were found first. */
	ASSERT_STR_EQ(diag,
	    "racoon.conf:1: log: takes no { block }\n"
	    "racoon.conf:4: syntax error, unexpected '}', expecting argument "
	    "or ';' or '{'\n"
	    "racoon.conf:5: syntax error, unexpected '}', expecting end of "
	    "file or argument\n"
	    "racoon.conf:6: log: expected error, warning, notify, info, debug "
	    "or debug2, got \"bad\"\n");
}

static void
t_ipsec_tools_checks(void)
{
	struct cfg *cf;

	cf = load("remote anonymous {\n"
	    "  proposal { encryption_algorithm 3des; hash_algorithm sha1;\n"
	    "    authentication_method pre_shared_key; dh_group 14; }\n"
	    "}\n");
	ASSERT_PTR_EQ(cf, NULL);
	ASSERT_STR_EQ(diag, "racoon.conf:1: remote \"anonymous\": no "
	    "exchange_mode specified\n");
	cf = load("remote anonymous {\n"
	    "  exchange_mode aggressive;\n"
	    "  proposal { encryption_algorithm 3des; hash_algorithm sha1;\n"
	    "    authentication_method pre_shared_key; dh_group 15; }\n"
	    "  proposal { encryption_algorithm 3des; hash_algorithm sha1;\n"
	    "    authentication_method pre_shared_key; dh_group 14; }\n"
	    "}\n");
	ASSERT_PTR_EQ(cf, NULL);
	ASSERT_TRUE(strstr(diag, "racoon.conf:5: remote \"anonymous\": DH "
	    "group must be equal in all proposals when aggressive mode is "
	    "used\n") != NULL);
	cf = load("sainfo anonymous {\n"
	    "  lifetime byte 100 KB;\n"
	    "}\n");
	ASSERT_PTR_EQ(cf, NULL);
	ASSERT_STR_EQ(diag, "racoon.conf:2: lifetime: byte lifetime support "
	    "is deprecated\n");
	cf = load("sainfo anonymous {\n"
	    "  encryption_algorithm 3des;\n"
	    "  authentication_algorithm hmac_sha1;\n"
	    "}\n");
	ASSERT_PTR_EQ(cf, NULL);
	ASSERT_STR_EQ(diag, "racoon.conf:1: sainfo: no "
	    "compression_algorithm\n");
	cf = load("remote anonymous { dh_group 2; }\n");
	ASSERT_PTR_EQ(cf, NULL);
	ASSERT_STR_EQ(diag, "racoon.conf:1: dh_group: dh_group cannot be "
	    "defined here; write it in a proposal\n");
}

static void
t_sainfo_ids(void)
{
	struct cfg *cf = load(
	    "sainfo subnet 10.1.0.0/16 [any] tcp address 10.2.0.1-10.2.0.9 "
	    "[80] 6 from user_fqdn \"a@example.org\" {\n"
	    "  encryption_algorithm aes; authentication_algorithm hmac_sha1;\n"
	    "  compression_algorithm deflate;\n"
	    "}\n"
	    "sainfo address fd00::/64 [any] icmp6 clientaddr {\n"
	    "  encryption_algorithm aes; authentication_algorithm hmac_sha1;\n"
	    "  compression_algorithm deflate;\n"
	    "}\n");
	struct cfg_sainfo *si;
	char buf[ADDR_STRLEN];

	ASSERT_PTR_NE(cf, NULL);
	si = TAILQ_FIRST(&cf->c_sainfos);
	ASSERT_INT_EQ(si->si_local.sid_kind, CFG_SAID_SUBNET);
	ASSERT_INT_EQ(si->si_local.sid_addr.a_plen, 16);
	ASSERT_INT_EQ(si->si_local.sid_proto, IPPROTO_TCP);
	ASSERT_INT_EQ(si->si_remote.sid_kind, CFG_SAID_RANGE);
	ASSERT_STR_EQ(addr_ntop(&si->si_remote.sid_addr_end, buf,
	    sizeof(buf)), "10.2.0.9");
	ASSERT_INT_EQ(si->si_remote.sid_addr.a_port, 80);
	ASSERT_INT_EQ(si->si_from->id_type, CFG_ID_USER_FQDN);
	ASSERT_STR_EQ(si->si_from->id_value, "a@example.org");
	si = TAILQ_NEXT(si, si_entry);
	ASSERT_INT_EQ(si->si_local.sid_addr.a_af, AF_INET6);
	ASSERT_INT_EQ(si->si_remote.sid_kind, CFG_SAID_CLIENTADDR);
	cfg_free(cf);
	cf = load("sainfo address 10.0.0.1 [22] icmp anonymous {\n"
	    "  encryption_algorithm aes; authentication_algorithm hmac_sha1;\n"
	    "  compression_algorithm deflate;\n"
	    "}\n");
	ASSERT_PTR_EQ(cf, NULL);
	ASSERT_STR_EQ(diag, "racoon.conf:1: sainfo: port must be \"any\" for "
	    "icmp and icmp6\n");
}

static void
t_include_disabled_in_memory(void)
{
	struct cfg *cf = load("include \"/etc/*.conf\";\n");

	ASSERT_PTR_EQ(cf, NULL);
	ASSERT_STR_EQ(diag, "racoon.conf:1: include is disabled here\n");
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ASSERT_PTR_NE(f, NULL);
	ASSERT_INT_EQ(fputs(text, f) >= 0, 1);
	ASSERT_INT_EQ(fclose(f), 0);
}

static void
t_include_glob(void)
{
	char dir[64], path[160], text[512], want[512];
	struct cfg_opts o = { collect, NULL, 0 };
	struct cfg *cf;
	struct cfg_remote *r;

	snprintf(dir, sizeof(dir), "/tmp/test_cfg.XXXXXX");
	ASSERT_PTR_NE(mkdtemp(dir), NULL);
	snprintf(path, sizeof(path), "%s/b.conf", dir);
	write_text(path, "\n\nremote \"b\" { exchange_mode main;\n"
	    "proposal { encryption_algorithm aes; hash_algorithm sha1;\n"
	    "authentication_method pre_shared_key; dh_group 14; } }\n");
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	write_text(path, "remote \"a\" { exchange_mode main;\n"
	    "proposal { encryption_algorithm aes; hash_algorithm sha1;\n"
	    "authentication_method pre_shared_key; dh_group 14; } }\n");
	snprintf(path, sizeof(path), "%s/top", dir);
	snprintf(text, sizeof(text), "path include \"%s\";\n"
	    "include \"*.conf\";\nlog debug;\n", dir);
	write_text(path, text);
	diag[0] = '\0';
	nerr = nwarn = 0;
	cf = cfg_load(path, &o);
	ASSERT_PTR_NE(cf, NULL);
	ASSERT_INT_EQ(cf->c_log, CFG_LOG_DEBUG);
	/* glob order: a.conf, then b.conf. */
	r = TAILQ_FIRST(&cf->c_remotes);
	ASSERT_STR_EQ(r->r_name, "a");
	r = TAILQ_NEXT(r, r_entry);
	ASSERT_STR_EQ(r->r_name, "b");
	/* Each file keeps its own line count. */
	snprintf(want, sizeof(want), "%s/b.conf", dir);
	ASSERT_STR_EQ(r->r_file, want);
	ASSERT_INT_EQ(r->r_line, 3);
	ASSERT_TRUE(strstr(diag, "no remote_address") != NULL);
	cfg_free(cf);
	/* An error in an included file names that file and line. */
	snprintf(path, sizeof(path), "%s/b.conf", dir);
	write_text(path, "\nlog nonsense;\n");
	snprintf(path, sizeof(path), "%s/top", dir);
	diag[0] = '\0';
	ASSERT_PTR_EQ(cfg_load(path, &o), NULL);
	snprintf(want, sizeof(want), "%s/b.conf:2: log: expected error, "
	    "warning, notify, info, debug or debug2, got \"nonsense\"\n", dir);
	ASSERT_TRUE(strstr(diag, want) != NULL);
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/top", dir);
	diag[0] = '\0';
	ASSERT_PTR_EQ(cfg_load(path, &o), NULL);
	snprintf(want, sizeof(want), "%s:2: include \"%s/*.conf\": no file "
	    "matches\n", path, dir);
	ASSERT_STR_EQ(diag, want);
	unlink(path);
	rmdir(dir);
}

static void
t_nul_and_bad_bytes(void)
{
	static const char nul[] = "log info;\n\0log debug;\n";
	struct cfg_opts o = { collect, NULL, 1 };
	struct cfg *cf;

	diag[0] = '\0';
	cf = cfg_load_mem("racoon.conf", nul, sizeof(nul) - 1, &o);
	ASSERT_PTR_EQ(cf, NULL);
	ASSERT_STR_EQ(diag, "racoon.conf:2: NUL byte in a text file\n");
	cf = load("log info; \001\n\"open\n");
	ASSERT_PTR_EQ(cf, NULL);
	ASSERT_STR_EQ(diag,
	    "racoon.conf:1: unexpected character \"\\001\"\n"
	    "racoon.conf:2: unterminated quoted string\n");
}

int
main(void)
{
	TEST_RUN(t_article);
	TEST_RUN(t_defaults);
	TEST_RUN(t_units_and_keylen);
	TEST_RUN(t_inherit);
	TEST_RUN(t_errors_all_reported);
	TEST_RUN(t_syntax_recovery);
	TEST_RUN(t_ipsec_tools_checks);
	TEST_RUN(t_sainfo_ids);
	TEST_RUN(t_include_disabled_in_memory);
	TEST_RUN(t_include_glob);
	TEST_RUN(t_nul_and_bad_bytes);
	return test_done();
}
