#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_sib's SA takes MCMemberRecord joins by the IBA's rules; requests from
# user space (ib_umad, bin/sa_mad) on two HCAs:
#  - a join that creates a group gets the MTU, rate and packet lifetime its
#    selectors allow from what the fabric offers (MTU 256 to 4096, 40 Gb/s,
#    lifetime 18) and a P_Key of the port's table, or ERR_REQ_INVALID
#    (0x0200) and no group;
#  - a later join must match each component it gives: MTU, rate and packet
#    lifetime within their selectors (rates ordered by speed, not by code),
#    SL, FlowLabel, TClass and HopLimit equal; one that does not gets 0x0200
#    and no membership;
#  - joins and leaves act for the requesting port only: sib0 joining or
#    leaving with sib1's PortGID gets 0x0200 and changes nothing.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

sib_umad_require
BIN=$SIB_BIN

# The components a join that may create a group gives.
CREATE=(qkey=0x0b1b0001 pkey=0xffff sl=0 flow=0 tclass=0)
# mgid N: group N of this test.
mgid() { printf 'ff12:601b:ffff:0000:0000:0000:5a00:%04x' "$1"; }

# sa CA OP MGID FIELD=VALUE...: one request (bin/sa_mad); the answer in
# ANSWER, both as a diagnostic.
sa()
{
	ANSWER=$("$BIN/sa_mad" "$@" 2>&1)
	ktap_diag "$1 $2 ${3##*:} ${*:4}: $ANSWER"
}

# ans KEY: KEY's value in the last answer (status, mlid, mtu, rate, plt...).
ans() { echo "$ANSWER" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# refused NAME: a check that the last request got 0x0200.
refused()
{
	[ "$(ans status)" = 0x0200 ]
	ktap_check "$1: 0x0200" $?
}

# refused_create NAME MGID: ... and that it left no group MGID behind.
refused_create()
{
	[ "$(ans status)" = 0x0200 ] && ! sib_group_exists "$2"
	ktap_check "$1: 0x0200, no group" $?
}

ktap_plan 22
sib_umad_up 2

# Group 1: created by sib0; sib1's joins are checked against it.
G1=$(mgid 1)
sa sib0 join "$G1" "${CREATE[@]}" mtu=eq:4 rate=eq:7 plt=eq:18
[ "$(ans status)" = 0x0000 ] && [ "$(ans mtu)" = 4 ] && [ "$(ans rate)" = 7 ] &&
	[ "$(ans plt)" = 18 ]
ktap_check "a join creating a group with MTU 2048, 40 Gb/s, lifetime 18 exactly: 0x0000, the group has them" $?

sa sib1 join "$G1" mtu=eq:5
refused "a join demanding MTU 4096 exactly (eq:5) to the 2048 group"
sa sib1 join "$G1" rate=lt:3
refused "a join demanding a rate below 10 Gb/s (lt:3) to the 40 Gb/s group"
sa sib1 join "$G1" plt=eq:10
refused "a join demanding packet lifetime 10 exactly to the lifetime 18 group"
sa sib1 join "$G1" sl=1
refused "a join with SL 1 to the SL 0 group"
sa sib1 join "$G1" flow=0x12345
refused "a join with FlowLabel 0x12345 to the FlowLabel 0 group"
sa sib1 join "$G1" tclass=3
refused "a join with TClass 3 to the TClass 0 group"
sa sib1 join "$G1" hop=9
refused "a join with HopLimit 9 to the HopLimit 0 group"
st=$(sib_join_state "$G1" sib1)
[ -z "$st" ]
ktap_check "none of the refused joins made sib1 a member (JoinState '$st')" $?

sa sib1 join "$G1" qkey=0x0b1b0001 pkey=0xffff mtu=lt:5 rate=gt:11 plt=eq:18 \
	sl=0 flow=0 tclass=0 hop=0
[ "$(ans status)" = 0x0000 ] && [ "$(sib_join_state "$G1" sib1)" = 0x1 ]
ktap_check "a join within every selector (rate gt:11: 14 Gb/s, a higher code than 40 Gb/s's 7), equal elsewhere: 0x0000, a member" $?

# Creating joins.
sa sib0 join "$(mgid 2)" "${CREATE[@]}" mtu=gt:5
refused_create "a join creating a group with an MTU above 4096 (gt:5)" "$(mgid 2)"
sa sib0 join "$(mgid 3)" "${CREATE[@]}" mtu=lt:1
refused_create "a join creating a group with an MTU below 256 (lt:1)" "$(mgid 3)"
sa sib0 join "$(mgid 4)" "${CREATE[@]}" rate=eq:2
refused_create "a join creating a group with 2.5 Gb/s exactly (eq:2)" "$(mgid 4)"
sa sib0 join "$(mgid 5)" "${CREATE[@]}" plt=eq:10
refused_create "a join creating a group with packet lifetime 10 exactly" "$(mgid 5)"
sa sib0 join "$(mgid 6)" qkey=0x0b1b0001 pkey=0x8001 sl=0 flow=0 tclass=0
refused_create "a join creating a group with P_Key 0x8001 (not in the port's table)" "$(mgid 6)"
sa sib0 join "$(mgid 7)" "${CREATE[@]}" mtu=lt:5
[ "$(ans status)" = 0x0000 ] && [ "$(ans mtu)" = 4 ]
ktap_check "a join creating a group with an MTU below 4096 (lt:5): 0x0000, MTU 2048 (4)" $?
sa sib0 join "$(mgid 8)" "${CREATE[@]}" mtu=max:0 rate=max:0 plt=max:0
[ "$(ans status)" = 0x0000 ] && [ "$(ans mtu)" = 5 ] && [ "$(ans rate)" = 7 ] &&
	[ "$(ans plt)" = 18 ]
ktap_check "a join creating a group with the largest MTU, rate, lifetime: 0x0000, 4096, 40 Gb/s, 18" $?

# Proxy joins and leaves: sib0 acting for sib1.
GP=$(mgid 9)
sa sib0 join "$GP" "${CREATE[@]}"
[ "$(ans status)" = 0x0000 ]
ktap_check "sib0 creates a group for itself: 0x0000" $?
sa sib0 join "$GP" gid=sib1
st=$(sib_join_state "$GP" sib1)
[ "$(ans status)" = 0x0200 ] && [ -z "$st" ]
ktap_check "sib0 joining with sib1's PortGID: 0x0200, sib1 not a member (JoinState '$st')" $?
sa sib1 join "$GP"
[ "$(ans status)" = 0x0000 ] && [ "$(sib_join_state "$GP" sib1)" = 0x1 ]
ktap_check "sib1 joining for itself: 0x0000, a member" $?
sa sib0 leave "$GP" gid=sib1
st=$(sib_join_state "$GP" sib1)
[ "$(ans status)" = 0x0200 ] && [ "$st" = 0x1 ]
ktap_check "sib0 leaving with sib1's PortGID: 0x0200, sib1 still a member (JoinState '$st')" $?
ktap_finish
