#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Lifetimes: the article's setup with an IPsec-SA lifetime of 4 seconds
# and an ISAKMP-SA lifetime of 10.  The kernel (ipsecd) expires the SAs
# and racoon logs "IPsec-SA expired"; the next packet brings new SAs
# under the same ISAKMP-SA without losing a ping.  When the ISAKMP-SA
# expires, racoon logs "ISAKMP-SA expired" and tells the peer; the next
# packet negotiates a new phase 1.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
a=rlA$$ b=rlB$$
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

# host SELF PEER NAME: the article's files for one host.
host() {
	cat >"$work/$3.setkey" <<CONF
#!/usr/sbin/setkey -f
flush;
spdflush;
spdadd $1 $2 any -P out ipsec esp/transport//require;
spdadd $2 $1 any -P in ipsec esp/transport//require;
CONF
	cat >"$work/$3.conf" <<CONF
path pre_shared_key "$work/$3.psk";
path pidfile "$work/$3.pid";
listen { adminsock disabled; }

remote $2 {
        exchange_mode main;
        lifetime time 10 sec;
        proposal {
                encryption_algorithm 3des;
                hash_algorithm md5;
                authentication_method pre_shared_key;
                dh_group modp1024;
        }
}

sainfo address $1 any address $2 any {
        pfs_group 768;
        lifetime time 4 sec;
        encryption_algorithm 3des;
        authentication_algorithm hmac_md5;
        compression_algorithm deflate;
}
CONF
	printf '# IPv4 addresses\n%s    simple psk\n' "$2" >"$work/$3.psk"
	chmod 600 "$work/$3.psk"
}
host $A $B a
host $B $A b

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
for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$racoon" -F -f "$work/$n.conf" \
	    -l "$work/racoon-$n.log" &
	pids="$pids $!"
done
check "racoon A writes its pidfile" wait_for "$work/a.pid" .
check "racoon B writes its pidfile" wait_for "$work/b.pid" .

# count FILE PATTERN: lines of FILE matching PATTERN.
count() {
	grep -c "$2" "$1"
}
t0=$(date +%s)
check "ping A to B brings up the first SAs" \
    ip netns exec "$a" ping -q -c 2 -W 3 $B
check "racoon A: one IPsec-SA pair" \
    test "$(count "$work/racoon-a.log" "IPsec-SA established")" = 2
check "the kernel expires the SAs: racoon logs IPsec-SA expired" \
    wait_for "$work/racoon-a.log" "INFO: IPsec-SA expired: ESP/Transport $A\[0\]->$B\[0\] spi=" 70
check "both directions expire" \
    wait_for "$work/racoon-a.log" "INFO: IPsec-SA expired: ESP/Transport $B\[0\]->$A\[0\] spi=" 20
check "ping after the expiry gets every answer" \
    ip netns exec "$a" ping -q -c 2 -W 3 $B
check "racoon A: a second IPsec-SA pair" \
    test "$(count "$work/racoon-a.log" "IPsec-SA established")" = 4
check "... under the same ISAKMP-SA" \
    test "$(count "$work/racoon-a.log" "initiate new phase 1")" = 1
check "the ISAKMP-SA expires: racoon logs ISAKMP-SA expired" \
    wait_for "$work/racoon-a.log" "INFO: .*ISAKMP-SA expired" 100
check "the peer ends its ISAKMP-SA too" \
    wait_for "$work/racoon-b.log" "INFO: .*ISAKMP-SA \(deleted\|expired\)" 30
# Let the SAs of the second pair go too, then a new phase 1 comes.
wait_for "$work/racoon-a.log" "IPsec-SA expired.*" 1
sleep 4
check "ping after the ISAKMP-SA expired gets every answer" \
    ip netns exec "$a" ping -q -c 2 -W 3 $B
check "racoon A negotiated a new phase 1" \
    test "$(count "$work/racoon-a.log" "ISAKMP-SA established")" -ge 2
check "no negotiation failed" \
    test "$(count "$work/racoon-a.log" "negotiation failed")" = 0
check "ipsecd A dropped nothing while racoon negotiated" \
    test "$(grep -c "dropped (acquire" "$work/ipsecd-a.log")" = 0
echo "# $(($(date +%s) - t0)) s"
[ $fail = 0 ] || { tail -40 "$work/racoon-a.log"; tail -20 "$work/racoon-b.log"; }
exit $fail
