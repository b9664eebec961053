#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# racoon's IKE sockets (src/racoon/isakmp_io.c) with ipsecd: on 500 and
# 4500 (non-ESP marker stripped and added), ESP-in-UDP dropped by the
# socket filter before racoon sees it, keepalives and short datagrams
# told apart, replies sent from the address the request came to, and the
# bypass mark taking them past a protected table that blackholes the peer.
set -u
. "$(dirname "$0")/lib.sh"
tool=${BUILD:?}/tests/tools/io_tool
a=ioA$$ b=ioB$$
out=$(mktemp) got=$(mktemp)
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -f "$out" "$got"
}
trap cleanup EXIT

netns_pair "$a" "$b" va vb 10.44.0.1/24 10.44.0.2/24 || exit 1
ip -n "$a" addr add 10.44.0.11/24 dev va
ip -n "$a" rule add not fwmark 0x2504 table 2504 pref 2504
ip -n "$a" route add blackhole 10.44.0.2/32 table 2504
sleep 1
ip netns exec "$a" "$tool" 0.0.0.0 8 >"$out" 2>&1 &
pid=$!
wait_for "$out" ready

ip netns exec "$b" /usr/bin/python3 - >"$got" <<'PY'
import socket, time
ike = bytes([0x11] * 8 + [0x22] * 8 + [1, 0x10, 2, 0] + [0] * 4 + [0, 0, 0, 28])
s500 = socket.socket(); s500 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s500.bind(("10.44.0.2", 500)); s500.settimeout(1)
s4500 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4500.bind(("10.44.0.2", 4500)); s4500.settimeout(1)
s500.sendto(ike, ("10.44.0.1", 500))
s500.sendto(b"short", ("10.44.0.1", 500))
s4500.sendto(b"\0\0\0\0" + ike, ("10.44.0.11", 4500))
s4500.sendto(b"\0\0\x10\x01" + b"e" * 40, ("10.44.0.1", 4500))    # ESP
s4500.sendto(b"\xff", ("10.44.0.1", 4500))                        # keepalive
s4500.sendto(b"\0\0", ("10.44.0.1", 4500))                        # junk
for s, name in ((s500, "500"), (s4500, "4500"), (s4500, "4500")):
    try:
        data, src = s.recvfrom(2000)
        print("reply", name, "from", src[0], src[1], "len", len(data),
              "head", data[:4].hex())
    except socket.timeout:
        print("timeout", name)
PY
wait "$pid"; pid=
check "IKE on 500 arrives" grep -q "msg 500 from 10.44.0.2\[500\] to 10.44.0.1\[500\] len 28 first 0x11" "$out"
check "IKE on 4500 arrives without the marker" grep -q "msg 4500 from 10.44.0.2\[4500\] to 10.44.0.11\[4500\] len 28 first 0x11" "$out"
check "short datagram dropped" grep -q "drop 500" "$out"
check "keepalive recognised" grep -q "keepalive 4500" "$out"
# One drop on 4500 (the junk): a second would be the ESP, had the
# socket filter let it through to racoon.
check "junk on 4500 dropped, ESP-in-UDP filtered before racoon" \
    test "$(grep -c "drop 4500" "$out")" = 1
check "500 reply passes the blackholed table (bypass mark)" \
    grep -q "reply 500 from 10.44.0.1 500 len 28 head 11111111" "$got"
check "4500 reply from the address asked, with the marker" \
    grep -q "reply 4500 from 10.44.0.11 4500 len 32 head 00000000" "$got"
check "keepalive sent back" grep -q "reply 4500 from 10.44.0.11 4500 len 1 head ff" "$got"
[ $fail = 0 ] || { cat "$out"; cat "$got"; }
exit $fail
