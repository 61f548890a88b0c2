#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The control files refuse what they cannot carry out, each with its error,
# one kernel log line naming the problem and no change of state: malformed
# and random new_monitor/del_monitor writes, filters and queue bounds; a
# port no backend captures; a second monitor of a port. And a monitor goes
# away with its device.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/sniffer.sh"

ktap_have_module rdma_sniffer_sib || ktap_skip_all "rdma_sniffer_sib was not built"
trap snf_cleanup EXIT
MD=$SNF_D/monitors/sib0p1s

# refused FILE TEXT ERROR LOGTEXT: writing TEXT fails with ERROR and the
# kernel log gets a line containing LOGTEXT.
refused()
{
	local r log n0
	n0=$(dmesg | wc -l)
	r=$(snf_write "$1" "$2")
	log=$(dmesg | tail -n +$((n0 + 1)) | grep rdma_sniffer)
	if [ "$r" != "$3" ] || ! echo "$log" | grep -qF -- "$4"; then
		ktap_diag "'$2' > ${1##*/}: got '$r' and log '$log'; want '$3' and '$4'"
		return 1
	fi
}

# monitors: the names in monitors/, one line; netdevs: how many monitor
# netdevs exist.
netdevs()
{
	local d n=0
	for d in /sys/class/net/*p1s; do
		[ -e "$d" ] && n=$((n + 1))
	done
	echo $n
}

monitors()
{
	local d names=
	for d in "$SNF_D"/monitors/*; do
		[ -e "$d" ] && names="$names${names:+ }${d##*/}"
	done
	echo "$names"
}

ktap_plan 11
modprobe rdma_sib num_hcas=3 && modprobe rdma_sniffer
ktap_check "rdma_sib (3 HCAs) and rdma_sniffer, without a backend" $?
refused $SNF_D/new_monitor "sib0 1" "Operation not supported" "no capture backend for sib0"
rc=$?
m=$(monitors)
[ -z "$m" ] || rc=1
ktap_check "new_monitor without a backend: EOPNOTSUPP, nothing made ('$m')" $rc

modprobe rdma_sniffer_sib && snf_new sib0 1 && echo "qpn=0x12" > $MD/filter && echo 100 > $MD/queue_max
ktap_check "with rdma_sniffer_sib: sib0p1s, filter qpn=0x12, queue_max 100" $?

ok=0
refused $SNF_D/new_monitor "" "Invalid argument" 'expected "DEVICE PORT"' || ok=1
refused $SNF_D/new_monitor "sib1" "Invalid argument" 'expected "DEVICE PORT"' || ok=1
refused $SNF_D/new_monitor "sib1 1 2" "Invalid argument" 'expected "DEVICE PORT"' || ok=1
refused $SNF_D/new_monitor "sib1 one" "Invalid argument" 'port "one" is not a number' || ok=1
refused $SNF_D/new_monitor "sib1 2" "Invalid argument" "sib1 has no port 2" || ok=1
refused $SNF_D/new_monitor "sib1 0" "Invalid argument" "sib1 has no port 0" || ok=1
refused $SNF_D/new_monitor "nosuch 1" "No such device" 'no RDMA device "nosuch"' || ok=1
refused $SNF_D/new_monitor "$(printf 'x%.0s' $(seq 200)) 1" "Invalid argument" "write at most" || ok=1
refused $SNF_D/new_monitor "sib0 1" "File exists" "has a monitor already" || ok=1
ktap_check "new_monitor: malformed lines, unknown devices and ports, a second monitor refused" $ok

ok=0
refused $SNF_D/del_monitor "sib1 1" "No such file or directory" "sib1 port 1 has no monitor" || ok=1
refused $SNF_D/del_monitor "sib0" "Invalid argument" 'expected "DEVICE PORT"' || ok=1
refused $SNF_D/del_monitor "nosuch 1" "No such device" 'no RDMA device "nosuch"' || ok=1
ktap_check "del_monitor: malformed lines, unknown devices, ports without a monitor refused" $ok

ok=0
for t in "qpn" "qpn=" "qpn=0x1000000" "dqpn=-1" "lid=0x10000" "foo=1" "dgid=zz::1::2" \
	"mgid=fe80::1" "qpn=1 qpn=2" "pkey=0x1ffff" "sgid=ff12::1 sqpn=x" \
	"ethertype=0x10000" "udp=65536"; do
	refused $MD/filter "$t" "Invalid argument" "filter: " || ok=1
done
f=$(state_get $MD/filter)
[ "$f" = "qpn=0x12" ] || ok=1
ktap_check "filter: 13 malformed filters refused, the filter still '$f'" $ok

ok=0
refused $MD/queue_max 0 "Invalid argument" "queue_max 0: must be 1 to 65536" || ok=1
refused $MD/queue_max 65537 "Invalid argument" "queue_max 65537" || ok=1
[ "$(snf_write $MD/queue_max abc)" = "Invalid argument" ] || ok=1
q=$(state_get $MD/queue_max)
[ "$q" = 100 ] || ok=1
ktap_check "queue_max: 0, 65537 and 'abc' refused, still $q" $ok

# Random bytes, 50 writes to each control file: all refused, nothing made.
ok=0
for i in $(seq 50); do
	for f in new_monitor del_monitor monitors/sib0p1s/filter; do
		head -c $((RANDOM % 120 + 1)) /dev/urandom > /tmp/snf-junk
		if dd if=/tmp/snf-junk of=$SNF_D/$f bs=4096 2> /dev/null; then
			# A write that happens to be a valid filter is fine; a
			# valid control line of random bytes is not possible.
			case $f in */filter) ;; *) ok=1; ktap_diag "$f accepted $(od -c /tmp/snf-junk | head -n 2)" ;; esac
		fi
	done
done
echo "qpn=0x12" > $MD/filter
m=$(monitors)
[ "$m" = sib0p1s ] && [ "$(netdevs)" -eq 1 ] || ok=1
ktap_check "150 writes of random bytes: refused, monitors still '$m'" $ok

snf_new sib1 1 && snf_new sib2 1
m=$(monitors)
[ "$m" = "sib0p1s sib1p1s sib2p1s" ]
ktap_check "monitors of three ports: $m" $?
echo sib1 > $SIB_D/del_hca
m=$(monitors)
[ "$m" = "sib0p1s sib2p1s" ] && ! [ -e /sys/class/net/sib1p1s ]
ktap_check "removing HCA sib1 removes its monitor: $m" $?
snf_del sib2 1 && snf_del sib0 1
m=$(monitors)
[ -z "$m" ] && [ "$(netdevs)" -eq 0 ]
ktap_check "del_monitor removes monitors and their netdevs ('$m')" $?
ktap_finish
