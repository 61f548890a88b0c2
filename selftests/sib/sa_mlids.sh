#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_sib's SA gives the MLIDs of deleted groups out again: 16400 groups
# created and deleted one after the other, more than the 16383 MLIDs of
# 0xc000-0xfffe, by joins and leaves from user space (ib_umad, bin/sa_mad
# cycle): every join and every leave is answered with status 0, the MLIDs
# wrap around, no group is left behind, and a group created afterwards
# still gets an MLID.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

sib_umad_require
BIN=$SIB_BIN

CYCLES=16400
CREATE=(qkey=0x0b1b0001 pkey=0xffff sl=0 flow=0 tclass=0)
G=ff12:601b:ffff:0000:0000:0000:3c00:0001

# val KEY TEXT: KEY's value in sa_mad's KEY=VALUE output TEXT.
val() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

ktap_plan 6
sib_umad_up 1

out=$("$BIN/sa_mad" sib0 cycle $CYCLES "$G" "${CREATE[@]}" 2>&1)
rc=$?
ktap_diag "sa_mad cycle: $out"
[ $rc -eq 0 ] && [ "$(val ok "$out")" = $CYCLES ]
ktap_check "$CYCLES group creations and deletions, every join and leave answered 0x0000" $?
[ "$(val wraps "$out")" -ge 1 ] && [ "$(val ok "$out")" = $CYCLES ] &&
	[ $(($(val mlid_min "$out"))) -ge $((0xc000)) ] &&
	[ $(($(val mlid_max "$out"))) -le $((0xfffe)) ]
ktap_check "MLIDs of deleted groups given out again, all in 0xc000-0xfffe" $?
[ "$(grep -c '^group' "$SIB_D"/groups)" -eq 1 ] && grep -q '^group .* permanent' "$SIB_D"/groups
ktap_check "no group left behind but the broadcast group" $?
out=$("$BIN/sa_mad" sib0 join "$G" "${CREATE[@]}" 2>&1)
ktap_diag "a join creating the group again: $out"
mlid=$(($(val mlid "$out")))
[ "$(val status "$out")" = 0x0000 ] && [ "$mlid" -ge $((0xc000)) ] && [ "$mlid" -le $((0xfffe)) ]
ktap_check "a group created afterwards gets an MLID" $?
while read -r l; do ktap_diag "$l"; done < "$SIB_D"/sa
ktap_run "modules unload" rmmod ib_umad rdma_sib
ktap_finish
