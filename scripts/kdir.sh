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
# (scripts/lib.sh rb_kdir_pick and rb_kdirs; scripts that source lib.sh call
# those.)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = "--all" ]; then
	rb_kdirs
else
	rb_kdir_pick
fi
