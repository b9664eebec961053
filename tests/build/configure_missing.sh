#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A missing dependency stops configure with the Debian package to install.
# pkg-config is pointed at a directory holding only some .pc files, so each
# library in turn appears missing; flex is hidden through LEX.
set -u
top=${TOP:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pcdir=$tmp/pc
mkdir -p "$pcdir"
fail=0

# expect WANT [VAR=value...]: configure fails and names WANT.
expect() {
	local want=$1; shift
	mkdir -p "$tmp/b" && rm -rf "$tmp/b"/*
	if (cd "$tmp/b" && env PKG_CONFIG_LIBDIR="$pcdir" PKG_CONFIG_PATH= \
	    "$@" "$top/configure" >out 2>&1); then
		echo "configure succeeded, expected a failure naming $want"
		fail=1
	elif ! grep -q "install the Debian package $want" "$tmp/b/out"; then
		echo "configure failed without naming $want:"
		tail -3 "$tmp/b/out"
		fail=1
	else
		grep "error:" "$tmp/b/out"
	fi
}

pc() {
	local f
	f=$(pkg-config --variable=pcfiledir "$1")/$1.pc
	cp "$f" "$pcdir/" || fail=1
}

expect libssl-dev
pc libcrypto
expect libevent-dev
pc libevent
expect libnftables-dev
pc libnftables
expect flex LEX=/bin/false
# With every library present, configure gets through.
if ! (cd "$tmp/b" && PKG_CONFIG_LIBDIR="$pcdir" PKG_CONFIG_PATH= \
    "$top/configure" >out 2>&1); then
	echo "configure failed with every dependency present:"
	tail -5 "$tmp/b/out"
	fail=1
fi
exit $fail
