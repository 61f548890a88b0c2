#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make test: every check that asserts something, in one KTAP stream with one
# final tally "N passed, N failed, N skipped".
#
#   static checks (W=1, sparse, checkpatch), the build matrix over every
#   installed kernel and over the RHEL-family trees of ../shared/kernels
#   (skipped with the reason where there are none), the compat probe cache,
#   the DKMS cycle in a private tree, the patch queue (on 6.12 and 6.1), the
#   .deb/.rpm packages (built, inspected, the .deb installed, upgraded and
#   purged), and the VM selftests (each test counted)
#   on the host's Debian 12 kernel, and the benchmarks (scripts/bench/run.sh
#   --quick: fewer, shorter samples; their figures printed, only their having
#   measured asserted); then the same on Debian 13: the .deb
#   through trixie's dkms and the VM selftests on Debian 13's own kernel, with
#   the modules built inside a cached Debian 13 root (scripts/debian13/);
#   and, run beside all the VM steps and shown last, every directory
#   that loads the suite's modules on the debug kernel (KASAN, lockdep,
#   kmemleak, UBSAN; scripts/vm/debug-lane.sh; RB_DEBUG_TESTS for another
#   set), whose kernel is built in the background from the start.
#
# TESTS="dir ..." limits the VM selftests (both kernels) as for make selftests.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# shellcheck source=/dev/null
. scripts/vm/sysroot.sh
# shellcheck source=/dev/null
. scripts/lib.sh
kdir=$(rb_kdir) || exit 1
kver=$(rb_kver "$kdir") || exit 1
export KDIR_SEL=$kdir KVER_SEL=$kver

pass=0 fail=0 skip=0
n=0
t_start=$(date +%s)
steps=12

echo "TAP version 13"
echo "1..$steps"

# step NAME CMD...: one host-side test; its output nested.
step()
{
	local name=$1 rc t0
	shift
	n=$((n + 1))
	echo "# $name"
	t0=$(date +%s)
	"$@" > "build/test-step.log" 2>&1
	rc=$?
	sed 's/^/    /' "build/test-step.log"
	echo "# took $(( $(date +%s) - t0 )) s (at $(( $(date +%s) - t_start )) s)"
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
	t0=$(stat -c %Y "$d1/rbp_compat_autoconf.h")
	d2=$(scripts/compat/probe.sh "$kdir" build/compat) || return 1
	t1=$(stat -c %Y "$d2/rbp_compat_autoconf.h")
	scripts/compat/probe.sh --table "$kdir" build/compat
	[ "$d1" = "$d2" ] && [ "$t0" = "$t1" ] && ! ls -d build/compat/.probe.* > /dev/null 2>&1
}


mkdir -p build
# The debug kernel of the last step (its first build on a machine takes
# ~15 minutes of both CPUs) is made in the background at the lowest
# priority from the start, so it runs in the CPU time the steps before
# leave idle (package installs, VM boots, guests waiting) and takes almost
# none from them; the debug lane waits for it. Its cache is written only
# when it is whole (scripts/vm/debug-kernel.sh).
# setsid makes a session, and with sched_autogroup (Debian's default) a
# scheduling group of its own, which the rest of the run would share the
# CPUs with half and half whatever its tasks' nice: so the group is niced.
# shellcheck disable=SC2016 # for the build's shell
setsid sh -c 'echo 19 > /proc/self/autogroup 2> /dev/null; exec nice -n 19 "$0"' \
	scripts/vm/debug-kernel.sh > build/debug-kernel.log 2>&1 &
dk_pid=$!
dl_pid=
trap 'kill -- -$dk_pid ${dl_pid:+-$dl_pid} 2> /dev/null' EXIT
step "static checks (W=1, sparse, checkpatch --strict) for $kver" scripts/check.sh "$kdir"
step "build matrix: every installed kernel, W=1 + sparse" scripts/matrix.sh --installed
step "build matrix: the RHEL-family trees of ../shared/kernels, W=1" scripts/matrix.sh --trees
step "compat probes cached per kernel" probe_cache
step "dkms add/build/install/uninstall/remove in a private tree" scripts/dkms.sh selftest
step "patch queue on 6.12 and 6.1: trailers, base-commit, checkpatch, applies, builds" scripts/patches/check.sh
step "packages: .deb/.rpm build and contents, .deb install/upgrade/purge" scripts/pkg/test.sh

