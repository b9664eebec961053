#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Hostile IKEv1 datagrams for racoon_stress_hostile.sh, sent on layer 2
# (AF_PACKET) so that they bypass the sender's IPsec policies:
#   racoon_hostile.py flood IFACE DMAC DST NET N
#       N acceptable Main Mode first messages (3des/md5/psk/modp1024),
#       from forged sources NET.100.1 onwards, each with its own cookie
#   racoon_hostile.py junk IFACE DMAC SRC DST
#       malformed messages from SRC: truncated, lengths past the end,
#       zero-length payloads, unknown next payloads, huge proposal and
#       transform counts, DELETE and NOTIFY for no phase 1
#   racoon_hostile.py cookies IFACE SRC DST
#       print the cookies of the first Main Mode message DST sends SRC
#       with both cookies set (the real negotiation), as hex; "sniffing"
#       on stderr once the capture runs
#   racoon_hostile.py unprot IFACE DMAC SRC DST ICOOKIE RCOOKIE
#       an unencrypted DELETE of that ISAKMP-SA and unencrypted NOTIFYs
#       about it: a peer must ignore them (CVE-2004-0164 class)
#   racoon_hostile.py natt SRC SPORT DST
#       NAT-T payloads of wrong lengths, from a UDP socket on SRC:SPORT
#       (aes 128/sha1/psk/modp2048): a Main Mode message 1 whose NAT-T
#       vendor IDs have 15 and 17 bytes (prints "vid-answered" if the
#       reply still names RFC 3947, else "vid-ignored"), then one with
#       the right vendor ID ("vid-agreed") and a message 3 whose NAT-D
#       payloads have 19 and 21 bytes ("msg4" if it is answered)
#   racoon_hostile.py big SRC SPORT DST DPORT SIZE MARK
#       a Main Mode message 1 (3des/md5/psk/modp1024) of SIZE bytes, a
#       vendor ID filling it, from a UDP socket on SRC:SPORT with
#       firewall mark MARK (0: none), to DST:DPORT (4500: after the
#       non-ESP marker), so that the sender's kernel fragments it; prints
#       "answered N" with the size of the reply to it, or "lost"
#   racoon_hostile.py aggr IFACE DMAC SRC DST
#       malformed Aggressive Mode first messages (issue 15, the
#       CVE-2005-3732 class): without KE, without nonce, without ID, a
#       KE of one byte, a truncated ID, a nonce of 2 bytes, SA twice; and
#       a message 3 for no SA
#   racoon_hostile.py aggr3 IFACE DMAC SRC DST
#       a well-formed Aggressive Mode message 1 (random KE, ID fqdn
#       "hostile.example.net"); on DST's message 2, a message 3 whose
#       HASH_I is noise: it must fail authentication.  Prints the
#       payload types of message 2.
import os
import struct
import sys
import threading

from scapy.all import (IP, UDP, AsyncSniffer, Ether, Raw, conf, sendp,
                       sniff)

conf.verb = 0
MARK = b"\xde\xad"          # our cookies start so; real ones are random


def cookie():
    return MARK + os.urandom(6)


def hdr(ick, rck, np, etype, plen, flags=0, msgid=0, total=None):
    ln = 28 + plen if total is None else total
    return ick + rck + struct.pack("!BBBBII", np, 0x10, etype, flags,
                                   msgid, ln)


def pld(np, body, ln=None):
    return struct.pack("!BBH", np, 0, 4 + len(body) if ln is None
                       else ln) + body


def transform(num=1, last=True):
    attrs = b"".join(struct.pack("!HH", 0x8000 | t, v) for t, v in
                     ((1, 5), (2, 1), (3, 1), (4, 2), (11, 1), (12, 28800)))
    return pld(0 if last else 3, struct.pack("!BBH", num, 1, 0) + attrs)


def proposal(ntrans=1, body=None, last=True, num=1):
    body = transform() if body is None else body
    return pld(0 if last else 2, struct.pack("!BBBB", num, 1, 0, ntrans) +
               body)


