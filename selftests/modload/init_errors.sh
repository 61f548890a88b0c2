#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Every module's init error paths: rb_test_fault makes one kernel function
# fail for the module being loaded (ib_register_device() for rdma_sib's
# second HCA, ib_register_client(), register_kprobe(), ...). Each load must
# fail with that error and leave nothing behind: the module gone, no rdma_sib
# device or debugfs directory left, no reference held on ib_core, and a load
# without the fault then works (the runner checks dmesg after the test; the
# debug lane adds KASAN, lockdep and kmemleak).
#
# rdma_sib's failing load runs while another task writes 1 to its add_hca
# file in a loop: before the fix of its init error path, an add in the
# window between the HCAs' teardown and the control file's removal
# registered a device whose module was then freed.
. "$(dirname "$0")/../lib/ktap.sh"

ktap_have_module rb_test_fault || ktap_skip_all "rb_test_fault was not built"
ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
SIB_ADD=/sys/kernel/debug/rdma_sib/add_hca
writer=
trap 'kill $writer 2>/dev/null; rmmod rb_test_fault 2>/dev/null' EXIT

# fault_load MODULE FUNC NTH [MODPARAM...]: load MODULE with FUNC returning
# FAULT_ERR (default -ENOMEM; 0 for a function that returns NULL on failure)
# from its NTH call on (calls MODULE's init makes), for FAULT_TIMES calls
# (default 100); print why it is wrong, if it is.
# FAULT_NO_RELOAD=1 leaves out the load without the fault afterwards;
# FAULT_DELAY=FUNC makes each call of FUNC from MODULE spin 20 ms first.
fault_load()
{
	local m=$1 f=$2 nth=$3 out hits ref0
	shift 3
	ref0=$(cat /sys/module/ib_core/refcnt)
	if ! out=$(modprobe rb_test_fault func="$f" module="$m" nth="$nth" times="${FAULT_TIMES:-100}" \
			err="${FAULT_ERR:--12}" ${FAULT_DELAY:+delay_func=$FAULT_DELAY delay_ms=20} 2>&1); then
		echo "rb_test_fault func=$f: $out"
		return
	fi
	if out=$(modprobe "$m" "$@" 2>&1); then
		echo "$m loaded although $f failed"
		rmmod "$m"
	elif ! echo "$out" | grep -qi "cannot allocate memory"; then
		echo "$m failed otherwise than with -ENOMEM: $out"
	fi
	hits=$(cat /sys/module/rb_test_fault/parameters/hits)
	rmmod rb_test_fault
	[ "$hits" -ge 1 ] || echo "$f was never called by $m's init"
	[ -d "/sys/module/$m" ] && echo "$m still loaded"
	[ -e /sys/kernel/debug/"$m" ] && echo "debugfs $m left behind"
	[ "$m" = rdma_mcast_noloop ] && [ -e /sys/kernel/"$m" ] && echo "sysfs $m left behind"
	[ "$m" = rdma_sib ] && ls /sys/class/infiniband 2>/dev/null | grep -q '^sib' &&
		echo "rdma_sib devices left: $(ls /sys/class/infiniband)"
	[ "$(cat /sys/module/ib_core/refcnt)" = "$ref0" ] ||
		echo "ib_core refcnt $ref0 before, $(cat /sys/module/ib_core/refcnt) after"
	if [ -n "${FAULT_NO_RELOAD:-}" ]; then
		:
	elif ! out=$(modprobe "$m" "$@" 2>&1); then
		echo "$m does not load afterwards: $out"
	elif ! rmmod "$m"; then
		echo "$m does not unload afterwards"
	fi
}

# fault_case NAME MODULE FUNC NTH [MODPARAM...]
fault_case()
{
	local name=$1 err
	shift
	err=$(fault_load "$@")
	if [ -z "$err" ]; then
		ktap_pass "$name"
	else
		ktap_diag "$err"
		ktap_fail "$name"
	fi
}

modprobe ib_core
ktap_plan 16

fault_case "rdma_sib: first HCA's registration fails" \
	rdma_sib ib_register_device 1 num_hcas=3
fault_case "rdma_sib: third HCA's registration fails, two torn down" \
	rdma_sib ib_register_device 3 num_hcas=3
fault_case "rdma_sib: its ib_client (the HCAs' debugfs directories) cannot register" \
	rdma_sib ib_register_client 1

# The race of the init error path: 20 loads whose second HCA fails, add_hca
# written throughout (the adds are not failed: another task makes them);
# each unregistration of the unwinding spins 20 ms first, so an add lands
# in it if add_hca still adds. Before the fix, one did: a device outlived
# its module.
(while :; do echo 1 2>/dev/null > $SIB_ADD; done) 2>/dev/null &
writer=$!
err=
for i in $(seq 20); do
	e=$(FAULT_NO_RELOAD=1 FAULT_TIMES=1 FAULT_DELAY=ib_unregister_device \
		fault_load rdma_sib ib_register_device 2 num_hcas=3)
	[ -n "$e" ] && { err="load $i: $e"; break; }
