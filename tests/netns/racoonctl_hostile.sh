#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The admin socket against those it must refuse and what it must not
# swallow (issue 19), with a live tunnel that must come through intact:
#  - adminsock "path" "root" "root" 0660: the socket file has that mode;
#    nobody cannot connect; with the file opened up behind racoon's back
#    (chmod 0666) racoon still refuses nobody on its credentials; a
#    member of the socket's group (as a supplementary group) is let in;
#  - malformed requests (tests/netns/admin_hostile.py: short, over- and
#    under-long, unknown command, version, protocol, format, SA index
#    cut short or with a bad family or prefix, trailing bytes, a remote
#    name without NUL) each get an error reply (or, cut short, are
#    dropped after the idle timeout), are logged, and change nothing;
#  - IKE garbage (short, malformed, unknown cookies) shows in status
#    -f json under its drop reason;
#  - a request trickled in a byte at a time is dropped 5 s after the
#    connection, not kept alive by each byte;
#  - adminsock disabled: no socket; the default path is ipsec-tools'.
#  - racoonctl against a hostile socket (admin_fake.py): an ISAKMP-SA
#    record dated 10^11 years on (past
#    what localtime() knows), terminal escapes in text.
set -u
. "$(dirname "$0")/lib.sh"
ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
racoonctl=$BUILD/src/racoonctl/racoonctl
here=$(cd "$(dirname "$0")" && pwd)
a=chA$$ b=chB$$
A=10.85.1.100 B=10.85.2.100
work=$(mktemp -d)
chmod 755 "$work"
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
sed -i "s|adminsock disabled;|adminsock \"$work/a.sock\" \"root\" \"root\" 0660;|" \
    "$work/a.conf"
article_daemons a b
check "ping A to B: the tunnel is up" ip netns exec "$a" ping -q -c 1 -W 3 $B
ctl() {
	ip netns exec "$a" "$racoonctl" -s "$work/a.sock" "$@"
}
status_json() {
	ctl status -f json >"$1" && python3 -c 'import json,sys
s = json.load(open(sys.argv[1]))
assert [p["state"] for p in s["phase1"]] == ["established"]
assert [p["state"] for p in s["phase2"]] == ["established"]' "$1"
}
check "status before: one phase 1, one phase 2" status_json "$work/before.json"

# Refusal.
check "the socket is root:root 0660" \
    test "$(stat -c '%U:%G %a' "$work/a.sock")" = "root:root 660"
check_not "nobody cannot connect" ip netns exec "$a" setpriv --reuid=65534 \
    --regid=65534 --clear-groups "$racoonctl" -s "$work/a.sock" ss isakmp
chmod 0666 "$work/a.sock"
ip netns exec "$a" setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$racoonctl" -s "$work/a.sock" ss isakmp >"$work/nobody.txt" 2>&1
check "nobody is refused on its credentials when the file lets it in" \
    grep -q "racoon: Permission denied" "$work/nobody.txt"
check "racoon logs the refusal" grep -q \
    "admin: connection from uid 65534 refused" "$work/racoon-a.log"
check "root still gets through" ctl ss isakmp
chmod 0660 "$work/a.sock"
check "nobody with root as a supplementary group gets through (group rw)" \
    ip netns exec "$a" setpriv --reuid=65534 --regid=65534 --groups=0 \
    "$racoonctl" -s "$work/a.sock" ss isakmp

# Malformed requests.
ip netns exec "$a" python3 "$here/admin_hostile.py" "$work/a.sock" \
    >"$work/hostile.txt" 2>&1
cat "$work/hostile.txt"
# errno values of Linux: EINVAL 22, EMSGSIZE 90, EOPNOTSUPP 95,
# EPROTONOSUPPORT 93, ENOENT 2.
for c in "len-below-header 22" "len-over-limit 90" \
    "bad-version 93" "unknown-command 95" "data-after-reload 22" \
    "show-sa-bad-proto 22" "status-bad-format 22" "delete-short-index 22" \
    "delete-bad-family 22" "delete-bad-prefix 22" "delete-trailing 22" \
    "establish-bad-name 22" "establish-name-for-esp 22" \
    "delete-unknown 2"; do
	check "malformed: $c" grep -qx "$c" "$work/hostile.txt"
