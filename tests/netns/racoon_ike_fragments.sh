#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Large IKE messages in IP fragments through ipsecd's policies: A and B
# run ipsecd with the article's `any' transport policies (require) and
# racoon.  From A, racoon_hostile.py sends B's racoon Main Mode first
# messages of 2 to 60 KB (a vendor ID fills them) from a socket with the
# bypass mark, over IPv4 and IPv6, to port 500 and, after the non-ESP
# marker, to port 4500: A's kernel fragments them, B's ipsecd (its ring,
# nftables table and reassembly) must let every one reach racoon, which
# answers each (first, A and B negotiate for real and ping).  Without
# ipsecd's tproxy rule, which makes the kernel reassemble before the
# input chain, every IPv6 one was lost: input saw the fragments, found
# no socket (so no bypass mark) and dropped them under the policy.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
hostile="/usr/bin/python3 ${TEST_SRCDIR:-$TOP}/tests/netns/racoon_hostile.py"
a=rfA$$ b=rfB$$
A=10.79.1.100 B=10.79.2.100 A6=fd00:79::a B6=fd00:79::b
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

/usr/bin/python3 -c 'import scapy' 2>/dev/null || { echo "scapy missing"; exit 77; }
netns_pair "$a" "$b" va vb $A/16 $B/16 $A6/64 $B6/64 || exit 1
# The `any' policies cover neighbour discovery too (as racoon_ipv6.sh).
mac() { ip -n "$1" -o link show "$2" | sed 's/.*link\/ether \([^ ]*\).*/\1/'; }
ip -n "$a" neigh replace $B6 lladdr "$(mac "$b" vb)" dev va nud permanent
ip -n "$b" neigh replace $A6 lladdr "$(mac "$a" va)" dev vb nud permanent
article_host $A $B a
article_host $B $A b
# IPv6 too: the same policies and a remote for A's IPv6 address on B.
for x in "a $A6 $B6" "b $B6 $A6"; do
	set -- $x
	cat >>"$work/$1.setkey" <<CONF
spdadd $2 $3 any -P out ipsec esp/transport//require;
spdadd $3 $2 any -P in ipsec esp/transport//require;
CONF
done
sed -e "s/remote $A /remote $A6 /" -e "s/address $B any address $A/address $B6 any address $A6/" \
    "$work/b.conf" | sed -n '/^remote/,$p' >>"$work/b.conf"
printf '%s    simple psk\n' $A6 >>"$work/b.psk"
article_daemons a b
# First a real negotiation, since the probes below count as half-open
# phase 1 negotiations from A (racoon allows 8 per address).
ip netns exec "$a" ping -c 1 -W 5 $B >/dev/null
check "A and B negotiate and ping over ESP" \
    ip netns exec "$a" ping -q -c 2 -W 2 $B

# big DST DPORT SIZE: one message of SIZE bytes from A, answered.
big() {
	local r
	r=$(ip netns exec "$a" $hostile big "$3" 5500 "$1" "$2" "$4" 0x2504)
	check "$4 bytes to $1 port $2 in fragments are answered" \
	    test "${r%% *}" = answered
}
for size in 2000 8000 16000 60000; do
	big $B 500 $A $size
	big $B 4500 $A $size
	big $B6 500 $A6 $size
	big $B6 4500 $A6 $size
done
check "racoon B logged no datagram dropped as too big" \
    test "$(grep -c 'datagram over' "$work/racoon-b.log")" = 0
check "and the SAs still carry A's pings" \
    ip netns exec "$a" ping -q -c 2 -W 2 $B

exit $fail
