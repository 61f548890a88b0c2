#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_sib's SA answers what a real SA answers, and survives garbage: MADs
# from user space (ib_umad, bin/sa_mad) to the SM's LID:
#  - unknown attribute, undefined method, GetTable, Set of ClassPortInfo,
#    class version 3, an MCMemberRecord join without components, a leave
#    of no group, a PathRecord to an unknown GID: each the IBA status;
#  - 500 random SA requests: every one answered, every response-bit MAD
#    ignored; ClassPortInfo still answered afterwards;
#  - the SA's error counters count them (debugfs sa/<attr>/errors).
# The harness fails the test on any oops, WARNING or BUG in the kernel log.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

sib_umad_require
BIN=$SIB_BIN

ktap_plan 13
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
[ $((e1 - e0)) -ge 8 ]
ktap_check "the SA's error counters count the refused requests ($((e1 - e0)))" $?
ktap_finish
