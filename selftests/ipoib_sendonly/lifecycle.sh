#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ipoib_sendonly's life cycle without a fabric: the policy parameter rejects
# bad values and keeps the previous one, IPoIB's SA client is found whether
# ib_ipoib comes before or after the module and forgotten when it goes, the
# kprobe is listed while loaded and gone after rmmod.
. "$(dirname "$0")/../lib/ktap.sh"

modinfo ipoib_sendonly > /dev/null 2>&1 || ktap_skip_all "ipoib_sendonly was not built"
D=/sys/kernel/debug/ipoib_sendonly
P=/sys/module/ipoib_sendonly/parameters/policy
status() { grep "^ipoib_sa_client:" $D/status | cut -d' ' -f2; }

ktap_plan 10

modprobe ib_ipoib
ktap_run "loads with ib_ipoib present" modprobe ipoib_sendonly
[ "$(status)" = found ] && ktap_pass "IPoIB's SA client found at load" ||
	ktap_fail "IPoIB's SA client found at load (status: $(status))"
grep -q 'ib_sa_join_multicast' /sys/kernel/debug/kprobes/list &&
	ktap_pass "kprobe on ib_sa_join_multicast listed" ||
	ktap_fail "kprobe on ib_sa_join_multicast listed"

# Bad values: -EINVAL, a message naming the problem, previous value kept.
echo full > $P
bad=0
for v in bogus " " auto1 FULL "sendonly" "$(head -c 300 /dev/zero | tr '\0' x)"; do
	if echo -n "$v" > $P 2>/dev/null; then
		ktap_diag "accepted '$v'"
		bad=1
	fi
done
[ "$(cat $P)" = full ] || { ktap_diag "policy now $(cat $P)"; bad=1; }
dmesg | grep -q "policy: 'bogus' is not one of auto, full, sendonly-full, off" ||
	{ ktap_diag "no error message in dmesg"; bad=1; }
ktap_check "bad policy values rejected, previous policy kept" $bad
bad=0
for v in auto full sendonly-full off auto; do
	echo $v > $P || bad=1
	[ "$(cat $P)" = $v ] || bad=1
done
ktap_check "every valid policy accepted and read back" $bad
# ib_ipoib goes and comes back (possibly elsewhere): tracked by the notifier.
rmmod ib_ipoib
[ "$(status)" = "not" ] && ktap_pass "client forgotten when ib_ipoib unloads" ||
	ktap_fail "client forgotten when ib_ipoib unloads (status: $(status))"
modprobe veth	# move ib_ipoib's next load address
modprobe ib_ipoib
[ "$(status)" = found ] && ktap_pass "client found again when ib_ipoib reloads" ||
	ktap_fail "client found again when ib_ipoib reloads (status: $(status))"

ktap_run "unloads" rmmod ipoib_sendonly
if grep -q 'ib_sa_join_multicast' /sys/kernel/debug/kprobes/list; then
	ktap_fail "no kprobe left after rmmod"
else
	ktap_pass "no kprobe left after rmmod"
fi
if modprobe ipoib_sendonly policy=nonsense 2>/dev/null; then
	ktap_fail "load with a bad policy parameter refused"
	rmmod ipoib_sendonly
else
	ktap_pass "load with a bad policy parameter refused"
fi
ktap_finish
