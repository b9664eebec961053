#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Phase 1 renewed under traffic against strongSwan's charon, each side
# in turn, while pings cross every 0.2 s.
#  1. racoon's ISAKMP-SA lives 15 s: racoon renegotiates phase 1 before
#     it expires (its phase 2 being up), without INITIAL-CONTACT, and
#     deletes the old one; charon takes the new IKE_SA as a
#     reauthentication and moves the CHILD_SA under it.
#  2. charon reauthenticates every 8 s: racoon answers each new Main
#     Mode, obeys the DELETE of the old ISAKMP-SA and keeps its IPsec-SA
#     pair.
# No ping is lost beyond two, and the IPsec-SAs are the first ones
# throughout.  tshark dissects the capture with no malformed-packet
# warning.
set -u
. "$(dirname "$0")/lib.sh"

interop_setup

# first_child: the SPIs of charon's CHILD_SA net{1}, from its log.
first_child() {
	sed -n 's/.*CHILD_SA net{1} established with SPIs \([0-9a-f]*\)_i \([0-9a-f]*\)_o.*/\1 \2/p' \
	    "$work/charon.log" | head -1
}
# only_pair SPI SPI: racoon's kernel holds exactly these two SAs.
only_pair() {
	local d
	d=$(ip netns exec "$rns" "$setkey" -D)
	test "$(grep -c " spi=" <<<"$d")" = 2 &&
	    grep -q "(0x$1)" <<<"$d" && grep -q "(0x$2)" <<<"$d"
}
# ic_count: Main Mode messages 5 from racoon with INITIAL-CONTACT.
ic_count() {
	grep -c "parsed ID_PROT request 0 \[ ID HASH N(INITIAL_CONTACT) \]" \
	    "$work/charon.log"
}

tag="racoon renews phase 1"
echo "# $tag"
check "$tag: set up" eval 'charon_conf $P1S $P2S &&
    racoon_conf main $P1R "$P2R" "" p1life=15 life=600'
initiate racoon
check "$tag: the tunnel comes up" within 50 charon_has_child
pair=$(first_child)
check "$tag: pings across the renewal" pings_during 90
check "$tag: racoon renegotiates phase 1 for its phase 2" \
    racoon_logs "renegotiating phase1 to $C due to active phase2"
check "$tag: racoon has a second ISAKMP-SA" \
    test "$(grep -c "ISAKMP-SA established" "$work/racoon.log")" = 2
check "$tag: without INITIAL-CONTACT the second time" test "$(ic_count)" = 1
check "$tag: charon moves the CHILD_SA to the new IKE_SA" \
    charon_logs "detected reauth of existing IKE_SA, adopting 1 children"
check "$tag: racoon deletes the old ISAKMP-SA" \
    racoon_logs "sending delete for the ISAKMP-SA"
check "$tag: charon obeys" charon_logs "received DELETE for IKE_SA ic\[1\]"
check "$tag: racoon keeps its first pair ($pair)" only_pair $pair
check "$tag: charon keeps its CHILD_SA" charon_has_child

tag="charon reauthenticates"
echo "# $tag"
clear_sas
check "$tag: set up" eval 'charon_conf $P1S $P2S reauth=8 &&
    racoon_conf main $P1R "$P2R" ""'
nph1=$(grep -c "ISAKMP-SA established" "$work/racoon.log")
initiate charon
check "$tag: the tunnel comes up" within 50 charon_has_child
sad0=$(sad_spis)
check "$tag: pings across the reauthentications" pings_during 70
check "$tag: charon reauthenticates" \
    charon_logs "reauthenticating IKE_SA ic\[[0-9]*\]"
check "$tag: racoon answers each new Main Mode" \
    test "$(grep -c "ISAKMP-SA established" "$work/racoon.log")" -ge $((nph1 + 2))
check "$tag: racoon obeys the DELETE of the old ISAKMP-SA" \
    racoon_logs "ISAKMP-SA expired: deleted by the peer"
check_not "$tag: racoon purges no IPsec-SA" \
    racoon_logs "purged IPsec-SA" 1
check "$tag: racoon keeps its first pair" \
    eval 'test -n "$sad0" && test "$(sad_spis)" = "$sad0"'
check "$tag: charon keeps its CHILD_SA" charon_has_child
clear_sas

capture_ok
interop_exit
