#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ipoib_sendonly's life cycle on one rdma_sib HCA: the policy parameter
# rejects bad values and keeps the previous one; IPoIB's SA client is
# recognised at the first join IPoIB makes (its broadcast join at link up),
# whether ib_ipoib came before or after the module, forgotten when ib_ipoib
# unloads, and recognised again when it comes back (possibly elsewhere),
# after which its send-only joins are handled again; the kprobe is listed
# while loaded and gone after rmmod. A port's state is a directory of
# files, ports/<device>/<port>/: made for an HCA added later, removed with
# one removed while its files are read, and following a device rename.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/ipoib_sendonly.sh"

ktap_have_module ipoib_sendonly || ktap_skip_all "ipoib_sendonly was not built"
ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
P=/sys/module/ipoib_sendonly/parameters/policy
IP=192.168.50.1
S0=$(iso_port sib0)
READING=/tmp/lifecycle.read
status() { grep "^ipoib_sa_client:" $ISO/status | cut -d' ' -f2; }
trap 'rm -f $READING; wait; rmmod ipoib_sendonly 2>/dev/null; rmmod ib_ipoib 2>/dev/null; rmmod rdma_sib 2>/dev/null' EXIT

# recognised: how many times the kernel log says IPoIB's client was found.
recognised() { dmesg | grep -c "ipoib_sendonly: IPoIB's SA client recognised"; }

# ib0_up: bring IPoIB's link on sib0 up and wait for its carrier, which
# IPoIB turns on once it has joined the broadcast group (20 s at most).
ib0_up()
{
	slowwait 10 test -e /sys/class/net/ib0 || { ktap_diag "no ib0 after 10 s"; return 1; }
	ip link set ib0 up || return 1
	ip addr add $IP/24 dev ib0 2> /dev/null
	state_wait /sys/class/net/ib0/carrier 1 20 ||
		{ ktap_diag "ib0 has no carrier after 20 s"; return 1; }
}

# sendonly_join_seen GROUP: send to GROUP (a send-only join for IPoIB),
# once a second, until the module has counted one more send-only join on
# sib0 (10 s at most).
sendonly_join_seen()
{
	local c0
	c0=$(state_num "$S0/sendonly") || return 1
	for _ in $(seq 10); do
		echo x | socat -u - UDP4-DATAGRAM:"$1":5000,ip-multicast-if=$IP,ip-multicast-ttl=1 2> /dev/null
		busywait_for_counter 1 $((c0 + 1)) "$S0/sendonly" && return 0
	done
	return 1
}

# reader: read every port file of the module until $READING goes.
reader()
{
	while [ -e $READING ]; do
		cat $ISO/ports/*/*/* > /dev/null 2>&1
	done
}

ktap_plan 18

modprobe rdma_sib num_hcas=1 && modprobe ib_ipoib
ktap_run "loads with ib_ipoib present" modprobe ipoib_sendonly
[ "$(status)" = not ]
rc=$?
ktap_check "IPoIB's SA client not claimed before IPoIB joins anything (status: $(status))" $rc
r0=$(recognised)
ib0_up
[ "$(status)" = found ] && [ "$(recognised)" -gt "$r0" ]
rc=$?
ktap_check "IPoIB's SA client recognised at its first join, ib_ipoib loaded before the module (status: $(status))" $rc
grep -q 'ib_sa_join_multicast' /sys/kernel/debug/kprobes/list
ktap_check "kprobe on ib_sa_join_multicast listed" $?

# One value per file: the SA (modern, answering) has been asked.
state_wait "$S0/sm_cap" sendonly-full 10 && iso_port_files "$S0" &&
	[[ "$(state_get "$S0/learned")" =~ ^[0-9]+\ s\ ago$ ]]
rc=$?
ktap_check "sib0 port 1: a file per value, sm_cap $(state_get "$S0/sm_cap"), learned '$(state_get "$S0/learned")'" $rc

