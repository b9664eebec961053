#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# setkey -x watches all PF_KEY traffic (SADB_X_PROMISC): an SA added with
# a soft lifetime of 1 s and a hard one of 2 s shows up as the ADD, then
# a soft EXPIRE (state dying, LIFETIME_SOFT) and a hard EXPIRE (state
# dead, LIFETIME_HARD), each after a time stamp line; then the SA is gone.
set -u
setkey=${BUILD:?}/src/setkey/setkey
ipsecd=$BUILD/src/ipsecd/ipsecd
for p in "$setkey" "$ipsecd"; do
	[ -x "$p" ] || { echo "missing $p"; exit 1; }
done
ns=skexp$$
tmp=$(mktemp -d)
fail=0
cleanup() {
	[ -n "${xpid:-}" ] && kill "$xpid" 2>/dev/null
	[ -n "${dpid:-}" ] && kill "$dpid" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
sk() { ip netns exec "$ns" "$setkey" "$@"; }
check() {
	if "${@:2}"; then echo "ok $1"; else echo "FAIL $1"; fail=1; fi
}

ip netns add "$ns" || exit 1
ip -n "$ns" link set lo up
ip netns exec "$ns" "$ipsecd" -F >"$tmp/ipsecd.log" 2>&1 &
dpid=$!
for i in $(seq 50); do
	sk -D >/dev/null 2>&1 && break
	sleep 0.1
done

ip netns exec "$ns" "$setkey" -x >"$tmp/x" 2>&1 &
xpid=$!
sleep 0.5
echo 'add 10.77.3.1 10.77.3.2 esp 0x7001 -m transport -ls 1 -lh 2
    -E aes-cbc 0x000102030405060708090a0b0c0d0e0f
    -A hmac-sha256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;' |
    sk -c || { echo "FAIL add"; fail=1; }
# The hard EXPIRE comes 2 s after the add; give it time.
for i in $(seq 60); do
	[ "$(grep -c '^sadb_msg{ version=2 type=8 ' "$tmp/x")" -ge 2 ] && break
	sleep 0.1
done
kill "$xpid"; wait "$xpid" 2>/dev/null; xpid=

# Split the output into messages at the time stamp lines.
awk '/^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]+ $/ { n++ } { print > (dir "/m" sprintf("%03d", n)) }' \
    dir="$tmp" "$tmp/x"
expires=$(grep -l '^sadb_msg{ version=2 type=8 errno=0 satype=3' "$tmp"/m* 2>/dev/null)
check "an ADD was seen" grep -q '^sadb_msg{ version=2 type=3 errno=0 satype=3' "$tmp/x"
check "two EXPIREs" test "$(echo "$expires" | grep -c .)" -eq 2
soft=$(echo "$expires" | head -1) hard=$(echo "$expires" | tail -1)
check "soft EXPIRE: SA dying" grep -q 'spi=28673 replay=0 state=2' "$soft"
check "soft EXPIRE: LIFETIME_SOFT" grep -q '^sadb_ext{ len=4 type=4 }' "$soft"
check "hard EXPIRE: SA dead" grep -q 'spi=28673 replay=0 state=3' "$hard"
check "hard EXPIRE: LIFETIME_HARD" grep -q '^sadb_ext{ len=4 type=3 }' "$hard"
check "EXPIREs carry no keys" test -z "$(grep -l 'sadb_key{' $expires)"
check "the SA is gone" test "$(sk -D)" = "No SAD entries."
[ $fail = 0 ] || { echo "setkey -x said:"; cat "$tmp/x"; }
exit $fail
