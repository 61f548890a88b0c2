#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Reading ipoib_sendonly's debugfs state, for the tests that load it.

ISO=/sys/kernel/debug/ipoib_sendonly

# iso DEV COLUMN: a column of DEV's line in the ports table.
iso()
{
	awk -v d="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$1 == d { print $h[c] }' $ISO/ports
}

# ipoib_so_wait DEV COLUMN VALUE SECONDS: DEV's COLUMN reads VALUE within SECONDS.
ipoib_so_wait()
{
	local n=0
	until [ "$(iso "$1" "$2")" = "$3" ]; do
		n=$((n + 1))
		[ $n -gt $(($4 * 10)) ] && return 1
		sleep 0.1
	done
}
