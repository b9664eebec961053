# SPDX-License-Identifier: BSD-2-Clause
"""Camellia-CBC and HMAC-RIPEMD160-96 for scapy's ESP and AH, from Botan.

scapy has neither, and python3-cryptography's Camellia (like Python's
hashlib RIPEMD-160) is OpenSSL's, the library ipsecd itself calls: no
independent check.  Botan (python3-botan) has its own implementations of
both; Debian builds it without its OpenSSL provider.  register() checks
both against their published vectors (RFC 3713 appendix A, RFC 2286
section 2), then adds "CAMELLIA-CBC" to scapy's CRYPT_ALGOS and
"HMAC-RIPEMD160-96" to its AUTH_ALGOS, so that ipsec_scapy.py frames ESP
and AH with scapy and computes the cipher and the ICV with Botan.
"""
import botan2
from scapy.layers import ipsec


class _Cbc:
    """What scapy asks of a cryptography Cipher: encryptor(), decryptor()."""

    def __init__(self, key, iv):
        self.key, self.iv = key, iv

    def _ctx(self, encrypt):
        c = botan2.SymmetricCipher("Camellia-%d/CBC/NoPadding" %
                                   (len(self.key) * 8), encrypt=encrypt)
        c.set_key(self.key)
        c.start(self.iv)
        return _Ctx(c)

    def encryptor(self):
        return self._ctx(True)

    def decryptor(self):
        return self._ctx(False)


class _Ctx:
    def __init__(self, c):
        self.c, self.buf = c, b""

    def update(self, data):
        self.buf += data
        return b""

    def finalize(self):
        return self.c.finish(self.buf)


class _CamelliaCbc(ipsec.CryptAlgo):
    def __init__(self):
        super().__init__("CAMELLIA-CBC", cipher=None, mode=None,
                         block_size=16, iv_size=16, key_size=(16, 24, 32))
        self.cipher = True      # scapy encrypts only when cipher is set

    def new_cipher(self, key, mode_iv, digest=None):
        return _Cbc(key, mode_iv)


class _Mac:
    def __init__(self, key):
        self.m = botan2.MsgAuthCode("HMAC(RIPEMD-160)")
        self.m.set_key(key)

    def update(self, data):
        self.m.update(data)

    def finalize(self):
        return self.m.final()


class _HmacRipemd160(ipsec.AuthAlgo):
    def __init__(self):
        super().__init__("HMAC-RIPEMD160-96", mac=True, digestmod=None,
                         icv_size=12, key_size=(20,))

    def new_mac(self, key):
        return _Mac(key)


def _selftest():
    # RFC 3713 appendix A: one 128-bit block, 128/192/256-bit keys.
    pt = bytes.fromhex("0123456789abcdeffedcba9876543210")
    for key, ct in (
            ("0123456789abcdeffedcba9876543210",
             "67673138549669730857065648eabe43"),
            ("0123456789abcdeffedcba98765432100011223344556677",
             "b4993401b3e996f84ee5cee7d79b09b9"),
            ("0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff",
             "9acc237dff16d76c20ef7c919e3a7509")):
        enc = _Cbc(bytes.fromhex(key), bytes(16)).encryptor()
        enc.update(pt)
        if enc.finalize() != bytes.fromhex(ct):
            raise RuntimeError("Botan Camellia fails RFC 3713's vector")
    # RFC 2286 section 2, test cases 1 and 2.
    for key, data, mac in (
            (b"\x0b" * 20, b"Hi There",
             "24cb4bd67d20fc1a5d2ed7732dcc39377f0a5668"),
            (b"Jefe", b"what do ya want for nothing?",
             "dda6c0213a485a9e24f4742064a7f033b43c4069")):
        m = _Mac(key)
        m.update(data)
        if m.finalize() != bytes.fromhex(mac):
            raise RuntimeError("Botan HMAC-RIPEMD160 fails RFC 2286's vector")


def register():
    _selftest()
    ipsec.CRYPT_ALGOS["CAMELLIA-CBC"] = _CamelliaCbc()
    ipsec.AUTH_ALGOS["HMAC-RIPEMD160-96"] = _HmacRipemd160()
