# SPDX-License-Identifier: GPL-2.0-only
#
# KTAP helpers for the suite's shell tests (sourced, not run).
#
# A test script is one test of its directory; each check inside it is a KTAP
# subtest line. Typical use:
#
#	. "$(dirname "$0")/../lib/ktap.sh"
#	ktap_plan 2
#	ktap_run "module loads" modprobe rdma_sib
#	if [ -e /sys/kernel/debug/foo ]; then ktap_pass "foo present"
#	else ktap_fail "foo present"; fi
#	ktap_finish
#
# Exit codes follow kselftest: 0 all passed, 1 something failed, 4 skipped.

. "$(dirname "${BASH_SOURCE[0]}")/state.sh"

KTAP_N=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0
KTAP_PLAN=

# ktap_plan N: announce N subtests; ktap_finish fails a test that reports
# another number (one that stopped early must not pass).
ktap_plan()
{
	KTAP_PLAN=$1
	echo "KTAP version 1"
	echo "1..$1"
}

# ktap_diag TEXT...: a diagnostic line.
ktap_diag()
{
	local l
	printf '%s\n' "$*" | while IFS= read -r l; do echo "# $l"; done
}

# ktap_pass NAME
ktap_pass()
{
	KTAP_N=$((KTAP_N + 1))
	KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_N $*"
}

# ktap_fail NAME
ktap_fail()
{
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_N $*"
}

# ktap_skip NAME REASON
ktap_skip()
{
	KTAP_N=$((KTAP_N + 1))
	KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_N $1 # SKIP $2"
}

# ktap_have_module NAME: the running kernel can load module NAME (it is in
# modules.dep). Not modinfo: busybox's, which the VM runs, exits 0 for a
# module it does not find.
ktap_have_module()
{
	grep -qE "(^|/)$1\.ko(\.[a-z]+)?:" "/lib/modules/$(uname -r)/modules.dep" 2>/dev/null
}

# ktap_need_modules MODULE...: skip the whole test, naming the first module
# that was not built, unless all were.
ktap_need_modules()
{
	local m
	for m in "$@"; do
		ktap_have_module "$m" || ktap_skip_all "$m was not built"
	done
}

# ktap_check NAME STATUS: pass when STATUS is 0.
ktap_check()
{
	if [ "$2" -eq 0 ]; then
		ktap_pass "$1"
	else
		ktap_fail "$1"
	fi
}

# ktap_run NAME CMD...: run CMD, pass when it exits 0; its output becomes
# diagnostics when it fails.
ktap_run()
{
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		ktap_diag "$name: '$*' exited $rc"
		[ -n "$out" ] && ktap_diag "$out"
	fi
	ktap_check "$name" $rc
}

# ktap_skip_all REASON: the whole test cannot run here.
ktap_skip_all()
{
	echo "KTAP version 1"
	echo "1..0 # SKIP $*"
	exit 4
}

# ktap_finish: exit with the kselftest code for what was reported.
ktap_finish()
{
	ktap_diag "totals: pass:$KTAP_PASS fail:$KTAP_FAIL skip:$KTAP_SKIP"
	if [ -n "$KTAP_PLAN" ] && [ "$KTAP_N" -ne "$KTAP_PLAN" ]; then
		ktap_diag "planned $KTAP_PLAN subtests, reported $KTAP_N"
		exit 1
	fi
	if [ $KTAP_FAIL -gt 0 ]; then
		exit 1
	elif [ $KTAP_PASS -eq 0 ] && [ $KTAP_SKIP -gt 0 ]; then
		exit 4
	fi
	exit 0
}
