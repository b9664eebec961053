#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A modern automatically keyed VPN: two gateways, each with ipsecd,
# setkey policies for ESP in tunnel mode between the subnets behind
# them, and racoon with aes 256/sha256/modp2048 in phase 1 and
# aes-cbc 256/hmac-sha256 with PFS ecp256 in phase 2.  A host on LAN B
# pings a host on LAN A first (the tunnel comes up from the side that
# was the responder in racoon_article.sh), then LAN A pings back and a
# TCP transfer crosses; the wire between the gateways shows ISAKMP,
# then ESP between the gateway addresses only.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
ga=rtA$$ gb=rtB$$ ha=rhA$$ hb=rhB$$
GA=10.74.0.1 GB=10.74.0.2 HA=10.74.1.10 HB=10.74.2.10
NA=10.74.1.0/24 NB=10.74.2.0/24
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for n in "$ga" "$gb" "$ha" "$hb"; do ip netns del "$n" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

for n in "$ga" "$gb" "$ha" "$hb"; do
	ip netns add "$n" || exit 1
	ip -n "$n" link set lo up
done
ip -n "$ga" link add wa type veth peer name wb netns "$gb"
ip -n "$ga" link add la type veth peer name eth0 netns "$ha"
ip -n "$gb" link add lb type veth peer name eth0 netns "$hb"
ip -n "$ga" addr add $GA/24 dev wa; ip -n "$gb" addr add $GB/24 dev wb
ip -n "$ga" addr add 10.74.1.1/24 dev la; ip -n "$gb" addr add 10.74.2.1/24 dev lb
ip -n "$ha" addr add $HA/24 dev eth0; ip -n "$hb" addr add $HB/24 dev eth0
for l in "$ga wa" "$ga la" "$gb wb" "$gb lb" "$ha eth0" "$hb eth0"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$ha" route add default via 10.74.1.1
ip -n "$hb" route add default via 10.74.2.1
for g in "$ga" "$gb"; do
	ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1
done

# gateway SELF PEER SELFNET PEERNET NAME
gateway() {
	cat >"$work/$5.setkey" <<CONF
flush;
spdflush;
spdadd $3 $4 any -P out ipsec esp/tunnel/$1-$2/require;
spdadd $4 $3 any -P in ipsec esp/tunnel/$2-$1/require;
CONF
	cat >"$work/$5.conf" <<CONF
path pre_shared_key "$work/$5.psk";
path pidfile "$work/$5.pid";
listen { isakmp $1 [500]; adminsock disabled; }

remote $2 {
	exchange_mode main;
	lifetime time 1 hour;
	proposal {
		encryption_algorithm aes 256;
		hash_algorithm sha256;
		authentication_method pre_shared_key;
		dh_group modp2048;
	}
}

sainfo address $3 any address $4 any {
	pfs_group ecp256;
	lifetime time 30 min;
	encryption_algorithm aes 256;
	authentication_algorithm hmac_sha256;
	compression_algorithm deflate;
}
CONF
	printf '%s\t0x%s\n' "$2" \
	    5c0ba1d2e3f405162738495a6b7c8d9eafb0c1d2e3f405162738495a6b7c8d9e \
	    >"$work/$5.psk"
	chmod 600 "$work/$5.psk"
}
gateway $GA $GB $NA $NB a
gateway $GB $GA $NB $NA b

for n in a b; do
	ns=$(eval echo \$g$n)
	ip netns exec "$ns" "$ipsecd" -F -dd 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
check "setkey loads gateway A's policies" \
    ip netns exec "$ga" "$setkey" -f "$work/a.setkey"
check "setkey loads gateway B's policies" \
    ip netns exec "$gb" "$setkey" -f "$work/b.setkey"
for n in a b; do
	ns=$(eval echo \$g$n)
	ip netns exec "$ns" "$racoon" -F -f "$work/$n.conf" \
	    -l "$work/racoon-$n.log" &
	pids="$pids $!"
done
check "racoon A writes its pidfile" wait_for "$work/a.pid" .
check "racoon B writes its pidfile" wait_for "$work/b.pid" .
check "racoon A listens on $GA[500] only" \
    grep -q "$GA\[500\] used as isakmp port" "$work/racoon-a.log"