# Bad values: -EINVAL, a message naming the problem, previous value kept.
echo full > $P
bad=0
for v in bogus " " auto1 FULL "sendonly" "$(head -c 300 /dev/zero | tr '\0' x)"; do
	if echo -n "$v" > $P 2>/dev/null; then
		ktap_diag "accepted '$v'"
		bad=1
	fi
done
[ "$(cat $P)" = full ] || { ktap_diag "policy now $(cat $P)"; bad=1; }
dmesg | grep -q "policy: 'bogus' is not one of auto, full, sendonly-full, off" ||
	{ ktap_diag "no error message in dmesg"; bad=1; }
ktap_check "bad policy values rejected, previous policy kept" $bad
bad=0
for v in auto full sendonly-full off auto; do
	echo $v > $P || bad=1
	[ "$(cat $P)" = $v ] || bad=1
done
ktap_check "every valid policy accepted and read back" $bad

# An HCA added later gets its directory (nothing learned yet while the SA
# does not answer), and loses it when removed while its files are read.
echo drop > $SIB_D/sa/class_port_info_answer
touch $READING
reader &
echo 1 > $SIB_D/add_hca
S1=$(iso_port sib1)
slowwait 10 iso_port_files "$S1" 2> /dev/null && state_is "$S1/learned" never
rc=$?
ktap_check "HCA sib1 added: its port's files, learned '$(state_get "$S1/learned")' while the SA does not answer" $rc
echo answer > $SIB_D/sa/class_port_info_answer
echo 1 > $ISO/relearn
state_wait "$S1/sm_cap" sendonly-full 10 &&
	[[ "$(state_get "$S1/learned")" =~ ^[0-9]+\ s\ ago$ ]]
rc=$?
ktap_check "sib1 asked again once the SA answers: learned '$(state_get "$S1/learned")'" $rc
echo sib1 > $SIB_D/del_hca && ! [ -e $ISO/ports/sib1 ] && [ -d "$S0" ]
rc=$?
ktap_check "HCA sib1 removed while its files are read: its directory is gone, sib0's stays" $rc

# A renamed device's directory follows its name, its files still read.
if ! out=$(rdma dev set sib0 name foo0 2>&1); then
	ktap_skip "sib0 renamed foo0: its directory follows" "rdma dev set: $out"
	ktap_skip "renamed back to sib0: its directory follows" "no rename"
else
	! [ -e $ISO/ports/sib0 ] && iso_port_files "$(iso_port foo0)"
	rc=$?
	ktap_check "sib0 renamed foo0: its files are under ports/foo0/1/ only" $rc
	rdma dev set foo0 name sib0 && ! [ -e $ISO/ports/foo0 ] && iso_port_files "$S0"
	rc=$?
	ktap_check "renamed back to sib0: its files are under ports/sib0/1/ again" $rc
fi
rm -f $READING
wait

# ib_ipoib goes and comes back (possibly elsewhere): forgotten when it goes,
# recognised afresh at the first join of the new instance.
rmmod ib_ipoib
[ "$(status)" = not ]
rc=$?
ktap_check "client forgotten when ib_ipoib unloads (status: $(status))" $rc
modprobe veth	# move ib_ipoib's next load address
modprobe ib_ipoib
r0=$(recognised)
ib0_up
[ "$(status)" = found ] && [ "$(recognised)" -gt "$r0" ]
rc=$?
ktap_check "client recognised again when ib_ipoib reloads after the module (status: $(status))" $rc
sendonly_join_seen 239.1.2.3
rc=$?
ktap_check "the reloaded IPoIB's send-only joins are handled ($(state_get "$S0/sendonly") seen)" $rc

ktap_run "unloads" rmmod ipoib_sendonly
if grep -q 'ib_sa_join_multicast' /sys/kernel/debug/kprobes/list; then
	ktap_fail "no kprobe left after rmmod"
else
	ktap_pass "no kprobe left after rmmod"
fi
if modprobe ipoib_sendonly policy=nonsense 2>/dev/null; then
	ktap_fail "load with a bad policy parameter refused"
	rmmod ipoib_sendonly
else
	ktap_pass "load with a bad policy parameter refused"
fi
ktap_finish
