#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Forged ESP for ipsecd_tamper.sh: packets for a transport-mode SA with
# NULL encryption and hmac-sha1-96 (RFC 2410, 2404), built by hand so that
# every field can be wrong on purpose, sent on a raw socket (the kernel
# adds the IPv4 header).
#   esp_forge.py SRC DST SPI AUTHKEYHEX CASE SEQ
# CASE: good (an ICMP echo request), badicv, badpad (pad length beyond
# the payload), badnh (next header 4 in a transport SA), badlen (payload
# not a multiple of 4), short (6 bytes of ESP), noicv (SPI and sequence
# number only), udp (a good packet carrying UDP to port 9), tunnel:INNERSRC
# (an IPv4 echo request from INNERSRC to 10.75.8.1 inside, for a tunnel
# SA).
import hashlib
import hmac
import socket
import struct
import sys


def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def icmp_echo():
    body = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"forged" * 8
    c = cksum(body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", cksum(h)) + h[12:] + payload


def esp(spi, seq, key, payload, nh, padlen=None, extra=b"", icv_ok=True):
    pad = (-(len(payload) + 2)) % 4
    trailer = bytes(range(1, pad + 1))
    plen = pad if padlen is None else padlen
    body = payload + trailer + extra + bytes([plen, nh])
    msg = struct.pack("!II", spi, seq) + body
    icv = hmac.new(key, msg, hashlib.sha1).digest()[:12]
    if not icv_ok:
        icv = icv[:-1] + bytes([icv[-1] ^ 1])
    return msg + icv


def main():
    if len(sys.argv) != 7:
        print("usage: esp_forge.py SRC DST SPI AUTHKEYHEX CASE SEQ",
              file=sys.stderr)
        return 2
    src, dst, spi = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    key, case, seq = bytes.fromhex(sys.argv[4]), sys.argv[5], \
        int(sys.argv[6])
    udp = struct.pack("!HHHH", 40000, 9, 8 + 5, 0) + b"hello"
    pkts = {
        "good": lambda: esp(spi, seq, key, icmp_echo(), 1),
        "badicv": lambda: esp(spi, seq, key, icmp_echo(), 1, icv_ok=False),
        "badpad": lambda: esp(spi, seq, key, icmp_echo(), 1, padlen=250),
        "badnh": lambda: esp(spi, seq, key, icmp_echo(), 4),
        "badlen": lambda: esp(spi, seq, key, icmp_echo(), 1, extra=b"x"),
        "short": lambda: struct.pack("!IH", spi, 0),
        "noicv": lambda: struct.pack("!II", spi, seq),
        "udp": lambda: esp(spi, seq, key, udp, 17),
    }
    if case.startswith("tunnel:"):
        inner = ipv4(case[7:], "10.75.8.1", 1, icmp_echo())
        pkts[case] = lambda: esp(spi, seq, key, inner, 4)
    if case not in pkts:
        print("esp_forge.py: unknown case %s" % case, file=sys.stderr)
        return 2
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ESP)
    s.bind((src, 0))
    s.sendto(pkts[case](), (dst, 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
