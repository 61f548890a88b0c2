#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Control-plane churn: every control interface of the suite written
# concurrently, at random and validly, while IPoIB unicast and multicast
# and UD multicast traffic run on rdma_sib, for RB_CHURN_SECS (30) seconds:
#  - rdma_sib: SA personality and ClassPortInfo answer, client re-register
#    and SM change events, an HCA added, renamed and removed;
#  - ipoib_sendonly: the policy parameter, relearn;
#  - rdma_mcast_noloop: whole rule sets replaced.
# Afterwards IPoIB still works, every module unloads, and the harness
# checks the kernel log (and, on the debug kernel, KASAN, lockdep and
# kmemleak) as after every test.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"

ktap_need_modules rdma_sib ipoib_sendonly rdma_mcast_noloop rb_test_mcast
SECS=${RB_CHURN_SECS:-30}
C=/sys/kernel/debug/rb_test_mcast/cmd
R=/sys/kernel/rdma_mcast_noloop/rules
P=/sys/module/ipoib_sendonly/parameters/policy
RUN=/tmp/churn.run
G=ff12:601b:ffff:0000:0000:0000:0000:5151
trap 'rm -f $RUN; wait; rmmod rb_test_mcast rdma_mcast_noloop ipoib_sendonly 2>/dev/null; sib_cleanup' EXIT

# pick WORD...: one of the words, at random.
pick() { local a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }

# worker NAME CMD...: run CMD until $RUN goes; counts in /tmp/churn.NAME
# how often it ran and how often it failed (valid commands may still fail
# under churn, e.g. an HCA not there any more, or a UD group an SM event
# just took away; that is not what is tested). A failure pauses a little.
worker()
{
	local name=$1 ok=0 bad=0
	shift
	while [ -e $RUN ]; do
		if "$@" > /dev/null 2>&1; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
			sleep 0.1
		fi
	done
	echo "$ok $bad" > /tmp/churn.$name
}

sib_ctl()
{
	case $((RANDOM % 6)) in
	0) pick modern legacy > $SIB_D/sa/personality ;;
	1) pick answer refuse opa busy drop > $SIB_D/sa/class_port_info_answer ;;
	2) pick all sib0 sib1 > $SIB_D/reregister ;;
	3) pick all sib0 sib1 > $SIB_D/smchange ;;
	4) echo 1 > $SIB_D/add_hca && sleep 0.2 &&
		h=$(ls /sys/class/infiniband | grep -vx 'sib[01]' | head -n 1) &&
		rdma dev set "$h" name "x$h" && echo "x$h" > $SIB_D/del_hca ;;
	5) sleep 0.1 ;;
	esac
}

ipoib_so_ctl()
{
	if [ $((RANDOM % 4)) -eq 0 ]; then
		echo 1 > /sys/kernel/debug/ipoib_sendonly/relearn
	else
		echo "$(pick auto full sendonly-full off)" > $P
	fi
}

noloop_ctl()
{
	pick "" "block dev=sib0 creator=kernel" "block dev=* type=ud" \
		"allow dev=sib1 creator=user; block dev=*" \
		"block dev=sib0; allow creator=user uid=0" > /tmp/churn.rules
	dd if=/tmp/churn.rules of=$R bs=64k 2> /dev/null
}

ipoib_mcast() { sib_mcast_send a $SIB_IP_A "239.30.0.$((RANDOM % 20 + 1))" 1; }
ipoib_ping() { ip netns exec a ping -c 1 -W 1 $SIB_IP_B; }

# ud_round: a UD QP on sib0 attached to the group sends 5 datagrams; a
# join an SM event took away is made again first.
ud_round()
{
	echo "destroy x" > $C 2> /dev/null
	echo "qp x sib0 1 0" > $C || return 1
	if ! echo "attach x $G" > $C 2> /dev/null; then
		echo "leave sib0 1 $G" > $C 2> /dev/null
		echo "join sib0 1 $G 1" > $C && echo "attach x $G" > $C || return 1
	fi
	echo "send x $G 5" > $C
}

ktap_plan 5
ktap_run "rdma_sib and IPoIB up" sib_setup
modprobe ipoib_sendonly && modprobe rdma_mcast_noloop && modprobe rb_test_mcast &&
	echo "join sib0 1 $G 1" > $C && echo "join sib1 1 $G 1" > $C
ktap_check "ipoib_sendonly, rdma_mcast_noloop and rb_test_mcast loaded, UD group joined" $?

touch $RUN
worker sib sib_ctl &
worker iso ipoib_so_ctl &
worker noloop noloop_ctl &
worker mcast ipoib_mcast &
worker ping ipoib_ping &
worker ud ud_round &
sleep "$SECS"
rm -f $RUN
wait
for w in sib iso noloop mcast ping ud; do
	read -r ok bad < /tmp/churn.$w
	ktap_diag "$w: $ok done, $bad refused"
done
read -r writes _ < /tmp/churn.sib
[ "$writes" -gt 0 ]
ktap_check "$SECS s of concurrent control writes and traffic ($writes rdma_sib control writes)" $?

# Back to a quiet subnet, then IPoIB must still carry unicast.
echo answer > $SIB_D/sa/class_port_info_answer && echo modern > $SIB_D/sa/personality &&
	echo auto > $P && echo > $R
echo all > $SIB_D/smchange
sib_wait_carrier a ib0 && sib_wait_carrier b ib1
ktap_run "IPoIB unicast works afterwards" ip netns exec a ping -c 3 -W 5 $SIB_IP_B

rmmod rb_test_mcast && rmmod rdma_mcast_noloop && rmmod ipoib_sendonly && sib_cleanup
rc=$?
for m in rb_test_mcast rdma_mcast_noloop ipoib_sendonly ib_ipoib rdma_sib; do
	[ -e /sys/module/$m ] && rc=1
done
ktap_check "every module unloads" $rc
ktap_finish
