#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_sib's SA answers GetTable with RMPP, as infiniband-diags' saquery
# asks it, and the tables say what the subnet is:
#  - an IPoIB subnet of two HCAs: "saquery" gives every HCA's NodeRecord
#    (the GUIDs sysfs gives) and the switch's, "saquery -g" the IPoIB broadcast group at
#    MLID 0xc000, "saquery -m" one member record per member the SA's own
#    table (debugfs groups) lists, the broadcast group's with JoinState
#    FullMember, "saquery PR" a path for every ordered pair of ports,
#    "saquery PIR" each port's PortInfo (LID, capability mask, state and
#    SM LID as sysfs gives them), "saquery SMIR" the master SM at the SM
#    LID;
#  - twenty HCAs: "saquery PR" gives all 400 paths, 128 segments of a
#    window the requester opens 64 segments at a time, none sent again
#    unless the requester was slow to ACK;
#  - the SA counts the tables it sent (debugfs sa/get_table/) and has
#    given none up.
# The harness fails the test on any oops, WARNING or BUG in the kernel log.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

command -v saquery > /dev/null || ktap_skip_all "no saquery (infiniband-diags)"
ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
trap 'sib_cleanup; rmmod ib_umad 2>/dev/null' EXIT

G=$SIB_D/sa/get_table
OUT=/tmp/saquery.out

# sq ARGS...: saquery on sib0's port into $OUT; its status.
sq()
{
	saquery -C sib0 -P 1 "$@" > $OUT 2>&1
	local rc=$?
	[ $rc -eq 0 ] || ktap_diag "saquery $*: status $rc: $(head -c 300 $OUT)"
	return $rc
}

# records NAME: how many "NAME dump:" records $OUT holds.
records() { grep -c "$1 dump:" $OUT; }

ktap_plan 11
ktap_run "two HCAs, IPoIB up, ib_umad" eval 'sib_setup && modprobe ib_umad'
slowwait 5 test -e /dev/infiniband/umad1
t0=$(state_get $G/tables)

# Every HCA's NodeRecord, with the node GUID sysfs gives.
ok=0
if sq; then
	ok=1
	[ "$(records NodeRecord)" -eq 3 ] || ok=0
	for ca in sib0 sib1; do
		guid=0x$(tr -d : < /sys/class/infiniband/$ca/node_guid)
		grep -qi "node_guid\.*$guid" $OUT || { ktap_diag "$ca: $guid not in the table"; ok=0; }
	done
	grep -qi "node_guid\.*0x0002c903000a0000" $OUT || { ktap_diag "the switch not in the table"; ok=0; }
fi
[ $ok -eq 1 ] || ktap_diag "$(head -c 600 $OUT)"
ktap_check "saquery: a NodeRecord for each of the 2 HCAs and the switch, with its node GUID" $((1 - ok))

# The broadcast group: its MGID and MLID 0xc000.
ok=0
if sq -g; then
	grep -qi 'mgid\.*ff12:401b:ffff::ffff:ffff' $OUT && grep -qi 'mlid\.*0xc000' $OUT && ok=1
fi
[ $ok -eq 1 ] || ktap_diag "$(head -c 600 $OUT)"
ktap_check "saquery -g: the IPoIB broadcast group, MLID 0xc000" $((1 - ok))

# A member record per member of the SA's own table; both ports in the
# broadcast group as FullMember (ScopeState: scope 2, JoinState 1). IPoIB
# may still be joining groups (IPv6 addresses coming up): compared again,
# up to five times a second apart, until the two agree.
ok=0
for try in 1 2 3 4 5; do
	members=$(awk '$1 == "member"' "$SIB_D"/groups | wc -l)
	if sq -m && [ "$(records 'MCMemberRecord member')" -eq "$members" ] &&
		[ "$(awk '/MGID\./ { g = /\.ff12:401b:ffff::ffff:ffff$/ } g && /ScopeState\.+0x21$/' $OUT | wc -l)" -eq 2 ]; then
		ok=1
		break
	fi
	sleep 1
done
[ $ok -eq 1 ] || { ktap_diag "$(cat "$SIB_D"/groups)"; ktap_diag "$(head -c 1200 $OUT)"; }
ktap_check "saquery -m: $members member records as debugfs groups lists (try $try), both ports FullMember of the broadcast group" $((1 - ok))

