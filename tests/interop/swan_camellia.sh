#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Camellia in IKE phase 1 (RFC 4312's IKEv1 attribute 8, 128 and 256-bit
# keys) and in ESP (RFC 4312, transform 22) against strongSwan's charon
# with libgcrypt's Camellia (its gcrypt plugin, the openssl one not
# loaded): an implementation that shares nothing with the OpenSSL
# racoon and ipsecd call, for the cipher, the IKEv1 key derivation, IV
# chaining and padding, and ESP's framing through kernel-libipsec.  Both
# roles: each side must agree on the algorithms it reports, install the
# SAs, and pass pings both ways between the subnets; tshark dissects the
# capture cleanly.
set -u
. "$(dirname "$0")/lib.sh"

[ -f /usr/lib/ipsec/plugins/libstrongswan-gcrypt.so ] ||
    { echo "missing strongSwan's gcrypt plugin (libstrongswan-extra-plugins)"; exit 77; }
charon_crypto=gcrypt
interop_setup
check "charon's crypto is libgcrypt's, not OpenSSL's" eval \
    'grep "loaded plugins:" "$work/charon.log" | grep -q " gcrypt " &&
    ! grep "loaded plugins:" "$work/charon.log" | grep -q openssl'

# round ROLE SWAN_P1 RACOON_P1 IKE SWAN_P2 RACOON_P2 ESP E: ROLE starts;
# charon must report IKE (swanctl --list-sas) and select ESP, ipsecd's
# SAD must hold E both ways.
round() {
	local tag="$1 initiates, $2 + $5" ike=$4 nph1 nsa
	echo "# $tag"
	clear_sas
	check "$tag: charon loads the connection" charon_conf "$2" "$5"
	check "$tag: racoon loads the configuration" \
	    racoon_conf main "$3" "$6" ""
	nph1=$(grep -c "ISAKMP-SA established" "$work/racoon.log")
	nsa=$(grep -c "IPsec-SA established" "$work/racoon.log")
	initiate "$1"
	check "$tag: racoon establishes the ISAKMP-SA" count_at_least \
	    "$work/racoon.log" "ISAKMP-SA established" $((nph1 + 1))
	check "$tag: charon's IKE_SA is $4" eval 'swan --list-sas |
	    grep -A4 "^ic: #.*ESTABLISHED, IKEv1" | grep -q "^  $ike\$"'
	check "$tag: charon selected $7" charon_logs "selected proposal: $7\$"
	check "$tag: racoon installs both IPsec-SAs" count_at_least \
	    "$work/racoon.log" "IPsec-SA established: ESP/Tunnel" $((nsa + 2))
	ip netns exec "$rns" "$setkey" -D >"$work/sad.txt" 2>&1
	check "$tag: setkey -D shows $8 both ways" \
	    test "$(grep -c "E: $8 " "$work/sad.txt")" = 2
	check "$tag: charon installs the CHILD_SA" within 50 charon_has_child
	check "$tag: ping from racoon's subnet to charon's" pings "$rns" $RH $CH
	check "$tag: ping from charon's subnet to racoon's" pings "$cns" $CH $RH
}

for role in racoon charon; do
	round $role camellia128-sha1-modp2048 camellia_128/sha1/modp2048 \
	    CAMELLIA_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048 \
	    camellia128-sha1 "camellia 128|hmac_sha1" \
	    ESP:CAMELLIA_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ camellia-cbc
	round $role camellia256-sha256-modp2048 camellia_256/sha256/modp2048 \
	    CAMELLIA_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048 \
	    camellia256-sha256 "camellia 256|hmac_sha256" \
	    ESP:CAMELLIA_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ camellia-cbc
done
capture_ok
interop_exit
