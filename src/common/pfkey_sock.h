/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where the kernel is: the PF_KEY v2 transport that setkey and racoon use,
 * and the one header of the contract between the programs of the suite
 * (ARCHITECTURE.md, "Contracts between the programs"; ipsecd.8 repeats
 * every name and number below).
 *
 * pfkey_sock_open() finds the kernel in this order: the socket that
 * IPSECD_SOCKET names, else an AF_KEY socket if the kernel has one, else
 * ipsecd's default socket, the abstract UNIX name "ipsecd".  Either way
 * one datagram carries one PF_KEY message: ipsecd's socket is
 * SOCK_SEQPACKET for that reason.
 */
#ifndef PFKEY_SOCK_H
#define PFKEY_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

/* The contract. */
/* "@name" is abstract, else a path. */
#define IPSECD_SOCKET_ENV	"IPSECD_SOCKET"
#define IPSECD_SOCKET_NAME	"ipsecd"	/* default, abstract */
#define IPSECD_TUN_NAME		"ipsec0"	/* plaintext TUN device */
/*
 * Firewall mark of packets that bypass the protected routing table:
 * ipsecd's own ciphertext and racoon's IKE sockets (SO_MARK).
 */
#define IPSECD_BYPASS_MARK	0x2504
/* Routing table of `out' policies, and the priority of its ip rule. */
#define IPSECD_ROUTE_TABLE	2504
#define IPSECD_RULE_PRIORITY	2504
/* nftables table (inet family) of `in' policies and inbound discard. */
#define IPSECD_NFT_TABLE	"ipsecd"

enum pfkey_sock_kind {
	PFKEY_SOCK_NONE,
	PFKEY_SOCK_AFKEY,	/* the kernel's own PF_KEY */
	PFKEY_SOCK_IPSECD,	/* ipsecd's UNIX socket */
};

/* sun_path and a leading '@' for an abstract name. */
#define PFKEY_SOCK_NAMELEN	(sizeof(((struct sockaddr_un *)0)->sun_path) + 1)

struct pfkey_sock {
	int			 ps_fd;
	enum pfkey_sock_kind	 ps_kind;
	char			 ps_name[PFKEY_SOCK_NAMELEN];
};

/*
 * Fill a sockaddr_un from a socket name: "@name" is abstract; with
 * bare_abstract set (ipsecd -s) a name without '/' is abstract too, else
 * it is a path.  Returns 0, or -1 (EINVAL: empty or too long).
 */
int	 pfkey_sock_addr(const char *, int, struct sockaddr_un *, socklen_t *);
/*
 * Open the kernel interface in the contract's order.  Returns 0, or -1
 * with errno: EPERM when the kernel has AF_KEY but refuses the caller
 * (CAP_NET_ADMIN), else from the connect to ipsecd when nothing answers.  The
 * descriptor is close-on-exec and blocking; an event loop sets O_NONBLOCK.
 */
int	 pfkey_sock_open(struct pfkey_sock *);
/*
 * 1 if the kernel has AF_KEY (native IPsec: ipsecd is not needed), 0 if
 * it has none.  Opening the socket loads af_key where it is a module; a
 * refusal for want of CAP_NET_ADMIN still means the kernel has it.
 */
int	 pfkey_sock_native(void);
/* Connect to ipsecd at a given socket name ("@name" or a path). */
int	 pfkey_sock_connect(struct pfkey_sock *, const char *);
/* Send one whole message.  Returns 0, or -1 with errno. */
int	 pfkey_sock_send(struct pfkey_sock *, const void *, size_t);
/*
 * Receive one message into buf.  Returns its length, 0 when ipsecd closed
 * the connection, or -1 with errno (EMSGSIZE: it did not fit and was
 * dropped; EAGAIN on a non-blocking socket).
 */
ssize_t	 pfkey_sock_recv(struct pfkey_sock *, void *, size_t);
void	 pfkey_sock_close(struct pfkey_sock *);
/* "AF_KEY" or "ipsecd @name" / "ipsecd /path", for messages. */
const char *pfkey_sock_describe(const struct pfkey_sock *);

#endif /* PFKEY_SOCK_H */
