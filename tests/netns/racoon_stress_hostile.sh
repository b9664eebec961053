#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Hostile packets (issue 13), from racoon_hostile.py with scapy on A's
# side of the link.  B answers any address (remote anonymous).  First a
# flood of acceptable Main Mode first messages from 300 forged addresses:
# B keeps at most its cap of half-open SAs and drops the rest.  Then,
# while A negotiates for real, malformed messages from A's address
# (truncated, lengths past the end, zero-length payloads, unknown next
# payloads, huge proposal counts, DELETE and NOTIFY for no phase 1): B
# logs and drops each.  The real negotiation completes; unencrypted
# DELETE and NOTIFY about its ISAKMP-SA tear nothing down; B's memory
# stays bounded and it keeps running.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rhA$$ b=rhB$$
A=10.84.1.100 B=10.84.2.100
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

# host SELF PEER NAME REMOTE: the article's files, remote REMOTE.
host() {
	ah_timer='timer { counter 20; interval 1 sec; phase1 4 sec; }' \
	    ah_remote=$4 article_host "$1" "$2" "$3"
}
host $A $B a $B
host $B $A b anonymous
# A's own phase 1 must outlast B's flood of half-open SAs.
sed -i 's/phase1 4 sec/phase1 30 sec/' "$work/a.conf"

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

py() {	# py ARGS: racoon_hostile.py in A's namespace
	ip netns exec "$a" /usr/bin/python3 "$TOP/tests/netns/racoon_hostile.py" \
	    "$@"
}
rss() {	# rss PID: resident kilobytes
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}
bpid=$(cat "$work/b.pid")
bmac=$(ip -n "$b" -o link show vb | grep -o "link/ether [0-9a-f:]*" |
    cut -d" " -f2)
rss0=$(rss "$bpid")

check "scapy floods B with 300 first messages" \
    py flood va "$bmac" $B 10.84 300
check "B logs the half-open cap" wait_for "$work/racoon-b.log" \
    "too many half-open phase 1 negotiations" 30
sleep 0.5
capped=$(grep -c "too many half-open" "$work/racoon-b.log")
check "B drops the messages over its cap of 128 ($capped)" \
    test "$capped" -ge 172
rss1=$(rss "$bpid")
# phase1 4 sec: the flood's half-open SAs fail, making room again.
check "B's flood SAs time out" wait_for "$work/racoon-b.log" \
    "10.84.100.128.*phase1 negotiation failed due to time up" 80
sleep 1.2

py cookies va $A $B >"$work/cookies" 2>"$work/cookies.err" &
sniffer=$!
pids="$pids $sniffer"
# scapy takes seconds to start on a loaded machine: wait for its capture.
wait_for "$work/cookies.err" sniffing 150
ip netns exec "$a" ping -q -c 1 -W 1 $B >/dev/null 2>&1 &
for i in 1 2 3; do
	check "scapy sends malformed messages (round $i)" \
	    py junk va "$bmac" $A $B
done
# ping_until TRIES: one ping a try until one is answered.
ping_until() {
	local i
	for i in $(seq "$1"); do
		ip netns exec "$a" ping -q -c 1 -W 2 $B >/dev/null && return 0
	done
	return 1
}
check "the real negotiation completes: A pings B" ping_until 10
check "A: IPsec-SA established" \
    grep -q "IPsec-SA established" "$work/racoon-a.log"
# logged WHAT PATTERN: each of the three rounds is logged at B.
logged() {
	check "B logs and drops $1" \
	    test "$(grep -c "WARNING: .*$2" "$work/racoon-b.log")" -ge 3
}
logged "a truncated message" "ISAKMP header: length 200 but datagram has 60"
logged "a length past the end" "payload 1 (SA): length 4096 outside"
logged "a zero-length payload" "payload 1 (SA): length 0 outside"
logged "a zero-length proposal" "proposal payload: length 0 outside"
logged "an unknown first payload" "next payload 99 (UNKNOWN) after 0"
logged "an unknown next payload" "next payload 77 (UNKNOWN) after 1"
logged "70 proposals" "SA payload: more than 64 proposals"
logged "255 transforms" "proposal #1: 255 transforms, not 1..64"
logged "a transform past its proposal" "transform payload: length 32 outside"
logged "DELETE and NOTIFY without phase 1" \
    "Informational message for no SA we know dropped"
logged "a datagram shorter than a header" "shorter than an ISAKMP header"
wait "$sniffer"
check "scapy saw the real cookies" test -s "$work/cookies"
read -r ick rck <"$work/cookies"
check "scapy sends unencrypted DELETE and NOTIFYs for the real SA" \
    py unprot va "$bmac" $A $B "$ick" "$rck"
check "B refuses the unprotected delete" wait_for "$work/racoon-b.log" \
    "Informational message 1: D payload not allowed" 20
check "B only logs the unprotected notifies" grep -q \
    "INITIAL-CONTACT received from the peer (unauthenticated)" \
    "$work/racoon-b.log"
check_not "B keeps its ISAKMP-SA" grep -q \
    "ISAKMP-SA expired\|ISAKMP-SA deleted" "$work/racoon-b.log"
check "A still pings B" ip netns exec "$a" ping -q -c 2 -W 2 $B
rss2=$(rss "$bpid")
echo "# B's RSS: $rss0 kB at start, $rss1 kB after the flood," \
    "$rss2 kB at the end"
check "B's memory stays bounded (< 16 MB growth)" \
    test $((rss2 - rss0)) -lt 16384
check "racoon B still runs" kill -0 "$bpid"
[ $fail = 0 ] || { tail -20 "$work/racoon-a.log"
    tail -40 "$work/racoon-b.log"; }
exit $fail
