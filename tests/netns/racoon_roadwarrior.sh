#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Roadwarriors (issue 15; over IPv6 with RW_FAMILY=6, as
# racoon_roadwarrior_ipv6.sh runs it): a gateway whose racoon.conf has
# only `remote anonymous' (passive, generate_policy on) and `sainfo
# anonymous', and no policy at all, serves two clients it knows nothing
# of, at once.
# Client 1 uses Main Mode and the gateway's `*' psk.txt entry; client 2
# uses Aggressive Mode from another subnet with its FQDN, whose own key
# the gateway finds by that ID.  Both carry traffic in ESP transport
# mode; the gateway's `setkey -DP' shows the in and out policies it
# generated from the clients' IDs, and they go away when the clients
# stop and send DELETE.  Then a client whose ID is not its key's is
# refused and leaves nothing on the gateway.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
g=rwG$$ c1=rwC1$$ c2=rwC2$$
# RW_FAMILY=6 (racoon_roadwarrior_ipv6.sh): the same over IPv6.
if [ "${RW_FAMILY:-4}" = 6 ]; then
	G1=fd81:1::1 C1=fd81:1::10 G2=fd81:2::1 C2=fd81:2::10 plen=64
else
	G1=10.81.1.1 C1=10.81.1.10 G2=10.81.2.1 C2=10.81.2.10 plen=24
fi
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for n in "$g" "$c1" "$c2"; do ip netns del "$n" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

for n in "$g" "$c1" "$c2"; do
	ip netns add "$n" || exit 1
	ip -n "$n" link set lo up
done
ip -n "$g" link add g1 type veth peer name eth0 netns "$c1"
ip -n "$g" link add g2 type veth peer name eth0 netns "$c2"
for l in "$g g1 $G1" "$g g2 $G2" "$c1 eth0 $C1" "$c2 eth0 $C2"; do
	set -- $l
	ip -n "$1" addr add "$3/$plen" dev "$2" nodad
	ip -n "$1" link set "$2" up
done
# The policies cover every protocol between the addresses, neighbour
# discovery too (as racoon_ipv6.sh says): IPv6 neighbours by hand.
mac() {
	ip -n "$1" -o link show "$2" | grep -o "link/ether [0-9a-f:]*" |
	    cut -d" " -f2
}
if [ "$plen" = 64 ]; then
	for l in "$g g1 $C1 $c1 eth0" "$g g2 $C2 $c2 eth0" \
	    "$c1 eth0 $G1 $g g1" "$c2 eth0 $G2 $g g2"; do
		set -- $l
		ip -n "$1" neigh replace "$3" lladdr "$(mac "$4" "$5")" \
		    dev "$2" nud permanent
	done
fi

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

timer { counter 2; interval 2 sec; phase1 8 sec; }

remote anonymous {
	exchange_mode main, aggressive;
	passive on;
	generate_policy on;
	$proposal
}

sainfo anonymous {
	$algs
}
CONF
cat >"$work/g.psk" <<'PSK'
# client 2 by its FQDN, any other peer
c2.example.net	c2-own-key
*	roadwarriors-all
PSK

# client NAME SELF GATEWAY MODE KEY [MY_IDENTIFIER]
client() {
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

remote $3 {
	exchange_mode $4;
	${6:+my_identifier $6;}
	$proposal
}

sainfo address $2 any address $3 any {
	$algs
}
CONF
	printf '%s\t%s\n' "$3" "$5" >"$work/$1.psk"
}
client c1 $C1 $G1 main roadwarriors-all
client c2 $C2 $G2 aggressive c2-own-key 'fqdn "c2.example.net"'

