#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A roadwarrior in tunnel mode (issue 15): client C reaches the LAN
# behind gateway G through an ESP tunnel.  G has no policy, only `remote
# anonymous' with `generate_policy unique' and `sainfo anonymous
# clientaddr' (the remote ID is the client's own address); from C's IDs
# it generates out, in and fwd policies with tunnel ends G and C and a
# reqid of their own (level unique), which its SAs carry.  Host L on the
# LAN answers C's pings and a TCP transfer; the wire between C and G
# shows ESP only.  G reloads (SIGHUP) under the live client, which goes
# on; C's DELETE takes the three policies away; so does G's own
# shutdown, once C is back.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
c=rtC$$ g=rtG$$ l=rtL$$
C=10.83.0.10 G=10.83.0.1 GL=10.83.2.1 L=10.83.2.10 LAN=10.83.2.0/24
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for n in "$c" "$g" "$l"; do ip netns del "$n" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$c" "$g" vc vg $C/24 $G/24 || exit 1
ip netns add "$l" || exit 1
ip -n "$l" link set lo up
ip -n "$g" link add lan type veth peer name eth0 netns "$l"
ip -n "$g" addr add $GL/24 dev lan
ip -n "$l" addr add $L/24 dev eth0
ip -n "$g" link set lan up
ip -n "$l" link set eth0 up
ip -n "$l" route add default via $GL
ip -n "$c" route add $LAN via $G
ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1

proposal='proposal {
		encryption_algorithm aes 256;
		hash_algorithm sha256;
		authentication_method pre_shared_key;
		dh_group modp2048;
	}'
algs='encryption_algorithm aes 256;
	authentication_algorithm hmac_sha256;
	compression_algorithm deflate;'
cat >"$work/g.conf" <<CONF
path pre_shared_key "$work/g.psk";
path pidfile "$work/g.pid";
listen { adminsock disabled; }

remote anonymous {
	exchange_mode main;
	passive on;
	generate_policy unique;
	$proposal
}

sainfo anonymous clientaddr {
	$algs
}
CONF
printf '*\ttunnel roadwarriors\n' >"$work/g.psk"
cat >"$work/c.conf" <<CONF
path pre_shared_key "$work/c.psk";
path pidfile "$work/c.pid";
listen { adminsock disabled; }

remote $G {
	exchange_mode main;
	$proposal
}

