# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Driving rb_test_mcast (selftests/kmod/rb_test_mcast/, a kernel client of
# UD and RC QPs) from a test: sourced after ktap.sh. Its commands and the
# state it reports are described at the top of rb_test_mcast.c.
RBT_CMD=/sys/kernel/debug/rb_test_mcast/cmd
RBT_STATE=/sys/kernel/debug/rb_test_mcast/state

# rbt WORDS...: one command; its status is the write's.
rbt() { echo "$*" > $RBT_CMD; }

# rbt_qpval NAME FIELD: a value rb_test_mcast reports of its QP NAME.
rbt_qpval()
{
	awk -v n="$1" -v f="$2" '$1 == "qp" && $2 == n {
		for (i = 3; i < NF; i++) if ($i == f) print $(i + 1) }' $RBT_STATE
}

# rbt_qpval_is NAME FIELD VALUE: QP NAME's FIELD is VALUE.
rbt_qpval_is() { [ "$(rbt_qpval "$1" "$2")" = "$3" ]; }

# rbt_wait_qpval NAME FIELD VALUE: wait up to 5 s for it (completions are
# polled by ib_core's work, after the post that caused them returned).
rbt_wait_qpval() { slowwait 5 rbt_qpval_is "$@"; }
