#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ipoib_sendonly on rdma_sib, against both SA personalities:
#  - legacy SA, group absent: with policy auto the send-only join goes out as
#    FullMember, creates the group, and a receiver that joins later gets
#    every packet sent after its join;
#  - modern SA: auto keeps SendOnlyFullMember, full gives FullMember;
#  - SA switched to legacy plus a client re-register: auto learns again and
#    the next join uses FullMember;
#  - joins of another SA client (rb_test_mcast) are never rewritten.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

modinfo rdma_sib > /dev/null 2>&1 || ktap_skip_all "rdma_sib was not built"
modinfo ipoib_sendonly > /dev/null 2>&1 || ktap_skip_all "ipoib_sendonly was not built"
ISO=/sys/kernel/debug/ipoib_sendonly
P=/sys/module/ipoib_sendonly/parameters/policy
trap 'kill $SIB_RX 2>/dev/null; rmmod rb_test_mcast 2>/dev/null; rmmod ipoib_sendonly; sib_cleanup' EXIT

# iso DEV COLUMN: a column of ipoib_sendonly's ports table.
iso()
{
	awk -v d="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$1 == d { print $h[c] }' $ISO/ports
}

# wait_cap DEV CAP: the module learned CAP for DEV's SM (10 s at most).
wait_cap()
{
	local n=0
	until [ "$(iso "$1" sm_cap)" = "$2" ]; do
		n=$((n + 1))
		[ $n -gt 100 ] && return 1
		sleep 0.1
	done
}


ktap_plan 11
modprobe ipoib_sendonly
ktap_run "rdma_sib (SA legacy) and IPoIB up with ipoib_sendonly loaded" sib_setup sa_mode=legacy
wait_cap sib0 no-sendonly-full
ktap_check "learned from the SA: no SendOnlyFullMember support ($(iso sib0 sm_cap))" $?

# Legacy SA, group absent: the sender comes first.
err0=$(sib_sa_errors mc_member_record)
sib_mcast_send a $SIB_IP_A 239.3.3.3 5
st=$(sib_wait_join_state "$(sib_mgid 3)" sib0)
ktap_diag "sender's JoinState in 239.3.3.3: '$st'; rewritten $(iso sib0 rewritten); SA errors $err0 -> $(sib_sa_errors mc_member_record)"
[ "$st" = 0x1 ] && [ "$(iso sib0 rewritten)" -ge 1 ]
ktap_check "legacy SA: send-only join rewritten to FullMember and the group created" $?

got=$(sib_receive 3)
[ "$got" -eq 20 ]
ktap_check "a receiver joining later gets all 20 datagrams sent after its join ($got)" $?

# Modern SA: auto keeps 0x8 (native), full forces 0x1.
echo "sa modern" > $SIB_D/control
echo "reregister" > $SIB_D/control
wait_cap sib0 sendonly-full
ktap_check "SA switched to modern + re-register: learned again ($(iso sib0 sm_cap))" $?
left0=$(iso sib0 left_alone)
st=$(sib_send_until_joined a $SIB_IP_A 239.4.4.4 "$(sib_mgid 4)" sib0)
[ "$st" = 0x8 ] && [ "$(iso sib0 left_alone)" -gt "$left0" ]
ktap_check "modern SA, auto: SendOnlyFullMember kept ($st)" $?
echo full > $P
st=$(sib_send_until_joined a $SIB_IP_A 239.5.5.5 "$(sib_mgid 5)" sib0)
[ "$st" = 0x1 ]
ktap_check "modern SA, full: FullMember ($st)" $?
echo off > $P
st=$(sib_send_until_joined a $SIB_IP_A 239.6.6.6 "$(sib_mgid 6)" sib0)
[ "$st" = 0x8 ]
ktap_check "modern SA, off: the kernel's own choice ($st)" $?
echo auto > $P

# Personality switched back to legacy: until the re-register event nothing
# changes; after it, auto uses FullMember again, and no join failed.
echo "sa legacy" > $SIB_D/control
echo "reregister" > $SIB_D/control
wait_cap sib0 no-sendonly-full
ktap_check "SA switched to legacy + re-register: learned again ($(iso sib0 sm_cap))" $?
err0=$(sib_sa_errors mc_member_record)
st=$(sib_send_until_joined a $SIB_IP_A 239.7.7.7 "$(sib_mgid 7)" sib0)
[ "$st" = 0x1 ] && [ "$(sib_sa_errors mc_member_record)" = "$err0" ]
ktap_check "next join FullMember ($st), no join refused" $?

# Another SA client's send-only join is left alone (and refused by legacy).
if modprobe rb_test_mcast 2>/dev/null; then
	seen0=$(iso sib0 sendonly)
	echo "sa modern" > $SIB_D/control
	echo "join sib0 1 ff12:601b:ffff:0000:0000:0000:0000:7777 8" > /sys/kernel/debug/rb_test_mcast/cmd
	st=$(sib_join_state ff12:601b:ffff:0000:0000:0000:0000:7777 sib0)
	[ "$st" = 0x8 ] && [ "$(iso sib0 sendonly)" = "$seen0" ]
	ktap_check "another SA client's 0x8 join untouched ($st)" $?
else
	ktap_skip "another SA client's 0x8 join untouched" "rb_test_mcast not built"
fi
ktap_finish
