#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The article's manually keyed VPN (shared/seed/README.md) between two
# hosts whose kernel has no ESP/AH: ipsecd and our setkey in each
# namespace, AH over ESP in transport mode.  Ping both ways, a large ping,
# a TCP transfer; the wire shows AH(spi=0x300): ESP(spi=0x301) one way and
# 0x400/0x401 back, never ICMP in the clear; scapy decrypts and verifies
# what was captured with the keys `setkey -D` shows, and ipsecd accepts
# and answers a packet that scapy built for the same SAs.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
a=mvA$$ b=mvB$$
A=10.71.1.100 B=10.71.2.100
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$a" "$b" va vb $A/16 $B/16 || exit 1

# The article's script as host SELF writes it to PEER.
article() {
	cat <<CONF
#!/usr/sbin/setkey -f
flush;
spdflush;
add $A $B ah 0x300 -A hmac-md5 0xc0291ff014dccdd03874d9e8e4cdf3e6;
add $B $A ah 0x400 -A hmac-md5 0x96358c90783bbfa3d7b196ceabe0536b;
add $A $B esp 0x301 -E 3des-cbc 0x7aeaca3f87d060a12f4a4487d5a5c3355920fae69a96c831;
add $B $A esp 0x401 -E 3des-cbc 0xf6ddb555acfd9d77b03ea3843f2653255afe8eb5573965df;
spdadd $1 $2 any -P out ipsec
	esp/transport//require
	ah/transport//require;
spdadd $2 $1 any -P in ipsec
	esp/transport//require
	ah/transport//require;
CONF
}
article $A $B >"$work/a.conf"
article $B $A >"$work/b.conf"
for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F -d 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
check "setkey loads host A" ip netns exec "$a" "$setkey" -f "$work/a.conf"
check "setkey loads host B" ip netns exec "$b" "$setkey" -f "$work/b.conf"
sleep 0.3
ip netns exec "$b" tcpdump -n -i vb -w "$work/wire.pcap" 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1

check "ping A to B" ip netns exec "$a" ping -q -c 3 -W 2 $B
check "ping B to A" ip netns exec "$b" ping -q -c 2 -W 2 $A
check "ping -s 3000 (fragments)" ip netns exec "$a" ping -q -c 2 -W 3 -s 3000 $B
ip netns exec "$b" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    serve $B 5001 >"$work/tcp.out" 2>&1 &
spid=$!
sleep 0.5
ip netns exec "$a" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    send $B 5001 4 >"$work/tcp.in" 2>&1
wait "$spid"
check "4 MiB over TCP arrive intact" transfer_ok 4 "$work/tcp.in" "$work/tcp.out"

ip netns exec "$a" "$setkey" -D >"$work/a.D"
# scapy builds AH over ESP for the B->A SAs (AH's ICV by hand: scapy
# 2.5 signs AH over ESP wrongly) and sends it from B; A must answer.
inject() {
	ip netns exec "$b" /usr/bin/python3 "$TOP/tests/netns/manual_vpn.py" \
	    inject "$work/a.D" $B $A >"$work/inject.out" 2>&1
}
check "ipsecd accepts and answers what scapy built" inject
sleep 1
kill "$tpid"; wait "$tpid" 2>/dev/null
tcpdump -n -r "$work/wire.pcap" 2>/dev/null >"$work/wire.txt"
# tcpdump 4.99 adds the ICV to what the article shows.
check "wire: AH(0x300) over ESP(0x301) A to B, as the article shows" \
    grep -qE "$A > $B: AH\(spi=0x00000300,seq=0x1(,icv=0x[0-9a-f]+)?\): ESP\(spi=0x00000301,seq=0x1\), length 88" "$work/wire.txt"
check "wire: AH(0x400) over ESP(0x401) B to A" \
    grep -qE "$B > $A: AH\(spi=0x00000400,seq=0x1(,icv=0x[0-9a-f]+)?\): ESP\(spi=0x00000401,seq=0x1\), length 88" "$work/wire.txt"
check "wire: no ICMP in the clear" test "$(tcpdump -n -r "$work/wire.pcap" icmp 2>/dev/null | wc -l)" = 0
check "wire: no TCP in the clear" test "$(tcpdump -n -r "$work/wire.pcap" tcp 2>/dev/null | wc -l)" = 0
check "scapy verifies and decrypts the capture" /usr/bin/python3 \
    "$TOP/tests/netns/manual_vpn.py" verify "$work/a.D" "$work/wire.pcap" $A $B
check "setkey -D counts bytes" grep -qE "current: [1-9][0-9]*\(bytes\)" "$work/a.D"
[ $fail = 0 ] || { cat "$work/inject.out"; tail -20 "$work/ipsecd-a.log"; }
exit $fail
