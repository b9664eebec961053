#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Malformed admin requests against racoon's admin socket (issue 19).
# Each case connects, sends its bytes, and prints "CASE errno" with the
# errno of racoon's reply (host-order struct admin_com), "CASE closed"
# when racoon closed without a reply, or "CASE timeout".  trickle sends
# a request a byte every half second, never the last one, and prints
# "CASE closed" if racoon hung up within limit seconds, else "CASE open".
import select
import socket
import struct
import sys
import time

path = sys.argv[1]
SS = 128


def ss4(addr, port=0):
    b = struct.pack("=H", socket.AF_INET) + struct.pack("!H", port)
    b += socket.inet_aton(addr)
    return b + bytes(SS - len(b))


def hdr(length, cmd, ver, proto):
    return struct.pack("=HHhH", length, cmd, ver, proto)


def req(cmd, proto=0, data=b"", ver=1, flag=0x8000, length=None):
    if length is None:
        length = 8 + len(data)
    return hdr(length, cmd | flag, ver, proto) + data


def ask(name, data, wait=3.0, pause=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(wait)
    s.connect(path)
    if pause is None:
        s.sendall(data)
    else:
        s.sendall(data[:pause])
    try:
        r = b""
        while len(r) < 8:
            c = s.recv(8 - len(r))
            if not c:
                break
            r += c
    except socket.timeout:
        print(name, "timeout")
        return
    finally:
        s.close()
    if len(r) < 8:
        print(name, "closed")
        return
    _, cmd, err, _ = struct.unpack("=HHhH", r)
    print(name, err)


def trickle(name, data, step=0.5, limit=9.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    t0 = time.monotonic()
    i = 0
    try:
        while time.monotonic() - t0 < limit and i < len(data) - 1:
            s.send(data[i:i + 1])
            i += 1
            r, _, _ = select.select([s], [], [], step)
            if r:
                print(name, "closed" if s.recv(8) == b"" else "reply")
                return
    except (BrokenPipeError, ConnectionResetError):
        print(name, "closed")
        return
    finally:
        s.close()
    print(name, "open")


index = bytes([32, 32, 0, 0]) + ss4("10.0.0.1") + ss4("10.0.0.2")
ask("short-header", b"\x08\x00\x01", wait=7)
ask("len-below-header", hdr(4, 0x8001, 1, 0))
ask("len-over-limit", hdr(9000, 0x8001, 1, 0))
ask("bad-version", req(0x0001, ver=7))
ask("unknown-command", req(0x0777))
ask("data-after-reload", req(0x0001, data=b"xx"))
ask("show-sa-bad-proto", req(0x0101, proto=0x1234))
ask("status-bad-format", req(0x0103, proto=9))
ask("delete-short-index", req(0x0201, 0x0202, index[:100]))
bad_family = bytes([32, 32, 0, 0]) + struct.pack("=H", 99) + \
    bytes(SS - 2) + ss4("10.0.0.2")
ask("delete-bad-family", req(0x0201, 0x0202, bad_family))
ask("delete-bad-prefix", req(0x0201, 0x0202,
                             bytes([99, 32, 0, 0]) + index[4:]))
ask("delete-trailing", req(0x0201, 0x0202, index + b"junk"))
ask("establish-bad-name", req(0x0202, 0x01ff, index + b"no-nul"))
ask("establish-name-for-esp", req(0x0202, 0x0202, index + b"x\0"))
ask("cut-short", req(0x0201, 0x0202, index)[:100], wait=7)
ask("delete-unknown", req(0x0201, 0x0202, index))
trickle("trickle", req(0x0201, 0x0202, index))
