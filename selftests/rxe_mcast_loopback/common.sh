# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers of the rxe_mcast_loopback tests (sourced, not run): switching
# between the distribution's rdma_rxe and the one patched by the patch
# queue (bin/rdma_rxe.ko, built by host-prepare), and running bin/mcast_lb
# and mckey, with or without bin/rxe_flags_shim.so (SHIM=1): rdma-core's
# rxe provider refuses QP create flags before the kernel sees them, the
# shim stands in for the provider change that lets the flag through.

. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/rxe.sh"

BIN=$(cd "$(dirname "$0")" && pwd)/bin
# The skip reason of the tests that need bin/rdma_rxe.ko: host-prepare says
# in bin/rdma_rxe.ko.missing why it could not build one (the patch queue
# does not apply to this kernel's source, say).
# shellcheck disable=SC2034 # read by 02-patched.sh and 03-mcast-noloop.sh
RXE_KO_MISSING="no bin/rdma_rxe.ko ($(cat "$BIN/rdma_rxe.ko.missing" 2>/dev/null ||
	echo "host-prepare did not run"))"
SHIM=0
GROUP=239.1.1.1
N=10

# rxe_unload: no rxe device, no rdma_rxe module.
rxe_unload()
{
	rxe_pair_cleanup
	if [ -d /sys/module/rdma_rxe ]; then
		rmmod rdma_rxe || return 1
	fi
	return 0
}

# rxe_loaded: which rdma_rxe is loaded: "none", "stock" (in tree, no taint)
# or "patched" (out of tree: taint O). Debian's modules carry no srcversion
# (no MODULE_VERSION, no CONFIG_MODULE_SRCVERSION_ALL), and the only
# out-of-tree rdma_rxe in the VM is bin/rdma_rxe.ko.
rxe_loaded()
{
	if [ ! -d /sys/module/rdma_rxe ]; then
		echo none
	elif grep -q O /sys/module/rdma_rxe/taint; then
		echo patched
	else
		echo stock
	fi
}

# rxe_load_stock: the distribution's rdma_rxe is the one loaded.
rxe_load_stock()
{
	[ "$(rxe_loaded)" = patched ] && { rxe_unload || return 1; }
	modprobe rdma_rxe || return 1
	[ "$(rxe_loaded)" = stock ] || {
		echo "loaded rdma_rxe: $(rxe_loaded), taint '$(cat /sys/module/rdma_rxe/taint)'" >&2
		return 1
	}
}

