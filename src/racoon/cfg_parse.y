/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * racoon.conf grammar: statements, each a list of arguments ended by ';'
 * or followed by a { block } of statements, into a syntax tree
 * (cfg_syn.h).  What a statement means is cfg.c's business; here only
 * the shape is checked.  A syntax error is reported with its file and
 * line, and parsing goes on after the next ';' or '}', so that one run
 * reports every error of a file.
 *
 * A top-level `include "pattern";` is acted on as soon as its ';' is
 * read (the rule reduces without a lookahead), so the included files'
 * statements follow it in the tree, in order.  A relative pattern is
 * taken under `path include` if that came before, as ipsec-tools does.
 */
%define api.pure full
%define api.prefix {cfgyy}
%define api.token.prefix {CFG_TOK_}
%define api.location.type {struct cfg_loc}
%define parse.error verbose
%locations
%param {void *scanner}
%parse-param {struct cfg_pctx *pc}

%code requires {
#include "cfg_syn.h"

struct cfg_loc {
	const char	*file;
	int		 line;
};
}

%code provides {
int	cfgyylex(CFGYYSTYPE *, CFGYYLTYPE *, void *);
}

%code {
#include <stdlib.h>
#include <string.h>

#define YYLLOC_DEFAULT(cur, rhs, n) do {				\
	if (n)								\
		(cur) = YYRHSLOC(rhs, 1);				\
	else								\
		(cur) = YYRHSLOC(rhs, 0);				\
} while (0)

static void	 cfgyyerror(CFGYYLTYPE *, void *, struct cfg_pctx *,
		    const char *);
static struct cfg_stmt *stmt_new(struct cfg_pctx *, CFGYYLTYPE *,
		    struct cfg_arg *);
static void	 stmt_top(struct cfg_pctx *, struct cfg_stmt *);
}

%union {
	struct cfg_arg	*arg;
	struct cfg_stmt	*stmt;
	struct {
		struct cfg_arg	*head;
		struct cfg_arg	*tail;
	} args;
	struct {
		struct cfg_stmt	*head;
		struct cfg_stmt	*tail;
	} stmts;
}

%token <arg> ARG "argument"
%token BAD "invalid token"
%type <args> args
%type <stmt> stmt
%type <stmts> body block

%destructor { cfg_arg_free($$); } <arg>
%destructor { cfg_arg_free($$.head); } <args>
%destructor { cfg_stmt_free($$); } <stmt>
%destructor { cfg_stmt_free($$.head); } <stmts>

%%

conf
	: %empty
	| conf stmt		{ stmt_top(pc, $2); }
	| conf error ';'
	| conf error '}'
	;

stmt
	: args ';'
		{
			$$ = stmt_new(pc, &@1, $1.head);
			if ($$ == NULL)
				YYNOMEM;
		}
	| args block
		{
			$$ = stmt_new(pc, &@1, $1.head);
			if ($$ == NULL) {
				cfg_stmt_free($2.head);
				YYNOMEM;
			}
			$$->s_has_block = 1;
			$$->s_block = $2.head;
		}
	;

block
	: '{' body '}'		{ $$ = $2; }
	| '{' body error '}'	{ $$ = $2; }
	;

body
	: %empty		{ $$.head = $$.tail = NULL; }
	| body stmt
		{
			$$ = $1;
			if ($$.tail == NULL)
				$$.head = $2;
			else
				$$.tail->s_next = $2;
			$$.tail = $2;
		}
	| body error ';'	{ $$ = $1; }
	;

args
	: ARG			{ $$.head = $$.tail = $1; }
	| args ARG
		{
			$$ = $1;
			$$.tail->a_next = $2;
			$$.tail = $2;
		}
	;

%%

static void
cfgyyerror(CFGYYLTYPE *loc, void *scanner, struct cfg_pctx *pc,
    const char *msg)
{
	cfg_diag(pc, 1, loc->file, loc->line, "%s", msg);
}

static struct cfg_stmt *
stmt_new(struct cfg_pctx *pc, CFGYYLTYPE *loc, struct cfg_arg *args)
{
	struct cfg_stmt *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		cfg_diag(pc, 1, loc->file, loc->line, "out of memory");
		cfg_arg_free(args);
		return NULL;
	}
	s->s_args = args;
	s->s_file = args->a_file;
	s->s_line = args->a_line;
	return s;
}

/*
 * A top-level statement joins the tree; `path include` and `include`
 * are acted on now, since they change what the lexer reads next.
 */
static void
stmt_top(struct cfg_pctx *pc, struct cfg_stmt *s)
{
	struct cfg_arg *a = s->s_args, *b = a->a_next;
	char *pat = NULL;

	*pc->pc_tail = s;
	pc->pc_tail = &s->s_next;
	if (a->a_kind != CFG_ARG_WORD || s->s_has_block || b == NULL ||
	    b->a_kind == CFG_ARG_COMMA)
		return;
	if (strcmp(a->a_text, "path") == 0 && b->a_kind == CFG_ARG_WORD &&
	    strcmp(b->a_text, "include") == 0 && b->a_next != NULL &&
	    b->a_next->a_kind == CFG_ARG_STRING) {
		free(pc->pc_path_include);
		pc->pc_path_include = strdup(b->a_next->a_text);
		return;
	}
	if (strcmp(a->a_text, "include") != 0 ||
	    b->a_kind != CFG_ARG_STRING || b->a_next != NULL)
		return;		/* cfg.c reports the wrong form */
	if (b->a_text[0] != '/' && pc->pc_path_include != NULL) {
		if (asprintf(&pat, "%s/%s", pc->pc_path_include,
		    b->a_text) == -1) {
			cfg_diag(pc, 1, s->s_file, s->s_line, "out of memory");
			return;
		}
	}
	(void)cfg_lex_include(pc, pat != NULL ? pat : b->a_text, s->s_file,
	    s->s_line);
	free(pat);
}

int
cfg_parse_run(struct cfg_pctx *pc)
{
	int rc;

	pc->pc_tail = &pc->pc_root;
	rc = cfgyyparse(pc->pc_scanner, pc);
	if (rc == 2)
		cfg_diag(pc, 1, pc->pc_stack[0].lf_path, 0, "out of memory");
	return rc == 0 && pc->pc_errors == 0 ? 0 : -1;
}
