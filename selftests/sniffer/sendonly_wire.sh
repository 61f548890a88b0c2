#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Each ipoib_sendonly policy on the wire: with rdma_sib's SA in its legacy
# personality (no SendOnlyFullMember, said in its ClassPortInfo), a sends to
# a multicast group it has not joined under each policy in turn (the
# module loaded with it), which makes IPoIB's send-only join; sib0's
# monitor captures the SA MCMemberRecord Set (join) MADs, and tshark reads
# their JoinState and the status of the SA's answers: auto and full
# rewrite the join to FullMember (0x1), which the SA takes; sendonly-full
# and off leave IPoIB's SendOnlyFullMember (0x8), which this SA refuses
# (ERR_REQ_INVALID, 0x0200). IPoIB's broadcast join, captured at link up,
# is FullMember. One capture and one tshark run for all of it.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/sib.sh"
. "$(dirname "$0")/../lib/ipoib_sendonly.sh"
. "$(dirname "$0")/../lib/sniffer.sh"

snf_require
ktap_have_module ipoib_sendonly || ktap_skip_all "ipoib_sendonly was not built"
trap 'rmmod ipoib_sendonly 2>/dev/null; snf_cleanup' EXIT
M=sib0p1s
T=/tmp/snf-sendonly
S0=$(iso_port sib0)
# Policy, group (239.N.N.N), the JoinState it puts on the wire, the SA's
# answer. The FullMember ones first: a refused join IPoIB retries later
# is then made under a policy that keeps 0x8 too.
POLICIES=(auto full sendonly-full off)
GROUP=(2 3 4 5)
STATE=(0x1 0x1 0x8 0x8)
STATUS=(0x0000 0x0000 0x0200 0x0200)

# wire_mgid N: the MGID of 239.N.N.N as tshark prints it (IPv6 notation).
wire_mgid()
{
	printf 'ff12:401b:ffff::f%02x:%x%02x' "$1" "$1" "$1"
}

# wire_sets N: the SA MCMemberRecord Sets (joins) for 239.N.N.N in the
# capture so far: method (MAD at byte 74, method at 77), attribute 0x0038,
# the MGID in the record, which starts 56 bytes into the MAD.
wire_sets()
{
	snf_count $T/joins.pcap "ether[77] = 0x02 and ether[90:2] = 0x0038 and" \
		"ether[130:4] = 0xff12401b and ether[142:4] = $(printf '0x0f%02x%02x%02x' "$1" "$1" "$1")"
}

wire_set_seen()
{
	[ "$(wire_sets "$1")" -ge 1 ]
}

ktap_plan 11
mkdir -p $T
# The capture runs from before IPoIB comes up: the broadcast join is in it.
modprobe rdma_sib sa_mode=legacy && modprobe rdma_sniffer_sib && snf_new sib0 1 &&
	ip link set $M up && snf_capture $M $T/joins.pcap && cap=$SNF_PID
ktap_check "rdma_sib (SA legacy), tcpdump listens on $M" $?
ktap_run "IPoIB up on sib0 and sib1" sib_setup sa_mode=legacy
ktap_diag "SA: $(state_get $SIB_D/sa/personality), ClassPortInfo $(state_get $SIB_D/sa/class_port_info_answer)"