def sa(props):
    return pld(0, struct.pack("!II", 1, 1) + props)


def msg1(ick):
    s = sa(proposal())
    return hdr(ick, bytes(8), 1, 2, len(s)) + s


def aggr1(ick, drop=(), bad=None):
    """SA, KE, Ni, IDii; payloads in drop left out, bad replaces one."""
    # The KE is below the modp1024 prime (its first byte is 0xff).
    parts = [(1, struct.pack("!II", 1, 1) + proposal()),
             (4, b"\x7f" + os.urandom(127)),
             (10, os.urandom(16)),
             (5, struct.pack("!BBH", 2, 0, 0) + b"hostile.example.net")]
    if bad is not None:
        parts = [(t, bad[1] if t == bad[0] else b) for t, b in parts]
    parts = [(t, b) for t, b in parts if t not in drop]
    out = b""
    for i, (t, b) in enumerate(parts):
        np = parts[i + 1][0] if i + 1 < len(parts) else 0
        out += pld(np, b)
    return hdr(ick, bytes(8), parts[0][0], 4, len(out)) + out


def aggr():
    out = [aggr1(cookie(), drop=(4,)),           # no KE
           aggr1(cookie(), drop=(10,)),          # no nonce
           aggr1(cookie(), drop=(5,)),           # no ID
           aggr1(cookie(), bad=(4, b"\x01")),     # KE of one byte
           aggr1(cookie(), bad=(5, b"\x02\x00")),  # ID cut short
           aggr1(cookie(), bad=(10, b"\x00\x01"))]  # nonce of 2 bytes
    # SA twice (the second in place of KE's turn, KE after it).
    s = struct.pack("!II", 1, 1) + proposal()
    b = (pld(1, s) + pld(4, s) + pld(10, b"\x7f" + os.urandom(127)) +
         pld(5, os.urandom(16)) +
         pld(0, struct.pack("!BBH", 2, 0, 0) + b"x.example.net"))
    out.append(hdr(cookie(), bytes(8), 1, 4, len(b)) + b)
    # Message 3 (HASH_I) under cookies nobody handed out.
    h = pld(0, os.urandom(16))
    out.append(hdr(cookie(), os.urandom(8), 8, 4, len(h)) + h)
    return out


def frames(dmac, src, dst, data):
    return [Ether(dst=dmac) / IP(src=src, dst=dst) /
            UDP(sport=500, dport=500) / Raw(data)]


def junk():
    out = []
    # Header claims 200 bytes, the datagram carries 60.
    s = sa(proposal())
    out.append(hdr(cookie(), bytes(8), 1, 2, 0, total=200) + s[:32])
    # SA payload length past the end of the message.
    b = pld(0, struct.pack("!II", 1, 1) + proposal(), ln=0x1000)
    out.append(hdr(cookie(), bytes(8), 1, 2, len(b)) + b)
    # Zero-length SA payload (and zero-length proposal inside).
    b = pld(0, struct.pack("!II", 1, 1) + proposal(), ln=0)
    out.append(hdr(cookie(), bytes(8), 1, 2, len(b)) + b)
    b = sa(pld(0, b"", ln=0))
    out.append(hdr(cookie(), bytes(8), 1, 2, len(b)) + b)
    # Unknown next payload types: in the header, after the SA.
    out.append(hdr(cookie(), bytes(8), 99, 2, len(s)) + s)
    b = pld(77, struct.pack("!II", 1, 1) + proposal()) + pld(0, b"x" * 8)
    out.append(hdr(cookie(), bytes(8), 1, 2, len(b)) + b)
    # 70 proposals (bare transforms, to fit one frame); one proposal
    # claiming 255 transforms with one.
    bare = pld(0, struct.pack("!BBH", 1, 1, 0))
    ps = b"".join(proposal(body=bare, last=(i == 69), num=i + 1)
                  for i in range(70))
    b = sa(ps)
    out.append(hdr(cookie(), bytes(8), 1, 2, len(b)) + b)
    b = sa(proposal(ntrans=255))
    out.append(hdr(cookie(), bytes(8), 1, 2, len(b)) + b)
    # Transforms nested past their proposal's length.
    b = sa(pld(0, struct.pack("!BBBB", 1, 1, 0, 1) + transform()[:12]))
    out.append(hdr(cookie(), bytes(8), 1, 2, len(b)) + b)
    # DELETE and NOTIFY for no phase 1 (Informational, unencrypted).
    d = pld(0, struct.pack("!IBBH", 1, 1, 16, 1) + os.urandom(16))
    out.append(hdr(cookie(), os.urandom(8), 12, 5, len(d)) + d)
    n = pld(0, struct.pack("!IBBH", 1, 1, 16, 24576) + os.urandom(16))
    out.append(hdr(cookie(), os.urandom(8), 11, 5, len(n)) + n)
    # Shorter than a header.
    out.append(os.urandom(20))
    return out