# rxe_load_patched: bin/rdma_rxe.ko is the one loaded, its dependencies
# from the distribution.
rxe_load_patched()
{
	local d
	[ "$(rxe_loaded)" = stock ] && { rxe_unload || return 1; }
	if [ "$(rxe_loaded)" = none ]; then
		for d in $(modprobe --show-depends rdma_rxe |
			   awk '$1 == "insmod" { print $2 }'); do
			d=${d##*/}
			d=${d%%.ko*}
			[ "$d" = rdma_rxe ] || modprobe "$d" || return 1
		done
		insmod "$BIN/rdma_rxe.ko" || return 1
	fi
	[ "$(rxe_loaded)" = patched ] || {
		echo "loaded rdma_rxe: $(rxe_loaded), taint '$(cat /sys/module/rdma_rxe/taint)'" >&2
		return 1
	}
}

# preload CMD...: CMD, with the shim preloaded when SHIM=1.
preload()
{
	if [ "$SHIM" = 1 ]; then
		LD_PRELOAD=$BIN/rxe_flags_shim.so "$@"
	else
		"$@"
	fi
}

# lb ARGS...: run bin/mcast_lb, output in /tmp/lb.out (and its exit status
# in LB_RC); ARGS are mcast_lb's.
lb()
{
	LB_RC=0
	preload timeout 120 "$BIN/mcast_lb" -n $N -m $GROUP "$@" > /tmp/lb.out 2>&1 || LB_RC=$?
}

# lb_val NODE FIELD: a field of NODE's line in /tmp/lb.out.
lb_val()
{
	sed -n "s/^qp node=$1 .*[ ]$2=\([^ ]*\).*/\1/p" /tmp/lb.out
}

# lb_expect NAME FROM_SENDER...: pass NAME when mcast_lb ran and node i
# received the i-th count of the sender's messages (and nothing else).
lb_expect()
{
	local name=$1 i=0 want got all ok=1
	shift
	if [ "$LB_RC" -ne 0 ] || ! grep -q "^sent=$N$" /tmp/lb.out; then
		ok=0
	fi
	for want in "$@"; do
		got=$(lb_val $i from_sender)
		all=$(lb_val $i got)
		[ "$got" = "$want" ] && [ "$all" = "$want" ] || ok=0
		i=$((i + 1))
	done
	ktap_diag "$(sed -n 's/^qp \(.*\)/\1/p; s/^sent=/sent=/p' /tmp/lb.out)"
	if [ $ok -eq 1 ]; then
		ktap_pass "$name"
	else
		ktap_diag "mcast_lb exit $LB_RC; wanted per node: $*"
		ktap_diag "$(cat /tmp/lb.out)"
		ktap_fail "$name"
	fi
}

# igmp_member DEV: DEV is a member of $GROUP at the IP layer
# (/proc/net/igmp prints a group as the hex of its address in memory).
igmp_member()
{
	local g
	g=$(echo "$GROUP" | awk -F. '{ printf "%02X%02X%02X%02X", $4, $3, $2, $1 }')
	awk -v d="$1" -v g="$g" '/^[0-9]/ { on = $2 == d; next } on && $1 == g { f = 1 }
		END { exit !f }' /proc/net/igmp
}

# mckey_wait_joined DEV...: wait (60 s at most) until each DEV is a member
# of $GROUP: rdma_cm's join on a RoCE device adds the IP membership
# (cma_igmp_send()) before it reports the join. mckey's own "joined" line
# is no sign: its stdout, a file here, is flushed only when it exits.
mckey_wait_joined()
{
	local d
	for d in "$@"; do
		slowwait 60 igmp_member "$d" || { echo "$d: not a member of $GROUP after 60 s" >&2; return 1; }
	done
}

# mckey_fanout NAME OPTS: mckey receivers on rxe0 (the sender's device)
# and rxe1, then a sender on rxe0, all with OPTS; pass NAME when the sender
# and both receivers complete, i.e. each receiver got all N messages.
mckey_fanout()
{
	local name=$1 opts=$2 r0 r1 rc0 rc1 rcs runs
	# shellcheck disable=SC2086
	preload timeout 120 mckey $opts -m $GROUP -b $RXE_IP0 -C $N > /tmp/mk_r0.log 2>&1 &
	r0=$!
	# shellcheck disable=SC2086
	preload timeout 120 mckey $opts -m $GROUP -b $RXE_IP1 -C $N > /tmp/mk_r1.log 2>&1 &
	r1=$!
	if ! mckey_wait_joined veth0 veth1 2> /tmp/mk_join.err; then
		ktap_diag "$(cat /tmp/mk_join.err /proc/net/igmp)"
		kill $r0 $r1 2> /dev/null
		wait $r0 $r1
		ktap_fail "$name"
		return
	fi
	# mckey's sender posts its sends and exits without waiting for their
	# completions. Since 6.12 rxe sends from a work item, not in
	# post_send, and the sends still queued when the sender destroys its
	# address handle are lost ("Unable to find AH matching ah_num"), so
	# the sender runs again until both receivers have their N messages
	# (at most 20 times; once is enough on 6.1).
	runs=0
	while [ $runs -lt 20 ]; do
		runs=$((runs + 1))
		# shellcheck disable=SC2086
		preload timeout 120 mckey $opts -s -m $GROUP -b $RXE_IP0 -C $N > /tmp/mk_s.log 2>&1
		rcs=$?
		[ $rcs -eq 0 ] || break
		sleep 0.5
		kill -0 $r0 2>/dev/null || kill -0 $r1 2>/dev/null || break
	done
	ktap_diag "mckey sender runs: $runs"
	wait $r0
	rc0=$?
	wait $r1
	rc1=$?
	if [ $rcs -eq 0 ] && [ $rc0 -eq 0 ] && [ $rc1 -eq 0 ] &&
	   grep -q 'data transfers complete' /tmp/mk_r0.log &&
	   grep -q 'data transfers complete' /tmp/mk_r1.log; then
		ktap_pass "$name"
	else
		ktap_diag "exit: sender $rcs, receiver rxe0 $rc0, receiver rxe1 $rc1"
		ktap_diag "$(tail -n 5 /tmp/mk_s.log /tmp/mk_r0.log /tmp/mk_r1.log)"
		ktap_fail "$name"
	fi
}
