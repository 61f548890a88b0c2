#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The switch rdma_sib's HCAs hang from answers infiniband-diags as a
# managed switch does, by directed route and by its LID (1, where the
# embedded SM sits):
#  - ibnetdiscover from sib0 finds one switch (rdma_sib switch, GUID
#    0x0002c903000a0000, 62 ports) and each of the three HCAs at switch
#    port index + 1 with its node GUID, and nothing else;
#  - smpquery -D nodeinfo 0,1 is the switch (LocalPort 1: sib0's link),
#    0,1,3 sib2 (its port GUID), through the switch and back;
#  - smpquery switchinfo 1 (LID-routed) gives LinearFDBTop 4 (sib2's LID)
#    and MulticastFDBCap 16383; portinfo 1 5 a port without an HCA: Down;
#    no tool warns of a field it cannot show;
#  - sminfo: the master SM at LID 1, GUID 0x0002c903000a0000;
#  - ibroute 1: LIDs 1 to 4 by ports 0 to 3; ibroute -M 1: the IPoIB
#    broadcast group's MLID by the ports of sib0 and sib1, whose IPoIB
#    links joined it (sib2's is down);
#  - malformed directed-route SMPs (bad hop pointer or count, a path on
#    out of port 0, of a port beyond the switch's or without an HCA,
#    returning at its first hop, a LID-routed end) are discarded and
#    counted (switch/smp_dropped), 300 random ones leave the switch and
#    sib1 answering (bin/sa_mad dr), and the kernel log clean (the
#    harness checks);
#  - saquery lists the switch's NodeRecord; removing sib2 takes switch
#    port 3 down.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

command -v ibnetdiscover > /dev/null && command -v smpquery > /dev/null ||
	ktap_skip_all "no ibnetdiscover or smpquery (infiniband-diags)"
ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
trap 'sib_cleanup; rmmod ib_umad 2>/dev/null' EXIT

OUT=/tmp/switch.out
SW_GUID=0002c903000a0000
SW=$SIB_D/switch

# guid HCA: its node GUID, 16 hex digits.
guid() { tr -d : < /sys/class/infiniband/"$1"/node_guid; }

# run CMD ARGS...: CMD from sib0's port into $OUT; its status. Printed
# when the check that follows fails.
run()
{
	local cmd=$1
	shift
	"$cmd" -C sib0 -P 1 "$@" > $OUT 2>&1
}

# show: the start of $OUT, for a failed check.
show() { ktap_diag "$(head -c 1200 $OUT)"; }

ktap_plan 10
ktap_run "three HCAs, IPoIB up on two, ib_umad" \
	eval 'sib_setup && echo 1 > $SIB_D/add_hca && modprobe ib_umad'
slowwait 5 test -e /dev/infiniband/umad2

ok=1
run ibnetdiscover || ok=0
[ "$(grep -c '^Switch' $OUT)" -eq 1 ] && [ "$(grep -c '^Ca' $OUT)" -eq 3 ] || ok=0
grep -Eq "^Switch[[:space:]]+62 \"S-$SW_GUID\".*\"rdma_sib switch\"" $OUT || ok=0
for i in 0 1 2; do
	grep -Eq "^\[$((i + 1))\][[:space:]]+\"H-$(guid sib$i)\"\[1\]" $OUT || ok=0
done
[ $ok -eq 1 ] || show
ktap_check "ibnetdiscover: one switch ($SW_GUID, 62 ports), sib0-2 at its ports 1-3" $((1 - ok))

ok=1
run smpquery -D nodeinfo 0,1 && grep -q "^NodeType:\.*Switch" $OUT &&
	grep -qi "^Guid:\.*0x$SW_GUID$" $OUT && grep -q "^LocalPort:\.*1$" $OUT || ok=0
[ $ok -eq 1 ] || show
run smpquery -D nodeinfo 0,1,3 && grep -qi "^PortGuid:\.*0x$(guid sib2)$" $OUT || ok=0
[ $ok -eq 1 ] || show
ktap_check "smpquery -D nodeinfo 0,1: the switch, come in by port 1; 0,1,3: sib2" $((1 - ok))

