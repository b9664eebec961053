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

# quiet CMD...: CMD with its output in install.log.
quiet() { "$@" >>"$tmp/install.log" 2>&1; }

check "make install DESTDIR=..." \
    quiet make -s -C "$build" install DESTDIR="$dest"
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
# The address families each unit lets through: AF_KEY where a program
# opens it (a refused socket() would read as "no AF_KEY"), AF_UNIX for
# ipsecd's socket.
for u in ipsecd setkey racoon; do
	check "$u.service lets AF_KEY through" grep -qE \
	    '^RestrictAddressFamilies=(.* )?AF_KEY( |$)' "$tmp/units/$u.service"
	check "$u.service lets AF_UNIX through" grep -qE \
	    '^RestrictAddressFamilies=(.* )?AF_UNIX( |$)' "$tmp/units/$u.service"
done
# ipsecd.service's condition on this kernel, which has no AF_KEY.
check "ipsecd -k: this kernel needs ipsecd (exit 0)" "$dest$sbin/ipsecd" -k
check_not "ipsecd -k takes no other option" "$dest$sbin/ipsecd" -k -d

# Built without libsystemd, racoon cannot notify: its unit waits for the
# daemon's parent to return instead (racoon without -F returns once it
# runs), and still verifies.
top=${TEST_SRCDIR:-${TOP:?}}
mkdir "$tmp/nosd"
if (cd "$tmp/nosd" && "$top/configure" --without-systemd >configure.log \
    2>&1 && make conf/racoon.service >/dev/null 2>&1); then
	u=$tmp/nosd/conf/racoon.service
	check "--without-systemd: racoon.service is Type=forking" \
	    grep -qx 'Type=forking' "$u"
	check "and runs racoon without -F" \
	    grep -q '^ExecStart=.*/racoon -c ' "$u"
	sed "s|$sbin/|$dest$sbin/|g" "$u" >"$tmp/units/racoon.service"
	check "and passes systemd-analyze verify" env \
	    MANPATH="$dest$prefix/share/man" systemd-analyze verify \
	    "$tmp/units/racoon.service"
else
	echo "FAIL configure --without-systemd"
	tail -5 "$tmp/nosd/configure.log"
	fail=1
fi

check "make uninstall" quiet make -s -C "$build" uninstall DESTDIR="$dest"
left=$(cd "$dest" && find . -type f)
[ -z "$left" ] || echo "left behind: $left"
check "make uninstall leaves no file" test -z "$left"
exit $fail
