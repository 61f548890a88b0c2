#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# IPoIB between two rdma_sib ports, captured with tcpdump on the monitor
# of sib0's port from before IPoIB comes up: the monitor's MTU is its
# largest frame and it shows no offload, so tcpdump's ring has slots for
# more frames than the test makes and the file holds exactly what the
# monitor says it mirrored, sib0's own packets marked outgoing and the
# rest incoming, and tshark decodes BTH and DETH on every frame, the pings
# as IPv4/ICMP and IPoIB's SA MCMemberRecord joins (Set, JoinState
# FullMember) with the SA's answers, each frame with its own time stamp.
# Down, the monitor copies nothing. The monitor's poll is made a softirq,
# as on one CPU, where rdma_sib's unicast frames go to the stack from its
# delivery at once and its multicast ones through the queue (the other
# tests leave it threaded where there are two CPUs).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/sniffer.sh"

snf_require
trap snf_cleanup EXIT
M=sib0p1s
MD=$SNF_D/monitors/$M
T=/tmp/snf-capture

ktap_plan 19
mkdir -p $T
ktap_run "rdma_sib, rdma_sniffer, rdma_sniffer_sib load" modprobe rdma_sniffer_sib
snf_new sib0 1 && [ -d /sys/class/net/$M ] && [ -d $MD ]
ktap_check "new_monitor sib0 1 makes $M and its debugfs directory" $?
t=$(cat /sys/class/net/$M/type) dev=$(state_get $MD/device) port=$(state_get $MD/port)
[ "$t" = 1 ] && [ "$dev" = sib0 ] && [ "$port" = 1 ] && [ "$(state_get $MD/backend)" = rdma_sib ]
ktap_check "$M: ARPHRD_ETHER ($t), device $dev, port $port" $?
# libpcap's ring for tcpdump --immediate-mode has slots of MTU + 18 bytes,
# or 65553 where the device shows an offload: 31 slots in its 2 MB then.
mtu=$(cat /sys/class/net/$M/mtu)
feat=$(ethtool -k $M 2>&1)
rc=$?
off=$(echo "$feat" | grep -E '^(tcp-segmentation|generic-segmentation|generic-receive|large-receive)-offload: on')
[ $rc -eq 0 ] || ktap_diag "ethtool -k $M: $feat"
[ $rc -eq 0 ] && [ "$mtu" = 4210 ] && [ -z "$off" ]
ktap_check "$M: MTU $mtu (4224-byte frames), no offload${off:+: $off}" $?

# ib_sa asks the SA's ClassPortInfo after the port's ACTIVE event, a moment
# after the HCA came: wait for the answer (the first packet sib0 receives),
# or it may come between the starts of the three captures.
busywait_for_counter 10 1 /sys/class/infiniband/sib0/ports/1/hw_counters/rx_pkts ||
	ktap_diag "sib0 received nothing before IPoIB"
thr=/sys/class/net/$M/threaded
if [ -e $thr ]; then
	echo 0 > $thr && [ "$(cat $thr)" = 0 ]
	ktap_check "$M's poll made a softirq (threaded 0)" $?
else
	ktap_pass "$M's poll is a softirq (this kernel has no threaded NAPI)"
fi
ip link set $M up
snf_capture $M $T/all.pcap && all=$SNF_PID &&
	snf_capture $M $T/out.pcap -Q out && out=$SNF_PID &&
	snf_capture $M $T/in.pcap -Q in && in=$SNF_PID
ktap_check "three tcpdumps listen on $M (all, -Q out, -Q in)" $?

ktap_run "IPoIB up on sib0 and sib1, carrier (SA joins)" sib_setup
# 300 frames first, more than the monitor's pool of 256 buffers, so the
# pings' frames are made in reused buffers; a socket asking for time
# stamps (SO_TIMESTAMP) makes the stack stamp every skb it receives.
socat -u UDP4-RECV:5999,so-timestamp /dev/null 2> /dev/null &
TSP=$!
ktap_run "150 pings a -> b back to back" ip netns exec a ping -q -A -c 150 -W 5 $SIB_IP_B
ktap_run "ping a -> b" ip netns exec a ping -c 5 -i 0.3 -W 5 $SIB_IP_B
ktap_run "ping b -> a" ip netns exec b ping -c 5 -i 0.3 -W 5 $SIB_IP_A
snf_settle $M
snf_capture_end $M "$all" "$out" "$in"
kill $TSP 2> /dev/null
# (What each tcpdump says of its socket at its end, should a file be short.)
ktap_diag "tcpdump: $(grep -hE 'captured|dropped|went down' $T/all.pcap.log $T/out.pcap.log \
	$T/in.pcap.log | tr '\n' ' ')"
