#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The article's automatically keyed connection (shared/seed/README.md):
# on each of two hosts ipsecd, the setkey policy script (ESP transport,
# require) and racoon with the article's racoon.conf (3des/md5/modp1024,
# pfs_group 768) and psk.txt.  The first ping from A makes ipsecd send
# ACQUIRE, racoon negotiates and installs the SAs, and ping flows; the
# wire shows ISAKMP, then ESP only; racoon's log has the lines users grep
# for.  Then SIGHUP with a broken and with a good racoon.conf, and
# SIGTERM: racoon deletes what it negotiated, and leaves a manual SA.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=raA$$ b=raB$$
A=10.73.1.100 B=10.73.2.100
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
article_host $B $A b

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
# A manual SA racoon must leave alone on shutdown.
ip netns exec "$a" "$setkey" -c >/dev/null <<CONF
add 10.73.9.9 $A esp 0x777 -E 3des-cbc 0x7aeaca3f87d060a12f4a4487d5a5c3355920fae69a96c831;
CONF
ip netns exec "$a" "$racoon" -F -f "$work/a.conf" -l "$work/racoon-a.log" &
pids="$pids $!"
check "racoon A writes its pidfile" wait_for "$work/a.pid" .
# B as a daemon: the command returns once racoon runs, with status 0.
check "racoon B starts in the background" \
    ip netns exec "$b" "$racoon" -f "$work/b.conf" -l "$work/racoon-b.log"
check "racoon B writes its pidfile" test -s "$work/b.pid"
pids="$pids $(cat "$work/b.pid" 2>/dev/null)"
check "racoon B runs" kill -0 "$(cat "$work/b.pid")"
ip netns exec "$b" tcpdump -n -i vb -w "$work/wire.pcap" 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1

# The first ping brings the tunnel up.  ipsecd without ACQUIRE queueing
# drops the packet that triggered the ACQUIRE (its log says so); then
# that one ping may be lost, and no other.
if ip netns exec "$a" ping -c 1 -W 4 $B >"$work/ping1.out"; then
	echo "ok the first ping from A gets its answer"
elif grep -q "no SA yet (ACQUIRE sent)" "$work/ipsecd-a.log"; then
	echo "ok the first ping from A was dropped by ipsecd (no ACQUIRE queueing)"
else
	echo "FAIL the first ping from A got no answer"
	fail=1
fi
check "ping A to B keeps flowing" ip netns exec "$a" ping -q -c 3 -W 2 $B
check "ping B to A" ip netns exec "$b" ping -q -c 3 -W 2 $A
for l in "IPsec-SA request for $B queued due to no phase1 found" \
    "initiate new phase 1 negotiation: $A\[500\]<=>$B\[500\]" \
    "ISAKMP-SA established $A\[500\]-$B\[500\]" \
    "initiate new phase 2 negotiation" \
    "IPsec-SA established: ESP/Transport $A\[0\]->$B\[0\] spi=[0-9]*(0x[0-9a-f]*)" \
    "IPsec-SA established: ESP/Transport $B\[0\]->$A\[0\] spi=[0-9]*(0x[0-9a-f]*)"; do
	check "racoon A logs: $l" grep -q "INFO: .*$l" "$work/racoon-a.log"
done
check "racoon B logs: respond new phase 1 negotiation" \
    grep -q "respond new phase 1 negotiation" "$work/racoon-b.log"
# B initiates nothing: an ACQUIRE that crossed its own ADD is answered
# by that ADD, not by a second negotiation.
check "racoon B initiates no negotiation of its own" \
    test "$(grep -c "initiate new phase" "$work/racoon-b.log")" = 0
nb=$(grep -c "IPsec-SA established: ESP/Transport" "$work/racoon-b.log")
check "racoon B logs: IPsec-SA established, twice ($nb)" test "$nb" = 2
ip netns exec "$a" "$setkey" -D >"$work/a.D"
check "setkey -D on A: two mature ESP SAs from racoon" \
    test "$(grep -c 'esp mode=transport.*reqid' "$work/a.D")" -ge 2
