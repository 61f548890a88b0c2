#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The gap ipoib_sendonly closes: with the SA in its legacy personality (like
# OpenSM before 3.3.21), stock IPoIB's send-only join (JoinState 0x8) to a
# group that does not exist yet is refused, so a sender that comes before
# any receiver sends nothing: the SA counts the error, the group is not
# created, and IPoIB drops the packets. Also: stock ib_sa never asks the SA
# for ClassPortInfo of ports already active when the device is added.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
[ -d /sys/module/ipoib_sendonly ] && ktap_skip_all "ipoib_sendonly is loaded"
trap 'sib_cleanup' EXIT

ktap_plan 7
ktap_run "rdma_sib (SA legacy, no PORT_ACTIVE at registration), IPoIB up" sib_setup sa_mode=legacy port_active_event=0
state_is $SIB_D/sa/personality legacy
ktap_check "SA personality legacy" $?

err0=$(sib_sa_errors mc_member_record)
drop0=$(ip netns exec a cat /sys/class/net/ib0/statistics/tx_dropped)
sib_mcast_send a $SIB_IP_A 239.2.2.2 10
sleep 2
err1=$(sib_sa_errors mc_member_record)
drop1=$(ip netns exec a cat /sys/class/net/ib0/statistics/tx_dropped)
ktap_diag "SA MCMemberRecord errors $err0 -> $err1, ib0 tx_dropped $drop0 -> $drop1"
[ "$err1" -gt "$err0" ]
ktap_check "the send-only join was refused by the SA" $?
sib_group_exists ff12:401b:ffff:0000:0000:0000:0f02:0202
ktap_check "no group was created for 239.2.2.2" $((! $?))
[ "$drop1" -gt "$drop0" ]
ktap_check "IPoIB dropped the multicast it could not send" $?
# The broadcast group and unicast are unaffected.
ktap_run "unicast still works" ip netns exec a ping -c 2 -W 5 $SIB_IP_B
# Stock ib_sa asks ClassPortInfo only on port events; with
# port_active_event=0 rdma_sib's ports are active when the device registers
# and send none, so it never asks (the patch queue's IB/sa device-add entry
# fixes that; ipoib_sendonly is not loaded here).
cpi=$(sib_sa_requests class_port_info)
[ "$cpi" -eq 0 ]
rc=$?
ktap_check "stock ib_sa: no ClassPortInfo query for ports active at device add ($cpi)" $rc
ktap_finish