def unprot(ick, rck):
    ck = ick + rck
    d = pld(0, struct.pack("!IBBH", 1, 1, 16, 1) + ck)
    n1 = pld(0, struct.pack("!IBBH", 1, 1, 16, 24578) + ck)   # INIT-CONTACT
    n2 = pld(0, struct.pack("!IBBH", 1, 1, 0, 14))            # NO-PROP
    out = []
    for np, p in ((12, d), (11, n1), (11, n2)):
        out.append(hdr(ick, rck, np, 5, len(p), msgid=struct.unpack(
            "!I", os.urandom(4))[0]) + p)
    return out


RFC3947 = bytes.fromhex("4a131c81070358455c5728f20e95452f")


def natt_msg1(ick, vids):
    attrs = b"".join(struct.pack("!HH", 0x8000 | t, v) for t, v in
                     ((1, 7), (14, 128), (2, 2), (3, 1), (4, 14), (11, 1),
                      (12, 28800)))
    tr = pld(0, struct.pack("!BBH", 1, 1, 0) + attrs)
    prop = pld(0, struct.pack("!BBBB", 1, 1, 0, 1) + tr)
    body = pld(13 if vids else 0, struct.pack("!II", 1, 1) + prop)
    for i, v in enumerate(vids):
        body += pld(13 if i + 1 < len(vids) else 0, v)
    return hdr(ick, bytes(8), 1, 2, len(body)) + body


def payloads(d):
    """(type, body) of each payload of an unencrypted message."""
    out, np, off = [], d[16], 28
    while np != 0 and off + 4 <= len(d):
        nxt, _, ln = struct.unpack("!BBH", d[off:off + 4])
        out.append((np, d[off + 4:off + ln]))
        np, off = nxt, off + ln
    return out


def natt(src, sport, dst):
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, sport))
    s.settimeout(5)

    def ask(m):
        s.sendto(m, (dst, 500))
        while True:
            d, _ = s.recvfrom(65535)
            if d[:8] == m[:8]:
                return d
    r = ask(natt_msg1(cookie(), [RFC3947[:15], RFC3947 + b"\0"]))
    print("vid-answered" if (13, RFC3947) in payloads(r) else "vid-ignored")
    ick = cookie()
    r = ask(natt_msg1(ick, [RFC3947]))
    if (13, RFC3947) in payloads(r):
        print("vid-agreed")
    ke = b"\x7f" + os.urandom(255)
    body = (pld(10, ke) + pld(20, os.urandom(16)) +
            pld(20, os.urandom(19)) + pld(0, os.urandom(21)))
    r = ask(hdr(ick, r[8:16], 4, 2, len(body)) + body)
    if payloads(r) and payloads(r)[0][0] == 4:
        print("msg4")
    return 0


