#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# NAT traversal in transport mode (RFC 3947 5.1, issue 16): a client
# behind a NAT host (nftables masquerade) and a gateway, ESP in
# transport mode between them.  The client's policies name its own
# (private) address, the gateway's the NAT's public one.  Quick Mode
# agrees on UDP-Encapsulated-Transport, both sides send NAT-OA with the
# original addresses, the gateway finds its policy for the client's
# private ID through the NAT (NAT-OAi confirms it), and the SAs carry
# the peer's original address (SADB_X_EXT_NAT_T_OA).  Ping crosses as
# ESP in UDP.  TCP and UDP cross too, both ways: their checksums were
# computed over addresses the NAT changed, and ipsecd makes them right
# for the addresses delivered (RFC 3948 3.1.2).  The IPsec-SAs live 8
# seconds: at the soft lifetime the client rekeys over the floated
# ISAKMP-SA, and the new SAs are UDP-encapsulated too.  The ISAKMP-SA
# lives 14 seconds: the client negotiates the next one from port 4500
# already, through the NAT.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
udp="/usr/bin/python3 ${TEST_SRCDIR:-$TOP}/tests/netns/udp_mark.py"
tcp="/usr/bin/python3 ${TEST_SRCDIR:-$TOP}/tests/netns/tcp_xfer.py"
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
c=ntrC$$ n=ntrN$$ g=ntrG$$
C=192.168.83.10 NO=10.77.0.1 G=10.77.0.2
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for x in "$c" "$n" "$g"; do ip netns del "$x" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$c" "$n" eth0 in0 $C/24 192.168.83.1/24 || exit 1
ip netns add "$g" || exit 1
ip -n "$g" link set lo up
ip -n "$n" link add out0 type veth peer name eth0 netns "$g"
ip -n "$n" addr add $NO/24 dev out0
ip -n "$g" addr add $G/24 dev eth0
ip -n "$n" link set out0 up
ip -n "$g" link set eth0 up
ip -n "$c" route add default via 192.168.83.1
nat_masquerade "$n" out0 || exit 1

# conf NAME SELF PEER REMOTE
conf() {
	cat >"$work/$1.setkey" <<CONF
flush;
spdflush;
spdadd $2 $3 any -P out ipsec esp/transport//require;
spdadd $3 $2 any -P in ipsec esp/transport//require;
CONF
	cat >"$work/$1.conf" <<CONF
path pre_shared_key "$work/$1.psk";
path pidfile "$work/$1.pid";
listen { adminsock disabled; }

remote $4 {
	exchange_mode main;
	nat_traversal on;
	lifetime time 14 sec;
	proposal {
		encryption_algorithm aes 128;
		hash_algorithm sha256;
		authentication_method pre_shared_key;
		dh_group modp2048;
	}
}

sainfo anonymous {
	lifetime time 8 sec;
	encryption_algorithm aes 128;
	authentication_algorithm hmac_sha256;
	compression_algorithm deflate;
}
CONF
	printf '%s\tnat-t-transport\n' "$4" >"$work/$1.psk"
	chmod 600 "$work/$1.psk"
}
conf c $C $G $G
conf g $G $NO $NO

for x in c g; do
	ns=$(eval echo \$$x)
	ip netns exec "$ns" "$ipsecd" -F -dd 2>"$work/ipsecd-$x.log" &
	pids="$pids $!"
done
sleep 1
for x in c g; do
	ns=$(eval echo \$$x)
	check "setkey loads $x's transport policies" \
	    ip netns exec "$ns" "$setkey" -f "$work/$x.setkey"
	ip netns exec "$ns" "$racoon" -F -dd -f "$work/$x.conf" \
	    -l "$work/racoon-$x.log" &
	pids="$pids $!"
done
check "racoon on the client writes its pidfile" wait_for "$work/c.pid" .
check "racoon on the gateway writes its pidfile" wait_for "$work/g.pid" .
wire_start "$g" eth0 "$work/wire.pcap"

ip netns exec "$c" ping -c 1 -W 4 $G >/dev/null
check "the client pings the gateway in transport mode through the NAT" \
    ip netns exec "$c" ping -q -c 3 -W 2 $G
check "the gateway pings the client (at the NAT's address)" \
    ip netns exec "$g" ping -q -c 2 -W 2 $NO

