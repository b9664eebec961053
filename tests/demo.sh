#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# The quick start's main command: install what is missing, build, and run
# the article's manually keyed VPN between two hosts made with network
# namespaces, each with ipsecd (this kernel has no ESP/AH of its own) and
# our setkey loading conf/setkey-manual-host{A,B}.conf.  It shows
# `setkey -D` on both sides, pings through the VPN and shows the wire.
# The article's 192.168.1.100 and 192.168.2.100 become 10.71.1.100 and
# 10.71.2.100 here, so that nothing can look like a real network.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${DEMO_OUT:-$top/_build}
jobs=$(nproc 2>/dev/null || echo 2)
. "$top/tests/common.sh"

mkdir -p "$out"
install_packages
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh) >"$out/autogen.log" 2>&1
echo "building in $out/main ..."
build main --enable-werror
ipsecd=$out/main/src/ipsecd/ipsecd
setkey=$out/main/src/setkey/setkey

a=hostA$$ b=hostB$$ work=$(mktemp -d) pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	ip netns del "$a" 2>/dev/null || true
	ip netns del "$b" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip -n "$a" link add eth0 type veth peer name eth0 netns "$b"
ip -n "$a" addr add 10.71.1.100/16 dev eth0
ip -n "$b" addr add 10.71.2.100/16 dev eth0
for n in "$a" "$b"; do
	ip -n "$n" link set lo up
	ip -n "$n" link set eth0 up
done
for h in A B; do
	sed -e 's/192\.168\.1\.100/10.71.1.100/g' -e 's/192\.168\.2\.100/10.71.2.100/g' \
	    "$top/conf/setkey-manual-host$h.conf" >"$work/ipsec-$h.conf"
done
ip netns exec "$a" "$ipsecd" -F 2>"$work/ipsecd-A.log" & pids="$pids $!"
ip netns exec "$b" "$ipsecd" -F 2>"$work/ipsecd-B.log" & pids="$pids $!"
sleep 1
ip netns exec "$a" "$setkey" -f "$work/ipsec-A.conf"
ip netns exec "$b" "$setkey" -f "$work/ipsec-B.conf"

echo
echo "== host A: setkey -D"
ip netns exec "$a" "$setkey" -D
echo "== host B: setkey -D"
ip netns exec "$b" "$setkey" -D
echo "== host A: setkey -DP"
ip netns exec "$a" "$setkey" -DP
ip netns exec "$b" tcpdump -l -n -i eth0 -c 6 esp or ah \
    >"$work/wire.txt" 2>/dev/null & pids="$pids $!"
sleep 1
echo "== host A: ping host B through the VPN"
ip netns exec "$a" ping -c 3 -W 2 10.71.2.100
sleep 0.5
echo "== on the wire (tcpdump on host B)"
cut -d' ' -f2- "$work/wire.txt"
echo
echo "demo done: the article's manual VPN works between the two hosts"
