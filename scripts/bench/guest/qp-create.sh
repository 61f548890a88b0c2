#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of scripts/bench/mcast-noloop-qp-rate.sh: kernel UD QP
# creation on rdma_sib, timed by rb_test_mcast, without rdma_mcast_noloop and
# with it loaded and a rule matching every QP. Prints "# BENCH" lines.
. /selftests/lib/ktap.sh
N=${RB_BENCH_QPS:-2000}
C=/sys/kernel/debug/rb_test_mcast/cmd
S=/sys/kernel/debug/rb_test_mcast/state

rate()
{
	echo "qpbench sib0 $N" > $C || return 1
	awk '$1 == "qpbench" { printf "%.0f", $3 * 1e9 / $5 }' $S
}

ktap_plan 1
modprobe rdma_sib && modprobe rb_test_mcast || { echo "# setup failed"; exit 1; }
rate > /dev/null	# warm up
for round in 1 2 3; do
	echo "# BENCH without_module $(rate) QPs/s"
	modprobe rdma_mcast_noloop
	echo "block dev=sib0 creator=kernel" > /sys/kernel/rdma_mcast_noloop/rules
	echo "# BENCH with_rule $(rate) QPs/s"
	rmmod rdma_mcast_noloop
done
ktap_pass "measured"
ktap_finish
