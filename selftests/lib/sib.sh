# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# An IPoIB subnet on rdma_sib (sourced, not run): two HCAs, their IPoIB
# links each in a network namespace of its own.
#   namespace "a": ib0 on sib0, 192.168.50.1
#   namespace "b": ib1 on sib1, 192.168.50.2

# The state readers and waits (slowwait, state_get), also for the demos,
# which source this without ktap.sh.
. "$(dirname "${BASH_SOURCE[0]}")/state.sh"

# rdma_sib's debugfs: a file per action (add_hca, del_hca, reregister,
# smchange), a directory per HCA (lid, guid, state), sa/ (personality,
# class_port_info_answer, <attr>/requests and errors) and the groups table.
SIB_D=/sys/kernel/debug/rdma_sib
SIB_IP_A=192.168.50.1
SIB_IP_B=192.168.50.2

# sib_setup [MODULE ARGS...]: load rdma_sib and ib_ipoib, move the links,
# bring them up and wait for carrier (the broadcast join). Non-zero with a
# message on failure.
sib_setup()
{
	modprobe rdma_sib "$@" || return 1
	modprobe ib_ipoib || return 1
	slowwait 10 sib_links_exist ib0 ib1 ||
		{ echo "sib: no IPoIB links after 10 s" >&2; return 1; }
	ip netns add a && ip netns add b &&
	ip link set ib0 netns a && ip link set ib1 netns b &&
	ip -n a addr add $SIB_IP_A/24 dev ib0 && ip -n b addr add $SIB_IP_B/24 dev ib1 &&
	ip -n a link set lo up && ip -n b link set lo up &&
	ip -n a link set ib0 up && ip -n b link set ib1 up || return 1
	sib_wait_carrier a ib0 && sib_wait_carrier b ib1
}

# sib_links_exist DEV...: every one of the network devices exists here.
sib_links_exist()
{
	local d
	for d in "$@"; do
		[ -e /sys/class/net/"$d" ] || return 1
	done
}

# sib_has_carrier NS DEV: IPoIB's link DEV in namespace NS has carrier.
sib_has_carrier()
{
	[ "$(ip netns exec "$1" cat /sys/class/net/"$2"/carrier 2>/dev/null)" = 1 ]
}

# sib_wait_carrier NS DEV: wait up to 20 s for IPoIB's carrier.
sib_wait_carrier()
{
	slowwait 20 sib_has_carrier "$1" "$2" ||
		{ echo "sib: $2 in $1 has no carrier after 20 s" >&2; return 1; }
}

# sib_cleanup: undo sib_setup.
sib_cleanup()
{
	ip netns del a 2>/dev/null
	ip netns del b 2>/dev/null
	rmmod ib_ipoib 2>/dev/null
	rmmod rdma_sib 2>/dev/null
	return 0
}

# sib_opensm_start HCA: Debian's OpenSM, bound to HCA's port (its GUID),
# logging to $SIB_OSM_LOG (its console output to $SIB_OSM_LOG.out), with
# the options in SIB_OSM_FLAGS too (e.g. "-D 0x07" for a verbose log);
# waits up to 120 s for "SUBNET UP". Non-zero with a message if it never
# comes.
SIB_OSM_LOG=/tmp/opensm.log
sib_opensm_start()
{
	local guid
	guid=0x$(tr -d : < /sys/class/infiniband/"$1"/node_guid)
	mkdir -p /var/cache/opensm /var/log /etc/opensm
	rm -f $SIB_OSM_LOG
	# -d 2: the log flushed at each line, so that it can be waited on.
	# shellcheck disable=SC2086 # SIB_OSM_FLAGS: more options, as words
	opensm -g "$guid" -f $SIB_OSM_LOG -d 2 ${SIB_OSM_FLAGS:-} > $SIB_OSM_LOG.out 2>&1 &
	SIB_OSM_PID=$!
	slowwait 120 grep -q "SUBNET UP" $SIB_OSM_LOG 2> /dev/null ||
		{ echo "sib: no SUBNET UP from OpenSM on $1 ($guid) after 120 s" >&2; return 1; }
}

# sib_opensm_stop: stop sib_opensm_start's OpenSM, and wait for it.
sib_opensm_stop()
{
	[ -n "${SIB_OSM_PID:-}" ] || return 0
	kill "$SIB_OSM_PID" 2>/dev/null
	wait "$SIB_OSM_PID" 2>/dev/null
	SIB_OSM_PID=
}

# sib_port_gid HCA: the port GID of HCA (e.g. sib0) as debugfs prints it.
sib_port_gid()
{
	local g
	g=$(cat /sys/class/infiniband/"$1"/ports/1/gids/0)
	echo "$g"
}

