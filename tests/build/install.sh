#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# make install into a DESTDIR puts the programs, the man pages, the
# systemd units and the example configurations where they belong, and
# make uninstall takes them away again.  The installed units pass
# systemd-analyze verify (with their commands pointed into the DESTDIR,
# and the man pages they name found there) and systemd-analyze security
# rates each of them OK or better.
set -u
. "$(dirname "$0")/../netns/lib.sh"
build=${BUILD:?}
command -v systemd-analyze >/dev/null ||
    { echo "systemd-analyze not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

check "make install DESTDIR=..." \
    make -s -C "$build" install DESTDIR="$dest" >"$tmp/install.log" 2>&1
prefix=$(sed -n 's/^prefix = //p' "$build/Makefile")
sbin=$prefix/sbin
(cd "$dest" && find . -type f | sed 's|^\.||' | sort) >"$tmp/files"
# Every program the build installs, every man page of man/, the units
# and the examples; racoon, setkey and ipsecd at least.
want="$sbin/racoon $sbin/setkey $sbin/ipsecd"
for p in $(make -s -C "$build" list-sbin-programs); do
	want="$want $sbin/${p##*/}"
done
for p in $(make -s -C "$build" list-bin-programs); do
	want="$want $prefix/bin/${p##*/}"
done
for m in "$TEST_SRCDIR"/man/*.[1-9]; do
	want="$want $prefix/share/man/man${m##*.}/${m##*/}"
done
want="$want $prefix/share/man/man8/racoon.8 $prefix/share/man/man5/racoon.conf.5
$prefix/share/man/man8/setkey.8 $prefix/share/man/man8/ipsecd.8
$prefix/lib/systemd/system/ipsecd.service
$prefix/lib/systemd/system/setkey.service
$prefix/lib/systemd/system/racoon.service"
for ex in "$TEST_SRCDIR"/conf/*; do
	case $ex in *.in|*.mk|*/README.md) continue ;; esac
	want="$want $prefix/share/doc/ipsec-racoon/examples/${ex##*/}"
done
for f in $(printf "%s\n" $want | sort -u); do
	check "installed: $f" grep -qx "$f" "$tmp/files"
done
# Nothing but those: no test tool, no unit-test program.
extra=$(printf '%s\n' $want | sort -u | comm -13 - "$tmp/files")
[ -z "$extra" ] || echo "unexpected: $extra"
check "nothing else is installed" test -z "$extra"
check "the programs are executable" test -x "$dest$sbin/racoon" \
    -a -x "$dest$sbin/setkey" -a -x "$dest$sbin/ipsecd"

# The units as installed, their commands pointed into the DESTDIR.
mkdir "$tmp/units"
for u in ipsecd setkey racoon; do
	sed "s|$sbin/|$dest$sbin/|g" \
	    "$dest$prefix/lib/systemd/system/$u.service" >"$tmp/units/$u.service"
	check "$u.service: no @variable@ left" \
	    sh -c "! grep -q '@[a-zA-Z_]*@' '$tmp/units/$u.service'"
	check "$u.service: systemd-analyze verify" env \
	    MANPATH="$dest$prefix/share/man" systemd-analyze verify \
	    "$tmp/units/$u.service"
	systemd-analyze security --offline=yes "$tmp/units/$u.service" \
	    >"$tmp/$u.security" 2>&1
	tail -1 "$tmp/$u.security"
	check "$u.service: systemd-analyze security rates it OK or better" \
	    grep -q "exposure level for $u.service: [0-9.]* \(OK\|SAFE\)" \
	    "$tmp/$u.security"
done
grep -q '^Type=notify$' "$tmp/units/racoon.service" &&
    check "racoon.service: Type=notify runs racoon -F" \
    grep -q '^ExecStart=.*/racoon -F -c ' "$tmp/units/racoon.service"
check "racoon.service: reload sends SIGHUP" \
    grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$tmp/units/racoon.service"
# ipsecd.service's condition on this kernel, which has no AF_KEY.
check "ipsecd -k: this kernel needs ipsecd (exit 0)" "$dest$sbin/ipsecd" -k
check_not "ipsecd -k takes no other option" "$dest$sbin/ipsecd" -k -d

check "make uninstall" \
    make -s -C "$build" uninstall DESTDIR="$dest" >>"$tmp/install.log" 2>&1
left=$(cd "$dest" && find . -type f)
[ -z "$left" ] || echo "left behind: $left"
check "make uninstall leaves no file" test -z "$left"
exit $fail
