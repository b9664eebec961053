#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# No common proposal (issue 13): A proposes 3des/md5 for phase 1, B
# accepts only aes/sha1.  B answers Main Mode message 1 with a
# NO-PROPOSAL-CHOSEN notify (unprotected, so A only logs it) and A gives
# up on its timer.  Neither side installs an SA; both keep running.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rnA$$ b=rnB$$
A=10.79.1.100 B=10.79.2.100
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

# host SELF PEER NAME ENC HASH: the article's files, phase 1 ENC/HASH.
host() {
	ah_timer='timer { counter 2; interval 1 sec; }' ah_enc=$4 ah_hash=$5 \
	    article_host "$1" "$2" "$3"
}
host $A $B a 3des md5
host $B $A b aes sha1

for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F -dd -a 8 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
for n in a b; do
	ns=$(eval echo \$$n)
	check "setkey loads host $n's policies" \
	    ip netns exec "$ns" "$setkey" -f "$work/$n.setkey"
	ip netns exec "$ns" "$racoon" -F -f "$work/$n.conf" \
	    -l "$work/racoon-$n.log" &
	pids="$pids $!"
	check "racoon $n writes its pidfile" wait_for "$work/$n.pid" .
done

check_not "no answer without a common proposal" \
    ip netns exec "$a" ping -q -c 1 -W 3 $B
check "B (responder) finds no proposal" \
    wait_for "$work/racoon-b.log" "no suitable proposal found" 50
check "B sends NO-PROPOSAL-CHOSEN" \
    wait_for "$work/racoon-b.log" "sending notification NO-PROPOSAL-CHOSEN" 50
check "A logs the NO-PROPOSAL-CHOSEN notify" wait_for \
    "$work/racoon-a.log" "notification NO-PROPOSAL-CHOSEN received" 100
check "A's phase 1 fails" \
    wait_for "$work/racoon-a.log" "ERROR: .*phase1 negotiation failed" 100
check_not "A: no IPsec-SA" grep -q "IPsec-SA established" "$work/racoon-a.log"
check_not "B: no IPsec-SA" grep -q "IPsec-SA established" "$work/racoon-b.log"
check_not "A: no ISAKMP-SA" grep -q "ISAKMP-SA established" "$work/racoon-a.log"
check_not "B: no ISAKMP-SA" grep -q "ISAKMP-SA established" "$work/racoon-b.log"
for n in a b; do
	ns=$(eval echo \$$n)
	check "host $n's SAD holds no mature SA" \
	    test -z "$(ip netns exec "$ns" "$setkey" -D 2>/dev/null |
	    grep 'state=mature')"
	check "racoon $n still runs" kill -0 "$(cat "$work/$n.pid")"
done
[ $fail = 0 ] || { tail -20 "$work/racoon-a.log"; tail -20 "$work/racoon-b.log"; }
exit $fail
