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

#include <stddef.h>
#include <stdint.h>

struct addr;
struct event_base;
struct sad_sa;
struct spd_policy;

/*
 * Bind and listen on name ("@name" or a name without '/' is abstract,
 * else a path).  Done before daemonizing so that errors reach the user.
 * Returns the socket, or -1 with errno.
 */
int	 pfkey_srv_listen(const char *);
/* Serve on base from the socket pfkey_srv_listen() returned. */
int	 pfkey_srv_start(struct event_base *, int);
/*
 * The datapath has a packet that request reqidx of policy sp covers and
 * no SA for it: make a larval SA (between the request's tunnel endpoints,
 * or src and dst in transport mode) and send SADB_ACQUIRE to the
 * registered sockets, as af_key's pfkey_send_acquire does.  Returns 0
 * when sent, 1 if an ACQUIRE for that SA is still pending, -1 on error.
 */
int	 pfkey_srv_acquire(const struct spd_policy *, size_t,
	    const struct addr *, const struct addr *);
/*
 * An ESP-in-UDP packet for sa verified but came from another address or
 * port (from, port set): SADB_X_NAT_T_NEW_MAPPING to the registered
 * sockets.  0, or -1 if the message could not be built.
 */
int	 pfkey_srv_new_mapping(const struct sad_sa *, const struct addr *);
/* Close every client and the listening socket (a path is unlinked). */
void	 pfkey_srv_stop(void);

#endif /* PFKEY_SRV_H */
