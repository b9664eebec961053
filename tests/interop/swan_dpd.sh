#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Dead peer detection (RFC 3706) against strongSwan's charon, both with
# a DPD delay of 1 s (racoon: dpd_retry 1, dpd_maxfail 2; charon:
# dpd_timeout 3 s).  While both live, each sends R-U-THERE and the other
# acknowledges it.  charon frozen (SIGSTOP): racoon finds it dead, purges
# its SAs and keeps running; charon, thawed, drops the tunnel too.
# racoon frozen: charon's DPD times out and it drops the IKE_SA; racoon,
# thawed, ends with no SA either.  A new tunnel then comes up.  tshark
# dissects the capture with no malformed-packet warning.
set -u
. "$(dirname "$0")/lib.sh"

interop_setup

# no_sa: racoon's kernel holds no SA.
no_sa() {
	ip netns exec "$rns" "$setkey" -D | grep -q "^No SAD entries"
}

tag="both alive"
echo "# $tag"
check "$tag: set up" eval 'charon_conf $P1S $P2S dpd=1 &&
    racoon_conf main $P1R "$P2R" "" dpd=1'
initiate racoon
check "$tag: the tunnel comes up" within 50 charon_has_child
check "$tag: racoon's R-U-THERE is acknowledged by charon" \
    racoon_logs "DPD R-U-THERE-ACK [0-9]* received"
check "$tag: racoon acknowledges charon's R-U-THERE" \
    racoon_logs "DPD R-U-THERE [0-9]* received, ACK sent"
check "$tag: charon sends DPD requests" charon_logs "sending DPD request"
check "$tag: pings cross" pings "$rns" $RH $CH

tag="charon frozen"
echo "# $tag"
log_mark
kill -STOP "$charon_pid"
check "$tag: racoon finds it dead" \
    racoon_logs "DPD: remote (ISAKMP-SA spi=.*) seems to be dead"
check "$tag: racoon purges its IPsec-SAs" \
    racoon_logs "purged IPsec-SA proto_id=ESP spi=[0-9]*: the peer is dead"
check "$tag: racoon's kernel holds no SA" within 30 no_sa
kill -CONT "$charon_pid"
check "$tag: thawed, charon drops the tunnel" \
    within 80 '! swan --list-sas 2>/dev/null | grep -q "^ic: #"'
check "$tag: racoon still runs" kill -0 "$racoon_pid"

tag="racoon frozen"
echo "# $tag"
clear_sas
initiate racoon
check "$tag: the tunnel comes up again" within 50 charon_has_child
log_mark
kill -STOP "$racoon_pid"
check "$tag: charon's DPD times out" \
    charon_logs "DPD check timed out" 80
check "$tag: charon drops the IKE_SA" \
    within 30 '! swan --list-sas 2>/dev/null | grep -q "^ic: #"'
kill -CONT "$racoon_pid"
check "$tag: thawed, racoon ends with no SA" within 80 no_sa
check "$tag: racoon still runs" kill -0 "$racoon_pid"

tag="afterwards"
echo "# $tag"
initiate racoon
check "$tag: a new tunnel comes up" within 50 charon_has_child
check "$tag: pings cross" pings "$rns" $RH $CH
clear_sas

capture_ok
interop_exit
