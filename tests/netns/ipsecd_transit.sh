#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Ciphertext through a router that runs ipsecd itself (issue 8): ipsecd's
# prerouting chain drops only the ESP addressed to its own host, so the
# ESP between hosts A and C, routed through R, is forwarded untouched.
# A and C talk ESP (aes-gcm-16, transport); R has no SAs.  Ping and a TCP
# transfer cross R; R's early-drop counter stays at zero while C's counts
# the ESP it took.  R's SIGUSR1 counters show the forwarded ESP as
# transit, and only the forged ESP addressed to R itself as unknown-spi.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
a=trA$$ r=trR$$ c=trC$$
A=10.77.1.1 C=10.77.2.1
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for n in "$a" "$r" "$c"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$a" "$r" va ra $A/24 10.77.1.254/24 || exit 1
ip netns add "$c" || exit 1
ip -n "$c" link set lo up
ip -n "$r" link add rc type veth peer name vc netns "$c"
ip -n "$r" addr add 10.77.2.254/24 dev rc
ip -n "$c" addr add $C/24 dev vc
ip -n "$r" link set rc up && ip -n "$c" link set vc up
ip -n "$a" route add default via 10.77.1.254
ip -n "$c" route add default via 10.77.2.254
ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
KG=0x000102030405060708090a0b0c0d0e0f10111213
conf() {	# conf SELF PEER
	cat <<CONF
flush;
spdflush;
add $A $C esp 0x4001 -E aes-gcm-16 $KG;
add $C $A esp 0x4002 -E aes-gcm-16 $KG;
spdadd $1 $2 any -P out ipsec esp/transport//require;
spdadd $2 $1 any -P in ipsec esp/transport//require;
CONF
}
for n in "$a" "$r" "$c"; do
	ip netns exec "$n" "$ipsecd" -F 2>"$work/$n.log" &
	pids="$pids $!"
	[ "$n" = "$r" ] && rpid=$!
done
sleep 1
conf $A $C >"$work/a.conf"
conf $C $A >"$work/c.conf"
check "setkey loads A's SAs" ip netns exec "$a" "$setkey" -f "$work/a.conf"
check "setkey loads C's SAs" ip netns exec "$c" "$setkey" -f "$work/c.conf"
ip netns exec "$c" tcpdump -n -i vc -w "$work/wire.pcap" esp 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1
check "A pings C over ESP through R" ip netns exec "$a" ping -q -c 3 -W 2 $C
ip netns exec "$c" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    serve $C 5301 >"$work/tcp.out" 2>&1 &
spid=$!
sleep 0.5
ip netns exec "$a" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    send $C 5301 4 >"$work/tcp.in" 2>&1
wait "$spid"
check "4 MiB over TCP through R arrive intact" \
    transfer_ok 4 "$work/tcp.in" "$work/tcp.out"
sleep 0.5
kill "$tpid"; wait "$tpid" 2>/dev/null
early() {	# early NS: packets the ESP/AH rule of NS's prerouting dropped
	ip netns exec "$1" nft list chain inet ipsecd prerouting 2>/dev/null |
	    sed -n 's/.*l4proto { esp, ah }.*counter packets \([0-9]*\).*/\1/p'
}
er=$(early "$r") ec=$(early "$c")
echo "early drops: R ${er:-?}, C ${ec:-?}"
check "R has its early-drop rule" test -n "$er"
check "R forwarded the transit ESP (none dropped early)" test "${er:-1}" = 0
check "C dropped the ESP for it early" test "${ec:-0}" -gt 100
check "C's wire carried ESP" test "$(tcpdump -n -r "$work/wire.pcap" \
    2>/dev/null | grep -c 'ESP(spi=0x00004001')" -gt 100
# R's own counters: the ESP it forwarded is transit, not unknown-spi;
# ESP with an unknown SPI addressed to R itself still is a drop.
ip netns exec "$a" /usr/bin/python3 "$TOP/tests/netns/esp_forge.py" \
    $A 10.77.1.254 0x999 00 good 1
sleep 0.3
kill -USR1 "$rpid"
wait_for "$work/$r.log" "drops:"
line=$(grep "drops:" "$work/$r.log" | tail -1)
echo "R: ${line#*datapath: }"
transit=$(echo "$line" | sed -n 's/.* transit \([0-9]*\);.*/\1/p')
check "R counts the ESP it forwarded as transit" test "${transit:-0}" -gt 100
check "R counts no forwarded ESP as unknown-spi" \
    grep -q " unknown-spi=1\( \|$\)" <<<"$line"
[ $fail = 0 ] || tail -5 "$work"/*.log
exit $fail