check "setkey -D on A: lifetimes hard 28800, soft 23040 (80%)" \
    grep -q "hard: 28800(s).*soft: 23040(s)" "$work/a.D"

# SIGHUP: a broken racoon.conf leaves the old one in use.
cp "$work/a.conf" "$work/a.conf.good"
echo "remote $B { lifetme time 1 hour; }" >>"$work/a.conf"
kill -HUP "$(cat "$work/a.pid")"
check "SIGHUP with a broken racoon.conf: the error is logged" \
    wait_for "$work/racoon-a.log" "reload failed, the previous configuration stays in use"
check "racoon A still runs after a failed reload" kill -0 "$(cat "$work/a.pid")"
check "ping still flows" ip netns exec "$a" ping -q -c 2 -W 2 $B
cp "$work/a.conf.good" "$work/a.conf"
kill -HUP "$(cat "$work/a.pid")"
check "SIGHUP with a good racoon.conf: loaded" \
    wait_for "$work/racoon-a.log" "a.conf: configuration loaded"

# SIGTERM: DELETEs to the peer, racoon's SAs out of the kernel, the
# manual one stays, the pidfile goes.
apid=$(cat "$work/a.pid")
kill -TERM "$apid"
check "racoon A exits on SIGTERM" wait_for "$work/racoon-a.log" "racoon stopped"
spis=$(sed -n 's/.*IPsec-SA established: .* spi=\([0-9]*\)(.*/\1/p' \
    "$work/racoon-a.log")
# gone NS FILE: within 2 s, setkey -D in NS (kept in FILE) shows none
# of racoon's SPIs (ipsecd reads racoon's DELETEs and setkey's DUMP on
# two sockets, in either order).
gone() {
	local s i
	[ -n "$spis" ] || return 1
	for i in $(seq 20); do
		ip netns exec "$1" "$setkey" -D >"$2"
		for s in $spis; do
			grep -q "spi=$s(" "$2" && break
			s=
		done
		[ -z "$s" ] && return 0
		sleep 0.1
	done
	return 1
}
check "SIGTERM: racoon's SAs are gone from A" gone "$a" "$work/a.D2"
check "SIGTERM: the manual SA stays" grep -q "spi=1911(0x00000777)" "$work/a.D2"
check "SIGTERM: the pidfile is removed" test ! -e "$work/a.pid"
check "the peer obeys the DELETE of the IPsec-SAs" \
    wait_for "$work/racoon-b.log" "purged IPsec-SA proto_id=ESP spi="
check "the peer obeys the DELETE of the ISAKMP-SA" \
    wait_for "$work/racoon-b.log" "ISAKMP-SA deleted"
check "the peer's kernel holds none of those SAs any more" \
    gone "$b" "$work/b.D2"

sleep 0.5
kill "$tpid"; wait "$tpid" 2>/dev/null
tcpdump -n -r "$work/wire.pcap" 2>/dev/null >"$work/wire.txt"
check "wire: ISAKMP on port 500" grep -q "$A.500 > $B.500: isakmp" "$work/wire.txt"
check "wire: ESP both ways" grep -q "$B > $A: ESP(spi=" "$work/wire.txt"
check "wire: no ICMP in the clear" \
    test "$(tcpdump -n -r "$work/wire.pcap" icmp 2>/dev/null | wc -l)" = 0
first_esp=$(grep -n "ESP(spi=" "$work/wire.txt" | head -1 | cut -d: -f1)
last_ike=$(grep -n "isakmp: phase 2/others" "$work/wire.txt" | head -1 | cut -d: -f1)
check "wire: ISAKMP first, then ESP" test "${first_esp:-0}" -gt "${last_ike:-999999}"
[ $fail = 0 ] || { echo "spis: $spis"; cat "$work/a.D2"; tail -30 "$work/racoon-a.log"; tail -30 "$work/racoon-b.log"; }
exit $fail
