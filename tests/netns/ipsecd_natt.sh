#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd's ESP-in-UDP (RFC 3948, issue 7): manual SAs with the NAT-T
# extensions (setkey's esp-udp) between two hosts carry ping; the wire
# shows UDP 4500 only (no ESP, no ICMP); a NAT keepalive is ignored (no
# drop counted); when host A's source port changes (an nftables SNAT in A
# stands in for a NAT that lost its mapping), B still accepts the packets
# and reports SADB_X_NAT_T_NEW_MAPPING once (setkey -x) with the new port.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
a=natA$$ b=natB$$
A=10.73.1.100 B=10.73.2.100
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
conf() {
	cat <<CONF
flush;
spdflush;
add $A[4500] $B[4500] esp-udp 0x701 -m transport -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha256 0x$(printf '%064d' 7);
add $B[4500] $A[4500] esp-udp 0x801 -m transport -E aes-cbc 0xffeeddccbbaa99887766554433221100 -A hmac-sha256 0x$(printf '%064d' 8);
spdadd $1 $2 any -P out ipsec esp/transport//require;
spdadd $2 $1 any -P in ipsec esp/transport//require;
CONF
}
conf $A $B >"$work/a.conf"
conf $B $A >"$work/b.conf"
ip netns exec "$a" "$ipsecd" -F -d -d 2>"$work/ipsecd-a.log" &
pids="$pids $!"
ip netns exec "$b" "$ipsecd" -F -d -d 2>"$work/ipsecd-b.log" &
bpid=$!
pids="$pids $bpid"
# UDP 4500 is racoon's; here a holder keeps the port, as racoon would.
ip netns exec "$a" /usr/bin/python3 "$TOP/tests/netns/natt.py" hold $A 60 &
pids="$pids $!"
ip netns exec "$b" /usr/bin/python3 "$TOP/tests/netns/natt.py" hold $B 60 &
pids="$pids $!"
sleep 1
check "setkey loads A's NAT-T SAs" ip netns exec "$a" "$setkey" -f "$work/a.conf"
check "setkey loads B's NAT-T SAs" ip netns exec "$b" "$setkey" -f "$work/b.conf"
ip netns exec "$b" "$setkey" -x >"$work/x.log" 2>&1 &
pids="$pids $!"
ip netns exec "$b" tcpdump -n -i vb -w "$work/wire.pcap" 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1

check "ping A to B over ESP-in-UDP" ip netns exec "$a" ping -q -c 3 -W 2 $B
check "ping B to A over ESP-in-UDP" ip netns exec "$b" ping -q -c 2 -W 2 $A
check "a NAT keepalive is sent" ip netns exec "$a" /usr/bin/python3 \
    "$TOP/tests/netns/natt.py" keepalive $A $B
check "ping -s 3000 over ESP-in-UDP (fragments)" \
    ip netns exec "$a" ping -q -c 2 -W 3 -s 3000 $B
# 23 is SADB_X_NAT_T_NEW_MAPPING.
nm='sadb_msg{ version=2 type=23 '
check_not "no NEW_MAPPING while the port stays" grep -q "$nm" "$work/x.log"

# A's packets now leave from port 4501.
ip netns exec "$a" nft -f - <<NFT
table ip nattest {
	chain post {
		type nat hook postrouting priority srcnat;
		udp sport 4500 ip daddr $B snat to $A:4501
	}
}
NFT
check "ping A to B from the new port" ip netns exec "$a" ping -q -c 3 -W 2 $B
check "B reports NEW_MAPPING" wait_for "$work/x.log" "$nm"
check "NEW_MAPPING once for the new port, not per packet" \
    test "$(grep -c "$nm" "$work/x.log")" = 1
# ADDRESS_DST (type 6) and NAT_T_DPORT (type 22) name the new mapping.
check "NEW_MAPPING names port 4501 (0x1195)" \
    sh -c "grep -A30 '$nm' $work/x.log | grep -q 'sadb_x_nat_t_port{ port=4501\|port=4501'"
sleep 1
kill "$tpid"; wait "$tpid" 2>/dev/null
check "wire: UDP 4500 carries the ESP" test \
    "$(tcpdump -n -r "$work/wire.pcap" 'udp port 4500' 2>/dev/null | wc -l)" -ge 10
check "wire: no plain ESP" test \
    "$(tcpdump -n -r "$work/wire.pcap" 'ip proto 50' 2>/dev/null | wc -l)" = 0
check "wire: no ICMP in the clear" test \
    "$(tcpdump -n -r "$work/wire.pcap" icmp 2>/dev/null | wc -l)" = 0
kill -USR1 "$bpid"
check "B logs its counters" wait_for "$work/ipsecd-b.log" "drops:"
grep "drops:" "$work/ipsecd-b.log" | tail -1 >"$work/counters"
# The TUN's own IPv6 router solicitations (link-scope) are all it drops.
check "B dropped nothing (keepalive ignored, new port accepted)" \
    sh -c "sed 's/ link-scope=[0-9]*//' $work/counters | grep -Eqv '=[1-9]'"
check "B delivered what it opened" grep -q "received [1-9]" "$work/counters"
[ $fail = 0 ] || { cat "$work/counters"; grep -A30 "$nm" "$work/x.log"; tail -20 "$work/ipsecd-b.log"; }
exit $fail