ok=0
if sq PR; then
	[ "$(records PathRecord)" -eq 4 ] && ok=1
fi
[ $ok -eq 1 ] || ktap_diag "$(head -c 600 $OUT)"
ktap_check "saquery PR: 4 paths between 2 ports" $((1 - ok))

# Every HCA's PortInfoRecord, as sysfs describes the port; one by LID.
ok=0
if sq PIR; then
	ok=1
	[ "$(records PortInfoRecord)" -eq 2 ] || ok=0
	for ca in sib0 sib1; do
		P=/sys/class/infiniband/$ca/ports/1
		lid=$(printf %d "$(cat $P/lid)") cap=$(printf %x "$(cat $P/cap_mask)")
		awk -v lid="$lid" '/EndPortLid/ { sub(/.*\./, ""); l = $0 }
			/^[[:space:]]*Lid:/ && l == lid { sub(/.*\./, ""); print l, $0 }' $OUT |
			grep -qx "$lid $lid" || { ktap_diag "$ca: no record of LID $lid"; ok=0; }
		grep -qi "CapMask:\.*0x0*$cap\b" $OUT || { ktap_diag "$ca: CapMask 0x$cap not in the table"; ok=0; }
	done
	[ "$(grep -c 'LinkState:\.*Active' $OUT)" -eq 2 ] || ok=0
	[ "$(grep -c 'SMLid:\.*1$' $OUT)" -eq 2 ] || ok=0
fi
lid1=$(printf %d "$(cat /sys/class/infiniband/sib1/ports/1/lid)")
if [ $ok -eq 1 ] && sq PIR "$lid1"; then
	[ "$(records PortInfoRecord)" -eq 1 ] && grep -q "EndPortLid\.*$lid1$" $OUT || ok=0
else
	ok=0
fi
[ $ok -eq 1 ] || ktap_diag "$(head -c 1500 $OUT)"
ktap_check "saquery PIR: a PortInfoRecord for each of the 2 ports (LID, CapMask, Active, SM LID as sysfs says); PIR $lid1: one" $((1 - ok))

# The SM the embedded SA speaks for: at the SM LID sysfs gives, master.
ok=0
sm=$(printf %d "$(cat /sys/class/infiniband/sib0/ports/1/sm_lid)")
if sq SMIR; then
	[ "$(records SMInfoRecord)" -eq 1 ] && grep -q "LID\.*$sm$" $OUT &&
		grep -qi "SMState\.*3\|SMState\.*master" $OUT && ok=1
fi
[ $ok -eq 1 ] || ktap_diag "$(head -c 600 $OUT)"
ktap_check "saquery SMIR: one SMInfoRecord, LID $sm, master" $((1 - ok))

t1=$(state_get $G/tables)
[ $((t1 - t0)) -ge 7 ] && [ "$(state_get $G/aborted)" -eq 0 ]
ktap_check "sa/get_table: $((t1 - t0)) tables sent, none given up" $?
sib_cleanup
rmmod ib_umad 2>/dev/null

# Twenty HCAs: 400 paths of 64 bytes, 128 segments, past the window of 64.
ktap_run "twenty HCAs, ib_umad" eval 'modprobe rdma_sib num_hcas=20 && modprobe ib_umad'
slowwait 5 test -e /dev/infiniband/umad19
s0=$(state_get $G/segments)
ok=0
if sq PR; then
	[ "$(records PathRecord)" -eq 400 ] && ok=1
fi
[ $ok -eq 1 ] || ktap_diag "$(tail -c 600 $OUT)"
s1=$(state_get $G/segments)
ktap_check "saquery PR: 400 paths between 20 ports ($((s1 - s0)) segments)" $((1 - ok))
# A timeout (200 ms without an ACK that moves the window) sends segments
# again: on a loaded machine (a KASAN kernel under TCG beside other VMs)
# that is the sender doing its job, said but not failed. Without one,
# every segment went exactly once.
re=$(state_get $G/resent)
if [ "$re" -eq 0 ]; then
	[ $((s1 - s0)) -eq 128 ]
else
	ktap_diag "$re timeouts, $((s1 - s0)) segments sent: the requester was slow to ACK"
	[ $((s1 - s0)) -gt 128 ]
fi && [ "$(state_get $G/aborted)" -eq 0 ]
ktap_check "128 segments sent, each once unless a timeout resent it ($re timeouts), none given up" $?
ktap_finish
