#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The patch queue's IB/sa + IB/ipoib entries, in the VM: ib_core.ko and
# ib_ipoib.ko built from the patched linux-source (bin/, from host-prepare)
# are loaded instead of the distribution's, ipoib_sendonly is not loaded,
# and IPoIB runs on rdma_sib, join states read back from the SA:
#  - ib_sa asks ClassPortInfo of ports already active at device add;
#  - legacy SA that says so: FullMember from the first join, none refused;
#  - legacy SA that gives no ClassPortInfo: the 0x8 join is refused once,
#    retried as FullMember, nothing dropped, a later receiver gets every
#    packet; after re-registers still FullMember with no refusal;
#  - SM change to a modern SA: SendOnlyFullMember, also right after a
#    re-register; OPA-style ClassPortInfo: SendOnlyFullMember;
#  - ipoib_sendonly (policy auto) loaded on top stays inert and says so.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/ipoib_sendonly.sh"

BIN=$(cd "$(dirname "$0")" && pwd)/bin
[ -e "$BIN/ib_core.ko" ] && [ -e "$BIN/ib_ipoib.ko" ] ||
	ktap_skip_all "no bin/ib_core.ko or bin/ib_ipoib.ko (host-prepare did not run)"
ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
[ -e /sys/module/ib_core ] && ktap_skip_all "the distribution's ib_core is already loaded"
trap 'kill $SIB_RX 2>/dev/null; rmmod ipoib_sendonly 2>/dev/null; sib_cleanup; rmmod ib_cm ib_core 2>/dev/null' EXIT

# cpi_requests: ClassPortInfo queries rdma_sib's SA has answered.
cpi_requests() { sib_sa_requests class_port_info; }

# sa_change MODE CPI EVENT: sib_sa_change, counting ClassPortInfo queries
# from here (ib_sa forgets its ClassPortInfo and asks again a second later).
sa_change()
{
	cpi0=$(cpi_requests)
	sib_sa_change "$@"
}

# cpi_since_change: the SA has had ClassPortInfo queries of both ports
# since sa_change (ib_sa's and nobody else's: ipoib_sendonly is not loaded).
cpi_since_change() { [ "$(cpi_requests)" -ge $((cpi0 + 2)) ]; }

# wait_cpi: cpi_since_change within 10 s.
wait_cpi()
{
	slowwait 10 cpi_since_change || return 1
	sleep 0.2
}

# send_join N COUNT: send COUNT datagrams to 239.N.N.N from namespace a,
# then until sib0 has joined; sets ST (sib0's JoinState in the group),
# REFUSED (MCMemberRecord requests the SA refused meanwhile) and DROPPED
# (ib0's tx_dropped growth in a).
send_join()
{
	local e0 d0
	e0=$(sib_sa_errors mc_member_record)
	d0=$(ip netns exec a cat /sys/class/net/ib0/statistics/tx_dropped)
	sib_mcast_send a $SIB_IP_A 239.$1.$1.$1 "$2"
	ST=$(sib_send_until_joined a $SIB_IP_A 239.$1.$1.$1 "$(sib_mgid "$1")" sib0)
	REFUSED=$(($(sib_sa_errors mc_member_record) - e0))
	DROPPED=$(($(ip netns exec a cat /sys/class/net/ib0/statistics/tx_dropped) - d0))
	ktap_diag "239.$1.$1.$1: JoinState '$ST', refused by the SA $REFUSED, dropped $DROPPED"
}

ktap_plan 14
if insmod "$BIN/ib_core.ko" && modprobe ib_cm && insmod "$BIN/ib_ipoib.ko"; then
	ktap_diag "ib_core taint '$(cat /sys/module/ib_core/taint)', ib_ipoib taint '$(cat /sys/module/ib_ipoib/taint)' (O: out of tree)"
	grep -qw ib_sa_sendonly_fullmem_state /proc/kallsyms
	ktap_check "the patched ib_core and ib_ipoib are loaded (ib_sa_sendonly_fullmem_state exported)" $?
