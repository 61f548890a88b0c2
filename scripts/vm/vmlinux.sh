#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the path of an uncompressed vmlinux for release $1, extracted once
# from the distribution's /boot/vmlinuz-$1 (RB_SYSROOT/boot/vmlinuz-$1 with a
# sysroot, see scripts/vm/sysroot.sh; RB_VMLINUZ names the image outright)
# and cached under $2, keyed on the image's path, size and date.
#
# Booting the ELF vmlinux directly (through its PVH entry point) skips the
# bzImage self-decompression, which costs seconds under TCG. The payload is
# found by the magic of its compressor and inflated with the host's tool;
# the result must be an ELF file.
set -euo pipefail

kver=$1
mkdir -p "$2"
cache=$(cd "$2" && pwd)
img=${RB_VMLINUZ:-${RB_SYSROOT:-}/boot/vmlinuz-$kver}
[ -r "$img" ] || { echo "vmlinux: no kernel image $img (apt-get install linux-image-$kver)" >&2; exit 1; }
out=$cache/vmlinux-$kver-$(stat -L -c '%n %s %Y' "$img" | sha256sum | cut -c1-12)

if [ ! -s "$out" ]; then
	tmp=$out.tmp
	# magic  decompressor (the first match that yields an ELF wins)
	while read -r magic cmd; do
		while read -r off; do
			tail -c +$((off + 1)) "$img" | $cmd > "$tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$tmp" | od -An -c | tr -d ' ')" = "177ELF" ]; then
				mv "$tmp" "$out"
				break 2
			fi
		done < <(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1)
	done <<'MAGIC'
\xfd7zXZ\x00 xz -dc --single-stream
\x28\xb5\x2f\xfd zstd -dc
\x1f\x8b\x08 gzip -dc
\x02\x21\x4c\x18 lz4 -dc
MAGIC
	rm -f "$tmp"
	[ -s "$out" ] || { echo "vmlinux: no known compressed ELF payload in $img" >&2; exit 1; }
fi
echo "$out"
