/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reader for the known-answer files under tests/vectors: "# comments",
 * "[section]" lines and "key = hex" lines.  Used by test_dh and
 * test_ike_crypto; test_isakmp reads the fuzz seeds through vec_file.
 */
#ifndef VECTORS_H
#define VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Appends to out the value of key in section of file (a path under
 * tests/, as test_path() takes it).  Returns 0, or -1 (and says why on
 * stderr) if the file, section or key is missing or the hex is bad.
 */
int	 vec_get(const char *, const char *, const char *, struct wbuf *);

/* The whole of a file under tests/ (at most 1 MiB), to free; or NULL. */
uint8_t	*vec_file(const char *, size_t *);

#endif /* VECTORS_H */
