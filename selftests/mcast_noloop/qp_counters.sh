#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# On a device that cannot block (stock rxe), rules never get in the way: QPs
# are seen and counted per reason, none is flagged, and UD traffic still
# flows. Then 50 load/unload cycles of the module while UD traffic runs.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/rxe.sh"

ktap_have_module rdma_mcast_noloop || ktap_skip_all "rdma_mcast_noloop was not built"
R=/sys/kernel/rdma_mcast_noloop/rules
D=/sys/kernel/rdma_mcast_noloop/devices
trap 'kill $loop 2>/dev/null; rmmod rdma_mcast_noloop 2>/dev/null; rxe_pair_cleanup' EXIT

# pingpong: one ibv_ud_pingpong exchange of N iterations between rxe0/rxe1.
pingpong()
{
	timeout 60 ibv_ud_pingpong -d rxe1 -g "$g1" -n "$1" > /tmp/srv.log 2>&1 &
	local s=$!
	sleep 0.5
	timeout 60 ibv_ud_pingpong -d rxe0 -g "$g0" -n "$1" $RXE_IP1 > /tmp/cli.log 2>&1
	local c=$?
	wait $s
	local srv=$?
	[ $c -eq 0 ] && [ $srv -eq 0 ]
}

ktap_plan 5
ktap_run "two rxe devices" rxe_pair_setup
g0=$(rxe_gid_index rxe0 $RXE_IP0)
g1=$(rxe_gid_index rxe1 $RXE_IP1)
modprobe rdma_mcast_noloop
[ "$(state_get $D/rxe0/can_block)" = no ] && ktap_pass "stock rxe0 listed as unable to block" ||
	ktap_fail "stock rxe0 listed as unable to block ($(grep -r . $D 2>&1 | xargs))"

echo "block dev=* creator=user" > $R
if pingpong 20; then
	seen=$(state_get $D/rxe0/seen) nocap=$(state_get $D/rxe0/skip_no_cap)
	fl=$(state_get $D/rxe0/flagged)
	ktap_diag "rxe0: seen $seen, skipped for no capability $nocap, flagged $fl"
	[ "$seen" -ge 1 ] && [ "$nocap" -eq "$seen" ] && [ "$fl" -eq 0 ]
	ktap_check "block dev=*: user QPs on rxe seen, skipped (no capability), traffic flows" $?
else
	ktap_diag "$(cat /tmp/cli.log /tmp/srv.log)"
	ktap_fail "block dev=*: user QPs on rxe seen, skipped (no capability), traffic flows"
fi

echo "allow dev=rxe1 creator=user" > $R
pingpong 5
a=$(state_get $D/rxe1/skip_allow) n=$(state_get $D/rxe0/skip_no_rule)
[ "$a" -ge 1 ] && [ "$n" -ge 1 ]
ktap_check "allow rule counted on rxe1 ($a), no rule on rxe0 ($n)" $?

# 50 load/unload cycles while UD traffic runs.
( while :; do pingpong 10 > /dev/null 2>&1; done ) &
loop=$!
err=
for i in $(seq 50); do
	modprobe rdma_mcast_noloop || { err="load $i"; break; }
	echo "block dev=* creator=any" > $R || { err="rules $i"; break; }
	rmmod rdma_mcast_noloop || { err="unload $i"; break; }
done
kill $loop; wait $loop 2>/dev/null
kill $(pidof ibv_ud_pingpong) 2>/dev/null
[ -z "$err" ] && ! [ -d /sys/module/rdma_mcast_noloop ] &&
	ktap_pass "50 load/unload cycles during UD traffic" ||
	ktap_fail "50 load/unload cycles during UD traffic ($err)"
ktap_finish
