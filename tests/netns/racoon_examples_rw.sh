#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The gateway examples as installed (conf/), started the way the systemd
# units start them, with the files' own addresses inside our namespaces:
# gateway 198.51.100.1 with the LAN 192.0.2.0/24 behind it (a host at
# 192.0.2.10), a client at 198.51.100.10.
#  1. Roadwarrior: the gateway runs racoon.conf.roadwarrior and
#     psk.txt.roadwarrior and has no policy; the client runs
#     racoon.conf.roadwarrior-client and setkey-roadwarrior-client.conf
#     (CLIENT written in).  The client's pings reach the LAN host through
#     an ESP tunnel; the gateway shows the policies it generated.
#  2. L2TP/IPsec: the gateway's racoon runs racoon.conf.l2tp instead; a
#     client as Windows configures one (transport mode, UDP 1701, aes
#     128 and sha1) sends L2TP-port datagrams that arrive in ESP only,
#     and the server answers through the policies it generated.
# Only what ties a file to this test changes: psk.txt's path, a pidfile
# and no admin socket per host.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
conf=${TEST_SRCDIR:-$TOP}/conf
udp="/usr/bin/python3 ${TEST_SRCDIR:-$TOP}/tests/netns/udp_mark.py"
g=erG$$ c=erC$$ l=erL$$
G=198.51.100.1 C=198.51.100.10 GL=192.0.2.1 L=192.0.2.10
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for n in "$g" "$c" "$l"; do ip netns del "$n" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$g" "$c" vg vc $G/24 $C/24 || exit 1
ip netns add "$l" || exit 1
ip -n "$g" link add vl type veth peer name eth0 netns "$l"
ip -n "$g" addr add $GL/24 dev vl
ip -n "$l" addr add $L/24 dev eth0
ip -n "$g" link set vl up
ip -n "$l" link set lo up
ip -n "$l" link set eth0 up
ip -n "$l" route add default via $GL
ip -n "$c" route add default via $G
ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1

# etc N RACOON.CONF: host N's racoon.conf and its racoon.service.
etc() {
	local d=$work/etc-$1
	mkdir -p "$d"
	{ sed "s|\"/etc/psk.txt\"|\"$d/psk.txt\"|" "$2"
	  printf 'path pidfile "%s";\nlisten { adminsock disabled; }\n' \
	    "$d/racoon.pid"; } >"$d/racoon.conf"
	unit_file racoon "$d"
	mv "$work/racoon.service" "$work/racoon-$1.service"
}

racoon_stop() {
	local pid
	pid=$(eval echo \$racoon_$1)
	kill "$pid"
	wait "$pid" 2>/dev/null
}

for n in g c; do
	ip netns exec "$(eval echo \$$n)" "$ipsecd" -F 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
	wait_for "$work/ipsecd-$n.log" "ipsecd started" 50
done

echo "# 1. roadwarrior gateway"
etc g "$conf/racoon.conf.roadwarrior"
cp "$conf/psk.txt.roadwarrior" "$work/etc-g/psk.txt"
etc c "$conf/racoon.conf.roadwarrior-client"
printf '%s\t%s\n' $G "$(sed -n 's/^\*[[:space:]]*//p' \
    "$conf/psk.txt.roadwarrior")" >"$work/etc-c/psk.txt"
chmod 600 "$work"/etc-*/psk.txt
mkdir -p "$work/etc-c"
sed "s/CLIENT/$C/g" "$conf/setkey-roadwarrior-client.conf" \
    >"$work/etc-c/ipsec-tools.conf"
unit_file setkey "$work/etc-c"
check "client: setkey.service loads its tunnel policies" \
    unit_exec "$c" "$work/setkey.service" ExecStart
check "the gateway has no policy" sh -c \
    "ip netns exec $g '$setkey' -DP | grep -q 'No SPD entries'"
