/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The setkey script grammar (ipsec-tools' language): SAD commands (add,
 * get, delete, deleteall, flush, dump), SPD commands (spdadd, spdupdate,
 * spddelete, spdflush, spddump) with the whole -P policy syntax.  Pure
 * and reentrant; every statement becomes a struct cmd (cmd.h) appended
 * to the caller's list, nothing is sent from here.  Errors read
 * "file:line: message"; the grammar recovers at ';' so every error of a
 * script is reported, and a script with any error yields no commands.
 */
%define api.pure full
%define api.prefix {setkey_yy}
%define parse.error verbose
%locations
%lex-param {yyscan_t scanner}
%parse-param {struct parse_ctx *ctx} {yyscan_t scanner}

%code requires {
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "cmd.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* What one parse carries; the lexer sees it as its extra data. */
struct parse_ctx {
	struct cmd_errs	 pc_errs;
	struct cmd_list	*pc_cmds;
	struct cmd	*pc_cur;	/* the statement being read */
	FILE		*pc_warn;	/* warnings, or NULL */
	int		 pc_badchar;	/* -1, or the byte the lexer refused */
	char		 pc_badword[24];	/* or an unknown option */
};
}

%code provides {
/*
 * Parse a whole script.  buf holds len bytes followed by two NUL bytes
 * (flex scans it in place: yy_scan_buffer); it must hold no other NUL.
 * name prefixes error messages, which go to errout, and warnings (a weak
 * algorithm), which go to warnout; NULL silences either.  The
 * statements are appended to cmds.  Returns the number of errors; when
 * there is any, cmds is left empty.
 */
int	 parse_script(const char *, FILE *, FILE *, char *, size_t,
	    struct cmd_list *);

/* For the lexer. */
void	 parse_lex_badchar(struct parse_ctx *, int);
void	 parse_lex_badword(struct parse_ctx *, const char *);
void	 parse_lex_fatal(const char *) __attribute__((noreturn));
int	 setkey_yylex(SETKEY_YYSTYPE *, SETKEY_YYLTYPE *, yyscan_t);
}

%code {
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define CUR	(ctx->pc_cur)
/* Longest key a script may give: 512 bytes is beyond every algorithm. */
#define PARSE_KEY_MAX	512

struct yy_buffer_state;
int	 setkey_yylex_init_extra(struct parse_ctx *, yyscan_t *);
int	 setkey_yylex_destroy(yyscan_t);
void	 setkey_yyset_lineno(int, yyscan_t);
struct yy_buffer_state *setkey_yy_scan_buffer(char *, size_t, yyscan_t);

static void	 setkey_yyerror(SETKEY_YYLTYPE *, struct parse_ctx *,
		    yyscan_t, const char *);
static void	 parse_begin(struct parse_ctx *, enum cmd_type, int);
static void	 parse_commit(struct parse_ctx *);
static void	 parse_drop(struct parse_ctx *);
static void	 parse_str_free(char *);
static int	 parse_num(struct parse_ctx *, char *, int, uint64_t,
		    const char *, uint64_t *);
static struct addr parse_addr(struct parse_ctx *, char *, int, int);
static struct cmd_key *parse_hexkey(struct parse_ctx *, char *, int);
static struct cmd_key *parse_strkey(struct parse_ctx *, char *, int);
static const struct alg *parse_alg(struct parse_ctx *, enum alg_kind,
		    char *, int);
static void	 parse_setkey(struct cmd_key *, struct cmd_key *);
static void	 parse_addropt(struct parse_ctx *, char *, int);
static void	 parse_ulproto(struct parse_ctx *, char *, int);
static void	 parse_icmp(struct parse_ctx *, char *, int);
static uint32_t	 parse_prio(struct parse_ctx *, uint32_t, int, char *, int);
}

%union {
	uint64_t	 num;
	char		*str;
	struct cmd_key	*key;
	struct addr	 addr;
}

