#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# The datapath benchmark (one command): two namespaces joined by a veth
# pair, each with ipsecd, and between them
#	plain     no IPsec (the veth path itself)
#	gcm       ESP tunnel, aes-gcm-16 (128-bit key)
#	cbc-sha1  ESP tunnel, aes-cbc 128 with hmac-sha1
#	natt-gcm  ESP-in-UDP (NAT-T SAs, port 4500) tunnel, aes-gcm-16
# For each: iperf3 TCP with one and four streams, iperf3 UDP (1400-byte
# datagrams, unlimited rate: the receiver's rate and loss), UDP packets
# per second with 64-byte datagrams, and ping RTT.  Then, for gcm and
# natt-gcm, the CPU time both ipsecd spend per GB (three runs of 1 GB:
# the figure that other users of the machine disturb least, to compare
# versions) and system calls per packet (strace -c on ipsecd over a short
# run); for gcm, where both ipsecd's time goes (perf, if it can sample
# here).
#
# Usage: bench/datapath.sh [-t SECONDS]	(default 5 per measurement)
# BENCH_IPSECD=PATH runs another ipsecd binary (an older version, to
# compare) instead of the one built here.
# Prints its figures; not a test (never timed by the suite).
set -u
secs=5
while getopts t: o; do
	case $o in
	t) secs=$OPTARG ;;
	*) echo "usage: bench/datapath.sh [-t SECONDS]" >&2; exit 2 ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$top/_build}
jobs=$(nproc 2>/dev/null || echo 2)
. "$top/tests/common.sh"
packages="$packages iperf3 strace linux-perf"
mkdir -p "$out"
install_packages || exit 1
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh) >"$out/autogen.log" 2>&1
build main --enable-werror || exit 1
ipsecd=${BENCH_IPSECD:-$out/main/src/ipsecd/ipsecd}
setkey=$out/main/src/setkey/setkey
. "$top/tests/netns/lib.sh"

a=bnA$$ b=bnB$$ work=$(mktemp -d) pids=
A=10.75.0.1 B=10.75.0.2
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
netns_pair "$a" "$b" va vb $A/24 $B/24 || exit 1
ip netns exec "$a" "$ipsecd" -F 2>"$work/ipsecd-a.log" & ipa=$!
ip netns exec "$b" "$ipsecd" -F 2>"$work/ipsecd-b.log" & ipb=$!
pids="$ipa $ipb"
ip netns exec "$b" iperf3 -s -D -I "$work/iperf.pid" >/dev/null 2>&1
sleep 1
pids="$pids $(cat "$work/iperf.pid")"

