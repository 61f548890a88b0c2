#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make deb: build rdma-backports-dkms_<version>_all.deb into build/pkg/ with
# dpkg-buildpackage -us -uc -b, in a scratch copy of the tree under build/pkg/
# (removed afterwards: nothing is written into the tree), then require
# lintian to find no error and no warning (overrides, each with its reason:
# debian/*.lintian-overrides). RB_NO_LINTIAN=1 skips lintian.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/pkg/lib.sh
. "$top/scripts/pkg/lib.sh"

ver=$(rb_version)
out=$top/build/pkg
src=$out/rdma-backports-$ver

mkdir -p "$out"
rm -f "$out"/rdma-backports-dkms_*.deb "$out"/rdma-backports_*.buildinfo \
	"$out"/rdma-backports_*.changes
pkg_export "$src"
echo "deb: building rdma-backports-dkms $ver ($(cat "$src/.rb-describe" 2>/dev/null || echo 'no git state'))"
(cd "$src" && dpkg-buildpackage -us -uc -b)
rm -rf "$src"

deb=$out/rdma-backports-dkms_${ver}_all.deb
changes=$(ls "$out"/rdma-backports_"${ver}"_*.changes)
[ -f "$deb" ] || { echo "deb: $deb was not built" >&2; exit 1; }
if [ "${RB_NO_LINTIAN:-0}" != 1 ]; then
	echo "deb: lintian $(basename "$changes")"
	lintian --fail-on error,warning --info --display-info "$changes"
fi
echo "deb: $deb"
