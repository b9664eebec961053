/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The key log (racoon.conf `path keylog'): off unless configured, for an
 * administrator who wants Wireshark to read an encrypted exchange.  Each
 * line is one tshark -o argument, a record of one of Wireshark's tables:
 *
 *	uat:ikev1_decryption_table:<initiator cookie>,<encryption key>
 *	uat:esp_sa:"IPv4","<src>","<dst>","0x<spi>","<cipher>","0x<key>",
 *	    "<integrity>","0x<key>"			(one line)
 *
 * written when phase 1 keys are derived and when an ESP SA is installed.
 * The module owns the file: opened for appending (created mode 0600, a
 * symlink refused), flushed after every record.
 */
#ifndef KEYLOG_H
#define KEYLOG_H

#include <stdint.h>

struct exchange_sa;
struct ike_keys;

/*
 * Log keys to path from now on (reopened each time, for logrotate), or
 * stop when path is NULL.  Warns that keys are being written.  0, or -1
 * (logged; key logging is then off).
 */
int	 keylog_open(const char *);
void	 keylog_close(void);
/*
 * 1: the kernel is AF_KEY, whose hmac-sha256 ICV is 96 bits; 0 (the
 * default): ipsecd, which truncates as RFC 4868 says.
 */
void	 keylog_set_native(int);
/* 1 while a key log is open. */
int	 keylog_enabled(void);
/* A phase 1 SA's cipher key under its initiator cookie (8 bytes). */
void	 keylog_ph1(const uint8_t *, const struct ike_keys *);
/* An ESP SA handed to the kernel; AH SAs (nothing encrypted) are not. */
void	 keylog_sa(const struct exchange_sa *);

#endif /* KEYLOG_H */
