/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * racoon.conf: from the syntax tree of cfg_parse.y to the validated tree
 * of cfg.h.  Each context (top level, remote, proposal, sainfo, ...) has
 * a table of its directives; a directive's function reads its arguments
 * through a cursor that reports, with file and line, what it expected
 * and what it found.  Defaults are set before the directives are read,
 * so the tree that comes out is complete.  After every statement has
 * been read, the whole tree is checked (exchange_mode in every remote,
 * one DH group across aggressive proposals, ...).  Any error, anywhere,
 * and no tree is returned.
 *
 * Argument forms, defaults and checks follow ipsec-tools 0.8's
 * racoon.conf(5) and cfparse.y; racoon.conf.5 lists what differs.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "cfg_syn.h"
#include "log.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif

/* A directive: its name, its reader, and what may follow it. */
#define DIR_NOBLOCK	0
#define DIR_BLOCK	1
#define DIR_ANY		2

#define DIR_IGNORED	0x01	/* parsed, not acted on yet: warn */

struct cur;
struct dir {
	const char	*d_name;
	int		(*d_fn)(struct cur *, void *);
	int		 d_block;
	int		 d_flags;
};

/* Reading one statement. */
struct cur {
	struct cfg_pctx	*c_pc;
	struct cfg_stmt	*c_st;
	struct cfg_arg	*c_a;		/* next unread argument */
	const char	*c_kw;		/* the directive (messages) */
};

/* Names of enum values, for reading and for printing. */
struct cfg_name {
	const char	*n_name;
	int		 n_val;
};

static void	 run_block(struct cfg_pctx *, const struct dir *,
		    struct cfg_stmt *, void *);
static void	 check_remote(struct cfg_pctx *, struct cfg_remote *);

/* Diagnostics */

static void
diag_emit(struct cfg_pctx *pc, int err, const char *text)
{
	if (pc->pc_opts.co_diag != NULL)
		pc->pc_opts.co_diag(pc->pc_opts.co_diag_arg, err, text);
	else
		fprintf(stderr, "%s\n", text);
}

/* Which file, in the order they were read; -1 if none of them. */
static int
diag_file_index(struct cfg_pctx *pc, const char *file)
{
	const struct cfg_str *s;
	int i = 0;

	TAILQ_FOREACH(s, &pc->pc_cfg->c_files, s_entry) {
		if (s->s_str == file || strcmp(s->s_str, file) == 0)
			return i;
		i++;
	}
	return -1;
}

void
cfg_diag(struct cfg_pctx *pc, int err, const char *file, int line,
    const char *fmt, ...)
{
	struct cfg_diagline *dl, *n;
	char msg[1024], full[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s%s", file, line,
		    err ? "" : "warning: ", msg);
	else
		snprintf(full, sizeof(full), "%s: %s%s", file,
		    err ? "" : "warning: ", msg);
	if (err)
		pc->pc_errors++;
	if (pc->pc_ndiags == pc->pc_diagcap) {
		size_t cap = pc->pc_diagcap ? pc->pc_diagcap * 2 : 16;

		if ((n = reallocarray(pc->pc_diags, cap, sizeof(*n))) == NULL) {
			diag_emit(pc, err, full);	/* out of order */
			return;
		}
		pc->pc_diags = n;
		pc->pc_diagcap = cap;
	}
	dl = &pc->pc_diags[pc->pc_ndiags];
	if ((dl->dl_text = strdup(full)) == NULL) {
		diag_emit(pc, err, full);
		return;
	}
	dl->dl_file = diag_file_index(pc, file);
	dl->dl_line = line;
	dl->dl_seq = (int)pc->pc_ndiags++;
	dl->dl_err = err;
}

static int
diag_cmp(const void *a, const void *b)
{
	const struct cfg_diagline *x = a, *y = b;

	if (x->dl_file != y->dl_file)
		return x->dl_file < y->dl_file ? -1 : 1;
	if (x->dl_line != y->dl_line)
		return x->dl_line < y->dl_line ? -1 : 1;
	return x->dl_seq < y->dl_seq ? -1 : x->dl_seq > y->dl_seq;
}

/* Hand the held diagnostics over, by file then line. */
static void
diag_flush(struct cfg_pctx *pc)
{
	size_t i;

	if (pc->pc_ndiags > 1)
		qsort(pc->pc_diags, pc->pc_ndiags, sizeof(*pc->pc_diags),
		    diag_cmp);
	for (i = 0; i < pc->pc_ndiags; i++) {
		diag_emit(pc, pc->pc_diags[i].dl_err, pc->pc_diags[i].dl_text);
		free(pc->pc_diags[i].dl_text);
	}
	free(pc->pc_diags);
	pc->pc_diags = NULL;
	pc->pc_ndiags = pc->pc_diagcap = 0;
}

/* Where the cursor is: the next argument, else the statement. */
static void
c_where(struct cur *c, const char **file, int *line)
{
	if (c->c_a != NULL) {
		*file = c->c_a->a_file;
		*line = c->c_a->a_line;
	} else {
		*file = c->c_st->s_file;
		*line = c->c_st->s_line;
	}
}

static int
c_msg(struct cur *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
c_msg(struct cur *c, int err, const char *fmt, ...)
{
	char msg[900];
	const char *file;
	int line;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c_where(c, &file, &line);
	cfg_diag(c->c_pc, err, file, line, "%s: %s", c->c_kw, msg);
	return -1;
}

#define c_err(c, ...)	c_msg((c), 1, __VA_ARGS__)
#define c_warn(c, ...)	(void)c_msg((c), 0, __VA_ARGS__)

/* What the next argument is, for "expected X, got Y". */
static const char *
c_got(struct cur *c, char *buf, size_t len)
{
	char vis[64];
	struct cfg_arg *a = c->c_a;

	if (a == NULL)
		return "end of statement";
	log_vis(vis, sizeof(vis), a->a_text, strlen(a->a_text));
	switch (a->a_kind) {
	case CFG_ARG_STRING:
		snprintf(buf, len, "string \"%s\"", vis);
		break;
	case CFG_ARG_PREFIX:
		snprintf(buf, len, "\"/%s\"", vis);
		break;
	case CFG_ARG_PORT:
		snprintf(buf, len, "\"[%s]\"", vis);
		break;
	default:
		snprintf(buf, len, "\"%s\"", vis);
		break;
	}
	return buf;
}

static int
c_expected(struct cur *c, const char *what)
{
	char got[96];

	return c_err(c, "expected %s, got %s", what,
	    c_got(c, got, sizeof(got)));
}

static char *
c_dup(struct cur *c, const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		c_err(c, "out of memory");
	return p;
}

/* Replace *dst with a copy of s. */
static int
c_set_str(struct cur *c, char **dst, const char *s)
{
	char *p;

	if ((p = c_dup(c, s)) == NULL)
		return -1;
	free(*dst);
	*dst = p;
	return 0;
}

/* Cursor moves */

static int
c_peek_word(struct cur *c, const char *w)
{
	return c->c_a != NULL && c->c_a->a_kind == CFG_ARG_WORD &&
	    strcmp(c->c_a->a_text, w) == 0;
}

/* Consume the word w if it is next. */
static int
c_is(struct cur *c, const char *w)
{
	if (!c_peek_word(c, w))
		return 0;
	c->c_a = c->c_a->a_next;
	return 1;
}

static int
c_kind(struct cur *c, enum cfg_arg_kind k)
{
	return c->c_a != NULL && c->c_a->a_kind == k;
}

static int
c_word(struct cur *c, const char **w, const char *what)
{
	*w = NULL;
	if (!c_kind(c, CFG_ARG_WORD))
		return c_expected(c, what);
	*w = c->c_a->a_text;
	c->c_a = c->c_a->a_next;
	return 0;
}

static int
c_string(struct cur *c, const char **s, const char *what)
{
	*s = NULL;
	if (!c_kind(c, CFG_ARG_STRING))
		return c_expected(c, what);
	*s = c->c_a->a_text;
	c->c_a = c->c_a->a_next;
	return 0;
}

/* A quoted string or a bare word (names, hosts, identifiers). */
static int
c_text(struct cur *c, const char **s, const char *what)
{
	*s = NULL;
	if (!c_kind(c, CFG_ARG_STRING) && !c_kind(c, CFG_ARG_WORD))
		return c_expected(c, what);
	*s = c->c_a->a_text;
	c->c_a = c->c_a->a_next;
	return 0;
}

static int
c_number(struct cur *c, uint32_t *v)
{
	if (!c_kind(c, CFG_ARG_NUMBER))
		return c_expected(c, "a number");
	*v = (uint32_t)c->c_a->a_num;
	c->c_a = c->c_a->a_next;
	return 0;
}

static int
c_comma(struct cur *c)
{
	if (!c_kind(c, CFG_ARG_COMMA))
		return 0;
	c->c_a = c->c_a->a_next;
	return 1;
}

static int
c_end(struct cur *c)
{
	char got[96];

	if (c->c_a == NULL)
		return 0;
	return c_err(c, "unexpected %s", c_got(c, got, sizeof(got)));
}

/* One of the names of a table; the message lists them all. */
static int
c_choice(struct cur *c, const struct cfg_name *t, int *v)
{
	char list[256];
	size_t i, n = 0;

	*v = 0;
	if (c_kind(c, CFG_ARG_WORD))
		for (i = 0; t[i].n_name != NULL; i++)
			if (strcmp(t[i].n_name, c->c_a->a_text) == 0) {
				*v = t[i].n_val;
				c->c_a = c->c_a->a_next;
				return 0;
			}
	list[0] = '\0';
	for (i = 0; t[i].n_name != NULL; i++) {
		int w = snprintf(list + n, sizeof(list) - n, "%s%s",
		    i == 0 ? "" : (t[i + 1].n_name == NULL ? " or " : ", "),
		    t[i].n_name);
		if (w < 0 || (size_t)w >= sizeof(list) - n)
			break;
		n += (size_t)w;
	}
	return c_expected(c, list);
}

static const char *
name_of(const struct cfg_name *t, int v)
{
	size_t i;

	for (i = 0; t[i].n_name != NULL; i++)
		if (t[i].n_val == v)
			return t[i].n_name;
	return "?";
}

static const struct cfg_name names_switch[] = {
	{ "on", 1 }, { "off", 0 }, { NULL, 0 }
};

static const struct cfg_name names_switch3[] = {
	{ "on", CFG_ON }, { "off", CFG_OFF }, { "force", CFG_FORCE },
	{ NULL, 0 }
};

static int
c_switch(struct cur *c, int *v)
{
	return c_choice(c, names_switch, v);
}

static int
c_switch3(struct cur *c, enum cfg_switch3 *v)
{
	int x;

	if (c_choice(c, names_switch3, &x) == -1)
		return -1;
	*v = (enum cfg_switch3)x;
	return 0;
}

/* NUMBER UNIT, as seconds. */
static int
c_time(struct cur *c, uint32_t *secs)
{
	static const struct cfg_name units[] = {
		{ "sec", 1 }, { "secs", 1 }, { "second", 1 },
		{ "seconds", 1 }, { "min", 60 }, { "mins", 60 },
		{ "minute", 60 }, { "minutes", 60 }, { "hour", 3600 },
		{ "hours", 3600 }, { NULL, 0 }
	};
	uint32_t n;
	int mult;

	if (c_number(c, &n) == -1 || c_choice(c, units, &mult) == -1)
		return -1;
	if ((uint64_t)n * (uint64_t)mult > UINT32_MAX)
		return c_err(c, "%u %s is too long", n,
		    name_of(units, mult));
	*secs = n * (uint32_t)mult;
	return 0;
}

/* "lifetime time N UNIT"; byte lifetimes are refused as ipsec-tools does. */
static int
c_lifetime(struct cur *c, uint32_t *secs)
{
	static const struct cfg_name bunits[] = {
		{ "B", 1 }, { "byte", 1 }, { "bytes", 1 }, { "KB", 2 },
		{ "MB", 3 }, { "TB", 4 }, { NULL, 0 }
	};
	uint32_t n;
	int u;

	if (c_is(c, "time"))
		return c_time(c, secs);
	if (c_is(c, "byte")) {
		if (c_number(c, &n) == -1 || c_choice(c, bunits, &u) == -1)
			return -1;
		return c_err(c, "byte lifetime support is deprecated");
	}
	return c_expected(c, "\"time\" or \"byte\"");
}

/* ADDR [port]: the port defaults to defport. */
static int
c_addr_port(struct cur *c, struct addr *a, uint16_t defport)
{
	const char *w, *why;

	if (c_word(c, &w, "an address") == -1)
		return -1;
	if (addr_parse(w, 0, a, &why) == -1)
		return c_err(c, "\"%s\": %s", w, why);
	a->a_port = defport;
	if (c_kind(c, CFG_ARG_PORT)) {
		a->a_port = c->c_a->a_any ? 0 : (uint16_t)c->c_a->a_num;
		c->c_a = c->c_a->a_next;
	}
	return 0;
}

/* A host address (no prefix, no port). */
static int
c_host(struct cur *c, struct addr *a, int af)
{
	const char *w, *why;

	if (c_word(c, &w, "an address") == -1)
		return -1;
	if (addr_parse(w, 0, a, &why) == -1)
		return c_err(c, "\"%s\": %s", w, why);
	if (af != AF_UNSPEC && a->a_af != af)
		return c_err(c, "\"%s\": not an IPv4 address", w);
	return 0;
}

/* ADDR/PREFIX (IPv4, for mode_cfg split networks). */
static int
c_net4(struct cur *c, struct addr *a)
{
	if (c_host(c, a, AF_INET) == -1)
		return -1;
	if (!c_kind(c, CFG_ARG_PREFIX))
		return c_expected(c, "a /prefix");
	if (c->c_a->a_num > 32)
		return c_err(c, "prefix /%s is longer than 32",
		    c->c_a->a_text);
	a->a_plen = (uint8_t)c->c_a->a_num;
	c->c_a = c->c_a->a_next;
	return 0;
}

/* A DH group: a name, or a number (RFC 2409/3526/5903 group numbers). */
static int
c_dhgroup(struct cur *c, const struct alg **out)
{
	const struct alg *a = NULL;
	uint32_t n;

	if (c_kind(c, CFG_ARG_NUMBER)) {
		(void)c_number(c, &n);
		if (n == 768) {
			/* The article's spelling; see racoon.conf.5. */
			a = alg_by_cfgname(ALG_DH, "modp768");
			c_warn(c, "768 read as modp768 (DH group 1)");
		} else if ((a = alg_by_ike(ALG_DH, (int)n)) == NULL)
			return c_err(c, "%u is not a DH group", n);
	} else if (c_kind(c, CFG_ARG_WORD)) {
		if ((a = alg_by_cfgname(ALG_DH, c->c_a->a_text)) == NULL)
			return c_err(c, "\"%s\" is not a DH group",
			    c->c_a->a_text);
		c->c_a = c->c_a->a_next;
	} else
		return c_expected(c, "a DH group");
	if (a->alg_flags & ALG_F_WEAK)
		c_warn(c, "%s is a weak DH group", a->alg_cfgname);
	*out = a;
	return 0;
}

/*
 * racoon.conf names of algorithms that ipsec-tools knew and we do not
 * offer, so that the message says so rather than "unknown".
 */
static const char *const algs_dropped[] = {
	"des_iv64", "des_iv32", "rc5", "rc4", "idea", "3idea", "des_mac",
	"kpdk", "tiger", "ec2n155", "ec2n185", NULL
};

/* An algorithm name of kind, with an optional key length in bits. */
static int
c_alg(struct cur *c, enum alg_kind kind, int keylen_ok,
    const struct alg **out, unsigned *keylen)
{
	const struct alg *a;
	const char *w;
	unsigned salt, bits;
	uint32_t n;
	size_t i;

	if (c_word(c, &w, "an algorithm") == -1)
		return -1;
	if ((a = alg_by_cfgname(kind, w)) == NULL) {
		for (i = 0; algs_dropped[i] != NULL; i++)
			if (strcmp(w, algs_dropped[i]) == 0)
				return c_err(c, "%s \"%s\" is not supported",
				    alg_kind_name(kind), w);
		return c_err(c, "unknown %s algorithm \"%s\"",
		    alg_kind_name(kind), w);
	}
	salt = alg_salt_bits(a);
	bits = 0;
	if (a->alg_keymin != a->alg_keymax)
		bits = a->alg_keydef - salt;
	if (c_kind(c, CFG_ARG_NUMBER)) {
		(void)c_number(c, &n);
		if (!keylen_ok || a->alg_keymin == a->alg_keymax)
			return c_err(c, "%s takes no key length", w);
		if (n > 65535 || !alg_key_ok(a, n + salt))
			return c_err(c, "invalid key length %u for %s", n, w);
		bits = n;
	}
	if (a->alg_flags & ALG_F_WEAK)
		c_warn(c, "%s is a weak algorithm", w);
	*out = a;
	if (keylen != NULL)
		*keylen = bits;
	return 0;
}

/* Top level */

static int
top_privsep_user(struct cur *c, void *arg)
{
	struct cfg_privsep *ps = arg;
	const char *s;

	if (c_kind(c, CFG_ARG_NUMBER)) {
		ps->ps_user_numeric = 1;
		s = c->c_a->a_text;
		c->c_a = c->c_a->a_next;
	} else if (c_string(c, &s, "a quoted user name or a UID") == -1)
		return -1;
	else
		ps->ps_user_numeric = 0;
	return c_set_str(c, &ps->ps_user, s);
}

static int
top_privsep_group(struct cur *c, void *arg)
{
	struct cfg_privsep *ps = arg;
	const char *s;

	if (c_kind(c, CFG_ARG_NUMBER)) {
		ps->ps_group_numeric = 1;
		s = c->c_a->a_text;
		c->c_a = c->c_a->a_next;
	} else if (c_string(c, &s, "a quoted group name or a GID") == -1)
		return -1;
	else
		ps->ps_group_numeric = 0;
	return c_set_str(c, &ps->ps_group, s);
}

static int
top_privsep_chroot(struct cur *c, void *arg)
{
	struct cfg_privsep *ps = arg;
	const char *s;

	if (c_string(c, &s, "a quoted path") == -1)
		return -1;
	return c_set_str(c, &ps->ps_chroot, s);
}

static const struct dir dirs_privsep[] = {
	{ "user", top_privsep_user, DIR_NOBLOCK, 0 },
	{ "group", top_privsep_group, DIR_NOBLOCK, 0 },
	{ "chroot", top_privsep_chroot, DIR_NOBLOCK, 0 },
	{ NULL, NULL, 0, 0 }
};

static int
top_privsep(struct cur *c, void *arg)
{
	struct cfg *cf = arg;

	cf->c_privsep.ps_set = 1;
	run_block(c->c_pc, dirs_privsep, c->c_st->s_block, &cf->c_privsep);
	return 0;
}

static int
top_path(struct cur *c, void *arg)
{
	static const struct cfg_name types[] = {
		{ "include", 0 }, { "pre_shared_key", 1 },
		{ "certificate", 2 }, { "script", 3 }, { "backupsa", 4 },
		{ "pidfile", 5 }, { "keylog", 6 }, { NULL, 0 }
	};
	struct cfg_paths *p = &((struct cfg *)arg)->c_paths;
	char **dst[] = { &p->p_include, &p->p_psk, &p->p_certificate,
	    &p->p_script, &p->p_backupsa, &p->p_pidfile, &p->p_keylog };
	const char *s;
	int t;

	if (c_choice(c, types, &t) == -1 ||
	    c_string(c, &s, "a quoted path") == -1)
		return -1;
	if (t == 4)
		c_warn(c, "backupsa is parsed but not acted on by this racoon");
	if (t == 6)
		c_warn(c, "keylog: phase 1 and ESP keys are written to \"%s\"; "
		    "whoever reads it can decrypt the traffic", s);
	return c_set_str(c, dst[t], s);
}

/* The include itself was acted on while parsing; check its form. */
static int
top_include(struct cur *c, void *arg)
{
	const char *s;

	return c_string(c, &s, "a quoted path or pattern");
}

static int
top_pfkey_buffer(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg *)arg)->c_pfkey_buffer);
}

