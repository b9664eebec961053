#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# A hostile "racoon" on an admin socket, to show that racoonctl does not
# trust what comes back: it answers show-sa isakmp with an ISAKMP-SA
# record dated 2^62 s on (localtime() has no answer for it) and status
# with text full of terminal escape sequences.  It serves
# argv[2] connections, then exits; it removes a stale socket first.
import os
import socket
import struct
import sys

path, count = sys.argv[1], int(sys.argv[2])
SS = 128


def ss4(addr, port):
    b = struct.pack("=H", socket.AF_INET) + struct.pack("!H", port)
    b += socket.inet_aton(addr)
    return b + bytes(SS - len(b))


def reply(cmd, proto, data):
    return struct.pack("=HHhH", 8 + len(data), cmd, 0, proto) + data


def recv_all(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            break
        b += d
    return b


if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(4)
for _ in range(count):
    c, _ = s.accept()
    c.settimeout(5)
    h = recv_all(c, 8)
    if len(h) < 8:
        c.close()
        continue
    length, cmd, _, proto = struct.unpack("=HHhH", h)
    recv_all(c, length - 8)
    cmd &= 0x7fff
    if cmd == 0x0101:		# show-sa isakmp: one record
        rec = ss4("10.0.0.1", 500) + ss4("10.0.0.2", 500) + \
            bytes(range(1, 9)) + bytes(range(9, 17)) + \
            bytes([9, 0, 0x10, 2]) + struct.pack("=QI", 1 << 62, 0)
        c.sendall(reply(cmd, proto, rec))
    else:			# status and the rest: text
        c.sendall(reply(cmd, proto, b"Phase 1 SAs\x1b]0;owned\x07\n"
                        b"\x1b[2J\x1b[31mred\x9b1m\x00end\n"))
    c.close()
s.close()
os.unlink(path)
