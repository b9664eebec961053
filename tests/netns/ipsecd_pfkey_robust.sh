#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd beyond the happy path: two namespaces hold separate SADs on the
# same abstract name; GETSPI hands out every SPI of a range once and then
# ENOENT; a burst of malformed messages is answered or dropped and ipsecd
# serves on; a peer without CAP_NET_ADMIN is refused; without -F ipsecd
# daemonizes, serves a path socket named by IPSECD_SOCKET, logs to syslog
# and removes its socket on SIGTERM.
set -u
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
pfkeyc=$BUILD/tests/tools/pfkeyc
a=pfkrobA$$ b=pfkrobB$$ c=pfkrobC$$
dir=$(mktemp -d)
fail=0
cleanup() {
	for n in "$a" "$b" "$c"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill "$p"; done
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT
check() {
	if "${@:2}"; then echo "ok $1"; else echo "FAIL $1"; fail=1; fi
}
has() { grep -q -- "$2" "$dir/$1"; }
hasnt() { ! grep -q -- "$2" "$dir/$1"; }
wait_up() {	# wait_up NS: until ipsecd answers there
	for _ in $(seq 50); do
		echo "spdflush" | ip netns exec "$1" "$pfkeyc" >/dev/null 2>&1 &&
		    return 0
		sleep 0.1
	done
	return 1
}

for n in "$a" "$b" "$c"; do ip netns add "$n" || exit 1; done
ip netns exec "$a" "$ipsecd" -F -d >"$dir/a.log" 2>&1 &
apid=$!
ip netns exec "$b" "$ipsecd" -F >"$dir/b.log" 2>&1 &
wait_up "$a" && wait_up "$b"
check "two ipsecd on the same name in two namespaces" [ $? -eq 0 ]

k=0x00112233445566778899aabbccddeeff
printf 'add esp 0x100 10.77.0.1 10.77.0.2 enc aes-cbc %s\n' "$k" |
    ip netns exec "$a" "$pfkeyc" >"$dir/a1" 2>&1
ip netns exec "$b" "$pfkeyc" >"$dir/b1" 2>&1 <<EOF2
get esp 0x100 10.77.0.1 10.77.0.2 => ESRCH
dump => ENOENT
add esp 0x100 10.77.0.1 10.77.0.2 enc aes-cbc $k
EOF2
check "an SA added in A is not in B, and B may add its own" [ $? -eq 0 ]
printf 'dump\n' | ip netns exec "$a" "$pfkeyc" >"$dir/a2" 2>&1
check "A still has exactly its one SA" \
    [ "$(grep -c '< DUMP satype=esp errno=0' "$dir/a2")" -eq 1 ]

# GETSPI: 16 SPIs in 0x7000-0x700f, all different, then the range is full.
{
	for i in $(seq 16); do echo "getspi esp 10.77.0.1 10.77.0.3 range 0x7000 0x700f"; done
	echo "getspi esp 10.77.0.1 10.77.0.3 range 0x7000 0x700f => ENOENT"
	echo "getspi esp 10.77.0.1 10.77.0.4 range 0x7000 0x700f"
	echo "getspi ah 10.77.0.1 10.77.0.3 range 0x7000 0x7000"
	echo "getspi esp 10.77.0.1 10.77.0.3 range 0x8000 0x7000 => EINVAL"
	echo "getspi esp 10.77.0.1 10.77.0.2 range 0x100 0x100 => ENOENT"
	echo "getspi esp 10.77.0.1 10.77.0.3"
} | ip netns exec "$a" "$pfkeyc" >"$dir/spi" 2>&1
check "GETSPI range script ran" [ $? -eq 0 ]
spis=$(grep '< GETSPI satype=esp errno=0 .*dst=10.77.0.3' "$dir/spi" |
    sed 's/.*spi:\(0x[0-9a-f]*\),.*/\1/' | head -16)
check "16 SPIs from 0x7000-0x700f, all different" \
    [ "$(echo "$spis" | sort -u | grep -c '^0x700[0-9a-f]$')" -eq 16 ]
check "another destination or protocol reuses the range" \
    has spi '< GETSPI satype=ah errno=0 .*spi:0x7000,'
check "the default range is 0x100-0x0fffffff" \
    [ "$(grep '< GETSPI' "$dir/spi" | tail -1 |
    sed 's/.*spi:\(0x[0-9a-f]*\),.*/\1/')" != "0x100" ]

# A burst of malformed messages, then a request that must work.
start=$(date +%s%N)
ip netns exec "$a" "$pfkeyc" -t 10 >"$dir/burst" 2>&1 <<'EOF2'
burst 3000
EOF2
check "3000 malformed messages sent" [ $? -eq 0 ]
end=$(date +%s%N)
echo "burst of 3000 took $(( (end - start) / 1000000 )) ms"
ip netns exec "$a" "$pfkeyc" >"$dir/raw" 2>&1 <<'EOF2'
raw 02
raw 0205000300000000
raw 02050003030000009900000001000000
raw 0205000303000000990000000100000001001b0000000000
raw 0105000302000000990000000100000000
EOF2
check "a length that lies is answered with EMSGSIZE" \
    has raw '< GET satype=esp errno=90 seq=153 pid=1 len=2'
check "an unknown extension type is answered with EINVAL" \
    has raw '< GET satype=esp errno=22 seq=153 pid=1 len=2'
check "a wrong version is dropped, not answered" \
    [ "$(grep -c '^< ' "$dir/raw")" -eq 2 ]
printf 'dump\nregister esp\n' | ip netns exec "$a" "$pfkeyc" >"$dir/after" 2>&1
check "ipsecd serves on after the burst" [ $? -eq 0 ]
check "... and its SAD is intact" has after '< DUMP satype=esp errno=0 .*spi:0x100,'
nbad=$(sed -n 's/.*malformed .* refused: .* (\([0-9]*\) so far)$/\1/p' \
    "$dir/a.log" | tail -1)
check "every malformed message was refused, logged and counted ($nbad)" \
    [ "${nbad:-0}" -ge 3003 ]
check "ipsecd A still running" kill -0 "$apid"

# No CAP_NET_ADMIN, no PF_KEY (root included).
printf 'dump\n' | ip netns exec "$a" setpriv --bounding-set=-net_admin \
    --inh-caps=-net_admin "$pfkeyc" >"$dir/nocap" 2>&1
check "a peer without CAP_NET_ADMIN is cut off" [ $? -ne 0 ]
check "... and ipsecd says why" has a.log 'lacks CAP_NET_ADMIN: refused'
printf 'dump\n' | ip netns exec "$a" "$pfkeyc" >/dev/null 2>&1
check "... and serves the next capable peer" [ $? -eq 0 ]

# Daemon mode on a path socket found through IPSECD_SOCKET.
sock=$dir/ipsecd.sock
ip netns exec "$c" "$ipsecd" -s "$sock"
check "ipsecd -s PATH detaches with status 0" [ $? -eq 0 ]
check "its socket exists when the parent returns" [ -S "$sock" ]
printf 'register esp\n' | IPSECD_SOCKET=$sock ip netns exec "$c" \
    "$pfkeyc" >"$dir/c1" 2>&1
check "IPSECD_SOCKET=PATH reaches it" [ $? -eq 0 ]
printf 'register esp\n' | IPSECD_SOCKET=@nosuch ip netns exec "$c" \
    "$pfkeyc" >"$dir/c2" 2>&1
check "IPSECD_SOCKET=@name that nobody serves fails" [ $? -ne 0 ]
cpid=$(ip netns pids "$c")
check "one daemon process" [ "$(echo "$cpid" | wc -w)" -eq 1 ]
kill -TERM $cpid
for _ in $(seq 50); do kill -0 $cpid 2>/dev/null || break; sleep 0.1; done
gone() { ! kill -0 "$1" 2>/dev/null; }
check "SIGTERM ends the daemon" gone "$cpid"
check "... and removes its socket" [ ! -e "$sock" ]
[ $fail -eq 0 ] || tail -20 "$dir/a.log"
exit $fail
