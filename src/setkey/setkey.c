/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * setkey(8): the command line.  Reads a script (-f FILE, or -c from
 * standard input) whole through struct rbuf, parses all of it into
 * commands (parse.y) and, only if it has no error, hands them on; -n
 * stops after the check, -C prints the commands in canonical form.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "parse.h"

/* A script larger than this is a mistake (ipsec-tools reads lines). */
#define SETKEY_SCRIPT_MAX	(4 * 1024 * 1024)

enum setkey_mode {
	MODE_NONE,
	MODE_SCRIPT,		/* -f FILE */
	MODE_STDIN,		/* -c */
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: setkey [-nC] -c\n"
	    "       setkey [-nC] -f file\n"
	    "       setkey -V\n");
	exit(1);
}

/*
 * Reads the whole input into wb (wiped on free: scripts hold keys),
 * refuses NUL bytes, naming their line, and appends the two NUL bytes
 * that flex's yy_scan_buffer wants.
 */
static int
setkey_read(int fd, const char *name, struct wbuf *wb)
{
	struct rbuf rb, line;
	uint8_t chunk[8192];
	ssize_t n;
	int lineno = 0;

	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			warn("%s", name);
			return -1;
		}
		if (n == 0)
			break;
		if (wbuf_put_bytes(wb, chunk, (size_t)n) == -1) {
			warnx("%s: larger than %d bytes", name,
			    SETKEY_SCRIPT_MAX);
			return -1;
		}
	}
	mem_wipe(chunk, sizeof(chunk));
	rbuf_init(&rb, wbuf_data(wb), wbuf_len(wb));
	while (rbuf_get_line(&rb, &line) == 0) {
		lineno++;
		if (memchr(rbuf_ptr(&line), '\0', rbuf_left(&line)) != NULL) {
			warnx("%s:%d: NUL byte in a script", name, lineno);
			return -1;
		}
	}
	if (wbuf_put_zero(wb, 2) == -1) {
		warnx("%s: larger than %d bytes", name, SETKEY_SCRIPT_MAX);
		return -1;
	}
	return 0;
}

/* Messages name the file as its basename, as ipsec-tools users expect. */
static const char *
setkey_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

static int
setkey_script(const char *path, int check_only, int print)
{
	struct cmd_list cmds = TAILQ_HEAD_INITIALIZER(cmds);
	struct cmd *c;
	struct wbuf wb;
	const char *name;
	int fd, nerr;

	if (path == NULL || strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		name = "<stdin>";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	else
		name = setkey_basename(path);
	if (wbuf_init(&wb, 4096, SETKEY_SCRIPT_MAX + 2) == -1)
		err(1, "wbuf_init");
	wbuf_set_secret(&wb);
	if (setkey_read(fd, name, &wb) == -1) {
		wbuf_free(&wb);
		return 1;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	nerr = parse_script(name, stderr, (char *)wbuf_data(&wb),
	    wbuf_len(&wb) - 2, &cmds);
	wbuf_free(&wb);
	if (nerr > 0)
		return 1;
	if (print)
		TAILQ_FOREACH(c, &cmds, c_entry)
			cmd_print(stdout, c);
	(void)check_only;
	cmd_list_free(&cmds);
	return 0;
}

int
main(int argc, char *argv[])
{
	enum setkey_mode mode = MODE_NONE;
	const char *file = NULL;
	int ch, check_only = 0, print = 0;

	while ((ch = getopt(argc, argv, "cCf:hnV")) != -1) {
		switch (ch) {
		case 'c':
			mode = MODE_STDIN;
			break;
		case 'C':
			print = 1;
			break;
		case 'f':
			mode = MODE_SCRIPT;
			file = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'V':
			printf("setkey (%s) %s\n", PACKAGE_NAME,
			    PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc || mode == MODE_NONE || (!check_only && !print))
		usage();
	return setkey_script(mode == MODE_SCRIPT ? file : NULL, check_only,
	    print);
}
