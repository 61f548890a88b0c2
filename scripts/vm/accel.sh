# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Which accelerator the test VM runs on (sourced, not run: selftests.sh and
# the benchmarks).
#
# A writable /dev/kvm does not mean KVM works: on some machines (nested
# virtualisation without vmx/svm exposed, for one) a KVM guest starts and
# never prints a line, and every test would then sit until its host
# timeout. So KVM is used only after it has proven itself: a probe boot of
# the very kernel and base initramfs the tests use must print a marker on
# the serial console within RB_KVM_PROBE_SECS (10) seconds; otherwise TCG.
# TCG boots Debian's kernel in a few seconds, so the probe costs little when
# it fails and under a second when it succeeds. Callers probe once per run
# and hand the answer on to the harness runs they start with RB_ACCEL.
#
# RB_ACCEL=kvm or tcg skips the probe (an explicit choice); unset or auto
# probes. RB_ACCEL=tcg-icount is TCG with one CPU whose guest clock counts
# instructions (qemu -icount shift=0,sleep=off: 1 ns each, idle time
# skipped), so a time measured in the guest does not depend on what else
# the host runs: for benchmarks on a shared machine, whose figures are then
# instruction counts, not time. One CPU: with two, Debian's 6.1 did not
# bring the second up under -icount (qemu 7.2).
# shellcheck disable=SC2034 # the VM_* results are for the scripts that source this

# vm_accel VMLINUX BASE_CPIO WORKDIR: sets VM_ACCEL (qemu's -accel value),
# VM_ICOUNT (its -icount value, or empty), VM_SMP (its -smp), VM_CPU (its
# -cpu), VM_ACCEL_NAME
# (KVM, TCG or TCG-icount) and VM_ACCEL_WHY, one line
# "vm: <why>: KVM|TCG|TCG-icount" for the caller to print. WORKDIR is
# scratch space.
vm_accel()
{
	local vmlinux=$1 base=$2 work=$3 secs=${RB_KVM_PROBE_SECS:-10} why=
	case "${RB_ACCEL:-auto}" in
	kvm) _vm_accel_set KVM "RB_ACCEL=kvm (no probe)"; return 0 ;;
	tcg) _vm_accel_set TCG "RB_ACCEL=tcg"; return 0 ;;
	tcg-icount) _vm_accel_set TCG-icount "RB_ACCEL=tcg-icount"; return 0 ;;
	auto) ;;
	*) echo "vm: RB_ACCEL=${RB_ACCEL} is not kvm, tcg, tcg-icount or auto" >&2; return 1 ;;
	esac
	if [ ! -e /dev/kvm ]; then
		why="/dev/kvm absent"
	elif [ ! -w /dev/kvm ]; then
		why="/dev/kvm not writable"
	elif ! _vm_kvm_probe "$vmlinux" "$base" "$work" "$secs"; then
		why=$VM_PROBE_FAIL
	fi
	if [ -n "$why" ]; then
		_vm_accel_set TCG "$why"
	else
		_vm_accel_set KVM "KVM booted a probe guest in $VM_PROBE_SECS s"
	fi
}

# _vm_accel_set KVM|TCG WHY
_vm_accel_set()
{
	VM_ACCEL_NAME=$1
	VM_ACCEL_WHY="vm: $2: $1"
	VM_ICOUNT='' VM_SMP=2
	# TCG: -cpu max, every feature TCG emulates, so the distribution
	# kernel's alternatives and the modules see a modern CPU; but not
	# ERMS/FSRM ("fast rep movsb"): with them the kernel copies with rep
	# movsb, which TCG emulates a byte per iteration, so every copy costs
	# several times what rep movsq (the kernel's choice without them)
	# costs, and copy-heavy paths look that much slower next to the rest
	# than on hardware, where both copy at the same speed. Measured
	# 2026-12-01: TCP over veth 700 Mbit/s with ERMS, 2900-3100 without
	# (selftests/README, Benchmarks).
	if [ "$1" = KVM ]; then
		VM_ACCEL=kvm VM_CPU=host
	elif [ "$1" = TCG-icount ]; then
		VM_ACCEL=tcg,thread=single VM_CPU=max,erms=off,fsrm=off
		VM_ICOUNT=shift=0,sleep=off VM_SMP=1
	else
		VM_ACCEL=tcg,thread=multi VM_CPU=max,erms=off,fsrm=off
	fi
}

# _vm_kvm_probe VMLINUX BASE_CPIO WORKDIR SECS: boot under KVM with an /init
# that prints a marker and leaves; success when the marker is on the
# console in time. Sets VM_PROBE_SECS, and VM_PROBE_FAIL (why not) on failure.
_vm_kvm_probe()
{
	local vmlinux=$1 base=$2 work=$3 secs=$4 t0 t1 rc marker=rb-kvm-probe-ok
	rm -rf "$work"
	mkdir -p "$work/init.d"
	cat > "$work/init.d/init" <<-PROBE
	#!/usr/bin/busybox sh
	/usr/bin/busybox mount -t devtmpfs dev /dev
	echo $marker
	/usr/bin/busybox printf '\\000' | /usr/bin/busybox dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	PROBE
	chmod +x "$work/init.d/init"
	(cd "$work/init.d" && echo init | cpio -o -H newc -R 0:0 --quiet) > "$work/probe.cpio"
	cat "$base" "$work/probe.cpio" > "$work/initrd.cpio"
	t0=$(date +%s.%N)
	# (In a subshell, not exec'd by it, whose stderr is the log: a qemu
	# that aborts makes bash report the signal, which belongs there too.)
	(timeout -k 2 "$secs" qemu-system-x86_64 -accel kvm -cpu host -smp 2 -m 2048 \
		-nodefaults -display none -no-reboot \
		-kernel "$vmlinux" -initrd "$work/initrd.cpio" \
		-append "console=ttyS0 panic=-1 quiet rdinit=/init" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial "file:$work/console.log" < /dev/null; exit $?) > "$work/qemu.log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	VM_PROBE_SECS=$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")
	grep -q "$marker" "$work/console.log" 2>/dev/null && return 0
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		VM_PROBE_FAIL="KVM did not boot a guest in $secs s"
	else
		# qemu gave up by itself: its first complaint says why.
		VM_PROBE_FAIL="KVM guest failed in $VM_PROBE_SECS s (qemu: $(grep -m 1 . "$work/qemu.log" | cut -c1-100))"
	fi
	return 1
}
