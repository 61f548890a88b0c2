#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Every benchmark of scripts/bench/, one after the other, as KTAP: each is
# one test, passed when it printed its figures (exit 0), failed when it
# could not measure; the figures themselves decide nothing here (speed
# targets are read, not asserted, so a slow machine does not fail a run).
# make bench runs this; make test runs it as one step, so no benchmark
# can rot unnoticed.
#
#   run.sh [--quick] [NAME...]    NAME: a script of scripts/bench/ without .sh
#
# --quick (make test): fewer and shorter samples (RB_BENCH_ROUNDS 3,
# RB_BENCH_SECS 2, RB_BENCH_QPS 1000, RB_BENCH_WARM 200, RB_BENCH_MC 500,
# the build figures for the selected kernel only), each unless set already:
# enough to show that every benchmark still measures, with a spread, in a
# fraction of the time; the figures of the README come from full runs.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib/ktap.sh
. "$here/../../selftests/lib/ktap.sh"

if [ "${1:-}" = --quick ]; then
	shift
	export RB_BENCH_QUICK=1
	export RB_BENCH_ROUNDS=${RB_BENCH_ROUNDS:-3} RB_BENCH_SECS=${RB_BENCH_SECS:-2}
	export RB_BENCH_QPS=${RB_BENCH_QPS:-1000} RB_BENCH_WARM=${RB_BENCH_WARM:-200}
	export RB_BENCH_MC=${RB_BENCH_MC:-500}
fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(probe-time vm-boot mcast-noloop-qp-rate sib-vs-veth sniffer-cost)
ktap_plan ${#names[@]}
[ -z "${RB_BENCH_QUICK:-}" ] || ktap_diag "quick: $RB_BENCH_ROUNDS rounds, ${RB_BENCH_SECS} s samples, $RB_BENCH_QPS QPs (not the README's figures)"
for b in "${names[@]}"; do
	t0=$(date +%s)
	out=$("$here/$b.sh" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	ktap_diag "$b took $(( $(date +%s) - t0 )) s"
	ktap_check "$b: measured" $rc
done
ktap_finish