done
kill $writer
wait $writer 2>/dev/null
writer=
if [ -z "$err" ]; then
	modprobe rdma_sib num_hcas=3 && [ "$(ls /sys/class/infiniband | grep -c '^sib')" = 3 ] &&
		rmmod rdma_sib || err="rdma_sib does not load with three HCAs afterwards"
fi
[ -z "$err" ] || ktap_diag "$err"
ktap_check "rdma_sib: 20 failing loads while 1 is written to its add_hca file" \
	"$([ -z "$err" ]; echo $?)"

# The other modules' error paths run with HCAs present (their clients see
# devices; ipoib_sendonly queries their SA) and IPoIB loaded.
modprobe rdma_sib num_hcas=2
modprobe ib_ipoib
# rdma_mcast_noloop's init makes /sys/kernel/rdma_mcast_noloop and its
# devices/ (kobject_create_and_add() calls 1, 2), registers its client,
# whose add() makes devices/<device>/ and its files for each HCA present,
# in order (one kobject_create_and_add() from call 3 on, one
# sysfs_create_group() from call 1 on, each), arms its kprobes, and makes
# rules and hooks/ last (sysfs_create_group() calls NDEV + 1, NDEV + 2).
NDEV=$(ls /sys/class/infiniband | wc -l)
fault_case "rdma_mcast_noloop: ib_register_client() fails" \
	rdma_mcast_noloop ib_register_client 1
fault_case "rdma_mcast_noloop: its first kprobe fails" \
	rdma_mcast_noloop register_kprobe 1
fault_case "rdma_mcast_noloop: its second kprobe fails, the first is removed" \
	rdma_mcast_noloop register_kprobe 2
FAULT_ERR=0 fault_case "rdma_mcast_noloop: its sysfs directory cannot be made" \
	rdma_mcast_noloop kobject_create_and_add 1
FAULT_ERR=0 FAULT_TIMES=1 fault_case "rdma_mcast_noloop: devices/ cannot be made, the directory above removed" \
	rdma_mcast_noloop kobject_create_and_add 2
fault_case "rdma_mcast_noloop: rules cannot be made, the devices' directories removed" \
	rdma_mcast_noloop sysfs_create_group $((NDEV + 1))
FAULT_TIMES=1 fault_case "rdma_mcast_noloop: hooks/ cannot be made, rules removed" \
	rdma_mcast_noloop sysfs_create_group $((NDEV + 2))

# mcnl_dev_case NAME FUNC NTH: the first HCA's directory or its files
# cannot be made (FUNC's NTH call fails, that one only): that device is not
# tracked, the load works with the others' directories, says so, and the
# module unloads.
mcnl_dev_case()
{
	local name=$1 f=$2 nth=$3 dev0 out err=
	dev0=$(ls /sys/class/infiniband | head -n 1)
	dmesg -c > /dev/null
	if ! out=$(modprobe rb_test_fault func="$f" module=rdma_mcast_noloop nth="$nth" times=1 \
			err="${FAULT_ERR:--12}" 2>&1); then
		err="rb_test_fault func=$f: $out"
	elif ! out=$(modprobe rdma_mcast_noloop 2>&1); then
		err="rdma_mcast_noloop does not load: $out"
		rmmod rb_test_fault
	else
		[ "$(cat /sys/module/rb_test_fault/parameters/hits)" = 1 ] || err="$f not failed once"
		rmmod rb_test_fault
		[ "$(ls /sys/kernel/rdma_mcast_noloop/devices | xargs)" = \
		  "$(ls /sys/class/infiniband | grep -vx "$dev0" | xargs)" ] ||
			err="${err:+$err; }devices/: $(ls /sys/kernel/rdma_mcast_noloop/devices | xargs)"
		dmesg | grep -q "device $dev0 not tracked: no sysfs directory" ||
			err="${err:+$err; }no message for $dev0"
		rmmod rdma_mcast_noloop || err="${err:+$err; }does not unload"
	fi
	[ -e /sys/kernel/rdma_mcast_noloop ] && err="${err:+$err; }sysfs directory left behind"
	[ -z "$err" ] || ktap_diag "$err"
	ktap_check "$name" "$([ -z "$err" ]; echo $?)"
}
FAULT_ERR=0 mcnl_dev_case "rdma_mcast_noloop: a device's directory cannot be made: loads without it" \
	kobject_create_and_add 3
mcnl_dev_case "rdma_mcast_noloop: a device's files cannot be made: loads without its directory" \
	sysfs_create_group 1
fault_case "ipoib_sendonly: ib_register_client() fails" \
	ipoib_sendonly ib_register_client 1
fault_case "ipoib_sendonly: the module notifier cannot be registered" \
	ipoib_sendonly register_module_notifier 1
# Its first register_kprobe() asks whether a symbol exists (a refusal
# there only means "no"); the second arms the join hook.
fault_case "ipoib_sendonly: the join kprobe fails, devices and queries torn down" \
	ipoib_sendonly register_kprobe 2
rmmod ib_ipoib rdma_sib
ktap_finish
