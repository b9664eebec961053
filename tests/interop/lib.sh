# SPDX-License-Identifier: BSD-2-Clause
# Sourced by the interop scenarios (tests/suite.sh does not run it): two
# gateways joined by a veth pair, one running ipsecd and racoon (namespace
# $rns, 10.79.0.1, subnet 10.79.1.0/24, one address of it on lo), the other
# strongSwan's charon with kernel-libipsec (namespace $cns, 10.79.0.2,
# subnet 10.79.2.0/24), a capture of the link for tshark, and helpers to
# reload either side's configuration between combinations without
# restarting the daemons.
#
# charon is isolated from any other charon on the host by its own mount
# namespace (unshare -m) with a private directory bind-mounted over /run,
# so that its pid file is its own; its vici socket and log live in $work.
# kernel-libipsec comes before kernel-netlink in the static plugin list so
# that it supplies the IPsec half of the kernel interface (ESP in user
# space through a TUN device, always in UDP 4500); charon's sockets carry
# firewall mark 0x42, which its routing rule for table 220 excludes.

. "$(dirname "${BASH_SOURCE[0]}")/../netns/lib.sh"

ipsecd=${BUILD:?}/src/ipsecd/ipsecd
setkey=$BUILD/src/setkey/setkey
racoon=$BUILD/src/racoon/racoon
charon=/usr/lib/ipsec/charon

rns=irR$$ cns=irC$$ nns=irN$$
R=10.79.0.1 C=10.79.0.2 N=10.79.0.254
RNET=10.79.1.0/24 CNET=10.79.2.0/24 RH=10.79.1.1 CH=10.79.2.1
PSK=interop-7f3a91c2e5d84b06
# The proposals most scenarios use: charon's (swanctl) and racoon's.
P1S=aes128-sha1-modp2048 P1R=aes_128/sha1/modp2048
P2S=aes128-sha1 P2R="aes 128|hmac_sha1"
charon_from=1 racoon_from=1
work=$(mktemp -d)
chmod 755 "$work"
pids=
charon_pid= racoon_pid= tcpdump_pid=

interop_cleanup() {
	local p
	[ -n "$racoon_pid" ] && kill "$racoon_pid" 2>/dev/null
	[ -n "$charon_pid" ] && kill "$charon_pid" 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.3
	[ -n "$charon_pid" ] && kill -9 "$charon_pid" 2>/dev/null
	ip netns del "$rns" 2>/dev/null
	ip netns del "$cns" 2>/dev/null
	ip netns del "$nns" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then
		echo "kept $work"
	else
		rm -rf "$work"
	fi
}
trap interop_cleanup EXIT

