# SPDX-License-Identifier: BSD-2-Clause
# Sourced by tests/suite.sh and tests/demo.sh: the Debian packages the
# build and the tests use, installing the missing ones, and building one
# tree.  Expects $top (the source tree), $out (where builds go) and $jobs.

# What the build and the tests use, by Debian package name.
packages="autoconf automake make gcc pkg-config libssl-dev libevent-dev
    libnftables-dev libsystemd-dev flex bison clang libclang-rt-14-dev
    iproute2 iputils-ping nftables conntrack tcpdump procps psmisc python3-scapy
    python3-cryptography python3-botan qemu-system-x86 linux-image-amd64
    busybox-static
    mandoc groff-base systemd tshark strongswan-charon strongswan-swanctl
    libcharon-extra-plugins libstrongswan-standard-plugins
    libstrongswan-extra-plugins ike-scan"

install_packages() {
	local missing="" p
	for p in $packages; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "need root to install$missing" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# tshark's wireshark-common asks whether non-root users may capture.
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
	    debconf-set-selections
	apt-get update -qq >"$out/apt.log" 2>&1 &&
	    apt-get install -y -qq --no-install-recommends $missing \
	    >>"$out/apt.log" 2>&1 || { tail -20 "$out/apt.log" >&2; return 1; }
}

# build DIR CONFIGURE-ARGS...: configure once, then make all and the
# check programs.
build() {
	local dir=$out/$1; shift
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ]; then
		(cd "$dir" && "$top/configure" "$@") >"$dir.configure.log" 2>&1 ||
		    { tail -30 "$dir.configure.log" >&2; return 1; }
	fi
	make -C "$dir" -j"$jobs" all >"$dir.make.log" 2>&1 &&
	    make -C "$dir" -j"$jobs" check TESTS= >>"$dir.make.log" 2>&1 ||
	    { grep -E 'error|Error' "$dir.make.log" | head -30 >&2; return 1; }
}