static int
top_gss_id_enc(struct cur *c, void *arg)
{
	static const struct cfg_name encs[] = {
		{ "utf-16le", 1 }, { "latin1", 0 }, { NULL, 0 }
	};

	return c_choice(c, encs, &((struct cfg *)arg)->c_gss_id_utf16le);
}

static const struct cfg_name names_log[] = {
	{ "error", CFG_LOG_ERROR }, { "warning", CFG_LOG_WARNING },
	{ "notify", CFG_LOG_NOTIFY }, { "info", CFG_LOG_INFO },
	{ "debug", CFG_LOG_DEBUG }, { "debug2", CFG_LOG_DEBUG2 },
	{ NULL, 0 }
};

static int
top_log(struct cur *c, void *arg)
{
	int v;

	if (c_choice(c, names_log, &v) == -1)
		return -1;
	((struct cfg *)arg)->c_log = (enum cfg_loglevel)v;
	return 0;
}

static int
pad_randomize(struct cur *c, void *arg)
{
	return c_switch(c, &((struct cfg_padding *)arg)->pad_randomize);
}

static int
pad_randomize_length(struct cur *c, void *arg)
{
	return c_switch(c,
	    &((struct cfg_padding *)arg)->pad_randomize_length);
}

static int
pad_maximum_length(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg_padding *)arg)->pad_maximum_length);
}

static int
pad_strict_check(struct cur *c, void *arg)
{
	return c_switch(c, &((struct cfg_padding *)arg)->pad_strict_check);
}

static int
pad_exclusive_tail(struct cur *c, void *arg)
{
	return c_switch(c, &((struct cfg_padding *)arg)->pad_exclusive_tail);
}

static const struct dir dirs_padding[] = {
	{ "randomize", pad_randomize, DIR_NOBLOCK, 0 },
	{ "randomize_length", pad_randomize_length, DIR_NOBLOCK, 0 },
	{ "maximum_length", pad_maximum_length, DIR_NOBLOCK, 0 },
	{ "strict_check", pad_strict_check, DIR_NOBLOCK, 0 },
	{ "exclusive_tail", pad_exclusive_tail, DIR_NOBLOCK, 0 },
	{ NULL, NULL, 0, 0 }
};

static int
top_padding(struct cur *c, void *arg)
{
	run_block(c->c_pc, dirs_padding, c->c_st->s_block,
	    &((struct cfg *)arg)->c_padding);
	return 0;
}

static int
listen_addr(struct cur *c, struct cfg_listen *l, int natt)
{
	struct cfg_listen_addr *la;
	struct addr a;

	if (c_addr_port(c, &a, natt ? CFG_PORT_NATT : CFG_PORT_ISAKMP) == -1)
		return -1;
	if ((la = calloc(1, sizeof(*la))) == NULL)
		return c_err(c, "out of memory");
	la->la_addr = a;
	la->la_natt = natt;
	TAILQ_INSERT_TAIL(&l->l_addrs, la, la_entry);
	return 0;
}

static int
listen_isakmp(struct cur *c, void *arg)
{
	return listen_addr(c, arg, 0);
}

static int
listen_isakmp_natt(struct cur *c, void *arg)
{
	return listen_addr(c, arg, 1);
}

static int
listen_strict_address(struct cur *c, void *arg)
{
	((struct cfg_listen *)arg)->l_strict_address = 1;
	return 0;
}

/*
 * adminsock "path" ["owner" "group" mode] | adminsock disabled.  The
 * mode is octal whatever its leading digit (ipsec-tools read "0660" as
 * decimal 660, which no one meant).
 */
static int
listen_adminsock(struct cur *c, void *arg)
{
	struct cfg_listen *l = arg;
	const char *path, *owner, *group, *m;
	unsigned long mode;
	char *end;

	if (c_is(c, "disabled")) {
		l->l_admin_disabled = 1;
		return 0;
	}
	if (c_string(c, &path, "a quoted path or \"disabled\"") == -1)
		return -1;
	l->l_admin_disabled = 0;
	if (c_set_str(c, &l->l_admin_path, path) == -1)
		return -1;
	if (c->c_a == NULL)
		return 0;
	if (c_string(c, &owner, "a quoted owner") == -1 ||
	    c_string(c, &group, "a quoted group") == -1)
		return -1;
	if (!c_kind(c, CFG_ARG_NUMBER))
		return c_expected(c, "an octal mode");
	m = c->c_a->a_text;
	errno = 0;
	mode = strtoul(m, &end, 8);
	if (*end != '\0' || errno != 0 || mode > 07777)
		return c_err(c, "\"%s\" is not an octal mode", m);
	c->c_a = c->c_a->a_next;
	if (c_set_str(c, &l->l_admin_owner, owner) == -1 ||
	    c_set_str(c, &l->l_admin_group, group) == -1)
		return -1;
	l->l_admin_mode = (unsigned)mode;
	return 0;
}

static const struct dir dirs_listen[] = {
	{ "isakmp", listen_isakmp, DIR_NOBLOCK, 0 },
	{ "isakmp_natt", listen_isakmp_natt, DIR_NOBLOCK, 0 },
	{ "adminsock", listen_adminsock, DIR_NOBLOCK, 0 },
	{ "strict_address", listen_strict_address, DIR_NOBLOCK, 0 },
	{ NULL, NULL, 0, 0 }
};

