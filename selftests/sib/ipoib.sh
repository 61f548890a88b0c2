#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The distribution's IPoIB over two rdma_sib HCAs: IB link layer, ACTIVE
# ports, one IPoIB link per port, ping both ways with the links in separate
# network namespaces (datagram mode), 4 MB over TCP arriving intact from
# LSO sends the sending HCA cut into packets, an IPv4 multicast stream
# reaching a receiver that joined, the SA's group table showing both
# members, and the port counters read with the rdma tool.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
trap 'kill $rx 2>/dev/null; sib_cleanup' EXIT

ktap_plan 12
ktap_run "rdma_sib, ib_ipoib, links in two namespaces, carrier" sib_setup

out=$(rdma link show)
[ "$(echo "$out" | grep -c 'state ACTIVE physical_state LINK_UP')" -eq 2 ]
ktap_check "rdma link: two ACTIVE IB ports" $?
[ "$(ibstat | grep -c 'Link layer: InfiniBand')" -eq 2 ] && [ "$(ibstat | grep -c 'State: Active')" -eq 2 ]
ktap_check "ibstat: InfiniBand link layer, Active" $?
ktap_run "datagram mode" bash -c '[ "$(ip netns exec a cat /sys/class/net/ib0/mode)" = datagram ]'

rx0=$(sib_port_counter sib1 rx_pkts)
ktap_run "ping a -> b" ip netns exec a ping -c 5 -W 5 $SIB_IP_B
ktap_run "ping b -> a" ip netns exec b ping -c 5 -W 5 $SIB_IP_A
rx1=$(sib_port_counter sib1 rx_pkts)
[ $((rx1 - rx0)) -ge 10 ]
ktap_check "sib1 delivered the pings ($((rx1 - rx0)) packets)" $?
# The same counters through the rdma tool, as for any HCA.
out=$(rdma statistic show link sib1/1)
ktap_diag "$out"
rx2=$(echo "$out" | tr ' ' '\n' | awk 'p { print; exit } $0 == "rx_pkts" { p = 1 }')
[ -n "$rx2" ] && [ "$rx2" -ge "$rx1" ] && echo "$out" | grep -q 'drop_no_recv'
ktap_check "rdma statistic show link sib1/1: rx_pkts $rx2 and the drop counters" $?

# TCP: IPoIB offers TSO on rdma_sib (IBK_UD_TSO), so it posts segments of
# up to 64 KB (IB_WR_LSO) that sib0 cuts into packets of one MSS, each
# with its headers rewritten and its checksum computed: the 4 MB must
# arrive intact, through more LSO sends than one and at least one packet
# per 4 KB, none refused.
lso0=$(sib_port_counter sib0 tx_lso_sends) tx0=$(sib_port_counter sib0 tx_pkts)
mtu0=$(sib_port_counter sib0 drop_mtu_exceeded)
sib_tcp_copy a b $SIB_IP_B 4194304
rc=$?
ktap_check "TCP a -> b: 4 MB received intact ($(stat -c %s /tmp/tcp.rx 2>/dev/null) bytes)" $rc
lso=$(( $(sib_port_counter sib0 tx_lso_sends) - lso0 )) tx=$(( $(sib_port_counter sib0 tx_pkts) - tx0 ))
mtu=$(( $(sib_port_counter sib0 drop_mtu_exceeded) - mtu0 ))
ktap_diag "sib0: $lso LSO sends cut into packets, $tx packets sent, $mtu refused"
[ "$lso" -gt 1 ] && [ "$tx" -ge 1024 ] && [ "$mtu" -eq 0 ]
ktap_check "TCP a -> b: sent as LSO sends sib0 cut into packets ($lso sends, $tx packets)" $?

# IPv4 multicast: b joins 239.1.1.1, a sends 20 datagrams.
rx=$(sib_mcast_recv_start b $SIB_IP_B 239.1.1.1 /tmp/mc.rx)
sleep 2
sib_mcast_send a $SIB_IP_A 239.1.1.1 20
sleep 2
got=$(wc -l < /tmp/mc.rx)
[ "$got" -eq 20 ]
ktap_check "IPv4 multicast: 20 of 20 datagrams received ($got)" $?

# RFC 4391: the MGID carries the low 28 bits of the IPv4 group.
mg=ff12:401b:ffff:0000:0000:0000:0f01:0101
sa=$(sib_join_state $mg sib0) sb=$(sib_join_state $mg sib1)
ktap_diag "group $mg: sender sib0 JoinState $sa, receiver sib1 $sb"
[ "$sa" = 0x8 ] && [ "$sb" = 0x1 ] || { ktap_diag "$(cat $SIB_D/groups)"; false; }
ktap_check "SA group table: sender SendOnlyFullMember (0x8), receiver FullMember (0x1)" $?
ktap_finish
