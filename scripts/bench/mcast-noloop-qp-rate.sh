#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark (prints figures, asserts nothing): kernel QP creation rate on
# rdma_sib without rdma_mcast_noloop and with it loaded and a block rule
# matching every QP (so each creation runs the kprobe, the rule match and
# the flagging), alternating three times in one VM run. Target: overhead
# under 5 %. RB_BENCH_QPS sets the QPs per measurement (2000).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$("$top/scripts/kdir.sh")
kver=$("$top/scripts/kver.sh" "$kdir")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The harness's accelerator choice, made here once so the label below
# says what the VM really ran on.
# shellcheck source=/dev/null
. "$top/scripts/vm/accel.sh"
vm_accel "$("$top/scripts/vm/vmlinux.sh" "$kver" "$top/build/vm")" \
	"$("$top/scripts/vm/initramfs.sh" "$kver" "$top/build/vm")/base.cpio" "$work/accel"
echo "$VM_ACCEL_WHY"

RB_WITH_TESTS=1 "$top/scripts/build.sh" "$kdir" "$top/build/$kver" > /dev/null
mkdir -p "$work/bench"
cp "$top/scripts/bench/guest/qp-create.sh" "$work/bench/"
echo "timeout=600" > "$work/bench/settings"
RB_ACCEL=${VM_ACCEL_NAME,,} RB_SELFTESTS_DIR=$work KDIR_SEL=$kdir KVER_SEL=$kver \
	"$top/scripts/vm/selftests.sh" bench > "$work/out.log" 2>&1 || true

without=$(sed -n 's/.*# BENCH without_module \([0-9]*\) .*/\1/p' "$work/out.log")
with=$(sed -n 's/.*# BENCH with_rule \([0-9]*\) .*/\1/p' "$work/out.log")
if [ -z "$without" ] || [ -z "$with" ]; then
	cat "$work/out.log"
	exit 1
fi
med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
w0=$(echo "$without" | med) w1=$(echo "$with" | med)
echo "runs without module: $(echo "$without" | xargs)  QPs/s"
echo "runs with rule:      $(echo "$with" | xargs)  QPs/s"
printf 'median: %s QPs/s without, %s QPs/s with a matching rule: overhead %.1f %% (target < 5 %%)\n' \
	"$w0" "$w1" "$(echo "scale=4; (1 - $w1 / $w0) * 100" | bc)"
echo "# one VM run, $VM_ACCEL_NAME, $(nproc) CPUs, kernel $kver"