# interop_tools: exit 77 naming what is missing.
interop_tools() {
	local t
	for t in "$charon" /usr/sbin/swanctl /usr/bin/tshark \
	    /usr/bin/ike-scan /usr/bin/tcpdump; do
		[ -x "$t" ] || { echo "missing $t"; exit 77; }
	done
	[ -f /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
	    { echo "missing kernel-libipsec (libcharon-extra-plugins)"; exit 77; }
}

# swan ARGS...: swanctl against our charon.
swan() {
	STRONGSWAN_CONF=$work/strongswan.conf \
	    swanctl "$1" --uri "unix://$work/charon.vici" "${@:2}"
}

# charon_start: charon in $cns with $work/strongswan.conf; its crypto
# plugin is $charon_crypto (default openssl; gcrypt for libgcrypt's).
charon_start() {
	mkdir -p "$work/run"
	cat >"$work/strongswan.conf" <<CONF
charon {
	load_modular = no
	load = random nonce aes sha1 sha2 md5 hmac gmp pem pkcs1 x509 pubkey ${charon_crypto:-openssl} kernel-libipsec kernel-netlink socket-default vici
	i_dont_care_about_security_and_use_aggressive_mode_psk = yes
	retransmit_tries = 2
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	install_virtual_ip = no
	filelog {
		log {
			path = $work/charon.log
			time_format = %T
			default = 1
			ike = 2
			cfg = 2
			enc = 1
			flush_line = yes
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
	plugins {
		socket-default {
			fwmark = 0x42
		}
		kernel-netlink {
			fwmark = !0x42
		}
		kernel-libipsec {
			allow_peer_ts = yes
		}
		vici {
			socket = unix://$work/charon.vici
		}
	}
}
swanctl {
	load = pem pkcs1 x509 pubkey openssl random
}
CONF
	ip netns exec "$cns" unshare -m --propagation private sh -c \
	    'mount --bind "$1" /run && exec env STRONGSWAN_CONF="$2" "$3"' \
	    sh "$work/run" "$work/strongswan.conf" "$charon" \
	    >"$work/charon.out" 2>&1 &
	charon_pid=$!
	wait_for "$work/charon.log" "loaded plugins" 100 &&
	    { for _ in $(seq 50); do
		[ -S "$work/charon.vici" ] && return 0; sleep 0.1; done;
	    return 1; }
}

# interop_setup [nocharon] [ipv6] [nat]: namespaces, ipsecd, charon,
# capture.  With ipv6 the gateways and subnets are fd79::1, fd79::2,
# fd79:1::/64 and fd79:2::/64 instead (R, C, RNET, CNET, RH, CH change).
# With nat charon is 10.80.0.2 behind namespace $nns, which masquerades
# it as $N (10.79.0.254) on racoon's link.
interop_setup() {
	local a v6=0 start=1 nat=0
	for a; do
		case $a in
		nocharon) start=0 ;;
		ipv6) v6=1 ;;
		nat) nat=1 ;;
		esac
	done
	interop_tools
	if [ $nat = 1 ]; then
		C=10.80.0.2
		netns_pair "$rns" "$nns" veth0 veth0 $R/24 $N/24 || exit 1
		ip netns add "$cns" || exit 1
		ip -n "$nns" link add veth1 type veth peer name veth0 netns "$cns"
		ip -n "$nns" addr add 10.80.0.1/24 dev veth1
		ip -n "$cns" addr add $C/24 dev veth0
		ip -n "$nns" link set veth1 up
		ip -n "$cns" link set lo up
		ip -n "$cns" link set veth0 up
		ip -n "$cns" route add default via 10.80.0.1
		nat_masquerade "$nns" veth0
		ip -n "$rns" addr add $RH/32 dev lo
		ip -n "$cns" addr add $CH/32 dev lo
		for a in "$rns" "$nns" "$cns"; do
			ip netns exec "$a" sysctl -qw \
			    net.ipv6.conf.all.disable_ipv6=1
		done
	elif [ $v6 = 1 ]; then
		R=fd79::1 C=fd79::2 RNET=fd79:1::/64 CNET=fd79:2::/64
		RH=fd79:1::1 CH=fd79:2::1
		netns_pair "$rns" "$cns" veth0 veth0 10.79.0.1/24 10.79.0.2/24 \
		    $R/64 $C/64 || exit 1
		ip -n "$rns" addr add $RH/128 dev lo
		ip -n "$cns" addr add $CH/128 dev lo
	else
		netns_pair "$rns" "$cns" veth0 veth0 $R/24 $C/24 || exit 1
		# Each subnet is one address on lo (this kernel has no dummy).
		ip -n "$rns" addr add $RH/32 dev lo
		ip -n "$cns" addr add $CH/32 dev lo
		ip netns exec "$rns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$cns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	fi
	# --immediate-mode: each packet reaches tcpdump at once, not with a
	# filled ring block, so that none is lost when it is stopped.
	ip netns exec "$rns" tcpdump --immediate-mode -U -n -i veth0 \
	    -w "$work/wire.pcap" 2>"$work/tcpdump.err" &
	tcpdump_pid=$!
	pids="$pids $tcpdump_pid"
	# On a loaded machine tcpdump may take seconds to attach.
	check "tcpdump captures racoon's link" \
	    wait_for "$work/tcpdump.err" "listening on" 100
	ip netns exec "$rns" "$ipsecd" -F -d 2>"$work/ipsecd.log" &
	pids="$pids $!"
	if [ $start = 1 ]; then
		check "charon starts with kernel-libipsec" charon_start
		check "charon loaded kernel-libipsec" grep -q \
		    "loaded plugins:.*kernel-libipsec" "$work/charon.log"
	fi
	sleep 0.3
}

