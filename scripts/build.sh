#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build every module of the suite against one kernel build tree.
#
#   build.sh KDIR OUTDIR [kbuild arguments...]
#
# The sources are mirrored into OUTDIR as symbolic links, so kbuild writes its
# products there and never into the source tree; one OUTDIR per kernel lets
# builds for several kernels coexist. The feature probes run first (cached),
# then scripts/compat/select.sh decides, from their results, which modules this kernel can have:
# a module it cannot is left out with one line saying which feature is
# missing ("rdma-backports: rdma_sib not built for ...: needs ..."), and the
# others are built; the build fails only when a module that can be built
# does not.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
kdir=$(readlink -f "$1")
mkdir -p "$2"
out=$(cd "$2" && pwd)
shift 2

cache=${RB_CACHE:-$top/build/compat}
compat=$("$top/scripts/compat/probe.sh" "$kdir" "$cache" "$@")
kver=$(rb_kver "$kdir")
modules=
while read -r verb name dir why; do
	if [ "$verb" = build ]; then
		modules+=" $dir/"
	else
		echo "rdma-backports: $name not built for $kver: ${why#needs }"
	fi
done < <(RB_COMPAT_HDR=$compat/rbp_compat_autoconf.h "$top/scripts/compat/select.sh" "$kdir" "$cache" "$@")

# Mirror: new files get links, links to removed files go away.
# Test modules only when asked (RB_WITH_TESTS=1; make does, DKMS does not).
dirs="drivers include"
[ "${RB_WITH_TESTS:-0}" = 1 ] && [ -d "$top/selftests/kmod" ] && dirs="$dirs selftests/kmod"
for d in $dirs; do
	mkdir -p "$out/$d"
	cp -rsf "$top/$d/." "$out/$d/"
	find "$out/$d" -xtype l -delete
done
ln -sf "$top/Kbuild" "$out/Kbuild"

version=$(rb_version)
describe=$(git -C "$top" describe --always --dirty 2>/dev/null ||
	cat "$top/.rb-describe" 2>/dev/null || echo unknown)

# RB_DEBUG_INFO=0 (DKMS, which strips every module it builds with
# "strip -g"): no DWARF made only to be stripped, about a fifth of each
# compile. Where the tree has a vmlinux, kbuild makes the modules' BTF
# from their DWARF, which strip -g keeps: there they keep it too.
nodebug=
[ "${RB_DEBUG_INFO:-1}" != 0 ] || [ -e "$kdir/vmlinux" ] || nodebug=KCFLAGS=-g0

echo "build: $(basename "$out") from $kdir${nodebug:+ (no debug info)}"
make -C "$kdir" M="$out" -j"$(nproc)" \
	RB_COMPAT_DIR="$compat" RB_VERSION="$version" RB_DESCRIBE="$describe" \
	RB_WITH_TESTS="${RB_WITH_TESTS:-0}" RB_MODULES="${modules# }" \
	"$@" ${nodebug:+"$nodebug"}
