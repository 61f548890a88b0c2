#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_rxe with the patch queue applied (bin/rdma_rxe.ko from host-prepare):
# IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK blocks the sender's own QP only.
# rdma-core's rxe provider still refuses the flag before the kernel sees it
# (checked first); the checks of the kernel's behaviour run with
# bin/rxe_flags_shim.so standing in for the provider's companion change.
#  - mckey -l works, and its receiver on the sender's device still gets
#    every message (the flag is "self only", as mlx5's block_lb_mc);
#  - a flagged sender's QP receives none of its sends, while another QP of
#    its device and a QP of rxe1 receive all, flagged or not, also when the
#    rxe1 QP has the sender's QP number;
#  - without the flag nothing changed: the sender's QP gets its sends back;
#  - the flag is still refused on an RC QP;
#  - ib_query_qp() reports it on a kernel QP (rb_test_mcast): only kernel
#    users can see it, ib_uverbs' query-QP response has no create flags;
#  - plain UD and RC traffic (ibv_ud_pingpong, rping) still work.
. "$(dirname "$0")/common.sh"

[ -e "$BIN/rdma_rxe.ko" ] || ktap_skip_all "$RXE_KO_MISSING"
[ -x "$BIN/mcast_lb" ] && [ -e "$BIN/rxe_flags_shim.so" ] ||
	ktap_skip_all "no bin/mcast_lb or bin/rxe_flags_shim.so (host-prepare did not run)"

trap 'rmmod rb_test_mcast 2>/dev/null; rxe_unload' EXIT
ktap_plan 12
if rxe_load_patched 2> /tmp/load.err; then
	ktap_diag "rdma_rxe taint: $(cat /sys/module/rdma_rxe/taint) (out of tree)"
	ktap_pass "the patched rdma_rxe is loaded"
else
	ktap_diag "$(cat /tmp/load.err)"
	ktap_fail "the patched rdma_rxe is loaded"
	ktap_finish
fi
ktap_run "rxe0 and rxe1 on a veth pair" rxe_pair_setup

lb -b $RXE_IP0 $RXE_IP1
if [ "$LB_RC" -eq 2 ] && grep -q '^create-qp .* block=1 errno=95 ' /tmp/lb.out; then
	ktap_pass "without the shim, rdma-core's rxe provider still refuses the flag (EOPNOTSUPP)"
else
	ktap_diag "mcast_lb exit $LB_RC: $(cat /tmp/lb.out)"
	ktap_diag "if the provider now passes the flag, bin/rxe_flags_shim.so is no longer needed"
	ktap_fail "without the shim, rdma-core's rxe provider still refuses the flag (EOPNOTSUPP)"
fi

SHIM=1
mckey_fanout "mckey -l: receivers on rxe0 (the sender's device) and rxe1 get $N of $N" "-l"

lb -b $RXE_IP0 $RXE_IP0 $RXE_IP1
lb_expect "flagged sender: own QP 0, other rxe0 QP $N, rxe1 QP $N" 0 $N $N

lb -b -B -q $RXE_IP0 $RXE_IP0 $RXE_IP1
q0=$(lb_val 0 qpn)
q2=$(lb_val 2 qpn)
ktap_diag "sender QPN $q0, rxe1 receiver QPN $q2$([ "$q0" = "$q2" ] && echo ' (the same)')"
lb_expect "all flagged: own QP 0, other rxe0 QP $N, rxe1 QP $N" 0 $N $N
if [ -n "$q0" ] && [ "$q0" = "$q2" ] && [ "$(lb_val 2 from_sender)" = $N ]; then
	ktap_pass "a flagged rxe1 QP with the sender's QPN still receives $N"
else
	ktap_skip "a flagged rxe1 QP with the sender's QPN still receives $N" \
		"could not give the rxe1 QP the sender's QPN ($q0 vs $q2)"
fi

lb $RXE_IP0 $RXE_IP0 $RXE_IP1
lb_expect "unflagged sender (unchanged): own QP $N, other rxe0 QP $N, rxe1 QP $N" $N $N $N