# charon_conf P1 P2 [KEY=VALUE...]: swanctl.conf for one connection
# "ic" (child "net") and load it, replacing what was loaded.  P1 and P2
# are swanctl proposal strings; optional settings: aggr=yes,
# lid=ID, rid=ID (identities), psk=SECRET, rekey=SECONDS (child),
# life=SECONDS (child), mode=transport (between the gateways), proto=ah
# (P2 as ah_proposals), dpd=SECONDS (dpd_delay; dpd_timeout 3 s),
# reauth=SECONDS (the IKE_SA's reauthentication, default 3000).
charon_conf() {
	local p1=$1 p2=$2 aggr=no lid=$C rid=$R psk=$PSK rekey=3000 life=3600
	local mode=tunnel proto=esp lts=$CNET rts=$RNET dpd=0 reauth=3000
	shift 2
	local kv
	for kv in "$@"; do
		case $kv in
		aggr=*) aggr=${kv#*=} ;;
		lid=*) lid=${kv#*=} ;;
		rid=*) rid=${kv#*=} ;;
		psk=*) psk=${kv#*=} ;;
		rekey=*) rekey=${kv#*=} ;;
		life=*) life=${kv#*=} ;;
		mode=*) mode=${kv#*=} lts=$C/32 rts=$R/32 ;;
		proto=*) proto=${kv#*=} ;;
		dpd=*) dpd=${kv#*=} ;;
		reauth=*) reauth=${kv#*=} ;;
		*) echo "charon_conf: $kv?" >&2; return 1 ;;
		esac
	done
	cat >"$work/swanctl.conf" <<CONF
connections {
	ic {
		version = 1
		local_addrs = $C
		remote_addrs = $R
		proposals = $p1
		aggressive = $aggr
		reauth_time = $reauth
		over_time = 5
		rekey_time = 0
		dpd_delay = $dpd
		dpd_timeout = 3
		local {
			auth = psk
			id = $lid
		}
		remote {
			auth = psk
			id = $rid
		}
		children {
			net {
				local_ts = $lts
				remote_ts = $rts
				${proto}_proposals = $p2
				mode = $mode
				rekey_time = $rekey
				rand_time = 0
				life_time = $life
				start_action = none
				close_action = none
				dpd_action = none
			}
		}
	}
}
secrets {
	ike-racoon {
		id-1 = $rid
		id-2 = $lid
		secret = "$psk"
	}
}
CONF
	swan --load-all --clear --file "$work/swanctl.conf" >"$work/swanctl.out" 2>&1 ||
	    { cat "$work/swanctl.out"; return 1; }
}

