#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# in-root.sh ROOT [VAR=value...] CMD [ARG...]: run CMD chrooted into ROOT (a
# distribution root such as scripts/debian13/root.sh makes), with the
# suite's tree visible inside at the same path as outside.
#
# Same path on both sides, so that a script of the suite, a host-prepare
# script's RB_OUT or a cache under build/ can be handed to a command in the
# root unchanged, and what it writes there is where the host looks for it.
#
# Everything is mounted in a private mount namespace (unshare): /proc, a
# read-only /sys and the tree (and /dev when the root has no nodes). The mounts exist for CMD only and go
# away with the namespace however CMD ends, killed included: no trap to
# forget, nothing left mounted below ROOT for an rm -rf to walk into, and
# concurrent calls do not unmount each other's.
#
# CMD gets a clean environment (a Debian PATH, HOME=/root, C.UTF-8, no
# MAKEFLAGS or KDIR_SEL from a calling make); VAR=value words before CMD
# are added to it (env(1) semantics).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
root=$(cd "$1" && pwd)
shift
[ $# -gt 0 ] || { echo "usage: in-root.sh ROOT [VAR=value...] CMD [ARG...]" >&2; exit 2; }
[ -x "$root/usr/bin/env" ] || { echo "in-root: $root is not a root (no /usr/bin/env)" >&2; exit 1; }

if [ "${RB_IN_ROOT_NS:-}" != "$root" ]; then
	RB_IN_ROOT_NS=$root exec unshare --mount --propagation private -- "$0" "$root" "$@"
fi

mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
# mmdebstrap makes the device nodes a chroot needs; a root without them
# gets the host's /dev.
[ -c "$root/dev/null" ] || mount --rbind /dev "$root/dev"
mkdir -p "$root$top"
mount --bind "$top" "$root$top"
exec chroot "$root" /usr/bin/env -i \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
	"$@"
