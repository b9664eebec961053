#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Lifetimes: the article's setup with an IPsec-SA lifetime of 8 seconds
# (soft at 6: ipsecd counts whole seconds, so the gap between soft and
# hard must be more than one) and an ISAKMP-SA lifetime of 20, and a
# ping every 0.2 s for 25 s.  At
# the soft lifetime (80%) racoon A, which initiated the phase 2,
# negotiates the next SAs; once B sends on them, A deletes the old pair
# (and tells B).  The ISAKMP-SA is renegotiated at 80% of its lifetime
# since phase 2 SAs use it; the old one expires, racoon logs "ISAKMP-SA
# expired" and tells the peer.  Not one ping is lost.  Then, idle, the
# next rekey's SAs carry nothing: the old pair lives to its hard
# lifetime, the kernel (ipsecd) expires it and racoon logs "IPsec-SA
# expired".
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rlA$$ b=rlB$$
A=10.75.1.100 B=10.75.2.100
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

lifetime_host $A $B a strict 20 8
lifetime_host $B $A b strict 20 8

for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F -dd 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
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

# count FILE PATTERN: lines of FILE matching PATTERN.
count() {
	grep -c "$2" "$1"
}
check "ping A to B brings up the first SAs" \
    ip netns exec "$a" ping -q -c 1 -W 3 $B
ip netns exec "$a" ping -q -i 0.2 -c 125 -W 1 $B >"$work/ping.out" 2>&1
check "125 pings over 25 s, through rekeys and expiries: none lost" \
    grep -q "125 packets transmitted, 125 received" "$work/ping.out"
check "racoon A rekeys at the soft lifetime" \
    grep -q "INFO: IPsec-SA soft lifetime reached: esp spi=.*rekeying" \
    "$work/racoon-a.log"
check "with traffic, the old pair goes once the new one is in use" \
    grep -q "IPsec-SA replaced by a newer one in use" "$work/racoon-a.log"
check "idle, the old SAs reach their hard lifetime: IPsec-SA expired" \
    wait_for "$work/racoon-a.log" \
    "INFO: IPsec-SA expired: ESP/Transport $A\[0\]->$B\[0\] spi=" 150
check "both directions expire" \
    wait_for "$work/racoon-a.log" \
    "INFO: IPsec-SA expired: ESP/Transport $B\[0\]->$A\[0\] spi=" 30
n=$(count "$work/racoon-a.log" "IPsec-SA established")
check "racoon A negotiated at least 4 IPsec-SA pairs ($((n / 2)))" \
    test "$n" -ge 8
check "the ISAKMP-SA expires: racoon logs ISAKMP-SA expired" \
    grep -q "INFO: .*ISAKMP-SA expired" "$work/racoon-a.log"
check "the peer ends its ISAKMP-SA too" \
    grep -q "INFO: .*ISAKMP-SA \(deleted\|expired\)" "$work/racoon-b.log"
check "racoon A negotiated a new phase 1" \
    test "$(count "$work/racoon-a.log" "ISAKMP-SA established")" -ge 2
check "racoon B initiated nothing" \
    test "$(count "$work/racoon-b.log" "initiate new phase")" = 0
check "no negotiation failed" \
    test "$(count "$work/racoon-a.log" "negotiation failed")" = 0
[ $fail = 0 ] || { tail -40 "$work/racoon-a.log"; tail -20 "$work/racoon-b.log"; }
exit $fail
