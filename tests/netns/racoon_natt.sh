#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# NAT traversal in Main Mode (RFC 3947/3948, issue 16): a client on a
# private LAN behind a NAT host (nftables masquerade in its own
# namespace) reaches a gateway whose racoon.conf names the NAT's public
# address.  Both run ipsecd and racoon with nat_traversal on.  The NAT-T
# vendor IDs and NAT-D payloads find the NAT, the client floats to port
# 4500 with message 5, quick mode agrees on UDP-Encapsulated-Tunnel, and
# the SAs carry the NAT-T extensions so that ipsecd encapsulates: ping
# and a TCP transfer cross; between the NAT and the gateway only UDP 500
# and 4500 are seen; the client sends keepalives every natt_keepalive.
# Then the NAT loses its mapping (conntrack flushed, another source port
# range forced): ipsecd on the gateway reports NEW_MAPPING, racoon moves
# the SAs and the ISAKMP-SA to the new port, and traffic goes on.  Last,
# NAT-T vendor IDs and NAT-D payloads of wrong lengths reach the
# gateway's racoon: dropped and logged, the negotiation goes on.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
c=ntC$$ n=ntN$$ g=ntG$$ h=ntH$$
C=192.168.77.10 NI=192.168.77.1 NO=10.75.0.1 G=10.75.0.2 L=10.75.2.10
LN=10.75.2.0/24
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for x in "$c" "$n" "$g" "$h"; do ip netns del "$x" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

for x in "$c" "$n" "$g" "$h"; do
	ip netns add "$x" || exit 1
	ip -n "$x" link set lo up
done
ip -n "$c" link add eth0 type veth peer name in0 netns "$n"
ip -n "$n" link add out0 type veth peer name eth0 netns "$g"
ip -n "$c" addr add $C/24 dev eth0
ip -n "$n" addr add $NI/24 dev in0
ip -n "$n" addr add $NO/24 dev out0
ip -n "$g" addr add $G/24 dev eth0
ip -n "$g" link add lan0 type veth peer name eth0 netns "$h"
ip -n "$g" addr add 10.75.2.1/24 dev lan0
ip -n "$h" addr add $L/24 dev eth0
for l in "$c eth0" "$n in0" "$n out0" "$g eth0" "$g lan0" "$h eth0"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$c" route add default via $NI
ip -n "$h" route add default via 10.75.2.1
ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1
# The NAT: everything from the private LAN leaves with the NAT's address.
nat_masquerade "$n" out0 || exit 1

cat >"$work/c.setkey" <<CONF
flush;
spdflush;
spdadd $C/32 $LN any -P out ipsec esp/tunnel/$C-$G/require;
spdadd $LN $C/32 any -P in ipsec esp/tunnel/$G-$C/require;
CONF
# The gateway knows the client by the NAT's public address.
cat >"$work/g.setkey" <<CONF
flush;
spdflush;
spdadd $LN $C/32 any -P out ipsec esp/tunnel/$G-$NO/require;
spdadd $C/32 $LN any -P in ipsec esp/tunnel/$NO-$G/require;
CONF
# conf NAME PEER SELFNET PEERNET EXTRA
conf() {
	cat >"$work/$1.conf" <<CONF
path pre_shared_key "$work/$1.psk";
path pidfile "$work/$1.pid";
listen { adminsock disabled; }
timer { natt_keepalive 2 sec; }

remote $2 {
	exchange_mode main;
	nat_traversal on;
	proposal {
		encryption_algorithm aes 128;
		hash_algorithm sha1;
		authentication_method pre_shared_key;
		dh_group modp2048;
	}
}

sainfo address $3 any address $4 any {
	lifetime time 30 min;
	encryption_algorithm aes 128;
	authentication_algorithm hmac_sha1;
	compression_algorithm deflate;
}
CONF
	printf '%s\tnat-traversal-secret\n' "$2" >"$work/$1.psk"
	chmod 600 "$work/$1.psk"
}
conf c $G $C/32 $LN
conf g $NO $LN $C/32

for x in c g; do
	ns=$(eval echo \$$x)
	ip netns exec "$ns" "$ipsecd" -F -dd 2>"$work/ipsecd-$x.log" &
	pids="$pids $!"
