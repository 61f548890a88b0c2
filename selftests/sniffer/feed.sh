#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The user backend: packets written to a monitor's feed file, as the mlx5
# feeder (tools/rdma_sniffer_feed) writes them. On rdma_sib's InfiniBand
# port sib0, crafted packets from the LRH are framed (one sent, two
# received; a GRH of their own or synthesised; a missing ICRC), filtered
# and counted as rdma_sib's own; malformed ones are refused with EINVAL
# and a log line, counted as malformed and nothing else. On rxe0's
# Ethernet port, frames pass through unchanged, RoCEv2 read for the
# filter, other frames passing no InfiniBand term; the ethertype and udp
# terms select Ethernet frames of any kind. The control files refuse what
# they cannot do; rdma_sib's own packets do not reach a port fed from user
# space. The feeder itself refuses rxe0 (no raw packet QP) and
# sib0 (no verbs provider) with one line and its exit status. A feed file
# open keeps rdma_sniffer loaded and survives its monitor's removal.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/sniffer.sh"

ktap_have_module rdma_sniffer || ktap_skip_all "rdma_sniffer was not built"
command -v tcpdump > /dev/null || ktap_skip_all "no tcpdump in this system"
T=/tmp/snf-feed
MD=$SNF_D/monitors/sib0p1s
ME=$SNF_D/monitors/rxe0p1s

cleanup()
{
	exec 7>&- 8>&-
	rdma link del rxe0 2>/dev/null
	ip link del veth0 2>/dev/null
	rmmod rdma_rxe 2>/dev/null
	snf_cleanup
}
trap cleanup EXIT

# feed FILE HEX: one write() of the bytes HEX to FILE; prints "ok" or the
# error (strerror text).
feed()
{
	local err
	# shellcheck disable=SC2059 # the format is the bytes
	printf "$(echo "$2" | sed 's/../\\x&/g')" > $T/pkt
	if err=$(dd if=$T/pkt of="$1" bs=65536 status=none 2>&1); then
		echo ok
	else
		echo "${err##*: }"
	fi
}

# feed_fd FD HEX: the same through open file descriptor FD.
feed_fd()
{
	local err
	# shellcheck disable=SC2059
	printf "$(echo "$2" | sed 's/../\\x&/g')" > $T/pkt
	if err=$(dd if=$T/pkt bs=65536 status=none 2>&1 >&"$1"); then
		echo ok
	else
		echo "${err##*: }"
	fi
}

# counters MONITOR: seen filtered dropped mirrored malformed, one line.
counters()
{
	local c out=
	for c in seen filtered dropped mirrored malformed; do
		out="$out${out:+ }$(snf_val "$1" $c)"
	done
	echo "$out"
}

# InfiniBand packets from the LRH (after the flags byte): sib0 is LID 2.
# UD SEND_ONLY from LID 2 to LID 3, QPN 0x49 -> 0x48, 4 bytes, no GRH.
LRH1=0002000300090002
BTH1=6400ffff0000004800000001
DETH=0000001100000049
P1=$LRH1$BTH1${DETH}4142434400000000
# The same with a GRH (LNH 3), PktLen 19 words, the ICRC left out.
GRH=6000000000201b40fe800000000000000000000000000002fe800000000000000000000000000003
P2=0003000300130002${GRH}6400ffff0000004800000002000000110000004945464748
# RC SEND_ONLY to QPN 0x50, 2 payload bytes and 2 pad bytes.
P3=00020003000700020420ffff0000005000000003494a000000000000

ktap_plan 16
mkdir -p $T
modprobe rdma_sib num_hcas=2 && modprobe rdma_sniffer && modprobe rdma_sniffer_sib
ktap_check "rdma_sib (2 HCAs), rdma_sniffer, rdma_sniffer_sib load" $?

