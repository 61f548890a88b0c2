#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Which modules of the suite can be built for a kernel.
#
#   select.sh KDIR CACHEDIR [make args...]
#   select.sh --list          every module, as "NAME DIR", probing nothing
#
# Reads scripts/compat/modules and probes (cached, only the probes that some
# module requires) the kernel build tree KDIR, or reads the results of a
# run of every probe for KDIR already made: RB_COMPAT_HDR=its
# rbp_compat_autoconf.h (scripts/build.sh, which needs them all anyway).
# RB_SELECT_ALL=1 runs every probe instead, into CACHEDIR, so that a build
# given the same CACHEDIR (RB_CACHE) finds them all done (dkms.conf).
# Prints one line per module:
#
#   build NAME DIR
#   skip NAME DIR needs PROBE (what it is), ...
#
# "what it is" is the first comment line of the probe file, so the reason a
# user reads is the kernel feature, not a macro name.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
table=$here/modules

if [ "${1:-}" = --list ]; then
	awk '!/^#/ && NF >= 2 { print $1, $2 }' "$table"
	exit 0
fi

kdir=$1
cache=$2
shift 2

hdr=
if [ -n "${RB_COMPAT_HDR:-}" ]; then
	hdr=$RB_COMPAT_HDR
elif [ "${RB_SELECT_ALL:-0}" = 1 ]; then
	hdr=$("$here/probe.sh" "$kdir" "$cache" "$@")/rbp_compat_autoconf.h
else
	needed=$(awk '!/^#/ && NF > 2 { for (i = 3; i <= NF; i++) print $i }' "$table" | sort -u | xargs)
	[ -z "$needed" ] ||
		hdr=$(RB_PROBES="$needed" "$here/probe.sh" "$kdir" "$cache" "$@")/rbp_compat_autoconf.h
fi

# The features the probes found (the header's "#define HAVE_X 1" lines),
# read with the shell's own read: this runs in every build and DKMS reads
# dkms.conf, which runs it, several times.
declare -A have=()
if [ -n "$hdr" ]; then
	while read -r d m v; do
		[ "$d" != "#define" ] || [ "$v" != 1 ] || have[$m]=1
	done < "$hdr"
fi

# describe PROBE: its one-line description.
describe()
{
	local f=$here/probes/$1.c
	[ -e "$f" ] || f=$here/probes/$1.sym
	sed -n -e 's|^ \* \(.*\)$|\1|p' -e 's|^# \(.*\)$|\1|p' "$f" | head -n 1
}

while read -r name dir reqs; do
	case "$name" in ''|\#*) continue ;; esac
	missing=
	for p in $reqs; do
		m=HAVE_${p^^}
		[ -z "${have[$m]:-}" ] || continue
		missing+="${missing:+, }$p ($(describe "$p"))"
	done
	if [ -z "$missing" ]; then
		echo "build $name $dir"
	else
		echo "skip $name $dir needs $missing"
	fi
done < "$table"
