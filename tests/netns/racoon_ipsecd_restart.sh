#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd restarts under a live tunnel (ARCHITECTURE.md, Restarts).  The
# article's two hosts, each with ipsecd, its policies in
# ipsec-tools.conf and a manual SA in ipsec-tools.d/, loaded by
# setkey.service's own ExecStart, and racoon.  Once the tunnel carries
# pings, ipsecd on A goes through what `systemctl restart ipsecd' does:
# setkey.service's ExecStop, ipsecd stops, starts, setkey.service's
# ExecStart again; every program runs with its unit's capabilities only.
# racoon A tells B the flushed SAs are gone, notices the closed socket,
# reconnects, registers and reads the SPD again; the next ping makes
# ipsecd ACQUIRE and racoon negotiates new SAs over the phase 1 SA it
# kept.  Then the same on B, the responder: racoon B sends A a DELETE
# for the SAs its ipsecd lost, and A's next packet brings the tunnel
# back.  Neither racoon restarts.  Last, setkey.service restarts on A,
# flushing the SAD under racoon, which tells B so that B's next packet
# renegotiates.
set -u
. "$(dirname "$0")/lib.sh"
setkey=${BUILD:?}/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=irA$$ b=irB$$
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
article_host $A $B a
article_host $B $A b
for n in a b; do
	mkdir -p "$work/etc-$n/ipsec-tools.d"
	cp "$work/$n.setkey" "$work/etc-$n/ipsec-tools.conf"
	unit_file setkey "$work/etc-$n"
	mv "$work/setkey.service" "$work/setkey-$n.service"
done
unit_file ipsecd "$work"
# A manual SA that only the ipsec-tools.d file gives.
echo "add 10.75.9.9 $A esp 0x777 -E 3des-cbc \
0x7aeaca3f87d060a12f4a4487d5a5c3355920fae69a96c831;" \
    >"$work/etc-a/ipsec-tools.d/manual.conf"

# ipsecd_start N: ipsecd.service's condition and command in host N's
# namespace, with the unit's capabilities (a log per start), then the
# policy unit.
ipsecd_start() {
	local ns log
	ns=$(eval echo \$$1)
	log=$(mktemp "$work/ipsecd-$1.XXXX")
	unit_exec "$ns" "$work/ipsecd.service" ExecCondition >/dev/null ||
	    return 1
	ip netns exec "$ns" $(unit_priv "$work/ipsecd.service") \
	    $(sed -n 's/^ExecStart=//p' "$work/ipsecd.service") 2>"$log" &
	eval "ipsecd_$1=$!"
	pids="$pids $!"
	wait_for "$log" "ipsecd started" 50 &&
	    unit_exec "$ns" "$work/setkey-$1.service" ExecStart
}
# ipsecd_restart N: as systemctl restart ipsecd with setkey.service
# PartOf it: the policy unit stops (flushes), ipsecd stops and starts,
# the policy unit starts.
ipsecd_restart() {
	local ns pid
	ns=$(eval echo \$$1)
	pid=$(eval echo \$ipsecd_$1)
	unit_exec "$ns" "$work/setkey-$1.service" ExecStop
	kill "$pid"
	wait "$pid" 2>/dev/null
	ipsecd_start "$1"
}
spd_count() {
	ip netns exec "$(eval echo \$$1)" "$setkey" -DP |
	    grep -cE '^\s(in|out) .*ipsec$'
}

check "ipsecd A and its policy unit start" ipsecd_start a
check "ipsecd B and its policy unit start" ipsecd_start b
check "the unit loaded A's policies from ipsec-tools.conf" \
    test "$(spd_count a)" = 2
check "the unit loaded the manual SA from ipsec-tools.d" sh -c \
    "ip netns exec $a '$setkey' -D | grep -q 'spi=1911(0x00000777)'"
for n in a b; do
	ip netns exec "$(eval echo \$$n)" "$racoon" -F -f "$work/$n.conf" \
	    -l "$work/racoon-$n.log" &
	pids="$pids $!"
done
check "racoon A is up" wait_for "$work/a.pid" .
check "racoon B is up" wait_for "$work/b.pid" .

ip netns exec "$a" ping -c 1 -W 4 $B >/dev/null
check "the tunnel carries pings A to B" \
    ip netns exec "$a" ping -q -c 2 -W 2 $B

