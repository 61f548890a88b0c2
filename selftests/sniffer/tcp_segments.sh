#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# TCP over IPoIB on the wire: 1 MB from sib0 to sib1, which IPoIB posts as
# LSO sends (rdma_sib offers UD TSO) and sib0 cuts into packets, captured on
# sib0's monitor. The receiving stack trusts the HCA's checksums
# (IB_WC_IP_CSUM_OK), so only the wire can show them wrong: tshark checks
# the IPv4 header and TCP checksums of every TCP frame (the data and the
# ACKs coming back), finds the data in packets of at most one MSS, and no
# hole in their sequence numbers.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/sniffer.sh"

snf_require
srv=
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; snf_cleanup' EXIT
M=sib0p1s
T=/tmp/snf-tcp

ktap_plan 6
mkdir -p $T
ktap_run "IPoIB on sib0 and sib1" sib_setup
# Room for the whole transfer in the monitor's queue and tcpdump's buffer:
# every packet must reach the file.
modprobe rdma_sniffer_sib && snf_new sib0 1 && echo 4096 > $SNF_D/monitors/$M/queue_max &&
	ip link set $M up && snf_capture $M $T/tcp.pcap -B 65536
ktap_check "sib0's monitor up (queue_max 4096), tcpdump capturing on it (64 MB buffer)" $?

head -c 1048576 /dev/urandom > $T/tx
lso0=$(sib_port_counter sib0 tx_lso_sends)
ip netns exec b socat -u TCP4-LISTEN:5202,reuseaddr OPEN:$T/rx,creat,trunc &
srv=$!
sleep 1
ip netns exec a timeout 60 socat -u OPEN:$T/tx TCP4:$SIB_IP_B:5202
wait $srv
srv=
lso=$(( $(sib_port_counter sib0 tx_lso_sends) - lso0 ))
cmp -s $T/tx $T/rx && [ "$lso" -gt 0 ]
ktap_check "1 MB a -> b intact, through $lso LSO sends" $?
snf_settle $M
snf_capture_end $M "$SNF_PID"
ktap_diag "monitor: mirrored $(snf_val $M mirrored), dropped $(snf_val $M dropped); tcpdump: $(grep -E 'captured|dropped' $T/tcp.pcap.log | xargs)"

snf_need_tshark "tshark: checksums" "tshark: packet sizes" "tshark: sequence numbers" || ktap_finish
# (The frames are RoCEv1-framed: tcpdump's "tcp" would not match them.)
"$TS" -r $T/tcp.pcap -Y tcp -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-o tcp.relative_sequence_numbers:TRUE -T fields -E separator=';' \
	-e ip.src -e ip.checksum.status -e tcp.checksum.status -e tcp.len -e tcp.seq \
	> $T/fields 2> $T/tshark.err
# Data from a (sib0) to b: 1 MB in 4 KB packets, each checked.
awk -F';' -v a=$SIB_IP_A '$1 == a && $4 > 0' $T/fields > $T/data
n=$(wc -l < $T/data) bytes=$(awk -F';' '{ s += $4 } END { print s + 0 }' $T/data)
bad=$(awk -F';' '$2 != 1 || $3 != 1' $T/fields | wc -l)
ktap_diag "tshark: $(wc -l < $T/fields) TCP frames, $n carrying $bytes bytes from a; $bad with a checksum not good"
ktap_diag "$(head -n 3 $T/data)"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
ktap_check "tshark: IPv4 header and TCP checksums good on every frame ($bad not)" $?
# The MSS: IPoIB's MTU 4092 less the IPv4 and TCP headers (options less).
big=$(awk -F';' '$4 > 4052' $T/data | wc -l)
[ "$bytes" -ge 1048576 ] && [ "$n" -ge 256 ] && [ "$big" -eq 0 ]
ktap_check "tshark: 1 MB of data in $n packets of one MSS at most ($big larger)" $?
# The data starts at relative sequence 1 and each packet starts where the
# data before it ended: no hole. A packet starting below that is TCP
# resending bytes already sent (under TCG a slow receiver can make the
# sender time out), which the monitor must show too: counted, not a
# failure. sib1's drop_no_recv says whether the fabric lost any.
awk -F';' 'BEGIN { end = 1 } $5 > end { g++ } $5 < end { r++ }
	$5 + $4 > end { end = $5 + $4 } END { print g + 0, r + 0, end }' \
	$T/data > $T/seq
read -r gaps resent end < $T/seq
ktap_diag "sequence: $gaps holes, $resent resends, data up to byte $end; sib1 drop_no_recv $(sib_port_counter sib1 drop_no_recv)"
[ "$n" -gt 0 ] && [ "$gaps" -eq 0 ] && [ "$end" -ge 1048577 ]
ktap_check "tshark: sequence numbers leave no hole ($gaps holes, $resent resent)" $?
ktap_finish