# sib_join_state MGID-PREFIX HCA: the JoinState of HCA in the group whose
# MGID starts with MGID-PREFIX (debugfs "groups"), empty if not a member.
sib_join_state()
{
	local gid
	gid=$(sib_port_gid "$2")
	awk -v g="$1" -v p="$gid" '
		$1 == "group" { in_g = index($2, g) == 1 }
		in_g && $1 == "member" && $2 == p { print $4 }' $SIB_D/groups
}

# sib_is_member MGID-PREFIX HCA: HCA is a member of the group.
sib_is_member()
{
	[ -n "$(sib_join_state "$1" "$2")" ]
}

# sib_is_not_member MGID-PREFIX HCA: HCA is not a member of the group.
sib_is_not_member()
{
	! sib_is_member "$1" "$2"
}

# sib_wait_join_state MGID-PREFIX HCA: as sib_join_state, but waits up to
# 10 s for HCA to become a member (a send-only join is made when the first
# packet is queued, and after a re-register only once IPoIB has joined the
# broadcast group again).
sib_wait_join_state()
{
	sib_wait_join_state_for "$1" "$2" 10
}

# sib_wait_join_state_for MGID-PREFIX HCA SECONDS: the same, waiting up to
# SECONDS.
sib_wait_join_state_for()
{
	slowwait "$3" sib_is_member "$1" "$2"
	sib_join_state "$1" "$2"
}

# sib_send_until_joined NS SRC-IP GROUP MGID-PREFIX HCA: one datagram to
# GROUP a second, as a steady sender would, until HCA is a member of the
# group (15 s at most); prints HCA's JoinState, empty if it never joined.
# Right after a client re-register IPoIB leaves and rejoins its groups, and
# drops multicast sent before the broadcast group is joined again: a single
# burst sent then makes no join at all.
sib_send_until_joined()
{
	local n=0 st=
	while [ -z "$st" ] && [ $n -lt 15 ]; do
		sib_mcast_send "$1" "$2" "$3" 1
		n=$((n + 1))
		st=$(sib_wait_join_state_for "$4" "$5" 1)
	done
	echo "$st"
}

# sib_group_exists MGID-PREFIX: is there such a group?
sib_group_exists()
{
	grep -q "^group $1" $SIB_D/groups
}

# sib_sa_errors ATTR: SA error count for ATTR (e.g. mc_member_record).
sib_sa_errors()
{
	state_num $SIB_D/sa/"$1"/errors
}

# sib_sa_requests ATTR: SA requests of ATTR (e.g. class_port_info).
sib_sa_requests()
{
	state_num $SIB_D/sa/"$1"/requests
}

# sib_sa_diag: every value under sa/, one diagnostic line each.
sib_sa_diag()
{
	local f
	for f in "$SIB_D"/sa/personality "$SIB_D"/sa/class_port_info_answer "$SIB_D"/sa/*/requests "$SIB_D"/sa/*/errors; do
		ktap_diag "${f#"$SIB_D"/}: $(state_get "$f")"
	done
}

# sib_port_counter HCA NAME: a counter of the HCA's port (e.g. rx_pkts,
# drop_no_recv), from its RDMA hw counters.
sib_port_counter()
{
	cat "/sys/class/infiniband/$1/ports/1/hw_counters/$2"
}

# sib_tcp_copy FROM-NS TO-NS TO-IP BYTES: BYTES random bytes (/tmp/tcp.tx)
# sent over TCP from FROM-NS to TO-IP:5201 in TO-NS (into /tmp/tcp.rx,
# left for the caller to look at); 0 when they arrived intact.
sib_tcp_copy()
{
	local srv
	head -c "$4" /dev/urandom > /tmp/tcp.tx
	ip netns exec "$2" timeout 130 socat -u TCP4-LISTEN:5201,reuseaddr \
		OPEN:/tmp/tcp.rx,creat,trunc &
	srv=$!
	sleep 1
	ip netns exec "$1" timeout 120 socat -u OPEN:/tmp/tcp.tx \
		TCP4:"$3":5201,retry=20,interval=0.5
	wait $srv
	cmp -s /tmp/tcp.tx /tmp/tcp.rx
}

# sib_mcast_send NS SRC-IP GROUP COUNT: COUNT UDP datagrams to GROUP:5000.
sib_mcast_send()
{
	local i
	for i in $(seq "$4"); do
		echo "msg $i" | ip netns exec "$1" socat -u - \
			UDP4-DATAGRAM:"$3":5000,ip-multicast-if="$2",ip-multicast-ttl=1 || return 1
		sleep 0.05
	done
}

