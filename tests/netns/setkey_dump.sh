#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# setkey's -D, -Dp and -DP layout beyond the article's script
# (tests/setkey/dump/misc.conf, diffed with misc-D.ok, misc-Dp.ok and
# misc-DP.ok, dates and pids masked): ESP in UDP (ports, and the NAT-OA
# of transport-mode SAs over IPv4 and IPv6), AES-GCM, IPv6, long
# keys, lifetimes, ports, priorities, icmp6 and gre; ipsecd's refusal of
# IPComp names the line; -v shows the messages both ways.
set -u
top=${TOP:?}
setkey=${BUILD:?}/src/setkey/setkey
ipsecd=$BUILD/src/ipsecd/ipsecd
for p in "$setkey" "$ipsecd"; do
	[ -x "$p" ] || { echo "missing $p"; exit 1; }
done
ns=skdmp$$
tmp=$(mktemp -d)
fail=0
cleanup() {
	[ -n "${dpid:-}" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
sk() { ip netns exec "$ns" "$setkey" "$@"; }
mask() {
	sed -E -e 's/(created|current|last|lastused): [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [0-9]{4}/\1: DATE/g' \
	    -e 's/diff: [0-9]+\(s\)/diff: N(s)/' -e 's/ pid=[0-9]+/ pid=PID/'
}
expect() {
	if diff -u "$2" "$3"; then echo "ok $1"; else echo "FAIL $1"; fail=1; fi
}

ip netns add "$ns" || exit 1
ip -n "$ns" link set lo up
ip netns exec "$ns" "$ipsecd" -F >"$tmp/ipsecd.log" 2>&1 &
dpid=$!
for i in $(seq 50); do
	sk -D >/dev/null 2>&1 && break
	sleep 0.1
done

cp "$top/tests/setkey/dump/misc.conf" "$tmp/misc.conf"
sk -f "$tmp/misc.conf" 2>"$tmp/err" && { echo "FAIL ipcomp accepted"; fail=1; }
expect "ipcomp refused" <(echo 'misc.conf:6: add: Invalid argument') "$tmp/err"
sk -D | mask >"$tmp/D"
expect "-D" "$top/tests/setkey/dump/misc-D.ok" "$tmp/D"
sk -Dp | mask >"$tmp/Dp"
expect "-Dp" "$top/tests/setkey/dump/misc-Dp.ok" "$tmp/Dp"
sk -DP | mask >"$tmp/DP"
expect "-DP" "$top/tests/setkey/dump/misc-DP.ok" "$tmp/DP"

# -v: the DUMP request, then each answer, field by field.
sk -v -D >"$tmp/v"
if [ "$(grep -c '^sadb_msg{ version=2 type=10 ' "$tmp/v")" -eq 5 ] &&
    grep -q '^sadb_x_nat_t_port{ port=4501 }' "$tmp/v" &&
    grep -q '^sadb_x_nat_t_type{ type=2 }' "$tmp/v" &&
    grep -A3 '^sadb_ext{ len=3 type=23 }' "$tmp/v" | grep -q '^ c0a84d09 '; then
	echo "ok -v"
else
	echo "FAIL -v"; cat "$tmp/v"; fail=1
fi
exit $fail
