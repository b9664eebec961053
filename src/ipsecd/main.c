/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipsecd: the kernel's stand-in on hosts without AF_KEY and ESP/AH.  This
 * file owns the process: options, logging, daemonizing, the OpenSSL
 * providers the SAD's algorithms need, the libevent loop and its signals.
 * The PF_KEY server is pfkey_srv.c, the databases sad.c and spd.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/provider.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "buf.h"
#include "dp.h"
#include "log.h"
#include "pfkey_sock.h"
#include "pfkey_srv.h"
#include "sad.h"
#include "spd.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: ipsecd [-dF] [-a seconds] [-i tun] "
	    "[-s name | path]\n       ipsecd -k\n");
	exit(1);
}

/*
 * The legacy provider holds DES, CAST5 and Blowfish; loading it by name
 * stops OpenSSL from loading the default one by itself, so both are named.
 */
static OSSL_PROVIDER *main_prov_default, *main_prov_legacy;

static void
main_providers(void)
{
	if ((main_prov_default = OSSL_PROVIDER_load(NULL, "default")) == NULL)
		fatalx("OpenSSL default provider cannot be loaded");
	if ((main_prov_legacy = OSSL_PROVIDER_load(NULL, "legacy")) == NULL)
		log_warnx("OpenSSL legacy provider cannot be loaded: "
		    "DES, CAST and Blowfish SAs are not available");
}

static void
main_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct event_base *base = arg;

	switch (sig) {
	case SIGHUP:
		/* Policies and SAs come from PF_KEY: nothing to reload. */
		log_info("SIGHUP: nothing to reload");
		break;
	case SIGUSR1:
		dp_stats_log();
		break;
	default:
		log_info("%s: shutting down", strsignal((int)sig));
		event_base_loopbreak(base);
		break;
	}
}

static int
main_loop(int fd, const char *tun)
{
	const char *why;
	struct event_base *base;
	struct event *sigs[4];
	const int signums[4] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	size_t i;

	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	for (i = 0; i < 4; i++) {
		sigs[i] = evsignal_new(base, signums[i], main_signal_cb, base);
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) == -1)
			fatalx("cannot watch signal %d", signums[i]);
	}
	if (pfkey_srv_start(base, fd) == -1)
		fatalx("cannot serve PF_KEY");
	sad_set_release_hook(dp_sa_release);
	spd_set_change_hook(dp_spd_changed);
	if (dp_open(base, tun, &why) == -1)
		fatalx("datapath: %s", why);
	log_info("ipsecd started");
#ifdef HAVE_LIBSYSTEMD
	/* Type=notify: the socket listens and the datapath is open. */
	(void)sd_notify(0, "READY=1");
#endif
	event_base_dispatch(base);
	dp_stats_log();
	dp_close();
	pfkey_srv_stop();
	sad_shutdown();
	spd_flush();
	for (i = 0; i < 4; i++)
		event_free(sigs[i]);
	event_base_free(base);
	if (main_prov_legacy != NULL)
		OSSL_PROVIDER_unload(main_prov_legacy);
	OSSL_PROVIDER_unload(main_prov_default);
	log_info("ipsecd stopped");
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *name = "@" IPSECD_SOCKET_NAME, *tun = IPSECD_TUN_NAME;
	int ch, foreground = 0, debug = 0, fd;
	uint64_t v;

	while ((ch = getopt(argc, argv, "a:dFi:ks:")) != -1) {
		switch (ch) {
		case 'k':
			/* ipsecd.service's ExecCondition: 0 when needed. */
			if (argc != 2)
				usage();
			if (pfkey_sock_native()) {
				printf("the kernel has AF_KEY: ipsecd is not "
				    "needed\n");
				return 1;
			}
			printf("the kernel has no AF_KEY: ipsecd is needed\n");
			return 0;
		case 'a':
			if (str_to_uint(optarg, UINT32_MAX, &v) == -1 ||
			    v == 0) {
				fprintf(stderr, "ipsecd: -a %s: want seconds "
				    "from 1 to %u\n", optarg, UINT32_MAX);
				usage();
			}
			sad_set_larval_lifetime((unsigned)v);
			break;
		case 'd':
			debug++;
			break;
		case 'F':
			foreground = 1;
			break;
		case 'i':
			if (strlen(optarg) == 0 || strlen(optarg) >= 16) {
				fprintf(stderr, "ipsecd: -i %s: an interface "
				    "name of 1 to 15 characters\n", optarg);
				usage();
			}
			tun = optarg;
			break;
		case 's':
			name = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();
	log_init("ipsecd", LOG_DEST_STDERR, debug);
	(void)signal(SIGPIPE, SIG_IGN);
	main_providers();
	if ((fd = pfkey_srv_listen(name)) == -1)
		fatal("cannot listen on %s%s", name,
		    errno == EADDRINUSE ? " (is ipsecd running?)" : "");
	if (!foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init("ipsecd", LOG_DEST_SYSLOG, debug);
	}
	return main_loop(fd, tun);
}
