#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Monitors come and go while IPoIB traffic runs, with a capture open on
# them; rmmod with a capture open; load/unload cycles (RB_CYCLES, 50) with a
# monitor up each time. The data path never notices: the pings all come
# back, and the references of rdma_sib and ib_core are back where they
# were.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/sniffer.sh"

snf_require
ping=
trap '[ -n "$ping" ] && kill $ping 2>/dev/null; snf_cleanup' EXIT
CYCLES=${RB_CYCLES:-50}
T=/tmp/snf-life

ktap_plan 9
mkdir -p $T
ktap_run "IPoIB on sib0 and sib1" sib_setup
modprobe rdma_sniffer_sib
ktap_check "rdma_sniffer_sib loaded" $?

# Steady traffic for the whole create/destroy loop.
ip netns exec a ping -i 0.1 -W 5 $SIB_IP_B > $T/ping.log 2>&1 &
ping=$!
ok=0
for i in $(seq 10); do
	if ! snf_new sib0 1 || ! ip link set sib0p1s up; then
		ok=1
		break
	fi
	snf_capture sib0p1s $T/c$i.pcap || ok=1
	busywait_for_counter 10 1 $SNF_D/monitors/sib0p1s/mirrored || ok=1
	# Removed with its capture open: tcpdump sees it go.
	snf_del sib0 1 || ok=1
	slowwait 20 bash -c "! kill -0 $SNF_PID 2>/dev/null" || ok=1
	[ -n "$(snf_count $T/c$i.pcap)" ] || ok=1
done
kill -INT $ping
wait $ping
ping=
# Lost: echo requests with no reply while later ones had theirs (the
# holes between the first and the last sequence number answered: busybox
# counts from 0, iputils from 1). The requests after it
# were still in flight when SIGINT stopped ping: as many as a round trip
# lasts in 0.1 s intervals, several on a loaded debug kernel under TCG.
lost=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(icmp_)?seq=[0-9]+$/) {
		s = $i; sub(/^(icmp_)?seq=/, "", s); s += 0
		if (!(s in got)) { got[s] = 1; n++ }
		if (n == 1 || s < min) min = s
		if (s > max) max = s } }
	END { if (n) print max - min + 1 - n }' $T/ping.log)
ktap_check "10 monitors made, captured from, removed with tcpdump open, during a ping" $ok
ktap_diag "$(tail -n 2 $T/ping.log)"
[ -n "$lost" ] && [ "$lost" -eq 0 ]
ktap_check "the ping lost nothing meanwhile (${lost:-?} unanswered before its last reply)" $?

# rmmod with a capture open, traffic running.
snf_new sib0 1 && ip link set sib0p1s up && snf_capture sib0p1s $T/rmmod.pcap
ip netns exec a ping -c 20 -i 0.1 -W 5 $SIB_IP_B > $T/ping2.log 2>&1 &
ping=$!
busywait_for_counter 10 1 $SNF_D/monitors/sib0p1s/mirrored
rmmod rdma_sniffer_sib && rmmod rdma_sniffer
rc=$?
slowwait 20 bash -c "! kill -0 $SNF_PID 2>/dev/null"
ended=$?
[ $rc -eq 0 ] && [ $ended -eq 0 ] && ! [ -e /sys/class/net/sib0p1s ]
ktap_check "rmmod rdma_sniffer_sib rdma_sniffer with tcpdump open: the monitor is gone, tcpdump ended" $?
wait $ping
rc=$?
ping=
ktap_check "the ping running across the rmmod got every answer" $rc

# Load/unload cycles, each with a monitor up and listened to.
ref_sib=$(cat /sys/module/rdma_sib/refcnt) ref_core=$(cat /sys/module/ib_core/refcnt)
err=
for i in $(seq "$CYCLES"); do
	modprobe rdma_sniffer_sib && snf_new sib0 1 && ip link set sib0p1s up ||
		{ err="load $i failed"; break; }
	if [ $((i % 10)) -eq 1 ]; then
		snf_capture sib0p1s $T/cycle.pcap || { err="capture $i failed"; break; }
		ip netns exec a ping -c 1 -W 5 $SIB_IP_B > /dev/null
	fi
	rmmod rdma_sniffer_sib && rmmod rdma_sniffer || { err="unload $i failed"; break; }
done
[ -z "$err" ]
ktap_check "$CYCLES load/unload cycles with a monitor up${err:+: $err}" $?
r1=$(cat /sys/module/rdma_sib/refcnt) r2=$(cat /sys/module/ib_core/refcnt)
[ "$r1" = "$ref_sib" ] && [ "$r2" = "$ref_core" ]
ktap_check "references of rdma_sib ($ref_sib -> $r1) and ib_core ($ref_core -> $r2) unchanged" $?
ktap_run "IPoIB still works: ping a -> b" ip netns exec a ping -c 3 -W 5 $SIB_IP_B
ktap_finish
