#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make run: build the suite, DKMS-install it for every kernel with headers,
# then boot the distribution's kernel in a VM with the modules exactly as
# DKMS installed them and show what they do.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
kdir=$(rb_kdir)
kver=$(rb_kver "$kdir")

RB_WITH_TESTS=0 "$top/scripts/build.sh" "$kdir" "$top/build/$kver"
"$top/scripts/dkms.sh" install
echo
echo "=== booting $kver in a VM with the DKMS-installed modules"
RB_MODULES_FROM=/lib/modules/$kver/updates/dkms KDIR_SEL=$kdir KVER_SEL=$kver \
	"$top/scripts/vm/selftests.sh" --demo
cat "$top/build/vm/runs/demo/out/demo.log"
