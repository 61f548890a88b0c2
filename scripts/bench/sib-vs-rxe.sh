#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark (prints figures, asserts nothing): IPoIB over two rdma_sib ports
# (iperf3 TCP and UDP, links in two namespaces) next to two rxe devices on a
# veth pair in the same VM run: UD send bandwidth with perftest (IPoIB
# cannot run on RoCE, so UD verbs traffic is rxe's closest equivalent) and
# TCP over the veth itself, the wire rxe rides on. Target: rdma_sib at least
# as fast as rxe. RB_BENCH_SECS sets the seconds per measurement (5).
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

RB_WITH_TESTS=0 "$top/scripts/build.sh" "$kdir" "$top/build/$kver" > /dev/null
mkdir -p "$work/bench"
cp "$top/scripts/bench/guest/sib-vs-rxe.sh" "$work/bench/"
echo "timeout=300" > "$work/bench/settings"
RB_ACCEL=${VM_ACCEL_NAME,,} RB_SELFTESTS_DIR=$work KDIR_SEL=$kdir KVER_SEL=$kver \
	"$top/scripts/vm/selftests.sh" bench > "$work/out.log" 2>&1 || true

val() { sed -n "s/.*# BENCH $1 \([0-9.]*\) .*/\1/p" "$work/out.log" | head -n 1; }
sib_tcp=$(val sib_ipoib_tcp) sib_udp=$(val sib_ipoib_udp)
rxe_ud=$(val rxe_ud_send_bw) veth=$(val veth_tcp)
if [ -z "$sib_tcp" ] || [ -z "$rxe_ud" ]; then
	cat "$work/out.log"
	exit 1
fi
printf '%-44s %10s Mbit/s\n' "rdma_sib: IPoIB TCP (iperf3)" "$sib_tcp" \
	"rdma_sib: IPoIB UDP (iperf3, 1400 B)" "$sib_udp" \
	"rxe: UD send, 1024 B (ib_send_bw)" "$rxe_ud" \
	"veth under rxe: TCP (iperf3)" "$veth"
printf 'ratio rdma_sib IPoIB TCP / rxe UD send: %.2f (target >= 1)\n' \
	"$(echo "scale=3; $sib_tcp / ($rxe_ud + 0.001)" | bc)"
echo "# one VM run, $VM_ACCEL_NAME, $(nproc) CPUs, kernel $kver"
