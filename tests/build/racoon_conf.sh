#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# racoon.conf golden tests (tests/conf/) and racoon -t/-C/-V.
#
# Each tests/conf/NNN.in goes through `racoon -C -f NNN.in` in
# tests/conf; its diagnostics (stderr) then its canonical form (stdout)
# are compared with NNN.ok.  Cases named *fail* must exit 1, the others
# 0.  The build's default paths (SYSCONFDIR, RUNSTATEDIR) are written as
# @SYSCONFDIR@ and @RUNSTATEDIR@ in the .ok files, so they do not depend
# on --prefix; racoon itself tells which they are.  The canonical form
# of every good case must load again into the same canonical form.
#
# Then racoon -t with a psk.txt: accepted at mode 0600, refused at 0644
# with its reason, and the other command-line modes; -B and -L refused.
#
# UPDATE=1 rewrites the .ok files from the current output (review the
# diff before committing it).
set -u
top=${TOP:?}
racoon=${BUILD:?}/src/racoon/racoon
[ -x "$racoon" ] || { echo "racoon not built: $racoon"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

: >"$tmp/empty.conf"
"$racoon" -C -f "$tmp/empty.conf" >"$tmp/defaults" ||
    { echo "racoon -C fails on an empty file"; exit 1; }
psk=$(sed -n 's/^path pre_shared_key "\(.*\)";$/\1/p' "$tmp/defaults")
sock=$(sed -n 's/^\tadminsock "\(.*\)";$/\1/p' "$tmp/defaults")
sysconfdir=${psk%/psk.txt}
runstatedir=${sock%/racoon/racoon.sock}
if [ -z "$sysconfdir" ] || [ -z "$runstatedir" ]; then
	echo "cannot tell the default paths from racoon -C:"
	cat "$tmp/defaults"
	exit 1
fi

cd "$top/tests/conf" || exit 1
n=0
for in in *.in; do
	base=${in%.in}
	n=$((n + 1))
	"$racoon" -C -f "$in" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case $base in *fail*) want=1 ;; *) want=0 ;; esac
	if [ $rc -ne $want ]; then
		echo "$in: racoon -C exited $rc, expected $want"
		fail=1
	fi
	cat "$tmp/err" "$tmp/out" | sed -e "s|$sysconfdir/|@SYSCONFDIR@/|g" \
	    -e "s|$runstatedir/|@RUNSTATEDIR@/|g" >"$tmp/got"
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$tmp/got" "$base.ok"
	elif ! diff -u "$base.ok" "$tmp/got"; then
		echo "$in: output differs from $base.ok"
		fail=1
	fi
	[ $want = 0 ] || continue
	cp "$tmp/out" "$tmp/again.conf"
	if ! "$racoon" -C -f "$tmp/again.conf" >"$tmp/out2" 2>/dev/null ||
	    ! cmp -s "$tmp/out" "$tmp/out2"; then
		echo "$in: the canonical form does not load into itself"
		diff -u "$tmp/out" "$tmp/out2"
		fail=1
	fi
done
echo "$n golden cases"

# -t: the configuration and its psk.txt, without network or kernel.
cat >"$tmp/t.conf" <<CONF
path pre_shared_key "$tmp/psk.txt";
remote 192.168.2.100 {
	exchange_mode main;
	proposal {
		encryption_algorithm 3des;
		hash_algorithm sha1;
		authentication_method pre_shared_key;
		dh_group modp2048;
	}
}
CONF
printf '192.168.2.100    simple psk\n* wildcard key\n' >"$tmp/psk.txt"
chmod 600 "$tmp/psk.txt"
# expect RC PATTERN CMD...: exit status and a line of the output.
expect() {
	local want=$1 pat=$2 rc
	shift 2
	"$@" >"$tmp/o" 2>&1
	rc=$?
	if [ $rc -ne "$want" ] || ! grep -q -- "$pat" "$tmp/o"; then
		echo "$*: exit $rc (expected $want), output:"
		cat "$tmp/o"
		echo "(expected a line matching: $pat)"
		fail=1
	fi
}
expect 0 "t.conf: OK, 1 remote, 0 sainfos; .*psk.txt: 2 keys" \
    "$racoon" -t -f "$tmp/t.conf"
# -c is -f, as the article's design card writes it.
expect 0 "OK" "$racoon" -t -c "$tmp/t.conf"
chmod 644 "$tmp/psk.txt"
expect 1 "psk.txt: mode 0644 lets group or others at the keys; refused" \
    "$racoon" -t -f "$tmp/t.conf"
chmod 600 "$tmp/psk.txt"
printf '192.168.2.100\n' >"$tmp/psk.txt"
expect 1 "psk.txt:1: \"192.168.2.100\" has no key" \
    "$racoon" -t -f "$tmp/t.conf"
# No key ever shows in the output.
printf '192.168.2.100 0xabcdef0\n' >"$tmp/psk.txt"
expect 1 "psk.txt:1: key of \"192.168.2.100\": 0x must be" \
    "$racoon" -t -f "$tmp/t.conf"
if grep -q abcdef "$tmp/o"; then
	echo "racoon -t printed a key"
	fail=1
fi
rm -f "$tmp/psk.txt"
expect 1 "psk.txt: cannot open: No such file" "$racoon" -t -f "$tmp/t.conf"
# The error as racoon.conf.5 shows it, for a file named racoon.conf.
cp 101-fail-unknown-keyword.in "$tmp/racoon.conf"
expect 1 "^racoon.conf:12: unknown keyword \"lifetme\"$" \
    sh -c 'cd "$1" && "$2" -t -f racoon.conf' sh "$tmp" "$racoon"
expect 1 "nonexistent.conf: cannot open \"nonexistent.conf\"" \
    "$racoon" -t -f nonexistent.conf
expect 0 "^racoon (ipsec-racoon) " "$racoon" -V
expect 1 "psk.txt: pre-shared keys not loaded" "$racoon" -F -f "$tmp/t.conf"
expect 1 "usage: racoon" "$racoon" -x
# ipsec-tools' -B and -L: refused with the reason, whatever else is
# asked, never ignored.
expect 1 "^racoon: -B: not supported: .*path backupsa" "$racoon" -B -t -f "$tmp/t.conf"
expect 1 "^racoon: -L: not supported: .*file and line" "$racoon" -F -L -f "$tmp/t.conf"
expect 1 "^racoon: -L: not supported" "$racoon" -dL -V
expect 1 "-p: \"0\" is not a port" "$racoon" -p 0 -t
expect 1 "-P: \"65536\" is not a port" "$racoon" -P 65536 -t
exit $fail