%token ADD "add" GET "get" DELETE "delete" DELETEALL "deleteall"
%token FLUSH "flush" DUMP "dump" SPDADD "spdadd" SPDUPDATE "spdupdate"
%token SPDDELETE "spddelete" SPDFLUSH "spdflush" SPDDUMP "spddump"
%token EXIT "exit"
%token PR_ESP "esp" PR_AH "ah" PR_IPCOMP "ipcomp" PR_ESPUDP "esp-udp"
%token PR_TCP "tcp"
%token F_ENC "-E" F_AUTH "-A" F_COMP "-C" F_RAWCPI "-R" F_MODE "-m"
%token F_REQID "-u" F_REPLAY "-r" F_EXT "-f" F_LH "-lh" F_LS "-ls"
%token F_BH "-bh" F_BS "-bs" F_POLICY "-P"
%token ANY "any" NOCYCLICSEQ "nocyclic-seq"
%token PRIORITY "prio" PLUS "+" MINUS "-"
%token EOT "';'" BADCHAR "invalid character"
%token <num> MODE "mode" EXTENSION "padding option" DIR "direction"
%token <num> PRIO_BASE "priority base" ACTION "policy action"
%token <str> ADDROPT "address option" DECSTRING "number"
%token <str> HEXSTRING "hex number" TYPECODE "type,code" QUOTED "string"
%token <str> WORD "word" REQUEST "policy request" PWORD "policy word"

%type <addr> sa_addr spd_addr
%type <key> key
%type <num> prio

%destructor { parse_str_free($$); } <str>
%destructor { if ($$ != NULL) { cmd_key_clear($$); free($$); } } <key>

%%

script	: %empty
	| script statement
	;

statement
	: command EOT		{ parse_commit(ctx); }
	| error EOT		{ yyerrok; parse_drop(ctx); }
	;

command
	: ADD { parse_begin(ctx, CMD_ADD, @1.first_line); }
	    addropts sa_addr[src] sa_addr[dst] protocol spi exts algs
		{ CUR->c_src = $src; CUR->c_dst = $dst; }
	| GET { parse_begin(ctx, CMD_GET, @1.first_line); }
	    addropts sa_addr[src] sa_addr[dst] protocol spi exts
		{ CUR->c_src = $src; CUR->c_dst = $dst; }
	| DELETE { parse_begin(ctx, CMD_DELETE, @1.first_line); }
	    addropts sa_addr[src] sa_addr[dst] protocol spi exts
		{ CUR->c_src = $src; CUR->c_dst = $dst; }
	| DELETEALL { parse_begin(ctx, CMD_DELETEALL, @1.first_line); }
	    addropts sa_addr[src] sa_addr[dst] protocol
		{ CUR->c_src = $src; CUR->c_dst = $dst; }
	| FLUSH { parse_begin(ctx, CMD_FLUSH, @1.first_line); } protocol
	| DUMP { parse_begin(ctx, CMD_DUMP, @1.first_line); } protocol
	| SPDADD { parse_begin(ctx, CMD_SPDADD, @1.first_line); }
	    addropts spd_addr[src] spd_addr[dst] upper policy
		{ CUR->c_src = $src; CUR->c_dst = $dst; }
	| SPDUPDATE { parse_begin(ctx, CMD_SPDUPDATE, @1.first_line); }
	    addropts spd_addr[src] spd_addr[dst] upper policy
		{ CUR->c_src = $src; CUR->c_dst = $dst; }
	| SPDDELETE { parse_begin(ctx, CMD_SPDDELETE, @1.first_line); }
	    addropts spd_addr[src] spd_addr[dst] upper policy
		{ CUR->c_src = $src; CUR->c_dst = $dst; }
	| SPDFLUSH		{ parse_begin(ctx, CMD_SPDFLUSH, @1.first_line); }
	| SPDDUMP		{ parse_begin(ctx, CMD_SPDDUMP, @1.first_line); }
	| EXIT			{ parse_begin(ctx, CMD_EXIT, @1.first_line); }
	;

addropts
	: %empty
	| addropts ADDROPT	{ parse_addropt(ctx, $2, @2.first_line); }
	;

sa_addr	: WORD			{ $$ = parse_addr(ctx, $1, ADDR_PORT,
				      @1.first_line); }
	;

spd_addr
	: WORD			{ $$ = parse_addr(ctx, $1,
				      ADDR_PORT | ADDR_PREFIX, @1.first_line); }
	;

