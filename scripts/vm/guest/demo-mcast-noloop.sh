#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make run: rdma_mcast_noloop on two soft-RoCE devices.
modinfo rdma_mcast_noloop > /dev/null 2>&1 || exit 0
. /selftests/lib/rxe.sh 2>/dev/null || exit 0
echo "=== rdma_mcast_noloop: multicast loopback blocking as host policy"
rxe_pair_setup || { echo "rxe setup failed"; exit 0; }
modprobe rdma_mcast_noloop
R=/sys/kernel/rdma_mcast_noloop/rules
echo "\$ grep . /sys/kernel/rdma_mcast_noloop/hooks/*    (what is covered on this kernel)"
grep . /sys/kernel/rdma_mcast_noloop/hooks/*
echo "\$ echo 'block dev=rxe0' > $R      (stock rxe cannot block: refused)"
echo 'block dev=rxe0' > $R
dmesg | grep 'rules:' | tail -n 1
echo "\$ echo 'block dev=* creator=user' > $R"
echo 'block dev=* creator=user' > $R
cat $R
g0=$(rxe_gid_index rxe0 $RXE_IP0)
g1=$(rxe_gid_index rxe1 $RXE_IP1)
ibv_ud_pingpong -d rxe1 -g "$g1" -n 10 > /dev/null 2>&1 &
sleep 0.5
ibv_ud_pingpong -d rxe0 -g "$g0" -n 10 $RXE_IP1 | tail -n 1
wait
echo "\$ grep . /sys/kernel/rdma_mcast_noloop/devices/rxe0/*    (one value per file)"
grep . /sys/kernel/rdma_mcast_noloop/devices/rxe0/*
rmmod rdma_mcast_noloop
rxe_pair_cleanup
