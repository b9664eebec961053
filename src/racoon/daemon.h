/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The racoon daemon: one libevent loop, no threads.  It owns the
 * configuration in use (swapped on SIGHUP), the exchange env, the IKE
 * sockets, the timer that drives exchange_timers(), the signals and the
 * pidfile; kernel.c owns the PF_KEY side.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <stdint.h>

struct daemon_opts {
	const char	*do_conf;
	const char	*do_logfile;	/* NULL: stderr (-F) or syslog */
	int		 do_family;	/* 4, 6, or 0: both */
	int		 do_debug;
	int		 do_foreground;
	uint16_t	 do_port;
	uint16_t	 do_natt_port;
};

/*
 * Run until SIGTERM or SIGINT.  Returns the exit status: 0 after a
 * clean shutdown, 1 when it could not start (logged).
 */
int	 daemon_run(const struct daemon_opts *);

#endif /* DAEMON_H */
