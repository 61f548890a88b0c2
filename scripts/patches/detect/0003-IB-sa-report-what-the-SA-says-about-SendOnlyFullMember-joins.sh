#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Does kernel KVER (headers KDIR) already carry "IB/sa: report what the SA
# says about SendOnlyFullMember joins"? Called by status.sh when no kernel
# source is at hand; prints "yes|no|unknown|n/a: how it was decided".
#
#   detect/<patch>.sh KVER KDIR
#
# The patch exports ib_sa_sendonly_fullmem_state() from ib_core, so the
# kernel's Module.symvers names it. (Kernels 4.9 to 5.11 exported a boolean
# ib_sa_sendonly_fullmem_support() instead; they read "no".)
set -euo pipefail

kdir=$2
sym=$kdir/Module.symvers
if [ ! -e "$sym" ]; then
	echo "unknown: no $sym"
elif ! grep -q "[[:space:]]ib_sa_join_multicast[[:space:]]" "$sym"; then
	echo "n/a: the kernel exports no ib_sa_join_multicast (no InfiniBand SA)"
elif grep -q "[[:space:]]ib_sa_sendonly_fullmem_state[[:space:]]" "$sym"; then
	echo "yes: ib_sa_sendonly_fullmem_state is exported ($sym)"
else
	echo "no: ib_sa_sendonly_fullmem_state is not exported ($sym)"
fi