static int
top_listen(struct cur *c, void *arg)
{
	run_block(c->c_pc, dirs_listen, c->c_st->s_block,
	    &((struct cfg *)arg)->c_listen);
	return 0;
}

static int
timer_counter(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg_timer *)arg)->t_counter);
}

static int
timer_interval(struct cur *c, void *arg)
{
	return c_time(c, &((struct cfg_timer *)arg)->t_interval);
}

static int
timer_persend(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg_timer *)arg)->t_persend);
}

static int
timer_phase1(struct cur *c, void *arg)
{
	return c_time(c, &((struct cfg_timer *)arg)->t_phase1);
}

static int
timer_phase2(struct cur *c, void *arg)
{
	return c_time(c, &((struct cfg_timer *)arg)->t_phase2);
}

static int
timer_natt_keepalive(struct cur *c, void *arg)
{
	return c_time(c, &((struct cfg_timer *)arg)->t_natt_keepalive);
}

static const struct dir dirs_timer[] = {
	{ "counter", timer_counter, DIR_NOBLOCK, 0 },
	{ "interval", timer_interval, DIR_NOBLOCK, 0 },
	{ "persend", timer_persend, DIR_NOBLOCK, 0 },
	{ "phase1", timer_phase1, DIR_NOBLOCK, 0 },
	{ "phase2", timer_phase2, DIR_NOBLOCK, 0 },
	{ "natt_keepalive", timer_natt_keepalive, DIR_NOBLOCK, 0 },
	{ NULL, NULL, 0, 0 }
};

static int
top_timer(struct cur *c, void *arg)
{
	run_block(c->c_pc, dirs_timer, c->c_st->s_block,
	    &((struct cfg *)arg)->c_timer);
	return 0;
}

static int
top_complex_bundle(struct cur *c, void *arg)
{
	return c_switch(c, &((struct cfg *)arg)->c_complex_bundle);
}

/* Identities */

static const struct cfg_name names_idtype[] = {
	{ "address", CFG_ID_ADDRESS }, { "fqdn", CFG_ID_FQDN },
	{ "user_fqdn", CFG_ID_USER_FQDN }, { "keyid", CFG_ID_KEYID },
	{ "asn1dn", CFG_ID_ASN1DN }, { "subnet", CFG_ID_SUBNET },
	{ NULL, 0 }
};

const char *
cfg_idtype_name(enum cfg_idtype t)
{
	return name_of(names_idtype, (int)t);
}

static void
cfg_id_free(struct cfg_id *id)
{
	if (id == NULL)
		return;
	free(id->id_value);
	free(id);
}

/*
 * IDTYPE [file|tag] [VALUE]: my_identifier, peers_identifier, sainfo
 * from.  The value may be quoted or bare; "address" and "asn1dn" may
 * leave it out (derived at run time), the others need it.
 */
static struct cfg_id *
c_ident(struct cur *c)
{
	struct cfg_id *id;
	const char *v = NULL, *why;
	int t;

	if (c_choice(c, names_idtype, &t) == -1)
		return NULL;
	if ((id = calloc(1, sizeof(*id))) == NULL) {
		c_err(c, "out of memory");
		return NULL;
	}
	id->id_type = (enum cfg_idtype)t;
	if (t == CFG_ID_KEYID) {
		id->id_qual = CFG_IDQUAL_FILE;
		if (c_is(c, "tag"))
			id->id_qual = CFG_IDQUAL_TAG;
		else
			(void)c_is(c, "file");
	}
	if (c_kind(c, CFG_ARG_STRING) || c_kind(c, CFG_ARG_WORD))
		(void)c_text(c, &v, "");
	if (v == NULL && t != CFG_ID_ADDRESS && t != CFG_ID_ASN1DN) {
		c_expected(c, "an identifier value");
		goto bad;
	}
	if (v != NULL && t == CFG_ID_ADDRESS &&
	    addr_parse(v, 0, &id->id_addr, &why) == -1) {
		c_err(c, "\"%s\": %s", v, why);
		goto bad;
	}
	if (v != NULL && t == CFG_ID_SUBNET &&
	    addr_parse(v, ADDR_PREFIX, &id->id_addr, &why) == -1) {
		c_err(c, "\"%s\": %s", v, why);
		goto bad;
	}
	if (v != NULL && (id->id_value = c_dup(c, v)) == NULL)
		goto bad;
	return id;
bad:
	cfg_id_free(id);
	return NULL;
}

/* Remotes */

static const struct cfg_name names_exmode[] = {
	{ "main", CFG_EXMODE_MAIN }, { "aggressive", CFG_EXMODE_AGGRESSIVE },
	{ "base", CFG_EXMODE_BASE }, { NULL, 0 }
};

const char *
cfg_exmode_name(enum cfg_exmode m)
{
	return name_of(names_exmode, (int)m);
}

static const struct cfg_name names_auth[] = {
	{ "pre_shared_key", CFG_AUTH_PSK }, { "rsasig", CFG_AUTH_RSASIG },
	{ "dsssig", CFG_AUTH_DSSSIG }, { "rsaenc", CFG_AUTH_RSAENC },
	{ "rsarev", CFG_AUTH_RSAREV }, { "gssapi_krb", CFG_AUTH_GSSAPI_KRB },
	{ "hybrid_rsa_server", CFG_AUTH_HYBRID_RSA_SERVER },
	{ "hybrid_rsa_client", CFG_AUTH_HYBRID_RSA_CLIENT },
	{ "hybrid_dss_server", CFG_AUTH_HYBRID_DSS_SERVER },
	{ "hybrid_dss_client", CFG_AUTH_HYBRID_DSS_CLIENT },
	{ "xauth_psk_server", CFG_AUTH_XAUTH_PSK_SERVER },
	{ "xauth_psk_client", CFG_AUTH_XAUTH_PSK_CLIENT },
	{ "xauth_rsa_server", CFG_AUTH_XAUTH_RSA_SERVER },
	{ "xauth_rsa_client", CFG_AUTH_XAUTH_RSA_CLIENT },
	{ NULL, 0 }
};

const char *
cfg_auth_name(enum cfg_auth a)
{
	return name_of(names_auth, (int)a);
}

static void
proposal_free(struct cfg_proposal *p)
{
	if (p == NULL)
		return;
	free(p->p_gss_id);
	free(p);
}

static void
remote_free(struct cfg_remote *r)
{
	struct cfg_id *id;
	struct cfg_proposal *p;
	int i;

	if (r == NULL)
		return;
	free(r->r_name);
	free(r->r_inherit);
	cfg_id_free(r->r_my_id);
	while ((id = TAILQ_FIRST(&r->r_peers_ids)) != NULL) {
		TAILQ_REMOVE(&r->r_peers_ids, id, id_entry);
		cfg_id_free(id);
	}
	free(r->r_xauth_login);
	free(r->r_cert_file);
	free(r->r_cert_key);
	free(r->r_ca_file);
	free(r->r_peers_cert_file);
	for (i = 0; i < CFG_SCRIPT_MAX; i++)
		free(r->r_script[i]);
	while ((p = TAILQ_FIRST(&r->r_proposals)) != NULL) {
		TAILQ_REMOVE(&r->r_proposals, p, p_entry);
		proposal_free(p);
	}
	free(r);
}

static void
remote_defaults(struct cfg_remote *r)
{
	TAILQ_INIT(&r->r_peers_ids);
	TAILQ_INIT(&r->r_proposals);
	r->r_doi = 1;
	r->r_situation = 1;
	r->r_verify_cert = 1;
	r->r_send_cert = 1;
	r->r_send_cr = 1;
	r->r_match_empty_cr = 1;
	r->r_nonce_size = CFG_NONCE_DEFAULT;
	r->r_initial_contact = 1;
	r->r_dpd_retry = 5;
	r->r_dpd_maxfail = 5;
	r->r_rekey = CFG_ON;
	r->r_lifetime = CFG_LIFETIME_DEFAULT;
	r->r_proposal_check = CFG_PCHECK_STRICT;
}

static int
dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	return (*dst = strdup(src)) == NULL ? -1 : 0;
}

static struct cfg_id *
id_copy(const struct cfg_id *src)
{
	struct cfg_id *id;

	if ((id = calloc(1, sizeof(*id))) == NULL)
		return NULL;
	*id = *src;
	if (dup_str(&id->id_value, src->id_value) == -1) {
		free(id);
		return NULL;
	}
	return id;
}

/*
 * Start an inheriting remote as a deep copy of its parent; the header's
 * own fields (name, address, anonymous) are the caller's to set.
 */
static int
remote_inherit(struct cfg_remote *r, const struct cfg_remote *from)
{
	const struct cfg_id *id;
	const struct cfg_proposal *p;
	struct cfg_id *nid;
	struct cfg_proposal *np;
	int i;

	*r = *from;
	r->r_name = r->r_inherit = r->r_xauth_login = NULL;
	r->r_cert_file = r->r_cert_key = r->r_ca_file = NULL;
	r->r_peers_cert_file = NULL;
	r->r_my_id = NULL;
	for (i = 0; i < CFG_SCRIPT_MAX; i++)
		r->r_script[i] = NULL;
	TAILQ_INIT(&r->r_peers_ids);
	TAILQ_INIT(&r->r_proposals);
	if (dup_str(&r->r_xauth_login, from->r_xauth_login) == -1 ||
	    dup_str(&r->r_cert_file, from->r_cert_file) == -1 ||
	    dup_str(&r->r_cert_key, from->r_cert_key) == -1 ||
	    dup_str(&r->r_ca_file, from->r_ca_file) == -1 ||
	    dup_str(&r->r_peers_cert_file, from->r_peers_cert_file) == -1)
		return -1;
	for (i = 0; i < CFG_SCRIPT_MAX; i++)
		if (dup_str(&r->r_script[i], from->r_script[i]) == -1)
			return -1;
	if (from->r_my_id != NULL &&
	    (r->r_my_id = id_copy(from->r_my_id)) == NULL)
		return -1;
	TAILQ_FOREACH(id, &from->r_peers_ids, id_entry) {
		if ((nid = id_copy(id)) == NULL)
			return -1;
		TAILQ_INSERT_TAIL(&r->r_peers_ids, nid, id_entry);
	}
	TAILQ_FOREACH(p, &from->r_proposals, p_entry) {
		if ((np = calloc(1, sizeof(*np))) == NULL)
			return -1;
		*np = *p;
		if (dup_str(&np->p_gss_id, p->p_gss_id) == -1) {
			free(np);
			return -1;
		}
		TAILQ_INSERT_TAIL(&r->r_proposals, np, p_entry);
	}
	return 0;
}

/* State while a remote's block is read. */
struct rmctx {
	struct cfg_remote *rm;
	int		 own_peers_ids;	/* inherited list replaced */
	int		 own_proposals;
};

static int
rm_remote_address(struct cur *c, void *arg)
{
	struct cfg_remote *r = ((struct rmctx *)arg)->rm;

	if (r->r_has_address && !r->r_named)
		return c_err(c, "the remote's address is already given");
	if (c_addr_port(c, &r->r_address, CFG_PORT_ISAKMP) == -1)
		return -1;
	r->r_has_address = 1;
	return 0;
}

static int
rm_exchange_mode(struct cur *c, void *arg)
{
	struct cfg_remote *r = ((struct rmctx *)arg)->rm;
	int m, i;

	r->r_nexmode = 0;
	do {
		if (c_choice(c, names_exmode, &m) == -1)
			return -1;
		for (i = 0; i < r->r_nexmode; i++)
			if (r->r_exmode[i] == (enum cfg_exmode)m)
				return c_err(c, "%s given twice",
				    name_of(names_exmode, m));
		r->r_exmode[r->r_nexmode++] = (enum cfg_exmode)m;
		if (m == CFG_EXMODE_BASE)
			c_warn(c, "base mode is parsed but not acted on by "
			    "this racoon");
		(void)c_comma(c);
	} while (c->c_a != NULL && r->r_nexmode < CFG_MAX_EXMODES);
	return 0;
}

static int
rm_doi(struct cur *c, void *arg)
{
	static const struct cfg_name dois[] = {
		{ "ipsec_doi", 1 }, { NULL, 0 }
	};

	return c_choice(c, dois, &((struct rmctx *)arg)->rm->r_doi);
}

static int
rm_situation(struct cur *c, void *arg)
{
	static const struct cfg_name sits[] = {
		{ "identity_only", 1 }, { "secrecy", 2 }, { "integrity", 4 },
		{ NULL, 0 }
	};
	struct cfg_remote *r = ((struct rmctx *)arg)->rm;

	if (c_choice(c, sits, &r->r_situation) == -1)
		return -1;
	if (r->r_situation != 1)
		c_warn(c, "only identity_only is acted on by this racoon");
	return 0;
}

