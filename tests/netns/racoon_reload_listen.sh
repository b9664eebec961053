#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# racoon's `listen' addresses follow racoon.conf on SIGHUP (daemon.c):
# with the article's connection up over A's first address, a reload that
# adds a second address (IKE and NAT-T) binds it, one that drops it
# closes it, one naming an address A does not have fails as a whole
# (logged, nothing bound or closed, the old configuration in use), and
# one without `isakmp' lines moves to the wildcard sockets.  Through all
# of it the socket of the unchanged address is the same one (its inode)
# and the ISAKMP-SA and the traffic over it go on.  An address named
# twice gets one socket.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rlA$$ b=rlB$$
A=10.76.1.100 A2=10.76.1.101 B=10.76.2.100 NOTA=10.76.9.9
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
ip -n "$a" addr add $A2/16 dev va
article_host $A $B a
article_host $B $A b
cp "$work/a.conf" "$work/a.conf.base"
# listen_conf STATEMENTS: A's racoon.conf with this listen block.
listen_conf() {
	sed "s/^listen { adminsock disabled; }/listen { $1 adminsock disabled; }/" \
	    "$work/a.conf.base" >"$work/a.conf"
}
# ino ADDR:PORT: the inode of A's UDP socket bound there, or nothing.
ino() {
	ip netns exec "$a" ss -Hulne "( sport = :${1##*:} )" 2>/dev/null |
	    awk -v l="$1" '$4 == l { for (i = 5; i <= NF; i++)
	    if ($i ~ /^ino:/) { sub("ino:", "", $i); print $i } }'
}
# reload N: SIGHUP to A, until its log shows N reload outcomes in all.
reload() {
	kill -HUP "$(cat "$work/a.pid")"
	local i
	for i in $(seq 50); do
		[ "$(grep -c "configuration loaded\|reload failed" \
		    "$work/racoon-a.log")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

listen_conf "isakmp $A [500];"
article_daemons a b
sleep 1
ip netns exec "$a" ping -c 1 -W 4 $B >/dev/null
check "the connection comes up over $A" \
    ip netns exec "$a" ping -q -c 2 -W 2 $B >/dev/null
check "racoon A logs ISAKMP-SA established $A[500]-$B[500]" \
    grep -q "ISAKMP-SA established $A\[500\]-$B\[500\]" "$work/racoon-a.log"
i1=$(ino $A:500)
check "A listens on $A:500 only ($i1)" test -n "$i1" -a -z "$(ino $A2:500)"

echo "# SIGHUP adds $A2 (500 and NAT-T 4500)"
listen_conf "isakmp $A [500]; isakmp $A2 [500]; isakmp_natt $A2 [4500];"
check "reload 1 ends" reload 1
check "the reload succeeds" \
    test "$(grep -c "a.conf: configuration loaded" "$work/racoon-a.log")" = 1
check "$A2:500 is bound" test -n "$(ino $A2:500)"
check "$A2:4500 is bound" test -n "$(ino $A2:4500)"
check "racoon logs $A2[4500] used as isakmp port" \
    grep -q "$A2\[4500\] used as isakmp port" "$work/racoon-a.log"
check "$A:500 is the same socket" test "$(ino $A:500)" = "$i1"
# A datagram to the new address reaches racoon through the new socket
# (A's other one is bound to $A): too short for IKE, its drop is logged
# with the sender's port.
ip netns exec "$b" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[2], 5555))
s.sendto(b"short", (sys.argv[1], 500))' $A2 $B
check "a datagram to $A2:500 reaches racoon" wait_for "$work/racoon-a.log" \
    "$B\[5555\]: datagram of 5 bytes, shorter than an ISAKMP header" 30

echo "# SIGHUP drops $A2"
listen_conf "isakmp $A [500];"
check "reload 2 ends" reload 2
check "$A2:500 is closed" test -z "$(ino $A2:500)"
check "$A2:4500 is closed" test -z "$(ino $A2:4500)"
check "racoon logs $A2[500] no longer used" \
    grep -q "$A2\[500\] no longer used as isakmp port" "$work/racoon-a.log"
check "$A:500 is still the same socket" test "$(ino $A:500)" = "$i1"

echo "# SIGHUP naming an address A does not have"
listen_conf "isakmp $A [500]; isakmp $A2 [500]; isakmp $NOTA [500];"
check "reload 3 ends" reload 3
check "the bind failure is logged with the address" \
    grep -q "$NOTA\[500\]: cannot bind" "$work/racoon-a.log"
check "the reload fails, the previous configuration stays" \
    grep -q "reload failed (listen addresses), the previous configuration stays in use" \
    "$work/racoon-a.log"
check "$A2:500, bound on the way, is closed again" test -z "$(ino $A2:500)"
check "$A:500 is still the same socket" test "$(ino $A:500)" = "$i1"
check "racoon A still runs" kill -0 "$(cat "$work/a.pid")"

echo "# SIGHUP without isakmp lines: every address"
listen_conf ""
check "reload 4 ends" reload 4
check "0.0.0.0:500 is bound" test -n "$(ino 0.0.0.0:500)"
check "0.0.0.0:4500 is bound" test -n "$(ino 0.0.0.0:4500)"
check "$A:500 is closed" test -z "$(ino $A:500)"

echo "# SIGHUP naming $A twice: one socket"
listen_conf "isakmp $A [500]; isakmp $A [500];"
check "reload 5 ends" reload 5
check "the reload succeeds (the fourth of five)" test "$(grep -c \
    "a.conf: configuration loaded" "$work/racoon-a.log")" = 4
check "$A:500 is bound once" test "$(ino $A:500 | wc -l)" = 1
check "0.0.0.0:500 is closed" test -z "$(ino 0.0.0.0:500)"

check "traffic still flows" ip netns exec "$a" ping -q -c 2 -W 2 $B >/dev/null
check "one ISAKMP-SA all along" \
    test "$(grep -c "ISAKMP-SA established" "$work/racoon-a.log")" = 1
check "racoon A still runs at the end" kill -0 "$(cat "$work/a.pid")"
[ $fail = 0 ] || { tail -30 "$work/racoon-a.log"; ip netns exec "$a" ss -ulne; }
exit $fail
