#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Golden tests of the setkey grammar (tests/setkey/):
#  - NNN-name.in parses (setkey -n: silent, exit 0), prints in canonical
#    form (setkey -C) exactly as NNN-name.ok, and that output parses back
#    to the same text (the printer writes what the grammar reads);
#  - NNN-fail-name.in fails (exit 1) with exactly the errors of its .ok,
#    file names and line numbers included, and prints nothing on stdout;
#  - the article's script read from standard input (-c) gives the same
#    commands, and a script with a bad line yields no commands at all;
#  - usage() matches the SYNOPSIS of man/setkey.8.
set -u
top=${TOP:?}
setkey=${BUILD:?}/src/setkey/setkey
[ -x "$setkey" ] || { echo "no $setkey"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

for in in "$top"/tests/setkey/*.in; do
	name=$(basename "$in" .in)
	ok=${in%.in}.ok
	n=$((n + 1))
	case $name in
	*fail*)
		if "$setkey" -n -f "$in" >"$tmp/out" 2>"$tmp/err"; then
			echo "$name: setkey -n succeeded, expected a failure"
			fail=1
		fi
		if [ -s "$tmp/out" ]; then
			echo "$name: output on stdout:"; cat "$tmp/out"; fail=1
		fi
		diff -u "$ok" "$tmp/err" || { echo "$name: errors differ"; fail=1; }
		;;
	*)
		if ! "$setkey" -n -f "$in" >"$tmp/out" 2>&1 || [ -s "$tmp/out" ]; then
			echo "$name: setkey -n not silent or failed:"; cat "$tmp/out"
			fail=1
		fi
		if ! "$setkey" -C -f "$in" >"$tmp/out" 2>"$tmp/err"; then
			echo "$name: setkey -C failed:"; cat "$tmp/err"; fail=1
		fi
		diff -u "$ok" "$tmp/out" || { echo "$name: output differs"; fail=1; }
		cp "$tmp/out" "$tmp/again.in"
		"$setkey" -C -f "$tmp/again.in" >"$tmp/again" 2>"$tmp/again.err"
		diff -u "$tmp/out" "$tmp/again" ||
		    { echo "$name: canonical form does not read back"; fail=1; }
		;;
	esac
done

# -c reads the same language from standard input.
"$setkey" -C -c <"$top/tests/setkey/001-article-manual.in" >"$tmp/stdin" 2>&1
diff -u "$top/tests/setkey/001-article-manual.ok" "$tmp/stdin" ||
    { echo "-c: output differs"; fail=1; }
# Errors from standard input are named <stdin>.
printf 'flush;\nadd 10.0.0.1 10.0.0.2 ah 0x300 -A hmac-md6 0x00;\n' |
    "$setkey" -n -c >"$tmp/out" 2>&1 && { echo "-c: bad script accepted"; fail=1; }
grep -qx '<stdin>:2: unknown algorithm "hmac-md6"' "$tmp/out" ||
    { echo "-c: unexpected error text:"; cat "$tmp/out"; fail=1; }
# One bad statement among good ones: nothing is printed, nothing sent.
{ cat "$top/tests/setkey/001-article-manual.in"; echo 'add 1.2.3.4 5.6.7.8 esp 1 -E nope;'; } >"$tmp/mixed.in"
"$setkey" -C -f "$tmp/mixed.in" >"$tmp/out" 2>/dev/null &&
    { echo "mixed: accepted"; fail=1; }
[ -s "$tmp/out" ] && { echo "mixed: printed commands of a bad script"; fail=1; }
# A NUL byte is refused with its line.
printf 'flush;\nspd\0flush;\n' >"$tmp/nul.in"
"$setkey" -n -f "$tmp/nul.in" >"$tmp/out" 2>&1 && { echo "NUL accepted"; fail=1; }
grep -q 'nul.in:2: NUL byte' "$tmp/out" || { echo "NUL: wrong error:"; cat "$tmp/out"; fail=1; }

# usage() says what setkey.8's SYNOPSIS says.  The mdoc macros of the
# SYNOPSIS (.Nm, .Op, .Fl, .Ar) are rendered here, so no roff is needed.
"$setkey" -h 2>&1 | sed -e 's/^usage: //' -e 's/^ *//' >"$tmp/usage"
awk '
function words(first,   i, out, t) {
	out = ""
	for (i = first; i <= NF; i++) {
		if ($i == "Fl") { i++; t = "-" $i }
		else if ($i == "Ar") { i++; t = $i }
		else t = $i
		out = out (out == "" ? "" : " ") t
	}
	return out
}
/^\.Sh SYNOPSIS/ { on = 1; next }
/^\.Sh / { if (on && line != "") print line; on = 0; next }
!on { next }
{ sub(/^\./, "") }
$1 == "Nm" { if (line != "") print line; line = "setkey"; next }
$1 == "Op" { line = line " [" words(2) "]"; next }
{ line = line " " words(1) }
' "$top/man/setkey.8" >"$tmp/synopsis"
[ -s "$tmp/synopsis" ] || { echo "no SYNOPSIS in setkey.8"; fail=1; }
diff -u "$tmp/synopsis" "$tmp/usage" ||
    { echo "usage() and setkey.8 SYNOPSIS differ"; fail=1; }

echo "$n golden files checked"
exit $fail
