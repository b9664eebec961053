#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Roadwarriors behind one NAT (issues 15 and 16): two clients on two
# private LANs of one NAT host (nftables masquerade in its own
# namespace) reach a gateway whose racoon.conf has only `remote
# anonymous' (passive, generate_policy unique, nat_traversal on) and
# `sainfo anonymous', and no policy.  Client 1 uses Main Mode, client 2
# Aggressive Mode (NAT-D in messages 2 and 3, the float with message
# 3).  Each client has its own tunnel
# (ESP in UDP, tunnel mode) to the LAN behind the gateway, both at once,
# though the gateway sees both at the NAT's one public address: the
# policies it generates carry that address as the tunnel's far end, and
# the SAs of each client keep to their own NAT port.  Between the NAT
# and the gateway only UDP 500 and 4500 are seen.  Then the NAT takes
# another public address (conntrack flushed): ipsecd reports each
# client's NEW_MAPPING; the ISAKMP-SAs follow, but SAs cannot change
# address without starting their sequence numbers again, so racoon
# deletes them and tells each client, which negotiates new ones: the
# policies generated anew end at the new address, and both tunnels go
# on.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
c1=nrC1$$ c2=nrC2$$ n=nrN$$ g=nrG$$ h=nrH$$
C1=192.168.81.10 C2=192.168.82.10 NO=10.76.0.1 G=10.76.0.2 H=10.76.2.10
LN=10.76.2.0/24
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for x in "$c1" "$c2" "$n" "$g" "$h"; do
		ip netns del "$x" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

for x in "$c1" "$c2" "$n" "$g" "$h"; do
	ip netns add "$x" || exit 1
	ip -n "$x" link set lo up
done
ip -n "$c1" link add eth0 type veth peer name in1 netns "$n"
ip -n "$c2" link add eth0 type veth peer name in2 netns "$n"
ip -n "$n" link add out0 type veth peer name eth0 netns "$g"
ip -n "$g" link add lan0 type veth peer name eth0 netns "$h"
ip -n "$c1" addr add $C1/24 dev eth0
ip -n "$c2" addr add $C2/24 dev eth0
ip -n "$n" addr add 192.168.81.1/24 dev in1
ip -n "$n" addr add 192.168.82.1/24 dev in2
ip -n "$n" addr add $NO/24 dev out0
ip -n "$g" addr add $G/24 dev eth0
ip -n "$g" addr add 10.76.2.1/24 dev lan0
ip -n "$h" addr add $H/24 dev eth0
for l in "$c1 eth0" "$c2 eth0" "$n in1" "$n in2" "$n out0" "$g eth0" \
    "$g lan0" "$h eth0"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$c1" route add default via 192.168.81.1
ip -n "$c2" route add default via 192.168.82.1
ip -n "$h" route add default via 10.76.2.1
ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1
nat_masquerade "$n" out0 || exit 1

proposal='proposal {
		encryption_algorithm aes 128;
		hash_algorithm sha256;
		authentication_method pre_shared_key;
		dh_group modp2048;
	}'
algs='encryption_algorithm aes 128;
	authentication_algorithm hmac_sha256;
	compression_algorithm deflate;'
cat >"$work/g.conf" <<CONF
path pre_shared_key "$work/g.psk";
path pidfile "$work/g.pid";
listen { adminsock disabled; }

remote anonymous {
	exchange_mode main, aggressive;
	passive on;
	generate_policy unique;
	nat_traversal on;
	$proposal
}

sainfo anonymous {
	$algs
}
CONF
printf '*\troadwarriors-behind-nat\n' >"$work/g.psk"

