/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv4 and IPv6 addresses, ports and prefixes as setkey scripts, racoon.conf
 * and psk.txt write them: "192.0.2.1", "2001:db8::1", "192.0.2.0/24",
 * "192.0.2.1[500]", "10.0.0.0/8[any]".  Ports are host order here; port 0
 * means any, as in PF_KEY and setkey's "[any]".
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

struct addr {
	sa_family_t	 a_af;		/* AF_INET, AF_INET6, or AF_UNSPEC */
	union {
		struct in_addr	 v4;
		struct in6_addr	 v6;
		uint8_t		 raw[16];
	}		 a_u;
	uint16_t	 a_port;	/* host order, 0 = any */
	uint8_t		 a_plen;	/* prefix length; full for a host */
};
#define a_v4	a_u.v4
#define a_v6	a_u.v6
#define a_raw	a_u.raw

/* What addr_parse() accepts beyond a bare address. */
#define ADDR_PORT	0x01	/* "[port]" and "[any]" */
#define ADDR_PREFIX	0x02	/* "/len" */

/* Longest string addr_fmt() writes: address, "/128", "[65535]", NUL. */
#define ADDR_STRLEN	(46 + 4 + 7 + 1)

/*
 * Parse an address with the parts flags allows.  Returns 0, or -1 with a
 * reason in *why (a static string) for the caller's error message.
 */
int	 addr_parse(const char *, int, struct addr *, const char **);
/* Text form: the address, "/plen" if not a host, "[port]" if ports. */
char	*addr_fmt(const struct addr *, int, char *, size_t);
/* Address only, no prefix or port. */
const char *addr_ntop(const struct addr *, char *, size_t);

size_t	 addr_len(sa_family_t);			/* 4, 16 or 0 */
uint8_t	 addr_maxplen(sa_family_t);		/* 32, 128 or 0 */
int	 addr_is_unspec(const struct addr *);	/* all-zero address */
/* Clear host bits below a_plen. */
void	 addr_apply_mask(struct addr *);
/* 1 if a lies inside the prefix net (ports: net's 0 matches any). */
int	 addr_in_prefix(const struct addr *, const struct addr *);
/* Total order over family, address, prefix and port; 0 if equal. */
int	 addr_cmp(const struct addr *, const struct addr *);
/* Address bytes only, same family; 0 if equal. */
int	 addr_cmp_host(const struct addr *, const struct addr *);

/* Conversions from and to sockaddrs (ports in network order there). */
int	 addr_from_sockaddr(struct addr *, const struct sockaddr *,
	    socklen_t);
socklen_t addr_to_sockaddr(const struct addr *, struct sockaddr_storage *);
/* Build a host address from raw bytes (4 or 16). */
int	 addr_from_bytes(struct addr *, sa_family_t, const void *, size_t);

#endif /* ADDR_H */
