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
#    as FullMembers of the IPoIB broadcast group OpenSM made, -g the
#    group, PR paths; IPv4 multicast is delivered by the MFT OpenSM
#    programmed, the sender's join SendOnlyFullMember, the receiver's
#    FullMember; with ipoib_sendonly's policy full, a FullMember join;
#  - smpquery nodeinfo and portinfo by sib0's new LID show what OpenSM set,
#    a 1 MB TCP transfer arrives intact, perfquery answers by the new LID;
#  - hot add: two more HCAs come up ACTIVE with LIDs of OpenSM's (four in
#    all); their removal takes them, and a membership of one, out of
#    OpenSM's SA;
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

BCAST=ff12:401b:ffff::ffff:ffff

# short_gid HCA: its port GID as saquery prints it (fe80::2:c903:a:1).
short_gid()
{
	sib_port_gid "$1" | sed 's/fe80:0000:0000:0000:/fe80::/; s/:0\{1,3\}/:/g'
}

# join_state MGID HCA: the JoinState (a hex digit) of HCA's port in group
# MGID (as saquery prints it) in OpenSM's member records, empty if none;
# join_gid MGID GID the same for port GID (short_gid's form). OpenSM shows
# members' PortGIDs only to a requester with its SM_Key (1 by default).
join_state() { join_gid "$1" "$(short_gid "$2")"; }
join_gid()
{
	run saquery -m --smkey 1
	awk -v mgid="$1" -v gid="$2" '/member dump/ { m = 0; p = 0 }
		/MGID/ && $NF ~ "\\.\\." mgid "$" { m = 1 }
		/PortGid/ && $NF ~ "\\.\\." gid "$" { p = 1 }
		/ScopeState/ && m && p { print substr($NF, length($NF)) }' $OUT
}

