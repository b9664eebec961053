#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Rekeying under traffic (issue 14).  Host B answers with proposal_check
# claim and an IPsec-SA lifetime of 10 s, so host A (which offers 60 s)
# takes B's through RESPONDER-LIFETIME: soft EXPIRE at 8 s, hard at 10.
# The ISAKMP-SA lives 15 s (dying at 12).  A pings B every 0.2 s for
# 20 s, which spans (the next rekeys come at 24 s, well after the end):
#   ~8 s   A's soft EXPIRE: A negotiates the second SA pair; once B
#          sends on it, A deletes the first pair (DELETE to B, which
#          purges its copy): racoon's "newest SA carries traffic".
#   ~12 s  the ISAKMP-SA is dying and phase 2 SAs use it (rekey on): A
#          negotiates the next one before it expires.
#   ~15 s  the first ISAKMP-SA expires; its phase 2 SAs move to the new
#          one on both sides.
#   ~16 s  second phase 2 rekey, under the new ISAKMP-SA; the second
#          pair is deleted the same way.
# B never starts a negotiation.  At most two pings may be lost, and at
# the end `setkey -D` on each side shows one SA pair: the newest.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rkA$$ b=rkB$$
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

lifetime_host $A $B a strict 15 60
lifetime_host $B $A b claim 15 10

for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F 2>"$work/ipsecd-$n.log" &
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
done
check "racoon A writes its pidfile" wait_for "$work/a.pid" .
check "racoon B writes its pidfile" wait_for "$work/b.pid" .

# count FILE PATTERN: lines of FILE matching PATTERN.
count() {
	grep -c "$2" "$1"
}
# spis NS: the SPIs of the SAs in NS's kernel, sorted.
spis() {
	ip netns exec "$1" "$setkey" -D | sed -n 's/.* spi=\([0-9]*\)(.*/\1/p' |
	    sort -n
}
check "ping A to B brings up the first SAs" \
    ip netns exec "$a" ping -q -c 1 -W 3 $B
ip netns exec "$a" ping -q -i 0.2 -c 100 -W 1 $B >"$work/ping.out" 2>&1
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$work/ping.out")
check "100 pings over 20 s, across the rekeys: ${got:-0} received," \
    test "${got:-0}" -ge 98
ra=$work/racoon-a.log rb=$work/racoon-b.log
check "A takes B's lifetime from RESPONDER-LIFETIME" \
    grep -q "RESPONDER-LIFETIME: lifetime 10 seconds" "$ra"
check "A rekeys phase 2 at the soft lifetime, twice or more" \
    test "$(count "$ra" "IPsec-SA soft lifetime reached")" -ge 2
check "A deletes each replaced pair once the new one is in use" \
    test "$(count "$ra" "IPsec-SA replaced by a newer one in use")" -ge 2
check "A tells B (DELETE)" \
    test "$(count "$ra" "sending delete for IPsec-SA")" -ge 2
check "B purges its copies on A's DELETE" \
    test "$(count "$rb" "purged IPsec-SA proto_id=ESP")" -ge 2
check "A renegotiates phase 1 before expiry, phase 2 SAs being up" \
    grep -q "renegotiating phase1 to $B due to active phase2" "$ra"
check "A has had two ISAKMP-SAs" \
    test "$(count "$ra" "ISAKMP-SA established")" -ge 2
check "the first ISAKMP-SA expired (or B deleted it first)" \
    grep -q "ISAKMP-SA expired: \(lifetime reached\|deleted by the peer\)" "$ra"
# The last phase 2 rekey came after the phase 1 one (under it).
last_p1=$(grep -n "ISAKMP-SA established" "$ra" | tail -1 | cut -d: -f1)
last_p2=$(grep -n "initiate new phase 2" "$ra" | tail -1 | cut -d: -f1)
check "a phase 2 rekey ran under the new ISAKMP-SA" \
    test "${last_p2:-0}" -gt "${last_p1:-0}"
check "B initiated nothing" \
    test "$(count "$rb" "initiate new phase")" = 0
check "no negotiation failed" \
    test "$(cat "$ra" "$rb" | grep -c "negotiation failed")" = 0
# The newest pair: the last two SPIs A logged as established.
newest=$(grep "IPsec-SA established" "$ra" | tail -2 |
    sed -n 's/.* spi=\([0-9]*\)(.*/\1/p' | sort -n | tr '\n' ' ')
check "setkey -D on A shows only the newest pair ($newest)" \
    test "$(spis "$a" | tr '\n' ' ')" = "$newest"
check "setkey -D on B shows only the newest pair" \
    test "$(spis "$b" | tr '\n' ' ')" = "$newest"
check "A's SAs carry B's 10 s lifetime" \
    eval "ip netns exec $a $setkey -D | grep -q 'hard: 10(s)'"
[ $fail = 0 ] || { tail -60 "$ra"; tail -30 "$rb"; }
exit $fail
