/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reader for the known-answer files under tests/vectors: "# comments",
 * "[section]" lines and "key = hex" lines.  Used by test_dh and
 * test_ike_crypto.
 */
#ifndef VECTORS_H
#define VECTORS_H

#include "buf.h"

/*
 * Appends to out the value of key in section of file (a path under
 * tests/, as test_path() takes it).  Returns 0, or -1 (and says why on
 * stderr) if the file, section or key is missing or the hex is bad.
 */
int	 vec_get(const char *, const char *, const char *, struct wbuf *);

#endif /* VECTORS_H */