ip netns exec "$gb" tcpdump -n -i wb -w "$work/wire.pcap" 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1

# ipsecd without ACQUIRE queueing drops the packet that triggered the
# ACQUIRE (its log says so); then that one ping may be lost.
if ip netns exec "$hb" ping -c 1 -W 4 $HA >/dev/null; then
	echo "ok the first ping from LAN B gets its answer"
elif grep -q "no SA yet (ACQUIRE sent)" "$work/ipsecd-b.log"; then
	echo "ok the first ping from LAN B was dropped by ipsecd (no ACQUIRE queueing)"
else
	echo "FAIL the first ping from LAN B got no answer"
	fail=1
fi
check "LAN B to LAN A keeps flowing" ip netns exec "$hb" ping -q -c 3 -W 2 $HA
check "LAN A to LAN B" ip netns exec "$ha" ping -q -c 3 -W 2 $HB
ip netns exec "$hb" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    serve $HB 5003 >"$work/tcp.out" 2>&1 &
spid=$!
sleep 0.5
ip netns exec "$ha" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    send $HB 5003 2 >"$work/tcp.in" 2>&1
wait "$spid"
check "2 MiB over TCP arrive intact" transfer_ok 2 "$work/tcp.in" "$work/tcp.out"

for l in "IPsec-SA request for $GA queued due to no phase1 found" \
    "initiate new phase 1 negotiation: $GB\[500\]<=>$GA\[500\]" \
    "ISAKMP-SA established $GB\[500\]-$GA\[500\]" \
    "initiate new phase 2 negotiation" \
    "IPsec-SA established: ESP/Tunnel $GA\[0\]->$GB\[0\] spi=" \
    "IPsec-SA established: ESP/Tunnel $GB\[0\]->$GA\[0\] spi="; do
	check "racoon B logs: $l" grep -q "INFO: .*$l" "$work/racoon-b.log"
done
check "racoon A responds" \
    grep -q "respond new phase 2 negotiation" "$work/racoon-a.log"
ip netns exec "$ga" "$setkey" -D >"$work/a.D"
check "setkey -D on A: tunnel SAs with aes-cbc 256 and hmac-sha256" \
    test "$(grep -c 'E: aes-cbc' "$work/a.D")" = 2 -a \
    "$(grep -c 'A: hmac-sha256' "$work/a.D")" = 2
check "setkey -D on A: lifetimes hard 1800, soft 1440 (80%)" \
    grep -q "hard: 1800(s).*soft: 1440(s)" "$work/a.D"

kill -TERM "$(cat "$work/b.pid")"
check "racoon B exits on SIGTERM" wait_for "$work/racoon-b.log" "racoon stopped"
check "gateway A obeys B's DELETE" \
    wait_for "$work/racoon-a.log" "purged IPsec-SA proto_id=ESP spi="

sleep 0.5
kill "$tpid"; wait "$tpid" 2>/dev/null
tcpdump -n -r "$work/wire.pcap" 2>/dev/null >"$work/wire.txt"
check "wire: ISAKMP between the gateways" \
    grep -q "$GB.500 > $GA.500: isakmp" "$work/wire.txt"
check "wire: ESP from gateway A to B" \
    grep -q "$GA > $GB: ESP(spi=" "$work/wire.txt"
check "wire: ESP from gateway B to A" \
    grep -q "$GB > $GA: ESP(spi=" "$work/wire.txt"
check "wire: no LAN address in the clear" \
    test "$(grep -c "10\.74\.[12]\.10" "$work/wire.txt")" = 0
first_esp=$(grep -n "ESP(spi=" "$work/wire.txt" | head -1 | cut -d: -f1)
first_qm=$(grep -n "isakmp: phase 2/others" "$work/wire.txt" | head -1 | cut -d: -f1)
check "wire: ISAKMP first, then ESP" test "${first_esp:-0}" -gt "${first_qm:-999999}"
[ $fail = 0 ] || { tail -20 "$work/racoon-a.log"; tail -20 "$work/racoon-b.log"; }
exit $fail
