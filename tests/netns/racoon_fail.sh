#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A negotiation that fails: host B runs no racoon at first.  racoon A
# retransmits phase 1 (timer counter 2, interval 1 s), gives up, and
# tells the kernel with an ACQUIRE carrying an errno: ipsecd logs the
# failed request and drops the packets it held for it, at once rather
# than at the larval SA's timeout.  racoon A keeps running; once B's
# racoon is up and the dead larval SA is gone (ipsecd -a 8, as Linux's
# xfrm_acq_expires), a ping negotiates again and gets its answer.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rfA$$ b=rfB$$
A=10.76.1.100 B=10.76.2.100
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

# host SELF PEER NAME: the article's files, short retransmissions.
host() { ah_timer='timer { counter 2; interval 1 sec; }' article_host "$@"; }
host $A $B a
host $B $A b

for n in a b; do
	ns=$(eval echo \$$n)
	# Larval SAs of 8 s: a failed ACQUIRE blocks its flow that long.
	ip netns exec "$ns" "$ipsecd" -F -dd -a 8 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
check "setkey loads host A's policies" \
    ip netns exec "$a" "$setkey" -f "$work/a.setkey"
check "setkey loads host B's policies" \
    ip netns exec "$b" "$setkey" -f "$work/b.setkey"
ip netns exec "$a" "$racoon" -F -f "$work/a.conf" -l "$work/racoon-a.log" &
pids="$pids $!"
check "racoon A writes its pidfile" wait_for "$work/a.pid" .

check_not "no answer while B has no racoon" \
    ip netns exec "$a" ping -q -c 1 -W 2 $B
check "racoon A gives up phase 1" \
    wait_for "$work/racoon-a.log" "ERROR: .*phase1 negotiation failed" 100
check "racoon A tells the kernel: ipsecd logs the failed request" \
    wait_for "$work/ipsecd-a.log" "IPsec-SA request [0-9]* failed: " 20
check "ipsecd drops the held packet as acquire-failed" \
    wait_for "$work/ipsecd-a.log" "dropped (acquire-failed)" 20
check "racoon A still runs" kill -0 "$(cat "$work/a.pid")"

ip netns exec "$b" "$racoon" -F -f "$work/b.conf" -l "$work/racoon-b.log" &
pids="$pids $!"
check "racoon B writes its pidfile" wait_for "$work/b.pid" .
# ping_until TRIES: one ping a try until one is answered.
ping_until() {
	local i
	for i in $(seq "$1"); do
		ip netns exec "$a" ping -q -c 1 -W 2 $B >/dev/null && return 0
	done
	return 1
}
check "with B's racoon up, a ping negotiates again and is answered" \
    ping_until 8
check "... and the next ones flow" ip netns exec "$a" ping -q -c 2 -W 2 $B
check "racoon A initiated a second phase 1" \
    test "$(grep -c "initiate new phase 1" "$work/racoon-a.log")" = 2
check "racoon A: IPsec-SA established" \
    grep -q "INFO: .*IPsec-SA established: ESP/Transport $A\[0\]->$B\[0\]" \
    "$work/racoon-a.log"
[ $fail = 0 ] || { tail -30 "$work/racoon-a.log"; grep -i "request\|acquire" "$work/ipsecd-a.log" | tail; }
exit $fail
