#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Aggressive Mode with pre-shared keys (issue 15) and NAT-T against
# strongSwan's charon, both roles, each side naming itself by FQDN
# (racoon.example.net, charon.example.net) and finding the other's key
# by that name (racoon's psk.txt has no address entry; verify_identifier
# is on): each gives an ISAKMP-SA in Aggressive Mode on both sides with
# the peer's FQDN, the IPsec-SA pair, charon's CHILD_SA, pings both ways
# between the subnets, and charon's DELETE obeyed by racoon.  Then
# charon names itself mallory.example.net, which racoon's remote (whose
# peers_identifier is charon.example.net) does not take, whoever starts:
# racoon refuses it, installs nothing and goes on.  tshark dissects the
# capture, Aggressive Mode included, with no malformed-packet warning.
set -u
. "$(dirname "$0")/lib.sh"

interop_setup

IKE=AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048
RID=racoon.example.net CID=charon.example.net

for role in racoon charon; do
	tag="$role initiates"
	echo "# $tag"
	clear_sas
	check "$tag: charon loads the connection" charon_conf $P1S $P2S \
	    aggr=yes lid=$CID rid=$RID
	check "$tag: racoon loads the configuration" \
	    racoon_conf aggressive $P1R "$P2R" "" id=$RID peer=$CID
	nsa=$(grep -c "IPsec-SA established" "$work/racoon.log")
	initiate $role
	check "$tag: racoon runs Aggressive Mode" \
	    racoon_logs "begin Aggressive mode"
	check "$tag: charon runs Aggressive Mode" \
	    charon_logs "$([ $role = racoon ] &&
	    echo "is initiating a Aggressive Mode IKE_SA" ||
	    echo "initiating Aggressive Mode IKE_SA")"
	check "$tag: racoon establishes the ISAKMP-SA" \
	    racoon_logs "ISAKMP-SA established"
	check "$tag: charon's IKE_SA is $IKE" \
	    eval 'swan --list-sas | grep -A4 "^ic: #.*ESTABLISHED, IKEv1" |
	    grep -q "^  $IKE\$"'
	check "$tag: charon's IKE_SA names racoon by its FQDN" \
	    eval 'swan --list-sas | grep -q "^  remote .$RID. @ $R\[4500\]"'
	check "$tag: racoon installs both IPsec-SAs" \
	    count_at_least "$work/racoon.log" \
	    "IPsec-SA established: ESP/Tunnel" $((nsa + 2))
	check "$tag: charon installs the CHILD_SA" within 50 charon_has_child
	check "$tag: ping from racoon's subnet to charon's" \
	    pings "$rns" $RH $CH
	check "$tag: ping from charon's subnet to racoon's" \
	    pings "$cns" $CH $RH
	swan --terminate --ike ic --timeout 5 >/dev/null 2>&1
	check "$tag: charon's DELETE reaches racoon" \
	    racoon_logs "ISAKMP-SA deleted"
done

for role in charon racoon; do
	tag="$role initiates, charon names itself mallory.example.net"
	echo "# $tag"
	clear_sas
	check "$tag: charon loads the connection" charon_conf $P1S $P2S \
	    aggr=yes lid=mallory.example.net rid=$RID
	n=$(grep -c "IPsec-SA established" "$work/racoon.log")
	initiate $role
	if [ $role = charon ]; then
		check "$tag: racoon refuses the first message" racoon_logs \
		    "no remote allows Aggressive mode with this proposal and ID"
	else
		check "$tag: racoon refuses the second message" racoon_logs \
		    "peer's ID FQDN \"mallory.example.net\" does not match"
	fi
	check_not "$tag: racoon establishes no ISAKMP-SA" \
	    racoon_logs "ISAKMP-SA established" 1
	check "$tag: racoon installs no new SA" \
	    test "$(grep -c "IPsec-SA established" "$work/racoon.log")" = "$n"
	check_not "$tag: charon has no CHILD_SA" charon_has_child
	check "$tag: racoon is still running" kill -0 "$racoon_pid"
done
clear_sas

# racoon as a roadwarrior gateway: remote anonymous, generate_policy, no
# policy of its own; charon, the client, comes in Aggressive Mode.
tag="racoon as a roadwarrior gateway"
echo "# $tag"
swan --terminate --ike ic --force --timeout 3 >/dev/null 2>&1
check "$tag: charon loads the connection" charon_conf $P1S $P2S \
    aggr=yes lid=charon.example.net rid=racoon.example.net
check "$tag: racoon loads the configuration" \
    racoon_conf aggressive $P1R "$P2R" "" id=racoon.example.net \
    peer=charon.example.net gw=1
check "$tag: racoon's SPD is empty" \
    eval 'ip netns exec "$rns" "$setkey" -DP | grep -q "No SPD entries"'
log_mark
nsa=$(grep -c "IPsec-SA established" "$work/racoon.log")
swan --initiate --child net --ike ic --timeout 5 >"$work/initiate.out" 2>&1
check "$tag: racoon generates the policies" \
    racoon_logs "installed the generated policy: .* dir=fwd"
check "$tag: racoon installs both IPsec-SAs" \
    count_at_least "$work/racoon.log" "IPsec-SA established: ESP/Tunnel" \
    $((nsa + 2))
check "$tag: charon installs the CHILD_SA" within 50 charon_has_child
check "$tag: ping from charon's subnet to racoon's" pings "$cns" $CH $RH
check "$tag: ping from racoon's subnet to charon's" pings "$rns" $RH $CH
ip netns exec "$rns" "$setkey" -DP >"$work/gw.DP" 2>&1
for d in out in fwd; do
	check "$tag: setkey -DP shows the generated $d policy" \
	    test "$(grep -c "^	$d ipsec" "$work/gw.DP")" = 1
done
swan --terminate --ike ic --timeout 5 >/dev/null 2>&1
check "$tag: charon's DELETE takes the generated policies" \
    racoon_logs "deleted the generated policy: .* dir=fwd"
check "$tag: racoon's SPD is empty again" \
    eval 'ip netns exec "$rns" "$setkey" -DP | grep -q "No SPD entries"'

capture_ok
check "the capture holds Aggressive Mode and ESP" \
    eval 'grep -q "Aggressive" "$work/wire.txt" &&
    grep -q "ESP (SPI=" "$work/wire.txt"'
interop_exit