static int
rm_my_identifier(struct cur *c, void *arg)
{
	struct cfg_remote *r = ((struct rmctx *)arg)->rm;
	struct cfg_id *id;

	if ((id = c_ident(c)) == NULL)
		return -1;
	cfg_id_free(r->r_my_id);
	r->r_my_id = id;
	return 0;
}

static int
rm_peers_identifier(struct cur *c, void *arg)
{
	struct rmctx *rc = arg;
	struct cfg_id *id;

	if ((id = c_ident(c)) == NULL)
		return -1;
	if (!rc->own_peers_ids) {
		struct cfg_id *old;

		while ((old = TAILQ_FIRST(&rc->rm->r_peers_ids)) != NULL) {
			TAILQ_REMOVE(&rc->rm->r_peers_ids, old, id_entry);
			cfg_id_free(old);
		}
		rc->own_peers_ids = 1;
	}
	TAILQ_INSERT_TAIL(&rc->rm->r_peers_ids, id, id_entry);
	return 0;
}

static int
rm_verify_identifier(struct cur *c, void *arg)
{
	return c_switch(c, &((struct rmctx *)arg)->rm->r_verify_identifier);
}

static int
rm_xauth_login(struct cur *c, void *arg)
{
	struct cfg_remote *r = ((struct rmctx *)arg)->rm;
	const char *s;

	if (c_text(c, &s, "a login") == -1)
		return -1;
	return c_set_str(c, &r->r_xauth_login, s);
}

static int
rm_certificate_type(struct cur *c, void *arg)
{
	struct cfg_remote *r = ((struct rmctx *)arg)->rm;
	const char *cert, *key = NULL;

	if (c_is(c, "x509")) {
		if (c_string(c, &cert, "a quoted certificate file") == -1 ||
		    c_string(c, &key, "a quoted private key file") == -1)
			return -1;
		r->r_cert_type = CFG_CERT_X509;
	} else if (c_is(c, "plain_rsa")) {
		if (c_string(c, &cert, "a quoted private key file") == -1)
			return -1;
		r->r_cert_type = CFG_CERT_PLAIN_RSA;
		/* ipsec-tools: plain RSA keys have no certificates. */
		r->r_send_cr = r->r_send_cert = r->r_verify_cert = 0;
	} else
		return c_expected(c, "x509 or plain_rsa");
	free(r->r_cert_key);
	r->r_cert_key = NULL;
	if (c_set_str(c, &r->r_cert_file, cert) == -1 ||
	    (key != NULL && c_set_str(c, &r->r_cert_key, key) == -1))
		return -1;
	return 0;
}

static int
rm_ca_type(struct cur *c, void *arg)
{
	struct cfg_remote *r = ((struct rmctx *)arg)->rm;
	const char *s;

	if (!c_is(c, "x509"))
		return c_expected(c, "x509");
	if (c_string(c, &s, "a quoted CA certificate file") == -1)
		return -1;
	return c_set_str(c, &r->r_ca_file, s);
}

static int
rm_peers_certfile(struct cur *c, void *arg)
{
	struct cfg_remote *r = ((struct rmctx *)arg)->rm;
	const char *s;

	if (c_is(c, "dnssec")) {
		c_warn(c, "dnssec is parsed but not acted on by this racoon");
		r->r_peers_cert_type = CFG_CERT_DNSSEC;
		free(r->r_peers_cert_file);
		r->r_peers_cert_file = NULL;
		return 0;
	}
	if (c_is(c, "plain_rsa"))
		r->r_peers_cert_type = CFG_CERT_PLAIN_RSA;
	else {
		if (!c_is(c, "x509"))
			c_warn(c, "write \"peers_certfile x509 \\\"file\\\"\"; "
			    "the form without x509 is deprecated");
		r->r_peers_cert_type = CFG_CERT_X509;
	}
	if (c_string(c, &s, "a quoted file") == -1)
		return -1;
	return c_set_str(c, &r->r_peers_cert_file, s);
}

static int
rm_verify_cert(struct cur *c, void *arg)
{
	return c_switch(c, &((struct rmctx *)arg)->rm->r_verify_cert);
}

static int
rm_send_cert(struct cur *c, void *arg)
{
	return c_switch(c, &((struct rmctx *)arg)->rm->r_send_cert);
}

static int
rm_send_cr(struct cur *c, void *arg)
{
	return c_switch(c, &((struct rmctx *)arg)->rm->r_send_cr);
}

static int
rm_match_empty_cr(struct cur *c, void *arg)
{
	return c_switch(c, &((struct rmctx *)arg)->rm->r_match_empty_cr);
}

static int
rm_nonce_size(struct cur *c, void *arg)
{
	struct cfg_remote *r = ((struct rmctx *)arg)->rm;

	if (c_number(c, &r->r_nonce_size) == -1)
		return -1;
	if (r->r_nonce_size < 8 || r->r_nonce_size > 256)
		c_warn(c, "RFC 2409 wants a nonce of 8 to 256 bytes, not %u",
		    r->r_nonce_size);
	return 0;
}

static int
rm_dh_group(struct cur *c, void *arg)
{
	c->c_a = NULL;
	return c_err(c, "dh_group cannot be defined here; "
	    "write it in a proposal");
}

static int
rm_passive(struct cur *c, void *arg)
{
	return c_switch(c, &((struct rmctx *)arg)->rm->r_passive);
}

static int
rm_ike_frag(struct cur *c, void *arg)
{
	return c_switch3(c, &((struct rmctx *)arg)->rm->r_ike_frag);
}

static int
rm_esp_frag(struct cur *c, void *arg)
{
	return c_number(c, &((struct rmctx *)arg)->rm->r_esp_frag);
}

static int
rm_script(struct cur *c, void *arg)
{
	static const struct cfg_name hooks[] = {
		{ "phase1_up", CFG_SCRIPT_PHASE1_UP },
		{ "phase1_down", CFG_SCRIPT_PHASE1_DOWN },
		{ "phase1_dead", CFG_SCRIPT_PHASE1_DEAD },
		{ NULL, 0 }
	};
	struct cfg_remote *r = ((struct rmctx *)arg)->rm;
	const char *s;
	int h;

	if (c_string(c, &s, "a quoted script path") == -1 ||
	    c_choice(c, hooks, &h) == -1)
		return -1;
	return c_set_str(c, &r->r_script[h], s);
}

static int
rm_mode_cfg(struct cur *c, void *arg)
{
	return c_switch(c, &((struct rmctx *)arg)->rm->r_mode_cfg);
}

static int
rm_weak_phase1_check(struct cur *c, void *arg)
{
	return c_switch(c, &((struct rmctx *)arg)->rm->r_weak_phase1_check);
}

static int
rm_generate_policy(struct cur *c, void *arg)
{
	static const struct cfg_name levels[] = {
		{ "on", CFG_GENPOLICY_ON }, { "off", CFG_GENPOLICY_OFF },
		{ "require", CFG_GENPOLICY_ON },
		{ "unique", CFG_GENPOLICY_UNIQUE }, { NULL, 0 }
	};
	int v;

	if (c_choice(c, levels, &v) == -1)
		return -1;
	((struct rmctx *)arg)->rm->r_generate_policy = (enum cfg_genpolicy)v;
	return 0;
}

static int
rm_support_proxy(struct cur *c, void *arg)
{
	return c_switch(c, &((struct rmctx *)arg)->rm->r_support_proxy);
}

static int
rm_initial_contact(struct cur *c, void *arg)
{
	return c_switch(c, &((struct rmctx *)arg)->rm->r_initial_contact);
}

static int
rm_nat_traversal(struct cur *c, void *arg)
{
	return c_switch3(c, &((struct rmctx *)arg)->rm->r_nat_traversal);
}

static int
rm_dpd_delay(struct cur *c, void *arg)
{
	return c_number(c, &((struct rmctx *)arg)->rm->r_dpd_delay);
}

static int
rm_dpd_retry(struct cur *c, void *arg)
{
	return c_number(c, &((struct rmctx *)arg)->rm->r_dpd_retry);
}

static int
rm_dpd_maxfail(struct cur *c, void *arg)
{
	return c_number(c, &((struct rmctx *)arg)->rm->r_dpd_maxfail);
}

static int
rm_rekey(struct cur *c, void *arg)
{
	return c_switch3(c, &((struct rmctx *)arg)->rm->r_rekey);
}

static int
rm_ph1id(struct cur *c, void *arg)
{
	return c_number(c, &((struct rmctx *)arg)->rm->r_ph1id);
}

static int
rm_lifetime(struct cur *c, void *arg)
{
	return c_lifetime(c, &((struct rmctx *)arg)->rm->r_lifetime);
}

static const struct cfg_name names_pcheck[] = {
	{ "obey", CFG_PCHECK_OBEY }, { "strict", CFG_PCHECK_STRICT },
	{ "claim", CFG_PCHECK_CLAIM }, { "exact", CFG_PCHECK_EXACT },
	{ NULL, 0 }
};

static int
rm_proposal_check(struct cur *c, void *arg)
{
	int v;

	if (c_choice(c, names_pcheck, &v) == -1)
		return -1;
	((struct rmctx *)arg)->rm->r_proposal_check = (enum cfg_pcheck)v;
	return 0;
}

/* proposal { }: what is set, so that the missing ones are named. */
struct propctx {
	struct cfg_proposal *p;
	int		 has_life;
};

static int
prop_encryption_algorithm(struct cur *c, void *arg)
{
	struct cfg_proposal *p = ((struct propctx *)arg)->p;

	return c_alg(c, ALG_IKE_ENC, 1, &p->p_enc, &p->p_enc_keylen);
}

static int
prop_hash_algorithm(struct cur *c, void *arg)
{
	return c_alg(c, ALG_IKE_HASH, 0, &((struct propctx *)arg)->p->p_hash,
	    NULL);
}

static int
prop_authentication_method(struct cur *c, void *arg)
{
	struct cfg_proposal *p = ((struct propctx *)arg)->p;
	int v;

	if (c_choice(c, names_auth, &v) == -1)
		return -1;
	p->p_auth = (enum cfg_auth)v;
	if (v != CFG_AUTH_PSK && v != CFG_AUTH_RSASIG)
		c_warn(c, "%s is parsed but not acted on by this racoon",
		    name_of(names_auth, v));
	return 0;
}

static int
prop_dh_group(struct cur *c, void *arg)
{
	return c_dhgroup(c, &((struct propctx *)arg)->p->p_dh);
}

static int
prop_lifetime(struct cur *c, void *arg)
{
	struct propctx *pc = arg;

	pc->has_life = 1;
	return c_lifetime(c, &pc->p->p_lifetime);
}

static int
prop_gss_id(struct cur *c, void *arg)
{
	const char *s;

	if (c_string(c, &s, "a quoted GSS-API name") == -1)
		return -1;
	return c_set_str(c, &((struct propctx *)arg)->p->p_gss_id, s);
}

static const struct dir dirs_proposal[] = {
	{ "encryption_algorithm", prop_encryption_algorithm, DIR_NOBLOCK, 0 },
	{ "hash_algorithm", prop_hash_algorithm, DIR_NOBLOCK, 0 },
	{ "authentication_method", prop_authentication_method, DIR_NOBLOCK,
	    0 },
	{ "dh_group", prop_dh_group, DIR_NOBLOCK, 0 },
	{ "lifetime", prop_lifetime, DIR_NOBLOCK, 0 },
	{ "gss_id", prop_gss_id, DIR_NOBLOCK, DIR_IGNORED },
	{ "gssapi_id", prop_gss_id, DIR_NOBLOCK, DIR_IGNORED },
	{ NULL, NULL, 0, 0 }
};

static int
rm_proposal(struct cur *c, void *arg)
{
	struct rmctx *rc = arg;
	struct propctx pctx;
	struct cfg_proposal *p, *old;
	int errors = c->c_pc->pc_errors;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return c_err(c, "out of memory");
	p->p_file = c->c_st->s_file;
	p->p_line = c->c_st->s_line;
	pctx.p = p;
	pctx.has_life = 0;
	run_block(c->c_pc, dirs_proposal, c->c_st->s_block, &pctx);
	/* A directive that was wrong is not also reported missing. */
	if (c->c_pc->pc_errors != errors) {
		proposal_free(p);
		return -1;
	}
	if (p->p_enc == NULL)
		c_err(c, "no encryption_algorithm");
	if (p->p_hash == NULL)
		c_err(c, "no hash_algorithm");
	if (p->p_auth == 0)
		c_err(c, "no authentication_method");
	if (p->p_dh == NULL)
		c_err(c, "no dh_group");
	if (c->c_pc->pc_errors != errors) {
		proposal_free(p);
		return -1;
	}
	/* 0 until the remote is done: then the remote's lifetime. */
	if (!pctx.has_life)
		p->p_lifetime = 0;
	if (!rc->own_proposals) {
		while ((old = TAILQ_FIRST(&rc->rm->r_proposals)) != NULL) {
			TAILQ_REMOVE(&rc->rm->r_proposals, old, p_entry);
			proposal_free(old);
		}
		rc->own_proposals = 1;
	}
	TAILQ_INSERT_TAIL(&rc->rm->r_proposals, p, p_entry);
	return 0;
}

