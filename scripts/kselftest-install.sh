#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make kselftest-install: the selftests installed the way the kernel's
# "make -C tools/testing/selftests install" lays out kselftests, to run with
# a kselftest runner on a machine (VM) that has the suite DKMS-installed.
#
#   kselftest-install.sh DEST   install into DEST (made if missing)
#   kselftest-install.sh --check
#                               no install: each directory's Makefile names
#                               in TEST_PROGS exactly the executables the VM
#                               harness runs there (scripts/vm/guest/
#                               run-tests.sh), so both ways run the same tests
#
# DEST gets one directory (collection) per test directory of selftests/
# (not lib/, not kmod/), with what its Makefile installs (selftests/lib.mk:
# TEST_PROGS, TEST_FILES, config, settings), selftests/lib/ next to them
# (the tests source ../lib/ktap.sh), kselftest-list.txt ("collection:test"
# lines, as make emit_tests prints them), run_kselftest.sh (the suite's own
# runner with the kernel runner's options and output, selftests/
# run_kselftest.sh) and a README. A directory without a Makefile is
# installed with every executable the VM harness would run, and said so.
# Neither the suite's modules nor the test modules (selftests/kmod:
# rb_test_mcast, rb_test_fault) are installed; nor what a directory's
# host-prepare builds for the VM harness (bin/): the tests that need it skip.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
src=$top/selftests

usage() { echo "usage: kselftest-install.sh DEST | --check" >&2; exit 2; }
[ $# -eq 1 ] || usage

# collections: the test directories, one a line (as scripts/vm/selftests.sh
# finds them).
collections()
{
	local d
	for d in "$src"/*/; do
		d=$(basename "$d")
		case $d in lib|kmod) ;; *) echo "$d" ;; esac
	done
}

# harness_tests DIR: the files the VM harness runs in DIR, one a line
# (scripts/vm/guest/run-tests.sh: executable files but these).
harness_tests()
{
	local f
	for f in "$src/$1"/*; do
		case ${f##*/} in host-prepare|settings|config|*.c|*.h|*.ko|*.md) continue ;; esac
		[ -f "$f" ] && [ -x "$f" ] && echo "${f##*/}"
	done
}

# make_tests DIR: the tests DIR's Makefile names, one a line.
make_tests()
{
	make -s --no-print-directory -C "$src/$1" emit_tests | sed "s/^$1://"
}

# check: every directory's TEST_PROGS are the harness's tests. Prints the
# differences; returns 1 on any.
check()
{
	local d bad=0 diff
	while read -r d; do
		if [ ! -e "$src/$d/Makefile" ]; then
			echo "warning: selftests/$d has no Makefile: installed with every executable there" >&2
			continue
		fi
		diff=$(diff <(make_tests "$d" | sort) <(harness_tests "$d" | sort) |
			sed -n 's/^< /only in TEST_PROGS: /p; s/^> /run by the VM harness, not in TEST_PROGS: /p')
		if [ -n "$diff" ]; then
			echo "selftests/$d/Makefile: ${diff//$'\n'/; }"
			bad=1
		fi
	done < <(collections)
	return $bad
}

if [ "$1" = --check ]; then
	check
	exit
fi
case $1 in -*) usage ;; esac

check || { echo "kselftest-install: fix the Makefiles first" >&2; exit 1; }
mkdir -p "$1"
dest=$(cd "$1" && pwd)
list=$dest/kselftest-list.txt
: > "$list"
while read -r d; do
	rm -rf "${dest:?}/$d"
	if [ -e "$src/$d/Makefile" ]; then
		make -s --no-print-directory -C "$src/$d" install INSTALL_PATH="$dest/$d"
		make -s --no-print-directory -C "$src/$d" emit_tests >> "$list"
	else
		mkdir -p "$dest/$d"
		while read -r t; do
			cp -p "$src/$d/$t" "$dest/$d/"
			echo "$d:$t" >> "$list"
		done < <(harness_tests "$d")
		for f in config settings; do
			[ ! -e "$src/$d/$f" ] || cp -p "$src/$d/$f" "$dest/$d/"
		done
	fi
done < <(collections)
rm -rf "${dest:?}/lib"
cp -pR "$src/lib" "$dest/lib"
cp -p "$src/run_kselftest.sh" "$dest/run_kselftest.sh"

cat > "$dest/README" <<EOF
rdma-backports $(rb_version) selftests, kselftest layout
($(git -C "$top" describe --always --dirty 2>/dev/null || cat "$top/.rb-describe" 2>/dev/null || echo unknown))

Run them as root on the machine to test, typically a VM:

  ./run_kselftest.sh            every test (kselftest-list.txt)
  ./run_kselftest.sh -l         the list of collection:test
  ./run_kselftest.sh -c sib     one collection; -t sib:verbs.sh one test
  ./run_kselftest.sh -s         results only, test output in output.log

The tests load and unload kernel modules and make network devices: use a
machine you can afford to break, never a production host. Each test prints
KTAP and exits 0 (pass), 4 (skip, with the reason) or 1 (fail); settings
holds a collection's timeout. The kernel's own run_kselftest.sh runs these
collections too.

Not installed here: the suite's modules. Install them first, as a user
does, with DKMS (the rdma-backports-dkms package, or make dkms-install in
the source tree, for the running kernel). Nor the test-only modules
rb_test_mcast and rb_test_fault (selftests/kmod, built only by the VM
harness, make selftests), nor the programs and patched modules a
directory's host-prepare builds into bin/ for the VM harness (sib: sa_mad;
rxe_mcast_loopback: mcast_lb, rxe_flags_shim.so, rdma_rxe.ko;
ipoib_sendonly_patched: ib_core.ko, ib_ipoib.ko). Tests that need any of
these skip and say so. The tests do not check the kernel log (warnings,
oopses, taint) themselves: the VM harness does that after each test; look
at dmesg.
EOF

echo "kselftest-install: $(wc -l < "$list") tests in $(collections | wc -l) collections in $dest"
