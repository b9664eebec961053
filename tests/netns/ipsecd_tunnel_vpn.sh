#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The article's manual VPN in tunnel mode between two subnets behind the
# hosts (gateways GA and GB, a host on each LAN): ESP tunnel with
# aes-cbc and hmac-sha256, set up with setkey on each gateway's ipsecd.
# LAN hosts ping and talk TCP across; the wire between the gateways
# carries only ESP between the gateway addresses; scapy decrypts the
# capture and finds the LAN hosts' packets inside.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
ga=tgA$$ gb=tgB$$ ha=thA$$ hb=thB$$
GA=10.72.0.1 GB=10.72.0.2 HA=10.72.1.10 HB=10.72.2.10
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for n in "$ga" "$gb" "$ha" "$hb"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$work"
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
ip -n "$ga" addr add 10.72.1.1/24 dev la; ip -n "$gb" addr add 10.72.2.1/24 dev lb
ip -n "$ha" addr add $HA/24 dev eth0; ip -n "$hb" addr add $HB/24 dev eth0
for l in "$ga wa" "$ga la" "$gb wb" "$gb lb" "$ha eth0" "$hb eth0"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$ha" route add default via 10.72.1.1
ip -n "$hb" route add default via 10.72.2.1
for g in "$ga" "$gb"; do
	ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1
done

KE=0x000102030405060708090a0b0c0d0e0f
KA=0x101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f
gateway() {	# gateway SELF PEER SELFNET PEERNET
	cat <<CONF
flush;
spdflush;
add $GA $GB esp 0x1001 -m tunnel -E aes-cbc $KE -A hmac-sha256 $KA;
add $GB $GA esp 0x1002 -m tunnel -E aes-cbc $KE -A hmac-sha256 $KA;
spdadd $3 $4 any -P out ipsec esp/tunnel/$1-$2/require;
spdadd $4 $3 any -P in ipsec esp/tunnel/$2-$1/require;
CONF
}
gateway $GA $GB 10.72.1.0/24 10.72.2.0/24 >"$work/ga.conf"
gateway $GB $GA 10.72.2.0/24 10.72.1.0/24 >"$work/gb.conf"
for g in "$ga" "$gb"; do
	ip netns exec "$g" "$ipsecd" -F -d 2>"$work/$g.log" &
	pids="$pids $!"
done
sleep 1
check "setkey loads gateway A" ip netns exec "$ga" "$setkey" -f "$work/ga.conf"
check "setkey loads gateway B" ip netns exec "$gb" "$setkey" -f "$work/gb.conf"
sleep 0.3
ip netns exec "$gb" tcpdump -n -i wb -w "$work/wire.pcap" 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1
check "LAN A pings LAN B through the tunnel" \
    ip netns exec "$ha" ping -q -c 3 -W 2 $HB
check "LAN B pings LAN A" ip netns exec "$hb" ping -q -c 2 -W 2 $HA
check "ping -s 3000 across" ip netns exec "$ha" ping -q -c 2 -W 3 -s 3000 $HB
ip netns exec "$hb" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    serve $HB 5002 >"$work/tcp.out" 2>&1 &
spid=$!
sleep 0.5
ip netns exec "$ha" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
    send $HB 5002 2 >"$work/tcp.in" 2>&1
wait "$spid"
check "2 MiB over TCP arrive intact" transfer_ok 2 "$work/tcp.in" "$work/tcp.out"
sleep 0.5
kill "$tpid"; wait "$tpid" 2>/dev/null
check "wire: only ESP between the gateways" test -z "$(tcpdump -n -r \
    "$work/wire.pcap" 'ip and not (esp and host $GA and host $GB)' 2>/dev/null)"
check "wire: ESP with the SPIs of the tunnel" grep -q \
    "$GA > $GB: ESP(spi=0x00001001,seq=0x1)" <<<"$(tcpdump -n -r "$work/wire.pcap" 2>/dev/null)"
ip netns exec "$ga" "$setkey" -D >"$work/ga.D"
check "-D shows tunnel mode" grep -q "esp mode=tunnel spi=4097(0x00001001)" "$work/ga.D"
scapy_check() {
	/usr/bin/python3 - "$work/wire.pcap" <<PY
import sys, warnings
warnings.filterwarnings("ignore")
from scapy.all import IP, ICMP, TCP, raw, rdpcap, defragment
from scapy.layers.ipsec import ESP, SecurityAssociation
sa = {0x1001: SecurityAssociation(ESP, spi=0x1001, crypt_algo="AES-CBC",
        crypt_key=bytes.fromhex("${KE#0x}"), auth_algo="SHA2-256-128",
        auth_key=bytes.fromhex("${KA#0x}"),
        tunnel_header=IP(src="$GA", dst="$GB")),
      0x1002: SecurityAssociation(ESP, spi=0x1002, crypt_algo="AES-CBC",
        crypt_key=bytes.fromhex("${KE#0x}"), auth_algo="SHA2-256-128",
        auth_key=bytes.fromhex("${KA#0x}"),
        tunnel_header=IP(src="$GB", dst="$GA"))}
icmp = tcp = 0
for p in defragment(rdpcap(sys.argv[1])):
    if IP not in p or p[IP].proto != 50:
        continue
    ip = IP(raw(p[IP]))
    inner = sa[ip[ESP].spi].decrypt(ip)
    if {inner.src, inner.dst} != {"$HA", "$HB"}:
        sys.exit("unexpected inner %s" % inner.summary())
    icmp += ICMP in inner
    tcp += TCP in inner
print("inner ICMP", icmp, "TCP", tcp)
sys.exit(0 if icmp >= 6 and tcp >= 10 else 1)
PY
}
check "scapy decrypts LAN packets from the capture" scapy_check
[ $fail = 0 ] || { tail -20 "$work/$ga.log"; }
exit $fail
