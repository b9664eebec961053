#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd's plaintext side (src/ipsecd/tun.c): the TUN device, the routes of
# the protected table and the not-fwmark rule.  Unmarked traffic to a
# protected prefix arrives on the TUN; marked traffic (the bypass) and
# traffic to other prefixes does not; everything is removed afterwards.
set -u
. "$(dirname "$0")/lib.sh"
tool=${BUILD:?}/tests/tools/tun_tool
ns=tunrt$$
out=$(mktemp)
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -f "$out"
}
trap cleanup EXIT
ip netns add "$ns" || exit 1
ip -n "$ns" link set lo up
ip -n "$ns" addr add 10.88.0.1/32 dev lo
ip -n "$ns" addr add fd88::1/128 dev lo
ip netns exec "$ns" "$tool" ipsec0 2504 0x2504 20 10.99.0.0/24 \
    fd99::/64 >"$out" 2>&1 &
pid=$!
wait_for "$out" ready || { echo "tun_tool did not start:"; cat "$out"; exit 1; }

rules=$(ip -n "$ns" rule show; ip -n "$ns" -6 rule show)
check "IPv4 rule" grep -q "2504:.*not from all fwmark 0x2504 lookup 2504" <<<"$rules"
check "IPv6 rule" grep -q "2504:.*not from all fwmark 0x2504 lookup 2504" \
    <<<"$(ip -n "$ns" -6 rule show)"
check "IPv4 route" grep -q "10.99.0.0/24 dev ipsec0" \
    <<<"$(ip -n "$ns" route show table 2504)"
check "IPv6 route" grep -q "fd99::/64 dev ipsec0" \
    <<<"$(ip -n "$ns" -6 route show table 2504)"

ip netns exec "$ns" ping -c1 -W1 10.99.0.7 >/dev/null 2>&1
ip netns exec "$ns" ping -6 -c1 -W1 fd99::7 >/dev/null 2>&1
# Marked: skips the table, and the main table has no route for it.
ip netns exec "$ns" ping -m 0x2504 -c1 -W1 10.99.0.8 >/dev/null 2>&1
# Not protected: not in the table at all.
ip netns exec "$ns" ping -c1 -W1 10.98.0.9 >/dev/null 2>&1
sleep 0.5
check "IPv4 packet on the TUN" grep -q "packet 10.88.0.1 > 10.99.0.7 proto 1" "$out"
check "IPv6 packet on the TUN" grep -q "packet fd88::1 > fd99::7 proto 58" "$out"
check_not "marked packet bypasses the TUN" grep -q "10.99.0.8" "$out"
check_not "unprotected prefix bypasses the TUN" grep -q "10.98.0.9" "$out"

kill "$pid"; wait "$pid"; pid=
check "tool removed its state" grep -q done "$out"
check_not "IPv4 rule removed" grep -q "lookup 2504" <<<"$(ip -n "$ns" rule show)"
check_not "IPv6 rule removed" grep -q "lookup 2504" <<<"$(ip -n "$ns" -6 rule show)"
check "routes removed" test -z "$(ip -n "$ns" route show table 2504)"
[ $fail = 0 ] || cat "$out"
exit $fail
