#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Byte lifetimes under traffic (issue 7): host A's outbound ESP SA has a
# soft limit of 3000 and a hard one of 6000 bytes (setkey -bs/-bh).
# Pings of 500 bytes make ipsecd send a soft EXPIRE (SA dying, still
# used) after the sixth, then a hard EXPIRE (SA dead) and remove the SA;
# setkey -x sees both, in that order, and the packets after it are held
# for an ACQUIRE instead of being sent.  Then the same with packets: an
# SA added by pfkeyc with soft 3 and hard 6 allocations.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
pfkeyc=$BUILD/tests/tools/pfkeyc
a=lifA$$ b=lifB$$
A=10.76.1.100 B=10.76.2.100
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
# conf SELF PEER LIMITS: both SAs, A->B with LIMITS, and the policies.
conf() {
	cat <<CONF
flush;
spdflush;
add $A $B esp 0xa01 -m transport $3 -E aes-cbc $ka -A hmac-sha1 0x$(printf '%040d' 1);
add $B $A esp 0xb01 -m transport -E aes-cbc $kb -A hmac-sha1 0x$(printf '%040d' 2);
spdadd $1 $2 any -P out ipsec esp/transport//require;
spdadd $2 $1 any -P in ipsec esp/transport//require;
CONF
}
conf $A $B "-bs 3000 -bh 6000" >"$work/a.conf"
conf $B $A "" >"$work/b.conf"
# -a 2: the larval SA of the ACQUIRE below goes before the second part.
ip netns exec "$a" "$ipsecd" -F -d -a 2 2>"$work/ipsecd-a.log" &
pids="$pids $!"
ip netns exec "$b" "$ipsecd" -F 2>"$work/ipsecd-b.log" &
pids="$pids $!"
sleep 1
check "setkey loads A's SAs with byte limits" \
    ip netns exec "$a" "$setkey" -f "$work/a.conf"
check "setkey loads B's SAs" ip netns exec "$b" "$setkey" -f "$work/b.conf"
ip netns exec "$a" "$setkey" -x >"$work/x.log" 2>&1 &
pids="$pids $!"
sleep 0.5

# 472 bytes of ICMP data make 500-byte IPv4 packets.
ip netns exec "$a" ping -n -c 16 -i 0.2 -W 1 -s 472 $B >"$work/ping.out" 2>&1
# setkey -x: SADB_EXPIRE is type 8; sadb_sa's state 2 is dying, 3 dead.
exp='sadb_msg{ version=2 type=8 '
grep -A4 "$exp" "$work/x.log" | grep -o 'spi=2561 replay=[0-9]* state=[0-9]' \
    >"$work/expires"
check "a soft EXPIRE (state dying) for spi 0xa01" \
    grep -q 'state=2' "$work/expires"
check "then a hard EXPIRE (state dead)" \
    test "$(sed -n 2p "$work/expires" | grep -o 'state=[0-9]')" = state=3
check "one of each" test "$(wc -l <"$work/expires")" = 2
check "the soft EXPIRE carries the soft byte limit" \
    sh -c "grep -A20 '$exp' $work/x.log | grep -q 'bytes=3000'"
check "the hard EXPIRE carries the hard byte limit" \
    sh -c "grep -A20 '$exp' $work/x.log | grep -q 'bytes=6000'"
check "the SA is gone" \
    sh -c "! ip netns exec $a $setkey -D | grep -q 'spi=2561(0x00000a01)'"
# 6000 / 500: the 12th packet reaches the hard limit and is not sent.
rx=$(grep -o '[0-9]* received' "$work/ping.out" | cut -d' ' -f1)
check "11 echo requests went out before the hard limit ($rx answered)" \
    test "${rx:-0}" = 11
check "what came after waits for an ACQUIRE" \
    grep -q "IPsec-SA request 1 sent" "$work/ipsecd-a.log"

# Allocations: soft after the 3rd packet, hard at the 6th.
sleep 2.5
check "pfkeyc adds an SA with allocation limits 3 and 6" \
    sh -c "ip netns exec $a $pfkeyc >$work/add.out 2>&1 <<PF
add esp 0xa02 $A $B enc aes-cbc $ka auth hmac-sha1 0x$(printf '%040d' 1) mode transport lifealloc 3 6
PF"
check "B gets the same SA without limits" ip netns exec "$b" "$setkey" -c <<CONF
add $A $B esp 0xa02 -m transport -E aes-cbc $ka -A hmac-sha1 0x$(printf '%040d' 1);
CONF
ip netns exec "$a" ping -n -c 8 -i 0.2 -W 1 $B >"$work/ping2.out" 2>&1
grep -A4 "$exp" "$work/x.log" | grep -o 'spi=2562 replay=[0-9]* state=[0-9]' \
    >"$work/expires2"
check "allocations: a soft EXPIRE, then a hard one" test \
    "$(grep -o 'state=[0-9]' "$work/expires2" | tr '\n' ' ')" = "state=2 state=3 "
check "allocations: the EXPIREs carry the limits" \
    sh -c "grep -A20 '$exp' $work/x.log | grep -q 'alloc=3,' &&
    grep -A20 '$exp' $work/x.log | grep -q 'alloc=6,'"
rx=$(grep -o '[0-9]* received' "$work/ping2.out" | cut -d' ' -f1)
check "5 echo requests went out before the 6th allocation ($rx answered)" \
    test "${rx:-0}" = 5
[ $fail = 0 ] || { cat "$work/expires" "$work/ping.out" "$work/add.out" "$work/expires2" "$work/ping2.out"; tail -20 "$work/ipsecd-a.log"; }
exit $fail
