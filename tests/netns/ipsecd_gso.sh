#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd's TUN offloads (issue 8): with TSO the kernel hands ipsecd TCP
# super-packets larger than the MTU; each is cut into segments that are
# sealed one by one, and the receiving ipsecd merges the decrypted
# segments into GSO packets again.  Between two hosts, an ESP tunnel
# (aes-gcm-16, IPv4) and ESP transport (aes-cbc/hmac-sha256, IPv6): TCP
# transfers arrive intact both ways, the counters (SIGUSR1) show
# super-packets cut and segments merged, no packet on the wire exceeds
# the link MTU, UDP datagrams whose checksum the kernel left to ipsecd
# arrive (a wrong checksum would be dropped by the receiver), and ping
# with fragments still works.  The receiving kernel drops the ESP
# addressed to it in prerouting (ipsecd read it from its ring already).
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
a=gsoA$$ b=gsoB$$
A=10.76.0.1 B=10.76.0.2 A6=fd76::1 B6=fd76::2
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$a" "$b" va vb $A/24 $B/24 $A6/64 $B6/64 || exit 1
# The IPv6 policies cover neighbour discovery too: neighbours by hand.
neigh_pin "$a" va "$b" vb $A6 $B6
KG=0x000102030405060708090a0b0c0d0e0f10111213
KC=0x00112233445566778899aabbccddeeff
KS=0x$(printf '%064d' 5)
conf() {	# conf SELF PEER SELF6 PEER6
	cat <<CONF
flush;
spdflush;
add $A $B esp 0x3001 -m tunnel -E aes-gcm-16 $KG;
add $B $A esp 0x3002 -m tunnel -E aes-gcm-16 $KG;
add $A6 $B6 esp 0x3003 -m transport -E aes-cbc $KC -A hmac-sha256 $KS;
add $B6 $A6 esp 0x3004 -m transport -E aes-cbc $KC -A hmac-sha256 $KS;
spdadd $1 $2 any -P out ipsec esp/tunnel/$1-$2/require;
spdadd $2 $1 any -P in ipsec esp/tunnel/$2-$1/require;
spdadd $3 $4 any -P out ipsec esp/transport//require;
spdadd $4 $3 any -P in ipsec esp/transport//require;
CONF
}
conf $A $B $A6 $B6 >"$work/a.conf"
conf $B $A $B6 $A6 >"$work/b.conf"
ip netns exec "$a" "$ipsecd" -F 2>"$work/ipsecd-a.log" &
apid=$!
ip netns exec "$b" "$ipsecd" -F 2>"$work/ipsecd-b.log" &
bpid=$!
pids="$apid $bpid"
sleep 1
check "setkey loads A's SAs" ip netns exec "$a" "$setkey" -f "$work/a.conf"
check "setkey loads B's SAs" ip netns exec "$b" "$setkey" -f "$work/b.conf"
ip netns exec "$b" tcpdump -n -s 96 -i vb -w "$work/wire.pcap" \
    'esp' 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1

xfer_check "$a" "$b" $B 5101 32 "A to B (IPv4, tunnel)"
xfer_check "$b" "$a" $A 5102 16 "B to A (IPv4, tunnel)"
xfer_check "$a" "$b" $B6 5103 32 "A to B (IPv6, transport)"

# UDP from a socket: the kernel leaves its checksum to the TUN's reader.
udp() {		# udp ADDR: 20 datagrams of 1200 bytes A to B, count them
	ip netns exec "$b" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET,
    socket.SOCK_DGRAM)
s.bind((sys.argv[1], 5200))
s.settimeout(3)
n = 0
try:
    while n < 20:
        if s.recv(2048) == bytes(range(200)) * 6:
            n += 1
except socket.timeout:
    pass
print(n)' "$1" >"$work/udp.out" &
	local r=$!
	sleep 0.5
	ip netns exec "$a" /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET,
    socket.SOCK_DGRAM)
for i in range(20):
    s.sendto(bytes(range(200)) * 6, (sys.argv[1], 5200))
    time.sleep(0.01)' "$1"
	wait $r
	[ "$(cat "$work/udp.out")" = 20 ]
}
check "UDP with checksum offload arrives (IPv4)" udp $B
check "UDP with checksum offload arrives (IPv6)" udp $B6
check "ping -s 3000 (fragments) across" \
    ip netns exec "$a" ping -q -c 2 -W 3 -s 3000 $B

# B's kernel dropped the ciphertext for its addresses before routing it.
early=$(ip netns exec "$b" nft list chain inet ipsecd prerouting 2>/dev/null |
    sed -n 's/.*l4proto { esp, ah }.*counter packets \([0-9]*\).*/\1/p')
echo "ESP dropped early by B's kernel: ${early:-?}"
check "B's kernel drops ESP for it in prerouting" test "${early:-0}" -gt 20000
kill -USR1 $apid $bpid
check "A logs its counters" wait_for "$work/ipsecd-a.log" "offload:"
check "B logs its counters" wait_for "$work/ipsecd-b.log" "offload:"
counters() {	# counters LOG: "tso-pkts tso-segs gro-segs gro-pkts"
	sed -n 's/.*offload: tso \([0-9]*\) super-packets into \([0-9]*\) segments, gro \([0-9]*\) segments into \([0-9]*\) packets.*/\1 \2 \3 \4/p' "$1" | tail -1
}
read -r ta sa ga pa <<<"$(counters "$work/ipsecd-a.log")"
read -r tb sb gb pb <<<"$(counters "$work/ipsecd-b.log")"
echo "A: tso ${ta:-?} -> ${sa:-?} segments, gro ${ga:-?} -> ${pa:-?}"
echo "B: tso ${tb:-?} -> ${sb:-?} segments, gro ${gb:-?} -> ${pb:-?}"
check "A cut TCP super-packets into segments" \
    test "${ta:-0}" -gt 0 -a "${sa:-0}" -gt "${ta:-0}"
check "B merged decrypted segments" \
    test "${pb:-0}" -gt 0 -a "${gb:-0}" -gt "${pb:-0}"
check "B cut super-packets too (its transfer to A)" test "${tb:-0}" -gt 0
check "no datagram dropped as malformed" \
    test -z "$(grep -h 'drops:' "$work"/ipsecd-?.log | grep -v ' malformed=0 ')"
sleep 0.5
kill "$tpid"; wait "$tpid" 2>/dev/null
nesp=$(tcpdump -n -r "$work/wire.pcap" 2>/dev/null | wc -l)
echo "ESP packets captured: $nesp"
check "the wire carried the transfers as ESP" test "$nesp" -gt 20000
check "no ESP packet on the wire exceeds the link MTU" test -z \
    "$(tcpdump -n -r "$work/wire.pcap" 'greater 1515' 2>/dev/null | head -3)"
[ $fail = 0 ] || grep -h "drops:\|offload:" "$work"/ipsecd-?.log
exit $fail