static const struct dir dirs_remote[] = {
	{ "remote_address", rm_remote_address, DIR_NOBLOCK, 0 },
	{ "exchange_mode", rm_exchange_mode, DIR_NOBLOCK, 0 },
	{ "doi", rm_doi, DIR_NOBLOCK, 0 },
	{ "situation", rm_situation, DIR_NOBLOCK, 0 },
	{ "my_identifier", rm_my_identifier, DIR_NOBLOCK, 0 },
	{ "peers_identifier", rm_peers_identifier, DIR_NOBLOCK, 0 },
	{ "verify_identifier", rm_verify_identifier, DIR_NOBLOCK, 0 },
	{ "xauth_login", rm_xauth_login, DIR_NOBLOCK, DIR_IGNORED },
	{ "certificate_type", rm_certificate_type, DIR_NOBLOCK, 0 },
	{ "ca_type", rm_ca_type, DIR_NOBLOCK, 0 },
	{ "peers_certfile", rm_peers_certfile, DIR_NOBLOCK, 0 },
	{ "verify_cert", rm_verify_cert, DIR_NOBLOCK, 0 },
	{ "send_cert", rm_send_cert, DIR_NOBLOCK, 0 },
	{ "send_cr", rm_send_cr, DIR_NOBLOCK, 0 },
	{ "match_empty_cr", rm_match_empty_cr, DIR_NOBLOCK, 0 },
	{ "nonce_size", rm_nonce_size, DIR_NOBLOCK, 0 },
	{ "dh_group", rm_dh_group, DIR_NOBLOCK, 0 },
	{ "passive", rm_passive, DIR_NOBLOCK, 0 },
	{ "ike_frag", rm_ike_frag, DIR_NOBLOCK, DIR_IGNORED },
	{ "esp_frag", rm_esp_frag, DIR_NOBLOCK, DIR_IGNORED },
	{ "script", rm_script, DIR_NOBLOCK, 0 },
	{ "mode_cfg", rm_mode_cfg, DIR_NOBLOCK, DIR_IGNORED },
	{ "weak_phase1_check", rm_weak_phase1_check, DIR_NOBLOCK, 0 },
	{ "generate_policy", rm_generate_policy, DIR_NOBLOCK, 0 },
	{ "support_proxy", rm_support_proxy, DIR_NOBLOCK, 0 },
	{ "initial_contact", rm_initial_contact, DIR_NOBLOCK, 0 },
	{ "nat_traversal", rm_nat_traversal, DIR_NOBLOCK, 0 },
	{ "dpd_delay", rm_dpd_delay, DIR_NOBLOCK, 0 },
	{ "dpd_retry", rm_dpd_retry, DIR_NOBLOCK, 0 },
	{ "dpd_maxfail", rm_dpd_maxfail, DIR_NOBLOCK, 0 },
	{ "rekey", rm_rekey, DIR_NOBLOCK, 0 },
	{ "ph1id", rm_ph1id, DIR_NOBLOCK, 0 },
	{ "lifetime", rm_lifetime, DIR_NOBLOCK, 0 },
	{ "proposal_check", rm_proposal_check, DIR_NOBLOCK, 0 },
	{ "proposal", rm_proposal, DIR_BLOCK, 0 },
	{ NULL, NULL, 0, 0 }
};

struct cfg_remote *
cfg_remote_by_name(const struct cfg *cf, const char *name)
{
	struct cfg_remote *r;

	TAILQ_FOREACH(r, &cf->c_remotes, r_entry)
		if (strcmp(r->r_name, name) == 0)
			return r;
	return NULL;
}

/*
 * An address header: the remote's name is its canonical address, with
 * "[port]" when the port is not 500, so that "remote A" and "remote A
 * [8000]" are two remotes, as they are in ipsec-tools.
 */
static int
rm_header_addr(struct cur *c, struct addr *a, char **name)
{
	char buf[ADDR_STRLEN];

	if (c_addr_port(c, a, CFG_PORT_ISAKMP) == -1)
		return -1;
	if (a->a_port == CFG_PORT_ISAKMP)
		addr_ntop(a, buf, sizeof(buf));
	else
		addr_fmt(a, ADDR_PORT, buf, sizeof(buf));
	return (*name = c_dup(c, buf)) == NULL ? -1 : 0;
}

/* What a remote's header says. */
struct rmhead {
	char		*h_name;
	char		*h_pname;	/* inherit's parent, or NULL */
	struct cfg_remote *h_parent;
	int		 h_named;
	int		 h_anon;
	uint16_t	 h_port;
	struct addr	 h_addr;	/* address form */
};

/*
 * remote "name" [inherit "parent"] | remote ADDR [port] [inherit ADDR
 * [port]] | remote anonymous [port] [inherit ...].  The parent must
 * come before.
 */
static int
rm_head(struct cur *c, struct cfg *cf, struct rmhead *h)
{
	struct addr paddr;
	const char *s;

	memset(h, 0, sizeof(*h));
	if (c_kind(c, CFG_ARG_STRING)) {
		(void)c_string(c, &s, "");
		h->h_named = 1;
		h->h_name = c_dup(c, s);
	} else if (c_is(c, "anonymous")) {
		h->h_anon = 1;
		h->h_port = CFG_PORT_ISAKMP;
		if (c_kind(c, CFG_ARG_PORT)) {
			h->h_port = c->c_a->a_any ? 0 : (uint16_t)c->c_a->a_num;
			c->c_a = c->c_a->a_next;
		}
		h->h_name = c_dup(c, "anonymous");
	} else if (rm_header_addr(c, &h->h_addr, &h->h_name) == -1)
		return -1;
	else
		h->h_port = h->h_addr.a_port;
	if (h->h_name == NULL)
		return -1;
	if (!c_is(c, "inherit"))
		return 0;
	if (c_kind(c, CFG_ARG_STRING)) {
		(void)c_string(c, &s, "");
		h->h_pname = c_dup(c, s);
	} else if (c_is(c, "anonymous"))
		h->h_pname = c_dup(c, "anonymous");
	else if (rm_header_addr(c, &paddr, &h->h_pname) == -1)
		return -1;
	if (h->h_pname == NULL)
		return -1;
	if ((h->h_parent = cfg_remote_by_name(cf, h->h_pname)) == NULL)
		return c_err(c, "parent remote \"%s\" is not defined before",
		    h->h_pname);
	return 0;
}

/* A new remote from its header: its parent's copy, or the defaults. */
static struct cfg_remote *
rm_new(struct cur *c, struct rmhead *h)
{
	struct cfg_remote *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		c_err(c, "out of memory");
		return NULL;
	}
	if (h->h_parent == NULL)
		remote_defaults(r);
	else if (remote_inherit(r, h->h_parent) == -1) {
		remote_free(r);
		c_err(c, "out of memory");
		return NULL;
	}
	r->r_name = h->h_name;
	r->r_inherit = h->h_pname;
	h->h_name = h->h_pname = NULL;
	r->r_named = h->h_named;
	r->r_anonymous = h->h_anon;
	r->r_port = h->h_port;
	r->r_file = c->c_st->s_file;
	r->r_line = c->c_st->s_line;
	if (!h->h_named && !h->h_anon) {
		r->r_address = h->h_addr;
		r->r_has_address = 1;
	}
	if (h->h_anon) {
		memset(&r->r_address, 0, sizeof(r->r_address));
		r->r_has_address = 0;
	}
	return r;
}

/* remote HEADER { statements } or, with inherit, remote HEADER ; */
static int
top_remote(struct cur *c, void *arg)
{
	struct cfg *cf = arg;
	struct cfg_remote *r;
	struct rmhead h;
	struct rmctx rc;
	int errors, rv = -1;

	if (rm_head(c, cf, &h) == -1 || c_end(c) == -1)
		goto out;
	if (!c->c_st->s_has_block && h.h_parent == NULL) {
		c_err(c, "expected \"{\" (only an inheriting remote may end "
		    "with \";\")");
		goto out;
	}
	if (cfg_remote_by_name(cf, h.h_name) != NULL) {
		c_err(c, "remote \"%s\" is already defined", h.h_name);
		goto out;
	}
	if ((r = rm_new(c, &h)) == NULL)
		goto out;
	rc.rm = r;
	rc.own_peers_ids = rc.own_proposals = 0;
	TAILQ_INSERT_TAIL(&cf->c_remotes, r, r_entry);
	errors = c->c_pc->pc_errors;
	if (c->c_st->s_has_block)
		run_block(c->c_pc, dirs_remote, c->c_st->s_block, &rc);
	/* What is missing is only news if what was there was right. */
	if (c->c_pc->pc_errors == errors)
		check_remote(c->c_pc, r);
	rv = 0;
out:
	free(h.h_name);
	free(h.h_pname);
	return rv;
}

/* Sainfo */

static const struct cfg_name names_proto[] = {
	{ "any", CFG_PROTO_ANY }, { "icmp", IPPROTO_ICMP },
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "gre", IPPROTO_GRE }, { "esp", IPPROTO_ESP }, { "ah", IPPROTO_AH },
	{ "icmp6", IPPROTO_ICMPV6 }, { "ipcomp", IPPROTO_COMP },
	{ NULL, 0 }
};

static const struct cfg_name names_said[] = {
	{ "address", CFG_SAID_ADDRESS }, { "subnet", CFG_SAID_SUBNET },
	{ "fqdn", CFG_SAID_FQDN }, { "user_fqdn", CFG_SAID_USER_FQDN },
	{ "keyid", CFG_SAID_KEYID }, { NULL, 0 }
};

/* address|subnet ADDR[-ADDR][/prefix] [port] ul_proto */
static int
c_said_addr(struct cur *c, struct cfg_said *id)
{
	char host[ADDR_STRLEN + ADDR_STRLEN], *dash;
	const char *w, *why;
	uint32_t proto;
	int v;

	if (c_word(c, &w, "an address") == -1)
		return -1;
	if (strlen(w) >= sizeof(host))
		return c_err(c, "\"%s\": address too long", w);
	strcpy(host, w);
	if ((dash = strchr(host, '-')) != NULL) {
		*dash++ = '\0';
		if (addr_parse(dash, 0, &id->sid_addr_end, &why) == -1)
			return c_err(c, "\"%s\": %s", dash, why);
		id->sid_kind = CFG_SAID_RANGE;
	}
	if (addr_parse(host, 0, &id->sid_addr, &why) == -1)
		return c_err(c, "\"%s\": %s", host, why);
	if (dash != NULL && id->sid_addr.a_af != id->sid_addr_end.a_af)
		return c_err(c, "\"%s\": both ends of a range must be of one "
		    "family", w);
	if (c_kind(c, CFG_ARG_PREFIX)) {
		if (dash != NULL)
			return c_err(c, "a range takes no prefix");
		if (c->c_a->a_num > addr_maxplen(id->sid_addr.a_af))
			return c_err(c, "prefix /%s is too long",
			    c->c_a->a_text);
		id->sid_addr.a_plen = (uint8_t)c->c_a->a_num;
		c->c_a = c->c_a->a_next;
		addr_apply_mask(&id->sid_addr);
	}
	id->sid_addr.a_port = 0;
	if (c_kind(c, CFG_ARG_PORT)) {
		if (!c->c_a->a_any)
			id->sid_addr.a_port = (uint16_t)c->c_a->a_num;
		c->c_a = c->c_a->a_next;
	}
	id->sid_addr_end.a_port = id->sid_addr.a_port;
	if (c_kind(c, CFG_ARG_NUMBER)) {
		(void)c_number(c, &proto);
		if (proto > 255)
			return c_err(c, "protocol %u is larger than 255",
			    proto);
		v = (int)proto;
	} else if (c_choice(c, names_proto, &v) == -1)
		return -1;
	id->sid_proto = v;
	if ((v == IPPROTO_ICMP || v == IPPROTO_ICMPV6) &&
	    id->sid_addr.a_port != 0)
		return c_err(c, "port must be \"any\" for icmp and icmp6");
	if ((v == IPPROTO_ICMP && id->sid_addr.a_af == AF_INET6) ||
	    (v == IPPROTO_ICMPV6 && id->sid_addr.a_af == AF_INET))
		return c_err(c, "upper-layer protocol does not match the "
		    "address family");
	return 0;
}

