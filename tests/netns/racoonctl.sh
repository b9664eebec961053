#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# racoonctl and the admin socket with a live tunnel (issue 19), the
# article's two hosts, each racoon with its own admin socket:
#  - establish-sa -w brings the tunnel up before any traffic;
#  - show-sa isakmp (and -l), show-sa esp, status and status -f json
#    (parsed and checked against setkey -D) show it; show-schedule
#    lists its timers;
#  - show-event on B reports phase 1 up and down;
#  - delete-sa esp takes the IPsec-SAs down on both sides, flush-sa
#    ipsec and flush-sa isakmp too, vpn-disconnect everything, and
#    vpn-connect brings a phase 1 up again;
#  - reload-config applies a changed sainfo lifetime, and nat_traversal
#    force, whose NAT-T state status -f json then shows.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
racoonctl=$BUILD/src/racoonctl/racoonctl
a=ctA$$ b=ctB$$
A=10.84.1.100 B=10.84.2.100
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
article_host $A $B a
article_host $B $A b
for n in a b; do
	sed -i "s|adminsock disabled;|adminsock \"$work/run-$n/$n.sock\" \"root\" \"root\" 0660;|" \
	    "$work/$n.conf"
done

article_daemons a b
check "the admin socket is there with mode 0660" \
    test "$(stat -c %a "$work/run-a/a.sock")" = 660
check "racoon made the socket's missing directory, mode 0700" \
    test "$(stat -c %a "$work/run-a")" = 700