protocol
	: %empty		{ CUR->c_satype = SADB_SATYPE_UNSPEC; }
	| PR_ESP		{ CUR->c_satype = SADB_SATYPE_ESP; }
	| PR_AH			{ CUR->c_satype = SADB_SATYPE_AH; }
	| PR_IPCOMP		{ CUR->c_satype = SADB_X_SATYPE_IPCOMP; }
	| PR_TCP		{ CUR->c_satype = CMD_SATYPE_TCPSIG; }
	| PR_ESPUDP		{ CUR->c_satype = SADB_SATYPE_ESP;
				  CUR->c_natt = 1; }
	| PR_ESPUDP WORD	{ CUR->c_satype = SADB_SATYPE_ESP;
				  CUR->c_natt = 1;
				  CUR->c_natt_oa = parse_addr(ctx, $2, 0,
				      @2.first_line);
				  CUR->c_natt_oa_set = 1; }
	;

spi	: DECSTRING		{ uint64_t v;
				  if (parse_num(ctx, $1, @1.first_line,
				      UINT32_MAX, "SPI", &v) == 0)
					CUR->c_spi = (uint32_t)v; }
	| HEXSTRING		{ uint64_t v;
				  if (parse_num(ctx, $1, @1.first_line,
				      UINT32_MAX, "SPI", &v) == 0)
					CUR->c_spi = (uint32_t)v; }
	;

exts	: %empty
	| exts ext
	;

ext	: F_MODE MODE		{ CUR->c_mode = (uint8_t)$2; }
	| F_MODE ANY		{ CUR->c_mode = IPSEC_MODE_ANY; }
	| F_REQID DECSTRING	{ uint64_t v;
				  if (parse_num(ctx, $2, @2.first_line,
				      UINT32_MAX, "reqid", &v) == 0)
					CUR->c_reqid = (uint32_t)v; }
	| F_REPLAY DECSTRING	{ uint64_t v;
				  if (parse_num(ctx, $2, @2.first_line, 255,
				      "replay window", &v) == 0)
					CUR->c_replay = (uint8_t)v; }
	| F_EXT EXTENSION	{ CUR->c_flags = (CUR->c_flags &
				      ~(uint32_t)CMD_SAF_PMASK) |
				      (uint32_t)$2; }
	| F_EXT NOCYCLICSEQ	{ CUR->c_flags &= ~(uint32_t)CMD_SAF_CYCSEQ; }
	| F_LH DECSTRING	{ (void)parse_num(ctx, $2, @2.first_line,
				      UINT64_MAX, "lifetime",
				      &CUR->c_hard_time); }
	| F_LS DECSTRING	{ (void)parse_num(ctx, $2, @2.first_line,
				      UINT64_MAX, "lifetime",
				      &CUR->c_soft_time); }
	| F_BH DECSTRING	{ (void)parse_num(ctx, $2, @2.first_line,
				      UINT64_MAX, "byte lifetime",
				      &CUR->c_hard_bytes); }
	| F_BS DECSTRING	{ (void)parse_num(ctx, $2, @2.first_line,
				      UINT64_MAX, "byte lifetime",
				      &CUR->c_soft_bytes); }
	;

algs	: enc
	| enc auth
	| auth
	| comp
	;

enc	: F_ENC WORD key	{ CUR->c_enc = parse_alg(ctx, ALG_ENC, $2,
				      @2.first_line);
				  parse_setkey(&CUR->c_enckey, $3); }
	;

auth	: F_AUTH WORD key	{ CUR->c_auth = parse_alg(ctx, ALG_AUTH, $2,
				      @2.first_line);
				  parse_setkey(&CUR->c_authkey, $3); }
	;

comp	: F_COMP WORD		{ CUR->c_comp = parse_alg(ctx, ALG_COMP, $2,
				      @2.first_line); }
	| F_COMP WORD F_RAWCPI	{ CUR->c_comp = parse_alg(ctx, ALG_COMP, $2,
				      @2.first_line);
				  CUR->c_flags |= CMD_SAF_RAWCPI; }
	;

key	: %empty		{ $$ = NULL; }
	| HEXSTRING		{ $$ = parse_hexkey(ctx, $1, @1.first_line); }
	| QUOTED		{ $$ = parse_strkey(ctx, $1, @1.first_line); }
	;

upper	: ulproto
	| ulproto TYPECODE	{ parse_icmp(ctx, $2, @2.first_line); }
	| ulproto DECSTRING	{ parse_icmp(ctx, $2, @2.first_line); }
	;

