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
# with panic=-1 oops=panic, hang until the host timeout) fails its directory.
#
# RB_SUMMARY=file receives "pass fail skip" for callers that add up tallies.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
mode=test
case "${1:-}" in
--shell) mode=shell; shift ;;
--demo) mode=demo; shift ;;
esac

kdir=${KDIR_SEL:-$("$top/scripts/kdir.sh")} || exit 1
kver=${KVER_SEL:-$("$top/scripts/kver.sh" "$kdir")}
vmdir=$top/build/vm
# Where test directories are looked up (benchmarks point it elsewhere).
tests=${RB_SELFTESTS_DIR:-$top/selftests}
modsrc=${RB_MODULES_FROM:-$top/build/$kver}

vmlinux=$("$top/scripts/vm/vmlinux.sh" "$kver" "$vmdir") || exit 1
base=$("$top/scripts/vm/initramfs.sh" "$kver" "$vmdir") || exit 1

if [ -e /dev/kvm ] && [ -w /dev/kvm ]; then
	accel=kvm
	cpu=host
else
	accel=tcg,thread=multi
	cpu=max
fi

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
	local run=$1 stage=$1/stage d mods ko
	shift
	rm -rf "$run"
	mkdir -p "$run/out" "$stage/rb" "$stage/selftests"
	cp "$top/scripts/vm/guest/init" "$stage/init"
	cp "$top"/scripts/vm/guest/*.sh "$stage/rb/"
	{
		echo "RB_MODE=$mode"
		echo "RB_TESTS=\"$*\""
		echo "RB_KVER=$kver"
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
# reached its end, 124 = host timeout).
boot()
{
	local run=$1 tmo=$2 serial
	local args=(
		-accel "$accel" -cpu "$cpu" -smp 2 -m 2048
		-nodefaults -display none -no-reboot
		-kernel "$vmlinux" -initrd "$run/initrd.cpio"
		-append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4 rdinit=/init"
		-device isa-debug-exit,iobase=0xf4,iosize=0x04
		-virtfs "local,path=$run/out,mount_tag=out,security_model=none,id=out"
	)
	if [ "$mode" = shell ]; then
		qemu-system-x86_64 "${args[@]}" -serial mon:stdio
		return $?
	fi
	timeout -k 5 "$tmo" qemu-system-x86_64 "${args[@]}" \
		-serial "file:$run/console.log" < /dev/null
}

if [ "$mode" != test ]; then
	run=$vmdir/runs/$mode
	stage_run "$run"
	boot "$run" 600
	rc=$?
	[ "$mode" = demo ] && [ -e "$run/out/demo.log" ] || cat "$run/console.log" 2>/dev/null
	[ $rc -eq 1 ] || { echo "vm: guest did not finish cleanly (qemu exit $rc); console: $run/console.log" >&2; exit 1; }
	exit 0
fi

pass=0 fail=0 skip=0
echo "TAP version 13"
echo "1..${#dirs[@]}"
n=0
for d in "${dirs[@]}"; do
	n=$((n + 1))
	run=$vmdir/runs/$d
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
	boot "$run" "$tmo"
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
		124|137) why="VM timed out after ${tmo}s" ;;
		0) why="guest rebooted (panic or oops)" ;;
		*) why="qemu exited $rc" ;;
		esac
		echo "not ok $n selftests: $d # $why"
		fail=$((fail + 1))
	elif [ "$f" -gt 0 ]; then
		echo "not ok $n selftests: $d # ${secs}s"
	elif [ "$p" -le "$(grep -c '^ok [0-9]* .*: kernel log clean' "$ktap")" ]; then
		# Only the boot/end log checks passed: no test of the directory ran.
		echo "ok $n selftests: $d # SKIP nothing ran"
	else
		echo "ok $n selftests: $d # ${secs}s"
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ -n "${RB_SUMMARY:-}" ] && echo "$pass $fail $skip" > "$RB_SUMMARY"
[ $fail -eq 0 ]