ok=0
r=$(snf_write $SNF_D/new_user_port "sib0 2") && [ "$r" = "Invalid argument" ] || ok=1
r=$(snf_write $SNF_D/new_user_port "nosuch 1") && [ "$r" = "No such device" ] || ok=1
r=$(snf_write $SNF_D/del_user_port "sib0 1") && [ "$r" = "No such file or directory" ] || ok=1
snf_new sib1 1 || ok=1
r=$(snf_write $SNF_D/new_user_port "sib1 1") && [ "$r" = "Device or resource busy" ] || ok=1
dmesg | grep -q "new_user_port: sib1 port 1 has a monitor of backend rdma_sib" || ok=1
[ "$(snf_write $SNF_D/new_user_port "sib0 1")" = ok ] || ok=1
r=$(snf_write $SNF_D/new_user_port "sib0 1") && [ "$r" = "File exists" ] || ok=1
ktap_check "new_user_port/del_user_port: bad port, device, unmarked, busy, twice refused; sib0 1 marked" $ok

snf_new sib0 1 && [ "$(snf_val sib0p1s backend)" = user ] && [ -e $MD/feed ] &&
	[ "$(snf_val sib0p1s malformed)" = 0 ] && ! [ -e $SNF_D/monitors/sib1p1s/feed ]
ktap_check "sib0p1s takes the user backend, with feed and malformed; sib1p1s (rdma_sib) has no feed" $?
r=$(snf_write $SNF_D/del_user_port "sib0 1")
[ "$r" = "Device or resource busy" ]
ktap_check "del_user_port while its monitor is fed: busy ($r)" $?

r=$(feed $MD/feed 01$P1) c=$(counters sib0p1s)
[ "$r" = ok ] && [ "$c" = "0 0 0 0 0" ]
ktap_check "down: a valid packet is accepted and ignored ($r; counters $c)" $?

ip link set sib0p1s up
snf_capture sib0p1s $T/ib.pcap && all=$SNF_PID && snf_capture sib0p1s $T/ib-out.pcap -Q out &&
	out=$SNF_PID || ktap_diag "tcpdump did not start"
ok=0
[ "$(feed $MD/feed 01$P1)" = ok ] || ok=1
[ "$(feed $MD/feed 00$P2)" = ok ] || ok=1
echo "dqpn=0x48" > $MD/filter || ok=1
[ "$(feed $MD/feed 00$P3)" = ok ] || ok=1
[ "$(feed $MD/feed 01$P1)" = ok ] || ok=1
busywait_for_counter 10 3 $MD/mirrored || ok=1
snf_settle sib0p1s
snf_capture_end sib0p1s "$all" "$out"
c=$(counters sib0p1s)
ktap_diag "seen filtered dropped mirrored malformed: $c"
[ $ok = 0 ] && [ "$c" = "4 1 0 3 0" ]
ktap_check "4 packets fed: 3 mirrored, the RC one to QPN 0x50 filtered by dqpn=0x48" $?
n=$(snf_count $T/ib.pcap) no=$(snf_count $T/ib-out.pcap)
q=$(snf_count $T/ib.pcap 'ether[58:4] & 0xffffff = 0x48 and ether src 02:00:00:00:00:02')
l=$(tcpdump -Z root -nn -e -r $T/ib.pcap 2>/dev/null | grep -c 'length 82')
ktap_diag "frames $n, outgoing $no, to QPN 0x48 from LID 2 $q, of 82 bytes $l"
[ "$n" = 3 ] && [ "$no" = 2 ] && [ "$q" = 3 ] && [ "$l" = 3 ]
ktap_check "the capture: 3 frames of 82 bytes to QPN 0x48 from LID 2, the 2 sent ones outgoing" $?
# The GRH of P2 kept, PayLen set to 28 (BTH, DETH, payload, ICRC), the
# missing ICRC zero; P1's synthesised (fe80::2 -> fe80::3).
x2=$(tcpdump -Z root -nn -xx -r $T/ib.pcap 2>/dev/null | awk '/^[0-9]/ {n++} n == 2 && /^[[:space:]]+0x[0-9a-f]+:/ {
	sub(/^[^:]*:/, ""); gsub(/ /, ""); printf "%s", $0 }')
want=0200000000030200000000028915
want=${want}60000000001c1b40fe800000000000000000000000000002fe800000000000000000000000000003
want=${want}6400ffff000000480000000200000011000000494546474800000000
[ "$x2" = "$want" ]
rc=$?
[ $rc = 0 ] || ktap_diag "frame 2: $x2"
ktap_check "the frame of a packet with a GRH: LID MACs, its GRH with PayLen 28, its bytes, ICRC 0" $rc