done
check "a request cut short is dropped after the idle timeout" grep -qx \
    "cut-short closed" "$work/hostile.txt"
check "a header cut short is dropped after the idle timeout" grep -qx \
    "short-header closed" "$work/hostile.txt"
check "a request trickled in a byte at a time is dropped at the deadline" \
    grep -qx "trickle closed" "$work/hostile.txt"
check "racoon logs the malformed requests" test \
    "$(grep -c 'admin: malformed request' "$work/racoon-a.log")" -ge 13
check "racoon logs the idle connections" grep -q \
    "admin: request not complete within 5 s" "$work/racoon-a.log"
check "racoon A still runs" kill -0 "$(cat "$work/a.pid")"
check "status after: the same phase 1 and phase 2" status_json "$work/after.json"
check "the tunnel still carries traffic" \
    ip netns exec "$a" ping -q -c 1 -W 3 $B
# IKE garbage from B's address: counted by reason in the status.
ip netns exec "$b" python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(b"junk", (sys.argv[2], 500))
hdr = bytes(range(1, 9)) + bytes(range(9, 17)) + bytes([8, 0x10, 5, 0]) + \
    bytes(4) + (28).to_bytes(4, "big")
s.sendto(hdr, (sys.argv[2], 500))
s.sendto(hdr[:24] + (999).to_bytes(4, "big"), (sys.argv[2], 500))' $B $A
sleep 0.3
check "status counts the short, malformed and unknown-SA datagrams" sh -c \
    "ip netns exec $a $racoonctl -s $work/a.sock st -f json |
    python3 -c 'import json,sys; d=json.load(sys.stdin)[\"counters\"][\"dropped\"]
assert d[\"malformed\"] >= 1 and d[\"unknown_sa\"] >= 1, d
assert d[\"socket_filter\"] >= 1 and d[\"total\"] >= 2, d'"
check_not "racoonctl refuses a bad family" ctl ds esp inet6 $A $B
check_not "racoonctl refuses an unknown command" ctl frobnicate

# disabled, and the default path.
check_not "adminsock disabled: B has no socket" \
    sh -c "ls $work/*.sock | grep -q b.sock"
check "the default path is ipsec-tools' (racoon -C)" sh -c \
    "printf 'remote $B { exchange_mode main; proposal { encryption_algorithm aes; hash_algorithm sha1; authentication_method pre_shared_key; dh_group modp2048; } }\n' >$work/d.conf &&
    $racoon -C -f $work/d.conf | grep -q 'adminsock \"[^\"]*/racoon/racoon.sock\"'"
# racoonctl does not trust the socket: a hostile "racoon".
python3 "$here/admin_fake.py" "$work/fake.sock" 2 &
fake=$!
pids="$pids $fake"
for i in $(seq 50); do test -S "$work/fake.sock" && break; sleep 0.1; done
"$racoonctl" -s "$work/fake.sock" ss isakmp >"$work/fake-ss.txt" 2>&1
check "racoonctl prints an ISAKMP-SA record dated 10^11 years on" \
    grep -q "^10.0.0.2.500 .*0102030405060708:090a0b0c0d0e0f10 ?" \
    "$work/fake-ss.txt"
"$racoonctl" -s "$work/fake.sock" status >"$work/fake-st.txt" 2>&1
check "racoonctl passes no escape sequence from the socket to the terminal" \
    python3 -c 'import sys
b = open(sys.argv[1], "rb").read()
assert b"\\033]0;owned\\007" in b, b
assert not [c for c in b if (c < 32 and c not in b"\n\t") or c > 126], b' \
    "$work/fake-st.txt"
check "racoonctl shows the text around them" grep -q "^Phase 1 SAs" \
    "$work/fake-st.txt"
wait "$fake"
exit $fail
