#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# racoon on a kernel with native IPsec: Debian's kernel under qemu, one
# boot, namespaces of the guest joined by veth pairs, no ipsecd.
#
# 1. The article's automatically keyed connection (tests/netns/lib.sh's
#    article_host: ESP transport, 3des/md5, pfs 768).  racoon finds
#    AF_KEY by itself; its IKE sockets carry the per-socket bypass policy
#    both ways (the `any' policies cover UDP 500 too: without it IKE
#    would wait for an SA of its own); the first ping, held by the
#    kernel (xfrm_larval_drop 0), is answered once the kernel's ACQUIRE
#    has been negotiated; the kernel's ESP carries the traffic (its SA
#    counters, the wire; racoonctl show-sa reads them from AF_KEY);
#    setkey -F under racoon: the peer is told, and renegotiates; SIGTERM
#    takes racoon's SAs out of both kernels.
#    With IPSECD_SOCKET set, setkey and racoon ask that socket and not
#    AF_KEY (ARCHITECTURE.md's order).  An ACQUIRE for an unknown peer
#    is refused, and comes again after net.core.xfrm_acq_expires.
# 2. ESP tunnel mode between two subnets, aes 256/hmac-sha256 with a
#    12 s lifetime (aes-gcm-16 listed first: af_key's algorithm list has
#    no AEAD, and racoon leaves it out): af_key's 96-bit hmac-sha256
#    (and RFC 4868's lengths for sha384 and sha512: racoon.8), the
#    kernel's soft EXPIRE makes racoon rekey and traffic goes on over
#    the new SAs; once the initiator is killed, the responder's SAs end
#    at the kernel's hard EXPIRE, which racoon logs.
# 3. The article's setup over IPv6 (IPV6_IPSEC_POLICY on the IKE
#    sockets).
# 4. The article's manual policies, AH over ESP, keyed by racoon: one
#    phase 2 for both protocols, the kernel's AH and ESP carry the pings.
# 5. NAT-T (tests/netns/racoon_natt.sh on a native kernel): a client
#    behind an nftables masquerade in a third namespace, a gateway that
#    knows it by the NAT's address.  racoon sets UDP_ENCAP_ESPINUDP on
#    its 4500 socket and the kernel carries the ESP in UDP (its SAs'
#    encap, the NAT's outer wire); when the NAT maps the client anew on
#    another port, the gateway's kernel sends NEW_MAPPING and racoon
#    moves the SAs, and traffic goes on.
# 6. NAT-T in transport mode (as L2TP/IPsec runs) behind a NAT that
#    changes every port, IKE's too: the kernel's ESP in UDP to the
#    NAT's port, and TCP across it (its checksum covers addresses the
#    NAT rewrote).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
setkey=${BUILD:?}/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
racoonctl=$BUILD/src/racoonctl/racoonctl
for p in "$setkey" "$racoon" "$racoonctl"; do
	[ -x "$p" ] || { echo "FAIL no $p"; exit 1; }
done
for p in qemu-system-x86_64 tcpdump nft conntrack; do
	command -v $p >/dev/null || { echo "$p missing"; exit 77; }
done
[ -n "$(qemu_kernel)" ] || { echo "linux-image-amd64 missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
A=10.73.1.100 B=10.73.2.100 A6=fd00:73::a B6=fd00:73::b
G=10.76.1.100 H=10.76.2.100

# Scenario 1: the article's files, written for the guest's /etc/t.
host=$work/host
mkdir -p "$host"
(
	. "$here/../netns/lib.sh"
	work=$host
	article_host $A $B a
	article_host $B $A b
	article_host $A6 $B6 e
	article_host $B6 $A6 f
	article_host $G $H g
	article_host $H $G h
)
# Scenario 4: the article's manual policies (AH over ESP), keyed by
# racoon: one phase 2 with two protocols.
bundle() {	# bundle SELF PEER NAME
	cat >"$host/$3.setkey" <<CONF
flush;
spdflush;
spdadd $1 $2 any -P out ipsec esp/transport//require ah/transport//require;
spdadd $2 $1 any -P in ipsec esp/transport//require ah/transport//require;
CONF
}
bundle $G $H g
bundle $H $G h
for f in "$host"/*; do
	sed "s|$host|/etc/t|g" "$f" >"$work/${f##*/}"
	chmod --reference="$f" "$work/${f##*/}"
done

