# SPDX-License-Identifier: BSD-2-Clause
"""Every ESP/AH algorithm of ipsecd, over IPv4 and IPv6, checked by scapy.

Run inside namespace B (ip netns exec B python3 algs.py NSA A4 B4 A6 B6
IFACE SETKEY): for each case it loads manual SAs and transport (or tunnel)
policies on both hosts with our setkey, pings A->B through both ipsecds,
then builds an echo request to A with scapy for the B->A SA and checks
that A's protected answer decrypts with scapy.  So scapy decrypts what we
send and we accept what scapy builds.  aes-xcbc-mac has no scapy
implementation: tests/unit/test_icv.c holds its RFC 3566 vectors;
camellia-cbc and hmac-ripemd160, which scapy lacks too, are only pinged
here: tests/xcheck/ipsec_scapy.sh checks their bytes against Botan's.
"""
import os
import subprocess
import sys
import warnings

warnings.filterwarnings("ignore")
from scapy.all import (ICMP, IP, IPv6, AsyncSniffer, Raw, conf, raw,  # noqa
                       send)
from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest  # noqa
from scapy.layers.ipsec import AH, ESP, SecurityAssociation  # noqa

NSA, A4, B4, A6, B6, IFACE, SETKEY = sys.argv[1:8]

# proto, setkey enc, key bytes, setkey auth, key bytes, scapy enc, scapy auth
CASES = [
    ("esp", "des-cbc", 8, "hmac-md5", 16, "DES", "HMAC-MD5-96"),
    ("esp", "3des-cbc", 24, "hmac-sha1", 20, "3DES", "HMAC-SHA1-96"),
    ("esp", "aes-cbc", 16, "hmac-sha256", 32, "AES-CBC", "SHA2-256-128"),
    ("esp", "aes-cbc", 24, "hmac-sha384", 48, "AES-CBC", "SHA2-384-192"),
    ("esp", "aes-cbc", 32, "hmac-sha512", 64, "AES-CBC", "SHA2-512-256"),
    ("esp", "aes-ctr", 20, "hmac-sha1", 20, "AES-CTR", "HMAC-SHA1-96"),
    ("esp", "aes-gcm-16", 20, None, 0, "AES-GCM", "NULL"),
    ("esp", "aes-gcm-16", 36, None, 0, "AES-GCM", "NULL"),
    ("esp", "null", 0, "hmac-sha256", 32, "NULL", "SHA2-256-128"),
    ("esp", "aes-cbc", 16, None, 0, "AES-CBC", "NULL"),
    ("esp", "aes-cbc", 16, "aes-xcbc-mac", 16, None, None),
    ("esp", "blowfish-cbc", 16, "hmac-sha1", 20, "Blowfish", "HMAC-SHA1-96"),
    ("esp", "cast128-cbc", 16, "hmac-md5", 16, "CAST", "HMAC-MD5-96"),
    ("esp", "camellia-cbc", 32, "hmac-ripemd160", 20, None, None),
    ("ah", None, 0, "hmac-md5", 16, None, "HMAC-MD5-96"),
    ("ah", None, 0, "hmac-sha1", 20, None, "HMAC-SHA1-96"),
    ("ah", None, 0, "hmac-sha256", 32, None, "SHA2-256-128"),
    ("ah", None, 0, "hmac-sha512", 64, None, "SHA2-512-256"),
]
TUNNEL = [
    ("esp", "aes-gcm-16", 20, None, 0, "AES-GCM", "NULL"),
    ("ah", None, 0, "hmac-sha256", 32, None, "SHA2-256-128"),
]


def keyspec(opt, alg, key):
    if alg is None:
        return ""
    if not key:
        return " %s %s" % (opt, alg)       # null: setkey takes no key
    return " %s %s 0x%s" % (opt, alg, key.hex())


def script(case, a, b, ka, tunnel, out):
    proto, enc, _, auth, _, _, _ = case
    mode = "tunnel" if tunnel else "transport"
    lines = ["flush;", "spdflush;"]
    for spi, src, dst in ((0x5001, a, b), (0x5002, b, a)):
        e, k = ka[spi]
        lines.append("add %s %s %s 0x%x -m %s%s%s;" % (
            src, dst, proto, spi, mode,
            keyspec("-E", enc, e) if proto == "esp" else "",
            keyspec("-A", auth, k)))
    me, peer = (a, b) if out else (b, a)
    ends = "%s-%s" % (me, peer) if tunnel else ""
    back = "%s-%s" % (peer, me) if tunnel else ""
    lines.append("spdadd %s %s any -P out ipsec %s/%s/%s/require;" %
                 (me, peer, proto, mode, ends))
    lines.append("spdadd %s %s any -P in ipsec %s/%s/%s/require;" %
                 (peer, me, proto, mode, back))
    return "\n".join(lines) + "\n"


