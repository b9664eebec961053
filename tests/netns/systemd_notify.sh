#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Type=notify as systemd sees it: ipsecd.service and racoon.service run
# their daemons in the foreground with NOTIFY_SOCKET set, and wait for
# READY=1.  Here a datagram socket stands in for systemd's: ipsecd says
# READY=1 once its PF_KEY socket listens (setkey reaches it at once);
# racoon says READY=1 only after its IKE sockets are bound, RELOADING=1
# then READY=1 around a SIGHUP, STOPPING=1 at SIGTERM.  A racoon that
# cannot start never says READY=1.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
listen="/usr/bin/python3 ${TEST_SRCDIR:-$TOP}/tests/netns/notify_listen.py"
grep -q '^#define HAVE_LIBSYSTEMD 1' "$BUILD/config.h" ||
    { echo "built without libsystemd (no sd_notify)"; exit 77; }
a=snA$$ b=snB$$
A=10.77.1.100 B=10.77.2.100
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
article_host $A $B a

# notified NAME: systemd's socket for NAME, listened to for 20 seconds.
notified() {
	$listen "$work/$1.sock" 20 >"$work/$1.notify" &
	pids="$pids $!"
	wait_for_sock "$work/$1.sock"
}
wait_for_sock() {
	local i
	for i in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done
	return 1
}

notified ipsecd
NOTIFY_SOCKET=$work/ipsecd.sock ip netns exec "$a" "$ipsecd" -F \
    2>"$work/ipsecd.log" &
pids="$pids $!"
check "ipsecd says READY=1" wait_for "$work/ipsecd.notify" "^READY=1$" 50
check "setkey reaches ipsecd as soon as it is ready" \
    ip netns exec "$a" "$setkey" -f "$work/a.setkey"

notified racoon
NOTIFY_SOCKET=$work/racoon.sock ip netns exec "$a" "$racoon" -F \
    -f "$work/a.conf" -l "$work/racoon.log" &
rpid=$!
pids="$pids $rpid"
check "racoon says READY=1" wait_for "$work/racoon.notify" "^READY=1$" 50
check "after its IKE sockets are bound" \
    grep -q "0.0.0.0\[500\] used as isakmp port" "$work/racoon.log"
kill -HUP "$rpid"
check "SIGHUP: RELOADING=1" wait_for "$work/racoon.notify" "^RELOADING=1$" 50
check "then READY=1 again" \
    wait_for "$work/racoon.notify" "^READY=1$" 50
check "in that order" test "$(grep -c . "$work/racoon.notify")" = 3 \
    -a "$(sed -n 2p "$work/racoon.notify")" = RELOADING=1
kill "$rpid"
check "SIGTERM: STOPPING=1" wait_for "$work/racoon.notify" "^STOPPING=1$" 50
wait "$rpid" 2>/dev/null

# A racoon whose port is taken cannot start: no READY=1.
notified racoon2
ip netns exec "$a" python3 -c 'import socket,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.bind(("0.0.0.0",500)); time.sleep(10)' &
pids="$pids $!"
sleep 0.5
NOTIFY_SOCKET=$work/racoon2.sock ip netns exec "$a" "$racoon" -F \
    -f "$work/a.conf" -l "$work/racoon2.log"
check "a racoon that cannot bind port 500 exits 1" test $? = 1
sleep 0.3
check_not "and never says READY=1" grep -q READY "$work/racoon2.notify"
exit $fail
