#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The systemd units on a kernel with native IPsec (Debian's, under qemu):
# ipsecd.service's ExecCondition (`ipsecd -k') exits 1, so systemd skips
# ipsecd there; setkey.service's own ExecStart loads ipsec-tools.conf and
# ipsec-tools.d/*.conf into the kernel through AF_KEY, its ExecStop
# flushes them; racoon.service's ExecStartPre accepts the article's
# racoon.conf.  The commands are the units' lines as make install writes
# them (with sbindir /bin and sysconfdir /etc in the guest).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${BUILD:?}
top=${TEST_SRCDIR:-${TOP:?}}
command -v qemu-system-x86_64 >/dev/null && [ -n "$(qemu_kernel)" ] ||
    { echo "qemu-system-x86 or linux-image-amd64 missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# unit_cmds UNIT KEY: the unit's KEY= command lines as a shell runs them
# ("$$" is "$"; a leading "-", ignore the failure, becomes "|| true").
unit_cmds() {
	sed -e "s|@sbindir@|/bin|g" -e "s|@sysconfdir@|/etc|g" \
	    -e "s|@localstatedir@|/var|g" -e "s|@runstatedir@|/run|g" \
	    -e "s|@RACOON_TYPE@|notify|g" -e "s|@RACOON_FLAGS@|-F |g" \
	    "$top/conf/$1.service.in" | sed -n "s/^$2=//p" |
	    sed -e 's/\$\$/$/g' -e 's/^-\(.*\)$/\1 || true/'
}

cat >"$work/ipsec-tools.conf" <<'CONF'
flush;
spdflush;
spdadd 10.34.1.100 10.34.1.200 any -P out ipsec esp/transport//require;
spdadd 10.34.1.200 10.34.1.100 any -P in ipsec esp/transport//require;
CONF
echo "add 10.34.9.9 10.34.1.100 esp 0x777 -E 3des-cbc \
0x7aeaca3f87d060a12f4a4487d5a5c3355920fae69a96c831;" >"$work/manual.conf"
cp "$top/conf/racoon.conf.hostA" "$work/racoon.conf"
cp "$top/conf/psk.txt" "$work/psk.txt"

{
	qemu_guest_lib
	cat <<'GUEST'
ipsecd -k >/tmp/k.out; echo $? >/tmp/k.rc
check "ipsecd -k: the kernel has AF_KEY, ipsecd.service is skipped" \
    test "$(cat /tmp/k.rc)" = 1
check "and says why" grep -q "the kernel has AF_KEY: ipsecd is not needed" \
    /tmp/k.out
chmod 600 /etc/psk.txt
GUEST
	echo 'start() {'
	unit_cmds setkey ExecStart
	echo '}'
	echo 'stop() {'
	unit_cmds setkey ExecStop
	echo '}'
	echo 'racoon_pre() {'
	unit_cmds racoon ExecStartPre
	echo '}'
	cat <<'GUEST'
check "setkey.service's ExecStart loads the files" start
setkey -DP >/tmp/dp
check "the kernel has ipsec-tools.conf's policies" \
    test "$(grep -cE '^	(in|out) .*ipsec$' /tmp/dp)" = 2
/bin/ip xfrm policy >/tmp/xp
check "ip xfrm agrees" test "$(grep -cE 'dir (in|out) ' /tmp/xp)" = 2
setkey -D >/tmp/d
check "and ipsec-tools.d/manual.conf's SA" grep -q "spi=1911(0x00000777)" /tmp/d
check "setkey.service's ExecStop flushes them" stop
check "no policy left in the kernel" test -z "$(/bin/ip xfrm policy)"
check "no SA left in the kernel" test -z "$(/bin/ip xfrm state)"
check "racoon.service's ExecStartPre accepts the article's racoon.conf" \
    racoon_pre
exit $fail
GUEST
} >"$work/guest.sh"

qemu_initramfs "$work/initrd.gz" "$work/guest.sh" \
    "$build/src/ipsecd/ipsecd" "$build/src/setkey/setkey" \
    "$build/src/racoon/racoon" \
    "$work/ipsec-tools.conf:/etc/ipsec-tools.conf" \
    "$work/manual.conf:/etc/ipsec-tools.d/manual.conf" \
    "$work/racoon.conf:/etc/racoon.conf" "$work/psk.txt:/etc/psk.txt" ||
    exit 1
qemu_boot "$work/initrd.gz" 240 >"$work/console"
qemu_verdict "$work/console" 10
