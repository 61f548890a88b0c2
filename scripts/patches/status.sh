#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make patches-status: one row per patch of the queue: subject, upstream
# status, the kernel it was made against, the suite module that backports
# its behaviour meanwhile, and whether the target kernel already contains
# the change.
#
#   status.sh      target: KVER_SEL/KDIR_SEL (make), else KDIR= or KVER=,
#                  else as scripts/kdir.sh picks (the running kernel first)
#
# "In target" is decided from what is on disk, never from a version table:
#  1. If the target's kernel source is at hand (KDIR is a full tree, or its
#     "source" link points at one, holding every file the patch touches):
#     the patch reverse-applies there (git apply -R --check) = yes; it
#     applies forward = no; neither = unknown.
#  2. Else scripts/patches/detect/<patch>.sh KVER KDIR, a check of the
#     installed module or headers that the patch's author wrote and
#     explains there.
#  3. Else unknown.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/patches/lib.sh"

kdir=${KDIR_SEL:-$(KDIR=${KDIR:-} KVER=${KVER:-} "$top/scripts/kdir.sh")}
kver=${KVER_SEL:-$("$top/scripts/kver.sh" "$kdir")}

# in_source PATCH: yes/no/unknown from a kernel source tree, or nothing.
in_source()
{
	local p=$1 ksrc f tmp r
	for ksrc in "$kdir" "$kdir/source"; do
		[ -d "$ksrc/drivers" ] || continue
		while read -r f; do
			[ -e "$ksrc/$f" ] || continue 2
		done < <(pq_files "$p")
		# A copy in a git tree of its own: git apply run inside some
		# other repository would resolve the paths against that one.
		tmp=$(mktemp -d)
		while read -r f; do
			mkdir -p "$tmp/$(dirname "$f")"
			cp "$ksrc/$f" "$tmp/$f"
		done < <(pq_files "$p")
		git -C "$tmp" init -q
		if git -C "$tmp" apply -R --check "$p" 2> /dev/null; then
			r="yes: reverse-applies to $ksrc"
		elif git -C "$tmp" apply --check "$p" 2> /dev/null; then
			r="no: applies to $ksrc"
		else
			r="unknown: neither applies nor reverse-applies to $ksrc"
		fi
		rm -rf "$tmp"
		echo "$r"
		return 0
	done
}

rows=()
whys=()
mapfile -t series < <(pq_series)
for p in "${series[@]}"; do
	f=$PQ_DIR/$p
	if [ ! -e "$f" ]; then
		rows+=("$p	(missing)	-	-	-")
		continue
	fi
	how=$(in_source "$f")
	det=$top/scripts/patches/detect/${p%.patch}.sh
	if [ -z "$how" ] && [ -x "$det" ]; then
		how=$("$det" "$kver" "$kdir" 2>&1) || how="unknown: $det failed: $how"
	fi
	how=${how:-unknown: no kernel source and no detect/${p%.patch}.sh}
	status=$(pq_field "$f" Upstream-Status)
	rows+=("$(pq_subject "$f")	${status:--}	$(pq_field "$f" Kernel-Base)	$(pq_field "$f" Backported-By | cut -d' ' -f1)	${how%%:*}")
	whys+=("${how#*: }")
done

echo "Patch queue: ${#series[@]} patches; target kernel $kver ($kdir)"
echo
{
	echo "SUBJECT	UPSTREAM-STATUS	KERNEL-BASE	BACKPORTED-BY	IN-TARGET"
	printf '%s\n' "${rows[@]}"
} | column -t -s '	'
if [ ${#series[@]} -gt 0 ]; then
	echo
	i=0
	for p in "${series[@]}"; do
		echo "${p%.patch}: ${whys[$i]:-}"
		i=$((i + 1))
	done
fi
