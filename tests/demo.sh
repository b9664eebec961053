#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# The quick start's main command: install what is missing, build, and run
# the article's VPN between two hosts made with network namespaces, each
# with ipsecd (this kernel has no ESP/AH of its own) and our setkey.
#
#   tests/demo.sh          the automatically keyed connection: setkey loads
#                          the policies, racoon (conf/racoon.conf.host{A,B},
#                          conf/psk.txt) negotiates when the first ping
#                          needs an SA; shows racoon's log, `setkey -D`,
#                          the ping and the wire (ISAKMP, then ESP), then
#                          stops racoon A, which sends DELETEs to B.
#   tests/demo.sh manual   the manually keyed VPN: setkey loads
#                          conf/setkey-manual-host{A,B}.conf (AH over ESP).
#
# The article's 192.168.1.100 and 192.168.2.100 become 10.71.1.100 and
# 10.71.2.100 here, so that nothing can look like a real network.
set -eu
mode=${1:-ike}
case $mode in
ike|manual) ;;
*) echo "usage: tests/demo.sh [manual]" >&2; exit 1 ;;
esac
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
racoon=$out/main/src/racoon/racoon

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
demo_manual() {
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
}

# The article's addresses made ours.
ours() {
	sed -e 's/192\.168\.1\.100/10.71.1.100/g' \
	    -e 's/192\.168\.2\.100/10.71.2.100/g' "$@"
}

demo_ike() {
	local me peer
	for h in A B; do
		if [ $h = A ]; then me=192.168.1.100 peer=192.168.2.100
		else me=192.168.2.100 peer=192.168.1.100; fi
		# The article's policy script for racoon, /etc/ipsec.conf.
		ours >"$work/ipsec-$h.conf" <<CONF
#!/usr/sbin/setkey -f
flush;
spdflush;
spdadd $me $peer any -P out ipsec esp/transport//require;
spdadd $peer $me any -P in ipsec esp/transport//require;
CONF
		# Its racoon.conf, with this demo's own pidfile and psk.txt.
		{
			echo "path pidfile \"$work/racoon-$h.pid\";"
			echo "listen { adminsock disabled; }"
			sed "s|\"/etc/psk.txt\"|\"$work/psk-$h.txt\"|" \
			    "$top/conf/racoon.conf.host$h"
		} | ours >"$work/racoon-$h.conf"
		# Host B's psk.txt names host A.
		sed "s/^192\.168\.2\.100 /$peer /" "$top/conf/psk.txt" |
		    ours >"$work/psk-$h.txt"
		chmod 600 "$work/psk-$h.txt"
	done
	ip netns exec "$a" "$ipsecd" -F 2>"$work/ipsecd-A.log" & pids="$pids $!"
	ip netns exec "$b" "$ipsecd" -F 2>"$work/ipsecd-B.log" & pids="$pids $!"
	sleep 1
	ip netns exec "$a" "$setkey" -f "$work/ipsec-A.conf"
	ip netns exec "$b" "$setkey" -f "$work/ipsec-B.conf"
	ip netns exec "$a" "$racoon" -F -f "$work/racoon-A.conf" \
	    -l "$work/racoon-A.log" & pids="$pids $!"
	ip netns exec "$b" "$racoon" -F -f "$work/racoon-B.conf" \
	    -l "$work/racoon-B.log" & pids="$pids $!"
	sleep 1
	echo
	echo "== host A: setkey -DP (the article's policies)"
	ip netns exec "$a" "$setkey" -DP
	ip netns exec "$b" tcpdump -l -n -i eth0 -c 12 udp port 500 or esp \
	    >"$work/wire.txt" 2>/dev/null & pids="$pids $!"
	sleep 1
	echo "== host A: ping host B; the first ping brings the VPN up"
	ip netns exec "$a" ping -c 4 -W 3 10.71.2.100
	sleep 0.5
	echo "== racoon on host A"
	grep -E "INFO: .*(queued|initiate|established)" "$work/racoon-A.log"
	echo "== racoon on host B"
	grep -E "INFO: .*(respond|established)" "$work/racoon-B.log"
	echo "== host A: setkey -D (the SAs racoon negotiated)"
	ip netns exec "$a" "$setkey" -D
	echo "== on the wire (tcpdump on host B): ISAKMP, then ESP"
	cut -d' ' -f2- "$work/wire.txt"
	echo "== stopping racoon on host A: DELETEs to B, SAs out of A's kernel"
	kill -TERM "$(cat "$work/racoon-A.pid")"
	sleep 1.5
	grep -E "INFO: .*(delete|deleted)" "$work/racoon-A.log" || true
	grep -E "INFO: .*(purged|ISAKMP-SA deleted)" "$work/racoon-B.log" || true
	echo
	echo "demo done: racoon brought the article's VPN up by itself"
}

demo_$mode
