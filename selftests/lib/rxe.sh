# SPDX-License-Identifier: GPL-2.0-only
#
# Two soft-RoCE devices in one VM (sourced, not run).
#
# rxe in 6.1 does not work across network namespaces, so both ends live in
# the init namespace on a veth pair, and policy routing makes traffic between
# the two local addresses cross the veth instead of the loopback:
#   rxe0 on veth0 10.0.0.1  <->  rxe1 on veth1 10.0.0.2
# Locally generated packets for the peer address ("iif lo") are looked up in
# a table that routes them out of the own veth; the local table, which would
# short-cut them through lo, is consulted only after those rules. Receiving a
# packet from an address that is also local needs accept_local and no
# reverse-path filter.

# The state readers and waits (slowwait, state_get), also for the demos,
# which source this without ktap.sh.
. "$(dirname "${BASH_SOURCE[0]}")/state.sh"

RXE_IP0=10.0.0.1
RXE_IP1=10.0.0.2

# rxe_pair_setup: create veth0/veth1, the routing and rxe0/rxe1. Returns
# non-zero with a message on stderr when any step fails.
rxe_pair_setup()
{
	modprobe veth && modprobe rdma_rxe || return 1
	ip link add veth0 type veth peer name veth1 || return 1
	local i
	for i in all default veth0 veth1; do
		sysctl -qw net.ipv4.conf.$i.rp_filter=0 net.ipv4.conf.$i.accept_local=1
	done
	ip addr add $RXE_IP0/24 dev veth0 &&
	ip addr add $RXE_IP1/24 dev veth1 &&
	ip link set veth0 up && ip link set veth1 up || return 1

	ip rule add pref 100 to $RXE_IP1 iif lo lookup 100 &&
	ip route add $RXE_IP1 dev veth0 src $RXE_IP0 table 100 &&
	ip rule add pref 101 to $RXE_IP0 iif lo lookup 101 &&
	ip route add $RXE_IP0 dev veth1 src $RXE_IP1 table 101 &&
	ip rule add pref 32765 lookup local &&
	ip rule del pref 0 lookup local || return 1

	rdma link add rxe0 type rxe netdev veth0 &&
	rdma link add rxe1 type rxe netdev veth1 || return 1
	# The IPv4 GID entries appear asynchronously after the device.
	slowwait 5 rxe_have_gids || { echo "rxe: no IPv4 GIDs after 5 s" >&2; return 1; }
}

# rxe_gid_index DEV IPV4: the GID table index of DEV holding IPV4's
# IPv4-mapped GID (::ffff:a.b.c.d), for the -g option of the verbs tools.
rxe_gid_index()
{
	local want g f
	want=$(printf '0000:0000:0000:0000:0000:ffff:%02x%02x:%02x%02x' $(echo "$2" | tr . ' '))
	for f in /sys/class/infiniband/"$1"/ports/1/gids/*; do
		g=$(cat "$f" 2>/dev/null) || continue
		if [ "$g" = "$want" ]; then
			echo "${f##*/}"
			return 0
		fi
	done
}

# rxe_have_gids: both rxe devices have their IPv4 GID entry.
rxe_have_gids()
{
	[ -n "$(rxe_gid_index rxe0 $RXE_IP0)" ] && [ -n "$(rxe_gid_index rxe1 $RXE_IP1)" ]
}

# rxe_pair_cleanup: undo rxe_pair_setup as far as it got.
rxe_pair_cleanup()
{
	rdma link del rxe1 2>/dev/null
	rdma link del rxe0 2>/dev/null
	ip link del veth0 2>/dev/null
	ip rule add pref 0 lookup local 2>/dev/null
	ip rule del pref 32765 lookup local 2>/dev/null
	ip rule del pref 100 2>/dev/null
	ip rule del pref 101 2>/dev/null
	return 0
}
