#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The rule interface of rdma_mcast_noloop: the hook points it found are
# listed (both on Debian's 6.1), armed by the first rule and until unload
# (the QP creation functions run unprobed before); valid rule sets are taken and read
# back in canonical form; a rule for a device that cannot block (stock rxe)
# is refused with the documented message; malformed input of every kind is
# refused with -EINVAL and leaves the previous rule set in force, whole.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/rxe.sh"

ktap_have_module rdma_mcast_noloop || ktap_skip_all "rdma_mcast_noloop was not built"
R=/sys/kernel/rdma_mcast_noloop/rules
trap 'rmmod rdma_mcast_noloop 2>/dev/null; rxe_pair_cleanup' EXIT

# setrules TEXT: the whole rule set in one write(), as the interface wants
# (each write replaces the set; shell builtins may write line by line, and
# busybox cat tries sendfile first, then writes again).
setrules()
{
	printf '%s\n' "$1" > /tmp/rules
	dd if=/tmp/rules of=$R bs=64k 2>/dev/null
}

ktap_plan 10
ktap_run "two rxe devices" rxe_pair_setup
ktap_run "module loads" modprobe rdma_mcast_noloop

# Debian's 6.1 has both hook points; hooks/<creator> and the load log say
# which.
H=/sys/kernel/rdma_mcast_noloop/hooks
[ "$(state_get $H/kernel)" = ib_create_qp_kernel ] &&
	[ "$(state_get $H/user)" = ib_create_qp_user ] &&
	dmesg | grep -q 'kernel QPs hooked at ib_create_qp_kernel(), user-space QPs at ib_create_qp_user()'
rc=$?
ktap_check "kernel and user-space QP creation hooked, and said so (kernel $(state_get $H/kernel), user $(state_get $H/user))" $rc
armed=$(state_get $H/armed)
[ -z "$(cat $R)" ] && [ "$armed" = no ]
ktap_check "no rule at load, hooks not armed ($armed)" $?

# A valid set, read back canonically.
setrules "allow dev=rxe0 creator=user uid=1000
block dev=* type=ud; allow creator=kernel"
want='allow dev=rxe0 type=ud creator=user uid=1000
block dev=* type=ud creator=any
allow dev=* type=ud creator=kernel'
if [ "$(cat $R)" = "$want" ] && [ "$(state_get $H/armed)" = yes ]; then
	ktap_pass "a valid rule set is taken and read back canonically, hooks armed"
else
	ktap_diag "got: $(cat $R); armed: $(state_get $H/armed)"
	ktap_fail "a valid rule set is taken and read back canonically, hooks armed"
fi
good=$(cat $R)

# Stock rxe cannot block: refused, with the documented message.
dmesg -c > /dev/null
if echo "block dev=rxe0" > $R 2>/dev/null; then
	ktap_fail "block rule for stock rxe refused"
elif dmesg | grep -q 'device rxe0 cannot block multicast loopback (no IBK_BLOCK_MULTICAST_LOOPBACK); rule refused' &&
     [ "$(cat $R)" = "$good" ]; then
	ktap_pass "block rule for stock rxe refused"
else
	ktap_diag "$(dmesg | tail -n 3)"
	ktap_fail "block rule for stock rxe refused (message or previous set)"
fi

# Malformed input: every case -EINVAL, a message, the previous set intact.
cases=(
	"drop dev=rxe0" "block dev" "block dev=" "block =rxe0" "block dev=nosuch0"
	"block type=rc" "block creator=root" "block uid=1000" "allow uid=abc creator=user"
	"allow creator=user uid=-1" "allow creator=user uid=4294967295"
	"allow dev=rxe0 dev=rxe1" "block type=raw_packet" "allow foo=bar"
	"allow dev=$(head -c 100 /dev/zero | tr '\0' a)" "allow; block dev=nosuch"
	"clear allow" "allow creator=user gid=x" "block	dev=rxe0"
)
bad=0
for c in "${cases[@]}"; do
	dmesg -c > /dev/null
	if setrules "$c" 2>/dev/null; then
		ktap_diag "accepted: '$c'"
		bad=1
	elif ! dmesg | grep -q 'rdma_mcast_noloop: rules:'; then
		ktap_diag "no message for: '$c'"
		bad=1
	fi
	[ "$(cat $R)" = "$good" ] || { ktap_diag "rule set changed by '$c'"; bad=1; }
done
ktap_check "${#cases[@]} malformed rule sets refused, previous set intact" $bad

# Random bytes and boundary sizes: no oops (the runner checks dmesg), every
# write either refused or, if it parses, readable.
bad=0
for i in $(seq 200); do
	head -c $((RANDOM % 600 + 1)) /dev/urandom > /tmp/fuzz
	if dd if=/tmp/fuzz of=$R bs=64k 2>/dev/null; then
		cat $R > /dev/null || bad=1
		setrules "$good"
	fi
	[ "$(cat $R)" = "$good" ] || { ktap_diag "fuzz write $i changed the set"; bad=1; }
done
for n in 63 64 65; do
	yes 'allow dev=rxe1' | head -n $n > /tmp/many
	if dd if=/tmp/many of=$R bs=64k 2>/dev/null; then ok=1; else ok=0; fi
	[ $n -le 64 ] && [ $ok -eq 1 ] && [ "$(wc -l < $R)" -eq $n ] && continue
	[ $n -gt 64 ] && [ $ok -eq 0 ] && continue
	ktap_diag "$n rules: accepted=$ok"
	bad=1
done
setrules "$good"
ktap_check "200 random writes and 63/64/65-rule boundaries handled" $bad

# A uid or gid the writer's user namespace does not map is refused, also
# next to one it does (the gid used to be dropped then, widening the rule).
if unshare -U -r true 2> /dev/null; then
	dmesg -c > /dev/null
	unshare -U -r sh -c "echo 'allow creator=user uid=0 gid=5' > $R" 2> /dev/null
	rc=$?
	[ $rc -ne 0 ] && [ "$(cat $R)" = "$good" ] &&
		dmesg | grep -q "rdma_mcast_noloop: rules: line 1: bad value '5' for gid"
	rc2=$?
	unshare -U -r sh -c "echo 'allow creator=user uid=0 gid=0' > $R" 2> /dev/null &&
		grep -q 'gid=0' $R
	ok=$((rc2 | $?))
	setrules "$good"
	ktap_check "from a user namespace mapping only 0: gid=5 refused (write $rc), gid=0 accepted" $ok
else
	ktap_skip "unmappable gid refused from a user namespace" "no unshare -U -r in the guest"
fi

echo clear > $R && [ -z "$(cat $R)" ] && [ "$(state_get $H/armed)" = yes ]
ktap_check "clear empties the rule set; the hooks stay armed until unload" $?
ktap_finish
