#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# The negotiation-rate benchmark (one command): phase 1 + phase 2 setups
# per second between two racoons on this machine, each with its ipsecd
# in a network namespace, with pre-shared keys and aes/sha256, for
#	modp2048	Main Mode modp2048, Quick Mode without PFS
#	modp2048-pfs	modp2048, and PFS modp2048
#	ecp256-pfs	ecp256, and PFS ecp256
# and, for each, the share of racoon's CPU time spent in Diffie-Hellman
# (perf cpu-clock with call graphs over both racoons: time under
# dh_new, dh_check_peer and dh_derive).
#
# Host A has one address per negotiation (10.78.1.1 and up) and a
# transport policy from each to host B; bench/negotiate.py sends one
# datagram from each, so that ipsecd ACQUIREs and racoon A negotiates an
# ISAKMP-SA and an IPsec-SA pair per address (ISAKMP-SAs are keyed by
# both addresses).  It keeps WINDOW negotiations in flight, under B's cap
# of 128 half-open responder phase 1 SAs; B's cap of 8 per source
# address does not bite since every source differs.  A negotiation
# counts when racoon A logs its outbound "IPsec-SA established" line,
# which comes before the 100 ms by which racoon delays the initiator's
# outbound ADD (KERNEL_ADD_DELAY_MS): that delay adds latency, not CPU.
#
# Usage: bench/negotiation.sh [-q] [-n NEGOTIATIONS] [-w WINDOW] [-r RUNS]
#	[-c CONFIG] [-p TOP]
# (defaults 300, 96, 3, all three; each figure is the best of RUNS, the
# DH share is taken on one more run under perf, which -q leaves out; -p:
# also the TOP functions by CPU time of racoon and of ipsecd).  With
# NEGOTIATIONS up to 1000 it shows how the cost per setup grows with the
# number of tunnels (each side holds 2 policies per negotiation from the
# start).  BENCH_IPSECD=PATH and BENCH_RACOON=PATH run those binaries
# instead of the tree's, to compare two versions.  Not a test: never
# timed by the suite.
set -u
n=300 win=96 only= top_n=0 runs=3 noperf=
while getopts qn:w:c:p:r: o; do
	case $o in
	q) noperf=1 ;;
	n) n=$OPTARG ;;
	r) runs=$OPTARG ;;
	p) top_n=$OPTARG ;;
	w) win=$OPTARG ;;
	c) only=$OPTARG ;;
	*) echo "usage: bench/negotiation.sh [-q] [-n N] [-w WINDOW] [-r RUNS]" \
	    "[-c modp2048|modp2048-pfs|ecp256-pfs] [-p TOP]" >&2; exit 2 ;;
	esac
done
[ "$n" -ge 1 ] && [ "$n" -le 1000 ] || { echo "-n: 1 to 1000" >&2; exit 2; }
[ "$runs" -ge 1 ] || { echo "-r: at least 1" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$top/_build}
jobs=$(nproc 2>/dev/null || echo 2)
. "$top/tests/common.sh"
packages="$packages linux-perf"
mkdir -p "$out"
install_packages || exit 1
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh) >"$out/autogen.log" 2>&1
build main --enable-werror || exit 1
bin=$out/main/src
ipsecd=${BENCH_IPSECD:-$bin/ipsecd/ipsecd}
racoon=${BENCH_RACOON:-$bin/racoon/racoon}
[ -x "$ipsecd" ] || { echo "BENCH_IPSECD: $ipsecd: not executable" >&2; exit 2; }
[ -x "$racoon" ] || { echo "BENCH_RACOON: $racoon: not executable" >&2; exit 2; }
. "$top/tests/netns/lib.sh"