/* One side of a sainfo header. */
static int
c_said(struct cur *c, struct cfg_said *id, int remote)
{
	const char *s;
	int k;

	memset(id, 0, sizeof(*id));
	id->sid_proto = CFG_PROTO_ANY;
	if (c_is(c, "anonymous")) {
		id->sid_kind = CFG_SAID_ANONYMOUS;
		return 0;
	}
	if (remote && c_is(c, "clientaddr")) {
		id->sid_kind = CFG_SAID_CLIENTADDR;
		return 0;
	}
	if (c_peek_word(c, "asn1dn"))
		return c_err(c, "an asn1dn is not a phase 2 ID");
	if (c_choice(c, names_said, &k) == -1)
		return -1;
	id->sid_kind = (enum cfg_said_kind)k;
	if (k == CFG_SAID_ADDRESS || k == CFG_SAID_SUBNET)
		return c_said_addr(c, id);
	if (c_text(c, &s, "a quoted identifier") == -1)
		return -1;
	return (id->sid_str = c_dup(c, s)) == NULL ? -1 : 0;
}

static void
sainfo_free(struct cfg_sainfo *si)
{
	if (si == NULL)
		return;
	free(si->si_local.sid_str);
	free(si->si_remote.sid_str);
	cfg_id_free(si->si_from);
	free(si->si_group);
	free(si);
}

static int
si_pfs_group(struct cur *c, void *arg)
{
	return c_dhgroup(c, &((struct cfg_sainfo *)arg)->si_pfs);
}

static int
si_remoteid(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg_sainfo *)arg)->si_remoteid);
}

static int
si_lifetime(struct cur *c, void *arg)
{
	return c_lifetime(c, &((struct cfg_sainfo *)arg)->si_lifetime);
}

/* ALG [KEYLEN], ALG [KEYLEN], ...: each directive replaces the list. */
static int
si_algs(struct cur *c, enum alg_kind kind, struct cfg_sa_alg *list,
    int *n)
{
	int i;

	*n = 0;
	for (;;) {
		if (*n == CFG_MAX_ALGS)
			return c_err(c, "more than %d algorithms",
			    CFG_MAX_ALGS);
		if (c_alg(c, kind, kind == ALG_ENC, &list[*n].sa_alg,
		    &list[*n].sa_keylen) == -1)
			return -1;
		for (i = 0; i < *n; i++)
			if (list[i].sa_alg == list[*n].sa_alg &&
			    list[i].sa_keylen == list[*n].sa_keylen)
				return c_err(c, "%s given twice",
				    list[i].sa_alg->alg_cfgname);
		(*n)++;
		if (c->c_a == NULL)
			return 0;
		if (!c_comma(c))
			return c_expected(c, "\",\" or \";\"");
	}
}

static int
si_encryption_algorithm(struct cur *c, void *arg)
{
	struct cfg_sainfo *si = arg;

	return si_algs(c, ALG_ENC, si->si_enc, &si->si_nenc);
}

static int
si_authentication_algorithm(struct cur *c, void *arg)
{
	struct cfg_sainfo *si = arg;

	return si_algs(c, ALG_AUTH, si->si_auth, &si->si_nauth);
}

static int
si_compression_algorithm(struct cur *c, void *arg)
{
	struct cfg_sainfo *si = arg;

	return si_algs(c, ALG_COMP, si->si_comp, &si->si_ncomp);
}

static const struct dir dirs_sainfo[] = {
	{ "pfs_group", si_pfs_group, DIR_NOBLOCK, 0 },
	{ "remoteid", si_remoteid, DIR_NOBLOCK, 0 },
	{ "lifetime", si_lifetime, DIR_NOBLOCK, 0 },
	{ "encryption_algorithm", si_encryption_algorithm, DIR_NOBLOCK, 0 },
	{ "authentication_algorithm", si_authentication_algorithm,
	    DIR_NOBLOCK, 0 },
	{ "compression_algorithm", si_compression_algorithm, DIR_NOBLOCK, 0 },
	{ NULL, NULL, 0, 0 }
};

static int
said_eq(const struct cfg_said *a, const struct cfg_said *b)
{
	if (a->sid_kind != b->sid_kind || a->sid_proto != b->sid_proto)
		return 0;
	if (a->sid_str != NULL || b->sid_str != NULL)
		return a->sid_str != NULL && b->sid_str != NULL &&
		    strcmp(a->sid_str, b->sid_str) == 0;
	return addr_cmp(&a->sid_addr, &b->sid_addr) == 0 &&
	    (a->sid_kind != CFG_SAID_RANGE ||
	    addr_cmp(&a->sid_addr_end, &b->sid_addr_end) == 0);
}

static int
id_eq(const struct cfg_id *a, const struct cfg_id *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->id_type != b->id_type || a->id_qual != b->id_qual)
		return 0;
	if (a->id_value == NULL || b->id_value == NULL)
		return a->id_value == b->id_value;
	return strcmp(a->id_value, b->id_value) == 0;
}

static int
top_sainfo(struct cur *c, void *arg)
{
	struct cfg *cf = arg;
	struct cfg_sainfo *si, *o;
	const char *s;
	int errors = c->c_pc->pc_errors, aead = 1, i;

	if ((si = calloc(1, sizeof(*si))) == NULL)
		return c_err(c, "out of memory");
	si->si_file = c->c_st->s_file;
	si->si_line = c->c_st->s_line;
	si->si_lifetime = CFG_LIFETIME_DEFAULT;
	if (c_said(c, &si->si_local, 0) == -1)
		goto bad;
	if (si->si_local.sid_kind == CFG_SAID_ANONYMOUS && c->c_a == NULL)
		si->si_remote.sid_kind = CFG_SAID_ANONYMOUS;
	else if (c_said(c, &si->si_remote, 1) == -1)
		goto bad;
	if (c_is(c, "from") && (si->si_from = c_ident(c)) == NULL)
		goto bad;
	if (c_is(c, "group")) {
		if (c_string(c, &s, "a quoted group name") == -1 ||
		    (si->si_group = c_dup(c, s)) == NULL)
			goto bad;
		c_warn(c, "group is parsed but not acted on by this racoon");
	}
	if (c_end(c) == -1)
		goto bad;
	if (!c->c_st->s_has_block) {
		c_err(c, "expected \"{\"");
		goto bad;
	}
	run_block(c->c_pc, dirs_sainfo, c->c_st->s_block, si);
	c->c_a = NULL;
	if (c->c_pc->pc_errors != errors)
		goto bad;
	for (i = 0; i < si->si_nenc; i++)
		if (!(si->si_enc[i].sa_alg->alg_flags & ALG_F_AEAD))
			aead = 0;
	if (si->si_nenc == 0)
		c_err(c, "no encryption_algorithm");
	/* AES-GCM carries its own integrity: no separate one needed. */
	if (si->si_nauth == 0 && !(si->si_nenc > 0 && aead))
		c_err(c, "no authentication_algorithm");
	if (si->si_ncomp == 0)
		c_err(c, "no compression_algorithm");
	if (c->c_pc->pc_errors != errors)
		goto bad;
	TAILQ_FOREACH(o, &cf->c_sainfos, si_entry)
		if (said_eq(&o->si_local, &si->si_local) &&
		    said_eq(&o->si_remote, &si->si_remote) &&
		    id_eq(o->si_from, si->si_from) &&
		    o->si_remoteid == si->si_remoteid) {
			c_err(c, "duplicated sainfo (first at %s:%d)",
			    o->si_file, o->si_line);
			goto bad;
		}
	TAILQ_INSERT_TAIL(&cf->c_sainfos, si, si_entry);
	return 0;
bad:
	sainfo_free(si);
	return -1;
}

/* mode_cfg { } */

static int
mc_addr(struct cur *c, struct addr *a)
{
	return c_host(c, a, AF_INET);
}

static int
mc_network4(struct cur *c, void *arg)
{
	return mc_addr(c, &((struct cfg_modecfg *)arg)->mc_network4);
}

static int
mc_netmask4(struct cur *c, void *arg)
{
	return mc_addr(c, &((struct cfg_modecfg *)arg)->mc_netmask4);
}

/* ADDR[/prefix], ...: appended to list; split networks need a prefix. */
static int
mc_netlist(struct cur *c, struct cfg_nets *list, int prefix)
{
	struct cfg_net *n;
	struct addr a;

	for (;;) {
		if ((prefix ? c_net4(c, &a) : c_host(c, &a, AF_INET)) == -1)
			return -1;
		if ((n = calloc(1, sizeof(*n))) == NULL)
			return c_err(c, "out of memory");
		n->n_addr = a;
		TAILQ_INSERT_TAIL(list, n, n_entry);
		if (c->c_a == NULL)
			return 0;
		if (!c_comma(c))
			return c_expected(c, "\",\" or \";\"");
	}
}

static int
mc_strlist(struct cur *c, struct cfg_strs *list)
{
	struct cfg_str *s;
	const char *v;

	for (;;) {
		if (c_string(c, &v, "a quoted name") == -1)
			return -1;
		if ((s = calloc(1, sizeof(*s))) == NULL ||
		    (s->s_str = strdup(v)) == NULL) {
			free(s);
			return c_err(c, "out of memory");
		}
		TAILQ_INSERT_TAIL(list, s, s_entry);
		if (c->c_a == NULL)
			return 0;
		if (!c_comma(c))
			return c_expected(c, "\",\" or \";\"");
	}
}

static int
mc_dns4(struct cur *c, void *arg)
{
	return mc_netlist(c, &((struct cfg_modecfg *)arg)->mc_dns4, 0);
}

static int
mc_wins4(struct cur *c, void *arg)
{
	return mc_netlist(c, &((struct cfg_modecfg *)arg)->mc_wins4, 0);
}

static int
mc_split_network(struct cur *c, void *arg)
{
	struct cfg_modecfg *mc = arg;

	if (c_is(c, "include"))
		return mc_netlist(c, &mc->mc_split_include, 1);
	if (c_is(c, "local_lan"))
		return mc_netlist(c, &mc->mc_split_local, 1);
	return c_expected(c, "include or local_lan");
}

static int
mc_split_dns(struct cur *c, void *arg)
{
	return mc_strlist(c, &((struct cfg_modecfg *)arg)->mc_split_dns);
}

static int
mc_auth_groups(struct cur *c, void *arg)
{
	return mc_strlist(c, &((struct cfg_modecfg *)arg)->mc_auth_groups);
}

static int
mc_default_domain(struct cur *c, void *arg)
{
	const char *s;

	if (c_string(c, &s, "a quoted domain") == -1)
		return -1;
	return c_set_str(c, &((struct cfg_modecfg *)arg)->mc_default_domain,
	    s);
}

static const struct cfg_name names_source[] = {
	{ "none", CFG_SRC_NONE }, { "system", CFG_SRC_SYSTEM },
	{ "local", CFG_SRC_LOCAL }, { "radius", CFG_SRC_RADIUS },
	{ "pam", CFG_SRC_PAM }, { "ldap", CFG_SRC_LDAP }, { NULL, 0 }
};

/* One of the sources allowed (a bit per enum value). */
static int
mc_source(struct cur *c, enum cfg_source *dst, unsigned allowed)
{
	struct cfg_name t[7];
	size_t i, n = 0;
	int v;

	for (i = 0; names_source[i].n_name != NULL; i++)
		if (allowed & (1U << names_source[i].n_val))
			t[n++] = names_source[i];
	t[n].n_name = NULL;
	t[n].n_val = 0;
	if (c_choice(c, t, &v) == -1)
		return -1;
	*dst = (enum cfg_source)v;
	return 0;
}

#define SRC(x)	(1U << (x))

static int
mc_auth_source(struct cur *c, void *arg)
{
	return mc_source(c, &((struct cfg_modecfg *)arg)->mc_auth_source,
	    SRC(CFG_SRC_SYSTEM) | SRC(CFG_SRC_RADIUS) | SRC(CFG_SRC_PAM) |
	    SRC(CFG_SRC_LDAP));
}

static int
mc_group_source(struct cur *c, void *arg)
{
	return mc_source(c, &((struct cfg_modecfg *)arg)->mc_group_source,
	    SRC(CFG_SRC_SYSTEM) | SRC(CFG_SRC_LDAP));
}

static int
mc_conf_source(struct cur *c, void *arg)
{
	return mc_source(c, &((struct cfg_modecfg *)arg)->mc_conf_source,
	    SRC(CFG_SRC_LOCAL) | SRC(CFG_SRC_RADIUS) | SRC(CFG_SRC_LDAP));
}

static int
mc_accounting(struct cur *c, void *arg)
{
	return mc_source(c, &((struct cfg_modecfg *)arg)->mc_accounting,
	    SRC(CFG_SRC_NONE) | SRC(CFG_SRC_SYSTEM) | SRC(CFG_SRC_RADIUS) |
	    SRC(CFG_SRC_PAM));
}

static int
mc_pool_size(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg_modecfg *)arg)->mc_pool_size);
}

static int
mc_banner(struct cur *c, void *arg)
{
	const char *s;

	if (c_string(c, &s, "a quoted path") == -1)
		return -1;
	return c_set_str(c, &((struct cfg_modecfg *)arg)->mc_banner, s);
}

