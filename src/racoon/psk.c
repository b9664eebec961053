/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * psk.txt reader and lookup (see psk.h).  The file is checked on the
 * open descriptor (no race between the check and the read), read whole
 * and bounded into a secret buffer, and parsed line by line through
 * struct rbuf.  Every bad line is reported with its number; any error
 * and the whole file is refused, so that a typo never leaves a peer
 * with a half-read set of keys.  Keys never reach a message.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "psk.h"

struct psk_diag {
	psk_diag_fn	 pd_fn;
	void		*pd_arg;
	const char	*pd_name;
	int		 pd_errors;
};

static void	 psk_msg(struct psk_diag *, int, int, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

static void
psk_msg(struct psk_diag *d, int err, int line, const char *fmt, ...)
{
	char msg[512], full[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s%s", d->pd_name, line,
		    err ? "" : "warning: ", msg);
	else
		snprintf(full, sizeof(full), "%s: %s%s", d->pd_name,
		    err ? "" : "warning: ", msg);
	if (err)
		d->pd_errors++;
	if (d->pd_fn != NULL)
		d->pd_fn(d->pd_arg, err, full);
	else
		fprintf(stderr, "%s\n", full);
}

static void
entry_free(struct psk_entry *e)
{
	if (e == NULL)
		return;
	free(e->pe_id);
	freezero(e->pe_key, e->pe_keylen);
	free(e);
}

void
psk_free(struct psk *p)
{
	struct psk_entry *e;

	if (p == NULL)
		return;
	while ((e = TAILQ_FIRST(&p->psk_entries)) != NULL) {
		TAILQ_REMOVE(&p->psk_entries, e, pe_entry);
		entry_free(e);
	}
	free(p);
}

size_t
psk_count(const struct psk *p)
{
	const struct psk_entry *e;
	size_t n = 0;

	TAILQ_FOREACH(e, &p->psk_entries, pe_entry)
		n++;
	return n;
}

/* What kind of identifier the text is. */
static int
psk_classify(struct psk_entry *e)
{
	const unsigned char *s;

	for (s = (const unsigned char *)e->pe_id; *s != '\0'; s++)
		if (*s < 0x21 || *s == 0x7f)
			return -1;
	if (strcmp(e->pe_id, "*") == 0)
		e->pe_type = PSK_ID_WILDCARD;
	else if (addr_parse(e->pe_id, 0, &e->pe_addr, NULL) == 0)
		e->pe_type = PSK_ID_ADDRESS;
	else if (strchr(e->pe_id, '@') != NULL)
		e->pe_type = PSK_ID_USER_FQDN;
	else
		e->pe_type = PSK_ID_FQDN;
	return 0;
}

/* The key: the rest of the line, or hex digits after 0x. */
static int
psk_key(struct psk_diag *d, int line, struct rbuf *rest,
    struct psk_entry *e)
{
	struct wbuf wb;
	struct rbuf hex = *rest;
	uint8_t c0, c1;
	int rv = -1;

	if (rbuf_left(rest) == 0) {
		psk_msg(d, 1, line, "\"%s\" has no key", e->pe_id);
		return -1;
	}
	if (wbuf_init(&wb, 64, 64 * 1024) == -1) {
		psk_msg(d, 1, line, "out of memory");
		return -1;
	}
	wbuf_set_secret(&wb);
	if (rbuf_peek_u8(rest, 0, &c0) == 0 && c0 == '0' &&
	    rbuf_peek_u8(rest, 1, &c1) == 0 && c1 == 'x') {
		(void)rbuf_skip(&hex, 2);
		if (rbuf_left(&hex) == 0 || rbuf_get_hex(&hex, &wb) == -1) {
			/* Say why without showing any of the key. */
			psk_msg(d, 1, line, "key of \"%s\": 0x must be "
			    "followed by an even number of hex digits",
			    e->pe_id);
			goto out;
		}
	} else if (wbuf_put_bytes(&wb, rbuf_ptr(rest),
	    rbuf_left(rest)) == -1) {
		psk_msg(d, 1, line, "key of \"%s\" is too long", e->pe_id);
		goto out;
	}
	if ((e->pe_key = malloc(wbuf_len(&wb))) == NULL) {
		psk_msg(d, 1, line, "out of memory");
		goto out;
	}
	memcpy(e->pe_key, wbuf_data(&wb), wbuf_len(&wb));
	e->pe_keylen = wbuf_len(&wb);
	rv = 0;
out:
	wbuf_free(&wb);
	return rv;
}

/* One non-comment line: identifier, blanks, key. */
static int
psk_line(struct psk_diag *d, int line, struct rbuf *l, struct psk *p)
{
	struct psk_entry *e, *o;
	struct rbuf id, idv;
	char vis[128];

	if (rbuf_get_word(l, &id) == -1)
		return 0;
	idv = id;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->pe_id = malloc(rbuf_left(&id) + 1)) == NULL) {
		entry_free(e);
		psk_msg(d, 1, line, "out of memory");
		return -1;
	}
	e->pe_line = line;
	if (rbuf_get_str(&id, e->pe_id, rbuf_left(&id) + 1) == -1 ||
	    psk_classify(e) == -1) {
		log_vis(vis, sizeof(vis), rbuf_ptr(&idv), rbuf_left(&idv));
		psk_msg(d, 1, line, "identifier \"%s\" holds control "
		    "characters", vis);
		entry_free(e);
		return -1;
	}
	rbuf_skip_blanks(l);
	if (psk_key(d, line, l, e) == -1) {
		entry_free(e);
		return -1;
	}
	TAILQ_FOREACH(o, &p->psk_entries, pe_entry)
		if (strcmp(o->pe_id, e->pe_id) == 0) {
			psk_msg(d, 0, line, "\"%s\" is given again (first at "
			    "line %d, which is used)", e->pe_id, o->pe_line);
			break;
		}
	TAILQ_INSERT_TAIL(&p->psk_entries, e, pe_entry);
	return 0;
}

