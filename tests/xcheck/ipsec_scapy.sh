#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ESP and AH bytes checked against scapy's independent implementation,
# both ways; camellia-cbc and hmac-ripemd160 with Botan's (botan_algs.py).
set -u
tool=${BUILD:?}/tests/tools/xform_tool
[ -x "$tool" ] || { echo "missing $tool"; exit 1; }
/usr/bin/python3 -c 'import scapy.layers.ipsec' 2>/dev/null ||
    { echo "python3-scapy is not installed"; exit 77; }
/usr/bin/python3 -c 'import botan2' 2>/dev/null ||
    { echo "python3-botan is not installed"; exit 77; }
exec /usr/bin/python3 "$TOP/tests/xcheck/ipsec_scapy.py" "$tool"
