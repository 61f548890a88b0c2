#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make selftests-debian13: the VM selftests (scripts/vm/selftests.sh, the
# same DIR... arguments, all of selftests/ by default) on Debian 13's own
# kernel, with the suite's modules built for it inside the cached Debian 13
# root (scripts/debian13/root.sh, build.sh) and the guest's user space from
# that root (RB_SYSROOT). Prints the time each part took.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null
. "$top/scripts/vm/sysroot.sh"

t0=$(date +%s)
root=$("$top/scripts/debian13/root.sh")
rel=$(rb_root_release "$root")
"$top/scripts/debian13/build.sh" "$root"
t1=$(date +%s)
rc=0
RB_SYSROOT=$root "$top/scripts/vm/selftests.sh" "$@" || rc=$?
t2=$(date +%s)
echo "debian13: $rel: root and build $((t1 - t0)) s, VM selftests $((t2 - t1)) s"
exit $rc
