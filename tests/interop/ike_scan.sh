#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ike-scan probes racoon from a random source port.  Main Mode: a
# transform racoon has gets a Main Mode handshake naming it (3des-md5-
# modp1024, aes 256 with its key length, sha256, modp2048), the same one
# after forty transforms racoon lacks still does, one with a lifetime
# longer than racoon's (proposal_check strict) and ike-scan's default
# transforms get NO-PROPOSAL-CHOSEN; racoon retransmits its answer on its
# timer (ike-scan's backoff pattern) and gives up the half-open SAs.
# Then in Aggressive Mode: a handshake with racoon's ID and HASH_R, the
# HASH_R checked by psk-crack against a dictionary, and a refused
# transform.  tshark dissects every packet with no malformed-packet
# warning.
set -u
. "$(dirname "$0")/lib.sh"

interop_setup nocharon
check "racoon starts" racoon_conf main \
    "3des/md5/modp1024 aes_256/sha256/modp2048" "aes 128|hmac_sha1" ""

# scan NAME ARGS...: ike-scan from the other namespace into $work/NAME.
scan() {
	local name=$1
	shift
	ip netns exec "$cns" ike-scan --sport=0 --retry=1 --timeout=500 \
	    "$@" $R >"$work/$name.scan" 2>&1
}

scan 3des -M --lifetime=3600 --trans=5,1,1,2
check "3des-md5-modp1024: a Main Mode handshake" \
    grep -q "^$R	Main Mode Handshake returned" "$work/3des.scan"
check "3des-md5-modp1024: racoon's SA names the transform" \
    grep -q "SA=(Enc=3DES Hash=MD5 Auth=PSK Group=2:modp1024 LifeType=Seconds LifeDuration(4)=0x00000e10)" \
    "$work/3des.scan"

scan aes -M --trans="(1=7,14=256,2=4,3=1,4=14,11=1,12=3600)"
check "aes256-sha256-modp2048: a Main Mode handshake" \
    grep -q "^$R	Main Mode Handshake returned" "$work/aes.scan"
check "aes256-sha256-modp2048: racoon's SA has the key length" \
    grep -q "SA=(Enc=AES KeyLength=256 Hash=SHA2-256 Auth=PSK Group=14:modp2048 LifeType=Seconds LifeDuration=3600)" \
    "$work/aes.scan"

many=
for i in $(seq 40); do
	many="$many --trans=1,2,1,$((i % 5 + 1))"
done
scan many -M --lifetime=3600 $many --trans=5,1,1,2
check "the 41st of 41 transforms: a Main Mode handshake" \
    grep -q "Main Mode Handshake returned" "$work/many.scan"

scan long -M --lifetime=28800 --trans=5,1,1,2
check "a lifetime longer than racoon's: NO-PROPOSAL-CHOSEN" \
    grep -q "^$R	Notify message 14 (NO-PROPOSAL-CHOSEN)" "$work/long.scan"
scan default -M
check "ike-scan's default transforms: NO-PROPOSAL-CHOSEN" \
    grep -q "^$R	Notify message 14 (NO-PROPOSAL-CHOSEN)" "$work/default.scan"

# backoff_ok: four answers (the first and three resends), each resend
# 0.8 to 1.5 s after the one before (racoon.conf: counter 3, interval 1).
backoff_ok() {
	awk -F'\t' -v r=$R '$1 == r && $2 ~ /^[0-9]+$/ {
		n++
		if ($2 > 1 && ($4 < 0.8 || $4 > 1.5))
			bad = 1
	} END { exit !(n == 4 && !bad) }' "$work/backoff.scan"
}
scan backoff -M --lifetime=3600 --trans=5,1,1,2 --showbackoff=3
check "backoff: racoon resends its answer three times, a second apart" \
    backoff_ok
# Aggressive Mode: racoon answers with its ID and HASH_R; psk-crack,
# an independent implementation of that hash, finds the key in a
# dictionary that holds it and not in one that does not.
check "racoon reloads with Aggressive Mode allowed" racoon_conf \
    "main, aggressive" 3des/md5/modp1024 "aes 128|hmac_sha1" ""
scan aggr -A -M --id=probe.example --lifetime=3600 --trans=5,1,1,2 \
    --pskcrack="$work/aggr.crack"
check "Aggressive Mode: a handshake" \
    grep -q "^$R	Aggressive Mode Handshake returned" "$work/aggr.scan"
check "Aggressive Mode: racoon's ID is its address" \
    grep -q "ID(Type=ID_IPV4_ADDR, Value=$R)" "$work/aggr.scan"
check "Aggressive Mode: racoon announces DPD" \
    grep -q "(Dead Peer Detection v1.0)" "$work/aggr.scan"
printf 'guess\n%s\nother\n' "$PSK" >"$work/dict"
printf 'guess\nother\n' >"$work/dict-without"
check "psk-crack finds the key behind racoon's HASH_R" \
    eval 'psk-crack -d "$work/dict" "$work/aggr.crack" |
    grep -q "key \"$PSK\" matches MD5 hash"'
check "psk-crack finds nothing in a dictionary without it" \
    eval 'psk-crack -d "$work/dict-without" "$work/aggr.crack" |
    grep -q "no match found"'
scan aggr-bad -A -M --id=probe.example --lifetime=3600 --trans=7/128,2,1,2
check "Aggressive Mode, a transform racoon lacks: NO-PROPOSAL-CHOSEN" \
    grep -q "^$R	Notify message 14 (NO-PROPOSAL-CHOSEN)" \
    "$work/aggr-bad.scan"

check "racoon gives up the half-open SAs" \
    count_at_least "$work/racoon.log" "phase1 negotiation failed due to time up" 4 100
check "racoon still runs" kill -0 "$racoon_pid"

capture_ok
# The verdict itself: an SA payload longer than its message is flagged.
/usr/bin/python3 - "$work/bad.pcap" <<'PY'
import sys
from scapy.all import Ether, IP, UDP, Raw, wrpcap
hdr = bytes.fromhex("0011223344556677" "0000000000000000"
                    "01100200" "00000000" "00000028")
sa = bytes.fromhex("00000040" "00000001" "00000001" "00000000")
wrpcap(sys.argv[1], [Ether() / IP(src="10.79.0.1", dst="10.79.0.2") /
                     UDP(sport=500, dport=500) / Raw(hdr + sa)])
PY
check_not "tshark's verdict flags a malformed ISAKMP message" \
    tshark_verdict "$work/bad.pcap"
interop_exit
