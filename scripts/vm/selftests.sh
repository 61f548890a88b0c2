#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host side of the VM selftest harness.
#
#   selftests.sh [DIR...]     one VM boot per test directory of selftests/
#                             (all of them by default); KTAP on stdout, then
#                             "N passed, N failed, N skipped"
#   selftests.sh --shell      interactive shell in the same VM (make vm)
#   selftests.sh --demo       boot and run scripts/vm/guest/demo.sh (make run)
#
# The kernel is the distribution's own (KVER_SEL or KVER, default as
# scripts/kdir.sh picks), booted from a cached vmlinux with a cached base
# initramfs; per run a small cpio on top carries /init, the suite's freshly
# built modules (from build/<release>/, or RB_MODULES_FROM=dir, e.g. a DKMS
# install) and the tests. Results leave through a 9p share; the verdict
# through isa-debug-exit: a guest that did not reach its end (panic, oops
# with panic=-1 oops=panic, hang until the host timeout) fails its directory,
# and so does one that prints nothing on its console for RB_VM_SILENT_SECS
# (60) seconds after qemu started: a kernel that does not even get to its
# first line will not get anywhere, and waiting for the whole test timeout
# (up to an hour per directory) helps nobody. The same holds from the first
# line until init says it runs; a kernel that dies, hangs or reports a bug
# before any test ran (no module of ours is loaded yet; seen as early-boot
# oopses and KASAN reports under TCG) is booted again, up to three boots,
# and the directory fails only if the last fails too.
#
# KVM is used only where it has been seen to boot a guest (scripts/vm/accel.sh,
# one probe boot per run; RB_ACCEL=kvm|tcg chooses without probing), TCG
# otherwise; the choice and its reason are one "# vm: ..." line.
#
# RB_SYSROOT=DIR (scripts/vm/sysroot.sh) boots the kernel of that root
# instead of the host's (its only release; KDIR_SEL and KVER_SEL, which name
# host kernels, are ignored), with its modules and user space in the guest;
# host-prepare scripts get RB_SYSROOT too, RB_KDIR then is the headers' path
# inside the root, and the runs go to build/vm/runs-<release>/.
#
# RB_CYCLES=N: the tests that load and unload modules in a loop (50 times
# by default) do it N times; the debug lane, ~10 times slower, uses fewer.
#
# RB_SUMMARY=file receives "pass fail skip" for callers that add up tallies.
#
# RB_BOOT_IMAGE=bzImage boots that kernel (the debug lane's) with
# RB_KERNEL_ROOT's modules; its runs go to build/vm/runs-<release>/, so it
# can run beside the host kernel's. RB_VM_CMDLINE adds to the kernel's
# command line.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null # (shellcheck checks the libraries on their own)
. "$top/scripts/vm/accel.sh"
# shellcheck source=/dev/null
. "$top/scripts/vm/sysroot.sh"
# shellcheck source=/dev/null
. "$top/scripts/lib.sh"
mode="test"
case "${1:-}" in
--shell) mode=shell; shift ;;
--demo) mode=demo; shift ;;
esac

vmdir=$top/build/vm
runs=$vmdir/runs
if [ -n "${RB_SYSROOT:-}" ]; then
	RB_SYSROOT=$(cd "$RB_SYSROOT" && pwd) || exit 1
	export RB_SYSROOT
	kver=$(rb_root_release "$RB_SYSROOT") || exit 1
	kdir=$(rb_in_root readlink -f "/lib/modules/$kver/build") || exit 1
	runs=$vmdir/runs-$kver
else
	kdir=$(rb_kdir) || exit 1
	kver=${KVER_SEL:-$(rb_kver "$kdir")} || exit 1
fi
# Where test directories are looked up (benchmarks point it elsewhere).
tests=${RB_SELFTESTS_DIR:-$top/selftests}
modsrc=${RB_MODULES_FROM:-$top/build/$kver}

vmlinux=${RB_BOOT_IMAGE:-$("$top/scripts/vm/vmlinux.sh" "$kver" "$vmdir")} || exit 1
[ -z "${RB_BOOT_IMAGE:-}" ] || runs=$vmdir/runs-$kver
base=$("$top/scripts/vm/initramfs.sh" "$kver" "$vmdir") || exit 1

vm_accel "$vmlinux" "$base/base.cpio" "$runs/accel-probe" || exit 1
silent=${RB_VM_SILENT_SECS:-60}

