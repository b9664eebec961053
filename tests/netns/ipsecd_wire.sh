#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd's ciphertext side (src/ipsecd/wire.c) between two namespaces: the
# AF_PACKET ring's filter passes incoming ESP, AH, ESP-in-UDP and
# fragments and nothing else (not IKE's zero marker, not other traffic, not
# our own output); the kernel answers no ESP with "protocol unreachable"
# while the sinks are open; marked output bypasses the protected table.
set -u
. "$(dirname "$0")/lib.sh"
tool=${BUILD:?}/tests/tools/wire_tool
a=wireA$$ b=wireB$$
out=$(mktemp) cap=$(mktemp)
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
	[ -n "${tpid:-}" ] && kill "$tpid" 2>/dev/null
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -f "$out" "$cap"
}
trap cleanup EXIT

netns_pair "$a" "$b" va vb 10.66.0.1/24 10.66.0.2/24 fd66::1/64 fd66::2/64 ||
    exit 1
# Unmarked traffic from A to B is blackholed, as the protected table
# would send it into the TUN; the bypass mark skips it.
ip -n "$a" rule add not fwmark 0x2504 table 2504 pref 2504
ip -n "$a" route add blackhole 10.66.0.2/32 table 2504
sleep 1

ip netns exec "$b" tcpdump -l -n -i vb -w - 2>/dev/null >"$cap" &
tpid=$!
ip netns exec "$a" "$tool" rx 6 >"$out" 2>&1 &
pid=$!
wait_for "$out" ready

ip netns exec "$b" /usr/bin/python3 - <<'PY'
import warnings; warnings.filterwarnings("ignore")
from scapy.all import IP, IPv6, UDP, Raw, send, fragment
from scapy.layers.ipsec import ESP, AH
from scapy.layers.inet6 import IPv6ExtHdrFragment
A, A6 = "10.66.0.1", "fd66::1"
pk = [IP(dst=A)/ESP(spi=0x301, seq=1)/Raw(b"x" * 32),
      IP(dst=A)/AH(spi=0x300, seq=1, nh=50)/Raw(b"y" * 32),
      IP(dst=A)/UDP(sport=4500, dport=4500)/Raw(b"\x00\x00\x10\x01" + b"z" * 28),
      IP(dst=A)/UDP(sport=4500, dport=4500)/Raw(b"\x00\x00\x00\x00ike"),
      IP(dst=A)/UDP(sport=500, dport=500)/Raw(b"\x00" * 28),
      IP(dst=A)/UDP(sport=1, dport=9)/Raw(b"plain"),
      IPv6(dst=A6)/ESP(spi=0x601, seq=1)/Raw(b"x" * 32),
      IPv6(dst=A6)/UDP(sport=4500, dport=4500)/Raw(b"\x00\x00\x60\x02" + b"z" * 28)]
pk += fragment(IP(dst=A, id=77)/ESP(spi=0x777, seq=1)/Raw(b"f" * 2000), 1000)
for p in pk:
    send(p, verbose=False)
PY
# A sends one ESP packet to B through the raw socket, with the mark.
esp=$(/usr/bin/python3 -c '
from scapy.all import IP, Raw, raw
from scapy.layers.ipsec import ESP
print(raw(IP(src="10.66.0.1", dst="10.66.0.2")/ESP(spi=0x401, seq=1)/Raw(b"q"*16)).hex())' 2>/dev/null)
check "marked send" ip netns exec "$a" "$tool" tx "$esp"
# An unmarked packet to B goes into the protected table (here: nowhere).
check_not "unmarked ping reaches B" ip netns exec "$a" ping -c1 -W1 10.66.0.2
wait "$pid"; pid=
sleep 0.5; kill "$tpid"; wait "$tpid" 2>/dev/null; tpid=

check "ESP passes" grep -q "rx 10.66.0.2 > 10.66.0.1 proto 50 frag 0x0000 spi 0x301" "$out"
check "AH passes" grep -q "proto 51 frag 0x0000 spi 0x300" "$out"
check "ESP-in-UDP passes" grep -q "proto 17 frag 0x0000 spi 0x1001" "$out"
check "IPv6 ESP passes" grep -q "rx fd66::2 > fd66::1 proto 50 .*spi 0x601" "$out"
check "IPv6 ESP-in-UDP passes" grep -q "rx fd66::2 > fd66::1 proto 17 .*spi 0x6002" "$out"
check "the three fragments of ESP pass" test "$(grep 'proto 50 frag 0x' "$out" |
    grep -vc 'frag 0x0000')" = 3
check_not "IKE's zero marker is left to racoon" grep -q "spi 0x0 len" "$out"
check_not "IKE on 500 does not pass" grep -q "proto 17 .*len 56" "$out"
check "nothing else passed" test "$(grep -c '^rx' "$out")" = 8
check_not "our own output is not seen" grep -q "spi 0x401" "$out"
pkts=$(/usr/bin/python3 -c '
import sys, warnings; warnings.filterwarnings("ignore")
from scapy.all import rdpcap, IP, ICMP
from scapy.layers.ipsec import ESP
n_esp = n_unreach = 0
for p in rdpcap(sys.argv[1]):
    if IP in p and p[IP].src == "10.66.0.1" and p[IP].proto == 50: n_esp += 1
    # B has no sink: its own unreachable for our ESP does not count.
    if ICMP in p and p[IP].src == "10.66.0.1" and p[ICMP].type == 3 \
            and p[ICMP].code == 2:
        n_unreach += 1
        print(p.summary(), file=sys.stderr)
print(n_esp, n_unreach)' "$cap" 2>>"$out")
check "B received the marked ESP" test "${pkts%% *}" = 1
check "A sent no protocol-unreachable" test "${pkts##* }" = 0
[ $fail = 0 ] || cat "$out"
exit $fail
