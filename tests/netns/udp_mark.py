#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# UDP with and without ipsecd's bypass mark, for ipsecd_enforce.sh:
#   udp_mark.py recv ADDR PORT MARK SECONDS   print each datagram received
#                                             on ADDR:PORT (MARK 0: none)
#                                             until SECONDS pass
#   udp_mark.py send DST PORT TEXT [SPORT]    one datagram, unmarked, from
#                                             source port SPORT if given
#                                             (racoon_examples.sh: L2TP)
import socket
import sys
import time


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "recv":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # A sender may share the port (send ... SPORT).
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        mark = int(sys.argv[4], 0)
        if mark:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, mark)
        s.bind((sys.argv[2], int(sys.argv[3])))
        s.settimeout(0.2)
        end = time.time() + float(sys.argv[5])
        while time.time() < end:
            try:
                print(s.recv(65535).decode(errors="replace"), flush=True)
            except socket.timeout:
                pass
        return 0
    if len(sys.argv) in (5, 6) and sys.argv[1] == "send":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if len(sys.argv) == 6:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", int(sys.argv[5])))
        s.sendto(sys.argv[4].encode(), (sys.argv[2], int(sys.argv[3])))
        return 0
    print("usage: udp_mark.py recv ADDR PORT MARK SECONDS | "
          "send DST PORT TEXT [SPORT]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