n=$(snf_count $T/all.pcap) mir=$(state_get $MD/mirrored)
ktap_diag "seen $(state_get $MD/seen) filtered $(state_get $MD/filtered) dropped $(state_get $MD/dropped) mirrored $mir; in the file: $n"
[ "$n" -gt 0 ] && [ "$n" -eq "$mir" ]
ktap_check "the file holds as many frames as were mirrored ($n, $mir)" $?
snf_balanced $M && [ "$(state_get $MD/filtered)" = 0 ] && [ "$(state_get $MD/dropped)" = 0 ]
ktap_check "seen = mirrored, nothing filtered or dropped" $?
rx=$(cat /sys/class/net/$M/statistics/rx_packets)
[ "$rx" -eq "$mir" ]
ktap_check "netdev rx_packets is the mirrored count ($rx)" $?

# Directions: sib0 is LID 2 (02:00:00:00:00:02 in the frames).
no=$(snf_count $T/out.pcap) ni=$(snf_count $T/in.pcap)
bo=$(snf_count $T/out.pcap not ether src 02:00:00:00:00:02)
bi=$(snf_count $T/in.pcap ether src 02:00:00:00:00:02)
ktap_diag "outgoing $no (not from LID 2: $bo), incoming $ni (from LID 2: $bi)"
[ "$no" -gt 0 ] && [ "$ni" -gt 0 ] && [ "$bo" -eq 0 ] && [ "$bi" -eq 0 ] && [ $((no + ni)) -eq "$n" ]
ktap_check "sib0's sends are PACKET_OUTGOING, the rest incoming, together the whole file" $?

# Down: nothing copied, nothing counted.
s0=$(state_get $MD/seen)
ip netns exec a ping -c 3 -i 0.3 -W 5 $SIB_IP_B > /dev/null
s1=$(state_get $MD/seen)
[ "$s0" = "$s1" ]
ktap_check "down: traffic is not even looked at (seen stays $s0)" $?

snf_need_tshark "tshark: BTH and DETH on every frame" "tshark: the pings as IPv4/ICMP" \
	"tshark: the pings' time stamps" "tshark: SA MCMemberRecord joins" || ktap_finish
# One tshark run (slow to start under TCG): one line per frame.
"$TS" -r $T/all.pcap -T fields -E separator=';' -e frame.protocols \
	-e infiniband.bth.destqp -e infiniband.deth.srcqp -e icmp.type \
	-e infiniband.mad.method -e infiniband.mad.attributeid \
	-e infiniband.mcmemberrecord.joinstate -e frame.time_epoch > $T/fields 2> $T/tshark.err
ktap_diag "tshark: $(wc -l < $T/fields) frames; first lines:"
ktap_diag "$(head -n 5 $T/fields)"
bad=$(awk -F';' '$1 !~ /eth:ethertype:infiniband/ || $2 == "" || $3 == ""' $T/fields | wc -l)
[ "$(wc -l < $T/fields)" -eq "$n" ] && [ "$bad" -eq 0 ]
ktap_check "tshark: BTH and DETH on every frame ($bad without)" $?
icmp=$(awk -F';' '$1 ~ /:ip:icmp/ && ($4 == "8" || $4 == "0")' $T/fields | wc -l)
[ "$icmp" -eq 320 ]
ktap_check "tshark: the pings as IPv4/ICMP, 320 echo requests and replies ($icmp)" $?
# The last two runs of 5 pings 0.3 s apart: more than 2 s between their
# first frame and their last, in order (a reused buffer that kept the time
# stamp of its previous frame would carry it into the file).
span=$(awk -F';' '$1 ~ /:ip:icmp/ { t[n++] = $8 }
	END { for (i = n - 20; i < n; i++) if (i < 0 || (i > n - 20 && t[i] < t[i - 1])) bad = 1
	      if (bad) print "disordered"; else printf "%.2f\n", t[n - 1] - t[n - 20] }' $T/fields)
ktap_diag "the last 20 pings' frames span $span s"
[ "$span" != disordered ] && awk -v s="$span" 'BEGIN { exit !(s > 2) }'
ktap_check "tshark: the pings' time stamps are their own, in order, over $span s" $?
# MCMemberRecord is attribute 0x0038; Set 0x02, GetResp 0x81.
set=$(awk -F';' '$2 == "0x000001" && $5 == "0x02" && $6 == "0x0038" && $7 ~ /^(0x0?)?1$/' $T/fields | wc -l)
resp=$(awk -F';' '$5 == "0x81" && $6 == "0x0038"' $T/fields | wc -l)
ktap_diag "MCMemberRecord: $set FullMember joins, $resp answers"
[ "$set" -ge 1 ] && [ "$resp" -ge 1 ]
ktap_check "tshark: SA MCMemberRecord joins (Set, JoinState 0x1) and the SA's answers" $?
ktap_finish
