#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A lossy path (issue 13): nftables in both namespaces drops 30% of the
# IKE packets leaving them, at random.  With timer { counter 10;
# interval 1 sec; } the retransmissions (and the answers to duplicates
# with the last reply) still bring the tunnel up, and pings flow both
# ways.  The script runs three rounds, each from fresh daemons, so that
# the losses land on different messages.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rdA$$ b=rdB$$
A=10.81.1.100 B=10.81.2.100
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

netns_pair "$a" "$b" va vb $A/16 $B/16 || exit 1

# host SELF PEER NAME: the article's files, patient timers.
host() {
	ah_timer='timer { counter 10; interval 1 sec; phase1 40 sec; phase2 40 sec; }' \
	    article_host "$@"
}
host $A $B a
host $B $A b

for ns in $a $b; do
	ip netns exec "$ns" nft -f - <<NFT || exit 1
table inet lossy {
	chain out {
		type filter hook output priority 0;
		udp dport { 500, 4500 } numgen random mod 10 < 3 counter drop
	}
}
NFT
done

# ping_until TRIES: one ping a try until one is answered.
ping_until() {
	local i
	for i in $(seq "$1"); do
		ip netns exec "$a" ping -q -c 1 -W 2 $B >/dev/null && return 0
	done
	return 1
}

pingq() {	# pingq NS ADDR
	ip netns exec "$1" ping -q -c 2 -W 2 "$2" >/dev/null
}

# round N: fresh ipsecds, policies and racoons; the tunnel must come up.
round() {
	local n ns rp=
	for n in a b; do
		ns=$(eval echo \$$n)
		ip netns exec "$ns" "$ipsecd" -F -dd -a 60 \
		    2>"$work/ipsecd-$n.$1.log" &
		rp="$rp $!"
	done
	sleep 1
	for n in a b; do
		ns=$(eval echo \$$n)
		check "round $1: setkey loads host $n's policies" \
		    ip netns exec "$ns" "$setkey" -f "$work/$n.setkey"
		rm -f "$work/$n.pid"
		ip netns exec "$ns" "$racoon" -F -f "$work/$n.conf" \
		    -l "$work/racoon-$n.$1.log" &
		rp="$rp $!"
		check "round $1: racoon $n writes its pidfile" \
		    wait_for "$work/$n.pid" .
	done
	pids="$pids $rp"
	check "round $1: the tunnel comes up despite the losses" ping_until 20
	check "round $1: A: IPsec-SA established" \
	    grep -q "IPsec-SA established" "$work/racoon-a.$1.log"
	check "round $1: B: IPsec-SA established" \
	    grep -q "IPsec-SA established" "$work/racoon-b.$1.log"
	check "round $1: B pings A" pingq "$b" $A
	[ $fail = 0 ] || { tail -20 "$work/racoon-a.$1.log"
	    tail -20 "$work/racoon-b.$1.log"; }
	for p in $rp; do kill "$p" 2>/dev/null; done
	for p in $rp; do wait "$p" 2>/dev/null; done
}
for r in 1 2 3; do
	round $r
done
for ns in $a $b; do
	echo "# $ns dropped $(ip netns exec "$ns" nft list table inet lossy |
	    grep -o "packets [0-9]*") of its IKE packets"
done
exit $fail
