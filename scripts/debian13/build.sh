#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build.sh ROOT: build the suite's modules (the selftests' test modules
# included) for the kernel of the Debian 13 root ROOT (scripts/debian13/
# root.sh), inside it, the way a Debian 13 machine builds them: its gcc 14,
# its headers and kbuild tools, `make modules` from a copy of the sources
# in /usr/src/rdma-backports-build. The products are then copied out to
# the host's build/<release>/, where the VM harness looks for the .ko files.
#
# The copy holds what git tracks plus new files not ignored (as
# scripts/dkms.sh stages a source tree), so work not yet committed is
# built too, and .rb-describe (the git state for MODULE_VERSION: there is
# no checkout inside the root). Its build/ is kept from one run to the next,
# so kbuild and the compat probe cache rebuild only what changed (the copy
# keeps the files' dates).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null
. "$top/scripts/vm/sysroot.sh"
root=$(cd "$1" && pwd)
rel=$(rb_root_release "$root")
src=/usr/src/rdma-backports-build
dst=$root$src

t0=$(date +%s)
mkdir -p "$dst"
find "$dst" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
(cd "$top" && git ls-files -co --exclude-standard -- \
	Kbuild Makefile dkms.conf drivers include scripts selftests/kmod |
	while read -r f; do [ -e "$f" ] && echo "$f"; done |
	cpio -pdm --quiet "$dst")
git -C "$top" describe --always --dirty > "$dst/.rb-describe"

echo "debian13: make modules RB_WITH_TESTS=1 KVER=$rel in $root"
rc=0
"$top/scripts/vm/in-root.sh" "$root" make -C "$src" modules RB_WITH_TESTS=1 KVER="$rel" || rc=$?
t1=$(date +%s)

# Out to the host, whatever was built: a failed build leaves no stale
# modules of an earlier one behind for the harness to load.
rm -rf "$top/build/$rel"
if [ -d "$dst/build/$rel" ]; then
	cp -a "$dst/build/$rel" "$top/build/$rel"
fi
kos=$(find "$top/build/$rel" -name '*.ko' 2>/dev/null | sort)
echo "debian13: built in $((t1 - t0)) s for $rel (gcc $("$top/scripts/vm/in-root.sh" "$root" gcc -dumpfullversion)):" \
	"$(echo "$kos" | xargs -r -n 1 basename | xargs)"
[ $rc -eq 0 ] || { echo "debian13: make modules failed ($rc)" >&2; exit 1; }