preload timeout 60 "$BIN/mcast_lb" -r $RXE_IP0 > /tmp/lb.out 2>&1
rc=$?
# ib_uverbs refuses the flag on an RC QP itself (EINVAL) before rxe would
# (EOPNOTSUPP); either way the QP is not created.
if [ $rc -eq 2 ] && grep -qE '^create-qp .*type=rc block=1 errno=(22|95) ' /tmp/lb.out; then
	ktap_diag "$(cat /tmp/lb.out)"
	ktap_pass "RC QP with the flag: refused"
else
	ktap_diag "mcast_lb -r exit $rc: $(cat /tmp/lb.out)"
	ktap_fail "RC QP with the flag: refused"
fi
SHIM=0

# What a kernel user reads back: ib_query_qp() right after creation, for a
# flagged and an unflagged UD QP of rb_test_mcast.
name="ib_query_qp(): create_flags 0x2 on a flagged kernel UD QP, 0x0 without"
if modprobe rb_test_mcast 2> /tmp/rbt.err; then
	C=/sys/kernel/debug/rb_test_mcast/cmd
	S=/sys/kernel/debug/rb_test_mcast/state
	rc=0
	echo "qp kf rxe0 1 1" > $C || rc=1
	echo "qp ku rxe0 1 0" > $C || rc=1
	qf=$(awk '$1 == "qp" && $2 == "kf" { for (i = 3; i < NF; i++) if ($i == "create_flags") print $(i + 1) }' $S)
	qu=$(awk '$1 == "qp" && $2 == "ku" { for (i = 3; i < NF; i++) if ($i == "create_flags") print $(i + 1) }' $S)
	ktap_diag "$(grep '^qp k' $S | sed 's/ sent .* query_qp/ ... query_qp/')"
	echo "destroy kf" > $C
	echo "destroy ku" > $C
	rmmod rb_test_mcast
	[ $rc -eq 0 ] && [ "$qf" = 0x2 ] && [ "$qu" = 0x0 ]
	ktap_check "$name" $?
else
	ktap_skip "$name" "no rb_test_mcast: $(cat /tmp/rbt.err)"
fi

# Plain traffic on the patched module.
g0=$(rxe_gid_index rxe0 $RXE_IP0)
g1=$(rxe_gid_index rxe1 $RXE_IP1)
timeout 60 ibv_ud_pingpong -d rxe1 -g "$g1" -n 100 > /tmp/ud_srv.log 2>&1 &
srv=$!
sleep 1
timeout 60 ibv_ud_pingpong -d rxe0 -g "$g0" -n 100 $RXE_IP1 > /tmp/ud_cli.log 2>&1
cli=$?
wait $srv
srvrc=$?
if [ $cli -eq 0 ] && [ $srvrc -eq 0 ] && grep -q '100 iters' /tmp/ud_cli.log; then
	ktap_pass "ibv_ud_pingpong: 100 iterations"
else
	ktap_diag "client exit $cli, server exit $srvrc"
	ktap_diag "$(cat /tmp/ud_cli.log /tmp/ud_srv.log)"
	ktap_fail "ibv_ud_pingpong: 100 iterations"
fi

timeout 60 rping -s -a $RXE_IP1 -C 10 -V > /tmp/rping_srv.log 2>&1 &
srv=$!
sleep 1
timeout 60 rping -c -I $RXE_IP0 -a $RXE_IP1 -C 10 -V -v > /tmp/rping_cli.log 2>&1
cli=$?
wait $srv
srvrc=$?
pings=$(grep -c 'ping data' /tmp/rping_cli.log)
if [ $cli -eq 0 ] && [ $srvrc -eq 0 ] && [ "$pings" -eq 10 ]; then
	ktap_pass "rping: 10 verified exchanges"
else
	ktap_diag "client exit $cli, server exit $srvrc, $pings ping lines"
	ktap_diag "$(cat /tmp/rping_cli.log /tmp/rping_srv.log)"
	ktap_fail "rping: 10 verified exchanges"
fi
ktap_finish
