# SPDX-License-Identifier: BSD-2-Clause
"""Cross-check src/ipsecd's ESP and AH against scapy's independent code.

ESP, for each algorithm pair: a packet sealed by xform_tool must decrypt and
verify in scapy, and a packet scapy encrypts must open in xform_tool, both
giving the original UDP datagram back.  AH, over IPv4 (with and without an
option) and IPv6 (with and without a hop-by-hop header): scapy verifies our
ICV, and we verify scapy's.  camellia-cbc and hmac-ripemd160, which scapy
lacks, are added to it from Botan (botan_algs.py), an implementation
independent of the OpenSSL ipsecd uses.
Usage: ipsec_scapy.py PATH/TO/xform_tool
"""
import os
import subprocess
import sys
import warnings

warnings.filterwarnings("ignore")
from scapy.all import IP, IPv6, IPOption_Router_Alert, UDP, Raw, raw  # noqa
from scapy.layers.inet6 import IPv6ExtHdrHopByHop, HBHOptUnknown  # noqa
from scapy.layers.ipsec import AH, ESP, SecurityAssociation  # noqa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
import botan_algs  # noqa: E402

botan_algs.register()

TOOL = sys.argv[1]
# setkey name, scapy name, key bytes (salt included), for each side.
CASES = [
    ("aes-cbc", "AES-CBC", 16, "hmac-sha1", "HMAC-SHA1-96", 20),
    ("aes-cbc", "AES-CBC", 32, "hmac-sha256", "SHA2-256-128", 32),
    ("aes-cbc", "AES-CBC", 24, "hmac-sha384", "SHA2-384-192", 48),
    ("3des-cbc", "3DES", 24, "hmac-md5", "HMAC-MD5-96", 16),
    ("des-cbc", "DES", 8, "hmac-sha512", "SHA2-512-256", 64),
    ("blowfish-cbc", "Blowfish", 16, "hmac-sha1", "HMAC-SHA1-96", 20),
    ("cast128-cbc", "CAST", 16, "hmac-sha1", "HMAC-SHA1-96", 20),
    ("aes-ctr", "AES-CTR", 20, "hmac-sha256", "SHA2-256-128", 32),
    ("aes-ctr", "AES-CTR", 36, "hmac-sha1", "HMAC-SHA1-96", 20),
    ("aes-gcm-16", "AES-GCM", 20, "null", "NULL", 0),
    ("aes-gcm-16", "AES-GCM", 36, "null", "NULL", 0),
    ("null", "NULL", 0, "hmac-sha1", "HMAC-SHA1-96", 20),
    # Botan's (botan_algs.py)
    ("camellia-cbc", "CAMELLIA-CBC", 16, "hmac-ripemd160",
     "HMAC-RIPEMD160-96", 20),
    ("camellia-cbc", "CAMELLIA-CBC", 24, "hmac-sha1", "HMAC-SHA1-96", 20),
    ("camellia-cbc", "CAMELLIA-CBC", 32, "hmac-sha256", "SHA2-256-128", 32),
    ("aes-cbc", "AES-CBC", 16, "hmac-ripemd160", "HMAC-RIPEMD160-96", 20),
    ("null", "NULL", 0, "hmac-ripemd160", "HMAC-RIPEMD160-96", 20),
]
SRC, DST, SPI = "10.77.0.1", "10.77.0.2", 0x301


def tool(*args):
    r = subprocess.run([TOOL, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("xform_tool %s: %s" % (args[0], r.stderr.strip()))
    return r.stdout.strip()


def hexs(b):
    return b.hex() if b else "-"


def check(enc, senc, elen, auth, sauth, alen, size):
    ekey = os.urandom(elen)
    akey = os.urandom(alen)
    sa = SecurityAssociation(ESP, spi=SPI, crypt_algo=senc,
                             crypt_key=ekey or None, auth_algo=sauth,
                             auth_key=akey or None)
    inner = IP(raw(IP(src=SRC, dst=DST) / UDP(sport=1000, dport=2000) /
                   Raw(os.urandom(size))))
    udp = raw(inner[UDP])
    # ours -> scapy
    esp = bytes.fromhex(tool("seal", enc, hexs(ekey), auth, hexs(akey),
                             str(SPI), "7", "17", udp.hex()))
    outer = IP(raw(IP(src=SRC, dst=DST, proto=50) / Raw(esp)))
    got = sa.decrypt(outer)
    if raw(got[UDP]) != udp:
        raise RuntimeError("scapy decrypted something else")
    # scapy -> ours
    theirs = raw(sa.encrypt(inner, seq_num=9)[ESP])
    nh, payload = tool("open", enc, hexs(ekey), auth, hexs(akey),
                       theirs.hex()).split(" ")
    if nh != "17" or bytes.fromhex(payload) != udp:
        raise RuntimeError("we opened something else")


AH_CASES = [("hmac-md5", "HMAC-MD5-96", 16), ("hmac-sha1", "HMAC-SHA1-96", 20),
            ("hmac-sha256", "SHA2-256-128", 32),
            ("hmac-sha384", "SHA2-384-192", 48),
            ("hmac-sha512", "SHA2-512-256", 64),
            ("hmac-ripemd160", "HMAC-RIPEMD160-96", 20)]


def ah_packets(size):
    data = UDP(sport=1000, dport=2000) / Raw(os.urandom(size))
    yield "IPv4", IP(raw(IP(src=SRC, dst=DST) / data))
    yield "IPv4+RA", IP(raw(IP(src=SRC, dst=DST,
                               options=[IPOption_Router_Alert()]) / data))
    yield "IPv6", IPv6(raw(IPv6(src="fd00::1", dst="fd00::2") / data))
    hbh = IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x3e,
                                                     optdata=b"ab")])
    yield "IPv6+HBH", IPv6(raw(IPv6(src="fd00::1", dst="fd00::2") / hbh /
                               data))


def check_ah(auth, sauth, alen, size):
    key = os.urandom(alen)
    sa = SecurityAssociation(AH, spi=0x300, auth_algo=sauth, auth_key=key)
    for name, pkt in ah_packets(size):
        # ours -> scapy: scapy verifies the ICV and strips AH
        ours = bytes.fromhex(tool("ah-seal", auth, key.hex(), "768", "5",
                                  raw(pkt).hex()))
        cls = IP if name.startswith("IPv4") else IPv6
        got = cls(raw(sa.decrypt(cls(ours))))
        if raw(got[UDP]) != raw(pkt[UDP]):
            raise RuntimeError("%s: scapy returned something else" % name)
        # scapy -> ours
        theirs = raw(sa.encrypt(pkt, seq_num=3))
        back = bytes.fromhex(tool("ah-open", auth, key.hex(), theirs.hex()))
        if raw(cls(back)[UDP]) != raw(pkt[UDP]):
            raise RuntimeError("%s: we returned something else" % name)


failed = 0
for case in AH_CASES:
    for size in (0, 5, 100):
        try:
            check_ah(*case, size)
        except Exception as e:
            failed += 1
            print("FAIL AH %s, payload %d: %s" % (case[0], size, e))
    print("ok AH %s over IPv4, IPv4 with options, IPv6, IPv6 with HBH" %
          case[0])
for case in CASES:
    for size in (0, 1, 13, 64, 1000):
        try:
            check(*case, size)
        except Exception as e:  # report every case, then fail
            failed += 1
            print("FAIL %s/%s key %d, payload %d: %s" %
                  (case[0], case[3], case[2], size, e))
    print("ok %s (%d-byte key) with %s" % (case[0], case[2], case[3]))
sys.exit(1 if failed else 0)
