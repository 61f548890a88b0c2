#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_sib managed by the real OpenSM (sa_mode=opensm: no embedded SM or
# SA), Debian's opensm bound to sib0's port:
#  - before it runs, both ports are INIT with LID 0;
#  - OpenSM sweeps the subnet through the SMAs of the HCAs and the switch
#    and reports SUBNET UP; both ports are then ACTIVE with the LIDs it
#    gave (non-zero, different), their SM LID sib0's;
#  - ibnetdiscover finds the switch and both HCAs at their ports with
#    those LIDs; sminfo finds OpenSM (sib0's GUID) MASTER;
#  - ibroute: the LFT OpenSM programmed sends each HCA's LID out of its
#    port;
#  - OpenSM's SA: saquery lists three NodeRecords;
#  - IPoIB over it: carrier, ping both ways; saquery -m lists both ports
#    as FullMembers of the IPoIB broadcast group OpenSM made; IPv4
#    multicast is delivered by the MFT OpenSM programmed;
#  - perfquery answers by the new LIDs;
#  - hot add: a third HCA comes up ACTIVE with a LID of OpenSM's, and its
#    removal takes it out of OpenSM's SA;
#  - OpenSM restarted: SUBNET UP again, the ports rejoin (client
#    re-register), IPoIB traffic flows;
#  - after OpenSM stops, everything unloads (the harness checks the log).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

command -v opensm > /dev/null || ktap_skip_all "no opensm (Debian's opensm package)"
command -v ibnetdiscover > /dev/null || ktap_skip_all "no ibnetdiscover (infiniband-diags)"
ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
trap 'sib_opensm_stop; sib_cleanup; rmmod ib_umad 2>/dev/null' EXIT

OUT=/tmp/opensm-test.out
P=/sys/class/infiniband

# run CMD ARGS...: CMD from sib1's port into $OUT; its status.
run()
{
	local cmd=$1
	shift
	"$cmd" -C sib1 -P 1 "$@" > $OUT 2>&1
}

show() { ktap_diag "$(head -c 1200 $OUT)"; }
lid() { echo $(($(cat $P/"$1"/ports/1/lid))); }
port_state() { cut -d' ' -f2 < $P/"$1"/ports/1/state; }

ktap_plan 14
modprobe rdma_sib sa_mode=opensm && modprobe ib_umad && modprobe ib_ipoib
ktap_check "rdma_sib (sa_mode=opensm), ib_umad and ib_ipoib loaded" $?
slowwait 5 test -e /dev/infiniband/umad1

before="$(port_state sib0) $(lid sib0), $(port_state sib1) $(lid sib1)"
[ "$before" = "INIT 0, INIT 0" ]
ktap_check "before OpenSM: both ports INIT, LID 0 ($before)" $?

# Light sweeps every 2 s: a hot-added HCA is found soon.
export SIB_OSM_FLAGS="-s 2"
t0=$(date +%s)
sib_opensm_start sib0
rc=$?
ktap_diag "$(grep -o 'OpenSM [0-9.]*' $SIB_OSM_LOG.out | head -1): SUBNET UP after $(($(date +%s) - t0)) s"
[ $rc -eq 0 ] || ktap_diag "$(grep -A2 'ERR' $SIB_OSM_LOG | head -c 3000)"
[ $rc -eq 0 ] || ktap_diag "$(tail -c 1500 $SIB_OSM_LOG)"
ktap_check "OpenSM on sib0: SUBNET UP" $rc
[ $rc -eq 0 ] || ktap_finish

slowwait 10 eval '[ "$(port_state sib0)" = ACTIVE ] && [ "$(port_state sib1)" = ACTIVE ]'
l0=$(lid sib0) l1=$(lid sib1)
[ "$(port_state sib0)" = ACTIVE ] && [ "$(port_state sib1)" = ACTIVE ] &&
	[ "$l0" -gt 0 ] && [ "$l1" -gt 0 ] && [ "$l0" -ne "$l1" ] &&
	[ $(($(cat $P/sib1/ports/1/sm_lid))) -eq "$l0" ]
ktap_check "both ports ACTIVE, LIDs $l0 and $l1 from OpenSM, SM LID $l0" $?

ok=1
run ibnetdiscover || ok=0
[ "$(grep -c '^Switch' $OUT)" -eq 1 ] && [ "$(grep -c '^Ca' $OUT)" -eq 2 ] || ok=0
for i in 0 1; do
	g=$(tr -d : < $P/sib$i/node_guid)
	grep -Eq "^\[$((i + 1))\][[:space:]]+\"H-$g\"\[1\].*lid $(lid sib$i) " $OUT || ok=0
done
[ $ok -eq 1 ] || show
ktap_check "ibnetdiscover: the switch, sib0 and sib1 at ports 1 and 2 with their LIDs" $((1 - ok))

