#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Does kernel KVER (headers KDIR) already carry "IB/ipoib: fall back to
# FullMember only where the SM lacks SendOnlyFullMember"? Called by
# status.sh when no kernel source is at hand; prints
# "yes|no|unknown|n/a: how it was decided".
#
#   detect/<patch>.sh KVER KDIR     RB_MODDIR= instead of /lib/modules/KVER
#
# With the patch, ib_ipoib.ko calls ib_sa_sendonly_fullmem_state(): the
# installed module has it among its undefined symbols (read with nm, the
# module is never loaded). IPoIB of 4.9 to 5.11 called the boolean
# ib_sa_sendonly_fullmem_support() instead and reads "no".
set -euo pipefail

. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pq_installed_module "$1" "$2" CONFIG_INFINIBAND_IPOIB drivers/infiniband/ulp/ipoib ib_ipoib "$tmp/m.ko" ||
	exit 0
if nm -u "$tmp/m.ko" | grep -qw ib_sa_sendonly_fullmem_state; then
	echo "yes: the installed ib_ipoib.ko calls ib_sa_sendonly_fullmem_state"
else
	echo "no: the installed ib_ipoib.ko does not call ib_sa_sendonly_fullmem_state"
fi
