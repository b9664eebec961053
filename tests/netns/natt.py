#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# UDP 4500 for the NAT-T scenario (ipsecd_natt.sh), as racoon would use it:
#   natt.py hold ADDR SECONDS      bind ADDR:4500 with the bypass mark and
#                                  read (and discard) until SECONDS pass, so
#                                  that the kernel answers no port-unreachable
#   natt.py keepalive SRC DST      one NAT keepalive (the byte 0xff, RFC 3948
#                                  2.3) from SRC:4500 to DST:4500, marked
import socket
import sys
import time

MARK = 0x2504          # ipsecd's bypass mark (ipsecd.8)


def sock(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, MARK)
    s.bind((addr, 4500))
    return s


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "hold":
        s = sock(sys.argv[2])
        s.settimeout(0.2)
        end = time.time() + float(sys.argv[3])
        while time.time() < end:
            try:
                s.recv(65535)
            except socket.timeout:
                pass
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "keepalive":
        s = sock(sys.argv[2])
        s.sendto(b"\xff", (sys.argv[3], 4500))
        return 0
    print("usage: natt.py hold ADDR SECONDS | keepalive SRC DST",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
