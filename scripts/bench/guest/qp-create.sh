#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of scripts/bench/mcast-noloop-qp-rate.sh: kernel UD QP
# creation on rdma_sib's sib0, timed by rb_test_mcast, in four setups taken
# in turn each round: without rdma_mcast_noloop, loaded with no rule yet
# (its probes are armed by the first rule and stay armed until unload, so
# this setup loads it afresh when they are), with a rule for another device
# only, and with a rule matching every QP. The order is reversed every
# other round, so drift falls on both sides of each ratio alike. After each change WARM QPs are made
# untimed (caches, and TCG's translation of code a kprobe just patched),
# then N timed, in chunks of CHUNK: a sample's rate is CHUNK over the 25th
# percentile of its chunks' times, so time the host gave to other work
# (this VM shares its CPUs) counts for little; its rate over the whole
# sample is printed too. Prints "# BENCH" lines; asserts nothing.
# RB_BENCH_QPS QPs per sample (3000), RB_BENCH_ROUNDS rounds (15),
# RB_BENCH_WARM untimed QPs after each change (500), RB_BENCH_CHUNK QPs
# per chunk (100). The defaults create about 215000 QPs in all, so the QP
# numbers rdma_sib hands out cyclically stay below 2^18, where its xarray
# (and ib_core's restrack one) would grow a level and every QP after that
# would be slower: a step in mid-run that one round's ratios would carry.
. /selftests/lib/ktap.sh
N=${RB_BENCH_QPS:-3000}
R=${RB_BENCH_ROUNDS:-15}
WARM=${RB_BENCH_WARM:-500}
CHUNK=${RB_BENCH_CHUNK:-100}
C=/sys/kernel/debug/rb_test_mcast/cmd
S=/sys/kernel/debug/rb_test_mcast/state
RULES=/sys/kernel/rdma_mcast_noloop/rules

# sample NAME: N QPs timed in chunks of CHUNK; "# BENCH" lines for NAME
# (QPs/s at the chunks' 25th percentile time) and whole_NAME (QPs/s over
# the whole sample, host preemption and guest interrupts included).
sample()
{
	echo "qpbench sib0 $N $CHUNK" > $C || return 1
	awk -v s="$1" '$1 == "qpbench" {
		printf "# BENCH %s %.0f QPs/s\n", s, $7 * 1e9 / $13
		printf "# BENCH whole_%s %.0f QPs/s\n", s, $3 * 1e9 / $5 }' $S
}

# setup NAME: put the module in that state, from whichever it is in.
setup()
{
	case $1 in
	without_module) rmmod rdma_mcast_noloop 2> /dev/null; return 0 ;;
	no_rule)
		[ "$(cat /sys/kernel/rdma_mcast_noloop/hooks/armed 2> /dev/null)" != yes ] ||
			rmmod rdma_mcast_noloop || return 1 ;;
	esac
	[ -d /sys/module/rdma_mcast_noloop ] || modprobe rdma_mcast_noloop || return 1
	case $1 in
	no_rule) echo clear > $RULES ;;
	other_dev) echo "block dev=sib1 creator=kernel" > $RULES ;;
	rule) echo "block dev=sib0 creator=kernel" > $RULES ;;
	esac
}

ktap_plan 1
modprobe rdma_sib num_hcas=2 && modprobe rb_test_mcast || { echo "# setup failed"; exit 1; }
# Warm up, and take rdma_sib's QP numbers past 2^12, where its xarray has
# grown the level the whole run then uses (the first sample was faster).
echo "qpbench sib0 5000" > $C
setups="without_module no_rule other_dev rule"
for round in $(seq "$R"); do
	order=$setups
	[ $((round % 2)) -eq 0 ] && order=$(echo "$setups" | tr ' ' '\n' | tac | xargs)
	for s in $order; do
		setup "$s" || { echo "# setup $s failed"; exit 1; }
		echo "qpbench sib0 $WARM" > $C
		sample "$s"
	done
done
rmmod rdma_mcast_noloop 2> /dev/null
ktap_pass "measured"
ktap_finish
