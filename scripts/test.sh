#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make test: every check that asserts something, in one KTAP stream with one
# final tally "N passed, N failed, N skipped".
#
#   static checks (W=1, sparse, checkpatch), the build matrix over every
#   installed kernel, the compat probe cache, the DKMS cycle in a private
#   tree, the patch queue, the .deb/.rpm packages (built, inspected, the .deb
#   installed, upgraded and purged), and the VM selftests (each test counted).
#
# TESTS="dir ..." limits the VM selftests as for make selftests.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kdir=${KDIR_SEL:-$(scripts/kdir.sh)}
kver=$(scripts/kver.sh "$kdir")
export KDIR_SEL=$kdir KVER_SEL=$kver

pass=0 fail=0 skip=0
n=0
steps=7

echo "TAP version 13"
echo "1..$steps"

# step NAME CMD...: one host-side test; its output nested.
step()
{
	local name=$1 rc
	shift
	n=$((n + 1))
	echo "# $name"
	"$@" > "build/test-step.log" 2>&1
	rc=$?
	sed 's/^/    /' "build/test-step.log"
	if [ $rc -eq 0 ]; then
		echo "ok $n $name"
		pass=$((pass + 1))
	elif [ $rc -eq 4 ]; then
		echo "ok $n $name # SKIP $(tail -n 1 build/test-step.log)"
		skip=$((skip + 1))
	else
		echo "not ok $n $name"
		fail=$((fail + 1))
	fi
}

# The compat cache is reused: a second probe run compiles nothing.
probe_cache()
{
	local d1 d2 t0 t1
	d1=$(scripts/compat/probe.sh "$kdir" build/compat) || return 1
	t0=$(stat -c %Y "$d1/rb_compat_autoconf.h")
	d2=$(scripts/compat/probe.sh "$kdir" build/compat) || return 1
	t1=$(stat -c %Y "$d2/rb_compat_autoconf.h")
	scripts/compat/probe.sh --table "$kdir" build/compat
	[ "$d1" = "$d2" ] && [ "$t0" = "$t1" ] && ! ls -d build/compat/.probe.* > /dev/null 2>&1
}

patches()
{
	if [ -x scripts/patches/check.sh ]; then
		scripts/patches/check.sh
	else
		echo "no patch queue checker yet"
		return 4
	fi
}

mkdir -p build
step "static checks (W=1, sparse, checkpatch --strict) for $kver" scripts/check.sh "$kdir"
step "build matrix: every installed kernel, W=1 + sparse" scripts/matrix.sh
step "compat probes cached per kernel" probe_cache
step "dkms add/build/install/uninstall/remove in a private tree" scripts/dkms.sh selftest
step "patch queue: trailers, checkpatch, applies, builds" patches
step "packages: .deb/.rpm build and contents, .deb install/upgrade/purge" scripts/pkg/test.sh

# The VM selftests, each test one count.
n=$((n + 1))
echo "# VM selftests on $kver"
summary=build/test-selftests.sum
rm -f "$summary"
if RB_WITH_TESTS=1 scripts/build.sh "$kdir" "build/$kver" > build/test-build.log 2>&1; then
	RB_SUMMARY=$summary scripts/vm/selftests.sh ${TESTS:-} | sed 's/^/    /'
fi
if [ -s "$summary" ]; then
	read -r p f s < "$summary"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ "$f" -eq 0 ] && echo "ok $n VM selftests" || echo "not ok $n VM selftests"
else
	sed 's/^/# /' build/test-build.log | tail -n 20
	echo "not ok $n VM selftests # did not run"
	fail=$((fail + 1))
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
