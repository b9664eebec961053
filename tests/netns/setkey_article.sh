#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The article's manually keyed script (tests/setkey/001-article-manual.in,
# its addresses moved into 10.77.0.0/16) loads into ipsecd in a namespace
# of our own; setkey -D and -DP print it back exactly as the golden files
# tests/setkey/dump/article-{D,DP}.ok expect (times and pids masked);
# get, delete, deleteall and spddelete act on it; a statement the kernel
# refuses names its line; -F then -FP empty it ("No SAD entries." and
# "No SPD entries."); in policies get fwd copies unless -k.
set -u
top=${TOP:?}
setkey=${BUILD:?}/src/setkey/setkey
ipsecd=$BUILD/src/ipsecd/ipsecd
for p in "$setkey" "$ipsecd"; do
	[ -x "$p" ] || { echo "missing $p"; exit 1; }
done
ns=skart$$
tmp=$(mktemp -d)
fail=0
cleanup() {
	[ -n "${dpid:-}" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
sk() { ip netns exec "$ns" "$setkey" "$@"; }
# Dates, the diff in seconds and pids change from run to run.
mask() {
	sed -E -e 's/(created|current|last|lastused): [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [0-9]{4}/\1: DATE/g' \
	    -e 's/diff: [0-9]+\(s\)/diff: N(s)/' -e 's/ pid=[0-9]+/ pid=PID/'
}
# expect NAME WANT-FILE GOT-FILE; not in a pipeline, so fail sticks.
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

sed -e 's/192\.168\.1\.100/10.77.1.100/g' -e 's/192\.168\.2\.100/10.77.2.100/g' \
    "$top/tests/setkey/001-article-manual.in" >"$tmp/ipsec.conf"
if sk -f "$tmp/ipsec.conf"; then echo "ok load"; else echo "FAIL load"; fail=1; fi
sk -D | mask >"$tmp/D"
expect "-D" "$top/tests/setkey/dump/article-D.ok" "$tmp/D"
sk -DP | mask >"$tmp/DP"
expect "-DP" "$top/tests/setkey/dump/article-DP.ok" "$tmp/DP"

# get prints one SA as -D does.
echo 'get 10.77.1.100 10.77.2.100 esp 0x301;' | sk -c | mask >"$tmp/get"
sed -n '/^10.77.1.100 10.77.2.100 $/,/sadb_seq/{/esp mode/,/sadb_seq/p}' \
    "$top/tests/setkey/dump/article-D.ok" | sed '1i 10.77.1.100 10.77.2.100 ' |
    sed -E 's/sadb_seq=[0-9]+/sadb_seq=N/' >"$tmp/get.want"
sed -E 's/sadb_seq=[0-9]+/sadb_seq=N/' "$tmp/get" >"$tmp/get.got"
expect "get" "$tmp/get.want" "$tmp/get.got"

# The kernel's refusals name the statement's line; later ones still run.
printf 'flush ipcomp;\nadd 10.77.1.100 10.77.2.100 esp 0x301 -E 3des-cbc 0x7aeaca3f87d060a12f4a4487d5a5c3355920fae69a96c831;\ndelete 10.77.9.9 10.77.9.8 esp 0x1;\nadd 10.77.1.100 10.77.2.100 esp 0x302 -E aes-cbc 0x000102030405060708090a0b0c0d0e0f;\n' >"$tmp/dup.conf"
sk -f "$tmp/dup.conf" 2>"$tmp/dup.err" && { echo "FAIL refusals: exit 0"; fail=1; }
printf 'dup.conf:2: add: File exists\ndup.conf:3: delete: No entry\n' >"$tmp/dup.want"
expect "refusals" "$tmp/dup.want" "$tmp/dup.err"
sk -D | grep -c 'spi=770(0x00000302)' >"$tmp/n"
expect "after refusals" <(echo 1) "$tmp/n"

# delete, deleteall, spddelete.
printf 'delete 10.77.1.100 10.77.2.100 esp 0x302;\ndeleteall 10.77.1.100 10.77.2.100 ah;\nspddelete 10.77.2.100 10.77.1.100 any -P in;\n' | sk -c ||
    { echo "FAIL delete statements"; fail=1; }
sk -D | grep -E '^\s(ah|esp) mode' | sed -E 's/ reqid.*//' >"$tmp/left"
printf '\tah mode=transport spi=1024(0x00000400)\n\tesp mode=transport spi=769(0x00000301)\n\tesp mode=transport spi=1025(0x00000401)\n' >"$tmp/left.want"
expect "delete, deleteall" "$tmp/left.want" "$tmp/left"
sk -DP | grep -cE '^\s(in|out|fwd) ' >"$tmp/n"
expect "spddelete (in and its fwd copy)" <(echo 1) "$tmp/n"

# -F, then -FP, empty both databases.
sk -F && sk -D >"$tmp/F" || fail=1
expect "-F" <(echo "No SAD entries.") "$tmp/F"
sk -FP && sk -DP >"$tmp/FP" || fail=1
expect "-FP" <(echo "No SPD entries.") "$tmp/FP"

# An in policy gets a fwd copy (-r, the default) whose unique request
# requires without a reqid; -k sends the policy as written.
echo 'spdadd 10.77.2.0/24 10.77.1.0/24 any -P in ipsec esp/tunnel/10.77.2.1-10.77.1.1/unique:4;' |
    sk -c || fail=1
sk -DP | grep -E '^\s(in|fwd) |^\sesp/' >"$tmp/rfc"
expect "-r: fwd copy" <(printf '\tin prio def ipsec\n\tesp/tunnel/10.77.2.1-10.77.1.1/unique:4\n\tfwd prio def ipsec\n\tesp/tunnel/10.77.2.1-10.77.1.1/require\n') "$tmp/rfc"
sk -FP >/dev/null
echo 'spdadd 10.77.2.0/24 10.77.1.0/24 any -P in ipsec esp/tunnel/10.77.2.1-10.77.1.1/unique:4;' |
    sk -k -c || fail=1
sk -DP | grep -cE '^\s(in|fwd) ' >"$tmp/n"
expect "-k: no fwd copy" <(echo 1) "$tmp/n"
sk -FP >/dev/null

# Nothing of a script with an error reaches the kernel.
printf 'add 10.77.1.100 10.77.2.100 esp 0x301 -E 3des-cbc 0x7aeaca3f87d060a12f4a4487d5a5c3355920fae69a96c831;\nadd 10.77.1.100 10.77.2.100 ah 0x300 -A hmac-md6 0x00;\n' >"$tmp/bad.conf"
sk -f "$tmp/bad.conf" 2>"$tmp/bad.err" && { echo "FAIL bad script: exit 0"; fail=1; }
expect "bad script error" <(echo 'bad.conf:2: unknown algorithm "hmac-md6"') "$tmp/bad.err"
sk -D >"$tmp/F"
expect "bad script sent nothing" <(echo "No SAD entries.") "$tmp/F"

kill "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null
dpid=
[ $fail = 0 ] || { echo "ipsecd log:"; tail -20 "$tmp/ipsecd.log"; }
exit $fail
