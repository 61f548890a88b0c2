#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_sib's SA gives the MLIDs of deleted groups out again. Its switch
# loaded with a multicast forwarding table of 64 MLIDs (mft_cap=64, the
# broadcast group holding one), so the wrap comes after 63 groups instead of
# 16383: 200 groups created and deleted one after the other by joins and
# leaves from user space (ib_umad, bin/sa_mad cycle), every join and leave
# answered with status 0, the MLIDs wrapping around within 0xc000-0xc03f, no
# group left behind; then 63 groups at once fill the table, the next join
# that would create one is refused with "insufficient resources" (0x0100)
# and succeeds once one of them is left.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

sib_umad_require
BIN=$SIB_BIN

CYCLES=200
CAP=64
LAST=$((0xc000 + CAP - 1))
LAST_HEX=$(printf 0x%04x $LAST)
CREATE=(qkey=0x0b1b0001 pkey=0xffff sl=0 flow=0 tclass=0)
G=ff12:601b:ffff:0000:0000:0000:3c00:0001

# val KEY TEXT: KEY's value in sa_mad's KEY=VALUE output TEXT.
val() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

ktap_plan 8
sib_umad_up 1 mft_cap=$CAP

out=$("$BIN/sa_mad" sib0 cycle $CYCLES "$G" "${CREATE[@]}" 2>&1)
rc=$?
ktap_diag "sa_mad cycle: $out"
[ $rc -eq 0 ] && [ "$(val ok "$out")" = $CYCLES ]
ktap_check "$CYCLES group creations and deletions, every join and leave answered 0x0000" $?
[ "$(val wraps "$out")" -ge 1 ] && [ "$(val ok "$out")" = $CYCLES ] &&
	[ $(($(val mlid_min "$out"))) -ge $((0xc000)) ] &&
	[ $(($(val mlid_max "$out"))) -le $LAST ]
ktap_check "MLIDs of deleted groups given out again, all in 0xc000-$LAST_HEX" $?
[ "$(grep -c '^group' "$SIB_D"/groups)" -eq 1 ] && grep -q '^group .* permanent' "$SIB_D"/groups
ktap_check "no group left behind but the broadcast group" $?
out=$("$BIN/sa_mad" sib0 join "$G" "${CREATE[@]}" 2>&1)
ktap_diag "a join creating the group again: $out"
mlid=$(($(val mlid "$out")))
[ "$(val status "$out")" = 0x0000 ] && [ "$mlid" -ge $((0xc000)) ] && [ "$mlid" -le $LAST ]
ktap_check "a group created afterwards gets an MLID" $?
"$BIN/sa_mad" sib0 leave "$G" "${CREATE[@]}" > /dev/null 2>&1

# The table full: 63 groups besides the broadcast group.
bad= first=
for i in $(seq $((CAP - 1))); do
	out=$("$BIN/sa_mad" sib0 join "${G%:*}:$(printf %04x $((0x100 + i)))" "${CREATE[@]}" 2>&1)
	[ "$(val status "$out")" = 0x0000 ] || { bad="join $i: $out"; break; }
	[ "$i" = 1 ] && first=$(val mlid "$out")
done
out=$("$BIN/sa_mad" sib0 join "${G%:*}:0fff" "${CREATE[@]}" 2>&1)
ktap_diag "${bad:-$((CAP - 1)) groups made}; one more: $out"
[ -z "$bad" ] && [ "$(val status "$out")" = 0x0100 ]
ktap_check "a full forwarding table: the next new group is refused with 0x0100" $?
"$BIN/sa_mad" sib0 leave "${G%:*}:0101" "${CREATE[@]}" > /dev/null 2>&1
out=$("$BIN/sa_mad" sib0 join "${G%:*}:0fff" "${CREATE[@]}" 2>&1)
ktap_diag "after one left: $out"
[ "$(val status "$out")" = 0x0000 ] && [ "$(val mlid "$out")" = "$first" ]
ktap_check "... and made once a group is left, with the MLID that freed ($first)" $?
sib_sa_diag
ktap_run "modules unload" rmmod ib_umad rdma_sib
ktap_finish
