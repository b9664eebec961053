#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Main Mode with pre-shared keys and NAT-T (kernel-libipsec wants ESP in
# UDP) against strongSwan's charon, both roles, one charon and one racoon
# for every combination (swanctl --load-all and SIGHUP between them, and
# charon's DELETE of the ISAKMP-SA ending each):
# the four phase 1 proposals of issue 18 with one phase 2, the four phase 2
# proposals with and without PFS, and a list in which only the second
# entry matches, on either side and in either phase.  Each combination
# must give an ISAKMP-SA on both sides with the algorithms expected and
# the IPsec-SA pair in racoon's kernel (ipsecd) with the ones charon says
# it selected, charon's CHILD_SA installed, and pings both ways between
# the subnets.  tshark must dissect every packet of the capture (ESP in
# UDP included) with no malformed-packet warning.
set -u
. "$(dirname "$0")/lib.sh"

interop_setup

# teardown: charon deletes the ISAKMP-SA (a DELETE racoon must obey).
teardown() {
	local n
	swan --list-sas 2>/dev/null | grep -q "^ic: #" || return 0
	n=$(grep -c "ISAKMP-SA deleted" "$work/racoon.log")
	swan --terminate --ike ic --timeout 5 >/dev/null 2>&1
	count_at_least "$work/racoon.log" "ISAKMP-SA deleted" $((n + 1)) ||
	    { echo "FAIL charon's DELETE of the ISAKMP-SA reaches racoon";
	    fail=1; }
}

# round ROLE TAG SWAN_P1 RACOON_P1 SWAN_P2 RACOON_P2 PFS IKE ESP E A
# ROLE is who initiates (racoon or charon); IKE and ESP are what charon
# must report for phase 1 (swanctl --list-sas) and phase 2 (its log's
# "selected proposal"); E and A the algorithms setkey -D must show.
round() {
	local role=$1 tag=$2 ike=$8 esp=$9 e=${10} a=${11} nsa nph1
	echo "# $tag"
	teardown
	check "$tag: charon loads the connection" charon_conf "$3" "$5"
	check "$tag: racoon loads the configuration" \
	    racoon_conf main "$4" "$6" "$7"
	nsa=$(grep -c "IPsec-SA established" "$work/racoon.log")
	nph1=$(grep -c "ISAKMP-SA established" "$work/racoon.log")
	initiate $role
	check "$tag: racoon establishes the ISAKMP-SA" \
	    count_at_least "$work/racoon.log" "ISAKMP-SA established" \
	    $((nph1 + 1))
	check "$tag: charon's IKE_SA is $ike" \
	    eval 'swan --list-sas | grep -A4 "^ic: #.*ESTABLISHED, IKEv1" |
	    grep -q "^  $ike\$"'
	check "$tag: charon selected $esp" \
	    charon_logs "selected proposal: $esp\$"
	check "$tag: racoon installs both IPsec-SAs" \
	    count_at_least "$work/racoon.log" "IPsec-SA established: ESP/Tunnel" \
	    $((nsa + 2))
	ip netns exec "$rns" "$setkey" -D >"$work/sad.txt" 2>&1
	check "$tag: setkey -D shows $e${a:+ and $a} both ways" \
	    test "$(grep -c "E: $e " "$work/sad.txt")" = 2 -a \
	    "$(grep -c "A: $a " "$work/sad.txt")" = "$([ -n "$a" ] &&
	    echo 2 || echo 0)"
	check "$tag: charon installs the CHILD_SA" within 50 charon_has_child
	check "$tag: ping from racoon's subnet to charon's" pings "$rns" $RH $CH
	check "$tag: ping from charon's subnet to racoon's" pings "$cns" $CH $RH
}

# Phase 1 proposals of issue 18, phase 2 aes128-sha1 without PFS.
p2s=aes128-sha1 p2r="aes 128|hmac_sha1" p2esp=ESP:AES_CBC_128/HMAC_SHA1_96
for role in racoon charon; do
	for p1 in \
	    "3des-md5-modp1024 3des/md5/modp1024 3DES_CBC/HMAC_MD5_96/PRF_HMAC_MD5/MODP_1024" \
	    "aes128-sha1-modp2048 aes_128/sha1/modp2048 AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048" \
	    "aes256-sha256-modp2048 aes_256/sha256/modp2048 AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" \
	    "aes128-sha256-ecp256 aes_128/sha256/ecp256 AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256"; do
		set -- $p1
		round $role "$role initiates, phase 1 $1" "$1" "$2" \
		    $p2s "$p2r" "" "$3" $p2esp/NO_EXT_SEQ aes-cbc hmac-sha1
	done
done

# Phase 2 proposals with and without PFS, phase 1 aes128-sha1-modp2048.
p1s=aes128-sha1-modp2048 p1r=aes_128/sha1/modp2048
p1ike=AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048
for role in racoon charon; do
	for p2 in \
	    "aes128-sha1 aes+128|hmac_sha1 AES_CBC_128/HMAC_SHA1_96 aes-cbc hmac-sha1" \
	    "aes256-sha256 aes+256|hmac_sha256 AES_CBC_256/HMAC_SHA2_256_128 aes-cbc hmac-sha256" \
	    "aes128gcm16 aes_gcm_16+128| AES_GCM_16_128 aes-gcm-16 -" \
	    "3des-md5 3des|hmac_md5 3DES_CBC/HMAC_MD5_96 3des-cbc hmac-md5"; do
		set -- $p2
		a=$5
		[ "$a" = - ] && a=
		for pfs in "" modp2048 ecp256; do
			# ecp256 once, with the last proposal only.
			[ "$pfs" = ecp256 ] && [ "$1" != 3des-md5 ] && continue
			s=$1 want=ESP:$3
			case $pfs in
			modp2048) s=$1-modp2048 want=$want/MODP_2048 ;;
			ecp256) s=$1-ecp256 want=$want/ECP_256 ;;
			esac
			round $role "$role initiates, phase 2 $s" $p1s $p1r \
			    "$s" "${2//+/ }" "$pfs" $p1ike "$want/NO_EXT_SEQ" \
			    "$4" "$a"
		done
	done
done

# Only the second entry matches.  racoon lists two phase 1 proposals and
# two phase 2 algorithms, charon accepts the second; then charon lists
# two and racoon accepts the second.
for role in racoon charon; do
	round $role "$role initiates, racoon's second entries match" \
	    aes256-sha256-modp2048 \
	    "3des/md5/modp1024 aes_256/sha256/modp2048" aes256-sha256 \
	    "3des, aes 256|hmac_md5, hmac_sha256" "" \
	    AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048 \
	    ESP:AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ aes-cbc hmac-sha256
	round $role "$role initiates, charon's second entries match" \
	    3des-md5-modp1024,aes128-sha256-ecp256 aes_128/sha256/ecp256 \
	    3des-md5,aes128-sha1 "aes 128|hmac_sha1" "" \
	    AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256 \
	    ESP:AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ aes-cbc hmac-sha1
done
teardown

capture_ok
check "the capture holds Main Mode, Quick Mode, Informational and ESP" \
    eval 'grep -q "Identity Protection (Main Mode)" "$work/wire.txt" &&
    grep -q "Quick Mode" "$work/wire.txt" &&
    grep -q "Informational" "$work/wire.txt" &&
    grep -q "ESP (SPI=" "$work/wire.txt"'
interop_exit