done
sleep 1
check "setkey loads the client's policies" \
    ip netns exec "$c" "$setkey" -f "$work/c.setkey"
check "setkey loads the gateway's policies" \
    ip netns exec "$g" "$setkey" -f "$work/g.setkey"
for x in c g; do
	ns=$(eval echo \$$x)
	ip netns exec "$ns" "$racoon" -F -d -f "$work/$x.conf" \
	    -l "$work/racoon-$x.log" &
	pids="$pids $!"
done
check "racoon on the client writes its pidfile" wait_for "$work/c.pid" .
check "racoon on the gateway writes its pidfile" wait_for "$work/g.pid" .
ip netns exec "$g" tcpdump -n -i eth0 -w "$work/wire.pcap" 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1

# The first ping may be the one ipsecd drops while it ACQUIREs.
ip netns exec "$c" ping -c 1 -W 4 $L >/dev/null
check "the client pings the gateway's LAN through the NAT" \
    ip netns exec "$c" ping -q -c 3 -W 2 $L
check "the gateway's LAN answers over the tunnel" \
    ip netns exec "$h" ping -q -c 2 -W 2 $C
ip netns exec "$h" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    serve $L 5016 >"$work/tcp.out" 2>&1 &
spid=$!
sleep 0.5
ip netns exec "$c" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    send $L 5016 2 >"$work/tcp.in" 2>&1
wait "$spid"
check "2 MiB over TCP arrive intact" \
    transfer_ok 2 "$work/tcp.in" "$work/tcp.out"
# Two keepalive periods with no traffic.
sleep 5

for l in "NAT-T RFC 3947 agreed" "NAT detected: ME" \
    "NAT-T: ports changed to: $C\[4500\]<->$G\[4500\]" \
    "ISAKMP-SA established $C\[4500\]-$G\[4500\]" \
    "IPsec-SA established: ESP/Tunnel $C\[4500\]->$G\[4500\]"; do
	check "client's racoon logs: $l" grep -q "$l" "$work/racoon-c.log"
done
for l in "NAT-T RFC 3947 agreed" "NAT detected: PEER" \
    "NAT-T: ports changed to: $G\[4500\]<->$NO\[" \
    "IPsec-SA established: ESP/Tunnel $NO\[[0-9]*\]->$G\[4500\]"; do
	check "gateway's racoon logs: $l" grep -q "$l" "$work/racoon-g.log"
done
check "the client sent NAT-T keepalives" \
    grep -q "NAT-T keepalive sent to $G\[4500\]" "$work/racoon-c.log"
check_not "the gateway (not behind NAT) sent none" \
    grep -q "NAT-T keepalive sent" "$work/racoon-g.log"
ip netns exec "$g" "$setkey" -D >"$work/g.D"
check "setkey -D on the gateway: two ESP-in-UDP SAs" \
    test "$(grep -c 'esp-udp mode=tunnel' "$work/g.D")" = 2

# The wire so far, the normal case.
kill "$tpid"; wait "$tpid" 2>/dev/null
tcpdump -n -r "$work/wire.pcap" 2>/dev/null >"$work/wire.txt"
tcpdump -n -r "$work/wire.pcap" 'not (udp port 500 or udp port 4500)' \
    2>/dev/null | grep -v "ARP\|IP6" >"$work/other.txt"
check "wire: ISAKMP from the NAT's port 500" \
    grep -q "$NO.500 > $G.500: isakmp" "$work/wire.txt"
check "wire: NAT-T ISAKMP on port 4500" \
    grep -q "$NO.4500 > $G.4500: NONESP-encap: isakmp" "$work/wire.txt"
check "wire: ESP in UDP both ways" \
    sh -c "grep -q '$NO.4500 > $G.4500: UDP-encap: ESP' $work/wire.txt &&
    grep -q '$G.4500 > $NO.4500: UDP-encap: ESP' $work/wire.txt"
check "wire: keepalives from the NAT" \
    grep -q "$NO.4500 > $G.4500: isakmp-nat-keep-alive" "$work/wire.txt"
check "wire: nothing but UDP 500 and 4500" test ! -s "$work/other.txt"
check "wire: no private address" \
    test "$(grep -c "192\.168\.77\.\|10\.75\.2\." "$work/wire.txt")" = 0
