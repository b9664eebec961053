#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd restarts under racoon (ARCHITECTURE.md, Restarts): racoon
# notices the closed socket, reconnects, registers again and re-reads
# the SPD, which the setkey script loads again as the unit that loaded
# it at boot would.  The next ping negotiates a new phase 2 under the
# ISAKMP-SA that outlived the restart, and is answered.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rrA$$ b=rrB$$
A=10.77.1.100 B=10.77.2.100
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

article_host $A $B a
article_host $B $A b

start_ipsecd() {	# start_ipsecd NAME
	local ns
	ns=$(eval echo \$$1)
	ip netns exec "$ns" "$ipsecd" -F -dd 2>>"$work/ipsecd-$1.log" &
	eval ipsecd_$1=$!
	pids="$pids $!"
}
start_ipsecd a
start_ipsecd b
sleep 1
check "setkey loads host A's policies" \
    ip netns exec "$a" "$setkey" -f "$work/a.setkey"
check "setkey loads host B's policies" \
    ip netns exec "$b" "$setkey" -f "$work/b.setkey"
for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$racoon" -F -f "$work/$n.conf" \
	    -l "$work/racoon-$n.log" &
	pids="$pids $!"
done
check "racoon A writes its pidfile" wait_for "$work/a.pid" .
check "racoon B writes its pidfile" wait_for "$work/b.pid" .
check "ping A to B" ip netns exec "$a" ping -q -c 2 -W 3 $B

kill "$ipsecd_a"
wait "$ipsecd_a" 2>/dev/null
check "racoon A sees ipsecd go" \
    wait_for "$work/racoon-a.log" "WARNING: PF_KEY: .* closed the connection"
check "racoon A keeps running" kill -0 "$(cat "$work/a.pid")"
start_ipsecd a
check "racoon A reconnects" \
    wait_for "$work/racoon-a.log" "INFO: PF_KEY: reconnected" 50
check "setkey loads host A's policies again" \
    ip netns exec "$a" "$setkey" -f "$work/a.setkey"
sleep 0.5
check "ping A to B after the restart" \
    ip netns exec "$a" ping -q -c 3 -W 3 $B
check "a second IPsec-SA pair under the same ISAKMP-SA" \
    test "$(grep -c "initiate new phase 2" "$work/racoon-a.log")" = 2 -a \
    "$(grep -c "initiate new phase 1" "$work/racoon-a.log")" = 1
check "ping B to A" ip netns exec "$b" ping -q -c 2 -W 3 $A
[ $fail = 0 ] || { tail -30 "$work/racoon-a.log"; tail -20 "$work/racoon-b.log"; }
exit $fail
