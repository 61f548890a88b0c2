# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# rdma_sniffer on rdma_sib (sourced, not run): monitors, tcpdump captures
# on them, packets counted in pcap files, tshark. Needs ktap.sh (state.sh)
# and sib.sh sourced first.

SNF_D=/sys/kernel/debug/rdma_sniffer
SNF_BIN=$(cd "$(dirname "$0")" && pwd)/bin
SNF_PIDS=

# snf_new DEV PORT, snf_del DEV PORT: create or remove the monitor of a port.
snf_new()
{
	echo "$1 $2" > $SNF_D/new_monitor
}

snf_del()
{
	echo "$1 $2" > $SNF_D/del_monitor
}

# snf_val MONITOR FILE: a value of a monitor's debugfs directory.
snf_val()
{
	state_get "$SNF_D/monitors/$1/$2"
}

# snf_write FILE TEXT: write TEXT to FILE in one write; prints "ok" or the
# error (strerror text, e.g. "Invalid argument").
snf_write()
{
	local err
	if err=$( { printf '%s\n' "$2" > "$1"; } 2>&1); then
		echo ok
	else
		echo "${err##*: }"
	fi
}

# snf_capture IFACE FILE [TCPDUMP ARGS...]: tcpdump writing IFACE's frames
# to FILE (each frame as it comes: --immediate-mode, -U) in the background,
# its PID in SNF_PID; returns once it listens. As root: the VM has no
# tcpdump user to drop to.
snf_capture()
{
	local dev=$1 file=$2
	shift 2
	tcpdump -Z root -U --immediate-mode -n -i "$dev" -w "$file" "$@" 2> "$file.log" &
	SNF_PID=$!
	SNF_PIDS="$SNF_PIDS $SNF_PID"
	slowwait 30 grep -q "listening on" "$file.log"
}

# snf_capture_end IFACE PID...: take IFACE down (the monitor mirrors
# nothing more; its counters stay as they are), then end its captures
# (SIGINT) and wait for them. Call it after snf_settle: by then tcpdump has
# written every frame mirrored (each as it comes, -U). tcpdump does not end
# by itself when the interface goes down (libpcap keeps the socket open):
# waiting for that cost 20 s per capture, a minute under TCG.
snf_capture_end()
{
	local dev=$1 p
	shift
	ip link set "$dev" down
	for p in "$@"; do
		kill -INT "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	return 0
}

# snf_count FILE [FILTER...]: frames in pcap FILE (matching the BPF FILTER);
# as root, as in snf_capture.
snf_count()
{
	local f=$1
	shift
	# (Lines of a frame after its first, such as the hex dump of a payload
	# tcpdump does not decode, are indented.)
	tcpdump -Z root -n -r "$f" "$@" 2>/dev/null | grep -vc '^[[:space:]]'
}

# snf_settle MONITOR: wait (30 s at most) until MONITOR saw nothing new for
# a second and its queue is empty.
snf_settle()
{
	local n=0 a b
	a=$(snf_val "$1" seen)
	while [ $n -lt 30 ]; do
		sleep 1
		b=$(snf_val "$1" seen)
		[ "$a" = "$b" ] && [ "$(snf_val "$1" queue_len)" = 0 ] && return 0
		a=$b
		n=$((n + 1))
	done
	return 1
}

# snf_balanced MONITOR: seen = filtered + dropped + mirrored + queued. The
# counters are read one file at a time, so a packet that passes between two
# reads (an IPv6 or IGMP packet of the stack, on a slow kernel) unbalances
# one reading: up to 5 readings, a second apart; the last one's values go
# to the log when none balances.
snf_balanced()
{
	local m=$SNF_D/monitors/$1 n seen f d mi q
	for n in 1 2 3 4 5; do
		[ "$n" = 1 ] || sleep 1
		seen=$(state_get "$m/seen") f=$(state_get "$m/filtered") d=$(state_get "$m/dropped")
		mi=$(state_get "$m/mirrored") q=$(state_get "$m/queue_len")
		[ "$seen" -eq $((f + d + mi + q)) ] && return 0
	done
	ktap_diag "$1: seen $seen, filtered $f + dropped $d + mirrored $mi + queued $q"
	return 1
}

# snf_qpn NS DEV: the QPN of an IPoIB link (bytes 1-3 of its address), hex.
snf_qpn()
{
	ip -n "$1" link show "$2" | awk '/link\/infiniband/ {
		split($2, b, ":"); print "0x" b[2] b[3] b[4] }'
}

# snf_tshark: the tshark to run, from host-prepare's bin/ or the PATH;
# empty when there is none.
snf_tshark()
{
	if [ -x "$SNF_BIN/tshark" ]; then
		echo "$SNF_BIN/tshark"
	else
		command -v tshark
	fi
}

# snf_need_tshark CHECK...: the tshark to use in TS; without one, each
# CHECK is reported skipped with the reason, and it returns 1.
snf_need_tshark()
{
	local c

	TS=$(snf_tshark)
	[ -z "$TS" ] || return 0
	for c in "$@"; do
		ktap_skip "$c" "no tshark (none from host-prepare, none in the PATH)"
	done
	return 1
}

# snf_cleanup: stop the captures, unload rdma_sniffer, undo sib_setup.
snf_cleanup()
{
	local p
	for p in $SNF_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rmmod rdma_sniffer_sib 2>/dev/null
	rmmod rdma_sniffer 2>/dev/null
	sib_cleanup
}

# snf_require: skip the whole test without the modules or tcpdump.
snf_require()
{
	ktap_have_module rdma_sniffer_sib || ktap_skip_all "rdma_sniffer_sib was not built"
	command -v tcpdump > /dev/null || ktap_skip_all "no tcpdump in this system"
}
