#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark (prints figures, asserts nothing but that it measured): what
# rdma_mcast_noloop adds to kernel QP creation on rdma_sib. In one VM run,
# interleaved over rounds: no module, the module with no rule yet (its
# probes not armed), with a rule for another device only (what any QP
# costs once a rule has been written, also after the rules are cleared:
# the probes stay armed until unload), and with a rule matching every QP
# (each creation then runs the hook, the rule match and the flagging).
# Printed:
# QPs/s of each, and the overhead of each against "no module" per round,
# as median (min, max). A sample's QPs/s is taken at the 25th percentile
# time of its 100-QP chunks: on a shared machine the VM's CPU is taken
# away now and then, which made whole-sample rates vary by 2x; the
# whole-sample overhead of the matching rule is printed as well.
# Targets: < 5 % with the matching rule, ~0 without.
# RB_BENCH_QPS QPs per sample (3000), RB_BENCH_ROUNDS rounds (15),
# RB_BENCH_WARM untimed QPs after each change of setup (500),
# RB_BENCH_CHUNK QPs per chunk (100); RB_BENCH_ICOUNT=0 measures time
# under TCG too (see below).
set -euo pipefail

# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_accel
# Without KVM, instructions rather than time (scripts/vm/accel.sh): a few
# percent cannot be seen in the wall time of a TCG guest on a shared host.
if [ "$VM_ACCEL_NAME" = TCG ] && [ "${RB_BENCH_ICOUNT:-1}" = 1 ]; then
	RB_ACCEL=tcg-icount bench_accel
fi
bench_vm qp-create.sh 900
bench_need without_module no_rule other_dev rule

printf '%-44s %s\n' "QPs/s without the module:" "$(bench_vals without_module | bench_stats)"
for s in no_rule other_dev rule; do
	case $s in
	no_rule) what="loaded, no rule yet" ;;
	other_dev) what="a rule for another device" ;;
	rule) what="a rule matching every QP" ;;
	esac
	printf '%-44s %s\n' "QPs/s, $what:" "$(bench_vals $s | bench_stats)"
	printf '%-44s %s\n' "  overhead %, $what:" \
		"$(bench_ratios without_module $s | awk '{ printf "%.2f\n", (1 - $1) * 100 }' | bench_stats)"
done
printf '%-44s %s\n' "whole samples, overhead %, matching rule:" \
	"$(bench_ratios whole_without_module whole_rule | awk '{ printf "%.2f\n", (1 - $1) * 100 }' | bench_stats)"
echo "(QPs/s from each sample's 25th percentile chunk; whole samples: all its QPs over all its time)"
if [ "$VM_ACCEL_NAME" = TCG-icount ]; then
	echo "(TCG-icount: the guest's clock counts its instructions, 1 ns each, so QPs/s"
	echo " are QPs per 10^9 guest instructions, and overheads are in instructions)"
fi
echo "(target: overhead < 5 % with a matching rule, ~0 without one)"
bench_footer
