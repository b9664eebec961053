# SPDX-License-Identifier: BSD-2-Clause
# Helpers for tests that need a kernel with native IPsec (AF_KEY, ESP, AH):
# Debian's own kernel booted under qemu (software emulation) on an
# initramfs that holds busybox, our programs with their shared libraries,
# iproute2, and the kernel modules.  The guest runs one script and powers
# off; its console comes back on stdout.
#
#	qemu_initramfs OUT GUEST-SCRIPT FILE...	build the initramfs
#	qemu_boot INITRAMFS SECONDS		boot it, print the console
#	qemu_guest_lib				check and wait_for, for a
#						guest script to start with
#	qemu_verdict CONSOLE MIN-OK		the guest's ok/FAIL lines;
#						fails unless it ran to the end
#
# A guest script that starts with qemu_guest_lib's output prints its own
# ok/FAIL lines on the console and exits with $fail: the console is the
# verdict, and qemu_verdict also fails when the guest died early (no
# "=== guest exit 0", fewer ok lines than expected).
#
# FILE... are programs copied to /bin (their libraries follow) or data
# files given as SRC:DEST.  iproute2's ip is /bin/ip: call it by that path,
# since busybox's sh prefers its own applet of the same name.  Packages: qemu-system-x86 linux-image-amd64
# busybox-static (tests/suite.sh installs them).

qemu_kernel() {
	ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1
}

qemu_kver() {
	local k
	k=$(qemu_kernel) || return 1
	echo "${k#/boot/vmlinuz-}"
}

# The modules a native IPsec test needs, dependencies first; a test adds
# its own in QEMU_MODULES_EXTRA (nftables NAT: nft_chain_nat nft_masq).
QEMU_MODULES="af_key esp4 ah4 esp6 ah6 xfrm_user xfrm4_tunnel veth authenc
    jitterentropy_rng drbg echainiv seqiv des_generic cbc md5 hmac sha1_generic sha256_generic
    sha512_generic gcm ctr ghash_generic aes_generic"

# Copy a program and the shared libraries it loads into the tree.
qemu_copy_prog() {
	local root=$1 prog=$2 lib
	# Replace a busybox applet link of the same name, not busybox itself.
	rm -f "$root/bin/$(basename "$prog")"
	cp "$prog" "$root/bin/" || return 1
	for lib in $(ldd "$prog" 2>/dev/null | awk '/=>/ {print $3} /^\t\// {print $1}'); do
		[ -f "$lib" ] || continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

qemu_initramfs() {
	local out=$1 script=$2 kver root f m; shift 2
	kver=$(qemu_kver) || { echo "no kernel in /boot" >&2; return 1; }
	root=$(mktemp -d)
	chmod 755 "$root"	# the guest's /, which other users cross
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,lib/modules,var/run}
	cp /bin/busybox "$root/bin/busybox" || return 1
	for f in $("$root/bin/busybox" --list); do
		[ "$f" = busybox ] || ln -s busybox "$root/bin/$f"
	done
	qemu_copy_prog "$root" "$(command -v ip)" || return 1
	for f in "$@"; do
		case $f in
		*:*) mkdir -p "$root$(dirname "${f#*:}")"; cp "${f%%:*}" "$root${f#*:}" ;;
		*) qemu_copy_prog "$root" "$f" || return 1 ;;
		esac
	done
	# Modules in dependency order, loaded by /init with insmod.
	for m in $QEMU_MODULES ${QEMU_MODULES_EXTRA:-}; do
		modprobe -S "$kver" --show-depends "$m" 2>/dev/null |
		    awk '$1 == "insmod" {print $2}'
	done | awk '!seen[$0]++' >"$root/modules.list"
	while read -r f; do
		mkdir -p "$root$(dirname "$f")"
		cp "$f" "$root$f"
	done <"$root/modules.list"
	cat >"$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
mkdir -p /run/netns /var/run/netns
while read -r m; do insmod "$m" 2>/dev/null; done </modules.list
/bin/ip link set lo up
echo "=== guest up: $(uname -r)"
sh /test.sh
echo "=== guest exit $?"
poweroff -f
INIT
	chmod +x "$root/init"
	cp "$script" "$root/test.sh"
	(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$out"
	rm -rf "$root"
}

qemu_boot() {
	local initrd=$1 secs=$2
	timeout "$secs" qemu-system-x86_64 -kernel "$(qemu_kernel)" \
	    -initrd "$initrd" -m 512 -smp 1 -nographic -no-reboot \
	    -nic none -append "console=ttyS0 quiet panic=-1 loglevel=3" \
	    </dev/null 2>&1 | tr -d '\r'
}

qemu_guest_lib() {
	cat <<'LIB'
fail=0
check() {	# check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then echo "ok $d"; else echo "FAIL $d"; fail=1; fi
}
check_not() {
	d=$1; shift
	if "$@"; then echo "FAIL $d"; fail=1; else echo "ok $d"; fi
}
wait_for() {	# wait_for FILE PATTERN [TENTHS]
	i=0
	while [ $i -lt "${3:-50}" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
LIB
}

qemu_verdict() {
	local console=$1 min=$2 nok rv=0
	grep -E "^(ok|FAIL) " "$console"
	nok=$(grep -c "^ok " "$console")
	if ! grep -q "^=== guest exit" "$console"; then
		echo "FAIL the guest ran to its end"
		rv=1
	elif [ "$nok" -lt "$min" ]; then
		echo "FAIL $nok ok lines, $min expected"
		rv=1
	elif ! grep -q "^=== guest exit 0" "$console"; then
		rv=1
	fi
	[ $rv = 0 ] || grep -v -e "^\\[" -e "^ok " "$console" | tail -150
	return $rv
}
