#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_sib's RC QPs do what an RC requester and responder do, shown with
# kernel RC QPs of rb_test_mcast connected by hand (the first of each pair
# on sib0, the second on sib1; receives of 104 bytes unless said
# otherwise; completion statuses as enum ib_wc_status numbers them):
#  - a send reaches the connected QP, with immediate data when asked, and
#    completes with success (0);
#  - no receive posted: the send completes with IB_WC_RNR_RETRY_EXC_ERR
#    (13), counted as drop_no_recv; its QP is then in error, and a send
#    posted to it is accepted and completes with IB_WC_WR_FLUSH_ERR (5);
#  - a message larger than the receive (4097 bytes: past the MTU, which
#    only UD is held to): accepted, the sender gets IB_WC_REM_INV_REQ_ERR
#    (9), the receiver IB_WC_LOC_LEN_ERR (1), counted as
#    drop_recv_too_small;
#  - the peer QP destroyed, or connected to another QP: IB_WC_RETRY_EXC_ERR
#    (12), counted as drop_no_qp;
#  - everything unloads.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/rbt.sh"

ktap_need_modules rdma_sib rb_test_mcast
trap 'rmmod rb_test_mcast 2>/dev/null; rmmod rdma_sib 2>/dev/null' EXIT

port() { sib_port_counter "$1" "$2"; }
# pair A B NRECV-A NRECV-B [LEN-B]: RC QPs A on sib0 and B on sib1,
# connected to each other.
pair()
{
	rbt rcqp "$1" sib0 1 "$3" 104 && rbt rcqp "$2" sib1 1 "$4" "${5:-104}" &&
		rbt connect "$1" "$2" && rbt connect "$2" "$1"
}

ktap_plan 10
modprobe rdma_sib num_hcas=2 && modprobe rb_test_mcast && pair a b 4 4
rc=$?
ktap_check "rdma_sib with two HCAs; RC QPs a (sib0) and b (sib1) connected" $rc
[ $rc -eq 0 ] || ktap_finish

rbt post a - 100 && rbt_wait_qpval b received 1 && rbt_qpval_is a send_status 0 && rbt_qpval_is a sent 1
ktap_check "a -> b: 100 bytes received, the send completed with success" $?
rbt post b - 64 imm=0x5150 && rbt_wait_qpval a received_imm 1 && rbt_qpval_is a last_imm 0x5150
ktap_check "b -> a with immediate data: received with it" $?

pair c d 0 0
r0=$(port sib1 drop_no_recv)
rbt post c - 50
ktap_diag "c: last_post $(rbt_qpval c last_post) send_status $(rbt_qpval c send_status); sib1 drop_no_recv $r0 -> $(port sib1 drop_no_recv)"
rbt_qpval_is c last_post 0 && rbt_wait_qpval c send_status 13 && [ "$(port sib1 drop_no_recv)" = $((r0 + 1)) ]
ktap_check "no receive posted at d: IB_WC_RNR_RETRY_EXC_ERR, drop_no_recv" $?
rbt post c - 50
rbt_qpval_is c last_post 0 && rbt_wait_qpval c send_status 5 && rbt_qpval_is c send_errors 2
ktap_check "c is in error: a send posted to it completes with IB_WC_WR_FLUSH_ERR" $?

pair e f 0 1 16
l0=$(port sib1 drop_recv_too_small)
rbt post e - 4097
ktap_diag "e: last_post $(rbt_qpval e last_post) send_status $(rbt_qpval e send_status); f: recv_errors $(rbt_qpval f recv_errors) recv_status $(rbt_qpval f recv_status)"
rbt_qpval_is e last_post 0 && rbt_wait_qpval e send_status 9 && rbt_wait_qpval f recv_status 1 &&
	[ "$(port sib1 drop_recv_too_small)" = $((l0 + 1)) ]
ktap_check "4097 bytes to f's 16-byte receive: sender IB_WC_REM_INV_REQ_ERR, receiver IB_WC_LOC_LEN_ERR" $?

pair g h 0 1
q0=$(port sib1 drop_no_qp)
rbt destroy h && rbt post g - 10
rbt_qpval_is g last_post 0 && rbt_wait_qpval g send_status 12 && [ "$(port sib1 drop_no_qp)" = $((q0 + 1)) ]
ktap_check "peer destroyed: IB_WC_RETRY_EXC_ERR, drop_no_qp" $?
# k is connected to b, but b to a: k's send is not for b.
rbt rcqp k sib0 1 0 104 && rbt connect k b && rbt post k - 10 && rbt_wait_qpval k send_status 12 &&
	rbt_qpval_is b received 1
ktap_check "to a QP connected to another: IB_WC_RETRY_EXC_ERR, nothing received" $?

# a and b are still fine.
rbt post a - 20 && rbt_wait_qpval b received 2
ktap_check "a -> b still works" $?

for q in a b c d e f g k; do
	rbt destroy $q || break
done && rmmod rb_test_mcast && rmmod rdma_sib
ktap_check "QPs destroyed, rb_test_mcast and rdma_sib unload" $?
ktap_finish
