#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of scripts/bench/sniffer-cost.sh: TCP over IPoIB from sib0 to
# sib1 (iperf3), with sib0's port captured in six setups taken in turn
# each round (the order reversed every other round): rdma_sniffer absent,
# a monitor that is down (idle), up with tcpdump reading everything, up
# with a filter that only passes QP1 (the data traffic filtered out before
# any copy), up with a listener that never reads (tcpdump stopped), and up
# with the monitor's erf file open but never read (no packet socket).
# Prints "# BENCH" lines; asserts nothing. RB_BENCH_SECS seconds per sample
# (3), RB_BENCH_ROUNDS rounds (3); RB_BENCH_SETUPS the setups measured (all
# six, absent first).
. /selftests/lib/ktap.sh
. /selftests/lib/sib.sh
SECS=${RB_BENCH_SECS:-3}
R=${RB_BENCH_ROUNDS:-3}
SD=/sys/kernel/debug/rdma_sniffer
MON=sib0p1s

iperf3_bps()
{
	local pid out
	ip netns exec b iperf3 -s -1 > /dev/null 2>&1 &
	pid=$!
	sleep 1
	out=$(ip netns exec a iperf3 -c "$SIB_IP_B" -t "$SECS" -f m 2>&1)
	wait $pid
	echo "$out" | awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }' | tail -n 1
}

# teardown: no listener, no monitor, no sniffer.
teardown()
{
	[ -n "${TD:-}" ] && { kill -CONT "$TD"; kill "$TD"; wait "$TD"; } 2> /dev/null
	TD=
	exec 3<&-
	[ -e $SD/del_monitor ] && echo "sib0 1" > $SD/del_monitor 2> /dev/null
	rmmod rdma_sniffer_sib rdma_sniffer 2> /dev/null
}

# setup NAME: the capture side of one setup.
setup()
{
	teardown
	[ "$1" = absent ] && return 0
	modprobe rdma_sniffer_sib && echo "sib0 1" > $SD/new_monitor || return 1
	[ "$1" = idle ] && return 0
	ip link set $MON up
	if [ "$1" = erf_stalled ]; then
		exec 3< $SD/monitors/$MON/erf || return 1
		return 0
	fi
	[ "$1" = filtered ] && echo "dqpn=1" > $SD/monitors/$MON/filter
	# The previous setup's "listening" must not be taken for this one's.
	rm -f /tmp/tcpdump.err
	tcpdump -Z root -i $MON -w /dev/null 2> /tmp/tcpdump.err &
	TD=$!
	slowwait 10 grep -qs listening /tmp/tcpdump.err
	[ "$1" = stalled ] && kill -STOP $TD
	return 0
}

ktap_plan 1
sib_setup > /dev/null 2>&1 || echo "# sib setup failed"
# An untimed sample first: the first one after boot ran ~8 % slower.
iperf3_bps > /dev/null
setups=${RB_BENCH_SETUPS:-absent idle unfiltered filtered stalled erf_stalled}
for round in $(seq "$R"); do
	order=$setups
	[ $((round % 2)) -eq 0 ] && order=$(echo "$setups" | tr ' ' '\n' | tac | xargs)
	for s in $order; do
		setup "$s" || echo "# setup $s failed"
		echo "# BENCH $s $(iperf3_bps) Mbit/s"
		if [ "$s" = erf_stalled ]; then
			echo "# BENCH ${s}_dropped $(cat $SD/monitors/$MON/erf_dropped) records"
		elif [ "$s" != absent ] && [ "$s" != idle ]; then
			echo "# BENCH ${s}_dropped $(cat $SD/monitors/$MON/dropped) packets"
			echo "# BENCH ${s}_mirrored $(cat $SD/monitors/$MON/mirrored) packets"
		fi
	done
done
teardown
sib_cleanup
ktap_pass "measured"
ktap_finish
