#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd's ESP-in-UDP with UDP GSO: the sealed segments of a TCP
# super-packet to one peer leave in one sendmsg() with UDP_SEGMENT, from
# an ephemeral port that ipsecd's nftables output chain turns into 4500.
# veth hands the receiving host the whole super-packet, and the receiving
# ipsecd cuts it back into datagrams from the ring's virtio-net header.
# Between two hosts, NAT-T SAs (aes-gcm-16 tunnel over IPv4,
# aes-cbc/hmac-sha256 transport over IPv6), with UDP 4500 held as racoon
# would: TCP transfers arrive intact both ways, A's counters show fewer
# sends than datagrams, B's show super-packets cut, nothing is dropped,
# and the wire carries only UDP from and to port 4500.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
a=ngA$$ b=ngB$$
A=10.78.0.1 B=10.78.0.2 A6=fd78::1 B6=fd78::2
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
add $A[4500] $B[4500] esp-udp 0x5001 -m tunnel -E aes-gcm-16 $KG;
add $B[4500] $A[4500] esp-udp 0x5002 -m tunnel -E aes-gcm-16 $KG;
add $A6[4500] $B6[4500] esp-udp 0x5003 -m transport -E aes-cbc $KC -A hmac-sha256 $KS;
add $B6[4500] $A6[4500] esp-udp 0x5004 -m transport -E aes-cbc $KC -A hmac-sha256 $KS;
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
# UDP 4500 is racoon's; here a holder keeps the port, as racoon would.
for h in "$a $A" "$b $B"; do
	set -- $h
	ip netns exec "$1" /usr/bin/python3 "$TOP/tests/netns/natt.py" \
	    hold "$2" 60 &
	pids="$pids $!"
done
sleep 1
check "setkey loads A's NAT-T SAs" ip netns exec "$a" "$setkey" -f "$work/a.conf"
check "setkey loads B's NAT-T SAs" ip netns exec "$b" "$setkey" -f "$work/b.conf"
ip netns exec "$b" tcpdump -n -s 96 -i vb -w "$work/wire.pcap" \
    'udp or ip proto 50 or ip6 proto 50' 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1

xfer_check "$a" "$b" $B 5401 32 "A to B (IPv4 tunnel, ESP-in-UDP)"
xfer_check "$b" "$a" $A 5402 8 "B to A (IPv4 tunnel, ESP-in-UDP)"
xfer_check "$a" "$b" $B6 5403 16 "A to B (IPv6 transport, ESP-in-UDP)"
check "ping -s 3000 (fragments) across" \
    ip netns exec "$a" ping -q -c 2 -W 3 -s 3000 $B

kill -USR1 $apid $bpid
check "A logs its counters" wait_for "$work/ipsecd-a.log" "udp-gso"
check "B logs its counters" wait_for "$work/ipsecd-b.log" "udp-gso"
counters() {	# counters LOG: "sends datagrams in-packets in-datagrams refused"
	sed -n 's/.*udp-gso \([0-9]*\) sends of \([0-9]*\) datagrams (\([0-9]*\) runs refused), udp-gso in \([0-9]*\) super-packets into \([0-9]*\) datagrams.*/\1 \2 \4 \5 \3/p' "$1" | tail -1
}
read -r sa da ia ja ra <<<"$(counters "$work/ipsecd-a.log")"
read -r sb db ib jb rb <<<"$(counters "$work/ipsecd-b.log")"
echo "A: udp-gso ${sa:-?} sends of ${da:-?} datagrams; in ${ia:-?} -> ${ja:-?}"
echo "B: udp-gso ${sb:-?} sends of ${db:-?} datagrams; in ${ib:-?} -> ${jb:-?}"
sent=$(sed -n 's/.*datapath: sent \([0-9]*\),.*/\1/p' "$work/ipsecd-a.log" |
    tail -1)
echo "A sent ${sent:-?} packets in all"
check "A sent ESP-in-UDP with UDP GSO" test "${sa:-0}" -gt 0
check "A issued fewer sends than it sent datagrams (under a fifth)" \
    test "$((${sa:-1} * 5))" -lt "${da:-0}"
check "most of A's packets went out with UDP GSO" \
    test "$((${da:-0} * 2))" -gt "${sent:-0}"
check "B cut the super-packets veth handed it into datagrams" \
    test "${ib:-0}" -gt 0 -a "${jb:-0}" -gt "${ib:-0}"
check "B also sent with UDP GSO (its transfer to A)" test "${sb:-0}" -gt 0
check "no drops but the TUN's own link-scope" sh -c \
    "grep -h 'drops:' $work/ipsecd-?.log | sed 's/ link-scope=[0-9]*//' |
    grep -Eqv '=[1-9]'"
check_not "no UDP GSO refusal logged" grep -q "UDP GSO" "$work"/ipsecd-?.log
check "no UDP GSO run refused" test "${ra:-x}" = 0 -a "${rb:-x}" = 0
sleep 0.5
kill "$tpid"; wait "$tpid" 2>/dev/null

tcpdump -n -r "$work/wire.pcap" 2>/dev/null >"$work/wire.txt"
echo "wire: $(wc -l <"$work/wire.txt") packets"
check "wire: ESP-in-UDP seen both ways" sh -c \
    "grep -q '$A.4500 > $B.4500: UDP-encap' $work/wire.txt &&
    grep -q '$B.4500 > $A.4500: UDP-encap' $work/wire.txt"
# (later fragments of ping -s 3000 show no ports: ip-proto-17)
check "wire: every UDP datagram is from and to port 4500" sh -c \
    "! grep -v '\.4500 > [^ ]*\.4500:\|: ip-proto-17' $work/wire.txt |
    grep -q ."
check "wire: no plain ESP" test "$(tcpdump -n -r "$work/wire.pcap" \
    'ip proto 50 or ip6 proto 50' 2>/dev/null | wc -l)" = 0
[ $fail = 0 ] || { grep -h "datapath\|GSO\|nft" "$work"/ipsecd-?.log |
    tail -8; grep -v '\.4500 > [^ ]*\.4500:' "$work/wire.txt" | head -5; }
exit $fail
