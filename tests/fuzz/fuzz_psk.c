/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for the psk.txt parser (psk.c): the input is a whole
 * psk.txt.  A set that parses is looked up by a few identifiers of each
 * form, then freed (its keys wiped).
 */
#include <stdint.h>

#include "psk.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
quiet(void *arg, int err, const char *msg)
{
	(void)arg;
	(void)err;
	(void)msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = { "192.168.2.100", "2001:db8::1",
	    "www.example.org", "alice@example.org", "*", "" };
	const struct psk_entry *e;
	struct psk *p;
	size_t i;
	volatile uint8_t sink = 0;

	if ((p = psk_parse("fuzz.txt", data, size, quiet, NULL)) == NULL)
		return 0;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if ((e = psk_find(p, ids[i])) != NULL && e->pe_keylen > 0)
			sink ^= e->pe_key[e->pe_keylen - 1];
	(void)sink;
	psk_free(p);
	return 0;
}
