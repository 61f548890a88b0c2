#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Does kernel KVER (headers KDIR) already carry "RDMA/rxe: support
# IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK"? Called by status.sh when no kernel
# source is at hand; prints "yes|no|unknown|n/a: how it was decided".
#
#   detect/<patch>.sh KVER KDIR     RB_MODDIR= instead of /lib/modules/KVER
#
# The change leaves no string of its own in rdma_rxe.ko, and its effect can
# only be seen by loading the module, which the host must never do. What
# can be read without loading is the module's BTF (Debian builds with
# CONFIG_DEBUG_INFO_BTF_MODULES=y): it names the members of the module's
# own structures, and the patch adds the member block_mcast_lb to struct
# rxe_qp. So this answers "does the installed rdma_rxe.ko have this
# patch's QP field", a string check on the module's .BTF section:
#  - a split module BTF leaves out strings the kernel image's BTF already
#    has; 6.1's vmlinux BTF has no "block_mcast_lb", so it cannot hide there;
#  - an upstream fix under another name reads "no": when the patch's status
#    becomes Accepted or Backport, point this check at the merged name.
set -euo pipefail

. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pq_installed_module "$1" "$2" CONFIG_RDMA_RXE drivers/infiniband/sw/rxe rdma_rxe "$tmp/m.ko" ||
	exit 0
ko="the installed rdma_rxe.ko"
if ! objcopy --dump-section .BTF="$tmp/btf" "$tmp/m.ko" "$tmp/junk" 2>/dev/null; then
	echo "unknown: $ko has no BTF"
	exit 0
fi
if strings -n 3 "$tmp/btf" | grep -qx block_mcast_lb; then
	echo "yes: struct rxe_qp of $ko has block_mcast_lb (BTF)"
else
	echo "no: struct rxe_qp of $ko has no block_mcast_lb (BTF)"
fi