# ipoib_link HCA: the IPoIB link on HCA's port in this namespace.
ipoib_link()
{
	local g a
	g=$(tr -d : < $P/"$1"/node_guid | sed 's/../&:/g; s/:$//')
	for a in /sys/class/net/*/address; do
		case $(cat "$a") in *"$g") basename "$(dirname "$a")"; return 0 ;; esac
	done
	return 1
}
lid() { echo $(($(cat $P/"$1"/ports/1/lid))); }
port_state() { cut -d' ' -f2 < $P/"$1"/ports/1/state; }

ktap_plan 19
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

st="$(join_state $BCAST sib0) $(join_state $BCAST sib1)"
[ "$st" = "1 1" ] || show
[ "$st" = "1 1" ]
ktap_check "saquery -m: both ports FullMembers of OpenSM's IPoIB broadcast group ($st)" $?

ok=1
run saquery -g && grep -q "MGID.*$BCAST" $OUT || ok=0
run saquery PR && [ "$(grep -c 'PathRecord dump' $OUT)" -ge 2 ] || ok=0
[ $ok -eq 1 ] || show
ktap_check "saquery -g: the broadcast group; saquery PR: paths" $((1 - ok))

# A receiver joins 239.1.2.3 through OpenSM's SA, then the sender (a
# send-only join) sends 20 datagrams.
rx=$(sib_mcast_recv_start b $SIB_IP_B 239.1.2.3 /tmp/osm-mc.rx)
sleep 3
sib_mcast_send a $SIB_IP_A 239.1.2.3 20
sleep 2
st="$(join_state ff12:401b:ffff::f01:203 sib0) $(join_state ff12:401b:ffff::f01:203 sib1)"
kill "$rx"
wait "$rx" 2> /dev/null
got=$(wc -l < /tmp/osm-mc.rx)
[ "$got" -ge 15 ] && [ "$st" = "8 1" ]
ktap_check "IPv4 multicast a -> b forwarded by OpenSM's MFT ($got of 20); JoinStates: sender SendOnlyFullMember, receiver FullMember ($st)" $?

# ipoib_sendonly's policy, seen in OpenSM's table: with policy full the
# sender's send-only join is a FullMember one.
if ktap_have_module ipoib_sendonly; then
	modprobe ipoib_sendonly policy=full
	sib_mcast_send a $SIB_IP_A 239.1.2.4 5
	slowwait 10 eval '[ "$(join_state ff12:401b:ffff::f01:204 sib0)" = 1 ]'
	st=$(join_state ff12:401b:ffff::f01:204 sib0)
	rmmod ipoib_sendonly
	[ "$st" = 1 ]
	ktap_check "ipoib_sendonly policy=full: the sender's join of 239.1.2.4 a FullMember one in OpenSM's table ($st)" $?
else
	ktap_skip "ipoib_sendonly policy=full in OpenSM's table" "ipoib_sendonly was not built"
fi

ok=1
run smpquery nodeinfo "$l0" && grep -qi "^Guid:\.*0x$g0$" $OUT || ok=0
run smpquery portinfo "$l0" 1 && grep -q "^Lid:\.*$l0$" $OUT &&
	grep -q "^SMLid:\.*$l0$" $OUT && grep -q "^LinkState:\.*Active" $OUT || ok=0
[ $ok -eq 1 ] || show
ktap_check "smpquery nodeinfo, portinfo $l0: sib0's GUID, its LID, SM LID and state as OpenSM set them" $((1 - ok))

# TCP: 1 MB a -> b, intact.
sib_tcp_copy a b $SIB_IP_B 1048576
rc=$?
[ $rc -eq 0 ] || ktap_diag "received $(wc -c < /tmp/tcp.rx 2>&1)"
ktap_check "TCP over OpenSM's subnet: 1 MB a -> b intact" $rc

perfquery -C sib0 -P 1 "$l1" 1 > $OUT 2>&1 &&
	[ "$(awk -F. '/^PortRcvPkts:/ { print $NF }' $OUT)" -gt 0 ]
rc=$?
[ $rc -eq 0 ] || show
ktap_check "perfquery of sib1 by its LID from OpenSM ($l1)" $rc

# Hot add: the switch reports the new links (PortStateChange), OpenSM's
# next light sweep (every 2 s here) finds them and brings the ports up: a
# subnet of four HCAs. sib2's IPoIB joins the broadcast group; hot remove:
# the same, and sib2 and its membership leave OpenSM's SA.
# One at a time: an HCA whose link comes up while OpenSM sweeps for the
# one before may wait for a later change (no traps here).
echo 1 > $SIB_D/add_hca
slowwait 60 eval '[ "$(port_state sib2 2>/dev/null)" = ACTIVE ]'
echo 1 > $SIB_D/add_hca
slowwait 60 eval '[ "$(port_state sib3 2>/dev/null)" = ACTIVE ]'
l2=$(lid sib2) l3=$(lid sib3)
run ibnetdiscover && n=$(grep -c '^Ca' $OUT)
ktap_diag "sib2, sib3 added: $(port_state sib2) LID $l2, $(port_state sib3) LID $l3; ibnetdiscover: $n CAs"
[ "$(port_state sib2)" = ACTIVE ] && [ "$(port_state sib3)" = ACTIVE ] &&
	[ "$l2" -gt 0 ] && [ "$l3" -gt 0 ] && [ "$l2" -ne "$l3" ] && [ "$n" -eq 4 ]
ktap_check "hot add under OpenSM: four HCAs, sib2 and sib3 ACTIVE with LIDs $l2 and $l3" $?

ip link set "$(ipoib_link sib2)" up
slowwait 20 eval '[ "$(join_state $BCAST sib2)" = 1 ]'
gid2=$(short_gid sib2)
before=$(join_gid $BCAST "$gid2")
echo sib3 > $SIB_D/del_hca && echo sib2 > $SIB_D/del_hca
slowwait 60 eval 'run saquery && [ "$(grep -c "NodeRecord dump" $OUT)" -eq 3 ]'
rc=$?
after=$(join_gid $BCAST "$gid2")
ktap_diag "sib2 in the broadcast group: JoinState '$before' before its removal, '$after' after"
[ $rc -eq 0 ] && [ -n "$gid2" ] && [ "$before" = 1 ] && [ -z "$after" ]
ktap_check "hot remove under OpenSM: sib2 and sib3 gone from its SA, sib2's membership too" $?

# OpenSM restarted: a new sweep asks the ports to re-register (client
# reregister), IPoIB joins again, and traffic flows.
sib_opensm_stop
sib_opensm_start sib0
rc=$?
slowwait 30 eval '[ "$(join_state $BCAST sib0) $(join_state $BCAST sib1)" = "1 1" ]'
st="$(join_state $BCAST sib0) $(join_state $BCAST sib1)"
ip netns exec a ping -c 3 -W 5 $SIB_IP_B > /dev/null || rc=1
ktap_diag "after the restart: JoinStates in the broadcast group '$st'"
[ "$st" = "1 1" ] || rc=1
ktap_check "OpenSM restarted: SUBNET UP again, both ports rejoined, ping a -> b" $rc
ktap_finish
