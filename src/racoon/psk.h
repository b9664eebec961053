/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * psk.txt: the pre-shared keys racoon looks up by the peer's identifier.
 * One pair a line, "identifier<blanks>key", the key being the rest of
 * the line (blanks inside and at the end included, as ipsec-tools reads
 * it) or, after "0x", hex digits.  Identifiers are IPv4 or IPv6
 * addresses, FQDNs, user@FQDNs (any other text is kept as a string and
 * compared as one), or "*", which matches any peer (Debian's patch, which
 * L2TP servers rely on).  Lines whose first non-blank is '#' are comments.
 *
 * The file must be a regular file owned by racoon's user with no group or
 * other permission bits; otherwise psk_load() refuses it and says why.
 * Keys are held in memory that is wiped when the set is freed, and are
 * never part of a diagnostic.
 */
#ifndef PSK_H
#define PSK_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum psk_idtype {
	PSK_ID_ADDRESS,
	PSK_ID_FQDN,		/* and any other text (compared as is) */
	PSK_ID_USER_FQDN,
	PSK_ID_WILDCARD,	/* "*" */
};

struct psk_entry {
	enum psk_idtype	 pe_type;
	char		*pe_id;		/* as written */
	struct addr	 pe_addr;	/* PSK_ID_ADDRESS */
	uint8_t		*pe_key;	/* secret: wiped on free */
	size_t		 pe_keylen;
	int		 pe_line;
	TAILQ_ENTRY(psk_entry) pe_entry;
};

struct psk {
	TAILQ_HEAD(, psk_entry) psk_entries;	/* in file order */
};

/* Largest psk.txt read. */
#define PSK_FILE_MAX	(1024 * 1024)

/*
 * Diagnostics, one complete line each ("psk.txt:3: ..."); err is 1 for
 * an error, 0 for a warning.  NULL writes them to stderr.
 */
typedef void (*psk_diag_fn)(void *, int, const char *);

/*
 * Read path, which must be a regular file owned by uid with mode 0600 or
 * narrower.  Returns the set, or NULL after reporting every problem.
 */
struct psk	*psk_load(const char *, uid_t, psk_diag_fn, void *);
/* The same from memory (no file checks); name is used in diagnostics. */
struct psk	*psk_parse(const char *, const void *, size_t, psk_diag_fn,
		    void *);
/*
 * The key for a peer's identifier: the first entry whose identifier is
 * the same text (addresses: the same address, however written), else the
 * first "*" entry, else NULL.  The entry lives as long as the set.
 */
const struct psk_entry *psk_find(const struct psk *, const char *);
const struct psk_entry *psk_find_addr(const struct psk *,
		    const struct addr *);
size_t		 psk_count(const struct psk *);
void		 psk_free(struct psk *);

#endif /* PSK_H */
