#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Choose the kernel build tree to build against and print it.
#
#   KDIR=/path  use that tree
#   KVER=rel    use /lib/modules/rel/build
#   neither     /lib/modules/$(uname -r)/build when it exists, otherwise the
#               newest installed /lib/modules/*/build, preferring releases
#               whose kernel image is in /boot (the VM harness can boot those)
#
# With --all, print every installed build tree, one a line.
set -euo pipefail

if [ "${1:-}" = "--all" ]; then
	for d in /lib/modules/*/build; do
		[ -e "$d/Makefile" ] && readlink -f "$d"
	done | sort -uV
	exit 0
fi

if [ -n "${KDIR:-}" ]; then
	kdir=$KDIR
elif [ -n "${KVER:-}" ]; then
	kdir=/lib/modules/$KVER/build
elif [ -e "/lib/modules/$(uname -r)/build/Makefile" ]; then
	kdir=/lib/modules/$(uname -r)/build
else
	kdir=
	for d in $(ls -d /lib/modules/*/build 2>/dev/null | sort -V); do
		rel=${d#/lib/modules/}
		rel=${rel%/build}
		[ -e "$d/Makefile" ] || continue
		if [ -e "/boot/vmlinuz-$rel" ]; then
			booted=$d
		fi
		kdir=$d
	done
	kdir=${booted:-$kdir}
fi

if [ -z "$kdir" ] || [ ! -e "$kdir/Makefile" ]; then
	echo "kdir: no kernel build tree found (${kdir:-none}); install linux-headers-amd64 or set KDIR=" >&2
	exit 1
fi
readlink -f "$kdir"
