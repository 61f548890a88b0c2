#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_mcast_noloop on the patched rdma_rxe (bin/rdma_rxe.ko), with
# user-space QPs (bin/mcast_lb, libibverbs and librdmacm, no shim: the
# application asks for nothing, the module adds the flag in the kernel, so
# rdma-core's provider never sees it):
#  - no rule: the sender's own QP gets its multicast back;
#  - "block dev=rxe0 creator=user": it does not, while another QP of rxe0
#    and a QP of rxe1 get every packet; the device counters show the QPs
#    flagged;
#  - scoping: creator=kernel leaves user QPs alone; uid=1000 flags the QPs
#    of a process running as uid 1000 and not those of root;
#  - rxe0 is listed as able to block (it refuses rules while stock).
. "$(dirname "$0")/common.sh"

[ -e "$BIN/rdma_rxe.ko" ] || ktap_skip_all "$RXE_KO_MISSING"
[ -x "$BIN/mcast_lb" ] || ktap_skip_all "no bin/mcast_lb (host-prepare did not run)"
ktap_have_module rdma_mcast_noloop || ktap_skip_all "rdma_mcast_noloop was not built"
R=/sys/kernel/rdma_mcast_noloop/rules
D=/sys/kernel/rdma_mcast_noloop/devices
trap 'rmmod rdma_mcast_noloop 2>/dev/null; rxe_unload' EXIT

# setrules TEXT: the whole rule set in one write().
setrules()
{
	printf '%s\n' "$1" > /tmp/rules
	dd if=/tmp/rules of=$R bs=64k 2>/dev/null
}

# as_uid UID CMD...: CMD with real and effective uid and gid UID.
as_uid()
{
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --clear-groups "$@"
}

ktap_plan 8
rxe_load_patched 2> /tmp/load.err && rxe_pair_setup && modprobe rdma_mcast_noloop
rc=$?
[ $rc -eq 0 ] || ktap_diag "$(cat /tmp/load.err)"
ktap_check "patched rdma_rxe, rxe0 and rxe1, rdma_mcast_noloop loaded" $rc
[ $rc -eq 0 ] || ktap_finish
[ "$(state_get $D/rxe0/can_block)" = yes ]
rc=$?
ktap_check "rxe0 can block ($(state_get $D/rxe0/can_block))" $rc

lb $RXE_IP0 $RXE_IP0 $RXE_IP1
lb_expect "no rule: own QP $N, other rxe0 QP $N, rxe1 QP $N" $N $N $N

f0=$(state_get $D/rxe0/flagged)
setrules "block dev=rxe0 creator=user"
lb $RXE_IP0 $RXE_IP0 $RXE_IP1
f1=$(state_get $D/rxe0/flagged)
ktap_diag "rxe0 QPs flagged: $f0 -> $f1"
lb_expect "block dev=rxe0 creator=user: own QP 0, other rxe0 QP $N, rxe1 QP $N" 0 $N $N
[ "$((f1 - f0))" -ge 2 ]
ktap_check "both rxe0 QPs were flagged, counted per device ($((f1 - f0)))" $?

setrules "block dev=rxe0 creator=kernel"
lb $RXE_IP0 $RXE_IP1
lb_expect "block creator=kernel leaves user QPs alone: own QP $N, rxe1 QP $N" $N $N

setrules "block dev=rxe0 creator=user uid=1000"
lb $RXE_IP0 $RXE_IP1
lb_expect "uid=1000 rule, process of root: own QP $N, rxe1 QP $N" $N $N
LB_RC=0
as_uid 1000 timeout 120 "$BIN/mcast_lb" -n $N -m $GROUP $RXE_IP0 $RXE_IP1 > /tmp/lb.out 2>&1 || LB_RC=$?
lb_expect "uid=1000 rule, process of uid 1000: own QP 0, rxe1 QP $N" 0 $N

setrules clear
ktap_finish