g0=$(tr -d : < $P/sib0/node_guid)
run sminfo && grep -qi "sm lid $l0 sm guid 0x0*${g0#000}, .*SMINFO_MASTER" $OUT
rc=$?
[ $rc -eq 0 ] || show
ktap_check "sminfo: OpenSM at LID $l0 (sib0), MASTER" $rc

run ibroute -D 0,1
ok=$?
for i in 0 1; do
	grep -q "^$(printf '0x%04x %03d ' "$(lid sib$i)" $((i + 1)))" $OUT || ok=1
done
[ $ok -eq 0 ] || show
ktap_check "ibroute: OpenSM's LFT sends LID $l0 out of port 1, $l1 out of port 2" $ok

run saquery && [ "$(grep -c 'NodeRecord dump' $OUT)" -eq 3 ]
rc=$?
[ $rc -eq 0 ] || show
ktap_check "OpenSM's SA: saquery gives 3 NodeRecords" $rc

sib_setup
rc=$?
ip netns exec a ping -c 3 -W 5 $SIB_IP_B > /dev/null &&
	ip netns exec b ping -c 3 -W 5 $SIB_IP_A > /dev/null || rc=1
ktap_check "IPoIB over OpenSM's subnet: carrier, ping both ways" $rc

# OpenSM shows members' PortGIDs to a requester with its SM_Key (1 by
# default) only.
run saquery -m --smkey 1
ok=0
for i in 0 1; do
	gid=$(sib_port_gid sib$i | sed 's/fe80:0000:0000:0000:/fe80::/; s/:0\{1,3\}/:/g')
	n=$(awk -v gid="$gid" '/member dump/ { m = 0; p = 0 }
		/MGID/ && /ff12:401b:ffff::ffff:ffff/ { m = 1 }
		/PortGid/ && $NF ~ "\\.\\." gid "$" { p = 1 }
		/ScopeState/ && m && p && $NF ~ /0x.1$/ { n++ } END { print n + 0 }' $OUT)
	[ "$n" -eq 1 ] && ok=$((ok + 1))
done
[ $ok -eq 2 ] || show
[ $ok -eq 2 ]
ktap_check "saquery -m: both ports FullMembers of OpenSM's IPoIB broadcast group" $?

# A receiver joins 239.1.2.3 through OpenSM's SA, then the sender (a
# send-only join) sends 20 datagrams.
rx=$(sib_mcast_recv_start b $SIB_IP_B 239.1.2.3 /tmp/osm-mc.rx)
sleep 3
sib_mcast_send a $SIB_IP_A 239.1.2.3 20
sleep 2
kill "$rx"
wait "$rx" 2> /dev/null
got=$(wc -l < /tmp/osm-mc.rx)
[ "$got" -ge 15 ]
ktap_check "IPv4 multicast a -> b forwarded by OpenSM's MFT ($got of 20)" $?

perfquery -C sib0 -P 1 "$l1" 1 > $OUT 2>&1 &&
	[ "$(awk -F. '/^PortRcvPkts:/ { print $NF }' $OUT)" -gt 0 ]
rc=$?
[ $rc -eq 0 ] || show
ktap_check "perfquery of sib1 by its LID from OpenSM ($l1)" $rc

# Hot add: the switch reports the new link (PortStateChange), OpenSM's
# next light sweep (every 2 s here) finds it and brings the port up; hot
# remove: the same, and it is gone from OpenSM's SA.
echo 1 > $SIB_D/add_hca
slowwait 60 eval '[ "$(port_state sib2 2>/dev/null)" = ACTIVE ]'
l2=$(lid sib2)
run saquery && n=$(grep -c 'NodeRecord dump' $OUT)
ktap_diag "sib2 added: $(port_state sib2), LID $l2; $n NodeRecords"
[ "$(port_state sib2)" = ACTIVE ] && [ "$l2" -gt 0 ] && [ "$n" -eq 4 ]
rc=$?
echo sib2 > $SIB_D/del_hca
slowwait 60 eval 'run saquery && [ "$(grep -c "NodeRecord dump" $OUT)" -eq 3 ]' || rc=1
ktap_check "hot add under OpenSM: sib2 ACTIVE with LID $l2; removed: gone from its SA" $rc

# OpenSM restarted: a new sweep asks the ports to re-register (client
# reregister), IPoIB joins again, and traffic flows.
bcast_members()
{
	run saquery -m --smkey 1
	grep -c 'MGID.*ff12:401b:ffff::ffff:ffff' $OUT
}
sib_opensm_stop
sib_opensm_start sib0
rc=$?
slowwait 30 eval '[ "$(bcast_members)" -eq 2 ]'
n=$(bcast_members)
ip netns exec a ping -c 3 -W 5 $SIB_IP_B > /dev/null || rc=1
ktap_diag "after the restart: $n records of the broadcast group"
[ "$n" -eq 2 ] || rc=1
ktap_check "OpenSM restarted: SUBNET UP again, both ports rejoined, ping a -> b" $rc
ktap_finish
