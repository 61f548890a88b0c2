#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark (prints figures, asserts nothing): what the VM harness adds to a
# boot. Peer: qemu booting the same cached vmlinux and base initramfs with an
# /init that leaves at once. Measured: a harness run of one empty test
# directory (staging the per-run cpio, depmod, 9p share, runner, dmesg and
# taint checks). Budget: the harness adds at most 5 s per VM boot.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$("$top/scripts/kdir.sh")
kver=$("$top/scripts/kver.sh" "$kdir")
vmlinux=$("$top/scripts/vm/vmlinux.sh" "$kver" "$top/build/vm")
base=$("$top/scripts/vm/initramfs.sh" "$kver" "$top/build/vm")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=${1:-3}
# The harness's accelerator choice (a KVM that does not boot is not used),
# for the bare boots as for the harness runs.
# shellcheck source=/dev/null
. "$top/scripts/vm/accel.sh"
vm_accel "$vmlinux" "$base/base.cpio" "$work/accel"
echo "$VM_ACCEL_WHY"

# Peer: bare boot to init and out.
mkdir -p "$work/bare"
printf '#!/usr/bin/busybox sh\n/usr/bin/busybox printf "\\000" | /usr/bin/busybox dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null\n' > "$work/bare/init"
chmod +x "$work/bare/init"
(cd "$work/bare" && echo init | cpio -o -H newc -R 0:0 --quiet) > "$work/bare.cpio"
cat "$base/base.cpio" "$work/bare.cpio" > "$work/initrd"

# Measured: the harness with one directory holding one trivial test.
mkdir -p "$work/tests/empty"
printf '#!/bin/sh\necho "KTAP version 1"; echo "1..1"; echo "ok 1 nothing"\n' > "$work/tests/empty/t.sh"
chmod +x "$work/tests/empty/t.sh"

bare=0 harness=0
for _ in $(seq "$runs"); do
	t0=$(date +%s.%N)
	qemu-system-x86_64 -accel "$VM_ACCEL" -cpu "$VM_CPU" -smp 2 -m 2048 -nodefaults \
		-display none -no-reboot -kernel "$vmlinux" -initrd "$work/initrd" \
		-append "console=ttyS0 panic=-1 quiet rdinit=/init" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial null || true
	t1=$(date +%s.%N)
	RB_ACCEL=${VM_ACCEL_NAME,,} RB_SELFTESTS_DIR=$work/tests KDIR_SEL=$kdir KVER_SEL=$kver \
		"$top/scripts/vm/selftests.sh" empty > "$work/out.log" 2>&1 || true
	t2=$(date +%s.%N)
	# The test's own line; the harness adds its boot and end checks of the
	# kernel log around it, numbered with it.
	grep -qE '^ok [0-9]+ empty:t\.sh( |$)' "$work/out.log" || { cat "$work/out.log"; exit 1; }
	bare=$(echo "$bare + $t1 - $t0" | bc)
	harness=$(echo "$harness + $t2 - $t1" | bc)
done
b=$(echo "scale=2; $bare / $runs" | bc)
h=$(echo "scale=2; $harness / $runs" | bc)
printf 'bare boot to init and out:   %6.2f s\n' "$b"
printf 'harness run of one test dir: %6.2f s\n' "$h"
printf 'harness overhead per boot:   %6.2f s (budget 5 s), ratio %.2f\n' \
	"$(echo "$h - $b" | bc)" "$(echo "scale=3; $h / $b" | bc)"
echo "# accel $VM_ACCEL_NAME ($VM_ACCEL), $(nproc) CPUs, kernel $kver"
