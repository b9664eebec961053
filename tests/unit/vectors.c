/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The known-answer file reader of vectors.h.  The file is read whole and
 * walked line by line through struct rbuf like any other input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "test_helper.h"
#include "vectors.h"

#define VEC_MAX_FILE	(1024 * 1024)

static uint8_t *
vec_read(const char *path, size_t *len)
{
	FILE *f;
	uint8_t *buf;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "vectors: cannot open %s\n", path);
		return NULL;
	}
	if ((buf = malloc(VEC_MAX_FILE)) != NULL)
		*len = fread(buf, 1, VEC_MAX_FILE, f);
	fclose(f);
	return buf;
}

/* Looks for key in the lines of section; 0 when found and decoded. */
static int
vec_scan(struct rbuf *rb, const char *section, const char *key,
    struct wbuf *out)
{
	struct rbuf line, word, eq, val;
	char want[128];
	int in = 0;

	snprintf(want, sizeof(want), "[%s]", section);
	while (rbuf_get_line(rb, &line) == 0) {
		if (rbuf_get_word(&line, &word) == -1 ||
		    *rbuf_ptr(&word) == '#')
			continue;
		if (*rbuf_ptr(&word) == '[') {
			in = rbuf_eq_str(&word, want);
			continue;
		}
		if (!in || !rbuf_eq_str(&word, key))
			continue;
		if (rbuf_get_word(&line, &eq) == -1 || !rbuf_eq_str(&eq, "=") ||
		    rbuf_get_word(&line, &val) == -1)
			return -1;
		return rbuf_get_hex(&val, out);
	}
	return -1;
}

int
vec_get(const char *file, const char *section, const char *key,
    struct wbuf *out)
{
	struct rbuf rb;
	uint8_t *buf;
	size_t len = 0;
	int rv;

	if ((buf = vec_read(test_path(file), &len)) == NULL)
		return -1;
	rbuf_init(&rb, buf, len);
	if ((rv = vec_scan(&rb, section, key, out)) == -1)
		fprintf(stderr, "vectors: %s: no usable %s in [%s]\n", file,
		    key, section);
	free(buf);
	return rv;
}

uint8_t *
vec_file(const char *file, size_t *len)
{
	*len = 0;
	return vec_read(test_path(file), len);
}