ulproto	: DECSTRING		{ parse_ulproto(ctx, $1, @1.first_line); }
	| WORD			{ parse_ulproto(ctx, $1, @1.first_line); }
	| ANY			{ CUR->c_ulproto = IPSEC_ULPROTO_ANY; }
	| PR_TCP		{ CUR->c_ulproto = IPPROTO_TCP; }
	| PR_ESP		{ CUR->c_ulproto = IPPROTO_ESP; }
	| PR_AH			{ CUR->c_ulproto = IPPROTO_AH; }
	| PR_IPCOMP		{ CUR->c_ulproto = IPPROTO_COMP; }
	;

policy	: F_POLICY DIR		{ CUR->c_pol.pp_dir = (uint8_t)$2;
				  CUR->c_pol.pp_priority = 0; }
	| F_POLICY DIR prio ACTION
				{ CUR->c_pol.pp_dir = (uint8_t)$2;
				  CUR->c_pol.pp_priority = (uint32_t)$3;
				  CUR->c_pol.pp_type = (uint16_t)$4;
				  CUR->c_pol_action = 1; }
	    requests
	;

prio	: %empty		{ $$ = CMD_PRIO_DEFAULT; }
	| PRIORITY DECSTRING	{ $$ = parse_prio(ctx, CMD_PRIO_DEFAULT, '+',
				      $2, @2.first_line); }
	| PRIORITY MINUS DECSTRING
				{ $$ = parse_prio(ctx, CMD_PRIO_DEFAULT, '-',
				      $3, @3.first_line); }
	| PRIORITY PRIO_BASE	{ $$ = $2; }
	| PRIORITY PRIO_BASE PLUS DECSTRING
				{ $$ = parse_prio(ctx, (uint32_t)$2, 'b',
				      $4, @4.first_line); }
	| PRIORITY PRIO_BASE MINUS DECSTRING
				{ $$ = parse_prio(ctx, (uint32_t)$2, 'l',
				      $4, @4.first_line); }
	;

requests
	: %empty
	| requests REQUEST	{ if (cmd_policy_request(&CUR->c_pol, $2,
				      @2.first_line, &ctx->pc_errs) == -1)
					CUR->c_bad = 1;
				  parse_str_free($2); }
	;

%%

static void
setkey_yyerror(SETKEY_YYLTYPE *loc, struct parse_ctx *ctx, yyscan_t scanner,
    const char *msg)
{
	int c = ctx->pc_badchar;

	(void)scanner;
	if (ctx->pc_badword[0] != '\0') {
		cmd_error(&ctx->pc_errs, loc->first_line,
		    "unknown option \"%s\"", ctx->pc_badword);
		ctx->pc_badword[0] = '\0';
	} else if (c != -1) {
		ctx->pc_badchar = -1;
		if (c > ' ' && c < 127)
			cmd_error(&ctx->pc_errs, loc->first_line,
			    "invalid character '%c'", c);
		else
			cmd_error(&ctx->pc_errs, loc->first_line,
			    "invalid character '\\%03o'", (unsigned)c);
	} else
		cmd_error(&ctx->pc_errs, loc->first_line, "%s", msg);
}

void
parse_lex_badchar(struct parse_ctx *ctx, int c)
{
	ctx->pc_badchar = c;
}

void
parse_lex_badword(struct parse_ctx *ctx, const char *word)
{
	/* Options are short; a long word is cut, its start names it. */
	snprintf(ctx->pc_badword, sizeof(ctx->pc_badword), "%s", word);
}

void
parse_lex_fatal(const char *msg)
{
	errx(1, "setkey script scanner: %s", msg);
}

static void
parse_begin(struct parse_ctx *ctx, enum cmd_type type, int line)
{
	cmd_free(CUR);
	if ((CUR = cmd_new(type, line)) == NULL)
		err(1, "cmd_new");
}

static void
parse_commit(struct parse_ctx *ctx)
{
	struct cmd *c = CUR;

	CUR = NULL;
	if (c->c_bad || cmd_check(c, &ctx->pc_errs) == -1) {
		cmd_free(c);
		return;
	}
	TAILQ_INSERT_TAIL(ctx->pc_cmds, c, c_entry);
}

static void
parse_drop(struct parse_ctx *ctx)
{
	cmd_free(CUR);
	CUR = NULL;
	/* Tokens skipped while recovering leave nothing for later errors. */
	ctx->pc_badchar = -1;
	ctx->pc_badword[0] = '\0';
}

/* Token text may be a key: wipe it. */
static void
parse_str_free(char *s)
{
	if (s != NULL)
		freezero(s, strlen(s));
}

