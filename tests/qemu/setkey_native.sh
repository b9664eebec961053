#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# setkey on a kernel with native IPsec: Debian's kernel under qemu, AF_KEY
# found without IPSECD_SOCKET, the article's manually keyed VPN (AH over
# ESP, transport mode) loaded by our setkey into two namespaces of the
# guest, ping through it, and the kernel's own view (ip xfrm) agreeing
# with `setkey -D` and `-DP`: SAs, keys, policies, and traffic counted.
# A longer script's dumps match ipsecd's (ipsecd run here, in a
# namespace of ours); what af_key refuses is refused with its error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
setkey=${BUILD:?}/src/setkey/setkey
[ -x "$setkey" ] || { echo "no $setkey"; exit 1; }
command -v qemu-system-x86_64 >/dev/null && [ -n "$(qemu_kernel)" ] ||
    { echo "qemu-system-x86 or linux-image-amd64 missing"; exit 77; }
work=$(mktemp -d)
ns=sknat$$ dpid=
cleanup() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail=0
check() {
	if "${@:2}"; then echo "ok $1"; else echo "FAIL $1"; fail=1; fi
}

# The article's script (shared/seed/README.md) on the guest's addresses;
# host B's is the mirror image.
article() {	# article SELF PEER: the script as host SELF writes it
	cat <<CONF
flush;
spdflush;
add 10.33.1.100 10.33.1.200 ah 0x300 -A hmac-md5 0xc0291ff014dccdd03874d9e8e4cdf3e6;
add 10.33.1.200 10.33.1.100 ah 0x400 -A hmac-md5 0x96358c90783bbfa3d7b196ceabe0536b;
add 10.33.1.100 10.33.1.200 esp 0x301 -E 3des-cbc 0x7aeaca3f87d060a12f4a4487d5a5c3355920fae69a96c831;
add 10.33.1.200 10.33.1.100 esp 0x401 -E 3des-cbc 0xf6ddb555acfd9d77b03ea3843f2653255afe8eb5573965df;
spdadd $1 $2 any -P out ipsec
	esp/transport//require
	ah/transport//require;
spdadd $2 $1 any -P in ipsec
	esp/transport//require
	ah/transport//require;
CONF
}
article 10.33.1.100 10.33.1.200 >"$work/a.conf"
article 10.33.1.200 10.33.1.100 >"$work/b.conf"
# The same dumps as with ipsecd: the article's script and
# tests/setkey/dump/misc.conf, but for what af_key cannot take (AES-GCM)
# and ipsecd refuses (IPComp), loaded into both; the dumps compared
# record by record (the kernel dumps in its hash order).
{
	article 10.33.1.100 10.33.1.200
	grep -v "ipcomp\|^#" "$here/../setkey/dump/misc.conf" |
	    sed "s/-E aes-gcm-16 0x[0-9a-f]*/-E aes-cbc 0x$(printf '%032d' 7) \
	    -A hmac-sha1 0x$(printf '%040d' 9)/"
} >"$work/cmp.conf"
cat >"$work/guest.sh" <<'GUEST'
/bin/ip netns add A; /bin/ip netns add B
/bin/ip link add va netns A type veth peer name vb netns B
/bin/ip -n A addr add 10.33.1.100/24 dev va; /bin/ip -n A link set va up
/bin/ip -n B addr add 10.33.1.200/24 dev vb; /bin/ip -n B link set vb up
/bin/ip -n A link set lo up; /bin/ip -n B link set lo up
/bin/ip netns exec A setkey -f /etc/a.conf; echo "setkey A rc $?"
/bin/ip netns exec B setkey -f /etc/b.conf; echo "setkey B rc $?"
# Without CAP_NET_ADMIN the kernel's refusal is the answer, not ipsecd's
# missing socket.
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >/etc/passwd
su -s /bin/sh nobody -c "setkey -D" 2>&1 | sed 's/^/as nobody: /'
/bin/ip netns add C; /bin/ip netns exec C setkey -f /etc/cmp.conf ||
    echo "setkey C failed"
echo "--- cmp -D"; /bin/ip netns exec C setkey -D
echo "--- cmp -DP"; /bin/ip netns exec C setkey -DP
echo "--- cmp end"
# What af_key refuses (setkey.8): AEAD, and a cipher without its module.
echo "add 10.33.9.1 10.33.9.2 esp 0x991 -E aes-gcm-16 0x$(printf '%040d' 1);" |
    /bin/ip netns exec C setkey -c; echo "gcm rc $?"
echo "add 10.33.9.1 10.33.9.2 esp 0x992 -E blowfish-cbc 0x$(printf '%032d' 1);" |
    /bin/ip netns exec C setkey -c; echo "blowfish rc $?"
/bin/ip netns exec A ping -c 3 -W 2 10.33.1.200 | grep -E "packets (transmitted|received)"
echo "--- setkey -D"; /bin/ip netns exec A setkey -D
echo "--- setkey -DP"; /bin/ip netns exec A setkey -DP
echo "--- ip xfrm"; /bin/ip netns exec A ip -s xfrm state; /bin/ip netns exec A ip xfrm policy
/bin/ip netns exec A setkey -F; /bin/ip netns exec A setkey -FP
echo "--- after flush"; /bin/ip netns exec A setkey -D; /bin/ip netns exec A setkey -DP
/bin/ip netns exec A ip xfrm state | wc -l | sed 's/^/xfrm states left: /'
GUEST
qemu_initramfs "$work/initrd.gz" "$work/guest.sh" "$setkey" \
    "$work/a.conf:/etc/a.conf" "$work/b.conf:/etc/b.conf" \
    "$work/cmp.conf:/etc/cmp.conf" /etc/protocols:/etc/protocols || exit 1
