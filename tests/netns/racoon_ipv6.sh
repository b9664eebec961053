#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The article's automatically keyed connection over IPv6: the same
# racoon.conf, policies and psk.txt with IPv6 addresses.  The first ping
# from A brings up phase 1 and phase 2 over IPv6 and is answered; the
# wire shows ISAKMP over IPv6, then ESP only.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=r6A$$ b=r6B$$
A=fd00:78::a B=fd00:78::b
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$a" "$b" va vb 10.78.0.1/24 10.78.0.2/24 $A/64 $B/64 || exit 1
# The policies cover every protocol between the two addresses, neighbour
# discovery included, which a real deployment exempts; here the
# neighbours are written in by hand instead.
mac() { ip -n "$1" -o link show "$2" | sed 's/.*link\/ether \([^ ]*\).*/\1/'; }
ip -n "$a" neigh replace $B lladdr "$(mac "$b" vb)" dev va nud permanent
ip -n "$b" neigh replace $A lladdr "$(mac "$a" va)" dev vb nud permanent

article_host $A $B a
article_host $B $A b

for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F -dd 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
check "setkey loads host A's policies" \
    ip netns exec "$a" "$setkey" -f "$work/a.setkey"
check "setkey loads host B's policies" \
    ip netns exec "$b" "$setkey" -f "$work/b.setkey"
ip netns exec "$a" "$racoon" -F -f "$work/a.conf" -l "$work/racoon-a.log" &
pids="$pids $!"
ip netns exec "$b" "$racoon" -F -f "$work/b.conf" -l "$work/racoon-b.log" &
pids="$pids $!"
check "racoon A writes its pidfile" wait_for "$work/a.pid" .
check "racoon B writes its pidfile" wait_for "$work/b.pid" .
ip netns exec "$b" tcpdump -n -i vb -w "$work/wire.pcap" 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1
check "the first ping from A gets its answer" \
    ip netns exec "$a" ping -6 -q -c 1 -W 4 $B
check "ping A to B keeps flowing" ip netns exec "$a" ping -6 -q -c 3 -W 2 $B
check "ping B to A" ip netns exec "$b" ping -6 -q -c 3 -W 2 $A
for l in "ISAKMP-SA established $A\[500\]-$B\[500\]" \
    "IPsec-SA established: ESP/Transport $A\[0\]->$B\[0\] spi=" \
    "IPsec-SA established: ESP/Transport $B\[0\]->$A\[0\] spi="; do
	check "racoon A logs: $l" grep -q "INFO: .*$l" "$work/racoon-a.log"
done
sleep 0.5
kill "$tpid"; wait "$tpid" 2>/dev/null
tcpdump -n -r "$work/wire.pcap" 2>/dev/null >"$work/wire.txt"
check "wire: ISAKMP over IPv6" grep -q "$A.500 > $B.500: isakmp" "$work/wire.txt"
check "wire: ESP over IPv6 both ways" grep -q "$B > $A: ESP(spi=" "$work/wire.txt"
check "wire: no ICMPv6 echo in the clear" \
    test "$(tcpdump -n -r "$work/wire.pcap" icmp6 2>/dev/null | grep -c echo)" = 0
[ $fail = 0 ] || { tail -30 "$work/racoon-a.log"; tail -30 "$work/racoon-b.log"; }
exit $fail