static void
parse_bad(struct parse_ctx *ctx)
{
	if (CUR != NULL)
		CUR->c_bad = 1;
}

static int
parse_num(struct parse_ctx *ctx, char *s, int line, uint64_t max,
    const char *what, uint64_t *out)
{
	int rc = 0;

	if (str_to_uint(s, max, out) == -1) {
		cmd_error(&ctx->pc_errs, line, "%s %s is out of range "
		    "(0 to %llu)", what, s, (unsigned long long)max);
		parse_bad(ctx);
		rc = -1;
	}
	parse_str_free(s);
	return rc;
}

static struct addr
parse_addr(struct parse_ctx *ctx, char *s, int flags, int line)
{
	struct addr a;
	const char *why = "";

	memset(&a, 0, sizeof(a));
	if (addr_parse(s, flags, &a, &why) == -1) {
		cmd_error(&ctx->pc_errs, line, "bad address \"%s\": %s", s,
		    why);
		parse_bad(ctx);
	} else if (CUR != NULL && CUR->c_family != AF_UNSPEC &&
	    CUR->c_family != a.a_af && flags != 0) {
		cmd_error(&ctx->pc_errs, line, "address \"%s\" is not %s", s,
		    CUR->c_family == AF_INET ? "IPv4 (-4)" : "IPv6 (-6)");
		parse_bad(ctx);
	}
	parse_str_free(s);
	return a;
}

static void
parse_addropt(struct parse_ctx *ctx, char *s, int line)
{
	const char *p;

	/* -n (numeric only) is what we do anyway: no name lookups. */
	for (p = s + 1; *p != '\0'; p++)
		if (*p == '4')
			CUR->c_family = AF_INET;
		else if (*p == '6')
			CUR->c_family = AF_INET6;
	(void)line;
	parse_str_free(s);
}

static struct cmd_key *
parse_key_new(void)
{
	struct cmd_key *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		err(1, "key");
	return k;
}

static struct cmd_key *
parse_hexkey(struct parse_ctx *ctx, char *s, int line)
{
	struct cmd_key *k = NULL;
	struct rbuf rb;
	struct wbuf wb;
	size_t digits = strlen(s) - 2;
	char nib[3] = "0";

	if (digits > 2 * PARSE_KEY_MAX) {
		cmd_error(&ctx->pc_errs, line, "key longer than %d bytes",
		    PARSE_KEY_MAX);
		parse_bad(ctx);
		goto out;
	}
	k = parse_key_new();
	k->k_len = (digits + 1) / 2;
	if ((k->k_data = malloc(k->k_len)) == NULL)
		err(1, "key");
	wbuf_init_fixed(&wb, k->k_data, k->k_len);
	/* An odd count gets a leading zero nibble, as libipsec does. */
	if (digits % 2) {
		nib[1] = s[2];
		rbuf_init(&rb, nib, 2);
		(void)rbuf_get_hex(&rb, &wb);
		rbuf_init(&rb, s + 3, digits - 1);
	} else
		rbuf_init(&rb, s + 2, digits);
	if (rbuf_get_hex(&rb, &wb) == -1 || wbuf_len(&wb) != k->k_len)
		parse_lex_fatal("hex key decoding");
	mem_wipe(nib, sizeof(nib));
out:
	parse_str_free(s);
	return k;
}

static struct cmd_key *
parse_strkey(struct parse_ctx *ctx, char *s, int line)
{
	struct cmd_key *k = NULL;
	size_t len = strlen(s) - 2;

	if (len > PARSE_KEY_MAX) {
		cmd_error(&ctx->pc_errs, line, "key longer than %d bytes",
		    PARSE_KEY_MAX);
		parse_bad(ctx);
	} else if (len == 0) {
		cmd_error(&ctx->pc_errs, line, "empty key");
		parse_bad(ctx);
	} else {
		k = parse_key_new();
		if ((k->k_data = malloc(len)) == NULL)
			err(1, "key");
		memcpy(k->k_data, s + 1, len);
		k->k_len = len;
	}
	parse_str_free(s);
	return k;
}

static void
parse_setkey(struct cmd_key *dst, struct cmd_key *k)
{
	cmd_key_clear(dst);
	if (k != NULL) {
		*dst = *k;
		free(k);
	}
}