# racoon_conf MODE P1 P2 [PFS] [KEY=VALUE...]: racoon.conf for the peer
# charon and the tunnel between the subnets, policies through setkey,
# then racoon started or reloaded with SIGHUP.  P1 is one or more
# proposals "enc/hash/group" separated by spaces, P2 "enc/auth" lists
# separated by commas inside racoon's syntax (e.g. "aes 128" "hmac_sha1"
# given as "aes 128|hmac_sha1"); PFS empty for none.  Settings: id=ID
# (my_identifier fqdn), peer=ID (peers_identifier fqdn, verified; in
# Aggressive Mode psk.txt then holds the key under that name only),
# psk=SECRET, life=SECONDS (sainfo lifetime), natt=on|off|force
# (default on: kernel-libipsec always wants ESP in UDP and makes charon
# claim a NAT), mode=transport (between the gateways), proto=ah,
# dpd=SECONDS (dpd_delay; dpd_retry 1, dpd_maxfail 2), p1life=SECONDS
# (the ISAKMP-SA's lifetime, default an hour), gw=1 (a
# roadwarrior gateway: remote anonymous, passive, generate_policy on,
# sainfo anonymous, no policy; the key under `*' unless id= names racoon
# in Aggressive Mode).
racoon_conf() {
	local mode=$1 p1=$2 p2=$3 pfs=${4:-} id= peer= psk=$PSK life=3600 natt=on
	local ipmode=tunnel/$R-$C ipmoder=tunnel/$C-$R proto=esp
	local lnet=$RNET pnet=$CNET gw= dpd=0 p1life=3600
	shift 4
	local kv prop
	for kv in "$@"; do
		case $kv in
		id=*) id=${kv#*=} ;;
		peer=*) peer=${kv#*=} ;;
		psk=*) psk=${kv#*=} ;;
		life=*) life=${kv#*=} ;;
		natt=*) natt=${kv#*=} ;;
		mode=*) ipmode=transport/ ipmoder=transport/ lnet=$R pnet=$C ;;
		proto=*) proto=${kv#*=} ;;
		gw=*) gw=1 ;;
		dpd=*) dpd=${kv#*=} ;;
		p1life=*) p1life=${kv#*=} ;;
		*) echo "racoon_conf: $kv?" >&2; return 1 ;;
		esac
	done
	{
		printf 'path pre_shared_key "%s";\n' "$work/psk.txt"
		printf 'path pidfile "%s";\n' "$work/racoon.pid"
		printf 'listen { isakmp %s [500]; isakmp_natt %s [4500];' $R $R
		printf ' adminsock disabled; }\n'
		printf 'timer { counter 3; interval 1 sec; phase1 10 sec; phase2 10 sec; }\n'
		if [ -n "$gw" ]; then
			printf '\nremote anonymous {\n\texchange_mode %s;\n' \
			    "$mode"
			printf '\tpassive on;\n\tgenerate_policy on;\n'
		else
			printf '\nremote %s {\n\texchange_mode %s;\n' $C "$mode"
		fi
		[ -n "$id" ] && printf '\tmy_identifier fqdn "%s";\n' "$id"
		[ -n "$peer" ] && printf '\tpeers_identifier fqdn "%s";\n' "$peer" &&
		    printf '\tverify_identifier on;\n'
		printf '\tlifetime time %s sec;\n' "$p1life"
		printf '\tnat_traversal %s;\n' $natt
		[ "$dpd" != 0 ] && printf '\tdpd_delay %s;\n\tdpd_retry 1;\n\tdpd_maxfail 2;\n' "$dpd"
		for prop in $p1; do
			set -- ${prop//\// }
			printf '\tproposal {\n'
			printf '\t\tencryption_algorithm %s;\n' "${1//_/ }"
			printf '\t\thash_algorithm %s;\n' "$2"
			printf '\t\tauthentication_method pre_shared_key;\n'
			printf '\t\tdh_group %s;\n\t}\n' "$3"
		done
		if [ -n "$gw" ]; then
			printf '}\n\nsainfo anonymous {\n'
		else
			printf '}\n\nsainfo address %s any address %s any {\n' \
			    $lnet $pnet
		fi
		[ -n "$pfs" ] && printf '\tpfs_group %s;\n' "$pfs"
		printf '\tlifetime time %s sec;\n' "$life"
		printf '\tencryption_algorithm %s;\n' "${p2%%|*}"
		[ -n "${p2#*|}" ] &&
		    printf '\tauthentication_algorithm %s;\n' "${p2#*|}"
		printf '\tcompression_algorithm deflate;\n}\n'
	} >"$work/racoon.conf"
	if [ -n "$gw" ] && [ -z "$peer" ]; then
		printf '*\t%s\n' "$psk" >"$work/psk.txt"
	elif [ -n "$id" ] && [ "$mode" = aggressive ]; then
		printf '%s\t%s\n' "$peer" "$psk" >"$work/psk.txt"
	else
		printf '%s\t%s\n' $C "$psk" >"$work/psk.txt"
	fi
	chmod 600 "$work/psk.txt"
	cat >"$work/racoon.setkey" <<CONF
flush;
spdflush;
spdadd $lnet $pnet any -P out ipsec $proto/$ipmode/require;
spdadd $pnet $lnet any -P in ipsec $proto/$ipmoder/require;
CONF
	# A roadwarrior gateway has no policy: it generates them.
	[ -n "$gw" ] && sed -i '/^spdadd/d' "$work/racoon.setkey"
	ip netns exec "$rns" "$setkey" -f "$work/racoon.setkey" || return 1
	if [ -n "$racoon_pid" ] && kill -0 "$racoon_pid" 2>/dev/null; then
		local n
		n=$(grep -c "racoon.conf.*loaded\|reloaded" "$work/racoon.log")
		kill -HUP "$racoon_pid"
		for _ in $(seq 50); do
			[ "$(grep -c "racoon.conf.*loaded\|reloaded" \
			    "$work/racoon.log")" -gt "$n" ] && return 0
			sleep 0.1
		done
		echo "racoon did not reload"
		return 1
	fi
	ip netns exec "$rns" "$racoon" -F -d -f "$work/racoon.conf" \
	    -l "$work/racoon.log" &
	racoon_pid=$!
	wait_for "$work/racoon.pid" .
}