# Malformed: each refused with EINVAL and a log line; only malformed moves.
before=$(counters sib0p1s)
n0=$(dmesg | wc -l)
ok=0
big=01$(printf '%032768d' 0)00
for p in 02$P1 01000200030009 010000000300090002$BTH1${DETH}4142434400000000 \
	01${P1/00090002/000b0002} 00${P2/1b40fe80/1140fe80} \
	0100020003000600026400ffff000000480000000100000000 \
	0100020003000600020430ffff000000500000000300000000 "$big"; do
	r=$(feed $MD/feed "$p")
	[ "$r" = "Invalid argument" ] || { ok=1; ktap_diag "${p:0:40}...: $r"; }
done
log=$(dmesg | tail -n +$((n0 + 1)) | grep -c 'sib0p1s: feed:')
c=$(counters sib0p1s)
ktap_diag "$log log lines; counters $before -> $c"
[ $ok = 0 ] && [ "$log" = 8 ] && [ "$c" = "${before% 0} 8" ]
ktap_check "8 malformed writes (flags, short, LNH 0, PktLen, GRH next header, headers, pad, size): EINVAL, logged, only malformed counts" $?

# rdma_sib's own packets of sib0 (IPoIB) reach sib1's monitor, never
# sib0's, which is fed from user space only; both up, both listened to.
ip link set sib0p1s up && ip link set sib1p1s up &&
	snf_capture sib0p1s $T/ib2.pcap && snf_capture sib1p1s $T/sib1.pcap
s0=$(snf_val sib0p1s seen)
sib_setup && ip netns exec a ping -c 2 -W 5 $SIB_IP_B > /dev/null
rc=$?
busywait_for_counter 10 1 $SNF_D/monitors/sib1p1s/mirrored
s1=$(snf_val sib0p1s seen) m=$(snf_val sib1p1s mirrored)
ktap_diag "IPoIB up and a ping: $rc; sib1p1s mirrored $m; sib0p1s seen $s0 -> $s1"
[ $rc = 0 ] && [ "$m" -gt 0 ] && [ "$s0" = "$s1" ]
ktap_check "rdma_sib traffic of sib0 reaches sib1p1s (rdma_sib backend), not the user-fed sib0p1s" $?

# Ethernet: rxe0 on veth0.
modprobe veth && modprobe rdma_rxe && modprobe ib_uverbs &&
	ip link add veth0 type veth peer name veth1 && ip link set veth0 up &&
	rdma link add rxe0 type rxe netdev veth0 &&
	echo "rxe0 1" > $SNF_D/new_user_port && snf_new rxe0 1 && ip link set rxe0p1s up
ktap_check "rxe0 on veth0, its monitor rxe0p1s fed from user space" $?
# RoCEv2 (IPv4, UDP 4791) UD SEND_ONLY to QPN 0x11, sent; an ARP request.
E1=02000000000102000000000208004500003800004000401100000a0000010a000002c00012b70024000064
E1=${E1}00ffff000000110000000100000011000000224142434400000000
E2=ffffffffffff02000000000208060001080006040001
E2=${E2}0200000000020a0000020000000000000a000001
snf_capture rxe0p1s $T/eth.pcap && eth=$SNF_PID || ktap_diag "tcpdump did not start"
ok=0
for p in 01$E1 00$E2; do
	[ "$(feed $ME/feed $p)" = ok ] || ok=1
done
echo "dqpn=0x11" > $ME/filter
for p in 01$E1 00$E2; do
	[ "$(feed $ME/feed $p)" = ok ] || ok=1
done
r=$(feed $ME/feed 0102000000000102)
busywait_for_counter 10 3 $ME/mirrored || ok=1
snf_settle rxe0p1s
snf_capture_end rxe0p1s "$eth"
c=$(counters rxe0p1s)
roce=$(snf_count $T/eth.pcap udp port 4791) arp=$(snf_count $T/eth.pcap arp)
x=$(tcpdump -Z root -nn -xx -r $T/eth.pcap arp 2>/dev/null | awk '/^[[:space:]]+0x[0-9a-f]+:/ {
	sub(/^[^:]*:/, ""); gsub(/ /, ""); printf "%s", $0 }')