def big(src, sport, dst, dport, size, mark):
    import socket
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if mark:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, mark)
    s.bind((src, sport))
    s.settimeout(5)
    ick = cookie()
    s_pl = sa(proposal())
    pre = b"\0" * 4 if dport == 4500 else b""
    vid = size - len(pre) - 28 - len(s_pl) - 4
    body = pld(13, s_pl[4:]) + pld(0, os.urandom(vid))
    m = pre + hdr(ick, bytes(8), 1, 2, len(body)) + body
    assert len(m) == size
    s.sendto(m, (dst, dport))
    try:
        while True:
            d, _ = s.recvfrom(65535)
            if d[len(pre):len(pre) + 8] == ick:
                print("answered", len(d))
                return 0
    except socket.timeout:
        print("lost")
        return 1


def main():
    cmd, iface = sys.argv[1], sys.argv[2]
    if cmd == "big":
        return big(sys.argv[2], int(sys.argv[3]), sys.argv[4],
                   int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7], 0))
    if cmd == "natt":
        return natt(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    if cmd == "flood":
        dmac, dst, net, n = sys.argv[3], sys.argv[4], sys.argv[5], \
            int(sys.argv[6])
        pk = [f for i in range(n) for f in
              frames(dmac, "%s.%d.%d" % (net, 100 + i // 250, i % 250 + 1),
                     dst, msg1(cookie()))]
        sendp(pk, iface=iface)
    elif cmd == "junk":
        dmac, src, dst = sys.argv[3:6]
        sendp([f for m in junk() for f in frames(dmac, src, dst, m)],
              iface=iface, inter=0.01)
    elif cmd == "cookies":
        src, dst = sys.argv[3:5]

        def real(p):
            if UDP not in p or p[IP].src != dst or p[IP].dst != src:
                return False
            d = bytes(p[UDP].payload)
            return (len(d) >= 28 and d[18] == 2 and d[:2] != MARK and
                    d[8:16] != bytes(8))
        # "sniffing" on stderr once the capture runs, for the caller.
        p = sniff(iface=iface, filter="udp port 500", lfilter=real,
                  count=1, timeout=25, started_callback=lambda: print(
                      "sniffing", file=sys.stderr, flush=True))
        if not p:
            return 1
        d = bytes(p[0][UDP].payload)
        print(d[:8].hex(), d[8:16].hex())
    elif cmd == "aggr":
        dmac, src, dst = sys.argv[3:6]
        sendp([f for m in aggr() for f in frames(dmac, src, dst, m)],
              iface=iface, inter=0.05)
    elif cmd == "aggr3":
        dmac, src, dst = sys.argv[3:6]
        ick = cookie()

        def answer(p):
            if UDP not in p or p[IP].src != dst or p[IP].dst != src:
                return False
            d = bytes(p[UDP].payload)
            return len(d) >= 28 and d[:8] == ick and d[18] == 4
        ready = threading.Event()
        sn = AsyncSniffer(iface=iface, filter="udp port 500",
                          lfilter=answer, count=1, timeout=20,
                          started_callback=ready.set)
        sn.start()
        ready.wait(20)
        sendp(frames(dmac, src, dst, aggr1(ick)), iface=iface)
        sn.join()
        if not sn.results:
            return 1
        d = bytes(sn.results[0][UDP].payload)
        # The payload chain of message 2, to show what came back.
        types, np, off = [], d[16], 28
        while np != 0 and off + 4 <= len(d):
            types.append(np)
            np, ln = d[off], struct.unpack("!H", d[off + 2:off + 4])[0]
            off += max(ln, 4)
        print(" ".join(str(t) for t in types))
        h = pld(0, os.urandom(16))      # md5: 16 bytes, but noise
        sendp(frames(dmac, src, dst, hdr(ick, d[8:16], 8, 4, len(h)) + h),
              iface=iface)
    elif cmd == "unprot":
        dmac, src, dst, ick, rck = sys.argv[3:8]
        sendp([f for m in unprot(bytes.fromhex(ick), bytes.fromhex(rck))
               for f in frames(dmac, src, dst, m)], iface=iface, inter=0.05)
    else:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
