# SPDX-License-Identifier: BSD-2-Clause
"""A TCP transfer for the namespace scenarios.

  tcp_xfer.py serve ADDR PORT      accept one connection, read to the end
  tcp_xfer.py send ADDR PORT MIB   send MIB mebibytes of a fixed pattern

Each prints "BYTES SHA256" of what it read or sent, so a test compares
the two outputs.
"""
import hashlib
import socket
import sys


def serve(addr, port):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(30)
    c, _ = s.accept()
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        h.update(d)
        n += len(d)
    print(n, h.hexdigest())


def send(addr, port, mib):
    data = bytes(range(256)) * 4096 * mib
    s = socket.create_connection((addr, port), timeout=30)
    s.sendall(data)
    s.close()
    print(len(data), hashlib.sha256(data).hexdigest())


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
