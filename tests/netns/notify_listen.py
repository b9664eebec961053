#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# systemd's side of sd_notify, for systemd_notify.sh:
#   notify_listen.py PATH SECONDS   bind a datagram socket at PATH and print
#                                   each state message received (one line
#                                   per assignment) until SECONDS pass
import socket
import sys
import time


def main():
    if len(sys.argv) != 3:
        print("usage: notify_listen.py PATH SECONDS", file=sys.stderr)
        return 2
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(sys.argv[1])
    s.settimeout(0.2)
    end = time.time() + float(sys.argv[2])
    while time.time() < end:
        try:
            msg = s.recv(4096).decode(errors="replace")
        except socket.timeout:
            continue
        for line in msg.splitlines():
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
