#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The distribution's IPoIB in connected mode over two rdma_sib HCAs: RC QPs
# made by IPoIB's CM (REQ/REP/RTU over QP1 between the ports), pings larger
# than a UD packet going as one RC message each, 4 MB over TCP intact with
# a 64 KB MTU, the RC QPs seen by the rdma tool, the receive ring never
# short (no drop), back to datagram mode, and the modules unloading with
# the connections torn down (the drain of IPoIB's receive QPs: a send
# posted to a QP in the error state completes with a flush error).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
trap sib_cleanup EXIT

# rc_qps DEV: the RC QPs the rdma tool lists on DEV.
rc_qps()
{
	rdma resource show qp link "$1"/1 | grep -c 'type RC'
}

ktap_plan 12
ktap_run "rdma_sib, ib_ipoib, links in two namespaces, carrier" sib_setup

# IPoIB sets the RC flag of its address (the first byte) when its
# connected mode could be set up on the HCA.
out=$(ip -n a -o link show ib0)
ktap_diag "$out"
echo "$out" | grep -q 'link/infiniband 80:'
ktap_check "ib0's address offers connected mode (flag 0x80)" $?

ip netns exec a sh -c 'echo connected > /sys/class/net/ib0/mode' &&
	ip netns exec b sh -c 'echo connected > /sys/class/net/ib1/mode'
ktap_check "mode: connected on both links" $?
ma=$(ip netns exec a cat /sys/class/net/ib0/mode) mtu=$(ip -n a -o link show ib0 | awk '{ for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1) }')
ktap_diag "ib0: mode $ma, MTU $mtu"
[ "$ma" = connected ] && [ "$mtu" = 65520 ]
ktap_check "ib0: connected, MTU 65520 (IPoIB's connected-mode maximum)" $?

rx0=$(sib_port_counter sib1 rx_bytes) nr0=$(sib_port_counter sib1 drop_no_recv)
ktap_run "ping a -> b, 60000 bytes (one RC message each)" \
	ip netns exec a ping -c 5 -W 5 -s 60000 $SIB_IP_B
ktap_run "ping b -> a, 60000 bytes" ip netns exec b ping -c 5 -W 5 -s 60000 $SIB_IP_A
rx1=$(sib_port_counter sib1 rx_bytes)
ktap_diag "sib1 received $((rx1 - rx0)) bytes"
[ $((rx1 - rx0)) -ge 300000 ]
ktap_check "sib1 received the large pings ($((rx1 - rx0)) bytes)" $?

qa=$(rc_qps sib0) qb=$(rc_qps sib1)
ktap_diag "RC QPs: sib0 $qa, sib1 $qb"
[ "$qa" -ge 2 ] && [ "$qb" -ge 2 ]
ktap_check "RC QPs on both HCAs (a send and a receive QP each: $qa, $qb)" $?

lso0=$(sib_port_counter sib0 tx_lso_sends)
sib_tcp_copy a b $SIB_IP_B 4194304
rc=$?
ktap_check "TCP a -> b: 4 MB received intact ($(stat -c %s /tmp/tcp.rx 2>/dev/null) bytes)" $rc
lso=$(( $(sib_port_counter sib0 tx_lso_sends) - lso0 ))
nr=$(( $(sib_port_counter sib1 drop_no_recv) - nr0 ))
ktap_diag "sib0: $lso LSO sends (UD); sib1: $nr messages found no receive"
[ "$lso" -eq 0 ] && [ "$nr" -eq 0 ]
ktap_check "TCP went over RC (no LSO send), every message found a receive" $?

ip netns exec a sh -c 'echo datagram > /sys/class/net/ib0/mode' &&
	ip netns exec b sh -c 'echo datagram > /sys/class/net/ib1/mode' &&
	ip netns exec a ping -c 3 -W 5 $SIB_IP_B > /dev/null
ktap_check "back to datagram mode: ping a -> b" $?

ip netns del a && ip netns del b && rmmod ib_ipoib && rmmod rdma_sib
ktap_check "ib_ipoib and rdma_sib unload, connections torn down" $?
ktap_finish
