#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_sib's SA answers what a real SA answers, and survives garbage: MADs
# from user space (ib_umad, bin/sa_mad) to the SM's LID:
#  - unknown attribute, undefined method, GetTable of ClassPortInfo, Set of
#    ClassPortInfo, class version 3, an MCMemberRecord join without
#    components, a leave of no group, a PathRecord to an unknown GID, a
#    PathRecord GetTable with a selector component: each the IBA status;
#  - a PathRecord GetTable from an agent without RMPP: its one segment
#    comes back whole; nothing ACKs it, so the SA sends it again a few
#    times and then gives the transfer up (debugfs sa/get_table/); with
#    another such transfer running, rdma_sib unloads;
#  - 500 random SA requests: every one answered, every response-bit MAD
#    ignored; ClassPortInfo still answered afterwards;
#  - the SA's error counters count them (debugfs sa/<attr>/errors).
# The harness fails the test on any oops, WARNING or BUG in the kernel log.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

sib_umad_require
BIN=$SIB_BIN

ktap_plan 17
sib_umad_up 1

errors() { cat "$SIB_D"/sa/*/errors | awk '{ s += $1 } END { print s + 0 }'; }
e0=$(errors)
"$BIN/sa_mad" -n 500 -s "$RANDOM" sib0 > /tmp/sa_mad.out 2>&1
rc=$?
[ $rc -eq 2 ] && { ktap_diag "$(cat /tmp/sa_mad.out)"; ktap_fail "sa_mad could not use sib0"; ktap_finish; }
# Each of sa_mad's own "ok"/"not ok" lines is one check.
while read -r line; do
	case $line in
	"ok "*) ktap_pass "${line#ok }" ;;
	"not ok "*) ktap_fail "${line#not ok }" ;;
	*) ktap_diag "$line" ;;
	esac
done < /tmp/sa_mad.out
e1=$(errors)
ktap_diag "SA errors $e0 -> $e1"
sib_sa_diag
[ $((e1 - e0)) -ge 9 ]
ktap_check "the SA's error counters count the refused requests ($((e1 - e0)))" $?
# 5 resends 200 ms apart, then the ABORT.
G=$SIB_D/sa/get_table
gave_up() { [ "$(state_get $G/aborted)" -ge 1 ] && [ "$(state_get $G/resent)" -ge 5 ]; }
slowwait 5 gave_up
rc=$?
ktap_check "an unACKed GetTable answer is sent again, then given up (resent $(state_get $G/resent), aborted $(state_get $G/aborted))" $rc
# rmmod while an answer waits for its ACK: the transfer ends with the module.
t=$(state_get $G/tables)
"$BIN/sa_mad" sib0 gettable > /tmp/sa_mad.out 2>&1 && [ "$(state_get $G/tables)" -gt "$t" ] &&
	rmmod ib_umad && rmmod rdma_sib
ktap_check "rdma_sib unloads while a GetTable answer waits for its ACK" $?
ktap_finish
