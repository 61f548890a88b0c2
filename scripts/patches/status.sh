#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make patches-status: one row per patch of the queue: subject, upstream
# status, the base its file is made against (base-commit) and the bases it
# has a backport file for, the suite module that works around its absence
# meanwhile, and whether the target kernel already contains the change.
#
#   status.sh      target: KVER_SEL/KDIR_SEL (make), else KDIR= or KVER=,
#                  else as scripts/kdir.sh picks (the running kernel first)
#
# "In target" is decided from what is on disk, never from a version table,
# with the patch's file for the target's base (patches/backport-X.Y/ when
# there is one, lib.sh pq_patch):
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
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
. "$top/scripts/patches/lib.sh"

kdir=$(rb_kdir)
kver=$(rb_kver "$kdir")

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

# The target's base (X.Y) picks the backport files.
tbase=$(make -s -C "$kdir" kernelversion 2>/dev/null | cut -d. -f1,2 || true)

rows=()
whys=()
mapfile -t series < <(pq_series)
for p in "${series[@]}"; do
	f=$(pq_patch "$p" "${tbase:-$PQ_BASE}")
	if [ ! -e "$PQ_DIR/$p" ]; then
		rows+=("$p	(missing)	-	-	-	-")
		continue
	fi
	bp=$(for b in "$PQ_DIR"/backport-*; do
		if [ -e "$b/$p" ]; then basename "$b" | sed 's/^backport-//'; fi
	done | sort -V | paste -sd, -)
	bc=$(pq_base_commit "$PQ_DIR/$p")
	how=$(in_source "$f")
	det=$top/scripts/patches/detect/${p%.patch}.sh
	if [ -z "$how" ] && [ -x "$det" ]; then
		how=$("$det" "$kver" "$kdir" 2>&1) || how="unknown: $det failed: $how"
	fi
	how=${how:-unknown: no kernel source and no detect/${p%.patch}.sh}
	status=$(pq_field "$f" Upstream-Status)
	rows+=("$(pq_subject "$f")	${status:--}	$PQ_BASE ${bc:0:12}	${bp:--}	$(pq_field "$f" Workaround-Module | cut -d' ' -f1)	${how%%:*}")
	whys+=("${how#*: }")
done

echo "Patch queue: ${#series[@]} patches; target kernel $kver ($kdir), base ${tbase:-unknown}"
echo
{
	echo "SUBJECT	UPSTREAM-STATUS	BASE-COMMIT	BACKPORTS	WORKAROUND-MODULE	IN-TARGET"
	printf '%s\n' "${rows[@]}"
} | column -t -s '	'
if [ ${#series[@]} -gt 0 ]; then
	echo
	i=0
	for p in "${series[@]}"; do
		echo "$(pq_patch "$p" "${tbase:-$PQ_BASE}" | sed "s|^$PQ_DIR/||"): ${whys[$i]:-}"
		i=$((i + 1))
	done
fi
