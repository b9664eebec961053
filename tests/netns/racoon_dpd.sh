#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Dead peer detection and hook scripts (issue 17), between two explicit
# remotes with dpd_delay 2, dpd_retry 1, dpd_maxfail 3: a dead peer is
# declared within 2 + 1 * 3 seconds.
#  1. The tunnel comes up; the phase1_up scripts run with ipsec-tools'
#     variables and nothing of racoon's own environment; A's script
#     sleeps, and the phase 2 and the ping do not wait for it; its exit
#     status is logged.  R-U-THERE and R-U-THERE-ACK go both ways while
#     both live (racoonctl status shows DPD at work), and no one is
#     declared dead.
#  2. racoon A is frozen (SIGSTOP): B declares it dead, runs phase1_dead
#     and phase1_down, sends DELETEs and empties its SAD (racoonctl
#     show-event reports the dead peer, status counts it); when A thaws
#     it obeys the DELETEs and empties its SAD too (both sides clean up
#     where the other is alive).
#  3. The tunnel comes up again; racoon A is killed (SIGKILL, no
#     DELETE): B declares it dead within the bound and removes its SAs.
#  4. B becomes a roadwarrior gateway (remote anonymous, passive,
#     generate_policy, no policy of its own) and A a client in
#     Aggressive Mode: the policies B generated for A are in its SPD;
#     A killed, B declares it dead and its SAD and SPD are empty.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
racoonctl=$BUILD/src/racoonctl/racoonctl
a=dpA$$ b=dpB$$
A=10.83.1.100 B=10.83.2.100
work=$(mktemp -d)
chmod 755 "$work"
pids=
cleanup() {
	for p in $pids; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null
	done
	for f in "$work"/*.spid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.2
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

netns_pair "$a" "$b" va vb $A/16 $B/16 || exit 1
article_host $A $B a
article_host $B $A b
sed -i "s|adminsock disabled;|adminsock \"$work/b.sock\";|" "$work/b.conf"

# The hook: write its descriptors to NAME.HOOK.fds, argv and the
# environment to NAME.HOOK.env.  A's
# phase1_up also sleeps 3 seconds and exits 3.
for n in a b; do
	cat >"$work/hook-$n.sh" <<HOOK
#!/bin/sh
ls -l /proc/\$\$/fd/ >"$work/$n.\$1.fds" 2>&1
echo "\$\$" >"$work/$n.\$1.spid"
{ echo "ARGV1=\$1"; env; } >"$work/$n.\$1.tmp"
mv "$work/$n.\$1.tmp" "$work/$n.\$1.env"
if [ "$n" = a ] && [ "\$1" = phase1_up ]; then sleep 3; rm -f "$work/$n.\$1.spid"; exit 3; fi
rm -f "$work/$n.\$1.spid"
exit 0
HOOK
	chmod 755 "$work/hook-$n.sh"
	sed -i "/exchange_mode main;/a\\
	dpd_delay 2;\\
	dpd_retry 1;\\
	dpd_maxfail 3;\\
	script \"$work/hook-$n.sh\" phase1_up;\\
	script \"$work/hook-$n.sh\" phase1_down;\\
	script \"$work/hook-$n.sh\" phase1_dead;" "$work/$n.conf"
done

for n in a b; do
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$ipsecd" -F 2>>"$work/ipsecd-$n.log" &
	pids="$pids $!"
done
sleep 1
for n in a b; do
	ns=$(eval echo \$$n)
	check "setkey loads host $n's policies" \
	    ip netns exec "$ns" "$setkey" -f "$work/$n.setkey"
done
# start_racoon NAME LOG: with a variable in its environment and an
# inherited descriptor (100) that no script may see.
start_racoon() {
	local ns
	ns=$(eval echo \$$1)
	rm -f "$work/$1.pid"
	RACOON_SECRET_VAR=leak ip netns exec "$ns" bash -c 'exec 100>>"$1" &&
	    shift && exec "$@"' fd "$work/fd100" \
	    "$racoon" -F -d -f "$work/$1.conf" -l "$work/$2" &
	eval racoon_$1=$!
	pids="$pids $!"
	check "racoon $1 writes its pidfile" wait_for "$work/$1.pid" .
}
start_racoon a racoon-a.log
start_racoon b racoon-b.log

# envval FILE NAME
envval() { sed -n "s/^$2=//p" "$1"; }

# 1. Up, scripts, probes.
t0=$(date +%s%N)
check "ping A to B" ip netns exec "$a" ping -q -c 1 -W 3 $B
t1=$(date +%s%N)
echo "# first ping (phase 1, phase 2, A's phase1_up sleeping 3 s) took $(( (t1 - t0) / 1000000 )) ms"
check "the ping took under 2 s although A's phase1_up sleeps 3 s" \
    test $(( (t1 - t0) / 1000000 )) -lt 2000
check "A's phase1_up script is still running" \
    test -f "$work/a.phase1_up.spid"
check "B's phase1_up ran" wait_for "$work/b.phase1_up.env" .
e=$work/b.phase1_up.env
check "phase1_up: argv[1]" test "$(envval "$e" ARGV1)" = phase1_up
check "phase1_up: LOCAL_ADDR" test "$(envval "$e" LOCAL_ADDR)" = $B
check "phase1_up: LOCAL_PORT" test "$(envval "$e" LOCAL_PORT)" = 500
check "phase1_up: REMOTE_ADDR" test "$(envval "$e" REMOTE_ADDR)" = $A
check "phase1_up: REMOTE_PORT" test "$(envval "$e" REMOTE_PORT)" = 500
check "phase1_up: REMOTE_ID" test "$(envval "$e" REMOTE_ID)" = $A
check "phase1_up: INTERNAL_ADDR4 set (empty)" grep -qx "INTERNAL_ADDR4=" "$e"
check_not "phase1_up: racoon's environment is not passed on" \
    grep -q RACOON_SECRET_VAR "$e"
check "phase1_up: its descriptors listed" grep -q " 2 -> " "$work/b.phase1_up.fds"
check_not "phase1_up: none of racoon's descriptors is passed on" \
    grep -Eq "socket:|fd100|racoon-b.log|b.pid" "$work/b.phase1_up.fds"
check "A's phase1_up: REMOTE_ADDR" \
    test "$(envval "$work/a.phase1_up.env" REMOTE_ADDR)" = $B
check "A logs its script's exit status 3" wait_for \
    "$work/racoon-a.log" "hook-a.sh phase1_up (pid [0-9]*) exited with status 3"
check "B logs its script's exit status 0" grep -q \
    "hook-b.sh phase1_up (pid [0-9]*) exited with status 0" "$work/racoon-b.log"
check "A sends R-U-THERE and B acknowledges" wait_for \
    "$work/racoon-a.log" "DPD R-U-THERE-ACK [0-9]* received"
check "B sends R-U-THERE and A acknowledges" wait_for \
    "$work/racoon-b.log" "DPD R-U-THERE-ACK [0-9]* received"
ip netns exec "$b" "$racoonctl" -s "$work/b.sock" status -f json \
    >"$work/st.json"
check "racoonctl status on B: DPD active, acknowledged, its settings" \
    python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["phase1"][0]
d = p["dpd"]
assert p["state"] == "established" and d["active"] and d["peer_supports"]
assert (d["delay"], d["retry"], d["maxfail"]) == (2, 1, 3), d
assert d["last_ack_age"] is not None and d["last_ack"] > 0, d
assert d["unanswered"] in (0, 1), d' "$work/st.json"
ip netns exec "$b" "$racoonctl" -s "$work/b.sock" show-event \
    >"$work/events-b.txt" 2>&1 &
pids="$pids $!"
sleep 3
check_not "no one is declared dead while both live" \
    grep -q "seems to be dead" "$work/racoon-a.log" "$work/racoon-b.log"
check "B still holds the SA pair" test "$(sa_count "$b")" = 2

# 2. A frozen: B declares it dead; A, thawed, obeys B's DELETEs.
kill -STOP "$racoon_a"
t0=$(date +%s%N)
check "B declares A dead" wait_for "$work/racoon-b.log" \
    "DPD: remote (ISAKMP-SA spi=[0-9a-f:]*) seems to be dead" 90
t1=$(date +%s%N)
echo "# frozen A declared dead after $(( (t1 - t0) / 1000000 )) ms (bound 5000)"
check "... within dpd_delay + dpd_retry * dpd_maxfail + 2 s" \
    test $(( (t1 - t0) / 1000000 )) -le 7000
check "B's phase1_dead ran" wait_for "$work/b.phase1_dead.env" .
e=$work/b.phase1_dead.env
check "phase1_dead: argv[1]" test "$(envval "$e" ARGV1)" = phase1_dead
check "phase1_dead: REMOTE_ADDR" test "$(envval "$e" REMOTE_ADDR)" = $A
check "phase1_dead: REMOTE_ID" test "$(envval "$e" REMOTE_ID)" = $A
check "B's phase1_down ran" wait_for "$work/b.phase1_down.env" .
check "B purged the IPsec-SAs" grep -q \
    "purged IPsec-SA proto_id=ESP spi=[0-9]*: the peer is dead" \
    "$work/racoon-b.log"
check "B's SAD is empty" test "$(sa_count "$b")" = 0
check "show-event on B: dead peer detected" grep -q \
    "^Phase 1 error: dead peer detected : $B\[500\] -> $A\[500\]" \
    "$work/events-b.txt"
check "show-event on B: phase 1 deleted" grep -q \
    "^Phase 1 deleted : $B\[500\] -> $A\[500\]" "$work/events-b.txt"
check "racoonctl status on B counts the dead peer" sh -c \
    "ip netns exec $b $racoonctl -s $work/b.sock status |
    grep -q 'dead peers 1'"
kill -CONT "$racoon_a"
check "A, alive again, obeys B's DELETE for the ISAKMP-SA" wait_for \
    "$work/racoon-a.log" "ISAKMP-SA expired: deleted by the peer"
sleep 1
check "A's SAD is empty" test "$(sa_count "$a")" = 0

# 3. Up again; A killed without a word.
rm -f "$work"/b.phase1_*.env
check "ping A to B again" ip netns exec "$a" ping -q -c 1 -W 3 $B
check "B holds a new SA pair" test "$(sa_count "$b")" = 2
kill -KILL "$racoon_a"
wait "$racoon_a" 2>/dev/null
t0=$(date +%s%N)
check "B declares the killed A dead" wait_for "$work/b.phase1_dead.env" . 90
t1=$(date +%s%N)
echo "# killed A declared dead after $(( (t1 - t0) / 1000000 )) ms (bound 5000)"
check "... within dpd_delay + dpd_retry * dpd_maxfail + 2 s" \
    test $(( (t1 - t0) / 1000000 )) -le 7000
check "B's SAD is empty again" test "$(sa_count "$b")" = 0

# 4. A gateway with generated policies, a client in Aggressive Mode.
kill "$racoon_b"
wait "$racoon_b" 2>/dev/null
cat >"$work/g.conf" <<CONF
path pre_shared_key "$work/b.psk";
path pidfile "$work/b.pid";
listen { adminsock disabled; }
remote anonymous {
	exchange_mode main, aggressive;
	passive on;
	generate_policy on;
	dpd_delay 2;
	dpd_retry 1;
	dpd_maxfail 3;
	script "$work/hook-b.sh" phase1_dead;
	proposal {
		encryption_algorithm 3des;
		hash_algorithm md5;
		authentication_method pre_shared_key;
		dh_group modp1024;
	}
}
sainfo anonymous {
	pfs_group 768;
	encryption_algorithm 3des;
	authentication_algorithm hmac_md5;
	compression_algorithm deflate;
}
CONF
sed 's/exchange_mode main;/exchange_mode aggressive;/' "$work/a.conf" \
    >"$work/a-aggr.conf"
check "B's policies flushed" ip netns exec "$b" "$setkey" -FP
# The killed A left its SAs behind, as a rebooting client would not.
check "A's stale SAs flushed" ip netns exec "$a" "$setkey" -F
rm -f "$work"/b.phase1_*.env
start_racoon_conf() {	# NAME CONF LOG
	local ns
	ns=$(eval echo \$$1)
	rm -f "$work/$1.pid"
	ip netns exec "$ns" "$racoon" -F -d -f "$work/$2" -l "$work/$3" &
	eval racoon_$1=$!
	pids="$pids $!"
	check "racoon $1 ($2) writes its pidfile" wait_for "$work/$1.pid" .
}
start_racoon_conf b g.conf racoon-g.log
start_racoon_conf a a-aggr.conf racoon-a3.log
check "ping A to the gateway (Aggressive Mode)" \
    ip netns exec "$a" ping -q -c 1 -W 3 $B
check "the gateway generated policies for A" test \
    "$(ip netns exec "$b" "$setkey" -DP | grep -c "^$A\|^$B")" -ge 2
check "DPD announced in Aggressive Mode: A probes the gateway" wait_for \
    "$work/racoon-a3.log" "DPD R-U-THERE-ACK [0-9]* received"
kill -KILL "$racoon_a"
wait "$racoon_a" 2>/dev/null
check "the gateway declares A dead" wait_for "$work/b.phase1_dead.env" . 90
check "the gateway's SAD is empty" test "$(sa_count "$b")" = 0
check "the gateway's generated policies are gone" test \
    "$(ip netns exec "$b" "$setkey" -DP | grep -c "^$A\|^$B")" = 0
check "the gateway logs their deletion" grep -q \
    "deleted the generated policy: $A/32\[0\] $B/32" "$work/racoon-g.log"
[ $fail = 0 ] || { tail -40 "$work/racoon-a.log"
    tail -40 "$work/racoon-b.log"; tail -30 "$work/racoon-g.log"; }
exit $fail