# Scenario 2: gateways C and D, subnets 10.74.1.0/24 and 10.74.2.0/24 on
# their loopbacks, ESP tunnel between 10.74.0.1 and 10.74.0.2.
gateway() {	# gateway SELF PEER SELFNET PEERNET NAME
	cat >"$work/$5.setkey" <<CONF
flush;
spdflush;
spdadd $3 $4 any -P out ipsec esp/tunnel/$1-$2/require;
spdadd $4 $3 any -P in ipsec esp/tunnel/$2-$1/require;
CONF
	cat >"$work/$5.conf" <<CONF
path pre_shared_key "/etc/t/$5.psk";
path pidfile "/tmp/$5.pid";
listen { isakmp $1 [500]; adminsock disabled; }
remote $2 {
	exchange_mode main;
	proposal {
		encryption_algorithm aes 256;
		hash_algorithm sha256;
		authentication_method pre_shared_key;
		dh_group modp2048;
	}
}
sainfo address $3 any address $4 any {
	pfs_group modp1024;
	lifetime time 12 sec;
	encryption_algorithm aes_gcm_16 256, aes 256;
	authentication_algorithm hmac_sha256;
	compression_algorithm deflate;
}
CONF
	printf '%s\t0x%s\n' "$2" 5c0ba1d2e3f405162738495a6b7c8d9e >"$work/$5.psk"
	chmod 600 "$work/$5.psk"
}
gateway 10.74.0.1 10.74.0.2 10.74.1.0/24 10.74.2.0/24 c
gateway 10.74.0.2 10.74.0.1 10.74.2.0/24 10.74.1.0/24 d

# Scenario 5: client X (192.168.77.10) behind the NAT N (10.75.0.1),
# gateway Y (10.75.0.2) with the LAN 10.75.2.0/24 on its loopback.  Y
# knows the client by the NAT's address (tests/netns/racoon_natt.sh).
X=192.168.77.10 NO=10.75.0.1 Y=10.75.0.2 LN=10.75.2.0/24
natt_host() {	# natt_host NAME PEER SELFNET PEERNET TUNNEL-OUT TUNNEL-IN
	cat >"$work/$1.setkey" <<CONF
flush;
spdflush;
spdadd $3 $4 any -P out ipsec esp/tunnel/$5/require;
spdadd $4 $3 any -P in ipsec esp/tunnel/$6/require;
CONF
	cat >"$work/$1.conf" <<CONF
path pre_shared_key "/etc/t/$1.psk";
path pidfile "/tmp/$1.pid";
listen { adminsock disabled; }
timer { natt_keepalive 2 sec; }
remote $2 {
	exchange_mode main;
	nat_traversal on;
	proposal {
		encryption_algorithm aes 128;
		hash_algorithm sha1;
		authentication_method pre_shared_key;
		dh_group modp2048;
	}
}
sainfo address $3 any address $4 any {
	encryption_algorithm aes 128;
	authentication_algorithm hmac_sha1;
	compression_algorithm deflate;
}
CONF
	printf '%s\tnat-traversal-secret\n' "$2" >"$work/$1.psk"
	chmod 600 "$work/$1.psk"
}
natt_host x $Y $X/32 $LN $X-$Y $Y-$X
natt_host y $NO $LN $X/32 $Y-$NO $NO-$Y
# Scenario 6: the same hosts in transport mode, as an L2TP client and
# server would be (tests/netns/racoon_natt_transport.sh): the client's
# policies name its own address, the gateway's the NAT's.
transport() {	# transport NAME SELF PEER REMOTE
	natt_host $1 $4 $2/32 $3/32
	cat >"$work/$1.setkey" <<CONF
flush;
spdflush;
spdadd $2 $3 any -P out ipsec esp/transport//require;
spdadd $3 $2 any -P in ipsec esp/transport//require;
CONF
	sed -i "s/^sainfo address .* {$/sainfo anonymous {/" "$work/$1.conf"
}
transport u $X $Y $Y
transport v $Y $NO $NO

