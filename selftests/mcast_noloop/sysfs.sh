#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_mcast_noloop's sysfs, one value per file: rules, hooks/<creator> and
# devices/<device>/<value>, a directory for each RDMA device, which
#  - holds can_block, seen, flagged and skip_<reason>, counting that
#    device's QPs only;
#  - follows its device's new name (rdma dev set NAME name NEW);
#  - goes with its device, also while readers loop over every file and with
#    one of its files held open (which then reads as an error), and with
#    the module likewise.
# The harness fails the test on any kernel report the removals leave.
. "$(dirname "$0")/../lib/ktap.sh"

ktap_need_modules rdma_sib rdma_mcast_noloop rb_test_mcast
M=/sys/kernel/rdma_mcast_noloop
D=$M/devices
C=/sys/kernel/debug/rb_test_mcast/cmd
FILES="can_block flagged seen skip_allow skip_already skip_no_cap skip_no_rule skip_unsupported"
CYCLES=$(( ${RB_CYCLES:-50} / 5 ))
reader=
trap 'kill $reader 2>/dev/null; exec 3<&-; rmmod rb_test_mcast rdma_mcast_noloop rdma_sib 2>/dev/null' EXIT

# names DIR: the entries of DIR, sorted, on one line.
names() { ls "$1" 2>/dev/null | LC_ALL=C sort | xargs; }

# one_value_files DEV: devices/DEV holds $FILES, each one word on one line.
one_value_files()
{
	local f
	[ "$(names $D/$1)" = "$FILES" ] || { echo "devices/$1: $(names $D/$1)"; return 1; }
	for f in $FILES; do
		[ "$(wc -l < $D/$1/$f)" = 1 ] && grep -qxE '[a-z0-9]+' $D/$1/$f ||
			{ echo "devices/$1/$f: '$(cat $D/$1/$f)'"; return 1; }
	done
}

# read_all: read every file of the module, forever (a reader racing the
# removals below; a file gone under it is an error, not a crash).
read_all() { while :; do cat $M/rules $M/hooks/* $D/*/* > /dev/null 2>&1; done; }

ktap_plan 9
modprobe rdma_sib num_hcas=2 && modprobe rdma_mcast_noloop && modprobe rb_test_mcast
ktap_check "rdma_sib with two HCAs, rdma_mcast_noloop and rb_test_mcast loaded" $?

want=$(names /sys/class/infiniband)
if [ "$(names $M)" = "devices hooks rules" ] && [ "$(names $M/hooks)" = "armed kernel user" ] &&
   [ "$(names $D)" = "$want" ]; then
	ktap_pass "rules, hooks/{armed,kernel,user}, and devices/<device>/ for each RDMA device ($want)"
else
	ktap_diag "$M: $(names $M); hooks: $(names $M/hooks); devices: $(names $D); RDMA devices: $want"
	ktap_fail "rules, hooks/{armed,kernel,user}, and devices/<device>/ for each RDMA device ($want)"
fi

err=$(one_value_files sib0 && one_value_files sib1)
rc=$?
[ $rc -eq 0 ] && [ "$(state_get $D/sib0/can_block)" = yes ] || { rc=1; ktap_diag "$err"; }
ktap_check "each device's directory: $FILES, one value per file" $rc

# Before the first rule the hooks are not armed: a QP is not even looked
# at. With a rule for sib1 only, a kernel UD QP on sib0 is counted there
# (no rule matched it), not on sib1.
echo "qp a sib0 1 0" > $C
n0=$(state_get $D/sib0/seen)
echo "block dev=sib1" > $M/rules && echo "qp c sib0 1 0" > $C
[ "$n0" = 0 ] && [ "$(state_get $D/sib0/seen)" = 1 ] &&
	[ "$(state_get $D/sib0/skip_no_rule)" = 1 ] && [ "$(state_get $D/sib1/seen)" = 0 ]
rc=$?
[ $rc -eq 0 ] || ktap_diag "without a rule: $n0 seen; $(grep -r . $D | xargs)"
echo clear > $M/rules
ktap_check "no rule yet: a QP not looked at; a rule for sib1: a QP on sib0 counted in devices/sib0/ only" $rc

# A rename: the directory follows, with its counters; rules name the new
# name; and back.
if ! command -v rdma > /dev/null; then
	ktap_skip "devices/<device>/ follows a rename" "no rdma tool in the guest"
else
	rdma dev set sib0 name mcnl0 &&
		[ "$(names $D)" = "mcnl0 sib1" ] && [ "$(state_get $D/mcnl0/seen)" = 1 ] &&
		echo "block dev=mcnl0 creator=kernel" > $M/rules &&
		echo "qp b mcnl0 1 0" > $C && [ "$(state_get $D/mcnl0/flagged)" = 1 ] &&
		echo clear > $M/rules &&
		rdma dev set mcnl0 name sib0 &&
		[ "$(names $D)" = "sib0 sib1" ] && [ "$(state_get $D/sib0/seen)" = 2 ]
	rc=$?
	[ $rc -eq 0 ] || ktap_diag "devices: $(names $D); $(grep -r . $D | xargs)"
	ktap_check "devices/sib0/ follows sib0 renamed mcnl0 (counters kept, dev=mcnl0 rule flags) and back" $rc
fi

# The devices go (rdma_sib unloaded) while a file of sib1 is held open.
echo "destroy a" > $C
echo "destroy c" > $C
echo "destroy b" > $C 2> /dev/null
rmmod rb_test_mcast
exec 3< $D/sib1/seen
rmmod rdma_sib && [ -z "$(names $D)" ] && ! cat <&3 > /dev/null 2>&1
rc=$?
exec 3<&-
ktap_check "a device's directory goes with it; a file of it held open reads as an error" $rc

# Devices come and go under a reader of every file.
read_all &
reader=$!
err=
for i in $(seq $CYCLES); do
	modprobe rdma_sib num_hcas=2 || { err="load $i"; break; }
	[ "$(names $D)" = "sib0 sib1" ] || { err="load $i: devices $(names $D)"; break; }
	rmmod rdma_sib || { err="unload $i"; break; }
	[ -z "$(names $D)" ] || { err="unload $i: devices $(names $D)"; break; }
done
[ -z "$err" ] || ktap_diag "$err"
ktap_check "$CYCLES times rdma_sib's devices added and removed under a reader of every file" \
	"$([ -z "$err" ]; echo $?)"

# The module goes under that reader, and with a device's file held open.
modprobe rdma_sib num_hcas=2
err=
for i in $(seq $CYCLES); do
	exec 3< $D/sib0/seen || { err="open $i"; break; }
	rmmod rdma_mcast_noloop || { err="unload $i"; break; }
	[ -e $M ] && { err="unload $i: $M left"; break; }
	cat <&3 > /dev/null 2>&1 && { err="unload $i: open file still read"; break; }
	exec 3<&-
	modprobe rdma_mcast_noloop || { err="load $i"; break; }
done
exec 3<&-
kill $reader
wait $reader 2> /dev/null
reader=
[ -z "$err" ] || ktap_diag "$err"
ktap_check "$CYCLES times the module unloaded under a reader and with a file held open" \
	"$([ -z "$err" ]; echo $?)"

ktap_run "modules unload" rmmod rdma_mcast_noloop rdma_sib
ktap_finish