chmod 600 "$work"/*.psk

for n in g c1 c2; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F -dd 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
for n in c1 c2; do
	ns=$(eval echo \$$n)
	check "setkey loads client $n's policies" \
	    ip netns exec "$ns" "$setkey" -f "$work/$n.setkey"
done
ip netns exec "$g" "$setkey" -DP >"$work/g.DP0" 2>&1
check "the gateway starts without any policy" \
    test "$(grep -c 'ipsec' "$work/g.DP0")" = 0
for n in g c1 c2; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$racoon" -F -f "$work/$n.conf" \
	    -l "$work/racoon-$n.log" &
	pids="$pids $!"
done
for n in g c1 c2; do
	check "racoon $n writes its pidfile" wait_for "$work/$n.pid" .
done

# Both clients at once; ipsecd drops the packet that triggered the
# ACQUIRE, so the first ping of each may be lost.
ip netns exec "$c1" ping -c 2 -W 3 $G1 >/dev/null &
p1=$!
ip netns exec "$c2" ping -c 2 -W 3 $G2 >/dev/null &
p2=$!
wait $p1 $p2
check "client 1 reaches the gateway" ip netns exec "$c1" ping -q -c 3 -W 2 $G1
check "client 2 reaches the gateway" ip netns exec "$c2" ping -q -c 3 -W 2 $G2
ip netns exec "$g" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    serve $G1 5004 >"$work/tcp.out" 2>&1 &
spid=$!
sleep 0.5
ip netns exec "$c1" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    send $G1 5004 1 >"$work/tcp.in" 2>&1
wait "$spid"
check "1 MiB over TCP from client 1 arrives intact" \
    transfer_ok 1 "$work/tcp.in" "$work/tcp.out"

for c in $C1 $C2; do
	check "gateway: phase 1 with $c established" \
	    grep -q "INFO: .*ISAKMP-SA established .*-$c\[500\]" \
	    "$work/racoon-g.log"
	check "gateway: policy generated for $c" \
	    grep -q "INFO: .*no policy found, try to generate the policy : $c" \
	    "$work/racoon-g.log"
	check "gateway: SAs with $c" \
	    grep -q "INFO: .*IPsec-SA established: ESP/Transport $c\[0\]->" \
	    "$work/racoon-g.log"
done
check "gateway warns at start: aggressive mode with a pre-shared key" \
    grep -q "WARNING: .*aggressive mode with a pre-shared key" \
    "$work/racoon-g.log"
check "gateway: client 1 in Main Mode" grep -q \
    "$C1\[500\]: begin Identity Protection mode" "$work/racoon-g.log"
check "gateway: client 2 in Aggressive Mode" grep -q \
    "$C2\[500\]: begin Aggressive mode" "$work/racoon-g.log"
check "client 2 initiates in Aggressive Mode" \
    grep -q "INFO: .*begin Aggressive mode" "$work/racoon-c2.log"
ip netns exec "$g" "$setkey" -DP >"$work/g.DP1" 2>&1
for l in "$G1 $C1 out" "$C1 $G1 in" "$G2 $C2 out" "$C2 $G2 in"; do
	set -- $l
	check "gateway setkey -DP: $3 $1 -> $2, esp/transport//require" \
	    dp_has "$work/g.DP1" $1 $2 $3 "esp/transport//require"
done

# Client 2 "reboots": racoon dies without a word, its SAs are gone.
# Its next phase 1 carries INITIAL-CONTACT (a protected Informational
# after Aggressive Mode), and the gateway purges the stale SAs.
check "client 2 announced its first contact" grep -q \
    "$C2\[500\]: notification INITIAL-CONTACT received from the peer$" \
    "$work/racoon-g.log"
kill -KILL "$(cat "$work/c2.pid")"
ip netns exec "$c2" "$setkey" -F
rm -f "$work/c2.pid"
ip netns exec "$c2" "$racoon" -F -f "$work/c2.conf" \
    -l "$work/racoon-c2b.log" &
pids="$pids $!"
check "racoon c2 starts again" wait_for "$work/c2.pid" .
ip netns exec "$c2" ping -c 1 -W 3 $G2 >/dev/null
check "client 2 reaches the gateway again" \
    ip netns exec "$c2" ping -q -c 2 -W 2 $G2
check "gateway purges client 2's stale SAs" grep -q \
    "purged IPsec-SA proto_id=ESP spi=.*: the peer made initial contact" \
    "$work/racoon-g.log"
ip netns exec "$g" "$setkey" -D >"$work/g.D2" 2>&1
check "gateway setkey -D: one SA pair with client 2, none stale" \
    test "$(grep -c "^$C2 $G2\|^$G2 $C2" "$work/g.D2")" = 2
ip netns exec "$g" "$setkey" -DP >"$work/g.DP2b" 2>&1
check "gateway setkey -DP: client 2's policies are back" \
    test "$(grep -c "$C2" "$work/g.DP2b")" = 2

# The clients leave: their DELETEs take the SAs and the generated
# policies off the gateway.
kill -TERM "$(cat "$work/c1.pid")"
check "racoon c1 exits on SIGTERM" \
    wait_for "$work/racoon-c1.log" "racoon stopped"
check "gateway obeys client 1's DELETE" \
    wait_for "$work/racoon-g.log" "purged IPsec-SA proto_id=ESP"
check "gateway deletes the policies generated for client 1" \
    wait_for "$work/racoon-g.log" "deleted the generated policy: $C1"
sleep 0.3
ip netns exec "$g" "$setkey" -DP >"$work/g.DP2" 2>&1
check "gateway setkey -DP: client 1's policies gone" \
    test "$(grep -c "$C1" "$work/g.DP2")" = 0
check "gateway setkey -DP: client 2's policies stay" \
    test "$(grep -c "$C2" "$work/g.DP2")" = 2
kill -TERM "$(cat "$work/c2.pid")"
check "racoon c2 exits on SIGTERM" \
    wait_for "$work/racoon-c2b.log" "racoon stopped"
check "gateway deletes the policies generated for client 2" \
    wait_for "$work/racoon-g.log" "deleted the generated policy: $C2"
sleep 0.3
ip netns exec "$g" "$setkey" -DP >"$work/g.DP3" 2>&1
check "gateway setkey -DP: no policy left" \
    test "$(grep -c 'ipsec' "$work/g.DP3")" = 0
ip netns exec "$g" "$setkey" -D >"$work/g.D3" 2>&1
check "gateway setkey -D: no SA left" \
    test "$(grep -c 'esp mode' "$work/g.D3")" = 0

# Client 2 again, now naming itself mallory.example.net with its own
# key: the gateway has no key for that ID, so it answers with the `*'
# key, and HASH_R does not verify at the client.  The gateway's half-open
# phase 1 times out; no SA, no policy is left.
client c3 $C2 $G2 aggressive c2-own-key 'fqdn "mallory.example.net"'
chmod 600 "$work/c3.psk"
ip netns exec "$c2" "$racoon" -F -f "$work/c3.conf" \
    -l "$work/racoon-c3.log" &
pids="$pids $!"
check "racoon c2 (as mallory) writes its pidfile" wait_for "$work/c3.pid" .
# mallory ACQUIRE: pings until its racoon has tried (it may not have
# read the SPD yet when the first one leaves).
mallory() {
	local i
	for i in 1 2 3 4; do
		ip netns exec "$c2" ping -c 1 -W 2 $G2 >/dev/null 2>&1
		grep -q "HASH_R mismatch" "$work/racoon-c3.log" && return 0
	done
	return 1
}
check "the client with the wrong ID refuses the gateway's HASH_R" mallory
check "the gateway gives up on mallory's phase 1" wait_for \
    "$work/racoon-g.log" "$C2\[500\]: phase1 negotiation failed: .*time up" \
    100
check "gateway: no ISAKMP-SA with mallory (two with client 2)" \
    test "$(grep -c "ISAKMP-SA established .*-$C2\[500\]" \
    "$work/racoon-g.log")" = 2
ip netns exec "$g" "$setkey" -DP >"$work/g.DP4" 2>&1
ip netns exec "$g" "$setkey" -D >"$work/g.D4" 2>&1
check "gateway setkey -DP: nothing for mallory" \
    test "$(grep -c 'ipsec' "$work/g.DP4")" = 0
check "gateway setkey -D: nothing for mallory" \
    test "$(grep -c 'esp mode' "$work/g.D4")" = 0

[ $fail = 0 ] || { tail -30 "$work/racoon-g.log"; }
exit $fail
