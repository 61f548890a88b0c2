#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The agents of rdma_sib's HCAs answer infiniband-diags as a hardware
# HCA's do:
#  - smpquery (subnet management agent on QP0, LID-routed from sib0 to
#    sib1's port): nodeinfo with sib1's node GUID, portinfo with its LID
#    and the SM LID, nodedesc with its node description; directed route
#    to the local port (hop count 0) too; an attribute the SMA lacks
#    (switchinfo) fails;
#  - perfquery (performance management agent on QP1) from the counters the
#    port's hw_counters show:
#  - perfquery of sib1's port from sib0 after IPoIB pings: its PortRcvPkts
#    and PortXmitPkts lie between sib1's rx_pkts and tx_pkts read just
#    before and just after (the query and its answer are packets too),
#    its data counters between those of rx_bytes and tx_bytes in 4-byte
#    words; "perfquery -x" (PortCountersExtended) the same;
#  - "perfquery -R" resets them, and hw_counters with them;
#  - a query of port 2 (the HCAs have one) fails;
#  - 500 random LID-routed SMPs and PerfMgt MADs (bin/sa_mad, when
#    host-prepare built it) are each answered, the response-bit ones
#    ignored, and NodeInfo and PortCounters still answered afterwards;
#    the kernel log stays clean (the harness checks).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

command -v perfquery > /dev/null && command -v smpquery > /dev/null ||
	ktap_skip_all "no perfquery or smpquery (infiniband-diags)"
ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
trap 'sib_cleanup; rmmod ib_umad 2>/dev/null' EXIT

OUT=/tmp/perfquery.out
P1=/sys/class/infiniband/sib1/ports/1

# pq ARGS...: perfquery from sib0's port into $OUT; its status.
pq()
{
	perfquery -C sib0 -P 1 "$@" > $OUT 2>&1
}

# field NAME: a counter of $OUT.
field() { awk -F. -v n="$1:" '$1 == n { print $NF }' $OUT; }

# hw: sib1's four counters, "rx_pkts tx_pkts rx_words tx_words".
hw()
{
	echo "$(sib_port_counter sib1 rx_pkts) $(sib_port_counter sib1 tx_pkts)" \
		"$(($(sib_port_counter sib1 rx_bytes) / 4)) $(($(sib_port_counter sib1 tx_bytes) / 4))"
}

# between LO HI V...: each V is within [LO, HI] of the same position.
between()
{
	local -a lo=($1) hi=($2) v=($3)
	local i
	for i in 0 1 2 3; do
		[ "${v[$i]}" -ge "${lo[$i]}" ] && [ "${v[$i]}" -le "${hi[$i]}" ] || return 1
	done
}

# query ARGS...: perfquery of sib1's port between two reads of its
# counters; "rx tx rxdata txdata" from PMA in $pma, the reads in $b, $a.
query()
{
	b=$(hw)
	pq "$@" "$lid1" 1 || { ktap_diag "perfquery $*: $(head -c 400 $OUT)"; return 1; }
	a=$(hw)
	pma="$(field PortRcvPkts) $(field PortXmitPkts) $(field PortRcvData) $(field PortXmitData)"
	ktap_diag "perfquery $*: rx, tx packets, rx, tx words: before $b; PMA $pma; after $a"
	between "$b" "$a" "$pma"
}

# sq ARGS...: smpquery from sib0's port into $OUT; its status.
sq()
{
	smpquery -C sib0 -P 1 "$@" > $OUT 2>&1
}

ktap_plan 11
ktap_run "two HCAs, IPoIB up, ib_umad" eval 'sib_setup && modprobe ib_umad'
slowwait 5 test -e /dev/infiniband/umad1
lid1=$(($(cat $P1/lid)))

guid=0x$(tr -d : < /sys/class/infiniband/sib1/node_guid)
sq nodeinfo "$lid1" && grep -qi "^Guid:\.*$guid$" $OUT && grep -q "NodeType:\.*Channel Adapter" $OUT
rc=$?
[ $rc -eq 0 ] || ktap_diag "$(head -c 800 $OUT)"
ktap_check "smpquery nodeinfo $lid1: a channel adapter, node GUID $guid" $rc

