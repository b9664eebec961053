# SPDX-License-Identifier: BSD-2-Clause
"""Independent checks of ipsecd's AH over ESP with scapy (Debian's).

  manual_vpn.py verify SETKEY-D PCAP A B   decrypt and verify the capture
  manual_vpn.py inject SETKEY-D B A        send B->A echo request, want reply

The SAs (SPI, algorithm, key) are read from `setkey -D` output, so the
check uses what our setkey shows, not what the test meant to load.
"""
import hashlib
import hmac
import re
import struct
import sys
import warnings

warnings.filterwarnings("ignore")
from scapy.all import (ICMP, IP, AsyncSniffer, Raw, conf, defragment,  # noqa
                       raw, rdpcap, send)
from scapy.layers.ipsec import AH, ESP, SecurityAssociation  # noqa: E402

ENC = {"3des-cbc": "3DES", "aes-cbc": "AES-CBC", "des-cbc": "DES"}
AUTH = {"hmac-md5": ("HMAC-MD5-96", hashlib.md5, 12),
        "hmac-sha1": ("HMAC-SHA1-96", hashlib.sha1, 12)}


def read_sas(path):
    """{spi: (proto, src, dst, enc, ekey, auth, akey)} from setkey -D."""
    sas, cur = {}, None
    for line in open(path):
        m = re.match(r"^(\S+) (\S+)\s*$", line)
        if m:
            src, dst = m.groups()
            continue
        m = re.match(r"^\t(esp|ah) mode=\S+ spi=\d+\((0x[0-9a-f]+)\)", line)
        if m:
            cur = int(m.group(2), 16)
            sas[cur] = [m.group(1), src, dst, None, b"", None, b""]
            continue
        m = re.match(r"^\t([EA]): (\S+)\s+([0-9a-f ]+)$", line)
        if m and cur is not None:
            key = bytes.fromhex(m.group(3).replace(" ", ""))
            i = 3 if m.group(1) == "E" else 5
            sas[cur][i], sas[cur][i + 1] = m.group(2), key
    return sas


def ah_sa(sas, spi):
    s = sas[spi]
    return SecurityAssociation(AH, spi=spi, auth_algo=AUTH[s[5]][0],
                               auth_key=s[6])


def esp_sa(sas, spi):
    s = sas[spi]
    return SecurityAssociation(ESP, spi=spi, crypt_algo=ENC[s[3]],
                               crypt_key=s[4], auth_algo="NULL")


def verify(sas, pcap, a, b):
    seen = {"request": 0, "reply": 0}
    # ipsecd fragments outer packets larger than the link: verify whole
    # datagrams, as a receiver does.
    for p in defragment(rdpcap(pcap)):
        if IP not in p or p[IP].proto != 51:
            continue
        ip = IP(raw(p[IP]))
        if ip.src not in (a, b):
            continue
        spi = struct.unpack("!I", raw(ip)[ip.ihl * 4 + 4:ip.ihl * 4 + 8])[0]
        inner = ah_sa(sas, spi).decrypt(ip)       # raises if ICV is bad
        inner = IP(raw(inner))
        esp_spi = struct.unpack("!I", raw(inner)[inner.ihl * 4:
                                                 inner.ihl * 4 + 4])[0]
        plain = esp_sa(sas, esp_spi).decrypt(inner)
        if ICMP in plain:
            seen["request" if plain[ICMP].type == 8 else "reply"] += 1
    print("decrypted", seen)
    return seen["request"] >= 3 and seen["reply"] >= 3


def ah_over_esp(sas, src, dst, ah_spi, esp_spi, payload, seq):
    """IP/AH/ESP with AH's ICV computed here (RFC 4302 3.3.3)."""
    esp = raw(esp_sa(sas, esp_spi).encrypt(IP(src=src, dst=dst) / payload,
                                           seq_num=seq))[20:]
    name, digest, icvlen = AUTH[sas[ah_spi][5]]
    ah_len = 12 + icvlen
    total = 20 + ah_len + len(esp)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0x4242, 0, 0, 51, 0,
                      bytes(map(int, src.split("."))),
                      bytes(map(int, dst.split("."))))
    ah = struct.pack("!BBHII", 50, ah_len // 4 - 2, 0, ah_spi, seq)
    icv = hmac.new(sas[ah_spi][6], hdr + ah + bytes(icvlen) + esp,
                   digest).digest()[:icvlen]
    return IP(raw(IP(hdr + ah + icv + esp)))   # scapy fixes TTL/checksum


def inject(sas, b, a):
    ah = next(s for s, v in sas.items() if v[0] == "ah" and v[1] == b)
    esp = next(s for s, v in sas.items() if v[0] == "esp" and v[1] == b)
    pkt = ah_over_esp(sas, b, a, ah, esp,
                      ICMP(type=8, id=0x5ca9, seq=1) / Raw(b"scapy"), 1000)
    pkt.ttl = 64
    del pkt.chksum
    # Listen where the route to A goes (a namespace without a default
    # route would make scapy listen on lo).
    iface = conf.route.route(a)[0]
    sniff = AsyncSniffer(iface=iface, count=1, timeout=5,
                         filter="ip proto 51 and src host %s" % a)
    sniff.start()
    import time
    time.sleep(0.5)
    send(pkt, verbose=False)
    sniff.join()
    if not sniff.results:
        print("no protected reply")
        return False
    reply = sniff.results[0][IP]
    back = next(s for s, v in sas.items() if v[0] == "ah" and v[1] == a)
    inner = IP(raw(ah_sa(sas, back).decrypt(IP(raw(reply)))))
    espback = struct.unpack("!I", raw(inner)[20:24])[0]
    plain = esp_sa(sas, espback).decrypt(inner)
    ok = ICMP in plain and plain[ICMP].type == 0 and plain[ICMP].id == 0x5ca9
    print("reply", plain.summary())
    return ok


if __name__ == "__main__":
    sas = read_sas(sys.argv[2])
    if sys.argv[1] == "verify":
        sys.exit(0 if verify(sas, sys.argv[3], sys.argv[4], sys.argv[5])
                 else 1)
    sys.exit(0 if inject(sas, sys.argv[3], sys.argv[4]) else 1)