lid2=$(($(cat /sys/class/infiniband/sib2/ports/1/lid)))
ok=1
run smpquery switchinfo 1 && grep -q "^LinearFdbTop:\.*$lid2$" $OUT &&
	grep -q "^McastFdbCap:\.*16383$" $OUT || ok=0
[ $ok -eq 1 ] || show
run smpquery portinfo 1 5 && grep -q "^LinkState:\.*Down" $OUT &&
	! grep -q ibwarn $OUT || ok=0
[ $ok -eq 1 ] || show
ktap_check "smpquery switchinfo 1: LinearFDBTop $lid2, MulticastFDBCap 16383; portinfo 1 5: Down" $((1 - ok))

run sminfo && grep -qi "sm lid 1 sm guid 0x0*${SW_GUID#000}, .*SMINFO_MASTER" $OUT
rc=$?
[ $rc -eq 0 ] || show
ktap_check "sminfo: the master SM at LID 1, GUID $SW_GUID" $rc

ok=1
run ibroute 1 || ok=0
grep -q "^0x0001 000 " $OUT || ok=0
for i in 0 1 2; do
	l=$(($(cat /sys/class/infiniband/sib$i/ports/1/lid)))
	grep -q "^$(printf '0x%04x %03d ' "$l" $((i + 1)))" $OUT || ok=0
done
[ $ok -eq 1 ] || show
ktap_check "ibroute 1: LID 1 by port 0, each HCA's LID by its port" $((1 - ok))

mlid=$(awk '/^group ff12:401b:ffff:0000:0000:0000:ffff:ffff/ { print $4 }' $SIB_D/groups)
ok=1
run ibroute -M 1 "$mlid" "$mlid" && line=$(grep "^$mlid " $OUT) || ok=0
# Ports 1 and 2 (sib0 and sib1, whose IPoIB joined; sib2's is down)
# marked "x" in the row of the MLID, in the columns of ports 1 and 2.
marks=$(echo "${line#"$mlid"}" | tr -cd x | wc -c)
ktap_diag "ibroute -M: MLID $mlid: '$line'"
[ "$marks" -eq 2 ] && [[ "$line" =~ ^$mlid\ +x\ x( |$) ]] || ok=0
[ $ok -eq 1 ] || show
ktap_check "ibroute -M 1: the broadcast group's MLID $mlid by ports 1 and 2 (sib0's and sib1's)" $((1 - ok))

BIN=$(cd "$(dirname "$0")" && pwd)/bin
if [ -x "$BIN/sa_mad" ]; then
	# The eight malformed ones alone, then again with 300 random ones.
	d0=$(cat $SW/smp_dropped)
	"$BIN/sa_mad" sib0 dr 10 0 > /tmp/sa_mad.out 2>&1
	rc=$?
	d1=$(cat $SW/smp_dropped)
	"$BIN/sa_mad" -s "$RANDOM" sib0 dr 10 300 >> /tmp/sa_mad.out 2>&1 || rc=1
	ktap_diag "$(grep -v '^ok' /tmp/sa_mad.out | head -8)"
	ktap_diag "switch: smp_answered $(cat $SW/smp_answered), smp_forwarded $(cat $SW/smp_forwarded), smp_dropped $d0 -> $d1 (malformed) -> $(cat $SW/smp_dropped)"
	[ $rc -eq 0 ] && [ $((d1 - d0)) -eq 8 ]
	ktap_check "malformed directed-route SMPs discarded and counted, 300 random ones; the switch and sib1 still answer" $?
else
	ktap_skip "malformed and random directed-route SMPs" "no bin/sa_mad (host-prepare did not run)"
fi

# The SA's NodeRecords now include the switch's.
command -v saquery > /dev/null && run saquery &&
	grep -q "NodeDescription\.*rdma_sib switch" $OUT
rc=$?
[ $rc -eq 0 ] || show
ktap_check "saquery: the switch's NodeRecord too" $rc

echo sib2 > $SIB_D/del_hca
run smpquery portinfo 1 3 && grep -q "^LinkState:\.*Down" $OUT
rc=$?
[ $rc -eq 0 ] || show
ktap_check "sib2 removed: switch port 3 Down" $rc
ktap_finish
