#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The article's two example setups as installed (conf/), each host
# started the way the systemd units start it.  Host A is 192.168.1.100
# and host B 192.168.2.100, as in the files, inside our namespaces.
#  1. Automatically keyed: setkey-racoon-host{A,B}.conf as
#     ipsec-tools.conf, loaded by setkey.service's ExecStart;
#     racoon.conf.host{A,B} and psk.txt as racoon.conf and psk.txt,
#     checked by racoon.service's ExecStartPre and run by its ExecStart
#     (racoon -F -c).  The first ping brings up ESP; racoon.service's
#     ExecReload checks the file and sends SIGHUP.
#  2. Manually keyed: setkey.service's ExecStop flushes, racoon stops,
#     setkey-manual-host{A,B}.conf become ipsec-tools.conf and
#     setkey.service's ExecStart loads them: AH over ESP on the wire with
#     the files' SPIs.
# A broken file in ipsec-tools.d fails setkey.service with its name and
# line; a broken racoon.conf fails racoon.service's reload before any
# SIGHUP.  Only what ties a file to this test changes: psk.txt's path, a pidfile
# and no admin socket per host, and host B's psk.txt naming host A.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
conf=${TEST_SRCDIR:-$TOP}/conf
a=exA$$ b=exB$$
A=192.168.1.100 B=192.168.2.100
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
for h in A B; do
	n=$(echo $h | tr AB ab)
	etc=$work/etc-$n
	mkdir -p "$etc"
	cp "$conf/setkey-racoon-host$h.conf" "$etc/ipsec-tools.conf"
	{ sed "s|\"/etc/psk.txt\"|\"$etc/psk.txt\"|" "$conf/racoon.conf.host$h"
	  printf 'path pidfile "%s";\nlisten { adminsock disabled; }\n' \
	    "$etc/racoon.pid"; } >"$etc/racoon.conf"
	cp "$conf/psk.txt" "$etc/psk.txt"
	chmod 600 "$etc/psk.txt"
	for u in setkey racoon; do
		unit_file $u "$etc"
		mv "$work/$u.service" "$work/$u-$n.service"
	done
done
sed -i "s/^192\.168\.2\.100 /192.168.1.100 /" "$work/etc-b/psk.txt"

for n in a b; do
	ip netns exec "$(eval echo \$$n)" "$ipsecd" -F 2>"$work/ipsecd-$n.log" &
	pids="$pids $!"
	wait_for "$work/ipsecd-$n.log" "ipsecd started" 50
done


echo "# 1. automatically keyed"
for n in a b; do
	check "host $n: setkey.service loads setkey-racoon-host.conf" \
	    unit_exec "$(eval echo \$$n)" "$work/setkey-$n.service" ExecStart
	check "host $n: racoon.service checks and starts racoon" \
	    racoon_unit_start $n
done
check "racoon.service runs racoon -F -c racoon.conf" \
    grep -q "racoon started, configuration $work/etc-a/racoon.conf" \
    "$work/racoon-a.log"
wire_start "$b" vb "$work/auto.pcap"
ip netns exec "$a" ping -c 1 -W 4 $B >/dev/null
check "ping A to B over the negotiated SAs" \
    ip netns exec "$a" ping -q -c 3 -W 2 $B
check "ping B to A" ip netns exec "$b" ping -q -c 3 -W 2 $A
wire_stop
check "the wire shows ISAKMP on port 500" \
    test "$(wire_count "$work/auto.pcap" 'udp port 500')" -ge 9
check "the wire shows ESP both ways" test \
    "$(wire_count "$work/auto.pcap" "esp and src $A")" -ge 3 -a \
    "$(wire_count "$work/auto.pcap" "esp and src $B")" -ge 3
check "no ping in the clear" test "$(wire_count "$work/auto.pcap" icmp)" = 0
check "racoon.service's ExecReload: racoon -t, then SIGHUP" env \
    MAINPID="$racoon_a" bash -c "$(declare -f unit_exec unit_priv);
    unit_exec $a '$work/racoon-a.service' ExecReload"
check "racoon A reloaded its configuration" \
    wait_for "$work/racoon-a.log" "reloading the configuration (SIGHUP)" 30
# A broken racoon.conf: the reload fails at racoon -t, no SIGHUP is sent.
cp "$work/etc-a/racoon.conf" "$work/racoon.conf.good"
echo "lifetme time 1 hour;" >>"$work/etc-a/racoon.conf"
check_not "ExecReload refuses a broken racoon.conf" env MAINPID="$racoon_a" \
    bash -c "$(declare -f unit_exec unit_priv);
    unit_exec $a '$work/racoon-a.service' ExecReload" 2>"$work/reload.err"
check "naming the line at fault" grep -q "racoon.conf:[0-9]*: .*lifetme" \
    "$work/reload.err"
check "racoon A got no second SIGHUP" test "$(grep -c \
    'reloading the configuration (SIGHUP)' "$work/racoon-a.log")" = 1
cp "$work/racoon.conf.good" "$work/etc-a/racoon.conf"

echo "# 2. manually keyed"
for n in a b; do
	check "host $n: setkey.service's ExecStop flushes" \
	    unit_exec "$(eval echo \$$n)" "$work/setkey-$n.service" ExecStop
	kill "$(eval echo \$racoon_$n)"
done
check "nothing left in host A's SAD" sh -c \
    "ip netns exec $a '$setkey' -D | grep -q 'No SAD entries'"
cp "$conf/setkey-manual-hostA.conf" "$work/etc-a/ipsec-tools.conf"
cp "$conf/setkey-manual-hostB.conf" "$work/etc-b/ipsec-tools.conf"
for n in a b; do
	check "host $n: setkey.service loads setkey-manual-host.conf" \
	    unit_exec "$(eval echo \$$n)" "$work/setkey-$n.service" ExecStart
done
wire_start "$b" vb "$work/manual.pcap"
check "ping A to B over the manual SAs" \
    ip netns exec "$a" ping -q -c 3 -W 2 $B
wire_stop
tcpdump -n -r "$work/manual.pcap" 2>/dev/null >"$work/manual.txt"
check "AH spi 0x300 over ESP spi 0x301 from A" test "$(grep -c \
    "^.* IP $A > $B: AH(spi=0x00000300,.*ESP(spi=0x00000301" \
    "$work/manual.txt")" -ge 3
check "AH spi 0x400 over ESP spi 0x401 from B" test "$(grep -c \
    "^.* IP $B > $A: AH(spi=0x00000400,.*ESP(spi=0x00000401" \
    "$work/manual.txt")" -ge 3
check "no ping in the clear" test "$(wire_count "$work/manual.pcap" icmp)" = 0

echo "# a broken script in ipsec-tools.d"
mkdir -p "$work/etc-a/ipsec-tools.d"
printf 'spdadd 10.9.9.1 10.9.9.2 any -P out ipsec esp/transport//requre;\n' \
    >"$work/etc-a/ipsec-tools.d/typo.conf"
check_not "setkey.service fails" unit_exec "$a" "$work/setkey-a.service" \
    ExecStart 2>"$work/typo.err"
check "naming the file and line" grep -q \
    "typo.conf:1: unknown level \"requre\"" "$work/typo.err"
[ $fail = 0 ] || tail -n 15 "$work"/racoon-*.log
exit $fail
