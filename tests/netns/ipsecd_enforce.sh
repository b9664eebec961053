#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd enforces `in' policies (issue 7).  Host B has `in ... ipsec
# esp/transport//require' for traffic from A and no SA; A sends in the
# clear.  A ping gets no answer and an unmarked UDP socket receives
# nothing, while a UDP socket with the bypass mark (racoon's IKE) still
# receives.  With `in ... discard' instead, ping and unmarked UDP stay
# blocked and the marked socket still receives (the per-socket bypass
# outranks the SPD, as on Linux).  Without a policy everything passes
# again; ipsecd removes its nftables table when it stops.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
udp="/usr/bin/python3 $TOP/tests/netns/udp_mark.py"
a=enfA$$ b=enfB$$
A=10.74.1.100 B=10.74.2.100
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$a" "$b" va vb $A/16 $B/16 || exit 1
ip netns exec "$b" "$ipsecd" -F -d -d 2>"$work/ipsecd-b.log" &
bpid=$!
pids="$pids $bpid"
sleep 1
check "without a policy, ping passes" sh -c "ip netns exec $a ping -q -c 1 -W 2 $B >/dev/null"

# try NAME: a ping, and one datagram to each of B's two sockets.
try() {
	ip netns exec "$b" $udp recv $B 5000 0x2504 2 >"$work/$1.marked" &
	local r1=$!
	ip netns exec "$b" $udp recv $B 5001 0 2 >"$work/$1.plain" &
	local r2=$!
	sleep 0.5
	ip netns exec "$a" ping -q -c 1 -W 1 $B >"$work/$1.ping" 2>&1
	echo $? >"$work/$1.pingrc"
	ip netns exec "$a" $udp send $B 5000 "$1-marked"
	ip netns exec "$a" $udp send $B 5001 "$1-plain"
	wait $r1 $r2
}

ip netns exec "$b" "$setkey" -c <<CONF
spdadd $A $B any -P in ipsec esp/transport//require;
CONF
try require
check "require, no SA: plaintext ping gets no answer" \
    test "$(cat "$work/require.pingrc")" != 0
check "require: the unmarked UDP socket receives nothing" \
    test ! -s "$work/require.plain"
check "require: the socket with the bypass mark receives" \
    grep -q "require-marked" "$work/require.marked"
check "the rules are in ipsecd's table" \
    sh -c "ip netns exec $b nft list table inet ipsecd | grep -q 'socket mark 0x00002504 accept'"

ip netns exec "$b" "$setkey" -c <<CONF
spdflush;
spdadd $A $B any -P in discard;
CONF
try discard
check "discard: ping gets no answer" test "$(cat "$work/discard.pingrc")" != 0
check "discard: the unmarked UDP socket receives nothing" \
    test ! -s "$work/discard.plain"
check "discard: the bypass-marked socket still receives" \
    grep -q "discard-marked" "$work/discard.marked"

ip netns exec "$b" "$setkey" -c <<CONF
spdflush;
CONF
try none
check "no policy: ping passes again" test "$(cat "$work/none.pingrc")" = 0
check "no policy: the unmarked socket receives again" \
    grep -q "none-plain" "$work/none.plain"

kill "$bpid"
wait "$bpid"
check "ipsecd exits 0 on SIGTERM" test $? = 0
check_not "ipsecd removed its nftables table" \
    sh -c "ip netns exec $b nft list table inet ipsecd >/dev/null 2>&1"
[ $fail = 0 ] || tail -20 "$work/ipsecd-b.log"
exit $fail
