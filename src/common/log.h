/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Logging for every program of the suite.  A daemon logs to syslog, to
 * stderr in the foreground (-F), or to a file (-l); stderr and file lines
 * keep racoon's layout, which users' log watchers grep for:
 *
 *	2026-11-28 21:11:17: INFO: IPsec-SA established: ...
 *
 * Levels and their words: fatal/log_err -> ERROR, log_warn -> WARNING,
 * log_notice -> NOTIFY, log_info -> INFO, log_debug -> DEBUG.  The *warn
 * and *err calls without x append strerror(errno).  Every call preserves
 * errno.  Strings that came from a peer go through log_vis() first.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_dest {
	LOG_DEST_STDERR,
	LOG_DEST_SYSLOG,
	LOG_DEST_FILE,
};

/*
 * Start logging as progname.  debug is the -d count: log_debug(n) lines
 * show when n <= debug.  Until log_init is called, lines go to stderr.
 */
void	 log_init(const char *, enum log_dest, int);
/* Log to a file (appending); -1 with errno if it cannot be opened. */
int	 log_open_file(const char *);
void	 log_set_debug(int);
int	 log_get_debug(void);
/* Key logging is off unless the user asks for it (racoon -L-style). */
void	 log_set_keys(int);
int	 log_keys_enabled(void);
void	 log_close(void);

void	 log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_errx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* Hex dump of len bytes under a title, at debug level n. */
void	 log_hexdump(int, const char *, const void *, size_t);

/*
 * Escape untrusted bytes for a log line: printable ASCII stays, the rest
 * and the backslash become \ooo octal (stravis-like).  Always
 * NUL-terminates; truncates with "..." when out is too small.  Returns out.
 */
char	*log_vis(char *, size_t, const void *, size_t);

#endif /* LOG_H */