else
	ktap_fail "the patched ib_core and ib_ipoib are loaded"
	ktap_finish
fi
cpi0=0
ktap_run "rdma_sib (SA legacy, no PORT_ACTIVE at registration) and the patched IPoIB up" sib_setup sa_mode=legacy port_active_event=0
wait_cpi
rc=$?
ktap_check "ib_sa fetched ClassPortInfo for both ports active at device add ($(cpi_requests) queries)" $rc

# Legacy SA that says so: FullMember from the first join.
send_join 3 5
[ "$ST" = 0x1 ] && [ "$REFUSED" -eq 0 ] && [ "$DROPPED" -eq 0 ]
ktap_check "legacy SA (ClassPortInfo without bit 12): FullMember, none refused, nothing dropped" $?
got=$(sib_receive 3)
[ "$got" -eq 20 ]
ktap_check "a receiver joining later gets all 20 datagrams sent after its join ($got)" $?

# Legacy SA that gives no ClassPortInfo: 0x8 refused, retried as 0x1.
sa_change legacy refuse smchange
wait_cpi
send_join 9 5
[ "$ST" = 0x1 ] && [ "$REFUSED" -eq 1 ] && [ "$DROPPED" -eq 0 ]
ktap_check "legacy SA (unknown): the 0x8 join refused once, retried as FullMember, nothing dropped" $?
got=$(sib_receive 9)
[ "$got" -eq 20 ]
ktap_check "a receiver joining later gets all 20 datagrams ($got)" $?
dmesg | grep -q 'SA refused a SendOnlyFullMember join for .*until the SM changes'
ktap_check "IPoIB said so once in the kernel log" $?
for i in 1 2 3; do
	echo all > $SIB_D/reregister
	sleep 0.3
done
send_join 10 3
[ "$ST" = 0x1 ] && [ "$REFUSED" -eq 0 ]
ktap_check "three re-registers later: FullMember at once, none refused" $?

# SM change to a modern SA.
sa_change modern answer smchange
wait_cpi
send_join 4 3
[ "$ST" = 0x8 ] && [ "$REFUSED" -eq 0 ]
ktap_check "SM change to a modern SA: SendOnlyFullMember ($ST)" $?
echo all > $SIB_D/reregister
send_join 11 3
[ "$ST" = 0x8 ] && [ "$REFUSED" -eq 0 ]
ktap_check "modern SA, joined right after a re-register: SendOnlyFullMember ($ST)" $?

# OPA-style ClassPortInfo: not an IB SA's, nothing known.
sa_change modern opa smchange
wait_cpi
send_join 12 3
[ "$ST" = 0x8 ] && [ "$REFUSED" -eq 0 ]
ktap_check "OPA-style ClassPortInfo: SendOnlyFullMember ($ST)" $?

# ipoib_sendonly on a kernel that does the right thing itself: inert.
if ktap_have_module ipoib_sendonly && modprobe ipoib_sendonly; then
	sa_change legacy answer smchange
	wait_cpi
	send_join 7 3
	ktap_diag "$(grep kernel: $ISO/status)"
	ktap_diag "$(dmesg | grep 'ipoib_sendonly: .*inert' | tail -n 2)"
	state_is "$(iso_port sib0)/rewritten" 0 &&
		[ "$ST" = 0x1 ] && grep -q 'kernel: .*auto is inert' $ISO/status &&
		dmesg | grep -q 'sib0 port 1: .*already does what auto does (inert)'
	ktap_check "ipoib_sendonly (auto) on the patched IPoIB: nothing rewritten, says it is inert ($ST)" $?
	rmmod ipoib_sendonly
else
	ktap_skip "ipoib_sendonly on the patched IPoIB" "ipoib_sendonly was not built"
fi

sib_cleanup
rmmod ib_cm ib_core
ktap_check "the patched modules unload" $?
ktap_finish
