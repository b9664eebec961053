#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd's ACQUIRE (issue 7): host A has ESP transport policies to B but
# no SAs.  A ping makes ipsecd send SADB_ACQUIRE (seen with setkey -x)
# with the policy extension and a proposal, and hold the echo request; a
# second ping while it waits makes no second ACQUIRE; the SAs are then
# added with setkey and the held packet is delivered (ping answered).
# A failure ACQUIRE (pfkeyc, sadb_msg_errno) drops what is held and no
# new ACQUIRE goes out for the larval lifetime (-a 6); after it one does,
# and unanswered its held packet goes when the larval SA times out.  The
# counters (SIGUSR1) show each drop by its reason.  Last, a bundle (ESP
# then AH): the held packet makes one ACQUIRE for ESP; once the ESP SA is
# there it asks for AH, and is delivered when that SA comes.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
pfkeyc=$BUILD/tests/tools/pfkeyc
a=acqA$$ b=acqB$$
A=10.72.1.100 B=10.72.2.100
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
ka=0x00112233445566778899aabbccddeeff
kb=0xffeeddccbbaa99887766554433221100
sas() {
	cat <<CONF
add $A $B esp 0x501 -m transport -E aes-cbc $ka -A hmac-sha1 0x$(printf '%040d' 1);
add $B $A esp 0x601 -m transport -E aes-cbc $kb -A hmac-sha1 0x$(printf '%040d' 2);
CONF
}
pols() {
	cat <<CONF
spdadd $1 $2 any -P out ipsec esp/transport//require;
spdadd $2 $1 any -P in ipsec esp/transport//require;
CONF
}
{ echo "flush; spdflush;"; pols $A $B; } >"$work/a.conf"
{ echo "flush; spdflush;"; sas; pols $B $A; } >"$work/b.conf"
sas >"$work/a-sas.conf"
ip netns exec "$a" "$ipsecd" -F -d -d -a 6 2>"$work/ipsecd-a.log" &
ipid=$!
pids="$pids $ipid"
ip netns exec "$b" "$ipsecd" -F 2>"$work/ipsecd-b.log" &
pids="$pids $!"
sleep 1
check "setkey loads A's policies" ip netns exec "$a" "$setkey" -f "$work/a.conf"
check "setkey loads B's SAs and policies" ip netns exec "$b" "$setkey" -f "$work/b.conf"
ip netns exec "$a" "$setkey" -x >"$work/x.log" 2>&1 &
pids="$pids $!"
sleep 0.5
# setkey -x prints message types as numbers: SADB_ACQUIRE is 6; ipsecd's
# have pid 0 (the failure ACQUIRE a client sends is echoed too).
acq='sadb_msg{ version=2 type=6 '
nacq() { grep -A1 "$acq" "$work/x.log" | grep -c ' pid=0$'; }

# 1. ACQUIRE, held packet, SAs added, held packet delivered.
ip netns exec "$a" ping -n -c 1 -W 8 $B >"$work/ping1.out" 2>&1 &
ping1=$!
check "ping makes ipsecd send ACQUIRE" wait_for "$work/x.log" "$acq"
sleep 0.5
ip netns exec "$a" ping -n -c 1 -W 1 $B >/dev/null 2>&1 &
ping2=$!
wait "$ping2"
check "a second packet while it waits makes no second ACQUIRE" \
    test "$(nacq)" = 1
check "ACQUIRE has the out policy, B's address and a proposal (13)" \
    sh -c "grep -A16 '$acq' $work/x.log | grep -q 'sadb_x_policy{ type=2 dir=2' &&
    grep -A16 '$acq' $work/x.log | grep -q 'type=13 }' &&
    grep -A16 '$acq' $work/x.log | grep -q '0a480264'"
check "setkey adds A's SAs" ip netns exec "$a" "$setkey" -f "$work/a-sas.conf"
wait "$ping1"
check "the held echo request is delivered and answered" \
    grep -q "1 received" "$work/ping1.out"

