#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ipoib_sendonly (policy auto: SendOnlyFullMember unless the SM is known to
# lack it) on rdma_sib, join states read back from the SA:
#  - legacy SA that says so in its ClassPortInfo: FullMember at once, no
#    join refused, and a receiver joining later gets every packet;
#  - legacy SA whose ClassPortInfo is refused (nothing known): the first
#    send-only join is 0x8, refused, retried as FullMember, nothing dropped,
#    a later receiver gets every packet; after that the port is remembered
#    as legacy through re-registers, until an SM change;
#  - SM change to a modern SA: 0x8, also right after a re-register; full
#    gives FullMember, off the kernel's own 0x8;
#  - OPA-style ClassPortInfo (class version 0x80): 0x8;
#  - joins of another SA client (rb_test_mcast) are never rewritten.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/ipoib_sendonly.sh"

ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
ktap_have_module ipoib_sendonly || ktap_skip_all "ipoib_sendonly was not built"
P=/sys/module/ipoib_sendonly/parameters/policy
S0=$(iso_port sib0)
trap 'kill $SIB_RX 2>/dev/null; rmmod rb_test_mcast 2>/dev/null; rmmod ipoib_sendonly; sib_cleanup' EXIT

# join N: a sender in a sends to 239.N.N.N until sib0 has joined; sets ST
# (sib0's JoinState), REFUSED (MCMemberRecord requests the SA refused
# meanwhile) and DROPPED (ib0's tx_dropped growth in a).
join()
{
	local e0 d0
	e0=$(sib_sa_errors mc_member_record)
	d0=$(ip netns exec a cat /sys/class/net/ib0/statistics/tx_dropped)
	ST=$(sib_send_until_joined a $SIB_IP_A 239.$1.$1.$1 "$(sib_mgid "$1")" sib0)
	REFUSED=$(($(sib_sa_errors mc_member_record) - e0))
	DROPPED=$(($(ip netns exec a cat /sys/class/net/ib0/statistics/tx_dropped) - d0))
	ktap_diag "239.$1.$1.$1: JoinState '$ST', refused by the SA $REFUSED, dropped $DROPPED; module: sm_cap $(state_get $S0/sm_cap) legacy $(state_get $S0/legacy) refused $(state_get $S0/refused)"
}

ktap_plan 15
modprobe ipoib_sendonly
ktap_run "rdma_sib (SA legacy) and IPoIB up with ipoib_sendonly loaded" sib_setup sa_mode=legacy
state_wait $S0/sm_cap no-sendonly-full 10
rc=$?
ktap_check "learned from the SA's ClassPortInfo: no SendOnlyFullMember ($(state_get $S0/sm_cap), $(state_get $S0/learned))" $rc

# Legacy SA that says so: FullMember from the first join.
join 3
[ "$ST" = 0x1 ] && [ "$REFUSED" -eq 0 ] && [ "$(state_get $S0/rewritten)" -ge 1 ]
ktap_check "legacy SA (known): send-only join rewritten to FullMember, none refused" $?
got=$(sib_receive 3)
[ "$got" -eq 20 ]
ktap_check "a receiver joining later gets all 20 datagrams sent after its join ($got)" $?

# Legacy SA that does not say: 0x8 first, refused, retried as FullMember.
sib_sa_change legacy refuse smchange
state_wait $S0/sm_cap cpi-refused 10 && [ "$(state_get $S0/legacy)" = 0 ]
rc=$?
ktap_check "SM change to a legacy SA refusing ClassPortInfo: nothing known ($(state_get $S0/sm_cap), legacy $(state_get $S0/legacy))" $rc
join 9
[ "$ST" = 0x1 ] && [ "$REFUSED" -eq 1 ] && [ "$(state_get $S0/refused)" -eq 1 ] &&
	[ "$(state_get $S0/legacy)" = 1 ] && [ "$DROPPED" -eq 0 ]
ktap_check "legacy SA (unknown): 0x8 refused once, retried as FullMember, nothing dropped" $?
got=$(sib_receive 9)
[ "$got" -eq 20 ]
ktap_check "a receiver joining later gets all 20 datagrams ($got)" $?

# A re-register storm of the same SM: the port stays known as legacy.
for i in 1 2 3; do
	echo all > $SIB_D/reregister
	sleep 0.3
done
join 10
[ "$ST" = 0x1 ] && [ "$REFUSED" -eq 0 ] && [ "$(state_get $S0/legacy)" = 1 ]
ktap_check "three re-registers later: FullMember at once, none refused" $?

# SM change to a modern SA.
sib_sa_change modern answer smchange
state_wait $S0/sm_cap sendonly-full 10 && [ "$(state_get $S0/legacy)" = 0 ]
rc=$?
ktap_check "SM change to a modern SA: learned again, legacy mark gone ($(state_get $S0/sm_cap))" $rc
join 4
[ "$ST" = 0x8 ] && [ "$REFUSED" -eq 0 ]
ktap_check "modern SA, auto: SendOnlyFullMember ($ST)" $?
echo all > $SIB_D/reregister
join 11
[ "$ST" = 0x8 ] && [ "$REFUSED" -eq 0 ]
ktap_check "modern SA, right after a re-register: SendOnlyFullMember ($ST)" $?
echo full > $P
join 5
r5=$ST
echo off > $P
join 6
[ "$r5" = 0x1 ] && [ "$ST" = 0x8 ]
ktap_check "modern SA: full gives FullMember ($r5), off the kernel's own choice ($ST)" $?
echo auto > $P

# OPA-style ClassPortInfo: not an IB one, nothing to read from it.
sib_sa_change modern opa smchange
state_wait $S0/sm_cap not-ib-cpi 10
join 12
[ "$ST" = 0x8 ] && [ "$REFUSED" -eq 0 ]
rc=$?
ktap_check "OPA-style ClassPortInfo ($(state_get $S0/sm_cap)): SendOnlyFullMember ($ST)" $rc

# SM change back to a legacy SA that says so.
sib_sa_change legacy answer smchange
state_wait $S0/sm_cap no-sendonly-full 10
join 7
[ "$ST" = 0x1 ] && [ "$REFUSED" -eq 0 ]
ktap_check "SM change to a legacy SA that says so: FullMember at once ($ST), none refused" $?

# Another SA client's send-only join is left alone: under policy full,
# which turns IPoIB's own 0x8 joins into 0x1, it stays 0x8. (Counting
# IPoIB's send-only joins around it does not tell: after the SM change
# IPoIB's own joins, such as those its IGMP and MLD reports need, come
# whenever they come.)
if modprobe rb_test_mcast 2>/dev/null; then
	sib_sa_change modern answer smchange
	state_wait $S0/sm_cap sendonly-full 30
	echo full > $P
	# ib_sa fails joins in flight while it handles the SM change with
	# -ENETRESET (seen on the debug kernel): join again if this one was.
	for try in 1 2 3; do
		echo "join sib0 1 ff12:601b:ffff:0000:0000:0000:0000:7777 8" \
			2>/dev/null > /sys/kernel/debug/rb_test_mcast/cmd && break
		sleep 1
	done
	st=$(sib_wait_join_state ff12:601b:ffff:0000:0000:0000:0000:7777 sib0)
	echo auto > $P
	[ "$st" = 0x8 ]
	ktap_check "another SA client's 0x8 join untouched under policy full ($st)" $?
else
	ktap_skip "another SA client's 0x8 join untouched" "rb_test_mcast not built"
fi
ktap_finish
