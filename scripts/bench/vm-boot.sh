#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark (prints figures, asserts nothing): what the VM harness adds to a
# boot. Peer: qemu booting the same cached vmlinux and base initramfs with an
# /init that leaves at once. Measured: a harness run of one empty test
# directory (staging the per-run cpio, depmod, 9p share, runner, dmesg and
# taint checks). Budget: the harness adds at most 5 s per VM boot.
set -euo pipefail

# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"
vmlinux=$("$top/scripts/vm/vmlinux.sh" "$kver" "$top/build/vm")
base=$("$top/scripts/vm/initramfs.sh" "$kver" "$top/build/vm")
runs=${1:-${RB_BENCH_ROUNDS:-3}}
bench_accel

# Bare: the base initramfs with an /init that powers off at once.
mkdir -p "$work/bare"
printf '#!/usr/bin/busybox sh\n/usr/bin/busybox printf "\\000" | /usr/bin/busybox dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null\n' > "$work/bare/init"
chmod +x "$work/bare/init"
(cd "$work/bare" && echo init | cpio -o -H newc -R 0:0 --quiet) > "$work/bare.cpio"
cat "$base/base.cpio" "$work/bare.cpio" > "$work/initrd"

mkdir -p "$work/tests/empty"
printf '#!/bin/sh\necho "KTAP version 1"; echo "1..1"; echo "ok 1 nothing"\n' > "$work/tests/empty/t.sh"
chmod +x "$work/tests/empty/t.sh"

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
	# The test's own line, nested under its directory; the harness adds its
	# boot and end checks of the kernel log around it, numbered with it.
	grep -qE '^ *ok [0-9]+ empty:t\.sh( |$)' "$work/out.log" || { cat "$work/out.log"; exit 1; }
	printf "%.2f\n" "$(echo "$t1 - $t0" | bc)" >> "$work/bare.s"
	printf "%.2f\n" "$(echo "$t2 - $t1" | bc)" >> "$work/harness.s"
done
paste "$work/bare.s" "$work/harness.s" | awk '{ printf "%.2f\n", $2 - $1 }' > "$work/over.s"
printf '%-44s %s\n' "bare boot to init and out, s:" "$(bench_stats < "$work/bare.s")" \
	"harness run of one test dir, s:" "$(bench_stats < "$work/harness.s")" \
	"harness overhead per boot, s:" "$(bench_stats < "$work/over.s")"
echo "(budget: the harness adds at most 5 s per boot)"
bench_footer