# The reliability lane, on a KASAN, lockdep, kmemleak, UBSAN kernel: the
# directories written for the suite's modules, with 10 load/unload cycles
# where the production kernel does 50. Left out: rxe and
# rxe_mcast_loopback (the kernel's rxe and the patched one; only
# 03-mcast-noloop.sh there loads one of ours, which mcast_noloop covers)
# and ipoib_sendonly_patched (a patched ib_core). It starts here, once the
# host-side steps are done, and runs beside every VM step that follows
# (Debian 12's selftests and benchmarks, then Debian 13's), its output held
# back and shown last: a guest waits much of the time (timers, retries,
# peers), so one VM left about half of the two CPUs idle (vmstat during the
# Debian 13 lane, 2026-12-01), and the lane (32 minutes beside the Debian
# 13 steps under TCG) ended make test 13 minutes after them when it
# started there (fresh clone, 2026-12-01). Its runs go to
# build/vm/runs-<release>/, apart from Debian 12's. The benchmarks' figures
# are ratios against a peer of the same run, which a neighbour slows alike.
# The debug kernel's background build, if still running, gets normal
# priority now.
dl_sum=build/test-selftests-debug.sum
dl_out=build/test-debug-lane.out
rm -f "$dl_sum"
: > build/debug-lane-build.log
# shellcheck disable=SC2016,SC2086 # expanded by the lane's own shell; a list of directories
setsid bash -c '
	renice -n 0 -g "$1" > /dev/null 2>&1
	echo 0 > "/proc/$1/autogroup" 2> /dev/null
	t0=$(date +%s)
	while kill -0 "$1" 2> /dev/null; do sleep 5; done
	echo "# the debug kernel was ready $(( $(date +%s) - t0 )) s after the lane was due"
	shift
	RB_SUMMARY=$0 scripts/vm/debug-lane.sh "$@" 2>&1' \
	"$dl_sum" "$dk_pid" ${RB_DEBUG_TESTS:-sib ipoib_sendonly mcast_noloop modload churn} > "$dl_out" 2>&1 &
dl_pid=$!

# vm_step NAME BUILDLOG SUMMARY: the tally of a VM selftest run (its
# SUMMARY file), each test one count; the build's log when it did not run.
vm_step()
{
	local p f s
	echo "# at $(( $(date +%s) - t_start )) s"
	if [ -s "$3" ]; then
		read -r p f s < "$3"
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
		if [ "$f" -eq 0 ]; then
			echo "ok $n $1"
		else
			echo "not ok $n $1"
		fi
	else
		sed 's/^/# /' "$2" | tail -n 20
		echo "not ok $n $1 # did not run"
		fail=$((fail + 1))
	fi
}

# The VM selftests, each test one count.
n=$((n + 1))
echo "# VM selftests on $kver"
summary=build/test-selftests.sum
rm -f "$summary"
if RB_WITH_TESTS=1 scripts/build.sh "$kdir" "build/$kver" > build/test-build.log 2>&1; then
	# shellcheck disable=SC2086 # TESTS is a list of directories
	RB_SUMMARY=$summary scripts/vm/selftests.sh ${TESTS:-} | sed 's/^/    /'
fi
vm_step "VM selftests" build/test-build.log "$summary"

# The benchmarks: figures printed, only their having measured asserted;
# quick, as the README's figures come from make bench.
step "benchmarks, quick (figures against peers of the same run; asserts only that each measured)" \
	scripts/bench/run.sh --quick

# Debian 13: the root is made (or reused) by the DKMS step, the first to
# need it; then the modules are built in it and the VM boots its kernel.
step "Debian 13: the .deb installed, built by trixie's dkms and purged in a Debian 13 root" \
	scripts/debian13/dkms.sh
n=$((n + 1))
t0=$(date +%s)
summary=build/test-selftests-debian13.sum
rm -f "$summary"
root=$(scripts/debian13/root.sh 2> build/test-build-debian13.log) &&
	rel=$(rb_root_release "$root" 2>> build/test-build-debian13.log) || rel=
echo "# VM selftests on Debian 13 ${rel:-(no Debian 13 root)}"
if [ -n "$rel" ] && scripts/debian13/build.sh "$root" >> build/test-build-debian13.log 2>&1; then
	grep '^debian13: built' build/test-build-debian13.log | sed 's/^/    # /'
	# shellcheck disable=SC2086 # TESTS is a list of directories
	RB_SYSROOT=$root RB_SUMMARY=$summary scripts/vm/selftests.sh ${TESTS:-} | sed 's/^/    /'
fi
echo "# Debian 13 build and VM selftests took $(( $(date +%s) - t0 )) s"
vm_step "VM selftests on Debian 13 ${rel:-}" build/test-build-debian13.log "$summary"

# The reliability lane started above.
n=$((n + 1))
echo "# VM selftests on the debug kernel (KASAN, lockdep, kmemleak, UBSAN), run beside the VM steps"
wait "$dl_pid"
dl_pid=
sed 's/^/    /' "$dl_out"
[ -s "$dl_sum" ] || sed 's/^/    # /' build/debug-kernel.log | tail -n 20
vm_step "VM selftests on the debug kernel" build/debug-lane-build.log "$dl_sum"

rb_tally $pass $fail $skip
[ $fail -eq 0 ]
