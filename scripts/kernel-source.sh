#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Extract parts of Debian's linux-source-6.1 tarball into a cache and print
# the directory of the extracted tree.
#
#   kernel-source.sh PATH...     e.g. scripts/checkpatch.pl drivers/infiniband
#
# Only the named files and directories are extracted (the whole tree is
# ~1.4 GB); each is extracted once per tarball and remembered. The cache
# lives in $RB_CACHE_DIR (default build/) under linux-source-<hash of the
# tarball's name, size and date>/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tarball=${RB_LINUX_SOURCE:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$tarball" ] || [ ! -e "$tarball" ]; then
	echo "kernel-source: no /usr/src/linux-source-*.tar.xz; apt-get install linux-source-6.1" >&2
	exit 1
fi
key=$(stat -c '%n %s %Y' "$tarball" | sha256sum | cut -c1-12)
cache=${RB_CACHE_DIR:-$top/build}/linux-source-$key
prefix=$(basename "$tarball" .tar.xz)
mkdir -p "$cache/.done"

want=()
for p in "$@"; do
	p=${p%/}
	stamp=$cache/.done/$(echo "$p" | tr / _)
	[ -e "$stamp" ] || want+=("$p")
done

if [ ${#want[@]} -gt 0 ]; then
	(
		# One extraction at a time per cache, so parallel callers don't
		# race on the same files.
		flock 9
		tar -xJf "$tarball" -C "$cache" --strip-components=1 \
			"${want[@]/#/$prefix/}"
		for p in "${want[@]}"; do
			touch "$cache/.done/$(echo "$p" | tr / _)"
		done
	) 9> "$cache/.lock"
fi
echo "$cache"
