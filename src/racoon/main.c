/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * racoon's entry point: the command line.  -t checks racoon.conf and the
 * psk.txt it names and exits 0 or 1, touching neither the network nor
 * the kernel; -C prints the configuration in canonical form with every
 * default written out; -V prints the version.  Otherwise racoon runs as
 * the IKE daemon (daemon.c), in the foreground with -F.  ipsec-tools'
 * -B (install the SAs of `path backupsa') and -L (file and line in log
 * lines) are refused with an error that says so, never ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "daemon.h"
#include "log.h"
#include "psk.h"

#define RACOON_CONF	SYSCONFDIR "/racoon.conf"

struct opts {
	const char	*o_conf;
	const char	*o_logfile;
	int		 o_family;	/* -4, -6: 4 or 6; 0: both */
	int		 o_debug;	/* -d count */
	int		 o_foreground;	/* -F */
	int		 o_verbose;	/* -v */
	uint16_t	 o_port;	/* -p */
	uint16_t	 o_natt_port;	/* -P */
	int		 o_check;	/* -t */
	int		 o_print;	/* -C */
	int		 o_version;	/* -V */
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: racoon [-46dFVv] [-f file] [-c file] "
	    "[-l logfile] [-p port]\n              [-P natt-port] [-t] "
	    "[-C]\n");
	exit(1);
}

static uint16_t
opt_port(const char *arg, int opt)
{
	uint64_t v;

	if (str_to_uint(arg, 65535, &v) == -1 || v == 0) {
		fprintf(stderr, "racoon: -%c: \"%s\" is not a port "
		    "(1 to 65535)\n", opt, arg);
		exit(1);
	}
	return (uint16_t)v;
}

/* ipsec-tools' flags this racoon does not have: why, then exit 1. */
static void __attribute__((noreturn))
refused(int opt)
{
	if (opt == 'B')
		fprintf(stderr, "racoon: -B: not supported: this racoon does "
		    "not install SAs from a backup file (path backupsa); it "
		    "negotiates them again\n");
	else
		fprintf(stderr, "racoon: -L: not supported: this racoon does "
		    "not add source file and line to its log\n");
	exit(1);
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->o_conf = RACOON_CONF;
	o->o_port = CFG_PORT_ISAKMP;
	o->o_natt_port = CFG_PORT_NATT;
	while ((ch = getopt(argc, argv, "46BCc:dFf:Ll:P:p:tVv")) != -1) {
		switch (ch) {
		case '4':
			o->o_family = 4;
			break;
		case '6':
			o->o_family = 6;
			break;
		case 'B':
		case 'L':
			refused(ch);
		case 'C':
			o->o_print = 1;
			break;
		case 'c':
		case 'f':
			o->o_conf = optarg;
			break;
		case 'd':
			o->o_debug++;
			break;
		case 'F':
			o->o_foreground = 1;
			break;
		case 'l':
			o->o_logfile = optarg;
			break;
		case 'P':
			o->o_natt_port = opt_port(optarg, ch);
			break;
		case 'p':
			o->o_port = opt_port(optarg, ch);
			break;
		case 't':
			o->o_check = 1;
			break;
		case 'V':
			o->o_version = 1;
			break;
		case 'v':
			o->o_verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (o->o_conf[0] == '\0') {
		fprintf(stderr, "racoon: -f: empty file name\n");
		exit(1);
	}
}

/* 1 if a remote authenticates with a pre-shared key. */
static int
uses_psk(const struct cfg *cf)
{
	const struct cfg_remote *r;
	const struct cfg_proposal *p;

	TAILQ_FOREACH(r, &cf->c_remotes, r_entry)
		TAILQ_FOREACH(p, &r->r_proposals, p_entry)
			if (p->p_auth == CFG_AUTH_PSK ||
			    p->p_auth == CFG_AUTH_XAUTH_PSK_SERVER ||
			    p->p_auth == CFG_AUTH_XAUTH_PSK_CLIENT)
				return 1;
	return 0;
}

/* -t: the configuration, and the psk.txt if a remote needs it. */
static int
check_config(const char *path)
{
	struct cfg *cf;
	struct psk *psk = NULL;
	const struct cfg_remote *r;
	const struct cfg_sainfo *si;
	size_t nr = 0, ns = 0;
	int rv = 1;

	if ((cf = cfg_load(path, NULL)) == NULL)
		return 1;
	TAILQ_FOREACH(r, &cf->c_remotes, r_entry)
		nr++;
	TAILQ_FOREACH(si, &cf->c_sainfos, si_entry)
		ns++;
	if (uses_psk(cf)) {
		psk = psk_load(cf->c_paths.p_psk, geteuid(), NULL, NULL);
		if (psk == NULL)
			goto out;
		printf("%s: OK, %zu remote%s, %zu sainfo%s; %s: %zu key%s\n",
		    path, nr, nr == 1 ? "" : "s", ns, ns == 1 ? "" : "s",
		    cf->c_paths.p_psk, psk_count(psk),
		    psk_count(psk) == 1 ? "" : "s");
	} else
		printf("%s: OK, %zu remote%s, %zu sainfo%s\n", path, nr,
		    nr == 1 ? "" : "s", ns, ns == 1 ? "" : "s");
	rv = 0;
out:
	psk_free(psk);
	cfg_free(cf);
	return rv;
}

static int
print_config(const char *path)
{
	struct cfg *cf;

	if ((cf = cfg_load(path, NULL)) == NULL)
		return 1;
	cfg_print(stdout, cf);
	cfg_free(cf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("racoon: stdout");
		return 1;
	}
	return 0;
}

static int
run_daemon(const struct opts *o)
{
	struct daemon_opts d;

	memset(&d, 0, sizeof(d));
	d.do_conf = o->o_conf;
	d.do_logfile = o->o_logfile;
	d.do_family = o->o_family;
	d.do_debug = o->o_debug;
	d.do_foreground = o->o_foreground;
	d.do_port = o->o_port;
	d.do_natt_port = o->o_natt_port;
	return daemon_run(&d);
}

int
main(int argc, char **argv)
{
	struct opts o;

	parse_args(argc, argv, &o);
	if (o.o_version) {
		printf("racoon (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	if (o.o_print)
		return print_config(o.o_conf);
	if (o.o_check)
		return check_config(o.o_conf);
	return run_daemon(&o);
}
