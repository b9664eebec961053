/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for the setkey grammar (src/setkey/token.l, parse.y,
 * cmd.c).  Arbitrary bytes go through the parser as setkey.c hands them
 * over (no NUL bytes, two NULs after); every command that comes out must
 * build a PF_KEY message the codec parses back, and its canonical form
 * (setkey -C) must read back to the very same text.  A mismatch aborts:
 * it is a finding, as is anything ASan or UBSan sees.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "parse.h"
#include "pfkey.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The canonical text of a list; NULL if out of memory. */
static char *
fuzz_print(const struct cmd_list *cmds, size_t *len)
{
	const struct cmd *c;
	char *out = NULL;
	FILE *fp;

	if ((fp = open_memstream(&out, len)) == NULL)
		return NULL;
	TAILQ_FOREACH(c, cmds, c_entry)
		cmd_print(fp, c);
	fclose(fp);
	return out;
}

static int
fuzz_parse(const void *data, size_t size, struct cmd_list *cmds)
{
	char *buf;
	int n;

	if ((buf = calloc(1, size + 2)) == NULL)
		return -1;
	memcpy(buf, data, size);
	n = parse_script("fuzz", NULL, NULL, buf, size, cmds);
	free(buf);
	return n;
}

static void
fuzz_build(const struct cmd_list *cmds)
{
	const struct cmd *c;
	struct pfkey_msg m;
	struct wbuf wb;

	if (wbuf_init(&wb, 64, PFKEY_MSG_MAX) == -1)
		return;
	TAILQ_FOREACH(c, cmds, c_entry) {
		if (c->c_type == CMD_EXIT)
			continue;
		wbuf_reset(&wb);
		if (cmd_build(c, 1, 1, &wb) == -1 ||
		    pfkey_parse(&m, wbuf_data(&wb), wbuf_len(&wb)) == -1)
			abort();
		if (c->c_type == CMD_DELETEALL) {
			wbuf_reset(&wb);
			if (cmd_build_delete(c, 0x1234, 2, 1, &wb) == -1 ||
			    pfkey_parse(&m, wbuf_data(&wb),
			    wbuf_len(&wb)) == -1)
				abort();
		}
	}
	wbuf_free(&wb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmd_list cmds = TAILQ_HEAD_INITIALIZER(cmds);
	struct cmd_list again = TAILQ_HEAD_INITIALIZER(again);
	char *text, *text2;
	size_t len, len2;

	/* setkey.c refuses NUL bytes before the parser sees the script. */
	if (size > 64 * 1024 || memchr(data, '\0', size) != NULL)
		return 0;
	if (fuzz_parse(data, size, &cmds) != 0)
		return 0;
	fuzz_build(&cmds);
	if ((text = fuzz_print(&cmds, &len)) == NULL)
		goto out;
	if (fuzz_parse(text, len, &again) != 0)
		abort();
	if ((text2 = fuzz_print(&again, &len2)) == NULL)
		goto out;
	if (len != len2 || memcmp(text, text2, len) != 0)
		abort();
	free(text2);
out:
	free(text);
	cmd_list_free(&cmds);
	cmd_list_free(&again);
	return 0;
}
