#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The erf file of sib0's monitor: IPoIB pings between sib0 and sib1 read by
# two readers at once, cat (blocking reads) and socat (O_NONBLOCK and
# select): both get the same pcap stream, LINKTYPE_ERF, as many records
# each as erf_records counts, nothing dropped; tshark reads it from a pipe
# and finds ERF type 21 records with the LRH (the LIDs of rdma_sib's
# debugfs, PktLen matching the record) and the pings down to ICMP. A
# reader that never reads holds queue_max records, and every later one is
# counted in erf_dropped, while a reader beside it still gets them all.
# Writing to the file is refused. A reader blocked in read() sees end of file when
# the monitor is removed, and when rmmod takes it away.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/sniffer.sh"

ktap_have_module rdma_sniffer_sib || ktap_skip_all "rdma_sniffer_sib was not built"
trap snf_cleanup EXIT
M=sib0p1s
MD=$SNF_D/monitors/$M
T=/tmp/snf-erf
# Matches nothing rdma_sib sends: no record while it is set.
NONE="slid=0xfffe"

# size_is FILE TEST N: FILE's size compares to N (TEST: -eq, -gt); false
# while there is no FILE yet.
size_is()
{
	local n
	n=$(stat -c %s "$1" 2>/dev/null) && [ "$n" "$2" "$3" ]
}

# reader_ends PID: PID exits within 20 s; its exit status.
reader_ends()
{
	slowwait 20 bash -c "! kill -0 $1 2>/dev/null" || { kill "$1"; return 1; }
	wait "$1"
}

ktap_plan 13
mkdir -p $T
ktap_run "IPoIB on sib0 and sib1" sib_setup
modprobe rdma_sniffer_sib && snf_new sib0 1 && ip link set $M up &&
	echo "$NONE" > $MD/filter
ktap_check "$M up, filtered to nothing" $?
lid0=$(state_get $SIB_D/sib0/lid) lid1=$(state_get $SIB_D/sib1/lid)
ktap_diag "LIDs: sib0 $lid0, sib1 $lid1"

n0=$(dmesg | wc -l)
r=$(snf_write $MD/erf x)
log=$(dmesg | tail -n +$((n0 + 1)) | grep rdma_sniffer)
[ "$r" = "Invalid argument" ] && echo "$log" | grep -qF "$M: erf is read only"
ktap_check "writing to erf: EINVAL and a log line ('$r', '$log')" $?

cat $MD/erf > $T/cat.pcap &
cat=$!
SNF_PIDS="$SNF_PIDS $cat"
socat -u OPEN:$MD/erf,rdonly,nonblock CREATE:$T/socat.pcap &
socat=$!
SNF_PIDS="$SNF_PIDS $socat"
# Both have the pcap header once they are in read() or select().
slowwait 20 size_is $T/cat.pcap -eq 24 && slowwait 20 size_is $T/socat.pcap -eq 24
rc=$?
magic=$(od -An -tx4 -N4 $T/cat.pcap | tr -d ' ') link=$(od -An -tu4 -j20 -N4 $T/cat.pcap | tr -d ' ')
[ $rc -eq 0 ] && [ "$magic" = a1b2c3d4 ] && [ "$link" = 197 ]
ktap_check "two readers get the pcap header: magic $magic, link type $link (LINKTYPE_ERF)" $?

echo all > $MD/filter
ktap_run "ping a -> b" ip netns exec a ping -c 5 -i 0.3 -W 5 $SIB_IP_B
ktap_run "ping b -> a" ip netns exec b ping -c 5 -i 0.3 -W 5 $SIB_IP_A
# No record after this; the readers write what they read meanwhile.
echo "$NONE" > $MD/filter
sleep 2
recs=$(state_get $MD/erf_records) drops=$(state_get $MD/erf_dropped)
kill $cat $socat
wait $cat $socat 2>/dev/null
ktap_diag "erf_records $recs, erf_dropped $drops; files: $(stat -c %s $T/cat.pcap) and $(stat -c %s $T/socat.pcap) bytes"
cmp -s $T/cat.pcap $T/socat.pcap && [ "$drops" = 0 ]
ktap_check "cat and socat (O_NONBLOCK, select) read the same stream, nothing dropped" $?