# xfer FROM TO LISTEN CONNECT PORT NAME: 2 MiB over TCP through the SAs.
xfer() {
	ip netns exec "$2" $tcp serve "$3" "$5" >"$work/$6.out" 2>&1 &
	local s=$!
	sleep 0.5
	ip netns exec "$1" timeout 20 $tcp send "$4" "$5" 2 \
	    >"$work/$6.in" 2>&1
	wait $s
	check "2 MiB over TCP from the $6 arrive intact" \
	    transfer_ok 2 "$work/$6.in" "$work/$6.out"
}
xfer "$c" "$g" $G $G 5201 client
xfer "$g" "$c" $C $NO 5202 gateway
# udpx FROM TO LISTEN SENDTO PORT NAME: three datagrams, all received.
udpx() {
	ip netns exec "$2" $udp recv "$3" "$5" 0 2 >"$work/$6.udp" &
	local r=$! i
	sleep 0.5
	for i in 1 2 3; do
		ip netns exec "$1" $udp send "$4" "$5" "$6-$i"
	done
	wait $r
	check "UDP from the $6 arrives" \
	    test "$(grep -c "^$6-[123]$" "$work/$6.udp")" = 3
}
udpx "$c" "$g" $G $G 5203 client
udpx "$g" "$c" $C $NO 5204 gateway
check "the client rekeys at the soft lifetime" wait_for \
    "$work/racoon-c.log" "IPsec-SA soft lifetime reached.*rekeying" 100
sleep 1
check "the rekeyed SAs carry the traffic" \
    ip netns exec "$c" ping -q -c 2 -W 2 $G
check "the new SAs are UDP-encapsulated too" test "$(grep -c \
    "IPsec-SA established: ESP/Transport $C\[4500\]->$G\[4500\]" \
    "$work/racoon-c.log")" -ge 2
check "the client renegotiates phase 1 before it expires" wait_for \
    "$work/racoon-c.log" "renegotiating phase1 to $G" 100
check "the next ISAKMP-SA starts on port 4500 already" wait_for \
    "$work/racoon-c.log" \
    "initiate new phase 1 negotiation: $C\[4500\]<=>$G\[4500\]" 50
sleep 1
check "the next ISAKMP-SA is up" test "$(grep -c \
    "ISAKMP-SA established $C\[4500\]-$G\[4500\]" "$work/racoon-c.log")" -ge 2
check "the gateway answers it through the NAT" test "$(grep -c \
    "ISAKMP-SA established $G\[4500\]-$NO\[" "$work/racoon-g.log")" -ge 2
ip netns exec "$c" ping -c 1 -W 3 $G >/dev/null
check "traffic goes on under the new ISAKMP-SA" \
    ip netns exec "$c" ping -q -c 2 -W 2 $G
wire_stop

check "client: IPsec-SA established in transport mode over 4500" \
    grep -q "IPsec-SA established: ESP/Transport $C\[4500\]->$G\[4500\]" \
    "$work/racoon-c.log"
check "gateway: IPsec-SA established with the NAT's address and port" \
    grep -q "IPsec-SA established: ESP/Transport $G\[4500\]->$NO\[" \
    "$work/racoon-g.log"
check "gateway: NAT-OA names the client's own address" \
    grep -q "NAT-OA: the peer's own address is $C" "$work/racoon-g.log"
check "client: NAT-OA names the gateway's address" \
    grep -q "NAT-OA: the peer's own address is $G" "$work/racoon-c.log"
ip netns exec "$g" "$setkey" -D >"$work/g.D"
check "setkey -D on the gateway: ipsecd keeps the client's NAT-OA" \
    grep -q "NAT OA=$C" "$work/g.D"
check "setkey -D on the gateway: only ESP-in-UDP transport SAs" \
    test "$(grep -c 'esp-udp mode=transport' "$work/g.D")" -ge 2 -a \
    "$(grep -c 'esp mode' "$work/g.D")" = 0
check "wire: ESP in UDP both ways" test \
    "$(wire_count "$work/wire.pcap" "udp port 4500 and greater 60")" -ge 4
check "wire: nothing but UDP 500 and 4500" test "$(wire_count \
    "$work/wire.pcap" "ip and not (udp port 500 or udp port 4500)")" = 0

[ $fail = 0 ] || { tail -30 "$work/racoon-g.log"; }
exit $fail
