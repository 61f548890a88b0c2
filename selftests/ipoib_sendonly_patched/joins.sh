#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The patch queue's IB/sa + IB/ipoib entries, in the VM: ib_core.ko and
# ib_ipoib.ko built from the patched linux-source (bin/, from host-prepare)
# are loaded instead of the distribution's, ipoib_sendonly is not loaded,
# and IPoIB runs on rdma_sib:
#  - legacy SA, group absent: the send-only join is FullMember, creates the
#    group without an SA error, and a later receiver gets every packet;
#  - legacy SA, group created by a receiver that then leaves: the sender
#    keeps the group alive and a new receiver gets the traffic;
#  - modern SA: SendOnlyFullMember;
#  - SA personality switched plus a client re-register: joins made at once,
#    while ib_sa's ClassPortInfo is being fetched again, are FullMember and
#    none is refused; once the answer is in, the next join follows it;
#  - ipoib_sendonly (policy auto) loaded on top stays inert and says so.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

BIN=$(cd "$(dirname "$0")" && pwd)/bin
[ -e "$BIN/ib_core.ko" ] && [ -e "$BIN/ib_ipoib.ko" ] ||
	ktap_skip_all "no bin/ib_core.ko or bin/ib_ipoib.ko (host-prepare did not run)"
modinfo rdma_sib > /dev/null 2>&1 || ktap_skip_all "rdma_sib was not built"
[ -e /sys/module/ib_core ] && ktap_skip_all "the distribution's ib_core is already loaded"
ISO=/sys/kernel/debug/ipoib_sendonly
trap 'kill $SIB_RX 2>/dev/null; rmmod ipoib_sendonly 2>/dev/null; sib_cleanup; rmmod ib_cm ib_core 2>/dev/null' EXIT

# cpi_requests: ClassPortInfo queries rdma_sib's SA has answered.
cpi_requests() { awk '$1 == "class_port_info" { print $3 }' $SIB_D/sa; }

# switch_sa MODE: new SA personality plus a client re-register event; ib_sa
# forgets its ClassPortInfo and asks again a second later.
switch_sa()
{
	cpi0=$(cpi_requests)
	echo "sa $1" > $SIB_D/control && echo reregister > $SIB_D/control
}

# wait_cpi: the SA has answered ClassPortInfo queries for both ports since
# switch_sa (ib_sa's and nobody else's: ipoib_sendonly is not loaded).
wait_cpi()
{
	local n=0
	until [ "$(cpi_requests)" -ge $((cpi0 + 2)) ]; do
		n=$((n + 1))
		[ $n -gt 100 ] && return 1
		sleep 0.1
	done
	sleep 0.2
}

# send_join N COUNT: send COUNT datagrams to 239.N.N.N from namespace a,
# then until sib0 has joined; sets ST (sib0's JoinState in the group) and
# REFUSED (MCMemberRecord requests the SA refused meanwhile).
send_join()
{
	local e0
	e0=$(sib_sa_errors mc_member_record)
	sib_mcast_send a $SIB_IP_A 239.$1.$1.$1 "$2"
	ST=$(sib_send_until_joined a $SIB_IP_A 239.$1.$1.$1 "$(sib_mgid "$1")" sib0)
	REFUSED=$(($(sib_sa_errors mc_member_record) - e0))
}

ktap_plan 11
if insmod "$BIN/ib_core.ko" && modprobe ib_cm && insmod "$BIN/ib_ipoib.ko"; then
	ktap_diag "ib_core taint '$(cat /sys/module/ib_core/taint)', ib_ipoib taint '$(cat /sys/module/ib_ipoib/taint)' (O: out of tree)"
	grep -qw ib_sa_sendonly_fullmem_support /proc/kallsyms
	ktap_check "the patched ib_core and ib_ipoib are loaded (ib_sa_sendonly_fullmem_support exported)" $?
else
	ktap_fail "the patched ib_core and ib_ipoib are loaded"
	ktap_finish
fi
cpi0=0
ktap_run "rdma_sib (SA legacy) and the patched IPoIB up" sib_setup sa_mode=legacy
wait_cpi
rc=$?
ktap_check "ib_sa fetched ClassPortInfo for both ports ($(cpi_requests) queries)" $rc

# Legacy SA, group absent: the sender comes first.
send_join 3 5
ktap_diag "sender's JoinState in 239.3.3.3: '$ST'; joins refused by the SA: $REFUSED"
[ "$ST" = 0x1 ] && [ "$REFUSED" -eq 0 ]
ktap_check "legacy SA: the send-only join is FullMember and creates the group" $?
got=$(sib_receive 3)
[ "$got" -eq 20 ]
ktap_check "a receiver joining later gets all 20 datagrams sent after its join ($got)" $?

# Legacy SA, group created by a receiver that leaves again.
sib_receiver_leaves 8
[ "$SIB_ST" = 0x1 ] && [ $SIB_LEFT = yes ] && [ $SIB_GONE = no ] && [ "$SIB_GOT" -eq 20 ]
ktap_check "legacy SA: the sender keeps the group alive after its receiver left" $?

# Modern SA.
switch_sa modern
wait_cpi
send_join 4 3
[ "$ST" = 0x8 ]
ktap_check "modern SA, learned: SendOnlyFullMember ($ST)" $?

# Switched while joins go on: FullMember until the new answer is in.
switch_sa legacy
send_join 5 3
ktap_diag "legacy SA, right after the re-register: JoinState '$ST', joins refused: $REFUSED"
[ "$ST" = 0x1 ] && [ "$REFUSED" -eq 0 ]
ktap_check "switched to legacy: the next join is FullMember, none refused" $?

switch_sa modern
send_join 6 3
early=$ST refused=$REFUSED
wait_cpi
send_join 7 3
ktap_diag "modern SA: joined at once '$early' (0x1 while ClassPortInfo was being fetched again), after the answer '$ST'; joins refused meanwhile: $refused"
case $early in 0x1|0x8) ok=1 ;; *) ok=0 ;; esac
[ $ok = 1 ] && [ "$refused" -eq 0 ] && [ "$ST" = 0x8 ]
ktap_check "switched to modern: no join refused meanwhile, then SendOnlyFullMember" $?

# ipoib_sendonly on a kernel that does the right thing itself: inert.
if modinfo ipoib_sendonly > /dev/null 2>&1 && modprobe ipoib_sendonly; then
	switch_sa legacy
	wait_cpi
	send_join 9 3
	ktap_diag "$(grep kernel: $ISO/status)"
	ktap_diag "$(dmesg | grep 'ipoib_sendonly: .*inert' | tail -n 2)"
	awk 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$1 == "sib0" { exit !($h["rewritten"] == 0) }' $ISO/ports &&
		[ "$ST" = 0x1 ] && grep -q 'kernel: .*auto is inert' $ISO/status &&
		dmesg | grep -q 'sib0 port 1: .*already picks by the SM.s capability (inert)'
	ktap_check "ipoib_sendonly (auto) on the patched IPoIB: nothing rewritten, says it is inert ($ST)" $?
	rmmod ipoib_sendonly
else
	ktap_skip "ipoib_sendonly on the patched IPoIB" "ipoib_sendonly was not built"
fi

sib_cleanup
rmmod ib_cm ib_core
ktap_check "the patched modules unload" $?
ktap_finish
