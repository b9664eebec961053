#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ipsecd's PF_KEY messages through tests/tools/pfkeyc in one namespace:
# every message type with its answer or errno, and af_key's broadcast
# rules seen by three other sockets at once: a registered one (R), a
# plain one (P) and a promiscuous one (W).  A client that goes keeps its
# SAs and loses its registrations.
set -u
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
pfkeyc=$BUILD/tests/tools/pfkeyc
ns=pfkmsg$$
dir=$(mktemp -d)
fail=0
cleanup() {
	for p in ${pids:-}; do kill "$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
pids=""
check() {
	if "${@:2}"; then echo "ok $1"; else echo "FAIL $1"; fail=1; fi
}
has() { grep -q -- "$2" "$dir/$1"; }
hasnt() { ! grep -q -- "$2" "$dir/$1"; }
count() { [ "$(grep -c -- "$2" "$dir/$1")" -eq "$3" ]; }
run() {	# run NAME: the script on stdin through pfkeyc in the namespace
	ip netns exec "$ns" "$pfkeyc" -t 3 >"$dir/$1" 2>&1
}

ip netns add "$ns" || exit 1
ip netns exec "$ns" "$ipsecd" -F -d >"$dir/ipsecd.log" 2>&1 &
ipid=$!
pids="$pids $ipid"
for _ in $(seq 50); do
	echo "spdflush" | run probe && break
	sleep 0.1
done

# The three watchers connect first, one after the other (P must be there
# to see W's X_PROMISC), and listen while M works.
watcher() {	# watcher NAME SCRIPT
	printf "$2" | ip netns exec "$ns" "$pfkeyc" >"$dir/$1" 2>&1 &
	pids="$pids $!"
	for _ in $(seq 50); do has "$1" '> listen' && return; sleep 0.1; done
}
watcher P 'listen 5\n'
watcher R 'register esp\nlisten 5\n'
watcher W 'promisc 1\nlisten 5\n'

k3des=0x7aeaca3f87d060a12f4a4487d5a5c3355920fae69a96c831
kmd5=0xc0291ff014dccdd03874d9e8e4cdf3e6
run M <<EOF2
dump => ENOENT
spddump => ENOENT
add esp 0x301 192.168.1.100 192.168.2.100 enc 3des-cbc $k3des
add ah 0x300 192.168.1.100 192.168.2.100 auth hmac-md5 $kmd5
add esp 0x301 192.168.1.100 192.168.2.100 enc 3des-cbc $k3des => EEXIST
add esp 0x302 192.168.1.100 192.168.2.100 enc 3des-cbc 0x0102 => EINVAL
add esp 0x302 192.168.1.100 192.168.2.100 enc twofish-cbc 0x00112233445566778899aabbccddeeff => ENOSYS
add ipcomp 0x303 192.168.1.100 192.168.2.100 enc 2 0x => EINVAL
add esp 0x304 10.77.0.1 fd00::1 enc aes-cbc 0x00112233445566778899aabbccddeeff => EINVAL
get esp 0x301 192.168.1.100 192.168.2.100
get esp 0x399 192.168.1.100 192.168.2.100 => ESRCH
getspi esp 10.77.0.1 10.77.0.2 range 0x4000 0x4000 mode tunnel reqid 7
update esp 0x4000 10.77.0.1 10.77.0.2 enc aes-gcm-16 0x00112233445566778899aabbccddeeff01020304 mode tunnel reqid 7
update esp 0x4001 10.77.0.1 10.77.0.2 enc aes-cbc 0x00112233445566778899aabbccddeeff => ESRCH
register esp
register esp => EEXIST
register ah
acquire 12345 ETIMEDOUT => none
bare 6 esp => none
bare 8 esp => EOPNOTSUPP
bare 12 => EOPNOTSUPP
bare 17 => EOPNOTSUPP
bare 24 => EOPNOTSUPP
dump esp
dump ah
delete esp 0x301 192.168.1.100 192.168.2.100
delete esp 0x301 192.168.1.100 192.168.2.100 => ESRCH
spdadd 192.168.1.100 192.168.2.100 any out ipsec esp/transport//require ah/transport//require
spdadd 192.168.2.100 192.168.1.100 any in ipsec esp/transport//default
spdadd 10.0.0.0/24[80] 10.1.0.0/16 tcp fwd ipsec esp/tunnel/10.77.0.1-10.77.0.2/unique prio 5
spdadd 10.0.0.0/24[80] 10.1.0.0/16 tcp fwd discard => EEXIST
spdadd fd00:1::/64 fd00:2::/64 udp out discard
spdadd 10.5.0.0/16 10.6.0.0/16 any out none
spdadd 10.5.0.0/16 10.6.0.0/16 any out discard => EEXIST
spdadd 10.7.0.0/16 10.8.0.0/16 any out ipsec ipcomp/transport//require => EINVAL
spdadd 10.7.0.0/16 10.8.0.0/16 any out ipsec esp/tunnel//require => EINVAL
spdupdate 10.5.0.0/16 10.6.0.0/16 any out ipsec esp/transport//use
spdupdate 10.9.0.0/16 10.10.0.0/16 any in discard
spdget 9
spdget 3 => EINVAL
spdget 4097 => ENOENT
spddump
spddelete 10.9.0.0/16 10.10.0.0/16 any in
spddelete 10.9.0.0/16 10.10.0.0/16 any in => ENOENT
spddelete2 9
spddelete2 9 => ENOENT
flush ah
flush
flush
spdflush
spddump => ENOENT
dump => ENOENT
EOF2
rc=$?
check "every request answered as expected (pfkeyc exit 0)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -5 "$dir/M"
check "REGISTER lists AES-CBC, AES-GCM, 3DES, HMAC-SHA2 (alg.h rows)" \
    has M 'REGISTER satype=esp errno=0 .*supported_auth=.*5,6,7.*supported_enc=.*3,.*12,.*20'
check "REGISTER omits twofish (no OpenSSL) and IPComp" \
    hasnt M 'supported_enc=.*253'
check "GETSPI gives the one SPI of the range, larval" \
    has M '< GETSPI .*sa=spi:0x4000,state:larval'
check "UPDATE makes it mature, tunnel, reqid 7" \
    has M '< UPDATE satype=esp errno=0 .*spi:0x4000,state:mature.*ekey=160 sa2=mode:tunnel,reqid:7'
check "GET answers with the keys" has M '< GET satype=esp errno=0 .*ekey=192'
check "DELETE's notification shows the SA dead" \
    has M '< DELETE satype=esp errno=0 .*spi:0x301,state:dead'
check "dump esp: 0x4000 last, seq 0" \
    has M '< DUMP satype=esp errno=0 seq=0 .*spi:0x4000'
check "dump ah: one SA, seq 0" has M '< DUMP satype=ah errno=0 seq=0 .*spi:0x300'
check "policy out: two requests, require" \
    has M '< X_SPDADD .*dir:out,type:ipsec,id:9,prio:0 req=esp/transport/-/require:0 req=ah/transport/-/require:0'
check "level default shows as require" \
    has M '< X_SPDADD .*dir:in,type:ipsec.*req=esp/transport/-/require:0'
check "fwd tunnel, unique reqid generated above 0x3fff, port, proto, prio" \
    has M '< X_SPDADD .*src=10.0.0.0/24\[80\] proto=6 dst=10.1.0.0/16\[any\] policy=dir:fwd,type:ipsec,id:[0-9]*,prio:5 req=esp/tunnel/10.77.0.1-10.77.0.2/unique:16384'
check "IPv6 selector with discard" \
    has M '< X_SPDADD .*src=fd00:1::/64\[any\] proto=17.*type:discard'
id_of() { grep -- "$1" "$dir/M" | sed -n 's/.*,id:\([0-9]*\),.*/\1/p' | head -1; }
addid=$(id_of '< X_SPDADD .*dst=10.6.0.0/16')
updid=$(id_of '< X_SPDUPDATE .*dst=10.6.0.0/16.*req=esp/transport/-/use:0')
check "SPDUPDATE replaces, keeps the id ($addid)" \
    [ -n "$addid" -a "$addid" = "$updid" ]
check "policy ids carry the direction (out: id & 7 == 1)" \
    [ -n "$addid" ] && [ $((addid & 7)) -eq 1 ]
check "SPDGET by id" has M '< X_SPDGET satype=unspec errno=0 .*id:9,'
check "SPDDUMP ends with seq 0" has M '< X_SPDDUMP satype=unspec errno=0 seq=0'
check "SPDDELETE2 notification" has M '< X_SPDDELETE2 satype=unspec errno=0 .*id:9,'
check "FLUSH: echo and notification" count M '< FLUSH satype=unspec errno=0' 3

# Broadcast rules, as the watchers saw them.
check "ADD goes to all (R)" has R '< ADD satype=esp errno=0 .*spi:0x301'
check "ADD goes to all (P)" has P '< ADD satype=esp errno=0 .*spi:0x301'
check "GET goes to the requester only (R)" hasnt R '< GET '
check "GET goes to the requester only (P)" hasnt P '< GET '
check "promiscuous W sees GET request and answer" count W '< GET satype=esp' 4
check "REGISTER answers go to registered sockets (R: own + M's two)" \
    count R '< REGISTER satype=[ae][sh]p* errno=0' 3
check "REGISTER answers skip unregistered P" hasnt P '< REGISTER '
check "errors go to the requester only" hasnt P 'errno=17'
check "promiscuous W sees M's errors" has W 'errno=17'
check "X_PROMISC is broadcast to all" has P '< X_PROMISC .*errno=0'
check "SPD changes go to all (P)" has P '< X_SPDDELETE satype=unspec errno=0'
check "DUMP goes to the requester only" hasnt P '< DUMP '
check "user ACQUIRE reaches the promiscuous socket only" has W '< ACQUIRE satype=esp errno=110 seq=12345'
check "user ACQUIRE not broadcast" hasnt P '< ACQUIRE'

# A client that goes keeps its SAs; its registration goes with it.
kaes=0x00112233445566778899aabbccddeeff
printf 'register esp\nadd esp 0x501 10.77.0.1 10.77.0.2 enc aes-cbc %s\n' \
    "$kaes" | run gone
check "client adds and leaves" has gone '< ADD satype=esp errno=0'
printf 'register esp\nget esp 0x501 10.77.0.1 10.77.0.2\n' | run after
check "its SA stays, a new socket registers again" [ $? -eq 0 ]
check "ipsecd logged no error" hasnt ipsecd.log 'ERROR'
check "ipsecd still running" kill -0 "$ipid"
[ $fail -eq 0 ] || { echo "--- ipsecd log"; tail -20 "$dir/ipsecd.log"; }
exit $fail
