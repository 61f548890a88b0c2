#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_sib's verbs do what hardware does, shown with kernel UD QPs of
# rb_test_mcast (a on sib0 sends, b on sib1 receives, unless said
# otherwise):
#  - a send larger than the MTU (4096) is refused by ib_post_send() with
#    -EINVAL, unicast and multicast alike, and counted as drop_mtu_exceeded
#    on the sending port; nothing of it reaches the receiver; 4096 passes;
#  - an LSO send (IB_WR_LSO) whose headers are not IPoIB + IPv4 + TCP is
#    refused with -EINVAL and counted the same way on a QP made for LSO,
#    and IB_WR_LSO itself on a QP made without it;
#  - multicast to more QPs than one packet fans out to (64): each copy not
#    made is counted as drop_fanout_truncated;
#  - sends posted back to back past the send queue's depth (64), while the
#    switch is held, are refused with -ENOMEM; the slots come back as sends
#    complete once it is released;
#  - a CQ that overflows raises IB_EVENT_CQ_ERR to its event handler, once;
#  - IB_WR_SEND_WITH_IMM: the receive completes with IB_WC_WITH_IMM and the
#    immediate data, a plain send's receive without;
#  - a CQ armed with IB_CQ_SOLICITED fires on a receive whose sender set
#    IB_SEND_SOLICITED, and on no other.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/rbt.sh"

ktap_need_modules rdma_sib rb_test_mcast
G=ff12:601b:ffff:0000:0000:0000:0000:5151
FANOUT=66	# QPs of sib0 attached to G: 2 more than one packet reaches
trap 'rmmod rb_test_mcast 2>/dev/null; rmmod rdma_sib 2>/dev/null' EXIT

# received_sum: what a and the fan-out QPs received, together.
received_sum() { awk '$1 == "qp" && ($2 == "a" || $2 ~ /^f/) { for (i = 3; i < NF; i++) if ($i == "received") s += $(i + 1) } END { print s + 0 }' $RBT_STATE; }
port() { sib_port_counter "$1" "$2"; }

# received_ge N: a and the fan-out QPs received N or more, together.
received_ge() { [ "$(received_sum)" -ge "$1" ]; }

ktap_plan 17
modprobe rdma_sib num_hcas=2 && modprobe rb_test_mcast &&
	rbt join sib0 1 $G 1 && rbt qp a sib0 1 0 && rbt qp b sib1 1 0
rc=$?
ktap_check "rdma_sib with two HCAs; rb_test_mcast: a on sib0 (group joined), b on sib1" $rc
[ $rc -eq 0 ] || ktap_finish

# The MTU. b's receive buffers hold 64 bytes: a packet that reaches it
# completes with a length error (drop_recv_too_small on sib1).
l0=$(port sib1 drop_recv_too_small)
rbt post a b 4096
[ "$(rbt_qpval a last_post)" = 0 ] && [ "$(port sib1 drop_recv_too_small)" = $((l0 + 1)) ]
ktap_check "a 4096-byte unicast send (the MTU) is accepted and reaches sib1" $?

# What reaches b shows in b's receives and sib1's drop_recv_too_small;
# sib1's rx_pkts would also count MADs to its QP1 (ib_sa's ClassPortInfo
# query after the port came up is answered whenever a slow kernel gets to
# it), so it says nothing about b.
m0=$(port sib0 drop_mtu_exceeded) l0=$(port sib1 drop_recv_too_small)
b0=$(rbt_qpval b received)
rbt post a b 4097 2> /dev/null
p=$(rbt_qpval a last_post) m1=$(port sib0 drop_mtu_exceeded)
l1=$(port sib1 drop_recv_too_small) b1=$(rbt_qpval b received)
ktap_diag "4097 bytes unicast: post $p; sib0 drop_mtu_exceeded $m0 -> $m1; b received $b0 -> $b1, sib1 drop_recv_too_small $l0 -> $l1"
[ "$p" = -22 ]
ktap_check "a 4097-byte unicast send is refused by ib_post_send() with -EINVAL" $?
[ "$m1" = $((m0 + 1)) ]
ktap_check "... and counted as drop_mtu_exceeded on sib0" $?
[ "$b1" = "$b0" ] && [ "$l1" = "$l0" ]
ktap_check "... and nothing of it reaches b on sib1" $?

m0=$(port sib0 drop_mtu_exceeded)
rbt post a $G 4097 2> /dev/null
p=$(rbt_qpval a last_post) m1=$(port sib0 drop_mtu_exceeded)
ktap_diag "4097 bytes multicast: post $p; sib0 drop_mtu_exceeded $m0 -> $m1"
[ "$p" = -22 ] && [ "$m1" = $((m0 + 1)) ]
ktap_check "a 4097-byte multicast send is refused with -EINVAL, counted on sib0" $?