ip netns exec "$g" tcpdump -n -i eth0 -w "$work/wire2.pcap" 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1

# The NAT forgets: new mappings come from ports 20000-20999.
ip netns exec "$n" nft flush chain ip nat post
ip netns exec "$n" nft add rule ip nat post oifname out0 \
    meta l4proto udp masquerade to :20000-20999
check "the NAT's conntrack table is flushed" \
    sh -c "ip netns exec $n conntrack -F 2>/dev/null"
# Packets the gateway sends to the old port are lost until it learns.
ip netns exec "$c" ping -c 3 -W 2 $L >/dev/null
check "the gateway's ipsecd reports the new mapping" \
    wait_for "$work/ipsecd-g.log" "now at $NO\[20"
check "racoon on the gateway follows the peer to its new port" \
    wait_for "$work/racoon-g.log" "NAT-T: peer $NO\[4500\] moved to $NO\[20"
check "racoon moves the ISAKMP-SA too" \
    grep -q "NAT-T: the peer is now at $NO\[20" "$work/racoon-g.log"
check "the tunnel survives: the client still reaches the LAN" \
    ip netns exec "$c" ping -q -c 3 -W 2 $L
check "the tunnel survives: the LAN still reaches the client" \
    ip netns exec "$h" ping -q -c 3 -W 2 $C
ip netns exec "$g" "$setkey" -D >"$work/g.D2"
check "setkey -D on the gateway: the SAs name the new port" \
    test "$(grep -c "^$NO\[20[0-9]*\] $G\[4500\]\|^$G\[4500\] $NO\[20" \
    "$work/g.D2")" = 2

kill -TERM "$(cat "$work/c.pid")"
check "racoon on the client exits on SIGTERM" \
    wait_for "$work/racoon-c.log" "racoon stopped"
check "the gateway obeys the client's DELETE (to the new port)" \
    wait_for "$work/racoon-g.log" "purged IPsec-SA proto_id=ESP spi="
sleep 0.5
kill "$tpid"; wait "$tpid" 2>/dev/null
tcpdump -n -r "$work/wire2.pcap" 2>/dev/null >"$work/wire2.txt"
check "wire: ESP in UDP both ways on the new mapping" \
    sh -c "grep -q '$NO.20[0-9]* > $G.4500: UDP-encap: ESP' $work/wire2.txt &&
    grep -q '$G.4500 > $NO.20[0-9]*: UDP-encap: ESP' $work/wire2.txt"
# Only the NAT's refusals of what went to the lost mapping besides.
tcpdump -n -r "$work/wire2.pcap" 'not (udp port 500 or udp port 4500)' \
    2>/dev/null | grep -v "ARP\|IP6\|udp port 4500 unreachable" \
    >"$work/other2.txt"
check "wire: nothing else across the break" test ! -s "$work/other2.txt"

# Hostile NAT-T payloads from the NAT's own address (another port).
ip netns exec "$n" /usr/bin/python3 "$TOP/tests/netns/racoon_hostile.py" \
    natt $NO 5000 $G >"$work/hostile.out" 2>&1
check "vendor IDs of 15 and 17 bytes are not taken for NAT-T" \
    grep -q "vid-ignored" "$work/hostile.out"
for b in 15 17; do
	check "racoon logs the $b-byte vendor ID dropped" grep -q \
	    "vendor ID payload of $b bytes like NAT-T RFC 3947, not 16: dropped" \
	    "$work/racoon-g.log"
done
check "the right vendor ID agrees on NAT-T" \
    grep -q "vid-agreed" "$work/hostile.out"
for b in 19 21; do
	check "racoon logs the $b-byte NAT-D payload dropped" grep -q \
	    "NAT-D payload of $b bytes, not 20 (sha1): dropped" \
	    "$work/racoon-g.log"
done
check "without usable NAT-D, NAT-T is not used" \
    grep -q "0 usable NAT-D payloads: NAT-T not used" "$work/racoon-g.log"
check "message 3 is still answered" grep -q "msg4" "$work/hostile.out"
check "racoon on the gateway still runs" kill -0 "$(cat "$work/g.pid")"

[ $fail = 0 ] || { head "$work/other.txt" "$work/other2.txt";
    tail -30 "$work/racoon-c.log";
    tail -30 "$work/racoon-g.log"; }
exit $fail