static int
mc_auth_throttle(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg_modecfg *)arg)->mc_auth_throttle);
}

static int
mc_pfs_group(struct cur *c, void *arg)
{
	struct cfg_modecfg *mc = arg;

	if (c_kind(c, CFG_ARG_NUMBER) && c->c_a->a_num == 0) {
		mc->mc_pfs_group = NULL;
		c->c_a = c->c_a->a_next;
		return 0;
	}
	return c_dhgroup(c, &mc->mc_pfs_group);
}

static int
mc_save_passwd(struct cur *c, void *arg)
{
	return c_switch(c, &((struct cfg_modecfg *)arg)->mc_save_passwd);
}

static const struct dir dirs_modecfg[] = {
	{ "network4", mc_network4, DIR_NOBLOCK, 0 },
	{ "netmask4", mc_netmask4, DIR_NOBLOCK, 0 },
	{ "dns4", mc_dns4, DIR_NOBLOCK, 0 },
	{ "nbns4", mc_wins4, DIR_NOBLOCK, 0 },
	{ "wins4", mc_wins4, DIR_NOBLOCK, 0 },
	{ "default_domain", mc_default_domain, DIR_NOBLOCK, 0 },
	{ "auth_source", mc_auth_source, DIR_NOBLOCK, 0 },
	{ "auth_groups", mc_auth_groups, DIR_NOBLOCK, 0 },
	{ "group_source", mc_group_source, DIR_NOBLOCK, 0 },
	{ "conf_source", mc_conf_source, DIR_NOBLOCK, 0 },
	{ "accounting", mc_accounting, DIR_NOBLOCK, 0 },
	{ "pool_size", mc_pool_size, DIR_NOBLOCK, 0 },
	{ "banner", mc_banner, DIR_NOBLOCK, 0 },
	{ "auth_throttle", mc_auth_throttle, DIR_NOBLOCK, 0 },
	{ "split_network", mc_split_network, DIR_NOBLOCK, 0 },
	{ "split_dns", mc_split_dns, DIR_NOBLOCK, 0 },
	{ "pfs_group", mc_pfs_group, DIR_NOBLOCK, 0 },
	{ "save_passwd", mc_save_passwd, DIR_NOBLOCK, 0 },
	{ NULL, NULL, 0, 0 }
};

static int
top_mode_cfg(struct cur *c, void *arg)
{
	struct cfg *cf = arg;

	cf->c_modecfg.mc_set = 1;
	run_block(c->c_pc, dirs_modecfg, c->c_st->s_block, &cf->c_modecfg);
	return 0;
}

/* ldapcfg { } */

#define LDAP_STR(fn, member)						\
static int								\
fn(struct cur *c, void *arg)						\
{									\
	const char *s;							\
									\
	if (c_text(c, &s, "a quoted string") == -1)			\
		return -1;						\
	return c_set_str(c, &((struct cfg_ldap *)arg)->member, s);	\
}

LDAP_STR(ld_uri, ld_uri)
LDAP_STR(ld_host, ld_host)
LDAP_STR(ld_base, ld_base)
LDAP_STR(ld_bind_dn, ld_bind_dn)
LDAP_STR(ld_attr_user, ld_attr_user)
LDAP_STR(ld_attr_addr, ld_attr_addr)
LDAP_STR(ld_attr_mask, ld_attr_mask)
LDAP_STR(ld_attr_group, ld_attr_group)
LDAP_STR(ld_attr_member, ld_attr_member)

static int
ld_bind_pw(struct cur *c, void *arg)
{
	struct cfg_ldap *ld = arg;
	const char *s;
	char *p;

	if (c_text(c, &s, "a quoted password") == -1)
		return -1;
	if ((p = c_dup(c, s)) == NULL)
		return -1;
	if (ld->ld_bind_pw != NULL)
		freezero(ld->ld_bind_pw, strlen(ld->ld_bind_pw));
	ld->ld_bind_pw = p;
	return 0;
}

static int
ld_version(struct cur *c, void *arg)
{
	struct cfg_ldap *ld = arg;

	if (c_number(c, &ld->ld_version) == -1)
		return -1;
	if (ld->ld_version != 2 && ld->ld_version != 3)
		return c_err(c, "version must be 2 or 3");
	return 0;
}

static int
ld_debug(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg_ldap *)arg)->ld_debug);
}

static int
ld_timeout(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg_ldap *)arg)->ld_timeout);
}

static int
ld_port(struct cur *c, void *arg)
{
	struct cfg_ldap *ld = arg;

	if (c_number(c, &ld->ld_port) == -1)
		return -1;
	if (ld->ld_port == 0 || ld->ld_port > 65535)
		return c_err(c, "%u is not a port", ld->ld_port);
	return 0;
}

static int
ld_subtree(struct cur *c, void *arg)
{
	return c_switch(c, &((struct cfg_ldap *)arg)->ld_subtree);
}

static const struct dir dirs_ldap[] = {
	{ "version", ld_version, DIR_NOBLOCK, 0 },
	{ "debug", ld_debug, DIR_NOBLOCK, 0 },
	{ "timeout", ld_timeout, DIR_NOBLOCK, 0 },
	{ "uri", ld_uri, DIR_NOBLOCK, 0 },
	{ "host", ld_host, DIR_NOBLOCK, 0 },
	{ "port", ld_port, DIR_NOBLOCK, 0 },
	{ "base", ld_base, DIR_NOBLOCK, 0 },
	{ "subtree", ld_subtree, DIR_NOBLOCK, 0 },
	{ "bind_dn", ld_bind_dn, DIR_NOBLOCK, 0 },
	{ "bind_pw", ld_bind_pw, DIR_NOBLOCK, 0 },
	{ "attr_user", ld_attr_user, DIR_NOBLOCK, 0 },
	{ "attr_addr", ld_attr_addr, DIR_NOBLOCK, 0 },
	{ "attr_mask", ld_attr_mask, DIR_NOBLOCK, 0 },
	{ "attr_group", ld_attr_group, DIR_NOBLOCK, 0 },
	{ "attr_member", ld_attr_member, DIR_NOBLOCK, 0 },
	{ NULL, NULL, 0, 0 }
};

static int
top_ldapcfg(struct cur *c, void *arg)
{
	struct cfg *cf = arg;

	cf->c_ldap.ld_set = 1;
	run_block(c->c_pc, dirs_ldap, c->c_st->s_block, &cf->c_ldap);
	return 0;
}

/* radiuscfg { } */

static void
radius_server_free(struct cfg_radius_server *rs)
{
	free(rs->rs_host);
	if (rs->rs_secret != NULL)
		freezero(rs->rs_secret, strlen(rs->rs_secret));
	free(rs);
}

/* HOST [port] "secret"; at most 5 of each kind, as libradius allows. */
static int
rad_server(struct cur *c, struct cfg_radius_servers *list)
{
	struct cfg_radius_server *rs;
	const char *host, *secret;
	uint32_t port = 0;
	int n = 0;

	TAILQ_FOREACH(rs, list, rs_entry)
		n++;
	if (n == 5)
		return c_err(c, "more than 5 servers");
	if (c_text(c, &host, "a quoted host") == -1)
		return -1;
	if (c_kind(c, CFG_ARG_NUMBER)) {
		(void)c_number(c, &port);
		if (port == 0 || port > 65535)
			return c_err(c, "%u is not a port", port);
	}
	if (c_text(c, &secret, "a quoted shared secret") == -1)
		return -1;
	if ((rs = calloc(1, sizeof(*rs))) == NULL ||
	    (rs->rs_host = strdup(host)) == NULL ||
	    (rs->rs_secret = strdup(secret)) == NULL) {
		if (rs != NULL)
			radius_server_free(rs);
		return c_err(c, "out of memory");
	}
	rs->rs_port = (uint16_t)port;
	TAILQ_INSERT_TAIL(list, rs, rs_entry);
	return 0;
}

static int
rad_auth(struct cur *c, void *arg)
{
	return rad_server(c, &((struct cfg_radius *)arg)->rad_auth);
}

static int
rad_acct(struct cur *c, void *arg)
{
	return rad_server(c, &((struct cfg_radius *)arg)->rad_acct);
}

static int
rad_timeout(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg_radius *)arg)->rad_timeout);
}

static int
rad_retries(struct cur *c, void *arg)
{
	return c_number(c, &((struct cfg_radius *)arg)->rad_retries);
}

static const struct dir dirs_radius[] = {
	{ "auth", rad_auth, DIR_NOBLOCK, 0 },
	{ "acct", rad_acct, DIR_NOBLOCK, 0 },
	{ "timeout", rad_timeout, DIR_NOBLOCK, 0 },
	{ "retries", rad_retries, DIR_NOBLOCK, 0 },
	{ NULL, NULL, 0, 0 }
};

static int
top_radiuscfg(struct cur *c, void *arg)
{
	struct cfg *cf = arg;

	cf->c_radius.rad_set = 1;
	run_block(c->c_pc, dirs_radius, c->c_st->s_block, &cf->c_radius);
	return 0;
}

static const struct dir dirs_top[] = {
	{ "privsep", top_privsep, DIR_BLOCK, DIR_IGNORED },
	{ "path", top_path, DIR_NOBLOCK, 0 },
	{ "include", top_include, DIR_NOBLOCK, 0 },
	{ "pfkey_buffer", top_pfkey_buffer, DIR_NOBLOCK, DIR_IGNORED },
	{ "gss_id_enc", top_gss_id_enc, DIR_NOBLOCK, DIR_IGNORED },
	{ "log", top_log, DIR_NOBLOCK, 0 },
	{ "padding", top_padding, DIR_BLOCK, 0 },
	{ "listen", top_listen, DIR_BLOCK, 0 },
	{ "timer", top_timer, DIR_BLOCK, 0 },
	{ "remote", top_remote, DIR_ANY, 0 },
	{ "sainfo", top_sainfo, DIR_ANY, 0 },
	{ "mode_cfg", top_mode_cfg, DIR_BLOCK, DIR_IGNORED },
	{ "ldapcfg", top_ldapcfg, DIR_BLOCK, DIR_IGNORED },
	{ "radiuscfg", top_radiuscfg, DIR_BLOCK, DIR_IGNORED },
	{ "complex_bundle", top_complex_bundle, DIR_NOBLOCK, DIR_IGNORED },
	{ NULL, NULL, 0, 0 }
};

/* Read each statement of a block against the table of its context. */
static void
run_block(struct cfg_pctx *pc, const struct dir *tab, struct cfg_stmt *st,
    void *obj)
{
	const struct dir *d;
	struct cur c;
	char vis[64];

	for (; st != NULL; st = st->s_next) {
		c.c_pc = pc;
		c.c_st = st;
		c.c_a = st->s_args;
		c.c_kw = st->s_args->a_text;
		log_vis(vis, sizeof(vis), c.c_kw, strlen(c.c_kw));
		if (st->s_args->a_kind != CFG_ARG_WORD) {
			cfg_diag(pc, 1, st->s_file, st->s_line,
			    "expected a keyword, got \"%s\"", vis);
			continue;
		}
		for (d = tab; d->d_name != NULL; d++)
			if (strcmp(d->d_name, c.c_kw) == 0)
				break;
		if (d->d_name == NULL) {
			cfg_diag(pc, 1, st->s_file, st->s_line,
			    "unknown keyword \"%s\"", vis);
			continue;
		}
		if (d->d_block == DIR_BLOCK && !st->s_has_block) {
			cfg_diag(pc, 1, st->s_file, st->s_line,
			    "%s: expected \"{\"", d->d_name);
			continue;
		}
		if (d->d_block == DIR_NOBLOCK && st->s_has_block) {
			cfg_diag(pc, 1, st->s_file, st->s_line,
			    "%s: takes no { block }", d->d_name);
			continue;
		}
		if (d->d_flags & DIR_IGNORED)
			cfg_diag(pc, 0, st->s_file, st->s_line,
			    "%s is parsed but not acted on by this racoon",
			    d->d_name);
		c.c_a = st->s_args->a_next;
		if (d->d_fn(&c, obj) == 0)
			(void)c_end(&c);
	}
}

/* Whole-tree checks */

/*
 * What ipsec-tools checks at the end of a remote: an exchange_mode, at
 * least one proposal, and one DH group across the proposals when
 * aggressive mode may be used (its first message carries the KE before
 * any proposal is chosen).
 */
