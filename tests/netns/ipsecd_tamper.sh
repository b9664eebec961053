#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Tampered ESP is dropped and counted by reason (issue 7).  Host B runs
# ipsecd (the ASan build when there is one) with an inbound transport SA
# (NULL encryption, hmac-sha1, replay window 32) and `in' policies; host
# A has no ipsecd and sends ESP forged by tests/netns/esp_forge.py on a
# raw socket: a good packet is delivered and answered; its replay, a
# sequence number left of the window, a bad ICV, bad padding, a wrong
# next header, a bad length, a truncated header, one without ICV, an
# unknown SPI, and a good packet that the `in' policy does not accept
# (UDP must come through AH) are dropped, and each moves its own counter
# in the line SIGUSR1 logs.  A tunnel-mode packet for a subnet behind B is
# accepted under a `fwd' policy, and dropped when no policy covers it.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
[ -x "${ASAN_BUILD:-}/src/ipsecd/ipsecd" ] && ipsecd=$ASAN_BUILD/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
a=tamA$$ b=tamB$$
A=10.75.1.100 B=10.75.2.100
key=$(printf '%040d' 9)
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$a" "$b" va vb $A/16 $B/16 || exit 1
ASAN_OPTIONS=log_path=$work/asan:detect_leaks=1 \
    ip netns exec "$b" "$ipsecd" -F -d -d 2>"$work/ipsecd-b.log" &
bpid=$!
pids="$pids $bpid"
sleep 1
check "setkey loads B's SA and policies" ip netns exec "$b" "$setkey" -c <<CONF
add $A $B esp 0x901 -m transport -r 32 -E null -A hmac-sha1 0x$key;
add $A $B esp 0x902 -m tunnel -r 32 -E null -A hmac-sha1 0x$key;
spdadd 10.75.9.0/24 10.75.8.0/24 any -P fwd ipsec esp/tunnel/$A-$B/require;
spdadd $A $B udp -P in ipsec ah/transport//require;
spdadd $A $B any -P in ipsec esp/transport//require;
CONF
ip netns exec "$b" tcpdump -n -i vb -w "$work/wire.pcap" icmp 2>/dev/null &
tpid=$!
pids="$pids $tpid"
sleep 1

forge() {
	ip netns exec "$a" /usr/bin/python3 "$TOP/tests/netns/esp_forge.py" \
	    $A $B "$1" "$key" "$2" "$3"
}
# counter NAME VALUE: the latest SIGUSR1 line shows NAME=VALUE.
n=0
stats() {
	n=$((n + 1))
	kill -USR1 "$bpid"
	local i
	for i in $(seq 50); do
		[ "$(grep -c 'drops:' "$work/ipsecd-b.log")" -ge $n ] && break
		sleep 0.1
	done
	grep 'drops:' "$work/ipsecd-b.log" | tail -1 >"$work/counters"
}
counter() { grep -q " $1=$2\( \|$\)" "$work/counters"; }
# case DESCRIPTION SPI CASE SEQ COUNTER: the packet moves COUNTER to 1.
tamper() {
	forge "$2" "$3" "$4"
	sleep 0.3
	stats
	check "$1: counted as $5" counter "$5" 1
}

forge 0x901 good 1
sleep 0.5
stats
check "a good forged packet is delivered" grep -q "received 1," "$work/counters"
tamper "the same packet again" 0x901 good 1 replay
forge 0x901 good 100
forge 0x901 good 2
sleep 0.3
stats
check "sequence number left of the window: counted as replay" \
    counter replay 2
tamper "bad ICV" 0x901 badicv 101 bad-icv
tamper "pad length beyond the payload" 0x901 badpad 102 bad-padding
tamper "next header IPIP in a transport SA" 0x901 badnh 103 bad-next-header
tamper "payload not a multiple of 4" 0x901 badlen 104 bad-length
tamper "6 bytes of ESP" 0x901 short 105 truncated
forge 0x901 noicv 106
sleep 0.3
stats
check "no ICV: counted as truncated" counter truncated 2
tamper "unknown SPI" 0x999 good 107 unknown-spi
tamper "UDP without the AH its in policy requires" 0x901 udp 108 in-policy
check "two good packets were delivered" grep -q "received 2," "$work/counters"
forge 0x902 tunnel:10.75.9.1 1
sleep 0.3
stats
check "tunnel mode under a fwd policy is delivered" \
    grep -q "received 3," "$work/counters"
forge 0x902 tunnel:10.75.7.1 2
sleep 0.3
stats
check "tunnel mode that no policy covers: counted as in-policy" \
    counter in-policy 2
# Every counter but those above (and the TUN's own link-scope) is 0.
others_zero() {
	sed 's/ link-scope=[0-9]*//; s/ \(replay\|truncated\)=2//g
	    s/ \(bad-icv\|bad-padding\|bad-length\)=1//g
	    s/ \(bad-next-header\|unknown-spi\)=1//g; s/ in-policy=2//' \
	    "$work/counters" | grep -Eqv '=[1-9]'
}
check "no other counter moved" others_zero
sleep 0.5
kill "$tpid"; wait "$tpid" 2>/dev/null
check "B answered the two good echo requests, nothing else" test \
    "$(tcpdump -n -r "$work/wire.pcap" 'icmp[0] = 0' 2>/dev/null | wc -l)" = 2
kill "$bpid"
wait "$bpid"
check "ipsecd exits cleanly" test $? = 0
check "nothing for ASan to report" test -z "$(cat "$work"/asan* 2>/dev/null)"
[ $fail = 0 ] || { cat "$work/counters"; tail -30 "$work/ipsecd-b.log"; }
exit $fail
