/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipsecd's PF_KEY v2 server: the listening SOCK_SEQPACKET socket, the
 * connected clients (their registrations, promiscuous flag and output
 * queue), one handler per message type, and af_key's reply and broadcast
 * rules (to one socket, to all, to registered ones, plus a copy to every
 * promiscuous socket).  It owns the clients; the SAD and SPD own the SAs
 * and policies it describes.
 */
#ifndef PFKEY_SRV_H
#define PFKEY_SRV_H

#include <stdint.h>

struct event_base;

/*
 * Bind and listen on name ("@name" or a name without '/' is abstract,
 * else a path).  Done before daemonizing so that errors reach the user.
 * Returns the socket, or -1 with errno.
 */
int	 pfkey_srv_listen(const char *);
/* Serve on base from the socket pfkey_srv_listen() returned. */
int	 pfkey_srv_start(struct event_base *, int);
/* Close every client and the listening socket (a path is unlinked). */
void	 pfkey_srv_stop(void);

#endif /* PFKEY_SRV_H */