sainfo address $C any subnet $LAN any {
	$algs
}
CONF
printf '%s\ttunnel roadwarriors\n' $G >"$work/c.psk"
chmod 600 "$work"/*.psk
cat >"$work/c.setkey" <<CONF
flush;
spdflush;
spdadd $C $LAN any -P out ipsec esp/tunnel/$C-$G/require;
spdadd $LAN $C any -P in ipsec esp/tunnel/$G-$C/require;
CONF

for n in c g; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F -dd 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
check "setkey loads C's policies" \
    ip netns exec "$c" "$setkey" -f "$work/c.setkey"
for n in c g; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$racoon" -F -f "$work/$n.conf" \
	    -l "$work/racoon-$n.log" &
	pids="$pids $!"
	check "racoon $n writes its pidfile" wait_for "$work/$n.pid" .
done
wire_start "$g" vg "$work/wire.pcap"

ip netns exec "$c" ping -c 1 -W 3 $L >/dev/null
check "C reaches L on the LAN through the tunnel" \
    ip netns exec "$c" ping -q -c 3 -W 2 $L
ip netns exec "$l" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    serve $L 5005 >"$work/tcp.out" 2>&1 &
spid=$!
sleep 0.5
ip netns exec "$c" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    send $L 5005 1 >"$work/tcp.in" 2>&1
wait "$spid"
check "1 MiB over TCP from C to L arrives intact" \
    transfer_ok 1 "$work/tcp.in" "$work/tcp.out"

check "G generates policies for C's IDs" grep -q \
    "INFO: .*no policy found, try to generate the policy : $C" \
    "$work/racoon-g.log"
for d in out in fwd; do
	check "G installs the generated $d policy" grep -q \
	    "installed the generated policy: .* dir=$d" "$work/racoon-g.log"
done
ip netns exec "$g" "$setkey" -DP >"$work/g.DP1" 2>&1
check "G setkey -DP: out $LAN -> $C, tunnel $G-$C, unique" \
    dp_has "$work/g.DP1" $LAN $C out "esp/tunnel/$G-$C/unique:"
check "G setkey -DP: in $C -> $LAN, tunnel $C-$G, unique" \
    dp_has "$work/g.DP1" $C $LAN in "esp/tunnel/$C-$G/unique:"
check "G setkey -DP: fwd $C -> $LAN, tunnel $C-$G, unique" \
    dp_has "$work/g.DP1" $C $LAN fwd "esp/tunnel/$C-$G/unique:"
check_not "G setkey -DP: the out policy is not a transport one" \
    dp_has "$work/g.DP1" $LAN $C out "transport"
reqid=$(grep -o "unique:[0-9]*" "$work/g.DP1" | head -1 | cut -d: -f2)
ip netns exec "$g" "$setkey" -D >"$work/g.D1" 2>&1
check "G setkey -D: both SAs carry the policies' reqid ($reqid)" \
    test "$(grep -c "mode=tunnel spi=.*reqid=$reqid(" "$work/g.D1")" = 2

# A reload under a live client: its policies and SAs stay, and still go
# with its DELETE below.
kill -HUP "$(cat "$work/g.pid")"
check "G reloads its configuration" wait_for "$work/racoon-g.log" \
    "configuration loaded"
check "C still reaches L after G's reload" \
    ip netns exec "$c" ping -q -c 2 -W 2 $L

kill -TERM "$(cat "$work/c.pid")"
check "racoon c exits on SIGTERM" wait_for "$work/racoon-c.log" \
    "racoon stopped"
check "G deletes the fwd policy with the SAs" wait_for \
    "$work/racoon-g.log" "deleted the generated policy: .* dir=fwd"
sleep 0.3
ip netns exec "$g" "$setkey" -DP >"$work/g.DP2" 2>&1
check "G setkey -DP: no policy left" \
    test "$(grep -c 'ipsec' "$work/g.DP2")" = 0

# C again; this time the gateway stops first: its clean shutdown
# deletes the policies it generated along with its SAs.
rm -f "$work/c.pid"
ip netns exec "$c" "$racoon" -F -f "$work/c.conf" -l "$work/racoon-c2.log" &
pids="$pids $!"
check "racoon c starts again" wait_for "$work/c.pid" .
ip netns exec "$c" ping -c 1 -W 3 $L >/dev/null
check "C reaches L again" ip netns exec "$c" ping -q -c 2 -W 2 $L
ip netns exec "$g" "$setkey" -DP >"$work/g.DP3" 2>&1
check "G setkey -DP: the three policies are back" \
    test "$(grep -c "unique:" "$work/g.DP3")" = 3
kill -TERM "$(cat "$work/g.pid")"
check "racoon g exits on SIGTERM" wait_for "$work/racoon-g.log" \
    "racoon stopped"
ip netns exec "$g" "$setkey" -DP >"$work/g.DP4" 2>&1
check "G setkey -DP: its shutdown took the generated policies" \
    test "$(grep -c 'ipsec' "$work/g.DP4")" = 0
check "C obeys G's DELETE" wait_for "$work/racoon-c2.log" \
    "purged IPsec-SA proto_id=ESP"

wire_stop
check "wire: ESP from C to G" \
    test "$(wire_count "$work/wire.pcap" "esp and src $C")" -gt 0
check "wire: ESP from G to C" \
    test "$(wire_count "$work/wire.pcap" "esp and src $G")" -gt 0
check "wire: no LAN address in the clear" \
    test "$(wire_count "$work/wire.pcap" "host $L")" = 0

[ $fail = 0 ] || { tail -30 "$work/racoon-g.log"; grep -A3 . "$work/g.DP1"; }
exit $fail
