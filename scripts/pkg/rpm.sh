#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make rpm: build the noarch rdma-backports-dkms RPM (and its SRPM) with
# rpmbuild under build/pkg/rpm/ (RPMS/noarch/, SRPMS/).
#
# The version comes from dkms.conf: the source tarball and the SRPM carry a
# copy of rdma-backports.spec that defines rb_version on its second line, so
# they rebuild elsewhere (rpmbuild -ta, rpmbuild --rebuild) without options.
# The license text goes into the tarball as COPYING: the tree's own when it
# has one, else the GPL-2 text of the build host (Debian's common-licenses).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/pkg/lib.sh
. "$top/scripts/pkg/lib.sh"

ver=$(rb_version)
out=$top/build/pkg/rpm
stage=$out/stage/rdma-backports-$ver

rm -rf "$out"
mkdir -p "$out/SOURCES" "$out/SPECS"
pkg_export "$stage"
if [ ! -e "$stage/COPYING" ]; then
	cp /usr/share/common-licenses/GPL-2 "$stage/COPYING"
fi
sed "1a %global rb_version $ver" "$top/rdma-backports.spec" > "$stage/rdma-backports.spec"
cp "$stage/rdma-backports.spec" "$out/SPECS/"
tar -C "$out/stage" --sort=name --owner=0 --group=0 --numeric-owner \
	-czf "$out/SOURCES/rdma-backports-$ver.tar.gz" "rdma-backports-$ver"
rm -rf "$out/stage"

echo "rpm: building rdma-backports-dkms $ver"
rpmbuild --define "_topdir $out" -ba "$out/SPECS/rdma-backports.spec"
rm -rf "$out/BUILD" "$out/BUILDROOT"
ls "$out"/RPMS/noarch/*.rpm "$out"/SRPMS/*.rpm
