#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Reading ipoib_sendonly's debugfs state, for the tests that load it: one
# value per file, read with state.sh's state_get/state_num and waited for
# with state_wait/busywait_for_counter.
#
#	state_get "$(iso_port sib0)/sm_cap"
#	state_wait "$(iso_port sib0)/sm_cap" no-sendonly-full 10

ISO=/sys/kernel/debug/ipoib_sendonly

# iso_port DEV [PORT]: the directory of DEV's port PORT (default 1).
iso_port()
{
	echo "$ISO/ports/$1/${2:-1}"
}

# Every file of a port's directory.
ISO_FIELDS=(sm_lid sm_cap legacy learned status queries native effective
	seen sendonly rewritten left_alone refused)

# iso_port_files DIR: DIR holds the files of ISO_FIELDS and nothing else,
# and each reads a value (what is wrong is said on stderr).
iso_port_files()
{
	local f v n=0
	for f in "$1"/*; do
		[ -e "$f" ] && n=$((n + 1))
	done
	[ $n -eq ${#ISO_FIELDS[@]} ] ||
		{ echo "$1: $n files, not ${#ISO_FIELDS[@]}" >&2; return 1; }
	for f in "${ISO_FIELDS[@]}"; do
		v=$(state_get "$1/$f") || return 1
		[ -n "$v" ] || { echo "$1/$f: empty" >&2; return 1; }
	done
}
