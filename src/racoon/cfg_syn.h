/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The racoon.conf syntax tree, private to cfg_lex.l, cfg_parse.y and
 * cfg.c.  The grammar only knows statements: a list of arguments ended
 * by ';' or followed by a { block } of statements.  cfg.c then reads
 * each statement against the directive tables of its context, which is
 * where keywords, argument forms and defaults are checked.  That split
 * keeps syntax errors (recovered at ';' or '}') apart from meaning
 * errors, and lets every error of a file be reported in one run.
 *
 * Every node carries the file and line it came from; file names point
 * into the struct cfg being built, which owns them.
 */
#ifndef CFG_SYN_H
#define CFG_SYN_H

#include <glob.h>
#include <stdint.h>

#include "cfg.h"

enum cfg_arg_kind {
	CFG_ARG_WORD,		/* keyword, address, algorithm name */
	CFG_ARG_STRING,		/* "quoted", without the quotes */
	CFG_ARG_NUMBER,		/* decimal or 0x hex; text kept too */
	CFG_ARG_PREFIX,		/* /24 */
	CFG_ARG_PORT,		/* [500], or [any] with a_any set */
	CFG_ARG_COMMA,
};

struct cfg_arg {
	enum cfg_arg_kind a_kind;
	char		*a_text;	/* as written (strings: unquoted) */
	uint64_t	 a_num;		/* NUMBER, PREFIX, PORT */
	int		 a_any;		/* PORT: [any] */
	const char	*a_file;
	int		 a_line;
	struct cfg_arg	*a_next;
};

struct cfg_stmt {
	struct cfg_arg	*s_args;	/* never empty */
	int		 s_has_block;
	struct cfg_stmt	*s_block;	/* the statements inside { } */
	const char	*s_file;
	int		 s_line;
	struct cfg_stmt	*s_next;
};

/* One file on the include stack. */
struct cfg_lexframe {
	const char	*lf_path;	/* owned by the cfg's file list */
	void		*lf_buf;	/* YY_BUFFER_STATE */
	char		*lf_text;	/* scanned; wiped when freed */
	size_t		 lf_textlen;
	int		 lf_line;
	int		 lf_has_glob;	/* more matches to read */
	glob_t		 lf_glob;
	size_t		 lf_glob_next;
};

/*
 * A diagnostic held back until the load ends, so that they come out in
 * the order of the files and lines they name, not in the order the
 * parser and then the checks found them.
 */
struct cfg_diagline {
	int		 dl_file;	/* in the order files were read */
	int		 dl_line;
	int		 dl_seq;
	int		 dl_err;
	char		*dl_text;
};

/* Parser and lexer state for one cfg_load(). */
struct cfg_pctx {
	void		*pc_scanner;
	struct cfg_opts	 pc_opts;
	struct cfg	*pc_cfg;	/* owns the file names */
	int		 pc_errors;
	int		 pc_depth;	/* index of the current frame */
	struct cfg_lexframe pc_stack[CFG_INCLUDE_MAX + 1];
	struct cfg_stmt	*pc_root;
	struct cfg_stmt	**pc_tail;
	char		*pc_path_include;	/* as seen so far */
	struct cfg_diagline *pc_diags;
	size_t		 pc_ndiags;
	size_t		 pc_diagcap;
};

/* Report at file:line (error when err is set, else a warning). */
void	 cfg_diag(struct cfg_pctx *, int, const char *, int, const char *,
	    ...) __attribute__((format(printf, 5, 6)));

void	 cfg_arg_free(struct cfg_arg *);
void	 cfg_stmt_free(struct cfg_stmt *);

/*
 * Lexer side (cfg_lex.l).  cfg_lex_open() reads a whole file, bounded,
 * into a new frame; cfg_lex_include() expands an include pattern and
 * opens its first match.  Both report their own errors and return -1.
 */
int	 cfg_lex_init(struct cfg_pctx *);
void	 cfg_lex_destroy(struct cfg_pctx *);
int	 cfg_lex_open(struct cfg_pctx *, const char *, const void *, size_t);
int	 cfg_lex_open_file(struct cfg_pctx *, const char *);
int	 cfg_lex_include(struct cfg_pctx *, const char *, const char *, int);
/* Remember a file name in the tree; returns the stored copy or NULL. */
const char *cfg_file_name(struct cfg_pctx *, const char *);

/* Names of enum values, from cfg.c's tables, for cfg_print.c. */
const char *cfg_name_loglevel(enum cfg_loglevel);
const char *cfg_name_pcheck(enum cfg_pcheck);
const char *cfg_name_switch3(enum cfg_switch3);
const char *cfg_name_proto(int);
const char *cfg_name_source(enum cfg_source);

/* Grammar side (cfg_parse.y): parse into pc_root.  0, or -1 on errors. */
int	 cfg_parse_run(struct cfg_pctx *);

#endif /* CFG_SYN_H */
