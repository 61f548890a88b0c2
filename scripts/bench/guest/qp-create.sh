#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of scripts/bench/mcast-noloop-qp-rate.sh: kernel UD QP
# creation on rdma_sib's sib0, timed by rb_test_mcast, in four setups taken
# in turn each round (the order reversed every other round): without
# rdma_mcast_noloop, loaded with no rule, with a rule for another device
# only, and with a rule matching every QP. Prints "# BENCH" lines; asserts
# nothing. RB_BENCH_QPS QPs per sample (20000), RB_BENCH_ROUNDS rounds (5).
. /selftests/lib/ktap.sh
N=${RB_BENCH_QPS:-20000}
R=${RB_BENCH_ROUNDS:-5}
C=/sys/kernel/debug/rb_test_mcast/cmd
S=/sys/kernel/debug/rb_test_mcast/state
RULES=/sys/kernel/rdma_mcast_noloop/rules

rate()
{
	echo "qpbench sib0 $N" > $C || return 1
	awk '$1 == "qpbench" { printf "%.0f", $3 * 1e9 / $5 }' $S
}

# sample SETUP: one measurement in that setup.
sample()
{
	rmmod rdma_mcast_noloop 2> /dev/null
	case $1 in
	no_rule) modprobe rdma_mcast_noloop ;;
	other_dev) modprobe rdma_mcast_noloop && echo "block dev=sib1 creator=kernel" > $RULES ;;
	rule) modprobe rdma_mcast_noloop && echo "block dev=sib0 creator=kernel" > $RULES ;;
	esac
	echo "# BENCH $1 $(rate) QPs/s"
}

ktap_plan 1
modprobe rdma_sib num_hcas=2 && modprobe rb_test_mcast || { echo "# setup failed"; exit 1; }
rate > /dev/null	# warm up
setups="without_module no_rule other_dev rule"
for round in $(seq "$R"); do
	order=$setups
	[ $((round % 2)) -eq 0 ] && order=$(echo "$setups" | tr ' ' '\n' | tac | xargs)
	for s in $order; do
		sample "$s"
	done
done
rmmod rdma_mcast_noloop 2> /dev/null
ktap_pass "measured"
ktap_finish