# sib_mcast_recv_start NS IP GROUP FILE: receive GROUP:5000 into FILE (a
# joined group member) in the background; prints the receiver's PID.
sib_mcast_recv_start()
{
	: > "$4"
	ip netns exec "$1" socat -u \
		UDP4-RECV:5000,ip-add-membership="$3":"$2",reuseaddr OPEN:"$4",append > /dev/null 2>&1 &
	echo $!
}

# sib_mgid N: the IPoIB MGID (P_Key 0xffff) of IPv4 group 239.N.N.N; RFC 4391
# maps the group's low 28 bits into it.
sib_mgid()
{
	printf 'ff12:401b:ffff:0000:0000:0000:0f%02x:%02x%02x' "$1" "$1" "$1"
}

# sib_receive N: a receiver in namespace b joins 239.N.N.N, a sends 20
# datagrams after its join; prints how many the receiver got. The
# receiver's PID is in SIB_RX while it runs (for a test's EXIT trap).
sib_receive()
{
	SIB_RX=$(sib_mcast_recv_start b $SIB_IP_B 239.$1.$1.$1 /tmp/sib_rx$1)
	sib_wait_join_state "$(sib_mgid "$1")" sib1 > /dev/null
	sleep 1
	sib_mcast_send a $SIB_IP_A 239.$1.$1.$1 20
	sleep 2
	kill "$SIB_RX"
	wait "$SIB_RX" 2> /dev/null
	SIB_RX=
	wc -l < /tmp/sib_rx$1
}

# sib_receiver_leaves N: a receiver in b joins 239.N.N.N (creating the
# group), a sends to it, the receiver leaves, a new receiver joins and a
# sends 20 more. Sets SIB_ST (the sender's JoinState), SIB_LEFT (yes: the
# first receiver's membership is gone), SIB_GONE (yes: the group was
# deleted meanwhile) and SIB_GOT (what the new receiver got).
sib_receiver_leaves()
{
	local mgid
	mgid=$(sib_mgid "$1")
	SIB_RX=$(sib_mcast_recv_start b $SIB_IP_B 239.$1.$1.$1 /tmp/sib_rx$1a)
	sib_wait_join_state "$mgid" sib1 > /dev/null
	SIB_ST=$(sib_send_until_joined a $SIB_IP_A 239.$1.$1.$1 "$mgid" sib0)
	kill "$SIB_RX"
	wait "$SIB_RX" 2> /dev/null
	SIB_RX=
	SIB_LEFT=yes
	slowwait 10 sib_is_not_member "$mgid" sib1 || SIB_LEFT=no
	SIB_GONE=no
	sib_group_exists "$mgid" || SIB_GONE=yes
	SIB_GOT=$(sib_receive "$1")
	ktap_diag "239.$1.$1.$1: sender '$SIB_ST'; first receiver left: $SIB_LEFT; group deleted: $SIB_GONE; new receiver got $SIB_GOT of 20"
}

# sib_umad_require: skip the whole test unless bin/sa_mad was built and
# rdma_sib exists; unload what sib_umad_up loads when the test exits.
sib_umad_require()
{
	SIB_BIN=$(cd "$(dirname "$0")" && pwd)/bin
	[ -x "$SIB_BIN/sa_mad" ] || ktap_skip_all "no bin/sa_mad (host-prepare did not run)"
	ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
	trap 'rmmod ib_umad 2>/dev/null; rmmod rdma_sib 2>/dev/null' EXIT
}

# sib_umad_up N [PARAM...]: rdma_sib with N HCAs (and module parameters
# PARAM) and ib_umad, one test point; waits for the last HCA's umad device.
# The test ends here if it failed.
sib_umad_up()
{
	local rc hcas=$1
	shift
	modprobe rdma_sib num_hcas="$hcas" "$@" && modprobe ib_umad
	rc=$?
	ktap_check "rdma_sib with $hcas HCA(s)${1:+ ($*)}, ib_umad loaded" $rc
	[ $rc -eq 0 ] || ktap_finish
	slowwait 5 test -e /dev/infiniband/umad$((hcas - 1))
}

# sib_sa_change MODE CPI EVENT: the SA's personality (modern|legacy), how it
# answers ClassPortInfo (answer|refuse|opa|busy|drop), then a port event on
# every HCA (smchange: another SM; reregister: the same SM again).
sib_sa_change()
{
	echo "$1" > $SIB_D/sa/personality && echo "$2" > $SIB_D/sa/class_port_info_answer &&
		echo all > $SIB_D/"$3"
}
