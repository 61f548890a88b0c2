#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The compile-only kernel build trees of other distributions (RHEL 7.9 to
# 10.0), shipped as tarballs in ../shared/kernels/ beside the checkout, with
# trees.tsv naming the extra make arguments each needs with this machine's
# gcc 12 and how faithful its .config and Module.symvers are.
#
#   kernel-trees.sh [DIR]   extract each tarball once under build/kernels/
#                           and print one line per tree:
#                           NAME<TAB>PATH<TAB>STANDS_FOR<TAB>CONFIG<TAB>SYMVERS<TAB>MAKE ARGS
#
# DIR defaults to $RB_KERNEL_TREES, else ../shared/kernels. Exits 4 with a
# one-line reason when there is no such directory (a user's clone has none).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-${RB_KERNEL_TREES:-$top/../shared/kernels}}
tsv=$src/trees.tsv
if [ ! -r "$tsv" ]; then
	echo "no kernel trees: $src/trees.tsv not found (CI has ../shared/kernels; a user's clone does not)"
	exit 4
fi
out=$top/build/kernels
mkdir -p "$out"

tail -n +2 "$tsv" | while IFS=$'\t' read -r file stands args config symvers; do
	[ -n "$file" ] || continue
	name=${file%.tar.xz}
	tree=$out/$name
	stamp=$(stat -c '%s %Y' "$src/$file")
	if [ "$(cat "$tree.stamp" 2>/dev/null)" != "$stamp" ]; then
		rm -rf "$tree" "$tree.tmp"
		mkdir -p "$tree.tmp"
		tar -xJf "$src/$file" -C "$tree.tmp"
		mv "$tree.tmp/$name" "$tree"
		rmdir "$tree.tmp"
		echo "$stamp" > "$tree.stamp"
	fi
	[ "$args" = - ] && args=
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$tree" "$stands" "$config" "$symvers" "$args"
done
