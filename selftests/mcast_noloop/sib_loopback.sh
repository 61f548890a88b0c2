#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_mcast_noloop's effect on an IB device that can block (rdma_sib), with
# kernel UD QPs of rb_test_mcast: sender A and receiver B on sib0, receiver
# C on sib1, all attached to one group.
#  - no rule: A receives its own 10 packets, B and C receive 10 each;
#  - "block dev=sib0 creator=kernel": a new A is flagged, receives none of
#    its own, while B and C still receive all 10 (nothing lost);
#  - "block dev=sib0 creator=user": kernel QPs are not matched;
#  - IPoIB keeps working with a block rule for every kernel QP;
#  - rdma_sib with hide_block_lb=1: the same rule is refused.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/rbt.sh"

ktap_need_modules rdma_sib rdma_mcast_noloop rb_test_mcast
R=/sys/kernel/rdma_mcast_noloop/rules
D=/sys/kernel/rdma_mcast_noloop/devices
G=ff12:601b:ffff:0000:0000:0000:0000:4242
trap 'rmmod rb_test_mcast rdma_mcast_noloop 2>/dev/null; sib_cleanup' EXIT

# round: fresh QPs a (sender, sib0), b (sib0), c (sib1); a sends 10.
round()
{
	local q
	for q in a b c; do rbt destroy $q 2>/dev/null; done
	rbt qp a sib0 1 0 && rbt qp b sib0 1 0 && rbt qp c sib1 1 0 || return 1
	for q in a b; do rbt attach $q $G || return 1; done
	rbt attach c $G || return 1
	rbt send a $G 10 || return 1
	sleep 1
}

ktap_plan 7
modprobe rdma_sib && modprobe rdma_mcast_noloop && modprobe rb_test_mcast &&
	rbt join sib0 1 $G 1 && rbt join sib1 1 $G 1
ktap_check "group joined on both ports" $?
grep -q "^join .* status 0 " $RBT_STATE || ktap_diag "$(cat $RBT_STATE)"

round
a=$(rbt_qpval a self) b=$(rbt_qpval b received) c=$(rbt_qpval c received)
ktap_diag "no rule: a self $a, b $b, c $c"
[ "$a" = 10 ] && [ "$b" = 10 ] && [ "$c" = 10 ]
ktap_check "no rule: the sender receives its own 10, b and c 10 each" $?

echo "block dev=sib0 creator=kernel" > $R
f0=$(state_get $D/sib0/flagged)
round
a=$(rbt_qpval a self) b=$(rbt_qpval b received) c=$(rbt_qpval c received)
ktap_diag "block: a self $a, b $b, c $c; flagged on sib0 $f0 -> $(state_get $D/sib0/flagged); a sent $(rbt_qpval a sent)"
[ "$a" = 0 ] && [ "$b" = 10 ] && [ "$c" = 10 ] && [ "$(state_get $D/sib0/flagged)" -gt "$f0" ]
ktap_check "block dev=sib0 creator=kernel: a gets none of its own, b and c all 10" $?

echo "block dev=sib0 creator=user" > $R
round
a=$(rbt_qpval a self)
[ "$a" = 10 ]
ktap_check "block creator=user leaves kernel QPs alone (a self $a)" $?

rbt destroy a; rbt destroy b; rbt destroy c
rmmod rb_test_mcast
echo "block dev=* creator=kernel" > $R
modprobe ib_ipoib
ip link set ib0 netns a 2>/dev/null; ip netns add a 2>/dev/null; ip netns add b
ip link set ib0 netns a; ip link set ib1 netns b
ip -n a addr add $SIB_IP_A/24 dev ib0; ip -n b addr add $SIB_IP_B/24 dev ib1
ip -n a link set ib0 up; ip -n b link set ib1 up
sib_wait_carrier a ib0 && sib_wait_carrier b ib1 &&
	ip netns exec a ping -c 3 -W 5 $SIB_IP_B > /dev/null
ktap_check "IPoIB works with a block rule for every kernel QP" $?

sib_cleanup
rmmod rdma_mcast_noloop
modprobe rdma_sib hide_block_lb=1 && modprobe rdma_mcast_noloop
if echo "block dev=sib0" > $R 2>/dev/null; then
	ktap_fail "rdma_sib without the capability: block rule refused"
else
	[ "$(state_get $D/sib0/can_block)" = no ]
	ktap_check "rdma_sib without the capability: block rule refused" $?
fi
ktap_run "modules unload" rmmod rdma_mcast_noloop rdma_sib
ktap_finish
