#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The key log (racoon.conf `path keylog'): the article's two hosts, host
# A with a key log.  The negotiation and the pings that follow are
# captured on the wire; tshark, given the key log's lines as -o options,
# decrypts Main Mode's encrypted messages and Quick Mode, and the ESP
# packets down to the ICMP inside with their ICVs checked, and finds no
# malformed packet.  Without the option racoon writes no key log.  The
# same again with aes and hmac-sha256 (ipsecd's RFC 4868 ICV, as the key
# log names it), and with NAT-T forced (IKE on 4500, ESP in UDP); SIGHUP
# reopens a rotated key log; a key log that is a symbolic link is
# refused while racoon runs on.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
command -v tshark >/dev/null || { echo "tshark not installed"; exit 77; }
a=klA$$ b=klB$$
A=10.74.1.100 B=10.74.2.100
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
echo "path keylog \"$work/keys\";" >>"$work/a.conf"

check "racoon -t warns that the key log is on" sh -c \
    "'$racoon' -t -f '$work/a.conf' 2>&1 |
    grep -q 'keylog: phase 1 and ESP keys are written'"
check "racoon -C prints the key log" sh -c \
    "'$racoon' -C -f '$work/a.conf' | grep -qx 'path keylog \"$work/keys\";'"

# Every algorithm name keylog.c can write is one tshark's ESP SA table
# takes (it refuses a record with a name it does not know), IPv6 too.
names() {	# names TABLE: the Wireshark names of keylog.c's TABLE
	sed -n "/^static const struct keylog_name $1\[\] = {/,/^};/p" \
	    "${TEST_SRCDIR:-$TOP}/src/racoon/keylog.c" |
	    sed -n 's/.*, "\(.*\)" },$/\1/p'
}
rec() {		# rec FAMILY CIPHER INTEG: an ESP SA record
	printf 'uat:esp_sa:"%s","%s","%s","0x01020304","%s","0x","%s","0x"' \
	    "$1" "$([ "$1" = IPv4 ] && echo 192.0.2.1 || echo 2001:db8::1)" \
	    "$([ "$1" = IPv4 ] && echo 192.0.2.2 || echo 2001:db8::2)" "$2" "$3"
}
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack(
    "<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))' >"$work/empty.pcap"
o=()
while IFS= read -r n; do o+=(-o "$(rec IPv4 "$n" NULL)"); done \
    < <(names keylog_enc)
# The integrity names, and af_key's hmac-sha256 that keylog_sa() writes.
integ() {
	names keylog_auth
	sed -n 's/.*auth = "\(HMAC-SHA-256-96 [^"]*\)";/\1/p' \
	    "${TEST_SRCDIR:-$TOP}/src/racoon/keylog.c"
}
while IFS= read -r n; do o+=(-o "$(rec IPv6 NULL "$n")"); done < <(integ)
echo "algorithm names tried: $((${#o[@]} / 2))"
check "the names were found in keylog.c" test "${#o[@]}" -ge 40
tshark -n -r "$work/empty.pcap" "${o[@]}" 2>&1 |
    grep -v '^Running as user' >"$work/names.err"
[ -s "$work/names.err" ] && cat "$work/names.err"
check "tshark takes every name keylog.c writes" test ! -s "$work/names.err"

for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
ip netns exec "$a" "$setkey" -f "$work/a.setkey"
ip netns exec "$b" "$setkey" -f "$work/b.setkey"
ip netns exec "$b" tcpdump -U --immediate-mode -n -i vb \
    -w "$work/wire.pcap" 2>"$work/tcpdump.log" &
tpid=$!
pids="$pids $tpid"
for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$racoon" -F -f "$work/$n.conf" \
	    -l "$work/racoon-$n.log" &
	pids="$pids $!"
done
check "racoon A is up" wait_for "$work/a.pid" .
check "racoon B is up" wait_for "$work/b.pid" .
wait_for "$work/tcpdump.log" "listening on" 30

ip netns exec "$a" ping -c 1 -W 4 $B >/dev/null
check "ping A to B through the tunnel" \
    ip netns exec "$a" ping -q -c 3 -W 2 $B
sleep 0.5
kill "$tpid"
wait "$tpid" 2>/dev/null

check "racoon A warns that it writes keys" \
    grep -q "keylog $work/keys: writing every phase 1 and ESP key" \
    "$work/racoon-a.log"
check "the key log is mode 0600" \
    test "$(stat -c %a "$work/keys" 2>/dev/null)" = 600
check "the key log has the phase 1 key" \
    grep -Eq '^uat:ikev1_decryption_table:[0-9a-f]{16},[0-9a-f]{48}$' \
    "$work/keys"
esp='^uat:esp_sa:"IPv4","10\.74\.[12]\.100","10\.74\.[12]\.100",'
esp=$esp'"0x[0-9a-f]{8}","TripleDES-CBC \[RFC2451\]","0x[0-9a-f]{48}",'
esp=$esp'"HMAC-MD5-96 \[RFC2403\]","0x[0-9a-f]{32}"$'
check "the key log has both ESP SAs" \
    test "$(grep -Ec "$esp" "$work/keys")" = 2
check_not "racoon B, without the option, writes no key log" \
    grep -q keylog "$work/racoon-b.log"

# decrypts PCAP KEYS: tshark, given every line of KEYS as an -o option,
# decrypts the negotiation and the ESP in PCAP and finds nothing wrong.
decrypts() {
	local n l
	pcap=$1
	opts=(-o esp.enable_encryption_decode:TRUE
	    -o esp.enable_authentication_check:TRUE)
	while IFS= read -r l; do opts+=(-o "$l"); done <"$2"
	: >"$work/tshark.err"
	n=$(count isakmp)
	echo "ISAKMP messages captured: $n"
	check "the negotiation was captured (6 Main Mode + 3 Quick Mode)" \
	    test "$n" -ge 9
	# The ID payloads of Main Mode 5 and 6 and Quick Mode's nonces
	# only show once decrypted.
	n=$(count 'isakmp.exchangetype == 2 && isakmp.id.type == 1')
	echo "Main Mode messages with a decrypted IPv4 ID: $n"
	check "Main Mode messages 5 and 6 decrypted (IDs readable)" \
	    test "$n" -eq 2
	n=$(count 'isakmp.exchangetype == 32 && isakmp.nonce')
	echo "Quick Mode messages with a decrypted nonce: $n"
	check "Quick Mode messages 1 and 2 decrypted (nonces readable)" \
	    test "$n" -eq 2
	n=$(count 'esp && icmp')
	echo "ESP packets decrypted to ICMP: $n"
	check "ESP decrypted both ways to the pings inside" test "$n" -ge 6
	check "tshark checks every ESP ICV good" \
	    test "$(count 'esp.icv_good == 1')" = "$(count esp)"
	n=$(count '_ws.malformed || _ws.expert.severity == error')
	echo "malformed or erroneous packets: $n"
	check "no malformed packet" test "$n" = 0
	[ -s "$work/tshark.err" ] && cat "$work/tshark.err"
	check "tshark took every key log line" test ! -s "$work/tshark.err"
}
ts() {
	tshark -n -r "$pcap" "${opts[@]}" "$@" 2>&1 >/dev/null |
	    grep -v '^Running as user' >>"$work/tshark.err"
	tshark -n -r "$pcap" "${opts[@]}" "$@" 2>/dev/null
}
count() { ts -Y "$1" | wc -l; }

decrypts "$work/wire.pcap" "$work/keys"
[ $fail = 0 ] || { tail -5 "$work/racoon-a.log"; ts | head -30; }

echo "# rotated: SIGHUP opens the key log afresh"
mv "$work/keys" "$work/keys.1"
kill -HUP "$(cat "$work/a.pid")"
check "racoon A reloads" wait_for "$work/racoon-a.log" \
    "a.conf: configuration loaded" 50
check "and writes to a new key log" test -f "$work/keys" -a ! -s "$work/keys"
check "the rotated one keeps its keys" test -s "$work/keys.1"

echo "# aes and hmac-sha256 (RFC 4868's 128-bit ICV), PFS modp2048"
kill $(cat "$work/a.pid" "$work/b.pid")
wait_for_gone() {
	local i
	for i in $(seq 50); do [ -e "$1" ] || return 0; sleep 0.1; done
	return 1
}
check "both racoons stop" wait_for_gone "$work/a.pid" &&
    wait_for_gone "$work/b.pid"
lifetime_host $A $B a obey 3600 3600
lifetime_host $B $A b obey 3600 3600
echo "path keylog \"$work/keys2\";" >>"$work/a.conf"
wire_start "$b" vb "$work/wire2.pcap"
for n in a b; do
	ip netns exec "$(eval echo \$$n)" "$racoon" -F -f "$work/$n.conf" \
	    -l "$work/racoon2-$n.log" &
	pids="$pids $!"
done
check "racoon A is up again" wait_for "$work/a.pid" .
check "racoon B is up again" wait_for "$work/b.pid" .
ip netns exec "$a" ping -c 1 -W 4 $B >/dev/null
check "ping A to B through the new tunnel" \
    ip netns exec "$a" ping -q -c 3 -W 2 $B
wire_stop
check "the key log names aes-cbc and RFC 4868's hmac-sha256" test "$(grep \
    -c '"AES-CBC \[RFC3602\]",.*"HMAC-SHA-256-128 \[RFC4868\]"' \
    "$work/keys2")" = 2
decrypts "$work/wire2.pcap" "$work/keys2"

echo "# NAT-T forced: IKE on port 4500 and ESP in UDP"
kill $(cat "$work/a.pid" "$work/b.pid")
check "both racoons stop" wait_for_gone "$work/a.pid" &&
    wait_for_gone "$work/b.pid"
for n in a b; do
	sed -i 's/^\(\s*\)exchange_mode main;/&\n\1nat_traversal force;/' \
	    "$work/$n.conf"
done
sed -i "s|^path keylog .*|path keylog \"$work/keys3\";|" "$work/a.conf"
wire_start "$b" vb "$work/wire3.pcap"
for n in a b; do
	ip netns exec "$(eval echo \$$n)" "$racoon" -F -f "$work/$n.conf" \
	    -l "$work/racoon3-$n.log" &
	pids="$pids $!"
done
check "racoon A is up again" wait_for "$work/a.pid" .
check "racoon B is up again" wait_for "$work/b.pid" .
ip netns exec "$a" ping -c 1 -W 4 $B >/dev/null
check "ping A to B through ESP in UDP" \
    ip netns exec "$a" ping -q -c 3 -W 2 $B
wire_stop
check "the wire carries ESP in UDP 4500 only" test \
    "$(wire_count "$work/wire3.pcap" 'udp port 4500')" -ge 6 -a \
    "$(wire_count "$work/wire3.pcap" 'ip proto 50')" = 0
decrypts "$work/wire3.pcap" "$work/keys3"

echo "# a key log that is a symbolic link"
kill "$(cat "$work/a.pid")"
wait_for_gone "$work/a.pid"
ln -s "$work/elsewhere" "$work/keys-link"
sed -i "s|^path keylog .*|path keylog \"$work/keys-link\";|" "$work/a.conf"
ip netns exec "$a" "$racoon" -F -f "$work/a.conf" -l "$work/racoon3-a.log" &
pids="$pids $!"
check "racoon A runs all the same" wait_for "$work/a.pid" .
check "and says the key log was not opened" grep -q \
    "keylog $work/keys-link: not opened, keys are not logged" \
    "$work/racoon3-a.log"
check_not "nothing was written through the link" test -e "$work/elsewhere"
exit $fail
