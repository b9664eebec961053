#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Every man page renders without a warning: mandoc -T lint at the WARNING
# level (STYLE notes too, but for manuals of other packages mandoc does
# not find), and groff -ww with the mdoc macros.
set -u
. "$(dirname "$0")/../netns/lib.sh"
top=${TEST_SRCDIR:-${TOP:?}}
for t in mandoc groff; do
	command -v $t >/dev/null || { echo "$t not installed"; exit 77; }
done
n=0
for m in "$top"/man/*.[1-9]; do
	[ -f "$m" ] || continue
	n=$((n + 1))
	name=${m##*/}
	out=$(mandoc -T lint -W style "$m" 2>&1 |
	    grep -v 'referenced manual not found\|mandoc\.db')
	[ -z "$out" ] || printf '%s\n' "$out"
	check "$name: mandoc -T lint is silent" test -z "$out"
	out=$(LC_ALL=C.UTF-8 groff -ww -z -mandoc "$m" 2>&1)
	[ -z "$out" ] || printf '%s\n' "$out"
	check "$name: groff -ww is silent" test -z "$out"
	check "$name: renders with NAME and DESCRIPTION" sh -c \
	    "mandoc -T html '$m' | grep -c 'id=\"\\(NAME\\|DESCRIPTION\\)\"' |
	    grep -qx 2"
done
for p in racoon.8 racoon.conf.5 setkey.8 ipsecd.8; do
	check "$p is there" test -f "$top/man/$p"
done
exit $fail
