#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A silent peer (issue 13): B's host runs ipsecd but no racoon.  With
# timer { counter 3; interval 2 sec; persend 2; } racoon A sends Main
# Mode message 1 twice (persend), then again every 2 s three times
# (counter), then gives up and tells the kernel with a failed ACQUIRE,
# which ipsecd logs.  tcpdump on B's side shows the schedule.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rtA$$ b=rtB$$
A=10.80.1.100 B=10.80.2.100
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

# host SELF PEER NAME: the article's files, slow retransmissions.
host() {
	ah_timer='timer { counter 3; interval 2 sec; persend 2; phase1 30 sec; }' \
	    article_host "$@"
}
host $A $B a
host $B $A b

for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F -dd -a 30 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
ip netns exec "$b" tcpdump -n -i vb -tt -l udp port 500 \
    >"$work/wire" 2>/dev/null &
pids="$pids $!"
for n in a b; do
	ns=$(eval echo \$$n)
	check "setkey loads host $n's policies" \
	    ip netns exec "$ns" "$setkey" -f "$work/$n.setkey"
done
ip netns exec "$a" "$racoon" -F -f "$work/a.conf" -l "$work/racoon-a.log" &
pids="$pids $!"
check "racoon A writes its pidfile" wait_for "$work/a.pid" .
sleep 0.5

check_not "no answer from a silent peer" \
    ip netns exec "$a" ping -q -c 1 -W 1 $B
check "racoon A gives up phase 1" wait_for "$work/racoon-a.log" \
    "ERROR: .*phase1 negotiation failed due to time up" 120
check "racoon A tells the kernel: ipsecd logs the failed request" \
    wait_for "$work/ipsecd-a.log" "IPsec-SA request [0-9]* failed: " 20
check "racoon A still runs" kill -0 "$(cat "$work/a.pid")"
sleep 2.5	# nothing more may follow the give-up
# Seconds from the first packet, one line per packet from A.
awk -v a="$A.500 >" '$0 ~ a { if (!t0) t0 = $1; printf "%.1f\n", $1 - t0 }' \
    "$work/wire" >"$work/times"
check "8 packets: message 1, persend 2, plus 3 retransmissions" \
    test "$(wc -l <"$work/times")" = 8
# sched: the copies come in pairs 2 s apart (0, 2, 4, 6; +-0.5 s).
sched() {
	awk 'BEGIN { ok = 1 }
	    { want = int((NR - 1) / 2) * 2
	      if ($1 < want - 0.5 || $1 > want + 0.5) ok = 0 }
	    END { exit !(ok && NR == 8) }' "$work/times"
}
check "retransmissions every 2 s" sched
[ $fail = 0 ] || { cat "$work/times"; tail -20 "$work/racoon-a.log"; }
exit $fail