static void
check_remote(struct cfg_pctx *pc, struct cfg_remote *r)
{
	struct cfg_proposal *p;
	const struct alg *dh = NULL;
	int i, aggr = 0;

	if (r->r_nexmode == 0)
		cfg_diag(pc, 1, r->r_file, r->r_line,
		    "remote \"%s\": no exchange_mode specified", r->r_name);
	if (TAILQ_EMPTY(&r->r_proposals))
		cfg_diag(pc, 1, r->r_file, r->r_line,
		    "remote \"%s\": no proposal", r->r_name);
	for (i = 0; i < r->r_nexmode; i++)
		if (r->r_exmode[i] == CFG_EXMODE_AGGRESSIVE)
			aggr = 1;
	TAILQ_FOREACH(p, &r->r_proposals, p_entry)
		if (aggr && p->p_auth == CFG_AUTH_PSK) {
			cfg_diag(pc, 0, r->r_file, r->r_line,
			    "remote \"%s\": aggressive mode with a pre-shared "
			    "key: its hash goes out before the peer is "
			    "authenticated and can be cracked offline",
			    r->r_name);
			break;
		}
	TAILQ_FOREACH(p, &r->r_proposals, p_entry) {
		if (!aggr)
			break;
		if (dh != NULL && dh != p->p_dh) {
			cfg_diag(pc, 1, p->p_file, p->p_line,
			    "remote \"%s\": DH group must be equal in all "
			    "proposals when aggressive mode is used",
			    r->r_name);
			break;
		}
		dh = p->p_dh;
	}
	if (r->r_named && !r->r_has_address && !r->r_passive)
		cfg_diag(pc, 0, r->r_file, r->r_line,
		    "remote \"%s\": no remote_address, so it can only answer",
		    r->r_name);
}

/*
 * NAT-T moves phase 1 to port 4500: with `listen' addresses given, one
 * of them must be an isakmp_natt one, or the float has no socket.
 */
static void
check_natt_listen(struct cfg_pctx *pc, const struct cfg *cf)
{
	const struct cfg_listen_addr *la;
	const struct cfg_remote *r;

	if (TAILQ_EMPTY(&cf->c_listen.l_addrs))
		return;
	TAILQ_FOREACH(la, &cf->c_listen.l_addrs, la_entry)
		if (la->la_natt)
			return;
	TAILQ_FOREACH(r, &cf->c_remotes, r_entry)
		if (r->r_nat_traversal != CFG_OFF) {
			cfg_diag(pc, 0, r->r_file, r->r_line,
			    "remote \"%s\": nat_traversal %s but no "
			    "isakmp_natt listen address: NAT-T cannot move "
			    "to its port", r->r_name,
			    cfg_name_switch3(r->r_nat_traversal));
			return;
		}
}

/*
 * After every statement: a proposal without its own lifetime takes its
 * remote's (done last, so that an inheriting remote's lifetime applies
 * to the proposals it inherited).
 */
static void
check_tree(struct cfg_pctx *pc, struct cfg *cf)
{
	struct cfg_remote *r;
	struct cfg_proposal *p;

	TAILQ_FOREACH(r, &cf->c_remotes, r_entry)
		TAILQ_FOREACH(p, &r->r_proposals, p_entry)
			if (p->p_lifetime == 0)
				p->p_lifetime = r->r_lifetime;
	check_natt_listen(pc, cf);
}

/* Load */

static int
cfg_init_defaults(struct cfg *cf)
{
	TAILQ_INIT(&cf->c_files);
	TAILQ_INIT(&cf->c_remotes);
	TAILQ_INIT(&cf->c_sainfos);
	TAILQ_INIT(&cf->c_listen.l_addrs);
	TAILQ_INIT(&cf->c_modecfg.mc_dns4);
	TAILQ_INIT(&cf->c_modecfg.mc_wins4);
	TAILQ_INIT(&cf->c_modecfg.mc_split_include);
	TAILQ_INIT(&cf->c_modecfg.mc_split_local);
	TAILQ_INIT(&cf->c_modecfg.mc_split_dns);
	TAILQ_INIT(&cf->c_modecfg.mc_auth_groups);
	TAILQ_INIT(&cf->c_radius.rad_auth);
	TAILQ_INIT(&cf->c_radius.rad_acct);
	cf->c_gss_id_utf16le = 1;
	cf->c_log = CFG_LOG_INFO;
	cf->c_padding.pad_randomize = 1;
	cf->c_padding.pad_maximum_length = 20;
	cf->c_padding.pad_exclusive_tail = 1;
	cf->c_listen.l_admin_mode = 0600;
	cf->c_timer.t_counter = 5;
	cf->c_timer.t_interval = 10;
	cf->c_timer.t_persend = 1;
	cf->c_timer.t_phase1 = 15;
	cf->c_timer.t_phase2 = 10;
	cf->c_timer.t_natt_keepalive = 20;
	cf->c_modecfg.mc_auth_source = CFG_SRC_SYSTEM;
	cf->c_modecfg.mc_group_source = CFG_SRC_SYSTEM;
	cf->c_modecfg.mc_conf_source = CFG_SRC_LOCAL;
	cf->c_modecfg.mc_accounting = CFG_SRC_NONE;
	cf->c_modecfg.mc_pool_size = 255;
	cf->c_modecfg.mc_network4.a_af = AF_INET;
	cf->c_modecfg.mc_netmask4.a_af = AF_INET;
	cf->c_modecfg.mc_auth_throttle = 1;
	cf->c_ldap.ld_version = 3;
	cf->c_ldap.ld_port = 389;
	cf->c_radius.rad_timeout = 3;
	cf->c_radius.rad_retries = 3;
	if ((cf->c_paths.p_pidfile = strdup("racoon.pid")) == NULL ||
	    (cf->c_paths.p_psk = strdup(SYSCONFDIR "/psk.txt")) == NULL ||
	    (cf->c_listen.l_admin_path =
	    strdup(RUNSTATEDIR "/racoon/racoon.sock")) == NULL ||
	    (cf->c_modecfg.mc_banner = strdup("/etc/motd")) == NULL ||
	    (cf->c_ldap.ld_host = strdup("localhost")) == NULL ||
	    (cf->c_ldap.ld_attr_user = strdup("cn")) == NULL ||
	    (cf->c_ldap.ld_attr_addr = strdup("racoon-address")) == NULL ||
	    (cf->c_ldap.ld_attr_mask = strdup("racoon-netmask")) == NULL ||
	    (cf->c_ldap.ld_attr_group = strdup("cn")) == NULL ||
	    (cf->c_ldap.ld_attr_member = strdup("member")) == NULL)
		return -1;
	return 0;
}

void
cfg_arg_free(struct cfg_arg *a)
{
	struct cfg_arg *next;

	for (; a != NULL; a = next) {
		next = a->a_next;
		/* A token may be a secret (bind_pw, radius secrets). */
		if (a->a_text != NULL)
			freezero(a->a_text, strlen(a->a_text));
		free(a);
	}
}

void
cfg_stmt_free(struct cfg_stmt *s)
{
	struct cfg_stmt *next;

	for (; s != NULL; s = next) {
		next = s->s_next;
		cfg_arg_free(s->s_args);
		cfg_stmt_free(s->s_block);
		free(s);
	}
}

/*
 * Parse name's bytes (or, with data NULL, the file name) into a new
 * tree.  Every error is reported; NULL if there was any.
 */
static struct cfg *
cfg_load_common(const char *name, const void *data, size_t len,
    const struct cfg_opts *opts)
{
	struct cfg_pctx pc;
	struct cfg *cf;
	int rc = -1;

	memset(&pc, 0, sizeof(pc));
	if (opts != NULL)
		pc.pc_opts = *opts;
	if ((cf = calloc(1, sizeof(*cf))) == NULL) {
		diag_emit(&pc, 1, "out of memory");
		return NULL;
	}
	pc.pc_cfg = cf;
	if (cfg_init_defaults(cf) == -1 || cfg_lex_init(&pc) == -1) {
		cfg_diag(&pc, 1, name, 0, "out of memory");
		goto out;
	}
	if (data != NULL) {
		if (cfg_lex_open(&pc, name, data, len) == -1)
			goto out;
	} else if (cfg_lex_open_file(&pc, name) == -1)
		goto out;
	/*
	 * After a syntax error the statements that were read are still
	 * checked, so that one run reports every error; the tree is then
	 * thrown away.
	 */
	(void)cfg_parse_run(&pc);
	run_block(&pc, dirs_top, pc.pc_root, cf);
	check_tree(&pc, cf);
	rc = pc.pc_errors == 0 ? 0 : -1;
out:
	cfg_lex_destroy(&pc);
	cfg_stmt_free(pc.pc_root);
	free(pc.pc_path_include);
	diag_flush(&pc);
	if (rc == -1) {
		cfg_free(cf);
		return NULL;
	}
	return cf;
}

struct cfg *
cfg_load(const char *path, const struct cfg_opts *opts)
{
	return cfg_load_common(path, NULL, 0, opts);
}

struct cfg *
cfg_load_mem(const char *name, const void *data, size_t len,
    const struct cfg_opts *opts)
{
	static const char empty[1];

	return cfg_load_common(name, data != NULL ? data : empty, len, opts);
}

static void
nets_free(struct cfg_nets *l)
{
	struct cfg_net *n;

	while ((n = TAILQ_FIRST(l)) != NULL) {
		TAILQ_REMOVE(l, n, n_entry);
		free(n);
	}
}

static void
strs_free(struct cfg_strs *l)
{
	struct cfg_str *s;

	while ((s = TAILQ_FIRST(l)) != NULL) {
		TAILQ_REMOVE(l, s, s_entry);
		free(s->s_str);
		free(s);
	}
}

void
cfg_free(struct cfg *cf)
{
	struct cfg_remote *r;
	struct cfg_sainfo *si;
	struct cfg_listen_addr *la;
	struct cfg_radius_server *rs;
	struct cfg_ldap *ld;

	if (cf == NULL)
		return;
	free(cf->c_privsep.ps_user);
	free(cf->c_privsep.ps_group);
	free(cf->c_privsep.ps_chroot);
	free(cf->c_paths.p_include);
	free(cf->c_paths.p_psk);
	free(cf->c_paths.p_certificate);
	free(cf->c_paths.p_script);
	free(cf->c_paths.p_backupsa);
	free(cf->c_paths.p_pidfile);
	free(cf->c_paths.p_keylog);
	while ((la = TAILQ_FIRST(&cf->c_listen.l_addrs)) != NULL) {
		TAILQ_REMOVE(&cf->c_listen.l_addrs, la, la_entry);
		free(la);
	}
	free(cf->c_listen.l_admin_path);
	free(cf->c_listen.l_admin_owner);
	free(cf->c_listen.l_admin_group);
	while ((r = TAILQ_FIRST(&cf->c_remotes)) != NULL) {
		TAILQ_REMOVE(&cf->c_remotes, r, r_entry);
		remote_free(r);
	}
	while ((si = TAILQ_FIRST(&cf->c_sainfos)) != NULL) {
		TAILQ_REMOVE(&cf->c_sainfos, si, si_entry);
		sainfo_free(si);
	}
	nets_free(&cf->c_modecfg.mc_dns4);
	nets_free(&cf->c_modecfg.mc_wins4);
	nets_free(&cf->c_modecfg.mc_split_include);
	nets_free(&cf->c_modecfg.mc_split_local);
	strs_free(&cf->c_modecfg.mc_split_dns);
	strs_free(&cf->c_modecfg.mc_auth_groups);
	free(cf->c_modecfg.mc_default_domain);
	free(cf->c_modecfg.mc_banner);
	ld = &cf->c_ldap;
	free(ld->ld_uri);
	free(ld->ld_host);
	free(ld->ld_base);
	free(ld->ld_bind_dn);
	if (ld->ld_bind_pw != NULL)
		freezero(ld->ld_bind_pw, strlen(ld->ld_bind_pw));
	free(ld->ld_attr_user);
	free(ld->ld_attr_addr);
	free(ld->ld_attr_mask);
	free(ld->ld_attr_group);
	free(ld->ld_attr_member);
	while ((rs = TAILQ_FIRST(&cf->c_radius.rad_auth)) != NULL) {
		TAILQ_REMOVE(&cf->c_radius.rad_auth, rs, rs_entry);
		radius_server_free(rs);
	}
	while ((rs = TAILQ_FIRST(&cf->c_radius.rad_acct)) != NULL) {
		TAILQ_REMOVE(&cf->c_radius.rad_acct, rs, rs_entry);
		radius_server_free(rs);
	}
	strs_free(&cf->c_files);
	free(cf);
}

/* For cfg_print.c. */
const char *
cfg_name_loglevel(enum cfg_loglevel l)
{
	return name_of(names_log, (int)l);
}

const char *
cfg_name_pcheck(enum cfg_pcheck p)
{
	return name_of(names_pcheck, (int)p);
}

const char *
cfg_name_switch3(enum cfg_switch3 s)
{
	return name_of(names_switch3, (int)s);
}

const char *
cfg_name_proto(int proto)
{
	return name_of(names_proto, proto);
}

const char *
cfg_name_source(enum cfg_source s)
{
	return name_of(names_source, (int)s);
}
