#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# RDMA sanity on the distribution's own stack: two soft-RoCE devices on a
# veth pair pass UD traffic (ibv_ud_pingpong, libibverbs) and a connected
# rdma_cm exchange (rping, librdmacm). Proves the VM's RDMA user space and
# the base every RoCE test builds on.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/rxe.sh"

# (rdma_rxe.ko, or .ko.xz where the distribution compresses modules: Debian 13)
compgen -G "/lib/modules/$(uname -r)/kernel/drivers/infiniband/sw/rxe/rdma_rxe.ko*" > /dev/null ||
	ktap_skip_all "this kernel has no rdma_rxe module"

trap rxe_pair_cleanup EXIT
ktap_plan 5
ktap_run "two rxe devices on a veth pair" rxe_pair_setup
ktap_run "ibv_devices lists rxe0 and rxe1" \
	sh -c 'ibv_devices | grep -q rxe0 && ibv_devices | grep -q rxe1'

g0=$(rxe_gid_index rxe0 $RXE_IP0)
g1=$(rxe_gid_index rxe1 $RXE_IP1)
ktap_diag "GID index: rxe0 $g0, rxe1 $g1"

# ibv_ud_pingpong: 100 round trips of 2048 bytes over UD.
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

# rping: 10 verified RDMA read/write/send exchanges over an RC connection.
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

# The traffic really crossed the veth (not the loopback).
tx=$(cat /sys/class/net/veth0/statistics/tx_packets)
# At least the 100 UD sends of rxe0; through lo it would be ~0.
if [ "$tx" -ge 100 ]; then
	ktap_pass "traffic crossed the veth ($tx packets out of veth0)"
else
	ktap_fail "traffic crossed the veth ($tx packets out of veth0)"
fi
ktap_finish
