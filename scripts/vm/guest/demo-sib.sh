#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make run: IPoIB on rdma_sib, and ipoib_sendonly closing the legacy-SA gap.
modinfo rdma_sib > /dev/null 2>&1 || exit 0
. /selftests/lib/sib.sh
echo "=== rdma_sib: a software IB subnet; its SA behaves like OpenSM < 3.3.21"
sib_setup sa_mode=legacy || { echo "setup failed"; exit 0; }
rdma link show
echo "\$ ip netns exec a ping -c 2 $SIB_IP_B       (IPoIB, datagram mode)"
ip netns exec a ping -c 2 -W 5 $SIB_IP_B | tail -n 2
echo
echo "--- a send-only multicast sender before any receiver, stock IPoIB:"
sib_mcast_send a $SIB_IP_A 239.9.9.9 3
sleep 1
echo "SA MCMemberRecord errors: $(sib_sa_errors mc_member_record); ib0 tx_dropped: $(ip netns exec a cat /sys/class/net/ib0/statistics/tx_dropped)"
modinfo ipoib_sendonly > /dev/null 2>&1 || { sib_cleanup; exit 0; }
echo
echo "--- the same with ipoib_sendonly (policy auto):"
modprobe ipoib_sendonly
sleep 2
sib_mcast_send a $SIB_IP_A 239.8.8.8 3
sleep 1
echo "\$ grep -A2 0f08:0808 /sys/kernel/debug/rdma_sib/groups"
grep -A2 0f08:0808 /sys/kernel/debug/rdma_sib/groups
echo "\$ grep -r . /sys/kernel/debug/ipoib_sendonly/ports/sib0/1/"
grep -r . /sys/kernel/debug/ipoib_sendonly/ports/sib0/1/
dmesg | grep 'ipoib_sendonly: sib' | tail -n 2
rmmod ipoib_sendonly
sib_cleanup
