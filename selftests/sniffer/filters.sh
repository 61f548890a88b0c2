#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel-side filters capture exactly the matching packets: sib0's monitor
# filtered by the destination QPN of a's IPoIB link while b pings a, and
# sib1's filtered by the MGID of 239.1.1.1 while a sends 20 datagrams to a
# receiver in b; each against the other port's unfiltered capture of the
# same traffic (the packets between the two ports appear on both), and the
# counters say what the filter let through and what it did not.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/sniffer.sh"

snf_require
rx=
trap '[ -n "$rx" ] && kill $rx 2>/dev/null; snf_cleanup' EXIT
T=/tmp/snf-filters
D0=$SNF_D/monitors/sib0p1s
D1=$SNF_D/monitors/sib1p1s

ktap_plan 13
mkdir -p $T
ktap_run "IPoIB on sib0 and sib1" sib_setup
modprobe rdma_sniffer_sib && snf_new sib0 1 && snf_new sib1 1 &&
	ip link set sib0p1s up && ip link set sib1p1s up
ktap_check "monitors sib0p1s and sib1p1s up" $?

# QPN: the destination QPN is at bytes 58-61 (24 bits) of these frames.
qa=$(printf '%#x' "$(snf_qpn a ib0)")
echo "dqpn=$qa" > $D0/filter
f=$(state_get $D0/filter)
[ "$f" = "dqpn=$qa" ]
ktap_check "sib0p1s filter dqpn=$qa reads back as '$f'" $?
snf_capture sib0p1s $T/q0.pcap && p0=$SNF_PID && snf_capture sib1p1s $T/q1.pcap && p1=$SNF_PID
ktap_run "b pings a 10 times, captured on both ports" ip netns exec b ping -c 10 -i 0.2 -W 5 $SIB_IP_A
snf_settle sib0p1s
snf_settle sib1p1s
snf_capture_end sib0p1s "$p0"
snf_capture_end sib1p1s "$p1"
# The two captures do not end at the same instant, so a packet sent
# between (an ARP or ND probe) is in one file only: they are compared on
# the pings, IPv4 ICMP after the 4-byte IPoIB header (ethertype at 74,
# protocol at 87), which both windows hold whole.
icmp="ether[74:2] = 0x0800 and ether[87] = 1"
got=$(snf_count $T/q0.pcap) other=$(snf_count $T/q0.pcap "not ether[58:4] & 0xffffff = $qa")
gi=$(snf_count $T/q0.pcap "$icmp")
want=$(snf_count $T/q1.pcap "ether[58:4] & 0xffffff = $qa and $icmp")
ktap_diag "dqpn=$qa: sib0p1s captured $got ($other others, $gi pings); sib1p1s saw $want such pings, $(snf_count $T/q1.pcap) packets in all"
[ "$got" -ge 10 ] && [ "$other" -eq 0 ] && [ "$gi" -ge 10 ] && [ "$gi" -eq "$want" ]
ktap_check "QPN filter: exactly the packets to QP $qa ($got)" $?
m=$(state_get $D0/mirrored) fl=$(state_get $D0/filtered) seen=$(state_get $D0/seen)
[ "$m" -eq "$got" ] && snf_balanced sib0p1s
ktap_check "sib0p1s: mirrored $m, filtered $fl, seen $seen" $?

# MGID of 239.1.1.1 (RFC 4391); the DGID is at bytes 38-53.
mg=$(sib_mgid 1)
echo "mgid=$mg" > $D1/filter
f=$(state_get $D1/filter)
[ "$f" = "dgid=$mg" ]
ktap_check "sib1p1s filter mgid=$mg reads back as '$f'" $?
echo all > $D0/filter
ip link set sib0p1s up && ip link set sib1p1s up
m0=$(state_get $D1/mirrored) f0=$(state_get $D1/filtered)
snf_capture sib0p1s $T/m0.pcap && p0=$SNF_PID && snf_capture sib1p1s $T/m1.pcap && p1=$SNF_PID
rx=$(sib_mcast_recv_start b $SIB_IP_B 239.1.1.1 $T/mc.rx)
st=$(sib_wait_join_state "$mg" sib1)
sleep 1
sib_mcast_send a $SIB_IP_A 239.1.1.1 20
sleep 1
kill "$rx"
wait "$rx" 2>/dev/null
rx=
n=$(wc -l < $T/mc.rx)
[ "$st" = 0x1 ] && [ "$n" -eq 20 ]
ktap_check "b joined 239.1.1.1 ($st) and received 20 datagrams ($n)" $?
snf_settle sib0p1s
snf_settle sib1p1s
snf_capture_end sib0p1s "$p0"
snf_capture_end sib1p1s "$p1"
isg="ether[38:4] = 0xff12401b and ether[42:4] = 0xffff0000 and ether[46:4] = 0 and ether[50:4] = 0x0f010101"
got=$(snf_count $T/m1.pcap) other=$(snf_count $T/m1.pcap "not ( $isg )")
want=$(snf_count $T/m0.pcap "$isg")
ktap_diag "mgid=$mg: sib1p1s captured $got ($other others); sib0p1s saw $want such packets of $(snf_count $T/m0.pcap)"
[ "$got" -eq 20 ] && [ "$other" -eq 0 ] && [ "$want" -eq 20 ]
ktap_check "MGID filter: exactly the 20 datagrams to the group" $?
m=$(($(state_get $D1/mirrored) - m0)) fl=$(($(state_get $D1/filtered) - f0))
seen=$(state_get $D1/seen)
[ "$m" -eq "$got" ] && [ "$fl" -gt 0 ] && snf_balanced sib1p1s
ktap_check "sib1p1s: $m more mirrored, $fl more filtered (seen $seen in all)" $?

# Terms combine: both must match.
echo "slid=3 dlid=2 pkey=0xffff" > $D0/filter
f=$(state_get $D0/filter)
[ "$f" = "slid=0x3 dlid=0x2 pkey=0xffff" ]
ktap_check "filter 'slid=3 dlid=2 pkey=0xffff' reads back as '$f'" $?
ip link set sib0p1s up
snf_capture sib0p1s $T/l0.pcap && p0=$SNF_PID
ip netns exec a ping -c 5 -i 0.2 -W 5 $SIB_IP_B > /dev/null
snf_settle sib0p1s
snf_capture_end sib0p1s "$p0"
got=$(snf_count $T/l0.pcap) other=$(snf_count $T/l0.pcap "not (ether src 02:00:00:00:00:03 and ether dst 02:00:00:00:00:02)")
[ "$got" -ge 5 ] && [ "$other" -eq 0 ]
ktap_check "LID filter: only b's packets to a ($got, $other others)" $?
echo > $D0/filter
f=$(state_get $D0/filter)
[ "$f" = all ]
ktap_check "an empty write clears the filter ('$f')" $?
ktap_finish
