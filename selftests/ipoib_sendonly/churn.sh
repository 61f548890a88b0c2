#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ipoib_sendonly loaded and unloaded 50 times (RB_CYCLES) while IPoIB on rdma_sib (SA
# legacy) keeps making send-only joins to new groups: every rmmod works,
# the kernel log stays clean (the harness checks it), IPoIB still works
# afterwards, and once IPoIB is gone the SA holds no membership of the
# sender's port: every join made with or without the module was left with
# the JoinState it was made with.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
ktap_have_module ipoib_sendonly || ktap_skip_all "ipoib_sendonly was not built"
CYCLES=${RB_CYCLES:-50}
trap 'rm -f /tmp/churn.run; wait; rmmod ipoib_sendonly 2>/dev/null; sib_cleanup' EXIT

# sender: send-only traffic to 239.20.0.1 ... 239.20.0.40, round robin,
# until /tmp/churn.run goes; prints how many datagrams it sent.
sender()
{
	local i=0
	while [ -e /tmp/churn.run ]; do
		echo x | ip netns exec a socat -u - \
			UDP4-DATAGRAM:239.20.0.$((i % 40 + 1)):5000,ip-multicast-if=$SIB_IP_A 2> /dev/null
		i=$((i + 1))
	done
	echo $i > /tmp/churn.sent
}

ktap_plan 6
ktap_run "rdma_sib (SA legacy) and IPoIB up" sib_setup sa_mode=legacy
touch /tmp/churn.run
sender &
fail=0
for i in $(seq "$CYCLES"); do
	modprobe ipoib_sendonly || { fail=$i; break; }
	sleep 0.$((RANDOM % 5))
	rmmod ipoib_sendonly || { fail=$i; break; }
done
rm -f /tmp/churn.run
wait
ktap_diag "datagrams sent during the cycles: $(cat /tmp/churn.sent 2>/dev/null)"
why=
[ $fail -eq 0 ] || why=" (cycle $fail failed)"
[ $fail -eq 0 ]
ktap_check "$CYCLES load/unload cycles during send-only traffic$why" $?
ktap_run "unicast over IPoIB still works" ip netns exec a ping -c 2 -W 5 $SIB_IP_B
gid=$(sib_port_gid sib0)
n=$(grep -c "member $gid " $SIB_D/groups)
ktap_diag "sib0 memberships with IPoIB up: $n"
ip netns del a
ip netns del b
rmmod ib_ipoib
ktap_check "ib_ipoib unloads" $?
left=$(grep -c "member $gid " $SIB_D/groups)
[ "$left" -eq 0 ]
ktap_check "no SA membership of sib0 left once IPoIB is gone ($left)" $?
ktap_run "rdma_sib unloads" rmmod rdma_sib
ktap_finish
