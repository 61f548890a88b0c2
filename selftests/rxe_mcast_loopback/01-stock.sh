#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The distribution's rdma_rxe, before the patch queue's "RDMA/rxe: support
# IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK": what users see today, and the
# behaviour the patch's commit message records.
#  - mckey -l fails at QP creation, receiver and sender alike;
#  - without -l, a receiver on the sender's device gets the sender's
#    messages through the IP layer's multicast loopback, as does rxe1;
#  - who receives, counted by bin/mcast_lb (the sender's QP posts receives
#    too): as a full member the sender's own QP gets all its sends back,
#    as a send-only member (no IP membership, no attachment) none;
#  - the verbs flag is refused with EOPNOTSUPP: by rdma-core's rxe provider
#    first, and, when bin/rxe_flags_shim.so carries it past the provider,
#    by the kernel's rxe_create_qp() as well.
. "$(dirname "$0")/common.sh"

# (rdma_rxe.ko, or .ko.xz where the distribution compresses modules: Debian 13)
compgen -G "/lib/modules/$(uname -r)/kernel/drivers/infiniband/sw/rxe/rdma_rxe.ko*" > /dev/null ||
	ktap_skip_all "this kernel has no rdma_rxe module"
[ -x "$BIN/mcast_lb" ] && [ -e "$BIN/rxe_flags_shim.so" ] ||
	ktap_skip_all "no bin/mcast_lb or bin/rxe_flags_shim.so (host-prepare did not run)"

trap rxe_unload EXIT
ktap_plan 9
ktap_run "the distribution's rdma_rxe is loaded" rxe_load_stock
ktap_run "rxe0 and rxe1 on a veth pair" rxe_pair_setup

# 1. mckey -l: the error users get.
err="mckey: unable to create QP: Operation not supported"
timeout 60 mckey -l -m $GROUP -b $RXE_IP1 -C $N > /tmp/mk_r.log 2>&1
rcr=$?
timeout 60 mckey -l -s -m $GROUP -b $RXE_IP0 -C $N > /tmp/mk_s.log 2>&1
rcs=$?
if [ $rcr -ne 0 ] && [ $rcs -ne 0 ] &&
   grep -qxF "$err" /tmp/mk_r.log && grep -qxF "$err" /tmp/mk_s.log; then
	ktap_diag "receiver exit $rcr, sender exit $rcs: $err"
	ktap_pass "mckey -l fails at QP creation: Operation not supported"
else
	ktap_diag "receiver exit $rcr, sender exit $rcs"
	ktap_diag "$(cat /tmp/mk_r.log /tmp/mk_s.log)"
	ktap_fail "mckey -l fails at QP creation: Operation not supported"
fi

# 2. mckey without -l: local delivery through the loopback.
mckey_fanout "mckey: receivers on rxe0 (the sender's device, by loopback) and rxe1 get $N of $N" ""

# 3. Who receives, per QP.
lb $RXE_IP0 $RXE_IP0 $RXE_IP1
lb_expect "full member: sender's own QP $N, other rxe0 QP $N, rxe1 QP $N" $N $N $N
lb $RXE_IP0
lb_expect "full member alone: sender's own QP $N" $N
lb -o $RXE_IP0 $RXE_IP0 $RXE_IP1
lb_expect "send-only member: sender's own QP 0, other rxe0 QP $N, rxe1 QP $N" 0 $N $N

# 4. The flag is refused, by the provider and by the kernel.
for SHIM in 0 1; do
	if [ $SHIM = 0 ]; then
		name="UD QP with IBV_QP_CREATE_BLOCK_SELF_MCAST_LB: EOPNOTSUPP (rdma-core's rxe provider)"
	else
		name="the same, flag carried past the provider: EOPNOTSUPP (kernel rxe)"
	fi
	lb -b $RXE_IP0 $RXE_IP1
	if [ "$LB_RC" -eq 2 ] && grep -q '^create-qp .* block=1 errno=95 ' /tmp/lb.out; then
		ktap_diag "$(grep '^create-qp' /tmp/lb.out)"
		ktap_pass "$name"
	else
		ktap_diag "mcast_lb exit $LB_RC: $(cat /tmp/lb.out)"
		ktap_fail "$name"
	fi
done
SHIM=0
ktap_finish