# 2. A failure ACQUIRE drops the held packet; none again for 6 s.
ip netns exec "$a" "$setkey" -F
n0=$(nacq)
ip netns exec "$a" ping -n -c 1 -W 4 $B >"$work/ping3.out" 2>&1 &
ping3=$!
after() { test "$(nacq)" -ge $((n0 + $1)); }
retry() { local i; for i in $(seq 50); do "$@" && return 0; sleep 0.1; done; return 1; }
check "after the SAs went, a ping makes a new ACQUIRE" retry after 1
seq=$(grep -A1 "$acq" "$work/x.log" | grep ' pid=0$' | tail -1 |
    grep -o 'seq=[0-9]*' |
    cut -d= -f2)
check "user space says the negotiation failed (seq $seq)" \
    sh -c "echo 'acquire $seq ETIMEDOUT => none' | ip netns exec $a $pfkeyc -t 1 >$work/fail.out 2>&1"
ip netns exec "$a" ping -n -c 1 -W 1 $B >/dev/null 2>&1
wait "$ping3"
check_not "the held echo request is not delivered" \
    grep -q "1 received" "$work/ping3.out"
check "no new ACQUIRE during the larval lifetime after a failure" \
    test "$(nacq)" = $((n0 + 1))

# 3. After the larval lifetime a new ACQUIRE; unanswered, it times out.
sleep 5
ip netns exec "$a" ping -n -c 1 -W 1 $B >/dev/null 2>&1
check "after the larval lifetime a new ACQUIRE goes out" retry after 2
sleep 7
kill -USR1 "$ipid"
check "counters are logged on SIGUSR1" wait_for "$work/ipsecd-a.log" "drops:"
grep "drops:" "$work/ipsecd-a.log" | tail -1 >"$work/counters"
check "the failure ACQUIRE's drops are counted (2)" \
    grep -q " acquire-failed=2 " "$work/counters"
check "the timed-out larval SA's held packet is counted" \
    grep -q " acquire-timeout=1 " "$work/counters"
check "nothing is held any more" grep -q "held 0;" "$work/counters"

# 4. A bundle: esp then ah, each SA added on its own.
bundle() {
	cat <<CONF
spdflush;
spdadd $1 $2 any -P out ipsec esp/transport//require ah/transport//require;
spdadd $2 $1 any -P in ipsec esp/transport//require ah/transport//require;
CONF
}
ahsas() {
	cat <<CONF
add $A $B ah 0x502 -m transport -A hmac-sha1 0x$(printf '%040d' 3);
add $B $A ah 0x602 -m transport -A hmac-sha1 0x$(printf '%040d' 4);
CONF
}
ahsas >"$work/ah-sas.conf"
# The SA type of ipsecd's latest ACQUIRE: 2 is AH, 3 ESP.
lastsatype() {
	grep -A1 "$acq" "$work/x.log" | grep -B1 ' pid=0$' | tail -2 |
	    grep -o 'satype=[0-9]*'
}
{ bundle $B $A; ahsas; } | ip netns exec "$b" "$setkey" -c
{ echo "flush;"; bundle $A $B; } | ip netns exec "$a" "$setkey" -c
n0=$(nacq)
ip netns exec "$a" ping -n -c 1 -W 8 $B >"$work/ping4.out" 2>&1 &
ping4=$!
check "bundle: one ACQUIRE" retry after 1
check "bundle: it is for ESP" test "$(lastsatype)" = satype=3
sleep 0.5
check "bundle: setkey adds the ESP SAs" ip netns exec "$a" "$setkey" -f "$work/a-sas.conf"
check "bundle: the held packet asks for AH next" retry after 2
check "bundle: the second ACQUIRE is for AH" test "$(lastsatype)" = satype=2
check "bundle: setkey adds the AH SAs" \
    ip netns exec "$a" "$setkey" -f "$work/ah-sas.conf"
wait "$ping4"
check "bundle: the held echo request is delivered and answered" \
    grep -q "1 received" "$work/ping4.out"
[ $fail = 0 ] || { cat "$work/x.log" "$work/counters"; tail -30 "$work/ipsecd-a.log"; }
exit $fail