# LSO: l on sib0 is made for it (IB_QP_CREATE_IPOIB_UD_LSO), a is not.
m0=$(port sib0 drop_mtu_exceeded) b0=$(rbt_qpval b received)
rbt qp l sib0 1 2 && rbt post l b 2000 badlso 2> /dev/null
pl=$(rbt_qpval l last_post)
rbt post a b 2000 badlso 2> /dev/null
pa=$(rbt_qpval a last_post) m1=$(port sib0 drop_mtu_exceeded) b1=$(rbt_qpval b received)
ktap_diag "malformed LSO: post on l (LSO) $pl, on a $pa; sib0 drop_mtu_exceeded $m0 -> $m1; b received $b0 -> $b1"
[ "$pl" = -22 ] && [ "$pa" = -22 ] && [ "$m1" = $((m0 + 1)) ] && [ "$b1" = "$b0" ]
ktap_check "IB_WR_LSO with headers not IPoIB + IPv4 + TCP: -EINVAL, counted once; on a QP without LSO: -EINVAL" $?

# Fan-out: a and 65 more QPs of sib0 attached to G, one packet from a.
rc=0
rbt attach a $G || rc=1
for i in $(seq $((FANOUT - 1))); do
	rbt qp "f$i" sib0 1 0 && rbt attach "f$i" $G || rc=1
done
t0=$(port sib0 drop_fanout_truncated) s0=$(received_sum)
rbt send a $G 1 || rc=1
slowwait 5 received_ge $((s0 + 64))
sleep 0.5
t1=$(port sib0 drop_fanout_truncated) s1=$(received_sum)
ktap_diag "one packet to $FANOUT attached QPs: received $((s1 - s0)), sib0 drop_fanout_truncated '$t0' -> '$t1'"
[ $rc -eq 0 ] && [ -n "$t0" ] && [ "$t1" = $((t0 + FANOUT - 64)) ] && [ $((s1 - s0)) -eq 64 ]
ktap_check "multicast to $FANOUT attached QPs: 64 copies delivered, $((FANOUT - 64)) counted as drop_fanout_truncated" $?
for i in $(seq $((FANOUT - 1))); do rbt destroy "f$i"; done

# The send queue (64 deep), filled while the switch is held (a link
# starved of credits), so that no send completes during the burst.
s0=$(rbt_qpval a sent)
H=/sys/kernel/debug/rdma_sib/hold
echo 1 > $H && rbt burst a b 200
ok=$(rbt_qpval a burst_ok) enomem=$(rbt_qpval a burst_enomem) held=$(cat $H)
echo 0 > $H
ktap_diag "burst of 200 on a send queue of 64, switch held ($held): $ok accepted, $enomem refused with -ENOMEM"
[ "$held" = 1 ] && [ "$ok" = 64 ] && [ "$enomem" = 136 ]
ktap_check "200 sends posted back to back on a 64-deep send queue: 64 accepted, the 136 past a full queue refused with -ENOMEM" $?
rbt post a b 64
[ "$(rbt_qpval a sent)" = $((s0 + ok + 1)) ] && [ "$(rbt_qpval a send_errors)" = 0 ] &&
	[ "$(rbt_qpval a last_post)" = 0 ]
ktap_check "the slots come back: every accepted send completed, the next one is accepted" $?

# CQ overflow: a CQ of 4 entries nobody polls gets 8 receives.
rc=0
rbt rawqp o sib1 1 4 || rc=1
for i in $(seq 8); do rbt post a o 64 || rc=1; done
e=$(rbt_qpval o cq_err)
ktap_diag "8 receives on a CQ of 4 entries: $e IB_EVENT_CQ_ERR"
[ $rc -eq 0 ] && [ "$e" = 1 ]
ktap_check "a CQ that overflows raises IB_EVENT_CQ_ERR to its event handler, once" $?

# Immediate data.
i0=$(rbt_qpval b received_imm)
rbt post a b 64 imm=0x12345678
rbt_wait_qpval b received_imm $((i0 + 1))
i1=$(rbt_qpval b received_imm) v=$(rbt_qpval b last_imm)
[ "$i1" = $((i0 + 1)) ] && [ "$v" = 0x12345678 ]
ktap_check "SEND_WITH_IMM: the receive completes with IB_WC_WITH_IMM and immediate data 0x12345678 ($((i1 - i0)) with it, last $v)" $?
r0=$(rbt_qpval b received) i0=$(rbt_qpval b received_imm)
rbt post a b 64
rbt_wait_qpval b received $((r0 + 1)) && [ "$(rbt_qpval b received_imm)" = "$i0" ]
ktap_check "a plain send's receive has no IB_WC_WITH_IMM" $?

# Solicited events, on a CQ nobody polls: n counts its completion events.
rbt rawqp n sib1 1 64 && rbt arm n next && rbt post a n 64
[ "$(rbt_qpval n cq_notify)" = 1 ]
ktap_check "a CQ armed for the next completion: a receive fires its event" $?
rbt arm n solicited && rbt post a n 64 && rbt post a n 64 imm=1
v=$(rbt_qpval n cq_notify)
[ "$v" = 1 ]
ktap_check "armed with IB_CQ_SOLICITED: receives of a plain send and of one with immediate data fire nothing ($((v - 1)) events)" $?
rbt post a n 64 solicited
v=$(rbt_qpval n cq_notify)
[ "$v" = 2 ]
ktap_check "armed with IB_CQ_SOLICITED: a receive whose sender set IB_SEND_SOLICITED fires the event ($((v - 1)) events)" $?

ktap_run "modules unload" rmmod rb_test_mcast rdma_sib
ktap_finish
