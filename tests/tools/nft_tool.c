/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test tool for src/ipsecd/nft.c (tests/netns/ipsecd_nft.sh): install the
 * table with the rules given, print their text, hold them until SIGTERM or
 * SECONDS, then delete the table.
 *
 *	nft_tool SECONDS RULE...   RULE: in|fwd,protect|discard|pass,SRC,DST,PROTO
 *
 * SRC and DST are prefixes with optional [port]; PROTO a number or "any".
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "nft.h"
#include "pfkey_sock.h"

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Split "a,b,c,d,e" at the first four commas. */
static void
parse_rule(char *s, struct nft_rule *r)
{
	char *f[5];
	const char *why;
	uint64_t v;
	int i;

	for (i = 0; i < 4; i++) {
		f[i] = s;
		if ((s = strchr(s, ',')) == NULL)
			errx(2, "rule needs five comma-separated fields");
		*s++ = '\0';
	}
	f[4] = s;
	memset(r, 0, sizeof(*r));
	r->nr_fwd = strcmp(f[0], "fwd") == 0;
	if (strcmp(f[1], "protect") == 0)
		r->nr_action = NFT_PROTECT;
	else if (strcmp(f[1], "discard") == 0)
		r->nr_action = NFT_DISCARD;
	else if (strcmp(f[1], "pass") == 0)
		r->nr_action = NFT_PASS;
	else
		errx(2, "unknown action %s", f[1]);
	if (addr_parse(f[2], ADDR_PREFIX | ADDR_PORT, &r->nr_src, &why) ==
	    -1 || addr_parse(f[3], ADDR_PREFIX | ADDR_PORT, &r->nr_dst,
	    &why) == -1)
		errx(2, "address: %s", why);
	if (strcmp(f[4], "any") == 0)
		r->nr_proto = 255;
	else if (str_to_uint(f[4], 255, &v) == -1)
		errx(2, "bad protocol %s", f[4]);
	else
		r->nr_proto = (uint8_t)v;
}

int
main(int argc, char **argv)
{
	struct nft_rule rules[32];
	struct nft_table *t;
	char line[512];
	const char *why;
	uint64_t secs;
	time_t end;
	int i, n = argc - 2;

	if (argc < 2 || n > 32 || str_to_uint(argv[1], 600, &secs) == -1)
		errx(2, "usage: nft_tool SECONDS DIR,ACTION,SRC,DST,PROTO...");
	for (i = 0; i < n; i++)
		parse_rule(argv[i + 2], &rules[i]);
	signal(SIGTERM, on_term);
	if ((t = nft_open(IPSECD_TUN_NAME, IPSECD_BYPASS_MARK, &why)) == NULL)
		errx(1, "%s", why);
	if (nft_apply(t, rules, (size_t)n, &why) == -1)
		errx(1, "%s", why);
	for (i = 0; i < n; i++)
		if (nft_rule_text(&rules[i], IPSECD_TUN_NAME, line,
		    sizeof(line)) == 0)
			printf("%s", line);
	printf("ready\n");
	fflush(stdout);
	end = time(NULL) + (time_t)secs;
	while (!stop && time(NULL) < end)
		usleep(100000);
	nft_close(t);
	printf("done\n");
	return 0;
}
