#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of scripts/bench/sib-vs-veth.sh: prints "# BENCH name value
# unit" lines; asserts nothing. Each round measures TCP over IPoIB on two
# rdma_sib ports (netns a and b) in datagram mode and in connected mode
# (RC), TCP over a veth pair (netns va and vb), in turn, the order reversed
# every other round, and TCP over two more veth pairs, each moving data as
# one of IPoIB's modes makes any device move it: wa/wb as datagram mode
# does, a 4092-byte MTU, the sender's 64 KB packets cut into frames on
# their way out (TSO off: the stack's GSO, as the HCA's LSO), each frame
# received on its own and merged by GRO (on, as IPoIB's NAPI does); ca/cb
# as connected mode does, a 65520-byte MTU with no checksum offload either
# way (IPoIB turns it off in connected mode, and with it scatter/gather:
# the stack computes the checksum of every packet it sends and receives,
# and sends each in one piece); then once UDP over
# IPoIB, UD multicast fan-out on rdma_sib (rb_test_mcast: one sender, 1 to
# 8 receivers on ports of their own) and rxe's UD sends. RB_BENCH_SECS
# seconds per sample (3), RB_BENCH_ROUNDS rounds (3), RB_BENCH_MC sends per
# fan-out sample (2000).
. /selftests/lib/ktap.sh
. /selftests/lib/sib.sh
. /selftests/lib/rxe.sh
SECS=${RB_BENCH_SECS:-3}
R=${RB_BENCH_ROUNDS:-3}
VETH_A=10.77.0.1 VETH_B=10.77.0.2
VETH4K_A=10.78.0.1 VETH4K_B=10.78.0.2
VETHCM_A=10.79.0.1 VETHCM_B=10.79.0.2

# iperf3_bps NS-SERVER NS-CLIENT SERVER-IP ARGS...: receiver Mbit/s.
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

# veth_setup NS-A NS-B IP-A IP-B [LINK-ARGS...]: a veth pair vA/vB between
# two new namespaces, LINK-ARGS applied to both ends.
veth_setup()
{
	local a=$1 b=$2 ipa=$3 ipb=$4
	shift 4
	modprobe veth && ip netns add "$a" && ip netns add "$b" &&
		ip link add vA netns "$a" type veth peer name vB netns "$b" &&
		ip -n "$a" addr add "$ipa"/24 dev vA && ip -n "$b" addr add "$ipb"/24 dev vB &&
		ip -n "$a" link set lo up && ip -n "$b" link set lo up &&
		ip -n "$a" link set vA up "$@" && ip -n "$b" link set vB up "$@"
}

# sib_mode MODE: IPoIB's mode on both rdma_sib links, then a ping, so that
# the path (and in connected mode the connection) exists before a sample.
sib_mode()
{
	ip netns exec a sh -c "echo $1 > /sys/class/net/ib0/mode" &&
		ip netns exec b sh -c "echo $1 > /sys/class/net/ib1/mode" &&
		ip netns exec a ping -c 2 -W 5 $SIB_IP_B > /dev/null
}

ktap_plan 1
sib_setup > /dev/null 2>&1 || echo "# sib setup failed"
veth_setup va vb $VETH_A $VETH_B || echo "# veth setup failed"
veth_setup wa wb $VETH4K_A $VETH4K_B mtu 4092 &&
	ip netns exec wa ethtool -K vA tso off > /dev/null &&
	ip netns exec wb ethtool -K vB gro on > /dev/null ||
	echo "# 4 KB-frame veth setup failed"
veth_setup ca cb $VETHCM_A $VETHCM_B mtu 65520 &&
	ip netns exec ca ethtool -K vA tx off sg off > /dev/null &&
	ip netns exec cb ethtool -K vB tx off sg off rx off > /dev/null ||
	echo "# connected-mode veth setup failed"
for round in $(seq "$R"); do
	for s in $([ $((round % 2)) -eq 1 ] && echo "sib sibcm veth veth4k vethcm" ||
		   echo "vethcm veth4k veth sibcm sib"); do
		case $s in
		# No sample in a mode that could not be set: never one mislabelled.
		sib) if sib_mode datagram; then
			echo "# BENCH sib_ipoib_tcp $(iperf3_bps b a $SIB_IP_B) Mbit/s"
		     else
			echo "# datagram mode not set"
		     fi ;;
		sibcm) if sib_mode connected; then
			echo "# BENCH sib_ipoib_cm_tcp $(iperf3_bps b a $SIB_IP_B) Mbit/s"
		       else
			echo "# connected mode not set"
		       fi ;;
		veth) echo "# BENCH veth_tcp $(iperf3_bps vb va $VETH_B) Mbit/s" ;;
		veth4k) echo "# BENCH veth4k_tcp $(iperf3_bps wb wa $VETH4K_B) Mbit/s" ;;
		vethcm) echo "# BENCH vethcm_tcp $(iperf3_bps cb ca $VETHCM_B) Mbit/s" ;;
		esac
	done
done
if sib_mode datagram; then
	echo "# BENCH sib_ipoib_udp $(iperf3_bps b a $SIB_IP_B -u -b 0 -l 1400) Mbit/s"
else
	echo "# datagram mode not set"
fi
for n in va vb wa wb ca cb; do
	ip netns del $n
done
sib_cleanup

# Fan-out: sender tx on sib0, receivers r1..r8 on sib1..sib8; group N
# (0xfa00 + N) has receivers r1..rN. Deliveries/s: what the receivers got
# over the time the sends took (sent until the last one completed).
M=/sys/kernel/debug/rb_test_mcast
mc() { echo "$*" > $M/cmd; }
mc_received() { awk '$1 == "qp" && $2 ~ /^r/ { for (i = 3; i < NF; i++) if ($i == "received") s += $(i + 1) } END { print s + 0 }' $M/state; }
mc_ns() { awk '$1 == "mcbench" { print $5 }' $M/state; }
if modprobe rdma_sib num_hcas=9 && modprobe rb_test_mcast && mc qp tx sib0 1 0; then
	for i in $(seq 8); do
		mc qp r$i sib$i 1 0 || echo "# fan-out: no QP r$i"
	done
	for n in 1 2 4 8; do
		g=ff12401bffff000000000000fa00000$n
		mc join sib0 1 $g 1
		for i in $(seq "$n"); do
			mc join sib$i 1 $g 1 && mc attach r$i $g || echo "# fan-out: r$i not in group $n"
		done
		r0=$(mc_received)
		mc mcbench tx $g "${RB_BENCH_MC:-2000}" || echo "# fan-out: mcbench to $n failed"
		sleep 1		# the receivers' CQ polling
		r1=$(mc_received)
		echo "# BENCH sib_mc_fanout_$n $(awk -v d=$((r1 - r0)) -v ns="$(mc_ns)" 'BEGIN { printf "%.0f", ns ? d * 1e9 / ns : 0 }') deliveries/s"
		echo "# fan-out to $n: $((r1 - r0)) of $((${RB_BENCH_MC:-2000} * n)) delivered in $(mc_ns) ns"
	done
else
	echo "# fan-out setup failed"
fi
rmmod rb_test_mcast 2>/dev/null
rmmod rdma_sib 2>/dev/null

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
rxe_pair_cleanup
ktap_pass "measured"
ktap_finish