sm=$(($(cat $P1/sm_lid)))
sq portinfo "$lid1" 1 && grep -q "^Lid:\.*$lid1$" $OUT && grep -q "^SMLid:\.*$sm$" $OUT &&
	grep -q "^LinkState:\.*Active" $OUT
rc=$?
[ $rc -eq 0 ] || ktap_diag "$(head -c 800 $OUT)"
ktap_check "smpquery portinfo $lid1 1: LID $lid1, SM LID $sm, Active" $rc

desc=$(cat /sys/class/infiniband/sib1/node_desc)
sq nodedesc "$lid1" && grep -qF "$desc" $OUT
rc=$?
[ $rc -eq 0 ] || ktap_diag "$(head -c 400 $OUT)"
ktap_check "smpquery nodedesc $lid1: '$desc'" $rc

guid0=0x$(tr -d : < /sys/class/infiniband/sib0/node_guid)
ok=0
sq -D nodeinfo 0 && grep -qi "^Guid:\.*$guid0$" $OUT && ok=1
[ $ok -eq 1 ] || ktap_diag "$(head -c 400 $OUT)"
# Refused by the SMA with an error status, not left unanswered.
if sq switchinfo "$lid1" || grep -qi "timed out" $OUT; then
	ok=0
	ktap_diag "switchinfo: $(head -c 400 $OUT | tr '\n' ' ')"
fi
ktap_check "smpquery -D nodeinfo 0: the local port ($guid0); switchinfo answered with an error (no switch SMA)" $((1 - ok))

ip netns exec a ping -q -c 20 -i 0.05 -W 5 $SIB_IP_B > /dev/null
query
rc=$?
[ $rc -eq 0 ] && [ "$(field PortRcvPkts)" -ge 20 ] && [ "$(field PortXmitPkts)" -ge 20 ]
ktap_check "perfquery of LID $lid1 port 1: the packets and data words hw_counters count (20 pings and more)" $?

query -x
ktap_check "perfquery -x: PortCountersExtended the same" $?

grep -q 'CapMask: 0x0*400\b' $OUT
ktap_check "ClassPortInfo: CapMask 0x400 (extended counters without the unicast/multicast ones)" $?

# Reset: the PMA and hw_counters start again from the query's own packets.
before=$(sib_port_counter sib1 rx_pkts)
pq -R "$lid1" 1
rc=$?
after=$(sib_port_counter sib1 rx_pkts)
pq "$lid1" 1
ktap_diag "rx_pkts $before before perfquery -R, $after after; PortRcvPkts then $(field PortRcvPkts)"
[ $rc -eq 0 ] && [ "$after" -lt 5 ] && [ "$(field PortRcvPkts)" -lt 10 ]
ktap_check "perfquery -R: counters reset, hw_counters' too" $?

# Refused by the PMA with an error status, not for want of an answer
# (a query nobody answers ends in "timed out").
pq "$lid1" 2
rc=$?
ktap_diag "perfquery port 2: $(head -c 300 $OUT | tr '\n' ' ')"
[ $rc -ne 0 ] && ! grep -qi "timed out" $OUT
ktap_check "a query of port 2 is answered with an error (the HCA has one port)" $?
BIN=$(cd "$(dirname "$0")" && pwd)/bin
if [ -x "$BIN/sa_mad" ]; then
	"$BIN/sa_mad" -s "$RANDOM" sib0 agents "$lid1" 500 > /tmp/sa_mad.out 2>&1
	rc=$?
	ktap_diag "$(grep -v '^ok' /tmp/sa_mad.out | head -5)"
	ktap_check "500 random SMPs and PerfMgt MADs to LID $lid1: each answered, responses ignored; NodeInfo and PortCounters still answered" $rc
else
	ktap_skip "500 random SMPs and PerfMgt MADs" "no bin/sa_mad (host-prepare did not run)"
fi
ktap_finish
