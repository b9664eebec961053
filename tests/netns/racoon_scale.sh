#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Many tunnels between two racoons through ipsecd: host a has one address
# per tunnel (SCALE_TUNNELS, 300 by default) and an ESP transport policy
# pair from each to host b, so that each address pair gets its own
# ISAKMP-SA and IPsec-SA pair (racoon keys ISAKMP-SAs by both addresses).
# bench/negotiate.py sends one datagram from every address, 16 of them
# in flight; every negotiation must complete, each SAD must hold
# exactly two mature SAs per tunnel, and pings from a sample of the
# addresses (first, last and some between) must cross the tunnels.  ipsecd's SPD
# then holds 3 policies per tunnel (setkey adds a fwd policy for each in
# policy) and its SAD 2 SAs per tunnel: the lookups that issue "scale"
# took off the linear walks.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
top=${TEST_SRCDIR:?}
N=${SCALE_TUNNELS:-300}
a=scA$$ b=scB$$
B=10.79.0.1
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
t0=$(date +%s)

srcs=
for i in $(seq "$N"); do
	srcs="$srcs 10.79.$((1 + (i - 1) / 250)).$((1 + (i - 1) % 250))"
done
netns_pair "$a" "$b" va vb 10.79.1.1/16 $B/16 || exit 1
for s in $srcs; do
	[ "$s" = 10.79.1.1 ] || echo "address add $s/16 dev va"
done | ip -n "$a" -batch - || exit 1
{
	echo "flush;"; echo "spdflush;"
	for s in $srcs; do
		echo "spdadd $s $B any -P out ipsec esp/transport//require;"
		echo "spdadd $B $s any -P in ipsec esp/transport//require;"
	done
} >"$work/a.setkey"
{
	echo "flush;"; echo "spdflush;"
	for s in $srcs; do
		echo "spdadd $B $s any -P out ipsec esp/transport//require;"
		echo "spdadd $s $B any -P in ipsec esp/transport//require;"
	done
} >"$work/b.setkey"
printf '* scale-test-key\n' >"$work/a.psk"
cp "$work/a.psk" "$work/b.psk"
chmod 600 "$work/a.psk" "$work/b.psk"
# conf NAME REMOTE
conf() {
	cat <<CONF
path pre_shared_key "$work/$1.psk";
path pidfile "$work/$1.pid";
listen { adminsock disabled; }
remote $2 {
	exchange_mode main;
	proposal_check obey;
	proposal {
		encryption_algorithm aes;
		hash_algorithm sha256;
		authentication_method pre_shared_key;
		dh_group ecp256;
	}
}
sainfo anonymous {
	pfs_group ecp256;
	encryption_algorithm aes;
	authentication_algorithm hmac_sha256;
	compression_algorithm deflate;
}
CONF
}
conf a $B >"$work/a.conf"
conf b anonymous >"$work/b.conf"
article_daemons a b
check "both racoons start" eval 'wait_for "$work/racoon-a.log" "racoon started" &&
    wait_for "$work/racoon-b.log" "racoon started"'
for h in a b; do
	np=$(ip netns exec "${!h}" "$setkey" -DP | grep -c "^10\.79\.[0-9.]*\[any\] 10\.79\.[0-9.]*\[any\] 255$")
	# out, in, and the fwd that setkey adds for an in policy
	check "ipsecd $h holds 3 policies per tunnel" test "$np" -eq $((3 * N))
done
t1=$(date +%s)

ip netns exec "$a" python3 "$top/bench/negotiate.py" "$work/racoon-a.log" \
    $B 16 $srcs >"$work/drive.out" 2>&1
echo "# $(cat "$work/drive.out")"
check "all $N tunnels negotiated" grep -q "^$N done" "$work/drive.out"
# mature NS: the mature SAs in the namespace's SAD.
mature() {
	ip netns exec "$1" "$setkey" -D 2>/dev/null | grep -c "state=mature"
}
# The initiator's outbound ADD comes 100 ms after its log line.
for i in $(seq 100); do
	[ "$(mature "$a")" -eq $((2 * N)) ] && break
	sleep 0.1
done
for h in a b; do
	ns=$(mature "${!h}")
	echo "# $h: $ns mature SAs, $(sa_count "${!h}") in all"
	check "$h's SAD holds 2 mature SAs per tunnel" test "$ns" -eq $((2 * N))
done

set -- $srcs
sample="$1 ${!N}"
for k in 7 50 123 249 250 251 299; do
	[ "$k" -lt "$N" ] && sample="$sample ${!k}"
done
for s in $sample; do
	check "ping from $s crosses its tunnel" \
	    ip netns exec "$a" ping -q -c 2 -i 0.2 -W 2 -I "$s" $B
done
# The pings went through the SAs: the sample's inbound SAs on b counted
# bytes (current: N(bytes) in setkey -D).
check "b's SAs counted the sample's bytes" test "$(ip netns exec "$b" \
    "$setkey" -D | grep -c "current: [1-9][0-9]*(bytes)")" -ge \
    "$(echo $sample | wc -w)"
check "racoon a reports no failure" \
    eval '! grep -q "failed\|ERROR" "$work/racoon-a.log"'
echo "# $N tunnels: set-up $((t1 - t0)) s, negotiations and checks" \
    "$(( $(date +%s) - t1 )) s"
exit $fail