a=ngA$$ b=ngB$$ work=$(mktemp -d) pids= racoons=
B=10.78.0.1
cleanup() {
	for p in $racoons $pids; do kill -9 "$p" 2>/dev/null; done
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
[ -z "${KEEP:-}" ] || echo "work directory: $work"
srcs=
for i in $(seq "$n"); do
	srcs="$srcs 10.78.$((1 + (i - 1) / 250)).$((1 + (i - 1) % 250))"
done
netns_pair "$a" "$b" va vb 10.78.1.1/16 $B/16 || exit 1
for s in $srcs; do
	[ "$s" = 10.78.1.1 ] || echo "address add $s/16 dev va"
done | ip -n "$a" -batch - || exit 1
for h in a b; do
	ip netns exec "$(eval echo \$$h)" "$ipsecd" -F \
	    2>"$work/ipsecd-$h.log" &
	pids="$pids $!"
	disown $!	# killed at exit without a job report
done
sleep 1
for s in $srcs; do
	echo "spdadd $s $B any -P out ipsec esp/transport//require;"
	echo "spdadd $B $s any -P in ipsec esp/transport//require;"
done >"$work/a.setkey"
for s in $srcs; do
	echo "spdadd $B $s any -P out ipsec esp/transport//require;"
	echo "spdadd $s $B any -P in ipsec esp/transport//require;"
done >"$work/b.setkey"
ip netns exec "$a" "$bin/setkey/setkey" -f "$work/a.setkey" &&
    ip netns exec "$b" "$bin/setkey/setkey" -f "$work/b.setkey" || exit 1
printf '* benchmark\n' >"$work/psk"
chmod 600 "$work/psk"

# conf HOST REMOTE DH PFS: racoon.conf for one side.
conf() {
	local pfs=
	[ "$4" = none ] || pfs="pfs_group $4;"
	cat <<CONF
path pre_shared_key "$work/psk";
path pidfile "$work/$1.pid";
listen { adminsock disabled; }
remote $2 {
	exchange_mode main;
	proposal_check obey;
	proposal {
		encryption_algorithm aes;
		hash_algorithm sha256;
		authentication_method pre_shared_key;
		dh_group $3;
	}
}
sainfo anonymous {
	$pfs
	encryption_algorithm aes;
	authentication_algorithm hmac_sha256;
	compression_algorithm deflate;
}
CONF
}

# start DH PFS: both racoons, with empty SADs.
start() {
	local h
	for h in a b; do
		ip netns exec "$(eval echo \$$h)" "$bin/setkey/setkey" -F
		rm -f "$work/$h.pid" "$work/racoon-$h.log"
	done
	conf a $B "$1" "$2" >"$work/a.conf"
	conf b anonymous "$1" "$2" >"$work/b.conf"
	racoons=
	for h in a b; do
		ip netns exec "$(eval echo \$$h)" "$racoon" -F \
		    -f "$work/$h.conf" -l "$work/racoon-$h.log" &
		racoons="$racoons $!"
	done
	wait_for "$work/a.pid" . && wait_for "$work/b.pid" . &&
	    wait_for "$work/racoon-a.log" "racoon started" &&
	    wait_for "$work/racoon-b.log" "racoon started"
}

stop() {
	local p
	for p in $racoons; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null
	done
	racoons=
}

# drive COUNT: negotiate from the first COUNT sources.
drive() {
	ip netns exec "$a" python3 "$top/bench/negotiate.py" \
	    "$work/racoon-a.log" $B "$win" $(echo $srcs | cut -d' ' -f1-"$1")
}

# cpu PID...: CPU time (user + system) of the processes, in clock ticks.
cpu() {
	local p t=0
	for p; do
		t=$((t + $(awk '{ print $14 + $15 }' /proc/$p/stat)))
	done
	echo $t
}

# dh_share: percent of the racoons' samples with a DH call on the stack
# (each sample counted once, however many DH frames it shows).
dh_share() {
	perf script -i "$work/perf.data" --comms racoon 2>/dev/null | awk '
	    /^$/ { if (insample) { n++; d += dh }; insample = 0; dh = 0; next }
	    { insample = 1 }
	    /^[ \t]*[0-9a-f]+ (dh_new|dh_check_peer|dh_derive)[ +]/ { dh = 1 }
	    END { if (insample) { n++; d += dh }
		if (n) printf "%.0f%% of %d samples", 100 * d / n, n
		else printf "no samples" }'
}

hz=$(getconf CLK_TCK)
echo "== negotiation rate: $n phase 1 + phase 2 setups, window $win," \
    "best of $runs," \
    "load average $(cut -d' ' -f1 /proc/loadavg) on $jobs CPUs"
echo "   (CPU ms per setup: both racoons, both ipsecds; DH share of racoon)"
printf '%-13s %-24s %-9s %-9s %s\n' config "wall rate" racoon ipsecd \
    "DH share (perf)"
for c in modp2048 modp2048-pfs ecp256-pfs; do
	[ -z "$only" ] || [ "$only" = "$c" ] || continue
	case $c in
	modp2048) dh=modp2048 pfs=none ;;
	modp2048-pfs) dh=modp2048 pfs=modp2048 ;;
	ecp256-pfs) dh=ecp256 pfs=ecp256 ;;
	esac
	# The best of RUNS: the machine may be shared, and what others
	# run can only slow a run down.
	best= rms= kms=
	for run in $(seq "$runs"); do
		start $dh $pfs || { echo "$c: racoon did not start"; exit 1; }
		r0=$(cpu $racoons) k0=$(cpu $pids)
		rate=$(drive "$n")
		r1=$(cpu $racoons) k1=$(cpu $pids)
		stop
		if [ "${rate#stalled}" != "$rate" ]; then
			best=$rate
			tail -n 5 "$work/racoon-a.log" "$work/racoon-b.log"
			break
		fi
		# CPU milliseconds per setup: both racoons, both ipsecds.
		rr=$(echo "$r0 $r1 $n $hz" |
		    awk '{ printf "%.2f", ($2 - $1) * 1000 / $4 / $3 }')
		kk=$(echo "$k0 $k1 $n $hz" |
		    awk '{ printf "%.2f", ($2 - $1) * 1000 / $4 / $3 }')
		cur=$(echo "$rate" | sed -n 's/.*: \([0-9]*\) setups.*/\1/p')
		bst=$(echo "$best" | sed -n 's/.*: \([0-9]*\) setups.*/\1/p')
		[ -n "$best" ] && [ "${cur:-0}" -le "${bst:-0}" ] || best=$rate
		[ -n "$rms" ] && awk "BEGIN { exit !($rr >= $rms) }" || rms=$rr
		[ -n "$kms" ] && awk "BEGIN { exit !($kk >= $kms) }" || kms=$kk
	done
	rate=$best
	share=n/a
	if [ -z "$noperf" ] && command -v perf >/dev/null; then
		# A second run under perf (dwarf call graphs slow it).
		start $dh $pfs
		perf record -q -e cpu-clock -F 1999 --call-graph dwarf,16384 \
		    -p "$(echo $racoons $pids | tr ' ' ,)" -o "$work/perf.data" \
		    >/dev/null 2>&1 &
		perf=$!
		sleep 0.5
		drive "$n" >/dev/null
		kill -INT $perf; wait $perf
		stop
		share=$(dh_share)
		for comm in racoon ipsecd; do
			perf report -q -i "$work/perf.data" --comms $comm \
			    --no-children --sort dso,sym -g none 2>/dev/null |
			    head -"$top_n" | sed "s/^/  $c $comm: /" \
			    >>"$work/profile"
		done
	fi
	printf '%-13s %-24s %-9s %-9s %s\n' "$c" "${rate#* done in }" \
	    "$rms" "$kms" "$share"
done
[ ! -s "$work/profile" ] || { echo "== profile (self time)"; cat "$work/profile"; }
