#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Every ESP and AH algorithm ipsecd offers, over IPv4 and IPv6, in
# transport mode and (for one ESP and one AH algorithm) tunnel mode: ping
# through manual SAs, and scapy agreeing on the bytes both ways
# (tests/netns/algs.py).
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
a=alA$$ b=alB$$
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
netns_pair "$a" "$b" va vb 10.73.0.1/24 10.73.0.2/24 fd73::1/64 fd73::2/64 ||
    exit 1
# Neighbour discovery would itself be caught by the host-to-host
# policies (as on a native kernel): fix the neighbours instead.
ip -n "$a" -6 neigh add fd73::2 lladdr "$(ip -n "$b" -br link show vb |
    awk '{print $3}')" dev va nud permanent
ip -n "$b" -6 neigh add fd73::1 lladdr "$(ip -n "$a" -br link show va |
    awk '{print $3}')" dev vb nud permanent
for n in "$a" "$b"; do
	ip netns exec "$n" "$ipsecd" -F 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
ip netns exec "$b" /usr/bin/python3 "$TOP/tests/netns/algs.py" "$a" \
    10.73.0.1 10.73.0.2 fd73::1 fd73::2 vb "$setkey"
rc=$?
[ $rc = 0 ] || tail -20 "$work/ipsecd-$a.log"
exit $rc
