#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rdma_sib at run time: an HCA added while IPoIB is up gets its own IPoIB
# link and reaches the others, and its debugfs directory follows a rename;
# removing it takes the link away and leaves the rest working; malformed
# input to the debugfs files that take any is refused with -EINVAL and a
# message, and changes nothing; 50 load/unload cycles (RB_CYCLES) of
# rdma_sib with IPoIB traffic running each time.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
trap 'kill $pinger 2>/dev/null; sib_cleanup' EXIT

# ib_link_here: an IPoIB link in this namespace (ib0 and ib1 moved away).
ib_link_here() { ls /sys/class/net | grep -q '^ib'; }
# link_gone DEV: network device DEV is gone.
link_gone() { ! [ -e /sys/class/net/"$1" ]; }

ktap_plan 7
ktap_run "two HCAs, IPoIB up" sib_setup

echo 1 > $SIB_D/add_hca
slowwait 10 ib_link_here
new=$(ls /sys/class/net | grep '^ib' | head -n 1)
ip addr add 192.168.50.3/24 dev "$new" && ip link set "$new" up
slowwait 20 state_is /sys/class/net/"$new"/carrier 1
state_is $SIB_D/sib2/state ACTIVE && ip netns exec a ping -c 3 -W 5 192.168.50.3 > /dev/null
ktap_check "hot-added sib2: its IPoIB link ($new) reachable from namespace a" $?

# sib2's LID is 4 (SIB_FIRST_LID + its index), whatever its name.
if ! rdma dev set sib2 name sibren 2> /dev/null; then
	ktap_skip "rename: the rdma tool cannot rename devices here"
else
	state_is $SIB_D/sibren/lid 4 && ! [ -e $SIB_D/sib2 ] &&
		rdma dev set sibren name sib2 &&
		state_is $SIB_D/sib2/lid 4 && ! [ -e $SIB_D/sibren ]
	ktap_check "sib2 renamed to sibren and back: its debugfs directory follows" $?
fi

echo sib2 > $SIB_D/del_hca
slowwait 10 link_gone "$new"
link_gone "$new" && ! [ -e $SIB_D/sib2 ] &&
	ip netns exec a ping -c 2 -W 5 $SIB_IP_B > /dev/null
ktap_check "hot-removed sib2: link gone, the others still talk" $?

# FILE:INPUT, each to be refused with a message naming FILE.
bad=0
for c in "add_hca:bogus" "add_hca:3" "add_hca:" "del_hca:" "del_hca:sib9" \
	 "sa/personality:" "sa/personality:ancient" "sa/class_port_info_answer:never" \
	 "reregister:sib9" "smchange:sib9" "hold:2" "hold:yes" "del_hca:$(head -c 100 /dev/zero | tr '\0' x)"; do
	f=${c%%:*} v=${c#*:}
	dmesg -c > /dev/null
	if printf '%s\n' "$v" | dd of=$SIB_D/"$f" 2>/dev/null; then
		ktap_diag "accepted: '$v' in $f"
		bad=1
	elif ! dmesg | grep -q "rdma_sib: $f:"; then
		ktap_diag "no message for '$v' in $f"
		bad=1
	fi
done
[ "$(ls -d $SIB_D/sib* | wc -l)" -eq 2 ] && state_is $SIB_D/sa/personality modern &&
	state_is $SIB_D/sa/class_port_info_answer answer && state_is $SIB_D/hold 0 || bad=1
ktap_check "malformed input refused, state unchanged" $bad

sib_cleanup
# 50 cycles (RB_CYCLES): load, IPoIB up, ping while unloading.
CYCLES=${RB_CYCLES:-50}
err=
for i in $(seq "$CYCLES"); do
	modprobe rdma_sib || { err="load $i"; break; }
	modprobe ib_ipoib
	slowwait 10 test -e /sys/class/net/ib1
	ip addr add $SIB_IP_A/24 dev ib0 2>/dev/null
	ip link set ib0 up; ip link set ib1 up
	ping -c 50 -i 0.01 -W 1 192.168.50.255 -b > /dev/null 2>&1 &
	pinger=$!
	sleep 0.3
	rmmod rdma_sib || { err="unload $i"; break; }
	kill $pinger 2>/dev/null; wait $pinger 2>/dev/null
done
[ -z "$err" ] && ! [ -d /sys/module/rdma_sib ]
ktap_check "$CYCLES load/unload cycles with IPoIB traffic ${err:+($err)}" $?
ktap_run "ib_ipoib unloads after" rmmod ib_ipoib
ktap_finish
