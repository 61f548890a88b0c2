#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Does kernel KVER (headers KDIR) already carry "IB/ipoib: use
# SendOnlyFullMember joins only where the SM supports them"? Called by
# status.sh when no kernel source is at hand; prints
# "yes|no|unknown|n/a: how it was decided".
#
#   detect/<patch>.sh KVER KDIR     RB_MODDIR= instead of /lib/modules/KVER
#
# With the patch, ib_ipoib.ko calls ib_sa_sendonly_fullmem_support(): the
# installed module has it among its undefined symbols (read with nm, the
# module is never loaded). IPoIB of 4.9 to 5.11 called a function of that
# name too and reads "yes".
set -euo pipefail

kver=$1
kdir=$2
cfg=$kdir/.config
if [ -e "$cfg" ]; then
	case "$(sed -n 's/^CONFIG_INFINIBAND_IPOIB=//p' "$cfg")" in
	m) ;;
	y) echo "unknown: ib_ipoib is built into the kernel image"; exit 0 ;;
	*) echo "n/a: CONFIG_INFINIBAND_IPOIB is not set ($cfg)"; exit 0 ;;
	esac
fi

moddir=${RB_MODDIR:-/lib/modules/$kver}
ko=$(find "$moddir/kernel/drivers/infiniband/ulp/ipoib" -name 'ib_ipoib.ko*' 2>/dev/null | head -n 1 || true)
if [ -z "$ko" ]; then
	echo "unknown: no ib_ipoib.ko in $moddir (kernel image not installed here)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case "$ko" in
*.xz) xz -dc "$ko" > "$tmp/m.ko" ;;
*.zst) zstd -qdc "$ko" > "$tmp/m.ko" ;;
*.gz) gzip -dc "$ko" > "$tmp/m.ko" ;;
*) cp "$ko" "$tmp/m.ko" ;;
esac
if nm -u "$tmp/m.ko" | grep -qw ib_sa_sendonly_fullmem_support; then
	echo "yes: $ko calls ib_sa_sendonly_fullmem_support"
else
	echo "no: $ko does not call ib_sa_sendonly_fullmem_support"
fi
