/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * racoon's admin socket (`listen { adminsock ... }'): a UNIX stream
 * socket with the configured owner, group and mode, where racoonctl
 * asks for SAs, status, the schedule and events, and tells racoon to
 * reload, flush, delete and establish SAs.  The protocol is
 * admin_msg.h's.
 *
 * Each connection carries one request and gets one reply, except
 * show-event and establish-sa, after which the connection stays open
 * and receives events until the client closes it.  A peer whose
 * credentials the socket's owner, group and mode do not admit is
 * refused even if it could connect; a malformed request gets a reply
 * with an errno, is logged and changes nothing.  This module owns the
 * listening socket, the connections and the status counters.
 */
#ifndef ADMIN_H
#define ADMIN_H

#include <stdint.h>

#include "admin_msg.h"

struct cfg;
struct event_base;
struct exchange_env;
struct ph1;
struct ph2;

/* What the daemon does for the admin socket. */
struct admin_hooks {
	int		(*ah_reload)(void);	/* 0 or -1 (logged) */
	void		(*ah_after)(void);	/* re-arm timers */
	uint16_t	 ah_port;		/* our IKE port */
};

/*
 * Create the socket from cfg's listen section (nothing when disabled);
 * 0, or -1 (logged).
 */
int	 admin_open(struct event_base *, struct exchange_env *,
	    const struct cfg *, const struct admin_hooks *);
/* Close every connection and remove the socket. */
void	 admin_close(void);

/*
 * Events (EVT_*), for show-event subscribers and the counters; ph2 may
 * be NULL.  Also counted: datagrams the IKE sockets dropped.
 */
void	 admin_event(uint32_t, const struct ph1 *, const struct ph2 *);
void	 admin_count_io_drop(void);

#endif /* ADMIN_H */