sas() {	# sas SELF PEER ENC AUTH: tunnel SAs and policies, host SELF
	local e="-E $3" a="" p="" u=esp
	[ -n "$4" ] && a="-A $4"
	[ -n "$natt" ] && p=[4500] u=esp-udp
	cat <<C
flush;
spdflush;
add $A$p $B$p $u 0x2001 -m tunnel $e $a;
add $B$p $A$p $u 0x2002 -m tunnel $e $a;
spdadd $1 $2 any -P out ipsec esp/tunnel/$1-$2/require;
spdadd $2 $1 any -P in ipsec esp/tunnel/$2-$1/require;
C
}
natt=
load() {	# load ENC AUTH, or nothing for plain; NAT-T SAs if $natt
	if [ $# = 0 ]; then
		printf 'flush;\nspdflush;\n' | ip netns exec "$a" "$setkey" -c
		printf 'flush;\nspdflush;\n' | ip netns exec "$b" "$setkey" -c
		return
	fi
	sas $A $B "$1" "$2" | ip netns exec "$a" "$setkey" -c
	sas $B $A "$1" "$2" | ip netns exec "$b" "$setkey" -c
}
ip3() {	# ip3 ARGS: run iperf3 from A, print the receiver's figure
	ip netns exec "$a" iperf3 -c $B -t "$secs" -J "$@" 2>/dev/null |
	    /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
e = j["end"]
if j["start"]["test_start"]["protocol"] == "UDP":
    s = e["sum"]
    print("%.0f Mbit/s, %.1f%% lost, %.0f pkt/s arrived" % (
        s["bits_per_second"] / 1e6 * (1 - s["lost_percent"] / 100),
        s["lost_percent"],
        (s["packets"] - s["lost_packets"]) / s["seconds"]))
else:
    print("%.0f Mbit/s" % (e["sum_received"]["bits_per_second"] / 1e6))' \
	    2>/dev/null ||
	    echo "failed"
}
measure() {	# measure NAME
	printf '%-9s TCP 1 stream:  %s\n' "$1" "$(ip3)"
	printf '%-9s TCP 4 streams: %s\n' "$1" "$(ip3 -P 4)"
	printf '%-9s UDP 1400 B:    %s\n' "$1" "$(ip3 -u -b 0 -l 1400)"
	printf '%-9s UDP 64 B:      %s\n' "$1" "$(ip3 -u -b 0 -l 64)"
	printf '%-9s ping RTT:      %s\n' "$1" "$(ip netns exec "$a" ping -q \
	    -c 50 -i 0.02 $B | sed -n 's|.*= \([0-9.]*\)/\([0-9.]*\)/.*|avg \2 ms (min \1)|p')"
}

KG=0x000102030405060708090a0b0c0d0e0f10111213
KC=0x000102030405060708090a0b0c0d0e0f
KS=0x000102030405060708090a0b0c0d0e0f10111213
echo "== datapath benchmark, $secs s per figure, $(nproc) cores, $(uname -r)"
load; measure plain
load "aes-gcm-16 $KG" ""; measure gcm
load "aes-cbc $KC" "hmac-sha1 $KS"; measure cbc-sha1

# CPU time is what the other users of the machine disturb least: ipsecd's
# user and system time (the latter includes the softirq work of the
# packets it sends, the peer's receive path among it) for a fixed 1 GB.
ticks() {	# ticks PID: "user system" in clock ticks
	awk '{print $14, $15}' "/proc/$1/stat"
}
hz=$(getconf CLK_TCK)
cpu_per_gb() {	# cpu_per_gb NAME
	echo "== ipsecd CPU per GB moved ($1, TCP 1 stream, 1 GB)"
	for r in 1 2 3; do
		read -r ua sa <<<"$(ticks $ipa)"; read -r ub sb <<<"$(ticks $ipb)"
		ip netns exec "$a" iperf3 -c $B -n 1G >/dev/null 2>&1
		read -r ua2 sa2 <<<"$(ticks $ipa)"
		read -r ub2 sb2 <<<"$(ticks $ipb)"
		awk -v hz="$hz" -v ua=$((ua2 - ua)) -v sa=$((sa2 - sa)) \
		    -v ub=$((ub2 - ub)) -v sb=$((sb2 - sb)) 'BEGIN {
		    printf "run %d: A (seals) user %.2f s sys %.2f s, " \
			"B (opens) user %.2f s sys %.2f s, total %.2f s\n", '"$r"',
			ua / hz, sa / hz, ub / hz, sb / hz,
			(ua + sa + ub + sb) / hz }'
	done
}
calls_per_pkt() {	# calls_per_pkt NAME
	echo "== system calls per packet ($1, TCP 1 stream, $secs s)"
	before=$(ip netns exec "$a" "$setkey" -D |
	    sed -n 's/.*allocated: \([0-9]*\).*/\1/p')
	timeout $((secs + 2)) strace -c -f -p $ipa -o "$work/strace.txt" \
	    >/dev/null 2>&1 &
	spid=$!
	sleep 0.5
	ip3 >/dev/null
	wait $spid
	after=$(ip netns exec "$a" "$setkey" -D |
	    sed -n 's/.*allocated: \([0-9]*\).*/\1/p')
	pk=0
	for n in $after; do pk=$((pk + n)); done
	for n in $before; do pk=$((pk - n)); done
	calls=$(awk '$NF == "total" {print $4}' "$work/strace.txt")
	echo "packets through A's SAs: $pk, ipsecd system calls: ${calls:-?}"
	[ -n "$calls" ] && [ "$pk" -gt 0 ] &&
	    echo "system calls per packet: $(awk "BEGIN {printf \"%.2f\", $calls / $pk}")"
	sed -n '1,12p' "$work/strace.txt"
}
natt=1
load "aes-gcm-16 $KG" ""; measure natt-gcm
cpu_per_gb natt-gcm
calls_per_pkt natt-gcm
natt=
load "aes-gcm-16 $KG" ""
cpu_per_gb gcm
calls_per_pkt gcm
if command -v perf >/dev/null; then
	echo "== where the time goes (gcm, TCP 1 stream, perf cpu-clock)"
	# Both ipsecd (A seals, B opens), then the whole machine: the
	# kernel's share of moving the packets is most of the cost.
	perf record -q -e cpu-clock -g -p "$ipa,$ipb" -o "$work/perf.data" \
	    -- sleep "$secs" >/dev/null 2>&1 &
	ppid=$!
	sleep 0.3
	ip3 >/dev/null
	wait $ppid
	echo "-- ipsecd A (sender) and B (receiver), by pid and where:"
	perf report -q -i "$work/perf.data" --no-children -g none \
	    --sort pid,dso 2>/dev/null | grep -v '^$' | head -8
	echo "-- top symbols:"
	perf report -q -i "$work/perf.data" --no-children -g none \
	    --sort dso,symbol 2>/dev/null | grep -v '^$' | head -25
fi
