#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the path of a Debian 13 (trixie) root made with mmdebstrap from
# Debian's archive, created once and cached under build/debian13/.
#
# Modules for Debian 13's kernel must be built with its own gcc 14 and
# kbuild tools (this Debian 12 host's gcc 12 makes modules the 6.12 kernel
# refuses to load, and the packaged modpost needs glibc 2.38), so the VM
# tests of that kernel take everything from this root: the kernel image the
# VM boots, its modules, the headers and compiler the suite and the
# host-prepare programs are built with, DKMS, and the guest's user space.
#
# The kernel comes from the metapackages (linux-image-amd64,
# linux-headers-amd64, linux-source): whatever trixie's current kernel ABI
# is when the root is made; read its release back from the root's
# /lib/modules (scripts/debian13/release.sh).
#
# The cache key is this file's content (the package list is in it): an edit
# makes a new root and the old ones are removed. A root is built as
# root-KEY.tmp and renamed only when complete, so an interrupted run leaves
# no half-made root that a later run would use (it is removed and made
# again). One creation at a time (flock). mmdebstrap runs in a private
# mount namespace: the /proc, /sys and /dev it mounts into the target
# vanish with it, even if it is killed, so no mount ever outlives a run.
#
# RB_DEBIAN13_MIRROR overrides the archive (default deb.debian.org).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/debian13
key=$(sha256sum "$0" | cut -c1-16)
root=$cache/root-$key
mirror=${RB_DEBIAN13_MIRROR:-http://deb.debian.org}

pkgs=(
	# the kernel the VM boots, with its headers and source (patch queue)
	linux-image-amd64 linux-headers-amd64 linux-source
	# building modules as a Debian 13 machine does, and DKMS
	gcc-14 gcc make kmod dkms openssl binutils xz-utils zstd
	# the patch queue's scratch trees and its W=1 + sparse builds
	# (scripts/patches/lib.sh, check.sh)
	git bc sparse
	# the guest's user space (scripts/vm/initramfs.sh)
	busybox-static bash util-linux iproute2 rdma-core ibverbs-providers
	ibverbs-utils rdmacm-utils perftest infiniband-diags opensm socat iperf3 strace
	ethtool
	# rdma_sniffer's tests: tcpdump in the guest, tshark copied in by
	# selftests/sniffer/host-prepare (as scripts/install-deps.sh on a host)
	tcpdump tshark
	# host-prepare programs of the selftests (libc6-dev is only a
	# Recommends of gcc, and recommends are not installed)
	libc6-dev libibverbs-dev librdmacm-dev libibumad-dev
)

# rm_root DIR: remove a root, never through a mount point. None should
# exist (see above); --one-file-system is the second line of defence
# against deleting a host's /dev or /proc through a leftover bind.
rm_root()
{
	if grep -qF " $1" /proc/self/mountinfo; then
		echo "debian13: something is mounted below $1; not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$1"
}

mkdir -p "$cache"
exec 9> "$cache/.lock"
flock 9

if [ -e "$root/.rb-complete" ]; then
	echo "debian13: cached root $root (made $(cat "$root/.rb-complete"))" >&2
	echo "$root"
	exit 0
fi

# Leftovers: a half-made root of any key, and complete roots of old keys.
for d in "$cache"/root-*; do
	[ -e "$d" ] || continue
	echo "debian13: removing $(basename "$d")" >&2
	rm_root "$d"
done

command -v mmdebstrap > /dev/null ||
	{ echo "debian13: mmdebstrap is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }

t0=$(date +%s)
echo "debian13: making a trixie root with mmdebstrap (${#pkgs[@]} packages and their dependencies)" >&2
list=$(printf '%s\n' "${pkgs[@]}" | grep -v '^#' | paste -sd, -)
unshare --mount --propagation private -- \
	mmdebstrap --mode=root --variant=apt --format=directory \
	--aptopt='APT::Install-Recommends "false"' \
	--include="$list" \
	trixie "$root.tmp" \
	"deb $mirror/debian trixie main" \
	"deb $mirror/debian trixie-updates main" \
	"deb $mirror/debian-security trixie-security main" >&2

# Complete means: one kernel, with its image, modules and headers.
rels=$(ls "$root.tmp/lib/modules")
[ "$(echo "$rels" | wc -w)" -eq 1 ] ||
	{ echo "debian13: expected one kernel in the root, found: $rels" >&2; exit 1; }
for f in "boot/vmlinuz-$rels" "lib/modules/$rels/modules.dep" "lib/modules/$rels/build/Makefile"; do
	[ -e "$root.tmp/$f" ] || { echo "debian13: the root has no /$f" >&2; exit 1; }
done
t1=$(date +%s)
echo "$(date -u +%FT%TZ), kernel $rels, in $((t1 - t0)) s" > "$root.tmp/.rb-complete"
mv "$root.tmp" "$root"
echo "debian13: root created in $((t1 - t0)) s ($(du -sh --one-file-system "$root" | cut -f1), kernel $rels): $root" >&2
echo "$root"