# count_at_least FILE PATTERN N [TENTHS]: until FILE has N lines matching
# PATTERN (5 s default).
count_at_least() {
	local i
	for i in $(seq "${4:-50}"); do
		[ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# within TENTHS EXPR: EXPR (eval'd) holds within TENTHS tenths of a second.
within() {
	local i
	for i in $(seq "$1"); do
		eval "$2" && return 0
		sleep 0.1
	done
	return 1
}

# log_mark: remember where charon's and racoon's logs end.
# charon_logs / racoon_logs PATTERN [TENTHS]: wait until a line after
# the mark matches (charon 5 s, racoon 8 s: a give-up takes 4).
log_mark() {
	charon_from=$(($(cat "$work/charon.log" 2>/dev/null | wc -l) + 1))
	racoon_from=$(($(cat "$work/racoon.log" 2>/dev/null | wc -l) + 1))
}
log_after() {
	local i
	for i in $(seq "$4"); do
		tail -n +"$2" "$1" 2>/dev/null | grep -q -- "$3" && return 0
		sleep 0.1
	done
	return 1
}
charon_logs() {
	log_after "$work/charon.log" "$charon_from" "$1" "${2:-50}"
}
racoon_logs() {
	log_after "$work/racoon.log" "$racoon_from" "$1" "${2:-80}"
}

# clear_sas: charon terminates its IKE_SA, if any, sending DELETEs.
clear_sas() {
	swan --list-sas 2>/dev/null | grep -q "^ic: #" || return 0
	swan --terminate --ike ic --timeout 5 >/dev/null 2>&1
	return 0
}

# initiate ROLE: after a mark in both logs, racoon (a ping from its
# subnet makes ipsecd send the ACQUIRE) or charon (swanctl --initiate,
# its exit status in $work/initiate.rc) starts the negotiation.
initiate() {
	log_mark
	if [ "$1" = racoon ]; then
		ip netns exec "$rns" ping -c 1 -W 1 -I $RH $CH >/dev/null 2>&1
	else
		swan --initiate --child net --ike ic --timeout 8 \
		    >"$work/initiate.out" 2>&1
		echo $? >"$work/initiate.rc"
	fi
	return 0
}

# pings NS SRC DST: a ping through the tunnel gets its answer, within
# five tries a second apart (kernel-libipsec's route may follow the
# CHILD_SA by a moment on a loaded machine).
pings() {
	local i
	for i in 1 2 3 4 5; do
		ip netns exec "$1" ping -q -c 1 -W 1 -I "$2" "$3" >/dev/null &&
		    return 0
	done
	return 1
}

# pings_during COUNT: COUNT pings 0.2 s apart from racoon's subnet to
# charon's; at most two may be lost.
pings_during() {
	local got
	ip netns exec "$rns" ping -q -i 0.2 -c "$1" -W 1 -I $RH $CH \
	    >"$work/ping.out" 2>&1
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$work/ping.out")
	echo "# $got of $1 pings answered"
	test "${got:-0}" -ge $(($1 - 2))
}

# sad_spis: the SPIs in racoon's kernel, sorted, on one line.
sad_spis() {
	ip netns exec "$rns" "$setkey" -D |
	    sed -n 's/.* spi=\([0-9]*\)(.*/\1/p' | sort -n | tr '\n' ' '
}

# charon_has_child: charon lists an installed CHILD_SA "net".
charon_has_child() {
	swan --list-sas 2>/dev/null | grep -q "net: #.*INSTALLED, TUNNEL"
}

# racoon_sas N: racoon's side (ipsecd's SAD) holds N ESP SAs.
racoon_sas() {
	test "$(ip netns exec "$rns" "$setkey" -D 2>/dev/null |
	    grep -c '^[0-9.]* [0-9.]*$')" = "$1"
}

# capture_ok: the check that tshark dissects the whole capture cleanly
# (its summary then in $work/wire.txt).
capture_ok() {
	check "tshark dissects every packet with no malformed-packet warning" \
	    tshark_clean
}

# interop_exit: the tails of the logs after a failure, then the exit.
interop_exit() {
	if [ $fail != 0 ]; then
		tail -40 "$work/racoon.log"
		[ -f "$work/charon.log" ] && tail -60 "$work/charon.log"
		cat "$work"/*.scan 2>/dev/null
	fi
	exit $fail
}

# tshark_verdict PCAP: tshark dissects PCAP (its summary in PCAP.txt,
# its expert info in PCAP.expert) with no malformed packet and no expert
# warning or error.
tshark_verdict() {
	tshark -r "$1" -n >"$1.txt" 2>&1
	tshark -r "$1" -n -z expert,warn -q >"$1.expert" 2>&1
	! grep -qi "malformed" "$1.txt" &&
	    ! grep -qE "^(Errors|Warnings) \(" "$1.expert"
}

# tshark_clean: the capture stops and passes tshark_verdict; its summary
# is then in $work/wire.txt.
tshark_clean() {
	sleep 0.5
	kill "$tcpdump_pid" 2>/dev/null
	wait "$tcpdump_pid" 2>/dev/null
	tshark_verdict "$work/wire.pcap"
	local rc=$?
	cp "$work/wire.pcap.txt" "$work/wire.txt"
	return $rc
}