static const struct alg *
parse_alg(struct parse_ctx *ctx, enum alg_kind kind, char *name, int line)
{
	const struct alg *a;

	if ((a = alg_by_name(kind, name)) == NULL) {
		cmd_error(&ctx->pc_errs, line, "unknown algorithm \"%s\"",
		    name);
		parse_bad(ctx);
	} else if ((a->alg_flags & ALG_F_WEAK) && ctx->pc_warn != NULL)
		fprintf(ctx->pc_warn, "%s:%d: warning: %s is weak\n",
		    ctx->pc_errs.ce_name, line, name);
	parse_str_free(name);
	return a;
}

static void
parse_ulproto(struct parse_ctx *ctx, char *s, int line)
{
	uint64_t v;
	int p;

	if (s[0] >= '0' && s[0] <= '9') {
		if (str_to_uint(s, 255, &v) == 0)
			CUR->c_ulproto = (uint8_t)v;
		else {
			cmd_error(&ctx->pc_errs, line, "upper-layer protocol "
			    "%s is above 255", s);
			parse_bad(ctx);
		}
	} else if ((p = cmd_ulproto_byname(s)) != -1)
		CUR->c_ulproto = (uint8_t)p;
	else {
		cmd_error(&ctx->pc_errs, line, "unknown upper-layer protocol "
		    "\"%s\"", s);
		parse_bad(ctx);
	}
	parse_str_free(s);
}

/* "type" or "type,code" after icmp or icmp6: they travel as ports. */
static void
parse_icmp(struct parse_ctx *ctx, char *s, int line)
{
	uint64_t type, code = 0;
	char *comma = strchr(s, ',');

	if (comma != NULL)
		*comma++ = '\0';
	if (str_to_uint(s, 255, &type) == -1 ||
	    (comma != NULL && str_to_uint(comma, 255, &code) == -1)) {
		cmd_error(&ctx->pc_errs, line, "icmp type and code must be "
		    "0 to 255");
		parse_bad(ctx);
	} else {
		CUR->c_icmp = 1;
		CUR->c_icmptype = (uint8_t)type;
		CUR->c_icmpcode = (uint8_t)code;
	}
	parse_str_free(s);
}

/*
 * libipsec's priorities: "prio n" is default - n, "prio -n" default + n,
 * "prio base + n" is base - n, "prio base - n" base + n: a lower number
 * is a higher priority.
 */
static uint32_t
parse_prio(struct parse_ctx *ctx, uint32_t base, int how, char *s, int line)
{
	uint64_t max, v;

	switch (how) {
	case '+':
		max = CMD_PRIO_DEFAULT;
		break;
	case '-':
		max = UINT32_MAX - CMD_PRIO_DEFAULT;
		break;
	case 'b':
		max = CMD_PRIO_OFF_NEG_MAX;
		break;
	default:
		max = CMD_PRIO_OFF_POS_MAX;
		break;
	}
	if (str_to_uint(s, max, &v) == -1) {
		cmd_error(&ctx->pc_errs, line, "priority offset %s is out of "
		    "range (0 to %llu)", s, (unsigned long long)max);
		parse_bad(ctx);
		v = 0;
	}
	parse_str_free(s);
	return how == '+' || how == 'b' ? base - (uint32_t)v :
	    base + (uint32_t)v;
}

int
parse_script(const char *name, FILE *errout, FILE *warnout, char *buf,
    size_t len, struct cmd_list *cmds)
{
	struct parse_ctx ctx;
	yyscan_t scanner;

	memset(&ctx, 0, sizeof(ctx));
	ctx.pc_errs.ce_out = errout;
	ctx.pc_errs.ce_name = name;
	ctx.pc_warn = warnout;
	ctx.pc_cmds = cmds;
	ctx.pc_badchar = -1;
	if (setkey_yylex_init_extra(&ctx, &scanner) != 0)
		err(1, "setkey_yylex_init_extra");
	if (setkey_yy_scan_buffer(buf, len + 2, scanner) == NULL)
		errx(1, "script buffer not terminated");
	setkey_yyset_lineno(1, scanner);
	if (setkey_yyparse(&ctx, scanner) != 0 && ctx.pc_errs.ce_count == 0)
		cmd_error(&ctx.pc_errs, 0, "parser stopped");
	setkey_yylex_destroy(scanner);
	parse_drop(&ctx);
	if (ctx.pc_errs.ce_count > 0)
		cmd_list_free(cmds);
	return ctx.pc_errs.ce_count;
}
