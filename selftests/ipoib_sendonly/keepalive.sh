#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Legacy SA, group created by a receiver that later leaves (rdma_sib):
#  - stock IPoIB: the sender's SendOnlyFullMember join is accepted on the
#    existing group but does not keep it alive: when the receiver leaves the
#    group is deleted under the sender, and a new receiver (a new group, a
#    new MLID) gets none of the sender's traffic;
#  - with ipoib_sendonly (auto): the sender joins as FullMember, the group
#    outlives the receiver, and a new receiver gets every packet.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/ipoib_sendonly.sh"

ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
ktap_have_module ipoib_sendonly || ktap_skip_all "ipoib_sendonly was not built"
trap 'kill $SIB_RX 2>/dev/null; rmmod ipoib_sendonly 2>/dev/null; sib_cleanup' EXIT

ktap_plan 6
ktap_run "rdma_sib (SA legacy) and IPoIB up" sib_setup sa_mode=legacy

sib_receiver_leaves 10
[ "$SIB_ST" = 0x8 ] && [ $SIB_LEFT = yes ] && [ $SIB_GONE = yes ]
ktap_check "stock: the group is deleted under the send-only sender when its receiver leaves" $?
[ "$SIB_GOT" -eq 0 ]
ktap_check "stock: a new receiver gets none of the sender's traffic ($SIB_GOT)" $?

modprobe ipoib_sendonly
state_wait "$(iso_port sib0)/sm_cap" no-sendonly-full 10
sib_receiver_leaves 11
[ "$SIB_ST" = 0x1 ] && [ $SIB_LEFT = yes ] && [ $SIB_GONE = no ]
ktap_check "ipoib_sendonly: the sender (FullMember) keeps the group alive" $?
[ "$SIB_GOT" -eq 20 ]
ktap_check "ipoib_sendonly: a new receiver gets all 20 ($SIB_GOT)" $?
ktap_run "ipoib_sendonly unloads" rmmod ipoib_sendonly
ktap_finish
