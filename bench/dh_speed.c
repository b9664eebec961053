/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DH operations per second through src/racoon/dh.c, as a negotiation
 * spends them: for each group named on the command line (IKE numbers,
 * default 14 and 19), SECONDS of "exchanges", each two key pairs
 * (dh_new), their public values (dh_pub), and the two shared secrets
 * (dh_derive, which checks the peer's value).  Prints exchanges per
 * second of CPU time (not wall time: the machine may be shared) and
 * microseconds per key generation and per derivation, the
 * figures bench/negotiation.sh's DH share is made of.
 *
 * Usage: dh_speed [-t SECONDS] [GROUP...]
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alg.h"
#include "buf.h"
#include "dh.h"
#include "log.h"

static double
dh_speed_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One exchange: two pairs, two public values, two secrets. */
static void
dh_speed_exchange(int group, double *gen, double *der)
{
	struct dh *a, *b;
	struct wbuf pa, pb, sa, sb;
	double t0, t1, t2;

	if (wbuf_init(&pa, 64, 4096) == -1 || wbuf_init(&pb, 64, 4096) == -1 ||
	    wbuf_init(&sa, 64, 4096) == -1 || wbuf_init(&sb, 64, 4096) == -1)
		errx(1, "out of memory");
	t0 = dh_speed_now();
	if ((a = dh_new(group)) == NULL || (b = dh_new(group)) == NULL ||
	    dh_pub(a, &pa) == -1 || dh_pub(b, &pb) == -1)
		errx(1, "group %d: key generation failed", group);
	t1 = dh_speed_now();
	if (dh_derive(a, wbuf_data(&pb), wbuf_len(&pb), &sa) == -1 ||
	    dh_derive(b, wbuf_data(&pa), wbuf_len(&pa), &sb) == -1)
		errx(1, "group %d: derivation failed", group);
	t2 = dh_speed_now();
	if (wbuf_len(&sa) != wbuf_len(&sb) ||
	    memcmp(wbuf_data(&sa), wbuf_data(&sb), wbuf_len(&sa)) != 0)
		errx(1, "group %d: the two secrets differ", group);
	*gen += t1 - t0;
	*der += t2 - t1;
	dh_free(a);
	dh_free(b);
	wbuf_free(&pa);
	wbuf_free(&pb);
	wbuf_free(&sa);
	wbuf_free(&sb);
}

int
main(int argc, char *argv[])
{
	static const char *defaults[] = { "14", "19" };
	const char *const *groups = defaults;
	const struct alg *a;
	double secs = 2, start, gen, der;
	unsigned long n;
	int c, i, ngroups = 2, group;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		switch (c) {
		case 't':
			secs = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "usage: dh_speed [-t SECONDS] "
			    "[GROUP...]\n");
			return 2;
		}
	}
	if (optind < argc) {
		groups = (const char *const *)argv + optind;
		ngroups = argc - optind;
	}
	log_init("dh_speed", LOG_DEST_STDERR, 0);
	for (i = 0; i < ngroups; i++) {
		group = atoi(groups[i]);
		if ((a = alg_by_ike(ALG_DH, group)) == NULL)
			errx(1, "%s: no such DH group", groups[i]);
		gen = der = 0;
		n = 0;
		start = dh_speed_now();
		do {
			dh_speed_exchange(group, &gen, &der);
			n++;
		} while (dh_speed_now() - start < secs);
		printf("group %2d %-9s %7.0f exchanges/s  %6.1f us/keygen  "
		    "%6.1f us/derive\n", group, a->alg_name,
		    (double)n / (gen + der), gen * 1e6 / (2.0 * (double)n),
		    der * 1e6 / (2.0 * (double)n));
	}
	dh_cache_clear();
	return 0;
}