# ipsecd A restarts under the live tunnel.
check "ipsecd A restarts, its policy unit runs again" ipsecd_restart a
check "racoon A saw ipsecd go" wait_for "$work/racoon-a.log" \
    "PF_KEY: .* closed the connection" 30
check "racoon A reconnected and read the SPD again" \
    wait_for "$work/racoon-a.log" "PF_KEY: reconnected; policies read again" 50
check "A's policies are back" test "$(spd_count a)" = 2
check "setkey.service's ExecReload loads the files again" \
    unit_exec "$a" "$work/setkey-a.service" ExecReload
check "A's policies are still there" test "$(spd_count a)" = 2
check "the manual SA is back" sh -c \
    "ip netns exec $a '$setkey' -D | grep -q 'spi=1911(0x00000777)'"
check "the restarted ipsecd A has no negotiated SA yet" test \
    "$(ip netns exec "$a" "$setkey" -D | grep -c "^$A $B")" = 0
n=$(grep -c "ISAKMP-SA established" "$work/racoon-a.log")
ip netns exec "$a" ping -c 1 -W 4 $B >/dev/null
check "pings A to B flow again" ip netns exec "$a" ping -q -c 3 -W 2 $B
check "pings B to A flow again" ip netns exec "$b" ping -q -c 3 -W 2 $A
check "new SAs, negotiated on the phase 1 SA racoon kept" test \
    "$(grep -c "ISAKMP-SA established" "$work/racoon-a.log")" = "$n"
check "A holds a new SA pair" test \
    "$(ip netns exec "$a" "$setkey" -D | grep -c "^$A $B\|^$B $A")" = 2
spi=$(sed -n "s/.*IPsec-SA established: ESP\/Transport $A\[0\]->$B\[0\] \
spi=\([0-9]*\)(.*/\1/p" "$work/racoon-a.log" | tail -n 1)
check "B holds the new SA that A sends with" sh -c \
    "ip netns exec $b '$setkey' -D | grep -q 'spi=$spi('"

# ipsecd B, the responder, restarts.  racoon B tells A that the SAs are
# gone, so that A's next packet asks for new ones: A pings first.
check "ipsecd B restarts, its policy unit runs again" ipsecd_restart b
# setkey.service's ExecStop flushed them first, or ipsecd took them.
check "racoon B deletes the lost SAs at its peer" wait_for \
    "$work/racoon-b.log" \
    "IPsec-SA \(flushed from the kernel\|lost with the kernel interface\)" 30
check "racoon A obeys the DELETE" wait_for "$work/racoon-a.log" \
    "purged IPsec-SA proto_id=ESP" 30
check "racoon B reconnected and read the SPD again" \
    wait_for "$work/racoon-b.log" "PF_KEY: reconnected; policies read again" 50
ip netns exec "$a" ping -c 1 -W 4 $B >/dev/null
check "pings A to B flow again" ip netns exec "$a" ping -q -c 3 -W 2 $B
check "pings B to A flow again" ip netns exec "$b" ping -q -c 3 -W 2 $A
# systemctl restart setkey on A: its ExecStop flushes the SAD and SPD
# under racoon, its ExecStart loads the policies again.  racoon A tells
# B, so B's next packet (B pings first) brings new SAs.
setkey_restart() {
	unit_exec "$a" "$work/setkey-a.service" ExecStop &&
	    unit_exec "$a" "$work/setkey-a.service" ExecStart
}
check "setkey.service restarts on A (flush, load)" setkey_restart
check "racoon A deletes the flushed SAs at its peer" wait_for \
    "$work/racoon-a.log" "IPsec-SA flushed from the kernel" 30
ip netns exec "$b" ping -c 1 -W 4 $A >/dev/null
check "pings B to A flow again" ip netns exec "$b" ping -q -c 3 -W 2 $A
check "both racoons still run" kill -0 $(cat "$work/a.pid" "$work/b.pid")
check_not "no racoon error" grep -q "ERROR:" "$work/racoon-a.log" \
    "$work/racoon-b.log"
[ $fail = 0 ] || tail -n 20 "$work/racoon-a.log" "$work/racoon-b.log"
exit $fail
