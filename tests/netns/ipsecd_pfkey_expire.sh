#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd's time lifetimes, run under AddressSanitizer ($ASAN_BUILD): an SA
# with soft 2 s and hard 4 s sends a soft EXPIRE (state dying, soft
# lifetime) to the registered socket only, then a hard one (state dead,
# hard lifetime), and is gone; UPDATE of a mature SA moves its hard
# lifetime; a larval SA that no UPDATE fills expires after -a seconds; a
# policy goes at its hard lifetime, silently as with af_key;
# ipsecd exits cleanly on SIGTERM with nothing for ASan to say.
set -u
ipsecd=${ASAN_BUILD:?}/src/ipsecd/ipsecd
pfkeyc=${BUILD:?}/tests/tools/pfkeyc
ns=pfkexp$$
dir=$(mktemp -d)
fail=0
cleanup() {
	[ -n "${ipid:-}" ] && kill "$ipid" 2>/dev/null
	[ -n "${ppid_:-}" ] && kill "$ppid_" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
check() {
	if "${@:2}"; then echo "ok $1"; else echo "FAIL $1"; fail=1; fi
}
has() { grep -q -- "$2" "$dir/$1"; }
hasnt() { ! grep -q -- "$2" "$dir/$1"; }

[ -x "$ipsecd" ] || { echo "no ASan build at $ASAN_BUILD"; exit 77; }
ip netns add "$ns" || exit 1
ASAN_OPTIONS=log_path=$dir/asan:detect_leaks=1 \
    ip netns exec "$ns" "$ipsecd" -F -d -a 3 >"$dir/ipsecd.log" 2>&1 &
ipid=$!
for _ in $(seq 100); do
	echo "spdflush" | ip netns exec "$ns" "$pfkeyc" >/dev/null 2>&1 && break
	sleep 0.1
done

# P is not registered: EXPIRE is for registered sockets only.
printf 'listen 7\n' | ip netns exec "$ns" "$pfkeyc" >"$dir/P" 2>&1 &
ppid_=$!
k=0x00112233445566778899aabbccddeeff
ip netns exec "$ns" "$pfkeyc" >"$dir/R" 2>&1 <<EOF2
register esp
add esp 0x1001 10.77.0.1 10.77.0.2 enc aes-cbc $k life 2 4
add esp 0x1002 10.77.0.1 10.77.0.2 enc aes-cbc $k life 1 30
update esp 0x1002 10.77.0.1 10.77.0.2 enc aes-cbc $k life 2 3
getspi esp 10.77.0.1 10.77.0.9 range 0x9000 0x9000
spdadd 10.50.0.0/16 10.51.0.0/16 any out discard life 0 2
spdadd 10.52.0.0/16 10.53.0.0/16 any in none
listen 6
dump => ENOENT
spddelete 10.50.0.0/16 10.51.0.0/16 any out => ENOENT
spddelete 10.52.0.0/16 10.53.0.0/16 any in
EOF2
check "script ran (soft, hard, then the SAD is empty)" [ $? -eq 0 ]
check "soft EXPIRE: dying, soft lifetime of 2 s" \
    has R '< EXPIRE satype=esp errno=0 seq=0 pid=0 .*spi:0x1001,state:dying.* soft=alloc:0,bytes:0,add:2,'
check "hard EXPIRE: dead, hard lifetime of 4 s" \
    has R '< EXPIRE satype=esp errno=0 seq=0 pid=0 .*spi:0x1001,state:dead.* hard=alloc:0,bytes:0,add:4,'
check "EXPIRE carries no keys" hasnt R '< EXPIRE .*ekey='
check "soft comes before hard" \
    [ "$(grep -n 'EXPIRE.*0x1001,state:dying' "$dir/R" | cut -d: -f1)" -lt \
      "$(grep -n 'EXPIRE.*0x1001,state:dead' "$dir/R" | cut -d: -f1)" ]
check "UPDATE moved 0x1002's hard lifetime to 3 s" \
    has R '< EXPIRE .*spi:0x1002,state:dead.* hard=alloc:0,bytes:0,add:3,'
check "the policy with a 2 s hard lifetime is gone, the other stays" \
    has R '< X_SPDDELETE satype=unspec errno=0 .*dst=10.53.0.0/16'
check "policy expiry sent no message (af_key sends none)" \
    [ "$(grep -c '< X_SPD' "$dir/R")" -eq 4 ]
check "larval SA gone after -a 3 s with a hard EXPIRE" \
    has R '< EXPIRE .*spi:0x9000,state:dead.* hard=alloc:0,bytes:0,add:3,'
check "one soft and one hard EXPIRE each, one for the larval SA" \
    [ "$(grep -c '< EXPIRE' "$dir/R")" -eq 5 ]
wait "$ppid_"
check "the unregistered socket saw no EXPIRE" hasnt P '< EXPIRE'

kill -TERM "$ipid"
wait "$ipid"
check "SIGTERM: exit status 0" [ $? -eq 0 ]
ipid=
check "SIGTERM: logged and stopped" has ipsecd.log 'ipsecd stopped'
check "ASan and LeakSanitizer silent" [ -z "$(ls "$dir" | grep '^asan')" ]
[ $fail -eq 0 ] || { cat "$dir"/asan* 2>/dev/null | head -30; tail -5 "$dir/R"; }
exit $fail
