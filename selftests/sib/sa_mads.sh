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
#  - the SA's error counters count them (debugfs "sa").
# The harness fails the test on any oops, WARNING or BUG in the kernel log.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

BIN=$(cd "$(dirname "$0")" && pwd)/bin
[ -x "$BIN/sa_mad" ] || ktap_skip_all "no bin/sa_mad (host-prepare did not run)"
modinfo rdma_sib > /dev/null 2>&1 || ktap_skip_all "rdma_sib was not built"
trap 'rmmod ib_umad 2>/dev/null; rmmod rdma_sib 2>/dev/null' EXIT

ktap_plan 13
modprobe rdma_sib num_hcas=1 && modprobe ib_umad
rc=$?
ktap_check "rdma_sib with one HCA, ib_umad loaded" $rc
[ $rc -eq 0 ] || ktap_finish
n=0
until ls /dev/infiniband/umad* > /dev/null 2>&1 || [ $n -gt 50 ]; do
	n=$((n + 1))
	sleep 0.1
done

errors() { awk '$3 == "errors" || $4 == "errors" { s += $5 } END { print s + 0 }' "$SIB_D"/sa; }
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
while read -r l; do ktap_diag "$l"; done < "$SIB_D"/sa
[ $((e1 - e0)) -ge 8 ]
ktap_check "the SA's error counters count the refused requests ($((e1 - e0)))" $?
ktap_finish
