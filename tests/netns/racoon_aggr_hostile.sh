#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Hostile Aggressive Mode (issue 15), from racoon_hostile.py with scapy
# on H's link: a roadwarrior gateway (remote anonymous, Aggressive Mode,
# generate_policy) gets first messages without KE, nonce or ID, with a
# one-byte KE, a truncated ID, a two-byte nonce, a second SA (the class
# of racoon's CVE-2005-3732), and a message 3 for no SA: each is logged
# and dropped, and racoon keeps running.  A well-formed first message
# gets its message 2, but a message 3 whose HASH_I is noise fails
# authentication and installs nothing.  Then H, as an honest client in
# Aggressive Mode with its FQDN, connects and carries traffic.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
h=ahH$$ g=ahG$$
H=10.82.0.10 G=10.82.0.1
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	ip netns del "$h" 2>/dev/null
	ip netns del "$g" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$h" "$g" vh vg $H/24 $G/24 || exit 1

# The transform racoon_hostile.py proposes: 3des, md5, psk, modp1024.
proposal='proposal {
		encryption_algorithm 3des;
		hash_algorithm md5;
		authentication_method pre_shared_key;
		dh_group modp1024;
	}'
cat >"$work/g.conf" <<CONF
path pre_shared_key "$work/g.psk";
path pidfile "$work/g.pid";
listen { adminsock disabled; }
timer { counter 2; interval 2 sec; phase1 8 sec; }

remote anonymous {
	exchange_mode aggressive;
	passive on;
	generate_policy on;
	$proposal
}

sainfo anonymous {
	encryption_algorithm aes 128;
	authentication_algorithm hmac_sha256;
	compression_algorithm deflate;
}
CONF
printf 'client.example.net\tclient-key\n*\tnobody-knows-this\n' \
    >"$work/g.psk"
cat >"$work/h.conf" <<CONF
path pre_shared_key "$work/h.psk";
path pidfile "$work/h.pid";
listen { adminsock disabled; }

remote $G {
	exchange_mode aggressive;
	my_identifier fqdn "client.example.net";
	$proposal
}

sainfo address $H any address $G any {
	encryption_algorithm aes 128;
	authentication_algorithm hmac_sha256;
	compression_algorithm deflate;
}
CONF
printf '%s\tclient-key\n' $G >"$work/h.psk"
chmod 600 "$work"/*.psk
cat >"$work/h.setkey" <<CONF
flush;
spdflush;
spdadd $H $G any -P out ipsec esp/transport//require;
spdadd $G $H any -P in ipsec esp/transport//require;
CONF

for n in h g; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F -dd 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
ip netns exec "$g" "$racoon" -F -f "$work/g.conf" -l "$work/racoon-g.log" &
pids="$pids $!"
check "racoon g writes its pidfile" wait_for "$work/g.pid" .
gpid=$(cat "$work/g.pid")
gmac=$(ip -n "$g" -o link show vg | grep -o "link/ether [0-9a-f:]*" |
    cut -d" " -f2)

py() {	# py ARGS: racoon_hostile.py in H's namespace
	ip netns exec "$h" /usr/bin/python3 \
	    "$TOP/tests/netns/racoon_hostile.py" "$@"
}
for i in 1 2; do
	check "scapy sends malformed Aggressive Mode messages (round $i)" \
	    py aggr vh "$gmac" $H $G
done
sleep 0.5
# logged WHAT PATTERN: both rounds are logged at the gateway.
logged() {
	check "gateway logs and drops $1" \
	    test "$(grep -c "WARNING: .*$2" "$work/racoon-g.log")" -ge 2
}
logged "a message 1 without KE" "Aggressive message 1: 0 KE payloads"
logged "a message 1 without nonce" "Aggressive message 1: 0 NONCE payloads"
logged "a message 1 without ID" "Aggressive message 1: 0 ID payloads"
logged "a one-byte KE" "KE payload of 1 bytes refused for modp1024"
logged "a truncated ID" "ID payload: 2 bytes, need 4"
logged "a two-byte nonce" "NONCE payload: 2 bytes of data"
logged "a second SA payload" "Aggressive message 1: 2 SA payloads"
logged "a message 3 for no SA" "Aggressive message for no SA we know"
refused="ERROR: .*phase1 negotiation failed: peer's message refused"
check "gateway: each refused first message ends its phase 1" \
    test "$(grep -c "$refused" "$work/racoon-g.log")" -ge 12
check "racoon g is still running" kill -0 "$gpid"

py aggr3 vh "$gmac" $H $G >"$work/aggr3.out"
check "a well-formed message 1 gets message 2: SA KE NONCE ID HASH (and VIDs)" \
    grep -Eqx "1( 13)* 4 10 5 8( 13)*" "$work/aggr3.out"
check "a message 3 with a false HASH_I fails authentication" \
    wait_for "$work/racoon-g.log" "HASH_I mismatch"
check "gateway: no ISAKMP-SA for the hostile messages" \
    test "$(grep -c "ISAKMP-SA established" "$work/racoon-g.log")" = 0
check "racoon g is still running" kill -0 "$gpid"

# Now an honest client from the same address.
check "setkey loads H's policies" \
    ip netns exec "$h" "$setkey" -f "$work/h.setkey"
ip netns exec "$h" "$racoon" -F -f "$work/h.conf" -l "$work/racoon-h.log" &
pids="$pids $!"
check "racoon h writes its pidfile" wait_for "$work/h.pid" .
ip netns exec "$h" ping -c 1 -W 3 $G >/dev/null
check "H, an honest client, reaches the gateway" \
    ip netns exec "$h" ping -q -c 3 -W 2 $G
check "gateway: ISAKMP-SA with H in Aggressive Mode" \
    grep -q "INFO: .*ISAKMP-SA established $G\[500\]-$H\[500\]" \
    "$work/racoon-g.log"
check "gateway: policy generated for H" \
    grep -q "installed the generated policy: $G/32\[0\] $H/32\[0\]" \
    "$work/racoon-g.log"

[ $fail = 0 ] || tail -40 "$work/racoon-g.log"
exit $fail
