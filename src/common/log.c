/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Log sink shared by racoon, ipsecd, setkey and racoonctl: syslog when
 * daemonised, else racoon's "date: LEVEL: message" layout on stderr or in
 * a log file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_dest	 log_dest = LOG_DEST_STDERR;
static int		 log_debug_level;
static int		 log_keys;
static FILE		*log_file;
static const char	*log_progname = "ipsec";

void
log_init(const char *progname, enum log_dest dest, int debug)
{
	log_progname = progname;
	log_dest = dest;
	log_debug_level = debug;
	if (dest == LOG_DEST_SYSLOG)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
log_open_file(const char *path)
{
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	if ((f = fdopen(fd, "a")) == NULL) {
		close(fd);
		return -1;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	if (log_file != NULL)
		fclose(log_file);
	log_file = f;
	log_dest = LOG_DEST_FILE;
	return 0;
}

void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	if (log_dest == LOG_DEST_SYSLOG)
		closelog();
	log_dest = LOG_DEST_STDERR;
}

void
log_set_debug(int level)
{
	log_debug_level = level;
}

int
log_get_debug(void)
{
	return log_debug_level;
}

void
log_set_keys(int on)
{
	log_keys = on;
}

int
log_keys_enabled(void)
{
	return log_keys;
}

static const char *
log_word(int prio)
{
	switch (prio) {
	case LOG_ERR:
		return "ERROR";
	case LOG_WARNING:
		return "WARNING";
	case LOG_NOTICE:
		return "NOTIFY";
	case LOG_INFO:
		return "INFO";
	default:
		return "DEBUG";
	}
}

static void log_emit(int, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
log_emit(int prio, int with_errno, const char *fmt, va_list ap)
{
	char msg[2048], stamp[32];
	int saved = errno;
	struct tm tm;
	time_t now;
	FILE *out;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		size_t n = strlen(msg);

		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
	if (log_dest == LOG_DEST_SYSLOG) {
		syslog(prio, "%s", msg);
		errno = saved;
		return;
	}
	out = log_dest == LOG_DEST_FILE && log_file != NULL ? log_file :
	    stderr;
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	fprintf(out, "%s: %s: %s\n", stamp, log_word(prio), msg);
	fflush(out);
	errno = saved;
}

#define LOG_WRAPPER(name, prio, with_errno)				\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	log_emit(prio, with_errno, fmt, ap);				\
	va_end(ap);							\
}

LOG_WRAPPER(log_err, LOG_ERR, 1)
LOG_WRAPPER(log_errx, LOG_ERR, 0)
LOG_WRAPPER(log_warn, LOG_WARNING, 1)
LOG_WRAPPER(log_warnx, LOG_WARNING, 0)
LOG_WRAPPER(log_notice, LOG_NOTICE, 0)
LOG_WRAPPER(log_info, LOG_INFO, 0)

void
log_debug(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_debug_level)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_hexdump(int level, const char *title, const void *data, size_t len)
{
	const unsigned char *p = data;
	char line[16 * 3 + 1];
	size_t i, n;

	if (level > log_debug_level)
		return;
	log_debug(level, "%s (%zu bytes):", title, len);
	for (i = 0; i < len; i += 16) {
		line[0] = '\0';
		for (n = 0; n < 16 && i + n < len; n++)
			snprintf(line + n * 3, sizeof(line) - n * 3, "%02x ",
			    p[i + n]);
		log_debug(level, "  %04zx: %s", i, line);
	}
}

char *
log_vis(char *out, size_t outlen, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t o = 0, i;
	char tmp[5];
	int n;

	if (outlen == 0)
		return out;
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			tmp[0] = (char)p[i];
			n = 1;
		} else
			n = snprintf(tmp, sizeof(tmp), "\\%03o", p[i]);
		if (o + (size_t)n + 1 > outlen) {
			/* Mark the cut, keeping room for the terminator. */
			o = outlen > 4 ? outlen - 4 : 0;
			if (outlen > 4)
				memcpy(out + o, "...", 3), o += 3;
			break;
		}
		memcpy(out + o, tmp, (size_t)n);
		o += (size_t)n;
	}
	out[o] = '\0';
	return out;
}
