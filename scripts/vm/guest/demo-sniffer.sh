#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make run: IPoIB traffic of rdma_sib seen by plain tcpdump through rdma_sniffer.
modinfo rdma_sniffer_sib > /dev/null 2>&1 || exit 0
. /selftests/lib/sib.sh
SD=/sys/kernel/debug/rdma_sniffer
echo "=== rdma_sniffer: IB traffic for tcpdump (a monitor netdev per port)"
sib_setup > /dev/null 2>&1 || { echo "setup failed"; exit 0; }
modprobe rdma_sniffer_sib || { sib_cleanup; exit 0; }
echo "\$ echo 'sib0 1' > $SD/new_monitor; ip link set sib0p1s up"
echo "sib0 1" > $SD/new_monitor && ip link set sib0p1s up
echo "\$ tcpdump -i sib0p1s -e -nn -c 4   (while a pings b over IPoIB)"
tcpdump -Z root -i sib0p1s -e -nn -c 4 2> /dev/null > /tmp/demo-snf.txt &
td=$!
sleep 2
ip netns exec a ping -c 2 -W 5 $SIB_IP_B > /dev/null
sleep 1
kill -INT $td 2> /dev/null
wait $td 2> /dev/null
sed 's/^/  /' /tmp/demo-snf.txt
echo "(ethertype 0x8915: RoCEv1 framing, GRH + BTH + DETH + the IPoIB packet; tshark decodes it to ICMP)"
for f in seen filtered mirrored dropped; do
	printf '%s %s  ' "$f" "$(cat $SD/monitors/sib0p1s/$f)"
done
echo
echo "sib0 1" > $SD/del_monitor
rmmod rdma_sniffer_sib rdma_sniffer
sib_cleanup
