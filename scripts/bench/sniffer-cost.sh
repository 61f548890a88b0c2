#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark (prints figures, asserts nothing but that it measured): what
# capturing a port with rdma_sniffer costs its traffic. TCP over IPoIB on
# two rdma_sib ports (iperf3), sib0's port captured in six setups taken in
# turn each round of one VM run: rdma_sniffer absent, a monitor down, up
# with tcpdump reading everything, up with a filter that drops the data
# traffic before any copy, up with a listener that never reads (tcpdump
# stopped), and up with an erf reader that never reads. Printed: each
# setup's throughput and its ratio to "absent" per round, as median (min,
# max). Targets: idle and filtered ~1; a listener that never reads within
# 10 % (ratio >= 0.9).
# RB_BENCH_SECS seconds per sample (3), RB_BENCH_ROUNDS rounds (3);
# RB_BENCH_ICOUNT=0 measures wall time under TCG too (see below);
# RB_BENCH_SETUPS="absent stalled" measures only those (absent always).
set -euo pipefail

# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_accel
# Without KVM, instructions rather than time (scripts/vm/accel.sh), as
# mcast-noloop-qp-rate.sh does: the wall-time throughput of a TCG guest on
# a shared host varied by 10-20 % between samples of one setup, more than
# the costs measured; under TCG-icount the spread is below 1 %. Its guest
# has one CPU: the figure is the sniffer's work per byte, with no CPU to
# spare for the monitor's poll thread.
if [ "$VM_ACCEL_NAME" = TCG ] && [ "${RB_BENCH_ICOUNT:-1}" = 1 ]; then
	RB_ACCEL=tcg-icount bench_accel
fi
# The setups measured, "absent" (the peer) first.
OTHERS=$(echo "${RB_BENCH_SETUPS:-idle unfiltered filtered stalled erf_stalled}" | tr ' ' '\n' | grep -vx 'absent' | xargs)
export RB_BENCH_SETUPS="absent $OTHERS"
bench_vm sniffer-cost.sh 900
# shellcheck disable=SC2086
bench_need $RB_BENCH_SETUPS

printf '%-44s %s\n' "IPoIB TCP, no sniffer, Mbit/s:" "$(bench_vals absent | bench_stats)"
for s in $OTHERS; do
	case $s in
	idle) what="monitor down" ;;
	unfiltered) what="tcpdump reading all" ;;
	filtered) what="filter passing QP1 only" ;;
	stalled) what="a listener that never reads" ;;
	erf_stalled) what="an erf reader that never reads" ;;
	esac
	printf '%-44s %s\n' "ratio to no sniffer, $what:" "$(bench_ratios absent $s | bench_stats)"
done
# measured SETUP: SETUP was one of this run's.
measured() { case " $RB_BENCH_SETUPS " in *" $1 "*) true ;; *) false ;; esac; }
measured unfiltered &&
	echo "mirrored/dropped by the monitor per sample, reading all: $(bench_vals unfiltered_mirrored | xargs) / $(bench_vals unfiltered_dropped | xargs)"
measured stalled &&
	echo "mirrored/dropped per sample, never read: $(bench_vals stalled_mirrored | xargs) / $(bench_vals stalled_dropped | xargs)"
measured erf_stalled &&
	echo "erf records dropped per sample, never read: $(bench_vals erf_stalled_dropped | xargs)"
if [ "$VM_ACCEL_NAME" = TCG-icount ]; then
	echo "(TCG-icount: the guest's clock counts its instructions, 1 ns each, so Mbit/s"
	echo " are bits per 10^9 guest instructions, and ratios are in instructions)"
fi
echo "(targets: down and filtered ~1; never read >= 0.9)"
bench_footer