if [ $# -gt 0 ]; then
	dirs=("$@")
else
	dirs=()
	for d in "$tests"/*/; do
		d=$(basename "$d")
		# lib: shared helpers; kmod: test modules, built with the suite
		case "$d" in lib|kmod) ;; *) dirs+=("$d") ;; esac
	done
fi
[ "$mode" = test ] || dirs=()

# stage_run RUNDIR DIR...: build RUNDIR/initrd.cpio = base + overlay.
stage_run()
{
	local run=$1 stage=$1/stage d mods
	shift
	rm -rf "$run"
	mkdir -p "$run/out" "$stage/rb" "$stage/selftests"
	cp "$top/scripts/vm/guest/init" "$stage/init"
	cp "$top"/scripts/vm/guest/*.sh "$stage/rb/"
	{
		echo "RB_MODE=$mode"
		echo "RB_TESTS=\"$*\""
		echo "RB_KVER=$kver"
		# Load/unload cycles of the tests that repeat them (default 50).
		[ -z "${RB_CYCLES:-}" ] || echo "export RB_CYCLES=$RB_CYCLES"
	} > "$stage/rb/run.conf"
	cp -r "$top/selftests/lib" "$stage/selftests/"
	for d in "$@"; do
		cp -r "$tests/$d" "$stage/selftests/"
	done

	# The suite's modules, indexed together with the distribution's.
	mods=$stage/usr/lib/modules/$kver
	mkdir -p "$mods/updates/rdma-backports"
	if [ -d "$modsrc" ]; then
		find "$modsrc" -name '*.ko' -exec cp {} "$mods/updates/rdma-backports/" \;
	fi
	# depmod -b wants BASE/lib/modules/RELEASE.
	mkdir -p "$run/depmod/lib/modules"
	cp -al "$base/root/usr/lib/modules/$kver" "$run/depmod/lib/modules/"
	cp -r "$mods/updates" "$run/depmod/lib/modules/$kver/"
	depmod -b "$run/depmod" "$kver"
	cp "$run/depmod/lib/modules/$kver"/modules.* "$mods/"
	rm -rf "$run/depmod"

	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) > "$run/overlay.cpio"
	cat "$base/base.cpio" "$run/overlay.cpio" > "$run/initrd.cpio"
}

# boot RUNDIR TIMEOUT: run the VM; returns qemu's exit status (1 = the guest
# reached its end, 124 = host timeout), 125 when the console stayed empty
# for $silent seconds, or 126 when init did not say "rb-init: up" within
# $silent seconds of the first output (the VM is then stopped).
boot()
{
	local run=$1 tmo=$2 pid
	local args=(
		-accel "$VM_ACCEL" ${VM_ICOUNT:+-icount "$VM_ICOUNT"} -cpu "$VM_CPU" -smp "$VM_SMP" -m 2048
		-nodefaults -display none -no-reboot
		-kernel "$vmlinux" -initrd "$run/initrd.cpio"
		-append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4 rdinit=/init${RB_VM_CMDLINE:+ $RB_VM_CMDLINE}"
		-device "isa-debug-exit,iobase=0xf4,iosize=0x04"
		-virtfs "local,path=$run/out,mount_tag=out,security_model=none,id=out"
	)
	if [ "$mode" = shell ]; then
		qemu-system-x86_64 "${args[@]}" -serial mon:stdio
		return $?
	fi
	: > "$run/console.log"
	timeout -k 5 "$tmo" qemu-system-x86_64 "${args[@]}" \
		-serial "file:$run/console.log" < /dev/null &
	pid=$!
	# Until the first byte on the console, then until init runs (a kernel
	# that oopses or hangs while booting, seen under TCG before any module
	# of ours is loaded, is stopped there); after that, just wait.
	vm_wait_for "$pid" 125 test -s "$run/console.log" &&
		vm_wait_for "$pid" 126 grep -q '^rb-init: up' "$run/console.log" || return
	wait "$pid"
}

# vm_wait_for PID STATUS CMD...: poll CMD every 0.2 s (so a short run is
# not kept waiting) while qemu PID runs; if CMD has not succeeded after
# $silent seconds, stop the VM and return STATUS; else 0 (also when qemu
# ended).
vm_wait_for()
{
	local pid=$1 status=$2 waited=0
	shift 2
	while ! "$@" && kill -0 "$pid" 2>/dev/null; do
		if [ "$waited" -ge $((silent * 5)) ]; then
			kill -TERM "$pid" 2>/dev/null
			wait "$pid"
			return "$status"
		fi
		sleep 0.2
		waited=$((waited + 1))
	done
	return 0
}

# boot_tests RUNDIR TIMEOUT: boot for a test directory. A boot whose
# kernel never reached init, or reported a bug before any test ran (the
# guest then stops at once; seen under TCG on the KASAN kernel, about one
# boot in five on 2026-11-30: an interrupt taken during identify_cpu(),
# a wild access in handle_edge_irq()), is booted again, up to three boots,
# each said in one line (consoles kept as console.bootN.log): nothing of
# ours was loaded yet. Returns the last boot's status.
boot_tests()
{
	local rc why n=1
	while :; do
		boot "$1" "$2"
		rc=$?
		why=
		# (1: the guest ran to its end, which it also does after a report.)
		if [ $rc -ne 1 ] && ! grep -q '^rb-init: up' "$1/console.log"; then
			why="the kernel did not reach init (qemu $rc; $(grep -m 1 -E 'BUG:|Oops|panic' "$1/console.log" | tr -d '\r' || echo 'no message'))"
		elif grep -q '^rb-init: boot log not clean' "$1/console.log"; then
			why="the kernel reported before any test: $(sed -n 's/^# dmesg: //p' "$1/console.log" | head -n 1 | tr -d '\r')"
		fi
		[ -n "$why" ] && [ $n -lt 3 ] || return $rc
		cp "$1/console.log" "$1/console.boot$n.log"
		rm -f "$1"/out/*
		n=$((n + 1))
		echo "# $why; booting again ($n of 3)"
	done
}

if [ "$mode" != test ]; then
	echo "$VM_ACCEL_WHY" >&2
	run=$runs/$mode
	stage_run "$run"
	boot "$run" 600
	rc=$?
	if [ "$mode" != demo ] || [ ! -e "$run/out/demo.log" ]; then
		cat "$run/console.log" 2>/dev/null
	fi
	[ $rc -ne 125 ] || { echo "vm: no console output in ${silent}s, VM stopped ($VM_ACCEL_NAME)" >&2; exit 1; }
	[ $rc -eq 1 ] || { echo "vm: guest did not finish cleanly (qemu exit $rc); console: $run/console.log" >&2; exit 1; }
	exit 0
fi

pass=0 fail=0 skip=0
echo "TAP version 13"
echo "# $VM_ACCEL_WHY"
echo "1..${#dirs[@]}"
n=0
for d in "${dirs[@]}"; do
	n=$((n + 1))
	run=$runs/$d
	if [ ! -d "$tests/$d" ]; then
		echo "not ok $n selftests: $d # no such test directory"
		fail=$((fail + 1))
		continue
	fi
	echo "# selftests: $d (booting $kver)"
	stage_run "$run" "$d"

	# Host-side preparation (build a patched module, compile a program).
	if [ -x "$tests/$d/host-prepare" ]; then
		prep_out=$run/stage/selftests/$d
		why=$(RB_KDIR=$kdir RB_KVER=$kver RB_TOP=$top RB_OUT=$prep_out \
			"$tests/$d/host-prepare" 2>"$run/host-prepare.log")
		prc=$?
		# What a successful host-prepare says (say, what it could not
		# build for the tests that then skip) is worth a diagnostic.
		if [ $prc -eq 0 ] && [ -n "$why" ]; then
			while IFS= read -r l; do echo "# host-prepare: $l"; done <<< "$why"
		fi
		if [ $prc -eq 4 ]; then
			echo "ok $n selftests: $d # SKIP ${why:-host-prepare skipped}"
			skip=$((skip + 1))
			continue
		elif [ $prc -ne 0 ]; then
			sed 's/^/# /' "$run/host-prepare.log" | tail -n 20
			echo "not ok $n selftests: $d # host-prepare failed ($prc)"
			fail=$((fail + 1))
			continue
		fi
		# Re-pack with what it produced.
		(cd "$run/stage" && find . -mindepth 1 | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet) > "$run/overlay.cpio"
		cat "$base/base.cpio" "$run/overlay.cpio" > "$run/initrd.cpio"
	fi

	per=$(sed -n 's/^timeout=//p' "$tests/$d/settings" 2>/dev/null)
	ntests=$(find "$tests/$d" -maxdepth 1 -type f -perm -u+x ! -name host-prepare | wc -l)
	tmo=$(( ${per:-120} * (ntests > 0 ? ntests : 1) + 60 ))
	t0=$(date +%s.%N)
	boot_tests "$run" "$tmo"
	rc=$?
	t1=$(date +%s.%N)

	ktap=$run/out/ktap.log
	[ -s "$ktap" ] || ktap=$run/console.log
	# The guest's KTAP, nested under this directory.
	sed -n '/^KTAP version 1$/,$p' "$ktap" | tr -d '\r' | sed 's/^/    /'
	p=$(grep -cE '^ok [0-9]+ [^#]*$|^ok [0-9]+ .*# time=' "$ktap")
	f=$(grep -cE '^not ok [0-9]+ ' "$ktap")
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$ktap")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	secs=$(echo "$t1 - $t0" | bc)
	if [ $rc -ne 1 ]; then
		echo "# console tail ($run/console.log):"
		tail -n 30 "$run/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/# /'
		case $rc in
		125) why="no console output in ${silent}s, VM stopped ($VM_ACCEL_NAME)" ;;
		126) why="the kernel did not reach init in ${silent}s, twice; VM stopped ($VM_ACCEL_NAME)" ;;
		124|137) why="VM timed out after ${tmo}s" ;;
		0) why="guest rebooted (panic or oops)" ;;
		*) why="qemu exited $rc" ;;
		esac
		echo "not ok $n selftests: $d # $why"
		fail=$((fail + 1))
	elif [ "$f" -gt 0 ]; then
		echo "not ok $n selftests: $d # ${secs}s"
	elif [ "$p" -le "$(grep -cE '^ok [0-9]* .*: (kernel log clean|kmemleak found no)' "$ktap")" ]; then
		# Only the boot/end log checks passed: no test of the directory ran.
		echo "ok $n selftests: $d # SKIP nothing ran"
	else
		echo "ok $n selftests: $d # ${secs}s"
	fi
done
rb_tally $pass $fail $skip
[ -n "${RB_SUMMARY:-}" ] && echo "$pass $fail $skip" > "$RB_SUMMARY"
[ $fail -eq 0 ]
