#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A host "reboots" (issue 13): with a tunnel up, host A's racoon dies by
# SIGKILL and its ipsecd too; both start again and A's policies are
# loaded again.  A's first phase 1 with B then carries INITIAL-CONTACT
# in message 5, on which B expires its old ISAKMP-SA and takes the
# IPsec-SAs negotiated under it out of its kernel, so that B does not
# go on sealing with SAs A has forgotten.  Traffic flows again both
# ways, and B's SAD holds only the new pair.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rbA$$ b=rbB$$
A=10.82.1.100 B=10.82.2.100
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

# sa_count NS: SAs in the namespace's SAD.
sa_count() {
	ip netns exec "$1" "$setkey" -D 2>/dev/null | grep -c "state="
}
check "B holds one SA pair" test "$(sa_count "$b")" = 2

kill -KILL "$(cat "$work/a.pid")" "$ipsecd_a"
wait "$ipsecd_a" 2>/dev/null
rm -f "$work/a.pid"
start_ipsecd a
sleep 1
check "setkey loads host A's policies again" \
    ip netns exec "$a" "$setkey" -f "$work/a.setkey"
ip netns exec "$a" "$racoon" -F -f "$work/a.conf" \
    -l "$work/racoon-a2.log" &
pids="$pids $!"
check "racoon A starts again" wait_for "$work/a.pid" .

# ping_until TRIES: one ping a try until one is answered.
ping_until() {
	local i
	for i in $(seq "$1"); do
		ip netns exec "$a" ping -q -c 1 -W 2 $B >/dev/null && return 0
	done
	return 1
}
check "ping A to B after the reboot" ping_until 5
check "B receives INITIAL-CONTACT" \
    grep -q "received INITIAL-CONTACT" "$work/racoon-b.log"
check "B expires its stale ISAKMP-SA" grep -q \
    "ISAKMP-SA expired: the peer made initial contact" "$work/racoon-b.log"
check "B purges the stale IPsec-SAs" grep -q \
    "purged IPsec-SA proto_id=ESP spi=[0-9]*: the peer made initial" \
    "$work/racoon-b.log"
check "ping B to A" ip netns exec "$b" ping -q -c 2 -W 3 $A
check "B's SAD holds only the new pair" test "$(sa_count "$b")" = 2
check "A's SAD holds the new pair" test "$(sa_count "$a")" = 2
[ $fail = 0 ] || { tail -30 "$work/racoon-a2.log"
    tail -20 "$work/racoon-b.log"; }
exit $fail
