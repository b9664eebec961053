# SPDX-License-Identifier: BSD-2-Clause
# Sourced by the namespace scenarios (tests/suite.sh does not run it):
# result lines, and the two-host set-up most scenarios start from.

fail=0

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	if "${@:2}"; then echo "ok $1"; else echo "FAIL $1"; fail=1; fi
}

# check_not DESCRIPTION COMMAND...: the command must fail.
check_not() {
	if "${@:2}"; then echo "FAIL $1"; fail=1; else echo "ok $1"; fi
}

# netns_pair NSA NSB IFA IFB ADDRA/LEN ADDRB/LEN [ADDR6A/LEN ADDR6B/LEN]:
# two namespaces joined by a veth pair, addressed and up, lo up.
netns_pair() {
	ip netns add "$1" && ip netns add "$2" || return 1
	ip -n "$1" link add "$3" type veth peer name "$4" netns "$2" || return 1
	ip -n "$1" addr add "$5" dev "$3"
	ip -n "$2" addr add "$6" dev "$4"
	if [ $# -ge 8 ]; then
		ip -n "$1" addr add "$7" dev "$3" nodad
		ip -n "$2" addr add "$8" dev "$4" nodad
	fi
	ip -n "$1" link set lo up && ip -n "$2" link set lo up
	ip -n "$1" link set "$3" up && ip -n "$2" link set "$4" up
}

# wait_for FILE PATTERN [TENTHS]: until FILE shows PATTERN (5 s default).
wait_for() {
	local i
	for i in $(seq "${3:-50}"); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# transfer_ok MIB SENT RECEIVED: tcp_xfer.py's outputs show MIB mebibytes
# sent and the same bytes received.
transfer_ok() {
	grep -q "^$(($1 * 1048576)) " "$2" && cmp -s "$2" "$3"
}

# xfer_check FROM TO ADDR PORT MIB NAME: MIB mebibytes over TCP from
# namespace FROM to tcp_xfer.py serving on ADDR PORT in namespace TO, a
# check that they arrive intact (outputs in $work/NAME.in, .out).
xfer_check() {
	ip netns exec "$2" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
	    serve "$3" "$4" >"$work/$6.out" 2>&1 &
	local s=$!
	sleep 0.5
	ip netns exec "$1" /usr/bin/python3 "$TOP/tests/netns/tcp_xfer.py" \
	    send "$3" "$4" "$5" >"$work/$6.in" 2>&1
	wait $s
	check "$5 MiB over TCP $6 arrive intact" \
	    transfer_ok "$5" "$work/$6.in" "$work/$6.out"
}

# neigh_pin NS1 DEV1 NS2 DEV2 ADDR1 ADDR2: permanent neighbour entries
# both ways (IPv6 policies that cover neighbour discovery block it).
neigh_pin() {
	local m1 m2
	m1=$(ip -n "$1" -o link show "$2" | sed 's/.*link\/ether \([^ ]*\).*/\1/')
	m2=$(ip -n "$3" -o link show "$4" | sed 's/.*link\/ether \([^ ]*\).*/\1/')
	ip -n "$1" neigh replace "$6" lladdr "$m2" dev "$2" nud permanent
	ip -n "$3" neigh replace "$5" lladdr "$m1" dev "$4" nud permanent
}

# article_host SELF PEER NAME: the article's automatically keyed files for
# one host, written into $work: NAME.setkey (ESP transport policies),
# NAME.conf (3des/md5/modp1024, pfs_group 768; pidfile in $work, no admin
# socket) and NAME.psk (mode 0600).
# Variables set for the call vary it: ah_timer (a `timer { ... }` line),
# ah_remote (the remote's name instead of PEER, e.g. anonymous), ah_enc
# and ah_hash (the phase 1 proposal), ah_key (the pre-shared key).
article_host() {
	cat >"$work/$3.setkey" <<CONF
#!/usr/sbin/setkey -f
flush;
spdflush;
spdadd $1 $2 any -P out ipsec esp/transport//require;
spdadd $2 $1 any -P in ipsec esp/transport//require;
CONF
	cat >"$work/$3.conf" <<CONF
path pre_shared_key "$work/$3.psk";
path pidfile "$work/$3.pid";
listen { adminsock disabled; }
${ah_timer:-}

remote ${ah_remote:-$2} {
        exchange_mode main;
        proposal {
                encryption_algorithm ${ah_enc:-3des};
                hash_algorithm ${ah_hash:-md5};
                authentication_method pre_shared_key;
                dh_group modp1024;
        }
}

sainfo address $1 any address $2 any {
        pfs_group 768;
        encryption_algorithm 3des;
        authentication_algorithm hmac_md5;
        compression_algorithm deflate;
}
CONF
	printf '# IPv4 addresses\n%s    %s\n' "$2" "${ah_key:-simple psk}" \
	    >"$work/$3.psk"
	chmod 600 "$work/$3.psk"
}

# unit_file NAME SYSCONFDIR: conf/NAME.service.in as make install writes
# it, into $work/NAME.service, with SYSCONFDIR and the programs of $BUILD
# (linked into $work/sbin) in place of the installed ones.
unit_file() {
	mkdir -p "$work/sbin"
	ln -sf "$BUILD/src/racoon/racoon" "$BUILD/src/setkey/setkey" \
	    "$BUILD/src/ipsecd/ipsecd" "$work/sbin/"
	sed -e "s|@sbindir@|$work/sbin|g" -e "s|@sysconfdir@|$2|g" \
	    -e "s|@localstatedir@|$work|g" -e "s|@runstatedir@|$work/run|g" \
	    -e "s|@RACOON_TYPE@|notify|g" -e "s|@RACOON_FLAGS@|-F |g" \
	    "${TEST_SRCDIR:-$TOP}/conf/$1.service.in" >"$work/$1.service"
}

# unit_priv UNITFILE: the setpriv command that gives a program only the
# capabilities of the unit's CapabilityBoundingSet, with no_new_privs
# for NoNewPrivileges=yes (root's programs get exactly the bounding set).
unit_priv() {
	local caps c
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$1")
	[ -n "$caps" ] || return 0
	printf 'setpriv --bounding-set=-all'
	for c in $caps; do
		c=${c#CAP_}
		printf ',+%s' "${c,,}"
	done
	grep -qx 'NoNewPrivileges=yes' "$1" && printf ' --no-new-privs'
	echo
}

# unit_exec NS UNITFILE KEY: run the unit's KEY= commands (ExecStart,
# ExecStop, ExecCondition...) in namespace NS as systemd does: in order,
# with the unit's capabilities (unit_priv), "$$" read as "$", $MAINPID
# from the environment, a leading "-" ignores a failure; the first other
# failure stops and returns 1.
unit_exec() {
	local line cmd ign
	while IFS= read -r line; do
		cmd=${line#*=}
		ign=0
		case $cmd in -*) ign=1; cmd=${cmd#-} ;; esac
		cmd=${cmd//\$\$/\$}
		ip netns exec "$1" $(unit_priv "$2") bash -c "$cmd" ||
		    [ $ign = 1 ] || return 1
	done < <(grep "^$3=" "$2")
}

# lifetime_host SELF PEER NAME PCHECK P1LIFE P2LIFE: article_host's
# policies and psk.txt, with a racoon.conf (aes, sha256, modp2048 and
# PFS) whose ISAKMP-SA lasts P1LIFE seconds and IPsec-SAs P2LIFE, under
# proposal_check PCHECK; rekey on.
lifetime_host() {
	article_host "$1" "$2" "$3"
	cat >"$work/$3.conf" <<CONF
path pre_shared_key "$work/$3.psk";
path pidfile "$work/$3.pid";
listen { adminsock disabled; }
remote $2 {
	exchange_mode main;
	lifetime time $5 sec;
	rekey on;
	proposal_check $4;
	proposal {
		encryption_algorithm aes;
		hash_algorithm sha256;
		authentication_method pre_shared_key;
		dh_group modp2048;
	}
}
sainfo address $1 any address $2 any {
	pfs_group modp2048;
	lifetime time $6 sec;
	encryption_algorithm aes;
	authentication_algorithm hmac_sha256;
	compression_algorithm deflate;
}
CONF
}

# racoon_unit_start N: racoon.service's ExecStartPre, then its ExecStart
# in the background, as the unit runs them: the unit is
# $work/racoon-N.service, the namespace $N (the variable named N),
# racoon.conf's pidfile $work/etc-N/racoon.pid; output goes to
# $work/racoon-N.log, the PID to $racoon_N and $pids.
racoon_unit_start() {
	local ns u=$work/racoon-$1.service cmd
	ns=$(eval echo \$$1)
	rm -f "$work/etc-$1/racoon.pid"
	unit_exec "$ns" "$u" ExecStartPre >>"$work/racoon-$1.log" 2>&1 ||
	    return 1
	cmd=$(sed -n 's/^ExecStart=//p' "$u")
	ip netns exec "$ns" $(unit_priv "$u") $cmd 2>>"$work/racoon-$1.log" &
	eval "racoon_$1=$!"
	pids="$pids $!"
	wait_for "$work/etc-$1/racoon.pid" .
}

# wire_start NS IF PCAP: capture on IF in NS until wire_stop (packets
# written as they come, so none is lost at the end); wire_count PCAP
# FILTER: how many packets the filter matches.
wire_start() {
	ip netns exec "$1" tcpdump -U --immediate-mode -n -i "$2" -w "$3" \
	    2>"$3.log" &
	wire_pid=$!
	pids="$pids $wire_pid"
	wait_for "$3.log" "listening on" 30
}
wire_stop() {
	sleep 0.3
	kill "$wire_pid"
	wait "$wire_pid" 2>/dev/null
}
wire_count() {
	tcpdump -n -r "$1" "$2" 2>/dev/null | wc -l
}

# nat_masquerade NS OUTIF: NS forwards and masquerades what leaves OUTIF
# (nftables table ip nat, chain post), as a home router does.
nat_masquerade() {
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$1" nft -f - <<NFT
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "$2" masquerade
	}
}
NFT
}

# dp_has FILE SRC DST DIR [REQUEST]: the `setkey -DP' output in FILE
# holds a policy from SRC[any] to DST[any] (as setkey writes them) in
# direction DIR whose request line matches the awk pattern REQUEST.
dp_has() {
	awk -v sel="$2[any] $3[any] " -v dir="$4" -v req="${5:-}" '
	    index($0, sel) == 1 { want = 1; n = 0; next }
	    want && ++n == 1 && $1 != dir { want = 0 }
	    want && n == 2 { if (req == "" || $0 ~ req) found = 1; want = 0 }
	    END { exit !found }' "$1"
}

# article_daemons NAME...: for each host NAME (its namespace in $NAME,
# its files from article_host in $work): ipsecd, the policies loaded
# with setkey, racoon logging to $work/racoon-NAME.log; the pids are
# added to $pids.  Needs $ipsecd, $setkey and $racoon.
article_daemons() {
	local n ns
	for n in "$@"; do
		ns=${!n}
		ip netns exec "$ns" "$ipsecd" -F 2>>"$work/ipsecd-$n.log" &
		pids="$pids $!"
	done
	sleep 1
	for n in "$@"; do
		ns=${!n}
		check "setkey loads host $n's policies" \
		    ip netns exec "$ns" "$setkey" -f "$work/$n.setkey"
		ip netns exec "$ns" "$racoon" -F -f "$work/$n.conf" \
		    -l "$work/racoon-$n.log" &
		pids="$pids $!"
		check "racoon $n writes its pidfile" wait_for "$work/$n.pid" .
	done
}

# sa_count NS: the SAs in the namespace's SAD.
sa_count() {
	ip netns exec "$1" "$setkey" -D 2>/dev/null | grep -c "state="
}
