#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Legacy SA, group created by a receiver that later leaves (rdma_sib):
#  - stock IPoIB: the sender's SendOnlyFullMember join is accepted on the
#    existing group but does not keep it alive: when the receiver leaves the
#    group is deleted under the sender, and a new receiver (a new group, a
#    new MLID) gets none of the sender's traffic;
#  - with ipoib_sendonly (auto): the sender joins as FullMember, the group
#    outlives the receiver, and a new receiver gets every packet.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

modinfo rdma_sib > /dev/null 2>&1 || ktap_skip_all "rdma_sib was not built"
modinfo ipoib_sendonly > /dev/null 2>&1 || ktap_skip_all "ipoib_sendonly was not built"
trap 'kill $rx 2>/dev/null; rmmod ipoib_sendonly 2>/dev/null; sib_cleanup' EXIT

# mgid N: the IPoIB MGID of 239.N.N.N (RFC 4391: low 28 bits of the group).
mgid() { printf 'ff12:401b:ffff:0000:0000:0000:0f%02x:%02x%02x' "$1" "$1" "$1"; }

# wait_left N: wait (10 s at most) until sib1 is no member of 239.N.N.N.
wait_left()
{
	local n=0
	while [ -n "$(sib_join_state "$(mgid "$1")" sib1)" ] && [ $n -lt 100 ]; do
		n=$((n + 1))
		sleep 0.1
	done
	[ -z "$(sib_join_state "$(mgid "$1")" sib1)" ]
}

# scenario N: a receiver in b joins 239.N.N.N, a sends to it, the receiver
# leaves, a new receiver joins and a sends 20 more. Sets ST (the sender's
# JoinState), LEFT (the first receiver left), GONE (the group was deleted
# meanwhile) and GOT (what the new receiver got).
scenario()
{
	local g=239.$1.$1.$1
	rx=$(sib_mcast_recv_start b $SIB_IP_B $g /tmp/rx$1a)
	sib_wait_join_state "$(mgid "$1")" sib1 > /dev/null
	sib_mcast_send a $SIB_IP_A $g 3
	ST=$(sib_wait_join_state "$(mgid "$1")" sib0)
	kill $rx
	wait $rx 2> /dev/null
	LEFT=no
	wait_left "$1" && LEFT=yes
	GONE=no
	sib_group_exists "$(mgid "$1")" || GONE=yes
	rx=$(sib_mcast_recv_start b $SIB_IP_B $g /tmp/rx$1b)
	sib_wait_join_state "$(mgid "$1")" sib1 > /dev/null
	sleep 1
	sib_mcast_send a $SIB_IP_A $g 20
	sleep 2
	kill $rx
	wait $rx 2> /dev/null
	rx=
	GOT=$(wc -l < /tmp/rx$1b)
	ktap_diag "239.$1.$1.$1: sender '$ST'; first receiver left: $LEFT; group deleted: $GONE; new receiver got $GOT of 20"
}

ktap_plan 5
ktap_run "rdma_sib (SA legacy) and IPoIB up" sib_setup sa_mode=legacy

scenario 10
[ "$ST" = 0x8 ] && [ $LEFT = yes ] && [ $GONE = yes ]
ktap_check "stock: the group is deleted under the send-only sender when its receiver leaves" $?
[ "$GOT" -eq 0 ]
ktap_check "stock: a new receiver gets none of the sender's traffic ($GOT)" $?

modprobe ipoib_sendonly
n=0
until grep -q '^sib0 .* no-sendonly-full ' /sys/kernel/debug/ipoib_sendonly/ports || [ $n -gt 100 ]; do
	n=$((n + 1))
	sleep 0.1
done
scenario 11
[ "$ST" = 0x1 ] && [ $LEFT = yes ] && [ $GONE = no ]
ktap_check "ipoib_sendonly: the sender (FullMember) keeps the group alive" $?
[ "$GOT" -eq 20 ]
ktap_check "ipoib_sendonly: a new receiver gets all 20 ($GOT)" $?
ktap_run "ipoib_sendonly unloads" rmmod ipoib_sendonly
ktap_finish
