#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Aggressive Mode with pre-shared keys (issue 15) against strongSwan's
# charon, both roles, each side naming itself by FQDN (racoon.example.net,
# charon.example.net) and finding the other's key by that name: each
# gives an ISAKMP-SA in Aggressive Mode on both sides, the IPsec-SA
# pair, charon's CHILD_SA and pings both ways between the subnets.  Then
# charon names itself mallory.example.net, which racoon's remote (whose
# peers_identifier is charon.example.net) does not take: racoon refuses
# the first message, installs nothing and goes on.  tshark dissects the
# capture, Aggressive Mode included, with no malformed-packet warning.
set -u
. "$(dirname "$0")/lib.sh"

interop_setup

P1S=aes128-sha1-modp2048 P1R=aes_128/sha1/modp2048
P2S=aes128-sha1 P2R="aes 128|hmac_sha1"
IKE=AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048

for role in racoon charon; do
	tag="$role initiates"
	echo "# $tag"
	swan --terminate --ike ic --force --timeout 3 >/dev/null 2>&1
	check "$tag: charon loads the connection" charon_conf $P1S $P2S \
	    aggr=yes lid=charon.example.net rid=racoon.example.net
	check "$tag: racoon loads the configuration" \
	    racoon_conf aggressive $P1R "$P2R" "" id=racoon.example.net \
	    peer=charon.example.net
	log_mark
	nsa=$(grep -c "IPsec-SA established" "$work/racoon.log")
	if [ $role = racoon ]; then
		ip netns exec "$rns" ping -c 1 -W 1 -I $RH $CH >/dev/null 2>&1
	else
		swan --initiate --child net --ike ic --timeout 5 \
		    >"$work/initiate.out" 2>&1
	fi
	check "$tag: racoon runs Aggressive Mode" \
	    racoon_logs "begin Aggressive mode"
	check "$tag: racoon establishes the ISAKMP-SA" \
	    racoon_logs "ISAKMP-SA established"
	check "$tag: charon's IKE_SA is $IKE" \
	    eval 'swan --list-sas | grep -A4 "^ic: #.*ESTABLISHED, IKEv1" |
	    grep -q "^  $IKE\$"'
	check "$tag: racoon installs both IPsec-SAs" \
	    count_at_least "$work/racoon.log" \
	    "IPsec-SA established: ESP/Tunnel" $((nsa + 2))
	check "$tag: charon installs the CHILD_SA" charon_has_child
	check "$tag: ping from racoon's subnet to charon's" \
	    pings "$rns" $RH $CH
	check "$tag: ping from charon's subnet to racoon's" \
	    pings "$cns" $CH $RH
	swan --terminate --ike ic --timeout 5 >/dev/null 2>&1
	check "$tag: charon's DELETE reaches racoon" \
	    racoon_logs "ISAKMP-SA deleted"
done

tag="charon names itself mallory.example.net"
echo "# $tag"
check "$tag: charon loads the connection" charon_conf $P1S $P2S \
    aggr=yes lid=mallory.example.net rid=racoon.example.net
log_mark
n=$(grep -c "IPsec-SA established" "$work/racoon.log")
swan --initiate --child net --ike ic --timeout 5 >"$work/initiate.out" 2>&1
check "$tag: racoon refuses the first message" \
    racoon_logs "no remote allows Aggressive mode with this proposal and ID"
check "$tag: racoon installs no new SA" \
    test "$(grep -c "IPsec-SA established" "$work/racoon.log")" = "$n"
check "$tag: charon has no CHILD_SA" eval '! charon_has_child'
check "racoon is still running" kill -0 "$racoon_pid"

check "tshark dissects every packet with no malformed-packet warning" \
    tshark_clean
check "the capture holds Aggressive Mode and ESP" \
    eval 'grep -q "Aggressive" "$work/wire.txt" &&
    grep -q "ESP (SPI=" "$work/wire.txt"'
[ $fail = 0 ] || { tail -30 "$work/racoon.log"; tail -40 "$work/charon.log"; }
exit $fail
