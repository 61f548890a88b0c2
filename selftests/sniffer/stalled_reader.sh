#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A listener that never reads: tcpdump on sib0's monitor, stopped
# (SIGSTOP) while IPoIB TCP runs from sib0 to sib1 (iperf3, 3 s). Its socket
# fills and the kernel drops what it cannot queue there, counted for that
# socket (tcpdump prints it when it ends); the monitor's own queue keeps
# draining, so the data path never waits: the transfer completes, the
# monitor keeps mirroring, and a ping right after comes back. Then a packet
# socket without a ring (bin/pkt_hold) holds the frames of 10 pings in its
# queue, unread, while IPoIB TCP churns thousands of frames through the
# monitor's buffer pool: read afterwards, every ICMP message it held still
# checks out (a pool buffer is never reused while a reader holds it). The
# throughput cost is a benchmark's figure (scripts/bench/sniffer-cost.sh),
# not a check.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/sniffer.sh"

snf_require
command -v iperf3 > /dev/null || ktap_skip_all "no iperf3 in this system"
srv=
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; snf_cleanup' EXIT
T=/tmp/snf-stalled
M=sib0p1s

ktap_plan 7
mkdir -p $T
ktap_run "IPoIB on sib0 and sib1" sib_setup
modprobe rdma_sniffer_sib && snf_new sib0 1 && ip link set $M up && snf_capture $M $T/s.pcap
ktap_check "sib0's monitor up, tcpdump listening on it" $?

kill -STOP "$SNF_PID"
m0=$(snf_val $M mirrored)
ip netns exec b iperf3 -s -1 > /dev/null 2>&1 &
srv=$!
slowwait 10 bash -c "ip netns exec b ss -ltn | grep -q ':5201 '"
out=$(ip netns exec a iperf3 -c "$SIB_IP_B" -t 3 -f m 2>&1)
rc=$?
wait $srv
srv=
mbps=$(echo "$out" | awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }')
ktap_diag "iperf3 over IPoIB with the listener stopped: ${mbps:-?} Mbit/s"
[ $rc -eq 0 ] && [ -n "$mbps" ]
ktap_check "the transfer completes while the listener never reads" $?

snf_settle $M
m1=$(snf_val $M mirrored) d=$(snf_val $M dropped)
ktap_diag "monitor: mirrored $m0 -> $m1, dropped $d"
[ "$m1" -gt $((m0 + 1000)) ] && snf_balanced $M
ktap_check "the monitor kept mirroring past the stopped reader (seen = filtered + dropped + mirrored + queued)" $?

ip netns exec a ping -c 2 -W 5 $SIB_IP_B > /dev/null
ktap_check "IPoIB answers right after" $?

kill -CONT "$SNF_PID"
snf_capture_end $M "$SNF_PID"
kdrop=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' $T/s.pcap.log)
got=$(snf_count $T/s.pcap)
ktap_diag "tcpdump: $(grep -E 'captured|received|dropped' $T/s.pcap.log | xargs)"
[ "${kdrop:-0}" -gt 0 ] && [ "$got" -lt "$m1" ]
ktap_check "what the stopped reader's socket could not hold was dropped there and counted (${kdrop:-?} dropped by kernel, $got of $m1 in the file)" $?

name="frames held unread by a socket without a ring stay intact while the pool churns"
if [ ! -x "$SNF_BIN/pkt_hold" ]; then
	ktap_skip "$name" "no bin/pkt_hold (built by host-prepare for the VM harness)"
	ktap_finish
fi
ip link set $M up
"$SNF_BIN/pkt_hold" $M 65536 > $T/hold.out 2>&1 &
hold=$!
SNF_PIDS="$SNF_PIDS $hold"
slowwait 10 grep -q listening $T/hold.out
ip netns exec a ping -c 10 -i 0.2 $SIB_IP_B > /dev/null
rc=$?
ip netns exec b iperf3 -s -1 > /dev/null 2>&1 &
srv=$!
slowwait 10 bash -c "ip netns exec b ss -ltn | grep -q ':5201 '"
ip netns exec a iperf3 -c "$SIB_IP_B" -t 2 > /dev/null 2>&1 || rc=1
wait $srv
srv=
snf_settle $M
kill -USR1 $hold
wait $hold
ktap_diag "pkt_hold: $(tail -n 1 $T/hold.out); monitor: mirrored $(snf_val $M mirrored)"
# "frames N icmp N bad N dup N ..."
# shellcheck disable=SC2046 # the words of that line
set -- $(tail -n 1 $T/hold.out) - - - - - - - -
frames=$2 icmp=$4 bad=$6 dup=$8
[ $rc -eq 0 ] && [ "$1" = frames ] && [ "$icmp" -ge 5 ] && [ "$bad" -eq 0 ] &&
	[ "$dup" -eq 0 ] && [ "$(snf_val $M mirrored)" -gt $((frames + 1000)) ]
ktap_check "$name" $?
ktap_finish
