#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Phase 2 rekeying and DELETE against strongSwan's charon, under traffic.
#  1. swanctl --terminate --child: charon's DELETE removes racoon's pair
#     while the ISAKMP-SA stays.
#  2. charon starts the tunnel with a CHILD_SA that rekeys at 5 s and
#     lives 8 s: charon runs the new Quick Mode, racoon answers, both
#     drop the old pair at its lifetime and keep the new one; pings every
#     0.2 s go on throughout.
#  3. racoon starts the tunnel with a sainfo lifetime of 10 s: at its
#     soft lifetime (8 s) racoon rekeys, then deletes the replaced pair
#     once the new one is in use, and charon closes its old CHILD_SA on
#     that DELETE; pings go on throughout.
#  4. racoon stops (SIGTERM): its DELETEs remove charon's CHILD_SA and
#     IKE_SA.
# tshark dissects the whole capture with no malformed-packet warning.
set -u
. "$(dirname "$0")/lib.sh"

interop_setup

P1S=aes128-sha256-modp2048 P1R=aes_128/sha256/modp2048
P2S=aes256-sha256-modp2048 P2R="aes 256|hmac_sha256"

# newest: the SPIs of the last pair racoon installed, the same way.
newest() {
	grep "IPsec-SA established" "$work/racoon.log" | tail -2 |
	    sed -n 's/.* spi=\([0-9]*\)(.*/\1/p' | sort -n | tr '\n' ' '
}
# child_spis N: the SPIs (hex) of charon's CHILD_SA net{N}, from its log.
child_spis() {
	sed -n "s/.*CHILD_SA net{$1} established with SPIs \([0-9a-f]*\)_i \([0-9a-f]*\)_o.*/\1 \2/p" \
	    "$work/charon.log" | head -1
}
# kernel_has SPI...: every one of these SPIs (hex) is in racoon's kernel;
# none given is false.
kernel_has() {
	local d spi
	[ $# -gt 0 ] || return 1
	d=$(ip netns exec "$rns" "$setkey" -D)
	for spi; do
		grep -q "(0x$spi)" <<<"$d" || return 1
	done
}
# kernel_lacks SPI...: none of these SPIs (hex) is in racoon's kernel.
kernel_lacks() {
	local d spi
	d=$(ip netns exec "$rns" "$setkey" -D)
	for spi; do
		grep -q "(0x$spi)" <<<"$d" && return 1
	done
	return 0
}
# children: how many CHILD_SAs charon lists as installed.
children() {
	swan --list-sas 2>/dev/null | grep -c "net: #.*INSTALLED"
}

tag="charon deletes the CHILD_SA"
echo "# $tag"
check "$tag: set up" eval 'charon_conf $P1S $P2S &&
    racoon_conf main $P1R "$P2R" modp2048'
initiate charon
check "$tag: the tunnel comes up" within 50 charon_has_child
log_mark
swan --terminate --child net --timeout 5 >/dev/null 2>&1
check "$tag: racoon purges both SAs" \
    racoon_logs "purged IPsec-SA proto_id=ESP"
check "$tag: racoon's kernel holds no SA" eval 'test -z "$(sad_spis)"'
check "$tag: the ISAKMP-SA stays on both sides" eval \
    'swan --list-sas | grep -q "^ic: #.*ESTABLISHED" &&
    ! racoon_logs "ISAKMP-SA deleted" 1'

tag="charon rekeys"
echo "# $tag"
clear_sas
check "$tag: set up" eval 'charon_conf $P1S $P2S rekey=5 life=8 &&
    racoon_conf main $P1R "$P2R" modp2048 life=60'
nresp=$(grep -c "respond new phase 2 negotiation" "$work/racoon.log")
initiate charon
check "$tag: the tunnel comes up" within 50 charon_has_child
n=$(swan --list-sas | sed -n 's/^  net: #\([0-9]*\),.*/\1/p' | head -1)
check "$tag: pings across the rekey" pings_during 40
check "$tag: charon ran a second Quick Mode" \
    charon_logs "CHILD_SA net{$((n + 1))} established"
check "$tag: racoon answered it" \
    test "$(grep -c "respond new phase 2 negotiation" "$work/racoon.log")" \
    -ge $((nresp + 2))
check_not "$tag: racoon started no negotiation" \
    grep -q "initiate new phase" "$work/racoon.log"
check "$tag: charon closes the old CHILD_SA at its lifetime" \
    charon_logs "closing expired CHILD_SA net{$n}"
# racoon took charon's 8 s, so its copy goes at the same moment: by
# charon's DELETE or its own hard lifetime, whichever comes first.
old=$(child_spis $n) new=$(child_spis $((n + 1)))
check "$tag: racoon's kernel drops the old pair ($old)" \
    within 30 "kernel_lacks $old"
check "$tag: racoon's kernel holds the new pair ($new)" kernel_has $new

tag="racoon rekeys"
echo "# $tag"
clear_sas
check "$tag: set up" eval 'charon_conf $P1S $P2S &&
    racoon_conf main $P1R "$P2R" modp2048 life=10'
nini=$(grep -c "initiate new phase 2" "$work/racoon.log")
initiate racoon
check "$tag: the tunnel comes up" eval 'racoon_logs "IPsec-SA established" &&
    within 50 charon_has_child'
check "$tag: pings across the rekey" pings_during 60
check "$tag: racoon reaches the soft lifetime" \
    racoon_logs "IPsec-SA soft lifetime reached"
check "$tag: racoon runs a second Quick Mode" \
    test "$(grep -c "initiate new phase 2" "$work/racoon.log")" -ge $((nini + 2))
check "$tag: racoon deletes the replaced pair" \
    racoon_logs "sending delete for IPsec-SA"
check "$tag: charon closes the old CHILD_SA on that DELETE" \
    charon_logs "received DELETE for ESP CHILD_SA"
check "$tag: racoon's kernel holds the newest pair only" \
    eval 'test "$(sad_spis)" = "$(newest)"'
check "$tag: charon has one CHILD_SA" test "$(children)" = 1

tag="racoon stops"
echo "# $tag"
log_mark
kill -TERM "$racoon_pid"
check "$tag: racoon exits" wait_for "$work/racoon.log" "racoon stopped"
racoon_pid=
check "$tag: charon obeys the DELETE of the CHILD_SA" \
    charon_logs "received DELETE for ESP CHILD_SA"
check "$tag: charon obeys the DELETE of the IKE_SA" \
    charon_logs "received DELETE for IKE_SA"
check "$tag: charon has nothing left" \
    eval '! swan --list-sas | grep -q "^ic: #"'

capture_ok
interop_exit
