/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for the racoon.conf reader (cfg_lex.l, cfg_parse.y,
 * cfg.c): the input is a whole racoon.conf, read from memory with
 * includes refused (a fuzzer must not open files).  A tree that loads is
 * printed too, so the printer meets every tree the reader accepts, and
 * freed, so LeakSanitizer sees what error recovery leaves behind.
 */
#include <stdint.h>
#include <stdio.h>

#include "cfg.h"

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
	static FILE *devnull;
	struct cfg_opts o = { quiet, NULL, 1 };
	struct cfg *cf;

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		return 0;
	if ((cf = cfg_load_mem("fuzz.conf", data, size, &o)) != NULL) {
		cfg_print(devnull, cf);
		cfg_free(cf);
	}
	return 0;
}