ktap_diag "counters $c; RoCE $roce, ARP $arp; short frame: $r"
[ $ok = 0 ] && [ "$c" = "4 1 0 3 1" ] && [ "$roce" = 2 ] && [ "$arp" = 1 ] &&
	[ "$x" = "$E2" ] && [ "$r" = "Invalid argument" ]
ktap_check "Ethernet frames as they are: RoCEv2 passes dqpn=0x11, ARP only no filter, 7 bytes refused" $?

# The same two frames under ethertype=0x806, then under udp=4791: each
# filter passes one of them.
ip link set rxe0p1s up && snf_capture rxe0p1s $T/eth2.pcap && eth=$SNF_PID ||
	ktap_diag "tcpdump did not start"
c0=$(counters rxe0p1s)
ok=0
for flt in ethertype=0x806 udp=4791; do
	echo "$flt" > $ME/filter || ok=1
	for p in 01$E1 00$E2; do
		[ "$(feed $ME/feed $p)" = ok ] || ok=1
	done
done
busywait_for_counter 10 5 $ME/mirrored || ok=1
snf_settle rxe0p1s
snf_capture_end rxe0p1s "$eth"
c=$(counters rxe0p1s) f=$(state_get $ME/filter)
roce=$(snf_count $T/eth2.pcap udp port 4791) arp=$(snf_count $T/eth2.pcap arp)
ktap_diag "counters $c0 -> $c; RoCE $roce, ARP $arp; filter reads '$f'"
[ $ok = 0 ] && [ "$c" = "8 3 0 5 1" ] && [ "$roce" = 1 ] && [ "$arp" = 1 ] && [ "$f" = "udp=4791" ]
ktap_check "ethertype=0x806 passes the ARP frame only, udp=4791 the RoCEv2 one only" $?

# The feeder: rxe has no raw packet QPs, rdma_sib no verbs provider.
F=$SNF_BIN/rdma_sniffer_feed
if [ -x "$F" ]; then
	out=$(timeout 20 "$F" -n 1 rxe0 1 2>&1)
	rc=$?
	ktap_diag "rxe0: exit $rc: $out"
	[ $rc = 3 ] && [ "$(echo "$out" | grep -c "^rdma_sniffer_feed:")" = 1 ] &&
		echo "$out" | grep -q "no raw packet QP"
	ktap_check "rdma_sniffer_feed rxe0 1: one line, no raw packet QP, exit 3" $?
	out=$(timeout 20 "$F" -n 1 sib0 1 2>&1)
	rc=$?
	ktap_diag "sib0: exit $rc: $out"
	[ $rc = 2 ] && [ "$(echo "$out" | grep -c "^rdma_sniffer_feed:")" = 1 ] &&
		echo "$out" | grep -q "no verbs device sib0"
	ktap_check "rdma_sniffer_feed sib0 1: one line, no verbs device, exit 2" $?
else
	ktap_skip "rdma_sniffer_feed rxe0 1 refused" "no bin/rdma_sniffer_feed (host-prepare)"
	ktap_skip "rdma_sniffer_feed sib0 1 refused" "no bin/rdma_sniffer_feed (host-prepare)"
fi

# Feed files held open: across del_monitor (writes then fail), and rmmod.
exec 8> $ME/feed 7> $MD/feed
snf_del rxe0 1
r=$(feed_fd 8 01$E1)
echo "rxe0 1" > $SNF_D/del_user_port
rc=$?
exec 8>&-
rmmod rdma_sniffer_sib
rmmod rdma_sniffer 2>/dev/null
gone=$?
r7=$(feed_fd 7 01$P1)
exec 7>&-
rmmod rdma_sniffer
rc2=$?
ktap_diag "write after del_monitor: $r; rmmod with a feed open: exit $gone; a write then: $r7"
[ "$r" != ok ] && [ $rc = 0 ] && [ $gone != 0 ] && [ "$r7" = ok ] && [ $rc2 = 0 ] &&
	! [ -e /sys/class/net/sib0p1s ]
ktap_check "del_monitor with the feed open, then del_user_port; rmmod refused while a feed is open, done after" $?
ktap_finish