{
	qemu_guest_lib
	cat <<GUEST
A=$A B=$B X=$X NO=$NO Y=$Y A6=$A6 B6=$B6 G=$G H=$H
GUEST
	cat <<'GUEST'
ipx() { /bin/ip netns exec "$@"; }
pair() {	# pair NS1 NS2 IF1 IF2 ADDR1/LEN ADDR2/LEN [nodad]
	/bin/ip netns add $1; /bin/ip netns add $2
	/bin/ip link add $3 netns $1 type veth peer name $4 netns $2
	/bin/ip -n $1 addr add $5 dev $3 $7; /bin/ip -n $2 addr add $6 dev $4 $7
	for n in $1 $2; do
		/bin/ip -n $n link set lo up
		# Hold the packet that triggers an ACQUIRE until its SA
		# is there, rather than drop it (racoon.8).
		ipx $n sysctl -qw net.core.xfrm_larval_drop=0
	done
	/bin/ip -n $1 link set $3 up; /bin/ip -n $2 link set $4 up
}
# counted FILE: `ip -s xfrm state' in FILE counted traffic on an SA.
counted() {
	grep -qE "^[[:space:]]+[1-9][0-9]*\(bytes\), [1-9][0-9]*\(packets\)" $1
}
enc="encryption algorithms for esp"
left="left out: not in the kernel's PF_KEY algorithm list"
encap="encap type espinudp"
# nstates NS: how many SAs the kernel of NS holds.
nstates() { ipx $1 ip xfrm state | grep -c "^src "; }
# gone NS: within 3 s, the kernel of NS holds no SA.
gone() {
	i=0
	while [ $i -lt 30 ]; do
		[ "$(nstates $1)" = 0 ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

echo "=== scenario 1: the article's racoon setup"
pair A B va vb $A/16 $B/16
check "setkey loads host A's policies" ipx A setkey -f /etc/t/a.setkey
check "setkey loads host B's policies" ipx B setkey -f /etc/t/b.setkey
# ARCHITECTURE.md's order: IPSECD_SOCKET, when set, comes before AF_KEY.
check_not "IPSECD_SOCKET set: setkey asks that socket, not AF_KEY" \
    env IPSECD_SOCKET=@nothere /bin/ip netns exec A setkey -D
check_not "IPSECD_SOCKET set: so does racoon" env IPSECD_SOCKET=@nothere \
    /bin/ip netns exec A racoon -F -f /etc/t/a.conf -l /tmp/racoon-env.log
check "and says it found no kernel interface" \
    grep -q "no kernel interface" /tmp/racoon-env.log
ipx A racoon -F -f /etc/t/a.conf -l /tmp/racoon-a.log &
ipx B racoon -F -f /etc/t/b.conf -l /tmp/racoon-b.log &
check "racoon A writes its pidfile" wait_for /etc/t/a.pid .
check "racoon B writes its pidfile" wait_for /etc/t/b.pid .
check "racoon A found AF_KEY by itself" \
    grep -q "INFO: PF_KEY: using AF_KEY" /tmp/racoon-a.log
check_not "racoon A has all of OpenSSL" \
    grep -q "WARNING: cannot load" /tmp/racoon-a.log
# tcpdump drops its privileges to a user it must find.
echo "root:x:0:0:root:/:/bin/sh" >/etc/passwd
ipx B tcpdump -Z root -n -i vb -w /tmp/wire.pcap 2>/tmp/tcpdump.err &
tpid=$!
sleep 1
check "the first ping from A gets its answer" \
    ipx A ping -c 1 -W 15 $B
check "ping A to B keeps flowing" ipx A ping -q -c 3 -W 2 $B
check "ping B to A" ipx B ping -q -c 3 -W 2 $A
for l in "IPsec-SA request for $B queued due to no phase1 found" \
    "initiate new phase 1 negotiation: $A\[500\]<=>$B\[500\]" \
    "ISAKMP-SA established $A\[500\]-$B\[500\]" \
    "initiate new phase 2 negotiation" \
    "IPsec-SA established: ESP/Transport $A\[0\]->$B\[0\] spi=" \
    "IPsec-SA established: ESP/Transport $B\[0\]->$A\[0\] spi="; do
	check "racoon A logs: $l" grep -q "INFO: .*$l" /tmp/racoon-a.log
done
check "racoon B initiates nothing of its own" \
    test "$(grep -c "initiate new phase" /tmp/racoon-b.log)" = 0
ipx A ip -s xfrm state >/tmp/xfrm-a
check "the kernel of A holds the two ESP SAs" test "$(nstates A)" = 2
check "the kernel of B holds the two ESP SAs" test "$(nstates B)" = 2
check "the kernel's SAs: 3des-cbc" grep -q "enc cbc(des3_ede) 0x" /tmp/xfrm-a
check "the kernel's SAs: hmac-md5, 96 bits" \
    grep -q "auth-trunc hmac(md5) 0x[0-9a-f]\{32\} (128 bits) 96$" /tmp/xfrm-a
check "the kernel's ESP counted the pings" \
    counted /tmp/xfrm-a
ipx A setkey -D >/tmp/a.D
check "setkey -D: lifetimes hard 28800, soft 23040 (80%)" \
    grep -q "hard: 28800(s).*soft: 23040(s)" /tmp/a.D
ipx A racoonctl show-sa esp >/tmp/a.ss
check "racoonctl show-sa esp reads the kernel's SAD as setkey -D does" \
    test "$(grep -c "esp mode=transport" /tmp/a.ss)" = 2 -a \
    "$(grep "esp mode=" /tmp/a.ss)" = "$(grep "esp mode=" /tmp/a.D)"
# A policy towards a peer racoon.conf does not know: racoon refuses the
# ACQUIRE, and the kernel asks again only when its larval SA is gone,
# after net.core.xfrm_acq_expires (racoon.8).
ipx A sysctl -qw net.core.xfrm_acq_expires=4
echo "spdadd $A 10.73.9.9 any -P out ipsec esp/transport//require;" |
    ipx A setkey -c
nocf="no configuration found for 10.73.9.9\\."
ipx A ping -c 1 -W 1 10.73.9.9 >/dev/null 2>&1
ipx A ping -c 1 -W 1 10.73.9.9 >/dev/null 2>&1
check "racoon A refuses an ACQUIRE for an unknown peer, once" \
    test "$(grep -c "$nocf" /tmp/racoon-a.log)" = 1
sleep 3
ipx A ping -c 1 -W 1 10.73.9.9 >/dev/null 2>&1
check "after xfrm_acq_expires the kernel sends a new ACQUIRE" \
    test "$(grep -c "$nocf" /tmp/racoon-a.log)" = 2
echo "spddelete $A 10.73.9.9 any -P out;" | ipx A setkey -c
sleep 4	# the second larval SA goes too
# setkey -F under racoon: the kernel's FLUSH broadcast reaches racoon,
# which tells B; B's next packet brings new SAs.
ipx A setkey -F
check "setkey -F under racoon: racoon A tells its peer" \
    wait_for /tmp/racoon-a.log "IPsec-SA flushed from the kernel" 30
check "and B purges the pair" \
    wait_for /tmp/racoon-b.log "purged IPsec-SA proto_id=ESP spi=" 30
ipx B ping -c 1 -W 15 $A >/dev/null
check "B's next ping negotiates new SAs, and pings flow" \
    ipx B ping -q -c 2 -W 2 $A
purged() { grep -c "purged IPsec-SA proto_id=ESP spi=" /tmp/racoon-b.log; }
np=$(purged)
kill -TERM "$(cat /etc/t/a.pid)"
check "racoon A exits on SIGTERM" wait_for /tmp/racoon-a.log "racoon stopped"
check "SIGTERM: racoon's SAs are gone from A's kernel" gone A
i=0
while [ "$(purged)" = "$np" ] && [ $i -lt 30 ]; do
	sleep 0.1; i=$((i + 1))
done
check "the peer obeys the DELETE" test "$(purged)" -gt "$np"
check "and the peer's kernel holds none of them" gone B
ipx A ip xfrm policy >/tmp/pol-a
check "the policies stay" grep -q "dir out" /tmp/pol-a
check "the policies stay: in" grep -q "dir in" /tmp/pol-a
kill "$tpid"; sleep 0.5
ipx B tcpdump -Z root -n -r /tmp/wire.pcap >/tmp/wire.txt 2>/dev/null
check "wire: ISAKMP on port 500" grep -q "$A.500 > $B.500: isakmp" /tmp/wire.txt
check "wire: ESP both ways" grep -q "$B > $A: ESP(spi=" /tmp/wire.txt
check "wire: ESP from A" grep -q "$A > $B: ESP(spi=" /tmp/wire.txt
check "wire: no ICMP in the clear" \
    test "$(grep -c "ICMP echo" /tmp/wire.txt)" = 0
kill "$(cat /etc/t/b.pid)"
wait_for /tmp/racoon-b.log "racoon stopped"
[ $fail = 0 ] || { tail -20 /tmp/racoon-a.log; tail -20 /tmp/racoon-b.log;
    cat /tmp/xfrm-a /tmp/tcpdump.err; head -20 /tmp/wire.txt; }

echo "=== scenario 2: tunnel mode, hmac-sha256, the kernel's EXPIREs"
pair C D wc wd 10.74.0.1/24 10.74.0.2/24
/bin/ip -n C addr add 10.74.1.1/24 dev lo
/bin/ip -n D addr add 10.74.2.1/24 dev lo
/bin/ip -n C route add 10.74.2.0/24 via 10.74.0.2
/bin/ip -n D route add 10.74.1.0/24 via 10.74.0.1
check "setkey loads gateway C's policies" ipx C setkey -f /etc/t/c.setkey
check "setkey loads gateway D's policies" ipx D setkey -f /etc/t/d.setkey
ipx C racoon -F -f /etc/t/c.conf -l /tmp/racoon-c.log &
ipx D racoon -F -f /etc/t/d.conf -l /tmp/racoon-d.log &
check "racoon C writes its pidfile" wait_for /tmp/c.pid .
check "racoon D writes its pidfile" wait_for /tmp/d.pid .
check "the first ping from subnet C to subnet D gets its answer" \
    ipx C ping -c 1 -W 15 -I 10.74.1.1 10.74.2.1
check "racoon C read the kernel's algorithm lists" \
    grep -q "INFO: PF_KEY: the kernel lists [0-9]* integrity and [0-9]* $enc" \
    /tmp/racoon-c.log
check "af_key lists no AEAD: racoon C does not propose aes-gcm-16" \
    grep -q "WARNING: sainfo /etc/t/c.conf:[0-9]*: ESP aes-gcm-16 $left" \
    /tmp/racoon-c.log
check "racoon C warns of af_key's 96-bit hmac-sha256, once" \
    test "$(grep -c "WARNING: AF_KEY: the kernel truncates hmac-sha256" \
    /tmp/racoon-c.log)" = 1
check "racoon C logs the tunnel SAs" \
    grep -q "IPsec-SA established: ESP/Tunnel 10.74.0.2\[0\]->10.74.0.1\[0\]" \
    /tmp/racoon-c.log
ipx C ip -s xfrm state >/tmp/xfrm-c
check "the kernel's SAs: tunnel mode" grep -q "mode tunnel" /tmp/xfrm-c
check "the kernel's SAs: aes 256" \
    grep -q "enc cbc(aes) 0x[0-9a-f]\{64\} (256 bits)$" /tmp/xfrm-c
check "the kernel's SAs: hmac-sha256 truncated to 96 bits (af_key)" \
    grep -q "hmac(sha256) 0x[0-9a-f]\{64\} (256 bits) 96$" /tmp/xfrm-c
# Soft at 9 s: racoon C, which initiated, rekeys, and retires the old
# SAs once the new ones carry traffic.
i=0
while [ $i -lt 11 ]; do
	ipx C ping -q -c 1 -W 1 -I 10.74.1.1 10.74.2.1 >/dev/null
	sleep 1; i=$((i + 1))
done
check "the kernel's soft EXPIRE: racoon C rekeys" \
    grep -q "INFO: IPsec-SA soft lifetime reached: esp spi=.*rekeying" \
    /tmp/racoon-c.log
check "the next SAs are in place" \
    test "$(grep -c "IPsec-SA established: ESP/Tunnel" /tmp/racoon-c.log)" -ge 4
check "ping goes on over them" \
    ipx C ping -q -c 3 -W 2 -I 10.74.1.1 10.74.2.1
# racoon C dies without a word: no rekey, no DELETE.  The responder D
# never rekeys; its SAs end at the kernel's hard EXPIRE, 12 s after the
# rekey, and racoon D says so.
kill -KILL "$(cat /tmp/c.pid)"
check "the kernel's hard EXPIRE: racoon D logs IPsec-SA expired" \
    wait_for /tmp/racoon-d.log "INFO: IPsec-SA expired: ESP/Tunnel" 150
check "and the kernel of D holds no SA any more" gone D
# What af_key makes of the other SHA-2 HMACs (racoon.8): RFC 4868's.
k=0123456789abcdef0123456789abcdef
ipx C setkey -c >/dev/null <<CONF
add 10.74.9.1 10.74.9.2 esp 0x901 -E aes-cbc 0x$k -A hmac-sha384 0x$k$k$k;
add 10.74.9.1 10.74.9.2 esp 0x902 -E aes-cbc 0x$k -A hmac-sha512 0x$k$k$k$k;
CONF
ipx C ip xfrm state >/tmp/xfrm-sha2
check "af_key: hmac-sha384 keeps 192 bits" \
    grep -q "auth-trunc hmac(sha384) 0x$k$k$k 192$" /tmp/xfrm-sha2
check "af_key: hmac-sha512 keeps 256 bits" \
    grep -q "auth-trunc hmac(sha512) 0x$k$k$k$k 256$" /tmp/xfrm-sha2
kill "$(cat /tmp/d.pid)"
wait_for /tmp/racoon-d.log "racoon stopped"
[ $fail = 0 ] || { tail -30 /tmp/racoon-c.log; tail -30 /tmp/racoon-d.log;
    cat /tmp/xfrm-c /tmp/xfrm-sha2; }

echo "=== scenario 3: the article's setup over IPv6"
pair E F va vb $A6/64 $B6/64 nodad
# The policies cover neighbour discovery too: neighbours by hand.
mac() { /bin/ip -n $1 -o link show $2 | sed 's/.*link\/ether \([^ ]*\).*/\1/'; }
/bin/ip -n E neigh replace $B6 lladdr "$(mac F vb)" dev va nud permanent
/bin/ip -n F neigh replace $A6 lladdr "$(mac E va)" dev vb nud permanent
check "setkey loads host A's IPv6 policies" ipx E setkey -f /etc/t/e.setkey
check "setkey loads host B's IPv6 policies" ipx F setkey -f /etc/t/f.setkey
ipx E racoon -F -f /etc/t/e.conf -l /tmp/racoon-e.log &
ipx F racoon -F -f /etc/t/f.conf -l /tmp/racoon-f.log &
check "racoon E writes its pidfile" wait_for /etc/t/e.pid .
check "racoon F writes its pidfile" wait_for /etc/t/f.pid .
sleep 1
# IPV6_IPSEC_POLICY lets IKE over IPv6 past the `any' policies.
check "the first IPv6 ping gets its answer" ipx E ping -6 -c 1 -W 15 $B6
check "IPv6 ping keeps flowing" ipx F ping -6 -q -c 3 -W 2 $A6
check "racoon logs the IPv6 SAs" \
    grep -q "IPsec-SA established: ESP/Transport $A6\[0\]->$B6\[0\]" \
    /tmp/racoon-e.log
ipx E ip -s xfrm state >/tmp/xfrm-e
check "the kernel's ESP over IPv6 counted the pings" \
    counted /tmp/xfrm-e
kill "$(cat /etc/t/e.pid)" "$(cat /etc/t/f.pid)"
wait_for /tmp/racoon-e.log "racoon stopped"
wait_for /tmp/racoon-f.log "racoon stopped"
[ $fail = 0 ] || { tail -20 /tmp/racoon-e.log; tail -20 /tmp/racoon-f.log;
    cat /tmp/xfrm-e; }

echo "=== scenario 4: AH over ESP, negotiated"
pair G H va vb $G/16 $H/16
check "setkey loads host A's AH+ESP policies" ipx G setkey -f /etc/t/g.setkey
check "setkey loads host B's AH+ESP policies" ipx H setkey -f /etc/t/h.setkey
ipx G racoon -F -f /etc/t/g.conf -l /tmp/racoon-g.log &
ipx H racoon -F -f /etc/t/h.conf -l /tmp/racoon-h.log &
check "racoon G writes its pidfile" wait_for /etc/t/g.pid .
check "racoon H writes its pidfile" wait_for /etc/t/h.pid .
sleep 1
check "the first ping through AH over ESP gets its answer" \
    ipx G ping -c 1 -W 15 $H
check "ping keeps flowing both ways" ipx H ping -q -c 3 -W 2 $G
check "one phase 2 for both protocols" \
    test "$(grep -c "initiate new phase 2" /tmp/racoon-g.log)" = 1
check "racoon G logs the AH SAs" \
    grep -q "IPsec-SA established: AH/Transport $G\[0\]->$H\[0\]" \
    /tmp/racoon-g.log
check "and the ESP SAs" \
    grep -q "IPsec-SA established: ESP/Transport $G\[0\]->$H\[0\]" \
    /tmp/racoon-g.log
ipx G ip -s xfrm state >/tmp/xfrm-g
check "the kernel of G holds two AH and two ESP SAs" \
    test "$(grep -c "proto ah" /tmp/xfrm-g)-$(grep -c "proto esp" \
    /tmp/xfrm-g)" = 2-2
check "the kernel's AH and ESP counted the pings" \
    test "$(grep -cE "^[[:space:]]+[1-9][0-9]*\(bytes\)" /tmp/xfrm-g)" = 4
kill "$(cat /etc/t/g.pid)" "$(cat /etc/t/h.pid)"
wait_for /tmp/racoon-g.log "racoon stopped"
wait_for /tmp/racoon-h.log "racoon stopped"
[ $fail = 0 ] || { tail -30 /tmp/racoon-g.log; tail -30 /tmp/racoon-h.log;
    cat /tmp/xfrm-g; }
f2=$fail

echo "=== scenario 5: NAT-T through an nftables NAT, the kernel's ESP-in-UDP"
fail=0
pair X N eth0 in0 $X/24 192.168.77.1/24
/bin/ip netns add Y
/bin/ip link add out0 netns N type veth peer name eth0 netns Y
/bin/ip -n N addr add $NO/24 dev out0; /bin/ip -n Y addr add $Y/24 dev eth0
/bin/ip -n N link set out0 up; /bin/ip -n Y link set eth0 up
/bin/ip -n Y link set lo up; ipx Y sysctl -qw net.core.xfrm_larval_drop=0
/bin/ip -n Y addr add 10.75.2.1/24 dev lo
/bin/ip -n X route add default via 192.168.77.1
/bin/ip -n Y route add default via $NO
ipx N sysctl -qw net.ipv4.ip_forward=1
# The NAT: everything from the private LAN leaves with the NAT's address.
nat() {	# nat [PORTS]: masquerade, to those ports if given
	ipx N nft -f - <<NFT
flush ruleset
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "out0" meta l4proto udp masquerade ${1:+to :$1}
		oifname "out0" masquerade
	}
}
NFT
}
check "nftables masquerades on the NAT" nat
check "setkey loads the client's policies" ipx X setkey -f /etc/t/x.setkey
check "setkey loads the gateway's policies" ipx Y setkey -f /etc/t/y.setkey
ipx X racoon -F -d -f /etc/t/x.conf -l /tmp/racoon-x.log &
ipx Y racoon -F -d -f /etc/t/y.conf -l /tmp/racoon-y.log &
check "racoon X writes its pidfile" wait_for /tmp/x.pid .
check "racoon Y writes its pidfile" wait_for /tmp/y.pid .
# The wire is the NAT's outer side: on the gateway's interface tcpdump
# would also see the inner packets its kernel decapsulates.
ipx N tcpdump -Z root -n -i out0 -w /tmp/wire-n.pcap 2>/tmp/tcpdump.err &
tpid=$!
sleep 1
check "the first ping from the client crosses the NAT" \
    ipx X ping -c 1 -W 15 10.75.2.1
check "ping keeps flowing" ipx X ping -q -c 3 -W 2 10.75.2.1
check "large pings too (the outer UDP datagram fragmented)" \
    ipx X ping -q -c 2 -W 2 -s 3000 10.75.2.1
for l in "NAT-T RFC 3947 agreed" "NAT detected: ME" \
    "NAT-T: ports changed to: $X\[4500\]<->$Y\[4500\]" \
    "IPsec-SA established: ESP/Tunnel $X\[4500\]->$Y\[4500\]"; do
	check "client's racoon logs: $l" grep -q "$l" /tmp/racoon-x.log
done
check "gateway's racoon logs: NAT detected: PEER" \
    grep -q "NAT detected: PEER" /tmp/racoon-y.log
ipx X ip -s xfrm state >/tmp/xfrm-x
ipx Y ip -s xfrm state >/tmp/xfrm-y
check "the client's kernel holds ESP-in-UDP SAs, 4500 to 4500" \
    test "$(grep -c "$encap sport 4500 dport 4500" /tmp/xfrm-x)" = 2
check "the gateway's kernel holds them towards the NAT" \
    test "$(grep -c "$encap sport 4500 dport 4500" /tmp/xfrm-y)" = 2
check "the kernel's ESP counted the pings" \
    counted /tmp/xfrm-y
sleep 3
check "the client sent NAT-T keepalives" \
    grep -q "NAT-T keepalive sent to $Y\[4500\]" /tmp/racoon-x.log

# The NAT forgets the mapping and makes another, on another port: the
# gateway's kernel sees ESP-in-UDP from a new port and says so
# (SADB_X_NAT_T_NEW_MAPPING); racoon moves the SAs and IKE there.
nat 7000-7999
ipx N conntrack -F 2>/dev/null
ipx X ping -q -c 4 -W 2 10.75.2.1 >/dev/null
check "gateway's racoon follows the kernel's NEW_MAPPING" \
    wait_for /tmp/racoon-y.log \
    "NAT-T: peer $NO\[4500\] moved to $NO\[7[0-9][0-9][0-9]\]"
check "ping flows over the new mapping" ipx X ping -q -c 3 -W 2 10.75.2.1
ipx Y ip xfrm state >/tmp/xfrm-y2
check "the gateway's kernel sends to the new port" \
    grep -q "$encap sport 4500 dport 7[0-9][0-9][0-9]" /tmp/xfrm-y2

kill -TERM "$(cat /tmp/x.pid)"
check "racoon X exits on SIGTERM" wait_for /tmp/racoon-x.log "racoon stopped"
check "the gateway obeys the client's DELETE (over the new mapping)" \
    wait_for /tmp/racoon-y.log "purged IPsec-SA proto_id=ESP spi="
kill "$tpid"; sleep 0.5
ipx N tcpdump -Z root -n -r /tmp/wire-n.pcap >/tmp/wire-n.txt 2>/dev/null
check "wire: ISAKMP from the NAT's port 500" \
    grep -q "$NO.500 > $Y.500: isakmp" /tmp/wire-n.txt
check "wire: ESP in UDP both ways" \
    grep -q "$Y.4500 > $NO.4500: UDP-encap: ESP" /tmp/wire-n.txt
check "wire: ESP in UDP from the NAT" \
    grep -q "$NO.4500 > $Y.4500: UDP-encap: ESP" /tmp/wire-n.txt
check "wire: keepalives from the NAT" \
    grep -q "$NO.4500 > $Y.4500: isakmp-nat-keep-alive" /tmp/wire-n.txt
check "wire: no ESP outside UDP, no ICMP echo in the clear" \
    test "$(grep -c "> $Y: ESP\|ICMP echo" /tmp/wire-n.txt)" = 0
check "wire: no private address" \
    test "$(grep -c "192\.168\.77\." /tmp/wire-n.txt)" = 0
kill "$(cat /tmp/y.pid)"
wait_for /tmp/racoon-y.log "racoon stopped"
[ $fail = 0 ] || { tail -40 /tmp/racoon-x.log; tail -40 /tmp/racoon-y.log;
    cat /tmp/xfrm-y /tmp/xfrm-y2 /tmp/tcpdump.err; head -40 /tmp/wire-n.txt; }
f2=$((f2 | fail))

echo "=== scenario 6: NAT-T in transport mode, a NAT that changes ports"
fail=0
# Every port changes now, IKE's 500 and 4500 too.
nat 7000-7999
ipx N conntrack -F 2>/dev/null
check "setkey loads the client's transport policies" \
    ipx X setkey -f /etc/t/u.setkey
check "setkey loads the gateway's transport policies" \
    ipx Y setkey -f /etc/t/v.setkey
ipx X racoon -F -f /etc/t/u.conf -l /tmp/racoon-u.log &
ipx Y racoon -F -f /etc/t/v.conf -l /tmp/racoon-v.log &
check "racoon U writes its pidfile" wait_for /tmp/u.pid .
check "racoon V writes its pidfile" wait_for /tmp/v.pid .
sleep 1
check "the first ping from the client in transport mode crosses the NAT" \
    ipx X ping -c 1 -W 15 $Y
check "the gateway pings the client at the NAT's address" \
    ipx Y ping -q -c 2 -W 2 $NO
# TCP (busybox httpd and wget): its checksum covers the addresses the
# NAT rewrote, which the kernel lets pass for NAT-T in transport mode.
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/tx bs=1024 count=512 2>/dev/null
ipx Y httpd -f -p 8080 -h /tmp/www &
hpid=$!
sleep 0.5
check "512 KiB over TCP (HTTP) from the gateway to the client" \
    ipx X timeout 30 wget -q -O /tmp/rx http://$Y:8080/tx
check "arrive intact" test "$(md5sum </tmp/www/tx)" = "$(md5sum </tmp/rx)"
kill $hpid
check "client: IPsec-SA in transport mode over 4500" \
    grep -q "IPsec-SA established: ESP/Transport $X\[4500\]->$Y\[4500\]" \
    /tmp/racoon-u.log
check "gateway: with the NAT's address and its new port" \
    grep -q "IPsec-SA established: ESP/Transport $Y\[4500\]->$NO\[7[0-9]*\]" \
    /tmp/racoon-v.log
ipx Y ip -s xfrm state >/tmp/xfrm-v
check "the gateway's kernel: transport SAs, ESP in UDP to the new port" \
    test "$(grep -c "mode transport" /tmp/xfrm-v)-$(grep -c \
    "$encap sport 4500 dport 7[0-9]*\|$encap sport 7[0-9]* dport 4500" \
    /tmp/xfrm-v)" = 2-2
check "and counted the transfer" counted /tmp/xfrm-v
kill "$(cat /tmp/u.pid)" "$(cat /tmp/v.pid)"
wait_for /tmp/racoon-u.log "racoon stopped"
wait_for /tmp/racoon-v.log "racoon stopped"
[ $fail = 0 ] || { tail -40 /tmp/racoon-u.log; tail -40 /tmp/racoon-v.log;
    cat /tmp/xfrm-v; }
[ $fail = 0 ] && [ $f2 = 0 ]
GUEST
} >"$work/guest.sh"

# OpenSSL's legacy provider, which racoon loads for des, blowfish, cast.
legacy=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')/legacy.so
files="$setkey $racoon $racoonctl $legacy:$legacy"
for p in tcpdump nft conntrack; do
	files="$files $(command -v $p)"
done
for f in a b c d e f g h u v x y; do
	files="$files $work/$f.setkey:/etc/t/$f.setkey"
	files="$files $work/$f.conf:/etc/t/$f.conf $work/$f.psk:/etc/t/$f.psk"
done
QEMU_MODULES_EXTRA="nft_chain_nat nft_masq nf_conntrack_netlink" \
    qemu_initramfs "$work/initrd.gz" "$work/guest.sh" $files || exit 1
qemu_boot "$work/initrd.gz" 420 >"$work/console"
qemu_verdict "$work/console" 119
