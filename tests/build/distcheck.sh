#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# make distcheck passes: the tarball configures, builds, runs the unit
# tests, installs and uninstalls in a directory of its own (the systemd
# units under the prefix too) and cleans up after itself.  From a git
# checkout, the tarball also holds every file git tracks, so that it can
# run tests/suite.sh.
set -u
. "$(dirname "$0")/../netns/lib.sh"
build=${BUILD:?}
top=${TEST_SRCDIR:-${TOP:?}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "$build"/ipsec-racoon-*.tar.gz' EXIT

start=$(date +%s)
if make -C "$build" -j2 distcheck >"$tmp/distcheck.log" 2>&1; then
	echo "ok make distcheck ($(($(date +%s) - start)) s)"
else
	echo "FAIL make distcheck"
	grep -E "error|Error|FAIL" "$tmp/distcheck.log" | head -20
	fail=1
fi
tarball=$(ls "$build"/ipsec-racoon-*.tar.gz 2>/dev/null | head -n 1)
check "the tarball is there" test -n "$tarball"
if [ -n "$tarball" ]; then
	built=$(tar tzf "$tarball" | grep -E '\.o$|\.a$|/\.deps/|\.dirstamp$')
	[ -z "$built" ] || printf 'built file in the tarball: %s\n' $built
	check "no build product in the tarball" test -z "$built"
fi
if [ -n "$tarball" ] && git -C "$top" rev-parse --git-dir >/dev/null 2>&1
then
	tar tzf "$tarball" | sed -n 's|^[^/]*/||p' | grep -v '/$' | sort \
	    >"$tmp/dist"
	# Only git's own files and an empty directory's placeholder stay out.
	git -C "$top" ls-files | grep -v '^\.gitignore$\|/\.keep$' |
	    sort >"$tmp/git"
	missing=$(comm -13 "$tmp/dist" "$tmp/git")
	[ -z "$missing" ] || printf 'not in the tarball: %s\n' $missing
	check "the tarball holds every file git tracks" test -z "$missing"
fi
exit $fail
