#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Negotiations with strongSwan's charon that must fail, each started by
# either side: a wrong pre-shared key, no common phase 1 proposal, no
# common phase 2 proposal.  Each fails on both sides with the reason in
# both logs, leaves no IPsec-SA in racoon's kernel (ipsecd) nor in
# charon, and both daemons go on: a matching configuration then works
# with the same two processes.  What kernel-libipsec cannot do fails
# with charon's reason: without NAT-T in racoon ("only UDP encapsulation
# is supported"), transport mode ("unsupported mode"), AH (racoon
# refuses it across the NAT charon claims; without NAT-T, "protocol not
# supported").  tshark dissects the whole capture with no
# malformed-packet warning.
set -u
. "$(dirname "$0")/lib.sh"

interop_setup

# nothing_installed TAG: no SA on either side, both daemons alive.
nothing_installed() {
	check "$1: no mature SA in racoon's kernel" \
	    test "$(ip netns exec "$rns" "$setkey" -D | grep -c state=mature)" = 0
	check_not "$1: no CHILD_SA in charon" charon_has_child
	check_not "$1: racoon logs no IPsec-SA established" \
	    racoon_logs "IPsec-SA established" 1
	check "$1: racoon still runs" kill -0 "$racoon_pid"
	check "$1: charon still runs" kill -0 "$charon_pid"
}

t="racoon initiates, wrong PSK"
clear_sas
check "$t: set up" eval 'charon_conf $P1S $P2S &&
    racoon_conf main $P1R "$P2R" "" psk=not-the-key'
initiate racoon
# What charon makes of a message 5 decrypted with the wrong key depends
# on the garbage: a payload it cannot parse, or a HASH that differs.
check "$t: charon cannot decrypt racoon's message 5" \
    charon_logs "could not decrypt payloads\|HASH.*does not match"
check "$t: racoon gives up phase 1" \
    racoon_logs "phase1 negotiation failed due to time up"
check_not "$t: racoon never establishes an ISAKMP-SA" \
    racoon_logs "ISAKMP-SA established" 1
nothing_installed "$t"

t="charon initiates, wrong PSK"
clear_sas
initiate charon
check "$t: swanctl --initiate fails" grep -qv '^0$' "$work/initiate.rc"
check "$t: racoon refuses charon's message 5" \
    racoon_logs "ERROR: .*phase1 negotiation failed"
check "$t: charon gives up" \
    charon_logs "establishing IKE_SA failed, peer not responding"
nothing_installed "$t"

t="racoon initiates, no common phase 1 proposal"
clear_sas
check "$t: set up" eval 'charon_conf aes256-sha256-modp2048 $P2S &&
    racoon_conf main "3des/md5/modp1024 aes_128/sha256/ecp256" "$P2R" ""'
initiate racoon
check "$t: charon finds no proposal" charon_logs "no proposal found"
check "$t: racoon receives NO-PROPOSAL-CHOSEN" \
    racoon_logs "NO-PROPOSAL-CHOSEN"
check "$t: racoon gives up phase 1" \
    racoon_logs "phase1 negotiation failed"
nothing_installed "$t"

t="charon initiates, no common phase 1 proposal"
clear_sas
initiate charon
check "$t: racoon finds no proposal" \
    racoon_logs "no suitable proposal found"
check "$t: racoon sends NO-PROPOSAL-CHOSEN" \
    racoon_logs "sending notification NO-PROPOSAL-CHOSEN"
check "$t: charon receives NO_PROPOSAL_CHOSEN" \
    charon_logs "received NO_PROPOSAL_CHOSEN error notify"
nothing_installed "$t"

t="racoon initiates, no common phase 2 proposal"
clear_sas
check "$t: set up" eval 'charon_conf $P1S aes256-sha256,3des-md5 &&
    racoon_conf main $P1R "aes 128, aes 256|hmac_md5, hmac_sha1" ""'
initiate racoon
check "$t: racoon establishes the ISAKMP-SA" \
    racoon_logs "ISAKMP-SA established"
check "$t: charon finds no proposal" \
    charon_logs "no matching proposal found, sending NO_PROPOSAL_CHOSEN"
check "$t: racoon receives NO-PROPOSAL-CHOSEN" \
    racoon_logs "NO-PROPOSAL-CHOSEN received"
check "$t: racoon gives up phase 2" \
    racoon_logs "phase2 negotiation failed"
nothing_installed "$t"

t="charon initiates, no common phase 2 proposal"
clear_sas
initiate charon
check "$t: racoon finds no proposal" \
    racoon_logs "no suitable proposal found"
check "$t: charon receives NO_PROPOSAL_CHOSEN" \
    charon_logs "received NO_PROPOSAL_CHOSEN error notify"
nothing_installed "$t"

# kernel-libipsec only does ESP in UDP: with racoon's NAT-T off both
# phases agree, but charon cannot install its half and says why.
t="racoon initiates without nat_traversal"
clear_sas
check "$t: set up" eval 'charon_conf $P1S $P2S &&
    racoon_conf main $P1R "$P2R" "" natt=off'
initiate racoon
check "$t: charon selects the phase 2 proposal" \
    charon_logs "selected proposal: ESP:AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ"
check "$t: charon cannot install it: only UDP encapsulation" \
    charon_logs "IPsec SA: only UDP encapsulation is supported"
check_not "$t: no CHILD_SA in charon" charon_has_child
check "$t: racoon still runs" kill -0 "$racoon_pid"

# kernel-libipsec does ESP in tunnel mode only.
t="transport mode"
clear_sas
check "$t: set up" eval 'charon_conf $P1S $P2S mode=transport &&
    racoon_conf main $P1R "$P2R" "" mode=transport'
initiate charon
check "$t: charon selects the phase 2 proposal" \
    charon_logs "selected proposal: ESP:AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ"
check "$t: charon cannot install it: unsupported mode" \
    charon_logs "IPsec SA: unsupported mode"
check_not "$t: no CHILD_SA in charon" charon_has_child

t="AH with NAT-T"
clear_sas
check "$t: set up" eval 'charon_conf $P1S sha1 proto=ah &&
    racoon_conf main $P1R "$P2R" "" proto=ah'
initiate racoon
check "$t: racoon refuses AH across the NAT charon claims" \
    racoon_logs "the policy wants AH, which cannot pass the NAT"

t="AH without NAT-T"
clear_sas
check "$t: set up" eval 'racoon_conf main $P1R "$P2R" "" proto=ah natt=off'
initiate racoon
check "$t: charon selects AH" \
    charon_logs "selected proposal: AH:HMAC_SHA1_96/NO_EXT_SEQ"
check "$t: charon cannot install it: protocol not supported" \
    charon_logs "IPsec SA: protocol not supported"
check_not "$t: no CHILD_SA in charon" charon_has_child
check "$t: racoon still runs" kill -0 "$racoon_pid"

t="then a matching configuration"
clear_sas
check "$t: set up" eval 'charon_conf $P1S $P2S &&
    racoon_conf main $P1R "$P2R" ""'
initiate racoon
check "$t: racoon establishes the ISAKMP-SA" \
    racoon_logs "ISAKMP-SA established"
check "$t: racoon installs the IPsec-SAs" \
    racoon_logs "IPsec-SA established: ESP/Tunnel $R\[4500\]->$C\[4500\]"
check "$t: charon installs the CHILD_SA" within 50 charon_has_child
check "$t: ping through the tunnel" pings "$rns" $RH $CH
clear_sas

capture_ok
interop_exit
