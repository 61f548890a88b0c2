#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ipoib_sendonly keeps asking an SA that does not answer its ClassPortInfo
# query, with a backoff that grows, and believes nothing meanwhile; a busy
# SA is asked again, not taken for one without SendOnlyFullMember. Once the
# SA answers, the next retry learns the capability. (Before the fix the
# first failure stopped the retries: the port stayed "query-failed".)
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/ipoib_sendonly.sh"

ktap_have_module rdma_sib || ktap_skip_all "rdma_sib was not built"
ktap_have_module ipoib_sendonly || ktap_skip_all "ipoib_sendonly was not built"
trap 'rmmod ipoib_sendonly 2>/dev/null; sib_cleanup' EXIT
S0=$(iso_port sib0)

# cycle MODE HOW SECS: the SA answers ClassPortInfo as MODE (rdma_sib
# "cpi"); the module is told to ask again. It must read query-failed, ask
# at least twice more within SECS seconds (backoff 1, 2, 4 s after each
# failure), then learn the capability once the SA answers again.
cycle()
{
	local q1 q2 rc
	echo "$1" > $SIB_D/sa/class_port_info_answer
	echo 1 > $ISO/relearn
	state_wait $S0/sm_cap query-failed 15
	rc=$?
	ktap_check "SA $2: nothing believed, the port reads query-failed (status $(state_get $S0/status))" $rc
	q1=$(state_get $S0/queries)
	sleep "$3"
	q2=$(state_get $S0/queries)
	[ "$q2" -ge $((q1 + 2)) ] && [ "$(state_get $S0/sm_cap)" = query-failed ]
	ktap_check "SA $2: asked again with backoff ($q1 -> $q2 queries in $3 s)" $?
	echo answer > $SIB_D/sa/class_port_info_answer
	state_wait $S0/sm_cap sendonly-full 30
	rc=$?
	ktap_check "SA $2, then answering: learned at the next retry ($(state_get $S0/sm_cap))" $rc
}

ktap_plan 7
ktap_run "rdma_sib (SA modern), IPoIB and ipoib_sendonly up" eval "sib_setup && modprobe ipoib_sendonly"
# A silent SA: each query times out after 4 s (1 s, three retries).
cycle drop silent 20
# A busy SA answers at once: retried, never taken for "no support".
cycle busy busy 8
ktap_finish
