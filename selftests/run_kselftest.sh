#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the suite's selftests the way the kernel's run_kselftest.sh runs
# installed kselftests (written for this suite; same options, list file,
# settings and output). scripts/kselftest-install.sh puts it next to the
# collections; in the source tree (selftests/) it works too, the list then
# coming from each directory's Makefile (make emit_tests).
#
#   run_kselftest.sh [-s] [-d] [-t COLLECTION:TEST]... [-c COLLECTION]...
#   run_kselftest.sh -l | -h
#
#   -s | --summary      the tests' output into output.log next to this
#                       script, only the result lines on stdout
#   -t | --test C:T     run test T of collection C (repeatable)
#   -c | --collection C run every test of collection C (repeatable)
#   -l | --list         print the available collection:test entries
#   -d | --dry-run      print what would run, run nothing
#   -h | --help
#
# kselftest-list.txt holds one "collection:test" a line. Per collection:
# "TAP version 13", its plan, then for each test "# selftests: C: T", the
# test's output prefixed "# ", and "ok N selftests: C: T" (exit 0),
# "ok N ... # SKIP" (exit 4), "not ok N ... # TIMEOUT S seconds" (killed
# after the collection's settings timeout=S, default 45) or
# "not ok N ... # exit=RC". KSELFTEST_<TEST>_ARGS (the test's file name in
# upper case, other characters than letters and digits as "_") are its
# arguments. Ends with "# totals: pass:P fail:F skip:S"; exits 1 when a
# test failed.

BASE_DIR=$(cd "$(dirname "$0")" && pwd)
LIST=$BASE_DIR/kselftest-list.txt
default_timeout=45

usage()
{
	cat <<EOF
Usage: $0 [OPTIONS]
  -s | --summary                Print the results only; test output in output.log
  -t | --test COLLECTION:TEST   Run TEST from COLLECTION
  -c | --collection COLLECTION  Run all tests from COLLECTION
  -l | --list                   List the available collection:test entries
  -d | --dry-run                Don't actually run any tests
  -h | --help                   Show this usage info
EOF
	exit "$1"
}

available()
{
	local_d=
	if [ -r "$LIST" ]; then
		grep -v '^[[:space:]]*$' "$LIST"
		return
	fi
	# In the source tree: what each directory's Makefile names.
	for local_d in "$BASE_DIR"/*/; do
		[ -e "$local_d/Makefile" ] || continue
		make -s --no-print-directory -C "$local_d" emit_tests
	done
}

summary=
dryrun=
selected=
while [ $# -gt 0 ]; do
	case $1 in
	-s|--summary) summary=1; shift ;;
	-t|--test) [ $# -ge 2 ] || usage 1; selected="$selected $2"; shift 2 ;;
	-c|--collection)
		[ $# -ge 2 ] || usage 1
		found=$(available | grep "^$2:")
		[ -n "$found" ] || { echo "No such collection '$2'" >&2; exit 1; }
		selected="$selected $found"
		shift 2
		;;
	-l|--list) available; exit 0 ;;
	-d|--dry-run) dryrun=1; shift ;;
	-h|--help) usage 0 ;;
	*) usage 1 ;;
	esac
done

all=$(available)
if [ -n "$selected" ]; then
	for t in $selected; do
		echo "$all" | grep -qxF "$t" || { echo "No such test '$t'" >&2; exit 1; }
	done
	tests=$(echo "$selected" | tr ' ' '\n' | grep -v '^$')
else
	tests=$all
fi
[ -n "$tests" ] || { echo "$0: no tests ($LIST)" >&2; exit 1; }

# The tests' output: fd 3, stdout or output.log.
if [ -n "$summary" ]; then
	exec 3> "$BASE_DIR/output.log"
else
	exec 3>&1
fi
rcfile=$(mktemp)
trap 'rm -f "$rcfile"' EXIT

pass=0
fail=0
skip=0

# run_one COLLECTION TEST N: one test, one result line (the caller's c and
# t are the same COLLECTION and TEST).
run_one()
{
	c=$1 t=$2 num=$3
	hdr="selftests: $c: $t"
	tmo=$(sed -n 's/^timeout=\([0-9]*\).*/\1/p' "$BASE_DIR/$c/settings" 2>/dev/null | tail -n 1)
	tmo=${tmo:-$default_timeout}
	var=KSELFTEST_$(echo "$t" | tr -c '[:alnum:]\n' '_' | tr '[:lower:]' '[:upper:]')_ARGS
	args=
	eval "args=\${$var:-}"
	echo "# $hdr"
	if [ -n "$dryrun" ]; then
		echo "# (dry run) cd $BASE_DIR/$c && timeout $tmo ./$t $args"
		return
	fi
	if [ ! -x "$BASE_DIR/$c/$t" ]; then
		echo "# Warning: $c/$t is missing or not executable"
		echo "not ok $num $hdr"
		fail=$((fail + 1))
		return
	fi
	echo 1 > "$rcfile"
	# shellcheck disable=SC2086 # the arguments are a word list
	{
		(cd "$BASE_DIR/$c" && timeout -k 10 "$tmo" "./$t" $args 2>&1)
		echo $? > "$rcfile"
	} | sed 's/^/# /' >&3
	rc=$(cat "$rcfile")
	case $rc in
	0) echo "ok $num $hdr"; pass=$((pass + 1)) ;;
	4) echo "ok $num $hdr # SKIP"; skip=$((skip + 1)) ;;
	124|137) echo "not ok $num $hdr # TIMEOUT $tmo seconds"; fail=$((fail + 1)) ;;
	*) echo "not ok $num $hdr # exit=$rc"; fail=$((fail + 1)) ;;
	esac
}

for c in $(echo "$tests" | cut -d: -f1 | uniq); do
	[ -w /dev/kmsg ] && [ -z "$dryrun" ] && echo "kselftest: Running tests in $c" > /dev/kmsg
	ctests=$(echo "$tests" | grep "^$c:" | cut -d: -f2-)
	echo "TAP version 13"
	echo "1..$(echo "$ctests" | wc -l)"
	n=0
	for t in $ctests; do
		n=$((n + 1))
		run_one "$c" "$t" "$n"
	done
done
echo "# totals: pass:$pass fail:$fail skip:$skip"
[ "$fail" -eq 0 ]