# client NAME SELF MODE
client() {
	cat >"$work/$1.setkey" <<CONF
flush;
spdflush;
spdadd $2/32 $LN any -P out ipsec esp/tunnel/$2-$G/require;
spdadd $LN $2/32 any -P in ipsec esp/tunnel/$G-$2/require;
CONF
	cat >"$work/$1.conf" <<CONF
path pre_shared_key "$work/$1.psk";
path pidfile "$work/$1.pid";
listen { adminsock disabled; }

remote $G {
	exchange_mode $3;
	nat_traversal on;
	$proposal
}

sainfo address $2/32 any address $LN any {
	$algs
}
CONF
	printf '%s\troadwarriors-behind-nat\n' $G >"$work/$1.psk"
}
client c1 $C1 main
client c2 $C2 aggressive
chmod 600 "$work"/*.psk

for x in c1 c2 g; do
	ns=$(eval echo \$$x)
	ip netns exec "$ns" "$ipsecd" -F -dd 2>"$work/ipsecd-$x.log" &
	pids="$pids $!"
done
sleep 1
for x in c1 c2; do
	ns=$(eval echo \$$x)
	check "setkey loads client $x's policies" \
	    ip netns exec "$ns" "$setkey" -f "$work/$x.setkey"
done
for x in c1 c2 g; do
	ns=$(eval echo \$$x)
	ip netns exec "$ns" "$racoon" -F -d -f "$work/$x.conf" \
	    -l "$work/racoon-$x.log" &
	pids="$pids $!"
done
for x in c1 c2 g; do
	check "racoon $x writes its pidfile" wait_for "$work/$x.pid" .
done
ip netns exec "$g" tcpdump -n -i eth0 -w "$work/wire.pcap" 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1

# Both at once; the first ping of each may be the one ipsecd drops.
ip netns exec "$c1" ping -c 2 -W 3 $H >/dev/null &
p1=$!
ip netns exec "$c2" ping -c 2 -W 3 $H >/dev/null &
p2=$!
wait $p1 $p2
check "client 1 reaches the LAN behind the gateway" \
    ip netns exec "$c1" ping -q -c 3 -W 2 $H
check "client 2 reaches the LAN behind the gateway" \
    ip netns exec "$c2" ping -q -c 3 -W 2 $H
check "the LAN reaches client 1" ip netns exec "$h" ping -q -c 2 -W 2 $C1
check "the LAN reaches client 2" ip netns exec "$h" ping -q -c 2 -W 2 $C2
for x in 1 2; do
	ip netns exec "$h" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
	    serve $H 502$x >"$work/tcp$x.out" 2>&1 &
	eval s$x=\$!
done
sleep 0.5
for x in 1 2; do
	ns=$(eval echo \$c$x)
	ip netns exec "$ns" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
	    send $H 502$x 1 >"$work/tcp$x.in" 2>&1 &
	eval t$x=\$!
done
wait "$t1" "$t2" "$s1" "$s2"
for x in 1 2; do
	check "1 MiB over TCP from client $x at the same time" \
	    transfer_ok 1 "$work/tcp$x.in" "$work/tcp$x.out"
done

check "gateway: two ISAKMP-SAs with the NAT's address" test \
    "$(grep -c "ISAKMP-SA established $G\[4500\]-$NO\[" \
    "$work/racoon-g.log")" = 2
check "gateway: NAT detected twice" \
    test "$(grep -c "NAT detected: PEER" "$work/racoon-g.log")" = 2
check "gateway: one of them in Aggressive Mode" \
    grep -q "begin Aggressive mode" "$work/racoon-g.log"
check "client 2 floats with Aggressive Mode's message 3" grep -q \
    "NAT-T: ports changed to: $C2\[4500\]<->$G\[4500\]" \
    "$work/racoon-c2.log"
for c in $C1 $C2; do
	check "gateway: policy generated for $c" grep -q \
	    "no policy found, try to generate the policy : $c\\[any\\]" \
	    "$work/racoon-g.log"
done
ip netns exec "$g" "$setkey" -DP >"$work/g.DP"
for c in $C1 $C2; do
	for d in "$LN\[any\] $c\[any\] 255 out" "$c\[any\] $LN\[any\] 255 in"; do
		check "gateway setkey -DP: $d, tunnel to the NAT" sh -c \
		    "grep -A2 '^${d% 255 *}' $work/g.DP | grep -q '${d##* } ' &&
		    grep -A2 '^${d% 255 *}' $work/g.DP | \
		    grep -Eq 'esp/tunnel/($G-$NO|$NO-$G)/unique'"
	done
done
ip netns exec "$g" "$setkey" -D >"$work/g.D"
check "gateway setkey -D: four ESP-in-UDP SAs" \
    test "$(grep -c 'esp-udp mode=tunnel' "$work/g.D")" = 4
check "gateway setkey -D: the clients' SAs use two NAT ports" \
    test "$(grep -o "^$NO\[[0-9]*\]" "$work/g.D" | sort -u | wc -l)" = 2

kill "$tpid"; wait "$tpid" 2>/dev/null
tcpdump -n -r "$work/wire.pcap" 2>/dev/null >"$work/wire.txt"
tcpdump -n -r "$work/wire.pcap" 'not (udp port 500 or udp port 4500)' \
    2>/dev/null | grep -v "ARP\|IP6" >"$work/other.txt"
check "wire: ESP in UDP from two NAT ports" test \
    "$(grep -o "$NO\.[0-9]* > $G.4500: UDP-encap" "$work/wire.txt" |
    sort -u | wc -l)" = 2
check "wire: nothing but UDP 500 and 4500" test ! -s "$work/other.txt"
check "wire: no private address" \
    test "$(grep -c "192\.168\.8[12]\.\|10\.76\.2\." "$work/wire.txt")" = 0

# The NAT's public address changes: new mappings leave from 10.76.0.3.
NO2=10.76.0.3
ip -n "$n" addr add $NO2/24 dev out0
ip netns exec "$n" nft flush chain ip nat post
ip netns exec "$n" nft add rule ip nat post oifname out0 snat to $NO2
check "the NAT's conntrack table is flushed" \
    sh -c "ip netns exec $n conntrack -F 2>/dev/null"
for x in 1 2; do
	ns=$(eval echo \$c$x)
	ip netns exec "$ns" ping -c 2 -W 2 $H >/dev/null
done
check "racoon follows both clients to the NAT's new address" test \
    "$(grep -c "NAT-T: peer $NO\[[0-9]*\] moved to $NO2\[" \
    "$work/racoon-g.log")" = 2
check "racoon deletes the SAs that cannot follow" grep -q \
    "purged IPsec-SA proto_id=ESP spi=.*: the peer's NAT changed its address" \
    "$work/racoon-g.log"
for x in 1 2; do
	check "client $x obeys the DELETE sent to the new address" \
	    wait_for "$work/racoon-c$x.log" "purged IPsec-SA proto_id=ESP" 30
	ns=$(eval echo \$c$x)
	# The packet that makes the new ACQUIRE may be lost.
	ip netns exec "$ns" ping -c 2 -W 3 $H >/dev/null
	check "client $x negotiates new SAs and reaches the LAN" \
	    ip netns exec "$ns" ping -q -c 2 -W 2 $H
	check "the LAN reaches client $x again" \
	    ip netns exec "$h" ping -q -c 2 -W 2 $(eval echo \$C$x)
done
ip netns exec "$g" "$setkey" -DP >"$work/g.DP2"
check "gateway setkey -DP: every tunnel ends at the NAT's new address" \
    test "$(grep -c "esp/tunnel/\($G-$NO2\|$NO2-$G\)/unique" \
    "$work/g.DP2")" = 6 -a "$(grep -c "$NO[^0-9]" "$work/g.DP2")" = 0
ip netns exec "$g" "$setkey" -D >"$work/g.D2"
check "gateway setkey -D: four SAs, all with the new address" test \
    "$(grep -c "^$NO2\[[0-9]*\] $G\[4500\]\|^$G\[4500\] $NO2\[" \
    "$work/g.D2")" = 4 -a "$(grep -c "esp-udp" "$work/g.D2")" = 4

# Client 1 leaves; client 2's tunnel stays.
kill -TERM "$(cat "$work/c1.pid")"
check "racoon c1 exits on SIGTERM" \
    wait_for "$work/racoon-c1.log" "racoon stopped"
check "gateway deletes the policies generated for client 1" \
    wait_for "$work/racoon-g.log" "deleted the generated policy: $LN"
check "client 2's tunnel stays up" ip netns exec "$c2" ping -q -c 2 -W 2 $H

[ $fail = 0 ] || { head "$work/other.txt"; tail -40 "$work/racoon-g.log"; }
exit $fail
