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
#   run.sh [NAME...]    NAME: a script of scripts/bench/ without .sh
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib/ktap.sh
. "$here/../../selftests/lib/ktap.sh"

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(probe-time vm-boot mcast-noloop-qp-rate sib-vs-veth sniffer-cost)
ktap_plan ${#names[@]}
for b in "${names[@]}"; do
	t0=$(date +%s)
	out=$("$here/$b.sh" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	ktap_diag "$b took $(( $(date +%s) - t0 )) s"
	ktap_check "$b: measured" $rc
done
ktap_finish