for i in "${!POLICIES[@]}"; do
	p=${POLICIES[$i]} n=${GROUP[$i]}
	g=239.$n.$n.$n
	rc=0
	modprobe ipoib_sendonly policy="$p" || rc=1
	# auto acts on what the SA's ClassPortInfo says: wait until it is in.
	if [ "$p" = auto ]; then
		state_wait "$S0/sm_cap" no-sendonly-full 10 || rc=1
	fi
	if [ "${STATE[$i]}" = 0x1 ]; then
		st=$(sib_send_until_joined a $SIB_IP_A $g "$(sib_mgid "$n")" sib0)
		[ "$st" = 0x1 ] || rc=1
		what="the SA has sib0 as ${st:-no member}"
	else
		# Refused: no member to wait for; wait for the join on the wire.
		sib_mcast_send a $SIB_IP_A $g 1
		slowwait 10 wire_set_seen "$n" || rc=1
		st=$(sib_join_state "$(sib_mgid "$n")" sib0)
		[ -z "$st" ] || rc=1
		what="sib0 not a member (${st:-none})"
	fi
	ktap_diag "policy $p, $g: effective $(state_get "$S0/effective"), sendonly joins $(state_get "$S0/sendonly"), rewritten $(state_get "$S0/rewritten"); joins on the wire $(wire_sets "$n")"
	rmmod ipoib_sendonly || rc=1
	ktap_check "policy $p: a sends to $g, a send-only join; $what" $rc
done

snf_settle $M
snf_capture_end $M "$cap"
checks=()
for p in "${POLICIES[@]}"; do
	checks+=("tshark: policy $p on the wire")
done
snf_need_tshark "${checks[@]}" "tshark: the broadcast group's join is FullMember" || ktap_finish
# One tshark run (slow to start under TCG): the SA MCMemberRecord MADs,
# one line each: method, transaction ID, status, MGID, JoinState.
"$TS" -r $T/joins.pcap -Y "infiniband.mad.attributeid == 0x0038" -T fields -E separator=';' \
	-e infiniband.mad.method -e infiniband.mad.transactionid -e infiniband.mad.status \
	-e infiniband.mcmemberrecord.mgid -e infiniband.mcmemberrecord.joinstate \
	> $T/mads 2> $T/tshark.err
ktap_diag "tshark: $(wc -l < $T/mads) MCMemberRecord MADs of $(snf_count $T/joins.pcap) frames"
grep -v "Running as user" $T/tshark.err | head -n 3 | while IFS= read -r l; do ktap_diag "tshark: $l"; done

for i in "${!POLICIES[@]}"; do
	p=${POLICIES[$i]} n=${GROUP[$i]}
	# Sets (0x02) for the group: how many, how many with the wanted
	# JoinState; GetResp (0x81) to their transaction IDs: how many, how
	# many with the wanted status.
	r=$(awk -F';' -v mgid="$(wire_mgid "$n")" -v js="${STATE[$i]#0x}" -v st="${STATUS[$i]}" '
		function hexval(s) { sub(/^0x0*/, "", s); return s == "" ? "0" : s }
		$1 == "0x02" && $4 == mgid { sets++; tid[$2] = 1; if (hexval($5) == js) good++ }
		$1 == "0x81" { resp[$2] = $3 }
		END {
			for (t in tid) if (t in resp) { ans++; if (resp[t] == st) ok++ }
			printf "%d %d %d %d\n", sets, good, ans, ok
		}' $T/mads)
	read -r sets good ans ok <<< "$r"
	ktap_diag "policy $p, $(wire_mgid "$n"): $sets Set(s), $good with JoinState ${STATE[$i]}; $ans answered, $ok with status ${STATUS[$i]}"
	[ "$sets" -ge 1 ] && [ "$good" -eq "$sets" ] && [ "$ans" -eq "$sets" ] && [ "$ok" -eq "$ans" ]
	ktap_check "tshark: policy $p puts JoinState ${STATE[$i]} on the wire, the SA answers ${STATUS[$i]}" $?
done
# The broadcast group (IPv4, P_Key 0xffff) is a full join whatever the policy.
b=$(awk -F';' '$1 == "0x02" && $4 == "ff12:401b:ffff::ffff:ffff" { n++; if ($5 ~ /^(0x0?)?1$/) f++ }
	END { printf "%d %d\n", n, f }' $T/mads)
read -r bs bf <<< "$b"
[ "$bs" -ge 1 ] && [ "$bs" -eq "$bf" ]
ktap_check "tshark: the broadcast group's join is FullMember ($bf of $bs)" $?
ktap_finish
