#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# racoon and strongSwan's charon over IPv6: gateways fd79::1 (racoon,
# ipsecd) and fd79::2 (charon), a tunnel between fd79:1::/64 and
# fd79:2::/64, ESP in UDP 4500 over IPv6 (kernel-libipsec fakes a NAT
# there too).  Main Mode (aes256-sha256-modp2048, then aes128gcm16 with
# PFS ecp256) and Aggressive Mode with FQDN identities, each started by
# either side: the ISAKMP-SA between the IPv6 addresses on both sides,
# charon's CHILD_SA, the IPsec-SA pair in racoon's kernel, and pings
# both ways.  tshark dissects the capture with no malformed-packet
# warning.
set -u
. "$(dirname "$0")/lib.sh"

interop_setup ipv6

for role in racoon charon; do
	for mode in main aggressive; do
		tag="$role initiates $mode mode over IPv6"
		echo "# $tag"
		clear_sas
		if [ $mode = main ]; then
			check "$tag: set up" eval 'charon_conf \
			    aes256-sha256-modp2048 aes128gcm16-ecp256 &&
			    racoon_conf main aes_256/sha256/modp2048 \
			    "aes_gcm_16 128|" ecp256'
		else
			check "$tag: set up" eval 'charon_conf $P1S $P2S aggr=yes \
			    lid=charon.example.net rid=racoon.example.net &&
			    racoon_conf aggressive $P1R "$P2R" "" \
			    id=racoon.example.net peer=charon.example.net'
		fi
		nsa=$(grep -c "IPsec-SA established" "$work/racoon.log")
		initiate $role
		check "$tag: racoon establishes the ISAKMP-SA" \
		    racoon_logs "ISAKMP-SA established $R\[4500\]-$C\[4500\]"
		check "$tag: charon's IKE_SA is between the IPv6 addresses" \
		    eval 'swan --list-sas | grep -q "^  local  .* @ $C\[4500\]"'
		check "$tag: racoon installs both IPsec-SAs" \
		    count_at_least "$work/racoon.log" \
		    "IPsec-SA established: ESP/Tunnel" $((nsa + 2))
		check "$tag: charon installs the CHILD_SA" \
		    within 50 charon_has_child
		check "$tag: ping from racoon's subnet to charon's" \
		    pings "$rns" $RH $CH
		check "$tag: ping from charon's subnet to racoon's" \
		    pings "$cns" $CH $RH
	done
done
clear_sas

capture_ok
check "the capture holds ISAKMP and ESP over IPv6" \
    eval 'grep -q "$C → $R *ISAKMP" "$work/wire.txt" &&
    grep -q "$R → $C *ESP" "$work/wire.txt"'
interop_exit
