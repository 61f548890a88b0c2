#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make patches-export: write the patch files again from a scratch tree, so
# that a patch is edited as a commit, never by hand.
#
#   export.sh [BASE [NAME...]]
#
# BASE (default lib.sh's PQ_BASE, 6.12) names the scratch tree
# build/patches/BASE/tree that make patches-check left with the series
# applied, one commit a patch on top of the tag "pristine". After editing
# there (git commit --amend, git rebase -i pristine, a new commit for a new
# patch), every commit pristine..HEAD is written with
#
#   git format-patch --base=pristine -N --filename-max-length=200 -1 COMMIT
#
# one at a time, so that each file ends with its base tree information
# (base-commit: the pristine commit, and a prerequisite-patch-id: line for
# each patch before it), [PATCH] unnumbered (each file stands alone in the
# queue), named after the full subject:
#   - BASE = PQ_BASE: into patches/, and the series' entries are rewritten
#     in that order (its leading comment lines kept); files of patches/ no
#     longer produced are listed, not removed;
#   - another BASE: into patches/backport-BASE/, only the patches that
#     already have a file there or are named (NAME, the file name in the
#     series): the others are taken from patches/ on that base as they are.
# Refuses a tree with uncommitted changes or not made by make
# patches-check. Then run make patches-check.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/patches/lib.sh"

base=${1:-$PQ_BASE}
[ $# -eq 0 ] || shift
tree=$PQ_OUT/$base/tree
die() { echo "export: $*" >&2; exit 1; }

[ -d "$tree/.git" ] && pq_git "$tree" rev-parse -q --verify pristine > /dev/null ||
	die "no scratch tree $tree (make patches-check makes it)"
[ -z "$(pq_git "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes; commit them first"
n=$(pq_git "$tree" rev-list --count pristine..HEAD)
[ "$n" -gt 0 ] || die "no commits on top of pristine in $tree"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One commit at a time: format-patch writes the base tree information only
# into the first message it makes, and each file carries its own: the
# pristine base-commit, and a prerequisite-patch-id for each patch before it.
i=0
for c in $(pq_git "$tree" rev-list --reverse pristine..HEAD); do
	i=$((i + 1))
	pq_git "$tree" -c diff.noprefix=false -c diff.mnemonicPrefix=false \
		format-patch -q --base=pristine -N --filename-max-length=200 \
		--no-cover-letter --no-thread --start-number=$i -o "$tmp" -1 "$c" > /dev/null
done

# put FILE DEST: DEST replaced by FILE, saying whether it changed.
put()
{
	if cmp -s "$1" "$2"; then
		echo "unchanged ${2#"$top/"}"
	else
		mkdir -p "$(dirname "$2")"
		cp "$1" "$2"
		echo "wrote     ${2#"$top/"}"
	fi
}

if [ "$base" = "$PQ_BASE" ]; then
	for f in "$tmp"/*.patch; do
		put "$f" "$PQ_DIR/$(basename "$f")"
	done
	{
		sed -n '/^[[:space:]]*\(#.*\)\{0,1\}$/!q; p' "$PQ_DIR/series" 2>/dev/null
		(cd "$tmp" && ls -- *.patch)
	} > "$tmp/series"
	put "$tmp/series" "$PQ_DIR/series"
	for f in "$PQ_DIR"/*.patch; do
		[ -e "$tmp/$(basename "$f")" ] ||
			echo "stale     ${f#"$top/"}: no longer in the tree (git rm it)"
	done
else
	for f in "$tmp"/*.patch; do
		p=$(basename "$f")
		if [ -e "$PQ_DIR/backport-$base/$p" ] || printf '%s\n' "$@" | grep -qxF "$p"; then
			put "$f" "$PQ_DIR/backport-$base/$p"
		fi
	done
	for f in "$PQ_DIR/backport-$base"/*.patch; do
		[ -e "$f" ] || continue
		[ -e "$tmp/$(basename "$f")" ] ||
			echo "stale     ${f#"$top/"}: no such commit in the tree (git rm it)"
	done
fi
echo "export: from $tree ($n commits on pristine $(pq_git "$tree" rev-parse --short=12 pristine)); now make patches-check"
