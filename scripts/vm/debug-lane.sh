#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The reliability lane: the VM selftests on a debug kernel (KASAN, lockdep,
# PROVE_RCU, DEBUG_ATOMIC_SLEEP, kmemleak, DEBUG_OBJECTS, UBSAN, DEBUG_LIST;
# scripts/vm/debug-kernel.sh builds it once per machine), where a
# use-after-free, a lock-order inversion, a sleep in atomic context or a
# leak is reported even when nothing crashes. The guest fails a test on any
# such report in the kernel log and scans kmemleak after the directory.
#
#   debug-lane.sh [DIR...]   selftest directories (default: modload)
#
# RB_CYCLES (default 10 here) as for scripts/vm/selftests.sh.
#
# The suite's modules are built against the debug kernel's tree. Prints the
# harness's KTAP and tally; RB_SUMMARY as for scripts/vm/selftests.sh.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
t0=$(date +%s)
dk=$("$top/scripts/vm/debug-kernel.sh") || exit 1
rel=$(cat "$dk/release")
echo "# debug kernel $rel ($dk), ready after $(( $(date +%s) - t0 )) s"
RB_WITH_TESTS=1 "$top/scripts/build.sh" "$dk/build" "$top/build/$rel" > "$top/build/debug-lane-build.log" 2>&1 ||
	{ tail -n 20 "$top/build/debug-lane-build.log"; exit 1; }
[ $# -gt 0 ] || set -- modload
# A KASAN kernel under TCG takes long to reach init and prints nothing
# before (quiet): the silent-VM watchdog waits longer. Its value is in the
# paths a test takes, not in repeating them: 10 load/unload cycles where a
# production kernel does 50.
# acpi=noirq: the PC machine's _PRT builds its routing table in an AML
# loop, which this kernel under TCG interprets so slowly that ACPICA stops
# it at its 30 s loop timeout (AE_AML_LOOP_TIMEOUT), 30 s of every boot;
# the devices the guest uses take MSI-X or fixed ISA interrupts anyway
# (measured 2026-12-02: boot to init 45 s -> 22 s).
RB_VM_CMDLINE=${RB_VM_CMDLINE:-acpi=noirq} \
RB_CYCLES=${RB_CYCLES:-10} RB_VM_SILENT_SECS=${RB_VM_SILENT_SECS:-400} RB_KERNEL_ROOT=$dk/root \
	RB_BOOT_IMAGE=$dk/root/boot/vmlinuz-$rel KDIR_SEL=$dk/build KVER_SEL=$rel \
	"$top/scripts/vm/selftests.sh" "$@"
rc=$?
echo "# debug lane: $(( $(date +%s) - t0 )) s"
exit $rc