# ctl NAME ARGS...: racoonctl on host NAME's socket.
ctl() {
	local n=$1 ns
	shift
	ns=$(eval echo \$$n)
	ip netns exec "$ns" "$racoonctl" -s "$work/run-$n/$n.sock" "$@"
}
# sa_wait NS N: until the namespace's SAD holds N SAs (3 s at most).
sa_wait() {
	local i
	for i in $(seq 30); do
		[ "$(sa_count "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

check "show-sa isakmp: no SA yet" test "$(ctl a ss isakmp | wc -l)" = 1
# B reports what happens to its phase 1s.
ctl b show-event >"$work/events-b.txt" 2>&1 &
evpid=$!
pids="$pids $evpid"
sleep 0.3

# 1. establish-sa before any traffic.
check "establish-sa -w esp brings the tunnel up" \
    timeout 10 ip netns exec "$a" "$racoonctl" -s "$work/run-a/a.sock" \
    establish-sa -w esp inet $A $B any
check "A holds an SA pair, no packet sent yet" sa_wait "$a" 2
check "B holds the SA pair" sa_wait "$b" 2
check "ping A to B over it" ip netns exec "$a" ping -q -c 1 -W 3 $B

# 2. show-sa, status, schedule.
ctl a show-sa isakmp >"$work/ss.txt"
check "show-sa isakmp: ipsec-tools' header" \
    grep -q "^Destination            Cookies                           Created$" "$work/ss.txt"
check "show-sa isakmp: the ISAKMP-SA with B" \
    grep -Eq "^$B\.500 +[0-9a-f]{16}:[0-9a-f]{16} [0-9]{4}-" "$work/ss.txt"
check "show-sa -l isakmp: state, side, exchange" \
    sh -c "ip netns exec $a $racoonctl -l -s $work/run-a/a.sock ss isakmp |
    grep -Eq '^$B\.500 +[0-9a-f:]{33}  3 I 10 M .* +1 \$'"
check "show-sa esp: both SAs in setkey's layout" test \
    "$(ctl a show-sa esp | grep -c '^	esp mode=transport')" = 2
ctl a status >"$work/st.txt"
check "status: the phase 1" grep -q "$A\[500\] -> $B\[500\] .* established initiator main" "$work/st.txt"
check "status: the counters" grep -q "phase 1 started 1, established 1" "$work/st.txt"
ctl a status -f json >"$work/st.json"
ip netns exec "$a" "$setkey" -D >"$work/sad.txt"
check "status -f json parses and matches the SAD" python3 - "$work/st.json" \
    "$work/sad.txt" $A $B <<'PY'
import json, re, sys
st = json.load(open(sys.argv[1]))
sad = open(sys.argv[2]).read()
A, B = sys.argv[3], sys.argv[4]
spis = {int(x, 16) for x in re.findall(r'spi=\d+\((0x[0-9a-f]+)\)', sad)}
assert st["version"] == 1 and st["pid"] > 0
p1 = st["phase1"]
assert len(p1) == 1, p1
p = p1[0]
assert p["local"] == A + "[500]" and p["remote"] == B + "[500]", p
assert p["state"] == "established" and p["role"] == "initiator", p
assert p["exchange"] == "main" and p["remote_id"] == B, p
assert p["encryption"] == "3des-cbc" or p["encryption"].startswith("3des"), p
assert len(p["icookie"]) == 16 and len(p["rcookie"]) == 16, p
assert p["lifetime"] > 0 and 0 <= p["age"] <= p["lifetime"], p
assert p["nat_t"]["version"] is not None and p["nat_t"]["peer_behind_nat"] is False
assert p["dpd"]["peer_supports"] is True and p["dpd"]["active"] is False
p2 = [x for x in st["phase2"] if x["state"] == "established"]
assert len(p2) == 1, st["phase2"]
sa = p2[0]["sas"][0]
assert sa["protocol"] == "esp" and sa["mode"] == "transport", sa
assert {int(sa["spi_in"], 16), int(sa["spi_out"], 16)} == spis, (sa, spis)
assert p2[0]["phase1_icookie"] == p["icookie"]
c = st["counters"]
assert c["phase1"]["started"] == 1 and c["phase1"]["established"] == 1, c
assert c["phase2"]["established"] == 1, c
d = c["dropped"]
for k in ("total", "malformed", "unknown_sa", "unexpected",
          "undecryptable", "informational", "dpd", "half_open_cap",
          "socket_filter"):
    assert isinstance(d[k], int), c
assert d["total"] == sum(d[k] for k in ("malformed", "unknown_sa",
    "unexpected", "undecryptable", "informational", "dpd")), d
PY
check "show-schedule: the phase 1 lifetime timer" \
    sh -c "ip netns exec $a $racoonctl -s $work/run-a/a.sock sc | grep -q PH1lifetime"

# 3. delete-sa esp: both sides lose the SAs.
check "delete-sa esp" ctl a delete-sa esp inet $A $B any
check "A's SAD is empty" sa_wait "$a" 0
check "B's SAD is empty (B obeyed the DELETE)" sa_wait "$b" 0
check "delete-sa of nothing is an error" \
    sh -c "! ip netns exec $a $racoonctl -s $work/run-a/a.sock ds esp inet $A $B any 2>/dev/null"

# 4. flush-sa ipsec, then flush-sa isakmp.
check "establish-sa -w again (phase 1 reused)" timeout 10 \
    ip netns exec "$a" "$racoonctl" -s "$work/run-a/a.sock" es -w esp inet $A $B
check "flush-sa ipsec" ctl a flush-sa ipsec
check "flush-sa ipsec: A's SAD is empty" sa_wait "$a" 0
check "flush-sa ipsec: B's SAD is empty" sa_wait "$b" 0
check "flush-sa isakmp" ctl a flush-sa isakmp
sleep 0.5
check "flush-sa isakmp: B's ISAKMP-SA is gone too" \
    sh -c "! ip netns exec $b $racoonctl -s $work/run-b/b.sock -l ss isakmp |
    grep -q ' 3 R '"
check "show-event on B: phase 1 established" wait_for \
    "$work/events-b.txt" "^Phase 1 established : $B\[500\] -> $A\[500\]"
check "show-event on B: phase 1 deleted" wait_for \
    "$work/events-b.txt" "^Phase 1 deleted : $B\[500\] -> $A\[500\]"
check "show-event on B: phase 2 established" \
    grep -q "^Phase 2 established : " "$work/events-b.txt"
check "show-event on B: phase 2 deleted" \
    grep -q "^Phase 2 deleted : $B\[500\] -> $A\[500\]" "$work/events-b.txt"

# 5. reload-config: a new sainfo lifetime is used by the next phase 2.
sed -i 's/pfs_group 768;/pfs_group 768;\n\tlifetime time 600 sec;/' "$work/a.conf"
check "reload-config" ctl a reload-config
check "racoon logs the reload" grep -q "configuration loaded" "$work/racoon-a.log"
check "establish-sa isakmp -w" timeout 10 \
    ip netns exec "$a" "$racoonctl" -s "$work/run-a/a.sock" es -w isakmp inet $A $B
check "establish-sa isakmp of a live one is no error (EEXIST)" \
    ctl a es isakmp inet $A $B
check "establish-sa -w esp under it" timeout 10 \
    ip netns exec "$a" "$racoonctl" -s "$work/run-a/a.sock" es -w esp inet $A $B
check "the phase 2 has the reloaded lifetime" sh -c \
    "ip netns exec $a $racoonctl -s $work/run-a/a.sock st -f json |
    python3 -c 'import json,sys; s=json.load(sys.stdin);
assert any(p[\"lifetime\"] == 600 and p[\"state\"] == \"established\"
    for p in s[\"phase2\"]), s[\"phase2\"]'"

# 6. vpn-disconnect: everything with B goes, on both sides.
check "vpn-disconnect" ctl a vpn-disconnect $B
check "vpn-disconnect: A's SAD is empty" sa_wait "$a" 0
ip netns exec "$a" "$setkey" -D >"$work/sad-a-end.txt"
check "vpn-disconnect: B's SAD is empty" sa_wait "$b" 0
check "show-sa isakmp on A: nothing established" \
    sh -c "! ip netns exec $a $racoonctl -s $work/run-a/a.sock -l ss isakmp |
    grep -q ' 3 I '"
check "racoon A logs the admin's deletes" \
    grep -q "deleted by racoonctl" "$work/racoon-a.log"
check "vpn-connect -w: a phase 1 from the address towards B" timeout 10 \
    ip netns exec "$a" "$racoonctl" -s "$work/run-a/a.sock" vc -w $B
check "show-sa -l isakmp: established again" sh -c \
    "ip netns exec $a $racoonctl -s $work/run-a/a.sock -l ss isakmp |
    grep -q ' 3 I '"
check "-d hex dumps the request and the reply" sh -c \
    "ip netns exec $a $racoonctl -d -s $work/run-a/a.sock rc 2>&1 |
    grep -q 'request (8 bytes)'"
check "vpn-disconnect again" ctl a vd $B


# 7. NAT-T in the status: nat_traversal force on both sides (no NAT
# needed), reloaded through racoonctl on each.
for n in a b; do
	sed -i 's/exchange_mode main;/exchange_mode main;\n\tnat_traversal force;/' \
	    "$work/$n.conf"
	check "reload-config on $n (nat_traversal force)" ctl $n rc
done
check "establish-sa -w esp with NAT-T forced" timeout 10 \
    ip netns exec "$a" "$racoonctl" -s "$work/run-a/a.sock" es -w esp inet $A $B
check "status -f json: NAT-T agreed, UDP encapsulation, port floated" \
    sh -c "ip netns exec $a $racoonctl -s $work/run-a/a.sock st -f json |
    python3 -c 'import json,sys; s=json.load(sys.stdin)
p=[x for x in s[\"phase1\"] if x[\"state\"] == \"established\"][0]
assert p[\"nat_t\"][\"version\"] == \"RFC 3947\", p[\"nat_t\"]
assert p[\"nat_t\"][\"port_floated\"] is True, p[\"nat_t\"]
assert p[\"remote\"].endswith(\"[4500]\"), p[\"remote\"]
q=[x for x in s[\"phase2\"] if x[\"state\"] == \"established\"][0]
assert q[\"sas\"][0][\"udp_encap\"] is True, q'"
kill "$evpid" 2>/dev/null
[ $fail = 0 ] || { cat "$work/events-b.txt"; tail -30 "$work/racoon-a.log"
    tail -20 "$work/racoon-b.log"; }
exit $fail
