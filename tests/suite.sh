#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# The whole test suite, as CI runs it (.ci/run) and the README shows it:
# installs the Debian packages it needs that are missing, builds three
# trees (plain with -Werror, ASan+UBSan, libFuzzer with clang), then runs
# the unit tests, the unit tests again under the sanitizers, the fuzz
# targets for a few seconds each, the build checks, and the namespace tests.
# Ends with one line "N passed, N failed[, N skipped]" and exits non-zero on
# any failure.  Under CI=true a skipped test counts as failed.
#
# Usage: tests/suite.sh [-k] [-j N] [PATTERN]
#   -k		keep going without reinstalling/rebuilding (developer loop)
#   PATTERN	run only tests whose name contains PATTERN
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
out=${SUITE_OUT:-$top/_build}
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${FUZZ_SECONDS:-5}
quick=0

while getopts kj: opt; do
	case $opt in
	k) quick=1 ;;
	j) jobs=$OPTARG ;;
	*) echo "usage: tests/suite.sh [-k] [-j N] [PATTERN]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
pattern=${1:-}

# Packages, install_packages and build() are shared with tests/demo.sh.
. "$top/tests/common.sh"

npass=0 nfail=0 nskip=0
failed=""

# run_test NAME CMD...: one result.  Exit 0 passes, 77 skips, else fails.
run_test() {
	local name=$1 log rc; shift
	case $name in *"$pattern"*) ;; *) return 0 ;; esac
	log=$out/logs/${name//\//_}.log
	TOP=$top BUILD=$out/main ASAN_BUILD=$out/asan TEST_SRCDIR=$top \
	    timeout -k 10 "${TEST_TIMEOUT:-600}" "$@" >"$log" 2>&1
	rc=$?
	case $rc in
	0) npass=$((npass + 1)); echo "PASS $name" ;;
	77)
		if [ "${CI:-}" = true ]; then
			nfail=$((nfail + 1)); failed="$failed $name"
			echo "FAIL $name (skipped under CI: $(tail -1 "$log"))"
		else
			nskip=$((nskip + 1)); echo "SKIP $name: $(tail -1 "$log")"
		fi ;;
	*)
		nfail=$((nfail + 1)); failed="$failed $name"
		echo "FAIL $name (exit $rc), last lines of $log:"
		tail -15 "$log" | sed 's/^/    /' ;;
	esac
}

mkdir -p "$out/logs"
if [ $quick = 0 ]; then
	install_packages || exit 1
	(cd "$top" && ./autogen.sh) >"$out/autogen.log" 2>&1 ||
	    { cat "$out/autogen.log" >&2; exit 1; }
fi
for b in "main --enable-werror" "asan --enable-werror --enable-asan" \
    "fuzz --enable-werror --enable-fuzzing CC=clang"; do
	set -- $b
	name=$1
	if build "$@"; then
		run_test "build/$name" true
	else
		run_test "build/$name" false
	fi
done

# Unit tests, then the same programs under ASan and UBSan.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for prog in $(make -s -C "$out/main" list-unit-tests 2>/dev/null); do
	run_test "unit/${prog##*/}" "$out/main/$prog"
done
for prog in $(make -s -C "$out/asan" list-unit-tests 2>/dev/null); do
	run_test "asan/${prog##*/}" "$out/asan/$prog"
done

# Each fuzz target runs briefly on a copy of its seed corpus.
for prog in $(make -s -C "$out/fuzz" list-fuzzers 2>/dev/null); do
	name=${prog##*/}
	corpus=$out/fuzz-corpus/$name
	mkdir -p "$corpus"
	cp -r "$top/tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null
	run_test "fuzz/$name" "$out/fuzz/$prog" -max_total_time="$fuzz_seconds" \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/logs/$name-" \
	    "$corpus"
done

# Scripts: build checks, cross-checks against independent implementations,
# the namespace scenarios, strongSwan as the peer, then a native kernel
# under qemu.
for t in "$top"/tests/build/*.sh "$top"/tests/xcheck/*.sh \
    "$top"/tests/netns/*.sh "$top"/tests/interop/*.sh \
    "$top"/tests/qemu/*.sh; do
	[ -f "$t" ] || continue
	case $t in */lib.sh) continue ;; esac
	d=${t%/*}
	run_test "${d##*/}/$(basename "$t" .sh)" bash "$t"
done

line="$npass passed, $nfail failed"
[ $nskip -gt 0 ] && line="$line, $nskip skipped"
[ -n "$failed" ] && echo "failed:$failed"
echo "$line"
[ $nfail -eq 0 ] && [ $npass -gt 0 ]
