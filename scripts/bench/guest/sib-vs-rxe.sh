#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of scripts/bench/sib-vs-rxe.sh: prints "# BENCH name value unit"
# lines; asserts nothing.
. /selftests/lib/ktap.sh
. /selftests/lib/sib.sh
. /selftests/lib/rxe.sh
SECS=${RB_BENCH_SECS:-5}

# iperf3_bps NS-SERVER NS-CLIENT SERVER-IP ARGS...: receiver bits/s.
iperf3_bps()
{
	local srv=$1 cli=$2 ip=$3 pid out
	shift 3
	${srv:+ip netns exec $srv} iperf3 -s -1 > /dev/null 2>&1 &
	pid=$!
	sleep 1
	out=$(${cli:+ip netns exec $cli} iperf3 -c "$ip" -t "$SECS" -f m "$@" 2>&1)
	wait $pid
	echo "$out" | awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }' | tail -n 1
}

ktap_plan 1
sib_setup > /dev/null 2>&1 || { echo "# sib setup failed"; }
echo "# BENCH sib_ipoib_tcp $(iperf3_bps b a $SIB_IP_B) Mbit/s"
echo "# BENCH sib_ipoib_udp $(iperf3_bps b a $SIB_IP_B -u -b 0 -l 1400) Mbit/s"
sib_cleanup

rxe_pair_setup > /dev/null 2>&1 || echo "# rxe setup failed"
g0=$(rxe_gid_index rxe0 $RXE_IP0)
g1=$(rxe_gid_index rxe1 $RXE_IP1)
ib_send_bw -d rxe1 -c UD -x "$g1" -s 1024 -D "$SECS" > /tmp/bw_srv.log 2>&1 &
pid=$!
sleep 1
ib_send_bw -d rxe0 -c UD -x "$g0" -s 1024 -D "$SECS" $RXE_IP1 > /tmp/bw_cli.log 2>&1
wait $pid
# perftest's result line: bytes iterations BW-peak BW-average(MB/s) MsgRate
mbps=$(awk '$1 == 1024 && NF >= 5 { printf "%.1f", $4 * 8 * 1.048576 }' /tmp/bw_cli.log | tail -n 1)
echo "# BENCH rxe_ud_send_bw ${mbps:-0} Mbit/s"
echo "# BENCH veth_tcp $(iperf3_bps '' '' $RXE_IP1 -B $RXE_IP0) Mbit/s"
rxe_pair_cleanup
ktap_pass "measured"
ktap_finish
