#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark (prints figures, asserts nothing but that it measured): what
# rdma_mcast_noloop adds to kernel QP creation on rdma_sib. In one VM run,
# interleaved over rounds: no module, the module with no rule, with a rule
# for another device only, and with a rule matching every QP (each
# creation then runs the hook, the rule match and the flagging). Printed:
# QPs/s of each, and the overhead of each against "no module" per round,
# as median (min, max). Targets: < 5 % with the matching rule, ~0 without.
# RB_BENCH_QPS QPs per sample (8000), RB_BENCH_ROUNDS rounds (15),
# RB_BENCH_WARM untimed QPs after each change of setup (1000).
set -euo pipefail

# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_accel
bench_vm qp-create.sh 900
bench_need without_module no_rule other_dev rule

printf '%-44s %s\n' "QPs/s without the module:" "$(bench_vals without_module | bench_stats)"
for s in no_rule other_dev rule; do
	case $s in
	no_rule) what="loaded, no rule" ;;
	other_dev) what="a rule for another device" ;;
	rule) what="a rule matching every QP" ;;
	esac
	printf '%-44s %s\n' "QPs/s, $what:" "$(bench_vals $s | bench_stats)"
	printf '%-44s %s\n' "  overhead %, $what:" \
		"$(bench_ratios without_module $s | awk '{ printf "%.2f\n", (1 - $1) * 100 }' | bench_stats)"
done
echo "(target: overhead < 5 % with a matching rule, ~0 without one)"
bench_footer