check "gateway: racoon.service starts racoon" racoon_unit_start g
check "client: racoon.service starts racoon" racoon_unit_start c
wire_start "$g" vg "$work/rw-wan.pcap"
ip netns exec "$c" ping -c 1 -W 4 $L >/dev/null
check "the client pings the LAN host through the tunnel" \
    ip netns exec "$c" ping -q -c 3 -W 2 $L
wire_stop
check "ESP tunnel mode was negotiated" grep -q \
    "IPsec-SA established: ESP/Tunnel $G\[0\]->$C\[0\]" "$work/racoon-g.log"
ip netns exec "$g" "$setkey" -DP >"$work/rw.DP"
check "the gateway generated out, in and fwd tunnel policies" test "$(grep \
    -cE '^\s(out|in|fwd) .*ipsec$' "$work/rw.DP")" = 3
check "for the LAN and the client" grep -q \
    "^192.0.2.0/24\[any\] $C\[any\]" "$work/rw.DP"
check "the WAN carries ESP only" test \
    "$(wire_count "$work/rw-wan.pcap" esp)" -ge 6 -a \
    "$(wire_count "$work/rw-wan.pcap" icmp)" = 0
racoon_stop c
racoon_stop g
check "the generated policies went with racoon" sh -c \
    "ip netns exec $g '$setkey' -DP | grep -q 'No SPD entries'"

echo "# 2. L2TP/IPsec server"
etc g "$conf/racoon.conf.l2tp"
cat >"$work/l2tp-client.conf" <<CONF
remote $G {
	exchange_mode main;
	proposal {
		encryption_algorithm aes 128;
		hash_algorithm sha1;
		authentication_method pre_shared_key;
		dh_group modp2048;
	}
}
sainfo anonymous {
	encryption_algorithm aes 128;
	authentication_algorithm hmac_sha1;
	compression_algorithm deflate;
}
CONF
etc c "$work/l2tp-client.conf"
echo 'path pre_shared_key "'"$work/etc-c/psk.txt"'";' \
    >>"$work/etc-c/racoon.conf"
cat >"$work/etc-c/ipsec-tools.conf" <<CONF
flush;
spdflush;
spdadd $C[1701] $G[1701] udp -P out ipsec esp/transport//require;
spdadd $G[1701] $C[1701] udp -P in ipsec esp/transport//require;
CONF
check "client: setkey.service loads the L2TP policies" \
    unit_exec "$c" "$work/setkey.service" ExecStart
check "server: racoon.service starts racoon on racoon.conf.l2tp" \
    racoon_unit_start g
check "client: racoon starts" racoon_unit_start c
wire_start "$g" vg "$work/l2tp.pcap"
ip netns exec "$g" $udp recv $G 1701 0 8 >"$work/server.out" &
pids="$pids $!"
ip netns exec "$c" $udp recv $C 1701 0 8 >"$work/client.out" &
pids="$pids $!"
sleep 0.3
for i in 1 2 3 4 5 6; do
	ip netns exec "$c" $udp send $G 1701 "l2tp-$i" 1701
	grep -q l2tp "$work/server.out" && break
	sleep 0.5
done
check "the server's UDP 1701 got the client's datagram" \
    grep -q "^l2tp-" "$work/server.out"
check "transport mode was negotiated for UDP 1701" grep -q \
    "IPsec-SA established: ESP/Transport $G\[0\]->$C\[0\]" \
    "$work/racoon-g.log"
ip netns exec "$g" "$setkey" -DP >"$work/l2tp.DP"
check "the server generated the client's UDP 1701 policies" \
    grep -q "^$G\[1701\] $C\[1701\] udp$" "$work/l2tp.DP"
ip netns exec "$g" $udp send $C 1701 "server-hello" 1701
check "the server answers from UDP 1701 through ESP" \
    wait_for "$work/client.out" "^server-hello" 30
wire_stop
check "UDP 1701 crossed the wire in ESP only" test \
    "$(wire_count "$work/l2tp.pcap" esp)" -ge 2 -a \
    "$(wire_count "$work/l2tp.pcap" 'udp port 1701')" = 0
[ $fail = 0 ] || tail -n 15 "$work"/racoon-*.log
exit $fail
