# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Reading the suite's state files and waiting for them (sourced by ktap.sh,
# so every test has these). Every module keeps its state one value per file
# (debugfs, sysfs): reading a value is reading a file.
#
#	state_get /sys/kernel/debug/ipoib_sendonly/ports/sib0/1/effective
#	state_wait /sys/kernel/debug/rdma_sib/sib1/state ACTIVE 10
#	slowwait 20 test -e /sys/class/net/ib0

# state_get FILE: print FILE's value (its first line). Non-zero, with a
# message naming it, when there is no such file.
state_get()
{
	local v
	if ! [ -e "$1" ]; then
		echo "state_get: no such file $1" >&2
		return 1
	fi
	IFS= read -r v < "$1"
	printf '%s\n' "$v"
}

# state_num FILE: FILE's value's first word (a number with its unit, such
# as "12 s ago", gives 12).
state_num()
{
	local v
	v=$(state_get "$1") || return 1
	printf '%s\n' "${v%% *}"
}

# slowwait SECONDS CMD [ARG...]: run CMD every 0.1 s until it succeeds;
# non-zero when it has not within SECONDS.
slowwait()
{
	local tries=$(($1 * 10)) n=0
	shift
	until "$@"; do
		n=$((n + 1))
		[ $n -ge $tries ] && return 1
		sleep 0.1
	done
}

# state_is FILE VALUE: FILE holds VALUE.
state_is()
{
	[ "$(state_get "$1" 2>/dev/null)" = "$2" ]
}

# state_wait FILE VALUE SECONDS: FILE holds VALUE within SECONDS.
state_wait()
{
	slowwait "$3" state_is "$1" "$2"
}

# state_num_ge FILE MIN: FILE's number is at least MIN.
state_num_ge()
{
	local v
	v=$(state_num "$1" 2>/dev/null) || return 1
	[ -n "$v" ] && [ "$v" -ge "$2" ] 2>/dev/null
}

# busywait_for_counter SECONDS MIN FILE: FILE's number reaches MIN within
# SECONDS.
busywait_for_counter()
{
	slowwait "$1" state_num_ge "$3" "$2"
}
