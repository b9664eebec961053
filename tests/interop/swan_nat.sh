#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# charon as a roadwarrior behind a real NAT (nftables masquerade in a
# namespace of its own: charon 10.80.0.2 appears as 10.79.0.254) and
# racoon as the gateway (remote anonymous, passive, generate_policy, no
# policy of its own), in Main Mode (the `*' key) and in Aggressive Mode
# (FQDN identities).  Each round: both sides detect the NAT, the
# ISAKMP-SA floats to 4500 through it, racoon generates the policies
# and installs the SAs toward the NAT's address, pings cross both ways,
# and charon's DELETE removes the generated policies.  Between the NAT
# and racoon only UDP 500 and 4500 are seen (no bare ESP), and tshark
# dissects that capture with no malformed-packet warning.
set -u
. "$(dirname "$0")/lib.sh"

interop_setup nat

for mode in main aggressive; do
	tag="charon behind a NAT, $mode mode"
	echo "# $tag"
	clear_sas
	if [ $mode = main ]; then
		check "$tag: set up" eval 'charon_conf $P1S $P2S &&
		    racoon_conf main $P1R "$P2R" "" gw=1'
	else
		check "$tag: set up" eval 'charon_conf $P1S $P2S aggr=yes \
		    lid=charon.example.net rid=racoon.example.net &&
		    racoon_conf aggressive $P1R "$P2R" "" gw=1 \
		    id=racoon.example.net peer=charon.example.net'
	fi
	nsa=$(grep -c "IPsec-SA established" "$work/racoon.log")
	initiate charon
	check "$tag: racoon finds the peer behind a NAT" \
	    racoon_logs "NAT detected: PEER"
	check "$tag: charon finds itself behind a NAT" \
	    charon_logs "local host is behind NAT"
	check "$tag: the ISAKMP-SA runs on 4500 through the NAT" \
	    racoon_logs "ISAKMP-SA established $R\[4500\]-$N\[[0-9]*\]"
	check "$tag: racoon generates the policies" \
	    racoon_logs "installed the generated policy: .* dir=fwd"
	check "$tag: racoon's SAs go to the NAT's address" \
	    count_at_least "$work/racoon.log" \
	    "IPsec-SA established: ESP/Tunnel $R\[4500\]->$N\[" $((nsa / 2 + 1))
	check "$tag: charon installs the CHILD_SA" within 50 charon_has_child
	check "$tag: ping from charon's subnet to racoon's" pings "$cns" $CH $RH
	check "$tag: ping from racoon's subnet to charon's" pings "$rns" $RH $CH
	log_mark
	swan --terminate --ike ic --timeout 5 >/dev/null 2>&1
	check "$tag: charon's DELETE takes the generated policies" \
	    racoon_logs "deleted the generated policy: .* dir=fwd"
done

capture_ok
tcpdump -n -r "$work/wire.pcap" 'ip and not arp' 2>/dev/null >"$work/wire.tcpdump"
check "between the NAT and racoon: UDP 4500 from the NAT's address" \
    grep -q "IP $N\.[0-9]* > $R\.4500: UDP-encap" "$work/wire.tcpdump"
check "between the NAT and racoon: no bare ESP" \
    test "$(tcpdump -n -r "$work/wire.pcap" 'ip proto 50' 2>/dev/null | wc -l)" = 0
check "between the NAT and racoon: no address behind the NAT" \
    eval '! grep -q "10\.80\.0\." "$work/wire.tcpdump"'
interop_exit
