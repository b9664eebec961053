#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Wrong pre-shared key (issue 13): A and B hold different keys for each
# other.  Main Mode message 5 then decrypts to garbage at B, which logs
# an authentication failure and answers with an AUTHENTICATION-FAILED
# notify.  That notify is unprotected, so A only logs it (an
# unauthenticated notify tears nothing down) and gives up on its timer.
# Neither side installs an SA, and no ping gets through.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rsA$$ b=rsB$$
A=10.78.1.100 B=10.78.2.100
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

# host SELF PEER NAME KEY: the article's files with pre-shared key KEY.
host() {
	ah_timer='timer { counter 2; interval 1 sec; }' ah_key=$4 \
	    article_host "$1" "$2" "$3"
}
host $A $B a "simple psk"
host $B $A b "another psk"

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

check_not "no answer with different keys" \
    ip netns exec "$a" ping -q -c 1 -W 3 $B
check "B (responder) logs an authentication failure" \
    wait_for "$work/racoon-b.log" "authentication failed" 50
check "A logs the AUTHENTICATION-FAILED notify" wait_for \
    "$work/racoon-a.log" "notification AUTHENTICATION-FAILED received" 100
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