def setkey(ns, text):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + [SETKEY, "-c"]
    r = subprocess.run(cmd, input=text, text=True, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("setkey: " + r.stderr.strip())


def scapy_sa(case, spi, keys, tunnel, src, dst):
    proto, _, _, _, _, senc, sauth = case
    e, k = keys[spi]
    hdr = None
    if tunnel:
        hdr = IPv6(src=src, dst=dst) if ":" in src else IP(src=src, dst=dst)
    if proto == "ah":
        return SecurityAssociation(AH, spi=spi, auth_algo=sauth, auth_key=k,
                                   tunnel_header=hdr)
    return SecurityAssociation(ESP, spi=spi, crypt_algo=senc, crypt_key=e,
                               auth_algo=sauth, auth_key=k or None,
                               tunnel_header=hdr)


def echo(a, b):
    if ":" in a:
        return IPv6(src=b, dst=a) / ICMPv6EchoRequest(id=0x77, seq=1,
                                                       data=b"scapy")
    return IP(src=b, dst=a) / ICMP(type=8, id=0x77, seq=1) / Raw(b"scapy")


def scapy_round(case, keys, a, b, tunnel):
    """scapy -> A through the B->A SA; A's answer decrypted with A->B."""
    tx = scapy_sa(case, 0x5002, keys, tunnel, b, a)
    rx = scapy_sa(case, 0x5001, keys, tunnel, a, b)
    pkt = tx.encrypt(echo(a, b), seq_num=7)
    proto = 50 if case[0] == "esp" else 51
    filt = "%s proto %d and src host %s" % ("ip6" if ":" in a else "ip",
                                            proto, a)
    sn = AsyncSniffer(iface=IFACE, filter=filt, count=1, timeout=4)
    sn.start()
    import time
    time.sleep(0.3)
    send(pkt, verbose=False)
    sn.join()
    if not sn.results:
        raise RuntimeError("no protected answer from A")
    got = sn.results[0]
    got = got[IPv6] if ":" in a else got[IP]
    # scapy leaves what AH carried undissected (a bare Raw in tunnel
    # mode): dissect it again as the family's IP packet.
    plain = rx.decrypt(got.__class__(raw(got)))
    plain = got.__class__(raw(plain))
    ok = (ICMPv6EchoReply in plain and plain[ICMPv6EchoReply].id == 0x77) \
        if ":" in a else (ICMP in plain and plain[ICMP].type == 0 and
                          plain[ICMP].id == 0x77)
    if not ok:
        raise RuntimeError("answer is not our echo reply: %s" %
                           plain.summary())


def run(case, a, b, tunnel):
    keys = {spi: (os.urandom(case[2]), os.urandom(case[4]))
            for spi in (0x5001, 0x5002)}
    setkey(NSA, script(case, a, b, keys, tunnel, True))
    setkey(None, script(case, a, b, keys, tunnel, False))
    r = subprocess.run(["ip", "netns", "exec", NSA, "ping", "-q", "-c", "1",
                        "-W", "3", b], capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("ping A->B failed")
    if case[6] is not None:
        scapy_round(case, keys, a, b, tunnel)


failed = 0
for fam, a, b in (("IPv4", A4, B4), ("IPv6", A6, B6)):
    for tunnel, cases in ((False, CASES), (True, TUNNEL)):
        for case in cases:
            name = "%s %s %s %s/%s" % (fam, "tunnel" if tunnel else
                                       "transport", case[0], case[1] or "-",
                                       case[3] or "-")
            if case[1]:
                name += " (%d-byte key)" % case[2]
            try:
                run(case, a, b, tunnel)
                print("ok", name, "" if case[6] else
                      "(ping only: scapy lacks it)")
            except Exception as e:
                failed += 1
                print("FAIL", name + ":", e)
sys.stdout.flush()
sys.exit(1 if failed else 0)