qemu_boot "$work/initrd.gz" 240 >"$work/console"
out=$(sed -n '/=== guest up/,/=== guest exit/p' "$work/console")
check "guest booted and ran" grep -q "=== guest exit" <<<"$out"
check "setkey loaded both hosts through AF_KEY" \
    test "$(grep -c "setkey [AB] rc 0" <<<"$out")" = 2
check "ping through AH over ESP" grep -q "3 packets received" <<<"$out"
d=$(sed -n '/^--- setkey -D$/,/^--- setkey -DP/p' <<<"$out")
check "-D shows the ESP SA" grep -q "esp mode=transport spi=769(0x00000301)" <<<"$d"
check "-D shows its key" grep -q "E: 3des-cbc  7aeaca3f 87d060a1 2f4a4487" <<<"$d"
check "-D shows the AH SA" grep -q "ah mode=transport spi=768(0x00000300)" <<<"$d"
check "-D shows its key" grep -q "A: hmac-md5  c0291ff0 14dccdd0 3874d9e8 e4cdf3e6" <<<"$d"
dp=$(sed -n '/^--- setkey -DP$/,/^--- ip xfrm/p' <<<"$out")
check "-DP shows the out policy" grep -q "10.33.1.100\[any\] 10.33.1.200\[any\] 255" <<<"$dp"
# The two lines after the out policy's header: esp first, then ah.
reqs=$(grep -A2 "out prio def ipsec" <<<"$dp" | tail -2 | tr -d ' \t\n')
check "-DP shows its requests in order" \
    test "$reqs" = "esp/transport//requireah/transport//require"
x=$(sed -n '/^--- ip xfrm$/,/^--- after flush/p' <<<"$out")
check "the kernel holds the ESP SA with that key" \
    grep -q "enc cbc(des3_ede) 0x7aeaca3f87d060a12f4a4487d5a5c3355920fae69a96c831" <<<"$x"
check "the kernel counted traffic on the SAs" \
    grep -qE "^[[:space:]]+[1-9][0-9]*\(bytes\), [1-9][0-9]*\(packets\)" <<<"$x"
f=$(sed -n '/^--- after flush$/,$p' <<<"$out")
check "-F and -FP empty the kernel" grep -q "No SAD entries." <<<"$f"
check "-FP" grep -q "No SPD entries." <<<"$f"
check "no xfrm state left" grep -q "xfrm states left: 0" <<<"$f"
check "setkey without CAP_NET_ADMIN: AF_KEY's refusal, not ipsecd's" \
    grep -q "as nobody: setkey: cannot reach PF_KEY.*: Operation not permitted" \
    <<<"$out"
check "af_key refuses AES-GCM, and setkey says so" \
    grep -q "gcm rc 1" <<<"$out"
check "af_key refuses blowfish without its module" \
    grep -q "blowfish rc 1" <<<"$out"

# The comparison script into ipsecd, in a namespace of ours here.
ip netns add "$ns" && ip -n "$ns" link set lo up || exit 1
ip netns exec "$ns" "$BUILD/src/ipsecd/ipsecd" -F >"$work/ipsecd.log" 2>&1 &
dpid=$!
for i in $(seq 50); do
	ip netns exec "$ns" "$setkey" -D >/dev/null 2>&1 && break
	sleep 0.1
done
{
	ip netns exec "$ns" "$setkey" -f "$work/cmp.conf"
	echo "--- cmp -D"; ip netns exec "$ns" "$setkey" -D
	echo "--- cmp -DP"; ip netns exec "$ns" "$setkey" -DP
	echo "--- cmp end"
} >"$work/ipsecd.out" 2>&1
# records SECTION: a dump section, one record per line (sorted), the
# lines of a record joined by |.  Masked: dates, pids, the dump's
# sequence numbers (its order is the kernel's hash order), and what
# ipsecd numbers otherwise than Linux: policy ids (Linux's first is 1,
# ipsecd's 9) and the policies' reference counts (kernel-internal).
# Left out: an SA's NAT-OA, which af_key keeps but does not dump.
date='[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [0-9]{4}'
records() {
	sed -n "/^--- cmp $1\$/,/^--- cmp /p" | grep -v "^---\|^\[" |
	    sed -E -e "s/(created|current|last|lastused): $date/\\1: DATE/g" \
	    -e 's/diff: [0-9]+\(s\)/diff: N(s)/' -e 's/ pid=[0-9]+/ pid=PID/' \
	    -e 's/sadb_seq=[0-9]+/sadb_seq=N/' \
	    -e 's/spid=[0-9]+ seq=[0-9]+/spid=N seq=N/' \
	    -e 's/^\trefcnt=[0-9]+$/\trefcnt=N/' -e '/^\tNAT OA=/d' |
	    awk '/^[^ \t]/ { if (r != "") print r; r = $0; next }
	    { r = r "|" $0 } END { if (r != "") print r }' | sort
}
for sec in -D -DP; do
	records "$sec" <"$work/console" >"$work/native$sec"
	records "$sec" <"$work/ipsecd.out" >"$work/ipsecd$sec"
	check "setkey $sec: the kernel's dump and ipsecd's agree" \
	    diff -u "$work/ipsecd$sec" "$work/native$sec"
	check "setkey $sec: and they are not empty" \
	    test "$(wc -l <"$work/native$sec")" -ge 5
done
[ $fail = 0 ] || grep -v "^\[" "$work/console" | head -40
exit $fail