if snf_need_tshark "tshark: records" "tshark: LRH" "tshark: pings"; then
	# One tshark run (slow to start under TCG), from a pipe: a line per record.
	cat $T/cat.pcap | "$TS" -r - -T fields -E separator=';' -e erf.types.type \
		-e erf.flags.cap -e infiniband.lrh.slid -e infiniband.lrh.dlid \
		-e infiniband.lrh.pktlen -e frame.len -e infiniband.bth.destqp \
		-e ip.src -e icmp.type > $T/fields 2> $T/tshark.err
	n=$(wc -l < $T/fields)
	ktap_diag "tshark: $n records; first lines:"
	ktap_diag "$(head -n 5 $T/fields)"
	# Each reader read every record: erf_records counts both.
	[ "$n" -gt 0 ] && [ $((2 * n)) -eq "$recs" ]
	ktap_check "tshark: the file's $n records are what each reader read (erf_records $recs)" $?
	# ERF type 21 with an LRH and a BTH; PktLen counts the packet but its
	# VCRC: frame.len (the ERF wire length) = 4 * PktLen + 2.
	bad=$(awk -F';' '$1 != 21 || $3 == "" || $4 == "" || $7 == "" ||
		$6 != 4 * $5 + 2' $T/fields | wc -l)
	[ "$bad" -eq 0 ]
	ktap_check "tshark: every record is ERF type 21 with LRH and BTH, PktLen right ($bad not)" $?
	# sib0's pings carry its LID as SLID, are its sends (interface 1);
	# sib1's the other way round.
	a=$(awk -F';' -v s="$lid0" -v d="$lid1" -v ip=$SIB_IP_A \
		'$8 == ip && ($9 == 8 || $9 == 0) && $3 == s && $4 == d && $2 == 1' $T/fields | wc -l)
	b=$(awk -F';' -v s="$lid1" -v d="$lid0" -v ip=$SIB_IP_B \
		'$8 == ip && ($9 == 8 || $9 == 0) && $3 == s && $4 == d && $2 == 0' $T/fields | wc -l)
	icmp=$(awk -F';' '$9 == 8 || $9 == 0' $T/fields | wc -l)
	[ "$a" -eq 10 ] && [ "$b" -eq 10 ] && [ "$icmp" -eq 20 ]
	ktap_check "tshark: 20 pings as ICMP, SLID/DLID $lid0/$lid1 from sib0 ($a), $lid1/$lid0 from sib1 ($b)" $?
fi

# A reader that never reads (sleep holds the file open) beside one that
# does, with room for 8 records each.
qmax=$(state_get $MD/queue_max)
echo 8 > $MD/queue_max
sleep 1000 < $MD/erf &
idle=$!
cat $MD/erf > $T/busy.pcap &
cat=$!
SNF_PIDS="$SNF_PIDS $idle $cat"
# Both are readers from their open(): the idle one once its shell opened
# the file for sleep, cat once it wrote the file header.
slowwait 20 bash -c "ls -l /proc/$idle/fd/0 2>/dev/null | grep -q erf" &&
	slowwait 20 size_is $T/busy.pcap -eq 24
d0=$(state_get $MD/erf_dropped) r0=$(state_get $MD/erf_records)
echo all > $MD/filter
ip netns exec a ping -c 10 -i 0.2 -W 5 $SIB_IP_B > /dev/null
echo "$NONE" > $MD/filter
sleep 2
d=$(($(state_get $MD/erf_dropped) - d0)) n=$(($(state_get $MD/erf_records) - r0))
kill $idle $cat
wait $idle $cat 2>/dev/null
echo "$qmax" > $MD/queue_max
[ "$n" -ge 20 ] && [ "$d" -eq $((n - 8)) ]
ktap_check "a reader that never reads keeps 8 records, the other $d are counted in erf_dropped; the reader beside it read all $n" $?

# A reader blocked in read(): the monitor's removal ends it with EOF.
cat $MD/erf > $T/del.pcap &
cat=$!
SNF_PIDS="$SNF_PIDS $cat"
slowwait 20 size_is $T/del.pcap -eq 24
snf_del sib0 1
rc=$?
reader_ends $cat
ktap_check "del_monitor with a reader blocked in read(): done ($rc), the reader got EOF" $?

# And rmmod: the backend's removal takes the monitor, then rdma_sniffer goes.
snf_new sib0 1 && ip link set $M up
cat $MD/erf > $T/rmmod.pcap &
cat=$!
SNF_PIDS="$SNF_PIDS $cat"
slowwait 20 size_is $T/rmmod.pcap -eq 24
ip netns exec a ping -c 2 -i 0.3 -W 5 $SIB_IP_B > /dev/null
slowwait 20 size_is $T/rmmod.pcap -gt 24
got=$?
rmmod rdma_sniffer_sib
rc=$?
reader_ends $cat
ended=$?
rmmod rdma_sniffer
rc2=$?
[ $got -eq 0 ] && [ $rc -eq 0 ] && [ $ended -eq 0 ] && [ $rc2 -eq 0 ]
ktap_check "rmmod rdma_sniffer_sib with a reader blocked: it got records ($got), then EOF ($rc, $ended); rdma_sniffer unloads ($rc2)" $?
ktap_finish
