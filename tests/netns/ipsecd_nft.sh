#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Inbound enforcement (src/ipsecd/nft.c): with ipsecd's nftables table in
# place, cleartext that an `in ... require' policy protects is not
# delivered (also in fragments), a socket with the bypass mark (IKE)
# still gets it (also in fragments), `none'
# rules placed first let traffic through, `discard' drops; when the table
# goes, delivery is back.
set -u
. "$(dirname "$0")/lib.sh"
tool=${BUILD:?}/tests/tools/nft_tool
a=nftA$$ b=nftB$$
out=$(mktemp) got=$(mktemp)
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -f "$out" "$got"
}
trap cleanup EXIT

netns_pair "$a" "$b" va vb 10.55.0.1/24 10.55.0.2/24 fd55::1/64 fd55::2/64 ||
    exit 1

# listen SECONDS: report each datagram's port on A.
listen() {
	ip netns exec "$a" /usr/bin/python3 - "$1" <<'PY'
import select, socket, sys, time
socks = []
for fam, addr, port, mark in [(socket.AF_INET, "10.55.0.1", 8000, 0),
                              (socket.AF_INET, "10.55.0.1", 8001, 0x2504),
                              (socket.AF_INET, "10.55.0.1", 9000, 0),
                              (socket.AF_INET6, "fd55::1", 7777, 0),
                              (socket.AF_INET6, "fd55::1", 7778, 0)]:
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if mark:
        s.setsockopt(socket.SOL_SOCKET, 36, mark)   # SO_MARK
    s.bind((addr, port))
    socks.append((s, port))
print("listening", flush=True)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    r, _, _ = select.select([s for s, _ in socks], [], [], 0.1)
    for s, port in socks:
        if s in r:
            d = s.recv(65536)
            print("got", port, "big" if len(d) > 4000 else "", flush=True)
PY
}
send_all() {
	ip netns exec "$b" /usr/bin/python3 - <<'PY'
import socket
for fam, addr, port in [(socket.AF_INET, "10.55.0.1", 8000),
                        (socket.AF_INET, "10.55.0.1", 8001),
                        (socket.AF_INET, "10.55.0.1", 9000),
                        (socket.AF_INET6, "fd55::1", 7777),
                        (socket.AF_INET6, "fd55::1", 7778)]:
    socket.socket(fam, socket.SOCK_DGRAM).sendto(b"hello", (addr, port))
# An 8000-byte datagram arrives in IP fragments, as large IKE messages do;
# the input hook sees it reassembled, so the socket-mark rule still works.
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x" * 8000,
                                                       ("10.55.0.1", 8001))
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"y" * 8000,
                                                       ("10.55.0.1", 8000))
PY
}
run_round() {	# run_round: listen, send, collect into $got
	listen 2 >"$got" &
	local lp=$!
	for _ in $(seq 30); do grep -q listening "$got" && break; sleep 0.1; done
	sleep 0.2
	send_all
	wait "$lp"
}
sleep 1
ip netns exec "$a" "$tool" 30 \
    in,pass,10.55.0.2/32,10.55.0.1/32[9000],17 \
    in,protect,10.55.0.2/32,10.55.0.1/32,any \
    in,discard,fd55::2/128,fd55::1/128[7777],17 >"$out" 2>&1 &
pid=$!
check "table installed" wait_for "$out" ready
run_round
check_not "protected cleartext is not delivered" grep -q "got 8000" "$got"
check "the bypass-marked socket still gets it" grep -q "got 8001" "$got"
check "and gets a datagram that came in fragments" grep -q "got 8001 big" \
    "$got"
check_not "protected cleartext in fragments is not delivered" \
    grep -q "got 8000 big" "$got"
check "a none rule placed first passes" grep -q "got 9000" "$got"
check_not "discard drops" grep -q "got 7777" "$got"
check "traffic no rule names passes" grep -q "got 7778" "$got"
check "socket mark rule is first" grep -q "socket mark 0x00002504 accept" \
    <<<"$(ip netns exec "$a" nft list chain inet ipsecd input)"
kill "$pid"; wait "$pid"; pid=
check_not "table removed" grep -q ipsecd <<<"$(ip netns exec "$a" nft list tables)"
run_round
check "delivery is back" grep -q "got 8000" "$got"
[ $fail = 0 ] || cat "$out"
exit $fail