static struct psk *
psk_parse_diag(struct psk_diag *d, const void *data, size_t len)
{
	struct psk *p;
	struct rbuf rb, l;
	uint8_t c;
	int line = 0;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		psk_msg(d, 1, 0, "out of memory");
		return NULL;
	}
	TAILQ_INIT(&p->psk_entries);
	rbuf_init(&rb, data, len);
	while (rbuf_get_line(&rb, &l) == 0) {
		line++;
		rbuf_skip_blanks(&l);
		if (rbuf_peek_u8(&l, 0, &c) == -1 || c == '#')
			continue;
		if (memchr(rbuf_ptr(&l), '\0', rbuf_left(&l)) != NULL) {
			psk_msg(d, 1, line, "NUL byte in a text file");
			continue;
		}
		(void)psk_line(d, line, &l, p);
	}
	if (d->pd_errors > 0) {
		psk_free(p);
		return NULL;
	}
	return p;
}

struct psk *
psk_parse(const char *name, const void *data, size_t len, psk_diag_fn fn,
    void *arg)
{
	struct psk_diag d = { fn, arg, name, 0 };

	return psk_parse_diag(&d, data, len);
}

/*
 * The file's secrecy, on the open descriptor: a regular file, owned by
 * the user racoon runs as, with no group or other bits.
 */
static int
psk_check_fd(struct psk_diag *d, int fd, uid_t owner)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		psk_msg(d, 1, 0, "cannot stat: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		psk_msg(d, 1, 0, "not a regular file; refused");
		return -1;
	}
	if (st.st_uid != owner) {
		psk_msg(d, 1, 0, "owned by uid %u, not by uid %u that racoon "
		    "runs as; refused, since another user could change the "
		    "keys (chown %u it)", (unsigned)st.st_uid,
		    (unsigned)owner, (unsigned)owner);
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		psk_msg(d, 1, 0, "mode %04o lets group or others at the "
		    "keys; refused (chmod 600 it)",
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

struct psk *
psk_load(const char *path, uid_t owner, psk_diag_fn fn, void *arg)
{
	struct psk_diag d = { fn, arg, path, 0 };
	struct psk *p = NULL;
	struct wbuf wb;
	uint8_t chunk[4096];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		psk_msg(&d, 1, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (psk_check_fd(&d, fd, owner) == -1) {
		close(fd);
		return NULL;
	}
	if (wbuf_init(&wb, sizeof(chunk), PSK_FILE_MAX) == -1) {
		psk_msg(&d, 1, 0, "out of memory");
		close(fd);
		return NULL;
	}
	wbuf_set_secret(&wb);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			psk_msg(&d, 1, 0, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (wbuf_put_bytes(&wb, chunk, (size_t)n) == -1) {
			psk_msg(&d, 1, 0, "larger than %d bytes",
			    PSK_FILE_MAX);
			goto out;
		}
	}
	p = psk_parse_diag(&d, wbuf_data(&wb), wbuf_len(&wb));
out:
	mem_wipe(chunk, sizeof(chunk));
	wbuf_free(&wb);
	close(fd);
	return p;
}

const struct psk_entry *
psk_find(const struct psk *p, const char *id)
{
	const struct psk_entry *e, *wild = NULL;
	struct addr a;

	if (addr_parse(id, 0, &a, NULL) == 0)
		return psk_find_addr(p, &a);
	TAILQ_FOREACH(e, &p->psk_entries, pe_entry) {
		if (e->pe_type == PSK_ID_WILDCARD && wild == NULL)
			wild = e;
		else if (e->pe_type != PSK_ID_ADDRESS &&
		    strcmp(e->pe_id, id) == 0)
			return e;
	}
	return wild;
}

const struct psk_entry *
psk_find_addr(const struct psk *p, const struct addr *a)
{
	const struct psk_entry *e, *wild = NULL;

	TAILQ_FOREACH(e, &p->psk_entries, pe_entry) {
		if (e->pe_type == PSK_ID_WILDCARD && wild == NULL)
			wild = e;
		else if (e->pe_type == PSK_ID_ADDRESS &&
		    e->pe_addr.a_af == a->a_af &&
		    addr_cmp_host(&e->pe_addr, a) == 0)
			return e;
	}
	return wild;
}
